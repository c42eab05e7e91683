"""``Unmatched.md``: the people your exports show you in touch with who have no note yet.

Made by every build (``render_pages``) from the ``unmatched:`` lists of the source notes
that ``vaultnet import`` writes (calendar, mail, LinkedIn): it can always be made again.
Nobody is ever added as a person automatically; each row has a ready ``vaultnet add`` line.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections.abc import Iterable
from typing import NamedTuple

from vaultnet.source.notes import Note

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


class Unmatched(NamedTuple):
    """Someone your source notes show you in touch with who has no note."""

    shown: str  # "Dana Okoye <dana@example.org>", as the source notes write it
    days: int  # days in touch during the last year
    last: dt.date
    add: str  # the vaultnet add command line


def rank(notes: Iterable[Note], today: dt.date) -> list[Unmatched]:
    """Each unmatched participant of the last year: days in touch and the last day, most
    in touch first, then the most recent."""
    found: dict[str, tuple[int, dt.date]] = {}
    for note in notes:
        if note.person or note.date is None or not note.front_matter:
            continue
        if not today - WINDOW < note.date <= today:
            continue
        for shown in note.front_matter.get("unmatched", ()):
            count, last = found.get(shown, (0, note.date))
            found[shown] = (count + 1, max(last, note.date))
    rows = sorted(found.items(), key=lambda i: (-i[1][0], -i[1][1].toordinal(), i[0].casefold()))
    return [Unmatched(shown, count, last, add_command(shown)) for shown, (count, last) in rows]
