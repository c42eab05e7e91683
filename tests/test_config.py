"""vaultnet.toml validated up front, and the Obsidian settings that shape a vault."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.conftest import TODAY, WriteNote
from vaultnet import build_vault
from vaultnet.config import DEFAULT_TIERS, Config, load_config
from vaultnet.dates import Duration
from vaultnet.errors import ConfigError


def config_with(vault: Path, toml: str) -> Config:
    (vault / "vaultnet.toml").write_text(toml, encoding="utf-8")
    return load_config(vault)


def config_error(vault: Path, toml: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        config_with(vault, toml)
    assert info.value.exit_code == 2
    assert info.value.path == "vaultnet.toml"
    return info.value


def test_defaults_without_a_file(vault: Path) -> None:
    config = load_config(vault)
    assert config.vault == vault.resolve()
    assert config.output_dir == "Network"
    assert config.people_dirs == (".",)
    assert config.exclude == (".obsidian", ".trash", ".git", ".vaultnet")
    assert config.templates_dir == ".vaultnet/templates"
    assert config.log_headings == ("Log", "Interactions", "Meetings", "Contact log")
    assert config.horizon_days == 30
    assert config.tiers == DEFAULT_TIERS
    assert [(t.name, t.title, str(t.cadence)) for t in config.tiers] == [
        ("champion", "Champions", "30d"),
        ("advocate", "Advocates", "60d"),
        ("supporter", "Supporters", "90d"),
        ("acquaintance", "Acquaintances", "180d"),
    ]
    assert config.weakest.name == "acquaintance"
    assert config.path is None
    assert config.warnings == ()


def test_an_empty_file_and_the_init_template_give_the_defaults(vault: Path) -> None:
    empty = config_with(vault, "")
    template = Path(__file__).resolve().parent.parent / "templates" / "vaultnet.toml"
    full = config_with(vault, template.read_text(encoding="utf-8"))
    for config in (empty, full):
        assert config.tiers == DEFAULT_TIERS
        assert config.output_dir == "Network"
        assert config.warnings == ()


def test_values_are_read(vault: Path) -> None:
    config = config_with(
        vault,
        """
        output_dir = "CRM/Pages/"
        people_dirs = ["People", "Work/Contacts"]
        exclude = ["Archive", "*.excalidraw.md"]
        log_headings = ["Touchpoints"]
        horizon_days = 45
        render_timeout_s = 2.5

        [[tiers]]
        name = "inner"
        title = "Inner circle"
        cadence = "2w"
        [[tiers]]
        name = "outer"
        cadence = "quarterly"
        """.replace("\n        ", "\n"),
    )
    assert config.output_dir == "CRM/Pages"
    assert config.output_path == vault.resolve() / "CRM" / "Pages"
    assert config.people_dirs == ("People", "Work/Contacts")
    assert config.exclude == ("Archive", "*.excalidraw.md")
    assert config.log_headings == ("Touchpoints",)
    assert config.horizon_days == 45
    assert config.render_timeout_s == 2.5
    assert [(t.name, t.title, t.cadence, t.rank) for t in config.tiers] == [
        ("inner", "Inner circle", Duration(days=14), 0),
        ("outer", "Outers", Duration(months=3), 1),
    ]
    assert config.tier_named("INNER CIRCLE") is config.tiers[0]
    assert config.tier_named("outers") is config.tiers[1]
    assert config.tier_named("champion") is None


def test_a_tier_title_may_repeat_its_name(vault: Path) -> None:
    config = config_with(vault, '[[tiers]]\nname = "friends"\ntitle = "Friends"\n')
    assert [(t.name, t.title) for t in config.tiers] == [("friends", "Friends")]


def test_unknown_key_warns_with_the_closest_key(vault: Path) -> None:
    config = config_with(vault, "horizn_days = 10\nzzz = 1\n")
    assert config.horizon_days == 30
    assert [str(w) for w in config.warnings] == [
        "vaultnet.toml: warning: unknown key 'horizn_days' (did you mean 'horizon_days'?); ignored",
        "vaultnet.toml: warning: unknown key 'zzz'; ignored",
    ]


@pytest.mark.parametrize(
    ("toml", "key", "expected"),
    [
        ("horizon_days = '30'", "horizon_days", "an integer"),
        ("horizon_days = true", "horizon_days", "an integer"),
        ("horizon_days = 1.5", "horizon_days", "an integer"),
        ("horizon_days = 0", "horizon_days", "positive"),
        ("output_dir = 3", "output_dir", "a string"),
        ("people_dirs = 'People'", "people_dirs", "a list"),
        ("people_dirs = [1]", "people_dirs", "non-empty strings"),
        ("exclude = ['']", "exclude", "non-empty strings"),
        ("log_headings = 'Log'", "log_headings", "a list"),
        ("render_timeout_s = 'fast'", "render_timeout_s", "a number"),
        ("ics = 1", "ics", "true or false"),
        ("tiers = 'champion'", "tiers", "a list"),
        ("tiers = []", "tiers", "at least one"),
        ("max_note_kb = -1", "max_note_kb", "positive"),
        ("render_timeout_s = 0", "render_timeout_s", "positive"),
        ("render_timeout_s = -1.5", "render_timeout_s", "positive"),
        ("render_timeout_s = nan", "render_timeout_s", "positive"),
    ],
)
def test_wrong_types_stop_with_exit_2_naming_the_key(
    vault: Path, toml: str, key: str, expected: str
) -> None:
    error = config_error(vault, toml)
    assert key in error.message
    assert expected in error.message
    assert str(error).startswith("vaultnet.toml: ")


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[[tiers]]\nname = 'a'\ncadence = 'often'", "tier 'a': cadence must be a duration"),
        ("[[tiers]]\nname = 'a'\ncadence = 0", "tier 'a': cadence must be a duration"),
        ("[[tiers]]\nname = 'a'\ncadence = true", "tier 'a': cadence must be a duration"),
        ("[[tiers]]\ncadence = '30d'", "needs a name"),
        ("[[tiers]]\nname = ''", "needs a name"),
        ("[[tiers]]\nname = 'a'\ntitle = 3", "title must be a string"),
        ("[[tiers]]\nname = 'a'\n[[tiers]]\nname = 'A'", "used twice"),
        ("[[tiers]]\nname = 'a'\ntitle = 'B'\n[[tiers]]\nname = 'b'", "used twice"),
        ("tiers = ['a']", "must be a table"),
    ],
)
def test_invalid_tiers(vault: Path, toml: str, expected: str) -> None:
    assert expected in config_error(vault, toml).message


@pytest.mark.parametrize(
    "value",
    [".", "./", "", "/", "/abs/path", "..", "../outside", "a/../../outside", "..\\\\outside"],
)
def test_output_dir_must_be_a_folder_inside_the_vault(vault: Path, value: str) -> None:
    error = config_error(vault, f'output_dir = "{value}"')
    assert "output_dir must be a folder inside the vault" in error.message


def test_output_dir_may_not_hold_people_dirs(vault: Path) -> None:
    error = config_error(vault, 'output_dir = "People"\npeople_dirs = ["People/Work"]')
    assert "would read its own pages back" in error.message


def test_people_dirs_may_be_the_vault_root(vault: Path) -> None:
    assert config_with(vault, 'people_dirs = ["."]').people_dirs == (".",)


def test_people_dirs_outside_the_vault_are_refused(vault: Path) -> None:
    assert "people_dirs" in config_error(vault, 'people_dirs = ["../x"]').message


def test_invalid_toml_names_the_line(vault: Path) -> None:
    error = config_error(vault, 'output_dir = "Network"\nthis is not toml\n')
    assert error.line == 2
    assert "not valid TOML" in error.message


def test_missing_vault_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="vault folder not found"):
        load_config(tmp_path / "missing")


def test_bom_in_config_is_accepted(vault: Path) -> None:
    (vault / "vaultnet.toml").write_bytes(b"\xef\xbb\xbfhorizon_days = 12\n")
    assert load_config(vault).horizon_days == 12


# --- Obsidian's settings ---------------------------------------------------------------------


def _obsidian(vault: Path, name: str, value: object) -> None:
    path = vault / ".obsidian" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


def test_obsidian_settings_are_read(vault: Path) -> None:
    _obsidian(vault, "templates.json", {"folder": "Templates/"})
    _obsidian(
        vault, "plugins/templater-obsidian/data.json", {"templates_folder": "/Meta/Templater"}
    )
    _obsidian(vault, "daily-notes.json", {"folder": "Journal", "format": "DD.MM.YYYY"})
    config = load_config(vault)
    assert config.template_folders == ("Templates", "Meta/Templater")
    assert config.daily_folder == "Journal"
    assert config.daily_format == "DD.MM.YYYY"


def test_broken_obsidian_settings_are_ignored(vault: Path) -> None:
    (vault / ".obsidian").mkdir()
    (vault / ".obsidian" / "templates.json").write_text("{not json", encoding="utf-8")
    _obsidian(vault, "daily-notes.json", ["not", "an", "object"])
    config = load_config(vault)
    assert config.template_folders == ()
    assert config.daily_format == "YYYY-MM-DD"


def test_obsidian_template_folders_are_not_read(vault: Path, write: WriteNote) -> None:
    _obsidian(vault, "templates.json", {"folder": "Templates"})
    _obsidian(vault, "plugins/templater-obsidian/data.json", {"templates_folder": "Meta/T"})
    write("Templates/Person.md", "---\ntier: {{tier}}\nname: {{title}}\n---\n")
    write("Meta/T/Other.md", "---\ntier: champion\n---\n")
    write("Ann.md", "---\ntier: champion\n---\n")
    result = build_vault(load_config(vault), TODAY, write=False)
    assert [p.key for p in result.network.people] == ["Ann.md"]
    assert result.diagnostics == []


def test_excluded_folders_are_not_read(vault: Path, write: WriteNote) -> None:
    config_with(vault, 'exclude = ["Archive", "Old*"]')
    write("Archive/Gone.md", "---\ntier: champion\n---\n")
    write("Old stuff/Gone.md", "---\ntier: champion\n---\n")
    write(".trash/Gone.md", "---\ntier: champion\n---\n")
    write("Keep.md", "---\ntier: champion\n---\n")
    result = build_vault(load_config(vault), TODAY, write=False)
    assert [p.key for p in result.network.people] == ["Keep.md"]


def test_obsidian_daily_note_format_dates_mentions(vault: Path, write: WriteNote) -> None:
    _obsidian(vault, "daily-notes.json", {"folder": "Journal", "format": "DD.MM.YYYY"})
    config_with(vault, 'people_dirs = ["People"]')
    write("People/Ann.md", "---\ntier: champion\n---\n")
    write("Journal/03.11.2026.md", "Lunch with [[Ann]]\n")
    result = build_vault(load_config(vault), TODAY, write=False)
    ann = result.network.by_key["People/Ann.md"]
    assert ann.last_contact == dt.date(2026, 11, 3)


def test_people_dirs_limit_who_is_a_person(vault: Path, write: WriteNote) -> None:
    config_with(vault, 'people_dirs = ["People"]')
    write("People/Ann.md", "---\ntier: champion\n---\n")
    write("Elsewhere/Bob.md", "---\ntier: champion\n---\n")
    result = build_vault(load_config(vault), TODAY, write=False)
    assert [p.key for p in result.network.people] == ["People/Ann.md"]
