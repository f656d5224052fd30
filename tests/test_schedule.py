"""The poll schedule, pure: hand-worked cases on the FOI calendar of March-April 2026.

A request received Mon 2 Mar 2026 is due Tue 31 Mar: the 20th working day, with St
Patrick's Day (Tue 17 Mar, a Northern Ireland bank holiday) skipped under FOIA. UK clocks
go forward on Sun 29 Mar, so from then on 17:45 UK is 16:45 UTC. Good Friday (3 Apr) and
Easter Monday (6 Apr) are not working days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot import deadlines as dl
from bot.rules.schedule import (
    NEVER,
    PollPolicy,
    after_error,
    after_hidden,
    after_marked_sent,
    after_prompt,
    after_success,
    body_hours,
    classifies_soon,
    next_slot,
    resumed,
    safety_net,
)

UTC = dt.UTC
FOI = dl.calendar_for("foi")
POLICY = PollPolicy()


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def waiting(**over) -> dict:
    row = {
        "status": "waiting_response",
        "awaiting_description": 0,
        "law": "foi",
        "sent_on": "2026-03-02",
        "due": "2026-03-31",
        "very_overdue_after": "2026-04-30",
        "review_started_on": None,
        "last_event_at": "2026-03-02T10:00:00+00:00",
    }
    return {**row, **over}


def next_poll(row: dict, now: str, policy: PollPolicy = POLICY) -> dt.datetime:
    return after_success(row, at(now), policy, FOI)


# --- waiting for the body: office hours, working days, busy near the due date ----------


def test_just_sent_polled_an_hour_on_twice_whatever_the_hour():
    # Sent Fri 6 Mar 17:20 (after the day's last slot): automatic acknowledgements come
    # within minutes, so an hour on, and again, before the office-hours rule resumes.
    row = waiting(sent_on="2026-03-06", last_event_at="2026-03-06T17:20:00+00:00")
    assert next_poll(row, "2026-03-06T17:30") == at("2026-03-06T18:30")
    assert next_poll(row, "2026-03-06T18:30") == at("2026-03-06T19:30")
    # Two hours on: the next working day's first slot (day 1 is still busy).
    assert next_poll(row, "2026-03-06T19:30") == at("2026-03-09T11:45")
    # A reply already seen: no hurry.
    replied = {**row, "first_reply_at": "2026-03-06T17:25:00+00:00"}
    assert next_poll(replied, "2026-03-06T17:30") == at("2026-03-09T11:45")


def test_just_sent_polled_through_office_hours_for_acknowledgements():
    # Days 0 and 1 are busy: slots 11:45, 14:45 and 17:45 (3 h apart back from the close).
    assert next_poll(waiting(), "2026-03-02T12:00") == at("2026-03-02T14:45")
    # After the close, the next working day's first slot: no polls at night.
    assert next_poll(waiting(), "2026-03-02T17:45") == at("2026-03-03T11:45")
    assert next_poll(waiting(), "2026-03-03T17:45") == at("2026-03-04T11:45")
    # Wed 4 Mar is day 2: once a day, at the close.
    assert next_poll(waiting(), "2026-03-04T11:45") == at("2026-03-04T17:45")


def test_before_the_due_date_once_a_day_at_the_close():
    # Wed 11 Mar: 13 working days before the due date, past the acknowledgement days.
    assert next_poll(waiting(), "2026-03-11T10:00") == at("2026-03-11T17:45")
    assert next_poll(waiting(), "2026-03-11T17:45") == at("2026-03-12T17:45")
    # Friday's close, then Monday's: weekends are skipped.
    assert next_poll(waiting(), "2026-03-13T17:45") == at("2026-03-16T17:45")


def test_midday_and_close_in_the_days_before_the_due_date():
    # Wed 25 Mar: 4 working days before Tue 31 Mar (26, 27, 30, 31): slots 12:45 and
    # 17:45 (5 h back from the close; 07:45 is before opening).
    assert next_poll(waiting(), "2026-03-25T10:00") == at("2026-03-25T12:45")
    assert next_poll(waiting(), "2026-03-25T12:00") == at("2026-03-25T17:45")
    # Tue 24 Mar is 5 before it: one poll a day, at the close.
    assert next_poll(waiting(), "2026-03-24T10:00") == at("2026-03-24T17:45")


def test_slots_follow_uk_time_across_the_clock_change():
    # Fri 27 Mar 17:45 GMT; the next slot is Mon 30 Mar 12:45 BST = 11:45 UTC.
    assert next_poll(waiting(), "2026-03-27T17:45") == at("2026-03-30T11:45")


def test_midday_and_close_just_after_the_due_date_and_while_late():
    # Thu 2 Apr is 2 working days late: polled on Good Friday (a weekday) at 12:45 BST.
    assert next_poll(waiting(), "2026-04-02T16:45") == at("2026-04-03T11:45")  # Good Friday
    # Tue 7 Apr is 3 late (1, 2, 7 Apr): 11:00 BST, an hour on is 12:00: 12:45.
    assert next_poll(waiting(), "2026-04-07T10:00") == at("2026-04-07T11:45")
    # Wed 8 Apr is 4 late, Thu 9 Apr 5: at midday (12:45 BST) and at the close.
    assert next_poll(waiting(), "2026-04-08T09:00") == at("2026-04-08T11:45")
    assert next_poll(waiting(), "2026-04-08T16:45") == at("2026-04-09T11:45")
    # Mon 13 Apr is 7 late (Good Friday and Easter Monday not counted), past late_for:
    # once a day, at the close.
    assert next_poll(waiting(), "2026-04-13T09:00") == at("2026-04-13T16:45")


def test_very_late_once_a_day():
    # Very late from Fri 1 May (the 40th working day is Thu 30 Apr); Mon 4 May is the
    # Early May bank holiday: polled all the same (offices differ by nation).
    assert next_poll(waiting(), "2026-05-01T09:00") == at("2026-05-01T16:45")
    assert next_poll(waiting(), "2026-05-01T16:45") == at("2026-05-04T16:45")


def test_the_morning_after_the_due_date_needs_no_poll_of_its_own():
    # Due Tue 31 Mar: after Tuesday's close the next poll is Wednesday's first slot, 12:45.
    assert next_poll(waiting(), "2026-03-31T16:45") == at("2026-04-01T11:45")


def test_an_internal_review_goes_by_the_review_clock():
    # Review asked for Mon 2 Mar: expected by Tue 31 Mar, so Wed 25 Mar is busy, although
    # the first request's own dates are long past.
    row = waiting(
        status="internal_review", review_started_on="2026-03-02",
        due="2026-01-20", very_overdue_after="2026-02-17", sent_on="2025-12-19",
    )  # fmt: skip
    assert next_poll(row, "2026-03-25T10:00") == at("2026-03-25T12:45")


# --- waiting for the requester: any day, into the evening ------------------------------


def test_a_reply_awaiting_classification_a_few_times_a_day_then_three_then_daily():
    """A reply (Tue 10 Mar 14:00) to a request still waiting for its body (due Tue 31 Mar):
    the requester's polls, on any day into the evening, and the body's beside them."""
    row = waiting(awaiting_description=1, last_event_at="2026-03-10T14:00:00+00:00")
    # Slots 08:00, 13:00, 18:00 and 23:00, weekends included; but the body's quiet-day
    # poll at its close, 17:45, comes first: the reply may have been an acknowledgement.
    assert next_poll(row, "2026-03-10T14:30") == at("2026-03-10T17:45")
    assert next_poll(row, "2026-03-10T17:45") == at("2026-03-10T23:00")
    assert next_poll(row, "2026-03-14T07:00") == at("2026-03-14T08:00")  # a Saturday
    # Four days on: at 08:00, 15:30 and 23:00 (7 h 30 back from the close), late
    # classifications come at any hour, often in the morning after WDTK's reminder.
    assert next_poll(row, "2026-03-14T18:00") == at("2026-03-14T23:00")
    assert next_poll(row, "2026-03-14T23:00") == at("2026-03-15T08:00")
    assert next_poll(row, "2026-03-15T08:00") == at("2026-03-15T15:30")
    # Ten days on (WDTK's second reminder): daily at 23:00, and the body's close.
    assert next_poll(row, "2026-03-20T18:00") == at("2026-03-20T23:00")
    assert next_poll(row, "2026-03-20T23:00") == at("2026-03-21T23:00")  # a Saturday
    assert next_poll(row, "2026-03-23T12:00") == at("2026-03-23T17:45")
    # Busy days before the due date: the body's midday and close polls.
    assert next_poll(row, "2026-03-25T11:00") == at("2026-03-25T12:45")
    # 25 days on, past WDTK's last reminder: the body's rhythm alone. Tue 7 Apr is the
    # third working day after the due date (Good Friday and Easter Monday skipped): midday
    # and close, 12:45 and 17:45 BST.
    assert next_poll(row, "2026-04-07T09:00") == at("2026-04-07T11:45")
    # A partly answered request with a new reply, past the reminders: its own state's
    # rule (refused or partly answered, quiet a week: a day on).
    part = {**row, "status": "partially_successful"}
    assert next_poll(part, "2026-04-07T09:00") == at("2026-04-08T09:00")
    assert next_poll(part, "2026-03-14T18:00") == at("2026-03-14T23:00")


def test_refused_often_for_a_week_then_daily():
    row = waiting(status="rejected", last_event_at="2026-03-10T14:00:00+00:00")
    # Every 8 hours back from 23:00: 15:00 and 23:00 (07:00 is before 08:00).
    assert next_poll(row, "2026-03-11T09:00") == at("2026-03-11T15:00")
    assert next_poll(row, "2026-03-11T15:00") == at("2026-03-11T23:00")
    assert next_poll(row, "2026-03-18T15:00") == at("2026-03-19T15:00")


def test_closed_requests_watched_for_a_week_then_weekly_then_monthly():
    row = waiting(status="successful", last_event_at="2026-03-10T14:00:00+00:00")
    # Closed a day ago: every 8 h back from 23:00 (15:00 and 23:00 GMT), as a refusal.
    assert next_poll(row, "2026-03-11T09:00") == at("2026-03-11T15:00")
    # Quiet 9 days: a week on.
    assert next_poll(row, "2026-03-20T09:00") == at("2026-03-27T09:00")
    # Quiet 31 days (dormant_after 28): four weeks on.
    assert next_poll(row, "2026-04-10T09:00") == at("2026-05-08T09:00")


@pytest.mark.parametrize(
    "row",
    [
        waiting(),
        waiting(awaiting_description=1, last_event_at="2026-03-25T10:30:00+00:00"),
        waiting(status="partially_successful", last_event_at="2026-03-25T10:30:00+00:00"),
        waiting(status="waiting_clarification"),
        waiting(body_hours=dataclasses.replace(POLICY.office, end=dt.time(14, 30))),
        waiting(
            awaiting_description=1,
            last_event_at="2026-02-25T10:30:00+00:00",
            body_hours=dataclasses.replace(POLICY.office, end=dt.time(14, 30)),
        ),
    ],
)
def test_never_sooner_than_wdtks_cache_lifetime(row):
    # 14:00 on a busy day: the 14:45 slot is under an hour away, so 17:45 (or 18:00).
    now = at("2026-03-25T14:00")
    assert after_success(row, now, POLICY, FOI) >= now + dt.timedelta(hours=1)


def test_a_relaxed_policy_is_honoured():
    # A policy whose spacing is a week (as a mailbox that reports changes may ask for):
    # the close of the working day a week on, busy or quiet alike.
    weekly = dataclasses.replace(POLICY, open_every=dt.timedelta(days=7))
    assert next_poll(waiting(), "2026-03-25T12:00", weekly) == at("2026-04-01T16:45")
    assert next_poll(waiting(), "2026-03-11T12:00", weekly) == at("2026-03-18T17:45")
    # A week on from Tue 10 Mar is Tue 17 Mar, St Patrick's Day: an English body works.
    assert next_poll(waiting(), "2026-03-10T17:45", weekly) == at("2026-03-17T17:45")


def test_the_mailbox_safety_net_polls_where_a_change_is_expected():
    """With a working mailbox a body's replies come as alert e-mails, so a request waiting
    for one is polled a week after each of WDTK's overdue alerts (06:00 the day after the
    due date, Wed 1 Apr; after the very-overdue date, Fri 1 May), at 23:00 UK, and else
    every four weeks. Due Tue 31 Mar; from Sun 29 Mar 23:00 UK is 22:00 UTC."""
    net = safety_net(POLICY)
    sent = waiting(last_event_at="2026-03-02T10:00:00+00:00")
    # Just sent: no poll an hour on; the sweep would be Fri 27 Mar (4 weeks less a day),
    # but the poll a week after the overdue alert, Wed 8 Apr, is within two weeks of it.
    assert next_poll(sent, "2026-03-02T10:30", net) == at("2026-04-08T22:00")
    assert next_poll(sent, "2026-04-02T12:00", net) == at("2026-04-08T22:00")
    # After it: a week after the very-overdue alert (Fri 1 May): Fri 8 May.
    assert next_poll(sent, "2026-04-09T12:00", net) == at("2026-05-08T22:00")
    # Past both: the four-weekly sweep, Sat 9 May + 27 days = Fri 5 Jun, at its close.
    assert next_poll(sent, "2026-05-09T12:00", net) == at("2026-06-05T22:00")


def test_the_safety_net_follows_wdtk_classification_reminders():
    """A reply (Tue 10 Mar 14:00 UK) awaiting classification: at the close of its day,
    then on the day of each of WDTK's reminders (the first 07:00 run 3, 10 and 24 days
    on: Sat 14 Mar, Sat 21 Mar, Sat 4 Apr), with Sat 28 Mar between the last two so no
    gap passes a week; then every four weeks. Not daily for weeks."""
    net = safety_net(POLICY)
    row = waiting(awaiting_description=1, last_event_at="2026-03-10T14:00:00+00:00")
    assert next_poll(row, "2026-03-10T14:30", net) == at("2026-03-10T23:00")
    assert next_poll(row, "2026-03-10T23:00", net) == at("2026-03-14T23:00")
    assert next_poll(row, "2026-03-14T23:00", net) == at("2026-03-21T23:00")
    assert next_poll(row, "2026-03-21T23:00", net) == at("2026-03-28T23:00")
    assert next_poll(row, "2026-03-28T23:00", net) == at("2026-04-04T22:00")
    assert next_poll(row, "2026-04-04T22:00", net) == at("2026-05-01T22:00")
    # A reply at 06:30 UK: the 3-day reminder goes at 07:00 on the third day on.
    early = {**row, "last_event_at": "2026-03-10T06:30:00+00:00"}
    assert next_poll(early, "2026-03-10T23:00", net) == at("2026-03-13T23:00")


def replies(*classified: str | None) -> list[tuple[str, str, dt.datetime]]:
    """One reply per request, on successive days from Mon 2 Mar at 10:00 UTC, each
    classified at the time given (an ISO time) or never (None)."""
    events = []
    for n, when in enumerate(classified):
        ref = f"r{n}"
        events.append((ref, "response", at(f"2026-03-{2 + n:02}T10:00")))
        if when:
            events.append((ref, "status_update", at(when)))
    return events


def test_a_requesters_habit_is_learnt_from_the_day_of_their_classifications():
    now = at("2026-03-20T12:00")
    same_day = ["2026-03-02T18:00", "2026-03-03T22:30"]
    # Two of six classified the day of the reply: a third, enough.
    assert classifies_soon(replies(*same_day, None, None, None, None), now) is True
    # One of five: not enough. A classification the day after does not count.
    later = ["2026-03-02T18:00", "2026-03-05T09:00", None, None, None]
    assert classifies_soon(replies(*later), now) is False
    again = [*replies(*later), ("r1", "response", at("2026-03-03T12:00")),
             ("r1", "status_update", at("2026-03-03T13:00"))]  # fmt: skip
    again.sort(key=lambda e: (e[0], e[2]))
    # r1's second reply, classified that day: two of six.
    assert classifies_soon(again, now) is True
    # Fewer than five replies whose day is over: nothing assumed. A reply today is not
    # judged yet, however it turns out.
    assert classifies_soon(replies(None, None, None, None), now) is None
    assert classifies_soon(replies(None, None, None, None, None), at("2026-03-06T23:00")) is None
    # UK days: 23:30 UTC on Wed 1 Apr is 00:30 BST on Thursday, the day after.
    late = [
        ("r", "response", at("2026-04-01T20:00")),
        ("r", "status_update", at("2026-04-01T23:30")),
    ]
    assert classifies_soon(late + replies(None, None, None, None), at("2026-04-10T12:00")) is False


def test_the_safety_net_skips_a_replys_own_day_for_a_requester_who_seldom_classifies_then():
    net = safety_net(POLICY)
    row = waiting(awaiting_description=1, last_event_at="2026-03-10T14:00:00+00:00")
    assert next_poll({**row, "classifies_soon": None}, "2026-03-10T14:30", net) == at(
        "2026-03-10T23:00"
    )
    assert next_poll({**row, "classifies_soon": True}, "2026-03-10T14:30", net) == at(
        "2026-03-10T23:00"
    )
    # Seldom: the first reminder's day (Sat 14 Mar), as the rest of the sequence.
    assert next_poll({**row, "classifies_soon": False}, "2026-03-10T14:30", net) == at(
        "2026-03-14T23:00"
    )


def replies_at(*times: str) -> list[dt.datetime]:
    """Replies on successive working days from Mon 2 Mar (GMT: UK time is UTC), at the
    UK times given, HH:MM."""
    days = [
        d for d in (dt.date(2026, 3, 2) + dt.timedelta(n) for n in range(30)) if d.weekday() < 5
    ]
    return [at(f"{day}T{t}") for day, t in zip(days, times, strict=False)]


def test_a_bodys_reply_hours_are_learnt_from_its_replies():
    office = POLICY.office
    usual = ["10:00", "11:30", "14:00", "16:00", "08:20", "12:00"]
    # Four of ten outside office hours (one early, three in the evening): from 08:00 to
    # the quarter-hour after its latest reply.
    hours = body_hours(replies_at(*usual, "19:00", "20:10", "18:30", "13:00"), office, FOI)
    assert (hours.start, hours.end, hours.working_days) == (dt.time(8), dt.time(20, 15), True)
    # Three of ten: office hours do.
    assert body_hours(replies_at(*usual, "13:00", "20:10", "18:30", "13:00"), office, FOI) is None
    # Nine replies, all in the evening: too few to tell.
    assert body_hours(replies_at(*["20:00"] * 9), office, FOI) is None
    # Never before 07:00 or after 23:00, however early or late a reply came.
    wide = body_hours(replies_at(*usual, "02:10", "23:50", "22:00", "13:00"), office, FOI)
    assert (wide.start, wide.end) == (dt.time(7), dt.time(23))
    # Four of ten on a Saturday or Sunday (7-8 and 14-15 Mar): weekends too.
    weekend = [
        at("2026-03-07T11:00"),
        at("2026-03-08T11:00"),
        at("2026-03-14T10:00"),
        at("2026-03-15T12:00"),
    ]
    hours = body_hours(replies_at(*usual) + weekend, office, FOI)
    assert (hours.start, hours.end, hours.working_days) == (dt.time(8), dt.time(17, 45), False)


def test_a_body_that_replies_in_the_evening_is_polled_into_the_evening():
    evening = body_hours(replies_at(*["10:00"] * 6, *["20:00"] * 4), POLICY.office, FOI)
    row = waiting(body_hours=evening)
    # A quiet day (Wed 11 Mar): once a day, at the body's close, 20:00, not 17:45; a
    # busy one (Wed 25 Mar): every 5 hours back from it, 10:00 and 15:00.
    assert next_poll(waiting(), "2026-03-11T12:00") == at("2026-03-11T17:45")
    assert next_poll(row, "2026-03-11T12:00") == at("2026-03-11T20:00")
    assert next_poll(row, "2026-03-25T11:00") == at("2026-03-25T15:00")


def test_the_safety_net_after_a_refusal_or_a_close():
    """Refused or closed (Tue 10 Mar 14:00): the requester asks for a review or follows up
    the same day or in the week after: at that day's close and a week on, then the sweep."""
    net = safety_net(POLICY)
    for status in ("rejected", "successful"):
        row = waiting(status=status, last_event_at="2026-03-10T14:00:00+00:00")
        assert next_poll(row, "2026-03-10T14:30", net) == at("2026-03-10T23:00")
        assert next_poll(row, "2026-03-11T09:00", net) == at("2026-03-17T23:00")
        # Wed 18 Mar + 27 days = Tue 14 Apr, 23:00 BST.
        assert next_poll(row, "2026-03-18T15:00", net) == at("2026-04-14T22:00")


