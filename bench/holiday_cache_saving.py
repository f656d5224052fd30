"""Benchmark: what the bank-holiday disk cache (bot/holiday_cache.py) saves a user on each
command that shows a date.

Run: .venv/bin/python bench/holiday_cache_saving.py [--quick]   (--quick: 3 pairs)

Every command that prints or checks a date builds the working-day calendars, which need
the UK bank holidays 2005-2100 from the `holidays` package (importing it and generating
96 years for four nations). The cache keeps the generated tables on disk, keyed on the
installed package. This times `foibot deadline 2026-01-05` (the smallest such command)
with a warm cache against the same command with an empty cache each time (FOIBOT_CACHE_DIR
a new empty folder), in interleaved pairs, as installed console scripts with bytecode
cached. The figure decides whether the cache earns its place: the time it saves per
command.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from _common import command_env, installed, machine_line, run, write_project

PAIRS, QUICK_PAIRS = 9, 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 pairs: a check that it runs")
    quick = parser.parse_args().quick
    count = QUICK_PAIRS if quick else PAIRS
    foibot = installed("foibot")
    tmp = Path(tempfile.mkdtemp(prefix="foibot-bench-holidays-"))
    try:
        root = tmp / "project"
        config = write_project(root)
        base = command_env(tmp / "pycache")
        warm_env = {**base, "FOIBOT_CACHE_DIR": str(tmp / "cache")}
        command = [foibot, "--config", str(config), "deadline", "2026-01-05"]
        out = tmp / "out"
        run(command, root, warm_env, out)  # fills the cache and the bytecode cache
        print(machine_line("holiday_cache_saving.py", quick))
        print(f"{count} interleaved pairs of `foibot deadline 2026-01-05`; medians")
        warm, cold = [], []
        for i in range(count):
            cold_env = {**base, "FOIBOT_CACHE_DIR": str(tmp / f"empty-{i}")}
            sides = [(warm, warm_env), (cold, cold_env)]
            for times, env in sides if i % 2 else reversed(sides):
                times.append(run(command, root, env, out).seconds)
        w, c = statistics.median(warm), statistics.median(cold)
        print(f"  with the cache (warm)         {w * 1000:6.0f} ms")
        print(f"  without it (empty each time)  {c * 1000:6.0f} ms")
        print(f"  saved per command             {(c - w) * 1000:6.0f} ms ({c / w:.1f}x faster)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
