"""LinkedIn's data export (``Connections.csv``) read into contacts.

The export has changed over the years: newer ones put a ``Notes:`` preamble before the
header, older ones have no ``URL`` column; Excel may have saved it again with a byte order
mark and CRLF line endings. The header row is looked for, not assumed to be first.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from ..diagnostics import Diagnostic
from ..identity import not_an_email
from .contact import (
    Contact,
    ImportFile,
    ImportFileError,
    Labelled,
    Skipped,
    clean_email,
    clean_linkedin,
    clean_text,
    oversized,
    read_import_file,
)

SOURCE = "LinkedIn"
COLUMNS = (
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
)
_REQUIRED = frozenset(c.casefold() for c in COLUMNS if c not in ("URL", "Email Address"))
PREAMBLE_LINES = 30  # how far down the header may be

# English month names, so that parsing never depends on the process locale (strptime's %b
# does). LinkedIn writes "12 Mar 2024"; spreadsheets re-save it as "12-Mar-24".
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[ \-/.]+([A-Za-z]+)\.?[ \-/.,]+(\d{2}|\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?[ \-]+(\d{1,2}),?[ \-]+(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_connected_on(text: str) -> dt.date | None:
    """A ``Connected On`` date (``12 Mar 2024``, ``7-Feb-22``, ``Mar 12, 2024``,
    ``2024-03-12``), or None."""
    text = text.strip()
    day = month = year = None
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = int(match[1]), _MONTHS.get(match[2].casefold()), match[3]
    elif match := _MONTH_DAY_YEAR.fullmatch(text):
        month, day, year = _MONTHS.get(match[1].casefold()), int(match[2]), match[3]
    elif match := _ISO.fullmatch(text):
        year, month, day = match[1], int(match[2]), int(match[3])
    if month is None or year is None or day is None:
        return None
    number = int(year)
    if len(year) == 2:
        number += 2000 if number < 70 else 1900  # the POSIX pivot; LinkedIn began in 2003
    try:
        return dt.date(number, month, day)
    except ValueError:
        return None


def decode(data: bytes, shown: str) -> str:
    """The file's text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # a spreadsheet saved it again as "CSV" on Windows
    except UnicodeDecodeError:
        raise ImportFileError(
            f"{shown}: not a text file in UTF-8 or Windows-1252; expected LinkedIn's "
            "Connections.csv"
        ) from None


def read_linkedin(path: Path, shown: str | None = None) -> ImportFile:
    """Read a LinkedIn ``Connections.csv``; ImportFileError when it is not one."""
    return read_import_file(path, shown, parse_linkedin)


def parse_linkedin(data: bytes, shown: str) -> ImportFile:
    """Read the bytes of a LinkedIn ``Connections.csv`` (see ``read_linkedin``)."""
    text = decode(data, shown).lstrip("\ufeff")
    lines = _LINE.findall(text)
    header, columns = _find_header(lines, shown)
    diagnostics: list[Diagnostic] = []
    if "url" not in columns:
        diagnostics.append(
            Diagnostic(
                shown,
                header + 1,
                "warning",
                "this export has no URL column (an older LinkedIn export): people are "
                "matched by email, else by name and company, so someone who has changed "
                "company since becomes a new note; check with --dry-run",
            )
        )
    contacts: list[Contact] = []
    skipped: list[Skipped] = []
    # csv reads quoted fields across lines; line_num says how many lines it has consumed.
    with _any_field_size():
        reader = csv.reader(lines[header + 1 :])
        consumed = 0
        for row in reader:
            line = header + 2 + consumed  # where this row starts, counting from 1
            consumed = reader.line_num
            cells = {
                key: row[index].strip() if index < len(row) else ""
                for key, index in columns.items()
            }
            too_long = oversized({_COLUMN_OF[key]: value for key, value in cells.items()})
            if too_long is not None:
                diagnostics.append(Diagnostic(shown, line, "error", f"the row: {too_long}"))
                skipped.append(Skipped(line, "a field is too long"))
                continue
            result = _contact(cells, line, shown, diagnostics)
            if isinstance(result, Skipped):
                skipped.append(result)
            else:
                contacts.append(result)
    return ImportFile(
        SOURCE,
        shown,
        tuple(contacts),
        tuple(skipped),
        tuple(diagnostics),
        by_company="url" not in columns,
        moves=True,
    )


@contextlib.contextmanager
def _any_field_size() -> Iterator[None]:
    """Let csv read fields of any length while the rows are read.

    csv refuses a field over its limit (128 KiB) and then reads on from the middle of it,
    making rows out of a quoted field's lines. The whole file is in memory already, so the
    limit is lifted, and a row with a field too long is skipped by its length instead
    (see ``oversized``).
    """
    limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(limit)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _find_header(lines: list[str], shown: str) -> tuple[int, dict[str, int]]:
    """The header row's index and each known column's position in it.

    Whatever comes before it (nothing, ``Notes:``, a quoted note, blank lines) is skipped.
    """
    for index, line in enumerate(lines[:PREAMBLE_LINES]):
        try:
            cells = next(csv.reader([line]), [])
        except csv.Error:
            continue
        names = [cell.strip().lstrip("\ufeff").strip().casefold() for cell in cells]
        if set(names) >= _REQUIRED:
            known = {c.casefold() for c in COLUMNS}
            columns = {name: names.index(name) for name in names if name in known}
            return index, {_KEYS[name]: position for name, position in columns.items()}
    first = next((line.strip() for line in lines if line.strip()), "")
    seen = f"; its first line is {first[:80]!r}" if first else "; the file is empty"
    raise ImportFileError(
        f"{shown}: not a LinkedIn Connections export: expected a header row with the "
        f"columns {', '.join(COLUMNS)} (URL and Email Address may be missing){seen}"
    )


_KEYS = {
    "first name": "first",
    "last name": "last",
    "url": "url",
    "email address": "email",
    "company": "company",
    "position": "position",
    "connected on": "connected",
}
_COLUMN_OF = {_KEYS[column.casefold()]: column for column in COLUMNS}  # as LinkedIn spells it


def _contact(
    cells: dict[str, str], line: int, shown: str, diagnostics: list[Diagnostic]
) -> Contact | Skipped:
    """A row as a contact, or why it is skipped."""
    if not any(cells.values()):
        return Skipped(line, "blank row")
    name = clean_text(f"{cells.get('first', '')} {cells.get('last', '')}", name=True)
    if not name:
        only = "only a profile URL" if cells.get("url") else "no first or last name"
        return Skipped(line, f"no name ({only})")

    def warn(message: str) -> None:
        diagnostics.append(Diagnostic(shown, line, "warning", message))

    url = cells.get("url", "")
    linkedin = clean_linkedin(url) if url else None
    if url and linkedin is None:
        warn(f"{name}: {url[:80]!r} is not a LinkedIn profile URL; left out")
    email = cells.get("email", "")
    address = clean_email(email) if email else None
    if email and address is None:
        warn(f"{name}: {not_an_email(email)}; left out")
    connected = cells.get("connected", "")
    when = parse_connected_on(connected) if connected else None
    if not connected:
        warn(f"{name}: no Connected On date; connected is left empty")
    elif when is None:
        warn(f"{name}: Connected On {connected[:40]!r} is not a date; connected is left empty")
    return Contact(
        name=name,
        line=line,
        emails=(Labelled(address),) if address else (),
        company=clean_text(cells.get("company")) or None,
        role=clean_text(cells.get("position")) or None,
        linkedin=linkedin,
        connected=when,
    )
