"""What the duplicate check compares in person notes (model/identity.py), as a digest.

The check's warnings are a function of every person note's identity: its path, name,
file name, aliases, email, profile, phone and company, with the lines the warnings name.
Each note's identity is kept as a digest beside the note's key (personstore.py saves it
with the person); the digest of everyone's, in path order, is the key the warnings are
saved under (modelstore.py), and since the identities hold what the names are made of
(path, name and aliases), the names too (people.py).
"""

from __future__ import annotations

from collections.abc import Callable

from vaultnet.model.person import content_key
from vaultnet.source.notes import Note
from vaultnet.state.personstore import IDENTITY_LINES, Stub


def identity(note: Note) -> tuple[object, ...]:
    """What ``duplicate_people`` looks at in a note, the lines of its warnings included."""
    lines = tuple(map(note.lines.get, IDENTITY_LINES))
    return (
        note.name,
        note.stem,
        note.aliases,
        note.email,
        note.linkedin,
        note.phone,
        note.company,
        lines,
    )


def identity_key(note: Note) -> str:
    """A digest of the note's path and of its identity (the warnings name the path)."""
    return content_key(note.path, repr(identity(note)))


def identified(
    people_notes: list[Note], key_of: Callable[[str], str], known: dict[str, tuple[str, str]]
) -> str:
    """The digest of the identities of ``people_notes`` (path order): each note's taken
    from ``known`` (its key and identity digest, by path) while the note's key is the
    same, found again otherwise and put in ``known``. A stub stands for a note whose key
    is the one saved with it, and with its identity: that one is taken without asking
    for the key."""
    parts: list[str] = []
    for note in people_notes:
        path = note.path
        found = known.get(path)
        if found is None or type(note) is not Stub:
            key = key_of(path)
            if found is None or found[0] != key:
                found = known[path] = (key, identity_key(note))
        parts.append(found[1])
    return content_key(*parts)


class Identities:
    """Each person note's key and identity digest, by path (as the saved people hold them,
    personstore.py, then as the last builds found them), and the digest of the identities
    of one list of person notes, once found (``of``). The per-person state holds one
    (people.py): a build finds each note's identity once, for the warnings' key, the
    names' and the people it saves."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, str]] = {}
        self._last: tuple[list[Note], str] | None = None  # a list of notes and its digest

    def of(self, people_notes: list[Note], key_of: Callable[[str], str]) -> str:
        """The digest of the identities of ``people_notes`` (``identified``), once for a
        list of them."""
        if self._last is not None and self._last[0] is people_notes:
            return self._last[1]
        if len(self.known) > 2 * len(people_notes):  # many notes gone (a watcher's)
            known = self.known
            self.known = {n.path: known[n.path] for n in people_notes if n.path in known}
        digest = identified(people_notes, key_of, self.known)
        self._last = (people_notes, digest)
        return digest
