"""Issue 29, item 1: every network peer under one hard deadline. An SMTP server, a webhook
or an IMAP server that sends a byte every half second never trips a per-read timeout; the
watchdog (bot/watchdog.py) ends the exchange at [notify] / [mailbox] timeout_s, the other
channel still delivers, and SIGTERM ends the command within seconds.

The slow servers are real sockets on 127.0.0.1 (`Dribbler`). Tests learn that a command is
mid-exchange from the server (`accepted`, `request_read`), never by sleeping. Each reply is
long enough (20 s or more at its pace) that only the deadline can end the exchange sooner.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from aiosmtpd.controller import Controller

from tests.support import Mailbox, WebhookReceiver, free_port, released_project, sent_request
from tests.wdtk_replica import event

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GAP_S = 0.5  # between two bytes of a dribbled reply
DEADLINE_S = 2  # [notify] / [mailbox] timeout_s in the deadline tests
# The interpreter's start, the poll of the replica and the other channel, on a loaded
# machine: well under the 20 s any dribbled reply below takes in full.
SLACK_S = 8
SMTP_GREETING = b"220 slow.example.org ESMTP the tarpit greets you\r\n"
HTTP_REPLY = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n"
IMAP_GREETING = b"* OK [CAPABILITY IMAP4rev1 IDLE] slow.example.org ready\r\n"


class Dribbler:
    """A TCP server on 127.0.0.1 answering each connection with `reply`, one byte every
    GAP_S seconds; with `http`, it first reads the request (headers and body)."""

    def __init__(self, reply: bytes, *, http: bool = False):
        assert len(reply) * GAP_S >= 20, "the reply must outlast the deadline and its slack"
        self.reply, self.http = reply, http
        self.accepted = threading.Event()
        self.request_read = threading.Event()
        self.sent = 0  # bytes of the reply sent so far, over all connections
        self._closing = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> Dribbler:
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self._server.close()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:  # the 0.1 s accept timeout, or the server closed
                continue
            self.accepted.set()
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                if self.http:
                    self._read_request(conn)
                for byte in self.reply:
                    if self._closing.wait(GAP_S):  # the pace of the dribble, not a sync
                        return
                    conn.sendall(bytes([byte]))
                    self.sent += 1
            except OSError:
                return  # the client hung up: what the deadline is for

    def _read_request(self, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(4096) or b"\r\n\r\n"
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (int(line.split(b":")[1]) for line in head.split(b"\r\n")
             if line.lower().startswith(b"content-length:")),
            0,
        )  # fmt: skip
        while len(body) < length:
            body += conn.recv(4096) or b" " * length
        self.request_read.set()


@pytest.fixture
def hook(webhook):
    """A webhook that answers at once, keeping each body; its URL holds a secret token."""
    base, received = webhook
    return f"{base}/hook/SECRET-TOKEN", received


@pytest.fixture
def smtp():
    """An SMTP server that answers at once, keeping each message."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, box
    controller.stop()


def start(project, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(project.config), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"still running after {timeout} s")
    return proc.returncode, out, err


def with_news(project, replica, *, smtp_port: int, hook_url: str, timeout_s: float):
    """The example campaign released, smm-1 sent on WDTK and answered (so a pass has news
    to send: its reply), and both channels configured with [notify] timeout_s."""
    released_project(project, replica)
    sent_request(project, replica, 5001, "smm-1")
    replica.add_event(5001, event(None, "response", "2026-03-02T11:00:00+00:00"))
    with open(project.config, "a") as f:
        f.write(
            f"\n[notify]\ntimeout_s = {timeout_s}\n"
            f'\n[notify.email]\nhost = "127.0.0.1"\nport = {smtp_port}\nstarttls = false\n'
            'from = "foibot@example.org"\nto = ["team@example.org"]\n'
            f'\n[notify.webhook]\nurl = "{hook_url}"\n'
        )
    return project


RUN = ("run", "--once", "--as-of", "2026-03-02T12:00")


# --- run --once: one slow channel delays only itself --------------------------------------


