"""What the insight pages share: the log entries they read (found in one pass over every
log), their limits, and the per-person values a watcher keeps from one build to the next.

``LogScan`` is a named tuple, not a dataclass: a class made at import in a fifth of the time
(docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar

from vaultnet.model.network import Interaction, Network, Person
from vaultnet.source.links import shown_text

MAX_ROWS = 200  # rows of any one table
MAX_CHAINS = 50
MAX_CHAIN_NODES = 8  # longer chains show their start and end around an ellipsis
MAX_CONNECTORS = 25
GRAPH_NODES = 60  # Mermaid stays legible up to a few dozen boxes
GRAPH_CHILDREN = 8  # children drawn under one node before a "+N more" box
THIN_TIER = 3  # a tier with fewer active members is "thin"
ONE_SIDED_MIN = 2  # tagged entries needed before a relationship counts as one-sided
THANKS_DIGEST_DAYS = 90  # the digest lists thank-yous owed for help this recent
ARROW = re.compile(r"\s*(?:→|->|=>|⟶|➔)\s*")
T = TypeVar("T")


def ladder_order(person: Person) -> tuple[bool, int, str, str]:
    return person.ladder_key


class LogScan(NamedTuple):
    """The log entries insights read, found in one pass over every log (oldest first)."""

    tagged: dict[str, list[Interaction]]  # person key -> entries with any #tag
    tier: dict[str, list[Interaction]]  # person key -> ``tier:`` entries
    moved: dict[str, list[Interaction]]  # person key -> ``moved:`` entries
    intros: list[tuple[Person, Interaction]]  # entries tagged #intro, in ladder order


class PersonValues:
    """Values computed from one person alone, kept from one build to the next.

    People compare by their digest (see model/person.py): a person made from the same
    inputs equals the old one, a changed one does not, so a value kept for a person is
    exact. Values the latest build did not ask for are dropped.

    ``keep`` is off for a single build (nothing to reuse, and the memory grows with the
    vault): then every value is computed when asked for. A watcher's keeps them.
    """

    def __init__(self, keep: bool = False) -> None:
        self.current: dict[tuple[str, Person], Any] = {}
        self.previous: dict[tuple[str, Person], Any] = {}
        self.keep = keep
        self.kinds: set[str] = set()

    def next_build(self) -> None:
        self.previous, self.current = (self.current, {}) if self.keep else ({}, {})

    def carry(self, gone: Iterable[Person]) -> None:
        """Start a build that asks only for the people replaced (a patched network's):
        every value is kept, except those of the people in ``gone``."""
        if not self.keep:
            self.next_build()
            return
        if self.previous:
            self.current = {**self.previous, **self.current}
            self.previous = {}
        for person in gone:
            for kind in self.kinds:
                self.current.pop((kind, person), None)

    def get(self, kind: str, person: Person, compute: Callable[[Person], T]) -> T:
        if not self.keep:
            return compute(person)
        key = (kind, person)
        value = self.current.get(key, _MISSING)
        if value is _MISSING:
            value = self.previous.get(key, _MISSING)
            if value is _MISSING:
                value = compute(person)
                self.kinds.add(kind)
            self.current[key] = value
        return value  # type: ignore[no-any-return]


def kept(
    values: PersonValues | None, kind: str, person: Person, compute: Callable[[Person], T]
) -> T:
    """``compute(person)``, or the value ``values`` keeps for it (None: keeps nothing)."""
    return compute(person) if values is None else values.get(kind, person, compute)


_MISSING = object()


class _PersonScan(NamedTuple):
    tagged: list[Interaction]
    tier: list[Interaction]
    moved: list[Interaction]
    intros: list[Interaction]


def _scan_person(person: Person) -> _PersonScan:
    found = _PersonScan([], [], [], [])
    for entry in person.notable:  # every interaction this looks at, in order
        if entry.tags:  # mentions carry no tags
            found.tagged.append(entry)
            if "intro" in entry.tags:
                found.intros.append(entry)
        kind = entry.kind
        # Cheap tests first: they rule out nearly every entry before any casefold.
        if kind is None or not 4 <= len(kind) <= 5 or kind[0] not in "tTmM" or entry.mention:
            continue
        folded = kind.casefold()
        if folded == "tier":
            found.tier.append(entry)
        elif folded == "moved":
            found.moved.append(entry)
    return found


def scan_logs(network: Network, values: PersonValues | None = None) -> LogScan:
    """One pass over every log entry (the vault's largest collection) for all insights;
    each person's part kept in ``values``, when given."""
    tagged: dict[str, list[Interaction]] = {}
    tier: dict[str, list[Interaction]] = {}
    moved: dict[str, list[Interaction]] = {}
    intros: list[tuple[Person, Interaction]] = []
    for person in network.people:
        found = kept(values, "scan", person, _scan_person)
        key = person.key
        if found.tagged:
            tagged[key] = found.tagged
            intros += [(person, entry) for entry in found.intros]
        if found.tier:
            tier[key] = found.tier
        if found.moved:
            moved[key] = found.moved
    return LogScan(tagged, tier, moved, intros)


def update_scan(
    previous: LogScan, network: Network, values: PersonValues | None = None
) -> LogScan | None:
    """The log scan of a patched network (``network.patch``), from the scan of the network
    it was made from; None when a replaced person's ``#intro`` entries changed (the intro
    list is in ladder order: it is scanned again)."""
    patch = network.patch
    if patch is None:
        return None
    tagged, tier, moved = dict(previous.tagged), dict(previous.tier), dict(previous.moved)
    swapped: dict[str, Person] = {}
    for before, now in patch.replaced:
        old = _scan_person(before)  # not kept: the person before is gone
        found = kept(values, "scan", now, _scan_person)
        if old.intros != found.intros:
            return None
        if found.intros:
            swapped[now.key] = now
        key = now.key
        for kind, entries in ((tagged, found.tagged), (tier, found.tier), (moved, found.moved)):
            if entries:
                kind[key] = entries
            else:
                kind.pop(key, None)
    intros = previous.intros
    if swapped:
        intros = [(swapped.get(person.key, person), entry) for person, entry in intros]
    return LogScan(tagged, tier, moved, intros)


@functools.lru_cache(maxsize=1 << 15)  # the same entries are shown build after build
def brief(text: str, limit: int = 100) -> str:
    """Text for a table: links reduced to what they show, cut at ``limit`` characters."""
    text = shown_text(text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
