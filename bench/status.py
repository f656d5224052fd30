"""Benchmark: `foibot status` on 10,000 requests and `foibot --help`, each against the tool
a user would otherwise reach for: sqlite-utils (installed with foibot).

Run: .venv/bin/python bench/status.py [--quick]   (--quick: 2,000 requests, 3 pairs: a
check that it runs, not figures to compare)

The project is the repo's config.toml and letters; its database is made by foibot's own
migrations (bot.store) and holds 10,000 requests over ten campaigns of 1,000 bodies, each
with its letter (~1.8 KB): drafts waiting for their slot, and sent requests waiting,
late, answered, refused or under review, with the events a poll stores and the
follow-ups a campaign has by then (bench/_common.py build_database says which).

Both sides run as installed console scripts beside this interpreter (.venv/bin/foibot,
.venv/bin/sqlite-utils), each its own subprocess with output to a file (not a terminal,
as under cron), bytecode cached as after an install. They are timed in interleaved pairs
(which goes first alternates), after one untimed run of each; a figure is the median of
the pairs' ratios, so a change in the shared machine's load falls on both sides.

- `foibot status` against `sqlite-utils query DB "select <columns> from requests order by
  campaign, rowid" --csv`, the stored columns behind the ten that the table shows (ref,
  body, status, sent or slot, due, late, review by, stage, confirmed, title), in its order.
- `foibot --help` against `sqlite-utils --help`.

Budgets (issue 27): status <= 1.5x the sqlite-utils query; --help <= 1.5x sqlite-utils --help.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from _common import (
    aim,
    build_in_child,
    command_env,
    counts,
    installed,
    machine_line,
    pairs,
    write_project,
)

REQUESTS, QUICK_REQUESTS = 10_000, 2_000
PAIRS, QUICK_PAIRS = 9, 3
HELP_PAIRS, QUICK_HELP_PAIRS = 15, 3
STATUS_AIM_X = 1.5
HELP_AIM_X = 1.5
# The stored columns each of the status table's columns shows or is worked out from.
SHOWN = (
    "ref, body, status, sent_on, slot_at, due, very_overdue_after, review_started_on, "
    "answered_at, stage, last_confirmed_at, last_confirmed_via, title"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="2,000 requests and 3 pairs: a check that it runs"
    )
    quick = parser.parse_args().quick
    requests = QUICK_REQUESTS if quick else REQUESTS
    count, help_count = (QUICK_PAIRS, QUICK_HELP_PAIRS) if quick else (PAIRS, HELP_PAIRS)
    foibot, sqlite_utils = installed("foibot"), installed("sqlite-utils")
    tmp = Path(tempfile.mkdtemp(prefix="foibot-bench-status-"))
    try:
        root = tmp / "project"
        config = write_project(root)
        db = root / "state" / "foibot.db"
        built = build_in_child(db, config, requests, events=requests * 5 // 4)
        env, out = command_env(tmp / "pycache"), tmp / "out"
        print(machine_line("status.py", quick))
        print(f"database: {counts(db)} (built in {built:.1f} s)")
        print(f"{count} interleaved pairs for status, {help_count} for --help (after one untimed "
              "run of each), subprocesses, output to a file; medians")  # fmt: skip

        status = [foibot, "--config", str(config), "status"]
        query = [sqlite_utils, "query", str(db),
                 f"select {SHOWN} from requests order by campaign, rowid", "--csv"]  # fmt: skip

        def every_row(output: Path) -> None:
            lines = output.read_text(encoding="utf-8").count("\n")
            if lines < requests:
                raise SystemExit(f"`foibot status` printed {lines} lines for {requests} requests")

        s = pairs(status, query, count, root, env, out, every_row)
        print(f"  foibot status, {requests:,} requests   {s.seconds * 1000:6.0f} ms  "
              f"peak RSS {s.peak_rss_mb:4.0f} MB")  # fmt: skip
        print(f"  sqlite-utils query ... --csv       {s.their_seconds * 1000:6.0f} ms  "
              f"peak RSS {s.their_peak_rss_mb:4.0f} MB   (the same rows' stored columns)")  # fmt: skip

        h = pairs([foibot, "--help"], [sqlite_utils, "--help"], help_count, root, env, out)
        print(f"  foibot --help                      {h.seconds * 1000:6.0f} ms")
        print(f"  sqlite-utils --help                {h.their_seconds * 1000:6.0f} ms")

        aim(f"foibot status, {requests:,} requests, vs sqlite-utils query --csv of its columns",
            f"<= {STATUS_AIM_X:g}x", f"{s.ratio:.2f}x", s.ratio <= STATUS_AIM_X)  # fmt: skip
        aim("foibot --help vs sqlite-utils --help", f"<= {HELP_AIM_X:g}x", f"{h.ratio:.2f}x",
            h.ratio <= HELP_AIM_X)  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
