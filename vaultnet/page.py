"""What a generated page is, and the marks that tell vaultnet's pages from the user's files.

Apart from output.py (the writer), so that what makes pages needs nothing of what writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

MARK = "generated_by: vaultnet"

# A generated calendar (``ics = true``) cannot hold front matter: its mark is a property of
# the calendar itself, before the first event.
ICS_MARK = "X-VAULTNET-GENERATED:1"


@dataclass(frozen=True, slots=True)
class Page:
    """A rendered page: its path under the output folder and its full text."""

    path: str
    text: str
