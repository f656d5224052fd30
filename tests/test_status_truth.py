"""Issue 13: statuses and figures a researcher can rely on.

Histories follow what WDTK really records (shared fixtures, `feed_search_…`): a reply's
`calculated_state` is the classification that followed it, so an acknowledgement the
requester classified as still waiting carries `waiting_response`, and an answer carries
`successful`, `rejected` …
"""

from __future__ import annotations

import datetime as dt
import json

from bot.rules.classify import suggest_classification
from bot.wdtk.payload import WdtkEvent
from bot.wdtk.states import first_answer
from tests.report_support import csv_rows
from tests.support import released_project, row, sent_request
from tests.wdtk_replica import event

ACK = (
    "Dear Alex Example,\n\nThank you for your request for information, which we received on "
    "2 March 2026. We will respond within 20 working days.\n\nInformation Rights Team"
)


def ev(i, kind, day, calculated=None, described=None):
    return WdtkEvent(
        i, kind, dt.datetime.fromisoformat(f"{day}T10:00:00+00:00"),
        described_state=described, calculated_state=calculated,
    )  # fmt: skip


def test_first_answer_skips_an_acknowledgement_classified_as_waiting():
    events = [
        ev(1, "sent", "2026-03-02", "waiting_response", "waiting_response"),
        ev(2, "response", "2026-03-03", "waiting_response"),  # the acknowledgement
        ev(3, "status_update", "2026-03-03", "waiting_response", "waiting_response"),
        ev(4, "response", "2026-04-10", "successful"),  # the answer, late
        ev(5, "status_update", "2026-04-11", "successful", "successful"),
    ]
    assert first_answer(events, events[0]).id == 4
    # Without calculated states (older payloads), the classifying event decides.
    bare = [ev(e.id, e.event_type, e.created_at.date().isoformat(), None, e.described_state) for e in events]  # fmt: skip
    assert first_answer(bare, bare[0]).id == 4
    assert first_answer(events[:3], events[0]) is None


def test_suggested_classifications_from_plain_text():
    assert suggest_classification(ACK).state == "waiting_response"
    assert (
        suggest_classification("We do not hold the information you asked for.").state == "not_held"
    )
    refusal = "We are refusing your request under section 40(2) of the Act (personal data)."
    assert suggest_classification(refusal).state == "rejected"
    assert suggest_classification("Please find attached the figures.").state == "successful"
    assert suggest_classification("Regarding your email.") is None


def answered_by_ack(project, replica, *, classify: bool):
    """smm-1 (due Tue 31 Mar 2026) gets only an acknowledgement on 3 March."""
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.add_event(5001, event(None, "response", "2026-03-03T09:00:00+00:00", text=ACK))
    if classify:  # the requester says: still waiting
        replica.add_event(
            5001, event(None, "status_update", "2026-03-03T12:00:00+00:00",
                        described_state="waiting_response", calculated_state="waiting_response"),
        )  # fmt: skip
    wdtk.run("poll", "--all", "--as-of", "2026-03-04T12:00")
    return wdtk


def test_an_unclassified_reply_past_its_due_date_is_overdue_with_a_marker(project, replica):
    wdtk = answered_by_ack(project, replica, classify=False)
    assert wdtk.json("status", "--as-of", "2026-03-20")[0]["status"] == "waiting_classification"
    assert wdtk.json("overdue", "--as-of", "2026-03-31") == []  # due today: not late yet
    late = wdtk.json("overdue", "--as-of", "2026-04-02")
    assert [r["ref"] for r in late] == ["smm-1"]
    (r,) = late
    # Due Tue 31 Mar; Wed 1 and Thu 2 Apr are working days.
    assert (r["status"], r["late_from"], r["days_overdue"]) == (
        "waiting_classification", "2026-03-31", 2,
    )  # fmt: skip
    assert "classify it on WDTK" in r["note"]
    assert r["suggested"]["state"] == "waiting_response" and r["suggested"]["suggestion_only"]
    text = wdtk.run("overdue", "--as-of", "2026-04-02").stdout
    assert "classify it on WDTK" in text and "looks like waiting_response" in text
    # Reports count it as unanswered and late, not as answered.
    rows = csv_rows(wdtk.run("report", "social-media-misuse", "--format", "csv", "-o", "-",
                             "--as-of", "2026-04-02").stdout_bytes)  # fmt: skip
    one = next(x for x in rows if x["ref"] == "smm-1")
    assert one["answered_on"] == "" and one["on_time"] in ("no", "False", "false", "0")


def test_an_unclassified_reply_to_a_very_overdue_request_is_very_overdue_news(project, replica):
    """Told very overdue on 30 Apr, then an acknowledgement nobody classifies: the news
    is not demoted to "Now overdue"; it says the request is very overdue and why."""
    import sqlite3

    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    wdtk.run("poll", "--all", "--as-of", "2026-05-20T12:00")
    replica.add_event(5001, event(None, "response", "2026-05-21T09:00:00+00:00", text=ACK))
    wdtk.run("poll", "--all", "--as-of", "2026-05-21T12:00")
    news = (
        sqlite3.connect(wdtk.db)
        .execute("SELECT kind, text FROM news WHERE key LIKE 'waiting_classification:%'")
        .fetchall()
    )
    assert len(news) == 1 and news[0][0] == "very_overdue", news
    assert "very overdue; classify it" in news[0][1], news


