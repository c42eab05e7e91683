"""The editing commands as library functions: add a person, log, move on the ladder, snooze.

Each finds its person the way links resolve, builds the new text with the note editor
(``edit``), which verifies the edit and writes atomically, and returns what changed.

``Found`` is a named tuple, not a dataclass: a class made at import in a fifth of the time
(docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from vaultnet.atomic import clean_temp_files
from vaultnet.config import Config
from vaultnet.containment import state_dir
from vaultnet.dates import parse_date, parse_duration
from vaultnet.diagnostics import Diagnostic
from vaultnet.edit import (
    EditError,
    EditResult,
    add_list_item,
    add_log_entry,
    create_note,
    diff,
    edit_note,
    set_field,
)
from vaultnet.errors import UsageError
from vaultnet.model.identity import is_email, not_an_email
from vaultnet.names import loose, loose_matches, safe_filename, suggestions
from vaultnet.pipeline.build import Builder
from vaultnet.source.links import Resolver, as_link, note_link
from vaultnet.source.notes import Note, parse_note
from vaultnet.source.vault import is_excluded
from vaultnet.state.cache import NoteCache


class Found(NamedTuple):
    """A person note found by name: its parsed form and its file."""

    note: Note
    file: Path


class People:
    """The vault's person notes, for finding one by name."""

    def __init__(self, config: Config, cache: NoteCache | None = None) -> None:
        self.config = config
        builder = Builder(config, cache)
        read = builder.read()
        self.notes = [n for n in read.notes if n.person]
        self.errors = [d for d in read.diagnostics if d.level == "error" and d.path]
        self.disk = {path: source.disk for path, source in builder.files.items()}
        self.resolver = Resolver()
        for note in self.notes:
            self.resolver.add(note.path, note.path, note.name or note.stem, note.aliases)
        self.resolver.finish()
        self.by_path = {note.path: note for note in self.notes}
        self.names = {n.path: (n.name or n.stem, n.stem, *n.aliases) for n in self.notes}

    def matches(self, name: str, exact: bool = False) -> list[Note]:
        """The people ``name`` may mean: as a link resolves (path, file name, name or
        alias, ignoring case); else ignoring accents too; else, unless ``exact``, by first
        name or by the start of a name (``names.loose_matches``)."""
        keys = self.resolver.all_matches(name)
        if not keys:
            link = as_link(name)
            typed = link.target if link is not None else name
            typed = typed[:-3] if typed.lower().endswith(".md") else typed
            keys = loose_matches(typed.rsplit("/", 1)[-1], self.names, exact)
        return [self.by_path[key] for key in keys]

    def find(self, name: str) -> Found:
        """The one person ``name`` means. UsageError (exit 2) for none or several."""
        found = self.matches(name)
        if len(found) == 1:
            note = found[0]
            return Found(note, self.config.vault / self.disk.get(note.path, note.path))
        if not found:
            broken = self._unreadable(name)
            if broken is not None:
                raise UsageError(
                    f"the note for {name!r} cannot be read: {broken.message}; "
                    "fix it, then try again",
                    broken.path,
                    broken.line,
                )
            close = suggestions(name, (n for names in self.names.values() for n in names))
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise UsageError(f"no person matches {name!r}{hint}")
        listing = ", ".join(n.path for n in found)
        raise UsageError(f"{name!r} matches {len(found)} people: {listing}; use the file path")

    def _unreadable(self, name: str) -> Diagnostic | None:
        """The error of a note named ``name`` that could not be read (broken YAML)."""
        link = as_link(name)
        wanted = loose(link.target if link is not None else name).removesuffix(".md")
        for diagnostic in self.errors:
            path = loose(diagnostic.path or "").removesuffix(".md")
            if wanted in (path, path.rsplit("/", 1)[-1]):
                return diagnostic
        return None


def _lock_dir(config: Config) -> Path:
    return state_dir(config.vault)


def edit_in_vault(
    config: Config,
    file: Path,
    transform: Callable[[str], str],
    expect_keys: frozenset[str] | None,
    body_change: bool,
    dry_run: bool,
) -> EditResult:
    """Edit a note through the editor; paths in the diff and errors relative to the vault."""
    relative = file.relative_to(config.vault).as_posix()
    if not dry_run:
        clean_temp_files(file.parent)  # what a killed edit or import left beside the note
    try:
        result = edit_note(
            file,
            transform,
            expect_keys=expect_keys,
            body_change=body_change,
            dry_run=dry_run,
            lock_dir=_lock_dir(config),
            front_matter_required=True,
        )
    except EditError as exc:
        exc.path = relative
        raise
    return EditResult(result.path, result.changed, result.diff.replace(str(file), relative))


