"""The ``vaultnet`` program: a quick answer when the vault has not changed, else the
command line (cli.py).

Loading click and the commands takes about 40 ms: a sixth of a build that finds the
vault as its last build left it, at 10,000 people. So the program first looks at its
arguments. When they are ``build`` or ``digest --format json`` with nothing but a vault
(as an argument or ``--vault``), ``--today``, ``--strict`` and, for build, ``-q`` /
``--quiet``, and the last build's record shows that nothing changed, it prints what the
command would print, from the record, without loading the command line. Anything else
(another option, ``--help``, a value the command would refuse, an error, a vault that
changed) goes to the command line, which parses and reports it as always. With no vault
named, the vault is found as the command line finds it (``config.find_vault``). When the vault
changed, the command line's build takes over what the look found (``Looked``), so the
vault is not looked at twice.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TextIO

from vaultnet.cli.looked import Looked
from vaultnet.dates import TODAY_RANGE

_VALUED = ("--vault", "--today", "--format")


@dataclass(frozen=True, slots=True)
class _Request:
    command: str  # "build" or "digest" (JSON)
    vault: Path | None  # None: the one the current folder is in
    today: dt.date
    strict: bool
    quiet: bool


def run() -> NoReturn:
    """The ``vaultnet`` program: the quick answer or ``cli.main``, then an exit that skips
    freeing every object.

    A build of a large vault leaves millions of small objects behind; freeing them one by
    one when Python shuts down takes about a second at 10,000 people, for nothing, as the
    process ends anyway. Output is flushed first, and every file vaultnet writes has been
    closed (atomically replaced) by then. Under a profiler or a coverage tracer it exits
    normally, so that they can write what they measured.

    The cyclic garbage collector stays off: a build pauses it anyway, and turning it on
    again at the end of one made it look at everything the build had made (about 0.3 s
    at 10,000 people) just before the process ended. ``watch`` collects by itself.
    """
    gc.disable()
    try:
        answer = quick_answer(sys.argv[1:])
    except KeyboardInterrupt:
        print("vaultnet: interrupted", file=sys.stderr)
        answer = 130
    code: object = answer
    if not isinstance(answer, int):
        from vaultnet.cli.cli import main

        try:
            main(prog_name="vaultnet", obj=answer)
            code = 0
        except SystemExit as exc:
            code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(code)  # under a profiler or coverage: let them write their results
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1  # output lost (a closed pipe): say so through the exit code
    os._exit(code or 0)


def quick_answer(args: list[str]) -> int | Looked | None:
    """Print the answer to ``args`` from the last build's record and return the exit
    code. When the command line must answer, nothing is printed, and what a look at a
    changed vault found is returned for it to take over (else None)."""
    request = _simple_request(args)
    if request is None:
        return None
    from vaultnet.config import find_vault, load_config
    from vaultnet.pipeline.build import Builder
    from vaultnet.pipeline.report import build_summary, exit_code
    from vaultnet.state.cache import NoteCache

    try:
        config = load_config(request.vault or find_vault())
        cache = NoteCache.for_vault(config.vault)
        builder = Builder(config, cache)
        result = builder.stop_early(request.today, write=request.command == "build")
    except Exception:  # the command line runs it again, and reports it
        return None
    if cache.problem:
        return None  # the command line's build says so, and saves the cache anew
    if result is None:
        return Looked(config, request.today, builder)
    out, err = "", ""
    if request.command == "digest":
        out = result.digest_json_text() + "\n"
    else:
        err = "".join(
            f"{diagnostic}\n"
            for diagnostic in result.diagnostics
            if not (request.quiet and diagnostic.level == "warning")
        )
        if not request.quiet:
            out = build_summary(result, result.timings["total"], False) + "\n"
    if not (_fits(sys.stdout, out) and _fits(sys.stderr, err)):
        return None  # click copes with a terminal that cannot show it; let it
    sys.stderr.write(err)
    sys.stdout.write(out)
    return exit_code(result, request.strict, errors_fail=False)


def _fits(stream: TextIO, text: str) -> bool:
    """Whether ``stream`` can take ``text`` as it is set up (its encoding and errors)."""
    try:
        text.encode(stream.encoding or "utf-8", stream.errors or "strict")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _simple_request(args: list[str]) -> _Request | None:
    """The request ``args`` make when they are of the simple forms above, else None."""
    if not args or args[0] not in ("build", "digest"):
        return None
    command = args[0]
    values: dict[str, str] = {}
    flags: set[str] = set()
    vault: str | None = None
    rest = iter(args[1:])
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name in _VALUED:
            if not equals:
                value = next(rest, "-")
            if name in values or value.startswith("-"):
                return None  # given twice, or a value that looks like an option
            values[name] = value
        elif arg in ("--strict", "-q", "--quiet") and arg not in flags:
            flags.add(arg)
        elif vault is None and arg and not arg.startswith("-"):
            vault = arg
        else:
            return None
    quiet = bool(flags & {"-q", "--quiet"})
    if len(flags & {"-q", "--quiet"}) > 1 or (quiet and command != "build"):
        return None
    if (values.get("--format") == "json") != (command == "digest"):
        return None  # digest in another format needs the whole model
    if vault is not None and "--vault" in values and Path(vault) != Path(values["--vault"]):
        return None
    today = _today(values.get("--today", os.environ.get("VAULTNET_TODAY")))
    if today is None:
        return None
    chosen = vault if vault is not None else values.get("--vault")
    return _Request(
        command, None if chosen is None else Path(chosen), today, "--strict" in flags, quiet
    )


def _today(value: str | None) -> dt.date | None:
    """The day ``--today`` (or VAULTNET_TODAY) gives, as the command line reads it."""
    if not value:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        return None  # the command line says what is wrong
    first, last = TODAY_RANGE
    return day if first <= day <= last else None
