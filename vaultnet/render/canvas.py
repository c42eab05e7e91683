"""``Introductions.canvas``: who introduced you to whom, as a JSON Canvas 1.0 file. Pure.

One node per person (a file node opening their note; a text node for an introducer without
one), "You" at the left, a column per introduction depth (people you met directly, people
they introduced, ...), a group per tier (a band across the columns), and an edge from each
introducer to each person they introduced, labelled with the date they met. The layout is
a grid of fixed-size boxes with integer geometry, so no two boxes overlap and the same notes
give the same file. Chains follow the first ``introduced_by`` of a note, as in
Introductions.md.

``_Tree`` is a named tuple, not a dataclass: a class made at import in a fifth of the time
(docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections import deque
from collections.abc import Iterable
from typing import Any, NamedTuple

from vaultnet.errors import UsageError
from vaultnet.model.network import Network, Person
from vaultnet.render.page import CANVAS_MARK_ID
from vaultnet.source.links import fold

CANVAS_PAGE = "Introductions.canvas"  # under the output folder
MAX_NODES = 200  # the default of canvas_max_nodes

NODE_W, NODE_H = 260, 60  # a person's box
ROW_GAP = 20  # between boxes of one column
SUB_GAP = 40  # between the sub-columns of a crowded cell
COLUMN_GAP = 180  # between depths: room for the edge labels
ROWS = 8  # boxes a column of one tier holds before it wraps into another sub-column
PAD = 30  # inside a group, around its boxes
BAND_GAP = 80  # between groups: room for a group's label above it
YOU_W, YOU_H = 160, 80
MARK_W, MARK_H = 520, 100
# Preset canvas colours ("1" red ... "6" purple), strongest tier first.
TIER_COLORS = ("6", "4", "5", "3", "2", "1")
NO_NOTE = "no note"  # the band of introducers without a note


class _Node(NamedTuple):
    """Someone on the canvas: a person with a note, or an introducer's name without one.
    (A named tuple: one is made per person on every build that draws the canvas.)"""

    key: str
    name: str
    person: Person | None


class _Tree(NamedTuple):
    """Who is on the canvas, each one's introducer and depth, in the order they are placed."""

    nodes: dict[str, _Node]
    parent: dict[str, str]  # drawn edges only: loops are cut at their strongest member
    depth: dict[str, int]  # 1: met directly
    order: list[str]  # breadth first from "You", the ladder's order within a level


def shown_of(p: Person) -> tuple[object, ...]:
    """What the canvas shows of a person."""
    return (p.key, p.name, p.path, p.tier, p.met, p.introduced_by, p.archived)


def same_canvas(old: Network, new: Network) -> bool:
    """Whether ``new`` gives the canvas ``old`` gave: the same settings, and the same people
    (a person left unchanged by a rebuild is the very same object) with the same names,
    notes, tiers, met dates, introducers and status."""
    if (old.config.tiers, old.config.canvas_max_nodes) != (
        new.config.tiers,
        new.config.canvas_max_nodes,
    ):
        return False
    patch = new.patch
    if patch is not None and patch.base() is old:
        # Everyone else is the very same person, in the same place: only look at those
        # the network was patched for (a watcher's rebuild after a few edits).
        return all(shown_of(before) == shown_of(now) for before, now in patch.replaced)
    if len(old.people) != len(new.people) or len(old.active) != len(new.active):
        return False
    if all(map(operator.is_, old.people, new.people)):
        return True
    pairs = zip(old.people, new.people, strict=True)
    return all(a is b or shown_of(a) == shown_of(b) for a, b in pairs)


def _introducers(network: Network) -> tuple[dict[str, _Node], dict[str, str]]:
    """Every person and named introducer, and each one's first introducer (a key)."""
    nodes: dict[str, _Node] = {}
    parent: dict[str, str] = {}
    for person in network.people:
        nodes.setdefault(person.key, _Node(person.key, person.name, person))
        for ref in person.introduced_by:
            if ref.person == person.key:
                continue
            key = ref.person or "name:" + fold(ref.text)
            if key not in nodes:
                known = network.by_key.get(key) if ref.person else None
                name = known.name if known else ref.text
                nodes[key] = _Node(key, name, known)
            parent[person.key] = key
            break
    return nodes, parent


