"""The note files: reading a note to edit it, and replacing it so that no save is ever lost.

vaultnet edits notes that an editor (Obsidian, vim, a sync tool) may be saving at the same
moment. Editors save in one of a few ways: in place (truncate, then write), by writing a
temporary file and renaming it over the note, by vim's dance (rename the note to a backup,
write a new note, delete the backup), or by deleting and recreating the note. An edit must
never throw away bytes such a save wrote, never leave a note empty or half-written, and
never report an edit done that did not stick. So, on Linux:

1. vaultnet processes take turns through a lock file in ``.vaultnet/`` (``filelock``).
2. The note is opened read-only and a read lease is taken on it (see ``swap``) before it
   is read. The kernel refuses the lease while a program has the note open for writing (an
   editor in the middle of an in-place save): vaultnet waits and tries again, for at most
   ``QUIET_TIMEOUT`` seconds, then refuses. While the lease is held, a program that opens
   the note to write it waits in the kernel, and the lease shows it.
3. The note is read, changed and checked, and the new text written to a temporary file
   beside it and flushed to disk, all under the lease. The temporary file gets a lease too.
4. The two names are exchanged atomically: the note's name holds the new text, the
   temporary name whatever was at the note's name at that instant. After a short grace
   (``GRACE``, for an ``open()`` that began just before the exchange to reach the kernel's
   lease check), vaultnet checks that what it took away is the file it read, unchanged, and
   that no program waits to write it or has it open for writing. Only then is the old file
   removed and the lease let go. Otherwise the exchange is undone (a writer waiting on the
   old file then writes it at the note's name), and the edit is tried again on the new text.
5. A note read empty, or without front matter when the edit needs it (person notes), is
   taken for one caught in the middle of a save: vaultnet waits and reads again, then
   refuses.

Where a facility is missing (see ``swap``), the edit falls back, each step as close to the
above as the system allows:

- without leases (non-Linux, some FUSE and network file systems, another user's note): the
  note must be quiet before it is read (its size and time unchanged over ``QUIET_INTERVAL``
  and not modified in the last ``QUIET_AGE`` seconds), and after the exchange the file taken
  away is compared byte for byte with what was read. An in-place writer that writes after
  that comparison, within microseconds, is not seen.
- without the exchange (non-Linux, older C libraries, file systems that refuse it): the note
  is checked once more just before it is replaced, a hard link keeps the old file reachable
  while the new one is renamed into place, and if the old file changed meanwhile it is put
  back. A program that renames its own file over the note in the microseconds between that
  check and the rename loses that save.

``docs/reliability.md`` states these limits. Temporary files are named as ``atomic`` names
them (``.<note>.<pid>.<random>.vaultnet-tmp``), so that ``atomic.clean_temp_files``, which
the editing commands and imports run on the folders they write, removes one left by a
killed process.

``EditResult`` and ``_Opened`` are named tuples, not dataclasses: a class made at import in a
fifth of the time (docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final, NamedTuple

from vaultnet.atomic import TEMP_SUFFIX, default_mode
from vaultnet.edit import swap
from vaultnet.edit.scanner import (
    EditError,
    _content,
    _eol,
    _parse,
    _read_note,
    _split_lines,
    _Unreadable,
)
from vaultnet.edit.values import _verify
from vaultnet.source import document

LOCK_NAME: Final = "edit.lock"
LOCK_TIMEOUT: Final = 10.0  # seconds to wait for another vaultnet process's edit
QUIET_TIMEOUT: Final = 2.0  # seconds to wait for another program to finish saving a note
MISSING_TIMEOUT: Final = 0.3  # seconds to wait for a note whose name is empty to come back
GRACE: Final = 0.005  # after the exchange: for an open() that began before it
QUIET_INTERVAL: Final = 0.05  # without leases: the note must not change over this long
QUIET_AGE: Final = 0.2  # without leases: nor have changed this recently
BUSY: Final = "not edited: the note is being changed by another program; nothing written; try again"
_BOM_BYTES = b"\xef\xbb\xbf"
_READ_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)  # never wait on a FIFO, or on another program's lease
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class EditResult(NamedTuple):
    """The outcome of ``edit_note``: whether the note changed (or would, in a dry run)."""

    path: Path
    changed: bool
    diff: str


class _Busy(Exception):
    """Another program is saving the note: wait, then read it again."""


class _Missing(_Busy):
    """No note at the path: perhaps for a moment (vim's save, a delete and create)."""


def diff(old: str, new: str, path: str) -> str:
    """A unified diff of an edit, the way ``git diff`` shows it (for ``--dry-run``)."""
    rows = []
    lines = difflib.unified_diff(_split_lines(old), _split_lines(new), f"a/{path}", f"b/{path}")
    for number, row in enumerate(lines):
        if number < 2 or row.startswith("@@"):
            rows.append(row.rstrip("\n"))
            continue
        rows.append(row[0] + _content(row[1:]))
        if not _eol(row):
            rows.append("\\ No newline at end of file")
    return "".join(row + "\n" for row in rows)


def edit_note(
    path: Path,
    transform: Callable[[str], str],
    *,
    expect_keys: frozenset[str] | None,
    body_change: bool,
    dry_run: bool = False,
    lock_dir: Path | None = None,
    front_matter_required: bool = False,
) -> EditResult:
    """Apply ``transform`` (text to text) to the note at ``path`` and save it safely.

    The result is read back and refused unless only the front matter keys in
    ``expect_keys`` changed (None: the front matter must stay exactly as it is) and, unless
    ``body_change``, the body is unchanged. The note is replaced atomically, keeping its
    permissions, BOM and UTF-8 encoding, and never over a save of another program: while one
    is saving, the edit waits and is made again on the new text, and after
    ``QUIET_TIMEOUT`` seconds it is refused (EditError, nothing written). With
    ``front_matter_required``, a note read without front matter counts as one being saved.
    With ``lock_dir``, vaultnet processes take turns through a lock file there. A dry run
    writes nothing and reports the diff.
    """
    locked = _locked(lock_dir) if lock_dir is not None and not dry_run else None
    with locked or contextlib.nullcontext():
        started = time.monotonic()
        pause = 0.01
        while True:
            try:
                return _attempt(
                    path, transform, expect_keys, body_change, dry_run, front_matter_required
                )
            except _Missing:
                if time.monotonic() - started >= MISSING_TIMEOUT:
                    raise EditError("not edited: there is no such note", str(path)) from None
                time.sleep(0.01)
            except _Busy:
                if time.monotonic() - started >= QUIET_TIMEOUT:
                    raise EditError(BUSY, str(path)) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.2)
            except EditError as exc:
                exc.path = exc.path or str(path)
                raise


