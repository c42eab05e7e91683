"""The duplicate check's saved warnings (state/modelstore.py ``people``) and the identities
of the notes they were found in, saved with each person (state/personstore.py): taken
exactly when every person note compares as it did, never the source of truth, and
ignored when planted or of another shape."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.state.builds import TODAY, append, counted, counting_forks, edit, written
from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.pipeline import build as build_module
from vaultnet.source.notes import Note
from vaultnet.source.parsed import KeyLines
from vaultnet.state import identities as identities_module
from vaultnet.state import people as people_module
from vaultnet.state import personstore
from vaultnet.state.cache import shard_of
from vaultnet.state.personstore import PersonStore

ANN = "People/Ann Lee.md"
PEOPLE = Path(".vaultnet") / "people"
DUPLICATE = "same email as People/Bob Marsh.md"


def _build(vault: Path, today: str = TODAY) -> list[str]:
    """``vaultnet build VAULT`` for ``today``; the warnings and errors it printed."""
    result = CliRunner().invoke(main, ["build", str(vault), "--today", today])
    assert result.exit_code in (0, 1), result.output
    return [
        line for line in result.output.splitlines() if ": warning: " in line or ": error: " in line
    ]


def _fresh(vault: Path, tmp_path: Path, today: str = TODAY) -> tuple[dict[str, bytes], list[str]]:
    """The pages and messages of a build of a copy of ``vault`` without ``.vaultnet/``."""
    copy = tmp_path / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(vault, copy, ignore=shutil.ignore_patterns(".vaultnet", "Network"))
    output = _build(copy, today)
    return written(copy), [line.replace(str(copy), str(vault)) for line in output]


def _with_a_duplicate(vault: Path) -> None:
    edit(vault / "People" / "Chloé Martin.md", "\n---", "\nemail: bob.marsh@initech.com\n---")


def test_the_saved_warnings_are_taken_while_no_identity_changed(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_a_duplicate(sample_vault)
    assert any(DUPLICATE in line for line in _build(sample_vault))
    checked = counted(monkeypatch, people_module, "duplicate_people")
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    output = _build(sample_vault)
    assert checked == []  # a log line: every identity as saved
    assert (written(sample_vault), output) == _fresh(sample_vault, tmp_path)
    # A build after ``rm -rf .vaultnet`` gives the same.
    checked.clear()
    edit(sample_vault / "People" / "Ann Lee.md", "\n---", "\nemail: ann@lee.example\n---")
    output = _build(sample_vault)
    assert len(checked) == 1 and any(DUPLICATE in line for line in output)
    assert (written(sample_vault), output) == _fresh(sample_vault, tmp_path)


def test_the_first_build_of_a_day_takes_the_identities_saved_the_day_before(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """People saved for another day are not loaded, the identities of their notes are
    (they do not depend on the day)."""
    _with_a_duplicate(sample_vault)
    _build(sample_vault)
    tomorrow = (dt.date.fromisoformat(TODAY) + dt.timedelta(days=1)).isoformat()
    config = load_config(sample_vault)
    loaded = PersonStore(sample_vault).load(config, dt.date.fromisoformat(tomorrow))
    assert not loaded.people and ANN in loaded.identities
    checked = counted(monkeypatch, people_module, "duplicate_people")
    identified = counted(monkeypatch, identities_module, "identity_key")
    output = _build(sample_vault, tomorrow)
    assert checked == [] and identified == [] and any(DUPLICATE in line for line in output)
    assert (written(sample_vault), output) == _fresh(sample_vault, tmp_path, tomorrow)


def _rewrite_head(vault: Path, change: Any) -> Path:
    """Rewrite the head of Ann's file of people with ``change`` applied to it."""
    target = vault / PEOPLE / f"people-{shard_of(ANN):02x}.pickle"
    with open(target, "rb") as handle:
        head = pickle.load(handle)
        rest = handle.read()
    change(head)
    target.write_bytes(pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL) + rest)
    return target


def test_a_planted_identity_makes_the_check_run_again(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An identity of the right shape and key that is not the note's (put there by
    hand): the digest of everyone's is not the one the warnings were saved under."""
    _with_a_duplicate(sample_vault)
    _build(sample_vault)

    def plant(head: dict[str, Any]) -> None:
        key, _ = head["identities"][ANN]
        head["identities"][ANN] = (key, "0" * 32)

    _rewrite_head(sample_vault, plant)
    assert PersonStore(sample_vault).load(load_config(sample_vault)).identities[ANN][1] == "0" * 32
    checked = counted(monkeypatch, people_module, "duplicate_people")
    append(sample_vault / "People" / "Bob Marsh.md", "- 2026-11-25 — call\n")
    output = _build(sample_vault)
    assert len(checked) == 1 and any(DUPLICATE in line for line in output)
    assert (written(sample_vault), output) == _fresh(sample_vault, tmp_path)


