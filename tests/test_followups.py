"""Follow-ups and escalation over scripted WDTK timelines on the replica."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.followups.rules import body_reference
from tests.test_poll import HOME_OFFICE, POLICE_SCOTLAND, released_project, row, sent_request
from tests.wdtk_replica import event, make_request_doc


@pytest.fixture
def wdtk(project, replica):
    project = released_project(project, replica)
    sent_request(
        project, replica, 5001, "smm-1"
    )  # Home Office, sent Mon 2 Mar 2026, due Tue 31 Mar
    project.run("poll", "--as-of", "2026-03-02T12:00")
    return project


def drafted(project, kind, day):
    return project.json("followups", "social-media-misuse", "--kind", kind, "--as-of", day)


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
    assert "by 31 March 2026 at the latest" in letter and "1 working day late" in letter
    assert "/request/" in letter and letter.rstrip().endswith("Alex Example")
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

    # FOIA review expected in 20 working days: Wed 22 Apr (Easter skipped)
    assert drafted(wdtk, "complaint", "2026-04-22")["created"] == []
    assert drafted(wdtk, "complaint", "2026-04-23")["created"] == [
        {"ref": "smm-1-co", "request": "smm-1"}
    ]
    complaint = next(
        f for f in wdtk.json("show", "smm-1")["followups"] if f["kind"] == "complaint"
    )["text"]
    assert complaint.startswith("To the Information Commissioner's Office")
    assert "23 March 2026" in complaint and "22 April 2026" in complaint
    assert "by 3 June 2026 at the latest" in complaint  # six weeks after the review fell due
    assert "ico.org.uk" in complaint and "Scottish" not in complaint
    late = wdtk.json("overdue", "--as-of", "2026-04-23", "--stage", "complaint")
    assert [r["ref"] for r in late] == ["smm-1"]


def test_scottish_body_goes_to_the_scottish_information_commissioner(wdtk, replica):
    doc = make_request_doc(7001, "Police Scotland: staff disciplined for social media misuse", body=POLICE_SCOTLAND,
                           tags=[], sent_at="2026-06-01T09:00:00+01:00")  # fmt: skip
    replica.add_request(doc)
    wdtk.run(
        "track", "/request/7001", "--campaign", "social-media-misuse", "--as-of", "2026-06-01T12:00"
    )
    # FOISA: 40th working day counting only Scottish holidays (15 June) → Tue 28 Jul
    assert [
        c
        for c in drafted(wdtk, "complaint", "2026-07-28")["created"]
        if c["request"] == "wdtk-7001"
    ] == []
    created = drafted(wdtk, "complaint", "2026-07-29")["created"]
    assert {"ref": "wdtk-7001-co", "request": "wdtk-7001"} in created
    text = next(f for f in wdtk.json("show", "wdtk-7001")["followups"] if f["kind"] == "complaint")[
        "text"
    ]
    assert text.startswith("To the Scottish Information Commissioner")
    assert "Information Commissioner's Office" not in text
    assert "by 28 January 2027 at the latest" in text  # six months


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
