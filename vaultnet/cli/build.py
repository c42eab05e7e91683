"""``vaultnet build``: write the pages once.

This module imports only what a build needs, so that a build of an unchanged vault,
which stops early from the last build's record, starts fast.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click

from vaultnet.cli.common import (
    cache_for,
    cache_note,
    common_options,
    config_at,
    handle_errors,
    print_diagnostics,
    progress_on_terminal,
    report_properties,
    vault_path,
)
from vaultnet.pipeline.build import Builder, BuildRequest, Mode
from vaultnet.pipeline.report import build_summary, exit_code


@click.command()
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
    config = config_at(vault_path(vault, vault_option))
    started = time.perf_counter()
    progress = progress_on_terminal()
    builder = Builder(config, cache_for(config, no_cache), progress)
    try:
        result = builder.build(BuildRequest(today, Mode.PLAN if dry_run else Mode.WRITE, once=True))
    finally:
        if progress is not None:
            progress.clear()
    elapsed = time.perf_counter() - started
    cache_note(builder.cache)
    print_diagnostics(result.diagnostics, quiet)
    if not quiet:
        click.echo(build_summary(result, elapsed, dry_run))
    refused = False
    if config.obsidian_properties and result.network is not None:  # None: nothing changed
        from vaultnet.edit.properties import update

        done = update(config, result.network, dry_run=dry_run)
        refused = report_properties(config, done, dry_run, quiet)
    sys.exit(1 if strict and refused else exit_code(result, strict, errors_fail=False))
