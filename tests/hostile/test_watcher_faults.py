"""Faults around watching and editing (HOSTILE 43, 73, 76-78) that test_watch.py and
test_editing.py do not already cover.

Already covered, and not repeated here (see docs/reliability.md): editor save patterns
(69-71), bursts and queue overflows (72), a malformed note while watching (73), our own
output not retriggering (74), continuous autosave (75), compare-and-swap and the lock at the
editor's level (76, 77), and falling back to polling from the Watcher API (78).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vaultnet import atomic
from vaultnet.config import load_config
from vaultnet.edit import files
from vaultnet.pipeline.watch import WATCH_LIMIT_HINT, Notice, Rebuild, Watcher

from . import TODAY, edit, make_vault, person

DEADLINE = 20.0  # only a failing test waits this long
ENV = {**os.environ, "VAULTNET_TODAY": TODAY}
LOGGED = b"---\ntier: advocate\nname: Ann Lee\n---\n# Ann Lee\n\n## Log\n- 2026-10-01 coffee\n"


def wait_for(condition: Callable[[], Any], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


# --- 76: the note changes on disk while vaultnet edits it --------------------------------------


def _saving_meanwhile(
    monkeypatch: pytest.MonkeyPatch, note: Path, save: Callable[[int], bytes | None]
) -> list[int]:
    """Obsidian saves the note (write a new file, rename it over the note) each time
    vaultnet has read it and written its new text, just before the swap."""
    real = files._write_temp
    count = [0]

    def write_then_obsidian_saves(temp: Path, data: bytes, mode: int) -> None:
        real(temp, data, mode)
        count[0] += 1
        typed = save(count[0])
        if typed is not None:
            saving = note.with_name(".obsidian-save.tmp")
            saving.write_bytes(typed)
            os.replace(saving, note)

    monkeypatch.setattr(files, "_write_temp", write_then_obsidian_saves)
    return count


def test_76_a_save_between_read_and_write_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault(tmp_path, {"Ann Lee.md": LOGGED})
    note = vault / "Ann Lee.md"
    typed = LOGGED + b"- 2026-11-25 typed in Obsidian meanwhile\n"
    _saving_meanwhile(monkeypatch, note, lambda n: typed if n == 1 else None)
    result, changed = edit(vault, "log", "Ann Lee", "call")
    assert result.exit_code == 0, result.output
    assert changed == {"Ann Lee.md"}
    assert note.read_bytes() == typed + b"- 2026-11-26 call\n"


def test_76_a_note_that_keeps_changing_is_left_to_the_other_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "QUIET_TIMEOUT", 0.3)
    vault = make_vault(tmp_path, {"Ann Lee.md": LOGGED})
    note = vault / "Ann Lee.md"
    count = _saving_meanwhile(monkeypatch, note, lambda n: LOGGED + f"typing {n}\n".encode())
    result, _ = edit(vault, "log", "Ann Lee", "call")
    assert result.exit_code == 1
    assert (
        "Ann Lee.md: not edited: the note is being changed by another program; "
        "nothing written; try again"
    ) in result.stderr
    assert note.read_bytes() == LOGGED + f"typing {count[0]}\n".encode()  # Obsidian's last


# --- 77: several vaultnet processes at once ------------------------------------------------------


def _vaultnet(*args: str | Path, **options: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "vaultnet", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        **options,
    )


def test_77_concurrent_log_commands_keep_every_entry(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"Ann Lee.md": LOGGED})
    writers = [
        _vaultnet("log", "Ann Lee", f"entry {n}", "--vault", vault, "--date", f"2026-11-0{n}")
        for n in range(1, 6)
    ]
    outputs = [w.communicate(timeout=60) for w in writers]
    assert [w.returncode for w in writers] == [0] * 5, outputs
    assert all("Traceback" not in err for _, err in outputs)
    text = (vault / "Ann Lee.md").read_bytes()
    # Each process kept the others' entries, and the log stays in date order.
    assert text == LOGGED + b"".join(f"- 2026-11-0{n} entry {n}\n".encode() for n in range(1, 6))


class _Watching:
    """``vaultnet watch`` in a subprocess, its output read on a thread."""

    def __init__(self, args: list[str], cwd: Path | None = None) -> None:
        self.process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=cwd
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self.readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.out)),
            threading.Thread(target=self._read, args=(self.process.stderr, self.err)),
        ]
        for reader in self.readers:
            reader.start()

    @staticmethod
    def _read(stream: Any, into: list[str]) -> None:
        for line in stream:
            into.append(line)

    def saw(self, text: str) -> bool:
        assert self.process.poll() is None, (self.out, self.err)
        return any(text in line for line in self.out + self.err)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(DEADLINE)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for reader in self.readers:
                reader.join(DEADLINE)
            for stream in (self.process.stdout, self.process.stderr):
                assert stream is not None
                stream.close()
        return code


@pytest.fixture
def watching() -> Iterator[Callable[..., _Watching]]:
    started: list[_Watching] = []

    def start(args: list[str]) -> _Watching:
        running = _Watching(args)
        started.append(running)
        wait_for(lambda: running.saw("watching "), "the watcher to start")
        return running

    yield start
    for running in started:
        if running.process.poll() is None:
            running.stop()


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_77_log_commands_while_watching_are_all_kept_and_rebuilt(
    tmp_path: Path, watching: Callable[..., _Watching]
) -> None:
    vault = make_vault(tmp_path, {"Ann Lee.md": LOGGED.replace(b"advocate", b"champion")})
    watch = watching([sys.executable, "-m", "vaultnet", "watch", str(vault), "--debounce", "0.1"])
    writers = [
        _vaultnet("log", "Ann Lee", f"entry {n}", "--vault", vault, "--date", f"2026-11-1{n}")
        for n in range(1, 5)
    ]
    outputs = [w.communicate(timeout=60) for w in writers]
    assert [w.returncode for w in writers] == [0] * 4, outputs
    text = (vault / "Ann Lee.md").read_text(encoding="utf-8")
    for n in range(1, 5):
        assert f"- 2026-11-1{n} entry {n}\n" in text
    follow_ups = vault / "Network" / "Follow-ups.md"
    wait_for(lambda: "entry 4" in follow_ups.read_text(encoding="utf-8"), "the rebuilt digest")
    assert watch.stop() == 0
    assert not any("Traceback" in line for line in watch.err), watch.err
    assert (vault / "Ann Lee.md").read_text(encoding="utf-8") == text  # watch wrote no note


# --- a second Ctrl-C stops at once ----------------------------------------------------------

# A rebuild and the cache's save at the end that each take 30 s: the first Ctrl-C lets the
# rebuild finish; the second must stop at once, without waiting for either.
_SLOW = """
import sys, time
import vaultnet.pipeline.build as build
import vaultnet.pipeline.watch as watch

