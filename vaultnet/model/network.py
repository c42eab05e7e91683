"""The model of everyone on a given day, and the edges between them. Pure."""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import operator
import statistics
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

from vaultnet.config import Config, Tier
from vaultnet.dates import Birthday, Duration
from vaultnet.diagnostics import Diagnostic
from vaultnet.model.followups import BUCKETS, Bucket, FollowUp, birthday_within, follow_up
from vaultnet.model.identity import duplicate_people
from vaultnet.model.unmatched import Unmatched
from vaultnet.model.unmatched import rank as rank_unmatched
from vaultnet.source.links import (
    Resolver,
    as_link,
    fold,
    link_path,
    plain_text,
    wikilinked,
)
from vaultnet.source.notes import LogEntry, Note, Position


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference from a note to someone or something: a link or plain text."""

    text: str  # what to show
    target: str  # the link target, or the text itself
    is_link: bool
    person: str | None = None  # the key of the person it resolves to, if any
    via_alias: bool = False


Interaction = LogEntry  # log entries and mentions are the same kind of value

# Log entries that record a change rather than a contact (vaultnet tier, imports).
NOT_CONTACT_KINDS = frozenset({"tier", "moved"})


@dataclass(frozen=True, slots=True, eq=False)
class Person:
    """Everything known about a person on ``today``.

    People compare by identity: a person is built anew exactly when their note, mentions or
    day changed (see PersonMemo), so an unchanged one is the same object. Pages are reused
    on that basis (pagememo.py), and two equal-looking people are never confused.
    """

    key: str  # the note's vault path
    path: str
    link: str  # link target that Obsidian resolves: the file name, or the path when ambiguous
    name: str
    aliases: tuple[str, ...]
    tier: Tier
    target_tier: Tier | None
    company: Ref | None
    role: str | None
    history: tuple[Position, ...]
    location: str | None
    email: tuple[str, ...]
    phone: tuple[str, ...]
    url: str | None
    linkedin: str | None
    tags: tuple[str, ...]
    met: dt.date | None
    connected: dt.date | None  # connected online (``connected``): not a contact
    introduced_by: tuple[Ref, ...]
    knows: tuple[Ref, ...]
    cadence: Duration
    cadence_from_note: bool
    last_contact: dt.date | None
    last_interaction: Interaction | None
    interactions: tuple[Interaction, ...]  # dated today or earlier, oldest first
    planned: tuple[Interaction, ...]  # dated after today
    next_follow_up: dt.date | None
    snooze_until: dt.date | None
    archived: bool
    birthday: Birthday | None
    next_birthday: dt.date | None  # within the birthday window, else None
    followup: FollowUp
    days_since_contact: int | None
    front_matter: dict[str, object] = field(hash=False, compare=False)
    # Sort keys, computed once: pages and insights sort people many times a build.
    sort_name: str = field(repr=False)  # the name, casefolded
    ladder_key: tuple[bool, int, str, str] = field(repr=False)  # archived, tier, name, path

    @property
    def active(self) -> bool:
        return not self.archived


@dataclass(frozen=True, slots=True)
class TierGroup:
    """A tier with its members on ``today`` and the figures its page shows."""

    tier: Tier
    members: tuple[Person, ...]  # active members, by name
    archived: tuple[Person, ...]
    overdue: int
    median_days_since_contact: float | None
    moving_up: tuple[Person, ...]  # people whose target is this tier
    aiming_higher: tuple[Person, ...]  # members with a stronger target


@dataclass(frozen=True, slots=True)
class OpenLoop:
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


@dataclass(frozen=True, slots=True)
class Digest:
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


@dataclass(frozen=True, slots=True)
class Patch:
    """How a watcher's network differs from the one it was made from.

    The same people in the same ladder places, tiers and targets; ``replaced`` pairs each
    person rebuilt (the one before, the one now). Insights computed for ``base`` can be
    brought up to date from it (insights.py). ``base`` is a weak reference, so networks
    never keep their predecessors alive.
    """

    base: weakref.ref[Network]
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


class PersonMemo:
    """People built by earlier builds of the same vault, to reuse when nothing they depend on
    changed: their note (the same parsed object), their mentions, the day, and the set of
    names links resolve against. A long-running watcher rebuilds only what an edit touched.
    """

    def __init__(self) -> None:
        self.entries: dict[
            str, tuple[Note, tuple[Interaction, ...], object, Person, list[Diagnostic]]
        ] = {}
        self.resolver: tuple[int, Resolver, dict[str, int]] | None = None
        # Dated notes: the note, the resolver its mentions were resolved with, the result.
        self.dated: dict[str, tuple[Note, Resolver, list[tuple[str, Interaction]]]] = {}
        self.last: _Orders | None = None  # the last network, to patch its orders
        # The last build's person notes, and each person's mentions (with how many dated
        # notes they came from): an edit of one note is found without hashing everyone.
        self.people_notes: list[Note] | None = None
        self.mentions: tuple[int, dict[str, tuple[Interaction, ...]]] | None = None
        # The last build's people in path order, with what they were built for and the
        # places of those with diagnostics: to rebuild only the notes that changed.
        self.people: tuple[list[Person], object, dict[int, list[Diagnostic]]] | None = None
        self.split: _Split | None = None  # the last build's notes, sorted out
        self.duplicates: list[Diagnostic] | None = None  # the last build's, for _duplicates

    def same_names(self, notes: list[Note], changed: list[int] | None = None) -> list[int] | None:
        """Where ``notes`` differ from the last build's person notes, when they have the
        same paths, names and aliases (links resolve as before); else None. ``changed``
        says where they may differ, when that is known (a watcher's build); else the notes
        are compared by identity. Remembers them for the next build."""
        old, self.people_notes = self.people_notes, notes
        if old is None or len(old) != len(notes) or self.resolver is None:
            return None
        if changed is None:
            changed = [i for i, (a, b) in enumerate(zip(old, notes, strict=True)) if a is not b]
        for index in changed:
            before, now = old[index], notes[index]
            if before.path != now.path or before.name != now.name or before.aliases != now.aliases:
                return None
        return changed

    def mentions_in(self, note: Note, resolver: Resolver) -> list[tuple[str, Interaction]] | None:
        entry = self.dated.get(note.path)
        if entry is None or entry[0] is not note or entry[1] is not resolver:
            return None
        return entry[2]

    def get(
        self, note: Note, mentions: tuple[Interaction, ...], signature: object
    ) -> tuple[Person, list[Diagnostic]] | None:
        entry = self.entries.get(note.path)
        if entry is None or entry[0] is not note or entry[2] != signature:
            return None
        if entry[1] is not mentions and entry[1] != mentions:
            return None
        return entry[3], entry[4]

    def put(
        self,
        note: Note,
        mentions: tuple[Interaction, ...],
        signature: object,
        person: Person,
        diagnostics: list[Diagnostic],
    ) -> None:
        self.entries[note.path] = (note, mentions, signature, person, diagnostics)

    def retain(self, paths: set[str], dated: set[str]) -> None:
        for path in [p for p in self.entries if p not in paths]:
            del self.entries[path]
        for path in [p for p in self.dated if p not in dated]:
            del self.dated[path]


def build_network(
    config: Config,
    notes: Iterable[Note],
    today: dt.date,
    memo: PersonMemo | None = None,
    changes: dict[str, Note | None] | None = None,
) -> tuple[Network, list[Diagnostic]]:
    """Build the model from parsed notes. Returns the network and the model's diagnostics.

    With a ``memo`` kept between builds, people whose inputs did not change are reused.
    ``changes`` (a watcher's) says which notes changed since the memo's last build, each
    as it is now (None: no longer a note), when nothing else did.
    """
    diagnostics: list[Diagnostic] = []
    notes = notes if isinstance(notes, list) else list(notes)
    unmatched = tuple(rank_unmatched(notes, today))
    split = _split(notes, memo, changes)
    people_notes, dated, others = split.people, split.dated, split.others
    changed, names_key, resolver, stems = _names(people_notes, memo, split.changed)
    diagnostics.extend(_duplicates(people_notes, memo, changed))
    before = memo.mentions[1] if memo is not None and memo.mentions else None
    # With links resolving as before and no dated note changed, the mentions are the same.
    mentions = _mentions(dated, resolver, memo, changed is not None and split.dated_same)
    refs = _Refs(resolver)
    signature = (today, config, names_key)
    # The last network's orders and people hold only if this build ends: taken out until
    # it does.
    last = memo.last if memo is not None else None
    kept = memo.people if memo is not None else None
    if memo is not None:
        memo.last = memo.people = None
    rebuilt: list[Person] = []
    empty: tuple[Interaction, ...] = ()

    def person_of(note: Note) -> tuple[Person, list[Diagnostic]]:
        found = mentions.get(note.path, empty)
        cached = memo.get(note, found, signature) if memo is not None else None
        if cached is not None:
            return cached
        person_diagnostics: list[Diagnostic] = []
        person = _person(note, config, today, refs, list(found), stems, person_diagnostics)
        rebuilt.append(person)
        if memo is not None:
            memo.put(note, found, signature, person, person_diagnostics)
        return person, person_diagnostics

    if (
        memo is not None
        and kept is not None
        and changed is not None
        and mentions is before
        and kept[1] == signature
    ):
        # The same notes but those at ``changed``, the same mentions, the same day: only
        # the people of the notes that changed are looked at.
        people, _, with_diagnostics = kept
        people = list(people)
        with_diagnostics = dict(with_diagnostics)
        for index in changed:
            people[index], found_diagnostics = person_of(people_notes[index])
            with_diagnostics.pop(index, None)
            if found_diagnostics:
                with_diagnostics[index] = found_diagnostics
    else:
        people = []
        with_diagnostics = {}
        for index, note in enumerate(people_notes):
            person, found_diagnostics = person_of(note)
            people.append(person)
            if found_diagnostics:
                with_diagnostics[index] = found_diagnostics
    for index in sorted(with_diagnostics):
        diagnostics.extend(with_diagnostics[index])
    if memo is not None:
        memo.people = (list(people), signature, with_diagnostics)
        if changed is None or len(memo.dated) != len(dated):
            memo.retain({note.path for note in people_notes}, {note.path for note in dated})
    patched = None
    if last is not None and last.network.today == today and last.network.config is config:
        patched = last.patched(people, rebuilt, others, unmatched)
    if patched is not None:
        network = patched
    else:
        people.sort(key=_LADDER_KEY)
        by_key = {p.key: p for p in people}
        tiers = _tier_groups(config.tiers, people)
        digest = _digest(people, today)
        network = Network(
            today,
            config,
            tuple(people),
            tiers,
            digest,
            by_key,
            others,
            unmatched=unmatched,
            note_names=split.names(),
        )
    loops = open_loops(notes, resolver, network.by_key)
    if loops or network.open_loops:
        network = dataclasses.replace(network, open_loops=loops)
        if patched is not None and last is not None:
            last.network = network
    if memo is not None:
        memo.last = _Orders(network) if patched is None else last
    return network, diagnostics


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
    found.sort(key=_loop_order)
    return tuple(found)


def _loop_order(loop: OpenLoop) -> tuple[bool, dt.date, str, int, str]:
    return (loop.date is None, loop.date or dt.date.min, loop.source, loop.line, loop.person.key)


PATCH_MAX = 64  # people rebuilt, beyond which the orders are computed again


class _Orders:
    """Where each person sits in a network's orders (a watcher's last network).

    When the people rebuilt since keep their places (same tier, name, archived state,
    follow-up bucket, due date and birthday) and nobody came or went, the next network is
    this one with those people replaced in place, and the tiers they belong to recounted:
    no sorting of everyone again. Anything else is computed from scratch.
    """

    def __init__(self, network: Network) -> None:
        self.network = network
        # Person key -> place in the ladder; made when first needed (a single build never
        # needs it), and still right after a patch, which moves nobody in the ladder.
        self.ladder: dict[str, int] = {}

    def patched(
        self,
        people: list[Person],
        rebuilt: list[Person],
        others: int,
        unmatched: tuple[Unmatched, ...] = (),
    ) -> Network | None:
        """The network with ``rebuilt`` in place, or None when an order may have changed."""
        last = self.network
        if len(people) != len(last.people) or len(rebuilt) > PATCH_MAX:
            return None
        if not self.ladder:
            self.ladder = {p.key: i for i, p in enumerate(last.people)}
        replaced: dict[str, Person] = {}
        for person in rebuilt:
            place = self.ladder.get(person.key)
            if place is None:
                return None  # someone new (and so someone gone)
            old = last.people[place]
            if old.ladder_key != person.ladder_key or old.target_tier != person.target_tier:
                return None
            replaced[person.key] = person
        patch = Patch(
            weakref.ref(last), tuple((last.by_key[key], person) for key, person in replaced.items())
        )
        if not replaced:
            network = Network(
                last.today,
                last.config,
                last.people,
                last.tiers,
                last.digest,
                last.by_key,
                others,
                patch,
                unmatched,
                note_names=last.note_names,
            )
            self.network = network
            return network
        ordered = list(last.people)
        for key, person in replaced.items():
            ordered[self.ladder[key]] = person
        by_key = dict(last.by_key)
        by_key.update(replaced)
        ladder = tuple(ordered)
        network = Network(
            last.today,
            last.config,
            ladder,
            self._patched_tiers(ladder, replaced),
            _patched_digest(last, replaced),
            by_key,
            others,
            patch,
            unmatched,
            note_names=last.note_names,
        )
        self.network = network
        return network

    def _patched_tiers(
        self, people: tuple[Person, ...], replaced: dict[str, Person]
    ) -> tuple[TierGroup, ...]:
        """The tier groups with people replaced in place; those touched are counted again.

        A tier's members, and its archived people, sit together in the ladder: the lists
        are slices of it, taken in C.
        """
        last = self.network
        ranks = {p.tier.rank for p in replaced.values()}
        ranks |= {p.target_tier.rank for p in replaced.values() if p.target_tier is not None}

        def part(group: tuple[Person, ...]) -> tuple[Person, ...]:
            if not group:
                return group
            start = self.ladder[group[0].key]
            return people[start : start + len(group)]

        def swap(group: tuple[Person, ...]) -> tuple[Person, ...]:
            return tuple([replaced.get(p.key, p) for p in group])

        groups = []
        for group in last.tiers:
            if group.tier.rank not in ranks:
                groups.append(group)
                continue
            members = part(group.members)
            touched = [
                (last.by_key[key], person)
                for key, person in replaced.items()
                if person.tier.rank == group.tier.rank and not person.archived
            ]
            overdue = group.overdue + sum(
                (now.followup.bucket == "overdue") - (before.followup.bucket == "overdue")
                for before, now in touched
            )
            median = group.median_days_since_contact
            if any(before.days_since_contact != now.days_since_contact for before, now in touched):
                median = _median_days(members)
            groups.append(
                dataclasses.replace(
                    group,
                    members=members,
                    archived=part(group.archived),
                    overdue=overdue,
                    median_days_since_contact=median,
                    moving_up=swap(group.moving_up),
                    aiming_higher=swap(group.aiming_higher),
                )
            )
        return tuple(groups)


def _patched_digest(last: Network, replaced: dict[str, Person]) -> Digest:
    """The digest's lists with people replaced: each list is in its order, so a person is
    found by bisection, taken out, and put back where they now go."""
    changes: dict[str, tuple[Person, ...]] = {}
    for name in (*BUCKETS, "birthdays"):
        order = _birthday_order if name == "birthdays" else due_order
        members: list[Person] | None = None
        for key, person in replaced.items():
            before = last.by_key[key]
            was, now = _in_list(before, name), _in_list(person, name)
            if not (was or now):
                continue
            if members is None:
                members = list(getattr(last.digest, name))
            if was:
                at = bisect.bisect_left(members, order(before), key=order)
                assert members[at] is before, "a digest list out of its order"
                del members[at]
            if now:
                bisect.insort(members, person, key=order)
        if members is not None:
            changes[name] = tuple(members)
    return dataclasses.replace(last.digest, **changes)  # type: ignore[arg-type]


def _in_list(person: Person, name: str) -> bool:
    """Whether a person belongs in one of the digest's lists (a bucket, or birthdays)."""
    if person.archived:
        return False
    if name == "birthdays":
        return person.next_birthday is not None
    return person.followup.bucket == name


def due_order(person: Person) -> tuple[int, dt.date, str, str]:
    """The order of a follow-up bucket: tier, due date, name."""
    return (person.tier.rank, person.followup.due or dt.date.max, person.sort_name, person.path)


def _birthday_order(person: Person) -> tuple[dt.date, int, str, str]:
    return (person.next_birthday or dt.date.max, person.tier.rank, person.sort_name, person.path)


def _names(
    people_notes: list[Note], memo: PersonMemo | None, changed: list[int] | None
) -> tuple[list[int] | None, int, Resolver, dict[str, int]]:
    """What references resolve against: every person's path, name and aliases.

    Returns where the person notes changed since the memo's last build (None: not known,
    or names changed; ``changed`` says where they may have, when that is known), a key
    for the names, the resolver and the count of each file stem.
    """
    same = memo.same_names(people_notes, changed) if memo is not None else None
    if same is not None:
        assert memo is not None and memo.resolver is not None
        names_key, resolver, stems = memo.resolver
        return same, names_key, resolver, stems
    names_key = hash(tuple((n.path, n.name, n.aliases) for n in people_notes))
    if memo is not None and memo.resolver is not None and memo.resolver[0] == names_key:
        _, resolver, stems = memo.resolver
        return None, names_key, resolver, stems
    resolver = Resolver()
    stems = {}
    for note in people_notes:
        stems[note.stem.casefold()] = stems.get(note.stem.casefold(), 0) + 1
    for note in people_notes:
        resolver.add(note.path, note.path, note.name or note.stem, note.aliases)
    resolver.finish()
    if memo is not None:
        memo.resolver = (names_key, resolver, stems)
    return None, names_key, resolver, stems


def _duplicates(
    people_notes: list[Note], memo: PersonMemo | None, changed: list[int] | None
) -> list[Diagnostic]:
    """Warnings for person notes that look like one person (``identity``); a watcher's
    build that changed nothing they compare by takes the last build's (a look at everyone
    costs 60-80 ms at 10,000 people with an email, phone and profile each; an edit's
    rebuild about 50)."""
    if memo is not None and changed is not None and memo.duplicates is not None:
        for index in changed:
            note = people_notes[index]
            entry = memo.entries.get(note.path)
            if entry is None or _identity(entry[0]) != _identity(note):
                break
        else:
            return memo.duplicates
    found = duplicate_people(people_notes)
    if memo is not None:
        memo.duplicates = found
    return found


def _identity(note: Note) -> tuple[object, ...]:
    """What ``duplicate_people`` looks at in a note, the lines of its warnings included."""
    lines = tuple(note.lines.get(key) for key in ("name", "aliases", "email", "linkedin", "phone"))
    return (
        note.name,
        note.stem,
        note.aliases,
        note.email,
        note.linkedin,
        note.phone,
        note.company,
        lines,
    )


def _is_dated(note: Note) -> bool:
    return note.date is not None and bool(note.mentions)


@dataclass(slots=True)
class _Split:
    """A build's notes sorted out: person notes and dated notes with mentions (path order),
    how many are neither people, and where each is; with, for a watcher's build, the
    places of the person notes that changed and whether any dated note did."""

    people: list[Note]
    dated: list[Note]
    others: int
    by_path: dict[str, Note]
    person_at: dict[str, int]
    dated_at: dict[str, int]
    changed: list[int] | None = None
    dated_same: bool = False
    _names: frozenset[str] | None = None

    def names(self) -> frozenset[str]:
        """The file names of every note read (generated pages aside), casefolded."""
        if self._names is None:
            self._names = frozenset(
                fold(note.stem) for note in self.by_path.values() if not note.generated
            )
        return self._names

    def patched(self, changes: dict[str, Note | None]) -> _Split | None:
        """The split after ``changes``, or None when a note came, went, or became or
        stopped being a person or a dated note."""
        people, dated = list(self.people), list(self.dated)
        changed: list[int] = []
        dated_same = True
        for path, note in changes.items():
            old = self.by_path.get(path)
            if old is None or note is None:
                if old is None and note is None:
                    continue
                return None
            if old.person != note.person or _is_dated(old) != _is_dated(note):
                return None
            if note.person:
                changed.append(self.person_at[path])
                people[self.person_at[path]] = note
            if _is_dated(note):
                dated_same = False
                dated[self.dated_at[path]] = note
        by_path = self.by_path
        by_path.update((path, note) for path, note in changes.items() if note is not None)
        changed.sort()
        # The same paths: the same file names.
        return _Split(
            people,
            dated,
            self.others,
            by_path,
            self.person_at,
            self.dated_at,
            changed,
            dated_same,
            self._names,
        )


def _split(
    notes: Iterable[Note], memo: PersonMemo | None, changes: dict[str, Note | None] | None
) -> _Split:
    """The notes sorted out, from the memo's last split when the changes are known."""
    last = memo.split if memo is not None else None
    found = last.patched(changes) if last is not None and changes is not None else None
    if found is None:
        people: list[Note] = []
        dated: list[Note] = []
        by_path: dict[str, Note] = {}
        for note in notes:
            by_path[note.path] = note
            if note.person:
                people.append(note)
            if _is_dated(note):
                dated.append(note)
        found = _Split(
            people,
            dated,
            len(by_path) - len(people),
            by_path,
            {note.path: index for index, note in enumerate(people)},
            {note.path: index for index, note in enumerate(dated)},
        )
    if memo is not None:
        memo.split = found
    return found


def _mentions(
    dated: list[Note], resolver: Resolver, memo: PersonMemo | None, unchanged: bool = False
) -> dict[str, tuple[Interaction, ...]]:
    """Each person's mentions in dated notes, by person key. With a memo, the last build's
    when every dated note is the same as then (the same objects, so a person whose note
    did not change either is reused without comparing their mentions); ``unchanged`` says
    so when it is known without looking at each note."""
    last = memo.mentions if memo is not None else None
    if unchanged and last is not None and last[0] == len(dated):
        return last[1]
    resolved_all = []
    fresh = memo is None
    for note in dated:
        resolved = memo.mentions_in(note, resolver) if memo is not None else None
        if resolved is None:
            fresh = True
            resolved = _mentions_in(note, resolver)
            if memo is not None:
                memo.dated[note.path] = (note, resolver, resolved)
        resolved_all.append(resolved)
    if not fresh and last is not None and last[0] == len(dated):
        return last[1]
    lists: dict[str, list[Interaction]] = {}
    for resolved in resolved_all:
        for key, entry in resolved:
            lists.setdefault(key, []).append(entry)
    mentions = {key: tuple(entries) for key, entries in lists.items()}
    if memo is not None:
        memo.mentions = (len(dated), mentions)
    return mentions


def _mentions_in(note: Note, resolver: Resolver) -> list[tuple[str, Interaction]]:
    """The people a dated note mentions, each with the mention as an interaction."""
    assert note.date is not None
    found: list[tuple[str, Interaction]] = []
    seen: set[str] = set()
    folder = note.path.rpartition("/")[0]
    for mention in note.mentions:
        match = resolver.resolve(mention.target, folder)
        if match is None or match.key == note.path:
            continue
        dedupe = f"{match.key}\0{mention.line}"
        if dedupe in seen:
            continue
        seen.add(dedupe)
        entry = LogEntry(
            note.date, mention.kind, mention.text, (), (), mention.line, note.path, mention=True
        )
        found.append((match.key, entry))
    return found


class _Refs:
    """Resolves references, once per distinct text: company names and links repeat a lot."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.memo: dict[str, Ref] = {}

    def __call__(self, value: str, folder: str = "") -> Ref:
        # A Markdown link's path depends on the linking note's folder; a wikilink's does not.
        key = f"{folder}\0{value}" if "](" in value else value
        ref = self.memo.get(key)
        if ref is None:
            ref = self.memo[key] = _ref(value, self.resolver, folder)
        return ref


def _ref(value: str, resolver: Resolver, folder: str = "") -> Ref:
    link = as_link(value)
    target = link.target if link else value.strip()
    match = resolver.resolve(target, folder)
    if link is not None and target.startswith(("./", "../")):
        target = match.key[:-3] if match else link_path(target, folder)
    return Ref(
        text=plain_text(value),
        target=target,
        is_link=link is not None,
        person=match.key if match else None,
        via_alias=bool(match and match.how == "alias"),
    )


def _person(
    note: Note,
    config: Config,
    today: dt.date,
    refs: _Refs,
    mentions: list[Interaction],
    stems: dict[str, int],
    diagnostics: list[Diagnostic],
) -> Person:
    tier = config.weakest
    if note.tier is not None:
        found = config.tier_named(note.tier)
        if found is None:
            names = ", ".join(t.name for t in config.tiers)
            diagnostics.append(
                Diagnostic(
                    note.path,
                    note.lines.get("tier"),
                    "warning",
                    f"unknown tier {note.tier!r} (tiers are: {names}); placed in {tier.name}",
                )
            )
        else:
            tier = found
    target = None
    if note.target_tier is not None:
        target = config.tier_named(note.target_tier)
        if target is None:
            diagnostics.append(
                Diagnostic(
                    note.path,
                    note.lines.get("target_tier"),
                    "warning",
                    f"unknown target_tier {note.target_tier!r}; ignored",
                )
            )
    entries = note.log
    done = sorted(
        (i for i in (*entries, *mentions) if i.date <= today),
        key=lambda i: (i.date, i.mention, i.line),
    )
    planned = sorted((i for i in entries if i.date > today), key=lambda i: (i.date, i.line))
    candidates = [d for d in (note.last_contact, note.met) if d is not None and d <= today]
    last = next(
        (i for i in reversed(done) if not i.kind or i.kind.casefold() not in NOT_CONTACT_KINDS),
        None,
    )
    if last is not None:
        candidates.append(last.date)
    last_contact = max(candidates) if candidates else None
    if note.last_contact is not None and note.last_contact > today:
        # A future last_contact is a typo more often than a plan; say so rather than guess.
        diagnostics.append(
            Diagnostic(
                note.path,
                note.lines.get("last_contact"),
                "warning",
                f"last_contact {note.last_contact.isoformat()} is after today; ignored",
            )
        )
    cadence = note.cadence or tier.cadence
    state = follow_up(
        today=today,
        horizon_days=config.horizon_days,
        cadence=cadence,
        last_contact=last_contact,
        next_follow_up=note.next_follow_up,
        planned=[i.date for i in planned],
        snooze_until=note.snooze_until,
        connected=note.connected,
        dormant_after=config.dormant_after,
    )
    link = note.stem if stems.get(note.stem.casefold(), 0) <= 1 else note.path[:-3]
    name = note.name or note.stem
    folder = note.path.rpartition("/")[0]
    sort_name = name.casefold()
    return Person(
        key=note.path,
        path=note.path,
        link=link,
        name=name,
        aliases=note.aliases,
        tier=tier,
        target_tier=target,
        company=refs(note.company, folder) if note.company else None,
        role=plain_text(note.role) if note.role else None,
        history=note.history,
        location=note.location,
        email=note.email,
        phone=note.phone,
        url=note.url,
        linkedin=note.linkedin,
        tags=note.tags,
        met=note.met,
        connected=note.connected,
        introduced_by=tuple(refs(value, folder) for value in note.introduced_by),
        knows=tuple(refs(value, folder) for value in note.knows),
        cadence=cadence,
        cadence_from_note=note.cadence is not None,
        last_contact=last_contact,
        last_interaction=last,
        interactions=tuple(done),
        planned=tuple(planned),
        next_follow_up=note.next_follow_up,
        snooze_until=note.snooze_until,
        archived=note.archived,
        birthday=note.birthday,
        next_birthday=birthday_within(note.birthday, today),
        followup=state,
        days_since_contact=(today - last_contact).days if last_contact else None,
        front_matter=note.front_matter,
        sort_name=sort_name,
        ladder_key=(note.archived, tier.rank, sort_name, note.path),
    )


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
        median_days_since_contact=_median_days(members),
        moving_up=tuple(moving_up),
        aiming_higher=tuple(
            p for p in members if p.target_tier is not None and p.target_tier.rank < tier.rank
        ),
    )


def _median_days(members: Iterable[Person]) -> float | None:
    """The median of the days since the last contact, of those ever contacted."""
    since = list(filter(_NOT_NONE, map(_DAYS_SINCE, members)))
    return statistics.median(since) if since else None


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
    birthdays.sort(key=_birthday_order)
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
