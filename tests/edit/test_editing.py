"""The note editor: byte-exact edits on notes in every style users write, refusals, the
read-back check, compare-and-swap, locking, permissions and dry runs."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultnet.edit import (
    EditError,
    FieldValue,
    add_list_item,
    add_log_entry,
    diff,
    edit_note,
    files,
    remove_field,
    scanner,
    set_field,
)
from vaultnet.errors import VaultnetError
from vaultnet.source import document, yamldata

D = dt.date


def read_data(text: str) -> dict[str, Any]:
    """The front matter as vaultnet reads it, independently of the editor."""
    bom = text.startswith("\ufeff")
    doc = document.split(text[1:] if bom else text, bom)
    if doc.front_matter is None:
        return {}
    return yamldata.load_mapping(doc.front_matter, frozenset(), doc.front_matter_line).data


def hunks(old: bytes, new: bytes) -> int:
    """How many hunks a line diff of two byte strings has."""
    matcher = difflib.SequenceMatcher(None, old.splitlines(True), new.splitlines(True))
    return sum(1 for group in matcher.get_grouped_opcodes(0))


# --- the edits, as edit_note runs them -----------------------------------------------------


@dataclass(frozen=True)
class Op:
    transform: Callable[[str], str]
    keys: frozenset[str] | None
    body: bool


def set_(key: str, value: FieldValue) -> Op:
    return Op(lambda text: set_field(text, key, value), frozenset({key}), False)


def remove(key: str) -> Op:
    return Op(lambda text: remove_field(text, key), frozenset({key}), False)


def add_item(key: str, item: str) -> Op:
    return Op(lambda text: add_list_item(text, key, item), frozenset({key}), False)


def log(when: dt.date, text: str) -> Op:
    return Op(lambda note: add_log_entry(note, when, text), None, True)


def run(tmp_path: Path, before: bytes, op: Op) -> bytes:
    path = tmp_path / "Ann Lee.md"
    path.write_bytes(before)
    result = edit_note(path, op.transform, expect_keys=op.keys, body_change=op.body)
    after = path.read_bytes()
    assert result.changed == (after != before)
    return after


# --- the corpus: notes in the styles users write, each edit with its exact result ---------

COMMENTS_FLOW = """\
---
# Person card
name: 'Ann Lee'  # as she writes it
company: "[[Harbor Health]]"
tags: [person, 'data eng']
bio: |
  Met at PyCon, "loved" the talk.
  # this line is part of the bio
tier: supporter # promoted 2024
---
Body text.
"""

OBSIDIAN = """\
---
tags:
  - person
aliases:
  - Ann
