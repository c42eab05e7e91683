"""Exports: the follow-up calendar (iCalendar) and everyone as JSON, CSV or vCard 4.0.

Exports only read the vault, except ``--assign-uids``, which gives person notes the
identifier their calendar events carry. The calendar itself is ics.py's (the build makes
the same calendar as a page), and the state that keeps its events stable icsstate.py's.
The calendar library and the note editor are imported by the calendar export and by
``--assign-uids`` only: the modules of ``vaultnet export json`` take 68 ms to import in a
new process without them, 104 ms with them (medians of 11).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaultnet.atomic import clean_temp_files, default_mode, write_atomic
from vaultnet.config import CONFIG_NAME, Config
from vaultnet.containment import state_dir
from vaultnet.diagnostics import Diagnostic
from vaultnet.errors import OutputError, UsageError
from vaultnet.model.network import Network, Person
from vaultnet.pipeline.build import Builder, BuildRequest, Mode
from vaultnet.pipeline.icsstate import (
    UID_KEY,
    CalendarState,
    person_id,
    state_path,
    uid_is_ours,
)
from vaultnet.render.page import CANVAS_MARK_ID, ICS_MARK
from vaultnet.state.cache import NoteCache

FORMATS = ("ics", "json", "csv", "vcard", "canvas")


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
    center: str | None = None,
    max_nodes: int | None = None,
) -> Export:
    """Export the vault in ``fmt`` (ics, json, csv, vcard or canvas). Reads the notes only,
    except that ``assign_uids`` first gives every person note without one a
    ``vaultnet_uid``. A canvas shows ``center``'s neighbourhood when given, and at most
    ``max_nodes`` people (default: canvas_max_nodes)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    builder = Builder(config, cache)
    result = builder.build(BuildRequest(today, Mode.MODEL, stop_early=False))
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
    if fmt == "canvas":
        from vaultnet.render.canvas import canvas_text, center_person, introductions_canvas

        person = center_person(network, center) if center is not None else None
        limit = max_nodes or config.canvas_max_nodes
        canvas = introductions_canvas(network, limit, person, "Raise --max-nodes to draw more.")
        return Export(canvas_text(canvas), diagnostics)
    if fmt == "ics":
        from vaultnet.pipeline.ics import follow_ups_ics  # the calendar library: ics only

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
    from vaultnet.edit import EditError, edit_note, set_field  # only for the notes written

    assigned: list[str] = []
    for person in network.people:
        current = person.front_matter.get(UID_KEY)
        if current is not None and uid_is_ours(current):
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
                functools.partial(set_field, key=UID_KEY, value=ident),
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
    "canvas": re.compile(r'\A\{\s*"nodes"\s*:\s*\[\s*\{\s*"id"\s*:\s*"' + CANVAS_MARK_ID + '"'),
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
