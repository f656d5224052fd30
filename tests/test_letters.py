"""Drafted letters live in their own table (migration m023), out of the requests rows that
`status`, `overdue` and the poll schedule scan; the Store reads and writes them with the
request as before."""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.store import migrations
from bot.store.db import Store

LETTER_A = "Dear Council,\n\nPlease send the figures for 2024.\n\nYours faithfully,\n\nAlex\n"
LETTER_B = "Dear Police,\n\n" + "Under the Act, " * 120 + "\n\nYours faithfully,\n\nAlex\n"


def requests_columns(conn: sqlite3.Connection) -> set[str]:
    return {row[1] for row in conn.execute("PRAGMA table_info(requests)")}


def add_bodies(conn: sqlite3.Connection) -> None:
    for name in ("council", "police", "a", "b"):
        conn.execute("INSERT INTO bodies (url_name, name) VALUES (?, ?)", [name, name])


@pytest.mark.parametrize("can_drop", [True, False], ids=["drop-column", "old-sqlite"])
def test_the_migration_moves_each_letter_and_keeps_one_draft_per_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, can_drop: bool
) -> None:
    path = tmp_path / "foibot.db"
    db = Database(path)
    migrations.migrations.apply(db, stop_before="m023_letters_apart")
    db.execute("INSERT INTO campaigns (slug, ref_prefix) VALUES ('c', 'c')")
    add_bodies(db.conn)
    for ref, body, letter, status in (
        ("c-1", "council", LETTER_A, "draft"),
        ("c-2", "police", LETTER_B, "waiting_response"),
        # Tracked into the campaign: a request of someone else's, to a body it wrote to.
        ("wdtk-9", "council", None, "successful"),
    ):
        db.execute(
            "INSERT INTO requests (ref, campaign, body, title, letter, status) "
            "VALUES (?, 'c', ?, 'T', ?, ?)",
            [ref, body, letter, status],
        )
    db.conn.commit()
    db.close()
    # An SQLite older than 3.35 cannot drop a column: the emptied one stays.
    monkeypatch.setattr(
        migrations, "retire_column", functools.partial(migrations.retire_column, can_drop=can_drop)
    )

    store = Store(path)
    conn = store.db.conn
    assert "letter" not in requests_columns(conn)
    if not can_drop:
        assert conn.execute(
            "SELECT count(*) FROM requests WHERE retired_letter IS NOT NULL"
        ).fetchone() == (0,)
    assert dict(conn.execute("SELECT ref, text FROM letters")) == {"c-1": LETTER_A, "c-2": LETTER_B}
    assert dict(conn.execute("SELECT ref, drafted FROM requests")) == {
        "c-1": 1, "c-2": 1, "wdtk-9": None,
    }  # fmt: skip
    assert store.request("c-2")["letter"] == LETTER_B
    assert store.request("wdtk-9")["letter"] is None
    assert [(r["ref"], r["letter"]) for r in store.campaign_requests("c")] == [
        ("c-1", LETTER_A), ("c-2", LETTER_B), ("wdtk-9", None),
    ]  # fmt: skip
    # Still one draft per body and campaign; a tracked request may share the body.
    with pytest.raises(sqlite3.IntegrityError), store.transaction():
        store.add_requests([{"ref": "c-3", "campaign": "c", "body": "council", "title": "T",
                             "letter": LETTER_A, "status": "draft"}])  # fmt: skip
    with store.transaction():
        store.add_requests([{"ref": "wdtk-10", "campaign": "c", "body": "council", "title": "T",
                             "status": "successful"}])  # fmt: skip
    assert store.request("wdtk-10")["letter"] is None
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    store.close()


def test_the_store_writes_a_letter_beside_its_request(tmp_path: Path) -> None:
    store = Store(tmp_path / "foibot.db")
    conn = store.db.conn
    assert "letter" not in requests_columns(conn)  # a new database has only the table
    with store.transaction():
        store.add_campaign("c", "c")
        add_bodies(conn)
        store.add_requests([
            {"ref": "c-1", "campaign": "c", "body": "a", "title": "T", "letter": LETTER_A,
             "status": "draft"},
            {"ref": "c-2", "campaign": "c", "body": "b", "title": "T", "letter": LETTER_B,
             "status": "draft"},
        ])  # fmt: skip

    def letters() -> dict[str, str]:
        return dict(conn.execute("SELECT ref, text FROM letters ORDER BY ref"))

    assert letters() == {"c-1": LETTER_A, "c-2": LETTER_B}
    with store.transaction():
        store.update_request("c-1", title="T2", letter=LETTER_B)  # redrafted
        store.update_request("c-2", status="ready")  # the letter untouched
    assert letters() == {"c-1": LETTER_B, "c-2": LETTER_B}
    assert store.request("c-1")["title"] == "T2"
    with store.transaction():
        store.update_request("c-2", letter=None)
    assert letters() == {"c-1": LETTER_B}
    assert store.request("c-2")["letter"] is None
    assert store.request("c-2")["drafted"] is None
    # A write that fails leaves request and letter as they were.
    with pytest.raises(sqlite3.IntegrityError), store.transaction():
        store.update_request("c-1", letter=LETTER_A)
        store.add_requests([{"ref": "c-1", "status": "draft", "letter": "x"}])
    assert letters() == {"c-1": LETTER_B}
    store.close()
