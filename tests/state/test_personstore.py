"""The people saved between builds (state/personstore.py): taken exactly where their digest
matches, never the source of truth, and ignored when damaged."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
from pathlib import Path

import pytest

from tests.state.builds import (
    TODAY,
    append,
    build,
    counted,
    counting_forks,
    edit,
    fresh,
    one_shot,
    written,
)
from vaultnet.config import load_config
from vaultnet.model.person import Details
from vaultnet.pipeline import build as build_module
from vaultnet.pipeline.build import Builder, BuildRequest
from vaultnet.state import people as people_module
from vaultnet.state import personstore
from vaultnet.state.cache import NoteCache, shard_of
from vaultnet.state.personstore import PersonStore

SAVED = Path(".vaultnet") / "people"
ANN = "People/Ann Lee.md"


def _file_of(vault: Path, path: str) -> Path:
    return vault / SAVED / f"people-{shard_of(path):02x}.pickle"


def _only_the_person_edited_is_made(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tags: str = ""
) -> None:
    """After an edit of Ann's note, a build makes Ann alone, and its pages (and warnings)
    are those of a build from nothing."""
    append(vault / ANN, f"- 2026-11-25 — call about the RFC {tags}\n")
    made = counted(monkeypatch, people_module, "make_person")
    diagnostics = one_shot(vault)
    assert [note.path for note in made] == [ANN]
    monkeypatch.undo()
    assert (written(vault), diagnostics) == fresh(vault, tmp_path)


def test_a_build_after_an_edit_makes_only_the_person_edited(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new process takes everyone else from the saved people; their interactions and
    front matter, which are not saved, are made from their notes where pages show them:
    the pages are those of a build from nothing."""
    one_shot(sample_vault)
    _only_the_person_edited_is_made(sample_vault, tmp_path, monkeypatch, "#gave")


