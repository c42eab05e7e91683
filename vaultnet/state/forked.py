"""Parsing on the machine's other cores, through a process pool, and only where it pays.

Parsing notes is pure (bytes in, plain values out), so a worker's results are the ones this
process would get. The files are cut into chunks; the workers take chunks from the end of
the list while this process parses from the front, and hands a worker its next chunk each
time one comes back. A worker slowed down by other programs on its core therefore only
parses less: this process is never left waiting for more than the chunks a worker holds.
A chunk that fails in a worker (an exception, a worker killed) is parsed here. A worker's
results come back pickled by ``safepickle.pack``, so that the chunks share their dates.

A pool is used only where that is safe and pays: on Linux (a forked worker starts at once;
a spawned one would import everything again), with no other thread running (a fork copies
locks other threads may hold), for at least ``MIN_FILES`` files, and only while a core is
idle. On a machine whose other cores are busy, a worker only takes their time from the
programs using them and from this process: its results must also be pickled there and
loaded here, so the same work costs more CPU time in all. ``can_fork`` also decides for
the parse cache's save (cache.py).
"""

from __future__ import annotations

import io
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from vaultnet.source.body import DateMemo
    from vaultnet.source.notes import Note, ParseOptions, Unreadable
    from vaultnet.source.vault import SourceFile

Results = list["Note | Unreadable | None"]


class Parse(Protocol):
    """How files are parsed (``reading.parse_files``): the notes of the batches parsed with
    one ``memo`` share their dates, tags and links."""

    def __call__(
        self,
        vault: Path,
        options: ParseOptions,
        sources: list[SourceFile],
        progress: Callable[[int, int], None] | None = None,
        memo: DateMemo | None = None,
    ) -> Results: ...


MIN_FILES = 5000  # below this, on two cores, a worker costs about what it saves
CHUNK = 128  # files per chunk: small enough that the last one is not long to wait for
AHEAD = 2  # chunks handed to each worker at a time, so that it never waits for the next
MAX_WORKERS = 3  # not measured beyond two cores: this process loads what every worker parsed


def can_fork() -> bool:
    """Whether a helper process may be forked here and now."""
    return (
        sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and threading.active_count() == 1
        and os.environ.get("VAULTNET_SERIAL") is None
    )


def idle_cores() -> int:
    """The cores this process may use that have nothing to run right now: its usable cores
    less the tasks running or waiting to run (this process among them), as Linux counts
    them in /proc/loadavg; 0 when that cannot be read."""
    try:
        usable = len(os.sched_getaffinity(0))
        with open("/proc/loadavg", encoding="ascii") as handle:
            running = int(handle.read().split()[3].split("/")[0])
    except (AttributeError, OSError, ValueError, IndexError):
        return 0
    return usable - running


def parse_in_parallel(
    parse: Parse,
    vault: Path,
    options: ParseOptions,
    sources: list[SourceFile],
    progress: Callable[[int, int], None] | None = None,
) -> Results:
    """``parse(vault, options, sources, progress)``, with workers taking a share where it pays."""
    if len(sources) < MIN_FILES or not can_fork():
        return parse(vault, options, sources, progress)
    workers = min(idle_cores(), MAX_WORKERS)
    if workers < 1:
        return parse(vault, options, sources, progress)
    # Only now: multiprocessing and the pool are slow to import.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    except (OSError, ValueError):
        return parse(vault, options, sources, progress)
    with pool:
        return _Share(parse, vault, options, sources, progress, pool, workers).run()


class _Share:
    """One parse shared between this process (from the front) and the pool (from the back)."""

    def __init__(
        self,
        parse: Parse,
        vault: Path,
        options: ParseOptions,
        sources: list[SourceFile],
        progress: Callable[[int, int], None] | None,
        pool: ProcessPoolExecutor,
        workers: int,
    ) -> None:
        from vaultnet.source.body import DateMemo
        from vaultnet.state.safepickle import Days

        self.parse = parse
        self.vault = vault
        self.options = options
        self.sources = sources
        self.progress = progress
        self.pool = pool
        self.chunks = [sources[i : i + CHUNK] for i in range(0, len(sources), CHUNK)]
        self.results: list[Results | None] = [None] * len(self.chunks)
        self.front = 0  # the next chunk this process parses
        self.back = len(self.chunks)  # the chunks from here on are the pool's
        self.running: dict[Future[bytes], int] = {}  # packed results
        self.slots = workers * AHEAD
        self.done = 0
        self.days = Days()  # the dates of the chunks the pool parsed, by day
        # Shared by the chunks parsed here: each with its own, the notes of a cold build
        # held 44,000 more dates at 10k, and copies of tags and links.
        self.memo = DateMemo()

    def run(self) -> Results:
        """Parse every chunk, here or in the pool, and return the results in order."""
        self._hand_out()
        while self.front < self.back:
            self._collect(wait=False)
            self._hand_out()
            if self.front < self.back:
                self._here(self.front)
                self.front += 1
        while self.running:
            self._collect(wait=True)
        return [result for chunk in self.results for result in (chunk or [])]

    def _hand_out(self) -> None:
        """Give the pool chunks from the back, up to its share of slots."""
        while len(self.running) < self.slots and self.front < self.back:
            self.back -= 1
            try:
                future = self.pool.submit(
                    _packed, self.parse, self.vault, self.options, self.chunks[self.back]
                )
            except Exception:  # a broken pool: the chunk is parsed here
                self._here(self.back)
                continue
            self.running[future] = self.back

    def _collect(self, wait: bool) -> None:
        """Take the results of finished chunks (waiting for the next one if ``wait``)."""
        for future, index in list(self.running.items()):
            if not (wait or future.done()):
                continue
            del self.running[future]
            try:
                result = self._unpacked(future.result())
            except Exception:  # the worker failed or died: parse the chunk here
                result = None
            if not isinstance(result, list) or len(result) != len(self.chunks[index]):
                self._here(index)
            else:
                self._finished(index, result)
            if wait:
                return

    def _unpacked(self, data: bytes) -> Results:
        from vaultnet.state.safepickle import SafeUnpickler

        result: Results = SafeUnpickler(io.BytesIO(data), self.days).load()
        return result

    def _here(self, index: int) -> None:
        chunk = self.chunks[index]
        self._finished(index, self.parse(self.vault, self.options, chunk, None, self.memo))

    def _finished(self, index: int, result: Results) -> None:
        self.results[index] = result
        self.done += len(result)
        if self.progress is not None and self.done < len(self.sources):
            self.progress(self.done, len(self.sources))


def _packed(parse: Parse, vault: Path, options: ParseOptions, sources: list[SourceFile]) -> bytes:
    """``parse`` in a worker, its results pickled by ``safepickle.pack``."""
    from vaultnet.state.safepickle import pack

    return pack(parse(vault, options, sources, None))
