"""The benchmarks still work: every script in bench/ imports what it uses and parses its
options (a --help prints usage, not the whole benchmark, and names --quick, the mode
bench/run_all.py passes for a fast check), and the scripts that hold issue 27's budgets
run end to end in --quick and print each of their aim lines with a verdict. No timing is
asserted: whether a budget is met is RESULTS.md's to say, on a full run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py") if not p.name.startswith("_"))
AIM = re.compile(r"^aim (?P<what>.+) \((?P<target>[^()]+)\): (?P<figure>.+) — (met|NOT met)$")

# The budget scripts and the aims each prints (their text up to the figure).
BUDGETS = {
    "status.py": [
        "foibot status, 2,000 requests, vs sqlite-utils query --csv of its columns (<= 1.5x)",
        "foibot --help vs sqlite-utils --help (<= 1.5x)",
    ],
    "serve.py": ["a status page over 2,000 requests vs foibot status --json (<= 1.5x)"],
    "report.py": [
        "foibot status --json, 2,000 requests, vs a bare sqlite3 + json script (<= 2x)",
        "foibot status --json peak RSS (< 150 MB)",
        "foibot overdue, 2,000 requests, vs a bare sqlite3 script (<= 2x)",
        "foibot overdue peak RSS (< 150 MB)",
    ],
}


def test_the_benchmarks_are_found():
    assert {"mail.py", "poll.py", "report.py", "status.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_benchmark_starts(script: str):
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--help"],
        cwd=BENCH.parent, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:") and "--quick" in done.stdout, done.stdout


@pytest.mark.parametrize("script", sorted(BUDGETS))
def test_each_budget_benchmark_runs_and_prints_its_aims(script: str):
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        cwd=BENCH.parent, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    aims = [line for line in done.stdout.splitlines() if line.startswith("aim ")]
    assert all(AIM.match(line) for line in aims), aims
    shown = [line.removeprefix("aim ").partition("): ")[0] + ")" for line in aims]
    assert shown == BUDGETS[script], aims


def test_the_holiday_cache_benchmark_says_what_the_cache_saves():
    done = subprocess.run(
        [sys.executable, str(BENCH / "holiday_cache_saving.py"), "--quick"],
        cwd=BENCH.parent, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line.split() for line in done.stdout.splitlines()]
    assert lines[-3][:4] == ["with", "the", "cache", "(warm)"], done.stdout
    assert lines[-1][:3] == ["saved", "per", "command"], done.stdout


def test_the_followups_benchmark_drafts_and_rechecks():
    done = subprocess.run(
        [sys.executable, str(BENCH / "followups.py"), "--quick"],
        cwd=BENCH.parent, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-3].startswith("ratio draft / bare Jinja2: "), done.stdout
    assert lines[-2].startswith("re-check 500 unsent chasers before a release, withdrawing 250:")
    assert lines[-1].startswith("re-check as a share of the draft it guards: "), done.stdout
