"""Reciprocity: what you gave and got, one-sided relationships, thanks owed, open asks. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .logscan import (
    MAX_ROWS,
    ONE_SIDED_MIN,
    PER_PERSON,
    LogScan,
    brief,
    ladder_order,
    scan_logs,
)
from .network import Interaction, Network, Person


@dataclass(frozen=True, slots=True)
class Exchange:
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


@dataclass(frozen=True, slots=True)
class Owed:
    """A thank-you owed (a #got with no later contact) or an open ask (no #got since)."""

    person: Person
    exchange: Exchange
    days: int  # since the entry


@dataclass(frozen=True, slots=True)
class Reciprocity:
    """Give and take, for active people with tagged entries."""

    balances: tuple[Balance, ...]
    balances_total: int
    taking: tuple[Balance, ...]
    giving: tuple[Balance, ...]
    thanks_owed: tuple[Owed, ...]
    thanks_total: int
    open_asks: tuple[Owed, ...]
    asks_total: int
    min_entries: int = ONE_SIDED_MIN


def exchanges(person: Person, tagged: Sequence[Interaction] | None = None) -> list[Exchange]:
    """A person's entries tagged #gave, #got or #ask, newest first.

    ``tagged`` is the person's entries with any tag (from ``scan_logs``), when known.
    """
    found = []
    for entry in reversed(person.interactions if tagged is None else tagged):
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
    for entry in reversed(person.interactions if tagged is None else tagged):
        tags = entry.tags
        if "got" in tags and "gave" not in tags and not entry.mention:
            if person.last_contact <= entry.date:
                return Owed(person, _exchange(entry), (today - entry.date).days)
            return None
    return None


def open_asks(
    person: Person, today: dt.date, tagged: Sequence[Interaction] | None = None
) -> list[Owed]:
    """Each #ask with no #got on the same day or later, newest first.

    That is every ask dated after the latest #got, whatever order the log lists them in.
    """
    entries = [
        e for e in (person.interactions if tagged is None else tagged) if e.tags and not e.mention
    ]
    latest_got = max((e.date for e in entries if "got" in e.tags), default=None)
    return [
        Owed(person, _exchange(e), (today - e.date).days)
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


def build_reciprocity(network: Network, scan: LogScan | None = None) -> Reciprocity:
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
        gave, got, ask, owed, person_asks = PER_PERSON.get(
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

    def balance(person: Person, entries: Sequence[Interaction], gave: int, got: int) -> Balance:
        found = exchanges(person, entries)
        side = None
        if got >= ONE_SIDED_MIN and not gave:
            side = "taking"
        elif gave >= ONE_SIDED_MIN and not got:
            side = "giving"
        return Balance(
            person,
            tuple(x for x in found if x.gave),
            tuple(x for x in found if x.got),
            tuple(x for x in found if x.ask),
            side,
        )

    def one_sided(side: str) -> tuple[Balance, ...]:
        if side == "taking":
            chosen = [c for c in counted if c[3] >= ONE_SIDED_MIN and not c[2]]
        else:
            chosen = [c for c in counted if c[2] >= ONE_SIDED_MIN and not c[3]]
        chosen.sort(key=lambda c: -c[2] - c[3])  # stable: ladder order within a count
        return tuple(balance(*c) for c in chosen[:MAX_ROWS])

    newest = lambda o: (o.days, ladder_order(o.person))  # noqa: E731
    thanks.sort(key=newest)
    asks.sort(key=newest)
    return Reciprocity(
        balances=tuple(balance(*c) for c in counted[:MAX_ROWS]),
        balances_total=len(counted),
        taking=one_sided("taking"),
        giving=one_sided("giving"),
        thanks_owed=tuple(thanks[:MAX_ROWS]),
        thanks_total=len(thanks),
        open_asks=tuple(asks[:MAX_ROWS]),
        asks_total=len(asks),
    )
