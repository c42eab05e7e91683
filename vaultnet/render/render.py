"""Rendering pages: which pages a network has, the context their templates get, and a
``Renderer`` that keeps what a long-running process reuses from one render to the next.

The sandbox the templates run in is environment.py; the filters are filters.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from vaultnet.config import Config
from vaultnet.insights.brief import LaterBrief
from vaultnet.insights.briefupdate import BriefState
from vaultnet.insights.insights import Insights, InsightState, compute_insights, insight_jobs
from vaultnet.model.network import Network, Person
from vaultnet.names import safe_filename
from vaultnet.render.builtin import PERSON_TEMPLATE
from vaultnet.render.environment import (
    Environments,
    TemplateConfig,
    make_environment,
    render_template,
)
from vaultnet.render.filters import SortedOnce, due_first, iso_week, link_label, warmest_first
from vaultnet.render.page import MARK, Page
from vaultnet.state.fragments import Fragments
from vaultnet.state.pagememo import PageMemo
from vaultnet.state.pagestore import PageStore
from vaultnet.state.rowstore import RowStore

# The sections of Follow-ups that get a page of their own when cut short (Follow-ups/<title>.md):
# bucket or list, title, the order the page lists them in.
FOLLOWUP_SECTIONS = (
    ("overdue", "Overdue", "stronger tier first, then the longest overdue"),
    ("due_soon", "Due this week", "soonest due first"),
    ("upcoming", "Coming up", "soonest due first"),
    ("never_contacted", "Never contacted", "stronger tier first, then by name"),
    ("dormant", "Dormant", "stronger tier first, then the most recently in touch"),
    ("birthdays", "Birthdays", "soonest first"),
    ("snoozed", "Snoozed", "stronger tier first"),
)


class SectionOrders:
    """The orders of the Follow-ups sections that are not the digest's own: by due date,
    and Dormant's, warmest first (a watcher's renderer keeps the last ones, filters.py)."""

    def __init__(self) -> None:
        self.by_due = SortedOnce(due_first)
        self.warmest = SortedOnce(warmest_first)


def followup_section_jobs(
    network: Network, orders: SectionOrders | None = None
) -> list[tuple[str, str, dict[str, Any]]]:
    """Pages of the Follow-ups sections cut at ``followups_rows`` (and Dormant, which
    Follow-ups only counts)."""
    orders = orders or SectionOrders()
    rows = network.config.followups_rows
    jobs: list[tuple[str, str, dict[str, Any]]] = []
    for name, title, order in FOLLOWUP_SECTIONS:
        people: tuple[Person, ...] = getattr(network.digest, name)
        if name in ("due_soon", "upcoming"):
            people = orders.by_due(people)
        elif name == "dormant":
            people = orders.warmest(people)
        if len(people) > rows or (name == "dormant" and people):
            section = {"name": name, "title": title, "order": order, "people": people}
            jobs.append((f"Follow-ups/{title}.md", "followups_section.md.j2", {"section": section}))
    return jobs


def _front_matter(fields: dict[str, str]) -> str:
    lines = ["---", MARK]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines.append("---")
    return "\n".join(lines) + "\n"


def template_context(network: Network, insights: Insights | None = None) -> dict[str, Any]:
    """The variables every page template gets (documented in docs/templates.md and
    docs/insights.md); ``insights`` are computed when not given."""
    if insights is None:
        insights = compute_insights(network)  # Introductions, Companies, Ladder, Reciprocity
    return {
        "today": network.today,
        "people": network.people,
        "active": network.active,
        "archived": network.archived,
        "tiers": network.tiers,
        "digest": network.digest,
        "open_loops": network.open_loops,
        "config": TemplateConfig.of(network.config),
        "vault_name": network.config.vault.name,
        "insights": insights,
        "digest_extras": insights.digest_extras,
    }


def render_person_note(config: Config, name: str, tier: str, today: dt.date) -> str:
    """A new person note from the person template (``vaultnet add``), in the sandbox."""
    env = make_environment(config, today)
    context = {"name": name, "tier": tier, "today": today}
    text = render_template(env, PERSON_TEMPLATE, context, config.vault)
    return text if text.endswith("\n") else text + "\n"


def render_page_body(
    network: Network, path: str, template: str, extra: dict[str, Any] | None = None
) -> str:
    """One page's body (no front matter), as ``render_pages`` renders it."""
    env = make_environment(network.config, network.today)
    context = {**template_context(network), **(extra or {}), "page": path}
    return render_template(env, template, context, network.config.vault).lstrip("\n")


