"""What must have happened before foibot drafts a requirement for review or a complaint
(issue 28, items 2 and 3, and the Commissioner's citations of item 5).

* Scotland: a requirement for review is made within 40 working days (FOISA s.20(5);
  EISR reg 16(2)); a later one the authority may comply with but need not (s.20(6)), so
  it is drafted only when asked for, says it is late, and no application to the
  Commissioner is ever drafted on its silence.
* ICO, no reply: only a chaser sent on WDTK after the due date, left unanswered for
  `complaint_after_chaser` working days (default 10), shows the requester tried to
  resolve it first; the complaint cites that chaser.

Every date is counted by hand in the comments; the last test checks those counts against
the listed holidays with plain date stepping. Scottish calendar (FOISA s.73): Good Friday
3 Apr, early May 4 May, spring 25 May, the one-off 15 Jun and 3 Aug 2026; Easter Monday is
a working day. FOIA's, February to May: 17 Mar (St Patrick's), 3 and 6 Apr, 4 and 25 May.
"""

from __future__ import annotations

import datetime as dt

from bot import deadlines as dl
from bot.config import FollowupPolicy
from bot.rules.drafting import make_environment
from bot.rules.followups import Due, History, context, due_followups, late_requirement
from bot.templating import builtin_dir
from tests.support import drafted, released_project, row, sent_request
from tests.wdtk_replica import POLICE_SCOTLAND, event, make_request_doc

D = dt.date
SENT = "2026-02-02"
# Sent Mon 2 Feb 2026. FOIA: due Mon 2 Mar, very overdue after Tue 31 Mar. FOISA/EISR
# (no St Patrick's Day): due Mon 2 Mar, very overdue after Mon 30 Mar; the window for a
# requirement for review of the failure to reply: 40 working days after 2 Mar, Tue 28 Apr.
FOI = {
    "ref": "r-1", "title": "Staff disciplined", "status": "waiting_response", "law": "foi",
    "sent_on": SENT, "due": "2026-03-02", "very_overdue_after": "2026-03-31", "wdtk_id": 1,
}  # fmt: skip
FOISA = {**FOI, "law": "foisa", "very_overdue_after": "2026-03-30"}
EISR = {**FOISA, "law": "eisr"}


POLICY, NOTHING = FollowupPolicy(), History()  # default: complaint_after_chaser = 10


def due(kind, today, row, policy=POLICY, history=NOTHING, late_review=False):
    calendar = dl.calendar_for(row["law"])
    return due_followups(row, kind, today, policy, calendar, [], history, late_review=late_review)


def render(kind, row, cycle, today, history=NOTHING):
    calendar = dl.calendar_for(row["law"])
    ctx = context(row, Due(kind, cycle), "The Body", today, calendar, {"name": "A Requester"},
                  "https://www.whatdotheyknow.com/request/x", None, history)  # fmt: skip
    return make_environment(builtin_dir()).get_template(f"followups/{kind}.txt.j2").render(ctx)


# --- Scotland: the requirement for review and its window ---------------------------------


def test_scottish_requirement_for_a_non_reply_only_inside_its_window_unless_asked():
    no_reply = Due("internal-review", f"no-reply:{SENT}")
    for scottish in (FOISA, EISR):
        assert due("internal-review", D(2026, 4, 28), scottish) == no_reply  # the 40th day
        assert due("internal-review", D(2026, 4, 29), scottish) is None  # s.20(5) closed
        # Asked for: the same round, so never a second requirement beside an earlier one.
        assert due("internal-review", D(2026, 4, 29), scottish, late_review=True) == no_reply
    # England has no statutory window for a non-reply: nothing changes there.
    assert due("internal-review", D(2026, 4, 29), FOI) is None


def test_scottish_requirement_after_a_late_refusal_counts_from_the_refusal():
    """s.20(5)(b): a refusal received after the due date, on Tue 10 Mar: 40 working days
    to Thu 7 May (Good Friday and 4 May skipped)."""
    refused = {**FOISA, "status": "rejected"}
    history = History(responses=(D(2026, 3, 10),))
    assert due("internal-review", D(2026, 5, 7), refused, history=history) == Due(
        "internal-review", SENT
    )
    assert due("internal-review", D(2026, 5, 8), refused, history=history) is None
    late = due("internal-review", D(2026, 5, 8), refused, history=history, late_review=True)
    assert late == Due("internal-review", SENT)


