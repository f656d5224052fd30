"""Helpers shared by the benchmark scripts: timing, memory, a repo-root import path, the
test project and database the command-line benchmarks run foibot against, and the
side-by-side timing of a foibot command and what a user would otherwise run."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def median_time(
    fn: Callable[[], object], repeat: int = 3, setup: Callable[[], object] | None = None
) -> float:
    """Median wall time of `fn` over `repeat` runs, `setup` (untimed) before each."""
    times = []
    for _ in range(repeat):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory_mb(fn: Callable[[], object], setup: Callable[[], object] | None = None) -> float:
    """Peak Python heap (tracemalloc) during one untimed run of `fn`."""
    if setup:
        setup()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


# --- the installed commands -----------------------------------------------------------------


def installed(name: str) -> str:
    """The console script `name` beside this interpreter, as pip installed it: what a user
    or cron runs. Benchmarks must be run with the venv's python (`.venv/bin/python`)."""
    script = Path(sys.executable).with_name(name)
    if not script.exists():
        raise SystemExit(
            f"no `{name}` beside {sys.executable}: run the benchmark with the python of the "
            "venv foibot is installed in (e.g. .venv/bin/python bench/...)"
        )
    return str(script)


def command_env(pycache: Path) -> dict[str, str]:
    """The environment both sides of a comparison run in: bytecode cached as after a normal
    install, but under `pycache` (a temp dir), so nothing is written into the checkout."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float  # the child's maximum resident set (wait4's ru_maxrss)


def run(args: list[str], cwd: Path, env: dict[str, str], out: Path) -> Run:
    """One child process, its output written to `out` (a file, as under cron: not a
    terminal, and nothing in this process reading it while the clock runs). The parent
    must stay small: on Linux a child's ru_maxrss starts from its parent's at the fork."""
    with out.open("wb") as stdout:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    assert proc.stderr is not None
    error = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"`{' '.join(args)}` failed (exit {code}):\n{error}")
    return Run(elapsed, usage.ru_maxrss / 1024)


@dataclass(frozen=True)
class Pairs:
    """A foibot command and its comparison, timed in interleaved pairs."""

    ours: list[Run]
    theirs: list[Run]

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.ours)

    @property
    def their_seconds(self) -> float:
        return statistics.median(r.seconds for r in self.theirs)

    @property
    def ratio(self) -> float:
        """The median of the pairs' ratios: a change in the load of the shared machine
        during one pair falls on both of its sides."""
        return statistics.median(
            o.seconds / t.seconds for o, t in zip(self.ours, self.theirs, strict=True)
        )

    @property
    def peak_rss_mb(self) -> float:
        return max(r.peak_rss_mb for r in self.ours)

    @property
    def their_peak_rss_mb(self) -> float:
        return max(r.peak_rss_mb for r in self.theirs)


def pairs(
    ours: list[str],
    theirs: list[str],
    count: int,
    cwd: Path,
    env: dict[str, str],
    out: Path,
    check: Callable[[Path], object] | None = None,
) -> Pairs:
    """`ours` and `theirs` run back to back `count` times, after one untimed run of each
    (page cache, bytecode cache), `check` given the output file of the untimed run of
    `ours`; which goes first alternates, so neither always runs on the other's warm caches."""
    run(theirs, cwd, env, out)
    run(ours, cwd, env, out)
    if check:
        check(out)
    mine: list[Run] = []
    other: list[Run] = []
    for i in range(count):
        if i % 2:
            mine.append(run(ours, cwd, env, out))
            other.append(run(theirs, cwd, env, out))
        else:
            other.append(run(theirs, cwd, env, out))
            mine.append(run(ours, cwd, env, out))
    return Pairs(mine, other)


def aim(what: str, target: str, figure: str, met: bool) -> None:
    """One budget line, in the form RESULTS.md and the issue's checks read."""
    print(f"aim {what} ({target}): {figure} — {'met' if met else 'NOT met'}", flush=True)


def machine_line(script: str, quick: bool) -> str:
    import platform

    return (
        f"foibot bench/{script} — Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {dt.date.today().isoformat()}, load average "
        f"{os.getloadavg()[0]:.1f}{'; --quick' if quick else ''}"
    )


# --- the test project and its database --------------------------------------------------------

BODIES = 1_000  # each campaign asks every body once
CAMPAIGN_SIZE = BODIES

# A real-sized letter (~1.8 KB): the repo's example request as a body receives it, with the
# definitions and the note on costs a campaigner adds.
LETTER = """\
Dear Public Body Number 17,

Under the Freedom of Information Act 2000, please provide the following information
for each calendar year from 2019 to 2025:

1. The number of staff dismissed for misuse of social media.
2. The number who received a final written warning for misuse of social media.
3. The number who faced any other disciplinary action for misuse of social media.
4. For each of the above, the number of cases that concerned posts about colleagues,
   members of the public or the organisation itself, where this is recorded.

By "misuse of social media" I mean conduct on social media that breached your code of
conduct, social media policy or standards of professional behaviour, whether the account
was a personal or an official one. By "staff" I mean employees, agency workers and
volunteers, but not contractors' staff.

If it would exceed the cost limit to answer every part, please answer part 1 first and
tell me how I could narrow the request, as section 16 of the Act asks you to. If some of
the figures are already published, a link to them is enough for those parts.

If any figure is small enough that you believe it could identify someone, please say so
and give the figures for the other parts, or give a range such as "fewer than five",
rather than refusing the whole request. I am not asking for names, posts or any other
personal data about the people involved, only the numbers of cases, and I would be
grateful for the figures for each year separately rather than as one total.

I would like the figures in an electronic format, such as a spreadsheet, and the answer
by e-mail through this site; if you hold them in a case management system, an export of
the relevant fields will do. I understand that the figures may be published.

Yours faithfully,

Alex Example
"""


