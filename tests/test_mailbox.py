"""`foibot mail`: WDTK's alert e-mails, recognised (pure) and read from a real IMAP server
(pymap on 127.0.0.1) to poll exactly the requests they name on the WDTK replica."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from bot.mailbox.recognise import (
    MAX_LINKS,
    Ignored,
    Interrupted,
    Mention,
    Recognised,
    match_mentions,
    mentions_in,
    recognise,
    sender_matches,
)
from tests import wdtk_mail as mail
from tests.imap_server import PASSWORD, USER, ImapServer
from tests.support import released_project, row, sent_request, wait_until
from tests.test_doctor_bodies import serve_example_bodies
from tests.wdtk_replica import event

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WDTK = "https://www.whatdotheyknow.com"


# --- recognising messages (pure) -------------------------------------------------------


def test_new_response_names_its_request_by_slug_in_text_and_html():
    raw = mail.new_response(WDTK, "staff_disciplined", "Home Office: staff", "Home Office", 9)
    verdict = recognise(raw, WDTK)
    assert isinstance(verdict, Recognised)
    assert verdict.kind == "new_response"
    assert verdict.mentions == (Mention(url_title="staff_disciplined"),)


def test_html_only_alert_with_a_non_ascii_title_is_read_from_its_links():
    title = "Cyngor Sir Ynys Môn: staff – “social media” misuse"
    raw = mail.new_response_html_only(WDTK, "cyngor_sir_ynys_mon_staff", title, "Môn", 4)
    assert b"Content-Transfer-Encoding: quoted-printable" in raw
    assert "Môn".encode() not in raw  # encoded on the wire, decoded by the parser
    verdict = recognise(raw, WDTK)
    assert isinstance(verdict, Recognised)
    assert verdict.mentions == (Mention(url_title="cyngor_sir_ynys_mon_staff"),)


def test_overdue_alerts_name_the_request_by_number():
    for very, kind in ((False, "overdue"), (True, "very_overdue")):
        verdict = recognise(mail.overdue_alert(WDTK, 5001, "T", "Home Office", very=very), WDTK)
        assert isinstance(verdict, Recognised)
        assert (verdict.kind, verdict.mentions) == (kind, (Mention(wdtk_id=5001),))


def test_an_alert_whose_link_names_nothing_falls_back_to_the_title_in_its_subject():
    title = "Ysgol Gŵyr: staff disciplined for social media misuse"
    verdict = recognise(mail.overdue_alert_token(WDTK, title, "Ysgol Gŵyr"), WDTK)
    assert isinstance(verdict, Recognised)
    assert len(verdict.mentions) == 1 and verdict.mentions[0].wdtk_id is None
    rows = [{"ref": "smm-9", "wdtk_id": 77, "url_title": "ysgol", "title": title, "status": "x"}]
    assert match_mentions(verdict.mentions, rows).linked == ("smm-9",)


def test_classify_reminder_names_the_request_inside_its_sign_in_link():
    verdict = recognise(mail.classify_reminder(WDTK, "met_police_staff", "Met", "Met"), WDTK)
    assert isinstance(verdict, Recognised)
    assert (verdict.kind, verdict.mentions) == (
        "classify",
        (Mention(url_title="met_police_staff"),),
    )


def test_track_alert_names_every_request_it_lists_and_not_its_unsubscribe_links():
    items = [("a_one", "A", "HO", 1), ("b_two", "B", "MoJ", 2), ("c_three", "C", "Met", 3)]
    verdict = recognise(mail.track_alert(WDTK, items), WDTK)
    assert isinstance(verdict, Recognised)
    assert verdict.kind == "track"
    assert [m.url_title for m in verdict.mentions] == ["a_one", "b_two", "c_three"]


def test_other_senders_and_malformed_messages_are_ignored():
    other = recognise(mail.other_sender(WDTK, "a_one"), WDTK)
    assert isinstance(other, Ignored) and "not from whatdotheyknow.com" in other.reason
    broken = recognise(mail.malformed(WDTK), WDTK)
    assert isinstance(broken, Ignored) and broken.reason.startswith("malformed")
    assert isinstance(recognise(b"\xff\xfe\x00garbage", WDTK), Ignored)


def test_sender_domain_must_be_the_site_or_a_subdomain():
    assert sender_matches("whatdotheyknow.com", WDTK)
    assert sender_matches("mail.whatdotheyknow.com", WDTK)
    assert not sender_matches("evilwhatdotheyknow.com", WDTK)
    assert not sender_matches("whatdotheyknow.com.evil.example", WDTK)


def test_a_slug_no_request_has_but_a_released_draft_derives_is_that_draft():
    rows = [
        {"ref": "smm-1", "wdtk_id": None, "url_title": None, "status": "ready",
         "title": "Home Office: staff disciplined for social media misuse"},
    ]  # fmt: skip
    found = match_mentions((Mention(url_title="home_office_staff_disciplined_fo_2"),), rows)
    assert (found.drafts, found.untracked) == (("smm-1",), ())
    unknown = match_mentions((Mention(url_title="someone_elses_request"),), rows)
    assert unknown.untracked == (Mention(url_title="someone_elses_request"),)


RELAY = "mx.example.org"


def test_links_are_read_once_each_and_no_more_than_max_links():
    text = "".join(f"{WDTK}/request/r{i % 3}\n" for i in range(30))
    assert mentions_in([text], WDTK) == tuple(Mention(url_title=f"r{i}") for i in range(3))
    many = "".join(f"{WDTK}/request/r{i}\n" for i in range(MAX_LINKS + 10))
    found = mentions_in([many], WDTK)
    assert len(found) == MAX_LINKS and found[-1] == Mention(url_title=f"r{MAX_LINKS - 1}")


def test_the_stop_flag_interrupts_reading_a_long_message():
    raw = mail.forged_alert(WDTK, [f"r{i}" for i in range(1000)])
    with pytest.raises(Interrupted):
        recognise(raw, WDTK, should_stop=lambda: True)


def test_an_alert_with_alavetelis_headers_is_genuine_and_a_bare_forgery_is_not():
    genuine = recognise(mail.track_alert(WDTK, [("a_one", "A", "HO", 1)]), WDTK)
    assert isinstance(genuine, Recognised) and genuine.doubt is None
    forged = recognise(mail.forged_alert(WDTK, ["a_one"]), WDTK)
    assert isinstance(forged, Recognised)
    assert forged.doubt == "no 'Auto-Submitted: auto-generated' header"
    # a track digest always carries Precedence: bulk (TrackMailer#event_digest)
    bare = mail.track_alert(WDTK, [("a_one", "A", "HO", 1)]).replace(b"Precedence: bulk\n", b"")
    assert recognise(bare, WDTK).doubt == "a track alert without 'Precedence: bulk'"
    moved = mail.new_response(WDTK, "a_one", "A", "HO", 1).replace(
        b"Return-Path: <do-not-reply-to-this-address@whatdotheyknow.com>",
        b"Return-Path: <bounce@forger.example>",
    )
    expected = "Return-Path bounce@forger.example is not at whatdotheyknow.com"
    assert recognise(moved, WDTK).doubt == expected


def test_with_a_trusted_relay_only_its_own_received_line_counts():
    copied = mail.forged_alert(WDTK, ["a_one"], copy_headers=True)
    assert recognise(copied, WDTK).doubt is None  # the headers alone can be copied
    assert recognise(copied, WDTK, trusted_relay=RELAY).doubt == f"no Received line by {RELAY}"
    # the relay's line (on top) names the forger's host; the line below it, the forger's
    # own, claims the site's and does not count
    relayed = mail.forged_alert(
        WDTK, ["a_one"], copy_headers=True, relay=RELAY, received_from="dsl-7.forger.example"
    )
    verdict = recognise(relayed, WDTK, trusted_relay=RELAY)
    expected = f"{RELAY} received it from dsl-7.forger.example, not from whatdotheyknow.com"
    assert verdict.doubt == expected
    genuine = mail.new_response(WDTK, "a_one", "A", "HO", 1, relay=RELAY)
    assert recognise(genuine, WDTK, trusted_relay=RELAY).doubt is None
    assert recognise(genuine, WDTK, trusted_relay="mx.elsewhere.example").doubt is not None


# --- against the IMAP server and the WDTK replica ---------------------------------------


@pytest.fixture
def imap(tmp_path):
    with ImapServer(tmp_path / "imap") as server:
        yield server


@pytest.fixture
def mailproject(project, replica, imap, monkeypatch):
    """smm-1 (WDTK 5001) and smm-2 (5002) sent and linked; [mailbox] on the server."""
    released_project(project, replica)
    sent_request(project, replica, 5001, "smm-1")
    sent_request(project, replica, 5002, "smm-2", sent_at="2026-03-02T11:15:00+00:00")
    project.run("poll", "--as-of", "2026-03-02T12:00")
    assert row(project, "smm-2")["wdtk_id"] == 5002
    monkeypatch.setenv("FOIBOT_TEST_IMAP_PASSWORD", PASSWORD)
    with project.config.open("a") as f:
        f.write(
            f'\n[mailbox]\nhost = "127.0.0.1"\nport = {imap.port}\ntls = false\n'
            f'user = "{USER}"\npassword_env = "FOIBOT_TEST_IMAP_PASSWORD"\n'
        )
    replica.hits.clear()
    return project


def add_response(replica, wdtk_id: int, at: str = "2026-03-20T09:00:00+00:00") -> int:
    e = replica.add_event(wdtk_id, event(None, "response", at))
    return e["incoming_message_id"]


def slug(replica, wdtk_id: int) -> str:
    return replica.request(wdtk_id)["url_title"]


def alert_for(replica, wdtk_id: int) -> bytes:
    doc = replica.request(wdtk_id)
    incoming = add_response(replica, wdtk_id)
    return mail.new_response(
        replica.base_url, doc["url_title"], doc["title"], "Home Office", incoming
    )


def test_a_new_response_alert_polls_exactly_that_request_at_once(mailproject, replica, imap):
    imap.deliver(alert_for(replica, 5001))
    report = mailproject.json("mail", "--as-of", "2026-03-20T09:05")
    assert [h["refs"] for h in report["handled"]] == [["smm-1"]]
    assert [r["ref"] for r in report["poll"]["new_responses"]] == ["smm-1"]
    # one JSON call for smm-1 (and its page for the reply text); smm-2 is not asked about
    assert all(slug(replica, 5002) not in p for p in replica.hit_paths())
    assert any(p.startswith(f"/request/{slug(replica, 5001)}.json") for p in replica.hit_paths())
    assert (
        row(mailproject, "smm-1")["last_confirmed_via"],
        row(mailproject, "smm-2")["last_confirmed_via"],
    ) == ("mail", "poll")
    # the message is left as it was: unread, in the inbox
    assert [m["flags"] for m in imap.folder().values()] == [set()]
    status = {s["ref"]: s for s in mailproject.json("status", "--as-of", "2026-03-20")}
    assert status["smm-1"]["last_confirmed_via"] == "mail"
    assert status["smm-1"]["last_confirmed_at"].startswith("2026-03-20T09:05")
    # news queued on the same path as polling: once
    news = sqlite3.connect(mailproject.db).execute("SELECT key FROM news").fetchall()
    assert sum(1 for (k,) in news if k.startswith("response:smm-1")) == 1


def test_overdue_alert_by_number_and_a_classify_reminder(mailproject, replica, imap):
    """Prompts to the requester change nothing on WDTK: no poll at once. The classify
    reminder read Thu 2 Apr 06:00 UTC brings the poll to that evening (23:00 BST, 22:00
    UTC); the overdue alert to a week on (Thu 9 Apr), when a follow-up may have gone."""
    base = replica.base_url
    db = sqlite3.connect(mailproject.db)
    with db:
        db.execute("UPDATE requests SET next_poll_at = '2026-05-01T10:00:00+00:00'")
    imap.deliver(
        mail.overdue_alert(base, 5002, replica.request(5002)["title"], "Home Office"),
        mail.classify_reminder(base, slug(replica, 5001), "t", "Home Office"),
    )
    report = mailproject.json("mail", "--as-of", "2026-04-02T06:00")
    assert [(h["kind"], h["refs"]) for h in report["handled"]] == [
        ("overdue", ["smm-2"]), ("classify", ["smm-1"]),
    ]  # fmt: skip
    assert not (report["poll"] or {}).get("polled")
    assert replica.hit_paths("/request/") == []
    assert row(mailproject, "smm-1")["next_poll_at"] == "2026-04-02T22:00:00+00:00"
    assert row(mailproject, "smm-2")["next_poll_at"] == "2026-04-09T22:00:00+00:00"
    # Sooner than that already: kept.
    with db:
        db.execute("UPDATE requests SET next_poll_at = '2026-04-02T12:00:00+00:00'")
    imap.deliver(mail.classify_reminder(base, slug(replica, 5001), "t", "Home Office"))
    again = mailproject.json("mail", "--as-of", "2026-04-02T07:00")
    assert [h["refs"] for h in again["handled"]] == [["smm-1"]]
    assert row(mailproject, "smm-1")["next_poll_at"] == "2026-04-02T12:00:00+00:00"


def test_track_alert_listing_several_requests_and_one_not_tracked(mailproject, replica, imap):
    from tests.wdtk_replica import HOME_OFFICE, make_request_doc

    other = make_request_doc(7001, "Someone else's question", body=HOME_OFFICE,
                             sent_at="2026-03-05T10:00:00+00:00",
                             events=[event(700100, "sent", "2026-03-05T10:00:00+00:00")])  # fmt: skip
    replica.add_request(other)
    items = [
        (slug(replica, 5001), "t1", "Home Office", add_response(replica, 5001)),
        (slug(replica, 5002), "t2", "Home Office", add_response(replica, 5002)),
        (slug(replica, 7001), "t3", "Home Office", 9),
    ]
    imap.deliver(mail.track_alert(replica.base_url, items))
    report = mailproject.json("mail", "--as-of", "2026-03-20T09:05")
    assert report["handled"][0]["refs"] == ["smm-1", "smm-2"]
    assert report["untracked"] == [f"/request/{slug(replica, 7001)}"]
    assert sorted(r["ref"] for r in report["poll"]["new_responses"]) == ["smm-1", "smm-2"]
    text = mailproject.run("mail", "--as-of", "2026-03-20T09:06").stdout
    assert "Read 0 new message(s)" in text  # handled once, never again

    imap.deliver(mail.track_alert(replica.base_url, items[2:]))
    tracked = mailproject.json("mail", "--track", "--as-of", "2026-03-20T09:10")
    assert tracked["handled"][0]["tracked"] == ["wdtk-7001"]
    assert tracked["untracked"] == []
    assert row(mailproject, "wdtk-7001")["last_confirmed_via"] == "mail"


def test_a_second_copy_of_a_handled_alert_is_moved_as_the_first_was(mailproject, replica, imap):
    mailproject.edit_config("tls = false\n", 'tls = false\nafter = "move:WDTK done"\n')
    alert = alert_for(replica, 5001)
    imap.deliver(alert, alert)  # the same Message-ID twice: a copy, handled once
    text = mailproject.run("mail", "--as-of", "2026-03-20T09:05").stdout
    assert text.startswith("Read 2 new message(s) in INBOX (1 handled before), 1 from WDTK"), text
    assert imap.folder() == {} and len(imap.folder("WDTK done")) == 2


def test_mail_track_keeps_a_pause_wdtk_asked_for(mailproject, replica, imap):
    from tests.wdtk_replica import HOME_OFFICE, make_request_doc

    other = make_request_doc(7001, "Someone else's question", body=HOME_OFFICE, tags=[],
                             sent_at="2026-03-05T10:00:00+00:00",
                             events=[event(700100, "sent", "2026-03-05T10:00:00+00:00")])  # fmt: skip
    replica.add_request(other)
    with sqlite3.connect(mailproject.db) as db:
        db.execute(
            "INSERT OR REPLACE INTO settings (key, value) "
            "VALUES ('wdtk_pause_until', '2026-03-20T10:00:00+00:00')"
        )
    imap.deliver(mail.track_alert(replica.base_url, [(slug(replica, 7001), "t", "Home Office", 9)]))
    before = len(replica.hits)
    mailproject.run("mail", "--track", "--as-of", "2026-03-20T09:05")
    assert len(replica.hits) == before  # nothing asked of WDTK, not even to follow it
    assert "wdtk-7001" not in {r["ref"] for r in mailproject.json("status")}


def test_other_mail_and_malformed_mail_are_left_untouched(mailproject, replica, imap):
    mailproject.edit_config("tls = false\n", 'tls = false\nafter = "move:WDTK done"\n')
    imap.deliver(
        mail.other_sender(replica.base_url, slug(replica, 5001)),
        mail.malformed(replica.base_url),
        alert_for(replica, 5001),
    )
    report = mailproject.json("mail", "--as-of", "2026-03-20T09:05")
    assert (report["read"], report["ignored"], len(report["handled"])) == (3, 2, 1)
    assert not any(p.startswith("/request/") for p in replica.hit_paths()) or report["poll"]
    left = imap.folder()
    assert len(left) == 2 and all(m["flags"] == set() for m in left.values())
    assert "This week in FOI" in " ".join(m["subject"] for m in left.values())
    assert len(imap.folder("WDTK done")) == 1  # only WDTK's alert was moved


def test_flag_after_handling(mailproject, replica, imap):
    mailproject.edit_config("tls = false\n", 'tls = false\nafter = "flag"\n')
    imap.deliver(alert_for(replica, 5001), mail.other_sender(replica.base_url, "x"))
    mailproject.json("mail", "--as-of", "2026-03-20T09:05")
    flags = [m["flags"] for m in imap.folder().values()]
    assert flags == [{b"\\Flagged"}, set()]


def test_a_server_restart_mid_session_is_one_clear_error_and_nothing_is_lost(
    mailproject, replica, imap
):
    import datetime as dt

    from bot.config import load_config
    from bot.mailbox.imap import Mailbox
    from bot.mailbox.service import check_mail
    from bot.store.db import Store

    config = load_config(mailproject.config)
    now = dt.datetime(2026, 3, 20, 9, 5, tzinfo=dt.UTC)
    store = Store(mailproject.db)
    box = Mailbox(config.mailbox, timeout_s=5)
    box.open()
    imap.deliver(alert_for(replica, 5001))
    imap.restart()  # the session's connection is gone
    try:
        broken = check_mail(store, config, now, mailbox=box)
        assert broken.error and broken.error.startswith("[mailbox] 127.0.0.1:")
        assert broken.handled == []
        again = check_mail(store, config, now)
    finally:
        box.close()
        store.close()
    assert again.error is None
    assert [h.refs for h in again.handled] == [["smm-1"]]

    # and the CLI says so in one line, exit 1, when the server is down
    imap.stop()
    result = mailproject.run("mail", expect=1)
    assert result.stderr.startswith("Error: [mailbox] cannot connect to 127.0.0.1:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_new_uidvalidity_rereads_the_folder_without_handling_anything_twice(
    mailproject, replica, imap
):
    mailproject.edit_config("tls = false\n", 'tls = false\nafter = "move:Done"\n')
    first = [alert_for(replica, 5001), alert_for(replica, 5002)]
    imap.deliver(*first, mail.other_sender(replica.base_url, "x"))
    report = mailproject.json("mail", "--as-of", "2026-03-20T09:05")
    assert len(report["handled"]) == 2
    cursor_before = sqlite3.connect(mailproject.db).execute(
        "SELECT uidvalidity, last_uid FROM mail_cursor").fetchone()  # fmt: skip
    assert cursor_before[1] == 3

    imap.change_uidvalidity()  # the newsletter is renumbered UID 1; the next UID is 2
    # A copy of an alert already handled (a person dragged it back) and a new alert,
    # whose UID (3) is at or below the old cursor: read only because UIDVALIDITY changed.
    imap.deliver(first[0], alert_for(replica, 5002))
    report = mailproject.json("mail", "--as-of", "2026-03-20T10:00")
    assert report["uidvalidity_changed"] is True
    assert report["uidvalidity"] != cursor_before[0]
    assert (report["read"], report["ignored"], report["already_handled"]) == (3, 1, 1)
    assert [h["refs"] for h in report["handled"]] == [["smm-2"]]
    handled = (
        sqlite3.connect(mailproject.db).execute("SELECT count(*) FROM mail_handled").fetchone()
    )
    assert handled == (3,)


def test_killed_after_handling_a_message_it_is_never_handled_again_and_still_polled(
    mailproject, replica, imap
):
    from tests.wdtk_replica import slow

    imap.deliver(alert_for(replica, 5001))
    # WDTK answers slowly, so the process is killed while it polls, after the commit.
    replica.fail(5001, slow(30))
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(mailproject.config), "mail",
         "--as-of", "2026-03-20T09:05"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    wait_until(lambda: replica.hit_paths(f"/request/{slug(replica, 5001)}") or proc.poll() is not None,
               "the mail pass to poll")  # fmt: skip
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()

    conn = sqlite3.connect(mailproject.db)
    assert conn.execute("SELECT count(*) FROM mail_handled").fetchone() == (1,)
    assert row(mailproject, "smm-1")["next_poll_at"].startswith("2026-03-20T09:05")
    replica.faults.clear()
    again = mailproject.json("mail", "--as-of", "2026-03-20T09:06")
    assert (again["read"], again["handled"]) == (0, [])
    # the request the message named is due: the next pass of any kind polls it
    polled = mailproject.json("poll", "--as-of", "2026-03-20T09:07")
    assert [r["ref"] for r in polled["new_responses"]] == ["smm-1"]


def test_run_once_reads_mail_then_polls_on_a_relaxed_schedule(mailproject, replica, imap):
    imap.deliver(alert_for(replica, 5002))
    summary = mailproject.json("run", "--once", "--as-of", "2026-03-20T09:05")
    assert [h["refs"] for h in summary["mail"]["handled"]] == [["smm-2"]]
    assert [r["ref"] for r in summary["mail"]["poll"]["new_responses"]] == ["smm-2"]
    # with the mailbox working, an open request's reply comes by mail: the next scheduled
    # poll is a week after WDTK's overdue alert (due Tue 31 Mar, alert Wed 1 Apr), when the
    # requester may have followed up: Wed 8 Apr at 23:00 UK (22:00 UTC in BST)
    nxt = row(mailproject, "smm-1")["next_poll_at"]
    assert nxt.startswith("2026-04-08T22:00"), nxt


def test_run_once_says_when_the_poll_an_alert_asked_for_failed(mailproject, replica, imap):
    """The alert is handled, but WDTK fails the poll it asks for: the summary says so and
    the pass exits 1 (the daemon logs it at WARNING), as a failed scheduled poll would."""
    from tests.wdtk_replica import http_error

    imap.deliver(alert_for(replica, 5002))
    replica.fail(5002, *[http_error(503)] * 8)
    result = mailproject.run("run", "--once", "--as-of", "2026-03-20T09:05", expect=1)
    assert "the mail's polls: 1 error(s) on smm-2 (first: HTTP 503" in result.stdout, result.stdout


def test_a_mailbox_that_stops_working_brings_the_normal_polls_back(mailproject, replica, imap):
    """The safety net put smm-1's next poll weeks off; the mailbox then fails. Two hours
    on it no longer counts as working, and the next pass brings smm-1 back to the normal
    rhythm (that day's close), not a week after mail last worked."""
    mailproject.run("run", "--once", "--as-of", "2026-03-20T09:05")
    assert row(mailproject, "smm-1")["next_poll_at"].startswith("2026-04-08T22:00")
    imap.stop()
    # Within two hours of the last good read the net still holds.
    failing = mailproject.run("run", "--once", "--as-of", "2026-03-20T10:30", expect=1)
    assert "Mailbox not read: [mailbox] cannot connect" in failing.stdout
    assert row(mailproject, "smm-1")["next_poll_at"].startswith("2026-04-08T22:00")
    mailproject.run("run", "--once", "--as-of", "2026-03-20T12:00", expect=1)
    assert row(mailproject, "smm-1")["next_poll_at"].startswith("2026-03-20T17:45")


def test_the_safety_net_is_lifted_once_an_outage(tmp_path):
    """While the mailbox stays down, one pass brings the put-off polls back; later passes
    leave the normal schedule to keep them. A new outage (it worked again, then failed)
    lifts the net again; a mailbox that never worked put nothing off."""
    import datetime as dt

    from bot.mailbox.service import LIFTED_KEY, OK_KEY, net_to_lift
    from bot.store.db import Store

    store = Store(tmp_path / "foibot.db")
    at = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)
    assert net_to_lift(store, at) is None  # never read
    store.set_setting(OK_KEY, at.isoformat())
    assert net_to_lift(store, at + dt.timedelta(hours=1)) is None  # still working
    later = at + dt.timedelta(hours=3)
    assert net_to_lift(store, later) == at.isoformat()
    store.set_setting(LIFTED_KEY, at.isoformat())
    assert net_to_lift(store, later + dt.timedelta(days=1)) is None
    again = at + dt.timedelta(days=2)
    store.set_setting(OK_KEY, again.isoformat())
    assert net_to_lift(store, again + dt.timedelta(hours=3)) == again.isoformat()
    store.close()


