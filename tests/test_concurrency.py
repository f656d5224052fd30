"""Concurrency (issue 8, item 3): several `run --once`, `poll`, `draft` and `followups`
processes on one database at once.

Cron, the daemon and a person at the keyboard can all touch the database together. The
README promises: a pass that starts while another runs says "another run is in progress"
and exits 0; every write is a short IMMEDIATE transaction that queues on the busy timeout
rather than failing with "database is locked"; and nothing is ever recorded twice.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter

import pytest

from tests.support import (
    check_consistent,
    ignore_resets,
    released_project,
    sent_request,
    wait_until,
)
from tests.wdtk_replica import HOME_OFFICE, WdtkReplica, event, make_request_doc

# Nine CLI processes racing on one database. `-m "not slow"` skips this trial.
pytestmark = pytest.mark.slow

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AS_OF = "2026-03-05T12:00"  # three days after launch: every slot due, every request due a poll
BUSY = re.compile(r"another run is in progress \(pid \d+\); nothing done")
SECOND = """
[[campaigns]]
slug = "second-round"
title = "{{ body.short_name }}: social media policy documents"
letter = "templates/letters/social_media_misuse.txt.j2"
bodies = ["home_office", "gmp", "police_scotland"]
launch_at = 2027-01-04T09:00:00
vars = { first_year = 2021, last_year = 2025 }
"""


@pytest.fixture
def replica():
    with WdtkReplica() as server:
        ignore_resets(server)
        server.add_body(HOME_OFFICE)
        yield server


@pytest.fixture
def busy(project, replica):
    """smm-1 linked with a new reply; smm-2 sent on WDTK but not yet found (so every
    poller races to link it); smm-3…7 due for release; four more requests tracked into
    the campaign, two with new replies and two late enough to chase; and a second
    campaign in config that nobody has drafted yet. Up to ten released requests may wait
    to be sent, so all of smm-3…7 are released by whichever pass gets there first."""
    project.edit_config("[pace]\n", "[pace]\nmax_unsent = 10\n")
    released_project(project, replica)
    sent_request(project, replica, 5001, "smm-1")
    for n in range(1, 5):
        doc = make_request_doc(7000 + n, f"Social media policy {n}", body=HOME_OFFICE, tags=[])
        replica.add_request(doc)
        project.run(
            "track", f"/request/{7000 + n}", "--campaign", "social-media-misuse",
            "--as-of", "2026-03-02T12:00",
        )  # fmt: skip
    project.run("poll", "--as-of", "2026-03-02T12:00")
    sent_request(project, replica, 5002, "smm-2")
    for wdtk_id in (5001, 7001, 7002):
        replica.add_event(
            wdtk_id, event(None, "response", "2026-03-04T09:00:00+00:00", text="Our reply.")
        )
    with open(project.config, "a") as f:
        f.write(SECOND)
    return project


def start(project, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(project.config), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_runs_polls_drafts_and_followups_at_once(busy, replica):
    runs = [("run", "--once", "--as-of", AS_OF)] * 3
    others = (
        # `poll` takes the run lock too: without --wait it would exit 1 while a pass runs.
        [("poll", "--wait", "--as-of", AS_OF)] * 2
        + [("draft", "second-round")] * 2
        + [("followups", "social-media-misuse", "--kind", "chaser", "--as-of", "2026-04-15")] * 2
    )
    # Every WDTK call waits at the replica's gate until the other two `run --once` have
    # started and given up: the pass that holds the run lock is inside its poll meanwhile,
    # while the drafts and follow-ups race it on the database and the polls queue for the
    # lock. The runs start first, so that a run (not a poll) is the one holding the lock.
    replica.hold()
    try:
        procs = [(args, start(busy, *args)) for args in runs]
        wait_until(
            lambda: replica.held.is_set() and sum(p.poll() is not None for _, p in procs) >= 2,
            "one run --once to hold the lock inside its poll, and the other two to give up",
            timeout=60,
        )
        procs += [(args, start(busy, *args)) for args in others]
    finally:
        replica.let_go()
    results = [(args, *p.communicate(timeout=120), p.returncode) for args, p in procs]

    for args, out, err, code in results:
        assert code == 0, f"{args}: exit {code}\n{out}\n{err}"
        assert "database is locked" not in err + out, (args, err)
        assert "Traceback" not in err, (args, err)

    runs = [out.strip() for args, out, _, _ in results if args[0] == "run"]
    passes = [out for out in runs if not BUSY.fullmatch(out)]
    # The lock was held by one pass while the others started (that is the point of the
    # gate): they must have said so rather than run a second pass alongside.
    assert len([out for out in runs if BUSY.fullmatch(out)]) == 2, runs
    # At most one pass did work; a pass after it (if a process started that late) finds
    # nothing left to do.
    assert len([p for p in passes if not p.startswith("Nothing to do")]) <= 1, runs

    print("\n".join(f"{' '.join(args)}: {out.strip()}" for args, out, _, _ in results))
    check_consistent(busy.db)
    check_everything_recorded_once(busy, replica)


def released_refs(project) -> set[str]:
    conn = sqlite3.connect(project.db)
    refs = {r[0] for r in conn.execute("SELECT ref FROM events WHERE kind = 'released'")}
    conn.close()
    return refs


def check_everything_recorded_once(project, replica) -> None:
    conn = sqlite3.connect(project.db)
    conn.row_factory = sqlite3.Row
    try:
        # All seven first-round slots were due, and each was released exactly once.
        released = Counter(
            r[0] for r in conn.execute("SELECT ref FROM events WHERE kind = 'released'")
        )
        assert released == Counter({f"smm-{n}": 1 for n in range(1, 8)})
        # The second campaign was drafted once, three bodies, by whichever draft got in first.
        second = conn.execute(
            "SELECT ref, body FROM requests WHERE campaign = 'second-round'"
        ).fetchall()
        assert sorted(r["body"] for r in second) == ["gmp", "home_office", "police_scotland"]
        drafted = Counter(
            r[0]
            for r in conn.execute(
                "SELECT e.ref FROM events e JOIN requests r ON r.ref = e.ref "
                "WHERE e.kind = 'drafted' AND r.campaign = 'second-round'"
            )
        )
        assert set(drafted.values()) == {1} and len(drafted) == 3
        # smm-2 was found on WDTK (by whichever poller got there first) and linked once.
        assert (
            conn.execute("SELECT wdtk_id FROM requests WHERE ref = 'smm-2'").fetchone()[0] == 5002
        )
        linked = Counter(r[0] for r in conn.execute("SELECT ref FROM events WHERE kind = 'linked'"))
        assert linked["smm-2"] == 1, linked
        # Each status change happened once here, so it is in the history once, whichever
        # process saw it first.
        changes = Counter(
            (r["ref"], r["detail"])
            for r in conn.execute("SELECT * FROM events WHERE kind = 'status'")
        )
        assert [c for c, n in changes.items() if n > 1] == []
        # Every WDTK event of every linked request is recorded exactly once.
        for row in conn.execute("SELECT ref, wdtk_id FROM requests WHERE wdtk_id IS NOT NULL"):
            ours = sorted(
                r[0]
                for r in conn.execute(
                    "SELECT wdtk_event_id FROM events WHERE ref = ? AND wdtk_event_id IS NOT NULL",
                    [row["ref"]],
                )
            )
            theirs = sorted(e["id"] for e in replica.request(row["wdtk_id"])["info_request_events"])
            assert ours == theirs, row["ref"]
        # 7003 and 7004 had no reply by 15 April (due 31 March): one chaser each, once.
        chasers = conn.execute(
            "SELECT request, count(*) FROM followups WHERE kind = 'chaser' GROUP BY request"
        ).fetchall()
        assert {r[0]: r[1] for r in chasers if r[0] in ("wdtk-7003", "wdtk-7004")} == {
            "wdtk-7003": 1,
            "wdtk-7004": 1,
        }
    finally:
        conn.close()
