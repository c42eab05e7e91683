"""The parse cache keeps each note pickled on its own: a build unpickles only the notes it
asks for, parses again only the notes edited (or whose entry is damaged), and writes the
other entries back as the bytes it read."""

from __future__ import annotations

import io
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.state.builds import TODAY, append, written
from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.source.notes import Note, NoteParser, Unreadable
from vaultnet.source.vault import SourceFile, parse_options, scan, source_file
from vaultnet.state import safepickle
from vaultnet.state.cache import FORMAT, NoteCache, shard_of

ANN = "People/Ann Lee.md"
# A dated note, always read whole (a person note may be read as the stub saved with its
# person: tests/state/test_personstore.py).
DAILY = "Daily/2026-11-24.md"
CROWDED = "Daily/2026-11-09.md"  # one whose cache file holds other notes too


def _build(vault: Path, *options: str) -> Result:
    result = CliRunner().invoke(main, ["build", str(vault), "--today", TODAY, *options])
    assert result.exit_code in (0, 1), result.output
    return result


def _shard_file(vault: Path, path: str) -> Path:
    return vault / ".vaultnet" / "cache" / f"notes-{shard_of(path):02x}.pickle"


def _stored(shard: Path) -> dict[str, Any]:
    """A shard file's payload: each entry's note still as its bytes."""
    payload: dict[str, Any] = safepickle.SafeUnpickler(io.BytesIO(shard.read_bytes())).load()
    return payload


