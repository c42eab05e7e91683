"""The command line through click's CliRunner, on vaults made in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import WriteNote
from vaultnet import __version__
from vaultnet.cli.main import main

TODAY_ARGS = ["--today", "2026-11-26"]
TOP_KEYS = [
    "today",
    "people",
    "tiers",
    "overdue",
    "due_soon",
    "upcoming",
    "never_contacted",
    "dormant",
    "snoozed",
    "birthdays",
    "diagnostics",
]
LISTS = ["overdue", "due_soon", "upcoming", "never_contacted", "dormant", "snoozed", "birthdays"]
ENTRY_KEYS = ["name", "path", "tier", "due", "days_overdue", "last_contact", "cadence_days"]


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture
def clean(vault: Path, write: WriteNote) -> Path:
    """A vault without a single problem."""
    write(
        "People/Ann Lee.md",
        """\
        ---
        tier: champion
        company: "[[Harbor Health]]"
        role: VP Engineering
        birthday: "12-01"
        ---
        ## Log
        - 2026-10-01 coffee: talked about the platform team
        """,
    )
    write("People/Bob.md", "---\ntier: supporter\nlast_contact: 2026-11-20\n---\n")
    write("People/Cy.md", "---\ntier: advocate\n---\n")
    write("People/Di.md", "---\ntier: advocate\nlast_contact: 2026-11-01\ncadence: 1m\n---\n")
    write("People/Ed.md", "---\ntier: champion\nsnooze_until: 2026-12-24\n---\n")
    write("People/Old.md", "---\ntier: champion\nstatus: archived\n---\n")
    write("Daily/2026-11-24.md", "Coffee with [[Cy]]\n")
    return vault


def pages(vault: Path) -> list[str]:
    out = vault / "Network"
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


# --- general -------------------------------------------------------------------------------------


def test_version_and_help() -> None:
    assert __version__ in run("--version").output
    result = run("--help")
    assert result.exit_code == 0
    for command in ("init", "build", "watch", "check", "digest"):
        assert command in result.output


@pytest.mark.parametrize("command", ["build", "check", "digest", "init", "watch"])
def test_every_command_takes_vault_and_today(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "--vault" in result.output
    assert ("--today" in result.output) == (command != "init")
    assert "[VAULT]" in result.output


@pytest.mark.parametrize("command", ["build", "check", "digest"])
def test_bad_today_is_exit_2(clean: Path, command: str) -> None:
    result = run(command, clean, "--today", "26/11/2026")
    assert result.exit_code == 2
    assert "is not a date; use YYYY-MM-DD" in result.output
    assert not (clean / "Network").exists()


def test_bad_today_in_the_environment_is_exit_2(clean: Path) -> None:
    result = run("check", clean, env={"VAULTNET_TODAY": "tomorrow"})
    assert result.exit_code == 2


def test_missing_vault_is_exit_2(tmp_path: Path) -> None:
    result = run("check", tmp_path / "nope")
    assert result.exit_code == 2
    assert "vault folder not found" in result.stderr


def test_vault_argument_and_option_must_agree(clean: Path, tmp_path: Path) -> None:
    assert run("check", clean, "--vault", clean, *TODAY_ARGS).exit_code == 0
    result = run("check", clean, "--vault", tmp_path, *TODAY_ARGS)
    assert result.exit_code == 2


def test_vault_defaults_to_the_current_folder(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean / "vaultnet.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(clean)
    result = run("build", *TODAY_ARGS)
    assert result.exit_code == 0, result.output
    assert (clean / "Network" / "Index.md").is_file()


# --- init ----------------------------------------------------------------------------------------


def test_init_writes_config_and_template_and_never_overwrites(tmp_path: Path) -> None:
    root = tmp_path / "new vault"
    result = run("init", root)
    assert result.exit_code == 0, result.output
    config = root / "vaultnet.toml"
    template = root / ".vaultnet" / "templates" / "person.md.j2"
    assert config.is_file()
    assert template.is_file()
    assert result.output.count("wrote ") == 2
    assert "#" in config.read_text(encoding="utf-8")  # commented
    config.write_text("# mine\nhorizon_days = 10\n", encoding="utf-8")
    template.write_text("mine\n", encoding="utf-8")
    again = run("init", "--vault", root)
    assert again.exit_code == 0
    assert again.output.count("exists, left as it is") == 2
    assert config.read_text(encoding="utf-8") == "# mine\nhorizon_days = 10\n"
    assert template.read_text(encoding="utf-8") == "mine\n"


def test_init_then_build(tmp_path: Path, write: WriteNote, vault: Path) -> None:
    assert run("init", vault).exit_code == 0
    write("Ann.md", "---\ntier: champion\n---\n")
    result = run("check", vault, "--strict", *TODAY_ARGS)
    assert result.exit_code == 0, result.output
    assert run("build", vault, *TODAY_ARGS).exit_code == 0


def test_init_on_a_file_is_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "file.md"
    target.write_text("x", encoding="utf-8")
    result = run("init", target)
    assert result.exit_code == 2
    assert target.read_text(encoding="utf-8") == "x"


# --- build ---------------------------------------------------------------------------------------


def test_build_summary_then_nothing_to_write(clean: Path) -> None:
    first = run("build", clean, *TODAY_ARGS)
    assert first.exit_code == 0, first.output
    written = pages(clean)
    assert {"Index.md", "Follow-ups.md", "Digests/2026-W48.md", "Tiers/Champions.md"} <= set(
        written
    )
    assert first.stdout.startswith(
        f"6 people (1 archived) · pages: {len(written)} written, 0 unchanged, 0 removed · "
    )
    assert first.stderr == ""
    second = run("build", clean, *TODAY_ARGS)
    assert second.exit_code == 0
    assert f"pages: 0 written, {len(written)} unchanged, 0 removed" in second.stdout
    third = run("build", clean, "--no-cache", *TODAY_ARGS)
    assert f"pages: 0 written, {len(written)} unchanged, 0 removed" in third.stdout


def test_build_reports_removed_pages(clean: Path) -> None:
    run("build", clean, *TODAY_ARGS)
    stale = clean / "Network" / "Tiers" / "Gone.md"
    stale.write_text("---\ngenerated_by: vaultnet\n---\n", encoding="utf-8")
    result = run("build", clean, *TODAY_ARGS)
    assert "1 removed" in result.stdout
    assert not stale.exists()


def test_build_dry_run_writes_nothing(clean: Path) -> None:
    result = run("build", clean, "--dry-run", *TODAY_ARGS)
    assert result.exit_code == 0
    assert "would write" in result.stdout
    assert not (clean / "Network").exists()


def test_build_quiet_prints_errors_only(clean: Path, write: WriteNote) -> None:
    write("People/Warn.md", "---\ntier: legend\n---\n")
    write("People/Bad.md", "---\ntier: champion\nrole: a: b\n---\n")
    result = run("build", clean, "-q", *TODAY_ARGS)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "People/Bad.md:3: error:" in result.stderr
    assert "warning" not in result.stderr


def test_build_with_an_error_in_a_note_still_builds_the_rest(clean: Path, write: WriteNote) -> None:
    write("People/Bad.md", "---\ntier: champion\nrole: a: b\n---\n")
    result = run("build", clean, *TODAY_ARGS)
    assert result.exit_code == 0
    assert "1 error, 0 warnings" in result.stdout
    assert "People/Bad.md:3: error: YAML error" in result.stderr
    assert "[[Ann Lee" in (clean / "Network" / "Index.md").read_text(encoding="utf-8")
    assert run("build", clean, "--strict", *TODAY_ARGS).exit_code == 1


def test_build_refuses_an_unmarked_page(clean: Path) -> None:
    (clean / "Network").mkdir()
    mine = clean / "Network" / "Index.md"
    mine.write_text("mine\n", encoding="utf-8")
    result = run("build", clean, *TODAY_ARGS)
    assert result.exit_code == 1
    assert result.stderr.startswith("vaultnet: error: ")
    assert "Index.md" in result.stderr
    assert "Traceback" not in result.output
    assert mine.read_text(encoding="utf-8") == "mine\n"


def test_build_template_error_is_exit_1_naming_the_template(clean: Path) -> None:
    folder = clean / ".vaultnet" / "templates"
    folder.mkdir(parents=True)
    (folder / "index.md.j2").write_text("a\n{{ person.nmae }}\n", encoding="utf-8")
    result = run("build", clean, *TODAY_ARGS)
    assert result.exit_code == 1
    assert "index.md.j2:2:" in result.stderr


# --- check ---------------------------------------------------------------------------------------


def test_check_clean_is_exit_0(clean: Path) -> None:
    result = run("check", clean, *TODAY_ARGS)
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.stdout
    assert result.stderr == ""
    assert run("check", clean, "--strict", *TODAY_ARGS).exit_code == 0
    assert not (clean / "Network").exists()  # check writes nothing


def test_check_with_an_error_is_exit_1(clean: Path, write: WriteNote) -> None:
    write("People/Bad.md", "---\ntier: champion\nname: x\n")
    for _ in range(2):  # the second run may answer from the record of the first
        result = run("check", clean, *TODAY_ARGS)
        assert result.exit_code == 1
        assert "1 error, 0 warnings" in result.stdout
        assert result.stderr.splitlines() == [
            "People/Bad.md:1: error: malformed front matter: it opens with --- on line 1 but "
            "no --- line closes it"
        ]


def test_check_with_only_a_warning_is_exit_0_or_1_with_strict(
    clean: Path, write: WriteNote
) -> None:
    write("People/Warn.md", "---\ntier: legend\n---\n")
    assert run("check", clean, *TODAY_ARGS).exit_code == 0
    for _ in range(2):
        strict = run("check", clean, "--strict", *TODAY_ARGS)
        assert strict.exit_code == 1
        assert "People/Warn.md:2: warning: unknown tier 'legend'" in strict.stderr


def test_check_bad_config_is_exit_2_naming_the_key(clean: Path) -> None:
    (clean / "vaultnet.toml").write_text("horizon_days = 'soon'\n", encoding="utf-8")
    result = run("check", clean, *TODAY_ARGS)
    assert result.exit_code == 2
    assert "vaultnet.toml" in result.stderr
    assert "horizon_days" in result.stderr
    assert "an integer" in result.stderr


def test_unknown_config_key_is_a_warning(clean: Path) -> None:
    (clean / "vaultnet.toml").write_text("horizn_days = 3\n", encoding="utf-8")
    result = run("check", clean, *TODAY_ARGS)
    assert result.exit_code == 0
    assert "vaultnet.toml: warning: unknown key 'horizn_days'" in result.stderr
    assert "'horizon_days'" in result.stderr
    assert run("check", clean, "--strict", *TODAY_ARGS).exit_code == 1


def test_diagnostics_are_relative_to_the_vault_and_sorted(
    clean: Path, write: WriteNote, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write("People/Zed.md", "---\ntier: champion\nmet: someday\n---\n")
    write("People/Amy.md", "---\ntier: champion\nname: A\nname: B\n---\n")
    monkeypatch.chdir(tmp_path)
    result = run("check", "--vault", clean, *TODAY_ARGS)
    assert result.stderr.splitlines() == [
        "People/Amy.md:4: warning: duplicate key 'name' (first on line 3); the last value is used",
        "People/Zed.md:3: warning: met: 'someday' is not a date (write YYYY-MM-DD, or 5 Nov 2026); "
        "ignored",
    ]


def test_today_from_the_environment(clean: Path, write: WriteNote) -> None:
    write("People/Fi.md", "---\ntier: champion\nlast_contact: 2026-12-01\n---\n")
    assert run("check", clean, "--strict", env={"VAULTNET_TODAY": "2026-12-05"}).exit_code == 0
    # The option wins over the environment: on the 26th, 1 Dec is in the future.
    result = run("check", clean, "--strict", *TODAY_ARGS, env={"VAULTNET_TODAY": "2026-12-05"})
    assert result.exit_code == 1
    assert "after today" in result.stderr


# --- digest --------------------------------------------------------------------------------------


def digest_json(vault: Path, *extra: str, env: dict[str, str] | None = None) -> dict:
    result = run("digest", vault, "--format", "json", *extra, env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_digest_json_shape(clean: Path) -> None:
    data = digest_json(clean, *TODAY_ARGS)
    assert list(data)[: len(TOP_KEYS)] == TOP_KEYS
    assert data["today"] == "2026-11-26"
    assert data["people"] == 5
    assert data["tiers"] == {"champion": 2, "advocate": 2, "supporter": 1, "acquaintance": 0}
    for name in LISTS:
        for entry in data[name]:
            assert list(entry) == ENTRY_KEYS, name
    assert data["diagnostics"] == []


def test_digest_json_top_level_keys_are_exactly_the_spec(clean: Path) -> None:
    data = digest_json(clean, *TODAY_ARGS)
    # SPEC section 6's keys, then the insight lists under one key of their own, then the
    # open loops (entries of their own shape, docs/followups.md).
    assert list(data) == [*TOP_KEYS, "insights", "open_loops"]
    for name, value in data.items():
        if isinstance(value, list) and name not in ("diagnostics", "open_loops"):
            for entry in value:
                assert list(entry) == ENTRY_KEYS


def test_digest_json_values(clean: Path) -> None:
    data = digest_json(clean, *TODAY_ARGS)
    names = {name: [e["name"] for e in data[name]] for name in LISTS}
    assert names == {
        "overdue": ["Ann Lee"],
        "due_soon": ["Di"],
        "upcoming": [],
        "never_contacted": [],
        "dormant": [],
        "snoozed": ["Ed"],
        "birthdays": ["Ann Lee"],
    }
    [ann] = data["overdue"]
    assert ann == {
        "name": "Ann Lee",
        "path": "People/Ann Lee.md",
        "tier": "champion",
        "due": "2026-10-31",
        "days_overdue": 26,
        "last_contact": "2026-10-01",
        "cadence_days": 30,
    }
    [di] = data["due_soon"]
    assert (di["due"], di["days_overdue"], di["cadence_days"]) == ("2026-12-01", 0, 30)
    [birthday] = data["birthdays"]
    assert birthday["due"] == "2026-12-01"
    assert birthday["days_overdue"] == 0
    [ed] = data["snoozed"]
    assert (ed["due"], ed["last_contact"]) == (None, None)


def test_digest_json_never_contacted_and_later(clean: Path, write: WriteNote) -> None:
    write("People/New.md", "---\ntier: supporter\n---\n")
    data = digest_json(clean, *TODAY_ARGS)
    [new] = data["never_contacted"]
    assert new["due"] is None
    assert new["last_contact"] is None
    assert new["cadence_days"] == 90
    # Bob (supporter, 20 Nov + 90 days) is "later": in no list.
    assert all(e["name"] != "Bob" for name in LISTS for e in data[name])


def test_digest_json_month_cadence_counts_real_days(vault: Path, write: WriteNote) -> None:
    write("A.md", "---\ntier: champion\nlast_contact: 2026-01-31\ncadence: 1m\n---\n")
    write("B.md", "---\ntier: champion\nlast_contact: 2026-10-31\ncadence: 1m\n---\n")
    write("C.md", "---\ntier: champion\ncadence: 1m\n---\n")
    data = digest_json(vault, *TODAY_ARGS)
    days = {e["name"]: e["cadence_days"] for name in LISTS for e in data[name]}
    assert days == {"A": 28, "B": 30, "C": 30}


def test_digest_json_diagnostics(clean: Path, write: WriteNote) -> None:
    write("People/Bad.md", "---\ntier: champion\nrole: a: b\n---\n")
    data = digest_json(clean, *TODAY_ARGS)
    [diagnostic] = data["diagnostics"]
    assert list(diagnostic) == ["path", "line", "level", "message"]
    assert (diagnostic["path"], diagnostic["line"], diagnostic["level"]) == (
        "People/Bad.md",
        3,
        "error",
    )


def test_digest_json_is_the_same_from_the_cache(clean: Path) -> None:
    first = run("digest", clean, "--format", "json", *TODAY_ARGS).stdout
    second = run("digest", clean, "--format", "json", *TODAY_ARGS).stdout
    uncached = run("digest", clean, "--format", "json", "--no-cache", *TODAY_ARGS).stdout
    assert first == second == uncached


def test_digest_today_option_and_environment(clean: Path) -> None:
    later = digest_json(clean, "--today", "2026-12-10")
    from_env = digest_json(clean, env={"VAULTNET_TODAY": "2026-12-10"})
    assert later == from_env
    assert later["today"] == "2026-12-10"
    assert [e["name"] for e in later["overdue"]] == ["Ann Lee", "Di"]
    assert later["birthdays"] == []


def test_digest_markdown(clean: Path) -> None:
    result = run("digest", clean, *TODAY_ARGS)
    assert result.exit_code == 0
    assert result.stdout.startswith("# Follow-ups · Thursday 26 November 2026")
    assert "generated_by" not in result.stdout
    assert "[[Ann Lee]]" in result.stdout
    assert "26 days overdue" in result.stdout


def test_digest_text(clean: Path) -> None:
    result = run("digest", clean, "--format", "text", *TODAY_ARGS)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Follow-ups · Thursday 26 November 2026"
    assert "1 overdue · 1 due this week" in lines[2]
    assert any(
        line.startswith("  Ann Lee (champion; VP Engineering, Harbor Health): 26 days overdue")
        for line in lines
    )
    assert "[[" not in result.stdout


def test_digest_bad_format_is_exit_2(clean: Path) -> None:
    assert run("digest", clean, "--format", "html").exit_code == 2


def test_digest_strict_with_a_warning_is_exit_1(clean: Path, write: WriteNote) -> None:
    write("People/Warn.md", "---\ntier: legend\n---\n")
    assert run("digest", clean, *TODAY_ARGS).exit_code == 0
    assert run("digest", clean, "--strict", *TODAY_ARGS).exit_code == 1
    result = run("digest", clean, "--format", "json", "--strict", *TODAY_ARGS)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["diagnostics"][0]["level"] == "warning"


def test_the_program_flushes_everything_and_keeps_its_exit_codes(
    sample_vault: Path, tmp_path: Path
) -> None:
    # `vaultnet` ends with os._exit (no teardown): nothing printed may be lost on the way.
    import subprocess
    import sys

    def program(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vaultnet", *args], capture_output=True, text=True
        )

    digest = program("digest", "--format", "json", *TODAY_ARGS, str(sample_vault))
    assert digest.returncode == 0
    assert json.loads(digest.stdout) == json.loads(
        CliRunner()
        .invoke(main, ["digest", "--format", "json", *TODAY_ARGS, str(sample_vault)])
        .stdout
    )
    missing = program("build", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "vault folder not found" in missing.stderr
    (sample_vault / "People" / "Bad.md").write_text("---\ntier: [champion\n---\n")
    strict = program("check", "--strict", *TODAY_ARGS, str(sample_vault))
    assert strict.returncode == 1 and strict.stderr.startswith("People/Bad.md:3: error: YAML")


def test_digest_markdown_is_the_follow_ups_page_and_reports_template_errors(
    sample_vault: Path,
) -> None:
    assert run("build", sample_vault, *TODAY_ARGS).exit_code == 0
    page = (sample_vault / "Network" / "Follow-ups.md").read_text(encoding="utf-8")
    digest = run("digest", sample_vault, *TODAY_ARGS)
    assert digest.exit_code == 0
    assert page.endswith(digest.stdout) and page.split("---\n", 2)[2] == digest.stdout
    templates = sample_vault / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "followups.md.j2").write_text("{{ people | no_such_filter }}\n")
    broken = run("digest", sample_vault, *TODAY_ARGS)
    assert broken.exit_code == 1 and isinstance(broken.exception, SystemExit)  # no traceback
    assert ".vaultnet/templates/followups.md.j2:1: No filter named 'no_such_filter'" in (
        broken.stderr
    )


def test_json_output_is_json_with_one_line_per_entry() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from vaultnet.jsontext import json_text

    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    values = st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        ),
        max_leaves=20,
    )

    @given(values)
    @settings(max_examples=300)
    def round_trip(value: object) -> None:
        assert json.loads(json_text(value)) == value

    round_trip()
    text = json_text({"today": "2026-11-26", "overdue": [{"name": "Ann"}, {"name": "Bo"}], "x": []})
    assert text == (
        '{\n  "today": "2026-11-26",\n  "overdue": [\n    {"name": "Ann"},\n    {"name": "Bo"}\n'
        '  ],\n  "x": []\n}'
    )


def test_the_program_runs_its_command_with_the_cyclic_collector_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Turning the collector back on after a build made it look at everything the build
    made, just before the process ended (about 0.3 s at 10,000 people)."""
    import gc

    import vaultnet.cli.main as program

    seen: list[bool] = []

    class Group:
        def main(self, prog_name: str) -> None:
            seen.append(gc.isenabled())

    def leave(code: int) -> None:
        raise SystemExit(code)

    monkeypatch.setattr(program, "main", Group())
    monkeypatch.setattr(program.os, "_exit", leave)
    try:
        with pytest.raises(SystemExit) as ended:
            program.run()
    finally:
        gc.enable()
    assert seen == [False]
    assert ended.value.code == 0


