"""parse_note: a note's bytes to an immutable Note, or diagnostics. Pure: no file access.

A note's parsed form depends only on its bytes and the ParseOptions, which is what makes
it safe to cache by path, size and modification time.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from vaultnet.dates import (
    Birthday,
    Duration,
    date_problem,
    parse_birthday,
    parse_date,
    parse_duration,
    read_date,
)
from vaultnet.diagnostics import Diagnostic, Level
from vaultnet.source import document, yamldata
from vaultnet.source.links import find_links

# Fields whose scalars are kept exactly as written (YAML would read some as numbers).
TEXT_FIELDS = frozenset(
    {
        "name",
        "aliases",
        "company",
        "org",
        "role",
        "title",
        "email",
        "phone",
        "url",
        "linkedin",
        "location",
        "tags",
        "status",
        "tier",
        "target_tier",
        "type",
        "connected_via",
    }
)
_LIST_ITEM = re.compile(r"[ \t]*[-*+][ \t]+(?:\[(.)\][ \t]+)?(.*)")
# A list item (optionally a task) that starts with a date or a daily-note link to one.
# A Markdown link to a daily note counts as its date: "[Jul 4](2026-07-04.md)".
_LOG_ENTRY = re.compile(
    r"[ \t]*[-*+][ \t]+(?:\[(.)\][ \t]+)?"
    r"(?:\[\[(\d{4}-\d{2}-\d{2})(?:\|[^\]]*)?\]\]|(\d{4}-\d{2}-\d{2})"
    r"|\[[^\[\]\n]*\]\(<?(?:[^()<>\s]*/)?(\d{4}-\d{2}-\d{2})(?:\.md)?>?\))(?![\d])"
    r"[ \t]*[:\-–—]?[ \t]*"
)
# Where a list item's text starts (after its marker and task box): a log line whose date
# is not the common YYYY-MM-DD is read from there (see _loose_entry).
_ITEM_START = re.compile(r"[ \t]*[-*+][ \t]+(?:\[.\][ \t]+)?")
_SEPARATOR = re.compile(r"[ \t]*[:\-–—]?[ \t]*")
# An unchecked task: a plan, never a contact (an open loop when it names someone).
_OPEN_TASK = re.compile(r"[ \t]*[-*+][ \t]+\[ \][ \t]+(.*)")
_ANY_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# Dataview inline fields: a line "key:: value" (maybe a list item, maybe a bold key), or
# "[key:: value]" / "(key:: value)" within a line.
_INLINE_LINE = re.compile(
    r"[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?([A-Za-z][\w \-]*?)(?:\*\*|__)?::[ \t]*(.*?)[ \t]*"
)
_INLINE_BRACKETED = re.compile(
    r"[\[(]([A-Za-z][\w \-]*?)::[ \t]*([^\[\]()]*(?:\[\[[^\]]*\]\][^\[\]()]*)*)[\])]"
)
# Obsidian's core Templates and Templater leave these in a note made from a template.
# A placeholder names a value ({{title}}, {{date:YYYY-MM-DD}}, {{VALUE:tier}}); other text
# in braces ("{{ 7*7 }}") is the user's.
_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z][\w:\-./ ]*\}\}|<%.*?%>", re.DOTALL)
_KIND = re.compile(r"([^\s:#\[\]]+):(?:\s|$)")
_HASHTAG = re.compile(r"(?<![\w&/#])#([A-Za-z][\w\-/]*)")
_DATE_PREFIX = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?!\d)")
_GENERATED = "vaultnet"
_RECIPROCITY_TAG = re.compile(r"(?<![\w&/#])#(gave|got|ask|intro)\b", re.IGNORECASE)


_LOG_HEADINGS = ("Log", "Interactions", "Meetings")


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """What parsing depends on besides the bytes (part of the cache key)."""

    log_headings: tuple[str, ...] = _LOG_HEADINGS
    daily_pattern: str | None = None  # a regex over the path without ".md"
    max_front_matter_kb: int = 256
    # Folders the user named as people folders: every note in them is a person.
    people_folders: tuple[str, ...] = ()

    def __reduce__(
        self,
    ) -> tuple[type[ParseOptions], tuple[tuple[str, ...], str | None, int, tuple[str, ...]]]:
        # in every file of the parse cache; see dates.Duration.__reduce__
        return ParseOptions, (
            self.log_headings,
            self.daily_pattern,
            self.max_front_matter_kb,
            self.people_folders,
        )

    def __setstate__(self, state: list[Any]) -> None:
        # Options pickled by an older version lack the fields added since: their defaults.
        names = ("log_headings", "daily_pattern", "max_front_matter_kb", "people_folders")
        defaults = (_LOG_HEADINGS, None, 256, ())
        for name, value in zip(names, [*state, *defaults[len(state) :]], strict=True):
            object.__setattr__(self, name, value)


class Position(NamedTuple):
    """A past or present job from ``history``."""

    company: str
    role: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class LogEntry(NamedTuple):
    """One contact: a dated line of a note's log section, or a mention in a dated note.

    ``source`` is the vault path of the note it is written in.
    """

    date: dt.date
    kind: str | None
    text: str
    tags: tuple[str, ...]
    links: tuple[str, ...]
    line: int
    source: str = ""
    mention: bool = False

    @property
    def summary(self) -> str:
        """The entry as context: ``kind: text`` without reciprocity tags."""
        text = _RECIPROCITY_TAG.sub("", self.text).strip()
        if "  " in text:
            text = re.sub(r"\s{2,}", " ", text)
        if self.kind and not self.mention:
            return f"{self.kind}: {text}" if text else self.kind
        return text


class Mention(NamedTuple):
    """A link from a dated note to someone: ``target`` is the link target.

    ``kind`` is ``capture`` for a line of a source note that ``vaultnet import`` wrote
    (its text is what happened: ``meeting: Q4 planning``), else ``mention``.
    """

    target: str
    text: str
    line: int
    kind: str = "mention"


class Task(NamedTuple):
    """An unchecked task (``- [ ]``): an open loop with the people it links, never a contact.

    ``targets`` are its link targets; ``in_log`` says it sits in a person note's log
    section (a loop with that person, linked or not); ``date`` is the task's own date (the
    first date written in it), if any.
    """

    targets: tuple[str, ...]
    text: str
    line: int
    date: dt.date | None = None
    in_log: bool = False


class Note(NamedTuple):
    """A parsed note. ``person`` says whether it marks itself as a person note.

    A named tuple rather than a dataclass: a vault has thousands, and they are cached,
    pickled and unpickled on every build, which tuples make several times cheaper.
    """

    path: str
    stem: str
    person: bool
    generated: bool = False
    name: str | None = None
    aliases: tuple[str, ...] = ()
    tier: str | None = None
    target_tier: str | None = None
    company: str | None = None
    role: str | None = None
    history: tuple[Position, ...] = ()
    location: str | None = None
    email: tuple[str, ...] = ()
    phone: tuple[str, ...] = ()
    url: str | None = None
    linkedin: str | None = None
    tags: tuple[str, ...] = ()
    met: dt.date | None = None
    connected: dt.date | None = None  # connected online (an import): not a contact
    introduced_by: tuple[str, ...] = ()
    knows: tuple[str, ...] = ()
    last_contact: dt.date | None = None
    cadence: Duration | None = None
    next_follow_up: dt.date | None = None
    snooze_until: dt.date | None = None
    archived: bool = False
    birthday: Birthday | None = None
    log: tuple[LogEntry, ...] = ()
    date: dt.date | None = None  # set for dated notes (daily and meeting notes)
    mentions: tuple[Mention, ...] = ()
    tasks: tuple[Task, ...] = ()  # unchecked tasks that may be open loops
    title: str = ""
    front_matter: dict[str, Any] = {}  # noqa: RUF012 - never mutated; tuples hold it
    lines: dict[str, int] = {}  # noqa: RUF012
    diagnostics: tuple[Diagnostic, ...] = ()


class Unreadable(NamedTuple):
    """A note that could not be parsed at all; ``diagnostics`` says why."""

    path: str
    diagnostics: tuple[Diagnostic, ...]


class _Problems:
    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[Diagnostic] = []

    def add(self, level: Level, message: str, line: int | None) -> None:
        self.items.append(Diagnostic(self.path, line, level, message))


def parse_note(path: str, data: bytes, options: ParseOptions = ParseOptions()) -> Note | Unreadable:
    """Parse a note's bytes. Never raises: bad input becomes diagnostics.

    ``path`` is the note's path relative to the vault, with ``/`` separators.
    """
    problems = _Problems(path)
    try:
        return _parse(path, data, options, problems)
    except (document.DocumentError, yamldata.YamlError) as exc:
        problems.add("error", exc.message, exc.line)
    except RecursionError:
        problems.add("error", "note is nested too deeply to read", None)
    return Unreadable(path, tuple(problems.items))


def _parse(path: str, data: bytes, options: ParseOptions, problems: _Problems) -> Note:
    stem = path.rsplit("/", 1)[-1]
    stem = stem[:-3] if stem.lower().endswith(".md") else stem
    if not data.strip():
        problems.add("warning", "empty note; skipped", None)
        return Note(path, stem, person=False, title=stem, diagnostics=tuple(problems.items))
    text, bom = document.decode(data)
    doc = document.split(text, bom)
    if doc.toml_front_matter:
        problems.add("warning", "TOML front matter (+++) is not supported; use YAML (---)", 1)
    fm: dict[str, Any] = {}
    lines: dict[str, int] = {}
    if doc.front_matter is not None:
        size_kb = len(doc.front_matter.encode("utf-8", "surrogatepass")) / 1024
        if size_kb > options.max_front_matter_kb:
            raise document.DocumentError(
                f"front matter is {size_kb:.0f} KB, above max_front_matter_kb "
                f"({options.max_front_matter_kb}); skipped",
                1,
            )
        try:
            mapping = yamldata.load_mapping(doc.front_matter, TEXT_FIELDS, doc.front_matter_line)
        except yamldata.YamlError as exc:
            if not _looks_like_person(doc.front_matter):
                problems.add("warning", f"{exc.message}; front matter ignored", exc.line)
                return _other_note(path, stem, doc.body, doc.body_line, options, {}, problems)
            raise
        fm, lines = mapping.data, mapping.lines
        for line, message in mapping.warnings:
            problems.add("warning", message, line)
    if fm.get("generated_by") == _GENERATED:
        return Note(path, stem, person=False, generated=True, title=stem)
    if fm and _is_template(fm):
        # An unfilled template (wherever it is) is nobody: read as a plain note, silently.
        return Note(path, stem, person=False, title=stem)
    if not (_is_person(fm) or path.startswith(options.people_folders)):
        return _other_note(path, stem, doc.body, doc.body_line, options, fm, problems, lines)
    return _person(path, stem, fm, lines, doc.body, doc.body_line, options, problems)


def _looks_like_person(front_matter: str) -> bool:
    return re.search(r"(?m)^(tier|type|tags|categories)\s*:", front_matter) is not None


def _is_template(fm: dict[str, Any]) -> bool:
    """Whether front matter holds a placeholder of Obsidian's Templates or Templater
    (``{{date}}``, ``<% tp.file.title %>``): the note is a template, not yet filled in.

    A name is the user's to choose (``vaultnet add '{{ x }}'`` writes it as given): only
    the other keys tell a template.
    """
    return any(
        _PLACEHOLDER.search(text)
        for key, value in fm.items()
        if key not in ("name", "aliases")
        for text in _all_strings(value)
    )


def _all_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if ("{{" in value or "<%" in value) else []
    if isinstance(value, dict):
        return [text for item in value.values() for text in _all_strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _all_strings(item)]
    return []


def _is_person_tag(tag: object) -> bool:
    """``person``, or a tag nested under it (``person/work``), as Obsidian files them."""
    if not isinstance(tag, str):
        return False
    folded = tag.strip().lstrip("#").casefold()
    return folded == "person" or folded.startswith("person/")


def _is_person(fm: dict[str, Any]) -> bool:
    if fm.get("tier") not in (None, "", []):
        return True
    kind = fm.get("type")
    if isinstance(kind, str) and kind.strip().casefold() == "person":
        return True
    tags = fm.get("tags")
    tag_list = tags if isinstance(tags, list) else [tags]
    if any(_is_person_tag(t) for t in tag_list):
        return True
    categories = unquoted_links(fm.get("categories"))
    category_list = categories if isinstance(categories, list) else [categories]
    return any(
        isinstance(c, str) and c.strip().casefold() in ("[[people]]", "people")
        for c in category_list
    )


def _other_note(
    path: str,
    stem: str,
    body: str,
    body_line: int,
    options: ParseOptions,
    fm: dict[str, Any],
    problems: _Problems,
    lines: dict[str, int] | None = None,
) -> Note:
    note_date = _note_date(path, stem, fm, options)
    mentions: tuple[Mention, ...] = ()
    if note_date is not None:
        mentions = _mentions(body, body_line, fm, lines or {}, stem)
    captured = is_source_note(fm)
    return Note(
        path,
        stem,
        person=False,
        date=note_date,
        mentions=mentions,
        tasks=_tasks(body, body_line) if "[ ]" in body else (),
        title=stem,
        # Network/Unmatched.md is made from these; nothing else of a note's keys is kept.
        front_matter={"unmatched": _texts(fm.get("unmatched"))} if captured else {},
        diagnostics=tuple(problems.items),
    )


def is_source_note(fm: dict[str, Any]) -> bool:
    """Whether front matter is that of a source note written by ``vaultnet import``."""
    return isinstance(fm.get("source"), str) and "vaultnet_hash" in fm


# A source note's line: "- 14:00 meeting: Q4 planning — [[Ann Lee]], carol@x.org ^v1a2b3c"
_CAPTURE_LINE = re.compile(r"(?:\d{1,2}:\d{2} )?(?P<text>.*?)(?: — .*?)?(?: \^[\w-]+)?")


def capture_text(line: str) -> str:
    """What a source note's line says happened (``meeting: Q4 planning``), without its time,
    people and block id."""
    match = _CAPTURE_LINE.fullmatch(_clean_line(line))
    return match["text"].strip() if match else _clean_line(line)


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(item) for item in value if isinstance(item, str | int))
    return ()


def _note_date(path: str, stem: str, fm: dict[str, Any], options: ParseOptions) -> dt.date | None:
    match = _DATE_PREFIX.match(stem)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    if options.daily_pattern:
        daily = _daily_regex(options.daily_pattern).fullmatch(
            path[:-3] if path.endswith(".md") else path
        )
        if daily:
            when = _daily_date(daily)
            if when is not None:
                return when
    return parse_date(fm.get("date")) if "date" in fm else None


def _mentions(
    body: str, body_line: int, fm: dict[str, Any], lines: dict[str, int], title: str
) -> tuple[Mention, ...]:
    found: list[Mention] = []
    captured = is_source_note(fm)
    for key, value in fm.items():
        if captured:
            break  # each line of a source note links its people; its people: key repeats them
        for text in _strings_in(value):
            for link in find_links(text):
                if not link.embed:
                    found.append(Mention(link.target, title, lines.get(key, 1)))
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if "[[" not in line and "](" not in line and "```" not in line and "~~~" not in line:
            continue
        if document.CODE_FENCE.match(line):
            in_fence = not in_fence
            continue
        stripped = line.lstrip()
        if in_fence or stripped.startswith(">"):
            continue
        item = _LIST_ITEM.fullmatch(line)
        if item and item[1] == " ":
            continue  # an unchecked task is a plan, not a contact
        for link in find_links(line):
            if not link.embed:
                if captured:
                    text = capture_text(line)
                    mention = Mention(link.target, text, body_line + offset, "capture")
                else:
                    mention = Mention(link.target, _clean_line(line), body_line + offset)
                found.append(mention)
    return tuple(found)


def _with_inline_fields(
    fm: dict[str, Any], lines: dict[str, int], body: str, body_line: int
) -> tuple[dict[str, Any], dict[str, int]]:
    """Front matter with the Dataview inline fields of the body added, for keys it lacks
    (the first of each key wins). Keys are read as Dataview does, lower-cased, with spaces
    as ``_`` here (``Last Contact:: 2026-10-01`` is ``last_contact``)."""
    found: dict[str, Any] = {}
    found_lines: dict[str, int] = {}
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if ("```" in line or "~~~" in line) and document.CODE_FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or "::" not in line:
            continue
        whole = _INLINE_LINE.fullmatch(line)
        pairs = [(whole[1], whole[2])] if whole else _INLINE_BRACKETED.findall(line)
        for key, value in pairs:
            name = re.sub(r"[\s\-]+", "_", key.strip()).casefold()
            if name and name not in fm and name not in found and value.strip():
                found[name] = value.strip()
                found_lines[name] = body_line + offset
    if not found:
        return fm, lines
    return {**fm, **found}, {**lines, **found_lines}


def _tasks(body: str, body_line: int, log_lines: frozenset[int] = frozenset()) -> tuple[Task, ...]:
    """The unchecked tasks of a body that link someone or sit in a log (``log_lines``: the
    body's line numbers under a log heading), outside code blocks and quotes."""
    found: list[Task] = []
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if ("```" in line or "~~~" in line) and document.CODE_FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or "[ ]" not in line:
            continue
        task = _OPEN_TASK.fullmatch(line)
        if task is None:
            continue
        number = body_line + offset
        targets = tuple(link.target for link in find_links(task[1]) if not link.embed)
        in_log = number in log_lines
        if not targets and not in_log:
            continue
        when = None
        for found_date in _ANY_DATE.finditer(task[1]):
            when = _iso_date(found_date[0])
            if when is not None:
                break
        found.append(Task(targets, task[1].strip(), number, when, in_log))
    return tuple(found)


def _clean_line(line: str) -> str:
    text = line.strip()
    item = _LIST_ITEM.fullmatch(text)
    if item:
        text = item[2]
    return text


def unquoted_links(value: Any) -> Any:
    """``value`` with each unquoted wikilink turned back into its text.

    YAML reads ``company: [[Acme]]`` as a list holding a list holding ``Acme``; whoever
    wrote it (Obsidian users often do) meant the link ``[[Acme]]``.
    """
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], list) and len(value[0]) == 1:
            inner = value[0][0]
            if isinstance(inner, str) and inner.strip():
                return f"[[{inner}]]"
        return [unquoted_links(item) for item in value]
    if isinstance(value, dict):
        return {key: unquoted_links(item) for key, item in value.items()}
    return value