def _tree(network: Network, keep: Iterable[str] | None = None) -> _Tree:
    """The introduction forest over the active people and everyone above them in a chain
    (or over ``keep`` only), its loops cut so that every node has a depth."""
    nodes, parent = _introducers(network)
    if keep is None:
        wanted: set[str] = set()
        for person in network.active:
            key: str | None = person.key
            while key is not None and key not in wanted:
                wanted.add(key)
                key = parent.get(key)
    else:
        wanted = set(keep)
    rank = {person.key: index for index, person in enumerate(network.people)}
    names = sorted((k for k in wanted if k not in rank), key=lambda k: (nodes[k].name, k))
    for index, key in enumerate(names, len(rank)):
        rank[key] = index
    parent = {k: up for k, up in parent.items() if k in wanted and up in wanted}
    children: dict[str, list[str]] = {}
    for child in sorted(parent, key=rank.__getitem__):
        children.setdefault(parent[child], []).append(child)
    depth: dict[str, int] = {}
    order: list[str] = []
    pending = sorted(wanted, key=rank.__getitem__)
    roots = [k for k in pending if k not in parent]
    while True:
        queue = deque(roots)
        for root in roots:
            depth[root] = 1
        while queue:
            key = queue.popleft()
            order.append(key)
            for kid in children.get(key, ()):
                if kid not in depth:
                    depth[kid] = depth[key] + 1
                    queue.append(kid)
        # What is left is in a loop of introduced_by: its strongest member starts it.
        left = [k for k in pending if k not in depth]
        if not left:
            break
        del parent[left[0]]
        children = {up: [k for k in kids if k != left[0]] for up, kids in children.items()}
        roots = [left[0]]
    return _Tree({k: nodes[k] for k in wanted}, parent, depth, order)


def _neighbourhood(network: Network, center: Person) -> set[str]:
    """``center``, everyone above them in their chain, and everyone they brought in."""
    parent = _introducers(network)[1]
    keep = {center.key}
    key = parent.get(center.key)
    while key is not None and key not in keep:
        keep.add(key)
        key = parent.get(key)
    below: dict[str, list[str]] = {}
    for child, up in parent.items():
        below.setdefault(up, []).append(child)
    queue = deque([center.key])
    while queue:
        for kid in below.get(queue.popleft(), ()):
            if kid not in keep:
                keep.add(kid)
                queue.append(kid)
    return keep


def center_person(network: Network, name: str) -> Person:
    """The person ``name`` (a name, alias, file name or path) means; UsageError if nobody
    or more than one person."""
    from vaultnet.insights.companies import person_resolver

    keys = person_resolver(network).all_matches(name)
    if not keys:
        raise UsageError(f"no person matches {name!r}: give a name, an alias or the note's path")
    if len(keys) > 1:
        paths = ", ".join(network.by_key[k].path for k in keys)
        raise UsageError(f"{name!r} matches {len(keys)} people: {paths}; use the note's path")
    return network.by_key[keys[0]]


def _node_id(key: str, used: set[str]) -> str:
    """A stable id for ``key``: the same on every build, unique on the canvas."""
    base = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
    node_id, suffix = base, 1
    while node_id in used:
        node_id, suffix = f"{base}-{suffix}", suffix + 1
    used.add(node_id)
    return node_id


