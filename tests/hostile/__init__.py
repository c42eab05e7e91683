"""HOSTILE.md as tests: bad input and faults, run through the command line.

Every case builds a vault in tmp_path: the bad file, and beside it a good note. ``survey``
then runs ``vaultnet check``, ``build`` (twice) and ``digest --format json`` through click's
CliRunner, for the same fixed day, and holds the rules every case shares:

- no traceback and no uncaught exception: exit code 0, 1 or 2, nothing but SystemExit;
- the good note is still in the digest, whatever happened to the bad one;
- no file outside the output folder is created, changed or removed (every file under the
  test's tmp_path is hashed before and after), and every page written carries the mark;
- a second build writes nothing.

Each test then checks its own diagnostics in the exact ``path:line: level: message`` form.
The case numbers in test names and comments are HOSTILE.md's.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from vaultnet.cli.main import main
from vaultnet.pipeline.output import PAGE_SUFFIXES, is_generated

TODAY = "2026-11-26"
TODAY_ARGS = ("--today", TODAY)
OUTPUT = "Network"
GOOD = "Good Person"
GOOD_NOTE = "---\ntier: champion\n---\n# Good Person\n\nA note with nothing wrong in it.\n"
DIGEST_LISTS = (
    "overdue",
    "due_soon",
    "upcoming",
    "never_contacted",
    "dormant",
    "snoozed",
    "birthdays",
)
# What vaultnet may write besides pages: its cache, its build record, the edit lock.
STATE_DIR = ".vaultnet"


def make_vault(
    root: Path, files: Mapping[str, bytes | str] | None = None, good: bool = True
) -> Path:
    """A vault at ``root/vault``: ``files`` (vault path to bytes or text) and the good note."""
    vault = root / "vault"
    vault.mkdir(exist_ok=True)
    if good:
        put(vault, f"{GOOD}.md", GOOD_NOTE)
    for rel, data in (files or {}).items():
        put(vault, rel, data)
    return vault


def person(*lines: str, name: str = "Ya Ml") -> bytes:
    """A person note's bytes: tier, name, then ``lines`` of front matter."""
    front = "".join(f"{line}\n" for line in lines)
    return f"---\ntier: advocate\nname: {name}\n{front}---\n".encode()


def put(vault: Path, rel: str, data: bytes | str) -> Path:
    """Write a file at a vault path, byte for byte (text is encoded as UTF-8, no newline fix)."""
    path = vault / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return path


def snapshot(root: Path) -> dict[str, str]:
    """Every entry under ``root`` (links not followed): a hash for files, the target for links."""
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                found[rel] = f"link:{os.readlink(path)}"
            elif stat.S_ISDIR(info.st_mode):
                found[rel] = "dir"
            elif not stat.S_ISREG(info.st_mode):  # a FIFO or a device: reading it could block
                found[rel] = f"special:{stat.S_IFMT(info.st_mode)}:{info.st_mtime_ns}"
            else:
                try:
                    found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError as exc:  # an unreadable file is still a file we can compare
                    found[rel] = f"unreadable:{exc.errno}:{path.stat().st_mtime_ns}"
    return found


