"""A persistent cache of parsed notes, keyed by path, size and modification time.

It lives in the vault's ``.vaultnet/`` folder and is never the source of truth: a missing,
truncated, corrupt or foreign cache is rebuilt, and deleting it changes no output.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from .notes import Note, ParseOptions, Unreadable
from .vault import SourceFile

FORMAT = 1
# A vault may come from someone else: unpickle only the plain value types a note is made of.
_ALLOWED = {
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "timezone"),
    ("datetime", "timedelta"),
    ("vaultnet.notes", "Note"),
    ("vaultnet.notes", "Unreadable"),
    ("vaultnet.notes", "LogEntry"),
    ("vaultnet.notes", "Mention"),
    ("vaultnet.notes", "Position"),
    ("vaultnet.notes", "ParseOptions"),
    ("vaultnet.dates", "Duration"),
    ("vaultnet.dates", "Birthday"),
    ("vaultnet.diagnostics", "Diagnostic"),
}


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


CACHE_NAME = "cache-v1.pickle"

Entry = tuple[int, int, Note | Unreadable]


class NoteCache:
    """Parsed notes by vault path; ``get`` answers only when size and mtime still match."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, Entry] = {}
        self.options: ParseOptions | None = None
        self.dirty = False
        self.problem: str | None = None
        if path is not None:
            self._load(path)

    @classmethod
    def for_vault(cls, vault: Path) -> NoteCache:
        return cls(vault / ".vaultnet" / CACHE_NAME)

    @classmethod
    def in_memory(cls) -> NoteCache:
        return cls(None)

    def _load(self, path: Path) -> None:
        try:
            with open(path, "rb") as handle:
                payload: Any = _SafeUnpickler(handle).load()
        except FileNotFoundError:
            return
        except Exception as exc:  # a corrupt cache is rebuilt, whatever the damage
            self.problem = f"cache {path.name} could not be read ({type(exc).__name__}); rebuilt"
            self.dirty = True
            return
        if (
            not isinstance(payload, dict)
            or payload.get("format") != FORMAT
            or not isinstance(payload.get("entries"), dict)
        ):
            self.dirty = True
            return
        self.options = payload.get("options")
        self.entries = payload["entries"]

    def use_options(self, options: ParseOptions) -> None:
        """Drop every entry parsed with other options (another config)."""
        if self.options != options:
            self.entries = {}
            self.options = options
            self.dirty = True

    def get(self, source: SourceFile) -> Note | Unreadable | None:
        entry = self.entries.get(source.path)
        if entry is None or entry[0] != source.size or entry[1] != source.mtime_ns:
            return None
        return entry[2]

    def put(self, source: SourceFile, result: Note | Unreadable) -> None:
        self.entries[source.path] = (source.size, source.mtime_ns, result)
        self.dirty = True

    def forget(self, path: str) -> None:
        if self.entries.pop(path, None) is not None:
            self.dirty = True

    def retain(self, paths: set[str]) -> None:
        """Keep only entries for ``paths`` (the files that still exist)."""
        gone = [p for p in self.entries if p not in paths]
        for path in gone:
            del self.entries[path]
        if gone:
            self.dirty = True

    def save(self) -> None:
        """Write the cache atomically, when it changed; failures only cost speed."""
        if self.path is None or not self.dirty:
            return
        payload = {"format": FORMAT, "options": self.options, "entries": self.entries}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".cache.", dir=self.path.parent)
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, self.path)
            self.dirty = False
        except OSError:
            return
