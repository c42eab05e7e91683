"""What a note's front matter says: typed fields (with warnings that name the line), whether
the note is a person or a template, and the Dataview inline fields of its body."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from typing import Any

from vaultnet.dates import (
    Birthday,
    Duration,
    date_problem,
    parse_birthday,
    parse_date,
    parse_duration,
)
from vaultnet.source import document
from vaultnet.source.parsed import Position, Problems

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
# Fields whose values many notes repeat (a tier, a company, a tag): kept as one string each.
_REPEATED = ("tier", "target_tier", "company", "org", "role", "title", "location", "tags")
_SHARED_LENGTH = 100  # longer values are seldom repeated; only these are interned

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


def looks_like_person(front_matter: str) -> bool:
    return re.search(r"(?m)^(tier|type|tags|categories)\s*:", front_matter) is not None


def is_template(fm: dict[str, Any]) -> bool:
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


def is_person(fm: dict[str, Any]) -> bool:
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


def is_source_note(fm: dict[str, Any]) -> bool:
    """Whether front matter is that of a source note written by ``vaultnet import``."""
    return isinstance(fm.get("source"), str) and "vaultnet_hash" in fm


def texts_of(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(item) for item in value if isinstance(item, str | int))
    return ()


def share_repeated(fm: dict[str, Any], day: Callable[[dt.date], dt.date]) -> None:
    """Intern the text values of the fields many notes repeat, in place: a large vault's
    notes then share one string for each tier, company, role, place and tag (the typed
    fields are these same strings). Dates, top-level and in ``history``, are shared through
    ``day`` (which gives an equal date seen before)."""
    for key in _REPEATED:
        value = fm.get(key)
        if type(value) is str:
            if len(value) <= _SHARED_LENGTH:
                fm[key] = sys.intern(value)
        elif type(value) is list:
            for index, item in enumerate(value):
                if type(item) is str and len(item) <= _SHARED_LENGTH:
                    value[index] = sys.intern(item)
    for key, value in fm.items():  # values replaced, no key added: safe while iterating
        if type(value) is dt.date:
            fm[key] = day(value)
    history = fm.get("history")
    if type(history) is list:
        for item in history:
            if type(item) is dict:
                for key in ("from", "to"):
                    value = item.get(key)
                    if type(value) is dt.date:
                        item[key] = day(value)


def with_inline_fields(
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


def strings_in(value: Any) -> list[str]:
    value = unquoted_links(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


_LEGACY_KEYS = {"tag": "tags", "alias": "aliases", "cssclass": "cssclasses"}
_WHITE_SPACE = re.compile(r"\s")  # what str.isspace calls white space


def lint_obsidian(
    fm: dict[str, Any], lines: dict[str, int], tags: tuple[str, ...], problems: Problems
) -> None:
    """Warn about what Obsidian will not read: its old keys, and tags it cannot use."""
    for key, modern in _LEGACY_KEYS.items():
        if key in fm and fm[key] not in (None, "", []):  # an empty one loses nothing
            problems.add(
                "warning",
                f"{key!r} is ignored by Obsidian 1.9 and later; use {modern!r}",
                lines.get(key),
            )
    for tag in tags:
        plain = tag.lstrip("#")
        if plain.isdigit():
            problem = "is only digits"
        elif _WHITE_SPACE.search(plain):
            problem = "holds a space"
        else:
            continue
        message = f"tag {tag!r} {problem}; Obsidian does not read it as a tag"
        problems.add("warning", message, lines.get("tags"))


class FieldReader:
    """Reads typed fields out of front matter, warning (with the line) about bad values."""

    def __init__(self, fm: dict[str, Any], lines: dict[str, int], problems: Problems) -> None:
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
        value = self.fm.get(key)
        if type(value) is str:  # the common case, as _present would give it
            return value.strip() or None
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
        return scalar_text(value).strip() or None

    def first_text(self, *keys: str) -> str | None:
        for key in keys:
            value = self.text(key)
            if value is not None:
                return value
        return None

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.fm.get(key)
        if type(value) is list and all(type(item) is str for item in value):
            return tuple(text for item in value if (text := item.strip()))  # the common list
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
            text = scalar_text(item).strip()
            if text:
                result.append(text)
        return tuple(result)

    def date(self, key: str) -> dt.date | None:
        value = self.fm.get(key)
        if value is None or type(value) is dt.date:  # absent, or a YAML date
            return value
        value = self._present(key)
        if value is None:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self._warn(key, f"{key}: {date_problem(scalar_text(value))}; ignored")
        return parsed

    def duration(self, key: str) -> Duration | None:
        value = self._present(key)
        if value is None:
            return None
        parsed = parse_duration(value)
        if parsed is None:
            self._warn(
                key,
                f"{key}: {scalar_text(value)!r} is not a duration (use 30d, 6w, "
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
                f"birthday: {scalar_text(value)!r} is not a date "
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
                    scalar_text(company).strip(),
                    scalar_text(role).strip() if role not in (None, "") else None,
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


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
