"""Time helpers. The UK calendar decides what "today" is for every deadline."""

from __future__ import annotations

import datetime as dt
import functools
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
    # A UTC stamp as foibot writes them ("2026-03-20T09:05:00+00:00", maybe with
    # fractions): London has been a whole number of hours from UTC since 1847, so the day
    # and hour shown follow from the UTC hour, and the minute is the stamp's own. Long
    # listings show thousands of stamps from a few hours. Anything else (a malformed
    # minute or second too) takes the long way, which raises for what is not a time.
    if isinstance(moment, str):
        if (
            moment[13:14] == ":" and moment[16:17] == ":" and moment.endswith("+00:00")
            and _SIXTY.get(moment[14:16]) and _SIXTY.get(moment[17:19]) and moment >= "1848"
        ):  # fmt: skip
            return f"{_uk_hour(moment[:13], up_to_hour)}:{moment[14:16]}"
        moment = dt.datetime.fromisoformat(moment)
    return moment.astimezone(LONDON).strftime(up_to_hour + ":%M")


_SIXTY = {f"{n:02d}": True for n in range(60)}  # the minutes (and seconds) of an hour


@functools.lru_cache(maxsize=4096)
def _uk_hour(utc_hour: str, up_to_hour: str) -> str:
    return dt.datetime.fromisoformat(utc_hour + ":00+00:00").astimezone(LONDON).strftime(up_to_hour)
