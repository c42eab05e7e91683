"""The model's saved lookups (state/modelstore.py): taken where their keys match, never
the source of truth, and ignored when damaged."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
from pathlib import Path

import pytest

from tests.state.builds import append, counted, edit, fresh, one_shot, written
from vaultnet.config import load_config
from vaultnet.model import person as person_module
from vaultnet.pipeline.build import Builder, BuildRequest, Mode
from vaultnet.state import modelstore
from vaultnet.state import people as people_module
from vaultnet.state.cache import NoteCache
from vaultnet.version import VERSION

TODAY = dt.date(2026, 11, 26)
SAVED = Path(".vaultnet") / "model"


def test_a_build_from_the_saved_model_equals_a_fresh_one(
    sample_vault: Path, tmp_path: Path
) -> None:
    one_shot(sample_vault)
    assert sorted(p.name for p in (sample_vault / SAVED).iterdir()) == [
        "dated.pickle",
        "names.pickle",
        "network.pickle",
        "people.pickle",
        "refs.pickle",
    ]
    people = sample_vault / "People"
    # A person note's log, another's email (now the same as Bob Marsh's: a duplicate),
    # and a dated note's mentions.
    append(people / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    edit(people / "Chloé Martin.md", "\n---", "\nemail: bob.marsh@initech.com\n---")
    append(next((sample_vault / "Daily").glob("*.md")), "\nMet [[Bob Marsh]].\n")
    diagnostics = one_shot(sample_vault)
    assert any("same email as People/Bob Marsh.md" in d for d in diagnostics)
    assert (written(sample_vault), diagnostics) == fresh(sample_vault, tmp_path)
    # And back: the warning goes, as it would without anything saved.
    edit(people / "Chloé Martin.md", "\nemail: bob.marsh@initech.com\n---", "\n---")
    diagnostics = one_shot(sample_vault)
    assert not any("same email as People/Bob Marsh.md" in d for d in diagnostics)
    assert (written(sample_vault), diagnostics) == fresh(sample_vault, tmp_path)


def test_what_is_saved_is_taken_where_its_keys_match(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_shot(sample_vault)
    checked = counted(monkeypatch, people_module, "duplicate_people")
    resolved = counted(monkeypatch, person_module, "_ref")
    scanned = counted(monkeypatch, people_module, "mentions_in")
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    daily = next((sample_vault / "Daily").glob("*.md"))
    append(daily, "\nMet [[Bob Marsh]].\n")
    one_shot(sample_vault)
    # A log line changes no name, no identity and no reference: all are taken as saved;
    # only the dated note that changed is read for mentions again.
    assert checked == [] and resolved == []
    assert [note.path for note in scanned] == [daily.relative_to(sample_vault).as_posix()]
    # A new name resolves everything again (references are saved under the names' key),
    # and the duplicate check runs when a note changed what it compares.
    edit(sample_vault / "People" / "Ann Lee.md", "\n---", "\naliases: [Annie]\n---")
    one_shot(sample_vault)
    assert len(checked) == 1 and resolved


def test_only_the_parts_that_changed_are_written(sample_vault: Path) -> None:
    one_shot(sample_vault)
    files = {name: sample_vault / SAVED / f"{name}.pickle" for name in ("refs", "dated", "people")}
    for path in files.values():
        os.utime(path, ns=(1, 1))
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    one_shot(sample_vault)
    # The note's key and identity are saved with the person (.vaultnet/people/); no
    # identity, reference or dated note changed.
    assert {name: path.stat().st_mtime_ns != 1 for name, path in files.items()} == {
        "refs": False,
        "dated": False,
        "people": False,
    }
    # A new email changes what the duplicate check compares: its warnings are saved again
    # under the new digest of everyone's identities.
    edit(sample_vault / "People" / "Ann Lee.md", "\n---", "\nemail: ann@example.org\n---")
    one_shot(sample_vault)
    assert files["people"].stat().st_mtime_ns != 1 and files["refs"].stat().st_mtime_ns == 1


class Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x80\x04garbage",
        pickle.dumps({"format": modelstore.FORMAT, "version": "0.0.0", "value": {}}),
        pickle.dumps({"format": modelstore.FORMAT + 1, "version": VERSION, "value": {}}),
        pickle.dumps(Evil()),
        "shapes",
    ],
    ids=["empty", "garbage", "version", "format", "class", "shapes"],
)
def test_a_damaged_saved_model_is_ignored(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | str
) -> None:
    one_shot(sample_vault)
    for part in ("refs", "dated", "people"):
        path = sample_vault / SAVED / f"{part}.pickle"
        if content == "shapes":  # the right header, values of another shape
            payload = pickle.loads(path.read_bytes())
            bad = {"refs": ("key", {"[[Ann Lee]]": ("Ann", 1, True, None, False)})}
            dated = {"Daily/x.md": ("k", "n", [("People/Ann Lee.md", 0, None, "x", 1, "x")])}
            bad["dated"] = ("config", dated)  # day 0: before the calendar
            bad["people"] = ("config", {"People/Ann Lee.md": ("k", 3)}, [])
            path.write_bytes(pickle.dumps({**payload, "value": bad[part]}))
        else:
            assert isinstance(content, bytes)
            path.write_bytes(content)
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    expected = fresh(sample_vault, tmp_path)
    monkeypatch.chdir(tmp_path)
    assert (written(sample_vault), one_shot(sample_vault)) == expected
    assert not (tmp_path / "pwned").exists()
    # Written again whole, and taken by the next build.
    saved = modelstore.load(sample_vault)
    assert saved.refs and saved.dated and saved.people
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-26 — lunch\n")
    expected = fresh(sample_vault, tmp_path)
    assert (written(sample_vault), one_shot(sample_vault)) == expected


def test_saved_references_to_nobody_are_ignored(sample_vault: Path) -> None:
    """A file of the right shape and key whose references name a person the vault does
    not have (put there by hand) is not taken."""
    one_shot(sample_vault)
    path = sample_vault / SAVED / "refs.pickle"
    payload = pickle.loads(path.read_bytes())
    key, refs = payload["value"]
    planted = {text: (*ref[:3], "People/Nobody.md", ref[4]) for text, ref in refs.items()}
    path.write_bytes(pickle.dumps({**payload, "value": (key, planted)}))
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    builder = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault))
    builder.people_state().load(sample_vault, builder.config)
    network = builder.build(BuildRequest(TODAY, Mode.MODEL)).network
    assert network is not None
    people = [ref.person for p in network.people for ref in (*p.knows, *p.introduced_by)]
    assert "People/Zoë Okafor.md" in people and "People/Nobody.md" not in people


def test_what_another_configuration_saved_is_not_taken(tmp_path: Path) -> None:
    """How a note is parsed depends on the configuration, and its key (size and time)
    does not say so: here Obsidian's daily-note format comes to date a journal note by its
    name rather than by its ``date``, and so the mention in it."""
    vault = tmp_path / "vault"
    for folder in ("People", "Journal", ".obsidian"):
        (vault / folder).mkdir(parents=True)
    (vault / "People" / "Ann Lee.md").write_text("---\ntier: champion\n---\n", "utf-8")
    journal = "---\ndate: 2026-11-10\n---\nLunch with [[Ann Lee]].\n"
    (vault / "Journal" / "20.11.2026.md").write_text(journal, "utf-8")
    one_shot(vault)
    assert "10 Nov · 2 weeks ago" in (vault / "Network" / "Index.md").read_text("utf-8")
    daily = '{"folder": "Journal", "format": "DD.MM.YYYY"}'
    (vault / ".obsidian" / "daily-notes.json").write_text(daily, "utf-8")
    diagnostics = one_shot(vault)
    assert "20 Nov · 6 days ago" in (vault / "Network" / "Index.md").read_text("utf-8")
    assert (written(vault), diagnostics) == fresh(vault, tmp_path)


def test_never_through_a_link(sample_vault: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (sample_vault / ".vaultnet").mkdir()
    (sample_vault / SAVED).symlink_to(outside, target_is_directory=True)
    one_shot(sample_vault)
    assert list(outside.iterdir()) == []
    # Nor is what lies there read.
    other = tmp_path / "other"
    modelstore.save(other, modelstore.REFS, ("key", {}))
    assert modelstore.load(other).refs == ("key", {})
    shutil.copy(other / SAVED / "refs.pickle", outside / "refs.pickle")
    assert modelstore.load(sample_vault).refs is None


def test_a_watchers_builds_resolve_a_reference_once_while_the_names_stay(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = Builder(load_config(sample_vault), NoteCache.in_memory())
    builder.build(BuildRequest(TODAY, Mode.MODEL))
    resolved = counted(monkeypatch, person_module, "_ref")
    edit(sample_vault / "People" / "Ann Lee.md", "role: VP Engineering", "role: CTO")
    builder.build(BuildRequest(TODAY, Mode.MODEL))
    assert resolved == []
    edit(sample_vault / "People" / "Ann Lee.md", "role: CTO", "role: CTO\naliases: [Annie]")
    builder.build(BuildRequest(TODAY, Mode.MODEL))
    assert "[[Zoë Okafor]]" in resolved  # Ann knows her: resolved against the new names


def test_vaultnet_build_saves_the_model_and_takes_it_the_next_time(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from vaultnet.cli.main import main

    runner = CliRunner()
    args = ["build", str(sample_vault), "--today", TODAY.isoformat(), "-q"]
    assert runner.invoke(main, args).exit_code == 0
    assert sorted(p.name for p in (sample_vault / SAVED).iterdir()) == [
        "dated.pickle",
        "names.pickle",
        "network.pickle",
        "people.pickle",
        "refs.pickle",
    ]
    checked = counted(monkeypatch, people_module, "duplicate_people")
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-20 — coffee\n")
    assert runner.invoke(main, args).exit_code == 0
    assert checked == []  # the duplicate check of unchanged names came from the saved model
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]
