"""The command line: thin click commands over the library. Only this module imports click."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from vaultnet.config import Config, find_vault, load_config
from vaultnet.dates import TODAY_RANGE
from vaultnet.diagnostics import Diagnostic
from vaultnet.errors import VaultnetError
from vaultnet.jsontext import json_text
from vaultnet.pipeline.build import Builder, build_vault
from vaultnet.pipeline.report import build_summary, exit_code
from vaultnet.state.cache import NoteCache
from vaultnet.version import VERSION
from vaultnet.words import plural, problems_summary

# Each command imports what only it needs, so that `build` of an unchanged vault starts fast.
if TYPE_CHECKING:
    from vaultnet.edit import EditResult
    from vaultnet.edit.properties import PropertiesResult

F = TypeVar("F", bound=Callable[..., Any])

EPILOG_DATES = "Dates: --today YYYY-MM-DD (or VAULTNET_TODAY) replaces the local date."


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


def _a_number(_ctx: click.Context, _param: click.Parameter, value: float) -> float:
    if math.isnan(value):  # FloatRange lets NaN through: it compares false to everything
        raise click.BadParameter("nan is not a number of seconds")
    return value


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


def _named_vault(vault: Path | None, vault_option: Path | None) -> Path | None:
    if vault is not None and vault_option is not None and vault != vault_option:
        raise click.UsageError("give the vault either as an argument or with --vault, not both")
    return vault or vault_option


def _vault(vault: Path | None, vault_option: Path | None) -> Path:
    """The vault named on the command line, as it is; else the one the current folder is
    in (``find_vault``), or exit 2 before anything is read."""
    named = _named_vault(vault, vault_option)
    if named is not None:
        return named
    try:
        return find_vault()
    except VaultnetError as exc:
        _fail(exc)


def _config(vault: Path) -> Config:
    try:
        return load_config(vault)
    except VaultnetError as exc:
        _fail(exc)


def _fail(exc: VaultnetError) -> NoReturn:
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
            _fail(exc)
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
    """Diagnostics on stderr, one a line: ``path:line: level: message``."""
    for diagnostic in diagnostics:
        if quiet and diagnostic.level == "warning":
            continue
        click.echo(str(diagnostic), err=True)


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


def _progress() -> _Progress | None:
    return _Progress() if sys.stderr.isatty() else None


def _cache_note(cache: NoteCache | None) -> None:
    if cache is not None and cache.problem:
        click.echo(f"vaultnet: note: {cache.problem}", err=True)


def _builder(
    config: Config,
    no_cache: bool,
    today: dt.date,
    progress: Callable[[int, int], None] | None = None,
) -> Builder:
    """A builder for one command: the program's, when its quick answer has just looked at
    the vault for this command (program.py), so that the build does not look again."""
    from vaultnet.cli.looked import Looked

    looked = click.get_current_context().obj
    builder = looked.take(config, today) if isinstance(looked, Looked) and not no_cache else None
    if builder is None:
        return Builder(config, _cache(config, no_cache), progress)
    builder.progress = progress
    return builder


def _cache(config: Config, no_cache: bool) -> NoteCache | None:
    if no_cache:
        return None
    return NoteCache.for_vault(config.vault)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


@main.command()
@common_options(dated=False)
@handle_errors
def init(vault: Path | None, vault_option: Path | None) -> None:
    """Write a commented vaultnet.toml and a person template; never overwrites.

    VAULT (default: the current folder) is created if missing. The person template for
    vaultnet add and import goes to .vaultnet/templates/; where the vault has an Obsidian
    templates folder (core Templates or Templater), a Person.md for Obsidian goes there too.
    A top-level People or Contacts folder (or Persons, CRM) whose notes are not marked as
    people becomes people_dirs, so that every note in it is a person; one whose notes are
    marked is only suggested. init asks nothing: it prints what it chose.

    \b
    Example:
      vaultnet init ~/Notes
    """
    root = _named_vault(vault, vault_option) or Path(".")
    from vaultnet.pipeline.init import init_vault

    said: list[str] = []
    for path, created in init_vault(root, said):
        state = "wrote" if created else "exists, left as it is:"
        click.echo(f"{state} {path}")
    for line in said:
        click.echo(line)
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
    progress = _progress()
    builder = _builder(config, no_cache, today, progress)
    try:
        result = builder.build(today, dry_run=dry_run)
    finally:
        if progress is not None:
            progress.clear()
    elapsed = time.perf_counter() - started
    _cache_note(builder.cache)
    print_diagnostics(result.diagnostics, quiet)
    if not quiet:
        click.echo(build_summary(result, elapsed, dry_run))
    refused = False
    if config.obsidian_properties and result.network is not None:  # None: nothing changed
        from vaultnet.edit.properties import update

        done = update(config, result.network, dry_run=dry_run)
        refused = _report_properties(config, done, dry_run, quiet)
    sys.exit(1 if strict and refused else exit_code(result, strict, errors_fail=False))


@main.command()
@common_options()
@click.option(
    "--debounce",
    type=click.FloatRange(min=0, max=3600),
    callback=_a_number,
    default=0.2,
    show_default=True,
    metavar="SECONDS",
    help="Rebuild once the vault has been quiet this long. Under continuous saving a "
    "rebuild still comes at least every 2 s (or 5 x SECONDS, if longer).",
)
@click.option(
    "--poll",
    is_flag=True,
    help="Look for changes every second instead of using the system's file events "
    "(network drives, some containers, or when inotify is out of watches).",
)
@click.option("--no-cache", is_flag=True, help="Parse every note again at start; ignore the cache.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Report every rebuild, even one that wrote nothing, with its pages and timings.",
)
@handle_errors
def watch(
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    debounce: float,
    poll: bool,
    no_cache: bool,
    verbose: bool,
) -> None:
    """Build, then keep the pages current as the notes change, until Ctrl-C.

    A change is a note (.md) created, edited, deleted or moved; vaultnet.toml; a template in
    templates_dir; or Obsidian's template and daily-note settings. Changes are gathered until
    the vault has been quiet for --debounce seconds and then rebuilt at once: only the changed
    notes are read again, and only pages whose content changed are written. One line is
    printed per rebuild that wrote something. A rebuild that fails is reported and watching
    goes on. Without --today, the pages are rebuilt at midnight. --strict has no effect here.

    \b
    Examples:
      vaultnet watch ~/Notes
      vaultnet watch --poll              on a network drive, or out of inotify watches
      vaultnet watch -v                  also report rebuilds that wrote nothing
    """
    # Imported here so that the other commands do not load watchdog.
    import signal
    import threading
    import traceback
    from types import FrameType

    from vaultnet.pipeline.watch import Notice, Rebuild, Watcher

    config = _config(_vault(vault, vault_option))
    given = click.get_current_context().get_parameter_source("today")
    fixed_today = None if given is click.core.ParameterSource.DEFAULT else today
    cache = _cache(config, no_cache)

    def on_build(rebuild: Rebuild) -> None:
        print_diagnostics(list(rebuild.new_diagnostics))
        if rebuild.error is not None:
            click.echo(rebuild.summary(), err=True)
            if verbose and not isinstance(rebuild.error, (VaultnetError, OSError)):
                click.echo("".join(traceback.format_exception(rebuild.error)), err=True)
        elif rebuild.reason == "start" and rebuild.result is not None:
            summary = build_summary(rebuild.result, rebuild.seconds, dry_run=False)
            click.echo(f"{rebuild.at:%H:%M:%S} {summary}")
        elif rebuild.wrote or rebuild.new_diagnostics or verbose:
            click.echo(rebuild.summary())
        if verbose:
            for line in rebuild.details():
                click.echo(f"  {line}")
        if rebuild.reason == "start":
            _cache_note(cache)
            click.echo(f"watching {config.vault} ({watcher.mode}); press Ctrl-C to stop")

    def on_notice(notice: Notice) -> None:
        click.echo(f"vaultnet: {notice}", err=True)

    watcher = Watcher(
        config,
        cache=cache,
        today=fixed_today,
        debounce=debounce,
        poll=poll,
        on_build=on_build,
        on_notice=on_notice,
    )
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            # Asked twice: stop now, without finishing the rebuild or saving the cache. Pages
            # are replaced whole, the cache is never the source of truth, and a temporary
            # file left behind is removed by the next run. os.write: the handler may run
            # while the main thread is inside a print, which a buffered write would break.
            with contextlib.suppress(OSError, RuntimeError):  # RuntimeError: reentrant
                sys.stdout.flush()
            os.write(2, b"vaultnet: stopped at once; the cache was not saved\n")
            os._exit(130)
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        # The first Ctrl-C lets a running rebuild finish, so no page is left half done.
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, request_stop)
    try:
        watcher.run(stop)
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo("stopped watching")


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
    people = plural(result.people + result.archived, "person", "people")
    notes = plural(result.read.parsed + result.read.reused, "note")
    click.echo(f"{people}, {notes} read: {problems_summary(result.errors, result.warnings)}")
    sys.exit(exit_code(result, strict, errors_fail=True))


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
    if fmt == "json":
        result = _builder(config, no_cache, today).build(today, write=False)
        click.echo(result.digest_json_text())
    else:
        # Markdown and text need the whole model: no early stop.
        result = Builder(config, _cache(config, no_cache)).build(today, write=False, full=True)
        assert result.network is not None
        print_diagnostics(result.diagnostics)
        from vaultnet.render.digest import digest_markdown, digest_text

        if fmt == "text":
            click.echo(digest_text(result.network), nl=False)
        else:
            click.echo(digest_markdown(result.network), nl=False)
    sys.exit(exit_code(result, strict, errors_fail=False))


@main.command()
@common_options()
@click.option(
    "--to",
    "to",
    multiple=True,
    metavar="URL",
    help="Also send to this apprise URL (repeatable); ${NAME} is read from the environment.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "json"]),
    help="The message as plain text, Markdown or JSON (default: [notify] format, or text).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help='At most this many people, then "and K more" (default: [notify] limit, or 10).',
)
@click.option("--dry-run", is_flag=True, help="Print the exact message; send nothing.")
@click.option("--force", is_flag=True, help="Send even to channels already sent to today.")
@click.option("--no-cache", is_flag=True, help="Parse every note again; ignore the cache.")
@handle_errors
def notify(
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    to: tuple[str, ...],
    fmt: str | None,
    limit: int | None,
    dry_run: bool,
    force: bool,
    no_cache: bool,
) -> None:
    """Send today's follow-ups to your phone, mail or chat, once a day per channel.

    One message, most pressing first: birthdays today, overdue follow-ups, follow-ups due
    today, thank-yous owed, birthdays tomorrow; with a link that opens each note in
    Obsidian. Channels are apprise URLs (ntfy, mailto, Telegram, Matrix, Slack, Signal,
    json:// ...) from [notify] urls in vaultnet.toml and --to; ${NAME} in a URL is taken
    from the environment, so that secrets stay out of the vault. Each channel gets the
    message at most once a day (state in .vaultnet/notify-state.json) unless --force.
    With nothing due, prints and sends nothing. Exits with 1 when a channel failed (the
    others are still sent), with 2 when apprise is not installed (pip install
    'vaultnet[notify]'). See docs/reminders.md.

    \b
    Examples:
      vaultnet notify --dry-run
      vaultnet notify --to ntfy://ntfy.sh/my-secret-topic
      vaultnet notify ~/Notes >/dev/null      from cron: only failures are mailed
    """
    import os

    from vaultnet.exchange.channels import channels, deliver, state_path
    from vaultnet.render.notify import body, compose, obsidian_vault, preview

    config = _config(_vault(vault, vault_option))
    fmt = fmt or config.notify.format
    # Every channel is checked before the vault is read, so that a wrong URL shows on a
    # quiet day too, not only on the first day with something to send.
    targets = [] if dry_run else channels(config.notify.urls, to, os.environ)
    if not dry_run and not targets:
        raise click.UsageError(
            "no channel to send to: add urls = [...] under [notify] in vaultnet.toml, "
            "or give --to URL (see docs/reminders.md)"
        )
    # The message needs the whole model: no early stop.
    result = Builder(config, _cache(config, no_cache)).build(today, write=False, full=True)
    assert result.network is not None
    print_diagnostics(result.diagnostics, quiet=True)
    message = compose(result.network, limit or config.notify.limit, obsidian_vault(config))
    if message is None:
        sys.exit(exit_code(result, strict, errors_fail=False))
    if dry_run:
        click.echo(preview(message, fmt), nl=False)
        sys.exit(exit_code(result, strict, errors_fail=False))
    text = body(message, fmt)
    outcomes = deliver(targets, message.title, text, fmt, state_path(config), today, force)
    for outcome in outcomes:
        label = outcome.channel.label
        if outcome.status == "failed":
            click.echo(f"vaultnet: error: {label}: not sent: {outcome.error}", err=True)
        elif outcome.status == "sent":
            click.echo(f"sent {message.total} reminders to {label}")
            if outcome.error:
                click.echo(f"vaultnet: error: {outcome.error}", err=True)
        else:
            click.echo(f"already sent today to {label} (--force sends again)")
    failed = any(outcome.error for outcome in outcomes)
    sys.exit(1 if failed else exit_code(result, strict, errors_fail=False))


@main.command()
@common_options()
@click.option(
    "--for",
    "platform",
    type=click.Choice(["systemd", "launchd", "cron"]),
    help="What to write for (default: launchd on macOS, systemd where it runs, else cron).",
)
@click.option("--install", is_flag=True, help="Write the files (for cron: your crontab's block).")
@click.option("--uninstall", is_flag=True, help="Remove exactly what --install wrote.")
@click.option("--force", is_flag=True, help="Replace (or remove) files that differ from ours.")
@click.option("--no-watch", is_flag=True, help="Only the daily notify, no watch service.")
@handle_errors
def schedule(
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    platform: str | None,
    install: bool,
    uninstall: bool,
    force: bool,
    no_watch: bool,
) -> None:
    """Print (or --install) what runs vaultnet by itself: notify daily, watch always.

    systemd: a user timer that runs notify every day at [notify] time (default 08:30; a
    run missed while the computer was off happens at the next start) and a user service
    for watch, in $XDG_CONFIG_HOME/systemd/user. macOS: launchd agents in
    ~/Library/LaunchAgents. Elsewhere: crontab lines; --install adds them as a marked
    block through crontab -l and crontab -. The units name this vaultnet and the vault
    by absolute path. --install never replaces a different file without --force, records
    what it wrote in .vaultnet/schedule.json, and prints the commands that start it;
    nothing is started for you. See docs/reminders.md.

    \b
    Examples:
      vaultnet schedule ~/Notes                   see what would be installed
      vaultnet schedule ~/Notes --install
      vaultnet schedule ~/Notes --uninstall
    """
    import os

    from vaultnet.pipeline import schedule as scheduling

    if install and uninstall:
        raise click.UsageError("give --install or --uninstall, not both")
    config = _config(_vault(vault, vault_option))
    if uninstall:
        changes, stop = scheduling.uninstall(config.vault, force)
        if stop:
            click.echo("first stop what runs: " + " && ".join(stop))
        for change in changes:
            click.echo(
                f"{change.action} {change.what}" + (f" ({change.why})" if change.why else "")
            )
        sys.exit(1 if any(change.action == "kept" for change in changes) else 0)
    chosen = platform or scheduling.detect_platform(sys.platform, os.environ)
    planned = scheduling.plan(
        config,
        chosen,  # type: ignore[arg-type]
        scheduling.executable(sys.argv[0]),
        os.environ,
        watch=not no_watch,
    )
    if not install:
        for unit in planned.files:
            click.echo(f"# {unit.path}\n{unit.text}")
        if planned.crontab:
            click.echo("# add to your crontab (crontab -e), or run with --install:")
            click.echo(planned.crontab, nl=False)
        if planned.start:
            click.echo("# then start it: " + " && ".join(planned.start))
        return
    for change in scheduling.install(planned, force):
        click.echo(f"{change.action} {change.what}")
    if planned.start:
        click.echo("start it: " + " && ".join(planned.start))


@main.command("path")
@common_options(vault_argument=False)
@click.argument("target")
@vault_argument_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="How many routes to show (0: all).",
)
@click.option("--no-cache", is_flag=True, help="Parse every note again; ignore the cache.")
@handle_errors
def path_command(
    target: str,
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    as_json: bool,
    limit: int,
    no_cache: bool,
) -> None:
    """Who can get you to a person or a company: the best routes first.

    TARGET is a person (file name, name or alias, like a link; else ignoring accents, or a
    first name or the start of a name that fits one person), a company (case, punctuation
    and "Inc."-style endings ignored) or a name from people's knows lists.
    Routes come from people there now, alumni, people who know someone there and people
    who introduced you to someone there; ranked by tier, then by recent contact. With no
    match, close names are suggested and the exit code is 2.

    \b
    Examples:
      vaultnet path "Harbor Health"
      vaultnet path "[[Ann Lee]]" --json | jq '.routes[0].chain'
    """
    from vaultnet.insights.routes import NoMatch, find_routes, routes_json, routes_text

    config = _config(_vault(vault, vault_option))
    # Routes need the whole model: no early stop.
    result = Builder(config, _cache(config, no_cache)).build(today, write=False, full=True)
    assert result.network is not None
    print_diagnostics(result.diagnostics, quiet=True)
    try:
        routes = find_routes(result.network, target)
    except NoMatch as exc:
        if as_json:
            payload = {"error": exc.message, "suggestions": exc.suggestions}
            click.echo(json_text(payload))
        raise
    if as_json:
        payload = routes_json(routes, today, limit)
        click.echo(json_text(payload))
    else:
        click.echo(routes_text(routes, today, limit), nl=False)
    sys.exit(exit_code(result, strict, errors_fail=False))


@main.command()
@common_options()
@click.option("--remove", is_flag=True, help="Take the four properties out of every note.")
@click.option("--dry-run", is_flag=True, help="Print the exact changes as diffs; write nothing.")
@handle_errors
def properties(
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    remove: bool,
    dry_run: bool,
) -> None:
    """Write vaultnet's computed values into each person's front matter, for Obsidian Bases.

    Keeps vaultnet_last_contact, vaultnet_due, vaultnet_bucket and vaultnet_tier_rank up to
    date in each active person's note (archived people get none); only those lines change,
    and only when a value changed. A note another program is saving is skipped with a
    warning (exit 1 with --strict).

    \b
    Examples:
      vaultnet properties --dry-run      the changes, as diffs
      vaultnet properties --remove       take them out again
    """
    from vaultnet.edit.properties import update

    config = _config(_vault(vault, vault_option))
    result = Builder(config, _cache(config, False)).build(today, write=False, full=True)
    print_diagnostics(result.diagnostics, quiet=True)
    done = update(config, result.network, remove=remove, dry_run=dry_run)
    _report_properties(config, done, dry_run, quiet=False)
    if not done.changed:
        click.echo("no change")
    sys.exit(1 if strict and done.refused else exit_code(result, strict, errors_fail=False))


def _report_properties(config: Config, done: PropertiesResult, dry_run: bool, quiet: bool) -> bool:
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


@main.command("brief")
@common_options(vault_argument=False)
@click.argument("name")
@vault_argument_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="Markdown, or JSON for scripts.",
)
@click.option("--for", "target", metavar="COMPANY", help="Say whether they are a path there.")
@click.option("--no-cache", is_flag=True, help="Parse every note again; ignore the cache.")
@handle_errors
def brief_command(
    name: str,
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    fmt: str,
    target: str | None,
    no_cache: bool,
) -> None:
    """A one-page brief on someone before you meet them, from your notes only.

    Who they are now, how you know them, the last three contacts, open tasks and planned
    entries, what you gave and got, whom they know that you know, dates this month and an
    opener drawn from your own words. NAME is found as `log` finds people. Rendered from
    the brief.md.j2 template (yours, when the templates folder has one).

    \b
    Examples:
      vaultnet brief "Ann Lee"
      vaultnet brief zoe --for "Harbor Health" --format json | jq .path_to
    """
    from vaultnet.insights.brief import (
        BRIEF_TEMPLATE,
        brief_json,
        find_person,
        make_brief,
        open_tasks,
    )
    from vaultnet.insights.companies import person_resolver
    from vaultnet.insights.insights import compute_insights
    from vaultnet.render.render import render_page_body

    config = _config(_vault(vault, vault_option))
    result = Builder(config, _cache(config, no_cache)).build(today, write=False, full=True)
    network = result.network
    assert network is not None
    print_diagnostics(result.diagnostics, quiet=True)
    resolver = person_resolver(network)
    person = find_person(network, name, resolver)
    tasks = open_tasks(network, {person.key}).get(person.key, [])
    companies = compute_insights(network).companies
    brief = make_brief(network, person, companies, tasks, target, resolver)
    if fmt == "json":
        click.echo(json_text(brief_json(brief)))
    else:
        page = f"{config.output_dir}/Briefs/{person.name}.md"
        click.echo(render_page_body(network, page, BRIEF_TEMPLATE, {"brief": brief}), nl=False)
    sys.exit(exit_code(result, strict, errors_fail=False))


@main.command()
@common_options(dated=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--strict", is_flag=True, help="Exit with 1 when there is any pair.")
@click.option("--no-cache", is_flag=True, help="Parse every note again; ignore the cache.")
@handle_errors
def dupes(
    vault: Path | None, vault_option: Path | None, strict: bool, as_json: bool, no_cache: bool
) -> None:
    """List pairs of person notes that look like one person, with the evidence.

    Two notes pair up when they share a name or alias (ignoring case, accents, punctuation
    and "Last, First" order), an email address, a LinkedIn profile or a phone number
    (spaces, dashes and parentheses ignored, 00 read as +), or when their names differ
    only by a middle name or initial and they are at the same company. `check` and `build`
    warn of the same pairs. Exits with 0; with --strict, 1 when there is any pair.

    \b
    Examples:
      vaultnet dupes ~/Notes
      vaultnet dupes --json | jq -r '.pairs[] | [.first.path, .second.path] | @tsv'
    """
    from vaultnet.model.identity import duplicates_json, duplicates_text, find_duplicates

    config = _config(_vault(vault, vault_option))
    read = Builder(config, _cache(config, no_cache)).read()
    print_diagnostics([d for d in read.diagnostics if d.level == "error"], quiet=True)
    pairs = find_duplicates([note for note in read.notes if note.person])
    if as_json:
        click.echo(json_text(duplicates_json(pairs)))
    else:
        click.echo(duplicates_text(pairs), nl=False)
    sys.exit(1 if strict and pairs else 0)


# --- editing commands ------------------------------------------------------------------


def _parse_date_option(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> dt.date | None:
    if value is None:
        return None
    from vaultnet.dates import date_problem, parse_date  # the forms notes accept (docs/notes.md)

    when = parse_date(value)
    if when is None:
        raise click.BadParameter(date_problem(value))
    return when


def _report_edit(config: Config, result: EditResult, dry_run: bool, done: str) -> None:
    """The diff of a dry run, else ``done`` and the note's path, or "no change"."""
    done = f"{done} {result.path.relative_to(config.vault).as_posix()}"
    if dry_run:
        click.echo(result.diff or "no change", nl=not result.diff.endswith("\n"))
    elif result.changed:
        click.echo(done)
    else:
        click.echo("no change")


dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Print the exact change as a diff; write nothing."
)


