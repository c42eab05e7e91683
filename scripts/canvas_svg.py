#!/usr/bin/env python3
"""Draw a JSON Canvas file (such as Introductions.canvas) as SVG, to look at it without
Obsidian: the tests check the drawing, and the docs' picture is made with it.

Usage:  python scripts/canvas_svg.py FILE.canvas [-o FILE.svg]

Groups are drawn first with their label above them, then text and file nodes (a file node
shows the file's name), then the edges as curves from side to side with an arrow and their
label. Every shape carries ``data-id``: the node's or edge's id.
"""

from __future__ import annotations

import argparse
import json
import sys
from html import escape
from pathlib import Path
from typing import Any

# Obsidian's preset colours, roughly as its light theme draws them.
PRESETS = {
    "1": "#e93147",
    "2": "#ec7500",
    "3": "#e0ac00",
    "4": "#08b94e",
    "5": "#00bfbc",
    "6": "#7852ee",
}
GREY = "#7f7f7f"
MARGIN = 60
FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'"


def color_of(item: dict[str, Any]) -> str:
    """The colour of a node or edge: a preset number or a hex colour, else grey."""
    value = str(item.get("color", ""))
    return PRESETS.get(value, value if value.startswith("#") else GREY)


def label_of(node: dict[str, Any]) -> str:
    """What a node shows: its text (markup stripped), its file's name, its link or label."""
    if node["type"] == "file":
        name = str(node["file"]).rsplit("/", 1)[-1]
        return name[:-3] if name.endswith(".md") else name
    if node["type"] == "link":
        return str(node["url"])
    if node["type"] == "group":
        return str(node.get("label", ""))
    return str(node.get("text", "")).replace("**", "").replace("*", "")


def _wrap(text: str, width: int, size: int) -> list[str]:
    """Lines of ``text`` that fit ``width`` pixels at ``size`` (about 0.58 em a character)."""
    per_line = max(int(width / (size * 0.58)), 4)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) > per_line:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines


def _side(node: dict[str, Any], side: str) -> tuple[float, float]:
    x, y, w, h = node["x"], node["y"], node["width"], node["height"]
    return {
        "top": (x + w / 2, y),
        "bottom": (x + w / 2, y + h),
        "left": (x, y + h / 2),
        "right": (x + w, y + h / 2),
    }[side]


def render(canvas: dict[str, Any]) -> str:
    """The canvas as an SVG document."""
    nodes: list[dict[str, Any]] = canvas.get("nodes", [])
    edges: list[dict[str, Any]] = canvas.get("edges", [])
    if nodes:
        left = min(n["x"] for n in nodes) - MARGIN
        top = min(n["y"] for n in nodes) - MARGIN
        right = max(n["x"] + n["width"] for n in nodes) + MARGIN
        bottom = max(n["y"] + n["height"] for n in nodes) + MARGIN
    else:
        left, top, right, bottom = 0, 0, 2 * MARGIN, 2 * MARGIN
    width, height = right - left, bottom - top
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='{left} {top} {width} {height}'>",
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='8' "
        "markerHeight='8' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' "
        "fill='#555'/></marker></defs>",
        f"<rect x='{left}' y='{top}' width='{width}' height='{height}' fill='#fafafa'/>",
    ]
    by_id = {n["id"]: n for n in nodes}
    for node in nodes:
        if node["type"] != "group":
            continue
        color = color_of(node)
        out.append(
            f"<rect data-id='{escape(node['id'])}' x='{node['x']}' y='{node['y']}' "
            f"width='{node['width']}' height='{node['height']}' rx='12' fill='{color}' "
            f"fill-opacity='0.08' stroke='{color}' stroke-width='2'/>"
        )
        out.append(
            f"<text x='{node['x'] + 4}' y='{node['y'] - 12}' font-size='26' {FONT} "
            f"font-weight='bold' fill='{color}'>{escape(label_of(node))}</text>"
        )
    for edge in edges:
        source, target = by_id[edge["fromNode"]], by_id[edge["toNode"]]
        x1, y1 = _side(source, edge.get("fromSide", "right"))
        x2, y2 = _side(target, edge.get("toSide", "left"))
        bend = max(abs(x2 - x1) / 2, 40)
        color = color_of(edge) if "color" in edge else "#555"
        end = " marker-end='url(#arrow)'" if edge.get("toEnd", "arrow") == "arrow" else ""
        out.append(
            f"<path data-id='{escape(edge['id'])}' d='M{x1},{y1} C{x1 + bend},{y1} "
            f"{x2 - bend},{y2} {x2},{y2}' fill='none' stroke='{color}' stroke-width='2'{end}/>"
        )
        if edge.get("label"):
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            text = escape(str(edge["label"]))
            box = len(text) * 8 + 12
            out.append(
                f"<rect x='{mx - box / 2}' y='{my - 12}' width='{box}' height='22' rx='4' "
                "fill='#ffffff' fill-opacity='0.9'/>"
            )
            out.append(
                f"<text x='{mx}' y='{my + 4}' font-size='14' {FONT} fill='#333' "
                f"text-anchor='middle'>{text}</text>"
            )
    for node in nodes:
        if node["type"] == "group":
            continue
        color = color_of(node)
        x, y, w, h = node["x"], node["y"], node["width"], node["height"]
        out.append(
            f"<rect data-id='{escape(node['id'])}' x='{x}' y='{y}' width='{w}' height='{h}' "
            f"rx='8' fill='#ffffff' stroke='{color}' stroke-width='2'/>"
        )
        size = 18 if node["type"] == "file" else 16
        lines = _wrap(label_of(node), w - 20, size)
        lines = lines[: max((h - 10) // (size + 4), 1)]
        first = y + h / 2 - (len(lines) - 1) * (size + 4) / 2 + size / 3
        for index, line in enumerate(lines):
            out.append(
                f"<text x='{x + w / 2}' y='{first + index * (size + 4)}' font-size='{size}' "
                f"{FONT} fill='#222' text-anchor='middle'>{escape(line)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python scripts/canvas_svg.py", description="Draw a JSON Canvas file as SVG."
    )
    parser.add_argument("canvas", type=Path)
    parser.add_argument("-o", "--output", type=Path, help="the SVG file (default: stdout)")
    args = parser.parse_args(argv)
    svg = render(json.loads(args.canvas.read_text(encoding="utf-8")))
    if args.output:
        args.output.write_text(svg, encoding="utf-8")
    else:
        sys.stdout.write(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
