"""YAML that misleads, attacks or overwhelms (HOSTILE 23-30, 35-43, 46), and the size caps.

The YAML reader's own rules are unit-tested in test_yamldata.py; here each hazard sits in
a vault beside a good note and goes through the commands.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from vaultnet.source import yamldata
from vaultnet.source.notes import Note, parse_note

from . import GOOD, edit, hunk, make_vault, person, survey


def front_matter(data: bytes) -> dict[str, object]:
    result = parse_note("x.md", data)
    assert isinstance(result, Note), result
    return result.front_matter


# --- YAML errors, with their line ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "line", "words"),
    [
        ("tab-indent.md", person("tags:", "\t- a"), 5, ("YAML error", "cannot start any token")),
        ("colon-value.md", person("title: Meeting: notes"), 4, ("quote values that contain ': '",)),
        ("unclosed-quote.md", person("role: 'CTO"), 4, ("YAML error",)),
    ],
    ids=["23-tab-indent", "24-colon-value", "unclosed-quote"],
)
def test_23_24_yaml_errors_name_file_and_line_and_the_rest_is_built(
    tmp_path: Path, name: str, data: bytes, line: int, words: tuple[str, ...]
) -> None:
    vault = make_vault(tmp_path, {name: data})
    outcome = survey(vault)
    outcome.has(name, line, "error", *words)
    assert "Ya Ml" not in outcome.names()


def test_24_the_same_error_in_a_note_that_is_not_a_person_is_a_warning(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"Meeting.md": b"---\ntitle: Meeting: notes\n---\nbody\n"})
    survey(vault).has("Meeting.md", 2, "warning", "front matter ignored")


def test_25_a_value_that_yaml_reads_as_a_comment_warns(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"hash-value.md": person("topic: #work")})
    outcome = survey(vault)
    outcome.has("hash-value.md", 4, "warning", "starts with '#'", 'quote it: topic: "#work"')
    assert "Ya Ml" in outcome.names()


# --- values stay what the user wrote ---------------------------------------------------------


def test_26_norway_and_friends_stay_text(tmp_path: Path) -> None:
    data = person("country: NO", "active: yes", "zip: 012345", "time: 12:30", "off: off")
    assert front_matter(data) | {"tier": "", "name": ""} == {
        "tier": "",
        "name": "",
        "country": "NO",
        "active": "yes",
        "zip": "012345",
        "time": "12:30",
        "off": "off",
    }
    vault = make_vault(tmp_path, {"norway.md": data})
    survey(vault).clean("norway.md")


def test_27_phone_numbers_stay_exact_and_are_never_rewritten(tmp_path: Path) -> None:
    data = person("phone: +447911123456", "alt: 0123 456", "fax: 012345")
    parsed = parse_note("phones.md", data)
    assert isinstance(parsed, Note) and parsed.phone == ("+447911123456",)
    assert parsed.front_matter["alt"] == "0123 456" and parsed.front_matter["fax"] == "012345"
    vault = make_vault(tmp_path, {"phones.md": data})
    survey(vault).clean("phones.md")
    result, _ = edit(vault, "snooze", "Ya Ml", "2027-01-01")
    assert result.exit_code == 0, result.output
    assert hunk(data, (vault / "phones.md").read_bytes()) == ([], [b"snooze_until: 2027-01-01\n"])


def test_28_impossible_dates_warn_in_date_fields_and_stay_text_elsewhere(tmp_path: Path) -> None:
    data = person("born: 2024-02-30", "met: 2024-13-45", "last_contact: 2024-02-30")
    assert front_matter(data)["born"] == "2024-02-30"  # a key of the user's: kept, not judged
    vault = make_vault(tmp_path, {"bad-date.md": data})
    outcome = survey(vault)
    outcome.has("bad-date.md", 5, "warning", "met: '2024-13-45' is not a date")
    outcome.has("bad-date.md", 6, "warning", "last_contact: '2024-02-30' is not a date")
    assert len(outcome.about("bad-date.md")) == 2
    assert outcome.person("Ya Ml")["last_contact"] is None


def test_29_mixed_date_forms_sort_deterministically(tmp_path: Path) -> None:
    files = {
        "mixed-dates/A.md": person("last_contact: 2026-08-01", name="A"),
        "mixed-dates/B.md": person("last_contact: 2026-08-01T10:00:00Z", name="B"),
        "mixed-dates/C.md": person('last_contact: "2026-07-01"', name="C"),
        "mixed-dates/D.md": person("last_contact:", name="D"),
    }
    vault = make_vault(tmp_path, files)
    first = survey(vault)
    for name in "ABCD":
        first.clean(f"mixed-dates/{name}.md")
    assert [first.person(n)["last_contact"] for n in "ABCD"] == [
        "2026-08-01",
        "2026-08-01",
        "2026-07-01",
        None,
    ]
    assert [e["name"] for e in first.digest["overdue"]] == ["C", "A", "B"]
    assert survey(vault).digest == first.digest


def test_30_a_datetime_without_seconds_gives_its_date(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"datetime-nosec.md": person("met: 2024-03-05 14:30")})
    outcome = survey(vault)
    outcome.clean("datetime-nosec.md")
    assert outcome.person("Ya Ml")["last_contact"] == "2024-03-05"


@pytest.mark.parametrize(
    "value", ["9" * 5000, "-" + "9" * 5000, "0x" + "f" * 5000, "1e" + "9" * 5000, "9" * 5000 + "d"]
)
def test_40_a_huge_number_is_text_or_a_warning_never_a_crash(tmp_path: Path, value: str) -> None:
    data = person(f"n: {value}", f"cadence: {value}", f"last_contact: {value}")
    assert front_matter(data)["n"] == value
    vault = make_vault(tmp_path, {"huge-int.md": data})
    outcome = survey(vault)
    outcome.has("huge-int.md", 5, "warning", "is not a duration")
    outcome.has("huge-int.md", 6, "warning", "is not a date")
    assert "Ya Ml" in outcome.names()


# --- tags, aliases, nesting ---------------------------------------------------------------------


def _laughs(levels: int = 9) -> bytes:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return person(*lines)


def test_35_a_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"billion-laughs.md": _laughs()})
    started = time.perf_counter()
    outcome = survey(vault)
    assert time.perf_counter() - started < 5
    [line] = outcome.about("billion-laughs.md")
    assert ": error: front matter expands to more than 20000 values" in line
    assert line.startswith("billion-laughs.md:") and "refused" in line
    assert "Ya Ml" not in outcome.names()


def test_36_benign_anchors_and_merges_are_read_and_never_expanded_on_write(
    tmp_path: Path,
) -> None:
    data = (
        b"---\ntier: advocate\nname: An Chor\nbase: &base\n  company: Acme\n  role: Engineer\n"
        b"<<: *base\naliases: &names [Anc, A. Chor]\nknows: *names\n---\n"
    )
    parsed = parse_note("anchors-merge.md", data)
    assert isinstance(parsed, Note)
    assert (parsed.company, parsed.role, parsed.knows) == ("Acme", "Engineer", ("Anc", "A. Chor"))
    vault = make_vault(tmp_path, {"anchors-merge.md": data})
    survey(vault).clean("anchors-merge.md")
    result, changed = edit(vault, "snooze", "Anc", "2027-01-01")
    assert result.exit_code == 0, result.output
    assert changed == {"anchors-merge.md"}
    after = (vault / "anchors-merge.md").read_bytes()
    assert hunk(data, after) == ([], [b"snooze_until: 2027-01-01\n"])


def _constructors(marker: Path) -> list[str]:
    return [
        f'x: !!python/object/apply:os.system ["touch {marker}"]',
        f'x: !!python/object/apply:subprocess.call [["touch", "{marker}"]]',
        f'x: !!python/object/new:os.system ["touch {marker}"]',
        "x: !!python/name:os.system",
        "x: !!python/module:os",
        f'x: !!python/object/apply:builtins.open ["{marker}", "w"]',
    ]


@pytest.mark.parametrize("index", range(6))
def test_37_python_tags_are_refused_and_never_run(tmp_path: Path, index: int) -> None:
    marker = tmp_path / "pwned"
    line = _constructors(marker)[index]
    files: dict[str, bytes | str] = {
        "python-tag.md": person(line),
        "Not a person.md": f"---\n{line}\n---\nbody\n",
    }
    vault = make_vault(tmp_path, files)
    outcome = survey(vault)
    outcome.has("python-tag.md", 4, "error", "unsupported YAML tag")
    outcome.has("Not a person.md", 2, "warning", "unsupported YAML tag", "front matter ignored")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("x: !custom x", ("unsupported YAML tag '!custom'",)),  # 38
        ("x: !!binary aGVsbG8=", ("unsupported YAML tag", "binary")),  # 39
        ("x: !!set {a, b}", ("unsupported YAML tag", "set")),  # 39
        ("x: !!timestamp 2024-01-01", ("unsupported YAML tag", "timestamp")),
        ("x: !<tag:example.com:x> y", ("unsupported YAML tag",)),
        ("? [complex, key]\n: value", ("a key must be plain text",)),
    ],
    ids=["38-custom", "39-binary", "39-set", "timestamp", "verbatim", "complex-key"],
)
def test_38_39_tags_are_errors_and_nothing_odd_reaches_templates(
    tmp_path: Path, line: str, words: tuple[str, ...]
) -> None:
    vault = make_vault(tmp_path, {"custom-tag.md": person(line)})
    outcome = survey(vault)
    outcome.has("custom-tag.md", 4, "error", *words)
    assert "Ya Ml" not in outcome.names()


def test_38_an_equals_sign_is_just_text(tmp_path: Path) -> None:
    data = person("v: =")
    assert front_matter(data)["v"] == "="
    vault = make_vault(tmp_path, {"equals.md": data})
    survey(vault).clean("equals.md")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("[" * 5000, ("YAML error",)),
        ("{a: " * 5000, ("YAML error",)),
        ("[" * 70 + "]" * 70, ("nested too deeply",)),
    ],
    ids=["5000-brackets", "5000-braces", "70-levels"],
)
def test_41_deep_nesting_is_an_error_not_a_recursion_error(
    tmp_path: Path, value: str, words: tuple[str, ...]
) -> None:
    vault = make_vault(tmp_path, {"deep-nest.md": person(f"n: {value}")})
    survey(vault).has("deep-nest.md", 4, "error", *words)


def test_41_deep_block_nesting_is_an_error(tmp_path: Path) -> None:
    lines = [" " * depth + f"k{depth}:" for depth in range(200)] + [" " * 200 + "end"]
    vault = make_vault(tmp_path, {"deep-block.md": person(*lines)})
    outcome = survey(vault)
    [line] = outcome.about("deep-block.md")
    assert line.startswith("deep-block.md:") and ": error: " in line
    assert "nested too deeply" in line or "YAML error" in line


def test_46_keys_that_differ_by_invisible_characters_or_case_warn(tmp_path: Path) -> None:
    data = "---\ntier: advocate\nna\u200bme: x\nname: Zed Wsp\nTier: y\n---\n".encode()
    vault = make_vault(tmp_path, {"zwsp-keys.md": data})
    outcome = survey(vault)
    shown = outcome.has("zwsp-keys.md", 4, "warning", "'name' looks like", "invisible")
    assert "\\u200b" in shown and "\u200b" not in shown  # shown escaped, never raw
    outcome.has("zwsp-keys.md", 5, "warning", "'Tier' looks like 'tier'")


# --- size caps --------------------------------------------------------------------------------


def test_42_huge_front_matter_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = b"---\ntier: advocate\nname: Big Fm\n" + b"k: " + b"v" * (300 * 1024) + b"\n---\n"
    huge = b"---\ntier: advocate\n" + b"pad: " + b"x" * (5 * 1024 * 1024) + b"\n---\n"
    vault = make_vault(tmp_path, {"big-fm.md": big, "huge-fm.md": huge})
    real = yamldata.load_mapping

    def guarded(text: str, *args: object, **kwargs: object) -> yamldata.Mapping:
        assert len(text) < 200_000, "front matter over the cap reached the YAML reader"
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(yamldata, "load_mapping", guarded)
    started = time.perf_counter()
    outcome = survey(vault)
    assert time.perf_counter() - started < 10
    outcome.has("big-fm.md", 1, "error", "above max_front_matter_kb (256)", "skipped")
    outcome.has("huge-fm.md", None, "warning", "above max_note_kb (5120)", "skipped")


def test_43_a_50_mb_note_is_skipped_unread_with_a_warning(tmp_path: Path) -> None:
    body = b"---\ntier: advocate\n---\n" + (b"- 2026-01-01 x\n" * (50 * 1024 * 1024 // 15 + 1))
    vault = make_vault(tmp_path, {"huge-body.md": body})
    outcome = survey(vault)
    outcome.has("huge-body.md", None, "warning", "note is 50.0 MB", "above max_note_kb (5120)")


def test_limits_from_vaultnet_toml(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {
        "vaultnet.toml": "max_note_kb = 4\nmax_front_matter_kb = 1\n",
        "fm.md": b"---\ntier: advocate\nnotes: " + b"y" * 1500 + b"\n---\n",
        "note.md": b"---\ntier: advocate\n---\n" + b"z" * 5000 + b"\n",
        "fine.md": b"---\ntier: advocate\nnotes: " + b"w" * 900 + b"\n---\n" + b"w" * 2000,
    }
    vault = make_vault(tmp_path, files)
    outcome = survey(vault)
    outcome.has("fm.md", 1, "error", "front matter is 1 KB, above max_front_matter_kb (1)")
    outcome.has("note.md", None, "warning", "above max_note_kb (4); skipped")
    outcome.clean("fine.md")
    assert {"fine", GOOD} <= outcome.names()