def test_no_commissioner_application_on_a_late_requirement_for_review():
    """s.21(1): 20 working days for the review, then s.47(1) lets the requester apply.
    Required in time on Tue 28 Apr: review due Thu 28 May (4 and 25 May skipped)."""
    in_time = {**FOISA, "status": "internal_review", "review_started_on": "2026-04-28"}
    assert due("complaint", D(2026, 5, 28), in_time) is None
    assert due("complaint", D(2026, 5, 29), in_time) == Due("complaint", "review:2026-04-28")
    # One day late (Wed 29 Apr): the authority was not obliged to review (s.20(6)), so its
    # silence is no failure the Commissioner can decide on, however long it lasts.
    late = {**in_time, "review_started_on": "2026-04-29"}
    for request in (late, {**late, "law": "eisr"}):
        for day in (D(2026, 5, 29), D(2026, 7, 31), D(2027, 1, 4)):
            assert due("complaint", day, request) is None


def test_the_window_of_a_requirement_runs_from_a_late_answer_not_from_the_due_date():
    """s.20(5)(b): an answer received on Mon 20 Apr, after the due date: 40 working days to
    Thu 18 Jun (4 May, 25 May and 15 Jun skipped). Required on Mon 1 Jun: in time, though
    the window for a non-reply closed on 28 Apr. Review due Tue 30 Jun (15 Jun skipped)."""
    answered = {
        **FOISA, "status": "internal_review", "review_started_on": "2026-06-01",
        "answered_at": "2026-04-20T08:00:00+00:00",
    }  # fmt: skip
    assert due("complaint", D(2026, 6, 30), answered) is None
    assert due("complaint", D(2026, 7, 1), answered) == Due("complaint", "review:2026-06-01")
    # An answer in time (Fri 20 Feb) leaves the window at 40 days after the due date
    # (s.20(5)(a)): 28 Apr in time, 29 Apr late.
    early = {**answered, "answered_at": "2026-02-20T08:00:00+00:00"}
    on_time = {**early, "review_started_on": "2026-04-28"}
    assert due("complaint", D(2026, 5, 29), on_time) == Due("complaint", "review:2026-04-28")
    assert due("complaint", D(2026, 7, 31), {**early, "review_started_on": "2026-04-29"}) is None


def test_a_late_requirement_says_so_and_asks_under_s20_6():
    text = render("internal-review", {**FOISA, "status": "waiting_response_very_overdue"},
                  f"no-reply:{SENT}", D(2026, 10, 21))  # fmt: skip
    assert (
        "after the 40 working days allowed by section 20(5), which ended on 28 April 2026" in text
    )
    assert "as section 20(6) allows" in text
    assert "at the latest" not in text and "you must respond" not in text
    assert "foibot drafts none" in text
    in_time = render("internal-review", {**FOISA, "status": "waiting_response_overdue"},
                     f"no-reply:{SENT}", D(2026, 3, 3))  # fmt: skip
    assert "by 28 April 2026 at the latest" in in_time and "20(6)" not in in_time
    assert "Under section 21(1) you must respond" in in_time


def test_late_eisr_representations_claim_no_duty_and_cite_no_foisa_section():
    """EISR reg 16(3) obliges the authority to consider only representations made within
    reg 16(2)'s 40 working days; reg 16 has no counterpart of FOISA s.20(6)."""
    text = render("internal-review", {**EISR, "status": "waiting_response_very_overdue"},
                  f"no-reply:{SENT}", D(2026, 10, 21))  # fmt: skip
    assert "after the 40 working days regulation 16(2) allows, which ended on 28 April 2026" in text
    assert "not obliged to consider them" in text
    assert "20(6)" not in text and "16(4) you must" not in text
    refusal = render("internal-review", {**EISR, "status": "rejected"}, SENT, D(2026, 10, 21),
                     History(responses=(D(2026, 3, 10),)))  # fmt: skip
    assert "ended on 7 May 2026" in refusal and "not obliged to consider them" in refusal
    assert "you must respond to this review" not in refusal


def test_an_eisr_review_asked_after_its_window_from_the_decision_is_late():
    """EISR reg 16(2): 40 working days from the decision, received Fri 20 Feb 2026 (in
    time): to Mon 20 Apr (Good Friday 3 Apr skipped; Easter Monday is a Scottish working
    day). Representations made on Wed 22 Apr were late, even though the window for a
    failure to answer (from the due date, Mon 2 Mar) would have run to Tue 28 Apr; so no
    application to the Commissioner relies on them."""
    row = {**EISR, "status": "internal_review", "review_started_on": "2026-04-22",
           "answered_at": "2026-02-20T08:00:00+00:00"}  # fmt: skip
    assert late_requirement(row, dl.calendar_for("eisr")) == D(2026, 4, 20)
    in_time = {**row, "review_started_on": "2026-04-20"}
    assert late_requirement(in_time, dl.calendar_for("eisr")) is None
    # The review's 20 working days (reg 16(4)) have long run out by 1 July.
    assert due("complaint", D(2026, 7, 1), row) is None
    assert due("complaint", D(2026, 7, 1), in_time) == Due("complaint", "review:2026-04-20")


