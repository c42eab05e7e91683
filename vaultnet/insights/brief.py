"""A one-page brief on a person before you meet them, made only from your notes.

``make_brief`` gathers who they are now, how you know them, the last contacts, open loops,
the give and take, whom they connect you to and the dates that matter; the page itself is
rendered from ``brief.md.j2`` (``vaultnet brief`` and the build's ``Briefs/`` pages alike).
Nothing is invented: the suggested opener is a fixed sentence around your own words.

``Brief``, ``Contact`` and ``Task`` are named tuples, not dataclasses (``LaterBrief``
carries its key): a class made at import in a fifth of the time (docs/performance.md,
"Imports that cost what the build uses").
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from vaultnet.dates import ago, short_date
from vaultnet.errors import UsageError
from vaultnet.insights.companytypes import CompanyIndex, Stint
from vaultnet.insights.reciprocity import exchanges, text_only
from vaultnet.insights.routes import find_routes
from vaultnet.model.network import Interaction, Network, Person, Ref
from vaultnet.names import loose_matches, safe_filename, suggestions
from vaultnet.source.links import WIKILINK, Resolver, as_link, parse_link

BRIEFS_DIR = "Briefs"
BRIEF_TEMPLATE = "brief.md.j2"
LAST_CONTACTS = 3
MAX_PEOPLE = 10  # names listed per "who they know" line
# Tags that say "come back to this": the entry they mark is what the opener asks about.
FOLLOW_UP_TAGS = frozenset({"ask", "followup", "follow-up", "todo"})
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


class Task(NamedTuple):
    """An unchecked task (``- [ ] …``) in some note that links the person."""

    text: str
    source: str  # the note's vault path
    line: int


class Contact(NamedTuple):
    """A log entry or mention, as the brief shows it."""

    date: dt.date
    kind: str | None
    text: str
    source: str


class Brief(NamedTuple):
    """Everything one brief shows, for one person on ``today``."""

    person: Person
    today: dt.date
    name: str  # the person's name, safe to show
    company: str | None
    since: dt.date | None  # the current job's start, when history gives it
    previous: str | None  # the company before, from history
    previous_end: dt.date | None
    chain: tuple[str, ...]  # introducers, first one first, ending with the person
    last: tuple[Contact, ...]  # newest first
    tasks: tuple[Task, ...]
    planned: tuple[Contact, ...]  # soonest first
    gave: int
    got: int
    leans: str | None  # "you gave more", "they gave more", or None when even
    introduced_you_to: tuple[Person, ...]
    colleagues: tuple[Person, ...]  # at their company now
    alumni: tuple[Person, ...]  # people who used to be at their company
    linked_by: tuple[Person, ...]  # people whose knows lists link them
    target: str | None  # the company of --for
    routes: tuple[str, ...]  # why they can get you there (empty: they cannot)
    birthday: dt.date | None  # the next one, when the note gives it
    anniversaries: tuple[str, ...]  # met and start dates falling this month
    opener: str | None

    @property
    def tenure(self) -> str | None:
        """How long they have been in their job: "3 years" (None without a start)."""
        if self.since is None:
            return None
        return ago(self.since, self.today).removesuffix(" ago")


def find_person(network: Network, wanted: str, resolver: Resolver) -> Person:
    """The one person ``wanted`` means, as ``log`` and ``path`` find people: as a link
    resolves, else by the loose matcher. UsageError (exit 2) for none or several."""
    keys = resolver.all_matches(wanted)
    if not keys:
        link = as_link(wanted)
        typed = (link.target if link is not None else wanted).strip()
        typed = typed[:-3] if typed.lower().endswith(".md") else typed
        names = {p.key: (p.name, PurePosixPath(p.path).stem, *p.aliases) for p in network.people}
        keys = loose_matches(typed.rsplit("/", 1)[-1], names)
    if len(keys) == 1:
        return network.by_key[keys[0]]
    if not keys:
        pool = [n for p in network.people for n in (p.name, *p.aliases)]
        close = suggestions(wanted, pool)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UsageError(f"no person matches {wanted!r}{hint}")
    listing = ", ".join(sorted(network.by_key[k].path for k in keys))
    raise UsageError(f"{wanted!r} matches {len(keys)} people: {listing}; use the file path")


def open_tasks(network: Network, wanted: set[str]) -> dict[str, list[Task]]:
    """The unchecked tasks with each of the ``wanted`` people, by person key, in path and
    line order: the open loops of the follow-ups page (``network.open_loops``), which the
    parse already found, so no note is read again for them."""
    found: dict[str, list[Task]] = {}
    if not wanted:
        return found
    for loop in network.open_loops:
        key = loop.person.key
        if key in wanted:
            found.setdefault(key, []).append(Task(_plain(loop.text), loop.source, loop.line))
    for tasks in found.values():
        tasks.sort(key=_task_order)
    return found


def _task_order(task: Task) -> tuple[str, int]:
    return task.source, task.line


class Linked:
    """Who links whom, indexed once for all the briefs of a build: for each person key of
    ``wanted`` (None: everyone's), the people whose ``knows`` lists and ``introduced_by``
    name them, in ladder order."""

    def __init__(self, network: Network | None, wanted: set[str] | None) -> None:
        """Index the links of ``network``'s people (None: none, for ``saved``)."""
        self.wanted = wanted
        self.known_by: dict[str, list[Person]] = {}
        self.introduced: dict[str, list[Person]] = {}
        for person in network.people if network is not None else ():
            if person.knows:
                _index(self.known_by, person, person.knows, wanted)
            if person.introduced_by:
                _index(self.introduced, person, person.introduced_by, wanted)

    @classmethod
    def saved(
        cls,
        known_by: dict[str, list[Person]],
        introduced: dict[str, list[Person]],
        wanted: set[str] | None,
    ) -> Linked:
        """An index as saved (state/insightstore.py)."""
        made = cls(None, wanted)
        made.known_by, made.introduced = known_by, introduced
        return made

    def linked_by(self, person: Person) -> tuple[Person, ...]:
        """People whose ``knows`` lists link the person (the first ``MAX_PEOPLE``)."""
        return tuple(self.known_by.get(person.key, ())[:MAX_PEOPLE])

    def introduced_by_them(self, person: Person) -> tuple[Person, ...]:
        """People whose ``introduced_by`` names the person (the first ``MAX_PEOPLE``)."""
        return tuple(self.introduced.get(person.key, ())[:MAX_PEOPLE])

    def replace(self, before: Person, now: Person) -> bool:
        """Put ``now`` where ``before`` was filed; they hold the same place in the
        ladder. False when ``before`` is not where the index says (the index is then to be
        made again)."""
        wanted = self.wanted
        for index, refs_of in ((self.known_by, _KNOWS), (self.introduced, _INTRODUCED_BY)):
            for key in _named(before, refs_of(before), wanted):
                found = index.get(key, [])
                at = bisect.bisect_left(found, before.ladder_key, key=_LADDER)
                if at == len(found) or found[at] is not before:
                    return False
                del found[at]
                if not found:
                    del index[key]
            for key in _named(now, refs_of(now), wanted):
                bisect.insort(index.setdefault(key, []), now, key=_LADDER)
        return True


_KNOWS = operator.attrgetter("knows")
_INTRODUCED_BY = operator.attrgetter("introduced_by")
_LADDER = operator.attrgetter("ladder_key")


def _index(
    index: dict[str, list[Person]], person: Person, refs: Iterable[Ref], wanted: set[str] | None
) -> None:
    """File ``person`` under each wanted person their ``refs`` name (once, never their own)."""
    for key in _named(person, refs, wanted):
        index.setdefault(key, []).append(person)


def _named(person: Person, refs: Iterable[Ref], wanted: set[str] | None) -> set[str]:
    """The keys of the people ``refs`` name (of ``wanted`` ones only, unless None), but
    the person's own."""
    named = {r.person for r in refs if r.person is not None}
    if wanted is not None:
        named &= wanted
    named.discard(person.key)
    return named


def upcoming(network: Network) -> list[Person]:
    """Active people with a planned entry within ``brief_days`` after today, by name."""
    if network.config.brief_days <= 0:
        return []
    return sorted(filter(briefed(network), network.people), key=brief_order)


def briefed(network: Network) -> Callable[[Person], bool]:
    """Whether a person of ``network`` has a brief: active, with a planned entry within
    ``brief_days`` after today."""
    days = network.config.brief_days
    if days <= 0:
        return lambda person: False
    until = network.today + dt.timedelta(days=days)
    return lambda p: p.active and bool(p.planned) and p.planned[0].date <= until


def brief_order(person: Person) -> tuple[str, str]:
    """The order of the briefs: by name."""
    return person.sort_name, person.path


def brief_page(person: Person) -> str:
    """The brief's page under the output folder: ``Briefs/<Name>.md``."""
    return f"{BRIEFS_DIR}/{safe_filename(person.name)}.md"


class Around(NamedTuple):
    """What a brief shows of the network around its person: found without reading the
    person's note whole (``around``). The rest of a brief is made of the person alone and
    the day, which the person's digest holds."""

    company_key: str | None  # of the company they are at now
    company: str | None  # its name, else the note's ``company`` text
    since: dt.date | None  # their stint there's start
    chain: tuple[str, ...]
    tasks: tuple[Task, ...]
    introduced_you_to: tuple[Person, ...]
    colleagues: tuple[Person, ...]
    alumni: tuple[Person, ...]
    linked_by: tuple[Person, ...]

    def key(self, person: Person) -> str:
        """The key of the brief of ``person`` made from this (without ``--for``):
        people by their digests, the rest by ``repr`` of plain values, exact and stable
        across processes."""
        people = [
            "".join([other.digest for other in group])  # 32 hex digits each: no separator
            for group in (self.introduced_you_to, self.colleagues, self.alumni, self.linked_by)
        ]
        tasks = [(task.text, task.source, task.line) for task in self.tasks]
        made = (person.digest, self.company_key, self.company, self.since, self.chain, tasks)
        text = repr((made, people)).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, digest_size=16).hexdigest()


