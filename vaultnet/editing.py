"""The only code that writes to a user's note: small edits, verified, written atomically.

An edit works on the note's own text, line by line, so everything outside the lines that
must change keeps its exact bytes: comments, key order, quoting, list style, blank lines,
line endings, the BOM and a missing final newline. The edited text is then read back with
the same code that reads notes (``document`` and ``yamldata``), and an edit that would
change anything besides what was asked is refused with an EditError.

The text functions (``set_field``, ``remove_field``, ``add_list_item``, ``add_log_entry``)
are pure. ``edit_note`` adds the file handling: UTF-8 only, a lock shared by vaultnet
processes, a compare-and-swap against editors that save meanwhile, and an atomic replace.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

from . import document, yamldata
from .atomic import default_mode, write_atomic
from .config import DEFAULT_LOG_HEADINGS
from .errors import VaultnetError

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt
else:
    import fcntl

FieldValue = str | int | bool | dt.date | list[str] | None  # what set_field writes

LOCK_NAME: Final = "edit.lock"
LOCK_TIMEOUT: Final = 10.0  # seconds to wait for another vaultnet process's edit
_BOM_BYTES = b"\xef\xbb\xbf"


class EditError(VaultnetError):
    """A note that vaultnet will not edit, or an edit it refused; says why and where."""


@dataclass(frozen=True, slots=True)
class EditResult:
    """The outcome of ``edit_note``: whether the note changed (or would, in a dry run)."""

    path: Path
    changed: bool
    diff: str


# --- lines -------------------------------------------------------------------------------

# str.splitlines() would also break at \v, \f, \x1c-\x1e, \x85, \u2028 and \u2029, which the
# note reader (document.split) keeps inside a line; line numbers must agree with it.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _split_lines(text: str) -> list[str]:
    return _LINE.findall(text)


def _eol(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\n", "\r")):
        return line[-1]
    return ""


def _content(line: str) -> str:
    return line[: len(line) - len(_eol(line))]


def _eol_before(lines: list[str], index: int, default: str) -> str:
    """The line ending of the nearest line before ``index`` that has one."""
    for line in reversed(lines[:index]):
        if _eol(line):
            return _eol(line)
    return default


# --- reading a note for editing ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    """Where a top-level key sits: its key line and the lines of its value."""

    name: str
    start: int  # index of the key line
    end: int  # one past the value's last line; comments and blanks after it are not its own
    colon: int  # column just after the key's colon
    value_col: int | None  # where a value starts on the key line
    comment_col: int | None  # where a trailing comment (with the spaces before it) starts


@dataclass(frozen=True, slots=True)
class _Note:
    lines: tuple[str, ...]  # the text without BOM, each line with its own ending
    bom: bool
    newline: str
    close: int | None  # index of the closing fence; None when there is no front matter
    data: dict[str, Any]
    fields: tuple[_Field, ...]

    @property
    def body_start(self) -> int:
        return 0 if self.close is None else self.close + 1

    def field(self, key: str) -> _Field | None:
        return next((f for f in self.fields if f.name == key), None)

    def body(self) -> str:
        return "".join(self.lines[self.body_start :])

    def head(self) -> str | None:
        """The front matter with its fences; the closing fence's line ending left out."""
        if self.close is None:
            return None
        return "".join(self.lines[: self.close]) + _content(self.lines[self.close])

    def text(self, lines: list[str]) -> str:
        return (document.BOM if self.bom else "") + "".join(lines)


