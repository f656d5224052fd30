"""Which follow-up each request is due, and what it should say. Pure.

A follow-up is identified by (request, kind, cycle). The cycle names the round it
belongs to — the clock it chases, the review it escalates — so re-running drafts nothing
new, a restarted clock starts a fresh round, and a later chaser is a new cycle.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot import deadlines as dl
from bot import statuses
from bot.bodies import school_instrument
from bot.config import Config, FollowupPolicy
from bot.laws import NONE
from bot.rules.status import (
    StatusRule,
    StoredRequest,
    live_status,
    review_by,
    review_counted_from,
    school_limit,
)
from bot.statuses import LATE_REPLY, UNDER_REVIEW, Status

KIND_CODES = {"chaser": "c", "nudge": "n", "internal-review": "ir", "complaint": "co"}
REFUSED = statuses.REFUSED
REGULATORS = {
    "ico": {
        "name": "the Information Commissioner's Office",
        "short": "ICO",
        "url": "https://ico.org.uk/make-a-complaint/foi-and-eir-complaints/",
    },
    "sic": {
        "name": "the Scottish Information Commissioner",
        "short": "SIC",
        "url": "https://www.foi.scot/appeal",
    },
}
# "Our ref: FOI/2026/123", "Reference number: 12345", "Your reference is FOI-HO-55123",
# "Ref. 4567", "FOI 2026-0456". Compiled on first use: a case-insensitive Unicode pattern
# costs ~30 ms to compile, on every `status`.
REFERENCE_PATTERN = (
    r"(?:(?:our|your)\s+)?ref(?:erence)?\.?(?:\s+(?:no\.?|number))?\s*(?:[:#]|is\b)?\s*"
    r"((?=[A-Z/\-]*\d)[A-Z0-9][A-Z0-9/\-]{3,})"
    r"|\b(FOI[/\- ]?\d[\w/\-]{2,})"
)


@functools.cache
def _reference_re() -> re.Pattern[str]:
    return re.compile(REFERENCE_PATTERN, re.IGNORECASE)


@dataclass(frozen=True)
class History:
    """What WDTK's history of a request says, as far as escalation needs it: when each
    thing happened, as WDTK's event time (`histories` gives those) or, where only the
    day is known, its UK date. Which came first on one day is told by the times; with a
    bare date, a reply on a follow-up's own day is taken as its answer."""

    responses: tuple[Moment, ...] = ()  # the body's replies
    sent: tuple[tuple[Moment, bool], ...] = ()  # our follow-ups sent on WDTK: (when, review?)

    def since(self, day: dt.date) -> History:
        """Only what happened on or after `day` (the current clock or review)."""
        return History(
            tuple(d for d in self.responses if _day(d) >= day),
            tuple((d, r) for d, r in self.sent if _day(d) >= day),
        )

    @property
    def last_response(self) -> dt.date | None:
        return _day(max(self.responses, key=_order)) if self.responses else None

    def answered(self, asked: Moment) -> list[Moment]:
        """The replies that came after `asked` (on its day too, where a time is missing)."""
        return [r for r in self.responses if _after(r, asked)]


Moment = dt.date | dt.datetime


def _day(when: Moment) -> dt.date:
    """The UK date of a moment."""
    return dl.receipt_date(when)


def _order(when: Moment) -> tuple[dt.date, float]:
    """Sorts moments by day, then by time where known (a bare date first on its day)."""
    at = when.timestamp() if isinstance(when, dt.datetime) else float("-inf")
    return (_day(when), at)


def _after(later: Moment, earlier: Moment) -> bool:
    """Whether `later` came after `earlier`: by the times where both are known, otherwise
    on the same day or a later one (the day is all there is)."""
    if isinstance(later, dt.datetime) and isinstance(earlier, dt.datetime):
        return later > earlier
    return _day(later) >= _day(earlier)


def school_cap(row: dict) -> bool:
    """The FOIA schools variation applies: `very_overdue_after` is the 60th-day cap
    (the status rule's `school_limit`)."""
    return school_limit(StoredRequest.of(row))


