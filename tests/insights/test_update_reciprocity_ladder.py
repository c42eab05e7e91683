"""update_reciprocity and update_ladder: a watcher's patched network brought up to date.

The oracle is the build functions: people compare by identity, so a result equal to the
build's holds no person of the network before the edit.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TODAY
from vaultnet.config import load_config
from vaultnet.insights import ladder, reciprocity
from vaultnet.insights.ladder import Ladder, build_ladder, update_ladder
from vaultnet.insights.logscan import scan_logs
from vaultnet.insights.reciprocity import (
    Reciprocity,
    build_reciprocity,
    patched_rows,
    update_reciprocity,
)
from vaultnet.model.network import Network, Person
from vaultnet.pipeline.build import Builder, BuildRequest, Mode
from vaultnet.state.cache import NoteCache


class Watch:
    """A builder kept between edits, as a watcher keeps it, with the last results."""

    def __init__(self, vault: Path) -> None:
        self.vault = vault
        self.builder = Builder(load_config(vault), NoteCache.in_memory())
        self.network = self._build([])
        self.reciprocity = build_reciprocity(self.network)
        self.ladder = build_ladder(self.network)

    def _build(self, changed: list[str]) -> Network:
        """The network after ``changed`` (everything, the first time)."""
        network = self.builder.build(
            BuildRequest(TODAY, Mode.MODEL, changed=tuple(changed) if changed else None)
        ).network
        assert network is not None
        return network

    def rebuild(self, changed: list[str]) -> tuple[Reciprocity | None, Ladder | None]:
        """Build again after ``changed``; the updates, checked against fresh builds."""
        before = self.network
        after = self._build(changed)
        assert after.patch is not None and after.patch.base() is before
        scan = scan_logs(after)
        updated = update_reciprocity(self.reciprocity, after, scan)
        updated_ladder = update_ladder(self.ladder, after, scan)
        self.network = after
        self.reciprocity = build_reciprocity(after, scan)
        self.ladder = build_ladder(after, scan)
        assert updated is None or updated == self.reciprocity
        assert updated_ladder is None or updated_ladder == self.ladder
        return updated, updated_ladder

    def person(self, name: str) -> Person:
        """The person now in the network, by note name."""
        return self.network.by_key[f"People/{name}.md"]


def add_entry(vault: Path, name: str, entry: str) -> str:
    """Put a log entry above the note's first one (or in a new log); the note's vault path."""
    path = vault / "People" / f"{name}.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next((i for i, line in enumerate(lines) if line.startswith("- 20")), None)
    if first is None:
        lines += ["", "## Log", entry, ""]
    else:
        lines.insert(first, entry)
    path.write_text("\n".join(lines), encoding="utf-8")
    return f"People/{name}.md"


def set_role(vault: Path, name: str, role: str) -> str:
    """Change the ``role:`` of a note that has one; the note's vault path."""
    path = vault / "People" / f"{name}.md"
    text = path.read_text(encoding="utf-8")
    lines = [f"role: {role}" if line.startswith("role:") else line for line in text.split("\n")]
    assert lines != text.split("\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    return f"People/{name}.md"


def people_in(value: object) -> list[Person]:
    """Every person a Reciprocity or Ladder holds, in its rows and tier groups."""
    found: list[Person] = []
    if isinstance(value, Reciprocity):
        for table in (value.balances, value.taking, value.giving):
            found += [row.person for row in table]
        found += [row.person for row in (*value.thanks_owed, *value.open_asks)]
    elif isinstance(value, Ladder):
        found += [row.person for row in value.upgrades]
        found += [row.person for row in value.changes]
        for health in value.tiers:
            found += [*health.group.members, *health.group.archived, *health.group.moving_up]
    return found


def assert_current(value: object, network: Network) -> None:
    """Every person ``value`` holds is the network's own, not one it replaced."""
    stale = [p.name for p in people_in(value) if network.by_key[p.key] is not p]
    assert not stale


@pytest.fixture
def watch(sample_vault: Path) -> Watch:
    """A watcher's builder over a copy of sample-vault, after its first build."""
    return Watch(sample_vault)


# Ann: balances and a thank-you owed (paid by the entry); Zoë: upgrade plan, thanks, a tier
# change; Tomás and Leah: open asks; Diego: taking; Hannah: giving; Emma: never contacted.
ON_THE_PAGES = [
    "Ann Lee",
    "Bob Marsh",
    "Zoë Okafor",
    "Tomás Ruiz",
    "Leah Goldberg",
    "Diego Alvarez",
    "Hannah Brooks",
    "Emma Thornton",
    "Olumide Bakare",
]


@pytest.mark.parametrize("day", ["2026-11-20", "2026-11-26", "2019-01-01"])
def test_a_plain_log_entry_takes_the_fast_path(watch: Watch, day: str) -> None:
    for name in ON_THE_PAGES:
        changed = add_entry(watch.vault, name, f"- {day} call: caught up")
        updated, updated_ladder = watch.rebuild([changed])
        assert updated is not None and updated_ladder is not None
        assert_current(updated, watch.network)
        assert_current(updated_ladder, watch.network)
        assert watch.person(name) in people_in(updated) + people_in(updated_ladder)


def test_a_role_change_replaces_the_person_and_keeps_every_other_row(watch: Watch) -> None:
    previous, previous_ladder = watch.reciprocity, watch.ladder
    updated, updated_ladder = watch.rebuild([set_role(watch.vault, "Zoë Okafor", "CTO")])
    assert updated is not None and updated_ladder is not None
    zoe = watch.person("Zoë Okafor")
    # What the update must not skip: the same values with the person replaced.
    assert previous != watch.reciprocity and previous_ladder != watch.ladder
    assert [b.person for b in updated.balances if b.person.name == "Zoë Okafor"] == [zoe]
    assert [s.person for s in updated_ladder.upgrades if s.person.name == "Zoë Okafor"] == [zoe]
    assert [c.person for c in updated_ladder.changes if c.person.name == "Zoë Okafor"] == [zoe]
    for old, new in zip(previous.balances, updated.balances, strict=True):
        assert (new is old) == (new.person is not zoe)
    for old_step, step in zip(previous_ladder.upgrades, updated_ladder.upgrades, strict=True):
        assert (step is old_step) == (step.person is not zoe)
    assert updated.open_asks is previous.open_asks  # nothing of Zoë's there
    assert updated_ladder.years is previous_ladder.years


def test_someone_on_no_page_changes_nothing(watch: Watch) -> None:
    previous, previous_ladder = watch.reciprocity, watch.ladder
    ravi = watch.person("Ravi Menon")
    assert ravi not in people_in(previous)
    assert ravi not in [row.person for row in (*previous_ladder.upgrades, *previous_ladder.changes)]
    updated, updated_ladder = watch.rebuild([set_role(watch.vault, "Ravi Menon", "Founder")])
    assert updated is previous
    assert updated_ladder is not None
    assert updated_ladder.upgrades is previous_ladder.upgrades
    assert updated_ladder.changes is previous_ladder.changes
    # His tier's group is new (he is one of its members); the other tiers' are kept.
    pairs = zip(updated_ladder.tiers, previous_ladder.tiers, strict=True)
    kept = [new is old for new, old in pairs]
    assert kept.count(False) == 1


@pytest.mark.parametrize(
    "entry",
    [
        "- 2026-11-20 coffee: he sent me a referral #got",
        "- 2026-11-20 coffee: reviewed her deck #gave",
        "- 2026-11-20 email: asked for an intro #ask",
        "- 2026-11-20 call: traded notes #gave #got",
        "- 2026-11-20 tier: supporter → advocate",
        "- 2023-05-05 tier: champion -> acquaintance",
        "- 2026-11-20 tier: nowhere → somewhere",
        "- 2027-01-05 coffee: planned #ask",
    ],
)
def test_entries_that_change_the_pages(watch: Watch, entry: str) -> None:
    for name in ON_THE_PAGES:
        updated, updated_ladder = watch.rebuild([add_entry(watch.vault, name, entry)])
        # Every table of the sample vault is shown whole: nothing is hidden, all is known.
        assert updated is not None and updated_ladder is not None
        assert_current(updated, watch.network)
        assert_current(updated_ladder, watch.network)


def test_removing_tagged_entries_and_tier_changes(watch: Watch) -> None:
    for name in ("Zoë Okafor", "Ann Lee", "Tomás Ruiz", "Chloé Martin"):
        path = watch.vault / "People" / f"{name}.md"
        lines = path.read_text(encoding="utf-8").split("\n")
        kept = [
            line
            for line in lines
            if not (line.startswith("- 20") and ("#" in line or "tier:" in line))
        ]
        assert kept != lines
        path.write_text("\n".join(kept), encoding="utf-8")
        updated, updated_ladder = watch.rebuild([f"People/{name}.md"])
        assert updated is not None and updated_ladder is not None
    assert not any(c.person.name == "Chloé Martin" for c in watch.ladder.changes)


def test_a_daily_note_mention_rebuilds_two_people(watch: Watch) -> None:
    daily = watch.vault / "Daily" / "2026-11-24.md"
    daily.write_text(
        daily.read_text(encoding="utf-8") + "\nLunch with [[Ann Lee]] and [[Tomás Ruiz]].\n",
        encoding="utf-8",
    )
    assert watch.person("Ann Lee") in people_in(watch.reciprocity)
    updated, updated_ladder = watch.rebuild(["Daily/2026-11-24.md"])
    assert watch.network.patch is not None
    assert {now.name for _, now in watch.network.patch.replaced} == {"Ann Lee", "Tomás Ruiz"}
    assert updated is not None and updated_ladder is not None
    assert_current(updated, watch.network)
    assert_current(updated_ladder, watch.network)


def test_a_network_that_is_not_patched_gives_none(watch: Watch) -> None:
    path = watch.vault / "People" / "Bob Marsh.md"
    path.write_text(path.read_text(encoding="utf-8").replace("tier: advocate", "tier: champion"))
    network = watch.builder.build(
        BuildRequest(TODAY, Mode.MODEL, changed=("People/Bob Marsh.md",))
    ).network
    assert network is not None and network.patch is None
    scan = scan_logs(network)
    assert update_reciprocity(watch.reciprocity, network, scan) is None
    assert update_ladder(watch.ladder, network, scan) is None


SMALL = 2


@pytest.fixture
def small(sample_vault: Path, monkeypatch: pytest.MonkeyPatch) -> Watch:
    """Tables of SMALL rows, so that the sample vault's tables hide rows."""
    monkeypatch.setattr(reciprocity, "MAX_ROWS", SMALL)
    monkeypatch.setattr(ladder, "MAX_ROWS", SMALL)
    return Watch(sample_vault)


def test_a_shown_thank_you_paid_while_rows_are_hidden_gives_none(small: Watch) -> None:
    watch = small
    assert watch.reciprocity.thanks_total > SMALL
    owed = watch.reciprocity.thanks_owed[0].person
    updated, _ = watch.rebuild([add_entry(watch.vault, owed.name, "- 2026-11-26 email: thanks")])
    assert updated is None  # the third thank-you owed would come in: not known
    assert owed.name not in [o.person.name for o in watch.reciprocity.thanks_owed]


def test_small_tables_take_the_fast_path_when_the_order_allows(small: Watch) -> None:
    watch = small
    shown = watch.reciprocity.thanks_owed[0].person.name
    updated, updated_ladder = watch.rebuild([set_role(watch.vault, shown, "Advisor")])
    assert updated is not None and updated_ladder is not None
    # A new #got today: it comes in first, the last row shown goes below.
    changed = add_entry(watch.vault, "Kenji Sato", "- 2026-11-26 call: he found me a lead #got")
    updated, _ = watch.rebuild([changed])
    assert updated is not None
    assert updated.thanks_owed[0].person is watch.person("Kenji Sato")
    assert len(updated.thanks_owed) == SMALL


ENTRIES = [
    "call: caught up",
    "coffee: chat #got",
    "lunch: helped #gave",
    "email: asked for an intro #ask",
    "coffee: both ways #gave #got",
    "tier: supporter → advocate",
    "tier: advocate -> champion",
    "tier: x -> y",
    "call: #intro to someone",
]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_run_of_random_edits(small: Watch, seed: int) -> None:
    watch = small
    rng = random.Random(seed)
    people = sorted(p.stem for p in (watch.vault / "People").glob("*.md"))
    fast = 0
    for _ in range(40):
        day = TODAY - dt.timedelta(days=rng.choice([-5, 0, 1, 6, 30, 100, 400, 2000]))
        if rng.random() < 0.15:
            names = rng.sample(people, 2)
            daily = watch.vault / "Daily" / f"{day.isoformat()}.md"
            old = daily.read_text(encoding="utf-8") if daily.exists() else ""
            daily.write_text(old + f"\nSaw [[{names[0]}]] and [[{names[1]}]].\n", "utf-8")
            changed = [f"Daily/{daily.name}"]
        else:
            changed = []
            for name in rng.sample(people, rng.choice([1, 1, 2, 3])):
                if rng.random() < 0.2:
                    changed.append(set_role(watch.vault, name, f"Role {rng.randint(0, 999)}"))
                else:
                    entry = f"- {day.isoformat()} {rng.choice(ENTRIES)}"
                    changed.append(add_entry(watch.vault, name, entry))
        updated, updated_ladder = watch.rebuild(changed)  # checks against the builds
        fast += (updated is not None) + (updated_ladder is not None)
    assert fast > 60


@dataclass(frozen=True)
class _Row:
    """A table row for patched_rows: a person and a place."""

    person: Person
    rank: int


def test_patched_rows(watch: Watch) -> None:
    a, b, c, d = watch.network.people[:4]
    order = lambda row: (row.rank,)  # noqa: E731
    rows = (_Row(a, 1), _Row(b, 3))
    # Shown whole (total 2): a row leaves, another comes in wherever it sorts.
    assert patched_rows(rows, 2, {a}, 1, [_Row(c, 9)], order, 2) == ((rows[1], _Row(c, 9)), 2)
    # Rows hidden (total 3): a shown row that leaves must be replaced by one sorting before
    # the last shown, or the hidden row that comes in is not known.
    assert patched_rows(rows, 3, {a}, 1, [], order, 2) is None
    assert patched_rows(rows, 3, {a}, 1, [_Row(d, 4)], order, 2) is None
    assert patched_rows(rows, 3, {a}, 1, [_Row(d, 2)], order, 2) == ((_Row(d, 2), rows[1]), 3)
    assert patched_rows(rows, 3, {b}, 1, [_Row(b, 3)], order, 2) == ((rows[0], _Row(b, 3)), 3)
    # Coming in before the last shown row pushes it out; after it, only the total changes.
    assert patched_rows(rows, 3, {c}, 0, [_Row(c, 0)], order, 2) == ((_Row(c, 0), rows[0]), 4)
    same = patched_rows(rows, 3, {c}, 1, [_Row(c, 5)], order, 2)
    assert same is not None and same[0] is rows and same[1] == 3
    # A shown row the caller did not count as leaving: the rows are not what it thinks.
    assert patched_rows(rows, 3, {a}, 0, [], order, 2) is None
    # Total not known: a full table may hide rows, a shorter one does not.
    assert patched_rows(rows, None, {a}, 1, [], order, 2) is None
    assert patched_rows(rows[:1], None, {a}, 1, [], order, 2) == ((), None)


def test_years_of_tier_changes_with_hidden_rows(small: Watch) -> None:
    watch = small
    assert watch.ladder.changes_total > SMALL
    assert watch.person("Chloé Martin") not in [c.person for c in watch.ladder.changes]
    # A hidden change goes, its year keeps a promotion: known without the hidden rows.
    path = watch.vault / "People" / "Chloé Martin.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text(
        "\n".join(x for x in lines if not (x.startswith("- 20") and "tier:" in x)), "utf-8"
    )
    _, updated_ladder = watch.rebuild(["People/Chloé Martin.md"])
    assert updated_ladder is not None
    assert [(y.year, y.up, y.down) for y in updated_ladder.years] == [(2026, 2, 0), (2025, 1, 0)]
    # A year whose only change is neither up nor down.
    _, updated_ladder = watch.rebuild(
        [add_entry(watch.vault, "Ravi Menon", "- 2019-03-01 tier: x -> y")]
    )
    assert updated_ladder is not None
    assert updated_ladder.years[-1] == ladder.YearOfChanges(2019, 0, 0)
    # Taken out again: whether 2019 has another such change is not known.
    path = watch.vault / "People" / "Ravi Menon.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text(
        "\n".join(x for x in lines if not (x.startswith("- 20") and "tier:" in x)), "utf-8"
    )
    _, updated_ladder = watch.rebuild(["People/Ravi Menon.md"])
    assert updated_ladder is None
    assert [y.year for y in watch.ladder.years] == [2026, 2025]


