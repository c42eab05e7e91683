"""A one-shot build (``vaultnet build``) of a large vault lets go of what only a later build
would reuse as soon as it is done with it, and still saves everything the next build takes.

The sample vault stands for a large one: LET_GO_NOTES is lowered below its size."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import weakref
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.pipeline import build as build_module
from vaultnet.pipeline.build import Builder, BuildRequest, Mode
from vaultnet.state import cache as cache_module
from vaultnet.state import forked
from vaultnet.state.cache import NoteCache
from vaultnet.state.people import PeopleState

TODAY = dt.date(2026, 11, 26)
DAY = ("--today", TODAY.isoformat())


@pytest.fixture(autouse=True)
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "LET_GO_NOTES", 2)


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _state(vault: Path) -> dict[str, bytes]:
    """What ``.vaultnet/`` holds for the next build: the parse cache, the model's lookups,
    the rows, the digest and the keys of the saved pages (the record, and the saved pages'
    files, hold times, which differ from build to build)."""
    state = {
        path: data for path, data in _tree(vault / ".vaultnet").items() if path != "last-build.json"
    }
    saved = pickle.loads(state["pages.pickle"])
    keys = {path: entry[0] for path, entry in saved["pages"].items()}
    state["pages.pickle"] = repr((sorted(keys.items()), sorted(saved["shown"].items()))).encode()
    return state


def test_a_one_shot_build_writes_and_saves_what_a_build_that_keeps_everything_does(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULTNET_SERIAL", "1")  # the parse cache saved by this process
    kept = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault)).build(
        BuildRequest(TODAY)
    )
    assert kept.read.notes and kept.pages and kept.digest_text is not None
    pages, state = _tree(sample_vault / "Network"), _state(sample_vault)
    for made in ("Network", ".vaultnet"):
        shutil.rmtree(sample_vault / made)
    built = _run("build", sample_vault, *DAY)
    assert built.exit_code == 0, built.output
    assert _tree(sample_vault / "Network") == pages and _state(sample_vault) == state
    # The next build takes every note from the cache, every person's rows from the rows
    # saved, and writes nothing.
    again = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault)).build(
        BuildRequest(TODAY, stop_early=False)
    )
    assert again.read.parsed == 0 and again.write.written == []
    # digest --format json prints the digest saved as the build made it: what it computes
    # without any saved state.
    saved = _run("digest", sample_vault, "--format", "json", *DAY).output
    assert saved == _run("digest", sample_vault, "--format", "json", "--no-cache", *DAY).output
    assert saved == kept.digest_text + "\n"
    # Deleting .vaultnet changes no output.
    shutil.rmtree(sample_vault / ".vaultnet")
    rebuilt = _run("build", sample_vault, *DAY)
    assert "0 written, " in rebuilt.output and _tree(sample_vault / "Network") == pages


def test_a_one_shot_build_lets_go_of_the_notes_the_digest_and_the_pages(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault))
    states: list[weakref.ref[PeopleState]] = []
    alive_when_written: list[bool] = []
    write = build_module.write_pages

    def watched_write(*args: Any, **kwargs: Any) -> Any:
        alive_when_written.append(any(state() is not None for state in states))
        return write(*args, **kwargs)

    monkeypatch.setattr(build_module, "write_pages", watched_write)
    states.append(weakref.ref(builder.people_state(TODAY)))
    result = builder.build(BuildRequest(TODAY, once=True))
    # Gone before the pages are written (with the cyclic collector off, as in a build).
    assert alive_when_written == [False]
    assert result.network is not None and result.people > 40
    assert result.read.notes == [] and result.pages == [] and result.digest_text is None
    assert builder.cache.entries == {} and builder.files == {}
    assert builder.people is None
    # Still there to be printed: made again from the network, as it was saved.
    saved = (sample_vault / ".vaultnet" / "last-digest.json").read_text(encoding="utf-8")
    assert saved.endswith(result.digest_json_text())
    # The builder is not meant to build again, but would build right: from the files
    # (the notes the people saved stand for read as their stubs, the others parsed).
    pages = _tree(sample_vault / "Network")
    again = builder.build(BuildRequest(TODAY, stop_early=False))
    assert again.read.parsed + again.read.reused == result.read.parsed
    assert again.write.written == []
    assert {page.path: page.text.encode() for page in again.pages} == pages


def test_a_dry_run_lets_go_and_saves_nothing(sample_vault: Path) -> None:
    result = _run("build", sample_vault, "--dry-run", *DAY)
    assert result.exit_code == 0 and "would write" in result.output
    assert not (sample_vault / ".vaultnet").exists() and not (sample_vault / "Network").exists()


def test_a_note_in_the_output_folder_is_in_the_digest_a_one_shot_build_saves(
    sample_vault: Path,
) -> None:
    note = sample_vault / "Network" / "Mine.md"
    note.parent.mkdir()
    note.write_text("# my own note\n", encoding="utf-8")
    kept = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault)).build(
        BuildRequest(TODAY)
    )
    warning = "Network/Mine.md: warning: a note in the output folder"
    assert any(str(d).startswith(warning) for d in kept.diagnostics)
    shutil.rmtree(sample_vault / ".vaultnet")
    built = _run("build", sample_vault, *DAY)
    assert warning in built.output
    # Saved again once the write found the note: with its warning, as a build that keeps
    # the digest's text saves it.
    assert _run("digest", sample_vault, "--format", "json", *DAY).output == (
        kept.digest_json_text() + "\n"
    )


@pytest.mark.skipif(not forked.can_fork(), reason="forking is not used here")
def test_notes_a_forked_helper_failed_to_save_are_parsed_again_not_lost(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A vault large enough for the helper; the helper dies before it saves anything.
    monkeypatch.setattr(cache_module, "BACKGROUND_NOTES", 2)
    monkeypatch.setattr(cache_module, "BACKGROUND_SHARDS", 2)
    real_fork = os.fork

    def failing_helper() -> int:
        pid = real_fork()
        if pid == 0:
            os._exit(1)
        return pid

    monkeypatch.setattr(os, "fork", failing_helper)
    builder = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault))
    first = builder.build(BuildRequest(TODAY, once=True))
    assert first.read.parsed > 40
    # The notes were let go of: the shards the helper left are not written empty.
    assert not (sample_vault / ".vaultnet" / "cache").exists()
    monkeypatch.setattr(os, "fork", real_fork)
    again = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault)).build(
        BuildRequest(TODAY, Mode.WRITE, stop_early=False)
    )
    # Parsed again, but for the person notes read as the stubs saved with their people.
    assert again.read.parsed + again.read.reused == first.read.parsed
    assert again.read.parsed < first.read.parsed and again.write.written == []


def test_a_small_vault_keeps_everything_to_the_end(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module, "LET_GO_NOTES", 500)
    builder = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault))
    result = builder.build(BuildRequest(TODAY, once=True))
    assert result.read.notes and result.pages and result.digest_text is not None
    assert builder.people is not None and builder.cache.entries


def test_a_large_vault_whose_pages_the_write_refuses_keeps_the_users_file(
    sample_vault: Path,
) -> None:
    mine = sample_vault / "Network" / "Index.md"
    mine.parent.mkdir()
    mine.write_text("my own index\n", encoding="utf-8")
    result = _run("build", sample_vault, *DAY)
    assert result.exit_code == 1 and "Index.md: exists and was not generated" in result.output
    assert mine.read_text(encoding="utf-8") == "my own index\n"
    assert [p.name for p in mine.parent.iterdir()] == ["Index.md"]


def _built(vault: Path, today: dt.date = TODAY) -> Any:
    """A one-shot build past the early stop, as ``vaultnet build`` runs it."""
    builder = Builder(load_config(vault), NoteCache.for_vault(vault))
    return builder.build(BuildRequest(today, stop_early=False, once=True))


def _fresh_pages(vault: Path, tmp_path: Path, today: dt.date) -> dict[str, bytes]:
    copy = tmp_path / f"fresh-{today}"
    shutil.copytree(vault, copy, ignore=shutil.ignore_patterns(".vaultnet", "Network"))
    _built(copy, today)
    return _tree(copy / "Network")


def test_the_cache_files_of_a_few_person_notes_edited_wait_for_a_build_that_reads_them(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build after a few edits does not write the parse cache's files of the person
    notes it parsed: the next builds read those notes as their people's stubs; the first
    of the next day, which reads every person note whole, parses them again and writes
    their files then."""
    ann = "People/Ann Lee.md"
    # Fewer than the sample vault's person notes, more than a build after one edit reads.
    monkeypatch.setattr(cache_module, "FEW_PEOPLE_FILES", 8)
    held = sample_vault / ".vaultnet" / "cache" / f"people-{cache_module.shard_of(ann):02x}.pickle"
    assert _run("build", sample_vault, *DAY).exit_code in (0, 1)
    before = held.read_bytes()
    with open(sample_vault / ann, "a", encoding="utf-8") as handle:
        handle.write("- 2026-11-25 — call about the RFC\n")
    edited = _built(sample_vault)
    assert edited.read.parsed == 1 and held.read_bytes() == before
    assert _tree(sample_vault / "Network") == _fresh_pages(sample_vault, tmp_path, TODAY)
    assert _built(sample_vault).read.parsed == 0  # her note read as her stub
    later = TODAY + dt.timedelta(days=1)
    assert _built(sample_vault, later).read.parsed == 1  # read whole, parsed again
    assert held.read_bytes() != before
    assert _tree(sample_vault / "Network") == _fresh_pages(sample_vault, tmp_path, later)
    assert _built(sample_vault, later).read.parsed == 0


