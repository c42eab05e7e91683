"""Imported contacts matched to the vault's people: a plan first, then the notes written.

A contact is the person of an existing note when, in this order, its LinkedIn profile, one
of its emails, or its name (the note's file name, ``name`` or an alias) matches. New people
get a note from the person template; known people get only their missing fields filled,
plus, from LinkedIn, a move when their company or role changed: the old position goes to
``history`` and the log says who moved where. Nothing the user wrote is overwritten.

The plan is made before anything is written, so ``--dry-run`` shows exactly what an
import does, and ``write.py`` writes it through the note editor (one verified edit per note).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from vaultnet.config import Config, Tier
from vaultnet.dates import Birthday
from vaultnet.diagnostics import Diagnostic
from vaultnet.edit import (
    FieldValue,
    set_field,
)
from vaultnet.edit.actions import People, notes_folder
from vaultnet.errors import UsageError
from vaultnet.exchange.imports.contact import Contact, ImportFile, Skipped
from vaultnet.model.identity import linkedin_key
from vaultnet.names import safe_filename
from vaultnet.source.companynames import company_key
from vaultnet.source.links import fold
from vaultnet.source.notes import Note, parse_note
from vaultnet.state.cache import NoteCache

Action = Literal["new", "update", "unchanged"]
# The order fields are written in, for new notes and filled ones alike.
FIELD_ORDER = (
    "company",
    "role",
    "email",
    "phone",
    "linkedin",
    "birthday",
    "connected",
    "connected_via",
)
ALIASES = {"company": ("company", "org"), "role": ("role", "title")}


@dataclass(frozen=True, slots=True)
class Move:
    """A change of company or role: the old position and the new one."""

    old_company: str
    old_role: str | None
    company: str
    role: str | None

    @property
    def changes_company(self) -> bool:
        """False for a new role at the same company (however its name is spelled)."""
        return company_key(self.old_company) != company_key(self.company)

    def describe(self, source: str) -> str:
        """The log line's text: ``moved: Acme → Initech (Engineer → EM), from LinkedIn``."""
        if self.changes_company:
            roles = ""
            if _same_role(self.old_role, self.role):
                roles = f" ({self.role})" if self.role else ""
            elif self.old_role or self.role:
                roles = f" ({self.old_role or '—'} → {self.role or '—'})"
            text = f"moved: {self.old_company} → {self.company}{roles}"
        else:
            text = f"moved: {self.old_role or '—'} → {self.role or '—'} at {self.old_company}"
        return " ".join(f"{text}, from {source}".split())


@dataclass(frozen=True, slots=True)
class Planned:
    """What the import does to one note.

    ``fields`` are the keys set: every field of a new note, the missing ones of a known
    note. ``kept`` lists differences left alone (an address book's older position).
    """

    action: Action
    path: str  # vault path
    name: str
    line: int
    fields: tuple[tuple[str, FieldValue], ...] = ()
    move: Move | None = None
    kept: tuple[str, ...] = ()
    text: str = ""  # a new note's full text


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """Everything an import would do, in file order."""

    file: ImportFile
    today: dt.date
    items: tuple[Planned, ...]
    skipped: tuple[Skipped, ...]

    def count(self, action: Action) -> int:
        return sum(1 for item in self.items if item.action == action)

    def summary(self) -> str:
        """``12 new, 3 updated, 40 unchanged, 2 skipped``."""
        return (
            f"{self.count('new')} new, {self.count('update')} updated, "
            f"{self.count('unchanged')} unchanged, {len(self.skipped)} skipped"
        )

    def lines(self, unchanged: bool = True, only: Iterable[str] | None = None) -> list[str]:
        """The plan for people: one line per note and per skipped row or card; with
        ``only``, only the notes of those paths (the ones written, say)."""
        shown: list[str] = []
        kept = None if only is None else set(only)
        for item in self.items:
            if (item.action == "unchanged" and not unchanged) or (
                kept is not None and item.path not in kept
            ):
                continue
            label = {"new": "new", "update": "updated", "unchanged": "unchanged"}[item.action]
            details = [f"{key}: {_shown(value)}" for key, value in item.fields]
            if item.move is not None:
                details.append(item.move.describe(self.file.source))
            details += [f"kept {text}" for text in item.kept]
            suffix = f" ({'; '.join(details)})" if details else ""
            shown.append(f"{label:<10} {item.path}{suffix}")
        for skip in self.skipped:
            where = f"{self.file.path}:{skip.line}" if skip.line else self.file.path
            shown.append(f"{'skipped':<10} {where}: {skip.reason}")
        return shown


@dataclass(slots=True)
class ImportResult:
    """What applying a plan did; ``failed`` holds the notes the editor refused."""

    written: list[str] = field(default_factory=list)
    failed: list[Diagnostic] = field(default_factory=list)
    stopped: str | None = None  # why the import stopped before the end of the plan


