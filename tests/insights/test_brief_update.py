"""A watcher's briefs, brought up to date from the last network's, are a cold build's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import vaultnet.insights.briefupdate as briefupdate_module
from tests.conftest import WriteNote
from tests.insights.briefs import counting_walks, person
from vaultnet.config import load_config
from vaultnet.pipeline.build import Builder, BuildRequest, build_vault
from vaultnet.render.render import render_pages
from vaultnet.state.cache import NoteCache
from vaultnet.state.pagememo import PageMemo

TODAY = dt.date(2026, 11, 26)
PLANNED = "## Log\n- 2026-11-27 call: catch up\n"


def _cold(vault: Path) -> dict[str, str]:
    result = build_vault(load_config(vault), TODAY, cache=None, write=False)
    assert result.network is not None
    return {page.path: page.text for page in render_pages(result.network)}


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return counting_walks(monkeypatch)


def test_a_watchers_briefs_follow_edits_without_a_look_at_everyone(
    vault: Path, write: WriteNote, walks: list[str]
) -> None:
    write("People/Ann.md", person("Ann", body=PLANNED))
    write("People/Bob.md", person("Bob", body=PLANNED))
    write("People/Cy.md", person("Cy", "knows: ['[[Ann]]']\n"))
    write("People/Dee.md", person("Dee", "introduced_by: '[[Bob]]'\n"))
    write("People/Eve.md", person("Eve"))
    write("People/Abe.md", person("Abe"))
    builder = Builder(load_config(vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY))
    assert walks == ["upcoming", "linked"]
    steps = [
        ("People/Cy.md", person("Cy", "knows: ['[[Ann]]', '[[Bob]]']\n")),  # now knows Bob
        ("People/Eve.md", person("Eve", "knows: ['[[Ann]]']\n")),  # filed under Ann, after Cy
        ("People/Dee.md", person("Dee", "introduced_by: '[[Ann]]'\n")),  # moves to Ann
        ("People/Abe.md", person("Abe", "knows: ['[[Ann]]']\n")),  # filed before Cy
        ("People/Eve.md", person("Eve", body=PLANNED)),  # gets a brief, leaves Ann's list
        ("People/Ann.md", person("Ann", body="## Log\n- 2026-11-20 call: done\n")),  # none now
        ("People/Cy.md", person("Cy", "knows: ['[[Ann]]']\n", "Met at a conference.\n")),
    ]
    for path, text in steps:
        walks.clear()
        (vault / path).write_text(text, encoding="utf-8")
        result = builder.build(BuildRequest(TODAY, changed=(path,)))
        assert result.network is not None and result.network.patch is not None, path
        assert not walks, path  # no look at everyone
        pages = {page.path: page.text for page in result.pages if page.path.endswith(".md")}
        assert pages == _cold(vault), path
    briefs = {page for page in pages if page.startswith("Briefs/")}
    assert briefs == {"Briefs/Bob.md", "Briefs/Eve.md"}
    # Cy no longer knows Bob, and Dee moved to Ann: nobody links Bob now.
    assert "Known by" not in pages["Briefs/Bob.md"]
    assert "Introduced you to" not in pages["Briefs/Bob.md"]


def test_a_network_that_is_not_patched_makes_the_briefs_again(
    vault: Path, write: WriteNote, walks: list[str]
) -> None:
    write("People/Ann.md", person("Ann", body=PLANNED))
    write("People/Cy.md", person("Cy", "knows: ['[[Ann]]']\n"))
    builder = Builder(load_config(vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY))
    walks.clear()
    write("People/Dan.md", person("Dan", "knows: ['[[Ann]]']\n"))  # someone new: no patch
    result = builder.build(BuildRequest(TODAY, changed=("People/Dan.md",)))
    assert result.network is not None and result.network.patch is None
    assert walks == ["upcoming", "linked"]
    page = next(page.text for page in result.pages if page.path == "Briefs/Ann.md")
    assert "- Known by [[Cy]], [[Dan]]\n" in page


def test_a_watcher_makes_again_only_the_briefs_an_edit_changed(
    vault: Path, write: WriteNote, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("People/Ann.md", person("Ann", body=PLANNED))
    write("People/Bob.md", person("Bob", body=PLANNED))
    write("People/Cy.md", person("Cy"))
    write("Daily/2026-11-20.md", "- [ ] ask [[Bob]] about the offsite\n")
    made: list[str] = []
    real = briefupdate_module.make_brief

    def counted(network: object, person: Any, *args: object, **kwargs: object) -> object:
        made.append(person.name)
        return real(network, person, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(briefupdate_module, "make_brief", counted)
    builder = Builder(load_config(vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY))
    assert sorted(made) == ["Ann", "Bob"]
    steps = [  # the note changed, its text, whose briefs are made again
        ("People/Cy.md", person("Cy", body="Met at a conference.\n"), []),
        ("People/Cy.md", person("Cy", "knows: ['[[Bob]]']\n"), ["Bob"]),
        ("People/Ann.md", person("Ann", body=PLANNED + "- 2026-11-25 call: hi\n"), ["Ann"]),
        ("Daily/2026-11-20.md", "- [x] asked [[Bob]] about the offsite\n", ["Bob"]),
    ]
    for path, text, again in steps:
        made.clear()
        (vault / path).write_text(text, encoding="utf-8")
        result = builder.build(BuildRequest(TODAY, changed=(path,)))
        assert result.network is not None and result.network.patch is not None, path
        assert made == again, path
        pages = {page.path: page.text for page in result.pages if page.path.endswith(".md")}
        assert pages == _cold(vault), path
