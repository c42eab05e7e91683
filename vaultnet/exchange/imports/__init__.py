"""Importing contacts: LinkedIn's Connections.csv and vCard files, into person notes.

Reading a file gives an ``ImportFile`` (contacts, skipped rows, problems); ``plan_import``
matches it to the vault and ``apply_import`` writes the plan through the note editor.
"""

from __future__ import annotations

from vaultnet.exchange.imports.contact import (
    Contact,
    ImportFile,
    ImportFileError,
    Labelled,
    Skipped,
    clean_text,
)
from vaultnet.exchange.imports.linkedin import parse_linkedin, read_linkedin
from vaultnet.exchange.imports.plan import (
    ImportPlan,
    ImportResult,
    Move,
    Planned,
    plan_import,
)
from vaultnet.exchange.imports.vcard import parse_vcards, read_vcard
from vaultnet.exchange.imports.write import apply_import

__all__ = [
    "Contact",
    "ImportFile",
    "ImportFileError",
    "ImportPlan",
    "ImportResult",
    "Labelled",
    "Move",
    "Planned",
    "Skipped",
    "apply_import",
    "clean_text",
    "parse_linkedin",
    "parse_vcards",
    "plan_import",
    "read_linkedin",
    "read_vcard",
]
