"""How counts read in messages and pages: ``1 person``, ``2 people``."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 person``, ``2 people`` (``many`` defaults to word + "s")."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def problems_summary(errors: int, warnings: int) -> str:
    """``1 error, 2 warnings``."""
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
