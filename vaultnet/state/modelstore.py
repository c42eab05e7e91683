"""What the model saves in ``.vaultnet/model/`` for the next build to take as it is.

A one-shot build makes every person again (people.py: loading people measured slower
than making them). Three parts of the model, though, are lookups whose results a later
build can take unchanged, each saved in a file of its own under an exact key of what it
is computed from, and written only when it changed:

- ``refs``: the references person notes make (``company``, ``introduced_by``,
  ``knows``), each as resolved against the names (person.py ``Refs``), under the key of
  the names;
- ``dated``: each dated note's mentions of people (people.py ``_mentions``), under the
  note's key (its size and modification time, as the parse cache trusts) and the key of
  the names;
- ``people``: each person note's key with a digest of what the duplicate check compares
  in it (identity.py), and the warnings those notes gave.

The last two also hold the key of the configuration they were computed with: how a note
is parsed depends on it, and a note's key does not say so.

Only plain values are saved (text, numbers, booleans, tuples, lists, dicts): loading
refuses anything that names a class, and a file that is missing, damaged, of another
format or version, or of another shape is ignored. Nothing here is the source of truth:
deleting it changes no output, only the time a build takes.
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaultnet.atomic import atomic_file
from vaultnet.containment import STATE_DIR, link_on_the_way
from vaultnet.state.safepickle import PlainUnpickler
from vaultnet.version import VERSION

FORMAT = 2  # bumped whenever what is saved changes its keys or its shape
MODEL_DIR = "model"  # .vaultnet/model/refs.pickle, dated.pickle, people.pickle
REFS, DATED, PEOPLE = "refs", "dated", "people"

# A resolved reference: text, target, is_link, person, via_alias (person.py ``Ref``).
RefFields = tuple[str, str, bool, str | None, bool]
Refs = tuple[str, dict[str, RefFields]]  # the key of the names, the references by text
# A mention: the person's key, its date (ordinal), kind, text and line.
MentionFields = tuple[str, int, str | None, str, int]
# The configuration's key, and by path each dated note's key, the key of the names and
# the note's mentions.
Dated = tuple[str, dict[str, tuple[str, str, list[MentionFields]]]]
# The configuration's key, person notes in path order (path -> note key, identity digest)
# and the warnings about duplicates (path, line, message).
People = tuple[str, dict[str, tuple[str, str]], list[tuple[str, int | None, str]]]


@dataclass(slots=True)
class SavedModel:
    """The parts the last build saved (see the module's docstring); None: none usable."""

    refs: Refs | None = None
    dated: Dated | None = None
    people: People | None = None


def _usable(vault: Path) -> bool:
    """Whether the folder lies inside the vault, not reached through a link."""
    return link_on_the_way(vault, f"{STATE_DIR}/{MODEL_DIR}") is None


def load(vault: Path) -> SavedModel:
    """What the last builds of ``vault`` saved; a part that is not usable is None."""
    if not _usable(vault):
        return SavedModel()
    folder = vault / STATE_DIR / MODEL_DIR
    return SavedModel(
        _load(folder, REFS, _refs_ok),
        _load(folder, DATED, _dated_ok),
        _load(folder, PEOPLE, _people_ok),
    )


def _load(folder: Path, part: str, well_formed: Callable[[Any], bool]) -> Any:
    try:
        with open(folder / f"{part}.pickle", "rb") as handle:
            payload: Any = PlainUnpickler(handle).load()
    except Exception:  # missing or damaged: nothing saved
        return None
    if (
        type(payload) is not tuple
        or len(payload) != 3
        or payload[0] != FORMAT
        or payload[1] != VERSION
        or not well_formed(payload[2])
    ):
        return None
    return payload[2]


def save(vault: Path, part: str, value: Refs | Dated | People) -> None:
    """Save one part for the next build, atomically. Failures only cost speed."""
    if not _usable(vault):
        return  # never through a link
    folder = vault / STATE_DIR / MODEL_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_file(folder / f"{part}.pickle", 0o600, durable=False) as handle:
            pickle.dump((FORMAT, VERSION, value), handle, protocol=pickle.HIGHEST_PROTOCOL)
    except (OSError, pickle.PicklingError, ValueError):
        return


# Every value must have the shape ``save`` writes: a file of another shape (made by hand,
# or by some other program) must not reach the model.


def _refs_ok(value: Any) -> bool:
    return _keyed_table(value, 2, _is_ref)


def _dated_ok(value: Any) -> bool:
    return _keyed_table(value, 2, _is_dated)


def _people_ok(value: Any) -> bool:
    return (
        _keyed_table(value, 3, _is_text_pair)
        and type(value[2]) is list
        and all(_is_warning(entry) for entry in value[2])
    )


def _keyed_table(value: Any, size: int, entry_ok: Callable[[object], bool]) -> bool:
    """Whether ``value`` is a tuple of ``size`` items: a key (text), then a table of
    entries by text, each ``entry_ok`` (and the rest, checked by the caller)."""
    return (
        type(value) is tuple
        and len(value) == size
        and type(value[0]) is str
        and type(value[1]) is dict
        and all(type(text) is str and entry_ok(entry) for text, entry in value[1].items())
    )


def _is_warning(value: object) -> bool:
    return (
        type(value) is tuple
        and len(value) == 3
        and type(value[0]) is str
        and (value[1] is None or type(value[1]) is int)
        and type(value[2]) is str
    )


def _is_text_pair(value: object) -> bool:
    return type(value) is tuple and len(value) == 2 and all(type(item) is str for item in value)


def _is_ref(value: object) -> bool:
    return (
        type(value) is tuple
        and len(value) == 5
        and type(value[0]) is str
        and type(value[1]) is str
        and type(value[2]) is bool
        and (value[3] is None or type(value[3]) is str)
        and type(value[4]) is bool
    )


_LAST_DAY = dt.date.max.toordinal()


def _is_dated(value: object) -> bool:
    return (
        type(value) is tuple
        and len(value) == 3
        and type(value[0]) is str
        and type(value[1]) is str
        and type(value[2]) is list
        and all(_is_mention(mention) for mention in value[2])
    )


def _is_mention(value: object) -> bool:
    return (
        type(value) is tuple
        and len(value) == 5
        and type(value[0]) is str
        and type(value[1]) is int
        and 0 < value[1] <= _LAST_DAY
        and (value[2] is None or type(value[2]) is str)
        and type(value[3]) is str
        and type(value[4]) is int
    )
