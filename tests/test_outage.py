"""Issue 14: a WDTK outage is one event, and a pass against it ends in seconds."""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.wdtk_replica import as_fault


@pytest.mark.parametrize("status", [503, 500, 429])
def test_a_site_wide_error_stops_the_pass_in_seconds_and_is_told_once(twenty, replica, status):
    replica.down = as_fault(status)
    before = len(replica.hits)
    started = time.monotonic()
    result = twenty.run("poll", "--all", "--as-of", "2026-03-03T12:00", expect=1)
    elapsed = time.monotonic() - started
    calls = len(replica.hits) - before
    assert "WDTK unreachable" in result.stdout
    assert calls <= 4, replica.hit_paths()[-calls:]  # robots.txt, once retried
    assert elapsed < 10
    conn = sqlite3.connect(twenty.db)
    told = conn.execute("SELECT text FROM news WHERE key LIKE 'unreachable:%'").fetchall()
    assert len(told) == 1
    # The next passes probe once each, with back-off; the news is not repeated.
    twenty.run("run", "--once", "--as-of", "2026-03-03T12:01", expect=1)
    probe = len(replica.hits)
    twenty.run("run", "--once", "--as-of", "2026-03-03T12:02", expect=1)
    assert len(replica.hits) == probe  # inside the back-off: no call at all
    assert conn.execute("SELECT count(*) FROM news WHERE key LIKE 'unreachable:%'").fetchone() == (
        1,
    )
    # WDTK comes back: one "reachable again" item.
    replica.down = None
    twenty.run("run", "--once", "--as-of", "2026-03-03T13:30")
    back = conn.execute("SELECT text FROM news WHERE key LIKE 'reachable:%'").fetchall()
    assert back == [
        ("WDTK reachable again at Tue 03 Mar 2026 13:30 UK (down since Tue 03 Mar 2026 12:00 UK)",)
    ]


def test_a_pass_inside_the_back_off_says_why_it_did_nothing(twenty, replica):
    # Exit 1 must come with its reason, even under --quiet (cron mails what it prints).
    replica.down = as_fault(503)
    twenty.run("poll", "--all", "--as-of", "2026-03-03T12:00", expect=1)
    twenty.run("run", "--once", "--as-of", "2026-03-03T12:01", expect=1)  # releases the drafts
    for quiet in ((), ("--quiet",)):
        result = twenty.run("run", "--once", *quiet, "--as-of", "2026-03-03T12:02", expect=1)
        assert "Nothing to do" not in result.stdout
        assert "WDTK unreachable since 2026-03-03T12:00" in result.stdout


def test_a_pass_inside_the_back_off_with_nothing_due_exits_0(twenty, replica):
    # Issue 28 item 8: the outage holds up nothing when nothing is due, so cron sees no
    # failure; the pass still says WDTK is down and when it is next tried.
    replica.down = as_fault(503)
    twenty.run("poll", "--all", "--as-of", "2026-03-03T12:00", expect=1)
    twenty.run("run", "--once", "--as-of", "2026-03-03T12:01", expect=1)  # releases the drafts
    conn = sqlite3.connect(twenty.db)
    with conn:  # every request polled recently enough: none is due before the 10th
        conn.execute("UPDATE requests SET next_poll_at = '2026-03-10T09:00:00+00:00'")
    calls = len(replica.hits)
    result = twenty.run("run", "--once", "--as-of", "2026-03-03T12:02")
    assert len(replica.hits) == calls
    assert result.stdout == (
        "Nothing to do: 0 request(s) polled, no news "
        # The first probe is 5 minutes after the failure at 12:00.
        "(WDTK unreachable since 2026-03-03T12:00:00+00:00; next probe at 2026-03-03T12:05:00+00:00).\n"
    )
    assert twenty.run("run", "--once", "--quiet", "--as-of", "2026-03-03T12:02").stdout == ""


