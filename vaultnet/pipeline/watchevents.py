"""What a watcher notices and reports: which vault paths matter (``classify``), the raw
events the watchdog handler queues, the batch a quiet spell gathers (``QuietCollector``),
and the reports of a rebuild (``Rebuild``) and of anything else (``Notice``).

The loop that uses them is watch.py's ``Watcher``.
"""

from __future__ import annotations

import datetime as dt
import enum
import errno
import fnmatch
import gc
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal, NamedTuple

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers.api import BaseObserver

from vaultnet.config import CONFIG_NAME, Config
from vaultnet.dates import long_date
from vaultnet.diagnostics import Diagnostic
from vaultnet.errors import VaultnetError
from vaultnet.pipeline.build import BuildResult
from vaultnet.source.vault import is_excluded

# Obsidian's settings that load_config reads: a change to one is a change of configuration.
OBSIDIAN_SETTINGS = frozenset(
    {
        ".obsidian/templates.json",
        ".obsidian/daily-notes.json",
        ".obsidian/plugins/templater-obsidian/data.json",
    }
)
# Editors' probe, swap, backup and temporary files, and our own writer's temporary files.
TEMP_PATTERNS = (
    "4913",
    "*~",
    "*.sw?",
    "*___jb_tmp___",
    "*___jb_old___",
    ".*.tmp*",
    "*.tmp",
    "*.vaultnet-tmp",
    ".#*",
    "*.crdownload",
)
WATCH_LIMIT_HINT = "sudo sysctl fs.inotify.max_user_watches=524288"
INSTANCE_LIMIT_HINT = "sudo sysctl fs.inotify.max_user_instances=1024"
# Opened/closed/attribute events are left out: vaultnet reading a note must not look like a
# change, or every build would trigger the next one.
EVENT_TYPES: tuple[type[FileSystemEvent], ...] = (
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
)
_SKIPPED_NAMES = frozenset({"node_modules"})

Reason = Literal["start", "changes", "templates", "config", "rescan", "new day", "retry"]
ObserverFactory = Callable[[bool], BaseObserver]


class PathKind(enum.Enum):
    """What a changed path means for the build."""

    NOTE = "note"  # a markdown file the build may read
    CONFIG = "config"  # vaultnet.toml or one of Obsidian's settings files
    TEMPLATE = "template"  # anything in templates_dir
    FOLDER = "folder"  # a folder appeared, vanished or moved: its notes are not listed
    OUTPUT = "output"  # our own pages
    IGNORED = "ignored"


def classify(config: Config, rel: str, *, is_directory: bool = False) -> PathKind:
    """What a change at vault path ``rel`` (``/``-separated) means under ``config``."""
    if rel in ("", "."):
        return PathKind.IGNORED
    path = PurePosixPath(rel)
    if _under(path, config.output_dir):
        return PathKind.OUTPUT
    if rel == CONFIG_NAME or rel in OBSIDIAN_SETTINGS:
        return PathKind.IGNORED if is_directory else PathKind.CONFIG
    name = path.name
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in TEMP_PATTERNS):
        return PathKind.IGNORED
    if _under(path, config.templates_dir):
        # Only the folder and what is in it: its parent (.vaultnet/) also holds the cache.
        if name.startswith(".") and rel != config.templates_dir:
            return PathKind.IGNORED
        return PathKind.TEMPLATE
    if any(part.startswith(".") or part in _SKIPPED_NAMES for part in path.parts):
        return PathKind.IGNORED
    skipped = {config.output_dir, *config.template_folders}
    excluded = [e.strip("/") for e in config.exclude]
    # is_excluded looks at the folders above a file; a folder is asked about as its own child.
    if is_excluded(rel + "/_" if is_directory else rel, excluded, skipped):
        return PathKind.IGNORED
    if is_directory:
        return PathKind.FOLDER
    return PathKind.NOTE if name.lower().endswith(".md") else PathKind.IGNORED


