"""Escalation paths as the statutes and the regulators set them (issue 15), over scripted
WDTK timelines on the replica. Dates in comments are counted by hand; the last test checks
those counts against the calendar independently of the code under test's rules."""

from __future__ import annotations

import pytest

from tests.support import drafted, released_project, row, sent_request, track_into_campaign
from tests.wdtk_replica import HOME_OFFICE, event, make_body, make_request_doc

SCHOOL = make_body("st_marys_school", "St Mary's School", 43, ["school"])


@pytest.fixture
def wdtk(project, replica):
    project = released_project(project, replica)
    sent_request(project, replica, 5001, "smm-1")  # Home Office, Mon 2 Mar 2026, due Tue 31 Mar
    project.run("poll", "--as-of", "2026-03-02T12:00")
    return project


def followup(project, ref, kind):
    return next(f for f in project.json("show", ref)["followups"] if f["kind"] == kind)["text"]


def status_of(project, ref, day):
    return {s["ref"]: s for s in project.json("status", "--as-of", day)}[ref]


# --- ICO: a request never answered ---------------------------------------------------------


def test_ico_non_reply_complaint_only_after_a_chaser_was_sent_on_wdtk(wdtk, replica):
    """ICO FOI/EIR complaints page: it wants evidence the requester tried to resolve the
    matter first, and asks for complaints within six weeks of the last substantive
    contact (practice, not statute). Very overdue from Fri 1 May (40th day: Thu 30 Apr).
    The chaser of Tue 5 May is left 10 working days to be answered: to Tue 19 May."""
    assert drafted(wdtk, "complaint", "2026-05-01")["created"] == []  # nothing sent yet
    replica.add_event(5001, event(None, "followup_sent", "2026-05-05T10:00:00+01:00"))
    wdtk.run("poll", "--all", "--as-of", "2026-05-05T12:00")
    assert drafted(wdtk, "complaint", "2026-05-05")["created"] == []
    assert drafted(wdtk, "complaint", "2026-05-19")["created"] == []
    assert drafted(wdtk, "complaint", "2026-05-20")["created"] == [
        {"ref": "smm-1-co", "request": "smm-1"}
    ]
    text = followup(wdtk, "smm-1", "complaint")
    assert "my follow-up of 5 May 2026" in text
    assert "by 16 June 2026 at the latest" in text  # 5 May + 42 days
    assert "practice, not a legal deadline" in text


def test_ico_window_already_past_is_never_given_as_a_send_by_date(wdtk, replica):
    """A chaser on 1 Apr, a complaint drafted on 1 Jul: six weeks from the day the request
    became very overdue (30 Apr) ended 11 Jun, so no "send by" date, and the letter says so."""
    replica.add_event(5001, event(None, "followup_sent", "2026-04-01T10:00:00+01:00"))
    wdtk.run("poll", "--all", "--as-of", "2026-04-01T12:00")
    assert drafted(wdtk, "complaint", "2026-07-01")["created"] == [
        {"ref": "smm-1-co", "request": "smm-1"}
    ]
    text = followup(wdtk, "smm-1", "complaint")
    assert "at the latest" not in text
    assert "as soon as you can" in text and "ran out on 11 June 2026" in text


# --- asking for a review in time -------------------------------------------------------------


def test_review_request_window_40_working_days_after_a_refusal(wdtk, replica):
    """ICO guidance (FOIA) and EIR reg 11(2): ask for a review within 40 working days of
    the answer. Refused Fri 20 Mar 2026 → Wed 20 May (Good Friday, Easter Monday and the
    early May holiday skipped)."""
    replica.add_event(5001, event(None, "response", "2026-03-20T09:00:00+00:00", text="Refused."))
    replica.add_event(
        5001, event(None, "status_update", "2026-03-20T10:00:00+00:00", described_state="rejected")
    )
    wdtk.run("poll", "--all", "--as-of", "2026-03-20T12:00")
    assert status_of(wdtk, "smm-1", "2026-03-23")["review_by"] == "2026-05-20"
    drafted(wdtk, "internal-review", "2026-03-23")
    text = followup(wdtk, "smm-1", "internal-review")
    assert "Ask for the review by 20 May 2026 at the latest" in text
    assert "20 March 2026" in text


