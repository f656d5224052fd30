"""Issue 14: delivery per channel. A failing channel is retried and reported while the
others go on; webhook digests carry an idempotency key."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller

from tests.support import Mailbox, free_port, released_project, sent_request
from tests.wdtk_replica import event


@contextlib.contextmanager
def hook_server(head: int | None = 405):
    """A webhook on loopback: (its URL, what it received). `head`: its answer to HEAD;
    None for none at all, which http.server answers 501."""
    received: list[tuple[dict, str | None]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((body, self.headers.get("Idempotency-Key")))
            self.send_response(200)
            self.end_headers()

        if head is not None:

            def do_HEAD(self):  # noqa: N802
                self.send_response(head)
                self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()


@pytest.fixture
def hook():
    with hook_server() as served:
        yield served


def configure(project, smtp_port: int, hook_url: str) -> None:
    with open(project.config, "a") as f:
        f.write(
            f'\n[notify.email]\nhost = "127.0.0.1"\nport = {smtp_port}\nstarttls = false\n'
            'from = "foibot@example.org"\nto = ["team@example.org"]\n'
            f'\n[notify.webhook]\nurl = "{hook_url}"\n'
        )


def test_email_failing_while_the_webhook_works(project, replica, hook):
    url, received = hook
    dead = free_port()  # nothing listens here: every e-mail attempt fails
    wdtk = released_project(project, replica)
    configure(wdtk, dead, url)
    sent_request(wdtk, replica, 5001, "smm-1")  # its reply is news (its release no longer is)
    replica.add_event(5001, event(None, "response", "2026-03-02T11:00:00+00:00"))
    result = wdtk.run("run", "--once", "--as-of", "2026-03-02T12:00", expect=1)
    assert "by webhook" in result.stdout and "could not be sent by email" in result.stdout
    ((digest, key),) = received
    assert key and key == digest["id"] and digest["count"] == len(digest["items"]) > 0
    assert all(item["id"] for item in digest["items"])
    items = {item["id"] for item in digest["items"]}
    doctor = wdtk.json("doctor")
    notes = {c["name"]: c for c in doctor["checks"]}["notifications"]
    assert notes["level"] == "warn" and "email:" in notes["message"]
    # Within the e-mail's back-off (5 min) no attempt at all, and still reported.
    again = wdtk.run("run", "--once", "--as-of", "2026-03-02T12:02", expect=1)
    assert "email: still failing; next try at 2026-03-02T12:05" in again.stdout
    # The server is back: e-mail gets everything it missed, once; the webhook no repeat.
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=dead)
    controller.start()
    try:
        wdtk.run("run", "--once", "--as-of", "2026-03-02T12:30")
        wdtk.run("run", "--once", "--as-of", "2026-03-02T12:40")
    finally:
        controller.stop()
    assert len(box.messages) == 1
    mailed = box.messages[0].content.decode()
    assert "smm-1" in mailed
    # The webhook never got an item twice (each digest had only news it had not had).
    sent = [i["id"] for body, _ in received for i in body["items"]]
    assert len(sent) == len(set(sent)) and items <= set(sent)
    doctor = wdtk.json("doctor")
    assert {c["name"]: c for c in doctor["checks"]}["notifications"]["level"] == "ok"


def doctor_online(project, hook_url: str, box: Mailbox) -> tuple[dict, int]:
    """`doctor --online --json`'s checks by name, with `box` as the SMTP server (on the
    port returned) and a closed loopback port standing in for WDTK: never the real one
    from a test. WDTK's check fails; the notification checks are what is looked at."""
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        configure(project, port, hook_url)
        project.edit_config(
            'base_url = "https://www.whatdotheyknow.com"',
            f'base_url = "http://127.0.0.1:{free_port()}"',
        )
        result = project.run("doctor", "--online", "--json", expect=None)
    finally:
        controller.stop()
    return {c["name"]: c for c in json.loads(result.stdout)["checks"]}, port


def test_doctor_online_tries_the_smtp_login_and_the_webhook(project, hook):
    box = Mailbox()
    found, _ = doctor_online(project, hook[0], box)
    assert found["e-mail (online)"]["level"] == "ok"
    assert "the sender and 1 recipient" in found["e-mail (online)"]["message"]
    assert (
        found["webhook (online)"]["level"] == "ok" and "405" in found["webhook (online)"]["message"]
    )
    assert box.messages == []  # a login and an envelope, never a message


def test_doctor_online_passes_a_webhook_that_does_not_implement_head(project):
    """Python's http.server answers HEAD with 501 unless told otherwise: not a fault in a
    webhook that takes its digests by POST."""

    with hook_server(head=None) as (url, _):
        found, _ = doctor_online(project, url, Mailbox())
    assert found["webhook (online)"]["level"] == "ok", found["webhook (online)"]
    assert "501" in found["webhook (online)"]["message"]


class RefusesRecipients(Mailbox):
    """A server that takes the login and the sender but relays to nobody."""

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        return "554 5.7.1 Relay access denied"


def test_doctor_online_fails_a_server_that_refuses_the_recipients(project, hook):
    box = RefusesRecipients()
    found, port = doctor_online(project, hook[0], box)
    email = found["e-mail (online)"]
    assert email["level"] == "error", email
    assert email["message"] == (
        f"127.0.0.1:{port} accepts a connection (no login set) but refuses "
        "team@example.org (554 5.7.1 Relay access denied)"
    )
    assert box.messages == []


def test_a_disk_too_full_to_record_an_attempt_sends_nothing(project, hook):
    """Each delivery is written down before it is made. On a disk too full for that, no
    digest goes out: one sent then not recordable would go again at every pass."""
    import datetime as dt

    from bot.config import load_config
    from bot.rules.news import NewsItem
    from bot.run.once import RunSummary, send_pending
    from bot.store.connection import StoreError
    from bot.store.db import Store

    url, received = hook
    with open(project.config, "a") as f:
        f.write(f'\n[notify.webhook]\nurl = "{url}"\n')
    store = Store(project.db)
    try:
        with store.transaction():  # more news than one page of delivery records holds
            store.queue_news(NewsItem(f"k{i}", "response", f"r{i}", "a reply") for i in range(300))
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL at the next page
        with pytest.raises(StoreError, match="disk full"):
            send_pending(store, load_config(project.config), RunSummary(), dt.datetime.now(dt.UTC))
    finally:
        store.close()
    assert received == []
