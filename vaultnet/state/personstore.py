"""People saved in ``.vaultnet/people/`` for the next one-shot build to take as they are.

Each person the last build made, under their note's path, with the warnings about the note,
the key of the note (its size and modification time, as the parse cache trusts) and a
``Stub`` of it: what the model reads of a person note besides making the person. A person
carries a digest of everything it is made from (the note's content, the dated notes that
mention them, the names links resolve against, the day and the configuration): a build
takes a saved person exactly when the person it would make has the same digest, as it takes
a person kept in memory (people.py). It reads the stub in place of a note whose key has not
changed, and the whole note only when it must make the person again, or when something asks
for the person's interactions or front matter, which are not saved (person.py ``Details``).
The fields a build after a few edits reads of few people (person.py ``More``) are the last
part of each file, unpickled when one of its people's is asked for (``SavedDetails``).

People are named tuples, made in C on loading (safepickle.py): loading 10,000 people and
stubs costs less than loading their parsed notes, and far less than making them again (see
docs/performance.md). Tiers are saved by name and taken from the configuration. A file
holds its people and stubs in the shapes the per-person state keeps them, so that a load
takes them as they are, once a loop over each has checked their shapes.

Each file's head holds, beside the format, version, configuration and day it was saved
with, the identity of each of its people's notes: the note's key and a digest of what the
duplicate check compares in it (identity.py). Those do not depend on the day: a build of
another day, which reads no further than the head, takes them too. The head also says
what the file's people were made with besides their notes (``Made``: the names' key and
where they are mentioned), for the first build to take them without finding their
digests again (people.py ``_unchanged``). The head and the people are two pickles of one
pickler: each path and key is in the file, and loaded, once.

People are spread over SHARDS files by a hash of the path, like the parse cache; a build
rewrites only the files of the people it made or lost. Loading allows the model's named
tuples and the plain values of notes only; a file that is missing, damaged, of another
format, version or configuration, or of another shape is ignored. Nothing here is the
source of truth: deleting the folder changes no output, only the time a build takes.
"""

from __future__ import annotations

import datetime as dt
import io
import pickle
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping
from itertools import chain, repeat
from pathlib import Path
from typing import IO, Any, NamedTuple

from vaultnet.atomic import atomic_file
from vaultnet.config import Config, Tier
from vaultnet.containment import STATE_DIR, link_on_the_way
from vaultnet.diagnostics import Diagnostic
from vaultnet.model.followups import FollowUp
from vaultnet.model.network import config_key, is_dated
from vaultnet.model.person import Details, DetailsValues, More, Person, Ref
from vaultnet.source.notes import Note
from vaultnet.source.parsed import KeyLines, rebuilt
from vaultnet.state.cache import shard_of
from vaultnet.state.safepickle import Days, SafeUnpickler, by_number
from vaultnet.state.saving import Saving, in_helper
from vaultnet.version import VERSION

FORMAT = 6  # bumped whenever what is saved of a person changes, or how a person is made
PEOPLE_DIR = "people"  # .vaultnet/people/people-00.pickle ... people-ff.pickle
SHARDS = 256  # as many as the parse cache's, by the same hash of the path
BACKGROUND_PEOPLE = 500  # people made, from which a forked helper saves them
# The lines of a note the duplicate check names in its warnings (identity.py).
IDENTITY_LINES = ("name", "aliases", "email", "linkedin", "phone")


class Stub(Note):
    """What the model reads of a person note when it takes the person saved from it: the
    names, what the duplicate check compares, the tasks and the diagnostics. Its other
    fields are left empty, and of the lines only those of IDENTITY_LINES are kept. Never
    made into a person: the whole note is read for that (people.py)."""

    __slots__ = ()


def stub_of(note: Note) -> Stub | None:
    """The stub of a person note; None for a dated note, whose mentions are read too."""
    if type(note) is Stub:
        return note
    if is_dated(note):
        return None
    # The keys as these strings, and the name as the file name's when the same: a file
    # of people holds each string once, however many stubs have it.
    found = note.lines
    lines = KeyLines.of({key: found[key] for key in IDENTITY_LINES if key in found})
    return Stub(
        note.path,
        note.stem,
        note.person,
        note.generated,
        name=note.stem if note.name == note.stem else note.name,
        aliases=note.aliases,
        company=note.company,
        email=note.email,
        phone=note.phone,
        linkedin=note.linkedin,
        tasks=note.tasks,
        lines=lines,
        diagnostics=note.diagnostics,
    )


