"""The reminder commands: notify sends today's follow-ups, schedule runs vaultnet by itself."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from vaultnet.cli.common import (
    cache_for,
    common_options,
    config_at,
    handle_errors,
    print_diagnostics,
    vault_path,
)
from vaultnet.pipeline.build import Builder, BuildRequest, Mode
from vaultnet.pipeline.report import exit_code


@click.command()
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

    from vaultnet.exchange.channels import channels, deliver, state_path
    from vaultnet.render.notify import body, compose, obsidian_vault, preview

    config = config_at(vault_path(vault, vault_option))
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
    result = Builder(config, cache_for(config, no_cache)).build(
        BuildRequest(today, Mode.MODEL, stop_early=False)
    )
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


@click.command()
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

    from vaultnet.pipeline import schedule as scheduling

    if install and uninstall:
        raise click.UsageError("give --install or --uninstall, not both")
    config = config_at(vault_path(vault, vault_option))
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
