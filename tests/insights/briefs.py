"""What the brief tests share: a person note, and a count of the looks at everyone the
briefs take."""

from __future__ import annotations

import pytest

import vaultnet.insights.briefupdate as briefupdate_module
from vaultnet.insights.brief import Linked


def person(name: str, extra: str = "", body: str = "") -> str:
    """A supporter's note: ``extra`` front matter lines, then ``body``."""
    return f"---\nname: {name}\ntier: supporter\n{extra}---\n{body}"


def counting_walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The looks at everyone the briefs take from here on: the index of links made from a
    network ("linked"; one made from a saved index is none) and whom they are for
    ("upcoming")."""
    walked: list[str] = []
    real_init, real_upcoming = Linked.__init__, briefupdate_module.upcoming

    def linked(self: Linked, network: object, wanted: set[str] | None) -> None:
        if network is not None:  # None: an index as saved
            walked.append("linked")
        real_init(self, network, wanted)  # type: ignore[arg-type]

    def upcoming(*args: object) -> object:
        walked.append("upcoming")
        return real_upcoming(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(Linked, "__init__", linked)
    monkeypatch.setattr(briefupdate_module, "upcoming", upcoming)
    return walked
