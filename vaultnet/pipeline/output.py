"""The only writer of generated pages.

It writes inside the output folder only (the resolved path is checked, so a symlink cannot
lead out), never over a file that lacks the ``generated_by: vaultnet`` mark, atomically,
and only when the bytes change. It removes marked pages it no longer generates, except
frozen weekly digests.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from vaultnet.atomic import default_mode, write_atomic
from vaultnet.containment import link_on_the_way
from vaultnet.diagnostics import Diagnostic
from vaultnet.errors import OutputError
from vaultnet.render.page import CANVAS_MARK_ID, ICS_MARK, MARK, Page

# The mark counts only as a whole line before the closing fence: a note that merely quotes
# it in its body is the user's, never to be overwritten or removed.
_MARK_IN_FRONT_MATTER = re.compile(
    r"\A\ufeff?---[ \t]*\r?\n(?:(?!---[ \t]*\r?\n)[^\n]*\n){0,40}?"
    + re.escape(MARK)
    + r"[ \t]*\r?$",
    re.MULTILINE,
)
FROZEN_DIRS = ("Digests/",)
_MARK_IN_CALENDAR = re.compile(
    r"\A\ufeff?BEGIN:VCALENDAR\r?\n(?:(?!BEGIN:)[^\n]*\n){0,40}?" + re.escape(ICS_MARK) + r"\r?$",
    re.MULTILINE,
)
# A generated base (``People.base``) is YAML: its mark is a comment among its first lines.
_MARK_IN_COMMENT = re.compile(
    r"\A\ufeff?(?:#[^\n]*\n){0,40}?# " + re.escape(MARK) + r"[ \t]*\r?$", re.MULTILINE
)
# A generated canvas: its first node is the mark (page.py).
_MARK_IN_CANVAS = re.compile(
    r'\A\ufeff?\{\s*"nodes"\s*:\s*\[\s*\{\s*"id"\s*:\s*"' + re.escape(CANVAS_MARK_ID) + '"'
)
# The kinds of file a page can be, by suffix, and where each keeps its mark.
_MARKS = {
    ".md": _MARK_IN_FRONT_MATTER,
    ".ics": _MARK_IN_CALENDAR,
    ".base": _MARK_IN_COMMENT,
    ".canvas": _MARK_IN_CANVAS,
}
PAGE_SUFFIXES = tuple(_MARKS)


@dataclass(slots=True)
class WriteResult:
    """Which pages were written, left as they were, or removed (paths under the output)."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Markdown files without the mark in the output folder: notes of the user's that are
    # never read there (kept, never written over or removed).
    foreign: list[str] = field(default_factory=list)
    # The size and modification time of the files of unchanged pages that the write
    # looked at for a page's state (``Written``): the build record need not again.
    states: dict[str, tuple[int, int]] = field(default_factory=dict)


