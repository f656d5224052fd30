"""Benchmark: start-up time of the CLI, and the idle daemon's memory and CPU.

Run: python bench/startup.py [--quick]   (from a checkout, with foibot's dependencies)
(--quick: 3 timed runs instead of 7, the daemons idle 10 s instead of 60; the same ratios)

In a temporary project (config.toml and templates/letters copied from the repo, the
database written straight into SQLite after foibot's own migrations, in one transaction),
10,000 requests over ten campaigns and 1,000 bodies, each with its letter (the repo's
example template, 840 characters: letters make most of a campaign's database), in a
realistic mix: two thirds waiting
for a reply (some overdue, some very overdue, dates from the deadline engine), the rest
awaiting classification, answered, under internal review, or drafts; with the events a
poll stores (each request sent, each reply: 12,500) and the follow-ups a campaign has by
then (a chaser for each late request, a complaint for each very late one, internal
reviews of refusals: 8,300), which `status` shows as each request's stage.

Wall times are medians of 7 runs of a subprocess `foibot …` (the console script beside
sys.executable, as installed; `sys.executable -m bot …` where there is none) with stdout
and stderr to a pipe (so `status` renders its table at 160 columns, as under cron),
against `sys.executable -c pass` timed the same way in the same run, each after one untimed
warm-up run. Bytecode is cached as after a normal install (PYTHONPYCACHEPREFIX in the temp
dir, so nothing is written into the checkout); `status --json` is also timed with
PYTHONDONTWRITEBYTECODE=1, which leaves an editable install compiling bot/ on every run.
`status --json` separates the cost of rendering the table from the rest; `status --as-of
TODAY` prints the same table by way of click (bot/cli/plain_status.py takes the plain
forms without it), to show what click and the group cost. Commands slower
than 2 s get 3 timed runs instead of 7. The status aim's ratio is the median of pairs'
ratios (`python -c pass`, then `foibot status`, back to back), so a change in the load of
the shared cores falls on both; a bare sqlite3 script that prints the stored columns
behind the same table, with no foibot, click or config, is timed in pairs with it too, to
show what part of the time any `status` would spend.

Then three `foibot daemon` subprocesses run side by side, each against its own WDTK replica
(tests/wdtk_replica.py) on 127.0.0.1 as [wdtk] base_url: one on a fresh database, two on
copies of the 10,000-request one, where nothing is due either (every next poll a year away,
no release slot due, dates and reported statuses current). [schedule] poll is every 5
seconds so that the idle window holds a dozen passes that find nothing to do (the default
is every 30 minutes; release stays every minute). Once each logs that it has started,
/proc/<pid>/status VmRSS and /proc/<pid>/stat utime+stime are read, again (with VmHWM, the
peak) after 60 idle seconds (10 with --quick); then SIGTERM. Of the two on 10,000 requests,
one has the bytecode cache warm (as after a normal install), the other an empty one (it
compiles foibot and its libraries as it starts, as after an upgrade).

Aims (issue 18): `foibot status` on 10,000 requests within 5x `python -c pass` and
`foibot --help` within 2x, both with a warm bytecode cache; the daemon idle on 10,000
requests under 40 MB resident at the end of the idle window, and under 55 MB when it
started with a cold bytecode cache.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO

from bot import deadlines as dl
from bot.config import load_config
from bot.dates import london_today
from bot.store.db import Store
from bot.tracking.ingest import holiday_key as holiday_key_of
from bot.tracking.status import live_status
from tests.wdtk_replica import WdtkReplica

REQUESTS = 10_000
CAMPAIGNS = 10
RUNS = 7
QUICK_RUNS = 3
SLOW_RUNS, SLOW_S = 3, 2.0
STATUS_AIM_X = 5.0  # x `python -c pass`
HELP_AIM_X = 2.0
RSS_AIM_MB = 40.0  # steady, warm bytecode cache
RSS_COLD_AIM_MB = 55.0  # steady, after starting with a cold bytecode cache
DAEMON_POLL = "every 5 seconds"  # so the idle window holds several passes (default: 30 min)


def write_project(root: Path, base_url: str | None = None, extra: str = "") -> Path:
    (root / "templates").mkdir(parents=True)
    shutil.copytree(REPO / "templates" / "letters", root / "templates" / "letters")
    text = (REPO / "config.toml").read_text(encoding="utf-8") + extra
    if base_url:
        text = text.replace(
            'base_url = "https://www.whatdotheyknow.com"', f'base_url = "{base_url}"'
        )
        assert base_url in text
    config = root / "config.toml"
    config.write_text(text, encoding="utf-8")
    return config


def fill_database(db_path: Path, config_path: Path, today: dt.date) -> None:
    """10,000 requests written directly: foibot's schema, realistic values, one transaction.
    Dates carry the current holiday-data key and each request's status as last reported,
    as after a poll, so a daemon pass finds nothing to recompute or announce."""
    Store(db_path).close()  # create it and apply the migrations
    holiday_key = holiday_key_of(load_config(config_path))
    rng = random.Random(5)
    calendars = {law: dl.calendar_for(law) for law in ("foi", "foisa")}
    now = dt.datetime.now(dt.UTC)
    stamp = now.isoformat(timespec="seconds")
    next_poll = (now + dt.timedelta(days=365)).isoformat()
    bodies = [
        (f"body_{i}", f"Public Body Number {i}", f"Body {i}", "police scotland" if i % 10 == 9 else "local_council",
         "foisa" if i % 10 == 9 else "foi", 0, 1, None, 50_000 + i, None, "csv", stamp)
        for i in range(1_000)
    ]  # fmt: skip
    campaigns = [
        (f"bench-{c}", f"b{c}", "{{ body.short_name }}: staff disciplined", "letter.txt.j2", None, stamp)
        for c in range(CAMPAIGNS)
    ]  # fmt: skip
    rows: list[dict] = []
    events: list[tuple] = []
    followups: list[tuple] = []

    def event(ref: str, day: dt.date, kind: str) -> str:
        at = dt.datetime.combine(day, dt.time(rng.randrange(8, 18), rng.randrange(60)), dt.UTC)
        events.append((ref, at.isoformat(), kind, 5_000_000 + len(events), "{}"))
        return at.isoformat()

    def followup(ref: str, kind: str, status: str, day: dt.date) -> None:
        at = dt.datetime.combine(day, dt.time(9), dt.UTC).isoformat()
        followups.append((f"{ref}-{kind}-1", ref, kind, "1", "Dear Body, ...", status, at,
                          at if status == "sent" else None, day.isoformat()))  # fmt: skip

    for n in range(REQUESTS):
        c, b = divmod(n, 1_000)
        body = bodies[b]
        law = body[4]
        ref = f"b{c}-{b + 1}"
        title = f"{body[2]}: staff disciplined for social media misuse ({c})"
        row = dict.fromkeys(COLUMNS)
        row.update(
            ref=ref, campaign=f"bench-{c}", body=body[0], title=title, law=law,
            drafted=1, is_school=0, created_at=stamp, updated_at=stamp,
        )  # fmt: skip
        kind = rng.random()
        if kind < 0.05:  # drafts waiting for their release slot
            row.update(status="draft", slot_at=(now + dt.timedelta(days=30 + n)).isoformat())
            rows.append(row)
            continue
        sent = calendars[law].add_working_days(today, -rng.randint(1, 70))
        dates = dl.compute_deadlines(sent, law, calendar=calendars[law])
        row.update(
            wdtk_id=1_000_000 + n, url_title=f"body_{b}_staff_disciplined_{c}", status="waiting_response",
            sent_on=sent.isoformat(), due=dates.due.isoformat(), very_overdue_after=dates.very_overdue_after.isoformat(),
            released_at=stamp, etag='W/"0123456789abcdef"', last_polled_at=stamp, next_poll_at=next_poll,
            poll_failures=0, wdtk_tags=f"foibot:{ref}", wdtk_user="alex_example",
        )  # fmt: skip
        # Each poll that reaches WDTK confirms the request, at its own moment (requests
        # are fetched one at a time, seconds apart), a few by the mailbox's alerts instead.
        confirmed = now - dt.timedelta(seconds=rng.randrange(6 * 3600), microseconds=rng.randrange(10**6))
        row.update(
            holiday_data=holiday_key, last_confirmed_at=confirmed.isoformat(),
            last_confirmed_via="mail" if rng.random() < 0.1 else "poll",
        )  # fmt: skip
        # WDTK's events as a poll stores them: the request sent, and any reply; then the
        # follow-ups a campaign would have drafted or sent by now.
        event(ref, sent, "sent")
        replied = min(today, sent + dt.timedelta(days=rng.randint(3, 40)))
        if kind < 0.15:  # a reply nobody has classified yet
            row.update(awaiting_description=1)
            event(ref, replied, "response")
        elif kind < 0.35:
            row.update(answered_at=event(ref, replied, "response"))
            if kind < 0.30:
                row.update(
                    status=rng.choice(["successful", "partially_successful", "rejected", "not_held"])
                )
                if row["status"] in ("partially_successful", "rejected") and rng.random() < 0.5:
                    followup(ref, "internal-review", "draft", replied)
            else:
                started = calendars[law].add_working_days(today, -rng.randint(1, 30))
                row.update(status="internal_review", review_started_on=started.isoformat())
                followup(ref, "internal-review", "sent", started)
        elif today > dates.due:  # still waiting, and late: chased, then a complaint
            followup(ref, "chaser", "sent" if today > dates.very_overdue_after else "draft",
                     dates.due + dt.timedelta(days=1))  # fmt: skip
            if today > dates.very_overdue_after:
                followup(ref, "complaint", "draft", dates.very_overdue_after)
        row.update(reported_status=live_status(row, today, calendars[law]))
        rows.append(row)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.executemany(f"INSERT INTO bodies VALUES ({', '.join('?' * 12)})", bodies)
        conn.executemany(
            "INSERT INTO campaigns (slug, ref_prefix, title_template, letter_template, launch_at,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            campaigns,
        )
        conn.executemany(
            f"INSERT INTO requests ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + k for k in COLUMNS)})",
            rows,
        )
        # Each request's letter: the repo's example template, as long as a real one.
        letter = (REPO / "templates" / "letters" / "social_media_misuse.txt.j2").read_text()
        conn.executemany(
            "INSERT INTO letters (ref, text) VALUES (?, ?)", ((r["ref"], letter) for r in rows)
        )
        conn.executemany(
            "INSERT INTO events (ref, at, kind, wdtk_event_id, detail) VALUES (?, ?, ?, ?, ?)",
            events,
        )
        conn.executemany(
            "INSERT INTO followups (ref, request, kind, cycle, text, status, created_at, sent_at,"
            " drafted_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            followups,
        )
    conn.close()


COLUMNS = (
    "ref", "campaign", "body", "title", "drafted", "law", "is_school", "status", "slot_at",
    "released_at", "wdtk_id", "url_title", "sent_on", "due", "very_overdue_after", "created_at",
    "updated_at", "awaiting_description", "wdtk_tags", "wdtk_user", "review_started_on", "etag",
    "last_polled_at", "next_poll_at", "poll_failures", "holiday_data", "reported_status",
    "answered_at", "last_confirmed_at", "last_confirmed_via",
)  # fmt: skip


# What any `status` must do at least, for scale: a bare script (no foibot, no click, no
# config) reading the stored columns behind the table's ten and printing them aligned.
BARE_STATUS = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
rows = [tuple("" if v is None else str(v) for v in r) for r in conn.execute(
    "SELECT ref, body, status, sent_on, due, very_overdue_after, review_started_on, "
    "awaiting_description, answered_at, stage, last_confirmed_at, title FROM requests "
    "ORDER BY campaign, rowid")]
widths = [min(60, max(map(len, c))) for c in zip(*rows)]
template = "  ".join(f"%-{w}.{w}s" for w in widths)
sys.stdout.write("\\n".join((template % r).rstrip() for r in rows) + "\\n")
"""


