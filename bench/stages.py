"""Time a one-shot build stage by stage, after editing a few notes.

Usage::

    python bench/stages.py VAULT [EDITS] [--no-briefs] [--today YYYY-MM-DD]

Appends a log line to the first EDITS notes of VAULT/People (0: none), builds once with the
vault's own cache and saved state, as ``vaultnet build`` does, and prints one line: the
time to import vaultnet, then the Builder's stages (read: walk, stat and load the parse
cache; model; render, insights and briefs included; write), what the build spent besides
(saving the cache, the rows and the record), and the total of the process.

``--no-briefs`` renders no brief pages (the output differs): to time the rest alone.
``--today`` builds for another day than 2026-11-26: a build the day after the last one
makes every person again (their follow-ups depend on the day).
"""

from __future__ import annotations

import time

started = time.perf_counter()

import argparse  # noqa: E402 - the imports are what is timed
import datetime as dt  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402

from vaultnet.config import load_config  # noqa: E402
from vaultnet.pipeline import build  # noqa: E402
from vaultnet.state.cache import NoteCache  # noqa: E402

imported = time.perf_counter()
TODAY = dt.date(2026, 11, 26)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("edits", type=int, nargs="?", default=0)
    parser.add_argument("--no-briefs", action="store_true")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=TODAY)
    args = parser.parse_args()
    gc.disable()  # as the vaultnet program runs (cli/main.py: run)
    people = args.vault / "People"
    for name in sorted(os.listdir(people))[: args.edits]:
        with open(people / name, "a", encoding="utf-8") as handle:
            handle.write(f"- 2026-11-25 — call {time.time()}\n")
    if args.no_briefs:
        from vaultnet.render import render

        render.brief_jobs = lambda *_args, **_kwargs: []  # type: ignore[assignment]
    builder = build.Builder(load_config(args.vault), NoteCache.for_vault(args.vault))
    result = builder.build(build.BuildRequest(args.today, once=True))
    timings = dict(result.timings)
    total = timings.pop("total")
    stages = {"imports": imported - started, **timings, "save+rest": total - sum(timings.values())}
    shown = " ".join(f"{name} {seconds:.3f}" for name, seconds in stages.items())
    print(f"{shown} | process {time.perf_counter() - started:.3f} s")


if __name__ == "__main__":
    main()