met: 2024-03-05
---
"""

OFFSET0 = """\
---
tags:
- person
- data
company: Acme
---
"""

LONG = "x" * 150 + " " + "y" * 149
EMOJI = "---\nname: 🙂 Zoë\n---\nHi 👋\n"

CASES: list[tuple[str, bytes, Op, bytes]] = [
    # HOSTILE 48: comments, flow lists, both quotes and a block scalar; one line changes.
    (
        "comments-set-scalar-keeps-comment",
        COMMENTS_FLOW.encode(),
        set_("tier", "advocate"),
        COMMENTS_FLOW.replace("tier: supporter #", "tier: advocate #").encode(),
    ),
    (
        "comments-set-quoted-keeps-spacing",
        COMMENTS_FLOW.encode(),
        set_("name", "Ann Smith"),
        COMMENTS_FLOW.replace("name: 'Ann Lee'  #", "name: Ann Smith  #").encode(),
    ),
    (
        "comments-set-link-is-quoted",
        COMMENTS_FLOW.encode(),
        set_("company", "[[Acme]]"),
        COMMENTS_FLOW.replace('"[[Harbor Health]]"', '"[[Acme]]"').encode(),
    ),
    (
        "comments-add-to-flow-list",
        COMMENTS_FLOW.encode(),
        add_item("tags", "friend"),
        COMMENTS_FLOW.replace("'data eng']", "'data eng', friend]").encode(),
    ),
    (
        "comments-add-quoted-to-flow-list",
        COMMENTS_FLOW.encode(),
        add_item("tags", "a, b"),
        COMMENTS_FLOW.replace("'data eng']", "'data eng', \"a, b\"]").encode(),
    ),
    (
        "comments-set-flow-list-stays-flow",
        COMMENTS_FLOW.encode(),
        set_("tags", ["person", "2024"]),
        COMMENTS_FLOW.replace("[person, 'data eng']", '[person, "2024"]').encode(),
    ),
    (
        "comments-remove-block-scalar",
        COMMENTS_FLOW.encode(),
        remove("bio"),
        COMMENTS_FLOW.replace(
            'bio: |\n  Met at PyCon, "loved" the talk.\n  # this line is part of the bio\n', ""
        ).encode(),
    ),
    (
        "comments-new-key-is-last",
        COMMENTS_FLOW.encode(),
        set_("last_contact", D(2026, 11, 3)),
        COMMENTS_FLOW.replace("---\nBody", "last_contact: 2026-11-03\n---\nBody").encode(),
    ),
    (
        "comments-block-scalar-to-text",
        COMMENTS_FLOW.encode(),
        set_("bio", "Met at PyCon"),
        COMMENTS_FLOW.replace(
            'bio: |\n  Met at PyCon, "loved" the talk.\n  # this line is part of the bio\n',
            "bio: Met at PyCon\n",
        ).encode(),
    ),
    # HOSTILE 49: Obsidian's two-space lists.
    (
        "obsidian-add-item",
        OBSIDIAN.encode(),
        add_item("tags", "friend"),
        OBSIDIAN.replace("  - person\n", "  - person\n  - friend\n").encode(),
    ),
    (
        "obsidian-new-list-key",
        OBSIDIAN.encode(),
        set_("knows", ["[[Bob]]", "Carol"]),
        OBSIDIAN.replace(
            "met: 2024-03-05\n", 'met: 2024-03-05\nknows:\n  - "[[Bob]]"\n  - Carol\n'
        ).encode(),
    ),
    (
        "obsidian-scalar-becomes-list",
        OBSIDIAN.encode(),
        set_("aliases", "Annie"),
        OBSIDIAN.replace("aliases:\n  - Ann\n", "aliases: Annie\n").encode(),
    ),
    # HOSTILE 50: offset-0 lists.
    (
        "offset0-add-item",
        OFFSET0.encode(),
        add_item("tags", "friend"),
        OFFSET0.replace("- data\n", "- data\n- friend\n").encode(),
    ),
    (
        "offset0-new-list-copies-style",
        OFFSET0.encode(),
        set_("knows", ["Bob"]),
        OFFSET0.replace("company: Acme\n", "company: Acme\nknows:\n- Bob\n").encode(),
    ),
    (
        "offset0-scalar-to-list",
        OFFSET0.encode(),
        add_item("company", "Beta"),
        OFFSET0.replace("company: Acme\n", "company:\n- Acme\n- Beta\n").encode(),
    ),
    (
        "offset0-remove-list",
        OFFSET0.encode(),
        remove("tags"),
        OFFSET0.replace("tags:\n- person\n- data\n", "").encode(),
    ),
    # HOSTILE 4: CRLF stays CRLF, also on new lines.
    (
        "crlf-set",
        OBSIDIAN.replace("\n", "\r\n").encode(),
        set_("met", D(2025, 1, 2)),
        OBSIDIAN.replace("2024-03-05", "2025-01-02").replace("\n", "\r\n").encode(),
    ),
    (
        "crlf-new-key",
        OBSIDIAN.replace("\n", "\r\n").encode(),
        set_("tier", "champion"),
        (OBSIDIAN[:-4] + "tier: champion\n---\n").replace("\n", "\r\n").encode(),
    ),
    (
        "crlf-add-item",
        OBSIDIAN.replace("\n", "\r\n").encode(),
        add_item("aliases", "A. Lee"),
        OBSIDIAN.replace("  - Ann\n", "  - Ann\n  - A. Lee\n").replace("\n", "\r\n").encode(),
    ),
    (
        "crlf-new-log-section",
        b"---\r\ntier: advocate\r\n---\r\n# Ann\r\n",
        log(D(2026, 11, 3), "call"),
        b"---\r\ntier: advocate\r\n---\r\n# Ann\r\n\r\n## Log\r\n- 2026-11-03 call\r\n",
    ),
    # HOSTILE 5: LF front matter, CRLF body: each line keeps its own ending.
    (
        "mixed-eol-new-key",
        b"---\nname: Ann\n---\r\n# Ann\r\n## Log\r\n- 2026-01-01 met\r\n",
        set_("tier", "advocate"),
        b"---\nname: Ann\ntier: advocate\n---\r\n# Ann\r\n## Log\r\n- 2026-01-01 met\r\n",
    ),
    (
        "mixed-eol-log",
        b"---\nname: Ann\n---\r\n# Ann\r\n## Log\r\n- 2026-01-01 met\r\n",
        log(D(2026, 2, 1), "call"),
        b"---\nname: Ann\n---\r\n# Ann\r\n## Log\r\n- 2026-01-01 met\r\n- 2026-02-01 call\r\n",
    ),
    # HOSTILE 6: classic Mac line endings.
    (
        "cr-only",
        b"---\rname: Ann\r---\rbody\r",
        set_("tier", "advocate"),
        b"---\rname: Ann\rtier: advocate\r---\rbody\r",
    ),
    # HOSTILE 1: the BOM stays.
    (
        "bom-set",
        b"\xef\xbb\xbf---\nname: Ann\n---\nbody\n",
        set_("name", "Ann Lee"),
        b"\xef\xbb\xbf---\nname: Ann Lee\n---\nbody\n",
    ),
    (
        "bom-without-front-matter",
        b"\xef\xbb\xbf# Ann\n",
        set_("tier", "advocate"),
        b"\xef\xbb\xbf---\ntier: advocate\n---\n# Ann\n",
    ),
    (
        "bom-log",
        b"\xef\xbb\xbf---\nname: Ann\n---\n## Log\n- 2026-01-01 met\n",
        log(D(2026, 1, 2), "call"),
        b"\xef\xbb\xbf---\nname: Ann\n---\n## Log\n- 2026-01-01 met\n- 2026-01-02 call\n",
    ),
    # HOSTILE 52: a missing final newline stays missing; one that is there stays.
    (
        "no-final-newline-set",
        b"---\nname: Ann\n---\nbody",
        set_("tier", "advocate"),
        b"---\nname: Ann\ntier: advocate\n---\nbody",
    ),
    (
        "no-final-newline-fence",
        b"---\nname: Ann\n---",
        set_("name", "Bob"),
        b"---\nname: Bob\n---",
    ),
    (
        "no-final-newline-log-end",
        b"---\nname: Ann\n---\n## Log\n- 2026-01-01 met",
        log(D(2026, 2, 1), "call"),
        b"---\nname: Ann\n---\n## Log\n- 2026-01-01 met\n- 2026-02-01 call",
    ),
    (
        "no-final-newline-new-section",
        b"---\nname: Ann\n---\nSome text",
        log(D(2026, 2, 1), "call"),
        b"---\nname: Ann\n---\nSome text\n\n## Log\n- 2026-02-01 call",
    ),
    (
        "no-final-newline-no-body",
        b"---\nname: Ann\n---",
        log(D(2026, 2, 1), "call"),
        b"---\nname: Ann\n---\n\n## Log\n- 2026-02-01 call",
    ),
    (
        "final-newline-new-section",
        b"Some text\n",
        log(D(2026, 2, 1), "call"),
        b"Some text\n\n## Log\n- 2026-02-01 call\n",
    ),
    (
        "blank-last-line-new-section",
        b"Some text\n\n",
        log(D(2026, 2, 1), "call"),
        b"Some text\n\n## Log\n- 2026-02-01 call\n",
    ),
    (
        "empty-note-log",
        b"",
        log(D(2026, 2, 1), "call"),
        b"## Log\n- 2026-02-01 call\n",
    ),
    # HOSTILE 47: emoji stay literal, never \U0001F642.
    (
        "emoji-other-key",
        EMOJI.encode(),
        set_("tier", "advocate"),
        EMOJI.replace("Zoë\n", "Zoë\ntier: advocate\n").encode(),
    ),
    (
        "emoji-value",
        EMOJI.encode(),
        set_("name", "🙂 Zoë Ruiz 🎉"),
        EMOJI.replace("Zoë\n", "Zoë Ruiz 🎉\n", 1).encode(),
    ),
    (
        "emoji-quoted-stays-literal",
        EMOJI.encode(),
        set_("name", "#1 🙂"),
        EMOJI.replace("🙂 Zoë\n", '"#1 🙂"\n').encode(),
    ),
    # HOSTILE 51: a 300-character value is never re-wrapped.
    (
        "long-line-untouched",
        f"---\nbio: {LONG}\nname: Ann\n---\n".encode(),
        set_("name", "Bob"),
        f"---\nbio: {LONG}\nname: Bob\n---\n".encode(),
    ),
    (
        "long-line-written",
        b"---\nname: Ann\n---\n",
        set_("bio", LONG),
        f"---\nname: Ann\nbio: {LONG}\n---\n".encode(),
    ),
    # HOSTILE 18, 19: keys named like python-frontmatter attributes.
    (
        "content-key",
        b"---\ncontent: x\nhandler: y\n---\nbody\n",
        set_("content", "z"),
        b"---\ncontent: z\nhandler: y\n---\nbody\n",
    ),
    (
        "handler-key-remove",
        b"---\ncontent: x\nhandler: y\n---\nbody\n",
        remove("handler"),
        b"---\ncontent: x\n---\nbody\n",
    ),
    # HOSTILE 20, 21, 30, 46: odd keys and values elsewhere are left exactly as they are.
    (
        "int-and-bool-keys",
        b"---\n2024: started\nyes: 1\n---\n",
        set_("2024", "joined"),
        b"---\n2024: joined\nyes: 1\n---\n",
    ),
    (
        "zero-width-space-key",
        "---\nna\u200bme: a\nname: b\nmet: 2024-03-05 14:30\n---\n".encode(),
        set_("name", "c"),
        "---\nna\u200bme: a\nname: c\nmet: 2024-03-05 14:30\n---\n".encode(),
    ),
    # HOSTILE 33: a body that starts with a lone brace is body.
    (
        "brace-first-line",
        b"{\nnot json\n",
        set_("tier", "advocate"),
        b"---\ntier: advocate\n---\n{\nnot json\n",
    ),
    # HOSTILE 13: empty front matter gets keys inside its fences.
    (
        "empty-front-matter",
        b"---\n---\nbody",
        set_("tier", "advocate"),
        b"---\ntier: advocate\n---\nbody",
    ),
    (
        "empty-front-matter-list",
        b"---\r\n---\r\nbody",
        add_item("tags", "person"),
        b"---\r\ntags:\r\n  - person\r\n---\r\nbody",
    ),
    (
        "no-front-matter",
        b"# Ann\n\nText.\n",
        set_("tier", "advocate"),
        b"---\ntier: advocate\n---\n# Ann\n\nText.\n",
    ),
    (
        "no-front-matter-crlf",
        b"# Ann\r\n",
        set_("tags", ["person"]),
        b"---\r\ntags:\r\n  - person\r\n---\r\n# Ann\r\n",
    ),
    # HOSTILE 7, 12: not front matter, so a new block goes above and the rest stays.
    (
        "leading-blank-lines",
        b"\n\n---\nname: Ann\n---\n",
        set_("tier", "advocate"),
        b"---\ntier: advocate\n---\n\n\n---\nname: Ann\n---\n",
    ),
    (
        "four-dash-fences",
        b"----\nname: Ann\n----\n",
        set_("tier", "advocate"),
        b"---\ntier: advocate\n---\n----\nname: Ann\n----\n",
    ),
    # HOSTILE 31: an unquoted link is written back quoted when vaultnet sets that key.
    (
        "unquoted-link",
        b"---\ncompany: [[Acme]]\nrole: CTO\n---\n",
        set_("company", "[[Beta]]"),
        b'---\ncompany: "[[Beta]]"\nrole: CTO\n---\n',
    ),
    # HOSTILE 26, 27: text that YAML would read as something else is quoted.
    (
        "phone-quoted",
        b"---\nname: Ann\n---\n",
        set_("phone", "+447911123456"),
        b'---\nname: Ann\nphone: "+447911123456"\n---\n',
    ),
    (
        "norway-quoted",
        b"---\nname: Ann\n---\n",
        set_("country", "NO"),
        b'---\nname: Ann\ncountry: "NO"\n---\n',
    ),
    # HOSTILE 36: anchors and aliases elsewhere are left as written, never expanded.
    (
        "anchors-untouched",
        b"---\nbase: &b Acme\ncompany: *b\nname: Ann\n---\n",
        set_("name", "Bob"),
        b"---\nbase: &b Acme\ncompany: *b\nname: Bob\n---\n",
    ),
    # Comments and blank lines between keys stay with the next key.
    (
        "remove-takes-indented-comments-under-it",
        b"---\nbio: |\n  text\nname: Ann\n\n  # her full name\ntier: x\n---\n",
        remove("name"),
        b"---\nbio: |\n  text\ntier: x\n---\n",
    ),
    (
        "remove-keeps-next-keys-comment",
        b"---\na: 1\n\n# about b\nb: 2\n---\n",
        remove("a"),
        b"---\n\n# about b\nb: 2\n---\n",
    ),
    (
        "replace-keeps-trailing-comment-lines",
        b"---\ntags:\n  - a\n  # - b (retired)\nname: Ann\n---\n",
        set_("tags", ["c"]),
        b"---\ntags:\n  - c\n  # - b (retired)\nname: Ann\n---\n",
    ),
    (
        "add-item-before-trailing-comment",
        b"---\ntags:\n  - a\n# next\nname: Ann\n---\n",
        add_item("tags", "b"),
        b"---\ntags:\n  - a\n  - b\n# next\nname: Ann\n---\n",
    ),
    (
        "multi-line-flow-list",
        b"---\ntags: [a,\n  b]\nname: Ann\n---\n",
        add_item("tags", "c"),
        b"---\ntags: [a,\n  b, c]\nname: Ann\n---\n",
    ),
    (
        "empty-flow-list",
        b"---\ntags: []\n---\n",
        add_item("tags", "a"),
        b"---\ntags: [a]\n---\n",
    ),
    (
        "null-value-becomes-list",
        b"---\ntags:  # none yet\nname: Ann\n---\n",
        add_item("tags", "a"),
        b"---\ntags:  # none yet\n  - a\nname: Ann\n---\n",
    ),
    (
        "folded-scalar-then-key",
        b"---\nbio: >-\n  one\n  two\nname: Ann\n---\n",
        set_("name", "Bob"),
        b"---\nbio: >-\n  one\n  two\nname: Bob\n---\n",
    ),
    (
        "quoted-key",
        b"---\n\"first name\": Ann\n'tier' : supporter\n---\n",
        set_("tier", "advocate"),
        b"---\n\"first name\": Ann\n'tier' : advocate\n---\n",
    ),
    (
        "nested-history",
        b"---\nhistory:\n  - company: Acme\n    role: CTO\nname: Ann\n---\n",
        set_("name", "Bob"),
        b"---\nhistory:\n  - company: Acme\n    role: CTO\nname: Bob\n---\n",
    ),
    (
        "new-key-with-special-name",
        b"---\nname: Ann\n---\n",
        set_("2024", "started"),
        b'---\nname: Ann\n"2024": started\n---\n',
    ),
    (
        "set-empty-list",
        b"---\ntags:\n  - a\n---\n",
        set_("tags", []),
        b"---\ntags: []\n---\n",
    ),
    (
        "set-none-removes",
        b"---\ntier: advocate\nname: Ann\n---\n",
        set_("tier", None),
        b"---\nname: Ann\n---\n",
    ),
    (
        "bool-and-int",
        b"---\nname: Ann\n---\n",
        set_("cadence", 30),
        b"---\nname: Ann\ncadence: 30\n---\n",
    ),
    # The log: in the middle, at the end of a section, in a new section.
    (
        "log-middle",
        b"# Ann\n## Log\n- 2026-10-01 coffee\n  - details\n- 2026-11-03 call\n\n## Notes\n",
        log(D(2026, 10, 15), "lunch"),
        b"# Ann\n## Log\n- 2026-10-01 coffee\n  - details\n- 2026-10-15 lunch\n"
        b"- 2026-11-03 call\n\n## Notes\n",
    ),
    (
        "log-end-of-section",
        b"# Ann\n## Log\n- 2026-10-01 coffee\n\n## Notes\n- 2027-01-01 not a log\n",
        log(D(2026, 12, 1), "lunch"),
        b"# Ann\n## Log\n- 2026-10-01 coffee\n- 2026-12-01 lunch\n\n"
        b"## Notes\n- 2027-01-01 not a log\n",
    ),
    (
        "log-first",
        b"## Log\n- 2026-10-01 coffee\n",
        log(D(2026, 1, 1), "met"),
        b"## Log\n- 2026-01-01 met\n- 2026-10-01 coffee\n",
    ),
    (
        "log-same-date-goes-after",
        b"## Log\n- 2026-10-01 coffee\n- 2026-11-01 call\n",
        log(D(2026, 10, 1), "lunch"),
        b"## Log\n- 2026-10-01 coffee\n- 2026-10-01 lunch\n- 2026-11-01 call\n",
    ),
    (
        "log-copies-star-and-link",
        b"### interactions\n* [[2026-10-01]] coffee\n",
        log(D(2026, 10, 2), "call"),
        b"### interactions\n* [[2026-10-01]] coffee\n* [[2026-10-02]] call\n",
    ),
    (
        "log-newest-first",
        b"## Log\n- 2026-11-01 call\n- 2026-10-01 coffee\n",
        log(D(2026, 10, 15), "lunch"),
        b"## Log\n- 2026-11-01 call\n- 2026-10-15 lunch\n- 2026-10-01 coffee\n",
    ),
    (
        "log-empty-section",
        b"## Log\n\n## Notes\n",
        log(D(2026, 10, 15), "lunch"),
        b"## Log\n- 2026-10-15 lunch\n\n## Notes\n",
    ),
    (
        "log-section-with-text-only",
        b"## Meetings\nWho I met:\n\n# Other\n",
        log(D(2026, 10, 15), "lunch"),
        b"## Meetings\nWho I met:\n- 2026-10-15 lunch\n\n# Other\n",
    ),
    (
        "log-subheadings-inside",
        b"## Log\n- 2026-01-01 a\n### 2026\n- 2026-05-01 b\n## Next\n",
        log(D(2026, 6, 1), "c"),
        b"## Log\n- 2026-01-01 a\n### 2026\n- 2026-05-01 b\n- 2026-06-01 c\n## Next\n",
    ),
    (
        "log-heading-in-code-block-ignored",
        b"```\n## Log\n```\n",
        log(D(2026, 6, 1), "c"),
        b"```\n## Log\n```\n\n## Log\n- 2026-06-01 c\n",
    ),
    (
        "log-loose-item-continuation",
        b"## Log\n- 2026-01-01 a\n\n  more about a\n- 2026-03-01 b\n",
        log(D(2026, 2, 1), "c"),
        b"## Log\n- 2026-01-01 a\n\n  more about a\n- 2026-02-01 c\n- 2026-03-01 b\n",
    ),
    (
        "log-keeps-front-matter",
        COMMENTS_FLOW.encode(),
        log(D(2026, 6, 1), "coffee #gave"),
        (COMMENTS_FLOW + "\n## Log\n- 2026-06-01 coffee #gave\n").encode(),
    ),
]


@pytest.mark.parametrize(
    ("before", "op", "after"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_edit_is_byte_exact(tmp_path: Path, before: bytes, op: Op, after: bytes) -> None:
    assert run(tmp_path, before, op) == after


ONE_HUNK = [
    c
    for c in CASES
    if c[0].startswith(("comments-", "obsidian-add", "offset0-add", "crlf-", "emoji-", "long-"))
]


@pytest.mark.parametrize(("before", "op"), [c[1:3] for c in ONE_HUNK], ids=[c[0] for c in ONE_HUNK])
def test_edit_is_one_hunk(tmp_path: Path, before: bytes, op: Op) -> None:
    assert hunks(before, run(tmp_path, before, op)) == 1


def test_set_existing_key_changes_exactly_one_line(tmp_path: Path) -> None:
    before = COMMENTS_FLOW.encode()
    after = run(tmp_path, before, set_("tier", "advocate"))
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed == [(b"tier: supporter # promoted 2024", b"tier: advocate # promoted 2024")]


def test_crlf_every_line_still_ends_in_crlf(tmp_path: Path) -> None:
    before = (COMMENTS_FLOW + "## Log\n- 2026-01-01 met\n").replace("\n", "\r\n").encode()
    after = before
    for op in (set_("tier", "champion"), add_item("tags", "x"), log(D(2026, 2, 1), "call")):
        after = run(tmp_path, after, op)
    assert after.count(b"\n") == after.count(b"\r\n") == before.count(b"\n") + 1


def test_edits_compose(tmp_path: Path) -> None:
    after = OBSIDIAN.encode()
    for op in (
        set_("tier", "advocate"),
        add_item("tags", "friend"),
        remove("met"),
        log(D(2026, 11, 3), "coffee"),
    ):
        after = run(tmp_path, after, op)
    assert after == (
        b"---\ntags:\n  - person\n  - friend\naliases:\n  - Ann\ntier: advocate\n---\n"
        b"\n## Log\n- 2026-11-03 coffee\n"
    )


# --- values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("acquaintance", "acquaintance"),
        ("Ann Lee", "Ann Lee"),
        ("Acme, Inc.", "Acme, Inc."),
        ("it's", "it's"),
        ('Zoë "Z"', 'Zoë "Z"'),
        ("🙂", "🙂"),
        ("a\\b", "a\\b"),
        ("x" * 300, "x" * 300),
        ("[[Acme]]", '"[[Acme]]"'),
        ("2024", '"2024"'),
        ("true", '"true"'),
        ("null", '"null"'),
        ("~", '"~"'),
        ("", '""'),
        ("+447911123456", '"+447911123456"'),
        ("012345", '"012345"'),
        ("12:30", '"12:30"'),
        ("2024-01-01", '"2024-01-01"'),
        ("1e3", '"1e3"'),
        (".inf", '".inf"'),
        ("NO", '"NO"'),
        ("yes", '"yes"'),
        ("Meeting: notes", '"Meeting: notes"'),
        ("ends with:", '"ends with:"'),
        ("a #b", '"a #b"'),
        ("#work", '"#work"'),
        ("- dash", '"- dash"'),
        ("'quoted'", "\"'quoted'\""),
        ("@handle", '"@handle"'),
        ("%x", '"%x"'),
        ("*star", '"*star"'),
        ("&amp", '"&amp"'),
        ("!tag", '"!tag"'),
        ("|pipe", '"|pipe"'),
        ("{x}", '"{x}"'),
        (" lead", '" lead"'),
        ("trail ", '"trail "'),
        ('say "hi": now', '"say \\"hi\\": now"'),
        ("line\nbreak", '"line\\nbreak"'),
        ("tab\there", '"tab\\there"'),
        ("bell\x07", '"bell\\u0007"'),
        ("del\x7f", '"del\\u007f"'),
        ("nel\x85", '"nel\\u0085"'),
        ("ls\u2028", '"ls\\u2028"'),
        ("bom\ufeff", '"bom\\ufeff"'),
        ("back\\slash: x", '"back\\\\slash: x"'),
        ("🙂: Zoë", '"🙂: Zoë"'),
        (42, "42"),
        (-7, "-7"),
        (True, "true"),
        (False, "false"),
        (D(2026, 11, 3), "2026-11-03"),
        (D(33, 1, 2), "0033-01-02"),
    ],
)
def test_value_is_written_safely_and_reads_back(value: FieldValue, written: str) -> None:
    new = set_field("---\nname: Ann\n---\n", "v", value)
    assert new == f"---\nname: Ann\nv: {written}\n---\n"
    assert read_data(new)["v"] == value
    assert type(read_data(new)["v"]) is type(value)


def test_key_that_needs_quotes() -> None:
    new = set_field("", "a: b", "x")
    assert new == '---\n"a: b": x\n---\n'
    assert read_data(new) == {"a: b": "x"}


@pytest.mark.parametrize("value", [1.5, dt.datetime(2026, 1, 1, 10, 0), ["a", 1], {"a": 1}])
def test_values_vaultnet_does_not_write(value: Any) -> None:
    with pytest.raises(TypeError):
        set_field("", "v", value)
    with pytest.raises(TypeError):
        add_list_item("", "v", value)


@pytest.mark.parametrize("key", ["", " name", "a\nb"])
def test_unusable_keys(key: str) -> None:
    with pytest.raises(EditError, match="not a usable front matter key"):
        set_field("", key, "x")


def test_value_that_would_not_read_back_is_refused() -> None:
    # 21 digits is past what the reader takes as a number: it would come back as text.
    with pytest.raises(EditError, match="would read back as '1000"):
        set_field("---\nname: Ann\n---\n", "n", 10**20)


def test_unchanged_value_leaves_text_alone() -> None:
    text = "---\nname: 'Ann'   # hi\ntags: [a]\n---\n"
    assert set_field(text, "name", "Ann") is text
    assert add_list_item(text, "tags", "a") is text
    assert remove_field(text, "missing") is text


def test_scalar_becomes_list_keeping_its_own_text() -> None:
    text = "---\ncompany: '[[Acme]]' # now\n---\n"
    new = add_list_item(text, "company", "[[Beta]]")
    assert new == "---\ncompany: # now\n  - '[[Acme]]'\n  - \"[[Beta]]\"\n---\n"
    assert read_data(new)["company"] == ["[[Acme]]", "[[Beta]]"]


def test_add_to_mapping_is_refused() -> None:
    with pytest.raises(EditError, match="not a list") as info:
        add_list_item("---\nname: Ann\nplace:\n  city: Oslo\n---\n", "place", "x")
    assert info.value.line == 3


# --- notes that are never edited -----------------------------------------------------------

REFUSED = [
    ("unclosed", "---\nname: Ann\ntier: advocate\n", "malformed front matter", 1),
    ("dots-end", "---\nname: Ann\n...\nbody\n", "malformed front matter", 1),
    ("duplicate", "---\nemail: a@x\nname: Ann\nemail: b@x\n---\n", "'email' appears more", 4),
    ("colon-value", "---\nname: Ann\ntitle: Meeting: notes\n---\n", "does not parse", 3),
    ("tab-indent", "---\ntags:\n\t- a\n---\n", "does not parse", 3),
    ("list", "---\n- a\n- b\n---\n", "not a list", 2),
    ("scalar", "---\njust a string\n---\n", "not a single value", 2),
    ("python-tag", "---\nx: !!python/object/apply:os.system [ls]\n---\n", "tag", 2),
    ("toml", "+++\nname = 'Ann'\n+++\n", "TOML", 1),
    ("json", '---\n{"tags": ["a"], "publish": false}\n---\n', "cannot edit safely", 2),
    ("complex-key", "---\n? a\n: b\n---\n", "cannot edit safely", 2),
    ("indented", "---\n  name: Ann\n  tier: x\n---\n", "cannot edit safely", 2),
]


@pytest.mark.parametrize(
    ("text", "message", "line"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
@pytest.mark.parametrize(
    "edit",
    [
        lambda t: set_field(t, "tier", "advocate"),
        lambda t: remove_field(t, "name"),
        lambda t: add_list_item(t, "tags", "x"),
        lambda t: add_log_entry(t, D(2026, 1, 1), "x"),
    ],
    ids=["set", "remove", "add-item", "log"],
)
def test_notes_that_are_never_edited(
    edit: Callable[[str], str], text: str, message: str, line: int
) -> None:
    with pytest.raises(EditError, match=message) as info:
        edit(text)
    assert info.value.line == line
    assert info.value.message.startswith("not edited: ")


def test_refusal_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "Ann.md"
    path.write_bytes(b"---\nemail: a@x\nemail: b@x\n---\n")
    with pytest.raises(EditError) as info:
        edit_note(path, lambda t: set_field(t, "tier", "x"), expect_keys=None, body_change=False)
    assert isinstance(info.value, VaultnetError)
    assert str(info.value).startswith(f"{path}:3: not edited: the key 'email' appears more")
    assert path.read_bytes() == b"---\nemail: a@x\nemail: b@x\n---\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("\ufeff---\nname: Ann\n---\n".encode("utf-16-le"), "UTF-16"),
        ("---\nname: Ann\n---\n".encode("utf-16"), "UTF-16"),
        (b"---\nname: Ann\x92s\n---\n", "not valid UTF-8"),
        (b"---\nname: Ann\n---\nbinary\x00\n", "NUL"),
    ],
    ids=["utf16le-bom", "utf16", "cp1252", "nul"],
)
def test_undecodable_notes_are_refused(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "Ann.md"
    path.write_bytes(data)
    with pytest.raises(EditError, match=message):
        edit_note(path, lambda t: set_field(t, "x", "y"), expect_keys=None, body_change=False)
    assert path.read_bytes() == data


def test_anchored_value_that_is_referenced_is_refused() -> None:
    text = "---\nbase: &b Acme\ncompany: *b\n---\n"
    with pytest.raises(EditError, match=r"would not read back .*undefined alias"):
        set_field(text, "base", "Beta")


def test_log_text_must_be_one_line() -> None:
    with pytest.raises(EditError, match="single line"):
        add_log_entry("", D(2026, 1, 1), "a\nb")


def test_log_into_unclosed_code_block_is_refused() -> None:
    with pytest.raises(EditError, match="code block"):
        add_log_entry("text\n```\ncode\n", D(2026, 1, 1), "x")


# --- edit_note: the read-back check, files, locks ------------------------------------------


def test_transform_that_changes_other_keys_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Ann.md"
    path.write_bytes(b"---\nname: Ann\ntier: supporter\n---\nbody\n")

    def sloppy(text: str) -> str:
        return text.replace("name: Ann", "name: Bob").replace("supporter", "advocate")

    with pytest.raises(EditError, match="would also change 'name'"):
        edit_note(path, sloppy, expect_keys=frozenset({"tier"}), body_change=False)
    with pytest.raises(EditError, match="below its front matter"):
        edit_note(
            path, lambda t: t.replace("body", "BODY"), expect_keys=frozenset(), body_change=False
        )
    with pytest.raises(EditError, match="change the front matter"):
        edit_note(path, lambda t: t.replace("Ann\n", "Ann \n"), expect_keys=None, body_change=True)
    with pytest.raises(EditError, match="would not read back"):
        edit_note(
            path, lambda t: t.replace("---\nbody", "body"), expect_keys=None, body_change=True
        )
    assert path.read_bytes() == b"---\nname: Ann\ntier: supporter\n---\nbody\n"


def test_unchanged_note_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "Ann.md"
    path.write_bytes(b"---\ntier: advocate\n---\n")
    os.utime(path, (1_000_000, 1_000_000))
    result = edit_note(
        path, lambda t: set_field(t, "tier", "advocate"), expect_keys=None, body_change=False
    )
    assert result == files.EditResult(path, False, "")
    assert path.stat().st_mtime == 1_000_000


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "Ann.md"
    path.write_bytes(b"---\ntier: supporter\n---\n")
    os.utime(path, (1_000_000, 1_000_000))
    result = edit_note(
        path,
        lambda t: set_field(t, "tier", "advocate"),
        expect_keys=frozenset({"tier"}),
        body_change=False,
        dry_run=True,
        lock_dir=tmp_path / ".vaultnet",
    )
    assert result.changed
    assert result.diff == (
        f"--- a/{path}\n+++ b/{path}\n@@ -1,3 +1,3 @@\n"
        " ---\n-tier: supporter\n+tier: advocate\n ---\n"
    )
    assert path.read_bytes() == b"---\ntier: supporter\n---\n"
    assert path.stat().st_mtime == 1_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Ann.md"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_permissions_are_kept(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "Ann.md"
    path.write_bytes(b"---\ntier: supporter\n---\n")
    path.chmod(mode)
    edit_note(
        path,
        lambda t: set_field(t, "tier", "advocate"),
        expect_keys=frozenset({"tier"}),
        body_change=False,
    )
    assert path.read_bytes() == b"---\ntier: advocate\n---\n"
    assert path.stat().st_mode & 0o777 == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Ann.md"]  # no temporary file left


def test_symlinked_and_hard_linked_notes_are_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.md"
    target.write_bytes(b"---\ntier: x\n---\n")
    link = tmp_path / "Ann.md"
    link.symlink_to(target)
    op = set_("tier", "y")
    with pytest.raises(EditError, match="symbolic link"):
        edit_note(link, op.transform, expect_keys=op.keys, body_change=False)
    hard = tmp_path / "Bob.md"
    os.link(target, hard)
    with pytest.raises(EditError, match="hard links"):
        edit_note(hard, op.transform, expect_keys=op.keys, body_change=False)
    assert target.read_bytes() == b"---\ntier: x\n---\n"


def test_missing_note(tmp_path: Path) -> None:
    with pytest.raises(EditError, match="no such note"):
        edit_note(tmp_path / "Nobody.md", lambda t: t, expect_keys=None, body_change=False)


def save_by_rename(path: Path, data: bytes) -> None:
    """An editor's save that writes a new file and renames it over the note (Obsidian's)."""
    temp = path.with_name(path.name + ".saving")
    temp.write_bytes(data)
    os.replace(temp, path)


def saving_meanwhile(
    monkeypatch: pytest.MonkeyPatch, save: Callable[[int], bytes | None]
) -> list[int]:
    """Make another program save the note (``save(n)``'s bytes, if any) each time vaultnet
    has read it and written its new text, just before the swap; returns the count."""
    real = files._write_temp
    count = [0]

    def write_then_editor_saves(temp: Path, data: bytes, mode: int) -> None:
        real(temp, data, mode)
        count[0] += 1
        typed = save(count[0])
        if typed is not None:
            save_by_rename(next(temp.parent.glob("*.md")), typed)

    monkeypatch.setattr(files, "_write_temp", write_then_editor_saves)
    return count


def test_note_changed_on_disk_is_edited_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "Ann.md"
    path.write_bytes(b"---\ntier: supporter\n---\n## Log\n- 2026-01-01 met\n")
    typed = b"---\ntier: supporter\n---\n## Log\n- 2026-01-01 met\n- typed\n"
    count = saving_meanwhile(monkeypatch, lambda n: typed if n == 1 else None)
    result = edit_note(
        path,
        lambda t: set_field(t, "tier", "advocate"),
        expect_keys=frozenset({"tier"}),
        body_change=False,
    )
    assert result.changed
    assert count == [2]
    assert path.read_bytes() == b"---\ntier: advocate\n---\n## Log\n- 2026-01-01 met\n- typed\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Ann.md"]


def test_note_that_keeps_changing_is_left_to_the_other_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "QUIET_TIMEOUT", 0.3)
    path = tmp_path / "Ann.md"
    path.write_bytes(b"---\ntier: supporter\n---\n")
    count = saving_meanwhile(monkeypatch, lambda n: f"---\ntier: x\n---\ntyping {n}\n".encode())
    with pytest.raises(
        EditError, match="being changed by another program; nothing written; try again"
    ) as info:
        edit_note(
            path,
            lambda t: set_field(t, "tier", "advocate"),
            expect_keys=frozenset({"tier"}),
            body_change=False,
        )
    assert info.value.path == str(path)
    assert count[0] >= 2
    assert path.read_bytes() == f"---\ntier: x\n---\ntyping {count[0]}\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Ann.md"]


def test_lock_makes_a_second_editor_wait(tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    path = tmp_path / "Ann.md"
    path.write_bytes(b"---\ntier: supporter\n---\n")
    lock_dir = tmp_path / ".vaultnet"
    lock_dir.mkdir()
    done = threading.Event()

    def edit() -> None:
        edit_note(
            path,
            lambda t: set_field(t, "tier", "advocate"),
            expect_keys=frozenset({"tier"}),
            body_change=False,
            lock_dir=lock_dir,
        )
        done.set()

    with open(lock_dir / files.LOCK_NAME, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        worker = threading.Thread(target=edit)
        worker.start()
        assert not done.wait(0.3)
        assert path.read_bytes() == b"---\ntier: supporter\n---\n"
    worker.join(5)
    assert done.is_set()
    assert path.read_bytes() == b"---\ntier: advocate\n---\n"


def test_lock_held_too_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setattr(files, "LOCK_TIMEOUT", 0.1)
    path = tmp_path / "Ann.md"
    path.write_bytes(b"---\ntier: supporter\n---\n")
    lock_dir = tmp_path / "new" / ".vaultnet"  # created when missing
    lock_dir.mkdir(parents=True)
    with open(lock_dir / files.LOCK_NAME, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(EditError, match="held the edit lock"):
            edit_note(
                path,
                set_("tier", "x").transform,
                expect_keys=None,
                body_change=False,
                lock_dir=lock_dir,
            )
    assert path.read_bytes() == b"---\ntier: supporter\n---\n"


_WRITER = """
import datetime, sys
from pathlib import Path
from vaultnet.edit import add_log_entry, edit_note
path, lock, who = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
for i in range(15):
    edit_note(path, lambda t: add_log_entry(t, datetime.date(2026, 1, 1), f"{who} {i}"),
              expect_keys=None, body_change=True, lock_dir=lock)
"""


def test_two_processes_editing_one_note_keep_both_edits(tmp_path: Path) -> None:
    path = tmp_path / "Ann.md"
    path.write_bytes(b"---\ntier: supporter\n---\n## Log\n")
    lock_dir = tmp_path / ".vaultnet"
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(lock_dir), who])
        for who in ("a", "b")
    ]
    assert [w.wait(60) for w in writers] == [0, 0]
    lines = path.read_text().splitlines()
    assert sorted(lines[4:]) == sorted(f"- 2026-01-01 {w} {i}" for w in "ab" for i in range(15))
    assert (lock_dir / files.LOCK_NAME).exists()


# --- diff ----------------------------------------------------------------------------------


def test_diff_shows_missing_final_newline_and_hides_crlf() -> None:
    old = "a\r\nb"
    new = "a\r\nb\r\nc"
    assert diff(old, new, "Ann.md") == (
        "--- a/Ann.md\n+++ b/Ann.md\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n"
        "+b\n+c\n\\ No newline at end of file\n"
    )
    assert diff(old, old, "Ann.md") == ""


# --- property: random notes, random edits ---------------------------------------------------

KEYS = ["name", "tier", "tags", "company", "content", "handler", "met", "first name", "x-y"]
PLAIN = ["Ann Lee", "acquaintance", "🙂 Zoë", "NO", "12:30", "012345", "a#b", "Acme, Inc."]


@st.composite
def values(draw: st.DrawFn, key: str) -> list[str]:
    """The lines of one value, in one of the styles users write (first: after the colon)."""
    words = st.sampled_from(PLAIN)
    style = draw(st.integers(0, 18))
    comment = draw(st.sampled_from(["", "  # note", " #x"]))
    if style == 0:
        return [f" {draw(words)}{comment}"]
    if style == 1:
        return [f' "{draw(words)}"{comment}']
    if style == 2:
        return [f" '{draw(words)}'{comment}"]
    if style == 3:
        return [f" {draw(st.integers(-1000, 10**6))}{comment}"]
    if style == 4:
        return [f" {draw(st.dates()).isoformat()}{comment}"]
    if style == 5:
        return [comment]
    if style == 6:
        items = draw(st.lists(words, max_size=3))
        return [f" [{', '.join(items)}]{comment}".replace("Acme, Inc.", "'Acme, Inc.'")]
    if style in (7, 8, 9):
        indent = {7: "  ", 8: "", 9: "    "}[style]
        items = draw(st.lists(words, min_size=1, max_size=3))
        return [comment] + [f"{indent}- {item}" for item in items]
    if style == 10:
        return [" |", "  first line", "  # not a comment: 'x", "", "  last"]
    if style == 11:
        return [" [a,", "  'b c',", "  d]"]
    if style == 12:
        return ["", "  - company: Acme", '    role: "CTO"']
    if style == 13:
        return [' "first', "  # still text", '  second"' + comment]
    if style == 14:
        return [" first", "  continued" + comment]
    if style == 15:
        return [
            draw(st.sampled_from([" !!str 2024", f" &{key.replace(' ', '_')} Ann", " !!str"]))
            + comment
        ]
    if style == 16:
        return [" [a, # the first", "  b]" + comment]
    if style == 17:
        return [" |2-", "    indented more", "  least"]
    return [" >", "  folded", "  text: 'x"]


@dataclass
class Note:
    text: str
    spans: dict[str, tuple[int, int]]  # key -> (first line, one past the value) in lines
    close: int | None  # line of the closing fence


@st.composite
def notes(draw: st.DrawFn) -> Note:
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=6))
    has_fm = bool(keys) or draw(st.booleans())
    fm_eol, body_eol = draw(
        st.sampled_from([("\n", "\n"), ("\r\n", "\r\n"), ("\n", "\r\n"), ("\r", "\r")])
    )
    lines: list[str] = []
    spans = {}
    if has_fm:
        lines.append("---")
        value = [""]
        for key in keys:
            if draw(st.booleans()):
                # An indented comment after a block scalar would be part of its text.
                block = value[0].startswith((" |", " >"))
                comments = ["", "# about " + key] + ([] if block else ["  # indented"])
                lines.append(draw(st.sampled_from(comments)))
            start = len(lines)
            shown = draw(st.sampled_from([key, f'"{key}"', f"'{key}'", f"{key} "]))
            value = draw(values(key))
            lines.append(f"{shown}:{value[0]}")
            lines.extend(value[1:])
            spans[key] = (start, len(lines))
        lines.append("---")
    close = len(lines) - 1 if has_fm else None
    body: list[str] = draw(
        st.lists(
            st.sampled_from(
                [
                    "# Ann",
                    "",
                    "Some text.",
                    "## Log",
                    "### Interactions",
                    "- 2026-10-01 coffee",
                    "* [[2026-11-03]] call",
                    "  - detail",
                    "## Notes",
                    "```",
                    "---",
                    "emoji 🙂",
                ]
            ),
            max_size=8,
        )
    )
    if body.count("```") % 2:
        body.append("```")
    if not has_fm and body[:1] == ["---"]:
        body.insert(0, "Some text.")  # or the body would start a front matter block
    text = "".join(line + fm_eol for line in lines) + "".join(line + body_eol for line in body)
    if draw(st.booleans()) and text:
        text = text[: -len(body_eol if body else fm_eol)]
    if draw(st.booleans()):
        text = "\ufeff" + text
    return Note(text, spans, close)


def split_lines(text: str) -> list[str]:
    return scanner._split_lines(text.removeprefix("\ufeff"))


new_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from([*PLAIN, "[[Acme]]", "2024", "true", "+44 20", "a: b", "- x"]),
    st.integers(-(10**17), 10**17),
    st.booleans(),
    st.dates(),
    st.lists(st.text(max_size=10), max_size=4),
)


def assert_only_span_changed(note: Note, new: str, lo: int, hi: int) -> None:
    old_lines, new_lines = split_lines(note.text), split_lines(new)
    tail = len(old_lines) - hi
    assert new_lines[:lo] == old_lines[:lo]
    assert new_lines[len(new_lines) - tail :] == old_lines[hi:]
    assert new.startswith("\ufeff") == note.text.startswith("\ufeff")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=notes(), key=st.sampled_from([*KEYS, "new key", "2024"]), value=new_values)
def test_property_set_field(note: Note, key: str, value: FieldValue) -> None:
    old = read_data(note.text)
    new = set_field(note.text, key, value)
    expected = {**old, key: value}
    assert read_data(new) == expected
    assert all(type(read_data(new)[k]) is type(v) for k, v in expected.items())
    if old.get(key, object()) == value and type(old.get(key)) is type(value):
        assert new == note.text
    elif key in note.spans:
        assert_only_span_changed(note, new, *note.spans[key])
    elif note.close is not None:
        assert_only_span_changed(note, new, note.close, note.close)
    else:
        assert new.removeprefix("\ufeff").endswith(note.text.removeprefix("\ufeff"))


@settings(max_examples=200, deadline=None)
@given(note=notes(), key=st.sampled_from([*KEYS, "missing"]))
def test_property_remove_field(note: Note, key: str) -> None:
    old = read_data(note.text)
    new = remove_field(note.text, key)
    assert read_data(new) == {k: v for k, v in old.items() if k != key}
    if key in note.spans:
        lo, hi = note.spans[key]
        old_lines = split_lines(note.text)
        for index in range(hi, note.close or hi):  # indented comments under the key go too
            if old_lines[index].startswith("  #"):
                hi = index + 1
            elif old_lines[index].strip():
                break
        assert_only_span_changed(note, new, lo, hi)
        assert len(split_lines(new)) == len(old_lines) - (hi - lo)
    else:
        assert new == note.text


@settings(max_examples=200, deadline=None)
@given(note=notes(), key=st.sampled_from([*KEYS, "new"]), item=st.text(max_size=15))
def test_property_add_list_item(note: Note, key: str, item: str) -> None:
    old = read_data(note.text)
    current = old.get(key)
    try:
        new = add_list_item(note.text, key, item)
    except EditError:
        assert isinstance(current, dict)
        return
    if current in (None, "", []):
        wanted: Any = [item]
    elif isinstance(current, list):
        wanted = current if item in current else [*current, item]
    else:
        wanted = current if current == item else [current, item]
    assert read_data(new) == {**old, key: wanted}
    if key in note.spans:
        lo, hi = note.spans[key]
        assert_only_span_changed(note, new, lo, hi)
    elif note.close is not None:
        assert_only_span_changed(note, new, note.close, note.close)


@settings(max_examples=200, deadline=None)
@given(
    note=notes(),
    when=st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 1, 1)),
    text=st.text(st.characters(exclude_characters="\r\n"), max_size=20),
)
def test_property_add_log_entry(note: Note, when: dt.date, text: str) -> None:
    new = add_log_entry(note.text, when, text)
    assert read_data(new) == read_data(note.text)
    old_lines, new_lines = split_lines(note.text), split_lines(new)
    forms = [f"{day} {text.strip()}".rstrip() for day in (when, f"[[{when}]]")]
    added = [line for line in new_lines if line not in old_lines]
    assert any(form in line for form in forms for line in added)
    assert len(new_lines) - len(old_lines) in (1, 2, 3)
    # Every old line is still there, in order, with its own ending (the last one may gain one).
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    assert kept >= len(old_lines) - 1
    if note.close is not None:
        assert new_lines[: note.close] == old_lines[: note.close]
