"""A watcher's insights, brought up to date from the last network's, equal fresh ones.

People compare by their digest, so equality also proves that no page is left holding a
person as they were before the edit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import vaultnet.insights.insights as insights_module
from vaultnet.config import load_config
from vaultnet.insights.insights import InsightState, compute_insights
from vaultnet.pipeline.build import Builder, BuildRequest, Mode
from vaultnet.state.cache import NoteCache

TODAY = dt.date(2026, 11, 26)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _log(path: Path, line: str) -> None:
    """A log entry at the top: every entry below it moves down a line."""
    _edit(path, "## Log\n", f"## Log\n{line}\n")


def _append(path: Path, line: str) -> None:
    """A log entry at the end of Ann's log: no other entry moves."""
    _edit(path, "\n\n## Things to bring up", f"\n{line}\n\n## Things to bring up")


@pytest.fixture
def state() -> InsightState:
    """What a watcher's renderer keeps: per-person values, and the last network's insights."""
    return InsightState(keep=True)


@pytest.fixture
def fresh_start(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the companies built from scratch."""
    built: list[str] = []
    real = insights_module.build_companies

    def counted(*args: object, **kwargs: object) -> object:
        built.append("companies")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(insights_module, "build_companies", counted)
    return built


def test_patched_insights_equal_fresh_ones(
    sample_vault: Path, fresh_start: list[str], state: InsightState
) -> None:
    people = sample_vault / "People"
    ann, amara = people / "Ann Lee.md", people / "Amara Nwosu.md"
    builder = Builder(load_config(sample_vault), NoteCache.in_memory())
    state.compute(builder.build(BuildRequest(TODAY, Mode.MODEL)).network)  # type: ignore[arg-type]
    steps = [
        ("a plain log entry", lambda: _log(ann, "- 2026-11-20 call: quick catch-up"), True),
        ("a #gave entry", lambda: _log(ann, "- 2026-11-21 intro to a recruiter #gave"), True),
        ("a #got entry elsewhere", lambda: _log(amara, "- 2026-11-22 advice #got"), True),
        ("a new role", lambda: _edit(ann, "role: VP Engineering", "role: CTO"), True),
        # Her history now ends within the window: a move, which shows her role now.
        ("a recent move", lambda: _edit(ann, "to: 2023-02-28", "to: 2026-10-30"), False),
        ("another role", lambda: _edit(ann, "role: CTO", "role: Chief Technology Officer"), True),
        ("a moved entry", lambda: _log(ann, "- 2026-11-23 moved: to [[Initech]]"), False),
        ("another company", lambda: _edit(ann, "[[Harbor Health]]", "[[Initech]]"), False),
        # Entries that moved down a line change the move's line: built again...
        ("a plain entry on top", lambda: _log(ann, "- 2026-11-24 lunch"), False),
        # ... not when the entry goes at the end.
        ("a plain entry at the end", lambda: _append(ann, "- 2026-11-25 tea"), True),
    ]
    changed = ["People/Ann Lee.md"]
    for what, edit, companies_kept in steps:
        edit()
        fresh_start.clear()
        touched = ["People/Amara Nwosu.md"] if "elsewhere" in what else changed
        network = builder.build(BuildRequest(TODAY, Mode.MODEL, changed=tuple(touched))).network
        assert network is not None and network.patch is not None, what
        patched = state.compute(network)
        assert (not fresh_start) == companies_kept, what
        assert patched == compute_insights(network), what
    # A daily note rebuilds the two people it mentions at once.
    daily = sample_vault / "Daily" / "2026-11-22.md"
    daily.write_text("Dinner with [[Ann Lee]] and [[Amara Nwosu]].\n", encoding="utf-8")
    network = builder.build(
        BuildRequest(TODAY, Mode.MODEL, changed=("Daily/2026-11-22.md",))
    ).network
    assert network is not None and network.patch is not None
    assert len(network.patch.replaced) == 2
    patched = state.compute(network)
    assert patched == compute_insights(network)


def test_a_network_that_is_not_patched_computes_everything(
    sample_vault: Path, fresh_start: list[str], state: InsightState
) -> None:
    builder = Builder(load_config(sample_vault), NoteCache.in_memory())
    state.compute(builder.build(BuildRequest(TODAY, Mode.MODEL)).network)  # type: ignore[arg-type]
    _edit(sample_vault / "People" / "Ann Lee.md", "tier: champion", "tier: supporter")
    network = builder.build(BuildRequest(TODAY, Mode.MODEL, changed=("People/Ann Lee.md",))).network
    assert network is not None and network.patch is None
    fresh_start.clear()
    state.compute(network)
    assert fresh_start == ["companies"]


def test_values_of_the_people_replaced_are_not_kept(
    sample_vault: Path, fresh_start: list[str], state: InsightState
) -> None:
    builder = Builder(load_config(sample_vault), NoteCache.in_memory())
    state.compute(builder.build(BuildRequest(TODAY, Mode.MODEL)).network)  # type: ignore[arg-type]
    ann = sample_vault / "People" / "Ann Lee.md"
    for day in (20, 21, 22):
        _append(ann, f"- 2026-11-{day} call #got")
        network = builder.build(
            BuildRequest(TODAY, Mode.MODEL, changed=("People/Ann Lee.md",))
        ).network
        assert network is not None and network.patch is not None
        state.compute(network)
        gone = {id(before) for before, _ in network.patch.replaced}
        kept = [*state.values.current, *state.values.previous]
        assert not [key for key in kept if id(key[1]) in gone]  # a watcher would leak them


def test_the_upgrade_plan_due_list_follows_patched_people(
    sample_vault: Path, fresh_start: list[str], state: InsightState
) -> None:
    people = sample_vault / "People"
    tomas, zoe, emma = (
        people / "Tomás Ruiz.md",
        people / "Zoë Okafor.md",
        people / "Emma Thornton.md",
    )
    builder = Builder(load_config(sample_vault), NoteCache.in_memory())
    first = state.compute(builder.build(BuildRequest(TODAY, Mode.MODEL)).network)  # type: ignore[arg-type]
    assert [s.person.name for s in first.digest_extras.upgrade_due] == [
        "Zoë Okafor",
        "Emma Thornton",
    ]
    steps = [
        ("Tomás falls due", tomas, lambda: _edit(tomas, "cadence: monthly", "cadence: 1w")),
        # Her planned coffee made her due this week; planned later, she is not due.
        ("Zoë's plan moves", zoe, lambda: _edit(zoe, "2026-12-03 coffee", "2027-01-20 coffee")),
        ("Zoë is contacted", zoe, lambda: _log(zoe, "- 2026-11-26 call: caught up")),
        (
            "Emma is contacted",
            emma,
            lambda: _edit(emma, "---\n\n", "---\n\n## Log\n- 2026-11-25 coffee\n\n"),
        ),
        ("Tomás is not due", tomas, lambda: _edit(tomas, "cadence: 1w", "cadence: monthly")),
    ]
    seen = []
    for what, note, edit in steps:
        edit()
        network = builder.build(
            BuildRequest(TODAY, Mode.MODEL, changed=(f"People/{note.name}",))
        ).network
        assert network is not None and network.patch is not None, what
        patched = state.compute(network)
        seen.append([s.person.name for s in patched.digest_extras.upgrade_due])
        assert patched == compute_insights(network), what
    assert seen == [
        ["Tomás Ruiz", "Zoë Okafor", "Emma Thornton"],  # he joins, first: he is overdue
        ["Tomás Ruiz", "Emma Thornton"],
        ["Tomás Ruiz", "Emma Thornton"],  # rebuilt, and still not due
        ["Tomás Ruiz"],
        [],
    ]
