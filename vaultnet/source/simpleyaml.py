"""A fast reader for the plain front matter most notes have, or None to use full YAML.

Most person notes hold only ``key: value`` lines, flow lists of simple items and block
lists. Reading those line by line is several times faster than composing YAML nodes, and
parsing is most of a cold build. Anything outside that small grammar (nesting, comments
after values, escapes, anchors, tags, multi-line scalars...) returns None, and the full
YAML reader takes over, so the two always agree (a property test checks it).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from vaultnet.source.yamlcore import NULL_WORDS, Mapping, resolve_plain

_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_\-]*):(?:[ \t]+(.*?))?[ \t]*")
_ITEM = re.compile(r"( *)-(?:[ \t]+(.*?))?[ \t]*")
# What a plain scalar may start with here: no indicator; outside ASCII, a letter or another
# word character that is not a digit (``Ōkami KK``): none of them is special to YAML.
_FIRST = r"(?:[A-Za-z0-9+(.$~/_]|[^\x00-\x7f\W\d_])"
# A plain scalar this reader accepts: no indicator first, no comment, no ": ", no flow chars.
_PLAIN = re.compile(_FIRST + r"[^#:\[\]{}`\t]*(?::[^ \t#\[\]{}`][^#:\[\]{}`\t]*)*")
_QUOTED = re.compile(r"\"([^\"\\]*)\"|'([^']*)'")
_FLOW_ITEM = re.compile(
    r"[ \t]*(?:\"([^\"\\,]*)\"|'([^',]*)'|(" + _FIRST + r"[^#:\[\]{}\"'`,\t]*?))[ \t]*"
)
# The commonest line, "key: plain text" without ':' or '#' in the text, read in one step.
_SIMPLE_LINE = re.compile(
    r"([A-Za-z_][A-Za-z0-9_\-]*):[ \t]+(" + _FIRST + r"(?:[^#:\[\]{}`\t]*[^#:\[\]{}`\t ])?)[ \t]*"
)
# Characters YAML does not read as text: controls it refuses, and the line breaks of YAML
# 1.1 that PyYAML still honours (NEL, LS, PS). Front matter holding one is the full reader's.
_SPECIAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _scalar(text: str | None, as_text: bool) -> tuple[bool, Any]:
    """(ok, value) for a scalar in block context."""
    if text is None or text == "":
        return True, None
    if " #" in text:
        text = text[: text.index(" #")].rstrip()
        if not text:
            return False, None  # the whole value is a comment: the full reader warns
    first = text[0]
    if first in "\"'":
        match = _QUOTED.fullmatch(text)
        if match is None:
            return False, None
        return True, match[1] if match[1] is not None else match[2]
    if first == "[":
        return _flow_list(text, as_text)
    if not _PLAIN.fullmatch(text) or text.endswith(":"):
        return False, None
    if as_text:
        return True, None if text in NULL_WORDS else text
    return True, resolve_plain(text)


def _flow_list(text: str, as_text: bool) -> tuple[bool, Any]:
    if not text.endswith("]"):
        return False, None
    inner = text[1:-1]
    if not inner.strip(" \t"):  # only spaces and tabs are white space to YAML
        return True, []
    items: list[Any] = []
    for part in inner.split(","):
        match = _FLOW_ITEM.fullmatch(part)
        if match is None:
            return False, None
        if match[1] is not None:
            items.append(match[1])
        elif match[2] is not None:
            items.append(match[2])
        else:
            plain = match[3]
            if plain.endswith(":"):
                return False, None
            if as_text:
                items.append(None if plain in NULL_WORDS else plain)
            else:
                items.append(resolve_plain(plain))
    return True, items


def _mapping_item(
    lines: list[str], index: int, first: re.Match[str], indent: int, as_text: bool
) -> tuple[int, dict[str, Any] | None]:
    entry: dict[str, Any] = {}
    pair: re.Match[str] | None = first
    prefix = " " * indent
    while pair is not None:
        key = sys.intern(pair[1])
        ok, value = _scalar(pair[2], as_text)
        if not ok or key in entry or (value is None and pair[2] is None):
            return index, None
        entry[key] = value
        if index >= len(lines) or not lines[index].startswith(prefix):
            break
        rest = lines[index][indent:]
        if rest[:1] in (" ", "\t"):
            return index, None
        pair = _KEY_LINE.fullmatch(rest)
        if pair is None:
            return index, None
        index += 1
    return index, entry


def fast_load(text: str, text_keys: frozenset[str], first_line: int) -> Mapping | None:
    """Read simple front matter, or None when it needs the full YAML reader."""
    if _SPECIAL.search(text):
        return None
    result = Mapping()
    data = result.data
    folded: set[str] = set()
    lines = text.split("\n")
    count = len(lines)
    index = 0
    while index < count:
        line = lines[index]
        if not line.strip(" "):  # a tab or other space alone on a line is a YAML error
            index += 1
            continue
        match = _SIMPLE_LINE.fullmatch(line) or _KEY_LINE.fullmatch(line)
        if match is None:
            return None
        # Interned: thousands of notes repeat a few dozen keys, and a build holds them all.
        key, value_text = sys.intern(match[1]), match[2]
        lower = key.lower()
        if key in data or key == "<<" or lower in folded:
            return None  # duplicates, merges, keys differing by case: the full reader warns
        folded.add(lower)
        as_text = key in text_keys
        result.lines[key] = first_line + index
        index += 1
        if match.re is _SIMPLE_LINE:  # plain text, as _scalar would read it
            if as_text:
                data[key] = None if value_text in NULL_WORDS else value_text
            else:
                data[key] = resolve_plain(value_text)
            continue
        if value_text:
            ok, value = _scalar(value_text, as_text)
            if not ok:
                return None
            data[key] = value
            continue
        # An empty value, or a block list on the following lines.
        items: list[Any] = []
        indent: str | None = None
        while index < count:
            item = _ITEM.fullmatch(lines[index])
            if item is None:
                break
            if indent is None:
                indent = item[1]
            elif item[1] != indent:
                return None
            item_text = item[2]
            index += 1
            if item_text and item_text[0] == "[":
                return None  # a nested list
            pair = _KEY_LINE.fullmatch(item_text) if item_text else None
            if pair is not None:
                # A list of simple mappings (history entries): "- company: X" + "  role: Y".
                index, entry = _mapping_item(lines, index, pair, len(item[1]) + 2, as_text)
                if entry is None:
                    return None
                items.append(entry)
                continue
            ok, value = _scalar(item_text, as_text)
            if not ok:
                return None
            items.append(value)
        if indent is None:
            if index < count and lines[index][:1] in (" ", "\t"):
                return None  # a nested mapping or a multi-line scalar
            data[key] = None
        else:
            data[key] = items
    return result
