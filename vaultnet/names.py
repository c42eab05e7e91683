"""File names made from names: safe on every operating system, and recognisable."""

from __future__ import annotations

import re
import unicodedata

_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
_UNSAFE = re.compile(r'[/\\:*?"<>|#^\[\]]')
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
MAX_BYTES = 120


def safe_filename(name: str, fallback: str = "Unnamed") -> str:
    """A file name (without extension) for ``name``.

    Separators, characters Windows or Obsidian links refuse, control and bidirectional
    characters are removed; reserved Windows names get a trailing ``_``; dots and spaces are
    trimmed from the ends; the result is NFC and at most 120 UTF-8 bytes.
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
    if text.split(".")[0].upper() in _RESERVED:
        text += "_"
    return text or fallback
