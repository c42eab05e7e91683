"""The last build's insights, saved in ``.vaultnet/insights.pickle`` for the next one-shot
build to bring up to date, as a watcher brings up to date those it keeps in memory.

A one-shot build after a few edits makes the last network again from the people as saved
(orders.py ``from_saved``) and patches it with the people it made again, so that
``network.patch.base()`` is a network whose people are exactly the last build's. The
insights of that network are the last build's: saved with the log scan they were made
with, they are taken for it, and ``InsightState`` brings them up to date from there
(insights.py ``_updated``) instead of computing them all again.

They are saved under a key that proves they are that network's: the day, the
configuration's key and a key of everyone's digests in ladder order (the key the orders are
saved under), with the file names of every note, which the companies' pages are named
around. Anything else, and nothing is taken.

Every value that holds a person holds the very person of the network: a person is saved as
their key, and made on loading into the person of that key in the network loaded for; so
is a tier group (by its place in the network's tiers), a tier (by name, from the
configuration) and a log entry of a person's ``notable`` ones (by the person's key and its
place there; the scan's lists by those places, most often all of them). Everything else is
saved as it is, each insight value as its class and the fields it is made with, in C where
that can be, and with the key it was made with when it carries one (a company, a balance,
a thank-you owed: ``_key``). Saved with them: the people with a brief and the index of who
links them (insights/briefupdate.py), for the one-shot build to bring up to date too.
Loading allows only those classes, log entries and dates: a vault may come from someone
else. A file that is missing, damaged, of another format, version, key or shape, or
reached through a link, is ignored. Nothing here is the source of truth: deleting the
file changes no output, only the time a build takes.

Saved in the build's own process with the rest of the state, written only when the key
changed: at 10,000 people, 1.3 MB loaded in about 40 ms, against about 170 ms to compute
the insights again. The 400 companies are 1.1 MB of it: each is saved as its own pickle,
and one the next build holds unchanged is written as the bytes it was saved as, so that
the save after 10 edits pickles a few companies and the rest (about 30 ms against 52 ms
for the whole file; loading the companies one by one costs about 8 ms more). A forked
helper saving it while the pages are made cost the build more than that (the pages it
copies when the build writes to them).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import operator
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from vaultnet.config import Config, Tier
from vaultnet.containment import STATE_DIR, link_on_the_way
from vaultnet.insights.brief import Linked
from vaultnet.insights.companytypes import Company, CompanyIndex, CompanyRef, Move, Stint
from vaultnet.insights.insights import TEMPLATE_TYPES, DigestExtras, Insights
from vaultnet.insights.introductions import Chain, Connector, Graph, Introductions, IntroMade
from vaultnet.insights.ladder import Ladder, NextStep, TierChange, TierHealth, YearOfChanges
from vaultnet.insights.logscan import LogScan
from vaultnet.insights.reciprocity import Balance, Owed, Reciprocity
from vaultnet.model.network import Interaction, Network, Person, TierGroup
from vaultnet.state.orders import orders_key
from vaultnet.state.statefile import read_state, write_state

FORMAT = 3  # bumped whenever an insight value, or how one is saved, changes
FILE = "insights.pickle"

# The insight values, each saved as its class and the fields it is made with.
_VALUES: frozenset[type] = TEMPLATE_TYPES | {LogScan}
# A log entry that is none of the people's ``notable`` ones is a named tuple, saved as its
# type and values (source/parsed.py ``rebuilt``) and made again by ``tuple.__new__``, in C.
_ENTRY = (Interaction.__module__, "rebuilt")

# The saved file's key: the orders' (the day, the configuration's key, everyone's digests).
Key = tuple[int, str, str]


# Names a saved file gives to what loading makes into the network's own values. Called
# only if a file names them where they are not allowed: loading refuses them.
def person(key: str) -> Person:
    """A person by key: loading takes the network's person of that key instead."""
    raise pickle.UnpicklingError(f"person {key!r}: people are taken from the network")


def group(place: int) -> TierGroup:
    """A tier group by its place: loading takes the network's group there instead."""
    raise pickle.UnpicklingError(f"tier group {place}: groups are taken from the network")


def tier(name: str) -> Tier:
    """A tier by name: loading takes the configuration's tier of that name instead."""
    raise pickle.UnpicklingError(f"tier {name!r}: tiers are taken from the configuration")


def entry(key: str, place: int) -> Interaction:
    """A log entry by the key of the person whose ``notable`` entries hold it, and its
    place there: loading takes that entry of the network's person instead."""
    raise pickle.UnpicklingError(f"log entry {key!r} {place}: taken from the network")