def introductions_canvas(
    network: Network,
    max_nodes: int = MAX_NODES,
    center: Person | None = None,
    more_hint: str = "Raise canvas_max_nodes in vaultnet.toml to draw more.",
) -> dict[str, list[dict[str, Any]]]:
    """The canvas as JSON data: every person in ``network`` (or ``center``'s neighbourhood)
    up to ``max_nodes`` boxes; a text node counts the people left out (``more_hint`` says
    how to draw them)."""
    tree = _tree(network, _neighbourhood(network, center) if center is not None else None)
    # People in a chain first (breadth first, so an introducer always comes before the
    # people they introduced), then the people met directly who introduced nobody.
    in_chain = set(tree.parent) | set(tree.parent.values())
    chosen = [k for k in tree.order if k in in_chain] + [k for k in tree.order if k not in in_chain]
    shown = chosen[:max_nodes]
    left_out = len(chosen) - len(shown)
    placed = set(shown)

    tiers = network.config.tiers
    bands: list[str] = [t.name for t in tiers] + [NO_NOTE]
    band_of = {k: _band(tree.nodes[k]) for k in shown}
    cells: dict[tuple[str, int], list[str]] = {}
    for key in shown:
        cells.setdefault((band_of[key], tree.depth[key]), []).append(key)
    depths = sorted({tree.depth[k] for k in shown})
    used_bands = [b for b in bands if any((b, d) in cells for d in depths)]

    def sub_columns(count: int) -> int:
        return -(-count // ROWS)

    column_w = {
        d: max(sub_columns(len(cells.get((b, d), []))) for b in used_bands) * (NODE_W + SUB_GAP)
        - SUB_GAP
        for d in depths
    }
    band_h = {
        b: max(min(len(cells.get((b, d), [])), ROWS) for d in depths) * (NODE_H + ROW_GAP) - ROW_GAP
        for b in used_bands
    }
    left = YOU_W + COLUMN_GAP
    column_x: dict[int, int] = {}
    x = left
    for d in depths:
        column_x[d] = x
        x += column_w[d] + COLUMN_GAP
    right = x - COLUMN_GAP
    top = MARK_H + BAND_GAP
    band_y: dict[str, int] = {}
    y = top
    for b in used_bands:
        band_y[b] = y
        y += band_h[b] + 2 * PAD + BAND_GAP
    bottom = y - BAND_GAP

    used_ids = {CANVAS_MARK_ID, "you"}
    if center is None:
        mark_text = (
            "Generated by vaultnet from your notes: edits here are replaced on the next "
            "build. Copy the file out of the output folder to keep a layout of your own."
        )
    else:
        mark_text = (
            f"Generated by vaultnet: the introductions around {center.name}. Exporting "
            "again to this file replaces it."
        )
    nodes: list[dict[str, Any]] = [
        _text_node(CANVAS_MARK_ID, 0, 0, MARK_W, MARK_H, mark_text),
    ]
    color = {t.name: TIER_COLORS[t.rank % len(TIER_COLORS)] for t in tiers}
    titles = {t.name: t.title for t in tiers}
    for b in used_bands:
        group: dict[str, Any] = {
            "id": _node_id("group:" + b, used_ids),
            "type": "group",
            "x": left - PAD,
            "y": band_y[b],
            "width": right - left + 2 * PAD,
            "height": band_h[b] + 2 * PAD,
            "label": titles.get(b, "No note"),
        }
        if b in color:
            group["color"] = color[b]
        nodes.append(group)
    you_y = top + (bottom - top - YOU_H) // 2 if used_bands else top
    nodes.append(_text_node("you", 0, you_y, YOU_W, YOU_H, "**You**"))
    ids: dict[str, str] = {}
    for (b, d), keys in sorted(cells.items(), key=lambda c: (bands.index(c[0][0]), c[0][1])):
        for index, key in enumerate(keys):
            column, row = divmod(index, ROWS)
            nx = column_x[d] + column * (NODE_W + SUB_GAP)
            ny = band_y[b] + PAD + row * (NODE_H + ROW_GAP)
            node_id = ids[key] = _node_id(key, used_ids)
            person = tree.nodes[key].person
            if person is None:
                nodes.append(_text_node(node_id, nx, ny, NODE_W, NODE_H, tree.nodes[key].name))
                continue
            nodes.append(
                {
                    "id": node_id,
                    "type": "file",
                    "x": nx,
                    "y": ny,
                    "width": NODE_W,
                    "height": NODE_H,
                    "color": color[b],
                    "file": person.path,
                }
            )
    if left_out:
        nodes.append(
            _text_node(
                _node_id("more", used_ids),
                0,
                bottom + BAND_GAP,
                MARK_W,
                MARK_H,
                f"And {left_out} more not shown: this canvas draws at most {max_nodes} "
                f"people. {more_hint}",
            )
        )

    edges: list[dict[str, Any]] = []
    for key in shown:
        up = tree.parent.get(key)
        if up is None:
            if key in in_chain and tree.depth[key] == 1:
                edges.append(_edge("you", ids[key], tree.nodes[key].person))
            continue
        if up in placed:
            edges.append(_edge(ids[up], ids[key], tree.nodes[key].person))
    for index, edge in enumerate(edges):
        edge["id"] = f"e{index}"
    return {"nodes": nodes, "edges": edges}


def _band(node: _Node) -> str:
    """The band (a tier's name) a node is drawn in."""
    return node.person.tier.name if node.person is not None else NO_NOTE


def _text_node(node_id: str, x: int, y: int, w: int, h: int, text: str) -> dict[str, Any]:
    return {"id": node_id, "type": "text", "x": x, "y": y, "width": w, "height": h, "text": text}


def _edge(source: str, target: str, person: Person | None) -> dict[str, Any]:
    """An edge from introducer to introduced, labelled with the day they met."""
    edge: dict[str, Any] = {
        "id": "",
        "fromNode": source,
        "fromSide": "right",
        "toNode": target,
        "toSide": "left",
    }
    if person is not None and person.met is not None:
        edge["label"] = person.met.isoformat()
    return edge


def canvas_text(canvas: dict[str, list[dict[str, Any]]]) -> str:
    """The canvas as a file: one node or edge a line, the mark node first (output.py)."""

    def block(items: list[dict[str, Any]]) -> str:
        if not items:
            return "[]"
        lines = ",\n".join("\t" + json.dumps(i, ensure_ascii=False) for i in items)
        return "[\n" + lines + "\n]"

    return '{"nodes":' + block(canvas["nodes"]) + ',\n"edges":' + block(canvas["edges"]) + "}\n"
