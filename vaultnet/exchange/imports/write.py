"""An import plan written to the vault: new notes created whole, known ones edited once.

Every write goes through the note editor (``vaultnet.edit``): a new note appears whole or not
at all, a known note gets one verified edit that may change only the keys planned.
"""

from __future__ import annotations

import datetime as dt
import errno
from collections.abc import Callable
from typing import Any

from vaultnet.atomic import clean_temp_files
from vaultnet.config import Config
from vaultnet.containment import state_dir
from vaultnet.diagnostics import Diagnostic
from vaultnet.edit import (
    EditError,
    FieldValue,
    add_list_item,
    add_log_entry,
    create_note,
    edit_note,
    set_field,
)
from vaultnet.errors import UsageError
from vaultnet.exchange.imports.plan import ALIASES, ImportPlan, ImportResult, Planned, present
from vaultnet.source.notes import Note, Position, parse_note


def apply_import(
    config: Config,
    plan: ImportPlan,
    *,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Write the plan: new notes created (never over a file), known ones edited.

    A new note appears whole or not at all (the note editor writes it to a temporary file
    and links it into place). Each known note gets one verified edit that may change only
    the keys planned (and ``history``, the company and role for a move); its body changes
    only by the log line. A note the editor refuses is reported in ``failed`` and the
    others are still written, unless the vault cannot take any write (a full disk, a
    read-only vault): then the import stops, and importing again later finishes it.
    """
    result = ImportResult()
    lock_dir = state_dir(config.vault)
    folders = {
        (config.vault / item.path).parent for item in plan.items if item.action != "unchanged"
    }
    for folder in sorted(folders):
        clean_temp_files(folder)  # what a killed import or edit left behind
    for index, item in enumerate(plan.items):
        try:
            if item.action == "new":
                create_note(config.vault / item.path, item.text)
                result.written.append(item.path)
            elif item.action == "update":
                transform, keys = _update(config, plan, item)
                edited = edit_note(
                    config.vault / item.path,
                    transform,
                    expect_keys=keys,
                    body_change=item.move is not None,
                    lock_dir=lock_dir,
                    front_matter_required=True,
                )
                if edited.changed:
                    result.written.append(item.path)
        except (EditError, UsageError) as exc:
            message = f"not imported: {exc.message}"
            result.failed.append(Diagnostic(item.path, exc.line, "error", message))
            reason = _unwritable(exc)
            if reason is not None:
                left = sum(1 for later in plan.items[index + 1 :] if later.action != "unchanged")
                more = f"; {left} more notes not written" if left else ""
                result.stopped = (
                    f"import stopped: the vault cannot be written ({reason}){more}. Free "
                    "some space or make the vault writable, then import again: notes "
                    "already written are matched, not made twice"
                )
                break
        if progress is not None:
            progress(1)
    return result


def _unwritable(exc: Exception) -> str | None:
    """Why no note can be written now (a full disk, a read-only vault), or None."""
    cause = exc.__cause__
    if isinstance(cause, OSError) and cause.errno in _UNWRITABLE:
        return cause.strerror or str(cause)
    return None


_UNWRITABLE = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT})


def _key_in_use(front_matter: dict[str, Any], key: str) -> str:
    """``company`` or ``org``, ``role`` or ``title``: the spelling the note already uses."""
    names = ALIASES.get(key, (key,))
    return next((k for k in names if present(front_matter.get(k))), key)


def _update(
    config: Config, plan: ImportPlan, item: Planned
) -> tuple[Callable[[str], str], frozenset[str]]:
    """The edit for a known note and the front matter keys it may change."""
    note_keys = [key for key, _ in item.fields]
    move = item.move
    extra: list[str] = []
    if move is not None:
        note = parse_note(item.path, (config.vault / item.path).read_bytes())
        front_matter = note.front_matter if isinstance(note, Note) else {}
        company_name = _key_in_use(front_matter, "company")
        role_name = _key_in_use(front_matter, "role")
        extra = (
            [company_name, role_name, "history"] if move.changes_company else [role_name, "history"]
        )

    def transform(text: str) -> str:
        for key, value in item.fields:
            text = set_field(text, key, value)
        if move is not None:
            if move.changes_company:
                text = set_field(text, company_name, move.company)
            text = set_field(text, role_name, move.role)
            entry: dict[str, FieldValue] = {"company": move.old_company}
            if move.old_role:
                entry["role"] = move.old_role
            entry["to"] = plan.today
            text = append_history(text, entry)
            line = move.describe(plan.file.source)
            text = add_log_entry(text, plan.today, line, config.log_headings)
        return text

    return transform, frozenset(note_keys + extra)


# A list item that the note editor writes plain, replaced by the real entry afterwards: the
# editor places it in the list's own style (block or flow, indentation), and knows where
# the list ends, which is the hard part of adding an item to YAML.
_PLACEHOLDER = "vaultnet-history-entry-placeholder"


def append_history(text: str, entry: dict[str, FieldValue]) -> str:
    """Add ``entry`` (a position: company, role, to) at the end of ``history``.

    The result is read back: EditError unless ``history`` then reads as before plus the
    entry.
    """
    if _PLACEHOLDER in text:
        raise EditError("not edited: the note contains vaultnet's placeholder text")
    before = parse_note("note.md", text.encode("utf-8"))
    old_history = before.history if isinstance(before, Note) else ()
    marked = add_list_item(text, "history", _PLACEHOLDER)
    start = marked.index(_PLACEHOLDER)
    line_start = marked.rfind("\n", 0, start) + 1
    line_end = start + len(_PLACEHOLDER)
    prefix = marked[line_start:start]
    after = marked[line_end:]
    eol = "\r\n" if after.startswith("\r\n") else after[:1]
    if prefix.strip(" ") == "-" and prefix.startswith(" " * prefix.index("-")) and eol:
        # A block list: a block mapping under the dash, keys aligned.
        indent = " " * len(prefix)
        pairs = [f"{key}: {_yaml_scalar(value, flow=False)}" for key, value in entry.items()]
        replacement = (eol + indent).join(pairs)
    else:
        pairs = [f"{key}: {_yaml_scalar(value, flow=True)}" for key, value in entry.items()]
        replacement = "{" + ", ".join(pairs) + "}"
    result = marked[:start] + replacement + marked[line_end:]
    after_note = parse_note("note.md", result.encode("utf-8"))
    company = str(entry["company"])
    role = entry.get("role")
    until = entry.get("to")
    expected = Position(
        company, str(role) if role else None, None, until if isinstance(until, dt.date) else None
    )
    if not isinstance(after_note, Note) or after_note.history != (*old_history, expected):
        raise EditError("not edited: the history entry would not read back as written")
    return result


def _yaml_scalar(value: FieldValue, flow: bool) -> str:
    """``value`` as the note editor writes it, in block or flow context."""
    if flow:
        scratch = set_field("---\nk: []\n---\n", "k", [_text(value)])
        inner = scratch.split("\n")[1][len("k: [") : -1]
        return inner if isinstance(value, str) else _text(value)
    scratch = set_field("---\nk: x\n---\n", "k", value)
    return scratch.split("\n")[1][len("k: ") :]


def _text(value: FieldValue) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)