def _scottish(law: str) -> bool:
    return law in ("foisa", "eisr")


def voluntary(row: dict) -> bool:
    """No FOI law covers the body (WDTK's `foi_no`, law "none"): it answers voluntarily, so
    there is no statutory breach to chase, no internal review (FOIA s.45 Code, EIR reg 11,
    FOISA s.20 bind public authorities only) and no regulator to complain to (FOIA s.50,
    FOISA s.47 concern requests to public authorities)."""
    return row.get("law") == NONE


def _last_review_request(row: dict, history: History) -> Moment | None:
    """The latest internal-review request sent on WDTK for the current clock."""
    if not row.get("sent_on"):
        return None
    clock = history.since(dt.date.fromisoformat(row["sent_on"]))
    return max((d for d, review in clock.sent if review), key=_order, default=None)


def _review_outcome(row: dict, history: History) -> dt.date | None:
    """The date of the body's reply to our latest review request, if it has replied: a
    reply that came before the request on its own day (the answer the review is of) is
    not its outcome."""
    asked = _last_review_request(row, history)
    if asked is None:
        return None
    replies = history.answered(asked)
    return _day(max(replies, key=_order)) if replies else None


@dataclass(frozen=True)
class Due:
    """One follow-up a request is due."""

    kind: str
    cycle: str
    number: int = 1  # the nth chaser


@dataclass(frozen=True)
class _Ask:
    """What each kind's rule sees of one request."""

    row: dict  # a requests row, sent and on WDTK
    status: str  # its live status today
    today: dt.date
    policy: FollowupPolicy
    calendar: dl.WorkingCalendar
    mine: list[dict]  # its follow-ups of this kind
    responses: int | History
    late_review: bool = False  # the user asked for Scottish reviews whose window has closed

    @property
    def sent_on(self) -> str:
        return self.row["sent_on"]


def due_followups(
    row: dict,
    kind: str,
    today: dt.date,
    policy: FollowupPolicy,
    calendar: dl.WorkingCalendar,
    existing: list[dict],
    responses: int | History,
    *,
    late_review: bool = False,
) -> Due | None:
    """The follow-up of `kind` this request is due today, or None.

    `row` is a requests row; `existing` its follow-ups; `responses` its WDTK history (or
    just how many replies it has had, which is all a nudge or chaser needs). `late_review`:
    the user asks for Scottish requirements for review whose window has closed too."""
    status = live_status(row, today, calendar)
    if not row.get("sent_on") or not row.get("wdtk_id"):
        return None
    rule = _RULES.get(kind)
    if rule is None:
        raise ValueError(f"unknown follow-up kind {kind!r}")
    mine = [f for f in existing if f["kind"] == kind]
    return rule(_Ask(row, status, today, policy, calendar, mine, responses, late_review))


def _chaser_due(ask: _Ask) -> Due | None:
    """A chaser once the reply is late, then every `chaser_every` days, `chaser_max` in all."""
    policy, calendar, today = ask.policy, ask.calendar, ask.today
    if policy.chaser_max < 1 or not (ask.status in LATE_REPLY or _reminder_time(ask)):
        return None
    late_from = _late_from(ask.row, today)
    if late_from is None:
        return None
    late = calendar.working_days_between(late_from, today)
    # Chasers belong to the clock they chase: a clock restarted by a clarification
    # starts counting again from one.
    this_clock = [f for f in ask.mine if f["cycle"].startswith(f"{ask.sent_on}:")]
    number = len(this_clock) + 1
    if number > policy.chaser_max:
        return None
    if late < policy.chaser_after + (number - 1) * policy.chaser_every:
        return None
    # Space chasers from the last one too: a request found 15 days late gets one chaser
    # today, not two.
    last = _last_drafted(this_clock)
    if last and calendar.working_days_between(last, today) < policy.chaser_every:
        return None
    return Due("chaser", f"{ask.sent_on}:{number}", number)


