"""``{% cache key %}…{% endcache %}``: a block rendered once per key and reused.

The index, tier and follow-up pages are tables with one row per person, and a row depends
only on that person (and on the day, which the environment is made for). Wrapping a row in
``{% cache p %}`` renders it once: a watcher reuses every row of a person who did not
change (people compare by their digest, see person.Person), and the weekly digest reuses the
rows of ``Follow-ups.md``. A single build keeps nothing (``keep`` is off).

A cached block may read nothing but its key: the names it uses, other than those it
defines itself and the environment's globals, must all appear in the key expressions, or
the template does not compile. So a block's output is a function of its key, and reusing
it is exact.

Rows of people who are gone or changed are dropped now and then, so a long-running
watcher does not keep every old version of every row.

A ``{% rows %}`` block over values (companies, moves, balances) keeps each row by a key of
the value (valuekey.py: a digest of everything it holds, its people by their digests), so
values made again, equal, by a later build find their rows too; rows of values are dropped
once renders stop showing them. A watcher's insights keep the values an edit did not touch
as they were, the same objects: a watcher takes their keys from its last renders by
identity, and walks only the values made again.

A one-shot build follows the calls of the last build's render (``follow``, rowstore.py):
the n-th call of a ``{% rows %}`` block whose keys are the last build's n-th call's but at
a few places (a quarter at most: the people edited, in the places they kept) is that
call's text with the rows of those places rendered and spliced in. A row is a function of
its block and its key, so each row kept is exact where its key is; the saved rows are
loaded only for a call that cannot be patched.

A block keyed by a whole list of people (``{% cache group.members %}`` around a table) is a
table: reused while the list holds the same people, which a watcher's networks keep for the
lists an edit did not touch (network.Patch). Tables are large, so one is kept only until
the render after the last one that used it; so is a block whose key holds no person (a
company, say), which pruning by people would never drop.
"""

from __future__ import annotations

import contextlib
import itertools
import operator
import re
import uuid
from array import array
from collections.abc import Callable, Iterable
from typing import Any, cast

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.ext import Extension
from jinja2.meta import find_undeclared_variables
from jinja2.parser import Parser

from vaultnet.model.network import Person
from vaultnet.state.rowstore import Call, Calls, Rows
from vaultnet.state.valuekey import ValueKeys

PRUNE_SLACK = 100  # rows that may pile up before the first prune
IDLE_RENDERS = 100  # renders without a {% rows %} block, after which its rows are dropped
PATCH_SHARE = 4  # a call is patched when at most a quarter of its keys changed
_INNER_BLOCK = re.compile(r"_fragment_(?:text_)?[0-9a-f]{32}")