@main.command()
@click.argument("name")
@common_options(vault_argument=False)
@click.option("--tier", help="Tier name or title (default: the weakest tier).")
@click.option("--company", help="Current employer; a [[link]] or text.")
@click.option("--role", help="Current role.")
@click.option("--email", help="Email address.")
@click.option(
    "--met", metavar="YYYY-MM-DD", callback=_parse_date_option, help="When you first met."
)
@click.option(
    "--introduced-by", metavar="NAME", help="Who introduced you (linked when it names one person)."
)
@click.option("--tag", "tags", multiple=True, help="A tag to add (repeatable).")
@click.option(
    "--dir",
    "directory",
    metavar="FOLDER",
    help="Folder for the note (default: people_folder, People/ unless configured).",
)
@dry_run_option
@handle_errors
def add(
    name: str,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    tier: str | None,
    company: str | None,
    role: str | None,
    email: str | None,
    met: dt.date | None,
    introduced_by: str | None,
    tags: tuple[str, ...],
    directory: str | None,
    dry_run: bool,
) -> None:
    """Create a person note from the person template.

    Refuses when a note, name or alias already matches NAME. The file name is NAME made
    safe for every operating system.

    \b
    Examples:
      vaultnet add "Ann Lee" --tier champion --company "[[Harbor Health]]"
      vaultnet add "Bob Marsh" --introduced-by "Ann Lee" --met 2026-11-03 --tag data
    """
    from vaultnet.edit.actions import add_person

    config = _config(_vault(None, vault_option))
    result = add_person(
        config,
        name,
        today=today,
        tier=tier,
        company=company,
        role=role,
        email=email,
        met=met,
        introduced_by=introduced_by,
        tags=tags,
        directory=directory,
        dry_run=dry_run,
        cache=_cache(config, False),
        warn=lambda diagnostic: print_diagnostics([diagnostic]),
    )
    _report_edit(config, result, dry_run, "created")