def test_prompts_are_polled_when_the_requester_may_have_acted():
    # A classify reminder read Tue 10 Mar 07:05: that evening; read after 22:00, the next.
    assert after_prompt("classify", at("2026-03-10T07:05"), POLICY, FOI) == at("2026-03-10T23:00")
    assert after_prompt("classify", at("2026-03-10T22:30"), POLICY, FOI) == at("2026-03-11T23:00")
    # The overdue alert of Wed 1 Apr, 06:00 BST: a week on, Wed 8 Apr, 23:00 BST.
    assert after_prompt("overdue", at("2026-04-01T05:01"), POLICY, FOI) == at("2026-04-08T22:00")


def test_a_followup_marked_sent_is_polled_an_hour_on():
    now = at("2026-04-01T09:00")
    assert (
        after_marked_sent("2026-04-29T10:00:00+00:00", now, POLICY) == "2026-04-01T10:00:00+00:00"
    )
    assert after_marked_sent(None, now, POLICY) == "2026-04-01T10:00:00+00:00"
    assert after_marked_sent(NEVER, now, POLICY) == "2026-04-01T10:00:00+00:00"
    # Due sooner already (a poll that has not run yet): kept.
    assert (
        after_marked_sent("2026-04-01T09:30:00+00:00", now, POLICY) == "2026-04-01T09:30:00+00:00"
    )


