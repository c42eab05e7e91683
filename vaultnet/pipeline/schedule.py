"""What makes vaultnet run by itself: a daily ``notify`` and a long-running ``watch``.

Three kinds, one per platform: systemd user units (a timer and two services), launchd
agents (property lists) on macOS, or a crontab block elsewhere. ``plan`` computes the files
(pure); ``install`` writes them, never over a different file unless forced, and records
what it wrote in ``.vaultnet/schedule.json``; ``uninstall`` removes exactly that.

The units name the absolute path of the vaultnet executable and of the vault, quoted for
the format that reads them. Nothing here starts or stops a service: the commands to do so
are printed, so that installing never touches a running system by surprise.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import plistlib
import re
import shlex
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vaultnet.atomic import default_mode, write_atomic
from vaultnet.config import Config
from vaultnet.containment import state_dir
from vaultnet.errors import OutputError, UsageError

Platform = Literal["systemd", "launchd", "cron"]
PLATFORMS: tuple[Platform, ...] = ("systemd", "launchd", "cron")
MANIFEST = Path(".vaultnet") / "schedule.json"
CRON_TIMEOUT_S = 10


@dataclass(frozen=True, slots=True)
class UnitFile:
    """A file to write: its absolute path and its text."""

    path: Path
    text: str


@dataclass(frozen=True, slots=True)
class Schedule:
    """Everything one platform needs for one vault."""

    platform: Platform
    vault: Path
    name: str  # "vaultnet-notify-<name>": unique per vault
    files: tuple[UnitFile, ...]
    crontab: str  # the marked block, for cron; "" otherwise
    start: tuple[str, ...]  # shell commands that start what was installed
    stop: tuple[str, ...]  # shell commands that stop it, before removing it


def detect_platform(system: str, environ: Mapping[str, str]) -> Platform:
    """launchd on macOS, systemd where a user manager can run, else cron."""
    if system == "darwin":
        return "launchd"
    if system.startswith("linux") and shutil.which("systemctl") and Path("/run/systemd").is_dir():
        return "systemd"
    return "cron"


def executable(argv0: str) -> list[str]:
    """The command that runs this vaultnet: the script that was started, when it is one
    named vaultnet, else the vaultnet on PATH, else this Python with ``-m vaultnet``.

    Made absolute, but symbolic links are kept: a link such as ~/.local/bin/vaultnet
    still works after an upgrade moves what it points at."""
    import sys

    started = Path(argv0)
    if started.name.startswith("vaultnet") and started.is_file():
        return [str(started.absolute())]
    found = shutil.which("vaultnet")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "vaultnet"]


def unit_name(vault: Path) -> str:
    """A name that tells vaults apart: the folder's name, made safe, and a short hash."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "-", vault.name).strip("-.")[:40] or "vault"
    return f"{readable}-{hashlib.sha256(str(vault).encode()).hexdigest()[:8]}"


def plan(
    config: Config,
    platform: Platform,
    command: Sequence[str],
    environ: Mapping[str, str],
    watch: bool = True,
) -> Schedule:
    """The files (or crontab block) that run ``notify`` daily at ``[notify] time`` and, with
    ``watch``, keep ``watch`` running. Raises UsageError for a path no format can hold."""
    vault = config.vault
    for text in (str(vault), *command):
        if any(ord(char) < 32 or ord(char) == 127 for char in text):
            raise UsageError(f"cannot schedule a path with a control character: {text!r}")
    hour, minute = (int(part) for part in config.notify.time.split(":"))
    name = unit_name(vault)
    if platform == "systemd":
        return _systemd(vault, name, command, hour, minute, environ, watch)
    if platform == "launchd":
        return _launchd(vault, name, command, hour, minute, environ, watch)
    return _cron(vault, name, command, hour, minute, watch)


# --- systemd -----------------------------------------------------------------------------


def systemd_folder(environ: Mapping[str, str]) -> Path:
    """Where systemd looks for the user's own units: $XDG_CONFIG_HOME/systemd/user."""
    base = environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else _home(environ) / ".config"
    return root / "systemd" / "user"