def test_a_tarpitting_smtp_server_costs_the_pass_its_deadline_and_the_webhook_delivers(
    project, replica, hook
):
    url, received = hook
    with Dribbler(SMTP_GREETING) as tarpit:
        with_news(project, replica, smtp_port=tarpit.port, hook_url=url, timeout_s=DEADLINE_S)
        began = time.monotonic()
        code, out, err = finish(start(project, *RUN))
        elapsed = time.monotonic() - began
    assert code == 1, (out, err)
    assert DEADLINE_S < elapsed < DEADLINE_S + SLACK_S, elapsed
    assert "timed out: not done within 2 s ([notify] timeout_s)" in out, out
    assert "could not be sent by email" in out and "by webhook" in out, out
    assert tarpit.accepted.is_set()
    (digest,) = received
    assert any(item["ref"] == "smm-1" for item in digest["items"])
    assert "SECRET-TOKEN" not in out + err


def test_the_webhook_does_not_wait_for_a_tarpitting_smtp_server(project, replica):
    """The channels deliver side by side: the webhook's digest arrives while the tarpit is
    still on the first bytes of its greeting (one every 0.5 s), long before the e-mail's
    deadline (DEADLINE_S) could have freed a channel taken one after the other."""
    seen_at: list[int] = []  # the tarpit's bytes sent when the webhook's POST arrived

    with (
        Dribbler(SMTP_GREETING) as tarpit,
        WebhookReceiver(lambda: seen_at.append(tarpit.sent)) as hook,
    ):
        with_news(project, replica, smtp_port=tarpit.port, hook_url=f"{hook.url}/hook",
                  timeout_s=DEADLINE_S)  # fmt: skip
        code, out, err = finish(start(project, *RUN))
    assert code == 1, (out, err)
    # One after the other, the webhook would come after DEADLINE_S / GAP_S = 4 bytes.
    assert len(seen_at) == 1 and seen_at[0] < 2, seen_at


def test_a_dribbling_webhook_costs_the_pass_its_deadline_and_email_delivers(project, replica, smtp):
    port, box = smtp
    with Dribbler(HTTP_REPLY, http=True) as slow:
        hook_url = f"http://127.0.0.1:{slow.port}/hook/SECRET-TOKEN"
        with_news(project, replica, smtp_port=port, hook_url=hook_url, timeout_s=DEADLINE_S)
        began = time.monotonic()
        code, out, err = finish(start(project, *RUN))
        elapsed = time.monotonic() - began
    assert code == 1, (out, err)
    assert DEADLINE_S < elapsed < DEADLINE_S + SLACK_S, elapsed
    assert "webhook failed: timed out: not done within 2 s ([notify] timeout_s)" in out, out
    assert "by email" in out, out
    assert slow.request_read.is_set()  # the POST arrived: only the reply was slow
    (message,) = box.messages
    assert "smm-1" in message.content.decode()
    assert "SECRET-TOKEN" not in out + err
    # The webhook is retried later with its back-off; e-mail gets only what is new since.
    again = project.run(*RUN[:2], "--as-of", "2026-03-02T12:02", expect=1)
    assert "webhook: still failing; next try at 2026-03-02T12:05" in again.stdout
    assert all("smm-1" not in later.content.decode() for later in box.messages[1:])


@pytest.mark.parametrize("slow_channel", ["email", "webhook"])
def test_sigterm_ends_a_pass_stuck_on_a_slow_channel_within_seconds(
    project, replica, hook, smtp, slow_channel
):
    hook_url, _ = hook
    smtp_port, _ = smtp
    reply = SMTP_GREETING if slow_channel == "email" else HTTP_REPLY
    with Dribbler(reply, http=slow_channel == "webhook") as slow:
        if slow_channel == "email":
            smtp_port, reached = slow.port, slow.accepted
        else:
            hook_url, reached = f"http://127.0.0.1:{slow.port}/hook", slow.request_read
        # The default deadline: only the stop can end the exchange in time.
        with_news(project, replica, smtp_port=smtp_port, hook_url=hook_url, timeout_s=30)
        proc = start(project, *RUN)
        assert reached.wait(60), f"the pass never reached the slow {slow_channel} server"
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code, out, err = finish(proc)
        stopped_in = time.monotonic() - began
    assert stopped_in < 4, stopped_in
    assert code == 1 and "Stopped" in err and "Traceback" not in err, (out, err)
    # Cut off, the digest is due again at the next pass: no back-off for a stop.
    conn = sqlite3.connect(project.db)
    rows = conn.execute(
        "SELECT DISTINCT last_error, attempts FROM news_deliveries WHERE channel = ?",
        [slow_channel],
    ).fetchall()
    assert rows == [("interrupted", 0)], rows


