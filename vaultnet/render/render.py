"""Rendering pages: the Jinja sandbox, the template context, and the filters.

Built-in templates ship in the package; a file of the same name in the vault's
``templates_dir`` replaces one, and can extend the original as ``builtin/<name>``.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePath
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from vaultnet.config import Config, Tier
from vaultnet.containment import link_on_the_way
from vaultnet.dates import Birthday, Duration, ago, long_date, short_date
from vaultnet.errors import TemplateError, VaultnetError
from vaultnet.insights.brief import brief_jobs
from vaultnet.insights.insights import TEMPLATE_TYPES as INSIGHT_TYPES
from vaultnet.insights.insights import compute_insights, insight_jobs
from vaultnet.insights.logscan import PER_PERSON
from vaultnet.model.followups import FollowUp
from vaultnet.model.network import Digest, Interaction, Network, Person, Ref, TierGroup
from vaultnet.names import safe_filename
from vaultnet.render import sandbox
from vaultnet.render.page import MARK, Page
from vaultnet.source.links import note_link, shown_text
from vaultnet.source.notes import Position
from vaultnet.state.fragments import FragmentCache, Fragments
from vaultnet.state.pagememo import PageMemo
from vaultnet.version import VERSION
from vaultnet.words import plural

_MAX_RANGE = sandbox.MAX_COUNT
_MAX_POWER_BITS = 100_000
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_PIPE = re.compile(r"(?<!\\)\|")
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def builtin_templates_dir() -> Path:
    """The folder of built-in templates (inside the installed package, or the source tree)."""
    source = Path(__file__).resolve().parents[2] / "templates"
    if (source / "index.md.j2").is_file():
        return source
    # "vaultnet.templates" has no __init__.py: files() on it gives a MultiplexedPath, whose
    # str() is not a path. The regular package's folder is a real one.
    return Path(str(resources.files("vaultnet") / "templates"))


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = 0.0
        self.template = ""

    def start(self, template: str) -> None:
        self.template = template
        self.end = time.monotonic() + self.seconds

    def check(self) -> None:
        if self.end and time.monotonic() > self.end:
            raise TemplateError(
                f"template {self.template} took longer than {self.seconds:g} s to render; "
                "stopped (raise render_timeout_s if it is meant to)"
            )


@dataclass(frozen=True, slots=True)
class TemplateConfig:
    """The configuration as templates see it: values only, no paths to the file system."""

    vault_name: str
    output_dir: str
    people_dirs: tuple[str, ...]
    log_headings: tuple[str, ...]
    horizon_days: int
    tiers: tuple[Tier, ...]
    dormant_after: Duration
    followups_rows: int

    @classmethod
    def of(cls, config: Config) -> TemplateConfig:
        return cls(
            config.vault.name,
            config.output_dir,
            config.people_dirs,
            config.log_headings,
            config.horizon_days,
            config.tiers,
            config.dormant_after,
            config.followups_rows,
        )


# Plain value types of the model: every public attribute is data, so the sandbox's
# per-access checks can be skipped (they dominate rendering of large tables).
_PLAIN_TYPES: frozenset[type] = frozenset(
    {
        Person,
        Ref,
        Interaction,
        TierGroup,
        Digest,
        Tier,
        Duration,
        Birthday,
        FollowUp,
        Position,
        TemplateConfig,
        dt.date,
        LoopContext,  # loop.last and loop.index: public names only, like the rest
    }
    | INSIGHT_TYPES
)
# Values a template must never reach: they lead to the file system or to raw config.
_HIDDEN_TYPES = (PurePath, Config, Network)


class _Environment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with a time bound checked on every attribute access and call,
    and size bounds (sandbox.py) checked before each step that could make too much.

    ``*`` and ``**`` are checked before they run: one ``'x' * 10**12`` would take all the
    memory (or, folded while compiling, crash) long before any deadline check came.
    """

    deadline: _Deadline
    page_limit: int
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = sandbox.BoundedCodeGenerator

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.deadline.check()
        if operator == "*":
            sandbox.check_repeat(left, right)
        elif operator == "+":
            sandbox.check_sum(left, right)
        elif operator == "%":
            sandbox.check_percent(left, right)
        elif (
            operator == "**"
            and isinstance(left, int)
            and isinstance(right, int)
            and abs(left) > 1
            and right * max(abs(left).bit_length(), 1) > _MAX_POWER_BITS
        ):
            raise TemplateError(f"{left} ** {right} is too large a number")
        return super().call_binop(context, operator, left, right)

    def joined(self, parts: Iterable[Any], escape: bool = False) -> str:
        """``a ~ b`` (compiled by sandbox.BoundedCodeGenerator)."""
        self.deadline.check()
        return sandbox.joined(parts, escape)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.deadline.check()
        if type(obj) in _PLAIN_TYPES and attribute[:1] != "_":
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                return self.undefined(obj=obj, name=attribute)
        else:
            value = super().getattr(obj, attribute)
        if isinstance(value, _HIDDEN_TYPES):
            return self.unsafe_undefined(obj, attribute)
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.deadline.check()
        return super().getitem(obj, argument)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        self.deadline.check()
        sandbox.check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


