"""``{% cache key %}`` blocks: rendered once per key, never reading anything else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vaultnet.config import load_config
from vaultnet.errors import TemplateError
from vaultnet.pipeline.build import Builder, BuildRequest, build_vault
from vaultnet.render import filters, render
from vaultnet.render.obsidian import obsidian_pages
from vaultnet.render.render import Renderer, render_pages
from vaultnet.state import fragments
from vaultnet.state.cache import NoteCache
from vaultnet.state.pagememo import PageMemo

TODAY = dt.date(2026, 11, 26)


def _templates(vault: Path) -> Path:
    folder = vault / ".vaultnet" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _render(vault: Path, renderer: Renderer | None = None) -> dict[str, str]:
    result = build_vault(load_config(vault), TODAY, cache=None, write=False)
    assert result.network is not None
    pages = (renderer or Renderer()).render(result.network)
    return {page.path: page.text for page in pages}


def test_a_block_that_reads_more_than_its_key_does_not_compile(sample_vault: Path) -> None:
    (_templates(sample_vault) / "index.md.j2").write_text(
        "{% for p in people %}\n{% cache p %}\n{{ p.name }} of {{ vault_name }}\n"
        "{% endcache %}\n{% endfor %}\n"
    )
    with pytest.raises(TemplateError) as caught:
        _render(sample_vault)
    assert caught.value.path == ".vaultnet/templates/index.md.j2"
    assert caught.value.line == 2
    assert "may read only its key; it also reads vault_name" in str(caught.value)


def test_rows_are_rendered_once_and_the_digest_reuses_the_follow_ups_rows(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendering: list[str] = []
    calls: list[str] = []
    real_render, real_who = render.render_template, filters.who

    def tracked_render(env, name, context, vault=None, head=""):  # type: ignore[no-untyped-def]
        rendering.append(name)
        return real_render(env, name, context, vault, head)

    def tracked_who(person):  # type: ignore[no-untyped-def]
        calls.append(rendering[-1])
        return real_who(person)

    monkeypatch.setattr(render, "render_template", tracked_render)
    monkeypatch.setattr(filters, "who", tracked_who)  # a new environment gets the filter
    pages = _render(sample_vault, Renderer(PageMemo()))  # as a watcher renders
    week = next(path for path in pages if path.startswith("Digests/"))
    assert calls.count("followups.md.j2") > 10
    assert calls.count("digest.md.j2") == 0  # every row came from Follow-ups.md
    # A single build keeps nothing: every row is rendered where it is shown.
    calls.clear()
    single = Renderer()
    assert _render(sample_vault, single) == pages
    assert calls.count("digest.md.j2") == calls.count("followups.md.j2") > 10
    assert not single.environment(load_config(sample_vault), TODAY).fragments.texts()  # type: ignore[attr-defined]
    body = pages["Follow-ups.md"].split("\n## Overdue", 1)[1]
    body = body.split("## Open loops", 1)[0]  # Follow-ups.md alone lists them
    assert body in pages[week]


def test_keys_may_be_several_and_unhashable_ones_render_every_time(sample_vault: Path) -> None:
    (_templates(sample_vault) / "index.md.j2").write_text(
        "{% for p in people %}\n{% cache p, p.front_matter, loop.index %}\n"
        "{{ loop.index }}. {{ p.name }} ({{ p.front_matter | length }} fields)\n"
        "{% endcache %}\n{% endfor %}\n"
    )
    index = _render(sample_vault)["Index.md"]
    assert "1. " in index and "2. " in index and " fields)" in index


def test_an_edited_block_and_a_changed_person_are_rendered_again(sample_vault: Path) -> None:
    template = _templates(sample_vault) / "index.md.j2"
    template.write_text(
        "{% for p in people %}\n{% cache p %}\nA {{ p.name }}\n{% endcache %}\n{% endfor %}\n"
    )
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    first = {page.path: page.text for page in builder.build(BuildRequest(TODAY)).pages}
    assert "A Ann Lee\n" in first["Index.md"]
    template.write_text(
        "{% for p in people %}\n{% cache p %}\nB {{ p.name }}\n{% endcache %}\n{% endfor %}\n"
    )
    ann = sample_vault / "People" / "Ann Lee.md"
    ann.write_text(ann.read_text(encoding="utf-8").replace("name: Ann Lee", "name: Ann Lee-Park"))
    again = {
        page.path: page.text
        for page in builder.build(BuildRequest(TODAY, changed=("People/Ann Lee.md",))).pages
    }
    assert "A " not in again["Index.md"] and "B Ann Lee-Park\n" in again["Index.md"]


def test_rows_of_people_gone_or_changed_are_dropped_and_others_kept(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """People's rows go with the people; values' rows (a balance of hers) once no render
    showed them for IDLE_RENDERS renders."""
    monkeypatch.setattr(fragments, "PRUNE_SLACK", 0)
    monkeypatch.setattr(fragments, "IDLE_RENDERS", 1)
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY))
    store = builder.renderer.environment(builder.config, TODAY).fragments  # type: ignore[attr-defined]
    kept = len(store.texts())
    (sample_vault / "People" / "Ann Lee.md").unlink()
    builder.build(BuildRequest(TODAY, changed=("People/Ann Lee.md",)))
    assert 0 < len(store.texts()) < kept
    assert not any("Ann Lee]]" in text for text in store.texts())
    # A rebuild that reuses every page renders no row, and keeps them all.
    rows = sorted(store.texts())
    builder.build(BuildRequest(TODAY, changed=()))
    assert sorted(store.texts()) == rows


def test_another_days_rows_are_not_kept(sample_vault: Path) -> None:
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY))
    first = builder.renderer.environment(builder.config, TODAY).fragments  # type: ignore[attr-defined]
    assert first.texts()
    builder.build(BuildRequest(TODAY + dt.timedelta(days=1), changed=()))
    assert not first.texts()


def test_a_table_of_the_same_people_is_reused_and_dropped_when_no_render_uses_it(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY))
    env = builder.renderer.environment(builder.config, TODAY)
    store = env.fragments  # type: ignore[attr-defined]
    assert store.tables  # the tables of the follow-ups and the tiers
    made: list[tuple[object, ...]] = []
    real_put = store.put

    def tracked_put(key, block, text):  # type: ignore[no-untyped-def]
        if type(key[0]) is tuple:  # a table
            made.append(key[0])
        return real_put(key, block, text)

    monkeypatch.setitem(env.filters, "_fragment_put", tracked_put)
    # An edit that keeps Ann in her lists: only the tables that hold her are made again.
    ann = sample_vault / "People" / "Ann Lee.md"
    ann.write_text(
        ann.read_text(encoding="utf-8").replace("role: VP Engineering", "role: CTO"),
        encoding="utf-8",
    )
    result = builder.build(BuildRequest(TODAY, changed=("People/Ann Lee.md",)))
    assert made and all(
        any(p.key == "People/Ann Lee.md" for p in table)
        for table in made  # type: ignore[attr-defined]
    )
    cold = build_vault(load_config(sample_vault), TODAY, cache=None, write=False)
    assert cold.network is not None
    assert {p.path: p.text for p in result.pages} == {
        p.path: p.text for p in render_pages(cold.network) + obsidian_pages(cold.network)
    }
    # Tables no render asked for are gone after the next render.
    builder.build(BuildRequest(TODAY, changed=()))
    builder.build(BuildRequest(TODAY, changed=()))
    assert not store.tables and not store.tables_before


def test_a_watcher_walks_only_the_tables_that_changed(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table's key is its people's digests: a watcher takes them from the last render
    for the lists its network kept, and walks only the lists an edit made again."""
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY))
    env = builder.renderer.environment(builder.config, TODAY)
    walked: list[str] = []
    keying = False
    real_digest = fragments._DIGEST

    def counted(person: object) -> str:
        if keying:
            walked.append(person.key)  # type: ignore[attr-defined]
        return real_digest(person)  # type: ignore[no-any-return]

    def keyed(name: str) -> None:
        real = env.filters[name]

        def tracked(*args: object) -> object:
            nonlocal keying
            keying = True
            try:
                return real(*args)
            finally:
                keying = False

        monkeypatch.setitem(env.filters, name, tracked)

    monkeypatch.setattr(fragments, "_DIGEST", counted)
    keyed("_fragment_get")
    keyed("_fragment_put")
    ann = sample_vault / "People" / "Ann Lee.md"
    ann.write_text(
        ann.read_text(encoding="utf-8").replace("role: VP Engineering", "role: CTO"),
        encoding="utf-8",
    )
    result = builder.build(BuildRequest(TODAY, changed=("People/Ann Lee.md",)))
    network = result.network
    assert network is not None and network.patch is not None
    ann_tier = next(
        g for g in network.tiers if any(p.key == "People/Ann Lee.md" for p in g.members)
    )
    others = {p.key for g in network.tiers if g is not ann_tier for p in g.members}
    assert "People/Ann Lee.md" in walked  # her tier's table: made again
    # Only the short tables of the follow-ups, made for each render, are walked besides.
    assert len(walked) < len(others)


