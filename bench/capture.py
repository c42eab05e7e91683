"""Measure ``vaultnet import mail`` on a 10-year mailbox and a build of the notes it writes.

Usage::

    python bench/capture.py [--out bench/vaults/capture] [--sent 50000] [--people 500]

Generates (deterministically, ``random.Random(1)``) a vault of ``--people`` person notes with
email addresses and an mbox of ``--sent`` messages you sent over ten years (2016-11-27 to
2026-11-26, some to people without a note, some mailings) plus one received message for every
four sent, each with a short body and every tenth with a base64 attachment. Then it times:

1. ``vaultnet import mail`` of the whole mbox into the empty vault (one source note per day:
   about 3,650 notes), with its peak memory;
2. the same import again (nothing to change);
3. ``vaultnet build`` of the vault with those source notes, cold (``.vaultnet/`` removed first:
   the build parses every note and saves the parse cache), then again with nothing changed.

Prints one line per figure. Nothing here is run by the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

TODAY = "2026-11-26"
ME = "me@example.com"


def generate(out: Path, sent: int, people: int) -> Path:
    rng = random.Random(1)
    if out.exists():
        shutil.rmtree(out)
    folder = out / "vault" / "People"
    folder.mkdir(parents=True)
    addresses = []
    for n in range(people):
        address = f"person{n}@company{n % 40}.example"
        addresses.append(address)
        (folder / f"Person {n}.md").write_text(
            f"---\ntier: supporter\nemail: {address}\n---\n# Person {n}\n", encoding="utf-8"
        )
    strangers = [f"stranger{n}@elsewhere.example" for n in range(people)]
    start = dt.datetime(2016, 11, 27, 8, 0)
    span = 10 * 365 * 24 * 3600
    attachment = ("QUJD" * 19 + "\n") * 40
    mbox = out / "mail.mbox"
    with open(mbox, "w", encoding="utf-8") as handle:
        total = sent + sent // 4
        for number in range(total):
            when = start + dt.timedelta(seconds=span * number // total)
            received = number % 5 == 4
            to = [rng.choice(addresses if rng.random() < 0.8 else strangers)]
            if rng.random() < 0.01:
                to = rng.sample(addresses, 20)  # a mailing, skipped
            elif rng.random() < 0.2:
                to.append(rng.choice(addresses))
            sender, recipients = (to[0], ME) if received else (ME, ", ".join(to))
            labels = "Inbox" if received else "Sent"
            handle.write(
                f"From 17{number:017d}@xxx {when:%a %b %d %H:%M:%S} +0000 {when:%Y}\n"
                f"X-GM-THRID: 17{number:017d}\n"
                f"X-Gmail-Labels: {labels}\n"
                f"Message-ID: <m{number}@mail.example.com>\n"
                f"Date: {when:%a, %d %b %Y %H:%M:%S} +0000\n"
                f"From: {sender}\n"
                f"To: {recipients}\n"
                f"Subject: =?UTF-8?Q?Message_{number}_=C3=A9?=\n"
                "MIME-Version: 1.0\n"
                'Content-Type: multipart/mixed; boundary="B"\n'
                "\n--B\nContent-Type: text/plain\n\nHello,\nsee you soon.\n"
            )
            if number % 10 == 0:
                handle.write(f"--B\nContent-Type: application/pdf\n\n{attachment}")
            handle.write("--B--\n\n")
    return mbox


def timed(*args: str) -> tuple[float, float, str]:
    """Seconds, peak memory of the child in MB, and the last line of its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "vaultnet", *args], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 1):
        sys.exit(f"vaultnet {' '.join(args)} failed:\n{done.stderr}")
    lines = done.stdout.strip().splitlines()
    return elapsed, max(peak, before) / 1024, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/vaults/capture"))
    parser.add_argument("--sent", type=int, default=50_000)
    parser.add_argument("--people", type=int, default=500)
    options = parser.parse_args()
    mbox = generate(options.out, options.sent, options.people)
    vault = str(options.out / "vault")
    size = mbox.stat().st_size / 1e6
    print(f"mbox: {size:.0f} MB, {options.sent:,} sent + {options.sent // 4:,} received")
    seconds, memory, summary = timed(
        "import", "mail", str(mbox), "--vault", vault, "--today", TODAY
    )
    print(f"import mail, first time: {seconds:.1f} s, peak {memory:.0f} MB ({summary})")
    notes = len(list((options.out / "vault" / "Sources").rglob("*.md")))
    seconds, _, summary = timed("import", "mail", str(mbox), "--vault", vault, "--today", TODAY)
    print(f"import mail, again: {seconds:.1f} s ({summary})")
    # Cold: no parse cache and no record of a last build; the build saves both.
    shutil.rmtree(options.out / "vault" / ".vaultnet", ignore_errors=True)
    seconds, _, summary = timed("build", vault, "--today", TODAY)
    print(f"build with {notes:,} source notes, cold: {seconds:.2f} s ({summary})")
    seconds, _, summary = timed("build", vault, "--today", TODAY)
    print(f"build again, nothing changed: {seconds:.2f} s ({summary})")


if __name__ == "__main__":
    main()
