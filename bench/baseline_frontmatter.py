"""The "plain pipeline" baseline: python-frontmatter + Jinja2, no cache, no cleverness.

Usage::

    python bench/baseline_frontmatter.py VAULT [--today 2026-11-26] [--out DIR]

It reads every ``.md`` file under VAULT (skipping folders whose name starts with a dot and the
top-level ``Network`` output folder), parses each with ``frontmatter.loads``, keeps the notes
that have a ``tier``, groups them by tier, works out each person's last contact (latest of
``last_contact``, ``met`` and the dated list items of the note) and due date (last contact plus
the tier's cadence), and renders an index page, one page per tier and a follow-ups page with
small inline Jinja2 templates. The pages go to a temporary folder (or ``--out``).

It prints one machine-readable line::

    baseline_frontmatter seconds=2.31 peak_mb=95.2 people=10000

``seconds`` runs from the start of ``main`` (the python-frontmatter and Jinja2 imports
included, interpreter start-up not) to the last page written; ``peak_mb`` is the process's
peak resident set size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIERS: tuple[tuple[str, str, int], ...] = (
    ("champion", "Champions", 30),
    ("advocate", "Advocates", 60),
    ("supporter", "Supporters", 90),
    ("acquaintance", "Acquaintances", 180),
)
OUTPUT_DIR = "Network"
LOG_DATE = re.compile(r"^\s*[-*] (?:\[\[)?(\d{4}-\d{2}-\d{2})(?:\]\])? (.*)$", re.MULTILINE)

INDEX_TEMPLATE = """\
---
generated_by: baseline
today: {{ today }}
---
# Network

{% for tier in tiers %}- {{ tier.title }}: {{ groups[tier.name] | length }}
{% endfor %}
{% for tier in tiers %}
## {{ tier.title }}
| | company | role | last contact | due |
|---|---|---|---|---|
{% for p in groups[tier.name] %}| [[{{ p.stem }}]] | {{ p.company }} | {{ p.role }} \
| {{ p.last_contact or "—" }} | {{ p.due or "—" }} |
{% endfor %}{% endfor %}"""

TIER_TEMPLATE = """\
---
generated_by: baseline
today: {{ today }}
---
# {{ tier.title }}

{{ members | length }} people, {{ members | selectattr("overdue") | list | length }} overdue.

| | last contact | cadence | due | |
|---|---|---|---|---|
{% for p in members %}| [[{{ p.stem }}]] | {{ p.last_contact or "—" }} | {{ tier.cadence }}d \
| {{ p.due or "—" }} | {{ "overdue" if p.overdue else "" }} |
{% endfor %}"""

FOLLOWUPS_TEMPLATE = """\
---
generated_by: baseline
today: {{ today }}
---
# Follow-ups · {{ today }}

**{{ overdue | length }} overdue · {{ never | length }} never contacted**

