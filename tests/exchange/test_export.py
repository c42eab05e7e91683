"""vaultnet export: the follow-up calendar, JSON, CSV and vCard; and ics = true in builds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from tests.conftest import WriteNote
from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.exchange.exporting import export_vault
from vaultnet.pipeline.output import is_generated
from vaultnet.source.notes import Note, parse_note

TODAY = "2026-11-26"
NOW = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)


def run(vault: Path, *args: str, today: str = TODAY) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--vault", str(vault), "--today", today])
    return result.exit_code, result.stdout, result.stderr


def snapshot(vault: Path) -> dict[str, bytes]:
    return {
        p.relative_to(vault).as_posix(): p.read_bytes()
        for p in sorted(vault.rglob("*.md"))
        if ".vaultnet" not in p.parts
    }


def ics(vault: Path, today: str = TODAY, now: dt.datetime = NOW, **kw: bool) -> str:
    config = load_config(vault)
    return export_vault(config, "ics", dt.date.fromisoformat(today), now=now, **kw).text


def events(text: str) -> dict[str, icalendar.Event]:
    """The calendar's events by summary (every test vault has distinct ones)."""
    calendar = icalendar.Calendar.from_ical(text)
    found = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert len(found) == len(calendar.walk("VEVENT"))
    return found


def person(name: str, **fields: str) -> str:
    lines = ["---", "tier: champion"] + [f"{k}: {v}" for k, v in fields.items()] + ["---"]
    return "\n".join(lines) + f"\n# {name}\n"


@pytest.fixture
def people(write: WriteNote) -> None:
    # champion cadence 30d; today 2026-11-26
    write("People/Ann Lee.md", person("Ann", last_contact="2026-10-01"))  # overdue (10-31)
    write("People/Bob Marsh.md", person("Bob", next_follow_up="2026-11-30"))  # due soon
    write("People/Chloé Martin.md", person("Chloé", next_follow_up="2026-12-20"))  # upcoming
    write("People/Dev Patel.md", person("Dev", next_follow_up="2027-03-01"))  # later
    write(
        "People/Eli Cohen.md", person("Eli", next_follow_up="2026-11-01", snooze_until="2027-01-01")
    )
    write("People/Fay Wong.md", person("Fay", next_follow_up="2026-11-01", status="archived"))
    write("People/Gus Lund.md", person("Gus", birthday='"04-15"'))  # never contacted
    write("People/Hana Mori.md", person("Hana", birthday="1992-02-29"))


# --- the calendar ------------------------------------------------------------------------


def test_follow_ups_within_the_horizon_and_overdue_ones_on_today(vault: Path, people: None) -> None:
    found = events(ics(vault))
    assert sorted(found) == [
        "Birthday: Gus Lund",
        "Birthday: Hana Mori",
        "Follow up with Ann Lee",
        "Follow up with Bob Marsh",
        "Follow up with Chloé Martin",
    ]
    ann = found["Follow up with Ann Lee"]
    assert ann["dtstart"].dt == dt.date(2026, 11, 26)  # overdue since 31 Oct: on today
    assert ann["dtend"].dt == dt.date(2026, 11, 27)
    assert "due 2026-10-31, 26 days overdue" in str(ann["description"])
    assert found["Follow up with Bob Marsh"]["dtstart"].dt == dt.date(2026, 11, 30)
    assert found["Follow up with Chloé Martin"]["dtstart"].dt == dt.date(2026, 12, 20)
    for event in found.values():
        assert isinstance(event["dtstart"].dt, dt.date)
        assert not isinstance(event["dtstart"].dt, dt.datetime)  # all-day


def test_birthdays_are_yearly_with_no_fake_year(vault: Path, people: None) -> None:
    text = ics(vault)
    found = events(text)
    gus = found["Birthday: Gus Lund"]
    assert gus["rrule"]["FREQ"] == ["YEARLY"]
    assert gus["dtstart"].dt == dt.date(2027, 4, 15)  # first published for the next one
    # No year shown or invented (UIDs are salted hashes, random hex: left out of the check).
    shown = "\n".join(line for line in text.splitlines() if not line.startswith("UID:"))
    assert "1604" not in shown and "1992" not in shown
    hana = found["Birthday: Hana Mori"]  # 29 February: the last day of February each year
    assert hana["rrule"]["BYMONTHDAY"] == [-1] and hana["rrule"]["BYMONTH"] == [2]
    # The start year is remembered: next year's export does not move the series.
    text_next_year = ics(vault, today="2027-06-01")
    assert events(text_next_year)["Birthday: Gus Lund"]["dtstart"].dt == dt.date(2027, 4, 15)


