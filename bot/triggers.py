"""The daemon's schedule syntax, defined once: "every N seconds|minutes|hours" or a
5-field cron line in UK time. Config validation and the daemon both build the trigger
with APScheduler itself, so what `doctor` accepts the daemon can run."""

from __future__ import annotations

import re
import sys
from typing import Any

EVERY = re.compile(r"^every\s+(\d+)\s+(second|minute|hour)s?$")


def load_apscheduler() -> None:
    """Import APScheduler without asyncio.

    APScheduler 3.x imports asyncio only for `iscoroutinefunction` (apscheduler/util.py;
    on Python 3.14+ it takes inspect's), and asyncio brings ssl with it: ~5.6 MB resident
    in an idle daemon whose jobs are plain methods. While apscheduler.util imports,
    `asyncio` is a stand-in holding inspect's function; it is removed straight after, so
    anything importing asyncio later gets the real one (tests/test_startup.py)."""
    if "apscheduler.util" in sys.modules or "asyncio" in sys.modules:
        return
    import inspect
    import types

    stand_in = types.ModuleType("asyncio")
    stand_in.iscoroutinefunction = inspect.iscoroutinefunction  # type: ignore[attr-defined]
    sys.modules["asyncio"] = stand_in
    try:
        import apscheduler.util  # noqa: F401
    finally:
        if sys.modules.get("asyncio") is stand_in:
            del sys.modules["asyncio"]


def trigger_for(spec: str) -> Any:
    """The APScheduler trigger for a schedule line. Raises ValueError saying what is wrong."""
    from bot.dates import LONDON

    match = EVERY.match(spec.strip())
    if match:
        n, unit = int(match.group(1)), match.group(2)
        if n < 1:
            raise ValueError("the interval must be at least 1")
        load_apscheduler()
        from apscheduler.triggers.interval import IntervalTrigger

        return IntervalTrigger(**{f"{unit}s": n}, timezone=LONDON)
    if len(spec.split()) != 5:
        raise ValueError("neither 'every N seconds|minutes|hours' nor a 5-field cron line")
    load_apscheduler()
    from apscheduler.triggers.cron import CronTrigger

    try:
        return CronTrigger.from_crontab(spec, timezone=LONDON)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a valid cron line: {exc}") from None


def schedule_problem(spec: str) -> str | None:
    """What is wrong with a schedule line, or None. An "every N unit" line is checked
    without APScheduler (an IntervalTrigger takes any interval a timedelta holds), so
    loading a config with one does not import it; a cron line is parsed by APScheduler."""
    match = EVERY.match(spec.strip())
    if match:
        import datetime as dt

        n, unit = int(match.group(1)), match.group(2)
        if n < 1:
            return "the interval must be at least 1"
        try:
            dt.timedelta(**{f"{unit}s": n})
        except OverflowError:
            return "the interval is too long"
        return None
    try:
        trigger_for(spec)
    except ValueError as exc:
        return str(exc)
    return None
