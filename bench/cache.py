"""The parse cache alone: reading its files, then asking it for every note or for some.

Usage::

    python bench/cache.py VAULT [--some 2500] [--reps 3]

Run it after a build of VAULT, so that its cache (``VAULT/.vaultnet/cache/``) is complete.
Each step runs in a new process, as a build would, ``--reps`` times in turn, and the
medians are printed, in seconds of CPU time of that process (``time.process_time``, so that
other work on the machine does not count), the garbage collector paused as a build pauses
it:

* ``load``: reading the cache's 256 files, asking for no note;
* ``all``: the same, then asking for every note the vault's scan finds (``get``);
* ``some``: the same, then asking for ``--some`` of them, spread over the vault.

The last line is machine-readable::

    cache load_s=0.030 all_s=0.222 some_s=0.065 notes=12400 some=2500
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

STEPS = ("load", "all", "some")


def one_step(vault: Path, step: str, some: int) -> None:
    """Time one step here, and print the seconds and the notes asked for."""
    from vaultnet.config import load_config
    from vaultnet.source.vault import parse_options, scan
    from vaultnet.state.cache import NoteCache

    config = load_config(vault)
    options = parse_options(config)
    sources = scan(config).files
    wanted = {"load": [], "all": sources, "some": sources[:: max(1, len(sources) // some)][:some]}
    gc.disable()
    started = time.process_time()
    cache = NoteCache.for_vault(vault)
    cache.use_options(options)
    len(cache.entries)  # the files are read on first use
    missing = sum(cache.get(source) is None for source in wanted[step])
    seconds = time.process_time() - started
    if missing:
        raise SystemExit(f"{missing} notes are not in the cache: build {vault} first")
    print(f"{seconds} {len(wanted[step])}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: time the steps, each in a new process, and print their medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("vault", type=Path, help="a vault built once (its cache complete)")
    parser.add_argument("--some", type=int, default=2500, help="notes asked for in 'some'")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)  # one, in this process
    args = parser.parse_args(argv)
    if args.step:
        one_step(args.vault, args.step, args.some)
        return 0
    times: dict[str, list[float]] = {step: [] for step in STEPS}
    asked: dict[str, int] = {}
    for _ in range(args.reps):
        for step in STEPS:
            command = [sys.executable, __file__, str(args.vault), "--step", step]
            done = subprocess.run([*command, "--some", str(args.some)], capture_output=True)
            if done.returncode:
                raise SystemExit(done.stderr.decode(errors="replace"))
            seconds, notes = done.stdout.split()
            times[step].append(float(seconds))
            asked[step] = int(notes)
    medians = {step: statistics.median(values) for step, values in times.items()}
    for step, values in times.items():
        shown = " ".join(f"{value:.3f}" for value in values)
        print(f"{step:5} {medians[step]:.3f} s  ({shown})")
    figures = " ".join(f"{step}_s={value:.3f}" for step, value in medians.items())
    print(f"cache {figures} notes={asked['all']} some={asked['some']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