def systemd_quote(arg: str) -> str:
    """One argument of ExecStart: double-quoted, with backslash, quote, ``%`` (specifiers)
    and ``$`` (variables) escaped, so that systemd passes it on as it is."""
    text = arg.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("%", "%%").replace("$", "$$") + '"'


def _systemd_text(value: str) -> str:
    """A value for a setting that expands specifiers (Description=)."""
    return value.replace("%", "%%")


def _systemd(
    vault: Path,
    name: str,
    command: Sequence[str],
    hour: int,
    minute: int,
    environ: Mapping[str, str],
    watch: bool,
) -> Schedule:
    folder = systemd_folder(environ)
    # The path is quoted so that no line ends in a backslash, which systemd would read
    # as a continuation.
    header = f'# Written by vaultnet schedule for "{vault}"\n# --uninstall removes it.\n'
    where = '"' + _systemd_text(str(vault)) + '"'

    def exec_start(*args: str) -> str:
        return " ".join(systemd_quote(arg) for arg in (*command, *args, str(vault)))

    notify = f"vaultnet-notify-{name}"
    files = [
        UnitFile(
            folder / f"{notify}.service",
            f"{header}[Unit]\nDescription=vaultnet: send today's follow-ups for {where}\n\n"
            "[Service]\nType=oneshot\n"
            "# Secrets for ${NAME} in [notify] urls, one NAME=value a line (optional).\n"
            "EnvironmentFile=-%E/vaultnet/notify.env\n"
            f"ExecStart={exec_start('notify')}\n",
        ),
        UnitFile(
            folder / f"{notify}.timer",
            f"{header}[Unit]\nDescription=vaultnet: daily follow-ups for {where}\n\n"
            f"[Timer]\nOnCalendar=*-*-* {hour:02d}:{minute:02d}:00\nPersistent=true\n\n"
            "[Install]\nWantedBy=timers.target\n",
        ),
    ]
    units = [f"{notify}.timer"]
    if watch:
        files.append(
            UnitFile(
                folder / f"vaultnet-watch-{name}.service",
                f"{header}[Unit]\nDescription=vaultnet: keep the pages of {where} fresh\n\n"
                f"[Service]\nExecStart={exec_start('watch')}\n"
                "Restart=on-failure\nRestartSec=30\n\n"
                "[Install]\nWantedBy=default.target\n",
            )
        )
        units.append(f"vaultnet-watch-{name}.service")
    listed = " ".join(units)
    return Schedule(
        "systemd",
        vault,
        name,
        tuple(files),
        "",
        ("systemctl --user daemon-reload", f"systemctl --user enable --now {listed}"),
        (f"systemctl --user disable --now {listed}",),
    )


# --- launchd -----------------------------------------------------------------------------


def launchd_folder(environ: Mapping[str, str]) -> Path:
    """Where launchd loads the user's agents from: ~/Library/LaunchAgents."""
    return _home(environ) / "Library" / "LaunchAgents"


def _launchd(
    vault: Path,
    name: str,
    command: Sequence[str],
    hour: int,
    minute: int,
    environ: Mapping[str, str],
    watch: bool,
) -> Schedule:
    folder = launchd_folder(environ)
    logs = _home(environ) / "Library" / "Logs"
    agents: list[tuple[str, dict[str, object]]] = [
        (
            f"org.vaultnet.notify.{name}",
            {
                "ProgramArguments": [*command, "notify", str(vault)],
                # A run missed while asleep happens at wake, like Persistent=true.
                "StartCalendarInterval": {"Hour": hour, "Minute": minute},
            },
        )
    ]
    if watch:
        agents.append(
            (
                f"org.vaultnet.watch.{name}",
                {
                    "ProgramArguments": [*command, "watch", str(vault)],
                    "RunAtLoad": True,
                    "KeepAlive": {"SuccessfulExit": False},
                    "ThrottleInterval": 30,
                },
            )
        )
    files = []
    for label, settings in agents:
        plist = {
            "Label": label,
            **settings,
            "StandardOutPath": str(logs / f"{label}.log"),
            "StandardErrorPath": str(logs / f"{label}.log"),
        }
        # plistlib writes proper XML: the paths are escaped, whatever they hold.
        text = plistlib.dumps(plist, sort_keys=False).decode("utf-8")
        files.append(UnitFile(folder / f"{label}.plist", text))
    return Schedule(
        "launchd",
        vault,
        name,
        tuple(files),
        "",
        tuple(f"launchctl load -w {shlex.quote(str(f.path))}" for f in files),
        tuple(f"launchctl unload -w {shlex.quote(str(f.path))}" for f in files),
    )


