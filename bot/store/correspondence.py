"""What happened to requests and what was said: the append-only `events` log, and the
`correspondence` (messages read from the request pages) with the replies in it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from bot.store.attachments import queue_rows
from bot.store.connection import StoreConnection, marks, utcnow
from bot.store.fingerprints import message_fingerprint
from bot.store.requests import RequestSet

# One campaign's requests, for `ref IN` filters: through the events (ref, id) index. A
# join lets SQLite's planner choose to scan all the events instead (1M rows: 0.13 s vs
# 0.01 s).
CAMPAIGN_REFS = "(SELECT ref FROM requests WHERE campaign = ?)"


def _event_row(ref: str, kind: str, detail: Any, at: str, wdtk_event_id: int | None) -> dict:
    return {
        "ref": ref,
        "at": at,
        "kind": kind,
        "wdtk_event_id": wdtk_event_id,
        "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
    }


def _parsed(detail: str | None) -> Any:
    return json.loads(detail) if detail else None


class Correspondence(StoreConnection):
    # -- events ------------------------------------------------------------------------

    def log_all(self, events: Iterable[dict[str, Any]]) -> None:
        """Append many events at once: dicts with ref, kind and optional detail/at/wdtk_event_id."""
        now = utcnow()
        self.db["events"].insert_all(
            (
                _event_row(
                    e["ref"], e["kind"], e.get("detail"), e.get("at") or now, e.get("wdtk_event_id")
                )
                for e in events
            ),
            batch_size=500,
        )

    def log(
        self,
        ref: str,
        kind: str,
        detail: dict[str, Any] | None = None,
        *,
        at: str | None = None,
        wdtk_event_id: int | None = None,
    ) -> None:
        self.db["events"].insert(_event_row(ref, kind, detail, at or utcnow(), wdtk_event_id))

    def events(self, ref: str) -> list[dict]:
        rows = self.db.query("SELECT * FROM events WHERE ref = ? ORDER BY id", [ref])
        return [{**row, "detail": _parsed(row["detail"])} for row in rows]

    def events_by_ref(self, campaign: str | None = None) -> dict[str, list[dict]]:
        """Every event (or one campaign's), by ref, in log order, details parsed."""
        if campaign:
            sql, params = (
                f"SELECT * FROM events WHERE ref IN {CAMPAIGN_REFS} ORDER BY id",
                [campaign],
            )
        else:
            sql, params = "SELECT * FROM events ORDER BY id", []
        cursor = self.db.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        out: dict[str, list[dict]] = {}
        for row in cursor:
            event = dict(zip(names, row))  # noqa: B905 (same cursor)
            event["detail"] = _parsed(event["detail"])
            out.setdefault(event["ref"], []).append(event)
        return out

    def events_of_kind(self, kind: str, ref: str) -> list[dict]:
        """One request's events of one kind, in log order: kind and parsed detail."""
        return self.events_of_kind_by_ref(kind, ref=ref).get(ref, [])

    def events_of_kind_by_ref(
        self, kind: str, campaign: str | None = None, *, ref: str | None = None
    ) -> dict[str, list[dict]]:
        """Events of one kind by ref, in log order (kind and parsed detail): one request's,
        one campaign's, or every request's."""
        where, params = "1", []
        if ref is not None:
            where, params = "ref = ?", [ref]
        elif campaign is not None:
            where, params = f"ref IN {CAMPAIGN_REFS}", [campaign]
        by_ref: dict[str, list[dict]] = {}
        sql = f"SELECT ref, detail FROM events WHERE {where} AND kind = ? ORDER BY id"
        for event_ref, detail in self.db.conn.execute(sql, [*params, kind]):
            by_ref.setdefault(event_ref, []).append({"kind": kind, "detail": _parsed(detail)})
        return by_ref

    def event_times(self, campaign: str | None, kind: str) -> dict[str, list[str]]:
        """When each request's events of one kind happened (UTC ISO), by ref."""
        sql, params = "SELECT ref, at FROM events WHERE kind = ?", []
        if campaign:
            sql, params = (
                f"SELECT ref, at FROM events WHERE ref IN {CAMPAIGN_REFS} AND kind = ?",
                [campaign],
            )
        out: dict[str, list[str]] = {}
        for ref, at in self.db.conn.execute(sql, [*params, kind]):
            out.setdefault(ref, []).append(at)
        return out

    def events_in(self, selection: RequestSet, kinds: tuple[str, ...]) -> Iterator[dict]:
        """The selected requests' events of these kinds, in log order (detail unparsed)."""
        return self.db.query(
            f"SELECT ref, kind, at, detail FROM events WHERE kind IN ({marks(kinds)}) "
            f"AND ref IN ({selection.sql}) ORDER BY id",
            [*kinds, *selection.params],
        )

    def known_event_ids(self, ref: str) -> set[int]:
        return {
            r["wdtk_event_id"]
            for r in self.db.query(
                "SELECT wdtk_event_id FROM events WHERE ref = ? AND wdtk_event_id IS NOT NULL",
                [ref],
            )
        }

    def latest_reply_time(self, ref: str) -> str | None:
        """A request's latest reply (UTC ISO), through the events (kind, ref, at) index."""
        (at,) = self.db.conn.execute(
            "SELECT max(at) FROM events WHERE kind = 'response' AND ref = ?", [ref]
        ).fetchone()
        return at

    # -- correspondence ----------------------------------------------------------------

    def save_correspondence(self, ref: str, messages: Iterable[dict[str, Any]]) -> None:
        """Reply texts from the request page. A message already stored (the same words
        and attachments) is not added twice; its text takes the page's current layout and
        its date is filled in where the page gives one."""
        now = utcnow()
        rows = [
            (
                ref,
                m.get("kind"),
                m.get("sent_at"),
                m.get("text") or "",
                "\n".join(m.get("attachments") or []),
                "\n".join(m.get("attachment_links") or []),
                message_fingerprint(m.get("kind"), m.get("text") or "", m.get("attachments") or []),
                now,
            )
            for m in messages
        ]
        self.db.conn.executemany(
            "INSERT INTO correspondence (ref, direction, sent_at, text, attachments, "
            "attachment_links, fingerprint, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (ref, fingerprint) DO UPDATE SET text = excluded.text, "
            "sent_at = coalesce(excluded.sent_at, correspondence.sent_at)",
            rows,
        )
        # A new reply's attachments wait to be fetched and read (bot.attachments).
        stored = self.db.conn.execute(
            "SELECT id, attachments, attachment_links FROM correspondence WHERE ref = ?"
            " AND direction = 'incoming' AND coalesce(attachments, '') != '' ORDER BY id",
            [ref],
        ).fetchall()
        for row_id, names, links in stored:
            queue_rows(self.db.conn, ref, row_id, names, links)

    def correspondence_of(self, ref: str) -> list[dict]:
        return list(
            self.db.query(
                "SELECT id, direction, sent_at, text, attachments, attachment_links"
                " FROM correspondence WHERE ref = ? ORDER BY id",
                [ref],
            )
        )

    def reply_texts(self, ref: str) -> list[str]:
        """The text of a request's incoming messages, oldest first."""
        rows = self.db.conn.execute(
            "SELECT text FROM correspondence WHERE ref = ? AND direction = 'incoming' ORDER BY id",
            [ref],
        )
        return [text or "" for (text,) in rows]

    def incoming_texts_in(self, selection: RequestSet) -> dict[str, list[str]]:
        """Each selected request's reply texts, oldest first."""
        grouped: dict[str, list[str]] = {}
        for r in self.db.query(
            "SELECT ref, text FROM correspondence WHERE direction = 'incoming' "
            f"AND ref IN ({selection.sql}) ORDER BY id",
            selection.params,
        ):
            grouped.setdefault(r["ref"], []).append(r["text"])
        return grouped

    def latest_reply_texts(self, refs: list[str]) -> dict[str, str]:
        """Each request's most recent incoming message text, in chunks: a big `overdue` may
        name more refs than SQLite takes parameters."""
        out: dict[str, str] = {}
        for start in range(0, len(refs), 500):
            chunk = refs[start : start + 500]
            for ref, text in self.db.conn.execute(
                "SELECT ref, text FROM correspondence WHERE direction = 'incoming' "
                f"AND ref IN ({marks(chunk)}) ORDER BY id",
                chunk,
            ):
                out[ref] = text
        return out
