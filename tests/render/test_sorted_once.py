"""A watcher's renders sort again only the lists of people an edit made again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TODAY
from vaultnet.config import load_config
from vaultnet.pipeline.build import Builder, BuildRequest, build_vault
from vaultnet.render import filters as filters_module
from vaultnet.render.obsidian import obsidian_pages
from vaultnet.render.render import render_pages
from vaultnet.state.cache import NoteCache
from vaultnet.state.pagememo import PageMemo

ANN = "People/Ann Lee.md"


def test_a_watchers_render_sorts_only_the_lists_an_edit_made_again(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY))
    sorted_lists: list[tuple[str, ...]] = []

    def counted(people: object, **kwargs: object) -> object:
        items = tuple(people)  # type: ignore[call-overload]
        sorted_lists.append(tuple(p.key for p in items))
        return sorted(items, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(filters_module, "sorted", counted, raising=False)
    builder.build(BuildRequest(TODAY, changed=()))
    assert not sorted_lists  # nothing changed: every list as it was, nothing sorted
    ann = sample_vault / ANN
    ann.write_text(ann.read_text(encoding="utf-8").replace("VP Engineering", "CTO"), "utf-8")
    result = builder.build(BuildRequest(TODAY, changed=(ANN,)))
    assert sorted_lists and all(ANN in keys for keys in sorted_lists)  # only lists with her
    cold = build_vault(load_config(sample_vault), TODAY, write=False).network
    assert cold is not None
    expected = {p.path: p.text for p in render_pages(cold) + obsidian_pages(cold)}
    assert {p.path: p.text for p in result.pages} == expected
