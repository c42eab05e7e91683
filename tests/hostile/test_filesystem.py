"""What sync tools, editors and other people leave in a vault (HOSTILE 55-59, 61, 62).

Plus the scan's own promises: a symlinked folder is followed at most once, a loop ends the
walk, a planted cache cannot run code, and nothing is written through a link.
"""

from __future__ import annotations

import builtins
import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from vaultnet.pipeline.request import BuildRequest

from . import GOOD, OUTPUT, TODAY_ARGS, cli, edit, make_vault, person, snapshot, survey

ALICE = person(name="Alice")


@pytest.mark.parametrize(
    "copy",
    [
        "Alice.sync-conflict-20241128-143022-ABCDEF1.md",  # 55: Syncthing
        "Alice (Bob's conflicted copy 2024-03-01).md",  # 56: Dropbox
        "Alice (conflicted copy).md",
    ],
)
def test_55_56_sync_conflict_copies_are_reported_not_indexed(tmp_path: Path, copy: str) -> None:
    vault = make_vault(tmp_path, {"Alice.md": ALICE, copy: ALICE})
    outcome = survey(vault)
    outcome.has(copy, None, "warning", "sync conflict copy; skipped")
    assert [e["path"] for e in _everyone(outcome.digest) if e["name"] == "Alice"] == ["Alice.md"]


def _everyone(digest: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    return [
        e for key in ("overdue", "due_soon", "upcoming", "never_contacted") for e in digest[key]
    ]


def test_57_an_icloud_placeholder_is_reported_and_add_refuses_its_name(
    tmp_path: Path,
) -> None:
    # In People/, where add writes new notes (people_folder).
    vault = make_vault(tmp_path, {"People/.Alice.md.icloud": b"bplist00 placeholder"})
    outcome = survey(vault)
    outcome.has("People/Alice.md", None, "warning", "not downloaded from iCloud (evicted)")
    result, changed = edit(vault, "add", "Alice")
    assert result.exit_code == 2
    assert "in iCloud but not downloaded" in result.stderr
    assert changed == [] or "People/Alice.md" not in changed
    assert not (vault / "People/Alice.md").exists()
    assert (vault / "People/.Alice.md.icloud").read_bytes() == b"bplist00 placeholder"


@pytest.mark.parametrize(
    "folder", [".obsidian", ".trash", ".git", "node_modules", "Sub/node_modules", ".hidden/deep"]
)
def test_58_tool_folders_are_never_read(tmp_path: Path, folder: str) -> None:
    files = {f"{folder}/Ghost.md": person(name="Ghost"), f"{folder}/bad.md": b"---\nx: [\n---\n"}
    vault = make_vault(tmp_path, files)
    outcome = survey(vault)
    assert outcome.diagnostics == []
    assert outcome.names() == {GOOD}


def test_59_names_that_differ_only_in_case_are_both_kept_and_reported(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"Alice.md": ALICE, "alice.md": person(name="alice")})
    if (vault / "Alice.md").read_bytes() != ALICE:  # pragma: no cover - case-blind disk
        pytest.skip("the file system folds case")
    outcome = survey(vault)
    outcome.has("alice.md", None, "warning", "differs from Alice.md only in case")
    assert {"Alice", "alice"} <= outcome.names()  # no silent merge


def test_59_case_is_folded_beyond_ascii(tmp_path: Path) -> None:
    # "ß" folds to "ss" (casefold, not lower); the vault's other names are plain ASCII.
    files = {"Straße.md": person(name="Straße"), "STRASSE.md": person(name="Strasse")}
    vault = make_vault(tmp_path, {**files, "Alice.md": ALICE})
    outcome = survey(vault)
    outcome.has("Straße.md", None, "warning", "differs from STRASSE.md only in case")
    assert {"Alice", "Straße", "Strasse"} <= outcome.names()


def test_59_a_build_that_stops_early_reports_case_from_its_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The paths are in the build's fingerprint, so a build that finds them as they were
    # does not look for names that differ in case: it prints the warnings recorded.
    vault = make_vault(tmp_path, {"Alice.md": ALICE, "alice.md": person(name="alice")})
    if (vault / "Alice.md").read_bytes() != ALICE:  # pragma: no cover - case-blind disk
        pytest.skip("the file system folds case")
    first = cli("build", vault, *TODAY_ARGS)
    assert "alice.md: warning: differs from Alice.md only in case" in first.stderr

    def not_again(paths: object) -> list[object]:
        raise AssertionError("looked for case again")

    monkeypatch.setattr("vaultnet.pipeline.build.case_collisions", not_again)
    again = cli("build", vault, *TODAY_ARGS)
    assert " 0 written" in again.stdout, again.stdout
    assert again.stderr == first.stderr


