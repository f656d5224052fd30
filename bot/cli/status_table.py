"""The table `foibot status` prints, and the cells it shares with `overdue` (computed in
bot/views/status.py, which the web status table uses too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.cli.output import echo, print_table
from bot.rules.status import StatusRow
from bot.views.status import (  # noqa: F401 - the cells' old home, still imported from here
    HEADERS,
    late_from_cell,
    review_by_cell,
    review_by_passed,
)
from bot.views.status import status_cells as _cells


def show_table(rows: Iterable[StatusRow], *, filtered: bool, today: dt.date | None = None) -> None:
    """The status table, then a count by status; `filtered`: a campaign or group was asked
    for (no hint on how to start, then). Every row is read (where any error is raised)
    before anything is printed."""
    counts: dict[str, int] = {}
    cells = []
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
        cells.append(_cells(r, today))
    if not cells:
        hint = " `foibot track URL` follows a WDTK request; `foibot draft CAMPAIGN` drafts a campaign."
        echo("No requests yet." + ("" if filtered else hint))
        return
    print_table(HEADERS, cells)
    echo(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
