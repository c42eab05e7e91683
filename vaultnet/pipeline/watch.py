"""Watching a vault: notice changes, wait for quiet, rebuild only what changed.

The watchdog handler only notices: it puts raw events on a queue and returns. The loop
(``Watcher.run``, on the caller's thread) sorts them against the current configuration,
waits until the vault has been quiet for the debounce (capped, so continuous autosaves
still rebuild), and hands the batch to the same ``Builder`` that ``vaultnet build`` uses.
Whatever goes wrong in a rebuild is reported and the loop goes on. What it notices and
reports is watchevents.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import queue
import threading
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from typing import Literal

from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserverVFS

from vaultnet.config import Config, load_config
from vaultnet.diagnostics import Diagnostic
from vaultnet.errors import OutputError, VaultnetError
from vaultnet.pipeline.build import Builder, BuildRequest, BuildResult
from vaultnet.pipeline.watchevents import (
    EVENT_TYPES,
    WATCH_LIMIT_HINT,
    Batch,
    EventHandler,
    Notice,
    ObserverFactory,
    OverflowSpy,
    PathKind,
    QuietCollector,
    RawEvent,
    Reason,
    Rebuild,
    classify,
    limit_hint,
)
from vaultnet.state.cache import NoteCache
from vaultnet.state.pagememo import PageMemo

__all__ = [
    "WATCH_LIMIT_HINT",
    "Notice",
    "PathKind",
    "QuietCollector",
    "RawEvent",
    "Rebuild",
    "Watcher",
    "classify",
]


class Watcher:
    """Builds a vault once, then rebuilds what changed until ``run``'s stop event is set.

    ``today`` fixes the date (no midnight roll-over); otherwise it is ``now().date()``.
    ``clock`` times the debounce; ``on_build`` hears of every rebuild, ``on_notice`` of
    everything else worth saying (fallbacks, restarts, a broken configuration).
    """

    def __init__(
        self,
        config: Config,
        *,
        cache: NoteCache | None = None,
        today: dt.date | None = None,
        now: Callable[[], dt.datetime] = dt.datetime.now,
        clock: Callable[[], float] = time.monotonic,
        debounce: float = 0.2,
        max_wait: float | None = None,
        poll: bool = False,
        poll_interval: float = 1.0,
        on_build: Callable[[Rebuild], None] | None = None,
        on_notice: Callable[[Notice], None] | None = None,
        observer_factory: ObserverFactory | None = None,
        queue_size: int = 100_000,
        tick: float = 0.25,
    ) -> None:
        self.config = config
        self.cache = cache if cache is not None else NoteCache.in_memory()
        self.builder = self._new_builder(config)
        self.fixed_today = today
        self.now = now
        self.clock = clock
        self.debounce = debounce
        # Under continuous autosave the vault is never quiet; still rebuild now and then.
        self.max_wait = max_wait if max_wait is not None else max(2.0, 5 * debounce)
        self.polling = poll
        self.poll_interval = poll_interval
        self.on_build = on_build
        self.on_notice = on_notice
        self.observer_factory = observer_factory
        self.tick = tick
        self.builds = 0
        self.collector = QuietCollector()
        self.observer: BaseObserver | None = None
        self._events: queue.Queue[RawEvent] = queue.Queue(maxsize=queue_size)
        self._overflowed = threading.Event()
        self._handler = EventHandler(self._enqueue)
        self._root = str(config.vault)
        self._built_for: dt.date | None = None
        self._diagnostics: set[Diagnostic] = set()
        self._retry_on_output = False
        self._needs_rescan = False
        self._restart_at = 0.0
        self._restart_delay = 1.0

    @property
    def mode(self) -> str:
        """How changes are noticed: ``polling`` or the platform's native events."""
        return "polling" if self.polling else "native file events"

    def today(self) -> dt.date:
        return self.fixed_today if self.fixed_today is not None else self.now().date()

    # The watchdog side: runs on the observer's thread, so it must stay this small.

    def _enqueue(self, event: RawEvent) -> None:
        try:
            self._events.put_nowait(event)
        except queue.Full:
            self._overflowed.set()  # too far behind to list every change: rescan instead

    # The loop side.

    def run(self, stop: threading.Event) -> None:
        """Build, then rebuild on changes until ``stop`` is set; stops the observer on exit."""
        spy = OverflowSpy(self._overflowed)
        watchdog_log = logging.getLogger("watchdog.observers")
        watchdog_log.addHandler(spy)
        self.collector.pause()
        try:
            # Watch before the first build, so edits made while it runs are not missed.
            self._start_observer()
            self._build("start", (), None, None)
            while not stop.is_set():
                batch = self._gather(stop)
                if stop.is_set():
                    break
                self._check_observer(batch)
                if batch:
                    self._handle(batch)
                elif self.today() != self._built_for:
                    self._build("new day", (), [], None)
                else:
                    self.collector.quiet()
        finally:
            watchdog_log.removeHandler(spy)
            self._stop_observer()
            self._release_old_pages()
            self._release_cache()
            self.collector.resume()

    def _release_cache(self) -> None:
        self.builder.save_state()

    def _release_old_pages(self) -> None:
        if self.builder.written is not None:
            self.builder.written.release()

    def _gather(self, stop: threading.Event) -> Batch:
        """Collect changes until the vault is quiet; an empty batch after an idle tick."""
        batch = Batch()
        # Ignored events (Obsidian rewrites its workspace file all the time) must not keep
        # the caller from looking at the observer and the date: idle for a tick at most.
        idle_end = self.clock() + self.tick
        while not stop.is_set():
            if batch.first is None or batch.last is None:
                remaining = idle_end - self.clock()
            else:
                remaining = (
                    min(batch.last + self.debounce, batch.first + self.max_wait) - self.clock()
                )
            if remaining <= 0:
                break
            try:
                event: RawEvent | None = self._events.get(timeout=min(remaining, self.tick))
            except queue.Empty:
                event = None
            if event is not None and self._take(event, batch):
                batch.touch(self.clock())
            if self._overflowed.is_set():
                self._overflowed.clear()
                self._notice("warning", "file events were lost (queue overflow); rescanning")
                batch.rescan = True
                batch.touch(self.clock())
        return batch

    def _take(self, event: RawEvent, batch: Batch) -> bool:
        """Add what ``event`` means to ``batch``; whether it meant anything."""
        paths = [event.src]
        if event.kind == "moved":
            # An atomic save is a move of a temp file onto the note: the dest is what counts.
            paths.append(event.dest)
        relevant = False
        for path in paths:
            rel = self._relative(path)
            if rel is None:
                continue
            if not unicodedata.is_normalized("NFC", rel):
                # The builder keys notes by NFC names; let a scan match up decomposed ones.
                batch.rescan = relevant = True
                continue
            kind = classify(self.config, rel, is_directory=event.is_directory)
            if kind is PathKind.NOTE:
                batch.notes.add(rel)
            elif kind is PathKind.CONFIG:
                batch.config.add(rel)
            elif kind is PathKind.TEMPLATE:
                batch.templates.add(rel)
            elif kind is PathKind.FOLDER:
                batch.folders.add(rel)
            elif kind is PathKind.OUTPUT:
                self._output_changed(rel, event.is_directory)
                if not self._retry_on_output:
                    continue  # our own pages: no rebuild
                batch.retry = True
            else:
                continue
            relevant = True
        return relevant

    def _output_changed(self, rel: str, is_directory: bool) -> None:
        """Tell the writer of a change in the output folder (ours or anyone's)."""
        written = self.builder.written
        if written is None:
            return
        inside = rel[len(self.config.output_dir) + 1 :]
        if is_directory or not inside:
            written.distrust()  # a folder appeared, vanished or moved: look at all of it
        else:
            written.touch(inside)

    def _relative(self, path: str) -> str | None:
        if path == self._root:
            return ""
        if not path.startswith(self._root + os.sep):
            return None
        return path[len(self._root) + 1 :].replace(os.sep, "/")

    def _handle(self, batch: Batch) -> None:
        reason: Reason = "changes"
        full = batch.rescan or bool(batch.folders) or self._needs_rescan
        if batch.config:
            state = self._reload_config()
            if state == "broken" and not (batch.notes or batch.templates or full or batch.retry):
                return  # nothing to show until the configuration is fixed
            if state == "changed":
                reason, full = "config", True
        if reason == "changes":
            if batch.templates:
                reason = "templates"
            elif full:
                reason = "rescan"
            elif batch.retry and not batch.notes:
                reason = "retry"
        for path in batch.notes:
            # Re-read even when size and mtime match the cache: two saves can share a tick.
            self.cache.forget(path)
        self._build(reason, batch.paths, None if full else sorted(batch.notes), batch.first)

    def _reload_config(self) -> Literal["changed", "same", "broken"]:
        try:
            config = load_config(self.config.vault)
        except VaultnetError as exc:
            self._notice("error", f"{exc}; keeping the last good configuration")
            return "broken"
        if config == self.config and config.warnings == self.config.warnings:
            return "same"
        self.config = config
        self._release_old_pages()  # the last builder's, before it goes
        self.builder = self._new_builder(config)
        return "changed"

    def _new_builder(self, config: Config) -> Builder:
        builder = Builder(config, self.cache, pages=PageMemo())
        if builder.written is not None:
            builder.written.events = True  # _take reports every change under the output
        return builder

    def _build(
        self,
        reason: Reason,
        paths: tuple[str, ...],
        changed: Iterable[str] | None,
        first_change: float | None,
    ) -> None:
        today = self.today()
        start = reason == "start"
        started = self.clock()
        result: BuildResult | None = None
        error: BaseException | None = None
        self._retry_on_output = False
        if self.builder.written is not None and (changed is None or self.observer is None):
            # A rescan, or nothing watching: changes to the output folder may have gone
            # unreported, so the write looks at every file of it.
            self.builder.written.distrust()
        try:
            # The first build saves the cache; later ones keep it in memory, because
            # pickling every parsed note after each edit costs more than the edit on a big
            # vault. It is saved once more when watching ends.
            # It also makes the model even when the vault is as the last build left it:
            # stopping early there would leave the first edit to make it, seconds later.
            result = self.builder.build(BuildRequest.watching(today, changed, first=start))
        except OutputError as exc:
            error = exc
            self._retry_on_output = True  # moving the file out of the way should fix it
        except (VaultnetError, OSError) as exc:
            error = exc
        except Exception as exc:  # a bug must not end the watch; its state is suspect
            error = exc
            self._needs_rescan = True
        else:
            self._needs_rescan = False
        finished = self.clock()
        self._built_for = today
        new: tuple[Diagnostic, ...] = ()
        resolved: tuple[Diagnostic, ...] = ()
        if result is not None:
            current = set(result.diagnostics)
            new = tuple(d for d in result.diagnostics if d not in self._diagnostics)
            resolved = tuple(sorted(self._diagnostics - current))
            self._diagnostics = current
        deleted = tuple(p for p in paths if not (self.config.vault / p).exists())
        self.builds += 1
        if self.on_build is not None:
            self.on_build(
                Rebuild(
                    at=self.now(),
                    reason=reason,
                    paths=paths,
                    deleted=deleted,
                    full=changed is None,
                    today=today,
                    result=result,
                    error=error,
                    first_change=first_change,
                    started=started,
                    finished=finished,
                    new_diagnostics=new,
                    resolved=resolved,
                )
            )
        # After the report, so that neither freeing the old pages' files nor a collection
        # holds it up.
        self._release_old_pages()
        if start:
            self.collector.started()
        else:
            # Much of the last model is garbage after these: collect everything when quiet.
            self.collector.built(everything=reason in ("new day", "config", "templates", "rescan"))

    # The observer: started, checked on every tick, restarted when it died.

    def _make_observer(self) -> BaseObserver:
        if self.observer_factory is not None:
            observer = self.observer_factory(self.polling)
        elif self.polling:
            # lstat: a link to a folder is not walked into, as with native events; os.stat
            # would follow a link to the vault's parent folder back into itself, without end.
            observer = PollingObserverVFS(os.lstat, os.scandir, polling_interval=self.poll_interval)
        else:
            observer = Observer()
        observer.schedule(self._handler, self._root, recursive=True, event_filter=list(EVENT_TYPES))
        return observer

    def _start_observer(self) -> bool:
        # When a folder and its subfolders appear at once (the first build makes the output
        # folder and its Tiers/ and Digests/), inotify's observer may add a watch it already
        # has, and says so with a RuntimeWarning on its thread. It replaces the callback
        # with the same one: harmless, and not for the user's terminal.
        warnings.filterwarnings(
            "ignore", r"Callback with id .* already exists for watch", RuntimeWarning
        )
        try:
            observer = self._make_observer()
            observer.start()
        except OSError as exc:
            hint = limit_hint(exc)
            if hint is not None and not self.polling:
                self._notice(
                    "warning",
                    f"{exc.strerror or exc}; watching by polling instead (slower). "
                    f"To use native events, raise the limit: {hint}",
                )
                self.polling = True
                return self._start_observer()
            self._notice("error", f"cannot watch {self._root}: {exc}; trying again shortly")
            self._restart_at = self.clock() + self._restart_delay
            self._restart_delay = min(self._restart_delay * 2, 30.0)
            return False
        self.observer = observer
        self._restart_delay = 1.0
        return True

    def _check_observer(self, batch: Batch) -> None:
        observer = self.observer
        if observer is not None and _alive(observer):
            return
        if observer is not None:
            self._notice("warning", "file watching stopped; restarting it and rescanning")
            self._stop_observer()
        elif self.clock() < self._restart_at:
            return
        if self._start_observer():
            # Whatever happened while nothing watched is only found by looking.
            batch.rescan = True
            batch.touch(self.clock())

    def _stop_observer(self) -> None:
        observer, self.observer = self.observer, None
        if observer is None:
            return
        with contextlib.suppress(Exception):  # a dead observer may fail to stop cleanly
            observer.stop()
        with contextlib.suppress(RuntimeError):
            observer.join(timeout=5)

    def _notice(self, level: Literal["error", "warning", "info"], message: str) -> None:
        if self.on_notice is not None:
            self.on_notice(Notice(level, message))


def _alive(observer: BaseObserver) -> bool:
    emitters = list(observer.emitters)
    return observer.is_alive() and bool(emitters) and all(e.is_alive() for e in emitters)
