"""Benchmark: `foibot status --json`, `foibot overdue` and reports over 100,000 requests
and 1,000,000 events, each against what a user would otherwise run.

Run: .venv/bin/python bench/report.py [--quick]   (--quick: 2,000 requests and 20,000
events, 2 pairs: a check that it runs; foibot's fixed start-up weighs more on small
inputs, so its ratios are higher and not to be compared with a full run's)

The project and database are bench/_common.py's (foibot's own migrations; requests with
~1.8 KB letters, their events and follow-ups), built in a child process so that this one
stays small: a child's peak RSS (wait4's ru_maxrss) starts from its parent's.

Each command runs as the installed console script (.venv/bin/foibot) in its own
subprocess, output to a file, bytecode cached as after an install; peak memory is that
process's maximum resident set. Each is timed in interleaved pairs with its comparison
(which goes first alternates, after one untimed run of each), and its ratio is the median
of the pairs' ratios. The comparisons:
- `status --json`: a bare Python script (sqlite3 + json, no foibot) reading the stored
  columns behind the fields `status --json` prints and writing one JSON object a line with
  the same keys in the same layout (each derived field holding the stored value it comes
  from, or null): the cost of the data itself;
- `overdue`: a bare sqlite3 script reading the stored columns behind what `overdue`
  prints, for every request, and printing them aligned (without the rule it cannot know
  which are late, so it reads more rows than `overdue` prints: that flatters the
  baseline, not foibot);
- the reports: `sqlite-utils query` of the same requests' rows to CSV (every column, no
  letters), what a user would otherwise open in a spreadsheet.
Budgets (issue 27): `status --json` and `overdue` within 2x their bare scripts and under
150 MB peak RSS. The reports have no budget; their figures are shown beside sqlite-utils'.
"""

from __future__ import annotations

import argparse
import json
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

PAIRS, QUICK_PAIRS = 5, 2
REPORT_PAIRS, QUICK_REPORT_PAIRS = 3, 1
RATIO_AIM_X = 2.0
RSS_AIM_MB = 150

# status --json's keys (StatusRow's fields) and the stored column each one shows or is
# derived from (None: worked out from other columns, as days_overdue).
STATUS_KEYS = {
    "ref": "ref", "campaign": "campaign", "body": "body", "title": "title",
    "status": "status", "wdtk_id": "wdtk_id", "url": "url_title", "sent_on": "sent_on",
    "due": "due", "very_overdue_after": "very_overdue_after", "days_overdue": None,
    "law": "law", "slot": "slot_at", "poll_error": "poll_error", "stage": "stage",
    "review_by": None, "late_from": "review_started_on", "review_latest": None,
    "answered_on": "answered_at", "answered_days_late": None, "note": "awaiting_description",
    "last_confirmed_at": "last_confirmed_at", "last_confirmed_via": "last_confirmed_via",
    "remind_after": "due", "due_note": None,
}  # fmt: skip

STATUS_BASELINE = f"""
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
keys = {STATUS_KEYS!r}
cols = [c for c in keys.values() if c]
at = {{k: cols.index(c) if c else None for k, c in keys.items()}}
enc = json.JSONEncoder(ensure_ascii=False, default=str).encode
out = sys.stdout
cur = conn.execute(f"SELECT {{', '.join(cols)}} FROM requests ORDER BY campaign, rowid")
sep = "[\\n"
while batch := cur.fetchmany(1000):
    out.write(sep + ",\\n".join([
        enc({{k: None if i is None else r[i] for k, i in at.items()}}) for r in batch
    ]))
    sep = ",\\n"
out.write("\\n]\\n")
"""

OVERDUE_BASELINE = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
rows = [tuple(str(v or "") for v in r) for r in conn.execute(
    "SELECT ref, body, status, due, very_overdue_after, review_started_on, "
    "awaiting_description, stage, url_title FROM requests "
    "ORDER BY due, ref")]
