"""Whom the briefs are for and who links them, saved with the insights
(state/insightstore.py) and brought up to date by a one-shot build as a watcher does
(insights/briefupdate.py): no look at everyone unless someone gains a brief, and the pages
are a build's from nothing."""

from __future__ import annotations

import datetime as dt
import io
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import WriteNote
from tests.insights.briefs import counting_walks, person
from tests.state.builds import TODAY, append, build, edit, fresh, written
from vaultnet.config import load_config
from vaultnet.pipeline.build import Builder, BuildRequest
from vaultnet.state import insightstore
from vaultnet.state.cache import NoteCache
from vaultnet.state.statefile import write_state

PLANNED = "## Log\n- 2026-11-27 call: catch up\n"
SAVED = Path(".vaultnet") / insightstore.FILE


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return counting_walks(monkeypatch)


@pytest.fixture
def people(vault: Path, write: WriteNote) -> dict[str, Path]:
    """Ann and Bob with a brief; Cy knows Ann, Dee was introduced by Bob, Eve knows Cy."""
    notes = {
        "Ann": write("People/Ann.md", person("Ann", body=PLANNED)),
        "Bob": write("People/Bob.md", person("Bob", body=PLANNED)),
        "Cy": write("People/Cy.md", person("Cy", "knows: ['[[Ann]]']\n")),
        "Dee": write("People/Dee.md", person("Dee", "introduced_by: '[[Bob]]'\n")),
        "Eve": write("People/Eve.md", person("Eve", "knows: ['[[Cy]]']\n")),
    }
    build(vault)
    return notes


def test_briefs_follow_edits_without_a_look_at_everyone(
    vault: Path, tmp_path: Path, people: dict[str, Path], walks: list[str]
) -> None:
    steps: list[tuple[str, Callable[[], None], list[str]]] = [
        ("a briefed person's log", lambda: append(people["Ann"], "- 2026-11-20 tea\n"), []),
        ("a link added", lambda: edit(people["Eve"], "'[[Cy]]'", "'[[Cy]]', '[[Ann]]'"), []),
        # Another place in the ladder: the network is made anew, and so are the briefs'.
        ("a tier", lambda: edit(people["Eve"], "supporter", "champion"), ["upcoming", "linked"]),
        ("a link dropped", lambda: edit(people["Cy"], "knows: ['[[Ann]]']", "knows: []"), []),
        ("an introducer", lambda: edit(people["Dee"], "[[Bob]]", "[[Ann]]"), []),
        ("a brief lost", lambda: edit(people["Bob"], "2026-11-27", "2026-10-27"), []),
        # Cy's brief needs who links Cy, which the saved index does not hold.
        ("a brief gained", lambda: append(people["Cy"], PLANNED), ["linked"]),
        ("after it", lambda: append(people["Eve"], "- 2026-11-21 lunch\n"), []),
    ]
    for what, change, looks in steps:
        change()
        walks.clear()
        build(vault)
        assert walks == looks, what
        assert written(vault) == fresh(vault, tmp_path)[0], what
    assert (vault / "Network" / "Briefs" / "Cy.md").is_file()
    assert "Eve" in (vault / "Network" / "Briefs" / "Cy.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("how", ["people of another shape", "links of another shape"])
def test_saved_briefs_of_another_shape_are_found_again(
    vault: Path, tmp_path: Path, people: dict[str, Path], walks: list[str], how: str
) -> None:
    append(people["Ann"], "- 2026-11-20 tea\n")
    builder = Builder(load_config(vault), NoteCache.for_vault(vault))
    builder.build(BuildRequest(dt.date.fromisoformat(TODAY)))
    computed = builder.renderer.insight_state.computed()
    assert computed is not None
    network, insights, scan = computed
    # The insights as saved, with planted values where the briefs' are.
    planted = ("x", "y") if how == "people of another shape" else ((), {"k": "v"}, {}, None)
    index = insights.companies
    places = {id(move): at for at, move in enumerate(index.moves)}
    buffer = io.BytesIO()
    pickler = insightstore._Pickler(buffer, network, index.by_key, places)
    pickler.dump((insights, scan, planted))
    file = vault / SAVED
    payload = pickle.loads(file.read_bytes())
    fields = {k: v for k, v in payload.items() if k not in ("format", "version")}
    write_state(file, insightstore.FORMAT, {**fields, "insights": buffer.getvalue()})
    append(people["Ann"], "- 2026-11-21 tea\n")
    walks.clear()
    build(vault)
    assert walks == ["upcoming", "linked"]  # found again, from everyone
    assert written(vault) == fresh(vault, tmp_path)[0]
