"""Editing a note that another program is saving: no byte either side wrote is ever lost.

The race windows are widened with fault injection (strace delaying a system call, or a
pause inside vaultnet's own steps), so each test is short and deterministic enough to fail
when the protection is missing. Linux only: the safe path uses leases and renameat2.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vaultnet.atomic import TEMP_SUFFIX
from vaultnet.config import load_config
from vaultnet.edit import EditError, actions, files
from vaultnet.errors import UsageError

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="leases and renameat2: Linux")

TODAY = "2026-11-26"
ENV = {**os.environ, "VAULTNET_TODAY": TODAY}
NOTE = b"---\ntier: advocate\n---\n# Ann\n\n## Notes\n\n## Log\n- 2026-10-01 coffee\n"
BUSY = "is being changed by another program; nothing written; try again"
needs_strace = pytest.mark.skipif(
    shutil.which("strace") is None, reason="strace is needed to widen the race window"
)


def make_vault(tmp_path: Path, note: bytes = NOTE) -> Path:
    vault = tmp_path / "vault"
    vault.mkdir(parents=True)
    (vault / "Ann.md").write_bytes(note)
    return vault


def vaultnet_under_strace(vault: Path, syscall: str, *args: str) -> subprocess.Popen[str]:
    """``vaultnet ARGS --vault VAULT`` with every ``syscall`` delayed by one second."""
    strace = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", f"trace={syscall}"]
    strace += ["-e", f"inject={syscall}:delay_enter=1000000"]
    return subprocess.Popen(
        [*strace, sys.executable, "-m", "vaultnet", *args, "--vault", str(vault)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )


def stray_files(vault: Path) -> list[str]:
    return sorted(p.name for p in vault.iterdir() if p.name not in ("Ann.md", ".vaultnet"))


def assert_entry_on_top_or_refused(
    process: subprocess.Popen[str], out: str, err: str, final: bytes, editor: bytes
) -> None:
    """The editor's bytes survive; vaultnet's entry is added to them or it refused."""
    entry = b"- 2026-11-26 entry\n"
    assert "Traceback" not in err
    if process.returncode == 0:
        assert out.startswith("logged"), (out, err)
        # Its entry, added to everything the editor wrote.
        assert entry in final and final.replace(entry, b"", 1) == editor
    else:
        assert process.returncode == 1, (out, err)
        assert BUSY in err
        assert final == editor  # nothing written, the editor's save whole
    assert entry not in editor


# --- F1: an in-place save caught between its truncate and its write ---------------------------


@needs_strace
def test_log_never_wipes_a_note_an_editor_is_saving_in_place(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    note = vault / "Ann.md"
    typed = NOTE + b"typed in the editor\n"
    process = vaultnet_under_strace(vault, "flock", "log", "Ann", "entry")
    time.sleep(0.8)  # vaultnet has read the vault and waits on its lock
    with open(note, "r+b") as editor:  # the editor, mid-save: truncated, not yet written
        editor.truncate(0)
        out, err = process.communicate(timeout=60)
        editor.write(typed)
    assert_entry_on_top_or_refused(process, out, err, note.read_bytes(), typed)
    assert stray_files(vault) == []


# --- F2: a save landing between the last check and the replace ---------------------------------


@needs_strace
@pytest.mark.parametrize("style", ["in place", "rename"])
def test_a_save_while_vaultnet_writes_its_temporary_file_is_kept(
    tmp_path: Path, style: str
) -> None:
    vault = make_vault(tmp_path)
    note = vault / "Ann.md"
    process = vaultnet_under_strace(vault, "fsync", "log", "Ann", "entry")
    deadline = time.monotonic() + 30
    while not any(p.name.endswith(TEMP_SUFFIX) for p in vault.iterdir()):
        assert time.monotonic() < deadline, "vaultnet never wrote its temporary file"
        time.sleep(0.005)
    # vaultnet has read the note and is flushing its new text: the editor saves now.
    typed = note.read_bytes() + b"\nEditor paragraph\n"
    if style == "in place":
        note.write_bytes(typed)  # waits in the kernel until vaultnet lets go of the note
    else:
        (vault / "Ann.md.saving").write_bytes(typed)
        os.replace(vault / "Ann.md.saving", note)
    out, err = process.communicate(timeout=60)
    assert_entry_on_top_or_refused(process, out, err, note.read_bytes(), typed)
    assert stray_files(vault) == []


# --- a lease broken while editing on a thread that is not the main one --------------------------


def test_an_in_place_save_during_an_edit_on_a_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer waits, the lease's break signal does not end the process, and the edit
    is made again on top of the writer's save."""
    path = tmp_path / "Ann.md"
    path.write_bytes(NOTE)
    typed = NOTE + b"typed\n"
    real = files._write_temp
    writers: list[subprocess.Popen[bytes]] = []

    def write_while_a_writer_opens_the_note(temp: Path, data: bytes, mode: int) -> None:
        real(temp, data, mode)
        if not writers:
            script = "import sys; open(sys.argv[1], 'wb').write(sys.argv[2].encode())"
            args = [sys.executable, "-c", script, str(path), typed.decode()]
            writers.append(subprocess.Popen(args))
            deadline = time.monotonic() + 20
            while not lease_breaking(path):
                assert time.monotonic() < deadline, "the writer never opened the note"
                time.sleep(0.01)

    monkeypatch.setattr(files, "_write_temp", write_while_a_writer_opens_the_note)
    results: list[Any] = []

    def edit() -> None:
        results.append(
            files.edit_note(
                path,
                lambda t: t + "- 2026-11-26 entry\n",
                expect_keys=None,
                body_change=True,
            )
        )

    worker = threading.Thread(target=edit)
    worker.start()
    worker.join(30)
    assert writers[0].wait(30) == 0
    assert results and results[0].changed
    assert path.read_bytes() == typed + b"- 2026-11-26 entry\n"