def _under(path: PurePosixPath, folder: str) -> bool:
    return folder not in ("", ".") and path.is_relative_to(folder)


class RawEvent(NamedTuple):
    """A file-system event as the handler saw it: nothing decided yet."""

    kind: str
    src: str
    dest: str
    is_directory: bool


class EventHandler(FileSystemEventHandler):
    """Runs on watchdog's thread, so it only hands the event over."""

    def __init__(self, sink: Callable[[RawEvent], None]) -> None:
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._sink(
            RawEvent(
                event.event_type,
                os.fsdecode(event.src_path),
                os.fsdecode(event.dest_path),
                event.is_directory,
            )
        )


class OverflowSpy(logging.Handler):
    """Watchdog reports a kernel queue overflow only in its log; turn that into a rescan."""

    def __init__(self, flag: threading.Event) -> None:
        super().__init__(logging.WARNING)
        self._flag = flag

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self._flag.set()


@dataclass(slots=True)
class Batch:
    """The changes gathered while waiting for quiet."""

    notes: set[str] = field(default_factory=set)
    config: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)
    folders: set[str] = field(default_factory=set)
    rescan: bool = False  # events were lost: look at the whole vault again
    retry: bool = False  # the output folder changed after a refused write
    first: float | None = None  # clock time of the first change
    last: float | None = None  # clock time of the latest change

    def touch(self, now: float) -> None:
        if self.first is None:
            self.first = now
        self.last = now

    def __bool__(self) -> bool:
        return bool(
            self.notes or self.config or self.templates or self.folders or self.rescan or self.retry
        )

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(sorted(self.notes | self.config | self.templates | self.folders))


class QuietCollector:
    """Python's cyclic garbage collection for a watcher: paused while it rebuilds, run
    when the vault is quiet.

    With automatic collection, each rebuild paid for a collection of everything it had
    allocated, and every few rebuilds one of the whole model, which on a large vault holds
    up an edit for a noticeable moment. Paused, the watcher freezes (``gc.freeze``) what its
    first build made, collects once the vault has been quiet for a tick, and then freezes
    what survived: collections look only at what newer rebuilds made. The cycles a rebuild
    makes are short-lived, so they are collected before they would be frozen; after a new day, a
    changed configuration or templates, a rescan, and every ``EVERYTHING_EVERY``
    rebuilds, a quiet collection looks at everything again, frozen or not, so that
    nothing is kept for good.
    """

    EVERYTHING_EVERY = 500  # rebuilds between two collections of everything
    BUSY_AFTER = 20  # rebuilds without a quiet moment, after which it collects anyway

    def __init__(self) -> None:
        self.pending = 0  # rebuilds since the last collection
        self.since_everything = 0
        self.collections = 0
        self._was_enabled = True
        self._freezing = True

    def pause(self) -> None:
        self._was_enabled = gc.isenabled()
        # A program that embeds the watcher and froze objects itself keeps them frozen:
        # then the watcher only collects, and never freezes or unfreezes.
        self._freezing = gc.get_freeze_count() == 0
        gc.disable()

    def resume(self) -> None:
        if self._freezing:
            gc.unfreeze()
        if self._was_enabled:
            gc.enable()

    def started(self) -> None:
        """After the first build: freeze what it made without collecting it. A cold build
        leaves little cyclic garbage, and looking at its millions of objects would hold up
        the first edit; the next collection of everything takes what it left."""
        if self._freezing:
            gc.freeze()

    def built(self, everything: bool = False) -> None:
        self.pending += 1
        if everything:
            self.since_everything = self.EVERYTHING_EVERY
        if self.pending >= self.BUSY_AFTER:
            self.collect()

    def quiet(self) -> None:
        if self.pending:
            self.collect()

    def collect(self) -> None:
        self.since_everything += self.pending
        self.pending = 0
        if self.since_everything >= self.EVERYTHING_EVERY:
            if self._freezing:
                gc.unfreeze()
            self.since_everything = 0
        gc.collect()
        if self._freezing:
            gc.freeze()
        self.collections += 1


