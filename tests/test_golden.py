"""Golden tests: each vault of tests/golden/<case>/ built at 2026-11-26, compared byte for byte.

To refresh the expected pages after an intended change, run

    VAULTNET_UPDATE_GOLDEN=1 pytest tests/test_golden.py

and review the diff of tests/golden/ before committing it (see tests/golden/README.md).
The ``sample`` case builds a copy of sample-vault/ rather than a copy kept here.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_VAULT, TODAY
from vaultnet import build_vault, load_config

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("VAULTNET_UPDATE_GOLDEN") == "1"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def source_vault(case: str) -> Path:
    return SAMPLE_VAULT if case == "sample" else GOLDEN / case / "vault"


def files(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_cases_are_complete() -> None:
    assert {"sample", "custom-tiers", "empty", "weird-names"} <= set(CASES)
    for case in CASES:
        assert source_vault(case).is_dir(), case
        assert UPDATE or (GOLDEN / case / "expected").is_dir(), f"{case}: no expected/ yet"


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(
        source_vault(case), vault, ignore=shutil.ignore_patterns(".vaultnet", ".gitkeep")
    )
    config = load_config(vault)
    if config.output_path.exists():  # a generated folder left in the source vault
        shutil.rmtree(config.output_path)
    result = build_vault(config, TODAY)
    actual = files(config.output_path)
    diagnostics = "".join(f"{d}\n" for d in result.diagnostics)
    expected_dir = GOLDEN / case / "expected"
    diagnostics_file = GOLDEN / case / "diagnostics.txt"
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(config.output_path, expected_dir)
        diagnostics_file.write_text(diagnostics, encoding="utf-8", newline="\n")
    expected = files(expected_dir)
    assert sorted(actual) == sorted(expected), "pages differ; see tests/golden/README.md"
    for path, data in expected.items():
        assert actual[path].decode("utf-8") == data.decode("utf-8"), path
        assert actual[path] == data, path
    assert diagnostics == diagnostics_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_golden_vaults_are_not_changed_by_a_build(case: str) -> None:
    """Nobody built inside the fixtures themselves (that would leave pages in them)."""
    if case == "sample":
        return
    vault = GOLDEN / case / "vault"
    assert not (vault / "Network").exists()
    assert not (vault / ".vaultnet").exists()
