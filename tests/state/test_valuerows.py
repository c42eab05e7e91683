"""Rows of ``{% rows %}`` blocks over values (a company's people, moves, balances), saved in
``.vaultnet/rows/`` by the value's key for the next build, like people's rows."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from pathlib import Path

import pytest

from tests.state.builds import build, counted, written
from vaultnet.config import load_config
from vaultnet.model.person import Person
from vaultnet.pipeline.build import Builder, BuildRequest, build_vault
from vaultnet.render import render
from vaultnet.state import fragments as fragments_module
from vaultnet.state import rowstore
from vaultnet.state.cache import NoteCache
from vaultnet.state.fragments import Fragments
from vaultnet.state.pagememo import PageMemo
from vaultnet.state.valuekey import ValueKeys

TODAY = "2026-11-26"
TODAY_DATE = dt.date(2026, 11, 26)


def _role(vault: Path, role: str) -> None:
    """Give Ann Lee another role at her company (her stint there changes)."""
    note = vault / "People" / "Ann Lee.md"
    lines = note.read_text(encoding="utf-8").splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if line.startswith("role: ")]
    assert found, note
    lines[found[0]] = f"role: {role}\n"
    note.write_text("".join(lines), encoding="utf-8")


def _rendered(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The items whose ``{% rows %}`` rows are rendered from here on."""
    rendered: list[object] = []
    real = Fragments._row

    def counted(self: Fragments, item: object, *args: object) -> str:
        rendered.append(item)
        return real(self, item, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Fragments, "_row", counted)
    return rendered


def _saved(vault: Path) -> dict[str, dict[str, str]]:
    return rowstore.RowStore.for_vault(vault).load(TODAY_DATE)


@pytest.fixture
def every_page_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds render the company pages every time, with their rows: a build otherwise
    takes them whole from the last one, and keeps none of their rows (pagestore.py)."""
    monkeypatch.setattr(render, "SAVED_TEMPLATES", frozenset())


@pytest.mark.usefixtures("every_page_rendered")
def test_a_build_after_one_edit_renders_only_the_rows_that_changed(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rendered = _rendered(monkeypatch)
    build(sample_vault)
    values = [item for item in rendered if not isinstance(item, Person)]
    assert len(values) > 30  # companies, stints, moves, balances...
    rendered.clear()
    _role(sample_vault, "Chief Kite Officer")
    build(sample_vault)
    people = {item.name for item in rendered if isinstance(item, Person)}
    changed = [item for item in rendered if not isinstance(item, Person)]
    assert people == {"Ann Lee"}
    # Her stint at her company, and the companies that hold it: every value rendered
    # again holds her, and few are.
    assert changed and all("name='Ann Lee'" in repr(item) for item in changed)
    assert any(type(item).__name__ == "Stint" for item in changed)
    assert len(changed) < len(values) // 4
    # The pages are those of a build from nothing.
    pages = written(sample_vault)
    assert b"Chief Kite Officer" in b"".join(pages.values())
    cold = tmp_path / "cold"
    shutil.copytree(sample_vault, cold, ignore=shutil.ignore_patterns("Network", ".vaultnet"))
    build(cold)
    assert written(cold) == pages
    # A build with nothing changed renders no row.
    (sample_vault / ".vaultnet" / "last-build.json").unlink()  # past the early stop
    rendered.clear()
    build(sample_vault)
    assert rendered == []
    assert written(sample_vault) == pages


def _value_texts(vault: Path, saved: dict[str, dict[str, str]]) -> str:
    """The saved rows of values (those not kept by a person's digest), joined."""
    network = build_vault(load_config(vault), TODAY_DATE, cache=None, write=False).network
    assert network is not None
    digests = {person.digest for person in network.people}
    return "".join(text for rows in saved.values() for k, text in rows.items() if k not in digests)


@pytest.mark.usefixtures("every_page_rendered")
def test_rows_of_values_no_longer_shown_are_dropped_from_disk(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save drops the rows of values no longer shown from the files it writes, and from
    every file when it rendered many rows; a save that rendered few leaves them in the
    files no row was rendered into. (The last render's calls are not followed here, so
    that every build loads and saves the rows files: test_rowcalls.py follows them.)"""
    monkeypatch.setattr(rowstore.RowStore, "load_calls", lambda _store, _day: {})
    build(sample_vault)
    count = sum(map(len, _saved(sample_vault).values()))
    for many in (True, False):
        monkeypatch.setattr(rowstore, "PRUNE_SHARE", 10**6 if many else 0)
        for role in ("Chief Kite Officer", "Chief Yarn Officer", "Chief Kite Officer"):
            _role(sample_vault, role)
            build(sample_vault)
            saved = _saved(sample_vault)
            texts = "".join(text for rows in saved.values() for text in rows.values())
            assert role in _value_texts(sample_vault, saved)  # her stint, on her company's page
            old = {"Chief Kite Officer", "Chief Yarn Officer", "VP Engineering"} - {role}
            if many:
                assert not any(gone in texts for gone in old)  # her old stint's rows are gone
                assert sum(map(len, saved.values())) == count  # as many rows as shown
            else:
                assert sum(map(len, saved.values())) > count  # her old rows, still there


def test_damaged_or_foreign_rows_of_values_are_ignored(sample_vault: Path) -> None:
    build(sample_vault)
    pages = written(sample_vault)
    folder = sample_vault / ".vaultnet" / "rows"
    files = sorted(folder.glob("rows-*.pickle"))
    assert len(files) > 10
    for number, path in enumerate(files):
        payload = pickle.loads(path.read_bytes())
        forged = {
            block: {key: "| forged |\n" for key in rows} for block, rows in payload["rows"].items()
        }
        if number % 3 == 0:  # an older format
            path.write_bytes(pickle.dumps({**payload, "format": 1, "rows": forged}))
        elif number % 3 == 1:  # another version of vaultnet
            path.write_bytes(pickle.dumps({**payload, "version": "0.0.0", "rows": forged}))
        else:  # cut short
            path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    (sample_vault / ".vaultnet" / "last-build.json").unlink()  # past the early stop
    build(sample_vault)
    assert written(sample_vault) == pages
    texts = [text for rows in _saved(sample_vault).values() for text in rows.values()]
    assert texts and "| forged |\n" not in texts  # written again, whole


def test_a_watcher_renders_only_the_rows_of_values_that_changed(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A watcher's renders keep rows of values by the same keys, in memory."""
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY_DATE))
    rendered = _rendered(monkeypatch)
    _role(sample_vault, "Chief Kite Officer")
    result = builder.build(BuildRequest(TODAY_DATE, changed=("People/Ann Lee.md",)))
    changed = [item for item in rendered if not isinstance(item, Person)]
    assert changed and all("name='Ann Lee'" in repr(item) for item in changed)
    assert any(b"Chief Kite Officer" in page.text.encode() for page in result.pages)


