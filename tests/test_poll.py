"""track, link, poll, status and overdue against the WDTK replica on 127.0.0.1."""

from __future__ import annotations

import sqlite3

import pytest

from tests.support import released_project, row, sent_request
from tests.wdtk_replica import (
    HOME_OFFICE,
    POLICE_SCOTLAND,
    event,
    http_error,
    make_request_doc,
    make_user,
    rate_limited,
    truncated,
)


@pytest.fixture
def wdtk(project, replica):
    return released_project(project, replica)


def test_poll_autolinks_a_released_draft_by_its_tag(wdtk, replica):
    sent_request(wdtk, replica, 5001, "smm-1")
    report = wdtk.json("poll", "--as-of", "2026-03-02T12:00")
    assert report["linked"] == [{"ref": "smm-1", "wdtk_id": 5001}]
    r = row(wdtk, "smm-1")
    assert (r["wdtk_id"], r["status"], r["sent_on"]) == (5001, "waiting_response", "2026-03-02")
    # 20 working days from Mon 2 Mar 2026, skipping NI's St Patrick's Day (Tue 17 Mar)
    assert r["due"] == "2026-03-31"
    # smm-2 is not on WDTK yet: its slug is a 404, so it waits for the next try
    assert row(wdtk, "smm-2")["wdtk_id"] is None
    status = {s["ref"]: s for s in wdtk.json("status", "--as-of", "2026-03-02")}
    assert status["smm-1"]["status"] == "waiting_response"
    assert status["smm-1"]["url"].endswith("/request/" + replica.request(5001)["url_title"])
    assert status["smm-2"]["status"] == "ready"


def test_scripted_timeline_response_classification_review(wdtk, replica):
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.add_event(5001, event(None, "response", "2026-03-20T09:00:00+00:00"))
    report = wdtk.json("poll", "--as-of", "2026-03-20T12:00")
    assert [r["ref"] for r in report["new_responses"]] == ["smm-1"]
    assert report["changed"] == [
        {"ref": "smm-1", "from": "waiting_response", "to": "waiting_classification"}
    ]

    replica.add_event(
        5001, event(None, "status_update", "2026-03-20T13:00:00+00:00", described_state="rejected")
    )
    report = wdtk.json("poll", "--as-of", "2026-03-20T19:00")
    assert report["new_responses"] == []
    assert report["changed"] == [
        {"ref": "smm-1", "from": "waiting_classification", "to": "rejected"}
    ]

    replica.add_event(
        5001,
        event(
            None, "followup_sent", "2026-03-23T10:00:00+00:00", calculated_state="internal_review"
        ),
    )
    wdtk.run("poll", "--as-of", "2026-03-23T12:00")
    r = row(wdtk, "smm-1")
    assert (r["status"], r["review_started_on"]) == ("internal_review", "2026-03-23")
    # FOIA review: 20 working days from Mon 23 Mar, skipping Good Friday and Easter Monday → Wed 22 Apr
    statuses = {s["ref"]: s for s in wdtk.json("status", "--as-of", "2026-04-22")}
    assert statuses["smm-1"]["status"] == "internal_review"
    late = wdtk.json("overdue", "--as-of", "2026-04-24")
    assert [(s["ref"], s["status"], s["days_overdue"]) for s in late] == [
        ("smm-1", "internal_review_overdue", 2)
    ]
    assert wdtk.json("overdue", "--as-of", "2026-04-24", "--stage", "response") == []
    assert wdtk.run("overdue", "--as-of", "2026-04-24", "--stage", "response").stdout == (
        "Nothing overdue is at stage 'response'.\n"
    )
    events = [e["kind"] for e in wdtk.json("show", "smm-1")["events"]]
    assert (
        events.count("response") == 1 and events.count("sent") == 1
    )  # deduplicated by WDTK event id


def test_repolling_adds_no_duplicate_events(wdtk, replica):
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    before = wdtk.dump()["events"]
    wdtk.run("poll", "--all", "--as-of", "2026-03-02T13:00")
    wdtk.run("poll", "--all", "--as-of", "2026-03-02T14:00")
    assert wdtk.dump()["events"] == before


