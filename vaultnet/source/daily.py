"""The date of a dated note (a daily or meeting note): from its name, from the daily-note
format Obsidian's settings give, or from its ``date`` key."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from vaultnet.dates import parse_date

_DATE_PREFIX = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?!\d)")


def note_date(
    path: str, stem: str, fm: dict[str, Any], daily: re.Pattern[str] | None
) -> dt.date | None:
    """A note's date: a name that starts with one, else a path that ``daily`` (the compiled
    ``daily_pattern``) matches, else its ``date`` key; None for an undated note."""
    match = _DATE_PREFIX.match(stem)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    if daily is not None:
        found = daily.fullmatch(path[:-3] if path.endswith(".md") else path)
        if found:
            when = _daily_date(found)
            if when is not None:
                return when
    return parse_date(fm.get("date")) if "date" in fm else None


_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NUMBER = {name[:3]: number for number, name in enumerate(_MONTHS, 1)}
# moment.js tokens of a daily-note format: group (y, m for a month number, b for a month
# name, d) and regex. Names are English: Obsidian's locale is not stored in the vault.
_MOMENT_TOKENS: dict[str, tuple[str | None, str]] = {
    "YYYY": ("y", r"\d{4}"),
    "YY": ("y", r"\d{2}"),
    "MMMM": ("b", "(?i:" + "|".join(_MONTHS) + ")"),
    "MMM": ("b", "(?i:" + "|".join(m[:3] for m in _MONTHS) + ")"),
    "MM": ("m", r"\d{2}"),
    "M": ("m", r"\d{1,2}"),
    "Do": ("d", r"\d{1,2}(?=st|nd|rd|th)"),
    "DD": ("d", r"\d{2}"),
    "D": ("d", r"\d{1,2}"),
    "dddd": (None, "(?i:" + "|".join(_WEEKDAYS) + ")"),
    "ddd": (None, "(?i:" + "|".join(d[:3] for d in _WEEKDAYS) + ")"),
    "dd": (None, "(?i:" + "|".join(d[:2] for d in _WEEKDAYS) + ")"),
}
_MOMENT = re.compile(r"\[[^\]]*\]|YYYY|YY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|dd|[A-Za-z]+|[^A-Za-z\[]+")


def daily_pattern(folder: str, moment_format: str, suffix: str = "") -> str | None:
    """A regex for daily-note paths (without ``.md``) from Obsidian's moment format.

    Its named groups are ``y``, ``m`` (a month number) or ``b`` (a month name) and ``d``,
    each followed by ``suffix``. Understood: ``YYYY``, ``YY``, ``MMMM``, ``MMM``, ``MM``,
    ``M``, ``Do``, ``DD``, ``D``, ``dddd``, ``ddd``, ``dd`` (English names) and bracketed
    literals; a format with other tokens, or without a year, month and day, gets None.
    """
    parts: list[str] = []
    seen: set[str] = set()
    for token in _MOMENT.findall(moment_format):
        known = _MOMENT_TOKENS.get(token)
        if known:
            name, regex = known
            if name is None:
                parts.append(regex)
            elif name in seen:
                parts.append(f"(?P={name}{suffix})" if name != "b" else regex)
            else:
                parts.append(f"(?P<{name}{suffix}>{regex})")
                seen.add(name)
            if token == "Do":
                parts.append("(?:st|nd|rd|th)")
        elif token.startswith("["):
            parts.append(re.escape(token[1:-1]))
        elif token.isalpha():
            return None
        else:
            parts.append(re.escape(token))
    if "y" not in seen or "d" not in seen or not seen & {"m", "b"}:
        return None
    prefix = re.escape(folder.strip("/") + "/") if folder.strip("/") else ""
    return prefix + "".join(parts)


def daily_patterns(formats: Iterable[tuple[str, str]]) -> str | None:
    """One regex for daily-note paths of every (folder, format) pair (the daily-notes core
    plugin's, the Periodic Notes plugin's): the groups of the n-th pair end in n."""
    found = [
        pattern
        for index, (folder, moment_format) in enumerate(dict.fromkeys(formats))
        if (pattern := daily_pattern(folder, moment_format, str(index) if index else ""))
    ]
    if not found:
        return None
    return found[0] if len(found) == 1 else "|".join(f"(?:{p})" for p in found)


def _daily_date(match: re.Match[str]) -> dt.date | None:
    """The date of a daily note's path from the groups ``daily_pattern`` made."""
    parts = {name[0]: value for name, value in match.groupdict().items() if value is not None}
    try:
        year = int(parts["y"])
        if len(parts["y"]) == 2:
            year += 2000
        month = int(parts["m"]) if "m" in parts else _MONTH_NUMBER[parts["b"][:3].casefold()]
        return dt.date(year, month, int(parts["d"]))
    except (KeyError, ValueError):
        return None
