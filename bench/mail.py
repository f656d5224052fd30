"""Benchmark: push, not poll — a 60-day campaign replayed on the WDTK replica, with WDTK's
alert e-mails delivered through a real IMAP server.

Run: python bench/mail.py [--quick] [--timeline FILE ...]   (needs the test extras: pymap)

The timeline is bench/poll.py's seeded campaign (500 requests sent 50 per working day;
`b_timeline`), or with --timeline a file of real changes (bench/_timeline.py's format,
bench/timelines/), replayed over 60 days from its first change (a full run, neither
--timeline nor --quick, replays the campaign and every file in bench/timelines/);
[wdtk] min_interval_s = 0.
WDTK's alerts reach the requester's mailbox (a pymap server on 127.0.0.1) as Alaveteli
sends them (`WdtkAlerts`, grounded in app/mailers/request_mailer.rb, track_mailer.rb and
config/crontab-example): a new response at once; overdue and very overdue at the daily
06:00 run, once each; a comment by someone else at the next hourly run; other changes in
one track digest a day at most; nothing for the requester's own classifications and
follow-ups. Messages are built by tests/wdtk_mail.py from Alaveteli's templates.

  mailbox:   the daemon with IDLE: the mail pass (`check_mail`, reading the real IMAP
             server over one logged-in connection, as the watcher does) runs one simulated
             minute after an alert arrives; and every 15 simulated minutes the scheduled
             pass runs as `run --once` does with a working mailbox, its schedule relaxed
             to the safety net (`safety_net` in bot/rules/schedule.py).
  baseline:  bench/poll.py's naive loop: every request's JSON every 6 simulated hours
             (with ETags), its page on a new reply.

HTTP calls are counted by the client (page reads included), not counting the one-off
tracking of each request when it is sent. One client serves the run, so robots.txt is read
once; foibot keeps it a day, so a real daemon reads it up to 59 more times in 60 days. A
change's delay runs from its time on the replica to the pass that stored it. Closes with issue 32's aims for a healthy mailbox:
<= 3 WDTK calls per change seen, responses seen with a median delay under 15 minutes, no
change unseen for more than 7 days.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import poll  # bench/poll.py: the campaign's timeline and the naive baseline
from _common import aim  # and puts the checkout on sys.path

from bot.config import MailboxConfig
from bot.mailbox.imap import Mailbox
from bot.mailbox.service import check_mail
from bot.rules.schedule import policy_for, safety_net
from bot.store.db import Store
from bot.tracking.poll import Poller, mail_poller
from bot.wdtk.client import WdtkClient
from tests import wdtk_mail
from tests.imap_server import PASSWORD, USER, ImapServer

MAIL_LATENCY = dt.timedelta(minutes=1)  # delivery and the IDLE wake-up
_, SEED, MODEL = poll.TIMELINES[0]  # bench/poll.py's campaign: the same seeded timeline
PASSWORD_ENV = "FOIBOT_BENCH_IMAP_PASSWORD"
# Alaveteli's config/crontab-example: alert-overdue-requests daily at 06:00, and
# alert-comment-on-request hourly at minute 9.
OVERDUE_RUN = dt.time(6, 0)
COMMENT_MINUTE = 9
# InfoRequest#date_response_required_by and #date_very_overdue_after: 20 and 40 working
# days after sending (late_calculator's reply_late_after_days / reply_very_late_after_days
# for a body that is not a school), on the FOI calendar (Holiday.due_date_from).
LATE_DAYS, VERY_LATE_DAYS = 20, 40
DAY = dt.timedelta(days=1)
# Changes no alert names: the requester's own doing (a classification, a follow-up sent or
# resent), and WDTK's overdue events, whose e-mails `overdue_run` sends as the cron does.
NO_ALERT = ("status_update", "followup_sent", "followup_resent", "overdue", "very_overdue")


class WdtkAlerts:
    """The e-mails WDTK sends the requester, as Alaveteli's mailers send them:

    - a new response: RequestMailer#new_response, at once (InfoRequest#receive notifies
      the requester as the reply is logged);
    - overdue and very overdue: RequestMailer.alert_overdue_requests, run daily at 06:00,
      once each per sending (UserInfoRequestSentAlert 'overdue_1' / 'very_overdue_1'),
      only while the request is `waiting_response` and not awaiting classification;
    - a comment by someone else: RequestMailer.alert_comment_on_request, the next hourly
      run (one alert for the comments since the last);
    - any other change by someone else (an edit, or any other event a timeline file
      holds): TrackMailer.alert_tracks, one digest a day at most (users whose
      last_daily_track_email is over a day old);
    - nothing for what the requester did (their classifications and follow-ups: the
      comment alert skips the requester's own comments, and a track shows a user nothing
      they did themselves)."""

    def __init__(self, replica) -> None:
        self.replica = replica
        self.outbox: list[tuple[dt.datetime, int, bytes]] = []  # (deliver at, seq, message)
        self.sent: dict[int, dt.datetime] = {}  # wdtk_id -> when sent
        self.overdue_done: set[tuple[int, str]] = set()
        self.last_digest: dt.datetime | None = None
        self.digest: list[tuple[str, str, str, int]] = []
        self.digest_at: dt.datetime | None = None
        self.seq = 0
        self.calendar = poll.dl.calendar_for("foi")

    def _queue(self, at: dt.datetime, message: bytes) -> None:
        self.seq += 1
        heapq.heappush(self.outbox, (at, self.seq, message))

    def change(self, c: poll.Change) -> None:
        if c.kind == "send":
            self.sent[c.wdtk_id] = c.at
            return
        doc = self.replica.request(c.wdtk_id)
        base, body = self.replica.base_url, doc["public_body"]["name"]
        if c.kind == "response":
            incoming = c.fields.get("incoming_message_id") or c.event_id + 1
            self._queue(
                c.at, wdtk_mail.new_response(base, doc["url_title"], doc["title"], body, incoming)
            )
        elif c.kind == "comment":
            local = c.at.astimezone(poll.LONDON)
            run = local.replace(minute=COMMENT_MINUTE, second=0, microsecond=0)
            run += dt.timedelta(hours=1) if run <= local else dt.timedelta(0)
            self._queue(run.astimezone(poll.UTC), wdtk_mail.comment_alert(
                base, doc["url_title"], doc["title"], c.fields.get("comment_id") or c.event_id))  # fmt: skip
        elif c.kind not in NO_ALERT:
            self.digest.append((doc["url_title"], doc["title"], body, c.event_id))
            if self.digest_at is None:
                ready = self.last_digest + DAY if self.last_digest else c.at
                self.digest_at = max(c.at, ready)

    def overdue_run(self, at: dt.datetime) -> None:
        """alert_overdue_requests at `at` (06:00 UK)."""
        today = at.astimezone(poll.LONDON).date()
        for wdtk_id, sent in self.sent.items():
            doc = self.replica.request(wdtk_id)
            if doc["described_state"] != "waiting_response" or doc["awaiting_description"]:
                continue
            day = poll.dl.receipt_date(sent.isoformat())
            due = self.calendar.add_working_days(day, LATE_DAYS)
            very = self.calendar.add_working_days(day, VERY_LATE_DAYS)
            kind = "very_overdue" if today > very else "overdue" if today > due else None
            if kind is None or (wdtk_id, kind) in self.overdue_done:
                continue
            self.overdue_done.add((wdtk_id, kind))
            self._queue(at, wdtk_mail.overdue_alert(
                self.replica.base_url, wdtk_id, doc["title"], doc["public_body"]["name"],
                very=kind == "very_overdue"))  # fmt: skip

    def next_at(self) -> dt.datetime | None:
        times = [t for t in (self.outbox[0][0] if self.outbox else None, self.digest_at) if t]
        return min(times) if times else None

    def take(self, until: dt.datetime) -> list[bytes]:
        """The alerts sent by `until`, in order."""
        if self.digest_at is not None and self.digest_at <= until:
            self._queue(self.digest_at, wdtk_mail.track_alert(self.replica.base_url, self.digest))
            self.last_digest, self.digest, self.digest_at = self.digest_at, [], None
        out = []
        while self.outbox and self.outbox[0][0] <= until:
            out.append(heapq.heappop(self.outbox)[2])
        return out


def overdue_runs(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Each day's 06:00 UK between `start` and `end`."""
    day, runs = start.astimezone(poll.LONDON).date(), []
    while (at := poll.uk(day, OVERDUE_RUN.hour)) <= end:
        if at >= start:
            runs.append(at)
        day += DAY
    return runs


