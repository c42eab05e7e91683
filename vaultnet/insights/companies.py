"""Companies: who is at each one now, who used to be, and who moved lately. Pure.

Company names are compared by ``company_key``: two spellings are the same company when
they have the same key. The rule is documented for users in docs/insights.md; keep both
in step. The values are in companytypes.py, the moves in moves.py; a watcher's update is
companyupdate.py.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import PurePosixPath
from typing import NamedTuple

from vaultnet.insights.companytypes import (
    Company,
    CompanyIndex,
    CompanyRef,
    MadeKeys,
    Move,
    Stint,
)
from vaultnet.insights.logscan import PersonValues, kept
from vaultnet.insights.moves import (
    RECENT_MOVE_DAYS,
    history_move,
    logged_move,
    move_order,
    moved_entries,
    still_open,
)
from vaultnet.model.network import Interaction, Network, Person, Ref
from vaultnet.names import safe_filename
from vaultnet.source.companynames import company_key
from vaultnet.source.links import Resolver, as_link, fold

PAGE_MIN_PEOPLE = 2
PAGES_DIR = "Companies"

# A company as written, read: (key, as shown, the note a link to it points to).
Spelling = tuple[str, str, str | None]


class CompanyNames:
    """Each way the notes write a company, read once: thousands of people write the same
    few hundred names, and reading one (links, Unicode folding) costs far more than
    looking it up."""

    def __init__(self) -> None:
        self.values: dict[str, Spelling] = {}
        self.refs: dict[tuple[bool, str], Spelling] = {}

    def of_value(self, value: str) -> Spelling:
        """A ``history`` entry's company: ``company_key``, ``company_shown``, link target."""
        found = self.values.get(value)
        if found is None:
            link = as_link(value)
            shown = link.target.rsplit("/", 1)[-1] if link else value.strip()
            found = (company_key(value), shown, link.target if link else None)
            self.values[value] = found
        return found

    def key_of(self, value: str) -> str:
        """A ``history`` entry's ``company_key``."""
        return self.of_value(value)[0]

    def of_ref(self, ref: Ref) -> Spelling:
        """A front matter ``company``: a link keys on its note's name (``ref_key``)."""
        wanted = (ref.is_link, ref.target if ref.is_link else ref.text)
        found = self.refs.get(wanted)
        if found is None:
            if ref.is_link:
                shown = ref.target.rsplit("/", 1)[-1]
                found = (company_key(f"[[{ref.target}]]"), shown, ref.target)
            else:
                found = (company_key(ref.text), ref.text, None)
            self.refs[wanted] = found
        return found


class Positions(NamedTuple):
    """What one person adds to the companies: kept between a watcher's builds."""

    now_key: str | None  # the company they are at now
    current: Stint | None  # their stint there
    spellings: list[Spelling]
    alumni: dict[str, Stint]  # company key -> their latest stint there, elsewhere than now


def positions_of(
    person: Person,
    today: dt.date,
    names: CompanyNames | None = None,
    values: PersonValues | None = None,
) -> Positions:
    """A person's positions, kept in ``values`` (a watcher's) when given."""
    names = names or CompanyNames()
    return kept(values, "positions", person, lambda p: _positions(p, today, names))


def _positions(person: Person, today: dt.date, names: CompanyNames) -> Positions:
    now_key = None
    spellings: list[Spelling] = []
    if person.company is not None:
        spelling = names.of_ref(person.company)
        now_key = spelling[0]
        spellings.append(spelling)
    start: dt.date | None = None  # the current job's start, when history lists it
    alumni: dict[str, Stint] = {}
    for position in person.history:
        spelling = names.of_value(position.company)
        spellings.append(spelling)
        key = spelling[0]
        if key == now_key:
            # The current job listed in history (its start is "since"), or a former
            # employer they are back at: either way they are there now, not alumni.
            if position.start is not None and still_open(position.end, today):
                start = max(start, position.start) if start else position.start
            continue
        earlier = alumni.get(key)
        if earlier is None or (position.end or dt.date.max) >= (earlier.end or dt.date.max):
            role = position.role or (earlier.role if earlier else None)
            alumni[key] = Stint(person, role, position.start, position.end)
    current = Stint(person, person.role, start, None) if now_key is not None else None
    return Positions(now_key, current, spellings, alumni)


