"""Progress for long operations: a rich bar on a terminal, nothing when piped or quiet.

The bar goes to stderr, so stdout stays clean for `--json` and pipes; it is transient, so
what remains on screen afterwards is only the command's own summary.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

# Below this many items, or when nothing waits between them, a bar would only flicker.
MIN_ITEMS = 6


def pace_note(calls: int, interval_s: float) -> str:
    """How long `calls` calls to WDTK take at `interval_s` apart, as a person reads it:
    "3 s between calls to WDTK, about 15 min". Pure."""
    if interval_s <= 0:
        return "no wait between calls to WDTK"
    total = calls * interval_s
    if total < 90:
        about = f"about {max(1, round(total))} s"
    elif total < 90 * 60:
        about = f"about {round(total / 60)} min"
    else:
        about = f"about {total / 3600:.1f} h"
    return f"{interval_s:g} s between calls to WDTK, {about}"


def shown(quiet: bool = False, stream=None) -> bool:
    """Whether to draw a bar: only for a person at a terminal."""
    stream = stream or sys.stderr
    return not quiet and hasattr(stream, "isatty") and stream.isatty()


def track_progress(
    items: Iterable[T],
    total: int,
    label: str,
    *,
    quiet: bool = False,
    interval_s: float | None = None,
    calls_per_item: int = 1,
) -> Iterator[T]:
    """Yield `items`, advancing a bar labelled `label` (and the pace, when the items
    call WDTK) on a terminal; a plain pass-through otherwise."""
    if total < MIN_ITEMS or not shown(quiet):
        yield from items
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    description = label
    if interval_s is not None:
        description += f" ({pace_note(total * calls_per_item, interval_s)})"
    console = Console(stderr=True, highlight=False, markup=False, emoji=False)
    with Progress(
        TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)
