"""Diagnostics: what vaultnet has to say about a file of the vault."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """A message about ``path`` (relative to the vault, with ``/``) at ``line`` if known."""

    path: str
    line: int | None
    level: Level
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"

    def as_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "level": self.level, "message": self.message}


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, str, str]:
    """Order by path, then line (unknown first), then level and message."""
    return (diagnostic.path, diagnostic.line or 0, diagnostic.level, diagnostic.message)
