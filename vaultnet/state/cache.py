"""A persistent cache of parsed notes, keyed by path, size and modification time.

It lives in the vault's ``.vaultnet/`` folder and is never the source of truth: a missing,
truncated, corrupt or foreign cache is rebuilt, and deleting it changes no output. Beside
the parsed notes it keeps a small record of the last build (``last-build.json``), so a
build in which nothing changed can stop before loading the notes at all.

A one-shot build that read no stub lets go of the entries as soon as the notes are read
and saved (``let_go_once_saved``), not once the network is made: the model, which sets a
cold build's peak, no longer has the entries and the save's pickling on top of it (at 10k,
serial, 108.84 -> 108.18 MB, medians of 4 alternated; 107.46 -> 106.68 MB with the parse
pool; docs/performance.md, "Memory").
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultnet.atomic import atomic_file, write_atomic
from vaultnet.containment import STATE_DIR, link_on_the_way
from vaultnet.state.saving import Saving, in_helper

if TYPE_CHECKING:
    from vaultnet.source.notes import Note, ParseOptions, Unreadable
    from vaultnet.source.vault import SourceFile
    from vaultnet.state.safepickle import Days

FORMAT = 11  # bumped whenever parsing reads a note differently, or the cache stores it so
# Notes in the cache, and shards to write, from which a forked helper saves them (writing
# all the shard files costs far more than forking, even for a small vault).
BACKGROUND_NOTES = 500
BACKGROUND_SHARDS = 64  # files to write, of the 512
# A one-shot build that read no more files of person notes than this leaves unwritten
# those of the person notes it parsed (``save``).
FEW_PEOPLE_FILES = 32
CACHE_DIR = "cache"  # .vaultnet/cache/notes-00.pickle ..., people-00.pickle ...
SHARDS = 256
OLD_CACHE = "cache.pickle"  # the single file of format 2, removed on the next save
RECORD_NAME = "last-build.json"
DIGEST_NAME = "last-digest.json"  # the fingerprint's line, then the digest's JSON text
Entry = tuple[int, int, "Note | Unreadable"]


def shard_of(path: str) -> int:
    """Which of the cache's files of its kind holds a note's entry."""
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % SHARDS


class NoteCache:
    """Parsed notes by vault path; ``get`` answers only when size and mtime still match.

    The notes are spread over SHARDS files by a hash of their path, so a build after a few
    edits rewrites a few small files, not the whole cache; person notes are in files of
    their own (``people-00.pickle`` ..., the others in ``notes-00.pickle`` ...). A file is
    read when a note it may hold is first asked for: a build that reads the person notes
    it did not edit as the stubs saved with their people (state/personstore.py) reads the
    files of the other notes, and of the person notes edited, only. Each file is read and
    written whole and atomically; two processes saving at once can mix files, which is
    harmless, as every entry is checked against its note's size and mtime before use.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        # The files read, by slot (``_slot``): each one's entries by path.
        self._files: dict[int, dict[str, Entry]] = {}
        self._all = folder is None  # whether every file is read (nothing to read: yes)
        self._pool: Days | None = None
        self._sizes: dict[type, int] = {}  # a note's tuple length by class, with the days
        self.options: ParseOptions | None = None
        self.dirty: set[int] = set()  # slots to write
        self.problem: str | None = None
        self._keep: set[str] | None = None  # what retain() kept, applied to files read later
        self.vault: Path | None = None  # set for a vault's cache: its files stay inside
        self.forgotten = False  # whether let_go forgot the notes: nothing more is saved

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
    def entries(self) -> dict[str, Entry]:
        """Every entry by path, every file read (a copy: change the cache through ``put``,
        ``forget`` and ``retain``)."""
        if not self._all:
            for slot in range(2 * SHARDS):
                self._file(slot)
            self._all = True
        found: dict[str, Entry] = {}
        for entries in self._files.values():
            found.update(entries)
        return found

    def _file(self, slot: int) -> dict[str, Entry]:
        """The entries of a slot's file, read on first use."""
        entries = self._files.get(slot)
        if entries is None:
            entries = self._files[slot] = self._read(slot)
        return entries

    def _read(self, slot: int) -> dict[str, Entry]:
        if self._all or self.folder is None or not self._usable():
            return {}
        entries = self._load_shard(self.folder / _shard_name(slot))
        if entries is None or not _well_formed(entries, slot, self._sizes):
            self.dirty.add(slot)  # stale, foreign, corrupt or misplaced: written again
            return {}
        if self._keep is not None:
            gone = [path for path in entries if path not in self._keep]
            for path in gone:
                del entries[path]
            if gone:
                self.dirty.add(slot)
        return entries

    def _days(self) -> Days:
        """The dates of every file read: one object a day, whichever file holds it. Made
        with the first file read, with each note's length by class (``_well_formed``)."""
        if self._pool is None:
            from vaultnet.source.notes import Note, Unreadable
            from vaultnet.state.safepickle import Days  # pickle only when notes are read

            self._pool = Days()
            self._sizes = {Note: len(Note._fields), Unreadable: len(Unreadable._fields)}
        return self._pool

    def _load_shard(self, path: Path) -> dict[str, Entry] | None:
        """A file's entries; {} when it does not exist, None when it cannot be used."""
        from vaultnet.state.safepickle import SafeUnpickler

        days = self._days()
        try:
            with open(path, "rb") as handle:
                payload: Any = SafeUnpickler(handle, days).load()
        except FileNotFoundError:
            return {}
        except Exception as exc:  # a corrupt cache is rebuilt, whatever the damage
            if self.problem is None:
                shown = f"{CACHE_DIR}/{path.name}"
                self.problem = f"cache {shown} could not be read ({type(exc).__name__}); rebuilt"
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
        entries: dict[str, Entry] = payload["entries"]
        return entries

    def use_options(self, options: ParseOptions) -> None:
        """Drop every entry parsed with other options (another config)."""
        if self.options is not None and self.options != options:
            self._files = {}
            self._all = True  # nothing of the files is of use: every one written again
            self.dirty = set(range(2 * SHARDS))
        self.options = options  # checked against each file's options when it is read

    def get(self, source: SourceFile) -> Note | Unreadable | None:
        shard = shard_of(source.path)
        entry = self._file(shard).get(source.path)  # the other notes first: most are asked
        if entry is None:
            entry = self._file(shard + SHARDS).get(source.path)
        if entry is None or entry[0] != source.size or entry[1] != source.mtime_ns:
            return None
        return entry[2]

    def put(self, source: SourceFile, result: Note | Unreadable) -> None:
        path = source.path
        slot = _slot(path, result)
        other = slot + SHARDS if slot < SHARDS else slot - SHARDS
        if self._file(other).pop(path, None) is not None:
            self.dirty.add(other)  # it was a note of the other kind
        self._file(slot)[path] = (source.size, source.mtime_ns, result)
        self.dirty.add(slot)

    def forget(self, path: str) -> None:
        shard = shard_of(path)
        for slot in (shard, shard + SHARDS):
            if self._file(slot).pop(path, None) is not None:
                self.dirty.add(slot)

    def retain(self, paths: set[str]) -> None:
        """Keep only entries for ``paths`` (the files that still exist); files read later
        are cut down to them when read."""
        self._keep = paths
        for slot, entries in self._files.items():
            gone = [path for path in entries if path not in paths]
            for path in gone:
                del entries[path]
            if gone:
                self.dirty.add(slot)

    def let_go(self) -> None:
        """Forget every note, once they are saved or being saved (a one-shot build's): the
        cache then answers nothing, and saves nothing, since it holds none of them."""
        self._files, self._all = {}, True
        self.dirty = set()
        self.forgotten = True

    def let_go_once_saved(self, save: bool) -> None:
        """Let go of every note (a one-shot build's), saved first with ``save`` (unless it
        was let go already). The person notes parsed after a few edits are read as their
        people's stubs by the next builds: their files wait for a build that reads them
        whole (``few_people_later``).

        A build that read no stub calls it as soon as the notes are read (see above)."""
        if save:
            self.save(few_people_later=True)
        self.let_go()

    def save(self, few_people_later: bool = False) -> None:
        """Write the files that changed, atomically; failures only cost speed.

        ``few_people_later`` (a one-shot build, which lets go of the cache next): the files
        of person notes are not written when the build read no more than
        FEW_PEOPLE_FILES of them (a build after a few edits: those of the notes edited).
        Each holds some 40 notes, written again whole for the one edited, and the next
        builds read an edited note as the stub saved with its person
        (state/personstore.py) while it stays as it is. A build that reads the person
        notes whole (the first of a day, which makes everyone again) parses those notes
        again, and writes their files.
        """
        if self.folder is None or not self.dirty or self.forgotten:
            return
        if not self._usable():
            return  # never written through a link; a missing cache only costs speed
        import pickle

        slots = sorted(self.dirty)
        if few_people_later and sum(slot >= SHARDS for slot in self._files) <= FEW_PEOPLE_FILES:
            slots = [slot for slot in slots if slot < SHARDS]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for slot in slots:
                entries = self._files.get(slot, {})  # not read: it could not be used
                target = self.folder / _shard_name(slot)
                if not entries:
                    target.unlink(missing_ok=True)
                else:
                    payload = {"format": FORMAT, "options": self.options, "entries": entries}
                    with atomic_file(target, 0o600, durable=False) as handle:
                        pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
                self.dirty.discard(slot)
            (self.folder.parent / OLD_CACHE).unlink(missing_ok=True)
        except (OSError, pickle.PicklingError, ValueError):
            return  # a cache that cannot be saved only costs speed

    def save_in_background(self) -> Saving | None:
        """Start saving the files that changed in a forked helper, while this process goes
        on; ``Saving.wait`` then waits for it. None when there is little to save or forking
        is not safe here: ``save`` does it all then.

        A large cold build's save (pickling every note into 512 files) is a large part of
        the build, which the helper spends on the second core while this process models
        the network and renders the pages. Whatever changes after the fork is saved by the
        next ``save``; whatever the helper failed to write is too.
        """
        held = sum(len(entries) for entries in self._files.values())
        if self.folder is None or held < BACKGROUND_NOTES or len(self.dirty) < BACKGROUND_SHARDS:
            return None
        taken = self.dirty

        def save() -> bool:  # in the helper
            self.dirty = taken
            self.save()
            return not self.dirty

        saving = in_helper(save, lambda: self.dirty.update(taken))  # written again by save
        if saving is not None:
            self.dirty = set()
        return saving

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

    def write_digest(self, fingerprint: str, pieces: Callable[[], Iterable[str]]) -> None:
        """Save the digest's text, in the ``pieces`` made by ``pieces()`` (only when there
        is a folder to save to), each encoded as it is written: joined first, a text
        holding one emoji would be copied at four bytes a character (megabytes for the
        digest of a large vault). Failures only cost speed."""
        if self.folder is None or not self._usable():
            return
        path = self.folder.parent / DIGEST_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_file(path, 0o600, durable=False) as handle:
                handle.write(fingerprint.encode() + b"\n")
                for piece in pieces():
                    handle.write(piece.encode())
        except (OSError, UnicodeEncodeError):
            return  # a lone surrogate: the next digest is computed again instead


