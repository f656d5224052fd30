"""The accounts of `foibot serve` (`users`): name, role and password hash."""

from __future__ import annotations

import datetime as dt

from bot.store.connection import StoreConnection, utcnow

ROLES = ("viewer", "editor")


class Users(StoreConnection):
    def users(self) -> list[dict]:
        """Every account, by name, without its password hash."""
        return list(
            self.db.query("SELECT name, role, created_at, last_login_at FROM users ORDER BY name")
        )

    def has_users(self) -> bool:
        return self.db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def user(self, name: str) -> dict | None:
        """An account with its password hash, or None."""
        rows = list(self.db.query("SELECT * FROM users WHERE name = ?", [name]))
        return rows[0] if rows else None

    def add_user(self, name: str, role: str, password_hash: str) -> None:
        # No session from before the account counts: not one of a name removed earlier.
        now = dt.datetime.now(dt.UTC)
        with self.transaction():
            self.db["users"].insert(
                {"name": name, "role": role, "password_hash": password_hash,
                 "created_at": now.isoformat(timespec="seconds"), "sessions_from": now.isoformat()}
            )  # fmt: skip

    def remove_user(self, name: str) -> bool:
        with self.transaction():
            return self.db.execute("DELETE FROM users WHERE name = ?", [name]).rowcount > 0

    def end_sessions(self, name: str, at: str) -> None:
        """Every session of the account started before `at` (UTC, ISO) ends: logging out
        on one browser logs out a copied cookie too."""
        with self.transaction():
            self.db.execute("UPDATE users SET sessions_from = ? WHERE name = ?", [at, name])

    def user_logged_in(self, name: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE users SET last_login_at = ? WHERE name = ?", [utcnow(), name])