def test_a_poll_by_hand_with_nothing_due_probes_and_ends_the_outage(twenty, replica):
    """operations.md: "A `poll` you run by hand always probes". With nothing due, the
    request due soonest is polled as the probe: WDTK back, the outage ends there (one
    "reachable again" item), and the next cron pass no longer waits for a probe time."""
    replica.down = as_fault(503)
    twenty.run("poll", "--all", "--as-of", "2026-03-03T12:00", expect=1)
    conn = sqlite3.connect(twenty.db)
    with conn:  # none due before the 10th
        conn.execute("UPDATE requests SET next_poll_at = '2026-03-10T09:00:00+00:00'")
    still = twenty.run("poll", "--as-of", "2026-03-03T12:01", expect=1)  # still down
    assert "WDTK unreachable" in still.stdout
    replica.down = None
    calls = len(replica.hits)
    back = twenty.run("poll", "--as-of", "2026-03-03T12:02")
    assert len(replica.hits) > calls and "Polled 1 request(s)" in back.stdout
    told = conn.execute("SELECT text FROM news WHERE key LIKE 'reachable:%'").fetchall()
    assert len(told) == 1 and "WDTK reachable again" in told[0][0]
    quiet = twenty.run("run", "--once", "--as-of", "2026-03-03T12:03")
    assert "unreachable" not in quiet.stdout


def test_doctor_shows_an_outage_in_progress_and_its_end(twenty, replica):
    """While the passes find WDTK down, `doctor` says since when and when the next probe
    is (a warning: the exit stays 0); once a pass finds it back, the line is gone."""
    replica.down = as_fault(503)
    twenty.run("poll", "--all", "--as-of", "2026-03-03T12:00", expect=1)
    during = twenty.json("doctor", "--as-of", "2026-03-03T12:01")
    (line,) = [c for c in during["checks"] if c["name"] == "WDTK reachable"]
    assert line["level"] == "warn"
    assert line["message"] == (
        "unreachable since 2026-03-03T12:00:00+00:00, as the last pass found it; "
        "the next pass probes at 2026-03-03T12:05:00+00:00"
    )
    replica.down = None
    twenty.run("poll", "--all", "--as-of", "2026-03-03T12:10")
    after = twenty.json("doctor", "--as-of", "2026-03-03T12:11")
    assert not [c for c in after["checks"] if c["name"] == "WDTK reachable"]


def test_after_an_outage_one_request_that_fails_by_itself_does_not_hold_the_rest(twenty, replica):
    """WDTK comes back but one request's JSON keeps failing (a 500 of its own). The pass
    after the outage probes with the request due soonest, which may be that one: robots.txt
    answering says the site is up, so the trouble is that request's and the pass goes on
    to the others; the outage ends with one "reachable again", the failing request keeps
    its own error."""
    replica.down = as_fault(503)
    twenty.run("poll", "--all", "--as-of", "2026-03-03T12:00", expect=1)
    replica.down = None
    replica.fail(6000, *[500] * 40)  # wdtk-6000, every call this test makes to it
    conn = sqlite3.connect(twenty.db)
    with conn:  # wdtk-6000 due first: it is the probe
        conn.execute("UPDATE requests SET next_poll_at = '2026-03-03T12:30:00+00:00' "
                     "WHERE ref = 'wdtk-6000'")  # fmt: skip
        conn.execute("UPDATE requests SET next_poll_at = '2026-03-03T12:40:00+00:00' "
                     "WHERE ref != 'wdtk-6000'")  # fmt: skip
    result = twenty.json("poll", "--as-of", "2026-03-03T13:00")  # exit 0: not all failed
    assert result["unreachable"] is None, result
    assert [e["ref"] for e in result["errors"]] == ["wdtk-6000"]
    back = conn.execute("SELECT count(*) FROM news WHERE key LIKE 'reachable:%'").fetchone()
    assert back == (1,)
