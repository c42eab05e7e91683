"""The commands that edit notes: add, log, tier, snooze, merge and properties.

Only these commands (and imports) write to notes, each through the edit layer, which
replaces a note atomically and never over another program's save.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaultnet.cli.common import (
    cache_for,
    common_options,
    config_at,
    handle_errors,
    parse_date_option,
    print_diagnostics,
    report_properties,
    vault_path,
)
from vaultnet.config import Config
from vaultnet.pipeline.build import Builder, BuildRequest, Mode
from vaultnet.pipeline.report import exit_code

if TYPE_CHECKING:
    from vaultnet.edit import EditResult


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


@click.command()
@click.argument("name")
@common_options(vault_argument=False)
@click.option("--tier", help="Tier name or title (default: the weakest tier).")
@click.option("--company", help="Current employer; a [[link]] or text.")
@click.option("--role", help="Current role.")
@click.option("--email", help="Email address.")
@click.option("--met", metavar="YYYY-MM-DD", callback=parse_date_option, help="When you first met.")
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

    config = config_at(vault_path(None, vault_option))
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
        cache=cache_for(config, False),
        warn=lambda diagnostic: print_diagnostics([diagnostic]),
    )
    _report_edit(config, result, dry_run, "created")


@click.command()
@click.argument("name")
@click.argument("text")
@common_options(vault_argument=False)
@click.option(
    "--date",
    "when",
    metavar="YYYY-MM-DD",
    callback=parse_date_option,
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

    config = config_at(vault_path(None, vault_option))
    result = log_interaction(
        config,
        name,
        text,
        when=when or today,
        kind=kind,
        gave=gave,
        got=got,
        dry_run=dry_run,
        cache=cache_for(config, False),
    )
    _report_edit(config, result, dry_run, "logged in")
    if when is not None and when > today and (result.changed or dry_run):
        # A later date is a plan, and a plan sets the next follow-up: say so.
        click.echo(f"planned for {when.isoformat()}; next follow-up due then", err=dry_run)


@click.command()
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
    config = config_at(vault_path(None, vault_option))
    from vaultnet.edit.actions import set_tier

    result = set_tier(
        config, name, tier_name, today=today, dry_run=dry_run, cache=cache_for(config, False)
    )
    _report_edit(config, result, dry_run, "moved in")


@click.command()
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
    config = config_at(vault_path(None, vault_option))
    from vaultnet.edit.actions import parse_until
    from vaultnet.edit.actions import snooze as snooze_person

    end = None if clear else parse_until(until or "", today)
    result = snooze_person(config, name, end, dry_run=dry_run, cache=cache_for(config, False))
    what = "snooze cleared:" if end is None else f"snoozed until {end.isoformat()}:"
    _report_edit(config, result, dry_run, what)


@click.command()
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

    config = config_at(vault_path(None, vault_option))
    if not dry_run:
        for line in recover(config):
            click.echo(line, err=True)
    plan = plan_merge(config, keep, other, today=today, force=force, cache=cache_for(config, False))
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


@click.command()
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

    config = config_at(vault_path(vault, vault_option))
    result = Builder(config, cache_for(config, False)).build(
        BuildRequest(today, Mode.MODEL, stop_early=False)
    )
    print_diagnostics(result.diagnostics, quiet=True)
    done = update(config, result.network, remove=remove, dry_run=dry_run)
    report_properties(config, done, dry_run, quiet=False)
    if not done.changed:
        click.echo("no change")
    sys.exit(1 if strict and done.refused else exit_code(result, strict, errors_fail=False))
