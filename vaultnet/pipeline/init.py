"""``vaultnet init``: a commented configuration and a person template, never overwriting."""

from __future__ import annotations

import os
from pathlib import Path

from vaultnet.config import CONFIG_NAME, load_config
from vaultnet.containment import state_dir
from vaultnet.errors import UsageError
from vaultnet.obsidianconfig import obsidian_template_folders
from vaultnet.render.builtin import PERSON_TEMPLATE, builtin_templates_dir

OBSIDIAN_TEMPLATE = "Person.md"

# Obsidian's template plugins fill in their own placeholders when a note is made from a
# template: the core plugin ``{{title}}`` and ``{{date:...}}``, Templater ``<% ... %>``.
_PLACEHOLDERS = {
    "templates": ("{{title}}", "{{date:YYYY-MM-DD}}"),
    "templater": ("<% tp.file.title %>", '<% tp.date.now("YYYY-MM-DD") %>'),
}


# Folder names that say "my people are here" (compared casefolded, at the vault's top).
PEOPLE_FOLDERS = ("people", "contacts", "persons", "person", "crm")
_PEOPLE_DIRS_LINE = '# people_dirs = ["."]\n'
_SAMPLE = 50  # notes looked at to tell whether a people folder's notes mark themselves


def people_folder(root: Path) -> tuple[str, bool] | None:
    """A top-level folder named like a people folder (``People``, ``Contacts``...), with
    whether to set it as ``people_dirs``: yes when its notes do not mark themselves as
    people (no ``tier``, ``type: person``, ``#person`` tag...), which only a people folder
    makes people; else it is merely suggested. None when there is no such folder."""
    from vaultnet.source.notes import Note, parse_note

    try:
        folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return None
    for folder in folders:
        if folder.name.casefold() not in PEOPLE_FOLDERS:
            continue
        notes = sorted(folder.glob("*.md"))[:_SAMPLE]
        if not notes:
            continue
        marked = 0
        for path in notes:
            try:
                note = parse_note(path.name, path.read_bytes())
            except OSError:
                continue
            marked += isinstance(note, Note) and note.person
        return folder.name, marked == 0
    return None


def _config_text(template: str, found: tuple[str, bool] | None) -> str:
    """The commented configuration, with the people folder found set or suggested."""
    if found is None or _PEOPLE_DIRS_LINE not in template:
        return template
    name, chosen = found
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    if chosen:
        line = (
            f"# Set by vaultnet init: every note in {name}/ is a person, marked or not.\n"
            f'people_dirs = ["{quoted}"]\n'
        )
    else:
        line = (
            f"{_PEOPLE_DIRS_LINE}# Found {name}/: to make every note in it a person (tier or "
            f'not), set\n# people_dirs = ["{quoted}"]\n'
        )
    return template.replace(_PEOPLE_DIRS_LINE, line, 1)


def init_vault(root: Path, said: list[str] | None = None) -> list[tuple[Path, bool]]:
    """Create ``vaultnet.toml`` and ``.vaultnet/templates/person.md.j2`` where missing, and a
    ``Person.md`` in each Obsidian template folder the vault has set up.

    vaultnet's own template lives in a hidden folder, which Obsidian neither shows nor
    offers as a template; the Obsidian one is what "Insert template" offers there.
    Returns each path with whether it was created (False: it existed and was left alone);
    what init chose on its own (a people folder) is added to ``said``.
    """
    root = root.expanduser()
    if root.exists() and not root.is_dir():
        raise UsageError(f"not a folder: {root}")
    root.mkdir(parents=True, exist_ok=True)
    builtin = builtin_templates_dir()
    templates = state_dir(root, "templates")  # never created through a link out of the vault
    found = None if (root / CONFIG_NAME).exists() else people_folder(root)
    config_text = _config_text((builtin / "vaultnet.toml").read_text(encoding="utf-8"), found)
    if found is not None and said is not None:
        name, chosen = found
        said.append(
            f'people_dirs = ["{name}"]: every note in {name}/ is a person'
            if chosen
            else f"found {name}/: its notes are marked as people; people_dirs stays the "
            f'whole vault (set people_dirs = ["{name}"] to read every note in it as a person)'
        )
    results = [
        _create(root / CONFIG_NAME, config_text.encode("utf-8")),
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
