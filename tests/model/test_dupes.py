"""Duplicate person notes: ``vaultnet dupes``, and the warnings of ``check`` (one code path)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import WriteNote
from vaultnet.cli.main import main
from vaultnet.model.identity import name_words, phone_key
from vaultnet.pipeline.request import BuildRequest, Mode

TODAY = "2026-11-26"


def person(name: str, extra: str = "") -> str:
    return f"---\nname: {name}\ntier: supporter\n{extra}---\n"


def dupes(vault: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["dupes", str(vault), *args])
    return result.exit_code, result.stdout


def pairs(vault: Path) -> list[tuple[str, str, list[str]]]:
    code, text = dupes(vault, "--json")
    assert code == 0, text
    return [
        (p["first"]["path"], p["second"]["path"], [m["key"] for m in p["matched"]])
        for p in json.loads(text)["pairs"]
    ]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Zoë Okafor", ("zoe", "okafor")),
        ("  zoe   OKAFOR ", ("zoe", "okafor")),
        ("Okafor, Zoë", ("zoe", "okafor")),
        ("Grace O'Connell", ("grace", "oconnell")),
        ("Grace O’Connell", ("grace", "oconnell")),
        ("Jean-Luc Picard", ("jean", "luc", "picard")),
        ("Ann B. Lee", ("ann", "b", "lee")),
        ("Lee, Ann, Jr", ("lee", "ann", "jr")),  # two commas: not "Last, First"
        ("渡辺 健", ("渡辺", "健")),
    ],
)
def test_name_words_fold_case_accents_punctuation_and_last_first(
    name: str, words: tuple[str, ...]
) -> None:
    assert name_words(name) == words


@pytest.mark.parametrize(
    ("phone", "key"),
    [
        ("+44 7700 900418", "+447700900418"),
        ("0044-7700-900418", "+447700900418"),
        ("(+44) 7700 900.418", "+447700900418"),
        ("tel:+44-7700-900418", "+447700900418"),
        ("07700 900418", "07700900418"),
        ("(0)7700-900418", "07700900418"),
        ("1234", None),
        ("", None),
    ],
)
def test_phone_key(phone: str, key: str | None) -> None:
    assert phone_key(phone) == key


def test_folded_names_and_last_first_are_one_person(vault: Path, write: WriteNote) -> None:
    write("People/Zoë Okafor.md", person("Zoë Okafor"))
    write("People/Zoe Okafor.md", person("Zoe Okafor"))
    write("Contacts/Okafor, Zoë.md", person("Okafor, Zoë"))
    write("People/Zoe Adams.md", person("Zoe Adams", "aliases: [Z.]\n"))
    write("People/Zed.md", person("Zed", "aliases: [z]\n"))
    assert pairs(vault) == [
        ("People/Zed.md", "People/Zoe Adams.md", ["aliases"]),
        ("Contacts/Okafor, Zoë.md", "People/Zoe Okafor.md", ["name"]),
        ("Contacts/Okafor, Zoë.md", "People/Zoë Okafor.md", ["name"]),
    ]


def test_phones_match_in_any_spelling_but_national_only_exactly(
    vault: Path, write: WriteNote
) -> None:
    write("People/A.md", person("A", 'phone: "+44 7700 900418"\n'))
    write("People/B.md", person("B", 'phone: ["0044 (7700) 900-418"]\n'))
    write("People/C.md", person("C", 'phone: "07700 900418"\n'))
    write("People/D.md", person("D", 'phone: "07700-900-418"\n'))
    write("People/E.md", person("E", 'phone: "123"\n'))
    write("People/F.md", person("F", 'phone: "12-3"\n'))
    assert pairs(vault) == [
        ("People/A.md", "People/B.md", ["phone"]),
        ("People/C.md", "People/D.md", ["phone"]),
    ]


def test_a_middle_name_or_initial_at_the_same_company(vault: Path, write: WriteNote) -> None:
    write("People/Ann Lee.md", person("Ann Lee", 'company: "[[Acme Robotics]]"\n'))
    write("People/Ann B. Lee.md", person("Ann B. Lee", "company: Acme Robotics Inc.\n"))
    write("People/Ann Beth Lee.md", person("Ann Beth Lee", "company: acme robotics\n"))
    write("People/Ann C. Lee.md", person("Ann C. Lee", "company: Acme Robotics\n"))
    write("People/Tom Hale.md", person("Tom Hale", "company: Initech\n"))
    write("People/Tom J. Hale.md", person("Tom J. Hale", "company: Globex\n"))
    write("People/Tom K. Hale.md", person("Tom K. Hale"))
    found = pairs(vault)
    assert found == [
        ("People/Ann B. Lee.md", "People/Ann Beth Lee.md", ["middle_name"]),
        ("People/Ann B. Lee.md", "People/Ann Lee.md", ["middle_name"]),
        ("People/Ann Beth Lee.md", "People/Ann Lee.md", ["middle_name"]),
        ("People/Ann C. Lee.md", "People/Ann Lee.md", ["middle_name"]),
    ]


def test_middle_names_are_compared_within_a_company_only(
    vault: Path, write: WriteNote, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty people of one first and last name at forty companies: no pair is compared (a
    common name is many notes in a large vault, and each with each grew as its square);
    the two at one company still are, and clash."""
    from vaultnet.model import identity

    for number in range(40):
        initial = chr(ord("A") + number % 26)
        name = f"Sam {initial}{number}. Park"
        write(f"People/{name}.md", person(name, f"company: Company {number}\n"))
    write("People/Sam Park.md", person("Sam Park", "company: Company 7\n"))
    compared: list[tuple[str, ...]] = []
    real = identity._same_but_middle

    def counted(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
        compared.append(first)
        return real(first, second)

    monkeypatch.setattr(identity, "_same_but_middle", counted)
    assert pairs(vault) == [("People/Sam H7. Park.md", "People/Sam Park.md", ["middle_name"])]
    assert len(compared) == 1


def test_dupes_lists_every_key_with_both_paths_and_strict_fails(
    vault: Path, write: WriteNote
) -> None:
    write(
        "People/Cy.md",
        person("Cy", 'email: Cy@Example.com\nphone: "+1 555 0100 22"\n'),
    )
    write(
        "People/Cyrus.md",
        person(
            "Cyrus",
            'aliases: [cy]\nemail: cy@example.com\nphone: "001-555-0100-22"\n',
        ),
    )
    code, text = dupes(vault)
    assert (code, text) == (
        0,
        "People/Cy.md  ~  People/Cyrus.md\n"
        "    same email: cy@example.com\n"
        "    same phone: 001-555-0100-22\n"
        "1 pair: merge each into one note, or tell them apart\n",
    )
    data = json.loads(dupes(vault, "--json")[1])
    assert data == {
        "total": 1,
        "pairs": [
            {
                "first": {"path": "People/Cy.md", "name": "Cy"},
                "second": {"path": "People/Cyrus.md", "name": "Cyrus"},
                "matched": [
                    {"key": "email", "value": "cy@example.com"},
                    {"key": "phone", "value": "001-555-0100-22"},
                ],
            }
        ],
    }
    assert dupes(vault, "--strict")[0] == 1
    # check warns of the same pair, by its first key
    result = CliRunner().invoke(main, ["check", str(vault), "--today", TODAY])
    assert [line for line in result.stderr.splitlines() if "twice" in line] == [
        "People/Cyrus.md:5: warning: same email as People/Cy.md ('cy@example.com'): "
        "the same person twice? merge the notes, or tell them apart"
    ]


def test_no_dupes_is_exit_zero_even_strict(vault: Path, write: WriteNote) -> None:
    write("People/Ann.md", person("Ann", 'phone: "+44 1"\n'))
    write("People/Bob.md", person("Bob", 'phone: "+44 1"\n'))  # too short to compare
    assert dupes(vault, "--strict") == (0, "No two person notes look like one person.\n")
    assert json.loads(dupes(vault, "--json")[1]) == {"total": 0, "pairs": []}


def test_check_warns_of_a_shared_phone_at_its_line(vault: Path, write: WriteNote) -> None:
    write("People/A.md", person("A", 'phone: "+44 7700 900418"\n'))
    write("People/B.md", person("B", 'phone: "0044 7700 900418"\n'))
    result = CliRunner().invoke(main, ["check", str(vault), "--today", TODAY, "--strict"])
    assert result.exit_code == 1
    assert (
        "People/B.md:4: warning: same phone as People/A.md ('0044 7700 900418'): "
        "the same person twice?" in result.stderr
    )


def test_linkedin_and_vcard_imports_of_one_person_are_found(
    vault: Path, write: WriteNote, tmp_path: Path
) -> None:
    write("vaultnet.toml", 'people_dirs = ["People"]\n')
    (vault / "People").mkdir()
    connections = tmp_path / "Connections.csv"
    connections.write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
        "Zoë,Okafor,https://www.linkedin.com/in/zoe-okafor,,Harbor Health,Head of Data,"
        "01 Oct 2024\r\n"
        "Ann,Lee,https://www.linkedin.com/in/annlee,,Acme Robotics,CTO,02 Oct 2024\r\n",
        encoding="utf-8",
    )
    cards = tmp_path / "contacts.vcf"
    cards.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoe Okafor\r\nN:Okafor;Zoe;;;\r\n"
        b"TEL;TYPE=CELL:+44 7700 900001\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann B. Lee\r\nN:Lee;Ann;B.;;\r\n"
        b"ORG:Acme Robotics\r\nEND:VCARD\r\n"
    )
    runner = CliRunner()
    for kind, file in (("linkedin", connections), ("vcard", cards)):
        result = runner.invoke(main, ["import", kind, str(file), str(vault), "--today", TODAY])
        assert result.exit_code == 0, result.output
    people = sorted(p.name for p in (vault / "People").iterdir())
    assert people == ["Ann B. Lee.md", "Ann Lee.md", "Zoe Okafor.md", "Zoë Okafor.md"]
    assert pairs(vault) == [
        ("People/Ann B. Lee.md", "People/Ann Lee.md", ["middle_name"]),
        ("People/Zoe Okafor.md", "People/Zoë Okafor.md", ["name"]),
    ]


