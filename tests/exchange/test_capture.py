"""vaultnet import calendar / mail: source notes written from your own exports."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import WriteNote
from vaultnet.cli.main import main
from vaultnet.exchange.imports.sources import note_hash

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
TODAY = "2026-11-26"
PEOPLE = {
    "Bob Marsh": "bob.marsh@initech.com",
    "Emma Thornton": "emma.thornton@harborhealth.co.uk",
    "Diego Alvarez": "diego.alvarez@initech.com",
    "Chiara Conti": "chiara@tessera.dev",
    "Chloé Martin": "chloe.martin@kestrelgames.com",
}


def run(vault: Path, *args: str, today: str = TODAY) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--vault", str(vault), "--today", today])
    return result.exit_code, result.stdout, result.stderr


def people(write: WriteNote, tier: str = "champion") -> None:
    for name, email in PEOPLE.items():
        write(f"People/{name}.md", f"---\ntier: {tier}\nemail: {email}\n---\n")


def snapshot(vault: Path) -> dict[str, bytes]:
    return {
        p.relative_to(vault).as_posix(): p.read_bytes()
        for p in sorted(vault.rglob("*.md"))
        if ".vaultnet" not in p.parts
    }


# --- calendar ----------------------------------------------------------------------------


def test_calendar_writes_one_source_note_per_day(vault: Path, write: WriteNote) -> None:
    people(write)
    before = snapshot(vault)
    code, out, err = run(vault, "import", "calendar", str(FIXTURES / "calendar-google.ics"))
    assert code == 0, err
    notes = sorted(p.name for p in (vault / "Sources" / "Calendar").iterdir())
    # The weekly 1:1 on Mondays (9 Nov excluded by EXDATE), up to today only.
    assert notes == [
        "2026-11-02.md",
        "2026-11-16.md",
        "2026-11-17.md",
        "2026-11-20.md",
        "2026-11-23.md",
        "2026-11-24.md",
    ]
    q4 = (vault / "Sources/Calendar/2026-11-20.md").read_text()
    assert q4.startswith("---\ndate: 2026-11-20\nsource: calendar\n")
    assert 'people: ["[[Emma Thornton]]"]' in q4
    assert 'unmatched: ["Dana Okoye <dana.okoye@example.org>"]' in q4
    # UTC in the file, shown in the calendar's own zone (Europe/London: GMT in November).
    assert "- 14:00 meeting: Q4 planning — [[Emma Thornton]], Dana Okoye" in q4
    assert "Room 4" not in q4  # a room is not a person
    assert "private notes" not in "".join(snapshot(vault).keys()) + q4  # no descriptions
    # The event's own zone: 11:00 in New York stays 11:00; an unknown zone is read as written.
    assert (
        "- 11:00 meeting: Coffee in New York — [[Diego Alvarez]]"
        in (vault / "Sources/Calendar/2026-11-17.md").read_text()
    )
    monday = (vault / "Sources/Calendar/2026-11-16.md").read_text()
    assert "15:00 meeting: Tessera catch-up — [[Chiara Conti]]" in monday  # CHIARA@: any case
    assert (
        "- meeting: Offsite day — [[Emma Thornton]]"
        in (vault / "Sources/Calendar/2026-11-24.md").read_text()
    )  # an all-day event has no time
    everything = "".join(p.read_text() for p in (vault / "Sources").rglob("*.md"))
    for absent in ("Vendor pitch", "All hands", "cancelled", "Next quarter review"):
        assert absent not in everything
    assert "skipped: 1 cancelled, 1 declined, 1 more than 8 attendees" in out
    assert "vaultnet add 'Dana Okoye' --email dana.okoye@example.org" in out
    # Person notes are never edited.
    after = snapshot(vault)
    assert {k: v for k, v in after.items() if k.startswith("People/")} == before


def test_calendar_counts_as_contact_with_what_happened(vault: Path, write: WriteNote) -> None:
    people(write)
    run(vault, "import", "calendar", str(FIXTURES / "calendar-google.ics"))
    code, _, err = run(vault, "build", today="2026-12-30")
    assert code == 0, err
    followups = (vault / "Network/Follow-ups.md").read_text()
    assert (
        "| [[Bob Marsh]] | **7 days overdue** (23 Dec) | 23 Nov · 5 weeks ago "
        "| meeting: Bob / me 1:1 |" in followups
    )
    assert "meeting: Offsite day |" in followups
    unmatched = (vault / "Network/Unmatched.md").read_text()
    assert unmatched.startswith("---\ngenerated_by: vaultnet\n")
    assert (
        "| Dana Okoye <dana.okoye@example.org> | 1 | 2026-11-20 | "
        "`vaultnet add 'Dana Okoye' --email dana.okoye@example.org` |"
    ) in unmatched


def test_reimport_changes_nothing_and_newer_export_adds(vault: Path, write: WriteNote) -> None:
    people(write)
    ics = FIXTURES / "calendar-google.ics"
    run(vault, "import", "calendar", str(ics), today="2026-11-20")
    first = snapshot(vault)
    code, out, _ = run(vault, "import", "calendar", str(ics), today="2026-11-20")
    assert code == 0
    assert snapshot(vault) == first
    assert "0 source notes created, 0 updated, 4 unchanged" in out
    # A later export: the days since are added, the days before are left as they were.
    code, out, _ = run(vault, "import", "calendar", str(ics))
    assert "2 source notes created" in out
    after = snapshot(vault)
    assert all(after[path] == data for path, data in first.items())


def test_dry_run_writes_nothing(vault: Path, write: WriteNote) -> None:
    people(write)
    before = snapshot(vault)
    code, out, _ = run(
        vault, "import", "calendar", str(FIXTURES / "calendar-google.ics"), "--dry-run"
    )
    assert code == 0
    assert "Sources/Calendar/2026-11-20.md: would be created" in out
    assert out.rstrip().endswith("nothing written")
    assert snapshot(vault) == before
    assert not (vault / "Sources").exists()


def test_since_leaves_out_earlier_days(vault: Path, write: WriteNote) -> None:
    people(write)
    run(vault, "import", "calendar", str(FIXTURES / "calendar-google.ics"), "--since", "2026-11-20")
    assert sorted(p.name for p in (vault / "Sources/Calendar").iterdir()) == [
        "2026-11-20.md",
        "2026-11-23.md",
        "2026-11-24.md",
    ]


def test_a_hand_edited_source_note_is_kept(vault: Path, write: WriteNote) -> None:
    people(write)
    ics = FIXTURES / "calendar-google.ics"
    run(vault, "import", "calendar", str(ics), today="2026-11-16")
    note = vault / "Sources/Calendar/2026-11-16.md"
    edited = note.read_text().replace("Tessera catch-up", "Tessera catch-up (great chat)")
    edited = edited.replace("- 10:00 meeting: Bob", "- 10:00 meeting (moved): Bob")
    note.write_text(edited)
    # The same day seen again with one more event than the hand-edited note holds.
    shutil.copy(ics, vault.parent / "later.ics")
    text = (
        (vault.parent / "later.ics")
        .read_bytes()
        .replace(b"UID:unknown-zone@example.com", b"UID:unknown-zone-2@example.com")
    )
    (vault.parent / "later.ics").write_bytes(text)
    code, _out, err = run(vault, "import", "calendar", str(vault.parent / "later.ics"))
    assert code == 0
    assert note.read_text() == edited  # never overwritten
    assert "Sources/Calendar/2026-11-16.md: warning: edited by hand" in err
    beside = (vault / "Sources/Calendar/2026-11-16 (2).md").read_text()
    assert "[[Chiara Conti]]" in beside  # the new event (a new UID)
    assert "[[Bob Marsh]]" not in beside  # already in the kept note
    # Importing again changes nothing: the kept note is left, the one beside is ours.
    state = snapshot(vault)
    run(vault, "import", "calendar", str(vault.parent / "later.ics"))
    assert snapshot(vault) == state


def test_the_hash_covers_everything_but_itself(vault: Path, write: WriteNote) -> None:
    people(write)
    run(vault, "import", "calendar", str(FIXTURES / "calendar-google.ics"))
    text = (vault / "Sources/Calendar/2026-11-20.md").read_text()
    assert f"vaultnet_hash: {note_hash(text)}\n" in text
    assert note_hash(text.replace("Q4", "Q5")) != note_hash(text)


def test_new_person_note_is_linked_on_the_next_import(vault: Path, write: WriteNote) -> None:
    people(write)
    ics = str(FIXTURES / "calendar-google.ics")
    run(vault, "import", "calendar", ics)
    write("People/Dana Okoye.md", "---\ntier: champion\nemail: Dana.Okoye@example.org\n---\n")
    _code, out, _ = run(vault, "import", "calendar", ics)
    assert "1 updated" in out
    text = (vault / "Sources/Calendar/2026-11-20.md").read_text()
    assert 'people: ["[[Emma Thornton]]", "[[Dana Okoye]]"]' in text
    assert "unmatched" not in text


def test_broken_calendar_imports_the_good_events(vault: Path, write: WriteNote) -> None:
    people(write)
    code, _out, err = run(vault, "import", "calendar", str(FIXTURES / "calendar-broken.ics"))
    assert code == 0
    assert "calendar-broken.ics:" in err and "event cannot be read" in err
    assert "the file ends inside an event" in err
    assert (vault / "Sources/Calendar/2026-11-16.md").exists()
    assert not (vault / "Sources/Calendar/2026-11-20.md").exists()  # the broken event
    code, _, _ = run(vault, "import", "calendar", str(FIXTURES / "calendar-broken.ics"), "--strict")
    assert code == 1


def test_not_a_calendar_is_a_usage_error(vault: Path) -> None:
    code, _, err = run(vault, "import", "calendar", str(FIXTURES / "google.vcf"))
    assert code == 2
    assert "google.vcf: not a calendar" in err


def test_attendee_limit_from_the_config(vault: Path, write: WriteNote) -> None:
    people(write)
    write("vaultnet.toml", "[capture]\nmax_attendees = 1\n")
    _, out, _ = run(vault, "import", "calendar", str(FIXTURES / "calendar-google.ics"))
    assert "more than 1 attendees" in out
    assert not (vault / "Sources/Calendar/2026-11-20.md").exists()  # Emma and Dana


# --- mail --------------------------------------------------------------------------------


def test_mail_records_sent_mail_only(vault: Path, write: WriteNote) -> None:
    people(write)
    code, out, err = run(vault, "import", "mail", str(FIXTURES / "takeout.mbox"))
    assert code == 0, err
    assert sorted(p.name for p in (vault / "Sources/Mail").iterdir()) == [
        "2026-11-20.md",
        "2026-11-23.md",
    ]
    first = (vault / "Sources/Mail/2026-11-20.md").read_text()
    # No subject by default, no body ever, and you are not someone you are in touch with.
    assert "- 10:15 email — [[Bob Marsh]], Dana Okoye <dana.okoye@example.org> ^v" in first
    assert "Café" not in first and "Private body" not in first
    assert "me@example.com" not in first
    assert "[[Chloé Martin]]" in (vault / "Sources/Mail/2026-11-23.md").read_text()
    assert "takeout.mbox:70: warning: message ends before its headers do" in err
    assert (
        "skipped: 1 duplicate Message-ID, 1 more than 8 recipients, 1 received, 1 unreadable" in out
    )


def test_mail_subjects_decoded_when_asked(vault: Path, write: WriteNote) -> None:
    people(write)
    run(vault, "import", "mail", str(FIXTURES / "takeout.mbox"), "--with-subjects")
    assert (
        "- 10:15 email: Re: Café next week? — [[Bob Marsh]]"
        in (vault / "Sources/Mail/2026-11-20.md").read_text()
    )
    # A raw Latin-1 header and an RFC 2047 ISO-8859-1 name.
    assert (
        "- 17:30 email: Deck ébauche — [[Chloé Martin]]"
        in (vault / "Sources/Mail/2026-11-23.md").read_text()
    )


def test_mail_without_labels_needs_me(vault: Path, write: WriteNote, tmp_path: Path) -> None:
    people(write)
    mbox = tmp_path / "sent.mbox"
    mbox.write_bytes(
        (FIXTURES / "takeout.mbox").read_bytes().replace(b"X-Gmail-Labels", b"X-Other")
    )
    code, _, err = run(vault, "import", "mail", str(mbox))
    assert code == 2
    assert "give your addresses with --me" in err
    code, out, _ = run(vault, "import", "mail", str(mbox), "--me", "ME@example.com")
    assert code == 0
    assert "Mail: 6 read, 2 interactions on 2 days" in out
    write("vaultnet.toml", '[capture]\nme = ["me@example.com"]\n')
    shutil.rmtree(vault / "Sources")
    code, out, _ = run(vault, "import", "mail", str(mbox))
    assert "2 source notes created" in out


def test_not_an_mbox_is_a_usage_error(vault: Path) -> None:
    code, _, err = run(vault, "import", "mail", str(FIXTURES / "google.vcf"))
    assert code == 2
    assert "not an mbox file" in err


def test_capture_config_is_checked(vault: Path, write: WriteNote) -> None:
    write("vaultnet.toml", "[capture]\nmax_attendees = 'many'\n")
    code, _, err = run(vault, "import", "calendar", str(FIXTURES / "calendar-google.ics"))
    assert code == 2
    assert "capture.max_attendees must be an integer" in err
    write("vaultnet.toml", "[capture]\nmax_atendees = 3\n")
    code, _, err = run(vault, "check")
    assert "unknown key 'max_atendees' in [capture] (did you mean 'max_attendees'?)" in err


# --- LinkedIn ----------------------------------------------------------------------------


def linkedin_people(write: WriteNote) -> None:
    write(
        "People/Emma Thornton.md",
        "---\ntier: champion\nlinkedin: https://www.linkedin.com/in/emmathornton-talent/\n---\n",
    )
    write(
        "People/Felix Hartmann.md",
        "---\ntier: champion\nlinkedin: https://linkedin.com/in/FelixHartmann\n---\n",
    )
    write("People/Gina Ortiz.md", "---\ntier: champion\n---\n")


def test_linkedin_messages(vault: Path, write: WriteNote) -> None:
    linkedin_people(write)
    csv_file = str(FIXTURES / "linkedin-messages.csv")
    code, out, err = run(vault, "import", "linkedin-messages", csv_file)
    assert code == 0, err
    folder = vault / "Sources/LinkedIn messages"
    assert sorted(p.name for p in folder.iterdir()) == [
        "2026-11-18.md",
        "2026-11-19.md",
        "2026-11-21.md",
    ]
    # Sent, and the reply in the same conversation; no subject, no text.
    sent = (folder / "2026-11-18.md").read_text()
    assert "- 09:12 LinkedIn message — [[Emma Thornton]] ^v" in sent
    assert "Catching up" not in sent and "long text" not in sent
    assert "- 17:45 LinkedIn message — [[Emma Thornton]]" in (folder / "2026-11-19.md").read_text()
    # Matched by profile URL, else by name: the formula is a name, matching nobody.
    assert "LinkedIn message — =cmd-' /C calc'!A0" in (folder / "2026-11-21.md").read_text()
    assert "skipped: 1 draft, 1 never answered, 1 no date" in out
    assert "linkedin-messages.csv:8: warning: DATE 'yesterday' is not a date" in err
    assert "Rick" not in "".join(p.read_text() for p in folder.iterdir())
    shutil.rmtree(vault / "Sources")
    code, _, _ = run(vault, "import", "linkedin-messages", csv_file, "--with-subjects")
    assert (
        "LinkedIn message: Catching up — [[Emma Thornton]]"
        in (folder / "2026-11-18.md").read_text()
    )


def test_linkedin_messages_formula_stays_text(vault: Path, write: WriteNote) -> None:
    linkedin_people(write)
    (vault / "People/Gina Ortiz.md").unlink()
    run(vault, "import", "linkedin-messages", str(FIXTURES / "linkedin-messages.csv"))
    text = (vault / "Sources/LinkedIn messages/2026-11-21.md").read_text()
    assert "=cmd-' /C calc'!A0 (https://www.linkedin.com/in/gina-ortiz)" in text
    assert "trk=" not in text


def test_linkedin_messages_need_to_know_you(vault: Path, tmp_path: Path) -> None:
    lines = (FIXTURES / "linkedin-messages.csv").read_bytes().splitlines(keepends=True)
    one = tmp_path / "messages.csv"
    one.write_bytes(b"".join([lines[0], lines[3]]))  # a single message: two profiles
    code, _, err = run(vault, "import", "linkedin-messages", str(one))
    assert code == 2
    assert "cannot tell which profile is yours: give --me" in err
    code, out, _ = run(
        vault, "import", "linkedin-messages", str(one), "--me", "linkedin.com/in/me-myself/"
    )
    assert code == 0
    assert "1 never answered" in out


def test_linkedin_messages_wrong_header(vault: Path) -> None:
    code, _, err = run(vault, "import", "linkedin-messages", str(FIXTURES / "linkedin-2024.csv"))
    assert code == 2
    assert "linkedin-2024.csv: not LinkedIn's messages.csv: expected a header row" in err


def test_linkedin_invitations(vault: Path, write: WriteNote) -> None:
    linkedin_people(write)
    code, out, err = run(
        vault, "import", "linkedin-invitations", str(FIXTURES / "linkedin-invitations.csv")
    )
    assert code == 0, err
    folder = vault / "Sources/LinkedIn invitations"
    assert (
        "- 16:05 LinkedIn invitation you sent — [[Felix Hartmann]]"
        in (folder / "2026-11-03.md").read_text()
    )
    received = (folder / "2026-11-12.md").read_text()
    assert (
        "LinkedIn invitation you received — Ivo Petrov (https://www.linkedin.com/in/ivo-petrov)"
        in received
    )
    assert "Loved your talk" not in received
    assert "skipped: 1 no message, 1 unreadable" in out
    assert "linkedin-invitations.csv:8: warning: Sent At 'someday' is not a date" in err


def test_huge_field_is_bounded(vault: Path, write: WriteNote, tmp_path: Path) -> None:
    linkedin_people(write)
    data = (FIXTURES / "linkedin-messages.csv").read_bytes()
    huge = tmp_path / "messages.csv"
    huge.write_bytes(data.replace(b"Spam text", b"x" * 200_000))
    code, out, err = run(vault, "import", "linkedin-messages", str(huge), "--with-subjects")
    assert code == 0
    assert "messages.csv:4: warning: row cannot be read" in err
    assert "3 interactions on 3 days" in out


def test_huge_mail_header_is_bounded(vault: Path, write: WriteNote, tmp_path: Path) -> None:
    people(write)
    data = (FIXTURES / "takeout.mbox").read_bytes()
    huge = tmp_path / "huge.mbox"
    # A 1 MB folded Subject in the first message: read up to the bound, the rest skipped.
    folded = b"Subject: big" + b"\n x" * 500_000
    huge.write_bytes(data.replace(b"Subject: =?UTF-8?Q?Re=3A_Caf=C3=A9_next_week=3F?=", folded, 1))
    code, out, _ = run(vault, "import", "mail", str(huge), "--with-subjects")
    assert code == 0
    assert "Mail: 6 read, 2 interactions on 2 days" in out
    line = next(
        x for x in (vault / "Sources/Mail/2026-11-20.md").read_text().splitlines() if "^v" in x
    )
    assert "email: big x x" in line
    assert len(line) < 300


def test_sources_folder_leading_outside_is_refused(
    vault: Path, write: WriteNote, tmp_path: Path
) -> None:
    people(write)
    outside = tmp_path / "outside"
    outside.mkdir()
    (vault / "Sources").symlink_to(outside)
    code, _, err = run(vault, "import", "calendar", str(FIXTURES / "calendar-google.ics"))
    assert code == 2
    assert "leads outside the vault" in err
    assert list(outside.iterdir()) == []


def test_a_source_note_line_says_what_happened() -> None:
    from vaultnet.source.notes import capture_text, parse_note

    assert capture_text("- 14:00 meeting: Q4 planning — [[Ann Lee]], x@y.org ^v0123456789") == (
        "meeting: Q4 planning"
    )
    assert capture_text("- email — [[Ann Lee]] ^v0123456789") == "email"
    text = (
        '---\ndate: 2026-11-20\nsource: mail\npeople: ["[[Ann Lee]]"]\n'
        "vaultnet_hash: 0123456789abcdef\n---\n- 09:00 email — [[Ann Lee]] ^v0123456789\n"
    )
    note = parse_note("Sources/Mail/2026-11-20.md", text.encode())
    # Only the line counts (people: repeats it), with what happened as its text.
    assert [(m.target, m.text, m.kind) for m in note.mentions] == [("Ann Lee", "email", "capture")]
    # Without vaultnet's hash it is an ordinary dated note: its lines and people: count.
    plain = parse_note("Daily/2026-11-20.md", text.replace("vaultnet_hash", "x").encode())
    assert {m.kind for m in plain.mentions} == {"mention"}
    assert len(plain.mentions) == 2


def test_the_vault_may_follow_the_file(vault: Path, write: WriteNote) -> None:
    people(write)
    ics = str(FIXTURES / "calendar-google.ics")
    result = CliRunner().invoke(main, ["import", "calendar", ics, str(vault), "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    assert (vault / "Sources/Calendar/2026-11-20.md").exists()
