"""Keys of values for their rows: exact, stable across processes, and None for anything
that cannot be keyed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from vaultnet.config import load_config
from vaultnet.pipeline.build import build_vault
from vaultnet.state.valuekey import ValueKeys

TODAY = dt.date(2026, 11, 26)


@dataclasses.dataclass(frozen=True)
class Job:
    who: str
    start: dt.date | None
    years: int
    share: float
    tags: tuple[str, ...] = ()
    _hash: int | None = dataclasses.field(default=None, compare=False)


class Pair(NamedTuple):
    first: object
    second: object


@dataclasses.dataclass
class Mutable:
    who: str


class Colour(enum.Enum):
    RED = 1
    BLUE = 2


def test_equal_values_have_equal_keys_and_any_difference_another() -> None:
    keys = ValueKeys("day and configuration")
    job = Job("Ann", TODAY, 3, 0.5, ("a", "b"))
    same = Job("Ann", TODAY, 3, 0.5, ("a", "b"), _hash=123)  # a cache: not the value
    assert keys.key(job, "b") == keys.key(same, "b") is not None
    others = [
        Job("Ann ", TODAY, 3, 0.5, ("a", "b")),
        Job("Ann", None, 3, 0.5, ("a", "b")),
        Job("Ann", TODAY, 4, 0.5, ("a", "b")),
        Job("Ann", TODAY, 3, 0.25, ("a", "b")),
        Job("Ann", TODAY, 3, 0.5, ("a,b",)),
        Job("Ann", TODAY, 3, 0.5, ("a", "b", "")),
        Pair("Ann", 3),
    ]
    found = {keys.key(job, "b")} | {keys.key(other, "b") for other in others}
    assert len(found) == len(others) + 1 and None not in found
    # Types that print alike are told apart; the block and the environment count too.
    assert len({keys.key(v, "b") for v in ("1", 1, 1.0, True, None, "None")}) == 6
    assert keys.key(Pair(Colour.RED, 1), "b") != keys.key(Pair(Colour.BLUE, 1), "b")
    assert keys.key(job, "b") != keys.key(job, "c")
    assert keys.key(job, "b") != ValueKeys("another day").key(job, "b")


def test_a_person_stands_by_their_digest(sample_vault: Path) -> None:
    network = build_vault(load_config(sample_vault), TODAY, cache=None, write=False).network
    assert network is not None
    again = build_vault(load_config(sample_vault), TODAY, cache=None, write=False).network
    assert again is not None
    keys = ValueKeys("x")
    ann, other = network.people[0], network.people[1]
    assert ann is not again.people[0]
    assert keys.key(Pair(ann, 1), "b") == keys.key(Pair(again.people[0], 1), "b")
    assert keys.key(Pair(ann, 1), "b") != keys.key(Pair(other, 1), "b")


def test_what_cannot_be_keyed_is_not_guessed() -> None:
    keys = ValueKeys("x")

    @dataclasses.dataclass(frozen=True)
    class Local:  # another call of a function may make another class of this name
        who: str

    unkeyable: list[object] = [
        {"a": 1},
        ["a"],
        {"a"},
        frozenset({"a"}),
        Mutable("Ann"),
        Local("Ann"),
        Pair("Ann", {"nested": 1}),
        Job("Ann", TODAY, 3, 0.5, (object(),)),  # type: ignore[arg-type]
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        b"bytes",
    ]
    assert [keys.key(value, "b") for value in unkeyable] == [None] * len(unkeyable)
    deep: object = "x"
    for _ in range(100):
        deep = Pair(deep, 1)
    assert keys.key(deep, "b") is None


def test_keys_are_the_same_in_another_process() -> None:
    script = (
        "import datetime as dt\n"
        "from tests.state.test_valuekey import Colour, Job, Pair\n"
        "from vaultnet.state.valuekey import ValueKeys\n"
        "value = Pair(Job('Ann', dt.date(2026, 11, 26), 3, 0.5, ('a',)), Colour.RED)\n"
        "print(ValueKeys('x').key(value, 'b'))\n"
    )
    root = Path(__file__).resolve().parents[2]
    found = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        found.add(done.stdout.strip())
    assert len(found) == 1 and len(found.pop()) == 32