def test_a_follow_up_on_new_years_eve_ends_on_new_years_day(vault: Path, write: WriteNote) -> None:
    write("Ann.md", person("Ann", next_follow_up="2025-12-31"))
    text = ics(vault, today="2025-12-20")
    assert "DTSTART;VALUE=DATE:20251231\r\n" in text
    assert "DTEND;VALUE=DATE:20260101\r\n" in text


def test_text_is_escaped_and_each_property_stays_one_line(vault: Path, write: WriteNote) -> None:
    write(
        "People/Ann.md",
        "---\ntier: champion\nname: 'Ann; \"Admin\", \\ Smith'\nlast_contact: 2026-11-20\n---\n"
        "## Log\n- 2026-11-20 call: line one\\, with; semicolons\n",
    )
    write(
        "People/Bob.md",
        '---\ntier: champion\nname: "Bob\\r\\nEvil: x"\nlast_contact: 2026-11-20\n---\n',
    )
    text = ics(vault)
    unfolded = text.replace("\r\n ", "")
    lines = unfolded.split("\r\n")
    assert 'SUMMARY:Follow up with Ann\\; "Admin"\\, \\\\ Smith' in lines
    assert not any(line.startswith("EVIL") for line in lines)
    assert all(line == "" or re.match(r"[A-Z-]+[;:]", line) for line in lines)
    found = events(text)
    assert 'Follow up with Ann; "Admin", \\ Smith' in found
    assert "Follow up with Bob\nEvil: x" in found  # the line break is an escape, not a line


def test_uids_are_stable_and_hold_no_personal_data(
    vault: Path, people: None, write: WriteNote
) -> None:
    write("Other/Ann Lee.md", person("Ann", last_contact="2026-10-01"))  # same name
    first = ics(vault)
    assert ics(vault) == first  # byte for byte: nothing changed, nothing moves
    calendar = icalendar.Calendar.from_ical(first)
    uids = [str(e["uid"]) for e in calendar.walk("VEVENT")]
    assert len(set(uids)) == len(uids)  # two Ann Lees: two UIDs
    for uid in uids:
        assert re.fullmatch(r"[0-9a-f]{32}-(follow-up|birthday)@vaultnet", uid)
    assert "ann" not in first.split("BEGIN:VEVENT", 1)[0].lower()


def test_a_changed_event_keeps_its_uid_and_bumps_sequence(vault: Path, write: WriteNote) -> None:
    note = write("Ann.md", person("Ann", next_follow_up="2026-12-01"))
    first = events(ics(vault))["Follow up with Ann"]
    assert first["sequence"] == 0
    note.write_text(person("Ann", next_follow_up="2026-12-08"), encoding="utf-8")
    second = events(ics(vault, now=LATER))["Follow up with Ann"]
    assert second["uid"] == first["uid"]
    assert second["sequence"] == 1
    assert second["last-modified"].dt == LATER
    assert first["last-modified"].dt == NOW
    third = events(ics(vault, now=LATER + dt.timedelta(hours=1)))["Follow up with Ann"]
    assert third["sequence"] == 1  # unchanged content: same sequence, same stamp
    assert third["last-modified"].dt == LATER


def test_ics_alarm_rings_on_each_event_and_keeps_uids(vault: Path, people: None) -> None:
    code, before, _ = run(vault, "export", "ics")
    assert code == 0 and "BEGIN:VALARM" not in before
    (vault / "vaultnet.toml").write_text('ics_alarm = "PT9H"\n', encoding="utf-8")
    code, after, _ = run(vault, "export", "ics")
    assert code == 0
    old, new = events(before), events(after)
    assert sorted(new) == sorted(old)
    for summary, event in new.items():
        assert event["uid"] == old[summary]["uid"]  # a subscribed calendar updates them
        assert event["sequence"] == old[summary]["sequence"] + 1
        (alarm,) = event.walk("VALARM")
        assert str(alarm["action"]) == "DISPLAY"
        assert str(alarm["description"]) == summary
        assert alarm["trigger"].dt == dt.timedelta(hours=9)  # 09:00 on the all-day event's day
    assert "TRIGGER:PT9H" in after