# A person as the per-person state keeps them (people.py): their digest, the person, the
# warnings about their note.
Entry = tuple[str, Person, tuple[Diagnostic, ...]]
# Where a person's mentions are (the path and key of the dated note of each, in order):
# None when not known (then their file's people are not taken without their digest).
Mentioned = tuple[tuple[str, str], ...] | None
# What is saved of a person: the entry, the note's key, its stub (None: none), the
# digest of what the duplicate check compares in the note (identities.py) and where
# the person is mentioned.
Saved = tuple[Entry, str, Stub | None, str, Mentioned]


class Made(NamedTuple):
    """What the people of one file were made with, besides their notes: the day (its
    number), the key of the names, and where they are mentioned (the key of each dated
    note that mentions one of them, by its path, and how many mentions there are).
    While all of it is as it was, so is every person's digest whose note is unchanged
    (people.py ``_unchanged``)."""

    day: int
    names: str
    mentions: dict[str, str]
    mentioned: int
    paths: Collection[str]  # the people of the file


class Loaded(NamedTuple):
    """The saved people, in the shapes the per-person state keeps (people.py)."""

    people: dict[str, Entry]  # by the note's path
    stubs: dict[str, tuple[str, Stub]]  # the note's key and its stub, by its path
    # The note's key and its identity digest, by its path: also of people saved for
    # another day than the one asked for.
    identities: dict[str, tuple[str, str]]
    # What each file's people were made with (those of the day asked for, when known).
    made: list[Made]


_MODEL = {
    (cls.__module__, cls.__qualname__): cls
    for cls in (Person, Ref, FollowUp, Diagnostic, Stub, More)
}
_FIELDS = len(Person._fields)
_MORE_FIELDS = len(More._fields)
_NOTE_FIELDS = len(Note._fields)


def saved_tier(name: str) -> Tier:
    """What a saved file names in place of a tier: loading takes the configuration's tier of
    that name instead (``_Unpickler``)."""
    raise pickle.UnpicklingError(f"tier {name!r}: tiers are taken from the configuration")


def saved_details() -> Details:
    """What a saved file names in place of its people's details: loading takes the
    file's ``SavedDetails`` instead."""
    raise pickle.UnpicklingError("a person's details are loaded with their file")


def _not_taken() -> DetailsValues:
    raise RuntimeError("a saved person's details were asked for before a build took them")


class SavedDetails(Details):
    """The details of a file's people, as loaded: one object that all of them share,
    which makes each one's when first asked for (people.py says how, with ``later``).
    Their ``More`` (person.py) is the file's last part, kept as bytes and unpickled when
    someone's is first asked for: a build after a few edits reads it of few people (those
    made again have their own), so that loading a file costs what every build reads. A
    part that is damaged or of another shape is ignored: each one's ``More`` is then made
    from their note."""

    __slots__ = ("_days", "_found", "_makes", "_people", "_tiers", "data")

    def __init__(self, days: Days, tiers: dict[str, Tier]) -> None:
        super().__init__()
        self.data = b""  # the last part, until unpickled
        self._days = days
        self._tiers = tiers
        self._found: dict[str, More] | None = None
        self._makes: dict[str, Callable[[], DetailsValues]] = {}
        self._people: dict[str, Details] = {}  # each one's, once asked for

    def itself(self) -> SavedDetails:
        """What the file names for each person's details (``saved_details``)."""
        return self

    def values(self, key: str) -> tuple[tuple[Any, ...], dict[str, object]]:
        return self._of(key).values(key)

    def more(self, key: str) -> More:
        return self._of(key).more(key)

    def made(self, key: str) -> bool:
        found = self._people.get(key)
        return found is not None and found.made(key)

    def later(self, key: str, make: Callable[[], DetailsValues]) -> None:
        found = self._people.get(key)
        if found is not None:
            found.later(key, make)
        else:
            self._makes[key] = make

    def _of(self, key: str) -> Details:
        found = self._people.get(key)
        if found is None:
            if self._found is None:
                self._found = self._load()
            make = self._makes.pop(key, _not_taken)
            found = self._people[key] = Details(more=self._found.get(key), make=make)
        return found

    def _load(self) -> dict[str, More]:
        data, self.data = self.data, b""
        try:
            found: Any = _Unpickler(io.BytesIO(data), self._days, self._tiers).load()
        except Exception:  # damaged, or of another shape: made from the notes instead
            return {}
        if not (
            type(found) is dict
            and _only(found, str)
            and _only(found.values(), More)
            and set(map(len, found.values())) <= {_MORE_FIELDS}
        ):
            return {}
        return found


