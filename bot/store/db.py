"""SQLite storage: one file, migrated lazily, written in short IMMEDIATE transactions."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.bodies import Body
from bot.errors import FoibotError
from bot.store import reader
from bot.store.migrations import migrations
from bot.store.reader import BUSY_TIMEOUT_S

IMPORT_BATCH = 1000  # bodies compared and written at a time
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_FULL, _SQLITE_CANTOPEN = 13, 14


class StoreError(FoibotError):
    """The database could not be read or written; the message says why and what to do."""


def explain_sqlite_error(exc: sqlite3.Error, path: Path) -> StoreError:
    """One line for an SQLite failure. Every write is one transaction, so when a write
    fails the transaction was rolled back: the database is as it was before it."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
        from bot.run.lock import holder

        pid = holder(path)
        who = f" (pid {pid})" if pid else ""
        return StoreError(
            f"the database is locked by another process{who}: {path}; "
            "nothing was changed, try again when it has finished"
        )
    if primary == _SQLITE_FULL or "disk is full" in text:
        return StoreError(f"disk full while writing {path}: nothing was changed")
    if primary == _SQLITE_IOERR:
        # ENOSPC comes back as SQLITE_FULL; a write refused otherwise (EFBIG at a file-size
        # limit, EIO) is an I/O error, and is nearly always the disk filling up too.
        name = getattr(exc, "sqlite_errorname", "SQLITE_IOERR")
        return StoreError(
            f"disk full while writing {path} (or the disk failed: {name}): nothing was changed"
        )
    if primary == _SQLITE_READONLY or "readonly database" in text:
        return StoreError(
            f"the database {path} is read-only: give this user write access to it and to "
            "its folder (SQLite writes -wal and -shm files beside it)"
        )
    if primary == _SQLITE_CANTOPEN:
        return StoreError(f"cannot open the database {path}: check the path and its folder")
    return StoreError(f"{path}: database error: {text}")


def _explain_os_error(exc: OSError, path: Path) -> StoreError:
    if exc.errno == errno.ENAMETOOLONG:
        return StoreError(f"[storage] path: file name too long: {str(path)[:80]}…")
    if exc.errno == errno.ENOSPC:
        return StoreError(f"disk full while creating {path}: nothing was changed")
    where = exc.filename or path
    return StoreError(f"cannot create the database {path}: {exc.strerror} ({where})")


