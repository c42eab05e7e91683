"""Recent moves: the changes of position that ``history`` dates, and log entries of kind
``moved``, as the companies insight lists them. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from vaultnet.insights.companytypes import CompanyRef, Move, ref_key
from vaultnet.model.network import Interaction, Network, Person
from vaultnet.source.companynames import company_key

RECENT_MOVE_DAYS = 180


def moved_entries(network: Network) -> dict[str, list[Interaction]]:
    """Each person's log entries of kind ``moved`` (any case), oldest first."""
    found: dict[str, list[Interaction]] = {}
    for person in network.people:
        entries = moved_of(person)
        if entries:
            found[person.key] = entries
    return found


def still_open(end: dt.date | None, today: dt.date) -> bool:
    """Whether a position that ends on ``end`` (None: open) is still held ``today``."""
    return end is None or end > today


def moved_of(person: Person) -> list[Interaction]:
    """A person's log entries of kind ``moved`` (any case), oldest first."""
    # The length test first: this runs for many log entries of the vault.
    return [
        entry
        for entry in person.notable  # moved entries are among them
        if entry.kind is not None and len(entry.kind) == 5 and entry.kind.casefold() == "moved"
    ]


def move_order(move: Move) -> tuple[int, str, str, str]:
    return (-move.date.toordinal(), move.person.sort_name, move.person.path, move.kind)


def logged_move(person: Person, entry: Interaction, refs: dict[str, CompanyRef]) -> Move:
    """A ``moved:`` log entry; it concerns the companies it links to, else the current one."""
    keys = []
    for target in entry.links:
        key = company_key(f"[[{target}]]")
        if key in refs and key not in keys:
            keys.append(key)
    if not keys and person.company is not None:
        keys.append(ref_key(person.company))
    return Move(
        person,
        entry.date,
        "logged",
        note=entry.text,
        companies=tuple(keys),
        source=entry.source,
        line=entry.line,
    )


def history_move(
    person: Person,
    refs: dict[str, CompanyRef],
    since: dt.date,
    today: dt.date,
    now_key: str | None,
    key_of: Callable[[str], str] = company_key,
) -> Move | None:
    """The latest change of position ``history`` dates within the window, if any.

    ``now_key`` is the key of the person's company (``ref_key``), and ``key_of`` gives a
    history entry's (``company_key``): the caller has read both already."""
    started: dt.date | None = None
    ended = []
    for position in person.history:
        key = key_of(position.company)
        if key == now_key and still_open(position.end, today):
            if position.start is not None and since <= position.start <= today:
                started = max(started or position.start, position.start)
        elif position.end is not None and position.end <= today:
            ended.append((position.end, key, position))
    recent = [item for item in ended if item[0] >= since]
    if started is None and not recent:
        return None
    # What they left: the latest position that ended in the window, or before the new start.
    candidates = recent or [item for item in ended if started and item[0] <= started]
    left = max(candidates, key=lambda item: item[0]) if candidates else None
    date = max(d for d in (started, left[0] if left else None) if d is not None)
    now = refs[now_key] if now_key else None
    source = person.path
    if left is None:
        assert now is not None and now_key is not None
        return Move(
            person,
            date,
            "joined",
            joined=now,
            role=person.role,
            companies=(now_key,),
            source=source,
        )
    _, left_key, position = left
    if now is None or now_key is None:
        return Move(
            person,
            date,
            "left",
            left=refs[left_key],
            old_role=position.role,
            companies=(left_key,),
            source=source,
        )
    if left_key == now_key:
        return Move(
            person,
            date,
            "changed_role",
            joined=now,
            role=person.role,
            old_role=position.role,
            companies=(now_key,),
            source=source,
        )
    return Move(
        person,
        date,
        "changed_company",
        left=refs[left_key],
        joined=now,
        role=person.role,
        old_role=position.role,
        companies=(left_key, now_key),
        source=source,
    )