@dataclass(frozen=True, slots=True)
class Rebuild:
    """One rebuild of the watch loop: why it ran and what came of it."""

    at: dt.datetime  # wall-clock time it finished
    reason: Reason
    paths: tuple[str, ...]  # vault paths that changed (empty for a rescan or a new day)
    deleted: tuple[str, ...]  # those of ``paths`` that no longer exist
    full: bool  # the whole vault was scanned again (changed=None)
    today: dt.date
    result: BuildResult | None  # None when the build failed
    error: BaseException | None
    first_change: float | None  # clock time the first change of the batch was noticed
    started: float  # clock time the build started (the debounce had ended)
    finished: float  # clock time the pages were written
    new_diagnostics: tuple[Diagnostic, ...] = ()
    resolved: tuple[Diagnostic, ...] = ()

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    @property
    def wrote(self) -> bool:
        """Whether any page was written or removed."""
        return self.result is not None and bool(
            self.result.write.written or self.result.write.removed
        )

    def what(self) -> str:
        """What set the rebuild off, in a few words."""
        if self.reason == "start":
            return "built"
        if self.reason == "new day":
            return f"new day ({long_date(self.today)})"
        if not self.paths:
            return "rescanned the vault" if self.full else "output folder changed, retried"
        if len(self.paths) == 1:
            verb = "deleted" if self.paths[0] in self.deleted else "changed"
            what = f"{self.paths[0]} {verb}"
        elif len(self.paths) <= 3:
            what = f"{', '.join(self.paths)} changed"
        else:
            what = f"{len(self.paths)} files changed"
        return f"{what}, configuration reloaded" if self.reason == "config" else what

    def details(self) -> list[str]:
        """What ``-v`` adds: diagnostics fixed, notes parsed, time per step, pages written."""
        lines = [f"fixed: {diagnostic}" for diagnostic in self.resolved]
        if self.result is not None:
            read, timings = self.result.read, self.result.timings
            steps = ", ".join(
                f"{step} {timings[step] * 1000:.0f} ms"
                for step in ("read", "model", "insights", "render", "write")
                if step in timings
            )
            parsed = "1 note" if read.parsed == 1 else f"{read.parsed} notes"
            lines.append(f"{parsed} parsed, {read.reused} reused · {steps}")
            lines += [f"wrote {page}" for page in self.result.write.written]
            lines += [f"removed {page}" for page in self.result.write.removed]
        return lines

    def summary(self) -> str:
        """``12:03:04 People/Ann Lee.md changed · 2 pages written · 14 ms``."""
        head = f"{self.at:%H:%M:%S} {self.what()}"
        ms = f"{self.seconds * 1000:.0f} ms"
        if self.result is None:
            return f"{head} · error: {_error_text(self.error)} · pages left as they were"
        write = self.result.write
        pages = f"{len(write.written)} page{'' if len(write.written) == 1 else 's'} written"
        if write.removed:
            pages += f", {len(write.removed)} removed"
        return f"{head} · {pages} · {ms}"


def _error_text(error: BaseException | None) -> str:
    if isinstance(error, VaultnetError):
        return str(error)
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return f"cannot write pages: {error.strerror or error}{where}"
    return f"unexpected {type(error).__name__}: {error} (a bug in vaultnet; please report it)"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the watcher has to say that is not a rebuild."""

    level: Literal["error", "warning", "info"]
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.message}"


def limit_hint(exc: OSError) -> str | None:
    """The sysctl hint when ``exc`` is inotify refusing another watch or instance."""
    text = str(exc).lower()
    if exc.errno == errno.ENOSPC or "watch limit" in text:
        return WATCH_LIMIT_HINT
    if exc.errno == errno.EMFILE or "instance limit" in text:
        return INSTANCE_LIMIT_HINT
    return None
