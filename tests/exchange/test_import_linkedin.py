"""vaultnet import linkedin: LinkedIn's Connections.csv, old and new, into person notes."""

from __future__ import annotations

import datetime as dt
import locale
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import WriteNote
from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.exchange.imports import (
    ImportFileError,
    apply_import,
    clean_text,
    parse_linkedin,
    plan_import,
    read_linkedin,
)
from vaultnet.exchange.imports.linkedin import parse_connected_on
from vaultnet.names import safe_filename
from vaultnet.source.notes import Note, parse_note

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
EXPECTED = FIXTURES / "expected"
TODAY = "2026-11-26"
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"

BOB = """\
---
tier: champion   # since the intro
company: "[[Acme Robotics]]"
role: Staff Engineer
email: bob@old.example
tags:
  - person
---
# Bob Marsh

Met at a meetup. **My own words** stay exactly as they are.

## Log
- 2026-10-01 coffee: talked about the reorg
"""


@pytest.fixture(autouse=True)
def notes_in_the_root(vault: Path) -> None:
    """New notes where these tests look for them: the vault's root (by default they go to
    People/, which test_people_folder_is_the_default_for_new_notes checks)."""
    (vault / "vaultnet.toml").write_text('people_folder = "."\n', encoding="utf-8")


def run(vault: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--vault", str(vault), "--today", TODAY])
    return result.exit_code, result.stdout, result.stderr


def snapshot(vault: Path) -> dict[str, bytes]:
    """Every file of the vault but vaultnet's own folder, by path."""
    return {
        p.relative_to(vault).as_posix(): p.read_bytes()
        for p in sorted(vault.rglob("*"))
        if p.is_file() and ".vaultnet" not in p.parts and p.name != "vaultnet.toml"
    }


def notes(vault: Path) -> dict[str, Note]:
    found = {}
    for path, data in snapshot(vault).items():
        note = parse_note(path, data)
        assert isinstance(note, Note), path
        found[path] = note
    return found


# --- reading the file --------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture",
    [
        "linkedin-2024.csv",  # BOM, CRLF, three-line Notes: preamble
        "linkedin-no-preamble.csv",
        "linkedin-notes-line.csv",  # a single Notes: line, LF endings
        "linkedin-notes-quoted.csv",  # "Notes:"
    ],
)
def test_the_header_is_found_whatever_comes_before_it(fixture: str) -> None:
    imported = read_linkedin(FIXTURES / fixture)
    names = [c.name for c in imported.contacts]
    assert names[:3] == ["Ann Lee", "Bob Marsh", "Chloé Martin"]
    assert not imported.by_company


def test_bom_and_crlf_do_not_leak_into_the_first_column() -> None:
    data = (FIXTURES / "linkedin-2024.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfNotes:\r\n")
    ann = read_linkedin(FIXTURES / "linkedin-2024.csv").contacts[0]
    assert ann.name == "Ann Lee"  # not "\ufeffAnn" nor "Ann Lee\r"
    assert ann.connected == dt.date(2024, 3, 12)


def test_quoted_fields_keep_their_commas_and_quotes() -> None:
    ann = read_linkedin(FIXTURES / "linkedin-2024.csv").contacts[0]
    assert ann.company == "Stripe, Inc."
    assert ann.role == 'Senior Engineer "Platform"'
    assert ann.emails[0].value == "ann.lee@harbor.example"


def test_blank_and_url_only_rows_are_skipped_and_counted() -> None:
    imported = read_linkedin(FIXTURES / "linkedin-2024.csv")
    assert [(s.line, s.reason) for s in imported.skipped] == [
        (8, "blank row"),
        (9, "no name (only a profile URL)"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 Mar 2024", dt.date(2024, 3, 12)),
        ("7 Feb 2022", dt.date(2022, 2, 7)),
        ("07 Feb 2022", dt.date(2022, 2, 7)),
        ("7-Feb-22", dt.date(2022, 2, 7)),
        ("1 Sept 2023", dt.date(2023, 9, 1)),
        ("31 december 2021", dt.date(2021, 12, 31)),
        ("Mar 12, 2024", dt.date(2024, 3, 12)),
        ("2024-03-12", dt.date(2024, 3, 12)),
        ("", None),
        ("30 Feb 2024", None),
        ("12 Mär 2024", None),
        ("sometime in 2020", None),
    ],
)
def test_connected_on_dates(text: str, expected: dt.date | None) -> None:
    assert parse_connected_on(text) == expected


