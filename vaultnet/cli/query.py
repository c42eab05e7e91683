"""The commands that read the vault and print: check, digest, path, brief and dupes.

``digest --format json`` of an unchanged vault answers from the last build's record, so
what only the other commands need is imported inside them.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from vaultnet.cli.common import (
    cache_for,
    common_options,
    config_at,
    handle_errors,
    print_diagnostics,
    vault_argument_option,
    vault_path,
)
from vaultnet.jsontext import json_text
from vaultnet.pipeline.build import Builder, BuildRequest, Mode, build_vault
from vaultnet.pipeline.report import exit_code
from vaultnet.words import plural, problems_summary


@click.command()
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
    config = config_at(vault_path(vault, vault_option))
    result = build_vault(config, today, cache=cache_for(config, no_cache), write=False)
    print_diagnostics(result.diagnostics)
    people = plural(result.people + result.archived, "person", "people")
    notes = plural(result.read.parsed + result.read.reused, "note")
    click.echo(f"{people}, {notes} read: {problems_summary(result.errors, result.warnings)}")
    sys.exit(exit_code(result, strict, errors_fail=True))


@click.command()
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
    config = config_at(vault_path(vault, vault_option))
    if fmt == "json":
        result = Builder(config, cache_for(config, no_cache)).build(BuildRequest(today, Mode.MODEL))
        click.echo(result.digest_json_text())
    else:
        # Markdown and text need the whole model: no early stop.
        result = Builder(config, cache_for(config, no_cache)).build(
            BuildRequest(today, Mode.MODEL, stop_early=False)
        )
        assert result.network is not None
        print_diagnostics(result.diagnostics)
        from vaultnet.render.digest import digest_markdown, digest_text

        if fmt == "text":
            click.echo(digest_text(result.network), nl=False)
        else:
            click.echo(digest_markdown(result.network), nl=False)
    sys.exit(exit_code(result, strict, errors_fail=False))


@click.command("path")
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

    config = config_at(vault_path(vault, vault_option))
    # Routes need the whole model: no early stop.
    result = Builder(config, cache_for(config, no_cache)).build(
        BuildRequest(today, Mode.MODEL, stop_early=False)
    )
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


@click.command("brief")
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

    config = config_at(vault_path(vault, vault_option))
    result = Builder(config, cache_for(config, no_cache)).build(
        BuildRequest(today, Mode.MODEL, stop_early=False)
    )
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


@click.command()
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

    config = config_at(vault_path(vault, vault_option))
    read = Builder(config, cache_for(config, no_cache)).read()
    print_diagnostics([d for d in read.diagnostics if d.level == "error"], quiet=True)
    pairs = find_duplicates([note for note in read.notes if note.person])
    if as_json:
        click.echo(json_text(duplicates_json(pairs)))
    else:
        click.echo(duplicates_text(pairs), nl=False)
    sys.exit(1 if strict and pairs else 0)
