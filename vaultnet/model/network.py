"""The model of everyone on a given day, and the edges between them. Pure.

``build_network`` makes it from the parsed notes: who is a person and which dated notes
mention whom (``sort_notes``), the names links resolve against, each person
(person.py), and the orders, tiers and follow-up buckets (``network_of``). A build that
reuses people from earlier builds does so in state/people.py, with these same parts.

Its frozen values (not ``Network``, kept by weak reference) are named tuples, not
dataclasses: a class made at import in a fifth of the time (docs/performance.md, "Imports
that cost what the build uses").
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from vaultnet.config import Config, Tier
from vaultnet.diagnostics import Diagnostic
from vaultnet.model.followups import BUCKETS, Bucket
from vaultnet.model.identity import duplicate_people
from vaultnet.model.person import (
    NOT_CONTACT_KINDS,
    Interaction,
    Names,
    Person,
    Ref,
    Refs,
    content_key,
    make_person,
    mentions_in,
    names_of,
    note_key,
    person_key,
)
from vaultnet.model.unmatched import Unmatched
from vaultnet.model.unmatched import rank as rank_unmatched
from vaultnet.source.links import Resolver, fold, wikilinked
from vaultnet.source.notes import Note

__all__ = [
    "NOT_CONTACT_KINDS",
    "Digest",
    "Interaction",
    "Network",
    "OpenLoop",
    "Patch",
    "Person",
    "Ref",
    "Split",
    "TierGroup",
    "birthday_order",
    "build_network",
    "config_key",
    "due_order",
    "in_list",
    "is_dated",
    "loop_order",
    "median_days",
    "mentions_of",
    "network_of",
    "open_loops",
    "sort_notes",
    "with_texts",
]


class TierGroup(NamedTuple):
    """A tier with its members on ``today`` and the figures its page shows."""

    tier: Tier
    members: tuple[Person, ...]  # active members, by name
    archived: tuple[Person, ...]
    overdue: int
    median_days_since_contact: float | None
    moving_up: tuple[Person, ...]  # people whose target is this tier
    aiming_higher: tuple[Person, ...]  # members with a stronger target


class OpenLoop(NamedTuple):
    """An unchecked task with someone (``- [ ] send [[Ann Lee]] the RFC``): owed, not done.

    ``source`` and ``line`` say where the task is written; ``date`` is the task's own date,
    else its note's, else None.
    """

    person: Person
    text: str
    source: str
    line: int
    date: dt.date | None

    @property
    def text_md(self) -> str:
        """The text for a page: its Markdown links to notes as wikilinks, which lead to
        the note from the output folder too."""
        return wikilinked(self.text, self.source.rpartition("/")[0])


class Digest(NamedTuple):
    """Follow-up buckets on ``today``, each sorted by tier, due date and name."""

    today: dt.date
    overdue: tuple[Person, ...]
    due_soon: tuple[Person, ...]
    upcoming: tuple[Person, ...]
    never_contacted: tuple[Person, ...]
    dormant: tuple[Person, ...]
    snoozed: tuple[Person, ...]
    later: tuple[Person, ...]
    birthdays: tuple[Person, ...]

    def bucket(self, name: Bucket) -> tuple[Person, ...]:
        result: tuple[Person, ...] = getattr(self, name)
        return result


class Patch(NamedTuple):
    """How a watcher's network differs from the one it was made from.

    The same people in the same ladder places, tiers and targets; ``replaced`` pairs each
    person rebuilt (the one before, the one now). Insights computed for ``base`` can be
    brought up to date from it (insights.py). ``base`` gives it: a weak reference, so
    that a watcher's networks never keep their predecessors alive, except for the network
    made again of the people as saved (state/orders.py ``from_saved``), which nothing
    else holds: the insights saved for it are brought up to date from it.
    """

    base: Callable[[], Network | None]
    replaced: tuple[tuple[Person, Person], ...]


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Network:
    """The whole model: people, tiers and the digest, for one ``today``."""

    today: dt.date
    config: Config
    people: tuple[Person, ...]  # ladder order (tier, then name); archived included
    tiers: tuple[TierGroup, ...]
    digest: Digest
    by_key: dict[str, Person] = field(hash=False, compare=False)
    other_notes: int = 0
    patch: Patch | None = field(default=None, compare=False, repr=False)
    # Participants of source notes without a person note (Unmatched.md).
    unmatched: tuple[Unmatched, ...] = field(default=(), compare=False)
    # The file names of the user's notes (casefolded, NFC): a generated page must not take
    # one, or Obsidian would show two notes of that name (companies.py).
    note_names: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    # Unchecked tasks with active people, oldest first, undated last (open_loops).
    open_loops: tuple[OpenLoop, ...] = field(default=(), compare=False)

    @property
    def active(self) -> tuple[Person, ...]:
        return self.people[: self._archived_from()]

    @property
    def archived(self) -> tuple[Person, ...]:
        return self.people[self._archived_from() :]

    def _archived_from(self) -> int:
        """Where the archived people start: the ladder order puts them last."""
        return bisect.bisect_left(self.people, True, key=_ARCHIVED)


def config_key(config: Config) -> str:
    """The key of a configuration, as people's digests hold it."""
    return content_key(repr(config))


