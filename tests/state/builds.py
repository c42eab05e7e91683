"""What the tests of the kept state share: a build through the command line, the pages it
wrote, and edits of a note as an editor would save them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from vaultnet.cli.main import main

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
