"""What the commands share: the common options, finding the vault and its configuration,
error handling, and printing diagnostics. Only the cli package imports click."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from vaultnet.config import Config, find_vault, load_config
from vaultnet.dates import TODAY_RANGE
from vaultnet.diagnostics import Diagnostic
from vaultnet.errors import VaultnetError
from vaultnet.state.cache import NoteCache

if TYPE_CHECKING:
    from vaultnet.edit.properties import PropertiesResult

F = TypeVar("F", bound=Callable[..., Any])


def _parse_today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date:
    if value is None or value == "":
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None
    first, last = TODAY_RANGE
    if not first <= day <= last:
        raise click.BadParameter(
            f"{day.isoformat()} is out of range; give a day from {first.isoformat()} "
            f"to {last.isoformat()}"
        )
    return day


def common_options(vault_argument: bool = True, dated: bool = True) -> Callable[[F], F]:
    """--vault, --today and --strict (plus an optional VAULT argument) for every command;
    without ``dated``, only the vault (init: nothing there depends on the day)."""

    def decorate(func: F) -> F:
        if dated:
            func = click.option(
                "--strict",
                is_flag=True,
                help="Exit with 1 when there is any warning or error.",
            )(func)
            func = click.option(
                "--today",
                metavar="YYYY-MM-DD",
                envvar="VAULTNET_TODAY",
                callback=_parse_today,
                help="The date to compute follow-ups for, from 1900-01-01 to 9000-12-31 "
                "(default: the local date).",
            )(func)
        func = click.option(
            "--vault",
            "vault_option",
            metavar="PATH",
            type=click.Path(file_okay=False, path_type=Path),
            help="The vault folder (default: the nearest folder with vaultnet.toml or "
            ".obsidian/, from the current folder up).",
        )(func)
        if vault_argument:
            func = vault_argument_option(func)
        return func

    return decorate


# The optional VAULT argument, last after a command's own arguments (path TARGET [VAULT]).
vault_argument_option = click.argument(
    "vault", required=False, type=click.Path(file_okay=False, path_type=Path)
)


def named_vault(vault: Path | None, vault_option: Path | None) -> Path | None:
    if vault is not None and vault_option is not None and vault != vault_option:
        raise click.UsageError("give the vault either as an argument or with --vault, not both")
    return vault or vault_option


def vault_path(vault: Path | None, vault_option: Path | None) -> Path:
    """The vault named on the command line, as it is; else the one the current folder is
    in (``find_vault``), or exit 2 before anything is read."""
    named = named_vault(vault, vault_option)
    if named is not None:
        return named
    try:
        return find_vault()
    except VaultnetError as exc:
        fail(exc)


def config_at(vault: Path) -> Config:
    try:
        return load_config(vault)
    except VaultnetError as exc:
        fail(exc)


def fail(exc: VaultnetError) -> NoReturn:
    click.echo(f"vaultnet: error: {exc}", err=True)
    sys.exit(exc.exit_code)


EXIT_INTERNAL = 3  # vaultnet itself failed: a bug to report, not a problem in the vault


def handle_errors(func: F) -> F:
    """Turn every error into one line on stderr and an exit code, with no traceback.

    The core's errors carry their own code; a file the system refuses (a full disk, a
    read-only folder) is 1; anything else is a bug in vaultnet (EXIT_INTERNAL), shown
    with its traceback under ``vaultnet -v``.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VaultnetError as exc:
            fail(exc)
        except KeyboardInterrupt:
            click.echo("vaultnet: interrupted", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: usage errors and the like, which click reports
        except OSError as exc:
            _show_traceback()
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"vaultnet: error: {where}{exc.strerror or exc}", err=True)
            sys.exit(1)
        except MemoryError:
            _show_traceback()
            click.echo("vaultnet: error: out of memory", err=True)
            sys.exit(1)
        except Exception as exc:  # the last resort: one line, never a traceback
            if not _show_traceback():
                message = " ".join(str(exc).split())[:200]
                click.echo(
                    f"vaultnet: error: unexpected {type(exc).__name__}: {message}. This is a "
                    "bug in vaultnet; run the command again as 'vaultnet -v ...' to see where, "
                    "and report it",
                    err=True,
                )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def _show_traceback() -> bool:
    """Print the current exception's traceback when ``vaultnet -v`` asked for it."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or not ctx.find_root().params.get("verbose"):
        return False
    import traceback

    click.echo(traceback.format_exc(), err=True, nl=False)
    return True


def print_diagnostics(diagnostics: list[Diagnostic], quiet: bool = False) -> None:
    """Diagnostics on stderr, one a line: ``path:line: level: message`` (``quiet``: errors
    only). One write for them all: a large vault may have hundreds."""
    text = "".join(
        f"{diagnostic}\n"
        for diagnostic in diagnostics
        if not (quiet and diagnostic.level == "warning")
    )
    if text:
        click.echo(text, err=True, nl=False)


class _Progress:
    """ "reading notes 4,000/12,400" on a terminal's stderr while a large vault is parsed."""

    MIN_FILES = 1000

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total >= self.MIN_FILES:
            click.echo(f"\rreading notes {done:,}/{total:,}…", err=True, nl=False)
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False)


def progress_on_terminal() -> _Progress | None:
    return _Progress() if sys.stderr.isatty() else None


def cache_note(cache: NoteCache | None) -> None:
    if cache is not None and cache.problem:
        click.echo(f"vaultnet: note: {cache.problem}", err=True)


def cache_for(config: Config, no_cache: bool) -> NoteCache | None:
    """The vault's parse cache, or None with ``--no-cache``."""
    if no_cache:
        return None
    return NoteCache.for_vault(config.vault)


def parse_date_option(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> dt.date | None:
    """A date option (``--met``, ``--date``, ``--since``) in any form notes accept."""
    if value is None:
        return None
    from vaultnet.dates import date_problem, parse_date  # the forms notes accept (docs/notes.md)

    when = parse_date(value)
    if when is None:
        raise click.BadParameter(date_problem(value))
    return when


def report_properties(config: Config, done: PropertiesResult, dry_run: bool, quiet: bool) -> bool:
    """Print what ``properties.update`` changed (the diffs, for a dry run) and the notes it
    had to leave; whether there were any of those."""
    for edited in done.changed:
        if dry_run:
            click.echo(edited.diff, nl=not edited.diff.endswith("\n"))
        elif not quiet:
            click.echo(f"updated {edited.path.relative_to(config.vault).as_posix()}")
    for refused in done.refused:
        click.echo(f"{refused.path}: warning: {refused.message}; run again later", err=True)
    return bool(done.refused)
