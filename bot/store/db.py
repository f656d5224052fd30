"""SQLite storage: one file, migrated lazily, written in short IMMEDIATE transactions."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.bodies import Body
from bot.errors import FoibotError
from bot.store.migrations import migrations

BUSY_TIMEOUT_S = 30


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """The database. Every command opens one, which applies pending migrations."""

    def __init__(self, path: str | Path, *, migrate: bool = True):
        self.path = Path(path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.path.exists():
            # Owner-only: the file records who asked which body what.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
            self.db = Database(conn, execute_plugins=False)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
            self.db.execute("PRAGMA foreign_keys = ON")
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
            if migrate:
                self.migrate()
        except sqlite3.DatabaseError as exc:
            raise FoibotError(f"{self.path}: cannot open the database: {exc}") from None

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
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            conn.rollback()
            raise
        else:
            conn.commit()

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
        now = utcnow()
        rows = ({**body.as_row(source), "updated_at": now} for body in bodies)
        count = 0

        def counted() -> Iterator[dict]:
            nonlocal count
            for row in rows:
                count += 1
                yield row

        self.db["bodies"].upsert_all(counted(), pk="url_name", batch_size=500)
        return count

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
        rows = list(self.db.query("SELECT * FROM requests WHERE ref = ?", [ref]))
        return rows[0] if rows else None

    def campaign_requests(self, campaign: str) -> list[dict]:
        return list(
            self.db.query("SELECT * FROM requests WHERE campaign = ? ORDER BY rowid", [campaign])
        )

    def update_request(self, ref: str, **values: Any) -> None:
        values["updated_at"] = utcnow()
        self.db["requests"].update(ref, values)
