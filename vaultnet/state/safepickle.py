"""Unpickling what vaultnet saves in ``.vaultnet/``, limited to plain values: the parse
cache and the parse helper's results (``SafeUnpickler``; ``SafeReader`` for the cache's
notes, each pickled on its own), the saved rows and the model's lookups (``PlainUnpickler``).

Its own module so that ``pickle`` is imported only when parsed notes are loaded: a build
that stops early never needs it.
"""

from __future__ import annotations

import datetime as dt
import io
import pickle
from typing import IO, Any

# A vault may come from someone else: unpickle only the plain value types a note is made of.
_ALLOWED = {
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "timezone"),
    ("datetime", "timedelta"),
    ("vaultnet.source.parsed", "Note"),
    ("vaultnet.source.parsed", "Unreadable"),
    ("vaultnet.source.parsed", "LogEntry"),
    ("vaultnet.source.parsed", "Mention"),
    ("vaultnet.source.parsed", "Task"),
    ("vaultnet.source.parsed", "Position"),
    ("vaultnet.source.parsed", "ParseOptions"),
    ("vaultnet.dates", "Duration"),
    ("vaultnet.dates", "Birthday"),
    ("vaultnet.diagnostics", "Diagnostic"),
}

# Where those classes lived in earlier versions -> where they are now: a cache written
# before a module moved still loads (and is then dropped quietly if its FORMAT is old)
# instead of being reported as unreadable.
_FORMER_MODULES: dict[str, str] = {
    "vaultnet.notes": "vaultnet.source.parsed",
    "vaultnet.source.notes": "vaultnet.source.parsed",
}


# What a pickle names -> what is called instead: the same result, made without Python code.
# tuple.__new__ makes only tuples of the classes above (the only ones a pickle can name).
_FASTER = {("vaultnet.source.parsed", "rebuilt"): tuple.__new__}
_DAY = (__name__, "day")


def day(number: int) -> dt.date:
    """The date of a day number (``date.toordinal``), as ``pack`` writes dates."""
    return dt.date.fromordinal(number)


def by_number(date: dt.date) -> tuple[Any, tuple[int]]:
    return day, (date.toordinal(),)


def pack(value: Any) -> bytes:
    """Pickle parsed notes with each date as its day number, which ``SafeUnpickler`` makes
    into one date object for each day of all it loads with the same ``Days``.

    A parse helper's results come back this way: pickled as usual, every batch would bring
    its own copy of each date (a log repeats the same days), which a large vault holds
    tens of thousands of times."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {dt.date: by_number}  # exactly dates: not datetimes
    pickler.dump(value)
    return buffer.getvalue()


class Days(dict[int, dt.date]):
    """Dates by day number, each made when first asked for."""

    def __missing__(self, number: int) -> dt.date:
        date = self[number] = dt.date.fromordinal(number)
        return date


Classes = dict[tuple[str, str], Any]


def allowed_classes(days: Days) -> Classes:
    """What each name a pickle may use stands for: the allowed classes, under their former
    modules too, ``tuple.__new__`` for ``rebuilt`` and the lookup in ``days`` for ``day``.

    One table for many unpicklers: each small pickle names its classes again, and a lookup
    here costs far less than importing them each time."""
    import importlib

    table: Classes = {
        (module, name): getattr(importlib.import_module(module), name) for module, name in _ALLOWED
    }
    table.update(_FASTER)
    table[_DAY] = days.__getitem__  # a lookup in C; Python only for a new day
    for former, module in _FORMER_MODULES.items():
        for (where, name), found in list(table.items()):
            if where == module:
                table[former, name] = found
    return table


class SafeUnpickler(pickle.Unpickler):
    """Unpickles only the plain value types a parsed note is made of.

    ``days`` gives the dates ``pack`` wrote: one object for each day, however many
    unpicklers share it. ``classes`` (``allowed_classes``), when given, is used instead of
    a table of its own, with the ``days`` it was made with.
    """

    def __init__(
        self, file: IO[bytes], days: Days | None = None, classes: Classes | None = None
    ) -> None:
        super().__init__(file)
        if classes is None:
            classes = allowed_classes(days if days is not None else Days())
        self._classes = classes

    def find_class(self, module: str, name: str) -> Any:
        found = self._classes.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return found


class SafeReader:
    """Unpickles many small pickles, each on its own, with one ``Days`` and one table of
    classes for all of them (the parse cache's notes, each asked for apart)."""

    def __init__(self) -> None:
        self.days = Days()
        self.classes = allowed_classes(self.days)

    def load(self, file: IO[bytes]) -> Any:
        return SafeUnpickler(file, classes=self.classes).load()

    def loads(self, data: bytes) -> Any:
        return SafeUnpickler(io.BytesIO(data), classes=self.classes).load()


class PlainUnpickler(pickle.Unpickler):
    """Unpickles only what needs no class: text, numbers, booleans, None, tuples, lists and
    dictionaries. Anything that names a class is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed: plain values only")
