"""Unit tests for front matter YAML: YAML 1.2 scalars, safety limits, line numbers."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from vaultnet.source.yamlcore import resolve_plain
from vaultnet.source.yamldata import YamlError, load_mapping

TEXT = frozenset({"name", "phone", "zip", "country"})


def load(text: str, text_keys: frozenset[str] = frozenset(), first_line: int = 2) -> dict:
    return load_mapping(text, text_keys, first_line).data


# --- YAML 1.2 core schema: what Obsidian reads, not YAML 1.1 --------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("NO", "NO"),  # the Norway problem
        ("no", "no"),
        ("yes", "yes"),
        ("Yes", "Yes"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("012345", "012345"),  # a leading zero is not an octal number
        ("0123.5", "0123.5"),
        ("12:30", "12:30"),  # not a sexagesimal number
        ("1_000", "1_000"),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("FALSE", False),
        ("~", None),
        ("null", None),
        ("42", 42),
        ("-7", -7),
        ("0", 0),
        ("0x1F", 31),
        ("0o17", 15),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("2024-01-02", dt.date(2024, 1, 2)),
        ("2024-02-30", "2024-02-30"),  # not a real date: kept as written
        ("2024-1-2", "2024-1-2"),
        ("hello world", "hello world"),
    ],
)
def test_plain_scalars_follow_yaml_1_2(source: str, expected: object) -> None:
    value = resolve_plain(source)
    assert value == expected
    assert type(value) is type(expected)


def test_datetimes_keep_their_zone() -> None:
    assert resolve_plain("2024-01-02T10:30:00Z") == dt.datetime(2024, 1, 2, 10, 30, tzinfo=dt.UTC)
    assert resolve_plain("2024-01-02 10:30") == dt.datetime(2024, 1, 2, 10, 30)
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert resolve_plain("2024-01-02T10:30:00+02:00") == dt.datetime(
        2024, 1, 2, 10, 30, tzinfo=plus_two
    )
    assert resolve_plain("2024-01-02T10:30:00.5") == dt.datetime(2024, 1, 2, 10, 30, 0, 500000)
    assert resolve_plain("2024-02-30T10:30:00") == "2024-02-30T10:30:00"


def test_mapping_values_follow_yaml_1_2() -> None:
    data = load(
        "country: NO\nactive: yes\nzip: 012345\ntime: 12:30\nflag: true\noff: false\n"
        "met: 2024-05-01\nat: 2024-05-01T09:00:00\nborn: 2024-02-30\n"
    )
    assert data == {
        "country": "NO",
        "active": "yes",
        "zip": "012345",
        "time": "12:30",
        "flag": True,
        "off": False,
        "met": dt.date(2024, 5, 1),
        "at": dt.datetime(2024, 5, 1, 9, 0),
        "born": "2024-02-30",
    }


def test_text_keys_keep_scalars_exactly_as_written() -> None:
    source = "phone: +447911123456\nname: Yes\nzip: 012345\ncountry: NO\nother: +447911123456\n"
    data = load(source, TEXT)
    assert data["phone"] == "+447911123456"
    assert data["name"] == "Yes"
    assert data["zip"] == "012345"
    assert data["country"] == "NO"
    # Outside the text keys a plain number is still a number.
    assert data["other"] == 447911123456


def test_text_keys_apply_inside_lists() -> None:
    data = load("phone:\n  - +4420\n  - 0044\nname: [1.0, true]\n", TEXT)
    assert data["phone"] == ["+4420", "0044"]
    assert data["name"] == ["1.0", "true"]


def test_quoted_scalars_are_always_text() -> None:
    data = load("a: \"2024-01-02\"\nb: 'true'\nc: \"42\"\nd: ''\n")
    assert data == {"a": "2024-01-02", "b": "true", "c": "42", "d": ""}


def test_a_str_tag_keeps_a_scalar_text() -> None:
    data = load("a: !!str 123\nb: !!str true\nc: !!str 2024-01-02\nd: !!str\ne: [!!str 1, 2]\n")
    assert data == {"a": "123", "b": "true", "c": "2024-01-02", "d": "", "e": ["1", 2]}
    assert load("!!str 7: x\n'<<': y\n") == {"7": "x", "<<": "y"}  # a quoted << is a key
    with pytest.raises(YamlError, match="unsupported YAML tag"):
        load("a: !!int 5\n")


def test_empty_values_are_none() -> None:
    data = load("birthday:\norg: []\nname: ~\n", TEXT)
    assert data == {"birthday": None, "org": [], "name": None}


def test_empty_front_matter_is_an_empty_mapping() -> None:
    mapping = load_mapping("", frozenset(), 2)
    assert mapping.data == {}
    assert mapping.warnings == []


def test_json_front_matter_is_yaml() -> None:
    assert load('{"tier": "champion", "n": 3, "tags": ["a", "b"]}') == {
        "tier": "champion",
        "n": 3,
        "tags": ["a", "b"],
    }


def test_merge_keys_apply_and_explicit_keys_win() -> None:
    data = load("base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n")
    assert data["child"] == {"x": 1, "y": 3}


# --- refusing what is not plain data ------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "x: !!python/object/apply:os.system ['echo pwned > {marker}']",
        "x: !!python/name:os.system",
        "x: !!binary aGVsbG8=",
        "x: !custom value",
        "x: !!set {a, b}",
        "x: !!int 5",
    ],
)
def test_tags_are_rejected_and_never_run(source: str, tmp_path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(YamlError, match="unsupported YAML tag") as info:
        load("name: a\n" + source.replace("{marker}", str(marker)) + "\n")
    assert info.value.line == 3  # first_line 2, second line of the block
    assert not marker.exists()


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    with pytest.raises(YamlError, match="aliases"):
        load("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 1.0


def test_many_merges_of_one_anchor_are_refused() -> None:
    big = "{" + ", ".join(f"k{i}: {i}" for i in range(500)) + "}"
    lines = [f"base: &b {big}"] + [f"m{i}: {{<<: *b}}" for i in range(100)]
    with pytest.raises(YamlError, match="aliases"):
        load("\n".join(lines) + "\n")


@pytest.mark.parametrize("depth", [100, 5000])
def test_deep_flow_nesting_is_an_error_not_a_recursion_error(depth: int) -> None:
    with pytest.raises(YamlError, match="nest"):
        load("x: " + "[" * depth + "]" * depth + "\n")


def test_deep_block_nesting_is_an_error_not_a_recursion_error() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "v\n"
    with pytest.raises(YamlError, match="nested too deeply"):
        load(text)


def test_moderate_nesting_is_fine() -> None:
    assert load("x: " + "[" * 30 + "1" + "]" * 30 + "\n")["x"] is not None


@pytest.mark.parametrize(
    ("source", "kind"),
    [("- a\n- b\n", "a list"), ("just text\n", "a single value"), ("42\n", "a single value")],
)
def test_front_matter_must_be_a_mapping(source: str, kind: str) -> None:
    with pytest.raises(YamlError, match=f"must be a mapping.*not {kind}"):
        load(source)


def test_nul_byte_is_an_error_with_its_line() -> None:
    with pytest.raises(YamlError, match="NUL") as info:
        load("name: a\nrole: b\x00c\n", first_line=2)
    assert info.value.line == 3


def test_complex_keys_are_refused() -> None:
    with pytest.raises(YamlError, match="key must be plain text"):
        load("? [a, b]\n: c\n")


# --- line numbers and warnings -------------------------------------------------------------


def test_lines_are_file_lines() -> None:
    mapping = load_mapping("name: a\n\n# comment\nrole: b\n", frozenset(), first_line=2)
    assert mapping.lines == {"name": 2, "role": 5}


def test_syntax_error_names_the_file_line() -> None:
    with pytest.raises(YamlError) as info:
        load_mapping("name: a\nrole: b: c\n", frozenset(), first_line=2)
    assert info.value.line == 3
    assert "quote values" in info.value.message


def test_unclosed_quote_is_a_yaml_error() -> None:
    with pytest.raises(YamlError, match="YAML error"):
        load('name: "Ann\nrole: x\n')


def test_duplicate_key_warns_naming_both_lines_and_keeps_the_last() -> None:
    mapping = load_mapping("name: A\nrole: r\nname: B\n", frozenset(), first_line=2)
    assert mapping.data["name"] == "B"
    assert mapping.lines["name"] == 2
    assert mapping.duplicates == ["name"]
    [(line, message)] = mapping.warnings
    assert line == 4
    assert "duplicate key 'name'" in message
    assert "line 2" in message


def test_keys_differing_only_by_case_or_invisible_characters_warn() -> None:
    mapping = load_mapping("tier: a\nTier: b\nna\u200bme: c\nname: d\n", frozenset(), 2)
    messages = [m for _, m in mapping.warnings]
    assert any("'Tier' looks like 'tier'" in m for m in messages)
    assert any("'name' looks like 'na\\u200bme'" in m for m in messages)
    assert len(messages) == 2


def test_keys_differing_only_by_case_warn_in_plain_front_matter() -> None:
    mapping = load_mapping("tier: champion\nTier: advocate\n", frozenset(), 2)
    assert mapping.data == {"tier": "champion", "Tier": "advocate"}
    assert mapping.warnings == [
        (3, "key 'Tier' looks like 'tier' but differs by invisible characters or case")
    ]


@pytest.mark.parametrize("blank", ["\t", "\u00a0"])
def test_a_line_of_tabs_or_odd_spaces_reads_as_yaml_does(blank: str) -> None:
    with pytest.raises(YamlError):
        load(f"name: Ann\n{blank}\ntier: champion\n")


def test_hash_value_is_a_comment_and_warns_with_a_fix() -> None:
    mapping = load_mapping("tier: champion\ntag: #work\n", frozenset(), first_line=2)
    assert mapping.data["tag"] is None
    [(line, message)] = mapping.warnings
    assert line == 3
    assert "comment" in message
    assert 'tag: "#work"' in message


def test_a_real_comment_after_a_value_does_not_warn() -> None:
    mapping = load_mapping("tier: champion  # my best\nnote:\n", frozenset(), first_line=2)
    assert mapping.data == {"tier": "champion", "note": None}
    assert mapping.warnings == []
