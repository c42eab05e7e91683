"""The fields of a saved person a build reads of few people (person.py ``More``), kept in
the last part of their file and unpickled only when one of its people's is asked for
(state/personstore.py ``SavedDetails``); made from the note when that part is unusable."""

from __future__ import annotations

import io
import pickle
import pickletools
import shutil
from pathlib import Path

import pytest

from tests.state.builds import append, build, counted, fresh, one_shot, written
from vaultnet.config import load_config
from vaultnet.state.cache import shard_of
from vaultnet.state.personstore import PersonStore, SavedDetails

ANN = "People/Ann Lee.md"


def _file_of(vault: Path, path: str) -> Path:
    return vault / ".vaultnet" / "people" / f"people-{shard_of(path):02x}.pickle"


def _with_last_part(target: Path, part: bytes) -> None:
    """Rewrite ``target`` with its head and people as they are and ``part`` after them."""
    data = io.BytesIO(target.read_bytes())
    for _ in range(2):  # the head, then the people and stubs: read, not loaded
        for _ in pickletools.genops(data):
            pass
    target.write_bytes(data.getvalue()[: data.tell()] + part)


def test_a_build_after_an_edit_unpickles_the_other_fields_of_few_files(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_shot(sample_vault)
    files = len(list((sample_vault / ".vaultnet" / "people").iterdir()))
    append(sample_vault / ANN, "- 2026-11-25 — call about the RFC\n")
    loads = counted(monkeypatch, SavedDetails, "_load")
    diagnostics = one_shot(sample_vault)
    monkeypatch.undo()
    assert len(loads) < files / 2
    assert (written(sample_vault), diagnostics) == fresh(sample_vault, tmp_path)


@pytest.mark.parametrize(
    "part",
    [
        b"not a pickle",
        pickle.dumps({ANN: ("London", "not", "the", "fields")}),  # another shape
        pickle.dumps([ANN]),
        pickle.dumps({ANN: None}),
        b"",  # cut off
    ],
    ids=["garbage", "another-shape", "a-list", "none", "cut-off"],
)
def test_other_fields_saved_unusable_are_made_from_the_note(
    sample_vault: Path, tmp_path: Path, part: bytes
) -> None:
    """The people of a file whose last part is damaged or planted are taken; their other
    fields, asked for (every row rendered again), are made from their notes."""
    build(sample_vault)
    _with_last_part(_file_of(sample_vault, ANN), part)
    config = load_config(sample_vault)
    _, person, _ = PersonStore(sample_vault).load(config).people[ANN]
    with pytest.raises(RuntimeError, match="before a build took them"):
        person.role  # noqa: B018 - not in the file, and no build said how to make it
    shutil.rmtree(sample_vault / ".vaultnet" / "rows")  # every row, Ann's role with hers
    append(sample_vault / "People" / "Bob Marsh.md", "- 2026-11-25 — call\n")
    build(sample_vault)
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]
