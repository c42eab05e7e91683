"""Parsing in a process pool gives exactly what parsing in one process gives, and the pool is
used only where it pays: many files, and a core with nothing else to run."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import functools
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.pipeline.build import Builder
from vaultnet.source.body import DateMemo
from vaultnet.source.reading import parse_files
from vaultnet.state import forked
from vaultnet.state.cache import NoteCache

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="forking is not used here")


def _sources(vault: Path) -> tuple[Builder, list]:  # type: ignore[type-arg]
    builder = Builder(load_config(vault), NoteCache.in_memory())
    builder._scan()
    return builder, [builder.files[p] for p in sorted(builder.files)]


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool for a handful of files, in chunks of 4, as if a core were idle."""
    monkeypatch.setattr(forked, "MIN_FILES", 2)
    monkeypatch.setattr(forked, "CHUNK", 4)
    monkeypatch.setattr(forked, "idle_cores", lambda: 1)


# The pool runs what it is given in another process: the parse functions it is given
# here are module-level functions (with their arguments bound), which pickle by name.


def _parse_and_mark(parent: int, marks: Path, vault, options, batch, progress, memo=None):  # type: ignore[no-untyped-def]
    who = "pool" if os.getpid() != parent else "here"
    (marks / f"{who}-{batch[0].path.replace('/', '_')}").write_text(str(len(batch)))
    return parse_files(vault, options, batch, progress, memo)


def _parse_or_fail(
    parent: int, failure: str, here: Path, vault, options, batch, progress, memo=None
):  # type: ignore[no-untyped-def]
    if os.getpid() != parent:
        if failure == "raises":
            raise RuntimeError("worker broke")
        if failure == "killed":
            os.kill(os.getpid(), 9)
        return [None] * (len(batch) - 1)  # "short": one result missing
    with here.open("a") as log:
        log.write(f"{len(batch)}\n")
    return parse_files(vault, options, batch, progress, memo)


