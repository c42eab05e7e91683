"""Companies: who is at each one now, who used to be, and who moved lately. Pure.

Company names are compared by ``company_key``: two spellings are the same company when
they have the same key. The rule is documented for users in docs/insights.md; keep both
in step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from vaultnet.dates import ago, short_date
from vaultnet.errors import UsageError
from vaultnet.insights.logscan import PER_PERSON
from vaultnet.model.network import Interaction, Network, Person, Ref
from vaultnet.names import loose, loose_matches, safe_filename
from vaultnet.source.companynames import (
    LEGAL_FORMS,
    company_key,
    company_shown,
    company_words,
)
from vaultnet.source.links import WIKILINK, Resolver, as_link, fold, parse_link

RECENT_MOVE_DAYS = 180
PAGE_MIN_PEOPLE = 2
PAGES_DIR = "Companies"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def _label(text: str) -> str:
    """Text safe inside a wikilink label or a line: no link syntax, no bidi overrides."""
    text = text.replace("[[", "[").replace("]]", "]").replace("|", "/")
    if text.isascii() and text.isprintable():
        return text  # the common case, checked in C
    text = _BIDI.sub("", text)
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


@dataclass(frozen=True, slots=True)
class CompanyRef:
    """A company as pages refer to it: its name and where a link to it should go.

    One company, one link target: the user's own note about it when there is one (its
    page, if any, is then named ``<name> (people).md`` so that no two notes share a
    name), else its generated page, else nothing.
    """

    key: str
    name: str
    page: str | None  # its page under the output folder ("Companies/Acme.md"), if it has one
    link: str | None  # link target: the user's own note, else its generated page, else None
    page_link: str | None = None  # link target of its generated page
    own_note: bool = False  # ``link`` is the user's note

    @property
    def wikilink(self) -> str:
        """``[[Acme]]``, ``[[Network/Companies/Acme (2)|Acme]]``, or the bare name when there
        is nothing to link."""
        name = _label(self.name)
        if self.link is None:
            return name
        target = _label(self.link)
        return f"[[{target}]]" if target == name else f"[[{target}|{name}]]"

    @property
    def page_wikilink(self) -> str:
        """A link to its generated page, labelled "who is there" (empty without a page)."""
        if self.page_link is None:
            return ""
        return f"[[{_label(self.page_link)}|who is there]]"


@dataclass(frozen=True, slots=True)
class Stint:
    """A person's time at a company: now (``end`` None) or in the past."""

    person: Person
    role: str | None
    start: dt.date | None
    end: dt.date | None
    now_at: CompanyRef | None = None  # for alumni: where they are now


@dataclass(frozen=True, slots=True)
class Move:
    """A recent change of position: from ``history`` dates or a log entry of kind ``moved``."""

    person: Person
    date: dt.date
    kind: str  # "changed_company", "joined", "left", "changed_role" or "logged"
    left: CompanyRef | None = None
    joined: CompanyRef | None = None
    role: str | None = None  # the new role
    old_role: str | None = None
    note: str = ""  # the log entry's text, for "logged"
    companies: tuple[str, ...] = ()  # keys of the companies it concerns
    source: str = ""
    line: int | None = None

    def describe(self, markdown: bool = False) -> str:
        """The move as a phrase: ``left Acme Robotics for Initech as Engineering Manager``."""

        def name(ref: CompanyRef | None) -> str:
            if ref is None:
                return ""
            return ref.wikilink if markdown else ref.name

        role = f" as {self.role}" if self.role else ""
        if self.kind == "changed_company":
            return f"left {name(self.left)} for {name(self.joined)}{role}"
        if self.kind == "joined":
            return f"joined {name(self.joined)}{role}"
        if self.kind == "left":
            return f"left {name(self.left)}"
        if self.kind == "changed_role":
            at = name(self.joined)
            if self.role and self.old_role:
                return f"moved from {self.old_role} to {self.role} at {at}"
            if self.role:
                return f"became {self.role} at {at}"
            return f"changed role at {at}"
        text = self.note if markdown else WIKILINK.sub(lambda m: parse_link(m[2]).text, self.note)
        return f"moved: {text}" if text else "moved"

    @property
    def summary(self) -> str:
        """The move as plain text."""
        return self.describe()

    @property
    def summary_md(self) -> str:
        """The move as Markdown, companies linked."""
        return self.describe(markdown=True)


