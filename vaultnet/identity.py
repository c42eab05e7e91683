"""What says two notes are one person: the same name, alias, email or LinkedIn profile.

Imports match people by these keys; ``check`` and ``build`` warn when two person notes
share one, which is usually the same person written down twice.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Sequence

from .diagnostics import Diagnostic
from .links import fold
from .notes import Note

URL_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*://", re.IGNORECASE)


def linkedin_key(url: str) -> str | None:
    """The identity of a LinkedIn profile URL: lower case, no scheme, ``www.``, query,
    fragment or trailing slash (``linkedin.com/in/ann-lee``); None for an empty URL."""
    text = urllib.parse.unquote(url.strip())
    text = URL_SCHEME.sub("", text, count=1)
    text = re.split(r"[?#]", text, maxsplit=1)[0].rstrip("/").casefold()
    host, _, path = text.partition("/")
    if host == "linkedin.com" or host.endswith(".linkedin.com"):
        host = "linkedin.com"  # www., m. and country subdomains show the same profile
    key = f"{host}/{path}" if path else host
    return key or None


def is_email(text: str) -> bool:
    """Whether ``text`` (cleaned, without ``mailto:``) is an email address: one ``@`` with
    something on each side, and no space."""
    return (
        " " not in text
        and text.count("@") == 1
        and not text.startswith("@")
        and not (text.endswith("@"))
    )


def not_an_email(value: str) -> str:
    """The words for a value that ``is_email`` refuses, the same for ``add --email`` and
    an imported contact."""
    return f"{value.strip()[:80]!r} is not an email address"


def duplicate_people(notes: Sequence[Note]) -> list[Diagnostic]:
    """A warning for each person note that shares a name, an alias, an email address or a
    LinkedIn profile with an earlier one (in path order), naming both files.

    Run on every build, so kept lean: a dict per kind of key, words made only on a clash.
    """
    first: dict[str, dict[str, Note]] = {"name": {}, "aliases": {}, "email": {}, "linkedin": {}}
    clashes: list[tuple[Note, Note, str, str]] = []  # the note, the earlier one, field, value
    for note in sorted(notes, key=_path):
        found: list[tuple[str, str, str]] = [("name", fold(note.name or note.stem), "")]
        for alias in note.aliases:
            found.append(("aliases", fold(alias), alias))
        for email in note.email:
            found.append(("email", email.strip().casefold(), email.strip()))
        if note.linkedin:
            found.append(("linkedin", _profile_key(note.linkedin) or "", note.linkedin.strip()))
        reported: set[str] = set()
        for field, key, value in found:
            if not key:
                continue
            seen = first[field].setdefault(key, note)
            if seen is not note and seen.path not in reported:
                reported.add(seen.path)
                clashes.append((note, seen, field, value or note.name or note.stem))
    return [
        Diagnostic(
            note.path,
            note.lines.get(field),
            "warning",
            f"same {_WHAT[field]} as {seen.path} ({value!r}): the same person twice? merge "
            "the notes, or tell them apart",
        )
        for note, seen, field, value in clashes
    ]


_WHAT = {"name": "name", "aliases": "alias", "email": "email", "linkedin": "LinkedIn profile"}


def _path(note: Note) -> str:
    return note.path


def _profile_key(url: str) -> str | None:
    """``linkedin_key`` of a profile URL, None when it is not one; the common form
    (``https://www.linkedin.com/in/x/``) without the general parse."""
    text = url.strip().casefold()
    if not any(c in text for c in "%?#"):
        for prefix in ("https://", "http://"):
            text = text.removeprefix(prefix)
        text = text.removeprefix("www.").rstrip("/")
        if text.startswith("linkedin.com/"):
            return text if len(text) > len("linkedin.com/") else None
    key = linkedin_key(url)
    if key is None or not key.startswith("linkedin.com/") or len(key) <= len("linkedin.com/"):
        return None
    return key
