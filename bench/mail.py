"""Benchmark: push, not poll — the 60-day campaign of bench/poll.py part b, with WDTK's
alert e-mails delivered through a real IMAP server.

Run: python bench/mail.py [--quick]   (from a checkout; needs the test extras: pymap)

The same seeded timeline as bench/poll.py part b (500 requests sent 50 per working day,
replies, classifications, internal reviews; `b_timeline`), on the same WDTK replica, with
[wdtk] min_interval_s = 0. For each change on the replica an alert e-mail goes to the
requester's mailbox, a pymap server on 127.0.0.1: a new reply as request_mailer's
new_response, any other change as a track alert (event_digest) naming the request, built
by tests/wdtk_mail.py from Alaveteli's templates. One alert per change, sent the moment
the change happens: WDTK sends reply alerts at once, but tells of a classification only in
a daily track alert, so for those this is the best case.

  mailbox:   the daemon with IDLE: the mail pass (`check_mail`, reading the real IMAP
             server over one logged-in connection, as the watcher does) runs one simulated
             minute after each batch of alerts arrives; and every 15 simulated minutes the
             scheduled pass runs as `run --once` does with a working mailbox, its schedule
             relaxed to the safety net (`safety_net` in bot/rules/schedule.py).
  baseline:  bench/poll.py's naive loop: every request's JSON every 6 simulated hours
             (with ETags), its page on a new reply.

HTTP calls are counted by the client (page reads included), not counting the one-off
tracking of each request when it is sent. A change's delay runs from its time on the
replica to the pass that stored it. Closes with the aims and whether each was met.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from tests.wdtk_replica import event, make_request_doc

MAIL_LATENCY = dt.timedelta(minutes=1)  # delivery and the IDLE wake-up
_, SEED, MODEL = poll.TIMELINES[0]  # bench/poll.py's campaign: the same seeded timeline
PASSWORD_ENV = "FOIBOT_BENCH_IMAP_PASSWORD"


def alert(base_url: str, doc: dict, change: poll.Change) -> bytes:
    body = doc["public_body"]["name"]
    if change.kind == "response":
        incoming = change.event_id + 1
        return wdtk_mail.new_response(base_url, doc["url_title"], doc["title"], body, incoming)
    return wdtk_mail.track_alert(base_url, [(doc["url_title"], doc["title"], body, change.event_id)])


def simulate_mailbox(n_requests: int, days: int, tmp: Path) -> dict:
    timeline = poll.b_timeline(n_requests, SEED, MODEL)
    end = poll.B_START + dt.timedelta(days=days)
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
    changed_at: dict[int, dt.datetime] = {}
    delays: dict[int, float] = {}
    counts = {"mail_calls": 0, "poll_calls": 0, "track_calls": 0, "mail_passes": 0,
              "polls": 0, "alerts": 0, "handled": 0}  # fmt: skip
    last_row = 0

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

    pos, now = 0, poll.B_START
    try:
        while now <= end:
            step_end = now + poll.STEP
            # Changes in this step, in time order; alerts trigger a mail pass a minute later.
            pending: list[bytes] = []
            mail_at: dt.datetime | None = None
            while pos < len(timeline) and timeline[pos].at < step_end:
                c = timeline[pos]
                pos += 1
                if mail_at is not None and c.at > mail_at:
                    counts["mail_calls"] += mail_pass(store, config, client, box, imap, pending, mail_at, counts)
                    record(mail_at)
                    pending, mail_at = [], None
                if c.kind == "send":
                    replica.add_request(
                        make_request_doc(
                            c.wdtk_id, poll.title(c.wdtk_id - 200_000), sent_at=c.at,
                            body=poll.BODIES[c.wdtk_id % len(poll.BODIES)],
                            tags=[("campaign", "bench")], events=[event(c.wdtk_id * 100, "sent", c.at)],
                        )
                    )  # fmt: skip
                    before = client.http_calls
                    poll.track(scheduled, replica, c.wdtk_id, c.at)
                    counts["track_calls"] += client.http_calls - before
                    continue
                replica.add_event(c.wdtk_id, event(c.event_id, c.kind, c.at, **c.fields))
                changed_at[c.event_id] = c.at
                pending.append(alert(replica.base_url, replica.request(c.wdtk_id), c))
                mail_at = mail_at or c.at + MAIL_LATENCY
            if mail_at is not None:
                counts["mail_calls"] += mail_pass(store, config, client, box, imap, pending, mail_at, counts)
                record(mail_at)
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
    counts.update(delays=delays, changes=len(changed_at), unseen=len(set(changed_at) - set(delays)))
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
    args = parser.parse_args()
    n, days = (100, 30) if args.quick else (poll.B_REQUESTS, poll.B_DAYS)
    started = time.perf_counter()
    print(f"foibot bench/mail.py — Python {platform.python_version()} on {platform.machine()}, "
          f"{dt.date.today().isoformat()}; [wdtk] min_interval_s = 0{'; QUICK' if args.quick else ''}")  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="foibot-bench-mail-"))
    try:
        mailbox = simulate_mailbox(n, days, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    poll.B_REQUESTS, poll.B_DAYS = n, days  # the baseline reads these
    naive = poll.simulate((True, SEED, MODEL))
    calls = mailbox["mail_calls"] + mailbox["poll_calls"]
    seen = set(mailbox["delays"]) & set(naive["delays"])
    print(f"{n} requests over {days} simulated days, {mailbox['changes']:,} changes on the replica, "
          f"{mailbox['alerts']:,} alert e-mails through IMAP (tracking each request once, not "
          f"counted: {mailbox['track_calls']:,} calls)")  # fmt: skip
    for name, run, total in (("mailbox + safety net", mailbox, calls),
                             ("baseline, all every 6 h", naive, naive["calls"])):  # fmt: skip
        d = sorted(run["delays"][e] * 60 for e in seen)
        p95 = statistics.quantiles(d, n=20)[-1]
        print(f"  {name:<24}: {total:7,} HTTP calls; delay median {statistics.median(d):6.1f} min, "
              f"p95 {p95:6.1f} min, max {max(d) / 60:5.1f} h; unseen at the end {run['unseen']}")  # fmt: skip
    print(f"  mailbox: {mailbox['mail_passes']:,} mail passes ({mailbox['handled']:,} alerts handled) made "
          f"{mailbox['mail_calls']:,} calls; {mailbox['polls']:,} scheduled passes made "
          f"{mailbox['poll_calls']:,}")  # fmt: skip
    ratio = calls / naive["calls"]
    median = statistics.median(mailbox["delays"][e] * 60 for e in seen)
    print(f"  ratio mailbox / baseline: HTTP calls {ratio:.3f}x")
    print(f"(bench ran {time.perf_counter() - started:.0f} s)")
    aim("mailbox + safety net: HTTP calls vs the naive every-6-h loop", "<= 1/10",
        f"{ratio:.3f}x", ratio <= 0.1)  # fmt: skip
    aim("mailbox + safety net: median detection delay", "< 15 min", f"{median:.1f} min",
        median < 15)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
