"""Reading a note for editing: its lines, its front matter, and where each top-level key sits.

The note editor changes a note line by line, so it must know which lines hold which
front matter key. ``_Scanner`` follows YAML's multi-line constructs just far enough to tell,
and its answer is checked against the YAML parser's own line numbers before any edit.

``_Field`` and ``_Note`` are named tuples, not dataclasses: a class made at import in a fifth
of the time (docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from vaultnet.errors import VaultnetError
from vaultnet.source import document, yamldata


class EditError(VaultnetError):
    """A note that vaultnet will not edit, or an edit it refused; says why and where."""


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


class _Field(NamedTuple):
    """Where a top-level key sits: its key line and the lines of its value."""

    name: str
    start: int  # index of the key line
    end: int  # one past the value's last line; comments and blanks after it are not its own
    colon: int  # column just after the key's colon
    value_col: int | None  # where a value starts on the key line
    comment_col: int | None  # where a trailing comment (with the spaces before it) starts


class _Note(NamedTuple):
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
