"""The build: read -> parse -> model -> render -> write.

``Builder`` keeps what it read between builds, so a long-running process (``watch``) only
re-reads the files it is told changed; ``build_vault`` is one cold or cached build.
``_Listing`` is a named tuple, not a dataclass: a class made at import in a fifth of the
time (docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from vaultnet.atomic import clean_temp_files
from vaultnet.config import Config
from vaultnet.diagnostics import Diagnostic, sort_key
from vaultnet.pipeline import lastinsights
from vaultnet.pipeline.output import (
    WriteResult,
    Written,
    foreign_notes,
    read_back,
    write_pages,
)
from vaultnet.pipeline.record import fingerprint_of, recorded_result, save_record
from vaultnet.pipeline.request import BuildRequest, BuildResult, Mode, ReadResult
from vaultnet.render.page import Page
from vaultnet.source.reading import parse_files
from vaultnet.source.vault import SourceFile, case_collisions, parse_options, scan, source_file
from vaultnet.state.cache import NoteCache

__all__ = [
    "BuildRequest",
    "BuildResult",
    "Builder",
    "Mode",
    "ReadResult",
    "build_vault",
    "parse_files",
    "read_notes",
]

if TYPE_CHECKING:
    from vaultnet.insights.insights import DigestExtras
    from vaultnet.model.network import Network
    from vaultnet.render.obsidian import ObsidianPages
    from vaultnet.render.render import Renderer
    from vaultnet.source.notes import Note, ParseOptions, Unreadable
    from vaultnet.state.digestentries import DigestEntries
    from vaultnet.state.insightstore import InsightStore
    from vaultnet.state.pagememo import PageMemo
    from vaultnet.state.people import PeopleState
    from vaultnet.state.saving import Saving


class _Listing(NamedTuple):
    """The notes of the last read in path order, and where each is in the list."""

    notes: list[Note]
    places: dict[str, int]


def _listed(result: Note | Unreadable) -> bool:
    """Whether a file's result is one of the notes the model is built from."""
    return not getattr(result, "generated", True)  # an Unreadable has no such field


