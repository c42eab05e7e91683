"""The only code that writes to a user's note: small edits, verified, written safely.

An edit works on the note's own text, line by line, so everything outside the lines that
must change keeps its exact bytes: comments, key order, quoting, list style, blank lines,
line endings, the BOM and a missing final newline. The edited text is then read back with
the same code that reads notes, and an edit that would change anything besides what was
asked is refused with an EditError.

- ``scanner``: reading a note for editing, and where each front matter key sits;
- ``values``: the front matter edits (``set_field``, ``remove_field``, ``add_list_item``,
  ``add_mapping_item``)
  and the read-back check;
- ``log``: ``add_log_entry``;
- ``files``: ``edit_note`` and ``create_note``, the file handling: the lock between
  vaultnet processes, and replacing a note without losing a save of another program
  (with ``swap``, the operating system's leases and atomic exchange).

The text functions are pure; only ``files`` touches the disk.
"""

from vaultnet.edit.files import (
    LOCK_NAME,
    LOCK_TIMEOUT,
    EditResult,
    create_note,
    diff,
    edit_note,
)
from vaultnet.edit.log import add_log_entry
from vaultnet.edit.scanner import EditError
from vaultnet.edit.values import (
    FieldValue,
    add_list_item,
    add_mapping_item,
    remove_field,
    set_field,
)

__all__ = [
    "LOCK_NAME",
    "LOCK_TIMEOUT",
    "EditError",
    "EditResult",
    "FieldValue",
    "add_list_item",
    "add_log_entry",
    "add_mapping_item",
    "create_note",
    "diff",
    "edit_note",
    "remove_field",
    "set_field",
]
