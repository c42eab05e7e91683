"""Reading files and parsing them as notes: the one place a build opens a note.

The parser is imported when a note must be read, so that a build that stops early (nothing
changed) never loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from vaultnet.diagnostics import Diagnostic
from vaultnet.source.vault import SourceFile

if TYPE_CHECKING:
    from vaultnet.source.body import DateMemo
    from vaultnet.source.notes import Note, ParseOptions, Unreadable

PROGRESS_EVERY = 250  # files between two progress reports


def parse_files(
    vault: Path,
    options: ParseOptions,
    sources: list[SourceFile],
    progress: Callable[[int, int], None] | None = None,
    memo: DateMemo | None = None,
) -> list[Note | Unreadable | None]:
    """Read and parse files; None for a file that vanished before it could be read.

    ``progress`` is called with (files done, files in all) every few hundred files. The
    notes share their dates, tags and links with those of other batches parsed with the
    same ``memo`` (by default, with one another only).
    """
    from vaultnet.source.notes import (  # the parser only when a note must be read
        NoteParser,
        Unreadable,
    )

    parser = NoteParser(options, memo)  # one for the batch: the notes share its dates
    results: list[Note | Unreadable | None] = []
    root = str(vault)
    for done, source in enumerate(sources):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, len(sources))
        try:
            # Unbuffered, by a string path: about half the cost of Path.read_bytes for the
            # many small files of a cold build.
            with open(f"{root}/{source.disk}", "rb", buffering=0) as handle:
                data = handle.read()
        except FileNotFoundError:
            results.append(None)
            continue
        except OSError as exc:
            message = f"cannot read: {exc.strerror}"
            results.append(
                Unreadable(source.path, (Diagnostic(source.path, None, "error", message),))
            )
            continue
        results.append(parser.parse(source.path, data))
    return results