# The pages a build without a memo takes from the last build when nothing they read
# changed (``saved``, pagestore.py): one per company and one per brief, each made from its
# own value. The other pages read values of everyone (the index, the tier pages, the
# follow-ups, the digest, the insight tables), which almost any edit changes, and keying
# those costs about as much as rendering them (at 10k: 25 ms to key the companies of
# Companies.md, 16 ms to render it).
SAVED_TEMPLATES = frozenset({"company.md.j2", "brief.md.j2"})


class Renderer:
    """Renders a network's pages, keeping what the next render may reuse: the Jinja
    environments (templates compiled once), and, given a ``memo`` (a watcher's), the last
    pages (pagememo.py). Rows of ``{% rows %}`` blocks, of people and of values
    (fragments.py), are kept for a watcher, and with ``rows`` saved for the next build too
    (rowstore.py). Without a memo, ``saved`` gives the pages the last build wrote that need
    not be rendered again (pagestore.py).
    """

    def __init__(
        self,
        memo: PageMemo | None = None,
        rows: RowStore | None = None,
        saved: PageStore | None = None,
    ) -> None:
        self.environments = Environments()
        self.memo = memo
        self.rows = rows
        self.saved = saved if memo is None else None
        # Per-person insight values are kept only for a watcher (one with a memo).
        self.insight_state = InsightState(keep=memo is not None)
        # So are whom the briefs are for and who links them (briefupdate.py).
        self.briefs = BriefState(keep=memo is not None)
        self.section_orders = SectionOrders()
        self._adopted: set[int] = set()  # environments given the saved rows (by id)
        # The last render's kept rows, its people and its day, for save_rows.
        self._last: tuple[Fragments, tuple[Person, ...], dt.date] | None = None

    def environment(self, config: Config, today: dt.date) -> jinja2.Environment:
        """The environment pages for ``config`` and ``today`` are rendered in."""
        return self.environments.get(config, today)

    def insights(self, network: Network) -> Insights:
        """The network's insights, which its pages show (computed once per network).
        Per-person insight values are kept from one network to the next only for a
        watcher (with a memo)."""
        return self.insight_state.compute(network)

    def render(self, network: Network, encoded: bool = False) -> list[Page]:
        """Render every page of the network. Raises TemplateError naming template and line.

        With a memo, a page whose inputs did not change is not rendered again. With
        ``encoded`` (a one-shot build's), each page rendered holds its text as the bytes
        to write (``Page.encoded``).
        """
        config, today, memo = network.config, network.today, self.memo
        env = self.environment(config, today)
        insights = self.insights(network)
        # Rows of {% rows %} blocks are kept for a watcher, and when they are saved for
        # the next build.
        fragments: Fragments = env.fragments  # type: ignore[attr-defined]
        fragments.keep = memo is not None or self.rows is not None
        fragments.keep_values = memo is not None
        if not fragments.keep:
            fragments.clear()
        fragments.next_render()
        if self.rows is not None and id(env) not in self._adopted:
            self._adopted.add(id(env))
            rows = self.rows
            if memo is None:  # a one-shot build: its calls patched from the last build's
                load = functools.partial(rows.load, today)
                fragments.follow(rows.load_calls(today), load, rows.saved_before())
            else:
                fragments.adopt(rows.load(today))
        base = template_context(network, insights)
        pages = []
        session = memo.start() if memo is not None else None
        keys = None
        output = config.output_path
        if self.saved is not None:
            keys = self.saved.start(env, output)
        day = {"today": today.isoformat()}
        for path, template_name, extra in _jobs(network, base, self):
            # The front matter is made only for a page that is rendered: a watcher reuses
            # most of its pages.
            head = day
            if "head" in extra:
                head = {**day, **extra["head"]}
                extra = {name: value for name, value in extra.items() if name != "head"}
            render = functools.partial(
                _render_page, env, template_name, base, extra, path, config.vault, head
            )
            if session is not None:
                text = session.page(env, path, template_name, base, extra, render)
            elif keys is not None and template_name in SAVED_TEMPLATES:
                if keys.kept(path, template_name, base, extra, head) is not None:
                    # Its file holds it: read only if asked for.
                    again = functools.partial(_without_kept_rows, fragments, render)
                    pages.append(Page.later(path, keys.store.kept_text(output, path, again)))
                    continue
                text = _without_kept_rows(fragments, render)
            else:
                text = render()
            pages.append(Page.encoded(path, text) if encoded else Page(path, text))
        if memo is not None:
            memo.retain({page.path for page in pages})
        if fragments.keep:
            fragments.prune(network.people)
        if self.rows is not None:
            self._last = (fragments, network.people, today)
        return pages

    def save_rows(self) -> None:
        """Save the rows of the last render's people, and of the values it showed, for the
        next build (rowstore.py)."""
        if self.rows is not None and self._last is not None:
            fragments, people, today = self._last
            if fragments.rows_loaded():  # else every call was patched: the rows wait
                rows, shown = fragments.saved_rows()
                # Walked only if a file is written (rowstore.py).
                alive = itertools.chain(shown, map(operator.attrgetter("digest"), people))
                self.rows.save(rows, alive, fragments.added, today)
            fragments.added.clear()
            if fragments.calls is not None:
                self.rows.save_calls(fragments.calls, today)

    def save_pages(self, output: Path) -> None:
        """Save the keys of the pages of the last render, written in ``output``, for the
        next build (pagestore.py)."""
        if self.saved is not None:
            self.saved.save(output)