def test_a_tiers_dormant_count_follows_the_people_replaced(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The update counts a tier's dormant members from the last count and the people
    replaced, with no walk through the tier's members (the build counts them)."""
    for name in ("Quiet One", "Quiet Two"):
        (sample_vault / "People" / f"{name}.md").write_text(
            f"---\nname: {name}\ntier: acquaintance\n---\n## Log\n- 2024-01-10 call\n",
            encoding="utf-8",
        )
    watch = Watch(sample_vault)
    given: list[int | None] = []
    real = ladder._health

    def health(group: object, aiming: int, dormant: int | None = None) -> object:
        given.append(dormant)
        return real(group, aiming, dormant)  # type: ignore[arg-type]

    monkeypatch.setattr(ladder, "_health", health)
    assert {"Quiet One", "Quiet Two"} <= {p.name for p in watch.network.active if _dormant(p)}
    steps = [
        ("Quiet One", f"- {TODAY.isoformat()} call: back in touch"),
        ("Quiet Two", "- 2024-02-01 call"),
    ]
    for name, entry in steps:
        given.clear()
        _, updated_ladder = watch.rebuild([add_entry(watch.vault, name, entry)])
        assert updated_ladder is not None  # equal to the build's (Watch.rebuild)
        assert len([number for number in given if number is not None]) == 1  # the update's
        assert given.count(None) == len(watch.network.tiers)  # the build's, for the check
    dormant = {p.name for p in watch.network.active if _dormant(p)}
    assert "Quiet Two" in dormant and "Quiet One" not in dormant
    assert sum(h.dormant for h in watch.ladder.tiers) == len(dormant)


def _dormant(person: Person) -> bool:
    return person.followup.bucket == "dormant"


def test_the_digest_lists_the_thank_yous_the_table_hides(
    small: Watch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest's thank-yous are every recent one, taken from the reciprocity's
    ``thanks_recent`` rather than from a look at everyone, however few its table shows."""
    from tests.state.builds import counted
    from vaultnet.insights import insights

    watch = small
    assert len(watch.reciprocity.thanks_recent) > SMALL
    looked = counted(monkeypatch, insights, "thanks_owed")
    extras = insights.digest_extras(watch.network, reciprocity=watch.reciprocity)
    assert looked == []
    assert extras.thanks_owed == insights.digest_extras(watch.network).thanks_owed
    assert len(extras.thanks_owed) > SMALL
    # And a watcher's update keeps them, as a build finds them (Watch.rebuild checks).
    owed = watch.reciprocity.thanks_recent[-1].person
    updated, _ = watch.rebuild([add_entry(watch.vault, owed.name, "- 2026-11-26 email: thanks")])
    assert updated is not None
    assert owed.name not in [o.person.name for o in updated.thanks_recent]


def test_vaultnet_digest_lists_the_thank_yous_the_table_hides(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest's JSON a build saves (from the build's insights) lists every recent
    thank-you, however few the reciprocity table shows."""
    import json
    import shutil

    from click.testing import CliRunner

    from vaultnet.cli.main import main

    def thanks(vault: Path) -> list[str]:
        today = ["--today", TODAY.isoformat()]
        built = CliRunner().invoke(main, ["build", str(vault), *today])
        assert built.exit_code in (0, 1), built.output
        # Nothing changed since: printed as the build saved it.
        result = CliRunner().invoke(main, ["digest", str(vault), "--format", "json", *today])
        assert result.exit_code == 0, result.output
        return [o["path"] for o in json.loads(result.output)["insights"]["thanks_owed"]]

    copy = tmp_path / "copy"
    shutil.copytree(sample_vault, copy)
    shown = thanks(sample_vault)
    assert len(shown) > SMALL
    monkeypatch.setattr(reciprocity, "MAX_ROWS", SMALL)
    assert thanks(copy) == shown
