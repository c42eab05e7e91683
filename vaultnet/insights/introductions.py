"""Introductions: who introduced you to whom, as chains, a graph and ranked connectors. Pure.

Its values are named tuples, not dataclasses: a class made at import in a fifth of the time
(docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import deque
from collections.abc import Callable
from typing import NamedTuple

from vaultnet.insights.companies import person_resolver
from vaultnet.insights.logscan import (
    GRAPH_CHILDREN,
    GRAPH_NODES,
    MAX_CHAIN_NODES,
    MAX_CHAINS,
    MAX_CONNECTORS,
    MAX_ROWS,
    LogScan,
    brief,
    scan_logs,
)
from vaultnet.model.network import Interaction, Network, Person
from vaultnet.source.links import Resolver, fold


class Introducer(NamedTuple):
    """Someone in an introduction chain: a person with a note, or a name without one."""

    key: str
    name: str
    person: Person | None


class Chain(NamedTuple):
    """How you came to know someone: first introducer first, the person last."""

    nodes: tuple[Introducer, ...]
    skipped: int = 0  # people left out of the middle of a long chain (after the second)
    cycle: bool = False  # the first node was in a loop of introduced_by: the chain starts there

    @property
    def length(self) -> int:
        return len(self.nodes) + self.skipped


class Connector(NamedTuple):
    """Someone who brought you people: directly, and through the people they introduced."""

    node: Introducer
    direct: tuple[Person, ...]
    total: int

    @property
    def through(self) -> int:
        return self.total - len(self.direct)


class GraphNode(NamedTuple):
    """A box of the introductions graph. ``more`` > 0 marks a "+N more" box."""

    id: str
    label: str
    person: Person | None = None
    more: int = 0

    @property
    def linkable(self) -> bool:
        """Whether Obsidian can open the note from the box (its label is the link target)."""
        return self.person is not None and self.person.link == self.label


class Graph(NamedTuple):
    """The introductions graph, trimmed to stay legible; the counts say what was left out."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[str, str], ...]
    people: int  # people in introduction chains
    shown: int  # of them, drawn as their own box
    under_more: int  # drawn only as part of a "+N more" box
    groups_left_out: int  # whole introduction trees not drawn
    people_left_out: int


class IntroMade(NamedTuple):
    """An introduction you made: a log entry tagged #intro linking two people."""

    date: dt.date
    first: Person
    second: Person
    text: str
    source: str
    line: int


class Introductions(NamedTuple):
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


def update_introductions(
    previous: Introductions, network: Network, scan: LogScan
) -> Introductions | None:
    """``build_introductions(network, scan=scan)``, made from ``previous`` (the introductions
    of the network ``network`` was patched from), or None when that cannot be done safely.

    Returns None when ``network`` is not a patch, or when a person rebuilt may have changed
    what introductions read: their introducers, their #intro log entries, or the names and
    aliases links resolve against. Otherwise the only change is who the rebuilt people are:
    they replace their old selves wherever ``previous`` holds them, and ``previous`` itself
    is returned when it holds none. The cost follows the people rebuilt and the capped
    lists, not the size of the network. ``scan`` is not read: #intro entries are compared
    on the rebuilt people themselves.
    """
    patch = network.patch
    if patch is None:
        return None
    swap: dict[Person, Person] = {}
    for before, now in patch.replaced:
        if not _same_for_introductions(before, now):
            return None
        swap[before] = now
    if not swap:
        return previous
    introducers: dict[str, Introducer] = {}

    def introducer(node: Introducer) -> Introducer:
        """The node with its person's new self, or the node itself when they were not rebuilt."""
        now = swap.get(node.person) if node.person is not None else None
        if now is None:
            return node
        new = introducers.get(node.key)
        if new is None:
            # One new node per person, shared like build_introductions shares its nodes.
            new = introducers[node.key] = node._replace(person=now)
        return new

    def swapped(nodes: tuple[Introducer, ...]) -> tuple[Introducer, ...]:
        """The nodes brought up to date: the same tuple when none changed."""
        new = tuple(map(introducer, nodes))
        return nodes if all(a is b for a, b in zip(new, nodes, strict=True)) else new

    chains = tuple(
        chain if (nodes := swapped(chain.nodes)) is chain.nodes else chain._replace(nodes=nodes)
        for chain in previous.chains
    )
    connectors = _swapped_connectors(previous.connectors, swap, introducer)
    if connectors is None:
        return None
    graph_nodes = tuple(
        node._replace(person=swap[node.person])
        if node.person is not None and node.person in swap
        else node
        for node in previous.graph.nodes
    )
    made = tuple(
        m._replace(first=swap.get(m.first, m.first), second=swap.get(m.second, m.second))
        if m.first in swap or m.second in swap
        else m
        for m in previous.made
    )
    cycles = tuple(map(swapped, previous.cycles))
    if (
        _same_items(chains, previous.chains)
        and _same_items(connectors, previous.connectors)
        and _same_items(graph_nodes, previous.graph.nodes)
        and _same_items(made, previous.made)
        and _same_items(cycles, previous.cycles)
    ):
        return previous
    return previous._replace(
        chains=chains,
        connectors=connectors,
        graph=previous.graph._replace(nodes=graph_nodes),
        made=made,
        cycles=cycles,
    )


