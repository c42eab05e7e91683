"""Diagnostics: what vaultnet has to say about a file of the vault."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]

# A file name may hold a line break or a terminal escape: shown raw, it could forge a
# diagnostic line or drive the terminal. Shown escaped, a diagnostic is always one line.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(text: str) -> str:
    if text.isprintable():
        return text
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """A message about ``path`` (relative to the vault, with ``/``) at ``line`` if known."""

    path: str
    line: int | None
    level: Level
    message: str

    def __str__(self) -> str:
        path = _escaped(self.path)
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.level}: {_escaped(self.message)}"

    def as_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "level": self.level, "message": self.message}


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, str, str]:
    """Order by path, then line (unknown first), then level and message."""
    return (diagnostic.path, diagnostic.line or 0, diagnostic.level, diagnostic.message)