def test_61_a_symlink_loop_ends_the_scan(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"People/Alice.md": ALICE})
    os.symlink("..", vault / "People" / "loop")
    os.symlink("self", vault / "self")  # a link to itself
    os.symlink(vault / "People", vault / "again")  # the same folder by another path
    outcome = survey(vault)
    outcome.has("self", None, "warning", "cannot read")
    assert sorted(e["path"] for e in _everyone(outcome.digest)) == [
        f"{GOOD}.md",
        "People/Alice.md",
    ]


def test_a_symlinked_folder_outside_is_followed_once_when_allowed(tmp_path: Path) -> None:
    outside = tmp_path / "shared"
    outside.mkdir()
    (outside / "Ext.md").write_bytes(person(name="Ext"))
    vault = make_vault(tmp_path, {"vaultnet.toml": "follow_outside_links = true\n"})
    os.symlink(outside, vault / "one")
    os.symlink(outside, vault / "two")
    outcome = survey(vault, root=tmp_path)
    assert [e["path"] for e in _everyone(outcome.digest) if e["name"] == "Ext"] == ["one/Ext.md"]


def test_61_with_outside_links_allowed_a_loop_through_the_parent_still_ends(
    tmp_path: Path,
) -> None:
    sibling = tmp_path / "sibling"
    sibling.mkdir()
    (sibling / "Stranger.md").write_bytes(person(name="Stranger"))
    os.symlink("..", sibling / "back")  # and from outside, back up again
    vault = make_vault(tmp_path, {"vaultnet.toml": "follow_outside_links = true\n"})
    os.symlink("..", vault / "up")
    outcome = survey(vault, root=tmp_path)
    assert [e["path"] for e in _everyone(outcome.digest) if e["name"] == "Stranger"] == [
        "up/sibling/Stranger.md"
    ]


def test_links_leading_out_of_the_vault_are_skipped_with_a_warning(tmp_path: Path) -> None:
    """F8: ``up -> ..`` read every sibling folder's notes; by default no link leads out."""
    sibling = tmp_path / "sibling"
    sibling.mkdir()
    (sibling / "Stranger.md").write_bytes(person(name="Stranger"))
    (tmp_path / "Loose.md").write_bytes(person(name="Loose"))
    vault = make_vault(tmp_path, {"People/Alice.md": ALICE})
    os.symlink("..", vault / "up")
    os.symlink(tmp_path / "Loose.md", vault / "People" / "Loose.md")
    outcome = survey(vault, root=tmp_path)
    outcome.has("up", None, "warning", "is a link to a folder outside the vault")
    outcome.has("People/Loose.md", None, "warning", "is a link to a note outside the vault")
    assert "follow_outside_links = true" in outcome.check.stderr
    assert outcome.names() == {GOOD, "Alice"}


def test_links_inside_the_vault_are_read_under_their_own_names(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"People/Alice.md": ALICE, "Work/Bob.md": person(name="Bob")})
    os.symlink("../Work", vault / "People" / "work")
    os.symlink(vault / "Network", vault / "pages")  # the output folder under another name
    outcome = survey(vault)
    assert sorted(e["path"] for e in _everyone(outcome.digest)) == [
        f"{GOOD}.md",
        "People/Alice.md",
        "Work/Bob.md",
    ]
    assert outcome.diagnostics == []


def test_a_rebuild_of_changed_files_judges_a_link_as_the_scan_does(tmp_path: Path) -> None:
    """A watcher's rebuild reads only the files with events: a link made while it runs
    is skipped (outside the vault) or read under its own name (inside), as by a scan."""
    import datetime as dt

    from vaultnet.config import load_config
    from vaultnet.pipeline.build import Builder
    from vaultnet.state.pagememo import PageMemo

    (tmp_path / "Far.md").write_bytes(person(name="Far"))
    vault = make_vault(tmp_path, {"People/Alice.md": ALICE})
    builder = Builder(load_config(vault), pages=PageMemo())
    today = dt.date(2026, 11, 26)
    builder.build(BuildRequest(today, stop_early=False, save=False))
    os.symlink(tmp_path / "Far.md", vault / "Far.md")
    os.symlink(vault / "People" / "Alice.md", vault / "Again.md")
    result = builder.build(BuildRequest(today, changed=("Far.md", "Again.md"), save=False))
    assert result.network is not None
    assert sorted(p.name for p in result.network.people) == ["Alice", GOOD]
    [warning] = [d for d in result.diagnostics if d.path == "Far.md"]
    assert "is a link to a note outside the vault" in warning.message


