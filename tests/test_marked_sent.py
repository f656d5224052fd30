"""Issue 28 item 8: a link already sent is never offered as "send now" again.

WDTK's pages are cached for up to an hour, so foibot may not see a request just sent; the
user says so with `foibot done REF`, and `launch` and the launch sheet stop offering it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from bs4 import BeautifulSoup

from tests.test_launch_sheet_pacing import released_sheet


def test_a_request_marked_sent_is_listed_as_sent_and_paces_the_next(project):
    sheet = released_sheet(project)  # smm-1, smm-2 and smm-3 released, none seen on WDTK
    assert [a["data-ref"] for a in _soup(sheet).select("a.send")] == ["smm-1", "smm-2", "smm-3"]
    ready = "SELECT key FROM news WHERE kind = 'ready' AND sent_at IS NULL ORDER BY key"
    assert [k for (k,) in sqlite3.connect(project.db).execute(ready)] == [
        "ready:smm-1", "ready:smm-2", "ready:smm-3"
    ]  # fmt: skip
    done = project.run("done", "smm-1", "--as-of", "2026-03-02T09:32")
    assert done.stdout == "smm-1: marked sent; foibot links it once WDTK shows it\n"
    # Its untold "ready to send" news is taken back with the mark: no digest offers it.
    assert [k for (k,) in sqlite3.connect(project.db).execute(ready)] == [
        "ready:smm-2", "ready:smm-3"
    ]  # fmt: skip

    out = project.run("launch", "social-media-misuse", "--as-of", "2026-03-02T09:33").stdout
    assert "  smm-1  home_office  send at" not in out
    assert (
        "Marked sent, waiting for WDTK to show them (1); do not send them again:\n"
        "  smm-1  home_office  marked sent Mon 02 Mar 2026 09:32 (UK)\n"
    ) in out
    # The mark counts as a send: 1 a minute (+1 minute margin) puts smm-2 at 09:34, and
    # 2 in 8 minutes (+1) puts smm-3 at 09:32 + 9 = 09:41.
    assert "  smm-2  gmp  send at or after Mon 02 Mar 2026 09:34 (UK)" in out
    assert "  smm-3  the_met  send at or after Mon 02 Mar 2026 09:41 (UK)" in out
    # Still one of the 3 waiting (`max_unsent`) until WDTK shows it: nothing new released.
    assert "Nothing new is due to send yet." in out
    assert "2 more due but held until WDTK shows the waiting ones sent: smm-4, smm-5" in out

    page = _soup(sheet)
    assert [a["data-ref"] for a in page.select("a.send")] == ["smm-2", "smm-3"]
    (card,) = page.select("div.card.sent")
    assert card["data-ref"] == "smm-1" and "marked sent Mon 02 Mar 2026 09:32" in card.text

    report = project.json("launch", "social-media-misuse", "--as-of", "2026-03-02T09:34")
    assert [w["ref"] for w in report["still_ready"]] == ["smm-2", "smm-3"]
    assert report["marked_sent"] == [
        {"ref": "smm-1", "body": "home_office", "marked_at": "2026-03-02T09:32:00+00:00"}
    ]


def test_done_refuses_a_request_marked_twice_or_not_released(project):
    released_sheet(project)
    project.run("done", "smm-1", "--as-of", "2026-03-02T09:32")
    again = project.run("done", "smm-1", expect=2)
    assert "smm-1 is already marked sent" in again.stderr
    draft = project.run("done", "smm-7", expect=2)
    assert "smm-7 is not released yet (draft)" in draft.stderr


def _soup(sheet) -> BeautifulSoup:
    return BeautifulSoup(sheet.read_text(encoding="utf-8"), "html.parser")


def test_a_followup_marked_sent_brings_its_request_poll_forward(project, replica):
    """Issue 32: the user says a chaser went on WDTK; foibot polls the request an hour on
    (WDTK's JSON cache), not when the schedule had it (weeks away on the safety net)."""
    import sqlite3

    from tests.support import released_project, row, sent_request

    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    wdtk.run("followups", "social-media-misuse", "--kind", "chaser", "--as-of", "2026-04-01")
    db = sqlite3.connect(wdtk.db)
    with db:
        db.execute("UPDATE requests SET next_poll_at = '2026-04-29T10:00:00+00:00'")
    # Wed 1 Apr 10:00 UK is 09:00 UTC (BST): polled at 10:00 UTC.
    wdtk.run("done", "smm-1-c1", "--as-of", "2026-04-01T10:00")
    assert row(wdtk, "smm-1")["next_poll_at"] == "2026-04-01T10:00:00+00:00"


@pytest.mark.parametrize("action", ["done", "cancel", "approve", "done after the digest"])
def test_news_of_a_followup_is_taken_back_once_it_is_sent_cancelled_or_approved(
    project, replica, action
):
    """Drafted chasers queue "review it" news. One the user marks sent, cancels or approves
    before the digest goes out is left out of it: a team told to review a chaser already
    sent could send it twice. The other chaser's news stays, and news a channel has
    already told is never taken back."""
    from tests.support import released_project, sent_request

    wdtk = released_project(project, replica)  # smm-1 and smm-2 released
    for n in (1, 2):
        sent_request(wdtk, replica, 5000 + n, f"smm-{n}")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    wdtk.run("followups", "social-media-misuse", "--kind", "chaser", "--as-of", "2026-04-01")
    db = sqlite3.connect(wdtk.db)

    def news() -> dict[str, str | None]:
        return dict(db.execute("SELECT key, sent_at FROM news WHERE kind = 'followup'"))

    assert news() == {"followup:smm-1-c1": None, "followup:smm-2-c1": None}
    told = "2026-04-01T08:00:00+00:00"
    if action == "done after the digest":
        with db:
            db.execute("UPDATE news SET sent_at = ? WHERE key = 'followup:smm-1-c1'", [told])
    if action == "approve":
        from bot.followups.service import approve_followup
        from bot.store.db import Store

        store = Store(wdtk.db)
        try:
            now = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)
            approve_followup(store, "smm-1-c1", by="alice", now=now)
        finally:
            store.close()
    else:
        cancel = ["--cancelled"] if action == "cancel" else []
        wdtk.run("done", "smm-1-c1", *cancel, "--as-of", "2026-04-01T10:00")
    kept = {"followup:smm-1-c1": told} if action == "done after the digest" else {}
    assert news() == {**kept, "followup:smm-2-c1": None}


