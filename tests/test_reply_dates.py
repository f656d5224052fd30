"""Issue 28 item 8: `show` and `search` give each reply the date it was sent (read from the
request page as WDTK renders it), never the date foibot fetched it; reply text keeps the
page's line breaks without a blank line at every <br>."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlite_utils import Database

from bot.store import migrations
from bot.store.db import Store
from tests.support import released_project, sent_request
from tests.wdtk_replica import event

# Sent at 00:30 on Monday 1 June 2026, British Summer Time: 23:30 UTC the day before.
REPLY_AT = "2026-05-31T23:30:00+00:00"
REPLY_TEXT = "Dear Alex,\n\nThe figures are attached.\nThey cover 2021 to 2025.\n\nFOI Team"


def _replied(project, replica):
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.add_event(5001, event(None, "response", REPLY_AT, text=REPLY_TEXT))
    # Fetched three days later: that date must appear nowhere as the reply's.
    wdtk.run("poll", "--all", "--as-of", "2026-06-03T12:00")
    return wdtk


def test_show_and_search_give_the_day_the_reply_was_sent(project, replica):
    wdtk = _replied(project, replica)
    (reply,) = [
        m for m in wdtk.json("show", "smm-1")["correspondence"] if m["direction"] == "incoming"
    ]
    assert reply["sent_at"] == "2026-05-31T23:30:00+00:00"
    assert reply["text"] == REPLY_TEXT
    shown = wdtk.run("show", "smm-1").stdout
    assert "\nincoming Mon 01 Jun 2026 00:30:\n" in shown
    assert "  > The figures are attached.\n  > They cover 2021 to 2025.\n" in shown
    (hit,) = wdtk.json("search", "figures")
    assert hit["date"] == "2026-06-01"
    assert wdtk.run("search", "figures").stdout.startswith("smm-1  Home Office  2026-06-01\n")


def test_a_page_read_again_adds_no_copy_and_fills_in_the_date(project, replica):
    wdtk = _replied(project, replica)
    store = Store(wdtk.db)
    with store.transaction():
        store.db.execute("UPDATE correspondence SET sent_at = NULL, text = 'old layout'")
        store.db.execute(
            "UPDATE correspondence SET fingerprint = ? WHERE direction = 'incoming'",
            [_fingerprint("incoming", REPLY_TEXT)],
        )
    store.db.close()
    # The page is read again when the next reply comes.
    replica.add_event(5001, event(None, "response", "2026-06-04T09:00:00+00:00", text="More."))
    wdtk.run("poll", "--all", "--as-of", "2026-06-04T12:00")
    incoming = [
        m for m in wdtk.json("show", "smm-1")["correspondence"] if m["direction"] == "incoming"
    ]
    assert [(m["sent_at"], m["text"]) for m in incoming] == [
        (REPLY_AT, REPLY_TEXT), ("2026-06-04T09:00:00+00:00", "More."),
    ]  # fmt: skip


def _fingerprint(kind: str, text: str) -> str:
    words = " ".join(text.split())
    return hashlib.sha256(f"{kind}\0{words}\0".encode()).hexdigest()


def test_the_migration_keys_stored_replies_on_their_words(tmp_path: Path):
    db = Database(tmp_path / "foibot.db")
    migrations.migrations.apply(db, stop_before="m025_correspondence_word_fingerprints")
    db.execute("INSERT INTO campaigns (slug, ref_prefix) VALUES ('c', 'c')")
    db.execute("INSERT INTO requests (ref, campaign, title, status) VALUES ('c-1', 'c', 'T', 'x')")
    # The same reply stored twice: once read with a blank line at every <br>, once as the
    # page shows it; and an outgoing message of the same words, which stays apart.
    rows = [
        ("incoming", "Dear Alex,\n\nWe hold it.\n\nFOI Team", "old-1"),
        ("incoming", "Dear Alex,\nWe hold it.\nFOI Team", "old-2"),
        ("outgoing", "Dear Alex,\nWe hold it.\nFOI Team", "old-3"),
    ]
    for kind, text, old in rows:
        db.execute(
            "INSERT INTO correspondence (ref, direction, text, attachments, fingerprint) "
            "VALUES ('c-1', ?, ?, '', ?)",
            [kind, text, old],
        )
    db.conn.commit()
    db.close()
    store = Store(tmp_path / "foibot.db")
    got = store.db.execute(
        "SELECT direction, text, fingerprint FROM correspondence ORDER BY id"
    ).fetchall()
    assert got == [
        ("incoming", "Dear Alex,\n\nWe hold it.\n\nFOI Team", _fingerprint("incoming", "Dear Alex, We hold it. FOI Team")),
        ("outgoing", "Dear Alex,\nWe hold it.\nFOI Team", _fingerprint("outgoing", "Dear Alex, We hold it. FOI Team")),
    ]  # fmt: skip
