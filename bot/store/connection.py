"""The database file itself: opening it (created owner-only, migrated lazily), short
IMMEDIATE transactions, what an SQLite failure means for the user, and the health checks
`doctor` runs. Every table family (bot/store/*.py) builds on `StoreConnection`."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import sqlite3
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Self

from sqlite_utils import Database

from bot.errors import FoibotError, UsageError
from bot.safe_files import refuse_non_regular
from bot.store.migrations import migrations

BUSY_TIMEOUT_S = 30
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_FULL, _SQLITE_CANTOPEN = 13, 14

# Who holds a lock on the database (a pid), for the "locked" message: the run lock lives
# above the store (bot.run.lock), so the caller that opens the store passes it in.
LockHolder = Callable[[Path], int | None]


class StoreError(FoibotError):
    """The database could not be read or written; the message says why and what to do."""


class NewerDatabaseError(StoreError, UsageError):
    """The database was migrated by a newer foibot (exit 2): this one would misread tables
    and columns it does not know, and its writes could break the newer one's."""


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def marks(values: Collection[object]) -> str:
    """`?, ?, ?`: one parameter per value, for an SQL `IN (...)` list."""
    return ", ".join("?" * len(values))


# A command may write in several transactions (a poll: one per request): the one that
# failed was rolled back whole, and those before it stay, so "nothing was changed" would
# be untrue of the command.
UNDONE = "the change being written was undone; free some space and run the command again"


