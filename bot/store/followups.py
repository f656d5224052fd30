"""Follow-ups (chasers, nudges, internal reviews, complaints): the `followups` table, each
row tied to the request it follows up. A follow-up is drafted, released to a person to
send (`ready`, as a request is), then sent: the same status words as a request's."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from bot.statuses import FOLLOWUP_UNSENT as UNSENT
from bot.statuses import FOLLOWUP_WITHDRAWN as WITHDRAWN
from bot.statuses import Status
from bot.store.connection import StoreConnection, marks
from bot.store.requests import RequestSet

if TYPE_CHECKING:  # for typing only: `status` and the other readers skip the rules
    from bot.rules.withdrawal import Withdrawal

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
            self.db.query(f"{_WITH_REQUEST} ORDER BY f.created_at, f.ref", [campaign, Status.DRAFT])
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

    def unsent_followups(
        self, *, campaign: str | None = None, requests: Collection[str] | None = None
    ) -> list[dict]:
        """Drafted or released follow-ups not yet sent: one campaign's, some requests', or
        all of them."""
        where, params = "", []
        if campaign is not None:
            where, params = (
                " AND request IN (SELECT ref FROM requests WHERE campaign = ?)",
                [campaign],
            )
        elif requests is not None:
            where, params = f" AND request IN ({marks(requests)})", list(requests)
        return list(
            self.db.query(
                f"SELECT * FROM followups WHERE status IN ({marks(UNSENT)}){where} "
                "ORDER BY created_at, ref",
                [*UNSENT, *params],
            )
        )

    def unsent_followup_cases(
        self, *, campaign: str | None = None, requests: Collection[str] | None = None
    ) -> tuple[list[dict], dict[str, dict], list[dict]]:
        """What `stale_followups` reads: the unsent follow-ups (as `unsent_followups`), their
        requests' rows by ref, and those requests' replies and WDTK-sent follow-ups."""
        unsent = self.unsent_followups(campaign=campaign, requests=requests)
        refs = sorted({f["request"] for f in unsent})
        if not refs:
            return [], {}, []
        rows = self.db.query(f"SELECT * FROM requests WHERE ref IN ({marks(refs)})", refs)
        events = self.db.query(
            "SELECT ref, kind, at, detail FROM events WHERE kind IN ('response', 'followup_sent') "
            f"AND ref IN ({marks(refs)}) ORDER BY id",
            refs,
        )
        return unsent, {r["ref"]: r for r in rows}, list(events)

    def withdraw_followups(self, withdrawals: Sequence[Withdrawal], at: str) -> None:
        """Withdraw each follow-up with its note, log why and queue the news: call it inside
        the transaction that wrote the change that took its reason away."""
        # One statement for them all: a launch may withdraw hundreds at once.
        self.db.conn.executemany(
            "UPDATE followups SET status = ?, withdrawn_at = ?, withdrawn_note = ? WHERE ref = ?",
            [(WITHDRAWN, at, w.note, w.ref) for w in withdrawals],
        )
        # `log_all` and `queue_news` are the events' and the news' (Store has them all).
        self.log_all(  # type: ignore[attr-defined]
            {"ref": w.request, "kind": "followup_withdrawn", "at": at,
             "detail": {"followup": w.ref, "kind": w.kind, "note": w.note}}
            for w in withdrawals
        )  # fmt: skip
        # "Do not send" replaces whatever untold news asked for it to be reviewed or sent.
        from bot.rules import news

        self.retract_news(  # type: ignore[attr-defined]
            key for w in withdrawals for key in news.asking_keys(w.ref)
        )
        self.queue_news(w.news for w in withdrawals)  # type: ignore[attr-defined]

    def withdrawn_followups(self, campaign: str, since: str) -> list[dict]:
        """A campaign's follow-ups withdrawn at or after `since` (UTC ISO), oldest first."""
        return list(
            self.db.query(
                "SELECT * FROM followups WHERE status = ? AND withdrawn_at >= ? AND request IN "
                "(SELECT ref FROM requests WHERE campaign = ?) ORDER BY withdrawn_at, ref",
                [WITHDRAWN, since, campaign],
            )
        )
