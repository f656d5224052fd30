"""The disk cache of bank-holiday tables (bot/holiday_cache.py): a table is built once and
read back the same; a damaged cache file is rebuilt over."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.holiday_cache import cached_holidays

D = dt.date


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FOIBOT_CACHE_DIR", str(tmp_path))
    return tmp_path


def _counting(table: dict[dt.date, str]):
    calls = []

    def build() -> dict[dt.date, str]:
        calls.append(1)
        return dict(table)

    return build, calls


def test_a_table_is_built_once_and_read_back_the_same(cache_dir: Path) -> None:
    table = {D(2026, 12, 25): "Christmas Day", D(2026, 12, 28): "Boxing Day (substitute day)",
             D(2027, 1, 4): "2 January (substitute day) [Scotland only]"}  # fmt: skip
    build, calls = _counting(table)
    assert cached_holidays("t", build) == table
    assert cached_holidays("t", build) == table
    assert len(calls) == 1
    (written,) = cache_dir.glob("holidays-t-*")
    assert '"2026-12-25": "Christmas Day"' in written.read_text("utf-8")


def test_a_damaged_cache_is_rebuilt(cache_dir: Path) -> None:
    table = {D(2026, 5, 4): "May Day", D(2026, 5, 25): "Spring bank holiday"}
    build, calls = _counting(table)
    cached_holidays("t", build)
    (written,) = cache_dir.glob("holidays-t-*")
    whole = written.read_text("utf-8")
    damages = [
        "",  # an empty file
        whole[: len(whole) // 2],  # cut short
        "[]",  # JSON, but not a table
        whole.replace('"May Day"', "3"),
        whole.replace("2026-05-04", "2026-13-04"),
    ]
    for damage in damages:
        written.write_text(damage, "utf-8")
        assert cached_holidays("t", build) == table, repr(damage)
    assert len(calls) == 1 + len(damages)
    assert cached_holidays("t", build) == table and len(calls) == 1 + len(damages)  # rewritten


@pytest.mark.parametrize("name", ["Two\nlines", "Tab\tinside", "Line\u2028separator", ""])
def test_any_name_comes_back_as_it_was(cache_dir: Path, name: str) -> None:
    table = {D(2026, 8, 31): name, D(2026, 12, 25): "Christmas Day"}
    build, calls = _counting(table)
    assert cached_holidays("t", build) == table
    assert cached_holidays("t", build) == table
    assert len(calls) == 1