def test_overdue_and_very_overdue_most_late_first(wdtk, replica):
    sent_request(wdtk, replica, 5001, "smm-1")
    sent_request(wdtk, replica, 5002, "smm-2", sent_at="2026-03-09T10:00:00+00:00")
    wdtk.run("poll", "--as-of", "2026-03-09T12:00")
    assert wdtk.json("overdue", "--as-of", "2026-03-31") == []
    late = wdtk.json("overdue", "--as-of", "2026-04-01")
    assert [(s["ref"], s["status"], s["days_overdue"]) for s in late] == [
        ("smm-1", "waiting_response_overdue", 1)
    ]
    late = wdtk.json("overdue", "--as-of", "2026-06-01")
    assert [s["ref"] for s in late] == ["smm-1", "smm-2"]
    assert {s["status"] for s in late} == {"waiting_response_very_overdue"}


def test_newly_overdue_is_reported_once(wdtk, replica):
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    first = wdtk.json("poll", "--as-of", "2026-04-01T06:00")
    assert [(r["ref"], r["status"]) for r in first["newly_overdue"]] == [
        ("smm-1", "waiting_response_overdue")
    ]
    assert wdtk.json("poll", "--as-of", "2026-04-01T13:00")["newly_overdue"] == []


def test_one_working_day_late_is_said_in_the_singular(wdtk, replica):
    """Due Tue 31 Mar 2026; Wed 1 Apr is the first working day late."""
    from bot.outcomes import NewlyOverdue
    from bot.rules.news import newly_overdue

    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    out = wdtk.run("poll", "--as-of", "2026-04-01T06:00").stdout
    assert "now waiting_response_overdue: smm-1 (1 working day late, due 2026-03-31)" in out
    item = NewlyOverdue("smm-1", "waiting_response_overdue", 1, "2026-03-31")
    assert (
        newly_overdue(item).text
        == "smm-1: waiting_response_overdue, 1 working day late (due 2026-03-31)"
    )
    results = wdtk.json("results", "social-media-misuse", "--as-of", "2026-04-01")
    waiting = {r["body"]: r["waiting"] for r in results["rows"]}
    assert waiting["home_office"] == "waiting response overdue, 1 working day late"


def untold_news(project) -> list[tuple[str, str]]:
    conn = sqlite3.connect(project.db)
    return conn.execute("SELECT key, kind FROM news WHERE sent_at IS NULL ORDER BY id").fetchall()


def test_overdue_news_not_yet_told_is_taken_back_when_the_body_answers(wdtk, replica):
    """Due Tue 31 Mar 2026: "now overdue" is queued on 1 Apr; the answer comes on 2 Apr,
    before any digest: the digest tells the reply, not a lateness that has ended."""
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    wdtk.run("poll", "--as-of", "2026-04-01T06:00")
    assert ("waiting_response_overdue:smm-1", "overdue") in untold_news(wdtk)
    replica.add_event(5001, event(None, "response", "2026-04-02T09:00:00+00:00", text="Figures."))
    replica.classify(5001, "2026-04-02T10:00:00+00:00", "successful")
    wdtk.run("poll", "--all", "--as-of", "2026-04-02T12:00")
    kinds = [kind for _, kind in untold_news(wdtk)]
    assert "overdue" not in kinds and "response" in kinds, untold_news(wdtk)


def test_how_late_a_request_already_was_when_tracked_is_not_news(wdtk, replica):
    doc = make_request_doc(7001, "Parking fines issued in 2025", sent_at="2026-01-05T10:00:00+00:00",
                           events=[event(700100, "sent", "2026-01-05T10:00:00+00:00")])  # fmt: skip
    replica.add_request(doc)
    wdtk.run("track", "7001", "--as-of", "2026-04-01T12:00")
    tracked = {r["ref"]: r["status"] for r in wdtk.json("status", "--as-of", "2026-04-01")}
    assert tracked["wdtk-7001"] == "waiting_response_very_overdue"
    assert [key for key, _ in untold_news(wdtk) if key.endswith("wdtk-7001")] == []


def test_a_reply_to_someone_elses_late_request_is_told_as_a_reply_alone(wdtk, replica):
    """Only its requester can classify it: no "classify it" lateness news beside the
    reply's own news. On the user's own request the lateness news comes too."""
    doc = make_request_doc(7002, "Parking fines issued in 2024", user=make_user("Someone Else"), tags=[],
                           sent_at="2026-01-05T10:00:00+00:00",
                           events=[event(700200, "sent", "2026-01-05T10:00:00+00:00")])  # fmt: skip
    replica.add_request(doc)
    wdtk.run("track", "7002", "--as-of", "2026-03-02T12:00")
    replica.add_event(7002, event(None, "response", "2026-04-01T09:00:00+00:00", text="Ack."))
    wdtk.run("poll", "--all", "--as-of", "2026-04-01T12:00")
    kinds = [kind for key, kind in untold_news(wdtk) if "wdtk-7002" in key]
    assert kinds == ["response"], untold_news(wdtk)


