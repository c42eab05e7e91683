"""What the model saves in ``.vaultnet/model/`` for the next build to take as it is.

The people themselves are saved in ``.vaultnet/people/`` (personstore.py). The parts of
the model here are lookups whose results a later build can take unchanged, each saved in
a file of its own under an exact key of what it is computed from, and written only when
it changed:

- ``refs``: the references person notes make (``company``, ``introduced_by``,
  ``knows``), each as resolved against the names (person.py ``Refs``), under the key of
  the names;
- ``dated``: each dated note's mentions of people (people.py ``_mentions``), each with
  its text as a person's digest holds it (network.py ``with_texts``), under the note's
  key (its size and modification time, as the parse cache trusts) and the key of the
  names;
- ``people``: the warnings the duplicate check gave (identity.py), under a digest of
  what it compares in every person note (each note's part is saved with the person,
  personstore.py);
- ``names``: the names links resolve against (person.py ``Names``: the resolver's tables
  and how many notes share each file name), under the key of the names, and the digest
  of the person notes' identities, which hold what the names are made of: a build that
  finds the same digest takes the names without finding their key again;
- ``network``: the last network's orders (orders.py ``saved_orders``): the ladder by
  person path, each tier's slices of it and figures, the digest's lists, under the day,
  the configuration's key and a key of everyone's digests in ladder order.

The last two also hold the key of the configuration they were computed with: how a note
is parsed depends on it, and a note's key does not say so.

Only plain values are saved (text, numbers, booleans, tuples, lists, dicts): loading
refuses anything that names a class, and a file that is missing, damaged, of another
format or version, or of another shape is ignored. Nothing here is the source of truth:
deleting it changes no output, only the time a build takes.

``SavedModel`` is a named tuple, not a dataclass: a class made at import in a fifth of the
time (docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

from vaultnet.containment import STATE_DIR, link_on_the_way
from vaultnet.model.person import Interaction, Names, Ref
from vaultnet.source.links import Resolver
from vaultnet.state.safepickle import Days
from vaultnet.state.statefile import read_state, write_state

FORMAT = 4  # bumped whenever what is saved changes its keys or its shape
MODEL_DIR = "model"  # .vaultnet/model/refs.pickle, dated.pickle, people.pickle, ...
REFS, DATED, PEOPLE, NAMES, NETWORK = "refs", "dated", "people", "names", "network"

# A resolved reference: text, target, is_link, person, via_alias (person.py ``Ref``).
RefFields = tuple[str, str, bool, str | None, bool]
Refs = tuple[str, dict[str, RefFields]]  # the key of the names, the references by text
# A mention: the person's key, its date (ordinal), kind, text and line, and its text as a
# person's digest holds it (``repr`` of the mention, which a load would otherwise make
# again for every mention).
MentionFields = tuple[str, int, str | None, str, int, str]
# The configuration's key, and by path each dated note's key, the key of the names and
# the note's mentions.
Dated = tuple[str, dict[str, tuple[str, str, list[MentionFields]]]]
# The configuration's key, the digest of the person notes' identities in path order
# (people.py) and the warnings about duplicates (path, line, message).
People = tuple[str, str, list[tuple[str, int | None, str]]]
# The key of the names, the resolver's tables (links.py ``ResolverTables``), how many
# person notes have each file name (casefolded), and the digest of the person notes'
# identities (people.py: they hold all the names are made of).
SavedNames = tuple[
    str,
    dict[str, str],
    dict[str, Sequence[str]],
    dict[str, Sequence[str]],
    dict[str, Sequence[str]],
    dict[str, int],
    str,
]
# A tier's members and archived people as slices of the ladder (start, length), its
# overdue count and median days since contact, and those moving up and aiming higher
# (places in the ladder).
SavedTier = tuple[int, int, int, int, int, float | None, list[int], list[int]]
# The day (ordinal), the configuration's key, the key of everyone's digests in ladder
# order, the ladder (person paths), the tiers, and the digest's lists by name (places).
SavedOrders = tuple[int, str, str, list[str], list[SavedTier], dict[str, list[int]]]


class SavedModel(NamedTuple):
    """The parts the last build saved (see the module's docstring); None: none usable."""

    refs: Refs | None = None
    dated: Dated | None = None
    people: People | None = None
    names: SavedNames | None = None
    network: SavedOrders | None = None


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
        _load(folder, NAMES, _names_ok),
        _load(folder, NETWORK, _orders_ok),
    )


