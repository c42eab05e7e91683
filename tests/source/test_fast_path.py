"""The fast paths of the parse give what the general ones give.

Front matter outside ASCII: the fast reader takes it when it reads it exactly as the full
YAML reader does, and hands over whatever YAML reads differently (controls, NEL, LS, PS).
A log line's link targets: what ``find_links`` finds, embeds left out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet.cli.main import main
from vaultnet.source import body, companynames, document, parsed
from vaultnet.source.links import WIKILINK, find_links, link_targets, parse_link
from vaultnet.source.notes import TEXT_FIELDS
from vaultnet.source.simpleyaml import fast_load
from vaultnet.source.yamldata import YamlError
from vaultnet.source.yamlfull import load_full

# Letters of many scripts, marks, spaces and symbols, and what YAML treats specially.
ALPHABET = (
    "aZ09 :#,-'\"[]{}"
    "ŌōŁłÅåÉéØøÜüßÇçñ"
    "Ж中文한글العربيةעברית"
    "\u0301\u00a0\u3000\u200b\ufeff½²٣🙂€"
    "\x01\x7f\x85\x9f\u2028\u2029\ufffe"
)
KEYS = ["name", "company", "location", "note", "tags"]


def _full(text: str) -> object:
    try:
        mapping = load_full(text, TEXT_FIELDS, 2)
    except YamlError as exc:
        return ("error", exc.message)
    return (mapping.data, mapping.lines, mapping.warnings)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(KEYS),
            st.text(alphabet=ALPHABET, min_size=1, max_size=10),
            st.sampled_from(["{}", "- {}", "[{}]", '"{}"']),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_fast_reader_agrees_with_yaml_outside_ascii(
    pairs: list[tuple[str, str, str]],
) -> None:
    lines: list[str] = []
    for key, value, shape in pairs:
        if shape == "- {}":
            lines += [f"{key}:", "  - " + value]
        else:
            lines.append(f"{key}: " + shape.format(value))
    text = "\n".join(lines) + "\n"
    fast = fast_load(text, TEXT_FIELDS, 2)
    if fast is not None:
        assert (fast.data, fast.lines, fast.warnings) == _full(text)


@pytest.mark.parametrize(
    "value",
    ["Ōkami KK", "Łódź, Poland", "Øystein Berg", "Émile", "中文公司", "Ünal & Söhne"],
)
def test_values_starting_outside_ascii_take_the_fast_path(value: str) -> None:
    for text in (f"company: {value}\n", f"note: {value}\n", f"tags: [{value}, b]\n"):
        fast = fast_load(text, TEXT_FIELDS, 2)
        assert fast is not None, text
        assert (fast.data, fast.lines, fast.warnings) == _full(text)


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029", "\x9f", "\x7f", "\x01"])
def test_what_yaml_reads_differently_goes_to_the_full_reader(char: str) -> None:
    assert fast_load(f"company: Acme{char}Corp\n", TEXT_FIELDS, 2) is None


def test_build_reads_values_outside_ascii_and_refuses_a_line_separator(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / "People").mkdir(parents=True)
    (vault / "People" / "Ann Lee.md").write_text(
        "---\ntier: advocate\ncompany: Ōkami KK\nlocation: Łódź, Poland\n---\n", encoding="utf-8"
    )
    # YAML reads U+2028 as a line break, which breaks this line: the note cannot be read.
    (vault / "People" / "Bob Marsh.md").write_text(
        "---\ntier: advocate\ncompany: Acme\u2028Corp\n---\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["build", str(vault), "--today", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert "People/Bob Marsh.md:5: error: YAML error" in result.output
    assert "Ann Lee.md" not in result.output
    index = (vault / "Network" / "Index.md").read_text(encoding="utf-8")
    assert "Ōkami KK" in index


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="[]()!|#<>./ aZ.md\n%20-", max_size=40))
def test_link_targets_are_the_targets_find_links_finds(text: str) -> None:
    expected = tuple(link.target for link in find_links(text) if not link.embed)
    assert link_targets(text) == expected


def test_link_targets_of_a_log_line() -> None:
    line = "met [[Ann Lee|Ann]], [[People/Bob.md#Work]], ![[pic.png]] and [Cy](Cy%20Day.md)"
    assert link_targets(line) == ("Ann Lee", "People/Bob", "./Cy Day")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="[]!|#ab \n", max_size=30))
def test_wikilinks_found_from_their_brackets_are_those_the_full_pattern_finds(text: str) -> None:
    expected = [parse_link(m[2], bool(m[1])) for m in WIKILINK.finditer(text)]
    assert list(find_links(text)) == expected  # no "](": wikilinks only


OLD_TAG = re.compile(r"(?<![\w&/#])#([A-Za-z][\w\-/]*)")
OLD_RECIPROCITY = re.compile(r"(?<![\w&/#])#(gave|got|ask|intro)\b", re.IGNORECASE)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab #&/_-Z1é\n", max_size=20))
def test_tags_found_from_their_hash_are_those_a_look_behind_finds(text: str) -> None:
    assert body._HASHTAG.findall(text) == OLD_TAG.findall(text)
    tagged = text + " #Gave"
    assert parsed._RECIPROCITY_TAG.sub("", tagged) == OLD_RECIPROCITY.sub("", tagged)


OLD_CLOSING_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["---", "\n", " ", "\t", "a", "-", "--", "---\n"]), max_size=12))
def test_the_closing_fence_is_the_line_a_multiline_pattern_finds(parts: list[str]) -> None:
    text = "---\n" + "".join(parts)
    found = OLD_CLOSING_FENCE.search(text, 4)
    assert document._closing_fence(text, 3) == (found.start() if found else -1)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127, exclude_characters="["), max_size=20))
def test_ascii_company_words_are_those_the_patterns_find(name: str) -> None:
    text = name.casefold().replace("&", " and ")  # no "[": not a link
    expected = re.findall(r"[^\W_]+", re.sub(r"[.'’]", "", text))
    assert companynames.company_words(name) == expected