def _reminder_time(ask: _Ask) -> bool:
    """A voluntary request (law "none") is never late; after its courtesy date (the 20th
    working day, stored as `due`) its chaser is a polite reminder."""
    due = ask.row.get("due")
    return (
        voluntary(ask.row)
        and ask.status == statuses.Status.WAITING_RESPONSE
        and bool(due)
        and ask.today > dt.date.fromisoformat(due)
    )


def _late_from(row: dict, today: dt.date) -> dt.date | None:
    """The deadline a chaser counts lateness from: the due date, or a school's cap (None
    until the cap has passed).

    SI 2004/3364: 20 *school* days, at most 60 working days. Without the school's term
    dates the breach is certain only after the cap, so chase from then."""
    if not school_cap(row):
        return dt.date.fromisoformat(row["due"])
    cap = dt.date.fromisoformat(row["very_overdue_after"])
    return cap if today > cap else None


def _last_drafted(followups: list[dict]) -> dt.date | None:
    last = max(((f.get("drafted_on") or f["created_at"] or "")[:10] for f in followups), default="")
    return dt.date.fromisoformat(last) if last else None


def _nudge_due(ask: _Ask) -> Due | None:
    """A nudge when nothing at all has come back `nudge_after` working days after sending."""
    responses = ask.responses
    replied = responses.responses if isinstance(responses, History) else responses
    if ask.policy.nudge_after < 1 or ask.status != "waiting_response" or replied:
        return None
    waited = ask.calendar.working_days_between(dt.date.fromisoformat(ask.sent_on), ask.today)
    return Due("nudge", ask.sent_on) if waited >= ask.policy.nudge_after else None


def _review_due(ask: _Ask) -> Due | None:
    """An internal-review request after a refusal (or, in Scotland, no reply in time)."""
    kind = "internal-review"
    if not ask.policy.internal_review or voluntary(ask.row):
        return None
    if ask.status in REFUSED:
        due = Due(kind, ask.sent_on)
    elif _scottish(ask.row.get("law") or "foi") and ask.status in LATE_REPLY:
        # FOISA s.20(1) and (5)(a), EISR reg 16: a failure to respond is reviewed like
        # a refusal, and the review must come before any application (s.47(1)).
        due = Due(kind, f"no-reply:{ask.sent_on}")
    else:
        return None
    # FOISA s.20(5)/(6), EISR reg 16(2)/(3): once the 40 working days have run out the
    # authority need not comply; a late requirement is drafted only when asked for.
    closed = review_window_closed(ask.row, ask.today, ask.calendar, _history(ask.responses))
    return None if closed and not ask.late_review else due


def review_window_closed(
    row: dict, today: dt.date, calendar: dl.WorkingCalendar, history: History
) -> dt.date | None:
    """For a Scottish request whose review is the next step, the last day a requirement
    for review could be made (FOISA s.20(5); EISR reg 16(2)) if that day has passed, else
    None. Under FOISA s.20(6) the authority *may* comply with a later one; it need not."""
    if not _scottish(row.get("law") or "foi"):
        return None
    by = review_by(row, today, calendar, history.last_response)
    return by if by is not None and today > by else None


def late_requirement(row: dict, calendar: dl.WorkingCalendar) -> dt.date | None:
    """For a Scottish review under way, the last day of the window its requirement missed
    (FOISA s.20(5); EISR reg 16(2)), or None if it was made in time.

    The window is the status rule's `review_by` as it stood the day the review was asked
    for (the one place it is counted, `review_counted_from`): of the answer, if one had
    come (FOISA s.20(5)(a)/(b); EISR reg 16(2) from the decision), else of the failure to
    answer (s.20(5)(a); reg 16(2) from the date the decision was due)."""
    started = row.get("review_started_on")
    if not started or not _scottish(row.get("law") or "foi"):
        return None
    asked = dt.date.fromisoformat(started)
    rule, stored = StatusRule(asked, lambda _law: calendar), StoredRequest.of(row)
    answered = _answered_on(row)
    if answered is not None and answered <= asked:
        end = rule.review_by(stored, Status.REJECTED, answered)
    else:
        end = rule.review_by(stored, Status.WAITING_RESPONSE_OVERDUE, None)
    return end if end is not None and asked > end else None