class Fragments:
    """Rendered blocks by (block, key)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, tuple[Any, ...]], str] = {}
        # Rows of {% rows %} blocks, by block and their person's digest or value's key.
        self.listed: dict[str, _Listed] = {}
        # Keys of values, for the day and configuration of the environment (set by the
        # environment that makes this; without it rows of values are not kept).
        self.keys: ValueKeys | None = None
        # Blocks kept only while renders use them (tables, and keys that hold no person):
        # those used by this render and by the one before.
        self.tables: dict[tuple[str, tuple[Any, ...]], str] = {}
        self.tables_before: dict[tuple[str, tuple[Any, ...]], str] = {}
        # A watcher's keys of the values its renders showed, by block and the value's
        # identity, with the value (kept alive, so that no other takes its id) and the
        # last render that showed it. Kept while renders show them now and then: a page
        # the memo reused shows its values without asking for their keys, and one
        # rendered again later shows most of them again (pruned in next_render).
        self.value_keys: dict[tuple[str, int], tuple[Any, str | None, int]] = {}
        self._value_keys_pruned = 0  # how many there were after the last prune
        # The lists of people in tables' keys, by identity, with their digests (the list
        # kept alive, so that no other takes its id): of this render and of the one before.
        # A watcher's networks keep the lists an edit did not touch, so a large table that
        # did not change costs no walk through its people.
        self.digests: dict[int, tuple[tuple[Person, ...], tuple[str, ...]]] = {}
        self.digests_before: dict[int, tuple[tuple[Person, ...], tuple[str, ...]]] = {}
        # Whether rows of {% rows %} blocks are kept (a watcher's renders, and a build that
        # saves them for the next, rowstore.py), and whether tables and {% cache %} blocks
        # are too (only a watcher's: they are reused by the next render in the same
        # process, and a single build would hold several megabytes of them for nothing).
        self.keep = False
        self.keep_values = False
        self._pruned_at = 0  # how many rows there were after the last prune
        self.renders = 0
        self.added: set[str] = set()  # digests and keys of the rows rendered
        # A one-shot build's (``follow``): the last render's calls of each block, to patch
        # this render's from; this render's, once recorded (None: not recorded); and what
        # loads the saved rows, until a call that cannot be patched asks for them.
        self.last_calls: Calls = {}
        self.calls: Calls | None = None
        self.load_rows: Callable[[], Rows] | None = None

    def adopt(self, saved: dict[str, dict[str, str]]) -> None:
        """Take rows of ``{% rows %}`` blocks saved by an earlier build (rowstore.py): by
        block, each row by its person's digest or its value's key."""
        for block, rows in saved.items():
            listed = self.listed.get(block)
            if listed is None:
                listed = self.listed[block] = _Listed()
                listed.used = self.renders - 1  # not used by this render until it is
            if not listed.rows:  # as in a one-shot build: no row rendered yet
                listed.rows.update(rows)  # some 40,000 rows at 10k people: in one call
            else:
                for key, text in rows.items():
                    listed.rows.setdefault(key, text)
        # Saved rows are those of people there were and values shown: pruned already.
        self._pruned_at = max(self._pruned_at, self._count())

    def follow(self, calls: Calls, load_rows: Callable[[], Rows], record: bool) -> None:
        """Patch each call of a ``{% rows %}`` block from the same call of ``calls`` (the
        last build's, in order), and take the saved rows (``load_rows``) only when a call
        cannot be patched. The calls of this render are recorded when there were calls
        to start from, or with ``record`` (a build saved rows before, of this day or
        another): a build from nothing (a cold build) holds no copy of its tables for a
        next build that renders every row anyway."""
        self.last_calls = calls
        self.calls = {} if calls or record else None
        self.load_rows = load_rows

    def rows_loaded(self) -> bool:
        """Whether the saved rows were taken (or there were none to follow)."""
        return self.load_rows is None

    def saved_rows(self) -> tuple[dict[str, dict[str, str]], set[str]]:
        """The rows of every ``{% rows %}`` block the renders of this process used (not
        those only read from the saved rows), and the keys of the values they showed: for
        a single build, those of its render; for a watcher, those not yet pruned. Rows of
        other values, and of people gone, are not to be saved."""
        rows = {}
        shown: set[str] = set()
        for block, listed in self.listed.items():
            if listed.used > 0 and listed.rows:
                rows[block] = listed.rows
                shown.update(listed.shown)
        return rows, shown

    def get(self, key: tuple[Any, ...], block: str) -> str | None:
        """The block's text for ``key``, or None when it must be rendered (and ``put``)."""
        try:
            if not _generational(key):
                return self.rows.get((block, key))
            entry = (block, self._by_digest(key))
            text = self.tables.get(entry)
            if text is None:
                text = self.tables_before.pop(entry, None)
                if text is not None:
                    self.tables[entry] = text
            return text
        except TypeError:  # a key that cannot be hashed (a list, say): render every time
            return None

    def put(self, key: tuple[Any, ...], block: str, text: str) -> str:
        if self.keep_values:
            with contextlib.suppress(TypeError):  # unhashable: not kept
                if _generational(key):
                    self.tables[(block, self._by_digest(key))] = text
                else:
                    self.rows[(block, key)] = text
        return text

    def _by_digest(self, key: tuple[Any, ...]) -> tuple[Any, ...]:
        """A table's key with each list of people as their digests: equal lists give
        equal keys, and strings hash in C (a person's hash is a Python call, 10,000 to a
        table). A list seen by this render or the one before is not walked again."""
        found = []
        for part in key:
            if type(part) is tuple and part:
                known = self.digests.get(id(part)) or self.digests_before.get(id(part))
                if known is not None and known[0] is part:
                    self.digests[id(part)] = known
                    part = known[1]
                elif set(map(type, part)) == {Person}:
                    digests = tuple(map(_DIGEST, part))
                    self.digests[id(part)] = (part, digests)
                    part = digests
            found.append(part)
        return tuple(found)

    def rows_of(self, items: Iterable[Any], block: str, caller: Callable[[Any], str]) -> str:
        """``{% rows p in people %}``: each one's block, rendered (by ``caller``) only when
        it is not kept; the rows joined in Python rather than by a template loop.

        Rows are looked up by their person's digest, so that a table of 10,000 rows costs
        no Python per row that is kept, for as long as the person lives (see prune); a
        value's by its key (valuekey.py), for as long as renders show it.
        """
        listed = self.listed.get(block)
        if listed is None:
            listed = self.listed[block] = _Listed()
        listed.used = self.renders
        if type(items) is not list and type(items) is not tuple:
            items = list(items)
        # A person's row is kept by the person's digest: the same for a person made again
        # from the same inputs, in this process or a later one (rowstore.py). A value's by
        # a key of everything it holds, and of the block: equal values, the same row.
        known = self.digests.get(id(items)) if type(items) is tuple else None
        if known is not None and known[0] is items:  # a table's list, its key just made
            keys: list[str | None] = list(known[1])
        elif items and type(items[0]) is Person and set(map(type, items)) == {Person}:
            keys = list(map(_DIGEST, items))  # the usual list, in C
        else:
            keys = self._keys(items, block, listed)
        if self.calls is not None:
            patched = self._patched(items, keys, block, caller, listed)
            if patched is not None:
                return patched
        if self.load_rows is not None:
            load, self.load_rows = self.load_rows, None
            self.adopt(load())
        texts = list(map(listed.rows.get, keys))  # type: ignore[arg-type]
        missing = 0
        while True:
            try:
                missing = texts.index(None, missing)
            except ValueError:
                break
            texts[missing] = self._row(items[missing], keys[missing], caller, listed)
        rows = cast(list[str], texts)  # every row found or rendered
        text = "".join(rows)
        if self.calls is not None:
            call = None if None in keys else (keys, array("q", map(len, rows)), text)
            self.calls.setdefault(block, []).append(cast("Call | None", call))
        return text

    def _patched(
        self,
        items: list[Any] | tuple[Any, ...],
        keys: list[str | None],
        block: str,
        caller: Callable[[Any], str],
        listed: _Listed,
    ) -> str | None:
        """This call's text patched from the last render's call of the same place among
        the block's (see the module's docstring), recorded; None when it cannot be."""
        assert self.calls is not None
        saved = self.last_calls.get(block)
        at = len(self.calls.get(block, ()))
        if saved is None or at >= len(saved):
            return None
        last, saved[at] = saved[at], None  # asked for once: its text goes with this call
        if last is None or None in keys:
            return None
        old_keys, old_lengths, old_text = last
        if len(old_keys) != len(keys):
            return None
        changed = list(itertools.compress(range(len(keys)), map(operator.ne, old_keys, keys)))
        if len(changed) * PATCH_SHARE > len(keys):
            return None
        starts = list(itertools.accumulate(old_lengths, initial=0))
        lengths = array("q", old_lengths)
        parts: list[str] = []
        since = 0  # the first row not yet taken
        for place in changed:
            key = keys[place]
            row = listed.rows.get(key) if key is not None else None
            if row is None:
                row = self._row(items[place], key, caller, listed)
            parts += (old_text[starts[since] : starts[place]], row)
            lengths[place] = len(row)
            since = place + 1
        parts.append(old_text[starts[since] :])
        text = "".join(parts)
        self.calls.setdefault(block, []).append((cast(list[str], keys), lengths, text))
        return text

    def _keys(
        self, items: list[Any] | tuple[Any, ...], block: str, listed: _Listed
    ) -> list[str | None]:
        """The keys the items' rows are kept by: a person's digest, or a value's key (None
        when the value cannot be keyed, or nothing is kept); values' keys are marked as
        shown by this render."""
        keys: list[str | None] = []
        values = self.keys if self.keep else None
        shown, now = listed.shown, self.renders
        for item in items:
            if type(item) is Person:
                keys.append(item.digest)
                continue
            key = self._value_key(item, block) if values is not None else None
            if key is not None:
                shown[key] = now
            keys.append(key)
        return keys

    def _value_key(self, item: Any, block: str) -> str | None:
        """A value's key. A watcher's insights keep every value that did not change as it
        was, the same frozen object: its key is taken from the last renders by the
        object's identity, so that a watcher's render walks only the values made again."""
        assert self.keys is not None
        if not self.keep_values:  # a single build: each value is keyed once anyway
            return self.keys.key(item, block)
        entry = (block, id(item))
        found = self.value_keys.get(entry)
        key = found[1] if found is not None and found[0] is item else self.keys.key(item, block)
        self.value_keys[entry] = (item, key, self.renders)
        return key

    def _row(
        self, item: Any, key: str | None, caller: Callable[[Any], str], listed: _Listed
    ) -> str:
        text = str(caller(item))
        if self.keep and key is not None:
            listed.rows[key] = text
            self.added.add(key)
        return text

    def texts(self) -> list[str]:
        """Every row kept: of ``{% cache %}`` blocks by key, and of ``{% rows %}`` blocks."""
        kept = list(self.rows.values())
        for listed in self.listed.values():
            kept.extend(listed.rows.values())
        return kept

    def keeping(self) -> bool:
        """Whether rendered blocks are kept (a watcher's renders)."""
        return self.keep

    def next_render(self) -> None:
        """Start a render: tables the last render did not use are dropped, and so are the
        rows of a ``{% rows %}`` block no render used for ``IDLE_RENDERS`` renders (a
        template edited while watching is compiled again, with new blocks), and, once
        they have doubled since the last look, the keys of values no render asked for in
        as long."""
        self.tables_before, self.tables = self.tables, {}
        self.digests_before, self.digests = self.digests, {}
        if self.calls is not None:  # a later render of the same build patches from these
            self.last_calls, self.calls = self.calls, {}
        self.renders += 1
        if len(self.value_keys) > self._value_keys_pruned * 2 + PRUNE_SLACK:
            # Keys no render asked for lately: mostly of values made again since, which
            # their entries alone keep alive.
            recent = self.renders - IDLE_RENDERS
            self.value_keys = {e: v for e, v in self.value_keys.items() if v[2] > recent}
            self._value_keys_pruned = len(self.value_keys)
        idle = [
            block
            for block, listed in self.listed.items()
            if self.renders - listed.used > IDLE_RENDERS
        ]
        for block in idle:
            del self.listed[block]

    def prune(self, people: Iterable[Person]) -> None:
        """Forget rows of people who are gone or changed (every edit makes a new person):
        rows whose key holds a person, or a value about one (its ``person``); and rows of
        values no render showed in the last ``IDLE_RENDERS``.

        Rows are kept even when the latest render did not need them, since the pages that
        show them may have been reused; pruning runs once the rows grew by a quarter.
        """
        if self._count() <= self._pruned_at * 5 // 4 + PRUNE_SLACK:
            return
        alive = set(people)
        digests = {person.digest for person in alive}
        self.rows = {
            entry: text
            for entry, text in self.rows.items()
            if all(person in alive for person in map(_person_in, entry[1]) if person)
        }
        recent = self.renders - IDLE_RENDERS
        for listed in self.listed.values():
            listed.shown = {key: used for key, used in listed.shown.items() if used > recent}
            gone = [key for key in listed.rows if key not in digests and key not in listed.shown]
            for key in gone:
                del listed.rows[key]
        self._pruned_at = self._count()

    def _count(self) -> int:
        return len(self.rows) + sum(len(listed.rows) for listed in self.listed.values())

    def clear(self) -> None:
        self.rows.clear()
        self.listed.clear()
        self.tables.clear()
        self.tables_before.clear()
        self.value_keys.clear()
        self._value_keys_pruned = 0
        self.digests.clear()
        self.digests_before.clear()
        self.added.clear()
        self.last_calls, self.calls, self.load_rows = {}, None, None
        self._pruned_at = 0


class _Listed:
    """The rows of one ``{% rows %}`` block, by their person's digest or value's key."""

    __slots__ = ("rows", "shown", "used")

    def __init__(self) -> None:
        # Rows by the person's digest, or the value's key (two digests of different
        # things: they do not meet).
        self.rows: dict[str, str] = {}
        self.shown: dict[str, int] = {}  # the last render that showed each value's row
        self.used = 0  # the last render that used the block


_DIGEST = operator.attrgetter("digest")


def _generational(key: tuple[Any, ...]) -> bool:
    """Whether a block is kept only while renders use it: a table (keyed by a tuple), or a
    block whose key holds no person (so pruning by people would never drop it)."""
    return any(type(part) is tuple for part in key) or not any(map(_person_in, key))


def _person_in(part: object) -> Person | None:
    """The person a key stands for: a person, or a value about one (its ``person``)."""
    if isinstance(part, Person):
        return part
    person = getattr(part, "person", None)
    return person if isinstance(person, Person) else None


class FragmentCache(Extension):
    """The ``cache`` and ``rows`` tags.

    ``{% rows p in people %}BODY{% endrows %}`` is ``{% for p in people %}{% cache p %}BODY
    {% endcache %}{% endfor %}`` with the loop in Python: a call block,
    ``{% call(p) _fragment_rows(people, ID) %}BODY{% endcall %}``, or a plain loop over the
    same body when nothing is kept. Its body may read only ``p`` (and ``loop`` does not
    exist in it).

    ``{% cache k1, k2 %}BODY{% endcache %}`` compiles to plain template code, without a
    call through the sandbox (which would cost as much as the row it saves)::

        {% set hit = (k1, k2) | _fragment_get(ID) %}
        {% if hit is none %}{% set text %}BODY{% endset %}{{ (k1, k2) | _fragment_put(ID, text) }}
        {% else %}{{ hit }}{% endif %}
    """

    tags = {"cache", "rows"}  # noqa: RUF012 - Extension declares it so

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        store = Fragments()
        environment.extend(fragments=store)
        environment.filters["_fragment_get"] = store.get
        environment.filters["_fragment_put"] = store.put
        environment.globals["_fragment_rows"] = store.rows_of
        environment.globals["_fragment_keeping"] = store.keeping

    def parse(self, parser: Parser) -> list[nodes.Node] | nodes.Node:
        if parser.stream.current.value == "rows":
            return self._rows(parser)
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        self._check(keys, body, lineno, parser)
        # A new id whenever a template is compiled, unique across processes too: compiled
        # templates are kept on disk, and two of them must never share ids.
        block = uuid.uuid4().hex
        hit, text = f"_fragment_{block}", f"_fragment_text_{block}"

        def key() -> nodes.Tuple:
            return nodes.Tuple(keys, "load")

        def call(name: str, *args: nodes.Expr) -> nodes.Filter:
            return nodes.Filter(key(), name, [nodes.Const(block), *args], [], None, None)

        render = [
            nodes.AssignBlock(nodes.Name(text, "store"), None, body),
            nodes.Output([call("_fragment_put", nodes.Name(text, "load"))]),
        ]
        missing = nodes.Test(nodes.Name(hit, "load"), "none", [], [], None, None)
        found = [nodes.Output([nodes.Name(hit, "load")])]
        statements: list[nodes.Node] = [
            nodes.Assign(nodes.Name(hit, "store"), call("_fragment_get")),
            nodes.If(missing, render, [], found),
        ]
        for statement in statements:
            statement.set_lineno(lineno)
        return statements

    def _rows(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        target = parser.parse_assign_target(name_only=True)
        assert isinstance(target, nodes.Name)
        parser.stream.expect("name:in")
        people = parser.parse_expression()
        body = parser.parse_statements(("name:endrows",), drop_needle=True)
        self._check([nodes.Name(target.name, "load")], body, lineno, parser, target.name)
        call = nodes.Call(
            nodes.Name("_fragment_rows", "load"),
            [people, nodes.Const(uuid.uuid4().hex)],
            [],
            None,
            None,
        )
        block = nodes.CallBlock(call, [nodes.Name(target.name, "param")], [], body)
        # When nothing is kept (a single build) a plain loop over the same body is cheaper
        # than a call per row, and gives the same text.
        loop = nodes.For(nodes.Name(target.name, "store"), people, body, [], None, False)
        keeping = nodes.Call(nodes.Name("_fragment_keeping", "load"), [], [], None, None)
        choice = nodes.If(keeping, [block], [], [loop])
        choice.set_lineno(lineno)
        return choice

    def _check(
        self,
        keys: list[nodes.Expr],
        body: list[nodes.Node],
        lineno: int,
        parser: Parser,
        rows_of: str | None = None,
    ) -> None:
        allowed = {
            name.name
            for key in keys
            for name in (key, *key.find_all(nodes.Name))
            if isinstance(name, nodes.Name)
        }
        tree = nodes.Template(body, lineno=lineno)
        tree.set_environment(self.environment)
        used = find_undeclared_variables(tree)
        # A cache block inside this one (a row in a table) reads its own generated names.
        outside = sorted(
            name
            for name in used - allowed - set(self.environment.globals)
            if not _INNER_BLOCK.fullmatch(name)
        )
        if outside:
            reads = ", ".join(outside)
            if rows_of is not None:
                message = f"a rows block may read only {rows_of}; it also reads {reads}"
            else:
                message = (
                    f"a cache block may read only its key; it also reads {reads} "
                    "(add it to the key: {% cache p, " + outside[0] + " %})"
                )
            raise TemplateSyntaxError(message, lineno, parser.name, parser.filename)
