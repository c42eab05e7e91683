"""Docs that cannot drift: the CLI reference, the README's quick start and CI agree."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _reference_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "scripts" / "cli_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["cli_reference"] = module
    spec.loader.exec_module(module)
    return module


def test_commands_reference_matches_the_help() -> None:
    module = _reference_module()
    current = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert current == module.render(), "run: python scripts/cli_reference.py"


def test_every_command_is_documented_in_the_readme_and_reference() -> None:
    module = _reference_module()
    from vaultnet.cli.main import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    reference = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    for path in module._commands(main, []):
        name = " ".join(path)
        assert f"## vaultnet {name}" in reference
        assert f"vaultnet {path[0]}" in readme, f"README does not mention vaultnet {name}"


def test_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    commands = [line for line in block[1].splitlines() if line.strip()]
    assert len(commands) == 2
    assert "sample-vault" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines()
    # What the two commands need is said right above them.
    above = section.split("```sh", 1)[0]
    assert "python3 -m venv .venv && . .venv/bin/activate" in above
    assert "Python 3.11" in above


def test_docs_links_point_at_files_that_exist() -> None:
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        text = re.sub(r"`[^`\n]*`", "", text)  # examples in code spans are not links
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", text):
            if target.startswith("http"):
                continue
            base = ROOT if page.name == "README.md" else ROOT / "docs"
            assert (base / target).exists(), f"{page.name} links to missing {target}"


def test_readme_excerpt_is_what_the_sample_vault_gives() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What you get", 1)[1]
    excerpt = re.search(r"```markdown\n(.*?)```", section, re.S)
    assert excerpt is not None
    page = (ROOT / "tests" / "golden" / "sample" / "expected" / "Follow-ups.md").read_text(
        encoding="utf-8"
    )
    assert excerpt[1] in page, "README's excerpt of Follow-ups.md no longer matches the output"
