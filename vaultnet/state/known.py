"""The last build's notes sorted out (people.py), and brought up to date with the notes
a watcher's build knows changed, without sorting them all again."""

from __future__ import annotations

from dataclasses import dataclass

from vaultnet.model.network import Split, is_dated
from vaultnet.source.notes import Note


@dataclass(slots=True)
class Known:
    """The last build's notes sorted out, with where each person and dated note is (made
    when a watcher's build first asks)."""

    split: Split
    _person_at: dict[str, int] | None = None
    _dated_at: dict[str, int] | None = None

    @property
    def person_at(self) -> dict[str, int]:
        if self._person_at is None:
            self._person_at = {note.path: i for i, note in enumerate(self.split.people)}
        return self._person_at

    @property
    def dated_at(self) -> dict[str, int]:
        if self._dated_at is None:
            self._dated_at = {note.path: i for i, note in enumerate(self.split.dated)}
        return self._dated_at

    def changed(self, changes: dict[str, Note | None]) -> tuple[Known, list[int], bool] | None:
        """These notes after ``changes``, where the person notes changed, and whether no
        dated note did; None when a note came, went, or became or stopped being a person
        or a dated note."""
        last = self.split
        people, dated = list(last.people), list(last.dated)
        changed: list[int] = []
        dated_same = True
        for path, note in changes.items():
            old = last.by_path.get(path)
            if old is None or note is None:
                if old is None and note is None:
                    continue
                return None
            if old.person != note.person or is_dated(old) != is_dated(note):
                return None
            if note.person:
                changed.append(self.person_at[path])
                people[self.person_at[path]] = note
            if is_dated(note):
                dated_same = False
                dated[self.dated_at[path]] = note
        by_path = dict(last.by_path)
        by_path.update((path, note) for path, note in changes.items() if note is not None)
        changed.sort()
        # The same paths: the same file names.
        split = Split(people, dated, last.others, by_path, last._names)
        return Known(split, self.person_at, self.dated_at), changed, dated_same
