"""People.base and Introductions.canvas: their formats, their layout, and drawing the canvas.

The canvas is drawn to SVG with scripts/canvas_svg.py (the script the docs' picture is made
with) and the drawing is checked: every node drawn, no two boxes overlapping.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from tests.conftest import ROOT, WriteNote
from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.dates import Duration
from vaultnet.pipeline.output import is_generated
from vaultnet.pipeline.request import BuildRequest
from vaultnet.render.bases import bases_duration, people_base

TODAY_ARGS = ["--today", "2026-11-26"]
TODAY = dt.date(2026, 11, 26)
# File properties of the Bases syntax (obsidian-help, Bases syntax and Functions).
FILE_PROPERTIES = {
    "name", "basename", "path", "folder", "ext", "size", "properties", "tags", "links",
    "ctime", "mtime", "embeds", "backlinks", "file",
}  # fmt: skip
# Front matter keys vaultnet reads (docs/notes.md, Fields).
NOTE_KEYS = {
    "name", "aliases", "tier", "target_tier", "company", "org", "role", "title", "history",
    "location", "email", "phone", "url", "linkedin", "tags", "met", "introduced_by",
    "knows", "last_contact", "cadence", "next_follow_up", "snooze_until", "status",
    "birthday", "type", "categories", "connected",
    # kept by `vaultnet properties` and [obsidian] properties (vaultnet.edit.properties.KEYS)
    "vaultnet_last_contact", "vaultnet_due", "vaultnet_bucket", "vaultnet_tier_rank",
}  # fmt: skip
# Words of the formula language that are not properties.
FORMULA_WORDS = {
    "if", "date", "today", "now", "list", "link", "true", "false", "null", "formula",
    "file", "note", "this",
}  # fmt: skip
CANVAS_COLORS = {"1", "2", "3", "4", "5", "6"}
SIDES = {"top", "right", "bottom", "left"}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _svg_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("canvas_svg", ROOT / "scripts" / "canvas_svg.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def chains(vault: Path, write: WriteNote) -> Path:
    """Ann (met directly) introduced Bob, who introduced Cy; Dee came through "Pat Q"
    (no note); Eve and Flo introduced each other (a loop); Gus was met directly."""
    write("People/Ann.md", "---\ntier: champion\nmet: 2020-01-01\n---\n")
    write("People/Bob.md", '---\ntier: advocate\nintroduced_by: "[[Ann]]"\nmet: 2021-02-03\n---\n')
    write("People/Cy.md", '---\ntier: supporter\nintroduced_by: "[[Bob]]"\nmet: 2022-03-04\n---\n')
    write("People/Dee.md", "---\ntier: supporter\nintroduced_by: Pat Q\n---\n")
    write("People/Eve.md", '---\ntier: acquaintance\nintroduced_by: "[[Flo]]"\n---\n')
    write("People/Flo.md", '---\ntier: acquaintance\nintroduced_by: "[[Eve]]"\n---\n')
    write("People/Gus.md", "---\ntier: champion\nlast_contact: 2026-11-01\n---\n")
    return vault


def _canvas(vault: Path) -> dict[str, Any]:
    result = run("build", vault, *TODAY_ARGS)
    assert result.exit_code == 0, result.output
    path = vault / "Network" / "Introductions.canvas"
    assert is_generated(path)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def check_spec(canvas: dict[str, Any], vault: Path) -> None:
    """JSON Canvas 1.0: the fields each node and edge must have, unique ids, integer
    geometry, edges between existing nodes, valid sides and colours; files in the vault."""
    assert set(canvas) <= {"nodes", "edges"}
    ids: set[str] = set()
    for node in canvas["nodes"]:
        assert isinstance(node["id"], str) and node["id"] not in ids, node
        ids.add(node["id"])
        for key in ("x", "y", "width", "height"):
            assert type(node[key]) is int, node
        assert node["width"] > 0 and node["height"] > 0
        assert node.get("color", "1") in CANVAS_COLORS, node
        kind = node["type"]
        allowed = {"id", "type", "x", "y", "width", "height", "color"}
        if kind == "text":
            assert isinstance(node["text"], str) and node["text"]
            allowed |= {"text"}
        elif kind == "file":
            assert (vault / node["file"]).is_file(), node["file"]
            allowed |= {"file", "subpath"}
        elif kind == "group":
            allowed |= {"label", "background", "backgroundStyle"}
        else:
            pytest.fail(f"node type {kind!r}")
        assert set(node) <= allowed, node
    edge_ids: set[str] = set()
    for edge in canvas["edges"]:
        assert isinstance(edge["id"], str) and edge["id"] not in edge_ids | ids, edge
        edge_ids.add(edge["id"])
        assert edge["fromNode"] in ids and edge["toNode"] in ids, edge
        assert edge.get("fromSide", "right") in SIDES and edge.get("toSide", "left") in SIDES
        assert edge.get("color", "1") in CANVAS_COLORS
        assert set(edge) <= {
            "id", "fromNode", "fromSide", "fromEnd", "toNode", "toSide", "toEnd", "color",
            "label",
        }  # fmt: skip


def _boxes(canvas: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in canvas["nodes"]}


def _by_file(canvas: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["file"]: n for n in canvas["nodes"] if n["type"] == "file"}


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def check_drawing(canvas: dict[str, Any]) -> None:
    """Draw the canvas as SVG and look at the drawing: every node and edge drawn, boxes
    apart, groups apart, every box inside at most one group and people inside theirs."""
    svg = _svg_module().render(canvas)
    root = ET.fromstring(svg)
    drawn: dict[str, tuple[float, ...]] = {}
    paths = set()
    for element in root.iter():
        shape_id = element.get("data-id")
        if shape_id is None:
            continue
        if element.tag.endswith("rect"):
            drawn[shape_id] = tuple(
                float(element.get(k, "0")) for k in ("x", "y", "width", "height")
            )
        elif element.tag.endswith("path"):
            paths.add(shape_id)
    nodes = _boxes(canvas)
    assert set(drawn) == set(nodes)
    assert paths == {e["id"] for e in canvas["edges"]}
    assert float(root.get("width", "0")) > 0 and float(root.get("height", "0")) > 0
    texts = "".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    for node in canvas["nodes"]:
        if node["type"] == "file":
            assert Path(node["file"]).stem in texts
    boxes = [(i, drawn[i]) for i, n in nodes.items() if n["type"] != "group"]
    groups = [(i, drawn[i]) for i, n in nodes.items() if n["type"] == "group"]
    for kind in (boxes, groups):
        for index, (a, box_a) in enumerate(kind):
            for b, box_b in kind[index + 1 :]:
                assert not _overlap(box_a, box_b), (nodes[a], nodes[b])
    for node_id, box in boxes:
        inside = [
            g
            for g, group in groups
            if group[0] <= box[0]
            and group[1] <= box[1]
            and box[0] + box[2] <= group[0] + group[2]
            and box[1] + box[3] <= group[1] + group[3]
        ]
        touching = [g for g, group in groups if _overlap(box, group)]
        assert touching == inside and len(inside) <= 1, nodes[node_id]
        if nodes[node_id]["type"] == "file":
            assert len(inside) == 1, nodes[node_id]


# --- Introductions.canvas ----------------------------------------------------------------------


def test_the_canvas_follows_the_spec_and_draws_without_overlaps(chains: Path) -> None:
    canvas = _canvas(chains)
    check_spec(canvas, chains)
    check_drawing(canvas)
    files = _by_file(canvas)
    assert set(files) == {
        f"People/{n}.md" for n in ("Ann", "Bob", "Cy", "Dee", "Eve", "Flo", "Gus")
    }
    # Nothing else but the mark, You, the groups and the introducer without a note.
    texts = [n["text"] for n in canvas["nodes"] if n["type"] == "text"]
    assert texts[0].startswith("Generated by vaultnet") and canvas["nodes"][0]["id"] == (
        "vaultnet-generated"
    )
    assert "**You**" in texts and "Pat Q" in texts
    labels = [n["label"] for n in canvas["nodes"] if n["type"] == "group"]
    assert labels == ["Champions", "Advocates", "Supporters", "Acquaintances", "No note"]


def test_columns_are_introduction_depths_and_edges_carry_the_met_date(chains: Path) -> None:
    canvas = _canvas(chains)
    files = _by_file(canvas)
    boxes = _boxes(canvas)
    x = {Path(f).stem: node["x"] for f, node in files.items()}
    assert x["Ann"] == x["Gus"] < x["Bob"] < x["Cy"]  # met directly, then 1 and 2 steps on
    assert x["Dee"] == x["Bob"]  # brought by a name without a note (depth 1)
    edges = {
        (
            boxes[e["fromNode"]].get("file", boxes[e["fromNode"]].get("text")),
            boxes[e["toNode"]].get("file"),
        ): e
        for e in canvas["edges"]
    }
    assert edges[("People/Ann.md", "People/Bob.md")]["label"] == "2021-02-03"
    assert edges[("People/Bob.md", "People/Cy.md")]["label"] == "2022-03-04"
    assert ("Pat Q", "People/Dee.md") in edges and "label" not in edges[("Pat Q", "People/Dee.md")]
    assert edges[("**You**", "People/Ann.md")]["label"] == "2020-01-01"
    # Gus introduced nobody: no edge from You. The loop Eve <-> Flo is cut once: one edge.
    assert ("**You**", "People/Gus.md") not in edges
    loop = [k for k in edges if k[1] in ("People/Eve.md", "People/Flo.md")]
    assert len(loop) == 2  # You -> the loop's first member, and that member -> the other
    for edge in canvas["edges"]:
        assert boxes[edge["fromNode"]]["x"] < boxes[edge["toNode"]]["x"]


def test_each_tier_is_a_coloured_group_in_ladder_order(chains: Path) -> None:
    canvas = _canvas(chains)
    groups = [n for n in canvas["nodes"] if n["type"] == "group"]
    assert [g["y"] for g in groups] == sorted(g["y"] for g in groups)
    files = _by_file(canvas)
    champions = groups[0]
    assert files["People/Ann.md"]["color"] == champions["color"]
    assert champions["y"] < files["People/Ann.md"]["y"] < champions["y"] + champions["height"]
    assert len({g.get("color") for g in groups[:4]}) == 4


def test_the_same_notes_give_the_same_canvas(chains: Path) -> None:
    first = (_canvas(chains), (chains / "Network" / "Introductions.canvas").read_bytes())
    again = run("build", chains, "--no-cache", *TODAY_ARGS)
    assert "0 written" in again.stdout
    assert (chains / "Network" / "Introductions.canvas").read_bytes() == first[1]


def test_a_large_network_is_cut_at_canvas_max_nodes_and_counted(
    vault: Path, write: WriteNote
) -> None:
    (vault / "vaultnet.toml").write_text("canvas_max_nodes = 25\n", encoding="utf-8")
    write("People/Root.md", "---\ntier: champion\n---\n")
    for index in range(40):
        up = "Root" if index < 5 else f"P{index % 5:02d}"
        write(
            f"People/P{index:02d}.md", f'---\ntier: acquaintance\nintroduced_by: "[[{up}]]"\n---\n'
        )
    for index in range(30):
        write(f"People/Q{index:02d}.md", "---\ntier: supporter\n---\n")
    canvas = _canvas(vault)
    check_spec(canvas, vault)
    check_drawing(canvas)
    files = _by_file(canvas)
    assert len(files) == 25
    # Chains first, introducers before the people they brought: every edge is whole.
    assert "People/Root.md" in files and not any(f.startswith("People/Q") for f in files)
    more = [n["text"] for n in canvas["nodes"] if n["type"] == "text" and "more" in n["text"]]
    assert more == [
        "And 46 more not shown: this canvas draws at most 25 people. Raise canvas_max_nodes "
        "in vaultnet.toml to draw more."
    ]
    boxes = _boxes(canvas)
    assert all(e["toNode"] in boxes and e["fromNode"] in boxes for e in canvas["edges"])


def test_the_sample_vault_canvas_is_valid_and_drawn(sample_vault: Path) -> None:
    canvas = _canvas(sample_vault)
    check_spec(canvas, sample_vault)
    check_drawing(canvas)
    active = [p for p in (sample_vault / "People").glob("*.md") if "archived" not in p.read_text()]
    assert len(_by_file(canvas)) >= len(active)


def test_export_canvas_center_shows_one_neighbourhood(chains: Path, tmp_path: Path) -> None:
    result = run("export", "canvas", chains, "--center", "Bob", *TODAY_ARGS)
    assert result.exit_code == 0, result.output
    canvas = json.loads(result.stdout)
    check_spec(canvas, chains)
    check_drawing(canvas)
    assert set(_by_file(canvas)) == {"People/Ann.md", "People/Bob.md", "People/Cy.md"}
    assert "around Bob" in canvas["nodes"][0]["text"]
    target = chains / "Bob.canvas"
    written = run("export", "canvas", chains, "--center", "Bob", "-o", target, *TODAY_ARGS)
    assert written.exit_code == 0 and json.loads(target.read_text()) == canvas
    again = run("export", "canvas", chains, "--center", "cy", "-o", target, *TODAY_ARGS)
    assert again.exit_code == 0  # an export of ours: replaced
    assert set(_by_file(json.loads(target.read_text()))) == {
        "People/Ann.md", "People/Bob.md", "People/Cy.md",
    }  # fmt: skip


def test_export_canvas_refuses_an_unknown_person_and_a_file_of_the_user(chains: Path) -> None:
    unknown = run("export", "canvas", chains, "--center", "Nobody", *TODAY_ARGS)
    assert unknown.exit_code == 2
    assert "no person matches 'Nobody'" in unknown.stderr
    mine = chains / "Mine.canvas"
    mine.write_text(
        '{"nodes":[{"id":"a","type":"text","x":0,"y":0,"width":1,"height":1,"text":"x"}]}'
    )
    before = mine.read_bytes()
    refused = run("export", "canvas", chains, "-o", mine, *TODAY_ARGS)
    assert refused.exit_code == 2 and mine.read_bytes() == before
    small = run("export", "canvas", chains, "--max-nodes", "2", *TODAY_ARGS)
    assert small.exit_code == 0
    nodes = json.loads(small.stdout)["nodes"]
    people = [n.get("file") or n["text"] for n in nodes if n["type"] in ("file", "text")]
    # The mark, You, Ann and Pat Q (the first two in a chain), and the count of the rest.
    assert people[2:4] == ["**You**", "People/Ann.md"] or "People/Ann.md" in people
    assert "Pat Q" in people and people[-1] == (
        "And 6 more not shown: this canvas draws at most 2 people. Raise --max-nodes to draw more."
    )


# --- the output writer and the two new kinds of page -------------------------------------------


def test_a_build_never_writes_over_an_unmarked_base_or_canvas(chains: Path) -> None:
    out = chains / "Network"
    out.mkdir()
    for name, text in (("People.base", "views: []\n"), ("Introductions.canvas", '{"nodes":[]}')):
        (out / name).write_text(text, encoding="utf-8")
        result = run("build", chains, *TODAY_ARGS)
        assert result.exit_code == 1
        assert f"Network/{name}: exists and was not generated by vaultnet" in result.stderr
        assert (out / name).read_text(encoding="utf-8") == text
        (out / name).unlink()
    assert run("build", chains, *TODAY_ARGS).exit_code == 0


def test_a_marked_base_or_canvas_no_longer_made_is_removed(chains: Path) -> None:
    assert run("build", chains, *TODAY_ARGS).exit_code == 0
    out = chains / "Network"
    (out / "Old").mkdir()
    (out / "People.base").rename(out / "Old" / "People.base")
    (out / "Introductions.canvas").rename(out / "Old" / "Introductions.canvas")
    (out / "Old" / "Mine.base").write_text("# my base\nviews: []\n", encoding="utf-8")
    result = run("build", chains, *TODAY_ARGS)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "Old").iterdir()) == ["Mine.base"]
    assert is_generated(out / "People.base") and is_generated(out / "Introductions.canvas")


# --- People.base ----------------------------------------------------------------------------------


def _base(vault: Path) -> tuple[str, dict[str, Any]]:
    result = run("build", vault, *TODAY_ARGS)
    assert result.exit_code == 0, result.output
    path = load_config(vault).output_path / "People.base"
    assert is_generated(path)
    text = path.read_text(encoding="utf-8")
    return text, yaml.safe_load(text)


def _references(expression: str) -> tuple[set[str], set[str]]:
    """The formulas and the note properties an expression names (string and regular
    expression literals left out)."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"|/\^[^/]*\$/', '""', expression)
    formulas = set(re.findall(r"\bformula\.(\w+)", bare))
    bare = re.sub(r"\b(?:formula|file|note)\.\w+", "", bare)
    names = set(re.findall(r"(?<![.\w])([A-Za-z_]\w*)(?=\s*[^\w(]|$)", bare))
    return formulas, names - FORMULA_WORDS


