"""Tracking logic without I/O: clocks, statuses and the poll schedule."""

from __future__ import annotations

import datetime as dt

from bot import deadlines as dl
from bot.rules.status import lateness, live_status
from bot.wdtk.payload import WdtkEvent
from bot.wdtk.states import clock_start, review_start

UTC = dt.UTC
FOI = dl.calendar_for("foi")


def ev(id_, type_, when, described=None, calculated=None):
    return WdtkEvent(id_, type_, dt.datetime.fromisoformat(when), described, calculated)


def test_clock_starts_at_sent_not_created():
    events = [
        ev(1, "sent", "2026-03-02T10:00:00+00:00"),
        ev(2, "response", "2026-03-05T10:00:00+00:00"),
    ]
    assert clock_start(events).id == 1


def test_resend_restarts_the_clock():
    events = [
        ev(1, "sent", "2026-03-02T10:00:00+00:00"),
        ev(2, "resent", "2026-03-09T10:00:00+00:00"),
    ]
    assert clock_start(events).id == 2


def test_only_the_first_followup_after_clarification_restarts_it():
    events = [
        ev(1, "sent", "2026-03-02T10:00:00+00:00"),
        ev(2, "response", "2026-03-05T10:00:00+00:00"),
        ev(3, "status_update", "2026-03-05T11:00:00+00:00", described="waiting_clarification"),
        ev(4, "followup_sent", "2026-03-06T10:00:00+00:00", calculated="waiting_response"),
        ev(5, "followup_sent", "2026-03-07T10:00:00+00:00"),
    ]
    assert clock_start(events).id == 4


def test_ordinary_followup_and_review_request_do_not_restart_it():
    events = [
        ev(1, "sent", "2026-03-02T10:00:00+00:00"),
        ev(2, "followup_sent", "2026-03-20T10:00:00+00:00"),
        ev(3, "followup_sent", "2026-04-20T10:00:00+00:00", calculated="internal_review"),
    ]
    assert clock_start(events).id == 1


def test_review_starts_at_the_review_request():
    events = [
        ev(1, "sent", "2026-03-02T10:00:00+00:00"),
        ev(2, "response", "2026-03-20T10:00:00+00:00", described="rejected"),
        ev(3, "followup_sent", "2026-03-23T10:00:00+00:00", calculated="internal_review"),
    ]
    assert review_start(events, "internal_review").id == 3
    assert review_start(events, "rejected") is None


def row(**kw):
    base = {
        "status": "waiting_response",
        "awaiting_description": 0,
        "due": "2026-03-30",
        "very_overdue_after": "2026-04-29",
        "law": "foi",
        "review_started_on": None,
    }
    return {**base, **kw}


def test_status_flips_the_day_after_each_deadline():
    assert live_status(row(), dt.date(2026, 3, 30)) == "waiting_response"
    assert live_status(row(), dt.date(2026, 3, 31)) == "waiting_response_overdue"
    assert live_status(row(), dt.date(2026, 4, 29)) == "waiting_response_overdue"
    assert live_status(row(), dt.date(2026, 4, 30)) == "waiting_response_very_overdue"


def test_awaiting_classification_wins_and_only_waiting_response_goes_overdue():
    assert live_status(row(awaiting_description=1), dt.date(2026, 5, 1)) == "waiting_classification"
    assert live_status(row(status="gone_postal"), dt.date(2026, 5, 1)) == "gone_postal"
    assert live_status(row(status="ready"), dt.date(2026, 5, 1)) == "ready"


def test_internal_review_overdue_after_20_working_days_under_foia():
    # requested Mon 2026-03-02; 20 working days → Mon 2026-03-30 (17 Mar NI holiday skipped → Tue 31)
    r = row(status="internal_review", review_started_on="2026-03-02")
    assert live_status(r, dt.date(2026, 3, 31), FOI) == "internal_review"
    assert live_status(r, dt.date(2026, 4, 1), FOI) == "internal_review_overdue"
    assert _days_late(r, dt.date(2026, 4, 2), FOI) == 2


def test_working_days_late_counts_working_days_only():
    # due Mon 30 Mar 2026; Fri 3 Apr is Good Friday: Tue 31, Wed 1, Thu 2 → 3
    assert _days_late(row(), dt.date(2026, 4, 3), FOI) == 3
    assert _days_late(row(), dt.date(2026, 3, 30), FOI) is None


# --- clock restarts as WDTK counts them (Alaveteli calculate_last_event_forming_initial_request)


def test_s1_3_reclassified_between_clarification_request_and_reply_still_restarts():
    """FOIA s.1(3)/s.10(6)(b): the date of receipt becomes the day the clarification
    arrives. Re-classifying the request back to waiting_response while the requester has
    not yet answered does not end the wait, so the requester's next follow-up restarts it."""
    events = [
        ev(1, "sent", "2025-01-06T10:00:00+00:00"),
        ev(2, "response", "2025-01-08T10:00:00+00:00"),
        ev(3, "status_update", "2025-01-08T11:00:00+00:00", described="waiting_clarification"),
        ev(4, "status_update", "2025-01-09T11:00:00+00:00", described="waiting_response"),
        ev(5, "followup_sent", "2025-01-17T10:00:00+00:00"),
        ev(6, "followup_sent", "2025-01-20T10:00:00+00:00"),
    ]
    assert clock_start(events).id == 5


def test_s1_3_resend_between_clarification_request_and_reply_keeps_the_wait():
    """FOIA s.1(3): a resend of the original does not answer the clarification request;
    the clock restarts at the resend and again at the clarifying follow-up (WDTK's count:
    foibot used to stop at the resend, due 2025-02-03 where WDTK said 2025-02-17)."""
    events = [
        ev(1, "sent", "2025-01-02T10:00:00+00:00"),
        ev(2, "response", "2025-01-03T10:00:00+00:00", described="waiting_clarification"),
        ev(3, "resent", "2025-01-06T10:00:00+00:00"),
        ev(4, "followup_sent", "2025-01-20T10:00:00+00:00"),
    ]
    start = clock_start(events)
    assert start.id == 4
    received = dl.receipt_date(start.created_at)
    assert dl.compute_deadlines(received, "foi").due == dt.date(2025, 2, 17)


def test_send_error_of_the_initial_request_restarts_but_not_of_a_followup():
    def out(id_, type_, when, om):
        return WdtkEvent(id_, type_, dt.datetime.fromisoformat(when), outgoing_message_id=om)

    events = [
        out(1, "sent", "2026-03-02T10:00:00+00:00", 11),
        out(2, "followup_sent", "2026-03-04T10:00:00+00:00", 12),
        out(3, "send_error", "2026-03-04T11:00:00+00:00", 12),
    ]
    assert clock_start(events).id == 1
    assert clock_start([*events, out(4, "send_error", "2026-03-05T10:00:00+00:00", 11)]).id == 4


def _days_late(row, today, calendar):
    late = lateness(row, today, calendar)
    return late.working_days if late else None
