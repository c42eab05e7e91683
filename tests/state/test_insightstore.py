"""The last build's insights, saved for the next one-shot build to bring up to date
(state/insightstore.py): what it makes equals fresh insights and a build from nothing, and
a saved file that is damaged, planted or reached through a link is ignored."""

from __future__ import annotations

import datetime as dt
import io
import os
import pickle
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import vaultnet.insights.insights as insights_module
from tests.insights.test_update_reciprocity_ladder import (
    ENTRIES,
    SMALL,
    add_entry,
    set_role,
)
from tests.state.builds import TODAY, append, build, counted, edit, fresh, written
from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.insights import ladder, reciprocity
from vaultnet.insights.companytypes import Stint
from vaultnet.insights.insights import Insights, compute_insights
from vaultnet.insights.logscan import LogScan, scan_logs
from vaultnet.model.network import Network
from vaultnet.pipeline.build import Builder, BuildRequest
from vaultnet.state import insightstore
from vaultnet.state.cache import NoteCache
from vaultnet.state.pagememo import PageMemo
from vaultnet.state.statefile import write_state

SAVED = Path(".vaultnet") / insightstore.FILE


def _log(path: Path, line: str) -> None:
    """A log entry at the top of the note's log."""
    edit(path, "## Log\n", f"## Log\n{line}\n")


def _one_shot(vault: Path) -> tuple[Insights, Network, LogScan]:
    """A one-shot build as ``vaultnet build`` makes it: the insights its pages show, its
    network, and the log scan saved with the insights."""
    builder = Builder(load_config(vault), NoteCache.for_vault(vault))
    result = builder.build(BuildRequest(dt.date.fromisoformat(TODAY)))
    assert result.network is not None
    computed = builder.renderer.insight_state.computed()
    assert computed is not None
    return computed[1], result.network, computed[2]


