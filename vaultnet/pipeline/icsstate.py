"""The follow-up calendar's state, and who is who in it: what every export needs of the
calendar (JSON, CSV and vCard exports carry the identifiers and keep the salt too).

Apart from ics.py, so that an export other than the calendar does not import the calendar
library (exporting.py says what that saves).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultnet.atomic import default_mode, write_atomic
from vaultnet.config import Config
from vaultnet.containment import state_dir
from vaultnet.errors import OutputError
from vaultnet.model.network import Person

STATE_FILE = Path(".vaultnet") / "ics-state.json"
UID_KEY = "vaultnet_uid"
_UID_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")


# --- who is who --------------------------------------------------------------------------


def uid_is_ours(value: object) -> bool:
    """Whether a note's ``vaultnet_uid`` is an identifier vaultnet made."""
    return _UID_VALUE.fullmatch(str(value).strip()) is not None


def person_id(person: Person, salt: str) -> str:
    """A stable identifier for a person that reveals nothing about them.

    The note's own ``vaultnet_uid`` (random, written by ``--assign-uids``) survives
    renames; without it, a user's ``uid`` key or else the note's path is hashed with the
    vault's salt, which changes when the note is renamed or moved.
    """
    own = person.front_matter.get(UID_KEY)
    if own is not None and uid_is_ours(own):
        return str(own).strip().lower()
    user_uid = person.front_matter.get("uid")
    basis = f"uid:{user_uid}" if user_uid not in (None, "") else f"path:{person.path}"
    return hashlib.sha256(f"{salt}\0{basis}".encode()).hexdigest()[:32]


@dataclass(slots=True)
class CalendarState:
    """The calendar's memory between runs: the salt, and each event's last content.

    ``events`` maps a UID to ``{"hash", "sequence", "modified"}`` and, for birthdays
    without a year, ``"anchor"``: the year the yearly event starts in.
    """

    path: Path | None
    salt: str
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def load(cls, path: Path | None) -> CalendarState:
        """The state at ``path``; a missing or unreadable file starts afresh."""
        data: Any = None
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(path.read_text(encoding="utf-8"))
        if (
            isinstance(data, dict)
            and isinstance(data.get("salt"), str)
            and isinstance(data.get("events"), dict)
        ):
            return cls(path, data["salt"], data["events"])
        return cls(path, secrets.token_hex(16), {}, changed=True)

    def save(self) -> None:
        """Write the state atomically, if it changed."""
        if self.path is None or not self.changed:
            return
        payload = {"version": 1, "salt": self.salt, "events": self.events}
        text = json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, text.encode("utf-8"), default_mode(), durable=False)
        except OSError as exc:
            raise OutputError(
                f"cannot save the calendar's state ({exc.strerror})", str(self.path)
            ) from None
        self.changed = False


def state_path(config: Config) -> Path:
    return state_dir(config.vault, STATE_FILE.name)
