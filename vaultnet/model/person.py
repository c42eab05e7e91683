"""One person on a given day, made from their note and the dated notes that mention them.

Pure: the same note, mentions, names, day and configuration give an equal person. Each
person carries a ``digest`` of those inputs, and people compare by it: a person made again
from unchanged inputs equals the old one, and reuse (state/people.py, pagememo.py,
fragments.py) works by value.

People, their references and follow-up states are named tuples, like parsed notes: a build
takes thousands of them from saved state (state/personstore.py), and a tuple is made there
in one call in C, where a frozen dataclass runs Python code for each field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from vaultnet.config import Config, Tier
from vaultnet.dates import Birthday, Duration
from vaultnet.diagnostics import Diagnostic
from vaultnet.model.followups import FollowUp, birthday_within, follow_up
from vaultnet.source.links import Resolver, as_link, link_path, plain_text
from vaultnet.source.notes import LogEntry, Note, Position
from vaultnet.source.parsed import rebuilt


class Ref(NamedTuple):
    """A reference from a note to someone or something: a link or plain text."""

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt, (type(self), tuple(self))  # made again in C (safepickle.py)

    text: str  # what to show
    target: str  # the link target, or the text itself
    is_link: bool
    person: str | None = None  # the key of the person it resolves to, if any
    via_alias: bool = False


Interaction = LogEntry  # log entries and mentions are the same kind of value

# The orders of a person's interactions: by date, their own log before mentions, by line.
_DONE_ORDER = operator.attrgetter("date", "mention", "line")
_PLANNED_ORDER = operator.attrgetter("date", "line")

# Log entries that record a change rather than a contact (vaultnet tier, imports).
NOT_CONTACT_KINDS = frozenset({"tier", "moved"})


class More(NamedTuple):
    """What a person holds that a build after a few edits reads of few people (those
    made again, a brief's, a row rendered again): kept in the person's ``Details``, so
    that a person taken from saved state gets them when first asked for, from where they
    were saved (state/personstore.py) or else from their note. ``Person`` reads each as
    its own field."""

    aliases: tuple[str, ...]
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
    cadence_from_note: bool
    last_interaction: Interaction | None
    # The latest entry of the person's own log that records a contact and names its kind
    # (a meeting, a call): the kind of contact to suggest again.
    last_logged: Interaction | None
    next_follow_up: dt.date | None
    snooze_until: dt.date | None
    birthday: Birthday | None


# What makes a person's details: their interactions, front matter and ``More``.
DetailsValues = tuple[tuple[Interaction, ...], dict[str, object], More]


class Details:
    """A person's interactions, front matter and ``More``: most of what a person holds,
    and read by few pages (a brief, a row rendered again). A person made from their note
    has them; a person taken from saved state gets them made when first asked for, by
    ``make`` (from the note). Each method takes the person's key: the people of a saved
    file share one object of a subclass that holds all of theirs
    (state/personstore.py ``SavedDetails``).

    Not part of the person's value: people compare by their digest.
    """

    __slots__ = ("_front_matter", "_interactions", "_make", "_more")

    def __init__(
        self,
        interactions: tuple[Interaction, ...] = (),
        front_matter: dict[str, object] | None = None,
        more: More | None = None,
        make: Callable[[], DetailsValues] | None = None,
    ) -> None:
        self._interactions = interactions
        self._front_matter = front_matter if front_matter is not None else {}
        self._more = more  # None: to be made (``make``)
        self._make = make

    def values(self, key: str) -> tuple[tuple[Interaction, ...], dict[str, object]]:
        """The interactions and the front matter, made now if they were not yet."""
        if self._make is not None:
            self._made()
        return self._interactions, self._front_matter

    def more(self, key: str) -> More:
        """The rest of the person's fields, made now if they were not yet."""
        if self._more is None:
            self._made()
        assert self._more is not None
        return self._more

    def _made(self) -> None:
        assert self._make is not None, "a person's details with nothing to make them"
        self._interactions, self._front_matter, more = self._make()
        if self._more is None:
            self._more = more
        self._make = None

    def made(self, key: str) -> bool:
        """Whether the interactions and front matter are at hand (not still to be made)."""
        return self._make is None

    def later(self, key: str, make: Callable[[], DetailsValues]) -> None:
        """Have the values made by ``make`` when first asked for."""
        self._make = make


class Person(NamedTuple):
    """Everything known about a person on ``today``.

    People compare by ``digest``, the key of everything a person is made from (their note,
    the notes that mention them, the names links resolve against, the day and the
    configuration): a person made again from the same inputs equals the old one, in one
    string comparison, and two people made from different inputs never do.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt, (type(self), tuple(self))  # made again in C (safepickle.py)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Person:
            return NotImplemented
        return self.digest == other.digest

    def __ne__(self, other: object) -> bool:
        if type(other) is not Person:
            return NotImplemented
        return self.digest != other.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    @property
    def active(self) -> bool:
        return not self.archived

    @property
    def interactions(self) -> tuple[Interaction, ...]:
        """Dated today or earlier, oldest first: own log entries and mentions."""
        return self.details.values(self.key)[0]

    @property
    def front_matter(self) -> dict[str, object]:
        return self.details.values(self.key)[1]

    # Read of few people after a few edits: in the details (``More``).
    @property
    def aliases(self) -> tuple[str, ...]:
        return self.details.more(self.key).aliases

    @property
    def role(self) -> str | None:
        return self.details.more(self.key).role

    @property
    def history(self) -> tuple[Position, ...]:
        return self.details.more(self.key).history

    @property
    def location(self) -> str | None:
        return self.details.more(self.key).location

    @property
    def email(self) -> tuple[str, ...]:
        return self.details.more(self.key).email

    @property
    def phone(self) -> tuple[str, ...]:
        return self.details.more(self.key).phone

    @property
    def url(self) -> str | None:
        return self.details.more(self.key).url

    @property
    def linkedin(self) -> str | None:
        return self.details.more(self.key).linkedin

    @property
    def tags(self) -> tuple[str, ...]:
        return self.details.more(self.key).tags

    @property
    def met(self) -> dt.date | None:
        return self.details.more(self.key).met

    @property
    def connected(self) -> dt.date | None:
        return self.details.more(self.key).connected

    @property
    def cadence_from_note(self) -> bool:
        return self.details.more(self.key).cadence_from_note

    @property
    def last_interaction(self) -> Interaction | None:
        return self.details.more(self.key).last_interaction

    @property
    def last_logged(self) -> Interaction | None:
        return self.details.more(self.key).last_logged

    @property
    def next_follow_up(self) -> dt.date | None:
        return self.details.more(self.key).next_follow_up

    @property
    def snooze_until(self) -> dt.date | None:
        return self.details.more(self.key).snooze_until

    @property
    def birthday(self) -> Birthday | None:
        return self.details.more(self.key).birthday

    key: str  # the note's vault path
    path: str
    link: str  # link target that Obsidian resolves: the file name, or the path when ambiguous
    name: str
    tier: Tier
    target_tier: Tier | None
    company: Ref | None
    introduced_by: tuple[Ref, ...]
    knows: tuple[Ref, ...]
    cadence: Duration
    last_contact: dt.date | None
    # The interactions the insights read of everyone, in order: those with a tag, and
    # those of kind ``tier`` or ``moved`` (any case). The others stay in ``details``.
    notable: tuple[Interaction, ...]
    planned: tuple[Interaction, ...]  # dated after today
    archived: bool
    next_birthday: dt.date | None  # within the birthday window, else None
    followup: FollowUp
    days_since_contact: int | None
    # Sort keys, computed once: pages and insights sort people many times a build.
    sort_name: str  # the name, casefolded
    ladder_key: tuple[bool, int, str, str]  # archived, tier, name, path
    digest: str  # see person_key
    details: Details  # interactions, front matter and the rest (``More``)


def is_notable(entry: Interaction) -> bool:
    """Whether an interaction is one the insights read of everyone (``Person.notable``)."""
    if entry.tags:
        return True
    kind = entry.kind
    # The length first: this runs for every interaction of the vault.
    return kind is not None and 4 <= len(kind) <= 5 and kind.casefold() in ("tier", "moved")


def content_key(*parts: object) -> str:
    """A digest of ``parts`` (their text), stable across processes: keys are stored."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\0".join(map(str, parts)).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def note_key(note: Note) -> str:
    """A key of a note's content, from the parsed note itself (a build that knows each
    file's state passes keys of its own, which cost less)."""
    return content_key(repr(note))


@dataclass(frozen=True, slots=True)
class Names:
    """What references resolve against: every person note's path, name and aliases, with
    a ``key`` of them (links resolve alike whenever it is the same) and how many notes
    share each file name (a shared one is linked by path)."""

    key: str
    resolver: Resolver = field(compare=False)
    stems: dict[str, int] = field(compare=False)


def names_key(people_notes: Iterable[Note]) -> str:
    """The key of the names links resolve against."""
    return content_key(*(f"{n.path}\1{n.name}\1{chr(2).join(n.aliases)}" for n in people_notes))


def names_of(people_notes: list[Note], key: str | None = None) -> Names:
    """The names of ``people_notes`` (in path order), ready to resolve against."""
    resolver = Resolver()
    stems: dict[str, int] = {}
    for note in people_notes:
        stem = note.stem.casefold()
        stems[stem] = stems.get(stem, 0) + 1
    for note in people_notes:
        resolver.add(note.path, note.path, note.name or note.stem, note.aliases)
    resolver.finish()
    return Names(key if key is not None else names_key(people_notes), resolver, stems)


def person_key(
    path: str, note: str, mentions: Iterable[str], names: str, today: dt.date, config: str
) -> str:
    """The digest of what a person is made from: the path and key of their note, their
    mentions in dated notes (as text), the key of the names, the day and the
    configuration's key. A note's key may be its size and time alone, which two notes
    copied together often share: the path tells their people apart."""
    return content_key(path, note, names, today.isoformat(), config, *mentions)


def mentions_in(note: Note, resolver: Resolver) -> list[tuple[str, Interaction]]:
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


class Refs:
    """Resolves references, once per distinct text: company names, links and tier names
    repeat a lot."""

    def __init__(
        self, resolver: Resolver, config: Config, memo: dict[str, Ref] | None = None
    ) -> None:
        self.resolver = resolver
        # By text: those of an earlier build with the same names may be passed in.
        self.memo: dict[str, Ref] = memo if memo is not None else {}
        self.config = config
        self.tiers: dict[str, Tier | None] = {}

    def tier(self, text: str) -> Tier | None:
        """The tier ``text`` names (``Config.tier_named``)."""
        if text not in self.tiers:
            self.tiers[text] = self.config.tier_named(text)
        return self.tiers[text]

    def __call__(self, value: str, folder: str = "") -> Ref:
        # What a Markdown link or a relative target (``[[./Bob]]``, ``../Bob``) leads to
        # depends on the linking note's folder; any other wikilink's or name's does not.
        key = f"{folder}\0{value}" if "](" in value or "./" in value else value
        ref = self.memo.get(key)
        if ref is None:
            ref = self.memo[key] = _ref(value, self.resolver, folder)
        return ref


def _ref(value: str, resolver: Resolver, folder: str = "") -> Ref:
    link = as_link(value)
    stripped = value.strip()  # text and target alike when not a link: one string
    target = link.target if link else stripped
    match = resolver.resolve(target, folder)
    if link is not None and target.startswith(("./", "../")):
        target = match.key[:-3] if match else link_path(target, folder)
    return Ref(
        text=link.text if link else stripped,  # plain_text, without reading it again
        target=target,
        is_link=link is not None,
        person=match.key if match else None,
        via_alias=bool(match and match.how == "alias"),
    )


def interactions_of(
    note: Note, mentions: Iterable[Interaction], today: dt.date
) -> tuple[list[Interaction], list[Interaction]]:
    """The person's interactions dated today or earlier, in order (``Person.interactions``),
    and those planned after today (``Person.planned``)."""
    done: list[Interaction] = []
    planned: list[Interaction] = []
    for entry in note.log:
        (done if entry.date <= today else planned).append(entry)
    done += [mention for mention in mentions if mention.date <= today]
    done.sort(key=_DONE_ORDER)
    planned.sort(key=_PLANNED_ORDER)
    return done, planned


def details_of(note: Note, mentions: Iterable[Interaction], today: dt.date) -> DetailsValues:
    """What ``Details`` holds for the person of ``note``, as make_person makes it."""
    done = interactions_of(note, mentions, today)[0]
    return tuple(done), note.front_matter, _more_of(note, done)


def _more_of(note: Note, done: list[Interaction]) -> More:
    """The ``More`` of the person of ``note``, whose interactions are ``done``."""
    last = next(
        (i for i in reversed(done) if not i.kind or i.kind.casefold() not in NOT_CONTACT_KINDS),
        None,
    )
    logged = next(
        (
            i
            for i in reversed(done)
            if i.kind and not i.mention and i.kind.casefold() not in NOT_CONTACT_KINDS
        ),
        None,
    )
    return More(
        aliases=note.aliases,
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
        cadence_from_note=note.cadence is not None,
        last_interaction=last,
        last_logged=logged,
        next_follow_up=note.next_follow_up,
        snooze_until=note.snooze_until,
        birthday=note.birthday,
    )


def make_person(
    note: Note,
    config: Config,
    today: dt.date,
    refs: Refs,
    mentions: Iterable[Interaction],
    stems: dict[str, int],
    diagnostics: list[Diagnostic],
    digest: str,
) -> Person:
    """The person of ``note`` on ``today``; warnings about the note go to ``diagnostics``.
    ``digest`` is the key of everything the person is made from (``person_key``)."""
    tier = config.weakest
    if note.tier is not None:
        found = refs.tier(note.tier)
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
        target = refs.tier(note.target_tier)
        if target is None:
            diagnostics.append(
                Diagnostic(
                    note.path,
                    note.lines.get("target_tier"),
                    "warning",
                    f"unknown target_tier {note.target_tier!r}; ignored",
                )
            )
    done, planned = interactions_of(note, mentions, today)
    candidates = [d for d in (note.last_contact, note.met) if d is not None and d <= today]
    more = _more_of(note, done)
    last = more.last_interaction
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
    # The file name's own text when the name is the same (most notes): one string where
    # the person is saved with their note's stub (state/personstore.py), not two.
    name = note.name if note.name and note.name != note.stem else note.stem
    folder = note.path.rpartition("/")[0]
    sort_name = name.casefold()
    return Person(
        key=note.path,
        path=note.path,
        link=link,
        name=name,
        tier=tier,
        target_tier=target,
        company=refs(note.company, folder) if note.company else None,
        introduced_by=tuple(refs(value, folder) for value in note.introduced_by),
        knows=tuple(refs(value, folder) for value in note.knows),
        cadence=cadence,
        last_contact=last_contact,
        notable=tuple(filter(is_notable, done)),
        planned=tuple(planned),
        archived=note.archived,
        next_birthday=birthday_within(note.birthday, today),
        followup=state,
        days_since_contact=(today - last_contact).days if last_contact else None,
        sort_name=sort_name,
        ladder_key=(note.archived, tier.rank, sort_name, note.path),
        digest=digest,
        details=Details(tuple(done), note.front_matter, more),
    )
