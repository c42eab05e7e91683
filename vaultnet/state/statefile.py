"""One file of state in ``.vaultnet/``: a dict of plain values, headed by its format and by
the version of vaultnet that wrote it.

Read through ``PlainUnpickler`` (a vault may come from someone else: a file can hold plain
values only), and taken only when its format and version are this code's: anything else
is as if nothing were saved. Written whole and atomically, not fsynced (the state is made
again from the notes). Whether a file may be read or written at all (never through a link)
is for its owner to check; so is the shape of what it holds.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vaultnet.atomic import atomic_file
from vaultnet.state.safepickle import PlainUnpickler
from vaultnet.version import VERSION


def read_state(file: Path, form: int) -> dict[str, Any] | None:
    """What ``file`` holds, when it is of format ``form`` and of this version; None when it
    is missing, damaged, not a dict or of another format or version."""
    try:
        with open(file, "rb") as handle:
            payload: Any = PlainUnpickler(handle).load()
    except Exception:  # missing or damaged: nothing saved
        return None
    if (
        type(payload) is not dict
        or payload.get("format") != form
        or payload.get("version") != VERSION
    ):
        return None
    return payload


def write_state(file: Path, form: int, fields: Mapping[str, Any]) -> bool:
    """Write ``fields`` to ``file`` with format ``form`` and this version; False when it
    could not be written (failures only cost the next build time)."""
    payload = {"format": form, "version": VERSION, **fields}
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(file, 0o600, durable=False) as handle:
            pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
    except (OSError, pickle.PicklingError, ValueError):
        return False
    return True