def _link_or_text(people: People, value: str, folder: str = "") -> tuple[str, str | None]:
    """A wikilink when ``value`` names exactly one person (as ``log`` finds one), else the
    text as given, with a warning then: a name that matches nobody is often a typo."""
    found = people.matches(value)
    if len(found) == 1:
        if value.startswith("[["):
            return value, None
        config = people.config
        note = found[0]
        unique = people.resolver.all_matches(note.stem) == [note.path]
        shortest = note.stem if unique else note.path[:-3]
        written = note_link(
            note.path, note.stem, config.markdown_links, config.link_format, shortest, folder
        )
        return written, None
    if found:
        shown = ", ".join(n.path for n in found)
        return (
            value,
            f"introduced_by {value!r} matches {len(found)} people ({shown}); written as text",
        )
    return value, (
        f"introduced_by {value!r} matches no person in the vault; written as text "
        "(add them, then make it a [[link]])"
    )


def add_person(
    config: Config,
    name: str,
    *,
    today: dt.date,
    tier: str | None = None,
    company: str | None = None,
    role: str | None = None,
    email: str | None = None,
    met: dt.date | None = None,
    introduced_by: str | None = None,
    tags: tuple[str, ...] = (),
    directory: str | None = None,
    dry_run: bool = False,
    cache: NoteCache | None = None,
    warn: Callable[[Diagnostic], None] | None = None,
) -> EditResult:
    """Create a person note from the person template; never overwrites anything.

    Refuses (UsageError) when a note, name or alias already matches ``name``, or an iCloud
    placeholder of the file exists (the real note is not downloaded yet). An email that
    is not one, or an introducer who is nobody in the vault, is written as given and
    passed to ``warn``.
    """
    given = [("name", name), ("--company", company), ("--role", role), ("--email", email)]
    given += [("--introduced-by", introduced_by), *(("--tag", tag) for tag in tags)]
    for what, value in given:
        check_plain(value, what)
    clean = " ".join(name.split())
    if not clean:
        raise UsageError("the name is empty")
    people = People(config, cache)
    existing = people.matches(clean, exact=True)
    if existing:
        shown = ", ".join(n.path for n in existing)
        raise UsageError(f"{clean!r} already exists: {shown}")
    tier_obj = config.tier_named(tier) if tier else config.weakest
    if tier_obj is None:
        names = ", ".join(t.name for t in config.tiers)
        raise UsageError(f"unknown tier {tier!r}; tiers are: {names}")
    folder_path = notes_folder(config, directory)
    wanted = safe_filename(clean, fallback="Person")
    if (folder_path / f".{wanted}.md.icloud").exists():
        raise UsageError(
            f"{wanted}.md is in iCloud but not downloaded on this machine; open it in Finder "
            "to download it, then try again"
        )
    stem = _unique_stem(folder_path, wanted)
    target = folder_path / f"{stem}.md"
    from vaultnet.render.render import (
        render_person_note,  # Jinja only for the commands that need it
    )

    text = render_person_note(config, clean, tier_obj.name, today)
    if stem != clean:
        text = set_field(text, "name", clean)
    rendered = parse_note(f"{stem}.md", text.encode("utf-8"))
    if not isinstance(rendered, Note):
        raise UsageError(
            f"the person template does not give a readable note: {rendered.diagnostics[0].message}"
        )
    if rendered.tier is None or config.tier_named(rendered.tier) != tier_obj:
        text = set_field(text, "tier", tier_obj.name)
    relative = target.relative_to(config.vault).as_posix()
    problems: list[str] = []
    for key, value in (("company", company), ("role", role), ("email", email)):
        if value:
            text = set_field(text, key, value.strip())
    if email and email.strip() and not is_email(email.strip()):
        problems.append(f"email {not_an_email(email)}; written as given")
    if met is not None:
        text = set_field(text, "met", met)
    if introduced_by and introduced_by.strip():
        folder = relative.rpartition("/")[0]
        introducer, problem = _link_or_text(people, introduced_by.strip(), folder)
        text = set_field(text, "introduced_by", introducer)
        if problem is not None:
            problems.append(problem)
    for problem in problems:
        if warn is not None:
            warn(Diagnostic(relative, None, "warning", problem))
    for tag in tags:
        tag = tag.strip().lstrip("#")
        if tag:
            text = add_list_item(text, "tags", tag)
    shown = diff("", text, relative)
    if dry_run:
        return EditResult(target, True, shown)
    clean_temp_files(target.parent)
    try:
        create_note(target, text)
    except EditError as exc:
        exc.path = relative
        raise
    return EditResult(target, True, shown)


def notes_folder(config: Config, directory: str | None) -> Path:
    """The folder new person notes go to: ``directory``, else ``people_folder``.

    Refuses (UsageError) a folder whose notes vaultnet would never read as people: outside
    the vault, the output folder, a dot-folder, an excluded folder, or outside people_dirs.
    """
    folder = directory or config.people_folder
    folder_path = (config.vault / folder).resolve()
    if not folder_path.is_relative_to(config.vault):
        raise UsageError(f"--dir must be a folder inside the vault, not {folder!r}")
    relative = folder_path.relative_to(config.vault).as_posix()
    rel = "" if relative == "." else relative
    skipped = {config.output_dir, *config.template_folders}
    excluded = [e.strip("/") for e in config.exclude]
    people = config.people_dirs
    if PurePosixPath(rel).is_relative_to(config.output_dir) and rel:
        reason = "is the output folder, which vaultnet writes and never reads"
    elif any(part.startswith(".") for part in PurePosixPath(rel).parts) or is_excluded(
        f"{rel}/_" if rel else "_", excluded, skipped
    ):
        reason = "is a folder vaultnet skips (a dot-folder, excluded or a template folder)"
    elif "." not in people and not any(PurePosixPath(rel).is_relative_to(p) for p in people):
        reason = f"is outside people_dirs ({', '.join(people)})"
    else:
        return folder_path
    raise UsageError(f"--dir {folder!r} {reason}: a note there would never be read as a person")


