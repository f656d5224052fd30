"""Secrets and files (issue 8, item 5).

The SMTP password is read from the environment variable `[notify.email] password_env`
names, at send time, and is never put in config, the database, a log or an error
message. The database and the lock file beside it are created owner-only (0o600): they
record who asked which body what.
"""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from bot.store.db import Store
from tests.support import Lines, Mailbox, free_port

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "Pw-7f3a9c-never-in-a-log"  # distinctive, so any copy of it is found
ENV = "FOIBOT_SECRETS_TEST_PASSWORD"
USER = "foibot-bot"


def leaks(password: str) -> list[bytes]:
    """The password as bytes, and as SMTP AUTH PLAIN and LOGIN put it on the wire."""
    secret = password.encode()
    return [
        secret,
        base64.b64encode(secret),  # AUTH LOGIN
        base64.b64encode(b"\0" + USER.encode() + b"\0" + secret),  # AUTH PLAIN
    ]


def assert_absent(password: str, *blobs: bytes | str, where: str = "") -> None:
    for blob in blobs:
        data = blob.encode() if isinstance(blob, str) else blob
        for form in leaks(password):
            assert form not in data, f"{where}: the password appears as {form!r}"


@pytest.fixture
def smtp():
    box = Mailbox()
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        # handled=False: let the server answer a refusal with 535 (handled=True would mean
        # this function had answered, and the client would wait for its timeout).
        return AuthResult(success=auth_data.password == PASSWORD.encode(), handled=False)

    controller = Controller(
        box, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
        auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    box.port, box.logins = controller.port, logins
    yield box
    controller.stop()


@pytest.fixture
def mailing(project, replica, smtp):
    """The example campaign on the replica, drafted, with an email digest configured."""
    project.edit_config(
        'base_url = "https://www.whatdotheyknow.com"',
        f'base_url = "{replica.base_url}"\nbackoff_s = 0.05',
    )
    project.edit_config("min_interval_s = 3.0", "min_interval_s = 0")
    project.edit_config("launch_at = 2026-12-01T09:00:00", "launch_at = 2026-03-02T09:00:00")
    with open(project.config, "a") as f:
        f.write(
            f'\n[notify.email]\nhost = "127.0.0.1"\nport = {smtp.port}\nstarttls = false\n'
            f'user = "{USER}"\npassword_env = "{ENV}"\nfrom = "foibot@example.org"\n'
            'to = ["team@example.org"]\n'
        )
    project.run("draft", "social-media-misuse")
    return project


def foibot(project, *args: str, password: str | None = PASSWORD, **kw) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != ENV}
    if password is not None:
        env[ENV] = password
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(project.config), *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw,
    )  # fmt: skip


def state_files(project) -> dict[str, bytes]:
    """Every file foibot keeps beside the database (the database, its -wal and -shm,
    the lock file, launch sheets), read now."""
    files = {}
    for path in project.db.parent.iterdir():
        # A -wal or -shm may go as the last connection closes.
        with contextlib.suppress(FileNotFoundError):
            files[path.name] = path.read_bytes()
    return files


def test_run_once_sends_with_the_password_and_keeps_it_nowhere(mailing, smtp):
    proc = foibot(mailing, "run", "--once", "--as-of", "2026-03-02T09:00")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    # The password was used (so a test that finds it nowhere means something)…
    assert smtp.logins == [(USER.encode(), PASSWORD.encode())]
    assert len(smtp.messages) == 1 and "sent a digest" in out
    # …and is nowhere foibot writes.
    assert_absent(PASSWORD, out, err, where="run --once output")
    for name, data in state_files(mailing).items():
        assert_absent(PASSWORD, data, where=name)
    assert_absent(PASSWORD, mailing.config.read_bytes(), where="config.toml")


def test_a_refused_password_is_not_echoed(mailing, smtp):
    wrong = "Wrong-pw-5e8d1b-never-in-a-log"
    proc = foibot(mailing, "run", "--once", "--as-of", "2026-03-02T09:00", password=wrong)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err  # the failing channel is reported
    # smtplib tries each mechanism the server offers (PLAIN, then LOGIN) before giving up.
    assert smtp.logins and set(smtp.logins) == {(USER.encode(), wrong.encode())}
    assert smtp.messages == []
    assert "could not be sent" in out and "SMTPAuthenticationError" in out
    assert_absent(wrong, out, err, where="run --once output")
    for name, data in state_files(mailing).items():
        assert_absent(wrong, data, where=name)


def test_daemon_at_debug_level_never_logs_the_password(mailing, smtp):
    with open(mailing.config, "a") as f:
        f.write('\n[schedule]\npoll = "every 1 second"\nrelease = "every 1 second"\n')
    log_file = mailing.root / "foibot.log"
    daemon = foibot(mailing, "daemon", "--log-level", "DEBUG", "--log-file", str(log_file))
    output = Lines(daemon.stderr)
    snapshots = []
    mailed_at: list[int] = []  # how many lines the daemon had logged when the mail came

    def mailed_then_idle(lines: list[str]) -> bool:
        snapshots.append(state_files(mailing))  # the -wal and -shm exist only meanwhile
        if smtp.messages and not mailed_at:
            mailed_at.append(len(lines))
        # then a few more passes with nothing to tell
        return (
            bool(mailed_at) and sum("Nothing to do" in line for line in lines[mailed_at[0] :]) >= 2
        )

    try:
        output.wait_for(mailed_then_idle, "a digest mailed, then two idle passes")
        snapshots.append(state_files(mailing))
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=20)
    out, err = daemon.stdout.read(), output.text()
    assert daemon.returncode == 0, err
    # A real pass ran at DEBUG level (the daemon released smm-1 and emailed about it).
    assert smtp.messages and smtp.logins[0] == (USER.encode(), PASSWORD.encode())
    assert "DEBUG" in err and "foibot daemon stopped" in err
    log = log_file.read_bytes()
    assert b"DEBUG" in log
    assert_absent(PASSWORD, out, err, where="daemon output")
    assert_absent(PASSWORD, log, where="log file")
    for snapshot in [*snapshots, state_files(mailing)]:
        for name, data in snapshot.items():
            assert_absent(PASSWORD, data, where=name)


def test_the_password_cannot_be_put_in_config(mailing):
    text = mailing.config.read_text()
    mailing.config.write_text(
        text.replace(f'password_env = "{ENV}"', f'password = "{PASSWORD}"', 1)
    )
    result = mailing.run("run", "--once", expect=2)
    assert "notify.email.password: unknown key" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


# --- owner-only files --------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o000])
def test_database_wal_shm_and_lock_are_owner_only_whatever_the_umask(tmp_path, umask):
    from bot.run.lock import RunLock

    previous = os.umask(umask)
    try:
        store = Store(tmp_path / "state" / "foibot.db")
        try:
            # WAL mode: with a connection open, the -wal and -shm files exist beside it.
            db = tmp_path / "state" / "foibot.db"
            files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
            assert all(p.exists() for p in files)
            lock = RunLock(db)
            lock.acquire()
            try:
                files.append(lock.path)
                assert {p.name: oct(mode(p)) for p in files} == {p.name: oct(0o600) for p in files}
            finally:
                lock.release()
        finally:
            store.close()
    finally:
        os.umask(previous)


def test_the_command_line_creates_owner_only_files(mailing, smtp):
    proc = foibot(mailing, "run", "--once", "--as-of", "2026-03-02T09:00")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    lock = Path(f"{mailing.db}.lock")
    assert (oct(mode(mailing.db)), oct(mode(lock))) == (oct(0o600), oct(0o600))
