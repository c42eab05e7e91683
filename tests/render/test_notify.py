"""vaultnet notify: today's message, sent to real local servers (SMTP, HTTP) on loopback."""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import WriteNote
from vaultnet.cli.main import main

# apprise keeps its worker threads once it has sent: these run after the other tests.
pytestmark = pytest.mark.leaves_threads

TODAY = "2026-11-26"  # a Thursday


def run(vault: Path, *args: str, today: str = TODAY, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["notify", str(vault), "--today", today, *args], env=env or None
    )
    return result.exit_code, result.stdout, result.stderr


def person(**fields: str) -> str:
    lines = ["---", "tier: champion"] + [f"{k}: {v}" for k, v in fields.items()] + ["---"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def people(write: WriteNote) -> None:
    # champion cadence 30d; today 2026-11-26
    write(
        "People/Ann Lee.md",
        person() + "## Log\n- 2026-09-20 pub: a pint after the meetup\n",
    )  # due 10-20: 37 days overdue
    write("People/Bob Marsh.md", person(next_follow_up="2026-11-26"))  # due today
    write("People/Cat Diaz.md", person(next_follow_up="2027-01-20", birthday='"11-26"'))
    write("People/Dan Ode.md", person(next_follow_up="2027-01-20", birthday="1980-11-27"))
    write(
        "People/Eve Stone.md",
        person(next_follow_up="2027-01-20")
        + "## Log\n- 2026-11-10 call: intro to [[Bob Marsh]] #got\n",
    )  # a thank-you owed
    write("People/Fay Wong.md", person(next_follow_up="2026-12-20"))  # not today
    write("People/Gus Lund.md", person(next_follow_up="2026-11-01", snooze_until="2027-01-01"))
    write("People/Hal Berg.md", person(next_follow_up="2026-11-01", status="archived"))
    write(
        "People/Ida Moss.md",
        person(birthday='"11-27"') + "## Log\n- 2026-10-06 coffee: catch-up\n",
    )  # overdue by 21 days and a birthday tomorrow: one line, both reasons


EXPECTED_TEXT = """\
vaultnet: 6 people to get in touch with today (Thursday 26 November 2026)

Cat Diaz: birthday today
Ann Lee: 37 days overdue · last: pub, 20 Sep
Ida Moss: 21 days overdue · last: coffee, 6 Oct; birthday tomorrow
Bob Marsh: due today
Eve Stone: thank-you owed · got: intro to Bob Marsh, 10 Nov
Dan Ode: birthday tomorrow
"""


def test_dry_run_prints_the_message_most_pressing_first(vault: Path, people: None) -> None:
    code, out, err = run(vault, "--dry-run")
    assert (code, err) == (0, "")
    assert out == EXPECTED_TEXT
    assert not (vault / ".vaultnet" / "notify-state.json").exists()


def test_an_obsidian_vault_gets_links_that_open_each_note(
    tmp_path: Path, write: WriteNote, vault: Path
) -> None:
    obsidian = tmp_path / "My Notes"
    obsidian.mkdir()
    (obsidian / ".obsidian").mkdir()
    (obsidian / "People").mkdir()
    (obsidian / "People" / "Ann & Lee.md").write_text(
        person(next_follow_up="2026-11-26"), encoding="utf-8"
    )
    code, out, _ = run(obsidian, "--dry-run")
    assert code == 0
    link = "obsidian://open?vault=My%20Notes&file=People%2FAnn%20%26%20Lee"
    assert out.splitlines()[2:] == ["Ann & Lee: due today", f"  {link}"]
    code, out, _ = run(obsidian, "--dry-run", "--format", "md")
    assert out.splitlines()[2] == f"- **[Ann & Lee]({link})**: due today"


def test_the_limit_keeps_the_most_pressing_and_counts_the_rest(vault: Path, people: None) -> None:
    code, out, _ = run(vault, "--dry-run", "--limit", "2")
    assert code == 0
    assert out.splitlines()[2:] == [
        "Cat Diaz: birthday today",
        "Ann Lee: 37 days overdue · last: pub, 20 Sep",
        "…and 4 more (vaultnet digest)",
    ]
    (vault / "vaultnet.toml").write_text("[notify]\nlimit = 1\n", encoding="utf-8")
    code, out, _ = run(vault, "--dry-run", "--format", "md")
    assert out.splitlines()[2:] == [
        "- **Cat Diaz**: birthday today",
        "- …and 5 more (vaultnet digest)",
    ]


def test_json_format_is_for_scripts(vault: Path, people: None) -> None:
    code, out, _ = run(vault, "--dry-run", "--format", "json", "--limit", "3")
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 6 and data["more"] == 3
    assert data["title"] == EXPECTED_TEXT.splitlines()[0]
    ida = data["reminders"][2]
    assert ida["path"] == "People/Ida Moss.md" and ida["link"] is None
    assert [r["kind"] for r in ida["reasons"]] == ["overdue", "birthday_tomorrow"]


def test_nothing_due_prints_nothing_sends_nothing(
    vault: Path, write: WriteNote, web: Server
) -> None:
    write("People/Fay Wong.md", person(next_follow_up="2026-12-20"))
    for args in (["--dry-run"], ["--to", web.url("json", "/hook")]):
        code, out, err = run(vault, *args)
        assert (code, out, err) == (0, "", "")
    assert web.requests == []
    assert not (vault / ".vaultnet" / "notify-state.json").exists()


def test_without_apprise_it_says_how_to_install_but_dry_run_works(
    vault: Path, people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "apprise", None)  # import apprise raises ImportError
    code, out, err = run(vault, "--to", "ntfy://ntfy.sh/topic")
    assert code == 2 and out == ""
    assert "pip install 'vaultnet[notify]'" in err and "Traceback" not in err
    code, out, _ = run(vault, "--dry-run")
    assert (code, out) == (0, EXPECTED_TEXT)


def test_no_channel_is_a_usage_error(vault: Path, people: None) -> None:
    code, _, err = run(vault)
    assert code == 2
    assert "no channel to send to" in err and "[notify]" in err


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[notify]\nlimit = 0\n", "notify.limit must be a positive whole number"),
        ('[notify]\ntime = "8am"\n', "notify.time must be HH:MM"),
        ('[notify]\nformat = "html"\n', "notify.format must be one of text, md, json"),
        ("[notify]\nurls = [1]\n", "notify.urls must be a list of non-empty strings"),
        ('notify = "ntfy://x"\n', "notify must be a table"),
        ('[notify]\nurls = ["nonsense://x"]\n', "notify.urls entry 1: not a notification URL"),
        ('[notify]\nurls = ["ntfy://${VN_TOPIC}"]\n', "environment variable VN_TOPIC is not set"),
    ],
)
def test_bad_notify_configuration_is_reported_before_anything_is_sent(
    vault: Path, people: None, toml: str, message: str
) -> None:
    (vault / "vaultnet.toml").write_text(toml, encoding="utf-8")
    code, out, err = run(vault)
    assert code == 2 and out == ""
    assert err.startswith("vaultnet: error: vaultnet.toml: ")
    assert message in err