def _answered_on(row: dict) -> dt.date | None:
    """The UK date of the reply that answered the request on its current clock, if any."""
    return dl.receipt_date(row["answered_at"]) if row.get("answered_at") else None


def unanswered_chaser(row: dict, history: History, today: dt.date) -> dt.date | None:
    """The first follow-up sent on WDTK after the due date (a school's: after the 60th-day
    cap) that the body has not answered since, or None.

    The ICO wants a requester to have asked the authority for a response before it takes
    a complaint about a non-response. A nudge or a clarification sent before the due date
    asked for nothing late, and a chaser the body replied to was answered: neither
    counts. A reply after the chaser answers it; by WDTK's times where both are known, so
    a reply minutes before the chaser on its own day does not."""
    late_from = _late_from(row, today)
    if late_from is None:
        return None
    chasers = sorted(
        (d for d, review in history.sent if not review and _day(d) > late_from), key=_order
    )
    return next((_day(d) for d in chasers if not history.answered(d)), None)


def _history(responses: int | History) -> History:
    # Callers that only count replies pass an int; escalation needs the dates.
    return responses if isinstance(responses, History) else History()


def _complaint_due(ask: _Ask) -> Due | None:
    """When the regulator takes a complaint, as the law (Scotland) or the ICO says."""
    if not ask.policy.complaint or voluntary(ask.row):
        return None
    row, status, today, calendar = ask.row, ask.status, ask.today, ask.calendar
    history = _history(ask.responses)
    law = row.get("law") or "foi"
    kind = "complaint"
    if status in UNDER_REVIEW and row.get("review_started_on"):
        started = dt.date.fromisoformat(row["review_started_on"])
        if _scottish(law):
            if late_requirement(row, calendar):
                # FOISA s.20(6): the authority may comply with a late requirement but need
                # not; its silence is no failure s.47(1)(b) lets the Commissioner decide on.
                return None
            # FOISA s.21(1) / EISR reg 16(4): 20 working days; then s.47(1) allows the
            # application.
            ready = dl.review_deadlines(started, law, calendar).expected
        else:
            # ICO complaints page: "If you've not been given the outcome of the internal
            # review after 40 working days - you can complain to us" (FOIA and EIR alike).
            ready = dl.ico_complaint_ready(started, calendar)
        return Due(kind, f"review:{row['review_started_on']}") if today > ready else None
    outcome = _review_outcome(row, history)
    if status in REFUSED | {"not_held"} and outcome is not None:
        # The review has answered and the answer is still a refusal: the regulator's turn.
        return Due(kind, f"review-outcome:{outcome.isoformat()}")
    if status == "waiting_response_very_overdue" and not _scottish(law):
        # The ICO wants to see that the requester tried to resolve it first: a chaser sent
        # on WDTK after the due date, left unanswered for `complaint_after_chaser` working
        # days. Scotland: never without a requirement for review (s.47(1)); that is the
        # internal-review kind.
        chased = unanswered_chaser(row, history, today)
        wait = ask.policy.complaint_after_chaser
        if chased is not None and today > calendar.add_working_days(chased, wait):
            return Due(kind, f"very-overdue:{row['sent_on']}")
    return None


_RULES: dict[str, Callable[[_Ask], Due | None]] = {
    "chaser": _chaser_due,
    "nudge": _nudge_due,
    "internal-review": _review_due,
    "complaint": _complaint_due,
}


