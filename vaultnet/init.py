"""``vaultnet init``: a commented configuration and a person template, never overwriting."""

from __future__ import annotations

import os
from pathlib import Path

from .config import CONFIG_NAME, load_config, obsidian_template_folders
from .containment import state_dir
from .errors import UsageError
from .render import PERSON_TEMPLATE, builtin_templates_dir

OBSIDIAN_TEMPLATE = "Person.md"

# Obsidian's template plugins fill in their own placeholders when a note is made from a
# template: the core plugin ``{{title}}`` and ``{{date:...}}``, Templater ``<% ... %>``.
_PLACEHOLDERS = {
    "templates": ("{{title}}", "{{date:YYYY-MM-DD}}"),
    "templater": ("<% tp.file.title %>", '<% tp.date.now("YYYY-MM-DD") %>'),
}


def init_vault(root: Path) -> list[tuple[Path, bool]]:
    """Create ``vaultnet.toml`` and ``.vaultnet/templates/person.md.j2`` where missing, and a
    ``Person.md`` in each Obsidian template folder the vault has set up.

    vaultnet's own template lives in a hidden folder, which Obsidian neither shows nor
    offers as a template; the Obsidian one is what "Insert template" offers there.
    Returns each path with whether it was created (False: it existed and was left alone).
    """
    root = root.expanduser()
    if root.exists() and not root.is_dir():
        raise UsageError(f"not a folder: {root}")
    root.mkdir(parents=True, exist_ok=True)
    builtin = builtin_templates_dir()
    templates = state_dir(root, "templates")  # never created through a link out of the vault
    results = [
        _create(root / CONFIG_NAME, (builtin / "vaultnet.toml").read_bytes()),
        _create(templates / PERSON_TEMPLATE, (builtin / PERSON_TEMPLATE).read_bytes()),
    ]
    folders = obsidian_template_folders(root)
    if folders:
        tier = load_config(root).weakest.name
        for folder, plugin in folders:
            target = (root / folder).resolve()
            if not target.is_relative_to(root.resolve()):
                continue  # a folder outside the vault is not the vault's to write in
            text = obsidian_person_template(tier, plugin)
            results.append(_create(target / OBSIDIAN_TEMPLATE, text.encode("utf-8")))
    return results


def obsidian_person_template(tier: str, plugin: str) -> str:
    """A person note template for Obsidian's core Templates plugin or for Templater."""
    title, date = _PLACEHOLDERS[plugin]
    return (
        f"---\ntier: {tier}\nmet: {date}\ntags:\n  - person\n---\n# {title}\n\n"
        f"How we met, what they care about, what they are working on.\n\n## Log\n"
        f"- {date} met: \n"
    )


def _create(target: Path, content: bytes) -> tuple[Path, bool]:
    """Write ``content`` to a new file at ``target``; leave an existing file alone."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return target, False
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return target, True
