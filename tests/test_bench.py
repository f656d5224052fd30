"""The benchmarks still start: every script in bench/ imports what it uses and parses its
options. A --help prints usage (it must not run the whole benchmark instead), and names
--quick, the mode bench/run_all.py passes for a fast check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py") if not p.name.startswith("_"))


def test_the_benchmarks_are_found():
    assert {"deadlines.py", "mail.py", "poll.py", "report.py", "startup.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_benchmark_starts(script: str):
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--help"],
        cwd=BENCH.parent, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:") and "--quick" in done.stdout, done.stdout
