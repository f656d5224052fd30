"""When to ask WDTK about a request again. Pure.

Polls go where changes come from, at the hours they come:

* A request waiting for the body (`waiting_response`, `internal_review`) changes only when
  the body replies, in UK office hours on weekdays (bank holidays included: the FOI
  calendar holds every nation's, and an English body works on another nation's). Every
  `open_every` the day it is sent and the next (acknowledgements); at midday and at the
  close from `near_before` working days before the due date to `late_for` after it
  (replies are not bunched at the due date: issue 32 found 36-40% in office hours on
  days no deadline marks); once a day at the close otherwise. The day's last poll is at
  the close, so nothing a body sent that day waits for the next morning. Automatic
  acknowledgements come minutes after sending, at any hour: a request just sent is
  polled an hour on, and again. A body whose replies often come outside office hours is
  polled in the hours they come (`body_hours`, learnt from the store).
* A reply awaiting classification, or a refusal (review requests and follow-ups come in
  the week after it), changes when the requester acts, on any day until late evening:
  polled a few times a day for a while, then (a reply) three times a day, mornings
  included, as late classifications come at any hour, then daily until WDTK's last
  reminder, then no more for the requester's sake. A reply may be an acknowledgement
  and the answer still owed: while the request waits for its body, the body's rhythm
  goes on beside the requester's.
* Closed requests: every 8 hours for a week after closing, then weekly, then (dormant)
  every four weeks; hidden or removed ones daily for a grace period, then never.

With a working mailbox (`safety_net`), a body's replies come as WDTK alert e-mails and
are polled at once; the schedule polls only where foibot expects a change that reaches no
mailbox (`_net_expected`): a week after WDTK's overdue and very-overdue alerts, on the
days of its classification reminders (and the reply's own day, for a requester who
classifies that soon: `classifies_soon`, learnt from the store), the day a request is
refused or closed and a week on; else a four-weekly sweep. Alerts that only prompt the
requester (`PROMPTS`) move the next poll to when they may have acted (`after_prompt`); a
follow-up marked sent brings it to an hour on (`after_marked_sent`).

No poll comes sooner than `floor` after the last one: WDTK caches anonymous JSON for up to
an hour (`medium_cache`). foibot computes overdue itself (`Ingest.note_transitions`), so
the morning a deadline passes needs no poll of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot import deadlines as dl
from bot import statuses
from bot.config import Config
from bot.dates import LONDON
from bot.laws import NONE
from bot.wdtk.states import CLOSED_STATES

# Answered, but the requester may well ask for an internal review or follow up.
ESCALATABLE = statuses.REFUSED
# Waiting for the body: a reply can come only in its office hours.
BODY_TURN = frozenset({"waiting_response", "internal_review"})

# Stored in next_poll_at for requests never to be polled again. It sorts after every ISO
# timestamp, so "next_poll_at <= now" never selects it.
NEVER = "never"


def scheduled_poll(stored: str | None) -> dt.datetime | None:
    """A request's stored next_poll_at as a time; None where no poll is scheduled (NULL,
    or NEVER: polling gave up). Every reader of the column goes through here, so none
    parses the sentinel as a date."""
    if not stored or stored == NEVER:
        return None
    return dt.datetime.fromisoformat(stored)


DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Hours:
    """Local (UK) hours in which polls are placed; `working_days` keeps them off weekends
    and bank holidays."""

    start: dt.time
    end: dt.time
    working_days: bool
    # Whether bank holidays close the day too (with working_days). The FOI calendar holds
    # every UK nation's holidays, and an English body works on St Andrew's Day and on
    # 12 July: office polls go on on holidays, so their replies wait no full day.
    holidays: bool = True


@dataclass(frozen=True)
class PollPolicy:
    # Waiting for the body.
    open_every: dt.timedelta = dt.timedelta(hours=3)  # through office hours on busy days
    quiet_every: dt.timedelta = DAY  # the weeks before the due date: at the close only
    office: Hours = Hours(dt.time(9, 0), dt.time(17, 45), working_days=True, holidays=False)
    ack_days: int = 1  # working days after sending that acknowledgements come in
    # Automatic acknowledgements come minutes after a request is sent, at any hour: a
    # request sent this recently, with no reply yet, is polled again an hour on.
    just_sent: dt.timedelta = dt.timedelta(hours=2)
    near_before: int = 4  # busy from this many working days before the due date …
    near_after: int = 3  # … to this many after it
    # … at midday and at the close: replies are not bunched at the due date as once
    # assumed (issue 32: 36-40% came in office hours on days no deadline marks), and
    # the polls a third one a day cost there go to the late days instead.
    near_every: dt.timedelta = dt.timedelta(hours=5)
    # Late: a reply may come any day, at any office hour; at midday and at the close, so
    # that a morning reply waits no nine hours (issue 32: 36-40% of replies came in office
    # hours on days no deadline marks, most of them late ones).
    late_every: dt.timedelta = dt.timedelta(hours=5)
    late_for: int = 5  # working days after the due date that late_every lasts
    very_late_every: dt.timedelta = DAY  # longer late: replies are rare, at the close
    sweep_every: dt.timedelta | None = None  # the safety net's sweep (safety_net)
    # Waiting for the requester.
    requester: Hours = Hours(dt.time(8, 0), dt.time(23, 0), working_days=False)
    describe_every: dt.timedelta = dt.timedelta(hours=5)  # a reply awaiting classification
    describe_for: dt.timedelta = dt.timedelta(days=4)  # … for this long after the reply
    # … then at 08:00, 15:30 and 23:00, not once a day: requesters who classify late do
    # it at any hour, often in the morning after WDTK's 07:00 reminder (issue 32) …
    describe_later_every: dt.timedelta = dt.timedelta(hours=7, minutes=30)
    # … until WDTK's second reminder (REMINDER_DAYS), then daily at 23:00 until the day
    # after its third; after that the request's state alone sets its polls (40% of real
    # replies are never classified: issue 32).
    describe_daily_after: dt.timedelta = dt.timedelta(days=10)
    describe_until: dt.timedelta = dt.timedelta(days=25)
    escalatable_often: dt.timedelta = dt.timedelta(hours=8)  # refused / partly answered
    escalatable_for: dt.timedelta = dt.timedelta(days=7)  # … for this long, then:
    escalatable_every: dt.timedelta = DAY
    closed_every: dt.timedelta = dt.timedelta(days=7)
    # Closed and quiet this long: dormant (answered and classified, withdrawn, long
    # closed); looked at every dormant_every only.
    dormant_after: dt.timedelta = dt.timedelta(days=28)
    dormant_every: dt.timedelta = dt.timedelta(days=28)
    # WDTK caches anonymous JSON for up to an hour: sooner would read the same copy.
    floor: dt.timedelta = dt.timedelta(hours=1)
    unlinked_every: dt.timedelta = dt.timedelta(minutes=15)  # released, not yet found on WDTK
    unlinked_give_up: dt.timedelta = dt.timedelta(days=14)
    hidden_grace: dt.timedelta = dt.timedelta(days=14)
    error_first: dt.timedelta = dt.timedelta(minutes=15)
    error_max: dt.timedelta = dt.timedelta(hours=24)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=LONDON).astimezone(dt.UTC)


def _open_day(day: dt.date, hours: Hours, calendar: dl.WorkingCalendar) -> bool:
    if not hours.working_days:
        return True
    return calendar.is_working_day(day) if hours.holidays else day.weekday() < 5


def next_slot(
    earliest: dt.datetime, every: dt.timedelta, hours: Hours, calendar: dl.WorkingCalendar
) -> dt.datetime:
    """The first poll slot at or after `earliest`. A day's slots are its `hours.end` and
    every `every` before it back to `hours.start`; with `every` of a day or more, the end
    only. Counting back from the end keeps the day's last poll at its close."""
    day = earliest.astimezone(LONDON).date()
    for _ in range(30):  # Christmas and a weekend close at most a few days in a row
        if _open_day(day, hours, calendar):
            end = _at(day, hours.end)
            if every >= DAY:
                if end >= earliest:
                    return end
            else:
                start, slot, best = _at(day, hours.start), end, None
                while slot >= start and slot >= earliest:
                    best, slot = slot, slot - every
                if best is not None:
                    return best
        day += DAY
    raise ValueError(f"no {hours} slot within 30 days of {earliest.isoformat()}")


