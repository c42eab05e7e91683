"""What says two notes are one person: the same name, alias, email, LinkedIn profile or
phone, or a name that differs only by a middle name at the same company.

Imports match people by some of these keys; ``check`` and ``build`` warn when two person
notes share one, which is usually the same person written down twice, and ``dupes`` lists
the pairs with their evidence. All three come from ``find_duplicates``.

Duplicate pairs are named tuples, not dataclasses: a class made at import in a fifth of the
time (docs/performance.md, "Imports that cost what the build uses"). The middle-name check
finds a name's words again for the few notes whose first and last word another note shares,
rather than holding every note's words while the others are looked at: what the check holds
at once is freed memory the rest of the build cannot all reuse (a cold build at 10k peaked
0.3 MB lower, docs/performance.md, "Memory").
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections.abc import Callable, Sequence
from typing import NamedTuple

from vaultnet.diagnostics import Diagnostic
from vaultnet.source.links import fold
from vaultnet.source.notes import Note

URL_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*://", re.IGNORECASE)


def linkedin_key(url: str) -> str | None:
    """The identity of a LinkedIn profile URL: lower case, no scheme, ``www.``, query,
    fragment or trailing slash (``linkedin.com/in/ann-lee``); None for an empty URL."""
    text = urllib.parse.unquote(url.strip())
    text = URL_SCHEME.sub("", text, count=1)
    text = re.split(r"[?#]", text, maxsplit=1)[0].rstrip("/").casefold()
    host, _, path = text.partition("/")
    if host == "linkedin.com" or host.endswith(".linkedin.com"):
        host = "linkedin.com"  # www., m. and country subdomains show the same profile
    key = f"{host}/{path}" if path else host
    return key or None


def is_email(text: str) -> bool:
    """Whether ``text`` (cleaned, without ``mailto:``) is an email address: one ``@`` with
    something on each side, and no space."""
    return (
        " " not in text
        and text.count("@") == 1
        and not text.startswith("@")
        and not (text.endswith("@"))
    )


def not_an_email(value: str) -> str:
    """The words for a value that ``is_email`` refuses, the same for ``add --email`` and
    an imported contact."""
    return f"{value.strip()[:80]!r} is not an email address"


class Evidence(NamedTuple):
    """One key two notes share: ``field`` (a key of ``WHAT``) and the later note's value."""

    field: str
    value: str


class DuplicatePair(NamedTuple):
    """Two person notes that look like one person: ``first`` earlier in path order."""

    first: Note
    second: Note
    evidence: tuple[Evidence, ...]  # in the order of WHAT


WHAT = {
    "name": "name",
    "aliases": "alias",
    "email": "email",
    "linkedin": "LinkedIn profile",
    "phone": "phone",
    "middle_name": "name but for a middle name, at the same company",
}


