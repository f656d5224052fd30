"""The table `foibot status` prints, and the cells it shares with `overdue`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.cli.output import echo, print_table
from bot.dates import format_uk, format_uk_short
from bot.laws import NONE
from bot.rules.status import StatusRow

HEADERS = (
    "ref", "body", "status", "sent", "due", "late", "review by", "stage", "confirmed", "title",
)  # fmt: skip


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


def _cells(r: StatusRow, today: dt.date | None) -> tuple[str, ...]:
    sent = r.sent_on or ""
    if not sent and r.slot and r.status == "draft":
        sent = f"slot {format_uk(r.slot)}"
    # How late, and from which date: "3 from 2026-03-31", or "answered 4 late".
    if r.days_overdue is not None:
        late = f"{r.days_overdue} from {r.late_from}"
    else:
        late = f"answered {r.answered_days_late} late" if r.answered_days_late else ""
    confirmed = ""
    if r.last_confirmed_at:
        # When WDTK last confirmed it, UK time, and the path: "20 Mar 09:05 mail".
        confirmed = f"{format_uk_short(r.last_confirmed_at)} {r.last_confirmed_via or 'poll'}"
    return (
        r.ref, r.body or "", r.status, sent, _due_cell(r), late, review_by_cell(r.review_by, today),
        r.stage or "", confirmed, r.title,
    )  # fmt: skip


def review_by_passed(review_by: str | None, today: dt.date | None) -> bool:
    """The last day to ask for (Scotland: require) a review has passed, under any law: a
    Scottish body need not comply with a later requirement (FOISA s.20(5) and (6)), an
    English one may refuse a late request (EIR reg 11(2); ICO guidance for FOIA)."""
    return bool(review_by and today and review_by < today.isoformat())


def review_by_cell(review_by: str | None, today: dt.date | None) -> str:
    """The `review by` cell: the last day, or "window closed on DATE" once it has passed."""
    if review_by_passed(review_by, today):
        return f"window closed on {review_by}"
    return review_by or ""


def _due_cell(r: StatusRow) -> str:
    """The due date; for a request under no FOI law, "voluntary" (nothing is due by law)."""
    if r.law == NONE:
        return "voluntary"
    if r.due_note:  # a school (FOIA): late only after the 60th working day
        return f"{r.due or ''}, may run to {r.very_overdue_after} (schools)"
    return r.due or ""


def late_from_cell(since: str | None, latest: str | None) -> str:
    """The date lateness counts from, and a later last date where the law allows one
    (FOIA reviews: 20 working days, 40 at most): "2026-04-22 (latest 2026-05-21)"."""
    if not since:
        return ""
    return f"{since} (latest {latest})" if latest and latest != since else since
