"""Dates, durations and birthdays as notes write them, and how pages speak of them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple

# The days --today accepts: every date computed from it (a year of follow-ups, last year's
# moves, next birthdays, a calendar's horizon) stays a real date, far from year 1 and 9999.
TODAY_RANGE = (dt.date(1900, 1, 1), dt.date(9000, 12, 31))
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_DATETIME_PREFIX = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ]")
# At most 9 digits: int() of a 5,000-digit count raises, and 100,000 is the cap anyway.
_DURATION = re.compile(r"(\d{1,9})\s*([dwmy])", re.IGNORECASE)
_MONTH_DAY = re.compile(r"(?:--)?(\d{1,2})-(\d{1,2})")
# English names, independent of the process locale.
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_NUMBERS = {
    name: number
    for number, month in enumerate(_MONTHS, start=1)
    for name in (month.casefold(), month[:3].casefold(), *(("sept",) if number == 9 else ()))
}
# Dates as people type them (docs/notes.md, "Dates"): year first with any of - / . and one
# or two digits; a day and a month name; a month name and a day. Matched at a position and
# followed by something other than a digit.
_NUMERIC = re.compile(r"(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})(?!\d)")
_DAY_NAMED = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ \t]+([A-Za-z]{3,9})\.?,?[ \t]+(\d{4})(?!\d)")
_NAMED_DAY = re.compile(r"([A-Za-z]{3,9})\.?[ \t]+(\d{1,2})(?:st|nd|rd|th)?,?[ \t]+(\d{4})(?!\d)")
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_NAMED = {
    "daily": (1, 0),
    "weekly": (7, 0),
    "biweekly": (14, 0),
    "fortnightly": (14, 0),
    "monthly": (0, 1),
    "bimonthly": (0, 2),
    "quarterly": (0, 3),
    "yearly": (0, 12),
    "annually": (0, 12),
}


@dataclass(frozen=True, slots=True, order=True)
class Duration:
    """A cadence: whole days plus calendar months (a year is twelve months)."""

    days: int = 0
    months: int = 0

    def __reduce__(self) -> tuple[type[Duration], tuple[int, int]]:
        # Pickled as a call: the parse cache holds thousands, and the state functions
        # dataclasses give a frozen, slotted class run in Python, slowly.
        return Duration, (self.days, self.months)

    def after(self, start: dt.date) -> dt.date:
        """The date this duration after ``start``; month ends clamp (31 Jan + 1m = 28 Feb)."""
        try:
            return add_months(start, self.months) + dt.timedelta(days=self.days)
        except (OverflowError, ValueError):
            return dt.date.max  # past the end of the calendar: as good as never

    def in_days(self, start: dt.date | None) -> int:
        """Length in days counted from ``start``; 30 days a month when there is no start."""
        if start is None:
            return self.days + 30 * self.months
        return (self.after(start) - start).days

    def __str__(self) -> str:
        if self.months and not self.days:
            if self.months % 12 == 0:
                return f"{self.months // 12}y"
            return f"{self.months}m"
        if self.days and not self.months:
            if self.days % 7 == 0:
                return f"{self.days // 7}w"
            return f"{self.days}d"
        return f"{self.months}m{self.days}d"


@dataclass(frozen=True, slots=True)
class Birthday:
    """A birthday: month and day, with the year when the note gives one."""

    month: int
    day: int
    year: int | None = None

    def __reduce__(self) -> tuple[type[Birthday], tuple[int, int, int | None]]:
        return Birthday, (self.month, self.day, self.year)  # see Duration.__reduce__

    def next_on_or_after(self, today: dt.date) -> dt.date:
        """The first date on or after ``today`` that is this birthday (29 Feb → 28 Feb)."""
        import calendar  # on first use: an early stop does not need it

        for year in (today.year, today.year + 1):
            day = self.day
            if self.month == 2 and day == 29 and not calendar.isleap(year):
                day = 28
            candidate = dt.date(year, self.month, day)
            if candidate >= today:
                return candidate
        raise AssertionError("unreachable")  # pragma: no cover

    def __str__(self) -> str:
        if self.year:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"{self.month:02d}-{self.day:02d}"


def add_months(start: dt.date, months: int) -> dt.date:
    """Add calendar months, clamping the day to the target month's length."""
    if not months:
        return start
    import calendar

    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(start.day, last))


class WrittenDate(NamedTuple):
    """A date as written in a note: the date, or why the text that looks like one is not.

    ``end`` is where the written date ends in the text it was read from.
    """

    date: dt.date | None
    problem: str  # "" when ``date`` is set
    end: int


def read_date(text: str, pos: int = 0) -> WrittenDate | None:
    """The date written at ``text[pos:]``, in any form docs/notes.md lists; None when what
    is there does not look like a date at all (so that no warning is due).

    ``2026-11-05``, ``2026/11/05``, ``2026-1-5``, ``5 Nov 2026``, ``5 November 2026``,
    ``Nov 5, 2026``; ``05/11/2026`` looks like a date but is ambiguous, ``2026-13-01``
    looks like one but is not.
    """
    first = text[pos : pos + 1]
    if not first:
        return None
    if first.isdigit():
        match = _NUMERIC.match(text, pos)
        if match:
            head, _, middle, tail = match.groups()
            if len(head) == 4 and len(tail) <= 2:
                return _checked_date(match[0], int(head), int(middle), int(tail), match.end())
            if len(tail) == 4 and len(head) <= 2:
                return WrittenDate(None, _ambiguous(match[0], head, middle, tail), match.end())
            return None
        match = _DAY_NAMED.match(text, pos)
        if match and match[2].casefold() in _MONTH_NUMBERS:
            month = _MONTH_NUMBERS[match[2].casefold()]
            return _checked_date(match[0], int(match[3]), month, int(match[1]), match.end())
        return None
    if first.isalpha():
        match = _NAMED_DAY.match(text, pos)
        if match and match[1].casefold() in _MONTH_NUMBERS:
            month = _MONTH_NUMBERS[match[1].casefold()]
            return _checked_date(match[0], int(match[3]), month, int(match[2]), match.end())
    return None


