"""Time helpers. The UK calendar decides what "today" is for every deadline."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_today(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.UTC)).astimezone(LONDON).date()


def format_uk(moment: str | dt.datetime | None) -> str:
    """A stored UTC timestamp as a campaigner reads it: UK local time."""
    return _uk_text(moment, "%a %d %b %Y %H")


def format_uk_short(moment: str | dt.datetime | None) -> str:
    """format_uk without the weekday and year, for a column of this year's times: "20 Mar
    09:05"."""
    return _uk_text(moment, "%d %b %H")


def _uk_text(moment: str | dt.datetime | None, up_to_hour: str) -> str:
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.astimezone(LONDON).strftime(up_to_hour + ":%M")
