"""Benchmark: a page of `foibot serve`'s status table over 10,000 requests against
`foibot status --json` on the same rows (issue 31).

Run: .venv/bin/python bench/serve.py [--quick]   (--quick: 2,000 requests, 3 pairs: a
check that it runs, not figures to compare)

The database is bench/_common.py's build_database (foibot's own migrations; 10,000
requests over ten campaigns, with their letters, events and follow-ups). `foibot serve`
runs as the installed console script on a loopback port; each timed page is a GET of
/status (every request's status computed by the one rule, as `status` does, sorted, and
the first page of 200 rows rendered) by a client in this process, with the connection
made for each request. `foibot status --json` runs as its own subprocess, output to a
file (bench/_common.py `run`). They are timed in interleaved pairs after one untimed run
of each; the figure is the median of the pairs' ratios.

Budget (issue 31): a page <= 1.5x `foibot status --json` on the same rows.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _common import (
    aim,
    build_in_child,
    command_env,
    counts,
    installed,
    machine_line,
    run,
    write_project,
)

REQUESTS, QUICK_REQUESTS = 10_000, 2_000
PAIRS, QUICK_PAIRS = 9, 3
AIM_X = 1.5


def get(url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - loopback
        body = response.read()
    return time.perf_counter() - start, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="2,000 requests and 3 pairs: a check that it runs"
    )
    quick = parser.parse_args().quick
    requests = QUICK_REQUESTS if quick else REQUESTS
    count = QUICK_PAIRS if quick else PAIRS
    foibot = installed("foibot")
    tmp = Path(tempfile.mkdtemp(prefix="foibot-bench-serve-"))
    server = None
    try:
        root = tmp / "project"
        config = write_project(root)
        db = root / "state" / "foibot.db"
        built = build_in_child(db, config, requests, events=requests * 5 // 4)
        env, out = command_env(tmp / "pycache"), tmp / "out"
        print(machine_line("serve.py", quick))
        print(f"database: {counts(db)} (built in {built:.1f} s)")
        print(f"{count} interleaved pairs (after one untimed run of each); medians")
        server = subprocess.Popen(
            [foibot, "--config", str(config), "serve", "--port", "0"],
            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not found:
            raise SystemExit(f"`foibot serve` did not start: {line}")
        url = f"http://127.0.0.1:{found.group(1)}/status"
        status = [foibot, "--config", str(config), "status", "--json"]
        _, page = get(url)
        run(status, root, env, out)
        rows = page.count(b'<tr data-ref="')
        if rows != 200 or f"{requests} requests".encode() not in page:
            raise SystemExit(f"the page shows {rows} rows, not the first 200 of {requests}")
        pages, commands = [], []
        for i in range(count):
            if i % 2:
                pages.append(get(url)[0])
                commands.append(run(status, root, env, out).seconds)
            else:
                commands.append(run(status, root, env, out).seconds)
                pages.append(get(url)[0])
        ratio = statistics.median(p / c for p, c in zip(pages, commands, strict=True))
        print(f"  GET /status (page 1 of {-(-requests // 200)}), {requests:,} requests "
              f"{statistics.median(pages) * 1000:6.0f} ms")  # fmt: skip
        print(f"  foibot status --json, the same rows        "
              f"{statistics.median(commands) * 1000:6.0f} ms")  # fmt: skip
        aim(f"a status page over {requests:,} requests vs foibot status --json",
            f"<= {AIM_X:g}x", f"{ratio:.2f}x", ratio <= AIM_X)  # fmt: skip
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
