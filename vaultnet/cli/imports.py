"""``vaultnet import``: people from LinkedIn or vCard, and interactions from calendars,
mail and LinkedIn messages into dated source notes."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vaultnet.cli.common import (
    F,
    cache_for,
    common_options,
    config_at,
    handle_errors,
    parse_date_option,
    print_diagnostics,
    vault_argument_option,
    vault_path,
)
from vaultnet.config import Config

PROGRESS_MIN = 50  # contacts; fewer are written before a bar would be worth drawing


@click.group("import")
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

    config = config_at(vault_path(vault, vault_option))
    print_diagnostics(list(file.diagnostics))
    plan = plan_import(
        config, file, today=today, tier=tier, directory=directory, cache=cache_for(config, False)
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
            callback=parse_date_option,
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
        config,
        file,
        today=today,
        since=since,
        me=me,
        dry_run=dry_run,
        cache=cache_for(config, False),
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

    config = config_at(vault_path(vault, vault_option))
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

    config = config_at(vault_path(vault, vault_option))
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

    config = config_at(vault_path(vault, vault_option))
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

    config = config_at(vault_path(vault, vault_option))
    _run_capture(config, read_invitations(file), today, since, (), dry_run, strict)
