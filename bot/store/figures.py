"""What researchers read out of the replies: the requests a results CSV may record
figures against (the figures themselves are `recorded` events: see events_of_kind), and
full-text search over the replies (`correspondence_fts`)."""

from __future__ import annotations

from bot.store.connection import StoreConnection


class Figures(StoreConnection):
    def record_targets(self, campaign: str | None) -> list[dict]:
        """Campaign requests a results CSV may name, by ref or by body: ref, body, campaign."""
        sql = "SELECT ref, body, campaign FROM requests WHERE campaign IS NOT NULL"
        params: list = []
        if campaign:
            sql += " AND campaign = ?"
            params.append(campaign)
        return list(self.db.query(sql + " ORDER BY rowid", params))

    def search_replies(
        self, match: str, campaign: str | None = None, limit: int = 50, group: str | None = None
    ) -> list[dict]:
        """Incoming messages matching an FTS5 query, best first, with the request, body,
        date and a snippet whose hits are wrapped in [ and ]."""
        sql = (
            "SELECT c.ref, r.campaign, r.body, COALESCE(b.name, r.body) AS body_name, r.title,"
            " r.url_title, r.wdtk_id, c.sent_at, c.fetched_at, c.attachments,"
            " snippet(correspondence_fts, -1, '[', ']', '…', 16) AS snippet,"
            " correspondence_fts.rank AS rank"
            " FROM correspondence_fts"
            " JOIN correspondence c ON c.rowid = correspondence_fts.rowid"
            " JOIN requests r ON r.ref = c.ref"
            " LEFT JOIN bodies b ON b.url_name = r.body"
            " WHERE correspondence_fts MATCH ? AND c.direction = 'incoming'"
        )
        return self.best_matches(sql, [match], "correspondence_fts", campaign, group, limit)

    def reply_bodies(self, ref: str) -> list[dict]:
        """A request's incoming messages, oldest first: their text and `sent_at` (for
        `foibot hints`, which reads a reply's own words as well as its attachments)."""
        return list(
            self.db.query(
                "SELECT id, sent_at, text FROM correspondence WHERE ref = ?"
                " AND direction = 'incoming' ORDER BY id",
                [ref],
            )
        )
