"""A researcher's own tracked requests: follow-ups without a campaign (`followups --group`,
`--ref`) and `untrack`. Through the CLI, against the WDTK replica on 127.0.0.1."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import REPLICA_USER
from tests.support import Folder
from tests.wdtk_replica import HOME_OFFICE, event, make_request_doc, make_user

# Every request here is sent on Mon 2 Mar 2026 at 10:15. Counted by hand on the calendar
# foibot uses for a UK-wide FOIA body (weekends and every UK bank holiday, Northern
# Ireland's St Patrick's Day, Tue 17 Mar, included): working day 20 is Tue 31 Mar, the
# due date; Wed 1 Apr is the first day late, when a chaser is due (chaser_after = 1).
DUE = "2026-03-31"
FIRST_LATE = "2026-04-01"
SENT = "2026-03-02T10:15:00+00:00"


@pytest.fixture
def mine(tmp_path, replica) -> Folder:
    """A researcher whose [wdtk] user is the replica's default requester, with a name."""
    folder = Folder(tmp_path)
    folder.run(
        "init", "--tracking-only", "--user", REPLICA_USER, "--contact", "me@example.org",
        "--name", "Jo Bloggs", "--base-url", replica.base_url,
    )  # fmt: skip
    text = folder.config.read_text().replace("min_interval_s = 3.0", "min_interval_s = 0")
    folder.config.write_text(text)
    return folder


def add(replica, wdtk_id: int, *, user=None, events=None) -> str:
    """A request on the replica sent at SENT (by the default requester unless `user`)."""
    kw = {} if user is None else {"user": user}
    doc = make_request_doc(
        wdtk_id, f"Pothole repairs in ward {wdtk_id}", body=HOME_OFFICE, tags=[], sent_at=SENT,
        events=events or [event(wdtk_id * 100, "sent", SENT)], **kw,
    )  # fmt: skip
    replica.add_request(doc)
    return f"{replica.base_url}/request/{doc['url_title']}"


def chasers(folder: Folder, *scope: str, day: str = FIRST_LATE) -> dict:
    return folder.json("followups", *scope, "--kind", "chaser", "--as-of", day)


# -- followups for tracked requests ------------------------------------------------------


@pytest.fixture
def potholes(mine, replica) -> Folder:
    """Two of my requests and one of Jane Doe's in group potholes; one of mine elsewhere."""
    jane = make_user("Jane Doe", user_id=900777)
    mine.run("track", add(replica, 9001), add(replica, 9002), "--group", "potholes")
    mine.run("track", add(replica, 9003, user=jane), "--group", "potholes")
    mine.run("track", add(replica, 9004), "--group", "libraries")
    return mine


def test_a_late_tracked_request_gets_a_chaser_through_its_group(potholes, replica):
    assert chasers(potholes, "--group", "potholes", day=DUE)["created"] == []  # due today
    out = chasers(potholes, "--group", "potholes")
    assert (out["campaign"], out["group"]) == (None, "potholes")
    assert out["created"] == [
        {"ref": "wdtk-9001-c1", "request": "wdtk-9001"},
        {"ref": "wdtk-9002-c1", "request": "wdtk-9002"},
    ]
    # Jane Doe's request is hers to chase: no letter signed with my name, and it says whose.
    assert out["others"] == [{"request": "wdtk-9003", "user": "jane_doe"}]
    letter = potholes.json("show", "wdtk-9001-c1")
    assert letter["status"] == "draft"
    text = letter["text"]
    assert "by 31 March 2026 at the latest. That date has passed" in text
    assert "/request/pothole_repairs_in_ward_9001" in text
    assert text.rstrip().endswith("Jo Bloggs")
    # Once drafted, a second run drafts nothing more; the other group was never touched.
    again = chasers(potholes, "--group", "potholes")
    assert (again["created"], again["existing"]) == ([], 2)
    assert potholes.query("SELECT request FROM followups WHERE request = 'wdtk-9004'") == []


def test_the_followups_listing_says_whose_requests_and_where_to_send(potholes, replica):
    out = potholes.run("followups", "--group", "potholes", "--as-of", FIRST_LATE).stdout
    assert "chaser: 2 drafted: wdtk-9001-c1 (wdtk-9001), wdtk-9002-c1 (wdtk-9002)" in out
    assert "Skipped 1 tracked request(s) of other WDTK users (wdtk-9003 by jane_doe)" in out
    assert (
        f"  wdtk-9001-c1  chaser for wdtk-9001: {replica.base_url}"
        "/request/pothole_repairs_in_ward_9001/followups/new" in out
    )


