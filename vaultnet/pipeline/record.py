"""The record of a build, so that the next one can stop early when nothing changed.

The fingerprint hashes everything a build's output depends on; the record holds it with
the pages written (each page's size and time) and the diagnostics. A build whose inputs
and outputs are exactly as recorded returns the recorded result instead of building.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from array import array
from collections.abc import Iterable
from operator import attrgetter
from pathlib import Path

from vaultnet.config import Config
from vaultnet.diagnostics import Diagnostic
from vaultnet.pipeline.output import PAGE_SUFFIXES, WriteResult
from vaultnet.pipeline.request import BuildResult, ReadResult
from vaultnet.source.vault import SourceFile
from vaultnet.state.cache import NoteCache
from vaultnet.version import VERSION


def fingerprint_of(
    config: Config,
    files: dict[str, SourceFile],
    diagnostics: Iterable[Diagnostic],
    today: dt.date,
) -> str:
    """A hash of everything a build's output depends on: the version, the day, the
    configuration and the files it reads, every note file's path, size and time, and what
    the scan had to say (``diagnostics``)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{VERSION}\0{today.isoformat()}\0{config!r}\0".encode())
    for config_input in _config_inputs(config):
        digest.update(f"{config_input}\0{_stat_key(config_input)}\0".encode())
    # Every file's path, size and time, as three blocks: formatting each file's line was
    # a large part of an early stop; the numbers go in as 64-bit integers.
    paths = sorted(files)
    sources = list(map(files.__getitem__, paths))
    digest.update("\0".join(paths).encode())
    for field_of in (attrgetter("size"), attrgetter("mtime_ns")):
        numbers = list(map(field_of, sources))
        try:
            digest.update(array("q", numbers).tobytes())
        except OverflowError:  # a time past the year 2262
            digest.update(str(numbers).encode())
    for diagnostic in diagnostics:
        digest.update(str(diagnostic).encode())
    return digest.hexdigest()


def recorded_result(
    cache: NoteCache, config: Config, fingerprint: str, write: bool, files: int, ignored: int
) -> BuildResult | None:
    """The last build's result when its inputs and outputs are exactly as they were
    (``files`` and ``ignored``: the counts of this scan, for the result)."""
    record = cache.read_record()
    if record is None or record.get("fingerprint") != fingerprint:
        return None
    if write and not record.get("pages_written"):
        return None
    outputs: dict[str, list[int]] = record.get("outputs", {})
    root = config.output_path
    for path, (size, mtime_ns) in outputs.items():
        try:
            info = os.stat(root / path)
        except OSError:
            return None
        if info.st_size != size or info.st_mtime_ns != mtime_ns:
            return None
    if write and record.get("listing") != _md_files(root):
        return None  # a page appeared since (a restored or synced one): it may be stale
    digest = None
    if not write:  # check and digest: the digest is read only where it may be printed
        digest = cache.read_digest(fingerprint)
        if digest is None:
            return None
    diagnostics = [
        Diagnostic(d["path"], d["line"], d["level"], d["message"])
        for d in record.get("diagnostics", [])
    ]
    return BuildResult(
        None,
        [],
        WriteResult(unchanged=sorted(outputs) if write else []),
        diagnostics,
        ReadResult([], [], 0, files, ignored),
        people=record.get("people", 0),
        archived=record.get("archived", 0),
        digest_text=digest,
        up_to_date=True,
    )


def save_record(
    cache: NoteCache,
    config: Config,
    fingerprint: str,
    result: BuildResult,
    pages: list[str],
    write: bool,
) -> None:
    """Save the record of a build that made ``pages`` (their paths), and the digest's JSON
    beside it unless the build saved it already, for the next one to stop early on."""
    outputs: dict[str, list[int]] = {}
    if write:
        root = config.output_path
        known = result.write.states  # of the files the write found unchanged
        for page in pages:
            state = known.get(page)
            if state is not None:
                outputs[page] = list(state)
                continue
            try:
                info = os.stat(root / page)
            except OSError:
                return
            outputs[page] = [info.st_size, info.st_mtime_ns]
    cache.write_record(
        {
            "fingerprint": fingerprint,
            "pages_written": write,
            "outputs": outputs,
            "listing": _md_files(config.output_path) if write else [],
            "people": result.people,
            "archived": result.archived,
            "diagnostics": [d.as_json() for d in result.diagnostics],
        }
    )
    # Saved beside the record, so that digest --format json on an unchanged vault
    # prints it without loading the notes (and a build does not read it).
    if not result.digest_saved:
        cache.write_digest(fingerprint, lambda: (result.digest_json_text(),))


def _config_inputs(config: Config) -> list[Path]:
    """Files besides the notes that a build reads: settings and user templates."""
    paths = [
        config.vault / "vaultnet.toml",
        config.vault / ".obsidian" / "templates.json",
        config.vault / ".obsidian" / "daily-notes.json",
    ]
    templates = config.vault / config.templates_dir
    if templates.is_dir():
        paths += sorted(p for p in templates.rglob("*") if p.is_file())
    return paths


def _md_files(root: Path) -> list[str]:
    """Every page-like file (.md, .base, ...) under the output folder, so a build notices one
    it must remove."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        found += sorted(
            os.path.join(folder, name) for name in files if name.endswith(PAGE_SUFFIXES)
        )
    return found


def _stat_key(path: Path) -> str:
    try:
        info = os.stat(path)
    except OSError:
        return "-"
    return f"{info.st_size}:{info.st_mtime_ns}"
