"""A one-shot build after a few edits patches each ``{% rows %}`` call from the same call
of the last build's render (``.vaultnet/rows/calls.pickle``: rowstore.py, fragments.py
``Fragments.follow``), and reads the rows files only for a call it cannot patch. The pages
are those of a build from nothing; a calls file that is damaged, of another shape or
reached through a link is ignored."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.state.builds import TODAY, append, build, counted, fresh, written
from vaultnet.cli.main import main
from vaultnet.state import rowstore
from vaultnet.state.fragments import Fragments
from vaultnet.state.rowstore import RowStore
from vaultnet.state.statefile import write_state

ROWS = Path(".vaultnet") / "rows"
DAY = dt.date.fromisoformat(TODAY)
CROWD = 20  # acquaintances of no company and no log: tables of 20 rows and more


@pytest.fixture
def crowded(sample_vault: Path) -> Path:
    """The sample vault with CROWD more acquaintances, each a place of their own in the
    index and on the tier page that no edit of their note's text moves."""
    for n in range(CROWD):
        note = sample_vault / "People" / f"Crowd Person {n:02}.md"
        note.write_text(f"---\ntier: acquaintance\n---\n\nNumber {n}.\n", encoding="utf-8")
    return sample_vault


def _crowd(vault: Path, n: int) -> Path:
    return vault / "People" / f"Crowd Person {n:02}.md"


def _rows_files(vault: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((vault / ROWS).glob("rows-*.pickle"))}


