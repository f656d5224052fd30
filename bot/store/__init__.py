"""The database: the one place that holds SQL (`db`), and its schema as migrations.

`Store` and `utcnow` load on first use, so that importing bot.store.reader (read-only
commands on a current database) does not import sqlite-utils."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store.db import Store, utcnow

__all__ = ["Store", "utcnow"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bot.store import db

        return getattr(db, name)
    raise AttributeError(f"module 'bot.store' has no attribute {name!r}")