class _Unreadable(Exception):
    def __init__(self, reason: str, line: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def _parse(text: str) -> _Note:
    """Read a note to be edited; EditError when it must not be edited."""
    try:
        return _read_note(text)
    except _Unreadable as exc:
        raise EditError(f"not edited: {exc.reason}", line=exc.line) from None


def _reparse(text: str) -> _Note:
    """Read back an edited text; a failure here means the edit itself went wrong."""
    try:
        return _read_note(text)
    except _Unreadable as exc:
        raise EditError(
            f"not edited: the edited note would not read back ({exc.reason})", line=exc.line
        ) from None


def _read_note(text: str) -> _Note:
    bom = text.startswith(document.BOM)
    if bom:
        text = text[1:]
    lines = tuple(_split_lines(text))
    try:
        doc = document.split(text, bom)
    except document.DocumentError as exc:
        raise _Unreadable(exc.message, exc.line) from None
    if doc.toml_front_matter:
        raise _Unreadable("the note has TOML (+++) front matter; vaultnet edits YAML only", 1)
    if doc.front_matter is None:
        return _Note(lines, bom, doc.newline, None, {}, ())
    try:
        mapping = yamldata.load_mapping(doc.front_matter, frozenset(), doc.front_matter_line)
    except yamldata.YamlError as exc:
        raise _Unreadable(f"the front matter does not parse: {exc.message}", exc.line) from None
    if mapping.duplicates:
        key = mapping.duplicates[0]
        line = next(
            (n for n, msg in mapping.warnings if msg.startswith(f"duplicate key {key!r}")),
            mapping.lines.get(key),
        )
        raise _Unreadable(
            f"the key {key!r} appears more than once in the front matter; keep one", line
        )
    close = doc.body_line - 2
    fields = _scan_fields(lines, close)
    _check_fields(fields, mapping)
    return _Note(lines, bom, doc.newline, close, mapping.data, fields)


def _check_fields(fields: tuple[_Field, ...], mapping: yamldata.Mapping) -> None:
    """Make sure the lines found for each key are the ones YAML found."""
    names = [f.name for f in fields]
    explicit = {name for name in names if name != "<<"}
    # Keys brought in by a << merge have no line of their own.
    agree = len(set(names)) == len(names) and (
        explicit <= mapping.data.keys() if "<<" in names else explicit == mapping.data.keys()
    )
    for f in fields:
        if f.name != "<<" and mapping.lines.get(f.name) != f.start + 1:
            agree = False
    if not agree:
        raise _Unreadable(
            "vaultnet could not match the front matter's keys to its lines; edit it by hand", 2
        )


# --- finding the lines of each top-level key ---------------------------------------------

_PLAIN, _DOUBLE, _SINGLE, _FLOW, _BLOCK = range(5)
_KEY, _CONTENT, _BLANK, _COMMENT = range(4)
_NOT_A_KEY_START = frozenset(",[]{}#&*!|>%@`?")


def _blank_after(s: str, i: int) -> bool:
    return i + 1 >= len(s) or s[i + 1] in " \t"


def _skip_space(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t":
        i += 1
    return i


def _space_start(s: str, i: int, floor: int) -> int:
    """The start of the run of spaces that ends at ``i``."""
    while i > floor and s[i - 1] in " \t":
        i -= 1
    return i


def _quote_end(s: str, i: int, quote: str) -> int:
    """The column after the quote closing a scalar that runs from ``i``; -1 if still open."""
    while i < len(s):
        if quote == '"' and s[i] == "\\":
            i += 2
            continue
        if s[i] == quote:
            if quote == "'" and s.startswith("''", i):
                i += 2
                continue
            return i + 1
        i += 1
    return -1


class _Unsupported(Exception):
    """YAML that parses but is written in a way the line scanner does not follow."""


@dataclass(slots=True)
class _LineInfo:
    kind: int
    key: str = ""
    colon: int = 0
    value_col: int | None = None
    comment_col: int | None = None


class _Scanner:
    """Follows YAML's multi-line constructs far enough to tell which lines start top-level keys.

    It tracks quoted scalars, flow collections and block scalars across lines. What it gets
    wrong cannot turn into a bad edit: its keys and lines are checked against the parser's,
    and every edit is read back.
    """

    def __init__(self) -> None:
        self.mode = _PLAIN
        self.quote = ""  # the quote of an open quoted scalar, in a flow collection or not
        self.depth = 0  # open flow brackets
        self.owner = 0  # block scalar: column of the node that holds it
        self.indent: int | None = None  # block scalar: its content's indentation, once known
        self.last = -1  # flow: see flow()
        self.sep = ""  # flow: see flow()

    def line(self, s: str) -> _LineInfo:
        if self.mode == _BLOCK:
            if not s.strip(" \t"):
                return _LineInfo(_BLANK)
            indent = len(s) - len(s.lstrip(" "))
            if self.indent is None and indent > self.owner:
                self.indent = indent
            if self.indent is not None and indent >= self.indent:
                return _LineInfo(_CONTENT)
            self.mode = _PLAIN
        if self.mode in (_DOUBLE, _SINGLE):
            end = _quote_end(s, 0, self.quote)
            if end >= 0:
                self.mode = _PLAIN
                self.rest(s, end, 0)
            return _LineInfo(_CONTENT)
        if self.mode == _FLOW:
            end = self.flow(s, 0)
            if end >= 0:
                self.mode = _PLAIN
                self.rest(s, end, 0)
            return _LineInfo(_CONTENT)
        stripped = s.lstrip(" \t")
        if not stripped:
            return _LineInfo(_BLANK)
        if stripped[0] == "#":
            return _LineInfo(_COMMENT)
        if s[0] in " \t" or (s[0] == "-" and _blank_after(s, 0)):
            column = len(s) - len(stripped)
            self.rest(s, column, column)
            return _LineInfo(_CONTENT)
        key, colon = _key_token(s)
        comment = self.rest(s, colon, 0)
        value = _skip_space(s, colon)
        value_col = value if value < len(s) and s[value] != "#" else None
        return _LineInfo(_KEY, key, colon, value_col, comment)

    def rest(self, s: str, i: int, owner: int) -> int | None:
        """Scan block-context text from column ``i``; return where a trailing comment starts."""
        while True:
            j = _skip_space(s, i)
            if j >= len(s):
                return None
            c = s[j]
            if c == "#":
                return i if j > i else None
            if c in "-:" and _blank_after(s, j):
                owner, i = (j, j + 1) if c == "-" else (owner, j + 1)
                continue
            if c == "?" and _blank_after(s, j):
                raise _Unsupported("a complex key (?)")
            if c in "&!*":  # an anchor, tag or alias: skip the token
                i = j
                while i < len(s) and s[i] not in " \t":
                    i += 1
                continue
            if c in "|>":
                k = j + 1
                while k < len(s) and s[k] in "+-0123456789":
                    k += 1
                digits = [d for d in s[j + 1 : k] if d.isdigit()]
                self.mode, self.owner = _BLOCK, owner
                self.indent = owner + int(digits[0]) if digits else None
                after = _skip_space(s, k)
                return k if after < len(s) and s[after] == "#" else None
            if c in "\"'":
                end = _quote_end(s, j + 1, c)
                if end < 0:
                    self.mode, self.quote = (_DOUBLE if c == '"' else _SINGLE), c
                    return None
                owner, i = j, end
                continue
            if c in "[{":
                self.mode, self.depth, self.quote = _FLOW, 0, ""
                end = self.flow(s, j)
                if end < 0:
                    return None
                self.mode = _PLAIN
                owner, i = j, end
                continue
            owner = k = j  # a plain scalar, perhaps the key of a compact mapping
            while k < len(s):
                if s[k] == ":" and _blank_after(s, k):
                    break
                if s[k] == "#" and s[k - 1] in " \t":
                    return _space_start(s, k, j)
                k += 1
            else:
                return None
            i = k + 1

    def flow(self, s: str, i: int) -> int:
        """Scan flow-context text; return the column after the outermost close, or -1.

        Also notes the column of the last character that is not space, comment or that
        close (``last``, -1 for none on this line) and the separator after the first item.
        """
        at_node = True  # a quote opens a scalar only where a node starts
        self.last = -1
        while i < len(s):
            c = s[i]
            if self.quote:
                if c == "\\" and self.quote == '"':
                    i += 1
                elif c == self.quote:
                    if c == "'" and s.startswith("''", i):
                        i += 1
                    else:
                        self.quote = ""
            elif c in " \t":
                i += 1
                continue
            elif c == "#" and (i == 0 or s[i - 1] in " \t"):
                return -1
            elif at_node and c in "\"'":
                self.quote = c
            elif c in "[{":
                self.depth += 1
            elif c in "]}":
                self.depth -= 1
                if self.depth == 0:
                    return i + 1
            elif c == "," and self.depth == 1 and not self.sep:
                self.sep = ", " if s[i + 1 : i + 2] in ("", " ") else ","
            after = s[i + 1 : i + 2]
            at_node = c in "[{," or (c == ":" and after in ("", " ", "\t", ",", "]", "}"))
            self.last = i
            i += 1
        return -1


def _key_token(s: str) -> tuple[str, int]:
    """A top-level key line's key (decoded) and the column just after its colon."""
    if s[0] in "\"'":
        end = _quote_end(s, 1, s[0])
        colon = _skip_space(s, end) if end > 0 else len(s)
        if colon < len(s) and s[colon] == ":" and _blank_after(s, colon):
            try:
                decoded = yamldata.load_mapping(s[:end] + ": ~\n")
            except yamldata.YamlError:
                raise _Unsupported("a quoted key") from None
            return next(iter(decoded.data)), colon + 1
        raise _Unsupported("a quoted key")
    if s[0] in _NOT_A_KEY_START:
        raise _Unsupported("a key starting with " + repr(s[0]))
    for k, c in enumerate(s):
        if c == ":" and _blank_after(s, k):
            return s[:k].rstrip(" \t"), k + 1
        if c == "#" and k and s[k - 1] in " \t":
            break
    raise _Unsupported("a line that is not a key")


def _scan_fields(lines: tuple[str, ...], close: int) -> tuple[_Field, ...]:
    scanner = _Scanner()
    fields: list[_Field] = []
    key: _LineInfo | None = None
    start = last = 0
    for index in range(1, close):
        try:
            info = scanner.line(_content(lines[index]))
            if info.kind == _CONTENT and key is None:
                raise _Unsupported("indented text before the first key")
        except _Unsupported as exc:
            raise _Unreadable(
                f"line {index + 1} uses YAML that vaultnet cannot edit safely ({exc}); "
                "edit this note by hand",
                index + 1,
            ) from None
        if info.kind == _KEY:
            if key is not None:
                fields.append(_field(key, start, last))
            key, start, last = info, index, index
        elif info.kind == _CONTENT:
            last = index
    if key is not None:
        fields.append(_field(key, start, last))
    return tuple(fields)


def _field(info: _LineInfo, start: int, last: int) -> _Field:
    return _Field(info.key, start, last + 1, info.colon, info.value_col, info.comment_col)


# --- writing YAML values -----------------------------------------------------------------

# Also quoted: what YAML 1.1 readers (PyYAML, python-frontmatter, older tools) would read
# as something other than text, so that the note means the same in every tool.
_YAML11_WORD = re.compile(r"(?i:yes|no|on|off|true|false|null|~|=|<<|[-+]?\.inf|\.nan)")
_NUMBERISH = re.compile(r"[-+]?\.?[0-9][0-9a-fA-FxXoO_:.+-]*")
_PLAIN_FIRST_BAD = frozenset("-?:,[]{}#&*!|>'\"%@`")


def _needs_escape(c: str) -> bool:
    """Characters that YAML does not allow literally, or reads as line breaks."""
    code = ord(c)
    return (
        code < 0x20
        or 0x7F <= code <= 0x9F
        or c in "\u2028\u2029\ufeff\ufffe\uffff"
        or 0xD800 <= code <= 0xDFFF
    )


def _plain_ok(text: str, flow: bool) -> bool:
    """Whether ``text`` can be written unquoted and still read back as this very string."""
    if not text or text != text.strip() or text[0] in _PLAIN_FIRST_BAD:
        return False
    if any(_needs_escape(c) or c == "\t" for c in text):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and any(c in ",[]{}:#" for c in text):
        return False
    if _YAML11_WORD.fullmatch(text) or _NUMBERISH.fullmatch(text):
        return False
    return isinstance(yamldata.resolve_plain(text), str)


def _double_quoted(text: str) -> str:
    """A YAML double-quoted scalar, escaped like JSON; other non-ASCII stays literal."""
    out = ['"']
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif c in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[c])
        elif _needs_escape(c):
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _scalar(value: object, flow: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        raise TypeError("vaultnet writes dates, not datetimes: pass a datetime.date")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value if _plain_ok(value, flow) else _double_quoted(value)
    raise TypeError(f"cannot write a {type(value).__name__} to front matter")


def _key_text(key: str) -> str:
    return key if _plain_ok(key, flow=False) and ":" not in key else _double_quoted(key)


def _check_key(key: str) -> None:
    if not key or key != key.strip() or any(_needs_escape(c) for c in key):
        raise EditError(f"not edited: {key!r} is not a usable front matter key")


def _checked(value: FieldValue) -> FieldValue:
    """The value as it will read back; TypeError for values vaultnet does not write."""
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, str):
                raise TypeError("list values must be lists of strings")
        return list(value)
    _scalar(value)
    return value


@dataclass(frozen=True, slots=True)
class _ListStyle:
    indent: str = "  "  # Obsidian's own style: two spaces, then "- "
    gap: str = " "

    def item(self, text: str, eol: str) -> str:
        return f"{self.indent}-{self.gap}{text}{eol}"


_ITEM = re.compile(r"( *)-([ \t]+|$)")


def _item_lines(note: _Note, f: _Field) -> list[re.Match[str]]:
    """The items of a block list value, or [] when the value is not one."""
    items: list[re.Match[str]] = []
    indent: str | None = None
    for line in note.lines[f.start + 1 : f.end]:
        text = _content(line)
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        match = _ITEM.match(text)
        if indent is None:
            if match is None or not _only_properties(note, f):
                return []
            indent = match[1]
        if match is not None and match[1] == indent:
            items.append(match)
    return items


def _only_properties(note: _Note, f: _Field) -> bool:
    """Whether the key line holds no value of its own, at most an anchor or a tag."""
    if f.value_col is None:
        return True
    tokens = _content(note.lines[f.start])[f.value_col : f.comment_col].split()
    return all(token[0] in "&!" for token in tokens)


def _list_style(note: _Note, f: _Field | None) -> _ListStyle:
    """Copy the style of the field's own list, else of the note's first list."""
    for candidate in ([f] if f is not None else []) + list(note.fields):
        items = _item_lines(note, candidate)
        if items:
            return _ListStyle(items[-1][1], items[-1][2] or " ")
    return _ListStyle()


def _value_lines(
    prefix: str,
    value: FieldValue,
    style: _ListStyle,
    eol: str,
    *,
    gap: str = " ",
    comment: str = "",
    flow_sep: str | None = None,
) -> list[str]:
    """The lines of ``prefix`` (a key and its colon) followed by a value."""
    if isinstance(value, list):
        if flow_sep is not None or not value:
            items = (flow_sep or ", ").join(_scalar(item, flow=True) for item in value)
            return [f"{prefix}{gap}[{items}]{comment}{eol}"]
        return [f"{prefix}{comment}{eol}", *(style.item(_scalar(item), eol) for item in value)]
    return [f"{prefix}{gap}{_scalar(value)}{comment}{eol}"]


# --- checking an edit --------------------------------------------------------------------

_ABSENT: Final = object()


def _same(a: object, b: object) -> bool:
    """Equal as read from YAML: same types, NaN equal to itself."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return type(a) is type(b) and bool(a == b)


def _verify(old: _Note, new_text: str, keys: frozenset[str] | None, body_change: bool) -> _Note:
    """Read the edited text back and refuse changes beyond ``keys`` (None: no front matter)."""
    new = _reparse(new_text)
    if new.bom != old.bom:
        raise EditError("not edited: the edit would add or remove the byte order mark")
    if not body_change and new.body() != old.body():
        raise EditError("not edited: the edit would change the note below its front matter")
    if keys is None:
        if new.head() != old.head() or not _same(new.data, old.data):
            raise EditError("not edited: the edit would change the front matter")
        return new
    changed = sorted(
        k
        for k in old.data.keys() | new.data.keys()
        if not _same(old.data.get(k, _ABSENT), new.data.get(k, _ABSENT))
    )
    extra = [k for k in changed if k not in keys]
    if extra:
        raise EditError(f"not edited: the edit would also change {', '.join(map(repr, extra))}")
    return new


def _verified(old: _Note, new_text: str, key: str, expected: object) -> str:
    new = _verify(old, new_text, frozenset({key}), body_change=False)
    got = new.data.get(key, _ABSENT)
    if not _same(got, expected):
        shown = "nothing" if got is _ABSENT else repr(got)
        raise EditError(f"not edited: {key!r} would read back as {shown}, not {expected!r}")
    return new_text


# --- front matter edits ------------------------------------------------------------------


def set_field(text: str, key: str, value: FieldValue) -> str:
    """Set a front matter key, changing only its own lines; ``None`` removes it.

    An existing key keeps its place, its spelling and a trailing comment; a new key becomes
    the last front matter line; a note without front matter gets a block at the top.
    Raises EditError for notes that must not be edited or edits that do not read back.
    """
    _check_key(key)
    if value is None:
        return remove_field(text, key)
    expected = _checked(value)
    note = _parse(text)
    if _same(note.data.get(key, _ABSENT), expected):
        return text
    lines = list(note.lines)
    f = note.field(key)
    if note.close is None:
        nl = note.newline
        block = _value_lines(f"{_key_text(key)}:", value, _ListStyle(), nl)
        new_lines = ["---" + nl, *block, "---" + nl, *lines]
    elif f is None:
        eol = _eol(lines[note.close - 1])
        block = _value_lines(f"{_key_text(key)}:", value, _list_style(note, None), eol)
        new_lines = lines[: note.close] + block + lines[note.close :]
    else:
        new_lines = lines[: f.start] + _replacement(note, f, value) + lines[f.end :]
    return _verified(note, note.text(new_lines), key, expected)


def _replacement(note: _Note, f: _Field, value: FieldValue) -> list[str]:
    """New lines for an existing key, keeping its key text, spacing and trailing comment."""
    line = note.lines[f.start]
    text = _content(line)
    gap = text[f.colon : f.value_col] if f.value_col is not None else " "
    comment = text[f.comment_col :] if f.comment_col is not None else ""
    flow_sep = None
    if f.value_col is not None and text[f.value_col] == "[" and f.end == f.start + 1:
        value_text = text[f.value_col : f.comment_col]
        flow_sep = "," if "," in value_text and ", " not in value_text else ", "
    return _value_lines(
        text[: f.colon],
        value,
        _list_style(note, f),
        _eol(line),
        gap=gap or " ",
        comment=comment,
        flow_sep=flow_sep,
    )


def remove_field(text: str, key: str) -> str:
    """Remove a front matter key: its lines and the indented comments under it.

    Comments and blank lines above it and before the next key stay.
    """
    _check_key(key)
    note = _parse(text)
    f = note.field(key)
    if f is None:
        if key in note.data:
            raise EditError(f"not edited: {key!r} comes from a YAML merge (<<); edit it by hand")
        return text
    lines = list(note.lines)
    end = _end_with_comments(note, f)
    return _verified(note, note.text(lines[: f.start] + lines[end:]), key, _ABSENT)


def _end_with_comments(note: _Note, f: _Field) -> int:
    """One past the field and the indented comments under it.

    Those comments go with the key: left behind, they could become text of a block scalar
    (``|``) above it.
    """
    end = f.end
    following = (g.start for g in note.fields if g.start > f.start)
    stop = next(following, f.end if note.close is None else note.close)
    for index in range(f.end, stop):
        text = _content(note.lines[index])
        if text[:1] in (" ", "\t") and text.lstrip(" \t").startswith("#"):
            end = index + 1
        elif text.strip(" \t"):
            break
    return end


def add_list_item(text: str, key: str, item: str) -> str:
    """Append ``item`` to a list value, keeping its block or flow style.

    A missing or empty key becomes a one-item list; a single value becomes a list of it and
    ``item``. An item already in the list leaves the note unchanged.
    """
    _check_key(key)
    if not isinstance(item, str):
        raise TypeError("list items must be strings")
    note = _parse(text)
    old = note.data.get(key, _ABSENT)
    f = note.field(key)
    if old is _ABSENT or f is None:
        if old is not _ABSENT:
            raise EditError(f"not edited: {key!r} comes from a YAML merge (<<); edit it by hand")
        return set_field(text, key, [item])
    lines = list(note.lines)
    if old is None or old == "":
        expected: list[Any] = [item]
        lines[f.start : f.end] = _replacement(note, f, [item])
    elif isinstance(old, list):
        if any(_same(existing, item) for existing in old):
            return text
        expected = [*old, item]
        _append_item(note, f, item, lines)
    elif isinstance(old, dict):
        raise EditError(f"not edited: {key!r} holds keys and values, not a list", line=f.start + 1)
    else:
        if _same(old, item):
            return text
        expected = [old, item]
        key_line = _content(lines[f.start])
        comment = key_line[f.comment_col :] if f.comment_col is not None else ""
        style, eol = _list_style(note, f), _eol(lines[f.start])
        lines[f.start : f.end] = [
            f"{key_line[: f.colon]}{comment}{eol}",
            style.item(_scalar_source(note, f, old), eol),
            style.item(_scalar(item), eol),
        ]
    return _verified(note, note.text(lines), key, expected)


def _scalar_source(note: _Note, f: _Field, value: object) -> str:
    """A single value as a list item: its own text when on one line, else written anew."""
    text = _content(note.lines[f.start])
    if f.value_col is not None and f.end == f.start + 1 and text[f.value_col] not in "&!*|>":
        return text[f.value_col : f.comment_col].rstrip(" \t")
    try:
        return _scalar(value)
    except TypeError:
        raise EditError(
            f"not edited: cannot turn the value of {f.name!r} into a list; edit it by hand",
            line=f.start + 1,
        ) from None


def _append_item(note: _Note, f: _Field, item: str, lines: list[str]) -> None:
    items = _item_lines(note, f)
    if items:
        last = lines[f.end - 1]
        style = _ListStyle(items[-1][1], items[-1][2] or " ")
        lines.insert(f.end, style.item(_scalar(item), _eol(last)))
        return
    opening = _flow_opening(note, f)
    if opening is None:
        value = note.data[f.name]
        if not all(isinstance(v, str) for v in value):
            raise EditError(
                f"not edited: vaultnet cannot add to the list in {f.name!r}; edit it by hand",
                line=f.start + 1,
            )
        lines[f.start : f.end] = _replacement(note, f, [*value, item])
        return
    row, col, sep = _flow_insertion(note, *opening)
    text = _content(lines[row])
    before = text[col - 1]
    addition = _scalar(item, flow=True)
    if before == ",":
        addition = " " + addition
    elif before != "[":
        addition = sep + addition
    lines[row] = text[:col] + addition + text[col:] + _eol(lines[row])


def _flow_opening(note: _Note, f: _Field) -> tuple[int, int] | None:
    """Line and column of the ``[`` that opens a flow list value, if the value is one."""
    if f.value_col is not None:
        return (f.start, f.value_col) if note.lines[f.start][f.value_col] == "[" else None
    for row in range(f.start + 1, f.end):
        text = _content(note.lines[row])
        stripped = text.lstrip(" \t")
        if stripped and not stripped.startswith("#"):
            return (row, len(text) - len(stripped)) if stripped[0] == "[" else None
    return None


def _flow_insertion(note: _Note, row: int, col: int) -> tuple[int, int, str]:
    """Where a new item goes in the flow list opening at (row, col): just after its last
    item (or just after the ``[`` when empty), and the separator the list uses."""
    scanner = _Scanner()
    scanner.mode = _FLOW
    last = (row, col + 1)
    stop = len(note.lines) if note.close is None else note.close
    for index in range(row, stop):
        end = scanner.flow(_content(note.lines[index]), col if index == row else 0)
        if scanner.last >= 0:
            last = (index, scanner.last + 1)
        if end >= 0:
            return last[0], last[1], scanner.sep or ", "
    raise EditError("not edited: the flow list does not close", line=row + 1)  # pragma: no cover


# --- log entries -------------------------------------------------------------------------

_ENTRY = re.compile(
    r"([-*+][ \t]+)(?:\[.\][ \t]+)?"
    r"(?:\[\[(\d{4}-\d{2}-\d{2})(?:\|[^\]]*)?\]\]|(\d{4}-\d{2}-\d{2}))(?!\d)"
)
_BULLET = re.compile(r"[-*+][ \t]")
_BLOCK_START = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|[#>|`~]")


@dataclass(frozen=True, slots=True)
class _Entry:
    date: dt.date
    start: int
    end: int  # one past its last line (indented or lazy continuation lines included)
    prefix: str  # the bullet and the spaces after it
    linked: bool  # the date is written as a daily-note link


def add_log_entry(
    text: str,
    entry_date: dt.date,
    line_text: str,
    headings: tuple[str, ...] = DEFAULT_LOG_HEADINGS,
) -> str:
    """Add ``- YYYY-MM-DD line_text`` to the note's log, keeping its entries in date order.

    The log is the first heading named one of ``headings`` (any level, any case), up to the
    next heading of the same or a higher level. The entry goes after the last entry dated on
    or before ``entry_date`` (first, if there is none; newest-first logs stay newest first),
    with the bullet and date style of the entry next to it. Without such a heading, a
    ``## Log`` section is added at the end. The front matter is left exactly as it is.
    """
    if "\n" in line_text or "\r" in line_text:
        raise EditError("not edited: a log entry must be a single line")
    line_text = line_text.strip()
    note = _parse(text)
    lines = list(note.lines)
    fenced, open_fence = _fenced(lines, note.body_start)
    iso = dt.date(entry_date.year, entry_date.month, entry_date.day).isoformat()
    section = _log_section(lines, note.body_start, fenced, headings)
    if section is None:
        if open_fence:
            raise EditError("not edited: the note ends inside a code block that is never closed")
        heading = "## " + (headings[0] if headings else "Log")
        _append_section(lines, heading, f"- {iso} {line_text}".rstrip(), note.newline)
    else:
        entries = _entries(lines, section, fenced)
        position, neighbour = _entry_position(entries, entry_date)
        if neighbour is None:
            position = _section_end(lines, section)
            entry = f"{_section_bullet(lines, section, fenced)} {iso} {line_text}"
        else:
            written = f"[[{iso}]]" if neighbour.linked else iso
            entry = f"{neighbour.prefix}{written} {line_text}"
        if open_fence:
            # After the fence that is never closed, the entry would be code, never read.
            opened = max(
                i for i in range(note.body_start, len(lines)) if document.CODE_FENCE.match(lines[i])
            )
            if position > opened:
                raise EditError("not edited: the log ends inside a code block that is never closed")
        _insert(lines, position, entry.rstrip(), note.newline)
    new_text = note.text(lines)
    _verify(note, new_text, None, body_change=True)
    return new_text


def _fenced(lines: list[str], start: int) -> tuple[list[bool], bool]:
    """Which lines are code (fences included), and whether a code block is left open."""
    inside = False
    flags = [False] * len(lines)
    for index in range(start, len(lines)):
        if document.CODE_FENCE.match(lines[index]):
            inside = not inside
            flags[index] = True
        else:
            flags[index] = inside
    return flags, inside


def _log_section(
    lines: list[str], start: int, fenced: list[bool], headings: tuple[str, ...]
) -> tuple[int, int] | None:
    """The line of the first log heading and the end of its section."""
    wanted = {h.casefold() for h in headings}
    found: tuple[int, int] | None = None  # heading line, level
    for index in range(start, len(lines)):
        text = _content(lines[index])
        if fenced[index] or not text.startswith("#"):
            continue
        heading = document.HEADING.fullmatch(text)
        if heading is None:
            continue
        level = len(heading[1])
        if found is None:
            if heading[2].casefold() in wanted:
                found = (index, level)
        elif level <= found[1]:
            return found[0], index
    return None if found is None else (found[0], len(lines))


def _entries(lines: list[str], section: tuple[int, int], fenced: list[bool]) -> list[_Entry]:
    entries = []
    index, stop = section[0] + 1, section[1]
    while index < stop:
        match = None if fenced[index] else _ENTRY.match(lines[index])
        date = _date(match[2] or match[3]) if match else None
        if match is None or date is None:
            index += 1
            continue
        end = _item_end(lines, index, stop)
        entries.append(_Entry(date, index, end, match[1], match[2] is not None))
        index = end
    return entries


def _date(iso: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(iso)
    except ValueError:
        return None


def _item_end(lines: list[str], index: int, stop: int) -> int:
    """One past the last line of the list item starting at ``index``."""
    end = index + 1
    while end < stop:
        text = _content(lines[end])
        if not text.strip():
            after = next((k for k in range(end, stop) if _content(lines[k]).strip()), stop)
            if after < stop and lines[after][0] in " \t":
                end = after + 1  # a blank line inside the item: indented text follows
                continue
            break
        if text[0] not in " \t" and _BLOCK_START.match(text):
            break
        end += 1
    return end


def _entry_position(entries: list[_Entry], when: dt.date) -> tuple[int, _Entry | None]:
    """Where a new entry goes among the section's entries, and the entry it copies."""
    if not entries:
        return 0, None
    dates = [e.date for e in entries]
    if dates[0] > dates[-1] and all(a >= b for a, b in pairwise(dates)):
        # Newest first: before the first entry on or before the date.
        later = next((e for e in entries if e.date <= when), None)
        return (later.start, later) if later else (entries[-1].end, entries[-1])
    earlier = [e for e in entries if e.date <= when]
    return (earlier[-1].end, earlier[-1]) if earlier else (entries[0].start, entries[0])


def _section_end(lines: list[str], section: tuple[int, int]) -> int:
    """Just after the section's last line that is not blank (just after the heading if none)."""
    heading, stop = section
    end = heading + 1
    for index in range(heading + 1, stop):
        if _content(lines[index]).strip():
            end = index + 1
    return end


def _section_bullet(lines: list[str], section: tuple[int, int], fenced: list[bool]) -> str:
    """The bullet the section's lists use, or ``-``."""
    for index in range(section[0] + 1, section[1]):
        if not fenced[index] and _BULLET.match(lines[index]):
            return lines[index][0]
    return "-"


def _insert(lines: list[str], position: int, text: str, default_eol: str) -> None:
    """Insert a line, with the line ending of the line before it.

    After a last line that has no line ending, that line gets one and the new line goes
    without, so that the note still ends without a final newline.
    """
    eol = _eol_before(lines, position, default_eol)
    if position == len(lines) and lines and not _eol(lines[-1]):
        lines[-1] += eol
        lines.append(text)
    else:
        lines.insert(position, text + eol)


def _append_section(lines: list[str], heading: str, entry: str, default_eol: str) -> None:
    """Add a heading and an entry at the end, after a blank line when the text has none."""
    eol = _eol_before(lines, len(lines), default_eol)
    if lines and _content(lines[-1]).strip():
        _insert(lines, len(lines), "", eol)
    _insert(lines, len(lines), heading, eol)
    _insert(lines, len(lines), entry, eol)


# --- files -------------------------------------------------------------------------------


def diff(old: str, new: str, path: str) -> str:
    """A unified diff of an edit, the way ``git diff`` shows it (for ``--dry-run``)."""
    rows = []
    lines = difflib.unified_diff(_split_lines(old), _split_lines(new), f"a/{path}", f"b/{path}")
    for number, row in enumerate(lines):
        if number < 2 or row.startswith("@@"):
            rows.append(row.rstrip("\n"))
            continue
        rows.append(row[0] + _content(row[1:]))
        if not _eol(row):
            rows.append("\\ No newline at end of file")
    return "".join(row + "\n" for row in rows)


def edit_note(
    path: Path,
    transform: Callable[[str], str],
    *,
    expect_keys: frozenset[str] | None,
    body_change: bool,
    dry_run: bool = False,
    lock_dir: Path | None = None,
) -> EditResult:
    """Apply ``transform`` (text to text) to the note at ``path`` and save it safely.

    The result is read back and refused unless only the front matter keys in
    ``expect_keys`` changed (None: the front matter must stay exactly as it is) and, unless
    ``body_change``, the body is unchanged. The note is replaced atomically, keeping its
    permissions, BOM and UTF-8 encoding, and only if its bytes are still those that were
    read: if not, the edit is made once more on the new bytes before giving up. With
    ``lock_dir``, vaultnet processes take turns through a lock file there. A dry run writes
    nothing and reports the diff.
    """
    locked = _locked(lock_dir) if lock_dir is not None and not dry_run else None
    with locked or contextlib.nullcontext():
        for _attempt in range(2):
            before = _read(path)
            text, bom = _decode(before, path)
            try:
                new_text = transform(text)
                if new_text != text:
                    _verify(_parse(text), new_text, expect_keys, body_change)
            except EditError as exc:
                exc.path = exc.path or str(path)
                raise
            if new_text == text:
                return EditResult(path, False, "")
            shown = diff(text, new_text, str(path))
            if dry_run:
                return EditResult(path, True, shown)
            try:
                data = (_BOM_BYTES if bom else b"") + new_text.encode("utf-8")
            except UnicodeEncodeError:
                raise EditError(
                    "not edited: the new text has characters that cannot be saved as UTF-8",
                    str(path),
                ) from None
            # An editor or a sync tool may have saved the note since it was read; replacing it
            # now would silently throw that away.
            if _read(path) != before:
                continue
            _replace(path, data)
            return EditResult(path, True, shown)
    raise EditError("not edited: the note changed on disk while editing; try again", str(path))


def _read(path: Path) -> bytes:
    try:
        if path.is_symlink():
            raise EditError(
                "not edited: the note is a symbolic link; vaultnet does not edit through links",
                str(path),
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise EditError("not edited: there is no such note", str(path)) from None
    except OSError as exc:
        raise EditError(f"not edited: cannot read the note ({exc.strerror})", str(path)) from None


def _decode(data: bytes, path: Path) -> tuple[str, bool]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise EditError(
            "not edited: the note is saved as UTF-16; vaultnet edits UTF-8 notes only "
            "(save it as UTF-8 first)",
            str(path),
        )
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise EditError("not edited: the note contains a NUL byte; is it text?", str(path), line)
    try:
        return document.decode(data)
    except document.DocumentError as exc:
        raise EditError(f"not edited: {exc.message}", str(path), exc.line) from None


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``."""
    try:
        mode = os.stat(path)
        if mode.st_nlink > 1:
            raise EditError(
                "not edited: the note has other hard links, which replacing it would split off",
                str(path),
            )
        write_atomic(path, data, stat.S_IMODE(mode.st_mode))
    except OSError as exc:
        raise EditError(f"not edited: cannot write the note ({exc.strerror})", str(path)) from exc


@contextlib.contextmanager
def _locked(lock_dir: Path) -> Iterator[None]:
    """Hold the exclusive edit lock in ``lock_dir`` (created if missing)."""
    lock_path = lock_dir / LOCK_NAME
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise EditError(f"cannot open the edit lock ({exc.strerror})", str(lock_path)) from exc
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise EditError(
                    f"not edited: another vaultnet process held the edit lock for "
                    f"{LOCK_TIMEOUT:g} seconds; try again",
                    str(lock_path),
                )
            time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def create_note(path: Path, text: str) -> None:
    """Create a new note atomically; never replaces a file (EditError when one exists).

    The text is checked first: it must read back as a note with front matter.
    """
    try:
        _read_note(text)
    except EditError as exc:
        raise EditError(f"not created: {exc.message}", str(path)) from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode("utf-8"), default_mode(), exclusive=True)
    except FileExistsError:
        raise EditError("not created: a file of that name already exists", str(path)) from None
    except OSError as exc:
        raise EditError(f"not created: {exc.strerror}", str(path)) from exc