def find_duplicates(notes: Sequence[Note]) -> list[DuplicatePair]:
    """Pairs of person notes sharing a name, an alias, an email address, a LinkedIn profile
    or a phone number, or whose names differ only by a middle name or initial at the same
    company. Each note is paired with the first earlier note (in path order) it shares a
    key with; the pairs are in the later note's path order.

    Run on every build, so kept lean: a dict per kind of key, a pair made only on a clash.
    """
    names: dict[str, Note] = {}
    aliases: dict[str, Note] = {}
    emails: dict[str, Note] = {}
    profiles: dict[str, Note] = {}
    phones: dict[str, Note] = {}
    # first and last word -> the notes of such names (compared at the end: rarely two);
    # their words found again then, rather than held for every note meanwhile
    by_ends: dict[str, list[Note]] = {}
    found: dict[tuple[str, str], list[Evidence]] = {}
    order: list[tuple[Note, Note]] = []

    def clash(note: Note, seen: Note, field: str, value: str) -> None:
        pair = (seen.path, note.path)
        evidence = found.get(pair)
        if evidence is None:
            evidence = found[pair] = []
            order.append((seen, note))
        if all(e.field != field for e in evidence):
            evidence.append(Evidence(field, value))

    for note in sorted(notes, key=_path):
        shown = note.name or note.stem
        words = name_words(shown)
        key = " ".join(words) or fold(shown)
        seen = names.setdefault(key, note)
        if seen is not note:
            clash(note, seen, "name", shown)
        if len(words) >= 2:
            by_ends.setdefault(f"{words[0]} {words[-1]}", []).append(note)
        for alias in note.aliases:
            key = " ".join(name_words(alias)) or fold(alias)
            if key and (seen := aliases.setdefault(key, note)) is not note:
                clash(note, seen, "aliases", alias)
        for email in note.email:
            key = email.strip().casefold()
            if key and (seen := emails.setdefault(key, note)) is not note:
                clash(note, seen, "email", email.strip())
        if note.linkedin:
            key = _profile_key(note.linkedin) or ""
            if key and (seen := profiles.setdefault(key, note)) is not note:
                clash(note, seen, "linkedin", note.linkedin.strip())
        for phone in note.phone:
            key = phone_key(phone) or ""
            if key and (seen := phones.setdefault(key, note)) is not note:
                clash(note, seen, "phone", phone.strip())
    companies: dict[str, str] = {}  # company as written -> company_key, read once
    for group in by_ends.values():
        if len(group) > 1:
            named = [(note, name_words(note.name or note.stem)) for note in group]
            _middle_names(named, clash, companies)
    fields = list(WHAT)
    pairs = [
        DuplicatePair(
            seen,
            note,
            tuple(sorted(found[(seen.path, note.path)], key=lambda e: fields.index(e.field))),
        )
        for seen, note in order
    ]
    pairs.sort(key=lambda p: (p.second.path, p.first.path))
    return pairs


def duplicate_people(notes: Sequence[Note]) -> list[Diagnostic]:
    """A warning for each person note that looks like an earlier one (``find_duplicates``),
    naming both files and the first key they share."""
    return [
        Diagnostic(
            pair.second.path,
            pair.second.lines.get("name" if e.field == "middle_name" else e.field),
            "warning",
            f"same {WHAT[e.field]} as {pair.first.path} ({e.value!r}): the same person twice? "
            "merge the notes, or tell them apart",
        )
        for pair in find_duplicates(notes)
        for e in pair.evidence[:1]
    ]


def name_words(name: str) -> tuple[str, ...]:
    """The words a name is compared by: case, accents and punctuation ignored, and
    "Last, First" read as "First Last" (``"Okafor, Zoë"`` gives ``("zoe", "okafor")``)."""
    if name.isascii() and "," not in name:  # most names: one C call (a third of the time)
        return tuple(name.translate(_ASCII_WORDS).split())
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    last, comma, given = bare.partition(",")
    if comma and "," not in given and given.strip() and last.strip():
        bare = f"{given} {last}"
    bare = _APOSTROPHES.sub("", bare)  # O'Connell and OConnell are one name
    return tuple(_NOT_WORD.sub(" ", bare).split())


def phone_key(phone: str) -> str | None:
    """A phone number as compared: digits, with a leading ``+`` for an international one
    (``00`` read as ``+``); spaces, dashes, dots and parentheses ignored. A national number
    (no ``+``) matches only the same national number. None for fewer than five digits."""
    text = phone.strip().casefold().removeprefix("tel:").lstrip("( ")
    international = text.startswith("+") or text.startswith("00")
    digits = text.translate(_PHONE_SEPARATORS)
    if not (digits.isascii() and digits.isdigit()):
        digits = _NOT_DIGIT.sub("", text)
    if text.startswith("00"):
        digits = digits[2:]
    if len(digits) < 5:
        return None
    return f"+{digits}" if international else digits


