"""``vaultnet watch``: build, then keep the pages current until Ctrl-C."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import signal
import sys
import threading
import traceback
from pathlib import Path
from types import FrameType

import click

from vaultnet.cli.common import (
    cache_for,
    cache_note,
    common_options,
    config_at,
    handle_errors,
    print_diagnostics,
    vault_path,
)
from vaultnet.errors import VaultnetError
from vaultnet.pipeline.report import build_summary
from vaultnet.pipeline.watch import Notice, Rebuild, Watcher


def _a_number(_ctx: click.Context, _param: click.Parameter, value: float) -> float:
    if math.isnan(value):  # FloatRange lets NaN through: it compares false to everything
        raise click.BadParameter("nan is not a number of seconds")
    return value


@click.command()
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
    config = config_at(vault_path(vault, vault_option))
    given = click.get_current_context().get_parameter_source("today")
    fixed_today = None if given is click.core.ParameterSource.DEFAULT else today
    cache = cache_for(config, no_cache)

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
            cache_note(cache)
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
