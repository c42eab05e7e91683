"""Today's reminders as one short message, for ``vaultnet notify`` to send. Pure.

What needs doing today, most pressing first: birthdays today, overdue follow-ups, follow-ups
due today, thank-yous owed (the reciprocity insight: help received, tagged #got, with no
contact since, in the last THANKS_DIGEST_DAYS days), then birthdays tomorrow, so that
there is a day to prepare. A person with several reasons is one line with all of them.
Archived and snoozed people are left out, as from the digest. Pure, but for
``obsidian_vault``, which looks for the vault's ``.obsidian/`` folder.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from urllib.parse import quote

from vaultnet.config import Config
from vaultnet.dates import long_date, short_date
from vaultnet.insights.logscan import THANKS_DIGEST_DAYS, brief, ladder_order
from vaultnet.insights.reciprocity import Owed, thanks_owed
from vaultnet.model.network import Network, Person

# The order of the reasons, most pressing first.
KINDS = ("birthday_today", "overdue", "due_today", "thanks", "birthday_tomorrow")


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a person is in today's message."""

    kind: str  # one of KINDS
    text: str  # "37 days overdue · last: pub, 20 Sep"


@dataclass(frozen=True, slots=True)
class Reminder:
    """One line of the message: a person and every reason to get in touch today."""

    person: Person
    reasons: tuple[Reason, ...]
    link: str | None  # obsidian://open?… when the vault is an Obsidian vault

    @property
    def why(self) -> str:
        return "; ".join(reason.text for reason in self.reasons)


@dataclass(frozen=True, slots=True)
class Message:
    """Today's message: the first ``limit`` reminders and how many more there are."""

    today: dt.date
    reminders: tuple[Reminder, ...]
    more: int

    @property
    def total(self) -> int:
        return len(self.reminders) + self.more

    @property
    def title(self) -> str:
        people = "person" if self.total == 1 else "people"
        return (
            f"vaultnet: {self.total} {people} to get in touch with today ({long_date(self.today)})"
        )


def obsidian_vault(config: Config) -> str | None:
    """The vault's name for ``obsidian://`` links: its folder's name, when it has ``.obsidian/``."""
    return config.vault.name if (config.vault / ".obsidian").is_dir() else None


def obsidian_link(vault: str, path: str) -> str:
    """A link that opens the note in Obsidian (``.md`` left out, as Obsidian allows)."""
    file = path.removesuffix(".md")
    return f"obsidian://open?vault={quote(vault, safe='')}&file={quote(file, safe='')}"


def compose(network: Network, limit: int, vault_name: str | None = None) -> Message | None:
    """Today's message, at most ``limit`` people; None when nothing needs doing today."""
    today = network.today
    tomorrow = today + dt.timedelta(days=1)
    found: dict[str, list[Reason]] = {}
    people: dict[str, Person] = {}

    def add(person: Person, kind: str, text: str) -> None:
        people.setdefault(person.key, person)
        found.setdefault(person.key, []).append(Reason(kind, text))

    digest = network.digest
    for person in digest.birthdays:
        if person.next_birthday == today:
            add(person, "birthday_today", "birthday today")
    for person in digest.overdue:
        days = person.followup.days_overdue
        overdue = f"{days} {'day' if days == 1 else 'days'} overdue"
        add(person, "overdue", overdue + _last(person, today))
    for person in digest.due_soon:
        if person.followup.due == today:
            add(person, "due_today", "due today" + _last(person, today))
    for owed in _thanks(network):
        got = owed.exchange
        what = brief(got.text, 60) or "help"
        add(owed.person, "thanks", f"thank-you owed · got: {what}, {short_date(got.date, today)}")
    for person in digest.birthdays:
        if person.next_birthday == tomorrow:
            add(person, "birthday_tomorrow", "birthday tomorrow")
    if not found:
        return None
    # Each person where their most pressing reason puts them; within a reason, the order
    # of the digest (tier, then due date, then name).
    order = {key: index for index, key in enumerate(found)}
    keys = sorted(found, key=lambda k: (KINDS.index(found[k][0].kind), order[k]))
    reminders = tuple(
        Reminder(
            people[key],
            tuple(sorted(found[key], key=lambda r: KINDS.index(r.kind))),
            obsidian_link(vault_name, people[key].path) if vault_name else None,
        )
        for key in keys[:limit]
    )
    return Message(today, reminders, max(0, len(keys) - limit))


def _thanks(network: Network) -> list[Owed]:
    owed = [
        o
        for p in network.active
        if p.followup.bucket != "snoozed"
        and (o := thanks_owed(p, network.today)) is not None
        and o.days <= THANKS_DIGEST_DAYS
    ]
    return sorted(owed, key=lambda o: (o.days, ladder_order(o.person)))


def _last(person: Person, today: dt.date) -> str:
    """`` · last: pub, 20 Sep``: the kind of the last contact and its day."""
    if person.last_contact is None:
        return ""
    entry = person.last_interaction
    kind = f"{entry.kind}, " if entry is not None and entry.kind else ""
    return f" · last: {kind}{short_date(person.last_contact, today)}"


# --- the message as text -----------------------------------------------------------------


def body(message: Message, fmt: str) -> str:
    """The message's body in ``fmt``: "text", "md" (Markdown) or "json"."""
    if fmt == "json":
        return json.dumps(message_json(message), indent=2, ensure_ascii=False) + "\n"
    lines = []
    for reminder in message.reminders:
        name = reminder.person.name
        if fmt == "md":
            who = f"[{_md(name)}]({reminder.link})" if reminder.link else _md(name)
            lines.append(f"- **{who}**: {_md(reminder.why)}")
        else:
            lines.append(f"{name}: {reminder.why}")
            if reminder.link:
                lines.append(f"  {reminder.link}")
    if message.more:
        more = f"and {message.more} more"
        lines.append(
            f"- …{more} (vaultnet digest)" if fmt == "md" else f"…{more} (vaultnet digest)"
        )
    return "\n".join(lines) + "\n"


def preview(message: Message, fmt: str) -> str:
    """What ``--dry-run`` prints: the title, a blank line, the body (JSON holds both)."""
    if fmt == "json":
        return body(message, fmt)
    return f"{message.title}\n\n{body(message, fmt)}"


def message_json(message: Message) -> dict[str, object]:
    """The message for scripts and JSON webhooks."""
    return {
        "today": message.today.isoformat(),
        "title": message.title,
        "total": message.total,
        "more": message.more,
        "reminders": [
            {
                "name": r.person.name,
                "path": r.person.path,
                "link": r.link,
                "why": r.why,
                "reasons": [{"kind": x.kind, "text": x.text} for x in r.reasons],
            }
            for r in message.reminders
        ],
    }


def _md(text: str) -> str:
    """Text that Markdown shows as it is."""
    for char in "\\`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text