@pytest.fixture
def foreign_time_locale() -> Iterator[str]:
    """A non-English LC_TIME, where strptime's %b would not know "Mar"."""
    saved = locale.setlocale(locale.LC_TIME)
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "tr_TR.UTF-8", "de_DE", "fr_FR"):
        try:
            locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        try:
            yield name
        finally:
            locale.setlocale(locale.LC_TIME, saved)
        return
    pytest.skip("no non-English locale installed")


def test_connected_on_does_not_depend_on_the_locale(foreign_time_locale: str) -> None:
    assert parse_connected_on("12 Mar 2024") == dt.date(2024, 3, 12)
    assert parse_connected_on("7-Dec-22") == dt.date(2022, 12, 7)


def test_empty_and_unparseable_dates_are_flagged() -> None:
    imported = read_linkedin(FIXTURES / "linkedin-2024.csv")
    messages = [str(d) for d in imported.diagnostics]
    assert messages == [
        f"{FIXTURES / 'linkedin-2024.csv'}:11: warning: Dev Patel: no Connected On date; "
        "connected is left empty",
        f"{FIXTURES / 'linkedin-2024.csv'}:12: warning: Eli Cohen: Connected On "
        "'sometime in 2020' is not a date; connected is left empty",
    ]


def test_a_csv_that_is_not_a_linkedin_export_is_refused() -> None:
    with pytest.raises(ImportFileError) as caught:
        read_linkedin(FIXTURES / "not-linkedin.csv", "bank.csv")
    message = str(caught.value)
    assert "not a LinkedIn Connections export" in message
    assert "First Name, Last Name, URL, Email Address, Company, Position, Connected On" in message
    assert "'Date,Description,Amount'" in message


def test_a_binary_file_is_refused() -> None:
    with pytest.raises(ImportFileError):
        parse_linkedin(b"\x00\x01\x02\xff\xfe\x00\x81\x8d\x8f\x90\x9d", "x.csv")


def test_rows_with_too_few_cells_read_as_empty() -> None:
    imported = parse_linkedin((HEADER + "Ann,Lee\r\n").encode(), "x.csv")
    assert imported.contacts[0].name == "Ann Lee"
    assert imported.contacts[0].linkedin is None


def test_a_cp1252_spreadsheet_save_is_read() -> None:
    data = (HEADER + "Chlo\xe9,Martin,,,Caf\xe9 Noir,Owner,1 Jan 2024\r\n").encode("cp1252")
    contact = parse_linkedin(data, "x.csv").contacts[0]
    assert (contact.name, contact.company) == ("Chloé Martin", "Café Noir")


def test_a_url_that_is_not_a_linkedin_profile_is_left_out() -> None:
    data = HEADER + "Ann,Lee,javascript:alert(1),,,,1 Jan 2024\r\n"
    imported = parse_linkedin(data.encode(), "x.csv")
    assert imported.contacts[0].linkedin is None
    assert "is not a LinkedIn profile URL" in imported.diagnostics[0].message