def around(
    network: Network,
    person: Person,
    companies: CompanyIndex,
    tasks: Iterable[Task],
    linked: Linked,
) -> Around:
    """What the brief of ``person`` shows of the network around them."""
    company = companies.now_at(person)
    here = companies.by_key.get(company.key) if company else None
    stint = next((s for s in here.current if s.person is person), None) if here else None
    return Around(
        company_key=company.key if company else None,
        company=_plain(company.name) if company else _company_text(person),
        since=stint.start if stint else None,
        chain=chain_of(network, person),
        tasks=tuple(tasks),
        introduced_you_to=linked.introduced_by_them(person),
        colleagues=_others(here.current if here else (), person),
        alumni=_others(here.alumni if here else (), person),
        linked_by=linked.linked_by(person),
    )


def make_brief(
    network: Network,
    person: Person,
    companies: CompanyIndex,
    tasks: Iterable[Task] = (),
    target: str | None = None,
    resolver: Resolver | None = None,
    linked: Linked | None = None,
) -> Brief:
    """The brief on ``person``; ``target`` a company (``--for``) to ask about; ``linked``
    the network's links indexed once for many briefs.

    Raises NoMatch (exit 2) when ``target`` names nothing in the notes.
    """
    linked = linked or Linked(network, {person.key})
    found = around(network, person, companies, tasks, linked)
    routes: tuple[str, ...] = ()
    if target is not None:
        answer = find_routes(network, target, resolver, companies)
        if answer.target.kind != "company":
            raise UsageError(f"--for {target!r} is not a company in your notes")
        route = next((r for r in answer.routes if r.person is person), None)
        routes = tuple(r.text for r in route.reasons) if route else ()
        target = answer.target.name
    return brief_of(network.today, person, found, target, routes)


