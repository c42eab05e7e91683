"""The program's quick answer for an unchanged vault: exactly what the command line says,
or nothing at all (the command line then answers)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import WriteNote
from vaultnet.cli import program
from vaultnet.cli.cli import main
from vaultnet.cli.looked import Looked
from vaultnet.pipeline import build as build_module

DAY = "2026-11-26"


@pytest.fixture
def built(vault: Path, write: WriteNote) -> Path:
    """A vault with a warning and an archived person, built once."""
    write("People/Ann Lee.md", "---\ntier: champion\n---\n## Log\n- 2026-10-01 coffee: hi\n")
    write("People/Bo.md", "---\ntier: advocate\nlast_contact: 2026-11-20\n---\n")
    write("People/Old.md", "---\ntier: champion\nstatus: archived\n---\n")
    write("People/Odd.md", "---\ntier: nobody-knows\n---\n")  # a warning
    result = CliRunner().invoke(main, ["build", str(vault), "--today", DAY])
    assert result.exit_code == 0, result.output
    return vault


def _same_output(text: str) -> str:
    return re.sub(r"· \d+ ms", "· N ms", text)


def _looked(answer: tuple[int | Looked | None, str, str]) -> bool:
    """Whether the command line must answer, taking over a look at a changed vault."""
    return isinstance(answer[0], Looked) and answer[1:] == ("", "")


def _quick(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int | Looked | None, str, str]:
    code = program.quick_answer(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "args",
    [
        ["build", "{vault}", "--today", DAY],
        ["build", "--vault", "{vault}", f"--today={DAY}"],
        ["build", "{vault}", "--vault={vault}", "--today", DAY, "--strict"],
        ["build", "{vault}", "-q", "--today", DAY],
        ["build", "{vault}", "--quiet", "--strict", "--today", DAY],
        ["digest", "{vault}", "--format", "json", "--today", DAY],
        ["digest", "--format=json", "--vault", "{vault}", "--strict", "--today", DAY],
    ],
)
def test_the_quick_answer_is_the_command_lines(
    built: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = [arg.replace("{vault}", str(built)) for arg in args]
    code, out, err = _quick(args, capsys)
    assert code is not None, "answered by the command line"
    full = CliRunner().invoke(main, args)
    assert (code, _same_output(out), err) == (
        full.exit_code,
        _same_output(full.stdout),
        full.stderr,
    )
    assert out or args.count("-q") or args.count("--quiet")


def test_the_day_may_come_from_the_environment(
    built: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULTNET_TODAY", DAY)
    code, out, _ = _quick(["build", str(built)], capsys)
    assert code == 0 and "0 written" in out
    monkeypatch.setenv("VAULTNET_TODAY", "2026-11-27")  # another day: the pages change
    assert _looked(_quick(["build", str(built)], capsys))


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["check", "{vault}"],
        ["build", "{vault}", "--dry-run"],
        ["build", "{vault}", "--no-cache"],
        ["build", "{vault}", "--help"],
        ["build", "{vault}", "--today", "26/11/2026"],
        ["build", "{vault}", "--today"],
        ["build", "{vault}", "--today", "--strict"],
        ["build", "{vault}", "--today", DAY, "--today", DAY],
        ["build", "{vault}", "other", "--today", DAY],
        ["build", "{vault}", "--vault", "elsewhere", "--today", DAY],
        ["build", "{vault}", "--", "--today", DAY],
        ["build", "{vault}", "-q", "--quiet", "--today", DAY],
        ["build", "{vault}", "--format", "json", "--today", DAY],
        ["digest", "{vault}", "--today", DAY],
        ["digest", "{vault}", "--format", "text", "--today", DAY],
        ["digest", "{vault}", "--format", "json", "-q", "--today", DAY],
        ["build", "{vault}/People/Bo.md", "--today", DAY],
        ["build", "{vault}/nowhere", "--today", DAY],
    ],
)
def test_anything_else_is_left_to_the_command_line(
    built: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = [arg.replace("{vault}", str(built)) for arg in args]
    assert _quick(args, capsys) == (None, "", "")


def test_a_changed_vault_is_left_to_the_command_line(
    built: Path, write: WriteNote, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _quick(["build", str(built), "--today", DAY], capsys)[0] == 0
    write("People/Bo.md", "---\ntier: advocate\nlast_contact: 2026-11-21\n---\n")
    assert _looked(_quick(["build", str(built), "--today", DAY], capsys))
    (built / "Network" / "Index.md").unlink()  # a page gone: not up to date either
    CliRunner().invoke(main, ["build", str(built), "--today", DAY])
    assert _quick(["build", str(built), "--today", DAY], capsys)[0] == 0
    (built / "Network" / "Index.md").unlink()
    assert _looked(_quick(["build", str(built), "--today", DAY], capsys))


def test_a_stream_that_cannot_show_the_answer_is_left_to_the_command_line(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary's "·" does not fit an ASCII terminal; click copes with that itself."""
    narrow = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(program.sys, "stdout", narrow)
    assert program.quick_answer(["build", str(built), "--today", DAY]) is None
    narrow.flush()
    assert narrow.buffer.getvalue() == b""


def test_the_quick_answer_loads_neither_click_nor_the_command_line(built: Path) -> None:
    code = (
        "import sys; from vaultnet.cli import program; "
        f"code = program.quick_answer(['build', {str(built)!r}, '--today', {DAY!r}]); "
        "print(code, sorted(m for m in ('click', 'vaultnet.cli.cli') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert done.stdout.splitlines()[-1] == "0 []"


def test_a_build_after_a_quick_look_does_not_look_at_the_vault_again(
    built: Path,
    write: WriteNote,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scans: list[Path] = []
    real_scan = build_module.scan

    def counted(config):  # type: ignore[no-untyped-def]
        scans.append(config.vault)
        return real_scan(config)

    monkeypatch.setattr(build_module, "scan", counted)
    write("People/Bo.md", "---\ntier: advocate\nlast_contact: 2026-11-25\n---\n")
    args = ["build", str(built), "--today", DAY]
    looked, out, err = _quick(args, capsys)
    assert isinstance(looked, Looked) and out == err == ""
    result = CliRunner().invoke(main, args, obj=looked)
    assert result.exit_code == 0 and "pages: 0 written" not in result.stdout
    assert len(scans) == 1  # the quick look's scan served the build
    again = CliRunner().invoke(main, ["build", str(built), "--no-cache", "--today", DAY])
    assert "pages: 0 written" in again.stdout  # the same pages as a build from scratch
    # Taken once, and only for the same vault and day.
    write("People/Bo.md", "---\ntier: advocate\nlast_contact: 2026-11-24\n---\n")
    looked = _quick(args, capsys)[0]
    CliRunner().invoke(main, ["build", str(built), "--today", "2026-11-27"], obj=looked)
    CliRunner().invoke(main, args, obj=looked)
    assert len(scans) == 2 + 2 + 1  # the --no-cache build, the quick look, two builds
    # The JSON digest likewise.
    write("People/Bo.md", "---\ntier: advocate\nlast_contact: 2025-01-02\n---\n")
    digest = ["digest", str(built), "--format", "json", "--today", DAY]
    looked = _quick(digest, capsys)[0]
    before = len(scans)
    printed = CliRunner().invoke(main, digest, obj=looked)
    assert printed.exit_code == 0 and '"last_contact": "2025-01-02"' in printed.stdout
    assert len(scans) == before