def saved_company(key: str) -> Company:
    """A company by key: loading takes the company of that key saved beside the insights."""
    raise pickle.UnpicklingError(f"company {key!r}: companies are saved on their own")


def saved_move(place: int) -> Move:
    """A move by its place among the companies' moves, saved beside the insights."""
    raise pickle.UnpicklingError(f"move {place}: moves are saved on their own")


def scan(
    tagged: dict[str, tuple[int, ...] | None],
    tier: dict[str, tuple[int, ...] | None],
    moved: dict[str, tuple[int, ...] | None],
    intros: list[tuple[Person, Interaction]],
) -> LogScan:
    """A log scan whose lists are given by the places of their entries among their
    people's ``notable`` ones (None: all of them): loading takes those entries of the
    network's people."""
    raise pickle.UnpicklingError("a log scan's entries are taken from the network")


# A company's stints are saved as one tuple for each of their fields (made in C).
_STINT_FIELDS = Stint._fields
_STINT_COLUMNS = [operator.attrgetter(name) for name in _STINT_FIELDS]
Columns = tuple[tuple[Any, ...], ...]


def company(
    ref: CompanyRef,
    current: Columns,
    alumni: Columns,
    moves: tuple[Move, ...],
    spellings: tuple[str, ...],
    note: str | None,
    key: str | None,
) -> Company:
    """A company, its stints given by the columns of their fields, with the key it was
    made with (``MadeKeys``): its page is keyed by it without walking it again. Its hash
    is made again in this process."""
    if len(current) != len(_STINT_FIELDS) or len(alumni) != len(_STINT_FIELDS):
        raise pickle.UnpicklingError("a company's stints of another shape")
    made = Company(
        ref, tuple(map(Stint, *current)), tuple(map(Stint, *alumni)), moves, spellings, note
    )
    object.__setattr__(made, "_key", key)
    return made


def _columns(stints: tuple[Stint, ...]) -> Columns:
    return tuple([tuple(map(column, stints)) for column in _STINT_COLUMNS])


def _company_fields(value: Company) -> tuple[Any, ...]:
    """A company as ``company`` makes it again."""
    return company, (
        value.ref,
        _columns(value.current),
        _columns(value.alumni),
        value.moves,
        value.spellings,
        value.note,
        value._key,
    )


# Values that carry the key they were made with (``_key``, reciprocity.py): saved with it,
# so that their rows are keyed by it without walking them again (valuekey.py).
_KEYED: frozenset[type] = frozenset({Balance, Owed})


def keyed(cls: type, fields: tuple[Any, ...], key: str | None) -> Any:
    """A value of ``cls`` (one of ``_KEYED``) made of ``fields``, with its key."""
    if cls not in _KEYED or type(fields) is not tuple:
        raise pickle.UnpicklingError("a keyed value of another class")
    made = cls(*fields)
    object.__setattr__(made, "_key", key if type(key) is str else None)
    return made


