"""The filters page templates use (documented in docs/templates.md), and the text helpers
behind them: links, table cells, dates in words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from vaultnet.config import Tier
from vaultnet.dates import Duration, ago, long_date, short_date
from vaultnet.model.network import Interaction, Person, Ref
from vaultnet.names import safe_filename
from vaultnet.source.links import note_link, shown_text
from vaultnet.words import plural

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_PIPE = re.compile(r"(?<!\\)\|")
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


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
        return who(person, link_md)

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
        "by_due": SortedOnce(due_first),
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


class SortedOnce:
    """Lists of people sorted by ``key``, the last few kept by identity: a watcher's
    networks keep the lists an edit did not touch as the same tuples, and several pages
    sort the same list (the follow-ups, the weekly digest, the section pages)."""

    KEPT = 16  # lists kept at most; a render sorts a few

    def __init__(self, key: Callable[[Person], Any]) -> None:
        self.key = key
        self.kept: dict[int, tuple[tuple[Person, ...], tuple[Person, ...]]] = {}

    def __call__(self, people: Iterable[Person]) -> tuple[Person, ...]:
        known = self.kept.get(id(people))
        if known is not None and known[0] is people:
            return known[1]
        found = tuple(sorted(people, key=self.key))
        if type(people) is tuple:  # immutable: kept alive with its order, so its id holds
            if len(self.kept) >= self.KEPT:
                self.kept.clear()
            self.kept[id(people)] = (people, found)
        return found


def by_due(people: Iterable[Person]) -> tuple[Person, ...]:
    """People by due date, then tier, then name: the order of a section not split by tier."""
    return tuple(sorted(people, key=due_first))


def due_first(person: Person) -> tuple[dt.date, int, str, str]:
    """The order of a section not split by tier: due date, then tier, then name."""
    return (person.followup.due or dt.date.max, person.tier.rank, person.sort_name, person.path)


def warmest_first(person: Person) -> tuple[int, int, str, str]:
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


def display(text: str) -> str:
    """Text safe to show: bidirectional overrides made visible, control characters spaces."""
    if text.isascii() and text.isprintable():
        return text  # the common case, checked in C
    text = _BIDI.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    return _CONTROL.sub(" ", text)


def link_label(text: str) -> str:
    return display(text).replace("[[", "[").replace("]]", "]").replace("|", "/")


def link(value: Person | Ref | str | None, label: str | None = None) -> str:
    """A wikilink to a person, a reference or a note name; plain text for unlinked text."""
    if value is None:
        return ""
    if isinstance(value, Person):
        shown = label or value.name
        target = link_label(value.link)
        if shown == value.link:
            return f"[[{target}]]"
        return f"[[{target}|{link_label(shown)}]]"
    if isinstance(value, Ref):
        if not value.is_link:
            return display(value.text)  # the user's own text, links within it kept
        target = link_label(value.target)
        shown = label or value.text
        return f"[[{target}]]" if shown == value.target else f"[[{target}|{link_label(shown)}]]"
    return f"[[{link_label(str(value))}]]"


def who(person: Person, link_of: Callable[..., str] | None = None) -> str:
    """A table cell naming a person: link, then role and company when known (each link
    written by ``link_of``, wikilinks by default)."""
    link_of = link_of or link
    text = cell(link_of(person))
    role = cell(person.role) if person.role else ""
    company = cell(link_of(person.company)) if person.company else ""
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
            return f"mention in [[{link_label(title)}]]" if markdown else f"mention in {title}"
    text = text or "—"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def context_markdown(value: Interaction | None, limit: int = 90) -> str:
    """``context_text`` for a page: a mention in front matter links its note."""
    return context_text(value, limit, markdown=True)


def iso_week(day: dt.date) -> str:
    """``2026-W48``: the ISO week a day belongs to."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