def _counted(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[Any]:
    """Record the first argument of each call of ``owner.name`` from now on."""
    calls: list[Any] = []
    real: Callable[..., Any] = getattr(owner, name)

    def counting(*args: Any) -> Any:
        calls.append(args[1] if isinstance(owner, type) else args[0])
        return real(*args)

    monkeypatch.setattr(owner, name, counting)
    return calls


def _parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the notes parsed from now on."""
    return _counted(monkeypatch, NoteParser, "parse")


def _source(vault: Path, path: str) -> SourceFile:
    found = source_file(load_config(vault), path)
    assert isinstance(found, SourceFile)
    return found


def test_a_build_after_edits_parses_only_the_edited_notes(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(sample_vault)
    append(sample_vault / ANN, "- 2026-11-25 call: quick check-in\n")
    (sample_vault / DAILY).write_text("Coffee with [[Bob Marsh]].\n", encoding="utf-8")
    parsed = _parsed(monkeypatch)
    unpickled = _counted(monkeypatch, safepickle.SafeReader, "loads")
    _build(sample_vault)
    notes = len(scan(load_config(sample_vault)).files)
    assert sorted(parsed) == [DAILY, ANN]
    # The others came from the cache, each once, but for the person notes read as the
    # stubs saved with their people.
    assert len(set(unpickled)) == len(unpickled) < notes - 2
    # The same pages as a build without the cache.
    cold = tmp_path / "cold"
    shutil.copytree(sample_vault, cold, ignore=shutil.ignore_patterns("Network", ".vaultnet"))
    _build(cold, "--no-cache")
    assert written(sample_vault) == written(cold)


def test_a_corrupt_entry_is_parsed_again_alone(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(sample_vault)
    pages = written(sample_vault)
    shard = _shard_file(sample_vault, CROWDED)
    payload = _stored(shard)
    assert len(payload["entries"]) > 1  # the shard holds other notes, which stay
    size, mtime, data = payload["entries"][CROWDED]
    payload["entries"][CROWDED] = (size, mtime, data[: len(data) // 2])
    shard.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    shutil.rmtree(sample_vault / "Network")  # past the early stop
    parsed = _parsed(monkeypatch)
    result = _build(sample_vault)
    assert parsed == [CROWDED]
    assert f"note: cache cache/{shard.name} could not be read (" in result.stderr
    assert "Traceback" not in result.output
    assert written(sample_vault) == pages
    # Saved again whole; the next build parses nothing, and says nothing of the cache.
    (sample_vault / CROWDED).touch()
    parsed.clear()
    again = _build(sample_vault)
    assert parsed == [CROWDED] and "cache" not in again.stderr


class _Planted:
    """A note's entry that would run code when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch '{self.marker}'",))


def test_a_planted_note_never_runs_code(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(sample_vault)
    pages = written(sample_vault)
    shard = _shard_file(sample_vault, DAILY)
    payload = _stored(shard)
    size, mtime, _ = payload["entries"][DAILY]
    marker = tmp_path / "planted"
    payload["entries"][DAILY] = (size, mtime, pickle.dumps(_Planted(marker)))
    shard.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    shutil.rmtree(sample_vault / "Network")
    parsed = _parsed(monkeypatch)
    result = _build(sample_vault)
    assert not marker.exists()
    assert parsed == [DAILY]
    assert f"cache/{shard.name} could not be read (UnpicklingError); rebuilt" in result.stderr
    assert written(sample_vault) == pages


@pytest.mark.parametrize("value", [5, (DAILY, "2026-11-24", False), ()])
def test_an_entry_that_is_not_a_note_is_parsed_again_quietly(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch, value: object
) -> None:
    _build(sample_vault)
    pages = written(sample_vault)
    shard = _shard_file(sample_vault, DAILY)
    payload = _stored(shard)
    size, mtime, _ = payload["entries"][DAILY]
    if isinstance(value, tuple) and value:  # a note's class, values it would refuse
        value = tuple.__new__(Note, value)
    payload["entries"][DAILY] = (size, mtime, safepickle.pack(value))
    shard.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    shutil.rmtree(sample_vault / "Network")
    parsed = _parsed(monkeypatch)
    result = _build(sample_vault)
    assert parsed == [DAILY]
    assert "cache" not in result.stderr and "Traceback" not in result.output
    assert written(sample_vault) == pages


def test_a_note_not_asked_for_is_never_unpickled(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(sample_vault)
    unpickled = _counted(monkeypatch, safepickle.SafeReader, "loads")
    cache = NoteCache.for_vault(sample_vault)
    assert len(cache.entries) > 40  # every shard read: no note unpickled
    assert unpickled == []
    ann = cache.get(_source(sample_vault, ANN))
    assert isinstance(ann, Note) and ann.path == ANN
    assert cache.get(_source(sample_vault, ANN)) is ann  # kept, not unpickled again
    assert len(unpickled) == 1
    # A note whose file changed is not unpickled at all: it is parsed again.
    append(sample_vault / "People/Bob Marsh.md", "\n")
    assert cache.get(_source(sample_vault, "People/Bob Marsh.md")) is None
    assert len(unpickled) == 1


def test_notes_of_different_files_share_their_dates(sample_vault: Path) -> None:
    _build(sample_vault)
    cache = NoteCache.for_vault(sample_vault)
    notes = [cache.get(source) for source in scan(load_config(sample_vault)).files]
    dates: dict[object, set[int]] = {}
    shards: dict[object, set[int]] = {}
    for note in notes:
        assert isinstance(note, (Note, Unreadable))
        if isinstance(note, Note):
            for entry in note.log:
                dates.setdefault(entry.date, set()).add(id(entry.date))
                shards.setdefault(entry.date, set()).add(shard_of(note.path))
    assert any(len(files) > 1 for files in shards.values())  # a day in several files
    assert all(len(objects) == 1 for objects in dates.values())  # one object a day


def test_unchanged_entries_are_saved_as_read_without_being_unpickled(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(sample_vault)
    shard = _shard_file(sample_vault, ANN)
    before = _stored(shard)
    others = {path: entry for path, entry in before["entries"].items() if path != ANN}
    assert others and before["format"] == FORMAT
    # Within one process: only the note put is pickled, no note is unpickled.
    unpickled = _counted(monkeypatch, safepickle.SafeReader, "loads")
    pickled = _counted(monkeypatch, safepickle, "pack")
    append(sample_vault / ANN, "- 2026-11-25 call: quick check-in\n")
    source = _source(sample_vault, ANN)
    note = NoteParser(parse_options(load_config(sample_vault))).parse(
        ANN, (sample_vault / ANN).read_bytes()
    )
    cache = NoteCache.for_vault(sample_vault)
    cache.put(source, note)
    cache.save()
    assert unpickled == [] and pickled == [note]
    after = _stored(shard)
    assert {path: entry for path, entry in after["entries"].items() if path != ANN} == others
    assert after["entries"][ANN][:2] == (source.size, source.mtime_ns)
    assert NoteCache.for_vault(sample_vault).get(source) == note
    # Through a build: the edited note is pickled, and those of its file the build asked
    # for (a note unpickled keeps no bytes); the others are written back as read.
    append(sample_vault / ANN, "- 2026-11-26 call: again\n")
    pickled.clear()
    _build(sample_vault)
    repickled = {n.path for n in pickled}
    assert ANN in repickled and repickled <= set(before["entries"])
    again = _stored(shard)
    for path, entry in others.items():
        if path not in repickled:
            assert again["entries"][path] == entry
        else:
            reader = safepickle.SafeReader()
            assert reader.loads(again["entries"][path][2]) == reader.loads(entry[2])
