"""Faults of the machine rather than of the vault: a process killed mid-write, a full disk,
a read-only vault, a file in the way, days out of range, and errors nobody foresaw.

Promises (docs/reliability.md, "Faults"): every file vaultnet creates appears whole or not
at all; temporary files of a killed run do not survive the next run; every failure is one
line on stderr with an exit code, never a traceback.

A process is killed at exact points with strace's fault injection (a SIGKILL on entering
the Nth ``write``, ``link``, ``rename`` or ``unlink``), a full disk is a small tmpfs, and a
read-only vault a tmpfs remounted read-only (the tests run as root, so file modes would
not stop a write). Where strace or mount is missing, or not allowed, the test is skipped
and says why; the same paths are also tested in-process by making the write fail.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet import atomic
from vaultnet.atomic import TEMP_SUFFIX, clean_temp_files
from vaultnet.cli.main import main
from vaultnet.exchange.imports import vcard

from . import TODAY

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample-vault"
VAULTNET = [sys.executable, "-m", "vaultnet"]
STRACE = shutil.which("strace")
ENV = {**os.environ, "VAULTNET_TODAY": TODAY, "PYTHONDONTWRITEBYTECODE": "1"}


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def temp_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob(f"*{TEMP_SUFFIX}"))


def copy_sample(tmp_path: Path, name: str = "vault") -> Path:
    vault = tmp_path / name
    shutil.copytree(SAMPLE, vault, ignore=shutil.ignore_patterns("Network", ".vaultnet"))
    return vault


def killed_at(syscall: str, nth: int, args: list[str], cwd: Path) -> int:
    """Run vaultnet under strace, killed (SIGKILL) on entering its ``nth`` ``syscall``."""
    assert STRACE is not None
    command = [
        STRACE,
        "-f",
        "-qq",
        "-o",
        os.devnull,
        "-e",
        f"trace={syscall}",
        "-e",
        f"inject={syscall}:signal=SIGKILL:when={nth}",
        *VAULTNET,
        *args,
    ]
    done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, timeout=60)
    return done.returncode


needs_strace = pytest.mark.skipif(STRACE is None, reason="strace is not installed")


def linkedin_csv(path: Path, count: int) -> Path:
    rows = [
        f"First{i},Last{i},https://www.linkedin.com/in/person-{i},,Acme {i},Engineer,01 Mar 2024"
        for i in range(count)
    ]
    header = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


# --- a process killed part way -----------------------------------------------------------


@needs_strace
def test_a_killed_import_leaves_no_empty_note_and_a_second_one_makes_no_duplicates(
    tmp_path: Path,
) -> None:
    csv = linkedin_csv(tmp_path / "Connections.csv", 4)
    vault = tmp_path / "vault"
    left_behind = 0
    # Killed entering the first, second… write (a temporary file still empty), link (the
    # note about to appear) and unlink (the note there, its temporary file not yet gone).
    points = [("write", n) for n in (1, 2, 4)] + [("link", 1), ("link", 3), ("unlink", 2)]
    for syscall, nth in points:
        shutil.rmtree(vault, ignore_errors=True)
        (vault / "People").mkdir(parents=True)
        (vault / "vaultnet.toml").write_text('people_dirs = ["People"]\n', encoding="utf-8")
        args = ["import", "linkedin", str(csv), "--vault", str(vault)]
        code = killed_at(syscall, nth, args, tmp_path)
        assert code in (-9, 137), (syscall, nth, code)  # really killed at that point
        for note in (vault / "People").glob("*.md"):
            text = note.read_text(encoding="utf-8")
            assert text.startswith("---\n") and "\n---\n" in text[4:], (syscall, nth, note)
        left_behind += len(temp_files(vault))
        code, _, stderr = run(*args)
        assert code == 0, stderr
        names = sorted(p.name for p in (vault / "People").glob("*.md"))
        assert names == [f"First{i} Last{i}.md" for i in range(4)], (syscall, nth)
        assert temp_files(vault / "People") == [], (syscall, nth)
    assert left_behind, "no kill point left a temporary file: the cleanup went untested"


@needs_strace
def test_a_killed_build_leaves_only_whole_pages_and_the_next_build_cleans_up(
    tmp_path: Path,
) -> None:
    reference = copy_sample(tmp_path, "reference")
    code, _, stderr = run("build", reference, "--today", TODAY, "--no-cache")
    assert code == 0, stderr
    final = {
        p.relative_to(reference / "Network"): p.read_bytes()
        for p in (reference / "Network").rglob("*.md")
    }
    vault = copy_sample(tmp_path)
    left_behind = 0
    for syscall, nth in [("write", 1), ("write", 6), ("write", 15), ("rename", 1), ("rename", 8)]:
        shutil.rmtree(vault / "Network", ignore_errors=True)
        shutil.rmtree(vault / ".vaultnet", ignore_errors=True)
        code = killed_at(syscall, nth, ["build", str(vault)], tmp_path)
        assert code in (-9, 137), (syscall, nth, code)
        for page in (vault / "Network").rglob("*.md"):
            assert page.read_bytes() == final[page.relative_to(vault / "Network")], page
        left_behind += len(temp_files(vault))
        code, _, stderr = run("build", vault, "--today", TODAY)
        assert code == 0, stderr
        assert temp_files(vault) == [], (syscall, nth)
    assert left_behind, "no kill point left a temporary file: the cleanup went untested"


def test_temporary_files_of_live_processes_are_kept_and_the_dead_ones_go(
    tmp_path: Path,
) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a process id that is gone
    gone, alive = child.pid, os.getppid()
    folder = tmp_path / "Network"
    (folder / "Tiers").mkdir(parents=True)
    dead = folder / f".Index.md.{gone}.ab12cd_9{TEMP_SUFFIX}"
    nested = folder / "Tiers" / f".A.2024.md.{gone}.zz{TEMP_SUFFIX}"
    live = folder / f".Index.md.{alive}.ab12cd_9{TEMP_SUFFIX}"
    mine = folder / f".Index.md.{os.getpid()}.x{TEMP_SUFFIX}"
    old_style = folder / f".Index.md.k3j4h5g6{TEMP_SUFFIX}"  # no process id: kept an hour
    not_ours = folder / f"Index.md.{gone}.x{TEMP_SUFFIX}"  # not named as vaultnet names them
    for path in (dead, nested, live, mine, old_style, not_ours):
        path.write_text("partial", encoding="utf-8")
    assert clean_temp_files(folder) == 1
    assert not dead.exists() and nested.exists()
    assert clean_temp_files(folder, recursive=True) == 1
    assert not nested.exists()
    assert live.exists() and mine.exists() and old_style.exists() and not_ours.exists()
    hour_ago = os.stat(old_style).st_mtime - atomic.UNOWNED_TEMP_SECONDS - 60
    os.utime(old_style, (hour_ago, hour_ago))
    assert clean_temp_files(folder) == 1 and not old_style.exists()


def test_a_build_and_an_edit_clean_up_what_killed_runs_left(tmp_path: Path) -> None:
    vault = copy_sample(tmp_path)
    code, _, _ = run("build", vault, "--today", TODAY)
    assert code == 0
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    leftovers = [
        vault / "Network" / f".Index.md.{child.pid}.aaaa{TEMP_SUFFIX}",
        vault / ".vaultnet" / "cache" / f".notes-2a.pickle.{child.pid}.bbbb{TEMP_SUFFIX}",
        vault / "People" / f".Ann Lee.md.{child.pid}.cccc{TEMP_SUFFIX}",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\npartial", encoding="utf-8")
    # The vault is as the last build left it: the build stops early, and still cleans up.
    code, _, _ = run("build", vault, "--today", TODAY)
    assert code == 0
    assert [p.exists() for p in leftovers] == [False, False, True]
    code, _, stderr = run("log", "Ann Lee", "coffee", "--vault", vault, "--today", TODAY)
    assert code == 0, stderr
    assert temp_files(vault) == []


# --- a full disk and a read-only vault -----------------------------------------------------


@contextlib.contextmanager
def small_disk(where: Path, size: str = "1m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` (skips the test where mounting is refused)."""
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> None:
    with open(disk / "filler", "wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()


def read_only(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)


@pytest.mark.skipif(shutil.which("mount") is None, reason="mount is not installed")
def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        vault = copy_sample(disk)
        vcf = tmp_path / "cards.vcf"
        vcf.write_text(
            "".join(
                f"BEGIN:VCARD\nVERSION:3.0\nFN:Vera Card{i}\nEMAIL:v{i}@x.example\nEND:VCARD\n"
                for i in range(3)
            ),
            encoding="utf-8",
        )
        fill(disk)
        before = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file()}
        for _ in range(2):  # a second attempt does not make a "Vera Card 2.md"
            code, _, stderr = run("import", "vcard", vcf, "--vault", vault, "--today", TODAY)
            assert code == 1
            assert "Traceback" not in stderr
            assert "No space left on device" in stderr and "import stopped" in stderr
        code, _, stderr = run("build", vault, "--today", TODAY, "--no-cache")
        assert code == 1 and "Traceback" not in stderr
        assert "cannot write the page (No space left on device)" in stderr
        out = vault / "people.csv"
        code, _, stderr = run("export", "csv", "--vault", vault, "--today", TODAY, "-o", out)
        assert code == 1 and "cannot write the export (No space left on device)" in stderr
        assert not out.exists()
        after = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file()}
        assert {p for p in after if p.suffix == ".md"} <= set(before) | {
            p for p in after if "Network" in p.parts
        }
        assert all(after[p] == before[p] for p in before if p in after and "Network" not in p.parts)
        assert [p for p in after if p.stat().st_size == 0 and p.suffix == ".md"] == []
        assert temp_files(vault) == []


