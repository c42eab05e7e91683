"""Time a one-shot build stage by stage, after editing a few notes.

Usage::

    python bench/stages.py VAULT [EDITS] [--no-briefs] [--today YYYY-MM-DD] [--cpu]

Appends a log line to the first EDITS notes of VAULT/People (0: none), builds once with the
vault's own cache and saved state, as ``vaultnet build`` does, and prints one line: the
time to import vaultnet, then the Builder's stages (read: walk, stat and load the parse
cache; model; render, insights and briefs included; write), what the build spent besides
(saving the cache, the rows and the record), and the total of the process.

``--no-briefs`` renders no brief pages (the output differs): to time the rest alone.
``--today`` builds for another day than 2026-11-26: a build the day after the last one
makes every person again (their follow-ups depend on the day).
``--cpu`` times every stage in CPU time of this process (``time.process_time``) rather
than in wall time: on a machine other programs share, the figures of two vault sizes
then compare (a wall time counts what the other programs ran meanwhile). The forked
helpers' and the parse pool's work is not counted: add ``VAULTNET_SERIAL=1`` to time
all of it here.
"""

from __future__ import annotations

import time

started = time.perf_counter()
started_cpu = time.process_time()

import argparse  # noqa: E402 - the imports are what is timed
import datetime as dt  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import types  # noqa: E402
from pathlib import Path  # noqa: E402

from vaultnet.config import load_config  # noqa: E402
from vaultnet.pipeline import build  # noqa: E402
from vaultnet.state.cache import NoteCache  # noqa: E402

imported = time.perf_counter()
imported_cpu = time.process_time() - started_cpu
TODAY = dt.date(2026, 11, 26)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("edits", type=int, nargs="?", default=0)
    parser.add_argument("--no-briefs", action="store_true")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=TODAY)
    parser.add_argument("--cpu", action="store_true", help="CPU time, not wall time")
    args = parser.parse_args()
    if args.cpu:
        # The Builder times its stages by its module's clock: this process's CPU time instead.
        build.time = types.SimpleNamespace(perf_counter=time.process_time)  # type: ignore[attr-defined,assignment]
    gc.disable()  # as the vaultnet program runs (cli/main.py: run)
    people = args.vault / "People"
    for name in sorted(os.listdir(people))[: args.edits]:
        with open(people / name, "a", encoding="utf-8") as handle:
            handle.write(f"- 2026-11-25 — call {time.time()}\n")
    if args.no_briefs:
        from vaultnet.insights import briefupdate  # where the briefs' jobs are made

        briefupdate.brief_jobs = lambda *_args, **_kwargs: []  # type: ignore[attr-defined]
    builder = build.Builder(load_config(args.vault), NoteCache.for_vault(args.vault))
    result = builder.build(build.BuildRequest(args.today, once=True))
    timings = dict(result.timings)
    total = timings.pop("total")
    stages = {
        "imports": imported_cpu if args.cpu else imported - started,
        **timings,
        "save+rest": total - sum(timings.values()),
    }
    shown = " ".join(f"{name} {seconds:.3f}" for name, seconds in stages.items())
    process = time.process_time() if args.cpu else time.perf_counter() - started
    print(f"{shown} | process {process:.3f} s{' cpu' if args.cpu else ''}")


if __name__ == "__main__":
    main()
