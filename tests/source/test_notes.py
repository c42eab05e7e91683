"""Unit tests for parse_note: the shape of a note, person fields, the log and mentions."""

from __future__ import annotations

import datetime as dt

import pytest

from vaultnet.dates import Birthday, Duration
from vaultnet.source import document
from vaultnet.source.notes import (
    Note,
    NoteParser,
    ParseOptions,
    Unreadable,
    daily_pattern,
    parse_note,
)

PERSON = "People/Alice.md"


def parse(
    text: str | bytes, path: str = PERSON, options: ParseOptions | None = None
) -> Note | Unreadable:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_note(path, data, options or ParseOptions())


def note(text: str | bytes, path: str = PERSON, options: ParseOptions | None = None) -> Note:
    result = parse(text, path, options)
    assert isinstance(result, Note), result.diagnostics
    return result


def unreadable(text: str | bytes, path: str = PERSON) -> Unreadable:
    result = parse(text, path)
    assert isinstance(result, Unreadable), result
    return result


def messages(result: Note | Unreadable) -> list[tuple[int | None, str, str]]:
    return [(d.line, d.level, d.message) for d in result.diagnostics]


# --- front matter detection ----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"---\ntier: champion\n---\nbody\n",
        b"\xef\xbb\xbf---\ntier: champion\n---\nbody\n",  # UTF-8 BOM
        b"---\r\ntier: champion\r\n---\r\nbody\r\n",  # CRLF
        b"---\rtier: champion\r---\rbody\r",  # classic Mac CR only
        b"---  \ntier: champion\n---\t\nbody\n",  # trailing spaces on the fences
        b"---\ntier: champion\n---",  # closing fence at end of file
    ],
    ids=["lf", "bom", "crlf", "cr", "trailing-space", "eof-close"],
)
def test_front_matter_is_found(data: bytes) -> None:
    result = note(data)
    assert result.person
    assert result.tier == "champion"
    assert result.diagnostics == ()


@pytest.mark.parametrize(
    "text",
    [
        "\n---\ntier: champion\n---\n",  # a leading blank line
        " ---\ntier: champion\n---\n",
        "----\ntier: champion\n----\n",  # four dashes is a rule, not a fence
        "# Title\n---\ntier: champion\n---\n",
        "---",  # a lone rule
        "---\n\nSome text after a horizontal rule.\n",
    ],
    ids=["blank-line", "indent", "four-dashes", "later", "lone-fence", "rule"],
)
def test_no_front_matter(text: str) -> None:
    result = note(text)
    assert not result.person
    assert result.front_matter == {}
    assert result.diagnostics == ()


def test_dots_do_not_close_front_matter() -> None:
    result = unreadable("---\ntier: champion\n...\nbody\n")
    [(line, level, message)] = messages(result)
    assert (line, level) == (1, "error")
    assert "no --- line closes it" in message


def test_unclosed_front_matter_is_an_error_with_its_line() -> None:
    result = unreadable("---\nname: Ann\ntier: champion\n\nbody text\n")
    assert messages(result) == [
        (
            1,
            "error",
            "malformed front matter: it opens with --- on line 1 but no --- line closes it",
        )
    ]


def test_empty_front_matter() -> None:
    result = note("---\n---\nbody\n")
    assert not result.person
    assert result.front_matter == {}
    assert result.diagnostics == ()


@pytest.mark.parametrize(
    ("front", "kind"), [("- a\n- b", "a list"), ("just a sentence", "a single value")]
)
def test_list_or_scalar_front_matter_is_reported(front: str, kind: str) -> None:
    result = parse(f"---\n{front}\n---\nbody\n")
    [diagnostic] = result.diagnostics
    assert diagnostic.line == 2
    assert f"must be a mapping of keys to values, not {kind}" in diagnostic.message
    assert not (isinstance(result, Note) and result.person)


def test_broken_front_matter_of_a_person_is_an_error_and_the_note_is_left_out() -> None:
    result = unreadable("---\ntier: champion\nrole: CTO: Acme\n---\n")
    [(line, level, message)] = messages(result)
    assert (line, level) == (3, "error")
    assert "YAML error" in message


def test_broken_front_matter_of_another_note_is_only_a_warning() -> None:
    result = note("---\ntitle: {{title}}: x\n---\nA template-ish note\n", "Ideas.md")
    [(line, level, message)] = messages(result)
    assert level == "warning"
    assert line == 2
    assert "front matter ignored" in message


