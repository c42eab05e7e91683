"""Reciprocity: what you gave and got, one-sided relationships, thanks owed, open asks. Pure.

``Exchange`` and ``Reciprocity`` are named tuples, not dataclasses (``Balance`` and ``Owed``
carry the key they are made with): a class made at import in a fifth of the time
(docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol, TypeVar

from vaultnet.insights.logscan import (
    MAX_ROWS,
    ONE_SIDED_MIN,
    THANKS_DIGEST_DAYS,
    LogScan,
    PersonValues,
    brief,
    kept,
    ladder_order,
    scan_logs,
)
from vaultnet.model.network import Interaction, Network, Person


class Exchange(NamedTuple):
    """A log entry tagged #gave, #got or #ask."""

    entry: Interaction
    gave: bool
    got: bool
    ask: bool

    @property
    def date(self) -> dt.date:
        return self.entry.date

    @property
    def kind(self) -> str | None:
        return self.entry.kind

    @property
    def text(self) -> str:
        """The entry without its kind and tags."""
        return text_only(self.entry)

    @property
    def summary(self) -> str:
        """``kind: text``, as the log has it (without tags)."""
        return self.entry.summary

    @property
    def brief(self) -> str:
        """The entry for a table cell: links as text, at most 100 characters."""
        return brief(self.entry.summary)


