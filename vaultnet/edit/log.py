"""Log entries: a dated line added to a note's log section, in date order and in its style.

``_Entry`` is a named tuple, not a dataclass: a class made at import in a fifth of the time
(docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import pairwise
from typing import NamedTuple

from vaultnet.config import DEFAULT_LOG_HEADINGS
from vaultnet.edit.scanner import EditError, _content, _eol, _eol_before, _parse
from vaultnet.edit.values import _verify
from vaultnet.source import document

_ENTRY = re.compile(
    r"([-*+][ \t]+)(?:\[.\][ \t]+)?"
    r"(?:\[\[(\d{4}-\d{2}-\d{2})(?:\|[^\]]*)?\]\]|(\d{4}-\d{2}-\d{2}))(?!\d)"
)
_BULLET = re.compile(r"[-*+][ \t]")
_BLOCK_START = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|[#>|`~]")


class _Entry(NamedTuple):
    date: dt.date
    start: int
    end: int  # one past its last line (indented or lazy continuation lines included)
    prefix: str  # the bullet and the spaces after it
    linked: bool  # the date is written as a daily-note link


def add_log_entry(
    text: str,
    entry_date: dt.date,
    line_text: str,
    headings: tuple[str, ...] = DEFAULT_LOG_HEADINGS,
) -> str:
    """Add ``- YYYY-MM-DD line_text`` to the note's log, keeping its entries in date order.

    The log is the first heading named one of ``headings`` (any level, any case), up to the
    next heading of the same or a higher level. The entry goes after the last entry dated on
    or before ``entry_date`` (first, if there is none; newest-first logs stay newest first),
    with the bullet and date style of the entry next to it. Without such a heading, a
    ``## Log`` section is added at the end. The front matter is left exactly as it is.
    """
    if "\n" in line_text or "\r" in line_text:
        raise EditError("not edited: a log entry must be a single line")
    line_text = line_text.strip()
    note = _parse(text)
    lines = list(note.lines)
    fenced, open_fence = _fenced(lines, note.body_start)
    iso = dt.date(entry_date.year, entry_date.month, entry_date.day).isoformat()
    section = _log_section(lines, note.body_start, fenced, headings)
    if section is None:
        if open_fence:
            raise EditError("not edited: the note ends inside a code block that is never closed")
        heading = "## " + (headings[0] if headings else "Log")
        _append_section(lines, heading, f"- {iso} {line_text}".rstrip(), note.newline)
    else:
        entries = _entries(lines, section, fenced)
        position, neighbour = _entry_position(entries, entry_date)
        if neighbour is None:
            position = _section_end(lines, section)
            entry = f"{_section_bullet(lines, section, fenced)} {iso} {line_text}"
        else:
            written = f"[[{iso}]]" if neighbour.linked else iso
            entry = f"{neighbour.prefix}{written} {line_text}"
        if open_fence:
            # After the fence that is never closed, the entry would be code, never read.
            opened = max(
                i for i in range(note.body_start, len(lines)) if document.CODE_FENCE.match(lines[i])
            )
            if position > opened:
                raise EditError("not edited: the log ends inside a code block that is never closed")
        _insert(lines, position, entry.rstrip(), note.newline)
    new_text = note.text(lines)
    _verify(note, new_text, None, body_change=True)
    return new_text


def _fenced(lines: list[str], start: int) -> tuple[list[bool], bool]:
    """Which lines are code (fences included), and whether a code block is left open."""
    inside = False
    flags = [False] * len(lines)
    for index in range(start, len(lines)):
        if document.CODE_FENCE.match(lines[index]):
            inside = not inside
            flags[index] = True
        else:
            flags[index] = inside
    return flags, inside


def _log_section(
    lines: list[str], start: int, fenced: list[bool], headings: tuple[str, ...]
) -> tuple[int, int] | None:
    """The line of the first log heading and the end of its section."""
    wanted = {h.casefold() for h in headings}
    found: tuple[int, int] | None = None  # heading line, level
    for index in range(start, len(lines)):
        text = _content(lines[index])
        if fenced[index] or not text.startswith("#"):
            continue
        heading = document.HEADING.fullmatch(text)
        if heading is None:
            continue
        level = len(heading[1])
        if found is None:
            if heading[2].casefold() in wanted:
                found = (index, level)
        elif level <= found[1]:
            return found[0], index
    return None if found is None else (found[0], len(lines))


def _entries(lines: list[str], section: tuple[int, int], fenced: list[bool]) -> list[_Entry]:
    entries = []
    index, stop = section[0] + 1, section[1]
    while index < stop:
        match = None if fenced[index] else _ENTRY.match(lines[index])
        date = _date(match[2] or match[3]) if match else None
        if match is None or date is None:
            index += 1
            continue
        end = _item_end(lines, index, stop)
        entries.append(_Entry(date, index, end, match[1], match[2] is not None))
        index = end
    return entries


def _date(iso: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(iso)
    except ValueError:
        return None


def _item_end(lines: list[str], index: int, stop: int) -> int:
    """One past the last line of the list item starting at ``index``."""
    end = index + 1
    while end < stop:
        text = _content(lines[end])
        if not text.strip():
            after = next((k for k in range(end, stop) if _content(lines[k]).strip()), stop)
            if after < stop and lines[after][0] in " \t":
                end = after + 1  # a blank line inside the item: indented text follows
                continue
            break
        if text[0] not in " \t" and _BLOCK_START.match(text):
            break
        end += 1
    return end


def _entry_position(entries: list[_Entry], when: dt.date) -> tuple[int, _Entry | None]:
    """Where a new entry goes among the section's entries, and the entry it copies."""
    if not entries:
        return 0, None
    dates = [e.date for e in entries]
    if dates[0] > dates[-1] and all(a >= b for a, b in pairwise(dates)):
        # Newest first: before the first entry on or before the date.
        later = next((e for e in entries if e.date <= when), None)
        return (later.start, later) if later else (entries[-1].end, entries[-1])
    earlier = [e for e in entries if e.date <= when]
    return (earlier[-1].end, earlier[-1]) if earlier else (entries[0].start, entries[0])


def _section_end(lines: list[str], section: tuple[int, int]) -> int:
    """Just after the section's last line that is not blank (just after the heading if none)."""
    heading, stop = section
    end = heading + 1
    for index in range(heading + 1, stop):
        if _content(lines[index]).strip():
            end = index + 1
    return end


def _section_bullet(lines: list[str], section: tuple[int, int], fenced: list[bool]) -> str:
    """The bullet the section's lists use, or ``-``."""
    for index in range(section[0] + 1, section[1]):
        if not fenced[index] and _BULLET.match(lines[index]):
            return lines[index][0]
    return "-"


def _insert(lines: list[str], position: int, text: str, default_eol: str) -> None:
    """Insert a line, with the line ending of the line before it.

    After a last line that has no line ending, that line gets one and the new line goes
    without, so that the note still ends without a final newline.
    """
    eol = _eol_before(lines, position, default_eol)
    if position == len(lines) and lines and not _eol(lines[-1]):
        lines[-1] += eol
        lines.append(text)
    else:
        lines.insert(position, text + eol)


def _append_section(lines: list[str], heading: str, entry: str, default_eol: str) -> None:
    """Add a heading and an entry at the end, after a blank line when the text has none."""
    eol = _eol_before(lines, len(lines), default_eol)
    if lines and _content(lines[-1]).strip():
        _insert(lines, len(lines), "", eol)
    _insert(lines, len(lines), heading, eol)
    _insert(lines, len(lines), entry, eol)
