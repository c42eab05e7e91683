"""The names and the last network's orders a one-shot build saves (state/modelstore.py,
state/orders.py): taken where their keys match, never the source of truth, and ignored
when damaged, planted or reached through a link."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from tests.state.builds import append, build, counted, edit, written
from tests.state.builds import fresh as fresh_build
from vaultnet.state import modelstore
from vaultnet.state import people as people_module

SAVED = Path(".vaultnet") / "model"


def fresh(vault: Path, tmp_path: Path) -> tuple[dict[str, bytes], list[str]]:
    """``fresh``, without its calls counted: they are undone once it is made."""
    with pytest.MonkeyPatch.context() as patched:
        for name in ("names_of", "network_of", "from_saved"):
            patched.setattr(people_module, name, getattr(people_module, f"_real_{name}"))
        return fresh_build(vault, tmp_path)


@pytest.fixture(autouse=True)
def _reals(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("names_of", "network_of", "from_saved"):
        monkeypatch.setattr(
            people_module, f"_real_{name}", getattr(people_module, name), raising=False
        )


def test_a_build_after_a_few_edits_takes_the_names_and_orders_as_saved(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(sample_vault)
    names = counted(monkeypatch, people_module, "names_of")
    ordered = counted(monkeypatch, people_module, "network_of")
    restored = counted(monkeypatch, people_module, "from_saved")
    # A log line changes no name and moves nobody in the orders.
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    build(sample_vault)
    assert names == [] and ordered == [] and len(restored) == 1
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]
    # The next build takes what this one saved.
    append(sample_vault / "People" / "Bob Marsh.md", "- 2026-11-24 — lunch\n")
    build(sample_vault)
    assert names == [] and ordered == []
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]


@pytest.mark.parametrize(
    ("old", "new", "again"),
    [
        ("tier: champion", "tier: acquaintance", "network_of"),  # a move in the ladder
        ("aliases: [Ann]", "aliases: [Ann, Annie]", "names_of"),  # another name
    ],
    ids=["tier", "alias"],
)
def test_an_edit_that_moves_someone_or_renames_them_computes_that_again(
    sample_vault: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    old: str,
    new: str,
    again: str,
) -> None:
    build(sample_vault)
    computed = counted(monkeypatch, people_module, again)
    edit(sample_vault / "People" / "Ann Lee.md", old, new)
    build(sample_vault)
    assert len(computed) == 1
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]
    # And back, from what that build saved.
    edit(sample_vault / "People" / "Ann Lee.md", new, old)
    build(sample_vault)
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]


def test_a_new_person_or_a_person_gone_orders_everyone_again(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(sample_vault)
    ordered = counted(monkeypatch, people_module, "network_of")
    note = sample_vault / "People" / "Dana New.md"
    note.write_text("---\ntier: supporter\n---\n- 2026-11-20 — coffee\n", "utf-8")
    build(sample_vault)
    assert len(ordered) == 1
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]
    note.unlink()
    build(sample_vault)
    assert len(ordered) == 2
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]


def test_orders_saved_for_other_people_are_not_taken(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Orders saved by an earlier build (the people saved since are others) are not
    those of the people loaded: the network is ordered again."""
    build(sample_vault)
    stale = (sample_vault / SAVED / "network.pickle").read_bytes()
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    build(sample_vault)
    (sample_vault / SAVED / "network.pickle").write_bytes(stale)
    ordered = counted(monkeypatch, people_module, "network_of")
    append(sample_vault / "People" / "Bob Marsh.md", "- 2026-11-24 — lunch\n")
    build(sample_vault)
    assert len(ordered) == 1
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]


def _planted(part: str, value: object) -> object:
    """A value of the saved part's header and key, with what follows of another shape
    or naming someone the vault does not have."""
    assert isinstance(value, tuple)
    if part == "names":
        paths = {text: "People/Nobody.md" for text in value[1]}
        return (value[0], paths, *value[2:])
    day, configured, key, ladder, tiers, lists = value
    nobody = [f"People/Nobody {place}.md" for place in range(len(ladder))]
    return (day, configured, key, nobody, tiers, lists)


@pytest.mark.parametrize("part", ["names", "network"])
@pytest.mark.parametrize("damage", ["garbage", "shape", "planted", "out of range"])
def test_a_damaged_or_planted_file_is_ignored(
    sample_vault: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    part: str,
    damage: str,
) -> None:
    build(sample_vault)
    path = sample_vault / SAVED / f"{part}.pickle"
    payload = pickle.loads(path.read_bytes())
    value = payload["value"]
    if damage == "garbage":
        path.write_bytes(b"\x80\x04garbage")
    elif damage == "shape":
        path.write_bytes(pickle.dumps({**payload, "value": (value[0], [1, 2], {})}))
    elif damage == "out of range":  # a place past the ladder; a count that is not one
        if part == "names":
            value = (*value[:5], dict.fromkeys(value[5], "2"), value[6])
        else:
            places = [len(value[3]) + 5]
            value = (*value[:4], [(*tier[:6], places, tier[7]) for tier in value[4]], value[5])
        path.write_bytes(pickle.dumps({**payload, "value": value}))
    else:
        path.write_bytes(pickle.dumps({**payload, "value": _planted(part, value)}))
    computed = counted(monkeypatch, people_module, "names_of" if part == "names" else "network_of")
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    build(sample_vault)
    assert len(computed) == 1
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]
    # Saved again whole, and taken by the next build.
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-26 — lunch\n")
    build(sample_vault)
    assert len(computed) == 1
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]


def test_names_and_orders_are_never_read_or_written_through_a_link(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(sample_vault)
    outside = tmp_path / "outside"
    shutil.move(sample_vault / SAVED, outside)
    (sample_vault / SAVED).symlink_to(outside, target_is_directory=True)
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    assert {"names.pickle", "network.pickle"} <= set(before)
    names = counted(monkeypatch, people_module, "names_of")
    ordered = counted(monkeypatch, people_module, "network_of")
    append(sample_vault / "People" / "Ann Lee.md", "- 2026-11-25 — call about the RFC\n")
    build(sample_vault)
    assert len(names) == 1 and len(ordered) == 1
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before
    assert modelstore.load(sample_vault).names is None


def test_orders_saved_out_of_their_order_are_made_again(
    sample_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file of the right shape and keys whose follow-up lists are not in their order
    (made by hand) is not patched: the network is ordered again, with no error."""
    build(sample_vault)
    path = sample_vault / SAVED / "network.pickle"
    payload = pickle.loads(path.read_bytes())
    value = payload["value"]
    lists = {name: places[::-1] for name, places in value[5].items()}
    assert any(len(places) > 2 for places in lists.values())
    path.write_bytes(pickle.dumps({**payload, "value": (*value[:5], lists)}))
    ordered = counted(monkeypatch, people_module, "network_of")
    for name in ("Ann Lee", "Bob Marsh", "Zoë Okafor"):
        append(sample_vault / "People" / f"{name}.md", "- 2026-11-25 — call about the RFC\n")
    build(sample_vault)
    assert len(ordered) == 1
    assert written(sample_vault) == fresh(sample_vault, tmp_path)[0]
