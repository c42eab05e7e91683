"""parse_note: a note's bytes to an immutable Note, or diagnostics. Pure: no file access.

A note's parsed form depends only on its bytes and the ParseOptions, which is what makes
it safe to cache by path, size and modification time. ``NoteParser`` parses many notes
with one set of options and shares what they have in common (compiled patterns, dates).

The parse is split by what it reads: the file's shape (``document``), its front matter
(``yamldata``, through ``simpleyaml``'s fast path for plain front matter), the fields the
front matter holds (``fields``), its body (``body``) and its date (``daily``); the values it
makes are in ``parsed``, exported from here.

Against python-frontmatter (``bench/parse.py``: the 12,400 notes of a vault that
``bench/generate.py --preset 10k`` makes, CPU time, median of 9, on two cores): 79.1 µs a
note here against 68.2 µs for ``frontmatter.loads``, which reads the front matter alone
(no log, fields or diagnostics): 1.16 times its time. Of the 79.1 µs: splitting off the
front matter 4.1, reading it 21.7, the log 23.3, the rest 30.0. Before this module was
split the parse took 95.7 µs a note where it now takes 74.9 (the same files, alternating
runs, medians).
"""

from __future__ import annotations

import re
from typing import Any

from vaultnet.source import document, yamldata
from vaultnet.source.body import DateMemo, capture_text, mentions, read_log, tasks
from vaultnet.source.daily import daily_pattern, daily_patterns, note_date
from vaultnet.source.fields import (
    TEXT_FIELDS,
    FieldReader,
    is_person,
    is_source_note,
    is_template,
    lint_obsidian,
    looks_like_person,
    share_repeated,
    texts_of,
    unquoted_links,
    with_inline_fields,
)
from vaultnet.source.parsed import (
    KeyLines,
    LogEntry,
    Mention,
    Note,
    ParseOptions,
    Position,
    Problems,
    Task,
    Unreadable,
)

__all__ = [
    "TEXT_FIELDS",
    "LogEntry",
    "Mention",
    "Note",
    "NoteParser",
    "ParseOptions",
    "Position",
    "Task",
    "Unreadable",
    "capture_text",
    "daily_pattern",
    "daily_patterns",
    "is_source_note",
    "parse_note",
    "unquoted_links",
]

_GENERATED = "vaultnet"
DEFAULTS = ParseOptions()  # frozen: one for every call that names none


def parse_note(path: str, data: bytes, options: ParseOptions = DEFAULTS) -> Note | Unreadable:
    """Parse a note's bytes. Never raises: bad input becomes diagnostics.

    ``path`` is the note's path relative to the vault, with ``/`` separators. To parse
    many notes, one ``NoteParser`` is quicker.
    """
    return NoteParser(options).parse(path, data)


def _may_hold_placeholder(front_matter: str | None) -> bool:
    """Whether front matter may hold a template's placeholder: only text holding ``{{`` or
    ``<%`` can, or an escape (``\\x7b``) that YAML reads as one."""
    return front_matter is not None and (
        "{{" in front_matter or "<%" in front_matter or "\\" in front_matter
    )


