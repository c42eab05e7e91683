"""What an import reads from a file: contacts, skipped rows and problems, made safe.

Everything here comes from a file someone else wrote (a LinkedIn export, a shared address
book), so every text is cleaned before it can reach a note: see ``clean_text``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from vaultnet.dates import Birthday
from vaultnet.diagnostics import Diagnostic
from vaultnet.errors import UsageError
from vaultnet.model.identity import URL_SCHEME, is_email, linkedin_key

# The longest text an import takes from one field (a name, a company, an email...): far
# above any real one, and small enough that a hostile file cannot make a huge note or hold
# much memory. A row or card with a longer field is reported and skipped; the others are
# still imported.
MAX_FIELD_CHARS = 4096


def oversized(fields: dict[str, str]) -> str | None:
    """Why a row or card is skipped when one of its ``fields`` is too long, else None."""
    for name, value in fields.items():
        if len(value) > MAX_FIELD_CHARS:
            return (
                f"its {name} is {len(value):,} characters long, over the limit of "
                f"{MAX_FIELD_CHARS:,}; not imported"
            )
    return None


class ImportFileError(UsageError):
    """The file is not what the import reads (exit code 2): says what was expected."""


@dataclass(frozen=True, slots=True)
class Labelled:
    """An email address or phone number with its labels (``work``, ``cell``, ``Other``)."""

    value: str
    labels: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.value} ({', '.join(self.labels)})" if self.labels else self.value


@dataclass(frozen=True, slots=True)
class Contact:
    """One person read from an import file, every text already cleaned.

    ``name_is_fallback`` marks a name made up from an email or phone: two such contacts
    may share it by chance, so it never identifies anyone.
    """

    name: str
    line: int
    name_is_fallback: bool = False
    emails: tuple[Labelled, ...] = ()  # the preferred one first
    phones: tuple[Labelled, ...] = ()
    company: str | None = None
    role: str | None = None
    linkedin: str | None = None
    birthday: Birthday | None = None
    connected: dt.date | None = None  # LinkedIn's Connected On


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row or card that was not imported, and why."""

    line: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class ImportFile:
    """Everything read from one import file.

    ``by_company`` says that the file has no profile URLs, so a name only identifies
    someone together with the company (older LinkedIn exports). ``moves`` says whether a
    different company or role in the file is news (LinkedIn, kept by the people
    themselves) or may just be stale (an address book): only news is recorded as a move.
    """

    source: str  # "LinkedIn", "vCard": how the plan and the log name it
    path: str  # as the user gave it, for messages
    contacts: tuple[Contact, ...]
    skipped: tuple[Skipped, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    by_company: bool = False
    moves: bool = False


# --- making text safe --------------------------------------------------------------------

# Bidirectional overrides and isolates reorder what is shown ("RTL override" spoofing);
# zero-width joiners stay, emoji sequences and some scripts need them.
_INVISIBLE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_SPACE = re.compile(r"\s+")
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")


def clean_text(value: str | None, *, name: bool = False) -> str:
    """Imported text made inert in a note: one line, nothing a plugin runs when it opens.

    Obsidian plugins execute Dataview inline queries (`` `= ...` ``, `` `$= ...` ``) and
    Templater commands (``<% ... %>``) on opening a note, so backticks and ``<%``/``%>`` go.
    Wikilinks (``[[ ]]``) would make links and pollute the graph: they become single
    brackets. HTML tags (an ``<iframe>``) and image embeds (``![](url)``) would load remote
    content: the tag loses its ``<`` adjacency and the embed its ``!``. Line breaks, control
    and bidi characters go and spaces collapse, so a value stays on its line and cannot
    fake a ``---`` fence. For a ``name`` (used in links and tables), ``|`` becomes ``-``.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFC", value)
    text = _INVISIBLE.sub("", text)
    if not text.isprintable():
        text = "".join(
            " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
            for c in text
            if unicodedata.category(c) not in ("Cf", "Cs") or c in "\u200c\u200d"
        )
    text = text.replace("`", "")
    while "<%" in text or "%>" in text:  # "<%%>" must not leave a "<%" behind
        text = text.replace("<%", "<").replace("%>", ">")
    text = re.sub(r"\[{2,}", "[", text)
    text = re.sub(r"\]{2,}", "]", text)
    text = _TAG_OPEN.sub("< ", text)
    text = text.replace("![", "! [")
    if name:
        text = text.replace("|", "-")
    return _SPACE.sub(" ", text).strip()


def clean_email(value: str | None) -> str | None:
    """An email address, or None when the text is not one."""
    text = clean_text(value)
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip("<> ")
    return text if is_email(text) else None


def clean_phone(value: str | None) -> str | None:
    """A phone number as written (cleaned), or None when it holds no digit."""
    text = clean_text(value)
    if text.lower().startswith("tel:"):
        text = text[4:]
    return text if any(c.isdigit() for c in text) else None


def clean_linkedin(value: str | None) -> str | None:
    """A LinkedIn profile URL as given (cleaned), or None unless it is one.

    Anything else (``javascript:``, another site) is dropped: Obsidian shows the property
    as a link.
    """
    text = clean_text(value)
    if not text or " " in text:
        return None
    key = linkedin_key(text)
    if key is None or not key.startswith("linkedin.com/") or len(key) <= len("linkedin.com/"):
        return None
    if URL_SCHEME.match(text) and not text.lower().startswith(("http://", "https://")):
        return None
    # A query or fragment is tracking ("?trk=..."), not part of the profile.
    return re.split(r"[?#]", text, maxsplit=1)[0]


def fallback_name(emails: tuple[Labelled, ...], phones: tuple[Labelled, ...]) -> str:
    """A display name for a contact with no name: its first email, else its first phone."""
    if emails:
        return emails[0].value
    if phones:
        return phones[0].value
    return ""
