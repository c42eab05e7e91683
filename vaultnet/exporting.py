"""Exports: the follow-up calendar (iCalendar) and everyone as JSON, CSV or vCard 4.0.

Exports only read the vault. The calendar keeps a little state of its own in
``.vaultnet/ics-state.json`` so that calendars which subscribe to it see stable events:

- each event's UID is the same across runs, edits and (with ``--assign-uids``) renames,
  and carries no personal data: a random ``vaultnet_uid`` from the note when it has one,
  else a salted hash of the note's path (the salt is random and stays in the state file,
  so the hash of a guessed name cannot be checked against it);
- ``SEQUENCE`` grows and ``LAST-MODIFIED`` moves each time an event's content changes,
  which is how calendar apps tell an update from a repeat.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import hashlib
import io
import json
import os
import re
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import icalendar

from . import __version__
from .atomic import clean_temp_files, default_mode, write_atomic
from .build import Builder
from .cache import NoteCache
from .config import CONFIG_NAME, Config
from .containment import state_dir
from .dates import Birthday
from .diagnostics import Diagnostic
from .edit import EditError, edit_note, set_field
from .errors import OutputError, UsageError
from .network import Network, Person
from .page import ICS_MARK, Page
from .report import plural

CALENDAR_PAGE = "follow-ups.ics"  # under the output folder, with ``ics = true``
STATE_FILE = Path(".vaultnet") / "ics-state.json"
UID_KEY = "vaultnet_uid"
_UID_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")
FORMATS = ("ics", "json", "csv", "vcard")


# --- who is who --------------------------------------------------------------------------


def person_id(person: Person, salt: str) -> str:
    """A stable identifier for a person that reveals nothing about them.

    The note's own ``vaultnet_uid`` (random, written by ``--assign-uids``) survives
    renames; without it, a user's ``uid`` key or else the note's path is hashed with the
    vault's salt, which changes when the note is renamed or moved.
    """
    own = person.front_matter.get(UID_KEY)
    if own is not None and _UID_VALUE.fullmatch(str(own).strip()):
        return str(own).strip().lower()
    user_uid = person.front_matter.get("uid")
    basis = f"uid:{user_uid}" if user_uid not in (None, "") else f"path:{person.path}"
    return hashlib.sha256(f"{salt}\0{basis}".encode()).hexdigest()[:32]


@dataclass(slots=True)
class CalendarState:
    """The calendar's memory between runs: the salt, and each event's last content.

    ``events`` maps a UID to ``{"hash", "sequence", "modified"}`` and, for birthdays
    without a year, ``"anchor"``: the year the yearly event starts in.
    """

    path: Path | None
    salt: str
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def load(cls, path: Path | None) -> CalendarState:
        """The state at ``path``; a missing or unreadable file starts afresh."""
        data: Any = None
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(path.read_text(encoding="utf-8"))
        if (
            isinstance(data, dict)
            and isinstance(data.get("salt"), str)
            and isinstance(data.get("events"), dict)
        ):
            return cls(path, data["salt"], data["events"])
        return cls(path, secrets.token_hex(16), {}, changed=True)

    def save(self) -> None:
        """Write the state atomically, if it changed."""
        if self.path is None or not self.changed:
            return
        payload = {"version": 1, "salt": self.salt, "events": self.events}
        text = json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        try:
            _atomic_write(self.path, text.encode("utf-8"))
        except OSError as exc:
            raise OutputError(
                f"cannot save the calendar's state ({exc.strerror})", str(self.path)
            ) from None
        self.changed = False


def state_path(config: Config) -> Path:
    return state_dir(config.vault, STATE_FILE.name)


# --- the calendar ------------------------------------------------------------------------


def follow_ups_ics(network: Network, state: CalendarState, now: dt.datetime) -> str:
    """The follow-up calendar: due dates and birthdays as all-day events.

    One event per active person whose follow-up is due within ``horizon_days`` or overdue
    (overdue ones on today: that is when to act), and a yearly event per birthday. Snoozed
    and archived people have none.
    """
    today = network.today
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//vaultnet//vaultnet {__version__}//EN")
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


# --- people as data ----------------------------------------------------------------------


def person_record(person: Person) -> dict[str, Any]:
    """Everything about a person that the exports carry (JSON types)."""
    followup = person.followup

    def iso(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "name": person.name,
        "path": person.path,
        "tier": person.tier.name,
        "status": "archived" if person.archived else "active",
        "aliases": list(person.aliases),
        "company": person.company.text if person.company else None,
        "role": person.role,
        "history": [
            {
                "company": p.company,
                "role": p.role,
                "from": iso(p.start),
                "to": iso(p.end),
            }
            for p in person.history
        ],
        "email": list(person.email),
        "phone": list(person.phone),
        "linkedin": person.linkedin,
        "url": person.url,
        "location": person.location,
        "tags": list(person.tags),
        "met": iso(person.met),
        "birthday": str(person.birthday) if person.birthday else None,
        "introduced_by": [ref.text for ref in person.introduced_by],
        "knows": [ref.text for ref in person.knows],
        "cadence": str(person.cadence),
        "last_contact": iso(person.last_contact),
        "next_follow_up": iso(person.next_follow_up),
        "snooze_until": iso(person.snooze_until),
        "follow_up": {
            "bucket": followup.bucket,
            "due": iso(followup.due),
            "days_overdue": followup.days_overdue,
            "cadence_days": followup.cadence_days,
        },
    }


def people_json(network: Network) -> str:
    """Everyone, in ladder order, as one JSON object."""
    payload = {
        "today": network.today.isoformat(),
        "people": [person_record(p) for p in network.people],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "name",
    "path",
    "tier",
    "status",
    "company",
    "role",
    "email",
    "phone",
    "linkedin",
    "url",
    "location",
    "tags",
    "met",
    "birthday",
    "last_contact",
    "due",
    "bucket",
    "days_overdue",
    "cadence_days",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE_LIKE = re.compile(r"[+\-]?[\d ()./+\-]*")


def _csv_cell(value: object) -> str:
    """A cell that a spreadsheet shows as text, never runs as a formula.

    Imported names and companies are someone else's text; ``=HYPERLINK(...)`` in a cell
    would run when the file is opened. A leading quote keeps it text; phone numbers
    (``+44 20 ...``) are left as they are.
    """
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PHONE_LIKE.fullmatch(text):
        return "'" + text
    return text


def people_csv(network: Network) -> str:
    """Everyone as CSV (UTF-8, a header row, lists joined with ``; ``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for person in network.people:
        record = person_record(person)
        followup = record["follow_up"]
        row = {**record, **{k: followup[k] for k in ("due", "bucket", "days_overdue")}}
        row["cadence_days"] = followup["cadence_days"]
        writer.writerow([_csv_cell(row.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()


def _vcard_escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 6350 3.2)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + "\r\n"
    parts: list[str] = []
    current = ""
    size, limit = 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts) + "\r\n"


def people_vcard(network: Network, salt: str) -> str:
    """Everyone as vCard 4.0: name, organisation, title, emails and phones (preferred
    first), birthday (``--MMDD`` when the year is unknown) and LinkedIn profile."""
    cards: list[str] = []
    for person in network.people:
        lines = ["BEGIN:VCARD", "VERSION:4.0"]
        lines.append(f"UID:urn:uuid:{_uuid_for(person, salt)}")
        lines.append(f"FN:{_vcard_escape(person.name)}")
        if person.company is not None:
            lines.append(f"ORG:{_vcard_escape(person.company.text)}")
        if person.role:
            lines.append(f"TITLE:{_vcard_escape(person.role)}")
        for kind, values in (("EMAIL", person.email), ("TEL", person.phone)):
            for index, value in enumerate(values):
                pref = ";PREF=1" if index == 0 and len(values) > 1 else ""
                lines.append(f"{kind}{pref}:{_vcard_escape(value)}")
        if person.birthday is not None:
            b = person.birthday
            day = (
                f"{b.year:04d}{b.month:02d}{b.day:02d}" if b.year else f"--{b.month:02d}{b.day:02d}"
            )
            lines.append(f"BDAY:{day}")
        if person.linkedin:
            lines.append(f"URL;TYPE=linkedin:{_vcard_escape(person.linkedin)}")
        lines.append("END:VCARD")
        cards.append("".join(_fold(line) for line in lines))
    return "".join(cards)


def _uuid_for(person: Person, salt: str) -> str:
    digest = hashlib.sha256(f"vcard\0{person_id(person, salt)}".encode()).hexdigest()
    return str(uuid.UUID(hex=digest[:32], version=4))


# --- commands ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Export:
    """An export's text and what the build had to say about the notes."""

    text: str
    diagnostics: tuple[Diagnostic, ...]
    assigned: tuple[str, ...] = ()  # notes given a vaultnet_uid


def export_vault(
    config: Config,
    fmt: str,
    today: dt.date,
    *,
    cache: NoteCache | None = None,
    assign_uids: bool = False,
    now: dt.datetime | None = None,
) -> Export:
    """Export the vault in ``fmt`` (ics, json, csv or vcard). Reads the notes only, except
    that ``assign_uids`` first gives every person note without one a ``vaultnet_uid``."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    builder = Builder(config, cache)
    result = builder.build(today, write=False, full=True)
    network = result.network
    assert network is not None
    diagnostics = tuple(result.diagnostics)
    # Only the calendar and vCards use the state (its salt makes their UIDs): JSON and CSV
    # never write it, so they work in a vault that cannot be written to.
    uses_state = fmt in ("ics", "vcard") or assign_uids
    state = CalendarState.load(state_path(config) if uses_state else None)
    assigned: tuple[str, ...] = ()
    if assign_uids:
        disk = {path: source.disk for path, source in builder.files.items()}
        assigned = _assign_uids(config, network, state.salt, disk)
    if fmt == "ics":
        text = follow_ups_ics(network, state, now or dt.datetime.now(dt.UTC))
    elif fmt == "json":
        text = people_json(network)
    elif fmt == "csv":
        text = people_csv(network)
    else:
        text = people_vcard(network, state.salt)
    state.save()  # the salt must outlive this run, whatever the format
    return Export(text, diagnostics, assigned)


def _assign_uids(
    config: Config, network: Network, salt: str, disk: dict[str, str]
) -> tuple[str, ...]:
    """Give each person note without a ``vaultnet_uid`` the identifier it has now, so that
    its events keep their UIDs through this change and every later rename."""
    assigned: list[str] = []
    for person in network.people:
        current = person.front_matter.get(UID_KEY)
        if current is not None and _UID_VALUE.fullmatch(str(current).strip()):
            continue
        if current not in (None, ""):
            raise UsageError(
                f"{person.path}: {UID_KEY} {current!r} is not an identifier vaultnet made; "
                "remove it or fix it by hand"
            )
        ident = person_id(person, salt)
        path = config.vault / disk.get(person.path, person.path)
        try:
            edit_note(
                path,
                functools.partial(_with_uid, ident=ident),
                expect_keys=frozenset({UID_KEY}),
                body_change=False,
                lock_dir=state_dir(config.vault),
                front_matter_required=True,
            )
        except EditError as exc:
            exc.path = person.path
            raise
        assigned.append(person.path)
    return tuple(assigned)


def _with_uid(text: str, ident: str) -> str:
    return set_field(text, UID_KEY, ident)


def write_export(
    target: Path, text: str, vault: Path | None = None, fmt: str | None = None
) -> None:
    """Write an export to ``target`` atomically; never over a note or a configuration.

    Refused: a Markdown file, any ``vaultnet.toml``, (with ``vault``) anything in the
    vault's dot-folders (``.obsidian``, ``.vaultnet``, ``.git``…), where it would overwrite
    the settings or state of a tool, and (with ``fmt``) an existing file that is not an
    earlier export of that format: exporting again replaces the last export, nothing else.
    """
    if target.suffix.lower() == ".md":
        raise UsageError(f"{target}: refusing to write an export over a Markdown file")
    if target.name.casefold() == CONFIG_NAME:
        raise UsageError(f"{target}: refusing to write an export over a configuration file")
    if vault is not None:
        real = Path(os.path.realpath(target))
        if real.is_relative_to(vault) and any(
            part.startswith(".") for part in real.relative_to(vault).parts[:-1]
        ):
            raise UsageError(
                f"{target}: refusing to write an export into a tool's folder of the vault; "
                "write it elsewhere"
            )
    if target.is_dir():
        raise UsageError(f"{target} is a folder; give a file name")
    if fmt is not None and not _replaceable(target, fmt):
        raise UsageError(
            f"{target}: exists and is not an earlier vaultnet {fmt} export; refusing to "
            "overwrite it. Choose another file name, or remove it first"
        )
    clean_temp_files(target.parent, target=target.name)  # a killed export's leftovers
    try:
        _atomic_write(target, text.encode("utf-8"))
    except OSError as exc:
        raise OutputError(
            f"cannot write the export ({exc.strerror}); nothing was written to it", str(target)
        ) from None


# How the start of each export looks (see people_json, people_csv, people_vcard and
# follow_ups_ics), so that exporting again to the same file is known to replace an export.
_EXPORT_HEADS = {
    "json": re.compile(r'\A\{\s*"today":'),
    "csv": re.compile(r"\A\ufeff?name,path,tier,status,"),
    "vcard": re.compile(r"\ABEGIN:VCARD\r?\nVERSION:4\.0\r?\nUID:urn:uuid:"),
    "ics": re.compile(r"\ABEGIN:VCALENDAR\r?\n(?:[^\n]*\n){0,40}?" + re.escape(ICS_MARK)),
}


def _replaceable(target: Path, fmt: str) -> bool:
    """Whether ``target`` may be written over: missing, empty, or an export of ``fmt``."""
    try:
        with open(target, "rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        return True
    except OSError:
        return True  # a file that cannot be read cannot be written either: that error says why
    if not head.strip():
        return True
    pattern = _EXPORT_HEADS.get(fmt)
    return pattern is not None and bool(pattern.match(head.decode("utf-8", "replace")))


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data, default_mode(), durable=False)
