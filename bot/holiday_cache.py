"""A disk cache of the bank-holiday tables the `holidays` package generates.

Importing `holidays` and generating 2005–2100 for the four UK nations takes about a
second (bench/holiday_cache_saving.py measures it), and every command that shows a date
needs the tables. The cache is keyed on the installed package's files, so an upgrade of `holidays` (new
proclaimed days) is picked up at once. A cache file that cannot be read back whole, for
any reason, is as if it were not there: the table is built and the file written again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path

FORMAT = 4  # JSON: {"YYYY-MM-DD": name}


def _cache_dir() -> Path:
    if os.environ.get("FOIBOT_CACHE_DIR"):
        return Path(os.environ["FOIBOT_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "foibot"


def _package_key(depends_on: str | None = None) -> str | None:
    spec = importlib.util.find_spec("holidays")  # locates without importing
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    parts = [str(FORMAT)]
    files = [root / rel for rel in ("__init__.py", "version.py", "countries/united_kingdom.py")]
    for path in [*files, *([Path(depends_on)] if depends_on else [])]:
        stat = path.stat()
        parts.append(f"{path}:{stat.st_mtime_ns}:{stat.st_size}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def cached_holidays(
    name: str, build: Callable[[], dict[dt.date, str]], depends_on: str | None = None
) -> dict[dt.date, str]:
    """The table `build` makes, from the cache when the `holidays` package (and the file
    `depends_on`, when the table is derived by code there) has not changed since."""
    try:
        key = _package_key(depends_on)
        path = _cache_dir() / f"holidays-{name}-{key}.json"
    except (OSError, ValueError, AttributeError):
        key = None
    if key:
        try:
            return _read(path.read_text("utf-8"))
        except (OSError, ValueError, TypeError, AttributeError):
            pass  # not cached yet, or damaged: built, and written (again)
    data = build()
    if key:
        from bot.errors import FoibotError
        from bot.safe_files import write_atomic

        text = json.dumps({d.isoformat(): n for d, n in data.items()})
        # Whole or not at all: a reader never sees half a file. Unwritable: built next time.
        with contextlib.suppress(FoibotError):
            write_atomic(path, text.encode("utf-8"), what="holiday cache")
    return data


def _read(text: str) -> dict[dt.date, str]:
    """The table from its cached text; ValueError (or TypeError) when it is not one."""
    table = {dt.date.fromisoformat(day): name for day, name in json.loads(text).items()}
    if not all(isinstance(name, str) for name in table.values()):
        raise ValueError("a holiday's name is not text")
    return table
