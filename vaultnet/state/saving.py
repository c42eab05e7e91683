"""Saves run in a forked helper process while the build goes on.

The parse cache and the saved people each save their files in a helper when there are many
(``NoteCache.save_in_background``, ``PersonStore.save_in_background``, both through
``in_helper``); the build waits for the helpers before its own save, which writes again
whatever a helper could not.
"""

from __future__ import annotations

import os
from collections.abc import Callable


class Saving:
    """A forked helper's save: ``wait`` waits for it, and calls ``failed`` unless the
    helper says it saved everything it took (exit status 0)."""

    def __init__(self, pid: int, failed: Callable[[], None]) -> None:
        self.pid = pid
        self.failed = failed

    def wait(self) -> None:
        try:
            _, status = os.waitpid(self.pid, 0)
        except OSError:
            status = -1
        if status != 0:
            self.failed()


def in_helper(save: Callable[[], bool], failed: Callable[[], None]) -> Saving | None:
    """Run ``save`` in a forked helper, which leaves without running any cleanup, with
    status 0 when ``save`` says it wrote everything; ``failed`` is called when it did not
    (``Saving.wait``). None when forking is not safe here or fails: nothing ran."""
    from vaultnet.state.forked import can_fork

    if not can_fork():
        return None
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the helper
        try:
            os._exit(0 if save() else 1)
        except BaseException:
            os._exit(1)
    return Saving(pid, failed)