# Phrases bodies use when they take more time lawfully; each maps to the `foibot extend`
# option that records it.
_EXTENSION_SIGNS = (
    (re.compile(r"regulation\s+7\b|complex\s+and\s+voluminous", re.I), "--eir"),
    (
        re.compile(
            r"public\s+interest\s+test.{0,200}?(?:extend|extension|additional\s+time|more\s+time)"
            r"|(?:extend|extension|additional\s+time|more\s+time).{0,200}?public\s+interest",
            re.I | re.S,
        ),
        "--pit-until DATE",
    ),
    (
        re.compile(r"fees?\s+notice|notice\s+under\s+section\s+9\b", re.I),
        "--fee-notice DATE --fee-paid DATE",
    ),
)


def announced_extension(texts: list[str], law: str) -> str | None:
    """The `foibot extend` option a reply seems to call for, from its wording; None if no
    reply announces an extension or fee. A hint for a person, never applied by itself."""
    if law == NONE:  # no FOI law: no statutory clock to extend or pause
        return None
    for text in reversed(texts):
        for pattern, option in _EXTENSION_SIGNS:
            if option == "--eir" and law not in ("eir", "eisr"):
                continue
            if option.startswith("--pit") and law != "foi":
                continue
            if pattern.search(text or ""):
                return option
    return None


def followup_ref(request_ref: str, due: Due, taken: set[str]) -> str:
    base = f"{request_ref}-{KIND_CODES[due.kind]}{due.number if due.kind == 'chaser' else ''}"
    ref, n = base, 2
    while ref in taken:
        ref, n = f"{base}-{n}", n + 1
    return ref


def body_reference(texts: list[str]) -> str | None:
    """The body's own reference number, from the latest reply that quotes one."""
    for text in reversed(texts):
        match = _reference_re().search(text or "")
        if match:
            return (match.group(1) or match.group(2)).strip()
    return None


def context(
    row: dict,
    due: Due,
    body_name: str,
    today: dt.date,
    calendar: dl.WorkingCalendar,
    requester: dict,
    url: str | None,
    reference: str | None,
    history: History | None = None,
    *,
    body_tags: Iterable[str] = (),
) -> dict:
    """What a follow-up template sees. `body_tags`: the body's WDTK tags, which say which
    instrument sets a school's time limit."""
    history = history or History()
    law = row.get("law") or "foi"
    school = school_cap(row)
    # A school's breach is certain only after the 60th-working-day cap (SI 2004/3364).
    late_from = row.get("very_overdue_after") if school else row.get("due")
    late = None
    if late_from and today > dt.date.fromisoformat(late_from):
        late = calendar.working_days_between(dt.date.fromisoformat(late_from), today)
    review = None
    if row.get("review_started_on") and law != NONE:  # a voluntary review has no clock
        started = dt.date.fromisoformat(row["review_started_on"])
        clock = dl.review_deadlines(started, law, calendar)
        review = {
            "requested": clock.requested,
            "expected": clock.expected,
            "latest": clock.latest,
            "statutory": clock.statutory,
            # What the review was of: "failure to respond", never "their response", when
            # no answer had come by the day it was asked for.
            "of_no_reply": (_answered_on(row) or dt.date.max) > started,
        }
    outcome = _review_outcome(row, history)
    asked_at = _last_review_request(row, history)
    asked = _day(asked_at) if asked_at is not None else None
    chased = None if law == NONE else unanswered_chaser(row, history, today)
    regulator = None if law == NONE else _regulator(row, due, law, review, chased, today, calendar)
    from bot.rules.drafting import LAW_NAMES  # the Act's full name, as in the first letter

    return {
        "kind": due.kind,
        "number": due.number,
        "request": {
            "ref": row["ref"],
            "title": row["title"],
            "url": url,
            "sent_on": dt.date.fromisoformat(row["sent_on"]),
            "due": dt.date.fromisoformat(row["due"]) if row.get("due") else None,
            "very_overdue_after": dt.date.fromisoformat(row["very_overdue_after"])
            if row.get("very_overdue_after")
            else None,
            "days_late": late,
            "status": live_status(row, today, calendar),
            "law": law,
            "law_name": LAW_NAMES[law],
            "school": school,
            "school_instrument": (school_instrument(body_tags) or SCHOOL_FALLBACK)
            if school
            else None,
            "refusal_notice": REFUSAL_NOTICES.get(law),  # law "none": no notice is owed
            **_review_from(row, today, calendar, history.last_response),
            "no_reply": due.cycle.startswith("no-reply:"),
            "answered": history.last_response,
            "review_by": review_by(row, today, calendar, history.last_response),
            # FOISA s.20(5)/(6), EISR reg 16(2): the window's last day, once it has passed.
            "review_window_closed": review_window_closed(row, today, calendar, history),
            "chased_on": chased,  # the unanswered chaser an ICO complaint relies on
            # Working days since it was sent: a voluntary request's reminder says this,
            # never how "late" it is.
            "days_waiting": calendar.working_days_between(
                dt.date.fromisoformat(row["sent_on"]), today
            ),
        },
        "body": {"name": body_name},
        "reference": reference,
        "review": review,
        "review_asked": asked,
        "review_outcome": outcome,
        "regulator": regulator,
        "requester": requester,
        "today": today,
    }