def _statements(filters: Any) -> list[str]:
    if isinstance(filters, str):
        return [filters]
    return [s for value in filters.values() for item in value for s in _statements(item)]


def test_the_base_is_yaml_and_names_only_keys_that_exist(chains: Path) -> None:
    text, base = _base(chains)
    assert text.splitlines()[0] == "# generated_by: vaultnet"
    assert set(base) == {"filters", "formulas", "properties", "views"}
    formulas = base["formulas"]
    named = list(base["properties"])
    for view in base["views"]:
        assert view["type"] == "table" and view["name"]
        assert set(view) <= {"type", "name", "filters", "order", "sort", "limit", "groupBy"}
        named += view["order"] + [s["property"] for s in view["sort"]]
        assert {s["direction"] for s in view["sort"]} <= {"ASC", "DESC"}
    for name in named:
        kind, _, key = name.partition(".")
        known = {"file": FILE_PROPERTIES, "note": NOTE_KEYS, "formula": set(formulas)}[kind]
        assert key in known, name
    expressions = list(formulas.values()) + _statements(base["filters"])
    for view in base["views"]:
        expressions += _statements(view.get("filters", {}))
    for expression in expressions:
        used, properties = _references(expression)
        assert used <= set(formulas), expression
        assert properties <= NOTE_KEYS, (expression, properties - NOTE_KEYS)
    # No formula reads itself, even through others.
    for name in formulas:
        seen, todo = set(), [name]
        while todo:
            for used in _references(formulas[todo.pop()])[0]:
                assert used != name, f"formula {name} depends on itself"
                if used not in seen:
                    seen.add(used)
                    todo.append(used)
    views = [v["name"] for v in base["views"]]
    assert views == ["Follow-ups", "By tier", "Never contacted", "Dormant"]
    assert base["views"][0]["sort"][0] == {"property": "formula.due", "direction": "ASC"}