def test_track_any_request_by_url_forms(wdtk, replica):
    doc = make_request_doc(
        7001,
        "Potholes repaired in 2025",
        body=POLICE_SCOTLAND,
        tags=[],
        sent_at="2026-06-01T09:00:00+01:00",
    )
    replica.add_request(doc)
    out = wdtk.json(
        "track", f"{replica.base_url}/request/{doc['url_title']}", "--as-of", "2026-06-01T12:00"
    )
    assert out == {
        "ref": "wdtk-7001",
        "wdtk_id": 7001,
        "url_title": doc["url_title"],
        "status": "waiting_response",
        "outcome": "tracked",
        "target": f"{replica.base_url}/request/{doc['url_title']}",
    }
    r = row(wdtk, "wdtk-7001")
    # Police Scotland: FOISA, Scottish holidays only (15 June 2026 is one) → Tue 30 Jun
    assert (r["law"], r["due"]) == ("foisa", "2026-06-30")
    again = wdtk.json("track", "/request/7001.json")
    assert again["ref"] == "wdtk-7001"  # same request, not a second row
    assert wdtk.json("track", "7001")["ref"] == "wdtk-7001"
    assert wdtk.dump()["requests"].__len__() == 8


def test_track_refuses_another_host(wdtk):
    result = wdtk.run("track", "https://evil.example/request/123", expect=2)
    assert "evil.example" in result.stderr


def test_link_checks_the_tag_unless_forced(wdtk, replica):
    doc = make_request_doc(6001, "Something else entirely", body=HOME_OFFICE, tags=[])
    replica.add_request(doc)
    refused = wdtk.run("link", "smm-2", f"/request/{doc['url_title']}", expect=2)
    assert "no foibot tag for smm-2" in refused.stderr
    assert row(wdtk, "smm-2")["wdtk_id"] is None
    out = wdtk.json("link", "smm-2", f"/request/{doc['url_title']}", "--force")
    assert out["wdtk_id"] == 6001


def test_slug_change_is_followed_by_numeric_id(wdtk, replica):
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.retitle(5001, "staff_disciplined_renamed", title="Staff disciplined (renamed)")
    wdtk.run("poll", "--all", "--as-of", "2026-03-02T13:00")
    r = row(wdtk, "smm-1")
    assert (r["url_title"], r["title"]) == (
        "staff_disciplined_renamed",
        "Staff disciplined (renamed)",
    )


def test_hidden_request_becomes_hidden(wdtk, replica):
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.hide(5001, 403)
    report = wdtk.json("poll", "--all", "--as-of", "2026-03-03T12:00")
    assert report["changed"] == [{"ref": "smm-1", "from": "waiting_response", "to": "hidden"}]
    assert {s["ref"]: s["status"] for s in wdtk.json("status")}["smm-1"] == "hidden"


def test_a_passing_403_does_not_leave_a_request_hidden(wdtk, replica):
    """WDTK answers 403 once (a moment's hiding, a proxy); the next poll finds the same
    document as before. Its ETag must not answer for it: a 304 would keep "hidden" and
    the request would drop out of `overdue` for good. Due Tue 31 Mar 2026."""
    from tests.wdtk_replica import http_error

    def mine() -> list[str]:
        return [kind for key, kind in untold_news(wdtk) if key.split(":")[1] == "smm-1"]

    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    wdtk.run("poll", "--all", "--as-of", "2026-04-02T12:00")
    replica.fail(5001, http_error(403))
    hid = wdtk.json("poll", "--all", "--as-of", "2026-04-03T12:00")
    assert hid["changed"] == [{"ref": "smm-1", "from": "waiting_response_overdue", "to": "hidden"}]
    back = wdtk.json("poll", "--all", "--as-of", "2026-04-06T12:00")
    assert back["changed"] == [{"ref": "smm-1", "from": "hidden", "to": "waiting_response_overdue"}]
    assert back["newly_overdue"] == []  # its lateness was news once, before it hid
    assert [r["ref"] for r in wdtk.json("overdue", "--as-of", "2026-04-06")] == ["smm-1"]
    # Back before anyone was told it hid: the digest says neither.
    assert mine() == ["overdue"]
    # Hidden again, and this time told: its return is told too.
    replica.fail(5001, http_error(403))
    wdtk.run("poll", "--all", "--as-of", "2026-04-07T12:00")
    assert mine() == ["overdue", "error"]
    conn = sqlite3.connect(wdtk.db)
    with conn:
        conn.execute("UPDATE news SET sent_at = '2026-04-07T13:00:00+00:00'")
    wdtk.run("poll", "--all", "--as-of", "2026-04-08T12:00")
    assert [k for k, _ in untold_news(wdtk) if "smm-1" in k] == [
        "shown:smm-1:2026-04-07T11:00:00+00:00"
    ]