def test_a_one_shot_build_holds_its_pages_as_the_bytes_it_writes(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the render to the write, each page a one-shot build renders holds its bytes
    rather than its text (half the memory, or a quarter, for a text with a character
    beyond Latin-1): the pages written are those of a build that keeps its texts."""
    person = sample_vault / "People" / "Łukasz Nowak.md"
    person.write_text(
        "---\ntier: champion\ncompany: Acme 🚀\n---\n## Log\n- 2026-11-20 call: zażółć 🙂\n",
        encoding="utf-8",
    )
    kept = Builder(load_config(sample_vault), NoteCache.in_memory()).build(BuildRequest(TODAY))
    assert not any(page.encoded_only for page in kept.pages)
    expected = {page.path: page.text.encode("utf-8") for page in kept.pages}
    shutil.rmtree(sample_vault / "Network")
    held: list[bool] = []
    write = build_module.write_pages

    def watched_write(*args: Any, **kwargs: Any) -> Any:
        held.extend(page.encoded_only for page in args[1] if page.path.endswith(".md"))
        return write(*args, **kwargs)

    monkeypatch.setattr(build_module, "write_pages", watched_write)
    built = _run("build", sample_vault, *DAY)
    assert built.exit_code == 0, built.output
    assert held and all(held)
    assert _tree(sample_vault / "Network") == expected
    assert "Łukasz Nowak" in expected["Index.md"].decode("utf-8")


def test_a_one_shot_build_writes_the_digest_as_it_encodes_it(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest's JSON is written in pieces as they are encoded, never made whole (at
    50k, its text and copies were a cold build's peak): the file holds what
    ``digest --format json`` prints."""
    from vaultnet import jsontext

    whole: list[object] = []
    real = jsontext.json_text

    def watched(value: Any, indent: str = "") -> str:
        if isinstance(value, dict) and "open_loops" in value:
            whole.append(value)
        return real(value, indent)

    monkeypatch.setattr(jsontext, "json_text", watched)
    built = _run("build", sample_vault, *DAY)
    assert built.exit_code == 0, built.output
    assert whole == []
    saved = (sample_vault / ".vaultnet" / "last-digest.json").read_text(encoding="utf-8")
    monkeypatch.undo()
    printed = _run("digest", sample_vault, "--format", "json", "--no-cache", *DAY).output
    assert saved.split("\n", 1)[1] + "\n" == printed


def test_a_cold_build_lets_the_cache_go_of_its_notes_before_the_model_saved(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache's entries go once the notes are read and saved, before the model runs;
    a build that read stubs, whose notes the model may ask the cache for whole, keeps
    them until the network is made."""
    monkeypatch.setenv("VAULTNET_SERIAL", "1")  # the parse cache saved by this process
    builder = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault))
    seen: list[tuple[bool, int]] = []
    model = PeopleState.build

    def watched_model(state: PeopleState, *args: Any, **kwargs: Any) -> Any:
        saved = len(list((sample_vault / ".vaultnet" / "cache").glob("*.pickle")))
        seen.append((builder.cache.forgotten, saved))
        return model(state, *args, **kwargs)

    monkeypatch.setattr(PeopleState, "build", watched_model)
    _built_with(builder, sample_vault)
    assert seen[0][0] and seen[0][1] > 0
    with open(sample_vault / "People/Ann Lee.md", "a", encoding="utf-8") as handle:
        handle.write("- 2026-11-25 — call about the RFC\n")
    builder = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault))
    edited = _tree(_built_with(builder, sample_vault))  # the other person notes as stubs
    assert not seen[1][0]
    assert edited == _tree(_built_with(_cold(sample_vault), sample_vault))


def _cold(vault: Path) -> Builder:
    shutil.rmtree(vault / ".vaultnet")
    return Builder(load_config(vault), NoteCache.for_vault(vault))


def _built_with(builder: Builder, vault: Path, today: dt.date = TODAY) -> Path:
    builder.build(BuildRequest(today, stop_early=False, once=True))
    return vault / "Network"