@pytest.mark.parametrize(
    "identities",
    [
        {ANN: ("key", 3)},
        {ANN: ["key", "digest"]},
        [(ANN, "key", "digest")],
    ],
    ids=["number", "list", "not-a-dict"],
)
def test_identities_of_another_shape_make_the_file_ignored(
    sample_vault: Path, tmp_path: Path, identities: object
) -> None:
    _build(sample_vault)

    def plant(head: dict[str, Any]) -> None:
        head["identities"] = identities

    _rewrite_head(sample_vault, plant)
    loaded = PersonStore(sample_vault).load(load_config(sample_vault))
    assert not {
        path for path in (*loaded.people, *loaded.identities) if shard_of(path) == shard_of(ANN)
    }
    assert loaded.people  # the other files are taken
    append(sample_vault / "People" / "Bob Marsh.md", "- 2026-11-25 — call\n")
    output = _build(sample_vault)
    assert (written(sample_vault), output) == _fresh(sample_vault, tmp_path)
    assert ANN in PersonStore(sample_vault).load(load_config(sample_vault)).identities


def test_the_names_are_taken_without_their_key_while_no_identity_changed(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The identities hold all the names are made of (path, name, aliases): while every
    note's is as saved, the names saved are taken without finding their key again."""
    _build(sample_vault)
    keyed = counted(monkeypatch, people_module, "names_key")
    made = counted(monkeypatch, people_module, "names_of")
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    output = _build(sample_vault)
    assert keyed == [] and made == []
    assert (written(sample_vault), output) == _fresh(sample_vault, tmp_path)
    keyed.clear()
    made.clear()
    # An email is no name: the key is found again, and is the one saved.
    edit(sample_vault / "People" / "Ann Lee.md", "\n---", "\nemail: ann@lee.example\n---")
    output = _build(sample_vault)
    assert len(keyed) == 1 and made == []
    assert (written(sample_vault), output) == _fresh(sample_vault, tmp_path)
    keyed.clear()
    made.clear()
    edit(sample_vault / "People" / "Ann Lee.md", "\n---", "\naliases: [Annie]\n---")
    output = _build(sample_vault)
    assert len(keyed) == 1 and len(made) == 1
    assert (written(sample_vault), output) == _fresh(sample_vault, tmp_path)


@pytest.mark.parametrize("helper", [False, True], ids=["here", "forked helper"])
def test_a_cold_build_finds_each_identity_once(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helper: bool
) -> None:
    """The warnings' key, the names' and the people saved share each note's identity: a
    build that lets go as it goes (the sample vault standing for a large one) finds it
    once, also when a forked helper saves the people (it takes them as found before the
    fork). Calls are counted in a file, which the helper appends to."""
    monkeypatch.setattr(build_module, "LET_GO_NOTES", 2)
    if helper:
        monkeypatch.setattr(personstore, "BACKGROUND_PEOPLE", 1)
    forks = counting_forks(monkeypatch)
    calls = tmp_path / "calls"
    real = identities_module.identity

    def counted_identity(note: Any) -> tuple[object, ...]:
        with calls.open("a", encoding="utf-8") as handle:
            handle.write(note.path + "\n")
        return real(note)

    monkeypatch.setattr(identities_module, "identity", counted_identity)
    _build(sample_vault)
    assert len(forks) == int(helper)
    found = calls.read_text(encoding="utf-8").splitlines()
    saved = PersonStore(sample_vault).load(load_config(sample_vault)).identities
    assert len(saved) > 40 and ANN in saved
    assert sorted(found) == sorted(saved)  # each person note's once


@pytest.mark.parametrize("packed", [True, False], ids=["key lines", "a dict"])
def test_the_lines_of_an_identity_are_those_the_note_has(packed: bool) -> None:
    """The lines the duplicate check's warnings name, picked from a note's lines (packed
    as a parse packs them, or a plain dict) without asking for the keys it lacks: those
    are None in its identity, and left out of its stub."""
    found = {"tier": 2, "email": 5, "name": 1, "company": 7}
    lines = KeyLines.of(found) if packed else found
    assert "email" in lines and "phone" not in lines and lines.get("phone") is None
    assert "phone" not in KeyLines() and KeyLines().get("name", 0) == 0
    note = Note(ANN, "Ann Lee", True, name="Ann Lee", email=("ann@x.org",), lines=lines)
    assert identities_module.identity(note)[-1] == (1, None, 5, None, None)
    stub = personstore.stub_of(note)
    assert stub is not None and dict(stub.lines) == {"name": 1, "email": 5}
