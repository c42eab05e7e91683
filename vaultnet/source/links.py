"""Wikilinks, and resolving a link or a name to a person the way Obsidian resolves links.

``Link`` and ``Match`` are named tuples, not dataclasses: a class made at import in a fifth
of the time (docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

# Obsidian ends a link at the first "]]": "[[Sq]uare]]" targets "Sq]uare".
WIKILINK = re.compile(r"(!?)\[\[([^\n]+?)\]\](?!\])")
# The same links, found from their "[[" (a search for a literal is several times quicker
# than one that may start with "!"): a link is an embed when "!" comes right before.
_LINK = re.compile(r"\[\[([^\n]+?)\]\](?!\])")
# One link only: the inner text may not hold "]]" ("[[A]], [[B]]" is two links, not one).
_WHOLE_LINK = re.compile(r"\s*\[\[((?:(?!\]\])[^\n])+)\]\]\s*")
# A Markdown link, as Obsidian writes one with "Use [[Wikilinks]]" off: "[Bob](Bob%20Marsh.md)",
# or with the path in angle brackets when it holds spaces: "[Bob](<People/Bob Marsh.md>)".
MARKDOWN_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*(<[^<>\n]+>|[^\s()<>]+)(?:\s+\"[^\"\n]*\")?\s*\)"
)
_WHOLE_MARKDOWN = re.compile(r"\s*" + MARKDOWN_LINK.pattern + r"\s*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


class Link(NamedTuple):
    """A wikilink's parts: ``[[target#heading|label]]``."""

    target: str
    label: str | None = None
    heading: str | None = None
    embed: bool = False

    @property
    def text(self) -> str:
        """What the link shows: its label, else its target's last path part."""
        return self.label or self.target.rsplit("/", 1)[-1]

    @property
    def path(self) -> str:
        """The target without a Markdown link's leading ``./`` (for display and lookups)."""
        target = self.target
        return target[2:] if target.startswith("./") else target


def parse_link(inner: str, embed: bool = False) -> Link:
    """Parse the text between ``[[`` and ``]]``."""
    target, _, label = inner.partition("|")
    target, _, heading = target.partition("#")
    return Link(_target(target), label.strip() or None, heading.strip() or None, embed)


def _target(target: str) -> str:
    """A wikilink's target, from the text before its ``#`` or ``|``."""
    target = target.strip()
    return target[:-3] if target.lower().endswith(".md") else target


def markdown_link(label: str, url: str, embed: bool = False) -> Link | None:
    """The link to a note that a Markdown link's parts make, or None when it leads
    elsewhere (a web address, ``mailto:``, an image or other file, a heading of the same
    note).

    The path is URL-decoded, ``.md`` is optional and a ``#heading`` is dropped. A path that
    does not start with ``/`` or ``../`` gets ``./`` in front: Obsidian reads it relative to
    the linking note's folder first, then from the vault's root (``Resolver.resolve``).
    """
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1]
    url = url.strip()
    if not url or url.startswith("#") or _SCHEME.match(url):
        return None
    path, _, heading = url.partition("#")
    path = urllib.parse.unquote(path).strip()
    last = path.rsplit("/", 1)[-1]
    if last.lower().endswith(".md"):
        path = path[:-3]
    elif "." in last.lstrip(".") or not last:
        return None  # a picture, a PDF, a folder: not a note
    if not path.startswith(("/", "./", "../")):
        path = "./" + path
    text = label.strip()
    return Link(path, text or None, urllib.parse.unquote(heading).strip() or None, embed)


def find_links(text: str) -> Iterator[Link]:
    """Every link to a note in ``text``, wikilinks then Markdown links, embeds included
    (``Link.embed`` tells)."""
    for match in _LINK.finditer(text):
        start = match.start()
        yield parse_link(match[1], start > 0 and text[start - 1] == "!")
    if "](" in text:
        for match in MARKDOWN_LINK.finditer(text):
            link = markdown_link(match[2], match[3], bool(match[1]))
            if link is not None:
                yield link


def link_targets(text: str) -> tuple[str, ...]:
    """The targets of the links to notes in ``text`` that are not embeds, as ``find_links``
    finds them, without making a ``Link`` of each wikilink: a log line or a daily note's
    line needs only its targets."""
    targets = [
        _target(match[1].partition("|")[0].partition("#")[0])
        for match in _LINK.finditer(text)
        if not (match.start() > 0 and text[match.start() - 1] == "!")
    ]
    if "](" in text:
        for match in MARKDOWN_LINK.finditer(text):
            if not match[1]:
                link = markdown_link(match[2], match[3])
                if link is not None:
                    targets.append(link.target)
    return tuple(targets)


def note_link(
    path: str,
    label: str | None,
    markdown: bool,
    form: str = "shortest",
    shortest: str | None = None,
    folder: str | None = None,
) -> str:
    """A link to the note at vault path ``path`` (``People/Ann Lee.md``), as Obsidian would
    write it: a wikilink to ``shortest`` (the file name, or the path when that is not
    unique), or with ``markdown`` (its "Use [[Wikilinks]]" off) a Markdown link whose path
    follows ``form`` (its newLinkFormat): ``shortest``, ``absolute`` (from the vault's
    root) or ``relative`` (from ``folder``, the linking note's; from the root when that is
    not known).
    """
    stem_path = path[:-3] if path.lower().endswith(".md") else path
    if not markdown:
        target = shortest or stem_path
        shown = label if label and label != target else None
        return f"[[{target}|{shown}]]" if shown else f"[[{target}]]"
    if form == "shortest" and shortest is not None:
        written = shortest + ".md"
    elif form == "relative" and folder is not None:
        written = posixpath.relpath(stem_path + ".md", folder or ".")
    else:
        written = stem_path + ".md"
    text = (label or stem_path.rsplit("/", 1)[-1]).replace("[", "\\[").replace("]", "\\]")
    return f"[{text}]({urllib.parse.quote(written, safe='/')})"


