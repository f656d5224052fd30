"""Withdrawing follow-ups whose reason has gone. Pure.

A chaser drafted while a request was late must not reach a body that has since answered:
each unsent follow-up is re-checked against the very rules that made it due
(bot/rules/followups.py), with their timing taken out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot import deadlines as dl
from bot.config import Config, FollowupPolicy
from bot.rules import news
from bot.rules.followups import KIND_CODES, LATE_REPLY, Due, History, due_followups, histories
from bot.rules.status import live_status
from bot.statuses import FOLLOWUP_UNSENT, FOLLOWUP_WITHDRAWN, UNDER_REVIEW

WITHDRAWN, UNSENT = FOLLOWUP_WITHDRAWN, FOLLOWUP_UNSENT


def _any_time(policy: FollowupPolicy) -> FollowupPolicy:
    """The campaign's policy with its timing and switches taken out: what is left of each
    kind's rule is its reason (late, refused, review overdue). Timing only grows once a
    follow-up is drafted, and a switch turned off later is no reason to withdraw one."""
    return policy._replace(
        chaser_after=0, chaser_every=0, chaser_max=1, nudge_after=1,
        internal_review=True, complaint=True, complaint_after_chaser=0,
    )  # fmt: skip


def _clock(cycle: str) -> str:
    """The clock (the date it started) a chaser's or nudge's cycle belongs to."""
    return cycle.split(":", 1)[0]


def _same_round(followup: dict, due: Due) -> bool:
    if followup["kind"] == "chaser":  # "<clock>:<n>": any chaser of the same clock
        return _clock(followup["cycle"]) == _clock(due.cycle)
    return followup["cycle"] == due.cycle


def reason_gone(
    followup: dict,
    row: dict,
    today: dt.date,
    policy: FollowupPolicy,
    calendar: dl.WorkingCalendar,
    history: History,
) -> str | None:
    """None while an unsent follow-up's reason still holds, else a short note why not.

    The reason is what `due_followups` asks of its kind (the very same rules, without
    their timing): a chaser needs a late reply on the clock it chases (FOIA s.10(1),
    FOISA s.10(1), EIR reg 5(2)); a nudge, nothing back yet; an internal review, a refusal
    (or in Scotland no reply, FOISA s.20(1)) and no review under way; a complaint, a
    review overdue or answered with a refusal, or a very late reply (FOIA s.50, FOISA
    s.47(1)). A follow-up of a round that has passed (a restarted clock, a new review
    outcome) has lost its reason too."""
    kind = followup["kind"]
    if kind not in KIND_CODES or followup["status"] not in UNSENT:
        return None
    if today.isoformat() < (followup.get("drafted_on") or ""):
        # A day before it was drafted (`--as-of` looking back) says nothing of its reason:
        # its timing had not yet run, and a withdrawal is for good.
        return None
    # A closed review window is timing too: a requirement drafted in time keeps its reason
    # (FOISA s.20(6) lets the authority still comply).
    due = due_followups(
        row, kind, today, _any_time(policy), calendar, [], history, late_review=True
    )
    if due is not None and _same_round(followup, due):
        return None
    return _why_gone(followup, row, live_status(row, today, calendar), due)


def _why_gone(followup: dict, row: dict, status: str, due: Due | None) -> str:
    """The note a withdrawn follow-up carries: what changed, in a person's words."""
    kind, cycle = followup["kind"], followup["cycle"]
    # Every cycle but a complaint's about a review names the clock it belongs to.
    clock = _clock(cycle.removeprefix("no-reply:").removeprefix("very-overdue:"))
    of_a_clock = kind != "complaint" or cycle.startswith("very-overdue:")
    if of_a_clock and row.get("sent_on") and clock != row["sent_on"]:
        return f"the clock restarted on {row['sent_on']} (a clarification)"
    if status in UNDER_REVIEW:
        if kind == "complaint" and cycle.startswith("review:"):
            return "a new review is under way"
        return "a review is already under way"
    if status == "waiting_classification":
        return "the body has replied (classify the reply on WDTK)"
    if kind == "complaint":
        if cycle.startswith("review:"):
            return f"the review answered ({status})"
        if due is not None and due.cycle.startswith("review-outcome:"):
            return f"the body responded again on {due.cycle.split(':', 1)[1]}"
        if status in LATE_REPLY:
            return f"no longer grounds for a complaint ({status})"
        return f"the body responded ({status})"
    if kind == "internal-review" and not cycle.startswith("no-reply:"):
        return f"the refusal was replaced by an answer ({status})"
    if kind == "nudge" and status in LATE_REPLY:
        return "the reply is now late: a chaser takes the nudge's place"
    if status in ("waiting_response", "waiting_response_overdue"):
        if kind == "nudge":
            return "the body has replied"
        return f"no longer late: a reply is due by {row.get('due')}"
    return f"the body has answered ({status})"


@dataclass(frozen=True)
class Withdrawal:
    """An unsent follow-up to withdraw, and why."""

    ref: str
    request: str
    kind: str
    body: str | None
    note: str

    @property
    def news(self) -> news.NewsItem:
        return news.followup_withdrawn(self.ref, self.request, self.kind, self.note)

    def as_json(self) -> dict:
        return {"ref": self.ref, "request": self.request, "kind": self.kind, "body": self.body,
                "note": self.note}  # fmt: skip


def campaign_policy(config: Config, slug: str | None) -> FollowupPolicy:
    """A campaign's follow-up policy; [followups.tracked] for a request of no (known)
    campaign."""
    return next((c.followups for c in config.campaigns if c.slug == slug), config.tracked_followups)


def stale_followups(
    followups: Iterable[dict],
    requests: Mapping[str, dict],
    events: Iterable[dict],
    today: dt.date,
    config: Config,
) -> list[Withdrawal]:
    """The unsent follow-ups among `followups` whose reason has gone, each with its note.
    `requests`: their requests' rows by ref; `events`: those requests' stored events."""
    by_request = histories(events)
    gone = []
    for f in followups:
        row = requests.get(f["request"])
        if row is None:
            continue
        law = row.get("law") or "foi"
        note = reason_gone(
            f, row, today, campaign_policy(config, row.get("campaign")),
            config.calendar(law), by_request.get(f["request"], History()),
        )  # fmt: skip
        if note is not None:
            gone.append(Withdrawal(f["ref"], f["request"], f["kind"], f.get("body"), note))
    return gone
