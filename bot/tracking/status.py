"""What a WDTK request's payload means for us: its clock, its dates, its status. Pure.

Logic keys on `described_state`, `awaiting_description` and our own date arithmetic,
never on WDTK's `display_status` prose (it is translated and has changed before).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bot import deadlines as dl
from bot.wdtk.payload import WdtkEvent, WdtkRequest, tag_strings

# WDTK's own vocabulary, grouped as Alaveteli's state calculator groups them.
PENDING_STATES = frozenset(
    {"waiting_response", "waiting_clarification", "gone_postal", "internal_review"}
)
CLOSED_STATES = frozenset(
    {
        "not_held",
        "rejected",
        "successful",
        "partially_successful",
        "user_withdrawn",
        "vexatious",
        "not_foi",
    }
)
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
        }


def clock_start(events: Iterable[WdtkEvent]) -> WdtkEvent | None:
    """The latest event that (re)starts the statutory clock (Alaveteli's
    `resets_due_dates?`): sent, resent, and the first follow-up after the body asked for
    clarification. Ordinary follow-ups and internal-review requests do not."""
    start, clarifying = None, False
    for event in events:
        if event.event_type in ("sent", "resent"):
            start, clarifying = event, False
        elif event.event_type == "send_error" and start is None:
            start = event
        elif event.event_type == "followup_sent" and clarifying:
            start, clarifying = event, False
        if event.described_state:
            clarifying = event.described_state == "waiting_clarification"
    return start


def review_start(events: Iterable[WdtkEvent], described_state: str) -> WdtkEvent | None:
    """The internal-review request that started the current review, if one is pending."""
    if described_state != "internal_review":
        return None
    start = None
    for event in events:
        asked = event.event_type == "followup_sent" and event.calculated_state == "internal_review"
        marked = event.described_state == "internal_review"
        if asked or (marked and start is None):
            start = event
        elif event.described_state and event.described_state != "internal_review":
            start = None
    return start


def law_of(request: WdtkRequest, body_law: str | None) -> str:
    """The Act: the body's tags decide Scotland; WDTK's `law_used` says EIR or FOI."""
    scottish = body_law in ("foisa", "eisr") or (
        request.public_body is not None
        and any(k == "scotland" for k, _ in request.public_body.tags)
    )
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


def working_days_late(row: dict, today: dt.date, calendar: dl.WorkingCalendar) -> int | None:
    """Working days past the due date, for requests that are late; None otherwise."""
    status = live_status(row, today, calendar)
    if status in ("waiting_response_overdue", "waiting_response_very_overdue") and row.get("due"):
        return calendar.working_days_between(dt.date.fromisoformat(row["due"]), today)
    if status == "internal_review_overdue":
        started = dt.date.fromisoformat(row["review_started_on"])
        expected = dl.review_deadlines(started, row["law"], calendar).expected
        return calendar.working_days_between(expected, today)
    return None