def test_next_slot_skips_closed_days():
    office = POLICY.office
    # Thu 2 Apr 18:00 BST: Good Friday is a weekday, polled; the weekend is skipped.
    assert next_slot(at("2026-04-02T17:00"), dt.timedelta(days=1), office, FOI) == at(
        "2026-04-03T16:45"
    )
    assert next_slot(at("2026-04-03T17:00"), dt.timedelta(days=1), office, FOI) == at(
        "2026-04-06T16:45"
    )
    # The requester's hours close no day: Saturday 4 Apr, 23:00 BST.
    assert next_slot(at("2026-04-03T23:00"), dt.timedelta(days=1), POLICY.requester, FOI) == at(
        "2026-04-04T22:00"
    )


# --- errors and hidden requests ---------------------------------------------------------


def test_errors_back_off_exponentially_to_a_day():
    now = at("2026-03-10T12:00")
    assert [after_error(n, now, POLICY) - now for n in (1, 2, 3)] == [
        dt.timedelta(minutes=m) for m in (15, 30, 60)
    ]
    assert after_error(20, now, POLICY) - now == dt.timedelta(hours=24)


def test_hidden_polled_daily_then_never():
    since = at("2026-03-01T00:00")
    assert (
        after_hidden(since, since + dt.timedelta(days=3), POLICY)
        == (since + dt.timedelta(days=4)).isoformat()
    )
    assert after_hidden(since, since + dt.timedelta(days=14), POLICY) == NEVER