class _Evaluator:
    """The subset of the Bases formula language People.base's formulas use, in Python."""

    def __init__(self, formulas: dict[str, str], note: dict[str, Any]) -> None:
        self.formulas = formulas
        self.note = note

    def formula(self, name: str) -> Any:
        code = self.formulas[name]
        code = re.sub(r"/(\^[^/]*\$)/\.matches\(", r'_matches(r"\1", ', code)
        code = code.replace("||", " or ").replace("if(", "_if(")
        code = re.sub(r"formula\.(\w+)", r'_formula("\1")', code)
        code = re.sub(r"\.toString\(\)", ".__str__()", code)
        code = re.sub(r"\.trim\(\)", ".strip()", code)
        scope = {
            "_if": lambda test, yes, no=None: yes if test else no,
            "_matches": lambda pattern, text: re.fullmatch(pattern, text) is not None,
            "_formula": self.formula,
            **{key: self.note.get(key) for key in NOTE_KEYS},
        }
        return eval(code, {"__builtins__": {}}, scope)


@pytest.mark.parametrize(
    ("tier", "rank"),
    [
        ("gold", 0),
        ("GOLD", 0),
        ("Inner circle", 0),
        ("silver", 1),
        ("bronze", 2),
        ("x", 2),
        (None, 2),
    ],
)
def test_the_tier_rank_follows_the_ladder_not_the_alphabet(
    vault: Path, write: WriteNote, tier: str | None, rank: int
) -> None:
    (vault / "vaultnet.toml").write_text(
        'tiers = [{ name = "gold", title = "Inner circle", cadence = "2w" },'
        ' { name = "silver", title = "Silver", cadence = "quarterly" },'
        ' { name = "bronze", title = "Bronze", cadence = "1y" }]\n',
        encoding="utf-8",
    )
    write("People/Ann.md", "---\ntier: gold\n---\n")
    _, base = _base(vault)
    note = {"tier": tier, "cadence": None}
    evaluator = _Evaluator(base["formulas"], note)
    assert evaluator.formula("tier_rank") == rank
    assert evaluator.formula("cadence") == ["14d", "3M", "12M"][rank]