def lease_breaking(path: Path) -> bool:
    """Whether a lease on ``path``'s file is breaking: a writer waits to open it."""
    inode = f":{path.stat().st_ino} "
    locks = Path("/proc/locks").read_text().splitlines()
    return any("LEASE" in line and "BREAKING" in line and inode in line for line in locks)


# --- a writer saving in every style while log, tier and snooze run ------------------------------

_SAVER = r"""
import json, os, sys, time
note, record, stop = sys.argv[1], sys.argv[2], sys.argv[3]
styles = ["in place", "rename", "vim", "recreate"]
pause = 0.002  # inside each save: widens the moment the note is empty, missing or stale

def write_new(path, data, flags):
    fd = os.open(path, os.O_WRONLY | flags, 0o644)
    time.sleep(pause)
    os.write(fd, data)
    os.close(fd)

with open(record, "w") as out:
    n = 0
    while not os.path.exists(stop) and n < 1000:  # saves until vaultnet is done
        style = styles[n % 4]
        start = time.monotonic()
        with open(note, "rb") as f:
            text = f.read()
        new = text.replace(b"## Notes\n", b"## Notes\neditor-%d\n" % n, 1)
        if style == "in place":
            with open(note, "r+b") as f:
                f.truncate(0)
                time.sleep(pause)
                f.write(new)
        elif style == "rename":
            write_new(note + ".saving", new, os.O_CREAT | os.O_EXCL)
            os.replace(note + ".saving", note)
        elif style == "vim":
            os.rename(note, note + "~")
            write_new(note, new, os.O_CREAT | os.O_EXCL)
            os.unlink(note + "~")
        else:
            os.unlink(note)
            write_new(note, new, os.O_CREAT | os.O_EXCL)
        end = time.monotonic()
        out.write(json.dumps({"n": n, "start": start, "end": end, "read": text.decode()}) + "\n")
        out.flush()
        time.sleep(0.01 + 0.01 * (n % 3))  # an eager autosave, still leaving gaps to edit in
        n += 1
"""