def _same_for_introductions(before: Person, now: Person) -> bool:
    """Whether build_introductions reads the same from ``now`` as from ``before``.

    It reads the key, name and ladder place (node names and every order), the introducers,
    the aliases (the #intro entries' links resolve against names and aliases) and the
    #intro entries, whose date, text, source and line rows show.
    """
    return (
        before.key == now.key
        and before.name == now.name
        and before.ladder_key == now.ladder_key
        and before.aliases == now.aliases
        and before.introduced_by == now.introduced_by
        and _intro_entries(before) == _intro_entries(now)
    )


def _intro_entries(person: Person) -> tuple[Interaction, ...]:
    """The person's log entries tagged #intro, as scan_logs finds them."""
    return tuple(entry for entry in person.notable if "intro" in entry.tags)


def _introducer_keys(person: Person) -> list[str]:
    """The keys of the nodes whose ``direct`` list holds ``person`` (build_introductions)."""
    return [
        ref.person or "name:" + fold(ref.text)
        for ref in person.introduced_by
        if ref.person != person.key
    ]


def _swapped_connectors(
    connectors: tuple[Connector, ...],
    swap: dict[Person, Person],
    introducer: Callable[[Introducer], Introducer],
) -> tuple[Connector, ...] | None:
    """The connectors with rebuilt people in place of their old selves, or None if one of
    them is not where it should be."""
    # A person is in the direct list of each of their introducers; those lists are in ladder
    # order, so the person is found by bisection rather than by reading lists that can hold
    # thousands of people.
    brought: dict[str, list[tuple[Person, Person]]] = {}
    for before, now in swap.items():
        for key in _introducer_keys(now):
            pairs = brought.setdefault(key, [])
            if not pairs or pairs[-1][1] is not now:
                pairs.append((before, now))
    result: list[Connector] = []
    for connector in connectors:
        node = introducer(connector.node)
        direct = connector.direct
        moved = brought.get(connector.node.key)
        if moved:
            people = list(direct)
            for before, now in moved:
                at = bisect.bisect_left(people, now.ladder_key, key=_ladder_key)
                if at == len(people) or people[at] is not before:
                    return None
                people[at] = now
            direct = tuple(people)
        if node is connector.node and direct is connector.direct:
            result.append(connector)
        else:
            result.append(connector._replace(node=node, direct=direct))
    return tuple(result)


def _ladder_key(person: Person) -> tuple[bool, int, str, str]:
    """The person's place in the ladder order (network.people), as a sort key."""
    return person.ladder_key


def _same_items(new: tuple[object, ...], old: tuple[object, ...]) -> bool:
    """Whether two tuples hold the very same objects."""
    return all(a is b for a, b in zip(new, old, strict=True))


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
        folder = entry.source.rpartition("/")[0]
        for target in entry.links:
            match = resolver.resolve(target, folder)
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