@pytest.mark.parametrize(
    ("cadence", "duration"),
    [
        ("30d", "30d"), ("6w", "6w"), ("3m", "3M"), ("2y", "2y"), (45, "45d"), ("45", "45d"),
        ("Monthly", "1M"), ("fortnightly", "2w"), ("quarterly", "3M"), ("annually", "1y"),
        ("soon", "60d"), (None, "60d"),
    ],
)  # fmt: skip
def test_the_cadence_formula_reads_vaultnet_cadences(
    vault: Path, cadence: object, duration: str
) -> None:
    (vault / "vaultnet.toml").write_text('dormant_after = "18m"\n', encoding="utf-8")
    base = yaml.safe_load(people_base(load_config(vault)))
    assert 'formula.last + "18M" < today()' in base["formulas"]["dormant"]
    note = {"tier": "advocate", "cadence": cadence}
    assert _Evaluator(base["formulas"], note).formula("cadence") == duration


def test_bases_durations() -> None:
    assert bases_duration(Duration(days=30)) == "30d"
    assert bases_duration(Duration(months=3)) == "3M"
    assert bases_duration(Duration(months=1, days=2)) == "32d"


def test_the_base_looks_in_people_dirs_and_leaves_out_the_output(
    vault: Path, write: WriteNote
) -> None:
    (vault / "vaultnet.toml").write_text(
        'output_dir = "Out/Net"\npeople_dirs = ["People", "Team/Ex \\"quoted\\""]\n',
        encoding="utf-8",
    )
    write("People/Ann.md", "---\ntier: champion\n---\n")
    text, base = _base(vault)
    statements = _statements(base["filters"])
    assert 'file.inFolder("People")' in statements
    assert 'file.inFolder("Team/Ex \\"quoted\\"")' in statements
    assert 'file.inFolder("Out/Net")' in statements
    assert text == (vault / "Out" / "Net" / "People.base").read_text(encoding="utf-8")


