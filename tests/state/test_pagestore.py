"""Pages a one-shot build takes from the output folder when nothing they show changed
(``.vaultnet/pages.pickle``): the company pages, the briefs and the canvas."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.state.builds import (
    TODAY,
    append,
    build,
    counted,
    counting,
    edit,
    fresh,
    page_path,
    written,
)
from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.pipeline import build as build_module
from vaultnet.pipeline import output, record
from vaultnet.pipeline.build import Builder, BuildRequest
from vaultnet.render import obsidian, render
from vaultnet.render.builtin import builtin_templates_dir
from vaultnet.state import pagestore
from vaultnet.state.cache import NoteCache
from vaultnet.state.rowstore import RowStore

COMPANY = "Companies/Acme Robotics.md"  # one of Ann Lee's companies (her history)
OTHER = "Companies/Initech.md"  # none of hers


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The pages rendered (by path) and canvases laid out (``canvas``) from here on."""
    counts: Counter[str] = Counter()
    counting(monkeypatch, counts, render, "_render_page", page_path)
    counting(monkeypatch, counts, obsidian, "introductions_canvas", lambda _: "canvas")
    counting(monkeypatch, counts, obsidian, "people_base", lambda _: "base")
    return counts


def _company_pages(vault: Path) -> set[str]:
    return {path for path in written(vault) if path.startswith("Companies/")}


def _log(vault: Path, name: str = "Nikolai Petrov") -> None:
    append(vault / "People" / f"{name}.md", "\n- 2026-11-25 — call about the kite\n")


def _same_as_fresh(vault: Path, tmp_path: Path) -> None:
    """The output is that of a build after ``rm -rf .vaultnet``."""
    assert written(vault) == fresh(vault, tmp_path)[0]


def test_a_log_edit_renders_no_company_page_and_no_canvas(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path
) -> None:
    build(sample_vault)
    assert rendered["canvas"] == 1 and rendered[COMPANY] == 1
    companies = _company_pages(sample_vault)
    assert len(companies) > 5
    rendered.clear()
    _log(sample_vault, "Bob Marsh")  # now at Initech, before at Acme Robotics
    build(sample_vault)
    # His last contact shows on the pages of his companies, not on the others.
    assert companies & set(rendered) == {OTHER, COMPANY}
    assert rendered["canvas"] == 0 and rendered["base"] == 0
    assert rendered["Index.md"] == 1  # the pages of everyone are rendered as before
    _same_as_fresh(sample_vault, tmp_path)


def test_people_base_is_made_again_only_for_another_configuration(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path
) -> None:
    """People.base is a function of the configuration: read back while it is the same and
    its file is the one written; made again when either changed."""
    build(sample_vault)
    assert rendered["base"] == 1
    base = sample_vault / "Network" / "People.base"
    for change in ("log", "touched", "config"):
        rendered.clear()
        if change == "touched":
            os.utime(base, ns=(0, 0))  # the same text, not the file written
        if change == "config":
            with open(sample_vault / "vaultnet.toml", "a", encoding="utf-8") as handle:
                handle.write('\ndormant_after = "400d"\n')
        _log(sample_vault)
        build(sample_vault)
        assert rendered["base"] == (change != "log"), change
        _same_as_fresh(sample_vault, tmp_path)