_ENVIRONMENTS: dict[tuple[Config, dt.date, tuple[str, ...] | None], jinja2.Environment] = {}


def make_environment(config: Config, today: dt.date) -> jinja2.Environment:
    """The sandboxed environment with user overrides, filters and globals for ``today``.

    Environments are kept for reuse (a watcher renders many times), so each template is
    compiled once; Jinja reloads a template whose file changed. A template added to or
    removed from ``templates_dir`` changes which file a name stands for, which Jinja's
    own check cannot see: that makes a new environment.
    """
    listing = _listing(config.vault / config.templates_dir)
    key = (config, today, listing)
    env = _ENVIRONMENTS.get(key)
    if env is None:
        for other in _ENVIRONMENTS.values():
            other.fragments.clear()  # type: ignore[attr-defined]  # another day's rows
        if len(_ENVIRONMENTS) > 4:
            _ENVIRONMENTS.clear()
        env = _ENVIRONMENTS[key] = _new_environment(config, today, listing is not None)
    return env


_COMPILE_RULES = 9  # raise when the sandbox's intercepted operators or FragmentCache change


def _listing(folder: Path) -> tuple[str, ...] | None:
    """Every file under ``folder`` (relative paths, sorted); None when it is not a folder."""
    if not folder.is_dir():
        return None
    found = []
    for root, _dirs, files in os.walk(folder):
        found += [os.path.relpath(os.path.join(root, name), folder) for name in files]
    return tuple(sorted(found))


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled built-in and user templates, kept in the user's own cache folder.

    Never inside the vault: a vault may come from someone else, and compiled code loaded
    from it would run. Jinja keys each entry by the template's source, so an edited
    template is compiled again.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    # Compiled code bakes in the sandbox's rules (which operators it checks) and what the
    # cache tag compiles to, and Jinja keys it by the template's source alone: a folder per
    # version and per set of rules, so no template runs as compiled under other ones.
    folder = os.path.join(base, "vaultnet", f"templates-{VERSION}-{_COMPILE_RULES}")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    return jinja2.FileSystemBytecodeCache(folder)


class _VaultTemplates(jinja2.FileSystemLoader):
    """The vault's ``templates_dir``: a template (or a folder on the way to it, or the
    folder itself) that is a link is refused, so that no ``include`` or ``extends``, nor a
    page's own template, reads a file from outside the templates folder."""

    def __init__(self, vault: Path, folder: str) -> None:
        super().__init__(str(vault / folder))
        self.vault = vault
        self.folder = folder

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        from jinja2.loaders import split_template_path

        relative = "/".join((self.folder, *split_template_path(template)))
        link = link_on_the_way(self.vault, relative)
        if link is not None:
            raise TemplateError(
                f"is a symbolic link; template {template} is read only from inside "
                f"{self.folder}, never through a link. Put the file itself there",
                link,
            )
        return super().get_source(environment, template)


