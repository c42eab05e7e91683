"""The vault's configuration: ``vaultnet.toml`` validated up front, plus Obsidian's settings.

Tiers and the ``[notify]`` and ``[capture]`` tables are named tuples, not dataclasses: a
class made at import in a fifth of the time (docs/performance.md, "Imports that cost what
the build uses").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from vaultnet.containment import STATE_DIR, contained
from vaultnet.dates import Duration, parse_duration
from vaultnet.diagnostics import Diagnostic
from vaultnet.errors import ConfigError, UsageError
from vaultnet.names import safe_filename
from vaultnet.obsidianconfig import obsidian_settings

CONFIG_NAME = "vaultnet.toml"
NOT_A_VAULT = (
    "not inside a vault (no vaultnet.toml or .obsidian/ here or above): "
    "run `vaultnet init`, or name the vault folder"
)


def find_vault(start: Path | None = None) -> Path:
    """The vault ``start`` (default: the current folder) lies in, found as git finds a
    repository: ``start`` or the nearest folder above it that holds ``vaultnet.toml`` or
    ``.obsidian/``.

    Raises UsageError (exit code 2) when there is none, before anything is read, so that
    a command run in the wrong folder neither reads nor writes there.
    """
    try:
        here = (start or Path.cwd()).expanduser().absolute()
    except OSError as exc:  # the current folder was deleted or cannot be reached
        raise UsageError(
            f"cannot tell the current folder ({exc.strerror}): name the vault"
        ) from None
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file() or (folder / ".obsidian").is_dir():
            return folder
    raise UsageError(NOT_A_VAULT)


class Tier(NamedTuple):
    """A rung of the ladder; ``rank`` 0 is the strongest."""

    name: str
    title: str
    cadence: Duration
    rank: int


class NotifyConfig(NamedTuple):
    """The ``[notify]`` table: where ``vaultnet notify`` sends today's reminders, and when."""

    urls: tuple[str, ...] = ()  # as written: ``${NAME}`` is expanded only when sending
    limit: int = 10  # people in one message; the rest become "and K more"
    time: str = "08:30"  # HH:MM, for the timer ``vaultnet schedule`` writes
    format: str = "text"  # "text", "md" or "json"


NOTIFY_FORMATS = ("text", "md", "json")
DEFAULT_NOTIFY = NotifyConfig()  # immutable: one for every configuration without [notify]


class Capture(NamedTuple):
    """``[capture]``: who you are in exports, and where source notes go."""

    me: tuple[str, ...] = ()  # your email addresses, case-folded
    linkedin: str | None = None  # your LinkedIn profile URL
    sources_dir: str = "Sources"
    max_attendees: int = 8  # events with more are all-hands, skipped
    max_recipients: int = 8  # mail to more is a mailing, skipped