def write_project(root: Path) -> Path:
    """A foibot project as `foibot init` leaves one (the repo's config.toml and example
    letters), its database at state/foibot.db; the config file's path."""
    (root / "templates").mkdir(parents=True)
    shutil.copytree(REPO / "templates" / "letters", root / "templates" / "letters")
    config = root / "config.toml"
    config.write_text((REPO / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return config


REQUEST_COLUMNS = (
    "ref", "campaign", "body", "title", "drafted", "law", "is_school", "status", "slot_at",
    "released_at", "wdtk_id", "url_title", "sent_on", "due", "very_overdue_after", "created_at",
    "updated_at", "awaiting_description", "wdtk_tags", "wdtk_user", "review_started_on", "etag",
    "last_polled_at", "next_poll_at", "poll_failures", "holiday_data", "answered_at",
    "last_confirmed_at", "last_confirmed_via",
)  # fmt: skip


def build_database(db_path: Path, config_path: Path, requests: int, events: int) -> None:
    """`requests` requests, with their letters, events (`events` in all) and follow-ups, in
    foibot's own schema (bot.store's migrations), as a campaign leaves them: campaigns of
    1,000 bodies (one in ten Scottish), a twentieth of the requests drafts waiting for
    their release slot, the rest sent up to 70 working days ago (dates from the deadline
    engine, with the current holiday data): waiting for a reply (some late, some very
    late: chased, then a complaint drafted), a reply to classify, answered, refused (some
    with an internal review drafted) or under review. Each sent request has the events a
    poll stores (sent, a reply), then public comments and status updates up to `events`
    (WDTK's timelines: 1M events over 100,000 requests is ten a request)."""
    from bot import deadlines as dl
    from bot.config import load_config
    from bot.store.db import Store
    from bot.tracking.ingest import holiday_key as holiday_key_of

    Store(db_path).close()  # create it and apply the migrations
    holiday_key = holiday_key_of(load_config(config_path))
    today = dt.date.today()
    rng = random.Random(5)
    calendars = {law: dl.calendar_for(law) for law in ("foi", "foisa")}
    now = dt.datetime.now(dt.UTC)
    stamp = now.isoformat(timespec="seconds")
    next_poll = (now + dt.timedelta(days=365)).isoformat()
    bodies = [
        (f"body_{i}", f"Public Body Number {i}", f"Body {i}", "police scotland" if i % 10 == 9 else "local_council",
         "foisa" if i % 10 == 9 else "foi", 0, 1, None, 50_000 + i, None, "csv", stamp)
        for i in range(BODIES)
    ]  # fmt: skip
    campaigns = [
        (f"bench-{c}", f"b{c}", "{{ body.short_name }}: staff disciplined", "letter.txt.j2", None, stamp)
        for c in range(max(1, -(-requests // CAMPAIGN_SIZE)))
    ]  # fmt: skip
    rows: list[dict] = []
    sent_rows: list[tuple[str, dt.date]] = []
    event_rows: list[tuple] = []
    followups: list[tuple] = []

    def event(ref: str, day: dt.date, kind: str) -> str:
        at = dt.datetime.combine(day, dt.time(rng.randrange(8, 18), rng.randrange(60)), dt.UTC)
        event_rows.append((ref, at.isoformat(), kind, 5_000_000 + len(event_rows), "{}"))
        return at.isoformat()

    def followup(ref: str, kind: str, status: str, day: dt.date) -> None:
        at = dt.datetime.combine(day, dt.time(9), dt.UTC).isoformat()
        followups.append((f"{ref}-{kind}-1", ref, kind, "1", "Dear Body, ...", status, at,
                          at if status == "sent" else None, day.isoformat()))  # fmt: skip

    for n in range(requests):
        c, b = divmod(n, CAMPAIGN_SIZE)
        body = bodies[b]
        law = body[4]
        ref = f"b{c}-{b + 1}"
        row = dict.fromkeys(REQUEST_COLUMNS)
        row.update(
            ref=ref, campaign=f"bench-{c}", body=body[0], law=law, drafted=1, is_school=0,
            title=f"{body[2]}: staff disciplined for social media misuse ({c})",
            created_at=stamp, updated_at=stamp,
        )  # fmt: skip
        kind = rng.random()
        if kind < 0.05:  # drafts waiting for their release slot
            row.update(status="draft", slot_at=(now + dt.timedelta(days=30 + n)).isoformat())
            rows.append(row)
            continue
        sent = calendars[law].add_working_days(today, -rng.randint(1, 70))
        dates = dl.compute_deadlines(sent, law, calendar=calendars[law])
        # Each poll confirms the request at its own moment (requests are fetched one at a
        # time, seconds apart), a few by the mailbox's alerts instead.
        confirmed = now - dt.timedelta(
            seconds=rng.randrange(6 * 3600), microseconds=rng.randrange(10**6)
        )
        row.update(
            wdtk_id=1_000_000 + n, url_title=f"body_{b}_staff_disciplined_{c}", status="waiting_response",
            sent_on=sent.isoformat(), due=dates.due.isoformat(), very_overdue_after=dates.very_overdue_after.isoformat(),
            released_at=stamp, etag='W/"0123456789abcdef"', last_polled_at=stamp, next_poll_at=next_poll,
            poll_failures=0, wdtk_tags=f"foibot:{ref}", wdtk_user="alex_example", holiday_data=holiday_key,
            last_confirmed_at=confirmed.isoformat(), last_confirmed_via="mail" if rng.random() < 0.1 else "poll",
        )  # fmt: skip
        event(ref, sent, "sent")
        sent_rows.append((ref, sent))
        replied = min(today, sent + dt.timedelta(days=rng.randint(3, 40)))
        if kind < 0.15:  # a reply nobody has classified yet
            row.update(awaiting_description=1)
            event(ref, replied, "response")
        elif kind < 0.35:
            row.update(answered_at=event(ref, replied, "response"))
            if kind < 0.30:
                row.update(
                    status=rng.choice(
                        ["successful", "partially_successful", "rejected", "not_held"]
                    )
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
        rows.append(row)
    # The rest of each timeline, spread over the sent requests, dated after they were sent.
    for i in range(max(0, events - len(event_rows))):
        ref, sent = sent_rows[i % len(sent_rows)]
        day = min(today, sent + dt.timedelta(days=1 + i // len(sent_rows)))
        event(ref, day, "comment" if i % 3 else "status_update")
    conn = sqlite3.connect(db_path)
    with conn:
        conn.executemany(f"INSERT INTO bodies VALUES ({', '.join('?' * 12)})", bodies)
        conn.executemany(
            "INSERT INTO campaigns (slug, ref_prefix, title_template, letter_template, launch_at,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            campaigns,
        )
        conn.executemany(
            f"INSERT INTO requests ({', '.join(REQUEST_COLUMNS)}) "
            f"VALUES ({', '.join(':' + k for k in REQUEST_COLUMNS)})",
            rows,
        )
        conn.executemany(
            "INSERT INTO letters (ref, text) VALUES (?, ?)", ((r["ref"], LETTER) for r in rows)
        )
        conn.executemany(
            "INSERT INTO events (ref, at, kind, wdtk_event_id, detail) VALUES (?, ?, ?, ?, ?)",
            event_rows,
        )
        conn.executemany(
            "INSERT INTO followups (ref, request, kind, cycle, text, status, created_at, sent_at,"
            " drafted_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            followups,
        )
    conn.close()


def build_in_child(db_path: Path, config_path: Path, requests: int, events: int) -> float:
    """build_database in a child process, so that this one stays small (see `run`);
    the seconds it took."""
    started = time.perf_counter()
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; import _common; "
        "_common.build_database(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), str(db_path), str(config_path),
         str(requests), str(events)],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def counts(db_path: Path) -> str:
    """What the database holds, in a line."""
    conn = sqlite3.connect(db_path)
    try:
        n = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
             for t in ("requests", "letters", "events", "followups", "bodies")}  # fmt: skip
        letters = conn.execute("SELECT avg(length(text)) FROM letters").fetchone()[0] or 0
        drafts = conn.execute("SELECT count(*) FROM requests WHERE status = 'draft'").fetchone()[0]
    finally:
        conn.close()
    size = db_path.stat().st_size / 1e6
    return (
        f"{n['requests']:,} requests ({drafts:,} drafts), {n['letters']:,} letters of "
        f"{letters:,.0f} characters, {n['events']:,} events, {n['followups']:,} follow-ups, "
        f"{n['bodies']:,} bodies; {size:,.0f} MB"
    )


def write_campaign_project(root: Path, *, head: str = "", tail: str = "") -> Path:
    """A project folder with the example letter and a campaign `bench` over every body
    tagged `bench`; `head` and `tail`: TOML before and after the campaign's keys."""
    (root / "templates" / "letters").mkdir(parents=True)
    shutil.copy(REPO / "templates/letters/social_media_misuse.txt.j2", root / "templates/letters/")
    config = root / "config.toml"
    config.write_text(
        f'{head}[requester]\nname = "Alex Example"\n\n[[campaigns]]\nslug = "bench"\n'
        'title = "Staff disciplined for social media misuse ({{ body.short_name }})"\n'
        'letter = "templates/letters/social_media_misuse.txt.j2"\nbody_tags = ["bench"]\n'
        f"vars = {{ first_year = 2021, last_year = 2025 }}\n{tail}"
    )
    return config