def is_dated(note: Note) -> bool:
    """Whether a note is a dated note that mentions someone (a daily or meeting note)."""
    return note.date is not None and bool(note.mentions)


@dataclass(slots=True)
class Split:
    """A build's notes sorted out: person notes and dated notes with mentions (path order),
    how many are neither people, and every note by path."""

    people: list[Note]
    dated: list[Note]
    others: int
    by_path: dict[str, Note]
    _names: frozenset[str] | None = None

    def names(self) -> frozenset[str]:
        """The file names of every note read (generated pages aside), casefolded."""
        if self._names is None:
            self._names = frozenset(
                fold(note.stem) for note in self.by_path.values() if not note.generated
            )
        return self._names


def sort_notes(notes: Iterable[Note]) -> Split:
    """The notes sorted out into person notes and dated notes."""
    people: list[Note] = []
    dated: list[Note] = []
    by_path: dict[str, Note] = {}
    for note in notes:
        by_path[note.path] = note
        if note.person:
            people.append(note)
        if is_dated(note):
            dated.append(note)
    return Split(people, dated, len(by_path) - len(people), by_path)


def mentions_of(
    resolved: Iterable[list[tuple[str, Interaction, str]]],
) -> tuple[dict[str, tuple[Interaction, ...]], dict[str, list[str]]]:
    """Each person's mentions, from each dated note's resolved mentions (``with_texts``,
    in path order): the mentions by person key, and their texts (for their digest)."""
    lists: dict[str, list[Interaction]] = {}
    texts: dict[str, list[str]] = {}
    for found in resolved:
        for person, entry, text in found:
            lists.setdefault(person, []).append(entry)
            texts.setdefault(person, []).append(text)
    return {person: tuple(entries) for person, entries in lists.items()}, texts


def with_texts(resolved: list[tuple[str, Interaction]]) -> list[tuple[str, Interaction, str]]:
    """A dated note's resolved mentions, each with its text: what a person's digest holds
    of it (a mention is a value made of the dated note's line and date)."""
    return [(person, entry, repr(entry)) for person, entry in resolved]


def build_network(
    config: Config,
    notes: Iterable[Note],
    today: dt.date,
    keys: Mapping[str, str] | None = None,
) -> tuple[Network, list[Diagnostic]]:
    """Build the model from parsed notes. Returns the network and the model's diagnostics.

    ``keys`` gives a key of each note's content by path (else one is made from the note).
    """
    notes = notes if isinstance(notes, list) else list(notes)
    split = sort_notes(notes)

    def key_of(note: Note) -> str:
        found = keys.get(note.path) if keys is not None else None
        return found if found is not None else note_key(note)

    names = names_of(split.people)
    mentions, texts = mentions_of(
        with_texts(mentions_in(note, names.resolver)) for note in split.dated
    )
    diagnostics: list[Diagnostic] = list(duplicate_people(split.people))
    refs = Refs(names.resolver, config)
    configured = config_key(config)
    people: list[Person] = []
    for note in split.people:
        path = note.path
        digest = person_key(path, key_of(note), texts.get(path, ()), names.key, today, configured)
        found = mentions.get(note.path, ())
        people.append(
            make_person(note, config, today, refs, found, names.stems, diagnostics, digest)
        )
    network = network_of(config, today, people, split, notes, names)
    return network, diagnostics


def network_of(
    config: Config,
    today: dt.date,
    people: list[Person],
    split: Split,
    notes: list[Note],
    names: Names,
) -> Network:
    """The network of ``people`` (made from ``split.people``): ladder, tiers, digest, the
    open loops in ``notes`` and the participants no person note matches."""
    people = sorted(people, key=_LADDER_KEY)
    by_key = {p.key: p for p in people}
    return Network(
        today,
        config,
        tuple(people),
        _tier_groups(config.tiers, people),
        _digest(people, today),
        by_key,
        split.others,
        unmatched=tuple(rank_unmatched(notes, today)),
        note_names=split.names(),
        open_loops=open_loops(notes, names.resolver, by_key),
    )


