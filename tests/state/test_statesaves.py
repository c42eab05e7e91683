"""What a build saves in ``.vaultnet/`` after a few edits: the files that changed, made of
the people and rows that changed and of what the files held (personstore.py,
rowstore.py), never everyone's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.state.builds import TODAY, append, build, counted, fresh, written
from vaultnet.config import load_config
from vaultnet.pipeline import build as build_module
from vaultnet.pipeline.build import Builder, BuildRequest
from vaultnet.state import personstore
from vaultnet.state.cache import NoteCache, shard_of
from vaultnet.state.people import PeopleState
from vaultnet.state.personstore import PersonStore

PEOPLE = Path(".vaultnet") / "people"
ANN = "People/Ann Lee.md"


def _person_notes(vault: Path) -> set[str]:
    return {p.relative_to(vault).as_posix() for p in (vault / "People").rglob("*.md")}


def _files(folder: Path) -> dict[str, int]:
    """Each file of a folder by name, with its inode: an atomic write makes a new one."""
    return {p.name: p.stat().st_ino for p in folder.iterdir()}


def test_a_build_after_an_edit_saves_only_the_file_of_the_person_edited(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the people of the edited person's file are gathered and written; the other
    files stay as they are, and everyone is still saved."""
    monkeypatch.setattr(build_module, "LET_GO_NOTES", 1)  # lets go, as a large vault's
    build(sample_vault)
    before = _files(sample_vault / PEOPLE)
    append(sample_vault / ANN, "- 2026-11-25 — call about the RFC\n")
    asked = counted(monkeypatch, PeopleState, "_people", 1)
    build(sample_vault)
    monkeypatch.undo()
    people = _person_notes(sample_vault)
    assert [sorted(paths) for paths in asked] == [
        sorted(path for path in people if shard_of(path) == shard_of(ANN))
    ]
    after = _files(sample_vault / PEOPLE)
    assert {name for name in after if after[name] != before.get(name)} == {
        f"people-{shard_of(ANN):02x}.pickle"
    }
    assert set(PersonStore(sample_vault).load(load_config(sample_vault))) == people
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]


def test_people_a_save_could_not_write_are_written_by_the_next(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that could not be written is written whole by the next save, though no one
    in it was made since."""
    config = load_config(sample_vault)
    builder = Builder(config, NoteCache.for_vault(sample_vault))
    monkeypatch.setattr(personstore, "_dump", _failing_dump)
    builder.build(BuildRequest(dt.date.fromisoformat(TODAY)))
    assert not PersonStore(sample_vault).load(config)
    monkeypatch.undo()
    builder.save_state()
    assert set(PersonStore(sample_vault).load(config)) == _person_notes(sample_vault)


def _failing_dump(_head: object, _people: object, _handle: object) -> None:
    raise OSError("disk full")
