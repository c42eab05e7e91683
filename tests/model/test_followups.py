"""The follow-up rules of SPEC section 4, one by one, and the model that applies them."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from tests.conftest import TODAY
from vaultnet.config import Config, Tier
from vaultnet.dates import Duration
from vaultnet.model.followups import bucket_for, due_date, follow_up
from vaultnet.model.network import Network, build_network
from vaultnet.source.notes import Note, parse_note

HORIZON = 30
VAULT = Path("vault")  # the model is pure: the folder is never read


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


# --- buckets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "bucket"),
    [
        (-400, "overdue"),
        (-1, "overdue"),
        (0, "due_soon"),
        (1, "due_soon"),
        (7, "due_soon"),
        (8, "upcoming"),
        (HORIZON, "upcoming"),
        (HORIZON + 1, "later"),
        (400, "later"),
    ],
)
def test_bucket_boundaries(offset: int, bucket: str) -> None:
    assert bucket_for(days(offset), None, TODAY, HORIZON) == bucket


def test_bucket_follows_the_horizon() -> None:
    assert bucket_for(days(60), None, TODAY, 60) == "upcoming"
    assert bucket_for(days(61), None, TODAY, 60) == "later"
    # A horizon shorter than a week: "due_soon" still covers the week.
    assert bucket_for(days(7), None, TODAY, 3) == "due_soon"
    assert bucket_for(days(8), None, TODAY, 3) == "later"


def test_never_contacted() -> None:
    assert bucket_for(None, None, TODAY, HORIZON) == "never_contacted"


@pytest.mark.parametrize(
    ("snooze", "due", "bucket"),
    [
        (1, -50, "snoozed"),  # snooze after today wins over overdue
        (1, None, "snoozed"),  # and over never contacted
        (0, -50, "overdue"),  # snoozed until today: back today
        (-1, -50, "overdue"),
        (-1, None, "never_contacted"),
        (10, 3, "snoozed"),
    ],
)
def test_snooze(snooze: int, due: int | None, bucket: str) -> None:
    due_day = None if due is None else days(due)
    assert bucket_for(due_day, days(snooze), TODAY, HORIZON) == bucket


# --- due dates -----------------------------------------------------------------------------

MONTH = Duration(months=1)


def test_due_from_cadence() -> None:
    assert due_date(None, [], dt.date(2026, 1, 31), MONTH) == (dt.date(2026, 2, 28), "cadence")
    assert due_date(None, [], days(-10), Duration(days=30)) == (days(20), "cadence")


def test_planned_beats_cadence_and_the_earliest_plan_counts() -> None:
    assert due_date(None, [days(20), days(5)], days(-100), MONTH) == (days(5), "planned")


def test_next_follow_up_beats_planned_and_cadence() -> None:
    assert due_date(days(40), [days(5)], days(-100), MONTH) == (days(40), "next_follow_up")
    assert due_date(days(-3), [], None, MONTH) == (days(-3), "next_follow_up")


def test_no_due_date_without_contact() -> None:
    assert due_date(None, [], None, MONTH) == (None, "")
    assert due_date(None, [days(3)], None, MONTH) == (days(3), "planned")


def test_follow_up_state() -> None:
    state = follow_up(
        today=TODAY,
        horizon_days=HORIZON,
        cadence=Duration(days=30),
        last_contact=days(-55),
        next_follow_up=None,
        planned=[],
        snooze_until=None,
    )
    assert state.due == days(-25)
    assert state.due_reason == "cadence"
    assert state.bucket == "overdue"
    assert state.days_overdue == 25
    assert state.cadence_days == 30


def test_days_overdue_is_zero_outside_overdue() -> None:
    for last, snooze in ((days(-5), None), (days(-55), days(3)), (None, None)):
        state = follow_up(
            today=TODAY,
            horizon_days=HORIZON,
            cadence=Duration(days=30),
            last_contact=last,
            next_follow_up=None,
            planned=[],
            snooze_until=snooze,
        )
        assert state.bucket != "overdue"
        assert state.days_overdue == 0


@pytest.mark.parametrize(
    ("last", "cadence", "expected"),
    [
        (dt.date(2026, 2, 1), Duration(months=1), 28),
        (dt.date(2026, 1, 31), Duration(months=1), 28),
        (dt.date(2026, 3, 1), Duration(months=1), 31),
        (dt.date(2026, 8, 26), Duration(months=3), 92),
        (None, Duration(months=1), 30),
        (None, Duration(months=3), 90),
        (None, Duration(days=45), 45),
    ],
)
def test_cadence_days_counts_real_months_after_last_contact(
    last: dt.date | None, cadence: Duration, expected: int
) -> None:
    state = follow_up(
        today=TODAY,
        horizon_days=HORIZON,
        cadence=cadence,
        last_contact=last,
        next_follow_up=None,
        planned=[],
        snooze_until=None,
    )
    assert state.cadence_days == expected


# --- the model applies the rules to notes ----------------------------------------------------


def note(path: str, text: str) -> Note:
    result = parse_note(path, textwrap.dedent(text).lstrip("\n").encode("utf-8"))
    assert isinstance(result, Note), result.diagnostics
    return result


def person(path: str, front: str, body: str = "") -> Note:
    fm = textwrap.dedent(front).strip("\n")
    return note(path, f"---\n{fm}\n---\n{textwrap.dedent(body)}")


def model(*notes: Note, config: Config | None = None, today: dt.date = TODAY) -> Network:
    network, _ = build_network(config or Config(vault=VAULT), notes, today)
    return network


def names(people: tuple) -> list[str]:
    return [p.name for p in people]


def test_cadence_from_note_else_tier() -> None:
    network = model(
        person("A.md", "tier: champion\nlast_contact: 2026-11-01\ncadence: 2w"),
        person("B.md", "tier: advocate\nlast_contact: 2026-11-01"),
        person("C.md", "tier: advocate\nlast_contact: 2026-11-01\ncadence: whenever"),
    )
    a, b, c = (network.by_key[k] for k in ("A.md", "B.md", "C.md"))
    assert (a.cadence, a.cadence_from_note, a.followup.due) == (
        Duration(days=14),
        True,
        dt.date(2026, 11, 15),
    )
    assert (b.cadence, b.cadence_from_note, b.followup.due) == (
        Duration(days=60),
        False,
        dt.date(2026, 12, 31),
    )
    assert c.cadence == Duration(days=60)  # a bad cadence falls back to the tier's


def test_month_cadence_in_a_note() -> None:
    network = model(person("A.md", "tier: champion\nlast_contact: 2026-01-31\ncadence: 1m"))
    state = network.by_key["A.md"].followup
    assert state.due == dt.date(2026, 2, 28)
    assert state.cadence_days == 28


def test_due_precedence_in_notes() -> None:
    log = """
    ## Log
    - 2026-10-01 call: last one
    - 2026-12-20 dinner: planned
    - 2026-12-10 lunch: planned earlier
    """
    network = model(
        person("Next.md", "tier: champion\nnext_follow_up: 2027-01-05", log),
        person("Planned.md", "tier: champion", log),
        person("Cadence.md", "tier: champion\nlast_contact: 2026-10-15"),
    )
    assert network.by_key["Next.md"].followup.due == dt.date(2027, 1, 5)
    assert network.by_key["Next.md"].followup.due_reason == "next_follow_up"
    assert network.by_key["Planned.md"].followup.due == dt.date(2026, 12, 10)
    assert network.by_key["Planned.md"].followup.due_reason == "planned"
    assert network.by_key["Cadence.md"].followup.due == dt.date(2026, 11, 14)
    assert network.by_key["Cadence.md"].followup.due_reason == "cadence"


def test_last_contact_is_the_latest_of_field_met_and_interactions_up_to_today() -> None:
    network = model(
        person(
            "People/Field.md",
            "tier: champion\nlast_contact: 2026-11-10\nmet: 2020-01-01",
            "## Log\n- 2026-11-01 call: older\n- 2026-12-01 dinner: planned\n",
        ),
        person("People/Met.md", "tier: champion\nmet: 2026-11-12\nlast_contact: 2026-01-01"),
        person(
            "People/Log.md",
            "tier: champion\nlast_contact: 2026-01-01",
            "## Log\n- 2026-11-26 coffee: today counts\n- 2026-11-27 lunch: tomorrow does not\n",
        ),
        person("People/Mention.md", "tier: champion\nlast_contact: 2026-01-01"),
        note("Daily/2026-11-20.md", "Lunch with [[Mention]]\n"),
        note("Daily/2026-11-30.md", "Lunch with [[Mention]] (a plan written ahead)\n"),
        person("People/Never.md", "tier: champion"),
    )
    by = network.by_key
    assert by["People/Field.md"].last_contact == dt.date(2026, 11, 10)
    assert by["People/Met.md"].last_contact == dt.date(2026, 11, 12)
    assert by["People/Log.md"].last_contact == TODAY
    assert by["People/Log.md"].last_interaction.text == "today counts"  # type: ignore[union-attr]
    assert by["People/Mention.md"].last_contact == dt.date(2026, 11, 20)
    assert by["People/Never.md"].last_contact is None
    assert by["People/Never.md"].followup.bucket == "never_contacted"
    # The planned entry is not a contact but sets the due date.
    assert by["People/Field.md"].followup.due == dt.date(2026, 12, 1)
    assert [i.text for i in by["People/Field.md"].planned] == ["planned"]


def test_future_last_contact_is_ignored_with_a_warning() -> None:
    network, diagnostics = build_network(
        Config(vault=VAULT),
        [person("A.md", "tier: champion\nlast_contact: 2027-01-01\nmet: 2026-11-01")],
        TODAY,
    )
    assert network.by_key["A.md"].last_contact == dt.date(2026, 11, 1)
    [warning] = diagnostics
    assert (warning.path, warning.line, warning.level) == ("A.md", 3, "warning")
    assert "after today" in warning.message


def test_archived_people_get_no_follow_ups() -> None:
    network = model(
        person("A.md", "tier: champion\nstatus: archived\nlast_contact: 2020-01-01"),
        person("B.md", "tier: champion\nstatus: archived\nbirthday: 11-27"),
        person("C.md", "tier: champion\nlast_contact: 2020-01-01"),
    )
    digest = network.digest
    everyone = [
        p.key
        for bucket in (digest.overdue, digest.due_soon, digest.upcoming, digest.later)
        for p in bucket
    ]
    everyone += [
        p.key for p in digest.never_contacted + digest.dormant + digest.snoozed + digest.birthdays
    ]
    assert everyone == ["C.md"]
    assert len(network.people) == 3
    assert len(network.active) == 1
    assert [p.key for p in network.people][-2:] == ["A.md", "B.md"]  # archived last


def test_every_active_person_is_in_exactly_one_bucket() -> None:
    notes = [
        person("Over.md", "tier: champion\nlast_contact: 2026-01-01"),
        person("Soon.md", "tier: champion\nnext_follow_up: 2026-11-30"),
        person("Up.md", "tier: champion\nnext_follow_up: 2026-12-20"),
        person("Later.md", "tier: champion\nnext_follow_up: 2027-06-01"),
        person("Never.md", "tier: champion"),
        person("Snoozed.md", "tier: champion\nsnooze_until: 2026-12-01\nlast_contact: 2026-01-01"),
    ]
    digest = model(*notes).digest
    assert names(digest.overdue) == ["Over"]
    assert names(digest.due_soon) == ["Soon"]
    assert names(digest.upcoming) == ["Up"]
    assert names(digest.later) == ["Later"]
    assert names(digest.never_contacted) == ["Never"]
    assert names(digest.snoozed) == ["Snoozed"]


def test_dormant_is_out_of_touch_for_longer_than_dormant_after() -> None:
    notes = [
        person("Over.md", "tier: champion\nlast_contact: 2026-01-01"),  # 329 days
        person("Quiet.md", "tier: champion\nlast_contact: 2025-11-25"),  # 366 days
        # A date the user set is a to-do, however long ago the last contact.
        person("Set.md", "tier: champion\nlast_contact: 2020-01-01\nnext_follow_up: 2026-11-01"),
        # A connection is not a contact: no cadence, but dormant once it is old.
        person("Linked.md", "tier: acquaintance\nconnected: 2022-08-20"),
        person("Fresh.md", "tier: acquaintance\nconnected: 2026-10-01"),
        person("Snoozed.md", "tier: champion\nlast_contact: 2020-01-01\nsnooze_until: 2026-12-01"),
    ]
    network = model(*notes)
    digest = network.digest
    assert names(digest.overdue) == ["Over", "Set"]
    assert names(digest.dormant) == ["Quiet", "Linked"]
    assert names(digest.never_contacted) == ["Fresh"]
    assert names(digest.snoozed) == ["Snoozed"]
    linked = network.by_key["Linked.md"]
    assert linked.last_contact is None and linked.followup.due is None
    assert linked.connected == dt.date(2022, 8, 20)
    assert digest.dormant[0].followup.days_overdue == 0
    # dormant_after is configurable: a month makes everyone here dormant but
    # those with a date set or snoozed.
    month = model(*notes, config=Config(vault=VAULT, dormant_after=Duration(months=1))).digest
    assert names(month.dormant) == ["Quiet", "Over", "Fresh", "Linked"]


def test_sort_within_a_bucket_tier_then_due_then_name() -> None:
    notes = [
        person("a.md", "name: zed\ntier: acquaintance\nnext_follow_up: 2026-01-01"),
        person("b.md", "name: Bea\ntier: champion\nnext_follow_up: 2026-11-20"),
        person("c.md", "name: alf\ntier: champion\nnext_follow_up: 2026-11-20"),
        person("d.md", "name: Cal\ntier: champion\nnext_follow_up: 2026-11-01"),
        person("e.md", "name: Ada\ntier: advocate\nnext_follow_up: 2026-10-01"),
        person("f.md", "name: ALF\ntier: champion\nnext_follow_up: 2026-11-20"),
    ]
    digest = model(*notes).digest
    # Case-insensitive names: "alf" and "ALF" tie and fall back to the path.
    assert names(digest.overdue) == ["Cal", "alf", "ALF", "Bea", "Ada", "zed"]


def test_sort_never_contacted_by_tier_then_name() -> None:
    notes = [
        person("1.md", "name: bob\ntier: supporter"),
        person("2.md", "name: Amy\ntier: supporter"),
        person("3.md", "name: Zoe\ntier: champion"),
    ]
    assert names(model(*notes).digest.never_contacted) == ["Zoe", "Amy", "bob"]


def test_birthdays_in_the_window_sorted_by_date() -> None:
    notes = [
        person("A.md", "tier: acquaintance\nbirthday: 12-05"),
        person("B.md", "tier: champion\nbirthday: 1988-12-03"),
        person("C.md", "tier: champion\nbirthday: --11-26"),
        person("D.md", "tier: champion\nbirthday: 12-10"),
        person("E.md", "tier: champion\nbirthday: 11-25"),
    ]
    digest = model(*notes).digest
    assert [(p.name, p.next_birthday) for p in digest.birthdays] == [
        ("C", TODAY),
        ("B", dt.date(2026, 12, 3)),
        ("A", dt.date(2026, 12, 5)),
    ]


def test_unknown_tier_warns_and_places_in_the_weakest() -> None:
    network, diagnostics = build_network(
        Config(vault=VAULT), [person("A.md", "name: A\ntier: legend")], TODAY
    )
    assert network.by_key["A.md"].tier.name == "acquaintance"
    [warning] = diagnostics
    assert (warning.line, warning.level) == (3, "warning")
    assert "unknown tier 'legend'" in warning.message
    assert "acquaintance" in warning.message


def test_tier_matches_name_or_title_case_insensitively() -> None:
    network = model(
        person("A.md", "tier: CHAMPION"),
        person("B.md", "tier: advocates"),
        person("C.md", "type: person"),
    )
    tiers = {k: p.tier.name for k, p in network.by_key.items()}
    assert tiers == {"A.md": "champion", "B.md": "advocate", "C.md": "acquaintance"}


def test_custom_tiers_and_horizon() -> None:
    config = Config(
        vault=VAULT,
        horizon_days=60,
        tiers=(
            Tier("inner", "Inner circle", Duration(days=14), 0),
            Tier("outer", "Outer circle", Duration(months=6), 1),
        ),
    )
    network = model(
        person("A.md", "tier: Inner circle\nlast_contact: 2026-11-01"),
        person("B.md", "tier: outer\nlast_contact: 2026-07-20"),
        person("C.md", "tier: champion\nlast_contact: 2026-11-20"),
        config=config,
    )
    by = network.by_key
    assert (by["A.md"].tier.name, by["A.md"].followup.bucket) == ("inner", "overdue")
    assert by["B.md"].followup.due == dt.date(2027, 1, 20)
    assert by["B.md"].followup.bucket == "upcoming"  # 55 days ahead, within 60
    assert by["C.md"].tier.name == "outer"


def test_tier_groups() -> None:
    network = model(
        person("A.md", "tier: champion\nlast_contact: 2026-11-16"),
        person("B.md", "tier: champion\nlast_contact: 2026-10-27"),
        person("C.md", "tier: champion\nlast_contact: 2026-09-27\nstatus: archived"),
        person("D.md", "tier: advocate\ntarget_tier: champion\nlast_contact: 2026-11-25"),
        person("E.md", "tier: supporter\ntarget_tier: advocate"),
    )
    champions, advocates, supporters, _ = network.tiers
    assert [p.key for p in champions.members] == ["A.md", "B.md"]
    assert [p.key for p in champions.archived] == ["C.md"]
    assert champions.overdue == 0
    assert champions.median_days_since_contact == 20
    assert [p.key for p in champions.moving_up] == ["D.md"]
    assert [p.key for p in advocates.aiming_higher] == ["D.md"]
    assert [p.key for p in advocates.moving_up] == ["E.md"]
    assert supporters.median_days_since_contact is None