## Overdue
{% for tier in tiers %}{% set rows = overdue | selectattr("tier", "equalto", tier.name) | list %}\
{% if rows %}### {{ tier.title }}
| | due | last contact | last time |
|---|---|---|---|
{% for p in rows %}| [[{{ p.stem }}]] | {{ p.due }} | {{ p.last_contact }} | {{ p.last_text }} |
{% endfor %}{% endif %}{% endfor %}
## Never contacted
{% for p in never %}- [[{{ p.stem }}]]
{% endfor %}"""


@dataclass
class Tier:
    """A rung of the ladder with its default cadence in days."""

    name: str
    title: str
    cadence: int


@dataclass
class Row:
    """What the templates need to know about one person."""

    stem: str
    tier: str
    company: str
    role: str
    last_contact: dt.date | None
    last_text: str
    due: dt.date | None
    overdue: bool


def iter_notes(vault: Path) -> Iterator[Path]:
    """Yield every ``.md`` file under ``vault`` outside dot-folders and the output folder."""
    for root, dirs, files in os.walk(vault):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and not (root == str(vault) and d == OUTPUT_DIR)
        )
        for name in sorted(files):
            if name.endswith(".md"):
                yield Path(root, name)


def as_date(value: Any) -> dt.date | None:
    """Return ``value`` as a date when it is a date, a datetime or a ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def as_text(value: Any) -> str:
    """Return the first item of a list, or the value itself, as text ('' for none)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value).replace("|", "\\|")


def make_row(path: Path, meta: dict[str, Any], body: str, today: dt.date) -> Row:
    """Compute the follow-up view of one person note."""
    tier_names = {t[0] for t in TIERS}
    tier = str(meta.get("tier", "")).strip().lower()
    if tier not in tier_names:
        tier = TIERS[-1][0]
    cadence = next(t[2] for t in TIERS if t[0] == tier)
    last = as_date(meta.get("last_contact"))
    met = as_date(meta.get("met"))
    if met and (last is None or met > last):
        last = met
    last_text = ""
    planned: dt.date | None = None
    for match in LOG_DATE.finditer(body):
        day = as_date(match.group(1))
        if day is None:
            continue
        if day > today:
            planned = day if planned is None or day < planned else planned
        elif last is None or day >= last:
            last, last_text = day, match.group(2)
    due = planned or (last + dt.timedelta(days=cadence) if last else None)
    return Row(
        stem=path.stem,
        tier=tier,
        company=as_text(meta.get("company", meta.get("org"))),
        role=as_text(meta.get("role", meta.get("title"))),
        last_contact=last,
        last_text=last_text.replace("|", "\\|"),
        due=due,
        overdue=due is not None and due < today,
    )


def build(vault: Path, out: Path, today: dt.date) -> int:
    """Parse the vault, render the pages into ``out`` and return the number of people."""
    import frontmatter
    import jinja2

    rows: list[Row] = []
    for path in iter_notes(vault):
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
        if "tier" not in post.metadata:
            continue
        rows.append(make_row(path, post.metadata, post.content, today))

    tiers = [Tier(*t) for t in TIERS]
    groups: dict[str, list[Row]] = {t.name: [] for t in tiers}
    for row in sorted(rows, key=lambda r: r.stem.lower()):
        groups[row.tier].append(row)
    order = {t.name: i for i, t in enumerate(tiers)}
    far = dt.date.max
    overdue = sorted(
        (r for r in rows if r.overdue),
        key=lambda r: (order[r.tier], r.due or far, r.stem.lower()),
    )
    never = sorted((r for r in rows if r.due is None), key=lambda r: r.stem.lower())

    env = jinja2.Environment(autoescape=False, keep_trailing_newline=True)
    index = env.from_string(INDEX_TEMPLATE)
    tier_page = env.from_string(TIER_TEMPLATE)
    followups = env.from_string(FOLLOWUPS_TEMPLATE)

    (out / "Tiers").mkdir(parents=True, exist_ok=True)
    (out / "Index.md").write_text(
        index.render(today=today, tiers=tiers, groups=groups), encoding="utf-8"
    )
    for tier in tiers:
        (out / "Tiers" / f"{tier.title}.md").write_text(
            tier_page.render(today=today, tier=tier, members=groups[tier.name]),
            encoding="utf-8",
        )
    (out / "Follow-ups.md").write_text(
        followups.render(today=today, tiers=tiers, overdue=overdue, never=never),
        encoding="utf-8",
    )
    return len(rows)


def peak_mb() -> float:
    """Return this process's peak resident set size in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / (1024 * 1024)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: build the baseline pages and print the figures line."""
    start = time.perf_counter()
    parser = argparse.ArgumentParser(description="python-frontmatter + Jinja2 baseline")
    parser.add_argument("vault", type=Path)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 26))
    parser.add_argument("--out", type=Path, default=None, help="keep the pages in this folder")
    args = parser.parse_args(argv)
    vault: Path = args.vault
    if not vault.is_dir():
        print(f"baseline_frontmatter: {vault} is not a folder", file=sys.stderr)
        return 2
    if args.out is not None:
        people = build(vault, args.out, args.today)
    else:
        with tempfile.TemporaryDirectory(prefix="baseline-") as tmp:
            people = build(vault, Path(tmp), args.today)
    elapsed = time.perf_counter() - start
    print(f"baseline_frontmatter seconds={elapsed:.3f} peak_mb={peak_mb():.1f} people={people}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
