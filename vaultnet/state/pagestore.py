"""Pages a one-shot build takes from the output folder, unrendered, because nothing they
show changed since the build that wrote them: saved in ``.vaultnet/pages.pickle``.

A page is a function of its templates and of the values they read (pagememo.py finds
those with ``jinja2.meta``), in an environment made for one day and one configuration. Its
key is a digest of the templates' sources, the page's path and front matter, and the key of
each value its templates read (valuekey.py: a value's content, people by their digests;
the environment's day and configuration come with every key). The build that renders a
page saves its key with the state of the file it wrote (inode, size, modification time,
as the build record trusts them). A later build that finds the same key, and the very file
it wrote, takes the page as that file holds it instead of rendering it (reading the file
only if its text is asked for: the writer knows it unchanged by its state); anything else,
a value that cannot be keyed or a template named through a variable among them, is
rendered.

``Introductions.canvas`` is saved the same way under a key of what it shows
(obsidian.py): what the canvas shows of each person is kept by the person's digest, so a
build finds the key of everyone from the people it made again alone.

The file is written whole and atomically, never through a link; one that is missing,
damaged, of another format or version, or of another shape is ignored (and written
again). Nothing here is the source of truth: deleting it changes no output.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeGuard

import jinja2

from vaultnet.containment import STATE_DIR, link_on_the_way
from vaultnet.state.pagememo import sources_key, template_inputs
from vaultnet.state.statefile import read_state, write_state
from vaultnet.state.valuekey import ValueKeys
from vaultnet.version import VERSION

FORMAT = 2  # bumped whenever pages are keyed or stored differently
PAGES_FILE = "pages.pickle"  # in .vaultnet/
MAX_PAGE_BYTES = 64 * 1024 * 1024  # a saved page larger than this is not read back

# A page's saved key and the state of the file written for it: inode, size, modification
# time in nanoseconds.
Entry = tuple[str, int, int, int]
Inputs = tuple[tuple[str, ...], str, tuple[str, ...]]


class PageStore:
    """The saved keys of one vault's pages, read on first use, saved after a build."""

    def __init__(self, file: Path, vault: Path | None = None) -> None:
        self.file = file
        self.vault = vault  # set for a vault's store: its file stays inside
        self.saved: dict[str, Entry] = {}  # by page path, as last saved
        self.shown: dict[str, str] = {}  # person's digest -> key of what the canvas shows
        self.made: dict[str, str] = {}  # the keys of this build's pages, by path
        # The pages of this build taken from their files, with the files' state.
        self.reused: dict[str, tuple[int, int, int]] = {}
        self.shown_now: dict[str, str] = {}  # the canvas's keys of this build's people
        # What each page template reads, as template_inputs found it, for a build whose
        # templates are the same not to parse them again: the names of its templates (in
        # the order their sources are keyed), the key of their sources, its variables.
        self.templates: dict[str, Inputs] = {}
        self.templates_now: dict[str, Inputs] = {}
        self._loaded = False
        self._started = False  # whether a render asked for keys since the last save

    @classmethod
    def for_vault(cls, vault: Path) -> PageStore:
        return cls(vault / STATE_DIR / PAGES_FILE, vault)

    def _usable(self) -> bool:
        """Whether the file lies inside the vault, not reached through a link."""
        relative = f"{STATE_DIR}/{PAGES_FILE}"
        return self.vault is None or link_on_the_way(self.vault, relative) is None

    def load(self) -> None:
        """Read the saved keys (once); anything not as vaultnet writes it is ignored."""
        if self._loaded:
            return
        self._loaded = True
        if not self._usable():
            return
        payload = read_state(self.file, FORMAT)
        if payload is None:
            return
        pages, shown = payload.get("pages"), payload.get("shown")
        templates = payload.get("templates")
        if _entries(pages) and _texts(shown) and _inputs(templates):
            self.saved, self.shown, self.templates = pages, shown, templates

    def start(self, env: jinja2.Environment, output: Path) -> PageKeys:
        """Begin a render of pages into the folder ``output`` in ``env``: what is saved
        next is what this render (and the canvas made with it) found."""
        self.load()
        self._started = True
        self.made, self.reused, self.shown_now, self.templates_now = {}, {}, {}, {}
        return PageKeys(self, env, output)

    def reuse(self, output: Path, path: str, key: str) -> tuple[int, int, int] | None:
        """The state of the file of the page at ``path`` (inode, size, time) when the last
        build saved the page under ``key`` and its file in ``output`` is still the one
        written then (read_written gives its text); else None. Either way the page is
        saved under ``key`` again (it is rendered when None)."""
        self.made[path] = key
        entry = self.saved.get(path)
        if entry is None or entry[0] != key:
            return None
        state = entry[1:]
        if not still_written(output / path, state):
            return None
        self.reused[path] = state
        return state

    def kept_text(self, output: Path, path: str, make: Callable[[], str]) -> Callable[[], str]:
        """The text of a page taken from its file (``reuse``), for when it is asked for:
        read from the file while it is still the one found, else ``make()`` (the file
        changed since: the writer then writes the page, and its file is looked at when
        this is saved)."""

        state = self.reused[path]  # as reuse found it

        def text() -> str:
            found = read_written(output / path, state)
            if found is not None:
                return found
            if self.reused.get(path) == state:
                del self.reused[path]  # not to be saved as it was found
            return make()

        return text

    def save(self, output: Path) -> None:
        """Save the keys of this build's pages with the state of their files in
        ``output``, as written (nothing when no pages were rendered since the last save:
        a build that only checks the notes). Failures only cost speed."""
        if not self._started:
            return
        self._started = False
        pages: dict[str, Entry] = {}
        for path, key in self.made.items():
            # A page taken from its file was not written: its file is as it was (one
            # written over since, its file changed meanwhile, is rendered next time).
            kept = self.reused.get(path)
            if kept is not None:
                pages[path] = (key, *kept)
                continue
            try:
                info = os.lstat(output / path)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                pages[path] = (key, info.st_ino, info.st_size, info.st_mtime_ns)
        self.made, self.reused = {}, {}
        shown, self.shown_now = self.shown_now, {}
        templates, self.templates_now = self.templates_now, {}
        same = (pages, shown, templates) == (self.saved, self.shown, self.templates)
        if same or not self._usable():
            return
        fields = {"pages": pages, "shown": shown, "templates": templates}
        if not write_state(self.file, FORMAT, fields):
            return
        self.saved, self.shown, self.templates = pages, shown, templates


