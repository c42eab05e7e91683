"""Write docs/commands.md from the commands' own --help (run after changing a command).

python scripts/cli_reference.py          # rewrite docs/commands.md
python scripts/cli_reference.py --check  # exit 1 when docs/commands.md is stale
"""

from __future__ import annotations

import argparse
from pathlib import Path

import click
from click.testing import CliRunner

from vaultnet.cli.main import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "commands.md"

INTRO = """\
# Commands

This page is generated from the commands' `--help` by `python scripts/cli_reference.py`;
a test checks that it matches the code.

## Which vault

A command works on the vault you name, or else on the vault you are in, found as git
finds a repository:

- A folder named on the command line is used as it is, whether it holds a
  `vaultnet.toml` or not.
- With no folder named, vaultnet walks up from the current folder to the first one that
  holds `vaultnet.toml` or `.obsidian/`, so `vaultnet build` works from any subfolder of
  the vault. With neither anywhere above, it stops before reading or writing anything
  (exit code 2): ``not inside a vault (no vaultnet.toml or .obsidian/ here or above):
  run `vaultnet init`, or name the vault folder``.
- `init` is the exception: with no folder named, it makes the current folder a vault.

Every command that works on a vault takes it the same way: with `--vault PATH`, or as its
last argument, after its own: `vaultnet build [VAULT]`, `vaultnet path TARGET [VAULT]`,
`vaultnet export csv [VAULT]`, `vaultnet import linkedin FILE [VAULT]`. The editing
commands (`add`, `log`, `tier`, `snooze`), whose arguments are names and free text, take
it only as `--vault PATH`.

## Names

Where a command takes a person's NAME (`log`, `tier`, `snooze`, `path`, `add
--introduced-by`), it is matched ignoring case and accents (`zoe okafor` is Zoë Okafor)
against the file name, the `name` field and the aliases; failing that, a first name, or
the start of a name or of one of its words, that fits one person only (`Bob` for Bob
Marsh, `Kat` for Katarzyna Nowak, `Oyel` for Marcus Oyelaran). A name that fits several
people is refused with their files listed (exit code 2); one that fits nobody is refused
with the closest names suggested, the same whatever the case typed.

## Dates and exit codes

Every command but `init` takes `--today YYYY-MM-DD` (or the environment variable
`VAULTNET_TODAY`).

Diagnostics go to stderr as `path:line: error|warning: message`, with paths relative to
the vault. Exit codes: **0** done; **1** problems found (`check`, or any command with
`--strict`), or a page or note could not be written safely; **2** bad usage or
configuration (an unknown option, a bad `--today`, a `vaultnet.toml` value of the wrong
type, a name that matches nobody or several people).
"""


def _commands(group: click.Group, prefix: list[str]) -> list[list[str]]:
    found: list[list[str]] = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        path = [*prefix, name]
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


def render() -> str:
    """The whole reference page."""
    runner = CliRunner()
    parts = [INTRO]
    top = runner.invoke(main, ["--help"], terminal_width=100, prog_name="vaultnet")
    parts.append("## vaultnet\n\n```text\n" + top.output.rstrip() + "\n```\n")
    for path in _commands(main, []):
        result = runner.invoke(main, [*path, "--help"], terminal_width=100, prog_name="vaultnet")
        title = " ".join(["vaultnet", *path])
        parts.append(f"## {title}\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def main_script(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python scripts/cli_reference.py",
        description="Write docs/commands.md from the commands' own --help.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when docs/commands.md does not match the commands",
    )
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print("docs/commands.md is stale: run python scripts/cli_reference.py")
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_script())