def brief_of(
    today: dt.date,
    person: Person,
    found: Around,
    target: str | None = None,
    routes: tuple[str, ...] = (),
) -> Brief:
    """The brief on ``person`` from what it shows around them: reads their note whole."""
    previous = _previous_job(person, found.company_key)
    exchanged = list(exchanges(person))
    gave = sum(1 for x in exchanged if x.gave)
    got = sum(1 for x in exchanged if x.got)
    last = tuple(_contact(e) for e in reversed(person.interactions[-LAST_CONTACTS:]))
    return Brief(
        person=person,
        today=today,
        name=_plain(person.name),
        company=found.company,
        since=found.since,
        previous=previous[0] if previous else None,
        previous_end=previous[1] if previous else None,
        chain=found.chain,
        last=last,
        tasks=found.tasks,
        planned=tuple(_contact(e) for e in person.planned),
        gave=gave,
        got=got,
        leans="you gave more" if gave > got else "they gave more" if got > gave else None,
        introduced_you_to=found.introduced_you_to,
        colleagues=found.colleagues,
        alumni=found.alumni,
        linked_by=found.linked_by,
        target=target,
        routes=routes,
        birthday=person.birthday.next_on_or_after(today) if person.birthday else None,
        anniversaries=_anniversaries(person, found.since, today),
        opener=_opener(person, found.tasks, today),
    )


