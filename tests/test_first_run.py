"""A first run that cannot go wrong: finding the vault, names, words, init, install."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import ROOT, WriteNote
from vaultnet.cli.main import main
from vaultnet.config import DEFAULT_TIERS, Capture, load_config
from vaultnet.pipeline.request import BuildRequest, Mode

TODAY_ARGS = ["--today", "2026-11-26"]
NOT_A_VAULT = "not inside a vault (no vaultnet.toml or .obsidian/ here or above)"
CONNECTIONS = (
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Ann,Lee,https://www.linkedin.com/in/annlee,,Harbor Health,VP,12 Mar 2024\n"
)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def person(tier: str = "champion", extra: str = "") -> str:
    return f"---\ntier: {tier}\n{extra}---\n"


@pytest.fixture
def marked(vault: Path, write: WriteNote) -> Path:
    """A vault with a vaultnet.toml and a few people."""
    write("vaultnet.toml", 'people_dirs = ["People"]\n')
    write("People/Ann Lee.md", person())
    write("People/Bob Marsh.md", person("supporter"))
    return vault


# --- 1. finding the vault ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["build"],
        ["check"],
        ["digest", "--format", "json"],
        ["export", "csv"],
        ["path", "Ann Lee"],
        ["log", "Ann Lee", "coffee"],
        ["add", "Zed"],
    ],
)
def test_a_folder_that_is_no_vault_is_refused_before_anything_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    (tmp_path / "Ann Lee.md").write_text(person(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run(*args, *TODAY_ARGS)
    assert result.exit_code == 2
    assert NOT_A_VAULT in result.stderr
    assert "run `vaultnet init`, or name the vault folder" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Ann Lee.md"]


def test_a_current_folder_that_is_gone_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    result = run("build", *TODAY_ARGS)
    assert result.exit_code == 2
    assert "cannot tell the current folder" in result.stderr


def test_import_in_an_empty_folder_plans_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "Connections.csv"
    export.write_text(CONNECTIONS, encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    result = run("import", "linkedin", export, "--dry-run", *TODAY_ARGS)
    assert result.exit_code == 2
    assert NOT_A_VAULT in result.stderr
    assert "Ann Lee" not in result.stdout
    assert list(empty.iterdir()) == []


@pytest.mark.parametrize("marker", ["vaultnet.toml", ".obsidian"])
def test_the_vault_is_found_above_the_current_folder(
    vault: Path, write: WriteNote, monkeypatch: pytest.MonkeyPatch, marker: str
) -> None:
    write("People/Ann Lee.md", person())
    if marker == ".obsidian":
        (vault / ".obsidian").mkdir()
    else:
        write(marker, "")
    monkeypatch.chdir(vault / "People")
    result = run("build", *TODAY_ARGS)
    assert result.exit_code == 0, result.output
    assert (vault / "Network" / "Index.md").is_file()
    assert not (vault / "People" / "Network").exists()
    assert not (vault / "People" / ".vaultnet").exists()


def test_a_named_folder_is_used_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "Ann Lee.md").write_text(person(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("build", "plain", *TODAY_ARGS).exit_code == 0
    assert (plain / "Network" / "Index.md").is_file()


def test_commands_with_arguments_take_the_vault_last(
    marked: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    exported = run("export", "csv", marked, *TODAY_ARGS)
    assert exported.exit_code == 0, exported.output
    assert "Ann Lee" in exported.stdout
    routes = run("path", "Ann Lee", marked, *TODAY_ARGS)
    assert routes.exit_code == 0, routes.output
    export = tmp_path / "Connections.csv"
    export.write_text(CONNECTIONS, encoding="utf-8")
    planned = run("import", "linkedin", export, marked, "--dry-run", *TODAY_ARGS)
    assert planned.exit_code == 0, planned.output
    assert "Ann Lee" in planned.stdout
    both = run("export", "json", marked, "--vault", tmp_path, *TODAY_ARGS)
    assert both.exit_code == 2


def _program(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("VAULTNET_TODAY", None)
    return subprocess.run(
        [sys.executable, "-m", "vaultnet", *args, *TODAY_ARGS],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_program_finds_the_vault_as_the_command_line_does(marked: Path, tmp_path: Path) -> None:
    first = _program(marked / "People", "build")
    assert first.returncode == 0, first.stderr
    again = _program(marked / "People", "build")  # nothing changed: it stops early
    assert again.returncode == 0, again.stderr
    assert "0 written" in again.stdout
    assert not (marked / "People" / "Network").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = _program(empty, "build")
    assert refused.returncode == 2
    assert NOT_A_VAULT in refused.stderr
    assert list(empty.iterdir()) == []


# --- 8. init: Obsidian and configuration traps ---------------------------------------------------


def test_init_takes_neither_today_nor_strict(tmp_path: Path) -> None:
    shown = run("init", "--help").output
    assert "--today" not in shown and "--strict" not in shown
    refused = run("init", tmp_path / "v", "--today", "2026-11-26")
    assert refused.exit_code == 2
    assert "No such option '--today'" in refused.output


@pytest.mark.parametrize(
    ("settings", "content", "placeholder"),
    [
        (".obsidian/templates.json", '{"folder": "Templates/"}', "# {{title}}"),
        (
            ".obsidian/plugins/templater-obsidian/data.json",
            '{"templates_folder": "Templates"}',
            "# <% tp.file.title %>",
        ),
    ],
)
def test_init_writes_an_obsidian_person_template_where_obsidian_looks(
    tmp_path: Path, settings: str, content: str, placeholder: str
) -> None:
    root = tmp_path / "notes"
    (root / settings).parent.mkdir(parents=True)
    (root / settings).write_text(content, encoding="utf-8")
    result = run("init", root)
    assert result.exit_code == 0, result.output
    template = root / "Templates" / "Person.md"
    assert f"wrote {template}" in result.output
    text = template.read_text(encoding="utf-8")
    assert text.startswith("---\ntier: acquaintance\n")
    assert placeholder in text
    # Obsidian's template folder is not read for people: the template is no person.
    (root / "People").mkdir()
    (root / "People" / "Ann Lee.md").write_text(person(), encoding="utf-8")
    checked = run("check", root, "--strict", *TODAY_ARGS)
    assert checked.exit_code == 0, checked.output
    assert "1 person," in checked.output
    # Never overwritten.
    template.write_text("mine\n", encoding="utf-8")
    again = run("init", root)
    assert f"exists, left as it is: {template}" in again.output
    assert template.read_text(encoding="utf-8") == "mine\n"


def test_init_without_obsidian_templates_writes_only_its_own(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    (root / ".obsidian").mkdir(parents=True)
    result = run("init", root)
    assert result.output.count("wrote ") == 2
    assert not (root / "Templates").exists()


def test_a_setting_appended_to_the_init_config_is_a_setting(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    assert run("init", root).exit_code == 0
    config = root / "vaultnet.toml"
    with config.open("a", encoding="utf-8") as handle:
        handle.write('output_dir = "CRM"\nmax_note_kb = 100\n')
    (root / "Ann Lee.md").write_text(person(), encoding="utf-8")
    result = run("build", root, "--strict", *TODAY_ARGS)
    assert result.exit_code == 0, result.output
    assert (root / "CRM" / "Index.md").is_file()


def test_the_init_config_uncommented_gives_the_defaults(vault: Path, write: WriteNote) -> None:
    template = (ROOT / "templates" / "vaultnet.toml").read_text(encoding="utf-8")
    settings = re.compile(r"^# (?=\w+ = |  \{|\])", re.MULTILINE)
    assert len(settings.findall(template)) == 21
    write("vaultnet.toml", settings.sub("", template) + "max_note_kb = 100\n")
    config = load_config(vault)
    assert config.warnings == ()
    assert config.tiers == DEFAULT_TIERS
    assert config.capture == Capture()
    assert (config.output_dir, config.horizon_days, config.max_note_kb) == ("Network", 30, 100)
    assert config.canvas_max_nodes == 200
    assert config.brief_days == 2


def test_a_setting_inside_a_tiers_table_is_explained(vault: Path, write: WriteNote) -> None:
    write(
        "vaultnet.toml",
        '[[tiers]]\nname = "champion"\ncadence = "30d"\n[[tiers]]\nname = "rest"\n'
        'output_dir = "CRM"\n',
    )
    result = run("check", vault, *TODAY_ARGS)
    assert (
        "vaultnet.toml: warning: unknown key 'output_dir' in [[tiers]] entry 2; ignored; keys "
        "after a [[tiers]] table belong to it in TOML: move 'output_dir' above the first "
        "[[tiers]]"
    ) in result.stderr


# --- 4. names need not be typed exactly ----------------------------------------------------------


@pytest.fixture
def named(marked: Path, write: WriteNote) -> Path:
    write("People/Zoë Okafor.md", person("advocate"))
    write("People/Katarzyna Nowak.md", person("advocate", "aliases: [Kasia]\n"))
    write("People/Ann Park.md", person("supporter"))
    return marked


@pytest.mark.parametrize(
    ("typed", "file"),
    [
        ("Bob", "Bob Marsh"),  # the only Bob
        ("bob marsh", "Bob Marsh"),
        ("Zoe Okafor", "Zoë Okafor"),  # accents ignored
        ("ZOË", "Zoë Okafor"),
        ("Kat", "Katarzyna Nowak"),  # the start of a name
        ("kasia", "Katarzyna Nowak"),  # an alias
        ("Okaf", "Zoë Okafor"),  # the start of a later word
        ("[[Ann Lee]]", "Ann Lee"),
    ],
)
def test_log_finds_a_person_loosely(named: Path, typed: str, file: str) -> None:
    result = run("log", typed, "coffee", "--vault", named, *TODAY_ARGS)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"logged in People/{file}.md\n"
    assert "- 2026-11-26 coffee" in (named / "People" / f"{file}.md").read_text(encoding="utf-8")


def test_tier_snooze_and_path_find_people_alike(named: Path) -> None:
    moved = run("tier", "bob", "advocate", "--vault", named, *TODAY_ARGS)
    assert moved.stdout == "moved in People/Bob Marsh.md\n"
    snoozed = run("snooze", "zoe", "3w", "--vault", named, *TODAY_ARGS)
    assert snoozed.exit_code == 0, snoozed.output
    assert "snooze_until: 2026-12-17" in (named / "People" / "Zoë Okafor.md").read_text("utf-8")
    routes = run("path", "zoe okafor", named, "--json", *TODAY_ARGS)
    assert routes.exit_code == 0, routes.output
    assert '"name": "Zoë Okafor"' in routes.stdout


def test_a_name_that_fits_several_people_lists_them(named: Path) -> None:
    result = run("log", "Ann", "coffee", "--vault", named, *TODAY_ARGS)
    assert result.exit_code == 2
    assert "'Ann' matches 2 people: People/Ann Lee.md, People/Ann Park.md" in result.stderr
    routes = run("path", "ann", named, *TODAY_ARGS)
    assert routes.exit_code == 2
    assert "did you mean Ann Lee, Ann Park?" in routes.stderr


def test_did_you_mean_ignores_case(named: Path) -> None:
    lower = run("log", "bobby marsh", "x", "--vault", named, *TODAY_ARGS)
    upper = run("log", "Bobby Marsh", "x", "--vault", named, *TODAY_ARGS)
    assert lower.exit_code == upper.exit_code == 2
    assert "did you mean 'Bob Marsh'?" in lower.stderr
    assert lower.stderr.replace("bobby marsh", "Bobby Marsh") == upper.stderr


def test_add_still_refuses_only_the_same_name(named: Path) -> None:
    added = run("add", "Bo", "--vault", named, *TODAY_ARGS)  # not Bob Marsh: a new person
    assert added.exit_code == 0, added.output
    again = run("add", "zoe okafor", "--vault", named, *TODAY_ARGS)
    assert again.exit_code == 2
    assert "already exists: People/Zoë Okafor.md" in again.stderr


# --- 5. words that say what happened -------------------------------------------------------------


def test_a_note_with_broken_yaml_is_named_with_its_error(marked: Path, write: WriteNote) -> None:
    write("People/Broken Person.md", "---\ntier: champion\nrole: [unclosed\n---\n")
    result = run("log", "Broken Person", "coffee", "--vault", marked, *TODAY_ARGS)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith("vaultnet: error: People/Broken Person.md:"), message
    assert "the note for 'Broken Person' cannot be read:" in message
    assert "no person matches" not in message


@pytest.mark.parametrize("until", ["2026-01-01", "2026-11-26"])
def test_snooze_refuses_a_date_that_is_not_after_today(marked: Path, until: str) -> None:
    note = marked / "People" / "Bob Marsh.md"
    before = note.read_bytes()
    result = run("snooze", "Bob Marsh", until, "--vault", marked, *TODAY_ARGS)
    assert result.exit_code == 2
    assert f"{until} is not after today (2026-11-26)" in result.stderr
    assert "snoozed" not in result.stdout
    assert note.read_bytes() == before


def test_a_log_entry_after_today_says_it_is_a_plan(marked: Path) -> None:
    result = run("log", "Bob", "dinner", "--date", "2027-05-01", "--vault", marked, *TODAY_ARGS)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "logged in People/Bob Marsh.md\nplanned for 2027-05-01; next follow-up due then\n"
    )
    exported = json.loads(run("export", "json", marked, *TODAY_ARGS).stdout)
    [bob] = [p for p in exported["people"] if p["name"] == "Bob Marsh"]
    assert bob["follow_up"]["due"] == "2027-05-01"
    today = run("log", "Bob", "coffee", "--vault", marked, *TODAY_ARGS)
    assert "planned" not in today.output


def test_check_warns_of_two_notes_for_one_person(marked: Path, write: WriteNote) -> None:
    write("Work/Ann Lee.md", person("advocate"))
    write("People/Sam Ortiz.md", person("advocate", "aliases: [Sam]\n"))
    write("People/Samuel Berg.md", person("advocate", "aliases: [sam]\n"))
    write("People/Cy.md", person("advocate", "email: Cy@Example.com\n"))
    write("People/Cyrus.md", person("advocate", "email: cy@example.com\n"))
    write("People/Di.md", person("advocate", "linkedin: https://www.linkedin.com/in/di-x/\n"))
    write("People/Diana.md", person("advocate", "linkedin: http://linkedin.com/in/Di-X\n"))
    write("vaultnet.toml", 'people_dirs = ["People", "Work"]\n')
    result = run("check", marked, *TODAY_ARGS)
    lines = [line for line in result.stderr.splitlines() if "same person twice" in line]
    assert lines == [
        "People/Cyrus.md:3: warning: same email as People/Cy.md ('cy@example.com'): "
        "the same person twice? merge the notes, or tell them apart",
        "People/Diana.md:3: warning: same LinkedIn profile as People/Di.md "
        "('http://linkedin.com/in/Di-X'): the same person twice? merge the notes, or tell "
        "them apart",
        "People/Samuel Berg.md:3: warning: same alias as People/Sam Ortiz.md ('sam'): "
        "the same person twice? merge the notes, or tell them apart",
        "Work/Ann Lee.md: warning: same name as People/Ann Lee.md ('Ann Lee'): "
        "the same person twice? merge the notes, or tell them apart",
    ]
    assert result.exit_code == 0
    assert run("check", marked, "--strict", *TODAY_ARGS).exit_code == 1


def test_add_warns_of_an_unknown_introducer_and_a_bad_email(marked: Path) -> None:
    result = run(
        "add",
        "Zed",
        "--introduced-by",
        "Nobody Known",
        "--email",
        "not-an-email",
        "--vault",
        marked,
        *TODAY_ARGS,
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "People/Zed.md: warning: email 'not-an-email' is not an email address; written as given",
        "People/Zed.md: warning: introduced_by 'Nobody Known' matches no person in the vault; "
        "written as text (add them, then make it a [[link]])",
    ]
    known = run(
        "add",
        "Yu",
        "--introduced-by",
        "bob",
        "--email",
        "yu@example.com",
        "--vault",
        marked,
        *TODAY_ARGS,
    )
    assert known.stderr == ""
    assert 'introduced_by: "[[Bob Marsh]]"' in (marked / "People" / "Yu.md").read_text("utf-8")


def test_import_warns_of_a_bad_email_in_the_same_words(marked: Path, tmp_path: Path) -> None:
    export = tmp_path / "Connections.csv"
    export.write_text(CONNECTIONS.replace("annlee,,", "annlee,not-an-email,"), encoding="utf-8")
    result = run("import", "linkedin", export, marked, "--dry-run", *TODAY_ARGS)
    assert "'not-an-email' is not an email address; left out" in result.stderr


def test_a_watchers_rebuild_sees_a_new_duplicate_and_its_end(
    marked: Path, write: WriteNote
) -> None:
    from vaultnet.pipeline.build import Builder
    from vaultnet.state.cache import NoteCache

    write("People/Cy.md", person("advocate", "email: cy@example.com\n"))
    cyrus = write("People/Cyrus.md", person("advocate"))
    builder = Builder(load_config(marked), NoteCache.in_memory())
    today = dt.date(2026, 11, 26)

    def duplicates(changed: list[str]) -> list[str]:
        result = builder.build(BuildRequest(today, Mode.MODEL, changed=tuple(changed)))
        return [d.path for d in result.diagnostics if "same person twice" in d.message]

    assert duplicates([]) == []
    cyrus.write_text(person("advocate", "email: CY@example.com\n"), encoding="utf-8")
    assert duplicates(["People/Cyrus.md"]) == ["People/Cyrus.md"]
    write("People/Bob Marsh.md", person("champion"))  # nothing about identity changed
    assert duplicates(["People/Bob Marsh.md"]) == ["People/Cyrus.md"]
    cyrus.write_text(person("advocate", "email: cyrus@example.com\n"), encoding="utf-8")
    assert duplicates(["People/Cyrus.md"]) == []


# --- 9. install -----------------------------------------------------------------------------------


def test_the_mit_license_is_there() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "MIT"' in pyproject
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 vaultnet developers\n")
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_the_reference_script_answers_help_and_writes_nothing() -> None:
    doc = ROOT / "docs" / "commands.md"
    before = doc.read_bytes(), doc.stat().st_mtime_ns
    shown = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cli_reference.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert shown.returncode == 0
    assert shown.stdout.startswith("usage: python scripts/cli_reference.py [-h] [--check]")
    assert "--check" in shown.stdout and "wrote" not in shown.stdout
    assert (doc.read_bytes(), doc.stat().st_mtime_ns) == before
