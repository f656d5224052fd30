"""Benchmark: deadline engine vs a naive day-by-day count, and refresh_dates.

Run from a checkout:  python bench/deadlines.py [--quick] [--n 1000000] [--naive-sample 100000]

Every method gets the same random receipt dates (2012-2030, fixed seed), spread evenly over
the four laws and grouped by law as a report would process them. The naive method steps one
calendar day at a time, checking the weekday and a set of holiday dates (what Alaveteli's
Holiday.due_date_from_working_days does). It is timed on a sample and scaled up to n, as
the output says, because a full run would add a minute of waiting for the same figure.

The paths production takes: `compute_deadlines(d, law, school=..., calendar=...)` one
request at a time (Ingest when it polls, adjusted_dates), and `compute_deadlines_many`
(Ingest.refresh_dates). Both keep each record they make (immutable, by date, law and
school flag) and answer a repeated date from that table, so they are timed warm (records
made by an untimed first pass: repeated receipt dates are what campaigns have) and the
first pass is shown cold. The batch lookup `add_working_days_many` is the due date alone.
Three floors are shown beside the per-call path: a do-nothing function with
compute_deadlines' signature; one whose body is only the record lookup, one subscript of
a table bound in advance (what no per-call Python API can beat); and a loop that calls the
table's C lookup itself, with no Python function (what even a C extension could not beat).

refresh_dates: N requests with stale holiday data in a real database (on /dev/shm when it
exists), recomputed by `Ingest.refresh_dates` with the record tables emptied first (as
after a holiday-data change, when no record exists for the new calendar), against a bare
sqlite3 baseline doing the same work: read the same four columns of the stale rows, the
engine's batch lookup for the 20th and the 40th (60th for FOIA schools) working day, one
executemany UPDATE of the same columns per law and school flag, one commit.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import random as _random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot import deadlines as dl  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.store.db import Store  # noqa: E402
from bot.tracking.ingest import Ingest  # noqa: E402

ONE_DAY = timedelta(days=1)


def naive_due(received: date, holidays: frozenset[date], n: int = 20) -> date:
    d = received
    while n:
        d += ONE_DAY
        if d.weekday() < 5 and d not in holidays:
            n -= 1
    return d


def naive_record(received: date, holidays: frozenset[date]) -> tuple:
    """The naive equivalent of compute_deadlines: 20th and 40th day, grace, skipped days."""
    d, n, due, skipped = received, 0, None, []
    while n < 40:
        d += ONE_DAY
        if d.weekday() < 5:
            if d in holidays:
                if due is None:
                    skipped.append(d)
            else:
                n += 1
                if n == 20:
                    due = d
    working = received.weekday() < 5 and received not in holidays
    grace = None if working else naive_due(naive_due(received, holidays, 1), holidays)
    return due, d, grace, tuple(skipped)


def make_inputs(n: int, seed: int = 2026) -> list[tuple[date, str]]:
    rng = random.Random(seed)
    lo, hi = date(2012, 1, 1).toordinal(), date(2030, 12, 31).toordinal()
    return [(date.fromordinal(rng.randint(lo, hi)), dl.LAWS[i % 4]) for i in range(n)]


def group(inputs: list[tuple[date, str]]) -> dict[str, list[date]]:
    return {law: [d for d, x in inputs if x == law] for law in dl.LAWS}


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def clear_records() -> None:
    """Forget every record compute_deadlines has kept (a fresh calendar has none)."""
    for tables in dl._default_records.values():
        for table in tables:
            table.clear()
    for law in dl.LAWS:
        dl.calendar_for(law)._records.clear()


def refresh_bench(n: int, repeats: int) -> tuple[float, float]:
    """Median seconds of Ingest.refresh_dates and of the bare baseline, n stale requests."""
    shm = Path("/dev/shm")
    tmp = Path(tempfile.mkdtemp(prefix="foibot-bench-dl-", dir=shm if shm.is_dir() else None))
    try:
        store = Store(tmp / "foibot.db")
        rng = _random.Random(7)
        lo, hi = date(2012, 1, 1).toordinal(), date(2030, 12, 31).toordinal()
        store.db.conn.executemany(
            "INSERT INTO requests (ref, status, law, is_school, sent_on, holiday_data) "
            "VALUES (?, 'waiting_response', ?, ?, ?, 'stale')",
            [
                (f"r{i}", dl.LAWS[i % 4], int(rng.random() < 0.1),
                 date.fromordinal(rng.randint(lo, hi)).isoformat())
                for i in range(n)
            ],
        )  # fmt: skip
        store.db.conn.commit()
        ingest = Ingest(store, load_config(REPO / "config.toml"))

        def stale() -> None:
            store.db.conn.execute("UPDATE requests SET holiday_data = 'stale'")
            store.db.conn.commit()
            clear_records()
            gc.collect()

        def production() -> None:
            assert ingest.refresh_dates() == n

        conn = sqlite3.connect(tmp / "foibot.db")

        def bare() -> None:
            rows = conn.execute(
                "SELECT ref, law, is_school, sent_on FROM requests WHERE holiday_data != ?",
                ["fresh"],
            ).fetchall()
            groups: dict[tuple[str, bool], list[tuple]] = {}
            for row in rows:
                law = row[1] or "foi"
                groups.setdefault((law, bool(row[2]) and law == "foi"), []).append(row)
            for (law, school), group in groups.items():
                cal = dl.calendar_for(law)
                received = [date.fromisoformat(r[3]) for r in group]
                due = cal.add_working_days_many(received, 20)
                very = cal.add_working_days_many(received, 60 if school else 40)
                conn.executemany(
                    "UPDATE requests SET due = ?, very_overdue_after = ?, holiday_data = ? "
                    "WHERE ref = ?",
                    [
                        (d.isoformat(), v.isoformat(), "fresh", r[0])
                        for r, d, v in zip(group, due, very, strict=True)
                    ],
                )
            conn.commit()

        def timed_with(fn, setup) -> float:
            times = []
            for _ in range(repeats):
                setup()
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
            return statistics.median(times)

        result = timed_with(production, stale), timed_with(bare, stale)
        conn.close()
        store.close()
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def aim(what: str, target: str, measured: str, met: bool) -> None:
    print(f"aim {what} ({target}): {measured} — {'met' if met else 'NOT met'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--naive-sample", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--refresh-n", type=int, default=100_000)
    ap.add_argument(
        "--quick", action="store_true",
        help="200,000 dates, a 20,000 naive sample, 3 repeats, refresh_dates on 20,000",
    )  # fmt: skip
    args = ap.parse_args()
    if args.quick:
        args.n, args.naive_sample, args.repeats, args.refresh_n = 200_000, 20_000, 3, 20_000
    started = time.perf_counter()

    t0 = time.perf_counter()
    calendars = {law: dl.calendar_for(law) for law in dl.LAWS}
    build = time.perf_counter() - t0
    # The naive method gets the very same holiday dates, so only the algorithm differs.
    span = (date(dl.FIRST_YEAR, 1, 1), date(dl.LAST_YEAR, 12, 31))
    holiday_sets = {
        law: frozenset(h.day for h in cal.holidays_between(*span)) for law, cal in calendars.items()
    }

    inputs = make_inputs(args.n)
    by_law = group(inputs)
    n_sample = min(args.naive_sample, args.n)
    sample = group(inputs[:n_sample])
    n_record = max(1, n_sample // 5)
    record_sample = group(inputs[:n_record])

    def run_per_call() -> None:
        for law, days in by_law.items():
            add = calendars[law].add_working_days
            for d in days:
                add(d, 20)

    def run_batch() -> None:
        for law, days in by_law.items():
            calendars[law].add_working_days_many(days, 20)

    def run_full() -> None:
        compute = dl.compute_deadlines
        for law, days in by_law.items():
            cal = calendars[law]
            for d in days:
                compute(d, law, school=False, calendar=cal)

    def run_many() -> None:
        many = dl.compute_deadlines_many
        for law, days in by_law.items():
            many(days, law, school=False, calendar=calendars[law])

    def empty(received, law="foi", *, school=False, days=20, calendar=None,
              eir_extended=False, pit_extension_to=None, fee_pauses=()) -> None:  # fmt: skip
        return None

    def run_empty() -> None:
        for law, days in by_law.items():
            cal = calendars[law]
            for d in days:
                empty(d, law, school=False, calendar=cal)

    def run_lookup_only() -> None:
        # The least any per-call API with records can do: a call with compute_deadlines'
        # signature whose body is the record lookup alone (no checks, no miss handling).
        for law, days in by_law.items():
            table = calendars[law]._records[law][0]

            def lookup(received, law="foi", *, school=False, days=20, calendar=None,
                       eir_extended=False, pit_extension_to=None, fee_pauses=(),
                       _table=table):  # fmt: skip
                return _table[received]

            for d in days:
                lookup(d, law, school=False, calendar=calendars[law])

    def run_c_lookup() -> None:
        # Below any Python function: the loop calls the record table's C lookup itself.
        for law, days in by_law.items():
            get = calendars[law]._records[law][0].__getitem__
            for d in days:
                get(d)

    def run_naive() -> None:
        for law, days in sample.items():
            hols = holiday_sets[law]
            for d in days:
                naive_due(d, hols)

    def run_naive_record() -> None:
        for law, days in record_sample.items():
            hols = holiday_sets[law]
            for d in days:
                naive_record(d, hols)

    # Correctness first: all engine paths must agree with the naive count on the sample.
    mismatches = 0
    for law, days in sample.items():
        hols, cal = holiday_sets[law], calendars[law]
        batch = cal.add_working_days_many(days, 20)
        for d, b in zip(days, batch, strict=True):
            expect = naive_due(d, hols)
            mismatches += cal.add_working_days(d, 20) != expect or b != expect
    for law, days in record_sample.items():
        for d in days:
            r = dl.compute_deadlines(d, law)
            got = (
                r.due,
                r.very_overdue_after,
                r.grace_due,
                tuple(h.day for h in r.holidays_skipped),
            )
            mismatches += got != naive_record(d, holiday_sets[law])

    per_call = timed(run_per_call, args.repeats)
    batch = timed(run_batch, args.repeats)
    clear_records()
    cold = timed(run_many, 1)  # the first pass makes the records
    full_repeats = args.repeats
    full = timed(run_full, full_repeats)
    many = timed(run_many, full_repeats)
    floor = timed(run_empty, full_repeats)
    lookup_only = timed(run_lookup_only, full_repeats)
    c_lookup = timed(run_c_lookup, full_repeats)
    naive_sample_time = timed(run_naive, 3)
    naive = naive_sample_time * args.n / n_sample
    naive_record_time = timed(run_naive_record, 3)
    naive_full = naive_record_time * args.n / n_record

    # Memory is measured in a separate, untimed pass: tracemalloc slows Python code a lot.
    for cache in (dl._build_calendar, dl._family_holidays, dl._subdiv_holidays):
        cache.cache_clear()
    tracemalloc.start()
    cals = {law: dl.calendar_for(law) for law in dl.LAWS}
    for law, days in group(inputs[:100_000]).items():
        cals[law].add_working_days_many(days, 20)
        for d in days:
            cals[law].add_working_days(d, 20)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mib = rss / 1024 / 1024 if sys.platform == "darwin" else rss / 1024

    n = args.n
    print(
        f"deadline benchmark: {n:,} due dates (20th working day), receipt dates 2012-2030, "
        "laws foi/eir/foisa/eisr"
    )
    print(f"python {platform.python_version()}, {dl.holiday_data_version()}, {platform.machine()}")
    print(f"calendar build, 4 laws {dl.FIRST_YEAR}-{dl.LAST_YEAR} (once): {build * 1000:.0f} ms")
    print(f"medians of {args.repeats} runs (engine), 3 (naive); records made in the first pass")
    rows = [
        ("engine add_working_days_many (batch lookup)", batch),
        ("engine add_working_days (per call)", per_call),
        ("compute_deadlines_many, first pass (cold)", cold),
        ("compute_deadlines_many (refresh_dates' path)", many),
        ("compute_deadlines per call (track's path)", full),
        ("  a do-nothing call with its signature", floor),
        ("  a call with its signature that only looks up", lookup_only),
        ("  a loop calling the C lookup (no Python call)", c_lookup),
        (f"naive day-by-day due date [x{n // n_sample} of {n_sample:,}]", naive),
        (f"naive full record [x{n // n_record} of {n_record:,}]", naive_full),
    ]
    for label, secs in rows:
        print(f"  {label:48s} {secs:7.3f} s  {secs / n * 1e9:6.0f} ns/date")
    print(f"ratio naive / batch:    {naive / batch:5.1f}x")
    print(f"ratio naive / per call: {naive / per_call:5.1f}x")
    print(
        f"compute_deadlines per call / add_working_days per call: {full / per_call:4.2f}x; "
        f"a do-nothing call / batch lookup: {floor / batch:4.2f}x (the floor of any per-call API); "
        f"a call that only looks its record up / batch lookup: {lookup_only / batch:4.2f}x "
        f"(the least any per-call Python API can do); a loop calling the C lookup per date / "
        f"batch lookup: {c_lookup / batch:4.2f}x"
    )
    print(f"ratio naive full record / compute_deadlines per call: {naive_full / full:5.1f}x")
    print(f"ratio naive full record / compute_deadlines_many:      {naive_full / many:5.1f}x")
    print(f"engine == naive on every sampled date: {'yes' if not mismatches else 'NO'}")
    print(
        f"memory: tracemalloc peak {traced_peak / 1024 / 1024:.1f} MiB "
        f"(build 4 calendars + 100,000 calls each way); process peak RSS {rss_mib:.0f} MiB"
    )
    refresh, bare = refresh_bench(args.refresh_n, 3)
    print(
        f"refresh_dates, {args.refresh_n:,} stale requests (median of 3, records cold): "
        f"{refresh:.2f} s ({refresh / args.refresh_n * 1e6:.1f} µs a request); bare sqlite3 "
        f"+ batch lookup + executemany: {bare:.2f} s"
    )
    print(f"(bench ran {time.perf_counter() - started:.0f} s)")
    scale = 1_000_000 / n
    aim("engine agrees with the naive count on every sampled date", "all",
        "all" if not mismatches else f"{mismatches} differ", not mismatches)  # fmt: skip
    aim("compute_deadlines_many, the full record as refresh_dates gets it",
        "<= 2x the batch lookup", f"{many / batch:.2f}x", many <= 2 * batch)  # fmt: skip
    aim("compute_deadlines per call, the full record as track gets it",
        "<= 2x the batch lookup", f"{full / batch:.2f}x", full <= 2 * batch)  # fmt: skip
    aim("compute_deadlines per call, 1M receipts", "< 2 s", f"{full * scale:.2f} s",
        full * scale < 2)  # fmt: skip
    aim("compute_deadlines per call vs the naive full record", ">= 5x",
        f"{naive_full / full:.1f}x", naive_full / full >= 5)  # fmt: skip
    aim("refresh_dates (Ingest.refresh_dates), stale requests", "<= 2x the bare baseline",
        f"{refresh / bare:.2f}x", refresh <= 2 * bare)  # fmt: skip


if __name__ == "__main__":
    main()