# A requester's habit, learnt from their requests' WDTK events: whether they classify a
# reply the day it comes. A look on that day finds their classification only if they do;
# one that finds a change less than one time in three costs more than the three calls per
# change issue 32 allows, so it is made only for requesters who do it that often. Until
# SOON_SAMPLES of their replies have had their day, nothing is assumed.
SOON_SAMPLES = 5
SOON_SHARE = 1 / 3


def classifies_soon(
    events: Iterable[tuple[str, str, dt.datetime]], now: dt.datetime
) -> bool | None:
    """Whether a requester classifies at least SOON_SHARE of their replies on the reply's
    own (UK) day, from their requests' WDTK events as (ref, kind, time), sorted by ref and
    time; None while fewer than SOON_SAMPLES replies have had their day."""
    today = now.astimezone(LONDON).date()
    replies = soon = 0
    pending: tuple[str, dt.date] | None = None  # the last reply not yet followed up
    for ref, kind, at in events:
        day = at.astimezone(LONDON).date()
        if pending and pending[0] != ref:
            pending = None
        if kind == "status_update":
            soon += bool(pending and day == pending[1])
            pending = None
        elif kind == "response":
            pending = None
            if day < today:  # its day is over: whether it was classified then is known
                replies += 1
                pending = (ref, day)
    if replies < SOON_SAMPLES:
        return None
    return soon >= SOON_SHARE * replies