# --- the Commissioner's and the ICO's letters, law by law ---------------------------------


def test_an_eisr_application_cites_foisa_s47_as_applied_by_eisr_reg_17():
    row = {**EISR, "status": "internal_review", "review_started_on": "2026-04-28"}
    text = render("complaint", row, "review:2026-04-28", D(2026, 5, 29))
    applied = (
        "the Freedom of Information (Scotland) Act 2002, as applied by regulation 17 of the "
        "Environmental Information (Scotland) Regulations 2004"
    )
    assert f"Application for a decision under section 47(1) of {applied}" in text
    assert f"section 47(4) of {applied}, allows six months" in text
    assert "section 47(1) of the Environmental" not in text
    assert "made representations under regulation 16 of the Regulations about their failure" in text


def test_an_application_after_a_non_reply_never_says_review_of_their_response():
    for law, asked in (
        ("foisa", "required a review, under section 20(1) of the Act, of their failure"),
        ("eisr", "made representations under regulation 16 of the Regulations about their failure"),
        ("foi", "asked for an internal review of their failure"),
        ("eir", "asked for an internal review of their failure"),
    ):
        row = {**FOI, "law": law, "status": "internal_review", "review_started_on": "2026-04-28"}
        text = render("complaint", row, "review:2026-04-28", D(2026, 7, 1))
        assert asked in text, law
        assert "their response" not in text, law
    # After an answer (Fri 20 Feb), the review was of that answer.
    answered = {**FOISA, "status": "internal_review", "review_started_on": "2026-03-10",
                "answered_at": "2026-02-20T08:00:00+00:00"}  # fmt: skip
    text = render("complaint", answered, "review:2026-03-10", D(2026, 5, 1))
    assert "of their response" in text and "failure to respond" not in text


def test_a_complaint_names_each_law_s_review_and_grounds():
    """EIR reg 12 and EISR reg 10 have exceptions, not exemptions; the Scottish review is a
    requirement for review (FOISA s.20) or representations (EISR reg 16)."""
    for law, review_name, grounds in (
        ("foi", "your internal review request of 2026-04-28", "the exemptions or reasons"),
        ("eir", "your internal review request of 2026-04-28", "the exceptions or reasons"),
        ("foisa", "your requirement for review of 2026-04-28", "the exemptions or reasons"),
        (
            "eisr",
            "your representations under regulation 16 of 2026-04-28",
            "the exceptions or reasons",
        ),
    ):
        row = {**FOI, "law": law, "status": "internal_review", "review_started_on": "2026-04-28"}
        text = render("complaint", row, "review:2026-04-28", D(2026, 7, 1))
        assert review_name in text, law
        refused = {**FOI, "law": law, "status": "rejected"}
        after = History(responses=(D(2026, 2, 20), D(2026, 5, 20)), sent=((D(2026, 4, 28), True),))
        text = render("complaint", refused, "review-outcome:2026-05-20", D(2026, 5, 21), after)
        assert f"I do not believe {grounds} they gave were correctly applied" in text, law


# --- ICO: the chaser that went unanswered ----------------------------------------------------


def test_only_a_chaser_after_the_due_date_counts_and_it_gets_ten_working_days():
    very = {**FOI, "status": "waiting_response"}  # very overdue from Wed 1 Apr
    complaint = Due("complaint", f"very-overdue:{SENT}")
    # A nudge on Tue 10 Feb and a follow-up on the due day itself asked for nothing late.
    early = History(sent=((D(2026, 2, 10), False), (D(2026, 3, 2), False)))
    assert due("complaint", D(2026, 6, 1), very, history=early) is None
    # A chaser on Wed 1 Apr: 10 working days to answer, to Fri 17 Apr (3 and 6 Apr skipped).
    chased = History(sent=(*early.sent, (D(2026, 4, 1), False)))
    assert due("complaint", D(2026, 4, 17), very, history=chased) is None
    assert due("complaint", D(2026, 4, 20), very, history=chased) == complaint
    # The set number of days: 3 runs to Wed 8 Apr.
    three = FollowupPolicy(complaint_after_chaser=3)
    assert due("complaint", D(2026, 4, 8), very, three, chased) is None
    assert due("complaint", D(2026, 4, 9), very, three, chased) == complaint
    # A review request is no chaser.
    review = History(sent=((D(2026, 4, 1), True),))
    assert due("complaint", D(2026, 6, 1), very, history=review) is None


