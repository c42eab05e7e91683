"""Write docs/commands.md from the commands' own --help (run after changing a command).

python scripts/cli_reference.py          # rewrite docs/commands.md
python scripts/cli_reference.py --check  # exit 1 when docs/commands.md is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

from vaultnet.cli import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "commands.md"

INTRO = """\
# Commands

This page is generated from the commands' `--help` by `python scripts/cli_reference.py`;
a test checks that it matches the code.

Every command takes `--vault PATH` (or the vault as its argument, where it has one) and
`--today YYYY-MM-DD` (or the environment variable `VAULTNET_TODAY`).

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


def main_script() -> int:
    text = render()
    if "--check" in sys.argv:
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
