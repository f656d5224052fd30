"""Whether the bank-holiday data covers the deadlines foibot computes and stores."""

from __future__ import annotations

import datetime as dt

from bot import deadlines as dl
from bot.config import Config
from bot.doctor.check import Check, failed, passed, warning
from bot.store.db import Store


def one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def latest_stored_date(store: Store) -> dt.date | None:
    """The latest deadline the database holds (None without requests)."""
    if not {"due", "very_overdue_after"} <= store.columns("requests"):
        return None
    latest = store.latest_stored_date()
    try:
        return dt.date.fromisoformat(latest) if latest else None
    except ValueError:
        return None


def check_holidays(config: Config | None, today: dt.date, latest: dt.date | None = None) -> Check:
    """`latest`: the latest deadline stored; dates after the newest proclaimed year in the
    holiday data are rule-based projections, so a one-off proclaimed later is missing."""
    extra = config.extra_holidays if config else ()
    remove = config.remove_holidays if config else ()
    ahead = one_year_after(today)
    version = dl.holiday_data_version()
    overrides = [f"+{d.isoformat()}" for d in extra] + [f"-{d.isoformat()}" for d in remove]
    note = f"{version}; [deadlines] overrides: {', '.join(overrides) if overrides else 'none'}"
    try:
        calendars = [dl.calendar_for(law, extra, remove) for law in dl.LAWS]
    except dl.DeadlineError as exc:
        return failed("bank holidays", f"[deadlines] {exc} ({note})", "fix the date in config.toml")
    try:
        for calendar in calendars:
            # A request made in a year's time still needs its deadline computed.
            calendar.is_working_day(ahead)
    except dl.DeadlineError as exc:
        return failed(
            "bank holidays",
            f"not covered 12 months ahead: {exc} ({note})",
            "upgrade foibot (and the holidays package) for newer bank-holiday data",
        )
    proclaimed = dl.proclaimed_through()
    if latest is not None and latest.year > proclaimed:
        return warning(
            "bank holidays",
            f"stored deadlines run to {latest.isoformat()}, but the holiday data's proclaimed "
            f"days end in {proclaimed}: later years are projections of the usual rules and "
            f"may miss one-off bank holidays ({note})",
            "upgrade the holidays package when new bank holidays are proclaimed, or add them "
            "under [deadlines] extra_holidays",
        )
    return passed(
        "bank holidays",
        f"{', '.join(dl.LAWS)} covered to {ahead.isoformat()} and beyond "
        f"(data ends {dl.LAST_YEAR}-12-31; years after {proclaimed} are projections; {note})",
    )