@main.command()
@click.argument("name")
@click.argument("text")
@common_options(vault_argument=False)
@click.option(
    "--date",
    "when",
    metavar="YYYY-MM-DD",
    callback=_parse_date_option,
    help="The entry's date (default: today).",
)
@click.option("--kind", help="What it was: coffee, call, lunch, intro…")
@click.option("--gave", is_flag=True, help="You helped them (tags the entry #gave).")
@click.option("--got", is_flag=True, help="They helped you (tags the entry #got).")
@dry_run_option
@handle_errors
def log(
    name: str,
    text: str,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    when: dt.date | None,
    kind: str | None,
    gave: bool,
    got: bool,
    dry_run: bool,
) -> None:
    """Add a dated entry to a person's log, in date order.

    NAME is a file name, name or alias, ignoring case and accents, or a first name or the
    start of a name that fits one person only. A "## Log" section is added at the end of
    the note when it has none. A --date after today is a plan: the next follow-up is due
    then.

    \b
    Examples:
      vaultnet log "Ann Lee" "talked about the platform team" --kind coffee
      vaultnet log Kat "sent her the RFC" --gave --date 2026-11-20
    """
    from vaultnet.edit.actions import log_interaction

    config = _config(_vault(None, vault_option))
    result = log_interaction(
        config,
        name,
        text,
        when=when or today,
        kind=kind,
        gave=gave,
        got=got,
        dry_run=dry_run,
        cache=_cache(config, False),
    )
    _report_edit(config, result, dry_run, "logged in")
    if when is not None and when > today and (result.changed or dry_run):
        # A later date is a plan, and a plan sets the next follow-up: say so.
        click.echo(f"planned for {when.isoformat()}; next follow-up due then", err=dry_run)