def simulate_mailbox(timeline: list[poll.Change], start: dt.datetime, days: int, tmp: Path) -> dict:
    end = start + dt.timedelta(days=days)
    replica = poll.start_replica()
    imap = ImapServer(tmp / "imap").start()
    os.environ[PASSWORD_ENV] = PASSWORD
    mailbox = MailboxConfig(host="127.0.0.1", user=USER, password_env=PASSWORD_ENV,
                            port=imap.port, tls=False)  # fmt: skip
    config = poll.bench_config(replica.base_url)._replace(mailbox=mailbox)
    store = Store(tmp / "sim.db")
    client = WdtkClient(config.wdtk)
    box = Mailbox(mailbox)
    box.open()
    relaxed = safety_net(policy_for(config))
    scheduled = Poller(store, config, client, relaxed)
    alerts = WdtkAlerts(replica)
    changed_at: dict[int, dt.datetime] = {}
    kinds: dict[int, str] = {}
    delays: dict[int, float] = {}
    counts = {"mail_calls": 0, "poll_calls": 0, "track_calls": 0, "mail_passes": 0,
              "polls": 0, "alerts": 0, "handled": 0}  # fmt: skip
    last_row = 0
    jobs = overdue_runs(start, end)

    def record(now: dt.datetime) -> None:
        nonlocal last_row
        rows = store.db.query(
            "SELECT id, wdtk_event_id FROM events WHERE id > ? AND wdtk_event_id IS NOT NULL",
            [last_row],
        )
        for row in rows:
            last_row = max(last_row, row["id"])
            e = row["wdtk_event_id"]
            if e in changed_at and e not in delays:
                delays[e] = (now - changed_at[e]) / dt.timedelta(hours=1)

    pos, now, never = 0, start, end + dt.timedelta(days=365)
    try:
        while now <= end:
            step_end = now + poll.STEP
            # What happens in this step, in time order: changes on WDTK, WDTK's overdue
            # run, and a mail pass a minute after the first alert not yet read.
            while True:
                t_change = timeline[pos].at if pos < len(timeline) else never
                t_job = jobs[0] if jobs else never
                first = alerts.next_at()
                t_mail = first + MAIL_LATENCY if first else never
                t = min(t_change, t_job, t_mail)
                if t >= step_end:
                    break
                if t == t_change:
                    c = timeline[pos]
                    pos += 1
                    if c.kind == "send":
                        poll.add_sent(replica, c)
                        before = client.http_calls
                        poll.track(scheduled, replica, c.wdtk_id, c.at)
                        counts["track_calls"] += client.http_calls - before
                    else:
                        poll.add_change(replica, c)
                        changed_at[c.event_id], kinds[c.event_id] = c.at, c.kind
                    alerts.change(c)
                elif t == t_job:
                    alerts.overdue_run(jobs.pop(0))
                else:
                    counts["mail_calls"] += mail_pass(
                        store, config, client, box, imap, alerts.take(t), t, counts
                    )
                    record(t)
            now = step_end
            # The scheduled pass (the safety net), as run --once with a working mailbox.
            before = client.http_calls
            Poller(store, config, client, relaxed).poll(now)
            counts["poll_calls"] += client.http_calls - before
            counts["polls"] += 1
            record(now)
    finally:
        box.close()
        client.close()
        store.close()
        imap.stop()
        replica.stop()
    counts.update(delays=delays, changes=len(changed_at), unseen=len(set(changed_at) - set(delays)),
                  changed_at=changed_at, kinds=kinds, end=end)  # fmt: skip
    return counts