def test_json_front_matter() -> None:
    result = note('---\n{"tier": "advocate", "name": "Ann Lee", "tags": ["x"]}\n---\n')
    assert result.person
    assert (result.name, result.tier, result.tags) == ("Ann Lee", "advocate", ("x",))


def test_toml_front_matter_warns() -> None:
    result = note('+++\ntier = "champion"\n+++\nbody\n')
    assert not result.person
    assert messages(result) == [
        (1, "warning", "TOML front matter (+++) is not supported; use YAML (---)")
    ]


def test_empty_file_is_a_warning() -> None:
    result = note(b"  \n\n")
    assert not result.person
    assert messages(result) == [(None, "warning", "empty note; skipped")]


def test_split_records_lines_and_newline() -> None:
    doc = document.split("---\r\na: 1\r\nb: 2\r\n---\r\nbody\r\n")
    assert doc.front_matter == "a: 1\nb: 2\n"
    assert doc.front_matter_line == 2
    assert doc.body == "body\n"
    assert doc.body_line == 5
    assert doc.newline == "\r\n"
    assert document.detect_newline("a\rb") == "\r"
    assert document.detect_newline("ab") == "\n"


# --- encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(encoding: str) -> None:
    text = "---\ntier: champion\nname: Zoë Okafor\n---\n"
    data = text.encode(encoding)
    if encoding != "utf-16":
        data = "\ufeff".encode(encoding) + data
    result = note(data)
    assert result.person
    assert result.name == "Zoë Okafor"


def test_cp1252_is_an_error_naming_the_byte() -> None:
    data = "---\ntier: champion\nname: Zoë\n---\n".encode("cp1252")
    result = unreadable(data)
    [(line, level, message)] = messages(result)
    assert (line, level) == (3, "error")
    assert "not valid UTF-8" in message
    assert "0xeb" in message
    offset = data.index(b"\xeb")
    assert f"offset {offset}" in message


def test_nul_byte_in_front_matter_is_an_error() -> None:
    result = unreadable(b"---\ntier: champion\nname: A\x00B\n---\n")
    assert messages(result) == [(3, "error", "front matter contains a NUL byte")]


def test_oversized_front_matter_is_refused() -> None:
    big = "---\ntier: champion\nbio: " + "x" * 3000 + "\n---\n"
    result = parse(big, options=ParseOptions(max_front_matter_kb=2))
    assert isinstance(result, Unreadable)
    assert "max_front_matter_kb" in result.diagnostics[0].message


# --- scalars in person notes ---------------------------------------------------------------


def test_text_fields_stay_text() -> None:
    result = note(
        "---\ntier: champion\nname: Yes\nphone: +447911123456\ncompany: 1999\n"
        "role: 12:30\nlocation: NO\nzip: 012345\ncountry: NO\nactive: yes\n---\n"
    )
    assert result.name == "Yes"
    assert result.phone == ("+447911123456",)
    assert result.company == "1999"
    assert result.role == "12:30"
    assert result.location == "NO"
    # Unknown keys are the user's own: YAML 1.2, no YAML 1.1 booleans, no warnings.
    assert result.front_matter["zip"] == "012345"
    assert result.front_matter["country"] == "NO"
    assert result.front_matter["active"] == "yes"
    assert result.diagnostics == ()


def test_dates_datetimes_and_date_strings() -> None:
    result = note(
        "---\ntier: champion\nmet: 2020-05-01\nlast_contact: 2026-11-01T18:30:00+01:00\n"
        'next_follow_up: "2026-12-01"\nsnooze_until: 2026-12-24 09:00\n---\n'
    )
    assert result.met == dt.date(2020, 5, 1)
    assert result.last_contact == dt.date(2026, 11, 1)
    assert result.next_follow_up == dt.date(2026, 12, 1)
    assert result.snooze_until == dt.date(2026, 12, 24)
    assert result.diagnostics == ()


def test_impossible_date_is_text_and_warns_only_for_a_date_field() -> None:
    result = note("---\ntier: champion\nborn: 2024-02-30\nmet: 2024-02-30\n---\n")
    assert result.front_matter["born"] == "2024-02-30"
    assert result.met is None
    assert messages(result) == [
        (
            4,
            "warning",
            "met: '2024-02-30' is not a date (February 2024 has no day 30); write YYYY-MM-DD; "
            "ignored",
        )
    ]


