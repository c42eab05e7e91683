"""Writing a file so that readers see the old bytes or the new, never a mix."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".vaultnet-tmp"  # the watcher ignores files with this suffix


def default_mode() -> int:
    """The permission bits a new file gets under the process's umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_file(
    target: Path, mode: int, *, exclusive: bool = False, durable: bool = True
) -> Iterator[BinaryIO]:
    """A binary file to write that replaces ``target`` only once the block succeeds.

    The bytes go to a temporary file beside ``target``, which is then moved in place;
    readers never see a partial file. ``exclusive`` refuses (FileExistsError) when
    ``target`` exists, atomically: the file is linked into place rather than renamed over
    it. ``durable`` also fsyncs the file and its folder, so the new bytes survive a crash.
    Raises OSError; an exception in the block leaves ``target`` as it was.
    """
    import tempfile  # on first write: a build that writes nothing never needs it

    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp, mode)
        if exclusive:
            os.link(temp, target)
            os.unlink(temp)
        else:
            os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if not durable:
        return
    with contextlib.suppress(OSError):  # make the rename itself durable
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def write_atomic(
    target: Path, data: bytes, mode: int, *, exclusive: bool = False, durable: bool = True
) -> None:
    """Write ``data`` to ``target`` through ``atomic_file`` (same options). Raises OSError."""
    with atomic_file(target, mode, exclusive=exclusive, durable=durable) as handle:
        handle.write(data)