@dataclass(frozen=True, slots=True)
class Company:
    """A company with its people now, its alumni and its recent moves."""

    ref: CompanyRef
    current: tuple[Stint, ...]  # strongest tier first
    alumni: tuple[Stint, ...]  # strongest tier first, then who left last
    moves: tuple[Move, ...]  # newest first
    spellings: tuple[str, ...]  # every way the notes write it, most common first
    note: str | None = None  # the user's own note about it, when people link to one
    _hash: int | None = field(default=None, init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        # Computed once: a company holds every stint and move, and a page's cached row is
        # looked up by its company at every render.
        value = self._hash
        if value is None:
            value = hash((self.ref, self.current, self.alumni, self.moves, self.spellings))
            object.__setattr__(self, "_hash", value)
        return value

    @property
    def key(self) -> str:
        return self.ref.key

    @property
    def name(self) -> str:
        return self.ref.name

    @property
    def strongest(self) -> Stint | None:
        """The active person there now on the strongest tier (None when there is nobody)."""
        return next((s for s in self.current if s.person.active), None)

    @property
    def people(self) -> int:
        """How many people are or were there."""
        return len(self.current) + len(self.alumni)


@dataclass(frozen=True, slots=True)
class CompanyIndex:
    """Every company people are or were at; ``with_pages`` are those with a page."""

    with_pages: tuple[Company, ...]  # strongest tier there first, then most people
    # Compared too: a template may read them, and a page is reused only when all it reads
    # is equal (pagememo.py).
    by_key: dict[str, Company] = field(hash=False)
    moves: tuple[Move, ...] = ()  # every recent move, newest first
    by_person: dict[str, CompanyRef] = field(default_factory=dict, hash=False)

    def get(self, name: str) -> Company | None:
        """The company a name or link stands for, by ``company_key``."""
        return self.by_key.get(company_key(name))

    def now_at(self, person: Person) -> CompanyRef | None:
        """The company a person is at now."""
        return self.by_person.get(person.key)


def ref_key(ref: Ref) -> str:
    """The company key of a front matter reference (a link keys on its note's name)."""
    return company_key(f"[[{ref.target}]]" if ref.is_link else ref.text)


def _refcompany_shown(ref: Ref) -> str:
    return ref.target.rsplit("/", 1)[-1] if ref.is_link else ref.text


class _Builder:
    """Collects stints person by person, then names the companies and files their pages."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.since = today - dt.timedelta(days=RECENT_MOVE_DAYS)
        self.spellings: dict[str, dict[str, int]] = {}  # key -> spelling -> count
        self.notes: dict[str, dict[str, int]] = {}  # key -> link target -> count
        self.current: dict[str, list[Stint]] = {}
        self.alumni: dict[str, dict[str, Stint]] = {}

    def spelled(self, key: str, shown: str, note: str | None) -> None:
        counts = self.spellings.get(key)
        if counts is None:
            counts = self.spellings[key] = {}
        counts[shown] = counts.get(shown, 0) + 1
        if note is not None:
            notes = self.notes.get(key)
            if notes is None:
                notes = self.notes[key] = {}
            notes[note] = notes.get(note, 0) + 1

    def add(self, person: Person) -> str | None:
        """Record a person's positions; returns the key of their company now."""
        found = PER_PERSON.get("positions", person, lambda p: _positions(p, self.today))
        for key, shown, note in found.spellings:
            self.spelled(key, shown, note)
        for key, stint in found.alumni.items():
            alumni = self.alumni.get(key)
            if alumni is None:
                alumni = self.alumni[key] = {}
            alumni[person.key] = stint
        if found.now_key is not None and found.current is not None:
            self.current.setdefault(found.now_key, []).append(found.current)
        return found.now_key

    def refs(self, output_dir: str, note_names: frozenset[str]) -> dict[str, CompanyRef]:
        """Name every company and give those with enough people a page whose file name no
        note of the vault has (``note_names``, casefolded), nor any other page."""
        refs: dict[str, CompanyRef] = {}
        taken = set(note_names) | {fold(name) for name in _RESERVED}
        for key in sorted(self.spellings):
            name = _most_common(self.spellings[key])
            note = _most_common(self.notes[key]) if key in self.notes else None
            own = _own_note(name, note, note_names)
            people = len(self.current.get(key, ())) + len(self.alumni.get(key, {}))
            page = page_link = None
            if people >= PAGE_MIN_PEOPLE:
                stem = safe_filename(name)
                stem = _unique(f"{stem} (people)" if own else stem, taken)
                page = f"{PAGES_DIR}/{stem}.md"
                # By file name, as the user's own links to it are written, when that
                # name is the company's: no other note has it.
                page_link = stem
                if stem != name:
                    page_link = str(PurePosixPath(output_dir, PAGES_DIR, stem))
            link = own or page_link or note
            refs[key] = CompanyRef(key, name, page, link, page_link, own is not None)
        return refs


class _Positions(NamedTuple):
    """What one person adds to the companies: kept between a watcher's builds."""

    now_key: str | None  # the company they are at now
    current: Stint | None  # their stint there
    spellings: list[tuple[str, str, str | None]]  # (key, as written, note linked to)
    alumni: dict[str, Stint]  # company key -> their latest stint there, elsewhere than now


def _positions(person: Person, today: dt.date) -> _Positions:
    company = person.company
    now_key = None
    spellings: list[tuple[str, str, str | None]] = []
    if company is not None:
        now_key = ref_key(company)
        spellings.append(
            (now_key, _refcompany_shown(company), company.target if company.is_link else None)
        )
    start: dt.date | None = None  # the current job's start, when history lists it
    alumni: dict[str, Stint] = {}
    for position in person.history:
        key = company_key(position.company)
        link = as_link(position.company)
        spellings.append((key, company_shown(position.company), link.target if link else None))
        if key == now_key:
            # The current job listed in history (its start is "since"), or a former
            # employer they are back at: either way they are there now, not alumni.
            if position.start is not None and _open(position.end, today):
                start = max(start, position.start) if start else position.start
            continue
        earlier = alumni.get(key)
        if earlier is None or (position.end or dt.date.max) >= (earlier.end or dt.date.max):
            role = position.role or (earlier.role if earlier else None)
            alumni[key] = Stint(person, role, position.start, position.end)
    current = Stint(person, person.role, start, None) if now_key is not None else None
    return _Positions(now_key, current, spellings, alumni)


def _open(end: dt.date | None, today: dt.date) -> bool:
    return end is None or end > today


# The names of vaultnet's other pages: a company page must not take one.
_RESERVED = (
    *("Index", "Follow-ups", "Companies", "Introductions", "Ladder", "Reciprocity"),
    *("Overdue", "Due this week", "Coming up", "Never contacted", "Dormant", "Birthdays"),
    "Snoozed",
)


def _own_note(name: str, note: str | None, note_names: frozenset[str]) -> str | None:
    """The link target of the user's own note about a company, if the vault has one: the
    note people's ``company`` links point to, else a note named like the company."""
    if note is not None and fold(note.rsplit("/", 1)[-1]) in note_names:
        return note
    stem = safe_filename(name)
    return stem if fold(stem) in note_names else None


def _most_common(counts: dict[str, int]) -> str:
    """The spelling used most; ties go to the alphabetically first, for stable output."""
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


def _unique(stem: str, taken: set[str]) -> str:
    """``stem``, or ``stem (2)``...: distinct from the names taken, ignoring case and form."""
    candidate, number = stem, 1
    while unicodedata.normalize("NFC", candidate).casefold() in taken:
        number += 1
        candidate = f"{stem} ({number})"
    taken.add(unicodedata.normalize("NFC", candidate).casefold())
    return candidate


def moved_entries(network: Network) -> dict[str, list[Interaction]]:
    """Each person's log entries of kind ``moved`` (any case), oldest first."""
    found: dict[str, list[Interaction]] = {}
    for person in network.people:
        entries = _moved_of(person)
        if entries:
            found[person.key] = entries
    return found


def build_companies(
    network: Network, moved: dict[str, list[Interaction]] | None = None
) -> CompanyIndex:
    """Group everyone (archived people too) by company, now and in the past.

    ``moved`` is what ``moved_entries`` returns, when the caller has it already.
    """
    if moved is None:
        moved = moved_entries(network)
    today = network.today
    builder = _Builder(today)
    now_keys: dict[str, str] = {}
    for person in network.people:
        key = builder.add(person)
        if key is not None:
            now_keys[person.key] = key
    refs = builder.refs(network.config.output_dir, network.note_names)
    by_person = {person: refs[key] for person, key in now_keys.items()}

    moves: list[Move] = []
    for person in network.people:
        if person.history:
            history_move = _history_move(person, refs, builder.since, today)
            if history_move is not None:
                moves.append(history_move)
        for entry in moved.get(person.key, ()):
            if entry.date >= builder.since:
                moves.append(_logged_move(person, entry, refs))
    moves.sort(key=_move_order)
    moves_by_key: dict[str, list[Move]] = {}
    for move in moves:
        for key in move.companies:
            moves_by_key.setdefault(key, []).append(move)

    companies: dict[str, Company] = {}
    for key, ref in refs.items():
        current = builder.current.get(key, [])  # in ladder order, as people were visited
        alumni = sorted(
            (
                Stint(s.person, s.role, s.start, s.end, by_person.get(s.person.key))
                for s in builder.alumni.get(key, {}).values()
            ),
            key=_alum_order,
        )
        spellings = tuple(
            text for text, _ in sorted(builder.spellings[key].items(), key=lambda i: (-i[1], i[0]))
        )
        note = _most_common(builder.notes[key]) if key in builder.notes else None
        companies[key] = Company(
            ref, tuple(current), tuple(alumni), tuple(moves_by_key.get(key, ())), spellings, note
        )
    with_pages = sorted(
        (c for c in companies.values() if c.ref.page is not None), key=_company_order
    )
    return CompanyIndex(tuple(with_pages), companies, tuple(moves), by_person)


def update_companies(previous: CompanyIndex, network: Network) -> CompanyIndex | None:
    """The companies of a patched network (``network.patch``), from those of the network it
    was made from: the people replaced are swapped into the stints and moves that hold
    them, with their role now where it is shown (their stint now, and the moves
    ``history`` dates). None when something the companies are made of changed for one of
    them (their company, history or ``moved:`` entries): then they are built again.
    """
    patch = network.patch
    if patch is None:
        return None
    swapped: dict[str, Person] = {}
    for before, now in patch.replaced:
        if (
            before.company != now.company
            or before.history != now.history
            or _moved_of(before) != _moved_of(now)
        ):
            return None
        swapped[now.key] = now
    changed: dict[str, Company] = {}
    new_moves: dict[int, Move] = {}  # id of a move before -> the same move now
    for key, now in swapped.items():
        found = PER_PERSON.get("positions", now, lambda p: _positions(p, network.today))
        keys = [found.now_key] if found.now_key is not None else []
        for company_at in (*keys, *found.alumni):
            company = changed.get(company_at) or previous.by_key.get(company_at)
            if company is None:
                return None  # cannot happen when the company was built from the same notes
            changed[company_at] = dataclasses.replace(
                company,
                current=_swap_stints(company.current, key, now, role=True),
                alumni=_swap_stints(company.alumni, key, now),
            )
    for move in previous.moves:
        mover = swapped.get(move.person.key)
        if mover is not None:
            # A move from ``history`` shows the role now (see _history_move), a logged one
            # does not.
            role = move.role if move.kind in ("logged", "left") else mover.role
            new_moves[id(move)] = dataclasses.replace(move, person=mover, role=role)
    if new_moves:
        for company_key in {k for m in previous.moves if id(m) in new_moves for k in m.companies}:
            company = changed.get(company_key) or previous.by_key[company_key]
            changed[company_key] = dataclasses.replace(
                company, moves=tuple(new_moves.get(id(m), m) for m in company.moves)
            )
    if not changed and not new_moves:
        return previous
    by_key = {**previous.by_key, **changed}
    return CompanyIndex(
        tuple(changed.get(c.key, c) for c in previous.with_pages),
        by_key,
        tuple(new_moves.get(id(m), m) for m in previous.moves),
        previous.by_person,
    )


def _moved_of(person: Person) -> list[Interaction]:
    """A person's log entries of kind ``moved`` (any case), oldest first."""
    # The length test first: this runs for every log entry of the vault.
    return [
        entry
        for entry in person.interactions
        if entry.kind is not None and len(entry.kind) == 5 and entry.kind.casefold() == "moved"
    ]


def _swap_stints(
    stints: tuple[Stint, ...], key: str, now: Person, role: bool = False
) -> tuple[Stint, ...]:
    """The stints with ``now`` in place of the person of ``key`` (and their role now, for
    the stint at their company now)."""
    if not any(s.person.key == key for s in stints):
        return stints
    return tuple(
        dataclasses.replace(s, person=now, role=now.role if role else s.role)
        if s.person.key == key
        else s
        for s in stints
    )


def _alum_order(stint: Stint) -> tuple[bool, int, int, str, str]:
    person = stint.person
    left = -(stint.end or dt.date.min).toordinal()
    return (person.archived, person.tier.rank, left, person.sort_name, person.path)


def _move_order(move: Move) -> tuple[int, str, str, str]:
    return (-move.date.toordinal(), move.person.sort_name, move.person.path, move.kind)


def _company_order(company: Company) -> tuple[int, int, int, str, str]:
    strongest = company.strongest
    rank = strongest.person.tier.rank if strongest else 1_000_000
    return (rank, -len(company.current), -company.people, company.name.casefold(), company.key)


def _logged_move(person: Person, entry: Interaction, refs: dict[str, CompanyRef]) -> Move:
    """A ``moved:`` log entry; it concerns the companies it links to, else the current one."""
    keys = []
    for target in entry.links:
        key = company_key(f"[[{target}]]")
        if key in refs and key not in keys:
            keys.append(key)
    if not keys and person.company is not None:
        keys.append(ref_key(person.company))
    return Move(
        person,
        entry.date,
        "logged",
        note=entry.text,
        companies=tuple(keys),
        source=entry.source,
        line=entry.line,
    )


def _history_move(
    person: Person, refs: dict[str, CompanyRef], since: dt.date, today: dt.date
) -> Move | None:
    """The latest change of position ``history`` dates within the window, if any."""
    now_key = ref_key(person.company) if person.company else None
    started: dt.date | None = None
    ended = []
    for position in person.history:
        key = company_key(position.company)
        if key == now_key and _open(position.end, today):
            if position.start is not None and since <= position.start <= today:
                started = max(started or position.start, position.start)
        elif position.end is not None and position.end <= today:
            ended.append((position.end, key, position))
    recent = [item for item in ended if item[0] >= since]
    if started is None and not recent:
        return None
    # What they left: the latest position that ended in the window, or before the new start.
    candidates = recent or [item for item in ended if started and item[0] <= started]
    left = max(candidates, key=lambda item: item[0]) if candidates else None
    date = max(d for d in (started, left[0] if left else None) if d is not None)
    now = refs[now_key] if now_key else None
    source = person.path
    if left is None:
        assert now is not None and now_key is not None
        return Move(
            person,
            date,
            "joined",
            joined=now,
            role=person.role,
            companies=(now_key,),
            source=source,
        )
    _, left_key, position = left
    if now is None or now_key is None:
        return Move(
            person,
            date,
            "left",
            left=refs[left_key],
            old_role=position.role,
            companies=(left_key,),
            source=source,
        )
    if left_key == now_key:
        return Move(
            person,
            date,
            "changed_role",
            joined=now,
            role=person.role,
            old_role=position.role,
            companies=(now_key,),
            source=source,
        )
    return Move(
        person,
        date,
        "changed_company",
        left=refs[left_key],
        joined=now,
        role=person.role,
        old_role=position.role,
        companies=(left_key, now_key),
        source=source,
    )


# --- Routes: who can get you to a person or a company -----------------------------------

_REASON_ORDER = {
    "works_there": 0,
    "introduced": 1,
    "knows": 2,
    "known_by": 3,
    "colleague": 4,
    "alumni": 5,
    "knows_name": 6,
}


class NoMatch(UsageError):
    """Nothing matches a ``path`` target; ``suggestions`` holds close names."""

    def __init__(self, target: str, suggestions: list[str]) -> None:
        message = f"no person or company matches {target!r}"
        if suggestions:
            message += "; did you mean " + ", ".join(suggestions) + "?"
        super().__init__(message)
        self.target = target
        self.suggestions = suggestions


@dataclass(frozen=True, slots=True)
class Target:
    """What ``vaultnet path`` was asked about: a person, a company, or a name in ``knows``."""

    kind: str  # "person", "company" or "name"
    name: str
    person: Person | None = None
    company: Company | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why someone can get you there; ``via`` is the person at the target they connect to."""

    kind: str  # a key of _REASON_ORDER
    text: str
    via: Person | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """Someone who can get you to the target, with every reason and the best chain."""

    person: Person
    reasons: tuple[Reason, ...]  # strongest reason first
    chain: tuple[str, ...]  # names from "you" to the target


_Add = Callable[[Person, "Reason"], None]


@dataclass(frozen=True, slots=True)
class Routes:
    """The answer to ``vaultnet path``: routes ranked by tier, then by recent contact."""

    target: Target
    routes: tuple[Route, ...]


def person_resolver(network: Network) -> Resolver:
    """Resolve names and link targets to people as the notes' own links resolve."""
    resolver = Resolver()
    for person in network.people:
        resolver.add(person.key, person.path, person.name, person.aliases)
    resolver.finish()
    return resolver


def find_routes(
    network: Network,
    target: str,
    resolver: Resolver | None = None,
    companies: CompanyIndex | None = None,
) -> Routes:
    """Who can get you to ``target`` (a person, a company, or a name from ``knows`` lists).

    Raises NoMatch (with close matches as suggestions) when nothing matches.
    """
    resolver = resolver or person_resolver(network)
    companies = companies or build_companies(network)
    found = match_target(network, target, resolver, companies)
    reasons: dict[str, list[Reason]] = {}

    def add(person: Person, reason: Reason) -> None:
        if found.person is not None and person.key == found.person.key:
            return
        reasons.setdefault(person.key, []).append(reason)

    if found.company is not None:
        _company_reasons(network, found.company, add)
    elif found.person is not None:
        _person_reasons(network, found.person, companies, add)
    else:
        words = _words(found.name)
        for person in network.people:
            for ref in person.knows:
                if ref.person is None and _contains(_words(ref.text), words):
                    add(person, Reason("knows_name", f"knows {ref.text}"))
    routes = []
    for key, given in reasons.items():
        person = network.by_key[key]
        ordered = tuple(sorted(_dedupe(given), key=lambda r: _REASON_ORDER[r.kind]))
        routes.append(Route(person, ordered, _route_chain(person, ordered[0], found)))
    routes.sort(key=lambda r: _route_order(r.person))
    return Routes(found, tuple(routes))


def _route_order(person: Person) -> tuple[bool, int, int, str, str]:
    recent = -(person.last_contact.toordinal() if person.last_contact else 0)
    return (person.archived, person.tier.rank, recent, person.sort_name, person.path)


def _dedupe(reasons: list[Reason]) -> list[Reason]:
    seen: set[tuple[str, str]] = set()
    result = []
    for reason in reasons:
        if (reason.kind, reason.text) not in seen:
            seen.add((reason.kind, reason.text))
            result.append(reason)
    return result


def _route_chain(person: Person, reason: Reason, target: Target) -> tuple[str, ...]:
    chain = ["you", person.name]
    if reason.via is not None and (target.person is None or reason.via.key != target.person.key):
        chain.append(reason.via.name)
    chain.append(target.name)
    return tuple(chain)


def _company_reasons(network: Network, company: Company, add: _Add) -> None:
    name = company.name
    there = {s.person.key for s in company.current}
    for stint in company.current:
        role = f": {stint.role}" if stint.role else ""
        add(stint.person, Reason("works_there", f"works there now{role}"))
    for stint in company.alumni:
        role = f" as {stint.role}" if stint.role else ""
        until = f" until {stint.end.isoformat()}" if stint.end else ""
        add(stint.person, Reason("alumni", f"worked there{role}{until}"))
    words = _words(name)
    for person in network.people:
        for ref in person.knows:
            if ref.person is not None and ref.person in there and ref.person != person.key:
                colleague = network.by_key[ref.person]
                add(
                    person,
                    Reason("knows", f"knows {colleague.name} ({_at(colleague, name)})", colleague),
                )
            elif ref.person is None and _contains(_words(ref.text), words):
                add(person, Reason("knows_name", f"knows {ref.text}"))
    for stint in company.current:
        for ref in stint.person.introduced_by:
            if ref.person is not None and ref.person != stint.person.key:
                text = f"introduced you to {stint.person.name} ({_at(stint.person, name)})"
                add(network.by_key[ref.person], Reason("introduced", text, stint.person))


def _person_reasons(network: Network, target: Person, companies: CompanyIndex, add: Any) -> None:
    for ref in target.introduced_by:
        if ref.person is not None:
            add(
                network.by_key[ref.person], Reason("introduced", f"introduced you to {target.name}")
            )
    for ref in target.knows:
        if ref.person is not None:
            add(
                network.by_key[ref.person], Reason("known_by", f"{target.name} lists them in knows")
            )
    for person in network.people:
        for ref in person.knows:
            if ref.person == target.key:
                add(person, Reason("knows", f"knows {target.name}"))
    now = companies.now_at(target)
    if now is not None:
        company = companies.by_key[now.key]
        for stint in company.current:
            add(stint.person, Reason("colleague", f"works with {target.name} at {company.name}"))


def _at(person: Person, company: str) -> str:
    return f"{person.role} at {company}" if person.role else f"at {company}"


def _words(text: str) -> list[str]:
    words = company_words(text)
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return words


def _contains(hay: list[str], needle: list[str]) -> bool:
    """Whether ``needle`` occurs in ``hay`` as consecutive whole words."""
    if not needle or len(needle) > len(hay):
        return False
    width = len(needle)
    return any(hay[i : i + width] == needle for i in range(len(hay) - width + 1))


def match_target(
    network: Network, target: str, resolver: Resolver, companies: CompanyIndex
) -> Target:
    """The person or company ``target`` names, as links resolve; else a name from ``knows``.

    A person matched by file name or ``name`` wins over a company of that name; a company
    wins over a person's alias.
    """
    link = as_link(target)
    wanted = link.target if link else target.strip()
    match = resolver.resolve(wanted) if wanted else None
    company = companies.get(wanted) if wanted else None
    if match is not None and (match.how != "alias" or company is None):
        person = network.by_key[match.key]
        return Target("person", person.name, person=person)
    if company is not None:
        return Target("company", company.name, company=company)
    names = {p.key: (p.name, PurePosixPath(p.path).stem, *p.aliases) for p in network.people}
    keys = loose_matches(wanted, names)  # accents ignored, a first name, a name's start
    if len(keys) == 1:
        person = network.by_key[keys[0]]
        return Target("person", person.name, person=person)
    if keys:
        raise NoMatch(target, sorted(network.by_key[key].name for key in keys))
    words = _words(wanted)
    for person in network.people:
        for ref in person.knows:
            if ref.person is None and _contains(_words(ref.text), words):
                return Target("name", wanted)
    raise NoMatch(target, suggest(network, wanted, companies))


def suggest(network: Network, wanted: str, companies: CompanyIndex, count: int = 5) -> list[str]:
    """Names, aliases and companies close to ``wanted`` (difflib), for "did you mean"."""
    pool: dict[str, str] = {}
    for person in network.people:
        for name in (person.name, *person.aliases):
            pool.setdefault(loose(name), name)
    for company in companies.by_key.values():
        pool.setdefault(loose(company.name), company.name)
    close = difflib.get_close_matches(loose(wanted), list(pool), n=count, cutoff=0.6)
    return [pool[c] for c in close]


def routes_json(routes: Routes, today: dt.date, limit: int = 0) -> dict[str, Any]:
    """The object ``vaultnet path --json`` prints (``limit`` 0: every route)."""
    target = routes.target
    page = target.company.ref.page if target.company else None
    shown = routes.routes if limit <= 0 else routes.routes[:limit]
    return {
        "today": today.isoformat(),
        "target": {
            "kind": target.kind,
            "name": target.name,
            "path": target.person.path if target.person else None,
            "page": page,
        },
        "total": len(routes.routes),
        "routes": [
            {
                "name": r.person.name,
                "path": r.person.path,
                "tier": r.person.tier.name,
                "archived": r.person.archived,
                "last_contact": r.person.last_contact.isoformat()
                if r.person.last_contact
                else None,
                "days_since_contact": r.person.days_since_contact,
                "chain": list(r.chain),
                "reasons": [
                    {
                        "kind": reason.kind,
                        "text": reason.text,
                        "via": reason.via.path if reason.via else None,
                    }
                    for reason in r.reasons
                ],
            }
            for r in shown
        ],
    }


def routes_text(routes: Routes, today: dt.date, limit: int = 0) -> str:
    """``vaultnet path`` for a terminal: ranked routes, each with its chain and reasons."""
    target = routes.target
    lines = [f"{target.name} ({_describe_target(target, today)})", ""]
    if not routes.routes:
        lines.append("Nobody in your notes connects to it yet.")
    shown = routes.routes if limit <= 0 else routes.routes[:limit]
    for number, route in enumerate(shown, 1):
        person = route.person
        last = "never contacted"
        if person.last_contact is not None:
            when = person.last_contact
            last = f"last contact {short_date(when, today)} ({ago(when, today)})"
        archived = ", archived" if person.archived else ""
        lines.append(f"{number:>2}. {person.name} · {person.tier.name}{archived} · {last}")
        lines.append("    " + " → ".join(route.chain))
        lines += [f"    - {reason.text}" for reason in route.reasons]
    if len(shown) < len(routes.routes):
        lines += ["", f"{len(routes.routes) - len(shown)} more; --limit 0 shows all."]
    return "\n".join(lines) + "\n"


def _describe_target(target: Target, today: dt.date) -> str:
    if target.company is not None:
        company = target.company
        return f"company · {len(company.current)} there now, {len(company.alumni)} alumni"
    if target.person is not None:
        person = target.person
        last = "never contacted"
        if person.last_contact is not None:
            last = f"last contact {ago(person.last_contact, today)}"
        where = f", {person.company.text}" if person.company else ""
        return f"{person.tier.name}{where} · you know them directly, {last}"
    return "named in your people's knows lists"


# The value types templates see; render.py lets them skip the sandbox's per-access checks.
TEMPLATE_TYPES: frozenset[type] = frozenset({CompanyRef, Stint, Move, Company, CompanyIndex})