def test_the_drawing_check_sees_overlaps_and_boxes_left_undrawn(chains: Path) -> None:
    canvas = _canvas(chains)
    files = [n for n in canvas["nodes"] if n["type"] == "file"]
    files[1]["x"], files[1]["y"] = files[0]["x"] + 10, files[0]["y"] + 10
    with pytest.raises(AssertionError):
        check_drawing(canvas)
    canvas = _canvas(chains)
    next(n for n in canvas["nodes"] if n["type"] == "file")["x"] = -10_000  # out of its group
    with pytest.raises(AssertionError):
        check_drawing(canvas)


def test_the_docs_show_the_base_the_sample_vault_gets() -> None:
    docs = (ROOT / "docs" / "obsidian.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", docs, re.S)
    assert block is not None
    golden = ROOT / "tests" / "golden" / "sample" / "expected" / "People.base"
    assert block[1] == golden.read_text(encoding="utf-8"), "docs/obsidian.md: paste People.base"
    assert (ROOT / "docs" / "images" / "introductions-canvas.png").stat().st_size > 10_000


def test_a_builder_makes_the_canvas_again_only_when_what_it_shows_changed(chains: Path) -> None:
    from vaultnet.pipeline.build import Builder
    from vaultnet.render.obsidian import obsidian_pages
    from vaultnet.state.cache import NoteCache

    builder = Builder(load_config(chains), NoteCache.in_memory())
    first = {p.path: p.text for p in builder.build(BuildRequest(TODAY)).pages}
    ann = chains / "People" / "Ann.md"
    ann.write_text(ann.read_text() + "## Log\n- 2026-11-20 call: hi\n", encoding="utf-8")
    result = builder.build(BuildRequest(TODAY, changed=("People/Ann.md",)))
    second = {p.path: p.text for p in result.pages}
    assert second["Introductions.canvas"] is first["Introductions.canvas"]
    assert second["People.base"] is first["People.base"]
    cy = chains / "People" / "Cy.md"
    cy.write_text(cy.read_text().replace("[[Bob]]", "[[Gus]]"), encoding="utf-8")
    result = builder.build(BuildRequest(TODAY, changed=("People/Cy.md",)))
    third = {p.path: p.text for p in result.pages}
    assert third["Introductions.canvas"] != first["Introductions.canvas"]
    assert result.network is not None
    cold = {p.path: p.text for p in obsidian_pages(result.network)}
    assert third["Introductions.canvas"] == cold["Introductions.canvas"]


