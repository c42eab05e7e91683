"""The parse cache's format: named tuples stored as their values, made again without running
their classes' code, each note pickled on its own, and the files of the previous format
dropped and written again."""

from __future__ import annotations

import io
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vaultnet.source import parsed
from vaultnet.source.notes import Note, parse_note
from vaultnet.state.cache import FORMAT
from vaultnet.state.safepickle import SafeUnpickler, pack

NOTE = b"""---
tier: close
history:
  - company: Acme
---
## Log
- 2026-01-02 call: planning #gave [[Bob Marsh]]
- [ ] send the deck to [[Bob Marsh]]
"""


def _build(vault: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "vaultnet", "build", str(vault), "--today", "2026-11-26"]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _pages(vault: Path) -> dict[str, bytes]:
    root = vault / "Network"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def _shards(vault: Path) -> list[Path]:
    return sorted((vault / ".vaultnet" / "cache").glob("notes-*.pickle"))


def _load(data: bytes) -> Any:
    return SafeUnpickler(io.BytesIO(data)).load()


def test_named_tuples_are_made_again_without_their_classes_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    note = parse_note("People/Ann Lee.md", NOTE)
    assert isinstance(note, Note) and note.log and note.history and note.tasks
    data = pickle.dumps(note, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(data) == note  # any reader gets the same note

    def refused(*_args: object) -> None:
        raise AssertionError("the cache's reader called Python code for a named tuple")

    monkeypatch.setattr(parsed, "rebuilt", refused)
    loaded = _load(data)
    assert loaded == note
    assert type(loaded) is Note and type(loaded.log[0]) is parsed.LogEntry
    assert type(loaded.history[0]) is parsed.Position and type(loaded.tasks[0]) is parsed.Task


def _as_the_previous_format_wrote_it(payload: dict[str, Any]) -> bytes:
    """A shard as format 9 wrote it: the whole shard one pickle, its notes unpickled."""
    notes = {
        path: (size, mtime, _load(data)) for path, (size, mtime, data) in payload["entries"].items()
    }
    return pickle.dumps(
        {**payload, "format": 9, "entries": notes}, protocol=pickle.HIGHEST_PROTOCOL
    )


def test_a_cache_of_format_9_is_dropped_quietly_and_written_again(sample_vault: Path) -> None:
    assert FORMAT == 10
    cold = _build(sample_vault)
    first = _pages(sample_vault)
    for shard in _shards(sample_vault):
        shard.write_bytes(_as_the_previous_format_wrote_it(_load(shard.read_bytes())))
    shutil.rmtree(sample_vault / "Network")  # past the early stop
    again = _build(sample_vault)
    assert again.returncode == cold.returncode, again.stderr
    assert "cache" not in again.stderr and "Traceback" not in again.stderr
    assert _pages(sample_vault) == first
    for shard in _shards(sample_vault):
        payload = _load(shard.read_bytes())
        assert payload["format"] == FORMAT
        assert all(type(entry[2]) is bytes for entry in payload["entries"].values())


def test_a_cached_note_of_the_wrong_length_is_parsed_again(sample_vault: Path) -> None:
    cold = _build(sample_vault)
    first = _pages(sample_vault)
    shard, payload, path, (size, mtime, note) = next(
        (shard, payload, path, (size, mtime, _load(data)))
        for shard in _shards(sample_vault)
        for payload in [_load(shard.read_bytes())]
        for path, (size, mtime, data) in payload["entries"].items()
        if b"person" in data and isinstance(_load(data), Note) and _load(data).person
    )
    # Values a note's class would refuse, which the cache's reader does not check.
    short = tuple.__new__(Note, (path, note.stem, True))
    payload["entries"][path] = (size, mtime, pack(short))
    shard.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    shutil.rmtree(sample_vault / "Network")
    shutil.rmtree(sample_vault / ".vaultnet" / "people")  # no saved people: notes are read
    again = _build(sample_vault)
    assert again.returncode == cold.returncode, again.stderr
    assert "Traceback" not in again.stderr
    assert _pages(sample_vault) == first
    saved = _load(_load(shard.read_bytes())["entries"][path][2])
    assert saved == note and len(saved) == len(Note._fields)
