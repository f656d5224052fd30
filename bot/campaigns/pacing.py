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