def test_a_list_of_people_is_walked_for_its_key_once_while_renders_use_it(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    network = build_vault(load_config(sample_vault), TODAY, write=False).network
    assert network is not None
    members = max((g.members for g in network.tiers), key=len)
    walked: list[object] = []
    real = fragments._DIGEST

    def counted(person: object) -> str:
        walked.append(person)
        return real(person)  # type: ignore[no-any-return]

    monkeypatch.setattr(fragments, "_DIGEST", counted)
    store = fragments.Fragments()
    store.keep = store.keep_values = True
    store.next_render()
    assert store.get((members,), "block") is None
    store.put((members,), "block", "the table")
    assert len(walked) == len(members)  # once for both
    store.next_render()
    assert store.get((members,), "block") == "the table"
    assert len(walked) == len(members)  # the same list: not walked again
    assert store.get((tuple(list(members)),), "block") == "the table"  # an equal one
    assert len(walked) == 2 * len(members)
    store.next_render()
    store.next_render()  # no render used it: forgotten
    assert store.get((members,), "block") is None
    assert len(walked) == 3 * len(members)


def test_a_rows_block_renders_each_row_once_and_reads_only_its_person(
    sample_vault: Path,
) -> None:
    template = _templates(sample_vault) / "index.md.j2"
    template.write_text("{% rows p in people %}\n- {{ p.name }}\n{% endrows %}\n")
    loop = "{% for p in people %}\n- {{ p.name }}\n{% endfor %}\n"
    rows = _render(sample_vault)["Index.md"]
    template.write_text(loop)
    assert rows == _render(sample_vault)["Index.md"] and "- Ann Lee\n" in rows
    template.write_text(
        "{% rows p in people %}\n- {{ p.name }} in {{ vault_name }}\n{% endrows %}\n"
    )
    with pytest.raises(TemplateError) as caught:
        _render(sample_vault)
    assert "a rows block may read only p; it also reads vault_name" in str(caught.value)
    assert caught.value.line == 1


def test_values_rows_are_kept_as_text_by_key_not_keeping_old_values_alive(
    sample_vault: Path,
) -> None:
    """A recomputed insight makes new values (a balance holds its person): rows are kept
    by the value's key, as text, so no old value, nor the old person it holds, stays
    alive in the kept rows."""
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY))
    store = builder.renderer.environment(builder.config, TODAY).fragments  # type: ignore[attr-defined]
    ann = sample_vault / "People" / "Ann Lee.md"
    for day in range(10, 14):
        text = ann.read_text(encoding="utf-8")
        ann.write_text(
            text.replace("## Log\n", f"## Log\n- 2026-11-{day} call: intro to a CTO #got\n"),
            encoding="utf-8",
        )
        builder.build(BuildRequest(TODAY, changed=("People/Ann Lee.md",)))
    assert any(listed.shown for listed in store.listed.values())  # values' rows are kept
    for listed in store.listed.values():
        assert all(type(key) is str and type(text) is str for key, text in listed.rows.items())
        assert set(listed.shown) <= set(listed.rows)


