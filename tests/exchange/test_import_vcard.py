"""vaultnet import vcard: vCard 2.1, 3.0 and 4.0 as phones and address books write them."""

from __future__ import annotations

import base64
import datetime as dt
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import WriteNote
from vaultnet.cli.main import main
from vaultnet.dates import Birthday
from vaultnet.exchange.imports import Contact, ImportFileError, Labelled, parse_vcards, read_vcard
from vaultnet.source.notes import Note, parse_note

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
EXPECTED = FIXTURES / "expected"
TODAY = "2026-11-26"


@pytest.fixture(autouse=True)
def notes_in_the_root(vault: Path) -> None:
    """New notes where these tests look for them: the vault's root (by default they go to
    People/, which test_people_folder_is_the_default_for_new_notes checks)."""
    (vault / "vaultnet.toml").write_text('people_folder = "."\n', encoding="utf-8")


def run(vault: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--vault", str(vault), "--today", TODAY])
    return result.exit_code, result.stdout, result.stderr


def card(*lines: str, version: str = "3.0") -> bytes:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD", ""]).encode()


def one(data: bytes) -> Contact:
    imported = parse_vcards(data, "test.vcf")
    assert len(imported.contacts) == 1, (imported.skipped, imported.diagnostics)
    return imported.contacts[0]


def note(vault: Path, path: str) -> Note:
    parsed = parse_note(path, (vault / path).read_bytes())
    assert isinstance(parsed, Note)
    return parsed


# --- decoding: what vobject alone gets wrong ---------------------------------------------


def test_android_21_quoted_printable_across_soft_line_breaks() -> None:
    kasia = read_vcard(FIXTURES / "android-2.1.vcf").contacts[0]
    assert kasia.name == "Katarzyna Małgorzata Łódź"  # FN, split by "=" soft breaks
    assert kasia.role == "Inżynier"
    assert kasia.company == "Acme, Sp. z o.o."  # a 2.1 comma is not a value separator
    assert kasia.phones == (
        Labelled("+48 600 100 200", ("cell",)),
        Labelled("+48 22 100 20 30", ("work",)),
    )
    assert kasia.birthday == Birthday(4, 15, 1990)


def test_quoted_printable_n_without_fn_is_decoded() -> None:
    data = card(
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C5=81=C3=B3d=C5=BA;Ka=",
        "sia;;;",
        version="2.1",
    )
    assert one(data).name == "Kasia Łódź"


def test_a_fold_inside_a_utf8_character_is_joined_before_decoding() -> None:
    data = (FIXTURES / "folded-utf8.vcf").read_bytes()
    assert b"\xce\r\n \xae" in data or b"\xcf\r\n \x8d" in data  # the fixture really does it
    assert read_vcard(FIXTURES / "folded-utf8.vcf").contacts[0].name == (
        "Ζωή Παπαδοπούλου-Καραγιαννοπούλου"
    )


def test_latin1_charset_plain_and_quoted_printable() -> None:
    jurgen = read_vcard(FIXTURES / "latin1.vcf").contacts[0]
    assert (jurgen.name, jurgen.company, jurgen.role) == (
        "Jürgen Müller",
        "Bäckerei Groß",
        "Geschäftsführer",
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_with_and_without_a_bom(encoding: str) -> None:
    text = card("FN:Ngozi Adébáyọ̀", "EMAIL:ngozi@example.ng").decode()
    assert one(text.encode(encoding)).name == "Ngozi Adébáyọ̀"
    assert read_vcard(FIXTURES / "utf16.vcf").contacts[0].emails[0].value == "ngozi@example.ng"


def test_escapes_of_3_0_are_read() -> None:
    contact = one(card("FN:Smith\\, Ann", "ORG:Acme\\, Inc.;R&D", "TITLE:Lead\\; Platform"))
    assert (contact.name, contact.company, contact.role) == (
        "Smith, Ann",
        "Acme, Inc.",
        "Lead; Platform",
    )


def test_lf_only_files_and_lowercase_keywords() -> None:
    data = b"begin:vcard\nversion:3.0\nfn:Ann Lee\nemail;type=work:ann@x.example\nend:vcard\n"
    contact = one(data)
    assert contact.name == "Ann Lee"
    assert contact.emails == (Labelled("ann@x.example", ("work",)),)


# --- what a card says --------------------------------------------------------------------


def test_several_emails_and_phones_preferred_first_all_kept() -> None:
    zoe = read_vcard(FIXTURES / "apple.vcf").contacts[0]
    assert zoe.emails == (
        Labelled("zoe@globex.example", ("work",)),  # type=pref
        Labelled("zoe@personal.example", ("Other",)),  # item1.X-ABLabel:_$!<Other>!$_
    )
    assert zoe.phones == (
        Labelled("+1 555 010 9999", ("cell",)),
        Labelled("+1 (555) 010-2000", ("Studio",)),  # a custom Apple label
    )
    assert zoe.linkedin == "http://www.linkedin.com/in/zoe-okafor"  # X-SOCIALPROFILE


def test_pref_parameter_of_vcard_4_orders_deterministically() -> None:
    dev = read_vcard(FIXTURES / "v4.vcf").contacts[0]
    assert [e.value for e in dev.emails] == [
        "dev@acme.example",  # PREF=1
        "dev@home.example",  # PREF=2
        "dev.patel@acme.example",  # no PREF: after, in file order
    ]
    assert dev.phones == (Labelled("+1-555-010-3000", ("cell",)),)  # tel: URI unwrapped


def test_two_pref_emails_keep_file_order() -> None:
    data = card("FN:A", "EMAIL;TYPE=pref:b@x.example", 'EMAIL;TYPE="work,pref":a@x.example')
    assert [e.value for e in one(data).emails] == ["b@x.example", "a@x.example"]
    assert one(data).emails[1].labels == ("work",)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("BDAY:--0415", Birthday(4, 15)),
        ("BDAY:--04-15", Birthday(4, 15)),
        ("BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-15", Birthday(4, 15)),
        ("BDAY:1604-04-15", Birthday(4, 15)),
        ("BDAY;VALUE=DATE:19900415", Birthday(4, 15, 1990)),
        ("BDAY:1990-04-15T00:00:00Z", Birthday(4, 15, 1990)),
        ("BDAY;X-APPLE-OMIT-YEAR=2000:2000-02-29", Birthday(2, 29)),
        ("BDAY:--0229", Birthday(2, 29)),
        ("BDAY:--0230", None),
        ("BDAY:circa 1800", None),
    ],
)
def test_birthdays_without_a_year_keep_month_and_day(line: str, expected: Birthday | None) -> None:
    imported = parse_vcards(card("FN:Ann", line), "t.vcf")
    assert imported.contacts[0].birthday == expected
    if expected is None:
        assert "is not a date" in imported.diagnostics[0].message


