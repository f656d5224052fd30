"""Release slots within WDTK's per-account limits. Pure: times in, times out."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable

from bot.config import PaceLimit


def next_slot(
    history: list[dt.datetime], earliest: dt.datetime, limits: Iterable[PaceLimit]
) -> dt.datetime:
    """The first moment at or after `earliest` (and after every slot in the sorted
    `history`) at which one more release keeps each rolling window within its limit.

    New slots only ever go after the last planned one, so slots already given out are
    never reshuffled and only windows ending at the new slot need checking.
    """
    limits = list(limits)
    t = max([earliest, *history[-1:]])
    while True:
        moved = False
        for limit in limits:
            window = dt.timedelta(minutes=limit.minutes)
            inside = history[bisect_right(history, t - window) :]
            if len(inside) >= limit.count:
                # Wait until enough of the window's releases have aged out of it.
                t, moved = inside[len(inside) - limit.count] + window, True
        if not moved:
            return t


def plan_slots(
    history: Iterable[dt.datetime], count: int, earliest: dt.datetime, limits: Iterable[PaceLimit]
) -> list[dt.datetime]:
    """`count` new slots, each as early as the limits allow after everything in `history`."""
    planned = sorted(history)
    limits = list(limits)
    slots = []
    for _ in range(count):
        slot = next_slot(planned, earliest, limits)
        slots.append(slot)
        planned.append(slot)
    return slots


def with_margin(limits: Iterable[PaceLimit], minutes: int) -> tuple[PaceLimit, ...]:
    """The limits with each window widened by `minutes`: what a human is told to keep, so
    that a send a little early by WDTK's clock still falls within WDTK's own limits."""
    return tuple(PaceLimit(limit.count, limit.minutes + minutes) for limit in limits)


def send_after(
    sent: Iterable[dt.datetime],
    count: int,
    now: dt.datetime,
    limits: Iterable[PaceLimit],
    margin_minutes: int,
) -> list[dt.datetime]:
    """When each of `count` released-but-unsent requests may be sent, in order, given the
    sends WDTK already shows: each as early as the widened limits allow, none before now."""
    return plan_slots(sent, count, now, with_margin(limits, margin_minutes))


def may_release(unsent: int, max_unsent: int) -> int:
    """How many more requests may be released while `unsent` wait to be sent."""
    return max(0, max_unsent - unsent)