def test_no_save_and_no_reported_edit_is_lost_beside_a_busy_editor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editor saves in four styles, one after another, while 45 edits run on the note.

    An editor save reads the note, adds its marker and saves: so it keeps every marker and
    every vaultnet edit it read. Then:
    - every editor marker is in the final note, and each save read all earlier markers (a
      marker could only go missing if vaultnet wrote over a save);
    - every edit vaultnet reported done is in the final note, unless an editor save that
      had not read it (read before the edit ended, saved after it began) replaced the note,
      or (snooze) a later snooze replaced the value;
    - every edit refused left no trace; no save ever read a note without front matter;
      no temporary file is left.
    """
    vault = make_vault(tmp_path)
    note = vault / "Ann.md"
    config = load_config(vault)
    real = files._write_temp

    def slow_write(temp: Path, data: bytes, mode: int) -> None:
        real(temp, data, mode)
        time.sleep(0.008)  # between the new text written and the swap: the widest window

    monkeypatch.setattr(files, "_write_temp", slow_write)
    exchanges = [0]
    real_exchange = files.swap.exchange

    def counted_exchange(a: str, b: str) -> None:
        exchanges[0] += 1
        real_exchange(a, b)

    monkeypatch.setattr(files.swap, "exchange", counted_exchange)
    record, stop = tmp_path / "saves.jsonl", tmp_path / "stop"
    saver = subprocess.Popen([sys.executable, "-c", _SAVER, str(note), str(record), str(stop)])
    edits: list[dict[str, Any]] = []
    base = dt.date(2026, 1, 1)
    try:
        for i in range(45):
            day = base + dt.timedelta(days=i)
            kind = ("log", "tier", "snooze")[i % 3]
            start = time.monotonic()
            try:
                if kind == "log":
                    result = actions.log_interaction(config, "Ann", f"vn-{i}", when=day)
                    marker = f"- {day} vn-{i}\n"
                elif kind == "tier":
                    tier = ("champion", "supporter")[i // 3 % 2]
                    result = actions.set_tier(config, "Ann", tier, today=day)
                    marker = f"- {day} tier: "
                else:
                    result = actions.snooze(config, "Ann", day)
                    marker = f"snooze_until: {day}\n"
                done = result.changed
            except (EditError, UsageError) as exc:
                # Refused, or the note was missing or half-saved when the vault was read.
                assert "being changed" in str(exc) or "no person matches" in str(exc), exc
                done, marker = False, f"{day} "
            edits.append({"kind": kind, "marker": marker, "done": done, "start": start,
                          "end": time.monotonic()})  # fmt: skip
            time.sleep(0.005 * (i % 4))  # a user at the command line: edits spread over saves
    finally:
        stop.touch()
        assert saver.wait(60) == 0
    final = note.read_text()
    rows = [json.loads(line) for line in record.read_text().splitlines()]
    saves = len(rows)
    for row in rows:  # each save read every marker saved before it, and front matter
        assert row["read"].startswith("---\n"), row["read"]
        lost = [m for m in range(row["n"]) if f"editor-{m}\n" not in row["read"]]
        assert not lost, (row["n"], lost, row["read"], edits)
    assert all(f"editor-{n}\n" in final for n in range(saves))
    done = [e for e in edits if e["done"]]
    for edit in edits:
        if not edit["done"]:
            assert edit["marker"] not in final
            assert all(edit["marker"] not in row["read"] for row in rows)
            continue
        if edit["marker"] in final:
            continue
        replaced_by_editor = any(
            edit["marker"] not in row["read"]
            and row["start"] <= edit["end"]
            and row["end"] >= edit["start"]
            for row in rows
        )
        replaced_by_snooze = edit["kind"] == "snooze" and any(
            later["kind"] == "snooze" and later["start"] > edit["start"] for later in done
        )
        assert replaced_by_editor or replaced_by_snooze, (edit, final)
    assert stray_files(vault) == []
    # The run means something: most edits were made, and saves overlapped them.
    overlapped = [
        e for e in edits if any(r["start"] < e["end"] and r["end"] > e["start"] for r in rows)
    ]
    print(f"edits done {len(done)} of {len(edits)}, {len(overlapped)} overlapping a save;")
    print(f"editor saves {saves}; exchanges {exchanges[0]}")
    assert len(done) >= 20
    assert len(overlapped) >= 20


# --- a save in the instant between the last check and the exchange ----------------------------


def save_just_before_the_exchange(
    monkeypatch: pytest.MonkeyPatch, path: Path, save: Callable[[], None]
) -> list[int]:
    """Run ``save`` once, between vaultnet's last check and its exchange."""
    real = files.swap.exchange
    calls = [0]

    def exchange(a: str, b: str) -> None:
        calls[0] += 1
        if calls[0] == 1:
            save()
        real(a, b)

    monkeypatch.setattr(files.swap, "exchange", exchange)
    return calls


