"""The follow-up calendar (iCalendar): a page of the build with ``ics = true``, and an export.

The calendar keeps a little state of its own in ``.vaultnet/ics-state.json`` so that
calendars which subscribe to it see stable events:

- each event's UID is the same across runs, edits and (with ``--assign-uids``) renames,
  and carries no personal data: a random ``vaultnet_uid`` from the note when it has one,
  else a salted hash of the note's path (the salt is random and stays in the state file,
  so the hash of a guessed name cannot be checked against it);
- ``SEQUENCE`` grows and ``LAST-MODIFIED`` moves each time an event's content changes,
  which is how calendar apps tell an update from a repeat.

Apart from exporting.py, so that the build makes the calendar page without importing the
exports (which build the vault themselves). The state and the identifiers are
icsstate.py's.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import icalendar

from vaultnet.dates import Birthday
from vaultnet.model.network import Network, Person
from vaultnet.pipeline.icsstate import CalendarState, person_id, state_path
from vaultnet.render.page import ICS_MARK, Page
from vaultnet.version import VERSION
from vaultnet.words import plural

CALENDAR_PAGE = "follow-ups.ics"  # under the output folder, with ``ics = true``


# --- the calendar ------------------------------------------------------------------------


def follow_ups_ics(network: Network, state: CalendarState, now: dt.datetime) -> str:
    """The follow-up calendar: due dates and birthdays as all-day events.

    One event per active person whose follow-up is due within ``horizon_days`` or overdue
    (overdue ones on today: that is when to act), and a yearly event per birthday. Snoozed
    and archived people have none.
    """
    today = network.today
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//vaultnet//vaultnet {VERSION}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "vaultnet follow-ups")
    # The mark output.py knows a generated calendar by (it never overwrites one without).
    name, _, value = ICS_MARK.partition(":")
    calendar.add(name.lower(), value)
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    digest = network.digest
    alarm = network.config.ics_alarm
    for person in (*digest.overdue, *digest.due_soon, *digest.upcoming):
        calendar.add_component(_follow_up_event(person, state, today, stamp, alarm))
    birthdays = [(p.birthday, p) for p in network.people if p.active and p.birthday is not None]
    birthdays.sort(key=lambda item: (item[0].month, item[0].day, item[1].sort_name, item[1].path))
    for birthday, person in birthdays:
        calendar.add_component(_birthday_event(person, birthday, state, today, stamp, alarm))
    data: bytes = calendar.to_ical()
    return data.decode("utf-8")


def _follow_up_event(
    person: Person, state: CalendarState, today: dt.date, stamp: dt.datetime, alarm: str
) -> icalendar.Event:
    followup = person.followup
    assert followup.due is not None  # in a dated bucket
    day = max(followup.due, today)
    event = icalendar.Event()
    event.add("uid", f"{person_id(person, state.salt)}-follow-up@vaultnet")
    event.add("summary", f"Follow up with {person.name}")
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    lines = [f"{person.tier.title}: due {followup.due.isoformat()}"]
    if followup.days_overdue:
        lines[0] += f", {plural(followup.days_overdue, 'day')} overdue"
    if person.last_contact is not None:
        last = f"Last contact: {person.last_contact.isoformat()}"
        if person.last_interaction is not None and person.last_interaction.summary:
            last += f" ({person.last_interaction.summary})"
        lines.append(last)
    lines.append(f"Note: {person.path}")
    event.add("description", "\n".join(lines))
    _add_alarm(event, alarm, f"Follow up with {person.name}")
    return _versioned(event, state, stamp)


def _birthday_event(
    person: Person,
    birthday: Birthday,
    state: CalendarState,
    today: dt.date,
    stamp: dt.datetime,
    alarm: str,
) -> icalendar.Event:
    uid = f"{person_id(person, state.salt)}-birthday@vaultnet"
    # A yearly event needs a first year. The birth year would do, but is often unknown
    # (and the note must not invent one): the event starts in the year it was first
    # published, remembered so that it does not move every January.
    record = state.events.get(uid, {})
    anchor = record.get("anchor")
    if not isinstance(anchor, int):
        anchor = birthday.next_on_or_after(today).year
    start = _in_year(birthday, anchor)
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("summary", f"Birthday: {person.name}")
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(days=1))
    if birthday.month == 2 and birthday.day == 29:
        # The last day of February: every year, not only leap years.
        event.add("rrule", {"freq": "yearly", "bymonth": 2, "bymonthday": -1})
    else:
        event.add("rrule", {"freq": "yearly"})
    event.add("transp", "TRANSPARENT")
    _add_alarm(event, alarm, f"Birthday: {person.name}")
    event = _versioned(event, state, stamp)
    if state.events[uid].get("anchor") != anchor:
        state.events[uid]["anchor"] = anchor
        state.changed = True
    return event


def _add_alarm(event: icalendar.Event, trigger: str, description: str) -> None:
    """A display alarm ``trigger`` (an iCalendar duration, checked by the config) after the
    start of the all-day event: ``PT9H`` rings at 09:00 on the day. Nothing when empty.

    Added before the event is versioned, so that turning alarms on or changing their time
    bumps SEQUENCE and subscribed calendars take the change."""
    if not trigger:
        return
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    when: dt.timedelta = icalendar.vDuration.from_ical(trigger)  # type: ignore[no-untyped-call]
    alarm.add("trigger", when)
    event.add_component(alarm)


def _in_year(birthday: Birthday, year: int) -> dt.date:
    try:
        return dt.date(year, birthday.month, birthday.day)
    except ValueError:
        return dt.date(year, 2, 28)  # 29 February outside a leap year


def _versioned(event: icalendar.Event, state: CalendarState, stamp: dt.datetime) -> icalendar.Event:
    """Add SEQUENCE, LAST-MODIFIED and DTSTAMP, bumped only when the content changed."""
    uid = str(event["uid"])
    content = hashlib.sha256(event.to_ical()).hexdigest()
    record = state.events.get(uid)
    if record is None:
        record = {"hash": content, "sequence": 0, "modified": _utc_text(stamp)}
        state.events[uid] = record
        state.changed = True
    elif record.get("hash") != content:
        record["hash"] = content
        record["sequence"] = int(record.get("sequence", 0)) + 1
        record["modified"] = _utc_text(stamp)
        state.changed = True
    modified = _parse_utc(str(record.get("modified", ""))) or stamp
    event.add("sequence", int(record.get("sequence", 0)))
    # DTSTAMP follows LAST-MODIFIED, so that an unchanged calendar is byte for byte the same.
    event.add("dtstamp", modified)
    event.add("last-modified", modified)
    return event


def _utc_text(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _parse_utc(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def calendar_page(network: Network, *, save: bool, now: dt.datetime | None = None) -> Page:
    """The calendar as a page of the output folder (``ics = true``), its state kept."""
    state = CalendarState.load(state_path(network.config))
    text = follow_ups_ics(network, state, now or dt.datetime.now(dt.UTC))
    if save:
        state.save()
    return Page(CALENDAR_PAGE, text)
