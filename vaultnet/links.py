"""Wikilinks, and resolving a link or a name to a person the way Obsidian resolves links."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Obsidian ends a link at the first "]]": "[[Sq]uare]]" targets "Sq]uare".
WIKILINK = re.compile(r"(!?)\[\[([^\n]+?)\]\](?!\])")
# One link only: the inner text may not hold "]]" ("[[A]], [[B]]" is two links, not one).
_WHOLE_LINK = re.compile(r"\s*\[\[((?:(?!\]\])[^\n])+)\]\]\s*")


@dataclass(frozen=True, slots=True)
class Link:
    """A wikilink's parts: ``[[target#heading|label]]``."""

    target: str
    label: str | None = None
    heading: str | None = None
    embed: bool = False

    @property
    def text(self) -> str:
        """What the link shows: its label, else its target's last path part."""
        return self.label or self.target.rsplit("/", 1)[-1]


def parse_link(inner: str, embed: bool = False) -> Link:
    """Parse the text between ``[[`` and ``]]``."""
    target, _, label = inner.partition("|")
    target, _, heading = target.partition("#")
    target = target.strip()
    if target.lower().endswith(".md"):
        target = target[:-3]
    return Link(target, label.strip() or None, heading.strip() or None, embed)


def find_links(text: str) -> Iterator[Link]:
    """Every wikilink in ``text``, embeds included (``Link.embed`` tells)."""
    for match in WIKILINK.finditer(text):
        yield parse_link(match[2], bool(match[1]))


def as_link(value: str) -> Link | None:
    """The link when ``value`` is exactly one wikilink (``"[[Acme]]"``), else None."""
    match = _WHOLE_LINK.fullmatch(value)
    return parse_link(match[1]) if match else None


def plain_text(value: str) -> str:
    """A value with any whole-value wikilink reduced to the text it shows."""
    link = as_link(value)
    return link.text if link else value.strip()


def fold(text: str) -> str:
    """The key links and names are matched by: NFC-normalised and case-folded."""
    return unicodedata.normalize("NFC", text).strip().casefold()


@dataclass(frozen=True, slots=True)
class Match:
    """What a link or name resolved to, and how (``path``, ``name`` or ``alias``)."""

    key: str
    how: str


class Resolver:
    """Resolves link targets and names to keys (a person note's vault path).

    Precedence follows Obsidian: a path match, then the file name (the shortest path wins
    among notes of the same name), then the ``name`` field, then an alias. Obsidian itself
    does not resolve aliases in links; vaultnet does and says so with ``how="alias"``.
    """

    def __init__(self) -> None:
        self._paths: dict[str, str] = {}
        self._stems: dict[str, list[str]] = {}
        self._names: dict[str, list[str]] = {}
        self._aliases: dict[str, list[str]] = {}

    def add(self, key: str, path: str, name: str, aliases: Iterable[str]) -> None:
        """Index a person by vault path (``People/Ann Lee.md``), name and aliases."""
        stem_path = path[:-3] if path.lower().endswith(".md") else path
        self._paths[fold(stem_path)] = key
        self._stems.setdefault(fold(stem_path.rsplit("/", 1)[-1]), []).append(key)
        self._names.setdefault(fold(name), []).append(key)
        for alias in aliases:
            self._aliases.setdefault(fold(alias), []).append(key)

    def finish(self) -> None:
        """Order candidates so ties resolve deterministically: shortest path, then by text."""
        for table in (self._stems, self._names, self._aliases):
            for keys in table.values():
                keys.sort(key=lambda k: (len(k), k))

    def resolve(self, target: str) -> Match | None:
        """The person a link target or name refers to, or None."""
        wanted = fold(target)
        if wanted.endswith(".md"):
            wanted = wanted[:-3]
        if not wanted:
            return None
        if "/" in wanted:
            key = self._paths.get(wanted.lstrip("/"))
            if key is not None:
                return Match(key, "path")
            for path, key in self._paths.items():
                if path.endswith("/" + wanted):
                    return Match(key, "path")
            wanted = wanted.rsplit("/", 1)[-1]
        for table, how in ((self._stems, "file"), (self._names, "name"), (self._aliases, "alias")):
            keys = table.get(wanted)
            if keys:
                return Match(keys[0], how)
        return None

    def all_matches(self, target: str) -> list[str]:
        """Every person whose file name, name or alias is ``target`` (for editing commands)."""
        link = as_link(target)  # "[[Ann Lee]]" and "Ann Lee.md" mean what a link means
        if link is not None:
            target = link.target
        wanted = fold(target)
        if wanted.endswith(".md"):
            wanted = wanted[:-3]
        found: dict[str, None] = {}
        direct = self.resolve(target)
        if direct and direct.how == "path":
            return [direct.key]
        for table in (self._stems, self._names, self._aliases):
            for key in table.get(wanted, ()):
                found[key] = None
        return list(found)

    def names(self) -> list[str]:
        """Every name and alias known, for "did you mean" suggestions."""
        return sorted(set(self._stems) | set(self._names) | set(self._aliases))
