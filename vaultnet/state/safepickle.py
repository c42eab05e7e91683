"""Unpickling what vaultnet saves in ``.vaultnet/``, limited to plain values: the parse
cache and the parse helper's results (``SafeUnpickler``), the saved rows and the model's
lookups (``PlainUnpickler``).

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
    ("vaultnet.source.parsed", "KeyLines"),
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


class SafeUnpickler(pickle.Unpickler):
    """Unpickles only the plain value types a parsed note is made of.

    ``days`` gives the dates ``pack`` wrote: one object for each day, however many
    unpicklers share it.
    """

    def __init__(self, file: IO[bytes], days: Days | None = None) -> None:
        super().__init__(file)
        self._days = days if days is not None else Days()

    def find_class(self, module: str, name: str) -> Any:
        module = _FORMER_MODULES.get(module, module)
        faster = _FASTER.get((module, name))
        if faster is not None:
            return faster
        if (module, name) == _DAY:
            return self._days.__getitem__  # a lookup in C; Python only for a new day
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


class PlainUnpickler(pickle.Unpickler):
    """Unpickles only what needs no class: text, numbers, booleans, None, tuples, lists and
    dictionaries. Anything that names a class is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed: plain values only")
