"""What the ``build`` family of commands prints and exits with, apart from click: the
summary line, the diagnostics and the exit code, from a build's result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vaultnet.words import plural, problems_summary

if TYPE_CHECKING:
    from vaultnet.pipeline.build import BuildResult


def exit_code(result: BuildResult, strict: bool, errors_fail: bool) -> int:
    """1 with ``strict`` and any diagnostic, or with ``errors_fail`` and any error; else 0."""
    if strict and result.diagnostics:
        return 1
    if errors_fail and result.errors:
        return 1
    return 0


def build_summary(result: BuildResult, seconds: float, dry_run: bool) -> str:
    """``46 people · pages: 0 written, 20 unchanged, 0 removed · 3 ms``."""
    write = result.write
    archived = result.archived
    people = plural(result.people + archived, "person", "people")  # as check counts them
    people += f" ({archived} archived)" if archived else ""
    verb = "would write" if dry_run else "written"
    removed = "would remove" if dry_run else "removed"
    problems = ""
    if result.diagnostics:
        problems = f" · {problems_summary(result.errors, result.warnings)}"
    return (
        f"{people} · pages: {len(write.written)} {verb}, {len(write.unchanged)} unchanged, "
        f"{len(write.removed)} {removed} · {seconds * 1000:.0f} ms{problems}"
    )