def test_calendar_capture_makes_no_people_so_only_note_dupes_show(
    vault: Path, write: WriteNote, tmp_path: Path
) -> None:
    write("vaultnet.toml", 'people_dirs = ["People"]\n[capture]\nme = ["me@example.com"]\n')
    write("People/Jana Weber.md", person("Jana Weber", "email: jana@example.com\n"))
    write("People/Weber, Jana.md", person("Weber, Jana"))
    calendar = tmp_path / "cal.ics"
    calendar.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
        "UID:1@t\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261119T150000Z\r\n"
        "DTEND:20261119T154500Z\r\nSUMMARY:Intro\r\n"
        "ORGANIZER;CN=Me:mailto:me@example.com\r\n"
        "ATTENDEE;CN=Jana Weber:mailto:jana@example.com\r\n"
        "ATTENDEE;CN=Jana W.:mailto:jana.w@other.example\r\n"
        "ATTENDEE;CN=Jana Weber:mailto:jana.weber@third.example\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["import", "calendar", str(calendar), str(vault), "--today", TODAY]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (vault / "People").iterdir()) == [
        "Jana Weber.md",
        "Weber, Jana.md",
    ]
    assert pairs(vault) == [("People/Jana Weber.md", "People/Weber, Jana.md", ["name"])]