def is_generated(path: Path) -> bool:
    """Whether the file at ``path`` carries vaultnet's mark: in its front matter; for a
    calendar (``.ics``) in its calendar properties; for a base (``.base``) in a comment at
    its top; for a canvas (``.canvas``) as its first node."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    mark = _MARKS.get(path.suffix.lower(), _MARK_IN_FRONT_MATTER)
    return bool(mark.match(head.decode("utf-8", "replace")))


def _inside(root: Path, relative: str, checked: set[Path] | None = None) -> Path:
    """The absolute path of ``relative`` under ``root``, refusing anything that leads out.

    Folders in ``checked`` are known not to be links (many pages share a few folders).
    """
    target = root.joinpath(*relative.split("/"))
    if ".." in relative.split("/") or not target.is_relative_to(root):
        raise OutputError(f"refusing to write outside the output folder: {relative}")
    current = root
    parts = relative.split("/")
    for index, part in enumerate(parts):
        current = current / part
        is_folder = index < len(parts) - 1
        if is_folder and checked is not None and current in checked:
            continue
        if current.is_symlink():
            raise OutputError(
                "is a symbolic link; vaultnet does not write through links. Remove it",
                str(current),
            )
        if is_folder and checked is not None:
            checked.add(current)
    return target


class Written:
    """The pages a watcher wrote or found up to date, as they were on disk then.

    A page whose file has the same inode, size and modification time as then, and whose
    text is the same, is up to date without reading it again (or checking its path: the
    file is the one that was checked and written). With another text, the file is known to
    be marked and different: it is written without being read first.

    Renaming a page over the last name of its old file frees the old file's blocks inside
    the rename, in time that grows with its size, and the index of a large vault is big. So the
    old file of a page written over is first opened, and closed by ``release``, which a
    watcher calls once it has reported the rebuild; the blocks are freed then. Nothing
    shows in the folder, and a watcher that is killed leaves nothing behind.

    A watcher also reports every change under the output folder (``events``, ``touch``).
    Once a write has looked at the whole folder, a page whose text is the one last written
    and whose file had no event since is up to date without even an ``lstat``, and only
    the files with events, or pages no longer made, can be stale. Anything the events may
    have missed (a rescan, a folder moved, no observer) calls ``distrust``: the next write
    looks at everything again. A page to write is always checked first, so that a file
    that became the user's is never written over.
    """

    def __init__(self) -> None:
        # page path -> (root, (inode, size, mtime), text); or the page itself, for a page
        # taken unread from its file (read_back), which holds its text, or that holds its
        # bytes (Page.encoded)
        self.files: dict[str, tuple[str, tuple[int, int, int], str | Page]] = {}
        self.held: list[int] = []  # open old files of pages written over
        self.events = False  # set by a watcher that calls touch() for every change
        self.trusted: str | None = None  # the output folder the events are known for
        self.touched: set[str] = set()  # paths under it with events since the last write
        self.foreign: set[str] = set()  # unmarked markdown files found in it

    def touch(self, path: str) -> None:
        """A change at ``path`` (under the output folder) since the last write."""
        self.touched.add(path)

    def distrust(self) -> None:
        """Changes may have been missed: the next write looks at every file."""
        self.trusted = None

    def untouched(self, page: Page) -> bool:
        """Whether the page is the text last written, and its file had no event since."""
        known = self.files.get(page.path)
        if known is None or page.path in self.touched:
            return False
        return known[2] is page or known[2] is page.text

    def hold(self, target: Path) -> None:
        """Keep the file at ``target`` open until ``release``, so that renaming a page onto
        it does not free it. Not on Windows, where an open file cannot be renamed over."""
        if os.name != "posix":
            return
        try:
            # No event either: the watcher asks for neither opens nor closes.
            fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:  # the rename frees the old file itself
            return
        self.held.append(fd)

    def release(self) -> None:
        """Let the old files of the pages last written over go."""
        for fd in self.held:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.held.clear()

    def state(self, root: str, page: Page) -> str | None:
        """``same`` when the file holds the page's text as last written; ``ours`` when it is
        the file last written (so it is marked, and differs from the text); else None."""
        known = self.files.get(page.path)
        if known is None or known[0] != root:
            return None
        try:
            info = os.lstat(f"{root}/{page.path}")
        except OSError:
            return None
        if known[1] != (info.st_ino, info.st_size, info.st_mtime_ns):
            return None
        if known[2] is page:
            return "same"
        return "same" if known[2] is page.text or known[2] == page.text else "ours"

    def remember(self, root: str, page: Page) -> None:
        try:
            info = os.lstat(f"{root}/{page.path}")
        except OSError:
            self.files.pop(page.path, None)
            return
        # A page that holds its bytes (Page.encoded) is kept itself, rather than decoded.
        text = page if page.encoded_only else page.text
        self.files[page.path] = (root, (info.st_ino, info.st_size, info.st_mtime_ns), text)


def foreign_notes(output_dir: str, paths: list[str]) -> list[Diagnostic]:
    """A warning for each note of the user's found in the output folder (``paths``,
    relative to it): never read there."""
    return [
        Diagnostic(
            f"{output_dir}/{path}",
            None,
            "warning",
            f"a note in the output folder, which vaultnet only writes and never reads: it "
            f"is left out. Move it out of {output_dir}/, or choose another output_dir",
        )
        for path in paths
    ]


def read_back(
    output: Path, reused: Mapping[str, tuple[int, int, int]], pages: Iterable[Page]
) -> Written | None:
    """The pages a one-shot build's render took from the files the last build wrote
    (``reused``: each one's file state, pagestore.py), as ``Written`` knows the pages a
    watcher wrote: the same page in the same file, which the writer need not read. None
    when there are none."""
    if not reused:
        return None
    root = str(output.resolve() if output.exists() else output.absolute())
    written = Written()
    for page in pages:
        state = reused.get(page.path)
        if state is not None:
            written.files[page.path] = (root, state, page)
    return written


def write_pages(
    output_root: Path,
    pages: Iterable[Page],
    dry_run: bool = False,
    frozen: Iterable[str] = (),
    written: Written | None = None,
    vault: Path | None = None,
) -> WriteResult:
    """Write ``pages`` under ``output_root``; see the module docstring for the rules.

    ``frozen`` pages (past weekly digests) are never rewritten. Raises OutputError before
    writing anything when a page would overwrite an unmarked file or leave the folder.
    With ``vault``, no folder from the vault down to ``output_root`` may be a link either.
    ``written`` (a watcher's) spares reading pages it knows are up to date, and with its
    events, looking at them and at the rest of the folder.
    """
    result = WriteResult()
    if output_root.is_symlink():
        raise OutputError(
            "the output folder is a symbolic link; refusing to write through it", str(output_root)
        )
    if vault is not None and output_root.is_relative_to(vault):
        # Checked on every write, a watcher's too: a few lstat calls, and a folder above
        # the output folder can become a link while vaultnet runs.
        link = link_on_the_way(vault, output_root.relative_to(vault).as_posix())
        if link is not None:
            raise OutputError(
                "is a symbolic link on the way to the output folder; vaultnet does not "
                "write through links. Replace it with a real folder",
                str(vault / link),
            )
    root = output_root.resolve() if output_root.exists() else output_root.absolute()
    root_text = str(root)
    # The page, its file, its bytes if they were needed to compare, and whether it is ours.
    # A new page is encoded only when written: the bytes of every page of a cold build
    # would otherwise be held at once beside their texts.
    plan: list[tuple[Page, Path, bytes | None, bool]] = []
    frozen_set = set(frozen)
    folders: set[Path] = set()
    trusted = written is not None and written.trusted == root_text
    for page in pages:
        if page.path in frozen_set:
            continue
        if trusted and written is not None and written.untouched(page):
            result.unchanged.append(page.path)
            continue
        state = written.state(root_text, page) if written is not None else None
        if state == "same":
            assert written is not None
            result.unchanged.append(page.path)
            _, (_, size, mtime), _ = written.files[page.path]  # as state() found it
            result.states[page.path] = (size, mtime)
            continue
        # Even a file known as written last time: a folder above it may be a link now.
        target = _inside(root, page.path, folders)
        if state == "ours":
            plan.append((page, target, None, True))  # as written last time: marked, changed
            continue
        data = None
        if target.exists():
            if not target.is_file() or not is_generated(target):
                raise OutputError(
                    "exists and was not generated by vaultnet (it has no 'generated_by: "
                    "vaultnet' mark); move it away or change output_dir",
                    str(target),
                )
            data = page.data()
            try:
                if target.read_bytes() == data:
                    result.unchanged.append(page.path)
                    if written is not None:
                        written.remember(root_text, page)
                    continue
            except OSError:
                pass
        plan.append((page, target, data, False))
    wanted = {page.path for page in pages}

    def skip(relative: str) -> bool:
        return relative in wanted or relative.startswith(FROZEN_DIRS)

    foreign: list[str] = []
    if trusted and written is not None:
        # Only a file with an event, or a page made before and not now, can be stale.
        maybe = (written.touched | written.files.keys()) - wanted
        stale = sorted(p for p in maybe if _may_be_page(p) and _is_marked(root, p, skip, foreign))
        # The notes known from the last look at the folder, updated by the files with events.
        foreign = sorted((written.foreign - written.touched) | set(foreign))
    else:
        stale = _marked_pages(root, skip, foreign)
    result.foreign = foreign
    if dry_run:
        result.written = [page.path for page, _, _, _ in plan]
        result.removed = stale
        return result
    if written is not None:
        written.release()  # the last write's, if nobody did
    try:
        for page, target, data, ours in plan:
            if ours and written is not None:
                written.hold(target)
            try:
                _atomic_write(target, data if data is not None else page.data())
            except OSError as exc:
                raise OutputError(_cannot_write(exc), str(target)) from None
            result.written.append(page.path)
            if written is not None:
                written.remember(root_text, page)
    except BaseException:
        if written is not None:
            written.distrust()  # some pages may be half done: look at everything next time
        raise
    for relative in stale:
        try:
            (root / relative).unlink()
            result.removed.append(relative)
        except OSError:
            continue
    if written is not None:
        for relative in [p for p in written.files if p not in wanted]:
            del written.files[relative]
        # Every file with an event was looked at, and the whole folder if not trusted.
        written.foreign = set(foreign)
        written.touched.clear()
        written.trusted = root_text if written.events else None
    return result


def _may_be_page(relative: str) -> bool:
    """Whether a file at ``relative`` could be a page, by its name (as _marked_pages)."""
    folders = relative.split("/")[:-1]
    return relative.endswith(PAGE_SUFFIXES) and not any(f.startswith(".") for f in folders)


def _is_marked(
    root: Path,
    relative: str,
    skip: Callable[[str], bool],
    foreign: list[str] | None = None,
    walked: bool = False,
) -> bool:
    """Whether the file at ``relative`` is a page to remove if not made again: marked,
    not skipped, reached without a link. A markdown file without the mark goes to
    ``foreign``.

    ``walked``: found by a walk that follows no link, so only the file itself may be one.
    """
    if skip(relative):
        return False
    path = root.joinpath(*relative.split("/"))
    if not path.is_file():
        return False
    if path.is_symlink() if walked else link_on_the_way(root, relative) is not None:
        return False
    if is_generated(path):
        return True
    if foreign is not None and relative.lower().endswith(".md"):
        foreign.append(relative)
    return False


def _marked_pages(
    root: Path, skip: Callable[[str], bool], foreign: list[str] | None = None
) -> list[str]:
    """Pages vaultnet generated under ``root`` (their mark checked), except those skipped;
    markdown files without the mark go to ``foreign``."""
    if not root.is_dir():
        return []
    found = []
    top = str(root)
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        prefix = os.path.relpath(folder, top).replace(os.sep, "/") + "/"
        if prefix == "./":
            prefix = ""
        for name in sorted(files):
            if not name.endswith(PAGE_SUFFIXES):
                continue
            relative = prefix + name
            if _is_marked(root, relative, skip, foreign, walked=True):
                found.append(relative)
    return found


def _cannot_write(exc: OSError) -> str:
    """Why a page could not be written, and what to do about it."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        return f"cannot write the page ({reason}); free some space and build again"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return (
            f"cannot write the page: {exc.filename} is a file, not a folder; move it away "
            "or change output_dir"
        )
    return f"cannot write the page ({reason})"


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Pages are made again from the notes by the next build: atomic, but not worth an fsync.
    write_atomic(target, data, default_mode(), durable=False)
