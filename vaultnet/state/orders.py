"""The last network, brought up to date in place (people.py).

When a watcher's build made again only a few people, and they keep their places in the
network's orders, the next network is the last one with those people replaced: no sorting
of everyone again, and its open loops are the last one's with those written in the notes
that changed found again (``patched_loops``). ``Network.patch`` then tells the insights who
was replaced.

A one-shot build does the same from the last network's orders as saved (``saved_orders``,
in modelstore.py): made again of the people as the last build saved them
(``from_saved``), when they are exactly the people of those orders, and patched with the
people this build made again.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import operator
import weakref
from collections.abc import Callable, Mapping

from vaultnet.config import Config, Tier
from vaultnet.model.followups import BUCKETS
from vaultnet.model.network import (
    Digest,
    Network,
    OpenLoop,
    Patch,
    Person,
    Split,
    TierGroup,
    birthday_order,
    due_order,
    in_list,
    loop_order,
    open_loops,
    sorted_median,
)
from vaultnet.model.person import content_key
from vaultnet.model.unmatched import Unmatched
from vaultnet.model.unmatched import rank as rank_unmatched
from vaultnet.source.links import Resolver
from vaultnet.source.notes import Note
from vaultnet.state.modelstore import SavedOrders, SavedTier

PATCH_MAX = 64  # people made again, beyond which the orders are computed again


class Orders:
    """Where each person sits in a network's orders (a watcher's last network).

    When the people made again since keep their places (same tier, name, archived state,
    follow-up bucket, due date and birthday) and nobody came or went, the next network is
    this one with those people replaced in place, and the tiers they belong to recounted:
    no sorting of everyone again. Anything else is computed from scratch.
    """

    def __init__(self, network: Network) -> None:
        self.network = network
        # Person key -> place in the ladder; made when first needed, and still right after
        # a patch, which moves nobody in the ladder.
        self.ladder: dict[str, int] = {}
        # Tier rank -> the days since the last contact of its members ever contacted,
        # sorted: made when a patch first changes one of them, kept up to date since.
        self.days: dict[int, list[int]] = {}

    def patched(
        self,
        people: list[Person],
        made: list[Person],
        others: int,
        unmatched: tuple[Unmatched, ...],
    ) -> Network | None:
        """The network with ``made`` in place, or None when an order may have changed."""
        last = self.network
        if len(people) != len(last.people) or len(made) > PATCH_MAX:
            return None
        if not self.ladder:
            self.ladder = {p.key: i for i, p in enumerate(last.people)}
        replaced: dict[str, Person] = {}
        for person in made:
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
            return dataclasses.replace(last, other_notes=others, patch=patch, unmatched=unmatched)
        digest = _patched_digest(last, replaced)
        if digest is None:
            return None
        ordered = list(last.people)
        for key, person in replaced.items():
            ordered[self.ladder[key]] = person
        by_key = dict(last.by_key)
        by_key.update(replaced)
        ladder = tuple(ordered)
        return dataclasses.replace(
            last,
            people=ladder,
            tiers=self._patched_tiers(ladder, replaced),
            digest=digest,
            by_key=by_key,
            other_notes=others,
            patch=patch,
            unmatched=unmatched,
        )

    def updated(
        self,
        people: list[Person],
        made: list[Person],
        split: Split,
        notes: list[Note],
        resolver: Resolver,
        since: tuple[Split, Mapping[str, Note | None]] | None = None,
    ) -> Network | None:
        """The network with ``made`` in place (``patched``), kept as this one's, with its
        unmatched participants and open loops found again: only in the notes that changed
        ``since`` the notes of a split when they are known, else in all ``notes``. None
        when an order may have changed."""
        last = self.network
        found = _unmatched_since(last, since)
        if found is None:
            found = tuple(rank_unmatched(notes, last.today))
        network = self.patched(people, made, split.others, found)
        if network is None:
            return None
        loops = None
        if since is not None:
            loops = patched_loops(network.open_loops, network, since[1], resolver)
        if loops is None:
            loops = open_loops(notes, resolver, network.by_key)
        if loops or network.open_loops:
            network = dataclasses.replace(network, open_loops=loops)
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
                median = self._median(group.tier.rank, members, touched)
            groups.append(
                group._replace(
                    members=members,
                    archived=part(group.archived),
                    overdue=overdue,
                    median_days_since_contact=median,
                    moving_up=swap(group.moving_up),
                    aiming_higher=swap(group.aiming_higher),
                )
            )
        return tuple(groups)

    def _median(
        self, rank: int, members: tuple[Person, ...], touched: list[tuple[Person, Person]]
    ) -> float | None:
        """The median days since the last contact of ``members``, the tier's members now,
        as ``median_days`` gives it: from the last ones with the people ``touched`` moved."""
        days = self.days.get(rank)
        if days is None or not _moved(days, touched):
            days = sorted(day for p in members if (day := p.days_since_contact) is not None)
        self.days[rank] = days
        return sorted_median(days)


def _unmatched_since(
    network: Network, since: tuple[Split, Mapping[str, Note | None]] | None
) -> tuple[Unmatched, ...] | None:
    """The network's unmatched participants, when none of the notes that changed
    ``since`` the notes of a split lists any, before or now; None when they are to be
    found again."""
    if since is None:
        return None
    split, changes = since
    for path, note in changes.items():
        if _lists_unmatched(split.by_path.get(path)) or _lists_unmatched(note):
            return None
    return network.unmatched


def _lists_unmatched(note: Note | None) -> bool:
    """Whether a note may name unmatched participants (model/unmatched.py reads them)."""
    return (
        note is not None
        and not note.person
        and note.date is not None
        and "unmatched" in note.front_matter
    )


def _moved(days: list[int], touched: list[tuple[Person, Person]]) -> bool:
    """Move the days since the last contact of the people ``touched`` from before to now,
    in sorted ``days``; False when someone's days before are not there."""
    for before, now in touched:
        if before.days_since_contact is not None:
            at = bisect.bisect_left(days, before.days_since_contact)
            if at == len(days) or days[at] != before.days_since_contact:
                return False
            del days[at]
        if now.days_since_contact is not None:
            bisect.insort(days, now.days_since_contact)
    return True