def test_a_watchers_canvas_looks_only_at_the_people_replaced(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network patched from the last one is compared with it by the people replaced
    alone: nobody else is walked, not even to find them the very same."""
    from vaultnet.pipeline.build import Builder, build_vault
    from vaultnet.render import canvas as canvas_module
    from vaultnet.render.obsidian import obsidian_pages
    from vaultnet.state.cache import NoteCache
    from vaultnet.state.pagememo import PageMemo

    today = dt.date(2026, 11, 26)
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(today))
    walked: list[int] = []  # the lengths of the lists of people walked

    def walking(real: Any) -> Any:
        def counted(function: Any, first: Any, *rest: Any, **kwargs: Any) -> Any:
            walked.append(len(first) if isinstance(first, tuple) else -1)
            return real(function, first, *rest, **kwargs)

        return counted

    monkeypatch.setattr(canvas_module, "zip", walking(zip), raising=False)
    monkeypatch.setattr(canvas_module, "map", walking(map), raising=False)
    ann, bob = sample_vault / "People" / "Ann Lee.md", sample_vault / "People" / "Bob Marsh.md"
    edits = [
        (ann, "## Log\n", "## Log\n- 2026-11-25 call: hi\n"),  # the canvas shows none of it
        (bob, 'introduced_by: "[[Ann Lee]]"', 'introduced_by: "[[Amara Nwosu]]"'),  # an edge
        (ann, "## Log\n", "## Log\n- 2026-11-24 lunch\n"),
    ]
    for path, old, new in edits:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        walked.clear()
        result = builder.build(BuildRequest(today, changed=(f"People/{path.name}",)))
        network = result.network
        assert network is not None and network.patch is not None
        assert len(network.people) not in walked, path.name
        cold = build_vault(load_config(sample_vault), today, write=False).network
        assert cold is not None
        expected = {page.path: page.text for page in obsidian_pages(cold)}
        assert {p.path: p.text for p in result.pages if p.path in expected} == expected
