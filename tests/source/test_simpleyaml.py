"""The fast front matter reader agrees with the full YAML reader whenever it answers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet.source.notes import TEXT_FIELDS
from vaultnet.source.simpleyaml import fast_load
from vaultnet.source.yamlfull import load_full

KEYS = ["name", "tier", "company", "phone", "tags", "met", "note", "zip", "count", "x-y", "a_b"]
SCALARS = [
    "Ann Lee",
    "acquaintance",
    "+447911123456",
    "012345",
    "12",
    "-3",
    "1.5",
    "1e3",
    "0x1F",
    "true",
    "false",
    "yes",
    "NO",
    "null",
    "~",
    "2026-11-03",
    "2024-02-30",
    "2026-11-03 14:30",
    "https://example.com/a:b",
    "O'Brien",
    "King's Cross",
    "a, b",
    "C#",
    "100%",
    "12:30",
    '"[[Acme]]"',
    "'single'",
    '"double"',
    "[a, b]",
    "[]",
    '["x", y]',
    "Zoë 🙂",
    "a # comment",
]


def _front_matter(pairs: list[tuple[str, object]]) -> str:
    lines = []
    for key, value in pairs:
        if isinstance(value, list):
            indent = "  " if len(value) % 2 else ""
            lines.append(f"{key}:")
            lines += [f"{indent}- {item}" for item in value]
        else:
            lines.append(f"{key}: {value}" if value != "" else f"{key}:")
    return "\n".join(lines) + "\n"


values = st.one_of(
    st.sampled_from(SCALARS),
    st.just(""),
    st.lists(st.sampled_from(SCALARS), min_size=1, max_size=3),
    st.text(alphabet="abcXYZ019 :#-'\"[]{},.+/", max_size=12),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KEYS), values), max_size=8))
def test_fast_reader_agrees_with_yaml(pairs: list[tuple[str, object]]) -> None:
    text = _front_matter(pairs)
    fast = fast_load(text, TEXT_FIELDS, 2)
    if fast is None:
        return
    full = load_full(text, TEXT_FIELDS, 2)
    assert fast.data == full.data
    assert fast.lines == full.lines
    assert fast.warnings == full.warnings


def test_fast_reader_takes_the_common_shape() -> None:
    text = (
        'name: Ann Lee\ntier: champion\ncompany: "[[Harbor Health]]"\n'
        "phone: +447911123456\ntags: [person, data]\nmet: 2023-05-14\n"
        'knows:\n  - "[[Bob Marsh]]"\n  - Kat at Lumen\n'
        "history:\n  - company: Acme\n    role: Engineer\n    from: 2019-01-01\n"
    )
    fast = fast_load(text, TEXT_FIELDS, 2)
    assert fast is not None
    assert fast.data["phone"] == "+447911123456"
    assert fast.data["met"] == dt.date(2023, 5, 14)
    assert fast.data["history"] == [
        {"company": "Acme", "role": "Engineer", "from": dt.date(2019, 1, 1)}
    ]
    assert fast.lines["knows"] == 8


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate keys: the full reader reports them
        "tag: #work\n",  # a value that is a comment: the full reader warns
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "a: !!python/object x\n",  # tags
        "a: |\n  block\n",  # block scalars
        "a:\n  b: 1\n",  # nested mappings
        '"quoted key": 1\n',
        'a: "esc\\"aped"\n',
    ],
)
def test_fast_reader_hands_over_what_it_does_not_know(text: str) -> None:
    assert fast_load(text, TEXT_FIELDS, 2) is None
