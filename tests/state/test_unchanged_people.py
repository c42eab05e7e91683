"""Saved people taken without finding their digest again (state/people.py ``_unchanged``):
exactly those whose note, mentions, names, day and configuration are as they were saved
with, which a build checks file by file rather than hashing everyone's inputs."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from tests.state.builds import append, build, counted, counting_forks, edit, fresh, written
from vaultnet.config import load_config
from vaultnet.pipeline import build as build_module
from vaultnet.state import people as people_module
from vaultnet.state import personstore
from vaultnet.state.cache import shard_of
from vaultnet.state.personstore import PersonStore

SAVED = Path(".vaultnet") / "people"
ANN = "People/Ann Lee.md"
# Two people saved in one file (by the hash of their paths).
AISHA, KATARZYNA = "People/Aisha Rahman.md", "People/Katarzyna Nowak.md"


def _file_of(vault: Path, path: str) -> Path:
    return vault / SAVED / f"people-{shard_of(path):02x}.pickle"


def _hashed_and_made(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[Any]]:
    """The paths of the people whose digest a build finds again from here on, and the
    notes of those it makes."""
    hashed = counted(monkeypatch, people_module, "make_key")
    made = counted(monkeypatch, people_module, "make_person")
    return hashed, made


def _paths(notes: list[Any]) -> list[str]:
    return [note.path for note in notes]


def _only_ann_is_hashed_after_her_edit(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edit Ann's note and build: hers is the one digest found and the one person made,
    and the output is a fresh build's."""
    append(vault / ANN, "- 2026-11-25 — call about the RFC\n")
    hashed, made = _hashed_and_made(monkeypatch)
    build(vault)
    assert hashed == [ANN] and _paths(made) == [ANN]
    monkeypatch.undo()
    assert written(vault) == fresh(vault, tmp_path)[0]


def test_a_build_after_an_edit_finds_the_digest_of_the_person_edited_alone(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everyone else's note, mentions, names and day are as saved: their digests too."""
    build(sample_vault)
    _only_ann_is_hashed_after_her_edit(sample_vault, tmp_path, monkeypatch)


def _mention_added(vault: Path) -> None:
    append(vault / "Daily" / "2026-11-24.md", "\nLunch with [[Katarzyna Nowak]].\n")


def _mention_removed(vault: Path) -> None:
    edit(vault / "Daily" / "2026-11-20.md", "[[Amara Nwosu]]", "Amara")


def _dated_note_added(vault: Path) -> None:
    (vault / "Daily" / "2026-11-25 b.md").write_text(
        "Coffee with [[Katarzyna Nowak]].\n", encoding="utf-8"
    )


def _dated_note_gone(vault: Path) -> None:
    (vault / "Daily" / "2026-11-20.md").unlink()


@pytest.mark.parametrize(
    ("change", "mentioned"),
    [
        (_mention_added, "People/Katarzyna Nowak.md"),
        (_mention_removed, "People/Amara Nwosu.md"),
        (_dated_note_added, "People/Katarzyna Nowak.md"),
        (_dated_note_gone, "People/Amara Nwosu.md"),
    ],
)
def test_a_person_mentioned_in_a_dated_note_that_changed_is_made_again(
    sample_vault: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Any,
    mentioned: str,
) -> None:
    """Their note is unchanged, their mentions are not: they are made again, and the
    pages are those of a build from nothing."""
    build(sample_vault)
    change(sample_vault)
    _, made = _hashed_and_made(monkeypatch)
    build(sample_vault)
    assert mentioned in _paths(made)
    monkeypatch.undo()
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]


def test_people_saved_with_what_they_were_made_with_of_another_shape_are_hashed(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose head does not say what its people were made with, in the shape
    vaultnet writes, still gives its people, each taken only when its digest is found
    again as saved."""
    build(sample_vault)
    config = load_config(sample_vault)
    loaded = PersonStore(sample_vault).load(config)
    target = _file_of(sample_vault, KATARZYNA)
    with open(target, "rb") as handle:
        head = pickle.load(handle)
    head["mentioned"] = str(head["mentioned"])
    saved = {  # as they were, but for where they are mentioned: not said again
        path: (entry, *loaded.stubs[path], loaded.identities[path][1], None)
        for path, entry in loaded.people.items()
        if shard_of(path) == shard_of(KATARZYNA)
    }
    with open(target, "wb") as handle:
        personstore._dump(head, saved, handle)
    append(sample_vault / ANN, "- 2026-11-25 — call about the RFC\n")
    hashed, made = _hashed_and_made(monkeypatch)
    build(sample_vault)
    assert sorted(hashed) == sorted([ANN, AISHA, KATARZYNA]) and _paths(made) == [ANN]
    monkeypatch.undo()
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]


def test_a_build_that_lets_go_of_its_notes_saves_the_people_taken_beside_one_made(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file of the person edited is written again with the other person it holds,
    taken as saved (their note's key as saved with them: the notes are gone by then)."""
    assert shard_of(AISHA) == shard_of(KATARZYNA)
    monkeypatch.setattr(build_module, "LET_GO_NOTES", 1)
    build(sample_vault)
    append(sample_vault / AISHA, "- 2026-11-25 — call about the RFC\n")
    build(sample_vault)
    saved = PersonStore(sample_vault).load(load_config(sample_vault)).people
    assert {AISHA, KATARZYNA} <= set(saved)
    _only_ann_is_hashed_after_her_edit(sample_vault, tmp_path, monkeypatch)


def test_people_a_helper_saved_are_taken_without_finding_their_digest_again(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forked helper saves where everyone is mentioned, as a build's own save does."""
    monkeypatch.setattr(personstore, "BACKGROUND_PEOPLE", 1)
    forks = counting_forks(monkeypatch)
    build(sample_vault)
    assert len(forks) == 1  # the people's (the parse cache's waits for many more notes)
    _only_ann_is_hashed_after_her_edit(sample_vault, tmp_path, monkeypatch)