def _strings_in(value: Any) -> list[str]:
    value = unquoted_links(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _person(
    path: str,
    stem: str,
    fm: dict[str, Any],
    lines: dict[str, int],
    body: str,
    body_line: int,
    options: ParseOptions,
    problems: _Problems,
) -> Note:
    if "::" in body:
        fm, lines = _with_inline_fields(fm, lines, body, body_line)
    fields = _Fields(fm, lines, problems)
    status = fields.text("status")
    if status is not None and status.casefold() not in ("active", "archived"):
        problems.add(
            "warning", f"status should be active or archived, not {status!r}", lines.get("status")
        )
    tags = fields.texts("tags")
    _lint_obsidian(fm, lines, tags, problems)
    nul = body.find("\x00")
    if nul >= 0:  # read as it is, but the editing commands refuse it: say so up front
        problems.add(
            "warning",
            "the note contains a NUL byte; it is read, but vaultnet will not edit it. Is it text?",
            body_line + body.count("\n", 0, nul),
        )
    log, log_tasks = _log(body, body_line, options.log_headings, path, problems)
    note_date = _note_date(path, stem, fm, options)
    tasks = _tasks(body, body_line, log_tasks) if "[ ]" in body else ()
    mentions = _mentions(body, body_line, fm, lines, stem) if note_date else ()
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
        date=note_date,
        mentions=mentions,
        tasks=tasks,
        title=stem,
        front_matter=fm,
        lines=lines,
        diagnostics=tuple(problems.items),
    )