def test_tracked_requests_follow_the_followups_tracked_policy(potholes):
    """[followups.tracked]: chase from the 5th working day late. Due Tue 31 Mar; Good
    Friday 3 Apr and Easter Monday 6 Apr are not working days, so Wed 1, Thu 2, Tue 7 and
    Wed 8 Apr are days 1 to 4 and Thu 9 Apr is day 5. With `auto`, `run --once` drafts
    them itself (every tracked group's, mine only)."""
    text = potholes.config.read_text()
    potholes.config.write_text(text + "\n[followups.tracked]\nchaser_after = 5\nauto = true\n")
    assert chasers(potholes, "--group", "potholes", day="2026-04-08")["created"] == []
    potholes.run("run", "--once", "--as-of", "2026-04-09T12:00")
    drafted = potholes.query("SELECT ref FROM followups ORDER BY ref")
    assert drafted == [("wdtk-9001-c1",), ("wdtk-9002-c1",), ("wdtk-9004-c1",)]


def test_followups_for_named_refs(potholes):
    out = chasers(potholes, "--ref", "wdtk-9004", "--ref", "wdtk-9002")
    assert out["created"] == [
        {"ref": "wdtk-9002-c1", "request": "wdtk-9002"},
        {"ref": "wdtk-9004-c1", "request": "wdtk-9004"},
    ]
    hers = chasers(potholes, "--ref", "wdtk-9003")
    assert (hers["created"], hers["others"]) == ([], [{"request": "wdtk-9003", "user": "jane_doe"}])
    wrong = potholes.run("followups", "--ref", "wdtk-9O01", expect=2)
    assert "no request with ref 'wdtk-9O01' — did you mean 'wdtk-9001'?" in wrong.stderr
    outside = potholes.run("followups", "--group", "potholes", "--ref", "wdtk-9004", expect=2)
    assert "wdtk-9004 is not in group 'potholes' (its group: libraries)" in outside.stderr
    assert "give CAMPAIGN, --group GROUP or --ref REF" in (
        potholes.run("followups", expect=2).stderr
    )


def test_own_requests_need_a_name_to_sign_with(potholes):
    text = potholes.config.read_text()
    potholes.config.write_text(text.replace('name = "Jo Bloggs"', "", 1))
    result = potholes.run("followups", "--group", "potholes", "--as-of", FIRST_LATE, expect=2)
    assert "[requester] name is not set" in result.stderr
    assert "wdtk-9001, wdtk-9002" in result.stderr
    assert potholes.query("SELECT count(*) FROM followups") == [(0,)]


def test_a_campaign_request_is_followed_up_with_its_campaign(project):
    project.run("draft", "social-media-misuse")
    result = project.run("followups", "--ref", "smm-1", expect=2)
    assert "smm-1 belongs to campaign 'social-media-misuse'" in result.stderr


# -- untrack ---------------------------------------------------------------------------

# Every table that holds a request's rows, and the column that names it.
TABLES = (
    ("requests", "ref"), ("events", "ref"), ("correspondence", "ref"), ("letters", "ref"),
    ("followups", "request"), ("news", "ref"),
)  # fmt: skip


def footprint(folder: Folder, ref: str) -> dict[str, int]:
    counts = {
        t: folder.query(f"SELECT count(*) FROM {t} WHERE {c} = ?", ref)[0][0] for t, c in TABLES
    }
    counts["news_deliveries"] = folder.query(
        "SELECT count(*) FROM news_deliveries WHERE news_id IN (SELECT id FROM news WHERE ref = ?)",
        ref,
    )[0][0]
    return counts


@pytest.fixture
def answered(mine, replica) -> Folder:
    """wdtk-9101 (answered, chased, its news told by e-mail) and wdtk-9102, in group g."""
    reply = event(None, "response", "2026-04-02T09:00:00+00:00", text="We are still looking.")
    mine.run("track", add(replica, 9101), add(replica, 9102), "--group", "g")
    chasers(mine, "--group", "g")
    replica.add_event(9101, reply)
    mine.run("poll", "--as-of", "2026-04-02T12:00")
    with sqlite3.connect(mine.db) as conn:  # as a delivered digest leaves it
        conn.execute(
            "INSERT INTO news_deliveries (news_id, channel, delivered_at, attempts) "
            "SELECT id, 'email', '2026-04-02T12:05:00+00:00', 1 FROM news"
        )
    return mine