def test_a_chaser_the_body_answered_does_not_count():
    very = {**FOI, "status": "waiting_response"}
    # Chased Wed 1 Apr, a holding reply Wed 8 Apr: that chaser was answered.
    answered = History(responses=(D(2026, 4, 8),), sent=((D(2026, 4, 1), False),))
    assert due("complaint", D(2026, 4, 20), very, history=answered) is None
    same_day = History(responses=(D(2026, 4, 1),), sent=((D(2026, 4, 1), False),))
    assert due("complaint", D(2026, 4, 20), very, history=same_day) is None
    # Chased again Thu 9 Apr: 10 working days to Thu 23 Apr, and the complaint cites it.
    again = History(answered.responses, (*answered.sent, (D(2026, 4, 9), False)))
    assert due("complaint", D(2026, 4, 23), very, history=again) is None
    assert due("complaint", D(2026, 4, 24), very, history=again) == Due(
        "complaint", f"very-overdue:{SENT}"
    )
    text = render("complaint", very, f"very-overdue:{SENT}", D(2026, 4, 24), again)
    assert "my follow-up of 9 April 2026 is in the thread above, and has had no answer" in text
    assert "1 April 2026" not in text


# --- the whole path on the replica -------------------------------------------------------------


def mine(report, ref):
    return [c for c in report["created"] if c["request"] == ref]


def text_of(project, ref, kind):
    return next(f for f in project.json("show", ref)["followups"] if f["kind"] == kind)["text"]


def test_unanswered_scottish_request_tracked_100_working_days_after_it_was_sent(project, replica):
    """Sent Mon 1 Jun 2026 to Police Scotland: due Tue 30 Jun (15 Jun skipped); the window
    for a requirement for review closed on Wed 26 Aug (3 Aug skipped). The 100th working
    day is Wed 21 Oct."""
    wdtk = released_project(project, replica)
    doc = make_request_doc(7001, "Police Scotland: staff disciplined", body=POLICE_SCOTLAND,
                           tags=[], sent_at="2026-06-01T09:00:00+01:00")  # fmt: skip
    replica.add_request(doc)
    wdtk.run("track", "/request/7001", "--campaign", "social-media-misuse",
             "--as-of", "2026-10-21T12:00")  # fmt: skip
    ref = "wdtk-7001"
    assert mine(drafted(wdtk, "complaint", "2026-10-21"), ref) == []
    report = drafted(wdtk, "internal-review", "2026-10-21")
    assert mine(report, ref) == []
    assert {"request": ref, "closed_on": "2026-08-26"} in report["window_closed"]
    out = wdtk.run("followups", "social-media-misuse", "--kind", "internal-review",
                   "--as-of", "2026-10-21").stdout  # fmt: skip
    assert f"window closed: {ref}: the time to require a review ended on 2026-08-26" in out
    assert "window closed on 2026-08-26" in wdtk.run("overdue", "--as-of", "2026-10-21").stdout
    shown = wdtk.run("show", ref, "--as-of", "2026-10-21").stdout
    assert "review window closed on 2026-08-26" in shown
    late = [r for r in wdtk.json("overdue", "--as-of", "2026-10-21") if r["ref"] == ref]
    assert late[0]["review_window_closed"] is True
    assert wdtk.json("show", ref, "--as-of", "2026-08-26")["review_window_closed"] is False

    # Asked for: a late requirement, citing s.20(6).
    asked = wdtk.json("followups", "social-media-misuse", "--kind", "internal-review",
                      "--late-review", "--as-of", "2026-10-21")  # fmt: skip
    assert mine(asked, ref) == [{"ref": f"{ref}-ir", "request": ref}]
    text = text_of(wdtk, ref, "internal-review")
    assert "made after the 40 working days allowed by section 20(5)" in text
    assert "ended on 26 August 2026" in text and "as section 20(6) allows" in text
    assert "at the latest" not in text

    # It goes out on Thu 22 Oct; the body never answers: still no application.
    replica.add_event(7001, event(None, "followup_sent", "2026-10-22T10:00:00+01:00",
                                  calculated_state="internal_review"))  # fmt: skip
    wdtk.run("poll", "--all", "--as-of", "2026-10-22T12:00")
    assert row(wdtk, ref)["review_started_on"] == "2026-10-22"
    for day in ("2026-11-20", "2027-01-20", "2027-04-01"):
        assert mine(drafted(wdtk, "complaint", day), ref) == []


