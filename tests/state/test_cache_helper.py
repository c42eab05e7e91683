"""A parse cache saved by a forked helper is the cache this process would have saved."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.state.builds import counting_forks
from vaultnet.config import load_config
from vaultnet.pipeline.build import Builder, BuildRequest
from vaultnet.state import cache as cache_module
from vaultnet.state import forked
from vaultnet.state.cache import SHARDS, NoteCache

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="forking is not used here")

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "BACKGROUND_NOTES", 2)
    monkeypatch.setattr(cache_module, "BACKGROUND_SHARDS", 2)


def _saved(vault: Path) -> dict[str, tuple[int, int, object]]:
    return dict(NoteCache.for_vault(vault).entries)


def _build(vault: Path) -> tuple[NoteCache, Builder]:
    cache = NoteCache.for_vault(vault)
    builder = Builder(load_config(vault), cache)
    builder.build(BuildRequest(TODAY))
    return cache, builder


@pytest.mark.usefixtures("small_thresholds")
def test_the_helper_saves_what_this_process_would(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked = counting_forks(monkeypatch)
    cache, _ = _build(sample_vault)
    assert len(forked) == 1  # the parse (a small vault) was not split: the save was
    assert cache.dirty == set()
    in_helper = _saved(sample_vault)
    assert len(in_helper) > 40

    monkeypatch.setenv("VAULTNET_SERIAL", "1")  # the same vault, saved here
    (sample_vault / ".vaultnet").rename(tmp_path / "by-the-helper")
    _build(sample_vault)
    assert _saved(sample_vault) == in_helper
    # The next build takes every note from the cache the helper wrote, and stops early.
    again = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault))
    assert again.build(BuildRequest(TODAY, stop_early=False)).read.parsed == 0


@pytest.mark.usefixtures("small_thresholds")
@pytest.mark.parametrize("failure", ["raises", "killed", "cannot write"])
def test_what_the_helper_did_not_save_is_saved_here(
    sample_vault: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    failure: str,
) -> None:
    parent = os.getpid()
    real_save: Callable[[NoteCache], None] = NoteCache.save

    def save(self: NoteCache) -> None:
        if os.getpid() != parent:
            if failure == "raises":
                raise RuntimeError("helper broke")
            if failure == "killed":
                os.kill(os.getpid(), 9)
            self.folder = sample_vault / "Ideas.md" / "cache"  # not a folder: nothing saved
        real_save(self)

    monkeypatch.setattr(NoteCache, "save", save)
    cache, _ = _build(sample_vault)
    assert cache.dirty == set()
    assert len(_saved(sample_vault)) > 40
    assert len(list((sample_vault / ".vaultnet" / "cache").iterdir())) <= SHARDS
    assert "helper broke" not in capfd.readouterr().err  # a failed save is written again, quietly


def test_a_small_save_and_a_memory_cache_stay_here(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked = counting_forks(monkeypatch)
    _build(sample_vault)  # 50 notes: below the thresholds
    Builder(load_config(sample_vault), NoteCache.in_memory()).build(
        BuildRequest(TODAY, stop_early=False)
    )
    assert forked == []
    assert len(_saved(sample_vault)) > 40


@pytest.mark.usefixtures("small_thresholds")
def test_no_helper_when_forking_is_not_safe(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULTNET_SERIAL", "1")
    forked = counting_forks(monkeypatch)
    cache, _ = _build(sample_vault)
    assert forked == []
    assert cache.dirty == set()
    assert len(_saved(sample_vault)) > 40
