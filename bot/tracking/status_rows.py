"""Status rows: what `status`, `overdue`, `show` and the reports show for each request.
Pure: one call of `status_row` decides a row's status, lateness and review dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from bot import deadlines as dl
from bot.tracking.status import answered_late, lateness_of, live_status, review_by_of
from bot.wdtk.urls import request_url

UNCLASSIFIED_NOTE = "reply unclassified: classify it on WDTK"


class StatusRow(NamedTuple):
    """A request's status as of one day, with the dates and counts behind it."""

    ref: str
    campaign: str | None
    body: str | None
    title: str
    status: str
    wdtk_id: int | None
    url: str | None
    sent_on: str | None
    due: str | None
    very_overdue_after: str | None
    days_overdue: int | None  # working days past the due date (or review due date)
    law: str | None
    slot: str | None
    poll_error: str | None
    stage: str | None = None  # escalation: the latest follow-up's kind and state
    # Last day to ask for (Scotland: require) an internal review, while that is the next
    # step: a refusal, or a Scottish request with no reply (FOISA s.20(5)(a)).
    review_by: str | None = None
    # The deadline days_overdue is counted from (the due date, or a review's due date),
    # and for a review the latest date it may take.
    late_from: str | None = None
    review_latest: str | None = None
    answered_on: str | None = None  # the UK date of the reply that answered it
    answered_days_late: int | None = None  # working days after the due date, if late
    note: str | None = None  # what a person should do, e.g. classify a reply on WDTK
    # When WDTK last confirmed the stored state, and by which path: "poll" (the schedule)
    # or "mail" (a WDTK alert e-mail named the request).
    last_confirmed_at: str | None = None
    last_confirmed_via: str | None = None

    def as_json(self) -> dict[str, Any]:
        return self._asdict()


def status_row(
    row: dict,
    base_url: str,
    today: dt.date,
    calendar: Callable[[str], dl.WorkingCalendar],
    answered: str | None = None,
) -> StatusRow:
    """The status row of a stored request as of `today`. `answered`: the UK date of the
    body's latest reply, if any (a refusal's review window runs from it)."""
    cal = calendar(row.get("law") or "foi")
    status = live_status(row, today, cal)
    late = lateness_of(row, status, today, cal)
    by = review_by_of(row, status, cal, dt.date.fromisoformat(answered) if answered else None)
    answer = row.get("answered_at")
    answered_on = dl.receipt_date(answer) if answer else None
    return StatusRow(
        ref=row["ref"],
        campaign=row["campaign"],
        body=row["body"],
        title=row["title"] or "",
        status=status,
        wdtk_id=row["wdtk_id"],
        url=request_url(base_url, row["url_title"], row["wdtk_id"]),
        sent_on=row["sent_on"],
        due=row["due"],
        very_overdue_after=row["very_overdue_after"],
        days_overdue=late.working_days if late else None,
        law=row.get("law"),
        slot=row["slot_at"],
        poll_error=row.get("poll_error"),
        stage=row.get("stage"),
        review_by=by.isoformat() if by else None,
        late_from=late.counted_from.isoformat() if late else None,
        review_latest=late.latest.isoformat() if late and late.latest else None,
        answered_on=answered_on.isoformat() if answered_on else None,
        answered_days_late=answered_late(row["due"], answered_on, cal),
        note=UNCLASSIFIED_NOTE if late and late.unclassified else None,
        last_confirmed_at=row.get("last_confirmed_at"),
        last_confirmed_via=row.get("last_confirmed_via"),
    )


def overdue_rows(rows: Iterable[StatusRow]) -> list[StatusRow]:
    """Only the late ones, most late first (then by the date lateness counts from)."""
    late = [r for r in rows if r.days_overdue is not None]
    return sorted(late, key=lambda r: (-(r.days_overdue or 0), r.late_from or "", r.ref))


def status_rows(
    source: Iterable[dict],
    base_url: str,
    today: dt.date,
    calendar: Callable[[str], dl.WorkingCalendar],
) -> Iterator[StatusRow]:
    """`status_row` for each stored row, as they come; a row's `last_reply` (UTC, read for
    refusals) gives the date its review window runs from."""
    calendars: dict[str, dl.WorkingCalendar] = {}

    def calendar_of(law: str) -> dl.WorkingCalendar:
        if law not in calendars:
            calendars[law] = calendar(law)
        return calendars[law]

    for row in source:
        last = row.get("last_reply")
        answered = dl.receipt_date(last).isoformat() if last else None
        yield status_row(row, base_url, today, calendar_of, answered)
