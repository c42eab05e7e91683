"""JSON as vaultnet prints it: one person, diagnostic or route per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

# One encoder for every value: json.dumps with an argument makes a new one each call,
# and a digest of a large vault makes a call per value.
_encode = json.JSONEncoder(ensure_ascii=False).encode
_PLAIN = frozenset((str, int, float, bool, type(None)))  # what holds nothing (exact types)


class Encoded(str):
    """The JSON text of a non-empty object or list of plain values, encoded already (a
    digest's entry saved by an earlier build): ``json_text`` puts it in as it is, where
    the value itself would be."""

    __slots__ = ()


def json_text(value: Any, indent: str = "") -> str:
    """JSON for people and scripts: an object or list of plain values on one line (a
    person, a diagnostic), anything holding more nested below, two spaces a level."""
    if type(value) is Encoded:
        return value
    if not _nested(value):
        return _encode(value)
    return "".join(json_pieces(value, indent))


def json_pieces(value: Any, indent: str = "") -> Iterator[str]:
    """The text of ``json_text`` in pieces, in order: a large value (the digest of a large
    vault) is written as it is encoded, rather than held whole, and its parts copied into
    it, at once."""
    if type(value) is Encoded:
        yield value
        return
    if not _nested(value):
        yield _encode(value)
        return
    inner = indent + "  "
    between = ",\n" + inner
    if isinstance(value, dict):
        yield "{\n" + inner
        for index, (key, item) in enumerate(value.items()):
            yield f"{between if index else ''}{_encode(key)}: "
            yield from json_pieces(item, inner)
        yield f"\n{indent}}}"
        return
    yield "[\n" + inner
    for index, item in enumerate(value):
        if index:
            yield between
        yield from json_pieces(item, inner)
    yield f"\n{indent}]"


def _nested(value: Any) -> bool:
    """Whether ``value`` holds a non-empty object or list."""
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        return False
    # The types first, in C: most values (a person, a diagnostic) hold nothing but plain
    # values, and a digest of a large vault asks for thousands.
    if _PLAIN.issuperset(map(type, value)):
        return False
    return any(isinstance(item, dict | list | Encoded) and item for item in value)
