"""Meetings from a calendar export (``.ics`` from Google, Apple or Outlook).

An event counts when it happened (up to today), you organised it or did not decline it,
it was not cancelled, and it had at most ``max_attendees`` other people (bigger ones are
all-hands). Recurring events are expanded by ``recurring-ical-events`` up to today.
Times are the event's own wall-clock time (a UTC time in the calendar's ``X-WR-TIMEZONE``
when it names one), so the same file gives the same notes on any machine.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vaultnet.diagnostics import Diagnostic
from vaultnet.exchange.imports.contact import ImportFileError
from vaultnet.exchange.imports.sources import (
    Interaction,
    Participant,
    SourceFile,
    bounded,
    participant,
)

SOURCE = "calendar"
_BEGIN = re.compile(rb"^BEGIN:(VEVENT|VTIMEZONE)\r?$", re.IGNORECASE)
_END = re.compile(rb"^END:(VEVENT|VTIMEZONE)\r?$", re.IGNORECASE)
_TIMES = {"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"}
_SKIP_CUTYPES = {"ROOM", "RESOURCE", "GROUP"}


def read_calendar(
    path: Path,
    *,
    today: dt.date,
    since: dt.date | None = None,
    me: Iterable[str] = (),
    max_attendees: int = 8,
) -> SourceFile:
    """Read an ``.ics`` file; ImportFileError when it is not a calendar at all."""
    shown = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{shown}: cannot read ({exc.strerror})") from None
    if b"BEGIN:VCALENDAR" not in data[:4096].upper():
        raise ImportFileError(f"{shown}: not a calendar: expected an .ics file (BEGIN:VCALENDAR)")
    diagnostics: list[Diagnostic] = []
    calendar = _parse(data, shown, diagnostics)
    zone = _zone(calendar)
    events = _events(calendar, today, since, shown, diagnostics)
    mine = {a.casefold() for a in me} or _guess_me(calendar, shown, diagnostics)
    skipped: Counter[str] = Counter()
    found: list[Interaction] = []
    for event in events:
        reason, item = _interaction(event, mine, max_attendees, zone)
        if item is None:
            skipped[reason] += 1
        else:
            found.append(item)
    return SourceFile(
        SOURCE,
        "Calendar",
        "Calendar",
        tuple(found),
        len(events),
        dict(skipped),
        tuple(diagnostics),
    )


def _parse(data: bytes, shown: str, diagnostics: list[Diagnostic]) -> Any:
    """The calendar, read one event at a time so that a broken event (reported with its
    line) does not cost the others."""
    import icalendar

    lines = data.splitlines(keepends=True)
    zones: list[bytes] = []
    blocks: list[tuple[int, bytes]] = []
    head: list[bytes] = []
    start: int | None = None
    for number, line in enumerate(lines):
        if start is None and _BEGIN.match(line):
            start = number
        elif start is not None and _END.match(line):
            block = b"".join(lines[start : number + 1])
            if b"VTIMEZONE" in line.upper():
                zones.append(block)
            else:
                blocks.append((start + 1, block))
            start = None
        elif start is None and not blocks:
            head.append(line)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//vaultnet//import//EN")
    calendar.add("version", "2.0")
    for line in head:  # the calendar's own properties: its name and time zone
        name, _, value = line.decode("utf-8", "replace").strip().partition(":")
        if name.upper() in ("X-WR-CALNAME", "X-WR-TIMEZONE") and value:
            calendar.add(name, value)
    for block in zones:
        try:
            calendar.add_component(icalendar.Timezone.from_ical(block))
        except Exception:  # an unreadable zone: its events are read as written
            continue
    for start_line, block in blocks:
        try:
            event = icalendar.Event.from_ical(block)
            broken = [n for n, _ in getattr(event, "errors", []) if n.upper() in _TIMES]
            if broken:
                raise ValueError(f"{broken[0]} is not a date or time")
            event.decoded("dtstart")
        except Exception as exc:  # icalendar raises ValueError, KeyError... for a bad event
            why = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            diagnostics.append(
                Diagnostic(shown, start_line, "warning", f"event cannot be read ({why}); skipped")
            )
            continue
        calendar.add_component(event)
    if start is not None:
        diagnostics.append(
            Diagnostic(shown, start + 1, "warning", "the file ends inside an event; skipped")
        )
    return calendar


def _zone(calendar: Any) -> dt.tzinfo | None:
    name = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _events(
    calendar: Any, today: dt.date, since: dt.date | None, shown: str, diagnostics: list[Diagnostic]
) -> list[Any]:
    import recurring_ical_events  # type: ignore[import-untyped]

    start = since or dt.date(1970, 1, 1)
    try:
        query = recurring_ical_events.of(calendar, skip_bad_series=True)
        return list(query.between(start, today + dt.timedelta(days=1)))
    except Exception as exc:  # the library's errors for a broken rule
        diagnostics.append(
            Diagnostic(
                shown,
                None,
                "warning",
                f"recurring events not expanded ({exc}); each event is read once",
            )
        )
        return [c for c in calendar.walk("VEVENT") if "DTSTART" in c]


def _address(value: Any) -> str:
    text = str(value).strip()
    return text[7:] if text.lower().startswith("mailto:") else text


def _guess_me(calendar: Any, shown: str, diagnostics: list[Diagnostic]) -> set[str]:
    """Your address when not given: the calendar's name when it is one (Google), else the
    organizer of most events."""
    name = str(calendar.get("X-WR-CALNAME", "")).strip().casefold()
    if name.count("@") == 1:
        return {name}
    organizers = Counter(
        _address(e["ORGANIZER"]).casefold() for e in calendar.walk("VEVENT") if "ORGANIZER" in e
    )
    if organizers:
        guess = organizers.most_common(1)[0][0]
        diagnostics.append(
            Diagnostic(
                shown,
                None,
                "warning",
                f"taking {guess} as your address (it organised most events); give --me or "
                "[capture] me in vaultnet.toml to say otherwise",
            )
        )
        return {guess}
    return set()


def _interaction(
    event: Any, mine: set[str], max_attendees: int, zone: dt.tzinfo | None
) -> tuple[str, Interaction | None]:
    """The event as an interaction, or why it is skipped."""
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return "cancelled", None
    organizer = _address(event.get("ORGANIZER", "")).casefold()
    attendees = event.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    others: list[Participant] = []
    declined = False
    for attendee in attendees:
        address = _address(attendee).casefold()
        params = getattr(attendee, "params", {})
        if address in mine:
            declined = str(params.get("PARTSTAT", "")).upper() == "DECLINED"
            continue
        if str(params.get("CUTYPE", "")).upper() in _SKIP_CUTYPES:
            continue
        found = participant(params.get("CN"), address)
        if found is not None:
            others.append(found)
    if organizer and organizer not in mine:
        found = participant(getattr(event["ORGANIZER"], "params", {}).get("CN"), organizer)
        if found is not None and found not in others:
            others.append(found)
    if declined and organizer not in mine:
        return "declined", None
    if not others:
        return "no other attendees", None
    if len(others) > max_attendees:
        return f"more than {max_attendees} attendees", None
    start = event.decoded("DTSTART")
    timed = isinstance(start, dt.datetime)
    if timed:
        if start.tzinfo is not None and zone is not None and start.utcoffset() == dt.timedelta(0):
            start = start.astimezone(zone)
        when = start.replace(tzinfo=None)
    else:
        when = dt.datetime.combine(start, dt.time())
    title = bounded(str(event.get("SUMMARY", "")))
    uid = str(event.get("UID", "")) or f"{title}\0{when.isoformat()}"
    return "", Interaction(
        when,
        f"meeting: {title}" if title else "meeting",
        tuple(others),
        f"{uid}\0{when.isoformat()}",
        timed,
    )
