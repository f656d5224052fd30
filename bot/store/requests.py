"""Requests and their letters: the `requests` table, and `letters` beside it (m023 keeps
the letters apart, so that listing requests never reads them)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from bot.rules.status import StoredRequest
from bot.statuses import LOCAL, REFUSED, Status
from bot.store.connection import StoreConnection, marks, utcnow

# A request's row with its letter.
_WITH_LETTER = (
    "SELECT requests.*, letters.text AS letter FROM requests "
    "LEFT JOIN letters ON letters.ref = requests.ref"
)
# What a status row reads from `requests`: not the letters, which are most of its bytes.
STATUS_COLUMNS = ", ".join(f'"{c}"' for c in StoredRequest._fields if c != "last_reply")
_UNSET: Any = object()


class Requests(StoreConnection):
    def request(self, ref: str) -> dict | None:
        """A request's stored row, with its `letter` (None: not drafted by foibot)."""
        rows = list(self.db.query(f"{_WITH_LETTER} WHERE requests.ref = ?", [ref]))
        return rows[0] if rows else None

    def campaign_requests(self, campaign: str) -> list[dict]:
        """A campaign's requests in the order they were made, each with its `letter`."""
        return list(
            self.db.query(
                f"{_WITH_LETTER} WHERE requests.campaign = ? ORDER BY requests.rowid", [campaign]
            )
        )

    def request_by_wdtk_id(self, wdtk_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM requests WHERE wdtk_id = ?", [wdtk_id]))
        return rows[0] if rows else None

    def request_by_url_title(self, url_title: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM requests WHERE url_title = ?", [url_title]))
        return rows[0] if rows else None

    def add_requests(self, rows: list[dict]) -> None:
        """Insert new requests; a row's `letter` goes to the letters table (as update_request)."""
        letters = []
        stored = []
        for row in rows:
            if "letter" in row:
                row = dict(row)
                letter = row.pop("letter")
                row["drafted"] = None if letter is None else 1
                letters.append((row["ref"], letter))
            stored.append(row)
        self.db["requests"].insert_all(stored, batch_size=500)
        self._save_letters(letters)

    def insert_tracked_request(
        self,
        ref: str,
        campaign: str | None,
        body: str | None,
        title: str,
        group: str | None = None,
        **values: Any,
    ) -> None:
        now = utcnow()
        self.db["requests"].insert(
            {
                "ref": ref, "campaign": campaign, "body": body, "title": title,
                "status": Status.TRACKED, "created_at": now, "updated_at": now, "group": group,
                **values,
            }
        )  # fmt: skip

    def update_request(self, ref: str, **values: Any) -> None:
        """Update a request's stored columns; `letter` (a text, or None for none) is kept
        in the letters table, with the `drafted` flag beside it."""
        values["updated_at"] = utcnow()
        letter = values.pop("letter", _UNSET)
        if letter is not _UNSET:
            values["drafted"] = None if letter is None else 1
        self.db["requests"].update(ref, values)
        if letter is not _UNSET:
            self._save_letters([(ref, letter)])

    def _save_letters(self, letters: list[tuple[str, str | None]]) -> None:
        self.db.conn.executemany(
            "DELETE FROM letters WHERE ref = ?", [(ref,) for ref, text in letters if text is None]
        )
        self.db.conn.executemany(
            "INSERT INTO letters (ref, text) VALUES (?, ?) "
            "ON CONFLICT (ref) DO UPDATE SET text = excluded.text",
            [(ref, text) for ref, text in letters if text is not None],
        )

    def all_refs(self, *, followups: bool = False) -> list[str]:
        sql = "SELECT ref FROM requests" + (" UNION SELECT ref FROM followups" if followups else "")
        return [r["ref"] for r in self.db.query(sql)]

    def linked_url_titles(self) -> set[str]:
        return {
            r["url_title"]
            for r in self.db.query("SELECT url_title FROM requests WHERE url_title IS NOT NULL")
        }

    def group_names(self) -> list[str]:
        return [
            g
            for (g,) in self.db.conn.execute(
                'SELECT DISTINCT "group" FROM requests WHERE "group" IS NOT NULL ORDER BY 1'
            )
        ]

    def status_source(
        self,
        campaign: str | None = None,
        group: str | None = None,
        *,
        sent_only: bool = False,
        statuses: Collection[str] | None = None,
    ) -> Iterator[StoredRequest]:
        """Each request's StoredRequest: its STATUS_COLUMNS, and `last_reply` (for a
        refusal, whose review window runs from it, the time of its latest reply), by
        campaign then insertion order, streamed from the cursor. `sent_only` leaves out, unread,
        the requests never sent (draft, ready, cancelled); `statuses`, those whose stored
        status is not one of these."""
        conditions, params = [], []
        for condition, value in (("campaign = ?", campaign), ('"group" = ?', group)):
            if value:
                conditions.append(condition)
                params.append(value)
        if sent_only:
            conditions.append(f"status NOT IN ({marks(LOCAL)})")
            params.extend(LOCAL)
        if statuses is not None:
            conditions.append(f"status IN ({marks(statuses)})")
            params.extend(statuses)
        where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
        # The refusals' latest replies, through the events (kind, ref, at) index.
        refusals = " AND ".join([*conditions, f"status IN ({marks(REFUSED)})"])
        last_replies = dict(
            self.db.conn.execute(
                "SELECT ref, max(at) FROM events WHERE kind = 'response' AND ref IN "
                f"(SELECT ref FROM requests WHERE {refusals}) GROUP BY ref",
                [*params, *REFUSED],
            )
        )
        cursor = self.db.conn.execute(
            f"SELECT {STATUS_COLUMNS} FROM requests {where}ORDER BY campaign, rowid", params
        )
        for values in cursor:
            yield StoredRequest._make((*values, last_replies.get(values[0])))