class _Builder:
    """Collects stints person by person, then names the companies and files their pages."""

    def __init__(self) -> None:
        self.spelled: dict[Spelling, int] = {}  # each way a company is written -> how often
        self.current: dict[str, list[Stint]] = {}
        self.alumni: dict[str, dict[str, Stint]] = {}

    def add(self, person: Person, found: Positions) -> None:
        """Record a person's positions."""
        spelled = self.spelled
        for spelling in found.spellings:
            spelled[spelling] = spelled.get(spelling, 0) + 1
        for key, stint in found.alumni.items():
            alumni = self.alumni.get(key)
            if alumni is None:
                alumni = self.alumni[key] = {}
            alumni[person.key] = stint
        if found.now_key is not None and found.current is not None:
            self.current.setdefault(found.now_key, []).append(found.current)

    def counts(self) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
        """By company key: how often each spelling is written, and each note linked."""
        spellings: dict[str, dict[str, int]] = {}
        notes: dict[str, dict[str, int]] = {}
        for (key, shown, note), count in self.spelled.items():
            counts = spellings.setdefault(key, {})
            counts[shown] = counts.get(shown, 0) + count
            if note is not None:
                linked = notes.setdefault(key, {})
                linked[note] = linked.get(note, 0) + count
        return spellings, notes

    def refs(
        self,
        spellings: dict[str, dict[str, int]],
        notes: dict[str, dict[str, int]],
        output_dir: str,
        note_names: frozenset[str],
    ) -> dict[str, CompanyRef]:
        """Name every company and give those with enough people a page whose file name no
        note of the vault has (``note_names``, casefolded), nor any other page."""
        refs: dict[str, CompanyRef] = {}
        taken = set(note_names) | {fold(name) for name in _RESERVED}
        for key in sorted(spellings):
            name = _most_common(spellings[key])
            note = _most_common(notes[key]) if key in notes else None
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


def build_companies(
    network: Network,
    moved: dict[str, list[Interaction]] | None = None,
    values: PersonValues | None = None,
) -> CompanyIndex:
    """Group everyone (archived people too) by company, now and in the past.

    ``moved`` is what ``moved_entries`` returns, when the caller has it already; each
    person's positions are kept in ``values``, when given. One pass
    over the people; each company is then assembled from what is indexed by its key.
    """
    if moved is None:
        moved = moved_entries(network)
    today = network.today
    since = today - dt.timedelta(days=RECENT_MOVE_DAYS)
    builder = _Builder()
    names = CompanyNames()
    now_keys: dict[str, str] = {}
    movers: list[Person] = []  # people with history or moved entries, in ladder order
    for person in network.people:
        found = positions_of(person, today, names, values)
        builder.add(person, found)
        if found.now_key is not None:
            now_keys[person.key] = found.now_key
        if person.history or person.key in moved:
            movers.append(person)
    spellings, notes = builder.counts()
    refs = builder.refs(spellings, notes, network.config.output_dir, network.note_names)
    by_person = {person: refs[key] for person, key in now_keys.items()}

    moves: list[Move] = []
    for person in movers:
        if person.history:
            now_key = now_keys.get(person.key)
            from_history = history_move(person, refs, since, today, now_key, names.key_of)
            if from_history is not None:
                moves.append(from_history)
        for entry in moved.get(person.key, ()):
            if entry.date >= since:
                moves.append(logged_move(person, entry, refs))
    moves.sort(key=move_order)
    moves_by_key: dict[str, list[Move]] = {}
    for move in moves:
        for key in move.companies:
            moves_by_key.setdefault(key, []).append(move)

    companies: dict[str, Company] = {}
    keys = MadeKeys()
    for key, ref in refs.items():
        current = builder.current.get(key, [])  # in ladder order, as people were visited
        alumni = sorted(
            (
                Stint(s.person, s.role, s.start, s.end, by_person.get(s.person.key))
                for s in builder.alumni.get(key, {}).values()
            ),
            key=_alum_order,
        )
        written = sorted(spellings[key].items(), key=lambda item: (-item[1], item[0]))
        note = _most_common(notes[key]) if key in notes else None
        company = Company(
            ref,
            tuple(current),
            tuple(alumni),
            tuple(moves_by_key.get(key, ())),
            tuple(text for text, _ in written),
            note,
        )
        # Only the companies with a page are keyed: no other page is saved by its key.
        companies[key] = keys.keyed(company) if ref.page is not None else company
    with_pages = sorted(
        (c for c in companies.values() if c.ref.page is not None), key=_company_order
    )
    return CompanyIndex(tuple(with_pages), companies, tuple(moves), by_person)


def _alum_order(stint: Stint) -> tuple[bool, int, int, str, str]:
    person = stint.person
    left = -(stint.end or dt.date.min).toordinal()
    return (person.archived, person.tier.rank, left, person.sort_name, person.path)


def _company_order(company: Company) -> tuple[int, int, int, str, str]:
    strongest = company.strongest
    rank = strongest.person.tier.rank if strongest else 1_000_000
    return (rank, -len(company.current), -company.people, company.name.casefold(), company.key)


def person_resolver(network: Network) -> Resolver:
    """Resolve names and link targets to people as the notes' own links resolve."""
    resolver = Resolver()
    for person in network.people:
        resolver.add(person.key, person.path, person.name, person.aliases)
    resolver.finish()
    return resolver
