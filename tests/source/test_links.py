"""Unit tests for wikilinks and resolving links and names to people."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tests.conftest import TODAY
from vaultnet.config import Config
from vaultnet.model.network import build_network
from vaultnet.source.links import Link, Resolver, as_link, find_links, fold, parse_link, plain_text
from vaultnet.source.notes import Note, parse_note

NFD = unicodedata.normalize("NFD", "Zoë Okafor")
NFC = unicodedata.normalize("NFC", "Zoë Okafor")
VAULT = Path("vault")  # the model is pure: the folder is never read


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[Alice]]", Link("Alice")),
        ("[[Alice|Ally]]", Link("Alice", label="Ally")),
        ("[[Alice#Work]]", Link("Alice", heading="Work")),
        ("[[Alice#^blk1]]", Link("Alice", heading="^blk1")),
        ("[[Alice#Work|at work]]", Link("Alice", label="at work", heading="Work")),
        ("[[alice]]", Link("alice")),
        ("[[Alice.md]]", Link("Alice")),
        ("[[Alice.MD]]", Link("Alice")),
        ("[[People/Alice]]", Link("People/Alice")),
        ("[[ Alice ]]", Link("Alice")),
        ("[[Sq]uare]]", Link("Sq]uare")),  # Obsidian ends a link at the first "]]"
        ("![[Alice]]", Link("Alice", embed=True)),
    ],
)
def test_find_links_one(text: str, expected: Link) -> None:
    assert list(find_links(f"before {text} after")) == [expected]


def test_find_links_many_and_none() -> None:
    assert [link.target for link in find_links("[[a]] and [[b|c]], ![[d]]")] == ["a", "b", "d"]
    assert list(find_links("no links [here] or [[]] or [[\n]]")) == []


def test_link_text() -> None:
    assert parse_link("People/Ann Lee").text == "Ann Lee"
    assert parse_link("People/Ann Lee|Ann").text == "Ann"


def test_as_link_is_for_a_whole_value() -> None:
    assert as_link("[[Acme]]") == Link("Acme")
    assert as_link("  [[Acme|ACME Inc]] ") == Link("Acme", label="ACME Inc")
    assert as_link("[[Sq]uare]]") == Link("Sq]uare")
    assert as_link("Acme") is None
    assert as_link("at [[Acme]]") is None
    assert as_link("[[Acme]] (ex [[Initech]])") is None
    assert as_link("[[Acme]], [[Initech]]") is None


def test_plain_text() -> None:
    assert plain_text("[[People/Ann Lee|Ann]]") == "Ann"
    assert plain_text("[[Harbor Health]]") == "Harbor Health"
    assert plain_text("  Acme ") == "Acme"
    assert plain_text("[[Acme]] and [[Initech]]") == "[[Acme]] and [[Initech]]"


def test_fold_matches_case_and_unicode_forms() -> None:
    assert fold(NFD) == fold(NFC) == fold("ZOË OKAFOR")
    assert fold("Straße") == fold("STRASSE")


@pytest.fixture
def resolver() -> Resolver:
    r = Resolver()
    r.add("People/Alice.md", "People/Alice.md", "Alice Smith", ["Ally", NFC])
    r.add("Work/Team/Bob.md", "Work/Team/Bob.md", "Bob", [])
    r.add("Bob.md", "Bob.md", "Robert", [])
    r.add("People/Sq]uare.md", "People/Sq]uare.md", "Sq]uare", [])
    r.add("People/Chloé.md", "People/Chloé.md", "Chloé Martin", [])
    r.finish()
    return r


@pytest.mark.parametrize(
    ("target", "key", "how"),
    [
        ("Alice", "People/Alice.md", "file"),
        ("alice", "People/Alice.md", "file"),
        ("ALICE", "People/Alice.md", "file"),
        ("Alice.md", "People/Alice.md", "file"),
        ("Alice Smith", "People/Alice.md", "name"),
        ("alice smith", "People/Alice.md", "name"),
        ("Ally", "People/Alice.md", "alias"),
        (NFD, "People/Alice.md", "alias"),
        ("People/Alice", "People/Alice.md", "path"),
        ("people/alice.md", "People/Alice.md", "path"),
        ("Bob", "Bob.md", "file"),  # the shortest path wins among notes of one name
        ("Work/Team/Bob", "Work/Team/Bob.md", "path"),
        ("Team/Bob", "Work/Team/Bob.md", "path"),
        ("Robert", "Bob.md", "name"),
        ("Sq]uare", "People/Sq]uare.md", "file"),
        (unicodedata.normalize("NFD", "chloé"), "People/Chloé.md", "file"),
    ],
)
def test_resolve(resolver: Resolver, target: str, key: str, how: str) -> None:
    match = resolver.resolve(target)
    assert match is not None
    assert (match.key, match.how) == (key, how)


@pytest.mark.parametrize("target", ["Nobody", "", "  ", "Ali"])
def test_unresolved(resolver: Resolver, target: str) -> None:
    assert resolver.resolve(target) is None


def test_shortest_path_wins_whatever_the_order_added() -> None:
    for order in (["A/B/Sam.md", "Sam.md", "A/Sam.md"], ["Sam.md", "A/Sam.md", "A/B/Sam.md"]):
        r = Resolver()
        for path in order:
            r.add(path, path, "Sam", [])
        r.finish()
        assert r.resolve("Sam") is not None
        assert r.resolve("Sam").key == "Sam.md"  # type: ignore[union-attr]


def test_file_name_beats_another_person_s_name_and_alias() -> None:
    r = Resolver()
    r.add("Ann.md", "Ann.md", "Ann Lee", [])
    r.add("Other.md", "Other.md", "Ann", ["Ann"])
    r.finish()
    assert r.resolve("Ann").key == "Ann.md"  # type: ignore[union-attr]


def test_all_matches_lists_every_candidate(resolver: Resolver) -> None:
    assert resolver.all_matches("Bob") == ["Bob.md", "Work/Team/Bob.md"]
    assert resolver.all_matches("Work/Team/Bob") == ["Work/Team/Bob.md"]
    assert "ally" in resolver.names()


# --- links in notes resolve to people in the model -------------------------------------------


def _note(path: str, text: str) -> Note:
    result = parse_note(path, text.encode("utf-8"))
    assert isinstance(result, Note)
    return result


@pytest.mark.parametrize(
    "link",
    [
        "[[Alice]]",
        "[[alice]]",
        "[[Alice|Ally]]",
        "[[Alice#Work]]",
        "[[Alice#^blk1]]",
        "[[Alice.md]]",
        "[[People/Alice]]",
        "[[Ally]]",
        "[[Alice Smith]]",
    ],
)
def test_mentions_resolve_every_link_form(link: str) -> None:
    notes = [
        _note("People/Alice.md", "---\ntier: champion\nname: Alice Smith\naliases: [Ally]\n---\n"),
        _note("Daily/2026-11-20.md", f"Coffee with {link} at the station.\n"),
    ]
    network, _ = build_network(Config(vault=VAULT), notes, TODAY)
    alice = network.by_key["People/Alice.md"]
    assert alice.last_contact == TODAY.replace(day=20)
    assert alice.last_interaction is not None
    assert alice.last_interaction.mention


def test_knows_and_introduced_by_resolve_nfd_links_to_nfc_names() -> None:
    notes = [
        _note(f"People/{NFC}.md", "---\ntier: champion\n---\n"),
        _note(
            "People/Ann.md",
            f'---\ntier: advocate\nintroduced_by: "[[{NFD}]]"\n'
            'knows: ["[[Zoë Okafor|Zoë]]", "Nobody Known", "[[Nobody]]"]\n---\n',
        ),
    ]
    network, _ = build_network(Config(vault=VAULT), notes, TODAY)
    ann = network.by_key["People/Ann.md"]
    assert [r.person for r in ann.introduced_by] == [f"People/{NFC}.md"]
    assert [(r.text, r.is_link, r.person) for r in ann.knows] == [
        ("Zoë", True, f"People/{NFC}.md"),
        ("Nobody Known", False, None),
        ("Nobody", True, None),
    ]


def test_duplicate_file_names_link_by_path() -> None:
    notes = [
        _note("Work/Alex.md", "---\ntier: champion\n---\n"),
        _note("Home/Alex.md", "---\ntier: champion\n---\n"),
        _note("Sam.md", "---\ntier: champion\n---\n"),
    ]
    network, _ = build_network(Config(vault=VAULT), notes, TODAY)
    links = {p.path: p.link for p in network.people}
    assert links == {"Work/Alex.md": "Work/Alex", "Home/Alex.md": "Home/Alex", "Sam.md": "Sam"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[Bob](Bob.md)", Link("./Bob", label="Bob")),
        ("[Bob](People/Bob%20Marsh.md)", Link("./People/Bob Marsh", label="Bob")),
        ("[Bob](<People/Bob Marsh.md>)", Link("./People/Bob Marsh", label="Bob")),
        ("[Bob](../People/Bob.md#Work)", Link("../People/Bob", label="Bob", heading="Work")),
        ("[Bob](/People/Bob)", Link("/People/Bob", label="Bob")),
        ('[Bob](Bob.md "a title")', Link("./Bob", label="Bob")),
        ("![Bob](Bob.md)", Link("./Bob", label="Bob", embed=True)),
    ],
)
def test_markdown_links_to_notes(text: str, expected: Link) -> None:
    assert list(find_links(f"see {text}.")) == [expected]


@pytest.mark.parametrize(
    "text",
    ["[a](https://x.org/Bob.md)", "[m](mailto:b@x.org)", "[p](pic.png)", "[h](#Log)", "[e]()"],
)
def test_markdown_links_elsewhere_are_not_note_links(text: str) -> None:
    assert list(find_links(text)) == []


def test_markdown_paths_resolve_from_the_linking_note_first() -> None:
    resolver = Resolver()
    resolver.add("People/Bob.md", "People/Bob.md", "Bob", ())
    resolver.add("Work/People/Bob.md", "Work/People/Bob.md", "Work Bob", ())
    resolver.finish()
    assert resolver.resolve("./People/Bob", "Work").key == "Work/People/Bob.md"  # type: ignore[union-attr]
    assert resolver.resolve("./People/Bob", "Daily").key == "People/Bob.md"  # type: ignore[union-attr]
    assert resolver.resolve("../People/Bob", "Work/x").key == "Work/People/Bob.md"  # type: ignore[union-attr]
    assert resolver.resolve("./Nobody", "Daily") is None


def test_note_link_writes_what_obsidian_would() -> None:
    from vaultnet.source.links import note_link

    assert note_link("People/Ann Lee.md", "Ann Lee", False, shortest="Ann Lee") == "[[Ann Lee]]"
    assert note_link("People/Ann Lee.md", "Ann", True, "shortest", "Ann Lee") == (
        "[Ann](Ann%20Lee.md)"
    )
    assert note_link("People/Ann Lee.md", "Ann", True, "absolute", "Ann Lee") == (
        "[Ann](People/Ann%20Lee.md)"
    )
    assert note_link("People/Ann Lee.md", "Ann", True, "relative", "Ann Lee", "Daily") == (
        "[Ann](../People/Ann%20Lee.md)"
    )
    assert as_link(note_link("People/Ann (x).md", "Ann", True, "absolute")) == Link(
        "./People/Ann (x)", label="Ann"
    )
