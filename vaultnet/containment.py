"""Keeping vaultnet's own files inside the vault: no path it uses goes through a link.

vaultnet writes its pages, cache, build record, edit lock and calendar state, and reads its
templates, at paths made from the vault's folder and a few names from ``vaultnet.toml``.
Checking only the last name of such a path is not enough: ``a/Network`` leads out of the
vault when ``a`` is a link to ``/tmp/x``. So every name between the vault and the file is
looked at (``lstat``, which does not follow links), and a link anywhere on the way is
refused. Names that do not exist yet are fine: vaultnet creates them as real folders.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from vaultnet.errors import ConfigError

STATE_DIR = ".vaultnet"  # the cache, the build record, the edit lock, the calendar state


class ContainmentError(ConfigError):
    """A path vaultnet would use leads out of the vault (through a link): exit code 2."""


def link_on_the_way(root: Path, relative: str) -> str | None:
    """The first name of ``relative`` under ``root`` (``/``-separated, as given) that is a
    symbolic link, or None when there is none. Names that do not exist end the look."""
    current = str(root)
    done: list[str] = []
    for part in PurePosixPath(relative).parts:
        if part in ("", "."):
            continue
        current = f"{current}{os.sep}{part}"
        done.append(part)
        try:
            info = os.lstat(current)
        except OSError:
            return None  # not there yet: vaultnet makes it a real folder or file
        if stat.S_ISLNK(info.st_mode):
            return "/".join(done)
    return None


def contained(root: Path, relative: str, what: str) -> Path:
    """``root / relative``, refusing (ContainmentError) a link on the way there.

    ``what`` says what the path is for, in the message ("the output folder").
    """
    link = link_on_the_way(root, relative)
    if link is not None:
        raise ContainmentError(
            f"is a symbolic link; {what} ({relative}) must stay inside the vault, so "
            "vaultnet does not follow links to it. Replace the link with a real folder",
            link,
        )
    return root.joinpath(*PurePosixPath(relative).parts)


def state_dir(vault: Path, *parts: str) -> Path:
    """The vault's ``.vaultnet/`` folder (or a path in it), checked to lie inside the vault."""
    relative = "/".join((STATE_DIR, *parts))
    return contained(vault, relative, "vaultnet's own folder")