@pytest.mark.parametrize("value", ["9h", "PT", "P1DT", "tomorrow"])
def test_a_bad_ics_alarm_is_a_configuration_error(vault: Path, people: None, value: str) -> None:
    (vault / "vaultnet.toml").write_text(f'ics_alarm = "{value}"\n', encoding="utf-8")
    code, out, err = run(vault, "export", "ics")
    assert code == 2 and out == ""
    assert "vaultnet.toml: ics_alarm must be an iCalendar duration" in err


def test_renaming_a_note_changes_its_uid_unless_uids_are_assigned(
    vault: Path, write: WriteNote
) -> None:
    write("Ann.md", person("Ann", next_follow_up="2026-12-01"))
    before = events(ics(vault))["Follow up with Ann"]["uid"]
    (vault / "Ann.md").rename(vault / "Ann Lee.md")
    renamed = events(ics(vault))["Follow up with Ann Lee"]["uid"]
    assert renamed != before  # the documented trade-off of path-based UIDs


def test_assign_uids_keeps_uids_through_renames(vault: Path, write: WriteNote) -> None:
    write("People/Ann.md", person("Ann", next_follow_up="2026-12-01"))
    write("People/Bob.md", person("Bob", next_follow_up="2026-12-02"))
    plain = events(ics(vault))
    code, _, err = run(vault, "export", "ics", "--assign-uids", "-o", str(vault.parent / "a.ics"))
    assert code == 0, err
    assert "gave 2 notes a vaultnet_uid" in err
    ann = parse_note("People/Ann.md", (vault / "People/Ann.md").read_bytes())
    assert isinstance(ann, Note)
    assert re.fullmatch(r"[0-9a-f]{32}", str(ann.front_matter["vaultnet_uid"]))
    assigned = events(ics(vault))
    # Assigning kept the UIDs the calendar already had...
    assert assigned["Follow up with Ann"]["uid"] == plain["Follow up with Ann"]["uid"]
    target = vault / "Moved"
    target.mkdir()
    (vault / "People/Ann.md").rename(target / "Ann Lee.md")
    moved = events(ics(vault))
    # ...and a rename or move no longer changes them.
    assert moved["Follow up with Ann Lee"]["uid"] == plain["Follow up with Ann"]["uid"]
    before = snapshot(vault)
    run(vault, "export", "ics", "--assign-uids")
    assert snapshot(vault) == before  # already assigned: nothing to do


def test_export_leaves_the_vault_untouched(vault: Path, people: None) -> None:
    before = snapshot(vault)
    for fmt in ("ics", "json", "csv", "vcard"):
        code, out, err = run(vault, "export", fmt)
        assert code == 0, err
        assert out
    assert snapshot(vault) == before
    assert (vault / ".vaultnet" / "ics-state.json").is_file()


def test_cli_writes_crlf_calendar_to_stdout_or_a_file(vault: Path, people: None) -> None:
    result = CliRunner().invoke(main, ["export", "ics", "--vault", str(vault), "--today", TODAY])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert b"\r\r" not in result.stdout_bytes
    target = vault.parent / "out" / "network.ics"
    code, out, _ = run(vault, "export", "ics", "-o", str(target))
    assert code == 0 and out == f"wrote {target}\n"
    assert target.read_bytes().count(b"\r\n") == target.read_bytes().count(b"\n")
    code, _, err = run(vault, "export", "json", "-o", str(vault / "People/Ann Lee.md"))
    assert code == 2 and "Markdown" in err


# --- build and watch with ics = true -----------------------------------------------------


def test_build_writes_a_marked_calendar_and_removes_it_when_turned_off(
    vault: Path, people: None, write: WriteNote
) -> None:
    write("vaultnet.toml", "ics = true\n")
    code, _, err = run(vault, "build")
    assert code == 0, err
    calendar = vault / "Network" / "follow-ups.ics"
    assert is_generated(calendar)
    assert "Follow up with Ann Lee" in events(calendar.read_text())
    stamp = calendar.stat().st_mtime_ns
    run(vault, "build", "--no-cache")
    assert calendar.stat().st_mtime_ns == stamp  # the same bytes: not rewritten
    write("vaultnet.toml", "ics = false\n")
    run(vault, "build")
    assert not calendar.exists()


def test_build_never_overwrites_an_unmarked_calendar(
    vault: Path, people: None, write: WriteNote
) -> None:
    write("vaultnet.toml", "ics = true\n")
    mine = vault / "Network" / "follow-ups.ics"
    mine.parent.mkdir()
    mine.write_bytes(b"BEGIN:VCALENDAR\r\nPRODID:-//me//EN\r\nEND:VCALENDAR\r\n")
    code, _, err = run(vault, "build")
    assert code == 1
    assert "follow-ups.ics" in err and "not generated by vaultnet" in err
    assert mine.read_bytes().startswith(b"BEGIN:VCALENDAR\r\nPRODID:-//me//EN")
    other = vault / "Network" / "mine.ics"
    other.write_bytes(b"BEGIN:VCALENDAR\r\nX-VAULTNET-GENERATED:1-not\r\nEND:VCALENDAR\r\n")
    assert not is_generated(other)
    assert not is_generated(mine)


