"""A watcher's briefs: whom they are for, and who links them, brought up to date from the
last network's when only the people replaced differ (``network.patch``).

A brief lists the people whose ``knows`` and ``introduced_by`` name its person: finding
them means looking at everyone, and so does finding whom the briefs are for. A one-shot
build does both once. A watcher keeps an index of everyone's links and the people with a
brief, and moves only the people an edit replaced, so that one edit costs no look at
everyone.
"""

from __future__ import annotations

from typing import Any

from vaultnet.insights.brief import Linked, brief_jobs, brief_order, briefed, upcoming
from vaultnet.insights.companytypes import CompanyIndex
from vaultnet.model.network import Network, Person


class BriefState:
    """What the build's brief pages need of everyone, kept from one network to the next
    when ``keep`` (a watcher's renders)."""

    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        # The last network, the people with a brief in it, and everyone's links (made when
        # some brief needs them).
        self._last: tuple[Network, list[Person], Linked | None] | None = None

    def jobs(
        self, network: Network, companies: CompanyIndex
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """The brief pages of ``network``, as render jobs (brief.brief_jobs)."""
        if not self.keep:
            return brief_jobs(network, companies)
        last, self._last = self._last, None  # until this network's are made
        found = self._updated(last, network) if last is not None else None
        if found is None:
            found = upcoming(network), None
        people, linked = found
        if people and linked is None:
            linked = Linked(network, None)  # everyone's, to be kept up to date
        jobs = brief_jobs(network, companies, people, linked)
        self._last = (network, people, linked)
        return jobs

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
        return people, linked