# A request's row with its letter (m023 keeps letters apart).
_WITH_LETTER = (
    "SELECT requests.*, letters.text AS letter FROM requests "
    "LEFT JOIN letters ON letters.ref = requests.ref"
)
_UNSET: Any = object()


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """The database. Every command opens one, which applies pending migrations."""

    def __init__(
        self, path: str | Path, *, migrate: bool = True, busy_timeout_s: float = BUSY_TIMEOUT_S
    ):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self.path.exists():
                # Owner-only: the file records who asked which body what.
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        except OSError as exc:
            raise _explain_os_error(exc, self.path) from None
        try:
            conn = sqlite3.connect(self.path, timeout=busy_timeout_s)
            self.db = Database(conn, execute_plugins=False)
            self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            self.db.execute("PRAGMA foreign_keys = ON")
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
            if migrate:
                self.migrate()
        except sqlite3.OperationalError as exc:
            raise explain_sqlite_error(exc, self.path) from None
        except sqlite3.DatabaseError as exc:
            raise FoibotError(f"{self.path}: cannot open the database: {exc}") from None

    @classmethod
    def over(cls, conn: sqlite3.Connection, path: str | Path) -> Store:
        """The store's queries over a connection opened elsewhere (e.g. doctor's read-only
        one): no file is created and nothing is migrated."""
        store = cls.__new__(cls)
        store.path = Path(path)
        store.db = Database(conn, execute_plugins=False)
        return store

    def close(self) -> None:
        self.db.close()

    def migrate(self) -> list[str]:
        pending = [m.name for m in migrations.pending(self.db)]
        if pending:
            with self.transaction():
                migrations.apply(self.db)
        return pending

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """One all-or-nothing unit of work. IMMEDIATE takes the write lock up front, so two
        writers queue on the busy timeout instead of failing half-way with SQLITE_BUSY."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise explain_sqlite_error(exc, self.path) from None
        try:
            yield self.db
        except sqlite3.OperationalError as exc:
            _rollback(conn)
            raise explain_sqlite_error(exc, self.path) from None
        except BaseException:
            _rollback(conn)
            raise
        else:
            try:
                conn.commit()
            except sqlite3.OperationalError as exc:
                _rollback(conn)
                raise explain_sqlite_error(exc, self.path) from None

    # -- events ------------------------------------------------------------------------

    def log_all(self, events: Iterable[dict[str, Any]]) -> None:
        """Append many events at once: dicts with ref, kind and optional detail/at/wdtk_event_id."""
        now = utcnow()
        self.db["events"].insert_all(
            (
                {
                    "ref": e["ref"],
                    "at": e.get("at") or now,
                    "kind": e["kind"],
                    "wdtk_event_id": e.get("wdtk_event_id"),
                    "detail": json.dumps(e["detail"], ensure_ascii=False, default=str)
                    if e.get("detail")
                    else None,
                }
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
        self.db["events"].insert(
            {
                "ref": ref,
                "at": at or utcnow(),
                "kind": kind,
                "wdtk_event_id": wdtk_event_id,
                "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
            }
        )

    def events(self, ref: str) -> list[dict]:
        rows = self.db.query("SELECT * FROM events WHERE ref = ? ORDER BY id", [ref])
        return [
            {**row, "detail": json.loads(row["detail"]) if row["detail"] else None} for row in rows
        ]

    # -- bodies ------------------------------------------------------------------------

    def upsert_bodies(self, bodies: Iterable[Body], source: str) -> int:
        """Store these bodies (only those that changed are written); how many were given."""
        counts = self.import_bodies(bodies, source)
        return counts["new"] + counts["changed"] + counts["unchanged"]

    def import_bodies(self, bodies: Iterable[Body], source: str) -> dict[str, int]:
        """Upsert, telling what was new, changed or unchanged; unchanged rows are not
        written, so their updated_at still says when they last changed.

        Works through `bodies` a batch at a time, comparing each batch with what is stored
        for the same url_names, so a file of any size takes the memory of one batch (and
        of the set of names seen, which counts a body named twice once; the last row wins).
        """
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        seen: set[str] = set()
        now = utcnow()
        for batch in _batches(bodies, IMPORT_BATCH):
            incoming = {body.url_name: body.as_row(source) for body in batch}
            keys = list(next(iter(incoming.values())))
            names = list(incoming)
            marks = ", ".join("?" * len(names))
            stored = {
                r["url_name"]: {k: r.get(k) for k in keys}
                for r in self.db.query(f"SELECT * FROM bodies WHERE url_name IN ({marks})", names)
            }
            writes = []
            for name, row in incoming.items():
                kind = (
                    "new"
                    if name not in stored
                    else "changed"
                    if stored[name] != row
                    else "unchanged"
                )
                if kind != "unchanged":
                    writes.append({**row, "updated_at": now})
                if name not in seen:
                    seen.add(name)
                    counts[kind] += 1
            if writes:
                self.db["bodies"].upsert_all(writes, pk="url_name", batch_size=500)
        return counts

    def bodies(self, tag: str | None = None) -> list[Body]:
        rows = self.db.query("SELECT * FROM bodies ORDER BY url_name")
        bodies = [Body.from_row(row) for row in rows]
        if tag:
            bodies = [b for b in bodies if tag in b.tags or tag in b.tag_names]
        return bodies

    def bodies_matching(self, names: Iterable[str], tags: Iterable[str]) -> dict[str, Body]:
        """Bodies named, or carrying any of the tags (plain or machine-tag name), by url_name."""
        names, tags = list(names), list(tags)
        clauses, params = [], []
        if names:
            clauses.append(f"url_name IN ({', '.join('?' * len(names))})")
            params += names
        for tag in tags:
            # tags is space-separated; match a whole tag, or a machine tag's name part.
            clauses.append("(' ' || tags || ' ') LIKE ? OR (' ' || tags) LIKE ?")
            params += [f"% {tag} %", f"% {tag}:%"]
        if not clauses:
            return {}
        rows = self.db.query(f"SELECT * FROM bodies WHERE {' OR '.join(clauses)}", params)
        return {row["url_name"]: Body.from_row(row) for row in rows}

    def body_names(self) -> set[str]:
        return {row["url_name"] for row in self.db.query("SELECT url_name FROM bodies")}

    def body(self, url_name: str) -> Body | None:
        rows = list(self.db.query("SELECT * FROM bodies WHERE url_name = ?", [url_name]))
        return Body.from_row(rows[0]) if rows else None

    # -- requests ----------------------------------------------------------------------

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

    def request_by_wdtk_id(self, wdtk_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM requests WHERE wdtk_id = ?", [wdtk_id]))
        return rows[0] if rows else None

    def linked_url_titles(self) -> set[str]:
        return {
            r["url_title"]
            for r in self.db.query("SELECT url_title FROM requests WHERE url_title IS NOT NULL")
        }

    def known_event_ids(self, ref: str) -> set[int]:
        return {
            r["wdtk_event_id"]
            for r in self.db.query(
                "SELECT wdtk_event_id FROM events WHERE ref = ? AND wdtk_event_id IS NOT NULL",
                [ref],
            )
        }

    def requests_due_poll(
        self, now: str, *, everything: bool, campaign: str | None, never: str
    ) -> list[dict]:
        """Released or linked requests whose next poll time has come (or all but the
        given-up ones), soonest first."""
        where = [
            "status NOT IN ('draft', 'cancelled')",
            # hidden when first tracked by slug: the slug is all there is to ask by
            "(wdtk_id IS NOT NULL OR status = 'ready' OR (status = 'hidden' AND url_title IS NOT NULL))",
            "(next_poll_at IS NULL OR next_poll_at != ?)"
            if everything
            else "(next_poll_at IS NULL OR next_poll_at <= ?)",
        ]
        params: list[Any] = [never if everything else now]
        if campaign:
            where.append("campaign = ?")
            params.append(campaign)
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
                "AND poll_error IS NULL "
                "AND status NOT IN ('draft', 'ready', 'cancelled', 'hidden', 'gone')",
                [now, never],
            )
        )

    def set_next_polls(self, times: dict[str, str]) -> None:
        """next_poll_at for many requests at once (ref -> UTC ISO time)."""
        self.db.conn.executemany(
            "UPDATE requests SET next_poll_at = ? WHERE ref = ?",
            [(at, ref) for ref, at in times.items()],
        )

    def campaign_exists(self, slug: str) -> bool:
        return bool(list(self.db.query("SELECT 1 FROM campaigns WHERE slug = ?", [slug])))

    def campaign_slugs(self) -> list[str]:
        return reader.campaign_slugs(self.db.conn)

    def ref_prefixes(self) -> set[str]:
        return {r["ref_prefix"] for r in self.db.query("SELECT ref_prefix FROM campaigns")}

    def add_campaign(self, slug: str, ref_prefix: str) -> None:
        self.db["campaigns"].insert(
            {"slug": slug, "ref_prefix": ref_prefix, "created_at": utcnow()}, ignore=True
        )

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
                "status": "tracked", "created_at": now, "updated_at": now, "group": group,
                **values,
            }
        )  # fmt: skip

    def request_by_url_title(self, url_title: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM requests WHERE url_title = ?", [url_title]))
        return rows[0] if rows else None

    def group_names(self) -> list[str]:
        return reader.group_names(self.db.conn)

    def save_correspondence(self, ref: str, messages: Iterable[dict[str, Any]]) -> None:
        """Reply texts from the request page; a message already stored is kept as it is."""
        import hashlib

        now = utcnow()
        self.db["correspondence"].insert_all(
            (
                {
                    "ref": ref,
                    "direction": m.get("kind"),
                    "sent_at": m.get("sent_at"),
                    "text": m.get("text") or "",
                    "attachments": "\n".join(m.get("attachments") or []),
                    "attachment_links": "\n".join(m.get("attachment_links") or []),
                    "fingerprint": hashlib.sha256(
                        f"{m.get('kind')}\0{m.get('text')}\0{m.get('attachments')}".encode()
                    ).hexdigest(),
                    "fetched_at": now,
                }
                for m in messages
            ),
            ignore=True,
        )

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

    # What a live status needs, and no more: the letters and page texts would cost a
    # daemon tens of MB at 10,000 requests.
    LIVE_COLUMNS = (
        "ref, status, awaiting_description, due, very_overdue_after, review_started_on, "
        "law, reported_status, answered_at"
    )

    def linked_status_rows(self, campaign: str | None = None) -> Iterator[dict]:
        sql = f"SELECT {self.LIVE_COLUMNS} FROM requests WHERE wdtk_id IS NOT NULL" + (
            " AND campaign = ?" if campaign else ""
        )
        return self.db.query(sql, [campaign] if campaign else [])

    def planned_slots(self) -> list[str]:
        return [
            r["slot_at"]
            for r in self.db.query("SELECT slot_at FROM requests WHERE slot_at IS NOT NULL")
        ]

    def unsent_requests(self) -> list[dict]:
        """Released to a human, not yet seen on WDTK: account-wide, in release order."""
        return list(
            self.db.query(
                "SELECT ref, body, campaign, released_at, send_after FROM requests "
                "WHERE status = 'ready' AND wdtk_id IS NULL ORDER BY released_at, slot_at, ref"
            )
        )

    def recent_sends(self, user: str | None, since: str) -> list[str]:
        """When WDTK says this account made requests, since `since` (UTC ISO)."""
        return [
            r["wdtk_created_at"]
            for r in self.db.query(
                "SELECT wdtk_created_at FROM requests WHERE wdtk_user = ? AND wdtk_created_at >= ?",
                [user, since],
            )
        ]

    def ready_followups(self, campaign: str) -> list[dict]:
        return list(
            self.db.query(
                "SELECT f.*, r.url_title, r.wdtk_id, r.law FROM followups f "
                "JOIN requests r ON r.ref = f.request "
                "WHERE r.campaign = ? AND f.status = 'ready' ORDER BY f.released_at, f.ref",
                [campaign],
            )
        )

    def followups_of_campaign(self, campaign: str) -> list[dict]:
        return list(
            self.db.query(
                "SELECT * FROM followups WHERE request IN "
                "(SELECT ref FROM requests WHERE campaign = ?) ORDER BY created_at, ref",
                [campaign],
            )
        )

    def followup_refs(self) -> set[str]:
        return {r["ref"] for r in self.db.query("SELECT ref FROM followups")}

    def followup_rounds(self, kind: str) -> set[tuple[str, str]]:
        """(request, cycle) of every follow-up of this kind: one per round, ever."""
        return {
            (r["request"], r["cycle"])
            for r in self.db.query("SELECT request, cycle FROM followups WHERE kind = ?", [kind])
        }

    def add_followups(self, rows: list[dict]) -> None:
        self.db["followups"].insert_all(rows)

    def draft_followups_of_campaign(self, campaign: str) -> list[dict]:
        return list(
            self.db.query(
                "SELECT f.*, r.url_title, r.wdtk_id, r.law FROM followups f "
                "JOIN requests r ON r.ref = f.request "
                "WHERE r.campaign = ? AND f.status = 'draft' ORDER BY f.created_at, f.ref",
                [campaign],
            )
        )

    def followup_release_times(self) -> list[tuple[str | None, str]]:
        """(body, released_at) of every released follow-up."""
        return [
            (r["body"], r["released_at"])
            for r in self.db.query(
                "SELECT body, released_at FROM followups WHERE released_at IS NOT NULL"
            )
        ]

    def update_followup(self, ref: str, **values: Any) -> None:
        self.db["followups"].update(ref, values)

    def oldest_ready_followup(self, request: str, kinds: tuple[str, ...]) -> str | None:
        rows = list(
            self.db.query(
                "SELECT ref FROM followups WHERE request = ? AND status = 'ready' "
                f"AND kind IN ({', '.join('?' * len(kinds))}) ORDER BY released_at, ref LIMIT 1",
                [request, *kinds],
            )
        )
        return rows[0]["ref"] if rows else None

    def campaign_events(self, campaign: str, kinds: tuple[str, ...]) -> Iterator[dict]:
        return self.db.query(
            f"SELECT ref, kind, at, detail FROM events WHERE kind IN ({', '.join('?' * len(kinds))}) "
            "AND ref IN (SELECT ref FROM requests WHERE campaign = ?) ORDER BY id",
            [*kinds, campaign],
        )

    def incoming_texts(self, campaign: str) -> dict[str, list[str]]:
        """Each request's reply texts, oldest first."""
        grouped: dict[str, list[str]] = {}
        for r in self.db.query(
            "SELECT ref, text FROM correspondence WHERE direction = 'incoming' AND ref IN "
            "(SELECT ref FROM requests WHERE campaign = ?) ORDER BY id",
            [campaign],
        ):
            grouped.setdefault(r["ref"], []).append(r["text"])
        return grouped

    def followups_of_request(self, ref: str) -> list[dict]:
        return list(
            self.db.query(
                "SELECT * FROM followups WHERE request = ? ORDER BY created_at, ref", [ref]
            )
        )

    def correspondence_of(self, ref: str) -> list[dict]:
        return list(
            self.db.query(
                "SELECT direction, sent_at, text, attachments, attachment_links FROM correspondence "
                "WHERE ref = ? ORDER BY id",
                [ref],
            )
        )

    def all_refs(self, *, followups: bool = False) -> list[str]:
        sql = "SELECT ref FROM requests" + (" UNION SELECT ref FROM followups" if followups else "")
        return [r["ref"] for r in self.db.query(sql)]

    def campaign_row(self, slug: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM campaigns WHERE slug = ?", [slug]))
        return rows[0] if rows else None

    def save_campaign(self, slug: str, values: dict[str, Any], ref_prefix: str | None) -> None:
        """Refresh a campaign's templates and launch time; a new one gets `ref_prefix`."""
        if ref_prefix is None:
            self.db["campaigns"].update(slug, values)
        else:
            self.db["campaigns"].insert(
                {"slug": slug, "ref_prefix": ref_prefix, "created_at": utcnow(), **values}
            )

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

    def followup(self, ref: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM followups WHERE ref = ?", [ref]))
        return rows[0] if rows else None

    # -- news --------------------------------------------------------------------------

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

    def channel_retry_at(self, channel: str, now: str) -> str | None:
        """When a failing channel may be tried again, while its back-off runs; else None."""
        row = self.db.execute(
            "SELECT max(next_try_at) FROM news_deliveries WHERE channel = ? "
            "AND delivered_at IS NULL AND next_try_at > ?",
            [channel, now],
        ).fetchone()
        return row[0] if row else None

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
            f"UPDATE news SET sent_at = ? WHERE id IN ({', '.join('?' * len(ids))}) "
            "AND sent_at IS NULL",
            [now, *ids],
        )

    def delivery_attempts(self, channel: str, ids: list[int]) -> int:
        """The most failed attempts any of these items has had on this channel."""
        if not ids:
            return 0
        row = self.db.execute(
            f"SELECT max(attempts) FROM news_deliveries WHERE channel = ? "
            f"AND news_id IN ({', '.join('?' * len(ids))})",
            [channel, *ids],
        ).fetchone()
        return row[0] or 0

    def mark_undelivered(self, channel: str, ids: list[int], error: str, next_try: str) -> None:
        rows = {
            r["news_id"]: r["attempts"] or 0
            for r in self.db.query(
                f"SELECT news_id, attempts FROM news_deliveries WHERE channel = ? "
                f"AND news_id IN ({', '.join('?' * len(ids))})",
                [channel, *ids],
            )
        }
        self.db["news_deliveries"].upsert_all(
            (
                {"news_id": i, "channel": channel, "attempts": rows.get(i, 0) + 1,
                 "last_error": error, "next_try_at": next_try}
                for i in ids
            ),
            pk=("news_id", "channel"),
        )  # fmt: skip

    # -- installation settings ---------------------------------------------------------

    # -- health (doctor reads these over a read-only connection) -----------------------

    def integrity_problems(self) -> list[str]:
        """PRAGMA integrity_check: [] when the file is sound. Raises sqlite3.DatabaseError
        when it is not a database at all."""
        rows = [r[0] for r in self.db.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    def foreign_key_problems(self) -> list[tuple[str, int, str]]:
        """(table, rowid, parent table) of each row whose reference dangles."""
        return [(t, rowid, parent) for t, rowid, parent, _ in self.db.execute("PRAGMA foreign_key_check")]

    def migration_state(self) -> tuple[list[str], list[str]]:
        """(pending, unknown): migrations not yet applied, and applied ones this foibot
        does not know (a newer foibot wrote to the file)."""
        known = {m.name for m in migrations._migrations}
        pending = [m.name for m in migrations.pending(self.db)]
        unknown = [m.name for m in migrations.applied(self.db) if m.name not in known]
        return pending, unknown

    def columns(self, table: str) -> set[str]:
        return {row[1] for row in self.db.execute(f"PRAGMA table_info([{table}])")}

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
                "SELECT ref, released_at, next_poll_at FROM requests WHERE status = 'ready' "
                "AND wdtk_id IS NULL AND released_at IS NOT NULL AND released_at <= ? "
                "ORDER BY rowid",
                [released_before],
            )
        )

    def latest_stored_date(self) -> str | None:
        row = self.db.execute(
            "SELECT max(max(coalesce(due, '')), max(coalesce(very_overdue_after, ''))) "
            "FROM requests"
        ).fetchone()
        return row[0] or None

    def installation_id(self) -> str:
        """A random id made once per database, part of every `foibot:` tag it hands out."""
        current = self.setting("installation_id")
        if current:
            return current
        import secrets

        with self.transaction():
            self.db["settings"].insert(
                {"key": "installation_id", "value": secrets.token_hex(4)}, ignore=True
            )
        return self.setting("installation_id") or ""

    def setting(self, key: str) -> str | None:
        rows = list(self.db.query("SELECT value FROM settings WHERE key = ?", [key]))
        return rows[0]["value"] if rows else None

    def set_setting(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM settings WHERE key = ?", [key])
        else:
            self.db["settings"].upsert({"key": key, "value": value}, pk="key")

    # -- recorded figures --------------------------------------------------------------

    def _recorded_details(self, where: str, params: list) -> dict[str, list[dict]]:
        from bot.reports.figures import RECORDED

        by_ref: dict[str, list[dict]] = {}
        sql = f"SELECT ref, detail FROM events WHERE {where} AND kind = ? ORDER BY id"
        for ref, detail in self.db.conn.execute(sql, [*params, RECORDED]):
            by_ref.setdefault(ref, []).append(
                {"kind": RECORDED, "detail": json.loads(detail) if detail else None}
            )
        return by_ref

    def recorded_figures(self, ref: str) -> dict[str, Any]:
        """One request's current figures: value key (`field` or `field:period`) -> Figure."""
        from bot.reports.figures import current_figures

        return current_figures(self._recorded_details("ref = ?", [ref]).get(ref, []))

    def campaign_figures(self, campaign: str | None) -> dict[str, dict[str, Any]]:
        """ref -> current figures, for one campaign's requests (or every request)."""
        from bot.reports.figures import current_figures

        # `ref IN (subquery)` keeps SQLite on the events (ref, id) index; a join lets the
        # planner scan every event instead.
        where, params = ("ref IN (SELECT ref FROM requests WHERE campaign = ?)", [campaign])
        if campaign is None:
            where, params = "1", []
        return {
            ref: current_figures(events)
            for ref, events in self._recorded_details(where, params).items()
        }

    def record_targets(self, campaign: str | None) -> list[dict]:
        """Campaign requests a results CSV may name, by ref or by body: ref, body, campaign."""
        sql = "SELECT ref, body, campaign FROM requests WHERE campaign IS NOT NULL"
        params: list = []
        if campaign:
            sql += " AND campaign = ?"
            params.append(campaign)
        return list(self.db.query(sql + " ORDER BY rowid", params))

    # -- replies -----------------------------------------------------------------------

    def reply_texts(self, ref: str) -> list[str]:
        """The text of a request's incoming messages, oldest first."""
        rows = self.db.conn.execute(
            "SELECT text FROM correspondence WHERE ref = ? AND direction = 'incoming' ORDER BY id",
            [ref],
        )
        return [text or "" for (text,) in rows]

    def search_replies(
        self, match: str, campaign: str | None = None, limit: int = 50
    ) -> list[dict]:
        """Incoming messages matching an FTS5 query, best first, with the request, body,
        date and a snippet whose hits are wrapped in [ and ]."""
        sql = (
            "SELECT c.ref, r.campaign, r.body, COALESCE(b.name, r.body) AS body_name, r.title,"
            " r.url_title, r.wdtk_id, c.sent_at, c.fetched_at, c.attachments,"
            " snippet(correspondence_fts, -1, '[', ']', '…', 16) AS snippet"
            " FROM correspondence_fts"
            " JOIN correspondence c ON c.rowid = correspondence_fts.rowid"
            " JOIN requests r ON r.ref = c.ref"
            " LEFT JOIN bodies b ON b.url_name = r.body"
            " WHERE correspondence_fts MATCH ? AND c.direction = 'incoming'"
        )
        params: list[Any] = [match]
        if campaign:
            sql += " AND r.campaign = ?"
            params.append(campaign)
        sql += " ORDER BY correspondence_fts.rank LIMIT ?"
        params.append(limit)
        return list(self.db.query(sql, params))

    # -- the mailbox (`foibot mail`) ---------------------------------------------------

    def mail_cursor(self, folder: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, last UID read) for a folder, or None before its first read."""
        rows = list(
            self.db.query(
                "SELECT uidvalidity, last_uid FROM mail_cursor WHERE folder = ?", [folder]
            )
        )
        return (rows[0]["uidvalidity"], rows[0]["last_uid"]) if rows else None

    def set_mail_cursor(self, folder: str, uidvalidity: int, last_uid: int) -> None:
        self.db["mail_cursor"].upsert(
            {"folder": folder, "uidvalidity": uidvalidity, "last_uid": last_uid,
             "checked_at": utcnow()},
            pk="folder",
        )  # fmt: skip

    def mail_handled(self, key: str) -> bool:
        return bool(list(self.db.query("SELECT 1 FROM mail_handled WHERE key = ?", [key])))

    def record_mail(self, row: dict[str, Any]) -> None:
        self.db["mail_handled"].insert(
            {**row, "refs": json.dumps(row["refs"]), "untracked": json.dumps(row["untracked"]),
             "handled_at": utcnow()},
            pk="key",
        )  # fmt: skip

    def mail_targets(self) -> list[dict]:
        """What an alert e-mail can name: every request linked to WDTK or released."""
        return list(
            self.db.query(
                "SELECT ref, wdtk_id, url_title, title, status FROM requests"
                " WHERE wdtk_id IS NOT NULL OR status = 'ready'"
            )
        )


def _rollback(conn: sqlite3.Connection) -> None:
    # After a full disk or an I/O error SQLite may already have rolled back itself.
    with contextlib.suppress(sqlite3.Error):
        conn.rollback()


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