def _plain(text: str) -> str:
    """A line with its links as their text, safe to show: bidirectional overrides made
    visible (as pages show names), control characters spaces."""
    text = WIKILINK.sub(lambda m: parse_link(m[2]).text, text).strip()
    if text.isascii() and text.isprintable():
        return text
    text = _BIDI.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def _company_text(person: Person) -> str | None:
    return _plain(person.company.text) if person.company else None


def _contact(entry: Interaction) -> Contact:
    kind = None if entry.mention else entry.kind
    return Contact(entry.date, kind, _plain(text_only(entry)), entry.source)


def _previous_job(person: Person, now_key: str | None) -> tuple[str, dt.date | None] | None:
    """The latest past job from ``history`` at another company: (company, end)."""
    from vaultnet.source.companynames import company_key

    past = [p for p in person.history if p.end is not None and company_key(p.company) != now_key]
    if not past:
        return None
    latest = max(past, key=lambda p: p.end or dt.date.min)
    return _plain(latest.company), latest.end


def chain_of(network: Network, person: Person) -> tuple[str, ...]:
    """Introducers from the first to the person, following each one's first introducer."""
    names = [_plain(person.name)]
    seen = {person.key}
    current: Person | None = person
    while current is not None and current.introduced_by:
        ref = current.introduced_by[0]
        if ref.person is not None and ref.person in seen:
            break  # a loop of introduced_by: the chain starts where it closes
        names.append(_plain(network.by_key[ref.person].name if ref.person else ref.text))
        if ref.person is None:
            break
        seen.add(ref.person)
        current = network.by_key[ref.person]
    return tuple(reversed(names)) if len(names) > 1 else ()


def _others(stints: Iterable[Stint], person: Person) -> tuple[Person, ...]:
    return tuple(s.person for s in stints if s.person is not person)[:MAX_PEOPLE]


def _anniversaries(person: Person, since: dt.date | None, today: dt.date) -> tuple[str, ...]:
    found = []
    for what, day in (("met", person.met), ("started", since)):
        if day is not None and day.month == today.month and day.year < today.year:
            years = today.year - day.year
            found.append(f"{what} {years} year{'s' if years != 1 else ''} ago ({day.isoformat()})")
    return tuple(found)


def _opener(person: Person, tasks: tuple[Task, ...], today: dt.date) -> str | None:
    """A question around the user's own words: the last contact when it is tagged for a
    follow-up, else an open task, else the last contact, else the next planned entry."""
    last = person.interactions[-1] if person.interactions else None
    if last is not None and FOLLOW_UP_TAGS & set(last.tags):
        return _last_time(last, today)
    if tasks:
        return f"Still open: '{tasks[0].text}' — bring it up?"
    if last is not None:
        return _last_time(last, today)
    if person.planned:
        entry = person.planned[0]
        return f"Planned ({short_date(entry.date, today)}): '{_plain(text_only(entry))}'"
    return None


def _last_time(entry: Interaction, today: dt.date) -> str:
    kind = f"{entry.kind}, " if entry.kind and not entry.mention else ""
    return (
        f"Last time ({kind}{short_date(entry.date, today)}): "
        f"'{_plain(text_only(entry))}' — ask how it went?"
    )


