"""The keys of the reciprocity's balances, thank-yous owed and open asks, made where they
are made (reciprocity.made_key) and saved with the insights: their rows are not walked
(state/valuekey.py), and an edit of anything a row shows renders it again."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.state.builds import build, edit, fresh, written
from vaultnet.config import load_config
from vaultnet.insights.insights import compute_insights
from vaultnet.insights.reciprocity import Balance, Exchange, Owed
from vaultnet.pipeline.build import build_vault
from vaultnet.state import valuekey
from vaultnet.state.rowstore import shard_of

PAGE = "Reciprocity.md"
PATH = "People/Amara Nwosu.md"


def test_the_keys_cover_every_field_a_template_can_read() -> None:
    """A balance's exchanges, and a thank-you's or an ask's entry, are the person's own
    entries, which their digest keys; a field added to these classes fails here until
    ``made_key`` is given it too (reciprocity.py)."""

    def names(kind: type) -> set[str]:
        if not dataclasses.is_dataclass(kind):  # a named tuple: each field is compared
            return set(getattr(kind, "_fields"))  # noqa: B009
        return {f.name for f in dataclasses.fields(kind) if f.compare}

    assert names(Balance) == {"person", "gave", "got", "asks", "one_sided"}
    assert names(Owed) == {"person", "exchange", "days"}
    assert names(Exchange) == {"entry", "gave", "got", "ask"}


def _log(path: Path, line: str) -> None:
    edit(path, "## Log\n", f"## Log\n{line}\n")


def test_a_row_is_rendered_again_for_each_of_its_inputs(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = sample_vault / "People"
    ann, amara = people / "Ann Lee.md", people / "Amara Nwosu.md"
    walked: list[str] = []
    real = valuekey.ValueKeys._walk_object

    def walk(self: valuekey.ValueKeys, value: object, parts: list[str], depth: int) -> None:
        walked.append(type(value).__name__)
        real(self, value, parts, depth)

    monkeypatch.setattr(valuekey.ValueKeys, "_walk_object", walk)
    build(sample_vault)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("a #gave entry", lambda: _log(ann, "- 2026-11-21 intro to a recruiter #gave")),
        ("its text", lambda: edit(ann, "intro to a recruiter", "intro to two recruiters")),
        ("its date", lambda: edit(ann, "- 2026-11-21 intro", "- 2026-11-20 intro")),
        ("its tag", lambda: edit(ann, "two recruiters #gave", "two recruiters #got")),
        ("a #got's text", lambda: edit(ann, "long loop round", "short loop round")),
        ("an #ask", lambda: _log(amara, "- 2026-11-23 asked for a referral #ask")),
        ("the ask's text", lambda: edit(amara, "for a referral #ask", "for an intro #ask")),
        ("its answer", lambda: _log(amara, "- 2026-11-24 the intro came through #got")),
        ("a later contact", lambda: _log(amara, "- 2026-11-25 tea")),
        ("a tier", lambda: edit(ann, "tier: champion", "tier: supporter")),
        ("a name", lambda: edit(ann, "name: Ann Lee", "name: Ann B. Lee")),
    ]
    before = written(sample_vault)[PAGE]
    for what, change in steps:
        change()
        walked.clear()
        build(sample_vault)
        page = written(sample_vault)[PAGE]
        assert page != before, what
        assert page == fresh(sample_vault, tmp_path)[0][PAGE], what
        before = page
        # Balances and the rest taken by the keys they were made with, not walked into.
        assert "Balance" in walked, what
        assert "Exchange" not in walked, what


def test_a_balances_key_files_its_rows_with_its_persons(sample_vault: Path) -> None:
    today = dt.date(2026, 11, 26)
    result = build_vault(load_config(sample_vault), today, cache=None, write=False)
    assert result.network is not None
    given = compute_insights(result.network).reciprocity
    keys = valuekey.ValueKeys("context")
    for value in (*given.balances, *given.thanks_owed):
        key = keys.key(value, "block")
        assert key is not None
        assert shard_of(key) == shard_of(value.person.digest)


def _keys_of(vault: Path, path: str) -> tuple[str | None, ...]:
    """The made keys of the person's balance and thank-you owed, if any, computed anew."""
    today = dt.date(2026, 11, 26)
    result = build_vault(load_config(vault), today, cache=None, write=False)
    assert result.network is not None
    given = compute_insights(result.network).reciprocity
    balance = next(b for b in given.balances if b.person.path == path)
    owed = [o._key for o in (*given.thanks_owed, *given.open_asks) if o.person.path == path]
    return (balance._key, *owed)


def test_a_made_key_changes_with_each_field_its_rows_show(sample_vault: Path) -> None:
    """Checked on the keys themselves: saved rows are also dropped with their person's
    file, which would hide a key that misses a field."""
    amara = sample_vault / "People" / "Amara Nwosu.md"
    _log(amara, "- 2026-11-22 advice on a talk #got")
    steps: list[tuple[str, Callable[[], None]]] = [
        ("its text", lambda: edit(amara, "advice on a talk", "advice on two talks")),
        ("its date", lambda: edit(amara, "- 2026-11-22 advice", "- 2026-11-21 advice")),
        ("its tag", lambda: edit(amara, "two talks #got", "two talks #got #ask")),
        ("a tier", lambda: edit(amara, "tier: advocate", "tier: champion")),
        ("a name", lambda: edit(amara, "tier: champion", "tier: champion\nname: Amara B. Nwosu")),
    ]
    seen = [_keys_of(sample_vault, PATH)]
    for what, change in steps:
        change()
        keys = _keys_of(sample_vault, PATH)
        assert None not in keys, what
        assert keys[0] not in [before[0] for before in seen], what  # the balance's
        assert keys[1:] and keys[1:] not in [before[1:] for before in seen], what
        seen.append(keys)