def changes(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """Paths created, changed or removed between two snapshots."""
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def assert_no_crash(result: Result) -> None:
    """No traceback, no exception but SystemExit, and a documented exit code."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        shown = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"uncaught exception:\n{shown}\noutput:\n{result.output}")
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output


def cli(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """Run vaultnet in-process, failing the test on a crash."""
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert_no_crash(result)
    return result


def assert_only_output_changed(
    root: Path,
    vault: Path,
    before: dict[str, str],
    after: dict[str, str],
    state: bool = False,
    output_dir: str = OUTPUT,
) -> None:
    """Everything created, changed or removed is a marked page under the output folder.

    With ``state``, vaultnet's own ``.vaultnet/`` files (cache, build record, lock) may change
    too; they are documented and never the user's.
    """
    output = (vault / output_dir).relative_to(root).as_posix() + "/"
    state_dir = (vault / STATE_DIR).relative_to(root).as_posix()
    for rel in sorted(changes(before, after)):
        if state and (rel == state_dir or rel.startswith(state_dir + "/")):
            assert rel in after, f"vaultnet removed {rel}"
            continue
        assert rel.startswith(output) or rel == output[:-1], f"changed outside the output: {rel}"
        path = root / rel
        if after.get(rel, "dir") != "dir":
            marked = path.suffix in PAGE_SUFFIXES and is_generated(path)
            assert marked, f"unmarked output file {rel}"


@dataclass
class Outcome:
    """What the three commands said about a vault."""

    check: Result
    build: Result
    digest: dict[str, Any]
    before: dict[str, str] = field(repr=False)
    after: dict[str, str] = field(repr=False)

    @property
    def diagnostics(self) -> list[str]:
        """The diagnostic lines ``check`` printed on stderr."""
        return [line for line in self.check.stderr.splitlines() if ": " in line]

    def names(self) -> set[str]:
        """Everyone the digest lists, in any bucket."""
        return {entry["name"] for key in DIGEST_LISTS for entry in self.digest[key]}

    def paths(self) -> set[str]:
        return {entry["path"] for key in DIGEST_LISTS for entry in self.digest[key]}

    def person(self, name: str) -> dict[str, Any]:
        """The digest entry of the one person called ``name`` (birthdays aside)."""
        found = [
            entry
            for key in DIGEST_LISTS
            if key != "birthdays"
            for entry in self.digest[key]
            if entry["name"] == name
        ]
        assert len(found) == 1, (name, found)
        entry: dict[str, Any] = found[0]
        return entry

    def about(self, path: str) -> list[str]:
        """The diagnostic lines about one vault path."""
        return [line for line in self.diagnostics if line.startswith((f"{path}:", f"{path}: "))]

    def has(self, path: str, line: int | None, level: str, *words: str) -> str:
        """The one diagnostic ``path:line: level: ...`` holding ``words``; fails if none."""
        head = f"{path}:{line}: {level}: " if line else f"{path}: {level}: "
        found = [d for d in self.diagnostics if d.startswith(head) and all(w in d for w in words)]
        assert found, f"no diagnostic {head}{' … '.join(words)} in {self.diagnostics}"
        as_json = {"path": path, "line": line, "level": level}
        assert any(
            {k: d[k] for k in as_json} == as_json and all(w in d["message"] for w in words)
            for d in self.digest["diagnostics"]
        ), self.digest["diagnostics"]
        return found[0]

    def clean(self, path: str) -> None:
        """Nothing at all was said about ``path``."""
        assert self.about(path) == [], self.about(path)


def survey(
    vault: Path,
    *,
    root: Path | None = None,
    check_exit: int | None = None,
    good: bool = True,
    output_files: Iterable[str] = (),
) -> Outcome:
    """Run check, build, build again and digest on ``vault`` and hold the shared rules.

    ``check_exit`` is the exit code ``check`` must give (default: 1 when it printed an
    error, else 0). ``good`` says the good note must be in the digest. ``output_files`` are
    pages (under the output folder) that must exist afterwards.
    """
    root = root or vault.parent
    before = snapshot(root)
    check = cli("check", vault, "--no-cache", *TODAY_ARGS)
    errors = any(": error: " in line for line in check.stderr.splitlines())
    assert check.exit_code == (check_exit if check_exit is not None else int(errors)), check.output
    build = cli("build", vault, "--no-cache", *TODAY_ARGS)
    assert build.exit_code == 0, build.output
    digest = cli("digest", vault, "--format", "json", "--no-cache", *TODAY_ARGS)
    after = snapshot(root)
    assert_only_output_changed(root, vault, before, after)
    again = cli("build", vault, "--no-cache", *TODAY_ARGS)
    assert again.exit_code == 0, again.output
    assert " 0 written" in again.stdout, again.stdout
    assert snapshot(root) == after
    outcome = Outcome(check, build, json.loads(digest.stdout), before, after)
    if good:
        assert GOOD in outcome.names(), outcome.digest
    for page in output_files:
        assert (vault / OUTPUT / page).is_file(), page
    return outcome


def edit(vault: Path, *args: str, root: Path | None = None) -> tuple[Result, set[str]]:
    """Run an editing command; return its result and the vault paths it changed.

    Only notes and vaultnet's own ``.vaultnet/`` (the edit lock) may change; never a page.
    """
    root = root or vault.parent
    before = snapshot(root)
    result = cli(*args, "--vault", vault, *TODAY_ARGS)
    after = snapshot(root)
    prefix = vault.relative_to(root).as_posix() + "/"
    changed = set()
    for rel in changes(before, after):
        assert rel.startswith(prefix), f"an edit changed {rel}, outside the vault"
        inside = rel[len(prefix) :]
        if inside == STATE_DIR or inside.startswith(STATE_DIR + "/"):
            continue
        changed.add(inside)
    return result, changed


def lines_of(data: bytes) -> list[bytes]:
    """Lines with their own endings (``\\r\\n``, ``\\r`` or ``\\n``)."""
    out: list[bytes] = []
    start = 0
    index = 0
    while index < len(data):
        byte = data[index : index + 1]
        if byte == b"\r":
            end = index + 2 if data[index + 1 : index + 2] == b"\n" else index + 1
            out.append(data[start:end])
            start = index = end
            continue
        if byte == b"\n":
            out.append(data[start : index + 1])
            start = index + 1
        index += 1
    if start < len(data):
        out.append(data[start:])
    return out


def hunk(old: bytes, new: bytes) -> tuple[list[bytes], list[bytes]]:
    """The lines an edit removed and added, between the lines both texts share at each end."""
    a, b = lines_of(old), lines_of(new)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return a[head : len(a) - tail], b[head : len(b) - tail]