def _new_environment(config: Config, today: dt.date, user_templates: bool) -> jinja2.Environment:
    builtin = jinja2.FileSystemLoader(str(builtin_templates_dir()))
    loaders: list[jinja2.BaseLoader] = []
    if user_templates:
        loaders.append(_VaultTemplates(config.vault, config.templates_dir))
    loaders.append(builtin)
    loader = jinja2.PrefixLoader({"builtin": builtin}, delimiter="/")
    env = _Environment(
        loader=jinja2.ChoiceLoader([loader, *loaders]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
        extensions=[FragmentCache],
    )
    deadline = _Deadline(config.render_timeout_s)
    env.deadline = deadline
    env.page_limit = config.max_page_kb * 1024

    def bounded_range(*args: int) -> Iterator[int]:
        numbers = range(*args)
        if len(numbers) > _MAX_RANGE:
            raise TemplateError(f"range() of {len(numbers)} items is above {_MAX_RANGE}")
        for count, number in enumerate(numbers):
            if count % 1000 == 0:
                deadline.check()
            yield number

    env.globals["range"] = bounded_range
    env.globals.pop("lipsum", None)  # lipsum(10**9) would run with no deadline check
    env.filters.update(sandbox.bounded_filters(env.filters))
    env.filters.update(filters(today))
    if config.markdown_links:  # Obsidian's "Use [[Wikilinks]]" is off: write as it would
        env.filters.update(markdown_link_filters(config.link_format))
    return env


def markdown_link_filters(form: str) -> dict[str, Callable[..., Any]]:
    """``link`` and ``who`` writing Markdown links, their paths in Obsidian's newLinkFormat
    ``form``. A page's links are written from the vault's root for ``relative``: Obsidian
    reads a path it does not find next to the page from the root."""

    def link_md(value: Person | Ref | str | None, label: str | None = None) -> str:
        if value is None:
            return ""
        if isinstance(value, Person):
            shown = display(label or value.name)
            return note_link(value.path, shown, True, form, value.link)
        if isinstance(value, Ref):
            if not value.is_link:
                return display(value.text)
            shown = display(label or value.text)
            if value.person is not None:
                return note_link(value.person, shown, True, form, None)
            return note_link(value.target + ".md", shown, True, form, value.target)
        return note_link(str(value) + ".md", None, True, form, str(value))

    def who_md(person: Person) -> str:
        text = cell(link_md(person))
        role = cell(person.role) if person.role else ""
        company = cell(link_md(person.company)) if person.company else ""
        detail = ", ".join(part for part in (role, company) if part)
        return f"{text} — {detail}" if detail else text

    return {"link": link_md, "who": who_md}


def filters(today: dt.date) -> dict[str, Callable[..., Any]]:
    """The filters templates use (documented in docs/templates.md)."""

    def ago_filter(value: dt.date | None) -> str:
        return ago(value, today)

    def date_filter(value: dt.date | None) -> str:
        return short_date(value, today)

    def when_filter(value: dt.date | None) -> str:
        if value is None:
            return "—"
        return f"{short_date(value, today)} · {ago(value, today)}"

    def due_filter(person: Person) -> str:
        followup = person.followup
        if followup.due is None:
            return "—"
        if followup.bucket == "overdue":
            return (
                f"**{plural(followup.days_overdue, 'day')} overdue** ({date_filter(followup.due)})"
            )
        if followup.bucket == "dormant":  # not a to-do: no count of days to worry about
            return f"dormant (was due {date_filter(followup.due)})"
        return f"{ago(followup.due, today)} ({date_filter(followup.due)})"

    # The follow-ups and the weekly digest split the same lists by tier: once per list.
    split: dict[tuple[int, str], tuple[Iterable[Person], tuple[Person, ...]]] = {}

    def in_tier(people: Iterable[Person], tier: Tier) -> tuple[Person, ...]:
        # A tuple: a table of the same people is reused (fragments.py).
        name = tier.name  # tier names are unique, and cheaper to compare than tiers
        known = split.get((id(people), name))
        if known is not None and known[0] is people:
            return known[1]
        found = tuple(person for person in people if person.tier.name == name)
        if len(split) > 64:
            split.clear()
        split[(id(people), name)] = (people, found)
        return found

    return {
        "in_tier": in_tier,
        "by_due": by_due,
        "ago_span": duration_words,
        "who": who,
        "due": due_filter,
        "link": link,
        "ago": ago_filter,
        "date": date_filter,
        "when": when_filter,
        "long_date": long_date,
        "cell": cell,
        "mermaid": mermaid_label,
        "plural": plural,
        "context": context_markdown,
        "safe_name": safe_filename,
    }


def by_due(people: Iterable[Person]) -> tuple[Person, ...]:
    """People by due date, then tier, then name: the order of a section not split by tier."""
    return tuple(sorted(people, key=_due_first))


def _due_first(person: Person) -> tuple[dt.date, int, str, str]:
    return (person.followup.due or dt.date.max, person.tier.rank, person.sort_name, person.path)


def _warmest_first(person: Person) -> tuple[int, int, str, str]:
    since = person.last_contact or person.connected
    return (person.tier.rank, -since.toordinal() if since else 0, person.sort_name, person.path)


def duration_words(value: Duration) -> str:
    """A duration in words: ``a year``, ``6 months``, ``3 weeks``, ``45 days``."""
    if value.months and not value.days:
        if value.months % 12 == 0:
            years = value.months // 12
            return "a year" if years == 1 else f"{years} years"
        return "a month" if value.months == 1 else f"{value.months} months"
    if value.days and not value.months:
        if value.days % 365 == 0:  # "365d" is how people write a year
            return duration_words(Duration(months=value.days // 365 * 12))
        if value.days % 7 == 0:
            return "a week" if value.days == 7 else f"{value.days // 7} weeks"
        return "a day" if value.days == 1 else f"{value.days} days"
    return f"{plural(value.months, 'month')} and {plural(value.days, 'day')}"


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


def followup_section_jobs(network: Network) -> list[tuple[str, str, dict[str, Any]]]:
    """Pages of the Follow-ups sections cut at ``followups_rows`` (and Dormant, which
    Follow-ups only counts)."""
    rows = network.config.followups_rows
    jobs: list[tuple[str, str, dict[str, Any]]] = []
    for name, title, order in FOLLOWUP_SECTIONS:
        people: tuple[Person, ...] = getattr(network.digest, name)
        if name in ("due_soon", "upcoming"):
            people = by_due(people)
        elif name == "dormant":
            people = tuple(sorted(people, key=_warmest_first))
        if len(people) > rows or (name == "dormant" and people):
            section = {"name": name, "title": title, "order": order, "people": people}
            jobs.append((f"Follow-ups/{title}.md", "followups_section.md.j2", {"section": section}))
    return jobs


def display(text: str) -> str:
    """Text safe to show: bidirectional overrides made visible, control characters spaces."""
    if text.isascii() and text.isprintable():
        return text  # the common case, checked in C
    text = _BIDI.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    return _CONTROL.sub(" ", text)


def _label(text: str) -> str:
    return display(text).replace("[[", "[").replace("]]", "]").replace("|", "/")


def link(value: Person | Ref | str | None, label: str | None = None) -> str:
    """A wikilink to a person, a reference or a note name; plain text for unlinked text."""
    if value is None:
        return ""
    if isinstance(value, Person):
        shown = label or value.name
        target = _label(value.link)
        if shown == value.link:
            return f"[[{target}]]"
        return f"[[{target}|{_label(shown)}]]"
    if isinstance(value, Ref):
        if not value.is_link:
            return display(value.text)  # the user's own text, links within it kept
        target = _label(value.target)
        shown = label or value.text
        return f"[[{target}]]" if shown == value.target else f"[[{target}|{_label(shown)}]]"
    return f"[[{_label(str(value))}]]"


def who(person: Person) -> str:
    """A table cell naming a person: link, then role and company when known."""
    text = cell(link(person))
    role = cell(person.role) if person.role else ""
    company = cell(link(person.company)) if person.company else ""
    detail = ", ".join(part for part in (role, company) if part)
    return f"{text} — {detail}" if detail else text


def cell(value: object) -> str:
    """Text for a Markdown table cell: ``|`` escaped, line breaks folded to spaces."""
    if value is None:
        return ""
    text = display(str(value))
    if "|" not in text:
        return text
    return _PIPE.sub(r"\\|", text)


def mermaid_label(value: object) -> str:
    """Text safe inside a double-quoted Mermaid label."""
    return display(str(value)).replace('"', "'").replace("\n", " ")


def context_text(value: Interaction | None, limit: int = 90, markdown: bool = False) -> str:
    """An interaction as a short line of context; ``—`` when there is none.

    A mention shows its line; one in front matter (whose text is the note's title) shows
    where: ``mention in [[2026-11-12 Platform guild]]`` (``markdown``), else plain.
    """
    if value is None:
        return "—"
    text = shown_text(value.summary)
    if value.mention and value.kind != "capture":  # a source note's line says it all
        title = value.source.rsplit("/", 1)[-1][:-3]
        text = text.removeprefix("mention:").strip()
        if not text or text == title:
            return f"mention in [[{_label(title)}]]" if markdown else f"mention in {title}"
    text = text or "—"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def context_markdown(value: Interaction | None, limit: int = 90) -> str:
    """``context_text`` for a page: a mention in front matter links its note."""
    return context_text(value, limit, markdown=True)


def _front_matter(fields: dict[str, str]) -> str:
    lines = ["---", MARK]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines.append("---")
    return "\n".join(lines) + "\n"


def iso_week(day: dt.date) -> str:
    """``2026-W48``: the ISO week a day belongs to."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def template_context(network: Network) -> dict[str, Any]:
    """The variables every page template gets (documented in docs/templates.md and
    docs/insights.md)."""
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


PERSON_TEMPLATE = "person.md.j2"


def render_person_note(config: Config, name: str, tier: str, today: dt.date) -> str:
    """A new person note from the person template (``vaultnet add``), in the sandbox."""
    env = make_environment(config, today)
    context = {"name": name, "tier": tier, "today": today}
    text = _render(env, PERSON_TEMPLATE, context, config.vault)
    return text if text.endswith("\n") else text + "\n"


def render_page_body(
    network: Network, path: str, template: str, extra: dict[str, Any] | None = None
) -> str:
    """One page's body (no front matter), as ``render_pages`` renders it."""
    env = make_environment(network.config, network.today)
    context = {**template_context(network), **(extra or {}), "page": path}
    return _render(env, template, context, network.config.vault).lstrip("\n")


def render_pages(
    network: Network,
    memo: PageMemo | None = None,
) -> list[Page]:
    """Render every page of the network. Raises TemplateError naming template and line.

    With a ``memo`` kept between renders, a page whose inputs did not change is not
    rendered again (see pagememo.py).
    """
    config, today = network.config, network.today
    env = make_environment(config, today)
    # What is kept from one render to the next is kept only for a watcher (with a memo).
    fragments: Fragments = env.fragments  # type: ignore[attr-defined]
    fragments.keep = PER_PERSON.keep = memo is not None
    if memo is None:
        fragments.clear()
    fragments.next_render()
    base = template_context(network)
    week = iso_week(today)
    briefs = brief_jobs(network, base["insights"].companies)
    links = tuple(
        (
            job[2]["brief"].person,
            f"[[{_label(config.output_dir + '/' + job[0].removesuffix('.md'))}"
            f"|{_label(job[2]['brief'].person.name)}]]",
        )
        for job in briefs
    )
    jobs: list[tuple[str, str, dict[str, Any]]] = [
        ("Index.md", "index.md.j2", {}),
        ("Follow-ups.md", "followups.md.j2", {"briefs": links}),
        (f"Digests/{week}.md", "digest.md.j2", {"week": week}),
    ]
    for group in network.tiers:
        name = safe_filename(group.tier.title)
        jobs.append((f"Tiers/{name}.md", "tier.md.j2", {"group": group}))
    jobs += followup_section_jobs(network)
    jobs += insight_jobs(base["insights"])
    jobs += briefs
    if network.unmatched:
        jobs.append(("Unmatched.md", "unmatched.md.j2", {"unmatched": network.unmatched}))
    pages = []
    session = memo.start() if memo is not None else None
    head = _front_matter({"today": today.isoformat()})
    for path, template_name, extra in jobs:
        page_head = head
        if "week" in extra:
            page_head = _front_matter({"today": today.isoformat(), "week": extra["week"]})
        render = functools.partial(
            _render_page, env, template_name, base, extra, path, config.vault, page_head
        )
        if session is None:
            text = render()
        else:
            text = session.page(env, path, template_name, base, extra, render)
        pages.append(Page(path, text))
    if memo is not None:
        memo.retain({page.path for page in pages})
        fragments.prune(network.people)
    return pages


def _render_page(
    env: jinja2.Environment,
    template: str,
    base: dict[str, Any],
    extra: dict[str, Any],
    path: str,
    vault: Path,
    head: str,
) -> str:
    """The page's text: ``head`` (its front matter), then its body without leading blank
    lines (see _render_template for where the head is joined)."""
    text = _render(env, template, {**base, **extra, "page": path}, vault, head)
    if text.startswith("\n", len(head)):
        text = head + text[len(head) :].lstrip("\n")
    return text


def _render(
    env: jinja2.Environment,
    name: str,
    context: dict[str, Any],
    vault: Path | None = None,
    head: str = "",
) -> str:
    try:
        return _render_template(env, name, context, head)
    except TemplateError as exc:
        if exc.path:
            exc.path = _shown_template(exc.path, vault)
        raise


def _shown_template(path: str, vault: Path | None) -> str:
    """A template's file as the user knows it: vault-relative, or ``builtin/<name>``."""
    candidate = Path(path)
    if vault is not None and candidate.is_absolute():
        if candidate.is_relative_to(vault):
            return candidate.relative_to(vault).as_posix()
        if candidate.is_relative_to(builtin_templates_dir()):
            return "builtin/" + candidate.relative_to(builtin_templates_dir()).as_posix()
    return path


def _render_template(
    env: jinja2.Environment, name: str, context: dict[str, Any], head: str = ""
) -> str:
    """The template rendered with ``context``, after ``head``."""
    deadline: _Deadline = env.deadline  # type: ignore[attr-defined]
    try:
        deadline.start(name)  # compiling folds constants: 'x'|center(10**9) runs here
        template = env.get_template(name)
        deadline.template = template.filename or name
        # Joined as render() joins, the head first (a watcher's page is a few large pieces:
        # no copy of the whole page after), counting the size as it grows.
        pieces = template.root_render_func(template.new_context(context))
        try:
            limit: int = env.page_limit  # type: ignore[attr-defined]
            text = sandbox.bounded_text(pieces, head, limit, deadline.template)
        except Exception:
            env.handle_exception()  # as render() does: template lines in the traceback
        deadline.check()  # one slow step (a filter, say) has no check of its own inside it
        return text
    except TemplateError as exc:
        if exc.path is None and "took longer" not in exc.message:
            exc.path, exc.line = _template_line(exc, name)  # a range() or * refused
        raise
    except SecurityError as exc:
        raise TemplateError(f"unsafe template {name}: {exc}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"{exc.message}", exc.filename or exc.name or name, exc.lineno
        ) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{exc.message}", *_template_line(exc, name)) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}") from None
    except MemoryError:
        raise TemplateError(f"template {name} ran out of memory; stopped") from None
    except VaultnetError:
        raise
    except Exception as exc:  # 1/0, '{}'.format(), truncate(-5): the template's fault
        raise TemplateError(f"{type(exc).__name__}: {exc}", *_template_line(exc, name)) from None
    finally:
        deadline.end = 0.0


def _template_line(exc: BaseException, name: str) -> tuple[str, int | None]:
    """The template file and line an exception was raised at, from its traceback."""
    tb = exc.__traceback__
    found: tuple[str, int | None] = (name, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None or filename.endswith(".j2"):
            lineno = tb.tb_lineno
            if template is not None:
                lineno = template.get_corresponding_lineno(tb.tb_lineno)
                filename = template.filename or filename
            found = (filename, lineno)
        tb = tb.tb_next
    return found