# Keys Obsidian read before version 1.9 and ignores since; the plural forms replace them.
_LEGACY_KEYS = {"tag": "tags", "alias": "aliases", "cssclass": "cssclasses"}


def _lint_obsidian(
    fm: dict[str, Any], lines: dict[str, int], tags: tuple[str, ...], problems: _Problems
) -> None:
    """Warn about what Obsidian will not read: its old keys, and tags it cannot use."""
    for key, modern in _LEGACY_KEYS.items():
        if fm.get(key) not in (None, "", []):  # an empty one loses nothing
            problems.add(
                "warning",
                f"{key!r} is ignored by Obsidian 1.9 and later; use {modern!r}",
                lines.get(key),
            )
    for tag in tags:
        plain = tag.lstrip("#")
        if plain.isdigit():
            problem = "is only digits"
        elif any(ch.isspace() for ch in plain):
            problem = "holds a space"
        else:
            continue
        message = f"tag {tag!r} {problem}; Obsidian does not read it as a tag"
        problems.add("warning", message, lines.get("tags"))


class _Fields:
    """Reads typed fields out of front matter, warning (with the line) about bad values."""

    def __init__(self, fm: dict[str, Any], lines: dict[str, int], problems: _Problems) -> None:
        self.fm = fm
        self.lines = lines
        self.problems = problems

    def _warn(self, key: str, message: str) -> None:
        self.problems.add("warning", message, self.lines.get(key))

    def _present(self, key: str) -> Any:
        value = self.fm.get(key)
        if value is None or type(value) is str:  # most fields: absent or plain text
            return value or None
        value = unquoted_links(value)
        if value == "" or value == [] or value == {}:
            return None
        return value

    def text(self, key: str) -> str | None:
        value = self._present(key)
        if value is None:
            return None
        if type(value) is str:
            return value.strip() or None
        if isinstance(value, list):
            value = next((v for v in value if v not in (None, "")), None)
            if value is None:
                return None
        if isinstance(value, dict):
            self._warn(key, f"{key} should be text, not a mapping; ignored")
            return None
        return _scalar_text(value).strip() or None

    def first_text(self, *keys: str) -> str | None:
        for key in keys:
            value = self.text(key)
            if value is not None:
                return value
        return None

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._present(key)
        if value is None:
            return ()
        if type(value) is str:
            value = value.strip()
            return (value,) if value else ()
        items = value if isinstance(value, list) else [value]
        result = []
        for item in items:
            if isinstance(item, dict | list):
                self._warn(key, f"{key} should hold text, found a nested {type(item).__name__}")
                continue
            if item is None:
                continue
            text = _scalar_text(item).strip()
            if text:
                result.append(text)
        return tuple(result)

    def date(self, key: str) -> dt.date | None:
        value = self._present(key)
        if value is None:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self._warn(key, f"{key}: {date_problem(_scalar_text(value))}; ignored")
        return parsed

    def duration(self, key: str) -> Duration | None:
        value = self._present(key)
        if value is None:
            return None
        parsed = parse_duration(value)
        if parsed is None:
            self._warn(
                key,
                f"{key}: {_scalar_text(value)!r} is not a duration (use 30d, 6w, "
                "3m, 1y, weekly, monthly, quarterly...); the tier's cadence is used",
            )
        return parsed

    def birthday(self) -> Birthday | None:
        value = self._present("birthday")
        if value is None:
            return None
        parsed = parse_birthday(value)
        if parsed is None:
            self._warn(
                "birthday",
                f"birthday: {_scalar_text(value)!r} is not a date "
                "(use YYYY-MM-DD or MM-DD); ignored",
            )
        return parsed

    def history(self) -> tuple[Position, ...]:
        value = self._present("history")
        if value is None:
            return ()
        if not isinstance(value, list):
            self._warn("history", "history should be a list of {company, role, from, to}")
            return ()
        positions = []
        for item in value:
            if isinstance(item, str) and item.strip():
                positions.append(Position(item.strip()))
                continue
            if not isinstance(item, dict):
                self._warn("history", "each history entry should have company, role, from, to")
                continue
            company = item.get("company", item.get("org"))
            if company in (None, ""):
                self._warn("history", "a history entry has no company; ignored")
                continue
            role = item.get("role", item.get("title"))
            start, end = item.get("from"), item.get("to")
            positions.append(
                Position(
                    _scalar_text(company).strip(),
                    _scalar_text(role).strip() if role not in (None, "") else None,
                    self._history_date(start),
                    self._history_date(end),
                )
            )
        return tuple(positions)

    def _history_date(self, value: Any) -> dt.date | None:
        if value in (None, ""):
            return None
        parsed = parse_date(value)
        if parsed is None and isinstance(value, int | str):
            text = str(value).strip()
            if re.fullmatch(r"\d{4}", text):
                return dt.date(int(text), 1, 1)
            if re.fullmatch(r"\d{4}-\d{2}", text):
                try:
                    return dt.date(int(text[:4]), int(text[5:]), 1)
                except ValueError:
                    pass
            self._warn("history", f"history: {text!r} is not a date (use YYYY-MM-DD)")
        return parsed


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _log(
    body: str, body_line: int, headings: tuple[str, ...], path: str, problems: _Problems
) -> tuple[tuple[LogEntry, ...], frozenset[int]]:
    """The dated entries of the log sections, and the lines of their unchecked tasks."""
    wanted = {h.casefold() for h in headings}
    entries: list[LogEntry] = []
    open_tasks: list[int] = []
    level = 0  # the level of the log heading we are under, 0 when outside
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if ("```" in line or "~~~" in line) and document.CODE_FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if line.startswith("#"):
            heading = document.HEADING.fullmatch(line)
            if heading:
                this = len(heading[1])
                if level and this <= level:
                    level = 0
                if not level and heading[2].casefold() in wanted:
                    level = this
                continue
        if not level:
            continue
        if "[ ]" in line and _OPEN_TASK.fullmatch(line):
            open_tasks.append(body_line + offset)  # not done yet: an open loop, not a contact
            continue
        match = _LOG_ENTRY.match(line)
        if match is not None:
            when = _iso_date(match[2] or match[3] or match[4])
            if when is not None:  # the common case: YYYY-MM-DD
                entries.append(_entry(when, match.end(), line, body_line + offset, path))
                continue
        if line.lstrip()[:1] in ("-", "*", "+"):  # a list item: another way to write dates?
            entry = _loose_entry(line, body_line + offset, path, problems)
            if entry is not None:
                entries.append(entry)
    return tuple(entries), frozenset(open_tasks)


