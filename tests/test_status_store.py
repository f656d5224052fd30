"""Status rows read from a real database: the one query behind `status`, `overdue` and the
reports by body, and the escalation stage the database keeps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot import deadlines as dl
from bot.rules.status import status_rows
from bot.store.db import Store

BASE = "https://wdtk.test"
TODAY = dt.date(2026, 11, 22)


def _calendar(law: str) -> dl.WorkingCalendar:
    return dl.calendar_for(law)


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "foibot.db")
    with store.transaction():
        for n, status in enumerate(
            ["draft", "ready", "cancelled", "waiting_response", "successful", "rejected"]
        ):
            store.db.conn.execute(
                "INSERT INTO requests (ref, status, law, sent_on, due, very_overdue_after, "
                "created_at, updated_at) VALUES (?, ?, 'foi', '2026-03-02', '2026-03-31', "
                "'2026-04-30', 'x', 'x')",
                [f"r-{n}", status],
            )
    return store


def test_a_law_foibot_does_not_know_stops_status_with_its_name(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with store.transaction():
        store.db.conn.execute("UPDATE requests SET law = 'klingon' WHERE ref = 'r-4'")
    rows = status_rows(store.status_source(), BASE, TODAY, _calendar)
    with pytest.raises(dl.DeadlineError, match="request r-4: unknown law 'klingon'"):
        list(rows)


@pytest.mark.parametrize("unsent", ["draft", "ready", "cancelled"])
def test_reports_by_body_read_no_unsent_request(tmp_path: Path, unsent: str) -> None:
    """`report --by body` counts sent requests only, and does not even read the others: an
    unsent one with a law foibot does not know stops `status`, not the report."""
    from bot.reports.tables import body_timeliness

    store = _store(tmp_path)
    conn = store.db.conn
    with store.transaction():
        conn.execute("UPDATE requests SET law = 'klingon' WHERE status = ?", [unsent])
    with pytest.raises(dl.DeadlineError, match="klingon"):
        list(status_rows(store.status_source(), BASE, TODAY, _calendar))
    sent = list(status_rows(store.status_source(sent_only=True), BASE, TODAY, _calendar))
    assert [r.ref for r in sent] == ["r-3", "r-4", "r-5"]
    summary, _bodies, _counts = body_timeliness(iter(sent), today=TODAY, calendar=_calendar)
    assert summary.requests == 3


def test_a_refusals_review_window_runs_from_its_latest_reply(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with store.transaction():
        for at in ("2026-03-20T10:00:00+00:00", "2026-04-01T23:30:00+00:00"):
            store.db.conn.execute(
                "INSERT INTO events (ref, kind, at) VALUES ('r-5', 'response', ?)",
                [at],
            )
    rows = {r.ref: r for r in status_rows(store.status_source(), BASE, TODAY, _calendar)}
    # 23:30 UTC on 1 Apr is 2 Apr in London; 40 working days after it (FOIA, skipping
    # Good Friday, Easter Monday, 4 and 25 May) is Wed 3 Jun 2026.
    assert rows["r-5"].review_by == "2026-06-03"
    assert rows["r-4"].review_by is None  # answered in full: no review to ask for


def test_a_requests_stage_is_its_furthest_follow_up(tmp_path: Path) -> None:
    """The database keeps each request's stage as its follow-ups change (migration m022):
    the furthest kind whatever the order they were made in; within a kind the latest made
    (no date counts least), then the highest ref; a kind foibot does not know counts least
    of all; a request with no follow-up has none."""
    store = Store(tmp_path / "foibot.db")
    conn = store.db.conn

    def stages() -> dict[str, str | None]:
        return dict(conn.execute("SELECT ref, stage FROM requests ORDER BY ref"))

    followups = [
        # ref, request, kind, status, created_at
        ("a1", "A", "complaint", "draft", "2026-01-01"),
        ("a2", "A", "chaser", "sent", "2026-06-01"),
        ("a3", "A", "internal-review", "sent", "2026-09-01"),
        ("b1", "B", "chaser", "sent", "2026-03-01"),
        ("b2", "B", "chaser", "draft", "2026-04-01"),
        ("b3", "B", "chaser", "ready", None),
        ("b4", "B", "nudge", "draft", "2026-12-01"),
        ("c1", "C", "nudge", "sent", "2026-02-01"),
        ("c2", "C", "nudge", "draft", "2026-02-01"),
        ("d1", "D", "gossip", "draft", "2026-05-01"),
        ("d2", "D", "nudge", "sent", "2026-01-01"),
        ("e1", "E", "gossip", "draft", "2026-05-01"),
    ]
    with store.transaction():
        for ref in "ABCDEF":
            conn.execute("INSERT INTO requests (ref, status, created_at, updated_at) "
                         "VALUES (?, 'waiting_response', 'x', 'x')", [ref])  # fmt: skip
        store.add_followups([
            dict(zip(("ref", "request", "kind", "status", "created_at"), f, strict=True),
                 cycle=f[0])
            for f in followups
        ])  # fmt: skip
    assert stages() == {
        "A": "complaint draft", "B": "chaser draft", "C": "nudge draft", "D": "nudge sent",
        "E": "gossip draft", "F": None,
    }  # fmt: skip
    # A change of state, and of request; a follow-up deleted.
    with store.transaction():
        store.update_followup("a1", status="sent")
        store.update_followup("b2", request="F")
        conn.execute("DELETE FROM followups WHERE ref = 'd2'")
    assert stages() == {
        "A": "complaint sent", "B": "chaser sent", "C": "nudge draft", "D": "gossip draft",
        "E": "gossip draft", "F": "chaser draft",
    }  # fmt: skip
    store.close()


def _cli(db: Path, *args: str) -> str:
    from click.testing import CliRunner

    from bot.cli.group import cli

    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_long_json_listing_is_one_object_a_line_and_every_row(tmp_path: Path) -> None:
    """More rows than a screenful: written as they are computed, one object a line."""
    import json

    store = Store(tmp_path / "foibot.db")
    with store.transaction():
        store.db.conn.executemany(
            "INSERT INTO requests (ref, status, law, sent_on, due, very_overdue_after, "
            "created_at, updated_at) VALUES (?, 'waiting_response', 'foi', '2026-03-02', "
            "'2026-03-31', '2026-04-30', 'x', 'x')",
            [(f"r-{n:03d}",) for n in range(250)],
        )
    store.close()
    text = _cli(tmp_path / "foibot.db", "status", "--json", "--as-of", "2026-04-01")
    lines = text.split("\n")
    assert lines[0] == "[" and lines[-2:] == ["]", ""] and len(lines) == 250 + 3
    rows = json.loads(text)
    assert [r["ref"] for r in rows] == [f"r-{n:03d}" for n in range(250)]
    assert {(r["status"], r["days_overdue"]) for r in rows} == {("waiting_response_overdue", 1)}
    assert list(rows[0])[:5] == ["ref", "campaign", "body", "title", "status"]


def test_overdue_by_stage(tmp_path: Path) -> None:
    """`overdue --stage`: late replies, late reviews, no follow-up yet, or by the kind of
    the latest follow-up."""
    store = _store(tmp_path)
    conn = store.db.conn
    with store.transaction():
        conn.execute("UPDATE requests SET status = 'internal_review', "
                     "review_started_on = '2026-03-02' WHERE ref = 'r-4'")  # fmt: skip
        conn.execute("UPDATE requests SET status = 'waiting_response' WHERE ref = 'r-5'")
        store.add_followups([{"ref": "c1", "request": "r-5", "kind": "chaser",
                              "status": "sent", "created_at": "2026-04-02", "cycle": "c1"}])  # fmt: skip
    store.close()
    db = tmp_path / "foibot.db"

    def late(*stage: str) -> list[str]:
        import json

        return [r["ref"] for r in json.loads(_cli(db, "overdue", "--json", *stage))]

    # r-3 and r-5 wait for replies (due 31 Mar); r-4's review was due 31 Mar too.
    assert sorted(late()) == ["r-3", "r-4", "r-5"]
    assert late("--stage", "review") == ["r-4"]
    assert sorted(late("--stage", "response")) == ["r-3", "r-5"]
    assert sorted(late("--stage", "none")) == ["r-3", "r-4"]
    assert late("--stage", "chaser") == ["r-5"]
    assert late("--stage", "complaint") == []
