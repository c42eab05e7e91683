"""The parse alone, in microseconds per note: vaultnet's and python-frontmatter's, on the same
files, read into memory first.

Usage::

    python bench/generate.py --preset 10k bench/vaults/10k
    python bench/parse.py bench/vaults/10k [--reps 5]

Every ``.md`` file vaultnet would read (its scan of the vault) is read once into memory; then,
``--reps`` times in turn, each of the timed steps goes over all of them, and the median of
each step is printed:

* ``vaultnet``: ``NoteParser.parse`` on each file's bytes (what a cold build does per note);
* ``python-frontmatter``: ``frontmatter.loads`` on each file's decoded text (what the
  baseline in ``baseline_frontmatter.py`` does per note: front matter only, no log);
* the stages of vaultnet's parse: ``split`` (decoding and splitting off the front matter),
  ``front matter`` (reading it), ``log`` (the log sections of person notes) and ``rest``
  (the whole parse less those three: fields, history, tasks, mentions, diagnostics).

Times are CPU times of this process (``time.process_time``), so that other work on the
machine does not count; the garbage collector is paused while timing, as a build pauses
it. The last line is machine-readable::

    parse vaultnet_us=61.2 frontmatter_us=120.4 ratio=0.51 notes=12402
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def _timed(step: Callable[[], object]) -> float:
    # CPU time: on a shared machine, wall time also counts whatever else ran meanwhile.
    start = time.process_time()
    step()
    return time.process_time() - start


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: time the parse and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("vault", type=Path, help="a vault (bench/generate.py makes one)")
    parser.add_argument("--reps", type=int, default=5, help="repetitions (default 5)")
    args = parser.parse_args(argv)

    import frontmatter

    from vaultnet.config import load_config
    from vaultnet.source import document, yamldata
    from vaultnet.source.body import DateMemo, read_log
    from vaultnet.source.notes import TEXT_FIELDS, NoteParser
    from vaultnet.source.parsed import Problems
    from vaultnet.source.vault import parse_options, scan

    config = load_config(args.vault)
    options = parse_options(config)
    files = [
        (source.path, (config.vault / source.disk).read_bytes()) for source in scan(config).files
    ]
    texts = [data.decode("utf-8-sig") for _, data in files]
    docs = [(path, document.split(text)) for (path, _), text in zip(files, texts, strict=True)]
    front = [(doc.front_matter, doc.front_matter_line) for _, doc in docs if doc.front_matter]
    people = [
        (path, doc)
        for path, doc in docs
        if doc.front_matter and "\ntier:" in "\n" + doc.front_matter
    ]

    def ours() -> None:
        note_parser = NoteParser(options)
        for path, data in files:
            note_parser.parse(path, data)

    def theirs() -> None:
        for text in texts:
            frontmatter.loads(text)

    def split() -> None:
        for _, data in files:
            text, bom = document.decode(data)
            document.split(text, bom)

    def front_matter() -> None:
        for text, line in front:
            yamldata.load_mapping(text, TEXT_FIELDS, line)

    headings = frozenset(h.casefold() for h in options.log_headings)

    def log() -> None:
        dates = DateMemo()
        for path, doc in people:
            read_log(doc.body, doc.body_line, headings, path, Problems(path), dates)

    steps = {
        "vaultnet": ours,
        "python-frontmatter": theirs,
        "split": split,
        "front matter": front_matter,
        "log": log,
    }
    times: dict[str, list[float]] = {name: [] for name in steps}
    gc.disable()
    try:
        for _ in range(args.reps):
            for name, step in steps.items():
                times[name].append(_timed(step))
    finally:
        gc.enable()

    count = len(files)
    us = {name: statistics.median(values) / count * 1e6 for name, values in times.items()}
    us["rest"] = us["vaultnet"] - us["split"] - us["front matter"] - us["log"]
    ratio = us["vaultnet"] / us["python-frontmatter"]
    print(f"{count} notes ({len(people)} people), median of {args.reps}, us per note:")
    print("| step | us/note |")
    print("|---|---|")
    for name in ("python-frontmatter", "vaultnet", "split", "front matter", "log", "rest"):
        print(f"| {name} | {us[name]:.1f} |")
    print(f"| vaultnet / python-frontmatter | {ratio:.2f} |")
    print(
        f"parse vaultnet_us={us['vaultnet']:.1f} frontmatter_us={us['python-frontmatter']:.1f} "
        f"ratio={ratio:.2f} notes={count}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
