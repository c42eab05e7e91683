"""What a build saves in ``.vaultnet/`` after a few edits: the files that changed, made of
the people and rows that changed and of what the files held (personstore.py,
rowstore.py), never everyone's."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.state.builds import TODAY, append, build, counted, fresh, written
from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.model.person import Person
from vaultnet.pipeline import build as build_module
from vaultnet.pipeline.build import Builder, BuildRequest
from vaultnet.state import personstore
from vaultnet.state.cache import NoteCache, shard_of
from vaultnet.state.people import PeopleState
from vaultnet.state.personstore import PersonStore
from vaultnet.state.rowstore import RowStore

PEOPLE = Path(".vaultnet") / "people"
ANN = "People/Ann Lee.md"


def _person_notes(vault: Path) -> set[str]:
    return {p.relative_to(vault).as_posix() for p in (vault / "People").rglob("*.md")}


def _files(folder: Path) -> dict[str, int]:
    """Each file of a folder by name, with its inode: an atomic write makes a new one."""
    return {p.name: p.stat().st_ino for p in folder.iterdir()}


def test_a_build_after_an_edit_saves_only_the_file_of_the_person_edited(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the people of the edited person's file are gathered and written; the other
    files stay as they are, and everyone is still saved."""
    monkeypatch.setattr(build_module, "LET_GO_NOTES", 1)  # lets go, as a large vault's
    build(sample_vault)
    before = _files(sample_vault / PEOPLE)
    append(sample_vault / ANN, "- 2026-11-25 — call about the RFC\n")
    asked = counted(monkeypatch, PeopleState, "_people", 1)
    build(sample_vault)
    monkeypatch.undo()
    people = _person_notes(sample_vault)
    assert [sorted(paths) for paths in asked] == [
        sorted(path for path in people if shard_of(path) == shard_of(ANN))
    ]
    after = _files(sample_vault / PEOPLE)
    assert {name for name in after if after[name] != before.get(name)} == {
        f"people-{shard_of(ANN):02x}.pickle"
    }
    assert set(PersonStore(sample_vault).load(load_config(sample_vault)).people) == people
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]