def render_pages(network: Network, memo: PageMemo | None = None) -> list[Page]:
    """Every page of the network, by a renderer made for this once (see Renderer)."""
    return Renderer(memo).render(network)


def _jobs(
    network: Network, base: dict[str, Any], renderer: Renderer
) -> list[tuple[str, str, dict[str, Any]]]:
    """Each page's path, template and own context (``head``: its front matter's fields
    besides the day)."""
    config, today = network.config, network.today
    week = iso_week(today)
    briefs = renderer.briefs.jobs(network, base["insights"].companies)
    links = tuple(
        (
            job[2]["brief"].person,
            f"[[{link_label(config.output_dir + '/' + job[0].removesuffix('.md'))}"
            f"|{link_label(job[2]['brief'].person.name)}]]",
        )
        for job in briefs
    )
    jobs: list[tuple[str, str, dict[str, Any]]] = [
        ("Index.md", "index.md.j2", {}),
        ("Follow-ups.md", "followups.md.j2", {"briefs": links}),
        (f"Digests/{week}.md", "digest.md.j2", {"week": week, "head": {"week": week}}),
    ]
    for group in network.tiers:
        name = safe_filename(group.tier.title)
        jobs.append((f"Tiers/{name}.md", "tier.md.j2", {"group": group}))
    jobs += followup_section_jobs(network, renderer.section_orders)
    jobs += insight_jobs(base["insights"])
    jobs += briefs
    if network.unmatched:
        jobs.append(("Unmatched.md", "unmatched.md.j2", {"unmatched": network.unmatched}))
    return jobs


def _without_kept_rows(fragments: Fragments, render: Callable[[], str]) -> str:
    """``render()`` with the rows of its ``{% rows %}`` blocks neither looked up nor kept.

    A page saved whole for the next build (SAVED_TEMPLATES) is rendered again only when
    its own value changed; then rendering its rows costs about what looking them up does,
    and keeping them would have the next build save the rows of pages it takes whole, or
    drop them and render them again, rewriting most of ``.vaultnet/rows/`` each time."""
    keep = fragments.keep
    fragments.keep = False
    try:
        return render()
    finally:
        fragments.keep = keep


def _render_page(
    env: jinja2.Environment,
    template: str,
    base: dict[str, Any],
    extra: dict[str, Any],
    path: str,
    vault: Path,
    fields: dict[str, str],
) -> str:
    """The page's text: its front matter (with ``fields``), then its body without
    leading blank lines (see environment.render_template for where the head is joined)."""
    head = _front_matter(fields)
    # A brief is made only now, for a page rendered (brief.LaterBrief).
    made = {
        name: value.made() if type(value) is LaterBrief else value for name, value in extra.items()
    }
    text = render_template(env, template, {**base, **made, "page": path}, vault, head)
    if text.startswith("\n", len(head)):
        text = head + text[len(head) :].lstrip("\n")
    return text