@pytest.mark.parametrize("value", ["last week", "03/11/2026", "2026-13-01", "true"])
def test_bad_date_warns_naming_field_and_line(value: str) -> None:
    result = note(f"---\ntier: champion\nname: A\nlast_contact: {value}\n---\n")
    assert result.last_contact is None
    [(line, level, message)] = messages(result)
    assert (line, level) == (4, "warning")
    assert message.startswith("last_contact:")


def test_tags_are_rejected_and_nothing_is_executed(tmp_path) -> None:
    marker = tmp_path / "pwned"
    result = unreadable(
        f"---\ntier: champion\nx: !!python/object/apply:os.system ['touch {marker}']\n---\n"
    )
    [(line, level, message)] = messages(result)
    assert (line, level) == (3, "error")
    assert "unsupported YAML tag" in message
    assert not marker.exists()


def test_alias_bomb_in_a_note_is_an_error() -> None:
    lines = ["tier: champion", "a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    result = unreadable("---\n" + "\n".join(lines) + "\n---\n")
    assert "aliases" in result.diagnostics[0].message


def test_deep_nesting_in_a_note_is_an_error() -> None:
    result = unreadable("---\ntier: champion\nx: " + "[" * 3000 + "]" * 3000 + "\n---\n")
    assert result.diagnostics[0].level == "error"


def test_duplicate_keys_warn_naming_both_lines() -> None:
    result = note("---\ntier: champion\nname: Ann\nrole: CTO\nname: Ann Lee\n---\n")
    assert result.name == "Ann Lee"
    assert messages(result) == [
        (5, "warning", "duplicate key 'name' (first on line 3); the last value is used")
    ]


def test_hash_value_warns() -> None:
    result = note("---\ntier: champion\ntag: #work\n---\n")
    [(line, level, message)] = messages(result)
    assert (line, level) == (3, "warning")
    assert 'quote it: tag: "#work"' in message


# --- is it a person? -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "front",
    [
        "tier: champion",
        "tier: Nonexistent",
        "type: person",
        "type: Person",
        "tags: [person]",
        "tags: [work, Person]",
        "tags: person",
        "tags: ['#person']",
        'categories: ["[[People]]"]',
        'categories: "[[People]]"',
    ],
)
def test_four_ways_to_be_a_person(front: str) -> None:
    assert note(f"---\n{front}\n---\n").person


@pytest.mark.parametrize(
    "front",
    [
        "name: Ann",
        "tier:",
        "tier: ''",
        "type: company",
        "tags: [people, personal]",
        'categories: ["[[Companies]]"]',
        "generated_by: someone-else",
    ],
)
def test_other_notes_are_not_people(front: str) -> None:
    result = note(f"---\n{front}\n---\n")
    assert not result.person


def test_generated_pages_are_recognised() -> None:
    result = note("---\ngenerated_by: vaultnet\ntier: champion\n---\n[[Alice]]\n")
    assert result.generated
    assert not result.person


def test_defaults() -> None:
    result = note("---\ntier: champion\n---\n", "People/Ann Lee.md")
    assert result.stem == "Ann Lee"
    assert result.name is None
    assert result.aliases == ()
    assert result.company is None
    assert result.cadence is None
    assert not result.archived


def test_person_fields() -> None:
    result = note(
        """---
name: Ann Lee
aliases: [Ann, "A. Lee"]
tier: Champions
target_tier: champion
org: ["[[Harbor Health]]", "Acme"]
title: VP Engineering
history:
  - company: "[[Acme Robotics]]"
    role: Director
    from: 2017-04-03
    to: 2023
  - Initech
email: [a@x.org, b@y.org]
phone: "+44 7700 900418"
tags: [person, "#leadership"]
introduced_by: "[[Bob]]"
knows: ["[[Carol]]", David Osei]
cadence: 6w
status: Archived
birthday: "--07-14"
---
"""
    )
    assert result.name == "Ann Lee"
    assert result.aliases == ("Ann", "A. Lee")
    assert result.tier == "Champions"
    assert result.company == "[[Harbor Health]]"
    assert result.role == "VP Engineering"
    assert [(p.company, p.role, p.start, p.end) for p in result.history] == [
        ("[[Acme Robotics]]", "Director", dt.date(2017, 4, 3), dt.date(2023, 1, 1)),
        ("Initech", None, None, None),
    ]
    assert result.email == ("a@x.org", "b@y.org")
    assert result.phone == ("+44 7700 900418",)
    assert result.tags == ("person", "leadership")
    assert result.introduced_by == ("[[Bob]]",)
    assert result.knows == ("[[Carol]]", "David Osei")
    assert result.cadence == Duration(days=42)
    assert result.archived
    assert result.birthday == Birthday(7, 14)
    assert result.diagnostics == ()