class Builder:
    """Builds a vault again and again, re-reading only what changed (BuildRequest)."""

    def __init__(
        self,
        config: Config,
        cache: NoteCache | None = None,
        progress: Callable[[int, int], None] | None = None,
        pages: PageMemo | None = None,
    ) -> None:
        self.config = config
        self.progress = progress  # called while many notes are being parsed
        self.people: PeopleState | None = None  # the per-person state, made when first needed
        self.pages = pages  # the last render's pages, for a watcher to reuse
        self._renderer: Renderer | None = None  # made with the first pages (Jinja then)
        self._entries: DigestEntries | None = None  # saved with the digest's text
        self._insights: InsightStore | None = None  # the last insights, saved beside the cache
        self.obsidian: ObsidianPages | None = None  # People.base and the canvas, made lazily
        # What a watcher wrote: pages it knows are up to date on disk.
        self.written: Written | None = Written() if pages is not None else None
        self.cache = cache if cache is not None else NoteCache.in_memory()
        self._options: ParseOptions | None = None
        self.files: dict[str, SourceFile] = {}
        self.skipped: dict[str, Diagnostic] = {}
        self.scan_diagnostics: list[Diagnostic] = []
        self.case_warnings: list[Diagnostic] | None = None  # None: not looked for (_notes)
        self.ignored = 0
        self.scanned = False
        # Kept between reads: each file's result with the SourceFile it was read as, the
        # files to look at again (None: all), the notes in path order, and which files
        # have diagnostics.
        self._read: dict[str, tuple[SourceFile, Note | Unreadable]] = {}
        self._read_options: ParseOptions | None = None
        self._dirty: set[str] | None = None
        self._listing: _Listing | None = None
        self._with_diagnostics: set[str] = set()
        self._cleaned = False  # whether a killed run's temporary files were looked for

    @property
    def options(self) -> ParseOptions:
        """What parsing depends on besides the bytes; set on the cache before first use."""
        if self._options is None:
            self._options = parse_options(self.config)
            self.cache.use_options(self._options)
        return self._options

    @property
    def renderer(self) -> Renderer:
        """What renders the pages and keeps what the next render reuses."""
        if self._renderer is None:
            from vaultnet.render.render import Renderer  # Jinja only when pages are made
            from vaultnet.state.pagestore import PageStore
            from vaultnet.state.rowstore import RowStore

            vault = self.cache.vault if self.cache.folder is not None else None
            rows = RowStore.for_vault(vault) if vault is not None else None
            saved = PageStore.for_vault(vault) if vault is not None else None
            # Rows and pages saved beside the cache.
            self._renderer = Renderer(self.pages, rows, saved)
        return self._renderer

    def _update_files(self, changed: Iterable[str] | None) -> None:
        if changed is None or not self.scanned:
            self._scan()
        else:
            for path in changed:
                self._refresh(path)

    def read(
        self,
        changed: Iterable[str] | None = None,
        held: Mapping[str, tuple[str, Note]] | None = None,
    ) -> ReadResult:
        """Bring the parsed notes up to date and return them in path order.

        After a scan every file is looked at; after a watcher's changes only the files
        named. The notes in path order, and which files have diagnostics, are kept between
        reads, so a read of a few changed files does not go through the whole vault.
        ``held`` gives, by path, a note's key and a stub to read in its place while the
        file keeps that key (the people state's, see ``PeopleState.held``).
        """
        self._update_files(changed)
        self.cache.use_options(self.options)
        whole = self._dirty is None or self._read_options is not self.cache.options
        if whole:
            self._read_options = self.cache.options  # another parse: every result is stale
            self._read = {}
            self._listing = None
            looked_at: Iterable[str] = self.files
        else:
            assert self._dirty is not None
            looked_at = self._dirty
        self._dirty = set()
        found: dict[str, tuple[SourceFile, Note | Unreadable] | None] = {}
        pending: list[SourceFile] = []
        for path in looked_at:
            source = self.files.get(path)
            if source is None:
                found[path] = None  # deleted, or no longer a note
                continue
            stub = held.get(path) if held else None
            if stub is not None and stub[0] == f"{source.size}:{source.mtime_ns}":
                found[path] = (source, stub[1])
                continue
            result = self.cache.get(source)
            if result is None:
                pending.append(source)
            else:
                found[path] = (source, result)
        pending.sort()
        fresh = dict(self._parse(pending))
        for source in pending:
            result = fresh.get(source.path)
            found[source.path] = None if result is None else (source, result)
        self._apply(found)
        notes, diagnostics = self._notes()
        reused = len(self._read) - len(fresh)
        changes = None if whole else {path: self._note_at(path) for path in found}
        return ReadResult(notes, diagnostics, len(fresh), reused, self.ignored, changes)

    def _note_at(self, path: str) -> Note | None:
        """The note the model is built from for ``path``, if any."""
        from vaultnet.source.notes import Note

        entry = self._read.get(path)
        result = entry[1] if entry is not None else None
        return result if isinstance(result, Note) and not result.generated else None

    def _apply(self, found: dict[str, tuple[SourceFile, Note | Unreadable] | None]) -> None:
        """Take the results of the files looked at into the state kept between reads."""
        from vaultnet.source.notes import Note

        listing = self._listing
        for path, entry in found.items():
            old = self._read.pop(path, None)
            self._with_diagnostics.discard(path)
            if entry is None:
                if old is not None and _listed(old[1]):
                    listing = None  # a note left the list
                continue
            source, result = entry
            if isinstance(result, Note) and result.person and not source.candidate:
                # Outside people_dirs a note is never a person, but may mention people.
                result = result._replace(person=False)
            self._read[path] = (source, result)
            if result.diagnostics:
                self._with_diagnostics.add(path)
            if listing is None:
                continue
            if old is not None and _listed(old[1]) and _listed(result):
                assert isinstance(result, Note)
                listing.notes[listing.places[path]] = result
            elif (old is not None and _listed(old[1])) or _listed(result):
                listing = None  # a note joined or left the list
        self._listing = listing

    def _notes(self) -> tuple[list[Note], list[Diagnostic]]:
        """The notes in path order, and every diagnostic of the files and the scan."""
        if self._listing is None:
            from vaultnet.source.notes import Note

            notes: list[Note] = []
            for path in sorted(self._read):
                result = self._read[path][1]
                if isinstance(result, Note) and not result.generated:
                    notes.append(result)
            self._listing = _Listing(notes, {note.path: i for i, note in enumerate(notes)})
        if self.case_warnings is None:  # once a scan, after the early stop: it needs none
            self.case_warnings = case_collisions(sorted(self.files))
        diagnostics = [*self.scan_diagnostics, *self.case_warnings, *self.skipped.values()]
        for path in sorted(self._with_diagnostics):
            diagnostics.extend(self._read[path][1].diagnostics)
        return list(self._listing.notes), diagnostics

    def _scan(self) -> None:
        found = scan(self.config)
        self.files = {source.path: source for source in found.files}
        self.skipped = {}
        self.scan_diagnostics = list(found.diagnostics)
        self.case_warnings = None
        self.ignored = found.ignored
        self.scanned = True
        self._dirty = None
        self.cache.retain(set(self.files))

    def _refresh(self, path: str) -> None:
        if self._dirty is not None:
            self._dirty.add(path)
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
        from vaultnet.state.forked import parse_in_parallel

        results = parse_in_parallel(
            parse_files, self.config.vault, self.options, pending, self.progress
        )
        for source, result in zip(pending, results, strict=True):
            if result is None:
                self.files.pop(source.path, None)  # vanished between scan and read
                continue
            self.cache.put(source, result)
            yield source.path, result

    def build(self, request: BuildRequest) -> BuildResult:
        """Read what changed, model the network for the request's day, and render and
        write the pages as far as its mode goes (see BuildRequest). Raises TemplateError
        and OutputError."""
        with _no_gc():
            return self._build(request)

    def _build(self, request: BuildRequest) -> BuildResult:
        today, changed, save = request.today, request.changed, request.save
        write, dry_run = request.pages, request.mode is Mode.PLAN
        timings: dict[str, float] = {}
        started = time.perf_counter()
        if write and not dry_run:
            self._clean_leftovers()
        self._update_files(changed)
        # The early stop needs the record of a saved build; a watcher's rebuilds
        # (save=False) follow changes it saw, and reading the record and hashing every
        # file's state each time would cost more than many of those rebuilds.
        fingerprint = self._fingerprint(today) if save else ""
        if save and not dry_run and request.stop_early:
            early = self._up_to_date(fingerprint, write)
            if early is not None:
                early.timings["total"] = time.perf_counter() - started
                return early
        # A saved build's people state may hold person notes' stubs, read in their place.
        held = self.people_state(today).held() if self.cache.folder is not None else None
        read = self.read(changed=(), held=held)
        timings["read"] = time.perf_counter() - started
        if request.once and len(read.notes) < LET_GO_NOTES:
            request = request._replace(once=False)  # little to let go of
        # A large parse cache is saved on the other core while the network is modelled and
        # the pages are rendered; the helper is waited for before the record is written.
        saving = self.cache.save_in_background() if save and not dry_run else None
        helpers: list[Saving] = [saving] if saving is not None else []
        if request.once and not held:  # no stub the model reads whole: the entries go now
            self.cache.let_go_once_saved(save and not dry_run and saving is None)
        try:
            # Only a cache with a folder keeps a record (and the digest's JSON with it).
            recorded = save and not dry_run and self.cache.folder is not None
            result, paths = self._model_and_pages(
                request, read, fingerprint if recorded else None, timings, helpers
            )
        finally:
            for helper in helpers:
                helper.wait()
        if save and not dry_run:
            self.save_state()
            save_record(self.cache, self.config, fingerprint, result, paths, write)
        timings["total"] = time.perf_counter() - started
        return result

    def people_state(self, today: dt.date | None = None) -> PeopleState:
        """The per-person state, kept from one build to the next (state/people.py); made
        by the first call, which loads the people saved for ``today`` (None: any day)."""
        if self.people is None:
            from vaultnet.state.people import PeopleState

            self.people = PeopleState()
            if self.cache.folder is not None:  # a vault's state, not an in-memory build's
                self.people.load(self.config.vault, self.config, today)
        return self.people

    def save_state(self) -> None:
        """Save what is kept in ``.vaultnet/``: the parse cache, the model's lookups, the
        rendered rows and the digest's entries (a watcher's, when it stops)."""
        self.cache.save()
        if self.people is not None and self.cache.folder is not None:
            self.people.save(self.config.vault)
        if self._renderer is not None:
            self._renderer.save_rows()
            self._renderer.save_pages(self.config.output_path)
            self._save_insights()
        self._save_entries()

    def _note_key(self, path: str) -> str:
        """A key of a note's content: the state of the file it was read from (what the parse
        cache trusts too)."""
        source = self._read[path][0]
        return f"{source.size}:{source.mtime_ns}"

    def _whole_note(self, stub: Note) -> Note:
        """The note of ``stub`` whole, where the read took the stub in its place: from the
        parse cache, or parsed now (a build that let go of its notes looks at the file
        again). A file gone since is a note with no more than the stub."""
        from vaultnet.source.notes import Note

        entry = self._read.get(stub.path)
        source = entry[0] if entry is not None else source_file(self.config, stub.path)
        result = None
        if isinstance(source, SourceFile):
            result = self.cache.get(source)
            if result is None:
                result = dict(self._parse([source])).get(stub.path)
        if isinstance(result, Note) and type(result) is Note:
            return result
        return Note._make(stub)

    def _clean_leftovers(self) -> None:
        """Remove the temporary files that killed runs left in the output folder and in
        ``.vaultnet/`` (once per builder: a watcher's own writes leave none)."""
        if self._cleaned:
            return
        self._cleaned = True
        for folder in (self.config.output_path, self.config.vault / ".vaultnet"):
            if not folder.is_symlink():  # a link may lead out of the vault: never touched
                clean_temp_files(folder, recursive=True)

    def _model_and_pages(
        self,
        request: BuildRequest,
        read: ReadResult,
        fingerprint: str | None,
        timings: dict[str, float],
        helpers: list[Saving],
    ) -> tuple[BuildResult, list[str]]:
        """The network of ``read`` for the request's day, with its pages rendered and
        written as far as the request goes, and the paths of the pages made.

        With a ``fingerprint`` (a build that records), the digest's JSON is made too,
        before the pages, which would otherwise hold their memory while it is (it raised a
        cold build's peak). A build ``once`` saves it at once rather than holding its text
        to the end, and lets go of what it no longer needs as it goes (``BuildRequest``).
        ``helpers`` holds the forked helper saving the parse cache, if any; the one saving
        the people, when many were made, is added to it."""
        today, write, dry_run = request.today, request.pages, request.mode is Mode.PLAN
        saving_cache = bool(helpers)
        mark = time.perf_counter()
        # No local of the people state: a build ``once`` lets go of it below.
        network, model_diagnostics = self.people_state().build(
            self.config, read.notes, today, self._note_key, read.changes, self._whole_note
        )
        if fingerprint is not None:
            saving = self.people_state().save_people_in_background()
            if saving is not None:
                helpers.append(saving)
        timings["model"] = time.perf_counter() - mark
        if request.once:
            self._let_go_of_notes(read, fingerprint is not None, saving_cache)
        diagnostics = sorted(
            [*self.config.warnings, *read.diagnostics, *model_diagnostics], key=sort_key
        )
        extras = None
        if write:
            mark = time.perf_counter()
            # Kept for the pages; the digest's additions are part of them.
            self._resume_insights(network)
            extras = self.renderer.insights(network).digest_extras
            timings["insights"] = time.perf_counter() - mark
        digest_text = None
        if fingerprint is not None:
            saved_with = fingerprint if request.once else None
            digest_text = self._digest_text(network, diagnostics, extras, timings, saved_with)
        digest_saved = fingerprint is not None and digest_text is None
        pages: list[Page] = []
        written = WriteResult()
        if write:
            pages, written = self._pages(network, dry_run, request.once, timings)
            if written.foreign:
                foreign = foreign_notes(self.config.output_dir, written.foreign)
                diagnostics = sorted([*diagnostics, *foreign], key=sort_key)
                # Made again with these warnings when it is asked for (and saved again).
                digest_text, digest_saved = None, False
        paths = [page.path for page in pages]
        if request.once:
            pages = []
        result = BuildResult(
            network,
            pages,
            written,
            diagnostics,
            read,
            people=len(network.active),
            archived=len(network.people) - len(network.active),
            digest_text=digest_text,
            digest_saved=digest_saved,
            timings=timings,
        )
        return result, paths

    def _pages(
        self, network: Network, dry_run: bool, once: bool, timings: dict[str, float]
    ) -> tuple[list[Page], WriteResult]:
        """The network's pages, rendered, and what writing them did (or would do); a build
        ``once`` holds each page as its bytes until the write (``Renderer.render``)."""
        mark = time.perf_counter()
        from vaultnet.render.obsidian import ObsidianPages

        pages = self.renderer.render(network, encoded=once)
        if self.config.ics:
            from vaultnet.pipeline.ics import calendar_page  # the calendar library only when asked

            pages.append(calendar_page(network, save=not dry_run))
        if self.obsidian is None:
            self.obsidian = ObsidianPages(self.renderer.saved)
        pages += self.obsidian.pages(network)
        timings["render"] = time.perf_counter() - mark
        mark = time.perf_counter()
        written = write_pages(
            self.config.output_path,
            pages,
            dry_run=dry_run,
            written=self.written if self.written is not None else self._read_back(pages),
            vault=self.config.vault,
        )
        timings["write"] = time.perf_counter() - mark
        return pages, written

    def _insight_store(self) -> InsightStore | None:
        """The last build's insights, saved beside the cache (None: an in-memory build)."""
        if self._insights is None and self.cache.folder is not None:
            from vaultnet.state.insightstore import InsightStore

            self._insights = InsightStore(self.config.vault)
        return self._insights

    def _resume_insights(self, network: Network) -> None:
        """Bring up to date the insights the last build saved (lastinsights.py)."""
        store = self._insight_store()
        if store is not None:
            lastinsights.resume(self.renderer, store, network, self.config)

    def _save_insights(self) -> None:
        """Save the insights the renderer computed last (lastinsights.py)."""
        store = self._insight_store()
        if store is not None and self._renderer is not None:
            lastinsights.save(self._renderer, store, self.config)

    def _read_back(self, pages: list[Page]) -> Written | None:
        """The pages the render took from the files the last build wrote (pagestore.py),
        for the writer to know as up to date without reading them."""
        saved = self._renderer.saved if self._renderer is not None else None
        return read_back(self.config.output_path, saved.reused, pages) if saved else None

    def _digest_text(
        self,
        network: Network,
        diagnostics: list[Diagnostic],
        extras: DigestExtras | None,
        timings: dict[str, float],
        fingerprint: str | None,
    ) -> str | None:
        """What ``digest --format json`` prints for this build; with ``fingerprint`` (a
        build ``once``), saved with it as it is encoded, piece by piece, rather than made
        whole (at 50k, the text and its copies were the build's peak) and returned."""
        from vaultnet.jsontext import json_pieces, json_text
        from vaultnet.render.digest import digest_json
        from vaultnet.state.digestentries import DigestEntries

        mark = time.perf_counter()
        # People's entries as an earlier build saved them, under their digests.
        self._entries = DigestEntries(self.config.vault)
        digest = digest_json(network, diagnostics, extras, self._entries)
        text = None
        if fingerprint is None:
            text = json_text(digest)
        else:
            self.cache.write_digest(fingerprint, lambda: json_pieces(digest))
            self._save_entries()
        timings["digest"] = time.perf_counter() - mark
        return text

    def _save_entries(self) -> None:
        """Save the people's entries of the digest made last, when the digest is saved."""
        if self._entries is not None:
            self._entries.save()
            self._entries = None

    def _let_go_of_notes(self, read: ReadResult, save: bool, saving_cache: bool) -> None:
        """Let go of the parsed notes and of the per-person state, which only a later build
        would reuse (a build ``once``). The people share their log entries and front
        matter with their notes; the rest of the notes goes. The parse cache (unless a
        helper is ``saving_cache``, or a build that read no stub let it go already) and
        what the model saves for the next build are saved before they go, with ``save``.
        A saved person whose interactions a page asks for later has their note parsed
        again (``_whole_note``)."""
        self.cache.let_go_once_saved(save and not saving_cache)
        read.notes = []
        self._read, self._listing, self._dirty = {}, None, None
        self._with_diagnostics = set()
        self.files, self.scanned = {}, False  # a later build (none is planned) scans again
        people, self.people = self.people, None
        if people is not None and save:
            people.keep_for_saving()
            people.save(self.config.vault)

    def _fingerprint(self, today: dt.date) -> str:
        """A hash of all a build's output depends on (record.py; the paths cover case)."""
        diagnostics = (*self.scan_diagnostics, *self.skipped.values())
        return fingerprint_of(self.config, self.files, diagnostics, today)

    def _up_to_date(self, fingerprint: str, write: bool) -> BuildResult | None:
        """The last build's result when nothing changed since (record.py)."""
        files, ignored = len(self.files), self.ignored
        return recorded_result(self.cache, self.config, fingerprint, write, files, ignored)


# Notes from which a one-shot build lets go as it goes (BuildRequest.once). A smaller
# vault holds little, and keeps everything to the end, where it is saved: a build the
# write refuses saves nothing then (a larger one's parse cache is saved early anyway, by
# the forked helper, at as many notes: cache.BACKGROUND_NOTES).
LET_GO_NOTES = 500


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a build allocates many small objects and no
    cycles worth collecting, and full collections over them cost more than the build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Build the vault's pages for ``today`` once; see ``Builder.build``."""
    mode = Mode.MODEL if not write else Mode.PLAN if dry_run else Mode.WRITE
    return Builder(config, cache, progress).build(BuildRequest(today, mode))