def _keyed_fields(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """How a value of ``cls`` is saved with its key: as ``keyed`` makes it again."""
    values = _init_fields(cls)
    return lambda value: (keyed, (cls, values(value), value._key))


def _init_fields(cls: type) -> Callable[[Any], Any]:
    """The fields a value of ``cls`` is made with, taken in C (a hash kept in a field is
    not one of them: it is made again in the loading process)."""
    return operator.attrgetter(*[f.name for f in dataclasses.fields(cls) if f.init])


def _fields_of(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """How a value of ``cls`` is saved: its class and the fields it is made with (a named
    tuple's are its items)."""
    if not dataclasses.is_dataclass(cls):
        return lambda value: (cls, tuple(value))
    values = _init_fields(cls)
    if len([f for f in dataclasses.fields(cls) if f.init]) == 1:
        return lambda value: (cls, (values(value),))
    return lambda value: (cls, values(value))


_NOTABLE = operator.attrgetter("notable")


class _Pickler(pickle.Pickler):
    """Pickles insight values with their people, tier groups, tiers and people's log
    entries by reference."""

    def __init__(
        self,
        file: IO[bytes],
        network: Network,
        companies: dict[str, Company] | None = None,
        moves: dict[int, int] | None = None,
    ) -> None:
        """``companies``, when given, are pickled by key (those saved on their own), and
        the moves of ``moves`` (by identity) by their place (``saved_move``)."""
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        groups = {id(g): place for place, g in enumerate(network.tiers)}
        by_key = network.by_key
        # The places of a person's notable entries, by the entry's identity: made for the
        # people whose entries are met.
        places: dict[str, dict[int, int]] = {}

        def place(item: Interaction, key: str) -> int | None:
            found = places.get(key)
            if found is None:
                owner = by_key.get(key)
                notable = owner.notable if owner is not None else ()
                found = places[key] = {id(e): at for at, e in enumerate(notable)}
            return found.get(id(item))

        def of_person(item: Interaction) -> tuple[Any, ...]:
            # An entry of a person's own log names their note as its source.
            at = place(item, item.source)
            return (entry, (item.source, at)) if at is not None else item.__reduce__()

        def scan_of(found: LogScan) -> tuple[Any, ...]:
            """The scan's lists as the places of their entries among their people's (most
            often all of them, compared in C: None)."""
            kinds = []
            for kind in (found.tagged, found.tier, found.moved):
                keys = list(kind)
                owners = list(map(by_key.get, keys))
                if None in owners:
                    return LogScan, (found.tagged, found.tier, found.moved, found.intros)
                whole = map(operator.eq, kind.values(), map(list, map(_NOTABLE, owners)))
                at: dict[str, tuple[int | None, ...] | None] = {}
                for key, entries, all_of_them in zip(keys, kind.values(), whole, strict=True):
                    at[key] = None if all_of_them else tuple([place(e, key) for e in entries])
                if any(where is not None and None in where for where in at.values()):
                    return LogScan, (found.tagged, found.tier, found.moved, found.intros)
                kinds.append(at)
            return scan, (*kinds, found.intros)

        table: dict[type, Callable[[Any], Any]] = {
            Person: lambda p: (person, (p.key,)),
            Interaction: of_person,
            LogScan: scan_of,
            TierGroup: lambda g: (group, (groups[id(g)],)),
            Tier: lambda t: (tier, (t.name,)),
            Company: _company_fields,
        }
        for cls in _VALUES - {Company, LogScan}:
            table[cls] = _keyed_fields(cls) if cls in _KEYED else _fields_of(cls)
        if companies is not None:
            saved = companies.get

            def of_company(value: Company) -> tuple[Any, ...]:
                if saved(value.key) is value:
                    return saved_company, (value.key,)
                return _company_fields(value)

            table[Company] = of_company
        if moves is not None:
            as_fields = table[Move]
            table[Move] = lambda m: (
                (saved_move, (moves[id(m)],)) if id(m) in moves else as_fields(m)
            )
        self.dispatch_table = table


_ALLOWED: dict[tuple[str, str], Any] = {
    **{(cls.__module__, cls.__qualname__): cls for cls in _VALUES},
    (Interaction.__module__, Interaction.__qualname__): Interaction,
    _ENTRY: tuple.__new__,  # only for the classes allowed: a log entry
    ("datetime", "date"): dt.date,
    (__name__, "company"): company,
    (__name__, "keyed"): keyed,
}


class _Unpickler(pickle.Unpickler):
    """Loads insight values only, with the people and tier groups of ``network`` and the
    tiers of ``config``; refuses every other class."""

    def __init__(
        self,
        file: IO[bytes],
        network: Network,
        config: Config,
        moves: tuple[Move, ...] = (),
        companies: dict[str, Company] | None = None,
    ) -> None:
        """``moves`` and ``companies``: those saved on their own, that the pickle names by
        place and by key."""
        super().__init__(file)
        tiers = {t.name: t for t in config.tiers}
        self._made: dict[tuple[str, str], Any] = {
            **_ALLOWED,
            (__name__, "person"): network.by_key.__getitem__,  # in C
            (__name__, "group"): network.tiers.__getitem__,
            (__name__, "tier"): tiers.__getitem__,
            (__name__, "entry"): self._entry,
            (__name__, "scan"): self._scan,
            (__name__, "saved_move"): moves.__getitem__,
            (__name__, "saved_company"): (companies or {}).__getitem__,
        }
        self._by_key = network.by_key

    def _entry(self, key: str, place: int) -> Interaction:
        return self._by_key[key].notable[place]

    def _scan(
        self,
        tagged: dict[str, tuple[int, ...] | None],
        tier: dict[str, tuple[int, ...] | None],
        moved: dict[str, tuple[int, ...] | None],
        intros: list[tuple[Person, Interaction]],
    ) -> LogScan:
        by_key = self._by_key

        def lists(places: dict[str, tuple[int, ...] | None]) -> dict[str, list[Interaction]]:
            found: dict[str, list[Interaction]] = {}
            for key, at in places.items():
                notable = by_key[key].notable
                found[key] = list(notable) if at is None else [notable[p] for p in at]
            return found

        return LogScan(lists(tagged), lists(tier), lists(moved), intros)

    def find_class(self, module: str, name: str) -> Any:
        found = self._made.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in saved insights")
        return found


def _all(values: object, cls: type) -> bool:
    """Whether ``values`` is a tuple of values of ``cls`` only."""
    return type(values) is tuple and all(type(value) is cls for value in values)


def _shaped(insights: object, found: object) -> bool:
    """Whether loaded insights and log scan have the shape this code makes them in: each
    part of its class, its tables tuples of their rows' class. A planted file may hold
    other values in the classes it may name (their rows' fields are not looked at)."""
    if type(insights) is not Insights or type(found) is not LogScan:
        return False
    companies, ladder, given = insights.companies, insights.ladder, insights.reciprocity
    introductions, extras = insights.introductions, insights.digest_extras
    return (
        type(companies) is CompanyIndex
        and _all(companies.with_pages, Company)
        and type(companies.by_key) is dict
        and all(type(value) is Company for value in companies.by_key.values())
        and _all(companies.moves, Move)
        and type(companies.by_person) is dict
        and type(ladder) is Ladder
        and _all(ladder.tiers, TierHealth)
        and _all(ladder.upgrades, NextStep)
        and _all(ladder.changes, TierChange)
        and _all(ladder.years, YearOfChanges)
        and type(given) is Reciprocity
        and all(_all(rows, Balance) for rows in (given.balances, given.taking, given.giving))
        and all(_all(rows, Owed) for rows in (given.thanks_owed, given.open_asks))
        and _all(given.thanks_recent, Owed)
        and type(introductions) is Introductions
        and _all(introductions.chains, Chain)
        and _all(introductions.connectors, Connector)
        and type(introductions.graph) is Graph
        and _all(introductions.made, IntroMade)
        and type(introductions.cycles) is tuple
        and type(extras) is DigestExtras
        and _all(extras.recent_moves, Move)
        and _all(extras.thanks_owed, Owed)
        and _all(extras.upgrade_due, NextStep)
        and all(type(kind) is dict for kind in (found.tagged, found.tier, found.moved))
        and type(found.intros) is list
    )


# The people with a brief, in brief order, and the index of their links (briefupdate.py).
Briefs = tuple[list[Person], Linked | None]


def _people(values: object) -> bool:
    """Whether ``values`` is a list of people only."""
    return type(values) is list and all(type(value) is Person for value in values)


def _links(index: object) -> bool:
    """Whether ``index`` is an index of links as ``Linked`` keeps them."""
    return (
        type(index) is dict
        and all(type(key) is str for key in index)
        and all(_people(people) for people in index.values())
    )


def _briefs(saved: object) -> Briefs | None:
    """The people with a brief and their links, as saved; None when not saved, or of
    another shape."""
    if type(saved) is not tuple or len(saved) != 4:
        return None
    people, known_by, introduced, wanted = saved
    if not _all(people, Person):
        return None
    if known_by is None and introduced is None and wanted is None:
        return list(people), None
    if wanted is not None and not (type(wanted) is set and all(type(key) is str for key in wanted)):
        return None
    if not (_links(known_by) and _links(introduced)):
        return None
    return list(people), Linked.saved(known_by, introduced, wanted)


def _saved_briefs(briefs: Briefs | None) -> tuple[Any, ...] | None:
    """The people with a brief and their links as ``_briefs`` takes them again."""
    if briefs is None:
        return None
    people, linked = briefs
    if linked is None:
        return tuple(people), None, None, None
    return tuple(people), linked.known_by, linked.introduced, linked.wanted


# What a company was saved as: the company, the places of its moves among the index's,
# and its bytes, kept while the next build's companies are that very company.
_Kept = tuple[Company, tuple[int, ...], bytes]


def _places(company: Company, moves: dict[int, int]) -> tuple[int, ...]:
    """The places of a company's moves among the index's (-1: not there, saved as is)."""
    return tuple([moves.get(id(move), -1) for move in company.moves])


class InsightStore:
    """The insights of the last build's network, read and written in ``.vaultnet/``.

    The companies, most of the file, are saved each as its own pickle (their moves by
    place among the index's, saved on their own): a company the next build's insights
    hold unchanged, the very value loaded or saved (values are never changed once made),
    is written again as the bytes it was saved as, not pickled again.
    """

    def __init__(self, vault: Path) -> None:
        self.vault = vault
        self.file = vault / STATE_DIR / FILE
        self.saved: tuple[Key, frozenset[str]] | None = None  # what the file holds, when known
        self._kept: dict[str, _Kept] = {}  # by company key

    def _usable(self) -> bool:
        """Whether the file lies inside the vault, not reached through a link."""
        return link_on_the_way(self.vault, f"{STATE_DIR}/{FILE}") is None

    def load(
        self, network: Network, note_names: frozenset[str], configured: str
    ) -> tuple[Insights, LogScan, Briefs | None] | None:
        """The insights of ``network`` (the last build's network, made again of the people
        as saved), their log scan, and the people with a brief and their links when they
        were saved too, as saved; None unless they were saved for exactly it: its key, and
        the file names of every note now, ``note_names``."""
        if not self._usable():
            return None
        payload = read_state(self.file, FORMAT)
        if payload is None:
            return None
        key, names, data = payload.get("key"), payload.get("names"), payload.get("insights")
        moves_data, companies_data = payload.get("moves"), payload.get("companies")
        if (
            type(names) is not frozenset
            or type(data) is not bytes
            or type(moves_data) is not bytes
            or type(companies_data) is not tuple
            or not all(type(one) is bytes for one in companies_data)
        ):
            return None
        if key != orders_key(network, configured) or names != note_names:
            return None
        config = network.config
        try:
            moves = _Unpickler(io.BytesIO(moves_data), network, config).load()
            if not _all(moves, Move):
                return None
            companies: dict[str, Company] = {}
            for one in companies_data:
                made = _Unpickler(io.BytesIO(one), network, config, moves).load()
                if type(made) is not Company:
                    return None
                companies[made.key] = made
            loaded = _Unpickler(io.BytesIO(data), network, config, moves, companies).load()
        except Exception:  # damaged, or of another shape: computed again
            return None
        if len(companies) != len(companies_data):
            return None  # two of one key
        if not (type(loaded) is tuple and len(loaded) == 3 and _shaped(*loaded[:2])):
            return None
        briefs = _briefs(loaded[2])
        places = {id(move): at for at, move in enumerate(moves)}
        self._kept = {
            made.key: (made, _places(made, places), one)
            for made, one in zip(companies.values(), companies_data, strict=True)
        }
        self.saved = (key, names)
        return loaded[0], loaded[1], briefs

    def save(
        self,
        network: Network,
        insights: Insights,
        scan: LogScan,
        configured: str,
        briefs: Briefs | None = None,
    ) -> None:
        """Save the insights of ``network``, their log scan and the people with a brief
        and their links (``briefs``, when found for it), unless the file holds those
        already. Failures only cost the next build time."""
        key = (orders_key(network, configured), network.note_names)
        if key == self.saved or not self._usable():
            return
        index = insights.companies
        places = {id(move): at for at, move in enumerate(index.moves)}
        buffer = io.BytesIO()
        try:
            _Pickler(buffer, network).dump(index.moves)
            moves = buffer.getvalue()
            kept = self._companies(network, index.by_key, places)
            buffer = io.BytesIO()
            saved = _saved_briefs(briefs)
            _Pickler(buffer, network, index.by_key, places).dump((insights, scan, saved))
        except (pickle.PicklingError, KeyError, TypeError, AttributeError):
            return  # a value this does not know how to save: none saved
        fields = {
            "key": key[0],
            "names": key[1],
            "insights": buffer.getvalue(),
            "moves": moves,
            "companies": tuple([one for _, _, one in kept.values()]),
        }
        self._kept = kept
        if write_state(self.file, FORMAT, fields):
            self.saved = key

    def _companies(
        self, network: Network, companies: dict[str, Company], moves: dict[int, int]
    ) -> dict[str, _Kept]:
        """Each company's bytes: as kept when it is the company kept, its moves at the
        same places; else pickled."""
        buffer = io.BytesIO()
        pickler = _Pickler(buffer, network, None, moves)
        made: dict[str, _Kept] = {}
        for company_key, company in companies.items():
            where = _places(company, moves)
            kept = self._kept.get(company_key)
            if kept is not None and kept[0] is company and kept[1] == where:
                made[company_key] = kept
                continue
            buffer.seek(0)
            buffer.truncate()
            pickler.clear_memo()
            pickler.dump(company)
            made[company_key] = (company, where, buffer.getvalue())
        return made
