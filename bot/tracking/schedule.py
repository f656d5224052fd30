"""When to ask WDTK about a request again. Pure.

Deadlines only change daily, WDTK caches anonymous JSON for an hour, and it logs its own
overdue events just before 05:00 UK time; so open requests are polled every few hours and
once just after 05:00 on the mornings their status flips, closed ones weekly, and
hidden or removed ones daily for a grace period and then never.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from bot import statuses
from bot.dates import LONDON
from bot.wdtk.states import CLOSED_STATES

# Answered, but the requester may well ask for an internal review: look daily.
ESCALATABLE = statuses.REFUSED

# Stored in next_poll_at for requests never to be polled again. It sorts after every ISO
# timestamp, so "next_poll_at <= now" never selects it.
NEVER = "never"


@dataclass(frozen=True)
class PollPolicy:
    open_every: dt.timedelta = dt.timedelta(hours=6)
    closed_every: dt.timedelta = dt.timedelta(days=7)
    escalatable_every: dt.timedelta = dt.timedelta(days=1)
    unlinked_every: dt.timedelta = dt.timedelta(minutes=15)  # released, not yet found on WDTK
    unlinked_give_up: dt.timedelta = dt.timedelta(days=14)
    hidden_grace: dt.timedelta = dt.timedelta(days=14)
    error_first: dt.timedelta = dt.timedelta(minutes=15)
    error_max: dt.timedelta = dt.timedelta(hours=24)
    morning: dt.time = dt.time(5, 15)


def next_morning(now: dt.datetime, at: dt.time) -> dt.datetime:
    local = now.astimezone(LONDON)
    candidate = dt.datetime.combine(local.date(), at, tzinfo=LONDON)
    if candidate <= local:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), at, tzinfo=LONDON)
    return candidate.astimezone(dt.UTC)


def after_error(failures: int, now: dt.datetime, policy: PollPolicy) -> dt.datetime:
    """Exponential backoff: 15 min, 30 min, 1 h … capped at a day."""
    delay = min(policy.error_first * (2 ** max(0, failures - 1)), policy.error_max)
    return now + delay


def after_success(row: dict, now: dt.datetime, policy: PollPolicy) -> dt.datetime:
    status = row["status"]
    if status in ESCALATABLE and not row.get("awaiting_description"):
        return now + policy.escalatable_every
    if status in CLOSED_STATES and not row.get("awaiting_description"):
        return now + policy.closed_every
    regular = now + policy.open_every
    morning = next_morning(now, policy.morning)
    # The status flips on the day after a deadline: look just after WDTK's own overdue run.
    flip_days = {
        (dt.date.fromisoformat(row[key]) + dt.timedelta(days=1)).isoformat()
        for key in ("due", "very_overdue_after")
        if row.get(key)
    }
    # Only a request waiting for its reply can flip; one with a reply to classify cannot.
    if status != "waiting_response" or row.get("awaiting_description"):
        return regular
    if morning.astimezone(LONDON).date().isoformat() not in flip_days:
        return regular
    # A regular poll in the small hours of the flip day would come before WDTK's run.
    if regular < morning and regular.astimezone(LONDON).date() == morning.astimezone(LONDON).date():
        return morning
    return min(regular, morning)


def after_hidden(gone_since: dt.datetime, now: dt.datetime, policy: PollPolicy) -> str:
    if now - gone_since >= policy.hidden_grace:
        return NEVER
    return (now + dt.timedelta(days=1)).isoformat()


# -- the safety net ---------------------------------------------------------------------

# With a mailbox that works, WDTK's own alert e-mails say when a request changes and
# `foibot mail` polls it at once; scheduled polls only confirm that nothing was missed (a
# change WDTK mails nobody about, such as an admin's edit, or an alert filtered away).
# Weekly, as closed requests already are: a daily sweep measured 0.25x the naive loop's
# calls in bench/mail.py, short of the 1/10 aimed for; deadlines are computed here, and
# the morning-after-deadline checks stay.
SAFETY_NET_EVERY = dt.timedelta(days=7)


def safety_net(policy: PollPolicy) -> PollPolicy:
    """The policy relaxed for a working mailbox: open and refused requests swept weekly
    instead of every few hours or daily; the deadline-morning checks, the closed, unlinked
    and hidden rules are unchanged."""
    return replace(
        policy,
        open_every=max(policy.open_every, SAFETY_NET_EVERY),
        escalatable_every=max(policy.escalatable_every, SAFETY_NET_EVERY),
    )
