"""Keys of the values a ``{% rows %}`` block lists (a company, a move, a balance), so that
their rows are kept and saved like people's rows (fragments.py, rowstore.py).

A row is a function of its block and its item, in an environment made for one day and one
configuration. A value's key is a digest of that day and configuration and of everything
the value holds, walked field by field: two values with the same key render the same row.
Keys are stored, so they are stable across processes: no ``id()``, no ``hash()``.

What a value may hold, to be keyed: str, int, float, bool, None, dates (and naive date
times), enum members, tuples, frozen dataclasses and named tuples of those, and people,
who stand by their ``digest`` (a key of everything a person is made from, the day and the
configuration included). A frozen dataclass that declares a private ``_key`` (not
compared) stands by it when it is set: the key of everything it holds, made where the
value is made (a company's, companytypes.MadeKeys; a brief not made yet, brief.LaterBrief;
a balance, a thank-you owed or an open ask, reciprocity.made_key), so that it is not walked
again; one that starts with ``P`` and two characters is of a value made of a person whose
digest starts with them, and its rows are filed with that person's. Anything else (a dict,
a set, a class this does not know) makes the value unkeyable: its row is rendered every
time, never guessed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import operator
from collections.abc import Callable, Iterable
from typing import Any

from vaultnet.model.network import Person

MAX_DEPTH = 32  # values nest a few levels; deeper is not a value of the insights


class Unkeyable(Exception):
    """A value holds something that has no stable key."""


class ValueKeys:
    """Keys of values for one environment (one day and configuration, ``context``).

    Each key walks its value whole: keeping the digests of objects inside values (a
    company's stints, keyed on its page and again inside the company on Companies.md)
    measured slower on a 10k vault than walking them again.
    """

    def __init__(self, context: str) -> None:
        self.context = context
        # How values of a class are walked (_shape_of), found once per class.
        self._shapes: dict[type, _Shape | None] = {}

    def key(self, item: object, block: str) -> str | None:
        """The key of ``item``'s row in ``block``, or None when it holds anything that
        cannot be keyed. The block is part of the key, so that a row no longer shown by
        one block is dropped even when another still shows the same value."""
        parts = [self.context, block]
        try:
            self._walk((item,), parts, 0)
        except Unkeyable:
            return None
        text = "\0".join(parts).encode("utf-8", "surrogatepass")
        digest = hashlib.blake2b(text, digest_size=16).hexdigest()
        lead = _lead(parts, 2)
        return digest if lead == "--" else lead + digest

    def _walk(self, values: Iterable[object], parts: list[str], depth: int) -> None:
        """Append a part for each of ``values``, walking into tuples and objects (the
        common kinds first, inline: this runs for every field of every row)."""
        if depth > MAX_DEPTH:
            raise Unkeyable("too deep")
        append = parts.append
        for value in values:
            kind = type(value)
            if kind is str:
                append(repr(value))  # quoted and escaped: no text passes for another part
            elif kind is Person:
                append("P" + value.digest)  # type: ignore[attr-defined]
            elif value is None:
                append("N")
            elif kind is dt.date:
                append("d" + value.isoformat())  # type: ignore[attr-defined]
            elif kind is bool:
                append("T" if value else "F")
            elif kind is int:
                append(f"i{value}")
            elif kind is float:
                append("f" + repr(value))
            elif kind is tuple:
                append("(")
                self._walk(value, parts, depth + 1)  # type: ignore[arg-type]
                append(")")
            elif kind is dt.datetime and value.tzinfo is None:  # type: ignore[attr-defined]
                append("t" + value.isoformat())  # type: ignore[attr-defined]
            else:
                self._walk_object(value, parts, depth)

    def _walk_object(self, value: object, parts: list[str], depth: int) -> None:
        kind = type(value)
        try:
            shape = self._shapes[kind]
        except KeyError:
            shape = self._shapes[kind] = _shape_of(kind)
        if shape is None:
            raise Unkeyable(kind.__qualname__)
        if shape.fields is None:  # an enum member
            parts.append(shape.head + value.name)  # type: ignore[attr-defined]
            return
        if shape.own:
            own = getattr(value, "_key", None)
            if type(own) is str:
                if own[:1] == "P":  # made of a person: filed with their rows (_lead)
                    parts.append(own[:3])
                parts.append(shape.head + "=" + own)
                return
        parts.append(shape.head)
        self._walk(shape.fields(value), parts, depth + 1)
        parts.append(")")


def _lead(parts: list[str], start: int) -> str:
    """The first two characters of the digest of the first person among ``parts``, ``--``
    when none: a value's key starts with them, so that the rows of a value about someone
    are saved in the file of that person's rows (rowstore.shard_of), and a build after a
    few edits rewrites a few files. A person's part is ``P`` and the digest (a string's
    starts with a quote, and no other part with ``P``)."""
    for index in range(start, len(parts)):
        part = parts[index]
        if part[:1] == "P":
            return part[1:3]
    return "--"


class _Shape:
    """How values of one class are walked: the part that opens one (its class), and what
    gives its fields (None for an enum, whose member's name is the part)."""

    __slots__ = ("fields", "head", "own")

    def __init__(
        self, head: str, fields: Callable[[Any], tuple[Any, ...]] | None, own: bool = False
    ) -> None:
        self.head = head
        self.fields = fields
        self.own = own  # a value may carry its own key (``_key``)


def _shape_of(kind: type) -> _Shape | None:
    """How a class's values are walked; None when they cannot be keyed.

    A dataclass's fields are all walked but the private caches it declares as not part of
    its value (``_hash``, say: ``compare=False``); a template cannot read those anyway.
    """
    name = f"{kind.__module__}.{kind.__qualname__}"
    if "<locals>" in name:
        return None  # two classes made by one function share the name, not the fields
    if issubclass(kind, enum.Enum):
        return _Shape(f"e{name}.", None)
    if dataclasses.is_dataclass(kind):
        if not getattr(kind, "__dataclass_params__").frozen:  # noqa: B009
            return None  # its fields may change: a row kept by them could be stale
        fields = dataclasses.fields(kind)
        names = [field.name for field in fields if field.compare or not field.name.startswith("_")]
        own = any(field.name == "_key" and not field.compare for field in fields)
        return _Shape(f"c{name}", _getter(names), own)
    if issubclass(kind, tuple) and isinstance(getattr(kind, "_fields", None), tuple):
        # A named tuple: its items are its fields, in order (immutable, unless it holds
        # something mutable, which cannot be keyed).
        return _Shape(f"n{name}", tuple)
    return None


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The fields ``names`` of an object, as a tuple (one call in C for two or more)."""
    if len(names) >= 2:
        return operator.attrgetter(*names)
    return lambda value: tuple(getattr(value, name) for name in names)