def test_dry_run_build_does_not_touch_the_calendar_state(
    vault: Path, people: None, write: WriteNote
) -> None:
    write("vaultnet.toml", "ics = true\n")
    code, _out, _ = run(vault, "build", "--dry-run")
    assert code == 0
    assert not (vault / ".vaultnet" / "ics-state.json").exists()
    assert not (vault / "Network").exists()


# --- JSON, CSV, vCard --------------------------------------------------------------------


def test_json_has_everyone_with_fields_tier_and_follow_up(vault: Path, people: None) -> None:
    _code, out, _ = run(vault, "export", "json")
    data = json.loads(out)
    assert data["today"] == TODAY
    by_name = {p["name"]: p for p in data["people"]}
    assert len(by_name) == 8
    ann = by_name["Ann Lee"]
    assert ann["tier"] == "champion" and ann["status"] == "active"
    assert ann["follow_up"] == {
        "bucket": "overdue",
        "due": "2026-10-31",
        "days_overdue": 26,
        "cadence_days": 30,
    }
    assert by_name["Fay Wong"]["status"] == "archived"
    assert by_name["Gus Lund"]["birthday"] == "04-15"


def test_csv_cells_never_become_formulas(vault: Path, write: WriteNote) -> None:
    write(
        "People/Eve.md",
        '---\ntier: champion\ncompany: "=HYPERLINK(\\"http://x\\")"\nphone: "+44 20 7946 0000"\n'
        'role: "@SUM(A1)"\nemail: [a@x.example, b@x.example]\n---\n',
    )
    _code, out, _ = run(vault, "export", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["company"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["role"] == "'@SUM(A1)"
    assert rows[0]["phone"] == "+44 20 7946 0000"
    assert rows[0]["email"] == "a@x.example; b@x.example"
    assert rows[0]["bucket"] == "never_contacted"


def test_vcard_round_trips_into_an_empty_vault(
    vault: Path, write: WriteNote, tmp_path: Path
) -> None:
    write(
        "People/Ann Lee.md",
        """\
        ---
        tier: champion
        company: Harbor Health
        role: VP Engineering, Platform
        email: [ann.lee@harbor.example, ann@home.example]
        phone: "+44 7700 900123"
        birthday: "04-15"
        linkedin: https://www.linkedin.com/in/ann-lee-4b2a1
        ---
        """,
    )
    write(
        "People/Zoë Okafor.md",
        "---\ntier: supporter\nname: 'Zoë; \"Z\", \\ Okafor'\nbirthday: 1990-02-28\n"
        "phone: [+1 555 010 9999, +1 (555) 010-2000]\ncompany: Globex\n---\n",
    )
    write("People/Long.md", "---\ntier: supporter\nname: " + "Ünïcødé " * 20 + "\n---\n")
    exported = tmp_path / "all.vcf"
    code, _, err = run(vault, "export", "vcard", "-o", str(exported))
    assert code == 0, err
    data = exported.read_bytes()
    assert data.startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    data.decode("utf-8")  # folds never split a character
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(empty, "import", "vcard", str(exported))
    assert code == 0, err
    assert out.splitlines()[-1] == "3 new, 0 updated, 0 unchanged, 0 skipped"
    keys = ("company", "role", "email", "phone", "birthday", "linkedin")

    def fields(root: Path) -> dict[str, tuple[object, ...]]:
        found = {}
        for path in sorted(root.rglob("*.md")):
            note = parse_note(path.name, path.read_bytes())
            assert isinstance(note, Note)
            found[note.name or note.stem] = tuple(
                str(getattr(note, k)) if k == "birthday" else getattr(note, k) for k in keys
            )
        return found

    assert fields(empty) == fields(vault)


def test_an_unwritable_calendar_state_is_an_error_not_a_traceback(
    vault: Path, people: None
) -> None:
    (vault / ".vaultnet").write_text("not a folder", encoding="utf-8")
    code, _, err = run(vault, "export", "ics")
    assert code == 1
    assert "cannot save the calendar's state" in err
    assert "Traceback" not in err