def test_the_polling_watcher_does_not_walk_into_links(tmp_path: Path) -> None:
    """F8: under watch, ``up -> ..`` grew without end: the polling observer followed it."""
    import time

    from vaultnet.config import load_config
    from vaultnet.pipeline.watch import Watcher

    sibling = tmp_path / "sibling"
    sibling.mkdir()
    vault = make_vault(tmp_path)
    os.symlink("..", vault / "up")
    watcher = Watcher(load_config(vault), poll=True, poll_interval=0.05)
    observer = watcher._make_observer()
    observer.start()
    try:
        time.sleep(0.2)  # the first snapshot
        (sibling / "Stranger.md").write_bytes(person(name="Stranger"))
        (vault / "Alice.md").write_bytes(ALICE)
        deadline = time.monotonic() + 5
        seen: list[str] = []
        while not any(p.endswith("Alice.md") for p in seen) and time.monotonic() < deadline:
            time.sleep(0.05)
            while not watcher._events.empty():
                seen.append(watcher._events.get().src)
        time.sleep(0.2)  # a few more polls: an event through up/ would come by now
        while not watcher._events.empty():
            seen.append(watcher._events.get().src)
    finally:
        observer.stop()
        observer.join()
    assert any(p.endswith("Alice.md") for p in seen)
    assert not [p for p in seen if "Stranger" in p]


def test_62_a_page_that_is_a_symlink_is_never_written_through(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    bashrc = home / ".bashrc"
    bashrc.write_bytes(b"export PATH=/usr/bin\n")
    vault = make_vault(tmp_path)
    (vault / OUTPUT).mkdir()
    os.symlink(bashrc, vault / OUTPUT / "Index.md")
    before = snapshot(tmp_path)
    result = cli("build", vault, *TODAY_ARGS)
    assert result.exit_code == 1
    assert "Index.md: is a symbolic link; vaultnet does not write through links" in result.stderr
    assert snapshot(tmp_path) == before  # nothing written at all, .bashrc untouched
    assert bashrc.read_bytes() == b"export PATH=/usr/bin\n"


def test_62_an_unmarked_page_in_the_way_is_never_overwritten(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {f"{OUTPUT}/Index.md": b"my own index\n"})
    before = snapshot(tmp_path)
    result = cli("build", vault, *TODAY_ARGS)
    assert result.exit_code == 1
    assert "Index.md: exists and was not generated by vaultnet" in result.stderr
    assert snapshot(tmp_path) == before


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch PLANTED",))


def test_a_planted_cache_never_runs_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = make_vault(tmp_path)
    (vault / ".vaultnet" / "cache").mkdir(parents=True)
    planted = pickle.dumps({"format": 4, "x": _Boom()})
    for shard in range(256):  # in whichever file the build reads
        (vault / ".vaultnet" / "cache" / f"notes-{shard:02x}.pickle").write_bytes(planted)
    monkeypatch.chdir(tmp_path)
    result = cli("build", vault, *TODAY_ARGS)
    assert result.exit_code == 0
    assert "could not be read (UnpicklingError); rebuilt" in result.stderr
    assert not (tmp_path / "PLANTED").exists() and not (vault / "PLANTED").exists()
    again = cli("build", vault, *TODAY_ARGS)
    assert again.exit_code == 0 and "could not be read" not in again.stderr


def test_an_unreadable_note_and_folder_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault(tmp_path, {"Locked.md": ALICE, "Closed/Inner.md": ALICE})
    # Permissions do not stop root, so the refusals are simulated where vaultnet meets them.
    read_bytes, scandir, open_folder = Path.read_bytes, os.scandir, os.open
    open_file = builtins.open

    def refuse_note(path: Path) -> bytes:
        if path.name == "Locked.md":
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    def refuse_file(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith("/Locked.md"):
            raise PermissionError(13, "Permission denied", str(file))
        return open_file(file, *args, **kwargs)

    def refuse_folder(path: str | int = ".") -> object:
        if isinstance(path, str) and path.endswith("Closed"):
            raise PermissionError(13, "Permission denied", path)
        return scandir(path)

    def refuse_open(path: str, flags: int, *args: int) -> int:
        if path.endswith("Closed"):
            raise PermissionError(13, "Permission denied", path)
        return open_folder(path, flags, *args)

    monkeypatch.setattr(Path, "read_bytes", refuse_note)  # however the note is read
    monkeypatch.setattr(builtins, "open", refuse_file)
    # Folders are listed by descriptor where the platform can, else by path.
    monkeypatch.setattr("vaultnet.source.vault.os.scandir", refuse_folder)
    monkeypatch.setattr("vaultnet.source.vault.os.open", refuse_open)
    outcome = survey(vault)
    outcome.has("Locked.md", None, "error", "cannot read: Permission denied")
    outcome.has("Closed", None, "warning", "cannot read folder: Permission denied")
    assert outcome.names() == {GOOD}


def test_a_dangling_link_and_odd_entries_are_skipped(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"Folder.md/inside.md": ALICE})
    os.symlink(vault / "gone.md", vault / "dangling.md")
    os.mkfifo(vault / "pipe.md")
    outcome = survey(vault)
    assert "dangling.md" not in outcome.paths()
    assert outcome.person("Alice")["path"] == "Folder.md/inside.md"


def test_a_file_name_cannot_forge_a_diagnostic_or_drive_the_terminal(tmp_path: Path) -> None:
    name = "evil\x1b]0;owned\x07\nfake.md:1: error: forged.md"
    vault = make_vault(tmp_path, {name: b"---\ntier: champion\nbad: [\n---\n"})
    outcome = survey(vault)
    shown = "evil\\u001b]0;owned\\u0007\\u000afake.md:1: error: forged.md"
    [line] = outcome.about(shown)
    assert line.startswith(f"{shown}:4: error: YAML error")
    assert [d["path"] for d in outcome.digest["diagnostics"]] == [name]  # JSON: the real name
    assert "\x1b" not in outcome.check.stderr and "\x07" not in outcome.check.stderr


def test_a_symlink_to_a_note_inside_the_vault_is_not_a_second_person(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"People/Alice.md": ALICE})
    (vault / "Shortcut.md").symlink_to(vault / "People" / "Alice.md")
    outcome = survey(vault)
    assert outcome.names() == {GOOD, "Alice"}
    assert outcome.digest["people"] == 2  # not Alice twice


