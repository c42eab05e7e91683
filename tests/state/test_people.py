"""The per-person state: people kept by their digest, and never the source of truth."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.state.builds import build, edit, written
from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.model.person import Person
from vaultnet.pipeline.build import Builder, BuildRequest, Mode
from vaultnet.state import orders as orders_module
from vaultnet.state import people as people_module
from vaultnet.state.cache import NoteCache

TODAY = "2026-11-26"
TODAY_DATE = dt.date(2026, 11, 26)


def _made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The people the model makes from here on, by name."""
    made: list[str] = []
    real = people_module.make_person

    def counted(*args: object, **kwargs: object) -> Person:
        person = real(*args, **kwargs)  # type: ignore[arg-type]
        made.append(person.name)
        return person

    monkeypatch.setattr(people_module, "make_person", counted)
    return made


def test_deleting_the_state_changes_no_output(sample_vault: Path, tmp_path: Path) -> None:
    build(sample_vault)
    edit(sample_vault / "People" / "Ann Lee.md", "role: VP Engineering", "role: CTO")
    daily = next((sample_vault / "Daily").glob("*.md"))
    daily.write_text(daily.read_text(encoding="utf-8") + "\nMet [[Bob Marsh]].\n", "utf-8")
    build(sample_vault)  # from what the first build saved
    incremental = written(sample_vault)
    shutil.rmtree(sample_vault / ".vaultnet")
    shutil.rmtree(sample_vault / "Network")
    build(sample_vault)
    assert written(sample_vault) == incremental
    assert "CTO" in incremental["Index.md"].decode()


