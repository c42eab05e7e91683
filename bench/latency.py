"""Measure how soon ``vaultnet watch`` has the pages up to date after a note is saved.

Usage::

    python bench/latency.py VAULT [--edits 20] [--batch 100] [--debounce 0.2]
    python bench/latency.py --people 10000          # generate a vault in a temporary folder

In-process: a ``Watcher`` (the loop behind ``vaultnet watch``, with real file events) runs
on a thread over a temporary copy of VAULT, so the original is left as it was. After its
first build, ``--edits`` person notes spread through the vault are edited one at a time:
a log entry dated 2026-11-26 (the ``--today`` of every run) is appended, which moves the
person's last contact and so changes their rows on the index, tier and follow-up pages.
For each edit it records

* write → pages written: from just before the write to the end of the rebuild that names
  the note (the debounce included);
* end of debounce → pages written: the rebuild alone.

Then ``--batch`` other notes are edited in one go, and it records the time from the first
write to the end of the rebuild that covers the last of them, and how many rebuilds that took.
Progress goes to stderr; the report (a markdown table, with the command) to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from vaultnet.config import load_config  # noqa: E402
from vaultnet.pipeline.watch import Rebuild, Watcher  # noqa: E402

TODAY = dt.date(2026, 11, 26)
DEADLINE = 600.0  # seconds to wait for one rebuild before giving up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("vault", nargs="?", type=Path, help="a vault (it is copied first)")
    parser.add_argument("--people", type=int, help="generate a vault of this many people")
    parser.add_argument("--edits", type=int, default=20, help="single edits to time")
    parser.add_argument("--batch", type=int, default=100, help="notes edited in one go")
    parser.add_argument("--debounce", type=float, default=0.2, help="the watcher's debounce")
    args = parser.parse_args(argv)
    if (args.vault is None) == (args.people is None):
        parser.error("give either a VAULT or --people N")
    with tempfile.TemporaryDirectory(prefix="vaultnet-latency-") as temp:
        vault = Path(temp) / "vault"
        if args.people is not None:
            progress(f"generating {args.people} people")
            subprocess.run(
                [sys.executable, BENCH_DIR / "generate.py", vault, "--people", str(args.people)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        else:
            progress(f"copying {args.vault}")
            shutil.copytree(args.vault, vault, ignore=shutil.ignore_patterns(".vaultnet"))
        report(measure(vault, args.edits, args.batch, args.debounce))
    return 0


def progress(message: str) -> None:
    print(f"[latency] {message}", file=sys.stderr, flush=True)


class Probe:
    """A Watcher on a thread, and a way to wait for the rebuild that covers given notes."""

    def __init__(self, vault: Path, debounce: float) -> None:
        self.builds: list[Rebuild] = []
        self.changed = threading.Condition()
        self.watcher = Watcher(
            load_config(vault),
            today=TODAY,
            debounce=debounce,
            clock=time.perf_counter,
            on_build=self._on_build,
            on_notice=lambda notice: progress(f"notice: {notice}"),
        )
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watcher.run, args=(self.stop,))

    def _on_build(self, rebuild: Rebuild) -> None:
        with self.changed:
            self.builds.append(rebuild)
            self.changed.notify_all()

    def wait_first(self) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: bool(self.builds), DEADLINE):
                raise TimeoutError("no first build")

    def wait_covering(self, paths: set[str], since: int) -> list[Rebuild]:
        """Wait for the rebuilds (from index ``since`` on) that saw all of ``paths``."""
        with self.changed:
            if not self.changed.wait_for(lambda: self.covering(paths, since), DEADLINE):
                raise TimeoutError(f"no rebuild saw {len(paths)} changed notes")
            return self.covering(paths, since)

    def covering(self, paths: set[str], since: int) -> list[Rebuild]:
        """The rebuilds from index ``since`` on, up to the first one that saw all ``paths``."""
        seen: set[str] = set()
        for number, rebuild in enumerate(self.builds[since:]):
            seen.update(rebuild.paths)
            if paths <= seen or rebuild.full:
                return self.builds[since : since + number + 1]
        return []


@dataclass
class Figures:
    """What one run measured; times in seconds."""

    people: int
    debounce: float
    first: float  # the first, full build
    singles: list[tuple[float, Rebuild]]  # write → pages written, and the rebuild
    batch: int
    batch_total: float  # first write of the batch → pages written
    batch_builds: list[Rebuild]


def measure(vault: Path, edits: int, batch: int, debounce: float) -> Figures:
    people = sorted(
        p.relative_to(vault).as_posix() for p in (vault / "People").rglob("*.md") if p.is_file()
    )
    if len(people) < edits + batch:
        raise SystemExit(f"the vault has {len(people)} people; need {edits + batch}")
    step = len(people) // (edits + batch)
    chosen = people[::step][: edits + batch]
    probe = Probe(vault, debounce)
    progress(f"{len(people)} people; first build")
    started = time.perf_counter()
    probe.thread.start()
    try:
        probe.wait_first()
        first = time.perf_counter() - started
        singles: list[tuple[float, Rebuild]] = []
        for number, path in enumerate(chosen[:edits], 1):
            since = len(probe.builds)
            wrote = append_entry(vault / path, number)
            rebuild = probe.wait_covering({path}, since)[-1]
            singles.append((rebuild.finished - wrote, rebuild))
            progress(f"edit {number}/{edits}: {singles[-1][0] * 1000:.0f} ms")
        paths = set(chosen[edits:])
        batch_builds: list[Rebuild] = []
        batch_total = 0.0
        if paths:  # --batch 0: no batch, and no rebuild to wait for
            since = len(probe.builds)
            batch_started = time.perf_counter()
            for number, path in enumerate(sorted(paths), 1):
                append_entry(vault / path, 1000 + number)
            batch_builds = probe.wait_covering(paths, since)
            batch_total = batch_builds[-1].finished - batch_started
    finally:
        probe.stop.set()
        probe.thread.join()
    return Figures(len(people), debounce, first, singles, len(paths), batch_total, batch_builds)


def append_entry(path: Path, number: int) -> float:
    """Append a log entry dated TODAY; return the clock just before the write."""
    text = path.read_text(encoding="utf-8")
    line = f"- {TODAY.isoformat()} call: latency probe {number}\n"
    if not text.endswith("\n"):
        line = "\n" + line
    wrote = time.perf_counter()
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line)
    return wrote


def report(figures: Figures) -> None:
    singles, batch_builds = figures.singles, figures.batch_builds
    command = shlex.join([Path(sys.executable).name, *sys.argv])
    print(f"Command: `{command}`  ")
    print(
        f"Vault: {figures.people:,} people · debounce {figures.debounce} s · "
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs · first build {figures.first:.1f} s\n"
    )
    print(f"| one edit (n={len(singles)}) | median | min | max |")
    print("|---|---:|---:|---:|")
    rows: list[tuple[str, list[float]]] = [
        ("write → pages written", [s[0] for s in singles]),
        ("end of debounce → pages written", [s[1].seconds for s in singles]),
    ]
    for step in ("read", "model", "insights", "render", "write"):
        values = [s[1].result.timings.get(step, 0.0) for s in singles if s[1].result is not None]
        rows.append((f"· of which {step}", values))
    for label, values in rows:
        if values:
            print(
                f"| {label} | {ms(statistics.median(values))} | {ms(min(values))} "
                f"| {ms(max(values))} |"
            )
    pages = [len(s[1].result.write.written) for s in singles if s[1].result is not None]
    if pages:
        median = statistics.median(pages)
        print(f"| pages written per edit | {median:.0f} | {min(pages)} | {max(pages)} |")
    if not figures.batch:
        return
    print()
    print(f"| batch of {figures.batch} edits | |")
    print("|---|---:|")
    print(f"| first write → pages written | {ms(figures.batch_total)} |")
    print(f"| rebuilds | {len(batch_builds)} |")
    print(f"| rebuild time (sum) | {ms(sum(b.seconds for b in batch_builds))} |")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


if __name__ == "__main__":
    raise SystemExit(main())
