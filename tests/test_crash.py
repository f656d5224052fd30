"""Crash consistency (issue 8, item 2): SIGKILL `draft`, `launch`, `poll` and `followups`
at seeded random moments, then check the database and re-run the command to completion.

A campaign's database is its only record of what was sent when, and the README promises
that "a SIGKILL leaves a consistent database and the next pass resumes". Each trial
copies a prepared database, starts the real CLI in a subprocess, kills it with SIGKILL
after a random delay, and checks: `PRAGMA integrity_check` is ok, nothing is duplicated
(drafts per campaign and body, WDTK events per request, follow-ups per request, kind and
cycle, and foibot's own history events), the command's all-or-nothing transactions are
all or nothing; then the same command is run to completion and the finished work is
compared with what the inputs say it must be (worked out here, not by foibot).

The campaigns are big enough for the kill to land mid-work: a generated
all-authorities.csv of 800 bodies, 220 requests tracked on a WDTK replica that answers
with latency, and a few hundred follow-ups.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.support import WebhookReceiver, check_consistent, connect, ignore_resets
from tests.wdtk_replica import CSV_HEADER, WdtkReplica, event, make_body, make_request_doc

# 52 seeded SIGKILL trials over big campaigns: a minute or more. `-m "not slow"` skips them.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
SEED = 20260302
TRIALS = 13  # per command: 52 trials in all
N_BODIES = 800
POLLED = range(1, 21)  # bodies 1–20: the crash-poll campaign, tracked on the replica
CHASED = range(21, 221)  # bodies 21–220: the crash-chase campaign, late, to be chased
AS_OF_POLL = "2026-03-03T12:00"  # a day after the requests were found: all due a poll
AS_OF_FOLLOWUPS = "2026-06-15"  # long past due (31 Mar) and very overdue (after 30 Apr)
SENT_AT = "2026-03-02T14:30:00+00:00"  # receipt Mon 2 Mar 2026: the clock's day 0

# Filled in as trials run; printed per command (run with -s to see it).
OUTCOMES: dict[str, Counter] = {}


def defunct(i: int) -> bool:
    # Some bodies in the big campaign cannot be written to and must be skipped, never drafted.
    return i > 220 and i % 25 == 0


def body_tags(i: int) -> str:
    tags = ["crash"]
    if i in POLLED:
        tags.append("polled")
    if i in CHASED:
        tags.append("chased")
    if defunct(i):
        tags.append("defunct")
    return " ".join(tags)


def url_name(i: int) -> str:
    return f"crash_body_{i:04d}"


CONFIG = """\
[wdtk]
base_url = "{base_url}"
user = "test_requester_14"  # the replica's default requester: these requests are ours
contact = "tests@example.org"
min_interval_s = 0
backoff_s = 0.05

[storage]
path = "state/foibot.db"

[pace]
max_unsent = 10000  # the most allowed: every due slot is released at once, as the trials need
limits = [{{ count = 1, minutes = 1 }}]   # one release a minute: slots a minute apart