def test_mailbox_config_errors_name_the_key(project):
    with project.config.open("a") as f:
        f.write('\n[mailbox]\nhost = "h"\nuser = "u"\npassword_env = "X"\nafter = "delete"\n')
    result = project.run("mail", expect=2)
    assert "mailbox.after" in result.stderr and "move:<folder>" in result.stderr
    project.edit_config('after = "delete"', 'after = "leave"\ntrusted_relay = "mx; rm"')
    result = project.run("mail", expect=2)
    assert "mailbox.trusted_relay" in result.stderr and "host name" in result.stderr
    project.edit_config('trusted_relay = "mx; rm"', 'trusted_relay = "mx.example.org"')
    result = project.run("mail", expect=2)
    assert "environment variable X is not set" in result.stderr


def test_daemon_handles_mail_as_it_arrives_with_idle(mailproject, replica, imap, tmp_path):
    log = tmp_path / "daemon.log"
    daemon = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(mailproject.config), "daemon",
         "--log-file", str(log)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    db = sqlite3.connect(mailproject.db)

    def confirmed_by_mail(ref: str) -> bool:
        found = db.execute("SELECT last_confirmed_via FROM requests WHERE ref = ?", [ref])
        return found.fetchone() == ("mail",)

    try:
        wait_until(lambda: log.exists() and "watching INBOX with IDLE" in log.read_text(),
                   "the watcher to start")  # fmt: skip
        imap.deliver(alert_for(replica, 5001))
        wait_until(lambda: confirmed_by_mail("smm-1"), "the alert to be handled")
        imap.restart()  # the IDLE connection drops; the watcher reconnects and catches up
        imap.deliver(alert_for(replica, 5002))
        wait_until(lambda: confirmed_by_mail("smm-2"), "the alert after the restart", timeout=60)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=20)
    assert daemon.returncode == 0
    text = log.read_text()
    assert "reconnecting in" in text and "Traceback" not in text
    assert db.execute("SELECT count(*) FROM mail_handled").fetchone() == (2,)