def test_group_cards_are_not_people() -> None:
    apple = read_vcard(FIXTURES / "apple.vcf")
    assert [c.name for c in apple.contacts] == ["Zoë Okafor", "Tomás Ruiz"]
    assert [s.reason for s in apple.skipped] == ["a contact group"]
    v4 = read_vcard(FIXTURES / "v4.vcf")
    assert [s.reason for s in v4.skipped] == ["a contact group"]
    org = parse_vcards(card("KIND:org", "FN:Acme"), "t.vcf")
    assert org.skipped[0].reason == "not a person (KIND org)"


def test_name_fallbacks_are_deterministic() -> None:
    lars, hannah, nameless = read_vcard(FIXTURES / "names.vcf").contacts
    assert lars.name == "Lars Eriksen Jr."  # only N: given family suffix
    assert hannah.name == "Hannah Brooks"  # only FN
    assert nameless.name == "noname@example.org"  # only EMAIL
    assert nameless.name_is_fallback and not lars.name_is_fallback
    phone_only = one(card("TEL:+44 20 7946 0000"))
    assert phone_only.name == "+44 20 7946 0000"
    nothing = parse_vcards(card("NOTE:who?"), "t.vcf")
    assert nothing.skipped[0].reason == "no name, email or phone"


def test_a_card_missing_end_is_reported_and_the_rest_imported() -> None:
    imported = read_vcard(FIXTURES / "truncated.vcf", "truncated.vcf")
    assert [c.name for c in imported.contacts] == ["Amara Nwosu", "Rahul Iyer"]
    assert [str(d) for d in imported.diagnostics] == [
        "truncated.vcf:11: error: the card has no END:VCARD (the file may be cut short); "
        "not imported"
    ]


