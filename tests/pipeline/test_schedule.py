"""vaultnet schedule: systemd units, launchd agents and a crontab block, written and removed."""

from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultnet.cli.main import main
from vaultnet.pipeline.schedule import detect_platform

# A vault folder whose name needs quoting in every format: space, quotes, %, $, backslash.
AWKWARD = 'My Notes "100%" $HOME \\ it\'s'


def run(*args: str, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["schedule", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def awkward(tmp_path: Path) -> Path:
    vault = tmp_path / AWKWARD
    vault.mkdir()
    (vault / "vaultnet.toml").write_text('[notify]\ntime = "07:05"\n', encoding="utf-8")
    return vault


def units(config_home: Path) -> dict[str, str]:
    folder = config_home / "systemd" / "user"
    found = sorted(p for p in folder.glob("*.*") if p.is_file())
    return {p.name: p.read_text(encoding="utf-8") for p in found}


def exec_start(text: str) -> str:
    (line,) = [x for x in text.splitlines() if x.startswith("ExecStart=")]
    return line.removeprefix("ExecStart=")


def test_systemd_units_are_printed_and_nothing_is_written(awkward: Path, tmp_path: Path) -> None:
    config_home = tmp_path / "config"
    code, out, err = run(str(awkward), "--for", "systemd", XDG_CONFIG_HOME=str(config_home))
    assert (code, err) == (0, "")
    assert not config_home.exists() and not (awkward / ".vaultnet").exists()
    folder = config_home / "systemd" / "user"
    assert f"# {folder}/vaultnet-notify-" in out
    assert "OnCalendar=*-*-* 07:05:00\nPersistent=true\n" in out
    assert "systemctl --user enable --now vaultnet-notify-" in out


def test_systemd_install_verify_reinstall_and_uninstall(awkward: Path, tmp_path: Path) -> None:
    config_home = tmp_path / "config"
    env = {"XDG_CONFIG_HOME": str(config_home)}
    code, out, err = run(str(awkward), "--for", "systemd", "--install", **env)
    assert (code, err) == (0, "")
    written = units(config_home)
    names = sorted(written)
    assert len(names) == 3 and out.count("wrote ") == 3
    notify, timer, watch = (
        next(n for n in names if n.startswith("vaultnet-notify-") and n.endswith(".service")),
        next(n for n in names if n.endswith(".timer")),
        next(n for n in names if n.startswith("vaultnet-watch-")),
    )
    assert timer.removesuffix(".timer") == notify.removesuffix(".service")
    assert "Type=oneshot" in written[notify]
    assert "OnCalendar=*-*-* 07:05:00\nPersistent=true\n" in written[timer]
    assert "WantedBy=timers.target" in written[timer]
    assert "Restart=on-failure" in written[watch]
    # The executable and the vault by absolute path; quotes, backslash, % and $ escaped.
    program = exec_start(written[notify]).split('" ', 1)[0].removeprefix('"')
    assert Path(program).is_absolute() and os.access(program, os.X_OK)
    vault = '"' + str(awkward).replace("\\", "\\\\").replace('"', '\\"')
    vault = vault.replace("%", "%%").replace("$", "$$") + '"'
    assert exec_start(written[notify]).endswith(f' "notify" {vault}')
    assert exec_start(written[watch]).endswith(f' "watch" {vault}')
    assert "%%" in written[notify].split("Description=", 1)[1].splitlines()[0]

    code, out, _ = run(str(awkward), "--for", "systemd", "--install", **env)
    assert code == 0 and out.count("unchanged ") == 3

    # A file that is not ours (or was edited) is never replaced without --force.
    edited = config_home / "systemd" / "user" / timer
    edited.write_text(written[timer].replace("07:05", "06:00"), encoding="utf-8")
    code, out, err = run(str(awkward), "--for", "systemd", "--install", **env)
    assert code == 2 and "exists with other content" in err and "--force" in err
    assert "06:00" in edited.read_text(encoding="utf-8")
    code, out, _ = run(str(awkward), "--for", "systemd", "--install", "--force", **env)
    assert code == 0 and f"wrote {edited}" in out
    assert units(config_home) == written

    # systemctl enable's link goes with the unit.
    wants = config_home / "systemd" / "user" / "timers.target.wants"
    wants.mkdir()
    (wants / timer).symlink_to(edited)
    (config_home / "systemd" / "user" / "mine.service").write_text("[Service]\n", encoding="utf-8")
    code, out, err = run(str(awkward), "--uninstall", **env)
    assert (code, err) == (0, "")
    assert out.startswith("first stop what runs: systemctl --user disable --now ")
    assert out.count("removed ") == 3
    assert units(config_home) == {"mine.service": "[Service]\n"}
    assert not (wants / timer).is_symlink()
    assert not (awkward / ".vaultnet" / "schedule.json").exists()
    code, _, err = run(str(awkward), "--uninstall", **env)
    assert code == 2 and "nothing to uninstall" in err


def test_systemd_analyze_accepts_the_units(awkward: Path, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed; the content tests above still run")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert run(str(awkward), "--for", "systemd", "--install", **env)[0] == 0
    files = sorted((tmp_path / "config" / "systemd" / "user").glob("vaultnet-*"))
    assert len(files) == 3
    done = subprocess.run(
        [analyze, "verify", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_no_unit_line_ends_in_a_backslash(tmp_path: Path) -> None:
    vault = tmp_path / "Notes\\"  # systemd would join the next line onto it
    vault.mkdir()
    code, out, _ = run(str(vault), "--for", "systemd")
    assert code == 0
    unit_lines = [x for x in out.splitlines() if not x.startswith("# /")]
    assert not [x for x in unit_lines if x.endswith("\\")]
    assert "Description=vaultnet: send today's follow-ups for \"" in out


def test_uninstall_keeps_a_unit_edited_since(awkward: Path, tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert run(str(awkward), "--for", "systemd", "--install", "--no-watch", **env)[0] == 0
    (timer,) = (tmp_path / "config" / "systemd" / "user").glob("*.timer")
    timer.write_text(timer.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    code, out, _ = run(str(awkward), "--uninstall", **env)
    assert code == 1 and f"kept {timer} (changed since it was written; --force)" in out
    assert timer.exists() and (awkward / ".vaultnet" / "schedule.json").exists()
    code, out, _ = run(str(awkward), "--uninstall", "--force", **env)
    assert code == 0 and not timer.exists()


def test_launchd_agents_hold_the_exact_arguments(awkward: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, out, err = run(str(awkward), "--for", "launchd", "--install", HOME=str(home))
    assert (code, err) == (0, "")
    agents = sorted((home / "Library" / "LaunchAgents").glob("*.plist"))
    assert [p.name.split(".")[2] for p in agents] == ["notify", "watch"]
    notify = plistlib.loads(agents[0].read_bytes())
    assert notify["ProgramArguments"][-2:] == ["notify", str(awkward)]
    assert Path(notify["ProgramArguments"][0]).is_absolute()
    assert notify["StartCalendarInterval"] == {"Hour": 7, "Minute": 5}
    assert notify["Label"] == agents[0].name.removesuffix(".plist")
    watch = plistlib.loads(agents[1].read_bytes())
    assert watch["ProgramArguments"][-2:] == ["watch", str(awkward)]
    assert watch["RunAtLoad"] is True
    assert f"launchctl load -w {shlex.quote(str(agents[0]))}" in out
    code, out, _ = run(str(awkward), "--uninstall", HOME=str(home))
    assert code == 0 and "launchctl unload -w" in out
    assert list((home / "Library" / "LaunchAgents").glob("*")) == []


FAKE_CRONTAB = """#!/bin/sh
# crontab -l / crontab - over one file, like the real one over the user's table.
table="$FAKE_CRONTAB_FILE"
if [ "$1" = "-l" ]; then
  if [ -f "$table" ]; then cat "$table"; else echo "no crontab for tester" >&2; exit 1; fi
elif [ "$1" = "-" ]; then
  cat > "$table"
else
  exit 2
fi
"""


@pytest.fixture
def crontab(tmp_path: Path) -> tuple[dict[str, str], Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "crontab"
    script.write_text(FAKE_CRONTAB, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    table = tmp_path / "crontab.txt"
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_CRONTAB_FILE": str(table)}
    return env, table


def test_cron_block_goes_in_and_out_through_crontab(
    awkward: Path, crontab: tuple[dict[str, str], Path]
) -> None:
    env, table = crontab
    table.write_text("MAILTO=me@example.org\n0 * * * * backup.sh\n", encoding="utf-8")
    code, out, err = run(str(awkward), "--for", "cron", "--install", **env)
    assert (code, out, err) == (0, "wrote crontab\n", "")
    text = table.read_text(encoding="utf-8")
    assert text.startswith("MAILTO=me@example.org\n0 * * * * backup.sh\n# BEGIN vaultnet ")
    lines = text.splitlines()
    notify = next(x for x in lines if x.startswith("5 7 * * * "))
    # cron turns \\% back into %, then the shell reads the quoted words.
    argv = shlex.split(notify.removeprefix("5 7 * * * ").replace("\\%", "%"))
    assert argv[-3:] == ["notify", str(awkward), ">/dev/null"]
    assert Path(argv[0]).is_absolute()
    assert any(x.startswith("@reboot ") and " watch " in x for x in lines)
    assert run(str(awkward), "--for", "cron", "--install", **env)[1] == "unchanged crontab\n"
    code, out, _ = run(str(awkward), "--uninstall", **env)
    assert (code, out) == (0, "removed crontab\n")
    assert table.read_text(encoding="utf-8") == "MAILTO=me@example.org\n0 * * * * backup.sh\n"


def test_without_crontab_install_refuses_and_printing_still_works(
    awkward: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    code, out, err = run(str(awkward), "--for", "cron", "--install", PATH=str(empty))
    assert code == 2 and "crontab is not installed" in err and out == ""
    assert not (awkward / ".vaultnet" / "schedule.json").exists()
    code, out, _ = run(str(awkward), "--for", "cron", PATH=str(empty))
    assert code == 0 and "# BEGIN vaultnet" in out and "-m vaultnet notify" in out


def test_install_and_uninstall_together_is_a_usage_error(awkward: Path) -> None:
    code, _, err = run(str(awkward), "--install", "--uninstall")
    assert code == 2 and "not both" in err


def test_the_platform_is_detected() -> None:
    assert detect_platform("darwin", {}) == "launchd"
    assert detect_platform("win32", {}) == "cron"
    assert detect_platform("freebsd14", {}) == "cron"


def test_a_narrower_reinstall_still_uninstalls_everything(awkward: Path, tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert run(str(awkward), "--for", "systemd", "--install", **env)[0] == 0
    code, out, _ = run(str(awkward), "--for", "systemd", "--install", "--no-watch", **env)
    assert code == 0 and out.count("unchanged ") == 2
    code, out, err = run(str(awkward), "--for", "launchd", "--install", HOME=str(tmp_path), **env)
    assert code == 2 and "scheduled with systemd; run vaultnet schedule --uninstall" in err
    code, out, _ = run(str(awkward), "--uninstall", **env)
    assert code == 0 and out.count("removed ") == 3
    assert units(tmp_path / "config") == {}
