"""A persistent cache of parsed notes, keyed by path, size and modification time.

It lives in the vault's ``.vaultnet/`` folder and is never the source of truth: a missing,
truncated, corrupt or foreign cache is rebuilt, and deleting it changes no output. Beside
the parsed notes it keeps a small record of the last build (``last-build.json``), so a
build in which nothing changed can stop before loading the notes at all.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultnet.atomic import atomic_file, write_atomic
from vaultnet.containment import STATE_DIR, link_on_the_way

if TYPE_CHECKING:
    from vaultnet.source.notes import Note, ParseOptions, Unreadable
    from vaultnet.source.vault import SourceFile
    from vaultnet.state.safepickle import SafeReader

FORMAT = 10  # bumped whenever parsing reads a note differently, or the cache stores it so
# Notes in the cache, and shards to write, from which a forked helper saves them (writing
# all the shard files costs far more than forking, even for a small vault).
BACKGROUND_NOTES = 500
BACKGROUND_SHARDS = 64
CACHE_DIR = "cache"  # .vaultnet/cache/notes-00.pickle ... notes-ff.pickle
SHARDS = 256
OLD_CACHE = "cache.pickle"  # the single file of format 2, removed on the next save
RECORD_NAME = "last-build.json"
DIGEST_NAME = "last-digest.json"  # the fingerprint's line, then the digest's JSON text
# A note's size, mtime and the note pickled on its own, as its shard file holds it; None
# for a note put since the file was read (pickled when its shard is saved).
Stored = tuple[int, int, bytes | None]


def shard_of(path: str) -> int:
    """Which of the cache's files holds a note's entry."""
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % SHARDS


class NoteCache:
    """Parsed notes by vault path; ``get`` answers only when size and mtime still match.

    The notes are spread over SHARDS files by a hash of their path, so a build after a few
    edits rewrites a few small files, not the whole cache. Each file is read and written
    whole and atomically; two processes saving at once can mix files, which is harmless,
    as every entry is checked against its note's size and mtime before use. The files are
    read on first use, so a build that needs no note pays nothing for them.

    Each note is pickled on its own: reading the files reads bytes, and ``get`` unpickles
    only the notes asked for (a build that takes most people from its saved state asks for
    a few), each once. A file is written again from the bytes it was read as, but for the
    notes put since.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._entries: dict[str, Stored] | None = None if folder is not None else {}
        self._notes: dict[str, Note | Unreadable] = {}  # unpickled by get, or put
        self._reader: SafeReader | None = None
        self._sizes: dict[type, int] = {}  # a note's tuple length by class, with the reader
        self.options: ParseOptions | None = None
        self.dirty: set[int] = set()  # shards to write
        self.problem: str | None = None
        self._keep: set[str] | None = None  # what retain() kept before the files were read
        self.vault: Path | None = None  # set for a vault's cache: its files stay inside

    @classmethod
    def for_vault(cls, vault: Path) -> NoteCache:
        cache = cls(vault / STATE_DIR / CACHE_DIR)
        cache.vault = vault
        return cache

    def _usable(self) -> bool:
        """Whether the cache's folder lies inside its vault: not reached through a link
        (``.vaultnet`` made a link after the configuration was checked)."""
        if self.folder is None:
            return False
        return self.vault is None or link_on_the_way(self.vault, f"{STATE_DIR}/{CACHE_DIR}") is None

    @classmethod
    def in_memory(cls) -> NoteCache:
        return cls(None)

    @property
    def entries(self) -> dict[str, Stored]:
        """What the cache holds by path, the files read on first use (see ``Stored``)."""
        if self._entries is None:
            self._entries = {}
            if self.folder is not None and self._usable():
                self._load(self.folder)
        return self._entries

    def _load(self, folder: Path) -> None:
        assert self._entries is not None
        for shard in range(SHARDS):
            entries = self._load_shard(folder / _shard_name(shard))
            if entries is None:
                self.dirty.add(shard)  # stale, foreign or corrupt: written again on save
            elif not _well_formed(entries, shard):
                self.dirty.add(shard)  # not the shape vaultnet writes, or in the wrong file
            else:
                self._entries.update(entries)
        if self._keep is not None:
            self.retain(self._keep)
            self._keep = None

    def _unpickler(self) -> SafeReader:
        """The reader of the files and of their notes: one table of classes and one day
        pool for all of them, so that a day is one date object, whichever note holds it."""
        if self._reader is None:
            from vaultnet.source.notes import Note, Unreadable
            from vaultnet.state.safepickle import SafeReader  # pickle only when notes are read

            self._reader = SafeReader()
            self._sizes = {Note: len(Note._fields), Unreadable: len(Unreadable._fields)}
        return self._reader

    def _load_shard(self, path: Path) -> dict[str, Stored] | None:
        """A shard's entries; {} when it does not exist, None when it cannot be used."""
        try:
            with open(path, "rb") as handle:
                payload: Any = self._unpickler().load(handle)
        except FileNotFoundError:
            return {}
        except Exception as exc:  # a corrupt cache is rebuilt, whatever the damage
            self._report(path.name, exc)
            return None
        if (
            not isinstance(payload, dict)
            or payload.get("format") != FORMAT
            or not isinstance(payload.get("entries"), dict)
        ):
            return None
        options = payload.get("options")
        if self.options is None:
            self.options = options
        if options != self.options:
            return None
        entries: dict[str, Stored] = payload["entries"]
        return entries

    def _report(self, name: str, exc: Exception) -> None:
        if self.problem is None:
            shown = f"{CACHE_DIR}/{name}"
            self.problem = f"cache {shown} could not be read ({type(exc).__name__}); rebuilt"

    def use_options(self, options: ParseOptions) -> None:
        """Drop every entry parsed with other options (another config)."""
        if self._entries is None:
            self.options = options  # checked against each file's options when it is loaded
            return
        if self.options != options:
            self._entries = {}
            self._notes = {}
            self.options = options
            self.dirty = set(range(SHARDS))

    def get(self, source: SourceFile) -> Note | Unreadable | None:
        entry = self.entries.get(source.path)
        if entry is None or entry[0] != source.size or entry[1] != source.mtime_ns:
            return None
        note = self._notes.get(source.path)
        if note is None and entry[2] is not None:
            note = self._unpickled(source.path, entry[2])
        return note

    def _unpickled(self, path: str, data: bytes) -> Note | Unreadable | None:
        """The note of an entry's bytes, kept for the next ``get``; None, and the entry
        dropped (parsed again), when the bytes are not a note as vaultnet writes it."""
        try:
            note: Any = self._unpickler().loads(data)
        except Exception as exc:  # a corrupt entry is parsed again, whatever the damage
            self._report(_shard_name(shard_of(path)), exc)
            note = None
        # A note's tuple is made without its class's checks (safepickle.py): its length
        # is checked here.
        size = self._sizes.get(type(note))
        if size is None or len(note) != size:
            self.forget(path)
            return None
        self._notes[path] = note
        size, mtime, _ = self.entries[path]
        self.entries[path] = (size, mtime, None)  # the note is kept: its bytes need not be
        result: Note | Unreadable = note
        return result

    def put(self, source: SourceFile, result: Note | Unreadable) -> None:
        self.entries[source.path] = (source.size, source.mtime_ns, None)
        self._notes[source.path] = result
        self.dirty.add(shard_of(source.path))

    def forget(self, path: str) -> None:
        self._notes.pop(path, None)
        if self.entries.pop(path, None) is not None:
            self.dirty.add(shard_of(path))

    def retain(self, paths: set[str]) -> None:
        """Keep only entries for ``paths`` (the files that still exist)."""
        if self._entries is None:
            self._keep = paths  # applied when the files are read
            return
        gone = [p for p in self._entries if p not in paths]
        for path in gone:
            del self._entries[path]
            self._notes.pop(path, None)
            self.dirty.add(shard_of(path))

    def save(self) -> None:
        """Write the shards that changed, atomically; failures only cost speed.

        An entry read from a file and not asked for is written back as the bytes it was
        read as; the notes put or unpickled since are pickled (a note unpickled keeps no
        bytes: the first build of a day asks for every person note)."""
        if self.folder is None or not self.dirty or self._entries is None:
            return
        if not self._usable():
            return  # never written through a link; a missing cache only costs speed
        import pickle

        from vaultnet.state.safepickle import pack

        shards: dict[int, dict[str, Stored]] = {shard: {} for shard in self.dirty}
        try:
            for path, (size, mtime, data) in self._entries.items():
                shard = shard_of(path)
                if shard in shards:
                    # Dates as day numbers, made into one object a day when read (SafeReader).
                    stored = data if data is not None else pack(self._notes[path])
                    shards[shard][path] = (size, mtime, stored)
            self.folder.mkdir(parents=True, exist_ok=True)
            for shard, entries in sorted(shards.items()):
                target = self.folder / _shard_name(shard)
                if not entries:
                    target.unlink(missing_ok=True)
                else:
                    payload = {"format": FORMAT, "options": self.options, "entries": entries}
                    with atomic_file(target, 0o600, durable=False) as handle:
                        pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
                self.dirty.discard(shard)
            (self.folder.parent / OLD_CACHE).unlink(missing_ok=True)
        except (OSError, pickle.PicklingError, ValueError):
            return  # a cache that cannot be saved only costs speed

    def save_in_background(self) -> Saving | None:
        """Start saving the shards that changed in a forked helper, while this process goes
        on; ``Saving.wait`` then waits for it. None when there is little to save or forking
        is not safe here: ``save`` does it all then.

        A large cold build's save (pickling every note into 256 files) is a large part of
        the build, which the helper spends on the second core while this process models
        the network and renders the pages. Whatever changes after the fork is saved by the
        next ``save``; whatever the helper failed to write is too.
        """
        if (
            self.folder is None
            or self._entries is None
            or len(self._entries) < BACKGROUND_NOTES
            or len(self.dirty) < BACKGROUND_SHARDS
        ):
            return None
        from vaultnet.state.forked import can_fork

        if not can_fork():
            return None
        taken, self.dirty = self.dirty, set()
        try:
            pid = os.fork()
        except OSError:
            self.dirty |= taken
            return None
        if pid == 0:  # the helper: save, and leave without running any cleanup
            try:
                self.dirty = taken
                self.save()
                os._exit(1 if self.dirty else 0)
            except BaseException:
                os._exit(1)
        return Saving(self, pid, taken)

    # The record of the last build: a fingerprint of every input and what came out.

    def read_record(self) -> dict[str, Any] | None:
        if self.folder is None or not self._usable():
            return None
        try:
            record = json.loads((self.folder.parent / RECORD_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            return None
        return record

    def write_record(self, record: dict[str, Any]) -> None:
        if self.folder is None or not self._usable():
            return
        data = json.dumps({"format": FORMAT, **record}, ensure_ascii=False).encode("utf-8")
        _atomic_dump(self.folder.parent / RECORD_NAME, data)

    def read_digest(self, fingerprint: str) -> str | None:
        """The digest's JSON text saved by the build whose fingerprint is given, if any.

        It is kept apart from the record, which every build reads, and printed as saved.
        """
        if self.folder is None or not self._usable():
            return None
        try:
            data = (self.folder.parent / DIGEST_NAME).read_text(encoding="utf-8")
        except (OSError, ValueError):
            return None
        saved, _, text = data.partition("\n")
        return text if saved == fingerprint and text else None

    def write_digest(self, fingerprint: str, text: Callable[[], str]) -> None:
        """Save the digest's text (made by ``text``, only when there is a folder to save to)."""
        if self.folder is None or not self._usable():
            return
        try:
            # Encoded apart: joined first, a text holding one emoji would be copied at
            # four bytes a character (megabytes for the digest of a large vault).
            data = b"%s\n%s" % (fingerprint.encode(), text().encode())
        except UnicodeEncodeError:
            return  # a lone surrogate: the next digest is computed again instead
        _atomic_dump(self.folder.parent / DIGEST_NAME, data)


class Saving:
    """A save running in a forked helper (see ``NoteCache.save_in_background``)."""

    def __init__(self, cache: NoteCache, pid: int, shards: set[int]) -> None:
        self.cache = cache
        self.pid = pid
        self.shards = shards

    def wait(self) -> None:
        """Wait for the helper. Unless it saved every shard it took, they are all left to
        the cache's next ``save``."""
        try:
            _, status = os.waitpid(self.pid, 0)
        except OSError:
            status = -1
        if status != 0:
            self.cache.dirty |= self.shards


def _atomic_dump(path: Path, data: bytes) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data, 0o600, durable=False)
    except OSError:
        return False
    return True


def _well_formed(entries: dict[Any, Any], shard: int) -> bool:
    """Whether a shard's entries have the shape vaultnet writes, each in its right file.
    Each note's own shape is checked when it is unpickled (``NoteCache.get``).

    A loop rather than all() over a generator, with shard_of inline: every entry of a large
    cache is checked on each build that loads it."""
    crc32 = zlib.crc32
    for path, entry in entries.items():
        if not (
            type(path) is str
            and type(entry) is tuple
            and len(entry) == 3
            and type(entry[0]) is int
            and type(entry[1]) is int
            and type(entry[2]) is bytes
            and crc32(path.encode("utf-8", "surrogateescape")) % SHARDS == shard
        ):
            return False
    return True


def _shard_name(shard: int) -> str:
    return f"notes-{shard:02x}.pickle"
