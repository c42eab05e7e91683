"""``Unmatched.md``: the people your exports show you in touch with who have no note yet.

Made by every build from the ``unmatched:`` lists of the source notes that ``vaultnet
import`` writes (calendar, mail, LinkedIn), so it can always be made again from the vault.
Nobody is ever added as a person automatically; each row has a ready ``vaultnet add`` line.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections.abc import Iterable

from .notes import Note
from .output import MARK, Page

PAGE = "Unmatched.md"
WINDOW = dt.timedelta(days=365)
_EMAIL = re.compile(r"(?:(?P<name>.*?) )?<(?P<email>[^<>\s]+@[^<>\s]+)>|(?P<bare>[^<>\s]+@\S+)")
_PROFILE = re.compile(r"(?P<name>.*?) \((?P<url>https?://\S+)\)")


def add_command(shown: str) -> str:
    """The ``vaultnet add`` line for an unmatched participant (``Carol Diaz <c@x.org>``)."""
    if match := _EMAIL.fullmatch(shown):
        address = match["email"] or match["bare"]
        name = (match["name"] or "").strip() or address.split("@")[0]
        return f"vaultnet add {shlex.quote(name)} --email {shlex.quote(address)}"
    if match := _PROFILE.fullmatch(shown):
        return f"vaultnet add {shlex.quote(match['name'].strip())}"
    return f"vaultnet add {shlex.quote(shown)}"


def rank(notes: Iterable[Note], today: dt.date) -> list[tuple[str, int, dt.date]]:
    """Each unmatched participant of the last year: days in touch and the last day, most
    in touch first, then the most recent."""
    found: dict[str, tuple[int, dt.date]] = {}
    for note in notes:
        if note.date is None or not today - WINDOW < note.date <= today:
            continue
        for shown in note.front_matter.get("unmatched", ()):
            count, last = found.get(shown, (0, note.date))
            found[shown] = (count + 1, max(last, note.date))
    return sorted(
        ((shown, count, last) for shown, (count, last) in found.items()),
        key=lambda row: (-row[1], -row[2].toordinal(), row[0].casefold()),
    )


def unmatched_page(notes: Iterable[Note], today: dt.date) -> Page | None:
    """The page, or None when no source note names anyone unmatched."""
    rows = rank(notes, today)
    if not rows:
        return None
    lines = [
        "---",
        MARK,
        f"today: {today.isoformat()}",
        "---",
        "# In touch, no note yet",
        "",
        "People your imported calendar, mail and LinkedIn show you in touch with during the "
        "last year who have no person note. Add the ones worth keeping:",
        "",
        "| who | days in touch | last | add |",
        "|---|---|---|---|",
    ]
    for shown, count, last in rows:
        cell = shown.replace("|", "\\|")
        lines.append(f"| {cell} | {count} | {last.isoformat()} | `{add_command(shown)}` |")
    return Page(PAGE, "\n".join(lines) + "\n")
