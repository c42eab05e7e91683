"""List a vault's person notes grouped by tier with Hugo, for comparison with vaultnet.

Usage::

    python bench/hugo_list.py VAULT [--keep DIR]

The site in ``bench/hugo/`` is copied to a temporary folder and built with the vault as its
content folder (``--contentDir VAULT``). The site renders a single page, ``index.html``, that
lists every note whose front matter has a ``tier``, grouped by tier in ladder order. No
note's markdown is rendered (pages are ``render = "never"``), no other kind of page is made,
and nothing is fetched from the network.

It prints one machine-readable line::

    hugo seconds=2.45 peak_mb=290.1 people=10000

``seconds`` is the wall time of the ``hugo`` process alone and ``peak_mb`` its peak resident
set size. When ``hugo`` is not on PATH it prints ``hugo: not installed (apt-get install hugo)``
and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SITE_DIR = Path(__file__).resolve().parent / "hugo"
PEOPLE_COUNT = re.compile(r'id="people">(\d+)<')


@dataclass
class HugoRun:
    """The outcome of one Hugo build."""

    seconds: float
    peak_mb: float | None
    people: int | None
    returncode: int
    output: str


def find_hugo() -> str | None:
    """Return the path of the ``hugo`` binary, or None when it is not on PATH."""
    return shutil.which("hugo")


def hugo_version(binary: str) -> str:
    """Return the first line of ``hugo version`` (empty when it cannot be run)."""
    try:
        out = subprocess.run(
            [binary, "version"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except OSError:
        return ""
    return out.strip().splitlines()[0] if out.strip() else ""


def ignore_patterns(vault: Path) -> list[str]:
    """Return Hugo ``ignoreFiles`` patterns for the folders vaultnet skips in ``vault``.

    Hugo matches them against absolute file names, so they are anchored at the vault: its
    ``Network`` output folder and the dot-folders at any depth below it.
    """
    root = "^" + re.escape(str(vault.resolve()).rstrip("/\\"))
    return [
        root + r"[/\\](.*[/\\])?\.(vaultnet|obsidian|trash|git)[/\\]",
        root + r"[/\\]Network[/\\]",
    ]


def prepare_site(workdir: Path, vault: Path) -> Path:
    """Copy the bench site into ``workdir/site``, anchored at ``vault``, and return it."""
    site = workdir / "site"
    shutil.copytree(SITE_DIR, site)
    config = site / "hugo.toml"
    patterns = ", ".join(json.dumps(p) for p in ignore_patterns(vault))
    lines = [
        f"ignoreFiles = [{patterns}]" if line.startswith("ignoreFiles") else line
        for line in config.read_text(encoding="utf-8").splitlines()
    ]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return site


def hugo_command(binary: str, site: Path, vault: Path, dest: Path, cache: Path) -> list[str]:
    """Return the command line that builds ``site`` over ``vault`` into ``dest``."""
    return [
        binary,
        "--source",
        str(site),
        "--contentDir",
        str(vault.resolve()),
        "--destination",
        str(dest),
        "--cacheDir",
        str(cache),
        "--noBuildLock",
        "--quiet",
    ]


def hugo_env() -> dict[str, str]:
    """Return the environment for Hugo: the current one without Hugo settings of the user's."""
    return {k: v for k, v in os.environ.items() if not k.startswith("HUGO_")}


def count_people(dest: Path) -> int | None:
    """Return the number of people listed on the built page, or None when it is missing."""
    page = dest / "index.html"
    if not page.exists():
        return None
    match = PEOPLE_COUNT.search(page.read_text(encoding="utf-8"))
    return int(match.group(1)) if match else None


def _peak_mb(usage: object) -> float | None:
    """Return ru_maxrss of a ``resource.struct_rusage`` in MiB."""
    maxrss = getattr(usage, "ru_maxrss", None)
    if not isinstance(maxrss, int):
        return None
    return maxrss / 1024 if sys.platform != "darwin" else maxrss / (1024 * 1024)


def run(vault: Path, keep: Path | None = None) -> HugoRun | None:
    """Build the listing of ``vault`` once; None when Hugo is not installed."""
    binary = find_hugo()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="hugo-bench-") as tmp:
        workdir = Path(tmp)
        site = prepare_site(workdir, vault)
        result = run_once(binary, site, vault, workdir)
        if keep is not None:
            pages = [p for p in workdir.glob("public-*") if p.is_dir()]
            if pages:
                shutil.copytree(pages[0], keep, dirs_exist_ok=True)
        return result


def run_once(binary: str, site: Path, vault: Path, workdir: Path) -> HugoRun:
    """Build the listing once into a fresh folder under ``workdir`` and measure it.

    The peak memory comes from the child's own resource usage (``os.wait4``).
    """
    dest = Path(tempfile.mkdtemp(prefix="public-", dir=workdir))
    cmd = hugo_command(binary, site, vault, dest, workdir / "cache")
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=hugo_env())
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    return HugoRun(elapsed, _peak_mb(usage), count_people(dest), proc.returncode, output)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: build the listing once and print the figures line."""
    parser = argparse.ArgumentParser(description="Hugo listing of a vault, grouped by tier")
    parser.add_argument("vault", type=Path)
    parser.add_argument("--keep", type=Path, default=None, help="copy the built page here")
    args = parser.parse_args(argv)
    vault: Path = args.vault
    if not vault.is_dir():
        print(f"hugo_list: {vault} is not a folder", file=sys.stderr)
        return 2
    result = run(vault, args.keep)
    if result is None:
        print("hugo: not installed (apt-get install hugo)")
        return 0
    if result.returncode != 0:
        sys.stderr.write(result.output)
        print(f"hugo: failed with exit code {result.returncode}")
        return 1
    peak = f"{result.peak_mb:.1f}" if result.peak_mb is not None else "nan"
    print(f"hugo seconds={result.seconds:.3f} peak_mb={peak} people={result.people}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