# --- schools -----------------------------------------------------------------------------------


def test_foia_school_chased_only_after_the_60th_working_day_si_2004_3364(wdtk, replica):
    """SI 2004/3364 reg 3: the 20th school day, capped at the 60th working day (Mon 1 Jun
    for Mon 2 Mar). Without term dates a breach is certain only after the cap."""
    doc = make_request_doc(9101, "St Mary's: staff disciplined", body=SCHOOL, tags=[],
                           sent_at="2026-03-02T10:15:00+00:00")  # fmt: skip
    ref = track_into_campaign(wdtk, replica, doc)
    assert row(wdtk, ref)["very_overdue_after"] == "2026-06-01"

    def mine(day):
        return [c for c in drafted(wdtk, "chaser", day)["created"] if c["request"] == ref]

    assert mine("2026-04-01") == [] and mine("2026-06-01") == []
    assert mine("2026-06-02") == [{"ref": f"{ref}-c1", "request": ref}]
    text = followup(wdtk, ref, "chaser")
    assert "within 20 school days and no later than 1 June 2026" in text
    assert "31 March" not in text


def test_poll_never_tells_a_foia_school_overdue_before_the_60th_working_day(wdtk, replica):
    """SI 2004/3364 reg 3: on Wed 1 Apr (day 21) a school is not late, so the poll that
    notices deadlines passing must not say "now waiting_response_overdue" either; on Tue 2
    Jun (the day after the 60th, Mon 1 Jun) it is, 1 working day late."""
    doc = make_request_doc(9104, "St Mary's: staff vetting", body=SCHOOL, tags=[],
                           sent_at="2026-03-02T10:15:00+00:00")  # fmt: skip
    ref = track_into_campaign(wdtk, replica, doc)
    told = wdtk.json("poll", "--as-of", "2026-04-01T18:00")["newly_overdue"]
    assert ref not in [o["ref"] for o in told]
    assert status_of(wdtk, ref, "2026-04-01")["status"] == "waiting_response"
    told = wdtk.json("poll", "--as-of", "2026-06-02T18:00")["newly_overdue"]
    assert [(o["ref"], o["days_late"]) for o in told if o["ref"] == ref] == [(ref, 1)]


def test_eir_school_is_very_overdue_after_40_working_days(wdtk, replica):
    """The schools regulations vary FOIA s.10 only; EIR reg 5(2) gives 20 working days."""
    doc = make_request_doc(9102, "St Mary's: drains", body=SCHOOL, tags=[], law_used="eir",
                           sent_at="2026-03-02T10:15:00+00:00")  # fmt: skip
    ref = track_into_campaign(wdtk, replica, doc)
    assert row(wdtk, ref)["very_overdue_after"] == "2026-04-30"


# --- extensions used, not only computed ---------------------------------------------------


def test_eir_reg_7_extension_recorded_with_extend_stops_the_day_21_chaser(wdtk, replica):
    """EIR reg 7(1): 40 working days when complex and voluminous (Thu 30 Apr here)."""
    doc = make_request_doc(9103, "Home Office: air quality", body=HOME_OFFICE, tags=[],
                           law_used="eir", sent_at="2026-03-02T10:15:00+00:00")  # fmt: skip
    ref = track_into_campaign(wdtk, replica, doc)
    result = wdtk.json("extend", ref, "--eir")
    assert (result["due"], result["was_due"]) == ("2026-04-30", "2026-03-31")
    assert [e for e in wdtk.json("show", ref)["events"] if e["kind"] == "extension"]
    # WDTK knows nothing of the extension: a change on WDTK makes foibot recompute the
    # request's dates from its payload, and the recorded extension must survive that.
    replica.add_event(9103, event(None, "comment", "2026-03-20T10:00:00+00:00"))
    wdtk.run("poll", "--all", "--as-of", "2026-04-01T12:00")
    assert [e for e in wdtk.json("show", ref)["events"] if e["kind"] == "comment"]
    assert row(wdtk, ref)["due"] == "2026-04-30"
    assert status_of(wdtk, ref, "2026-04-01")["status"] == "waiting_response"

    def mine(day):
        return [c for c in drafted(wdtk, "chaser", day)["created"] if c["request"] == ref]

    assert mine("2026-04-01") == [] and mine("2026-04-30") == []
    assert mine("2026-05-01") == [{"ref": f"{ref}-c1", "request": ref}]
    late = {r["ref"] for r in wdtk.json("overdue", "--as-of", "2026-05-01")}
    assert ref in late


