"""What a note's body says: the dated entries of its log section, its open tasks, and the
people a dated note mentions."""

from __future__ import annotations

import datetime as dt
import re
import sys
from typing import Any, TypeVar

from vaultnet.dates import read_date
from vaultnet.source import document
from vaultnet.source.fields import is_source_note, strings_in
from vaultnet.source.links import link_targets
from vaultnet.source.parsed import LogEntry, Mention, Problems, Task

_LIST_ITEM = re.compile(r"[ \t]*[-*+][ \t]+(?:\[(.)\][ \t]+)?(.*)")
# A list item (optionally a task) that starts with a date or a daily-note link to one.
# A Markdown link to a daily note counts as its date: "[Jul 4](2026-07-04.md)".
_LOG_ENTRY = re.compile(
    r"[ \t]*[-*+][ \t]+(?:\[(.)\][ \t]+)?"
    r"(?:\[\[(\d{4}-\d{2}-\d{2})(?:\|[^\]]*)?\]\]|(\d{4}-\d{2}-\d{2})"
    r"|\[[^\[\]\n]*\]\(<?(?:[^()<>\s]*/)?(\d{4}-\d{2}-\d{2})(?:\.md)?>?\))(?![\d])"
    r"[ \t]*[:\-–—]?[ \t]*"
)
# Where a list item's text starts (after its marker and task box): a log line whose date
# is not the common YYYY-MM-DD is read from there (see _loose_entry).
_ITEM_START = re.compile(r"[ \t]*[-*+][ \t]+(?:\[.\][ \t]+)?")
_SEPARATOR = re.compile(r"[ \t]*[:\-–—]?[ \t]*")
# An unchecked task: a plan, never a contact (an open loop when it names someone).
_OPEN_TASK = re.compile(r"[ \t]*[-*+][ \t]+\[ \][ \t]+(.*)")
_ANY_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_KIND = re.compile(r"([^\s:#\[\]]+):(?:\s|$)")
# A tag: "#" not right after a word character, "&", "/" or "#" (checked once "#" is found:
# a search that starts with a literal is quicker than one that starts with a look-behind).
_HASHTAG = re.compile(r"#(?<![\w&/#]#)([A-Za-z][\w\-/]*)")


_CAPTURE_LINE = re.compile(r"(?:\d{1,2}:\d{2} )?(?P<text>.*?)(?: — .*?)?(?: \^[\w-]+)?")


def capture_text(line: str) -> str:
    """What a source note's line says happened (``meeting: Q4 planning``), without its time,
    people and block id."""
    match = _CAPTURE_LINE.fullmatch(_clean_line(line))
    return match["text"].strip() if match else _clean_line(line)


def mentions(
    body: str, body_line: int, fm: dict[str, Any], lines: dict[str, int], title: str
) -> tuple[Mention, ...]:
    found: list[Mention] = []
    captured = is_source_note(fm)
    for key, value in fm.items():
        if captured:
            break  # each line of a source note links its people; its people: key repeats them
        for text in strings_in(value):
            for target in link_targets(text):
                found.append(Mention(target, title, lines.get(key, 1)))
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        fence = "```" in line or "~~~" in line
        if not fence and "[[" not in line and "](" not in line:
            continue
        if fence and document.CODE_FENCE.match(line):
            in_fence = not in_fence
            continue
        stripped = line.lstrip()
        if in_fence or stripped.startswith(">"):
            continue
        item = _LIST_ITEM.fullmatch(line)
        if item and item[1] == " ":
            continue  # an unchecked task is a plan, not a contact
        targets = link_targets(line)
        if not targets:
            continue
        number = body_line + offset
        if captured:
            text = capture_text(line)
            found.extend(Mention(target, text, number, "capture") for target in targets)
        else:
            text = _clean_line(line)
            found.extend(Mention(target, text, number) for target in targets)
    return tuple(found)


def tasks(
    body: str, body_line: int, dates: DateMemo, log_lines: frozenset[int] = frozenset()
) -> tuple[Task, ...]:
    """The unchecked tasks of a body that link someone or sit in a log (``log_lines``: the
    body's line numbers under a log heading), outside code blocks and quotes."""
    found: list[Task] = []
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if ("```" in line or "~~~" in line) and document.CODE_FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or "[ ]" not in line:
            continue
        task = _OPEN_TASK.fullmatch(line)
        if task is None:
            continue
        number = body_line + offset
        targets = link_targets(task[1])
        in_log = number in log_lines
        if not targets and not in_log:
            continue
        when = None
        for found_date in _ANY_DATE.finditer(task[1]):
            when = dates.iso(found_date[0])
            if when is not None:
                break
        found.append(Task(targets, task[1].strip(), number, when, in_log))
    return tuple(found)


def _clean_line(line: str) -> str:
    text = line.strip()
    item = _LIST_ITEM.fullmatch(text)
    if item:
        text = item[2]
    return text