# A body's habit: the hours its replies come. Most bodies reply in office hours on
# working days, but some answer in the evening or at weekends (issue 32: a fifth of real
# replies came outside 09:00-17:45 on working days). Where at least a third of a body's
# last replies did (of HOURS_SAMPLES at least: a fifth of a few replies can be a third by
# chance), its polls stretch to the hours its replies came in, from 07:00 to 23:00 at the
# widest, weekends included if a third of them came on days the office is closed.
BODY_HOURS_BOUNDS = (dt.time(7, 0), dt.time(23, 0))
HOURS_SAMPLES = 10


def body_hours(
    replies: Iterable[dt.datetime], office: Hours, calendar: dl.WorkingCalendar
) -> Hours | None:
    """The hours to poll a body's requests in, learnt from when its replies came (WDTK
    times): `office` widened as above, or None where office hours do (too few replies,
    or too few outside them)."""
    local = [t.astimezone(LONDON) for t in replies]
    if len(local) < HOURS_SAMPLES:
        return None
    open_day = [_open_day(t.date(), office, calendar) for t in local]
    closed = open_day.count(False)
    outside = sum(
        not o or not office.start <= t.time() <= office.end
        for o, t in zip(open_day, local, strict=True)
    )
    if outside < SOON_SHARE * len(local):
        return None
    first, last = BODY_HOURS_BOUNDS
    times = [t.time() for t in local]
    earliest = min(times).replace(minute=0, second=0, microsecond=0)
    start = max(first, min(office.start, earliest))
    end = min(last, max(office.end, _quarter_after(max(times))))
    weekends = closed >= SOON_SHARE * len(local)
    return replace(office, start=start, end=end, working_days=office.working_days and not weekends)


