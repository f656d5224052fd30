"""Time helpers. The UK calendar decides what "today" is for every deadline."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_today(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.UTC)).astimezone(LONDON).date()


def london_now() -> dt.datetime:
    return dt.datetime.now(LONDON)


def format_uk(moment: str | dt.datetime | None) -> str:
    """A stored UTC timestamp as a campaigner reads it: UK local time."""
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.astimezone(LONDON).strftime("%a %d %b %Y %H:%M")
