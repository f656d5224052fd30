"""A disk cache of the bank-holiday tables the `holidays` package generates.

Generating 2005–2035 for four UK nations takes about a quarter of a second (most of it
importing `holidays`, which loads every country it knows); `foibot status` from cron
should not pay that on every call. The cache is keyed on the installed package's files,
so an upgrade of `holidays` (new proclaimed days) is picked up at once. Any problem with
the cache means building the table as if it were not there.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import zlib
from collections.abc import Callable
from pathlib import Path

# 3: one "YYYY-MM-DD<TAB>name" line a day (json cost every command 2 ms to import), then
# "#end <days>", so that an empty or cut-short file reads as damaged, never as fewer days.
FORMAT = 3


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
    # Two checksums of the stamps (not a cryptographic hash: nothing here is secret, and
    # hashlib's OpenSSL binding costs every command 4 ms to import).
    data = "|".join(parts).encode()
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def cached_holidays(
    name: str, build: Callable[[], dict[dt.date, str]], depends_on: str | None = None
) -> dict[dt.date, str]:
    """The table `build` makes, from the cache when the `holidays` package (and the file
    `depends_on`, when the table is derived by code there) has not changed since."""
    try:
        key = _package_key(depends_on)
        path = _cache_dir() / f"holidays-{name}-{key}.tsv"
    except (OSError, ValueError, AttributeError):
        key = None
    if key:
        try:
            return _read(path.read_text("utf-8"))
        except (OSError, ValueError):
            pass  # not cached yet, or damaged: built, and written (again)
    data = build()
    text = "".join(f"{d.isoformat()}\t{n}\n" for d, n in data.items()) + f"#end {len(data)}\n"
    if key and _reads_back(text, data):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(text, "utf-8")
            tmp.replace(path)
        except OSError:
            pass
    return data


def _read(text: str) -> dict[dt.date, str]:
    """The table from its cached text; ValueError when any line is not a day and a name."""
    lines = text.split("\n")
    if lines.pop() or not lines or lines.pop() != f"#end {len(lines)}":
        raise ValueError("a cached holiday table ends with '#end <days>' and a line break")
    table = {}
    for line in lines:
        day, tab, holiday = line.partition("\t")
        if not tab:
            raise ValueError(f"not a cached holiday: {line!r}")
        table[dt.date.fromisoformat(day)] = holiday
    return table


def _reads_back(text: str, data: dict[dt.date, str]) -> bool:
    """Whether the cached text gives the table again (a name with a line break would not:
    such a table is built every time instead)."""
    try:
        return _read(text) == data
    except ValueError:
        return False
