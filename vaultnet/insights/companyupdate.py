"""A watcher's companies: brought up to date from the last network's where only the people
replaced differ, and that is exact. Pure."""

from __future__ import annotations

import dataclasses

from vaultnet.insights.companies import positions_of
from vaultnet.insights.companytypes import Company, CompanyIndex, Move, Stint
from vaultnet.insights.logscan import PersonValues
from vaultnet.insights.moves import moved_of
from vaultnet.model.network import Network, Person


def update_companies(
    previous: CompanyIndex, network: Network, values: PersonValues | None = None
) -> CompanyIndex | None:
    """The companies of a patched network (``network.patch``), from those of the network it
    was made from: the people replaced are swapped into the stints and moves that hold
    them, with their role now where it is shown (their stint now, and the moves
    ``history`` dates). None when something the companies are made of changed for one of
    them (their company, history or ``moved:`` entries): then they are built again.
    """
    patch = network.patch
    if patch is None:
        return None
    swapped: dict[str, Person] = {}
    for before, now in patch.replaced:
        if (
            before.company != now.company
            or before.history != now.history
            or moved_of(before) != moved_of(now)
        ):
            return None
        swapped[now.key] = now
    changed: dict[str, Company] = {}
    new_moves: dict[int, Move] = {}  # id of a move before -> the same move now
    for key, now in swapped.items():
        found = positions_of(now, network.today, values=values)
        keys = [found.now_key] if found.now_key is not None else []
        for company_at in (*keys, *found.alumni):
            company = changed.get(company_at) or previous.by_key.get(company_at)
            if company is None:
                return None  # cannot happen when the company was built from the same notes
            changed[company_at] = dataclasses.replace(
                company,
                current=_swap_stints(company.current, key, now, role=True),
                alumni=_swap_stints(company.alumni, key, now),
            )
    for move in previous.moves:
        mover = swapped.get(move.person.key)
        if mover is not None:
            # A move from ``history`` shows the role now (see _history_move), a logged one
            # does not.
            role = move.role if move.kind in ("logged", "left") else mover.role
            new_moves[id(move)] = move._replace(person=mover, role=role)
    if new_moves:
        for company_key in {k for m in previous.moves if id(m) in new_moves for k in m.companies}:
            company = changed.get(company_key) or previous.by_key[company_key]
            changed[company_key] = dataclasses.replace(
                company, moves=tuple(new_moves.get(id(m), m) for m in company.moves)
            )
    if not changed and not new_moves:
        return previous
    by_key = {**previous.by_key, **changed}
    return CompanyIndex(
        tuple(changed.get(c.key, c) for c in previous.with_pages),
        by_key,
        tuple(new_moves.get(id(m), m) for m in previous.moves),
        previous.by_person,
    )


def _swap_stints(
    stints: tuple[Stint, ...], key: str, now: Person, role: bool = False
) -> tuple[Stint, ...]:
    """The stints with ``now`` in place of the person of ``key`` (and their role now, for
    the stint at their company now)."""
    if not any(s.person.key == key for s in stints):
        return stints
    return tuple(
        s._replace(person=now, role=now.role if role else s.role) if s.person.key == key else s
        for s in stints
    )