def _quarter_after(t: dt.time) -> dt.time:
    """The quarter-hour at or after `t`, 23:00 at the latest."""
    minutes = t.hour * 60 + t.minute + bool(t.second or t.microsecond)
    minutes = min(-(-minutes // 15) * 15, 23 * 60)
    return dt.time(minutes // 60, minutes % 60)


def after_error(failures: int, now: dt.datetime, policy: PollPolicy) -> dt.datetime:
    """Exponential backoff: 15 min, 30 min, 1 h … capped at a day."""
    delay = min(policy.error_first * (2 ** max(0, failures - 1)), policy.error_max)
    return now + delay


def _since(row: dict, now: dt.datetime) -> dt.timedelta:
    """How long since the last event WDTK showed (long ago when unknown; none at all when
    WDTK's clock is ahead of ours, so that a zero window is never still open)."""
    last = row.get("last_event_at")
    if not last:
        return dt.timedelta.max
    return max(now - dt.datetime.fromisoformat(last), dt.timedelta(0))


def _body_due(row: dict, law: str, calendar: dl.WorkingCalendar) -> tuple[dt.date, dt.date] | None:
    """(due, very late after) of the reply the body owes: the review's under review."""
    # A voluntary request's review (law "none") has no clock: its courtesy date stands.
    if row["status"] == "internal_review" and row.get("review_started_on") and law != NONE:
        clock = dl.review_deadlines(dt.date.fromisoformat(row["review_started_on"]), law, calendar)
        return clock.expected, clock.latest
    if not row.get("due"):
        return None
    due = dt.date.fromisoformat(row["due"])
    very = row.get("very_overdue_after")
    return due, dt.date.fromisoformat(very) if very else due


def _body_every(
    row: dict, today: dt.date, law: str, calendar: dl.WorkingCalendar, policy: PollPolicy
) -> dt.timedelta:
    """How far apart a day's polls are, by how likely a reply is: close together just
    after sending (acknowledgements) and around the due date, a day apart before it and
    once it is late (late_every), and once it is very late."""
    started = row.get("review_started_on") if row["status"] == "internal_review" else None
    started = started or row.get("sent_on")
    if started and calendar.working_days_between(dt.date.fromisoformat(started), today) <= (
        policy.ack_days
    ):
        return policy.open_every
    dates = _body_due(row, law, calendar)
    if dates is None:
        return policy.open_every  # no clock to go by: poll as if a reply were near
    due, very_late = dates
    to_due = calendar.working_days_between(today, due)
    if to_due > policy.near_before:
        every = policy.quiet_every
    elif to_due >= -policy.near_after:
        every = policy.near_every
    else:
        # Late: the weeks after the due date get midday and close polls; once a reply
        # is long late (late_for working days) it is rare, and one poll at the close does.
        long_late = -to_due > policy.late_for
        every = policy.very_late_every if long_late or today > very_late else policy.late_every
    if policy.sweep_every is not None and not -policy.late_for <= to_due < 0:
        # The safety net: outside the days after the due date, when the requester is
        # expected to answer WDTK's overdue alert (a review request, a follow-up), a
        # body's reply comes by mail and the sweep only catches a lost alert.
        every = max(every, policy.sweep_every)
    # open_every is the closest spacing: a policy that widens it widens every day's.
    return max(every, policy.open_every)


def _body_next(
    row: dict, now: dt.datetime, law: str, cal: dl.WorkingCalendar, policy: PollPolicy
) -> dt.datetime:
    """The next poll for the body's sake: in its office hours, as often as _body_every."""
    earliest = now + policy.floor
    today = now.astimezone(LONDON).date()
    office = row.get("body_hours") or policy.office
    try:
        every = _body_every(row, today, law, cal, policy)
    except dl.DeadlineError:
        every = DAY  # dates outside the holiday data: poll it daily, never fail
    if every < DAY:
        return next_slot(earliest, every, office, cal)
    if every < 2 * DAY:  # daily: the next close, an hour away at least
        return next_slot(max(now + every - DAY, earliest), DAY, office, cal)
    # Every few days (a relaxed policy): the close of the day `every` on, or the next.
    day = (now + every).astimezone(LONDON).date()
    return next_slot(max(_at(day, office.start), earliest), DAY, office, cal)


def _describe_next(
    row: dict, now: dt.datetime, policy: PollPolicy, cal: dl.WorkingCalendar
) -> dt.datetime | None:
    """The next poll for the sake of a reply awaiting classification, in the requester's
    hours, less often as it ages; None once WDTK has stopped reminding them."""
    earliest, since = now + policy.floor, _since(row, now)
    if since < policy.describe_for:
        return next_slot(earliest, policy.describe_every, policy.requester, cal)
    if since < policy.describe_daily_after and policy.describe_later_every < DAY:
        return next_slot(earliest, policy.describe_later_every, policy.requester, cal)
    if since < policy.describe_until:
        # Daily, late evening (a week apart on a relaxed policy)
        later = max(now + max(policy.describe_later_every, DAY) - DAY, earliest)
        return next_slot(later, DAY, policy.requester, cal)
    return None


def after_success(
    row: dict,
    now: dt.datetime,
    policy: PollPolicy,
    calendar: dl.WorkingCalendar | None = None,
) -> dt.datetime:
    """When to poll a request next, after a poll that found it in the state `row` holds.
    `calendar` is the working-day calendar of its law (the default one when None)."""
    status = row["status"]
    law = row.get("law") or "foi"
    cal = calendar or dl.calendar_for(law)
    earliest = now + policy.floor
    if policy.sweep_every is not None:
        expected = _net_expected(row, now, law, cal, policy)
        if expected is not None:
            return expected
    if row.get("awaiting_description"):
        requester = _describe_next(row, now, policy, cal)
        # An acknowledgement is a reply too: the body's answer may still be owed.
        body = _body_next(row, now, law, cal, policy) if status in BODY_TURN else None
        if requester is not None or body is not None:
            return min(t for t in (requester, body) if t is not None)
    if status in ESCALATABLE:
        if _since(row, now) < policy.escalatable_for:
            return next_slot(earliest, policy.escalatable_often, policy.requester, cal)
        return max(now + policy.escalatable_every, earliest)
    if status in CLOSED_STATES:
        since = _since(row, now)
        if since < policy.escalatable_for:
            # Just classified: comments, a review request or a follow-up come in the
            # week after (2.5 replies and 0.7 follow-ups per request, issue 32).
            return next_slot(earliest, policy.escalatable_often, policy.requester, cal)
        if since >= policy.dormant_after:
            return now + max(policy.dormant_every, policy.closed_every)
        return now + policy.closed_every
    if status in BODY_TURN:
        if not row.get("first_reply_at") and _since(row, now) < policy.just_sent:
            return earliest
        return _body_next(row, now, law, cal, policy)
    # Waiting for clarification, gone postal, withdrawn-like states: the requester's move.
    return max(now + policy.escalatable_every, earliest)


def after_hidden(gone_since: dt.datetime, now: dt.datetime, policy: PollPolicy) -> str:
    if now - gone_since >= policy.hidden_grace:
        return NEVER
    return (now + dt.timedelta(days=1)).isoformat()


# -- the safety net ---------------------------------------------------------------------

# With a mailbox that works, WDTK's own alert e-mails say when a request changes and
# `foibot mail` polls it at once; scheduled polls only confirm that nothing was missed (a
# change WDTK mails nobody about, such as an admin's edit, or an alert filtered away).
# WDTK mails a new response at once and its overdue and very-overdue reminders on the
# morning they fall due (RequestMailer#new_response, alert_overdue_requests), so a
# request needs a sweep only for an alert lost on the way: every four weeks. What the
# requester does on WDTK (classifying, following up) reaches no mailbox: it is looked
# for where WDTK prompts them to act (_net_expected), at least weekly while it does.
SAFETY_NET_EVERY = dt.timedelta(days=28)
REQUESTER_NET_EVERY = dt.timedelta(days=7)


# The moments WDTK prompts the requester (Alaveteli's config/crontab-example runs
# alert-overdue-requests daily at 06:00 and alert-new-response-reminders at 07:00):
# InfoRequest.alert_overdue_requests mails "Delayed response" the first morning the
# request is past its due date and "long overdue" the first morning past the very-overdue
# date; alert_new_response_reminders mails "Please update the status" once a reply has gone
# unclassified new_response_reminder_after_days (3, 10 and 24 by default) days. The
# requester reacts (a follow-up, a review request, a classification) after reading one.
OVERDUE_RUN = dt.time(6, 0)
REMINDER_RUN = dt.time(7, 0)
REMINDER_DAYS = (3, 10, 24)
# What only the requester does reaches no mailbox: while WDTK keeps prompting them, foibot
# looks at least this often, so that no such change waits longer (issue 32: 7 days).
PROMPTED_EVERY = dt.timedelta(days=7)
# Alerts that prompt the requester, by how many days after one foibot looks for their
# reaction. WDTK changed nothing by sending them (foibot computes overdue itself), so none
# is polled at once. A classification is a click, made within the hour of a reminder in
# the real lifecycles: the close of the same day. A follow-up, a review request or a
# clarification is a letter to write, days later: a week on, so that whatever the
# requester did in that week waits no longer than PROMPTED_EVERY.
PROMPTS = {"classify": 0, "overdue": 7, "very_overdue": 7, "clarify": 7}


def after_prompt(
    kind: str, now: dt.datetime, policy: PollPolicy, calendar: dl.WorkingCalendar
) -> dt.datetime:
    """When to poll a request named by a WDTK prompt of `kind` (PROMPTS) read at `now`: at
    the close of the requester's day (late evening) that many days on, an hour on at least
    (WDTK's JSON cache)."""
    day = now.astimezone(LONDON).date() + dt.timedelta(days=PROMPTS[kind])
    return next_slot(max(_at(day, policy.requester.start), now + policy.floor), DAY,
                     policy.requester, calendar)  # fmt: skip


def after_marked_sent(stored: str | None, now: dt.datetime, policy: PollPolicy) -> str:
    """The next poll of a request whose follow-up the user has just marked sent on WDTK
    (`foibot done`): an hour on (WDTK's JSON cache), when WDTK shows it and the request's
    new state, or the one already planned where that is sooner."""
    soon = now.astimezone(dt.UTC) + policy.floor
    planned = scheduled_poll(stored)
    return (min(planned, soon) if planned else soon).isoformat()


def _reminder_day(reply: dt.datetime, days: int) -> dt.date:
    """The day of the first 07:00 run at which a reply made at `reply` has gone unclassified
    `days` days (Alaveteli: `updated_at < now - days`)."""
    at = (reply + dt.timedelta(days=days)).astimezone(LONDON)
    return at.date() if at.time() < REMINDER_RUN else at.date() + DAY


def _prompt_days(row: dict, law: str, calendar: dl.WorkingCalendar) -> list[dt.date] | None:
    """The days on which foibot expects the requester (or, for a body, nothing: its replies
    come by mail) to act on WDTK, on the safety net; None where no moment is known."""
    last = row.get("last_event_at")
    since = dt.datetime.fromisoformat(last) if last else None
    if row.get("awaiting_description") and since is not None:
        # Each reminder's day, and a week after the 10-day one, so that no gap is longer
        # than PROMPTED_EVERY; the reply's own day too, unless the requester's habit
        # (classifies_soon) says they seldom classify that soon.
        days = (*REMINDER_DAYS[:2], REMINDER_DAYS[1] + PROMPTED_EVERY.days, *REMINDER_DAYS[2:])
        reminders = [_reminder_day(since, d) for d in days]
        if row.get("classifies_soon") is False:
            return reminders
        return [since.astimezone(LONDON).date(), *reminders]
    status = row["status"]
    if status in ESCALATABLE or status in CLOSED_STATES:
        if since is None:
            return None
        # Just answered or closed: a review request or follow-up comes the same day or in
        # the week after (2.5 replies and 0.7 follow-ups per request, issue 32).
        day = since.astimezone(LONDON).date()
        return [day, day + PROMPTED_EVERY]
    if status in BODY_TURN:
        try:
            dates = _body_due(row, law, calendar)
        except dl.DeadlineError:
            dates = None  # dates outside the holiday data: the normal rules, never fail
        if dates is None:
            return None
        # A week after the mornings WDTK sends "Delayed response" and "long overdue" (the
        # day after each date; foibot's dates include extensions recorded with `foibot
        # extend`): what the requester did in reply to either is seen within the week.
        return [d + DAY + PROMPTED_EVERY for d in dates]
    return None


def _net_expected(
    row: dict, now: dt.datetime, law: str, calendar: dl.WorkingCalendar, policy: PollPolicy
) -> dt.datetime | None:
    """On the safety net (a healthy mailbox): the next poll is the close of the requester's
    day on the next day foibot expects a change (_prompt_days), or the sparse sweep
    (sweep_every) where that is sooner; None for states without such days (unlinked,
    waiting for clarification …), which keep the normal rules. A body's replies come
    by mail at once (RequestMailer#new_response), so no poll waits for them."""
    assert policy.sweep_every is not None
    days = _prompt_days(row, law, calendar)
    if days is None:
        return None
    earliest = now + policy.floor
    close = [t for t in (_at(day, policy.requester.end) for day in days) if t >= earliest]
    sweep = next_slot(
        max(now + policy.sweep_every - DAY, earliest), DAY, policy.requester, calendar
    )
    # An expected poll up to two weeks after the sweep takes its place: the first sweep
    # of a request would fall in the days before its due date (20 working days, four
    # weeks or so, after sending), a week or two before the poll after the overdue
    # alert, and one look serves both.
    if close and min(close) <= sweep + 2 * PROMPTED_EVERY:
        return min(close)
    return sweep


def resumed(
    row: dict, now: dt.datetime, policy: PollPolicy, calendar: dl.WorkingCalendar
) -> dt.datetime | None:
    """When the mailbox stops working: the poll `policy` would have scheduled for this
    request at its last poll (now, if that has passed), where that is sooner than the one
    it has (which the safety net may have put a week away); None where it is not. Closed,
    hidden and failing requests keep their own rhythm, the same with or without mail."""
    last, scheduled = row.get("last_polled_at"), scheduled_poll(row.get("next_poll_at"))
    if (
        not last or not scheduled or row.get("poll_error")
        or row["status"] in CLOSED_STATES or row["status"] == "hidden"
    ):  # fmt: skip
        return None
    due = max(after_success(row, dt.datetime.fromisoformat(last), policy, calendar), now)
    return due if due < scheduled else None


def safety_net(policy: PollPolicy) -> PollPolicy:
    """The policy relaxed for a working mailbox: `sweep_every` set, after_success polls a
    request waiting for a body, a reply to classify and a request refused or closed only
    on the days foibot expects the requester to act (_net_expected) or on the four-weekly
    sweep; no polls an hour after sending (an acknowledgement is an incoming message:
    WDTK mails the requester at once). The wider spacings below hold where no such day is
    known (no due date, no event time). The unlinked and hidden rules are unchanged."""
    return replace(
        policy,
        open_every=max(policy.open_every, REQUESTER_NET_EVERY),
        sweep_every=SAFETY_NET_EVERY,
        escalatable_every=max(policy.escalatable_every, REQUESTER_NET_EVERY),
        just_sent=dt.timedelta(0),
        describe_every=max(policy.describe_every, DAY),
        describe_later_every=max(policy.describe_later_every, REQUESTER_NET_EVERY),
        escalatable_often=max(policy.escalatable_often, DAY),
    )


def policy_for(config: Config) -> PollPolicy:
    """The poll schedule's intervals, as [poll] sets them."""
    return PollPolicy(
        open_every=dt.timedelta(hours=config.poll.open_every_hours),
        closed_every=dt.timedelta(days=config.poll.closed_every_days),
        hidden_grace=dt.timedelta(days=config.poll.hidden_grace_days),
    )