@pytest.mark.usefixtures("small_pool")
def test_the_pool_parses_chunks_from_the_end(sample_vault: Path, tmp_path: Path) -> None:
    builder, sources = _sources(sample_vault)
    marks = tmp_path / "marks"
    marks.mkdir()
    parse = functools.partial(_parse_and_mark, os.getpid(), marks)
    shared = forked.parse_in_parallel(parse, sample_vault, builder.options, sources)
    assert shared == parse_files(sample_vault, builder.options, sources)
    assert len(shared) == len(sources) > 40
    first, last = sources[0], sources[(len(sources) - 1) // 4 * 4]
    assert (marks / f"here-{first.path.replace('/', '_')}").exists()
    assert (marks / f"pool-{last.path.replace('/', '_')}").exists()
    assert len(list(marks.iterdir())) == (len(sources) + 3) // 4  # every chunk parsed once


@pytest.mark.usefixtures("small_pool")
@pytest.mark.parametrize("failure", ["raises", "short", "killed"])
def test_a_chunk_that_fails_in_the_pool_is_parsed_here(
    sample_vault: Path, tmp_path: Path, failure: str
) -> None:
    builder, sources = _sources(sample_vault)
    here = tmp_path / "here.txt"
    parse = functools.partial(_parse_or_fail, os.getpid(), failure, here)
    shared = forked.parse_in_parallel(parse, sample_vault, builder.options, sources)
    assert shared == parse_files(sample_vault, builder.options, sources)
    parsed_here = [int(n) for n in here.read_text().split()]
    assert sum(parsed_here) == len(sources)  # every chunk ended up parsed here


def test_no_fork_beside_other_threads_or_when_asked_not_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert forked.can_fork()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forked.can_fork()
    finally:
        stop.set()
        thread.join()
    monkeypatch.setenv("VAULTNET_SERIAL", "1")
    assert not forked.can_fork()


def _no_pool(*args: object, **kwargs: object) -> None:
    pytest.fail("a pool was started")


def test_a_small_batch_is_parsed_here(sample_vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builder, sources = _sources(sample_vault)
    monkeypatch.setattr(forked, "idle_cores", lambda: 1)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", _no_pool)
    assert len(sources) < forked.MIN_FILES
    assert forked.parse_in_parallel(parse_files, sample_vault, builder.options, sources)


def test_without_an_idle_core_everything_is_parsed_here(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder, sources = _sources(sample_vault)
    monkeypatch.setattr(forked, "MIN_FILES", 2)
    monkeypatch.setattr(forked, "idle_cores", lambda: 0)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", _no_pool)
    shared = forked.parse_in_parallel(parse_files, sample_vault, builder.options, sources)
    assert shared == parse_files(sample_vault, builder.options, sources)


def test_busy_cores_are_not_idle() -> None:
    """Two programs that never sleep keep two cores from being idle while they run."""
    usable = len(os.sched_getaffinity(0))
    spin = "import time\nend = time.time() + 5\nprint(flush=True)\nwhile time.time() < end: pass"
    busy = [
        subprocess.Popen([sys.executable, "-c", spin], stdout=subprocess.PIPE) for _ in range(2)
    ]
    try:
        for process in busy:
            assert process.stdout is not None
            process.stdout.readline()  # started: from now on it only spins
        # this process, reading, and the two that spin: at least three running
        assert forked.idle_cores() <= usable - 3
    finally:
        for process in busy:
            process.kill()
            process.communicate()


@pytest.mark.usefixtures("small_pool")
def test_a_build_with_the_pool_writes_what_a_serial_build_writes(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = tmp_path / "serial"
    shutil.copytree(sample_vault, serial)
    shared: list[int] = []  # the chunks of each parse shared with a pool
    share = forked._Share.run
    monkeypatch.setattr(
        forked._Share, "run", lambda self: shared.append(len(self.chunks)) or share(self)
    )
    runner = CliRunner()
    args = ["build", "--today", "2026-11-26"]
    pooled = runner.invoke(main, [*args, str(sample_vault)])
    assert len(shared) == 1 and shared[0] > 10
    monkeypatch.setenv("VAULTNET_SERIAL", "1")
    alone = runner.invoke(main, [*args, str(serial)])
    assert len(shared) == 1  # no pool for this one
    assert pooled.exit_code == alone.exit_code == 0, pooled.output + alone.output
    pages = sorted(p.relative_to(sample_vault) for p in (sample_vault / "Network").rglob("*.md"))
    assert pages
    for page in pages:
        assert (sample_vault / page).read_bytes() == (serial / page).read_bytes(), page


@pytest.mark.usefixtures("small_pool")
def test_any_notes_come_back_from_the_pool_as_they_were_parsed(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from vaultnet.source.notes import ParseOptions

    texts = st.lists(
        st.one_of(
            st.binary(max_size=300),
            st.text(max_size=300).map(lambda t: ("---\ntier: champion\n" + t).encode()),
            st.sampled_from(
                [
                    b"---\ntier: champion\nmet: 2024-01-02 10:30:00+02:00\n"
                    b"x: [1, 2.5, .inf]\n---\n",
                    b"---\ntier: [champion\n---\n",
                    b"\xff\xfe---\n",
                    b"---\nbirthday: 02-29\ncadence: 3m\nhistory:\n  - company: A\n---\n"
                    b"## Log\n- 2026-01-01 call #got\n",
                ]
            ),
        ),
        min_size=2,
        max_size=10,
    )

    @given(texts)
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    def same(contents: list[bytes]) -> None:
        vault = tmp_path_factory.mktemp("vault")
        (vault / "People").mkdir()
        for index, data in enumerate(contents):
            (vault / "People" / f"P{index}.md").write_bytes(data)
        builder, sources = _sources(vault)
        options: ParseOptions = builder.options
        assert forked.parse_in_parallel(parse_files, vault, options, sources) == parse_files(
            vault, options, sources
        )

    same()


@pytest.mark.usefixtures("small_pool")
def test_the_chunks_parsed_in_the_pool_share_their_dates(tmp_path: Path) -> None:
    # Logs repeat the same days: each chunk the pool parses brings them back as the
    # objects already loaded, not a copy of each day per chunk.
    (tmp_path / "People").mkdir()
    for index in range(16):
        (tmp_path / "People" / f"P{index:02}.md").write_text(
            "---\ntier: close\nmet: 2024-05-06 10:30:00\n---\n## Log\n"
            "- 2026-03-04 call: planning\n- 2026-03-05 call: again\n",
            encoding="utf-8",
        )
    builder, sources = _sources(tmp_path)
    shared = forked.parse_in_parallel(parse_files, tmp_path, builder.options, sources)
    assert shared == parse_files(tmp_path, builder.options, sources)
    pooled = shared[-8:]  # the last two chunks of 4 go to the pool first
    days = {id(entry.date) for note in pooled for entry in note.log}  # type: ignore[union-attr]
    assert len(days) == 2
    assert all(type(note.front_matter["met"]) is dt.datetime for note in pooled)  # type: ignore[union-attr]


def _parse_with_memo(memos: list[object], vault, options, batch, progress, memo=None):  # type: ignore[no-untyped-def]
    memos.append(memo)  # seen here only for the chunks parsed here
    return parse_files(vault, options, batch, progress, memo)


@pytest.mark.usefixtures("small_pool")
def test_the_chunks_parsed_here_share_their_dates_tags_and_links(sample_vault: Path) -> None:
    """The chunks this process parses are parsed with one memo: their notes share each
    day, and each tuple of tags and of links, as the notes of a parse in one batch do."""
    builder, sources = _sources(sample_vault)
    memos: list[object] = []
    parse = functools.partial(_parse_with_memo, memos)
    shared = forked.parse_in_parallel(parse, sample_vault, builder.options, sources)
    assert shared == parse_files(sample_vault, builder.options, sources)
    assert memos and memos[0] is not None and all(memo is memos[0] for memo in memos)
    # Two batches parsed with one memo share their dates.
    memo = DateMemo()
    first = parse_files(sample_vault, builder.options, sources[:20], None, memo)
    second = parse_files(sample_vault, builder.options, sources[20:], None, memo)
    days: dict[dt.date, set[int]] = {}
    for note in first + second:
        for entry in getattr(note, "log", ()):
            days.setdefault(entry.date, set()).add(id(entry.date))
    assert days and all(len(ids) == 1 for ids in days.values())