def _regulator(
    row: dict,
    due: Due,
    law: str,
    review: dict | None,
    chased: dt.date | None,
    today: dt.date,
    calendar: dl.WorkingCalendar,
) -> dict:
    """The regulator a follow-up may point to, and the window for going to it."""
    code = dl.regulator_for(law)
    window = _window(row, due, code, review, chased, calendar)
    regulator = {**REGULATORS[code], "code": code, **window}
    if code == "ico" and regulator["complain_by"] and regulator["complain_by"] < today:
        # Never a "send by" date that has passed: say the window closed instead.
        regulator["window_closed"], regulator["complain_by"] = regulator["complain_by"], None
    return regulator


# The notice a body owes when it refuses, under each law: FOIA s.17, FOISA s.16, EIR reg
# 14, EISR reg 13. A chaser under the Regulations never calls it one "under the Act".
REFUSAL_NOTICES = {
    "foi": "a refusal notice under section 17 of the Act",
    "foisa": "a refusal notice under section 16 of the Act",
    "eir": "a refusal notice under regulation 14 of the Regulations",
    "eisr": "a refusal notice under regulation 13 of the Regulations",
}
# A school whose tags do not say which kind it is (its body is not in the store).
SCHOOL_FALLBACK = "the regulations made under section 10(4)"


def _review_from(
    row: dict, today: dt.date, calendar: dl.WorkingCalendar, answered: dt.date | None
) -> dict[str, object]:
    """The day the window to ask for a review runs from, and whether that is the receipt of
    a late answer (FOISA s.20(5)(b)) rather than the end of the time to answer (s.20(5)(a))."""
    status = live_status(row, today, calendar)
    start = review_counted_from(StoredRequest.of(row), status, answered, today)
    due = row.get("due")
    late = bool(answered and due and answered > dt.date.fromisoformat(due))
    return {"review_from": start, "review_late_answer": late}


def _window(
    row: dict,
    due: Due,
    code: str,
    review: dict | None,
    chased: dt.date | None,
    calendar: dl.WorkingCalendar,
) -> dict[str, object]:
    """How long the requester has to go to the regulator, and from what.

    SIC, statute: FOISA s.47(4) -- six months from the review decision, or from the end
    of the 20 working days the body had for it. ICO, practice only: "within six weeks of
    receiving your final response or the last substantive contact" -- the review outcome;
    for a review with no outcome, the day the ICO's 40 working days ran out; for a request
    never answered, the unanswered chaser the complaint relies on, not before the request
    became very overdue."""
    cycle = due.cycle
    very = row.get("very_overdue_after") or row["sent_on"]
    if cycle.startswith("review-outcome:"):
        basis, what = dt.date.fromisoformat(cycle.split(":", 1)[1]), "review outcome"
    elif review is not None:
        if code == "sic":
            basis, what = review["expected"], "end of the review period"
        else:
            basis = dl.ico_complaint_ready(review["requested"], calendar)
            what = "40th working day of the review"
    else:
        basis, what = dt.date.fromisoformat(very), "request became very overdue"
        if chased is not None and chased > basis:
            basis, what = chased, "follow-up that went unanswered"
    if code == "sic":
        return {"complain_by": dl.sic_application_by(basis), "basis": basis, "basis_label": what,
                "statutory": True, "window_closed": None}  # fmt: skip
    return {"complain_by": dl.ico_complaint_by(basis), "basis": basis, "basis_label": what,
            "statutory": False, "window_closed": None}  # fmt: skip