def test_a_card_vobject_cannot_parse_is_reported_and_the_rest_imported() -> None:
    data = card("FN:Good") + card("FN:Bad", "this line is not a property") + card("FN:Also")
    imported = parse_vcards(data, "t.vcf")
    assert [c.name for c in imported.contacts] == ["Good", "Also"]
    assert imported.skipped[0].reason == "unreadable card"
    assert imported.diagnostics[0].line == 5


def test_a_file_without_cards_is_refused() -> None:
    with pytest.raises(ImportFileError, match="no BEGIN:VCARD found"):
        parse_vcards(b"Date,Amount\r\n2024-01-01,3\r\n", "x.vcf")


def test_a_big_photo_is_skipped_fast_and_never_lands_in_the_note(
    vault: Path, tmp_path: Path
) -> None:
    photo = base64.b64encode(b"\xff\xd8\xff" + bytes(3 * 1024 * 1024)).decode()
    folded = "\r\n ".join(photo[i : i + 74] for i in range(0, len(photo), 74))
    data = card("FN:Photo Person", "EMAIL:p@x.example", f"PHOTO;ENCODING=b;TYPE=JPEG:{folded}")
    data += card("FN:Unfolded", f"PHOTO:data:image/jpeg;base64,{photo}", version="4.0")
    path = tmp_path / "photos.vcf"
    path.write_bytes(data)
    assert path.stat().st_size > 6_000_000
    started = time.perf_counter()
    imported = read_vcard(path)
    assert time.perf_counter() - started < 2.0
    assert [c.name for c in imported.contacts] == ["Photo Person", "Unfolded"]
    code, _, _ = run(vault, "import", "vcard", str(path))
    assert code == 0
    sizes = [p.stat().st_size for p in vault.rglob("*.md")]
    assert sizes and max(sizes) < 1000


# --- into the vault ----------------------------------------------------------------------


def test_new_notes_golden_and_no_fake_year(vault: Path) -> None:
    code, out, err = run(vault, "import", "vcard", str(FIXTURES / "apple.vcf"))
    assert code == 0, err
    assert out.splitlines()[-1] == "2 new, 0 updated, 0 unchanged, 1 skipped"
    zoe = (vault / "Zoë Okafor.md").read_bytes()
    assert zoe == (EXPECTED / "vcard-new-Zoë Okafor.md").read_bytes()
    assert b'birthday: "04-15"' in zoe
    assert b"1604" not in zoe and b"1604" not in (vault / "Tomás Ruiz.md").read_bytes()
    assert note(vault, "Tomás Ruiz.md").birthday == Birthday(11, 2)


def test_known_people_get_missing_fields_only(vault: Path, write: WriteNote) -> None:
    write(
        "People/Ann Lee.md",
        """\
        ---
        tier: champion
        company: "[[Acme Robotics]]"
        email: ann@old.example
        ---
        # Ann Lee
        """,
    )
    code, out, _ = run(vault, "import", "vcard", str(FIXTURES / "google.vcf"))
    assert code == 0
    ann = note(vault, "People/Ann Lee.md")
    assert ann.company == "[[Acme Robotics]]"  # an address book may be stale: not a move
    assert ann.email == ("ann@old.example",)
    assert ann.role == "VP Engineering"
    assert ann.phone == ("+44 7700 900123",)
    assert ann.birthday == Birthday(4, 15)
    assert ann.history == () and ann.log == ()
    assert (
        "updated    People/Ann Lee.md (role: VP Engineering; phone: +44 7700 900123; "
        "linkedin: https://www.linkedin.com/in/ann-lee-4b2a1; birthday: 04-15; "
        "kept company [[Acme Robotics]] (the vCard says Harbor Health))"
    ) in out.splitlines()
    bob = note(vault, "Bob Marsh.md")
    assert bob.birthday == Birthday(2, 29, 1988)


def test_a_contact_matches_by_email_before_name(vault: Path, write: WriteNote) -> None:
    write("People/Kasia.md", "---\ntier: advocate\nemail: KASIA@example.pl\n---\n")
    run(vault, "import", "vcard", str(FIXTURES / "android-2.1.vcf"))
    assert [p.name for p in vault.rglob("*.md")] == ["Kasia.md"]
    assert note(vault, "People/Kasia.md").role == "Inżynier"