def test_a_build_after_an_edit_patches_its_tables_without_the_rows_files(
    crowded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build from nothing saves no calls (the next renders every row anyway); the next
    build after an edit loads the rows and saves its calls; a build after another edit
    patches every call from them, reading and writing no rows file, and its pages are
    those of a build without ``.vaultnet/``. So are those of the first build of the next
    day, whose calls cannot be patched (every key holds the day)."""
    calls_file = crowded / ROWS / rowstore.CALLS
    build(crowded)
    assert not calls_file.exists()
    append(_crowd(crowded, 3), "Met at a meetup.\n")
    build(crowded)
    assert RowStore.for_vault(crowded).load_calls(DAY)
    rows_before, calls_before = _rows_files(crowded), calls_file.read_bytes()
    loads = counted(monkeypatch, RowStore, "load")
    append(_crowd(crowded, 11), "Likes climbing.\n")
    build(crowded)
    assert loads == []
    assert _rows_files(crowded) == rows_before
    assert calls_file.read_bytes() != calls_before
    assert written(crowded) == fresh(crowded, tmp_path)[0]
    copy = tmp_path / "fresh"  # built from nothing by fresh(), then the next day for both
    loads.clear()
    for vault in (crowded, copy):
        result = CliRunner().invoke(main, ["build", str(vault), "--today", "2026-11-27"])
        assert result.exit_code in (0, 1), result.output
    assert len(loads) == 2
    assert written(crowded) == written(copy)


def _build_on(vault: Path, day: str) -> None:
    result = CliRunner().invoke(main, ["build", str(vault), "--today", day])
    assert result.exit_code in (0, 1), result.output


def test_the_first_build_of_a_day_reads_no_row_and_no_call_of_the_day_before(
    crowded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every key holds the day: the first build of the next day takes no call and no row
    saved the day before, records its calls all the same, and the next build of that day
    patches its tables from them without the rows files; the pages are those of a build
    from nothing."""
    build(crowded)
    append(_crowd(crowded, 3), "Met at a meetup.\n")
    build(crowded)
    assert RowStore.for_vault(crowded).load_calls(DAY)
    assert any(RowStore.for_vault(crowded).load(DAY).values())
    followed = counted(monkeypatch, Fragments, "follow", 1)
    adopted = counted(monkeypatch, Fragments, "adopt", 1)
    _build_on(crowded, "2026-11-27")
    assert followed == [{}] and adopted == [{}]
    assert RowStore.for_vault(crowded).load_calls(dt.date(2026, 11, 27))
    loads = counted(monkeypatch, RowStore, "load")
    append(_crowd(crowded, 11), "Likes climbing.\n")
    _build_on(crowded, "2026-11-27")
    assert loads == []
    copy = tmp_path / "fresh"
    shutil.copytree(crowded, copy, ignore=shutil.ignore_patterns(".vaultnet", "Network"))
    _build_on(copy, "2026-11-27")
    assert written(crowded) == written(copy)


def test_a_call_whose_people_changed_places_is_made_from_the_rows(
    crowded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that moves a person in a table (a new name: the index is in name order)
    changes the keys of more than a quarter of that call's places: it is not patched,
    the rows are loaded, and the pages are those of a build from nothing."""
    build(crowded)
    append(_crowd(crowded, 3), "Met at a meetup.\n")
    build(crowded)
    loads = counted(monkeypatch, RowStore, "load")
    note = _crowd(crowded, 2)
    note.write_text(note.read_text(encoding="utf-8").replace("---\n\n", "name: Aaa Crowd\n---\n\n"))
    build(crowded)
    assert len(loads) == 1
    assert written(crowded) == fresh(crowded, tmp_path)[0]


def _damaged(file: Path) -> None:
    file.write_bytes(file.read_bytes()[:-100])


def _saved(file: Path) -> dict[str, Any]:
    calls: dict[str, Any] = pickle.loads(file.read_bytes())["calls"]
    return calls


def _replanted(change: Callable[[list[Any]], None]) -> Callable[[Path], None]:
    """Rewrite the calls file with its largest call changed by ``change`` (its keys,
    lengths and text as a list): plain values, of a shape vaultnet does not write."""

    def plant(file: Path) -> None:
        calls = _saved(file)
        block = max(calls, key=lambda b: max((len(c[2]) for c in calls[b] if c), default=0))
        made = calls[block]
        at = max(range(len(made)), key=lambda i: len(made[i][2]) if made[i] else 0)
        call = list(made[at])
        change(call)
        made[at] = tuple(call)
        write_state(file, rowstore.FORMAT, {"calls": calls})

    return plant


def _longer_text(call: list[Any]) -> None:
    call[2] += "| planted |\n"  # the lengths no longer add up to the text


def _fewer_keys(call: list[Any]) -> None:
    call[0] = call[0].rpartition("\n")[0]


def _negative_length(call: list[Any]) -> None:
    lengths = array("q")
    lengths.frombytes(call[1])
    lengths[0], lengths[1] = -lengths[1], lengths[0] + 2 * lengths[1]
    call[1] = lengths.tobytes()


def _not_text(call: list[Any]) -> None:
    call[2] = call[2].encode()


def _a_list(file: Path) -> None:
    calls = _saved(file)
    block = next(iter(calls))
    calls[block] = {"planted": calls[block]}
    write_state(file, rowstore.FORMAT, {"calls": calls})


class _Touch:
    """Unpickled by a plain pickle, it would make the file ``runs-code`` beside the vault."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


def _runs_code(file: Path) -> None:
    marker = file.parent.parent.parent.parent / "runs-code"
    calls = _saved(file)
    calls[next(iter(calls))].append(_Touch(marker))
    write_state(file, rowstore.FORMAT, {"calls": calls})


def _link(file: Path) -> None:
    elsewhere = file.parent.parent.parent.parent / "elsewhere.pickle"
    shutil.move(file, elsewhere)
    file.symlink_to(elsewhere)


@pytest.mark.parametrize(
    "spoil",
    [
        _damaged,
        _replanted(_longer_text),
        _replanted(_fewer_keys),
        _replanted(_negative_length),
        _replanted(_not_text),
        _a_list,
        _runs_code,
        _link,
    ],
)
def test_a_spoiled_calls_file_is_ignored(
    crowded: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spoil: Callable[[Path], None],
) -> None:
    """A calls file that is damaged, of a shape vaultnet does not write, planted to run
    code or reached through a link is not followed: the rows are loaded and the pages are
    those of a build from nothing; nothing runs, and a link is neither read nor written
    through."""
    build(crowded)
    append(_crowd(crowded, 3), "Met at a meetup.\n")
    build(crowded)
    file = crowded / ROWS / rowstore.CALLS
    spoil(file)
    assert RowStore.for_vault(crowded).load_calls(DAY) == {}
    elsewhere = crowded.parent / "elsewhere.pickle"
    kept = elsewhere.read_bytes() if elsewhere.exists() else None
    loads = counted(monkeypatch, RowStore, "load")
    append(_crowd(crowded, 11), "Likes climbing.\n")
    build(crowded)
    assert len(loads) == 1
    assert written(crowded) == fresh(crowded, tmp_path)[0]
    if kept is not None:
        assert file.is_symlink() and elsewhere.read_bytes() == kept
    assert not (crowded.parent / "runs-code").exists()
