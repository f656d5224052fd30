"""When things happen to requests: their due dates, the poll schedule (and its failures,
which `doctor` reports), and the send slots and sends that pace a launch. All columns of
the `requests` table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bot.statuses import LOCAL, Status
from bot.store.connection import StoreConnection, marks, utcnow

if TYPE_CHECKING:
    from bot.store.requests import RequestSet

# Not polled: never on WDTK, or nothing more to learn there.
_UNPOLLED = (Status.DRAFT, Status.CANCELLED)
# Not on the normal poll schedule: the relaxed one never reaches them.
_UNSCHEDULED = (*LOCAL, Status.HIDDEN, Status.GONE)
# The event `foibot done REF` logs for a released request the user has sent on WDTK.
MARKED_SENT = "marked_sent"
_RELEASE_ORDER = "ORDER BY released_at, slot_at, ref"


class Schedule(StoreConnection):
    # -- what passes cost (doctor's calls per change) ------------------------------------

    def event_mark(self) -> int:
        """The newest events row now: what a pass stores comes after it."""
        return self.db.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]

    def record_pass(self, at: str, kind: str, polled: int, http_calls: int, mark: int) -> None:
        """One pass's cost and the WDTK events it stored since `mark` (event_mark before
        it ran). The caller holds the transaction. A pass that asked WDTK nothing leaves
        no row: a quiet pass every few minutes would otherwise write forever."""
        if not polled and not http_calls:
            return
        changes = self.db.execute(
            "SELECT count(*) FROM events WHERE id > ? AND wdtk_event_id IS NOT NULL", [mark]
        ).fetchone()[0]
        self.db["poll_passes"].insert(
            {"at": at, "kind": kind, "polled": polled, "http_calls": http_calls,
             "changes": changes}
        )  # fmt: skip

    def pass_costs(self, since: str) -> dict[str, int]:
        """Passes since `since` (UTC ISO): how many, their WDTK calls, the changes found."""
        row = self.db.execute(
            "SELECT count(*), coalesce(sum(http_calls), 0), coalesce(sum(changes), 0) "
            "FROM poll_passes WHERE at >= ?",
            [since],
        ).fetchone()
        return {"passes": row[0], "http_calls": row[1], "changes": row[2]}

    # -- due dates ---------------------------------------------------------------------

    def set_request_dates(self, dates: list[tuple[str, str, str]], holiday_key: str) -> None:
        """(ref, due, very overdue after) for many requests, as one executemany UPDATE."""
        now = utcnow()
        self.db.conn.executemany(
            "UPDATE requests SET due = ?, very_overdue_after = ?, holiday_data = ?, "
            "updated_at = ? WHERE ref = ?",
            [(due, very, holiday_key, now, ref) for ref, due, very in dates],
        )

    def requests_with_stale_dates(self, holiday_key: str) -> list[dict]:
        return list(
            self.db.query(
                "SELECT ref, law, is_school, sent_on, clock_adjust FROM requests WHERE sent_on IS NOT NULL "
                "AND (holiday_data IS NULL OR holiday_data != ?)",
                [holiday_key],
            )
        )

    def latest_stored_date(self) -> str | None:
        row = self.db.execute(
            "SELECT max(max(coalesce(due, '')), max(coalesce(very_overdue_after, ''))) "
            "FROM requests"
        ).fetchone()
        return row[0] or None

    # What a live status needs, and no more: the letters and page texts would cost a
    # daemon tens of MB at 10,000 requests. `is_school`: a FOIA school is late only after
    # its 60th working day (SI 2004/3364), not its 20th.
    LIVE_COLUMNS = (
        "ref, status, awaiting_description, due, very_overdue_after, review_started_on, "
        "law, reported_status, answered_at, is_school"
    )

    def linked_status_rows(self, selection: RequestSet | None = None) -> Iterator[dict]:
        # Hidden is WDTK's word, told by its own news: what a person was last told of the
        # request's lateness stands until it is shown again.
        sql = (
            f"SELECT {self.LIVE_COLUMNS} FROM requests "
            "WHERE wdtk_id IS NOT NULL AND status != 'hidden'"
        ) + (f" AND ref IN ({selection.sql})" if selection else "")
        return self.db.query(sql, list(selection.params) if selection else [])

    # -- the poll schedule -------------------------------------------------------------

    def requests_due_poll(
        self, now: str, *, everything: bool, selection: RequestSet | None, never: str
    ) -> list[dict]:
        """Released or linked requests whose next poll time has come (or all but the
        given-up ones), soonest first."""
        where = [
            f"status NOT IN ({marks(_UNPOLLED)})",
            # hidden when first tracked by slug: the slug is all there is to ask by
            "(wdtk_id IS NOT NULL OR status = ? OR (status = ? AND url_title IS NOT NULL))",
            "(next_poll_at IS NULL OR next_poll_at != ?)"
            if everything
            else "(next_poll_at IS NULL OR next_poll_at <= ?)",
        ]
        params: list[Any] = [*_UNPOLLED, Status.READY, Status.HIDDEN, never if everything else now]
        if selection:
            where.append(f"ref IN ({selection.sql})")
            params.extend(selection.params)
        sql = f"SELECT * FROM requests WHERE {' AND '.join(where)} ORDER BY next_poll_at, rowid"
        return list(self.db.query(sql, params))

    def requests_polled_later(self, now: str, never: str) -> list[dict]:
        """Open requests whose next poll is after `now` (and not never): those a relaxed
        schedule may have put further off than the normal one would."""
        return list(
            self.db.query(
                "SELECT ref, status, law, awaiting_description, last_event_at, first_reply_at, "
                "sent_on, review_started_on, due, very_overdue_after, last_polled_at, "
                "next_poll_at, poll_error FROM requests WHERE next_poll_at > ? AND next_poll_at != ? "
                f"AND poll_error IS NULL AND status NOT IN ({marks(_UNSCHEDULED)})",
                [now, never, *_UNSCHEDULED],
            )
        )

    def set_next_polls(self, times: dict[str, str]) -> None:
        """next_poll_at for many requests at once (ref -> UTC ISO time)."""
        self.db.conn.executemany(
            "UPDATE requests SET next_poll_at = ? WHERE ref = ?",
            [(at, ref) for ref, at in times.items()],
        )

    def failing_polls(self, never: str) -> list[dict]:
        """Requests whose last poll failed and that are still polled, worst first."""
        return list(
            self.db.query(
                "SELECT ref, poll_error, poll_failures, next_poll_at FROM requests "
                "WHERE poll_error IS NOT NULL AND (next_poll_at IS NULL OR next_poll_at != ?) "
                "ORDER BY poll_failures DESC, last_polled_at, rowid",
                [never],
            )
        )

    def stopped_polls(self, never: str) -> list[dict]:
        return list(
            self.db.query(
                "SELECT ref, status, poll_error FROM requests "
                "WHERE next_poll_at = ? AND wdtk_id IS NOT NULL ORDER BY rowid",
                [never],
            )
        )

    def unfound_released(self, released_before: str) -> list[dict]:
        """Released before the given time and still not seen on WDTK."""
        return list(
            self.db.query(
                "SELECT ref, released_at, next_poll_at FROM requests WHERE status = ? "
                "AND wdtk_id IS NULL AND released_at IS NOT NULL AND released_at <= ? "
                "ORDER BY rowid",
                [Status.READY, released_before],
            )
        )

    # -- pacing a launch ---------------------------------------------------------------

    def planned_slots(self) -> list[str]:
        return [
            r["slot_at"]
            for r in self.db.query("SELECT slot_at FROM requests WHERE slot_at IS NOT NULL")
        ]

    def unsent_requests(self) -> list[dict]:
        """Released to a human, not yet seen on WDTK nor marked sent by the user (`done`):
        account-wide, in release order."""
        return list(
            self.db.query(
                "SELECT ref, body, campaign, released_at, send_after FROM requests "
                "WHERE status = ? AND wdtk_id IS NULL AND NOT EXISTS (SELECT 1 FROM events "
                f"WHERE kind = ? AND events.ref = requests.ref) {_RELEASE_ORDER}",
                [Status.READY, MARKED_SENT],
            )
        )

    def marked_sent_requests(self) -> list[dict]:
        """Released requests the user marked sent (`foibot done REF`) that WDTK does not
        show yet (its pages are cached for up to an hour): ref, body, campaign and when
        they were marked (UTC ISO), in release order."""
        return list(
            self.db.query(
                "SELECT * FROM (SELECT ref, body, campaign, released_at, slot_at, "
                "(SELECT min(at) FROM events WHERE kind = ? AND events.ref = requests.ref) "
                "AS marked_at FROM requests WHERE status = ? AND wdtk_id IS NULL) "
                f"WHERE marked_at IS NOT NULL {_RELEASE_ORDER}",
                [MARKED_SENT, Status.READY],
            )
        )

    def classification_events(self, user: str) -> list[tuple[str, str, dt.datetime]]:
        """The WDTK replies and classifications on this account's requests, as (ref, kind,
        time) sorted by ref and time: what `classifies_soon` learns the account's habit from."""
        rows = self.db.execute(
            "SELECT e.ref, e.kind, e.at FROM events e JOIN requests r ON r.ref = e.ref "
            "WHERE r.wdtk_user = ? AND e.kind IN ('response', 'status_update') "
            "AND e.wdtk_event_id IS NOT NULL ORDER BY e.ref, e.at, e.id",
            [user],
        )
        return [(ref, kind, dt.datetime.fromisoformat(at)) for ref, kind, at in rows]

    def reply_times(self, body: str, last: int = 50) -> list[dt.datetime]:
        """When the body's last `last` replies came, as WDTK logged them: what `body_hours`
        learns the hours of its replies from."""
        rows = self.db.execute(
            "SELECT e.at FROM events e JOIN requests r ON r.ref = e.ref WHERE r.body = ? "
            "AND e.kind = 'response' AND e.wdtk_event_id IS NOT NULL ORDER BY e.at DESC LIMIT ?",
            [body, last],
        )
        return [dt.datetime.fromisoformat(at) for (at,) in rows]

    def replying_bodies(self) -> list[str]:
        """The bodies that have replied on WDTK to a request in the store."""
        return [
            body
            for (body,) in self.db.execute(
                "SELECT DISTINCT r.body FROM requests r JOIN events e ON e.ref = r.ref "
                "WHERE e.kind = 'response' AND e.wdtk_event_id IS NOT NULL "
                "AND r.body IS NOT NULL ORDER BY r.body"
            )
        ]

    def requesters(self) -> list[str]:
        """The WDTK accounts that made the requests in the store."""
        return [
            user
            for (user,) in self.db.execute(
                "SELECT DISTINCT wdtk_user FROM requests WHERE wdtk_user IS NOT NULL ORDER BY 1"
            )
        ]

    def recent_sends(self, user: str | None, since: str) -> list[str]:
        """When WDTK says this account made requests, since `since` (UTC ISO)."""
        return [
            r["wdtk_created_at"]
            for r in self.db.query(
                "SELECT wdtk_created_at FROM requests WHERE wdtk_user = ? AND wdtk_created_at >= ?",
                [user, since],
            )
        ]
