"""Sending today's message to each channel, at most once a day per channel.

A channel is a URL of the apprise library (ntfy, mailto, Telegram, Matrix, Slack, Signal,
json:// webhooks...). ``${NAME}`` in a URL is replaced by the environment variable NAME
when sending, so that tokens and passwords stay out of the synced vault. The day each
channel was last sent to is kept in ``.vaultnet/notify-state.json``, keyed by a hash of
the URL as written (never the URL itself, nor the expanded one with its secrets).

apprise is an optional dependency (``vaultnet[notify]``), imported only to send.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from vaultnet.atomic import default_mode, write_atomic
from vaultnet.config import CONFIG_NAME, Config
from vaultnet.containment import state_dir
from vaultnet.errors import ConfigError, OutputError, UsageError

INSTALL_HINT = "pip install 'vaultnet[notify]'  (or: pipx inject vaultnet apprise)"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
LOCK_NAME = "notify.lock"
_FORMATS = {"text": "text", "md": "markdown", "json": "text"}  # apprise's body formats


def state_path(config: Config) -> Path:
    """Where ``vaultnet notify`` remembers the day each channel was last sent to."""
    return state_dir(config.vault, "notify-state.json")


class MissingApprise(UsageError):
    """apprise is not installed: the message says how to install it (exit code 2)."""


def load_apprise() -> ModuleType:
    """The apprise module; raises MissingApprise with how to install it."""
    try:
        import apprise
    except ImportError:
        raise MissingApprise(
            f"sending needs the apprise library, which is not installed: {INSTALL_HINT}; "
            "--dry-run prints the message without it"
        ) from None
    return apprise


@dataclass(frozen=True, slots=True)
class Channel:
    """Where to send: the URL as written, and as sent (with its secrets)."""

    written: str = field(repr=False)
    url: str = field(repr=False)
    label: str  # "channel 2 (ntfy)": safe to print and log

    @property
    def key(self) -> str:
        """The channel's key in the state file: a hash of the URL as written."""
        return hashlib.sha256(self.written.encode("utf-8")).hexdigest()[:24]


def expand(url: str, environ: Mapping[str, str], where: str) -> str:
    """``url`` with each ``${NAME}`` replaced by the environment variable NAME.

    Raises ConfigError naming the variable when it is not set (or empty)."""

    def value(match: re.Match[str]) -> str:
        found = environ.get(match[1], "")
        if not found:
            raise ConfigError(
                f"{where}: environment variable {match[1]} is not set; set it where "
                "vaultnet runs (see docs/reminders.md)",
                CONFIG_NAME if where.startswith("notify.urls") else None,
            )
        return found

    return _VARIABLE.sub(value, url)


def channels(
    configured: Sequence[str], given: Sequence[str], environ: Mapping[str, str]
) -> list[Channel]:
    """The channels of ``[notify] urls`` and then ``--to``, each checked; duplicates once.

    Raises ConfigError (exit code 2) for a URL apprise does not know or a missing
    variable, before anything is sent."""
    apprise = load_apprise()
    found: list[Channel] = []
    seen: set[str] = set()
    sources = [(f"notify.urls entry {i + 1}", u) for i, u in enumerate(configured)]
    sources += [(f"--to {i + 1}", u) for i, u in enumerate(given)]
    for where, written in sources:
        written = written.strip()
        if written in seen:
            continue
        seen.add(written)
        url = expand(written, environ, where)
        plugin = apprise.Apprise.instantiate(url, asset=_asset(apprise))
        scheme = written.partition("://")[0] if "://" in written else ""
        if plugin is None:
            raise ConfigError(
                f"{where}: not a notification URL apprise knows "
                f"({scheme + '://…' if scheme else 'no scheme://'}); see "
                "https://github.com/caronc/apprise/wiki for the formats",
                CONFIG_NAME if where.startswith("notify.urls") else None,
            )
        service = str(getattr(plugin, "service_name", "") or scheme)
        found.append(Channel(written, url, f"channel {len(found) + 1} ({service})"))
    return found


