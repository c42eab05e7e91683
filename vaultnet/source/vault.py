"""Finding the vault's notes and reading them (the only input IO).

``Scan`` is a named tuple, not a dataclass: a class made at import in a fifth of the time
(docs/performance.md, "Imports that cost what the build uses").

The scan sorts its files by path alone rather than as tuples: at 10k, 2.5 ms against 4–5.5
in a new process. It looks at a folder's entries in name order, so that its notes come
out nearly in path order: the sort after finds them so at once, and, made in that order,
they lie in memory in it, which the fingerprint and the build's table of files read in
turn (the walk, the sort, the table and the fingerprint at 10k, in CPU time, medians of
20 new processes: 64.5 ms against 69.5; at 50k 378 against 403).

Names that differ only in case are looked for apart (``case_collisions``), once a build
is past its early stop: they follow from the paths, which the build's fingerprint holds,
and looking took 6–8 ms of a build with nothing changed at 10k.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat as stat_module
import unicodedata
from collections.abc import Collection
from operator import attrgetter
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from vaultnet.config import Config
from vaultnet.diagnostics import Diagnostic

if TYPE_CHECKING:
    from vaultnet.source.notes import ParseOptions

_SYNC_CONFLICT = re.compile(
    r"\.sync-conflict-\d{8}-\d{6}|\(.*conflicted copy.*\)|\bconflict(ed)?[ -]copy\b",
    re.IGNORECASE,
)
_ALWAYS_SKIPPED = frozenset({"node_modules"})
# Where the platform can, a folder is listed through a descriptor, and each file's stat
# resolves one name relative to it rather than its whole path (15 % faster on Linux).
_BY_DESCRIPTOR = os.scandir in os.supports_fd and hasattr(os, "O_DIRECTORY")


class SourceFile(NamedTuple):
    """A markdown file of the vault: its vault path (``/``-separated) and stat identity."""

    path: str  # NFC-normalised, for display and link resolution
    size: int
    mtime_ns: int
    candidate: bool  # under people_dirs, so it may be a person note
    disk: str  # the path as the file system spells it (NFD on some Macs)


class Scan(NamedTuple):
    """What a walk of the vault found."""

    files: tuple[SourceFile, ...]
    diagnostics: tuple[Diagnostic, ...]
    ignored: int  # excluded folders and files skipped


def parse_options(config: Config) -> ParseOptions:
    """The parsing options a config implies (part of the cache key)."""
    from vaultnet.source.notes import ParseOptions, daily_patterns

    return ParseOptions(
        log_headings=config.log_headings,
        daily_pattern=daily_patterns(
            ((config.daily_folder, config.daily_format), *config.periodic_daily)
        ),
        max_front_matter_kb=config.max_front_matter_kb,
        people_folders=tuple(d + "/" for d in config.people_dirs if d != "."),
    )


def scan(config: Config) -> Scan:
    """Walk the vault and list its notes in path order, skipping what is not the user's.

    Dot-folders, ``node_modules``, excluded folders, Obsidian template folders and the output
    folder are skipped; sync-conflict copies and iCloud placeholders are reported. Symlinked
    folders are followed once; loops end the walk. File names that differ only in case are
    found by ``case_collisions``, from the paths.
    """
    files: list[SourceFile] = []
    diagnostics: list[Diagnostic] = []
    rules = _Rules(config)
    ignored = _walk(config.vault, rules, files, diagnostics)
    files.sort(key=attrgetter("path"))  # no two files share one
    return Scan(tuple(files), tuple(diagnostics), ignored)


class _Rules:
    """Which files of the vault are notes to read, and which are skipped or reported."""

    def __init__(self, config: Config) -> None:
        self.excluded = [e.strip("/") for e in config.exclude]
        self.skipped_dirs = {config.output_dir, *config.template_folders}
        self.everywhere = "." in config.people_dirs
        self.people_prefixes = tuple(p + "/" for p in config.people_dirs)
        self.max_bytes = config.max_note_kb * 1024
        self.max_kb = config.max_note_kb
        self.file_patterns = [p for p in self.excluded if "*" in p]
        self.follow_outside = config.follow_outside_links

    def folder_excluded(self, rel: str) -> bool:
        """Whether a folder (vault path) is skipped with everything in it."""
        if rel in self.skipped_dirs:
            return True
        name = rel.rsplit("/", 1)[-1]
        for pattern in self.excluded:
            if rel == pattern or name == pattern or fnmatch.fnmatchcase(rel, pattern):
                return True
        return False

    def classify(
        self, rel: str, disk: str, size: int, mtime_ns: int, folders_checked: bool = False
    ) -> SourceFile | Diagnostic | None:
        """A note to read, a diagnostic for a file to skip, or None for an ignored file."""
        if folders_checked:
            if self.file_patterns and any(
                fnmatch.fnmatchcase(rel, pattern) for pattern in self.file_patterns
            ):
                return None
        elif is_excluded(rel, self.excluded, self.skipped_dirs):
            return None
        name = rel.rsplit("/", 1)[-1]
        if "onflict" in name.lower() and _SYNC_CONFLICT.search(name):
            return Diagnostic(
                rel,
                None,
                "warning",
                "sync conflict copy; skipped. Merge it into the original note and delete it",
            )
        if size > self.max_bytes:
            return Diagnostic(
                rel,
                None,
                "warning",
                f"note is {size / 1048576:.1f} MB, above max_note_kb ({self.max_kb}); skipped",
            )
        candidate = self.everywhere or rel.startswith(self.people_prefixes)
        return SourceFile(rel, size, mtime_ns, candidate, disk)


def source_file(config: Config, rel: str) -> SourceFile | Diagnostic | None:
    """Classify one vault path (``/``-separated) as ``scan`` would; None when not a note.

    Used for incremental rebuilds, when the watcher names the files that changed.
    """
    parts = rel.split("/")
    if any(part.startswith(".") or part in _ALWAYS_SKIPPED for part in parts):
        return None
    if not rel.lower().endswith(".md"):
        return None
    disk = rel
    path = config.vault / PurePosixPath(rel)
    try:
        info = os.lstat(path)
        if stat_module.S_ISLNK(info.st_mode):  # as the scan decides for a link
            real_root = os.path.realpath(config.vault)
            verdict = _link_verdict(str(path), rel, "note", real_root, config.follow_outside_links)
            if verdict is not True:
                return verdict or None
            info = os.stat(path)
    except OSError:
        return None
    if not stat_module.S_ISREG(info.st_mode):
        return None
    return _Rules(config).classify(
        unicodedata.normalize("NFC", rel), disk, info.st_size, info.st_mtime_ns
    )


def is_excluded(rel: str, excluded: list[str], skipped_dirs: set[str]) -> bool:
    """Whether a vault path lies in an excluded or skipped folder, or matches a glob."""
    parts = rel.split("/")
    for depth in range(1, len(parts)):
        folder = "/".join(parts[:depth])
        if folder in skipped_dirs:
            return True
        for pattern in excluded:
            if folder == pattern or parts[depth - 1] == pattern:
                return True
            if fnmatch.fnmatchcase(folder, pattern):
                return True
    return any(fnmatch.fnmatchcase(rel, pattern) for pattern in excluded if "*" in pattern)


def _walk(root: Path, rules: _Rules, files: list[SourceFile], diagnostics: list[Diagnostic]) -> int:
    """Add the notes under ``root`` to ``files`` (in no order) and return how many folders
    and files the rules skipped."""
    walk = _Walk(root, rules, files, diagnostics)
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[str, str, str]] = [(str(root), "", "")]
    while stack:
        folder, rel_folder, disk_folder = stack.pop()
        try:
            fd, identity, entries = _list_folder(folder)
        except OSError as exc:
            diagnostics.append(
                Diagnostic(
                    rel_folder or ".", None, "warning", f"cannot read folder: {exc.strerror}"
                )
            )
            continue
        try:
            if identity in seen:
                continue
            seen.add(identity)
            subfolders = walk.folder(folder, rel_folder, disk_folder, entries)
        finally:
            _close(fd)  # each entry's stat needs the folder open
        subfolders.sort(reverse=True)  # visited in name order, so loops end the same way
        stack.extend(subfolders)
    return walk.ignored


class _Walk:
    """What a walk of the vault has found so far."""

    def __init__(
        self, root: Path, rules: _Rules, files: list[SourceFile], diagnostics: list[Diagnostic]
    ) -> None:
        self.root = root
        self.rules = rules
        self.files = files
        self.diagnostics = diagnostics
        self.ignored = 0
        self.real_root = os.path.realpath(root)

    def folder(
        self, folder: str, rel_folder: str, disk_folder: str, entries: list[os.DirEntry[str]]
    ) -> list[tuple[str, str, str]]:
        """Take a folder's notes and return its subfolders to walk.

        In a large vault this loop is most of a warm build's time, so the common file (a
        plain name, no file globs, not too large) is decided inline.
        """
        rules = self.rules
        files = self.files
        diagnostics = self.diagnostics
        plain = not rules.file_patterns
        max_bytes = rules.max_bytes
        new = tuple.__new__
        prefix = f"{rel_folder}/" if rel_folder else ""
        disk_prefix = f"{disk_folder}/" if disk_folder else ""
        candidate = rules.everywhere or prefix.startswith(rules.people_prefixes)
        same_spelling = prefix == disk_prefix
        subfolders: list[tuple[str, str, str]] = []
        for entry in entries:
            disk_name = entry.name
            name = disk_name if disk_name.isascii() else unicodedata.normalize("NFC", disk_name)
            if name[0] == ".":
                if name.endswith(".md.icloud"):
                    diagnostics.append(_evicted(prefix + name[1 : -len(".icloud")]))
                continue
            rel = prefix + name
            # the common case: the file system spells it in NFC
            disk = rel if same_spelling and name == disk_name else disk_prefix + disk_name
            lowered = name.lower()
            try:
                if lowered.endswith(".md") and entry.is_file():
                    if entry.is_symlink() and not self._outside(entry, folder, rel, "note"):
                        continue  # the note it points to is read under its own name
                    info = entry.stat()
                    size = info.st_size
                    if plain and size <= max_bytes and "onflict" not in lowered:
                        files.append(
                            new(SourceFile, (rel, size, info.st_mtime_ns, candidate, disk))
                        )
                        continue
                    self._take(
                        rules.classify(rel, disk, size, info.st_mtime_ns, folders_checked=True)
                    )
                elif entry.is_dir() and name not in _ALWAYS_SKIPPED:
                    if rules.folder_excluded(rel):
                        self.ignored += 1
                    elif entry.is_symlink() and not self._outside(entry, folder, rel, "folder"):
                        pass  # walked under its own name
                    else:
                        subfolders.append((f"{folder}/{disk_name}", rel, disk))
            except OSError as exc:
                diagnostics.append(Diagnostic(rel, None, "warning", f"cannot read: {exc.strerror}"))
        return subfolders

    def _outside(self, entry: os.DirEntry[str], folder: str, rel: str, kind: str) -> bool:
        """Whether a link is to be followed (see ``_link_verdict``); a warning is kept."""
        verdict = _link_verdict(
            f"{folder}/{entry.name}", rel, kind, self.real_root, self.rules.follow_outside
        )
        if isinstance(verdict, Diagnostic):
            self.diagnostics.append(verdict)
            return False
        return verdict

    def _take(self, found: SourceFile | Diagnostic | None) -> None:
        if found is None:
            self.ignored += 1
        elif isinstance(found, Diagnostic):
            self.diagnostics.append(found)
        else:
            self.files.append(found)


def _list_folder(folder: str) -> tuple[int, tuple[int, int], list[os.DirEntry[str]]]:
    """Open a folder: a descriptor to close once its entries are looked at (-1 when
    listed by path), its identity (device, inode), and its entries in name order."""
    if not _BY_DESCRIPTOR:
        info = os.stat(folder)
        with os.scandir(folder) as listing:
            return -1, (info.st_dev, info.st_ino), sorted(listing, key=attrgetter("name"))
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        info = os.fstat(fd)
        with os.scandir(fd) as listing:
            entries = sorted(listing, key=attrgetter("name"))
            return fd, (info.st_dev, info.st_ino), entries
    except BaseException:
        os.close(fd)
        raise


def _close(fd: int) -> None:
    if fd >= 0:
        os.close(fd)


def _evicted(original: str) -> Diagnostic:
    """The warning for an iCloud placeholder of the note ``original`` (a vault path)."""
    return Diagnostic(
        original,
        None,
        "warning",
        "not downloaded from iCloud (evicted); open it in Finder to fetch it",
    )


def _link_verdict(
    path: str, rel: str, kind: str, real_root: str, follow_outside: bool
) -> bool | Diagnostic:
    """What to do with the link at ``path`` (vault path ``rel``, to a note or folder):
    False when it leads inside the vault (what it points to is read under its own name),
    True when it leads outside and ``follow_outside_links`` allows that, else a warning."""
    target = os.path.realpath(path)
    if target == real_root or target.startswith(real_root + os.sep):
        return False
    if follow_outside:
        return True
    return Diagnostic(
        rel,
        None,
        "warning",
        f"is a link to a {kind} outside the vault ({target}); not followed. Set "
        "follow_outside_links = true in vaultnet.toml to read it",
    )


def case_collisions(paths: Collection[str]) -> list[Diagnostic]:
    """A warning for each of ``paths`` (vault paths, in path order) that differs from an
    earlier one only in case.

    Apart from ``scan``: what it finds follows from the paths alone, so a build that stops
    early, having hashed the paths, need not look.
    """
    # The common case, in one pass over every path joined (no path holds NUL); for ASCII,
    # lower() is casefold() and much faster.
    joined = "\0".join(paths)
    folded = joined.lower() if joined.isascii() else joined.casefold()
    if len(set(folded.split("\0"))) == len(paths):
        return []
    diagnostics: list[Diagnostic] = []
    by_folded: dict[str, str] = {}
    for path in paths:
        key = path.casefold()
        if key in by_folded:
            diagnostics.append(
                Diagnostic(
                    path,
                    None,
                    "warning",
                    f"differs from {by_folded[key]} only in case; macOS and Windows see one "
                    "file. Rename one of them",
                )
            )
        else:
            by_folded[key] = path
    return diagnostics


def read_bytes(config: Config, source: SourceFile) -> bytes:
    """The bytes of a note (raises OSError when it has vanished or cannot be read)."""
    return (config.vault / PurePosixPath(source.disk)).read_bytes()
