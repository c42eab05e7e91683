"""update_introductions: a watcher's introductions brought up to date from the last ones.

The oracle is build_introductions on the new network: people compare by identity, so any
old Person left in the result makes the equality fail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from vaultnet.config import load_config
from vaultnet.insights.introductions import Introductions, build_introductions, update_introductions
from vaultnet.insights.logscan import scan_logs
from vaultnet.model.network import Network, Person
from vaultnet.pipeline.build import Builder, BuildRequest, Mode
from vaultnet.state.cache import NoteCache

TODAY = dt.date(2026, 11, 26)


def _path(name: str) -> str:
    return f"People/{name}.md"


def _people_in(intros: Introductions) -> Iterator[Person]:
    """Every Person object the introductions hold."""
    for chain in intros.chains:
        yield from (node.person for node in chain.nodes if node.person is not None)
    for connector in intros.connectors:
        if connector.node.person is not None:
            yield connector.node.person
        yield from connector.direct
    yield from (node.person for node in intros.graph.nodes if node.person is not None)
    for made in intros.made:
        yield from (made.first, made.second)
    for cycle in intros.cycles:
        yield from (node.person for node in cycle if node.person is not None)


def _holds(intros: Introductions, person: Person) -> bool:
    return any(p is person for p in _people_in(intros))


def _edit(vault: Path, name: str, old: str, new: str) -> None:
    path = vault / _path(name)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _add_log_line(vault: Path, name: str, line: str) -> None:
    """Add an entry as the last line of the note's log, so no other entry changes line."""
    path = vault / _path(name)
    text = path.read_text(encoding="utf-8")
    heading = re.search(r"^(#+) (?:Log|Meetings)\n", text, re.MULTILINE)
    assert heading is not None
    # The log runs to the next heading of its level or above.
    end = re.compile(rf"^#{{1,{len(heading[1])}}} ", re.MULTILINE).search(text, heading.end())
    log = text[heading.end() : end.start() if end else len(text)]
    entries = list(re.finditer(r"^- .*\n", log, re.MULTILINE))
    assert entries
    at = heading.end() + entries[-1].end()
    path.write_text(text[:at] + line + "\n" + text[at:], encoding="utf-8")


class Watch:
    """A builder kept between edits, as `vaultnet watch` keeps one."""

    def __init__(self, vault: Path) -> None:
        self.builder = Builder(load_config(vault), NoteCache.in_memory())
        self.network = self._build(None)
        self.intros = build_introductions(self.network)

    def _build(self, changed: list[str] | None) -> Network:
        network = self.builder.build(
            BuildRequest(TODAY, Mode.MODEL, changed=None if changed is None else tuple(changed))
        ).network
        assert network is not None
        return network

    def rebuild(self, *changed: str) -> tuple[Introductions | None, Introductions, Network]:
        """Build after an edit: (the update, the full build, the new network)."""
        before = self.network
        after = self._build(list(changed))
        assert after.patch is not None
        assert after.patch.base() is before
        scan = scan_logs(after)
        updated = update_introductions(self.intros, after, scan)
        fresh = build_introductions(after, scan=scan)
        self.network = after
        self.intros = fresh
        return updated, fresh, after


@pytest.mark.parametrize(
    "name",
    [
        "Ann Lee",  # introduced two people, heads the biggest tree
        "Bob Marsh",  # introduced by Ann, introduced Grace
        "Olumide Bakare",  # at the end of a chain
        "Kenji Sato",  # only in an introduction you made
        "Priya Raman",  # made an introduction (logged in her note) and introduced Tom
    ],
)
def test_a_log_entry_replaces_the_person_everywhere(sample_vault: Path, name: str) -> None:
    watch = Watch(sample_vault)
    previous = watch.intros
    old = watch.network.by_key[_path(name)]
    assert _holds(previous, old)
    _add_log_line(sample_vault, name, "- 2026-11-25 call: quick catch-up about nothing much")
    updated, fresh, after = watch.rebuild(_path(name))
    now = after.by_key[_path(name)]
    assert len(now.interactions) == len(old.interactions) + 1
    assert updated is not None
    assert updated == fresh
    # Returning the old introductions would fail: they hold the old person.
    assert previous != fresh
    assert _holds(updated, now)
    assert not _holds(updated, old)


def test_a_role_change_is_updated(sample_vault: Path) -> None:
    watch = Watch(sample_vault)
    previous = watch.intros
    _edit(sample_vault, "Zoë Okafor", "role: Head of Data", "role: VP Data")
    updated, fresh, after = watch.rebuild(_path("Zoë Okafor"))
    assert updated is not None
    assert updated == fresh
    assert _holds(updated, after.by_key[_path("Zoë Okafor")])
    # Nothing else was rebuilt: chains and rows without Zoë are the same objects.
    zoe = after.by_key[_path("Zoë Okafor")]
    for old_chain, new_chain in zip(previous.chains, updated.chains, strict=True):
        if not any(node.person is zoe for node in new_chain.nodes):
            assert new_chain is old_chain
    assert updated.made[1] is previous.made[1]


def test_someone_outside_introductions_changes_nothing(sample_vault: Path) -> None:
    watch = Watch(sample_vault)
    previous = watch.intros
    assert not any(p.key == _path("Lars Eriksen") for p in _people_in(previous))
    _add_log_line(sample_vault, "Lars Eriksen", "- 2026-11-25 call: data contracts again")
    updated, fresh, _ = watch.rebuild(_path("Lars Eriksen"))
    assert updated is previous
    assert updated == fresh