def test_a_build_of_an_unchanged_vault_writes_nothing_until_a_note_a_page_or_the_day_changes(
    clean: Path, write: WriteNote
) -> None:
    """The build stops early from its record exactly when nothing it depends on changed,
    and says so as a build that wrote nothing; -q and --strict keep their meaning."""
    first = run("build", clean, *TODAY_ARGS)
    assert first.exit_code == 0 and "pages: 0 written" not in first.stdout

    def unchanged(*args: str, env: dict[str, str] | None = None) -> bool:
        result = run("build", clean, *args, env=env)
        assert result.exit_code == 0, result.output
        return "pages: 0 written" in result.stdout

    assert unchanged(*TODAY_ARGS)
    assert unchanged(env={"VAULTNET_TODAY": "2026-11-26"})  # the day from the environment
    quiet = run("build", "--vault", clean, "-q", "--strict", *TODAY_ARGS)
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    write("People/Bob.md", "---\ntier: supporter\nlast_contact: 2026-11-21\n---\n")
    assert not unchanged(*TODAY_ARGS)  # a note changed
    assert unchanged(*TODAY_ARGS)
    (clean / "Network" / "Index.md").unlink()
    assert not unchanged(*TODAY_ARGS)  # a page gone
    assert (clean / "Network" / "Index.md").exists()
    assert not unchanged("--today", "2026-11-27")  # another day
    write("People/Odd.md", "---\ntier: nobody-knows\n---\n")  # a warning, kept in the record
    assert run("build", clean, *TODAY_ARGS).exit_code == 0
    strict = run("build", clean, "--strict", *TODAY_ARGS)
    assert strict.exit_code == 1 and "pages: 0 written" in strict.stdout
    assert "People/Odd.md" in strict.stderr and "warning" in strict.stderr