class PageKeys:
    """The keys of one render's pages: each value of the shared context is keyed once,
    when the first page that reads it is, and each template once."""

    def __init__(self, store: PageStore, env: jinja2.Environment, output: Path) -> None:
        self.store = store
        self.output = output
        self.env = env
        fragments = getattr(env, "fragments", None)
        keys = getattr(fragments, "keys", None)
        self.keys: ValueKeys | None = keys if isinstance(keys, ValueKeys) else None
        self.templates: dict[str, tuple[frozenset[str], str] | None] = {}
        self.shared: dict[str, str | None] = {}

    def kept(
        self,
        path: str,
        template: str,
        base: Mapping[str, Any],
        extra: Mapping[str, Any],
        head: Mapping[str, str],
    ) -> tuple[int, int, int] | None:
        """The state of the file the last build wrote for the page, when its key is the
        same and the file still the one written; None when it must be rendered (its key,
        if it has one, is then saved for the next build)."""
        key = self.key(path, template, base, extra, head)
        return self.store.reuse(self.output, path, key) if key is not None else None

    def key(
        self,
        path: str,
        template: str,
        base: Mapping[str, Any],
        extra: Mapping[str, Any],
        head: Mapping[str, str],
    ) -> str | None:
        """The page's key, or None when a value it reads cannot be keyed (or what its
        templates read cannot be known)."""
        found = self._template(template)
        if found is None or self.keys is None:
            return None
        names, sources = found
        parts = [VERSION, self.keys.context, template, sources, path, repr(sorted(head.items()))]
        for name in sorted(names):
            if name == "page":
                continue  # the path: in the key already
            if name in extra:
                value_key = self.keys.key(extra[name], "page")
            elif name not in base:
                value_key = "-"  # a global of the environment, or a name undefined
            elif name in self.shared:
                value_key = self.shared[name]
            else:
                value_key = self.shared[name] = self.keys.key(base[name], "page")
            if value_key is None:
                return None
            parts.append(f"{name}={value_key}")
        return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def _template(self, name: str) -> tuple[frozenset[str], str] | None:
        """The variables ``name`` reads and the key of its templates' sources; None when
        they cannot be known. Taken from the last build when the sources are the same
        (the same sources reference the same templates), else found by parsing them."""
        if name not in self.templates:
            self.templates[name] = None
            try:
                inputs = self._saved_inputs(name)
                if inputs is None:
                    found = template_inputs(self.env, name)
                    if found.variables is None:
                        return None
                    names = tuple(template for template, _ in found.templates)
                    inputs = (names, found.sources, tuple(sorted(found.variables)))
            except Exception:
                # A template that cannot be loaded or parsed: rendering it reports the
                # error with its file and line.
                return None
            self.store.templates_now[name] = inputs
            self.templates[name] = (frozenset(inputs[2]), inputs[1])
        return self.templates[name]

    def _saved_inputs(self, name: str) -> Inputs | None:
        saved = self.store.templates.get(name)
        if saved is None or sources_key(self.env, saved[0]) != saved[1]:
            return None
        return saved