def test_people_a_save_could_not_write_are_written_by_the_next(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that could not be written is written whole by the next save, though no one
    in it was made since."""
    config = load_config(sample_vault)
    builder = Builder(config, NoteCache.for_vault(sample_vault))
    monkeypatch.setattr(personstore, "_dump", _failing_dump)
    builder.build(BuildRequest(dt.date.fromisoformat(TODAY)))
    assert not PersonStore(sample_vault).load(config).people
    monkeypatch.undo()
    builder.save_state()
    assert set(PersonStore(sample_vault).load(config).people) == _person_notes(sample_vault)


def _failing_dump(_head: object, _people: object, _handle: object) -> None:
    raise OSError("disk full")


ROWS = Path(".vaultnet") / "rows"


def _rows(vault: Path, day: str = TODAY) -> dict[str, dict[str, str]]:
    return RowStore.for_vault(vault).load(dt.date.fromisoformat(day))


def _texts(vault: Path, day: str = TODAY) -> dict[str, list[str]]:
    """The texts of the rows saved for ``day``, by block (the keys hold the notes' times:
    another vault's differ)."""
    return {block: sorted(rows.values()) for block, rows in _rows(vault, day).items()}


def test_rows_saved_after_an_edit_are_those_a_build_from_nothing_saves(
    sample_vault: Path, tmp_path: Path
) -> None:
    """A build after an edit writes only the files of rows rendered, each with the rows it
    held that are still used and those added: the rows on disk hold those a build without
    ``.vaultnet/`` saves, and the pages are the same. The rows no longer used (Ann's
    before the edit) wait in files no row was rendered into; the first build of the next
    day renders every row again, and the rows of its day on disk are exactly those a build
    from nothing saves (a file no row was rendered into keeps the day before's, never read
    again)."""
    build(sample_vault)
    before = _files(sample_vault / ROWS)
    append(sample_vault / ANN, "- 2026-11-25 — call about the RFC\n")
    build(sample_vault)
    after = _files(sample_vault / ROWS)
    rewritten = {name for name in after if after[name] != before.get(name)}
    assert rewritten and len(rewritten) < len(after) // 2
    copy = tmp_path / "fresh"
    shutil.copytree(sample_vault, copy, ignore=shutil.ignore_patterns(".vaultnet", "Network"))
    build(copy)
    assert written(sample_vault) == written(copy)
    mine, theirs = _texts(sample_vault), _texts(copy)
    assert mine != theirs  # her rows before the edit, still on disk
    for block, texts in theirs.items():
        assert not Counter(texts) - Counter(mine.get(block, [])), block
    for vault in (sample_vault, copy):
        result = CliRunner().invoke(main, ["build", str(vault), "--today", "2026-11-27"])
        assert result.exit_code in (0, 1), result.output
    assert _texts(sample_vault, "2026-11-27") == _texts(copy, "2026-11-27")
    assert written(sample_vault) == written(copy)


def _forge_text(rows: dict[str, dict[str, object]]) -> None:
    block = next(iter(rows))
    key = next(iter(rows[block]))
    rows[block][key] = 7  # a number where a row's text goes


def _forge_place(rows: dict[str, dict[str, object]]) -> None:
    block = next(iter(rows))
    rows[block]["zz" + "0" * 30] = b"| planted |\n"  # a key of another file


def _forge_block(rows: dict[str, dict[str, object]]) -> None:
    rows["planted"] = [b"| planted |\n"]  # type: ignore[assignment]


def _forge_key(rows: dict[str, dict[str, object]]) -> None:
    block = next(iter(rows))
    rows[block][(1, 2)] = b"| planted |\n"  # type: ignore[index]


def _forge_str(rows: dict[str, dict[str, object]]) -> None:
    block = next(iter(rows))
    key = next(iter(rows[block]))
    rows[block][key] = "| planted |\n"  # a text, not its UTF-8 bytes as saved


def _forge_utf8(rows: dict[str, dict[str, object]]) -> None:
    block = next(iter(rows))
    key = next(iter(rows[block]))
    rows[block][key] = b"| planted \xff|\n"  # no UTF-8


def test_rows_are_saved_as_their_utf8_bytes(sample_vault: Path) -> None:
    """Each row's text is saved as its bytes (pickling a text would keep a UTF-8 copy
    of it in the text the build holds), and read back as the same text."""
    build(sample_vault)
    saved = [
        data
        for file in (sample_vault / ROWS).glob("rows-*.pickle")
        for rows in pickle.loads(file.read_bytes())["rows"].values()
        for data in rows.values()
    ]
    assert saved and all(type(data) is bytes for data in saved)
    assert any(max(data) > 127 for data in saved)  # names beyond ASCII
    texts = [text for rows in _rows(sample_vault).values() for text in rows.values()]
    assert sorted(texts) == sorted(data.decode() for data in saved)


@pytest.mark.parametrize(
    "forge", [_forge_text, _forge_place, _forge_block, _forge_key, _forge_str, _forge_utf8]
)
def test_a_file_of_rows_of_another_shape_is_ignored(
    sample_vault: Path, tmp_path: Path, forge: Callable[[dict[str, dict[str, object]]], None]
) -> None:
    """Plain values, but not the shape vaultnet writes: the whole file is ignored, its
    rows rendered again and the file written again."""
    build(sample_vault)
    pages = written(sample_vault)
    # Not the first file: a key that is no hexadecimal digest counts as the first's.
    target = next(p for p in sorted((sample_vault / ROWS).iterdir()) if p.stem[-2:] != "00")
    payload = pickle.loads(target.read_bytes())
    day = dt.date.fromisoformat(TODAY)
    assert RowStore.for_vault(sample_vault)._read(int(target.stem[-2:], 16), day)
    forge(payload["rows"])
    target.write_bytes(pickle.dumps(payload))
    assert not RowStore.for_vault(sample_vault)._read(int(target.stem[-2:], 16), day)
    (sample_vault / ".vaultnet" / "last-build.json").unlink()  # past the early stop
    build(sample_vault)
    assert written(sample_vault) == pages
    texts = [text for rows in _rows(sample_vault).values() for text in rows.values()]
    assert texts and all(type(text) is str and "planted" not in text for text in texts)


def _file_of(vault: Path, path: str) -> Path:
    return vault / PEOPLE / f"people-{shard_of(path):02x}.pickle"


def _plant(vault: Path, forge: Callable[[dict[str, Any]], None]) -> None:
    """Rewrite the file of Ann's shard, its head as it is, its people changed by
    ``forge``: plain values and the model's tuples, of a shape vaultnet does not write."""
    config = load_config(vault)
    loaded = PersonStore(vault).load(config)
    target = _file_of(vault, ANN)
    with open(target, "rb") as handle:
        head = pickle.load(handle)
    saved: dict[str, Any] = {
        path: (entry, *loaded.stubs.get(path, ("", None)), loaded.identities[path][1], None)
        for path, entry in loaded.people.items()
        if shard_of(path) == shard_of(ANN)
    }
    forge(saved)
    with open(target, "wb") as handle:
        personstore._dump(head, saved, handle)


def _longer(saved: dict[str, Any]) -> None:
    (digest, person, warnings), *rest = saved[ANN]
    longer = tuple.__new__(Person, (*person, "more"))
    saved[ANN] = ((digest, longer, warnings), *rest)


def _elsewhere(saved: dict[str, Any]) -> None:
    saved["People/Someone else.md"] = saved[ANN]


def _other_digest(saved: dict[str, Any]) -> None:
    (_, person, warnings), *rest = saved[ANN]
    saved[ANN] = (("0" * 32, person, warnings), *rest)


def _not_a_warning(saved: dict[str, Any]) -> None:
    (digest, person, _), *rest = saved[ANN]
    saved[ANN] = ((digest, person, ("a warning",)), *rest)


def _stub_of_another(saved: dict[str, Any]) -> None:
    entry, key, stub, identity, mentioned = saved[ANN]
    saved[ANN] = (entry, key, stub._replace(path="People/Someone else.md"), identity, mentioned)


def _entry_as_a_list(saved: dict[str, Any]) -> None:
    entry, *rest = saved[ANN]
    saved[ANN] = (list(entry), *rest)


@pytest.mark.parametrize(
    "forge",
    [_longer, _elsewhere, _other_digest, _not_a_warning, _stub_of_another, _entry_as_a_list],
)
def test_a_file_of_people_of_another_shape_is_ignored(
    sample_vault: Path, tmp_path: Path, forge: Callable[[dict[str, Any]], None]
) -> None:
    """A planted file of plain values and the model's tuples, but not the shape vaultnet
    writes, is ignored whole; the people in it are made from their notes."""
    build(sample_vault)
    config = load_config(sample_vault)
    assert ANN in PersonStore(sample_vault).load(config).people
    _plant(sample_vault, forge)
    loaded = PersonStore(sample_vault).load(config)
    assert not {path for path in loaded.people if shard_of(path) == shard_of(ANN)}
    assert not {path for path in loaded.stubs if shard_of(path) == shard_of(ANN)}
    append(sample_vault / "People" / "Bob Marsh.md", "- 2026-11-25 — call\n")
    build(sample_vault)
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]
    assert ANN in PersonStore(sample_vault).load(config).people  # written again


def test_a_file_of_people_planted_as_written_is_taken(sample_vault: Path) -> None:
    """The check of ``_plant`` itself: a file rewritten unchanged is taken."""
    build(sample_vault)
    config = load_config(sample_vault)
    before = PersonStore(sample_vault).load(config)
    _plant(sample_vault, lambda saved: None)
    after = PersonStore(sample_vault).load(config)
    assert set(after.people) == set(before.people) and set(after.stubs) == set(before.stubs)
    assert after.identities == before.identities


def test_a_person_made_then_gone_before_the_save_is_not_saved(sample_vault: Path) -> None:
    """A watcher's builds save once, at the end: someone made by one build and whose note
    is gone by the next is not asked for, nor saved."""
    config = load_config(sample_vault)
    today = dt.date.fromisoformat(TODAY)
    builder = Builder(config, NoteCache.for_vault(sample_vault))
    builder.build(BuildRequest(today, save=False))  # everyone made, nothing saved yet
    (sample_vault / ANN).unlink()
    builder.build(BuildRequest(today, save=False, changed=(ANN,)))
    builder.save_state()
    saved = PersonStore(sample_vault).load(config).people
    assert ANN not in saved
    assert set(saved) == _person_notes(sample_vault)