# --- text made safe ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ('`$= dv.el("p","x")`', '$= dv.el("p","x")'),
        ("`= this.file.name`", "= this.file.name"),
        ("<%* await app.vault.delete(f) %>", "<* await app.vault.delete(f) >"),
        ("<%%>x", "<>x"),
        ("[[Evil]] and [[[x]]]", "[Evil] and [x]"),
        ("a\r\n---\r\ntier: champion", "a --- tier: champion"),
        ("<iframe src=https://x>", "< iframe src=https://x>"),
        ("![](https://tracker.example/p.gif)", "! [](https://tracker.example/p.gif)"),
        ("Mallory\u202egnp.exe", "Mallorygnp.exe"),
        ("Family 👨\u200d👩\u200d👧", "Family 👨\u200d👩\u200d👧"),
        ("  many   spaces\tand\u00a0tabs ", "many spaces and tabs"),
    ],
)
def test_clean_text_neutralises_what_plugins_would_run(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert clean_text(clean) == clean  # cleaning twice changes nothing: re-imports match


def test_names_lose_the_pipe_that_would_split_a_link() -> None:
    assert clean_text("[[Evil]] | x", name=True) == "[Evil] - x"


# --- importing into a vault --------------------------------------------------------------


@pytest.fixture
def bob(write: WriteNote) -> Path:
    return write("People/Bob Marsh.md", BOB)


def test_first_import_creates_notes_from_the_template(vault: Path) -> None:
    code, out, err = run(vault, "import", "linkedin", str(FIXTURES / "linkedin-2024.csv"))
    assert code == 0, err
    assert out.splitlines()[-1] == "5 new, 0 updated, 0 unchanged, 2 skipped"
    assert "Dev Patel: no Connected On date" in err
    created = sorted(snapshot(vault))
    assert created == [
        "Ann Lee.md",
        "Bob Marsh.md",
        "Chloé Martin.md",
        "Dev Patel.md",
        "Eli Cohen.md",
    ]
    # Golden: the template's text, then the fields in a fixed order.
    expected = (EXPECTED / "linkedin-new-Ann Lee.md").read_bytes()
    assert (vault / "Ann Lee.md").read_bytes() == expected
    dev = notes(vault)["Dev Patel.md"]
    assert dev.linkedin == "https://www.linkedin.com/in/devpatel"  # tracking query dropped
    assert dev.connected is None


def test_the_same_person_twice_in_a_file_gives_one_note(vault: Path) -> None:
    # Rows 1 and 6 differ by case and a trailing slash of the profile URL.
    run(vault, "import", "linkedin", str(FIXTURES / "linkedin-2024.csv"))
    people = [n for n in notes(vault).values() if (n.name or n.stem).casefold() == "ann lee"]
    assert len(people) == 1


def test_reimporting_the_same_file_changes_nothing(vault: Path, bob: Path) -> None:
    code, _, err = run(vault, "import", "linkedin", str(FIXTURES / "linkedin-2024.csv"))
    assert code == 0, err
    before = snapshot(vault)
    code, out, _ = run(vault, "import", "linkedin", str(FIXTURES / "linkedin-2024.csv"))
    assert code == 0
    assert out.splitlines()[-1] == "0 new, 0 updated, 5 unchanged, 2 skipped"
    assert snapshot(vault) == before


def test_a_known_person_who_moved_gets_history_and_a_log_line(vault: Path, bob: Path) -> None:
    body_before = bob.read_text().split("---\n", 2)[2]
    code, out, err = run(vault, "import", "linkedin", str(FIXTURES / "linkedin-2024.csv"))
    assert code == 0, err
    assert (
        "updated    People/Bob Marsh.md (linkedin: https://www.linkedin.com/in/bobmarsh; "
        "connected: 2022-02-07; connected_via: LinkedIn; moved: [[Acme Robotics]] → Initech "
        "(Staff Engineer → "
        "Engineering Manager), from LinkedIn)"
    ) in out.splitlines()
    after = bob.read_text()
    assert after == (EXPECTED / "linkedin-moved-Bob Marsh.md").read_text()
    # The body is untouched but for the log line; the email the user wrote stays.
    assert after.split("---\n", 2)[2] == body_before + (
        "- 2026-11-26 moved: [[Acme Robotics]] → Initech (Staff Engineer → Engineering "
        "Manager), from LinkedIn\n"
    )
    note = notes(vault)["People/Bob Marsh.md"]
    assert note.email == ("bob@old.example",)
    assert note.history[-1].company == "[[Acme Robotics]]"
    assert note.history[-1].end == dt.date(2026, 11, 26)


def test_a_role_change_at_the_same_company_is_a_move_too(vault: Path, write: WriteNote) -> None:
    write("Bob Marsh.md", BOB.replace('"[[Acme Robotics]]"', "Initech, Inc."))
    run(vault, "import", "linkedin", str(FIXTURES / "linkedin-no-preamble.csv"))
    note = notes(vault)["Bob Marsh.md"]
    assert note.company == "Initech, Inc."  # the same company, however spelled: kept
    assert note.role == "Engineering Manager"
    assert note.log[-1].text == (
        "Staff Engineer → Engineering Manager at Initech, Inc., from LinkedIn"
    )


def test_a_newer_export_updates_positions_in_notes_made_by_an_older_one(vault: Path) -> None:
    old = HEADER + "Ann,Lee,https://www.linkedin.com/in/ann-lee-4b2a1,,Harbor,VP,1 Jan 2020\r\n"
    export = vault.parent / "old.csv"
    export.write_text(old, encoding="utf-8")
    run(vault, "import", "linkedin", str(export))
    user_text = "\nShe prefers calls to email.\n"
    with (vault / "Ann Lee.md").open("a", encoding="utf-8") as handle:
        handle.write(user_text)
    code, _out, _ = run(vault, "import", "linkedin", str(FIXTURES / "linkedin-no-preamble.csv"))
    assert code == 0
    ann = notes(vault)["Ann Lee.md"]
    assert (ann.company, ann.role) == ("Stripe, Inc.", 'Senior Engineer "Platform"')
    assert ann.connected == dt.date(2020, 1, 1)  # filled once, never overwritten
    assert ann.history[-1][:2] == ("Harbor", "VP")
    assert user_text in (vault / "Ann Lee.md").read_text()


def test_dry_run_prints_the_plan_and_writes_nothing(vault: Path, bob: Path) -> None:
    run(vault, "import", "linkedin", str(FIXTURES / "linkedin-no-preamble.csv"))
    (vault / "Ann Lee.md").unlink()
    before = snapshot(vault)
    code, out, _ = run(
        vault, "import", "linkedin", str(FIXTURES / "linkedin-2024.csv"), "--dry-run"
    )
    assert code == 0
    assert snapshot(vault) == before
    lines = out.splitlines()
    assert lines[0].startswith("new        Ann Lee.md (company: Stripe, Inc.; ")
    assert lines[1] == "unchanged  People/Bob Marsh.md"
    assert any(line.startswith("new        Dev Patel.md") for line in lines)
    assert f"skipped    {FIXTURES / 'linkedin-2024.csv'}:8: blank row" in lines
    assert lines[-1] == "dry run: 3 new, 0 updated, 2 unchanged, 2 skipped; nothing written"


def test_a_namesake_with_another_profile_is_a_new_person(vault: Path, write: WriteNote) -> None:
    write("Ann Lee.md", "---\ntier: supporter\nlinkedin: linkedin.com/in/another-ann\n---\n")
    run(vault, "import", "linkedin", str(FIXTURES / "linkedin-no-preamble.csv"))
    ann2 = notes(vault)["Ann Lee 2.md"]
    assert ann2.name == "Ann Lee"
    assert ann2.company == "Stripe, Inc."
    assert notes(vault)["Ann Lee.md"].company is None


def test_a_name_matching_two_notes_is_skipped_with_the_reason(
    vault: Path, write: WriteNote
) -> None:
    write("a/Bob Marsh.md", "---\ntier: supporter\n---\n")
    write("b/Bob M.md", "---\ntier: supporter\naliases: [Bob Marsh]\n---\n")
    code, out, _ = run(vault, "import", "linkedin", str(FIXTURES / "linkedin-no-preamble.csv"))
    assert code == 0
    assert (
        f"skipped    {FIXTURES / 'linkedin-no-preamble.csv'}:3: its name matches several notes "
        "(a/Bob Marsh.md, b/Bob M.md); make them distinct, then import again"
    ) in out.splitlines()


def test_email_and_alias_match_before_a_new_note(vault: Path, write: WriteNote) -> None:
    write("People/Annie.md", "---\ntier: advocate\nemail: [x@y.z, ANN.LEE@harbor.example]\n---\n")
    write("People/Chlo.md", "---\ntier: advocate\naliases: [chloé martin]\n---\n")
    run(vault, "import", "linkedin", str(FIXTURES / "linkedin-no-preamble.csv"))
    found = notes(vault)
    assert found["People/Annie.md"].company == "Stripe, Inc."
    assert found["People/Chlo.md"].company == "Northwind Logistics"
    assert "Ann Lee.md" not in found and "Chloé Martin.md" not in found


def test_old_export_without_urls_matches_by_name_and_company(vault: Path, write: WriteNote) -> None:
    write("Ann Lee.md", "---\ntier: champion\ncompany: Harbor Health\n---\n")
    write("Fay Wong.md", "---\ntier: champion\ncompany: '[[Umbrella]]'\n---\n")
    code, _out, err = run(vault, "import", "linkedin", str(FIXTURES / "linkedin-old.csv"))
    assert code == 0
    assert "no URL column (an older LinkedIn export)" in err
    found = notes(vault)
    assert found["Ann Lee 2.md"].company == "Stripe"  # another company: another Ann Lee
    assert found["Ann Lee.md"].company == "Harbor Health"
    assert found["Fay Wong.md"].connected == dt.date(2017, 9, 3)  # same name and company
    assert "Fay Wong 2.md" not in found


def test_tier_and_dir_options(vault: Path) -> None:
    code, _, _ = run(
        vault,
        "import",
        "linkedin",
        str(FIXTURES / "linkedin-no-preamble.csv"),
        "--tier",
        "Supporters",
        "--dir",
        "People/LinkedIn",
    )
    assert code == 0
    found = notes(vault)
    assert found["People/LinkedIn/Ann Lee.md"].tier == "supporter"
    code, _, err = run(
        vault, "import", "linkedin", str(FIXTURES / "linkedin-no-preamble.csv"), "--tier", "x"
    )
    assert code == 2 and "unknown tier 'x'" in err
    code, _, err = run(
        vault, "import", "linkedin", str(FIXTURES / "linkedin-no-preamble.csv"), "--dir", ".."
    )
    assert code == 2 and "inside the vault" in err


def test_hostile_names_give_safe_unique_notes_that_run_nothing(vault: Path) -> None:
    code, out, err = run(vault, "import", "linkedin", str(FIXTURES / "linkedin-hostile.csv"))
    assert code == 0, err
    found = notes(vault)
    files = sorted(found)
    assert len(files) == 8
    for path in files:
        assert "/" not in path  # no folder came from a name
        stem = path[:-3]
        assert stem == safe_filename(stem)
        assert len(path.encode()) <= 124
        text = (vault / path).read_text(encoding="utf-8")
        assert "`" not in text and "<%" not in text and "%>" not in text
        assert "[[" not in text and "\u202e" not in text
        assert text.count("\n---\n") == 1  # one front matter block, nothing forged
    evil = found["Evil - x.md"]
    assert evil.name == "[Evil] - x"
    assert evil.company == '$= dv.el("p","x")'
    assert evil.role is not None and evil.role.startswith("<* await")
    assert found["CON_.md"].name == "CON"
    assert found["etc passwd.md"].name == "../etc passwd"
    assert found["A B.md"].name == "A/B"
    assert found["Zoë 🦊 Okafor.md"].name is None  # the file name is the name
    assert found["Mallorygnp.exe.md"].tier == "acquaintance"
    assert found["Multi Line ---.md"].company == "--- tier: champion"
    long = next(n for p, n in found.items() if p.startswith("Maximilian"))
    assert long.name is not None and len(long.name) > 250
    # Linkable: a link by file name finds each note, and re-importing changes nothing.
    before = snapshot(vault)
    code, out, _ = run(vault, "import", "linkedin", str(FIXTURES / "linkedin-hostile.csv"))
    assert out.splitlines()[-1] == "0 new, 0 updated, 8 unchanged, 0 skipped"
    assert snapshot(vault) == before


def test_a_non_linkedin_csv_exits_2_with_what_was_expected(vault: Path) -> None:
    code, _out, err = run(vault, "import", "linkedin", str(FIXTURES / "not-linkedin.csv"))
    assert code == 2
    assert "not a LinkedIn Connections export: expected a header row" in err
    assert snapshot(vault) == {}


def test_a_missing_file_exits_2(vault: Path) -> None:
    code, _, err = run(vault, "import", "linkedin", str(vault / "nope.csv"))
    assert code == 2
    assert "does not exist" in err


def test_a_note_the_editor_refuses_is_reported_and_the_rest_imported(
    vault: Path, write: WriteNote
) -> None:
    write("Bob Marsh.md", "---\ntier: champion\ncompany: Acme\n? complex\n: key\n---\n")
    code, out, err = run(vault, "import", "linkedin", str(FIXTURES / "linkedin-no-preamble.csv"))
    assert code == 1
    assert "Bob Marsh.md" in err and "not imported" in err
    assert out.splitlines()[-1] == "2 new, 1 updated, 0 unchanged, 0 skipped, 1 failed"
    assert (vault / "Ann Lee.md").exists()


def test_strict_fails_on_file_warnings(vault: Path) -> None:
    code, _, _ = run(vault, "import", "linkedin", str(FIXTURES / "linkedin-2024.csv"), "--strict")
    assert code == 1


def test_library_use_without_the_cli(vault: Path) -> None:
    config = load_config(vault)
    imported = read_linkedin(FIXTURES / "linkedin-no-preamble.csv")
    plan = plan_import(config, imported, today=dt.date(2026, 11, 26))
    assert plan.summary() == "3 new, 0 updated, 0 unchanged, 0 skipped"
    progress: list[int] = []
    result = apply_import(config, plan, progress=progress.append)
    assert result.written == ["Ann Lee.md", "Bob Marsh.md", "Chloé Martin.md"]
    assert progress == [1, 1, 1]


def test_a_long_file_imports_quickly(vault: Path, tmp_path: Path) -> None:
    rows = "".join(
        f"First{i},Last{i},https://www.linkedin.com/in/p{i},,Co{i % 7},Role,1 Jan 2024\r\n"
        for i in range(150)
    )
    export = tmp_path / "big.csv"
    export.write_text(HEADER + rows, encoding="utf-8")
    code, out, _ = run(vault, "import", "linkedin", str(export))
    assert code == 0
    assert out.splitlines()[-1] == "150 new, 0 updated, 0 unchanged, 0 skipped"


@pytest.mark.skipif(os.name == "nt", reason="POSIX file names")
def test_an_icloud_placeholder_is_not_overwritten(vault: Path) -> None:
    (vault / ".Ann Lee.md.icloud").write_bytes(b"placeholder")
    run(vault, "import", "linkedin", str(FIXTURES / "linkedin-no-preamble.csv"))
    assert (vault / "Ann Lee 2.md").exists()
    assert not (vault / "Ann Lee.md").exists()


def test_fixtures_are_byte_exact() -> None:
    # A checkout that converted line endings would make the BOM/CRLF tests meaningless.
    assert b"\r\n" in (FIXTURES / "linkedin-2024.csv").read_bytes()
    assert b"\r\n" not in (FIXTURES / "linkedin-notes-line.csv").read_bytes()


def test_a_note_that_cannot_be_written_is_never_left_empty(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New notes go through the note creator: a full disk midway leaves no note at all."""
    from vaultnet.edit import files

    real = files._write_temp
    writes = 0

    def disk_fills_up(temp: Path, data: bytes, mode: int) -> None:
        nonlocal writes
        writes += 1
        if writes == 2:
            temp.write_bytes(data[: len(data) // 2])  # part of it made it to the disk
            raise OSError(28, "No space left on device")
        real(temp, data, mode)

    monkeypatch.setattr(files, "_write_temp", disk_fills_up)
    export = tmp_path / "two.csv"
    export.write_text(HEADER + "Ann,Lee,,,,,1 Jan 2024\r\nCy,Park,,,,,1 Jan 2024\r\n")
    code, _, err = run(vault, "import", "linkedin", str(export))
    assert code == 1
    assert "Cy Park.md: error: not imported: not created: No space left on device" in err
    assert (vault / "Ann Lee.md").read_bytes().startswith(b"---\n")
    assert not (vault / "Cy Park.md").exists()
    assert [p.name for p in vault.iterdir() if "vaultnet-" in p.name] == []


def test_a_field_beyond_what_csv_reads_ends_the_reading_at_its_line(tmp_path: Path) -> None:
    from vaultnet.exchange.imports.csvrows import CSV_LIMIT

    path = tmp_path / "Connections.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        handle.write("Ann,Lee,,,Acme,Engineer,12 Mar 2024\r\n")
        handle.write('Bob,Marsh,,,"' + "x" * (CSV_LIMIT + 1) + '",Engineer,12 Mar 2024\r\n')
        handle.write("Cy,Dunn,,,Acme,Engineer,12 Mar 2024\r\n")
    imported = read_linkedin(path)
    # The rows before it are read; none is made of the long field's middle or what follows.
    assert [c.name for c in imported.contacts] == ["Ann Lee"]
    [error] = [d for d in imported.diagnostics if d.level == "error"]
    assert error.line == 3
    assert "cannot read the file from here on" in error.message


def test_a_huge_export_is_read_as_a_stream(tmp_path: Path) -> None:
    """Memory follows the longest row, not the file: 40 MB of rows, each small."""
    import subprocess
    import sys

    path = tmp_path / "Connections.csv"
    row = "Ann,Lee,,,Acme " + "y" * 3000 + ",Engineer,12 Mar 2024\r\n"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        for _ in range(13_000):
            handle.write(row)
    code = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from vaultnet.exchange.imports import read_linkedin\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "imported = read_linkedin(Path(sys.argv[1]))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(len(imported.contacts), after - before)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "13000"
    # The whole file as text would be 40+ MB (160 MB as UCS-4 after the BOM check); the
    # stream's growth is the contacts kept, a few KB each.
    assert int(out[1]) < 80_000, f"grew by {out[1]} KB"
