"""Issue 12: a campaign on a WDTK that also holds other people's requests.

The replica holds impostors: requests with the user's titles and foibot tags but another
owner, or made before the draft was released. Only the user's own request, made after
the release, is ever bound to a draft.
"""

from __future__ import annotations

import sqlite3

from tests.support import released_project, row, sent_request
from tests.wdtk_replica import HOME_OFFICE, event, make_request_doc, make_user

IMPOSTOR = make_user("Someone Else", "someone_else", user_id=900777)


def impostor(project, replica, wdtk_id, ref, *, sent_at, user=IMPOSTOR, tag=None):
    """Another WDTK user's request with the same title and (by default) the same tag."""
    title = project.json("show", ref)["title"]
    doc = make_request_doc(
        wdtk_id, title, body=HOME_OFFICE, user=user, tags=[("foibot", tag or ref)],
        sent_at=sent_at, events=[event(wdtk_id * 100, "sent", sent_at)],
    )  # fmt: skip
    replica.add_request(doc)
    return doc


def test_an_impostor_with_the_same_title_and_tag_is_never_linked(project, replica):
    wdtk = released_project(project, replica)  # smm-1 released 2 Mar 09:10
    # Someone who started from the example config: same title, same tag, created after
    # the release, and first in the slug walk (WDTK gives the bare slug to the first).
    impostor(wdtk, replica, 4001, "smm-1", sent_at="2026-03-02T09:30:00+00:00")
    # The user's own, sent later: it gets the `_2` slug.
    sent_request(wdtk, replica, 5001, "smm-1", sent_at="2026-03-02T10:15:00+00:00")
    report = wdtk.json("poll", "--as-of", "2026-03-02T12:00")
    assert report["linked"] == [{"ref": "smm-1", "wdtk_id": 5001}]
    assert row(wdtk, "smm-1")["wdtk_id"] == 5001
    assert row(wdtk, "smm-1")["wdtk_user"] == "test_requester_14"


def test_the_users_own_request_made_before_the_release_is_not_linked(project, replica):
    wdtk = released_project(project, replica)
    # Owned by the user and tagged, but made a day before the draft was released: an
    # earlier request of theirs, not the one this draft became.
    sent_request(wdtk, replica, 5001, "smm-1", sent_at="2026-03-01T09:00:00+00:00")
    report = wdtk.json("poll", "--as-of", "2026-03-02T12:00")
    assert report["linked"] == []
    assert row(wdtk, "smm-1")["wdtk_id"] is None


def test_a_few_minutes_of_clock_skew_still_links(project, replica):
    wdtk = released_project(project, replica)  # released 09:10 by foibot's clock
    sent_request(wdtk, replica, 5001, "smm-1", sent_at="2026-03-02T09:07:00+00:00")
    assert wdtk.json("poll", "--as-of", "2026-03-02T12:00")["linked"] == [
        {"ref": "smm-1", "wdtk_id": 5001}
    ]


def test_another_installations_tag_is_not_ours(project, replica):
    wdtk = released_project(project, replica)
    # The user's own account, but the tag of another foibot database (another machine).
    doc = make_request_doc(
        5001, wdtk.json("show", "smm-1")["title"], body=HOME_OFFICE,
        tags=[("foibot", "0badc0de-smm-1")], sent_at="2026-03-02T10:15:00+00:00",
        events=[event(500100, "sent", "2026-03-02T10:15:00+00:00")],
    )  # fmt: skip
    replica.add_request(doc)
    assert wdtk.json("poll", "--as-of", "2026-03-02T12:00")["linked"] == []


def test_linking_by_hand_to_another_users_request_is_refused_unless_forced(project, replica):
    wdtk = released_project(project, replica)
    doc = impostor(wdtk, replica, 4001, "smm-1", sent_at="2026-03-02T09:30:00+00:00")
    before = wdtk.dump()
    refused = wdtk.run("link", "smm-1", f"/request/{doc['url_title']}", expect=2)
    assert "someone_else" in refused.stderr and "test_requester_14" in refused.stderr
    # Nothing changed but robots.txt kept for the next command (RobotsCache).
    after = wdtk.dump()
    kept = [(k, v) for k, v in after["settings"] if k.startswith("robots.txt ")]
    assert len(kept) == 1
    assert {**after, "settings": [s for s in after["settings"] if s not in kept]} == before
    wdtk.run("link", "smm-1", f"/request/{doc['url_title']}", "--force")
    assert row(wdtk, "smm-1")["wdtk_id"] == 4001


def test_releasing_needs_a_real_wdtk_user(project):
    project.edit_config('user = "test_requester_14"', 'user = "your_wdtk_user_name"')
    project.run("draft", "social-media-misuse")  # drafting works offline, as before
    before = project.dump()
    refused = project.run("launch", "social-media-misuse", "--as-of", "2026-12-01T09:05", expect=2)
    assert "wdtk.user" in refused.stderr and "your_wdtk_user_name" in refused.stderr
    assert project.dump() == before
    project.run("run", "--once", "--as-of", "2026-12-01T09:05", expect=2)
    assert project.dump() == before