class _Unpickler(SafeUnpickler):
    """Unpickles a file of people: the plain values of notes, the model's named tuples, and
    tiers of the configuration by name; a person's details as ``more`` says."""

    def __init__(
        self,
        file: IO[bytes],
        days: Days,
        tiers: dict[str, Tier],
        details: SavedDetails | None = None,
    ) -> None:
        super().__init__(file, days)
        self._tiers = tiers
        self._details = details

    def find_class(self, module: str, name: str) -> Any:
        found = _MODEL.get((module, name))
        if found is not None:
            return found
        if module == __name__ and name == "saved_tier":
            return self._tiers.__getitem__  # a tier the configuration has not: unusable
        if module == __name__ and name == "saved_details" and self._details is not None:
            return self._details.itself
        return super().find_class(module, name)


class PersonStore:
    """The saved people of one vault, by note path (``load``, then ``save``)."""

    def __init__(self, vault: Path) -> None:
        self.vault = vault
        self.folder = vault / STATE_DIR / PEOPLE_DIR
        # The paths each file holds, as read or last written: None until loaded.
        self.held: list[set[str]] | None = None
        self.failed: set[int] = set()  # files that could not be written, to write again

    def _usable(self) -> bool:
        """Whether the folder lies inside the vault, not reached through a link."""
        return link_on_the_way(self.vault, f"{STATE_DIR}/{PEOPLE_DIR}") is None

    def load(self, config: Config, today: dt.date | None = None) -> Loaded:
        """Every usable saved person, by path, with the stubs; their tiers are
        ``config``'s. With ``today``, only people saved for that day: a person's digest
        holds the day, so no one saved for another is ever taken (a file's head says its
        day, and the rest of a file of another day is not read)."""
        self.held = [set() for _ in range(SHARDS)]
        found = Loaded({}, {}, {}, [])
        if not self._usable():
            return found
        days = Days()
        tiers = {tier.name: tier for tier in config.tiers}
        head = _head(config, today)
        for shard in range(SHARDS):
            people, stubs, identities, made = self._read(shard, days, tiers, head)
            found.people.update(people)
            found.stubs.update(stubs)
            found.identities.update(identities)
            if made is not None:
                found.made.append(made)
            self.held[shard] = set(people)
        return found

    def _read(
        self, shard: int, days: Days, tiers: dict[str, Tier], head: dict[str, Any]
    ) -> tuple[
        dict[str, Entry], dict[str, tuple[str, Stub]], dict[str, tuple[str, str]], Made | None
    ]:
        """A file's people, stubs, identities and what its people were made with, as
        ``_dump`` writes them; none when it cannot be used (the identities alone when it
        is of another day)."""
        identities: Any = {}
        try:
            with open(self.folder / _name(shard), "rb") as handle:
                details = SavedDetails(days, tiers)
                unpickler = _Unpickler(handle, days, tiers, details)
                found: Any = unpickler.load()
                if type(found) is not dict or any(
                    found.get(k) != v for k, v in head.items() if k != "day"
                ):
                    return {}, {}, {}, None  # of another format, version or configuration
                identities = found.get("identities")
                if not _identities_well_formed(identities):
                    return {}, {}, {}, None
                if "day" in head and found.get("day") != head["day"]:
                    return {}, {}, identities, None  # of another day: its people are not
                made = _made_of(found)
                # The same unpickler: the people's paths and keys are the head's.
                found = unpickler.load()
                details.data = handle.read()  # the people's ``More``, unpickled if asked for
        except Exception:  # missing or damaged: nothing saved there
            return {}, {}, identities, None
        if type(found) is not tuple or len(found) != 2:
            return {}, {}, identities, None
        people, stubs = found
        if (
            type(people) is not dict
            or type(stubs) is not dict
            or not _people_well_formed(people, shard, details)
            or not _stubs_well_formed(stubs, people)
        ):
            # not the shape vaultnet writes, or in the wrong file
            return {}, {}, identities, None
        return people, stubs, identities, made._replace(paths=people.keys()) if made else None

    def save(
        self,
        config: Config,
        today: dt.date,
        names: str,
        paths: Collection[str],
        people: Callable[[Iterable[str]], Mapping[str, Saved]],
        made: Collection[str],
    ) -> None:
        """Save the people of ``paths`` (``people`` gives those asked for, a file's at a
        time), made with ``config`` for ``today`` and the names of key ``names``: the
        files that hold a path in ``made`` (people made since they were loaded) or one no
        longer in ``paths``, and those a helper failed to write. Only the people of those
        files are asked for and written: a build after a few edits encodes a few files'
        people, not everyone. Failures only cost speed."""
        dirty = self._dirty(paths, made)
        if not dirty or not self._usable():
            return
        members = self._hold(dirty, paths, made)
        head = {**_head(config, today), "names": names}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for shard in sorted(dirty):
                target = self.folder / _name(shard)
                if not members[shard]:
                    target.unlink(missing_ok=True)
                else:
                    # Asked for file by file: a cold build's 10,000 stubs are never all
                    # held at once.
                    chosen = dict(people(sorted(members[shard])))
                    with atomic_file(target, 0o600, durable=False) as handle:
                        _dump(head, chosen, handle)
                self.failed.discard(shard)
        except (OSError, pickle.PicklingError, ValueError):
            self.failed |= dirty  # written again by the next save

    def save_in_background(
        self,
        config: Config,
        today: dt.date,
        names: str,
        paths: Collection[str],
        people: Callable[[Iterable[str]], Mapping[str, Saved]],
        made: Collection[str],
    ) -> Saving | None:
        """Start ``save`` in a forked helper when many people were made (a cold build, or
        the first of a day), while this process goes on; ``Saving.wait`` waits for it.
        None when there is little to save or forking is not safe here: ``save`` does it
        all then. Pickling 10,000 people takes about a quarter of a second, which the
        helper spends on the other core while the insights and pages are made."""
        if len(made) < BACKGROUND_PEOPLE or not self._usable():
            return None
        dirty = self._dirty(paths, made)

        def save() -> bool:  # in the helper
            self.save(config, today, names, paths, people, made)
            return not self.failed & dirty

        saving = in_helper(save, lambda: self.failed.update(dirty))  # written again by save
        if saving is None:
            return None
        self._hold(dirty, paths, made)  # here: the files as the helper writes them
        self.failed -= dirty  # unless it says it failed
        return saving

    def _held(self) -> list[set[str]]:
        if self.held is None:
            self.held = [set() for _ in range(SHARDS)]
        return self.held

    def _dirty(self, paths: Collection[str], made: Iterable[str]) -> set[int]:
        """The files to write: of the people made, of people gone, and those not written."""
        dirty = {shard_of(path) for path in made} | self.failed
        for shard, held in enumerate(self._held()):
            if shard not in dirty and not all(map(paths.__contains__, held)):
                dirty.add(shard)  # someone gone
        return dirty

    def _hold(
        self, dirty: set[int], paths: Collection[str], made: Iterable[str]
    ) -> dict[int, set[str]]:
        """The paths each of the ``dirty`` files is to hold, kept as what it holds, written
        or not: those it holds still there, and the people made into it still there
        (everyone else in ``paths`` was loaded from the file that holds them, or made)."""
        held = self._held()
        members = {shard: {path for path in held[shard] if path in paths} for shard in dirty}
        for path in made:
            found = members.get(shard_of(path))
            if found is not None and path in paths:  # not gone since it was made
                found.add(path)
        for shard in dirty:
            held[shard] = members[shard]
        return members