@main.command()
@click.argument("name")
@click.argument("tier_name", metavar="TIER")
@common_options(vault_argument=False)
@dry_run_option
@handle_errors
def tier(
    name: str,
    tier_name: str,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    dry_run: bool,
) -> None:
    """Move a person to TIER and record the move in their log.

    \b
    Example:
      vaultnet tier "Bob Marsh" advocate     logs "tier: supporter → advocate"
    """
    config = _config(_vault(None, vault_option))
    from vaultnet.edit.actions import set_tier

    result = set_tier(
        config, name, tier_name, today=today, dry_run=dry_run, cache=_cache(config, False)
    )
    _report_edit(config, result, dry_run, "moved in")


@main.command()
@click.argument("name")
@click.argument("until", required=False)
@common_options(vault_argument=False)
@click.option("--clear", is_flag=True, help="Remove the snooze.")
@dry_run_option
@handle_errors
def snooze(
    name: str,
    until: str | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    clear: bool,
    dry_run: bool,
) -> None:
    """Leave a person out of follow-ups until UNTIL: a date after today or a duration (3w, 2m).

    \b
    Examples:
      vaultnet snooze "Felix Hartmann" 2027-01-15
      vaultnet snooze Felix 3w
      vaultnet snooze Felix --clear
    """
    if clear == (until is not None):
        raise click.UsageError("give UNTIL (a date or a duration) or --clear")
    config = _config(_vault(None, vault_option))
    from vaultnet.edit.actions import parse_until
    from vaultnet.edit.actions import snooze as snooze_person

    end = None if clear else parse_until(until or "", today)
    result = snooze_person(config, name, end, dry_run=dry_run, cache=_cache(config, False))
    what = "snooze cleared:" if end is None else f"snoozed until {end.isoformat()}:"
    _report_edit(config, result, dry_run, what)


