"""The companies insight's values: a company as pages refer to it, a person's time there,
a change of position, a company with its people, and the index of them all. Pure.

Company names are compared by ``company_key`` (source/companynames.py); companies.py builds
these values, moves.py the moves, routes.py answers ``vaultnet path``.

``Stint`` and ``CompanyRef`` are named tuples, not dataclasses: a build after a few edits
makes every stint of the saved companies again (insightstore.py), 11,600 at 10k people,
with 3,900 refs (where alumni are now, saved with each company), and a named tuple is
made in about half the time (4–6 ms against 10–14 ms for the stints). ``Move`` is one
too: a class made at import in a fifth of the time (docs/performance.md, "Imports that
cost what the build uses").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from vaultnet.model.network import Person, Ref
from vaultnet.source.companynames import company_key
from vaultnet.source.links import WIKILINK, parse_link

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def _label(text: str) -> str:
    """Text safe inside a wikilink label or a line: no link syntax, no bidi overrides."""
    text = text.replace("[[", "[").replace("]]", "]").replace("|", "/")
    if text.isascii() and text.isprintable():
        return text  # the common case, checked in C
    text = _BIDI.sub("", text)
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


class CompanyRef(NamedTuple):
    """A company as pages refer to it: its name and where a link to it should go. A named
    tuple (see the module's docstring).

    One company, one link target: the user's own note about it when there is one (its
    page, if any, is then named ``<name> (people).md`` so that no two notes share a
    name), else its generated page, else nothing.
    """

    key: str
    name: str
    page: str | None  # its page under the output folder ("Companies/Acme.md"), if it has one
    link: str | None  # link target: the user's own note, else its generated page, else None
    page_link: str | None = None  # link target of its generated page
    own_note: bool = False  # ``link`` is the user's note

    @property
    def wikilink(self) -> str:
        """``[[Acme]]``, ``[[Network/Companies/Acme (2)|Acme]]``, or the bare name when there
        is nothing to link."""
        name = _label(self.name)
        if self.link is None:
            return name
        target = _label(self.link)
        return f"[[{target}]]" if target == name else f"[[{target}|{name}]]"

    @property
    def page_wikilink(self) -> str:
        """A link to its generated page, labelled "who is there" (empty without a page)."""
        if self.page_link is None:
            return ""
        return f"[[{_label(self.page_link)}|who is there]]"


class Stint(NamedTuple):
    """A person's time at a company: now (``end`` None) or in the past. A named tuple
    (see the module's docstring)."""

    person: Person
    role: str | None
    start: dt.date | None
    end: dt.date | None
    now_at: CompanyRef | None = None  # for alumni: where they are now


class Move(NamedTuple):
    """A recent change of position: from ``history`` dates or a log entry of kind ``moved``."""

    person: Person
    date: dt.date
    kind: str  # "changed_company", "joined", "left", "changed_role" or "logged"
    left: CompanyRef | None = None
    joined: CompanyRef | None = None
    role: str | None = None  # the new role
    old_role: str | None = None
    note: str = ""  # the log entry's text, for "logged"
    companies: tuple[str, ...] = ()  # keys of the companies it concerns
    source: str = ""
    line: int | None = None

    def describe(self, markdown: bool = False) -> str:
        """The move as a phrase: ``left Acme Robotics for Initech as Engineering Manager``."""

        def name(ref: CompanyRef | None) -> str:
            if ref is None:
                return ""
            return ref.wikilink if markdown else ref.name

        role = f" as {self.role}" if self.role else ""
        if self.kind == "changed_company":
            return f"left {name(self.left)} for {name(self.joined)}{role}"
        if self.kind == "joined":
            return f"joined {name(self.joined)}{role}"
        if self.kind == "left":
            return f"left {name(self.left)}"
        if self.kind == "changed_role":
            at = name(self.joined)
            if self.role and self.old_role:
                return f"moved from {self.old_role} to {self.role} at {at}"
            if self.role:
                return f"became {self.role} at {at}"
            return f"changed role at {at}"
        text = self.note if markdown else WIKILINK.sub(lambda m: parse_link(m[2]).text, self.note)
        return f"moved: {text}" if text else "moved"

    @property
    def summary(self) -> str:
        """The move as plain text."""
        return self.describe()

    @property
    def summary_md(self) -> str:
        """The move as Markdown, companies linked."""
        return self.describe(markdown=True)


@dataclass(frozen=True, slots=True)
class Company:
    """A company with its people now, its alumni and its recent moves."""

    ref: CompanyRef
    current: tuple[Stint, ...]  # strongest tier first
    alumni: tuple[Stint, ...]  # strongest tier first, then who left last
    moves: tuple[Move, ...]  # newest first
    spellings: tuple[str, ...]  # every way the notes write it, most common first
    note: str | None = None  # the user's own note about it, when people link to one
    _hash: int | None = field(default=None, init=False, repr=False, compare=False)
    # The key of everything above, set where the company is made (companies.py,
    # made_key): its page is keyed by it, without walking its stints (valuekey.py).
    # Not copied by ``dataclasses.replace``: a company changed after is walked.
    _key: str | None = field(default=None, init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        # Computed once: a company holds every stint and move, and a page's cached row is
        # looked up by its company at every render.
        value = self._hash
        if value is None:
            value = hash((self.ref, self.current, self.alumni, self.moves, self.spellings))
            object.__setattr__(self, "_hash", value)
        return value

    @property
    def key(self) -> str:
        return self.ref.key

    @property
    def name(self) -> str:
        return self.ref.name

    @property
    def strongest(self) -> Stint | None:
        """The active person there now on the strongest tier (None when there is nobody)."""
        return next((s for s in self.current if s.person.active), None)

    @property
    def people(self) -> int:
        """How many people are or were there."""
        return len(self.current) + len(self.alumni)


@dataclass(frozen=True, slots=True)
class CompanyIndex:
    """Every company people are or were at; ``with_pages`` are those with a page."""

    with_pages: tuple[Company, ...]  # strongest tier there first, then most people
    # Compared too: a template may read them, and a page is reused only when all it reads
    # is equal (pagememo.py).
    by_key: dict[str, Company] = field(hash=False)
    moves: tuple[Move, ...] = ()  # every recent move, newest first
    by_person: dict[str, CompanyRef] = field(default_factory=dict, hash=False)

    def get(self, name: str) -> Company | None:
        """The company a name or link stands for, by ``company_key``."""
        return self.by_key.get(company_key(name))

    def now_at(self, person: Person) -> CompanyRef | None:
        """The company a person is at now."""
        return self.by_person.get(person.key)


class MadeKeys:
    """The keys of the companies ``build_companies`` makes (``Company._key``), from what
    each is made of rather than by walking it.

    A stint there is made from its person alone (``positions_of``: their role, history
    and the day, which their digest holds), so it stands by the person's digest, with the
    fields of the ref of where an alumnus is now; a move is few and keyed by all its
    fields, its person by digest and the companies it names by their refs' fields; the
    company's own ref, spellings and note by their values. Everything is written as the
    ``repr`` of plain values: exact, and stable across processes. A field added to these
    classes must be added here too (tests/state/test_made_keys.py).
    """

    def __init__(self) -> None:
        self._refs: dict[str, str] = {}  # by company key: one ref per key in a build

    def ref(self, ref: CompanyRef | None) -> str:
        """The text of a ref's fields, made once per company."""
        if ref is None:
            return "-"
        text = self._refs.get(ref.key)
        if text is None:
            fields = (ref.key, ref.name, ref.page, ref.link, ref.page_link, ref.own_note)
            text = self._refs[ref.key] = repr(fields)
        return text

    def keyed(self, company: Company) -> Company:
        """``company``, made by ``build_companies``, with its key set."""
        ref = self.ref
        moves = [
            (m.person.digest, m.date, m.kind, ref(m.left), ref(m.joined), m.role, m.old_role)
            for m in company.moves
        ]
        logged = [(m.note, m.companies, m.source, m.line) for m in company.moves]
        parts = [
            ref(company.ref),
            repr((company.spellings, company.note, moves, logged)),
            # A digest is 32 hexadecimal digits: no separator is needed between them.
            "".join([stint.person.digest for stint in company.current]),
            *[stint.person.digest + ref(stint.now_at) for stint in company.alumni],
        ]
        text = "\0".join(parts).encode("utf-8", "surrogatepass")
        object.__setattr__(company, "_key", hashlib.blake2b(text, digest_size=16).hexdigest())
        return company


def ref_key(ref: Ref) -> str:
    """The company key of a front matter reference (a link keys on its note's name)."""
    return company_key(f"[[{ref.target}]]" if ref.is_link else ref.text)


# The value types templates see; render.py lets them skip the sandbox's per-access checks.
TEMPLATE_TYPES: frozenset[type] = frozenset({CompanyRef, Stint, Move, Company, CompanyIndex})
