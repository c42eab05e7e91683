"""The follow-up digest for the terminal and for scripts."""

from __future__ import annotations

import functools
from typing import Any

from vaultnet.dates import ago, long_date, short_date
from vaultnet.diagnostics import Diagnostic
from vaultnet.insights.insights import (
    DigestExtras,
    digest_extras,
    digest_extras_json,
    digest_extras_text,
)
from vaultnet.insights.ladder import NextStep
from vaultnet.insights.reciprocity import Owed
from vaultnet.jsontext import Encoded, json_text
from vaultnet.model.followups import BUCKETS
from vaultnet.model.network import Network, OpenLoop, Person
from vaultnet.state.digestentries import DigestEntries
from vaultnet.words import plural

# The digest's lists: every bucket but "later" (beyond the horizon), in the buckets' order.
LISTS = (*(bucket for bucket in BUCKETS if bucket != "later"), "birthdays")


def person_json(person: Person, birthday: bool = False) -> dict[str, Any]:
    """One digest entry. In ``birthdays``, ``due`` is the birthday's date."""
    followup = person.followup
    due = person.next_birthday if birthday else followup.due
    return {
        "name": person.name,
        "path": person.path,
        "tier": person.tier.name,
        "due": due.isoformat() if due else None,
        "days_overdue": 0 if birthday else followup.days_overdue,
        "last_contact": person.last_contact.isoformat() if person.last_contact else None,
        "cadence_days": followup.cadence_days,
    }


def _saved_entry(saved: DigestEntries, person: Person, birthday: bool) -> Encoded:
    """The person's entry as JSON text, as saved under their digest or encoded now. The
    digest covers the day and the configuration, all an entry depends on besides the
    person (model/person.py); a birthday's entry has a key of its own."""
    key = f"b{person.digest}" if birthday else person.digest
    return Encoded(saved.entry(key, lambda: json_text(person_json(person, birthday))))


EXTRAS_INDENT = "  " * 3  # of an entry of the digest's additions (json_text, two a level)


def _saved_extras(saved: DigestEntries, extras: DigestExtras) -> dict[str, list[Any]]:
    """The digest's additions, each thank-you owed and each next step as its JSON text,
    saved under its person's digest (``t`` and ``u`` before it) or encoded now: each is
    made of its person and the day alone (``reciprocity.thanks_owed``,
    ``ladder.next_step``), as a person's entry is. The moves name companies as everyone's
    notes spell them: made each time (a few)."""
    found: dict[str, list[Any]] = {**digest_extras_json(DigestExtras(extras.recent_moves, (), ()))}

    def owed(item: Owed) -> str:
        return json_text(digest_extras_json(DigestExtras((), (item,), ()))["thanks_owed"][0])

    def step(item: NextStep) -> str:
        entry = digest_extras_json(DigestExtras((), (), (item,)))["upgrade_due"][0]
        # Its next step is an object of its own, so the entry spans lines: indented as
        # json_text indents it there, in a list of an object of the digest's object.
        return json_text(entry, EXTRAS_INDENT)

    found["thanks_owed"] = [
        Encoded(saved.entry(f"t{o.person.digest}", functools.partial(owed, o)))
        for o in extras.thanks_owed
    ]
    found["upgrade_due"] = [
        Encoded(saved.entry(f"u{s.person.digest}", functools.partial(step, s)))
        for s in extras.upgrade_due
    ]
    return found


def loop_json(loop: OpenLoop) -> dict[str, Any]:
    """One open loop: who, the task's text, where it is written, and its date (or null)."""
    return {
        "name": loop.person.name,
        "path": loop.person.path,
        "text": loop.text,
        "source": loop.source,
        "line": loop.line,
        "date": loop.date.isoformat() if loop.date else None,
    }


