"""Company names as vaultnet compares them: ``company_key`` gives two spellings of one
company the same key. The rule is documented for users in docs/insights.md; keep both in
step. Apart from the companies insight, so that the duplicate check and imports can compare
names without it."""

from __future__ import annotations

import re
import unicodedata

from vaultnet.source.links import as_link

# Legal-form words dropped from the end of a name: "Acme Corp, Inc." is "Acme Corp".
# Words that are often part of the brand itself (Corp, Company, Group, Labs) are kept.
LEGAL_FORMS = frozenset(
    {
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "ab",
        "as",
        "asa",
        "aps",
        "oy",
        "pty",
        "pte",
        "lda",
        "kk",
    }
)
_JOINERS = re.compile(r"[.'’]")  # "S.A." is "SA", "O'Neil" is "ONeil": not word breaks
_WORD = re.compile(r"[^\W_]+")
# For ASCII text, what _JOINERS and _WORD do: joiners dropped, other non-word characters
# (and "_") made spaces.
_ASCII_WORDS = str.maketrans(
    {chr(c): None if chr(c) in ".'" else " " for c in range(128) if not chr(c).isalnum()}
)


def company_words(value: str) -> list[str]:
    """The words of a company name as ``company_key`` compares them (legal form kept)."""
    link = as_link(value) if "[" in value else None  # every link starts with '['
    text = link.target.rsplit("/", 1)[-1] if link else value
    # Case-fold first: some capitals fold to several letters (ᾈ → ἀι) that NFKD would not.
    text = text.casefold().replace("&", " and ")
    if text.isascii():  # nothing to decompose: the same words, by one table
        return text.translate(_ASCII_WORDS).split()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _WORD.findall(_JOINERS.sub("", text))


def company_key(value: str) -> str:
    """The key two spellings of one company share.

    A whole-value wikilink stands for its note's name (``[[Notes/Acme Corp|ACME]]`` is
    ``Acme Corp``); accents, case, punctuation and spacing are ignored; ``&`` reads as
    "and"; a trailing legal form (Inc, Ltd, LLC, GmbH, ...) is dropped. So ``[[Acme Corp]]``,
    ``Acme Corp.``, ``acme corp``, ``ACME-Corp`` and ``Acme Corp, Inc.`` share the key
    ``acmecorp``. A name with no letters or digits keys on its case-folded text.
    """
    words = company_words(value)
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return "".join(words) or unicodedata.normalize("NFC", company_shown(value)).casefold()


def company_shown(value: str) -> str:
    """A company name as written, without a link wrapper: the note's name for a link."""
    link = as_link(value)
    return link.target.rsplit("/", 1)[-1] if link else value.strip()
