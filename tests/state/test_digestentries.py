"""The digest's saved entries (state/digestentries.py): taken where a person's digest
matches, never the source of truth, and ignored when damaged, planted or linked."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.state.builds import TODAY, append, build, counted, edit, written
from vaultnet.cli.main import main
from vaultnet.pipeline import build as build_module
from vaultnet.render import digest as digest_module
from vaultnet.state import digestentries

SAVED = Path(".vaultnet") / digestentries.FILE_NAME


def saved_digest(vault: Path) -> str:
    """The digest's JSON text the last build saved (what ``digest --format json`` prints
    while nothing changed)."""
    result = CliRunner().invoke(main, ["digest", str(vault), "--format", "json", "--today", TODAY])
    assert result.exit_code == 0, result.output
    # Printed as saved: no build ran (the saved text is what the last build made).
    return result.output


def fresh_digest(vault: Path, tmp_path: Path) -> tuple[str, dict[str, bytes]]:
    """The digest's text and the pages of a build of a copy of ``vault`` without
    ``.vaultnet/``."""
    copy = tmp_path / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(vault, copy, ignore=shutil.ignore_patterns(".vaultnet", "Network"))
    build(copy)
    return saved_digest(copy), written(copy)


@pytest.mark.parametrize("once", [False, True], ids=["kept-to-the-end", "let-go"])
def test_a_digest_from_saved_entries_equals_a_fresh_one(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, once: bool
) -> None:
    if once:  # as in a large vault: the digest and its entries are saved as soon as made
        monkeypatch.setattr(build_module, "LET_GO_NOTES", 1)
    build(sample_vault)
    assert (sample_vault / SAVED).is_file()
    made = counted(monkeypatch, digest_module, "person_json")
    people = sample_vault / "People"
    # A contact moves Ann Lee in the lists; a birthday adds Connor Walsh to them.
    append(people / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    edit(people / "Connor Walsh.md", "\n---", "\nbirthday: 1990-12-01\n---")
    build(sample_vault)
    # Only the people edited were encoded again: the others' entries were taken as saved.
    assert sorted({p.path for p in made}) == ["People/Ann Lee.md", "People/Connor Walsh.md"]
    text, pages = fresh_digest(sample_vault, tmp_path)
    assert saved_digest(sample_vault) == text
    assert written(sample_vault) == pages
    assert '"People/Connor Walsh.md"' in text.split('"birthdays"')[1]
    # No person changed: nothing encoded, and the file is not written again.
    os.utime(sample_vault / SAVED, ns=(1, 1))
    append(sample_vault / "Ideas.md", "\n")
    made.clear()
    build(sample_vault)
    assert made == []
    assert (sample_vault / SAVED).stat().st_mtime_ns == 1


def test_only_the_entries_of_the_latest_digest_are_kept(sample_vault: Path, tmp_path: Path) -> None:
    build(sample_vault)
    (sample_vault / "People" / "Ann Lee.md").unlink()
    build(sample_vault)
    text = saved_digest(sample_vault)
    assert text == fresh_digest(sample_vault, tmp_path)[0]
    shown = json.loads(text)
    listed = sum(len(shown[name]) for name in digest_module.LISTS)
    # With each thank-you owed and next step of the digest's additions.
    listed += len(shown["insights"]["thanks_owed"]) + len(shown["insights"]["upgrade_due"])
    saved = _entries(sample_vault)
    assert len(saved) == listed
    assert not any("Ann Lee.md" in entry for entry in saved.values())


def test_the_additions_of_people_not_edited_are_taken_as_saved(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each thank-you owed and each next step of the digest's additions is encoded once,
    then taken as saved under its person's digest until the person changes."""
    build(sample_vault)
    shown = json.loads(saved_digest(sample_vault))["insights"]
    assert shown["thanks_owed"] and shown["upgrade_due"]
    made = counted(monkeypatch, digest_module, "digest_extras_json")
    people = sample_vault / "People"
    # Help from Emma Thornton, whose next step (she has a target tier) changes with it.
    append(people / "Emma Thornton.md", "- 2026-11-25 — call: she sent me the RFC draft #got\n")
    build(sample_vault)
    encoded = [
        entry.person.path for extras in made for entry in (*extras.thanks_owed, *extras.upgrade_due)
    ]
    assert encoded and set(encoded) == {"People/Emma Thornton.md"}
    text, pages = fresh_digest(sample_vault, tmp_path)
    assert saved_digest(sample_vault) == text
    assert written(sample_vault) == pages
    thanks = json.loads(text)["insights"]["thanks_owed"]
    assert "People/Emma Thornton.md" in {entry["path"] for entry in thanks}


def _entries(vault: Path) -> dict[str, str]:
    payload = pickle.loads((vault / SAVED).read_bytes())
    entries: dict[str, str] = payload["entries"]
    return entries


class Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


def _payload(entries: object, version: str | None = None) -> bytes:
    from vaultnet.version import VERSION

    return pickle.dumps(
        {"format": digestentries.FORMAT, "version": version or VERSION, "entries": entries}
    )


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x80\x04garbage",
        "version",
        pickle.dumps({"format": digestentries.FORMAT + 1}),
        pickle.dumps(Evil()),
        "list",
        "numbers",
        "planted",
    ],
    ids=["empty", "garbage", "version", "format", "class", "list", "numbers", "planted"],
)
def test_a_damaged_or_planted_file_is_ignored(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | str
) -> None:
    build(sample_vault)
    keys = list(_entries(sample_vault))
    planted = {
        "version": _payload(_entries(sample_vault), version="0.0.0"),
        "list": _payload(list(keys)),
        "numbers": _payload(dict.fromkeys(keys, 1)),
        # Every key with a text, one of them not: the whole file is of another shape.
        "planted": _payload({**dict.fromkeys(keys, '{"name": "Mallory"}'), keys[0]: b"x"}),
    }
    data = planted[content] if isinstance(content, str) else content
    (sample_vault / SAVED).write_bytes(data)
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    monkeypatch.chdir(tmp_path)
    build(sample_vault)
    assert not (tmp_path / "pwned").exists()
    text, pages = fresh_digest(sample_vault, tmp_path)
    assert saved_digest(sample_vault) == text
    assert "Mallory" not in text
    assert written(sample_vault) == pages
    # Written again whole.
    saved = _entries(sample_vault)
    assert saved and not any("Mallory" in entry for entry in saved.values())


def test_never_through_a_link(sample_vault: Path, tmp_path: Path) -> None:
    build(sample_vault)
    outside = tmp_path / "outside.pickle"
    entries = _entries(sample_vault)
    # The right shape, under the right keys, but reached through a link: not read.
    outside.write_bytes(_payload(dict.fromkeys(entries, '{"name": "Mallory"}')))
    (sample_vault / SAVED).unlink()
    (sample_vault / SAVED).symlink_to(outside)
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    build(sample_vault)
    text, _ = fresh_digest(sample_vault, tmp_path)
    assert saved_digest(sample_vault) == text and "Mallory" not in text
    # Nor written through.
    assert (sample_vault / SAVED).is_symlink()
    assert set(pickle.loads(outside.read_bytes())["entries"].values()) == {'{"name": "Mallory"}'}
