"""``vaultnet init``: make a folder a vault."""

from __future__ import annotations

from pathlib import Path

import click

from vaultnet.cli.common import common_options, handle_errors, named_vault
from vaultnet.pipeline.init import init_vault


@click.command()
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
    root = named_vault(vault, vault_option) or Path(".")
    said: list[str] = []
    for path, created in init_vault(root, said):
        state = "wrote" if created else "exists, left as it is:"
        click.echo(f"{state} {path}")
    for line in said:
        click.echo(line)
    click.echo("Next: add people (vaultnet add 'Ann Lee' --tier champion), then vaultnet build.")