def test_empty_values_are_absent_without_warnings() -> None:
    result = note(
        "---\ntier: champion\nbirthday:\norg: []\nemail: ''\ncadence:\nmet: ~\n"
        "company:\nknows: []\nhistory: []\nnext_follow_up: ''\n---\n"
    )
    assert result.birthday is None
    assert result.company is None
    assert result.email == ()
    assert result.cadence is None
    assert result.met is None
    assert result.knows == ()
    assert result.history == ()
    assert result.next_follow_up is None
    assert result.diagnostics == ()


def test_bad_cadence_warns() -> None:
    result = note("---\ntier: champion\ncadence: every so often\n---\n")
    assert result.cadence is None
    [(line, level, message)] = messages(result)
    assert (line, level) == (3, "warning")
    assert "not a duration" in message
    assert "tier's cadence is used" in message


def test_bad_status_warns() -> None:
    result = note("---\ntier: champion\nstatus: retired\n---\n")
    assert not result.archived
    assert messages(result) == [
        (3, "warning", "status should be active or archived, not 'retired'")
    ]


# --- the log -------------------------------------------------------------------------------

LOG_NOTE = """---
tier: champion
---
# Alice

Intro text with a date 2026-01-01 that is not a log.

## Log
- 2026-10-01 coffee: talked about the data team reorg #gave
- [[2026-11-03]] call: she offered to introduce me to [[Bob Marsh|Bob]] at Acme #got
* 2026-11-04 no kind here, just text
- [[2026-11-05|Thursday]] — lunch: with the team
- not dated
-   2026-11-06: email: sent the deck
  - 2026-11-07 nested item
1. 2026-11-08 numbered items are not log entries
### 2025
- 2025-01-01 lunch: old times
## Things to bring up
- 2026-01-01 this is not an interaction
"""


def test_log_entries() -> None:
    result = note(LOG_NOTE)
    entries = [(e.date.isoformat(), e.kind, e.text, e.tags, e.links) for e in result.log]
    assert entries == [
        ("2026-10-01", "coffee", "talked about the data team reorg #gave", ("gave",), ()),
        (
            "2026-11-03",
            "call",
            "she offered to introduce me to [[Bob Marsh|Bob]] at Acme #got",
            ("got",),
            ("Bob Marsh",),
        ),
        ("2026-11-04", None, "no kind here, just text", (), ()),
        ("2026-11-05", "lunch", "with the team", (), ()),
        ("2026-11-06", "email", "sent the deck", (), ()),
        ("2026-11-07", None, "nested item", (), ()),
        ("2025-01-01", "lunch", "old times", (), ()),
    ]
    assert [e.line for e in result.log] == [9, 10, 11, 12, 14, 15, 18]


def test_log_heading_any_level_and_case() -> None:
    result = note(
        "---\ntier: a\n---\n#### interactions\n- 2026-01-01 a\n# MEETINGS #\n- 2026-01-02 b\n"
    )
    assert [e.text for e in result.log] == ["a", "b"]


def test_log_ends_at_same_or_higher_heading_not_at_lower() -> None:
    result = note(
        "---\ntier: a\n---\n"
        "### Log\n- 2026-01-01 one\n#### Sub\n- 2026-01-02 two\n"
        "### Other\n- 2026-01-03 three\n"
        "## Log\n- 2026-01-04 four\n# Top\n- 2026-01-05 five\n"
    )
    assert [e.text for e in result.log] == ["one", "two", "four"]


def test_log_headings_are_configurable() -> None:
    text = "---\ntier: a\n---\n## Log\n- 2026-01-01 a\n## Touchpoints\n- 2026-01-02 b\n"
    result = note(text, options=ParseOptions(log_headings=("Touchpoints",)))
    assert [e.text for e in result.log] == ["b"]


def test_log_ignores_code_fences_and_bad_dates() -> None:
    result = note(
        "---\ntier: a\n---\n## Log\n```\n- 2026-01-01 in code\n## Not a heading\n```\n"
        "- 2026-02-30 impossible\n- 2026-01-02 real\n"
    )
    assert [e.text for e in result.log] == ["real"]


