"""The shape of a note file: encoding, BOM, line endings, the front matter block and the body.

Front matter is recognised the way Obsidian recognises properties: the very first line is
exactly ``---`` (trailing spaces allowed) and a later line that is exactly ``---`` closes it.
Leading blank lines, ``----`` fences and ``...`` terminators do not make front matter.

``Document`` is a named tuple, not a dataclass: a class made at import in a fifth of the
time (docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import re
from typing import NamedTuple

BOM = "\ufeff"
_FENCE = re.compile(r"---[ \t]*")
_KEY_LINE = re.compile(r"[^\s#:\-][^:]*:(\s|$)")
# The body's structure, shared by the reader and the editor so that a log entry is written
# exactly where it will be read.
HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*")
CODE_FENCE = re.compile(r"[ \t]*(```|~~~)")


class DocumentError(Exception):
    """A note whose bytes or front matter block cannot be read; ``line`` is 1-based."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class Document(NamedTuple):
    """A note split into its parts; ``front_matter`` is None when the note has none.

    Line numbers are 1-based lines of the file. The text is normalised to ``\\n`` line
    endings; ``newline`` records what the file used (the first line ending found).
    """

    front_matter: str | None
    front_matter_line: int  # line of the first front matter line (after the opening fence)
    body: str
    body_line: int  # line of the first body line
    bom: bool
    newline: str
    toml_front_matter: bool = False


def decode(data: bytes) -> tuple[str, bool]:
    """Decode a note's bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM.

    Returns the text without BOM and whether a BOM was present. Raises DocumentError for
    bytes that are neither, naming the offset of the first bad byte.
    """
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16"), True
        except UnicodeDecodeError as exc:
            raise DocumentError(f"not valid UTF-16: {exc.reason} at byte {exc.start}") from None
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DocumentError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8",
            line,
        ) from None
    return text, bom


def detect_newline(text: str) -> str:
    """The line ending a text uses first: ``\\r\\n``, ``\\r`` or ``\\n`` (the default)."""
    index = text.find("\n")
    cr = text.find("\r")
    if cr != -1 and (index == -1 or cr < index):
        return "\r\n" if text.startswith("\r\n", cr) else "\r"
    return "\n"


def split(text: str, bom: bool = False) -> Document:
    """Split decoded text into front matter and body. Raises DocumentError when malformed."""
    newline = detect_newline(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith(BOM):
        text = text[1:]
        bom = True
    first_end = text.find("\n")
    first = text if first_end == -1 else text[:first_end]
    if first.rstrip() == "+++":
        return Document(None, 1, text, 1, bom, newline, toml_front_matter=True)
    if not _FENCE.fullmatch(first):
        return Document(None, 1, text, 1, bom, newline)
    if first_end == -1:
        return Document(None, 1, text, 1, bom, newline)
    start = first_end + 1
    pos = _closing_fence(text, first_end)
    if pos >= 0:
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        body_line = 3 + text.count("\n", start, pos)
        return Document(text[start:pos], 2, text[end + 1 :], body_line, bom, newline)
    rest = text[start:]
    second = rest.split("\n", 1)[0]
    if _KEY_LINE.match(second):
        raise DocumentError(
            "malformed front matter: it opens with --- on line 1 but no --- line closes it", 1
        )
    # A lone horizontal rule at the top of a note, not front matter.
    return Document(None, 1, text, 1, bom, newline)


def _closing_fence(text: str, newline: int) -> int:
    """Where the first line after ``newline`` (an index of ``\\n``) that is a fence starts,
    or -1: a search for ``\\n---``, quicker than trying a pattern at every line."""
    while (found := text.find("\n---", newline)) >= 0:
        start = found + 1
        end = text.find("\n", start)
        if _FENCE.fullmatch(text, start, len(text) if end < 0 else end):
            return start
        newline = start
    return -1
