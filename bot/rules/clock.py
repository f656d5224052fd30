"""A request's clock: what a WDTK payload says about when the clock started and what is
due when, with the extensions recorded for it. Pure.

Logic keys on `described_state`, `awaiting_description` and our own date arithmetic,
never on WDTK's `display_status` prose (it is translated and has changed before).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from bot import deadlines as dl
from bot.bodies import law_for_tags
from bot.laws import ENVIRONMENTAL, NONE, SCOTTISH, law_for
from bot.wdtk.payload import WdtkRequest, tag_strings
from bot.wdtk.states import clock_start, first_answer, first_reply, review_start


@dataclass(frozen=True)
class ClockAdjust:
    """Extensions and fee pauses recorded with `foibot extend` for one clock.

    They belong to the clock started on `sent_on`: a clarification or resend starts a new
    clock, to which they do not carry over. Stored as JSON in `requests.clock_adjust`;
    each change is also an `extension` event in the request's history."""

    sent_on: str
    eir_extended: bool = False  # EIR reg 7(1) / EISR reg 7(1): 40 working days
    pit_until: str | None = None  # FOIA s.10(3): the date the body gave
    fee_pauses: tuple[tuple[str, str], ...] = field(default=())  # FOIA/FOISA s.10(2)

    def as_json(self) -> str:
        return json.dumps(
            {
                "sent_on": self.sent_on,
                "eir_extended": self.eir_extended,
                "pit_until": self.pit_until,
                "fee_pauses": [list(p) for p in self.fee_pauses],
            }
        )

    @classmethod
    def from_row(cls, row: dict | None) -> ClockAdjust | None:
        raw = (row or {}).get("clock_adjust")
        if not raw:
            return None
        data = json.loads(raw)
        return cls(
            sent_on=data["sent_on"],
            eir_extended=bool(data.get("eir_extended")),
            pit_until=data.get("pit_until"),
            fee_pauses=tuple((a, b) for a, b in data.get("fee_pauses") or ()),
        )

    def deadlines(self, law: str, school: bool, calendar: dl.WorkingCalendar) -> dl.Deadlines:
        return dl.compute_deadlines(
            dt.date.fromisoformat(self.sent_on),
            law,
            school=school,
            calendar=calendar,
            eir_extended=self.eir_extended,
            pit_extension_to=dt.date.fromisoformat(self.pit_until) if self.pit_until else None,
            fee_pauses=[
                (dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in self.fee_pauses
            ],
        )


def with_extension(
    current: ClockAdjust | None,
    sent_on: str,
    *,
    eir_extended: bool = False,
    pit_until: dt.date | None = None,
    fee_pauses: list[tuple[dt.date, dt.date]] | tuple = (),
) -> ClockAdjust:
    """`current` plus what was just recorded, for the clock started on `sent_on`: a record
    for an earlier clock is dropped, since a restarted clock owes nothing to it."""
    dl.check_fee_notices(dt.date.fromisoformat(sent_on), fee_pauses)
    if current is None or current.sent_on != sent_on:
        current = ClockAdjust(sent_on)
    pauses = {*current.fee_pauses, *((a.isoformat(), b.isoformat()) for a, b in fee_pauses)}
    return ClockAdjust(
        sent_on=sent_on,
        eir_extended=current.eir_extended or eir_extended,
        pit_until=pit_until.isoformat() if pit_until else current.pit_until,
        fee_pauses=tuple(sorted(pauses)),
    )


def effective_dates(dates: dl.Deadlines) -> tuple[dt.date, dt.date]:
    """(due, very overdue after) as status, chasers and reports should use them.

    A public-interest extension (FOIA s.10(3)) leaves the statutory `due` at day 20 for the
    refusal notice, which the body has sent when it claims one; what the requester waits
    for is the date the body gave, so that is when the reply becomes late."""
    due, very = dates.due, dates.very_overdue_after
    if dates.extension_due is not None and dates.extension_due > due:
        due = dates.extension_due
        very = max(very, due)
    return due, very


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
    first_reply_at: str | None = None  # the first reply on the current clock (UTC ISO)
    answered_at: str | None = None  # the reply that answered it, once classified (UTC ISO)

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
            "first_reply_at": self.first_reply_at,
            "answered_at": self.answered_at,
        }


def law_of(request: WdtkRequest, body_law: str | None) -> str:
    """The Act: the body's tags decide Scotland and whether FOI law applies at all
    (`foi_no`); WDTK's `law_used` says EIR or FOI. The stored body, when there is one,
    decides; else the tags WDTK sends with the request (its /body JSON)."""
    tag_law = (
        law_for_tags(tag_strings(request.public_body.tags)) if request.public_body else None
    )
    scottish = body_law in SCOTTISH or tag_law in SCOTTISH
    eir = request.law_used == "eir" or body_law in ENVIRONMENTAL
    voluntary = (body_law or tag_law) == NONE
    return law_for(scottish=scottish, environmental=eir, subject_to_foi=not voluntary)


def adjusted_dates(
    row: dict, law: str, school: bool, calendar: dl.WorkingCalendar
) -> tuple[dt.date, dt.date]:
    """(due, very overdue after) for a row's clock (`sent_on`), with its recorded
    extensions when they belong to that clock."""
    adjust = ClockAdjust.from_row(row)
    if adjust is not None and adjust.sent_on == row["sent_on"]:
        return effective_dates(adjust.deadlines(law, school, calendar))
    received = dt.date.fromisoformat(row["sent_on"])
    return effective_dates(dl.compute_deadlines(received, law, school=school, calendar=calendar))


def track(
    request: WdtkRequest,
    *,
    law: str,
    school: bool,
    calendar: dl.WorkingCalendar,
    adjust: ClockAdjust | None = None,
) -> Tracked:
    """The row columns WDTK's payload decides; `adjust` (the request's recorded
    extensions) moves the due dates when it belongs to the clock WDTK shows."""
    start = clock_start(request.events)
    sent_on = due = very = None
    if start is not None:
        received = dl.receipt_date(start.created_at)
        if adjust is not None and adjust.sent_on == received.isoformat():
            dates = adjust.deadlines(law, school, calendar)
        else:
            dates = dl.compute_deadlines(received, law, school=school, calendar=calendar)
        due_day, very_day = effective_dates(dates)
        sent_on, due, very = received.isoformat(), due_day.isoformat(), very_day.isoformat()
    review = review_start(request.events, request.described_state)
    reply = first_reply(request.events, start)
    answer = first_answer(request.events, start)
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
        first_reply_at=reply.created_at.astimezone(dt.UTC).isoformat() if reply else None,
        answered_at=answer.created_at.astimezone(dt.UTC).isoformat() if answer else None,
    )