def test_doctor_online_checks_the_mailbox_login_and_folder(mailproject, replica, imap, monkeypatch):
    def mailbox_check(expect: int) -> dict:
        result = mailproject.run("doctor", "--online", "--json", expect=expect)
        return {c["name"]: c for c in json.loads(result.stdout)["checks"]}["mailbox (online)"]

    serve_example_bodies(replica)  # doctor --online also checks the declared bodies
    imap.deliver(mail.other_sender(replica.base_url, "x"))
    box = mailbox_check(0)
    assert box["level"] == "ok", box
    assert "folder INBOX has 1 message;" in box["message"] and "waits with IDLE" in box["message"]

    mailproject.edit_config("tls = false\n", 'tls = false\nfolder = "No such folder"\n')
    box = mailbox_check(1)
    assert box["level"] == "error" and "'No such folder'" in box["message"]

    monkeypatch.setenv("FOIBOT_TEST_IMAP_PASSWORD", "wrong")
    box = mailbox_check(1)
    assert box["level"] == "error" and "refused the login" in box["message"]


def stranger_requests(replica, n: int, first: int = 7001) -> list[str]:
    from tests.wdtk_replica import HOME_OFFICE, make_request_doc

    slugs = []
    for wdtk_id in range(first, first + n):
        replica.add_request(
            make_request_doc(wdtk_id, f"Someone else's question {wdtk_id}", body=HOME_OFFICE,
                             sent_at="2026-03-05T10:00:00+00:00",
                             events=[event(wdtk_id * 100, "sent", "2026-03-05T10:00:00+00:00")])
        )  # fmt: skip
        slugs.append(slug(replica, wdtk_id))
    return slugs


