"""``vaultnet brief`` and the build's brief pages.

Golden briefs of sample-vault people live in tests/golden_briefs/<case>.md; refresh them
with ``VAULTNET_UPDATE_GOLDEN=1 pytest tests/insights/test_brief.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import WriteNote
from vaultnet.cli.main import main
from vaultnet.pipeline.request import BuildRequest

GOLDEN = Path(__file__).resolve().parents[1] / "golden_briefs"
UPDATE = bool(os.environ.get("VAULTNET_UPDATE_GOLDEN"))

# case -> the arguments after "brief NAME VAULT"
CASES = {
    "ann-lee": ["Ann Lee", "--today", "2026-11-26"],
    "zoe-okafor-for-harbor": ["zoe", "--today", "2026-12-02", "--for", "Harbor Health"],
    "chiara-conti": ["Chiara", "--today", "2026-11-26"],
    "emma-thornton-for-acme": ["emma thornton", "--today", "2026-11-26", "--for", "Acme Robotics"],
}


def _brief(vault: Path, name: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["brief", name, str(vault), *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_briefs(sample_vault: Path, case: str) -> None:
    name, *args = CASES[case]
    code, text = _brief(sample_vault, name, *args)
    assert code == 0, text
    golden = GOLDEN / f"{case}.md"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    assert text == expected, f"{case} differs; refresh: VAULTNET_UPDATE_GOLDEN=1 pytest"


def test_brief_json_has_the_page_data(sample_vault: Path) -> None:
    code, text = _brief(
        sample_vault, "Zoë", "--today", "2026-12-02", "--for", "Harbor Health", "--format", "json"
    )
    assert code == 0, text
    data = json.loads(text)
    assert sorted(data) == sorted(
        [
            "today",
            "name",
            "path",
            "tier",
            "now",
            "how_you_know_them",
            "last_contacts",
            "open_loops",
            "balance",
            "who_they_know",
            "path_to",
            "dates",
            "opener",
        ]
    )
    assert data["name"] == "Zoë Okafor"
    assert data["now"]["company"] == "Harbor Health"
    assert data["how_you_know_them"]["chain"] == ["Ann Lee", "Zoë Okafor"]
    assert len(data["last_contacts"]) == 3
    assert data["open_loops"]["planned"][0]["date"] == "2026-12-03"
    assert data["path_to"]["company"] == "Harbor Health"
    assert data["path_to"]["reasons"][0].startswith("works there now")
    assert {"gave", "got", "leans"} == set(data["balance"])


def test_brief_for_a_company_they_are_no_path_to(sample_vault: Path) -> None:
    code, text = _brief(
        sample_vault,
        "Zoë Okafor",
        "--today",
        "2026-11-26",
        "--for",
        "Acme Robotics",
        "--format",
        "json",
    )
    assert code == 0, text
    assert json.loads(text)["path_to"] == {"company": "Acme Robotics", "reasons": []}
    code, text = _brief(
        sample_vault, "Zoë Okafor", "--today", "2026-11-26", "--for", "Acme Robotics"
    )
    assert "## A path to Acme Robotics\n- Not a path there, by your notes." in text


def test_brief_for_something_not_a_company_is_bad_usage(sample_vault: Path) -> None:
    code, text = _brief(sample_vault, "Zoë Okafor", "--for", "Ann Lee")
    assert code == 2
    assert "is not a company in your notes" in text


def test_brief_of_nobody_or_several_is_bad_usage(sample_vault: Path) -> None:
    code, text = _brief(sample_vault, "Zoe Okafr")
    assert code == 2
    assert "no person matches 'Zoe Okafr'; did you mean 'Zoë Okafor'?" in text
    assert "Traceback" not in text


def test_brief_collects_open_tasks_in_any_note_and_opens_with_them(
    vault: Path, write: WriteNote
) -> None:
    write("People/Ann Lee.md", "---\nname: Ann Lee\ntier: champion\n---\n")
    write(
        "People/Bob.md",
        """\
        ---
        name: Bob
        tier: supporter
        ---
        ## Log
        - 2026-10-01 coffee: talked about the data team reorg
        """,
    )
    write("Ideas.md", "- [ ] send [[Bob]] the [[Ann Lee|ladder]] draft\n- [x] done with [[Bob]]\n")
    write("Daily/2026-11-20.md", "* [ ] ask [[bob]] about January\n")
    code, text = _brief(vault, "bob", "--today", "2026-11-26", "--format", "json")
    assert code == 0, text
    data = json.loads(text)
    assert data["open_loops"]["tasks"] == [
        {"text": "ask bob about January", "source": "Daily/2026-11-20.md", "line": 1},
        {"text": "send Bob the ladder draft", "source": "Ideas.md", "line": 1},
    ]
    assert data["opener"] == "Still open: 'ask bob about January' — bring it up?"
    code, text = _brief(vault, "Ann", "--today", "2026-11-26", "--format", "json")
    assert [t["text"] for t in json.loads(text)["open_loops"]["tasks"]] == [
        "send Bob the ladder draft"
    ]


def test_opener_quotes_the_last_entry_tagged_for_a_follow_up(vault: Path, write: WriteNote) -> None:
    write(
        "People/Bob.md",
        """\
        ---
        name: Bob
        tier: supporter
        met: 2020-11-03
        ---
        ## Log
        - 2026-10-01 coffee: talked about the data team reorg #ask
        - 2026-09-01 call: earlier #gave
        - 2026-08-01 call: earlier still #gave
        """,
    )
    write("Daily/2026-11-20.md", "- [ ] ask [[Bob]] about January\n")
    code, text = _brief(vault, "Bob", "--today", "2026-11-26")
    assert code == 0, text
    assert (
        "Last time (coffee, 1 Oct): 'talked about the data team reorg' — ask how it went?" in text
    )
    assert "- You gave 2, you got 0: you gave more" in text
    assert "- Met 6 years ago (2020-11-03)" in text


def test_a_user_template_overrides_the_brief(vault: Path, write: WriteNote) -> None:
    write("People/Bob.md", "---\nname: Bob\ntier: supporter\n---\n")
    write(".vaultnet/templates/brief.md.j2", "Mine: {{ brief.person.name }}\n")
    code, text = _brief(vault, "Bob", "--today", "2026-11-26")
    assert (code, text) == (0, "Mine: Bob\n")


def test_briefs_ahead_appear_and_go_with_the_day(sample_vault: Path) -> None:
    runner = CliRunner()
    briefs = sample_vault / "Network" / "Briefs"
    followups = sample_vault / "Network" / "Follow-ups.md"
    result = runner.invoke(main, ["build", str(sample_vault), "--today", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert not briefs.exists() or not list(briefs.iterdir())  # Zoë's coffee is 7 days off
    assert "**Briefs:**" not in followups.read_text(encoding="utf-8")

    result = runner.invoke(main, ["build", str(sample_vault), "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    page = briefs / "Zoë Okafor.md"
    text = page.read_text(encoding="utf-8")
    assert text.startswith("---\ngenerated_by: vaultnet\ntoday: 2026-12-01\n---\n# Brief: Zoë")
    # The page is what the command prints, under the page's front matter.
    code, printed = _brief(sample_vault, "Zoë Okafor", "--today", "2026-12-01")
    assert code == 0, printed
    assert text.split("---\n", 2)[2] == printed
    assert "**Briefs:** [[Network/Briefs/Zoë Okafor|Zoë Okafor]]\n" in followups.read_text(
        encoding="utf-8"
    )

    result = runner.invoke(main, ["build", str(sample_vault), "--today", "2026-12-04"])
    assert result.exit_code == 0, result.output
    assert not page.exists()
    assert "**Briefs:**" not in followups.read_text(encoding="utf-8")


def test_brief_days_is_configurable(sample_vault: Path) -> None:
    config = sample_vault / "vaultnet.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\nbrief_days = 7\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(sample_vault), "--today", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert (sample_vault / "Network" / "Briefs" / "Zoë Okafor.md").is_file()


@pytest.mark.parametrize("value", ["-1", "400", '"2"'])
def test_a_bad_brief_days_is_a_configuration_error(vault: Path, value: str) -> None:
    (vault / "vaultnet.toml").write_text(f"brief_days = {value}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(vault)])
    assert result.exit_code == 2
    assert "brief_days must be" in result.output


def test_brief_days_zero_writes_no_briefs(sample_vault: Path) -> None:
    config = sample_vault / "vaultnet.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\nbrief_days = 0\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(sample_vault), "--today", "2026-12-02"])
    assert result.exit_code == 0, result.output
    assert not (sample_vault / "Network" / "Briefs" / "Zoë Okafor.md").exists()


def test_a_watchers_rebuild_sees_a_task_come_and_go_in_a_brief(sample_vault: Path) -> None:
    import datetime as dt

    from vaultnet.config import load_config
    from vaultnet.pipeline.build import Builder
    from vaultnet.state.cache import NoteCache
    from vaultnet.state.pagememo import PageMemo

    builder = Builder(load_config(sample_vault), NoteCache.in_memory(), pages=PageMemo())
    today = dt.date(2026, 12, 1)
    page = sample_vault / "Network" / "Briefs" / "Zoë Okafor.md"
    builder.build(BuildRequest(today))
    assert "## Open loops\n- Planned" in page.read_text(encoding="utf-8")
    daily = sample_vault / "Daily" / "2026-11-30.md"
    daily.write_text("- [ ] send [[Zoë Okafor]] the on-call doc\n", encoding="utf-8")
    builder.build(BuildRequest(today, changed=("Daily/2026-11-30.md",)))
    assert "- [ ] send Zoë Okafor the on-call doc (Daily/2026-11-30.md:1)\n" in page.read_text(
        encoding="utf-8"
    )
    daily.write_text("- [x] sent [[Zoë Okafor]] the on-call doc, done\n", encoding="utf-8")
    builder.build(BuildRequest(today, changed=("Daily/2026-11-30.md",)))
    assert "- [ ] send" not in page.read_text(encoding="utf-8")


def test_a_brief_shows_bidirectional_overrides_escaped(vault: Path, write: WriteNote) -> None:
    write(
        "People/Eve.md",
        '---\nname: "Eve \u202eexe.txt"\ntier: supporter\ncompany: "Evil\u202e Corp"\n---\n'
        "## Log\n- 2026-10-01 call: \u202ereversed words\n",
    )
    code, text = _brief(vault, "Eve", "--today", "2026-11-26")
    assert code == 0, text
    assert "\u202e" not in text
    assert "# Brief: Eve \\u202eexe.txt\n" in text
    assert "- 1 Oct · call: \\u202ereversed words\n" in text


def test_the_briefs_line_links_a_name_that_would_break_a_link(sample_vault: Path) -> None:
    note = sample_vault / "People" / "Zoë Okafor.md"
    note.write_text(
        note.read_text(encoding="utf-8").replace("---\n", '---\nname: "Zoë | [[Okafor]]"\n', 1),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", str(sample_vault), "--today", "2026-12-02"])
    assert result.exit_code == 0, result.output
    followups = (sample_vault / "Network" / "Follow-ups.md").read_text(encoding="utf-8")
    assert "**Briefs:** [[Network/Briefs/Zoë Okafor|Zoë / [Okafor]]]\n" in followups


def _build(vault: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(vault), "--today", "2026-11-26"])
    assert result.exit_code == 0, result.output


def _brief_page(vault: Path) -> str:
    return (vault / "Network" / "Briefs" / "Bob.md").read_text(encoding="utf-8")


BOB = """\
    ---
    name: Bob
    tier: supporter
    ---
    ## Log
    - 2026-11-27 call: catch up on the reorg
    - [ ] send the deck
    """


def test_one_shot_builds_show_a_task_changed_between_them_and_drop_a_deleted_notes(
    vault: Path, write: WriteNote
) -> None:
    write("People/Bob.md", BOB)
    daily = write("Daily/2026-11-20.md", "- [ ] ask [[Bob]] about January\n")
    _build(vault)
    page = _brief_page(vault)
    # The task in Bob's own log is a loop with him, as the follow-ups page lists it.
    assert "- [ ] ask Bob about January (Daily/2026-11-20.md:1)\n" in page
    assert "- [ ] send the deck (People/Bob.md:7)\n" in page

    daily.write_text("# Notes\n- [ ] ask [[Bob]] about February\n", encoding="utf-8")
    _build(vault)
    page = _brief_page(vault)
    assert "- [ ] ask Bob about February (Daily/2026-11-20.md:2)\n" in page
    assert "January" not in page

    daily.unlink()
    _build(vault)
    page = _brief_page(vault)
    assert "February" not in page
    assert "- [ ] send the deck (People/Bob.md:7)\n" in page


def test_a_build_reads_no_unchanged_note_again_for_its_briefs(
    vault: Path, write: WriteNote, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins
    import io

    write("People/Bob.md", BOB)
    write("Daily/2026-11-20.md", "- [ ] ask [[Bob]] about January\n")
    ann = write("People/Ann.md", "---\nname: Ann\ntier: supporter\n---\n")
    _build(vault)
    ann.write_text("---\nname: Ann\ntier: champion\n---\n", encoding="utf-8")

    opened: list[str] = []
    real_open = builtins.open

    def recording_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | Path):  # not a file descriptor
            path = Path(file)
            if path.suffix == ".md" and path.is_relative_to(vault):
                opened.append(path.relative_to(vault).as_posix())
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    _build(vault)
    notes_read = sorted(p for p in opened if not p.startswith("Network/"))
    assert notes_read == ["People/Ann.md"]
    assert "- [ ] ask Bob about January (Daily/2026-11-20.md:1)\n" in _brief_page(vault)


def test_briefs_of_one_build_each_list_who_links_them(vault: Path, write: WriteNote) -> None:
    planned = "## Log\n- 2026-11-27 call: catch up\n"
    write("People/Ann.md", f"---\nname: Ann\ntier: supporter\nknows: ['[[Ann]]']\n---\n{planned}")
    write("People/Bob.md", f"---\nname: Bob\ntier: supporter\n---\n{planned}")
    write("People/Cy.md", "---\nname: Cy\ntier: supporter\nknows: ['[[Ann]]', '[[Bob]]']\n---\n")
    for number in range(12):
        write(
            f"People/P{number:02d}.md",
            f"---\nname: P{number:02d}\ntier: supporter\nintroduced_by: '[[Ann]]'\n---\n",
        )
    _build(vault)
    briefs = vault / "Network" / "Briefs"
    ann = (briefs / "Ann.md").read_text(encoding="utf-8")
    bob = (briefs / "Bob.md").read_text(encoding="utf-8")
    introduced = ", ".join(f"[[P{n:02d}]]" for n in range(10))  # ten at most
    assert f"- Introduced you to {introduced}\n" in ann
    assert "- Known by [[Cy]]\n" in ann  # not by Ann herself
    assert "- Known by [[Cy]]\n" in bob
    assert "Introduced you to" not in bob
