"""Source notes: one dated note per source and day, listing the interactions an export shows.

``Sources/Calendar/2026-11-20.md`` links the people met that day, one line per interaction
(``- 14:00 meeting: Q4 planning — [[Ann Lee]] ^v1a2b3c4d``), so the existing rule for dated
notes counts them as contact. Person notes are never touched.

Each line ends with a block id made from the interaction's identity in the export (an
event's UID and start, a Message-ID), so importing again merges by id: the same file
changes nothing, a newer export adds what is new. A note carries ``vaultnet_hash``, a hash
of the text vaultnet wrote: a note whose text no longer matches was edited by hand and is
never rewritten; what it lacks goes to a note beside it, ``2026-11-20 (2).md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from vaultnet.config import Config
from vaultnet.diagnostics import Diagnostic
from vaultnet.edit import EditError, create_note, edit_note
from vaultnet.edit.actions import People
from vaultnet.errors import UsageError
from vaultnet.exchange.imports.contact import clean_email, clean_text
from vaultnet.model.identity import linkedin_key
from vaultnet.source.links import fold, note_link
from vaultnet.source.notes import Note
from vaultnet.state.cache import NoteCache

HASH_KEY = "vaultnet_hash"
MAX_TEXT = 120  # characters of a subject or title kept; a huge field stays bounded
_KEYS = frozenset({"date", "source", "people", "unmatched", HASH_KEY})
_HASH_LINE = re.compile(rf"^{HASH_KEY}:[^\n]*\n", re.MULTILINE)
_BLOCK_ID = re.compile(r" \^(v[0-9a-f]{10})$")
_LINK = re.compile(r"\[\[([^\]|#]+)(?:[#|][^\]]*)?\]\]")
_ENTRY = re.compile(r"- (?:(\d{2}:\d{2}) )?(.*?) — (.*) \^(v[0-9a-f]{10})")


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone on the other side of an interaction, as the export names them."""

    name: str = ""
    email: str | None = None
    linkedin: str | None = None

    def shown(self) -> str:
        """How an unmatched participant is written: ``Carol Diaz <carol@example.com>``."""
        name = clean_text(self.name, name=True)
        last, comma, first = name.partition(",")
        if comma and "," not in first:  # "Okoye, Dana", as address books sort names
            name = f"{first} {last}"
        name = " ".join(name.replace(",", " ").split())
        if self.email:
            return f"{name} <{self.email}>" if name else self.email
        if self.linkedin:
            return f"{name} ({self.linkedin})" if name else self.linkedin
        return name


@dataclass(frozen=True, slots=True)
class Interaction:
    """One contact read from an export; ``key`` identifies it within its source."""

    when: dt.datetime  # local, naive
    text: str  # what happened: "meeting: Q4 planning", "email"
    people: tuple[Participant, ...]
    key: str
    timed: bool = True  # False for all-day events

    @property
    def block_id(self) -> str:
        return "v" + hashlib.sha1(self.key.encode("utf-8", "surrogatepass")).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """Everything read from one export: interactions, what was skipped and why, problems."""

    source: str  # "calendar", "mail", "linkedin-messages", "linkedin-invitations"
    folder: str  # under the sources folder: "Calendar", "Mail", ...
    title: str  # "Calendar", "Mail", "LinkedIn messages"
    interactions: tuple[Interaction, ...]
    read: int  # records read (events, messages, rows)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count
    diagnostics: tuple[Diagnostic, ...] = ()


def bounded(text: str | None) -> str:
    """Imported text made inert (see ``clean_text``) and at most MAX_TEXT characters."""
    cleaned = clean_text((text or "")[: MAX_TEXT * 4]).replace(" — ", " - ")
    return cleaned if len(cleaned) <= MAX_TEXT else cleaned[: MAX_TEXT - 1].rstrip() + "…"


# --- matching ----------------------------------------------------------------------------


