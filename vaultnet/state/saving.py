"""Saves run in a forked helper process while the build goes on.

The parse cache and the saved people each save their files in a helper when there are many
(``NoteCache.save_in_background``, ``PersonStore.save_in_background``, both through
``in_helper``); the build waits for the helpers before its own save, which writes again
whatever a helper could not.

The helper is a ``multiprocessing`` process started by forking: it has this process's
memory as it is, with nothing to pickle or import again, and ``multiprocessing`` flushes
the standard streams before the fork and ends the helper without running this process's
cleanup. Its exit code says whether it saved everything it took.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.context import ForkProcess


class Saving:
    """A forked helper's save: ``wait`` waits for it, and calls ``failed`` unless the
    helper says it saved everything it took (exit code 0)."""

    def __init__(self, process: ForkProcess, failed: Callable[[], None]) -> None:
        self.process = process
        self.failed = failed

    def wait(self) -> None:
        self.process.join()
        if self.process.exitcode != 0:
            self.failed()


def _run(save: Callable[[], bool]) -> None:
    """The helper's work: its exit code is 0 only when ``save`` says it wrote everything.
    An exception is a failed save, which this process writes again: it is not printed."""
    try:
        saved = save()
    except BaseException:
        saved = False
    sys.exit(0 if saved else 1)


def in_helper(save: Callable[[], bool], failed: Callable[[], None]) -> Saving | None:
    """Run ``save`` in a forked helper; ``failed`` is called when it did not write
    everything (``Saving.wait``). None when forking is not safe here or fails: nothing ran."""
    from vaultnet.state.forked import can_fork

    if not can_fork():
        return None
    import multiprocessing

    process = multiprocessing.get_context("fork").Process(
        target=_run, args=(save,), name="vaultnet-save", daemon=False
    )
    try:
        process.start()
    except OSError:
        return None
    return Saving(process, failed)