def test_kind_needs_a_colon_right_after_the_first_word() -> None:
    result = note(
        "---\ntier: a\n---\n## Log\n- 2026-01-01 met at: the conference\n"
        "- 2026-01-02 call:follow-up\n- 2026-01-03 call: \n"
    )
    assert [(e.kind, e.text) for e in result.log] == [
        (None, "met at: the conference"),
        (None, "call:follow-up"),
        ("call", ""),
    ]


def test_hash_tags_in_log() -> None:
    result = note(
        "---\ntier: a\n---\n## Log\n- 2026-01-01 intro: #GAVE an intro, see https://x.org/#got "
        "and issue#got\n"
    )
    assert result.log[0].tags == ("gave",)


def test_crlf_log_lines_are_counted() -> None:
    result = note("---\r\ntier: a\r\n---\r\n## Log\r\n- 2026-01-01 call: hi\r\n")
    assert [(e.line, e.kind, e.text) for e in result.log] == [(5, "call", "hi")]


# --- mentions in dated notes ---------------------------------------------------------------

MENTIONS = """Lunch with [[Alice]] today.
- [ ] call [[Bob]]
- [x] called [[Carol]]
> quote about [[Dan]]
![[Eve]]
```
[[Frank]]
```
~~~
[[Gina]]
~~~
  - [X] done with [[Hank|H]] and ![[Ivy]]
* [ ] plan [[Jo]]
"""


@pytest.mark.parametrize(
    ("path", "date"),
    [
        ("Daily/2026-11-03.md", dt.date(2026, 11, 3)),
        ("2026-11-03.md", dt.date(2026, 11, 3)),
        ("Meetings/2026-11-03 Standup.md", dt.date(2026, 11, 3)),
    ],
)
def test_dated_by_file_name(path: str, date: dt.date) -> None:
    result = note(MENTIONS, path)
    assert result.date == date
    assert [(m.target, m.text, m.line) for m in result.mentions] == [
        ("Alice", "Lunch with [[Alice]] today.", 1),
        ("Carol", "called [[Carol]]", 3),
        ("Hank", "done with [[Hank|H]] and ![[Ivy]]", 12),
    ]


@pytest.mark.parametrize("path", ["Notes/Ideas.md", "2026-13-01 Nope.md", "20261103.md"])
def test_undated_notes_have_no_mentions(path: str) -> None:
    result = note(MENTIONS, path)
    assert result.date is None
    assert result.mentions == ()


def test_dated_by_front_matter_with_people_links() -> None:
    result = note(
        '---\ndate: 2026-10-22\npeople:\n  - "[[Zoë Okafor]]"\n  - "[[Olu|Olumide]]"\n'
        'company: "[[Harbor Health]]"\ncover: "![[photo.png]]"\n---\n'
        "# Intro call\n\nSaw [[Alice]] there.\n",
        "Meetings/Harbor intro.md",
    )
    assert result.date == dt.date(2026, 10, 22)
    assert [(m.target, m.text, m.line) for m in result.mentions] == [
        ("Zoë Okafor", "Harbor intro", 3),
        ("Olu", "Harbor intro", 3),
        ("Harbor Health", "Harbor intro", 6),
        ("Alice", "Saw [[Alice]] there.", 11),
    ]


def test_bad_front_matter_date_gives_no_date() -> None:
    result = note("---\ndate: someday\n---\n[[Alice]]\n", "Notes/x.md")
    assert result.date is None
    assert result.mentions == ()


def test_daily_notes_format_from_obsidian() -> None:
    pattern = daily_pattern("Journal", "DD.MM.YYYY")
    assert pattern is not None
    options = ParseOptions(daily_pattern=pattern)
    dated = note("Met [[Alice]]", "Journal/03.11.2026.md", options)
    assert dated.date == dt.date(2026, 11, 3)
    assert [m.target for m in dated.mentions] == ["Alice"]
    elsewhere = note("Met [[Alice]]", "Other/03.11.2026.md", options)
    assert elsewhere.date is None


def test_daily_notes_format_with_folders_in_it() -> None:
    pattern = daily_pattern("Daily/", "YYYY/MM/YYYY-MM-DD [Notes]")
    assert pattern is not None
    options = ParseOptions(daily_pattern=pattern)
    assert note("x", "Daily/2026/11/2026-11-03 Notes.md", options).date == dt.date(2026, 11, 3)