def _unique_stem(folder: Path, stem: str) -> str:
    """``stem``, or ``stem 2``, ``stem 3``…: no clash with a note or an iCloud placeholder."""
    candidate = stem
    number = 2
    taken = {p.name.casefold() for p in folder.iterdir()} if folder.is_dir() else set()
    while f"{candidate}.md".casefold() in taken or f".{candidate}.md.icloud".casefold() in taken:
        candidate = f"{stem} {number}"
        number += 1
    return candidate


def check_plain(value: str | None, what: str, *, lines: bool = False) -> None:
    """Refuse (UsageError) text with a control character (an escape, a NUL, a line break
    unless ``lines``; a tab is fine): written into a note it would be invisible in the
    editor, or drive a terminal showing the note."""
    if not value:
        return
    allowed = "\t\r\n" if lines else "\t"
    for char in value:
        kind = unicodedata.category(char)
        if (kind == "Cc" and char not in allowed) or (kind in ("Zl", "Zp") and not lines):
            raise UsageError(
                f"the {what} holds the control character U+{ord(char):04X}; vaultnet writes "
                "no control characters into notes: remove it and try again"
            )


def _entry_text(text: str, kind: str | None, gave: bool, got: bool) -> str:
    text = " ".join(text.split())
    if not text and not kind:
        raise UsageError("the log entry is empty")
    line = f"{kind.strip().rstrip(':')}: {text}" if kind else text
    if gave:
        line += " #gave"
    if got:
        line += " #got"
    return line.strip()


def log_interaction(
    config: Config,
    name: str,
    text: str,
    *,
    when: dt.date,
    kind: str | None = None,
    gave: bool = False,
    got: bool = False,
    dry_run: bool = False,
    cache: NoteCache | None = None,
) -> EditResult:
    """Add a dated entry to the person's log (a ``## Log`` section is added if missing)."""
    if gave and got:
        raise UsageError("choose --gave or --got, not both")
    check_plain(text, "text", lines=True)
    check_plain(kind, "--kind")
    found = People(config, cache).find(name)
    line = _entry_text(text, kind, gave, got)
    return edit_in_vault(
        config,
        found.file,
        lambda note: add_log_entry(note, when, line, config.log_headings),
        None,
        True,
        dry_run,
    )


def set_tier(
    config: Config,
    name: str,
    tier: str,
    *,
    today: dt.date,
    dry_run: bool = False,
    cache: NoteCache | None = None,
) -> EditResult:
    """Move a person on the ladder and record the move in the log (``tier: a → b``)."""
    new = config.tier_named(tier)
    if new is None:
        names = ", ".join(t.name for t in config.tiers)
        raise UsageError(f"unknown tier {tier!r}; tiers are: {names}")
    found = People(config, cache).find(name)
    old = config.tier_named(found.note.tier) if found.note.tier else None
    old_name = old.name if old else (found.note.tier or config.weakest.name)
    if old is not None and old.name == new.name:
        return EditResult(found.file, False, "")

    def move(text: str) -> str:
        text = set_field(text, "tier", new.name)
        return add_log_entry(text, today, f"tier: {old_name} → {new.name}", config.log_headings)

    return edit_in_vault(config, found.file, move, frozenset({"tier"}), True, dry_run)


def parse_until(value: str, today: dt.date) -> dt.date:
    """A snooze end: a date (``2027-01-15``) or a duration from today (``3w``, ``2m``).

    A date not after ``today`` is refused: the snooze would have ended already."""
    text = value.strip()
    end = parse_date(text)  # any form a note may use: 2027-01-15, 15 Jan 2027...
    if end is None:
        duration = parse_duration(text)
        if duration is None:
            raise UsageError(f"{value!r} is neither a date (YYYY-MM-DD) nor a duration (3w, 2m)")
        end = duration.after(today)
    if end <= today:
        raise UsageError(
            f"{end.isoformat()} is not after today ({today.isoformat()}): the snooze would "
            "be over already; give a later date or a duration such as 3w"
        )
    return end


def snooze(
    config: Config,
    name: str,
    until: dt.date | None,
    *,
    dry_run: bool = False,
    cache: NoteCache | None = None,
) -> EditResult:
    """Set ``snooze_until`` (or remove it, with ``until=None``)."""
    found = People(config, cache).find(name)
    return edit_in_vault(
        config,
        found.file,
        lambda text: set_field(text, "snooze_until", until),
        frozenset({"snooze_until"}),
        False,
        dry_run,
    )