def _loose_entry(line: str, line_no: int, path: str, problems: _Problems) -> LogEntry | None:
    """A log line dated in another form than YYYY-MM-DD (``5 Nov 2026``, ``2026/11/05``,
    ``[[2026-1-5]]``), or None; a date that is wrong or ambiguous is a warning."""
    item = _ITEM_START.match(line)
    if item is None:
        return None
    start = item.end()
    first = line[start : start + 1]
    # Cheap test first: a date starts with a digit, a month's initial or a link.
    if not first or not (first.isdigit() or first in "[JFMASONDjfmasond"):
        return None
    written_end = None
    if first == "[":
        close = line.find("]]", start)
        if not line.startswith("[[", start) or close < 0:
            return None
        target = line[start + 2 : close].split("|", 1)[0]
        found = read_date(target)
        if found is None or found.end != len(target):
            return None
        written_end = close + 2
    else:
        found = read_date(line, start)
        if found is None:
            return None
    if found.date is None:
        problems.add("warning", f"log entry left out: {found.problem}", line_no)
        return None
    end = _SEPARATOR.match(line, written_end if written_end is not None else found.end)
    assert end is not None  # every part of the separator is optional
    return _entry(found.date, end.end(), line, line_no, path)


_DATES: dict[str, dt.date | None] = {}