def test_an_acknowledgement_classified_as_waiting_is_not_answered_on_time(project, replica):
    wdtk = answered_by_ack(project, replica, classify=True)
    data = json.loads(
        wdtk.run("report", "social-media-misuse", "--format", "json", "-o", "-",
                 "--as-of", "2026-04-02").stdout
    )  # fmt: skip
    one = next(x for x in data["requests"] if x["ref"] == "smm-1")
    assert one["first_response_on"] == "2026-03-03"  # it did reply …
    assert one["answered_on"] is None and one["on_time"] is False  # … but never answered
    assert data["summary"]["answered"] == 0
    assert wdtk.json("overdue", "--as-of", "2026-04-02")[0]["status"] == "waiting_response_overdue"
    # The real answer comes late, on Fri 10 Apr (8 working days after Tue 31 Mar, Easter
    # Friday 3 Apr and Monday 6 Apr being bank holidays).
    replica.add_event(5001, event(None, "response", "2026-04-10T09:00:00+00:00", text="Figures."))
    replica.classify(5001, "2026-04-10T12:00:00+00:00", "successful")
    wdtk.run("poll", "--all", "--as-of", "2026-04-10T13:00")
    assert row(wdtk, "smm-1")["answered_at"].startswith("2026-04-10")
    status = wdtk.json("status", "--as-of", "2026-04-13")[0]
    assert (status["answered_on"], status["answered_days_late"]) == ("2026-04-10", 6)
    assert "answered 6 late" in wdtk.run("status", "--as-of", "2026-04-13").stdout


def test_a_review_shows_its_own_due_date_and_is_late_from_it(project, replica):
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.add_event(5001, event(None, "response", "2026-03-20T09:00:00+00:00", text="Refused."))
    replica.add_event(
        5001, event(None, "followup_sent", "2026-03-23T10:00:00+00:00",
                    calculated_state="internal_review", described_state="internal_review"),
    )  # fmt: skip
    wdtk.run("poll", "--all", "--as-of", "2026-03-24T12:00")
    # Review asked Mon 23 Mar 2026: 20 working days (Good Friday and Easter Monday skipped)
    # end Wed 22 Apr; the 40 the Code allows end Thu 21 May (4 May, 25 May are holidays).
    (late,) = wdtk.json("overdue", "--as-of", "2026-04-24")
    assert (late["status"], late["late_from"], late["review_latest"], late["days_overdue"]) == (
        "internal_review_overdue", "2026-04-22", "2026-05-21", 2,
    )  # fmt: skip
    # On a Saturday it is still late, counted to the last working day: never 0.
    (sat,) = wdtk.json("overdue", "--as-of", "2026-04-25")
    assert sat["days_overdue"] == 2
    shown = wdtk.json("show", "smm-1", "--as-of", "2026-04-24")
    assert (shown["late_from"], shown["review_latest"]) == ("2026-04-22", "2026-05-21")
    assert "2026-04-22 (latest 2026-05-21)" in wdtk.run("overdue", "--as-of", "2026-04-24").stdout


def test_a_late_from_cell_names_a_latest_date_only_when_it_is_later() -> None:
    """FOISA and EISR reviews have one limit (20 working days), so their late-from date is
    also the latest: the table says it once."""
    from bot.cli.status_table import late_from_cell as _late_from_cell

    assert _late_from_cell("2026-04-22", "2026-05-21") == "2026-04-22 (latest 2026-05-21)"
    assert _late_from_cell("2026-03-06", "2026-03-06") == "2026-03-06"
    assert _late_from_cell("2026-03-06", None) == "2026-03-06"
    assert _late_from_cell(None, None) == ""


def test_track_poll_and_status_agree(project, replica):
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    # A request someone else sent long ago, now very overdue: `track` says what `status` says.
    replica.add_request(
        __import__("tests.wdtk_replica", fromlist=["make_request_doc"]).make_request_doc(
            6001, "Old request about budgets", tags=[], sent_at="2025-01-06T10:00:00+00:00"
        )
    )
    tracked = wdtk.json("track", "/request/6001", "--as-of", "2026-03-02T12:00")
    shown = {r["ref"]: r["status"] for r in wdtk.json("status", "--as-of", "2026-03-02")}
    assert tracked["status"] == shown["wdtk-6001"] == "waiting_response_very_overdue"
    # A reply that came before the due date, seen only after it: the transition reads
    # from what was last told (waiting_response), not from a status it never had.
    replica.add_event(5001, event(None, "response", "2026-03-20T09:00:00+00:00", text="Figures."))
    replica.add_event(
        5001, event(None, "status_update", "2026-03-20T12:00:00+00:00",
                    described_state="successful", calculated_state="successful"),
    )  # fmt: skip
    report = wdtk.json("poll", "--all", "--as-of", "2026-04-20T12:00")
    assert {"ref": "smm-1", "from": "waiting_response", "to": "successful"} in report["changed"]
