"""The database: the one place that holds SQL (`db`), and its schema as migrations."""

from bot.store.db import Store, utcnow

__all__ = ["Store", "utcnow"]