class _Opened(NamedTuple):
    """A note open for reading, as read: its descriptor, bytes and status."""

    fd: int
    data: bytes
    stat: os.stat_result
    leased: bool


def _attempt(
    path: Path,
    transform: Callable[[str], str],
    expect_keys: frozenset[str] | None,
    body_change: bool,
    dry_run: bool,
    front_matter_required: bool,
) -> EditResult:
    with _open_note(path) as note:
        text, bom = _decode(note.data, path)
        if front_matter_required and not _has_front_matter(text):
            raise _Busy  # caught between an editor's truncate and its write
        new_text = transform(text)
        if new_text == text:
            return EditResult(path, False, "")
        _verify(_parse(text), new_text, expect_keys, body_change)
        shown = diff(text, new_text, str(path))
        if dry_run:
            return EditResult(path, True, shown)
        try:
            data = (_BOM_BYTES if bom else b"") + new_text.encode("utf-8")
        except UnicodeEncodeError:
            raise EditError(
                "not edited: the new text has characters that cannot be saved as UTF-8"
            ) from None
        try:
            _replace(path, note, data)
        except OSError as exc:
            raise EditError(f"not edited: cannot write the note ({exc.strerror})") from exc
        return EditResult(path, True, shown)


def _has_front_matter(text: str) -> bool:
    try:
        return _read_note(text).close is not None
    except _Unreadable:
        return True  # the edit itself says what is wrong with it


