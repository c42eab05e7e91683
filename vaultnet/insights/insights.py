"""Insights computed from a finished Network: introductions, the ladder, reciprocity. Pure.

The model stays two-phase: nothing here changes a Person; every function reads the Network
and returns new frozen values. Everything is linear in people and log entries (plus
sorting), and long lists are capped: each capped list comes with its full count so pages
can say what they left out.

``Insights`` and ``DigestExtras`` are named tuples, not dataclasses: a class made at import
in a fifth of the time (docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import datetime as dt
from bisect import insort
from collections.abc import Iterable
from typing import Any, NamedTuple

from vaultnet.dates import short_date
from vaultnet.insights.companies import build_companies
from vaultnet.insights.companytypes import TEMPLATE_TYPES as COMPANY_TYPES
from vaultnet.insights.companytypes import CompanyIndex, Move
from vaultnet.insights.companyupdate import update_companies
from vaultnet.insights.introductions import (
    Chain,
    Connector,
    Graph,
    GraphNode,
    Introducer,
    Introductions,
    IntroMade,
    build_introductions,
    update_introductions,
)
from vaultnet.insights.ladder import (
    Ladder,
    NextStep,
    TierChange,
    TierHealth,
    YearOfChanges,
    aiming_higher,
    build_ladder,
    next_step,
    update_ladder,
)
from vaultnet.insights.logscan import (
    MAX_ROWS,
    THANKS_DIGEST_DAYS,
    LogScan,
    PersonValues,
    brief,
    ladder_order,
    scan_logs,
    update_scan,
)
from vaultnet.insights.moves import RECENT_MOVE_DAYS
from vaultnet.insights.reciprocity import (
    Balance,
    Exchange,
    Owed,
    Reciprocity,
    build_reciprocity,
    thanks_owed,
    update_reciprocity,
)
from vaultnet.model.network import Network, Person, due_order

# --- The digest's additions -------------------------------------------------------------


class DigestExtras(NamedTuple):
    """What the follow-up digest adds: moves to congratulate, thanks owed, upgrades due."""

    recent_moves: tuple[Move, ...]
    thanks_owed: tuple[Owed, ...]
    upgrade_due: tuple[NextStep, ...]
    thanks_days: int = THANKS_DIGEST_DAYS  # how recent the help in ``thanks_owed`` is


UPGRADE_DUE_BUCKETS = ("overdue", "due_soon", "never_contacted")


def _in_digest(person: Person) -> bool:
    return person.active and person.followup.bucket != "snoozed"


def digest_extras(
    network: Network,
    companies: CompanyIndex | None = None,
    reciprocity: Reciprocity | None = None,
    previous: DigestExtras | None = None,
    replaced: tuple[tuple[Person, Person], ...] | None = None,
) -> DigestExtras:
    """The digest's additions; pass what is already computed to avoid doing it twice
    (``previous``: the additions of the same day, whose next steps are kept for people
    not rebuilt since;
    ``replaced``: with ``previous``, the people a patched network rebuilt, see
    network.Patch: only they can have joined, left or moved in the upgrade plan's list).

    - recent moves you have not been in touch about: no contact after the move's date;
    - thank-yous owed for help received in the last THANKS_DIGEST_DAYS days;
    - upgrade-plan people who are overdue, due within 7 days, or never contacted.

    Archived and snoozed people are left out, as from the rest of the digest.
    """
    today = network.today
    companies = companies or build_companies(network)
    moves = tuple(
        m
        for m in companies.moves
        if _in_digest(m.person)
        and (m.person.last_contact is None or m.person.last_contact <= m.date)
    )
    if reciprocity is not None:
        owed: Iterable[Owed] = reciprocity.thanks_recent  # all of them, its table's or not
    else:
        owed = (o for p in network.people if p.active and (o := thanks_owed(p, today)) is not None)
    thanks = sorted(
        (o for o in owed if _in_digest(o.person) and o.days <= THANKS_DIGEST_DAYS),
        key=lambda o: (o.days, ladder_order(o.person)),
    )
    if previous is not None and replaced is not None:
        due = _due_patched(previous, replaced)
    else:
        due = [
            p
            for bucket in UPGRADE_DUE_BUCKETS
            for p in network.digest.bucket(bucket)  # type: ignore[arg-type]
            if aiming_higher(p)
        ]
    # A next step depends only on the person and the day.
    steps = {s.person: s for s in previous.upgrade_due} if previous is not None else {}
    return DigestExtras(
        moves, tuple(thanks), tuple(steps.get(p) or next_step(p, today) for p in due)
    )


def _due_patched(
    previous: DigestExtras, replaced: tuple[tuple[Person, Person], ...]
) -> list[Person]:
    """The upgrade plan's people who are due, from the last network's list: those not
    rebuilt keep their place (a patch keeps tiers, targets and archived states, and the
    day), and each one rebuilt goes where the order puts them now, if anywhere. The
    order ends with the path, so that no two people tie."""
    gone = {id(before) for before, _ in replaced}
    due = [step.person for step in previous.upgrade_due if id(step.person) not in gone]
    for _, after in replaced:
        if after.followup.bucket in UPGRADE_DUE_BUCKETS and after.active and aiming_higher(after):
            insort(due, after, key=_upgrade_order)
    return due


def _upgrade_order(person: Person) -> tuple[int, tuple[int, dt.date, str, str]]:
    return UPGRADE_DUE_BUCKETS.index(person.followup.bucket), due_order(person)


def _who_json(person: Person) -> dict[str, Any]:
    return {"name": person.name, "path": person.path, "tier": person.tier.name}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def digest_extras_json(extras: DigestExtras) -> dict[str, list[dict[str, Any]]]:
    """The digest JSON's ``recent_moves``, ``thanks_owed`` and ``upgrade_due`` lists."""
    return {
        "recent_moves": [
            {
                **_who_json(m.person),
                "date": m.date.isoformat(),
                "kind": m.kind,
                "from": m.left.name if m.left else None,
                "to": m.joined.name if m.joined else None,
                "role": m.role,
                "text": m.summary,
                "last_contact": _iso(m.person.last_contact),
            }
            for m in extras.recent_moves
        ],
        "thanks_owed": [
            {
                **_who_json(o.person),
                "date": o.exchange.date.isoformat(),
                "days": o.days,
                "text": brief(o.exchange.summary, 1000),
                "last_contact": _iso(o.person.last_contact),
            }
            for o in extras.thanks_owed
        ],
        "upgrade_due": [
            {
                **_who_json(s.person),
                "target_tier": s.person.target_tier.name if s.person.target_tier else None,
                "bucket": s.person.followup.bucket,
                "due": _iso(s.person.followup.due),
                "last_contact": _iso(s.person.last_contact),
                "next_step": {
                    "kind": s.kind,
                    "action": s.action,
                    "detail": s.detail,
                    "date": _iso(s.date),
                },
            }
            for s in extras.upgrade_due
        ],
    }


def digest_extras_text(extras: DigestExtras, today: dt.date, rows: int = MAX_ROWS) -> list[str]:
    """The digest's additions as plain-text lines for ``vaultnet digest --format text``,
    at most ``rows`` to a section."""
    lines: list[str] = []

    def more(items: tuple[Any, ...], page: str) -> list[str]:
        hidden = len(items) - rows
        return [f"  … and {hidden} more ({page} lists them)"] if hidden > 0 else []

    if extras.recent_moves:
        lines += ["", "Moves to catch up on (congratulate them):"]
        lines += [
            f"  {m.person.name} {m.summary} ({short_date(m.date, today)})"
            for m in extras.recent_moves[:rows]
        ]
        lines += more(extras.recent_moves, "Companies.md")
    if extras.thanks_owed:
        lines += ["", f"Thank-yous owed (help in the last {extras.thanks_days} days):"]
        for owed in extras.thanks_owed[:rows]:
            item = owed.exchange
            lines.append(f"  {owed.person.name}: {short_date(item.date, today)} · {item.brief}")
        lines += more(extras.thanks_owed, "Reciprocity.md")
    if extras.upgrade_due:
        lines += ["", "Moving up, due now:"]
        for step in extras.upgrade_due[:rows]:
            target = step.person.target_tier.name if step.person.target_tier else "?"
            lines.append(f"  {step.person.name} ({step.person.tier.name} → {target}): {step.text}")
        lines += more(extras.upgrade_due, "Ladder.md")
    return lines


# --- Everything, for the pages ------------------------------------------------------------


class Insights(NamedTuple):
    """Everything the insight pages show."""

    introductions: Introductions
    companies: CompanyIndex
    ladder: Ladder
    reciprocity: Reciprocity
    digest_extras: DigestExtras
    max_rows: int = MAX_ROWS  # the most rows a table shows; pages say what they left out
    move_days: int = RECENT_MOVE_DAYS
    thanks_days: int = THANKS_DIGEST_DAYS  # Follow-ups lists the thank-yous this recent


class _Computed(NamedTuple):
    """A network's insights, with what bringing them up to date needs."""

    network: Network
    insights: Insights
    scan: LogScan


class InsightState:
    """What insights keep from one network to the next: the last network's insights, and
    each person's values (``PersonValues``, kept only for a watcher, ``keep``).

    The Builder's renderer owns one. A build computes the insights once for its pages and
    its digest; a watcher's next network, patched from the last one (network.Patch), has
    them brought up to date. The last network is recognised by identity: a Network is never
    changed once built.
    """

    def __init__(self, keep: bool = False) -> None:
        self.values = PersonValues(keep)
        self.last: _Computed | None = None

    def compute(self, network: Network) -> Insights:
        """Every insight page's content for ``network``.

        For a network patched from the last one each part is brought up to date from the
        last one's where that is exact, else computed again.
        """
        last = self.last
        if last is not None and last.network is network:
            return last.insights
        patch = network.patch
        if last is not None and patch is not None and patch.base() is last.network:
            computed = self._updated(last, network, patch.replaced)
        else:
            values = self.values
            values.next_build()
            scan = scan_logs(network, values)
            companies = build_companies(network, scan.moved, values)
            reciprocity = build_reciprocity(network, scan, values)
            insights = Insights(
                introductions=build_introductions(network, scan=scan),
                companies=companies,
                ladder=build_ladder(network, scan),
                reciprocity=reciprocity,
                digest_extras=digest_extras(network, companies, reciprocity),
            )
            computed = _Computed(network, insights, scan)
        self.last = computed
        return computed.insights

    def resume(self, network: Network, insights: Insights, scan: LogScan) -> None:
        """Take the insights of ``network`` as an earlier build computed them (saved,
        state/insightstore.py), so that a network patched from it has them brought up to
        date as a watcher's are."""
        self.last = _Computed(network, insights, scan)

    def computed(self) -> tuple[Network, Insights, LogScan] | None:
        """The last network with its insights and log scan, to be saved; None before the
        first."""
        last = self.last
        return (last.network, last.insights, last.scan) if last is not None else None

    def _updated(
        self, last: _Computed, network: Network, replaced: tuple[tuple[Person, Person], ...]
    ) -> _Computed:
        """The insights of a network patched from ``last.network``: each part from the last
        one's when its update is exact, else computed again."""
        values = self.values
        values.carry(before for before, _ in replaced)
        previous = last.insights
        scan = update_scan(last.scan, network, values) or scan_logs(network, values)
        companies = update_companies(previous.companies, network, values) or build_companies(
            network, scan.moved, values
        )
        reciprocity = update_reciprocity(
            previous.reciprocity, network, scan, values
        ) or build_reciprocity(network, scan, values)
        introductions = update_introductions(
            previous.introductions, network, scan
        ) or build_introductions(network, scan=scan)
        insights = Insights(
            introductions=introductions,
            companies=companies,
            ladder=update_ladder(previous.ladder, network, scan) or build_ladder(network, scan),
            reciprocity=reciprocity,
            digest_extras=digest_extras(
                network, companies, reciprocity, previous.digest_extras, replaced
            ),
        )
        return _Computed(network, insights, scan)


def compute_insights(network: Network, state: InsightState | None = None) -> Insights:
    """Compute every insight page's content from the network, with what ``state`` kept
    from the last network (none: everything is computed)."""
    return (state if state is not None else InsightState()).compute(network)


def insight_jobs(insights: Insights) -> list[tuple[str, str, dict[str, Any]]]:
    """The insight pages as render jobs: (page path, template, extra context)."""
    # Each page also gets its own part of the insights by name, so that a page that reads
    # only its part is reused while the others change (pagememo.py).
    limits = {"max_rows": insights.max_rows, "move_days": insights.move_days}
    jobs: list[tuple[str, str, dict[str, Any]]] = [
        ("Introductions.md", "introductions.md.j2", {"introductions": insights.introductions}),
        ("Companies.md", "companies.md.j2", {"companies": insights.companies, **limits}),
        ("Ladder.md", "ladder.md.j2", {"ladder": insights.ladder}),
        (
            "Reciprocity.md",
            "reciprocity.md.j2",
            {"reciprocity": insights.reciprocity, "thanks_days": insights.thanks_days},
        ),
    ]
    for company in insights.companies.with_pages:
        assert company.ref.page is not None
        jobs.append((company.ref.page, "company.md.j2", {"company": company, **limits}))
    return jobs


# The value types templates see; render.py lets them skip the sandbox's per-access checks.
TEMPLATE_TYPES: frozenset[type] = COMPANY_TYPES | frozenset(
    {
        Introducer,
        Chain,
        Connector,
        GraphNode,
        Graph,
        IntroMade,
        Introductions,
        Exchange,
        Balance,
        Owed,
        Reciprocity,
        TierHealth,
        NextStep,
        TierChange,
        YearOfChanges,
        Ladder,
        DigestExtras,
        Insights,
    }
)
