"""LinkedIn messages (``messages.csv``) and invitations (``Invitations.csv``) of the data export.

A message you sent is an interaction with its recipients; a message you received counts
only in a conversation you also wrote in (so cold outreach and InMail you ignored do not
make you "in touch"). Drafts and spam are skipped. An invitation that carries a message is
an interaction too, recorded with who invited whom. Message bodies are never read into a
note; subjects only with ``--with-subjects``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from vaultnet.diagnostics import Diagnostic
from vaultnet.exchange.imports.contact import ImportFileError, clean_linkedin, clean_text
from vaultnet.exchange.imports.csvrows import read_rows
from vaultnet.exchange.imports.sources import (
    Interaction,
    Participant,
    SourceFile,
    bounded,
)
from vaultnet.model.identity import linkedin_key

MESSAGE_COLUMNS = ("CONVERSATION ID", "FROM", "SENDER PROFILE URL", "TO", "DATE")
INVITATION_COLUMNS = ("From", "To", "Sent At", "Direction")
_YES = {"yes", "true", "1"}
_US_DATE = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4}),?\s+(\d{1,2}):(\d{2})(?::\d{2})?\s*([AP]M)?", re.I
)


def parse_when(text: str) -> dt.datetime | None:
    """``2023-06-11 15:33:58 UTC`` (messages) or ``6/11/23, 3:33 PM`` (invitations)."""
    text = text.strip().removesuffix("UTC").strip()
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        pass
    match = _US_DATE.fullmatch(text)
    if not match:
        return None
    month, day, year, hour, minute = (int(match[i]) for i in range(1, 6))
    year += 2000 if year < 100 else 0
    if match[6]:
        hour = hour % 12 + (12 if match[6].upper() == "PM" else 0)
    try:
        return dt.datetime(year, month, day, hour, minute)
    except ValueError:
        return None


def _profile(url: str) -> str | None:
    return linkedin_key(url) if clean_linkedin(url) else None


def _person(name: str, url: str) -> Participant:
    return Participant(clean_text(name, name=True), None, clean_linkedin(url))


def read_messages(
    path: Path, *, me: Iterable[str] = (), max_recipients: int = 8, with_subjects: bool = False
) -> SourceFile:
    """Read ``messages.csv``; ImportFileError when it is not one or you cannot be told."""
    shown = str(path)
    diagnostics: list[Diagnostic] = []
    rows = list(read_rows(path, MESSAGE_COLUMNS, "messages.csv", diagnostics))
    conversations: dict[str, set[str]] = {}
    for _, row in rows:
        keys = {_profile(row["SENDER PROFILE URL"])}
        keys |= {_profile(u) for u in row.get("RECIPIENT PROFILE URLS", "").split(",")}
        conversations.setdefault(row["CONVERSATION ID"], set()).update(keys - {None})  # type: ignore[arg-type]
    mine = {k for k in (_profile(m) for m in me) if k}
    if not mine:
        common = set.intersection(*conversations.values()) if conversations else set()
        if len(common) != 1:
            raise ImportFileError(
                f"{shown}: cannot tell which profile is yours: give --me with your LinkedIn "
                "profile URL (or [capture] linkedin in vaultnet.toml)"
            )
        mine = common
    wrote = {
        row["CONVERSATION ID"] for _, row in rows if _profile(row["SENDER PROFILE URL"]) in mine
    }
    skipped: Counter[str] = Counter()
    found: list[Interaction] = []
    for line, row in rows:
        if row.get("IS MESSAGE DRAFT", "").casefold() in _YES:
            skipped["draft"] += 1
            continue
        if row.get("FOLDER", "").upper() == "SPAM":
            skipped["spam"] += 1
            continue
        when = parse_when(row["DATE"])
        if when is None:
            diagnostics.append(
                Diagnostic(
                    shown, line, "warning", f"DATE {row['DATE'][:40]!r} is not a date; skipped"
                )
            )
            skipped["no date"] += 1
            continue
        sender = _profile(row["SENDER PROFILE URL"])
        if sender in mine:
            urls = row.get("RECIPIENT PROFILE URLS", "").split(",")
            names = row["TO"].split(",")
            if len(names) != len(urls):
                names = [""] * len(urls)  # a name with a comma: match by profile alone
            people = [
                _person(n, u) for n, u in zip(names, urls, strict=True) if _profile(u) not in mine
            ]
        elif row["CONVERSATION ID"] in wrote:
            people = [_person(row["FROM"], row["SENDER PROFILE URL"])]
        else:
            skipped["never answered"] += 1
            continue
        people = [p for p in people if p.linkedin or p.name]
        if not people:
            skipped["no other person"] += 1
            continue
        if len(people) > max_recipients:
            skipped[f"more than {max_recipients} people"] += 1
            continue
        subject = ""
        if with_subjects:
            subject = bounded(row.get("SUBJECT") or row.get("CONVERSATION TITLE"))
        text = f"LinkedIn message: {subject}" if subject else "LinkedIn message"
        key = f"{row['CONVERSATION ID']}\0{row['DATE']}\0{sender}"
        found.append(Interaction(when, text, tuple(people), key))
    return SourceFile(
        "linkedin-messages",
        "LinkedIn messages",
        "LinkedIn messages",
        tuple(found),
        len(rows),
        dict(skipped),
        tuple(diagnostics),
    )


def read_invitations(path: Path) -> SourceFile:
    """Read ``Invitations.csv``; ImportFileError when it is not one."""
    shown = str(path)
    diagnostics: list[Diagnostic] = []
    rows = list(read_rows(path, INVITATION_COLUMNS, "Invitations.csv", diagnostics))
    skipped: Counter[str] = Counter()
    found: list[Interaction] = []
    for line, row in rows:
        direction = row["DIRECTION"].upper()
        if direction not in ("INCOMING", "OUTGOING"):
            diagnostics.append(
                Diagnostic(
                    shown,
                    line,
                    "warning",
                    f"Direction {row['DIRECTION'][:40]!r} is neither INCOMING nor OUTGOING; "
                    "skipped",
                )
            )
            skipped["unreadable"] += 1
            continue
        when = parse_when(row["SENT AT"])
        if when is None:
            diagnostics.append(
                Diagnostic(
                    shown,
                    line,
                    "warning",
                    f"Sent At {row['SENT AT'][:40]!r} is not a date; skipped",
                )
            )
            skipped["unreadable"] += 1
            continue
        if not row.get("MESSAGE"):
            skipped["no message"] += 1  # a bare click is no conversation
            continue
        if direction == "OUTGOING":
            other = _person(row["TO"], row.get("INVITEEPROFILEURL", ""))
            text = "LinkedIn invitation you sent"
        else:
            other = _person(row["FROM"], row.get("INVITERPROFILEURL", ""))
            text = "LinkedIn invitation you received"
        if not (other.name or other.linkedin):
            skipped["no other person"] += 1
            continue
        key = f"{direction}\0{other.linkedin or other.name}\0{row['SENT AT']}"
        found.append(Interaction(when, text, (other,), key))
    return SourceFile(
        "linkedin-invitations",
        "LinkedIn invitations",
        "LinkedIn invitations",
        tuple(found),
        len(rows),
        dict(skipped),
        tuple(diagnostics),
    )
