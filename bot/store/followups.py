"""Follow-ups (chasers, nudges, internal reviews, complaints): the `followups` table, each
row tied to the request it follows up. A follow-up is drafted, released to a person to
send (`ready`, as a request is), then sent: the same status words as a request's."""

from __future__ import annotations

from typing import Any

from bot.statuses import Status
from bot.store.connection import StoreConnection, marks
from bot.store.requests import RequestSet

# A follow-up with what sending it needs from its request.
_WITH_REQUEST = (
    "SELECT f.*, r.url_title, r.wdtk_id, r.law FROM followups f "
    "JOIN requests r ON r.ref = f.request WHERE r.campaign = ? AND f.status = ?"
)


class Followups(StoreConnection):
    def followup(self, ref: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM followups WHERE ref = ?", [ref]))
        return rows[0] if rows else None

    def add_followups(self, rows: list[dict]) -> None:
        self.db["followups"].insert_all(rows)

    def update_followup(self, ref: str, **values: Any) -> None:
        self.db["followups"].update(ref, values)

    def followup_refs(self) -> set[str]:
        return {r["ref"] for r in self.db.query("SELECT ref FROM followups")}

    def followups_of_request(self, ref: str) -> list[dict]:
        return list(
            self.db.query(
                "SELECT * FROM followups WHERE request = ? ORDER BY created_at, ref", [ref]
            )
        )

    def followups_in(self, selection: RequestSet) -> list[dict]:
        """The follow-ups of the selected requests, oldest first."""
        return list(
            self.db.query(
                f"SELECT * FROM followups WHERE request IN ({selection.sql}) "
                "ORDER BY created_at, ref",
                selection.params,
            )
        )

    def draft_followups_of_campaign(self, campaign: str) -> list[dict]:
        return list(
            self.db.query(
                f"{_WITH_REQUEST} ORDER BY f.created_at, f.ref", [campaign, Status.DRAFT]
            )
        )

    def ready_followups(self, campaign: str) -> list[dict]:
        return list(
            self.db.query(
                f"{_WITH_REQUEST} ORDER BY f.released_at, f.ref", [campaign, Status.READY]
            )
        )

    def oldest_ready_followup(self, request: str, kinds: tuple[str, ...]) -> str | None:
        rows = list(
            self.db.query(
                "SELECT ref FROM followups WHERE request = ? AND status = ? "
                f"AND kind IN ({marks(kinds)}) ORDER BY released_at, ref LIMIT 1",
                [request, Status.READY, *kinds],
            )
        )
        return rows[0]["ref"] if rows else None

    def followup_rounds(self, kind: str) -> set[tuple[str, str]]:
        """(request, cycle) of every follow-up of this kind: one per round, ever."""
        return {
            (r["request"], r["cycle"])
            for r in self.db.query("SELECT request, cycle FROM followups WHERE kind = ?", [kind])
        }

    def followup_release_times(self) -> list[tuple[str | None, str]]:
        """(body, released_at) of every released follow-up."""
        return [
            (r["body"], r["released_at"])
            for r in self.db.query(
                "SELECT body, released_at FROM followups WHERE released_at IS NOT NULL"
            )
        ]