# --- import and export -------------------------------------------------------------------

PROGRESS_MIN = 50  # contacts; fewer are written before a bar would be worth drawing


@main.group("import")
def import_group() -> None:
    """Bring people in from LinkedIn's data export or a vCard file (.vcf).

    New people get a note from the person template; people you already have (same
    LinkedIn profile, email, or name/alias, in that order) get only their missing fields
    filled. From LinkedIn, a changed company or role is recorded as a move: the old
    position goes to history and the log says who moved where. Nothing you wrote is
    overwritten. Run with --dry-run first to see the plan.

    calendar, mail, linkedin-messages and linkedin-invitations record whom you met, mailed
    and messaged in dated source notes (Sources/Calendar/2026-11-20.md) instead: person
    notes are left alone, and the links count as contact on that day.
    """


def _import_command(func: F) -> F:
    """FILE, --tier, --dir, --dry-run and the common options of the import commands."""
    func = handle_errors(func)
    func = click.option(
        "--dry-run", is_flag=True, help="Print the plan (new, updated, unchanged, skipped)."
    )(func)
    func = click.option(
        "--dir",
        "directory",
        metavar="FOLDER",
        help="Folder for new notes (default: people_folder, People/ unless configured).",
    )(func)
    func = click.option("--tier", help="Tier of new people (default: the weakest tier).")(func)
    func = common_options(vault_argument=False)(func)
    func = vault_argument_option(func)
    return click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))(
        func
    )


