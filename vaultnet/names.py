"""File names made from names: safe on every operating system, and recognisable."""

from __future__ import annotations

import re
import unicodedata

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