def test_clarified_then_late_request_no_ico_complaint_until_a_late_chaser_went_unanswered(
    project, replica
):
    """Sent Mon 2 Mar; the body asks for clarification on Wed 4 Mar, answered Mon 9 Mar: the
    clock restarts (FOIA s.1(3), s.10(6)(b)). Due Thu 9 Apr (17 Mar, 3 and 6 Apr skipped),
    very overdue after Fri 8 May (4 May skipped). A nudge went on Fri 20 Mar."""
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    for e in (
        event(None, "response", "2026-03-04T09:00:00+00:00", text="Which years do you mean?"),
        event(None, "status_update", "2026-03-04T10:00:00+00:00",
              described_state="waiting_clarification"),
        event(None, "followup_sent", "2026-03-09T10:00:00+00:00"),  # the clarification
        event(None, "status_update", "2026-03-09T10:05:00+00:00",
              described_state="waiting_response"),
        event(None, "followup_sent", "2026-03-20T10:00:00+00:00"),  # a nudge
    ):  # fmt: skip
        replica.add_event(5001, e)
    wdtk.run("poll", "--all", "--as-of", "2026-03-20T12:00")
    stored = row(wdtk, "smm-1")
    assert (stored["sent_on"], stored["due"]) == ("2026-03-09", "2026-04-09")
    assert stored["very_overdue_after"] == "2026-05-08"
    assert mine(drafted(wdtk, "complaint", "2026-05-11"), "smm-1") == []  # very overdue

    # A chaser after the due date, Tue 12 May: 10 working days to Wed 27 May (25 May skipped).
    replica.add_event(5001, event(None, "followup_sent", "2026-05-12T10:00:00+01:00"))
    wdtk.run("poll", "--all", "--as-of", "2026-05-12T12:00")
    for day in ("2026-05-12", "2026-05-27"):
        assert mine(drafted(wdtk, "complaint", day), "smm-1") == []
    assert mine(drafted(wdtk, "complaint", "2026-05-28"), "smm-1") == [
        {"ref": "smm-1-co", "request": "smm-1"}
    ]
    text = text_of(wdtk, "smm-1", "complaint")
    assert "my follow-up of 12 May 2026 is in the thread above, and has had no answer" in text
    assert "follow-up of 9 March" not in text and "20 March" not in text
    assert "by 23 June 2026 at the latest" in text  # six weeks from the chaser


def test_complaint_after_chaser_is_a_campaign_policy_key(project, replica):
    wdtk = released_project(project, replica)
    wdtk.edit_config("[campaigns.followups]", "[campaigns.followups]\ncomplaint_after_chaser = -1")
    err = wdtk.run("status", expect=2).stderr
    assert "complaint_after_chaser: must be at least 0" in err


def test_the_counts_above_are_the_calendars():
    """Plain date stepping over the holidays the module docstring lists, and a check that
    the calendars hold exactly those in the range."""
    scotland = {D(2026, 4, 3), D(2026, 5, 4), D(2026, 5, 25), D(2026, 6, 15), D(2026, 8, 3)}
    england = {D(2026, 3, 17), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25)}

    def nth(start, n, holidays):
        d, k = start, 0
        while k < n:
            d += dt.timedelta(days=1)
            k += d.weekday() < 5 and d not in holidays
        return d

    for law, holidays, end in (
        ("foisa", scotland, D(2026, 11, 1)),
        ("foi", england, D(2026, 6, 1)),
    ):
        cal = dl.calendar_for(law)
        day = D(2026, 2, 1)
        while day < end:
            assert cal.is_working_day(day) == (day.weekday() < 5 and day not in holidays), day
            day += dt.timedelta(days=1)
    assert nth(D(2026, 2, 2), 20, scotland) == D(2026, 3, 2)
    assert nth(D(2026, 3, 2), 40, scotland) == D(2026, 4, 28)
    assert nth(D(2026, 3, 10), 40, scotland) == D(2026, 5, 7)
    assert nth(D(2026, 4, 28), 20, scotland) == D(2026, 5, 28)
    assert nth(D(2026, 4, 20), 40, scotland) == D(2026, 6, 18)
    assert nth(D(2026, 6, 1), 20, scotland) == D(2026, 6, 30)
    assert nth(D(2026, 6, 30), 40, scotland) == D(2026, 8, 26)
    assert nth(D(2026, 6, 1), 100, scotland) == D(2026, 10, 21)
    assert nth(D(2026, 4, 1), 10, england) == D(2026, 4, 17)
    assert nth(D(2026, 4, 1), 3, england) == D(2026, 4, 8)
    assert nth(D(2026, 4, 9), 10, england) == D(2026, 4, 23)
    assert nth(D(2026, 3, 9), 20, england) == D(2026, 4, 9)
    assert nth(D(2026, 3, 9), 40, england) == D(2026, 5, 8)
    assert nth(D(2026, 5, 12), 10, england) == D(2026, 5, 27)


