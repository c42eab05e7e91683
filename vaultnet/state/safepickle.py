"""Unpickling the parse cache and the parse helper's results, limited to plain values.

Its own module so that ``pickle`` is imported only when parsed notes are loaded: a build
that stops early never needs it.
"""

from __future__ import annotations

import pickle
from typing import Any

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


class SafeUnpickler(pickle.Unpickler):
    """Unpickles only the plain value types a parsed note is made of."""

    def find_class(self, module: str, name: str) -> Any:
        module = _FORMER_MODULES.get(module, module)
        faster = _FASTER.get((module, name))
        if faster is not None:
            return faster
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)
