"""Unattended operation: run --once, the lock, the daemon, and notifications."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.support import Lines, Mailbox, blocked_on_flock, free_port, sent_request, wait_until
from tests.wdtk_replica import event

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def wdtk(project, replica):
    project.edit_config(
        'base_url = "https://www.whatdotheyknow.com"',
        f'base_url = "{replica.base_url}"\nbackoff_s = 0.05',
    )
    project.edit_config("min_interval_s = 3.0", "min_interval_s = 0")
    project.edit_config("launch_at = 2026-12-01T09:00:00", "launch_at = 2026-03-02T09:00:00")
    # One body, so later launch slots do not add news to what these tests watch.
    text = project.config.read_text()
    start = text.index("bodies = [\n")
    end = text.index("]\n", start) + 2
    project.config.write_text(text[:start] + 'bodies = ["home_office"]\n' + text[end:])
    project.run("draft", "social-media-misuse")
    return project


def foibot(project, *args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(project.config), *args],
        capture_output=True, text=True, cwd=REPO, timeout=60, **kw,
    )  # fmt: skip


def test_run_once_twice_does_nothing_the_second_time(wdtk, replica):
    first = wdtk.run("run", "--once", "--as-of", "2026-03-02T09:00")
    assert "Released 1 request(s)" in first.stdout and "smm-1" in first.stdout
    before = wdtk.dump()
    again = wdtk.json("run", "--once", "--as-of", "2026-03-02T09:00")
    assert again["nothing_happened"] is True
    assert wdtk.dump() == before
    sent_request(wdtk, replica, 5001, "smm-1")
    later = wdtk.json("run", "--once", "--as-of", "2026-03-02T09:20")
    assert later["released"] == [] and later["poll"]["linked"] == [
        {"ref": "smm-1", "wdtk_id": 5001}
    ]
    quiet = wdtk.run("run", "--once", "--quiet", "--as-of", "2026-03-02T09:20")
    assert quiet.stdout == ""


def test_second_concurrent_run_exits_0_with_a_message(wdtk, replica):
    wdtk.run("run", "--once", "--as-of", "2026-03-02T09:00")
    sent_request(wdtk, replica, 5001, "smm-1")
    args = ["run", "--once", "--as-of", "2026-03-02T09:20"]
    replica.hold()  # the first run's poll waits at WDTK, inside its pass, holding the lock
    try:
        first = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(wdtk.config), *args],
                                 cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        wait_until(replica.held.is_set, "the first run to call WDTK")
        second = foibot(wdtk, *args)
    finally:
        replica.let_go()
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert second.returncode == 0
    assert "another run is in progress" in second.stdout
    assert "linked 1" in out
    lock = str(wdtk.db) + ".lock"
    assert oct(os.stat(lock).st_mode & 0o777) == "0o600"


def test_wait_flag_waits_for_the_running_pass(wdtk):
    from bot.run.lock import RunLock

    lock = RunLock(wdtk.db)
    lock.acquire()
    try:
        waiter = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(wdtk.config),
             "run", "--once", "--wait", "--as-of", "2026-03-02T09:00"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        wait_until(
            lambda: blocked_on_flock(waiter.pid, lock.path) or waiter.poll() is not None,
            "run --once --wait to queue for the lock",
        )
        assert waiter.poll() is None, waiter.communicate()  # it waits, rather than exiting
    finally:
        lock.release()
    out, err = waiter.communicate(timeout=60)
    assert waiter.returncode == 0 and "Released 1 request(s)" in out, err


def nothing_to_do_after_linking(lines: list[str], passes: int = 2) -> bool:
    """The daemon linked smm-1, then ran `passes` more poll jobs with nothing to do."""
    linked_at = next((i for i, line in enumerate(lines) if "linked 1" in line), None)
    if linked_at is None:
        return False
    idle = [line for line in lines[linked_at + 1 :] if "poll: Nothing to do" in line]
    return len(idle) >= passes


def test_daemon_runs_on_schedule_and_stops_cleanly_on_sigterm(wdtk, replica):
    # The daemon releases smm-1 now (real time); the human sends it a moment later.
    sent_at = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).isoformat()
    sent_request(wdtk, replica, 5001, "smm-1", sent_at=sent_at)
    with open(wdtk.config, "a") as f:
        f.write('\n[schedule]\npoll = "every 1 second"\nrelease = "every 1 second"\n')
    daemon = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(wdtk.config), "daemon", "--log-level", "DEBUG"],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    log = Lines(daemon.stderr)
    try:
        log.wait_for(nothing_to_do_after_linking, "smm-1 linked, then two idle poll passes")
    finally:
        started = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=15)
    err = log.text()
    assert daemon.returncode == 0, err
    assert linked(wdtk), err
    assert time.monotonic() - started < 10  # stops within STOP_TIMEOUT_S, not at a job's end
    assert "job poll" in err and "foibot daemon stopped" in err
    conn = sqlite3.connect(wdtk.db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT wdtk_id FROM requests WHERE ref = 'smm-1'").fetchone() == (5001,)


def test_daemon_carries_on_after_sighup_and_its_rotated_log_file(wdtk, tmp_path):
    """logrotate moves the log away (and may send SIGHUP): the daemon keeps running and
    its next lines start a new file at the same path."""
    log_file = tmp_path / "foibot.log"
    with open(wdtk.config, "a") as f:
        f.write('\n[schedule]\npoll = "every 1 second"\n')
    daemon = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(wdtk.config), "daemon",
                               "--log-level", "DEBUG", "--log-file", str(log_file)],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    log = Lines(daemon.stderr)
    rotated = tmp_path / "foibot.log.1"

    def in_file(path, text):
        return lambda: path.exists() and text in path.read_text()

    try:
        # The file is written after stderr, line by line: wait for the file itself.
        wait_until(in_file(log_file, "daemon started"), "the start in the log file")
        log_file.rename(rotated)
        daemon.send_signal(signal.SIGHUP)
        wait_until(in_file(log_file, "received SIGHUP"), "the SIGHUP line in a new file")
        done = len(log.lines)
        log.wait_for(lambda lines: len(lines) > done + 1, "lines after the rotation")
        assert daemon.poll() is None  # still running
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=15)
    assert daemon.returncode == 0, log.text()
    assert "received SIGHUP" not in rotated.read_text()


def linked(project) -> bool:
    try:
        conn = sqlite3.connect(project.db, timeout=5)
        return conn.execute("SELECT wdtk_id FROM requests WHERE ref = 'smm-1'").fetchone() == (
            5001,
        )
    except sqlite3.Error:
        return False


@pytest.fixture
def smtp():
    box = Mailbox()
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret-pw", handled=False)

    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    box.port, box.logins = controller.port, logins
    yield box
    controller.stop()


def test_email_digest_once_and_never_the_same_news_twice(wdtk, replica, smtp, monkeypatch):
    monkeypatch.setenv("FOIBOT_TEST_SMTP_PASSWORD", "s3cret-pw")
    with open(wdtk.config, "a") as f:
        f.write(
            f'\n[notify.email]\nhost = "127.0.0.1"\nport = {smtp.port}\nstarttls = false\nuser = "bot"\n'
            'password_env = "FOIBOT_TEST_SMTP_PASSWORD"\nfrom = "foibot@example.org"\nto = ["team@example.org"]\n'
        )
    wdtk.run("run", "--once", "--as-of", "2026-03-02T09:00")
    assert len(smtp.messages) == 1
    body = smtp.messages[0].content.decode()
    assert "Ready to send on WDTK (1)" in body and "smm-1" in body
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("run", "--once", "--as-of", "2026-03-02T09:20")
    assert len(smtp.messages) == 1  # linking is not news; nothing sent
    replica.add_event(5001, event(None, "response", "2026-03-03T09:00:00+00:00"))
    wdtk.run("run", "--once", "--as-of", "2026-03-03T12:00")
    assert len(smtp.messages) == 2
    body = smtp.messages[1].content.decode()
    assert "New responses (1)" in body and "smm-1" in body and "Ready to send" not in body
    wdtk.run("run", "--once", "--as-of", "2026-03-03T19:00")
    assert len(smtp.messages) == 2
    assert smtp.logins and smtp.logins[0] == (b"bot", b"s3cret-pw")
    # The password lives only in the environment: not in the database, not in config.
    assert b"s3cret-pw" not in wdtk.db.read_bytes()
    assert "s3cret-pw" not in wdtk.config.read_text()


def test_digest_email_has_date_and_message_id_and_no_server_path(wdtk, smtp, monkeypatch):
    # Issue 28 item 8: a digest without Date is dated by whoever relays it (or refused),
    # and one naming /home/…/state/launch-….html tells readers where the server keeps it.
    import email
    import email.utils
    import socket

    monkeypatch.setenv("FOIBOT_TEST_SMTP_PASSWORD", "s3cret-pw")
    with open(wdtk.config, "a") as f:
        f.write(
            f'\n[notify.email]\nhost = "127.0.0.1"\nport = {smtp.port}\nstarttls = false\nuser = "bot"\n'
            'password_env = "FOIBOT_TEST_SMTP_PASSWORD"\nfrom = "Campaign bot <foibot@example.org>"\n'
            'to = ["team@example.org"]\n'
        )
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    wdtk.run("run", "--once", "--as-of", "2026-03-02T09:00")
    (envelope,) = smtp.messages
    message = email.message_from_bytes(envelope.content)
    sent = email.utils.parsedate_to_datetime(message["Date"])
    assert before <= sent <= dt.datetime.now(dt.UTC)  # when it was sent, not --as-of
    message_id = message["Message-ID"]
    assert message_id.startswith("<") and message_id.endswith("@example.org>")
    assert socket.gethostname() not in message_id and socket.getfqdn() not in message_id
    body = message.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert str(wdtk.root) not in body and "/state/" not in body
    assert (
        "  - smm-1 (home_office) is ready to send: the launch sheet "
        "launch-social-media-misuse.html has its link, or run `foibot show smm-1`\n"
    ) in body


def test_missing_smtp_password_env_is_reported_and_news_kept(wdtk, smtp, monkeypatch):
    monkeypatch.delenv("FOIBOT_TEST_SMTP_PASSWORD", raising=False)
    with open(wdtk.config, "a") as f:
        f.write(
            f'\n[notify.email]\nhost = "127.0.0.1"\nport = {smtp.port}\nstarttls = false\nuser = "bot"\n'
            'password_env = "FOIBOT_TEST_SMTP_PASSWORD"\nfrom = "foibot@example.org"\nto = ["team@example.org"]\n'
        )
    # A channel that fails is reported and the pass exits 1; the news waits for it.
    result = wdtk.run("run", "--once", "--as-of", "2026-03-02T09:00", expect=1)
    assert "FOIBOT_TEST_SMTP_PASSWORD is not set" in result.stdout
    assert smtp.messages == []
    monkeypatch.setenv("FOIBOT_TEST_SMTP_PASSWORD", "s3cret-pw")
    wdtk.run("run", "--once", "--as-of", "2026-03-02T09:20")
    assert len(smtp.messages) == 1 and "smm-1" in smtp.messages[0].content.decode()


def test_webhook_digest(wdtk, replica, webhook):
    base, received = webhook
    with open(wdtk.config, "a") as f:
        f.write(f'\n[notify.webhook]\nurl = "{base}/hook"\n')
    wdtk.run("run", "--once", "--as-of", "2026-03-02T09:00")
    assert (
        len(received) == 1
        and "smm-1" in received[0]["text"]
        and "Ready to send" in received[0]["text"]
    )
    wdtk.run("run", "--once", "--as-of", "2026-03-02T09:01")
    assert len(received) == 1


def test_run_without_once_is_a_usage_error(wdtk):
    assert "foibot daemon" in wdtk.run("run", expect=2).stderr


def test_an_unattended_pass_never_starts_an_empty_database(project, tmp_path):
    """A state disk that did not mount, or a mistyped [storage] path: `run --once` used
    to make an empty database there and report "Nothing to do" (exit 0) for ever."""
    gone = tmp_path / "unmounted" / "state" / "foibot.db"
    for args in (["run", "--once"], ["poll"], ["daemon"]):
        result = project.run("--db", str(gone), *args, expect=2)
        assert result.stderr.strip() == (
            f"Error: no database at {gone}: `foibot init` makes one; if it should be there, "
            "check [storage] path (or --db) and that its disk is mounted"
        ), args
    assert not (tmp_path / "unmounted").exists()


def test_news_found_by_a_manual_poll_reaches_the_next_digest(wdtk, replica, smtp, monkeypatch):
    monkeypatch.setenv("FOIBOT_TEST_SMTP_PASSWORD", "s3cret-pw")
    with open(wdtk.config, "a") as f:
        f.write(
            f'\n[notify.email]\nhost = "127.0.0.1"\nport = {smtp.port}\nstarttls = false\nuser = "bot"\n'
            'password_env = "FOIBOT_TEST_SMTP_PASSWORD"\nfrom = "foibot@example.org"\nto = ["team@example.org"]\n'
        )
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("run", "--once", "--as-of", "2026-03-02T09:00")
    wdtk.run("run", "--once", "--as-of", "2026-03-02T09:20")
    replica.add_event(5001, event(None, "response", "2026-03-03T09:00:00+00:00"))
    wdtk.run("poll", "--as-of", "2026-03-03T12:00")  # by hand: sends nothing itself
    count = len(smtp.messages)
    wdtk.run("run", "--once", "--as-of", "2026-03-03T12:10")
    assert len(smtp.messages) == count + 1
    assert "New responses (1)" in smtp.messages[-1].content.decode()


def ready(db) -> bool:
    try:
        conn = sqlite3.connect(db, timeout=5)
        return conn.execute("SELECT status FROM requests WHERE ref = 'smm-1'").fetchone() == (
            "ready",
        )
    except sqlite3.Error:
        return False


def test_daemon_first_pass_runs_at_start_up_and_the_log_is_quiet(wdtk):
    # An hour between passes: only a pass at start-up can release smm-1 within the test.
    with open(wdtk.config, "a") as f:
        f.write('\n[schedule]\npoll = "every 1 hours"\nrelease = "every 1 hours"\n')
    log = wdtk.config.parent / "daemon.log"
    daemon = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(wdtk.config), "daemon", "--log-file", str(log)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip

    def first_pass_logged() -> bool:
        # The pass's own line, not the release alone: the pass goes on to poll after it,
        # and a SIGTERM then would stop it part-way.
        return log.exists() and "foibot.daemon: poll:" in log.read_text()

    try:
        wait_until(lambda: first_pass_logged() or daemon.poll() is not None, "first pass done")
        # A second daemon on the same database refuses, naming the first: two would take
        # turns at the run lock unnoticed.
        second = subprocess.run(
            [sys.executable, "-m", "bot", "--config", str(wdtk.config), "daemon"],
            cwd=REPO, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert second.returncode == 1, second.stderr
        assert second.stderr.strip() == (
            f"Error: a foibot daemon is already running on this database (pid {daemon.pid})"
        ), second.stderr
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=20)
    assert daemon.returncode == 0, err
    assert ready(wdtk.db), err
    assert "apscheduler" not in err  # its INFO lines ("Added job", "Running job") are off
    passes = [line for line in err.splitlines() if "foibot.daemon: poll:" in line]
    assert len(passes) == 1 and "smm-1" in passes[0], err
    assert "another run is in progress" not in err


def test_a_daemon_pass_that_fails_to_deliver_is_logged_as_a_warning(wdtk):
    """What `run --once` exits 1 for (here: the e-mail channel refused) the daemon logs at
    WARNING, so a log watcher set to warnings sees it; an ordinary pass stays INFO."""
    with open(wdtk.config, "a") as f:
        f.write('\n[schedule]\npoll = "every 1 hours"\nrelease = "every 1 hours"\n'
                f'\n[notify.email]\nhost = "127.0.0.1"\nport = {free_port()}\nstarttls = false\n'
                'from = "foibot@example.org"\nto = ["team@example.org"]\n')  # fmt: skip
    log = wdtk.config.parent / "daemon.log"
    daemon = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(wdtk.config), "daemon", "--log-file", str(log)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_until(lambda: (log.exists() and "foibot.daemon: poll:" in log.read_text())
                   or daemon.poll() is not None, "first pass done")  # fmt: skip
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=20)
    (line,) = [ln for ln in log.read_text().splitlines() if "foibot.daemon: poll:" in ln]
    assert " WARNING foibot.daemon: poll:" in line and "could not be sent by email" in line, line
