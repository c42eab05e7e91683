"""vaultnet merge KEEP OTHER, end to end through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import vaultnet.edit.merge
from tests.conftest import WriteNote
from vaultnet.cli.main import main

TODAY = "2026-11-26"

KEEP = """\
---
tier: champion
email: ann@harbor.example
company: Harbor Health
met: 2024-03-01
tags: [person]
---
# Ann Lee

## Log
- 2026-10-01 coffee: platform team
- 2026-11-20 call: intro to Bob
"""

OTHER = """\
---
name: Ann Lee-Smith
aliases: [Annie]
email: ann@gmail.example
phone: "+44 20 7946 0000"
company: Acme
role: Engineer
linkedin: https://linkedin.example/ann
tags: [person, linkedin]
---
Met at the Acme offsite.

## Log
- 2026-10-01 coffee: platform team
- 2026-09-01 lunch: first chat
"""

LINKING = """\
---
introduced_by: "[[Ann (LinkedIn)]]"
---
See [[Ann (LinkedIn)]], [[Ann (LinkedIn)|her]], [[Ann (LinkedIn)#Log]],
[[People/Ann (LinkedIn)]], [x](<People/Ann (LinkedIn).md>) and [[Annie]].
Code: `[[Ann (LinkedIn)]]`

```
[[Ann (LinkedIn)]]
```
"""


def run(vault: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--vault", str(vault), "--today", TODAY])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def pair(write: WriteNote) -> tuple[Path, Path, Path]:
    keep = write("People/Ann Lee.md", KEEP)
    other = write("People/Ann (LinkedIn).md", OTHER)
    linking = write("People/Bob.md", LINKING)
    return keep, other, linking


def test_merge_combines_notes_rewrites_links_and_trashes_other(
    vault: Path, pair: tuple[Path, Path, Path]
) -> None:
    keep, other, linking = pair
    other_bytes = other.read_bytes()
    code, out, err = run(vault, "merge", "Ann Lee", "People/Ann (LinkedIn).md")
    assert code == 0, out + err
    text = keep.read_text()
    assert "- Ann Lee-Smith" in text and "- Annie" in text
    assert "ann@gmail.example" in text and "ann@harbor.example" in text
    assert "+44 20 7946 0000" in text
    assert "linkedin: https://linkedin.example/ann" in text
    assert "company: Harbor Health" in text
    assert "history:\n  - {company: Acme, role: Engineer}\n" in text
    log = text[text.index("## Log") :]
    assert log.count("coffee: platform team") == 1
    assert log.index("2026-09-01 lunch") < log.index("2026-10-01 coffee")
    assert "## Merged from Ann Lee-Smith (2026-11-26)" in text
    assert "Met at the Acme offsite." in text
    linked = linking.read_text()
    assert 'introduced_by: "[[Ann Lee]]"' in linked
    assert "See [[Ann Lee]], [[Ann Lee|her]], [[Ann Lee#Log]]," in linked
    assert "[[People/Ann Lee]], [x](<People/Ann Lee.md>) and [[Annie]]." in linked
    assert "`[[Ann (LinkedIn)]]`" in linked
    assert "```\n[[Ann (LinkedIn)]]\n```" in linked
    assert not other.exists()
    assert (vault / ".trash/People/Ann (LinkedIn).md").read_bytes() == other_bytes


def test_conflict_stops_without_force_and_is_kept_with_it(
    vault: Path, write: WriteNote, pair: tuple[Path, Path, Path]
) -> None:
    keep, other, _ = pair
    write(
        "People/Ann (LinkedIn).md",
        OTHER.replace("company: Acme\nrole: Engineer", "met: 2020-05-05"),
    )
    before = keep.read_bytes()
    code, _, err = run(vault, "merge", "Ann Lee", "Ann Lee-Smith")
    assert code == 1
    assert "met: 2024-03-01 (kept) / 2020-05-05" in err and "nothing written" in err
    assert keep.read_bytes() == before and other.exists()
    code, out, err = run(vault, "merge", "Ann Lee", "Ann Lee-Smith", "--force")
    assert code == 0, out + err
    text = keep.read_text()
    assert "met: 2024-03-01" in text and "- met: 2020-05-05" in text
    assert not other.exists()


def test_same_note_twice_is_bad_usage(vault: Path, pair: tuple[Path, Path, Path]) -> None:
    code, _, err = run(vault, "merge", "Ann Lee", "People/Ann Lee.md")
    assert code == 2 and "same note" in err


def test_dry_run_shows_every_change_and_writes_nothing(
    vault: Path, pair: tuple[Path, Path, Path]
) -> None:
    before = {p: p.read_bytes() for p in pair}
    code, out, err = run(vault, "merge", "Ann Lee", "Ann Lee-Smith", "--dry-run")
    assert code == 0, out + err
    assert "+++ b/People/Ann Lee.md" in out and "+++ b/People/Bob.md" in out
    assert "move People/Ann (LinkedIn).md → .trash/People/Ann (LinkedIn).md" in out
    assert {p: p.read_bytes() for p in pair} == before
    assert not (vault / ".trash").exists()


def test_crlf_and_bom_are_kept(vault: Path) -> None:
    keep = vault / "Ann Lee.md"
    keep.write_bytes(b"\xef\xbb\xbf" + KEEP.replace("\n", "\r\n").encode())
    (vault / "Ann (LinkedIn).md").write_bytes(OTHER.replace("\n", "\r\n").encode())
    code, out, err = run(vault, "merge", "Ann Lee", "Ann Lee-Smith")
    assert code == 0, out + err
    data = keep.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"Met at the Acme offsite." in data


def test_an_existing_trash_file_is_never_overwritten(
    vault: Path, write: WriteNote, pair: tuple[Path, Path, Path]
) -> None:
    old = write(".trash/People/Ann (LinkedIn).md", "older\n")
    code, out, err = run(vault, "merge", "Ann Lee", "Ann Lee-Smith")
    assert code == 0, out + err
    assert old.read_text() == "older\n"
    assert (vault / ".trash/People/Ann (LinkedIn) 2.md").exists()


def test_a_trash_link_is_refused(
    vault: Path, tmp_path: Path, pair: tuple[Path, Path, Path]
) -> None:
    (tmp_path / "elsewhere").mkdir()
    (vault / ".trash").symlink_to(tmp_path / "elsewhere")
    code, _, err = run(vault, "merge", "Ann Lee", "Ann Lee-Smith")
    assert code == 2 and "symbolic link" in err
    assert pair[1].exists()


def test_a_failed_write_midway_rolls_everything_back(
    vault: Path, pair: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {p: p.read_bytes() for p in pair}
    real = vaultnet.edit.merge.edit_note
    calls: list[Path] = []

    def failing(path: Path, *args: object, **kwargs: object) -> object:
        calls.append(path)
        if path.name == "Bob.md" and len(calls) == 2:
            raise vaultnet.edit.merge.EditError("not edited: injected failure", str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(vaultnet.edit.merge, "edit_note", failing)
    code, _, err = run(vault, "merge", "Ann Lee", "Ann Lee-Smith")
    assert code == 1
    assert "injected failure" in err and "put back as they were: People/Ann Lee.md" in err
    assert {p: p.read_bytes() for p in pair} == before
    assert not (vault / ".trash/People/Ann (LinkedIn).md").exists()


def test_keep_held_open_by_an_editor_is_refused(
    vault: Path, pair: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("vaultnet.edit.files.QUIET_TIMEOUT", 0.1)
    before = {p: p.read_bytes() for p in pair}
    with open(pair[0], "r+b"):  # an editor in the middle of an in-place save
        code, _, err = run(vault, "merge", "Ann Lee", "Ann Lee-Smith")
    assert code == 1 and "not merged" in err
    assert {p: p.read_bytes() for p in pair} == before
    assert pair[1].exists()


def test_a_different_company_joins_an_existing_history(
    vault: Path, write: WriteNote, pair: tuple[Path, Path, Path]
) -> None:
    keep = write(
        "People/Ann Lee.md",
        KEEP.replace("tags:", "history:\n  - company: Old Co\n    role: Intern\ntags:"),
    )
    code, out, err = run(vault, "merge", "Ann Lee", "Ann Lee-Smith")
    assert code == 0, out + err
    text = keep.read_text()
    assert "    role: Intern\n  - {company: Acme, role: Engineer}\ntags:" in text


def test_plain_notes_are_rewritten_and_an_unreadable_one_is_named(
    vault: Path, write: WriteNote, pair: tuple[Path, Path, Path]
) -> None:
    plain = write("Meetings/Offsite.md", "Lunch with [[Ann (LinkedIn)]].\n")
    broken = write("Notes/Broken.md", "---\nkey: [unclosed\n---\n[[Ann (LinkedIn)]]\n")
    broken_bytes = broken.read_bytes()
    code, out, err = run(vault, "merge", "Ann Lee", "Ann Lee-Smith")
    assert code == 0, out + err
    assert plain.read_text() == "Lunch with [[Ann Lee]].\n"
    assert broken.read_bytes() == broken_bytes
    assert "Notes/Broken.md: warning: links not rewritten" in err


def test_a_merge_killed_midway_is_rolled_back_by_the_next_merge(
    vault: Path, pair: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {p: p.read_bytes() for p in pair}

    def killed(plan: object) -> None:
        raise KeyboardInterrupt  # the process stops between the notes and the move

    monkeypatch.setattr(vaultnet.edit.merge, "_move", killed)
    CliRunner().invoke(main, ["merge", "Ann Lee", "Ann Lee-Smith", "--vault", str(vault)])
    journal = vault / ".vaultnet/merge-journal.json"
    assert journal.exists() and pair[0].read_bytes() != before[pair[0]]
    monkeypatch.undo()
    other = "People/Ann (LinkedIn).md"  # its name is now also an alias of KEEP's
    code, out, err = run(vault, "merge", "Ann Lee", other, "--dry-run")
    assert code == 0 and journal.exists()  # a dry run changes nothing, not even this
    code, out, err = run(vault, "merge", "Ann Lee", other)
    assert code == 0, out + err
    assert "People/Ann Lee.md: put back as it was before an interrupted merge" in err
    assert not journal.exists()
    assert (vault / ".trash/People/Ann (LinkedIn).md").read_bytes() == before[pair[1]]
    assert pair[0].read_text().count("## Merged from") == 1


def test_a_record_leading_out_of_the_vault_is_refused(
    vault: Path, pair: tuple[Path, Path, Path]
) -> None:
    (vault / ".vaultnet").mkdir()
    record = '{"changes": [{"path": "../x.md", "old": "", "new": ""}], "other": "a", "trash": "b"}'
    (vault / ".vaultnet/merge-journal.json").write_text(record)
    before = {p: p.read_bytes() for p in pair}
    code, _, err = run(vault, "merge", "Ann Lee", "Ann Lee-Smith")
    assert code == 1 and "cannot be read" in err and "not a path inside the vault" in err
    assert {p: p.read_bytes() for p in pair} == before