def test_untrack_removes_the_request_and_everything_of_it_and_nothing_else(answered):
    before = footprint(answered, "wdtk-9101")
    # Something in every table (a tracked request has no letter of ours), or this proves little.
    assert all(n for t, n in before.items() if t != "letters"), before
    other = footprint(answered, "wdtk-9102")
    declined = answered.run("untrack", "wdtk-9101", input="n\n", expect=1)
    assert "wdtk-9101: Pothole repairs in ward 9101 (group g, made by" in declined.stderr
    assert "Remove 1 request and everything stored about them? [y/N]" in declined.stderr
    assert "Nothing removed." in declined.stderr
    assert footprint(answered, "wdtk-9101") == before
    # No one to answer (a script, cron): bad usage, with the way round it.
    unasked = answered.run("untrack", "wdtk-9101", input="", expect=2)
    assert "no one answered the question; add --yes" in unasked.stderr
    assert footprint(answered, "wdtk-9101") == before
    done = answered.run("untrack", "wdtk-9101", input="y\n")
    assert "Untracked wdtk-9101." in done.stdout
    assert set(footprint(answered, "wdtk-9101").values()) == {0}
    assert footprint(answered, "wdtk-9102") == other
    assert [r["ref"] for r in answered.json("status", "--group", "g")] == ["wdtk-9102"]
    # The events log is append-only again once the request has gone.
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        answered.query("DELETE FROM events WHERE ref = 'wdtk-9102'")


def test_untrack_of_an_unknown_ref_removes_nothing(answered):
    other = footprint(answered, "wdtk-9102")
    result = answered.run("untrack", "wdtk-9102", "wdtk-91o1", "--yes", expect=1)
    assert result.stderr.strip().splitlines() == [
        "Error: nothing removed: no tracked request 'wdtk-91o1' — did you mean 'wdtk-9101'?"
    ]
    assert footprint(answered, "wdtk-9102") == other


def test_untrack_a_mistyped_url_by_the_url_itself(mine, replica):
    typo = f"{replica.base_url}/request/pothole_repairs_in_ward_99"
    mine.run("track", typo, "--group", "g", expect=1)  # 404: recorded, re-checked daily
    assert "wdtk-pothole_repairs_in_ward_99" in [r["ref"] for r in mine.json("status")]
    out = mine.json("untrack", typo, "--yes")
    assert [r["ref"] for r in out["removed"]] == ["wdtk-pothole_repairs_in_ward_99"]
    assert mine.json("status") == []


def test_untrack_refuses_a_campaign_request(project):
    project.run("draft", "social-media-misuse")
    result = project.run("untrack", "smm-1", "--yes", expect=1)
    assert "smm-1 belongs to campaign 'social-media-misuse'" in result.stderr
    assert project.json("show", "smm-1")["ref"] == "smm-1"


def test_search_keeps_to_one_group(mine, replica):
    """`search --group`: replies to that group's requests only, each with the day it was
    sent (Fri 13 Mar), never another group's with the same words."""
    replied = [event(None, "sent", SENT),
               event(None, "response", "2026-03-13T09:00:00+00:00", text="Pothole figures attached.")]  # fmt: skip
    mine.run("track", add(replica, 9101, events=replied), "--group", "potholes")
    mine.run("track", add(replica, 9102, events=replied), "--group", "libraries")
    hits = mine.json("search", "pothole", "--group", "potholes")
    assert [(h["ref"], h["date"]) for h in hits] == [("wdtk-9101", "2026-03-13")]
    assert {h["ref"] for h in mine.json("search", "pothole")} == {"wdtk-9101", "wdtk-9102"}
    wrong = mine.run("search", "pothole", "--group", "pothole", expect=2)
    assert "pothole" in wrong.stderr and len(wrong.stderr.strip().splitlines()) == 1


def test_track_says_whose_each_request_is(mine, replica):
    """Same-titled requests (a campaign's copies, other users') told apart by body and owner."""
    jane = make_user("Jane Doe", user_id=900777)
    out = mine.run("track", add(replica, 9201), add(replica, 9202, user=jane)).stdout
    assert (
        f"  tracked: wdtk-9201 Pothole repairs in ward 9201 (home_office, by {REPLICA_USER})" in out
    )
    assert "  tracked: wdtk-9202 Pothole repairs in ward 9202 (home_office, by jane_doe)" in out
