"""The daemon's passes run in one queue, the first at start-up, and it logs quietly."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bot.config import load_config
from bot.run.daemon import Daemon
from tests.test_run import REPO, wdtk  # noqa: F401 (the fixture)

POLL = {"release": True, "poll": True, "digest": None}
RELEASE = {"release": True, "poll": False, "digest": False}
DIGEST = {"release": False, "poll": False, "digest": True}


def queued(daemon: Daemon) -> list[str]:
    names = []
    while daemon._pending:
        item = daemon.next_pass()
        assert item is not None
        names.append(item[0])
    return names


def test_jobs_queue_in_order_and_a_waiting_job_is_not_queued_twice(project):
    daemon = Daemon(load_config(project.config), Path(project.db))
    daemon.enqueue("release", **RELEASE)
    daemon.enqueue("poll", **POLL)
    daemon.enqueue("release", **RELEASE)  # one is waiting already
    daemon.enqueue("digest", **DIGEST)
    daemon.enqueue("poll", **POLL)
    assert queued(daemon) == ["release", "poll", "digest"]


def test_a_waiting_poll_pass_covers_a_release(project):
    daemon = Daemon(load_config(project.config), Path(project.db))
    daemon.enqueue("poll", **POLL)
    daemon.enqueue("release", **RELEASE)  # the poll pass releases too
    assert queued(daemon) == ["poll"]


def test_a_stop_wakes_the_waiting_worker(project):
    daemon = Daemon(load_config(project.config), Path(project.db))
    daemon.enqueue("poll", **POLL)
    daemon.request_stop()
    assert daemon.next_pass() is None  # stops rather than start another pass


def ready(db: Path) -> bool:
    try:
        conn = sqlite3.connect(db, timeout=5)
        return conn.execute("SELECT status FROM requests WHERE ref = 'smm-1'").fetchone() == (
            "ready",
        )
    except sqlite3.Error:
        return False


def test_first_pass_runs_at_start_up_and_the_log_is_quiet(wdtk):  # noqa: F811
    # An hour between passes: only a pass at start-up can release smm-1 within the test.
    with open(wdtk.config, "a") as f:
        f.write('\n[schedule]\npoll = "every 1 hours"\nrelease = "every 1 hours"\n')
    daemon = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(wdtk.config), "daemon"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not ready(wdtk.db) and daemon.poll() is None:
            time.sleep(0.1)  # polling an outcome, bounded: not a synchronising sleep
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=20)
    assert daemon.returncode == 0, err
    assert ready(wdtk.db), err
    assert "apscheduler" not in err  # its INFO lines ("Added job", "Running job") are off
    passes = [line for line in err.splitlines() if "foibot.daemon: poll:" in line]
    assert len(passes) == 1 and "smm-1" in passes[0], err
    assert "another run is in progress" not in err