def test_news_of_a_release_is_taken_back_once_wdtk_shows_it_sent(project, replica):
    """A poll that finds the released request on WDTK (linking it), or a released chaser
    sent (WDTK's followup_sent event), takes back the untold "ready to send" news: a
    digest going out after that pass does not offer either again."""
    from tests.support import released_project, sent_request
    from tests.wdtk_replica import event

    wdtk = released_project(project, replica)  # smm-1 and smm-2 released
    db = sqlite3.connect(wdtk.db)

    def ready() -> list[str]:
        rows = db.execute("SELECT key FROM news WHERE kind = 'ready' AND sent_at IS NULL")
        return sorted(k for (k,) in rows)

    assert ready() == ["ready:smm-1", "ready:smm-2"]
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    assert ready() == ["ready:smm-2"]
    wdtk.run("followups", "social-media-misuse", "--kind", "chaser", "--as-of", "2026-04-01")
    wdtk.run("launch", "social-media-misuse", "--as-of", "2026-04-01T09:00")
    assert "ready:smm-1-c1" in ready()
    replica.add_event(5001, event(None, "followup_sent", "2026-04-01T09:30:00+00:00"))
    wdtk.run("poll", "--all", "--as-of", "2026-04-01T11:00")
    assert wdtk.json("show", "smm-1-c1")["status"] == "sent"
    assert "ready:smm-1-c1" not in ready()


def test_launch_says_when_every_request_is_out():
    from bot.campaigns.service import LaunchReport
    from bot.cli.campaign import launch_text

    report = LaunchReport("social-media-misuse", sheet="launch-social-media-misuse.html")
    done = "Every request of this campaign is on WDTK (or cancelled): nothing more to send."
    assert done in launch_text(report, ["successful", "waiting_response", "cancelled"])
    # A draft still to schedule, or nothing drafted at all: not "everything is out".
    for statuses in (["successful", "draft"], [], ["cancelled"]):
        text = launch_text(report, statuses)
        assert done not in text and "Nothing new is due to send yet." in text, statuses
