"""Parsing with a forked helper gives exactly what parsing in one process gives."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from vaultnet.config import load_config
from vaultnet.pipeline.build import Builder, parse_files
from vaultnet.state import forked
from vaultnet.state.cache import NoteCache

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="forking is not used here")


def _sources(vault: Path) -> tuple[Builder, list]:  # type: ignore[type-arg]
    builder = Builder(load_config(vault), NoteCache.in_memory())
    builder._scan()
    return builder, [builder.files[p] for p in sorted(builder.files)]


def test_the_helper_parses_every_other_file(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forked, "MIN_FILES", 2)
    builder, sources = _sources(sample_vault)
    parent = os.getpid()

    def parse(vault, options, batch, progress):  # type: ignore[no-untyped-def]
        who = "helper" if os.getpid() != parent else "here"
        (tmp_path / f"{who}-{batch[0].path.replace('/', '_')}").write_text(str(len(batch)))
        return parse_files(vault, options, batch, progress)

    split = forked.parse_in_two(parse, sample_vault, builder.options, sources)
    assert split == parse_files(sample_vault, builder.options, sources)
    assert len(split) == len(sources) > 40
    first, second = sources[0].path.replace("/", "_"), sources[1].path.replace("/", "_")
    assert (tmp_path / f"here-{first}").read_text() == str(len(sources[0::2]))
    assert (tmp_path / f"helper-{second}").read_text() == str(len(sources[1::2]))


@pytest.mark.parametrize("failure", ["raises", "garbage", "killed"])
def test_when_the_helper_fails_this_process_parses_its_half(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    monkeypatch.setattr(forked, "MIN_FILES", 2)
    builder, sources = _sources(sample_vault)
    parent = os.getpid()
    calls: list[int] = []

    def parse(vault, options, batch, progress):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            if failure == "raises":
                raise RuntimeError("helper broke")
            if failure == "killed":
                os.kill(os.getpid(), 9)
            return [None] * (len(batch) - 1)  # "garbage": one result short
        calls.append(len(batch))
        return parse_files(vault, options, batch, progress)

    split = forked.parse_in_two(parse, sample_vault, builder.options, sources)
    assert split == parse_files(sample_vault, builder.options, sources)
    assert calls == [len(sources[0::2]), len(sources[1::2])]


def test_no_helper_beside_other_threads_or_when_asked_not_to(
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


def test_a_small_batch_is_parsed_here(sample_vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builder, sources = _sources(sample_vault)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked for a small batch"))
    assert forked.parse_in_two(parse_files, sample_vault, builder.options, sources)


def test_any_notes_come_back_from_the_helper_as_they_were_parsed(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from vaultnet.source.notes import ParseOptions

    monkeypatch.setattr(forked, "MIN_FILES", 2)
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
        max_size=6,
    )

    @given(texts)
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def same(contents: list[bytes]) -> None:
        vault = tmp_path_factory.mktemp("vault")
        (vault / "People").mkdir()
        for index, data in enumerate(contents):
            (vault / "People" / f"P{index}.md").write_bytes(data)
        builder, sources = _sources(vault)
        options: ParseOptions = builder.options
        assert forked.parse_in_two(parse_files, vault, options, sources) == parse_files(
            vault, options, sources
        )

    same()