def _checked_date(written: str, year: int, month: int, day: int, end: int) -> WrittenDate:
    try:
        return WrittenDate(dt.date(year, month, day), "", end)
    except ValueError:
        pass
    if not 1 <= month <= 12:
        why = f"there is no month {month}"
    elif year < 1:
        why = "there is no year 0"
    else:
        why = f"{_MONTHS[month - 1]} {year} has no day {day}"
    return WrittenDate(None, f"{written!r} is not a date ({why}); write YYYY-MM-DD", end)


def _ambiguous(written: str, first: str, second: str, year: str) -> str:
    a, b = int(first), int(second)
    options = []
    for day, month in ((a, b), (b, a)):
        try:
            options.append(dt.date(int(year), month, day))
        except ValueError:
            continue
    if len(options) == 2 and options[0] != options[1]:
        readings = " or ".join(f"{d.day} {_MONTHS[d.month - 1]}" for d in options)
        fix = " or ".join(d.isoformat() for d in options)
        return f"{written!r} is ambiguous ({readings}?); write {fix}"
    shown = options[0].isoformat() if options else "YYYY-MM-DD"
    return f"{written!r}: day and month order differ between countries; write {shown}"


def parse_date(value: object) -> dt.date | None:
    """A date from a YAML date, a datetime (its date) or a string in any form ``read_date``
    reads (``2026-11-05``, ``5 Nov 2026``...); else None (``date_problem`` says why)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        match = _ISO_DATE.fullmatch(text) or _ISO_DATETIME_PREFIX.match(text)
        if match:  # the common form, checked first
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
        found = read_date(text)
        if found is not None and found.end == len(text):
            return found.date
    return None


def date_problem(value: object) -> str:
    """Why ``value`` is not a date ``parse_date`` reads, as the end of a warning."""
    text = value.strip() if isinstance(value, str) else str(value)
    found = read_date(text)
    if found is not None and found.end == len(text) and found.problem:
        return found.problem
    return f"{text!r} is not a date (write YYYY-MM-DD, or 5 Nov 2026)"


def parse_duration(value: object) -> Duration | None:
    """A cadence from an integer (days), ``Nd``/``Nw``/``Nm``/``Ny`` or a named period."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = f"{value}d"  # whole days, within the bounds checked below
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in _NAMED:
        days, months = _NAMED[text]
        return Duration(days, months)
    if text.isdigit():
        text += "d"  # "30" is 30 days; "¹" is a digit but not a number
    match = _DURATION.fullmatch(text)
    if not match:
        return None
    count, unit = int(match[1]), match[2].lower()
    if count <= 0 or count > 100_000:
        return None
    if unit == "d":
        return Duration(days=count)
    if unit == "w":
        return Duration(days=7 * count)
    if unit == "m":
        return Duration(months=count)
    return Duration(months=12 * count)


def parse_birthday(value: object) -> Birthday | None:
    """A birthday from a date, ``YYYY-MM-DD``, ``MM-DD`` or ``--MM-DD``; else None."""
    full = parse_date(value)
    if full is not None:
        return Birthday(full.month, full.day, full.year)
    if isinstance(value, str):
        match = _MONTH_DAY.fullmatch(value.strip())
        if match:
            month, day = int(match[1]), int(match[2])
            try:
                dt.date(2000, month, day)  # a leap year admits 29 Feb
            except ValueError:
                return None
            return Birthday(month, day)
    return None


def ago(when: dt.date | None, today: dt.date) -> str:
    """How long ago (or ahead) ``when`` is, in words: "today", "3 weeks ago", "in 5 days".

    Whole units, rounded down like an age: three and a half years is "3 years ago".
    """
    if when is None:
        return "never"
    days = (today - when).days
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days == -1:
        return "tomorrow"
    span = _span(*sorted((when, today)))
    return f"{span} ago" if days > 0 else f"in {span}"


def _span(start: dt.date, end: dt.date) -> str:
    days = (end - start).days
    if days < 14:
        return _plural(days, "day")
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    if months < 2:
        return _plural(days // 7, "week")  # 2 to 8 weeks
    if months < 24:  # "18 months" says more than "1 year"
        return _plural(months, "month")
    return _plural(months // 12, "year")


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def short_date(when: dt.date | None, today: dt.date | None = None) -> str:
    """``1 Oct``, with the year when it differs from ``today``'s: ``1 Oct 2024``."""
    if when is None:
        return "—"
    text = f"{when.day} {_MONTHS[when.month - 1][:3]}"
    if today is not None and when.year != today.year:
        text += f" {when.year}"
    return text


def long_date(when: dt.date) -> str:
    """``Thursday 26 November 2026``."""
    return f"{_DAYS[when.weekday()]} {when.day} {_MONTHS[when.month - 1]} {when.year}"
