"""``vaultnet export``: people out as iCalendar, JSON, CSV, vCard or a canvas."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from vaultnet.cli.common import (
    F,
    cache_for,
    common_options,
    config_at,
    handle_errors,
    print_diagnostics,
    vault_path,
)
from vaultnet.words import plural


@click.group("export")
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
    from vaultnet.exchange.exporting import export_vault, write_export  # not loaded for --help

    config = config_at(vault_path(vault, vault_option))
    result = export_vault(
        config,
        fmt,
        today,
        cache=cache_for(config, no_cache),
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
