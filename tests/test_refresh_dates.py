"""Stored deadlines recomputed after a holiday-data change (Ingest.refresh_dates), in
batches per law and school flag, on a real SQLite store.

Hand-counted for a request received Mon 2 Mar 2026, with Fri 20 Mar 2026 added as a
UK-wide bank holiday in config: under FOIA (St Patrick's Day, Tue 17 Mar, also skipped)
the 20th working day moves from Tue 31 Mar to Wed 1 Apr, the 40th from Thu 30 Apr to
Fri 1 May (Good Friday 3 Apr and Easter Monday 6 Apr skipped), the 60th for a school is
Tue 2 Jun (4 and 25 May are bank holidays). Under FOISA (Scottish holidays: not 17 Mar, not
Easter Monday) the 20th moves from Mon 30 Mar to Tue 31 Mar and the 40th to Wed 29 Apr.
"""

from __future__ import annotations

from bot.config import load_config
from bot.rules.clock import ClockAdjust
from bot.store.db import Store
from bot.tracking.ingest import Ingest, holiday_key


def test_stale_dates_are_recomputed_per_law_school_and_extension(tmp_path):
    config_file = tmp_path / "config.toml"
    config_file.write_text('[requester]\nname = "A"\n[deadlines]\nextra_holidays = [2026-03-20]\n')
    config = load_config(config_file)
    store = Store(tmp_path / "foibot.db")
    eir_extended = ClockAdjust("2026-03-02", eir_extended=True).as_json()
    rows = [
        ("foi", "foi", 0, None, "old"),
        ("school", "foi", 1, None, "old"),
        ("foisa", "foisa", 0, None, "old"),
        ("foisa-school", "foisa", 1, None, "old"),  # the schools rule is FOIA's only
        ("eir-extended", "eir", 0, eir_extended, "old"),
        ("current", "foi", 0, None, holiday_key(config)),
        ("no-law", None, 0, None, None),  # law unknown: FOIA
    ]
    store.db["requests"].insert_all(
        {
            "ref": ref, "status": "waiting_response", "law": law, "is_school": school,
            "sent_on": "2026-03-02", "clock_adjust": adjust, "holiday_data": data,
            "due": "2000-01-01", "very_overdue_after": "2000-01-01",
        }
        for ref, law, school, adjust, data in rows
    )  # fmt: skip

    assert Ingest(store, config).refresh_dates() == 6

    got = {
        r["ref"]: (r["due"], r["very_overdue_after"], r["holiday_data"])
        for r in store.db.query("SELECT * FROM requests")
    }
    key = holiday_key(config)
    assert got == {
        "foi": ("2026-04-01", "2026-05-01", key),
        "school": ("2026-04-01", "2026-06-02", key),
        "foisa": ("2026-03-31", "2026-04-29", key),
        "foisa-school": ("2026-03-31", "2026-04-29", key),
        "eir-extended": ("2026-05-01", "2026-05-01", key),
        "current": ("2000-01-01", "2000-01-01", key),  # made with today's data: untouched
        "no-law": ("2026-04-01", "2026-05-01", key),
    }
    assert Ingest(store, config).refresh_dates() == 0  # nothing stale any more