def test_a_hidden_told_under_the_older_news_key_is_answered_too(wdtk, replica):
    """An older foibot queued "hidden" as `hidden:REF`: told, its return is still told."""
    from tests.wdtk_replica import http_error

    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.fail(5001, http_error(403))
    wdtk.run("poll", "--all", "--as-of", "2026-03-03T12:00")
    conn = sqlite3.connect(wdtk.db)
    with conn:
        conn.execute("UPDATE news SET key = 'hidden:smm-1', sent_at = '2026-03-03T13:00:00+00:00'"
                     " WHERE key LIKE 'hidden:smm-1:%'")  # fmt: skip
    wdtk.run("poll", "--all", "--as-of", "2026-03-04T12:00")
    assert [k for k, _ in untold_news(wdtk) if k.startswith("shown:smm-1")] != []


def test_faults_are_recorded_per_request_and_others_still_update(wdtk, replica):
    sent_request(wdtk, replica, 5001, "smm-1")
    sent_request(wdtk, replica, 5002, "smm-2")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.add_event(5001, event(None, "response", "2026-03-05T09:00:00+00:00"))
    replica.add_event(5002, event(None, "response", "2026-03-05T09:00:00+00:00"))
    replica.fail(5001, truncated())
    replica.fail(5002, http_error(500), rate_limited(0))
    report = wdtk.json("poll", "--all", "--as-of", "2026-03-05T12:00")
    assert [e["ref"] for e in report["errors"]] == ["smm-1"]
    assert "JSON" in report["errors"][0]["error"]
    assert [r["ref"] for r in report["new_responses"]] == ["smm-2"]  # 500, then 429, then success
    r = row(wdtk, "smm-1")
    assert r["poll_error"] and r["poll_failures"] == 1 and r["next_poll_at"] > "2026-03-05T12:00"
    assert r["awaiting_description"] == 0  # the old state is kept, not half-updated
    retry = wdtk.json("poll", "--as-of", "2026-03-05T12:30")
    assert [r["ref"] for r in retry["new_responses"]] == ["smm-1"]
    assert row(wdtk, "smm-1")["poll_error"] is None


def test_poll_exits_1_when_nothing_could_be_fetched(wdtk, replica):
    sent_request(wdtk, replica, 5001, "smm-1")
    sent_request(wdtk, replica, 5002, "smm-2")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.fail(5001, *[http_error(503)] * 8)
    replica.fail(5002, *[http_error(502)] * 8)
    result = wdtk.run("poll", "--all", "--as-of", "2026-03-02T13:00", expect=1)
    assert "error: smm-1" in result.stdout


def test_etag_304_changes_nothing(wdtk, replica):
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    assert row(wdtk, "smm-1")["etag"]
    replica.hits.clear()
    wdtk.run("poll", "--all", "--as-of", "2026-03-02T13:00")
    conditional = [h for h in replica.hits if h[1].endswith(".json") and "If-None-Match" in h[2]]
    assert conditional, replica.hits


def test_user_agent_names_foibot_and_the_contact(wdtk, replica):
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    agents = {h[2].get("User-Agent") for h in replica.hits}
    assert all(a.startswith("foibot/") and "foibot-tests@example.net" in a for a in agents)
    assert not any("/feed/" in h[1] for h in replica.hits)  # robots.txt: feeds are opt-in


def test_autolink_walks_slugs_shared_by_similar_titles(project, replica):
    # Titles sharing their first 32 characters share a WDTK slug: WDTK numbers the
    # later ones _2, _3 …; someone else's request can hold one of the numbers too.
    wdtk = released_project(
        project, replica, "Staff disciplined for social media misuse ({{ body.short_name }})"
    )
    sent_request(wdtk, replica, 5001, "smm-1")
    replica.add_request(
        make_request_doc(5003, "Staff disciplined for social media misuse in 2019", tags=[])
    )
    sent_request(wdtk, replica, 5002, "smm-2")
    report = wdtk.json("poll", "--as-of", "2026-03-02T12:00")
    assert sorted((r["ref"], r["wdtk_id"]) for r in report["linked"]) == [
        ("smm-1", 5001),
        ("smm-2", 5002),
    ]
    slugs = [
        h[1] for h in replica.hits if h[1].startswith("/request/staff") and h[1].endswith(".json")
    ]
    # one walk for both drafts, past the stranger at _2, ending once both are found
    assert slugs == [f"/request/staff_disciplined_for_social_med{s}.json" for s in ("", "_2", "_3")]