class Matcher:
    """Finds the person note for a participant: by LinkedIn profile, email, then name."""

    def __init__(self, config: Config, cache: NoteCache | None = None) -> None:
        people = People(config, cache)
        self.by_email: dict[str, list[Note]] = {}
        self.by_linkedin: dict[str, list[Note]] = {}
        self.by_name: dict[str, list[Note]] = {}
        self.links: dict[str, str] = {}
        for note in people.notes:
            for email in note.email:
                self.by_email.setdefault(email.strip().casefold(), []).append(note)
            if note.linkedin and (key := linkedin_key(note.linkedin)):
                self.by_linkedin.setdefault(key, []).append(note)
            for name in {note.stem, note.name or note.stem, *note.aliases}:
                self.by_name.setdefault(fold(name), []).append(note)
            unique = people.resolver.all_matches(note.stem) == [note.path]
            self.links[note.path] = note.stem if unique else note.path.removesuffix(".md")
        self.markdown = config.markdown_links
        self.form = config.link_format

    def link(self, who: Participant) -> str | None:
        """``[[Ann Lee]]`` for the one note that is ``who``, or None."""
        for found in (
            self.by_linkedin.get(linkedin_key(who.linkedin) or "") if who.linkedin else None,
            self.by_email.get(who.email.casefold()) if who.email else None,
            self.by_name.get(fold(who.name)) if who.name.strip() else None,
        ):
            if found and len({n.path for n in found}) == 1:
                path = found[0].path
                # A relative path is written from the vault's root: the source note's folder
                # is not known here, and Obsidian reads such a path from the root.
                return note_link(path, None, self.markdown, self.form, self.links[path])
        return None


def participant(name: str | None, email: str | None) -> Participant | None:
    """A participant from a display name and an address, or None without a valid address."""
    address = clean_email(email)
    if address is None:
        return None
    return Participant(clean_text(name, name=True), address.casefold())


# --- the notes ---------------------------------------------------------------------------


@dataclass(slots=True)
class CaptureResult:
    """What an import of a source did, for the summary."""

    file: SourceFile
    interactions: int = 0  # after --since and today
    days: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # hand-edited notes left as they were
    failed: list[Diagnostic] = field(default_factory=list)
    unmatched: dict[str, tuple[int, dt.date]] = field(default_factory=dict)
    matched: int = 0

    def summary(self, dry_run: bool) -> str:
        file = self.file
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(file.skipped.items()) if n)
        would = "would be " if dry_run else ""
        interactions = "interaction" if self.interactions == 1 else "interactions"
        days = "day" if self.days == 1 else "days"
        parts = [
            f"{file.title}: {file.read} read, {self.interactions} {interactions} on "
            f"{self.days} {days}",
            f"{len(self.created)} source notes {would}created, {len(self.updated)} "
            f"{would}updated, {self.unchanged} unchanged",
        ]
        if skipped:
            parts.append(f"skipped: {skipped}")
        if self.kept:
            parts.append(f"{len(self.kept)} edited by hand and kept")
        return "; ".join(parts)


def capture(
    config: Config,
    file: SourceFile,
    *,
    today: dt.date,
    since: dt.date | None = None,
    me: Iterable[str] = (),
    dry_run: bool = False,
    cache: NoteCache | None = None,
) -> CaptureResult:
    """Write (or merge into) the source notes for the interactions of ``file``.

    Only interactions from ``since`` up to ``today`` count; participants whose address is
    in ``me`` are you. Nothing in the vault but the source notes is written.
    """
    result = CaptureResult(file)
    mine = {a.casefold() for a in (*config.capture.me, *me)}
    matcher = Matcher(config, cache)
    days: dict[dt.date, dict[str, str]] = {}
    for item in file.interactions:
        day = item.when.date()
        if day > today or (since is not None and day < since):
            continue
        others = [p for p in item.people if not (p.email and p.email in mine)]
        if not others:
            continue
        result.interactions += 1
        who = []
        for person in dict.fromkeys(others):
            link = matcher.link(person)
            if link is None:
                shown = person.shown()
                if not shown:
                    continue
                count, last = result.unmatched.get(shown, (0, day))
                result.unmatched[shown] = (count + 1, max(last, day))
                who.append(shown)
            else:
                result.matched += 1
                who.append(link)
        if not who:
            continue
        time = f"{item.when:%H:%M} " if item.timed else ""
        line = f"- {time}{item.text} — {', '.join(dict.fromkeys(who))} ^{item.block_id}"
        days.setdefault(day, {})[item.block_id] = line
    result.days = len(days)
    folder = config.vault / config.capture.sources_dir / file.folder
    if not folder.resolve().is_relative_to(config.vault):  # a symbolic link leading out
        raise UsageError(
            f"{config.capture.sources_dir}/{file.folder} leads outside the vault (a symbolic "
            "link?); refusing to write source notes there"
        )
    for day, lines in sorted(days.items()):
        try:
            _write_day(config, file, folder, day, lines, result, dry_run)
        except EditError as exc:
            where = exc.path or str(folder)
            result.failed.append(Diagnostic(where, exc.line, "error", exc.message))
    return result


