"""The ladder: tier distribution, the upgrade plan, tier history, thin and neglected tiers. Pure.

Its values (but ``NextStep``, which keeps its hash) are named tuples, not dataclasses: a
class made at import in a fifth of the time (docs/performance.md, "Imports that cost what
the build uses").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from vaultnet.config import Config, Tier
from vaultnet.insights.logscan import (
    ARROW,
    MAX_ROWS,
    THIN_TIER,
    LogScan,
    brief,
    scan_logs,
)
from vaultnet.insights.reciprocity import (
    exchanges,
    open_asks,
    patched_rows,
    text_only,
    thanks_owed,
)
from vaultnet.model.network import (
    Interaction,
    Network,
    Person,
    TierGroup,
)


class TierHealth(NamedTuple):
    """A tier's size and how well it is kept."""

    group: TierGroup
    overdue: int
    aiming_here: int  # active people below it whose target it is
    thin: bool  # fewer than THIN_TIER active members
    neglected: bool  # most members overdue or dormant
    dormant: int = 0

    @property
    def tier(self) -> Tier:
        return self.group.tier

    @property
    def members(self) -> int:
        return len(self.group.members)


@dataclass(frozen=True, slots=True)
class NextStep:
    """Someone on the upgrade plan, and a next step drawn from their log."""

    person: Person
    kind: str  # "ask", "thanks", "first_contact", "planned", "give_back" or "again"
    action: str  # "follow up on your ask", "thank them", "another coffee"...
    detail: str = ""  # the log entry it comes from (links reduced to text), or why
    date: dt.date | None = None  # the date of that entry
    _hash: int | None = dataclasses.field(default=None, init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        # Computed once: the digest's table of due steps is cached by its steps, and a
        # watcher keeps the steps of people it did not rebuild.
        value = self._hash
        if value is None:
            value = hash((self.person, self.kind, self.action, self.detail, self.date))
            object.__setattr__(self, "_hash", value)
        return value

    @property
    def text(self) -> str:
        """The step as one line of plain text."""
        when = f" ({self.date.isoformat()})" if self.date else ""
        return f"{self.action}{when}: {self.detail}" if self.detail else self.action + when


class TierChange(NamedTuple):
    """A ``tier: old → new`` log entry."""

    person: Person
    date: dt.date
    old: str
    new: str
    old_tier: Tier | None
    new_tier: Tier | None

    @property
    def direction(self) -> str:
        """``up``, ``down``, ``same``, or ``unknown`` when a side is not a tier."""
        if self.old_tier is None or self.new_tier is None:
            return "unknown"
        if self.new_tier.rank < self.old_tier.rank:
            return "up"
        return "down" if self.new_tier.rank > self.old_tier.rank else "same"


class YearOfChanges(NamedTuple):
    """Promotions and demotions logged in one year."""

    year: int
    up: int
    down: int


class Ladder(NamedTuple):
    """The ladder's shape, the upgrade plan and its history."""

    tiers: tuple[TierHealth, ...]
    upgrades: tuple[NextStep, ...]
    upgrades_total: int
    changes: tuple[TierChange, ...]  # newest first
    changes_total: int
    years: tuple[YearOfChanges, ...]  # newest first
    thin_below: int = THIN_TIER

    @property
    def thin(self) -> tuple[TierHealth, ...]:
        return tuple(t for t in self.tiers if t.thin)

    @property
    def neglected(self) -> tuple[TierHealth, ...]:
        return tuple(t for t in self.tiers if t.neglected)


def aiming_higher(person: Person) -> bool:
    """Whether a person is on the upgrade plan: active, with a target above their tier."""
    target = person.target_tier
    return person.active and target is not None and target.rank < person.tier.rank


def next_step(person: Person, today: dt.date) -> NextStep:
    """A suggested next step from the person's log, the most pressing first.

    An open ask, then a thank-you owed, then a first contact (naming the introducer),
    then anything planned, then giving back when you have taken more than given, and
    otherwise another of the last kind of contact.
    """
    found = exchanges(person)
    asks = open_asks(person, today)
    if asks:
        item = asks[0].exchange
        return NextStep(person, "ask", "follow up on your ask", brief(item.summary), item.date)
    owed = thanks_owed(person, today)
    if owed is not None:
        item = owed.exchange
        return NextStep(person, "thanks", "thank them", brief(item.summary), item.date)
    if person.last_contact is None:
        via = " and ".join(r.text for r in person.introduced_by)
        detail = f"mention {via}, who introduced you" if via else ""
        return NextStep(person, "first_contact", "make first contact", detail)
    if person.planned:
        plan = person.planned[0]
        return NextStep(person, "planned", "planned", brief(plan.summary), plan.date)
    gave = sum(1 for x in found if x.gave)
    got = sum(1 for x in found if x.got)
    if got > gave:
        detail = f"they helped you {got}×, you helped them {gave}×"
        return NextStep(person, "give_back", "give something back", detail)
    last = person.last_logged
    if last is not None and last.kind:
        return NextStep(person, "again", f"another {last.kind}", brief(text_only(last)), last.date)
    return NextStep(person, "again", "get in touch")


def build_ladder(network: Network, scan: LogScan | None = None) -> Ladder:
    """Tier health, the upgrade plan with next steps, and tier changes from the logs."""
    config, today = network.config, network.today
    tier_entries = (scan or scan_logs(network)).tier
    aiming: dict[int, int] = {}
    upgrades: list[Person] = []
    changes: list[TierChange] = []
    for person in network.people:
        if aiming_higher(person):
            assert person.target_tier is not None
            aiming[person.target_tier.rank] = aiming.get(person.target_tier.rank, 0) + 1
            upgrades.append(person)
        for entry in tier_entries.get(person.key, ()):
            change = parse_tier_change(person, entry, config)
            if change is not None:
                changes.append(change)
    tiers = tuple(_health(group, aiming.get(group.tier.rank, 0)) for group in network.tiers)
    # Highest targets first; within one, whoever has gone quiet longest (never: first).
    upgrades.sort(key=_upgrade_order)
    steps = tuple(next_step(p, today) for p in upgrades[:MAX_ROWS])
    changes.sort(key=lambda c: (-c.date.toordinal(), c.person.sort_name))
    return Ladder(
        tiers=tiers,
        upgrades=steps,
        upgrades_total=len(upgrades),
        changes=tuple(changes[:MAX_ROWS]),
        changes_total=len(changes),
        years=_years(changes),
    )


def _health(group: TierGroup, aiming: int, dormant: int | None = None) -> TierHealth:
    """A tier's health, with how many people aim at it (and how many members are
    dormant, when known)."""
    members = len(group.members)
    if dormant is None:
        dormant = sum(1 for p in group.members if p.followup.bucket == "dormant")
    return TierHealth(
        group,
        group.overdue,
        aiming,
        thin=members < THIN_TIER,
        neglected=members > 0 and (group.overdue + dormant) * 2 > members,
        dormant=dormant,
    )


def _dormant(person: Person) -> int:
    return person.followup.bucket == "dormant"


def _upgrade_order(person: Person) -> tuple[int, int, int, str, str]:
    """The upgrade plan's order: highest target, then tier, then quiet longest (never: first)."""
    return (
        person.target_tier.rank if person.target_tier else 0,
        person.tier.rank,
        person.last_contact.toordinal() if person.last_contact else 0,
        person.sort_name,
        person.path,
    )


def _years(changes: Iterable[TierChange]) -> tuple[YearOfChanges, ...]:
    """Promotions and demotions per year, newest first: every year with a change."""
    years: dict[int, list[int]] = {}
    for change in changes:
        counts = years.setdefault(change.date.year, [0, 0])
        if change.direction == "up":
            counts[0] += 1
        elif change.direction == "down":
            counts[1] += 1
    return tuple(
        YearOfChanges(y, up, down) for y, (up, down) in sorted(years.items(), reverse=True)
    )


def parse_tier_change(person: Person, entry: Interaction, config: Config) -> TierChange | None:
    """``supporter → advocate`` (also ``->``, ``=>``); anything after the new tier is a note."""
    parts = ARROW.split(entry.text.strip(), maxsplit=1)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    old, rest = parts[0].strip(), parts[1].strip()
    new = rest
    new_tier = config.tier_named(rest)
    if new_tier is None:
        first = re.split(r"[\s,;:(]+", rest, maxsplit=1)[0]
        new_tier = config.tier_named(first)
        new = first if new_tier is not None else rest
    return TierChange(person, entry.date, old, new, config.tier_named(old), new_tier)


def update_ladder(previous: Ladder, network: Network, scan: LogScan) -> Ladder | None:
    """What ``build_ladder(network, scan)`` returns, made from ``previous`` (built for the
    network ``network.patch`` was made from) in time proportional to the people replaced.

    None when that is not exact: the network is not patched; or a shown row leaves its table,
    or now sorts after the last row shown, while rows are hidden below (which one would come
    in is not known): on the upgrade plan, a new contact with someone shown moves them down;
    or tier changes are not all shown and a year may have lost its last one.
    """
    patch = network.patch
    if patch is None or len(network.tiers) != len(previous.tiers):
        return None
    if not patch.replaced:
        return previous
    config, today = network.config, network.today
    leaving: set[Person] = set()
    aiming = 0
    steps: list[NextStep] = []
    old_changes: list[TierChange] = []
    new_changes: list[TierChange] = []
    for before, now in patch.replaced:
        if before.ladder_key != now.ladder_key or before.target_tier != now.target_tier:
            return None  # not a patch: who aims where, and the tiers' sizes, would change
        leaving.add(before)
        if aiming_higher(now):
            aiming += 1
            steps.append(next_step(now, today))
        # As scan_logs finds them (casefold maps nothing else to "tier"), in ``notable``:
        # a saved person's interactions are made from their note, which has changed.
        entries = (
            e for e in before.notable if e.kind and not e.mention and e.kind.casefold() == "tier"
        )
        old_changes += _tier_changes(before, entries, config)
        new_changes += _tier_changes(now, scan.tier.get(now.key, ()), config)
    upgrades = patched_rows(
        previous.upgrades,
        previous.upgrades_total,
        leaving,
        aiming,
        steps,
        lambda s: _upgrade_order(s.person),
        MAX_ROWS,
    )
    changes = patched_rows(
        previous.changes,
        previous.changes_total,
        leaving,
        len(old_changes),
        new_changes,
        _change_order,
        MAX_ROWS,
    )
    if upgrades is None or changes is None:
        return None
    assert upgrades[1] is not None and changes[1] is not None
    if changes[1] == len(changes[0]):
        years: tuple[YearOfChanges, ...] | None = _years(changes[0])
    else:
        years = _patched_years(previous.years, old_changes, new_changes)
    if years is None:
        return None
    tiers = []
    for health, group in zip(previous.tiers, network.tiers, strict=True):
        if health.group is group:
            tiers.append(health)
        elif health.tier != group.tier:
            return None
        else:
            # Nobody's tier or target changed: neither did who aims at this tier. Its
            # dormant members are those before, give or take the people replaced.
            rank = group.tier.rank
            dormant = health.dormant + sum(
                _dormant(now) - _dormant(before)
                for before, now in patch.replaced
                if now.tier.rank == rank and not now.archived
            )
            tiers.append(_health(group, health.aiming_here, dormant))
    return previous._replace(
        tiers=tuple(tiers),
        upgrades=upgrades[0],
        upgrades_total=upgrades[1],
        changes=changes[0],
        changes_total=changes[1],
        years=years if years != previous.years else previous.years,
    )


def _tier_changes(
    person: Person, entries: Iterable[Interaction], config: Config
) -> list[TierChange]:
    """A person's tier changes, in log order."""
    found = (parse_tier_change(person, entry, config) for entry in entries)
    return [change for change in found if change is not None]


def _change_order(change: TierChange) -> tuple[int, str, tuple[bool, int, str, str]]:
    """The order of tier changes: newest first, then by name, then the ladder (as found)."""
    return (-change.date.toordinal(), change.person.sort_name, change.person.ladder_key)


def _patched_years(
    years: tuple[YearOfChanges, ...], old: list[TierChange], new: list[TierChange]
) -> tuple[YearOfChanges, ...] | None:
    """``years`` with the ``old`` changes taken out and the ``new`` ones counted in; None
    when a year may be left with no change (only ups and downs are counted, not the rest)."""
    counts = {y.year: [y.up, y.down] for y in years}
    for sign, changes in ((-1, old), (1, new)):
        for change in changes:
            row = counts.setdefault(change.date.year, [0, 0])
            if change.direction == "up":
                row[0] += sign
            elif change.direction == "down":
                row[1] += sign
    still = {change.date.year for change in new}
    for year in {change.date.year for change in old} - still:
        if counts[year] == [0, 0]:
            return None
    return tuple(
        YearOfChanges(y, up, down) for y, (up, down) in sorted(counts.items(), reverse=True)
    )
