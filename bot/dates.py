"""Time helpers. The UK calendar decides what "today" is for every deadline."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_today(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.UTC)).astimezone(LONDON).date()


def utc_stamp(moment: dt.datetime) -> str:
    """A moment as stored: UTC, ISO 8601, to the second."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def format_uk(moment: str | dt.datetime | None, *, not_before: bool = False) -> str:
    """A stored UTC timestamp as a campaigner reads it, in UK local time: "Fri 20 Mar 2026
    09:05". `not_before`: the moment is the earliest something may happen (a send slot),
    so a time within a minute is shown as the next minute, never the one before it."""
    if not moment:
        return ""
    t = _in_uk(moment)
    if not_before and (t.second or t.microsecond):
        t = t.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return f"{_DAYS[t.weekday()]} {t.day:02d} {_MONTHS[t.month - 1]} {t.year} {t:%H:%M}"


def format_uk_short(moment: str | dt.datetime | None) -> str:
    """format_uk without the weekday and year, for a column of this year's times: "20 Mar
    09:05"."""
    if not moment:
        return ""
    t = _in_uk(moment)
    return f"{t.day:02d} {_MONTHS[t.month - 1]} {t.hour:02d}:{t.minute:02d}"


def _in_uk(moment: str | dt.datetime) -> dt.datetime:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.astimezone(LONDON)


# English names whatever the process's locale, as strftime's %a and %b give in the C locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