def test_saved_insights_brought_up_to_date_equal_fresh_ones(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = sample_vault / "People"
    ann, amara = people / "Ann Lee.md", people / "Amara Nwosu.md"
    _one_shot(sample_vault)
    assert (sample_vault / SAVED).is_file()
    built = counted(monkeypatch, insights_module, "build_companies")
    resumed = counted(monkeypatch, insightstore.InsightStore, "load", 1)
    steps: list[tuple[str, Callable[[], None], bool]] = [
        ("a plain log entry", lambda: _log(ann, "- 2026-11-20 call: quick catch-up"), True),
        ("a #gave entry", lambda: _log(ann, "- 2026-11-21 intro to a recruiter #gave"), True),
        ("a #got entry elsewhere", lambda: _log(amara, "- 2026-11-22 advice #got"), True),
        ("an #ask", lambda: _log(amara, "- 2026-11-23 asked for a referral #ask"), True),
        ("a tier change", lambda: _log(ann, "- 2026-11-19 tier: supporter → champion"), True),
        ("a new role", lambda: edit(ann, "role: VP Engineering", "role: CTO"), True),
        ("a recent move", lambda: edit(ann, "to: 2023-02-28", "to: 2026-10-30"), False),
        ("a moved entry", lambda: _log(ann, "- 2026-11-23 moved: to [[Initech]]"), False),
        ("another company", lambda: edit(ann, "[[Harbor Health]]", "[[Initech]]"), False),
        ("a plain entry at the end", lambda: append(ann, "- 2026-11-25 tea\n"), True),
    ]
    for what, change, companies_kept in steps:
        change()
        built.clear()
        resumed.clear()
        shown, network, scan = _one_shot(sample_vault)
        assert len(resumed) == 1, what  # the last network was made again and patched
        assert (not built) == companies_kept, what
        assert shown == compute_insights(network), what
        assert scan == scan_logs(network), what
        assert written(sample_vault) == fresh(sample_vault, tmp_path)[0], what


@pytest.mark.parametrize(
    "change",
    [
        "next day",
        "configuration",
        "note added",
        "note deleted",
        "note renamed",
        "company renamed",
        "person added",
    ],
)
def test_a_build_after_any_change_matches_a_build_from_nothing(
    sample_vault: Path, tmp_path: Path, change: str
) -> None:
    build(sample_vault)
    ann = sample_vault / "People" / "Ann Lee.md"
    append(ann, "- 2026-11-25 — call about the RFC\n")
    build(sample_vault)  # from the insights as saved
    today = TODAY
    if change == "next day":
        today = "2026-11-27"
    elif change == "configuration":
        config = sample_vault / "vaultnet.toml"
        config.write_text(config.read_text(encoding="utf-8") + "\nfollowups_rows = 3\n")
    elif change == "note added":  # a company's page is named around the notes' names
        (sample_vault / "Acme Robotics.md").write_text("Their office.\n", encoding="utf-8")
    elif change == "note deleted":
        (sample_vault / "Companies" / "Harbor Health.md").unlink()
    elif change == "note renamed":
        os.rename(sample_vault / "Ideas.md", sample_vault / "Acme Robotics.md")
    elif change == "company renamed":
        for note in (sample_vault / "People").rglob("*.md"):
            text = note.read_text(encoding="utf-8")
            if "Acme Robotics" in text:
                note.write_text(text.replace("Acme Robotics", "Acme Robots"), encoding="utf-8")
    else:
        (sample_vault / "People" / "Zed Quill.md").write_text(
            "---\nname: Zed Quill\ntier: acquaintance\ncompany: Acme Robotics\n---\n",
            encoding="utf-8",
        )
    append(ann, "- 2026-11-25 — lunch\n")
    result = CliRunner().invoke(main, ["build", str(sample_vault), "--today", today])
    assert result.exit_code in (0, 1), result.output
    copy = tmp_path / "fresh"
    shutil.copytree(sample_vault, copy, ignore=shutil.ignore_patterns(".vaultnet", "Network"))
    result = CliRunner().invoke(main, ["build", str(copy), "--today", today])
    assert result.exit_code in (0, 1), result.output
    assert written(sample_vault) == written(copy), change


def _planted(vault: Path, how: str) -> None:
    """Spoil the saved insights of ``vault`` the way ``how`` says."""
    file = vault / SAVED
    payload = pickle.loads(file.read_bytes())
    if how == "damaged":
        file.write_bytes(file.read_bytes()[:-200])
    elif how == "another shape":
        fields = {**payload, "insights": pickle.dumps(("not", "insights"))}
        write_state(file, insightstore.FORMAT, _fields(fields))
    elif how == "parts of another shape":  # the classes allowed, holding other values
        planted = (Insights("x", "x", "x", "x", "x"), LogScan({}, {}, {}, []))  # type: ignore[arg-type]
        fields = {**payload, "insights": pickle.dumps(planted)}
        write_state(file, insightstore.FORMAT, _fields(fields))
    elif how == "values of another length":  # an allowed named tuple made of too few items
        buffer = io.BytesIO()
        shorter = pickle.Pickler(buffer)
        shorter.dispatch_table = {Insights: lambda value: (Insights, ("x",))}
        shorter.dump((Insights("x", "x", "x", "x", "x"), LogScan({}, {}, {}, [])))  # type: ignore[arg-type]
        fields = {**payload, "insights": buffer.getvalue()}
        write_state(file, insightstore.FORMAT, _fields(fields))
    elif how == "a class not allowed":
        fields = {**payload, "insights": pickle.dumps(os.getcwd)}
        write_state(file, insightstore.FORMAT, _fields(fields))
    elif how == "a company of another shape":
        companies = (pickle.dumps(("not", "a company")), *payload["companies"][1:])  # type: ignore[misc]
        write_state(file, insightstore.FORMAT, _fields({**payload, "companies": companies}))
    elif how == "another key":
        fields = {**payload, "key": (0, "", "")}
        write_state(file, insightstore.FORMAT, _fields(fields))
    else:  # reached through a link
        elsewhere = vault.parent / "elsewhere.pickle"
        shutil.move(file, elsewhere)
        file.symlink_to(elsewhere)


def _fields(payload: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in payload.items() if k not in ("format", "version")}


@pytest.mark.parametrize(
    "how",
    [
        "damaged",
        "another shape",
        "parts of another shape",
        "values of another length",
        "a class not allowed",
        "a company of another shape",
        "another key",
        "link",
    ],
)
def test_spoiled_saved_insights_are_ignored(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    build(sample_vault)
    ann = sample_vault / "People" / "Ann Lee.md"
    append(ann, "- 2026-11-25 — call about the RFC\n")
    _planted(sample_vault, how)
    elsewhere = (sample_vault.parent / "elsewhere.pickle").read_bytes() if how == "link" else b""
    built = counted(monkeypatch, insights_module, "build_companies")
    build(sample_vault)
    assert len(built) == 1  # computed again
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]
    if how == "link":  # neither read nor written through the link
        assert (sample_vault.parent / "elsewhere.pickle").read_bytes() == elsewhere
    else:  # saved again, and taken by the next build
        append(ann, "- 2026-11-25 — lunch\n")
        built.clear()
        build(sample_vault)
        assert built == []
        assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]