def _shown(value: FieldValue) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _same_role(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def present(value: object) -> bool:
    return value not in (None, "", [], {})


# --- planning ----------------------------------------------------------------------------


@dataclass(slots=True, eq=False)  # identity: two notes with equal fields are two notes
class _Target:
    """A note being planned: an existing one, or one this import creates."""

    path: str
    name: str
    line: int
    note: Note | None  # None for a new note
    fields: dict[str, FieldValue] = field(default_factory=dict)
    move: Move | None = None
    kept: list[str] = field(default_factory=list)
    linkedin: str | None = None  # its profile key, once known
    companies: set[str] = field(default_factory=set)  # keys of current and past companies


class _Index:
    """Who is who, by profile, email and name; new notes join as they are planned."""

    def __init__(self) -> None:
        self.by_linkedin: dict[str, list[_Target]] = {}
        self.by_email: dict[str, list[_Target]] = {}
        self.by_name: dict[str, list[_Target]] = {}

    def add(
        self, target: _Target, names: Iterable[str], emails: Iterable[str], linkedin: str | None
    ) -> None:
        if linkedin:
            key = linkedin_key(linkedin)
            if key and target not in self.by_linkedin.setdefault(key, []):
                self.by_linkedin[key].append(target)
                target.linkedin = target.linkedin or key
        for email in emails:
            bucket = self.by_email.setdefault(email.strip().casefold(), [])
            if target not in bucket:
                bucket.append(target)
        for name in names:
            bucket = self.by_name.setdefault(fold(name), [])
            if target not in bucket:
                bucket.append(target)


class _NoteMaker:
    """Renders new notes from the person template (one Jinja environment for all)."""

    def __init__(self, config: Config, today: dt.date, tier: Tier) -> None:
        from vaultnet.render.environment import (
            make_environment,  # Jinja only for the commands that need it
        )

        self.config = config
        self.today = today
        self.tier = tier
        self.template = make_environment(config, today).get_template("person.md.j2")

    def text(self, stem: str, name: str, fields: dict[str, FieldValue]) -> str:
        import jinja2

        try:
            text = self.template.render(name=name, tier=self.tier.name, today=self.today)
        except jinja2.TemplateError as exc:
            raise UsageError(f"person template: {exc}") from None
        text = text if text.endswith("\n") else text + "\n"
        if stem != name:
            text = set_field(text, "name", name)
        rendered = parse_note(f"{stem}.md", text.encode("utf-8"))
        if not isinstance(rendered, Note):
            message = rendered.diagnostics[0].message
            raise UsageError(f"the person template does not give a readable note: {message}")
        if rendered.tier is None or self.config.tier_named(rendered.tier) != self.tier:
            text = set_field(text, "tier", self.tier.name)
        for key in FIELD_ORDER:
            if key in fields:
                text = set_field(text, key, fields[key])
        return text


def plan_import(
    config: Config,
    file: ImportFile,
    *,
    today: dt.date,
    tier: str | None = None,
    directory: str | None = None,
    cache: NoteCache | None = None,
) -> ImportPlan:
    """Match every contact of ``file`` to the vault and plan the notes to write.

    Raises UsageError for an unknown tier or a folder outside the vault.
    """
    tier_obj = config.tier_named(tier) if tier else config.weakest
    if tier_obj is None:
        listed = ", ".join(t.name for t in config.tiers)
        raise UsageError(f"unknown tier {tier!r}; tiers are: {listed}")
    folder_path = notes_folder(config, directory)
    people = People(config, cache)
    index = _Index()
    for note in people.notes:
        target = _Target(note.path, note.name or note.stem, 0, note)
        target.companies = {company_key(c) for c in _companies(note)}
        known_as = [note.stem, *([note.name] if note.name else []), *note.aliases]
        index.add(target, known_as, note.email, note.linkedin)
    taken = _taken_stems(folder_path, people.notes)
    prefix = folder_path.relative_to(config.vault).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    skipped = list(file.skipped)
    planned: dict[int, _Target] = {}  # by identity, in the order first met
    for contact in file.contacts:
        found = _match(index, contact, file.by_company, planned)
        if isinstance(found, str):
            skipped.append(Skipped(contact.line, found))
            continue
        if found is None:
            stem = _unique(safe_filename(contact.name, fallback="Person"), taken)
            found = _Target(f"{prefix}{stem}.md", contact.name, contact.line, None)
        planned.setdefault(id(found), found)
        _apply(found, contact, file)
        emails = [e.value for e in contact.emails]
        known_as = [] if contact.name_is_fallback else [contact.name]
        if found.note is None:
            known_as.append(found.path.rsplit("/", 1)[-1][:-3])
        index.add(found, known_as, emails, contact.linkedin)
        if contact.company:
            found.companies.add(company_key(contact.company))
    new = any(t.note is None for t in planned.values())
    maker = _NoteMaker(config, today, tier_obj) if new else None
    items = tuple(_planned(target, maker) for target in planned.values())
    return ImportPlan(file, today, items, tuple(skipped))


def _companies(note: Note) -> list[str]:
    return [c for c in (note.company, *(p.company for p in note.history)) if c]


def _taken_stems(folder: Path, notes: list[Note]) -> set[str]:
    """File names a new note must not take: the folder's files and every person's stem,
    so that a link by file name still means one note."""
    taken = {note.stem.casefold() for note in notes}
    if folder.is_dir():
        for entry in os.scandir(folder):
            name = entry.name.casefold()
            if name.endswith(".md"):
                taken.add(name[:-3])
            elif name.startswith(".") and name.endswith(".md.icloud"):
                taken.add(name[1:-10])  # an iCloud placeholder: the note is not downloaded yet
    return taken


def _unique(stem: str, taken: set[str]) -> str:
    candidate, number = stem, 2
    while candidate.casefold() in taken:
        candidate = f"{stem} {number}"
        number += 1
    taken.add(candidate.casefold())
    return candidate


def _match(
    index: _Index, contact: Contact, by_company: bool, claimed: dict[int, _Target]
) -> _Target | str | None:
    """The note a contact belongs to, None for a new person, or why it is skipped.

    ``claimed`` holds the notes earlier contacts of the same file went to: a file lists
    each person once, so a second contact of the same name there is a namesake, unless
    its profile or email says otherwise.
    """
    contact_key = linkedin_key(contact.linkedin) if contact.linkedin else None
    if contact_key:
        found = index.by_linkedin.get(contact_key, [])
        if len(found) == 1:
            return found[0]
        if found:
            return _ambiguous(found, "LinkedIn profile")
    for email in contact.emails:
        found = index.by_email.get(email.value.casefold(), [])
        if len(found) == 1:
            return found[0]
        if found:
            return _ambiguous(found, f"email {email.value}")
    if contact.name_is_fallback:
        return None
    found = [
        t
        for t in index.by_name.get(fold(contact.name), [])
        # Someone with another LinkedIn profile is a namesake, not this person.
        if not (contact_key and t.linkedin and t.linkedin != contact_key) and id(t) not in claimed
    ]
    if by_company:
        # Without profile URLs a name alone is too weak: the company must agree too.
        wanted = company_key(contact.company) if contact.company else None
        found = [t for t in found if wanted is None or not t.companies or wanted in t.companies]
    if len(found) == 1:
        return found[0]
    if found:
        return _ambiguous(found, "name")
    return None


def _ambiguous(found: list[_Target], what: str) -> str:
    paths = ", ".join(sorted(t.path for t in found))
    return f"its {what} matches several notes ({paths}); make them distinct, then import again"


def _contact_fields(contact: Contact, source: str) -> dict[str, FieldValue]:
    """The note fields a contact gives, in the note's own types."""
    values: dict[str, FieldValue] = {}
    if contact.company:
        values["company"] = contact.company
    if contact.role:
        values["role"] = contact.role
    for key, items in (("email", contact.emails), ("phone", contact.phones)):
        if items:
            texts = [item.value for item in items]
            values[key] = texts[0] if len(texts) == 1 else texts
    if contact.linkedin:
        values["linkedin"] = contact.linkedin
    if contact.birthday is not None:
        values["birthday"] = _birthday_value(contact.birthday)
    if contact.connected is not None:
        # When and how you connected: not a contact, so it starts no cadence.
        values["connected"] = contact.connected
        values["connected_via"] = source
    return values


def _birthday_value(birthday: Birthday) -> FieldValue:
    """A date when the year is known, else ``"MM-DD"``: never a made-up year."""
    if birthday.year is not None:
        return dt.date(birthday.year, birthday.month, birthday.day)
    return f"{birthday.month:02d}-{birthday.day:02d}"


def _apply(target: _Target, contact: Contact, file: ImportFile) -> None:
    """Fold a contact into its target: missing fields filled, a change of position noted."""
    values = _contact_fields(contact, file.source)
    note = target.note
    front_matter: dict[str, Any] = note.front_matter if note is not None else {}
    for key in FIELD_ORDER:
        if key not in values or key in target.fields:
            continue
        keys = ALIASES.get(key, (key,))
        if not any(present(front_matter.get(k)) for k in keys):
            target.fields[key] = values[key]
    if note is None or target.move is not None:
        return
    old_company, old_role = note.company, note.role
    company, role = contact.company, contact.role
    if not old_company or not company:
        return  # a missing company is filled above, never "moved" from or to nothing
    moved = company_key(old_company) != company_key(company)
    new_role = role is not None and old_role is not None and not _same_role(old_role, role)
    if not (moved or new_role):
        return
    if not file.moves:
        what = f"company {old_company}" if moved else f"role {old_role}"
        other = company if moved else role
        target.kept.append(f"{what} (the {file.source} says {other})")
        return
    target.move = Move(old_company, old_role, company, role)


def _planned(target: _Target, maker: _NoteMaker | None) -> Planned:
    fields = tuple((key, target.fields[key]) for key in FIELD_ORDER if key in target.fields)
    if target.note is None:
        assert maker is not None
        stem = target.path.rsplit("/", 1)[-1][:-3]
        text = maker.text(stem, target.name, target.fields)
        return Planned("new", target.path, target.name, target.line, fields, text=text)
    action: Action = "update" if fields or target.move else "unchanged"
    return Planned(
        action, target.path, target.name, target.line, fields, target.move, tuple(target.kept)
    )