# --- cron --------------------------------------------------------------------------------


def cron_quote(arg: str) -> str:
    """An argument for a crontab line: quoted for the shell, ``%`` escaped for cron
    (which would otherwise end the command there)."""
    return shlex.quote(arg).replace("%", "\\%")


def _cron(
    vault: Path, name: str, command: Sequence[str], hour: int, minute: int, watch: bool
) -> Schedule:
    def line(*args: str) -> str:
        return " ".join(cron_quote(arg) for arg in (*command, *args, str(vault)))

    lines = [
        f"# BEGIN vaultnet {name}: written by vaultnet schedule; --uninstall removes it",
        # Only failures (stderr) reach cron's mail.
        f"{minute} {hour} * * * {line('notify')} >/dev/null",
    ]
    if watch:
        lines.append(f"@reboot {line('watch')} >/dev/null 2>&1")
    lines.append(f"# END vaultnet {name}")
    return Schedule("cron", vault, name, (), "\n".join(lines) + "\n", (), ())


def _home(environ: Mapping[str, str]) -> Path:
    home = environ.get("HOME", "")
    return Path(home) if home else Path.home()


# --- installing and removing -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One thing ``install`` or ``uninstall`` did, or left alone."""

    action: str  # "wrote", "unchanged", "removed", "kept", "missing"
    what: str  # a path, or "crontab"
    why: str = ""


def install(schedule: Schedule, force: bool = False) -> list[Change]:
    """Write the schedule's files (or crontab block) and the manifest.

    Raises UsageError, before writing anything, when a file or block is already there
    with other content and ``force`` is not given, or when this vault's schedule was
    installed for another platform."""
    previous = _load_manifest(schedule.vault)
    if previous is not None and previous.get("platform") != schedule.platform:
        raise UsageError(
            f"this vault is scheduled with {previous.get('platform')}; run "
            "vaultnet schedule --uninstall first"
        )
    if schedule.platform == "cron":
        return [_install_cron(schedule, force)]
    changes = []
    for unit in schedule.files:
        current = _read(unit.path)
        if current is not None and current != unit.text and not force:
            raise UsageError(
                f"{unit.path} exists with other content; nothing written. --force "
                "replaces it (see it first: vaultnet schedule without --install)"
            )
    for unit in schedule.files:
        if _read(unit.path) == unit.text:
            changes.append(Change("unchanged", str(unit.path)))
            continue
        try:
            unit.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(unit.path, unit.text.encode("utf-8"), default_mode())
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror}", str(unit.path)) from None
        changes.append(Change("wrote", str(unit.path)))
    _save_manifest(schedule)
    return changes


def uninstall(vault: Path, force: bool = False) -> tuple[list[Change], tuple[str, ...]]:
    """Remove what ``install`` recorded for ``vault``: its files when unchanged (changed
    ones too with ``force``), their enabling links, or its crontab block. Returns what
    was done and the commands that stop what was running."""
    manifest = _load_manifest(vault)
    if manifest is None:
        raise UsageError(f"nothing to uninstall: {vault / MANIFEST} not found")
    changes: list[Change] = []
    if manifest.get("platform") == "cron":
        changes.append(_uninstall_cron(str(manifest.get("name", ""))))
    for entry in manifest.get("files", []):
        if not isinstance(entry, dict) or not entry.get("path"):
            continue
        path = Path(str(entry["path"]))
        current = _read(path)
        if current is None:
            changes.append(Change("missing", str(path)))
            continue
        if _digest(current) != entry.get("sha256") and not force:
            changes.append(Change("kept", str(path), "changed since it was written; --force"))
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        changes.append(Change("removed", str(path)))
        _remove_links_to(path)
    if all(c.action != "kept" for c in changes):
        with contextlib.suppress(FileNotFoundError):
            state_dir(vault, MANIFEST.name).unlink()
    stop = tuple(str(command) for command in manifest.get("stop", []))
    return changes, stop


