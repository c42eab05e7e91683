"""Pages reused between renders (a watcher's) are exactly the pages a cold build makes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from vaultnet.config import load_config
from vaultnet.pipeline.build import Builder, BuildRequest, build_vault
from vaultnet.render.environment import make_environment
from vaultnet.render.obsidian import obsidian_pages
from vaultnet.render.render import render_pages
from vaultnet.state.cache import NoteCache
from vaultnet.state.pagememo import PageMemo, template_inputs

TODAY = dt.date(2026, 11, 26)


def _cold(vault: Path, today: dt.date = TODAY) -> dict[str, str]:
    """The pages of a cold build, made apart from what a session keeps in memory (its
    builder's own renderer, rows and per-person values), so that stale reuse cannot leak
    into the reference."""
    result = build_vault(load_config(vault), today, cache=None, write=False)
    assert result.network is not None
    pages = render_pages(result.network) + obsidian_pages(result.network)
    return {page.path: page.text for page in pages}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


class _Session:
    def __init__(self, vault: Path) -> None:
        self.vault = vault
        self.memo = PageMemo()
        self.builder = Builder(load_config(vault), NoteCache.in_memory(), pages=self.memo)
        self.builder.build(BuildRequest(TODAY))

    def rebuild(self, *changed: str, today: dt.date = TODAY) -> dict[str, str]:
        result = self.builder.build(BuildRequest(today, changed=changed))
        pages = {page.path: page.text for page in result.pages}
        assert pages == _cold(self.vault, today)
        return pages


def test_one_edit_reuses_the_pages_it_does_not_touch(sample_vault: Path) -> None:
    session = _Session(sample_vault)
    # Templated pages: People.base and Introductions.canvas are made anew, with no memo.
    total = sum(
        p.path.endswith(".md") for p in session.builder.build(BuildRequest(TODAY, changed=())).pages
    )
    assert len(session.memo.reused) == total  # nothing changed: every page reused
    _edit(sample_vault / "People" / "Ann Lee.md", "## Log\n", "## Log\n- 2026-11-25 call: hi\n")
    session.rebuild("People/Ann Lee.md")
    assert 0 < len(session.memo.reused) < total
    assert "Index.md" not in session.memo.reused


def test_edits_of_every_kind_give_the_pages_of_a_cold_build(sample_vault: Path) -> None:
    session = _Session(sample_vault)
    people = sample_vault / "People"
    _edit(people / "Ann Lee.md", "tier: ", "tier: acquaintance\nold_tier: ")
    session.rebuild("People/Ann Lee.md")
    bob = (people / "Bob Marsh.md").read_text(encoding="utf-8")
    (people / "Bob Marsh.md").write_text(bob.replace("company:", "company: Initech\nwas:"))
    session.rebuild("People/Bob Marsh.md")
    _edit(people / "Aisha Rahman.md", "to: 2024-12-20", "to: 2026-10-01")  # a recent move
    session.rebuild("People/Aisha Rahman.md")
    _edit(
        people / "Chiara Conti.md",
        "## Log\n",
        "## Log\n- 2026-11-20 call: she introduced me to her CTO #got #intro\n",
    )
    session.rebuild("People/Chiara Conti.md")
    (sample_vault / "Daily" / "2026-11-24.md").write_text("Lunch with [[Bob Marsh]].\n")
    session.rebuild("Daily/2026-11-24.md")
    (people / "Katarzyna Nowak.md").rename(people / "Kasia Nowak.md")
    session.rebuild("People/Katarzyna Nowak.md", "People/Kasia Nowak.md")
    (people / "Tom Beaumont.md").unlink()
    session.rebuild("People/Tom Beaumont.md")
    session.rebuild(today=TODAY + dt.timedelta(days=1))


def test_a_field_only_a_user_template_shows_is_never_stale(sample_vault: Path) -> None:
    # Nothing vaultnet models changes, only a front matter field the template prints:
    # the person is rebuilt, so the page is rendered again.
    templates = sample_vault / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "tier.md.j2").write_text(
        "{% for p in group.members %}{{ p.name }}: {{ p.front_matter.get('mastodon') }}\n"
        "{% endfor %}"
    )
    _edit(sample_vault / "People" / "Ann Lee.md", "tier: ", "mastodon: '@ann'\ntier: ")
    session = _Session(sample_vault)
    _edit(sample_vault / "People" / "Ann Lee.md", "'@ann'", "'@lee'")  # no line moves
    pages = session.rebuild("People/Ann Lee.md")
    assert any("Ann Lee: @lee" in text for text in pages.values())


def test_an_edited_or_added_template_is_rendered_again(sample_vault: Path) -> None:
    templates = sample_vault / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "tier.md.j2").write_text("Tier {{ group.tier.name }}\n")
    session = _Session(sample_vault)
    (templates / "tier.md.j2").write_text("Tier page of {{ group.tier.name }}\n")
    assert "Tier page of champion" in session.rebuild()["Tiers/Champions.md"]
    # A new override beside the first one: the name now stands for another file.
    (templates / "index.md.j2").write_text("My index\n")
    assert session.rebuild()["Index.md"].endswith("My index\n")
    (templates / "index.md.j2").unlink()
    assert "My index" not in session.rebuild()["Index.md"]


def test_what_a_template_reads_is_found_through_its_imports(sample_vault: Path) -> None:
    templates = sample_vault / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "index.md.j2").write_text(
        '{% import "builtin/_macros.md.j2" as m with context %}{{ m.summary_line(digest) }}'
    )
    (templates / "tier.md.j2").write_text('{% include "builtin/" ~ "index.md.j2" %}')
    config = load_config(sample_vault)
    env = make_environment(config, TODAY)
    templates_read, names, _ = template_inputs(env, "index.md.j2")
    assert {name for name, _ in templates_read} == {"index.md.j2", "builtin/_macros.md.j2"}
    assert names is not None and {"digest", "config", "digest_extras"} <= names
    # A template named by an expression cannot be followed: its pages are always rendered.
    assert template_inputs(env, "tier.md.j2").variables is None
    session = _Session(sample_vault)
    session.rebuild()
    assert "Index.md" in session.memo.reused
    assert not any(path.startswith("Tiers/") for path in session.memo.reused)


def test_a_broken_template_is_reported_as_without_the_memo(sample_vault: Path) -> None:
    from vaultnet.errors import TemplateError

    templates = sample_vault / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    session = _Session(sample_vault)
    (templates / "index.md.j2").write_text("{% for p in people %}\n{{ p.name }\n")
    try:
        session.builder.build(BuildRequest(TODAY, changed=()))
    except TemplateError as exc:
        assert exc.path == ".vaultnet/templates/index.md.j2" and exc.line == 2
    else:
        raise AssertionError("the broken template was not reported")
    (templates / "index.md.j2").write_text("Fixed {{ people | length }}\n")
    assert session.rebuild()["Index.md"].endswith("Fixed 46\n")


def test_a_new_day_leaves_no_old_environment_behind(sample_vault: Path) -> None:
    session = _Session(sample_vault)
    for days in range(1, 4):
        session.rebuild(today=TODAY + dt.timedelta(days=days))
    assert len({id(env) for env, _ in session.memo.inputs}) == 1


def test_only_a_watchers_renders_keep_per_person_values(sample_vault: Path) -> None:
    session = _Session(sample_vault)  # its very first render keeps them already
    assert session.builder.renderer.insight_state.values.current
    single = Builder(load_config(sample_vault), NoteCache.in_memory())
    single.build(BuildRequest(TODAY))  # a single build keeps nothing
    assert not single.renderer.insight_state.values.keep
    assert not single.renderer.insight_state.values.current


def test_a_page_is_its_front_matter_then_its_body_and_reused_as_the_same_text(
    sample_vault: Path,
) -> None:
    """The front matter is rendered with the body; a body's leading blank lines are
    dropped, and a reused page is the very text of the last render."""
    templates = sample_vault / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "index.md.j2").write_text("\n\n\n# Mine\n\n{{ people | length }} people\n")
    session = _Session(sample_vault)
    index = session.rebuild()["Index.md"]
    assert index == "---\ngenerated_by: vaultnet\ntoday: 2026-11-26\n---\n# Mine\n\n46 people\n"
    first = {p.path: p.text for p in session.builder.build(BuildRequest(TODAY, changed=())).pages}
    again = {p.path: p.text for p in session.builder.build(BuildRequest(TODAY, changed=())).pages}
    assert all(again[path] is first[path] for path in first if path.endswith(".md"))
