"""A parsed note: ``Note`` and the values it is made of, and the options parsing takes.

The parse cache pickles these under this module's name; state/safepickle.py allows them by
it, so moving a class means naming its former module there and bumping the cache FORMAT.
The named tuples pickle as ``rebuilt(class, values)`` (see ``rebuilt``).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from vaultnet.dates import Birthday, Duration
from vaultnet.diagnostics import Diagnostic, Level

# As body's tags: "#" not right after a word character, "&", "/" or "#".
_RECIPROCITY_TAG = re.compile(r"#(?<![\w&/#]#)(gave|got|ask|intro)\b", re.IGNORECASE)
LOG_HEADINGS = ("Log", "Interactions", "Meetings")
_Named = TypeVar("_Named", bound=tuple[Any, ...])


def rebuilt(cls: type[_Named], values: tuple[Any, ...]) -> _Named:
    """A named tuple of this module made of its values, as pickles of them say.

    The parse cache's reader (state/safepickle.py) calls ``tuple.__new__`` in its place,
    which makes the same tuple without running Python code: a vault's cache holds a
    hundred thousand of them (pickled as usual, each would call its class's ``__new__``).
    """
    return tuple.__new__(cls, values)


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """What parsing depends on besides the bytes (part of the cache key)."""

    log_headings: tuple[str, ...] = LOG_HEADINGS
    daily_pattern: str | None = None  # a regex over the path without ".md"
    max_front_matter_kb: int = 256
    # Folders the user named as people folders: every note in them is a person.
    people_folders: tuple[str, ...] = ()

    def __reduce__(
        self,
    ) -> tuple[type[ParseOptions], tuple[tuple[str, ...], str | None, int, tuple[str, ...]]]:
        # in every file of the parse cache; see dates.Duration.__reduce__
        return ParseOptions, (
            self.log_headings,
            self.daily_pattern,
            self.max_front_matter_kb,
            self.people_folders,
        )

    def __setstate__(self, state: list[Any]) -> None:
        # Options pickled by an older version lack the fields added since: their defaults.
        names = ("log_headings", "daily_pattern", "max_front_matter_kb", "people_folders")
        defaults = (LOG_HEADINGS, None, 256, ())
        for name, value in zip(names, [*state, *defaults[len(state) :]], strict=True):
            object.__setattr__(self, name, value)


class Position(NamedTuple):
    """A past or present job from ``history``."""

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt, (type(self), tuple(self))  # see rebuilt

    company: str
    role: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class LogEntry(NamedTuple):
    """One contact: a dated line of a note's log section, or a mention in a dated note.

    ``source`` is the vault path of the note it is written in.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt, (type(self), tuple(self))  # see rebuilt

    date: dt.date
    kind: str | None
    text: str
    tags: tuple[str, ...]
    links: tuple[str, ...]
    line: int
    source: str = ""
    mention: bool = False

    @property
    def summary(self) -> str:
        """The entry as context: ``kind: text`` without reciprocity tags."""
        text = _RECIPROCITY_TAG.sub("", self.text).strip()
        if "  " in text:
            text = re.sub(r"\s{2,}", " ", text)
        if self.kind and not self.mention:
            return f"{self.kind}: {text}" if text else self.kind
        return text


class Mention(NamedTuple):
    """A link from a dated note to someone: ``target`` is the link target.

    ``kind`` is ``capture`` for a line of a source note that ``vaultnet import`` wrote
    (its text is what happened: ``meeting: Q4 planning``), else ``mention``.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt, (type(self), tuple(self))  # see rebuilt

    target: str
    text: str
    line: int
    kind: str = "mention"


class Task(NamedTuple):
    """An unchecked task (``- [ ]``): an open loop with the people it links, never a contact.

    ``targets`` are its link targets; ``in_log`` says it sits in a person note's log
    section (a loop with that person, linked or not); ``date`` is the task's own date (the
    first date written in it), if any.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt, (type(self), tuple(self))  # see rebuilt

    targets: tuple[str, ...]
    text: str
    line: int
    date: dt.date | None = None
    in_log: bool = False