def _remove_links_to(path: Path) -> None:
    """``systemctl enable`` links a unit from ``*.wants/`` folders beside it: those links
    point at the removed file and would be left dangling."""
    for wants in path.parent.glob("*.wants"):
        link = wants / path.name
        if link.is_symlink() and Path(os.readlink(link)) == path:
            link.unlink()


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise OutputError(f"cannot read: {exc}", str(path)) from None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _save_manifest(schedule: Schedule) -> None:
    """Record what was written. Files an earlier install wrote that this one did not (the
    watch service before --no-watch; units named after the vault's old path) stay on the
    record while they exist, so that --uninstall still removes them."""
    files = [{"path": str(u.path), "sha256": _digest(u.text)} for u in schedule.files]
    stop = list(schedule.stop)
    previous = _load_manifest(schedule.vault) or {}
    for entry in previous.get("files", []):
        path = entry.get("path") if isinstance(entry, dict) else None
        if path and all(f["path"] != path for f in files) and Path(str(path)).exists():
            files.append(entry)
    stop += [str(c) for c in previous.get("stop", []) if str(c) not in stop]
    payload = {
        "version": 1,
        "platform": schedule.platform,
        "name": schedule.name,
        "files": files,
        "stop": stop,
    }
    target = state_dir(schedule.vault, MANIFEST.name)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, (json.dumps(payload, indent=1) + "\n").encode(), default_mode())
    except OSError as exc:
        raise OutputError(
            f"cannot record what was installed: {exc.strerror}", str(target)
        ) from None


def _load_manifest(vault: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((vault / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{vault / MANIFEST}: cannot read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("files", []), list):
        raise UsageError(f"{vault / MANIFEST}: not a record vaultnet schedule wrote")
    return data


# --- the crontab, only through crontab -l and crontab - ---------------------------------


def _crontab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    program = shutil.which("crontab")
    if program is None:
        raise UsageError(
            "crontab is not installed: nothing written; add the lines that "
            "vaultnet schedule --for cron prints to your scheduler by hand"
        )
    try:
        return subprocess.run(
            [program, *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=CRON_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OutputError(f"crontab {' '.join(args)} failed: {exc}") from None


def _current_crontab() -> str:
    done = _crontab("-l")
    if done.returncode != 0:
        if "no crontab" in done.stderr.lower():
            return ""
        raise OutputError(f"crontab -l failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


def _block(name: str) -> re.Pattern[str]:
    quoted = re.escape(name)
    return re.compile(rf"^# BEGIN vaultnet {quoted}:.*?^# END vaultnet {quoted}\n?", re.M | re.S)


def _install_cron(schedule: Schedule, force: bool) -> Change:
    current = _current_crontab()
    pattern = _block(schedule.name)
    found = pattern.search(current)
    if found is not None and found[0] == schedule.crontab:
        _save_manifest(schedule)
        return Change("unchanged", "crontab")
    if found is not None and not force:
        raise UsageError(
            f"your crontab already has a vaultnet block for {schedule.vault} with other "
            "lines; nothing written. --force replaces it"
        )
    if found is not None:
        updated = current[: found.start()] + schedule.crontab + current[found.end() :]
    else:
        updated = current + ("\n" if current and not current.endswith("\n") else "")
        updated += schedule.crontab
    _write_crontab(updated)
    _save_manifest(schedule)
    return Change("wrote", "crontab")


def _uninstall_cron(name: str) -> Change:
    current = _current_crontab()
    found = _block(name).search(current)
    if found is None:
        return Change("missing", "crontab")
    _write_crontab(current[: found.start()] + current[found.end() :])
    return Change("removed", "crontab")


def _write_crontab(text: str) -> None:
    done = _crontab("-", stdin=text)
    if done.returncode != 0:
        raise OutputError(f"crontab - failed: {done.stderr.strip() or done.returncode}")