def request_count(project) -> int:
    return sqlite3.connect(project.db).execute("SELECT count(*) FROM requests").fetchone()[0]


def test_a_forged_alert_never_tracks_strangers_but_may_hasten_a_poll(mailproject, replica, imap):
    from bot.mailbox.service import MAX_UNTRACKED

    strangers = stranger_requests(replica, 300)
    add_response(replica, 5001)
    before = request_count(mailproject)
    imap.deliver(mail.forged_alert(replica.base_url, [slug(replica, 5001), *strangers]))
    report = mailproject.json("mail", "--track", "--as-of", "2026-03-20T09:05")
    (handled,) = report["handled"]
    assert (handled["genuine"], handled["tracked"], handled["refs"]) == (False, [], ["smm-1"])
    assert handled["doubt"] == "no 'Auto-Submitted: auto-generated' header"
    assert len(handled["untracked"]) == MAX_UNTRACKED == 100
    assert request_count(mailproject) == before
    assert not any(s in p for p in replica.hit_paths() for s in strangers)
    assert [r["ref"] for r in report["poll"]["new_responses"]] == ["smm-1"]


def test_the_mail_summary_names_each_untracked_request_once(mailproject, replica, imap):
    strangers = stranger_requests(replica, 12)
    imap.deliver(mail.forged_alert(replica.base_url, strangers))
    text = mailproject.run("mail", "--as-of", "2026-03-20T09:05").stdout
    assert ", 12 not tracked." in text.splitlines()[0], text
    for stranger in strangers:
        assert text.count(f"/request/{stranger}") == 1, (stranger, text)