def log_entry(path: Path) -> files.EditResult:
    return files.edit_note(
        path, lambda t: t + "- 2026-11-26 entry\n", expect_keys=None, body_change=True
    )


def test_a_renamed_save_taken_away_by_the_exchange_is_given_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "Ann.md"
    path.write_bytes(NOTE)
    typed = NOTE + b"typed\n"

    def save() -> None:
        (tmp_path / "saving").write_bytes(typed)
        os.replace(tmp_path / "saving", path)

    calls = save_just_before_the_exchange(monkeypatch, path, save)
    assert log_entry(path).changed
    assert path.read_bytes() == typed + b"- 2026-11-26 entry\n"
    assert calls == [3]  # exchanged, given back, then made again on the saved text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Ann.md"]


def test_an_in_place_writer_waiting_on_the_old_file_gets_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "Ann.md"
    path.write_bytes(NOTE)
    typed = NOTE + b"typed\n"
    writers: list[subprocess.Popen[bytes]] = []

    def save() -> None:
        script = "import sys; open(sys.argv[1], 'wb').write(sys.argv[2].encode())"
        writers.append(subprocess.Popen([sys.executable, "-c", script, str(path), typed.decode()]))
        deadline = time.monotonic() + 20
        while not lease_breaking(path):  # the writer opened the old file and waits
            assert time.monotonic() < deadline, "the writer never opened the note"
            time.sleep(0.01)

    calls = save_just_before_the_exchange(monkeypatch, path, save)
    assert log_entry(path).changed
    assert writers[0].wait(30) == 0
    assert path.read_bytes() == typed + b"- 2026-11-26 entry\n"
    assert calls == [3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Ann.md"]


def test_two_saves_at_the_instant_of_the_exchange_keep_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A renamed save taken away by the exchange, and a writer already waiting on the new
    file at the note's name: the new file has to stay, so the save is kept beside it."""
    path = tmp_path / "Ann.md"
    path.write_bytes(NOTE)
    renamed, written = NOTE + b"renamed\n", NOTE + b"written in place\n"
    real = files.swap.exchange
    writers: list[subprocess.Popen[bytes]] = []

    def exchange(a: str, b: str) -> None:
        if not writers:
            (tmp_path / "saving").write_bytes(renamed)
            os.replace(tmp_path / "saving", path)
        real(a, b)
        if not writers:
            script = "import sys; open(sys.argv[1], 'wb').write(sys.argv[2].encode())"
            args = [sys.executable, "-c", script, str(path), written.decode()]
            writers.append(subprocess.Popen(args))
            deadline = time.monotonic() + 20
            while not lease_breaking(path):
                assert time.monotonic() < deadline, "the writer never opened the note"
                time.sleep(0.01)

    monkeypatch.setattr(files.swap, "exchange", exchange)
    with pytest.raises(EditError, match=r"a save it made meanwhile is kept in 'Ann\.md\.kept-"):
        log_entry(path)
    assert writers[0].wait(30) == 0
    assert path.read_bytes() == written
    (kept,) = tmp_path.glob("Ann.md.kept-*")
    assert kept.read_bytes() == renamed


# --- where leases or the exchange are missing ----------------------------------------------------


def no_leases(fd: int) -> bool:
    raise files.swap.Unsupported("no leases here")


def no_exchange(a: str, b: str) -> None:
    raise files.swap.Unsupported("no exchange here")


@pytest.mark.parametrize("missing", ["leases", "exchange", "both"])
def test_fallbacks_edit_a_quiet_note_and_keep_a_save_made_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    if missing in ("leases", "both"):
        monkeypatch.setattr(files.swap, "take_lease", no_leases)
    if missing in ("exchange", "both"):
        monkeypatch.setattr(files.swap, "exchange", no_exchange)
    path = tmp_path / "Ann.md"
    path.write_bytes(NOTE)
    os.utime(path, (1_000_000, 1_000_000))  # quiet for long
    assert log_entry(path).changed
    assert path.read_bytes() == NOTE + b"- 2026-11-26 entry\n"
    # A save landing while the new text is flushed is kept; the edit is made on top of it.
    real = files._write_temp
    typed = path.read_bytes() + b"typed\n"
    saved: list[bool] = []

    def write_then_save(temp: Path, data: bytes, mode: int) -> None:
        real(temp, data, mode)
        if not saved and temp.name.endswith(TEMP_SUFFIX):
            saved.append(True)
            (tmp_path / "saving").write_bytes(typed)
            os.replace(tmp_path / "saving", path)
            os.utime(path, (1_000_000, 1_000_001))

    monkeypatch.setattr(files, "_write_temp", write_then_save)
    assert files.edit_note(
        path, lambda t: t + "- 2026-11-27 more\n", expect_keys=None, body_change=True
    ).changed
    assert path.read_bytes() == typed + b"- 2026-11-27 more\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Ann.md"]


