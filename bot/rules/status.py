"""The status rule: what a stored request's status is today, how late it is, and the dates
behind that. Pure. `status`, `overdue`, `show`, `track`, the reports, the follow-up rules
and the poll's transitions all ask this module; one call of `status_row` decides a row's
status, lateness and review dates.

The statuses are Alaveteli's (`InfoRequest#calculate_status`), plus foibot's own
(bot/statuses.py). A deadline is met on its day: FOIA s.10(1) allows "not later than the
twentieth working day", so a request is late from the day after.

A request under no FOI law (law "none": the body is tagged `foi_no` on WDTK and answers
voluntarily) is never late: its stored `due` is only a courtesy date, after which a
polite reminder may be sent. The rule shows it as `remind_after`, never as a due date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from operator import attrgetter
from typing import Any, NamedTuple

from bot import deadlines as dl
from bot.laws import NONE, SCOTTISH
from bot.statuses import AWAITING, LATE_REPLY, LOCAL, REFUSED, Status
from bot.wdtk.urls import request_url

UNCLASSIFIED_NOTE = "reply unclassified: classify it on WDTK"

# Shown as stored: no date decides them.
_AS_STORED = LOCAL | {Status.HIDDEN, Status.GONE}
# The statuses the rule compares against, bound once: looking an enum member up costs as
# much as the comparison, and the rule runs for every request `status` lists.
_WAITING = Status.WAITING_RESPONSE
_REVIEW = Status.INTERNAL_REVIEW
_UNCLASSIFIED = Status.WAITING_CLASSIFICATION
_OVERDUE = Status.WAITING_RESPONSE_OVERDUE
_VERY_OVERDUE = Status.WAITING_RESPONSE_VERY_OVERDUE
_REVIEW_OVERDUE = Status.INTERNAL_REVIEW_OVERDUE


class StoredRequest(NamedTuple):
    """The stored columns of a request that the status rule reads, as the store gives
    them (`Store.status_source`), with `last_reply`: for a refusal, the UTC time of its
    latest reply, from which its review window runs."""

    ref: str
    campaign: str | None = None
    body: str | None = None
    title: str | None = None
    status: str = Status.DRAFT
    wdtk_id: int | None = None
    url_title: str | None = None
    sent_on: str | None = None
    due: str | None = None  # ISO dates, as stored
    very_overdue_after: str | None = None
    slot_at: str | None = None
    law: str | None = None
    poll_error: str | None = None
    awaiting_description: int | None = None
    review_started_on: str | None = None
    answered_at: str | None = None  # UTC ISO timestamps, as stored
    last_confirmed_at: str | None = None
    last_confirmed_via: str | None = None
    stage: str | None = None
    is_school: int | None = None  # the body is a school or academy (tagged so on WDTK)
    last_reply: str | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> StoredRequest:
        """The record of a stored row read some other way (a `requests` row as a dict);
        the columns it lacks are None."""
        return cls(*map(row.get, cls._fields))


class Lateness(NamedTuple):
    """How late a request is, the deadline that lateness is counted from, and (for a
    review) the latest date the review may take."""

    working_days: int
    counted_from: dt.date
    latest: dt.date | None = None
    unclassified: bool = False  # a reply waits to be classified on WDTK; none is an answer
    very: bool = False  # unclassified, and past the day it would be very overdue too


class StatusRule:
    """The status rule as of one UK day, `today`. `row(stored)` decides a stored request's
    status, how late it is and its review dates, each once; `calendar(law)` gives the
    working-day calendar of a law (with the project's holiday overrides)."""

    def __init__(
        self,
        today: dt.date,
        calendar: Callable[[str], dl.WorkingCalendar],
        base_url: str = "",
    ) -> None:
        self.today = today
        self.iso = today.isoformat()  # stored dates are ISO text: compared as text
        self.base_url = base_url
        self._calendar = calendar
        self._calendars: dict[str, dl.WorkingCalendar] = {}

    def calendar(self, law: str | None) -> dl.WorkingCalendar:
        law = law or "foi"
        cal = self._calendars.get(law)
        if cal is None:
            cal = self._calendars[law] = self._calendar(law)
        return cal

    def status(self, row: StoredRequest) -> str:
        """What a request's status is today (Alaveteli's `calculate_status`, plus our own
        `ready`, `hidden` and `internal_review_overdue`). Flips on the day *after* a
        deadline: FOIA s.10(1) allows "not later than the twentieth working day"."""
        status = row.status
        if status in _AS_STORED:
            return status
        if row.awaiting_description:
            return _UNCLASSIFIED
        if status == _REVIEW:
            clock = self.review_clock(row)
            return _REVIEW_OVERDUE if clock and self.today > clock.expected else status
        if status != _WAITING or row.law == NONE:
            # No FOI law, no statutory deadline: a voluntary request is never overdue.
            return status
        very, due = row.very_overdue_after, row.due
        if very and self.iso > very:
            return _VERY_OVERDUE
        if due and self.iso > due and not school_limit(row):
            return _OVERDUE
        return status

    def review_clock(self, row: StoredRequest) -> dl.ReviewClock | None:
        """The internal review's clock, from the day the review request was received."""
        started, law = row.review_started_on, row.law
        if not (started and law) or law == NONE:  # a voluntary review has no clock
            return None
        return dl.review_deadlines(dt.date.fromisoformat(started), law, self.calendar(law))

    def lateness(self, row: StoredRequest, status: str) -> Lateness | None:
        """Working days past the deadline the live `status` refers to: the response due
        date, or for a review the review's due date; None for a request that is not late.
        A late request is at least one working day late, even counted on a weekend."""
        if row.status not in AWAITING or row.law == NONE:
            return None
        due = breach_after(row)
        latest = None
        unclassified = very_late = False
        if status in LATE_REPLY and due:
            deadline = dt.date.fromisoformat(due)
        elif status == _UNCLASSIFIED and due and unanswered_unclassified(row):
            if self.iso <= due:
                return None
            deadline, unclassified = dt.date.fromisoformat(due), True
            very = row.very_overdue_after
            very_late = bool(very and self.iso > very)
        elif status == _REVIEW_OVERDUE:
            clock = self.review_clock(row)
            deadline, latest = clock.expected, clock.latest
        else:
            return None
        days = self.calendar(row.law).working_days_between(deadline, self.today)
        return Lateness(max(1, days), deadline, latest, unclassified, very_late)

    def review_by(
        self, row: StoredRequest, status: str, answered: dt.date | None
    ) -> dt.date | None:
        """The last day to ask for (Scotland: to require) an internal review, while one is
        the next step; None otherwise.

        40 working days after the day `review_counted_from` gives: FOISA s.20(5), EISR
        reg 16(2), EIR reg 11(2), ICO guidance for FOIA. The Commissioner takes no
        application before a review (FOISA s.47(1)). No FOI law (law "none"): no review
        to ask for."""
        if row.law == NONE:
            return None
        start = review_counted_from(row, status, answered, self.today)
        if start is None:
            return None
        law = row.law or "foi"
        return dl.review_request_by(start, law, self.calendar(law))

    def row(self, row: StoredRequest, answered: dt.date | None = None) -> StatusRow:
        """The StatusRow of a stored request. `answered`: the UK date of the body's latest
        reply, if any (a refusal's review window runs from it)."""
        status = self.status(row)
        return self._row(row, status, self.lateness(row, status), answered)

    def late_row(self, row: StoredRequest, answered: dt.date | None = None) -> StatusRow | None:
        """The StatusRow of a request that is late today; None, with nothing more worked
        out, for one that is not."""
        status = self.status(row)
        late = self.lateness(row, status)
        return None if late is None else self._row(row, status, late, answered)

    def _row(
        self, row: StoredRequest, status: str, late: Lateness | None, answered: dt.date | None
    ) -> StatusRow:
        by = self.review_by(row, status, answered)
        answer = row.answered_at
        answered_on = dl.receipt_date(answer) if answer else None
        due, very, remind = row.due, row.very_overdue_after, None
        if row.law == NONE:  # its `due` is a courtesy date, not a deadline
            due, very, remind = None, None, row.due
        return StatusRow(
            row.ref, row.campaign, row.body, row.title or "", status,
            row.wdtk_id, request_url(self.base_url, row.url_title, row.wdtk_id),
            row.sent_on, due, very,
            late.working_days if late else None, row.law, row.slot_at,
            row.poll_error, row.stage, by.isoformat() if by else None,
            late.counted_from.isoformat() if late else None,
            late.latest.isoformat() if late and late.latest else None,
            answered_on.isoformat() if answered_on else None,
            answered_late(breach_after(row), answered_on, self.calendar(row.law)),
            UNCLASSIFIED_NOTE if late and late.unclassified else None,
            row.last_confirmed_at, row.last_confirmed_via, remind, school_note(row),
        )  # fmt: skip


def _one_calendar(calendar: dl.WorkingCalendar | None) -> Callable[[str], dl.WorkingCalendar]:
    """The calendar a caller gave for its row's law, or (none given) each law's own."""
    return (lambda _law: calendar) if calendar is not None else dl.calendar_for


def live_status(row: dict, today: dt.date, calendar: dl.WorkingCalendar | None = None) -> str:
    """StatusRule.status for one request, counted on `calendar` (its law's)."""
    return StatusRule(today, _one_calendar(calendar)).status(StoredRequest.of(row))


def review_clock(row: dict, calendar: dl.WorkingCalendar) -> dl.ReviewClock | None:
    """StatusRule.review_clock for one request: its internal review's clock, if one runs
    under a law that has one."""
    return StatusRule(dt.date.min, _one_calendar(calendar)).review_clock(StoredRequest.of(row))


def lateness(row: dict, today: dt.date, calendar: dl.WorkingCalendar) -> Lateness | None:
    """StatusRule.lateness for one request, as of `today`."""
    rule, stored = StatusRule(today, _one_calendar(calendar)), StoredRequest.of(row)
    return rule.lateness(stored, rule.status(stored))


def review_by(
    row: dict, today: dt.date, calendar: dl.WorkingCalendar, answered: dt.date | None = None
) -> dt.date | None:
    """StatusRule.review_by for one request, as of `today`."""
    rule, stored = StatusRule(today, _one_calendar(calendar)), StoredRequest.of(row)
    return rule.review_by(stored, rule.status(stored), answered)


def review_counted_from(
    row: StoredRequest, status: str, answered: dt.date | None, today: dt.date
) -> dt.date | None:
    """The day (day 0) the 40 working days to ask for a review run from, while a review is
    the next step; None otherwise. `answered`: the UK date of the body's latest reply.

    FOISA s.20(5): a requirement for review must be made by the fortieth working day after
    "(a) the expiry of the time allowed by or by virtue of section 10 for complying with
    the request; or (b) in a case where the authority [answers or gives a notice] late, the
    receipt by the applicant of the information provided or, as the case may be, the
    notice". So the due date for no answer or an answer in time, and the answer's receipt
    only for a late one: the later of the two. EISR reg 16(2) counts from the day the
    applicant "receives any decision or notification", or from the date by which one
    should have been made; EIR reg 11(2) from the failure complained of; the ICO's FOIA
    guidance from the answer. Under those a refusal counts from its receipt."""
    law, due = row.law or "foi", row.due
    if status in REFUSED:
        if answered is not None and law == "foisa" and due:
            return max(answered, dt.date.fromisoformat(due))
        return answered
    # Scotland: from the end of the time to answer, answered in time or never; a reply
    # nobody has classified may be an acknowledgement, so it counts as none (the window
    # of an answer that came late, s.20(5)(b), would only end later).
    unanswered = status in LATE_REPLY or (
        unanswered_unclassified(row) and due is not None and today.isoformat() > due
    )
    if unanswered and law in SCOTTISH and due:
        return dt.date.fromisoformat(due)
    return None


def school_limit(row: StoredRequest) -> bool:
    """The FOIA schools variation applies: the body is a school or academy, the law is FOIA,
    and `very_overdue_after` is the 60th working day. FOIA s.10(4) and SI 2004/3364 reg 3
    (maintained schools, England and Wales), SI 2009/1369 reg 2 (Northern Ireland), SI
    2010/2768 (academies): the 20th working day "disregarding any working day which ... is
    not a school day", or the 60th, whichever comes first. Without the school's term dates
    the breach is certain only after the 60th, so the request is late only from then."""
    return bool(row.is_school) and (row.law or "foi") == "foi" and bool(row.very_overdue_after)


def breach_after(row: StoredRequest) -> str | None:
    """The stored day after which no answer is a breach of the law: the due date, or a
    school's 60th working day."""
    return row.very_overdue_after if school_limit(row) else row.due


def school_note(row: StoredRequest) -> str | None:
    """What a school's due date means, while the request waits for its answer: "due by day
    20 (2026-03-31), may run to day 60 (2026-06-01) (schools)"."""
    if not school_limit(row) or row.status != _WAITING:
        return None
    return f"due by day 20 ({row.due}), may run to day 60 ({row.very_overdue_after}) (schools)"


def unanswered_unclassified(row: StoredRequest) -> bool:
    """A reply came but nobody has classified it, and no reply so far is an answer: for
    the requester the request is still unanswered (it may be an acknowledgement)."""
    return bool(row.awaiting_description and row.status == _WAITING and not row.answered_at)


def answered_late(
    due: str | None, answered: dt.date | None, calendar: dl.WorkingCalendar
) -> int | None:
    """Working days after the due date that the answer (received on `answered`) came, for a
    late answer."""
    if answered is None or not due:
        return None
    due_day = dt.date.fromisoformat(due)
    return calendar.working_days_between(due_day, answered) if answered > due_day else None


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
    # No FOI law (law "none"): the day after which a polite reminder may be sent; `due`
    # and `very_overdue_after` are then None, since nothing is due by law.
    remind_after: str | None = None
    # A school's limit (FOIA, SI 2004/3364 and after): "due by day 20 (...), may run to day
    # 60 (...) (schools)"; None for any other request.
    due_note: str | None = None

    def as_json(self) -> dict[str, Any]:
        return self._asdict()


def status_row(
    row: dict,
    base_url: str,
    today: dt.date,
    calendar: Callable[[str], dl.WorkingCalendar],
    answered: dt.date | None = None,
) -> StatusRow:
    """StatusRule.row for one stored request row, as of `today`."""
    return StatusRule(today, calendar, base_url).row(StoredRequest.of(row), answered)


def overdue_rows(rows: Iterable[StatusRow]) -> list[StatusRow]:
    """Only the late ones, most late first, then by the date lateness counts from and by
    ref. (Two stable sorts: by date and ref, then by days late, most first.)"""
    late = [r for r in rows if r.days_overdue is not None]
    late.sort(key=attrgetter("late_from", "ref"))
    late.sort(key=attrgetter("days_overdue"), reverse=True)
    return late


def status_rows(
    source: Iterable[StoredRequest],
    base_url: str,
    today: dt.date,
    calendar: Callable[[str], dl.WorkingCalendar],
    *,
    late_only: bool = False,
) -> Iterator[StatusRow]:
    """The StatusRow of each stored row (with `late_only`, of each late one), as they come;
    a row's `last_reply` (UTC, read for refusals) gives the date its review window runs
    from."""
    rule = StatusRule(today, calendar, base_url)
    make = rule.late_row if late_only else rule.row
    for row in source:
        try:
            made = make(row, dl.receipt_date(row.last_reply) if row.last_reply else None)
        except dl.DeadlineError as exc:  # a stored law or date the rule cannot count with
            raise dl.DeadlineError(f"request {row.ref}: {exc}") from None
        if made is not None:
            yield made