def test_a_mailbox_that_stops_working_brings_the_normal_rhythm_back():
    """Scheduled a week away by the safety net at Wed 11 Mar 10:00; the mailbox fails: the
    normal policy would have polled it at that day's close, so it is due then (or at once,
    once that has passed). Closed, failing and never-again requests are left as they are."""
    net = safety_net(POLICY)
    row = waiting(last_polled_at="2026-03-11T10:00:00+00:00")
    row["next_poll_at"] = after_success(row, at("2026-03-11T10:00"), net, FOI).isoformat()
    assert row["next_poll_at"].startswith("2026-04-08")  # the four-weekly sweep
    assert resumed(row, at("2026-03-11T12:00"), POLICY, FOI) == at("2026-03-11T17:45")
    assert resumed(row, at("2026-03-12T09:00"), POLICY, FOI) == at("2026-03-12T09:00")
    # Already on the normal rhythm: nothing to move.
    normal = {**row, "next_poll_at": "2026-03-11T17:45:00+00:00"}
    assert resumed(normal, at("2026-03-11T12:00"), POLICY, FOI) is None
    for other in ({"status": "successful"}, {"poll_error": "HTTP 500"}, {"next_poll_at": NEVER},
                  {"last_polled_at": None}):  # fmt: skip
        assert resumed({**row, **other}, at("2026-03-11T12:00"), POLICY, FOI) is None
