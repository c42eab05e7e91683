"""Rendered rows, saved in ``.vaultnet/rows/`` for the next build to reuse.

The index, tier and follow-up pages are tables of one row per person, and the insight pages
tables of values (a company's people, moves, balances), rendered by the ``{% rows %}``
blocks of the templates (fragments.py). A row is a function of its block (the compiled
template code) and of its item: a person, whose digest is a key of everything the person is
made from, the day and the configuration included; or a value, whose key (valuekey.py) is
a digest of everything it holds (its people by their digests), the block, the day and the
configuration. So a row saved under (block, digest or key) is exact for any later build that
meets that item in that block: a build after a few edits renders the rows of the people
edited and of the values that changed with them, and joins the others.

Rows are spread over SHARDS files by their digest; a build writes only the files a row was
rendered into, each with the rows of people there are and of values the latest render
showed. A row no longer used (a person's before an edit, a value no longer shown, a block
of a template changed) stays in its file until the file is written for a row rendered into
it: it is exact still, only never asked for, and writing its file to drop it would double
the files a build after a few edits writes (a person's old and new rows are in two files).
A save that rendered many rows (PRUNE_SHARE of those saved: one after a template changed,
say) writes every file that holds a row no longer used, so that they do not pile up.

Beside them, the **calls** of the last one-shot build's render (``calls.pickle``): each
``{% rows %}`` block's calls in the order the render made them, each with its keys, the
length of each row and the rows joined. A build after a few edits patches the n-th call of
a block from the n-th call saved where the keys are the same but at a few places (the rows
of the people edited), splicing in the rows of those places: the index and the tier pages
keep their rows' places when a few people are edited, so such a build reads one file
rather than 256, and the rows files only when a call cannot be patched (fragments.py
``Fragments.follow``). The rows rendered into patched calls are not written to the rows
files: they wait in the calls file until a build loads the rows files (one whose people
changed places), which writes them as it renders them.

Each file says the day its rows were rendered for, and so does the calls file. Every key
holds the day (a person's digest, a value's key), so the first build of a day can use no
row or call saved the day before, and takes neither: at 10k, the 256 rows files are
opened and found of another day in 9 ms of CPU, where taking their 28,000 rows took 31,
and the build's peak is 126.5 MB rather than 135.2, since it no longer holds them while it
renders (medians of 5 and 3, alternated). It saves what it renders as a build from
nothing would, but for the calls, which it records for the next build of the day to
patch. A file of another day that no row was rendered into is left as it is: never read,
and written again once a row is.

A file is written whole and atomically; one that is missing, corrupt, of another format or
version, or holds anything but UTF-8 text is ignored (and written again). A call whose keys,
lengths and text do not agree is too.
Nothing here is the source of truth: deleting the folder changes no output.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from pathlib import Path

from vaultnet.containment import STATE_DIR, link_on_the_way
from vaultnet.state.statefile import read_state, write_state

FORMAT = 4  # bumped whenever rows are keyed or stored differently
ROWS_DIR = "rows"  # .vaultnet/rows/rows-00.pickle ... rows-ff.pickle
SHARDS = 256
PRUNE_SHARE = 4  # a save that rendered a quarter of the rows saved drops the unused ones
Rows = dict[str, dict[str, str]]  # block -> person's digest or value's key -> row
CALLS = "calls.pickle"  # .vaultnet/rows/calls.pickle: the last render's calls, in order
# One call of a {% rows %} block: its keys, the length of each row, the rows joined.
Call = tuple[list[str], "array[int]", str]
# Each block's calls in order (None: a call with a row that has no key, never patched).
Calls = dict[str, list[Call | None]]


def shard_of(digest: str) -> int:
    """Which file holds a person's rows, or a value's (digests and keys are hexadecimal)."""
    try:
        return int(digest[:2], 16) % SHARDS
    except ValueError:
        return 0


class RowStore:
    """The saved rows of one vault, read on first use and written where they changed."""

    def __init__(self, folder: Path, vault: Path | None = None) -> None:
        self.folder = folder
        self.vault = vault  # set for a vault's rows: its files stay inside
        self.saved: list[Rows] = []  # what each file held when read, or is to hold since
        self.rows: Rows = {}  # every block's rows, as this process knows them
        self.failed: set[int] = set()  # shards that could not be written, to write again
        self._loaded = False

    @classmethod
    def for_vault(cls, vault: Path) -> RowStore:
        return cls(vault / STATE_DIR / ROWS_DIR, vault)

    def _usable(self, name: str = "") -> bool:
        """Whether the folder, or the file ``name`` in it, lies inside the vault, not
        reached through a link (nor is one itself)."""
        relative = f"{STATE_DIR}/{ROWS_DIR}/{name}" if name else f"{STATE_DIR}/{ROWS_DIR}"
        return self.vault is None or link_on_the_way(self.vault, relative) is None

    def load(self, day: dt.date) -> Rows:
        """Every row saved for ``day``, by block and digest or key (read once)."""
        if not self._loaded:
            self._loaded = True
            self.saved = [{} for _ in range(SHARDS)]
            if self._usable():
                for shard in range(SHARDS):
                    self.saved[shard] = self._read(shard, day)
            for shard_rows in self.saved:
                for block, rows in shard_rows.items():
                    self.rows.setdefault(block, {}).update(rows)
        return self.rows

    def _read(self, shard: int, day: dt.date) -> Rows:
        payload = read_state(self.folder / _name(shard), FORMAT)
        if payload is None or not isinstance(payload.get("rows"), dict):
            return {}
        if payload.get("day") != day.toordinal():
            return {}  # of another day: no key can match
        found: Rows = {}
        prefix = f"{shard:02x}"  # what the digests of a file start with (shard_of)
        for block, rows in payload["rows"].items():
            if type(block) is not str or type(rows) is not dict:
                return {}
            found[block] = texts = {}
            for digest, data in rows.items():
                if type(digest) is not str or type(data) is not bytes:
                    return {}  # not the shape vaultnet writes
                if not digest.startswith(prefix) and shard_of(digest) != shard:
                    return {}  # in the wrong file
                try:
                    texts[digest] = data.decode("utf-8", "surrogatepass")
                except UnicodeDecodeError:
                    return {}
        return found

    def load_calls(self, day: dt.date) -> Calls:
        """The calls of the last render saved for ``day`` (see the module's docstring); {}
        when there are none, or the file is not of the shape written."""
        payload = read_state(self.folder / CALLS, FORMAT) if self._usable(CALLS) else None
        saved = payload.get("calls") if payload is not None else None
        if type(saved) is not dict or payload is None or payload.get("day") != day.toordinal():
            return {}
        calls: Calls = {}
        for block, made in saved.items():
            if type(block) is not str or type(made) is not list:
                return {}
            calls[block] = found = []
            for call in made:
                restored = None if call is None else _call(call)
                if call is not None and restored is None:
                    return {}
                found.append(restored)
        return calls

    def save_calls(self, calls: Calls, day: dt.date) -> None:
        """Save the calls of a render for ``day``, for the next build to patch. Failures
        only cost speed."""
        if self._usable(CALLS):
            saved = {block: [_saved_call(call) for call in made] for block, made in calls.items()}
            write_state(self.folder / CALLS, FORMAT, {"calls": saved, "day": day.toordinal()})

    def saved_before(self) -> bool:
        """Whether a build saved rows here before (the folder is there): a build from
        nothing records no calls (fragments.py ``Fragments.follow``)."""
        return self.folder.is_dir()

    def save(self, now: Rows, alive: Iterable[str], added: Iterable[str], day: dt.date) -> None:
        """Save ``now`` (the rows of the blocks the last render used, for ``day``).
        ``added`` are the digests and keys whose rows were rendered since the rows were
        read: only the files that hold one are written, each with the rows it held and
        those added into it, of ``alive`` digests and keys (the people there are, and the
        values the render showed) and of blocks used now; the other files are left as they
        are, unless many rows were rendered (see the module's docstring). Failures only
        cost speed."""
        if not self._loaded:
            self.load(day)
        into: dict[int, list[str]] = {}  # the rows added, by file
        count = 0
        for digest in added:
            into.setdefault(shard_of(digest), []).append(digest)
            count += 1
        dirty = set(into) | self.failed
        if not dirty or not self._usable():
            return  # nothing to write, or never through a link
        if not isinstance(alive, set | frozenset):
            alive = set(alive)
        held_rows = sum(len(rows) for held in self.saved for rows in held.values())
        if count * PRUNE_SHARE >= held_rows:
            for shard, held in enumerate(self.saved):
                if shard not in dirty and any(
                    block not in now or not rows.keys() <= alive for block, rows in held.items()
                ):
                    dirty.add(shard)  # a person gone or changed, or a block no longer used
        for shard in dirty:  # what each file is to hold, written or not
            self.saved[shard] = _kept(now, self.saved[shard], into.get(shard, ()), alive)
        for shard in sorted(dirty):
            held = self.saved[shard]
            target = self.folder / _name(shard)
            written = (
                write_state(target, FORMAT, {"rows": _encoded(held), "day": day.toordinal()})
                if held
                else _removed(target)
            )
            if not written:
                self.failed |= dirty  # written again by the next save
                return
            self.failed.discard(shard)


def _removed(file: Path) -> bool:
    """Remove a file no longer to hold anything; False when it could not be."""
    try:
        file.unlink(missing_ok=True)
    except OSError:
        return False
    return True


def _kept(now: Rows, held: Rows, added: Iterable[str], alive: AbstractSet[str]) -> Rows:
    """What a file is to hold: of the rows it ``held`` and the rows ``added`` into it,
    those of blocks used now, of ``alive`` digests and keys (as ``now`` has them: a row
    is exact for its block and its digest or key)."""
    kept: Rows = {}
    added = list(added)
    for block, rows in now.items():
        chosen = {d: rows[d] for d in held.get(block, ()) if d in alive and d in rows}
        chosen.update((d, rows[d]) for d in added if d in alive and d in rows)
        if chosen:
            kept[block] = chosen
    return kept


def _encoded(rows: Rows) -> dict[str, dict[str, bytes]]:
    """Rows as saved: each text as its UTF-8 bytes, made for one file and gone with it.

    Pickling a text keeps its UTF-8 form in the text itself for as long as the text
    lives (``PyUnicode_AsUTF8AndSize``): the rows this process keeps after saving them
    would hold a second copy of themselves (3 MB at 10,000 people, at the build's peak)."""
    return {
        block: {key: text.encode("utf-8", "surrogatepass") for key, text in texts.items()}
        for block, texts in rows.items()
    }


def _call(saved: object) -> Call | None:
    """A call as saved (``_saved_call``) made again; None unless its keys, lengths and
    text agree."""
    if type(saved) is not tuple or len(saved) != 3:
        return None
    keys, lengths, text = saved
    if type(keys) is not str or type(lengths) is not bytes or type(text) is not str:
        return None
    if len(lengths) % 8:
        return None
    sizes = array("q")
    sizes.frombytes(lengths)
    split = keys.split("\n") if keys else []
    if len(split) != len(sizes) or sum(sizes) != len(text) or (sizes and min(sizes) < 0):
        return None
    return split, sizes, text


def _saved_call(call: Call | None) -> tuple[str, bytes, str] | None:
    """A call as saved: its keys joined by newlines (a key holds none: hexadecimal),
    its lengths as 64-bit integers, its text."""
    if call is None:
        return None
    keys, lengths, text = call
    joined = "\n".join(keys)
    if "" in keys or joined.count("\n") != max(len(keys) - 1, 0):
        return None  # an empty key, or one that holds a newline: not saved
    return joined, lengths.tobytes(), text


def _name(shard: int) -> str:
    return f"rows-{shard:02x}.pickle"