def paired_runs(
    first: list[str], second: list[str], cwd: Path, env: dict[str, str], runs: int
) -> tuple[float, float, float]:
    """Medians of `first` and `second` run back to back `runs` times (after a warm-up of
    each), and the median of the pairs' ratios second/first: a change in the machine's
    load (2 shared cores) falls on both sides of a pair."""
    time_command(first, cwd, env)
    time_command(second, cwd, env)
    pairs = [(time_command(first, cwd, env)[0], time_command(second, cwd, env)[0])
             for _ in range(runs)]  # fmt: skip
    return (
        statistics.median(a for a, _ in pairs),
        statistics.median(b for _, b in pairs),
        statistics.median(b / a for a, b in pairs),
    )


def cached_env(pycache: Path) -> dict[str, str]:
    """Bytecode cached as after a normal install, but under our temp dir, not in bot/."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def time_command(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return elapsed, done


def median_run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, runs: int = RUNS
) -> tuple[float, subprocess.CompletedProcess]:
    """Median of `runs` runs after an untimed warm-up (page cache, bytecode cache); of
    SLOW_RUNS when the warm-up took over SLOW_S, to keep the benchmark's own time down."""
    warm, _ = time_command(args, cwd, env)
    results = [time_command(args, cwd, env) for _ in range(SLOW_RUNS if warm > SLOW_S else runs)]
    return statistics.median(t for t, _ in results), results[-1][1]