def unchanged(
    made: Iterable[Made],
    today: dt.date,
    names: str,
    dated: Mapping[str, str],
    sources: Mapping[str, list[str]],
) -> set[str]:
    """The people of the files ``made`` says were made for ``today`` and the names of key
    ``names``, mentioned in the same dated notes, each with the key it has now (``dated``
    by path), and no other: as many mentions of the file's people as then (``sources``,
    the texts of each person's mentions), which any other note mentioning one of them
    would add to. With their configuration (checked on loading) and an unchanged note,
    such a person's digest would be found again as it is: this costs a few thousand
    comparisons rather than hashing everyone's inputs."""
    found: set[str] = set()
    day = today.toordinal()
    for part in made:
        if (
            part.day == day
            and part.names == names
            and all(dated.get(path) == key for path, key in part.mentions.items())
            # their mentions counted in C: this runs for everyone
            and sum(map(len, map(sources.get, part.paths, repeat(())))) == part.mentioned
        ):
            found.update(part.paths)
    return found


def _head(config: Config, today: dt.date | None) -> dict[str, Any]:
    """What a file says of itself before its people, which a load must find as it is."""
    head: dict[str, Any] = {"format": FORMAT, "version": VERSION, "config": config_key(config)}
    if today is not None:
        head["day"] = today.toordinal()
    return head


