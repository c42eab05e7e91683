"""Unit tests for dates, durations (cadences), calendar arithmetic and birthdays."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import TODAY
from vaultnet.dates import (
    Birthday,
    Duration,
    add_months,
    ago,
    long_date,
    parse_birthday,
    parse_date,
    parse_duration,
    short_date,
)
from vaultnet.model.followups import birthday_within

D = dt.date

# --- durations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (30, Duration(days=30)),
        ("30", Duration(days=30)),
        ("30d", Duration(days=30)),
        ("30 d", Duration(days=30)),
        ("30D", Duration(days=30)),
        ("6w", Duration(days=42)),
        ("3m", Duration(months=3)),
        ("1y", Duration(months=12)),
        ("2Y", Duration(months=24)),
        ("weekly", Duration(days=7)),
        ("biweekly", Duration(days=14)),
        ("monthly", Duration(months=1)),
        ("Quarterly", Duration(months=3)),
        ("yearly", Duration(months=12)),
        ("  monthly  ", Duration(months=1)),
    ],
)
def test_parse_duration(value: object, expected: Duration) -> None:
    assert parse_duration(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        0,
        -5,
        "0d",
        "-3d",
        "often",
        "3x",
        "1.5m",
        "3 months",
        "",
        True,
        False,
        None,
        1.5,
        ["30d"],
        "999999999d",
        99999999999,
        "99999999999",
        "100001",
        "¹",  # a digit to str.isdigit, not a number to int()
        "²d",
    ],
)
def test_bad_durations_are_none(value: object) -> None:
    assert parse_duration(value) is None


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (Duration(days=30), "30d"),
        (Duration(days=42), "6w"),
        (Duration(months=3), "3m"),
        (Duration(months=12), "1y"),
        (Duration(months=24), "2y"),
        (Duration(months=18), "18m"),
    ],
)
def test_duration_str_round_trips(duration: Duration, text: str) -> None:
    assert str(duration) == text
    assert parse_duration(text) == duration


# --- calendar arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # clamps to the end of February
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 11, 26), 3, D(2027, 2, 26)),  # across a year end
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 5, 10), 0, D(2026, 5, 10)),
        (D(2026, 5, 10), -5, D(2025, 12, 10)),
    ],
)
def test_add_months(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


def test_duration_after() -> None:
    assert Duration(months=1).after(D(2026, 1, 31)) == D(2026, 2, 28)
    assert Duration(days=30).after(D(2026, 1, 31)) == D(2026, 3, 2)
    assert Duration(days=7, months=1).after(D(2026, 1, 31)) == D(2026, 3, 7)


def test_duration_past_the_end_of_the_calendar_is_the_last_date() -> None:
    assert Duration(months=12 * 100_000).after(D(2026, 1, 1)) == dt.date.max
    assert Duration(days=100_000).after(D(9999, 1, 1)) == dt.date.max
    assert parse_duration("100000y") == Duration(months=1_200_000)


@pytest.mark.parametrize(
    ("duration", "start", "days"),
    [
        (Duration(months=1), D(2026, 2, 1), 28),
        (Duration(months=1), D(2026, 3, 1), 31),
        (Duration(months=1), D(2026, 4, 1), 30),
        (Duration(months=1), D(2026, 1, 31), 28),
        (Duration(months=3), D(2026, 11, 26), 92),
        (Duration(months=12), D(2027, 3, 1), 366),  # includes 29 Feb 2028
        (Duration(months=1), None, 30),
        (Duration(months=3), None, 90),
        (Duration(months=12), None, 360),
        (Duration(days=45), None, 45),
        (Duration(days=45), D(2026, 2, 1), 45),
    ],
)
def test_cadence_in_days(duration: Duration, start: dt.date | None, days: int) -> None:
    assert duration.in_days(start) == days


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(2026, 1, 2), D(2026, 1, 2)),
        (dt.datetime(2026, 1, 2, 23, 59), D(2026, 1, 2)),
        ("2026-01-02", D(2026, 1, 2)),
        (" 2026-01-02 ", D(2026, 1, 2)),
        ("2026-01-02T10:00", D(2026, 1, 2)),
        ("2026-01-02 10:00", D(2026, 1, 2)),
        ("2026-02-30", None),
        ("2026-1-2", D(2026, 1, 2)),
        ("2026/01/02", D(2026, 1, 2)),
        ("2 Jan 2026", D(2026, 1, 2)),
        ("2 January 2026", D(2026, 1, 2)),
        ("Jan 2, 2026", D(2026, 1, 2)),
        ("January 2nd, 2026", D(2026, 1, 2)),
        ("02/01/2026", None),  # 2 January or 1 February?
        ("2026-13-01", None),
        ("31 Feb 2026", None),
        ("2 Jan 2026 and more", None),
        ("soon", None),
        (20260102, None),
        (None, None),
        (True, None),
    ],
)
def test_parse_date(value: object, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


# --- birthdays -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(1988, 12, 3), Birthday(12, 3, 1988)),
        ("1988-12-03", Birthday(12, 3, 1988)),
        ("12-05", Birthday(12, 5)),
        ("--12-01", Birthday(12, 1)),
        ("2-29", Birthday(2, 29)),
        ("--02-29", Birthday(2, 29)),
        ("13-01", None),
        ("02-30", None),
        ("1988-02-30", None),
        ("December 3", None),
        (1203, None),
    ],
)
def test_parse_birthday(value: object, expected: Birthday | None) -> None:
    assert parse_birthday(value) == expected


def test_birthday_str() -> None:
    assert str(Birthday(12, 3, 1988)) == "1988-12-03"
    assert str(Birthday(2, 9)) == "02-09"


def test_birthday_next_date() -> None:
    assert Birthday(12, 3).next_on_or_after(TODAY) == D(2026, 12, 3)
    assert Birthday(11, 26).next_on_or_after(TODAY) == TODAY
    assert Birthday(11, 25).next_on_or_after(TODAY) == D(2027, 11, 25)
    assert Birthday(1, 2).next_on_or_after(D(2026, 12, 30)) == D(2027, 1, 2)


def test_29_february_in_non_leap_years_is_28_february() -> None:
    leapling = Birthday(2, 29, 2000)
    assert leapling.next_on_or_after(D(2027, 2, 1)) == D(2027, 2, 28)
    assert leapling.next_on_or_after(D(2028, 2, 1)) == D(2028, 2, 29)
    assert leapling.next_on_or_after(D(2027, 3, 1)) == D(2028, 2, 29)
    assert birthday_within(leapling, D(2027, 2, 20)) == D(2027, 2, 28)


@pytest.mark.parametrize(
    ("birthday", "expected"),
    [
        (Birthday(11, 26), TODAY),  # today is included
        (Birthday(12, 3, 1988), D(2026, 12, 3)),
        (Birthday(12, 9), D(2026, 12, 9)),  # today + 13: the last day of the window
        (Birthday(12, 10), None),  # today + 14: outside
        (Birthday(11, 25), None),  # yesterday: next year's is far away
        (None, None),
    ],
)
def test_birthday_window_is_14_days_today_included(
    birthday: Birthday | None, expected: dt.date | None
) -> None:
    assert birthday_within(birthday, TODAY) == expected


def test_birthday_window_across_new_year() -> None:
    assert birthday_within(Birthday(1, 3), D(2026, 12, 25)) == D(2027, 1, 3)


# --- words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_ago", "words"),
    [
        (0, "today"),
        (1, "yesterday"),
        (-1, "tomorrow"),
        (2, "2 days ago"),
        (-5, "in 5 days"),
        (13, "13 days ago"),
        (14, "2 weeks ago"),
        (56, "8 weeks ago"),
        (60, "8 weeks ago"),  # 27 September: not yet two calendar months
        (61, "2 months ago"),
        (-90, "in 2 months"),  # 24 February: not yet three
        (-92, "in 3 months"),
        (364, "11 months ago"),
        (365, "12 months ago"),
        (400, "13 months ago"),
        (729, "23 months ago"),
        (731, "2 years ago"),
        (1278, "3 years ago"),  # three and a half years: whole years, rounded down
        (1461, "4 years ago"),
        (3653, "10 years ago"),
    ],
)
def test_ago(days_ago: int, words: str) -> None:
    assert ago(TODAY - dt.timedelta(days=days_ago), TODAY) == words


def test_ago_never() -> None:
    assert ago(None, TODAY) == "never"


def test_ago_singular() -> None:
    assert ago(TODAY - dt.timedelta(days=400), TODAY) == "13 months ago"
    assert ago(TODAY - dt.timedelta(days=30), TODAY) == "4 weeks ago"
    assert ago(TODAY - dt.timedelta(days=46), TODAY) == "6 weeks ago"  # 6.6: rounded down


def test_short_and_long_dates() -> None:
    assert short_date(D(2026, 10, 1), TODAY) == "1 Oct"
    assert short_date(D(2024, 10, 1), TODAY) == "1 Oct 2024"
    assert short_date(D(2024, 10, 1)) == "1 Oct"
    assert short_date(None, TODAY) == "—"
    assert long_date(TODAY) == "Thursday 26 November 2026"
