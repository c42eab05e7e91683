"""``vaultnet properties``: vaultnet's computed values kept in each person's front matter.

Obsidian Bases reads only a note's own properties, so contact found in a note's log is
invisible to it. On request this writes ``vaultnet_last_contact``, ``vaultnet_due``,
``vaultnet_bucket`` and ``vaultnet_tier_rank`` into each active person's note (archived
people get none), through the editor: only those keys' lines change, and only when a value
differs, so a second run writes nothing. ``remove`` takes all four out again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vaultnet.config import Config
from vaultnet.edit import EditError, EditResult, set_field
from vaultnet.edit.actions import edit_in_vault
from vaultnet.model.network import Network, Person

KEYS = ("vaultnet_last_contact", "vaultnet_due", "vaultnet_bucket", "vaultnet_tier_rank")
EXPECT = frozenset(KEYS)


@dataclass
class PropertiesResult:
    """What a run changed (or would change), and the notes it could not edit."""

    changed: list[EditResult]
    refused: list[EditError]


def values(person: Person) -> dict[str, dt.date | str | int | None]:
    """The four properties of ``person``; None for archived people or a missing value."""
    if person.archived:
        return dict.fromkeys(KEYS)
    return {
        "vaultnet_last_contact": person.last_contact,
        "vaultnet_due": person.followup.due,
        "vaultnet_bucket": person.followup.bucket or None,
        "vaultnet_tier_rank": person.tier.rank + 1,  # 1 = the strongest tier
    }


def update(
    config: Config, network: Network | None, *, remove: bool = False, dry_run: bool = False
) -> PropertiesResult:
    """Bring every person note's properties up to date (or, with ``remove``, take them out).

    A note another program is saving is left as it is and reported in ``refused``.
    """
    result = PropertiesResult([], [])
    people = network.people if network is not None else ()
    for person in people:
        wanted = dict.fromkeys(KEYS) if remove else values(person)
        if _holds(person, wanted):
            continue  # the note, as this build read it, has them already: no need to open it

        def transform(text: str, wanted: dict[str, dt.date | str | int | None] = wanted) -> str:
            for key, value in wanted.items():
                text = set_field(text, key, value)  # None removes the key
            return text

        try:
            edited = edit_in_vault(
                config, config.vault / person.path, transform, EXPECT, False, dry_run
            )
        except EditError as exc:
            result.refused.append(exc)
            continue
        if edited.changed:
            result.changed.append(edited)
    return result


def _holds(person: Person, wanted: dict[str, dt.date | str | int | None]) -> bool:
    """Whether the person's front matter, as read, already has each wanted value (and none
    of those wanted absent)."""
    front = person.front_matter
    return all(
        (key not in front) if value is None else (key in front and str(front[key]) == str(value))
        for key, value in wanted.items()
    )
