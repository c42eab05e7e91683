"""The keys of company pages and briefs made where their values are made (a company's by
``MadeKeys``, a brief's from ``brief.Around`` before the brief is made): a page is
rendered again when anything it shows changed, and its brief is made only then."""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.state.builds import append, build, counting, edit, fresh, page_path, written
from vaultnet.cli.main import main
from vaultnet.insights import brief as brief_module
from vaultnet.insights.brief import Around, Brief
from vaultnet.insights.companytypes import Company, CompanyRef, Move, Stint
from vaultnet.render import render

ACME = "Companies/Acme Robotics.md"  # Sofie Lindqvist is an alumna, now at Orbital Labs
INITECH = "Companies/Initech.md"
BRIEF = "Briefs/Zoë Okafor.md"  # at Harbor Health, with Emma Thornton and Olumide Bakare
BRIEF_DAY = ["--today", "2026-12-01"]  # Zoë's coffee is ahead: she has a brief


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The pages rendered (by path) and the briefs made (``brief``) from here on."""
    counts: Counter[str] = Counter()
    counting(monkeypatch, counts, render, "_render_page", page_path)
    counting(monkeypatch, counts, brief_module, "brief_of", lambda _: "brief")
    return counts


def _same_as_fresh(vault: Path, tmp_path: Path) -> None:
    """The output is that of a build after ``rm -rf .vaultnet``."""
    assert written(vault) == fresh(vault, tmp_path)[0]


def test_the_keys_cover_every_field_a_template_can_read() -> None:
    """MadeKeys and Around.key name each field of what they key: a field added to these
    classes fails here until it is keyed too (companytypes.py, brief.py)."""

    def names(kind: type) -> set[str]:
        if not dataclasses.is_dataclass(kind):  # a named tuple: each field is compared
            return set(getattr(kind, "_fields"))  # noqa: B009
        return {f.name for f in dataclasses.fields(kind) if f.compare}

    assert names(CompanyRef) == {"key", "name", "page", "link", "page_link", "own_note"}
    assert names(Stint) == {"person", "role", "start", "end", "now_at"}
    assert names(Move) == {
        *("person", "date", "kind", "left", "joined", "role", "old_role"),
        *("note", "companies", "source", "line"),
    }
    assert names(Company) == {"ref", "current", "alumni", "moves", "spellings", "note"}
    # A brief: what Around holds, and what is made of its person and the day alone.
    assert set(Around._fields) == {
        *("company_key", "company", "since", "chain", "tasks"),
        *("introduced_you_to", "colleagues", "alumni", "linked_by"),
    }
    of_the_person = {"person", "today", "name", "previous", "previous_end", "last", "planned"}
    of_the_person |= {"gave", "got", "leans", "birthday", "anniversaries", "opener"}
    for_a_target = {"target", "routes"}  # ``vaultnet brief --for``, never a build's page
    assert names(Brief) == set(Around._fields) - {"company_key"} | of_the_person | for_a_target


def test_a_company_page_shows_where_its_alumni_are_now(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path
) -> None:
    """Orbital Labs is written otherwise by its other people: Acme's page shows its
    alumna Sofie Lindqvist now at the new name, though nobody of Acme changed."""
    build(sample_vault)
    assert b"| [[Orbital Labs]] |" in written(sample_vault)[ACME]
    rendered.clear()
    for name in ("Julia Schneider", "Pedro Santos"):
        edit(sample_vault / "People" / f"{name}.md", '"[[Orbital Labs]]"', "ORBITAL LABS")
    edit(sample_vault / "People" / "Sung-min Park.md", "Orbital Labs", "ORBITAL LABS")
    build(sample_vault)
    assert rendered[ACME] == 1
    assert b"| [[ORBITAL LABS]] |" in written(sample_vault)[ACME]
    _same_as_fresh(sample_vault, tmp_path)


def test_a_company_page_is_rendered_again_for_each_of_its_inputs(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path
) -> None:
    build(sample_vault)
    pages = written(sample_vault)
    rendered.clear()
    # A person there now: their role.
    edit(sample_vault / "People" / "Ravi Menon.md", "role: Staff Engineer", "role: Kite flyer")
    build(sample_vault)
    assert rendered[INITECH] == 1 and rendered[ACME] == 0
    assert b"Kite flyer" in written(sample_vault)[INITECH]
    _same_as_fresh(sample_vault, tmp_path)
    # A spelling: Diego Alvarez writes Initech a third way.
    rendered.clear()
    edit(sample_vault / "People" / "Diego Alvarez.md", '"Initech, Inc."', '"Initech Inc"')
    build(sample_vault)
    assert rendered[INITECH] == 1 and rendered[ACME] == 0
    assert "Initech Inc" in written(sample_vault)[INITECH].decode()
    _same_as_fresh(sample_vault, tmp_path)
    # Nothing of theirs: neither page is rendered, and both are as they were.
    rendered.clear()
    append(sample_vault / "People" / "Zoë Okafor.md", "\n- 2026-11-25 — call about the kite\n")
    build(sample_vault)
    assert rendered[INITECH] == rendered[ACME] == 0
    assert written(sample_vault)[ACME] == pages[ACME]


def _built(vault: Path) -> dict[str, bytes]:
    result = CliRunner().invoke(main, ["build", str(vault), *BRIEF_DAY])
    assert result.exit_code in (0, 1), result.output
    return written(vault)


def _same_as_cold(vault: Path, tmp_path: Path, rendered: Counter[str]) -> int:
    """How often the brief was rendered by a build of ``vault``, whose pages are those of
    a build without .vaultnet/."""
    rendered.clear()
    pages = _built(vault)
    count = rendered[BRIEF]
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    shutil.copytree(vault, cold, ignore=shutil.ignore_patterns("Network", ".vaultnet"))
    assert _built(cold) == pages
    return count


def _brief(vault: Path) -> str:
    return written(vault)[BRIEF].decode()


def test_a_brief_is_made_only_when_what_it_shows_changed(
    sample_vault: Path, rendered: Counter[str], tmp_path: Path
) -> None:
    assert BRIEF in _built(sample_vault)
    rendered.clear()
    append(sample_vault / "People" / "Bob Marsh.md", "\n- 2026-11-25 — call about the kite\n")
    _built(sample_vault)
    assert rendered[BRIEF] == 0 and rendered["brief"] == 0  # neither rendered nor made
    # Someone lists her among those they know.
    people = sample_vault / "People"
    edit(people / "Bob Marsh.md", "knows:", 'knows: ["[[Zoë Okafor]]"]\nold_knows:')
    assert _same_as_cold(sample_vault, tmp_path, rendered) == 1
    assert "- Known by [[Ann Lee]], [[Bob Marsh]]\n" in _brief(sample_vault)
    # A colleague leaves her company.
    edit(people / "Emma Thornton.md", 'company: "[[Harbor Health]]"', "company: Kite Works")
    colleagues = "- At Harbor Health with [[Ann Lee]], [[Olumide Bakare]], [[Leah Goldberg]]"
    assert f"{colleagues}, [[Yusuf Demir]], [[Emma Thornton]]\n" in _brief(sample_vault)
    assert _same_as_cold(sample_vault, tmp_path, rendered) == 1
    assert f"{colleagues}, [[Yusuf Demir]]\n" in _brief(sample_vault)
    # An open task with her in a daily note.
    append(sample_vault / "Daily" / "2026-11-18.md", "\n- [ ] send [[Zoë Okafor]] the kite\n")
    assert _same_as_cold(sample_vault, tmp_path, rendered) == 1
    assert "send Zoë Okafor the kite" in _brief(sample_vault)
