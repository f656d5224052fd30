"""The daemon's passes run in one queue (the first at start-up and the quiet log are
checked on a real daemon in test_run.py)."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config
from bot.run.daemon import Daemon

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


def test_the_daemons_passes_share_one_robots_txt_fetch(project, replica):
    """Each pass makes its own WDTK client; robots.txt is kept between them (a day, RFC
    9309, in the database), so a pass polling one request makes one call, not two."""
    import sqlite3

    from tests.support import released_project, sent_request

    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    daemon = Daemon(load_config(project.config), Path(project.db))
    for _ in range(3):
        daemon.job("poll", **POLL)
        with sqlite3.connect(project.db) as db:  # due again at once
            db.execute("UPDATE requests SET next_poll_at = '2000-01-01T00:00:00+00:00'")
    hits = replica.hit_paths()
    assert hits[0] == "/robots.txt" and len(hits) == 4
    assert len(set(hits[1:])) == 1 and hits[1].startswith("/request/")  # one request, 3 polls
