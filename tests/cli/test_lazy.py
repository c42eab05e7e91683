"""The command line imports a command's module only when that command runs."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.conftest import WriteNote
from vaultnet.cli.main import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-11-26"
COMMAND_MODULES = {f"vaultnet.cli.{module}" for module, _, _ in COMMANDS.values()}


# The program as installed (run() ends with os._exit), naming the modules it had imported.
_PROGRAM = """
import os, sys
exit_now, listing = os._exit, sys.argv[1]
def leave(code):
    with open(listing, "w", encoding="utf-8") as out:
        out.write("\\n".join(sorted(sys.modules)))
    exit_now(code)
os._exit = leave
sys.argv = ["vaultnet", *sys.argv[2:]]
from vaultnet.cli.main import run
run()
"""


def _imported(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the ``vaultnet`` program with ``args`` and name every module it imported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("VAULTNET_TODAY", None)
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "modules"
        done = subprocess.run(
            [sys.executable, "-c", _PROGRAM, str(listing), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        modules = set(listing.read_text(encoding="utf-8").splitlines())
    assert "vaultnet.cli.main" in modules, done.stderr[-2000:]
    return done, modules


def _commands(names: set[str]) -> set[str]:
    return names & COMMAND_MODULES


def test_help_lists_every_command_without_importing_one() -> None:
    done, modules = _imported("--help")
    assert done.returncode == 0
    listed = done.stdout.split("Commands:\n", 1)[1]
    assert [line.split()[0] for line in listed.splitlines()] == sorted(COMMANDS)
    assert "  build       Parse the notes, report problems, and write the pages.\n" in listed
    assert _commands(modules) == set()
    assert "vaultnet.pipeline.build" not in modules


@pytest.fixture
def built(vault: Path, write: WriteNote) -> Path:
    write("People/Ann Lee.md", "---\ntier: champion\n---\n## Log\n- 2026-10-01 coffee: hi\n")
    write("People/Bo.md", "---\ntier: advocate\nlast_contact: 2026-11-20\n---\n")
    return vault


def test_build_imports_only_its_own_command(built: Path) -> None:
    first, modules = _imported("build", str(built), "--today", DAY)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "pages: " in first.stdout and "0 written" not in first.stdout
    assert _commands(modules) == {"vaultnet.cli.build"}
    assert "watchdog" not in modules
    assert {m for m in modules if m.startswith(("vaultnet.edit", "vaultnet.exchange"))} == set()
    # Nothing changed: the build stops early from its record, and loads no more than that.
    again, modules = _imported("build", str(built), "--today", DAY)
    assert again.returncode == 0 and "0 written" in again.stdout
    assert _commands(modules) == {"vaultnet.cli.build"}
    heavy = {"jinja2", "yaml", "vaultnet.source.notes", "vaultnet.model.network"}
    assert modules & heavy == set()
    assert {m for m in modules if m.startswith(("vaultnet.edit", "vaultnet.exchange"))} == set()


def test_a_build_after_an_edit_imports_the_full_yaml_reader_only_for_a_note_that_needs_it(
    built: Path,
) -> None:
    assert CliRunner().invoke(main, ["build", str(built), "--today", DAY]).exit_code == 0
    with (built / "People" / "Ann Lee.md").open("a", encoding="utf-8") as note:
        note.write("- 2026-11-20 call: plain front matter, read by the fast reader\n")
    done, modules = _imported("build", str(built), "--today", DAY)
    assert done.returncode == 0 and "0 written" not in done.stdout, done.stdout
    assert "vaultnet.source.notes" in modules  # the note was parsed again
    assert modules & {"yaml", "vaultnet.source.yamlfull", "statistics", "difflib"} == set()
    # Front matter the fast reader declines (a block scalar) is read by the full one.
    (built / "People" / "Bo.md").write_text(
        "---\ntier: advocate\nabout: |\n  met at a meetup\n---\n", encoding="utf-8"
    )
    done, modules = _imported("build", str(built), "--today", DAY)
    assert done.returncode == 0 and "0 written" not in done.stdout, done.stderr[-2000:]
    assert "Bo.md" not in done.stderr  # read without a problem
    assert {"yaml", "vaultnet.source.yamlfull"} <= modules


def test_the_json_digest_of_an_unchanged_vault_loads_no_model(built: Path) -> None:
    assert CliRunner().invoke(main, ["build", str(built), "--today", DAY]).exit_code == 0
    done, modules = _imported("digest", "--format", "json", "--today", DAY, str(built))
    assert done.returncode == 0 and '"today": "2026-11-26"' in done.stdout
    assert _commands(modules) == {"vaultnet.cli.query"}
    assert modules & {"jinja2", "vaultnet.model.network", "vaultnet.render.digest"} == set()


def test_an_export_imports_the_calendar_library_for_the_calendar_only(built: Path) -> None:
    done, modules = _imported("export", "json", str(built), "--today", DAY)
    assert done.returncode == 0 and '"Ann Lee"' in done.stdout, done.stderr[-2000:]
    assert modules & {"icalendar", "vaultnet.pipeline.ics", "vaultnet.edit"} == set()
    done, modules = _imported("export", "ics", str(built), "--today", DAY)
    assert done.returncode == 0 and "BEGIN:VCALENDAR" in done.stdout, done.stderr[-2000:]
    assert "icalendar" in modules and "vaultnet.edit" not in modules


def test_init_imports_no_template_engine(tmp_path: Path) -> None:
    done, modules = _imported("init", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "vaultnet.toml").is_file()
    assert modules & {"jinja2", "vaultnet.render.environment", "vaultnet.insights"} == set()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_group_knows_each_command_as_the_command_describes_itself(name: str) -> None:
    """The short help --help lists is the command's own, and the name is the command's."""
    command = main.get_command(click.Context(main), name)
    assert command is not None and command.name == name
    assert COMMANDS[name][2] == command.get_short_help_str(limit=1000)


def test_a_mistyped_command_is_refused_with_the_closest_names() -> None:
    result = CliRunner().invoke(main, ["bild"])
    assert result.exit_code == 2
    assert "No such command 'bild'. Did you mean 'build'?" in result.stderr
    nothing_close = CliRunner().invoke(main, ["zzz"])
    assert nothing_close.exit_code == 2
    assert "No such command 'zzz'.\n" in nothing_close.stderr
    sub = CliRunner().invoke(main, ["export", "jsn"])
    assert sub.exit_code == 2 and "Did you mean 'json'?" in sub.stderr
