"""The digest's entries of people, saved in ``.vaultnet/digest-entries.pickle`` for the next
build's ``digest --format json`` text.

A build that records saves the digest's JSON (``last-digest.json``), one entry a person in
each list (render/digest.py: ``person_json``). An entry is a function of the person alone,
and the person's digest is a key of everything the person is made from, the day and the
configuration included (model/person.py). So an entry's JSON text saved under the digest
is exact for any later build that meets the same person: a build after a few edits encodes
the entries of the people edited and takes the others' text as saved.

One file, written whole and atomically when an entry was made or one saved was not used;
only the entries the latest digest used are kept. A file that is missing, damaged, of
another format or version, holds anything but text, or is reached through a link is
ignored (and written again). Nothing here is the source of truth: deleting it changes no
output.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vaultnet.containment import STATE_DIR, link_on_the_way
from vaultnet.state.statefile import read_state, write_state

FORMAT = 1  # bumped whenever entries are keyed or stored differently
FILE_NAME = "digest-entries.pickle"


class DigestEntries:
    """The saved entries of one vault's digest: read on first use, and saved when the
    entries the latest digest used are not what the file holds."""

    def __init__(self, vault: Path) -> None:
        self.vault = vault
        self.saved: dict[str, str] | None = None  # what the file held (read on first use)
        self.used: dict[str, str] = {}  # the entries of the latest digest, by key
        self.made = False  # whether an entry was encoded rather than taken as saved

    @property
    def _relative(self) -> str:
        return f"{STATE_DIR}/{FILE_NAME}"

    def _usable(self) -> bool:
        """Whether the file lies inside the vault, not reached through a link (the file
        itself included)."""
        return link_on_the_way(self.vault, self._relative) is None

    def entry(self, key: str, make: Callable[[], str]) -> str:
        """The entry's JSON text saved under ``key``, or ``make()`` when none is."""
        if self.saved is None:
            self.saved = self._read()
        text = self.saved.get(key)
        if text is None:
            text = make()
            self.made = True
        self.used[key] = text
        return text

    def _read(self) -> dict[str, str]:
        payload = read_state(self.vault / self._relative, FORMAT) if self._usable() else None
        if payload is None or type(payload.get("entries")) is not dict:
            return {}
        found: dict[str, str] = payload["entries"]
        for key, text in found.items():
            if type(key) is not str or type(text) is not str:
                return {}  # not the shape vaultnet writes
        return found

    def save(self) -> None:
        """Save the entries the latest digest used, unless the file holds them already.
        Failures only cost speed."""
        saved = self.saved or {}
        if not self.made and len(saved) == len(self.used):
            return  # every entry taken as saved, and every saved one used
        if not self._usable():
            return  # never through a link
        if write_state(self.vault / self._relative, FORMAT, {"entries": self.used}):
            self.saved, self.used, self.made = self.used, {}, False