# --- foibot mail: a dribbled IMAP greeting --------------------------------------------------


def mailbox_on(project, port: int, timeout_s: float) -> dict:
    project.run("status")  # the database a mail pass reads (it never starts an empty one)
    # WDTK itself is never reached (no alert is read), but never the real one from a test.
    project.edit_config(
        'base_url = "https://www.whatdotheyknow.com"',
        f'base_url = "http://127.0.0.1:{free_port()}"',
    )
    with open(project.config, "a") as f:
        f.write(
            f'\n[mailbox]\nhost = "127.0.0.1"\nport = {port}\ntls = false\ntimeout_s = {timeout_s}\n'
            'user = "requester"\npassword_env = "FOIBOT_TEST_IMAP_PASSWORD"\n'
        )
    return {"FOIBOT_TEST_IMAP_PASSWORD": "not-a-real-password"}


def test_mail_against_a_dribbled_imap_greeting_ends_at_its_deadline(project):
    with Dribbler(IMAP_GREETING) as slow:
        env = mailbox_on(project, slow.port, DEADLINE_S)
        began = time.monotonic()
        code, out, err = finish(start(project, "mail", env=env))
        elapsed = time.monotonic() - began
    assert code == 1, (out, err)
    assert DEADLINE_S < elapsed < DEADLINE_S + SLACK_S, elapsed
    assert err.strip() == (
        f"Error: [mailbox] 127.0.0.1:{slow.port}: connect failed: timed out: "
        "not done within 2 s ([mailbox] timeout_s)"
    ), err


def test_sigterm_ends_mail_stuck_on_an_imap_greeting_within_seconds(project):
    with Dribbler(IMAP_GREETING) as slow:
        env = mailbox_on(project, slow.port, 30)
        proc = start(project, "mail", env=env)
        assert slow.accepted.wait(60), "foibot mail never connected"
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code, out, err = finish(proc)
        stopped_in = time.monotonic() - began
    assert stopped_in < 4, stopped_in
    assert code == 1 and "Stopped" in err and "Traceback" not in err, (out, err)


# --- doctor --online: the same connections, under the same deadline -----------------------


def test_doctor_online_checks_of_slow_channels_end_at_their_deadlines(project, replica):
    with Dribbler(SMTP_GREETING) as tarpit, Dribbler(HTTP_REPLY, http=True) as slow:
        hook_url = f"http://user:pw@127.0.0.1:{slow.port}/hook/SECRET-TOKEN"
        with_news(project, replica, smtp_port=tarpit.port, hook_url=hook_url, timeout_s=DEADLINE_S)
        began = time.monotonic()
        code, out, err = finish(start(project, "doctor", "--online"))
        elapsed = time.monotonic() - began
    assert code == 1, (out, err)
    # One check after the other: each at most its own deadline.
    assert 2 * DEADLINE_S < elapsed < 2 * DEADLINE_S + SLACK_S, elapsed
    email = next(line for line in out.splitlines() if "e-mail (online)" in line)
    webhook = next(line for line in out.splitlines() if "webhook (online)" in line)
    assert "timed out: not done within 2 s ([notify] timeout_s)" in email, out
    assert "timed out: not done within 2 s ([notify] timeout_s)" in webhook, out
    assert "SECRET-TOKEN" not in out + err and "pw@" not in out + err
    assert "Traceback" not in err