def _atomic_dump(path: Path, data: bytes) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data, 0o600, durable=False)
    except OSError:
        return False
    return True


def _slot(path: str, result: Note | Unreadable) -> int:
    """Where a note's entry is kept: its shard, among the person notes' files or the
    others'."""
    person = getattr(result, "person", False)  # an Unreadable is no person's note
    return shard_of(path) + (SHARDS if person else 0)


def _well_formed(entries: dict[Any, Any], slot: int, sizes: dict[type, int]) -> bool:
    """Whether a file's entries have the shape vaultnet writes, each in its right file.

    A loop rather than all() over a generator, with shard_of inline: every entry of a file
    is checked on each build that reads it."""
    crc32 = zlib.crc32
    shard, people = slot % SHARDS, slot >= SHARDS
    for path, entry in entries.items():
        if not (
            type(path) is str
            and type(entry) is tuple
            and len(entry) == 3
            and type(entry[0]) is int
            and type(entry[1]) is int
            and sizes.get(type(entry[2])) == len(entry[2])
            and getattr(entry[2], "person", False) is people
            and crc32(path.encode("utf-8", "surrogateescape")) % SHARDS == shard
        ):
            return False
    return True


def _shard_name(slot: int) -> str:
    kind = "people" if slot >= SHARDS else "notes"
    return f"{kind}-{slot % SHARDS:02x}.pickle"