def test_a_watchers_rebuild_sees_a_new_phone_duplicate_and_its_end(
    vault: Path, write: WriteNote
) -> None:
    from vaultnet.config import load_config
    from vaultnet.pipeline.build import Builder
    from vaultnet.state.cache import NoteCache

    write("People/Ann Lee.md", person("Ann Lee", 'phone: "+44 7700 900418"\n'))
    other = write("People/Bea.md", person("Bea"))
    builder = Builder(load_config(vault), NoteCache.in_memory())
    today = dt.date(2026, 11, 26)

    def duplicates(changed: list[str]) -> list[str]:
        result = builder.build(BuildRequest(today, Mode.MODEL, changed=tuple(changed)))
        return [d.path for d in result.diagnostics if "same person twice" in d.message]

    assert duplicates([]) == []
    other.write_text(person("Bea", 'phone: "0044 7700 900418"\n'), encoding="utf-8")
    assert duplicates(["People/Bea.md"]) == ["People/Bea.md"]
    other.write_text(person("Ann B. Lee", "company: Acme\n"), encoding="utf-8")
    assert duplicates(["People/Bea.md"]) == []
    write("People/Ann Lee.md", person("Ann Lee", "company: acme\n"))
    assert duplicates(["People/Ann Lee.md"]) == ["People/Bea.md"]