def test_an_unknown_notify_key_is_a_warning(vault: Path, people: None) -> None:
    (vault / "vaultnet.toml").write_text("[notify]\nlimt = 3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(vault), "--today", TODAY])
    assert "unknown key 'limt' in [notify] (did you mean 'limit'?)" in result.stderr


# --- real servers on loopback ------------------------------------------------------------


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class Server:
    """A local HTTP server that records each POST and answers with ``status``."""

    port: int
    status: int = 200
    requests: list[tuple[str, dict[str, str], dict[str, Any]]] = field(default_factory=list)

    def url(self, scheme: str, path: str = "") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"


def serve(status: int) -> Iterator[Server]:
    record = Server(0, status)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(size) or b"{}")
            record.requests.append((self.path, dict(self.headers), payload))
            self.send_response(record.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield record
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def web() -> Iterator[Server]:
    yield from serve(200)


@pytest.fixture
def broken() -> Iterator[Server]:
    yield from serve(500)


@dataclass
class Mailbox:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    def url(self) -> str:
        return (
            f"mailto://127.0.0.1:{self.port}?mode=insecure"
            "&from=vaultnet@example.org&to=me@example.org"
        )


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox(free_port())

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            box.messages.append(message)
            box.recipients.append(list(envelope.rcpt_tos))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port, ready_timeout=5)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def plain_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_mail_arrives_once_a_day(vault: Path, people: None, smtp: Mailbox) -> None:
    (vault / "vaultnet.toml").write_text(f'[notify]\nurls = ["{smtp.url()}"]\n', encoding="utf-8")
    code, out, err = run(vault)
    assert (code, err) == (0, "")
    assert out == "sent 6 reminders to channel 1 (E-Mail)\n"
    (message,) = smtp.messages
    assert message["Subject"] == EXPECTED_TEXT.splitlines()[0]
    assert message["From"] == "vaultnet@example.org"
    assert message["To"] == "me@example.org"
    assert smtp.recipients == [["me@example.org"]]
    assert message.get_content_type() == "text/plain"
    assert plain_text(message).splitlines() == EXPECTED_TEXT.splitlines()[2:]

    code, out, _ = run(vault)  # the same day again: not sent twice
    assert code == 0 and len(smtp.messages) == 1
    assert out == "already sent today to channel 1 (E-Mail) (--force sends again)\n"
    code, _, _ = run(vault, "--force")
    assert code == 0 and len(smtp.messages) == 2
    code, _, _ = run(vault, today="2026-11-27")  # the next day: sent again
    assert code == 0 and len(smtp.messages) == 3
    assert "2 people" not in smtp.messages[2]["Subject"]  # the next day's own message


