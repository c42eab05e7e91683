"""Where front matter starts and ends, and what shape it has (HOSTILE 7-22, 31-34, 48-54).

vaultnet finds front matter as Obsidian finds properties (docs/notes.md): the first line is
``---`` and a later ``---`` line closes it. Byte-level editing of each shape is in
test_editing.py; here each note goes through check, build, digest and the editing commands.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultnet.source.notes import Note, parse_note

from . import OUTPUT, edit, hunk, make_vault, survey

MENTION = "Lunch with [[Good Person]] today.\n"


def mentioned_on(outcome_digest: dict[str, object], day: str) -> bool:
    """Whether the good note's last contact is ``day``: a dated note's body was read."""
    entries = [
        e
        for key in ("overdue", "due_soon", "upcoming", "never_contacted")
        for e in outcome_digest[key]  # type: ignore[attr-defined]
        if e["name"] == "Good Person"
    ]
    return [e["last_contact"] for e in entries] == [day]


# --- where front matter is -----------------------------------------------------------------


def test_07_blank_lines_before_the_fence_mean_no_front_matter(tmp_path: Path) -> None:
    data = b"\n\n---\ntier: advocate\nname: Lead Blank\n---\nbody\n"
    vault = make_vault(tmp_path, {"leading-blank.md": data})
    outcome = survey(vault)
    outcome.clean("leading-blank.md")
    assert "Lead Blank" not in outcome.names() and "leading-blank" not in outcome.names()
    result, changed = edit(vault, "log", "Lead Blank", "x")
    assert result.exit_code == 2 and "no person matches" in result.stderr
    assert changed == set()


@pytest.mark.parametrize(
    "data",
    [
        b"---\nKey: value\n---\n" + MENTION.encode(),
        b"---\n\nKey: value\n\n---\n\n" + MENTION.encode(),
    ],
    ids=["tight", "spaced"],
)
def test_08_a_rule_then_key_value_prose_gives_nothing_and_keeps_the_body(
    tmp_path: Path, data: bytes
) -> None:
    # Obsidian shows "Key" as a property; vaultnet takes nothing from it (not a person, no
    # warning) and still reads the body below: its link counts as a mention.
    vault = make_vault(tmp_path, {"2026-11-20 hr-first.md": data})
    outcome = survey(vault)
    outcome.clean("2026-11-20 hr-first.md")
    assert mentioned_on(outcome.digest, "2026-11-20")
    assert outcome.digest["people"] == 1


def test_09_a_rule_then_prose_that_is_not_yaml_is_a_warning_and_the_body_is_read(
    tmp_path: Path,
) -> None:
    data = b"---\nThis is: prose: with colons\n- and [a bracket\n---\n" + MENTION.encode()
    vault = make_vault(tmp_path, {"2026-11-21 hr-first-badyaml.md": data})
    outcome = survey(vault)
    outcome.has(
        "2026-11-21 hr-first-badyaml.md", 2, "warning", "YAML error", "front matter ignored"
    )
    assert mentioned_on(outcome.digest, "2026-11-21")


def test_10_unclosed_front_matter_is_an_error_and_never_edited(tmp_path: Path) -> None:
    data = b"---\ntier: advocate\nname: Un Closed\n\nbody text\n"
    vault = make_vault(tmp_path, {"unclosed.md": data})
    outcome = survey(vault)
    outcome.has("unclosed.md", 1, "error", "malformed front matter", "no --- line closes it")
    result, changed = edit(vault, "log", "Un Closed", "x")
    assert result.exit_code == 2 and changed == set()


def test_11_dots_do_not_close_front_matter(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"dots-end.md": b"---\ntier: advocate\n...\nbody\n"})
    outcome = survey(vault)
    outcome.has("dots-end.md", 1, "error", "malformed front matter")


def test_12_four_dashes_are_a_rule_and_vaultnet_never_writes_them(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"four-dash.md": b"----\ntier: advocate\n----\nbody\n"})
    outcome = survey(vault)
    outcome.clean("four-dash.md")
    assert outcome.digest["people"] == 1
    for page in (vault / OUTPUT).rglob("*.md"):
        assert page.read_bytes().startswith(b"---\ngenerated_by: vaultnet\n"), page
    result, changed = edit(vault, "add", "New Person")
    assert result.exit_code == 0
    assert (vault / "People/New Person.md").read_bytes().startswith(b"---\n")
    assert not (vault / "People/New Person.md").read_bytes().startswith(b"----")
    assert changed == {"People", "People/New Person.md"}  # a new folder, and the note


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty-fm.md", b"---\n---\nbody\n"),  # 13
        ("only-dashes.md", b"---"),  # 14
        ("only-dashes-nl.md", b"---\n"),
        ("brace-first-line.md", b'{\n"tier": "advocate"\n}\n'),  # 33: not JSON front matter
        ("four-dash-open.md", b"----\n---\n"),
    ],
)
def test_13_14_33_empty_or_not_front_matter_is_quietly_not_a_person(
    tmp_path: Path, name: str, data: bytes
) -> None:
    vault = make_vault(tmp_path, {name: data})
    outcome = survey(vault)
    outcome.clean(name)
    assert outcome.digest["people"] == 1


def test_13_empty_front_matter_reads_as_an_empty_mapping() -> None:
    result = parse_note("empty-fm.md", b"---\n---\nbody\n")
    assert isinstance(result, Note) and result.front_matter == {} and not result.diagnostics


def test_15_an_empty_file_is_skipped_with_a_warning(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"empty.md": b"", "blank.md": b" \n\n"})
    outcome = survey(vault)
    outcome.has("empty.md", None, "warning", "empty note; skipped")
    outcome.has("blank.md", None, "warning", "empty note; skipped")


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("list-fm.md", b"---\n- tier: champion\n- b\n---\nbody\n", "a list"),  # 16
        ("scalar-fm.md", b"---\njust a string\n---\nbody\n", "a single value"),  # 17
    ],
)
def test_16_17_front_matter_that_is_not_a_mapping_is_reported_and_left_alone(
    tmp_path: Path, name: str, data: bytes, kind: str
) -> None:
    vault = make_vault(tmp_path, {name: data})
    outcome = survey(vault)
    outcome.has(name, 2, "warning", f"must be a mapping of keys to values, not {kind}")
    assert outcome.digest["people"] == 1
    result, changed = edit(vault, "log", name[:-3], "x")
    assert result.exit_code == 2 and changed == set()


# --- odd keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "key", "value"),
    [
        ("content-key.md", "content: the content", "content", "the content"),  # 18
        ("handler-key.md", "handler: yaml", "handler", "yaml"),  # 19
        ("int-key.md", "2024: started", "2024", "started"),  # 20
        ("bool-key.md", "yes: 1", "yes", 1),  # 21
        ("null-key.md", "null: x", "null", "x"),
    ],
)
def test_18_to_21_odd_keys_are_plain_text_keys_and_survive_an_edit(
    tmp_path: Path, name: str, line: str, key: str, value: object
) -> None:
    data = f"---\ntier: supporter\n{line}\nname: Odd {key}\n---\n".encode()
    parsed = parse_note(name, data)
    assert isinstance(parsed, Note) and parsed.front_matter[key] == value
    vault = make_vault(tmp_path, {name: data})
    outcome = survey(vault)
    outcome.clean(name)
    assert f"Odd {key}" in outcome.names()
    result, changed = edit(vault, "tier", f"Odd {key}", "advocate")
    assert result.exit_code == 0, result.output
    assert changed == {name}
    after = (vault / name).read_bytes()
    # Only the tier line of the front matter changed; the move is logged below it.
    assert after.startswith(data.replace(b"tier: supporter", b"tier: advocate"))


def test_22_duplicate_keys_warn_naming_both_lines_and_are_never_edited(tmp_path: Path) -> None:
    data = b"---\ntier: advocate\nemail: a@x.org\nname: Dup Key\nemail: b@x.org\n---\n"
    vault = make_vault(tmp_path, {"dup-keys.md": data})
    outcome = survey(vault)
    outcome.has("dup-keys.md", 5, "warning", "duplicate key 'email' (first on line 3)")
    assert "Dup Key" in outcome.names()
    result, changed = edit(vault, "snooze", "Dup Key", "2027-01-01")
    assert result.exit_code == 1
    assert "dup-keys.md:5: not edited: the key 'email' appears more than once" in result.stderr
    assert changed == set()


# --- links, JSON, TOML -----------------------------------------------------------------------


def test_31_an_unquoted_wikilink_is_read_as_a_link_and_left_unquoted(tmp_path: Path) -> None:
    data = (
        b"---\ntier: advocate\nname: Wiki Link\ncompany: [[Acme Corp]]\n"
        b"knows: [[Good Person]]\nintroduced_by:\n  - [[Good Person]]\n---\n"
    )
    vault = make_vault(tmp_path, {"wikilink-unquoted.md": data})
    outcome = survey(vault)
    outcome.clean("wikilink-unquoted.md")
    index = (vault / OUTPUT / "Index.md").read_text(encoding="utf-8")
    row = next(line for line in index.splitlines() if "Wiki Link" in line)
    assert "[[Acme Corp]]" in row and "['Acme Corp']" not in index
    introductions = (vault / OUTPUT / "Introductions.md").read_text(encoding="utf-8")
    assert "[[Good Person]]" in introductions
    result, _ = edit(vault, "tier", "Wiki Link", "champion")
    assert result.exit_code == 0, result.output
    # vaultnet did not touch company: it stays exactly as written.
    assert b"\ncompany: [[Acme Corp]]\n" in (vault / "wikilink-unquoted.md").read_bytes()


def test_32_json_front_matter_is_a_mapping(tmp_path: Path) -> None:
    data = b'---\n{"tier": "advocate", "name": "Jay Son", "tags": ["a"], "publish": false}\n---\n'
    vault = make_vault(tmp_path, {"json-fm.md": data})
    outcome = survey(vault)
    outcome.clean("json-fm.md")
    assert outcome.person("Jay Son")["tier"] == "advocate"


def test_34_toml_front_matter_is_reported_as_unsupported(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"toml-fm.md": b'+++\ntier = "advocate"\n+++\nbody\n'})
    outcome = survey(vault)
    outcome.has("toml-fm.md", 1, "warning", "TOML front matter (+++) is not supported")
    assert outcome.digest["people"] == 1


# --- edits keep the user's style (48-52) -------------------------------------------------------

STYLED = (
    "---\n"
    "# who she is\n"
    "name: 'Co Flow'   # single quotes\n"
    "tier: advocate\n"
    "aliases: [\"C. Flow\", 'CF']  # a flow list\n"
    "bio: |\n"
    "  Line one\n"
    "  Line two: with a colon\n"
    "summary: " + "x" * 300 + "\n"
    "snooze_until: 2026-01-01  # an old snooze\n"
    "---\n"
    "body\n"
)


def test_48_51_an_edit_changes_exactly_one_line(tmp_path: Path) -> None:
    data = STYLED.encode()
    vault = make_vault(tmp_path, {"comments-flow.md": data})
    outcome = survey(vault)
    outcome.clean("comments-flow.md")
    result, changed = edit(vault, "snooze", "CF", "2027-02-01")
    assert result.exit_code == 0, result.output
    assert changed == {"comments-flow.md"}
    removed, added = hunk(data, (vault / "comments-flow.md").read_bytes())
    assert removed == [b"snooze_until: 2026-01-01  # an old snooze\n"]
    assert added == [b"snooze_until: 2027-02-01  # an old snooze\n"]


@pytest.mark.parametrize("ending", [b"", b"\n"], ids=["no-final-newline", "final-newline"])
def test_52_a_log_entry_keeps_the_final_newline_as_it_was(tmp_path: Path, ending: bytes) -> None:
    data = b"---\ntier: advocate\nname: End Line\n---\n## Log\n- 2026-10-01 coffee" + ending
    vault = make_vault(tmp_path, {"final.md": data})
    survey(vault)
    result, _ = edit(vault, "log", "End Line", "lunch")
    assert result.exit_code == 0, result.output
    after = (vault / "final.md").read_bytes()
    assert after == data.rstrip(b"\n") + b"\n- 2026-11-26 lunch" + ending


def test_a_log_entry_never_lands_in_a_code_block_left_open(tmp_path: Path) -> None:
    # Found by tests/test_fuzz.py: the entry went after the open fence, as code, unread.
    data = b"---\ntier: champion\nname: Open Fence\n---\n## Log\n```\n"
    vault = make_vault(tmp_path, {"fence.md": data})
    assert "Open Fence" in survey(vault).names()
    result, changed = edit(vault, "log", "Open Fence", "lunch")
    assert result.exit_code == 1
    assert "fence.md: not edited: the log ends inside a code block that is never closed" in (
        result.stderr
    )
    assert changed == set()


# --- what Obsidian would not read (53, 54) -----------------------------------------------------


def test_53_legacy_obsidian_keys_are_read_and_flagged(tmp_path: Path) -> None:
    data = b"---\ntier: advocate\nname: Leg Acy\ntag: a, b\nalias: X\ncssclass: y\n---\n"
    vault = make_vault(tmp_path, {"legacy-props.md": data})
    outcome = survey(vault)
    for line, key, modern in (
        (4, "tag", "tags"),
        (5, "alias", "aliases"),
        (6, "cssclass", "cssclasses"),
    ):
        outcome.has(
            "legacy-props.md", line, "warning", f"'{key}' is ignored by Obsidian 1.9", modern
        )
    assert "Leg Acy" in outcome.names()


def test_54_tags_obsidian_cannot_use_are_flagged_and_hashes_dropped(tmp_path: Path) -> None:
    data = b'---\nname: Odd Tags\ntags: ["#person", "2024", "a b", "y2024"]\n---\n'
    vault = make_vault(tmp_path, {"tags-odd.md": data})
    outcome = survey(vault)
    outcome.has("tags-odd.md", 3, "warning", "tag '2024' is only digits")
    outcome.has("tags-odd.md", 3, "warning", "tag 'a b' holds a space")
    assert len(outcome.about("tags-odd.md")) == 2  # "#person" and "y2024" are fine
    assert "Odd Tags" in outcome.names()  # "#person" made it a person note
    parsed = parse_note("tags-odd.md", data)
    assert isinstance(parsed, Note) and parsed.tags == ("person", "2024", "a b", "y2024")