def test_pit_extension_and_bad_uses_of_extend(wdtk):
    """FOIA s.10(3): the body's public-interest date is when the reply becomes late."""
    assert wdtk.json("extend", "smm-1", "--pit-until", "2026-04-28")["due"] == "2026-04-28"
    assert status_of(wdtk, "smm-1", "2026-04-28")["status"] == "waiting_response"
    assert status_of(wdtk, "smm-1", "2026-04-29")["status"] == "waiting_response_overdue"
    assert wdtk.run("extend", "smm-1", "--eir", expect=2).stderr.count("\n") == 1
    assert "only under EIR" in wdtk.run("extend", "smm-1", "--eir", expect=2).stderr
    assert "no request" in wdtk.run("extend", "nope", "--eir", expect=2).stderr
    assert "in pairs" in wdtk.run("extend", "smm-1", "--fee-notice", "2026-03-05", expect=2).stderr
    # s.9(1): a fees notice answers the request, so it cannot come before the clock starts.
    early = wdtk.run("extend", "smm-1", "--fee-notice", "2020-01-06", "--fee-paid", "2020-01-08",
                     expect=2).stderr  # fmt: skip
    assert "fee notice 2020-01-06 is before the request was received" in early


def test_a_reply_announcing_an_extension_is_suggested_not_chased(wdtk, replica):
    doc = make_request_doc(9104, "Home Office: water", body=HOME_OFFICE, tags=[],
                           law_used="eir", sent_at="2026-03-02T10:15:00+00:00")  # fmt: skip
    ref = track_into_campaign(wdtk, replica, doc)
    replica.add_event(9104, event(None, "response", "2026-03-25T09:00:00+00:00",
                                  text="Your request is complex and voluminous, so under "
                                  "regulation 7 we will reply within 40 working days."))  # fmt: skip
    replica.add_event(9104, event(None, "status_update", "2026-03-25T10:00:00+00:00",
                                  described_state="waiting_response"))  # fmt: skip
    wdtk.run("poll", "--all", "--as-of", "2026-03-25T12:00")
    report = drafted(wdtk, "chaser", "2026-04-01")
    assert ref not in [c["request"] for c in report["created"]]
    assert {"request": ref, "hint": f"foibot extend {ref} --eir"} in report["suggestions"]


def test_dates_in_these_tests_are_counted_as_claimed():
    """The hand counts above, checked on the union calendar with plain date stepping."""
    import datetime as dt

    from bot import deadlines as dl

    cal = dl.calendar_for("foi")

    def nth(start, n):
        d, k = dt.date.fromisoformat(start), 0
        while k < n:
            d += dt.timedelta(days=1)
            k += cal.is_working_day(d)
        return d.isoformat()

    assert nth("2026-03-02", 40) == "2026-04-30"
    assert nth("2026-05-05", 10) == "2026-05-19"
    assert nth("2026-03-02", 60) == "2026-06-01"
    assert nth("2026-03-20", 40) == "2026-05-20"
    assert nth("2026-03-23", 40) == "2026-05-21" and nth("2026-03-23", 28) == "2026-05-05"