def test_ntfy_and_json_webhooks_get_the_message(vault: Path, people: None, web: Server) -> None:
    ntfy, hook = web.url("ntfy", "/vaultnet-topic"), web.url("json", "/hook")
    code, out, err = run(vault, "--to", ntfy, "--to", hook, "--limit", "2")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "sent 6 reminders to channel 1 (ntfy)",
        "sent 6 reminders to channel 2 (JSON)",
    ]
    (path, _, posted), (hook_path, headers, payload) = web.requests
    assert path == "/" and posted["topic"] == "vaultnet-topic"
    assert posted["title"] == EXPECTED_TEXT.splitlines()[0]
    assert posted["message"].splitlines() == [
        "Cat Diaz: birthday today",
        "Ann Lee: 37 days overdue · last: pub, 20 Sep",
        "…and 4 more (vaultnet digest)",
    ]
    assert hook_path == "/hook" and headers["Content-Type"] == "application/json"
    assert payload["message"] == posted["message"]
    # The state keys channels by a hash: no URL, host or topic in it.
    state = (vault / ".vaultnet" / "notify-state.json").read_text(encoding="utf-8")
    assert "127.0.0.1" not in state and "vaultnet-topic" not in state
    assert list(json.loads(state)["sent"].values()) == [TODAY, TODAY]


def test_secrets_come_from_the_environment_and_stay_out_of_the_state(
    vault: Path, people: None, web: Server
) -> None:
    url = f"json://127.0.0.1:{web.port}/${{VN_SECRET}}"
    (vault / "vaultnet.toml").write_text(f'[notify]\nurls = ["{url}"]\n', encoding="utf-8")
    code, _, err = run(vault, VN_SECRET="s3cr3t-token")
    assert (code, err) == (0, "")
    assert [r[0] for r in web.requests] == ["/s3cr3t-token"]
    assert "s3cr3t" not in (vault / ".vaultnet" / "notify-state.json").read_text(encoding="utf-8")
    # A new secret is the same channel: already sent today.
    code, out, _ = run(vault, VN_SECRET="rotated")
    assert code == 0 and "already sent today" in out and len(web.requests) == 1