real = build.Builder.build
def slow_build(self, request):
    result = real(self, request)
    if request.changed:  # a rebuild, not the first build
        print("rebuilding slowly", flush=True)
        time.sleep(30)
    return result

build.Builder.build = slow_build
watch.Watcher._release_cache = lambda self: time.sleep(30)
from vaultnet.cli.main import main
main(sys.argv[1:], prog_name="vaultnet")
"""


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_a_second_ctrl_c_stops_at_once(tmp_path: Path, watching: Callable[..., _Watching]) -> None:
    vault = make_vault(tmp_path, {"Ann Lee.md": LOGGED})
    watch = watching([sys.executable, "-c", _SLOW, "watch", str(vault), "--debounce", "0.05"])
    (vault / "Ann Lee.md").write_bytes(LOGGED.replace(b"coffee", b"coffee at Globex"))
    wait_for(lambda: watch.saw("rebuilding slowly"), "the slow rebuild")
    watch.process.send_signal(signal.SIGINT)
    time.sleep(0.2)
    assert watch.process.poll() is None  # the first Ctrl-C waits for the rebuild
    started = time.monotonic()
    watch.process.send_signal(signal.SIGINT)
    code = watch.process.wait(DEADLINE)
    assert time.monotonic() - started < 5
    assert code == 130
    assert watch.stop() == 130
    assert any("stopped at once; the cache was not saved" in line for line in watch.err)
    assert not any("Traceback" in line for line in watch.err), watch.err


# --- 78: out of inotify watches ----------------------------------------------------------------

_OUT_OF_WATCHES = """
import errno, sys
import vaultnet.pipeline.watch as watch

class OutOfWatches(watch.Observer):
    def start(self):
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

