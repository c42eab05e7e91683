"""Writing front matter values: set, remove and add to list values, each edit verified.

The text functions are pure: text in, text out. Each edit changes only the lines of its
own key, writes values so that they read back as the very value asked for (in YAML 1.2 and
1.1 readers alike), and reads the result back with the code that reads notes; an edit that
would change anything else is refused with an EditError.

``_ListStyle`` is a named tuple, not a dataclass: a class made at import in a fifth of the time
(docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final, NamedTuple

from vaultnet.edit.scanner import (
    _FLOW,
    EditError,
    _content,
    _eol,
    _Field,
    _Note,
    _parse,
    _reparse,
    _Scanner,
)
from vaultnet.source import yamldata

FieldValue = str | int | bool | dt.date | list[str] | None  # what set_field writes


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


class _ListStyle(NamedTuple):
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


def add_mapping_item(text: str, key: str, item: dict[str, str]) -> str:
    """Append ``item`` (keys and text values) to a block list of mappings, written in flow
    style: ``  - {company: Acme, role: Engineer}``. A missing key becomes a one-item list.

    Only a missing key or a block list is added to (EditError otherwise: a flow list or a
    single value is edited by hand). An item already in the list leaves the note unchanged.
    """
    _check_key(key)
    for name, value in item.items():
        _check_key(name)
        if not isinstance(value, str):
            raise TypeError("mapping values must be strings")
    note = _parse(text)
    old = note.data.get(key, _ABSENT)
    f = note.field(key)
    written = "{" + ", ".join(f"{_key_text(k)}: {_scalar(v, flow=True)}" for k, v in item.items())
    written += "}"
    lines = list(note.lines)
    if old is _ABSENT and f is None and note.close is not None:
        eol = _eol(lines[note.close - 1]) if note.close > 0 else note.newline
        style = _list_style(note, None)
        lines[note.close : note.close] = [f"{_key_text(key)}:{eol}", style.item(written, eol)]
        expected: list[Any] = [dict(item)]
    elif isinstance(old, list) and f is not None and _item_lines(note, f):
        if any(_same(existing, item) for existing in old):
            return text
        items = _item_lines(note, f)
        style = _ListStyle(items[-1][1], items[-1][2] or " ")
        lines.insert(f.end, style.item(written, _eol(lines[f.end - 1])))
        expected = [*old, dict(item)]
    else:
        line = None if f is None else f.start + 1
        raise EditError(f"not edited: vaultnet adds to {key!r} only as a block list", line=line)
    return _verified(note, note.text(lines), key, expected)