def _asset(apprise: ModuleType) -> Any:
    # Memory only: apprise would otherwise keep a cache under the user's home folder.
    return apprise.AppriseAsset(storage_mode="memory")


def send(channel: Channel, title: str, body: str, fmt: str) -> str | None:
    """Send one message to one channel; None when delivered, else why not."""
    import logging

    apprise = load_apprise()
    sender = apprise.Apprise(asset=_asset(apprise))
    sender.add(channel.url)
    try:
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:
            delivered = sender.notify(body=body, title=title, body_format=_FORMATS[fmt])
            problems = [line.strip() for line in log.getvalue().splitlines() if line.strip()]
    except Exception as exc:  # a plugin's own bug must not keep the other channels waiting
        return f"{type(exc).__name__}: {exc}".replace(channel.url, channel.label)
    if delivered:
        return None
    # apprise's own words, without the URL (which may hold a secret).
    reason = problems[-1] if problems else "the service did not accept the message"
    return reason.replace(channel.url, channel.label)


@dataclass(slots=True)
class SentState:
    """The day each channel was last sent to, by channel key."""

    path: Path
    sent: dict[str, str]

    @classmethod
    def load(cls, path: Path) -> SentState:
        """The state at ``path``; a missing or unreadable file is an empty state."""
        data: Any = None
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(path.read_text(encoding="utf-8"))
        sent = data.get("sent") if isinstance(data, dict) else None
        if not isinstance(sent, dict):
            sent = {}
        return cls(path, {str(k): str(v) for k, v in sent.items()})

    def sent_on(self, channel: Channel, day: dt.date) -> bool:
        return self.sent.get(channel.key) == day.isoformat()

    def mark(self, channel: Channel, day: dt.date) -> None:
        """Record that ``channel`` got the message of ``day``, and save at once (atomically),
        so that a later failure does not make this channel get it twice."""
        self.sent[channel.key] = day.isoformat()
        payload = {"version": 1, "sent": dict(sorted(self.sent.items()))}
        text = json.dumps(payload, indent=1) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, text.encode("utf-8"), default_mode())
        except OSError as exc:
            raise OutputError(
                f"sent, but cannot record it ({exc.strerror}); the next run sends again",
                str(self.path),
            ) from None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of the message on one channel."""

    channel: Channel
    status: str  # "sent", "failed" or "already sent"
    error: str | None = None  # why it failed; for "sent", a state that could not be saved


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing), waiting for it.

    Two runs at once (the timer and one by hand) take turns, and the second sees what the
    first sent. Where there is no fcntl (Windows), there is no lock."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise OutputError(f"cannot open the notify lock ({exc.strerror})", str(path)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # also releases the lock


def deliver(
    targets: Sequence[Channel],
    title: str,
    body: str,
    fmt: str,
    path: Path,
    today: dt.date,
    force: bool = False,
) -> list[Outcome]:
    """Send to every channel not yet sent to today (all with ``force``), by the state at
    ``path``; a failed channel does not stop the others and is not recorded as sent."""
    with _locked(path.with_name(LOCK_NAME)):
        state = SentState.load(path)  # read under the lock: another run may have sent
        return _deliver(targets, title, body, fmt, state, today, force)


def _deliver(
    targets: Sequence[Channel],
    title: str,
    body: str,
    fmt: str,
    state: SentState,
    today: dt.date,
    force: bool,
) -> list[Outcome]:
    outcomes = []
    for channel in targets:
        if state.sent_on(channel, today) and not force:
            outcomes.append(Outcome(channel, "already sent"))
            continue
        error = send(channel, title, body, fmt)
        if error is None:
            try:
                state.mark(channel, today)
            except OutputError as exc:
                outcomes.append(Outcome(channel, "sent", str(exc)))
                continue
            outcomes.append(Outcome(channel, "sent"))
        else:
            outcomes.append(Outcome(channel, "failed", error))
    return outcomes