def test_the_scan_lists_notes_in_path_order_whatever_the_folder_order(tmp_path: Path) -> None:
    from vaultnet.config import load_config
    from vaultnet.source.vault import scan

    names = ["A/x.md", "A b.md", "A-c/y.md", "Ä/z.md", "a.md", "B/A/w.md", "B/A.md"]
    vault = make_vault(tmp_path, {name: person(name=f"P{i}") for i, name in enumerate(names)})
    found = [source.path for source in scan(load_config(vault)).files]
    assert [path for path in found if path in names] == sorted(names)


def test_the_scan_reports_a_folders_files_in_name_order_whatever_the_listing_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vaultnet.config import load_config
    from vaultnet.source import vault as vault_module

    copies = [f"Alice.sync-conflict-2024112{n}-143022-ABCDEF{n}.md" for n in range(5)]
    vault = make_vault(tmp_path, {copy: ALICE for copy in copies})
    listed = os.scandir

    class Backwards:
        """A folder's listing, its entries in the order opposite to its names'."""

        def __init__(self, folder: Any) -> None:
            self.listing = listed(folder)

        def __enter__(self) -> Any:
            return iter(sorted(self.listing, key=lambda entry: entry.name, reverse=True))

        def __exit__(self, *exc: object) -> None:
            self.listing.close()

    monkeypatch.setattr(vault_module.os, "scandir", Backwards)
    found = vault_module.scan(load_config(vault))
    assert [d.path for d in found.diagnostics] == copies


def test_a_scan_by_path_finds_what_a_scan_by_descriptor_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folders are listed through a descriptor where the platform can (Linux, macOS), by
    path elsewhere: both walks must find the same notes and report the same problems."""
    from vaultnet.config import load_config
    from vaultnet.source import vault as vault_module

    names = {
        "People/Alice.md": ALICE,
        "People/Deep/Er/Bob.md": person(name="Bob"),
        "Caf\u0065\u0301/Ren\u0065\u0301e.md": person(name="Renee"),  # NFD on disk
        "Alice.sync-conflict-20241128-143022-ABCDEF1.md": ALICE,
        ".Carol.md.icloud": b"bplist00",
        "node_modules/Ghost.md": person(name="Ghost"),
    }
    vault = make_vault(tmp_path, names)
    os.symlink("..", vault / "People" / "loop")
    (vault / "Shortcut.md").symlink_to(vault / "People" / "Alice.md")
    config = load_config(vault)
    by_descriptor = vault_module.scan(config)
    monkeypatch.setattr(vault_module, "_BY_DESCRIPTOR", False)
    by_path = vault_module.scan(config)
    assert by_path == by_descriptor
    found = {source.path: source.disk for source in by_path.files}
    assert found["Caf\u00e9/Ren\u00e9e.md"] == "Cafe\u0301/Rene\u0301e.md"
    assert "People/Deep/Er/Bob.md" in found and "Shortcut.md" not in found
    assert {d.path for d in by_path.diagnostics} >= {
        "Alice.sync-conflict-20241128-143022-ABCDEF1.md",
        "Carol.md",
    }