@pytest.mark.parametrize(
    ("fmt", "path", "expected"),
    [
        ("dddd, MMMM Do YYYY", "Tuesday, November 3rd 2026", dt.date(2026, 11, 3)),
        ("MMM D, YYYY", "nov 3, 2026", dt.date(2026, 11, 3)),
        ("dddd DD-MM-YYYY", "Tuesday 03-11-2026", dt.date(2026, 11, 3)),
        ("ddd D MMMM YY", "Tue 3 November 26", dt.date(2026, 11, 3)),
        ("MMM D, YYYY", "Nov 31, 2026", None),  # no such day
        ("MMM D, YYYY", "Nox 3, 2026", None),
    ],
)
def test_daily_notes_format_with_names(fmt: str, path: str, expected: dt.date | None) -> None:
    options = ParseOptions(daily_pattern=daily_pattern("", fmt))
    assert note("Met [[Alice]]", f"{path}.md", options).date == expected


@pytest.mark.parametrize("fmt", ["YYYY-MM", "gggg-[W]ww", "MMMM Do"])
def test_daily_notes_format_without_numeric_day_gives_no_pattern(fmt: str) -> None:
    assert daily_pattern("", fmt) is None


def test_a_person_note_can_be_dated_too() -> None:
    result = note("---\ntier: a\ndate: 2026-01-01\n---\nWith [[Bob]]\n")
    assert result.person
    assert [m.target for m in result.mentions] == ["Bob"]


def test_log_kinds_and_tags_are_shared_between_notes() -> None:
    # A cold build holds every entry at once: equal kinds and tags are one string each.
    body = "---\ntags: [person]\n---\n# X\n\n## Log\n\n- 2026-01-0{day} coffee: caught up #Gave\n"
    first, second = (
        parse_note(f"{name}.md", body.format(day=day).encode())
        for name, day in (("A", 1), ("B", 2))
    )
    assert isinstance(first, Note) and isinstance(second, Note)
    assert first.log[0].kind == "coffee" and first.log[0].tags == ("gave",)
    assert first.log[0].kind is second.log[0].kind
    assert first.log[0].tags[0] is second.log[0].tags[0]


def test_front_matter_keys_are_shared_by_every_note() -> None:
    # A vault repeats a few dozen keys over thousands of notes: one string each, read by the
    # fast reader or the full YAML one (a comment sends the second note there).
    plain = b"---\ntier: close\nname: Ann\nhistory:\n  - company: Acme\n---\n"
    full = b"---\ntier: close # a comment\nname: Bob\nhistory:\n  - {company: Beta}\n---\n"
    first, second = parse_note("People/Ann.md", plain), parse_note("People/Bob.md", full)
    assert isinstance(first, Note) and isinstance(second, Note)
    for key in ("tier", "name", "history"):
        ours = next(k for k in first.front_matter if k == key)
        theirs = next(k for k in second.front_matter if k == key)
        assert ours is theirs
        assert next(k for k in first.lines if k == key) is ours
    companies = [next(iter(n.front_matter["history"][0])) for n in (first, second)]
    assert companies[0] is companies[1]


def test_repeated_values_and_log_tuples_are_shared_within_a_parse() -> None:
    # Many notes name the same tier, company and tags, and many log entries the same tags
    # and people: one object each, which a large vault holds in far less memory.
    parser = NoteParser()
    notes = []
    for name in ("Ann", "Bob"):
        text = (
            f"---\ntier: close friends\ncompany: 'Acme Corp'\ntags: [person, 'work friends']\n"
            "met: 2020-02-03\nhistory:\n  - company: Beta\n    from: 2019-01-01\n"
            f"---\n## Log\n- 2026-01-0{len(notes) + 1} call: hi #gave [[Kim Lee]]\n"
        )
        note = parser.parse(f"People/{name}.md", text.encode())
        assert isinstance(note, Note)
        notes.append(note)
    first, second = notes
    assert first.tier is second.tier and first.company is second.company
    assert first.front_matter["company"] is first.company
    assert all(a is b for a, b in zip(first.tags, second.tags, strict=True))
    assert first.log[0].tags is second.log[0].tags
    assert first.log[0].links is second.log[0].links == ("Kim Lee",)
    assert first.met is second.met is second.front_matter["met"]
    assert first.history[0].start is second.history[0].start == dt.date(2019, 1, 1)