def test_new_response_text_is_stored_searchable_and_due_dates_cross_checked(wdtk, replica):
    sent_request(wdtk, replica, 5001, "smm-1")
    replica.set_due_date(
        5001, __import__("datetime").date(2026, 3, 30)
    )  # WDTK's table lacks 17 March
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.add_event(
        5001,
        event(None, "response", "2026-03-20T09:00:00+00:00", text="We dismissed 3 members of staff.\n\nRegards, FOI team",
              attachments=["figures-2021-2025.xlsx"]),
    )  # fmt: skip
    wdtk.run("poll", "--as-of", "2026-03-20T12:00")
    shown = wdtk.json("show", "smm-1")
    incoming = [c for c in shown["correspondence"] if "dismissed 3" in c["text"]]
    assert incoming and incoming[0]["attachments"] == "figures-2021-2025.xlsx"
    conn = sqlite3.connect(wdtk.db)
    hits = conn.execute(
        "SELECT ref FROM correspondence WHERE id IN (SELECT rowid FROM correspondence_fts WHERE correspondence_fts MATCH 'dismissed')"
    ).fetchall()
    assert hits == [("smm-1",)]
    kinds = [e["kind"] for e in shown["events"]]
    assert "due_date_disagreement" in kinds
    text = wdtk.run("show", "smm-1").stdout
    assert "WDTK says due        2026-03-30 (foibot's statutory count says 2026-03-31)" in text
    # reading the page again adds nothing twice
    wdtk.run("poll", "--all", "--as-of", "2026-03-20T13:00")
    assert len(wdtk.json("show", "smm-1")["correspondence"]) == len(shown["correspondence"])


def test_a_body_that_replies_in_the_evening_is_polled_into_the_evening(wdtk, replica):
    """Ten replies from smm-1's body at 20:00, each acknowledged back to waiting_response
    by the requester: learnt from the store, the body's requests are polled to 20:00."""
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    days = ["03", "04", "05", "06", "09", "10", "11", "12", "13", "16"]
    for n, day in enumerate(days):
        replica.add_event(5001, event(None, "response", f"2026-03-{day}T20:00:00+00:00"))
        replica.add_event(5001, event(None, "status_update", f"2026-03-{day}T20:30:00+00:00",
                                      described_state="waiting_response"))  # fmt: skip
        wdtk.run("poll", "--as-of", f"2026-03-{day}T21:00")
        if n == len(days) - 2:  # nine replies: office hours still, the next day's close
            assert row(wdtk, "smm-1")["next_poll_at"].startswith("2026-03-16T17:45")
    assert sqlite3.connect(wdtk.db).execute(
        "SELECT count(*) FROM events WHERE kind = 'response'"
    ).fetchone() == (10,)
    # Ten: the next poll is at the body's learnt close on Tue 17 Mar, a quiet day, 20:00.
    assert row(wdtk, "smm-1")["next_poll_at"].startswith("2026-03-17T20:00")


def test_poll_runs_from_cron_read_robots_txt_once_a_day(wdtk, replica):
    """Each `foibot poll` is its own process: robots.txt is kept in the database for a
    day (RFC 9309 §2.4), so a run that polls one request makes one call."""
    sent_request(wdtk, replica, 5001, "smm-1")
    for _ in range(3):
        wdtk.json("poll", "--as-of", "2026-03-02T12:00")
        with sqlite3.connect(wdtk.db) as db:  # due again at once
            db.execute("UPDATE requests SET next_poll_at = '2000-01-01T00:00:00+00:00'")
    hits = replica.hit_paths()
    assert hits.count("/robots.txt") == 1, hits
    # What is kept unreadable (a hand edit, a half-written value) is fetched again.
    with sqlite3.connect(wdtk.db) as db:
        db.execute("UPDATE settings SET value = '{\"text\": 1' WHERE key LIKE 'robots.txt %'")
    wdtk.json("poll", "--as-of", "2026-03-02T12:00")
    assert replica.hit_paths().count("/robots.txt") == 2
