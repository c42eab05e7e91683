"""What vaultnet reads of Obsidian's own settings in a vault's ``.obsidian/`` folder: the
link style, the daily notes (the core plugin's and the Periodic Notes plugin's sets) and
the template folders (the core Templates plugin's and Templater's). A file that is missing
or not a JSON object reads as empty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def obsidian_settings(root: Path) -> dict[str, Any]:
    """Template folders, the daily-note formats and the link style from ``.obsidian/``,
    when present."""
    folders = obsidian_template_folders(root)
    daily = read_json(root / ".obsidian" / "daily-notes.json")
    settings: dict[str, Any] = {
        "template_folders": tuple(dict.fromkeys(folder for folder, _ in folders))
    }
    if isinstance(daily.get("folder"), str):
        settings["daily_folder"] = daily["folder"].strip("/ ")
    if isinstance(daily.get("format"), str) and daily["format"].strip():
        settings["daily_format"] = daily["format"].strip()
    settings["periodic_daily"] = periodic_daily_notes(root)
    app = read_json(root / ".obsidian" / "app.json")
    settings["markdown_links"] = app.get("useMarkdownLinks") is True
    if app.get("newLinkFormat") in ("shortest", "relative", "absolute"):
        settings["link_format"] = app["newLinkFormat"]
    return settings


def periodic_daily_notes(root: Path) -> tuple[tuple[str, str], ...]:
    """The (folder, format) of each enabled daily-note set of the Periodic Notes plugin:
    its current settings (``calendarSets[].day``) and its older ones (``daily``)."""
    data = read_json(root / ".obsidian" / "plugins" / "periodic-notes" / "data.json")
    sets = data.get("calendarSets")
    days = (
        [item.get("day") for item in sets if isinstance(item, dict)]
        if isinstance(sets, list)
        else []
    )
    days.append(data.get("daily"))
    found: list[tuple[str, str]] = []
    for day in days:
        if not isinstance(day, dict) or day.get("enabled") is False:
            continue
        folder, moment_format = day.get("folder"), day.get("format")
        folder = folder.strip("/ ") if isinstance(folder, str) else ""
        moment_format = moment_format.strip() if isinstance(moment_format, str) else ""
        found.append((folder, moment_format or "YYYY-MM-DD"))
    return tuple(dict.fromkeys(found))


def obsidian_template_folders(root: Path) -> list[tuple[str, str]]:
    """The vault's Obsidian template folders, each with the plugin that reads it:
    ``"templates"`` (the core plugin's ``folder``) or ``"templater"`` (``templates_folder``
    of the Templater plugin)."""
    folders: list[tuple[str, str]] = []
    templates = read_json(root / ".obsidian" / "templates.json")
    if isinstance(templates.get("folder"), str) and templates["folder"].strip("/ "):
        folders.append((templates["folder"].strip("/ "), "templates"))
    templater = read_json(root / ".obsidian" / "plugins" / "templater-obsidian" / "data.json")
    folder = templater.get("templates_folder")
    if isinstance(folder, str) and folder.strip("/ "):
        folders.append((folder.strip("/ "), "templater"))
    return folders


def read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
