"""The wheel works on its own: built, installed in a fresh venv, run from outside the repo.

This proves the templates ship inside the package (a build from the source tree would find
them in ../templates). It builds from a copy of the sources, so the repository gets no
build/ or egg-info folders, and installs with --no-deps --no-index: the venv reaches the
dependencies (PyYAML, Jinja2, click, watchdog) through a .pth file that points at the
site-packages of the Python running the tests. It runs in CI; it takes ~15 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.conftest import ROOT, SAMPLE_VAULT

SOURCES = ["pyproject.toml", "README.md", "LICENSE", "vaultnet", "templates"]


def _run(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.pop("VAULTNET_TODAY", None)
    return env


def test_wheel_installs_and_builds_the_sample_vault(tmp_path: Path) -> None:
    env = _clean_env()
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif path.is_file():
            shutil.copy2(path, source / name)

    dist = tmp_path / "dist"
    _run(
        sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", dist,
        cwd=source, env=env,
    )  # fmt: skip
    [wheel] = dist.glob("vaultnet-*.whl")

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path, env=env)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q",
        "--no-deps", "--no-index", wheel,
        cwd=tmp_path, env=env,
    )  # fmt: skip
    # Dependencies come from the Python running the tests (appended after the venv's own
    # site-packages, so the installed vaultnet wins over any editable install there).
    site = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
             cwd=tmp_path, env=env).stdout.strip()
    )  # fmt: skip
    (site / "_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    where = _run(python, "-c", "import vaultnet; print(vaultnet.__file__)", cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv)
    assert (site / "vaultnet" / "templates" / "index.md.j2").is_file()
    assert not (site / "templates").exists()

    vault = tmp_path / "sample"
    shutil.copytree(SAMPLE_VAULT, vault, ignore=shutil.ignore_patterns("Network", ".vaultnet"))
    vaultnet = bindir / ("vaultnet.exe" if os.name == "nt" else "vaultnet")
    result = _run(vaultnet, "build", "sample", "--today", "2026-11-26", cwd=tmp_path, env=env)
    assert " written, 0 unchanged, 0 removed" in result.stdout
    out = vault / "Network"
    for page in ("Index.md", "Follow-ups.md", "Digests/2026-W48.md", "Tiers/Champions.md"):
        assert (out / page).is_file(), page
    assert "[[Ann Lee]]" in (out / "Index.md").read_text(encoding="utf-8")

    init = _run(vaultnet, "init", "fresh", cwd=tmp_path, env=env)
    assert "wrote" in init.stdout
    assert (tmp_path / "fresh" / "vaultnet.toml").is_file()
