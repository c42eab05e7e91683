"""Follow-up rules: due dates and buckets, exactly as the specification states them. Pure."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, NamedTuple

from vaultnet.dates import Birthday, Duration
from vaultnet.source.parsed import rebuilt

Bucket = Literal[
    "snoozed", "never_contacted", "overdue", "due_soon", "upcoming", "later", "dormant"
]
BUCKETS: tuple[Bucket, ...] = (
    "overdue",
    "due_soon",
    "upcoming",
    "never_contacted",
    "dormant",
    "snoozed",
    "later",
)
SOON_DAYS = 7
BIRTHDAY_DAYS = 14


class FollowUp(NamedTuple):
    """A person's follow-up state on a given day."""

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt, (type(self), tuple(self))  # made again in C (safepickle.py)

    due: dt.date | None
    due_reason: str  # "next_follow_up", "planned" or "cadence"; "" when there is no due date
    bucket: Bucket
    days_overdue: int
    cadence_days: int


def due_date(
    next_follow_up: dt.date | None,
    planned: list[dt.date],
    last_contact: dt.date | None,
    cadence: Duration,
) -> tuple[dt.date | None, str]:
    """The first that exists of: next_follow_up, the earliest planned entry, last + cadence."""
    if next_follow_up is not None:
        return next_follow_up, "next_follow_up"
    if planned:
        return min(planned), "planned"
    if last_contact is not None:
        return cadence.after(last_contact), "cadence"
    return None, ""


def bucket_for(
    due: dt.date | None,
    snooze_until: dt.date | None,
    today: dt.date,
    horizon_days: int,
    dormant: bool = False,
) -> Bucket:
    """The one bucket a person falls in on ``today``; ``dormant`` says they are out of touch
    (see ``is_dormant``)."""
    if snooze_until is not None and snooze_until > today:
        return "snoozed"
    if dormant:
        return "dormant"
    if due is None:
        return "never_contacted"
    if due < today:
        return "overdue"
    if due <= today + dt.timedelta(days=SOON_DAYS):
        return "due_soon"
    if due <= today + dt.timedelta(days=horizon_days):
        return "upcoming"
    return "later"


def is_dormant(
    due: dt.date | None,
    reason: str,
    last_contact: dt.date | None,
    connected: dt.date | None,
    today: dt.date,
    dormant_after: Duration | None,
) -> bool:
    """Out of touch for longer than ``dormant_after``: past due by cadence with the last
    contact that long ago, or never contacted and connected that long ago. A date the
    user set (``next_follow_up``, a planned entry) is a to-do, never dormant."""
    if dormant_after is None or reason in ("next_follow_up", "planned"):
        return False
    if due is not None:
        return (
            due < today and last_contact is not None and dormant_after.after(last_contact) < today
        )
    return connected is not None and dormant_after.after(connected) < today


def follow_up(
    *,
    today: dt.date,
    horizon_days: int,
    cadence: Duration,
    last_contact: dt.date | None,
    next_follow_up: dt.date | None,
    planned: list[dt.date],
    snooze_until: dt.date | None,
    connected: dt.date | None = None,
    dormant_after: Duration | None = None,
) -> FollowUp:
    """Compute a person's follow-up state (docs/followups.md)."""
    due, reason = due_date(next_follow_up, planned, last_contact, cadence)
    dormant = is_dormant(due, reason, last_contact, connected, today, dormant_after)
    bucket = bucket_for(due, snooze_until, today, horizon_days, dormant)
    days_overdue = (today - due).days if bucket == "overdue" and due is not None else 0
    return FollowUp(due, reason, bucket, days_overdue, cadence.in_days(last_contact))


def birthday_within(birthday: Birthday | None, today: dt.date) -> dt.date | None:
    """The birthday's next date when it falls in the next 14 days (today included)."""
    if birthday is None:
        return None
    upcoming = birthday.next_on_or_after(today)
    return upcoming if (upcoming - today).days < BIRTHDAY_DAYS else None
