"""The outbox: `news` queued by the changes it reports, and `news_deliveries`, each
channel's attempts to tell it (with a back-off while a channel fails)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.store.connection import StoreConnection, marks, utcnow


class News(StoreConnection):
    def queue_news(self, items: Iterable[Any]) -> int:
        """Queue news items (key, kind, ref, text); a key already queued is not queued again.
        Call it inside the transaction that records the change the news reports."""
        now = utcnow()
        rows = [
            {"key": i.key, "kind": i.kind, "ref": i.ref, "text": i.text, "created_at": now}
            for i in items
            if i is not None
        ]
        if not rows:
            return 0
        before = self.db.execute("SELECT total_changes()").fetchone()[0]
        self.db["news"].insert_all(rows, ignore=True)
        return self.db.execute("SELECT total_changes()").fetchone()[0] - before

    def news_queued(self, key: str) -> bool:
        """News with this key was queued, told or not."""
        return self.db.execute("SELECT 1 FROM news WHERE key = ?", [key]).fetchone() is not None

    def retract_news(self, keys: Iterable[str]) -> int:
        """Take back queued news that no channel has told yet and that is no longer true
        ("review it" for a follow-up since approved, sent or cancelled; "ready to send"
        for one since sent): a digest that still said it would invite a second sending.
        News some channel has told stays, so that every channel ends the same. Call it
        inside the transaction that records the change."""
        keys, taken = list(keys), 0
        for at in range(0, len(keys), 500):  # a launch may withdraw hundreds at once
            batch = keys[at : at + 500]
            ids = [
                r[0]
                for r in self.db.execute(
                    f"SELECT id FROM news WHERE key IN ({marks(batch)}) AND sent_at IS NULL "
                    "AND id NOT IN (SELECT news_id FROM news_deliveries "
                    "WHERE delivered_at IS NOT NULL)",
                    batch,
                )
            ]
            if ids:
                self.db.execute(f"DELETE FROM news_deliveries WHERE news_id IN ({marks(ids)})", ids)
                self.db.execute(f"DELETE FROM news WHERE id IN ({marks(ids)})", ids)
                taken += len(ids)
        return taken

    def undelivered_news(self, channel: str, now: str) -> list[dict]:
        """News not yet told on this channel, unless the channel's back-off says wait."""
        return list(
            self.db.query(
                "SELECT n.id, n.key, n.kind, n.ref, n.text, n.created_at FROM news n "
                "LEFT JOIN news_deliveries d ON d.news_id = n.id AND d.channel = ? "
                "WHERE d.delivered_at IS NULL AND (d.next_try_at IS NULL OR d.next_try_at <= ?) "
                "ORDER BY n.id",
                [channel, now],
            )
        )

    def channel_retry_at(self, channel: str, now: str) -> str | None:
        """When a failing channel may be tried again, while its back-off runs; else None."""
        row = self.db.execute(
            "SELECT max(next_try_at) FROM news_deliveries WHERE channel = ? "
            "AND delivered_at IS NULL AND next_try_at > ?",
            [channel, now],
        ).fetchone()
        return row[0] if row else None

    def undelivered_counts(self) -> dict[str, int]:
        """Per channel ever tried: news still not delivered there."""
        return {
            r["channel"]: r["n"]
            for r in self.db.query(
                "SELECT channel, count(*) AS n FROM news_deliveries WHERE delivered_at IS NULL "
                "GROUP BY channel"
            )
        }

    def last_delivery_errors(self) -> dict[str, str]:
        """Per channel, the error of its most recent failed attempt."""
        out: dict[str, str] = {}
        for r in self.db.query(
            "SELECT channel, last_error FROM news_deliveries WHERE delivered_at IS NULL "
            "AND last_error IS NOT NULL ORDER BY news_id"
        ):
            out[r["channel"]] = r["last_error"]
        return out

    def delivery_attempts(self, channel: str, ids: list[int]) -> int:
        """The most failed attempts any of these items has had on this channel."""
        if not ids:
            return 0
        row = self.db.execute(
            f"SELECT max(attempts) FROM news_deliveries WHERE channel = ? "
            f"AND news_id IN ({marks(ids)})",
            [channel, *ids],
        ).fetchone()
        return row[0] or 0

    def mark_delivered(self, channel: str, ids: list[int], now: str) -> None:
        self.db["news_deliveries"].upsert_all(
            (
                {"news_id": i, "channel": channel, "delivered_at": now, "last_error": None,
                 "next_try_at": None}
                for i in ids
            ),
            pk=("news_id", "channel"),
        )  # fmt: skip
        self.db.execute(
            f"UPDATE news SET sent_at = ? WHERE id IN ({marks(ids)}) AND sent_at IS NULL",
            [now, *ids],
        )

    def mark_undelivered(
        self, channel: str, ids: list[int], error: str, next_try: str, *, attempt: bool = True
    ) -> None:
        """Not (known to be) delivered: tried again from `next_try`. `attempt`: this is a
        new attempt, counted for the back-off (False: one already counted, now ended)."""
        rows = {
            r["news_id"]: r["attempts"] or 0
            for r in self.db.query(
                f"SELECT news_id, attempts FROM news_deliveries WHERE channel = ? "
                f"AND news_id IN ({marks(ids)})",
                [channel, *ids],
            )
        }
        self.db["news_deliveries"].upsert_all(
            (
                {"news_id": i, "channel": channel, "attempts": rows.get(i, 0) + attempt,
                 "last_error": error, "next_try_at": next_try}
                for i in ids
            ),
            pk=("news_id", "channel"),
        )  # fmt: skip
