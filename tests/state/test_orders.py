"""A watcher's network brought up to date in place: the tiers' figures equal fresh ones."""

from __future__ import annotations

import datetime as dt
import statistics
from pathlib import Path

import pytest

from tests.state.builds import edit
from vaultnet.config import load_config
from vaultnet.model.network import sorted_median
from vaultnet.pipeline.build import Builder, BuildRequest, Mode
from vaultnet.state import orders as orders_module
from vaultnet.state.cache import NoteCache

TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize("days", [[], [4], [1, 9], [1, 2, 30], [3, 3, 8, 40]])
def test_the_median_of_sorted_days_is_the_statistics_one(days: list[int]) -> None:
    expected = statistics.median(days) if days else None
    assert sorted_median(days) == expected
    assert type(sorted_median(days)) is type(expected)


def test_a_tiers_median_follows_edits_without_sorting_its_members_again(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sorts: list[int] = []

    def counted(items: object, **kwargs: object) -> list[object]:
        found = sorted(items, **kwargs)  # type: ignore[call-overload]
        sorts.append(len(found))
        return found

    real_median = statistics.median

    def median(data: list[float]) -> float:
        sorts.append(len(data))
        return real_median(data)

    monkeypatch.setattr(orders_module, "sorted", counted, raising=False)
    monkeypatch.setattr(statistics, "median", median)  # how the model finds one anew
    builder = Builder(load_config(sample_vault), NoteCache.in_memory())
    builder.build(BuildRequest(TODAY, Mode.MODEL))
    steps = [  # Bob and Amara are advocates: the second edit moves the kept days
        ("People/Bob Marsh.md", "## Log\n", "## Log\n- 2026-11-25 call: hi\n", 1),
        ("People/Amara Nwosu.md", "## Log\n", "## Log\n- 2026-11-24 call: hi\n", 0),
        ("People/Bob Marsh.md", "- 2026-11-25 call: hi\n", "", 0),  # back to the old days
        ("People/Amara Nwosu.md", "role:", "role: Head of Events\nold_role:", 0),  # same days
    ]
    for path, old, new, sorted_again in steps:
        edit(sample_vault / path, old, new)
        sorts.clear()
        result = builder.build(BuildRequest(TODAY, Mode.MODEL, changed=(path,)))
        assert result.network is not None and result.network.patch is not None, path
        assert len(sorts) == sorted_again, path
        fresh = Builder(load_config(sample_vault), NoteCache.in_memory()).build(
            BuildRequest(TODAY, Mode.MODEL)
        )
        assert fresh.network is not None
        figures = [(g.median_days_since_contact, g.overdue) for g in result.network.tiers]
        assert figures == [(g.median_days_since_contact, g.overdue) for g in fresh.network.tiers]