def test_releases_follow_real_sends(project, replica):
    """With three waiting unsent nothing more is released; once WDTK shows one sent, the
    next goes out, timed from the real send."""
    project.edit_config(
        'base_url = "https://www.whatdotheyknow.com"', f'base_url = "{replica.base_url}"'
    )
    project.edit_config("min_interval_s = 3.0", "min_interval_s = 0")
    project.run("draft", "social-media-misuse")
    # Slots are planned from 12:00 (12:00, 12:01, 12:08, 12:15, 12:16, 13:00 …).
    first = project.json("launch", "social-media-misuse", "--as-of", "2026-12-01T12:00")
    assert [r["ref"] for r in first["released"]] == ["smm-1"]
    second = project.json("launch", "social-media-misuse", "--as-of", "2026-12-01T13:00")
    assert [r["ref"] for r in second["released"]] == ["smm-2", "smm-3"]
    assert [h["ref"] for h in second["held"]][:3] == ["smm-4", "smm-5", "smm-6"]
    # The human sends smm-1 at 13:01; a poll finds it.
    sent_request(project, replica, 5001, "smm-1", sent_at="2026-12-01T13:01:00+00:00")
    project.run("poll", "--as-of", "2026-12-01T13:20")
    assert row(project, "smm-1")["wdtk_id"] == 5001
    later = project.json("launch", "social-media-misuse", "--as-of", "2026-12-01T13:20")
    assert [r["ref"] for r in later["released"]] == ["smm-4"]
    # Worked by hand from the real send at 13:01 and the widened limits (1 in 2 min,
    # 2 in 9, 3 in 16, 5 in 61): smm-2 13:20, smm-3 13:22, smm-4 13:29.
    waiting = {w["ref"]: w["send_after"] for w in later["still_ready"]}
    assert waiting == {"smm-2": "2026-12-01T13:20:00+00:00", "smm-3": "2026-12-01T13:22:00+00:00"}
    assert later["released"][0]["send_after"] == "2026-12-01T13:29:00+00:00"


def test_unsent_followups_are_listed_on_every_launch_and_shown_by_ref(project, replica):
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    wdtk.run("followups", "social-media-misuse", "--kind", "chaser", "--as-of", "2026-04-01")
    first = wdtk.json("launch", "social-media-misuse", "--as-of", "2026-04-01T09:00")
    assert [f["ref"] for f in first["followups"]] == ["smm-1-c1"]
    second = wdtk.run("launch", "social-media-misuse", "--as-of", "2026-04-01T10:00").stdout
    assert "smm-1-c1" in second and "  | " not in second  # copyable: no gutter
    sheet = (wdtk.root / "state" / "launch-social-media-misuse.html").read_text()
    assert "smm-1-c1" in sheet and "Dear Home Office" in sheet
    shown = wdtk.json("show", "smm-1-c1")
    assert shown["request"] == "smm-1" and shown["kind"] == "chaser"
    assert shown["send_url"].endswith("/followups/new") and "Dear Home Office" in shown["text"]
    assert "foibot done smm-1-c1" in wdtk.run("show", "smm-1-c1").stdout
    # Marked sent by hand: no longer listed.
    wdtk.run("done", "smm-1-c1")
    third = wdtk.json("launch", "social-media-misuse", "--as-of", "2026-04-02T10:00")
    assert third["followups"] == []
    assert wdtk.run("done", "smm-1-c1", expect=2).stderr.startswith("Error: smm-1-c1 is already")
    # A mistyped ref names the nearest one, follow-ups included, as `show` does.
    typo = wdtk.run("done", "smm-1-c2", expect=2).stderr
    assert typo.startswith("Error: no follow-up or request with ref 'smm-1-c2'")
    assert "did you mean 'smm-1-c1'?" in typo and len(typo.splitlines()) == 1


def test_followups_only_for_the_users_own_requests_and_a_hostile_title_stops_nothing(
    project, replica
):
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    # A researcher also tracks someone else's late request in the campaign; its title
    # breaks the *new request* title rule (all lower case) – irrelevant to follow-ups.
    other = make_request_doc(
        6001, "all lower case title about budgets", body=HOME_OFFICE, user=IMPOSTOR, tags=[],
        sent_at="2026-03-02T11:00:00+00:00",
    )  # fmt: skip
    replica.add_request(other)
    wdtk.run("track", "/request/6001", "--campaign", "social-media-misuse", "--as-of", "2026-03-02T12:00")  # fmt: skip
    result = wdtk.run(
        "followups", "social-media-misuse", "--kind", "chaser", "--as-of", "2026-04-01"
    )
    assert "chaser: 1 drafted: smm-1-c1 (smm-1)" in result.stdout
    assert "Skipped 1 tracked request(s) of other WDTK users" in result.stdout
    conn = sqlite3.connect(wdtk.db)
    assert conn.execute("SELECT request FROM followups").fetchall() == [("smm-1",)]


def test_one_body_that_cannot_render_does_not_stop_the_draft(project):
    # Police Scotland's short name is used in a way only it breaks.
    project.edit_config(
        'title = "{{ body.short_name }}: staff disciplined for social media misuse"',
        "title = \"{{ body.short_name if body.url_name != 'police_scotland' else missing.x }}: "
        'staff disciplined for social media misuse"',
    )
    result = project.run("draft", "social-media-misuse", expect=1)
    assert "not drafted: police_scotland" in result.stderr
    assert "6 created" in result.stdout