def _history(*events: tuple[str, str, str | None]) -> History:
    """A History from stored events (kind, UTC time, WDTK calculated_state), as a poll
    leaves them."""
    from bot.rules.followups import histories

    rows = [{"ref": "r-1", "kind": kind, "at": at, "detail": {"calculated_state": state}}
            for kind, at, state in events]  # fmt: skip
    return histories(rows)["r-1"]


def test_a_reply_minutes_before_a_follow_up_on_its_day_is_not_its_answer():
    """WDTK's events carry their times: on one day, a refusal at 10:00 and the requirement
    for review it prompted at 14:00 are in that order. The application to the Commissioner
    says the review never answered (not "on 10 March they gave me its outcome"); a reply
    after the requirement, the same day, is its outcome. And a chaser sent minutes after
    a reply on its day is unanswered, so the ICO complaint is drafted after its wait."""
    from bot.rules.followups import unanswered_chaser

    row = {**FOISA, "status": "internal_review", "review_started_on": "2026-03-10"}
    refusal, required = "2026-03-10T10:00:00+00:00", "2026-03-10T14:00:00+00:00"
    before = _history(("response", refusal, None), ("followup_sent", required, "internal_review"))
    text = render("complaint", row, "review:2026-03-10", D(2026, 4, 10), history=before)
    assert "I have had no review decision." in text and "gave me its outcome" not in text
    outcome = _history(*[("response", refusal, None), ("followup_sent", required, "internal_review"),
                         ("response", "2026-03-10T16:00:00+00:00", None)])  # fmt: skip
    refused = {**row, "status": "rejected"}
    text = render(
        "complaint", refused, "review-outcome:2026-03-10", D(2026, 4, 10), history=outcome
    )
    assert "and on 10 March 2026 they gave me its outcome" in text
    very = {**FOI, "status": "waiting_response"}
    chased = _history(("response", "2026-04-01T16:57:00+00:00", None),
                      ("followup_sent", "2026-04-01T17:02:00+00:00", "waiting_response"))  # fmt: skip
    assert unanswered_chaser(very, chased, D(2026, 4, 20)) == D(2026, 4, 1)
    # 10 working days from Wed 1 Apr (Good Friday and Easter Monday skipped): Fri 17 Apr.
    assert due("complaint", D(2026, 4, 17), very, history=chased) is None
    assert due("complaint", D(2026, 4, 20), very, history=chased) == Due(
        "complaint", f"very-overdue:{SENT}"
    )
    answered = _history(("followup_sent", "2026-04-01T17:02:00+00:00", "waiting_response"),
                        ("response", "2026-04-01T17:30:00+00:00", None))  # fmt: skip
    assert unanswered_chaser(very, answered, D(2026, 4, 20)) is None


def test_a_review_of_a_refusal_is_asked_for_in_each_laws_own_terms():
    """Scotland: the requester *requires* a review (FOISA s.20(1)) or makes
    representations (EISR reg 16) of a refusal as of a silence; England's FOIA has no
    statutory review, so there it is a request for an internal review."""
    for law, opening in (
        ("foisa", "I am writing to require a review, under section 20(1) of the Freedom of "
                  "Information (Scotland) Act 2002, of your response to my request"),
        ("eisr", "I am writing to make representations under regulation 16 of the "
                 "Environmental Information (Scotland) Regulations 2004 about your response"),
        ("foi", "I am writing to request an internal review of your handling of my request"),
    ):  # fmt: skip
        refused = {**FOI, "law": law, "status": "rejected"}
        history = History(responses=(D(2026, 3, 10),))
        text = render("internal-review", refused, SENT, D(2026, 3, 11), history=history)
        assert opening in text, (law, text)