widths = [max(map(len, c)) for c in zip(*rows)]
template = "  ".join(f"{{:{w}.{w}}}" for w in widths)
sys.stdout.write("\\n".join(template.format(*r) for r in rows) + "\\n")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2,000 requests, 20,000 events, 2 pairs: a check that it runs",
    )
    quick = parser.parse_args().quick
    requests, events = (2_000, 20_000) if quick else (100_000, 1_000_000)
    count, report_count = (QUICK_PAIRS, QUICK_REPORT_PAIRS) if quick else (PAIRS, REPORT_PAIRS)
    foibot, sqlite_utils = installed("foibot"), installed("sqlite-utils")
    tmp = Path(tempfile.mkdtemp(prefix="foibot-bench-report-"))
    try:
        root = tmp / "project"
        config = write_project(root)
        db = root / "state" / "foibot.db"
        built = build_in_child(db, config, requests, events)
        env, out = command_env(tmp / "pycache"), tmp / "out"
        py = [foibot, "--config", str(config)]
        print(machine_line("report.py", quick))
        print(f"database: {counts(db)} (built in {built:.1f} s)")
        print(f"interleaved pairs (status and overdue: {count}, reports: {report_count}) after one "
              "untimed run of each, subprocesses, output to a file; medians; peak RSS of the child")  # fmt: skip

        bare = [sys.executable, "-c"]
        measured = {}
        labels = {}

        def same_keys(output: Path) -> None:
            with output.open(encoding="utf-8") as f:  # "[", then one object a line
                f.readline()
                keys = tuple(json.loads(f.readline().rstrip().rstrip(",")))
            if keys != tuple(STATUS_KEYS):
                raise SystemExit(f"status --json now prints {keys}: update STATUS_KEYS")

        for name, ours, theirs, label, check in (
            ("status --json", [*py, "status", "--json"], [*bare, STATUS_BASELINE, str(db)],
             "a bare sqlite3 + json script", same_keys),
            ("overdue", [*py, "overdue"], [*bare, OVERDUE_BASELINE, str(db)],
             "a bare sqlite3 script", None),
        ):  # fmt: skip
            p = measured[name] = pairs(ours, theirs, count, root, env, out, check)
            labels[name] = label
            print(f"  foibot {name:<36} {p.seconds:6.2f} s  peak RSS {p.peak_rss_mb:4.0f} MB")
            print(f"    {label + ', same columns':<41} {p.their_seconds:6.2f} s  "
                  f"peak RSS {p.their_peak_rss_mb:4.0f} MB")  # fmt: skip

        select = "select * from requests"
        for name, args, where in (
            ("report bench-0 --format html (1,000)", ["report", "bench-0", "--format", "html"], " where campaign = 'bench-0'"),
            ("report bench-0 --format csv (1,000)", ["report", "bench-0", "--format", "csv"], " where campaign = 'bench-0'"),
            ("report --all --by body --format html", ["report", "--all", "--by", "body", "--format", "html"], ""),
            ("report --all --by body --format csv", ["report", "--all", "--by", "body", "--format", "csv"], ""),
        ):  # fmt: skip
            query = [sqlite_utils, "query", str(db), select + where, "--csv"]
            p = measured[name] = pairs([*py, *args, "-o", "-"], query, report_count, root, env, out)
            print(f"  foibot {name:<36} {p.seconds:6.2f} s  peak RSS {p.peak_rss_mb:4.0f} MB  "
                  f"{p.ratio:.1f}x sqlite-utils query{where or ' (all)'} --csv, "
                  f"{p.their_seconds:.2f} s")  # fmt: skip

        for name in ("status --json", "overdue"):
            p = measured[name]
            aim(f"foibot {name}, {requests:,} requests, vs {labels[name]}",
                f"<= {RATIO_AIM_X:g}x", f"{p.ratio:.2f}x", p.ratio <= RATIO_AIM_X)  # fmt: skip
            aim(f"foibot {name} peak RSS", f"< {RSS_AIM_MB} MB", f"{p.peak_rss_mb:.0f} MB",
                p.peak_rss_mb < RSS_AIM_MB)  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
