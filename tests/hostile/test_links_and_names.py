"""Links, and names that become file names (HOSTILE 45, 60, 63-68, and the naming rules).

A link resolves the way docs/notes.md says: a path, then the file name (shortest path
first), then ``name``, then an alias, whatever the case and Unicode form. Here each rule is
seen from the outside: a dated note mentions someone, and the digest shows who got the
contact. Names that become file names (tier pages, company pages, ``vaultnet add``) must be
safe on every system and unique.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import pytest

from vaultnet import build_vault, load_config
from vaultnet.names import MAX_BYTES
from vaultnet.pipeline.output import is_generated

from . import GOOD, OUTPUT, TODAY_ARGS, cli, edit, make_vault, person, snapshot, survey

DAY = "2026-11-20"
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10)}


def assert_safe_name(name: str) -> None:
    """A file name that every system accepts and that cannot mislead the reader."""
    stem = name[:-3] if name.endswith(".md") else name
    assert stem and stem == stem.strip(" .") and not stem.startswith(".")
    assert not any(c in name for c in '/\\:*?"<>|')
    assert not any(unicodedata.category(c).startswith("C") for c in name)  # control, bidi, ...
    assert stem.split(".")[0].upper() not in RESERVED
    assert len(stem.encode("utf-8")) <= MAX_BYTES + len(" (99)")
    assert unicodedata.is_normalized("NFC", name)


def contact(*lines: str, name: str) -> bytes:
    """A person due a week after the last contact: in the digest whenever that is."""
    return person("cadence: 7d", *lines, name=name)


def mentioned(*links: str) -> bytes:
    return "".join(f"- Lunch with {link}\n" for link in links).encode()


# --- how links resolve --------------------------------------------------------------------------


def test_45_bidi_overrides_are_shown_escaped_in_pages(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"bidi.md": person(name='"\\u202eevil.exe"')})
    outcome = survey(vault)
    outcome.clean("bidi.md")
    assert "\u202eevil.exe" in outcome.names()  # the data is kept as written
    pages = [p for p in (vault / OUTPUT).rglob("*.md")]
    text = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "\u202e" not in text and "\\u202eevil.exe" in text
    for page in pages:
        assert_safe_name(page.name)


def test_60_an_nfd_file_name_matches_an_nfc_link(tmp_path: Path) -> None:
    files = {
        "People/Zoe\u0308.md": contact(name="Zoe\u0308 Decomposed").replace(b"name: ", b"nick: "),
        f"{DAY}.md": mentioned("[[Zoë]]"),
    }
    vault = make_vault(tmp_path, files)
    outcome = survey(vault)
    assert outcome.person("Zoë")["last_contact"] == DAY
    assert outcome.person("Zoë")["path"] == "People/Zoë.md"


def test_63_the_shortest_path_wins_and_a_path_picks_the_other(tmp_path: Path) -> None:
    files = {
        "Alice.md": contact(name="Alice"),
        "People/Alice.md": contact(name="Alice"),
        "People/2026-11-10 x.md": mentioned("[[Alice]]"),
        "People/2026-11-12 y.md": mentioned("[[People/Alice]]"),
    }
    vault = make_vault(tmp_path, files)
    outcome = survey(vault)
    contacts = {
        e["path"]: e["last_contact"]
        for key in ("overdue", "due_soon", "upcoming", "never_contacted")
        for e in outcome.digest[key]
    }
    assert contacts["Alice.md"] == "2026-11-10"
    assert contacts["People/Alice.md"] == "2026-11-12"


def test_64_among_notes_of_one_name_the_shortest_path_string_wins(tmp_path: Path) -> None:
    files = {
        "zzzz/Note.md": contact(name="Z Note"),
        "a/b/Note.md": contact(name="AB Note"),
        f"c/{DAY} x.md": mentioned("[[Note]]"),
    }
    outcome = survey(make_vault(tmp_path, files))
    assert outcome.person("AB Note")["last_contact"] == DAY
    assert outcome.person("Z Note")["last_contact"] is None


@pytest.mark.parametrize(
    "link",
    [
        "[[Alice|Ally]]",
        "[[Alice#Work]]",
        "[[Alice#^blk1]]",
        "[[alice]]",
        "[[Alice.md]]",
        "[[ALICE]]",
    ],
)
def test_65_every_form_of_a_link_resolves(tmp_path: Path, link: str) -> None:
    files = {"Alice.md": contact(name="Alice"), f"{DAY}.md": mentioned(link)}
    outcome = survey(make_vault(tmp_path, files))
    assert outcome.person("Alice")["last_contact"] == DAY


def test_65_an_embed_resolves_but_is_not_a_contact(tmp_path: Path) -> None:
    files = {"Alice.md": contact(name="Alice"), f"{DAY}.md": b"![[Alice]]\n"}
    outcome = survey(make_vault(tmp_path, files))
    assert outcome.person("Alice")["last_contact"] is None


def test_66_an_alias_match_resolves_and_is_marked_as_such(tmp_path: Path) -> None:
    files = {
        "Alice.md": contact("aliases: [Ally]", name="Alice"),
        "Bob.md": contact('knows: ["[[Ally]]", "[[Alice]]"]', name="Bob"),
        f"{DAY}.md": mentioned("[[Ally]]"),
    }
    vault = make_vault(tmp_path, files)
    outcome = survey(vault)
    assert outcome.person("Alice")["last_contact"] == DAY
    network = build_vault(load_config(vault), dt.date(2026, 11, 26), write=False).network
    assert network is not None
    [bob] = [p for p in network.people if p.name == "Bob"]
    assert [(k.person, k.via_alias) for k in bob.knows] == [("Alice.md", True), ("Alice.md", False)]


def test_67_a_link_ends_at_the_first_double_bracket(tmp_path: Path) -> None:
    files = {"Sq]uare.md": contact(name="Square"), f"{DAY}.md": mentioned("[[Sq]uare]]")}
    outcome = survey(make_vault(tmp_path, files))
    assert outcome.person("Square")["last_contact"] == DAY


def test_68_generated_pages_are_never_read_as_notes(tmp_path: Path) -> None:
    files = {"Ann.md": person("last_contact: 2026-01-01", name="Ann")}
    vault = make_vault(tmp_path, files)
    first = survey(vault)
    # The old pages stay in the vault when the output moves, and one is copied under a
    # dated name: full of links to people, they must not become people or contacts.
    (vault / "vaultnet.toml").write_text('output_dir = "Pages"\n', encoding="utf-8")
    old_index = (vault / OUTPUT / "Index.md").read_bytes()
    (vault / f"{DAY} copied.md").write_bytes(old_index)
    before = snapshot(tmp_path)
    check = cli("check", vault, "--no-cache", *TODAY_ARGS)
    digest = json.loads(cli("digest", vault, "--format", "json", "--no-cache", *TODAY_ARGS).stdout)
    assert check.exit_code == 0 and check.stderr == ""
    assert digest["people"] == first.digest["people"] == 2
    for key in ("overdue", "due_soon", "upcoming", "never_contacted"):
        assert digest[key] == first.digest[key]
    assert snapshot(tmp_path) == before
    build = cli("build", vault, "--no-cache", *TODAY_ARGS)
    assert build.exit_code == 0 and (vault / "Pages" / "Index.md").is_file()
    assert (vault / OUTPUT / "Index.md").read_bytes() == old_index  # outside the output now


# --- names that become file names -------------------------------------------------------------

HOSTILE_NAMES = [
    "../../etc",
    "..",
    "CON",
    "nul.txt",
    "A/B",
    "A\\B",
    "x\u202eexe.md",
    "tab\there",  # other control characters are refused: test_faults.py
    "A" * 300,
    "é" * 200,
    "🙂" * 100,
    "{{ 7*7 }}",
    " . ",
    "[[Evil]] | x",
]


def _tier_toml(titles: list[str]) -> str:
    return "".join(
        f'[[tiers]]\nname = "t{i}"\ntitle = {json.dumps(title)}\n' for i, title in enumerate(titles)
    )


def test_tier_titles_become_safe_distinct_page_names(tmp_path: Path) -> None:
    titles = ["../../etc", "CON", "A/B", "x\u202eexe.md", "A" * 300, "{{ 7*7 }}", " . ", "ok"]
    files: dict[str, bytes | str] = {
        "vaultnet.toml": _tier_toml(titles),
        "T.md": b"---\ntier: t0\n---\n",
    }
    vault = make_vault(tmp_path, files)
    (vault / f"{GOOD}.md").write_bytes(b"---\ntier: ok\n---\n")
    survey(vault)
    pages = sorted(p.name for p in (vault / OUTPUT / "Tiers").iterdir())
    assert len(pages) == len(titles)
    for name in pages:
        assert_safe_name(name)
    assert "{{ 7 7 }}.md" in pages  # a title is data: never rendered as a template
    assert not (tmp_path / "etc").exists() and not (vault / "etc").exists()


@pytest.mark.parametrize(
    "pair",
    [("A/B", "A\\B"), ("Zoë", "Zoe\u0308"), ("Friends?", "FRIENDS*"), ("...", " . ")],
    ids=["separators", "unicode-form", "case", "empty"],
)
def test_tier_titles_that_would_share_a_page_are_refused(
    tmp_path: Path, pair: tuple[str, str]
) -> None:
    vault = make_vault(tmp_path, {"vaultnet.toml": _tier_toml(list(pair))})
    before = snapshot(tmp_path)
    for command in ("check", "build"):
        result = cli(command, vault, *TODAY_ARGS)
        assert result.exit_code == 2
        assert "vaultnet.toml: tiers 't0' and 't1' would both be written to Tiers/" in result.stderr
    assert snapshot(tmp_path) == before


def test_company_pages_get_safe_distinct_names(tmp_path: Path) -> None:
    companies = ["../../etc", "CON", "a/b", "..", "\u202eevil", "x" * 300, "Zoë", "Zoe\u0308 GmbH"]
    files = {}
    for index, company in enumerate(companies):
        for who in ("a", "b"):
            files[f"c{index}{who}.md"] = person(
                f"company: {json.dumps(company)}", name=f"{index}{who}"
            )
    vault = make_vault(tmp_path, files)
    survey(vault)
    pages = [p.name for p in (vault / OUTPUT / "Companies").iterdir()]
    assert len(pages) >= len(companies) - 1  # Zoë and Zoë GmbH may be one company
    folded = [unicodedata.normalize("NFC", p).casefold() for p in pages]
    assert len(set(folded)) == len(folded)
    for name in pages:
        assert_safe_name(name)
        assert is_generated(vault / OUTPUT / "Companies" / name)


def test_add_makes_safe_unique_file_names_inside_the_vault(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"vaultnet.toml": 'people_dirs = ["People"]\n'}, good=False)
    created = []
    for name in HOSTILE_NAMES:
        result, changed = edit(vault, "add", name)
        assert result.exit_code == 0, (name, result.output)
        [path] = [p for p in changed if p.endswith(".md")]
        assert path.startswith("People/") and path.count("/") == 1, path
        assert_safe_name(path.split("/")[1])
        created.append(path)
    assert len({p.casefold() for p in created}) == len(HOSTILE_NAMES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vault"]
    outcome = survey(vault, good=False)
    names = outcome.names()
    for name in HOSTILE_NAMES:  # the display name is kept as typed (whitespace folded)
        assert " ".join(name.split()) in names


@pytest.mark.parametrize("again", ["alice", "ALICE", " Alice ", "Alice.md", "[[Alice]]"], ids=str)
def test_add_refuses_a_name_that_differs_only_in_case_or_form(tmp_path: Path, again: str) -> None:
    vault = make_vault(tmp_path, {"People/Alice.md": person(name="Alice")}, good=False)
    result, changed = edit(vault, "add", again)
    assert result.exit_code == 2 and "already exists: People/Alice.md" in result.stderr
    assert changed == set()


def test_add_refuses_a_name_that_differs_only_in_unicode_form(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"Zoë.md": person(name="Zoë")}, good=False)
    result, changed = edit(vault, "add", "Zoe\u0308")
    assert result.exit_code == 2 and "already exists: Zoë.md" in result.stderr
    assert changed == set()


@pytest.mark.parametrize("name", ["Alice.md", "[[Alice]]", "[[alice|Al]]", "People/Alice"])
def test_editing_commands_take_a_name_the_way_a_link_does(tmp_path: Path, name: str) -> None:
    vault = make_vault(tmp_path, {"People/Alice.md": person(name="Alice")}, good=False)
    result, changed = edit(vault, "log", name, "lunch")
    assert result.exit_code == 0, result.output
    assert changed == {"People/Alice.md"}