def test_a_build_makes_again_only_the_people_whose_inputs_changed(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """People are kept by their digest, not by the identity of their note: a build that
    looks at the whole vault again (``changed`` None) reuses everyone else, and what it
    reuses equals what a fresh build makes."""
    builder = Builder(load_config(sample_vault), NoteCache.in_memory())
    first = builder.build(BuildRequest(TODAY_DATE, Mode.MODEL)).network
    made = _made(monkeypatch)
    edit(sample_vault / "People" / "Ann Lee.md", "role: VP Engineering", "role: CTO")
    builder.build(BuildRequest(TODAY_DATE, Mode.MODEL))
    assert made == ["Ann Lee"]
    # A mention in a dated note changes the mentioned person's inputs, and only theirs.
    made.clear()
    daily = next((sample_vault / "Daily").glob("*.md"))
    daily.write_text(daily.read_text(encoding="utf-8") + "\nMet [[Bob Marsh]].\n", "utf-8")
    network = builder.build(BuildRequest(TODAY_DATE, Mode.MODEL)).network
    assert made == ["Bob Marsh"]
    fresh = Builder(load_config(sample_vault), NoteCache.in_memory()).build(
        BuildRequest(TODAY_DATE, Mode.MODEL)
    )
    assert network is not None and fresh.network is not None and first is not None
    assert network.people == fresh.network.people  # equal by value: the same digests
    assert first.by_key["People/Ann Lee.md"] != network.by_key["People/Ann Lee.md"]
    # Another day: everyone's follow-up state may differ, so everyone is made again.
    made.clear()
    builder.build(BuildRequest(TODAY_DATE + dt.timedelta(days=1), Mode.MODEL))
    assert len(made) == len(network.people)


def test_people_compare_by_their_digest() -> None:
    """Two people made alike from the same inputs are equal; a change to any input (the
    note, a mention, the day) makes a person that is not."""
    from vaultnet.config import Config
    from vaultnet.model.network import build_network
    from vaultnet.source.notes import parse_note

    def people(text: str, day: dt.date, daily: str = "") -> dict[str, Person]:
        notes = [parse_note("People/Ann.md", text.encode())]
        if daily:
            notes.append(parse_note("Daily/2026-11-20.md", daily.encode()))
        network, _ = build_network(Config(vault=Path("v")), notes, day)  # type: ignore[arg-type]
        return {p.name: p for p in network.people}

    note = "---\ntype: person\ntier: champion\n---\n"
    ann = people(note, TODAY_DATE)["Ann"]
    assert ann == people(note, TODAY_DATE)["Ann"] and hash(ann) == hash(
        people(note, TODAY_DATE)["Ann"]
    )
    assert ann != people(note.replace("champion", "advocate"), TODAY_DATE)["Ann"]
    assert ann != people(note, TODAY_DATE + dt.timedelta(days=1))["Ann"]
    assert ann != people(note, TODAY_DATE, "Lunch with [[Ann]].\n")["Ann"]


def _rows_rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The people whose ``{% rows %}`` rows are rendered from here on, by name."""
    from vaultnet.state.fragments import Fragments

    rendered: list[str] = []
    real = Fragments._row

    def counted(self: Fragments, item: object, *args: object) -> str:
        if isinstance(item, Person):
            rendered.append(item.name)
        return real(self, item, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Fragments, "_row", counted)
    return rendered


def test_a_build_renders_the_rows_of_the_people_edited_and_joins_the_others(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    build(sample_vault)
    rows = sample_vault / ".vaultnet" / "rows"
    assert len(list(rows.glob("rows-*.pickle"))) > 10  # spread over many files
    before = {path.name: path.stat().st_mtime_ns for path in rows.iterdir()}
    rendered = _rows_rendered(monkeypatch)
    edit(sample_vault / "People" / "Ann Lee.md", "role: VP Engineering", "role: CTO")
    build(sample_vault)
    assert set(rendered) == {"Ann Lee"}
    after = {path.name: path.stat().st_mtime_ns for path in rows.iterdir()}
    # Her old and new rows, and those of values about her (her company's): a few files.
    assert 0 < sum(after[name] != before.get(name) for name in after) <= len(after) // 4, len(after)
    # Damaged or foreign rows are not trusted: rendered again, with the same pages.
    pages = written(sample_vault)
    for path in rows.iterdir():
        path.write_bytes(b"\x80\x04garbage" if path.name < "rows-80" else b"")
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    (rows / "rows-ff.pickle").write_bytes(pickle.dumps({"format": 1, "rows": Evil()}))
    (sample_vault / ".vaultnet" / "last-build.json").unlink()  # past the early stop
    rendered.clear()
    build(sample_vault)
    assert len(set(rendered)) > 40
    assert written(sample_vault) == pages
    assert not marker.exists()


def test_a_dry_run_saves_no_rows_and_a_model_only_build_renders_none(sample_vault: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(sample_vault), "--today", TODAY, "--dry-run"])
    assert result.exit_code in (0, 1), result.output
    assert not (sample_vault / ".vaultnet" / "rows").exists()
    builder = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault))
    checked = builder.build(BuildRequest(TODAY_DATE, Mode.MODEL))
    assert checked.network is not None and checked.pages == []
    assert not (sample_vault / ".vaultnet" / "rows").exists()
    written = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault)).build(
        BuildRequest(TODAY_DATE)
    )
    assert written.pages and (sample_vault / ".vaultnet" / "rows").is_dir()


def test_a_watchers_build_looks_again_only_at_the_notes_that_changed_for_loops_and_unmatched(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open loops and the unmatched participants of a network patched from the last
    one come from the last ones and the notes that changed, and equal fresh ones."""
    looked: list[int] = []
    ranked: list[int] = []
    real_loops, real_rank = orders_module.open_loops, orders_module.rank_unmatched

    def loops(notes: list[object], *args: object) -> object:
        looked.append(len(notes))
        return real_loops(notes, *args)  # type: ignore[arg-type]

    def rank(notes: list[object], *args: object) -> object:
        ranked.append(len(notes))
        return real_rank(notes, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(orders_module, "open_loops", loops)
    monkeypatch.setattr(orders_module, "rank_unmatched", rank)
    builder = Builder(load_config(sample_vault), NoteCache.in_memory())
    builder.build(BuildRequest(TODAY_DATE, Mode.MODEL))
    daily, mail = "Daily/2026-11-09.md", "Sources/Mail/2026-11-25.md"
    steps = [  # (path, old, new, whether the unmatched are found again)
        ("People/Emma Thornton.md", "## Log\n", "## Log\n- 2026-11-25 call: hi\n", False),
        (daily, "- [ ] reply", "- [x] replied", False),  # a loop closed
        (daily, "Sunday.", "- [ ] ask [[Ann Lee]] about Q1\n\nSunday.", False),  # one opened
        (mail, "jana.weber@", "jana@", True),
        ("People/Ann Lee.md", "## Log\n", "## Log\n- [ ] send her the deck\n", False),  # in a log
    ]
    for path, old, new, again in steps:
        edit(sample_vault / path, old, new)
        looked.clear()
        ranked.clear()
        result = builder.build(BuildRequest(TODAY_DATE, Mode.MODEL, changed=(path,)))
        network = result.network
        assert network is not None and network.patch is not None, path
        assert all(count <= 1 for count in looked), path  # the note that changed, no more
        assert bool(ranked) == again, path
        fresh = Builder(load_config(sample_vault), NoteCache.in_memory()).build(
            BuildRequest(TODAY_DATE, Mode.MODEL)
        )
        assert fresh.network is not None
        assert network.open_loops == fresh.network.open_loops, path
        assert [loop.person.digest for loop in network.open_loops] == [
            loop.person.digest for loop in fresh.network.open_loops
        ], path
        assert network.unmatched == fresh.network.unmatched, path
    texts = {loop.text for loop in network.open_loops}
    assert "ask [[Ann Lee]] about Q1" in texts and "send her the deck" in texts


def test_two_notes_of_the_same_size_and_time_are_two_people(tmp_path: Path) -> None:
    """A note's key is its size and time (what the parse cache trusts): notes copied or
    checked out together often share both. A person's digest holds the path as well, so
    that two such people never pass for one (a row kept for one shown for the other)."""
    vault = tmp_path / "vault"
    (vault / "People").mkdir(parents=True)
    for name, role in (("Ann Lee", "Pilot"), ("Bob Ray", "Diver")):
        note = vault / "People" / f"{name}.md"
        note.write_text(f"---\ntier: champion\nrole: {role}\n---\n", "utf-8")
        os.utime(note, ns=(1_700_000_000_000_000_000,) * 2)
    (vault / "People" / "Cy Dunn.md").write_text("---\ntier: supporter\n---\n", "utf-8")
    build(vault)
    # The next build joins the rows kept: each of the two is kept as their own.
    (vault / "People" / "Cy Dunn.md").write_text("---\ntier: advocate\n---\n", "utf-8")
    build(vault)
    index = (vault / "Network" / "Index.md").read_text("utf-8")
    assert "| [[Ann Lee]] |  | Pilot |" in index and "| [[Bob Ray]] |  | Diver |" in index