def test_rows_of_a_block_no_render_uses_any_more_are_dropped(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template edited while watching is compiled again, with new blocks: the old
    blocks' rows must not stay for as long as their people live."""
    monkeypatch.setattr(fragments, "IDLE_RENDERS", 2)
    template = _templates(sample_vault) / "index.md.j2"
    template.write_text("{% rows p in people %}\n- A {{ p.name }}\n{% endrows %}\n")
    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    builder.build(BuildRequest(TODAY))
    store = builder.renderer.environment(builder.config, TODAY).fragments  # type: ignore[attr-defined]
    assert any(text.startswith("- A ") for text in store.texts())
    template.write_text("{% rows p in people %}\n- B {{ p.name }}\n{% endrows %}\n")
    pages = {}
    for _ in range(4):
        pages = {
            page.path: page.text for page in builder.build(BuildRequest(TODAY, changed=())).pages
        }
    assert "- B Ann Lee\n" in pages["Index.md"]
    assert not any(text.startswith("- A ") for text in store.texts())


def test_a_rows_block_renders_only_the_people_it_has_not_kept(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows of people are kept by the person: a later call renders only those not kept,
    in the list's order, and an unhashable item after them is rendered, not refused."""
    monkeypatch.setattr(fragments, "PRUNE_SLACK", 0)
    result = build_vault(load_config(sample_vault), TODAY, cache=None, write=False)
    assert result.network is not None
    people = list(result.network.people)
    store = fragments.Fragments()
    store.keep = True
    rendered: list[object] = []

    def row(item: object) -> str:
        rendered.append(item)
        return f"{getattr(item, 'name', item)}\n"

    first = store.rows_of(people[:-1], "b", row)
    assert rendered == people[:-1]
    rendered.clear()
    again = store.rows_of(people[::-1], "b", row)
    assert rendered == [people[-1]]  # only the one not seen before
    assert again == "".join(f"{p.name}\n" for p in people[::-1])
    assert first == "".join(f"{p.name}\n" for p in people[:-1])
    rendered.clear()
    mixed = store.rows_of([people[0], {"not": "hashable"}], "b", row)
    assert mixed == f"{people[0].name}\n{{'not': 'hashable'}}\n"
    assert rendered == [{"not": "hashable"}]
    # Pruning drops the rows of people who are gone, and keeps the others'.
    store.prune(people[1:])
    assert f"{people[0].name}\n" not in store.texts()
    assert f"{people[1].name}\n" in store.texts()


def test_each_builder_renders_in_environments_of_its_own(sample_vault: Path) -> None:
    """Environments and their kept rows belong to a builder's renderer, not to the module:
    a single build next to a watcher's builder neither sees nor clears the watcher's rows."""
    config = load_config(sample_vault)
    watching = Builder(config, NoteCache.in_memory(), pages=PageMemo())
    watching.build(BuildRequest(TODAY))
    single = Builder(config, NoteCache.in_memory())
    single.build(BuildRequest(TODAY))
    kept = watching.renderer.environment(config, TODAY)
    assert kept is not single.renderer.environment(config, TODAY)
    assert kept.fragments.texts()  # type: ignore[attr-defined]
    assert not single.renderer.environment(config, TODAY).fragments.texts()  # type: ignore[attr-defined]


def test_a_build_that_saves_rows_keeps_only_rows_blocks(sample_vault: Path) -> None:
    """A one-shot build keeps the rows of ``{% rows %}`` blocks, of people and of values,
    to save them (rowstore.py), but no tables nor ``{% cache %}`` blocks, which only a
    watcher's next render in the same process could reuse."""
    config = load_config(sample_vault)
    builder = Builder(config, NoteCache.for_vault(sample_vault))
    builder.build(BuildRequest(TODAY))
    store = builder.renderer.environment(config, TODAY).fragments  # type: ignore[attr-defined]
    assert any(listed.rows for listed in store.listed.values())
    assert any(listed.shown for listed in store.listed.values())
    assert not store.tables and not store.tables_before and not store.rows
    watching = Builder(config, NoteCache.in_memory(), pages=PageMemo())
    watching.build(BuildRequest(TODAY))
    kept = watching.renderer.environment(config, TODAY).fragments  # type: ignore[attr-defined]
    assert kept.tables and any(listed.shown for listed in kept.listed.values())
