"""``vaultnet merge KEEP OTHER``: two notes of one person become one, in one step.

Everything is planned first: KEEP's new text (front matter, log and OTHER's body merged),
every note whose links to OTHER are rewritten to KEEP, and where OTHER goes in ``.trash``.
Each new text is verified by the note editor before anything is written. Then, holding the
edit lock for the whole merge, KEEP is written, each linking note rewritten, and OTHER moved
last. When a write fails midway, the notes already written get their previous bytes back
through the same editor (only where they still hold what vaultnet wrote), and the error
says what happened. See docs/merge.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from vaultnet.atomic import write_atomic
from vaultnet.config import Config
from vaultnet.containment import contained, link_on_the_way, state_dir
from vaultnet.edit import (
    EditError,
    add_list_item,
    add_log_entry,
    add_mapping_item,
    diff,
    edit_note,
    set_field,
)
from vaultnet.edit.actions import Found, People
from vaultnet.edit.files import _locked
from vaultnet.edit.log import _entries, _fenced, _log_section
from vaultnet.edit.scanner import _content, _eol, _parse
from vaultnet.errors import UsageError, VaultnetError
from vaultnet.source import document
from vaultnet.source.links import (
    MARKDOWN_LINK,
    WIKILINK,
    Resolver,
    markdown_link,
    parse_link,
)
from vaultnet.state.cache import NoteCache

TRASH = ".trash"  # Obsidian's own trash folder
JOURNAL = "merge-journal.json"  # in .vaultnet/: the plan of a merge being applied
# Scalar fields with no list form: two different values cannot both be kept in place.
_MERGED_ELSEWHERE = {"name", "aliases", "email", "phone", "company", "role"}
_CODE_SPAN = re.compile(r"(`+)[^`]*?\1")


class MergeError(VaultnetError):
    """The merge stopped: conflicts without --force, or a write that failed (exit 1)."""

    exit_code = 1


@dataclass(slots=True)
class _Change:
    file: Path
    relative: str
    old: str
    new: str
    keys: frozenset[str] | None  # the front matter keys that change; None: no front matter


@dataclass(slots=True)
class MergePlan:
    """What a merge changes: the notes' new texts and where OTHER goes."""

    changes: list[_Change]
    other: Path
    trash: Path
    other_bytes: bytes
    conflicts: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # notes whose links could not be rewritten

    def shown(self, vault: Path) -> str:
        """The whole change as a diff, and the move of OTHER."""
        parts = [diff(c.old, c.new, c.relative) for c in self.changes]
        moved = f"move {_rel(self.other, vault)} → {_rel(self.trash, vault)}\n"
        return "".join(parts) + moved


def _rel(path: Path, vault: Path) -> str:
    return path.relative_to(vault).as_posix()


