"""What both front matter readers share (yamldata's full reader and simpleyaml's fast one):
plain scalars resolved by YAML 1.2's core schema, plus dates, and the Mapping they return."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})  # plain scalars that mean null
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})")
_HEX = re.compile(r"0x[0-9a-fA-F]{1,16}")
_OCT = re.compile(r"0o[0-7]{1,20}")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"[ \t]*(Z|[-+]\d{1,2}(?::?\d{2})?)?"
)


class YamlError(Exception):
    """Front matter that cannot be read; ``line`` is relative to the front matter (0-based)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(slots=True)
class Mapping:
    """A front matter mapping: values, the 0-based line of each key, and warnings."""

    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


def resolve_plain(value: str) -> Any:
    """Resolve a plain (unquoted) scalar by YAML 1.2's core schema, plus dates."""
    if value in NULL_WORDS:
        return None
    first = value[0]
    if first.isdigit() or first in "-+.":
        if _INT.fullmatch(value):
            return int(value)
        if _DATE.fullmatch(value):
            return _date_or_text(value)
        if first.isdigit() and len(value) > 10 and _DATETIME.fullmatch(value):
            return _datetime_or_text(value)
        if _HEX.fullmatch(value):
            return int(value, 16)
        if _OCT.fullmatch(value):
            return int(value[2:], 8)
        if (
            _FLOAT.fullmatch(value)
            and len(value) <= 40
            and ("." in value or "e" in value or "E" in value)
            and not _leading_zero(value)
        ):
            return float(value)
        return value
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return value


def _leading_zero(value: str) -> bool:
    digits = value.lstrip("+-")
    return len(digits) > 1 and digits[0] == "0" and digits[1].isdigit()


def _date_or_text(value: str) -> dt.date | str:
    try:
        return dt.date(int(value[0:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        return value


def _datetime_or_text(value: str) -> dt.datetime | str:
    match = _DATETIME.fullmatch(value)
    assert match is not None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        tzinfo: dt.tzinfo | None = None
        if zone == "Z":
            tzinfo = dt.UTC
        elif zone:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            hours = int(digits[:-2] or digits) if len(digits) > 2 else int(digits)
            minutes = int(digits[-2:]) if len(digits) > 2 else 0
            tzinfo = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
        micro = int((fraction or "0").ljust(6, "0")[:6])
        return dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            micro,
            tzinfo=tzinfo,
        )
    except ValueError:
        return value
