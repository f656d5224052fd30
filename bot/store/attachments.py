"""Attachments of the replies: queued when a reply is stored, fetched once, and what was
read from each (`bot.extraction.model.Extraction`), with its text searchable by where it
sits (page, sheet and cell, line)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.extraction.model import Extraction
from bot.store.connection import StoreConnection, marks, utcnow

if TYPE_CHECKING:
    from bot.store.requests import RequestSet

_COLUMNS = (
    "a.id, a.ref, a.correspondence_id, a.number, a.name, a.url, a.state, a.reason, a.kind,"
    " a.size, a.sha256, a.pages, a.sheets, a.queued_at, a.fetched_at, c.sent_at"
)


def queue_rows(
    conn: sqlite3.Connection, ref: str, correspondence_id: int, names: str, links: str
) -> None:
    """Queue a reply's attachments (names and download links one per line, as stored on
    the correspondence row); an attachment already queued or read is left as it is."""
    link_list = (links or "").split("\n")
    now = utcnow()
    conn.executemany(
        "INSERT INTO attachments (ref, correspondence_id, number, name, url, state, reason,"
        " queued_at) VALUES (?, ?, ?, ?, ?, 'queued', '', ?)"
        " ON CONFLICT (correspondence_id, number) DO NOTHING",
        [
            (ref, correspondence_id, n, name, link_list[n - 1] if n <= len(link_list) else "", now)
            for n, name in enumerate((names or "").splitlines(), start=1)
        ],
    )


class Attachments(StoreConnection):
    def attachments_of(self, ref: str) -> list[dict]:
        """A request's attachments, reply by reply, with the reply's date (`sent_at`)."""
        return list(
            self.db.query(
                f"SELECT {_COLUMNS} FROM attachments a"
                " JOIN correspondence c ON c.id = a.correspondence_id"
                " WHERE a.ref = ? ORDER BY c.id, a.number",
                [ref],
            )
        )

    def queued_attachments(self, refs: Iterable[str] | None = None) -> list[dict]:
        """Attachments waiting to be fetched, oldest reply first; all, or those of `refs`."""
        sql = (
            f"SELECT {_COLUMNS} FROM attachments a"
            " JOIN correspondence c ON c.id = a.correspondence_id WHERE a.state = 'queued'"
        )
        params: list = []
        if refs is not None:
            wanted = list(refs)
            sql += f" AND a.ref IN ({marks(wanted)})"
            params += wanted
        return list(self.db.query(sql + " ORDER BY c.id, a.number", params))

    def extraction_by_hash(self, sha256: str) -> Extraction | None:
        """What was read from a file with this content before, so a file sent twice (the
        same letter attached to two replies) is read once."""
        row = self.db.conn.execute(
            "SELECT extraction FROM attachments WHERE sha256 = ? AND extraction IS NOT NULL"
            " AND state != 'queued' LIMIT 1",
            [sha256],
        ).fetchone()
        return Extraction.from_json(json.loads(row[0])) if row else None

    def save_extraction(
        self, attachment_id: int, extraction: Extraction, *, size: int | None, sha256: str
    ) -> None:
        """Record what was read from an attachment, and replace its searchable text, in one
        transaction."""
        with self.transaction() as db:
            db.execute(
                "UPDATE attachments SET state = ?, reason = ?, kind = ?, size = ?, sha256 = ?,"
                " pages = ?, sheets = ?, extraction = ?, fetched_at = ? WHERE id = ?",
                [
                    extraction.state,
                    extraction.reason,
                    extraction.kind,
                    size,
                    sha256,
                    extraction.pages,
                    "\n".join(extraction.sheets),
                    json.dumps(extraction.to_json()),
                    utcnow(),
                    attachment_id,
                ],
            )
            db.execute("DELETE FROM attachment_segments WHERE attachment_id = ?", [attachment_id])
            db.conn.executemany(
                "INSERT INTO attachment_segments (attachment_id, page, sheet, cell, line,"
                " member, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (attachment_id, s.page, s.sheet, s.cell, s.line, s.member, s.text)
                    for s in extraction.segments
                ],
            )

    def attachment_extractions(self, ref: str) -> list[tuple[dict, Extraction]]:
        """Each read attachment of a request with what was read from it, reply by reply."""
        rows = self.db.query(
            f"SELECT {_COLUMNS}, a.extraction FROM attachments a"
            " JOIN correspondence c ON c.id = a.correspondence_id"
            " WHERE a.ref = ? AND a.extraction IS NOT NULL ORDER BY c.id, a.number",
            [ref],
        )
        out = []
        for row in rows:
            extraction = Extraction.from_json(json.loads(row.pop("extraction")))
            out.append((row, extraction))
        return out

    def attachment_failed(self, attachment_id: int, reason: str) -> None:
        """A download that failed: the attachment stays queued (the next fetch tries it
        again), with the reason shown meanwhile."""
        with self.transaction() as db:
            db.execute(
                "UPDATE attachments SET reason = ? WHERE id = ? AND state = 'queued'",
                [reason, attachment_id],
            )

    def requeue_attachments(self, selection: RequestSet | None = None) -> int:
        """Queue again the skipped and unreadable attachments `selection` picks (all when
        None): after `[attachments] max_mb` was raised, or WDTK serves a file again."""
        sql = "UPDATE attachments SET state = 'queued', reason = '' WHERE state IN ('skipped', 'unreadable')"
        params: list = []
        if selection is not None:
            sql += f" AND ref IN ({selection.sql})"
            params += list(selection.params)
        with self.transaction() as db:
            return db.execute(sql, params).rowcount

    def attachments_in(
        self, selection: RequestSet | None = None, *, queued: bool = False
    ) -> list[dict]:
        """The attachments of the requests `selection` picks (all when None), oldest reply
        first, with the reply's date; only those waiting to be fetched when `queued`."""
        sql = f"SELECT {_COLUMNS} FROM attachments a JOIN correspondence c ON c.id = a.correspondence_id"
        where, params = [], []
        if queued:
            where.append("a.state = 'queued'")
        if selection is not None:
            where.append(f"a.ref IN ({selection.sql})")
            params += list(selection.params)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return list(self.db.query(sql + " ORDER BY c.id, a.number", params))

    def search_attachments(
        self, match: str, campaign: str | None = None, limit: int = 50, group: str | None = None
    ) -> list[dict]:
        """Pieces of attachment text matching an FTS5 query, best first: the request, body,
        the reply's date, the attachment's name, where the piece sits (page, sheet, cell,
        line, ZIP member) and a snippet whose hits are wrapped in [ and ]."""
        sql = (
            "SELECT a.ref, r.campaign, r.body, COALESCE(b.name, r.body) AS body_name, r.title,"
            " r.url_title, r.wdtk_id, c.sent_at, c.fetched_at, a.name AS attachment,"
            " a.number AS attachment_number, s.page, s.sheet, s.cell, s.line, s.member,"
            " snippet(attachment_segments_fts, -1, '[', ']', '…', 16) AS snippet,"
            " attachment_segments_fts.rank AS rank"
            " FROM attachment_segments_fts"
            " JOIN attachment_segments s ON s.rowid = attachment_segments_fts.rowid"
            " JOIN attachments a ON a.id = s.attachment_id"
            " JOIN correspondence c ON c.id = a.correspondence_id"
            " JOIN requests r ON r.ref = a.ref"
            " LEFT JOIN bodies b ON b.url_name = r.body"
            " WHERE attachment_segments_fts MATCH ?"
        )
        return self.best_matches(sql, [match], "attachment_segments_fts", campaign, group, limit)