watch.Observer = OutOfWatches
from vaultnet.cli.main import main
main(sys.argv[1:], prog_name="vaultnet")
"""


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_78_out_of_inotify_watches_says_how_to_fix_it_and_polls(
    tmp_path: Path, watching: Callable[..., _Watching]
) -> None:
    vault = make_vault(tmp_path, {"Ann Lee.md": LOGGED})
    watch = watching(
        [sys.executable, "-c", _OUT_OF_WATCHES, "watch", str(vault), "--debounce", "0.1"]
    )
    wait_for(lambda: watch.saw("(polling); press Ctrl-C"), "the start line")
    assert watch.saw(WATCH_LIMIT_HINT) and watch.saw("watching by polling instead")
    (vault / "Ann Lee.md").write_bytes(LOGGED.replace(b"coffee", b"coffee at Globex"))
    index = vault / "Network" / "Follow-ups.md"
    wait_for(lambda: "Globex" in index.read_text(encoding="utf-8"), "the change seen by polling")
    assert watch.stop() == 0
    assert not any("Traceback" in line for line in watch.err), watch.err


# --- 43 and 73: a watcher that keeps going -------------------------------------------------------


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[Callable[..., tuple[Watcher, list[Rebuild]]]]:
    threads: list[tuple[threading.Event, threading.Thread]] = []

    def start(vault: Path) -> tuple[Watcher, list[Rebuild]]:
        builds: list[Rebuild] = []
        notices: list[Notice] = []
        w = Watcher(
            load_config(vault),
            today=dt.date.fromisoformat(TODAY),
            debounce=0.1,
            tick=0.05,
            on_build=builds.append,
            on_notice=notices.append,
        )
        stop = threading.Event()
        thread = threading.Thread(target=w.run, args=(stop,))
        threads.append((stop, thread))
        thread.start()
        wait_for(lambda: builds, "the first build")
        return w, builds

    yield start
    for stop, thread in threads:
        stop.set()
        thread.join(DEADLINE)
        assert not thread.is_alive()


def test_43_a_huge_note_while_watching_is_skipped_and_watching_goes_on(
    tmp_path: Path, watcher: Callable[..., tuple[Watcher, list[Rebuild]]]
) -> None:
    vault = make_vault(tmp_path, {"vaultnet.toml": "max_note_kb = 64\n", "Ann Lee.md": LOGGED})
    _, builds = watcher(vault)
    (vault / "huge-body.md").write_bytes(person() + b"x" * (8 * 1024 * 1024))
    wait_for(lambda: any(b.new_diagnostics for b in builds), "the warning")
    [warning] = [d for b in builds for d in b.new_diagnostics]
    assert (warning.path, warning.level) == ("huge-body.md", "warning")
    assert "above max_note_kb (64); skipped" in warning.message
    # Skipped by its size: not among the notes of the build that reported it.
    last = builds[-1].result
    assert last is not None and "huge-body.md" not in {n.path for n in last.read.notes}
    count = len(builds)
    (vault / "Ann Lee.md").write_bytes(LOGGED.replace(b"coffee", b"coffee at Globex"))
    index = vault / "Network" / "Follow-ups.md"
    # The page is written before the rebuild is reported: wait for both.
    wait_for(
        lambda: len(builds) > count and "Globex" in index.read_text(encoding="utf-8"),
        "the rebuild after the next save",
    )


def test_73_a_bug_in_one_rebuild_is_reported_and_watching_goes_on(
    tmp_path: Path,
    watcher: Callable[..., tuple[Watcher, list[Rebuild]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vault = make_vault(tmp_path, {"Ann Lee.md": LOGGED})
    w, builds = watcher(vault)
    real_build = w.builder.build
    failures = 0

    def fails_once(*args: Any, **kwargs: Any) -> Any:
        nonlocal failures
        if failures == 0:
            failures += 1
            raise RuntimeError("a bug")
        return real_build(*args, **kwargs)

    monkeypatch.setattr(w.builder, "build", fails_once)
    (vault / "Bo Chen.md").write_bytes(person(name="Bo Chen"))
    wait_for(lambda: len(builds) >= 2, "the failed rebuild")
    assert builds[1].result is None and isinstance(builds[1].error, RuntimeError)
    assert "unexpected RuntimeError: a bug (a bug in vaultnet; please report it)" in (
        builds[1].summary()
    )
    (vault / "Cy Diaz.md").write_bytes(person(name="Cy Diaz"))
    wait_for(lambda: len(builds) >= 3 and builds[-1].result is not None, "the next rebuild")
    assert builds[-1].full  # after a bug, the whole vault is read again
    index = (vault / "Network" / "Index.md").read_text(encoding="utf-8")
    assert "Bo Chen" in index and "Cy Diaz" in index


def test_watch_removes_the_temporary_files_of_a_killed_run_when_it_starts(
    tmp_path: Path, watcher: Callable[..., tuple[Watcher, list[Rebuild]]]
) -> None:
    vault = make_vault(tmp_path, {"Ann Lee.md": LOGGED})
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # the id of a process that is gone, as a killed build's would be
    leftovers = [
        vault / "Network" / f".Index.md.{child.pid}.k1ll3d{atomic.TEMP_SUFFIX}",
        vault / ".vaultnet" / f".last-build.json.{child.pid}.k1ll3d{atomic.TEMP_SUFFIX}",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\npartial", encoding="utf-8")
    _, builds = watcher(vault)
    assert builds[0].error is None
    assert [path.exists() for path in leftovers] == [False, False]
