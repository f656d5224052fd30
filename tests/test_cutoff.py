"""Issue 29 item 2: a cut-off answer is a timeout, every pass has a time budget, WDTK's
maintenance page is an outage, and Retry-After is capped.

The dribble tests run at the default [wdtk] timeout_s = 30, where the watchdog fires
inside the headers (at 1-3 s it fires inside the status line, which http.client already
refuses). To keep them fast, the watchdog's clock runs SPEEDUP times faster than real
time and the replica dribbles SPEEDUP times faster too: the proportions of the real case
("2 bytes a second for 30 s": the status line and part of the headers arrive) are kept.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

import pytest

from bot.config import WdtkConfig, load_config
from bot.run.once import run_once
from bot.store.db import Store
from bot.wdtk.client import WdtkClient
from tests.support import released_project
from tests.wdtk_replica import (
    dribble,
    maintenance_page,
    make_request_doc,
    rate_limited,
)

SPEEDUP = 100.0
# 2 bytes per (watchdog) second: ~60 bytes arrive in 30 s, past the status line
# (17-28 bytes) and well short of the end of the headers (over 150 bytes).
TWO_BYTES_A_SECOND = dribble(0.5 / SPEEDUP)
SLUG = "parking_fines_issued_in_2025"


def fast_watchdog() -> float:
    return time.monotonic() * SPEEDUP


@pytest.fixture
def client(replica):
    replica.add_request(make_request_doc(101, "Parking fines issued in 2025"))
    config = WdtkConfig(base_url=replica.base_url, contact="t@example.org", min_interval_s=0)
    assert config.timeout_s == 30  # the default, on purpose
    with WdtkClient(config, max_tries=1, watch_clock=fast_watchdog) as c:
        yield c


def test_a_304_cut_off_in_its_headers_is_a_timeout_not_a_confirmation(replica, client):
    first = client.fetch_request(SLUG)
    assert first.kind == "ok" and first.etag
    replica.fail(f"/request/{SLUG}.json", TWO_BYTES_A_SECOND)
    result = client.fetch_request(SLUG, etag=first.etag)
    assert result.kind == "error"
    assert result.message == "timed out: no complete answer within 30 s ([wdtk] timeout_s)"
    assert result.status is None  # no answer: counts towards an outage


def test_a_200_cut_off_in_its_headers_is_a_timeout_not_an_empty_response(replica, client):
    replica.fail(f"/request/{SLUG}.json", TWO_BYTES_A_SECOND)
    result = client.fetch_request(SLUG)
    assert (result.kind, result.status) == ("error", None), result
    assert result.message.startswith("timed out")


def test_a_cut_off_robots_txt_is_not_accepted(replica, client):
    replica.fail("/robots.txt", TWO_BYTES_A_SECOND, TWO_BYTES_A_SECOND)
    result = client.fetch_request(SLUG)
    assert result.kind == "error" and result.site_down
    assert result.message.startswith("robots.txt: timed out")
    assert replica.hit_paths("/request/") == []  # nothing fetched on a rule never read


def test_robots_txt_answered_by_the_maintenance_page_is_not_rules(replica, client):
    replica.fail("/robots.txt", maintenance_page(), maintenance_page())
    result = client.fetch_request(SLUG)
    assert result.kind == "error" and result.site_down
    assert replica.hit_paths("/request/") == []


@pytest.mark.parametrize(
    "value",
    [
        "1000000000000",  # delta-seconds: the year 33,700
        "9" * 400,  # read as a float, that is infinity
        "Fri, 31 Dec 9999 23:59:59 GMT",  # the latest HTTP-date there is
    ],
)
def test_retry_after_is_capped_at_an_hour(replica, client, value):
    replica.fail(101, rate_limited(1))
    replica.faults[("id", 101)][0].headers["Retry-After"] = value
    result = client.fetch_request(SLUG)
    assert result.retry_after_s == 3600
    assert result.message == "HTTP 429; WDTK asked us to wait 3600 s"


# --- passes ---------------------------------------------------------------------------


IDS = [5001, *range(6000, 6019)]
NOON = dt.datetime(2026, 3, 3, 12, 0, tzinfo=dt.UTC)


def polled_ids(replica, before: int) -> list[int]:
    """The requests asked for, by id, in order, from the replica's hits after `before`
    (not the slugs guessed for the released drafts foibot looks for on WDTK)."""
    slugs = {doc["url_title"]: wdtk_id for wdtk_id, doc in replica.requests.items()}
    asked = []
    for _, path, _ in replica.hits[before:]:
        if path.startswith("/request/") and path.endswith(".json"):
            wdtk_id = slugs.get(path.removeprefix("/request/").removesuffix(".json"))
            if wdtk_id is not None and wdtk_id not in asked:
                asked.append(wdtk_id)
    return asked


def unreachable_news(db) -> list[str]:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT text FROM news WHERE key LIKE 'unreachable:%'").fetchall()
    return [text for (text,) in rows]


def test_a_dribbling_wdtk_at_the_default_timeout_is_an_outage(twenty, replica):
    """The issue's case: every request's answer dribbles; each call is cut off at 30 s.
    Three in a row is an outage: the pass stops, one news item, not 20 answers accepted."""
    for wdtk_id in IDS:
        replica.fail(wdtk_id, TWO_BYTES_A_SECOND)
    config = load_config(twenty.config)
    assert config.wdtk.timeout_s == 30
    before = len(replica.hits)
    store = Store(twenty.db)
    try:
        with WdtkClient(config.wdtk, watch_clock=fast_watchdog) as client:
            summary = run_once(store, config, NOON, client, release=False, digest=False)
    finally:
        store.close()
    assert len(polled_ids(replica, before)) == 3
    assert summary.poll.unreachable.startswith(
        "WDTK unreachable (3 failures in a row; last: timed out"
    )
    assert [e.error for e in summary.poll.errors] == [
        "timed out: no complete answer within 30 s ([wdtk] timeout_s)"
    ] * 2
    assert len(unreachable_news(twenty.db)) == 1


@pytest.mark.parametrize("failure", [503, "maintenance"], ids=["503", "maintenance page, 200"])
def test_every_request_failing_while_robots_txt_works_is_one_outage(twenty, replica, failure):
    # robots.txt answers (the site is up); every request fails. After three in a row the
    # pass stops: 3 of the 20 are asked for, and the outage is told once.
    for wdtk_id in IDS:
        replica.fail(wdtk_id, *[failure] * 8)  # enough for every retry
    before = len(replica.hits)
    result = twenty.run("poll", "--as-of", "2026-03-03T12:00", expect=1)
    assert len(polled_ids(replica, before)) == 3
    assert "WDTK unreachable (3 failures in a row" in result.stdout
    assert len(unreachable_news(twenty.db)) == 1
    conn = sqlite3.connect(twenty.db)
    alerts = conn.execute("SELECT count(*) FROM news WHERE key LIKE 'error:%'").fetchone()[0]
    assert alerts == 0  # no alert per request


def test_the_whole_site_in_maintenance_is_one_outage_at_once(twenty, replica):
    """robots.txt and every page answered by the maintenance page with HTTP 200: robots.txt
    is no rules, so the site is down; the pass stops at its first request, told once."""
    replica.down = maintenance_page()
    before = len(replica.hits)
    result = twenty.run("poll", "--all", "--as-of", "2026-03-03T12:00", expect=1)
    assert "WDTK unreachable" in result.stdout, result.stdout
    # At most the first request's own error (a released draft looked for) and the stop.
    assert result.stdout.count("robots.txt: got an HTML page") <= 2, result.stdout
    assert polled_ids(replica, before) == []  # robots.txt said no: no request asked for
    assert len(unreachable_news(twenty.db)) == 1


@pytest.mark.parametrize(
    "retry_after",
    [rate_limited(10**12), rate_limited(at=dt.datetime(9999, 12, 31, tzinfo=dt.UTC))],
    ids=["delta-seconds", "HTTP-date"],
)
def test_an_extreme_retry_after_puts_polls_off_an_hour_at_most(twenty, replica, retry_after):
    """A Retry-After of 31,700 years (or the year 9999) pauses every pass for the capped
    hour: 12:00 plus one hour, no call before it, calls again from then."""
    for wdtk_id in IDS:
        replica.fail(wdtk_id, retry_after)
    twenty.run("poll", "--as-of", "2026-03-03T12:00", expect=1)
    conn = sqlite3.connect(twenty.db)
    pause = conn.execute("SELECT value FROM settings WHERE key = 'wdtk_pause_until'").fetchone()
    assert pause == ("2026-03-03T13:00:00+00:00",)
    calls = len(replica.hits)
    twenty.run("poll", "--all", "--as-of", "2026-03-03T12:59", expect=1)
    assert len(replica.hits) == calls
    replica.faults.clear()
    twenty.run("poll", "--all", "--as-of", "2026-03-03T13:00")
    assert len(replica.hits) > calls


def test_a_pause_met_by_a_pass_pretending_a_later_time_runs_from_the_real_clock(twenty, replica):
    """`poll --as-of` two days ahead meets a Retry-After: the pause it records ends an
    hour after the real now, not two days from now; real-time passes wait an hour."""
    for wdtk_id in IDS:
        replica.fail(wdtk_id, rate_limited(3600))
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    before = dt.datetime.now(dt.UTC)
    twenty.run("poll", "--all", "--as-of", ahead.strftime("%Y-%m-%dT%H:%M"), expect=1)
    after = dt.datetime.now(dt.UTC)
    conn = sqlite3.connect(twenty.db)
    (until,) = conn.execute("SELECT value FROM settings WHERE key = 'wdtk_pause_until'").fetchone()
    until = dt.datetime.fromisoformat(until)
    hour = dt.timedelta(hours=1)
    assert before + hour - dt.timedelta(seconds=5) <= until <= after + hour, until


def test_track_and_link_keep_the_pause_wdtk_asked_for(twenty, replica):
    """`track` asks WDTK nothing while a pass's recorded pause runs, and a Retry-After
    met by `track` binds the next pass as one met by a pass would."""
    replica.add_request(make_request_doc(7001, "Parking fines issued in 2024"))
    replica.fail(7001, rate_limited(10**12))
    result = twenty.run("track", "7001", "--as-of", "2026-03-03T12:00", expect=1)
    assert "WDTK asked us to wait 3600 s" in result.stderr, result.stderr
    conn = sqlite3.connect(twenty.db)
    pause = conn.execute("SELECT value FROM settings WHERE key = 'wdtk_pause_until'").fetchone()
    assert pause == ("2026-03-03T13:00:00+00:00",)
    replica.faults.clear()
    calls = len(replica.hits)
    result = twenty.run("track", "7001", "--as-of", "2026-03-03T12:30", expect=1)
    assert result.stderr.strip() == (
        "Error: WDTK asked for a pause (Retry-After) until 2026-03-03T13:00:00+00:00; "
        "no call before then"
    ), result.stderr
    assert len(replica.hits) == calls
    result = twenty.run("poll", "--all", "--as-of", "2026-03-03T12:31", expect=1)
    assert len(replica.hits) == calls
    twenty.run("track", "7001", "--as-of", "2026-03-03T13:00")
    assert len(replica.hits) > calls


def test_a_pass_stops_at_its_time_budget_and_the_rest_go_first_next_time(twenty, replica):
    twenty.edit_config("min_interval_s = 0", "min_interval_s = 0\npass_budget_s = 2")
    replica.latency = 0.3  # twenty requests: 6 s, far over the budget
    conn = sqlite3.connect(twenty.db)
    tracked = "SELECT ref, next_poll_at FROM requests WHERE wdtk_id IS NOT NULL"
    due_before = dict(conn.execute(tracked))
    before = len(replica.hits)
    report = twenty.json("poll", "--as-of", "2026-03-03T12:00")
    reached = polled_ids(replica, before)
    assert len(reached) < 20
    assert report["polled"] == len(reached) + 1  # and smm-2, a released draft, looked for
    assert report["not_reached"] == 20 - len(reached)
    assert report["out_of_time"] == (
        f"time budget of 2 s ([wdtk] pass_budget_s) used up; "
        f"{20 - len(reached)} request(s) not reached go first next pass"
    )
    # Those not reached were not touched: same next_poll_at, still due, and the next pass
    # (same moment, so only they are due) takes them.
    after = dict(conn.execute(tracked))
    untouched = [ref for ref in after if after[ref] == due_before[ref]]
    assert len(untouched) == 20 - len(reached)
    replica.latency = 0
    before = len(replica.hits)
    result = twenty.run("run", "--once", "--as-of", "2026-03-03T12:00")
    assert sorted(polled_ids(replica, before)) == sorted(set(IDS) - set(reached))
    assert "time budget" not in result.stdout


def test_the_run_once_summary_says_where_the_pass_stopped(twenty, replica):
    twenty.edit_config("min_interval_s = 0", "min_interval_s = 0\npass_budget_s = 1")
    replica.latency = 0.3
    result = twenty.run("run", "--once", "--as-of", "2026-03-03T12:00")
    assert "stopped: time budget of 1 s ([wdtk] pass_budget_s) used up; " in result.stdout
    assert "request(s) not reached go first next pass" in result.stdout


def test_released_drafts_not_looked_for_in_time_keep_their_place(project, replica):
    # smm-1 and smm-2 are released and not yet found on WDTK: two slug walks. The first
    # (robots.txt, then its slug: 1.2 s) uses up the 1 s budget; the second is not begun.
    wdtk = released_project(project, replica)
    wdtk.edit_config("min_interval_s = 0", "min_interval_s = 0\npass_budget_s = 1")
    conn = sqlite3.connect(wdtk.db)
    drafts = "SELECT ref, next_poll_at FROM requests WHERE ref IN ('smm-1', 'smm-2')"
    before = dict(conn.execute(drafts))
    replica.latency = 0.6
    report = wdtk.json("poll", "--as-of", "2026-03-03T12:00")
    assert (report["polled"], report["not_reached"]) == (1, 1)
    assert report["out_of_time"].endswith("; 1 request(s) not reached go first next pass")
    after = dict(conn.execute(drafts))
    assert sorted(after[ref] == before[ref] for ref in after) == [False, True]
