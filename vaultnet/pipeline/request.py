"""What a build is asked to do (``BuildRequest``), and what it did (``BuildResult``).

``BuildRequest`` is a named tuple, not a dataclass: a class made at import in a fifth of the
time (docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from vaultnet.diagnostics import Diagnostic
from vaultnet.pipeline.output import WriteResult
from vaultnet.render.page import Page

if TYPE_CHECKING:
    from vaultnet.model.network import Network
    from vaultnet.source.notes import Note


class Mode(enum.Enum):
    """How far a build goes."""

    WRITE = "write"  # render the pages and write them (``build``)
    PLAN = "plan"  # render the pages and plan the writes, writing nothing (``--dry-run``)
    MODEL = "model"  # the model and its diagnostics only (``check``, ``digest``, exports)


class BuildRequest(NamedTuple):
    """One build: the day, how far it goes, which files changed since the last build, and
    whether it may stop early and saves what it keeps.

    ``changed`` None means anything may have changed: the vault is scanned again, and
    files whose size and modification time are unchanged are taken from the cache. A
    tuple names the vault paths (``/``-separated) that changed; an empty one says that
    none did (a watcher's new day).

    ``stop_early``: when nothing changed since the last recorded build, return that
    build's result (no model, ``up_to_date``) instead of building again. ``save``: save
    the parse cache, the saved rows and the build record (a watcher saves once, at the
    end); a build that does not save never stops early, since it has no record to trust.

    ``once``: the builder's only build (``vaultnet build``). In a vault of many notes
    (``build.LET_GO_NOTES``), what only a later build of the same builder would reuse is
    let go as soon as this one is done with it, so that the later stages reuse its
    memory: the parsed notes once the network is made (the result's ``read.notes`` is
    then empty), the digest's JSON once it is saved (the result's ``digest_text`` is
    None), the pages once they are written (the result's ``pages`` is empty). What the
    next build takes is saved as soon as it is made.
    """

    today: dt.date
    mode: Mode = Mode.WRITE
    changed: tuple[str, ...] | None = None
    stop_early: bool = True
    save: bool = True
    once: bool = False

    @classmethod
    def watching(
        cls, today: dt.date, changed: Iterable[str] | None, *, first: bool = False
    ) -> BuildRequest:
        """A watcher's build: its first one saves and always makes the model; the later
        ones keep everything in memory."""
        paths = None if changed is None else tuple(changed)
        return cls(today, Mode.WRITE, paths, stop_early=False, save=first)

    @property
    def pages(self) -> bool:
        """Whether pages are rendered."""
        return self.mode is not Mode.MODEL


@dataclass(slots=True)
class ReadResult:
    """The parsed notes of a vault and what reading them had to say."""

    notes: list[Note]
    diagnostics: list[Diagnostic]
    parsed: int  # notes read and parsed this time
    reused: int  # notes taken from the cache
    ignored: int  # files in excluded folders
    # A read of named files (a watcher's): each one's note now (None: not a note now).
    changes: dict[str, Note | None] | None = None


@dataclass(slots=True)
class BuildResult:
    """What a build did: the model, the pages, what was written, and the diagnostics.

    ``network`` is None when nothing changed since the last build and the build stopped
    early (``up_to_date``); the counts and diagnostics are then those of that build.
    """

    network: Network | None
    pages: list[Page]
    write: WriteResult
    diagnostics: list[Diagnostic]
    read: ReadResult
    people: int = 0  # active people
    archived: int = 0
    digest_text: str | None = None  # what digest --format json prints, once computed
    # Whether the build saved the digest's JSON with its fingerprint as it made it (a build
    # ``once``, which does not keep the text).
    digest_saved: bool = False
    up_to_date: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    def digest_json_text(self) -> str:
        """What ``vaultnet digest --format json`` prints: computed from the model the first
        time, or as saved by the build this one stopped early on."""
        if self.digest_text is None:
            if self.network is None:
                raise ValueError("a build that stopped early without a saved digest")
            from vaultnet.jsontext import json_text
            from vaultnet.render.digest import digest_json

            self.digest_text = json_text(digest_json(self.network, self.diagnostics))
        return self.digest_text

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.level == "warning")
