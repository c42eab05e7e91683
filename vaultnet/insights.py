"""Insights computed from a finished Network: introductions, the ladder, reciprocity. Pure.

The model stays two-phase: nothing here changes a Person; every function reads the Network
and returns new frozen values. Everything is linear in people and log entries (plus
sorting), and long lists are capped: each capped list comes with its full count so pages
can say what they left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .companies import RECENT_MOVE_DAYS, CompanyIndex, Move, build_companies, person_resolver
from .companies import TEMPLATE_TYPES as COMPANY_TYPES
from .config import Config, Tier
from .dates import short_date
from .links import WIKILINK, Resolver, fold, parse_link
from .network import NOT_CONTACT_KINDS, Interaction, Network, Person, TierGroup

MAX_ROWS = 200  # rows of any one table
MAX_CHAINS = 50
MAX_CHAIN_NODES = 8  # longer chains show their start and end around an ellipsis
MAX_CONNECTORS = 25
GRAPH_NODES = 60  # Mermaid stays legible up to a few dozen boxes
GRAPH_CHILDREN = 8  # children drawn under one node before a "+N more" box
THIN_TIER = 3  # a tier with fewer active members is "thin"
ONE_SIDED_MIN = 2  # tagged entries needed before a relationship counts as one-sided
THANKS_DIGEST_DAYS = 90  # the digest lists thank-yous owed for help this recent
_ARROW = re.compile(r"\s*(?:→|->|=>|⟶|➔)\s*")


def _order(person: Person) -> tuple[bool, int, str, str]:
    return (person.archived, person.tier.rank, person.sort_name, person.path)


@dataclass(frozen=True, slots=True)
class LogScan:
    """The log entries insights read, found in one pass over every log (oldest first)."""

    tagged: dict[str, list[Interaction]]  # person key -> entries with any #tag
    tier: dict[str, list[Interaction]]  # person key -> ``tier:`` entries
    moved: dict[str, list[Interaction]]  # person key -> ``moved:`` entries
    intros: list[tuple[Person, Interaction]]  # entries tagged #intro, in ladder order


def scan_logs(network: Network) -> LogScan:
    """One pass over every log entry (the vault's largest collection) for all insights."""
    tagged: dict[str, list[Interaction]] = {}
    tier: dict[str, list[Interaction]] = {}
    moved: dict[str, list[Interaction]] = {}
    intros: list[tuple[Person, Interaction]] = []
    for person in network.people:
        key = person.key
        for entry in person.interactions:
            if entry.tags:  # mentions carry no tags
                tagged.setdefault(key, []).append(entry)
                if "intro" in entry.tags:
                    intros.append((person, entry))
            kind = entry.kind
            # Cheap tests first: they rule out nearly every entry before any casefold.
            if kind is None or not 4 <= len(kind) <= 5 or kind[0] not in "tTmM" or entry.mention:
                continue
            folded = kind.casefold()
            if folded == "tier":
                tier.setdefault(key, []).append(entry)
            elif folded == "moved":
                moved.setdefault(key, []).append(entry)
    return LogScan(tagged, tier, moved, intros)


# --- Introductions ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Introducer:
    """Someone in an introduction chain: a person with a note, or a name without one."""

    key: str
    name: str
    person: Person | None


@dataclass(frozen=True, slots=True)
class Chain:
    """How you came to know someone: first introducer first, the person last."""

    nodes: tuple[Introducer, ...]
    skipped: int = 0  # people left out of the middle of a long chain (after the second)
    cycle: bool = False  # the first node was in a loop of introduced_by: the chain starts there

    @property
    def length(self) -> int:
        return len(self.nodes) + self.skipped


@dataclass(frozen=True, slots=True)
class Connector:
    """Someone who brought you people: directly, and through the people they introduced."""

    node: Introducer
    direct: tuple[Person, ...]
    total: int

    @property
    def through(self) -> int:
        return self.total - len(self.direct)


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A box of the introductions graph. ``more`` > 0 marks a "+N more" box."""

    id: str
    label: str
    person: Person | None = None
    more: int = 0

    @property
    def linkable(self) -> bool:
        """Whether Obsidian can open the note from the box (its label is the link target)."""
        return self.person is not None and self.person.link == self.label


@dataclass(frozen=True, slots=True)
class Graph:
    """The introductions graph, trimmed to stay legible; the counts say what was left out."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[str, str], ...]
    people: int  # people in introduction chains
    shown: int  # of them, drawn as their own box
    under_more: int  # drawn only as part of a "+N more" box
    groups_left_out: int  # whole introduction trees not drawn
    people_left_out: int


@dataclass(frozen=True, slots=True)
class IntroMade:
    """An introduction you made: a log entry tagged #intro linking two people."""

    date: dt.date
    first: Person
    second: Person
    text: str
    source: str
    line: int


@dataclass(frozen=True, slots=True)
class Introductions:
    """Who introduced you to whom, who your connectors are, and whom you introduced."""

    introduced: int  # people with an introducer
    chains: tuple[Chain, ...]
    chains_total: int
    connectors: tuple[Connector, ...]
    connectors_total: int
    graph: Graph
    made: tuple[IntroMade, ...]
    made_total: int
    cycles: tuple[tuple[Introducer, ...], ...]


def build_introductions(
    network: Network, resolver: Resolver | None = None, scan: LogScan | None = None
) -> Introductions:
    """Introduction chains, connectors, the graph and the introductions you made."""
    # network.people is in ladder order already, so a position is a ready-made sort key;
    # introducers without a note sort after everyone, by name.
    rank = {person.key: index for index, person in enumerate(network.people)}
    nodes: dict[str, Introducer] = {}
    parent: dict[str, str] = {}  # the first introducer listed: the one chains follow
    direct: dict[str, list[Person]] = {}  # in ladder order, as people are visited
    by_key = network.by_key
    for person in network.people:
        if not person.introduced_by:
            continue
        for ref in person.introduced_by:
            if ref.person == person.key:
                continue
            key = ref.person or "name:" + fold(ref.text)
            if key not in nodes:
                known = by_key.get(key) if ref.person else None
                nodes[key] = Introducer(key, known.name if known else ref.text, known)
            brought = direct.setdefault(key, [])
            if not brought or brought[-1] is not person:
                brought.append(person)
            parent.setdefault(person.key, key)
        if person.key in parent and person.key not in nodes:
            nodes[person.key] = Introducer(person.key, person.name, person)
    unnamed = sorted((k for k in nodes if k not in rank), key=lambda k: (nodes[k].name, k))
    for index, key in enumerate(unnamed, len(rank)):
        rank[key] = index
    order = rank.__getitem__

    cycles = _break_cycles(parent, order)
    children: dict[str, list[str]] = {}
    for child, up in parent.items():
        children.setdefault(up, []).append(child)
    in_graph = set(parent) | set(children)
    roots = sorted((k for k in in_graph if k not in parent), key=order)
    # Breadth first from the roots gives depths; its reverse gives subtree sizes.
    depth: dict[str, int] = {}
    visit: list[str] = []
    queue = deque(roots)
    for root in roots:
        depth[root] = 0
    while queue:
        key = queue.popleft()
        visit.append(key)
        kids = children.get(key)
        if kids:
            kids.sort(key=order)
            for kid in kids:
                depth[kid] = depth[key] + 1
                queue.append(kid)
    size: dict[str, int] = {}
    for key in reversed(visit):
        size[key] = 1 + sum(size[kid] for kid in children.get(key, ()))

    cut = {cycle[0] for cycle in cycles}
    # Longest chains first; breadth-first order keeps chains through one introducer together.
    leaves = [k for k in visit if k in parent and k not in children]
    position = {key: index for index, key in enumerate(visit)}
    leaves.sort(key=lambda k: (-depth[k], position[k]))
    chains = tuple(_chain(leaf, parent, nodes, cut) for leaf in leaves[:MAX_CHAINS])

    ranked = []
    for key, brought in direct.items():
        through = sum(size[kid] - 1 for kid in children.get(key, ()))
        ranked.append(Connector(nodes[key], tuple(brought), len(brought) + through))
    ranked.sort(key=lambda c: (-c.total, -len(c.direct), order(c.node.key)))

    made = introductions_made(network, resolver, scan)
    return Introductions(
        introduced=len(parent) + len(cut),
        chains=chains,
        chains_total=len(leaves),
        connectors=tuple(ranked[:MAX_CONNECTORS]),
        connectors_total=len(ranked),
        graph=_graph(roots, children, size, nodes, order),
        made=tuple(made[:MAX_ROWS]),
        made_total=len(made),
        cycles=tuple(tuple(nodes[k] for k in cycle) for cycle in cycles),
    )


def _break_cycles(parent: dict[str, str], order: Callable[[str], int]) -> list[list[str]]:
    """Find every loop in ``parent`` and cut each at its first member (in ``order``).

    Each key is walked once, so this is linear. The cut member loses its parent and so
    becomes the start of the chains through the loop.
    """
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    cycles: list[list[str]] = []
    for start in sorted(parent, key=order):
        walk: list[str] = []
        key: str | None = start
        while key is not None and key not in state:
            state[key] = 1
            walk.append(key)
            key = parent.get(key)
        if key is not None and state[key] == 1:
            loop = walk[walk.index(key) :]
            first = min(range(len(loop)), key=lambda i: order(loop[i]))
            loop = loop[first:] + loop[:first]
            # The walk followed "introduced by"; list the loop the way chains read.
            cycles.append([loop[0], *reversed(loop[1:])])
        for key_done in walk:
            state[key_done] = 2
    for loop in cycles:
        del parent[loop[0]]
    return cycles


def _chain(leaf: str, parent: dict[str, str], nodes: dict[str, Introducer], cut: set[str]) -> Chain:
    keys = [leaf]
    while keys[-1] in parent:
        keys.append(parent[keys[-1]])
    keys.reverse()
    skipped = 0
    if len(keys) > MAX_CHAIN_NODES:
        keep_end = MAX_CHAIN_NODES - 2
        skipped = len(keys) - MAX_CHAIN_NODES
        keys = keys[:2] + keys[-keep_end:]
    return Chain(tuple(nodes[k] for k in keys), skipped, keys[0] in cut)


def _graph(
    roots: list[str],
    children: dict[str, list[str]],
    size: dict[str, int],
    nodes: dict[str, Introducer],
    order: Callable[[str], int],
) -> Graph:
    """The biggest introduction trees first, breadth first, within the node budget."""
    graph_nodes = [GraphNode("you", "You")]
    edges: list[tuple[str, str]] = []
    ids: dict[str, str] = {}
    budget = GRAPH_NODES
    under_more = groups_left = people_left = 0

    def add(key: str, up: str) -> None:
        nonlocal budget
        ids[key] = f"n{len(ids)}"
        node = nodes[key]
        graph_nodes.append(GraphNode(ids[key], node.name, node.person))
        edges.append((up, ids[key]))
        budget -= 1

    by_size = sorted(roots, key=lambda k: (-size[k], order(k)))
    for root in by_size:
        if budget < 2:  # a tree needs two boxes to show anything
            groups_left += 1
            people_left += size[root]
            continue
        add(root, "you")
        queue = deque([root])
        while queue:
            key = queue.popleft()
            kids = sorted(children.get(key, ()), key=lambda k: (-size[k], order(k)))
            hidden = 0
            for index, kid in enumerate(kids):
                if index < GRAPH_CHILDREN and budget > 1:
                    add(kid, ids[key])
                    queue.append(kid)
                else:
                    hidden += size[kid]
            if hidden:
                more = f"m{len(graph_nodes)}"
                graph_nodes.append(GraphNode(more, f"+{hidden} more", more=hidden))
                edges.append((ids[key], more))
                under_more += hidden
    people = sum(size[r] for r in roots)
    return Graph(
        tuple(graph_nodes), tuple(edges), people, len(ids), under_more, groups_left, people_left
    )


def introductions_made(
    network: Network, resolver: Resolver | None = None, scan: LogScan | None = None
) -> list[IntroMade]:
    """Log entries tagged #intro that link two people, newest first, each once.

    An entry tagged #got (and not #gave) is someone introducing *you*: introduced_by
    records that, so it is not counted. The two people are the first two linked, or the
    note's person and the one linked.
    """
    seen: set[tuple[dt.date, frozenset[str]]] = set()
    made: list[IntroMade] = []
    for person, entry in (scan or scan_logs(network)).intros:
        tags = entry.tags
        if "got" in tags and "gave" not in tags:
            continue
        if resolver is None:  # built on first need: most vaults log few introductions
            resolver = person_resolver(network)
        linked: list[str] = []
        for target in entry.links:
            match = resolver.resolve(target)
            if match is not None and match.key not in linked:
                linked.append(match.key)
        if len(linked) >= 2:
            pair = (linked[0], linked[1])
        elif len(linked) == 1 and linked[0] != person.key:
            pair = (person.key, linked[0])
        else:
            continue
        key = (entry.date, frozenset(pair))
        if key in seen:
            continue  # the same introduction logged in both people's notes
        seen.add(key)
        first, second = network.by_key[pair[0]], network.by_key[pair[1]]
        made.append(
            IntroMade(entry.date, first, second, brief(entry.summary), entry.source, entry.line)
        )
    made.sort(key=lambda m: (-m.date.toordinal(), m.first.sort_name, m.second.sort_name))
    return made


# --- Reciprocity ------------------------------------------------------------------------


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
        return _text_only(self.entry)

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


def _text_only(entry: Interaction) -> str:
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
        gave = got = ask = 0
        for entry in entries:
            tags = entry.tags
            gave += "gave" in tags
            got += "got" in tags
            ask += "ask" in tags
        if not (gave or got or ask):
            continue  # tagged, but with other tags only
        counted.append((person, entries, gave, got))
        if got:
            owed = thanks_owed(person, today, entries)
            if owed is not None:
                thanks.append(owed)
        if ask:
            asks.extend(open_asks(person, today, entries))

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

    newest = lambda o: (o.days, _order(o.person))  # noqa: E731
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


# --- The ladder -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TierHealth:
    """A tier's size and how well it is kept."""

    group: TierGroup
    overdue: int
    aiming_here: int  # active people below it whose target it is
    thin: bool  # fewer than THIN_TIER active members
    neglected: bool  # most members overdue

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

    @property
    def text(self) -> str:
        """The step as one line of plain text."""
        when = f" ({self.date.isoformat()})" if self.date else ""
        return f"{self.action}{when}: {self.detail}" if self.detail else self.action + when


@dataclass(frozen=True, slots=True)
class TierChange:
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


@dataclass(frozen=True, slots=True)
class YearOfChanges:
    """Promotions and demotions logged in one year."""

    year: int
    up: int
    down: int


@dataclass(frozen=True, slots=True)
class Ladder:
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
    last = next(
        (
            i
            for i in reversed(person.interactions)
            if i.kind and not i.mention and i.kind.casefold() not in NOT_CONTACT_KINDS
        ),
        None,
    )
    if last is not None and last.kind:
        return NextStep(person, "again", f"another {last.kind}", brief(_text_only(last)), last.date)
    return NextStep(person, "again", "get in touch")


def brief(text: str, limit: int = 100) -> str:
    """Text for a table: links reduced to what they show, cut at ``limit`` characters."""
    text = WIKILINK.sub(lambda m: parse_link(m[2]).text, text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
    tiers = []
    for group in network.tiers:
        members = len(group.members)
        tiers.append(
            TierHealth(
                group,
                group.overdue,
                aiming.get(group.tier.rank, 0),
                thin=members < THIN_TIER,
                neglected=members > 0 and group.overdue * 2 > members,
            )
        )
    # Highest targets first; within one, whoever has gone quiet longest (never: first).
    upgrades.sort(
        key=lambda p: (
            p.target_tier.rank if p.target_tier else 0,
            p.tier.rank,
            p.last_contact.toordinal() if p.last_contact else 0,
            p.sort_name,
            p.path,
        )
    )
    steps = tuple(next_step(p, today) for p in upgrades[:MAX_ROWS])
    changes.sort(key=lambda c: (-c.date.toordinal(), c.person.sort_name))
    years: dict[int, list[int]] = {}
    for change in changes:
        counts = years.setdefault(change.date.year, [0, 0])
        if change.direction == "up":
            counts[0] += 1
        elif change.direction == "down":
            counts[1] += 1
    return Ladder(
        tiers=tuple(tiers),
        upgrades=steps,
        upgrades_total=len(upgrades),
        changes=tuple(changes[:MAX_ROWS]),
        changes_total=len(changes),
        years=tuple(
            YearOfChanges(y, up, down) for y, (up, down) in sorted(years.items(), reverse=True)
        ),
    )


def parse_tier_change(person: Person, entry: Interaction, config: Config) -> TierChange | None:
    """``supporter → advocate`` (also ``->``, ``=>``); anything after the new tier is a note."""
    parts = _ARROW.split(entry.text.strip(), maxsplit=1)
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


# --- The digest's additions -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestExtras:
    """What the follow-up digest adds: moves to congratulate, thanks owed, upgrades due."""

    recent_moves: tuple[Move, ...]
    thanks_owed: tuple[Owed, ...]
    upgrade_due: tuple[NextStep, ...]


UPGRADE_DUE_BUCKETS = ("overdue", "due_soon", "never_contacted")


def _in_digest(person: Person) -> bool:
    return person.active and person.followup.bucket != "snoozed"


def digest_extras(
    network: Network,
    companies: CompanyIndex | None = None,
    reciprocity: Reciprocity | None = None,
) -> DigestExtras:
    """The digest's additions; pass what is already computed to avoid doing it twice.

    - recent moves you have not been in touch about: no contact after the move's date;
    - thank-yous owed for help received in the last THANKS_DIGEST_DAYS days;
    - upgrade-plan people who are overdue, due within 7 days, or never contacted.

    Archived and snoozed people are left out, as from the rest of the digest.
    """
    if companies is None and _last and _last[0][0] is network:
        return _last[0][1].digest_extras
    today = network.today
    companies = companies or build_companies(network)
    moves = tuple(
        m
        for m in companies.moves
        if _in_digest(m.person)
        and (m.person.last_contact is None or m.person.last_contact <= m.date)
    )
    if reciprocity is not None:
        owed: Iterable[Owed] = reciprocity.thanks_owed
    else:
        owed = (o for p in network.people if p.active and (o := thanks_owed(p, today)) is not None)
    thanks = sorted(
        (o for o in owed if _in_digest(o.person) and o.days <= THANKS_DIGEST_DAYS),
        key=lambda o: (o.days, _order(o.person)),
    )
    due = [
        p
        for bucket in UPGRADE_DUE_BUCKETS
        for p in network.digest.bucket(bucket)  # type: ignore[arg-type]
        if aiming_higher(p)
    ]
    return DigestExtras(moves, tuple(thanks), tuple(next_step(p, today) for p in due))


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


def digest_extras_text(extras: DigestExtras, today: dt.date) -> list[str]:
    """The digest's additions as plain-text lines for ``vaultnet digest --format text``."""
    lines: list[str] = []
    if extras.recent_moves:
        lines += ["", "Moves to catch up on (congratulate them):"]
        lines += [
            f"  {m.person.name} {m.summary} ({short_date(m.date, today)})"
            for m in extras.recent_moves
        ]
    if extras.thanks_owed:
        lines += ["", "Thank-yous owed:"]
        for owed in extras.thanks_owed:
            item = owed.exchange
            lines.append(f"  {owed.person.name}: {short_date(item.date, today)} · {item.brief}")
    if extras.upgrade_due:
        lines += ["", "Moving up, due now:"]
        for step in extras.upgrade_due:
            target = step.person.target_tier.name if step.person.target_tier else "?"
            lines.append(f"  {step.person.name} ({step.person.tier.name} → {target}): {step.text}")
    return lines


# --- Everything, for the pages ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Insights:
    """Everything the insight pages show."""

    introductions: Introductions
    companies: CompanyIndex
    ladder: Ladder
    reciprocity: Reciprocity
    digest_extras: DigestExtras
    max_rows: int = MAX_ROWS  # the most rows a table shows; pages say what they left out
    move_days: int = RECENT_MOVE_DAYS


# The last network's insights: a build renders the pages and then writes the digest JSON
# from the same network, so both share one computation. Identity, not equality: a
# Network is never changed once built.
_last: list[tuple[Network, Insights]] = []


def compute_insights(network: Network) -> Insights:
    """Compute every insight page's content from the network."""
    if _last and _last[0][0] is network:
        return _last[0][1]
    scan = scan_logs(network)
    companies = build_companies(network, scan.moved)
    reciprocity = build_reciprocity(network, scan)
    insights = Insights(
        introductions=build_introductions(network, scan=scan),
        companies=companies,
        ladder=build_ladder(network, scan),
        reciprocity=reciprocity,
        digest_extras=digest_extras(network, companies, reciprocity),
    )
    _last[:] = [(network, insights)]
    return insights


def insight_jobs(insights: Insights) -> list[tuple[str, str, dict[str, Any]]]:
    """The insight pages as render jobs: (page path, template, extra context)."""
    jobs: list[tuple[str, str, dict[str, Any]]] = [
        ("Introductions.md", "introductions.md.j2", {}),
        ("Companies.md", "companies.md.j2", {}),
        ("Ladder.md", "ladder.md.j2", {}),
        ("Reciprocity.md", "reciprocity.md.j2", {}),
    ]
    for company in insights.companies.with_pages:
        assert company.ref.page is not None
        jobs.append((company.ref.page, "company.md.j2", {"company": company}))
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