def still_written(file: Path, state: tuple[int, int, int]) -> bool:
    """Whether ``file`` is still the file of ``state`` (inode, size, time) as vaultnet
    wrote it: a regular file, not a link, of no more than MAX_PAGE_BYTES."""
    try:
        info = os.lstat(file)
    except OSError:
        return False
    return (
        stat.S_ISREG(info.st_mode)
        and (info.st_ino, info.st_size, info.st_mtime_ns) == state
        and info.st_size <= MAX_PAGE_BYTES
    )


def read_written(file: Path, state: tuple[int, int, int]) -> str | None:
    """The text of ``file`` when it is still the file of ``state`` (inode, size, time)
    as written by vaultnet: a regular file, not a link, holding UTF-8; else None."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(file, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or (info.st_ino, info.st_size, info.st_mtime_ns) != state
            or info.st_size > MAX_PAGE_BYTES
        ):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(info.st_size + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) != info.st_size:
        return None  # written to since
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _entries(pages: object) -> TypeGuard[dict[str, Entry]]:
    """Whether ``pages`` has the shape vaultnet saves: path -> (key, inode, size, time)."""
    if type(pages) is not dict:
        return False
    for path, entry in pages.items():
        if type(path) is not str or type(entry) is not tuple or len(entry) != 4:
            return False
        if type(entry[0]) is not str or any(type(number) is not int for number in entry[1:]):
            return False
    return True


def _texts(shown: object) -> TypeGuard[dict[str, str]]:
    """Whether ``shown`` maps text to text."""
    return type(shown) is dict and all(
        type(digest) is str and type(key) is str for digest, key in shown.items()
    )


def _inputs(templates: object) -> TypeGuard[dict[str, Inputs]]:
    """Whether ``templates`` maps a name to (names, key, variables), all text."""
    if type(templates) is not dict:
        return False
    for name, inputs in templates.items():
        if type(name) is not str or type(inputs) is not tuple or len(inputs) != 3:
            return False
        names, key, variables = inputs
        if type(key) is not str or type(names) is not tuple or type(variables) is not tuple:
            return False
        if not all(type(text) is str for text in (*names, *variables)):
            return False
    return True
