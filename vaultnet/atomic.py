"""Writing a file so that readers see the old bytes or the new, never a mix.

A write goes to a temporary file beside its target, named
``.<target>.<pid>.<random>.vaultnet-tmp``, which is then moved in place. A process killed
in between leaves that file behind; ``clean_temp_files`` removes such leftovers once the
process whose id the name holds is gone. Builds call it for the output folder and
``.vaultnet/``, editing commands and imports for the folders of the notes they write.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".vaultnet-tmp"  # the watcher ignores files with this suffix
# mkstemp's random part has no dots, so the process id is the last dotted number before it.
_TEMP_NAME = re.compile(
    r"\A\.(?P<target>.+?)(?:\.(?P<pid>\d+))?\.[a-z0-9_]+" + re.escape(TEMP_SUFFIX) + r"\Z"
)
# A temporary file without a process id (written by an older version) is removed only
# once it is this old, so that a run of that version still writing it is not disturbed.
UNOWNED_TEMP_SECONDS = 3600


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

    fd, temp = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=target.parent
    )
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


def clean_temp_files(folder: Path, *, recursive: bool = False, target: str | None = None) -> int:
    """Remove vaultnet's temporary files left in ``folder`` by processes that are gone.

    Only files named as ``atomic_file`` names them are looked at; one whose writer is
    still running (its process id is alive, or this process) is kept. ``recursive`` also
    looks in subfolders (not in hidden ones); ``target`` limits it to the temporary files
    of that one file name. Returns how many were removed; never raises.
    """
    removed = 0
    pending = [str(folder)]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except (OSError, ValueError):  # ValueError: a NUL in the folder's name
            continue
        for entry in entries:
            name = entry.name
            if recursive and not name.startswith("."):
                with contextlib.suppress(OSError):
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                continue
            if not name.endswith(TEMP_SUFFIX):
                continue
            match = _TEMP_NAME.match(name)
            if match is None or (target is not None and match["target"] != target):
                continue
            if _abandoned(entry, match["pid"]):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def _abandoned(entry: os.DirEntry[str], pid_text: str | None) -> bool:
    """Whether no running process can still be writing this temporary file."""
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    if not entry.is_file(follow_symlinks=False):
        return False
    if pid_text is None or os.name != "posix":
        return time.time() - info.st_mtime > UNOWNED_TEMP_SECONDS
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False  # it exists (and is someone else's), or the id is not one
    return False