def _patched_digest(last: Network, replaced: dict[str, Person]) -> Digest | None:
    """The digest's lists with people replaced: each list is in its order, so a person is
    found by bisection, taken out, and put back where they now go. None when a list is
    not in its order (orders saved by hand), to be made again."""
    changes: dict[str, tuple[Person, ...]] = {}
    for name in (*BUCKETS, "birthdays"):
        order = birthday_order if name == "birthdays" else due_order
        members: list[Person] | None = None
        for key, person in replaced.items():
            before = last.by_key[key]
            was, now = in_list(before, name), in_list(person, name)
            if not (was or now):
                continue
            if members is None:
                members = list(getattr(last.digest, name))
            if was:
                at = bisect.bisect_left(members, order(before), key=order)
                if at == len(members) or members[at] is not before:
                    return None
                del members[at]
            if now:
                bisect.insort(members, person, key=order)
        if members is not None:
            changes[name] = tuple(members)
    return last.digest._replace(**changes)  # type: ignore[arg-type]


def patched_loops(
    loops: tuple[OpenLoop, ...],
    network: Network,
    changes: Mapping[str, Note | None],
    resolver: Resolver,
) -> tuple[OpenLoop, ...] | None:
    """The open loops of a network patched from the one ``loops`` are of, with links
    resolved as then: the loops written in the notes ``changes`` names found in them
    again, the people replaced swapped in. None when someone a loop is with is gone."""
    by_key = network.by_key
    kept: list[OpenLoop] = []
    for loop in loops:
        if loop.source in changes:
            continue
        person = by_key.get(loop.person.key)
        if person is None:
            return None
        kept.append(loop if person is loop.person else loop._replace(person=person))
    notes = [note for note in changes.values() if note is not None]
    for loop in open_loops(notes, resolver, by_key):
        bisect.insort(kept, loop, key=loop_order)
    return tuple(kept)


_LISTS = (*BUCKETS, "birthdays")  # the digest's lists
# Taken of everyone in C when the orders are saved and made again.
_KEY, _DIGEST = operator.attrgetter("key"), operator.attrgetter("digest")