DEFAULT_EXCLUDE = (".obsidian", ".trash", ".git", ".vaultnet")
# "Contact log" is the heading of the Obsidian personal-CRM plugin's notes.
DEFAULT_LOG_HEADINGS = ("Log", "Interactions", "Meetings", "Contact log")
DEFAULT_DORMANT_AFTER = Duration(days=365)
DEFAULT_TIERS = (
    Tier("champion", "Champions", Duration(days=30), 0),
    Tier("advocate", "Advocates", Duration(days=60), 1),
    Tier("supporter", "Supporters", Duration(days=90), 2),
    Tier("acquaintance", "Acquaintances", Duration(days=180), 3),
)


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a build needs to know about a vault, validated."""

    vault: Path
    output_dir: str = "Network"
    people_dirs: tuple[str, ...] = (".",)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    templates_dir: str = ".vaultnet/templates"
    log_headings: tuple[str, ...] = DEFAULT_LOG_HEADINGS
    horizon_days: int = 30
    # Follow-ups stays a to-do list: people out of touch this long are dormant, not
    # overdue, and each section shows this many rows (docs/followups.md).
    dormant_after: Duration = DEFAULT_DORMANT_AFTER
    followups_rows: int = 15
    # Where new person notes go (``add``, imports) when no --dir is given.
    people_folder: str = "People"
    brief_days: int = 2  # people with a planned entry this many days ahead get a brief page
    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    max_note_kb: int = 5120
    max_front_matter_kb: int = 256
    render_timeout_s: float = 20.0
    max_page_kb: int = 20480
    ics: bool = False
    ics_alarm: str = ""  # an iCalendar duration from the start of the day ("PT9H"); "" for none
    canvas_max_nodes: int = 200  # people drawn on Introductions.canvas; the rest are counted
    notify: NotifyConfig = DEFAULT_NOTIFY
    follow_outside_links: bool = False
    capture: Capture = field(default_factory=Capture)
    # [obsidian] properties: build keeps vaultnet_* properties in person notes (for Bases)
    obsidian_properties: bool = False
    # From Obsidian's settings: folders of template notes, and how daily notes are named.
    template_folders: tuple[str, ...] = ()
    daily_folder: str = ""
    daily_format: str = "YYYY-MM-DD"
    # Obsidian's "Use [[Wikilinks]]" off (useMarkdownLinks) and its newLinkFormat: how the
    # links vaultnet writes are written (links.note_link).
    markdown_links: bool = False
    link_format: str = "shortest"
    # The Periodic Notes plugin's daily notes: (folder, format) pairs, read as daily notes too.
    periodic_daily: tuple[tuple[str, str], ...] = ()
    path: Path | None = None
    warnings: tuple[Diagnostic, ...] = field(default=(), compare=False)

    @property
    def weakest(self) -> Tier:
        return self.tiers[-1]

    @property
    def output_path(self) -> Path:
        return self.vault / self.output_dir

    def tier_named(self, text: str) -> Tier | None:
        """The tier whose name or title matches ``text`` case-insensitively."""
        wanted = text.strip().casefold()
        for tier in self.tiers:
            if wanted in (tier.name.casefold(), tier.title.casefold()):
                return tier
        return None


_KNOWN: dict[str, type | tuple[type, ...]] = {
    "output_dir": str,
    "people_dirs": list,
    "exclude": list,
    "templates_dir": str,
    "log_headings": list,
    "horizon_days": int,
    "dormant_after": (str, int),
    "followups_rows": int,
    "people_folder": str,
    "brief_days": int,
    "tiers": list,
    "max_note_kb": int,
    "max_front_matter_kb": int,
    "render_timeout_s": (int, float),
    "max_page_kb": int,
    "ics": bool,
    "ics_alarm": str,
    "canvas_max_nodes": int,
    "notify": dict,
    "follow_outside_links": bool,
    "capture": dict,
    "obsidian": dict,
}
_CAPTURE_KEYS: dict[str, type] = {
    "me": list,
    "linkedin": str,
    "sources_dir": str,
    "max_attendees": int,
    "max_recipients": int,
}
_TIER_KEYS = {"name", "title", "cadence"}
_TYPE_NAMES: dict[type | tuple[type, ...], str] = {
    str: "a string",
    list: "a list",
    int: "an integer",
    bool: "true or false",
    dict: "a table",
    (str, int): "a duration such as 365d",
    (int, float): "a number",
}
_NOTIFY_KEYS = {"urls", "limit", "time", "format"}


def load_config(vault: Path | str) -> Config:
    """Read ``vaultnet.toml`` (if any) and Obsidian's settings for the vault at ``vault``.

    Raises ConfigError (exit code 2) for a missing vault, unreadable TOML or a bad value;
    unknown keys become warnings on the returned Config.
    """
    root = Path(vault).expanduser()
    if not root.is_dir():
        raise ConfigError(f"vault folder not found: {root}")
    root = root.resolve()
    path = root / CONFIG_NAME
    raw: dict[str, Any] = {}
    warnings: list[Diagnostic] = []
    if path.is_file():
        import tomllib  # only for a vault with a config file

        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            line = _toml_line(str(exc))
            raise ConfigError(f"not valid TOML: {exc}", CONFIG_NAME, line) from None
        except OSError as exc:
            raise ConfigError(f"cannot read: {exc.strerror}", CONFIG_NAME) from None
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _KNOWN:
            import difflib  # only for a key that is not known

            close = difflib.get_close_matches(key, list(_KNOWN), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            warnings.append(
                Diagnostic(CONFIG_NAME, None, "warning", f"unknown key {key!r}{hint}; ignored")
            )
            continue
        values[key] = _checked(key, value)
    config = Config(
        vault=root,
        output_dir=_relative_dir(values.get("output_dir", "Network"), "output_dir"),
        people_dirs=tuple(
            _relative_dir(d, "people_dirs", allow_root=True)
            for d in _strings(values.get("people_dirs", ["."]), "people_dirs")
        ),
        exclude=tuple(_strings(values.get("exclude", list(DEFAULT_EXCLUDE)), "exclude")),
        templates_dir=_relative_dir(
            values.get("templates_dir", ".vaultnet/templates"), "templates_dir"
        ),
        log_headings=tuple(
            _strings(values.get("log_headings", list(DEFAULT_LOG_HEADINGS)), "log_headings")
        ),
        horizon_days=_positive(values.get("horizon_days", 30), "horizon_days"),
        dormant_after=_duration(values.get("dormant_after", "365d"), "dormant_after"),
        followups_rows=_positive(values.get("followups_rows", 15), "followups_rows"),
        people_folder=_people_folder(values.get("people_folder"), values.get("people_dirs")),
        brief_days=_not_negative(values.get("brief_days", 2), "brief_days"),
        tiers=_tiers(values["tiers"], warnings) if "tiers" in values else DEFAULT_TIERS,
        max_note_kb=_positive(values.get("max_note_kb", 5120), "max_note_kb"),
        max_front_matter_kb=_positive(
            values.get("max_front_matter_kb", 256), "max_front_matter_kb"
        ),
        render_timeout_s=_seconds(values.get("render_timeout_s", 20.0), "render_timeout_s"),
        max_page_kb=_positive(values.get("max_page_kb", 20480), "max_page_kb"),
        ics=bool(values.get("ics", False)),
        ics_alarm=_alarm(values.get("ics_alarm", "")),
        canvas_max_nodes=_positive(values.get("canvas_max_nodes", 200), "canvas_max_nodes"),
        notify=_notify(values.get("notify", {}), warnings),
        follow_outside_links=bool(values.get("follow_outside_links", False)),
        capture=_capture(values.get("capture", {}), warnings),
        obsidian_properties=_obsidian(values.get("obsidian", {}), warnings),
        path=path if path.is_file() else None,
        warnings=tuple(warnings),
        **obsidian_settings(root),
    )
    _check_output_dir(config)
    _check_links(config)
    return config


def _toml_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match[1]) if match else None


def _checked(key: str, value: Any) -> Any:
    expected = _KNOWN[key]
    ok = isinstance(value, expected) and not (isinstance(value, bool) and expected is not bool)
    if not ok:
        wanted = _TYPE_NAMES.get(expected, "a value")
        raise ConfigError(
            f"{key} must be {wanted}, not {type(value).__name__} {value!r}", CONFIG_NAME
        )
    return value


def _strings(value: list[Any], key: str) -> list[str]:
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(
                f"{key} must be a list of non-empty strings, found {item!r}", CONFIG_NAME
            )
    return [item.strip() for item in value]


def _duration(value: str | int, key: str) -> Duration:
    parsed = parse_duration(value)
    if parsed is None:
        raise ConfigError(
            f"{key} must be a duration such as 365d, 52w, 12m or 1y, not {value!r}", CONFIG_NAME
        )
    return parsed


def _people_folder(value: str | None, people_dirs: list[str] | None) -> str:
    """Where new person notes go: ``people_folder``, else ``People`` when every folder is
    searched, else the first of ``people_dirs`` (a note elsewhere would not be read)."""
    dirs = [
        _relative_dir(d, "people_dirs", allow_root=True)
        for d in _strings(people_dirs if people_dirs is not None else ["."], "people_dirs")
    ]
    if value is None:
        return "People" if "." in dirs else dirs[0]
    folder = _relative_dir(value, "people_folder", allow_root=True)
    inside = [d for d in dirs if d == "." or PurePosixPath(folder).is_relative_to(d)]
    if not inside:
        raise ConfigError(
            f"people_folder {folder!r} is outside people_dirs ({', '.join(dirs)}): notes "
            "written there would not be read; choose a folder inside one of them",
            CONFIG_NAME,
        )
    return folder


def _seconds(value: float, key: str) -> float:
    if not value > 0:  # also refuses nan, which would never time out
        raise ConfigError(f"{key} must be a positive number of seconds, not {value!r}", CONFIG_NAME)
    return float(value)


def _positive(value: int, key: str) -> int:
    if value <= 0:
        raise ConfigError(f"{key} must be a positive whole number, not {value!r}", CONFIG_NAME)
    return value


def _not_negative(value: int, key: str) -> int:
    if not 0 <= value <= 366:
        raise ConfigError(f"{key} must be a whole number from 0 to 366, not {value!r}", CONFIG_NAME)
    return value


def _relative_dir(value: str, key: str, allow_root: bool = False) -> str:
    text = value.strip().replace("\\", "/").strip("/") or "."
    parts = PurePosixPath(text).parts
    if Path(value).is_absolute() or ".." in parts:
        raise ConfigError(f"{key} must be a folder inside the vault, not {value!r}", CONFIG_NAME)
    if text == "." and not allow_root:
        raise ConfigError(
            f"{key} must be a folder inside the vault, not the vault itself", CONFIG_NAME
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ConfigError(f"{key} {value!r} holds a control character", CONFIG_NAME)
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in parts):
        raise ConfigError(
            f"{key} has a folder name longer than {MAX_NAME_BYTES} bytes, more than file "
            "systems allow",
            CONFIG_NAME,
        )
    return str(PurePosixPath(*parts)) if parts else "."


def _alarm(value: str) -> str:
    """An iCalendar duration such as ``PT9H`` or ``-P1DT15H``, checked; "" turns alarms off."""
    text = value.strip().upper()
    duration = r"[+-]?P(?:\d+W|(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)"
    if not text or (re.fullmatch(duration, text) and not text.endswith(("P", "T"))):
        return text
    raise ConfigError(
        f"ics_alarm must be an iCalendar duration from the start of the day, such as "
        f"'PT9H' (09:00 on the day) or '-PT15H' (09:00 the day before), not {value!r}",
        CONFIG_NAME,
    )


def _warn_unknown(
    value: dict[str, Any], known: set[str] | frozenset[str], table: str, warnings: list[Diagnostic]
) -> None:
    """A warning for each key of the ``[table]`` table that is not ``known``, with the
    closest known key."""
    for key in sorted(set(value) - set(known)):
        import difflib

        close = difflib.get_close_matches(key, sorted(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        warnings.append(
            Diagnostic(
                CONFIG_NAME, None, "warning", f"unknown key {key!r} in [{table}]{hint}; ignored"
            )
        )


def _obsidian(value: dict[str, Any], warnings: list[Diagnostic]) -> bool:
    """The ``[obsidian]`` table: whether builds keep the computed properties in notes."""
    _warn_unknown(value, {"properties"}, "obsidian", warnings)
    properties = value.get("properties", False)
    if not isinstance(properties, bool):
        raise ConfigError(
            f"obsidian.properties must be true or false, not {properties!r}", CONFIG_NAME
        )
    return properties


def _notify(value: dict[str, Any], warnings: list[Diagnostic]) -> NotifyConfig:
    """The ``[notify]`` table, every key checked."""
    _warn_unknown(value, _NOTIFY_KEYS, "notify", warnings)
    urls = value.get("urls", [])
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list):
        raise ConfigError("notify.urls must be a list of strings", CONFIG_NAME)
    limit = value.get("limit", 10)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        raise ConfigError(
            f"notify.limit must be a positive whole number, not {limit!r}", CONFIG_NAME
        )
    time = value.get("time", "08:30")
    if not isinstance(time, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", time.strip()):
        raise ConfigError(f"notify.time must be HH:MM (24-hour), not {time!r}", CONFIG_NAME)
    fmt = value.get("format", "text")
    if fmt not in NOTIFY_FORMATS:
        raise ConfigError(
            f"notify.format must be one of {', '.join(NOTIFY_FORMATS)}, not {fmt!r}", CONFIG_NAME
        )
    return NotifyConfig(tuple(_strings(urls, "notify.urls")), limit, time.strip(), fmt)


def _tier_key_reason(key: str) -> str:
    """Why a top-level setting ended up in a tier: TOML gives every key after a
    ``[[tiers]]`` header to that table, so a line appended to the file lands there."""
    if key not in _KNOWN:
        return ""
    return (
        f"; keys after a [[tiers]] table belong to it in TOML: move {key!r} above the "
        "first [[tiers]]"
    )


def _capture(value: dict[str, Any], warnings: list[Diagnostic]) -> Capture:
    _warn_unknown(value, set(_CAPTURE_KEYS), "capture", warnings)
    for key, expected in _CAPTURE_KEYS.items():
        if key in value and (not isinstance(value[key], expected) or isinstance(value[key], bool)):
            raise ConfigError(
                f"capture.{key} must be {_TYPE_NAMES[expected]}, not "
                f"{type(value[key]).__name__} {value[key]!r}",
                CONFIG_NAME,
            )
    me = tuple(a.casefold() for a in _strings(value.get("me", []), "capture.me"))
    for address in me:
        if address.count("@") != 1:
            raise ConfigError(f"capture.me must list email addresses, not {address!r}", CONFIG_NAME)
    linkedin = value.get("linkedin", "").strip() or None
    return Capture(
        me=me,
        linkedin=linkedin,
        sources_dir=_relative_dir(value.get("sources_dir", "Sources"), "capture.sources_dir"),
        max_attendees=_positive(value.get("max_attendees", 8), "capture.max_attendees"),
        max_recipients=_positive(value.get("max_recipients", 8), "capture.max_recipients"),
    )


MAX_NAME_BYTES = 255  # the longest file or folder name of common file systems


def _tiers(value: list[Any], warnings: list[Diagnostic]) -> tuple[Tier, ...]:
    if not value:
        raise ConfigError("tiers must list at least one tier", CONFIG_NAME)
    tiers: list[Tier] = []
    seen: set[str] = set()
    pages: dict[str, str] = {}  # a tier page's file name, case-folded -> its tier
    for rank, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise ConfigError("each [[tiers]] entry must be a table", CONFIG_NAME)
        for key in sorted(set(entry) - _TIER_KEYS):
            import difflib

            close = difflib.get_close_matches(key, sorted(_TIER_KEYS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            warnings.append(
                Diagnostic(
                    CONFIG_NAME,
                    None,
                    "warning",
                    f"unknown key {key!r} in [[tiers]] entry {rank + 1}{hint}; ignored"
                    + _tier_key_reason(key),
                )
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"[[tiers]] entry {rank + 1} needs a name (a string)", CONFIG_NAME)
        name = name.strip()
        title = entry.get("title", name.capitalize() + "s")
        if not isinstance(title, str) or not title.strip():
            raise ConfigError(f"tier {name!r}: title must be a string", CONFIG_NAME)
        cadence = parse_duration(entry.get("cadence", "90d"))
        if cadence is None:
            raise ConfigError(
                f"tier {name!r}: cadence must be a duration such as 30d, 6w, 3m, 1y or "
                f"'monthly', not {entry.get('cadence')!r}",
                CONFIG_NAME,
            )
        # A title may repeat its own name ("friends" / "Friends"), not another tier's.
        for label in dict.fromkeys((name.casefold(), title.strip().casefold())):
            if label in seen:
                raise ConfigError(f"tier name or title {label!r} is used twice", CONFIG_NAME)
            seen.add(label)
        # The page is Tiers/<title>.md: titles that differ only in characters a file name
        # cannot hold, in case or in Unicode form would share (and overwrite) one page.
        page = safe_filename(title.strip())
        if page.casefold() in pages:
            raise ConfigError(
                f"tiers {pages[page.casefold()]!r} and {name!r} would both be written to "
                f"Tiers/{page}.md; give one of them another title",
                CONFIG_NAME,
            )
        pages[page.casefold()] = name
        tiers.append(Tier(name, title.strip(), cadence, rank))
    return tuple(tiers)


# Folders of other tools, and vaultnet's own: pages there would be hidden or mixed with state.
_TOOL_DIRS = (".obsidian", ".trash", ".git", STATE_DIR)


def _check_output_dir(config: Config) -> None:
    """Refuse an output folder whose pages would mix with notes, templates or state.

    The output folder is never read, so one that holds a people folder would drop its
    notes; one among another tool's files or the templates would mix pages with them.
    """
    out = PurePosixPath(config.output_dir)
    if out.parts[0] in _TOOL_DIRS:
        raise ConfigError(
            f"output_dir {config.output_dir!r} is inside {out.parts[0]}/, which belongs to "
            "a tool; choose a folder of its own, such as 'Network'",
            CONFIG_NAME,
        )
    for templates in (config.templates_dir, *config.template_folders):
        if PurePosixPath(templates).is_relative_to(out) or out.is_relative_to(templates):
            raise ConfigError(
                f"output_dir {config.output_dir!r} and the templates folder {templates!r} "
                "overlap; choose another output_dir",
                CONFIG_NAME,
            )
    for people in config.people_dirs:
        if people != "." and PurePosixPath(people).is_relative_to(out):
            raise ConfigError(
                f"output_dir {config.output_dir!r} contains people_dirs entry {people!r}: "
                "vaultnet would read its own pages back; choose another output_dir",
                CONFIG_NAME,
            )
    if PurePosixPath(config.people_folder).is_relative_to(out):
        raise ConfigError(
            f"people_folder {config.people_folder!r} is inside output_dir "
            f"{config.output_dir!r}; choose another people_folder",
            CONFIG_NAME,
        )


def _check_links(config: Config) -> None:
    """Refuse a link on the way to the folders vaultnet writes or reads for its own use:
    through one, its pages, cache or templates would be outside the vault."""
    for relative, what in (
        (STATE_DIR, "vaultnet's own folder"),
        (config.output_dir, "output_dir"),
        (config.templates_dir, "templates_dir"),
    ):
        contained(config.vault, relative, what)
