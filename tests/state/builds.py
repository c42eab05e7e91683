"""What the tests of the kept state share: a build through the command line or a Builder,
the pages it wrote, edits of a note as an editor would save them, and counted calls."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.pipeline.build import Builder, BuildRequest
from vaultnet.state.cache import NoteCache

TODAY = "2026-11-26"


def build(vault: Path) -> None:
    """``vaultnet build VAULT`` for TODAY (exit 1 allowed: a vault may have warnings)."""
    result = CliRunner().invoke(main, ["build", str(vault), "--today", TODAY])
    assert result.exit_code in (0, 1), result.output


def written(vault: Path) -> dict[str, bytes]:
    """Every page in the output folder, by its path there."""
    root = vault / "Network"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.*"))}


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the note with ``new`` (which must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def one_shot(vault: Path) -> list[str]:
    """A one-shot build that starts from the model the last one saved and saves its own,
    as ``vaultnet build`` does; its diagnostics."""
    builder = Builder(load_config(vault), NoteCache.for_vault(vault))
    result = builder.build(BuildRequest(dt.date.fromisoformat(TODAY)))
    return [str(d) for d in result.diagnostics]


def fresh(vault: Path, tmp_path: Path) -> tuple[dict[str, bytes], list[str]]:
    """The output and diagnostics of a build of a copy of ``vault`` without .vaultnet/."""
    copy = tmp_path / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(vault, copy, ignore=shutil.ignore_patterns(".vaultnet", "Network"))
    diagnostics = one_shot(copy)
    return written(copy), diagnostics


def counted(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, argument: int = 0
) -> list[Any]:
    """The argument at ``argument`` (the first: 0; a method's first after ``self``: 1) of
    each call to ``module.name`` from here on."""
    calls: list[Any] = []
    real = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args[argument])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def counting(
    monkeypatch: pytest.MonkeyPatch,
    counts: Counter[str],
    module: object,
    name: str,
    key: Callable[[tuple[Any, ...]], str],
) -> None:
    """Count each call to ``module.name`` from here on in ``counts``, under ``key`` of its
    arguments."""
    real = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[key(args)] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


def page_path(args: tuple[Any, ...]) -> str:
    """The page's path among the arguments of ``render._render_page``."""
    return str(args[4])


def counting_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the helpers forked from here on (``os.fork`` counted in the parent)."""
    forks: list[int] = []
    fork = os.fork

    def counted_fork() -> int:
        pid = fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted_fork)
    return forks
