"""The rows of a CSV file from LinkedIn's data export, read by column name.

LinkedIn adds columns over the years and Excel re-saves files with a byte order mark or in
Windows-1252; some files start with a ``Notes:`` preamble. So the header is looked for by
the columns a reader needs, and each row is a mapping from (upper-case) column name.
A row that cannot be read (a field beyond the size limit) is reported and skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..diagnostics import Diagnostic
from .contact import ImportFileError
from .linkedin import PREAMBLE_LINES, decode

MAX_FIELD = 64 * 1024  # characters; a longer field is not something LinkedIn writes


def read_rows(
    path: Path, required: tuple[str, ...], what: str, diagnostics: list[Diagnostic]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row's first line number and its cells by upper-case column name.

    ImportFileError (naming the file and the columns expected) when no header row has
    every ``required`` column within the first lines.
    """
    shown = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{shown}: cannot read ({exc.strerror})") from None
    lines = decode(data, shown).lstrip("\ufeff").splitlines(keepends=True)
    wanted = {c.upper() for c in required}
    header: tuple[int, list[str]] | None = None
    for number, line in enumerate(lines[:PREAMBLE_LINES]):
        try:
            cells = next(csv.reader([line]), [])
        except csv.Error:
            continue
        names = [c.strip().lstrip("\ufeff").strip().upper() for c in cells]
        if set(names) >= wanted:
            header = number, names
            break
    if header is None:
        first = next((line.strip() for line in lines if line.strip()), "")
        seen = f"; its first line is {first[:80]!r}" if first else "; the file is empty"
        raise ImportFileError(
            f"{shown}: not LinkedIn's {what}: expected a header row with the columns "
            f"{', '.join(required)}{seen}"
        )
    index, names = header
    old_limit = csv.field_size_limit(MAX_FIELD)
    try:
        reader = csv.reader(lines[index + 1 :])
        consumed = 0
        while True:
            line_number = index + 2 + consumed
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                consumed = reader.line_num
                diagnostics.append(
                    Diagnostic(
                        shown, line_number, "warning", f"row cannot be read ({exc}); skipped"
                    )
                )
                continue
            consumed = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            yield (
                line_number,
                {name: row[i].strip() if i < len(row) else "" for i, name in enumerate(names)},
            )
    finally:
        csv.field_size_limit(old_limit)
