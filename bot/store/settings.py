"""Installation settings (`settings`: key -> value), and where `foibot mail` has got to:
a cursor per folder (`mail_cursor`) and the alert e-mails already handled
(`mail_handled`)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from bot.statuses import Status
from bot.store.connection import StoreConnection, utcnow


class Settings(StoreConnection):
    # -- installation settings ---------------------------------------------------------

    def setting(self, key: str) -> str | None:
        rows = list(self.db.query("SELECT value FROM settings WHERE key = ?", [key]))
        return rows[0]["value"] if rows else None

    def set_setting(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM settings WHERE key = ?", [key])
        else:
            self.db["settings"].upsert({"key": key, "value": value}, pk="key")

    def robots_txt(self, netloc: str) -> tuple[float, str] | None:
        """The robots.txt last fetched from `netloc`: (Unix time fetched, text); None if
        none is kept or what is kept is unreadable (it is fetched again)."""
        raw = self.setting(f"robots.txt {netloc}")
        try:
            kept = json.loads(raw) if raw else None
            return (float(kept["fetched_at"]), str(kept["text"])) if kept else None
        except (ValueError, KeyError, TypeError):
            return None

    def set_robots_txt(self, netloc: str, fetched_at: float, text: str) -> None:
        self.set_setting(
            f"robots.txt {netloc}", json.dumps({"fetched_at": fetched_at, "text": text})
        )

    def installation_id(self) -> str:
        """A random id made once per database, part of every `foibot:` tag it hands out."""
        current = self.setting("installation_id")
        if current:
            return current
        with self.transaction():
            self.db["settings"].insert(
                {"key": "installation_id", "value": secrets.token_hex(4)}, ignore=True
            )
        return self.setting("installation_id") or ""

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
                " WHERE wdtk_id IS NOT NULL OR status = ?",
                [Status.READY],
            )
        )