def test_without_leases_a_note_saved_a_moment_ago_is_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files.swap, "take_lease", no_leases)
    monkeypatch.setattr(files, "QUIET_TIMEOUT", 0.3)
    path = tmp_path / "Ann.md"
    path.write_bytes(NOTE)
    stop = threading.Event()

    def keep_touching() -> None:
        while not stop.is_set():
            os.utime(path)
            time.sleep(0.01)

    toucher = threading.Thread(target=keep_touching)
    toucher.start()
    try:
        with pytest.raises(EditError, match=BUSY):
            log_entry(path)
    finally:
        stop.set()
        toucher.join()
    assert path.read_bytes() == NOTE


# --- a person note read empty or without front matter --------------------------------------------


def test_a_person_note_read_without_front_matter_is_refused_not_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "QUIET_TIMEOUT", 0.3)
    path = tmp_path / "Ann.md"
    for text in (b"", b"# Ann\n\n## Log\n"):
        path.write_bytes(text)
        with pytest.raises(EditError, match=BUSY):
            files.edit_note(
                path,
                lambda t: t + "- 2026-11-26 entry\n",
                expect_keys=None,
                body_change=True,
                front_matter_required=True,
            )
        assert path.read_bytes() == text


# --- killed in the middle: the note is old or new, never a mix --------------------------------

# Starts vaultnet commands, each in a process forked from one that has imported vaultnet
# already (a fresh interpreter per run would cost more than the test), with every fsync
# slowed down so that a kill lands while a new text is flushed, swapped in or linked in.
# Reads one JSON list of runs ([vault, args...]) per line; prints the pids, then waits.
_FORKER = """
import json, os, sys, time
real = os.fsync
def fsync(fd):
    time.sleep(0.15)
    real(fd)
os.fsync = fsync
import filelock, vaultnet.edit.actions, vaultnet.cli.edit, vaultnet.render.render
from vaultnet.cli.main import run
for line in sys.stdin:
    pids = []
    for vault, *args in json.loads(line):
        pid = os.fork()
        if pid == 0:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            sys.argv = ["vaultnet", *args, "--vault", vault]
            try:
                run()
            finally:
                os._exit(1)
        pids.append(pid)
    print(json.dumps(pids), flush=True)
    for pid in pids:
        os.waitpid(pid, 0)
    print("done", flush=True)
"""