def test_a_watcher_walks_only_the_values_made_again(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value the watcher's insights kept as it was (the same object) keeps its key; only
    values made again by the edit are walked for theirs."""
    walked = counted(monkeypatch, ValueKeys, "key", 1)  # the item of each key asked for
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY_DATE))
    shown = len(walked)  # the first render keys every value it shows
    assert shown
    walked.clear()
    _role(sample_vault, "Chief Kite Officer")
    builder.build(BuildRequest(TODAY_DATE, changed=("People/Ann Lee.md",)))
    assert walked and all("name='Ann Lee'" in repr(item) for item in walked)
    assert len(walked) < shown


def test_a_watcher_keeps_the_keys_of_values_while_their_pages_are_reused(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renders that reuse every page ask for no key; the values they show keep theirs
    for the next render of their pages, which walks only the values made again."""
    walked = counted(monkeypatch, ValueKeys, "key", 1)  # the item of each key asked for
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY_DATE))
    for _ in range(3):
        result = builder.build(BuildRequest(TODAY_DATE, changed=()))
        assert result.network is not None and result.network.patch is not None
    walked.clear()
    _role(sample_vault, "Chief Kite Officer")
    builder.build(BuildRequest(TODAY_DATE, changed=("People/Ann Lee.md",)))
    assert walked and all("name='Ann Lee'" in repr(item) for item in walked)


def test_keys_of_values_no_render_asked_for_lately_are_dropped() -> None:
    class Keys:
        def key(self, item: object, block: str) -> str:
            return f"{block}:{item!r}"

    store = Fragments()
    store.keep = store.keep_values = True
    store.keys = Keys()  # type: ignore[assignment]
    old = [("old", number) for number in range(300)]
    store.next_render()
    for value in old:
        store._value_key(value, "block")
    for _ in range(fragments_module.IDLE_RENDERS):
        store.next_render()
        store._value_key(old[0], "block")  # one still shown now and then
    fresh = [("fresh", number) for number in range(1000)]
    for value in fresh:
        store._value_key(value, "block")
    store.next_render()  # grown past twice its size: pruned
    kept = {entry[1] for entry in store.value_keys}
    assert id(old[0]) in kept and all(id(value) in kept for value in fresh)
    assert not any(id(value) in kept for value in old[1:])