def proc_sample(pid: int) -> tuple[float, float, float]:
    """(VmRSS MB, VmHWM MB, utime+stime seconds) of a running process."""
    kb = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                kb[name] = int(value.split()[0])
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat
    return kb["VmRSS"] / 1024, kb["VmHWM"] / 1024, ticks / os.sysconf("SC_CLK_TCK")


def daemon_idle(
    tmp: Path, sources: dict[str, tuple[Path | None, dict[str, str]]], idle_s: float
) -> dict:
    """Run one daemon per (database, environment) (None: a fresh database) side by side,
    each against its own replica, and sample each at its start and after idle_s."""
    runs: dict[str, dict] = {}
    with contextlib.ExitStack() as stack:
        for name, (source, env) in sources.items():
            replica = stack.enter_context(WdtkReplica())
            root = tmp / f"daemon-{name}"
            config = write_project(
                root, replica.base_url, f'\n[schedule]\npoll = "{DAEMON_POLL}"\n'
            )
            if source is not None:
                (root / "state").mkdir()
                shutil.copy(source, root / "state" / "foibot.db")
            log_path = root / "daemon.log"
            log = stack.enter_context(log_path.open("wb"))
            start = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "--config", str(config), "daemon", "--log-level", "DEBUG"],
                cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            stack.callback(stop, proc)
            runs[name] = {"proc": proc, "log": log_path, "replica": replica, "start": start}
        for run in runs.values():
            while b"daemon started" not in run["log"].read_bytes():
                if run["proc"].poll() is not None or time.perf_counter() - run["start"] > 30:
                    raise SystemExit(f"daemon did not start:\n{run['log'].read_text()}")
                time.sleep(0.01)
            run["ready_s"] = time.perf_counter() - run["start"]
            run["rss0"], _, run["cpu0"] = proc_sample(run["proc"].pid)
            run["t0"] = time.perf_counter()
        time.sleep(idle_s)
        for run in runs.values():
            run["rss1"], run["hwm"], cpu1 = proc_sample(run["proc"].pid)
            run["wall"] = time.perf_counter() - run["t0"]
            run["cpu_s"] = cpu1 - run["cpu0"]
            run["passes"] = run["log"].read_text(errors="replace").count("poll: Nothing to do")
            run["hits"] = len(run["replica"].hits)
    for run in runs.values():
        run["exit"] = run["proc"].returncode
    return runs


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="3 timed runs, idle the daemons 10 s, not 60 s"
    )
    args = parser.parse_args()
    idle_s = 10.0 if args.quick else 60.0
    runs = QUICK_RUNS if args.quick else RUNS
    tmp = Path(tempfile.mkdtemp(prefix="foibot-bench-startup-"))
    try:
        root = tmp / "project"
        config = write_project(root)
        db = root / "state" / "foibot.db"
        fill_database(db, config, dt.date.today())
        # The installed console script, as a user or cron runs it (`python -m bot` also
        # imports runpy: ~15 ms more); from a checkout without one, `python -m bot`.
        script = Path(sys.executable).with_name("foibot")
        entry = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
        foibot = [*entry, "--config", str(config)]
        env = cached_env(tmp / "pycache")
        t_pass, _ = median_run([sys.executable, "-c", "pass"], root, env, runs)
        t_help, _ = median_run([*foibot, "--help"], root, env, runs)
        _, out = time_command([*foibot, "status"], root, env)  # the table it prints
        # The aim's ratio from pairs (python -c pass, then foibot status), as report.py does.
        t_pass_paired, t_status, status_x = paired_runs(
            [sys.executable, "-c", "pass"], [*foibot, "status"], root, env, runs
        )
        t_bare, _, bare_x = paired_runs(
            [sys.executable, "-c", BARE_STATUS, str(db)], [*foibot, "status"], root, env, runs
        )
        # The same table by way of click (an --as-of is a form bot/cli/plain_status.py
        # leaves to it): what `foibot status` took before it had a plain way in.
        as_of = ["--as-of", london_today().isoformat()]
        t_click, click_out = median_run([*foibot, "status", *as_of], root, env, runs)
        assert click_out.stdout == out.stdout, "the plain way and click's print other tables"
        t_json, _ = median_run([*foibot, "status", "--json"], root, env, runs)
        nocache_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        t_nocache, _ = median_run([*foibot, "status", "--json"], root, nocache_env, runs)
        summary = out.stdout.decode().strip().splitlines()[-1]
        # One short daemon run fills the warm cache with what a daemon and its passes import.
        daemon_idle(tmp / "warm-up", {"warm-up": (db, env)}, 1.0)
        cold_env = cached_env(tmp / "pycache-cold")  # empty: the daemon compiles as it starts
        daemons = daemon_idle(
            tmp, {"empty": (None, env), "10k": (db, env), "10k-cold": (db, cold_env)}, idle_s
        )

        print(f"foibot bench/startup.py — Python {platform.python_version()} on {platform.machine()}, "
              f"{dt.date.today().isoformat()}; {os.cpu_count()} CPUs; load average "
              f"{os.getloadavg()[0]:.1f}{'; --quick' if args.quick else ''}")  # fmt: skip
        print(f"median of {runs} runs each ({SLOW_RUNS} when one takes over {SLOW_S:.0f} s), "
              f"subprocess `{' '.join(Path(a).name for a in entry)}`, output to a pipe:")  # fmt: skip
        print(f"  python -c pass:                    {t_pass * 1000:6.0f} ms")
        print(f"  foibot --help:                     {t_help * 1000:6.0f} ms  "
              f"({t_help / t_pass:.1f}x python -c pass, +{(t_help - t_pass) * 1000:.0f} ms)")  # fmt: skip
        print(f"  foibot status, {REQUESTS:,} requests:   {t_status * 1000:6.0f} ms  "
              f"({status_x:.2f}x python -c pass in pairs, where it took "
              f"{t_pass_paired * 1000:.0f} ms; +{(t_status - t_pass_paired) * 1000:.0f} ms)")  # fmt: skip
        print(f"  the same by way of click (--as-of): {t_click * 1000:6.0f} ms  "
              f"({t_click / t_pass:.1f}x python -c pass)")  # fmt: skip
        print(f"  bare sqlite3 script, same table:   {t_bare * 1000:6.0f} ms  "
              f"({t_bare / t_pass:.1f}x python -c pass; foibot status is {bare_x:.2f}x it, "
              "in pairs)")  # fmt: skip
        print(
            f"  foibot status --json:              {t_json * 1000:6.0f} ms  ({t_json / t_pass:.1f}x)"
        )
        print(f"  foibot status --json, no bytecode: {t_nocache * 1000:6.0f} ms  "
              "(PYTHONDONTWRITEBYTECODE=1, bot/ compiled every run, as in this dev checkout)")  # fmt: skip
        print(f"  (status said: {summary})")
        print(f"foibot daemon, nothing due, [schedule] poll = \"{DAEMON_POLL}\", idle for "
              f"{idle_s:.0f} s from its 'started' log line; three daemons side by side:")  # fmt: skip
        labels = {
            "empty": "fresh database",
            "10k": f"{REQUESTS:,} requests",
            "10k-cold": f"{REQUESTS:,} requests, cold bytecode cache",
        }
        for name, label in labels.items():
            d = daemons[name]
            per_pass = f", {d['cpu_s'] / d['passes'] * 1000:.0f} ms/pass" if d["passes"] else ""
            print(f"  {label}: VmRSS {d['rss0']:.1f} MB at start, {d['rss1']:.1f} MB at end, "
                  f"peak {d['hwm']:.1f} MB; CPU {d['cpu_s']:.2f} s = "
                  f"{d['cpu_s'] / d['wall'] * 100:.1f}% of a core over {d['passes']} pass(es)"
                  f"{per_pass}; started in {d['ready_s'] * 1000:.0f} ms; {d['hits']} calls to "
                  f"WDTK; exit {d['exit']} on SIGTERM")  # fmt: skip
        aims = [
            ("foibot --help vs python -c pass", f"<= {HELP_AIM_X:g}x", t_help / t_pass,
             HELP_AIM_X, "x"),
            (f"foibot status, {REQUESTS:,} requests, vs python -c pass",
             f"<= {STATUS_AIM_X:g}x", status_x, STATUS_AIM_X, "x"),
            (f"daemon idle RSS, {REQUESTS:,} requests, warm bytecode cache",
             f"< {RSS_AIM_MB:g} MB", daemons["10k"]["rss1"], RSS_AIM_MB, " MB"),
            (f"daemon idle RSS, {REQUESTS:,} requests, cold bytecode cache",
             f"< {RSS_COLD_AIM_MB:g} MB", daemons["10k-cold"]["rss1"], RSS_COLD_AIM_MB, " MB"),
        ]  # fmt: skip
        for what, target, value, limit, unit in aims:
            met = value <= limit if unit == "x" else value < limit
            print(f"aim {what} ({target}): {value:.{2 if unit == 'x' else 1}f}{unit} — "
                  f"{'met' if met else 'NOT met'}")  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
