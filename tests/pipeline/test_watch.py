"""``vaultnet watch``: real file events in tmp_path vaults, with deadlines instead of sleeps.

Each test runs a Watcher on a thread and waits (with a deadline) for what a user would see:
a page's content, a number of rebuilds. "Exactly one rebuild" is checked by waiting a few
debounce periods after the expected rebuild and seeing no other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import gc
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingEmitter, PollingObserver, PollingObserverVFS

from tests.conftest import TODAY, WriteNote
from vaultnet.cli.main import main
from vaultnet.config import load_config
from vaultnet.pipeline.build import Builder, BuildRequest
from vaultnet.pipeline.output import WriteResult
from vaultnet.pipeline.watch import (
    WATCH_LIMIT_HINT,
    Notice,
    PathKind,
    QuietCollector,
    RawEvent,
    Rebuild,
    Watcher,
    classify,
)
from vaultnet.render.builtin import builtin_templates_dir
from vaultnet.render.page import MARK
from vaultnet.state.cache import NoteCache

DEBOUNCE = 0.1
DEADLINE = 10.0  # generous: only a failing test ever waits this long
SETTLE = 0.4  # four debounce periods with no rebuild: nothing more is coming
TICK = 0.05  # how often an idle loop looks at the stop event, the observer and the date


# Stand-ins for the built-in templates: compiling those takes most of a small vault's
# rebuild (each build makes a fresh environment), and they are tested elsewhere. Every page
# template gets one; the CLI test keeps the real ones.
INDEX_TEMPLATE = (
    "# Index\n{% for p in people %}\n"
    "- {{ p.name }}: {{ p.company.text if p.company else '' }}\n{% endfor %}\n"
)


def stand_in_templates(vault: Path) -> None:
    folder = vault / ".vaultnet" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    for builtin in builtin_templates_dir().glob("*.md.j2"):
        target = folder / builtin.name
        if not builtin.name.startswith("_") and not target.exists():
            text = INDEX_TEMPLATE if builtin.name == "index.md.j2" else "# {{ page }}\n"
            target.write_text(text, encoding="utf-8")


def person(company: str, tier: str = "champion") -> str:
    return (
        f"---\ntier: {tier}\ncompany: {company}\n---\n# Notes\n\n"
        "## Log\n- 2026-11-01 coffee: caught up\n"
    )


class Running:
    """A Watcher on a thread, and what it reported."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher
        self.builds: list[Rebuild] = []
        self.notices: list[Notice] = []

    @property
    def count(self) -> int:
        return len(self.builds)

    @property
    def last(self) -> Rebuild:
        return self.builds[-1]

    def names(self) -> set[str]:
        """The people of the latest successful build."""
        for rebuild in reversed(self.builds):
            if rebuild.result is not None and rebuild.result.network is not None:
                return {p.name for p in rebuild.result.network.people}
        return set()

    def wait_for(self, condition: Callable[[], Any], what: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while not condition():
            if time.monotonic() > deadline:
                summaries = [b.summary() for b in self.builds]
                pytest.fail(f"timed out waiting for {what}; builds: {summaries}; {self.notices}")
            time.sleep(0.02)

    def settle(self, seconds: float = SETTLE) -> None:
        """Wait ``seconds`` and check no rebuild happened meanwhile."""
        before = self.count
        time.sleep(seconds)
        assert self.count == before, [b.summary() for b in self.builds[before:]]


Start = Callable[..., Running]


@pytest.fixture
def start(vault: Path) -> Iterator[Start]:
    """Start a Watcher on the vault (after its first build); stopped and joined at the end."""
    threads: list[tuple[threading.Event, threading.Thread]] = []

    def start_watcher(**options: Any) -> Running:
        stand_in_templates(vault)
        options.setdefault("today", TODAY)
        options.setdefault("debounce", DEBOUNCE)
        options.setdefault("tick", TICK)
        watcher = Watcher(load_config(vault), **options)
        running = Running(watcher)
        watcher.on_build = running.builds.append
        watcher.on_notice = running.notices.append
        stop = threading.Event()
        thread = threading.Thread(target=watcher.run, args=(stop,), name="watcher")
        threads.append((stop, thread))
        thread.start()
        running.wait_for(lambda: running.builds, "the first build")
        return running

    yield start_watcher
    for stop, _ in threads:
        stop.set()
    for _, thread in threads:
        thread.join(DEADLINE)
        assert not thread.is_alive(), "the watch loop did not stop"


def index(vault: Path, output: str = "Network") -> str:
    try:
        return (vault / output / "Index.md").read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


# Editors' save patterns: each ends with the note holding ``text``.


def in_place(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def temp_rename(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp123")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def vim(path: Path, text: str) -> None:
    probe = path.parent / "4913"  # vim checks it may create files in the folder
    probe.write_text("", encoding="utf-8")
    probe.unlink()
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    path.write_text(text, encoding="utf-8")
    backup.unlink()


def jetbrains(path: Path, text: str) -> None:
    temp = path.with_name(path.name + "___jb_tmp___")
    old = path.with_name(path.name + "___jb_old___")
    temp.write_text(text, encoding="utf-8")
    os.rename(path, old)
    os.rename(temp, path)
    old.unlink()


def delete_create(path: Path, text: str) -> None:
    path.unlink()
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("save", [in_place, temp_rename, vim, jetbrains, delete_create])
def test_each_editor_save_pattern_gives_exactly_one_rebuild(
    vault: Path, write: WriteNote, start: Start, save: Callable[[Path, str], None]
) -> None:
    path = write("People/Ann Lee.md", person("Acme"))
    w = start(debounce=0.2)  # the default: a loaded machine may pause the test mid-save
    save(path, person("Globex"))
    w.wait_for(lambda: w.count >= 2 and "Globex" in index(vault), "the new company")
    w.settle()
    assert w.count == 2
    assert w.last.paths == ("People/Ann Lee.md",)  # no temp, backup or probe file
    assert "Acme" not in index(vault)
    assert w.last.summary().split(" ", 1)[1].startswith("People/Ann Lee.md changed · ")


def test_a_burst_of_500_files_is_at_most_two_rebuilds(
    vault: Path, write: WriteNote, start: Start
) -> None:
    write("People/Ann Lee.md", person("Acme"))
    w = start()
    for number in range(500):
        in_place(vault / "People" / f"Person {number:03}.md", person("Acme", "supporter"))
    w.wait_for(lambda: len(w.names()) == 501, "all 501 people")
    w.settle()
    assert w.count - 1 <= 2


def test_delete_rename_and_a_moved_folder_update_the_pages(
    vault: Path, write: WriteNote, start: Start, tmp_path: Path
) -> None:
    write("People/Zed Quill.md", person("Acme"))
    write("People/Carol Vance.md", person("Initech"))
    w = start()
    assert "Zed Quill" in index(vault)
    (vault / "People" / "Zed Quill.md").unlink()
    w.wait_for(lambda: w.names() == {"Carol Vance"}, "the deleted person gone")
    assert "Zed Quill" not in index(vault)
    assert w.last.what() == "People/Zed Quill.md deleted"
    os.rename(vault / "People" / "Carol Vance.md", vault / "People" / "Caroline Vance.md")
    w.wait_for(lambda: w.names() == {"Caroline Vance"}, "the renamed person")
    assert "Caroline Vance" in index(vault)
    assert set(w.last.paths) == {"People/Carol Vance.md", "People/Caroline Vance.md"}
    # A folder moved in from outside: its notes have no events of their own.
    outside = tmp_path / "elsewhere" / "Team"
    outside.mkdir(parents=True)
    in_place(outside / "Bo Chen.md", person("Acme"))
    os.rename(outside, vault / "People" / "Team")
    w.wait_for(lambda: "Bo Chen" in w.names(), "the moved-in person")
    assert w.last.full


def test_a_bad_note_is_reported_left_out_and_comes_back_when_fixed(
    vault: Path, write: WriteNote, start: Start
) -> None:
    write("People/Ann Lee.md", person("Acme"))
    w = start()
    in_place(vault / "People" / "Bo Chen.md", "---\ntier: [champion\n---\n# Bo\n")
    w.wait_for(lambda: w.count == 2, "the rebuild")
    errors = [d for d in w.last.new_diagnostics if d.level == "error"]
    assert [d.path for d in errors] == ["People/Bo Chen.md"]
    assert "Bo Chen" not in w.names()
    in_place(vault / "People" / "Bo Chen.md", person("Acme"))
    w.wait_for(lambda: "Bo Chen" in w.names(), "the fixed person")
    assert [d.path for d in w.last.resolved] == ["People/Bo Chen.md"]
    assert not w.last.new_diagnostics


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_an_unreadable_note_is_reported(vault: Path, write: WriteNote, start: Start) -> None:
    write("People/Ann Lee.md", person("Acme"))
    w = start()
    path = write("People/Bo Chen.md", person("Acme"))
    path.chmod(0)
    try:
        w.wait_for(lambda: w.count >= 2 and w.last.new_diagnostics, "the diagnostic")
        assert "cannot read" in w.last.new_diagnostics[0].message
    finally:
        path.chmod(0o644)


def test_own_output_and_cache_do_not_retrigger(vault: Path, write: WriteNote, start: Start) -> None:
    write("People/Ann Lee.md", person("Acme"))
    write("Ideas.md", "Some thoughts.\n")
    w = start(cache=NoteCache.for_vault(vault))  # the cache lives in .vaultnet/
    w.settle(1.0)
    assert w.count == 1
    in_place(vault / "People" / "Ann Lee.md", person("Globex"))
    w.wait_for(lambda: w.count == 2, "the rebuild")
    assert w.last.wrote
    w.settle()
    # The old files of the pages written over were let go once the rebuild was reported.
    written = w.watcher.builder.written
    assert written is not None and written.held == []
    # A change that alters no page: one quiet rebuild, and no page is rewritten.
    before = {p: p.stat().st_mtime_ns for p in (vault / "Network").rglob("*.md")}
    in_place(vault / "Ideas.md", "Other thoughts.\n")
    w.wait_for(lambda: w.count == 3, "the rebuild")
    assert not w.last.wrote
    w.settle()
    assert {p: p.stat().st_mtime_ns for p in (vault / "Network").rglob("*.md")} == before


def test_pages_changed_behind_its_back_are_put_back_at_the_next_rebuild(
    vault: Path, write: WriteNote, start: Start
) -> None:
    """The watcher looks only at output files it has events for; those it does look at."""
    write("People/Ann Lee.md", person("Acme"))
    write("People/Bo Chen.md", person("Initech"))
    w = start()
    in_place(vault / "People" / "Ann Lee.md", person("Globex"))
    w.wait_for(lambda: w.count == 2, "the rebuild")
    w.settle()
    written = w.watcher.builder.written
    assert written is not None and written.trusted  # following the output by its events
    page = vault / "Network" / "Index.md"
    page.write_text(page.read_text(encoding="utf-8") + "my addition\n", encoding="utf-8")
    (vault / "Network" / "Old page.md").write_text(f"---\n{MARK}\n---\nold\n")
    (vault / "Network" / "Mine.md").write_text("my own page\n")
    w.settle()  # the output folder's changes start no rebuild
    in_place(vault / "People" / "Bo Chen.md", person("Hooli"))
    w.wait_for(lambda: w.count == 3, "the rebuild")
    assert "my addition" not in page.read_text(encoding="utf-8")
    assert w.last.result is not None and w.last.result.write.removed == ["Old page.md"]
    assert (vault / "Network" / "Mine.md").read_text() == "my own page\n"


def test_a_template_change_rerenders_and_a_broken_one_is_survived(
    vault: Path, write: WriteNote, start: Start
) -> None:
    write("People/Ann Lee.md", person("Acme"))
    w = start()
    write(".vaultnet/templates/index.md.j2", "Custom index of {{ people | length }}\n")
    w.wait_for(lambda: w.count >= 2 and "Custom index of 1" in index(vault), "the template")
    assert w.last.reason == "templates"
    in_place(vault / ".vaultnet/templates/index.md.j2", "{{ people | no_such_filter }}\n")
    w.wait_for(lambda: w.count >= 3, "the failed rebuild")
    assert w.last.error is not None and w.last.result is None
    assert "error:" in w.last.summary()
    in_place(vault / ".vaultnet/templates/index.md.j2", "Second index of {{ people | length }}\n")
    w.wait_for(lambda: w.count >= 4 and "Second index of 1" in index(vault), "the fix")
    w.settle()
    assert w.count == 4


def test_an_unmarked_file_in_the_way_is_retried_once_moved(
    vault: Path, write: WriteNote, start: Start
) -> None:
    write("People/Ann Lee.md", person("Acme"))
    write("Network/Index.md", "my own notes\n")
    w = start()
    assert w.last.error is not None and "generated" in str(w.last.error)
    (vault / "Network" / "Index.md").unlink()
    w.wait_for(lambda: w.count >= 2 and "Ann Lee" in index(vault), "the index written")
    assert w.last.reason == "retry"


def test_obsidian_template_settings_are_configuration(
    vault: Path, write: WriteNote, start: Start
) -> None:
    write("People/Ann Lee.md", person("Acme"))
    write("Templates/Person.md", person("Acme"))
    w = start()
    assert w.names() == {"Ann Lee", "Person"}
    write(".obsidian/templates.json", '{"folder": "Templates"}')
    w.wait_for(lambda: w.names() == {"Ann Lee"}, "the template note left out")
    in_place(vault / ".obsidian" / "workspace.json", "{}")  # Obsidian's own chatter
    w.settle()


def test_a_config_change_reloads_and_a_broken_one_keeps_the_last_good(
    vault: Path, write: WriteNote, start: Start
) -> None:
    write("vaultnet.toml", "horizon_days = 30\n")
    write("People/Ann Lee.md", person("Acme"))
    w = start()
    in_place(vault / "vaultnet.toml", 'horizon_days = "soon"\noutput_dir = "Pages"\n')
    w.wait_for(lambda: w.notices, "the report")
    assert w.notices[0].level == "error"
    assert "horizon_days" in w.notices[0].message
    assert "keeping the last good configuration" in w.notices[0].message
    w.settle()
    assert w.count == 1
    in_place(vault / "People" / "Ann Lee.md", person("Globex"))
    w.wait_for(lambda: w.count >= 2 and "Globex" in index(vault), "a build, old configuration")
    builder = w.watcher.builder
    in_place(vault / "vaultnet.toml", 'output_dir = "Pages"\n')
    w.wait_for(lambda: w.count >= 3 and "Globex" in index(vault, "Pages"), "the fixed config")
    assert w.last.reason == "config" and w.last.full
    assert w.last.what() == "vaultnet.toml changed, configuration reloaded"
    assert w.watcher.builder is not builder and w.watcher.builder.cache is builder.cache


def test_the_polling_observer_works(vault: Path, write: WriteNote, start: Start) -> None:
    path = write("People/Ann Lee.md", person("Acme"))
    w = start(poll=True, poll_interval=0.1)
    assert w.watcher.mode == "polling"
    assert isinstance(w.watcher.observer, PollingObserverVFS)
    temp_rename(path, person("Globex"))
    w.wait_for(lambda: "Globex" in index(vault), "the change seen by polling")


class _OutOfWatches(BaseObserver):
    """An observer that fails to start as inotify does when the watch limit is reached."""

    def __init__(self) -> None:
        super().__init__(PollingEmitter)

    def start(self) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")


def test_running_out_of_inotify_watches_falls_back_to_polling(
    vault: Path, write: WriteNote, start: Start
) -> None:
    path = write("People/Ann Lee.md", person("Acme"))

    def observers(polling: bool) -> BaseObserver:
        return PollingObserver(timeout=0.1) if polling else _OutOfWatches()

    w = start(observer_factory=observers)
    assert w.watcher.mode == "polling"
    assert WATCH_LIMIT_HINT in w.notices[0].message
    in_place(path, person("Globex"))
    w.wait_for(lambda: "Globex" in index(vault), "the change seen by polling")


def test_an_event_queue_overflow_rescans_the_vault(
    vault: Path, write: WriteNote, start: Start
) -> None:
    write("People/Ann Lee.md", person("Acme"))
    w = start(queue_size=5)
    # Hold the loop inside a rebuild's report, so events pile up behind it.
    gate = threading.Event()
    report = w.builds.append

    def slow_report(rebuild: Rebuild) -> None:
        report(rebuild)
        gate.wait(DEADLINE)

    w.watcher.on_build = slow_report
    in_place(vault / "People" / "Bo Chen.md", person("Acme"))
    w.wait_for(lambda: w.count == 2, "the rebuild")
    for number in range(40):
        in_place(vault / "People" / f"Person {number:02}.md", person("Acme"))
    w.wait_for(lambda: w.watcher._overflowed.is_set(), "the overflow")
    gate.set()
    w.wait_for(lambda: len(w.names()) == 42, "everyone, after a rescan")
    assert any(b.full and b.reason == "rescan" for b in w.builds[2:])
    assert any("lost" in n.message for n in w.notices)


def test_an_inotify_overflow_reported_by_watchdog_rescans_the_vault(
    vault: Path, write: WriteNote, start: Start
) -> None:
    write("People/Ann Lee.md", person("Acme"))
    w = start()
    logging.getLogger("watchdog.observers.inotify_c").warning(
        "Inotify queue overflowed; filesystem events were lost"
    )
    w.wait_for(lambda: w.count == 2, "the rescan")
    assert w.last.full and w.last.reason == "rescan"


def test_a_dead_observer_is_restarted_and_the_vault_rescanned(
    vault: Path, write: WriteNote, start: Start
) -> None:
    write("People/Ann Lee.md", person("Acme"))
    w = start()
    first = w.watcher.observer
    assert first is not None
    for emitter in list(first.emitters):
        emitter.stop()
        emitter.join(DEADLINE)
    in_place(vault / "People" / "Bo Chen.md", person("Acme"))  # possibly while nothing watches
    w.wait_for(lambda: "Bo Chen" in w.names(), "the note written while watching was down")
    assert any(b.full for b in w.builds[1:])
    assert w.watcher.observer is not first
    assert any("restarting" in n.message for n in w.notices)
    in_place(vault / "People" / "Cy Diaz.md", person("Acme"))
    w.wait_for(lambda: "Cy Diaz" in w.names(), "a change seen by the new observer")


def test_continuous_autosave_still_rebuilds_within_the_cap(
    vault: Path, write: WriteNote, start: Start
) -> None:
    path = write("People/Ann Lee.md", person("Acme"))
    w = start(debounce=0.15, max_wait=0.4)
    ends = time.monotonic() + 1.0
    number = 0
    while time.monotonic() < ends:  # a save every 50 ms: never quiet for 0.15 s
        number += 1
        in_place(path, person(f"Acme {number}"))
        time.sleep(0.05)
    during = [b for b in w.builds[1:] if b.started < ends]
    assert 1 <= len(during) <= 4
    w.wait_for(lambda: f"Acme {number}" in index(vault), "the last save")


def test_midnight_rerenders_for_the_new_day_even_amid_ignored_chatter(
    vault: Path, write: WriteNote, start: Start
) -> None:
    write("People/Ann Lee.md", person("Acme"))
    now = [dt.datetime(2026, 11, 26, 23, 59, 59)]
    w = start(today=None, now=lambda: now[0])
    assert "today: 2026-11-26" in index(vault)
    # Obsidian rewrites its workspace file all the time; that must not hold the loop up.
    # (Fed to the handler's queue directly: watchdog may deliver real events in bursts.)
    chatter = RawEvent("modified", str(vault / ".obsidian" / "workspace.json"), "", False)
    quiet = threading.Event()

    def chat() -> None:
        while not quiet.wait(0.005):
            w.watcher._enqueue(chatter)

    chatting = threading.Thread(target=chat)
    chatting.start()
    try:
        now[0] = dt.datetime(2026, 11, 27, 0, 0, 1)
        w.wait_for(lambda: w.count >= 2 and "today: 2026-11-27" in index(vault), "the new day")
        w.settle()
    finally:
        quiet.set()
        chatting.join()
    assert w.last.reason == "new day"
    assert w.last.what() == "new day (Friday 27 November 2026)"


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("People/Ann Lee.md", PathKind.NOTE),
        ("Ann.MD", PathKind.NOTE),
        ("vaultnet.toml", PathKind.CONFIG),
        (".obsidian/templates.json", PathKind.CONFIG),
        (".obsidian/daily-notes.json", PathKind.CONFIG),
        (".obsidian/workspace.json", PathKind.IGNORED),
        (".vaultnet/templates/index.md.j2", PathKind.TEMPLATE),
        (".vaultnet/templates/.index.md.j2.swp", PathKind.IGNORED),
        (".vaultnet/templates/index.md.j2~", PathKind.IGNORED),
        (".vaultnet/cache.pickle", PathKind.IGNORED),
        (".vaultnet/cache/notes-2a.pickle", PathKind.IGNORED),
        ("Network/Index.md", PathKind.OUTPUT),
        ("Network/.Index.md.abc.vaultnet-tmp", PathKind.OUTPUT),
        ("People/4913", PathKind.IGNORED),
        ("People/Ann.md~", PathKind.IGNORED),
        ("People/.Ann.md.swp", PathKind.IGNORED),
        ("People/Ann.md.swx", PathKind.IGNORED),
        ("People/Ann.md___jb_tmp___", PathKind.IGNORED),
        ("People/Ann.md___jb_old___", PathKind.IGNORED),
        ("People/.Ann.md.tmp123", PathKind.IGNORED),
        ("People/.#Ann.md", PathKind.IGNORED),
        ("People/Ann.md.crdownload", PathKind.IGNORED),
        (".trash/Ann.md", PathKind.IGNORED),
        (".git/HEAD", PathKind.IGNORED),
        ("node_modules/x/README.md", PathKind.IGNORED),
        ("People/photo.jpg", PathKind.IGNORED),
    ],
)
def test_classify_paths(vault: Path, rel: str, kind: PathKind) -> None:
    assert classify(load_config(vault), rel) is kind


def test_classify_folders(vault: Path) -> None:
    config = load_config(vault)
    assert classify(config, "People/Team", is_directory=True) is PathKind.FOLDER
    assert classify(config, ".vaultnet", is_directory=True) is PathKind.IGNORED
    assert classify(config, ".vaultnet/templates", is_directory=True) is PathKind.TEMPLATE
    assert classify(config, "Network/Tiers", is_directory=True) is PathKind.OUTPUT
    assert classify(config, ".obsidian", is_directory=True) is PathKind.IGNORED


def test_the_summary_line(vault: Path, write: WriteNote) -> None:
    write("People/Ann Lee.md", person("Acme"))
    result = Builder(load_config(vault)).build(BuildRequest(TODAY))
    result = dataclasses.replace(
        result, write=WriteResult(written=["Index.md", "Follow-ups.md"], removed=["Old.md"])
    )
    rebuild = Rebuild(
        at=dt.datetime(2026, 11, 26, 12, 3, 4),
        reason="changes",
        paths=("People/Ann Lee.md",),
        deleted=(),
        full=False,
        today=TODAY,
        result=result,
        error=None,
        first_change=0.0,
        started=1.0,
        finished=1.014,
    )
    assert rebuild.summary() == (
        "12:03:04 People/Ann Lee.md changed · 2 pages written, 1 removed · 14 ms"
    )
    many = dataclasses.replace(rebuild, paths=("a.md", "b.md", "c.md", "d.md"))
    assert many.what() == "4 files changed"


def test_watch_help_documents_the_options() -> None:
    result = CliRunner().invoke(main, ["watch", "--help"])
    assert result.exit_code == 0
    for option in ("--debounce", "--poll", "--verbose", "--no-cache", "--today", "Ctrl-C"):
        assert option in result.output


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_the_command_rebuilds_and_ends_cleanly_on_ctrl_c(vault: Path, write: WriteNote) -> None:
    path = write("People/Ann Lee.md", person("Acme"))
    process = subprocess.Popen(
        [sys.executable, "-m", "vaultnet", "watch", str(vault), "--debounce", "0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "VAULTNET_TODAY": TODAY.isoformat()},
    )
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()))
    reader.start()
    try:
        deadline = time.monotonic() + DEADLINE
        while not any(line.startswith("watching") for line in lines):
            assert time.monotonic() < deadline and process.poll() is None, lines
            time.sleep(0.02)
        in_place(path, person("Globex"))
        while not any("People/Ann Lee.md changed" in line for line in lines):
            assert time.monotonic() < deadline, lines
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        process.wait(DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(DEADLINE)
    assert process.stderr is not None
    stderr = process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "Globex" in index(vault)


class _Cycle:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_a_watcher_collects_garbage_when_quiet_and_leaves_the_collector_as_it_was(
    vault: Path, write: WriteNote
) -> None:
    assert gc.isenabled()
    write("People/Ann Lee.md", person("Acme"))
    stand_in_templates(vault)
    watcher = Watcher(load_config(vault), today=TODAY, debounce=DEBOUNCE, tick=TICK)
    running = Running(watcher)
    watcher.on_build = running.builds.append
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), name="watcher")
    thread.start()
    try:
        # What the first build made is frozen (once it is reported), not collected.
        running.wait_for(lambda: gc.get_freeze_count() > 0, "the first build, frozen")
        assert running.builds
        assert not gc.isenabled()  # paused while watching
        assert watcher.collector.collections == 0
        cycle = _Cycle()
        gone = weakref.ref(cycle)
        del cycle
        write("People/Ann Lee.md", person("Globex"))
        running.wait_for(lambda: gone() is None, "the cycle collected once the vault is quiet")
        assert watcher.collector.collections >= 1
        assert "Globex" in index(vault)
    finally:
        stop.set()
        thread.join(DEADLINE)
    assert not thread.is_alive()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_collector_looks_at_everything_now_and_then() -> None:
    collector = QuietCollector()
    collector.pause()
    try:
        collector.built()
        collector.quiet()  # the first collection: everything, then frozen
        assert collector.collections == 1 and gc.get_freeze_count() > 0
        cycle = _Cycle()
        gone = weakref.ref(cycle)
        collector.built()
        collector.quiet()
        assert gone() is not None and gc.get_freeze_count() > 0  # alive: frozen with the rest
        del cycle  # garbage now, but frozen: the next collections do not look at it
        collector.built()
        collector.quiet()
        assert gone() is not None
        for _ in range(QuietCollector.EVERYTHING_EVERY):
            collector.built()
        collector.quiet()
        assert gone() is None  # a collection of everything, frozen or not
        assert collector.collections < QuietCollector.EVERYTHING_EVERY  # busy: every 20 builds
        collector.built(everything=True)  # a new day: everything on the next quiet moment
        cycle = _Cycle()
        gone = weakref.ref(cycle)
        collector.quiet()
        del cycle
        collector.built(everything=True)
        collector.quiet()
        assert gone() is None
    finally:
        collector.resume()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_watcher_started_on_an_up_to_date_vault_makes_its_model_at_once(
    vault: Path, write: WriteNote, start: Start
) -> None:
    """Stopping early at the start would leave the first edit to build everything."""
    write("People/Ann Lee.md", person("Acme"))
    write("People/Bob Marsh.md", person("Initech"))
    stand_in_templates(vault)
    config = load_config(vault)
    assert (
        Builder(config, NoteCache.for_vault(vault)).build(BuildRequest(TODAY)).network is not None
    )
    again = Builder(config, NoteCache.for_vault(vault)).build(BuildRequest(TODAY))
    assert again.up_to_date  # a build now would stop early
    w = start(cache=NoteCache.for_vault(vault))
    first = w.last.result
    assert first is not None and not first.up_to_date and first.network is not None
    assert not first.write.written  # the pages were already right
    write("People/Ann Lee.md", person("Globex"))
    w.wait_for(lambda: w.count >= 2 and "Globex" in index(vault), "the edit")
    edited = w.last.result
    assert edited is not None and edited.network is not None
    assert edited.network.patch is not None  # brought up to date from the first model


def test_the_collector_leaves_objects_frozen_by_someone_else_frozen() -> None:
    gc.freeze()  # a program embedding the watcher froze its own objects
    kept = gc.get_freeze_count()
    collector = QuietCollector()
    collector.pause()
    try:
        collector.started()
        collector.built(everything=True)
        collector.quiet()
        assert collector.collections == 1
        assert gc.get_freeze_count() == kept  # neither more frozen nor unfrozen
    finally:
        collector.resume()
        assert gc.get_freeze_count() == kept and gc.isenabled()
        gc.unfreeze()
