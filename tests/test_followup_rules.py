"""`due_followups`, the pure rule, kind by kind, without the store or WDTK.

One FOIA request sent Mon 2 Feb 2026: due Mon 2 Mar (20th working day), very overdue
after Tue 31 Mar (40th). FOIA's calendar skips St Patrick's Day (Tue 17 Mar), Good Friday
(3 Apr) and Easter Monday (6 Apr); February has no bank holiday. Working days below are
counted by hand in (start, end]; the last test recounts them from the weekdays.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot import deadlines as dl
from bot.config import FollowupPolicy
from bot.rules.followups import Due, History, due_followups

D = dt.date
SENT = "2026-02-02"
ROW = {
    "ref": "r-1", "status": "waiting_response", "law": "foi", "sent_on": SENT,
    "due": "2026-03-02", "very_overdue_after": "2026-03-31", "wdtk_id": 1,
}  # fmt: skip
POLICY = FollowupPolicy()  # first chaser 1 day late, then every 10, at most 2


def due(kind, today, row=None, policy=POLICY, existing=(), responses=0):
    row = {**ROW, **(row or {})}
    calendar = dl.calendar_for(row["law"])
    return due_followups(row, kind, today, policy, calendar, list(existing), responses)


def chaser(cycle: str, on: str) -> dict:
    return {"kind": "chaser", "cycle": cycle, "drafted_on": on, "created_at": f"{on}T09:00:00"}


@pytest.mark.parametrize("kind", ["chaser", "nudge", "internal-review", "complaint"])
def test_nothing_is_due_for_a_request_not_on_wdtk(kind):
    row = {"wdtk_id": None, "status": "rejected"}
    assert due(kind, D(2026, 6, 1), row, FollowupPolicy(nudge_after=1)) is None


def test_first_chaser_the_working_day_after_the_due_day():
    assert due("chaser", D(2026, 3, 2)) is None  # the due day itself: not late
    assert due("chaser", D(2026, 3, 3)) == Due("chaser", f"{SENT}:1", 1)  # 1 day late
    assert due("chaser", D(2026, 3, 3), policy=FollowupPolicy(chaser_after=2)) is None
    assert due("chaser", D(2026, 3, 3), policy=FollowupPolicy(chaser_max=0)) is None
    assert due("chaser", D(2026, 3, 3), {"status": "successful"}) is None


def test_second_chaser_after_the_interval_and_none_past_the_maximum():
    first = [chaser(f"{SENT}:1", "2026-03-03")]
    # Mon 16 Mar is 10 working days late and Tue 17 Mar a holiday (still 10): the second
    # chaser needs 1 + 10 = 11, so Wed 18 Mar, 10 working days after the first.
    assert due("chaser", D(2026, 3, 16), existing=first) is None
    assert due("chaser", D(2026, 3, 17), existing=first) is None
    assert due("chaser", D(2026, 3, 18), existing=first) == Due("chaser", f"{SENT}:2", 2)
    both = [*first, chaser(f"{SENT}:2", "2026-03-18")]
    assert due("chaser", D(2026, 4, 20), existing=both) is None


def test_chasers_of_an_earlier_clock_do_not_count():
    old = [chaser("2026-01-05:1", "2026-02-03"), chaser("2026-01-05:2", "2026-02-17")]
    assert due("chaser", D(2026, 3, 3), existing=old) == Due("chaser", f"{SENT}:1", 1)


def test_chasers_are_spaced_from_the_last_one_not_only_from_the_due_day():
    # Fri 27 Mar is 18 working days late (enough for a second), but the first went on Fri
    # 20 Mar, 5 working days before.
    late_first = [chaser(f"{SENT}:1", "2026-03-20")]
    assert due("chaser", D(2026, 3, 27), existing=late_first) is None
    # Thu 2 Apr is 9 working days after it; Fri 3 and Mon 6 Apr are holidays: Tue 7 Apr is 10.
    assert due("chaser", D(2026, 4, 2), existing=late_first) is None
    assert due("chaser", D(2026, 4, 6), existing=late_first) is None
    assert due("chaser", D(2026, 4, 7), existing=late_first) == Due("chaser", f"{SENT}:2", 2)


def test_a_school_is_chased_only_after_the_60th_working_day():
    school = {"is_school": 1, "very_overdue_after": "2026-04-30"}  # the 60th working day
    assert due("chaser", D(2026, 3, 10), school) is None
    assert due("chaser", D(2026, 4, 30), school) is None
    # Not even with no days' grace: on the 60th day itself the breach is not yet certain.
    assert due("chaser", D(2026, 4, 30), school, FollowupPolicy(chaser_after=0)) is None
    assert due("chaser", D(2026, 5, 1), school) == Due("chaser", f"{SENT}:1", 1)


def test_nudge_after_the_set_working_days_when_nothing_came_back():
    policy = FollowupPolicy(nudge_after=5)
    assert due("nudge", D(2026, 2, 6), policy=policy) is None  # 4 working days
    assert due("nudge", D(2026, 2, 9), policy=policy) == Due("nudge", SENT)  # 5
    assert due("nudge", D(2026, 2, 9), policy=policy, responses=1) is None
    replied = History(responses=(D(2026, 2, 4),))
    assert due("nudge", D(2026, 2, 9), policy=policy, responses=replied) is None
    assert due("nudge", D(2026, 2, 9), {"status": "successful"}, policy) is None
    assert due("nudge", D(2026, 2, 9)) is None  # nudge_after 0: never


def test_internal_review_after_a_refusal_or_a_scottish_non_reply():
    assert due("internal-review", D(2026, 3, 3), {"status": "rejected"}) == Due(
        "internal-review", SENT
    )
    partly = {"status": "partially_successful"}
    assert due("internal-review", D(2026, 3, 3), partly) == Due("internal-review", SENT)
    off = FollowupPolicy(internal_review=False)
    assert due("internal-review", D(2026, 3, 3), {"status": "rejected"}, off) is None
    # England: a late reply is chased, not reviewed. Scotland: FOISA s.20(1) reviews it.
    assert due("internal-review", D(2026, 3, 3)) is None
    foisa = {"law": "foisa"}
    assert due("internal-review", D(2026, 3, 3), foisa) == Due(
        "internal-review", f"no-reply:{SENT}"
    )
    assert due("internal-review", D(2026, 3, 2), foisa) is None  # not yet late


def test_complaint_once_a_review_upholds_a_refusal():
    asked = History(sent=((D(2026, 3, 5), True),))
    refused = {"status": "rejected"}
    assert due("complaint", D(2026, 3, 25), refused, responses=asked) is None  # no outcome yet
    answered = History(responses=(D(2026, 2, 20), D(2026, 3, 20)), sent=asked.sent)
    assert due("complaint", D(2026, 3, 25), refused, responses=answered) == Due(
        "complaint", "review-outcome:2026-03-20"
    )
    off = FollowupPolicy(complaint=False)
    assert due("complaint", D(2026, 3, 25), refused, off, responses=answered) is None


def test_an_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown follow-up kind 'letter'"):
        due("letter", D(2026, 3, 3))


def test_day_counts_above_are_weekdays_less_the_holidays_named():
    holidays = {D(2026, 3, 17), D(2026, 4, 3), D(2026, 4, 6)}

    def between(start: dt.date, end: dt.date) -> int:
        days = (start + dt.timedelta(n) for n in range(1, (end - start).days + 1))
        return sum(1 for d in days if d.weekday() < 5 and d not in holidays)

    assert between(D(2026, 2, 2), D(2026, 3, 2)) == 20
    assert between(D(2026, 2, 2), D(2026, 3, 31)) == 40
    assert between(D(2026, 2, 2), D(2026, 4, 30)) == 60
    assert between(D(2026, 3, 2), D(2026, 3, 17)) == 10
    assert between(D(2026, 3, 2), D(2026, 3, 18)) == 11
    assert between(D(2026, 3, 3), D(2026, 3, 18)) == 10
    assert between(D(2026, 3, 2), D(2026, 3, 27)) == 18
    assert between(D(2026, 3, 20), D(2026, 3, 27)) == 5
    assert between(D(2026, 3, 20), D(2026, 4, 2)) == 9
    assert between(D(2026, 3, 20), D(2026, 4, 6)) == 9
    assert between(D(2026, 3, 20), D(2026, 4, 7)) == 10
    assert between(D(2026, 2, 2), D(2026, 2, 6)) == 4
    assert between(D(2026, 2, 2), D(2026, 2, 9)) == 5
    for a, b in ((D(2026, 2, 2), D(2026, 4, 30)), (D(2026, 3, 20), D(2026, 4, 7))):
        assert dl.calendar_for("foi").working_days_between(a, b) == between(a, b)
