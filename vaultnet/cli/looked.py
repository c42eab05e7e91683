"""What the program's quick look hands to the command line when the vault had changed.

It sits apart from both program.py (which makes it) and cli.py (which takes it over), so
that neither imports the other's module for it: the program loads the command line only
when it must answer.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vaultnet.config import Config
    from vaultnet.pipeline.build import Builder


class Looked:
    """What a quick look found when the vault had changed: its builder has scanned the
    vault (``Builder.stop_early``), and the command line's build takes it over once, for
    the same configuration and day, rather than looking at every file again (0.14 s at
    10,000 people)."""

    def __init__(self, config: Config, today: dt.date, builder: Builder) -> None:
        self.config = config
        self.today = today
        self.builder: Builder | None = builder

    def take(self, config: Config, today: dt.date) -> Builder | None:
        builder, self.builder = self.builder, None
        return builder if config == self.config and today == self.today else None
