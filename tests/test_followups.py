"""Follow-ups and escalation over scripted WDTK timelines on the replica."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from bot.rules.followups import body_reference
from tests.support import drafted, released_project, row, sent_request
from tests.wdtk_replica import HOME_OFFICE, POLICE_SCOTLAND, event, make_request_doc


@pytest.fixture
def wdtk(project, replica):
    project = released_project(project, replica)
    sent_request(
        project, replica, 5001, "smm-1"
    )  # Home Office, sent Mon 2 Mar 2026, due Tue 31 Mar
    project.run("poll", "--as-of", "2026-03-02T12:00")
    return project


def test_overdue_request_gets_one_chaser_then_another_after_the_interval(wdtk):
    assert drafted(wdtk, "chaser", "2026-03-31")["created"] == []  # due today: not late yet
    first = drafted(wdtk, "chaser", "2026-04-01")
    assert first["created"] == [{"ref": "smm-1-c1", "request": "smm-1"}]
    again = drafted(wdtk, "chaser", "2026-04-01")
    assert (again["created"], again["existing"]) == ([], 1)
    # 10 working days later (Good Friday and Easter Monday do not count): 11 days late on Fri 17 Apr
    assert drafted(wdtk, "chaser", "2026-04-16")["created"] == []
    assert drafted(wdtk, "chaser", "2026-04-17")["created"] == [
        {"ref": "smm-1-c2", "request": "smm-1"}
    ]
    assert drafted(wdtk, "chaser", "2026-04-30")["created"] == []  # at most 2 (chaser_max)
    letter = next(f for f in wdtk.json("show", "smm-1")["followups"] if f["ref"] == "smm-1-c1")[
        "text"
    ]
    assert "by 31 March 2026 at the latest. That date has passed" in letter
    # No count of days late: released and sent later, it would understate the lateness.
    assert "working day late" not in letter
    assert "/request/" in letter and letter.rstrip().endswith("Alex Example")
    # The body's paragraph and the sign-off stay a paragraph apart.
    assert "expect to respond.\n\nYours faithfully,\n\nAlex Example" in letter
    assert {s["ref"]: s["stage"] for s in wdtk.json("status")}["smm-1"] == "chaser draft"


def test_refused_request_gets_an_internal_review_and_an_overdue_review_an_ico_complaint(
    wdtk, replica
):
    replica.add_event(
        5001,
        event(
            None,
            "response",
            "2026-03-20T09:00:00+00:00",
            text="Our ref: FOI-2026-0456. We refuse under section 40.",
        ),
    )
    replica.add_event(
        5001, event(None, "status_update", "2026-03-20T10:00:00+00:00", described_state="rejected")
    )
    wdtk.run("poll", "--as-of", "2026-03-20T12:00")
    assert drafted(wdtk, "internal-review", "2026-03-20")["created"] == [
        {"ref": "smm-1-ir", "request": "smm-1"}
    ]
    review = next(
        f for f in wdtk.json("show", "smm-1")["followups"] if f["kind"] == "internal-review"
    )
    assert "internal review" in review["text"] and "FOI-2026-0456" in review["text"]

    wdtk.run("launch", "social-media-misuse", "--as-of", "2026-03-23T09:00")
    replica.add_event(
        5001,
        event(
            None, "followup_sent", "2026-03-23T10:00:00+00:00", calculated_state="internal_review"
        ),
    )
    wdtk.run("poll", "--as-of", "2026-03-23T12:00")
    review = next(
        f for f in wdtk.json("show", "smm-1")["followups"] if f["kind"] == "internal-review"
    )
    assert review["status"] == "sent"
    assert row(wdtk, "smm-1")["sent_on"] == "2026-03-02"  # a review request restarts no clock
    # While under review, `show` says when its answer is expected and due at the latest
    # (the 20th and 40th working days below), before it is late too.
    shown = wdtk.json("show", "smm-1", "--as-of", "2026-03-24")
    assert (shown["status"], shown["review_expected"], shown["review_latest"]) == (
        "internal_review", "2026-04-22", "2026-05-21"
    )  # fmt: skip
    text = wdtk.run("show", "smm-1", "--as-of", "2026-03-24").stdout
    assert re.search(r"^  review_expected +2026-04-22$", text, re.M), text

    # The FOIA review is expected in 20 working days (Wed 22 Apr, Easter skipped), but the
    # ICO takes a complaint only when "you've not been given the outcome of the internal
    # review after 40 working days": the 40th is Thu 21 May (28th: Tue 5 May).
    assert live(wdtk, "smm-1", "2026-04-23") == "internal_review_overdue"
    assert drafted(wdtk, "complaint", "2026-04-23")["created"] == []
    assert drafted(wdtk, "complaint", "2026-05-05")["created"] == []
    assert drafted(wdtk, "complaint", "2026-05-21")["created"] == []
    assert drafted(wdtk, "complaint", "2026-05-22")["created"] == [
        {"ref": "smm-1-co", "request": "smm-1"}
    ]
    complaint = next(
        f for f in wdtk.json("show", "smm-1")["followups"] if f["kind"] == "complaint"
    )["text"]
    assert complaint.startswith("To the Information Commissioner's Office")
    assert "23 March 2026" in complaint and "21 May 2026" in complaint
    # ICO practice, six weeks from when its 40 working days ran out: 21 May + 42 days
    assert "by 2 July 2026 at the latest" in complaint
    assert "practice, not a legal deadline" in complaint
    assert "ico.org.uk" in complaint and "Scottish" not in complaint
    late = wdtk.json("overdue", "--as-of", "2026-05-22", "--stage", "complaint")
    assert [r["ref"] for r in late] == ["smm-1"]


def live(project, ref, day):
    return {s["ref"]: s for s in project.json("status", "--as-of", day)}[ref]["status"]


def test_foisa_s47_1_no_reply_gets_a_requirement_for_review_never_a_commissioner_application(
    wdtk, replica
):
    """FOISA s.47(1): an application to the Scottish Information Commissioner can only
    follow a requirement for review (s.20). For a failure to respond, s.20(5)(a) allows 40
    working days after the 20-working-day period expired; s.21(1) gives the authority 20
    working days; s.47(4)(b) then allows six months from the end of those 20 days."""
    doc = make_request_doc(7001, "Police Scotland: staff disciplined for social media misuse", body=POLICE_SCOTLAND,
                           tags=[], sent_at="2026-06-01T09:00:00+01:00")  # fmt: skip
    replica.add_request(doc)
    wdtk.run(
        "track", "/request/7001", "--campaign", "social-media-misuse", "--as-of", "2026-06-01T12:00"
    )

    def mine(report):
        return [c for c in report["created"] if c["request"] == "wdtk-7001"]

    # FOISA s.73, Scottish holidays only (15 June): due Tue 30 Jun, overdue from 1 Jul.
    assert mine(drafted(wdtk, "internal-review", "2026-06-30")) == []
    assert mine(drafted(wdtk, "internal-review", "2026-07-01")) == [
        {"ref": "wdtk-7001-ir", "request": "wdtk-7001"}
    ]
    text = next(
        f for f in wdtk.json("show", "wdtk-7001")["followups"] if f["kind"] == "internal-review"
    )["text"]
    assert "require a review, under section 20(1)" in text and "section 21(1)" in text
    # s.20(5)(a): 40 working days after 30 Jun (Scottish summer holiday 3 Aug skipped)
    assert "by 26 August 2026 at the latest" in text
    status = {s["ref"]: s for s in wdtk.json("status", "--as-of", "2026-07-01")}["wdtk-7001"]
    assert status["review_by"] == "2026-08-26"
    assert "2026-08-26" in wdtk.run("overdue", "--as-of", "2026-07-01").stdout
    assert "2026-08-26" in wdtk.run("show", "wdtk-7001", "--as-of", "2026-07-01").stdout

    # Never a Commissioner application for the unanswered request itself, however late.
    for day in ("2026-07-01", "2026-07-29", "2026-09-30"):
        assert mine(drafted(wdtk, "complaint", day)) == []

    # The requirement for review goes out on Thu 2 Jul; s.21(1): 20 working days → Thu 30 Jul.
    replica.add_event(
        7001,
        event(
            None, "followup_sent", "2026-07-02T10:00:00+01:00", calculated_state="internal_review"
        ),
    )
    wdtk.run("poll", "--as-of", "2026-07-02T12:00")
    assert mine(drafted(wdtk, "complaint", "2026-07-30")) == []
    assert mine(drafted(wdtk, "complaint", "2026-07-31")) == [
        {"ref": "wdtk-7001-co", "request": "wdtk-7001"}
    ]
    text = next(f for f in wdtk.json("show", "wdtk-7001")["followups"] if f["kind"] == "complaint")[
        "text"
    ]
    assert text.startswith("To the Scottish Information Commissioner")
    assert "section 47(1)" in text and "Information Commissioner's Office" not in text
    assert "by 30 January 2027 at the latest" in text  # s.47(4)(b): six months from 30 Jul


def test_kill_switch_stops_all_drafting(wdtk):
    wdtk.edit_config("enabled = true", "enabled = false")
    for kind in ("chaser", "nudge", "internal-review", "complaint"):
        report = drafted(wdtk, kind, "2026-06-01")
        assert report["created"] == [] and report["disabled"] is True
    assert wdtk.dump()["followups"] == []


def test_release_one_follow_up_per_body_per_day(wdtk, replica):
    other = make_request_doc(
        8001,
        "Home Office staff training budget",
        body=HOME_OFFICE,
        tags=[],
        sent_at="2026-03-02T11:00:00+00:00",
    )
    replica.add_request(other)
    wdtk.run(
        "track", "/request/8001", "--campaign", "social-media-misuse", "--as-of", "2026-03-02T12:00"
    )
    assert len(drafted(wdtk, "chaser", "2026-04-01")["created"]) == 2  # both to the Home Office
    first = wdtk.json("launch", "social-media-misuse", "--as-of", "2026-04-01T09:00")["followups"]
    assert [f["ref"] for f in first] == ["smm-1-c1"]
    assert first[0]["url"].endswith("/followups/new") and "Dear Home Office" in first[0]["text"]
    assert first[0]["released_now"] is True
    # Until WDTK shows it sent (or the user marks it done), every launch lists it again.
    later = wdtk.json("launch", "social-media-misuse", "--as-of", "2026-04-01T17:00")["followups"]
    assert [(f["ref"], f["released_now"]) for f in later] == [("smm-1-c1", False)]
    second = wdtk.json("launch", "social-media-misuse", "--as-of", "2026-04-02T09:00")["followups"]
    assert [(f["ref"], f["released_now"]) for f in second] == [
        ("smm-1-c1", False),
        ("wdtk-8001-c1", True),
    ]


def test_chaser_seen_sent_on_wdtk_keeps_the_clock(wdtk, replica):
    drafted(wdtk, "chaser", "2026-04-01")
    wdtk.run("launch", "social-media-misuse", "--as-of", "2026-04-01T09:00")
    replica.add_event(5001, event(None, "followup_sent", "2026-04-01T10:00:00+01:00"))
    wdtk.run("poll", "--all", "--as-of", "2026-04-01T12:00")
    chaser = next(f for f in wdtk.json("show", "smm-1")["followups"] if f["ref"] == "smm-1-c1")
    assert chaser["status"] == "sent" and chaser["sent_at"] == "2026-04-01T09:00:00+00:00"
    assert (row(wdtk, "smm-1")["sent_on"], row(wdtk, "smm-1")["due"]) == (
        "2026-03-02",
        "2026-03-31",
    )


def test_clarification_restarts_the_clock_and_the_chasers(wdtk, replica):
    replica.add_event(5001, event(None, "response", "2026-03-10T09:00:00+00:00"))
    replica.add_event(
        5001,
        event(
            None,
            "status_update",
            "2026-03-10T10:00:00+00:00",
            described_state="waiting_clarification",
        ),
    )
    replica.add_event(5001, event(None, "followup_sent", "2026-03-12T10:00:00+00:00", calculated_state="waiting_response",
                                  described_state="waiting_response"))  # fmt: skip
    wdtk.run("poll", "--all", "--as-of", "2026-03-12T12:00")
    r = row(wdtk, "smm-1")
    # a fresh 20 working days from Thu 12 Mar (17 Mar, Good Friday and Easter Monday skipped) → Tue 14 Apr
    assert (r["sent_on"], r["due"]) == ("2026-03-12", "2026-04-14")
    assert drafted(wdtk, "chaser", "2026-04-01")["created"] == []


def test_nudge_when_nothing_at_all_has_arrived(wdtk):
    wdtk.edit_config("chaser_max = 2\n", "chaser_max = 2\nnudge_after = 5\n")
    assert drafted(wdtk, "nudge", "2026-03-06")["created"] == []  # 4 working days
    assert drafted(wdtk, "nudge", "2026-03-09")["created"] == [
        {"ref": "smm-1-n", "request": "smm-1"}
    ]
    nudge = next(f for f in wdtk.json("show", "smm-1")["followups"] if f["kind"] == "nudge")
    assert "by 31 March 2026.\n\nYours faithfully,\n\nAlex Example" in nudge["text"]


def test_a_late_request_with_an_unclassified_reply_is_named_not_chased(wdtk, replica):
    """An acknowledgement came, nobody classified it: no chaser while it may be the
    answer, but `followups` says so rather than skip the request in silence."""
    replica.add_event(5001, event(None, "response", "2026-03-03T09:00:00+00:00", text="Got it."))
    wdtk.run("poll", "--all", "--as-of", "2026-03-03T12:00")
    report = drafted(wdtk, "chaser", "2026-04-01")
    assert (report["created"], report["unclassified"]) == ([], ["smm-1"])
    # Where no chaser would come anyway (none allowed), nothing is promised.
    wdtk.edit_config("chaser_max = 2\n", "chaser_max = 0\n")
    assert drafted(wdtk, "chaser", "2026-04-01")["unclassified"] == []
    wdtk.edit_config("chaser_max = 0\n", "chaser_max = 2\n")
    out = wdtk.run("followups", "social-media-misuse", "--kind", "chaser", "--as-of", "2026-04-01")
    assert "not chased: smm-1: late, with a reply nobody has classified on WDTK" in out.stdout
    # Classified as still waiting, the chaser comes.
    replica.classify(5001, "2026-04-01T10:00:00+01:00", "waiting_response")
    wdtk.run("poll", "--all", "--as-of", "2026-04-01T12:00")
    assert drafted(wdtk, "chaser", "2026-04-01")["created"] == [
        {"ref": "smm-1-c1", "request": "smm-1"}
    ]


def test_auto_policy_drafts_in_run_once(wdtk):
    wdtk.edit_config("chaser_max = 2\n", "chaser_max = 2\nauto = true\n")
    summary = wdtk.json("run", "--once", "--as-of", "2026-04-01T12:00")
    assert {"ref": "smm-1-c1", "request": "smm-1", "kind": "chaser"} in summary["followups"]
    assert wdtk.json("run", "--once", "--as-of", "2026-04-01T12:05")["followups"] == []


@pytest.mark.parametrize(
    "texts,expected",
    [
        (["Our ref: FOI/2026/123 Thank you"], "FOI/2026/123"),
        (["Reference number: 98765"], "98765"),
        (["Dear Alex, FOI 2026-0456 refers"], "FOI 2026-0456"),
        (["no reference here"], None),
        (["Our ref: OLD1", "Your reference: NEW22"], "NEW22"),
        (["Your reference is FOI-HO-55123."], "FOI-HO-55123"),
        (["Request reference number is 2026/0117"], "2026/0117"),
        (["Ref. 4567 applies"], "4567"),
        (["Our reference is noted"], None),
    ],
)
def test_body_reference_from_replies(texts, expected):
    assert body_reference(texts) == expected


def test_dates_in_tests_are_working_days_as_claimed():
    from bot import deadlines as dl

    foi = dl.calendar_for("foi")
    assert foi.add_working_days(dt.date(2026, 3, 2), 20) == dt.date(2026, 3, 31)
    assert foi.add_working_days(dt.date(2026, 3, 12), 20) == dt.date(2026, 4, 14)


def test_a_request_found_very_late_gets_one_chaser_today_not_two(wdtk):
    # 2026-04-24 is 16 working days past the due date: late enough for chaser 2 by lateness
    first = drafted(wdtk, "chaser", "2026-04-24")
    assert first["created"] == [{"ref": "smm-1-c1", "request": "smm-1"}]
    assert drafted(wdtk, "chaser", "2026-04-24")["created"] == []
    # the next one comes chaser_every (10) working days after the first: Mon 11 May
    # (Mon 4 May is the early May bank holiday)
    assert drafted(wdtk, "chaser", "2026-05-08")["created"] == []
    assert drafted(wdtk, "chaser", "2026-05-11")["created"] == [
        {"ref": "smm-1-c2", "request": "smm-1"}
    ]


@pytest.mark.parametrize(
    ("letter", "error"),
    [
        ("Dear {{ body.name }},\n\n{{ missing.x }}\n\nAlex\n", ": 'missing' is undefined"),
        (
            "Dear {{ body.name }},\n\nPlease reply.\n\nYours faithfully,\n",
            ": the chaser breaks WDTK's rules: letter ends with a bare 'Yours faithfully,': "
            "sign it with your name",
        ),
    ],
)
def test_a_follow_up_that_cannot_be_drafted_is_reported_and_nothing_is_stored(wdtk, letter, error):
    own = wdtk.root / "templates" / "followups" / "chaser.txt.j2"
    own.parent.mkdir(parents=True)
    own.write_text(letter)
    args = ("followups", "social-media-misuse", "--kind", "chaser", "--as-of", "2026-04-01")
    result = wdtk.run(*args, "--json", expect=1)
    report = json.loads(result.stdout)
    assert report["created"] == [] and report["failed"] == [
        {"request": "smm-1", "error": f"{own}{error}"}
    ]
    plain = wdtk.run(*args, expect=1)
    assert plain.stdout.startswith("chaser: 0 drafted\n")
    assert plain.stderr == f"  not drafted: smm-1: {own}{error}\n"
    assert wdtk.dump()["followups"] == []
