"""The command line: thin click commands over the library. Only this module imports click."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from . import __version__
from .build import BuildResult, build_vault
from .cache import NoteCache
from .config import Config, load_config
from .diagnostics import Diagnostic
from .digest import digest_json, digest_markdown, digest_text
from .errors import VaultnetError
from .init import init_vault

F = TypeVar("F", bound=Callable[..., Any])

EPILOG_DATES = "Dates: --today YYYY-MM-DD (or VAULTNET_TODAY) replaces the local date."


def _parse_today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date:
    if value is None or value == "":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None


def common_options(vault_argument: bool = True) -> Callable[[F], F]:
    """--vault, --today and --strict (plus an optional VAULT argument) for every command."""

    def decorate(func: F) -> F:
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
            help="The date to compute follow-ups for (default: the local date).",
        )(func)
        func = click.option(
            "--vault",
            "vault_option",
            metavar="PATH",
            type=click.Path(file_okay=False, path_type=Path),
            help="The vault folder (default: the current folder).",
        )(func)
        if vault_argument:
            func = click.argument(
                "vault", required=False, type=click.Path(file_okay=False, path_type=Path)
            )(func)
        return func

    return decorate


def _vault(vault: Path | None, vault_option: Path | None) -> Path:
    if vault is not None and vault_option is not None and vault != vault_option:
        raise click.UsageError("give the vault either as an argument or with --vault, not both")
    return vault or vault_option or Path(".")


def _config(vault: Path) -> Config:
    try:
        return load_config(vault)
    except VaultnetError as exc:
        _fail(exc)


def _fail(exc: VaultnetError) -> NoReturn:
    click.echo(f"vaultnet: error: {exc}", err=True)
    sys.exit(exc.exit_code)


def handle_errors(func: F) -> F:
    """Turn the core's errors into a message and their exit code, with no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VaultnetError as exc:
            _fail(exc)
        except KeyboardInterrupt:
            click.echo("vaultnet: interrupted", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def print_diagnostics(diagnostics: list[Diagnostic], quiet: bool = False) -> None:
    """Diagnostics on stderr, one a line: ``path:line: level: message``."""
    for diagnostic in diagnostics:
        if quiet and diagnostic.level == "warning":
            continue
        click.echo(str(diagnostic), err=True)


def _exit_code(result: BuildResult, strict: bool, errors_fail: bool) -> int:
    if strict and result.diagnostics:
        return 1
    if errors_fail and result.errors:
        return 1
    return 0


def _cache(config: Config, no_cache: bool) -> NoteCache | None:
    if no_cache:
        return None
    cache = NoteCache.for_vault(config.vault)
    if cache.problem:
        click.echo(f"vaultnet: note: {cache.problem}", err=True)
    return cache


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="vaultnet")
def main() -> None:
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


@main.command()
@common_options()
@handle_errors
def init(vault: Path | None, vault_option: Path | None, today: dt.date, strict: bool) -> None:
    """Write a commented vaultnet.toml and a person template; never overwrites.

    \b
    Example:
      vaultnet init ~/Notes
    """
    root = _vault(vault, vault_option)
    for path, created in init_vault(root):
        state = "wrote" if created else "exists, left as it is:"
        click.echo(f"{state} {path}")
    click.echo("Next: add people (vaultnet add 'Ann Lee' --tier champion), then vaultnet build.")


@main.command()
@common_options()
@click.option("--no-cache", is_flag=True, help="Parse every note again; ignore the cache.")
@click.option("--dry-run", is_flag=True, help="Say what would be written; write nothing.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@handle_errors
def build(
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    no_cache: bool,
    dry_run: bool,
    quiet: bool,
) -> None:
    """Parse the notes, report problems, and write the pages.

    Pages go to the output folder (output_dir, default Network/): Index.md, one page per
    tier under Tiers/, Follow-ups.md and this week's digest under Digests/.

    \b
    Examples:
      vaultnet build                     the vault in the current folder
      vaultnet build ~/Notes --today 2026-11-26
      vaultnet build --dry-run           what would change
    """
    config = _config(_vault(vault, vault_option))
    started = time.perf_counter()
    result = build_vault(config, today, cache=_cache(config, no_cache), dry_run=dry_run)
    elapsed = time.perf_counter() - started
    print_diagnostics(result.diagnostics, quiet)
    if not quiet:
        click.echo(_build_summary(result, elapsed, dry_run))
    sys.exit(_exit_code(result, strict, errors_fail=False))


def _build_summary(result: BuildResult, seconds: float, dry_run: bool) -> str:
    network, write = result.network, result.write
    archived = len(network.people) - len(network.active)
    people = f"{len(network.active)} people" + (f" ({archived} archived)" if archived else "")
    verb = "would write" if dry_run else "written"
    removed = "would remove" if dry_run else "removed"
    problems = ""
    if result.diagnostics:
        problems = f" · {result.errors} errors, {result.warnings} warnings"
    return (
        f"{people} · pages: {len(write.written)} {verb}, {len(write.unchanged)} unchanged, "
        f"{len(write.removed)} {removed} · {seconds * 1000:.0f} ms{problems}"
    )


@main.command()
@common_options()
@click.option("--no-cache", is_flag=True, help="Parse every note again; ignore the cache.")
@handle_errors
def check(
    vault: Path | None, vault_option: Path | None, today: dt.date, strict: bool, no_cache: bool
) -> None:
    """Report problems in the notes and configuration; write nothing.

    Exits with 1 when there is an error (with --strict, any warning too).

    \b
    Example:
      vaultnet check ~/Notes && echo clean
    """
    config = _config(_vault(vault, vault_option))
    result = build_vault(config, today, cache=_cache(config, no_cache), write=False)
    print_diagnostics(result.diagnostics)
    people = len(result.network.people)
    click.echo(
        f"{people} people, {result.read.parsed + result.read.reused} notes read: "
        f"{result.errors} errors, {result.warnings} warnings"
    )
    sys.exit(_exit_code(result, strict, errors_fail=True))


@main.command()
@common_options()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "text", "json"]),
    default="md",
    show_default=True,
    help="Markdown, plain text, or JSON for scripts.",
)
@click.option("--no-cache", is_flag=True, help="Parse every note again; ignore the cache.")
@handle_errors
def digest(
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    fmt: str,
    no_cache: bool,
) -> None:
    """Print the follow-up digest: who is overdue, due soon, coming up, never contacted.

    \b
    Examples:
      vaultnet digest --format text
      vaultnet digest --format json | jq '.overdue[].name'
    """
    config = _config(_vault(vault, vault_option))
    result = build_vault(config, today, cache=_cache(config, no_cache), write=False)
    if fmt == "json":
        click.echo(
            json.dumps(
                digest_json(result.network, result.diagnostics), indent=2, ensure_ascii=False
            )
        )
    else:
        print_diagnostics(result.diagnostics)
        if fmt == "text":
            click.echo(digest_text(result.network), nl=False)
        else:
            click.echo(digest_markdown(result.network), nl=False)
    sys.exit(_exit_code(result, strict, errors_fail=False))