@contextlib.contextmanager
def _open_note(path: Path) -> Iterator[_Opened]:
    """Open the note, take a lease on it (or wait for quiet) and read it."""
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise EditError(
                "not edited: the note is a symbolic link; vaultnet does not edit through links"
            )
    except FileNotFoundError:
        raise _Missing from None
    except OSError as exc:
        raise EditError(f"not edited: cannot read the note ({exc.strerror})") from None
    try:
        fd = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        raise _Missing from None  # renamed away a moment ago: vim's save, a delete and create
    except BlockingIOError:
        raise _Busy from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _Busy from None  # a link put in its place since: look again
        raise EditError(f"not edited: cannot read the note ({exc.strerror})") from None
    leased = False
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise EditError("not edited: the note is not a regular file")
        if before.st_nlink > 1:
            raise EditError(
                "not edited: the note has other hard links, which replacing it would split off"
            )
        try:
            if not swap.take_lease(fd):
                raise _Busy
            leased = True
        except swap.Unsupported:
            _wait_quiet(fd)
            before = os.fstat(fd)
        data = _read_all(fd)
        after = os.fstat(fd)
        if not _same_content_stat(before, after) or len(data) != after.st_size:
            raise _Busy
        if not _same_file(os.lstat(path), after):
            raise _Busy  # the note's name no longer points to what was read
        yield _Opened(fd, data, after, leased)
    except (FileNotFoundError, InterruptedError):
        raise _Busy from None
    finally:
        if leased:
            swap.release_lease(fd)
        os.close(fd)


def _read_all(fd: int) -> bytes:
    """The whole file, from its start, whatever was read from ``fd`` before."""
    chunks: list[bytes] = []
    os.lseek(fd, 0, os.SEEK_SET)
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _wait_quiet(fd: int) -> None:
    """Without a lease: wait until the note has stopped changing (_Busy if it has not)."""
    first = os.fstat(fd)
    time.sleep(QUIET_INTERVAL)
    second = os.fstat(fd)
    if not _same_content_stat(first, second):
        raise _Busy
    age = time.time() - second.st_mtime_ns / 1e9
    if 0 <= age < QUIET_AGE:
        raise _Busy


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _same_file(a: os.stat_result | None, b: os.stat_result) -> bool:
    return a is not None and (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _same_content_stat(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_size, a.st_mtime_ns) == (b.st_size, b.st_mtime_ns)


def _untouched(note: _Opened) -> bool:
    """Whether the note's old file is as read, and no program writes it or waits to."""
    if not _same_content_stat(os.fstat(note.fd), note.stat):
        return False
    if note.leased:
        return swap.lease_intact(note.fd)
    return _read_all(note.fd) == note.data


# --- replacing a note ----------------------------------------------------------------------


def _temp_path(target: Path) -> Path:
    """A temporary file's name beside ``target``, as ``atomic.clean_temp_files`` knows it."""
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _write_temp(temp: Path, data: bytes, mode: int) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(temp, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0), mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)  # the umask may have taken bits away
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(path: Path, note: _Opened, data: bytes) -> None:
    """Put ``data`` at ``path`` in place of the file ``note`` read; _Busy if another
    program saved the note meanwhile (then nothing is written)."""
    temp = _temp_path(path)
    _write_temp(temp, data, stat.S_IMODE(note.stat.st_mode))
    try:
        ours = os.open(temp, _READ_FLAGS)
        try:
            _swap_in(path, temp, note, ours)
        finally:
            swap.release_lease(ours)
            os.close(ours)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    _sync_folder(path.parent)


def _swap_in(path: Path, temp: Path, note: _Opened, ours: int) -> None:
    """Exchange the new file ``temp`` (open as ``ours``) with the note, and keep the
    exchange only if what it took away is the note as read, untouched.

    Between the exchange and its undoing, the new text is visible at the note's name; so
    everything that can be checked before is checked before, and the undoing is at once.
    """
    ours_stat = os.fstat(ours)
    ours_leased = False
    with contextlib.suppress(swap.Unsupported):
        ours_leased = swap.take_lease(ours)
    if not _same_file(_stat(path), note.stat) or not _untouched(note):
        raise _Busy  # saved meanwhile (while the new text was flushed, say)
    try:
        swap.exchange(str(temp), str(path))
    except swap.Unsupported:
        _replace_without_exchange(path, temp, note)
        return
    except FileNotFoundError:
        raise _Busy from None  # the note's name is empty for a moment: a save under way
    if _same_file(_stat(temp), note.stat):
        time.sleep(GRACE)
        if _untouched(note):
            os.unlink(temp)  # the old text, replaced
            return
    # Another program saved the note meanwhile: give its file back the note's name, unless
    # a program has started writing our new file, which then has to stay where it is.
    if _same_file(_stat(path), ours_stat) and _ours_untouched(ours, ours_stat, ours_leased):
        swap.exchange(str(temp), str(path))
        if _same_file(_stat(temp), ours_stat) and _ours_untouched(ours, ours_stat, ours_leased):
            raise _Busy
    _keep(path, temp)


