"""`foibot doctor`: look the project over and say what to fix. Reads; never writes.

Each check returns `Check` values rather than printing or raising, so the CLI can show a
checklist, emit JSON, and pick an exit code, and tests can ask about one check at a time.
The database is opened read-only (``mode=ro``): doctor must neither create a missing file
nor apply pending migrations, because either would hide the very problem it reports.

The checks live by what they look at: config_checks (config.toml, templates, the WDTK
account), database_checks (the file, its rows, the run lock), holiday_checks, and
online_checks (WDTK, the mailbox, notification channels; loaded only for --online).
This module runs them in the order a campaigner would fix things.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing, nullcontext
from pathlib import Path

from bot.bodies import Body
from bot.dates import london_today
from bot.doctor.check import Check, failed, warning
from bot.doctor.config_checks import (
    check_campaign_templates,
    check_config,
    check_followup_templates,
    check_release_identity,
    fallback_db_path,
)
from bot.doctor.database_checks import (
    check_database_file,
    check_deliveries,
    check_foreign_keys,
    check_integrity,
    check_learnt_schedule,
    check_lock,
    check_mailbox_reads,
    check_migrations,
    check_orphans,
    check_pass_costs,
    check_permissions,
    check_poll_state,
    check_stale_followups,
    database_error,
    open_read_only,
    stored_bodies,
)
from bot.doctor.holiday_checks import check_holidays, latest_stored_date
from bot.store.db import Store

__all__ = ["Check", "run_checks", "summary"]


def run_checks(
    config_path: str | Path,
    db_path: str | Path | None = None,
    *,
    now: dt.datetime | None = None,
    online: bool = False,
) -> list[Check]:
    """Every check, in the order a campaigner would fix things. `db_path` overrides the
    config's [storage] path (the --db option)."""
    return list(_checks(config_path, db_path, now or dt.datetime.now(dt.UTC), online))


def _checks(
    config_path: str | Path, db_path: str | Path | None, now: dt.datetime, online: bool
) -> Iterator[Check]:
    today = london_today(now)
    config_check, config = check_config(config_path)
    yield config_check
    if config is not None:
        yield from check_release_identity(config)

    path = Path(db_path) if db_path else config.db_path if config else fallback_db_path(config_path)
    conn = None
    if path is None:
        yield warning(
            "database", "not checked: the config file is unreadable", "fix config.toml first"
        )
    else:
        file_check = check_database_file(path)
        yield file_check
        if file_check.ok and path.exists():
            try:
                conn = open_read_only(path)
            except sqlite3.DatabaseError as exc:
                yield database_error("database integrity", path, exc)

    with closing(conn) if conn else nullcontext():
        stored: dict[str, Body] = {}
        latest: dt.date | None = None
        if conn is not None:
            stage = "database integrity"  # the first query is where a non-database shows
            try:
                store = Store.over(conn, path)  # read-only: nothing is created or migrated
                yield check_integrity(store, path)
                stage = "database queries"
                yield check_foreign_keys(store)
                yield check_migrations(store)
                if config is not None:
                    stored = stored_bodies(store, config)
                    yield check_orphans(store, config)
                    yield check_stale_followups(store, config, today)
                    if "news_deliveries" in store.db.table_names():
                        yield check_deliveries(store, config)
                yield from check_poll_state(store, now)
                yield check_pass_costs(store, now)
                if config is not None and config.mailbox is not None:
                    yield check_mailbox_reads(store, config, now)
                yield check_learnt_schedule(store, now, config)
                latest = latest_stored_date(store)
            except sqlite3.DatabaseError as exc:
                yield database_error(stage, path, exc)
        if path is not None and file_check.ok and path.is_file():
            yield check_permissions(path)
            yield check_lock(path)

        if config is not None:
            yield from check_campaign_templates(config, stored, today, conn is not None)
            yield check_followup_templates(config)
        else:
            yield warning("templates", "not checked: the config did not load", "fix it first")
        yield check_holidays(config, today, latest)

    if online:
        if config is None:
            yield failed("WDTK (online)", "not checked: the config did not load", "fix it first")
        else:
            # Only --online loads the HTTP, IMAP and SMTP clients.
            from bot.doctor import online_checks

            yield (wdtk := online_checks.check_online(config))
            if wdtk.ok:  # a WDTK that does not answer would fail each body the same way
                yield from online_checks.check_declared_bodies(config)
            if config.mailbox is not None:
                yield online_checks.check_mailbox(config)
            yield from online_checks.check_notify_online(config)


def summary(checks: list[Check]) -> dict[str, int]:
    counts = {"ok": 0, "warn": 0, "error": 0}
    for check in checks:
        counts[check.level] += 1
    return counts