def brief_json(brief: Brief) -> dict[str, Any]:
    """What ``vaultnet brief --format json`` prints: the page's data."""
    person = brief.person

    def iso(day: dt.date | None) -> str | None:
        return day.isoformat() if day else None

    def who(people: Iterable[Person]) -> list[dict[str, str]]:
        return [{"name": p.name, "path": p.path} for p in people]

    def contact(c: Contact) -> dict[str, Any]:
        return {"date": c.date.isoformat(), "kind": c.kind, "text": c.text, "source": c.source}

    return {
        "today": brief.today.isoformat(),
        "name": person.name,
        "path": person.path,
        "tier": person.tier.name,
        "now": {
            "role": person.role,
            "company": brief.company,
            "since": iso(brief.since),
            "previous_company": brief.previous,
            "previous_until": iso(brief.previous_end),
        },
        "how_you_know_them": {
            "met": iso(person.met),
            "introduced_by": [r.text for r in person.introduced_by],
            "chain": list(brief.chain),
        },
        "last_contacts": [contact(c) for c in brief.last],
        "open_loops": {
            "tasks": [{"text": t.text, "source": t.source, "line": t.line} for t in brief.tasks],
            "planned": [contact(c) for c in brief.planned],
        },
        "balance": {"gave": brief.gave, "got": brief.got, "leans": brief.leans},
        "who_they_know": {
            "introduced_you_to": who(brief.introduced_you_to),
            "colleagues": who(brief.colleagues),
            "alumni": who(brief.alumni),
            "linked_by": who(brief.linked_by),
        },
        "path_to": None
        if brief.target is None
        else {"company": brief.target, "reasons": list(brief.routes)},
        "dates": {"birthday": iso(brief.birthday), "anniversaries": list(brief.anniversaries)},
        "opener": brief.opener,
    }


@dataclass(frozen=True, slots=True)
class LaterBrief:
    """A brief made only when its page is rendered (``made``, render.py): its page is
    keyed by ``_key``, the key of what it is made of (valuekey.py), so that a page read
    back from its file needs neither the brief nor its person's note read whole."""

    person: Person
    today: dt.date
    around: Around
    _key: str = field(compare=False)

    def made(self) -> Brief:
        """The brief."""
        return brief_of(self.today, self.person, self.around)


MakeBrief = Callable[[Network, Person, CompanyIndex, tuple[Task, ...], Linked], Brief]


def _later(
    network: Network,
    person: Person,
    companies: CompanyIndex,
    tasks: tuple[Task, ...],
    linked: Linked,
) -> LaterBrief:
    found = around(network, person, companies, tasks, linked)
    return LaterBrief(person, network.today, found, found.key(person))


def brief_jobs(
    network: Network,
    companies: CompanyIndex,
    people: list[Person] | None = None,
    linked: Linked | None = None,
    make: MakeBrief | None = None,
) -> list[tuple[str, str, dict[str, Any]]]:
    """The build's brief pages, as render jobs: one for each person ``upcoming`` names.
    ``people`` and ``linked``, when given, are those of ``network``, and ``make`` makes
    each brief (briefupdate.py); without it each job holds a ``LaterBrief``."""
    people = upcoming(network) if people is None else people
    if not people:
        return []
    wanted = {p.key for p in people}
    tasks = open_tasks(network, wanted)
    linked = linked or Linked(network, wanted)
    jobs: list[tuple[str, str, dict[str, Any]]] = []
    taken: set[str] = set()
    for person in people:
        page = brief_page(person)
        if page.casefold() in taken:  # two people of one name: the second by file name
            page = f"{BRIEFS_DIR}/{safe_filename(PurePosixPath(person.path).stem)}.md"
        if page.casefold() in taken:
            continue
        taken.add(page.casefold())
        own = tuple(tasks.get(person.key, ()))
        brief = (make or _later)(network, person, companies, own, linked)
        jobs.append((page, BRIEF_TEMPLATE, {"brief": brief}))
    return jobs
