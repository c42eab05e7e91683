"""Mail you sent, from an mbox file (Google Takeout, Thunderbird, Apple Mail exports).

The file is read as a stream of lines, one message at a time, and only the headers are
looked at: a mailbox of many gigabytes needs no more memory than its largest header. A
message counts when you sent it (``From`` is one of your addresses, or Gmail's
``X-Gmail-Labels`` says ``Sent``); its ``To`` and ``Cc`` are the people, unless there are
more than ``max_recipients`` (a mailing). Messages are deduplicated by ``Message-ID``.
"""

from __future__ import annotations

import datetime as dt
import email.errors
import email.header
import email.utils
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from vaultnet.diagnostics import Diagnostic
from vaultnet.exchange.imports.contact import ImportFileError
from vaultnet.exchange.imports.sources import (
    Interaction,
    Participant,
    SourceFile,
    bounded,
    participant,
)

SOURCE = "mail"
MAX_HEADER_BYTES = 256 * 1024  # a header block larger than this is not a real message
_WANTED = {b"from", b"to", b"cc", b"date", b"message-id", b"subject", b"x-gmail-labels"}


def read_mbox(
    path: Path,
    *,
    me: Iterable[str] = (),
    max_recipients: int = 8,
    with_subjects: bool = False,
    since: dt.date | None = None,
) -> SourceFile:
    """Read the mail you sent from an mbox file; ImportFileError when it is not one."""
    shown = str(path)
    mine = {a.casefold() for a in me}
    diagnostics: list[Diagnostic] = []
    skipped: Counter[str] = Counter()
    found: list[Interaction] = []
    seen: set[str] = set()
    read = 0
    labels_seen = False
    try:
        with open(path, "rb") as stream:
            first = stream.readline()
            if not first.startswith(b"From "):
                raise ImportFileError(
                    f"{shown}: not an mbox file: expected its first line to start with 'From '"
                )
            for line, headers, complete in _messages(stream, first):
                read += 1
                if not complete:
                    diagnostics.append(
                        Diagnostic(
                            shown,
                            line,
                            "warning",
                            "message ends before its headers do (a truncated file?); skipped",
                        )
                    )
                    skipped["unreadable"] += 1
                    continue
                labels = headers.get("x-gmail-labels")
                labels_seen = labels_seen or labels is not None
                reason, item = _interaction(
                    headers, mine, max_recipients, with_subjects, since, shown, line, diagnostics
                )
                if item is None:
                    skipped[reason] += 1
                elif item.key in seen:
                    skipped["duplicate Message-ID"] += 1
                else:
                    seen.add(item.key)
                    found.append(item)
    except OSError as exc:
        raise ImportFileError(f"{shown}: cannot read ({exc.strerror})") from None
    if not mine and not labels_seen:
        raise ImportFileError(
            f"{shown}: cannot tell which mail you sent: give your addresses with --me "
            "(or [capture] me in vaultnet.toml)"
        )
    return SourceFile(SOURCE, "Mail", "Mail", tuple(found), read, dict(skipped), tuple(diagnostics))


def _messages(stream: BinaryIO, first: bytes) -> Iterator[tuple[int, dict[str, str], bool]]:
    """Each message's first line number, its wanted headers (unfolded, decoded), and whether
    its header block was complete. Bodies are skipped line by line, never kept."""
    number = 1
    start = 1
    raw: list[bytes] = []
    size = 0
    in_headers = True
    previous_blank = False
    for line in stream:
        number += 1
        if line.startswith(b"From ") and previous_blank:
            yield start, _headers(raw), not in_headers
            start, raw, size, in_headers = number, [], 0, True
            previous_blank = False
            continue
        stripped = line.rstrip(b"\r\n")
        previous_blank = not stripped
        if not in_headers:
            continue
        if not stripped:
            in_headers = False
        elif size < MAX_HEADER_BYTES:
            raw.append(stripped)
            size += len(stripped)
    if first:
        yield start, _headers(raw), not in_headers


def _headers(raw: list[bytes]) -> dict[str, str]:
    """The wanted headers of a message, folded lines joined, encoded words decoded."""
    fields: dict[str, list[bytes]] = {}
    current: list[bytes] | None = None
    for line in raw:
        if line[:1] in (b" ", b"\t"):
            if current is not None:
                current.append(b" " + line.strip())
            continue
        name, colon, value = line.partition(b":")
        key = name.strip().lower()
        if not colon or key not in _WANTED or key.decode("latin-1") in fields:
            current = None
            continue
        current = [value.strip()]
        fields[key.decode("latin-1")] = current
    return {key: _decoded(b"".join(parts)) for key, parts in fields.items()}


def _decoded(value: bytes) -> str:
    """A header's text: raw UTF-8 (else Latin-1) with RFC 2047 encoded words decoded."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        text = value.decode("latin-1")
    if "=?" not in text:
        return text
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except (email.errors.HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
        return text


def _interaction(
    headers: dict[str, str],
    mine: set[str],
    max_recipients: int,
    with_subjects: bool,
    since: dt.date | None,
    shown: str,
    line: int,
    diagnostics: list[Diagnostic],
) -> tuple[str, Interaction | None]:
    labels = [part.strip().casefold() for part in headers.get("x-gmail-labels", "").split(",")]
    sender = email.utils.parseaddr(headers.get("from", ""))[1].casefold()
    if sender not in mine and "sent" not in labels:
        return "received", None
    if sender.count("@") == 1:
        mine.add(sender)  # a copy you sent to yourself, or Cc'd, is not someone else
    try:
        sent = email.utils.parsedate_to_datetime(headers.get("date", ""))
    except (TypeError, ValueError, IndexError):
        diagnostics.append(
            Diagnostic(shown, line, "warning", "sent message without a readable Date; skipped")
        )
        return "no date", None
    when = sent.replace(tzinfo=None)
    if since is not None and when.date() < since:
        return "before --since", None
    people: list[Participant] = []
    for name, address in email.utils.getaddresses([headers.get("to", ""), headers.get("cc", "")]):
        found = participant(name, address)
        if found is not None and found.email not in mine and found not in people:
            people.append(found)
    if not people:
        return "no recipients", None
    if len(people) > max_recipients:
        return f"more than {max_recipients} recipients", None
    message_id = headers.get("message-id", "").strip()
    if not message_id:  # the same message in two exports still gets the same identity
        basis = f"{headers.get('date', '')}\0{headers.get('to', '')}\0{headers.get('subject', '')}"
        message_id = hashlib.sha1(basis.encode("utf-8", "replace")).hexdigest()
    subject = bounded(headers.get("subject")) if with_subjects else ""
    text = f"email: {subject}" if subject else "email"
    return "", Interaction(when, text, tuple(people), message_id)