@pytest.mark.skipif(shutil.which("mount") is None, reason="mount is not installed")
def test_a_read_only_vault_is_one_line(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "8m") as disk:
        vault = copy_sample(disk)
        read_only(disk)
        code, _, stderr = run("build", vault, "--today", TODAY)
        assert code == 1 and stderr.count("\n") == 1, stderr
        assert "cannot write the page (Read-only file system)" in stderr
        vcf = ROOT / "tests" / "fixtures" / "imports" / "apple.vcf"
        code, _, stderr = run("import", "vcard", vcf, "--vault", vault, "--today", TODAY)
        assert code == 1 and "Traceback" not in stderr
        assert "import stopped: the vault cannot be written (Read-only file system)" in stderr
        code, stdout, stderr = run("export", "csv", "--vault", vault, "--today", TODAY)
        assert code == 0 and stdout.startswith("name,"), stderr


def test_a_failing_write_is_reported_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same paths as the tmpfs tests, where mounting is not possible."""
    vault = copy_sample(tmp_path)

    def no_space(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("vaultnet.pipeline.output._atomic_write", no_space)
    monkeypatch.setattr("vaultnet.edit.files._write_temp", no_space)
    monkeypatch.setattr("vaultnet.exchange.exporting._atomic_write", no_space)
    code, _, stderr = run("build", vault, "--today", TODAY)
    assert code == 1 and "cannot write the page (No space left on device)" in stderr
    csv = linkedin_csv(tmp_path / "Connections.csv", 3)
    code, stdout, stderr = run("import", "linkedin", csv, "--vault", vault, "--today", TODAY)
    assert code == 1, stdout + stderr
    assert stderr.count("not imported") == 1 and "2 more notes not written" in stderr
    assert "First" not in stdout  # no plan line for a note that was not written
    assert not list(vault.rglob("First*.md"))
    code, _, stderr = run("export", "csv", "--vault", vault, "--today", TODAY, "-o", "x.csv")
    assert code == 1 and "nothing was written to it" in stderr


def test_a_file_where_the_output_folder_goes_is_one_line(tmp_path: Path) -> None:
    vault = copy_sample(tmp_path)
    (vault / "Network").write_text("not a folder\n", encoding="utf-8")
    code, _, stderr = run("build", vault, "--today", TODAY)
    assert code == 1 and stderr.count("\n") == 1
    assert "Network is a file, not a folder; move it away or change output_dir" in stderr


# --- errors nobody foresaw, and bad values ------------------------------------------------


def test_an_unexpected_error_is_one_line_and_v_shows_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = copy_sample(tmp_path)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr("vaultnet.pipeline.build.Builder.build", broken)
    code, _, stderr = run("build", vault, "--today", TODAY)
    assert code == 3
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert "unexpected KeyError: 'a bug'" in stderr and "vaultnet -v" in stderr
    code, _, stderr = run("-v", "build", vault, "--today", TODAY)
    assert code == 3 and "Traceback (most recent call last)" in stderr and "a bug" in stderr


@pytest.mark.parametrize(
    ("args", "day"),
    [
        (["build"], "0001-01-01"),
        (["check"], "0001-01-01"),
        (["digest"], "0001-01-01"),
        (["digest", "--format", "json"], "1899-12-31"),
        (["build"], "9999-12-01"),
        (["export", "ics"], "9999-12-31"),
    ],
)
def test_days_out_of_range_are_refused(tmp_path: Path, args: list[str], day: str) -> None:
    vault = copy_sample(tmp_path)
    where = ["--vault", str(vault)]
    code, _, stderr = run(*args, *where, "--today", day)
    assert code == 2, stderr
    assert f"{day} is out of range; give a day from 1900-01-01 to 9000-12-31" in stderr


def test_the_edges_of_the_range_work(tmp_path: Path) -> None:
    vault = copy_sample(tmp_path)
    for day in ("1900-01-01", "9000-12-31"):
        for args in (["build", vault], ["digest", vault], ["export", "ics", "--vault", vault]):
            code, _, stderr = run(*args, "--today", day)
            assert code == 0, (args, day, stderr)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "NaN", "-inf", "1e9"])
def test_watch_refuses_a_debounce_that_is_not_a_number_of_seconds(
    tmp_path: Path, value: str
) -> None:
    code, _, stderr = run("watch", tmp_path, "--debounce", value)
    assert code == 2 and "--debounce" in stderr


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("{{ 1/0 }}", "ZeroDivisionError"),
        ("{{ '{}'.format() }}", "IndexError"),
        ("{{ '%(a)s' % {} }}", "KeyError"),
        ("{{ 'a'|truncate(-5) }}", "AssertionError"),
        ("{{ people|slice(0)|list }}", "ZeroDivisionError"),
    ],
)
def test_a_template_that_fails_at_run_time_names_its_file_and_line(
    tmp_path: Path, expression: str, error: str
) -> None:
    vault = copy_sample(tmp_path)
    templates = vault / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "index.md.j2").write_text(f"# Index\n\n{expression}\n", encoding="utf-8")
    code, _, stderr = run("build", vault, "--today", TODAY)
    assert code == 1
    assert stderr.startswith(f"vaultnet: error: .vaultnet/templates/index.md.j2:3: {error}")
    assert stderr.count("\n") == 1
    assert not (vault / "Network" / "Index.md").exists()


@pytest.mark.parametrize(
    ("output_dir", "message"),
    [
        ("a\\u0000b", "holds a control character"),
        ("x" * 300, "longer than 255 bytes"),
    ],
)
def test_an_output_dir_no_file_system_takes_is_a_configuration_error(
    tmp_path: Path, output_dir: str, message: str
) -> None:
    (tmp_path / "vaultnet.toml").write_text(f'output_dir = "{output_dir}"\n', encoding="utf-8")
    code, _, stderr = run("build", tmp_path, "--today", TODAY)
    assert code == 2 and message in stderr and stderr.count("\n") == 1


# --- huge fields in an import ---------------------------------------------------------------

BIG = 10_000_000  # characters: a 10 MB field


def _peak_kb(args: list[str | Path], cwd: Path) -> tuple[int, int, str]:
    """Exit code, peak memory (KB) and stderr of ``vaultnet args`` in a child process."""
    script = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(done.returncode, peak)\n"
        "sys.stderr.write(done.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *VAULTNET, *[str(a) for a in args]],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    code, peak = done.stdout.split()
    return int(code), int(peak), done.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KB on Linux")
def test_a_card_with_a_huge_field_is_skipped_by_line_and_the_others_imported(
    tmp_path: Path,
) -> None:
    big = "A" * BIG
    cards = [
        "BEGIN:VCARD\nVERSION:3.0\nFN:Good One\nEMAIL:g1@x.example\nEND:VCARD\n",
        f"BEGIN:VCARD\nVERSION:3.0\nFN:{big}\nEND:VCARD\n",  # FN on line 8
        f"BEGIN:VCARD\nVERSION:3.0\nFN:Org Person\nORG:{big}\nEND:VCARD\n",  # ORG on line 13
        f"BEGIN:VCARD\nVERSION:3.0\nFN:Note Person\nNOTE:{big}\nEND:VCARD\n",
        "BEGIN:VCARD\nVERSION:3.0\nFN:Mid Org\nORG:" + "B" * 5000 + "\nEND:VCARD\n",  # line 20
        "BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE:Q=\n" + "=41" * 20000 + "\n"
        "TITLE:x\nEND:VCARD\n",  # a quoted-printable FN over many soft breaks: line 27
        "BEGIN:VCARD\nVERSION:3.0\nFN:Good Two\nEND:VCARD\n",
    ]
    (tmp_path / "big.vcf").write_text("".join(cards), encoding="utf-8")
    vault = tmp_path / "vault"
    vault.mkdir()
    args: list[str | Path] = ["import", "vcard", "big.vcf", "--vault", vault]
    code, peak, stderr = _peak_kb(args, tmp_path)
    assert code == 0, stderr
    assert sorted(p.name for p in (vault / "People").glob("*.md")) == [
        "Good One.md",
        "Good Two.md",
        "Note Person.md",
    ]
    too_long = "is longer than the limit of 4,096 characters; not imported"
    assert f"big.vcf:8: error: the card's FN {too_long}" in stderr
    assert f"big.vcf:13: error: the card's ORG {too_long}" in stderr
    assert "big.vcf:20: error: the card: its ORG is 5,000 characters long" in stderr
    assert f"big.vcf:27: error: the card's FN {too_long}" in stderr
    assert "A" * 100 not in (vault / "People" / "Note Person.md").read_text(encoding="utf-8")
    assert peak < 200_000, f"peak memory {peak} KB"  # 1.5 GB before fields were bounded
    code, _, stderr = run("build", vault, "--today", TODAY)
    assert code == 0 and "skipped" not in stderr, stderr


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KB on Linux")
def test_a_linkedin_row_with_a_huge_field_is_skipped_by_line_and_the_others_imported(
    tmp_path: Path,
) -> None:
    rows = [
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On",
        "Good,One,https://www.linkedin.com/in/g1,,Acme,Eng,01 Mar 2024",
        "Big,Co,https://www.linkedin.com/in/g2,," + "C" * BIG + ",Eng,01 Mar 2024",
        'Big,Quoted,https://www.linkedin.com/in/g5,,"' + "D\n" * 100_000 + '",Eng,01 Mar 2024',
        "Mid,Co,https://www.linkedin.com/in/g3,," + "C" * 5000 + ",Eng,01 Mar 2024",
        "Good,Two,https://www.linkedin.com/in/g4,,Acme,Eng,01 Mar 2024",
    ]
    (tmp_path / "Connections.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    vault = tmp_path / "vault"
    vault.mkdir()
    args: list[str | Path] = ["import", "linkedin", "Connections.csv", "--vault", vault]
    code, peak, stderr = _peak_kb(args, tmp_path)
    assert code == 0, stderr
    assert sorted(p.name for p in (vault / "People").glob("*.md")) == ["Good One.md", "Good Two.md"]
    assert "Connections.csv:3: error: the row: its Company is 10,000,000 characters" in stderr
    assert "Connections.csv:4: error: the row: its Company is 199,999 characters" in stderr
    assert "Connections.csv:100005: error: the row: its Company is 5,000 characters" in stderr
    assert stderr.count("error") == 3
    assert peak < 200_000, f"peak memory {peak} KB"


# --- control characters given to editing commands ------------------------------------------


@pytest.mark.parametrize(
    ("args", "what", "char"),
    [
        (["log", "Ann Lee", "esc\x1b[31mred"], "text", "U+001B"),
        (["log", "Ann Lee", "bell\x01"], "text", "U+0001"),
        (["log", "Ann Lee", "call", "--kind", "co\x00ffee"], "--kind", "U+0000"),
        (["add", "Bad\x1bName"], "name", "U+001B"),
        (["add", "Two\nLines"], "name", "U+000A"),
        (["add", "Vera Card", "--company", "Ac\x9bme"], "--company", "U+009B"),
        (["add", "Vera Card", "--tag", "a\u2028b"], "--tag", "U+2028"),
    ],
)
def test_control_characters_are_refused_by_editing_commands(
    tmp_path: Path, args: list[str], what: str, char: str
) -> None:
    vault = copy_sample(tmp_path)
    before = {p: p.read_bytes() for p in vault.rglob("*.md")}
    code, _, stderr = run(*args, "--vault", vault, "--today", TODAY)
    assert code == 2
    assert f"the {what} holds the control character {char}" in stderr
    assert {p: p.read_bytes() for p in vault.rglob("*.md")} == before


def test_tabs_and_line_breaks_in_a_log_text_become_spaces(tmp_path: Path) -> None:
    vault = copy_sample(tmp_path)
    code, _, stderr = run("log", "Ann Lee", "tab\there\nnext", "--vault", vault, "--today", TODAY)
    assert code == 0, stderr
    text = (vault / "People" / "Ann Lee.md").read_text(encoding="utf-8")
    assert "- 2026-11-26 tab here next\n" in text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([b"a", b"\r", b"\n", b"\r\n", b" ", b"=", b"x" * 13])),
    st.integers(min_value=0),
)
def test_a_vcard_is_split_into_lines_as_it_is_read_as_splitlines_would(
    pieces: list[bytes], split: int
) -> None:
    """Read in chunks of 5 bytes, lines held up to 10: each line as splitlines gives it, or
    for a longer one its first 11 bytes at least (enough to skip its card)."""
    data = b"".join(pieces)
    split %= len(data) + 1
    with (
        pytest.MonkeyPatch.context() as patch,
        io.BytesIO(data[split:]) as rest,
    ):
        patch.setattr(vcard, "_CHUNK", 5)
        patch.setattr(vcard, "MAX_LINE_BYTES", 10)
        got = list(vcard._stream_lines(rest, data[:split]))
    want = data.splitlines()
    assert len(got) == len(want)
    for line, whole in zip(got, want, strict=True):
        assert line == whole or (len(whole) > 10 and len(line) > 10 and whole.startswith(line))
