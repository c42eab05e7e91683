"""The parse cache keeps person notes in files of their own, read only when a build asks for
a note they may hold: a build that reads unchanged person notes as their saved stubs
(state/personstore.py) reads the files of the other notes and of the edited ones only."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.state.builds import append, counted, one_shot
from vaultnet.config import load_config
from vaultnet.source.notes import Note, NoteParser
from vaultnet.source.vault import SourceFile, parse_options, source_file
from vaultnet.state.cache import NoteCache, shard_of
from vaultnet.state.safepickle import SafeUnpickler

ANN = "People/Ann Lee.md"


def test_a_build_after_an_edit_reads_the_file_of_no_other_person_note(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_shot(sample_vault)
    append(sample_vault / ANN, "- 2026-11-25 — call\n")
    files = counted(monkeypatch, NoteCache, "_load_shard", 1)  # the path of each file read
    one_shot(sample_vault)
    read = [path.name for path in files]
    people_files = {name for name in read if name.startswith("people-")}
    assert f"people-{shard_of(ANN):02x}.pickle" in people_files
    cache = sample_vault / ".vaultnet" / "cache"
    assert len(people_files) < len(list(cache.glob("people-*.pickle")))
    assert any(name.startswith("notes-") for name in read)


def _held_in(vault: Path, name: str) -> set[str]:
    """The paths a cache file holds."""
    path = vault / ".vaultnet" / "cache" / name
    if not path.exists():
        return set()
    payload = SafeUnpickler(io.BytesIO(path.read_bytes())).load()
    return set(payload["entries"])


def test_a_note_that_stops_being_a_person_note_moves_to_the_other_files(
    sample_vault: Path,
) -> None:
    """Kept in one kind of file only, whatever it was before."""
    one_shot(sample_vault)
    config = load_config(sample_vault)
    source = source_file(config, ANN)
    assert isinstance(source, SourceFile)
    note = NoteParser(parse_options(config)).parse(ANN, (sample_vault / ANN).read_bytes())
    assert isinstance(note, Note)
    people, others = f"people-{shard_of(ANN):02x}.pickle", f"notes-{shard_of(ANN):02x}.pickle"
    assert note.person and ANN in _held_in(sample_vault, people)
    cache = NoteCache.for_vault(sample_vault)
    cache.put(source, note._replace(person=False))
    cache.save()
    assert ANN in _held_in(sample_vault, others) and ANN not in _held_in(sample_vault, people)
    assert NoteCache.for_vault(sample_vault).get(source) == note._replace(person=False)
    cache.put(source, note)
    cache.save()
    assert ANN in _held_in(sample_vault, people) and ANN not in _held_in(sample_vault, others)
    assert NoteCache.for_vault(sample_vault).get(source) == note
