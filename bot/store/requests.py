"""Requests and their letters: the `requests` table, and `letters` beside it (m023 keeps
the letters apart, so that listing requests never reads them)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any, NamedTuple

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


class RequestSet(NamedTuple):
    """Which requests a command works on: SQL that selects their refs, and its parameters.
    Queries filter with `ref IN (<sql>)`, which goes through each table's ref index (a
    join lets SQLite's planner scan the whole events table instead)."""

    sql: str
    params: tuple[Any, ...]

    @classmethod
    def campaign(cls, slug: str) -> RequestSet:
        return cls("SELECT ref FROM requests WHERE campaign = ?", (slug,))

    @classmethod
    def group(cls, name: str) -> RequestSet:
        return cls('SELECT ref FROM requests WHERE "group" = ?', (name,))

    @classmethod
    def refs(cls, refs: Collection[str]) -> RequestSet:
        return cls(f"SELECT ref FROM requests WHERE ref IN ({marks(refs)})", tuple(refs))


# The tables that hold rows of one request, children first (their foreign keys point at
# `requests`): what `untrack` removes. `mail_handled` is not among them: its rows record
# which alert e-mails were handled, so that none is handled (and re-tracked) twice.
REQUEST_TABLES = (
    ("news", "ref"),
    ("followups", "request"),
    ("correspondence", "ref"),
    ("events", "ref"),
    ("letters", "ref"),
    ("requests", "ref"),
)


class Requests(StoreConnection):
    def request(self, ref: str) -> dict | None:
        """A request's stored row, with its `letter` (None: not drafted by foibot)."""
        rows = list(self.db.query(f"{_WITH_LETTER} WHERE requests.ref = ?", [ref]))
        return rows[0] if rows else None

    def campaign_requests(self, campaign: str) -> list[dict]:
        """A campaign's requests in the order they were made, each with its `letter`."""
        return self.requests_in(RequestSet.campaign(campaign))

    def requests_in(self, selection: RequestSet) -> list[dict]:
        """The selected requests in the order they were made, each with its `letter`."""
        return list(
            self.db.query(
                f"{_WITH_LETTER} WHERE requests.ref IN ({selection.sql}) ORDER BY requests.rowid",
                selection.params,
            )
        )

    def request_by_wdtk_id(self, wdtk_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM requests WHERE wdtk_id = ?", [wdtk_id]))
        return rows[0] if rows else None

    def request_by_url_title(self, url_title: str) -> dict | None:
        """The request with this slug now, else the one that had it before WDTK retitled
        it (a `retitled` event): a URL copied before the retitle still names it."""
        rows = list(self.db.query("SELECT * FROM requests WHERE url_title = ?", [url_title]))
        if not rows:
            rows = list(
                self.db.query(
                    "SELECT * FROM requests WHERE ref = (SELECT ref FROM events "
                    "WHERE kind = 'retitled' AND json_extract(detail, '$.from') = ? "
                    "ORDER BY id DESC LIMIT 1)",
                    [url_title],
                )
            )
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

    def request_footprint(self, ref: str) -> dict[str, int]:
        """How many rows of each table (REQUEST_TABLES) belong to the request REF."""
        return {
            table: self.db.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?', [ref]
            ).fetchone()[0]
            for table, column in REQUEST_TABLES
        }

    def remove_request(self, ref: str) -> None:
        """Delete the request REF and every row of it (REQUEST_TABLES, and the deliveries
        of its news). Inside the caller's transaction: all of it goes, or none.

        The events log is append-only (a trigger refuses deletes, m004): the guard is
        lifted for this one DELETE and put back, as it was, in the same transaction, so no
        other writer ever sees the table unguarded."""
        if not self.db.conn.in_transaction:
            raise RuntimeError("remove_request runs inside a transaction")
        self.db.execute(
            "DELETE FROM news_deliveries WHERE news_id IN (SELECT id FROM news WHERE ref = ?)",
            [ref],
        )
        (guard,) = self.db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'events_no_delete'"
        ).fetchone() or (None,)
        for table, column in REQUEST_TABLES:
            if table == "events" and guard:
                self.db.execute("DROP TRIGGER events_no_delete")
            self.db.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', [ref])
            if table == "events" and guard:
                self.db.execute(guard)

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