def digest_json(
    network: Network,
    diagnostics: list[Diagnostic],
    extras: DigestExtras | None = None,
    saved: DigestEntries | None = None,
) -> dict[str, Any]:
    """The object ``vaultnet digest --format json`` prints; ``extras``, the digest's
    additions, are computed when not given (a build passes its insights').

    With ``saved`` (a build that records), each person's entry is its JSON text
    (``Encoded``), taken from the entries an earlier build saved under the person's digest,
    or encoded now: ``json_text`` makes the same text of either."""
    digest = network.digest
    active = network.active
    result: dict[str, Any] = {
        "today": network.today.isoformat(),
        "people": len(active),
        "tiers": {group.tier.name: len(group.members) for group in network.tiers},
    }
    for name in LISTS:
        people: tuple[Person, ...] = getattr(digest, name)
        birthday = name == "birthdays"
        if saved is None:
            result[name] = [person_json(p, birthday) for p in people]
        else:
            result[name] = [_saved_entry(saved, p, birthday) for p in people]
    result["diagnostics"] = [d.as_json() for d in diagnostics]
    # The insight lists have entries of their own shape, so they live under one key and
    # every top-level list keeps the entry shape of "overdue" (docs/insights.md).
    if extras is None:
        extras = digest_extras(network)
    if saved is None:
        result["insights"] = digest_extras_json(extras)
    else:
        result["insights"] = _saved_extras(saved, extras)
    result["open_loops"] = [loop_json(loop) for loop in network.open_loops]
    return result


def digest_markdown(network: Network) -> str:
    """The Follow-ups page body, as Markdown: the page's template, with the page's context.

    Raises TemplateError naming the template and line.
    """
    from vaultnet.render.render import render_page_body

    return render_page_body(network, "Follow-ups.md", "followups.md.j2")


def digest_text(network: Network) -> str:
    """The digest as plain text for a terminal."""
    from vaultnet.render.filters import by_due, context_text, duration_words

    today = network.today
    digest = network.digest
    rows = network.config.followups_rows
    lines = [f"Follow-ups · {long_date(today)}", ""]
    dormant = f"{len(digest.dormant)} dormant · " if digest.dormant else ""
    lines.append(
        f"{len(digest.overdue)} overdue · {len(digest.due_soon)} due this week · "
        f"{len(digest.upcoming)} coming up · {len(digest.never_contacted)} never contacted · "
        f"{dormant}{plural(len(digest.birthdays), 'birthday')}"
    )

    def more(people: tuple[Person, ...]) -> list[str]:
        hidden = len(people) - rows
        if hidden <= 0:
            return []
        return [f"  … and {hidden} more (vaultnet digest --format json lists all)"]

    def who(person: Person) -> str:
        detail = ", ".join(
            x for x in (person.role, person.company.text if person.company else None) if x
        )
        return f"{person.name} ({person.tier.name}{'; ' + detail if detail else ''})"

    sections = (
        ("Overdue", digest.overdue),
        ("Due this week", by_due(digest.due_soon)),
        ("Coming up", by_due(digest.upcoming)),
    )
    for title, people in sections:
        if not people:
            continue
        lines += ["", f"{title}:"]
        for person in people[:rows]:
            due = person.followup.due
            when = (
                f"{plural(person.followup.days_overdue, 'day')} overdue"
                if title == "Overdue"
                else f"due {ago(due, today)}"
            )
            lines.append(f"  {who(person)}: {when} ({short_date(due, today)})")
            last = f"last: {short_date(person.last_contact, today)}"
            if person.last_interaction is not None:
                last += f" · {context_text(person.last_interaction)}"
            lines.append(f"      {last}")
        lines += more(people)
    if digest.never_contacted:
        lines += ["", "Never contacted:"]
        lines += [f"  {who(p)}" for p in digest.never_contacted[:rows]]
        lines += more(digest.never_contacted)
    if digest.dormant:
        quiet = duration_words(network.config.dormant_after)
        lines += [
            "",
            f"Dormant: {plural(len(digest.dormant), 'person', 'people')} not in touch for "
            f"over {quiet} (not overdue; {network.config.output_dir}/Follow-ups/Dormant.md "
            "lists them)",
        ]
    lines += digest_extras_text(digest_extras(network), today, rows)
    if digest.birthdays:
        lines += ["", "Birthdays:"]
        lines += [
            f"  {p.name}: {long_date(p.next_birthday)} ({ago(p.next_birthday, today)})"
            for p in digest.birthdays[:rows]
            if p.next_birthday
        ]
        lines += more(digest.birthdays)
    if digest.snoozed:
        lines += ["", "Snoozed:"]
        lines += [
            f"  {p.name} until {short_date(p.snooze_until, today)}" for p in digest.snoozed[:rows]
        ]
        lines += more(digest.snoozed)
    return "\n".join(lines) + "\n"