def open_loops(
    notes: list[Note], resolver: Resolver, by_key: dict[str, Person]
) -> tuple[OpenLoop, ...]:
    """Every unchecked task with an active person, oldest first, undated ones last (by
    the path and line they are written at)."""
    found: list[OpenLoop] = []
    for note in notes:
        if not note.tasks:
            continue
        folder = note.path.rpartition("/")[0]
        for task in note.tasks:
            keys: dict[str, None] = {note.path: None} if task.in_log else {}
            for target in task.targets:
                match = resolver.resolve(target, folder)
                if match is not None:
                    keys[match.key] = None
            for key in keys:
                person = by_key.get(key)
                if person is not None and not person.archived:
                    when = task.date or note.date
                    found.append(OpenLoop(person, task.text, note.path, task.line, when))
    found.sort(key=loop_order)
    return tuple(found)


def loop_order(loop: OpenLoop) -> tuple[bool, dt.date, str, int, str]:
    """The order of the open loops: oldest first, undated last, then where written."""
    return (loop.date is None, loop.date or dt.date.min, loop.source, loop.line, loop.person.key)


def in_list(person: Person, name: str) -> bool:
    """Whether a person belongs in one of the digest's lists (a bucket, or birthdays)."""
    if person.archived:
        return False
    if name == "birthdays":
        return person.next_birthday is not None
    return person.followup.bucket == name


def due_order(person: Person) -> tuple[int, dt.date, str, str]:
    """The order of a follow-up bucket: tier, due date, name."""
    return (person.tier.rank, person.followup.due or dt.date.max, person.sort_name, person.path)


def birthday_order(person: Person) -> tuple[dt.date, int, str, str]:
    """The order of the birthdays list: soonest first, then tier and name."""
    return (person.next_birthday or dt.date.max, person.tier.rank, person.sort_name, person.path)


_LADDER_KEY = operator.attrgetter("ladder_key")
_ARCHIVED = operator.attrgetter("archived")


def _tier_groups(tiers: tuple[Tier, ...], people: list[Person]) -> tuple[TierGroup, ...]:
    """One group per tier, in one pass over everyone (people are in ladder order)."""
    members: dict[int, list[Person]] = {tier.rank: [] for tier in tiers}
    archived: dict[int, list[Person]] = {tier.rank: [] for tier in tiers}
    moving_up: dict[int, list[Person]] = {tier.rank: [] for tier in tiers}
    for person in people:
        rank = person.tier.rank  # ranks tell the tiers of one configuration apart
        (archived if person.archived else members)[rank].append(person)
        target = person.target_tier
        if target is not None and not person.archived and rank > target.rank:
            moving_up[target.rank].append(person)
    return tuple(
        _tier_group(tier, members[tier.rank], archived[tier.rank], moving_up[tier.rank])
        for tier in tiers
    )


def _tier_group(
    tier: Tier, members: list[Person], archived: list[Person], moving_up: list[Person]
) -> TierGroup:
    return TierGroup(
        tier=tier,
        members=tuple(members),
        archived=tuple(archived),
        overdue=sum(1 for p in members if p.followup.bucket == "overdue"),
        median_days_since_contact=median_days(members),
        moving_up=tuple(moving_up),
        aiming_higher=tuple(
            p for p in members if p.target_tier is not None and p.target_tier.rank < tier.rank
        ),
    )


def median_days(members: Iterable[Person]) -> float | None:
    """The median of the days since the last contact, of those ever contacted."""
    return sorted_median(sorted(filter(_NOT_NONE, map(_DAYS_SINCE, members))))


def sorted_median(days: list[int]) -> float | None:
    """The median of sorted numbers, as ``statistics.median`` gives it (None for none),
    without importing ``statistics`` (3 ms, with ``fractions``, for one sum)."""
    count = len(days)
    if not count:
        return None
    middle = count // 2
    return days[middle] if count % 2 else (days[middle - 1] + days[middle]) / 2


_DAYS_SINCE = operator.attrgetter("days_since_contact")
_NOT_NONE = functools.partial(operator.is_not, None)


def _digest(people: list[Person], today: dt.date) -> Digest:
    buckets: dict[str, list[Person]] = {name: [] for name in BUCKETS}
    birthdays: list[Person] = []
    for person in people:
        if person.archived:
            continue
        buckets[person.followup.bucket].append(person)
        if person.next_birthday is not None:
            birthdays.append(person)
    for members in buckets.values():
        members.sort(key=due_order)
    birthdays.sort(key=birthday_order)
    return Digest(
        today=today,
        overdue=tuple(buckets["overdue"]),
        due_soon=tuple(buckets["due_soon"]),
        upcoming=tuple(buckets["upcoming"]),
        never_contacted=tuple(buckets["never_contacted"]),
        dormant=tuple(buckets["dormant"]),
        snoozed=tuple(buckets["snoozed"]),
        later=tuple(buckets["later"]),
        birthdays=tuple(birthdays),
    )
