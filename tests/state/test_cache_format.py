"""The parse cache's format: named tuples stored as their values, made again without running
their classes' code, and the files of the previous format dropped and written again."""

from __future__ import annotations

import copyreg
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
from vaultnet.state.safepickle import SafeUnpickler

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
    return sorted((vault / ".vaultnet" / "cache").glob("*.pickle"))


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
    """A shard as format 8 wrote it: each named tuple made by its class (NEWOBJ)."""

    def by_class(value: tuple[Any, ...]) -> tuple[Any, ...]:
        return copyreg.__newobj__, (type(value), *value)  # type: ignore[attr-defined]

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    named = (parsed.Note, parsed.LogEntry, parsed.Mention, parsed.Task, parsed.Position)
    pickler.dispatch_table = {cls: by_class for cls in (*named, parsed.Unreadable)}
    pickler.dump({**payload, "format": 8})
    return buffer.getvalue()


def test_a_cache_of_format_8_is_dropped_quietly_and_written_again(sample_vault: Path) -> None:
    assert FORMAT == 11
    cold = _build(sample_vault)
    first = _pages(sample_vault)
    for shard in _shards(sample_vault):
        old = _as_the_previous_format_wrote_it(_load(shard.read_bytes()))
        assert b"rebuilt" not in old and b"rebuilt" in shard.read_bytes()
        shard.write_bytes(old)
    shutil.rmtree(sample_vault / "Network")  # past the early stop
    shutil.rmtree(sample_vault / ".vaultnet" / "people")  # no saved people: notes are read
    again = _build(sample_vault)
    assert again.returncode == cold.returncode, again.stderr
    assert "cache" not in again.stderr and "Traceback" not in again.stderr
    assert _pages(sample_vault) == first
    for shard in _shards(sample_vault):
        assert _load(shard.read_bytes())["format"] == FORMAT


def test_a_cached_note_of_the_wrong_length_is_parsed_again(sample_vault: Path) -> None:
    cold = _build(sample_vault)
    first = _pages(sample_vault)
    shard, payload, path, (size, mtime, note) = next(
        (shard, payload, path, entry)
        for shard in _shards(sample_vault)
        for payload in [_load(shard.read_bytes())]
        for path, entry in payload["entries"].items()
        if isinstance(entry[2], Note) and entry[2].person
    )
    # Values a note's class would refuse, which the cache's reader does not check.
    short = tuple.__new__(Note, (path, note.stem, True))
    payload["entries"][path] = (size, mtime, short)
    shard.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    shutil.rmtree(sample_vault / "Network")
    shutil.rmtree(sample_vault / ".vaultnet" / "people")  # no saved people: notes are read
    again = _build(sample_vault)
    assert again.returncode == cold.returncode, again.stderr
    assert "Traceback" not in again.stderr
    assert _pages(sample_vault) == first
    saved = _load(shard.read_bytes())["entries"][path][2]
    assert saved == note and len(saved) == len(Note._fields)