def _run_import(
    file: Any,
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    tier: str | None,
    directory: str | None,
    dry_run: bool,
) -> None:
    """Plan the import of an already read file, then print the plan or carry it out."""
    from vaultnet.exchange.imports import apply_import, plan_import

    config = _config(_vault(vault, vault_option))
    print_diagnostics(list(file.diagnostics))
    plan = plan_import(
        config, file, today=today, tier=tier, directory=directory, cache=_cache(config, False)
    )
    if dry_run:
        for line in plan.lines():
            click.echo(line)
        click.echo(f"dry run: {plan.summary()}; nothing written")
        sys.exit(1 if strict and file.diagnostics else 0)
    pending = [item for item in plan.items if item.action != "unchanged"]
    if sys.stderr.isatty() and len(pending) >= PROGRESS_MIN:
        with click.progressbar(length=len(plan.items), label="importing", file=sys.stderr) as bar:
            result = apply_import(config, plan, progress=bar.update)
    else:
        result = apply_import(config, plan)
    # An import that stopped lists only what it wrote: the rest of the plan was not done.
    for line in plan.lines(unchanged=False, only=result.written if result.stopped else None):
        click.echo(line)
    print_diagnostics(result.failed)
    if result.stopped:
        click.echo(f"vaultnet: error: {result.stopped}", err=True)
    failed = f", {len(result.failed)} failed" if result.failed else ""
    click.echo(f"{plan.summary()}{failed}")
    sys.exit(1 if result.failed or (strict and file.diagnostics) else 0)


@import_group.command("linkedin")
@_import_command
def import_linkedin(
    file: Path,
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    tier: str | None,
    directory: str | None,
    dry_run: bool,
) -> None:
    """Import LinkedIn connections from FILE (Connections.csv of LinkedIn's data export).

    Reads current and older exports (with or without the URL column and the Notes:
    preamble). Connected On becomes met. Exit code 2 when FILE is not such an export.

    \b
    Examples:
      vaultnet import linkedin ~/Downloads/Connections.csv --dry-run
      vaultnet import linkedin Connections.csv --dir People --tier acquaintance
    """
    from vaultnet.exchange.imports import read_linkedin

    _run_import(
        read_linkedin(file, str(file)), vault, vault_option, today, strict, tier, directory, dry_run
    )


@import_group.command("vcard")
@_import_command
def import_vcard(
    file: Path,
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    tier: str | None,
    directory: str | None,
    dry_run: bool,
) -> None:
    """Import contacts from a vCard file (.vcf: vCard 2.1, 3.0 or 4.0).

    Takes name, emails and phones (preferred first), organisation, title, birthday and a
    LinkedIn profile URL; skips contact groups and never copies photos. A card that cannot
    be read is reported and the others are imported. Address books are often out of date,
    so a different company or role is shown in the plan but not recorded as a move.

    \b
    Examples:
      vaultnet import vcard contacts.vcf --dry-run
      vaultnet import vcard contacts.vcf --dir People
    """
    from vaultnet.exchange.imports import read_vcard

    _run_import(
        read_vcard(file, str(file)), vault, vault_option, today, strict, tier, directory, dry_run
    )


def _capture_command(subjects: bool = False, me: bool = True) -> Callable[[F], F]:
    """FILE, --me, --since, --dry-run and the common options of the source imports."""

    def decorate(func: F) -> F:
        func = handle_errors(func)
        if subjects:
            func = click.option(
                "--with-subjects",
                is_flag=True,
                help="Keep each message's subject in the source note (default: not kept).",
            )(func)
        func = click.option(
            "--dry-run", is_flag=True, help="Say which source notes would change; write nothing."
        )(func)
        func = click.option(
            "--since",
            metavar="YYYY-MM-DD",
            callback=_parse_date_option,
            help="Only interactions on or after this date.",
        )(func)
        if me:
            func = click.option(
                "--me",
                multiple=True,
                metavar="ADDRESS",
                help="Your email address or LinkedIn profile URL (repeatable; default: [capture] "
                "in vaultnet.toml).",
            )(func)
        func = common_options(vault_argument=False)(func)
        func = vault_argument_option(func)
        return click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))(
            func
        )

    return decorate


def _run_capture(
    config: Config,
    file: Any,
    today: dt.date,
    since: dt.date | None,
    me: tuple[str, ...],
    dry_run: bool,
    strict: bool,
) -> None:
    """Write the source notes of an already read export, then print what happened."""
    from vaultnet.exchange.imports.sources import capture

    print_diagnostics(list(file.diagnostics))
    result = capture(
        config, file, today=today, since=since, me=me, dry_run=dry_run, cache=_cache(config, False)
    )
    verb = "would be " if dry_run else ""
    for path in result.created:
        click.echo(f"{path}: {verb}created")
    for path in result.updated:
        click.echo(f"{path}: {verb}updated")
    for path in result.kept:
        click.echo(
            f"{path}: warning: edited by hand; left as it is, new interactions go beside it",
            err=True,
        )
    print_diagnostics(result.failed)
    if result.unmatched:
        ranked = sorted(result.unmatched.items(), key=lambda i: (-i[1][0], -i[1][1].toordinal()))
        who = (
            "1 person you are in touch with has"
            if len(ranked) == 1
            else (f"{len(ranked)} people you are in touch with have")
        )
        click.echo(f"{who} no note (most first):")
        for shown, (count, last) in ranked[:UNMATCHED_SHOWN]:
            from vaultnet.model.unmatched import add_command

            click.echo(f"  {count}× {shown}, last {last.isoformat()}: {add_command(shown)}")
        if len(ranked) > UNMATCHED_SHOWN:
            more = len(ranked) - UNMATCHED_SHOWN
            click.echo(f"  … and {more} more: see Unmatched.md after a build")
    done = "dry run: " if dry_run else ""
    click.echo(f"{done}{result.summary(dry_run)}{'; nothing written' if dry_run else ''}")
    sys.exit(1 if result.failed or (strict and file.diagnostics) else 0)