def test_unchanged_companies_are_saved_as_the_bytes_they_were(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(sample_vault)
    total = len(pickle.loads((sample_vault / SAVED).read_bytes())["companies"])
    ann = sample_vault / "People" / "Ann Lee.md"
    pickled = counted(monkeypatch, insightstore, "_company_fields")
    edit(ann, "role: VP Engineering", "role: CTO")  # her stint at her company shows it
    result = CliRunner().invoke(main, ["build", str(sample_vault), "--today", TODAY])
    assert result.exit_code in (0, 1), result.output
    # her company now, and the one she left
    assert sorted(company.key for company in pickled) == ["acmerobotics", "harborhealth"]
    assert len(pickle.loads((sample_vault / SAVED).read_bytes())["companies"]) == total > 1
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]
    pickled.clear()  # and the next build takes them as saved
    _log(ann, "- 2026-11-20 call: quick catch-up")
    shown, network, _ = _one_shot(sample_vault)
    assert shown == compute_insights(network)
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]


def test_saved_stints_come_back_as_the_people_of_the_network(sample_vault: Path) -> None:
    """A saved company's stints are made again as stints (named tuples, made in C), each
    holding the very person of the network the load makes again, and equal to fresh."""
    build(sample_vault)
    _log(sample_vault / "People" / "Ann Lee.md", "- 2026-11-20 call: quick catch-up")
    shown, network, _ = _one_shot(sample_vault)
    stints = [
        stint
        for company in shown.companies.by_key.values()
        for stint in (*company.current, *company.alumni)
    ]
    assert stints
    assert all(type(stint) is Stint for stint in stints)
    assert all(network.by_key[stint.person.key] is stint.person for stint in stints)
    assert shown == compute_insights(network)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_run_of_random_edits_each_built_once(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    # Tables that hide rows, as at 10,000 people: some edits cannot be brought up to date.
    monkeypatch.setattr(reciprocity, "MAX_ROWS", SMALL)
    monkeypatch.setattr(ladder, "MAX_ROWS", SMALL)
    rng = random.Random(seed)
    people = sorted(p.stem for p in (sample_vault / "People").glob("*.md"))
    _one_shot(sample_vault)
    taken = counted(monkeypatch, insights_module.InsightState, "resume", 1)
    for _ in range(20):
        day = dt.date.fromisoformat(TODAY) - dt.timedelta(days=rng.choice([0, 1, 6, 30, 400]))
        for name in rng.sample(people, rng.choice([1, 1, 2, 3])):
            if rng.random() < 0.2:
                set_role(sample_vault, name, f"Role {rng.randint(0, 999)}")
            else:
                add_entry(sample_vault, name, f"- {day.isoformat()} {rng.choice(ENTRIES)}")
        shown, network, scan = _one_shot(sample_vault)
        assert shown == compute_insights(network)
        assert scan == scan_logs(network)
    assert len(taken) == 20  # every build took the insights the one before saved


def test_a_watchers_first_build_takes_the_saved_insights(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(sample_vault)
    ann = sample_vault / "People" / "Ann Lee.md"
    append(ann, "- 2026-11-25 — call about the RFC\n")
    built = counted(monkeypatch, insights_module, "build_companies")
    config = load_config(sample_vault)
    builder = Builder(config, NoteCache.for_vault(sample_vault), pages=PageMemo())
    today = dt.date.fromisoformat(TODAY)
    builder.build(BuildRequest.watching(today, None, first=True))
    assert built == []
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]
    built.clear()  # the build from nothing
    # Its next rebuild brings them up to date in memory, from those.
    _log(ann, "- 2026-11-24 lunch #gave")
    result = builder.build(BuildRequest.watching(today, ["People/Ann Lee.md"]))
    assert built == [] and result.network is not None
    shown = builder.renderer.insight_state.computed()
    assert shown is not None and shown[1] == compute_insights(result.network)
    # It saves the last ones when it stops, for the next build to take.
    builder.save_state()
    append(ann, "- 2026-11-25 — tea\n")
    built.clear()
    build(sample_vault)
    assert built == []
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]