def people_key(people: tuple[Person, ...] | list[Person]) -> str:
    """A key of everyone in a network, in ladder order: their digests."""
    return content_key("\0".join(map(_DIGEST, people)))


def orders_key(network: Network, configured: str) -> tuple[int, str, str]:
    """The key the orders of ``network`` are saved under: the day, the configuration's
    key (``configured``) and everyone's digests in ladder order."""
    return (network.today.toordinal(), configured, people_key(network.people))


def saved_orders(network: Network, key: tuple[int, str, str]) -> SavedOrders:
    """The orders of ``network`` as plain values, by person path (modelstore.py
    ``NETWORK``), for ``from_saved``, under ``key`` (``orders_key``)."""
    people = network.people
    ladder = list(map(_KEY, people))
    at = dict(zip(ladder, range(len(ladder)), strict=True))

    def places(group: tuple[Person, ...]) -> list[int]:
        return list(map(at.__getitem__, map(_KEY, group)))

    def start(group: tuple[Person, ...]) -> int:
        return at[group[0].key] if group else 0

    tiers: list[SavedTier] = [
        (
            start(group.members),
            len(group.members),
            start(group.archived),
            len(group.archived),
            group.overdue,
            group.median_days_since_contact,
            places(group.moving_up),
            places(group.aiming_higher),
        )
        for group in network.tiers
    ]
    lists = {name: places(getattr(network.digest, name)) for name in _LISTS}
    return (*key, ladder, tiers, lists)


def from_saved(
    saved: SavedOrders,
    config: Config,
    today: dt.date,
    configured: str,
    before: Callable[[str], Person | None],
    people: list[Person],
    made: list[Person],
    split: Split,
    notes: list[Note],
    resolver: Resolver,
) -> Orders | None:
    """The orders of the network of ``people``, from the saved ones of the last network:
    made again of the people ``before`` gives by path (as the last build saved them), if
    they are those the orders were saved with, then patched with those ``made`` again, as
    a watcher's are. None when the orders are of another day or configuration, of other
    people, or when someone made again left their place."""
    day, saved_config, key, ladder, saved_tiers, lists = saved
    if day != today.toordinal() or saved_config != configured:
        return None
    if len(saved_tiers) != len(config.tiers):
        return None
    if len(ladder) != len(people) or set(lists) != set(_LISTS):
        return None
    last: list[Person] = []
    for path in ladder:
        person = before(path)
        if person is None:
            return None
        last.append(person)
    if people_key(last) != key:
        return None
    ordered = tuple(last)
    tiers = tuple(
        _tier_group(tier, saved_tier, ordered)
        for tier, saved_tier in zip(config.tiers, saved_tiers, strict=True)
    )
    digest = Digest(
        today,
        **{name: tuple(map(ordered.__getitem__, lists[name])) for name in _LISTS},
    )
    by_key = dict(zip(ladder, ordered, strict=True))
    base = Network(today, config, ordered, tiers, digest, by_key)
    orders = Orders(base)
    orders.ladder = dict(zip(ladder, range(len(ladder)), strict=True))
    network = orders.updated(people, made, split, notes, resolver)
    if network is None or network.patch is None:
        return None
    # Nothing else holds the last network: the patch does, so that the insights saved
    # for it can be brought up to date (insightstore.py).
    patch = Patch(_Held(base), network.patch.replaced)
    orders.network = dataclasses.replace(network, note_names=split.names(), patch=patch)
    return orders


class _Held:
    """A network, held: given where a patch holds its base by a weak reference."""

    __slots__ = ("network",)

    def __init__(self, network: Network) -> None:
        self.network = network

    def __call__(self) -> Network:
        return self.network


def _tier_group(tier: Tier, saved: SavedTier, ladder: tuple[Person, ...]) -> TierGroup:
    """A tier's group as saved (``saved_orders``), of the people of ``ladder``."""
    start, count, archived_start, archived, overdue, median, moving_up, aiming_higher = saved
    return TierGroup(
        tier,
        ladder[start : start + count],
        ladder[archived_start : archived_start + archived],
        overdue,
        median,
        tuple([ladder[place] for place in moving_up]),
        tuple([ladder[place] for place in aiming_higher]),
    )
