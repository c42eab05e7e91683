"""Encodings and line endings (HOSTILE 1-6, 44, 47): read what can be read, say what cannot.

Reading and the byte-exact edits themselves are unit-tested in test_notes.py and
test_editing.py; here each file goes through the commands a user runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import edit, hunk, lines_of, make_vault, survey

PERSON = "---\ntier: advocate\nname: {name}\n---\n# {name}\n\n## Log\n- 2026-10-01 coffee\n"


def test_01_bom_is_read_and_an_edit_keeps_it(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + PERSON.format(name="Bo Bom").encode()
    vault = make_vault(tmp_path, {"bom.md": data})
    outcome = survey(vault)
    outcome.clean("bom.md")
    assert "Bo Bom" in outcome.names()
    result, changed = edit(vault, "log", "Bo Bom", "called")
    assert result.exit_code == 0, result.output
    assert changed == {"bom.md"}
    after = (vault / "bom.md").read_bytes()
    assert after.startswith(b"\xef\xbb\xbf---\n")
    assert hunk(data, after) == ([], [b"- 2026-11-26 called\n"])


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_02_utf16_with_bom_is_read_and_never_edited(tmp_path: Path, encoding: str) -> None:
    data = ("\ufeff" + PERSON.format(name="Uta Sixteen")).encode(encoding)
    vault = make_vault(tmp_path, {"utf16.md": data})
    outcome = survey(vault)
    outcome.clean("utf16.md")
    assert "Uta Sixteen" in outcome.names()
    result, changed = edit(vault, "log", "Uta Sixteen", "called")
    assert result.exit_code == 1
    assert "utf16.md: not edited: the note is saved as UTF-16" in result.stderr
    assert changed == set()


def test_03_windows_1252_is_an_error_naming_line_and_byte(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"cp1252.md": b"---\ntier: advocate\nname: Ann\x92s\n---\n"})
    outcome = survey(vault)
    outcome.has("cp1252.md", 3, "error", "not valid UTF-8", "byte 0x92", "save the file as UTF-8")
    assert "cp1252.md" not in outcome.paths()


def test_04_crlf_is_read_and_an_edit_keeps_crlf(tmp_path: Path) -> None:
    data = PERSON.format(name="Cr Lf").replace("\n", "\r\n").encode()
    vault = make_vault(tmp_path, {"crlf.md": data})
    outcome = survey(vault)
    outcome.clean("crlf.md")
    assert outcome.person("Cr Lf")["last_contact"] == "2026-10-01"
    result, changed = edit(vault, "tier", "Cr Lf", "champion")
    assert result.exit_code == 0, result.output
    assert changed == {"crlf.md"}
    after = (vault / "crlf.md").read_bytes()
    assert all(line.endswith(b"\r\n") for line in lines_of(after))
    assert b"tier: champion\r\n" in after


def test_05_mixed_line_endings_each_line_keeps_its_own(tmp_path: Path) -> None:
    data = b"---\ntier: advocate\nname: Mix Ed\n---\r\n# Mix Ed\r\n\r\n## Log\r\n- 2026-10-01 a\r\n"
    vault = make_vault(tmp_path, {"mixed-eol.md": data})
    outcome = survey(vault)
    outcome.clean("mixed-eol.md")
    assert "Mix Ed" in outcome.names()
    result, changed = edit(vault, "log", "Mix Ed", "lunch")
    assert result.exit_code == 0, result.output
    assert changed == {"mixed-eol.md"}
    after = (vault / "mixed-eol.md").read_bytes()
    # Every old line is still there with its own ending; the new one copies its neighbour.
    assert hunk(data, after) == ([], [b"- 2026-11-26 lunch\r\n"])


def test_06_classic_mac_line_endings_are_read_and_kept(tmp_path: Path) -> None:
    data = PERSON.format(name="Mac Cr").replace("\n", "\r").encode()
    vault = make_vault(tmp_path, {"cr-only.md": data})
    outcome = survey(vault)
    outcome.clean("cr-only.md")
    assert outcome.person("Mac Cr")["last_contact"] == "2026-10-01"
    result, _ = edit(vault, "log", "Mac Cr", "lunch")
    assert result.exit_code == 0, result.output
    after = (vault / "cr-only.md").read_bytes()
    assert b"\n" not in after
    assert hunk(data, after) == ([], [b"- 2026-11-26 lunch\r"])


def test_44_nul_byte_in_front_matter_is_an_error(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"nul.md": b"---\ntier: advocate\nname: a\x00b\n---\n"})
    outcome = survey(vault)
    outcome.has("nul.md", 3, "error", "NUL byte")
    assert "nul.md" not in outcome.paths()


def test_44_nul_byte_in_a_body_is_read_but_never_edited(tmp_path: Path) -> None:
    data = b"---\ntier: advocate\nname: Nul Body\n---\nbinary \x00 junk\n"
    vault = make_vault(tmp_path, {"nul-body.md": data})
    outcome = survey(vault)
    assert "Nul Body" in outcome.names()
    outcome.has("nul-body.md", 5, "warning", "contains a NUL byte; it is read, but vaultnet")
    result, changed = edit(vault, "log", "Nul Body", "x")
    assert result.exit_code == 1
    assert "nul-body.md:5: not edited: the note contains a NUL byte" in result.stderr
    assert changed == set()


def test_47_emoji_stay_literal_after_an_edit(tmp_path: Path) -> None:
    data = '---\nname: 🙂 Zoë\ntier: advocate\nnote: "café ☕"\n---\n'.encode()
    vault = make_vault(tmp_path, {"emoji.md": data})
    outcome = survey(vault)
    assert "🙂 Zoë" in outcome.names()
    result, changed = edit(vault, "snooze", "🙂 Zoë", "2027-01-15")
    assert result.exit_code == 0, result.output
    assert changed == {"emoji.md"}
    after = (vault / "emoji.md").read_bytes()
    assert hunk(data, after) == ([], [b"snooze_until: 2027-01-15\n"])
    assert b"\\U" not in after and "🙂 Zoë".encode() in after
    pages = b"".join(p.read_bytes() for p in (vault / "Network").rglob("*.md"))
    assert "🙂 Zoë".encode() in pages