def _values(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _same_text(a: Any, b: Any) -> bool:
    return str(a).strip().casefold() == str(b).strip().casefold()


def _merge_front_matter(
    keep: Found, other: Found, text: str, other_text: str
) -> tuple[str, set[str], list[str], list[str]]:
    """KEEP's text with OTHER's front matter merged in; the keys changed, the conflicts,
    and the lines recording what could not be kept in the front matter."""
    kd = _parse(text).data
    od = _parse(other_text).data
    keys: set[str] = set()
    conflicts: list[str] = []
    records: list[str] = []
    keep_names = [keep.note.name or keep.note.stem, keep.note.stem, *keep.note.aliases]
    for alias in (other.note.name or other.note.stem, *other.note.aliases):
        if alias and not any(_same_text(alias, k) for k in keep_names):
            text = add_list_item(text, "aliases", str(alias))
            keep_names.append(alias)
            keys.add("aliases")
    for key in ("email", "phone"):
        for value in _values(od.get(key)):
            if isinstance(value, str) and not any(
                _same_text(value, v) for v in _values(kd.get(key))
            ):
                text = add_list_item(text, key, value)
                keys.add(key)
    text = _merge_position(text, kd, od, keys, records)
    for key, theirs in od.items():
        if key in _MERGED_ELSEWHERE or theirs in (None, "", []):
            continue
        ours = kd.get(key)
        if ours in (None, "", []):
            if _copy_ok(theirs):
                text = set_field(text, key, theirs)
                keys.add(key)
            else:
                records.append(f"- {key}: {theirs}")
        elif isinstance(ours, list) and isinstance(theirs, list):
            for item in theirs:
                if isinstance(item, str) and item not in ours:
                    text = add_list_item(text, key, item)
                    keys.add(key)
                elif not isinstance(item, str) and item not in ours:
                    records.append(f"- {key}: {item}")
        elif isinstance(ours, list) and isinstance(theirs, str):
            if theirs not in ours:
                text = add_list_item(text, key, theirs)
                keys.add(key)
        elif str(ours) != str(theirs):
            conflicts.append(f"{key}: {ours} (kept) / {theirs} ({other.note.stem})")
            records.append(f"- {key}: {theirs}")
    return text, keys, conflicts, records


def _merge_position(
    text: str, kd: dict[str, Any], od: dict[str, Any], keys: set[str], records: list[str]
) -> str:
    """OTHER's company and role: copied when KEEP has none; a different company becomes
    an entry of KEEP's ``history`` (an earlier or other position); a different role at the
    same company is recorded in the merged section."""
    company, role = od.get("company"), od.get("role")
    if company in (None, "") or kd.get("company") in (None, ""):
        for key in ("company", "role"):
            if od.get(key) not in (None, "") and kd.get(key) in (None, ""):
                text = _copy(text, key, od[key], records)
                keys.add(key)
            elif od.get(key) not in (None, "") and not _same_text(od[key], kd[key]):
                records.append(f"- {key}: {od[key]}")
        return text
    if not _same_text(company, kd["company"]):
        entry = {"company": str(company)}
        if role not in (None, ""):
            entry["role"] = str(role)
        try:
            text = add_mapping_item(text, "history", entry)
            keys.add("history")
        except EditError:
            records.append(f"- company: {company}" + (f" (role: {role})" if role else ""))
    elif role not in (None, "") and kd.get("role") not in (None, "", role):
        if not _same_text(role, kd["role"]):
            records.append(f"- role: {role}")
    elif role not in (None, "") and kd.get("role") in (None, ""):
        text = _copy(text, "role", role, records)
        keys.add("role")
    return text


def _copy_ok(value: Any) -> bool:
    if isinstance(value, (str, int, bool, dt.date)) and not isinstance(value, float):
        return True
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _copy(text: str, key: str, value: Any, records: list[str]) -> str:
    if _copy_ok(value):
        return set_field(text, key, value)
    records.append(f"- {key}: {value}")
    return text


def _decode(data: bytes, path: Path) -> str:
    try:
        return document.decode(data)[0]
    except document.DocumentError as exc:
        raise UsageError(f"cannot read the note: {exc.message}", str(path)) from None


def _split_log(text: str, headings: tuple[str, ...]) -> tuple[list[tuple[dt.date, str]], list[str]]:
    """OTHER's one-line log entries (date, text), and its body lines without them (and
    without the log heading when nothing else was in that section)."""
    note = _parse(text)
    lines = list(note.lines)
    fenced, _ = _fenced(lines, note.body_start)
    section = _log_section(lines, note.body_start, fenced, headings)
    body = lines[note.body_start :]
    if section is None:
        return [], body
    entries = []
    taken: set[int] = set()
    for entry in _entries(lines, section, fenced):
        if entry.end - entry.start != 1:
            continue  # an entry with more lines stays in the merged body as written
        line = _content(lines[entry.start])[len(entry.prefix) :]
        rest = re.sub(r"^(\[\[\d{4}-\d{2}-\d{2}(\|[^\]]*)?\]\]|\d{4}-\d{2}-\d{2})", "", line)
        entries.append((entry.date, rest.strip()))
        taken.add(entry.start)
    left = [i for i in range(section[0] + 1, section[1]) if i not in taken]
    if all(not _content(lines[i]).strip() for i in left):
        taken.update(range(section[0], section[1]))
    else:
        taken.add(-1)
    kept = [lines[i] for i in range(note.body_start, len(lines)) if i not in taken]
    return entries, kept


def _keep_entries(text: str, headings: tuple[str, ...]) -> set[tuple[dt.date, str]]:
    entries, _ = _split_log(text, headings)
    return {(d, " ".join(t.split())) for d, t in entries}


def _append_body(text: str, heading: str, lines: list[str]) -> str:
    """``text`` with a section ``heading`` holding ``lines`` at its end, in its line endings."""
    eol = document.detect_newline(text) if ("\n" in text) else "\n"
    rows = [_content(line) for line in lines]
    while rows and not rows[0].strip():
        rows.pop(0)
    while rows and not rows[-1].strip():
        rows.pop()
    out = text
    if out and not _eol(out.splitlines(keepends=True)[-1]):
        out += eol
    return out + eol + heading + eol + (eol.join(rows) + eol if rows else "")


# --- links ---------------------------------------------------------------------------------


def _link_target(people: People, keep: Found) -> tuple[str, str]:
    unique = people.resolver.all_matches(keep.note.stem) == [keep.note.path]
    path = keep.note.path[:-3]
    return (keep.note.stem if unique else path), path


def rewrite_links(
    text: str, folder: str, resolver: Resolver, other: str, keep: tuple[str, str]
) -> str:
    """``text`` with every link to the note ``other`` (a vault path) rewritten to ``keep``:
    its shortest wikilink target (the file name, or the path when that is not unique) and
    its vault path without ``.md``, for links written as a path. Labels and headings stay;
    code blocks and inline code are left alone, and so are links that reach ``other`` only
    through an alias (the alias moves to KEEP)."""
    lines = text.splitlines(keepends=True)
    fenced, _ = _fenced(lines, 0)
    for index, line in enumerate(lines):
        if fenced[index] or ("[[" not in line and "](" not in line):
            continue
        lines[index] = _rewrite_line(line, folder, resolver, other, keep)
    return "".join(lines)


def _rewrite_line(
    line: str, folder: str, resolver: Resolver, other: str, keep: tuple[str, str]
) -> str:
    spans = [m.span() for m in _CODE_SPAN.finditer(line)]

    def in_code(pos: int) -> bool:
        return any(a <= pos < b for a, b in spans)

    def to_other(target: str) -> bool:
        match = resolver.resolve(target, folder)
        return match is not None and match.key == other and match.how != "alias"

    def wiki(m: re.Match[str]) -> str:
        if in_code(m.start()):
            return m[0]
        link = parse_link(m[2])
        if not link.target or not to_other(link.target):
            return m[0]
        target = keep[1] if "/" in link.target else keep[0]
        inner = target + (f"#{link.heading}" if link.heading else "")
        label = m[2].partition("|")[2]
        return f"{m[1]}[[{inner}{'|' + label if '|' in m[2] else ''}]]"

    def md(m: re.Match[str]) -> str:
        if in_code(m.start()):
            return m[0]
        link = markdown_link(m[2], m[3], bool(m[1]))
        if link is None or not to_other(link.target):
            return m[0]
        heading = f"#{link.heading}" if link.heading else ""
        written = keep[1] if "/" in link.path else keep[0]
        if m[3].startswith("<"):
            url = f"<{written}.md{heading}>"
        else:
            url = urllib.parse.quote(f"{written}.md", safe="/") + heading
        return m[0].replace(f"({m[3]}", f"({url}", 1) if f"({m[3]}" in m[0] else m[0]

    line = WIKILINK.sub(wiki, line)
    return MARKDOWN_LINK.sub(md, line) if "](" in line else line


def _changed_keys(old: str, new: str) -> frozenset[str]:
    a, b = _parse(old).data, _parse(new).data
    return frozenset(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


# --- planning and applying -------------------------------------------------------------------


def plan_merge(
    config: Config,
    keep_name: str,
    other_name: str,
    *,
    today: dt.date,
    force: bool = False,
    cache: NoteCache | None = None,
) -> MergePlan:
    """Every change the merge makes, computed and verified; nothing written. UsageError
    for the same note twice; MergeError for conflicts without ``force``."""
    people = People(config, cache)
    keep, other = people.find(keep_name), people.find(other_name)
    if keep.note.path == other.note.path:
        raise UsageError(f"{keep_name!r} and {other_name!r} are the same note: {keep.note.path}")
    vault = config.vault
    keep_old = _decode(keep.file.read_bytes(), keep.file)
    other_bytes = other.file.read_bytes()
    other_text = _decode(other_bytes, other.file)
    text, keys, conflicts, records = _merge_front_matter(keep, other, keep_old, other_text)
    if conflicts and not force:
        listing = "; ".join(conflicts)
        raise MergeError(
            f"not merged: values that cannot both be kept: {listing}; nothing written. "
            "Make them agree by hand, or give --force to keep KEEP's value (OTHER's goes "
            "into KEEP's note, under the merged section)",
            _rel(keep.file, vault),
        )
    headings = config.log_headings
    have = _keep_entries(text, headings)
    entries, body = _split_log(other_text, headings)
    for when, entry in entries:
        if (when, " ".join(entry.split())) not in have:
            text = add_log_entry(text, when, entry, headings)
            have.add((when, " ".join(entry.split())))
    while body and not _content(body[-1]).strip():
        body.pop()
    shown_name = other.note.name or other.note.stem
    section = body + (["", "Not kept in the front matter:", *records] if records else [])
    text = _append_body(text, f"## Merged from {shown_name} ({today.isoformat()})", section)
    target = _link_target(people, keep)
    keep_folder = PurePosixPath(keep.note.path).parent.as_posix()
    keep_folder = "" if keep_folder == "." else keep_folder
    text = rewrite_links(text, keep_folder, people.resolver, other.note.path, target)
    _parse(text)  # reads back
    changes = [
        _Change(
            keep.file,
            _rel(keep.file, vault),
            keep_old,
            text,
            frozenset(keys) | _changed_keys(keep_old, text),
        )
    ]
    skipped: list[str] = []
    for path, disk in sorted(people.disk.items()):
        if path in (keep.note.path, other.note.path):
            continue
        file = vault / disk
        folder = PurePosixPath(path).parent.as_posix()
        try:
            old = _decode(file.read_bytes(), file)
            if "[[" not in old and "](" not in old:
                continue
            new = rewrite_links(
                old, "" if folder == "." else folder, people.resolver, other.note.path, target
            )
            if new != old:
                keys_changed = _changed_keys(old, new) if _parse(old).close is not None else None
                changes.append(_Change(file, _rel(file, vault), old, new, keys_changed))
        except (OSError, VaultnetError) as exc:
            reason = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
            skipped.append(f"{_rel(file, vault)}: warning: links not rewritten: {reason}")
    trash = _trash_path(vault, _rel(other.file, vault))
    return MergePlan(changes, other.file, trash, other_bytes, conflicts, skipped)


def _trash_path(vault: Path, relative: str) -> Path:
    """Where OTHER goes in ``.trash``: its own path there, with `` 2``… when taken."""
    link = link_on_the_way(vault, f"{TRASH}/{relative}")
    if link is not None:
        raise UsageError(
            f"{link} is a symbolic link; vaultnet moves notes into the vault's own {TRASH} "
            "only: replace the link with a real folder"
        )
    target = vault / TRASH / relative
    stem, number = target.stem, 2
    while target.exists() or target.is_symlink():
        target = target.with_name(f"{stem} {number}.md")
        number += 1
    return target


def apply_merge(config: Config, plan: MergePlan) -> list[str]:
    """Write the plan in one step: all of it, or (on a failure) nothing, and say what was
    done. Raises MergeError after rolling back.

    A journal in ``.vaultnet/`` holds the plan while it is applied, so that a process
    killed midway is rolled back by the next ``vaultnet merge`` (``recover``)."""
    done: list[_Change] = []
    vault = config.vault
    journal = state_dir(vault, JOURNAL)
    with _locked(state_dir(vault)):
        _write_journal(journal, plan, vault)
        where = _rel(plan.other, vault)
        try:
            for change in plan.changes:
                where = change.relative
                _write(change.file, change.old, change.new, change.keys)
                done.append(change)
            where = _rel(plan.other, vault)
            _move(plan)
        except (EditError, OSError) as exc:
            failed = _rollback(done)
            reason = exc.message if isinstance(exc, EditError) else (exc.strerror or str(exc))
            restored = ", ".join(c.relative for c in done if c.relative not in failed)
            message = f"not merged: {where}: {reason}"
            if restored:
                message += f"; put back as they were: {restored}"
            if failed:
                shown = ", ".join(failed)
                message += f"; could not be put back (changed since; check by hand): {shown}"
            else:
                journal.unlink(missing_ok=True)
            raise MergeError(message) from exc
        journal.unlink(missing_ok=True)
    return [c.relative for c in plan.changes]


def _write_journal(journal: Path, plan: MergePlan, vault: Path) -> None:
    record = {
        "version": 1,
        "changes": [{"path": c.relative, "old": c.old, "new": c.new} for c in plan.changes],
        "other": _rel(plan.other, vault),
        "trash": _rel(plan.trash, vault),
    }
    write_atomic(journal, json.dumps(record).encode("utf-8"), 0o600)


def _recorded(vault: Path, relative: object) -> Path:
    """A path from the record, refused (ValueError) unless it is a plain path in the vault."""
    parts = PurePosixPath(str(relative)).parts
    if not isinstance(relative, str) or not parts or relative.startswith("/") or ".." in parts:
        raise ValueError(f"{relative!r} is not a path inside the vault")
    return contained(vault, relative, "a note of the interrupted merge")


def recover(config: Config) -> list[str]:
    """Roll back a merge a killed process left half done, from its journal: each note that
    still holds the merge's text gets its old text back, OTHER comes back from ``.trash``.
    Returns what was done; MergeError when something could not be put back (the journal
    then stays)."""
    vault = config.vault
    journal = state_dir(vault, JOURNAL)
    if not journal.exists():
        return []
    told: list[str] = []
    with _locked(state_dir(vault)):
        try:
            record = json.loads(journal.read_text(encoding="utf-8"))
            changes = [
                (_recorded(vault, c["path"]), str(c["path"]), str(c["old"]), str(c["new"]))
                for c in record["changes"]
            ]
            other = _recorded(vault, record["other"])
            trash = _recorded(vault, record["trash"])
        except (OSError, ValueError, KeyError, TypeError, VaultnetError) as exc:
            raise MergeError(
                f"the record of an interrupted merge cannot be read ({exc}); compare the notes "
                "with .trash by hand, then delete it",
                _rel(journal, vault),
            ) from None
        failed: list[str] = []
        for file, relative, old, new in reversed(changes):
            try:
                current = _decode(file.read_bytes(), file)
                if current == new:
                    keys = _changed_keys(new, old) if _parse(new).close is not None else None
                    _write(file, new, old, keys)
                    told.append(f"{relative}: put back as it was before an interrupted merge")
                elif current != old:
                    failed.append(relative)
            except (OSError, VaultnetError):
                failed.append(relative)
        if not other.exists() and trash.exists():
            os.link(trash, other)
            os.unlink(trash)
            told.append(f"{_rel(other, vault)}: brought back from {_rel(trash, vault)}")
        if failed:
            raise MergeError(
                "an interrupted merge could not be rolled back in "
                f"{', '.join(failed)} (changed since); check by hand, then delete the record",
                _rel(journal, vault),
            )
        journal.unlink()
    return told


def _expecting(old: str, new: str) -> Callable[[str], str]:
    def transform(text: str) -> str:
        if text != old:
            raise EditError("not edited: the note changed since the merge was planned; try again")
        return new

    return transform


def _write(file: Path, old: str, new: str, keys: frozenset[str] | None) -> None:
    edit_note(file, _expecting(old, new), expect_keys=keys, body_change=True)


def _rollback(done: list[_Change]) -> list[str]:
    failed = []
    for change in reversed(done):
        try:
            _write(change.file, change.new, change.old, change.keys)
        except (EditError, OSError):
            failed.append(change.relative)
    return failed


def _move(plan: MergePlan) -> None:
    """OTHER into .trash, if it still holds the bytes the plan read; never over a file."""
    if plan.other.read_bytes() != plan.other_bytes:
        raise EditError("not moved: the note changed since the merge was planned", str(plan.other))
    plan.trash.parent.mkdir(parents=True, exist_ok=True)
    os.link(plan.other, plan.trash)  # fails when the name is taken, unlike a rename
    os.unlink(plan.other)
