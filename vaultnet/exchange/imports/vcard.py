"""vCard files (2.1, 3.0, 4.0) as Google, Apple and Android write them, read into contacts.

vobject parses each card's content lines (parameters, groups, escapes, structured
values), but it trips over what phones and address books really write, so the bytes are
prepared first, card by card:

- lines are unfolded as bytes, before decoding: a fold may fall inside a UTF-8 character;
- quoted-printable values (vCard 2.1) are joined across their soft line breaks and
  decoded with their ``CHARSET`` (vobject fails on a soft break);
- every value is decoded from its own charset (ISO-8859-1 in old exports), else UTF-8;
  UTF-16 files are recognised by their byte order mark or their zero bytes;
- ``PHOTO``, ``LOGO``, ``SOUND`` and ``KEY`` are dropped while reading, never held in
  memory (a 3 MB photo costs a scan of its lines and nothing else);
- commas in 2.1 values are escaped (2.1 does not separate values by commas; vobject
  would split ``ORG:Acme, Inc.``);
- each card goes to vobject alone, so one unreadable card (no ``END:VCARD``) is reported
  and the others are still imported.
"""

from __future__ import annotations

import datetime as dt
import quopri
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import vobject  # type: ignore[import-untyped]

from vaultnet.dates import Birthday
from vaultnet.diagnostics import Diagnostic
from vaultnet.exchange.imports.contact import (
    MAX_FIELD_CHARS,
    Contact,
    ImportFile,
    ImportFileError,
    Labelled,
    Skipped,
    clean_email,
    clean_linkedin,
    clean_phone,
    clean_text,
    fallback_name,
    oversized,
)

SOURCE = "vCard"
_BINARY = frozenset({b"PHOTO", b"LOGO", b"SOUND", b"KEY"})
_PROPERTY = re.compile(rb"(?:[A-Za-z0-9\-]+\.)?([A-Za-z0-9\-]+)[;:]")
_QP = re.compile(rb"^[^:]*?;(?:ENCODING=)?QUOTED-PRINTABLE(?=[;:])", re.IGNORECASE)
# Years that mean "no year": Apple writes 1604 (with or without X-APPLE-OMIT-YEAR), some
# Android versions 0000.
_NO_YEAR = frozenset({0, 1604})
_BDAY = re.compile(r"(?:(\d{4})|--)-?(\d{2})-?(\d{2})(?:T.*)?")
# Labels that say nothing to a reader of the note.
_NOISE_TYPES = frozenset({"internet", "pref", "x400", "voice"})
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")


# An unfolded content line longer than this is not kept whole: a property vaultnet imports
# makes its card skipped, any other is dropped like a photo. Room for MAX_FIELD_CHARS of
# text in any encoding (quoted-printable UTF-8: 9 bytes a character) and its parameters.
MAX_LINE_BYTES = MAX_FIELD_CHARS * 9 + 1024
# The properties a contact is made of (and the card's frame): too long, the card is skipped.
_IMPORTED = frozenset(
    {
        b"BEGIN", b"END", b"VERSION", b"FN", b"N", b"ORG", b"TITLE", b"ROLE", b"EMAIL",
        b"TEL", b"URL", b"X-SOCIALPROFILE", b"BDAY", b"KIND", b"X-ADDRESSBOOKSERVER-KIND",
        b"X-ABLABEL",
    }
)  # fmt: skip


@dataclass(slots=True)
class _Line:
    """A logical (unfolded) content line, as bytes, with the line it starts on.

    Past MAX_LINE_BYTES the rest of the line is not kept: ``oversized`` holds its full size.
    """

    number: int
    chunks: list[bytes] = field(default_factory=list)
    quoted_printable: bool = False
    size: int = 0
    oversized: int = 0
    soft_break: bool = False  # the last chunk ends in "=": quoted-printable goes on

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self.soft_break = chunk[-1:] == b"="
        if self.oversized or self.size > MAX_LINE_BYTES:
            self.oversized = self.size
            head = self.chunks[0] if self.chunks else chunk
            self.chunks[:] = [head[:200]]  # the property's name, for the message
        else:
            self.chunks.append(chunk)

    @property
    def property_name(self) -> bytes:
        name = _PROPERTY.match(self.chunks[0]) if self.chunks else None
        return name[1].upper() if name else b""


