"""LinkedIn's data export (``Connections.csv``) read into contacts.

The export has changed over the years: newer ones put a ``Notes:`` preamble before the
header, older ones have no ``URL`` column; Excel may have saved it again with a byte order
mark and CRLF line endings. The header row is looked for, not assumed to be first.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import BinaryIO

from vaultnet.diagnostics import Diagnostic
from vaultnet.exchange.imports.contact import (
    Contact,
    ImportFile,
    ImportFileError,
    Labelled,
    Skipped,
    clean_email,
    clean_linkedin,
    clean_text,
    oversized,
)
from vaultnet.exchange.imports.csvrows import open_rows, text_of
from vaultnet.model.identity import not_an_email

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
_REQUIRED = frozenset(c.upper() for c in COLUMNS if c not in ("URL", "Email Address"))
_WHAT = "a LinkedIn Connections export"

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


def read_linkedin(path: Path, shown: str | None = None) -> ImportFile:
    """Read a LinkedIn ``Connections.csv`` as a stream; ImportFileError when it is not one."""
    shown = shown or str(path)
    try:
        binary = path.open("rb")
    except OSError as exc:
        raise ImportFileError(f"{shown}: cannot read ({exc.strerror})") from None
    with binary:
        return _parse(binary, shown)


def parse_linkedin(data: bytes, shown: str) -> ImportFile:
    """Read the bytes of a LinkedIn ``Connections.csv`` (see ``read_linkedin``)."""
    return _parse(io.BytesIO(data), shown)


def _parse(binary: BinaryIO, shown: str) -> ImportFile:
    with text_of(binary, shown, _WHAT) as text:
        return _contacts(text, shown)


def _contacts(text: io.TextIOWrapper, shown: str) -> ImportFile:
    diagnostics: list[Diagnostic] = []
    found = open_rows(
        text,
        shown,
        _REQUIRED,
        _WHAT,
        f"{', '.join(COLUMNS)} (URL and Email Address may be missing)",
        diagnostics,
    )
    has_url = "URL" in found.columns
    if not has_url:
        diagnostics.append(
            Diagnostic(
                shown,
                found.header_line,
                "warning",
                "this export has no URL column (an older LinkedIn export): people are "
                "matched by email, else by name and company, so someone who has changed "
                "company since becomes a new note; check with --dry-run",
            )
        )
    contacts: list[Contact] = []
    skipped: list[Skipped] = []
    for line, row in found.rows:
        cells = {key: row.get(column.upper(), "") for key, column in _COLUMN_OF.items()}
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
        by_company=not has_url,
        moves=True,
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