UNMATCHED_SHOWN = 10


@import_group.command("calendar")
@_capture_command()
def import_calendar(
    file: Path,
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    me: tuple[str, ...],
    since: dt.date | None,
    dry_run: bool,
) -> None:
    """Record meetings from a calendar export (.ics) in dated source notes.

    Counts events up to today that you organised or did not decline, with at most
    [capture] max_attendees other people (default 8); recurring events are expanded.
    Attendees are matched to people by email. Writes Sources/Calendar/YYYY-MM-DD.md and
    never edits person notes.

    \b
    Examples:
      vaultnet import calendar ~/Downloads/calendar.ics --me ann@example.com --dry-run
      vaultnet import calendar work.ics --since 2026-01-01
    """
    from vaultnet.exchange.imports.calendar import read_calendar

    config = _config(_vault(vault, vault_option))
    mine = (*config.capture.me, *me)
    file_read = read_calendar(
        file, today=today, since=since, me=mine, max_attendees=config.capture.max_attendees
    )
    _run_capture(config, file_read, today, since, me, dry_run, strict)


@import_group.command("mail")
@_capture_command(subjects=True)
def import_mail(
    file: Path,
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    me: tuple[str, ...],
    since: dt.date | None,
    dry_run: bool,
    with_subjects: bool,
) -> None:
    """Record mail you sent, from an mbox file (e.g. Google Takeout), in dated source notes.

    Reads headers only, message by message, however large the file. Mail from your
    addresses (--me, [capture] me) or labelled Sent by Gmail counts; To and Cc are matched
    to people by email; mail to more than [capture] max_recipients (default 8) is skipped.

    \b
    Examples:
      vaultnet import mail "Takeout/Mail/All mail Including Spam and Trash.mbox" --dry-run
      vaultnet import mail sent.mbox --me ann@example.com --since 2026-01-01
    """
    from vaultnet.exchange.imports.mail import read_mbox

    config = _config(_vault(vault, vault_option))
    file_read = read_mbox(
        file,
        me=(*config.capture.me, *me),
        max_recipients=config.capture.max_recipients,
        with_subjects=with_subjects,
        since=since,
    )
    _run_capture(config, file_read, today, since, me, dry_run, strict)


@import_group.command("linkedin-messages")
@_capture_command(subjects=True)
def import_linkedin_messages(
    file: Path,
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    me: tuple[str, ...],
    since: dt.date | None,
    dry_run: bool,
    with_subjects: bool,
) -> None:
    """Record LinkedIn messages (messages.csv of the data export) in dated source notes.

    A message you sent counts, and so does a reply in a conversation you wrote in. Your
    profile is --me, [capture] linkedin, or the one in every conversation. People are
    matched by their linkedin URL, then by name. Drafts and spam are skipped; message
    texts are never kept, subjects only with --with-subjects.

    \b
    Examples:
      vaultnet import linkedin-messages messages.csv --dry-run
      vaultnet import linkedin-messages messages.csv --me https://www.linkedin.com/in/me
    """
    from vaultnet.exchange.imports.messages import read_messages

    config = _config(_vault(vault, vault_option))
    profiles = (*([config.capture.linkedin] if config.capture.linkedin else []), *me)
    file_read = read_messages(
        file,
        me=profiles,
        max_recipients=config.capture.max_recipients,
        with_subjects=with_subjects,
    )
    _run_capture(config, file_read, today, since, (), dry_run, strict)


@import_group.command("linkedin-invitations")
@_capture_command(me=False)
def import_linkedin_invitations(
    file: Path,
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    since: dt.date | None,
    dry_run: bool,
) -> None:
    """Record LinkedIn invitations with a message (Invitations.csv) in dated source notes.

    Each becomes "LinkedIn invitation you sent" or "... you received" on the day it was
    sent; invitations without a message are skipped. The message itself is never kept.

    \b
    Example:
      vaultnet import linkedin-invitations Invitations.csv --dry-run
    """
    from vaultnet.exchange.imports.messages import read_invitations

    config = _config(_vault(vault, vault_option))
    _run_capture(config, read_invitations(file), today, since, (), dry_run, strict)


@main.group("export")
def export_group() -> None:
    """Write your people out: a follow-up calendar, JSON, CSV, vCard or a canvas.

    Exports read the notes and never change them (except ics --assign-uids, which adds a
    vaultnet_uid key to each person note). They go to stdout, or to a file with -o.
    """


def _export_command(func: F) -> F:
    """-o, --no-cache and the common options of the export commands."""
    func = handle_errors(func)
    func = click.option("--no-cache", is_flag=True, help="Parse every note again.")(func)
    func = click.option(
        "-o",
        "--output",
        metavar="FILE",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to FILE instead of stdout.",
    )(func)
    return common_options()(func)