def _ours_untouched(fd: int, before: os.stat_result, leased: bool) -> bool:
    if not _same_content_stat(os.fstat(fd), before):
        return False
    return swap.lease_intact(fd) if leased else True


def _keep(path: Path, temp: Path) -> None:
    """Two programs saved the note while vaultnet replaced it, and only one file can have
    its name: the other is kept beside it under a name the user is told."""
    kept = path.with_name(f"{path.name[:150]}.kept-{secrets.token_hex(3)}")
    os.rename(temp, kept)
    raise EditError(
        "not edited: the note is being changed by another program; nothing written; "
        f"a save it made meanwhile is kept in {kept.name!r} (compare the two); try again"
    )


def _replace_without_exchange(path: Path, temp: Path, note: _Opened) -> None:
    """Rename ``temp`` over the note, holding on to the old file by a hard link so that a
    save made into it just before the rename can be put back."""
    ours = os.lstat(temp)
    backup = _temp_path(path)
    try:
        os.link(path, backup)
        linked = _same_file(_stat(backup), note.stat)
    except OSError:
        linked = False  # no hard links here: the old text can still be written back
    try:
        if not _same_file(_stat(path), note.stat) or not _untouched(note):
            raise _Busy
        os.replace(temp, path)
        time.sleep(GRACE)
        if _untouched(note):
            return
        # Written into just before the rename: the old file's text goes back in place.
        if not _same_file(_stat(path), ours):
            if linked:
                _keep(path, backup)  # and a third save has replaced ours since
            raise _Busy
        if linked:
            os.replace(backup, path)
        else:
            _write_temp(temp, _read_all(note.fd), stat.S_IMODE(note.stat.st_mode))
            os.replace(temp, path)
        raise _Busy
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(backup)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- reading ------------------------------------------------------------------------------


def _decode(data: bytes, path: Path) -> tuple[str, bool]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise EditError(
            "not edited: the note is saved as UTF-16; vaultnet edits UTF-8 notes only "
            "(save it as UTF-8 first)",
            str(path),
        )
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise EditError("not edited: the note contains a NUL byte; is it text?", str(path), line)
    try:
        return document.decode(data)
    except document.DocumentError as exc:
        raise EditError(f"not edited: {exc.message}", str(path), exc.line) from None


# --- the lock between vaultnet processes ----------------------------------------------------


@contextlib.contextmanager
def _locked(lock_dir: Path) -> Iterator[None]:
    """Hold the exclusive edit lock in ``lock_dir`` (created if missing)."""
    from filelock import FileLock, Timeout

    lock_path = lock_dir / LOCK_NAME
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(lock_path, timeout=LOCK_TIMEOUT)
        lock.acquire(poll_interval=0.02)
    except Timeout:
        raise EditError(
            f"not edited: another vaultnet process held the edit lock for "
            f"{LOCK_TIMEOUT:g} seconds; try again",
            str(lock_path),
        ) from None
    except OSError as exc:
        raise EditError(f"cannot open the edit lock ({exc.strerror})", str(lock_path)) from exc
    try:
        yield
    finally:
        lock.release()


# --- creating a note ------------------------------------------------------------------------


def create_note(path: Path, text: str) -> None:
    """Create a new note, whole or not at all; never replaces a file (EditError when one
    exists). The text is checked first: it must read back as a note with front matter."""
    try:
        if _parse(text).close is None:
            raise EditError("the note would have no front matter")
    except EditError as exc:
        raise EditError(f"not created: {exc.message}", str(path)) from None
    temp = _temp_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_temp(temp, text.encode("utf-8"), default_mode())
        os.link(temp, path)  # unlike a rename, never over an existing file
    except FileExistsError:
        raise EditError("not created: a file of that name already exists", str(path)) from None
    except OSError as exc:
        raise EditError(f"not created: {exc.strerror}", str(path)) from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    _sync_folder(path.parent)