def _write_day(
    config: Config,
    file: SourceFile,
    folder: Path,
    day: dt.date,
    lines: dict[str, str],
    result: CaptureResult,
    dry_run: bool,
) -> None:
    """Merge one day's lines into its source note, or beside it when it was edited by hand."""
    number = 1
    while True:
        suffix = f" ({number})" if number > 1 else ""
        path = folder / f"{day.isoformat()}{suffix}.md"
        relative = path.relative_to(config.vault).as_posix()
        if not path.exists() and not path.is_symlink():
            if not dry_run:
                create_note(path, render_note(file, day, lines))
            result.created.append(relative)
            return
        text = _read_text(path)
        if text is not None and _is_ours(text):
            merged = {**entries_in(text), **lines}
            new_text = render_note(file, day, merged)
            if new_text == text:
                result.unchanged += 1
                return
            if not dry_run:

                def rewrite(current: str, expected: str = text, new: str = new_text) -> str:
                    if current != expected:
                        raise EditError("not updated: the note changed while importing")
                    return new

                edit_note(
                    path,
                    rewrite,
                    expect_keys=_KEYS,
                    body_change=True,
                    lock_dir=config.vault / ".vaultnet",
                    front_matter_required=True,
                )
            result.updated.append(relative)
            return
        # Edited by hand (or not a source note at all): kept as it is. What it already
        # holds is not written twice; the rest goes to the next free name.
        if relative not in result.kept:
            result.kept.append(relative)
        if text is not None:
            present = entries_in(text)
            lines = {key: line for key, line in lines.items() if key not in present}
        if not lines:
            result.unchanged += 1
            return
        number += 1


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def note_hash(text: str) -> str:
    """The hash of a source note's text without its own ``vaultnet_hash`` line."""
    return hashlib.sha256(_HASH_LINE.sub("", text, count=1).encode("utf-8")).hexdigest()[:16]


def _is_ours(text: str) -> bool:
    match = re.search(rf"^{HASH_KEY}: ([0-9a-f]{{16}})\n", text, re.MULTILINE)
    return match is not None and match[1] == note_hash(text)


def entries_in(text: str) -> dict[str, str]:
    """The interaction lines of a source note, by block id."""
    found = {}
    for line in text.splitlines():
        match = _BLOCK_ID.search(line)
        if match and line.startswith("- "):
            found[match[1]] = line
    return found


def _sort_key(line: str) -> tuple[str, str]:
    match = _ENTRY.fullmatch(line)
    return (match[1] or "", line) if match else ("", line)


def render_note(file: SourceFile, day: dt.date, lines: dict[str, str]) -> str:
    """The text of a source note holding ``lines`` (by block id), with its hash."""
    ordered = sorted(lines.values(), key=_sort_key)
    people: dict[str, None] = {}
    unmatched: dict[str, None] = {}
    for line in ordered:
        match = _ENTRY.fullmatch(line)
        if not match:
            continue
        for item in match[3].split(", "):
            if _LINK.fullmatch(item):
                people[item] = None
            elif item.strip():
                unmatched[item] = None
    head = [
        "---",
        f"date: {day.isoformat()}",
        f"source: {file.source}",
        f"people: {_flow(people)}",
    ]
    if unmatched:
        head.append(f"unmatched: {_flow(unmatched)}")
    body = ["---", f"# {file.title}, {day.isoformat()}", "", *ordered]
    text = "\n".join([*head, *body]) + "\n"
    digest = note_hash(text)
    return "\n".join([*head, f"{HASH_KEY}: {digest}", *body]) + "\n"


def _flow(items: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in items) + "]"
