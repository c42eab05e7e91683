"""The ``vaultnet`` program: the click group, which knows its commands by name and short
help and imports a command's module only when that command runs.

The group is click's "lazily loading subcommands" pattern: ``vaultnet build`` imports
click and the build command's module, not the modules (and libraries) of the other
commands, and ``vaultnet --help`` lists the commands from the short help held here.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, NoReturn

import click

from vaultnet.version import VERSION

# Each command: the module of vaultnet.cli that defines it, its function there, and its
# short help as --help lists it (the first sentence of its docstring; a test keeps them
# the same).
COMMANDS: Final[Mapping[str, tuple[str, str, str]]] = MappingProxyType(
    {
        "add": ("edit", "add", "Create a person note from the person template."),
        "brief": (
            "query",
            "brief_command",
            "A one-page brief on someone before you meet them, from your notes only.",
        ),
        "build": ("build", "build", "Parse the notes, report problems, and write the pages."),
        "check": (
            "query",
            "check",
            "Report problems in the notes and configuration; write nothing.",
        ),
        "digest": (
            "query",
            "digest",
            "Print the follow-up digest: who is overdue, due soon, coming up, never contacted.",
        ),
        "dupes": (
            "query",
            "dupes",
            "List pairs of person notes that look like one person, with the evidence.",
        ),
        "export": (
            "exports",
            "export_group",
            "Write your people out: a follow-up calendar, JSON, CSV, vCard or a canvas.",
        ),
        "import": (
            "imports",
            "import_group",
            "Bring people in from LinkedIn's data export or a vCard file (.vcf).",
        ),
        "init": (
            "init",
            "init",
            "Write a commented vaultnet.toml and a person template; never overwrites.",
        ),
        "log": ("edit", "log", "Add a dated entry to a person's log, in date order."),
        "merge": (
            "edit",
            "merge",
            "Merge OTHER's note into KEEP's: two notes of one person become one.",
        ),
        "notify": (
            "remind",
            "notify",
            "Send today's follow-ups to your phone, mail or chat, once a day per channel.",
        ),
        "path": (
            "query",
            "path_command",
            "Who can get you to a person or a company: the best routes first.",
        ),
        "properties": (
            "edit",
            "properties",
            "Write vaultnet's computed values into each person's front matter, for Obsidian Bases.",
        ),
        "schedule": (
            "remind",
            "schedule",
            "Print (or --install) what runs vaultnet by itself: notify daily, watch always.",
        ),
        "snooze": (
            "edit",
            "snooze",
            "Leave a person out of follow-ups until UNTIL: a date after today or a "
            "duration (3w, 2m).",
        ),
        "tier": ("edit", "tier", "Move a person to TIER and record the move in their log."),
        "watch": (
            "watch",
            "watch",
            "Build, then keep the pages current as the notes change, until Ctrl-C.",
        ),
    }
)


class LazyGroup(click.Group):
    """A click group whose commands are imported when they are asked for by name.

    ``lazy`` maps each command name to (module in vaultnet.cli, function, short help).
    Listing the commands (``--help``) uses the short help and imports nothing.
    """

    def __init__(self, *args: object, lazy: Mapping[str, tuple[str, str, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, name, _short_help = self.lazy[cmd_name]
        command = getattr(importlib.import_module(f"vaultnet.cli.{module}"), name)
        if not isinstance(command, click.Command):
            raise TypeError(f"vaultnet.cli.{module}.{name} is not a click command")
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            if exc.possibilities:
                raise
            # click suggests from the commands it holds, and this group holds them by name.
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their short help, as click lists them, without importing them."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(map(len, names))
        rows = [(name, self._short_help(ctx, name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _short_help(self, ctx: click.Context, name: str, limit: int) -> str:
        """A command's short help, shortened to ``limit`` as click shortens it."""
        if name in self.lazy:
            # A command with only that help: click shortens it as it would the command's.
            return click.Command(name, help=self.lazy[name][2]).get_short_help_str(limit)
        command = super().get_command(ctx, name)
        return command.get_short_help_str(limit) if command is not None else ""


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(VERSION, prog_name="vaultnet")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="When a command fails unexpectedly, show Python's traceback (for a bug report).",
)
def main(verbose: bool) -> None:
    """Keep your professional network warm from a plain-text markdown vault.

    vaultnet reads one note per person (YAML front matter, a ## Log section) and writes
    an index, a page per tier and a follow-up digest into the vault's output folder.

    \b
    Examples:
      vaultnet init ~/Notes              set up a vault
      vaultnet build ~/Notes             write the pages once
      vaultnet watch ~/Notes             keep them fresh while you edit
      vaultnet digest --format text      who to get back in touch with
    """


def run() -> NoReturn:
    """The ``vaultnet`` program (and ``python -m vaultnet``): the click group, then an exit
    that skips freeing every object.

    A build of a large vault leaves millions of small objects behind; freeing them one by
    one when Python shuts down costs time for nothing, as the process ends anyway. Output
    is flushed first, and every file vaultnet writes has been closed (atomically replaced)
    by then. Under a profiler or a coverage tracer it exits normally, so that they can
    write what they measured.

    The cyclic garbage collector stays off: a build pauses it anyway, and turning it on
    again at the end of one made it look at everything the build had made just before
    the process ended. ``watch`` collects by itself.
    """
    gc.disable()
    code: object = 0
    try:
        main.main(prog_name="vaultnet")
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(code)  # under a profiler or coverage: let them write their results
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1  # output lost (a closed pipe): say so through the exit code
    os._exit(code or 0)
