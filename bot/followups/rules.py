"""Which follow-up each request is due, and what it should say. Pure.

A follow-up is identified by (request, kind, cycle). The cycle names the round it
belongs to — the clock it chases, the review it escalates — so re-running drafts nothing
new, a restarted clock starts a fresh round, and a later chaser is a new cycle.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from bot import deadlines as dl
from bot.config import FollowupPolicy
from bot.tracking.status import live_status

KINDS = ("chaser", "nudge", "internal-review", "complaint")
ESCALATION_ORDER = ("nudge", "chaser", "internal-review", "complaint")
KIND_CODES = {"chaser": "c", "nudge": "n", "internal-review": "ir", "complaint": "co"}
REFUSED = frozenset({"rejected", "partially_successful"})
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
# "Our ref: FOI/2026/123", "Reference number: 12345", "FOI 2026-0456". Compiled on first
# use: a case-insensitive Unicode pattern costs ~30 ms to compile, on every `status`.
REFERENCE_PATTERN = (
    r"(?:(?:our|your)\s+)?ref(?:erence)?(?:\s+(?:no\.?|number))?\s*[:#]?\s*((?=[A-Z/\-]*\d)[A-Z0-9][A-Z0-9/\-]{3,})"
    r"|\b(FOI[/\- ]?\d[\w/\-]{2,})"
)


@functools.cache
def _reference_re() -> re.Pattern[str]:
    return re.compile(REFERENCE_PATTERN, re.IGNORECASE)


@dataclass(frozen=True)
class Due:
    """One follow-up a request is due."""

    kind: str
    cycle: str
    number: int = 1  # the nth chaser


def due_followups(
    row: dict,
    kind: str,
    today: dt.date,
    policy: FollowupPolicy,
    calendar: dl.WorkingCalendar,
    existing: list[dict],
    responses: int,
) -> Due | None:
    """The follow-up of `kind` this request is due today, or None.

    `row` is a requests row; `existing` its follow-ups; `responses` how many replies
    (WDTK `response` events) it has had."""
    status = live_status(row, today, calendar)
    sent_on = row.get("sent_on")
    if not sent_on or not row.get("wdtk_id"):
        return None
    mine = [f for f in existing if f["kind"] == kind]
    if kind == "chaser":
        if policy.chaser_max < 1 or status not in (
            "waiting_response_overdue",
            "waiting_response_very_overdue",
        ):
            return None
        due = dt.date.fromisoformat(row["due"])
        late = calendar.working_days_between(due, today)
        # Chasers belong to the clock they chase: a clock restarted by a clarification
        # starts counting again from one.
        this_clock = [f for f in mine if f["cycle"].startswith(f"{sent_on}:")]
        number = len(this_clock) + 1
        if number > policy.chaser_max:
            return None
        if late < policy.chaser_after + (number - 1) * policy.chaser_every:
            return None
        if this_clock:
            # Space chasers from the last one too: a request found 15 days late gets one
            # chaser today, not two.
            last = max((f.get("drafted_on") or f["created_at"] or "")[:10] for f in this_clock)
            if (
                last
                and calendar.working_days_between(dt.date.fromisoformat(last), today)
                < policy.chaser_every
            ):
                return None
        return Due(kind, f"{sent_on}:{number}", number)
    if kind == "nudge":
        if policy.nudge_after < 1 or status != "waiting_response" or responses:
            return None
        waited = calendar.working_days_between(dt.date.fromisoformat(sent_on), today)
        return Due(kind, sent_on) if waited >= policy.nudge_after else None
    if kind == "internal-review":
        if not policy.internal_review or status not in REFUSED:
            return None
        return Due(kind, sent_on)
    if kind == "complaint":
        if not policy.complaint:
            return None
        if status == "internal_review_overdue":
            return Due(kind, f"review:{row['review_started_on']}")
        if status == "waiting_response_very_overdue":
            return Due(kind, f"very-overdue:{sent_on}")
        return None
    raise ValueError(f"unknown follow-up kind {kind!r}")


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


def stage(followups: list[dict]) -> str | None:
    """How far a request has been escalated: the furthest follow-up kind, and its state."""
    if not followups:
        return None
    furthest = max(
        followups,
        key=lambda f: (ESCALATION_ORDER.index(f["kind"]), f["created_at"] or "", f["ref"]),
    )
    return f"{furthest['kind']} {furthest['status']}"


def context(
    row: dict,
    due: Due,
    body_name: str,
    today: dt.date,
    calendar: dl.WorkingCalendar,
    requester: dict,
    url: str | None,
    reference: str | None,
) -> dict:
    """What a follow-up template sees."""
    law = row.get("law") or "foi"
    late = None
    if row.get("due") and today > dt.date.fromisoformat(row["due"]):
        late = calendar.working_days_between(dt.date.fromisoformat(row["due"]), today)
    review = None
    if row.get("review_started_on"):
        clock = dl.review_deadlines(dt.date.fromisoformat(row["review_started_on"]), law, calendar)
        review = {
            "requested": clock.requested,
            "expected": clock.expected,
            "latest": clock.latest,
            "statutory": clock.statutory,
        }
    code = dl.regulator_for(law)
    # The regulator's window runs from the last thing the body failed to do.
    basis = (
        review["expected"]
        if review
        else dt.date.fromisoformat(row.get("very_overdue_after") or row["sent_on"])
    )
    complain_by = dl.ico_complaint_by(basis) if code == "ico" else dl.sic_application_by(basis)
    from bot.campaigns.drafting import LAW_NAMES  # the Act's full name, as in the first letter

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
        },
        "body": {"name": body_name},
        "reference": reference,
        "review": review,
        "regulator": {**REGULATORS[code], "code": code, "complain_by": complain_by},
        "requester": requester,
        "today": today,
    }