def _run_export(
    fmt: str,
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    output: Path | None,
    no_cache: bool,
    assign_uids: bool = False,
    center: str | None = None,
    max_nodes: int | None = None,
) -> None:
    from vaultnet.exchange.exporting import export_vault, write_export

    config = _config(_vault(vault, vault_option))
    result = export_vault(
        config,
        fmt,
        today,
        cache=_cache(config, no_cache),
        assign_uids=assign_uids,
        center=center,
        max_nodes=max_nodes,
    )
    print_diagnostics(list(result.diagnostics), quiet=True)
    if result.assigned:
        given = plural(len(result.assigned), "note")
        click.echo(f"vaultnet: gave {given} a vaultnet_uid", err=True)
    if output is None:
        # Bytes, not text: the calendar's CRLF line ends must not be translated.
        click.echo(result.text.encode("utf-8"), nl=False)
    else:
        write_export(output, result.text, config.vault, fmt)
        click.echo(f"wrote {output}")
    sys.exit(1 if strict and result.diagnostics else 0)


@export_group.command("ics")
@_export_command
@click.option(
    "--assign-uids",
    is_flag=True,
    help="First give each person note a random vaultnet_uid key, so that its events keep "
    "their UIDs when the note is renamed or moved.",
)
def export_ics(
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    output: Path | None,
    no_cache: bool,
    assign_uids: bool,
) -> None:
    """Follow-ups and birthdays as an iCalendar file, for a calendar to subscribe to.

    One all-day event per active person due within horizon_days (overdue ones on today)
    and a yearly event per birthday. Event UIDs are stable and hold no personal data;
    SEQUENCE grows when an event changes (state in .vaultnet/ics-state.json). With
    ics = true in vaultnet.toml, build and watch also write follow-ups.ics to the output
    folder.

    \b
    Examples:
      vaultnet export ics -o ~/Calendars/network.ics
      vaultnet export ics --assign-uids -o network.ics
    """
    _run_export("ics", vault, vault_option, today, strict, output, no_cache, assign_uids)


@export_group.command("json")
@_export_command
def export_json(
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    output: Path | None,
    no_cache: bool,
) -> None:
    """Everyone with their fields, tier and follow-up state, as JSON.

    \b
    Example:
      vaultnet export json | jq '.people[] | select(.tier == "champion") | .name'
    """
    _run_export("json", vault, vault_option, today, strict, output, no_cache)


@export_group.command("csv")
@_export_command
def export_csv(
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    output: Path | None,
    no_cache: bool,
) -> None:
    """Everyone with their fields, tier and follow-up state, as CSV for a spreadsheet.

    \b
    Example:
      vaultnet export csv -o network.csv
    """
    _run_export("csv", vault, vault_option, today, strict, output, no_cache)


@export_group.command("vcard")
@_export_command
def export_vcard(
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    output: Path | None,
    no_cache: bool,
) -> None:
    """Everyone as vCard 4.0 (name, organisation, title, emails, phones, birthday,
    LinkedIn), for an address book; vaultnet import vcard reads it back.

    \b
    Example:
      vaultnet export vcard -o network.vcf
    """
    _run_export("vcard", vault, vault_option, today, strict, output, no_cache)


@export_group.command("canvas")
@_export_command
@click.option(
    "--center",
    metavar="NAME",
    help="Only this person's neighbourhood: who introduced them, up to you, and everyone "
    "they brought in.",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    metavar="N",
    help="Draw at most N people; the rest are counted. Default: canvas_max_nodes (200).",
)
def export_canvas(
    vault: Path | None,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    output: Path | None,
    no_cache: bool,
    center: str | None,
    max_nodes: int | None,
) -> None:
    """The introductions as an Obsidian canvas (JSON Canvas 1.0), like the
    Introductions.canvas every build writes: one box per person, a column per
    introduction depth, a group per tier. Its boxes open notes by their path in the
    vault, so keep the file inside the vault.

    \b
    Examples:
      vaultnet export canvas --center "Ann Lee" -o "Ann Lee introductions.canvas"
      vaultnet export canvas --max-nodes 50 -o Network-top.canvas
    """
    _run_export(
        "canvas",
        vault,
        vault_option,
        today,
        strict,
        output,
        no_cache,
        center=center,
        max_nodes=max_nodes,
    )


@main.command()
@click.argument("keep")
@click.argument("other")
@common_options(vault_argument=False)
@click.option(
    "--force",
    is_flag=True,
    help="Merge despite conflicting values: KEEP's value stays, OTHER's is written in "
    "KEEP's note under the merged section.",
)
@dry_run_option
@handle_errors
def merge(
    keep: str,
    other: str,
    vault_option: Path | None,
    today: dt.date,
    strict: bool,
    force: bool,
    dry_run: bool,
) -> None:
    """Merge OTHER's note into KEEP's: two notes of one person become one.

    KEEP and OTHER are found as `log` finds a person (name, alias, first name, or the
    note's path). KEEP's front matter values win; OTHER's name and aliases become
    aliases, its emails and phones are added, keys only OTHER has are copied. The logs are
    merged in date order without duplicates, OTHER's body goes under "## Merged from …",
    every link to OTHER is rewritten to KEEP, and OTHER moves to the vault's .trash.
    Values that cannot both be kept (two met dates, tiers…) stop the merge unless --force.
    If a write fails, the notes already written are put back.

    \b
    Example:
      vaultnet merge "Ann Lee" "Ann Lee (LinkedIn)" --dry-run
    """
    from vaultnet.edit.merge import apply_merge, plan_merge, recover

    config = _config(_vault(None, vault_option))
    if not dry_run:
        for line in recover(config):
            click.echo(line, err=True)
    plan = plan_merge(config, keep, other, today=today, force=force, cache=_cache(config, False))
    if plan.conflicts:
        click.echo("kept KEEP's value (--force): " + "; ".join(plan.conflicts), err=True)
    for warning in plan.skipped:
        click.echo(warning, err=True)
    if dry_run:
        click.echo(plan.shown(config.vault), nl=False)
        return
    written = apply_merge(config, plan)
    for relative in written:
        click.echo(f"rewrote {relative}")
    vault = config.vault
    click.echo(
        f"moved {plan.other.relative_to(vault).as_posix()} → "
        f"{plan.trash.relative_to(vault).as_posix()}"
    )