def test_the_writer_does_not_read_again_the_pages_read_back(
    sample_vault: Path, rendered: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    build(sample_vault)
    looked_at: list[str] = []
    real = output.is_generated

    def counted(path: Path) -> bool:
        looked_at.append(path.relative_to(sample_vault / "Network").as_posix())
        return real(path)

    monkeypatch.setattr(output, "is_generated", counted)
    rendered.clear()
    _log(sample_vault)
    build(sample_vault)
    assert rendered[OTHER] == 0 and "Index.md" in looked_at
    assert OTHER not in looked_at and "Introductions.canvas" not in looked_at


def test_the_pages_taken_from_their_files_are_not_read(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page whose key and file are as saved is known unchanged by its file's state: no
    part of the build reads its text."""
    build(sample_vault)
    read = counted(monkeypatch, pagestore, "read_written")
    _log(sample_vault)
    rendered.clear()
    build(sample_vault)
    assert rendered[OTHER] == 0 and rendered["canvas"] == 0 and rendered["base"] == 0
    assert read == []
    _same_as_fresh(sample_vault, tmp_path)


def test_a_page_whose_file_changed_after_it_was_taken_is_made_again(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file found unchanged by the render and changed before the write (by someone else,
    in between): the writer asks for the page's text, which is rendered then, since the
    file no longer holds it."""
    build(sample_vault)
    root = sample_vault / "Network"
    touched = [root / OTHER, root / "Introductions.canvas", root / "People.base"]
    real = output.write_pages

    def changed_first(*args: Any, **kwargs: Any) -> Any:
        for file in touched:
            with open(file, "a", encoding="utf-8") as handle:
                handle.write(" ")  # still vaultnet's: marked, but not what it wrote
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "write_pages", changed_first)
    _log(sample_vault)
    rendered.clear()
    build(sample_vault)
    assert rendered[OTHER] == 1 and rendered["canvas"] == 1 and rendered["base"] == 1
    monkeypatch.setattr(build_module, "write_pages", real)
    _same_as_fresh(sample_vault, tmp_path)
    # The files written then are saved as written: the next build takes them again.
    _log(sample_vault)
    rendered.clear()
    build(sample_vault)
    assert rendered[OTHER] == 0 and rendered["canvas"] == 0 and rendered["base"] == 0
    _same_as_fresh(sample_vault, tmp_path)


def test_a_page_taken_unread_gives_its_own_text_after_a_later_build(
    sample_vault: Path, tmp_path: Path
) -> None:
    """A build's page taken from its file is that build's page, whenever its text is
    asked for: after a later build wrote another version of it, it is rendered."""
    build(sample_vault)
    _log(sample_vault)
    builder = Builder(load_config(sample_vault), NoteCache.for_vault(sample_vault))
    first = builder.build(BuildRequest(dt.date.fromisoformat(TODAY)))
    page = next(page for page in first.pages if page.path == OTHER)
    on_disk = (sample_vault / "Network" / OTHER).read_text(encoding="utf-8")
    _log(sample_vault, "Bob Marsh")  # now at Initech: its page changes
    builder.build(BuildRequest(dt.date.fromisoformat(TODAY)))
    assert (sample_vault / "Network" / OTHER).read_text(encoding="utf-8") != on_disk
    assert page.text == on_disk


def test_the_record_takes_the_state_of_the_files_the_write_found_unchanged(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build record holds the size and time of every page: of a page taken unread,
    as the write found its file; the next build stops early on it, and one page touched
    since is seen."""
    build(sample_vault)
    looked_at: list[Path] = []
    real_stat, real_save = os.stat, build_module.save_record

    def saved(*args: Any, **kwargs: Any) -> None:
        def stat(path: Path, *more: Any, **options: Any) -> os.stat_result:
            looked_at.append(path)
            return real_stat(path, *more, **options)

        monkeypatch.setattr(record.os, "stat", stat)
        try:
            real_save(*args, **kwargs)
        finally:
            monkeypatch.setattr(record.os, "stat", real_stat)

    monkeypatch.setattr(build_module, "save_record", saved)
    _log(sample_vault)
    build(sample_vault)
    root = sample_vault / "Network"
    outputs = json.loads((sample_vault / ".vaultnet" / "last-build.json").read_text())["outputs"]
    for path, state in outputs.items():
        info = (root / path).stat()
        assert state == [info.st_size, info.st_mtime_ns], path
    assert root / OTHER not in looked_at and root / "Index.md" in looked_at
    assert _stops_early(sample_vault)
    os.utime(root / OTHER, ns=(0, 0))
    assert not _stops_early(sample_vault)


def _stops_early(vault: Path) -> bool:
    """Whether a build finds nothing changed since the last one (the build record)."""
    builder = Builder(load_config(vault), NoteCache.for_vault(vault))
    return builder.build(BuildRequest(dt.date.fromisoformat(TODAY))).up_to_date


def test_an_edit_renders_the_pages_of_what_it_changed(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path
) -> None:
    build(sample_vault)
    rendered.clear()
    note = sample_vault / "People" / "Ann Lee.md"
    edit(note, "    role: Director of Engineering", "    role: Chief Kite Officer")
    build(sample_vault)
    assert rendered[COMPANY] == 1 and rendered[OTHER] == 0
    assert b"Chief Kite Officer" in written(sample_vault)[COMPANY]
    assert rendered["canvas"] == 0
    _same_as_fresh(sample_vault, tmp_path)
    # What the canvas shows of her: it is laid out again.
    edit(note, "met: 2017-05-15", "met: 2017-05-16")
    rendered.clear()
    build(sample_vault)
    assert rendered["canvas"] == 1
    _same_as_fresh(sample_vault, tmp_path)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("name: Ann Lee", "name: Ann Leigh"),
        ("tier: champion", "tier: advocate"),
        ("met: 2017-05-15", 'introduced_by: "[[Zoë Okafor]]"\nmet: 2017-05-15'),
        ("met: 2017-05-15", "status: archived\nmet: 2017-05-15"),
    ],
    ids=["name", "tier", "introduced_by", "archived"],
)
def test_what_the_canvas_shows_of_a_person_lays_it_out_again(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path, old: str, new: str
) -> None:
    build(sample_vault)
    edit(sample_vault / "People" / "Ann Lee.md", old, new)
    rendered.clear()
    build(sample_vault)
    assert rendered["canvas"] == 1
    _same_as_fresh(sample_vault, tmp_path)


def test_the_first_build_of_a_day_takes_the_canvas_when_it_shows_the_same(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path
) -> None:
    # Everyone is made again (their digests hold the day); what the canvas shows of them
    # is keyed by what it is, not by who was made again.
    build(sample_vault)
    rendered.clear()
    result = CliRunner().invoke(main, ["build", str(sample_vault), "--today", "2026-11-27"])
    assert result.exit_code in (0, 1), result.output
    assert rendered["canvas"] == 0
    canvas = (sample_vault / "Network" / "Introductions.canvas").read_bytes()
    shutil.rmtree(sample_vault / ".vaultnet")
    result = CliRunner().invoke(main, ["build", str(sample_vault), "--today", "2026-11-27"])
    assert rendered["canvas"] == 1  # laid out whole: the same file
    assert (sample_vault / "Network" / "Introductions.canvas").read_bytes() == canvas


def test_a_page_changed_on_disk_is_rendered_again(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path
) -> None:
    build(sample_vault)
    page = sample_vault / "Network" / COMPANY
    page.write_text(page.read_text(encoding="utf-8") + "my own line\n", encoding="utf-8")
    canvas = sample_vault / "Network" / "Introductions.canvas"
    os.utime(canvas, ns=(0, 0))  # the same text, not the file written
    _log(sample_vault)
    rendered.clear()
    build(sample_vault)
    assert rendered[COMPANY] == 1 and rendered["canvas"] == 1 and rendered[OTHER] == 0
    _same_as_fresh(sample_vault, tmp_path)
    # A page removed is written again.
    page.unlink()
    _log(sample_vault)
    build(sample_vault)
    _same_as_fresh(sample_vault, tmp_path)


def _templates(vault: Path) -> Path:
    with open(vault / "vaultnet.toml", "a", encoding="utf-8") as handle:
        handle.write('\ntemplates_dir = "Page templates"\n')
    folder = vault / "Page templates"
    folder.mkdir()
    return folder


def test_a_template_change_renders_its_pages_again(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path
) -> None:
    folder = _templates(sample_vault)
    source = (builtin_templates_dir() / "company.md.j2").read_text(encoding="utf-8")
    (folder / "company.md.j2").write_text(source, encoding="utf-8")
    build(sample_vault)
    rendered.clear()
    _log(sample_vault)
    build(sample_vault)
    assert rendered[OTHER] == 0  # the same template: taken from the last build
    (folder / "company.md.j2").write_text(source + "Custom footer.\n", encoding="utf-8")
    build(sample_vault)
    assert rendered[OTHER] == 1
    assert written(sample_vault)[OTHER].endswith(b"Custom footer.\n")
    _same_as_fresh(sample_vault, tmp_path)


def test_a_template_that_reads_everyone_is_rendered_when_anyone_changed(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path
) -> None:
    folder = _templates(sample_vault)
    (folder / "company.md.j2").write_text(
        "# {{ company.name }}\n{% for p in people %}{{ p.name }} {{ p.last_contact }}\n"
        "{% endfor %}",
        encoding="utf-8",
    )
    build(sample_vault)
    rendered.clear()
    _log(sample_vault, "Nikolai Petrov")  # at no company
    build(sample_vault)
    assert rendered[OTHER] == 1
    assert b"Nikolai Petrov 2026-11-25" in written(sample_vault)[OTHER]
    _same_as_fresh(sample_vault, tmp_path)
    # Nothing it reads changed (only the record is gone): taken from the last build.
    (sample_vault / ".vaultnet" / "last-build.json").unlink()
    rendered.clear()
    build(sample_vault)
    assert rendered[OTHER] == 0 and rendered["Index.md"] == 1


def _saved_file(vault: Path) -> Path:
    return vault / ".vaultnet" / pagestore.PAGES_FILE


class _Planted:
    """A class of a pickle planted in .vaultnet/: never to be made when it is read."""

    made = 0

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Planted, ())

    def __init__(self) -> None:
        _Planted.made += 1


@pytest.mark.parametrize(
    "saved",
    [
        b"not a pickle",
        pickle.dumps({"format": pagestore.FORMAT, "pages": [], "shown": {}}),
        "another shape",  # the right format and version, the pages of another shape
        "a class",
    ],
)
def test_a_damaged_or_planted_file_is_ignored(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path, saved: bytes | str
) -> None:
    build(sample_vault)
    file = _saved_file(sample_vault)
    payload = pickle.loads(file.read_bytes())
    assert COMPANY in payload["pages"]
    if saved == "another shape":
        payload["pages"] = {path: [key, 0, 0, 0] for path, (key, *_) in payload["pages"].items()}
        saved = pickle.dumps(payload)
    elif saved == "a class":
        payload["pages"][COMPANY] = _Planted()
        saved = pickle.dumps(payload)
    _Planted.made = 0
    assert isinstance(saved, bytes)
    file.write_bytes(saved)
    _log(sample_vault)
    rendered.clear()
    build(sample_vault)
    assert _Planted.made == 0
    assert rendered[OTHER] == 1 and rendered["canvas"] == 1  # nothing taken from it
    assert rendered["base"] == 1
    _same_as_fresh(sample_vault, tmp_path)
    assert COMPANY in pickle.loads(file.read_bytes())["pages"]  # written again


def test_a_file_reached_through_a_link_is_neither_read_nor_written(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path
) -> None:
    build(sample_vault)
    file = _saved_file(sample_vault)
    outside = tmp_path / "outside.pickle"
    outside.write_bytes(file.read_bytes())
    file.unlink()
    file.symlink_to(outside)
    before = outside.read_bytes()
    _log(sample_vault)
    rendered.clear()
    build(sample_vault)
    assert rendered[OTHER] == 1 and rendered["canvas"] == 1
    assert file.is_symlink() and outside.read_bytes() == before
    _same_as_fresh(sample_vault, tmp_path)


def test_a_saved_page_replaced_by_a_link_is_not_read_through_it(
    sample_vault: Path, tmp_path: Path
) -> None:
    """A saved page whose file became a link (to a file of the same bytes, size and time)
    is not read through it: it is rendered, and the writer refuses the link as ever."""
    build(sample_vault)
    page = sample_vault / "Network" / OTHER
    other = tmp_path / "other.md"
    before = page.read_bytes()
    other.write_bytes(before)
    info = page.stat()
    os.utime(other, ns=(info.st_atime_ns, info.st_mtime_ns))
    page.unlink()
    page.symlink_to(other)
    state = (info.st_ino, info.st_size, info.st_mtime_ns)
    assert pagestore.read_written(page, state) is None
    _log(sample_vault)
    result = CliRunner().invoke(main, ["build", str(sample_vault), "--today", TODAY])
    assert result.exit_code == 1 and "is a symbolic link" in result.output
    assert page.is_symlink() and other.read_bytes() == before  # nothing written through it


def test_the_rows_of_pages_saved_whole_are_not_kept(sample_vault: Path) -> None:
    """A company page is rendered again only when its company changed: its rows are
    rendered then, not kept in .vaultnet/rows/ for it."""
    note = sample_vault / "People" / "Ann Lee.md"
    edit(note, "    role: Director of Engineering", "    role: Chief Kite Officer")
    build(sample_vault)
    assert b"Chief Kite Officer" in written(sample_vault)[COMPANY]
    rows = RowStore.for_vault(sample_vault).load(dt.date.fromisoformat(TODAY))
    assert rows and not any(
        "Chief Kite Officer" in text for r in rows.values() for text in r.values()
    )


def test_a_template_that_names_another_through_a_variable_is_always_rendered(
    sample_vault: Path, rendered: Counter[str]
) -> None:
    folder = _templates(sample_vault)
    (folder / "company.md.j2").write_text(
        '{% set part = "company_part.md.j2" %}{% include part %}', encoding="utf-8"
    )
    (folder / "company_part.md.j2").write_text("# {{ company.name }}\n", encoding="utf-8")
    build(sample_vault)
    rendered.clear()
    _log(sample_vault)
    build(sample_vault)
    assert rendered[OTHER] == 1  # what it reads cannot be known
    assert written(sample_vault)[OTHER].endswith(b"# Initech\n")


def test_a_brief_is_rendered_again_only_when_its_person_changed(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path
) -> None:
    day = ["--today", "2026-12-01"]  # Zoë Okafor's coffee is ahead: she has a brief

    def built(vault: Path) -> dict[str, bytes]:
        result = CliRunner().invoke(main, ["build", str(vault), *day])
        assert result.exit_code in (0, 1), result.output
        return written(vault)

    brief = "Briefs/Zoë Okafor.md"
    assert brief in built(sample_vault)
    rendered.clear()
    _log(sample_vault)
    built(sample_vault)
    assert rendered[brief] == 0
    append(sample_vault / "People" / "Zoë Okafor.md", "\n- 2026-11-30 — call about the kite\n")
    pages = built(sample_vault)
    assert rendered[brief] == 1 and b"call about the kite" in pages[brief]
    cold = tmp_path / "cold"
    shutil.copytree(sample_vault, cold, ignore=shutil.ignore_patterns("Network", ".vaultnet"))
    assert built(cold) == pages
