"""Work split between this process and one forked helper, on a machine's two cores.

Parsing notes is pure (bytes in, plain values out), so a helper's results are the ones
this process would get. The helper parses every other file and writes its results to an
anonymous temporary file in small pickles (each with its own memo, which makes them
quick to load: one large pickle without a memo loads about 3x slower); this process parses
the others meanwhile, then loads them through the cache's safe unpickler (plain values
only). When the helper fails in any way, this process parses its half too.

A helper is forked only where that is safe and pays: on Linux, with no other thread
running (a fork copies locks other threads may hold), for at least ``MIN_FILES`` files.
``can_fork`` also decides for the parse cache's save (cache.py).
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from vaultnet.state.safepickle import SafeUnpickler

if TYPE_CHECKING:
    from vaultnet.source.notes import Note, ParseOptions, Unreadable
    from vaultnet.source.vault import SourceFile

Results = list["Note | Unreadable | None"]
Parse = Callable[
    [Path, "ParseOptions", list["SourceFile"], Callable[[int, int], None] | None], Results
]

MIN_FILES = 2000  # below this, forking and loading cost about what the second core saves
CHUNK = 64  # notes per pickle
_LENGTH = struct.Struct("<Q")


def can_fork() -> bool:
    """Whether a helper process may be forked here and now."""
    return (
        sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and threading.active_count() == 1
        and os.environ.get("VAULTNET_SERIAL") is None
    )


def parse_in_two(
    parse: Parse,
    vault: Path,
    options: ParseOptions,
    sources: list[SourceFile],
    progress: Callable[[int, int], None] | None = None,
) -> Results:
    """``parse(vault, options, sources, progress)``, with a forked helper taking half."""
    if len(sources) < MIN_FILES or not can_fork():
        return parse(vault, options, sources, progress)
    # Every other file: the halves then hold as many people, daily notes and others.
    mine, theirs = sources[0::2], sources[1::2]
    total = len(sources)

    def both(done: int, _count: int) -> None:
        if progress is not None:
            progress(min(2 * done, total - 1), total)  # the helper keeps about the same pace

    try:
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - the with below closes it
    except OSError:
        return parse(vault, options, sources, progress)
    with spool:
        try:
            pid = os.fork()
        except OSError:
            return parse(vault, options, sources, progress)
        if pid == 0:  # the helper: parse, write, and leave without running any cleanup
            try:
                _write(spool, parse(vault, options, theirs, None))
                os._exit(0)
            except BaseException:
                os._exit(1)
        try:
            first = parse(vault, options, mine, both)
        except BaseException:
            _stop(pid)
            raise
        _, status = os.waitpid(pid, 0)
        second = _read(spool, len(theirs)) if status == 0 else None
    if second is None:
        second = parse(vault, options, theirs, None)
    results: Results = [None] * total
    results[0::2] = first
    results[1::2] = second
    return results


def _write(spool: IO[bytes], results: Results) -> None:
    for start in range(0, len(results), CHUNK):
        data = pickle.dumps(results[start : start + CHUNK], protocol=pickle.HIGHEST_PROTOCOL)
        spool.write(_LENGTH.pack(len(data)))
        spool.write(data)
    spool.flush()


def _read(spool: IO[bytes], expected: int) -> Results | None:
    """The helper's results, or None when they are not all there."""
    spool.seek(0)
    results: Results = []
    try:
        while header := spool.read(_LENGTH.size):
            (size,) = _LENGTH.unpack(header)
            # One small pickle at a time: the whole spool at once would add its size
            # (about 9 MB at 10,000 people) to the build's peak memory.
            results.extend(SafeUnpickler(io.BytesIO(spool.read(size))).load())
    except Exception:
        return None
    return results if len(results) == expected else None


def _stop(pid: int) -> None:
    try:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    except OSError:
        pass