[requester]
name = "Alex Example"
{campaigns}"""

CAMPAIGN = """
[[campaigns]]
slug = "{slug}"
title = "{{{{ body.short_name }}}}: staff disciplined for social media misuse"
letter = "templates/letters/social_media_misuse.txt.j2"
body_tags = ["{tag}"]
launch_at = 2026-03-02T09:00:00
vars = {{ first_year = 2021, last_year = 2025 }}
{extra}"""


class Lab:
    """The config, the prepared databases, and helpers to run the CLI against copies."""

    def __init__(self, root: Path, replica: WdtkReplica):
        self.root, self.replica = root, replica
        (root / "templates" / "letters").mkdir(parents=True)
        letter = REPO / "templates" / "letters" / "social_media_misuse.txt.j2"
        (root / "templates" / "letters" / letter.name).write_text(letter.read_text())
        # One chaser per clock in crash-chase: a second chaser is due from 11 working days
        # late, so a same-day re-run would draft it (see test_followups_rerun_same_day…).
        chase = "[campaigns.followups]\nchaser_max = 1\n"
        campaigns = "".join(
            CAMPAIGN.format(slug=slug, tag=tag, extra=extra)
            for slug, tag, extra in (
                ("crash-big", "crash", ""), ("crash-poll", "polled", ""), ("crash-chase", "chased", chase),
            )
        )  # fmt: skip
        self.config = root / "config.toml"
        self.config.write_text(CONFIG.format(base_url=replica.base_url, campaigns=campaigns))
        self.csv = root / "all-authorities.csv"
        with self.csv.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(CSV_HEADER)
            for i in range(1, N_BODIES + 1):
                writer.writerow([
                    50_000 + i, f"Crash Test Authority {i:04d}", f"Body {i:04d}", url_name(i),
                    body_tags(i), "https://example.org", "", "", "",
                    "2020-01-01 00:00:00 +0000", "2020-01-01 00:00:00 +0000", 1,
                ])  # fmt: skip
        self.trial = 0

    def cli(self, db: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            self.argv(db, *args), cwd=REPO, capture_output=True, text=True, timeout=120
        )
        if check:
            assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stderr}"
        return result

    def argv(self, db: Path, *args: str) -> list[str]:
        return [sys.executable, "-m", "bot", "--config", str(self.config), "--db", str(db), *args]

    def copy(self, base: Path) -> Path:
        """A fresh copy of a prepared database in its own directory (launch sheets land
        beside the database, so trials must not share one)."""
        self.trial += 1
        target = self.root / f"trial-{self.trial}" / "foibot.db"
        target.parent.mkdir()
        src, dst = sqlite3.connect(base), sqlite3.connect(target)
        src.backup(dst)
        src.close()
        dst.close()
        return target

    def timed_full_run(self, base: Path, args: tuple[str, ...]) -> float:
        """How long the command takes uninterrupted here: the scale for the kill delays."""
        db = self.copy(base)
        started = time.monotonic()
        self.cli(db, *args)
        return time.monotonic() - started

    def kill_at(self, db: Path, args: tuple[str, ...], delay: float) -> bool:
        """Start the command and SIGKILL it after `delay` seconds. True if it had already
        finished (successfully) by then, False if it was killed."""
        proc = subprocess.Popen(
            self.argv(db, *args),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _, err = proc.communicate(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.kill()  # SIGKILL: no handler, no clean-up, no rollback by Python
            _, err = proc.communicate()
        if proc.returncode == -signal.SIGKILL:
            return False
        # It may also have exited on its own just as the timer ran out.
        assert proc.returncode == 0, err
        return True


def record(command: str, finished: bool, state: str) -> None:
    OUTCOMES.setdefault(command, Counter())[
        "finished before the kill" if finished else f"killed, work {state}"
    ] += 1


def report(command: str) -> None:
    outcome = OUTCOMES[command]
    print(f"\n{command}: {sum(outcome.values())} trials: {dict(sorted(outcome.items()))}")
    killed = sum(n for k, n in outcome.items() if k.startswith("killed"))
    # The delays are scaled to the measured run time, so many trials must really kill.
    assert killed >= TRIALS // 3, outcome


class Kills:
    """Seeded random kill moments, as fractions of how long the command takes
    uninterrupted here: every other one anywhere from just after start-up to the finish,
    the others in the last 40%, where commands that work everything out first (draft
    renders every letter) do their writing. The scale is re-measured whenever a trial
    finishes before its kill, since other work on the machine changes it."""

    def __init__(self, lab: Lab, seed: str, full_run_s: float):
        self.lab, self.rng, self.scale = lab, random.Random(f"{SEED}:{seed}"), full_run_s
        self.n = 0

    def trial(self, db: Path, args: tuple[str, ...]) -> bool:
        """Run the command on db and kill it; True if it finished first."""
        self.n += 1
        delay = self.scale * self.rng.uniform(0.05 if self.n % 2 else 0.6, 1.0)
        started = time.monotonic()
        finished = self.lab.kill_at(db, args, delay)
        if finished:
            self.scale = time.monotonic() - started
        return finished


@pytest.fixture(scope="module")
def replica():
    with WdtkReplica() as server:
        ignore_resets(server)
        yield server


@pytest.fixture(scope="module")
def lab(tmp_path_factory, replica):
    lab = Lab(tmp_path_factory.mktemp("crash"), replica)
    # Base 1: the bodies imported, nothing drafted.
    lab.bodies_db = lab.root / "bodies" / "foibot.db"
    lab.bodies_db.parent.mkdir()
    lab.cli(lab.bodies_db, "bodies", "import", "--file", str(lab.csv))
    # Base 2: crash-big drafted. Base 3: its slots planned, the first released.
    lab.drafted_db = lab.copy(lab.bodies_db)
    lab.cli(lab.drafted_db, "draft", "crash-big")
    lab.planned_db = lab.copy(lab.drafted_db)
    lab.cli(lab.planned_db, "launch", "crash-big", "--as-of", "2026-03-02T09:00")
    # Base 4: the two small campaigns drafted, released, sent on WDTK and found by poll.
    lab.tracked_db = lab.copy(lab.bodies_db)
    for slug in ("crash-poll", "crash-chase"):
        lab.cli(lab.tracked_db, "draft", slug)
        lab.cli(lab.tracked_db, "launch", slug, "--as-of", "2026-03-02T09:00")
    for slug in ("crash-poll", "crash-chase"):  # 220 slots a minute apart: all due by 12:39
        lab.cli(lab.tracked_db, "launch", slug, "--as-of", "2026-03-02T14:00")
    conn = connect(lab.tracked_db)
    rows = conn.execute(
        "SELECT ref, campaign, body, title, status FROM requests ORDER BY rowid"
    ).fetchall()
    conn.close()
    assert len(rows) == len(POLLED) + len(CHASED) and {r["status"] for r in rows} == {"ready"}
    lab.wdtk_ids = {}
    for n, r in enumerate(rows, 1):
        i = int(r["body"].rsplit("_", 1)[1])
        wdtk_id = 700_000 + n
        body = make_body(r["body"], f"Crash Test Authority {i:04d}", 50_000 + i, ["crash"])
        replica.add_request(
            make_request_doc(
                wdtk_id, r["title"], body=body, tags=[("foibot", r["ref"])], sent_at=SENT_AT,
                events=[event(wdtk_id * 10, "sent", SENT_AT)],
            )
        )  # fmt: skip
        lab.wdtk_ids[r["ref"]] = (r["campaign"], wdtk_id)
    lab.cli(lab.tracked_db, "poll", "--as-of", "2026-03-02T15:00")
    conn = connect(lab.tracked_db)
    linked = conn.execute("SELECT count(*) FROM requests WHERE wdtk_id IS NOT NULL").fetchone()[0]
    conn.close()
    assert linked == len(rows)
    return lab


def expected_big_bodies() -> set[str]:
    return {url_name(i) for i in range(1, N_BODIES + 1) if not defunct(i)}


# --- draft ------------------------------------------------------------------------------


def draft_state(db: Path) -> str:
    conn = connect(db)
    n = conn.execute("SELECT count(*) FROM requests WHERE campaign = 'crash-big'").fetchone()[0]
    conn.close()
    # `draft` renders everything first and writes in one transaction: all or nothing.
    assert n in (0, len(expected_big_bodies())), n
    return "none written" if n == 0 else "all written"


def check_drafted(db: Path) -> None:
    conn = connect(db)
    rows = conn.execute(
        "SELECT requests.ref, body, status, text AS letter FROM requests "
        "LEFT JOIN letters USING (ref) WHERE campaign = 'crash-big'"
    ).fetchall()
    prefix = conn.execute("SELECT ref_prefix FROM campaigns WHERE slug = 'crash-big'").fetchone()[0]
    drafted_events = Counter(
        r[0]
        for r in conn.execute(
            "SELECT ref FROM events WHERE kind = 'drafted' AND ref IN "
            "(SELECT ref FROM requests WHERE campaign = 'crash-big')"
        )
    )
    conn.close()
    wanted = expected_big_bodies()
    assert sorted(r["body"] for r in rows) == sorted(wanted)  # every body exactly once
    assert {r["status"] for r in rows} == {"draft"}
    # Numbered without gaps: a killed run used up no refs.
    assert {r["ref"] for r in rows} == {f"{prefix}-{n}" for n in range(1, len(wanted) + 1)}
    assert all(r["letter"].rstrip().endswith("Alex Example") for r in rows)
    assert drafted_events == Counter({r["ref"]: 1 for r in rows})


def test_sigkill_draft(lab):
    args = ("draft", "crash-big")
    full = lab.timed_full_run(lab.bodies_db, args)
    kills = Kills(lab, "draft", full)
    for _ in range(TRIALS):
        db = lab.copy(lab.bodies_db)
        finished = kills.trial(db, args)
        check_consistent(db)
        record("draft", finished, draft_state(db))
        lab.cli(db, *args)
        check_consistent(db)
        check_drafted(db)
    report("draft")


# --- launch -----------------------------------------------------------------------------

LAUNCH_AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 09:00 UK is 09:00 UTC in March


def launch_case(n: int, lab: Lab) -> tuple[Path, tuple[str, ...], tuple[int, int], int]:
    """Alternate trials: plan every slot and release the first (from the drafted base),
    or release six hours of planned slots at once (from the planned base). Returns the
    base, the command, (planned, released) in the base, and how many are released after."""
    total = len(expected_big_bodies())
    if n % 2 == 0:
        return lab.drafted_db, ("launch", "crash-big", "--as-of", "2026-03-02T09:00"), (0, 0), 1
    # One slot a minute from 09:00: 09:00, 09:01 … 15:00 are due at 15:00, 361 in all.
    args = ("launch", "crash-big", "--as-of", "2026-03-02T15:00")
    return lab.planned_db, args, (total, 1), 6 * 60 + 1


def launch_state(db: Path, before: tuple[int, int], after: tuple[int, int]) -> str:
    conn = connect(db)
    state = conn.execute(
        "SELECT count(slot_at), count(*) FILTER (WHERE status = 'ready') FROM requests "
        "WHERE campaign = 'crash-big'"
    ).fetchone()
    conn.close()
    # Planning and releasing are one transaction: (planned slots, released requests) is
    # either what the base had or what a complete run leaves, never in between.
    assert tuple(state) in (before, after), (tuple(state), before, after)
    return "none written" if tuple(state) == before else "all written"


def check_launched(db: Path, as_of: dt.datetime, ready_wanted: int) -> None:
    conn = connect(db)
    rows = conn.execute(
        "SELECT ref, status, slot_at, released_at FROM requests WHERE campaign = 'crash-big'"
    ).fetchall()
    events = conn.execute(
        "SELECT ref, kind, detail FROM events WHERE kind IN ('scheduled', 'released')"
    ).fetchall()
    conn.close()
    planned = {
        e["ref"]: json.loads(e["detail"])["slot"] for e in events if e["kind"] == "scheduled"
    }
    released = Counter(e["ref"] for e in events if e["kind"] == "released")
    assert len(rows) == len(expected_big_bodies())
    for r in rows:
        slot = dt.datetime.fromisoformat(r["slot_at"])
        assert planned[r["ref"]] == r["slot_at"]  # planned once, never re-planned
        assert slot >= LAUNCH_AT
        if slot <= as_of:  # every due slot released, exactly once
            assert (r["status"], released[r["ref"]]) == ("ready", 1), r["ref"]
        else:
            assert (r["status"], released[r["ref"]], r["released_at"]) == ("draft", 0, None)
    slots = sorted(dt.datetime.fromisoformat(r["slot_at"]) for r in rows)
    assert all(b - a >= dt.timedelta(minutes=1) for a, b in zip(slots, slots[1:], strict=False))
    assert sum(r["status"] == "ready" for r in rows) == ready_wanted
    sheet = (db.parent / "launch-crash-big.html").read_text()
    assert all(f">{r['ref']}<" in sheet for r in rows if r["status"] == "ready")


def test_sigkill_launch(lab):
    total = len(expected_big_bodies())
    # The two kinds of trial take different times: each has its own scale.
    kills = [
        Kills(lab, f"launch-{n}", lab.timed_full_run(*launch_case(n, lab)[:2])) for n in (0, 1)
    ]
    for n in range(TRIALS):
        base, args, before, ready_wanted = launch_case(n, lab)
        db = lab.copy(base)
        finished = kills[n % 2].trial(db, args)
        check_consistent(db)
        record("launch", finished, launch_state(db, before, (total, ready_wanted)))
        lab.cli(db, *args)
        check_consistent(db)
        as_of = dt.datetime.fromisoformat(args[-1]).replace(tzinfo=dt.UTC)
        check_launched(db, as_of, ready_wanted)
    report("launch")


# --- poll -------------------------------------------------------------------------------


def polled_refs(lab: Lab) -> dict[str, int]:
    return {ref: wid for ref, (campaign, wid) in lab.wdtk_ids.items() if campaign == "crash-poll"}


def poll_state(db: Path, lab: Lab) -> str:
    stamp = dt.datetime.fromisoformat(AS_OF_POLL).replace(tzinfo=dt.UTC).isoformat()
    conn = connect(db)
    done = conn.execute(
        "SELECT count(*) FROM requests WHERE campaign = 'crash-poll' AND last_polled_at = ?",
        [stamp],
    ).fetchone()[0]
    conn.close()
    total = len(polled_refs(lab))
    return {0: "none written", total: "all written"}.get(done, "partly written")


def check_polled(db: Path, lab: Lab, missing_text: Counter) -> None:
    stamp = dt.datetime.fromisoformat(AS_OF_POLL).replace(tzinfo=dt.UTC).isoformat()
    conn = connect(db)
    for ref, wdtk_id in polled_refs(lab).items():
        row = conn.execute("SELECT * FROM requests WHERE ref = ?", [ref]).fetchone()
        assert (row["last_polled_at"], row["poll_error"], row["wdtk_id"]) == (
            stamp,
            None,
            wdtk_id,
        ), ref
        # Every event WDTK shows is recorded exactly once (the replica is the truth).
        ours = [
            r[0]
            for r in conn.execute(
                "SELECT wdtk_event_id FROM events WHERE ref = ? AND wdtk_event_id IS NOT NULL",
                [ref],
            )
        ]
        theirs = [e["id"] for e in lab.replica.request(wdtk_id)["info_request_events"]]
        assert sorted(ours) == sorted(theirs), ref
        texts = {r[0] for r in conn.execute("SELECT text FROM correspondence WHERE ref = ?", [ref])}
        latest = lab.replica.request(wdtk_id)["info_request_events"][-1]["_text"]
        if latest not in texts:
            missing_text[ref] += 1
    # The other campaign was not asked for and is untouched.
    assert (
        conn.execute(
            "SELECT count(*) FROM requests WHERE campaign = 'crash-chase' AND last_polled_at = ?",
            [stamp],
        ).fetchone()[0]
        == 0
    )
    conn.close()


def add_replies(lab: Lab, trial: int) -> None:
    """A new reply on every crash-poll request, so each poll has real work to record."""
    for ref, wdtk_id in polled_refs(lab).items():
        lab.replica.add_event(
            wdtk_id,
            event(None, "response", "2026-03-03T09:00:00+00:00", text=f"Reply {trial} to {ref}."),
        )


def test_sigkill_poll(lab):
    args = ("poll", "--campaign", "crash-poll", "--as-of", AS_OF_POLL)
    lab.replica.latency = 0.005  # a slow WDTK: the kill lands between and inside HTTP calls
    try:
        add_replies(lab, 0)
        kills = Kills(lab, "poll", lab.timed_full_run(lab.tracked_db, args))
        missing_text: Counter = Counter()
        for n in range(1, TRIALS + 1):
            add_replies(lab, n)
            db = lab.copy(lab.tracked_db)
            finished = kills.trial(db, args)
            check_consistent(db)
            record("poll", finished, poll_state(db, lab))
            lab.cli(db, *args)
            check_consistent(db)
            check_polled(db, lab, missing_text)
    finally:
        lab.replica.latency = 0.0
    # Reply text is read from the request page after the JSON update commits; a kill in
    # between loses the text until the next reply (a documented best effort). Reported,
    # not asserted: see the issue-8 report.
    print(f"\npoll: replies whose text was not read after a kill: {sum(missing_text.values())}")
    report("poll")


# --- followups --------------------------------------------------------------------------


def chased_refs(lab: Lab) -> list[str]:
    return [ref for ref, (campaign, _) in lab.wdtk_ids.items() if campaign == "crash-chase"]


def followups_state(db: Path, lab: Lab) -> str:
    conn = connect(db)
    kinds = Counter(r[0] for r in conn.execute("SELECT kind FROM followups"))
    conn.close()
    n = len(chased_refs(lab))
    # One transaction per kind: each kind is all there or not at all.
    assert set(kinds.values()) <= {n}, kinds
    return {0: "none written", 1: "all written"}.get(len(kinds), "partly written")


def check_followups(db: Path, lab: Lab) -> None:
    conn = connect(db)
    got = sorted(
        tuple(r) for r in conn.execute("SELECT ref, request, kind, cycle, status FROM followups")
    )
    conn.close()
    # Sent Mon 2 Mar 2026, due Tue 31 Mar, very overdue after Thu 30 Apr: on 15 June each
    # late request is due its first chaser. No complaint yet: the ICO first wants a
    # chaser sent on WDTK (issue 15). No reply, so no internal review; nudges are off.
    wanted = sorted(
        (f"{ref}-c1", ref, "chaser", "2026-03-02:1", "draft") for ref in chased_refs(lab)
    )
    assert got == wanted


def test_sigkill_followups(lab):
    args = ("followups", "crash-chase", "--as-of", AS_OF_FOLLOWUPS)
    kills = Kills(lab, "followups", lab.timed_full_run(lab.tracked_db, args))
    for _ in range(TRIALS):
        db = lab.copy(lab.tracked_db)
        finished = kills.trial(db, args)
        check_consistent(db)
        record("followups", finished, followups_state(db, lab))
        lab.cli(db, *args)
        check_consistent(db)
        check_followups(db, lab)
    report("followups")


def test_followups_rerun_same_day_drafts_nothing_new(lab):
    """A re-run (after a kill or not) must not add work. crash-poll keeps the default
    policy (up to 2 chasers, 10 working days apart); its requests are ~50 working days
    late on 15 June, and the first run drafts chaser 1 for each."""
    db = lab.copy(lab.tracked_db)
    args = ("followups", "crash-poll", "--kind", "chaser", "--as-of", AS_OF_FOLLOWUPS, "--json")
    first = json.loads(lab.cli(db, *args).stdout)
    assert len(first["created"]) == len(POLLED)
    again = json.loads(lab.cli(db, *args).stdout)
    assert again["created"] == []


# --- news (issue 14) --------------------------------------------------------------------

AS_OF_NEWS = "2026-04-02T12:00"  # every request just overdue (due 31 Mar), and new replies


def news_told(db: Path) -> set[tuple]:
    conn = connect(db)
    rows = {tuple(r) for r in conn.execute("SELECT key, kind, ref, text FROM news")}
    conn.close()
    return rows


def undelivered(db: Path) -> int:
    conn = connect(db)
    (n,) = conn.execute(
        "SELECT count(*) FROM news n LEFT JOIN news_deliveries d"
        " ON d.news_id = n.id AND d.channel = 'webhook' WHERE d.delivered_at IS NULL"
    ).fetchone()
    conn.close()
    return n


def delivered_keys(hook: WebhookReceiver) -> set[str]:
    return {item["id"] for digest in hook.received for item in digest["items"]}


def test_sigkill_run_once_loses_no_news(lab):
    """Each change queues its news in the transaction that records it, and a delivery is
    marked only after the receiver took it: a `run --once` killed anywhere, then run again,
    has queued exactly what an uninterrupted pass queues (the reference, run on a copy of
    the same database against the same WDTK), and the webhook has received every item
    (some maybe twice: each carries its id, so a receiver drops the copy)."""
    args = ("run", "--once", "--as-of", AS_OF_NEWS)
    lab.replica.latency = 0.005
    config = lab.config.read_text()
    with WebhookReceiver() as hook:
        lab.config.write_text(config + f'\n[notify.webhook]\nurl = "{hook.url}/hook"\n')
        try:
            add_replies(lab, 100)  # fixed for this test: every run sees the same WDTK
            reference = lab.copy(lab.tracked_db)
            started = time.monotonic()
            lab.cli(reference, *args)
            kills = Kills(lab, "news", time.monotonic() - started)
            wanted = news_told(reference)
            sent = delivered_keys(hook)
            kinds = Counter(kind for _, kind, _, _ in wanted)
            assert kinds["response"] == len(polled_refs(lab)) and kinds["overdue"] > 0, kinds
            assert sent and undelivered(reference) == 0
            for _ in range(TRIALS):
                db = lab.copy(lab.tracked_db)
                hook.received.clear()
                finished = kills.trial(db, args)
                check_consistent(db)
                told = news_told(db)
                record("news", finished, "none written" if not told else "partly written")
                assert told <= wanted  # nothing told that the reference would not tell
                lab.cli(db, *args)
                check_consistent(db)
                assert news_told(db) == wanted
                assert undelivered(db) == 0
                assert delivered_keys(hook) == sent
        finally:
            lab.replica.latency = 0.0
            lab.config.write_text(config)
    report("news")
