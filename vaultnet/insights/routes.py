"""Routes: who can get you to a person or a company (``vaultnet path``, a brief's
``--for``). Pure.

Its values are named tuples, not dataclasses: a class made at import in a fifth of the time
(docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from vaultnet.dates import ago, short_date
from vaultnet.errors import UsageError
from vaultnet.insights.companies import build_companies, person_resolver
from vaultnet.insights.companytypes import Company, CompanyIndex
from vaultnet.model.network import Network, Person
from vaultnet.names import loose, loose_matches
from vaultnet.source.companynames import LEGAL_FORMS, company_words
from vaultnet.source.links import Resolver, as_link

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


class Target(NamedTuple):
    """What ``vaultnet path`` was asked about: a person, a company, or a name in ``knows``."""

    kind: str  # "person", "company" or "name"
    name: str
    person: Person | None = None
    company: Company | None = None


class Reason(NamedTuple):
    """Why someone can get you there; ``via`` is the person at the target they connect to."""

    kind: str  # a key of _REASON_ORDER
    text: str
    via: Person | None = None


class Route(NamedTuple):
    """Someone who can get you to the target, with every reason and the best chain."""

    person: Person
    reasons: tuple[Reason, ...]  # strongest reason first
    chain: tuple[str, ...]  # names from "you" to the target


_Add = Callable[[Person, "Reason"], None]


class Routes(NamedTuple):
    """The answer to ``vaultnet path``: routes ranked by tier, then by recent contact."""

    target: Target
    routes: tuple[Route, ...]


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
    import difflib  # only when a target matched nothing: a build never needs it

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