def test_a_daily_note_mentioning_two_people(sample_vault: Path) -> None:
    watch = Watch(sample_vault)
    daily = sample_vault / "Daily" / "2026-11-22.md"
    assert not daily.exists()
    daily.write_text("Lunch with [[Ann Lee]] and [[Bob Marsh]] at the Eagle.\n", encoding="utf-8")
    updated, fresh, after = watch.rebuild("Daily/2026-11-22.md")
    assert after.patch is not None
    assert {now.key for _, now in after.patch.replaced} == {_path("Ann Lee"), _path("Bob Marsh")}
    assert updated is not None
    assert updated == fresh
    assert _holds(updated, after.by_key[_path("Ann Lee")])
    assert _holds(updated, after.by_key[_path("Bob Marsh")])


def test_edits_in_a_row(sample_vault: Path) -> None:
    watch = Watch(sample_vault)
    for number, name in enumerate(["Ann Lee", "Zoë Okafor", "Ann Lee"]):
        _add_log_line(sample_vault, name, f"- 2026-11-2{number} call: catch-up number {number}")
        updated, fresh, _ = watch.rebuild(_path(name))
        assert updated is not None
        assert updated == fresh
        watch.intros = updated  # the next update starts from this one


def test_a_loop_of_introducers(sample_vault: Path) -> None:
    watch = Watch(sample_vault)
    # Grace was introduced by Bob, Bob by Ann: Ann introduced by Grace closes a loop.
    _edit(
        sample_vault,
        "Ann Lee",
        "met: 2017-05-15",
        'met: 2017-05-15\nintroduced_by: "[[Grace O\'Connell]]"',
    )
    updated, fresh, _ = watch.rebuild(_path("Ann Lee"))
    assert updated is None or updated == fresh
    assert fresh.cycles
    _add_log_line(sample_vault, "Bob Marsh", "- 2026-11-25 call: about the loop")
    updated, fresh, after = watch.rebuild(_path("Bob Marsh"))
    assert updated is not None
    assert updated == fresh
    bob = after.by_key[_path("Bob Marsh")]
    assert any(node.person is bob for cycle in updated.cycles for node in cycle)


def test_an_introducer_without_a_note(sample_vault: Path) -> None:
    watch = Watch(sample_vault)
    _edit(
        sample_vault,
        "Olumide Bakare",
        'introduced_by: "[[Zoë Okafor]]"',
        "introduced_by: [Al X, Zoë Okafor]",
    )
    watch.rebuild(_path("Olumide Bakare"))
    assert any(c.node.person is None for c in watch.intros.connectors)
    _add_log_line(sample_vault, "Olumide Bakare", "- 2026-11-25 call: about Al")
    updated, fresh, after = watch.rebuild(_path("Olumide Bakare"))
    assert updated is not None
    assert updated == fresh
    olu = after.by_key[_path("Olumide Bakare")]
    assert any(c.node.person is None and olu in c.direct for c in updated.connectors)


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        # Someone else introduced her: chains, connectors and the graph change.
        ("Hannah Brooks", 'introduced_by: "[[Jonah Feld]]"', 'introduced_by: "[[Ann Lee]]"'),
        # A second introducer, without a note.
        ("Olumide Bakare", 'introduced_by: "[[Zoë Okafor]]"', "introduced_by: [Zoë Okafor, Al X]"),
    ],
)
def test_changes_to_what_introductions_read(
    sample_vault: Path, name: str, old: str, new: str
) -> None:
    watch = Watch(sample_vault)
    previous = watch.intros
    _edit(sample_vault, name, old, new)
    updated, fresh, _ = watch.rebuild(_path(name))
    assert fresh != previous
    assert updated is None or updated == fresh


def test_a_new_alias_resolves_an_intro_entry(sample_vault: Path) -> None:
    watch = Watch(sample_vault)
    # Links to nobody yet: not an introduction you made.
    _add_log_line(
        sample_vault, "Lars Eriksen", "- 2026-11-25 intro: met [[Sunny]] through me #intro"
    )
    updated, fresh, _ = watch.rebuild(_path("Lars Eriksen"))
    assert updated is None or updated == fresh
    previous = watch.intros
    _edit(sample_vault, "Tom Beaumont", "tier:", "aliases: [Sunny]\ntier:")
    updated, fresh, _ = watch.rebuild(_path("Tom Beaumont"))
    assert len(fresh.made) == len(previous.made) + 1
    assert updated is None or updated == fresh


def test_an_intro_entry_added(sample_vault: Path) -> None:
    watch = Watch(sample_vault)
    previous = watch.intros
    _add_log_line(
        sample_vault, "Ann Lee", "- 2026-11-25 coffee: introduced her to [[Kenji Sato]] #intro"
    )
    updated, fresh, _ = watch.rebuild(_path("Ann Lee"))
    assert len(fresh.made) == len(previous.made) + 1
    assert updated is None or updated == fresh


def test_an_intro_entry_moved_to_another_line(sample_vault: Path) -> None:
    watch = Watch(sample_vault)
    previous = watch.intros
    # A line above Priya's #intro entry: the row shows the entry's line, which moved.
    _edit(sample_vault, "Priya Raman", "## Log\n", "## Log\n- 2026-11-25 call: short one\n")
    updated, fresh, _ = watch.rebuild(_path("Priya Raman"))
    assert [m.line for m in fresh.made] != [m.line for m in previous.made]
    assert updated is None or updated == fresh


def test_a_network_that_is_not_a_patch(sample_vault: Path) -> None:
    watch = Watch(sample_vault)
    _edit(sample_vault, "Ann Lee", "tier: champion", "tier: advocate")
    after = watch.builder.build(
        BuildRequest(TODAY, Mode.MODEL, changed=(_path("Ann Lee"),))
    ).network
    assert after is not None
    assert after.patch is None
    assert update_introductions(watch.intros, after, scan_logs(after)) is None
