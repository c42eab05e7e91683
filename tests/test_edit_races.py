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
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from vaultnet import actions
from vaultnet.config import load_config
from vaultnet.edit import EditError, files
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
    vault.mkdir()
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
    while not any(p.name.endswith(files.TEMP_SUFFIX) for p in vault.iterdir()):
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
        time.sleep(0.004)  # between the new text written and the swap: the widest window

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
    assert len(overlapped) >= 30