def test_saved_people_are_made_again_when_what_they_depend_on_changes(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new name changes what links resolve to: everyone is made again, from their notes
    (which the saved people do not hold), and the pages are those of a fresh build."""
    one_shot(sample_vault)
    edit(sample_vault / ANN, "aliases: [Ann]", "aliases: [Ann, Annie]")
    made = counted(monkeypatch, people_module, "make_person")
    diagnostics = one_shot(sample_vault)
    people = [p for p in (sample_vault / "People").rglob("*.md")]
    assert len(made) == len(people)
    monkeypatch.undo()
    assert (written(sample_vault), diagnostics) == fresh(sample_vault, tmp_path)


def test_people_saved_with_other_tiers_are_not_taken(sample_vault: Path, tmp_path: Path) -> None:
    """Tiers are saved by name and taken from the configuration: after a tier's cadence
    changes, nobody saved with the old one is taken (their digest holds the configuration)."""
    one_shot(sample_vault)
    config = sample_vault / "vaultnet.toml"
    text = config.read_text("utf-8")
    tiers = text[text.index("# [[tiers]]") :].replace("# ", "").replace('"30d"', '"3d"')
    config.write_text(text + tiers, "utf-8")
    diagnostics = one_shot(sample_vault)
    assert (written(sample_vault), diagnostics) == fresh(sample_vault, tmp_path)


@pytest.mark.parametrize(
    "damage",
    [
        b"not a pickle",
        pickle.dumps({"format": 1, "version": "0"}),
        pickle.dumps(os.system),  # names a function: refused, never called
        b"\x80\x05\x95",  # cut short
    ],
)
def test_a_damaged_file_of_people_is_ignored(
    sample_vault: Path, tmp_path: Path, damage: bytes
) -> None:
    one_shot(sample_vault)
    target = _file_of(sample_vault, ANN)
    target.write_bytes(damage)
    append(sample_vault / ANN, "- 2026-11-25 — call\n")
    diagnostics = one_shot(sample_vault)
    assert (written(sample_vault), diagnostics) == fresh(sample_vault, tmp_path)
    config = load_config(sample_vault)
    assert ANN in PersonStore(sample_vault).load(config).people  # written again


def test_a_file_of_people_in_the_wrong_place_is_ignored(sample_vault: Path) -> None:
    """Each file holds the people of its shard only (a file copied over another is not
    taken)."""
    one_shot(sample_vault)
    config = load_config(sample_vault)
    files = sorted((sample_vault / SAVED).iterdir())
    source, other = files[0], files[1]
    held = set(PersonStore(sample_vault).load(config).people)
    other.write_bytes(source.read_bytes())
    assert set(PersonStore(sample_vault).load(config).people) < held


def test_a_person_gone_is_no_longer_saved(sample_vault: Path) -> None:
    one_shot(sample_vault)
    (sample_vault / ANN).unlink()
    one_shot(sample_vault)
    saved = PersonStore(sample_vault).load(load_config(sample_vault)).people
    assert ANN not in saved and saved


def test_a_saved_person_knows_no_details_until_a_build_takes_them(sample_vault: Path) -> None:
    """Interactions and front matter are never saved: asked for before a build said how
    to make them, they fail loudly rather than show nothing. The rest of the person's
    fields (``More``) are saved, and found without the note."""
    one_shot(sample_vault)
    _, person, _ = PersonStore(sample_vault).load(load_config(sample_vault)).people[ANN]
    assert isinstance(person.details, Details) and not person.details.made(ANN)
    assert person.email == ("ann.lee@harborhealth.co.uk", "annlee.dev@gmail.com")
    assert person.aliases == ("Ann",) and person.role == "VP Engineering"
    with pytest.raises(RuntimeError, match="before a build took them"):
        person.interactions  # noqa: B018 - the read is what is tested


def test_a_build_after_an_edit_reads_no_other_person_note(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unchanged person notes are read as the stubs saved with their people; a person whose
    interactions a page shows has their note read whole then."""
    one_shot(sample_vault)
    append(sample_vault / ANN, "- 2026-11-25 — call about the RFC\n")
    asked = counted(monkeypatch, NoteCache, "get", 1)  # the source asked for
    diagnostics = one_shot(sample_vault)
    monkeypatch.undo()
    people = {p.relative_to(sample_vault).as_posix() for p in (sample_vault / "People").rglob("*")}
    read = {source.path for source in asked} & people
    assert ANN in read and len(read) < len(people) / 2
    assert (written(sample_vault), diagnostics) == fresh(sample_vault, tmp_path)


def test_stubs_stand_in_for_notes_the_parse_cache_lost(sample_vault: Path, tmp_path: Path) -> None:
    """Without the parse cache, a note read whole for a saved person is parsed again."""
    one_shot(sample_vault)
    shutil.rmtree(sample_vault / ".vaultnet" / "cache")
    edit(sample_vault / ANN, "aliases: [Ann]", "aliases: [Ann, Annie]")  # everyone made again
    diagnostics = one_shot(sample_vault)
    assert (written(sample_vault), diagnostics) == fresh(sample_vault, tmp_path)


def test_many_people_are_saved_by_a_helper_process(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From BACKGROUND_PEOPLE people made, a forked helper saves them while the build goes
    on; the next build takes them as from a save of its own."""
    monkeypatch.setattr(personstore, "BACKGROUND_PEOPLE", 1)
    forks = counting_forks(monkeypatch)
    one_shot(sample_vault)
    assert len(forks) == 1  # the people's (the parse cache's waits for many more notes)
    _only_the_person_edited_is_made(sample_vault, tmp_path, monkeypatch)


def test_what_a_helper_failed_to_save_is_saved_by_the_next_save(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A watcher's builds save again what its first build's helper could not write."""
    monkeypatch.setattr(personstore, "BACKGROUND_PEOPLE", 1)
    monkeypatch.setattr(personstore, "_dump", _failing_dump)
    config = load_config(sample_vault)
    builder = Builder(config, NoteCache.for_vault(sample_vault))
    builder.build(BuildRequest(dt.date.fromisoformat(TODAY)))  # nothing can be written
    assert not PersonStore(sample_vault).load(config).people
    monkeypatch.undo()
    builder.save_state()  # nobody made since: only what was not written
    assert len(PersonStore(sample_vault).load(config).people) > 10


def _failing_dump(_head: object, _people: object, _handle: object) -> None:
    raise OSError("disk full")


def test_people_saved_for_another_day_are_not_loaded(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Follow-ups depend on the day, and so does every person's digest: the first build
    of a day reads no saved person, and no stub."""
    one_shot(sample_vault)
    config = load_config(sample_vault)
    today = dt.date.fromisoformat(TODAY)
    assert PersonStore(sample_vault).load(config, today).people
    assert not PersonStore(sample_vault).load(config, today + dt.timedelta(days=1)).people
    whole = counted(monkeypatch, Builder, "_whole_note")
    made = counted(monkeypatch, people_module, "make_person")
    builder = Builder(config, NoteCache.for_vault(sample_vault))
    builder.build(BuildRequest(today + dt.timedelta(days=1)))
    assert whole == [] and len(made) > 10  # everyone made again, from notes read whole
    assert PersonStore(sample_vault).load(config, today + dt.timedelta(days=1)).people


def test_a_build_that_lets_go_of_its_notes_reads_them_again_for_saved_people(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large vault's one-shot build lets go of its notes once the network is made; a
    saved person whose interactions a page shows later has their note parsed again."""
    monkeypatch.setattr(build_module, "LET_GO_NOTES", 1)
    # A meeting tomorrow: Bob gets a brief, which shows his last contacts.
    append(sample_vault / "People" / "Bob Marsh.md", "- 2026-11-27 — meeting: roadmap review\n")
    build(sample_vault)
    append(sample_vault / ANN, "- 2026-11-25 — call about the RFC\n")
    whole = counted(monkeypatch, Builder, "_whole_note", 1)  # the stub read whole
    build(sample_vault)
    assert whole == []  # his brief shows nothing that changed: read back from its file
    # Ravi Menon now knows him: his brief is made again, from his note read whole.
    edit(sample_vault / "People" / "Ravi Menon.md", "tier:", 'knows: ["[[Bob Marsh]]"]\ntier:')
    build(sample_vault)
    assert [stub.path for stub in whole] == ["People/Bob Marsh.md"]  # for his brief
    monkeypatch.undo()
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]


@pytest.mark.parametrize("once", [False, True], ids=["kept", "let go"])
def test_the_people_are_asked_for_file_by_file(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, once: bool
) -> None:
    """A cold build saves everyone, each file's people (with their notes' stubs) made
    for that file alone, never all of them at once; the next build takes them all."""
    if once:
        monkeypatch.setattr(build_module, "LET_GO_NOTES", 2)  # as a large vault's build
    asked = counted(monkeypatch, people_module.PeopleState, "_people", 1)
    build(sample_vault)
    saved = PersonStore(sample_vault).load(load_config(sample_vault)).people
    assert len(asked) > 1 and len(saved) > 40
    assert all(len({shard_of(path) for path in paths}) == 1 for paths in asked)
    assert sorted(path for paths in asked for path in paths) == sorted(saved)
    monkeypatch.undo()
    _only_the_person_edited_is_made(sample_vault, tmp_path, monkeypatch)
