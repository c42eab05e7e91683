"""Names: file names made from them (safe on every operating system, and recognisable),
and the people a name typed on the command line means."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K")

_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in "123456789¹²³"}
    | {f"LPT{i}" for i in "123456789¹²³"}
)
_UNSAFE = re.compile(r'[/\\:*?"<>|#^\[\]]')
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
MAX_BYTES = 120


def safe_filename(name: str, fallback: str = "Unnamed") -> str:
    """A file name (without extension) for ``name``.

    Separators, characters Windows or Obsidian links refuse, control and bidirectional
    characters are removed; a reserved Windows name gets a ``_`` (``CON_``, ``nul_.txt``);
    dots and spaces are trimmed from the ends; the result is NFC and at most 120 UTF-8 bytes.
    """
    text = unicodedata.normalize("NFC", name)
    text = _INVISIBLE.sub("", text)
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    text = _UNSAFE.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    while text.startswith(".."):
        text = text[1:]
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_BYTES:
        text = encoded[:MAX_BYTES].decode("utf-8", "ignore").rstrip(" .")
    base, dot, rest = text.partition(".")
    if base.rstrip(" ").upper() in _RESERVED:
        # Windows reserves the name whatever follows the first dot: "nul.txt" too.
        text = f"{base.rstrip(' ')}_{dot}{rest}"
    return text or fallback


def loose(text: str) -> str:
    """The key a typed name is matched by: case, accents and spacing ignored
    (``"  zoe OKAFOR"`` and ``"Zoë Okafor"`` give ``"zoe okafor"``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def loose_matches(wanted: str, people: Mapping[K, Sequence[str]], exact: bool = False) -> list[K]:
    """The people a typed name means, each given by its names (name, file name, aliases).

    Tried in order, the first that finds anyone wins: the whole of a name (ignoring case
    and accents); then, unless ``exact``, a first name; then the start of a name or of one
    of its words. Several people found are returned all, for the caller to list.
    """
    key = loose(wanted)
    if not key:
        return []
    folded = {
        person: [loose(name) for name in names if name.strip()] for person, names in people.items()
    }
    tests: list[Callable[[str], bool]] = [lambda name: name == key]
    if not exact:
        tests.append(lambda name: name.split(" ", 1)[0] == key)
        tests.append(lambda name: name.startswith(key) or f" {key}" in f" {name}")
    for test in tests:
        found = [person for person, names in folded.items() if any(test(n) for n in names)]
        if found:
            return found
    return []


def suggestions(wanted: str, names: Iterable[str], count: int = 3) -> list[str]:
    """Names close to ``wanted`` for "did you mean", the same whatever its case or accents."""
    import difflib  # only when a name matched nobody: the quick answer never needs it

    pool: dict[str, str] = {}
    for name in sorted(names):
        pool.setdefault(loose(name), name)
    key = loose(wanted)
    close = difflib.get_close_matches(key, list(pool), n=count, cutoff=0.6)
    if not close:
        close = [folded for folded in pool if key and key in folded][:count]
    return [pool[folded] for folded in close]
