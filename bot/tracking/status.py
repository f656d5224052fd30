"""What a WDTK request's payload means for us: its clock, its dates, its status. Pure.

Logic keys on `described_state`, `awaiting_description` and our own date arithmetic,
never on WDTK's `display_status` prose (it is translated and has changed before).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot import deadlines as dl
from bot.bodies import law_for_tags
from bot.wdtk.payload import WdtkRequest, tag_strings
from bot.wdtk.states import clock_start, review_start

OVERDUE_STATUSES = frozenset(
    {"waiting_response_overdue", "waiting_response_very_overdue", "internal_review_overdue"}
)
LOCAL_STATUSES = frozenset({"draft", "ready", "cancelled"})  # not (yet) on WDTK


@dataclass(frozen=True)
class Tracked:
    """The columns of a `requests` row that a WDTK payload decides."""

    wdtk_id: int
    url_title: str
    title: str
    status: str  # the stored state: described_state, before date arithmetic
    awaiting_description: bool
    display_status: str | None
    law: str
    tags: str  # space-separated, WDTK's tag_string form
    sent_on: str | None
    due: str | None
    very_overdue_after: str | None
    review_started_on: str | None
    wdtk_user: str | None
    wdtk_created_at: str | None = None  # when the request was made on WDTK (UTC ISO)

    def as_row(self) -> dict:
        return {
            "wdtk_id": self.wdtk_id,
            "url_title": self.url_title,
            "title": self.title,
            "status": self.status,
            "awaiting_description": int(self.awaiting_description),
            "display_status": self.display_status,
            "law": self.law,
            "wdtk_tags": self.tags,
            "sent_on": self.sent_on,
            "due": self.due,
            "very_overdue_after": self.very_overdue_after,
            "review_started_on": self.review_started_on,
            "wdtk_user": self.wdtk_user,
            "wdtk_created_at": self.wdtk_created_at,
        }


def law_of(request: WdtkRequest, body_law: str | None) -> str:
    """The Act: the body's tags decide Scotland; WDTK's `law_used` says EIR or FOI."""
    tag_law = (
        law_for_tags(tag_strings(request.public_body.tags)) if request.public_body else None
    )
    scottish = body_law in ("foisa", "eisr") or tag_law in ("foisa", "eisr")
    eir = request.law_used == "eir" or body_law in ("eir", "eisr")
    return {
        (False, False): "foi",
        (False, True): "eir",
        (True, False): "foisa",
        (True, True): "eisr",
    }[(scottish, eir)]


def track(request: WdtkRequest, *, law: str, school: bool, calendar: dl.WorkingCalendar) -> Tracked:
    start = clock_start(request.events)
    sent_on = due = very = None
    if start is not None:
        received = dl.receipt_date(start.created_at)
        dates = dl.compute_deadlines(received, law, school=school, calendar=calendar)
        sent_on, due, very = (
            received.isoformat(),
            dates.due.isoformat(),
            dates.very_overdue_after.isoformat(),
        )
    review = review_start(request.events, request.described_state)
    return Tracked(
        wdtk_id=request.id,
        url_title=request.url_title,
        title=request.title,
        status=request.described_state,
        awaiting_description=request.awaiting_description,
        display_status=request.display_status,
        law=law,
        tags=" ".join(tag_strings(request.tags)),
        sent_on=sent_on,
        due=due,
        very_overdue_after=very,
        review_started_on=dl.receipt_date(review.created_at).isoformat() if review else None,
        wdtk_user=request.user_url_name,
        wdtk_created_at=request.created_at.astimezone(dt.UTC).isoformat()
        if request.created_at
        else None,
    )


def live_status(row: dict, today: dt.date, calendar: dl.WorkingCalendar | None = None) -> str:
    """What a request's status is today (Alaveteli's `calculate_status`, plus our own
    `ready`, `hidden` and `internal_review_overdue`). Flips on the day *after* a deadline."""
    status = row["status"]
    if status in LOCAL_STATUSES or status in ("hidden", "gone"):
        return status
    if row.get("awaiting_description"):
        return "waiting_classification"
    iso = today.isoformat()
    if status == "internal_review":
        if row.get("review_started_on") and row.get("law"):
            started = dt.date.fromisoformat(row["review_started_on"])
            clock = dl.review_deadlines(started, row["law"], calendar)
            if today > clock.expected:
                return "internal_review_overdue"
        return status
    if status != "waiting_response":
        return status
    if row.get("very_overdue_after") and iso > row["very_overdue_after"]:
        return "waiting_response_very_overdue"
    if row.get("due") and iso > row["due"]:
        return "waiting_response_overdue"
    return status


@dataclass(frozen=True)
class Lateness:
    """How late a request is, and the deadline that lateness is counted from."""

    working_days: int
    counted_from: dt.date


def lateness(row: dict, today: dt.date, calendar: dl.WorkingCalendar) -> Lateness | None:
    """Working days past the deadline the request's live status refers to: the response
    due date, or for a review the review's due date. None for a request that is not late.
    A late request is at least one working day late, even counted on a weekend."""
    status = live_status(row, today, calendar)
    if status in ("waiting_response_overdue", "waiting_response_very_overdue") and row.get("due"):
        deadline = dt.date.fromisoformat(row["due"])
    elif status == "internal_review_overdue":
        started = dt.date.fromisoformat(row["review_started_on"])
        deadline = dl.review_deadlines(started, row["law"], calendar).expected
    else:
        return None
    return Lateness(max(1, calendar.working_days_between(deadline, today)), deadline)


def working_days_late(row: dict, today: dt.date, calendar: dl.WorkingCalendar) -> int | None:
    """Working days past the deadline the status refers to, for late requests; else None."""
    late = lateness(row, today, calendar)
    return late.working_days if late else None