@dataclass(slots=True)
class _Card:
    line: int
    lines: list[_Line] = field(default_factory=list)
    closed: bool = False


def read_vcard(path: Path, shown: str | None = None) -> ImportFile:
    """Read a ``.vcf`` file; ImportFileError when it cannot be read or holds no card.

    The file is read a megabyte at a time: a line is held only up to MAX_LINE_BYTES, so a
    huge field costs no memory (a UTF-16 file, rare, is read whole and re-encoded).
    """
    shown = shown or str(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(_CHUNK)
            if _utf16(head):
                return parse_vcards(head + handle.read(), shown)
            return _parse(_stream_lines(handle, head.removeprefix(b"\xef\xbb\xbf")), shown)
    except OSError as exc:
        raise ImportFileError(f"{shown}: cannot read ({exc.strerror})") from None


def parse_vcards(data: bytes, shown: str) -> ImportFile:
    """Read the bytes of a vCard file (see ``read_vcard``)."""
    return _parse(_as_8bit(data, shown).splitlines(), shown)


_CHUNK = 1 << 20
_EOL = re.compile(rb"\r\n|\r|\n")


def _stream_lines(handle: BinaryIO, first: bytes) -> Iterator[bytes]:
    """The physical lines of ``first`` and what follows it in ``handle``, split as
    ``bytes.splitlines`` splits them; a line longer than MAX_LINE_BYTES is cut just past
    it (its card is then skipped, or its property dropped) and the rest never held."""
    buffer, cut, at_end = first, None, False
    while True:
        start = 0
        for match in _EOL.finditer(buffer):
            if match.end() == len(buffer) and match[0] == b"\r" and not at_end:
                break  # maybe the first half of a CRLF: wait for the next chunk
            yield buffer[start : match.start()] if cut is None else cut
            cut, start = None, match.end()
        buffer = buffer[start:]
        if at_end:
            if cut is not None or buffer:
                yield buffer if cut is None else cut
            return
        partial = buffer[:-1] if buffer.endswith(b"\r") else buffer  # a line not ended yet
        if cut is None and len(partial) > MAX_LINE_BYTES:
            cut = partial[: MAX_LINE_BYTES + 1]
        if cut is not None:
            buffer = buffer[len(partial) :]  # only the CR that may start a CRLF
        chunk = handle.read(_CHUNK)
        at_end = not chunk
        buffer += chunk


def _utf16(head: bytes) -> bool:
    """Whether a file starting with ``head`` is UTF-16 (see ``_as_8bit``)."""
    return (
        head.startswith((b"\xff\xfe", b"\xfe\xff"))
        or head[:2] in (b"\x00B", b"\x00b")
        or (head[1:2] == b"\x00" and head[:1].isalpha())
    )


def _parse(raw_lines: Iterable[bytes], shown: str) -> ImportFile:
    """The contacts of a vCard file's physical lines."""
    cards = _cards(_logical_lines(raw_lines))
    if not cards:
        raise ImportFileError(f"{shown}: no BEGIN:VCARD found; expected a vCard (.vcf) file")
    contacts: list[Contact] = []
    skipped: list[Skipped] = []
    diagnostics: list[Diagnostic] = []
    for card in cards:
        if not card.closed:
            message = "the card has no END:VCARD (the file may be cut short); not imported"
            diagnostics.append(Diagnostic(shown, card.line, "error", message))
            skipped.append(Skipped(card.line, "unreadable card: no END:VCARD"))
            continue
        too_long = next((ln for ln in card.lines if ln.oversized), None)
        if too_long is not None and too_long.property_name in _IMPORTED:
            name = too_long.property_name.decode("ascii", "replace")
            message = (
                f"the card's {name} is longer than the limit of {MAX_FIELD_CHARS:,} "
                "characters; not imported"
            )
            diagnostics.append(Diagnostic(shown, too_long.number, "error", message))
            skipped.append(Skipped(card.line, f"{name} too long"))
            continue
        try:
            component = vobject.readOne(_card_text(card))
        except Exception as exc:  # vobject raises several unrelated types for bad input
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            message = f"the card cannot be read ({reason}); not imported"
            diagnostics.append(Diagnostic(shown, card.line, "error", message))
            skipped.append(Skipped(card.line, "unreadable card"))
            continue
        result = _contact(component, card.line, shown, diagnostics)
        if isinstance(result, Skipped):
            skipped.append(result)
        else:
            contacts.append(result)
    return ImportFile(SOURCE, shown, tuple(contacts), tuple(skipped), tuple(diagnostics))


# --- bytes to cards ----------------------------------------------------------------------


def _as_8bit(data: bytes, shown: str) -> bytes:
    """The file as an ASCII-compatible byte string: UTF-16 is re-encoded as UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    encoding = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data[:2] == b"\x00B" or data[:2] == b"\x00b":
        encoding = "utf-16-be"
    elif data[1:2] == b"\x00" and data[:1].isalpha():
        encoding = "utf-16-le"
    if encoding is None:
        return data
    try:
        return data.decode(encoding).lstrip("\ufeff").encode("utf-8")
    except UnicodeDecodeError:
        raise ImportFileError(f"{shown}: looks like UTF-16 but does not decode as it") from None


def _logical_lines(raw_lines: Iterable[bytes]) -> list[_Line]:
    """Unfold the physical lines into content lines, dropping binary properties.

    A line starting with a space or tab continues the previous one (the space is removed);
    in a quoted-printable value, a line ending in ``=`` continues on the next line.
    """
    lines: list[_Line] = []
    current: _Line | None = None
    dropping = False  # inside a binary property: its lines are not kept
    for number, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            current, dropping = None, False  # vCard 2.1 ends base64 data with a blank line
            continue
        if raw[:1] in (b" ", b"\t") and (current is not None or dropping):
            if not dropping and current is not None:
                current.add(raw[1:])
            continue
        if current is not None and current.quoted_printable and current.soft_break:
            if not current.oversized:
                current.chunks[-1] = current.chunks[-1][:-1]
            current.add(raw)
            continue
        name = _PROPERTY.match(raw)
        if dropping and (name is None or b":" not in raw):
            continue  # unindented base64 some 2.1 writers leave after PHOTO
        dropping = name is not None and name[1].upper() in _BINARY
        if dropping:
            current = None
            continue
        current = _Line(number, quoted_printable=bool(_QP.match(raw)))
        current.add(raw)
        lines.append(current)
    return lines


def _cards(lines: list[_Line]) -> list[_Card]:
    """Group content lines into cards; a card cut short is kept, marked not closed."""
    cards: list[_Card] = []
    card: _Card | None = None
    for line in lines:
        text = line.data.strip().upper()
        if text == b"BEGIN:VCARD":
            card = _Card(line.number, [line])
            cards.append(card)
        elif card is None:
            continue  # text outside any card
        elif text == b"END:VCARD":
            card.lines.append(line)
            card.closed = True
            card = None
        else:
            card.lines.append(line)
    return cards


def _card_text(card: _Card) -> str:
    """The card as text vobject reads: values decoded, re-escaped as vCard 3.0."""
    version = next(
        (
            ln.data.split(b":", 1)[1].strip()
            for ln in card.lines
            if ln.data.upper().startswith(b"VERSION:")
        ),
        b"3.0",
    )
    old = version == b"2.1"
    kept = (line for line in card.lines if not line.oversized)  # a long NOTE, say: dropped
    return "".join(_content_line(line, old) + "\r\n" for line in kept)


_PARAM_SPLIT = re.compile(rb';(?=(?:[^"]*"[^"]*")*[^"]*$)')


def _content_line(line: _Line, old: bool) -> str:
    """One content line as text: the value decoded from quoted-printable and its charset."""
    data = line.data
    colon = _value_start(data)
    if colon < 0:
        return data.decode("utf-8", "replace")
    head, value = data[:colon], data[colon + 1 :]
    parts = _PARAM_SPLIT.split(head)
    charset = None
    kept = [parts[0]]
    for part in parts[1:]:
        upper = part.upper()
        if upper.startswith(b"CHARSET="):
            charset = part[8:].strip(b'"').decode("ascii", "replace")
        elif upper in (b"ENCODING=QUOTED-PRINTABLE", b"QUOTED-PRINTABLE", b"ENCODING=8BIT"):
            continue
        else:
            kept.append(part)
    if line.quoted_printable:
        value = quopri.decodestring(value)
    text = _decode_value(value, charset)
    if line.quoted_printable or old:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    if old:
        # 2.1 escapes only ";" with a backslash; 3.0 also escapes "," and "\".
        text = re.sub(r"\\(?![;n])", r"\\\\", text).replace(",", "\\,")
    head_text = b";".join(kept).decode("utf-8", "replace")
    return f"{head_text}:{text}"


def _value_start(data: bytes) -> int:
    """The index of the colon that ends the name and parameters (not one inside quotes)."""
    quoted = False
    for index, byte in enumerate(data):
        if byte == 0x22:  # "
            quoted = not quoted
        elif byte == 0x3A and not quoted:  # :
            return index
    return -1


def _decode_value(value: bytes, charset: str | None) -> str:
    if charset:
        try:
            return value.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("cp1252", "replace")


# --- a card to a contact -----------------------------------------------------------------


def _contact(card: Any, line: int, shown: str, diagnostics: list[Diagnostic]) -> Contact | Skipped:
    """The person a parsed card describes, or why it is skipped."""
    kind = (_first_text(card, "KIND") or _first_text(card, "X-ADDRESSBOOKSERVER-KIND")).casefold()
    if kind in ("group", "org", "location"):
        what = "a contact group" if kind == "group" else f"not a person (KIND {kind})"
        return Skipped(line, what)
    labels = _apple_labels(card)
    emails = _labelled(card, "EMAIL", labels, clean_email)
    phones = _labelled(card, "TEL", labels, clean_phone)
    too_long = oversized(
        {
            "FN": _first_text(card, "FN"),
            "N": _structured_name(card),
            "ORG": _organisation(card),
            "TITLE": _first_text(card, "TITLE"),
            "ROLE": _first_text(card, "ROLE"),
        }
    )
    if too_long is not None:
        diagnostics.append(Diagnostic(shown, line, "error", f"the card: {too_long}"))
        return Skipped(line, "a field is too long")
    name = clean_text(_first_text(card, "FN"), name=True)
    if not name:
        name = clean_text(_structured_name(card), name=True)
    fallback = not name
    if fallback:
        name = fallback_name(emails, phones)
    if not name:
        return Skipped(line, "no name, email or phone")

    def warn(message: str) -> None:
        diagnostics.append(Diagnostic(shown, line, "warning", f"{name}: {message}"))

    return Contact(
        name=name,
        line=line,
        name_is_fallback=fallback,
        emails=emails,
        phones=phones,
        company=clean_text(_organisation(card)) or None,
        role=clean_text(_first_text(card, "TITLE") or _first_text(card, "ROLE")) or None,
        linkedin=_linkedin(card),
        birthday=_birthday(card, warn),
    )


def _children(card: Any, name: str) -> list[Any]:
    return [child for child in card.getChildren() if child.name.upper() == name]


def _first_text(card: Any, name: str) -> str:
    for child in _children(card, name):
        if isinstance(child.value, str) and child.value.strip():
            return str(child.value).strip()
    return ""


def _joined(value: Any) -> str:
    """A structured component (text or a list of texts) as one text."""
    if isinstance(value, list):
        return " ".join(str(v).strip() for v in value if str(v).strip())
    return str(value or "").strip()


def _structured_name(card: Any) -> str:
    """A display name from ``N``: given, additional and family names, then the suffix."""
    for child in _children(card, "N"):
        value = child.value
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(";")]
            parts += [""] * (5 - len(parts))
            family, given, additional, _prefix, suffix = parts[:5]
        else:
            family, given = _joined(value.family), _joined(value.given)
            additional, suffix = _joined(value.additional), _joined(value.suffix)
        text = " ".join(p for p in (given, additional, family) if p)
        if text and suffix:
            text = f"{text} {suffix}"
        if text:
            return text
    return ""


def _organisation(card: Any) -> str:
    """The organisation: the first component of ``ORG`` (the rest are departments)."""
    for child in _children(card, "ORG"):
        value = child.value
        first = value[0] if isinstance(value, list) and value else value
        text = _joined(first)
        if text:
            return text
    return ""


def _apple_labels(card: Any) -> dict[str, str]:
    """Apple's labels by group: ``item1.X-ABLabel:_$!<Other>!$_`` labels ``item1.EMAIL``."""
    labels: dict[str, str] = {}
    for child in _children(card, "X-ABLABEL"):
        if child.group and isinstance(child.value, str):
            text = child.value.strip()
            match = _APPLE_LABEL.fullmatch(text)
            labels[child.group.casefold()] = clean_text(match[1] if match else text)
    return labels


def _types(child: Any) -> list[str]:
    """The TYPE parameter's values, however written (``TYPE=a,b``, ``TYPE="a,b"``, 2.1's
    bare ``;WORK;PREF``)."""
    found: list[str] = []
    for value in [*child.params.get("TYPE", []), *getattr(child, "singletonparams", [])]:
        found += [v.strip().casefold() for v in str(value).split(",") if v.strip()]
    return found


def _preference(child: Any, types: list[str], index: int) -> tuple[int, int]:
    """Sort key: a PREF=n parameter (4.0), then TYPE=pref (3.0, 2.1), then file order."""
    for value in child.params.get("PREF", []):
        if str(value).strip().isdigit():
            return int(str(value).strip()), index
    return (1 if "pref" in types else 101), index


def _labelled(
    card: Any, name: str, apple: dict[str, str], clean: Callable[[str], str | None]
) -> tuple[Labelled, ...]:
    """Every value of a property with its labels, the preferred first; duplicates dropped."""
    found: list[tuple[tuple[int, int], Labelled]] = []
    for index, child in enumerate(_children(card, name)):
        if not isinstance(child.value, str):
            continue
        value = clean(child.value)
        if value is None:
            continue
        types = _types(child)
        labels = [t for t in types if t not in _NOISE_TYPES]
        if child.group and child.group.casefold() in apple:
            labels.append(apple[child.group.casefold()])
        labels = [clean_text(label) for label in dict.fromkeys(labels) if clean_text(label)]
        found.append((_preference(child, types, index), Labelled(value, tuple(labels))))
    found.sort(key=lambda item: item[0])
    seen: set[str] = set()
    result = []
    for _, item in found:
        key = re.sub(r"[^\w@+]", "", item.value.casefold())
        if key not in seen:
            seen.add(key)
            result.append(item)
    return tuple(result)


def _linkedin(card: Any) -> str | None:
    """A LinkedIn profile from ``X-SOCIALPROFILE`` (Apple) or ``URL``."""
    for name in ("X-SOCIALPROFILE", "URL"):
        for child in _children(card, name):
            if isinstance(child.value, str):
                url = clean_linkedin(child.value)
                if url is not None:
                    return url
    return None


def _birthday(card: Any, warn: Callable[[str], None]) -> Birthday | None:
    """``BDAY`` as month and day, with the year only when it is a real one."""
    for child in _children(card, "BDAY"):
        text = str(child.value).strip() if isinstance(child.value, str) else ""
        if not text:
            continue
        match = _BDAY.fullmatch(text)
        if match is None:
            warn(f"birthday {text[:40]!r} is not a date; left out")
            return None
        year = int(match[1]) if match[1] else None
        omit = child.params.get("X-APPLE-OMIT-YEAR", [])
        if year is not None and (year in _NO_YEAR or str(year) in [str(v) for v in omit]):
            year = None
        month, day = int(match[2]), int(match[3])
        try:
            dt.date(2000 if year is None else year, month, day)  # 2000 admits 29 Feb
        except ValueError:
            warn(f"birthday {text[:40]!r} is not a date; left out")
            return None
        return Birthday(month, day, year)
    return None