def _iso_date(iso: str) -> dt.date | None:
    """A date from ``YYYY-MM-DD``, memoised: logs repeat the same dates many times."""
    when = _DATES.get(iso, False)
    if when is False:
        try:
            when = dt.date(int(iso[:4]), int(iso[5:7]), int(iso[8:10]))
        except ValueError:
            when = None
        if len(_DATES) < 100_000:
            _DATES[iso] = when
    return when  # type: ignore[return-value]


def _entry(when: dt.date, start: int, line: str, line_no: int, path: str) -> LogEntry:
    text = line[start:].strip()
    kind = None
    if ":" in text:
        kind_match = _KIND.match(text)
        if kind_match:
            kind = kind_match[1]
            text = text[kind_match.end() :].strip()
    tags: tuple[str, ...] = ()
    if "#" in text:
        tags = tuple(tag.casefold() for tag in _HASHTAG.findall(text))
    links: tuple[str, ...] = ()
    if "[[" in text or "](" in text:
        links = tuple(link.target for link in find_links(text) if not link.embed)
    return LogEntry(when, kind, text, tags, links, line_no, path)


_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NUMBER = {name[:3]: number for number, name in enumerate(_MONTHS, 1)}
# moment.js tokens of a daily-note format: group (y, m for a month number, b for a month
# name, d) and regex. Names are English: Obsidian's locale is not stored in the vault.
_MOMENT_TOKENS: dict[str, tuple[str | None, str]] = {
    "YYYY": ("y", r"\d{4}"),
    "YY": ("y", r"\d{2}"),
    "MMMM": ("b", "(?i:" + "|".join(_MONTHS) + ")"),
    "MMM": ("b", "(?i:" + "|".join(m[:3] for m in _MONTHS) + ")"),
    "MM": ("m", r"\d{2}"),
    "M": ("m", r"\d{1,2}"),
    "Do": ("d", r"\d{1,2}(?=st|nd|rd|th)"),
    "DD": ("d", r"\d{2}"),
    "D": ("d", r"\d{1,2}"),
    "dddd": (None, "(?i:" + "|".join(_WEEKDAYS) + ")"),
    "ddd": (None, "(?i:" + "|".join(d[:3] for d in _WEEKDAYS) + ")"),
    "dd": (None, "(?i:" + "|".join(d[:2] for d in _WEEKDAYS) + ")"),
}
_MOMENT = re.compile(r"\[[^\]]*\]|YYYY|YY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|dd|[A-Za-z]+|[^A-Za-z\[]+")


