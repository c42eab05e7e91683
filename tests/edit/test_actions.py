"""The editing commands end to end: add, log, tier, snooze, through the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import WriteNote
from vaultnet.cli.main import main
from vaultnet.edit.actions import parse_until
from vaultnet.errors import UsageError

TODAY = "2026-11-26"

ANN = """\
---
tier: champion   # since the Harbor move
aliases: [Annie]
company: "[[Harbor Health]]"
tags:
  - person
---
# Ann Lee

## Log
- 2026-10-01 coffee: platform team
- 2026-11-20 call: intro to Bob
"""


def run(vault: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--vault", str(vault), "--today", TODAY])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def ann(write: WriteNote) -> Path:
    return write("People/Ann Lee.md", ANN)


def test_log_inserts_in_date_order_and_changes_nothing_else(vault: Path, ann: Path) -> None:
    before = ann.read_bytes()
    code, out, _ = run(
        vault,
        "log",
        "annie",
        "walk on the Heath",
        "--kind",
        "walk",
        "--date",
        "2026-10-15",
        "--gave",
    )
    assert code == 0, out
    assert out.strip() == "logged in People/Ann Lee.md"
    after = ann.read_bytes()
    added = b"- 2026-10-15 walk: walk on the Heath #gave\n"
    assert after == before.replace(b"- 2026-11-20", added + b"- 2026-11-20")


def test_dry_run_prints_the_diff_and_writes_nothing(vault: Path, ann: Path) -> None:
    before = ann.read_bytes()
    code, out, _ = run(vault, "log", "Ann Lee", "hello", "--dry-run")
    assert code == 0
    assert "+- 2026-11-26 hello" in out
    assert "a/People/Ann Lee.md" in out
    assert ann.read_bytes() == before


def test_tier_moves_and_records_the_move(vault: Path, ann: Path) -> None:
    code, out, _ = run(vault, "tier", "Ann Lee", "Advocates")
    assert code == 0, out
    text = ann.read_text(encoding="utf-8")
    assert "tier: advocate   # since the Harbor move\n" in text
    assert text.endswith("- 2026-11-26 tier: champion → advocate\n")


def test_tier_to_the_same_tier_changes_nothing(vault: Path, ann: Path) -> None:
    before = ann.read_bytes()
    code, out, _ = run(vault, "tier", "Ann Lee", "champion")
    assert (code, out.strip()) == (0, "no change")
    assert ann.read_bytes() == before


def test_snooze_with_a_duration_then_clear(vault: Path, ann: Path) -> None:
    before = ann.read_bytes()
    assert run(vault, "snooze", "Ann Lee", "3w")[0] == 0
    assert "snooze_until: 2026-12-17\n" in ann.read_text(encoding="utf-8")
    assert run(vault, "snooze", "Ann Lee", "--clear")[0] == 0
    assert ann.read_bytes() == before


def test_snooze_needs_until_or_clear(vault: Path, ann: Path) -> None:
    assert run(vault, "snooze", "Ann Lee")[0] == 2
    assert run(vault, "snooze", "Ann Lee", "3w", "--clear")[0] == 2


def test_unknown_name_suggests_close_names(vault: Path, ann: Path) -> None:
    code, _, err = run(vault, "log", "Anne Lee", "x")
    assert code == 2
    assert "no person matches 'Anne Lee'" in err
    assert "Ann Lee" in err


def test_ambiguous_name_lists_every_match(vault: Path, write: WriteNote) -> None:
    write("People/Sam.md", "---\ntier: supporter\n---\n")
    write("Work/Sam.md", "---\ntier: advocate\n---\n")
    code, _, err = run(vault, "log", "Sam", "x")
    assert code == 2
    assert "People/Sam.md" in err and "Work/Sam.md" in err


def test_add_creates_a_note_that_reads_back(vault: Path, ann: Path) -> None:
    code, out, _ = run(
        vault,
        "add",
        "Bob Marsh",
        "--tier",
        "advocate",
        "--company",
        "Initech",
        "--introduced-by",
        "annie",
        "--met",
        "2026-11-03",
        "--tag",
        "data",
        "--role",
        "EM: Platform",
        "--dir",
        "People",
    )
    assert code == 0, out
    note = vault / "People" / "Bob Marsh.md"
    text = note.read_text(encoding="utf-8")
    assert 'introduced_by: "[[Ann Lee]]"' in text
    assert 'role: "EM: Platform"' in text
    code, out, err = run(vault, "digest", "--format", "json")
    assert code == 0, err
    assert '"people": 2' in out


def test_add_refuses_an_existing_name_or_alias(vault: Path, ann: Path) -> None:
    code, _, err = run(vault, "add", "annie")
    assert code == 2
    assert "already exists: People/Ann Lee.md" in err


def test_add_makes_a_safe_file_name_and_keeps_the_name(vault: Path) -> None:
    (vault / "People").mkdir()
    code, out, _ = run(vault, "add", "CON", "--dir", "People")
    assert code == 0, out
    assert (vault / "People" / "CON_.md").exists()
    code, out, _ = run(vault, "add", "../../etc/passwd", "--dir", "People")
    assert code == 0, out
    created = [p.name for p in (vault / "People").iterdir()]
    assert all("/" not in name and not name.startswith(".") for name in created)
    assert not (vault.parent / "etc").exists()


def test_add_refuses_when_an_icloud_placeholder_exists(vault: Path) -> None:
    (vault / "People").mkdir()
    (vault / "People" / ".Alice.md.icloud").write_bytes(b"placeholder")
    code, _, err = run(vault, "add", "Alice", "--dir", "People")
    assert code == 2
    assert "in iCloud but not downloaded" in err
    assert sorted(p.name for p in (vault / "People").iterdir()) == [".Alice.md.icloud"]


def test_edit_refuses_a_note_with_duplicate_keys(vault: Path, write: WriteNote) -> None:
    note = write("People/Dup.md", "---\ntier: supporter\nemail: a@x\nemail: b@x\n---\n")
    before = note.read_bytes()
    code, _, err = run(vault, "snooze", "Dup", "2w")
    assert code != 0
    assert "People/Dup.md:4: not edited: the key 'email' appears more than once" in err
    assert str(vault) not in err
    assert note.read_bytes() == before


def test_parse_until() -> None:
    today = dt.date(2026, 11, 26)
    assert parse_until("2027-01-15", today) == dt.date(2027, 1, 15)
    assert parse_until("2w", today) == dt.date(2026, 12, 10)
    assert parse_until("1m", today) == dt.date(2026, 12, 26)
    with pytest.raises(UsageError):
        parse_until("soon", today)


def test_add_with_a_broken_person_template_names_it(vault: Path) -> None:
    templates = vault / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "person.md.j2").write_text("---\ntier: {{ tier }}\n---\n{{ nmae }}\n")
    code, _, err = run(vault, "add", "Ann Lee")
    assert code == 1
    assert ".vaultnet/templates/person.md.j2:4" in err
    assert "nmae" in err
    assert not (vault / "Ann Lee.md").exists()