def test_fallback_names_never_match_by_name(vault: Path, tmp_path: Path) -> None:
    data = card("EMAIL:same@a.example") + card("EMAIL:same@b.example")
    path = tmp_path / "x.vcf"
    path.write_bytes(data)
    _code, out, _ = run(vault, "import", "vcard", str(path))
    assert out.splitlines()[-1] == "2 new, 0 updated, 0 unchanged, 0 skipped"


def test_truncated_file_imports_the_readable_cards_and_says_so(vault: Path) -> None:
    code, out, err = run(vault, "import", "vcard", str(FIXTURES / "truncated.vcf"))
    assert code == 0
    assert "truncated.vcf:11: error: the card has no END:VCARD" in err
    assert out.splitlines()[-1] == "2 new, 0 updated, 0 unchanged, 1 skipped"
    assert sorted(p.name for p in vault.glob("*.md")) == ["Amara Nwosu.md", "Rahul Iyer.md"]


def test_reimport_is_idempotent_byte_for_byte(vault: Path) -> None:
    for name in ("google.vcf", "apple.vcf", "android-2.1.vcf", "v4.vcf", "names.vcf"):
        run(vault, "import", "vcard", str(FIXTURES / name))
    before = {p: p.read_bytes() for p in sorted(vault.rglob("*.md"))}
    for name in ("google.vcf", "apple.vcf", "android-2.1.vcf", "v4.vcf", "names.vcf"):
        code, out, _ = run(vault, "import", "vcard", str(FIXTURES / name))
        assert code == 0
        assert " 0 new, 0 updated" in " " + out.splitlines()[-1]
    assert {p: p.read_bytes() for p in sorted(vault.rglob("*.md"))} == before


def test_an_unreadable_file_exits_2(vault: Path, tmp_path: Path) -> None:
    path = tmp_path / "photo.vcf"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    code, _, err = run(vault, "import", "vcard", str(path))
    assert code == 2
    assert "no BEGIN:VCARD found" in err


def test_dry_run_writes_nothing(vault: Path) -> None:
    code, out, _ = run(vault, "import", "vcard", str(FIXTURES / "v4.vcf"), "--dry-run")
    assert code == 0
    assert [p.name for p in vault.iterdir()] == ["vaultnet.toml"]
    assert out.splitlines()[0] == (
        "new        Dev Patel.md (company: Acme Robotics; role: CTO; email: dev@acme.example, "
        "dev@home.example, dev.patel@acme.example; phone: +1-555-010-3000; "
        "birthday: 1990-04-15)"
    )
    assert out.splitlines()[-1] == (
        "dry run: 1 new, 0 updated, 0 unchanged, 1 skipped; nothing written"
    )


def test_import_today_is_the_date_of_a_move(vault: Path, write: WriteNote) -> None:
    # vCard never moves anyone; LinkedIn does, dated --today.
    write("Zoë Okafor.md", "---\ntier: advocate\ncompany: Initech\nrole: Designer\n---\n")
    run(vault, "import", "vcard", str(FIXTURES / "apple.vcf"))
    zoe = note(vault, "Zoë Okafor.md")
    assert (zoe.company, zoe.role) == ("Initech", "Designer")
    assert zoe.connected is None
    assert dt.date.fromisoformat(TODAY)  # the plan is dated, even when nothing moved


def test_two_cards_of_one_name_in_a_file_are_two_people(vault: Path, tmp_path: Path) -> None:
    # An address book lists each person once: a second "Sam Lee" is a namesake, and an
    # export of a vault with namesakes must come back as as many notes.
    cards = card("FN:Sam Lee", "EMAIL:sam@acme.example") + card(
        "FN:Sam Lee", "EMAIL:sam.lee@initech.example"
    )
    file = tmp_path / "namesakes.vcf"
    file.write_bytes(cards)
    code, out, err = run(vault, "import", "vcard", str(file))
    assert code == 0, err
    assert out.splitlines()[-1] == "2 new, 0 updated, 0 unchanged, 0 skipped"
    emails = sorted(str(note(vault, p.name).email) for p in vault.glob("Sam Lee*.md"))
    assert emails == ["('sam.lee@initech.example',)", "('sam@acme.example',)"]
    code, out, _ = run(vault, "import", "vcard", str(file))
    assert out.splitlines()[-1] == "0 new, 0 updated, 2 unchanged, 0 skipped"