def daily_pattern(folder: str, moment_format: str, suffix: str = "") -> str | None:
    """A regex for daily-note paths (without ``.md``) from Obsidian's moment format.

    Its named groups are ``y``, ``m`` (a month number) or ``b`` (a month name) and ``d``,
    each followed by ``suffix``. Understood: ``YYYY``, ``YY``, ``MMMM``, ``MMM``, ``MM``,
    ``M``, ``Do``, ``DD``, ``D``, ``dddd``, ``ddd``, ``dd`` (English names) and bracketed
    literals; a format with other tokens, or without a year, month and day, gets None.
    """
    parts: list[str] = []
    seen: set[str] = set()
    for token in _MOMENT.findall(moment_format):
        known = _MOMENT_TOKENS.get(token)
        if known:
            name, regex = known
            if name is None:
                parts.append(regex)
            elif name in seen:
                parts.append(f"(?P={name}{suffix})" if name != "b" else regex)
            else:
                parts.append(f"(?P<{name}{suffix}>{regex})")
                seen.add(name)
            if token == "Do":
                parts.append("(?:st|nd|rd|th)")
        elif token.startswith("["):
            parts.append(re.escape(token[1:-1]))
        elif token.isalpha():
            return None
        else:
            parts.append(re.escape(token))
    if "y" not in seen or "d" not in seen or not seen & {"m", "b"}:
        return None
    prefix = re.escape(folder.strip("/") + "/") if folder.strip("/") else ""
    return prefix + "".join(parts)


def daily_patterns(formats: Iterable[tuple[str, str]]) -> str | None:
    """One regex for daily-note paths of every (folder, format) pair (the daily-notes core
    plugin's, the Periodic Notes plugin's): the groups of the n-th pair end in n."""
    found = [
        pattern
        for index, (folder, moment_format) in enumerate(dict.fromkeys(formats))
        if (pattern := daily_pattern(folder, moment_format, str(index) if index else ""))
    ]
    if not found:
        return None
    return found[0] if len(found) == 1 else "|".join(f"(?:{p})" for p in found)


@functools.lru_cache(maxsize=16)  # one per configuration: compiled once, not per note
def _daily_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _daily_date(match: re.Match[str]) -> dt.date | None:
    """The date of a daily note's path from the groups ``daily_pattern`` made."""
    parts = {name[0]: value for name, value in match.groupdict().items() if value is not None}
    try:
        year = int(parts["y"])
        if len(parts["y"]) == 2:
            year += 2000
        month = int(parts["m"]) if "m" in parts else _MONTH_NUMBER[parts["b"][:3].casefold()]
        return dt.date(year, month, int(parts["d"]))
    except (KeyError, ValueError):
        return None