def _dump(head: dict[str, Any], people: dict[str, Saved], handle: IO[bytes]) -> None:
    """Write ``head`` with the identities of ``people``'s notes and where they are
    mentioned, then ``people`` as the entries and the stubs the per-person state keeps
    (two pickles of one pickler: a load of another day reads the first), then each
    person's ``More`` (a pickle of its own, unpickled apart: ``SavedDetails``). Stored
    in those shapes, a load takes them as they are, without a step in Python for each
    person."""
    entries = {path: saved[0] for path, saved in people.items()}
    stubs = {path: (saved[1], saved[2]) for path, saved in people.items() if saved[2] is not None}
    identities = {path: (saved[1], saved[3]) for path, saved in people.items()}
    head = {**head, "identities": identities}
    mentioned = [saved[4] for saved in people.values()]
    if all(found is not None for found in mentioned):
        head["mentions"] = dict(chain.from_iterable(filter(None, mentioned)))
        head["mentioned"] = sum(map(len, filter(None, mentioned)))
    # Each person's details as one object, written once: the file's ``SavedDetails``.
    details = _SavedDetails()
    pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {  # exactly these classes; everything else as usual
        dt.date: by_number,
        Tier: _tier_by_name,
        Person: lambda person: (rebuilt, (Person, (*person[:-1], details))),
    }
    pickler.dump(head)
    # Its memo carries over: the people's paths and their notes' keys, each the same
    # string as in the head, are written and loaded once.
    pickler.dump((entries, stubs))
    # A pickle of its own, unpickled apart (SavedDetails) when someone's is asked for.
    rest = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
    rest.dispatch_table = {dt.date: by_number}
    people_of = (saved[0][1] for saved in people.values())
    rest.dump({person.key: person.details.more(person.key) for person in people_of})


def _tier_by_name(tier: Tier) -> tuple[Any, tuple[str]]:
    return saved_tier, (tier.name,)


class _SavedDetails:
    """Written in place of the people's details of a file (``SavedDetails``)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return saved_details, ()


def _people_well_formed(people: dict[Any, Any], shard: int, details: SavedDetails) -> bool:
    """Whether a file's entries have the shape ``_dump`` writes, each in its right file
    (their tuples were made without their classes' checks: their lengths are checked
    here). A loop with the hash of the path (cache.shard_of) inline: it runs for every
    person."""
    crc32 = zlib.crc32
    for path, entry in people.items():
        if not (type(path) is str and type(entry) is tuple and len(entry) == 3):
            return False
        digest, person, warnings = entry
        if not (
            type(person) is Person
            and len(person) == _FIELDS
            and person.path == path
            and type(digest) is str
            and person.digest == digest
            and person.details is details
            and type(warnings) is tuple
            and (not warnings or all(type(warning) is Diagnostic for warning in warnings))
            and crc32(path.encode("utf-8", "surrogateescape")) % SHARDS == shard
        ):
            return False
    return True


def _made_of(head: dict[str, Any]) -> Made | None:
    """What a file's head says its people were made with (their paths still to be
    added); None when it does not say it in the shape ``_dump`` writes."""
    day, names = head.get("day"), head.get("names")
    mentions, mentioned = head.get("mentions"), head.get("mentioned")
    if not (
        type(day) is int
        and type(names) is str
        and type(mentions) is dict
        and type(mentioned) is int
        and _only(mentions, str)
        and _only(mentions.values(), str)
    ):
        return None
    return Made(day, names, mentions, mentioned, ())


def _identities_well_formed(identities: object) -> bool:
    """Whether a file's identities have the shape ``_dump`` writes: (key, digest) by
    path (checked in C: a head of another day is read, and its people are not). One in
    the wrong file is as harmless as a wrong digest: it only makes the duplicate check
    run (people.py)."""
    if type(identities) is not dict:
        return False
    entries = identities.values()
    return (
        _only(identities, str)
        and _only(entries, tuple)
        and set(map(len, entries)) <= {2}
        and _only(chain.from_iterable(entries), str)
    )


def _only(items: Iterable[object], kind: type) -> bool:
    return not set(map(type, items)) - {kind}


def _stubs_well_formed(stubs: dict[Any, Any], people: dict[str, Entry]) -> bool:
    """Whether a file's stubs have the shape ``_dump`` writes, each of a person there."""
    for path, entry in stubs.items():
        if not (type(entry) is tuple and len(entry) == 2 and path in people):
            return False
        key, stub = entry
        if not (
            type(key) is str
            and type(stub) is Stub
            and len(stub) == _NOTE_FIELDS
            and stub.path == path
        ):
            return False
    return True


def _name(shard: int) -> str:
    return f"people-{shard:02x}.pickle"