def _load(folder: Path, part: str, well_formed: Callable[[Any], bool]) -> Any:
    payload = read_state(folder / f"{part}.pickle", FORMAT)
    if payload is None or "value" not in payload or not well_formed(payload["value"]):
        return None
    return payload["value"]


def save(vault: Path, part: str, value: Refs | Dated | People | SavedNames | SavedOrders) -> None:
    """Save one part for the next build, atomically. Failures only cost speed."""
    if _usable(vault):  # never through a link
        write_state(vault / STATE_DIR / MODEL_DIR / f"{part}.pickle", FORMAT, {"value": value})


# A dated note's mentions as the per-person state keeps them (people.py): the person's
# key, the mention, and its text as a person's digest holds it.
Resolved = list[tuple[str, Interaction, str]]


def refs_saved(refs: dict[str, Ref]) -> dict[str, RefFields]:
    """The references resolved (person.py ``Refs``) as saved (``REFS``)."""
    return {t: (r.text, r.target, r.is_link, r.person, r.via_alias) for t, r in refs.items()}


def refs_restored(fields: dict[str, RefFields]) -> dict[str, Ref]:
    """The references saved, each made in C of the fields ``_refs_ok`` checked, as a
    note's named tuples are on loading (safepickle.py): thousands of them."""
    new = tuple.__new__
    return {text: new(Ref, found) for text, found in fields.items()}


def refs_taken(
    saved: tuple[str, dict[str, Ref]] | None, key: str, paths: Iterable[str]
) -> dict[str, Ref]:
    """The references ``saved`` (as loaded, with the key of the names they were resolved
    against) when resolved against the names of ``key`` and every person they resolved to
    is one of ``paths`` (a file put there by hand might name anyone); else none."""
    if saved is None or saved[0] != key:
        return {}
    people = set(paths)
    if all(ref.person is None or ref.person in people for ref in saved[1].values()):
        return saved[1]
    return {}


def dated_saved(
    dated: dict[str, tuple[str, str, Resolved]],
) -> dict[str, tuple[str, str, list[MentionFields]]]:
    """Each dated note's key, the names' key and its mentions (people.py) as saved."""
    return {
        path: (
            key,
            names,
            [(p, e.date.toordinal(), e.kind, e.text, e.line, t) for p, e, t in found],
        )
        for path, (key, names, found) in dated.items()
    }


def dated_restored(
    dated: dict[str, tuple[str, str, list[MentionFields]]],
) -> dict[str, tuple[str, str, Resolved]]:
    """The dated notes' mentions saved, each made in C of the fields ``_dated_ok``
    checked, with each day's date once: thousands of them."""
    new, day = tuple.__new__, Days().__getitem__
    return {
        path: (
            key,
            names,
            [
                (person, new(Interaction, (day(date), kind, text, (), (), line, path, True)), shown)
                for person, date, kind, text, line, shown in mentions
            ],
        )
        for path, (key, names, mentions) in dated.items()
    }


def names_saved(names: Names, identified: str) -> SavedNames:
    """``names`` as saved (``NAMES``), made of person notes of the ``identified``
    identities."""
    return (names.key, *names.resolver.tables(), names.stems, identified)


