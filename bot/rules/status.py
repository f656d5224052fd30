"""The status rule: what a stored request's status is today, how late it is, and the dates
behind that. Pure. `status`, `overdue`, `show`, `track`, the reports, the follow-up rules
and the poll's transitions all ask this module; one call of `status_row` decides a row's
status, lateness and review dates.

The statuses are Alaveteli's (`InfoRequest#calculate_status`), plus foibot's own
(bot/statuses.py). A deadline is met on its day: FOIA s.10(1) allows "not later than the
twentieth working day", so a request is late from the day after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from bot import deadlines as dl
from bot.laws import SCOTTISH
from bot.statuses import LATE_REPLY, LOCAL, REFUSED, Status
from bot.wdtk.urls import request_url

UNCLASSIFIED_NOTE = "reply unclassified: classify it on WDTK"


def live_status(row: dict, today: dt.date, calendar: dl.WorkingCalendar | None = None) -> str:
    """What a request's status is today (Alaveteli's `calculate_status`, plus our own
    `ready`, `hidden` and `internal_review_overdue`). Flips on the day *after* a deadline:
    FOIA s.10(1) allows "not later than the twentieth working day"."""
    status = row["status"]
    if status in LOCAL or status in (Status.HIDDEN, Status.GONE):
        return status
    if row.get("awaiting_description"):
        return Status.WAITING_CLASSIFICATION
    if status == Status.INTERNAL_REVIEW:
        clock = _review_clock(row, calendar)
        if clock is not None and today > clock.expected:
            return Status.INTERNAL_REVIEW_OVERDUE
        return status
    if status != Status.WAITING_RESPONSE:
        return status
    iso = today.isoformat()
    if row.get("very_overdue_after") and iso > row["very_overdue_after"]:
        return Status.WAITING_RESPONSE_VERY_OVERDUE
    if row.get("due") and iso > row["due"]:
        return Status.WAITING_RESPONSE_OVERDUE
    return status


def _review_clock(row: dict, calendar: dl.WorkingCalendar | None) -> dl.ReviewClock | None:
    """The internal review's clock, from the day the review request was received."""
    if not (row.get("review_started_on") and row.get("law")):
        return None
    started = dt.date.fromisoformat(row["review_started_on"])
    return dl.review_deadlines(started, row["law"], calendar)


class Lateness(NamedTuple):
    """How late a request is, the deadline that lateness is counted from, and (for a
    review) the latest date the review may take."""

    working_days: int
    counted_from: dt.date
    latest: dt.date | None = None
    unclassified: bool = False  # a reply waits to be classified on WDTK; none is an answer


def unanswered_unclassified(row: dict) -> bool:
    """A reply came but nobody has classified it, and no reply so far is an answer: for
    the requester the request is still unanswered (it may be an acknowledgement)."""
    return bool(
        row.get("awaiting_description")
        and row["status"] == Status.WAITING_RESPONSE
        and not row.get("answered_at")
    )


def lateness(row: dict, today: dt.date, calendar: dl.WorkingCalendar) -> Lateness | None:
    """Working days past the deadline the request's live status refers to: the response
    due date, or for a review the review's due date. None for a request that is not late."""
    return lateness_of(row, live_status(row, today, calendar), today, calendar)


def lateness_of(
    row: dict, status: str, today: dt.date, calendar: dl.WorkingCalendar
) -> Lateness | None:
    """`lateness` for a row whose live status is already known. A late request is at
    least one working day late, even counted on a weekend."""
    latest = None
    unclassified = False
    if status in LATE_REPLY and row.get("due"):
        deadline = dt.date.fromisoformat(row["due"])
    elif (
        status == Status.WAITING_CLASSIFICATION and unanswered_unclassified(row) and row.get("due")
    ):
        deadline = dt.date.fromisoformat(row["due"])
        if today <= deadline:
            return None
        unclassified = True
    elif status == Status.INTERNAL_REVIEW_OVERDUE:
        clock = _review_clock(row, calendar)
        deadline, latest = clock.expected, clock.latest
    else:
        return None
    days = max(1, calendar.working_days_between(deadline, today))
    return Lateness(days, deadline, latest, unclassified)


def answered_late(
    due: str | None, answered: dt.date | None, calendar: dl.WorkingCalendar
) -> int | None:
    """Working days after the due date that the answer (received on `answered`) came, for a
    late answer."""
    if answered is None or not due:
        return None
    due_day = dt.date.fromisoformat(due)
    return calendar.working_days_between(due_day, answered) if answered > due_day else None


def review_by(
    row: dict, today: dt.date, calendar: dl.WorkingCalendar, answered: dt.date | None = None
) -> dt.date | None:
    """The last day to ask for (Scotland: to require) an internal review, while one is the
    next step; None otherwise (see `review_by_of`)."""
    return review_by_of(row, live_status(row, today, calendar), calendar, answered)


def review_by_of(
    row: dict, status: str, calendar: dl.WorkingCalendar, answered: dt.date | None = None
) -> dt.date | None:
    """`review_by` for a row whose live status is already known.

    FOISA/EISR request with no reply: s.20(5)(a) FOISA (EISR reg 16) -- 40 working days
    after the 20-working-day period expired; the Commissioner takes no application
    before a review (s.47(1)). A refusal or partial answer (`answered` is the reply's
    date): 40 working days after it (ICO guidance for FOIA; EIR reg 11(2); FOISA s.20(5))."""
    law = row.get("law") or "foi"
    if law in SCOTTISH and status in LATE_REPLY and row.get("due"):
        return dl.review_request_by(dt.date.fromisoformat(row["due"]), law, calendar)
    if status in REFUSED and answered is not None:
        return dl.review_request_by(answered, law, calendar)
    return None


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
    get = row.get
    due = row["due"]
    return StatusRow(
        row["ref"], row["campaign"], row["body"], row["title"] or "", status, row["wdtk_id"],
        request_url(base_url, row["url_title"], row["wdtk_id"]), row["sent_on"], due,
        row["very_overdue_after"], late.working_days if late else None, get("law"),
        row["slot_at"], get("poll_error"), get("stage"), by.isoformat() if by else None,
        late.counted_from.isoformat() if late else None,
        late.latest.isoformat() if late and late.latest else None,
        answered_on.isoformat() if answered_on else None, answered_late(due, answered_on, cal),
        UNCLASSIFIED_NOTE if late and late.unclassified else None,
        get("last_confirmed_at"), get("last_confirmed_via"),
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