def explain_sqlite_error(
    exc: sqlite3.Error, path: Path, lock_holder: LockHolder | None = None
) -> StoreError:
    """One line for an SQLite failure. Every write is one transaction, so when a write
    fails the transaction was rolled back: the database is as it was before it.
    `lock_holder` names the process holding the database, when one is known."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
        pid = lock_holder(path) if lock_holder else None
        who = f" (pid {pid})" if pid else ""
        return StoreError(
            f"the database is locked by another process{who}: {path}; "
            "nothing was changed, try again when it has finished"
        )
    if primary == _SQLITE_FULL or "disk is full" in text:
        return StoreError(f"disk full while writing {path}: {UNDONE}")
    if primary == _SQLITE_IOERR:
        # ENOSPC comes back as SQLITE_FULL; a write refused otherwise (EFBIG at a file-size
        # limit, EIO) is an I/O error, and is nearly always the disk filling up too.
        name = getattr(exc, "sqlite_errorname", "SQLITE_IOERR")
        return StoreError(f"disk full while writing {path} (or the disk failed: {name}): {UNDONE}")
    if (
        primary == _SQLITE_READONLY
        or "readonly database" in text
        or (primary == _SQLITE_CANTOPEN and _read_only_folder(path))
    ):
        # A WAL database cannot even be read where its -shm file cannot be made: on a
        # read-only disk or folder SQLite says only "unable to open database file".
        return StoreError(
            f"the database {path} is read-only: give this user write access to it and to "
            "its folder (SQLite writes -wal and -shm files beside it)"
        )
    if primary == _SQLITE_CANTOPEN:
        return StoreError(f"cannot open the database {path}: check the path and its folder")
    return StoreError(f"{path}: database error: {text}")


def _read_only_folder(path: Path) -> bool:
    """The database's folder exists but this process may not write there: a read-only
    mount, or a folder without write permission."""
    folder = path.parent
    try:
        if not folder.is_dir():
            return False
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not os.access(folder, os.W_OK)
    except OSError:
        return False


def _explain_os_error(exc: OSError, path: Path) -> StoreError:
    if exc.errno == errno.ENAMETOOLONG:
        return StoreError(f"[storage] path: file name too long: {str(path)[:80]}…")
    if exc.errno == errno.ENOSPC:
        return StoreError(f"disk full while creating {path}: nothing was changed")
    where = exc.filename or path
    return StoreError(f"cannot create the database {path}: {exc.strerror} ({where})")


class StoreConnection:
    """The open database. Every command opens one, which applies pending migrations."""

    path: Path
    db: Database
    _lock_holder: LockHolder | None

    def __init__(
        self,
        path: str | Path,
        *,
        migrate: bool = True,
        busy_timeout_s: float = BUSY_TIMEOUT_S,
        lock_holder: LockHolder | None = None,
    ):
        self.path = Path(path)
        self._lock_holder = lock_holder
        # Before SQLite opens it: beside /dev/null it would create /dev/null-journal.
        refuse_non_regular(self.path, "database file")
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
                self.refuse_newer()
                self.migrate()
        except sqlite3.OperationalError as exc:
            raise self._explain(exc) from None
        except sqlite3.DatabaseError as exc:
            raise FoibotError(f"{self.path}: cannot open the database: {exc}") from None

    @classmethod
    def over(cls, conn: sqlite3.Connection, path: str | Path) -> Self:
        """The store's queries over a connection opened elsewhere (e.g. doctor's read-only
        one): no file is created and nothing is migrated."""
        store = cls.__new__(cls)
        store.path = Path(path)
        store.db = Database(conn, execute_plugins=False)
        store._lock_holder = None
        return store

    def close(self) -> None:
        self.db.close()

    def _explain(self, exc: sqlite3.Error) -> StoreError:
        return explain_sqlite_error(exc, self.path, self._lock_holder)

    def refuse_newer(self) -> None:
        """Raise NewerDatabaseError when a newer foibot has migrated the file: every command
        but `doctor` (which reads it read-only and reports the same) stops before reading or
        writing, since what a newer schema means is only known to the newer foibot."""
        _, unknown = self.migration_state()
        if not unknown:
            return
        from bot import __version__

        last = migrations.applied(self.db)[-1].name
        ours = migrations._migrations[-1].name
        raise NewerDatabaseError(
            f"{self.path} was migrated by a newer foibot (its last migration is {last!r}); "
            f"this is foibot {__version__}, whose last migration is {ours!r}: upgrade foibot "
            "to use this database (nothing was changed)"
        )

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
            raise self._explain(exc) from None
        try:
            yield self.db
        except sqlite3.OperationalError as exc:
            _rollback(conn)
            raise self._explain(exc) from None
        except BaseException:
            _rollback(conn)
            raise
        else:
            try:
                conn.commit()
            except sqlite3.OperationalError as exc:
                _rollback(conn)
                raise self._explain(exc) from None

    # -- health (doctor reads these over a read-only connection) -----------------------

    def integrity_problems(self) -> list[str]:
        """PRAGMA integrity_check: [] when the file is sound. Raises sqlite3.DatabaseError
        when it is not a database at all."""
        rows = [r[0] for r in self.db.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    def foreign_key_problems(self) -> list[tuple[str, int, str]]:
        """(table, rowid, parent table) of each row whose reference dangles."""
        return [
            (t, rowid, parent)
            for t, rowid, parent, _ in self.db.execute("PRAGMA foreign_key_check")
        ]

    def migration_state(self) -> tuple[list[str], list[str]]:
        """(pending, unknown): migrations not yet applied, and applied ones this foibot
        does not know (a newer foibot wrote to the file)."""
        known = {m.name for m in migrations._migrations}
        pending = [m.name for m in migrations.pending(self.db)]
        unknown = [m.name for m in migrations.applied(self.db) if m.name not in known]
        return pending, unknown

    def columns(self, table: str) -> set[str]:
        return {row[1] for row in self.db.execute(f"PRAGMA table_info([{table}])")}

    def best_matches(
        self,
        sql: str,
        params: list,
        fts: str,
        campaign: str | None,
        group: str | None,
        limit: int,
    ) -> list[dict]:
        """An FTS5 query (`sql` ends in its WHERE clause, `r` its requests) narrowed to a
        campaign and a group, best first (`fts`'s rank), at most `limit` rows."""
        params = list(params)
        if campaign:
            sql += " AND r.campaign = ?"
            params.append(campaign)
        if group:
            sql += ' AND r."group" = ?'
            params.append(group)
        return list(self.db.query(f"{sql} ORDER BY {fts}.rank LIMIT ?", [*params, limit]))


def _rollback(conn: sqlite3.Connection) -> None:
    # After a full disk or an I/O error SQLite may already have rolled back itself.
    with contextlib.suppress(sqlite3.Error):
        conn.rollback()
