"""The per-person state kept from one build to the next: the build's incremental layer.

For each person note it keeps the person the model made (person.py) and the warnings about
them, under the person's digest: a key of everything the person is made from (the note's
content, the dated notes that mention them, the names links resolve against, the day and
the configuration). A build makes a person again only when that key changed; otherwise it
takes the kept one, which equals what the model would make.

The Builder owns it: a one-shot build and a watcher's builds both go through
``PeopleState.build``; a watcher keeps it in memory between builds. It is never the source
of truth: without it every person is made again, with the same result. ``load`` takes the
people the last build saved (personstore.py) with the identity of each one's note (what
the duplicate check compares), and the lookups the model made on the way (references
resolved, dated notes' mentions, the duplicate check's warnings, modelstore.py), each
used only where its key matches; ``save`` saves them.

A watcher's build also knows which notes changed (``changes``). When the names, the dated
notes and the day are as before, only those people are looked at, and when they keep their
places in the orders the last network is brought up to date in place (``Orders``) rather
than sorted again, its open loops and unmatched participants looked for again only in the
notes that changed; ``Network.patch`` then tells the insights who was replaced.

The first build after ``load`` does the same from what the last build saved: the names
links resolve against, when their key is the same, and the last network's orders, made
again of the people as saved and brought up to date with those this build made again
(orders.py ``from_saved``). It takes a saved person whose note is unchanged, from a file
whose people were made with the same names, day, configuration and mentions, without
finding their digest again (``_unchanged``).

``_Built`` is a named tuple, not a dataclass: a class made at import in a fifth of the time
(docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from vaultnet.config import Config
from vaultnet.diagnostics import Diagnostic
from vaultnet.model.identity import duplicate_people
from vaultnet.model.network import (
    Interaction,
    Network,
    Person,
    config_key,
    mentions_of,
    network_of,
    sort_notes,
    with_texts,
)
from vaultnet.model.person import (
    DetailsValues,
    Names,
    Ref,
    Refs,
    details_of,
    make_person,
    mentions_in,
    names_key,
    names_of,
)
from vaultnet.model.person import person_key as make_key
from vaultnet.source.notes import Note
from vaultnet.state import modelstore
from vaultnet.state.identities import Identities, identity
from vaultnet.state.known import Known
from vaultnet.state.modelstore import SavedNames, SavedOrders
from vaultnet.state.orders import Orders, from_saved, orders_key, saved_orders
from vaultnet.state.personstore import (
    Entry,
    Made,
    Mentioned,
    PersonStore,
    Saved,
    Stub,
    stub_of,
    unchanged,
)
from vaultnet.state.saving import Saving

_PATH = attrgetter("path")  # of each note, in C: everyone's are asked for


class _Built(NamedTuple):
    """The last build's people in path order, what they were made for, and where those
    with warnings are."""

    people: list[Person]
    signature: tuple[dt.date, str, str]  # the day, the configuration's key, the names' key
    warned: dict[int, tuple[Diagnostic, ...]]


class PeopleState:
    """People made by earlier builds of one vault, by note path, with what a watcher's next
    build needs to look only at what changed."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.names: Names | None = None
        # Dated notes: the note's key and the names' key its mentions were resolved with,
        # and what they resolved to (with_texts).
        self.dated: dict[str, tuple[str, str, list[tuple[str, Interaction, str]]]] = {}
        self.mentions: tuple[dict[str, tuple[Interaction, ...]], dict[str, list[str]]] | None
        self.mentions = None
        self.known: Known | None = None
        self.built: _Built | None = None
        self.last: Orders | None = None  # the last network, to bring up to date in place
        self.people_notes: list[Note] | None = None  # the last build's, in path order
        self.duplicates: tuple[list[Note], list[Diagnostic]] | None = None
        self._config: tuple[Config, str] | None = None
        # References resolved (Refs), with the key of the names they were resolved with.
        self.refs: tuple[str, dict[str, Ref]] = ("", {})
        self.saved_refs: tuple[str, dict[str, Ref]] | None = None  # as loaded
        # Each person note's key and the digest of what the duplicate check compares in
        # it (identities.py); the warnings about duplicates saved under the digest of
        # everyone's (modelstore.py).
        self.identities = Identities()
        self.saved_duplicates: tuple[str, list[Diagnostic]] | None = None
        self.key_of: Callable[[str], str] | None = None  # the last build's
        # What is saved of each part, to save only those that changed: the names' key
        # and number of references, True for dated notes as saved, the people's part.
        self._saved: dict[str, object] = {}
        # The key of the configuration each loaded part was made with, until a build
        # has checked it.
        self._saved_config: dict[str, str] = {}
        # The people saved by the last build (personstore.py), the paths of those loaded
        # whose details no build has said how to make yet, and the paths of the people
        # made since they were loaded or saved.
        self.store: PersonStore | None = None
        self.unlinked: set[str] = set()
        self.made: set[str] = set()
        self.stubs: dict[str, tuple[str, Stub]] = {}  # as loaded: the note's key, its stub
        # What the loaded people were made with, file by file, and the configuration's
        # key they were loaded for: until the first build has taken them.
        self.loaded: tuple[str, list[Made]] | None = None
        # The names and the last network's orders as saved (modelstore.py), until the
        # first build takes them; the network to save, and the keys of those saved.
        self.saved_names: SavedNames | None = None
        self.saved_orders: SavedOrders | None = None
        self.network: Network | None = None

    def build(
        self,
        config: Config,
        notes: list[Note],
        today: dt.date,
        key_of: Callable[[str], str],
        changes: dict[str, Note | None] | None = None,
        whole: Callable[[Note], Note] | None = None,
    ) -> tuple[Network, list[Diagnostic]]:
        """The network of ``notes`` for ``today``, as ``model.build_network`` makes it,
        making again only the people whose inputs changed.

        ``key_of`` gives the key of a note's content by its path. ``changes`` (a
        watcher's) are the notes that changed since the last build, each as it is now
        (None: no longer a note), when nothing else did. ``notes`` may hold the stubs
        ``held`` gave in place of person notes; ``whole`` then reads such a note whole.
        """
        # Asked for each person note up to three times (the saved duplicate check, the
        # person's digest, the saved state): read once.
        self.key_of = key_of = functools.cache(key_of)
        sorted_before = self.known.split if self.known is not None else None
        names_before = self.names
        known, changed, dated_same = self._sort(notes, changes)
        split = known.split
        people_notes = split.people
        changed, names = self._names(people_notes, changed)
        configured = self._config_key(config)
        self._forget_saved_of_another(configured)
        diagnostics = list(self._duplicates(people_notes, changed))
        before = self.mentions
        mentions, sources = self._mentions(
            split.dated, key_of, names, changed is not None and dated_same
        )
        signature = (today, configured, names.key)
        if self.refs[0] != names.key:
            saved_refs, self.saved_refs = self.saved_refs, None
            taken = modelstore.refs_taken(saved_refs, names.key, map(_PATH, people_notes))
            self.refs = (names.key, taken)
        refs = Refs(names.resolver, config, self.refs[1])
        unchanged = self._unchanged(signature, sources)
        # The last network's orders and people hold only if this build ends: taken out
        # until it does.
        last, built = self.last, self.built
        self.last = self.built = None
        made: list[Person] = []
        replaced: dict[str, Person] = {}  # the people made again, as they were
        entries = self.entries
        unlinked = self.unlinked
        empty: tuple[Interaction, ...] = ()

        def person_of(note: Note) -> Entry:
            path = note.path
            entry = entries.get(path)
            found = mentions.get(path, empty)
            # A stub stands for a note whose key is the one its person was saved with.
            if type(note) is Stub and path in unchanged and entry is not None:
                digest = entry[0]  # everything it is made of is as it was
            else:
                digest = make_key(
                    path, key_of(path), sources.get(path, ()), names.key, today, configured
                )
            if entry is not None and entry[0] == digest:
                if unlinked and path in unlinked:  # a saved person: details from the note
                    make = functools.partial(_details, note, found, today, whole)
                    entry[1].details.later(path, make)
                    unlinked.discard(path)
                return entry
            warnings: list[Diagnostic] = []
            if type(note) is Stub:
                assert whole is not None  # stubs come from a build that can read notes
                note = whole(note)
            person = make_person(note, config, today, refs, found, names.stems, warnings, digest)
            made.append(person)
            if entry is not None:
                replaced[path] = entry[1]
            self.made.add(path)
            entry = (digest, person, tuple(warnings))
            entries[path] = entry
            return entry

        if built is not None and changed is not None and self.mentions is before:
            if built.signature == signature:
                # The same notes but those at ``changed``, the same mentions and day:
                # only the people of the notes that changed are looked at.
                people = list(built.people)
                warned = dict(built.warned)
                for index in changed:
                    _, people[index], warnings = person_of(people_notes[index])
                    warned.pop(index, None)
                    if warnings:
                        warned[index] = warnings
            else:
                built = None
        else:
            built = None
        if built is None:
            people = []
            warned = {}
            for index, note in enumerate(people_notes):
                _, person, warnings = person_of(note)
                people.append(person)
                if warnings:
                    warned[index] = warnings
            if len(entries) > len(people_notes):  # people gone since
                paths = {note.path for note in people_notes}
                for path in [path for path in entries if path not in paths]:
                    del entries[path]
                    unlinked.discard(path)
        for index in sorted(warned):
            diagnostics.extend(warned[index])
        self.built = _Built(list(people), signature, warned)
        network = None
        if last is not None and last.network.today == today and last.network.config == config:
            # The notes that changed since the last network, when it was made from the notes
            # the last build sorted out and links resolve as then.
            since = None
            if changes is not None and sorted_before is not None and names_before is names:
                since = (sorted_before, changes)
            network = last.updated(people, made, split, notes, names.resolver, since)
            if network is not None:
                self.last = last
        saved, self.saved_orders = self.saved_orders, None
        if network is None and saved is not None:
            # Everyone as they were (those made again as before), looked up in C.
            was = {path: entry[1] for path, entry in entries.items()}
            was.update(replaced)
            self.last = from_saved(
                saved,
                config,
                today,
                configured,
                was.get,
                people,
                made,
                split,
                notes,
                names.resolver,
            )
            network = self.last.network if self.last is not None else None
            if network is None:
                self._saved.pop("network", None)  # not taken: saved again
        if network is None:
            network = network_of(config, today, people, split, notes, names)
            self.last = Orders(network)
        self.network = network
        return network, diagnostics

    def load(self, vault: Path, config: Config, today: dt.date | None = None) -> None:
        """Take what the last saved build of ``vault`` computed (modelstore.py) and the
        people it made (personstore.py), to be used where their keys match; called before
        the first build. ``config`` gives the tiers of the saved people; with ``today``
        (the first build's day), only people saved for that day are loaded."""
        self.store = PersonStore(vault)
        loaded = self.store.load(config, today)  # in the shapes kept here
        self.entries.update(loaded.people)
        self.unlinked.update(loaded.people)
        self.stubs.update(loaded.stubs)
        self.identities.known.update(loaded.identities)
        self.loaded = (config_key(config), loaded.made)
        saved = modelstore.load(vault)
        self._take_saved_network(saved)
        if saved.refs is not None:
            names_key, refs = saved.refs
            self.saved_refs = (names_key, modelstore.refs_restored(refs))
            self._saved["refs"] = (names_key, len(refs))
        if saved.dated is not None:
            self._saved_config["dated"], dated = saved.dated
            self.dated = modelstore.dated_restored(dated)
            self._saved["dated"] = True
        if saved.people is not None:
            self._saved_config["people"], identified, warnings = saved.people
            self.saved_duplicates = (
                identified,
                [Diagnostic(path, line, "warning", message) for path, line, message in warnings],
            )
            self._saved["people"] = saved.people

    def save(self, vault: Path) -> None:
        """Save for the next one-shot build of ``vault`` what it can take from this one's
        model (modelstore.py): the parts that changed since they were loaded or saved."""
        if (
            self.key_of is None
            or self.people_notes is None
            or self.duplicates is None
            or self._config is None
        ):
            return  # no build yet
        configured = self._config[1]
        names_key, refs = self.refs
        if self._saved.get("refs") != (names_key, len(refs)):  # the memo only grows
            modelstore.save(vault, modelstore.REFS, (names_key, modelstore.refs_saved(refs)))
            self._saved["refs"] = (names_key, len(refs))
        if self._saved.get("dated") is not True:
            dated = modelstore.dated_saved(self.dated)
            modelstore.save(vault, modelstore.DATED, (configured, dated))
            self._saved["dated"] = True
        warnings = [(d.path, d.line, d.message) for d in self.duplicates[1]]
        people = (configured, self._identified(self.people_notes), warnings)
        if self._saved.get("people") != people:
            modelstore.save(vault, modelstore.PEOPLE, people)
            self._saved["people"] = people
        self._save_network(vault, configured)
        self._save_people()

    def _take_saved_network(self, saved: modelstore.SavedModel) -> None:
        """Keep the names and the network's orders the last build saved, for the first
        build to take where their keys match (``_names``, orders.py ``from_saved``)."""
        self.saved_names, self.saved_orders = saved.names, saved.network
        if saved.names is not None:
            self._saved["names"] = (saved.names[0], saved.names[6])
        if saved.network is not None:
            self._saved["network"] = saved.network[:3]

    def _save_network(self, vault: Path, configured: str) -> None:
        """Save the names and the last network's orders (modelstore.py), those that
        changed since they were loaded or saved."""
        if self.names is not None and self.people_notes is not None:
            # The names are those of the last build's notes (a watcher's build where no
            # name changed keeps the names it had), so their identities go with them.
            saved = (self.names.key, self._identified(self.people_notes))
            if self._saved.get("names") != saved:
                names = modelstore.names_saved(self.names, saved[1])
                modelstore.save(vault, modelstore.NAMES, names)
                self._saved["names"] = saved
        network, self.network = self.network, None
        if network is None:
            return
        key = orders_key(network, configured)
        if self._saved.get("network") != key:
            modelstore.save(vault, modelstore.NETWORK, saved_orders(network, key))
            self._saved["network"] = key

    def _save_people(self) -> None:
        """Save the people (personstore.py): those made since the last save."""
        if self.store is not None and self.built is not None and self._config is not None:
            today, _, names = self.built.signature
            self.store.save(self._config[0], today, names, self.entries, self._people, self.made)
            self.made = set()

    def save_people_in_background(self) -> Saving | None:
        """Start saving the people (personstore.py) in a forked helper, when many were
        made; ``save`` then saves the rest of what it saves."""
        if self.store is None or self._config is None or self.built is None:
            return None
        today, _, names = self.built.signature
        if self.people_notes is not None:  # found here, for the helper and for ``save``
            self._identified(self.people_notes)
        saving = self.store.save_in_background(
            self._config[0], today, names, self.entries, self._people, self.made
        )
        if saving is not None:
            self.made = set()
        return saving

    def _unchanged(
        self, signature: tuple[dt.date, str, str], sources: dict[str, list[str]]
    ) -> set[str]:
        """The people loaded whose digest is as saved for any whose note is unchanged
        (once, on the first build after ``load``; personstore.py ``unchanged``)."""
        loaded, self.loaded = self.loaded, None
        today, configured, names = signature
        if loaded is None or loaded[0] != configured:
            return set()
        dated = {path: entry[0] for path, entry in self.dated.items()}
        return unchanged(loaded[1], today, names, dated, sources)

    def _mentioned(self, path: str) -> Mentioned:
        """Where the person of ``path`` is mentioned: the dated note and its key of each
        of their mentions, as the last build found them."""
        if self.mentions is None:
            return None
        dated = self.dated
        return tuple(
            (entry.source, dated[entry.source][0]) for entry in self.mentions[0].get(path, ())
        )

    def _people(self, paths: Iterable[str]) -> dict[str, Saved]:
        """The people of ``paths``, of the last build, as the person store saves them."""
        assert self.key_of is not None and self.people_notes is not None
        entries = self.entries
        if self.known is not None:  # the notes by path, at hand
            notes = self.known.split.by_path
        else:
            notes = {note.path: note for note in self.people_notes}
        # Each note's key and identity, found once a build: ``save`` saves their digest.
        self._identified(self.people_notes)
        identities = self.identities.known
        saved: dict[str, Saved] = {}
        for path in paths:
            key, identity = identities[path]
            note = notes[path]
            saved[path] = (entries[path], key, stub_of(note), identity, self._mentioned(path))
        return saved

    def held(self) -> dict[str, tuple[str, Stub]]:
        """The stubs of the person notes whose people were loaded (``load``), each with
        the key of the note it was made from: the first build may read a stub in place of
        a note that still has that key (once: later builds keep what they read)."""
        held, self.stubs = self.stubs, {}
        return held

    def keep_for_saving(self) -> None:
        """Forget all but what ``save`` needs (a later build makes the rest again). A
        one-shot build saves this state and lets go of it: what is forgotten first (every
        note but the person notes, the people) leaves room for the save."""
        self._save_people()  # while the people are here: the store is let go too
        self.store = None
        self.known = None
        self.built = self.last = None
        self.entries = {}
        self.mentions = None

    def _forget_saved_of_another(self, configured: str) -> None:
        """Forget the saved parts made with another configuration than ``configured``:
        how notes were parsed depends on it (once, on the first build after ``load``)."""
        for part, key in self._saved_config.items():
            if key == configured:
                continue
            if part == "dated":
                self.dated = {}
            else:
                self.saved_duplicates = None
            self._saved.pop(part, None)
        self._saved_config = {}

    def _config_key(self, config: Config) -> str:
        if self._config is None or self._config[0] != config:
            self._config = (config, config_key(config))
        return self._config[1]

    def _sort(
        self, notes: list[Note], changes: dict[str, Note | None] | None
    ) -> tuple[Known, list[int] | None, bool]:
        """The notes sorted out: from the last build's when the changes are known."""
        found = None
        if self.known is not None and changes is not None:
            found = self.known.changed(changes)
        if found is None:
            self.known = Known(sort_notes(notes))
            return self.known, None, False
        self.known = found[0]
        return found

    def _names(
        self, people_notes: list[Note], changed: list[int] | None
    ) -> tuple[list[int] | None, Names]:
        """The names links resolve against, and where the person notes changed when that
        is known and no name changed there (None otherwise)."""
        last, old = self.names, self.people_notes
        self.people_notes = people_notes
        if (
            last is not None
            and old is not None
            and changed is not None
            and len(old) == len(people_notes)
            and all(_same_names(old[index], people_notes[index]) for index in changed)
        ):
            return changed, last
        saved = self.saved_names
        as_saved = last is None and saved is not None and saved[6] == self._identified(people_notes)
        # Every note's identity as saved: so are the names, and their key.
        key = saved[0] if as_saved and saved is not None else names_key(people_notes)
        if last is None or last.key != key:
            saved, self.saved_names = self.saved_names, None
            if saved is not None:
                last = modelstore.names_restored(saved, key, set(map(_PATH, people_notes)))
            if last is None or last.key != key:
                self._saved.pop("names", None)  # not taken: saved again
                last = names_of(people_notes, None if as_saved else key)
            self.names = last
        return None, last

    def _duplicates(self, people_notes: list[Note], changed: list[int] | None) -> list[Diagnostic]:
        """Warnings for person notes that look like one person (``identity``); a watcher's
        build that changed nothing they compare by takes the last build's (a look at
        everyone is a large part of a watcher's rebuild)."""
        last = self.duplicates
        if (
            last is not None
            and changed is not None
            and all(identity(last[0][i]) == identity(people_notes[i]) for i in changed)
        ):
            found = last[1]
        elif (
            last is None
            and self.saved_duplicates is not None
            and self.saved_duplicates[0] == self._identified(people_notes)
        ):
            found = self.saved_duplicates[1]
        else:
            found = duplicate_people(people_notes)
        self.saved_duplicates = None
        self.duplicates = (people_notes, found)
        return found

    def _identified(self, people_notes: list[Note]) -> str:
        """The digest of the identities of ``people_notes`` (identities.py)."""
        assert self.key_of is not None
        return self.identities.of(people_notes, self.key_of)

    def _mentions(
        self,
        dated: list[Note],
        key_of: Callable[[str], str],
        names: Names,
        unchanged: bool,
    ) -> tuple[dict[str, tuple[Interaction, ...]], dict[str, list[str]]]:
        """Each person's mentions in dated notes, and the keys of the notes they are in:
        the last build's when no dated note changed (``unchanged`` says so when it is
        known without looking); a dated note's mentions are resolved again only when it
        or the names changed."""
        if unchanged and self.mentions is not None:
            return self.mentions
        resolved = []
        fresh = self.mentions is None or len(dated) != len(self.dated)
        if len(dated) != len(self.dated):
            self._saved.pop("dated", None)  # a dated note came or went: saved again
        kept: dict[str, tuple[str, str, list[tuple[str, Interaction, str]]]] = {}
        for note in dated:
            key = key_of(note.path)
            entry = self.dated.get(note.path)
            if entry is None or entry[0] != key or entry[1] != names.key:
                fresh = True
                self._saved.pop("dated", None)  # saved again, with this note's mentions
                entry = (key, names.key, with_texts(mentions_in(note, names.resolver)))
            kept[note.path] = entry
            resolved.append(entry[2])
        self.dated = kept
        if not fresh and self.mentions is not None:
            return self.mentions
        self.mentions = mentions_of(resolved)
        return self.mentions


def _details(
    note: Note,
    mentions: tuple[Interaction, ...],
    today: dt.date,
    whole: Callable[[Note], Note] | None,
) -> DetailsValues:
    """A saved person's interactions, front matter and the rest (``More``), from their
    note (read whole now if the build took its stub)."""
    if type(note) is Stub:
        assert whole is not None
        note = whole(note)
    return details_of(note, mentions, today)


def _same_names(before: Note, now: Note) -> bool:
    return before.path == now.path and before.name == now.name and before.aliases == now.aliases