def test_a_pass_summary_names_the_first_few_untracked_requests():
    from bot.mailbox.service import HandledMail, MailReport

    untracked = [f"/request/r{n}" for n in range(8)]
    report = MailReport("INBOX", 1, read=1, handled=[HandledMail(9, "alert", [], untracked)])
    assert report.paragraph() == (
        "read 1 new message(s) in INBOX, 1 from WDTK naming 0 tracked request(s), "
        "8 not tracked (/request/r0, /request/r1, /request/r2, /request/r3, /request/r4 "
        "and 3 more)"
    )


def test_forged_alerts_in_a_row_ask_wdtk_once_an_hour_at_most(mailproject, replica, imap):
    """Each forged alert has a new Message-ID, so each is handled; but one that may not be
    WDTK's hastens only a request not polled within WDTK's JSON cache (an hour)."""
    asked = []
    for minute in (5, 10, 40, 66):
        imap.deliver(mail.forged_alert(replica.base_url, [slug(replica, 5001)]))
        before = len(replica.hit_paths())
        mailproject.run("mail", "--as-of", f"2026-03-20T09:{minute:02d}" if minute < 60
                        else f"2026-03-20T10:{minute - 60:02d}")  # fmt: skip
        asked.append(len(replica.hit_paths()) > before)
    assert asked == [True, False, False, True]


