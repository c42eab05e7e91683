"""``vaultnet init``: a commented configuration and a person template, never overwriting."""

from __future__ import annotations

import os
from pathlib import Path

from .config import CONFIG_NAME
from .errors import UsageError
from .render import PERSON_TEMPLATE, builtin_templates_dir


def init_vault(root: Path) -> list[tuple[Path, bool]]:
    """Create ``vaultnet.toml`` and ``.vaultnet/templates/person.md.j2`` where missing.

    Returns each path with whether it was created (False: it existed and was left alone).
    """
    root = root.expanduser()
    if root.exists() and not root.is_dir():
        raise UsageError(f"not a folder: {root}")
    root.mkdir(parents=True, exist_ok=True)
    builtin = builtin_templates_dir()
    wanted = [
        (root / CONFIG_NAME, builtin / "vaultnet.toml"),
        (root / ".vaultnet" / "templates" / PERSON_TEMPLATE, builtin / PERSON_TEMPLATE),
    ]
    results = []
    for target, source in wanted:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            results.append((target, False))
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(source.read_bytes())
        results.append((target, True))
    return results
