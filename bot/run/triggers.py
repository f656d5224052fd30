"""The daemon's schedule syntax, defined once: "every N seconds|minutes|hours" or a
5-field cron line in UK time. Config validation and the daemon both build the trigger
with APScheduler itself, so what `doctor` accepts the daemon can run."""

from __future__ import annotations

import re
from typing import Any

EVERY = re.compile(r"^every\s+(\d+)\s+(second|minute|hour)s?$")


def trigger_for(spec: str) -> Any:
    """The APScheduler trigger for a schedule line. Raises ValueError saying what is wrong."""
    from bot.dates import LONDON

    match = EVERY.match(spec.strip())
    if match:
        n, unit = int(match.group(1)), match.group(2)
        if n < 1:
            raise ValueError("the interval must be at least 1")
        from apscheduler.triggers.interval import IntervalTrigger

        return IntervalTrigger(**{f"{unit}s": n}, timezone=LONDON)
    if len(spec.split()) != 5:
        raise ValueError("neither 'every N seconds|minutes|hours' nor a 5-field cron line")
    from apscheduler.triggers.cron import CronTrigger

    try:
        return CronTrigger.from_crontab(spec, timezone=LONDON)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a valid cron line: {exc}") from None


def schedule_problem(spec: str) -> str | None:
    try:
        trigger_for(spec)
    except ValueError as exc:
        return str(exc)
    return None
