"""A first run that cannot go wrong: dates as people type them, a Follow-ups page that
stays a to-do list at any size, the small things a careful reader notices, and one link
target per company. Every test goes through the command line on a vault in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from tests.conftest import WriteNote
from vaultnet.cli.main import main

TODAY = "2026-11-26"
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"


def run(vault: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--vault", str(vault), "--today", TODAY])


def digest(vault: Path) -> dict:
    result = run(vault, "digest", "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict = json.loads(result.stdout)
    return data


def by_name(data: dict, bucket: str) -> dict[str, dict]:
    return {entry["name"]: entry for entry in data[bucket]}


def page(vault: Path, name: str) -> str:
    return (vault / "Network" / name).read_text(encoding="utf-8")


# --- dates as people type them -----------------------------------------------------------


def test_log_dates_in_the_forms_people_type_are_contacts(vault: Path, write: WriteNote) -> None:
    forms = {
        "Slash": "2026/11/05 call: x",
        "Short": "2026-1-5 coffee: x",
        "Day": "5 Nov 2026 lunch: x",
        "Month": "Nov 5, 2026 call: x",
        "Full": "5 November 2026 walk: x",
        "Link": "[[2026-11-5]] call: x",
    }
    for name, line in forms.items():
        write(f"People/{name}.md", f"---\ntier: acquaintance\n---\n## Log\n- {line}\n")
    result = run(vault, "export", "json")
    assert result.exit_code == 0, result.output
    last = {p["name"]: p["last_contact"] for p in json.loads(result.stdout)["people"]}
    assert last == {
        "Slash": "2026-11-05",
        "Short": "2026-01-05",
        "Day": "2026-11-05",
        "Month": "2026-11-05",
        "Full": "2026-11-05",
        "Link": "2026-11-05",
    }
    assert run(vault, "check").stderr == ""


def test_a_mistyped_or_ambiguous_date_is_a_warning_with_the_fix(
    vault: Path, write: WriteNote
) -> None:
    write(
        "People/Ann Lee.md",
        "---\ntier: champion\nmet: 05/11/2026\n---\n## Log\n"
        "- 2026-13-01 call: the thirteenth month\n"
        "- 05/11/2026 coffee: which day?\n"
        "- coffee with no date at all\n",
    )
    result = run(vault, "check")
    assert result.stderr.splitlines() == [
        "People/Ann Lee.md:3: warning: met: '05/11/2026' is ambiguous (5 November or 11 May?); "
        "write 2026-11-05 or 2026-05-11; ignored",
        "People/Ann Lee.md:6: warning: log entry left out: '2026-13-01' is not a date "
        "(there is no month 13); write YYYY-MM-DD",
        "People/Ann Lee.md:7: warning: log entry left out: '05/11/2026' is ambiguous "
        "(5 November or 11 May?); write 2026-11-05 or 2026-05-11",
    ]
    assert result.stdout.endswith("0 errors, 3 warnings\n")
    # Left out, not guessed: Ann has no contact.
    assert [e["name"] for e in digest(vault)["never_contacted"]] == ["Ann Lee"]


def test_front_matter_dates_read_the_same_forms(vault: Path, write: WriteNote) -> None:
    write("People/Ann Lee.md", "---\ntier: acquaintance\nmet: 5 Nov 2026\n---\n")
    write("People/Bob Marsh.md", "---\ntier: acquaintance\nlast_contact: Nov 6, 2026\n---\n")
    write("People/Cy.md", "---\ntier: acquaintance\nnext_follow_up: 2026/12/01\n---\n")
    result = run(vault, "export", "json")
    people = {p["name"]: p for p in json.loads(result.stdout)["people"]}
    assert people["Ann Lee"]["met"] == "2026-11-05"
    assert people["Bob Marsh"]["last_contact"] == "2026-11-06"
    assert by_name(digest(vault), "due_soon")["Cy"]["due"] == "2026-12-01"
    assert run(vault, "check").stderr == ""


# --- Follow-ups at any size --------------------------------------------------------------


def crowd(write: WriteNote, count: int, prefix: str, front: str) -> None:
    for i in range(count):
        write(f"People/{prefix} {i:02d}.md", f"---\ntier: acquaintance\n{front}\n---\n")


def test_long_out_of_touch_is_dormant_and_sections_are_cut(vault: Path, write: WriteNote) -> None:
    (vault / "vaultnet.toml").write_text("followups_rows = 3\n", encoding="utf-8")
    crowd(write, 5, "Late", "last_contact: 2026-04-01")  # overdue since September
    crowd(write, 4, "Gone", "last_contact: 2022-08-20")  # four years: dormant
    write("People/Ann.md", "---\ntier: champion\nlast_contact: 2026-05-01\n---\n")
    assert run(vault, "build").exit_code == 0
    data = digest(vault)
    assert [e["name"] for e in data["overdue"]] == ["Ann", *(f"Late {i:02d}" for i in range(5))]
    assert sorted(e["name"] for e in data["dormant"]) == [f"Gone {i:02d}" for i in range(4)]
    assert set(data["dormant"][0]) == set(data["overdue"][0])  # the same keys everywhere
    assert data["dormant"][0]["days_overdue"] == 0

    text = page(vault, "Follow-ups.md")
    assert "**6 overdue · 0 due this week · 0 coming up · 0 never contacted · 4 dormant" in text
    assert "1569 days overdue" not in text and "Gone 00" not in text
    # The three most pressing: the champion first, then the longest overdue.
    overdue = text.split("## Overdue", 1)[1].split("## Due this week", 1)[0]
    rows = [line.split("]]")[0][4:] for line in overdue.splitlines() if line.startswith("| [[")]
    assert rows == ["Ann", "Late 00", "Late 01"]
    assert "…and [[Network/Follow-ups/Overdue|3 more]]: the whole list of 6." in overdue
    assert (
        "4 people you have not been in touch with for over a year: not overdue, just quiet. "
        "[[Network/Follow-ups/Dormant|See them all]]"
    ) in text
    whole = page(vault, "Follow-ups/Overdue.md")
    assert whole.startswith("---\ngenerated_by: vaultnet\n")
    assert all(f"[[Late {i:02d}]]" in whole for i in range(5)) and "[[Ann]]" in whole
    assert "| dormant (was due 16 Feb 2023) |" in page(vault, "Index.md")
    dormant = page(vault, "Follow-ups/Dormant.md")
    assert "**4 people**" in dormant and "20 Aug 2022 · 4 years ago" in dormant

    # Back in touch: the cut and the pages go.
    for i in range(4):
        (vault / f"People/Gone {i:02d}.md").unlink()
    for i in range(3):
        (vault / f"People/Late {i:02d}.md").unlink()
    result = run(vault, "build")
    assert "2 removed" in result.stdout
    assert list((vault / "Network" / "Follow-ups").iterdir()) == []
    assert "more]]" not in page(vault, "Follow-ups.md")


def test_text_digest_is_cut_too(vault: Path, write: WriteNote) -> None:
    (vault / "vaultnet.toml").write_text("followups_rows = 2\n", encoding="utf-8")
    crowd(write, 3, "Late", "last_contact: 2026-04-01")
    crowd(write, 1, "Gone", "last_contact: 2020-01-01")
    out = run(vault, "digest", "--format", "text").stdout
    assert "Late 02" not in out
    assert "  … and 1 more (vaultnet digest --format json lists all)" in out
    assert "Dormant: 1 person not in touch for over a year" in out
    assert "3 overdue · 0 due this week · 0 coming up · 0 never contacted · 1 dormant · " in out


def test_dormant_after_is_configurable_and_checked(vault: Path, write: WriteNote) -> None:
    write("People/Ann.md", "---\ntier: champion\nlast_contact: 2026-08-01\n---\n")
    assert [e["name"] for e in digest(vault)["overdue"]] == ["Ann"]
    (vault / "vaultnet.toml").write_text('dormant_after = "3m"\n', encoding="utf-8")
    assert [e["name"] for e in digest(vault)["dormant"]] == ["Ann"]
    (vault / "vaultnet.toml").write_text('dormant_after = "ages"\n', encoding="utf-8")
    result = run(vault, "digest")
    assert result.exit_code == 2
    assert "dormant_after must be a duration such as 365d" in result.stderr


def test_a_linkedin_import_keeps_the_connection_and_starts_no_cadence(
    vault: Path, tmp_path: Path
) -> None:
    export = tmp_path / "Connections.csv"
    export.write_text(
        HEADER
        + "Ann,Lee,https://www.linkedin.com/in/ann,,Harbor,VP,20 Aug 2022\r\n"
        + "Bob,Marsh,https://www.linkedin.com/in/bob,,Initech,EM,01 Nov 2026\r\n",
        encoding="utf-8",
    )
    result = run(vault, "import", "linkedin", str(export))
    assert result.exit_code == 0, result.output
    ann = (vault / "People" / "Ann Lee.md").read_text(encoding="utf-8")
    assert "connected: 2022-08-20\nconnected_via: LinkedIn\n" in ann
    assert "met:" not in ann
    assert not (vault / "Ann Lee.md").exists()  # not the vault's root
    data = digest(vault)
    assert [e["name"] for e in data["dormant"]] == ["Ann Lee"]  # connected four years ago
    assert [e["name"] for e in data["never_contacted"]] == ["Bob Marsh"]
    assert data["overdue"] == [] and data["dormant"][0]["last_contact"] is None
    run(vault, "build")
    assert "connected 20 Aug 2022 · 4 years ago (LinkedIn)" in page(vault, "Follow-ups/Dormant.md")


def test_add_writes_to_people_folder(vault: Path) -> None:
    assert run(vault, "add", "Ann Lee").exit_code == 0
    assert (vault / "People" / "Ann Lee.md").is_file()
    (vault / "vaultnet.toml").write_text(
        'people_dirs = ["Contacts"]\n', encoding="utf-8"
    )  # People/ would not be read: the first of people_dirs is used
    assert run(vault, "add", "Bob Marsh").exit_code == 0
    assert (vault / "Contacts" / "Bob Marsh.md").is_file()
    (vault / "vaultnet.toml").write_text(
        'people_dirs = ["Contacts"]\npeople_folder = "Elsewhere"\n', encoding="utf-8"
    )
    result = run(vault, "add", "Cy")
    assert result.exit_code == 2
    assert "people_folder 'Elsewhere' is outside people_dirs" in result.stderr


# --- what a careful reader notices -------------------------------------------------------


def test_counts_are_singular_when_there_is_one(vault: Path, write: WriteNote) -> None:
    write("People/Ann.md", "---\ntier: champion\nlast_contact: 2026-10-26\n---\n")
    write("People/Bad.md", "---\ntier: [unclosed\n---\n")
    build = run(vault, "build").stdout
    assert build.startswith("1 person · pages:")
    assert build.endswith(" · 1 error, 0 warnings\n")
    assert run(vault, "check").stdout == "1 person, 2 notes read: 1 error, 0 warnings\n"
    text = run(vault, "digest", "--format", "text").stdout
    assert "Ann (champion): 1 day overdue (25 Nov)" in text
    assert "· 0 birthdays" in text
    assert "last: 26 Oct\n" in text  # no "· —" after the date


def test_due_this_week_is_by_date_and_ago_rounds_down(vault: Path, write: WriteNote) -> None:
    write("People/Ann.md", "---\ntier: champion\nnext_follow_up: 2026-12-02\n---\n")
    write("People/Zed.md", "---\ntier: acquaintance\nnext_follow_up: 2026-11-26\n---\n")
    write("People/Cy.md", "---\ntier: acquaintance\nlast_contact: 2023-05-20\ncadence: 5y\n---\n")
    run(vault, "build")
    text = page(vault, "Follow-ups.md")
    soon = text.split("## Due this week", 1)[1].split("## Coming up", 1)[0]
    assert soon.index("[[Zed]]") < soon.index("[[Ann]]")  # today first, whatever the tier
    # Three and a half years: "3 years ago", not "4".
    assert "| [[Cy]] |  |  | 20 May 2023 · 3 years ago |" in page(vault, "Index.md")
    # The JSON keeps the order of the rules: stronger tier first.
    assert [e["name"] for e in digest(vault)["due_soon"]] == ["Ann", "Zed"]


def test_a_mention_shows_its_line_or_where_it_is(vault: Path, write: WriteNote) -> None:
    write("People/Ann.md", "---\ntier: champion\n---\n")
    write("People/Bob.md", "---\ntier: champion\n---\n")
    write("Daily/2026-11-20.md", "Lunch with [[Ann]] at the market.\n")
    write("Meetings/2026-11-12 Platform guild.md", "---\npeople: ['[[Bob]]']\n---\nNotes.\n")
    run(vault, "build")
    text = page(vault, "Follow-ups.md")
    assert "| Lunch with Ann at the market. |" in text
    assert "| mention in [[2026-11-12 Platform guild]] |" in text
    assert "in 2026-11-12 Platform guild" not in text.replace("mention in [[", "")


def test_ladder_table_has_no_empty_column_and_thanks_name_their_window(
    vault: Path, write: WriteNote
) -> None:
    write(
        "People/Ann.md",
        "---\ntier: champion\n---\n## Log\n- 2026-11-01 call: an intro #got\n"
        "- 2026-01-10 call: a referral #got\n",
    )
    run(vault, "build")
    ladder = page(vault, "Ladder.md")
    assert "| median since contact | health |" in ladder
    assert "| 25 days | thin |" in ladder
    assert "in the last 90 days and you have not been in touch since" in page(
        vault, "Follow-ups.md"
    )
    window = "however long ago ([[Network/Follow-ups|Follow-ups]] lists those of the last 90 days)"
    assert window in page(vault, "Reciprocity.md")


# --- one company, one link ---------------------------------------------------------------


def test_a_company_note_of_yours_is_the_one_link_target(vault: Path, write: WriteNote) -> None:
    write("Companies/Harbor Health.md", "# Harbor Health\nMy notes about them.\n")
    for name in ("Ann", "Bob"):
        write(
            f"People/{name}.md",
            '---\ntier: champion\ncompany: "[[Harbor Health]]"\nlast_contact: 2026-11-20\n'
            "history:\n  - {company: Lumen Bank, to: 2026-10-01}\n---\n",
        )
    write("People/Cy.md", '---\ntier: champion\ncompany: "[[Lumen Bank]]"\n---\n')
    run(vault, "build")
    pages = sorted(p.name for p in (vault / "Network" / "Companies").iterdir())
    assert pages == ["Harbor Health (people).md", "Lumen Bank.md"]  # no second "Harbor Health"
    companies = page(vault, "Companies.md")
    there = "[[Network/Companies/Harbor Health (people)\\|who is there]]"
    assert f"| [[Harbor Health]] ({there}) |" in companies
    assert "| [[Lumen Bank]] |" in companies
    # Tables and moves link the same targets.
    assert "[[Network/Companies" not in page(vault, "Follow-ups.md")
    assert "| left [[Lumen Bank]] for [[Harbor Health]] |" in companies
    people = page(vault, "Companies/Harbor Health (people).md")
    assert "Your own note about it: [[Harbor Health]]." in people
    assert "**2 there now** · 0 alumni" in people
    assert "**1 there now** · 2 alumni" in page(vault, "Companies/Lumen Bank.md")


def test_date_options_take_the_same_forms(vault: Path, write: WriteNote) -> None:
    write("People/Ann.md", "---\ntier: champion\n---\n## Log\n")
    assert run(vault, "log", "Ann", "lunch", "--date", "5 Nov 2026").exit_code == 0
    assert "- 2026-11-05 lunch\n" in (vault / "People/Ann.md").read_text(encoding="utf-8")
    assert run(vault, "snooze", "Ann", "Jan 15, 2027").exit_code == 0
    assert "snooze_until: 2027-01-15" in (vault / "People/Ann.md").read_text(encoding="utf-8")
    result = run(vault, "log", "Ann", "x", "--date", "05/11/2026")
    assert result.exit_code == 2
    assert "'05/11/2026' is ambiguous (5 November or 11 May?)" in result.stderr


def test_insight_sections_of_follow_ups_are_cut_too(vault: Path, write: WriteNote) -> None:
    (vault / "vaultnet.toml").write_text("followups_rows = 1\n", encoding="utf-8")
    for name in ("Ann", "Bob", "Cy"):
        write(
            f"People/{name}.md",
            f"---\ntier: champion\n---\n## Log\n- 2026-11-0{len(name)} call: help #got\n",
        )
    run(vault, "build")
    text = page(vault, "Follow-ups.md")
    thanks = text.split("## Thank-yous owed", 1)[1].split("## ", 1)[0]
    assert thanks.count("| [[") == 1
    assert "…and [[Network/Reciprocity|2 more]] on Reciprocity." in thanks
    out = run(vault, "digest", "--format", "text").stdout
    assert "  … and 2 more (Reciprocity.md lists them)" in out