def names_restored(saved: SavedNames, key: str, paths: set[str]) -> Names | None:
    """The names ``saved``, if they are those of ``key`` and every key they resolve to
    is one of the person notes' ``paths`` (a file put there by hand might name anyone)."""
    if saved[0] != key:
        return None
    _, found, stems, names, aliases, counts, _ = saved
    if not paths.issuperset(found.values()) or not all(
        paths.issuperset(chain.from_iterable(table.values())) for table in (stems, names, aliases)
    ):
        return None
    return Names(key, Resolver.restored((found, stems, names, aliases)), counts)


# Every value must have the shape ``save`` writes: a file of another shape (made by hand,
# or by some other program) must not reach the model.


def _refs_ok(value: Any) -> bool:
    return _keyed_table(value, 2, _is_ref)


def _dated_ok(value: Any) -> bool:
    return _keyed_table(value, 2, _is_dated)


def _people_ok(value: Any) -> bool:
    return _keyed_list(value, _is_warning)


def _names_ok(value: Any) -> bool:
    if type(value) is not tuple or len(value) != 7 or type(value[0]) is not str:
        return False
    paths, stems, names, aliases, counts, identified = value[1:]
    return (
        type(identified) is str
        and _table_of(paths, str)
        and all(
            _table_of(table, tuple) and _only(chain.from_iterable(table.values()), str)
            for table in (stems, names, aliases)
        )
        and _table_of(counts, int)
    )


def _orders_ok(value: Any) -> bool:
    if type(value) is not tuple or len(value) != 6:
        return False
    day, configured, key, ladder, tiers, lists = value
    return (
        type(day) is int
        and 0 < day <= _LAST_DAY
        and type(configured) is str
        and type(key) is str
        and type(ladder) is list
        and _only(ladder, str)
        and type(tiers) is list
        and all(_is_tier(tier, len(ladder)) for tier in tiers)
        and _table_of(lists, list)
        and all(_are_places(places, len(ladder)) for places in lists.values())
    )


def _is_tier(value: object, people: int) -> bool:
    if type(value) is not tuple or len(value) != 8:
        return False
    start, count, archived_start, archived, overdue, median, moving_up, aiming_higher = value
    return (
        _are_places([start, archived_start], people + 1)
        and _only((count, archived, overdue), int)
        and 0 <= count <= people - start
        and 0 <= archived <= people - archived_start
        and (median is None or type(median) in (int, float))
        and _are_places(moving_up, people)
        and _are_places(aiming_higher, people)
    )


def _are_places(value: object, people: int) -> bool:
    """Whether ``value`` is a list of places in a ladder of ``people``."""
    return (
        type(value) is list
        and _only(value, int)
        and (not value or (min(value) >= 0 and max(value) < people))
    )


def _table_of(value: object, kind: type) -> bool:
    """Whether ``value`` is a dict of ``kind`` by text (checked in C: it may be large)."""
    return type(value) is dict and _only(value, str) and _only(value.values(), kind)


def _only(items: Iterable[object], kind: type) -> bool:
    return not set(map(type, items)) - {kind}


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


def _keyed_list(value: object, entry_ok: Callable[[object], bool]) -> bool:
    """Whether ``value`` is a tuple of two texts and a list of entries, each ``entry_ok``."""
    return (
        type(value) is tuple
        and len(value) == 3
        and type(value[0]) is str
        and type(value[1]) is str
        and type(value[2]) is list
        and all(entry_ok(entry) for entry in value[2])
    )


def _is_warning(value: object) -> bool:
    return (
        type(value) is tuple
        and len(value) == 3
        and type(value[0]) is str
        and (value[1] is None or type(value[1]) is int)
        and type(value[2]) is str
    )


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
    return _keyed_list(value, _is_mention)


def _is_mention(value: object) -> bool:
    return (
        type(value) is tuple
        and len(value) == 6
        and type(value[0]) is str
        and type(value[1]) is int
        and 0 < value[1] <= _LAST_DAY
        and (value[2] is None or type(value[2]) is str)
        and type(value[3]) is str
        and type(value[4]) is int
        and type(value[5]) is str
    )
