"""A watcher's pages after a run of random edits are, after each, a cold build's pages.

Each edit keeps everyone's place (a patched network) or not; either way nothing the
watcher keeps from one rebuild to the next (briefs and who links whom, open loops, sorted
lists, the tables' keys, the tiers' figures, the canvas) may leave a page stale.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest

from vaultnet.config import load_config
from vaultnet.pipeline.build import Builder, BuildRequest, build_vault
from vaultnet.render.obsidian import obsidian_pages
from vaultnet.render.render import render_pages
from vaultnet.state.cache import NoteCache
from vaultnet.state.pagememo import PageMemo

TODAY = dt.date(2026, 11, 26)


def _cold(vault: Path) -> dict[str, str]:
    network = build_vault(load_config(vault), TODAY, cache=None, write=False).network
    assert network is not None
    return {page.path: page.text for page in render_pages(network) + obsidian_pages(network)}


def _set_field(path: Path, field: str, value: str) -> None:
    """Give the note's front matter ``field: value``, in place of the one it has."""
    text = path.read_text(encoding="utf-8")
    line = re.compile(rf"^{field}:.*\n(?:[ \t]+- .*\n)*", re.MULTILINE)
    if line.search(text):
        text = line.sub(lambda _: f"{field}: {value}\n", text, count=1)
    else:
        text = text.replace("\ntier:", f"\n{field}: {value}\ntier:", 1)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("seed", [3])
def test_a_watchers_pages_after_random_edits_are_a_cold_builds(
    sample_vault: Path, seed: int
) -> None:
    config = sample_vault / "vaultnet.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\nbrief_days = 10\n", "utf-8")
    rng = random.Random(seed)
    people = sorted(p.stem for p in (sample_vault / "People").glob("*.md"))
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY))
    patched = 0
    for number in range(20):
        name = rng.choice(people)
        note = sample_vault / "People" / f"{name}.md"
        others = rng.sample([p for p in people if p != name], 2)
        links = ", ".join(f'"[[{other}]]"' for other in others)
        kind = rng.choice(["entry", "entry", "knows", "introduced_by", "task", "role"])
        changed = f"People/{name}.md"
        if kind == "entry":
            day = TODAY + dt.timedelta(days=rng.choice([-400, -30, -3, 0, 2, 5, 9, 20]))
            text = note.read_text(encoding="utf-8").rstrip("\n")
            note.write_text(f"{text}\n- {day.isoformat()} call: step {number}\n", "utf-8")
        elif kind in ("knows", "introduced_by"):
            _set_field(note, kind, f"[{links}]")
        elif kind == "role":
            _set_field(note, "role", f"Role {number}")
        else:
            daily = sample_vault / "Daily" / "2026-11-20.md"
            old = daily.read_text(encoding="utf-8") if daily.exists() else ""
            box = rng.choice(["[ ]", "[ ]", "[x]"])
            daily.write_text(f"{old}- {box} ask [[{others[0]}]] about step {number}\n", "utf-8")
            changed = "Daily/2026-11-20.md"
        result = builder.build(BuildRequest(TODAY, changed=(changed,)))
        assert result.network is not None
        patched += result.network.patch is not None
        pages = {page.path: page.text for page in result.pages}
        assert pages == _cold(sample_vault), (number, kind, name)
    assert patched >= 10  # the watcher's own paths were taken
