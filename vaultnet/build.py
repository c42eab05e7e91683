"""The build: read -> parse -> model -> render -> write.

``Builder`` keeps what it read between builds, so a long-running process (``watch``) only
re-reads the files it is told changed; ``build_vault`` is one cold or cached build.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from .cache import NoteCache
from .config import Config
from .diagnostics import Diagnostic, sort_key
from .network import Network, build_network
from .notes import Note, ParseOptions, Unreadable, parse_note
from .output import WriteResult, write_pages
from .render import Page, render_pages
from .vault import SourceFile, parse_options, read_bytes, scan, source_file


@dataclass(slots=True)
class ReadResult:
    """The parsed notes of a vault and what reading them had to say."""

    notes: list[Note]
    diagnostics: list[Diagnostic]
    parsed: int  # notes read and parsed this time
    reused: int  # notes taken from the cache
    ignored: int  # files in excluded folders


@dataclass(slots=True)
class BuildResult:
    """What a build did: the model, the pages, what was written, and the diagnostics."""

    network: Network
    pages: list[Page]
    write: WriteResult
    diagnostics: list[Diagnostic]
    read: ReadResult
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.level == "warning")


class Builder:
    """Builds a vault again and again, re-reading only what changed.

    ``changed`` names vault paths (``/``-separated) known to have changed since the last
    build; None means "anything may have changed": the vault is scanned again, and files
    whose size and modification time are unchanged are taken from the cache.
    """

    def __init__(self, config: Config, cache: NoteCache | None = None) -> None:
        self.config = config
        self.cache = cache if cache is not None else NoteCache.in_memory()
        self.options: ParseOptions = parse_options(config)
        self.cache.use_options(self.options)
        self.files: dict[str, SourceFile] = {}
        self.skipped: dict[str, Diagnostic] = {}
        self.scan_diagnostics: list[Diagnostic] = []
        self.ignored = 0
        self.scanned = False

    def read(self, changed: Iterable[str] | None = None) -> ReadResult:
        """Bring the parsed notes up to date and return them in path order."""
        if changed is None or not self.scanned:
            self._scan()
        else:
            for path in changed:
                self._refresh(path)
        notes: list[Note] = []
        diagnostics: list[Diagnostic] = [*self.scan_diagnostics, *self.skipped.values()]
        parsed = reused = 0
        pending: list[SourceFile] = []
        for path in sorted(self.files):
            source = self.files[path]
            if self.cache.get(source) is None:
                pending.append(source)
        fresh = dict(self._parse(pending))
        parsed = len(fresh)
        for path in sorted(self.files):
            source = self.files[path]
            result = fresh.get(path) or self.cache.get(source)
            if result is None:
                continue
            if path not in fresh:
                reused += 1
            _collect(result, source.candidate, notes, diagnostics)
        return ReadResult(notes, diagnostics, parsed, reused, self.ignored)

    def _scan(self) -> None:
        found = scan(self.config)
        self.files = {source.path: source for source in found.files}
        self.skipped = {}
        self.scan_diagnostics = list(found.diagnostics)
        self.ignored = found.ignored
        self.scanned = True
        self.cache.retain(set(self.files))

    def _refresh(self, path: str) -> None:
        found = source_file(self.config, path)
        self.skipped.pop(path, None)
        if isinstance(found, SourceFile):
            self.files[found.path] = found
            return
        self.files.pop(path, None)
        self.cache.forget(path)
        if isinstance(found, Diagnostic):
            self.skipped[path] = found

    def _parse(self, pending: list[SourceFile]) -> Iterator[tuple[str, Note | Unreadable]]:
        for source in pending:
            try:
                data = read_bytes(self.config, source)
            except OSError as exc:
                if not (self.config.vault / source.disk).exists():
                    self.files.pop(source.path, None)  # vanished between scan and read
                    continue
                result: Note | Unreadable = Unreadable(
                    source.path,
                    (Diagnostic(source.path, None, "error", f"cannot read: {exc.strerror}"),),
                )
            else:
                result = parse_note(source.path, data, self.options)
            self.cache.put(source, result)
            yield source.path, result

    def build(
        self,
        today: dt.date,
        changed: Iterable[str] | None = None,
        *,
        write: bool = True,
        dry_run: bool = False,
    ) -> BuildResult:
        """Read what changed, model the network for ``today``, render and write the pages.

        With ``write=False`` nothing is rendered or written (``check``, ``digest``); with
        ``dry_run`` the write plan is computed but not carried out. Raises TemplateError
        and OutputError.
        """
        timings: dict[str, float] = {}
        started = time.perf_counter()
        read = self.read(changed)
        timings["read"] = time.perf_counter() - started
        network, model_diagnostics = build_network(self.config, read.notes, today)
        timings["model"] = time.perf_counter() - started - timings["read"]
        diagnostics = sorted(
            [*self.config.warnings, *read.diagnostics, *model_diagnostics], key=sort_key
        )
        pages: list[Page] = []
        written = WriteResult()
        if write:
            mark = time.perf_counter()
            pages = render_pages(network)
            timings["render"] = time.perf_counter() - mark
            mark = time.perf_counter()
            written = write_pages(self.config.output_path, pages, dry_run=dry_run)
            timings["write"] = time.perf_counter() - mark
        if not dry_run:
            self.cache.save()
        timings["total"] = time.perf_counter() - started
        return BuildResult(network, pages, written, diagnostics, read, timings)


def _collect(
    result: Note | Unreadable, candidate: bool, notes: list[Note], diagnostics: list[Diagnostic]
) -> None:
    diagnostics.extend(result.diagnostics)
    if isinstance(result, Note) and not result.generated:
        if result.person and not candidate:
            # Outside people_dirs a note is never a person, but may still mention people.
            result = replace(result, person=False)
        notes.append(result)


def read_notes(config: Config, cache: NoteCache | None = None) -> ReadResult:
    """Find and parse every note of the vault (using ``cache`` for unchanged files)."""
    return Builder(config, cache).read()


def build_vault(
    config: Config,
    today: dt.date,
    *,
    cache: NoteCache | None = None,
    write: bool = True,
    dry_run: bool = False,
) -> BuildResult:
    """Build the vault's pages for ``today`` once; see ``Builder.build``."""
    return Builder(config, cache).build(today, write=write, dry_run=dry_run)
