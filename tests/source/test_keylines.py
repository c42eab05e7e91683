"""The lines of a note's front matter keys, packed (``KeyLines``): read as the dict they
were made of, from a fresh parse or the parse cache, and never loaded in another shape."""

from __future__ import annotations

import io
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vaultnet.source.notes import Note, NoteParser
from vaultnet.source.parsed import KeyLines
from vaultnet.state.safepickle import SafeUnpickler

NOTE = """---
name: Ann Lee
email: ann@example.com
tags: [friend]
tier: galactic
---
"""


def _load(data: bytes) -> Any:
    return SafeUnpickler(io.BytesIO(data)).load()


def test_key_lines_read_as_the_dict_they_pack() -> None:
    made = {"name": 2, "email": 3, "knows": 70_000, "tier": 1}
    lines = KeyLines.of(made)
    assert lines == made and dict(lines) == made and list(lines) == list(made)
    assert lines["knows"] == 70_000 and lines.get("tier") == 1 and len(lines) == 4
    assert lines.get("status") is None and "status" not in lines
    with pytest.raises(KeyError):
        lines["status"]
    assert KeyLines() == {} and not KeyLines()
    data = pickle.dumps(lines, protocol=pickle.HIGHEST_PROTOCOL)
    assert _load(data) == made and pickle.loads(data) == made


def test_a_parsed_note_shares_its_keys_with_notes_of_the_same_keys() -> None:
    parser = NoteParser()  # as a build parses a batch of notes
    first = parser.parse("People/Ann Lee.md", NOTE.encode())
    second = parser.parse("People/Bo Lee.md", NOTE.replace("Ann", "Bo").encode())
    assert isinstance(first, Note) and isinstance(second, Note)
    assert first.lines == {"name": 2, "email": 3, "tags": 4, "tier": 5}
    assert list(first.lines) == list(first.front_matter)
    assert first.lines._keys is second.lines._keys  # type: ignore[attr-defined]


class _Planted:
    """Pickles as key lines of the given values, whatever their shape."""

    def __init__(self, *values: object) -> None:
        self.values = values

    def __reduce__(self) -> tuple[Any, ...]:
        return KeyLines, self.values


@pytest.mark.parametrize(
    "values",
    [
        (("name",), b"\x02\x00"),  # fewer bytes than keys
        (["name"], b"\x02\x00\x00\x00"),  # keys not a tuple
        (("name",), "\x02\x00\x00\x00"),  # lines as text
        (("name",), b"\x02\x00\x00\x00", "more"),
    ],
)
def test_key_lines_of_another_shape_do_not_load(values: tuple[object, ...]) -> None:
    with pytest.raises((ValueError, TypeError)):
        _load(pickle.dumps(_Planted(*values), protocol=pickle.HIGHEST_PROTOCOL))


def _build(vault: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "vaultnet", "build", str(vault), "--today", "2026-11-26"]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _again(vault: Path) -> subprocess.CompletedProcess[str]:
    """A build that reads the people's notes again, from the parse cache."""
    shutil.rmtree(vault / "Network")
    shutil.rmtree(vault / ".vaultnet" / "people")
    return _build(vault)


def test_a_warning_names_its_line_from_the_cache_and_from_a_damaged_one(
    tmp_path: Path,
) -> None:
    vault = tmp_path / "vault"
    (vault / "People").mkdir(parents=True)
    (vault / "People" / "Ann Lee.md").write_text(NOTE + "\n## Log\n- 2026-11-01 call\n")
    warning = "People/Ann Lee.md:5: warning: unknown tier 'galactic'"
    cold = _build(vault)
    assert warning in cold.stderr, cold.stderr
    cached = _again(vault)
    assert warning in cached.stderr and "cache" not in cached.stderr, cached.stderr
    shard = next(
        shard
        for shard in sorted((vault / ".vaultnet" / "cache").glob("*.pickle"))
        if "People/Ann Lee.md" in _load(shard.read_bytes())["entries"]
    )
    payload = _load(shard.read_bytes())
    size, mtime, note = payload["entries"]["People/Ann Lee.md"]
    planted = note._replace(lines=_Planted(("tier",), b"\x09"))
    payload["entries"]["People/Ann Lee.md"] = (size, mtime, planted)
    shard.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    damaged = _again(vault)
    assert damaged.returncode == cold.returncode
    assert warning in damaged.stderr and "Traceback" not in damaged.stderr, damaged.stderr
    assert "could not be read (ValueError); rebuilt" in damaged.stderr
    assert _load(shard.read_bytes())["entries"]["People/Ann Lee.md"][2] == note