def read_log(
    body: str,
    body_line: int,
    wanted: frozenset[str],
    path: str,
    problems: Problems,
    dates: DateMemo,
) -> tuple[tuple[LogEntry, ...], frozenset[int]]:
    """The dated entries of the log sections (``wanted``: their headings, case-folded), and
    the lines of their unchecked tasks."""
    fenced = "```" in body or "~~~" in body  # a line at a time only where it may be
    if not fenced and not body.startswith("#"):
        # Nothing before the first line that starts with '#' can be in a log section.
        first = body.find("\n#")
        if first < 0:
            return (), frozenset()
        body_line += body.count("\n", 0, first + 1)
        body = body[first + 1 :]
    entries: list[LogEntry] = []
    open_tasks: list[int] = []
    level = 0  # the level of the log heading we are under, 0 when outside
    in_fence = False
    tasked = "[ ]" in body
    for offset, line in enumerate(body.split("\n")):
        if fenced and ("```" in line or "~~~" in line) and document.CODE_FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if line.startswith("#"):
            heading = document.HEADING.fullmatch(line)
            if heading:
                this = len(heading[1])
                if level and this <= level:
                    level = 0
                if not level and heading[2].casefold() in wanted:
                    level = this
                continue
        if not level:
            continue
        if tasked and "[ ]" in line and _OPEN_TASK.fullmatch(line):
            open_tasks.append(body_line + offset)  # not done yet: an open loop, not a contact
            continue
        match = _LOG_ENTRY.match(line)
        if match is not None:
            when = dates.iso(match[2] or match[3] or match[4])
            if when is not None:  # the common case: YYYY-MM-DD
                entries.append(_entry(when, match.end(), line, body_line + offset, path, dates))
                continue
        if line.lstrip()[:1] in ("-", "*", "+"):  # a list item: another way to write dates?
            entry = _loose_entry(line, body_line + offset, path, problems, dates)
            if entry is not None:
                entries.append(entry)
    return tuple(entries), frozenset(open_tasks)


def _loose_entry(
    line: str, line_no: int, path: str, problems: Problems, memo: DateMemo
) -> LogEntry | None:
    """A log line dated in another form than YYYY-MM-DD (``5 Nov 2026``, ``2026/11/05``,
    ``[[2026-1-5]]``), or None; a date that is wrong or ambiguous is a warning."""
    item = _ITEM_START.match(line)
    if item is None:
        return None
    start = item.end()
    first = line[start : start + 1]
    # Cheap test first: a date starts with a digit, a month's initial or a link.
    if not first or not (first.isdigit() or first in "[JFMASONDjfmasond"):
        return None
    written_end = None
    if first == "[":
        close = line.find("]]", start)
        if not line.startswith("[[", start) or close < 0:
            return None
        target = line[start + 2 : close].split("|", 1)[0]
        found = read_date(target)
        if found is None or found.end != len(target):
            return None
        written_end = close + 2
    else:
        found = read_date(line, start)
        if found is None:
            return None
    if found.date is None:
        problems.add("warning", f"log entry left out: {found.problem}", line_no)
        return None
    end = _SEPARATOR.match(line, written_end if written_end is not None else found.end)
    assert end is not None  # every part of the separator is optional
    return _entry(found.date, end.end(), line, line_no, path, memo)


_UNSEEN = object()


_Shared = TypeVar("_Shared")


def _first_seen(seen: dict[_Shared, _Shared], value: _Shared, limit: int) -> _Shared:
    """The first value equal to ``value`` that ``seen`` holds (kept while under ``limit``)."""
    found = seen.get(value)
    if found is not None:
        return found
    if len(seen) < limit:
        seen[value] = value
    return value


class DateMemo:
    """Dates read from ``YYYY-MM-DD``, memoised: logs repeat the same dates many times, and
    notes that share their date objects pickle smaller and load faster. Front matter dates
    (``day``) and log entries' tags and link targets (``shared``) are shared the same way."""

    __slots__ = ("_dates", "_days", "_tuples")

    LIMIT = 100_000  # dates kept at most (more than a century of days), and as many tuples

    def __init__(self) -> None:
        self._dates: dict[str, dt.date | None] = {}
        self._days: dict[dt.date, dt.date] = {}
        self._tuples: dict[tuple[str, ...], tuple[str, ...]] = {}

    def day(self, date: dt.date) -> dt.date:
        """``date``, or an equal date seen before (front matter dates are read elsewhere)."""
        return _first_seen(self._days, date, self.LIMIT)

    def shared(self, items: tuple[str, ...]) -> tuple[str, ...]:
        """``items``, or an equal tuple seen before (with the same strings)."""
        return _first_seen(self._tuples, items, self.LIMIT)

    def iso(self, text: str) -> dt.date | None:
        """The date ``text`` (``YYYY-MM-DD``) names, or None for a day that does not exist."""
        dates = self._dates
        seen = dates.get(text, _UNSEEN)
        if seen is not _UNSEEN:
            return seen  # type: ignore[return-value]
        when: dt.date | None
        try:
            when = dt.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
        except ValueError:
            when = None
        if len(dates) < self.LIMIT:
            dates[text] = when
        return when


def _entry(
    when: dt.date, start: int, line: str, line_no: int, path: str, memo: DateMemo
) -> LogEntry:
    text = line[start:].strip()
    kind = None
    if ":" in text:
        kind_match = _KIND.match(text)
        if kind_match:
            # Interned: a vault repeats a handful of kinds and tags over tens of thousands
            # of entries, and a cold build holds them all at once.
            kind = sys.intern(kind_match[1])
            text = text[kind_match.end() :].strip()
    tags: tuple[str, ...] = ()
    if "#" in text:
        tags = memo.shared(tuple(sys.intern(tag.casefold()) for tag in _HASHTAG.findall(text)))
    links: tuple[str, ...] = ()
    if "[[" in text or "](" in text:
        links = memo.shared(link_targets(text))
    return LogEntry(when, kind, text, tags, links, line_no, path)
