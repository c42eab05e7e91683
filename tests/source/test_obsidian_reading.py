"""Vaults as Obsidian users write them: Markdown links, tasks, nested tags, templates,
daily-note formats, people folders without markers (the command line, on tmp_path vaults)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.conftest import WriteNote
from vaultnet.cli.main import main

TODAY = ["--today", "2026-11-26"]


def run(*args: str | Path) -> Any:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


def people(vault: Path) -> dict[str, dict[str, Any]]:
    """Everyone ``export json`` lists, by name."""
    result = run("export", "json", *TODAY, vault)
    assert result.exit_code in (0, 1), result.output
    return {p["name"]: p for p in json.loads(result.stdout)["people"]}


def digest(vault: Path) -> dict[str, Any]:
    result = run("digest", "--format", "json", *TODAY, vault)
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


PERSON = "---\ntier: acquaintance\n---\n"


def test_markdown_links_count_as_wikilinks(vault: Path, write: WriteNote) -> None:
    (vault / ".obsidian").mkdir()
    write("People/Bob Marsh.md", "---\ntier: acquaintance\ncadence: 7d\n---\n")  # overdue
    write("People/Ann.md", PERSON)
    write("People/Cy.md", PERSON)
    write("People/Dee.md", PERSON)
    write("People/Eve.md", PERSON + "## Log\n- [Jul 4](2026-07-04.md) call: caught up\n")
    write("Daily/2026-11-01.md", "Lunch with [Bob](../People/Bob%20Marsh.md).\n")
    write("Daily/2026-11-02.md", "Call with [Ann](<People/Ann.md>) about the RFC.\n")
    write("Daily/2026-11-03.md", "Coffee with [Cy](Cy) and [site](https://cy.example/Cy.md).\n")
    write("Daily/2026-11-04.md", "[Dee](People/Dee.md#Work) · ![pic](Dee.png) · [m](mailto:d@x)\n")
    found = people(vault)
    assert found["Bob Marsh"]["last_contact"] == "2026-11-01"
    assert found["Ann"]["last_contact"] == "2026-11-02"
    assert found["Cy"]["last_contact"] == "2026-11-03"
    assert found["Dee"]["last_contact"] == "2026-11-04"
    assert found["Eve"]["last_contact"] == "2026-07-04"
    assert run("build", *TODAY, vault).exit_code == 0
    page = (vault / "Network" / "Follow-ups.md").read_text(encoding="utf-8")
    assert "| Lunch with Bob. |" in page  # no relative path in the output folder


def test_markdown_link_is_relative_to_the_note_first(vault: Path, write: WriteNote) -> None:
    write("People/Bob.md", PERSON)
    write("Work/People/Bob.md", "---\ntier: acquaintance\nname: Work Bob\n---\n")
    write("Work/2026-11-05.md", "[Bob](People/Bob.md) came by.\n")  # Work/People/Bob.md
    write("2026-11-06.md", "[Bob](People/Bob.md) rang.\n")  # People/Bob.md
    found = people(vault)
    assert found["Work Bob"]["last_contact"] == "2026-11-05"
    assert found["Bob"]["last_contact"] == "2026-11-06"


def test_markdown_links_in_front_matter(vault: Path, write: WriteNote) -> None:
    write("People/Ann.md", PERSON)
    write(
        "People/Bob.md",
        "---\ntier: acquaintance\nintroduced_by: '[Ann](Ann.md)'\n"
        "company: '[Acme](../Acme.md)'\n---\n",
    )
    write("Acme.md", "# Acme\n")
    write("Meetings/2026-11-10 sync.md", "---\npeople: ['[Bob](../People/Bob.md)']\n---\n")
    result = run("build", *TODAY, vault)
    assert result.exit_code == 0, result.output
    network = vault / "Network"
    assert "you → [[Ann]] → [[Bob]]" in (network / "Introductions.md").read_text(encoding="utf-8")
    assert "| [[Bob]] | [[Acme]] |" in (network / "Index.md").read_text(encoding="utf-8")
    assert people(vault)["Bob"]["last_contact"] == "2026-11-10"


def test_an_unchecked_task_is_not_a_contact(vault: Path, write: WriteNote) -> None:
    write(
        "People/Ann.md",
        PERSON
        + "## Log\n- [x] 2026-05-01 call: done\n- [ ] [[2026-06-01]] follow up\n"
        + "- [ ] 2026-07-01 send the deck\n",
    )
    write("Daily/2026-08-01.md", "- [ ] ask [[Ann]] about the RFC\n")
    assert people(vault)["Ann"]["last_contact"] == "2026-05-01"


def test_nested_person_tags_make_a_person(vault: Path, write: WriteNote) -> None:
    write("Ann.md", "---\ntags: [person/work]\n---\n")
    write("Bob.md", "---\ntags: ['#person/friends']\n---\n")
    write("Cy.md", "---\ntags: [personal]\n---\n")
    assert set(people(vault)) == {"Ann", "Bob"}


def test_template_notes_are_not_people(vault: Path, write: WriteNote) -> None:
    write("People/Template.md", '---\ntier: "{{tier}}"\n---\n# {{title}}\n')
    write("People/Templater.md", "---\ntier: acquaintance\nmet: <% tp.date.now() %>\n---\n")
    write("People/Ann.md", PERSON)
    result = run("check", *TODAY, vault)
    assert result.exit_code == 0, result.output
    assert "tier" not in result.output
    assert "1 people" in result.output or "1 person" in result.output
    assert set(people(vault)) == {"Ann"}


def test_open_loops(vault: Path, write: WriteNote) -> None:
    write("People/Ann Lee.md", PERSON + "## Log\n- [ ] [[2026-09-01]] send the deck\n")
    write("People/Bob.md", PERSON + "## Notes\n- [ ] a to-do of my own\n")
    write("Daily/2026-10-02.md", "- [ ] send [[Ann Lee]] the RFC\n- [x] call [[Bob]]\n")
    write("Projects/Plan.md", "- [ ] ask [Bob](../People/Bob.md) for intros\n")
    loops = digest(vault)["open_loops"]
    assert loops == [
        {
            "name": "Ann Lee",
            "path": "People/Ann Lee.md",
            "text": "[[2026-09-01]] send the deck",
            "source": "People/Ann Lee.md",
            "line": 5,
            "date": "2026-09-01",
        },
        {
            "name": "Ann Lee",
            "path": "People/Ann Lee.md",
            "text": "send [[Ann Lee]] the RFC",
            "source": "Daily/2026-10-02.md",
            "line": 1,
            "date": "2026-10-02",
        },
        {
            "name": "Bob",
            "path": "People/Bob.md",
            "text": "ask [Bob](../People/Bob.md) for intros",
            "source": "Projects/Plan.md",
            "line": 1,
            "date": None,
        },
    ]
    assert people(vault)["Ann Lee"]["last_contact"] is None
    assert run("build", *TODAY, vault).exit_code == 0
    page = (vault / "Network" / "Follow-ups.md").read_text(encoding="utf-8")
    section = page.split("## Open loops", 1)[1]
    assert section.index("send the deck") < section.index("the RFC") < section.index("intros")
    assert "ask [[People/Bob\\|Bob]] for intros" in section  # leads to Bob from Network/
    write("Daily/2026-10-02.md", "- [x] send [[Ann Lee]] the RFC\n")  # done: the loop closes
    assert [loop["source"] for loop in digest(vault)["open_loops"]] == [
        "People/Ann Lee.md",
        "Projects/Plan.md",
    ]


def _settings(vault: Path, relative: str, value: object) -> None:
    path = vault / ".obsidian" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


def test_daily_notes_named_in_words(vault: Path, write: WriteNote) -> None:
    _settings(vault, "daily-notes.json", {"folder": "Journal", "format": "MMM D, YYYY"})
    write("People/Ann.md", PERSON)
    write("Journal/Nov 3, 2026.md", "Lunch with [[Ann]]\n")
    write("Journal/Nox 4, 2026.md", "Lunch with [[Ann]]\n")  # not a date: not a daily note
    assert people(vault)["Ann"]["last_contact"] == "2026-11-03"


def test_periodic_notes_settings_both_schemas(vault: Path, write: WriteNote) -> None:
    _settings(
        vault,
        "plugins/periodic-notes/data.json",
        {
            "calendarSets": [
                {
                    "id": "Default",
                    "day": {"enabled": True, "folder": "Days", "format": "dddd DD-MM-YYYY"},
                },
                {"id": "Off", "day": {"enabled": False, "folder": "Old", "format": "DD.MM.YYYY"}},
            ],
            "daily": {"enabled": True, "folder": "Legacy", "format": "Do MMMM YYYY"},
        },
    )
    write("People/Ann.md", PERSON)
    write("People/Bob.md", PERSON)
    write("People/Cy.md", PERSON)
    write("Days/Tuesday 03-11-2026.md", "Met [[Ann]]\n")
    write("Legacy/5th November 2026.md", "Met [[Bob]]\n")
    write("Old/06.11.2026.md", "Met [[Cy]]\n")  # a set switched off
    found = people(vault)
    assert found["Ann"]["last_contact"] == "2026-11-03"
    assert found["Bob"]["last_contact"] == "2026-11-05"
    assert found["Cy"]["last_contact"] is None


def test_the_contact_log_heading_is_a_log(vault: Path, write: WriteNote) -> None:
    write("People/Ann.md", PERSON + "## Contact log\n- 2026-10-01 call: catch-up\n")
    assert people(vault)["Ann"]["last_contact"] == "2026-10-01"


def test_a_people_folder_makes_people_without_markers(vault: Path, write: WriteNote) -> None:
    # The Dataview example vault: plain notes in people/, contact in daily notes.
    (vault / "vaultnet.toml").write_text('people_dirs = ["people"]\n', encoding="utf-8")
    write("people/Paul.md", "---\nbirthday: 1990-05-01\nrelationship: friend\n---\n")
    write("people/Rita.md", "Works at [[Acme]].\n\nmet:: 2025-03-01\nlast contact:: 2026-01-02\n")
    write("people/Sam.md", "Some notes (tier:: supporter) and [cadence:: 2w].\n")
    write("daily/2026-11-02.md", "Coffee (person:: [[Paul]])\n")
    write("other/Quinn.md", "---\nrelationship: friend\n---\n")  # outside: not a person
    found = people(vault)
    assert set(found) == {"Paul", "Rita", "Sam"}
    assert found["Paul"]["last_contact"] == "2026-11-02"
    assert found["Paul"]["birthday"] == "1990-05-01"
    assert found["Rita"]["met"] == "2025-03-01"
    assert found["Rita"]["last_contact"] == "2026-01-02"
    assert found["Sam"]["tier"] == "supporter"
    assert found["Sam"]["cadence"] == "2w"


def test_the_whole_vault_keeps_the_marker_rule(vault: Path, write: WriteNote) -> None:
    write("people/Paul.md", "---\nrelationship: friend\n---\n")
    write("Ann.md", PERSON)
    assert set(people(vault)) == {"Ann"}


def test_front_matter_wins_over_inline_fields(vault: Path, write: WriteNote) -> None:
    write("Ann.md", "---\ntier: champion\n---\ntier:: supporter\n```\nmet:: 2020-01-01\n```\n")
    found = people(vault)["Ann"]
    assert found["tier"] == "champion"
    assert found["met"] is None


def test_init_sets_a_people_folder_without_markers(tmp_path: Path) -> None:
    root = tmp_path / "v"
    (root / "People").mkdir(parents=True)
    (root / "People" / "Paul.md").write_text("---\nrelationship: friend\n---\n", "utf-8")
    result = run("init", root)
    assert result.exit_code == 0, result.output
    assert 'people_dirs = ["People"]: every note in People/ is a person' in result.output
    assert '\npeople_dirs = ["People"]\n' in (root / "vaultnet.toml").read_text("utf-8")
    assert set(people(root)) == {"Paul"}


def test_init_only_suggests_a_people_folder_of_marked_notes(tmp_path: Path) -> None:
    root = tmp_path / "v"
    (root / "Contacts").mkdir(parents=True)
    (root / "Contacts" / "Ann.md").write_text(PERSON, "utf-8")
    result = run("init", root)
    assert "found Contacts/" in result.output
    text = (root / "vaultnet.toml").read_text("utf-8")
    assert '# people_dirs = ["Contacts"]' in text
    assert "\npeople_dirs" not in text


def test_braces_that_name_no_value_are_not_a_template(vault: Path, write: WriteNote) -> None:
    write("People/Ann.md", "---\ntier: acquaintance\nrole: '{{ 7*7 }}'\n---\n")
    write("People/Bob.md", "---\nname: '{{title}}'\ntier: acquaintance\n---\n")  # a name
    write("People/Tpl.md", "---\ntier: acquaintance\nmet: '{{date:YYYY-MM-DD}}'\n---\n")
    assert set(people(vault)) == {"Ann", "{{title}}"}


IMPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def test_pages_write_markdown_links_when_obsidian_does(vault: Path, write: WriteNote) -> None:
    _settings(vault, "app.json", {"useMarkdownLinks": True})
    write("People/Bob Marsh.md", "---\ntier: acquaintance\ncadence: 7d\n---\n")
    write("Daily/2026-11-01.md", "Lunch with [Bob](../People/Bob%20Marsh.md).\n")
    assert run("build", *TODAY, vault).exit_code == 0
    page = (vault / "Network" / "Follow-ups.md").read_text(encoding="utf-8")
    assert "| [Bob Marsh](Bob%20Marsh.md) |" in page
    assert "[[" not in page.split("## Overdue", 1)[1].split("##", 1)[0]
    _settings(vault, "app.json", {"useMarkdownLinks": True, "newLinkFormat": "absolute"})
    assert run("build", *TODAY, vault).exit_code == 0
    page = (vault / "Network" / "Follow-ups.md").read_text(encoding="utf-8")
    assert "| [Bob Marsh](People/Bob%20Marsh.md) |" in page


def test_add_and_imports_write_markdown_links(vault: Path, write: WriteNote) -> None:
    _settings(vault, "app.json", {"useMarkdownLinks": True, "newLinkFormat": "relative"})
    write("Contacts/Ann Lee.md", "---\ntier: champion\n---\n")
    write(
        "People/Emma Thornton.md",
        "---\ntier: champion\nemail: emma.thornton@harborhealth.co.uk\n---\n",
    )
    result = run("add", "Zed", "--introduced-by", "Ann Lee", *TODAY, "--vault", vault)
    assert result.exit_code == 0, result.output
    zed = (vault / "People" / "Zed.md").read_text(encoding="utf-8")
    assert "introduced_by: '[Ann Lee](../Contacts/Ann%20Lee.md)'" in zed or (
        'introduced_by: "[Ann Lee](../Contacts/Ann%20Lee.md)"' in zed
    ), zed
    result = run("import", "calendar", IMPORTS / "calendar-google.ics", *TODAY, "--vault", vault)
    assert result.exit_code == 0, result.output
    q4 = (vault / "Sources/Calendar/2026-11-20.md").read_text(encoding="utf-8")
    assert "Q4 planning — [Emma Thornton](People/Emma%20Thornton.md)" in q4
    assert run("build", *TODAY, vault).exit_code == 0
    found = people(vault)
    assert found["Zed"]["introduced_by"] == ["Ann Lee"]
    assert found["Emma Thornton"]["last_contact"] == "2026-11-24"
    assert "Zed" in (vault / "Network" / "Introductions.md").read_text(encoding="utf-8")


def test_open_loops_are_cut_at_followups_rows(vault: Path, write: WriteNote) -> None:
    (vault / "vaultnet.toml").write_text("followups_rows = 2\n", encoding="utf-8")
    write("Ann.md", PERSON)
    write("Tasks.md", "".join(f"- [ ] 2026-10-0{day} ping [[Ann]]\n" for day in range(1, 6)))
    assert len(digest(vault)["open_loops"]) == 5
    assert run("build", *TODAY, vault).exit_code == 0
    page = (vault / "Network" / "Follow-ups.md").read_text(encoding="utf-8")
    section = page.split("## Open loops", 1)[1]
    assert section.count("ping [[Ann]]") == 2
    assert "…and 3 more: `vaultnet digest --format json` lists them all." in section


def test_a_relative_wikilink_is_read_from_its_own_notes_folder(
    vault: Path, write: WriteNote
) -> None:
    # Obsidian's "relative path" link format: the same text leads to another note from
    # another folder, in this build and in the next one, which takes saved lookups.
    write("People/Work/Bob.md", "---\ntier: acquaintance\nname: Work Bob\n---\n")
    write("People/Home/Bob.md", "---\ntier: acquaintance\nname: Home Bob\n---\n")
    write("People/Work/Ann.md", "---\ntier: acquaintance\nintroduced_by: '[[./Bob]]'\n---\n")
    write("People/Home/Cy.md", "---\ntier: acquaintance\nintroduced_by: '[[./Bob]]'\n---\n")
    chains = [
        "- you → [[People/Home/Bob|Home Bob]] → [[Cy]]",
        "- you → [[People/Work/Bob|Work Bob]] → [[Ann]]",
    ]
    for _ in range(2):
        assert run("build", *TODAY, vault).exit_code == 0
        page = (vault / "Network" / "Introductions.md").read_text(encoding="utf-8")
        assert [line for line in page.splitlines() if line.startswith("- you →")] == chains
        write("People/Work/Ann.md", "---\ntier: acquaintance\nintroduced_by: '[[./Bob]]'\n---\n\n")
