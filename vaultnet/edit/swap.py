"""What the operating system offers for replacing a note beside a running editor.

Two Linux facilities make an edit safe against other programs, and each may be missing:

- a **read lease** (``fcntl(F_SETLEASE, F_RDLCK)``) on a read-only descriptor of the note.
  The kernel grants it only while no process has the note open for writing, and while it is
  held, a program that opens the note for writing (or truncates it) waits in the kernel and
  the lease turns to "breaking". A breaking lease makes the kernel send a signal to the
  lease's owner, SIGIO by default, whose default action ends the process; vaultnet asks for
  SIGURG instead (``F_SETSIG``), which is ignored unless a program set a handler, and then
  clears the owner (``F_SETOWN`` 0) so that no signal is sent at all. Both are set on the
  descriptor, not on the process, so they work from any thread, and never replace a handler.
  Leases are missing on non-Linux systems, on some FUSE and network file systems (EINVAL),
  and for files of another user unless the process has CAP_LEASE (EACCES).
- an **atomic exchange** of two names (``renameat2(RENAME_EXCHANGE)``): the note's name
  then holds the new text and the temporary name holds exactly what was at the note's name
  at that instant, so vaultnet can check what it replaced and put it back. It is missing on
  non-Linux systems, in C libraries older than glibc 2.28, and on file systems that refuse
  the flag (EINVAL), such as some FUSE and network ones.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import signal
import sys
from collections.abc import Callable
from typing import Final

if sys.platform == "linux":
    import fcntl

_RENAME_EXCHANGE: Final = 2
_AT_FDCWD: Final = -100
_NOT_SUPPORTED: Final = frozenset({errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP})
# No lease to be had here: unsupported, or a note of another user without CAP_LEASE.
_NO_LEASES: Final = _NOT_SUPPORTED | {errno.EACCES, errno.EPERM, errno.ENOLCK}


class Unsupported(Exception):
    """The file system or the system has no such facility; use the fallback."""


def take_lease(fd: int) -> bool:
    """Take a read lease on ``fd`` (opened read-only): True when held, False when another
    process has the file open for writing. Raises Unsupported where leases do not work."""
    if sys.platform != "linux":
        raise Unsupported("no leases outside Linux")
    try:
        # Before the lease: the signal a break would send. SIGURG is ignored by default.
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EBUSY):
            return False
        if exc.errno in _NO_LEASES:
            raise Unsupported(exc.strerror) from None
        raise
    # Taking the lease made this process the owner of signals for the descriptor; with no
    # owner, a break sends nothing: vaultnet asks the lease's state instead.
    fcntl.fcntl(fd, fcntl.F_SETOWN, 0)
    return True


def lease_intact(fd: int) -> bool:
    """Whether the lease on ``fd`` still holds: no process waits to write the file, and
    none has it open for writing (one that has opened it but not yet reached the lease
    check counts as well: asking for the lease again fails then)."""
    if sys.platform != "linux":  # pragma: no cover - leases are taken on Linux only
        return False
    try:
        if fcntl.fcntl(fd, fcntl.F_GETLEASE) != fcntl.F_RDLCK:
            return False
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
        fcntl.fcntl(fd, fcntl.F_SETOWN, 0)  # setting the lease again made us the owner
    except OSError:
        return False
    return True


def release_lease(fd: int) -> None:
    """Let go of the lease on ``fd``; a writer waiting on it goes ahead."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """The C library's renameat2, looked up once; None where there is none."""
    if sys.platform != "linux":
        return None
    import ctypes  # only for an edit that writes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    int_, text = ctypes.c_int, ctypes.c_char_p
    function.argtypes = [int_, text, int_, text, ctypes.c_uint]
    function.restype = int_
    return function


def exchange(a: str, b: str) -> None:
    """Swap what the names ``a`` and ``b`` point to, atomically. Raises Unsupported where
    the exchange is not available, OSError otherwise (ENOENT: one name is missing)."""
    function = _renameat2()
    if function is None:
        raise Unsupported("no renameat2 in this C library")
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return
    import ctypes

    code = ctypes.get_errno()
    if code in _NOT_SUPPORTED:
        raise Unsupported(os.strerror(code))
    raise OSError(code, os.strerror(code), a)
