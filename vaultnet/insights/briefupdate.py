"""A watcher's briefs: whom they are for, and who links them, brought up to date from the
last network's when only the people replaced differ (``network.patch``).

A brief lists the people whose ``knows`` and ``introduced_by`` name its person: finding
them means looking at everyone, and so does finding whom the briefs are for. A one-shot
build does both once. A watcher keeps an index of everyone's links and the people with a
brief, and moves only the people an edit replaced, so that one edit costs no look at
everyone; a brief whose inputs are as they were is the last one (``_same``).

A one-shot build whose network is patched from the last build's network made again of
the people as saved takes the people with a brief and their links as the last build saved
them with its insights (``resume``, state/insightstore.py) and moves the people replaced
the same way, the index holding only the links to the people with a brief: when someone
gains a brief, their links are looked for in everyone again.
"""

from __future__ import annotations

from typing import Any

from vaultnet.insights.brief import (
    Brief,
    Linked,
    Task,
    brief_jobs,
    brief_order,
    briefed,
    chain_of,
    make_brief,
    upcoming,
)
from vaultnet.insights.companytypes import Company, CompanyIndex, CompanyRef
from vaultnet.model.network import Network, Person

# What a brief is made of besides the day and the configuration: the person, their
# company and its entry (by identity), their open tasks, who links them and their chain.
_Inputs = tuple[
    Person,
    CompanyRef | None,
    Company | None,
    tuple[Task, ...],
    tuple[Person, ...],
    tuple[Person, ...],
    tuple[str, ...],
]


class BriefState:
    """What the build's brief pages need of everyone, kept from one network to the next
    when ``keep`` (a watcher's renders)."""

    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        # The last network, the people with a brief in it, and everyone's links (made when
        # some brief needs them).
        self._last: tuple[Network, list[Person], Linked | None] | None = None
        # The briefs of the last network, by person key, with what each was made of.
        self._briefs: dict[str, tuple[_Inputs, Brief]] = {}
        self._made: dict[str, tuple[_Inputs, Brief]] = {}

    def jobs(
        self, network: Network, companies: CompanyIndex
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """The brief pages of ``network``, as render jobs (brief.brief_jobs)."""
        last, self._last = self._last, None  # until this network's are made
        found = self._updated(last, network) if last is not None else None
        if found is None:
            found = upcoming(network), None
            self._briefs = {}
        people, linked = found
        if people and linked is None:
            # A watcher's: everyone's, to be kept up to date; else the briefs' people's.
            linked = Linked(network, None if self.keep else {p.key for p in people})
        if not self.keep:  # each job holds a LaterBrief, made if its page is rendered
            jobs = brief_jobs(network, companies, people, linked)
            self._last = (network, people, linked)
            return jobs
        self._made = {}
        jobs = brief_jobs(network, companies, people, linked, self._brief)
        self._briefs, self._made = self._made, {}
        self._last = (network, people, linked)
        return jobs

    def resume(self, network: Network, people: list[Person], linked: Linked | None) -> None:
        """Take the people with a brief in ``network`` and their links as an earlier build
        found them (saved, state/insightstore.py), for a network patched from it."""
        self._last = (network, people, linked)

    def found(self) -> tuple[Network, list[Person], Linked | None] | None:
        """The last network, its people with a brief and their links, to be saved."""
        return self._last

    def _brief(
        self,
        network: Network,
        person: Person,
        companies: CompanyIndex,
        tasks: tuple[Task, ...],
        linked: Linked,
    ) -> Brief:
        """The person's brief: the last one when what it is made of is the same."""
        company = companies.now_at(person)
        here = companies.by_key.get(company.key) if company else None
        inputs: _Inputs = (
            person,
            company,
            here,
            tasks,
            linked.linked_by(person),
            linked.introduced_by_them(person),
            chain_of(network, person),
        )
        found = self._briefs.get(person.key)
        if found is not None and _same(found[0], inputs):
            brief = found[1]
        else:
            brief = make_brief(network, person, companies, tasks, linked=linked)
        self._made[person.key] = (inputs, brief)
        return brief

    def _updated(
        self, last: tuple[Network, list[Person], Linked | None], network: Network
    ) -> tuple[list[Person], Linked | None] | None:
        """The people with a brief and the index of links of a network patched from the
        last one, from the last ones; None when they are to be made again."""
        base, people, linked = last
        patch = network.patch
        if patch is None or patch.base() is not base:
            return None
        if network.today != base.today or network.config != base.config:
            return None  # cannot happen for a patch; checked all the same
        has_brief = briefed(network)
        people = list(people)
        moved = False
        for before, now in patch.replaced:
            for at, person in enumerate(people):
                if person is before:
                    del people[at]
                    moved = True
                    break
            if has_brief(now):
                people.append(now)
                moved = True
            if linked is not None and not linked.replace(before, now):
                return None
        if moved:
            people.sort(key=brief_order)
        wanted = linked.wanted if linked is not None else None
        if wanted is not None and any(person.key not in wanted for person in people):
            linked = None  # someone's links not indexed: looked for again
        return people, linked


def _same(before: _Inputs, now: _Inputs) -> bool:
    """Whether a brief made of ``before`` is the brief of ``now``: the person and their
    company's entry the very same (values are never changed once made), the rest equal."""
    return before[0] is now[0] and before[2] is now[2] and before[1:] == now[1:]
