"""``vaultnet properties``: computed values in person notes, for Obsidian Bases."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import WriteNote
from vaultnet.cli.main import main
from vaultnet.edit import files

NOTE = """\
---
# a comment stays
tier: champion
last_contact: 2026-10-01
---
Ann's notes.

## Log
- 2026-11-20: coffee
"""


def run(vault: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["properties", str(vault), "--today", "2026-11-26", *args])
    return result.exit_code, result.output


def test_properties_are_added_once_and_removed_exactly(vault: Path, write: WriteNote) -> None:
    note = write("People/Ann Lee.md", NOTE)
    original = note.read_bytes()
    code, output = run(vault, "--dry-run")
    assert code == 0, output
    assert "+vaultnet_last_contact: 2026-11-20" in output
    assert note.read_bytes() == original  # a dry run writes nothing
    code, output = run(vault)
    assert code == 0, output
    text = note.read_text(encoding="utf-8")
    assert text == NOTE.replace(
        "last_contact: 2026-10-01\n",
        "last_contact: 2026-10-01\nvaultnet_last_contact: 2026-11-20\n"
        "vaultnet_due: 2026-12-20\nvaultnet_bucket: upcoming\nvaultnet_tier_rank: 1\n",
    ), text
    written = note.stat().st_mtime_ns
    code, output = run(vault)
    assert (code, output.strip()) == (0, "no change")
    assert note.stat().st_mtime_ns == written  # a second run writes nothing
    code, output = run(vault, "--remove")
    assert code == 0, output
    assert note.read_bytes() == original


def test_crlf_and_bom_are_kept(vault: Path) -> None:
    note = vault / "People" / "Ann Lee.md"
    note.parent.mkdir()
    original = b"\xef\xbb\xbf" + NOTE.replace("\n", "\r\n").encode()
    note.write_bytes(original)
    assert run(vault)[0] == 0
    data = note.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"vaultnet_tier_rank: 1\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert run(vault, "--remove")[0] == 0
    assert note.read_bytes() == original


def test_a_note_being_saved_is_skipped_with_a_warning(
    vault: Path, write: WriteNote, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "QUIET_TIMEOUT", 0.3)
    busy = write("People/Ann Lee.md", NOTE)
    other = write("People/Bob Marsh.md", NOTE)
    original = busy.read_bytes()
    with busy.open("r+b"):  # another program has it open for writing: no read lease
        code, output = run(vault, "--strict")
    assert code == 1, output
    assert "People/Ann Lee.md: warning: " in output
    assert busy.read_bytes() == original
    assert b"vaultnet_tier_rank: 1\n" in other.read_bytes()  # the others are still written


def test_archived_people_get_none(vault: Path, write: WriteNote) -> None:
    note = write("People/Ann Lee.md", NOTE)
    assert run(vault)[0] == 0
    text = note.read_text(encoding="utf-8").replace(
        "tier: champion\n", "tier: champion\nstatus: archived\n"
    )
    note.write_text(text, encoding="utf-8")
    code, output = run(vault)
    assert code == 0, output
    assert note.read_text(encoding="utf-8") == NOTE.replace(
        "tier: champion\n", "tier: champion\nstatus: archived\n"
    )


def build(vault: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", str(vault), "--today", "2026-11-26", *args])
    return result.exit_code, result.output


def test_builds_keep_them_only_when_the_setting_is_on(vault: Path, write: WriteNote) -> None:
    note = write("People/Ann Lee.md", NOTE)
    original = note.read_bytes()
    assert build(vault)[0] == 0
    assert note.read_bytes() == original  # off by default: a build never writes a note
    write("vaultnet.toml", "[obsidian]\nproperties = true\n")
    code, output = build(vault, "--dry-run")
    assert code == 0, output
    assert "+vaultnet_due: 2026-12-20" in output
    assert note.read_bytes() == original
    code, output = build(vault)
    assert code == 0, output
    assert "updated People/Ann Lee.md" in output
    assert b"vaultnet_last_contact: 2026-11-20\nvaultnet_due: 2026-12-20\n" in note.read_bytes()
    written = note.read_bytes(), note.stat().st_mtime_ns
    code, output = build(vault)  # the notes it wrote are read again, and nothing changes
    assert code == 0, output
    assert "updated" not in output
    assert (note.read_bytes(), note.stat().st_mtime_ns) == written
    # The base reads the values the build keeps.
    base = (vault / "Network" / "People.base").read_text(encoding="utf-8")
    assert "if(vaultnet_due, date(vaultnet_due)" in base


@pytest.mark.parametrize(
    ("toml", "code", "message"),
    [
        ('[obsidian]\nproperties = "yes"\n', 2, "obsidian.properties must be true or false"),
        ("[obsidian]\nproperty = true\n", 0, "unknown key 'property' in [obsidian]"),
    ],
)
def test_the_obsidian_table_is_checked(
    vault: Path, write: WriteNote, toml: str, code: int, message: str
) -> None:
    write("People/Ann Lee.md", NOTE)
    write("vaultnet.toml", toml)
    result = CliRunner().invoke(main, ["check", str(vault), "--today", "2026-11-26"])
    assert result.exit_code == code, result.output
    assert message in result.output
