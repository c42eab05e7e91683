"""A persistent cache of parsed notes, keyed by path, size and modification time.

It lives in the vault's ``.vaultnet/`` folder and is never the source of truth: a missing,
truncated, corrupt or foreign cache is rebuilt, and deleting it changes no output. Beside
the parsed notes it keeps a small record of the last build (``last-build.json``), so a
build in which nothing changed can stop before loading the notes at all.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import atomic_file, write_atomic

if TYPE_CHECKING:
    from .notes import Note, ParseOptions, Unreadable
    from .vault import SourceFile

FORMAT = 2
CACHE_NAME = "cache.pickle"
RECORD_NAME = "last-build.json"
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

Entry = tuple[int, int, "Note | Unreadable"]


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


class NoteCache:
    """Parsed notes by vault path; ``get`` answers only when size and mtime still match.

    The file is read on first use, so a build that needs no note pays nothing for it.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, Entry] | None = None if path is not None else {}
        self.options: ParseOptions | None = None
        self.dirty = False
        self.problem: str | None = None

    @classmethod
    def for_vault(cls, vault: Path) -> NoteCache:
        return cls(vault / ".vaultnet" / CACHE_NAME)

    @classmethod
    def in_memory(cls) -> NoteCache:
        return cls(None)

    @property
    def entries(self) -> dict[str, Entry]:
        if self._entries is None:
            self._entries = {}
            if self.path is not None:
                self._load(self.path)
        return self._entries

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
        if payload.get("options") != self.options and self.options is not None:
            self.dirty = True
            return
        self.options = payload.get("options")
        self._entries = payload["entries"]

    def use_options(self, options: ParseOptions) -> None:
        """Drop every entry parsed with other options (another config)."""
        if self._entries is None:
            self.options = options  # checked against the file's options when it is loaded
            return
        if self.options != options:
            self._entries = {}
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
        if self._entries is None:
            return  # not loaded: entries of vanished files are dropped on the next save
        gone = [p for p in self._entries if p not in paths]
        for path in gone:
            del self._entries[path]
        if gone:
            self.dirty = True

    def save(self) -> None:
        """Write the cache atomically, when it changed; failures only cost speed."""
        if self.path is None or not self.dirty or self._entries is None:
            return
        payload = {"format": FORMAT, "options": self.options, "entries": self._entries}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_file(self.path, 0o600, durable=False) as handle:
                pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
                # No memo: the notes share no objects worth tracking, and the memo of
                # every value would double the memory a large vault's build peaks at.
                pickler.fast = True
                pickler.dump(payload)
        except (OSError, pickle.PicklingError, ValueError):
            return  # a cache that cannot be saved only costs speed
        self.dirty = False

    # The record of the last build: a fingerprint of every input and what came out.

    def read_record(self) -> dict[str, Any] | None:
        if self.path is None:
            return None
        try:
            record = json.loads((self.path.parent / RECORD_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            return None
        return record

    def write_record(self, record: dict[str, Any]) -> None:
        if self.path is None:
            return
        data = json.dumps({"format": FORMAT, **record}, ensure_ascii=False).encode("utf-8")
        _atomic_dump(self.path.parent / RECORD_NAME, data)


def _atomic_dump(path: Path, data: bytes) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data, 0o600, durable=False)
    except OSError:
        return False
    return True
