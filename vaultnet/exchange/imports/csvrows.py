"""The rows of a CSV file from LinkedIn's data export, read by column name, as a stream.

LinkedIn adds columns over the years and Excel re-saves files with a byte order mark or in
Windows-1252; some files start with a ``Notes:`` preamble. So the header is looked for by
the columns a reader needs, and each row is a mapping from (upper-case) column name.

The file is never held whole: its encoding is settled by one pass through an incremental
decoder, then the rows are read from a text stream, so memory stays bounded by the longest
row. csv itself refuses a field over ``CSV_LIMIT``; once it has, it would read on from the
middle of that field and make rows out of its lines, so reading stops there with an error
naming the line. Fields a reader finds too long below that are its own to skip by length.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vaultnet.diagnostics import Diagnostic
from vaultnet.exchange.imports.contact import ImportFileError

PREAMBLE_LINES = 30  # how far down the header may be
CSV_LIMIT = 16 * 1024 * 1024  # characters in one field: far beyond anything LinkedIn writes
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class CsvRows:
    """A CSV file past its header: where the header is, its columns, and the rows to come.

    ``rows`` yields each row's first line number and its cells by upper-case column name.
    """

    header_line: int  # counting from 1
    columns: tuple[str, ...]  # upper-case, as in the header
    rows: Iterator[tuple[int, dict[str, str]]]


def encoding_of(binary: BinaryIO, shown: str, what: str) -> str:
    """The codec the file is in: UTF-16 with a BOM, UTF-8 (BOM or not), else Windows-1252.

    Reads the file once from its start, a chunk at a time, and leaves it at its start.
    Raises ImportFileError when it is none of these.
    """
    start = binary.read(2)
    binary.seek(0)
    if start in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    for codec in ("utf-8-sig", "cp1252"):  # cp1252: a spreadsheet re-saved it on Windows
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            while chunk := binary.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            binary.seek(0)
        return codec
    raise ImportFileError(f"{shown}: not a text file in UTF-8 or Windows-1252; expected {what}")


def text_of(binary: BinaryIO, shown: str, what: str) -> io.TextIOWrapper:
    """``binary`` as text in its own encoding (see ``encoding_of``), for ``open_rows``;
    closing it closes ``binary``."""
    return io.TextIOWrapper(binary, encoding_of(binary, shown, what), newline="")


def open_rows(
    text: io.TextIOWrapper,
    shown: str,
    required: frozenset[str],
    what: str,
    columns: str,
    diagnostics: list[Diagnostic],
) -> CsvRows:
    """The header and rows of the CSV ``text`` (from ``text_of``; see ``CsvRows``).

    ``required`` are the upper-case columns the header must have; ImportFileError when
    none of the first lines has them all, saying the file is not ``what`` ("LinkedIn's
    messages.csv"), which ``columns`` were expected, and what its first line is. A row
    csv cannot read ends the reading, with an error diagnostic.
    """
    first = ""
    for index in range(PREAMBLE_LINES):
        line = text.readline(CSV_LIMIT)
        if not line:
            break
        first = first or line.strip()[:80]
        try:
            cells = next(csv.reader([line]), [])
        except csv.Error:
            continue
        names = tuple(cell.strip().lstrip("\ufeff").strip().upper() for cell in cells)
        if set(names) >= required:
            return CsvRows(index + 1, names, _rows(text, index + 1, names, shown, diagnostics))
    seen = f"; its first line is {first!r}" if first else "; the file is empty"
    raise ImportFileError(
        f"{shown}: not {what}: expected a header row with the columns {columns}{seen}"
    )


def _rows(
    text: io.TextIOWrapper,
    header_line: int,
    names: tuple[str, ...],
    shown: str,
    diagnostics: list[Diagnostic],
) -> Iterator[tuple[int, dict[str, str]]]:
    limit = csv.field_size_limit(CSV_LIMIT)  # process-wide: restored when reading ends
    try:
        reader = csv.reader(text)
        consumed = 0
        while True:
            line = header_line + 1 + consumed  # where this row starts
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                diagnostics.append(
                    Diagnostic(
                        shown,
                        line,
                        "error",
                        f"cannot read the file from here on ({exc}); the rows before it "
                        "were read, the rest are not imported",
                    )
                )
                return
            consumed = reader.line_num
            yield (
                line,
                {name: row[i].strip() if i < len(row) else "" for i, name in enumerate(names)},
            )
    finally:
        csv.field_size_limit(limit)


MAX_FIELD = 64 * 1024  # characters; a longer field is not something LinkedIn writes


def read_rows(
    path: Path, required: tuple[str, ...], what: str, diagnostics: list[Diagnostic]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row of the export ``what`` ("messages.csv") at ``path``: its first line number
    and its cells by upper-case column name. Rows with no text are left out; a row with a
    field over ``MAX_FIELD`` is skipped with a warning. ImportFileError when the file
    cannot be read or has no header row with every ``required`` column."""
    shown = str(path)
    try:
        binary = path.open("rb")
    except OSError as exc:
        raise ImportFileError(f"{shown}: cannot read ({exc.strerror})") from None
    what = f"LinkedIn's {what}"
    with binary, text_of(binary, shown, what) as text:
        found = open_rows(
            text,
            shown,
            frozenset(c.upper() for c in required),
            what,
            ", ".join(required),
            diagnostics,
        )
        for line, cells in found.rows:
            if not any(cells.values()):
                continue
            longest = max(cells, key=lambda name: len(cells[name]), default=None)
            if longest is not None and len(cells[longest]) > MAX_FIELD:
                diagnostics.append(
                    Diagnostic(
                        shown,
                        line,
                        "warning",
                        f"row cannot be read: its {longest} is {len(cells[longest]):,} "
                        f"characters long, over the limit of {MAX_FIELD:,}; skipped",
                    )
                )
                continue
            yield line, cells