def test_with_a_trusted_relay_a_genuine_alert_tracks_and_a_copied_one_does_not(
    mailproject, replica, imap
):
    mailproject.edit_config("tls = false\n", f'tls = false\ntrusted_relay = "{RELAY}"\n')
    one, two = stranger_requests(replica, 2)
    base = replica.base_url
    imap.deliver(
        mail.forged_alert(base, [one], copy_headers=True, relay=RELAY,
                          received_from="dsl-7.forger.example"),
        mail.track_alert(base, [(two, "t", "Home Office", 9)], relay=RELAY),
    )  # fmt: skip
    report = mailproject.json("mail", "--track", "--as-of", "2026-03-20T09:05")
    forged, genuine = report["handled"]
    assert (forged["tracked"], forged["genuine"]) == ([], False)
    assert forged["untracked"] == [f"/request/{one}"]
    assert (genuine["tracked"], genuine["genuine"]) == (["wdtk-7002"], True)
    text = mailproject.run("mail", "--track", "--as-of", "2026-03-20T09:06").stdout
    assert "Read 0 new message(s)" in text


def test_only_the_first_megabyte_of_a_message_is_read(mailproject, replica, imap):
    from bot.mailbox.imap import MAX_MESSAGE_BYTES

    base = replica.base_url
    filler = "No link on this line, only words to fill it out.\n" * (MAX_MESSAGE_BYTES // 40)
    raw = mail.forged_alert(base, [slug(replica, 5001)], copy_headers=True)
    first = f"{base}/request/{slug(replica, 5001)}\n".encode()  # in the first kilobyte
    raw = raw.replace(first, first + filler.encode())
    raw += f"{base}/request/{slug(replica, 5002)}\n".encode()  # past the first megabyte
    assert len(raw) > MAX_MESSAGE_BYTES + 1000
    imap.deliver(raw)
    report = mailproject.json("mail", "--as-of", "2026-03-20T09:05")
    assert [h["refs"] for h in report["handled"]] == [["smm-1"]]


def test_a_stop_while_a_message_is_read_leaves_it_for_the_next_pass(mailproject, replica, imap):
    import datetime as dt
    import sys

    from bot.config import load_config
    from bot.mailbox.service import check_mail
    from bot.store.db import Store

    imap.deliver(mail.forged_alert(replica.base_url, [slug(replica, 5002)] * 600))
    config = load_config(mailproject.config)
    now = dt.datetime(2026, 3, 20, 9, 5, tzinfo=dt.UTC)

    def stop_once_reading() -> bool:
        # False for every mailbox step (connect, login, fetch), True once asked from inside
        # the loop over the message's links: a stop that lands while the message is read.
        return sys._getframe(1).f_globals.get("__name__") == "bot.mailbox.recognise"

    store = Store(mailproject.db)
    try:
        stopped = check_mail(store, config, now, should_stop=stop_once_reading)
        assert (stopped.error, stopped.read, stopped.handled) == (None, 0, [])
        again = check_mail(store, config, now)
    finally:
        store.close()
    assert [h.refs for h in again.handled] == [["smm-2"]]


@pytest.mark.parametrize(("classifies", "next_poll"), [
    # Seldom the same day: WDTK's first reminder, at the first 07:00 run 3 days on (Fri
    # 09:00 + 3 days is Mon 09:00: Tue 24 Mar), looked for at 23:00.
    (False, "2026-03-24T23:00"),
    (True, "2026-03-20T23:00"),  # the same day, as before: that day's close
])  # fmt: skip
def test_the_safety_net_looks_on_a_replys_day_only_for_a_requester_who_classifies_then(
    mailproject, replica, imap, classifies, next_poll
):
    """Five earlier replies to smm-1, on five days, classified the same day or never: the
    habit learnt from them sets whether smm-2's new reply is looked for that evening."""
    for day in range(5, 10):
        add_response(replica, 5001, f"2026-03-{day:02}T10:00:00+00:00")
        if classifies:
            replica.add_event(5001, event(None, "status_update", f"2026-03-{day:02}T15:00:00+00:00",
                                          described_state="waiting_response"))  # fmt: skip
        mailproject.run("poll", "--as-of", f"2026-03-{day:02}T22:30")
    imap.deliver(alert_for(replica, 5002))
    mailproject.run("run", "--once", "--as-of", "2026-03-20T09:05")
    assert row(mailproject, "smm-2")["awaiting_description"] == 1
    assert row(mailproject, "smm-2")["next_poll_at"].startswith(next_poll)


def test_a_mailbox_password_missing_from_crons_environment_stops_only_the_mail(
    mailproject, replica, monkeypatch
):
    """`run --once` from cron without the IMAP password in its environment: the mail part
    says so (exit 1, as a notification channel that fails does), and the rest of the
    pass runs on the normal schedule: polls find the reply the unread alert would have
    named. `foibot mail`, run by hand, still stops at once (exit 2) on the same line."""
    monkeypatch.delenv("FOIBOT_TEST_IMAP_PASSWORD")
    add_response(replica, 5001)
    result = mailproject.run("run", "--once", "--as-of", "2026-03-20T12:00", expect=1)
    assert "FOIBOT_TEST_IMAP_PASSWORD is not set" in result.stdout
    assert "Traceback" not in result.stderr
    assert row(mailproject, "smm-1")["awaiting_description"]  # the reply, found by polling
    alone = mailproject.run("mail", "--as-of", "2026-03-20T12:05", expect=2)
    assert "FOIBOT_TEST_IMAP_PASSWORD is not set" in alone.stderr


def test_doctor_offline_says_when_the_mailbox_was_last_read_and_if_its_password_is_missing(
    mailproject, replica, monkeypatch
):
    """Offline, doctor reads the database only: before any read it says the mailbox was
    never read; after a good one, when; with the password variable unset where it runs,
    that too (cron's `run --once` would report the mail part failing)."""

    def line() -> dict:
        checks = mailproject.json("doctor", "--as-of", "2026-03-20T12:05")["checks"]
        return next(c for c in checks if c["name"] == "mailbox")

    assert line()["level"] == "warn" and line()["message"].startswith("never read yet")
    mailproject.run("mail", "--as-of", "2026-03-20T12:00")
    assert line() == {**line(), "level": "ok"}
    assert line()["message"] == "last read without error Fri 20 Mar 2026 12:00 (UK)"
    monkeypatch.delenv("FOIBOT_TEST_IMAP_PASSWORD")
    missing = line()
    assert missing["level"] == "warn"
    assert "FOIBOT_TEST_IMAP_PASSWORD is not set here" in missing["message"]
    # Cron's run then fails to read it: doctor says so at once, not two hours on.
    mailproject.run("run", "--once", "--as-of", "2026-03-20T12:02", expect=1)
    monkeypatch.setenv("FOIBOT_TEST_IMAP_PASSWORD", "x")  # doctor's own environment has it
    failed = line()
    assert failed["level"] == "warn", failed
    assert failed["message"].startswith(
        "the last read failed, Fri 20 Mar 2026 12:02 (UK): [mailbox] password_env:"
    ), failed
