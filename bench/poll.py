"""Benchmark: polling WDTK, as one poll cycle over 1,000 requests and as a simulated campaign.

Run: python bench/poll.py [--part a|b] [--quick] [--timeline FILE ...]   (from a checkout)
Ends with issue 32's aim lines per timeline, polling alone: HTTP calls <= 1/3 of the naive
poller's, mean delay no worse than its (and nothing missed), p95 delay <= 1.5x its.
--timeline replays a file of real changes (bench/_timeline.py's format; bench/timelines/
holds ones built from real WDTK feeds) in part b, over 60 days from its first change,
instead of the synthetic timelines below; a full run (neither --timeline nor --quick)
replays the synthetic ones and every file in bench/timelines/.

[wdtk] min_interval_s is 0 throughout, so the figures measure foibot and the replica, not
the politeness pause (3 s by default: at that setting one call per request makes a full
poll of 1,000 requests last at least 50 minutes).

Part a. 1,000 requests on the WDTK replica (a real HTTP server on 127.0.0.1, here waiting
50 ms before each response), in a mix of states, sent over the previous 60 working days.
The database is seeded with `Tracker.track` for each (a JSON fetch and a page read, with no
latency; untimed), so it holds what foibot itself would store. A poll cycle is
`Tracker.poll(everything=True)` (what `foibot poll --all` does) at 01:00 UK, with a new
reply on 10% of the requests, then an ordinary due-only poll eleven hours later (12:00 UK,
in office hours, when the schedule polls requests waiting for a reply). One timed cycle;
then the same cycle again (same database snapshot, same replica documents, but no latency,
which changes nothing it allocates) under tracemalloc for the peak Python heap. The replica
runs in this process, so its per-response buffers count in that figure.

Part b. A simulated 60-day campaign of 500 requests, in simulated time, on a replica with
no latency: sent 50 per working day over the first 10 working days (each tracked once when
sent, with a JSON fetch and a page read, the same in both runs and not counted below). A
seeded RNG makes each timeline, so both runs see the same changes at the same moments.
Bodies reply in office hours (08:30-17:30 UK) on working days; requesters react from 07:00.

Reply-time models, and what grounds them:
  campaign: a quarter acknowledged 1-3 working days after sending; 70% answered on working
    days 10-25, most often near day 20 (triangular, mode 20: bodies answer near the
    deadline; Cabinet Office, FOI statistics in central government 2015: 90% of requests
    answered "in time", within 20 working days or a permitted extension); 18% late, days
    26-45; 12% never (Bristol City Council's WDTK counters, tests/fixtures/wdtk/
    body_bristol_city_council_2025-08.json: 407 of 4,498 requests overdue, 9%).
  feed: the working days from request to reply in the real WDTK feed of Bristol City
    Council's requests (tests/fixtures/wdtk/feed_search_requested_from_bristol_city_
    council_2026-04.json, 15 replies): acknowledgements (replies left as still waiting,
    days 0-3: 5 of 15) drawn from theirs, answers from the other ten (13 to 89 working
    days: a month of a feed over-represents long-running requests, so this model is the
    late-replying one) +-3 days; 9% never answered, as the counters say.
  In both, 80% of replies are classified by the requester within four days; half the
  refusals go to internal review, with a second reply 10-25 working days later.
Three timelines: the campaign (seed 2026, issue 18's figures), another draw of it (seed
99), and the feed model (seed 7).

Every 15 simulated minutes the replica gets the events whose time has come, then:

  foibot:    Poller.poll(now): due-only, foibot's schedule (bot/rules/schedule.py)
             decides what to fetch, as the daemon and `foibot poll` do;
  baseline:  every 6 simulated hours, a plain loop over every request: fetch its JSON with
             the same WdtkClient (so it too sends If-None-Match) and read the page when a
             new reply appears, as foibot does. It stores nothing but ETags and event ids.

HTTP calls are counted by the client (every attempt on the wire, page reads included). One
client serves each run, so robots.txt is read once a run; foibot keeps it a day, so a real
installation reads it up to 59 more times in 60 days (and so would a polite naive poller). A
change's delay runs from the event's time on the replica to the poll that stored it (polls
take no simulated time). The six runs go two at a time, one process each, foibot's
database on /dev/shm when it exists (only calls and delays are measured in part b).

The replica's socket has Nagle's algorithm switched off in this process (see below).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import multiprocessing
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, aim, peak_memory_mb
from _timeline import Change, load_timeline

from bot import deadlines as dl
from bot.config import Config, load_config
from bot.dates import LONDON
from bot.store.db import Store
from bot.tracking.poll import Poller as Tracker
from bot.tracking.poll import PollReport
from bot.wdtk.client import WdtkClient
from tests import wdtk_replica
from tests.wdtk_replica import WdtkReplica, event, make_body, make_request_doc

# The replica sends a response's headers and its body in two writes; with Nagle's algorithm
# on its socket every response with a body then waits ~40 ms for the client's delayed ACK.
# WDTK shows no such stall, so Nagle is switched off here (this process only).
wdtk_replica._Handler.disable_nagle_algorithm = True

UTC = dt.UTC
LATENCY_S = 0.050
BODIES = [
    make_body(f"bench_body_{i}", f"Bench Body {i}", 7000 + i,
              ["police", "scotland"] if i % 10 == 9 else ["police"])
    for i in range(20)
]  # fmt: skip


def bench_config(base_url: str) -> Config:
    """config.toml's, against the replica, with no pause between calls and no pass budget:
    one client serves the whole simulation, and [wdtk] pass_budget_s (real seconds from a
    client's creation, where a real pass makes its own client) would otherwise stop every
    pass once the run had taken that long."""
    config = load_config(REPO / "config.toml")
    wdtk = config.wdtk._replace(
        base_url=base_url, min_interval_s=0.0, backoff_s=0.05, pass_budget_s=None
    )
    return config._replace(wdtk=wdtk)


def uk(day: dt.date, hour: float) -> dt.datetime:
    """UK wall-clock `hour` on `day`, in UTC."""
    minutes = round(hour * 60)
    local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=LONDON)
    return local.astimezone(UTC)


def title(i: int) -> str:
    return f"Request {i:04d}: staff disciplined for social media misuse"


def start_replica() -> WdtkReplica:
    replica = WdtkReplica().start()
    for body in BODIES:
        replica.add_body(body)
    return replica


def add_sent(replica: WdtkReplica, c: Change) -> None:
    """A `send` change: the request appears on the replica with its `sent` event. The
    synthetic timelines' requests (ids 200,000 on) go to all twenty bodies; a timeline
    file's to the English police bodies only (the real feeds are an English council's, and
    a Scottish body would put them under FOISA's calendar)."""
    synthetic = 200_000 <= c.wdtk_id < 300_000
    body = BODIES[c.wdtk_id % len(BODIES)] if synthetic else BODIES[c.wdtk_id % 9]
    replica.add_request(
        make_request_doc(
            c.wdtk_id, title(c.wdtk_id - 200_000 if synthetic else c.wdtk_id), sent_at=c.at,
            body=body, tags=[("campaign", "bench")],
            events=[event(c.event_id or c.wdtk_id * 100, "sent", c.at)],
        )
    )  # fmt: skip


def add_change(replica: WdtkReplica, c: Change) -> None:
    """Any other change: its WDTK event, logged as WDTK logs it."""
    replica.add_event(c.wdtk_id, event(c.event_id, c.kind, c.at, **c.fields))


def track(tracker: Tracker, replica: WdtkReplica, wdtk_id: int, now: dt.datetime) -> None:
    slug = replica.request(wdtk_id)["url_title"]
    tracker.links.track(f"{replica.base_url}/request/{slug}", None, now)


# --- part a ------------------------------------------------------------------------------

A_REQUESTS = 1_000
A_POLL_AT = uk(dt.date(2026, 4, 1), 1.0)  # Wednesday 1 April 2026, 01:00 UK
A_LATER = dt.timedelta(hours=11)  # 12:00 UK, in office hours


def a_documents() -> list[dict]:
    """Sent over the 60 working days before the poll: 60% waiting, 10% awaiting
    classification, 10% each successful, partially successful and refused."""
    rng = random.Random(41)
    cal = dl.calendar_for("foi")
    days = [cal.add_working_days(A_POLL_AT.date(), -n) for n in range(1, 61)]
    docs = []
    for i in range(A_REQUESTS):
        wdtk_id = 100_000 + i
        sent = uk(days[i % 60], 9 + rng.random() * 8)
        replied = sent + dt.timedelta(days=8)
        events = [event(wdtk_id * 100, "sent", sent)]
        state, awaiting = "waiting_response", False
        if i % 10 < 3:
            state = ("successful", "partially_successful", "rejected")[i % 10]
            events += [
                event(wdtk_id * 100 + 1, "response", replied, calculated_state=state),
                event(wdtk_id * 100 + 2, "status_update", replied + dt.timedelta(days=1),
                      described_state=state),
            ]  # fmt: skip
        elif i % 10 == 3:
            events.append(event(wdtk_id * 100 + 1, "response", replied))
            awaiting = True
        docs.append(
            make_request_doc(
                wdtk_id, title(i), body=BODIES[i % len(BODIES)], tags=[("campaign", "bench")],
                sent_at=sent, events=events, described_state=state,
                awaiting_description=awaiting,
            )
        )  # fmt: skip
    return docs


def part_a(tmp: Path) -> dict:
    docs = a_documents()
    db, snapshot = tmp / "a.db", tmp / "a-seed.db"
    shm = Path("/dev/shm")
    seed_dir = Path(tempfile.mkdtemp(prefix="foibot-bench-", dir=shm if shm.is_dir() else tmp))
    replica = start_replica()
    try:
        for doc in docs:
            replica.add_request(doc)
        config = bench_config(replica.base_url)
        store = Store(seed_dir / "seed.db")  # in memory when it can: seeding is not measured
        start = time.perf_counter()
        with WdtkClient(config.wdtk) as client:
            tracker = Tracker(store, config, client)
            for doc in docs:
                track(tracker, replica, doc["id"], A_POLL_AT - dt.timedelta(days=1))
            seed_calls = client.http_calls
        seed_s = time.perf_counter() - start
        store.close()  # checkpoints the WAL: the file alone is the snapshot
        shutil.copy(seed_dir / "seed.db", snapshot)
        shutil.rmtree(seed_dir)

        def reset(latency: float) -> None:
            for p in tmp.glob("a.db*"):
                p.unlink()
            shutil.copy(snapshot, db)
            replica.latency = 0.0
            for doc in docs:
                replica.add_request(doc)
            for doc in docs[::10]:  # 10% have a new reply since the seeding
                wdtk_id = doc["id"]
                reply = event(wdtk_id * 100 + 50, "response", A_POLL_AT - dt.timedelta(hours=3))
                replica.add_event(wdtk_id, reply)
            replica.latency = latency

        runs: list[tuple[PollReport, float, PollReport, float]] = []

        def cycle() -> None:
            store = Store(db)
            try:
                with WdtkClient(config.wdtk) as client:
                    tracker = Tracker(store, config, client)
                    t0 = time.perf_counter()
                    full = tracker.poll(A_POLL_AT, everything=True)
                    t1 = time.perf_counter()
                    due = tracker.poll(A_POLL_AT + A_LATER)
                    t2 = time.perf_counter()
            finally:
                store.close()
            runs.append((full, t1 - t0, due, t2 - t1))

        reset(LATENCY_S)
        cycle()
        peak = peak_memory_mb(cycle, setup=lambda: reset(0.0))
    finally:
        replica.stop()
    full, full_s, due, due_s = runs[0]
    assert (full.http_calls, due.http_calls) == (runs[1][0].http_calls, runs[1][2].http_calls)
    return {
        "seed_calls": seed_calls, "seed_s": seed_s, "full": full, "full_s": full_s,
        "due": due, "due_s": due_s, "peak_mb": peak,
    }  # fmt: skip


# --- part b ------------------------------------------------------------------------------

B_REQUESTS = 500
B_DAYS = 60
B_START = uk(dt.date(2026, 3, 2), 0.0)  # Monday 2 March 2026, midnight UK
STEP = dt.timedelta(minutes=15)
BASELINE_EVERY = dt.timedelta(hours=6)
FEED = (
    REPO
    / "tests"
    / "fixtures"
    / "wdtk"
    / "feed_search_requested_from_bristol_city_council_2026-04.json"
)
# Bristol City Council's own counters (tests/fixtures/wdtk/body_bristol_city_council_2025-08.json):
# 407 of its 4,498 requests on WDTK overdue, i.e. never answered so far.
FEED_NEVER = 407 / 4498


def feed_reply_days() -> tuple[list[int], list[int]]:
    """Working days from a request's creation to each reply in the real WDTK feed of
    Bristol City Council's requests (tests/fixtures/wdtk, March-April 2026): those a
    requester left as still waiting (acknowledgements), and the rest (answers)."""
    events = json.loads(FEED.read_text(encoding="utf-8"))
    cal = dl.calendar_for("foi")
    acks, answers = [], []
    for e in events:
        if e["event_type"] != "response":
            continue
        made = dl.receipt_date(e["info_request"]["created_at"])
        days = cal.working_days_between(made, dl.receipt_date(e["created_at"]))
        (
            acks if e["calculated_state"] in (None, "waiting_response") and days <= 3 else answers
        ).append(days)
    return acks, answers


def b_timeline(n_requests: int, seed: int = 2026, model: str = "campaign") -> list[Change]:
    """The campaign's changes. `model` says when bodies reply (see REPLY_MODELS)."""
    rng = random.Random(seed)
    cal = dl.calendar_for("foi")
    acks, answers = feed_reply_days()
    share_ack = len(acks) / (len(acks) + len(answers))
    first_day = B_START.astimezone(LONDON).date()
    out: list[Change] = []

    def office_hours(start: dt.date, n: int) -> dt.datetime:
        """Some time in the working day n working days after `start`."""
        day = cal.add_working_days(start, n) if n else start
        return uk(day, 8.5 + rng.random() * 9)

    def later(moment: dt.datetime, lo_h: float, hi_h: float) -> dt.datetime:
        """A requester's reaction: some hours later, though not before 07:00."""
        t = moment + dt.timedelta(hours=rng.uniform(lo_h, hi_h))
        hour = t.astimezone(LONDON).hour
        return (t + dt.timedelta(hours=7 - hour) if hour < 7 else t).replace(microsecond=0)

    for i in range(n_requests):
        wdtk_id = 200_000 + i
        ids = iter(range(wdtk_id * 100 + 1, wdtk_id * 100 + 100))

        def add(at: dt.datetime, kind: str, _id: int = wdtk_id, _ids=ids, **fields) -> None:
            out.append(Change(at, _id, kind, next(_ids), fields))

        sent = office_hours(cal.add_working_days(first_day, i // 50) if i >= 50 else first_day, 0)
        out.append(Change(sent, wdtk_id, "send"))
        received = sent.astimezone(LONDON).date()
        if model == "campaign":
            if rng.random() < 0.25:  # an acknowledgement, which the requester marks as such
                ack = office_hours(received, rng.randint(1, 3))
                add(ack, "response")
                add(later(ack, 1, 48), "status_update", described_state="waiting_response")
            r = rng.random()
            if r < 0.70:
                day = round(rng.triangular(10, 25, 20))
            elif r < 0.88:
                day = rng.randint(26, 45)
            else:
                continue  # never answered
        else:  # "feed": reply days drawn from the real feed's, a little jittered
            if rng.random() < share_ack:
                ack_day = rng.choice(acks)
                # On the day itself, an automatic acknowledgement minutes after sending.
                ack = (
                    office_hours(received, ack_day)
                    if ack_day
                    else (sent + dt.timedelta(minutes=rng.randint(2, 90))).replace(microsecond=0)
                )
                add(ack, "response")
                add(later(ack, 1, 48), "status_update", described_state="waiting_response")
            if rng.random() < FEED_NEVER:
                continue
            day = max(1, rng.choice(answers) + rng.randint(-3, 3))
        reply = office_hours(received, day)
        add(reply, "response")
        if rng.random() < 0.2:
            continue  # never classified
        state = rng.choices(
            ["successful", "partially_successful", "rejected", "not_held"], [35, 25, 25, 15]
        )[0]
        classified = later(reply, 0.5, 96)
        add(classified, "status_update", described_state=state)
        if state == "rejected" and rng.random() < 0.5:
            asked = later(classified, 24, 24 * 7)
            add(asked, "followup_sent", calculated_state="internal_review")
            review = office_hours(asked.astimezone(LONDON).date(), rng.randint(10, 25))
            add(review, "response")
            add(later(review, 1, 72), "status_update",
                described_state=rng.choice(["successful", "rejected", "partially_successful"]))  # fmt: skip
    out.sort(key=lambda c: (c.at, c.event_id))
    return out


class NaivePoller:
    """The baseline: fetch every request's JSON every 6 hours (with its ETag, through the
    same WdtkClient) and read its page when a new reply shows up, as foibot does. It keeps
    only each request's ETag and the event ids it has seen; no database."""

    def __init__(self, client: WdtkClient):
        self.client = client
        self.known: dict[str, tuple[str | None, set[int]]] = {}  # slug -> (ETag, event ids)

    def track(self, slug: str) -> None:
        self.known[slug] = (None, set())
        self.fetch(slug)

    def fetch(self, slug: str) -> list[int]:
        etag, seen = self.known[slug]
        result = self.client.fetch_request(slug, etag=etag)
        if not result.ok or result.request is None:
            return []
        fresh = [e for e in result.request.events if e.id not in seen]
        self.known[slug] = (result.etag, seen | {e.id for e in fresh})
        if not seen or any(e.event_type == "response" for e in fresh):
            self.client.fetch_request_html(slug)
        return [e.id for e in fresh]

    def poll_all(self) -> list[int]:
        return [event_id for slug in list(self.known) for event_id in self.fetch(slug)]


def simulate(job: tuple[bool, list[Change], dt.datetime, int]) -> dict:
    """One run over its own replica (and, for foibot, database): HTTP calls and delays,
    from `start` for `days` simulated days."""
    baseline, timeline, start, days = job
    started = time.perf_counter()
    shm = Path("/dev/shm")
    tmp = Path(tempfile.mkdtemp(prefix="foibot-bench-poll-", dir=shm if shm.is_dir() else None))
    end = start + dt.timedelta(days=days)
    replica = start_replica()
    config = bench_config(replica.base_url)
    store = Store(tmp / "sim.db")
    client = WdtkClient(config.wdtk)
    try:
        tracker, naive = Tracker(store, config, client), NaivePoller(client)
        changed_at: dict[int, dt.datetime] = {}  # WDTK event id -> when it happened
        kinds: dict[int, str] = {}  # WDTK event id -> its kind
        delays: dict[int, float] = {}  # WDTK event id -> hours until it was recorded
        poll_calls = track_calls = polls = last_row = 0
        pos, now, next_full = 0, start, start
        while now <= end:
            while pos < len(timeline) and timeline[pos].at <= now:
                c = timeline[pos]
                pos += 1
                if c.kind == "send":
                    add_sent(replica, c)
                    before = client.http_calls
                    if baseline:
                        naive.track(replica.request(c.wdtk_id)["url_title"])
                    else:
                        track(tracker, replica, c.wdtk_id, now)
                    track_calls += client.http_calls - before
                else:
                    add_change(replica, c)
                    changed_at[c.event_id] = c.at
                    kinds[c.event_id] = c.kind
            before = client.http_calls
            if baseline:
                recorded = []
                if now >= next_full:
                    recorded = naive.poll_all()
                    polls += 1
                    next_full = now + BASELINE_EVERY
            else:
                tracker.poll(now)
                polls += 1
                rows = store.db.query(
                    "SELECT id, wdtk_event_id FROM events WHERE id > ? AND wdtk_event_id IS NOT NULL",
                    [last_row],
                )  # fmt: skip
                recorded = []
                for row in rows:
                    last_row = max(last_row, row["id"])
                    recorded.append(row["wdtk_event_id"])
            poll_calls += client.http_calls - before
            for event_id in recorded:
                if event_id in changed_at and event_id not in delays:
                    delays[event_id] = (now - changed_at[event_id]) / dt.timedelta(hours=1)
            now += STEP
    finally:
        client.close()
        store.close()
        replica.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "calls": poll_calls, "track_calls": track_calls, "polls": polls, "delays": delays,
        "changes": len(changed_at), "unseen": len(set(changed_at) - set(delays)),
        "changed_at": changed_at, "kinds": kinds, "end": end, "days": days,
        # Seen by no poll though a day old at the end: a schedule that missed it.
        "missed": sum(1 for e, at in changed_at.items() if e not in delays and at < end - dt.timedelta(days=1)),
        "wall_s": time.perf_counter() - started,
    }  # fmt: skip


# The timelines: (name, RNG seed, reply model). The first is the campaign of issue 18's
# figures; the others are another draw of the same model and a draw of the feed's.
TIMELINES = [
    ("the campaign (seed 2026)", 2026, "campaign"),
    ("campaign model, seed 99", 99, "campaign"),
    ("reply days of the real feed, seed 7", 7, "feed"),
]


def synthetic_timelines() -> list[tuple[str, list[Change], dt.datetime, int]]:
    return [(name, b_timeline(B_REQUESTS, seed, model), B_START, B_DAYS)
            for name, seed, model in TIMELINES]  # fmt: skip


def real_timelines() -> list[tuple[str, list[Change], dt.datetime, int]]:
    """The real-lifecycle timelines kept in bench/timelines/ (built from WDTK feeds by its
    build.py), replayed beside the synthetic ones in a full run so RESULTS.md holds them."""
    folder = Path(__file__).parent / "timelines"
    return [(f"timeline bench/timelines/{p.name}", *file_timeline(str(p))[1:])
            for p in sorted(folder.glob("*.json"))]  # fmt: skip


def file_timeline(path: str) -> tuple[str, list[Change], dt.datetime, int]:
    """A timeline file (bench/_timeline.py), replayed over 60 days from its first change."""
    timeline = load_timeline(path)
    return (f"timeline {path}", timeline, timeline[0].at, 60)


def part_b(
    timelines: list[tuple[str, list[Change], dt.datetime, int]],
) -> list[tuple[str, dict, dict]]:
    # fork: no threads are running here by now, and the children need no re-import.
    context = multiprocessing.get_context("fork")
    jobs = [
        (baseline, t, start, days) for _, t, start, days in timelines for baseline in (False, True)
    ]
    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        runs = list(pool.map(simulate, jobs))
    return [(t[0], runs[2 * i], runs[2 * i + 1]) for i, t in enumerate(timelines)]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


# --- report ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["a", "b"], help="run only this part")
    parser.add_argument(
        "--quick", action="store_true", help="30 requests in part a; 50 over 30 days in b"
    )
    parser.add_argument(
        "--timeline", action="append", default=[], metavar="FILE",
        help="replay this timeline file (bench/_timeline.py's format) in part b instead of "
        "the synthetic ones and bench/timelines/; may be given more than once",
    )  # fmt: skip
    args = parser.parse_args()
    if args.timeline:
        for path in args.timeline:  # a bad file stops the run before anything is measured
            load_timeline(path)
        args.part = args.part or "b"
    if args.quick:
        global A_REQUESTS, B_REQUESTS, B_DAYS
        A_REQUESTS, B_REQUESTS, B_DAYS = 30, 50, 30
    started = time.perf_counter()
    print(f"foibot bench/poll.py — Python {platform.python_version()} on {platform.machine()}, "
          f"{dt.date.today().isoformat()}; [wdtk] min_interval_s = 0{'; QUICK' if args.quick else ''}")  # fmt: skip
    if args.part in (None, "a"):
        tmp = Path(tempfile.mkdtemp(prefix="foibot-bench-poll-"))
        try:
            a = part_a(tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        full, due = a["full"], a["due"]
        cycle_calls, cycle_s = full.http_calls + due.http_calls, a["full_s"] + a["due_s"]
        print(f"a. {A_REQUESTS:,} tracked requests, replica latency {LATENCY_S * 1000:.0f} ms per response "
              f"(seeded with Tracker.track: {a['seed_calls']:,} calls, {a['seed_s']:.1f} s, no latency)")  # fmt: skip
        print(f"   poll --all:          {full.http_calls:5,} HTTP calls for {full.polled:,} requests "
              f"({len(full.new_responses)} new replies), {a['full_s']:5.1f} s, "
              f"{a['full_s'] / full.http_calls * 1000:.1f} ms per call")  # fmt: skip
        print(f"   due-only, 11 h later: {due.http_calls:4,} HTTP calls for {due.polled:,} requests, "
              f"{a['due_s']:5.1f} s")  # fmt: skip
        print(f"   whole cycle: {cycle_calls:,} HTTP calls, {cycle_s:.1f} s "
              f"({cycle_s / cycle_calls * 1000 - LATENCY_S * 1000:.1f} ms per call beyond the latency); "
              f"peak Python heap {a['peak_mb']:.1f} MB")  # fmt: skip
    if args.part in (None, "b"):
        timelines = (
            [file_timeline(p) for p in args.timeline]
            if args.timeline
            else synthetic_timelines() + ([] if args.quick else real_timelines())
        )
        print(f"b. {len(timelines)} timeline(s), replayed in simulated time; HTTP calls of polls "
              "(tracking each request once when sent is the same in both runs, not counted); "
              "delays over the changes both runs saw")  # fmt: skip
        report_b(part_b(timelines))
    print(f"(bench ran {time.perf_counter() - started:.0f} s)")
    for what, target, measured, met in AIMS:
        aim(what, target, measured, met)


AIMS: list[tuple[str, str, str, bool]] = []


def report_b(runs: list[tuple[str, dict, dict]]) -> None:
    """Each timeline's figures, and its aim lines (issue 32's, for polling alone)."""
    for name, foibot, naive in runs:
        print(f"   {name}: {foibot['changes']:,} changes on the replica (sends not counted) "
              f"over {foibot['days']} days")  # fmt: skip
        seen = set(foibot["delays"]) & set(naive["delays"])
        figures = {}
        for label, run in (("foibot, due-only every 15 min", foibot),
                           ("baseline, all every 6 h      ", naive)):  # fmt: skip
            d = [run["delays"][e] for e in seen] or [0.0]
            figures[label] = (statistics.fmean(d), p95(d))
            print(f"     {label}: {run['calls']:7,} HTTP calls in {run['polls']:,} polls; delay "
                  f"mean {figures[label][0]:.2f} h, median {statistics.median(d):.2f} h, "
                  f"p95 {figures[label][1]:.1f} h, max {max(d):.1f} h; unseen at the end "
                  f"{run['unseen']} ({run['missed']} over a day old); run took {run['wall_s']:.0f} s")  # fmt: skip
        (f_mean, f_p95), (n_mean, n_p95) = figures.values()
        calls = foibot["calls"] / max(naive["calls"], 1)
        per_change = foibot["calls"] / max(len(foibot["delays"]), 1)
        print(f"     ratio foibot / baseline: HTTP calls {calls:.2f}x ({per_change:.1f} per change "
              f"seen), mean delay {f_mean / n_mean if n_mean else 0:.2f}x ({len(seen):,} changes)")  # fmt: skip
        what = f"polling alone (Poller.poll), {name}"
        AIMS.append((f"{what}: HTTP calls vs the naive every-6-h poller", "<= 1/3",
                     f"{calls:.3f}x", calls <= 1 / 3))  # fmt: skip
        AIMS.append((f"{what}: mean delay vs the naive poller's", "<= 1x, none missed",
                     f"{f_mean:.2f} h vs {n_mean:.2f} h, {foibot['missed']} missed",
                     f_mean <= n_mean and foibot["missed"] == 0))  # fmt: skip
        AIMS.append((f"{what}: p95 delay vs the naive poller's", "<= 1.5x",
                     f"{f_p95:.1f} h vs {n_p95:.1f} h ({f_p95 / n_p95 if n_p95 else 0:.2f}x)",
                     f_p95 <= 1.5 * n_p95))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