class NoteParser:
    """Parses notes with one set of options, sharing what notes have in common."""

    __slots__ = ("_daily", "_dates", "_log_headings", "options")

    def __init__(self, options: ParseOptions = DEFAULTS, memo: DateMemo | None = None) -> None:
        self.options = options
        self._daily = re.compile(options.daily_pattern) if options.daily_pattern else None
        self._dates = memo if memo is not None else DateMemo()  # shared with other parsers
        self._log_headings = frozenset(h.casefold() for h in options.log_headings)

    def parse(self, path: str, data: bytes) -> Note | Unreadable:
        """Parse a note's bytes, as ``parse_note`` does."""
        problems = Problems(path)
        try:
            return self._parse(path, data, problems)
        except (document.DocumentError, yamldata.YamlError) as exc:
            problems.add("error", exc.message, exc.line)
        except RecursionError:
            problems.add("error", "note is nested too deeply to read", None)
        return Unreadable(path, tuple(problems.items))

    def _parse(self, path: str, data: bytes, problems: Problems) -> Note:
        options = self.options
        stem = path.rsplit("/", 1)[-1]
        stem = stem[:-3] if stem.lower().endswith(".md") else stem
        if not data or data.isspace():
            problems.add("warning", "empty note; skipped", None)
            return Note(path, stem, person=False, title=stem, diagnostics=tuple(problems.items))
        text, bom = document.decode(data)
        doc = document.split(text, bom)
        if doc.toml_front_matter:
            problems.add("warning", "TOML front matter (+++) is not supported; use YAML (---)", 1)
        fm: dict[str, Any] = {}
        lines: dict[str, int] = {}
        if doc.front_matter is not None:
            # A character is at most 4 bytes: most front matter is surely below the limit.
            limit = options.max_front_matter_kb * 1024
            size_kb = 0.0
            if len(doc.front_matter) * 4 > limit:
                size_kb = len(doc.front_matter.encode("utf-8", "surrogatepass")) / 1024
            if size_kb > options.max_front_matter_kb:
                raise document.DocumentError(
                    f"front matter is {size_kb:.0f} KB, above max_front_matter_kb "
                    f"({options.max_front_matter_kb}); skipped",
                    1,
                )
            try:
                mapping = yamldata.load_mapping(
                    doc.front_matter, TEXT_FIELDS, doc.front_matter_line
                )
            except yamldata.YamlError as exc:
                if not looks_like_person(doc.front_matter):
                    problems.add("warning", f"{exc.message}; front matter ignored", exc.line)
                    return self._other(path, stem, doc.body, doc.body_line, {}, {}, problems)
                raise
            fm, lines = mapping.data, mapping.lines
            for line, message in mapping.warnings:
                problems.add("warning", message, line)
        if fm.get("generated_by") == _GENERATED:
            return Note(path, stem, person=False, generated=True, title=stem)
        if fm and _may_hold_placeholder(doc.front_matter) and is_template(fm):
            # An unfilled template (wherever it is) is nobody: read as a plain note, silently.
            return Note(path, stem, person=False, title=stem)
        if not (is_person(fm) or path.startswith(options.people_folders)):
            return self._other(path, stem, doc.body, doc.body_line, fm, lines, problems)
        return self._person(path, stem, fm, lines, doc.body, doc.body_line, problems)

    def _other(
        self,
        path: str,
        stem: str,
        body: str,
        body_line: int,
        fm: dict[str, Any],
        lines: dict[str, int],
        problems: Problems,
    ) -> Note:
        when = note_date(path, stem, fm, self._daily)
        found: tuple[Mention, ...] = ()
        if when is not None:
            found = mentions(body, body_line, fm, lines, stem)
        captured = is_source_note(fm)
        return Note(
            path,
            stem,
            person=False,
            date=when,
            mentions=found,
            tasks=tasks(body, body_line, self._dates) if "[ ]" in body else (),
            title=stem,
            # Network/Unmatched.md is made from these; nothing else of a note's keys is kept.
            front_matter={"unmatched": texts_of(fm.get("unmatched"))} if captured else {},
            diagnostics=tuple(problems.items),
        )

    def _person(
        self,
        path: str,
        stem: str,
        fm: dict[str, Any],
        lines: dict[str, int],
        body: str,
        body_line: int,
        problems: Problems,
    ) -> Note:
        if "::" in body:
            fm, lines = with_inline_fields(fm, lines, body, body_line)
        share_repeated(fm, self._dates.day)
        fields = FieldReader(fm, lines, problems)
        status = fields.text("status")
        if status is not None and status.casefold() not in ("active", "archived"):
            problems.add(
                "warning",
                f"status should be active or archived, not {status!r}",
                lines.get("status"),
            )
        tags = fields.texts("tags")
        lint_obsidian(fm, lines, tags, problems)
        nul = body.find("\x00")
        if nul >= 0:  # read as it is, but the editing commands refuse it: say so up front
            problems.add(
                "warning",
                "the note contains a NUL byte; it is read, but vaultnet will not edit it. "
                "Is it text?",
                body_line + body.count("\n", 0, nul),
            )
        log, log_tasks = read_log(body, body_line, self._log_headings, path, problems, self._dates)
        when = note_date(path, stem, fm, self._daily)
        return Note(
            path=path,
            stem=stem,
            person=True,
            name=fields.text("name"),
            aliases=fields.texts("aliases"),
            tier=fields.text("tier"),
            target_tier=fields.text("target_tier"),
            company=fields.first_text("company", "org"),
            role=fields.first_text("role", "title"),
            history=fields.history(),
            location=fields.text("location"),
            email=fields.texts("email"),
            phone=fields.texts("phone"),
            url=fields.text("url"),
            linkedin=fields.text("linkedin"),
            tags=tuple(t.lstrip("#") for t in tags),
            met=fields.date("met"),
            connected=fields.date("connected"),
            introduced_by=fields.texts("introduced_by"),
            knows=fields.texts("knows"),
            last_contact=fields.date("last_contact"),
            cadence=fields.duration("cadence"),
            next_follow_up=fields.date("next_follow_up"),
            snooze_until=fields.date("snooze_until"),
            archived=status is not None and status.casefold() == "archived",
            birthday=fields.birthday(),
            log=log,
            date=when,
            mentions=mentions(body, body_line, fm, lines, stem) if when else (),
            tasks=tasks(body, body_line, self._dates, log_tasks) if "[ ]" in body else (),
            title=stem,
            front_matter=fm,
            lines=KeyLines.of(lines, self._dates.shared(tuple(lines))),
            diagnostics=tuple(problems.items),
        )