def mail_pass(store, config, client, box, imap, pending, at, counts) -> int:
    imap.deliver(*pending)
    counts["alerts"] += len(pending)
    before = client.http_calls
    report = check_mail(store, config, at, mailbox=box)
    if report.error:
        raise RuntimeError(report.error)
    if report.due:
        report.poll = mail_poller(store, config, client).poll_refs(report.due, at)
    counts["mail_passes"] += 1
    counts["handled"] += len(report.handled)
    return client.http_calls - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 requests over 30 days")
    parser.add_argument(
        "--timeline", action="append", default=[], metavar="FILE",
        help="replay this timeline file (bench/_timeline.py's format) instead of the "
        "synthetic campaign and bench/timelines/; may be given more than once",
    )  # fmt: skip
    args = parser.parse_args()
    if args.timeline:
        runs = [poll.file_timeline(path) for path in args.timeline]  # exit 2 on a bad file
    else:
        n, days = (100, 30) if args.quick else (poll.B_REQUESTS, poll.B_DAYS)
        runs = [("the campaign (seed 2026)", poll.b_timeline(n, SEED, MODEL), poll.B_START, days)]
        runs += [] if args.quick else poll.real_timelines()
    started = time.perf_counter()
    print(f"foibot bench/mail.py — Python {platform.python_version()} on {platform.machine()}, "
          f"{dt.date.today().isoformat()}; [wdtk] min_interval_s = 0{'; QUICK' if args.quick else ''}")  # fmt: skip
    aims = []
    for name, timeline, start, days in runs:
        tmp = Path(tempfile.mkdtemp(prefix="foibot-bench-mail-"))
        try:
            mailbox = simulate_mailbox(timeline, start, days, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        naive = poll.simulate((True, timeline, start, days))
        aims += report(name, days, mailbox, naive)
    print(f"(bench ran {time.perf_counter() - started:.0f} s)")
    for line in aims:
        aim(*line)
    return 0


def report(name: str, days: int, mailbox: dict, naive: dict) -> list[tuple[str, str, str, bool]]:
    """The figures of one timeline, and its aim lines (issue 32's, mailbox healthy)."""
    calls = mailbox["mail_calls"] + mailbox["poll_calls"]
    seen = set(mailbox["delays"]) & set(naive["delays"])
    print(f"{name}: {days} simulated days, {mailbox['changes']:,} changes on the replica, "
          f"{mailbox['alerts']:,} alert e-mails through IMAP (tracking each request once, not "
          f"counted: {mailbox['track_calls']:,} calls)")  # fmt: skip
    for label, run, total in (("mailbox + safety net", mailbox, calls),
                              ("baseline, all every 6 h", naive, naive["calls"])):  # fmt: skip
        d = sorted(run["delays"][e] * 60 for e in seen) or [0.0]
        print(f"  {label:<24}: {total:7,} HTTP calls; delay median {statistics.median(d):6.1f} min, "
              f"p95 {poll.p95(d):6.1f} min, max {max(d) / 60:5.1f} h; unseen at the end {run['unseen']}")  # fmt: skip
    print(f"  mailbox: {mailbox['mail_passes']:,} mail passes ({mailbox['handled']:,} alerts handled) made "
          f"{mailbox['mail_calls']:,} calls; {mailbox['polls']:,} scheduled passes made "
          f"{mailbox['poll_calls']:,}")  # fmt: skip
    found = len(mailbox["delays"])
    per_change = calls / found if found else float("inf")
    print(f"  ratio mailbox / baseline: HTTP calls {calls / max(naive['calls'], 1):.3f}x; "
          f"{per_change:.1f} calls per change seen")  # fmt: skip
    replies = [v * 60 for e, v in mailbox["delays"].items() if mailbox["kinds"][e] == "response"]
    median = statistics.median(replies) if replies else float("inf")
    end = mailbox["end"]
    waits = [mailbox["delays"].get(e, (end - at) / dt.timedelta(hours=1))
             for e, at in mailbox["changed_at"].items()]  # fmt: skip
    worst = max(waits, default=0.0)
    what = f"mailbox healthy (mail passes + safety net), {name}"
    return [
        (f"{what}: WDTK calls per change seen", "<= 3", f"{per_change:.2f} ({calls:,} calls, {found:,} changes)",
         per_change <= 3),
        (f"{what}: responses' median delay", "< 15 min", f"{median:.1f} min ({len(replies)} responses)",
         median < 15),
        (f"{what}: longest a change went unseen", "<= 7 days", f"{worst / 24:.1f} days",
         worst <= 7 * 24),
    ]  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