def followup_link(config: Config, followup: dict, request: dict) -> str:
    """Where a person sends it: WDTK's follow-up form, or the regulator's complaint page."""
    if followup["kind"] == "complaint":
        return REGULATORS[dl.regulator_for(request["law"] or "foi")]["url"]
    base = (
        f"{config.wdtk.base_url}/request/{request['url_title'] or request['wdtk_id']}/followups/new"
    )
    return base + ("?internal_review=1" if followup["kind"] == "internal-review" else "")


def kinds_seen_sent(event_type: str, calculated_state: str | None) -> tuple[str, ...]:
    """The kinds of released follow-up a WDTK event shows sent: a `followup_sent` made while
    the request was in internal review is the review request; any other, a chaser or a
    nudge. Other events send none."""
    if event_type != "followup_sent":
        return ()
    if calculated_state == "internal_review":
        return ("internal-review",)
    return ("chaser", "nudge")


# -- the letter and its note ---------------------------------------------------------

# The line that ends the letter in internal-review and complaint templates: what follows
# is for the requester, never pasted into the letter.
_FOR_YOU = re.compile(r"^-{4,} for you, not part of the [a-z ]+ -{4,}[ \t]*$", re.MULTILINE)


def histories(events: Iterable[dict]) -> dict[str, History]:
    """Each request's History from its stored `response` and `followup_sent` events (rows
    with ref, kind, at and detail, as JSON text or parsed); other kinds are ignored."""
    responses: dict[str, list[Moment]] = {}
    sent: dict[str, list[tuple[Moment, bool]]] = {}
    for e in events:
        if e["kind"] not in ("response", "followup_sent"):
            continue
        at = dt.datetime.fromisoformat(e["at"]) if isinstance(e["at"], str) else e["at"]
        day = at if isinstance(at, dt.datetime) and at.tzinfo is not None else _day(at)
        if e["kind"] == "response":
            responses.setdefault(e["ref"], []).append(day)
            continue
        detail = e["detail"]
        detail = (json.loads(detail) if isinstance(detail, str) else detail) or {}
        # A follow-up WDTK sent while the request was in review was the review request.
        review = detail.get("calculated_state") == "internal_review"
        sent.setdefault(e["ref"], []).append((day, review))
    return {
        ref: History(tuple(responses.get(ref, ())), tuple(sent.get(ref, ())))
        for ref in responses.keys() | sent.keys()
    }


def with_letter(text: str, letter: str) -> str:
    """`text` (a follow-up's stored text) with its letter replaced by `letter` and its
    "for you" note kept as it was, the space before it too: what an editor that shows the
    letter alone saves (the stored letter given back gives the stored text)."""
    letter = letter.replace("\r\n", "\n").rstrip()
    match = _FOR_YOU.search(text)
    if match is None:
        return letter + "\n"
    head = text[: match.start()]
    return letter + (head[len(head.rstrip()) :] or "\n\n") + text[match.start() :]


def split_for_you(text: str) -> tuple[str, str | None]:
    """A follow-up's text as (what to paste, the note for the requester after the "for
    you, not part of the letter" line, or None): only the first is ever sent."""
    match = _FOR_YOU.search(text)
    if match is None:
        return text.rstrip("\n") + "\n", None
    letter = text[: match.start()].rstrip() + "\n"
    note = text[match.end() :].strip()
    return letter, note or None