class KeyLines(Mapping[str, int]):
    """The line of each key of a note's front matter: a read-only mapping, stored compactly.

    A build holds every person note's, and a dict of ten keys takes about 270 bytes. Here
    the keys are one tuple, which notes with the same keys in the same order share
    (``DateMemo.shared``), and the lines are packed in one ``bytes``, four bytes a line:
    about 100 bytes a note. Only warnings look a line up, so a lookup may be slow; whether
    a key is there, and ``get``, are asked without the ``KeyError`` a lookup of a missing
    key raises (``Mapping``'s own catch it), since the stubs and identities of every
    person note ask for five keys most notes lack some of (at 10k, the stubs 84 → 61 ms
    and the identities 72 → 61 ms, medians of 5 alternated).
    """

    __slots__ = ("_keys", "_numbers")

    def __init__(self, keys: tuple[str, ...] = (), numbers: bytes = b"") -> None:
        # Also what a saved note's pickle calls: one of another shape must not load.
        if not (type(keys) is tuple and type(numbers) is bytes and len(numbers) == 4 * len(keys)):
            raise ValueError("key lines of another shape")
        self._keys = keys
        self._numbers = numbers  # little-endian unsigned 32-bit lines, one for each key

    @classmethod
    def of(cls, lines: dict[str, int], keys: tuple[str, ...] | None = None) -> KeyLines:
        """``lines`` packed; ``keys``, when given, is an equal tuple of their keys to share."""
        packed = struct.pack(f"<{len(lines)}I", *lines.values())
        return cls(tuple(lines) if keys is None else keys, packed)

    def __reduce__(self) -> tuple[Any, ...]:
        return KeyLines, (self._keys, self._numbers)

    def __getitem__(self, key: str) -> int:
        try:
            index = self._keys.index(key)
        except ValueError:
            raise KeyError(key) from None
        line: int = struct.unpack_from("<I", self._numbers, 4 * index)[0]
        return line

    def __contains__(self, key: object) -> bool:
        return key in self._keys  # without the KeyError a lookup raises for a key it lacks

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._keys else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"KeyLines({dict(self)!r})"


NO_LINES = KeyLines()


class Note(NamedTuple):
    """A parsed note. ``person`` says whether it marks itself as a person note.

    A named tuple rather than a dataclass: a vault has thousands, and they are cached,
    pickled and unpickled on every build, which tuples make several times cheaper.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt, (type(self), tuple(self))  # see rebuilt

    path: str
    stem: str
    person: bool
    generated: bool = False
    name: str | None = None
    aliases: tuple[str, ...] = ()
    tier: str | None = None
    target_tier: str | None = None
    company: str | None = None
    role: str | None = None
    history: tuple[Position, ...] = ()
    location: str | None = None
    email: tuple[str, ...] = ()
    phone: tuple[str, ...] = ()
    url: str | None = None
    linkedin: str | None = None
    tags: tuple[str, ...] = ()
    met: dt.date | None = None
    connected: dt.date | None = None  # connected online (an import): not a contact
    introduced_by: tuple[str, ...] = ()
    knows: tuple[str, ...] = ()
    last_contact: dt.date | None = None
    cadence: Duration | None = None
    next_follow_up: dt.date | None = None
    snooze_until: dt.date | None = None
    archived: bool = False
    birthday: Birthday | None = None
    log: tuple[LogEntry, ...] = ()
    date: dt.date | None = None  # set for dated notes (daily and meeting notes)
    mentions: tuple[Mention, ...] = ()
    tasks: tuple[Task, ...] = ()  # unchecked tasks that may be open loops
    title: str = ""
    front_matter: dict[str, Any] = {}  # noqa: RUF012 - never mutated; tuples hold it
    lines: Mapping[str, int] = NO_LINES
    diagnostics: tuple[Diagnostic, ...] = ()


class Unreadable(NamedTuple):
    """A note that could not be parsed at all; ``diagnostics`` says why."""

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt, (type(self), tuple(self))  # see rebuilt

    path: str
    diagnostics: tuple[Diagnostic, ...]


class Problems:
    """The diagnostics found while parsing one note."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[Diagnostic] = []

    def add(self, level: Level, message: str, line: int | None) -> None:
        self.items.append(Diagnostic(self.path, line, level, message))
