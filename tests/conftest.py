"""Shared fixtures: small vaults written into tmp_path."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

TODAY = dt.date(2026, 11, 26)
ROOT = Path(__file__).resolve().parent.parent
SAMPLE_VAULT = ROOT / "sample-vault"

WriteNote = Callable[[str, str], Path]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``leaves_threads`` run after all the others, whatever their folder.

    apprise keeps worker threads for the life of the process once it has sent anything, and
    a process with threads never forks the parse helper (forked.can_fork): the tests of the
    helper must not depend on running before the notify tests.
    """
    items.sort(key=lambda item: item.get_closest_marker("leaves_threads") is not None)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """An empty vault folder."""
    root = tmp_path / "vault"
    root.mkdir()
    return root


@pytest.fixture
def write(vault: Path) -> WriteNote:
    """Write a note (dedented text) at a vault path and return its absolute path."""

    def write_note(relative: str, text: str) -> Path:
        path = vault / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write_note


@pytest.fixture
def sample_vault(tmp_path: Path) -> Path:
    """A private copy of sample-vault (builds must never touch the real one)."""
    copy = tmp_path / "sample-vault"
    shutil.copytree(SAMPLE_VAULT, copy, ignore=shutil.ignore_patterns("Network", ".vaultnet"))
    return copy
