"""Benchmark: deadline engine vs a naive day-by-day count.

Run from a checkout:  python bench/deadlines.py [--n 1000000] [--naive-sample 100000]

Every method gets the same random receipt dates (2012-2030, fixed seed), spread evenly over
the four laws and grouped by law as a report would process them. The naive method steps one
calendar day at a time, checking the weekday and a set of holiday dates (what Alaveteli's
Holiday.due_date_from_working_days does). It is timed on a sample and scaled up to n, as
the output says, because a full run would add a minute of waiting for the same figure.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot import deadlines as dl  # noqa: E402

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--naive-sample", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()

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
            for d in days:
                compute(d, law)

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
    full_repeats = max(1, args.repeats // 2)
    full = timed(run_full, full_repeats)
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
    print(f"medians of {args.repeats} runs (engine), {full_repeats} (compute_deadlines), 3 (naive)")
    rows = [
        ("engine add_working_days_many (batch)", batch),
        ("engine add_working_days (per call)", per_call),
        ("engine compute_deadlines (full record)", full),
        (f"naive day-by-day due date [x{n // n_sample} of {n_sample:,}]", naive),
        (f"naive full record [x{n // n_record} of {n_record:,}]", naive_full),
    ]
    for label, secs in rows:
        print(f"  {label:48s} {secs:7.3f} s  {secs / n * 1e9:6.0f} ns/date")
    print(f"ratio naive / batch:    {naive / batch:5.1f}x")
    print(f"ratio naive / per call: {naive / per_call:5.1f}x")
    print(f"ratio naive full record / compute_deadlines: {naive_full / full:5.1f}x")
    print(f"engine == naive on every sampled date: {'yes' if not mismatches else 'NO'}")
    print(
        f"memory: tracemalloc peak {traced_peak / 1024 / 1024:.1f} MiB "
        f"(build 4 calendars + 100,000 calls each way); process peak RSS {rss_mib:.0f} MiB"
    )
    met = naive / batch >= 20 and batch < 2
    print(f"aim (>= 20x the naive count and < 2 s for 1M): {'met' if met else 'NOT met'} (batch)")


if __name__ == "__main__":
    main()