def test_a_failed_channel_is_reported_and_the_others_still_get_it(
    vault: Path, people: None, web: Server, broken: Server
) -> None:
    closed = f"json://127.0.0.1:{free_port()}/hook"
    urls = [closed, broken.url("json", "/hook"), web.url("json", "/hook")]
    args = [arg for url in urls for arg in ("--to", url)]
    code, out, err = run(vault, *args)
    assert code == 1
    assert out == "sent 6 reminders to channel 3 (JSON)\n"
    errors = err.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith("vaultnet: error: channel 1 (JSON): not sent: ")
    assert "connection" in errors[0].lower()
    assert errors[1].startswith("vaultnet: error: channel 2 (JSON): not sent: ")
    assert "500" in errors[1]
    assert len(web.requests) == 1 and len(broken.requests) == 1
    # Only the channel that got it is marked: the next run retries the two others.
    broken.status = 200
    code, out, err = run(vault, *args)
    assert code == 1 and len(broken.requests) == 2 and len(web.requests) == 1
    assert out.splitlines() == [
        "sent 6 reminders to channel 2 (JSON)",
        "already sent today to channel 3 (JSON) (--force sends again)",
    ]


def test_a_state_that_cannot_be_saved_is_reported_after_sending(
    vault: Path, people: None, web: Server
) -> None:
    (vault / ".vaultnet" / "notify-state.json").mkdir(parents=True)  # in the way
    code, out, err = run(vault, "--to", web.url("json", "/a"), "--to", web.url("json", "/b"))
    assert code == 1 and [r[0] for r in web.requests] == ["/a", "/b"]
    assert out.count("sent 6 reminders") == 2
    assert "sent, but cannot record it" in err and "the next run sends again" in err


def _waiting_for_a_lock(pid: int) -> bool:
    """Whether process ``pid`` is blocked on a file lock (Linux: "->" lines of /proc/locks)."""
    with open("/proc/locks", encoding="ascii") as locks:
        # "2: -> FLOCK  ADVISORY  WRITE 4242 fe:00:2146932 0 EOF"
        rows = [line.split() for line in locks]
    return any(len(row) > 5 and row[1] == "->" and row[5] == str(pid) for row in rows)


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_a_run_waits_for_another_and_sees_what_it_sent(
    vault: Path, people: None, web: Server
) -> None:
    import fcntl
    import os
    import subprocess
    import time

    from vaultnet.exchange.channels import Channel

    url = web.url("json", "/hook")
    lock = vault / ".vaultnet" / "notify.lock"
    lock.parent.mkdir()
    held = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)  # as a first run that is sending
    env = {**os.environ, "VAULTNET_TODAY": TODAY}
    command = [sys.executable, "-m", "vaultnet", "notify", str(vault), "--to", url]
    second = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline = time.monotonic() + 30
        while not _waiting_for_a_lock(second.pid):
            if second.poll() is not None or time.monotonic() > deadline:
                second.kill()
                pytest.fail(f"the second run never waited for the lock: {second.communicate()}")
            time.sleep(0.02)
        # The first run sends and records it, then lets go.
        key = Channel(url, url, "first").key
        state = {"version": 1, "sent": {key: TODAY}}
        (vault / ".vaultnet" / "notify-state.json").write_text(json.dumps(state))
    finally:
        os.close(held)
    try:
        out, err = second.communicate(timeout=60)
    finally:
        if second.poll() is None:
            second.kill()
            second.communicate()
    assert (second.returncode, err) == (0, "")
    assert out == "already sent today to channel 1 (JSON) (--force sends again)\n"
    assert web.requests == []
