"""A plain sqlite3 connection for read-only commands, without sqlite-utils.

`Store` applies pending migrations, which needs sqlite-utils (0.1 s to import, with
dateutil and pluggy). A command that only reads can skip all that when the schema is
already current: it compares the migrations recorded in the database with the names
defined in bot/store/migrations.py, read from its source rather than imported.
tests/test_startup.py checks that this reading finds exactly the registered migrations.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

_MIGRATIONS_PY = Path(__file__).with_name("migrations.py")
_DEFINITION = re.compile(r"^@migrations\(\)\ndef (\w+)\(", re.MULTILINE)
BUSY_TIMEOUT_S = 30


def migration_names() -> list[str]:
    """The migrations bot/store/migrations.py defines, in order, without importing it."""
    return _DEFINITION.findall(_MIGRATIONS_PY.read_text(encoding="utf-8"))


def connect_current(path: Path) -> sqlite3.Connection | None:
    """A connection to an existing, fully migrated database; None when the caller must
    open a `Store` instead (no file yet, pending migrations, or anything unexpected)."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        try:
            applied = {
                name
                for (name,) in conn.execute(
                    "SELECT name FROM _sqlite_migrations WHERE migration_set = 'foibot'"
                )
            }
        except sqlite3.DatabaseError:
            conn.close()
            return None
    except sqlite3.DatabaseError:
        return None
    if not set(migration_names()) <= applied:
        conn.close()
        return None
    return conn


def latest_reply_texts(conn: sqlite3.Connection, refs: list[str]) -> dict[str, str]:
    """Each request's most recent incoming message text, in chunks: a big `overdue` may
    name more refs than SQLite takes parameters."""
    out: dict[str, str] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        for ref, text in conn.execute(
            "SELECT ref, text FROM correspondence WHERE direction = 'incoming' "
            f"AND ref IN ({', '.join('?' * len(chunk))}) ORDER BY id",
            chunk,
        ):
            out[ref] = text
    return out


def campaign_slugs(conn: sqlite3.Connection) -> list[str]:
    return [slug for (slug,) in conn.execute("SELECT slug FROM campaigns ORDER BY slug")]


def group_names(conn: sqlite3.Connection) -> list[str]:
    return [
        g
        for (g,) in conn.execute(
            'SELECT DISTINCT "group" FROM requests WHERE "group" IS NOT NULL ORDER BY 1'
        )
    ]


def latest_reply_time(conn: sqlite3.Connection, ref: str) -> str | None:
    """A request's latest reply (UTC ISO), through the events (kind, ref, at) index."""
    (at,) = conn.execute(
        "SELECT max(at) FROM events WHERE kind = 'response' AND ref = ?", [ref]
    ).fetchone()
    return at