_APOSTROPHES = re.compile("['\u2019\u02bc`]")
_NOT_WORD = re.compile(r"[^\w]+|_")
_NOT_DIGIT = re.compile(r"\D+")
_PHONE_SEPARATORS = str.maketrans("", "", " +-.()/\t")
# ASCII as name_words folds it: lower case, apostrophes dropped, other punctuation a space.
_ASCII_WORDS = {
    code: None if chr(code) in "'`" else chr(code).lower() if chr(code).isalnum() else " "
    for code in range(128)
}


def _same_but_middle(one: tuple[str, ...], two: tuple[str, ...]) -> bool:
    """Whether two names (same first and last word) differ only by middle names or
    initials: the shorter's middle words are in the longer's, an initial standing for a
    word with that first letter."""
    short, long = sorted((one[1:-1], two[1:-1]), key=len)
    rest = list(long)
    for word in short:
        match = next(
            (w for w in rest if w == word or ((len(word) == 1 or len(w) == 1) and w[0] == word[0])),
            None,
        )
        if match is None:
            return False
        rest.remove(match)
    return True


def _middle_names(
    group: list[tuple[Note, tuple[str, ...]]],
    clash: Callable[[Note, Note, str, str], None],
    companies: dict[str, str],
) -> None:
    """Pair the names of one first and last word that differ only by middle names, when
    their notes name the same company; each with each of that company, as this is not
    transitive. ``companies`` keeps each company's key as it is read (many notes name one
    company)."""
    from vaultnet.source.companynames import company_key

    def company_of(note: Note) -> str:
        if not note.company:
            return ""
        if note.company not in companies:
            companies[note.company] = company_key(note.company)
        return companies[note.company]

    # Only notes of one company can clash: compared within each company, not each with
    # each of the group (a common first and last name is many notes in a large vault).
    by_company: dict[str, list[tuple[Note, tuple[str, ...]]]] = {}
    for entry in group:
        company = company_of(entry[0])
        if company:
            by_company.setdefault(company, []).append(entry)
    for members in by_company.values():
        for later, (note, words) in enumerate(members):
            for seen, seen_words in members[:later]:
                if seen_words != words and _same_but_middle(seen_words, words):
                    clash(note, seen, "middle_name", note.name or note.stem)


def _path(note: Note) -> str:
    return note.path


def _profile_key(url: str) -> str | None:
    """``linkedin_key`` of a profile URL, None when it is not one; the common form
    (``https://www.linkedin.com/in/x/``) without the general parse."""
    text = url.strip().casefold()
    if not any(c in text for c in "%?#"):
        for prefix in ("https://", "http://"):
            text = text.removeprefix(prefix)
        text = text.removeprefix("www.").rstrip("/")
        if text.startswith("linkedin.com/"):
            return text if len(text) > len("linkedin.com/") else None
    key = linkedin_key(url)
    if key is None or not key.startswith("linkedin.com/") or len(key) <= len("linkedin.com/"):
        return None
    return key


def duplicates_json(pairs: Sequence[DuplicatePair]) -> dict[str, object]:
    """What ``vaultnet dupes --json`` prints: each pair's notes and the keys they share."""
    return {
        "total": len(pairs),
        "pairs": [
            {
                "first": {"path": p.first.path, "name": p.first.name or p.first.stem},
                "second": {"path": p.second.path, "name": p.second.name or p.second.stem},
                "matched": [{"key": e.field, "value": e.value} for e in p.evidence],
            }
            for p in pairs
        ],
    }


def duplicates_text(pairs: Sequence[DuplicatePair]) -> str:
    """``vaultnet dupes`` for a terminal: both paths of each pair, then what they share."""
    if not pairs:
        return "No two person notes look like one person.\n"
    lines = []
    for pair in pairs:
        lines.append(f"{pair.first.path}  ~  {pair.second.path}")
        lines += [f"    same {WHAT[e.field]}: {e.value}" for e in pair.evidence]
    many = "s" if len(pairs) != 1 else ""
    lines.append(f"{len(pairs)} pair{many}: merge each into one note, or tell them apart")
    return "\n".join(lines) + "\n"