def shown_text(text: str) -> str:
    """``text`` with each link to a note (wikilink or Markdown) reduced to what it shows:
    for generated pages, where a Markdown link's relative path would lead nowhere."""
    if "[[" in text:
        text = WIKILINK.sub(lambda m: parse_link(m[2]).text, text)
    if "](" in text:
        text = MARKDOWN_LINK.sub(_markdown_shown, text)
    return text


def _markdown_shown(match: re.Match[str]) -> str:
    link = markdown_link(match[2], match[3], bool(match[1]))
    return match[0] if link is None else link.text


def wikilinked(text: str, folder: str) -> str:
    """``text`` with each Markdown link to a note written as a wikilink to its vault path
    (``folder`` is the linking note's): it then leads to the note from any page."""
    if "](" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        link = markdown_link(match[2], match[3], bool(match[1]))
        if link is None:
            return match[0]
        path = link_path(link.target, folder)
        label = (link.label or path.rsplit("/", 1)[-1]).replace("|", "/")
        return f"{'!' if link.embed else ''}[[{path}|{label}]]"

    return MARKDOWN_LINK.sub(replace, text)


def as_link(value: str) -> Link | None:
    """The link when ``value`` is exactly one wikilink (``"[[Acme]]"``) or Markdown link to a
    note (``"[Acme](Companies/Acme.md)"``), else None."""
    match = _WHOLE_LINK.fullmatch(value)
    if match:
        return parse_link(match[1])
    if "](" in value:
        found = _WHOLE_MARKDOWN.fullmatch(value)
        if found and not found[1]:
            return markdown_link(found[2], found[3])
    return None


def link_path(target: str, folder: str = "") -> str:
    """A link target as a vault path (without ``.md``): a Markdown link's ``./`` and
    ``../`` are taken from ``folder``; a wikilink's target is returned as it is."""
    if target.startswith(("./", "../")):
        joined = posixpath.normpath(posixpath.join(folder, target))
        return joined.lstrip("/") if not joined.startswith("..") else target.lstrip("./")
    return target.lstrip("/")


def plain_text(value: str) -> str:
    """A value with any whole-value wikilink reduced to the text it shows."""
    link = as_link(value)
    return link.text if link else value.strip()


def fold(text: str) -> str:
    """The key links and names are matched by: NFC-normalised and case-folded."""
    return unicodedata.normalize("NFC", text).strip().casefold()


# A finished resolver's tables: folded path -> key, then file name, name and alias ->
# the keys of that text in the order they resolve (``Resolver.tables``).
ResolverTables = tuple[
    dict[str, str],
    dict[str, Sequence[str]],
    dict[str, Sequence[str]],
    dict[str, Sequence[str]],
]


class Match(NamedTuple):
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
        # Lists while people are added; ``finish`` makes them tuples, which a resolver kept
        # from one build to the next holds in less memory (most hold a single key).
        self._stems: dict[str, Sequence[str]] = {}
        self._names: dict[str, Sequence[str]] = {}
        self._aliases: dict[str, Sequence[str]] = {}

    def add(self, key: str, path: str, name: str, aliases: Iterable[str]) -> None:
        """Index a person by vault path (``People/Ann Lee.md``), name and aliases."""
        stem_path = path[:-3] if path.lower().endswith(".md") else path
        self._paths[fold(stem_path)] = key
        stem = fold(stem_path.rsplit("/", 1)[-1])
        _add(self._stems, stem, key)
        folded = fold(name)
        _add(self._names, stem if folded == stem else folded, key)  # one string when the same
        for alias in aliases:
            _add(self._aliases, fold(alias), key)

    def finish(self) -> None:
        """Order candidates so ties resolve deterministically: shortest path, then by text."""
        for table in (self._stems, self._names, self._aliases):
            for text, keys in table.items():
                table[text] = tuple(sorted(keys, key=lambda k: (len(k), k)))

    def tables(self) -> ResolverTables:
        """What the resolver holds, as plain values (after ``finish``): saved with the
        names it was made of, for a later build to take as it is (``restored``)."""
        return (self._paths, self._stems, self._names, self._aliases)

    @classmethod
    def restored(cls, tables: ResolverTables) -> Resolver:
        """A finished resolver holding ``tables`` (``Resolver.tables``)."""
        resolver = cls()
        resolver._paths, resolver._stems, resolver._names, resolver._aliases = tables
        return resolver

    def resolve(self, target: str, folder: str = "") -> Match | None:
        """The person a link target or name refers to, or None.

        A Markdown link's target (``./People/Bob``, ``../Bob``) is looked for relative to
        ``folder`` (the linking note's) first, then from the vault's root, as Obsidian does.
        """
        wanted = fold(target)
        if wanted.endswith(".md"):
            wanted = wanted[:-3]
        if wanted.startswith(("./", "../")):
            if folder:
                key = self._paths.get(fold(link_path(wanted, folder)))
                if key is not None:
                    return Match(key, "path")
            wanted = link_path(wanted)
            while wanted.startswith(("./", "../")):
                wanted = wanted.split("/", 1)[1] if "/" in wanted else ""
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
            target = link.path
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


def _add(table: dict[str, Sequence[str]], text: str, key: str) -> None:
    """Add ``key`` to the candidates for ``text`` (a list until ``Resolver.finish``)."""
    keys = table.get(text)
    if keys is None:
        table[text] = [key]
    elif isinstance(keys, list):
        keys.append(key)
    else:
        table[text] = [*keys, key]  # added to after finish: sorted again by the next one
