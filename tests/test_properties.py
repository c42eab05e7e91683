"""Property tests where the input space is large: parsing, durations, dates in words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vaultnet.config import Config
from vaultnet.dates import Duration, ago, parse_duration
from vaultnet.model.followups import BUCKETS
from vaultnet.model.network import build_network
from vaultnet.source.notes import TEXT_FIELDS, Note, ParseOptions, Unreadable, parse_note
from vaultnet.source.yamldata import YamlError, load_mapping

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces notes are made of, to reach deeper than random bytes do.
FRAGMENTS = [
    "---",
    "----",
    "...",
    "+++",
    "\ufeff",
    "\r\n",
    "\r",
    "\n",
    "\n",
    "\x00",
    "tier: champion",
    "tier:",
    "type: person",
    "tags: [person]",
    'categories: ["[[People]]"]',
    "name: Yes",
    "phone: +447911123456",
    "last_contact: 2026-11-01",
    "met: 2024-02-30",
    "birthday: --02-29",
    "birthday: 13-45",
    "cadence: 3m",
    "cadence: often",
    "cadence: 99999999999",
    "cadence: 100000y",
    "cadence: ¹",
    "next_follow_up: 9999-12-31",
    "last_contact: 0001-01-01",
    "met: 9999-12-31",
    "next_follow_up: 2026-12-01T10:00:00Z",
    "snooze_until: tomorrow",
    "status: archived",
    "date: 2026-11-03",
    "history:",
    "  - company: Acme",
    "    from: 2020",
    "- a",
    "  - b",
    "key: &a [1, 2]",
    "other: *a",
    "<<: *a",
    "x: !!python/object/apply:os.system ['true']",
    "x: [[[[",
    "x: {a: b}",
    "x: 'unclosed",
    "tag: #work",
    "tier: a",
    "Tier: b",
    "name: a\u200bb",
    "## Log",
    "# Meetings",
    "### 2025",
    "- 2026-10-01 coffee: talked #gave",
    "- [[2026-11-03]] call: with [[Bob]] #got",
    "- 2026-13-45 nonsense",
    "- [ ] call [[Alice]]",
    "- [x] called [[Alice|Al]]",
    "> quote [[Alice]]",
    "![[Alice]]",
    "```",
    "~~~",
    "[[Sq]uare]]",
    "[[",
    "]]",
    "|",
    "#",
    ":",
    " ",
    "\t",
    "é",
    "\u202e",
]

fragment_text = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)
line_text = st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("\n".join)
paths = st.sampled_from(
    ["People/Alice.md", "Daily/2026-11-03.md", "2026-11-03 Standup.md", "Ideas.md", "x.MD"]
)
OPTIONS = ParseOptions(daily_pattern=r"Journal/(?P<d>\d{2})\.(?P<m>\d{2})\.(?P<y>\d{4})")


def _check(result: Note | Unreadable, path: str) -> None:
    assert isinstance(result, Note | Unreadable)
    assert result.path == path
    for diagnostic in result.diagnostics:
        assert diagnostic.path == path
        assert diagnostic.level in ("error", "warning")
        assert diagnostic.message
        assert diagnostic.line is None or diagnostic.line >= 1
    if isinstance(result, Unreadable):
        assert any(d.level == "error" for d in result.diagnostics)


@FAST
@given(data=st.binary(max_size=2000), path=paths)
@example(data=b"\xff\xfe\x00", path="People/Alice.md")
@example(data=b"---\n\x00\n---\n", path="People/Alice.md")
def test_parse_note_never_raises_on_bytes(data: bytes, path: str) -> None:
    _check(parse_note(path, data, OPTIONS), path)


@FAST
@given(text=st.text(max_size=1000), path=paths)
def test_parse_note_never_raises_on_text(text: str, path: str) -> None:
    for encoding in ("utf-8", "utf-16"):
        _check(parse_note(path, text.encode(encoding, "surrogatepass"), OPTIONS), path)


@FAST
@given(text=fragment_text, path=paths)
def test_parse_note_never_raises_on_note_like_text(text: str, path: str) -> None:
    _check(parse_note(path, text.encode("utf-8"), OPTIONS), path)


@FAST
@given(front=line_text, body=line_text, path=paths)
def test_parse_note_never_raises_on_front_matter_fragments(
    front: str, body: str, path: str
) -> None:
    for newline in ("\n", "\r\n"):
        text = f"---\n{front}\n---\n{body}".replace("\n", newline)
        _check(parse_note(path, text.encode("utf-8"), OPTIONS), path)


@FAST
@given(
    notes=st.lists(st.tuples(paths, line_text, line_text), max_size=4),
    today=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)),
)
def test_the_model_never_raises_on_parsed_notes(
    notes: list[tuple[str, str, str]], today: dt.date
) -> None:
    parsed = []
    for index, (path, front, body) in enumerate(notes):
        text = f"---\n{front}\n---\n{body}"
        result = parse_note(f"{index}/{path}", text.encode("utf-8"), OPTIONS)
        if isinstance(result, Note):
            parsed.append(result)
    network, diagnostics = build_network(Config(vault=Path("vault")), parsed, today)
    assert len(network.people) == sum(1 for n in parsed if n.person)
    for person in network.active:
        assert person.followup.bucket in BUCKETS
    assert all(d.level in ("error", "warning") for d in diagnostics)


# The fast reader of plain front matter must agree with the full YAML reader.
SIMPLE_KEYS = ["name", "tier", "Tier", "phone", "tags", "met", "x", "history", "a-b", "k_2"]
SIMPLE_VALUES = [
    "",
    "champion",
    "Yes",
    "NO",
    "true",
    "false",
    "~",
    "null",
    "012345",
    "+447911123456",
    "12:30",
    "1.5",
    "0x1F",
    "2026-11-01",
    "2024-02-30",
    "2026-11-01T10:00:00Z",
    "2026-11-01 10:00",
    '"quoted: yes"',
    "'single'",
    "''",
    '"[[Ann Lee]]"',
    "[a, b]",
    "[]",
    '["[[A]]", c]',
    "[1, 2.5, yes]",
    "http://x.org/a#b",
    "a #comment",
    "#comment",
    "x: y",
    "a:b",
    "Ann (CTO)",
    "$5",
    "- item",
    "~x",
    "[a, [b]]",
    "{a: 1}",
]
SIMPLE_BLOCKS = [
    "\n  - one\n  - 2",
    "\n- one\n- two",
    "\n  - company: Acme\n    role: CTO\n  - company: B",
    "\n  - company: Acme\n    from: 2020-01-01",
    "\n  nested: map",
    "\n  - a\n - b",
]
simple_line = st.one_of(
    st.builds(
        lambda k, v: f"{k}: {v}".rstrip(),
        st.sampled_from(SIMPLE_KEYS),
        st.sampled_from(SIMPLE_VALUES),
    ),
    st.builds(
        lambda k, b: f"{k}:{b}", st.sampled_from(SIMPLE_KEYS), st.sampled_from(SIMPLE_BLOCKS)
    ),
    st.sampled_from(["", "  ", "\t", "\u00a0", "# comment"]),
)


def _full(text: str, keys: frozenset[str]) -> object:
    from vaultnet.source.yamlfull import load_full

    try:
        mapping = load_full(text, keys, 2)
    except YamlError as exc:
        return ("error", exc.message)
    return (mapping.data, mapping.lines, mapping.warnings)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(simple_line, max_size=8), text_keys=st.booleans())
def test_fast_front_matter_reader_agrees_with_full_yaml(lines: list[str], text_keys: bool) -> None:
    text = "\n".join(lines) + "\n"
    keys = TEXT_FIELDS if text_keys else frozenset()
    expected = _full(text, keys)
    try:
        mapping = load_mapping(text, keys, 2)
    except YamlError as exc:
        got: object = ("error", exc.message)
    else:
        got = (mapping.data, mapping.lines, mapping.warnings)
    if expected is not None and isinstance(expected, tuple) and expected[0] != "error":
        assert got == expected
    elif isinstance(expected, tuple):
        assert isinstance(got, tuple)
        assert got[0] == "error"


# --- durations and dates in words ---------------------------------------------------------------

durations = st.one_of(
    st.builds(Duration, days=st.integers(1, 100_000)),
    st.builds(lambda m: Duration(months=m), st.integers(1, 100_000)),
)


@FAST
@given(duration=durations)
def test_duration_str_round_trips(duration: Duration) -> None:
    assert parse_duration(str(duration)) == duration


@FAST
@given(value=st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.none(), st.booleans()))
def test_parse_duration_never_raises(value: object) -> None:
    result = parse_duration(value)
    assert result is None or result.days > 0 or result.months > 0


@FAST
@given(
    when=st.one_of(st.none(), st.dates()),
    today=st.dates(),
)
def test_ago_never_raises(when: dt.date | None, today: dt.date) -> None:
    words = ago(when, today)
    assert words
    if when is not None and when < today:
        assert words in ("yesterday",) or words.endswith(" ago")
    if when is not None and when > today:
        assert words == "tomorrow" or words.startswith("in ")
