"""The daemon's schedule lines are checked by the trigger the daemon builds (issue 11)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.triggers import schedule_problem, trigger_for

REPO_ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "spec", ["every 1 second", "every 30 minutes", "every 2 hours", "15 5 * * 1-5"]
)
def test_valid_lines_build_a_trigger(spec):
    assert schedule_problem(spec) is None
    assert trigger_for(spec) is not None


@pytest.mark.parametrize(
    "spec, says",
    [
        ("99 99 * * *", "not a valid cron line"),
        ("every 0 minutes", "at least 1"),
        ("every fortnight", "neither"),
        ("* * * *", "neither"),
        ("every 99999999999999 hours", "too long"),
    ],
)
def test_invalid_lines_say_why(spec, says):
    assert says in (schedule_problem(spec) or "")


def test_the_default_lines_are_valid():
    # Config loading skips checking them (it would import APScheduler for every command).
    from bot.config import ScheduleConfig

    for name in ("poll", "release", "digest", "mail"):
        assert schedule_problem(getattr(ScheduleConfig(), name)) is None
        assert trigger_for(getattr(ScheduleConfig(), name)) is not None


def test_doctor_and_daemon_agree_on_a_bad_cron_line(project):
    project.config.write_text(project.config.read_text() + '\n[schedule]\npoll = "99 99 * * *"\n')
    doctor = project.run("doctor", expect=1)
    assert "schedule.poll" in doctor.stdout and "not a valid cron line" in doctor.stdout
    daemon = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(project.config), "daemon"],
        capture_output=True, text=True, timeout=60, cwd=REPO_ROOT,
    )  # fmt: skip
    assert daemon.returncode == 2
    assert "schedule.poll" in daemon.stderr and "not a valid cron line" in daemon.stderr
    assert "Traceback" not in daemon.stderr
