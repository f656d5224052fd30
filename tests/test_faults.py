"""The fault matrix: what WDTK (or the network) can throw at `poll` and `run --once`.

For each fault one request (smm-1) is hit while another (smm-2) has news. Each case:
no crash, nothing lost, the error recorded on smm-1 with its next retry time, smm-2
still updated, a clear summary, exit 0 for partial success (1 when nothing at all
could be fetched).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest

from bot.wdtk.client import WdtkClient
from tests.support import FakeTime, released_project, row, sent_request
from tests.wdtk_replica import (
    closed_port_url,
    event,
    http_error,
    invalid_utf8,
    maintenance_page,
    oversize,
    rate_limited,
    redirect_loop,
    redirect_offhost,
    slow,
    truncated,
    wrong_shape,
)

MAX_TRIES = 3


@pytest.fixture
def wdtk(project, replica):
    project = released_project(project, replica)
    project.edit_config(
        "backoff_s = 0.05",
        # timeout_s is a hard whole-response deadline, never retried: 1 s leaves room for
        # a loaded machine while the "read timeout" fault (2 s) still trips it.
        f"backoff_s = 0.05\ntimeout_s = 1.0\nmax_tries = {MAX_TRIES}\nmax_response_bytes = 200000",
    )
    sent_request(project, replica, 5001, "smm-1")
    sent_request(project, replica, 5002, "smm-2")
    project.run("poll", "--as-of", "2026-03-02T12:00")
    assert row(project, "smm-1")["wdtk_id"] == 5001 and row(project, "smm-2")["wdtk_id"] == 5002
    replica.add_event(5001, event(None, "response", "2026-03-05T09:00:00+00:00"))
    replica.add_event(5002, event(None, "response", "2026-03-05T09:00:00+00:00"))
    return project


def persistent(fault) -> list:
    """Enough copies to outlast every retry."""
    return [fault] * (MAX_TRIES + 1)


FAILING = {
    "read timeout": (persistent(slow(2.0)), "timed out"),
    "500 burst": (persistent(http_error(500)), "HTTP 500"),
    "502 burst": (persistent(http_error(502)), "HTTP 502"),
    "503 burst": (persistent(http_error(503)), "HTTP 503"),
    "truncated JSON": ([truncated()], "JSON"),
    "maintenance page with 200": ([maintenance_page()], "not JSON"),
    "missing key": ([wrong_shape("info_request_events", delete=True)], "info_request_events"),
    "null id": ([wrong_shape("id", None)], "id"),
    "wrong type": ([wrong_shape("info_request_events[0].created_at", 12345)], "created_at"),
    "redirect to another host": ([redirect_offhost()], "evil.example"),
    "redirect loop": ([redirect_loop()] * 8, "redirect"),
    "body over the size cap": ([oversize(300_000)], "over"),
    "invalid UTF-8": ([invalid_utf8()], "UTF-8"),
}


@pytest.mark.parametrize("command", ["poll", "run"])
@pytest.mark.parametrize("fault", list(FAILING), ids=list(FAILING))
def test_fault_is_recorded_on_its_request_and_others_update(wdtk, replica, fault, command):
    faults, words = FAILING[fault]
    replica.fail(5001, *faults)
    before = row(wdtk, "smm-1")
    args = ["poll", "--all"] if command == "poll" else ["run", "--once"]
    result = wdtk.run(*args, "--as-of", "2026-03-05T19:00", "--json")
    report = __import__("json").loads(result.stdout)
    report = report if command == "poll" else report["poll"]
    assert [e["ref"] for e in report["errors"]] == ["smm-1"]
    assert words.lower() in report["errors"][0]["error"].lower(), report["errors"][0]["error"]
    assert [r["ref"] for r in report["new_responses"]] == ["smm-2"]
    after = row(wdtk, "smm-1")
    assert after["poll_error"] and after["poll_failures"] == 1
    assert after["next_poll_at"] > "2026-03-05T19:00"
    # nothing half-updated: smm-1 keeps everything it knew
    for key in ("status", "awaiting_description", "sent_on", "due", "url_title", "etag"):
        assert after[key] == before[key], key
    assert row(wdtk, "smm-2")["awaiting_description"] == 1
    # the text summary says what went wrong and when it will be retried
    replica.fail(5001, *faults)
    text = wdtk.run(*args[:-1] if command == "poll" else args, "--as-of", "2026-03-06T19:00").stdout
    assert "smm-1" in text and ("retry" in text or "error" in text)


@pytest.fixture
def fake_time(monkeypatch) -> FakeTime:
    """Every WdtkClient the CLI makes runs on fake time: its waits are recorded in
    `sleeps`, to be asserted, instead of being waited."""
    fake = FakeTime()
    real_init = WdtkClient.__init__

    def on_fake_time(self, config, **kw):
        kw.update(sleep=fake.sleep, clock=fake.clock, wall_clock=fake.wall_clock)
        real_init(self, config, **kw)

    monkeypatch.setattr(WdtkClient, "__init__", on_fake_time)
    return fake


FAKE_NOW = dt.datetime.fromtimestamp(FakeTime().wall, dt.UTC)


@pytest.mark.parametrize(
    "faults, waits",
    [
        ([rate_limited(7)], [7.0]),
        ([rate_limited(at=FAKE_NOW + dt.timedelta(seconds=30))], [30.0]),
        ([http_error(500), http_error(502)], [0.05, 0.1]),  # backoff_s = 0.05, doubling
        ([http_error(503)], [0.05]),
    ],
    ids=[
        "429 Retry-After seconds",
        "429 Retry-After HTTP date",
        "500 then 502 then success",
        "503 then success",
    ],
)
def test_transient_faults_are_retried_and_succeed(wdtk, replica, fake_time, faults, waits):
    replica.fail(5001, *faults)
    report = wdtk.json("poll", "--all", "--as-of", "2026-03-05T19:00")
    assert report["errors"] == []
    assert sorted(r["ref"] for r in report["new_responses"]) == ["smm-1", "smm-2"]
    assert fake_time.sleeps == waits  # as long as WDTK asked, else our backoff


@pytest.mark.parametrize("args", [["poll", "--all"], ["run", "--once"]], ids=["poll", "run"])
def test_connection_refused_everywhere_exits_1_and_loses_nothing(wdtk, args):
    before = wdtk.dump()
    live = re.search(r"http://127.0.0.1:[0-9]+", wdtk.config.read_text()).group(0)
    wdtk.edit_config(f'base_url = "{live}"', f'base_url = "{closed_port_url()}"')
    result = wdtk.run(*args, "--as-of", "2026-03-05T19:00", expect=1)
    # An outage is one event: the pass stops and says so, rather than an error a request.
    assert "WDTK unreachable" in result.stdout
    assert wdtk.dump()["events"][: len(before["events"])] == before["events"]
    conn = sqlite3.connect(wdtk.db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    told = conn.execute("SELECT text FROM news WHERE key LIKE 'unreachable:%'").fetchall()
    assert len(told) == 1 and "WDTK unreachable since Thu 05 Mar 2026 19:00 UK" in told[0][0]


@pytest.mark.parametrize("args", [["poll", "--all"], ["run", "--once"]], ids=["poll", "run"])
def test_long_retry_after_is_honoured_for_everyone(wdtk, replica, args):
    """A Retry-After longer than a pass waits (an hour) is WDTK asking for quiet: the pass
    stops at once, saying so (a pause, not an outage: no "unreachable" news), and no pass
    of any kind, by hand or `--all`, asks WDTK anything before the hour is up."""
    replica.fail(5001, rate_limited(3600))
    result = wdtk.run(*args, "--as-of", "2026-03-05T19:00", expect=1)
    assert "WDTK asked for a pause of 3600 s (Retry-After)" in result.stdout, result.stdout
    paths = [h[1] for h in replica.hits]
    last = (
        len(paths) - 1 - paths[::-1].index("/request/" + row(wdtk, "smm-1")["url_title"] + ".json")
    )
    assert paths[last + 1 :] == []  # asked once, then waited: smm-2 was not fetched
    conn = sqlite3.connect(wdtk.db)
    assert conn.execute("SELECT count(*) FROM news WHERE key LIKE 'unreachable:%'").fetchone() == (
        0,
    )
    calls = len(replica.hits)
    for again in (["poll", "--all"], ["poll"], ["run", "--once"]):
        held = wdtk.run(*again, "--as-of", "2026-03-05T19:30", expect=1)
        assert "until 2026-03-05T20:00:00+00:00" in held.stdout, (again, held.stdout)
    assert len(replica.hits) == calls
    wdtk.run("poll", "--all", "--as-of", "2026-03-05T20:01")
    assert len(replica.hits) > calls


def test_event_ids_going_backwards_are_recorded_once(wdtk, replica):
    wdtk.run("poll", "--all", "--as-of", "2026-03-05T19:00")
    # an admin re-creates an older message: a new event with an id below the others
    replica.add_event(5001, event(42, "comment", "2026-03-06T09:00:00+00:00"))
    for _ in range(2):
        wdtk.run("poll", "--all", "--as-of", "2026-03-06T19:00")
    ids = [e["wdtk_event_id"] for e in wdtk.json("show", "smm-1")["events"] if e["wdtk_event_id"]]
    assert ids.count(42) == 1 and len(ids) == len(set(ids))


def test_tracked_request_that_becomes_404_is_hidden_then_dropped(wdtk, replica):
    replica.hide(5001, 404)
    report = wdtk.json("poll", "--all", "--as-of", "2026-03-05T19:00")
    assert {"ref": "smm-1", "from": "waiting_response", "to": "hidden"} in report["changed"]
    assert [r["ref"] for r in report["new_responses"]] == ["smm-2"]
    assert row(wdtk, "smm-1")["next_poll_at"].startswith(
        "2026-03-06"
    )  # daily during the grace period
    wdtk.json("poll", "--as-of", "2026-03-20T19:00")
    assert row(wdtk, "smm-1")["next_poll_at"] == "never"  # 14 days on: stop asking
    assert "smm-1" not in [
        r["ref"] for r in wdtk.json("poll", "--all", "--as-of", "2026-03-21T19:00")["changed"]
    ]