def _kill_in_its_window(
    forker: subprocess.Popen[str], runs: list[tuple[Path, list[str]]], kill: bool = True
) -> None:
    """Start ``runs``; with ``kill``, kill each a moment after its temporary file appeared
    (the n-th ``0.06 * n`` seconds after) unless it finished first."""
    assert forker.stdin is not None and forker.stdout is not None
    forker.stdin.write(json.dumps([[str(v), *args] for v, args in runs]) + "\n")
    forker.stdin.flush()
    pids = json.loads(forker.stdout.readline())
    deadline = time.monotonic() + 60
    seen: dict[int, float] = {}
    left = dict(zip(pids, [v for v, _ in runs], strict=True))
    while left:
        assert time.monotonic() < deadline, "vaultnet never reached its write"
        now = time.monotonic()
        for pid, vault in list(left.items()):
            n = pids.index(pid)
            if _ended(pid):
                del left[pid]
                continue
            if pid not in seen and any(vault.glob(".*" + TEMP_SUFFIX)):
                seen[pid] = now
            if kill and pid in seen and now >= seen[pid] + 0.06 * n:
                os.kill(pid, signal.SIGKILL)
                del left[pid]
        time.sleep(0.002)
    assert forker.stdout.readline() == "done\n"


def _ended(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] in "ZX"
    except OSError:
        return True


def test_killed_log_and_add_leave_old_or_new_notes_and_no_litter(tmp_path: Path) -> None:
    """20 runs of ``log`` and ``add``, each killed (SIGKILL) at its own moment of writing."""
    # add writes to the vault's root here (--dir .), where the checks below look.
    reference = make_vault(tmp_path / "reference")
    vaults = [make_vault(tmp_path / str(n)) for n in range(20)]
    forker = subprocess.Popen(
        [sys.executable, "-c", _FORKER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=ENV,
    )
    try:
        _kill_in_its_window(forker, [(reference, ["add", "Bob", "--dir", "."])], kill=False)
        _kill_in_its_window(forker, [(reference, ["log", "Ann", "entry"])], kill=False)
        new_bob = (reference / "Bob.md").read_bytes()
        logged = (reference / "Ann.md").read_bytes()
        assert logged != NOTE
        outcomes: dict[str, set[bool]] = {"add": set(), "log": set()}
        for batch in (range(10), range(10, 20)):
            commands = {
                n: ["add", "Bob", "--dir", "."] if n % 2 else ["log", "Ann", "entry"] for n in batch
            }
            _kill_in_its_window(forker, [(vaults[n], commands[n]) for n in batch])
            for n in batch:
                vault = vaults[n]
                assert (vault / "Ann.md").read_bytes() in (NOTE, logged)
                bob = vault / "Bob.md"
                if commands[n][0] == "add":
                    assert not bob.exists() or bob.read_bytes() == new_bob
                    outcomes["add"].add(bob.exists())
                else:
                    outcomes["log"].add((vault / "Ann.md").read_bytes() == logged)
                assert all(p.stat().st_size > 0 for p in vault.glob("*.md"))
        # The kills fell both before and after the notes were replaced or created.
        assert outcomes == {"add": {True, False}, "log": {True, False}}
        # The next edit in each folder sweeps what the killed runs left behind.
        littered = [vault for vault in vaults if stray_files(vault) not in ([], ["Bob.md"])]
        later = ["log", "Ann", "later", "--date", "2026-11-27"]
        _kill_in_its_window(forker, [(vault, later) for vault in littered], kill=False)
        assert littered
        for vault in littered:
            assert stray_files(vault) in ([], ["Bob.md"])
            assert b"- 2026-11-27 later\n" in (vault / "Ann.md").read_bytes()
    finally:
        assert forker.stdin is not None
        forker.stdin.close()
        forker.wait(60)
        assert forker.stdout is not None
        forker.stdout.close()


def test_a_note_renamed_away_for_a_moment_is_waited_for(tmp_path: Path) -> None:
    """vim's save: the note is renamed to its backup, then written anew."""
    path = tmp_path / "Ann.md"
    path.write_bytes(NOTE)
    backup = tmp_path / "Ann.md~"
    os.rename(path, backup)
    timer = threading.Timer(0.05, lambda: path.write_bytes(NOTE + b"typed\n"))
    timer.start()
    try:
        assert log_entry(path).changed
    finally:
        timer.join()
    assert path.read_bytes() == NOTE + b"typed\n- 2026-11-26 entry\n"
    backup.unlink()
    with pytest.raises(EditError, match="there is no such note"):
        log_entry(tmp_path / "Nobody.md")