@dataclass(frozen=True, slots=True)
class Balance:
    """What you gave a person and got from them; each list newest first."""

    person: Person
    gave: tuple[Exchange, ...]
    got: tuple[Exchange, ...]
    asks: tuple[Exchange, ...]
    one_sided: str | None  # "taking" (only got) or "giving" (only gave), past ONE_SIDED_MIN
    # The key of everything above, set where it is made (``_balance``): its rows are keyed
    # by it without walking its exchanges (state/valuekey.py).
    _key: str | None = field(default=None, init=False, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Owed:
    """A thank-you owed (a #got with no later contact) or an open ask (no #got since)."""

    person: Person
    exchange: Exchange
    days: int  # since the entry
    _key: str | None = field(default=None, init=False, repr=False, compare=False)  # _owed


class Reciprocity(NamedTuple):
    """Give and take, for active people with tagged entries."""

    balances: tuple[Balance, ...]
    balances_total: int
    taking: tuple[Balance, ...]
    giving: tuple[Balance, ...]
    thanks_owed: tuple[Owed, ...]
    thanks_total: int
    open_asks: tuple[Owed, ...]
    asks_total: int
    # Every thank-you owed for help in the last THANKS_DIGEST_DAYS days, in the order of
    # ``thanks_owed`` (which it starts): the digest lists them all, however many the
    # table shows.
    thanks_recent: tuple[Owed, ...]
    min_entries: int = ONE_SIDED_MIN


def exchanges(person: Person, tagged: Sequence[Interaction] | None = None) -> list[Exchange]:
    """A person's entries tagged #gave, #got or #ask, newest first.

    ``tagged`` is the person's entries with any tag (from ``scan_logs``), when known; else
    they are taken from ``Person.notable``, which holds them.
    """
    found = []
    for entry in reversed(person.notable if tagged is None else tagged):
        tags = entry.tags
        if tags and ("gave" in tags or "got" in tags or "ask" in tags) and not entry.mention:
            found.append(Exchange(entry, "gave" in tags, "got" in tags, "ask" in tags))
    return found


def text_only(entry: Interaction) -> str:
    """An entry's text without its kind and reciprocity tags."""
    summary = entry.summary
    if entry.kind and not entry.mention:
        summary = summary.removeprefix(entry.kind).removeprefix(":").strip()
    return summary


def _exchange(entry: Interaction) -> Exchange:
    tags = entry.tags
    return Exchange(entry, "gave" in tags, "got" in tags, "ask" in tags)


def thanks_owed(
    person: Person, today: dt.date, tagged: Sequence[Interaction] | None = None
) -> Owed | None:
    """The latest help received (#got, not an exchange also tagged #gave) with no later contact.

    ``tagged`` is the person's entries with any tag (from ``scan_logs``), when known.
    """
    if person.last_contact is None:
        return None
    for entry in reversed(person.notable if tagged is None else tagged):
        tags = entry.tags
        if "got" in tags and "gave" not in tags and not entry.mention:
            if person.last_contact <= entry.date:
                return _owed(person, entry, today)
            return None
    return None


def open_asks(
    person: Person, today: dt.date, tagged: Sequence[Interaction] | None = None
) -> list[Owed]:
    """Each #ask with no #got on the same day or later, newest first.

    That is every ask dated after the latest #got, whatever order the log lists them in.
    """
    entries = [
        e for e in (person.notable if tagged is None else tagged) if e.tags and not e.mention
    ]
    latest_got = max((e.date for e in entries if "got" in e.tags), default=None)
    return [
        _owed(person, e, today)
        for e in reversed(entries)
        if "ask" in e.tags and (latest_got is None or e.date > latest_got)
    ]


def _tally(
    person: Person, entries: Sequence[Interaction], today: dt.date
) -> tuple[int, int, int, Owed | None, list[Owed]]:
    """A person's #gave, #got and #ask counts, the thanks they are owed and their open asks."""
    gave = got = ask = 0
    for entry in entries:
        tags = entry.tags
        gave += "gave" in tags
        got += "got" in tags
        ask += "ask" in tags
    owed = thanks_owed(person, today, entries) if got else None
    return gave, got, ask, owed, open_asks(person, today, entries) if ask else []


def build_reciprocity(
    network: Network, scan: LogScan | None = None, values: PersonValues | None = None
) -> Reciprocity:
    """Balances, one-sided relationships, thank-yous owed and open asks."""
    tagged = (scan or scan_logs(network)).tagged
    today = network.today
    # One counting pass over everyone's tagged entries; Exchange and Balance values are
    # made only for the rows the page shows (a big vault has thousands of balances).
    counted: list[tuple[Person, Sequence[Interaction], int, int]] = []
    thanks: list[Owed] = []
    asks: list[Owed] = []
    for person in network.people:
        entries = tagged.get(person.key)
        if entries is None or not person.active:
            continue
        # Only the person's own entries and their day count: kept between a watcher's builds.
        gave, got, ask, owed, person_asks = kept(
            values,
            "reciprocity",
            person,
            lambda p: _tally(p, entries, today),  # noqa: B023
        )
        if not (gave or got or ask):
            continue  # tagged, but with other tags only
        counted.append((person, entries, gave, got))
        if owed is not None:
            thanks.append(owed)
        asks += person_asks

    def one_sided(side: str) -> tuple[Balance, ...]:
        chosen = [c for c in counted if _one_sided(c[2], c[3]) == side]
        chosen.sort(key=lambda c: -c[2] - c[3])  # stable: ladder order within a count
        return tuple(_balance(*c) for c in chosen[:MAX_ROWS])

    thanks.sort(key=_by_days)
    asks.sort(key=_by_days)
    return Reciprocity(
        balances=tuple(_balance(*c) for c in counted[:MAX_ROWS]),
        balances_total=len(counted),
        taking=one_sided("taking"),
        giving=one_sided("giving"),
        thanks_owed=tuple(thanks[:MAX_ROWS]),
        thanks_total=len(thanks),
        open_asks=tuple(asks[:MAX_ROWS]),
        asks_total=len(asks),
        thanks_recent=tuple(o for o in thanks if _recent(o)),
    )


def _recent(owed: Owed) -> bool:
    """Whether the help is recent enough for the digest's thank-yous."""
    return owed.days <= THANKS_DIGEST_DAYS


def _one_sided(gave: int, got: int) -> str | None:
    """``taking`` (only got) or ``giving`` (only gave), past ONE_SIDED_MIN entries."""
    if got >= ONE_SIDED_MIN and not gave:
        return "taking"
    if gave >= ONE_SIDED_MIN and not got:
        return "giving"
    return None


def _balance(person: Person, entries: Sequence[Interaction], gave: int, got: int) -> Balance:
    """A person's row: their exchanges, newest first, and whether it is one-sided."""
    found = exchanges(person, entries)
    made = Balance(
        person,
        tuple(x for x in found if x.gave),
        tuple(x for x in found if x.got),
        tuple(x for x in found if x.ask),
        _one_sided(gave, got),
    )
    # Its exchanges are the person's tagged entries, all of them: made of the note, which
    # the person's digest keys with the day and the configuration.
    shape = (made.one_sided, len(made.gave), len(made.got), len(made.asks))
    object.__setattr__(made, "_key", made_key(person, shape))
    return made


def made_key(person: Person, shape: tuple[object, ...]) -> str:
    """The key of a value made of ``person`` alone and shaped by ``shape`` (plain values,
    whose ``repr`` is exact and stable across processes): ``P``, the first two characters
    of the person's digest, for its rows to be filed with theirs (valuekey.py), then the
    digest of both."""
    digest = person.digest
    text = (digest + repr(shape)).encode("utf-8", "surrogatepass")
    return f"P{digest[:2]}{hashlib.blake2b(text, digest_size=16).hexdigest()}"


def _owed(person: Person, entry: Interaction, today: dt.date) -> Owed:
    """A thank-you owed or an open ask for ``entry`` of the person's, keyed (``_key``)."""
    exchange = _exchange(entry)
    days = (today - entry.date).days
    made = Owed(person, exchange, days)
    shape = (days, entry.date.isoformat(), entry.summary, entry.kind, entry.source)
    flags = (exchange.gave, exchange.got, exchange.ask, entry.mention)
    object.__setattr__(made, "_key", made_key(person, (*shape, flags)))
    return made


def _by_days(owed: Owed) -> tuple[int, tuple[bool, int, str, str]]:
    """The order of thank-yous owed and open asks: newest first, then the ladder."""
    return (owed.days, ladder_order(owed.person))


def _by_ladder(balance: Balance) -> tuple[bool, int, str, str]:
    """The order of all balances: the ladder's."""
    return balance.person.ladder_key


def _by_count(balance: Balance) -> tuple[int, tuple[bool, int, str, str]]:
    """The order of one-sided balances: most entries first, then the ladder."""
    # Each exchange has one of the tags counted, so the tuples' lengths are the counts.
    return (-len(balance.gave) - len(balance.got), balance.person.ladder_key)


class Row(Protocol):
    """A row of an insight table: it is about one person."""

    @property
    def person(self) -> Person:
        """Whom the row is about."""
        ...


R = TypeVar("R", bound=Row)


def patched_rows(
    rows: tuple[R, ...],
    total: int | None,
    leaving: Collection[Person],
    gone: int,
    arriving: Sequence[R],
    order: Callable[[R], tuple[object, ...]],
    limit: int,
) -> tuple[tuple[R, ...], int | None] | None:
    """A capped table brought up to date, with its new total; None when rows it did not show
    would have to come in, and only a pass over everyone would find them.

    ``rows`` are the first ``limit`` of ``total`` (None: not known) rows sorted by ``order``,
    ties in the order they were found. Every row about someone in ``leaving`` goes (``gone``
    rows in all, shown or not) and ``arriving`` come in, each person's in their own order.
    ``order`` must tell different people apart, so that only one person's rows tie.
    """
    kept = [row for row in rows if row.person not in leaving]
    if len(rows) - len(kept) > gone:
        return None  # rows for people who had none: ``rows`` is not what the caller thinks
    new_total = None if total is None else total - gone + len(arriving)
    coming = arriving
    if len(rows) == limit and total != limit:
        # Rows not shown sort after the last one shown, or tie with it when they are that
        # person's (who then leaves with all of theirs): arrivals up to it are in for sure.
        last = order(rows[-1])
        coming = [row for row in arriving if order(row) <= last]
        if len(kept) + len(coming) < limit:
            return None
    for row in coming:
        bisect.insort(kept, row, key=order)
    del kept[limit:]
    if len(kept) == len(rows) and all(a is b for a, b in zip(kept, rows, strict=True)):
        return rows, new_total
    return tuple(kept), new_total


def update_reciprocity(
    previous: Reciprocity, network: Network, scan: LogScan, values: PersonValues | None = None
) -> Reciprocity | None:
    """What ``build_reciprocity(network, scan)`` returns, made from ``previous`` (built for the
    network ``network.patch`` was made from) in time proportional to the people replaced.

    None when that is not exact: the network is not patched; or a shown row leaves its table,
    or now sorts after the last row shown, while rows are hidden below (which one would come
    in is not known): a thank-you owed to someone shown, paid by any new contact; an ask
    answered; a balance no longer one-sided.
    """
    patch = network.patch
    if patch is None:
        return None
    if not patch.replaced:
        return previous
    today = network.today
    leaving: set[Person] = set()
    # Per table: the rows of the people replaced as they were (how many, shown or not) and
    # as they are now.
    gone = dict.fromkeys(("balances", "taking", "giving", "thanks", "recent", "asks"), 0)
    balances: list[Balance] = []
    taking: list[Balance] = []
    giving: list[Balance] = []
    thanks: list[Owed] = []
    asks: list[Owed] = []
    for before, now in patch.replaced:
        if before.ladder_key != now.ladder_key:
            return None  # not a patch: the ladder order is every table's tie-break
        leaving.add(before)
        # Of the entries that count, as of ``notable``: a person taken from saved state
        # (the last network of a one-shot build) has their interactions made only from
        # their note, which has changed since.
        old = _counted(before, [e for e in before.notable if e.tags], today, None)
        if old is not None:
            gave, got, _, owed, person_asks = old
            side = _one_sided(gave, got)
            gone["balances"] += 1
            gone["taking"] += side == "taking"
            gone["giving"] += side == "giving"
            gone["thanks"] += owed is not None
            gone["recent"] += owed is not None and _recent(owed)
            gone["asks"] += len(person_asks)
        entries = scan.tagged.get(now.key)
        new = _counted(now, entries, today, values)
        if new is not None and entries is not None:
            gave, got, _, owed, person_asks = new
            balance = _balance(now, entries, gave, got)
            balances.append(balance)
            if balance.one_sided == "taking":
                taking.append(balance)
            elif balance.one_sided == "giving":
                giving.append(balance)
            if owed is not None:
                thanks.append(owed)
            asks += person_asks

    def patched(
        rows: tuple[R, ...],
        total: int | None,
        name: str,
        new: list[R],
        order: Callable[[R], tuple[object, ...]],
        limit: int = MAX_ROWS,
    ) -> tuple[tuple[R, ...], int | None] | None:
        return patched_rows(rows, total, leaving, gone[name], new, order, limit)

    all_ = patched(previous.balances, previous.balances_total, "balances", balances, _by_ladder)
    taking_ = patched(previous.taking, None, "taking", taking, _by_count)
    giving_ = patched(previous.giving, None, "giving", giving, _by_count)
    thanks_ = patched(previous.thanks_owed, previous.thanks_total, "thanks", thanks, _by_days)
    asks_ = patched(previous.open_asks, previous.asks_total, "asks", asks, _by_days)
    recent = [owed for owed in thanks if _recent(owed)]
    recent_ = patched(previous.thanks_recent, None, "recent", recent, _by_days, sys.maxsize)
    if (
        all_ is None
        or taking_ is None
        or giving_ is None
        or thanks_ is None
        or asks_ is None
        or recent_ is None
    ):
        return None
    assert all_[1] is not None and thanks_[1] is not None and asks_[1] is not None
    updated = Reciprocity(
        balances=all_[0],
        balances_total=all_[1],
        taking=taking_[0],
        giving=giving_[0],
        thanks_owed=thanks_[0],
        thanks_total=thanks_[1],
        open_asks=asks_[0],
        asks_total=asks_[1],
        thanks_recent=recent_[0],
        min_entries=previous.min_entries,
    )
    return previous if updated == previous else updated


def _counted(
    person: Person,
    entries: Sequence[Interaction] | None,
    today: dt.date,
    values: PersonValues | None,
) -> tuple[int, int, int, Owed | None, list[Owed]] | None:
    """A person's tally as ``build_reciprocity`` counts it, or None when they are left out.

    ``values``: where the build keeps the tallies (for a person of the current network; a
    replaced one is not kept there, and is counted with None).
    """
    if not entries or not person.active:
        return None
    tally = kept(values, "reciprocity", person, lambda p: _tally(p, entries, today))
    return tally if tally[0] or tally[1] or tally[2] else None
