"""Checks on the database and the files beside it: the file, its integrity, migrations,
what its rows say needs attention (orphaned drafts, undelivered news, polling), its
permissions and the run lock. All of them read; none writes."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

from bot import deadlines as dl
from bot.bodies import Body
from bot.campaigns.service import orphaned_drafts
from bot.config import Config
from bot.dates import format_uk
from bot.doctor.check import Check, failed, passed, warning
from bot.notify.send import channels
from bot.rules.schedule import (
    NEVER,
    PollPolicy,
    body_hours,
    classifies_soon,
    policy_for,
    scheduled_poll,
)
from bot.rules.withdrawal import stale_followups
from bot.store.db import Store
from bot.store.migrations import migrations
from bot.wording import first_few, plural

UNFOUND_AFTER = dt.timedelta(days=1)  # a released link not found on WDTK by then is worth a look


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that can neither create the file nor change it."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=5)


def check_database_file(path: Path) -> Check:
    try:
        exists = path.exists()
    except OSError as exc:  # a name too long: the config check has said which key
        return failed(
            "database", f"{str(path)[:80]}…: {exc.strerror}", "fix [storage] path in config.toml"
        )
    if not exists:
        parent = next((p for p in path.parents if p.exists()), None)
        if parent is not None and not os.access(parent, os.W_OK):
            return failed(
                "database",
                f"{path} does not exist and {parent} is not writable, so it cannot be created",
                f"make {parent} writable, or point [storage] path somewhere that is",
            )
        return passed("database", f"{path} does not exist yet; the first command creates it")
    if not path.is_file():
        return failed("database", f"{path} is not a file", "point [storage] path at a file")
    return passed("database", f"{path} ({path.stat().st_size / 1e6:.1f} MB)")


# SQLite's words for a file it could not reach, as against one it read and found wrong:
# a full or read-only disk, a missing permission (WAL needs the -shm file beside the
# database even to read), an I/O error. The file itself may be whole.
UNREACHABLE = ("disk I/O error", "unable to open", "readonly", "read-only", "disk is full",
               "authorization denied")  # fmt: skip


def database_error(name: str, path: Path, exc: sqlite3.DatabaseError) -> Check:
    """What a failed read of the database means, and what to do: never advice that would
    throw away a whole database because its disk is full or mounted read-only. The
    database checks after this one were not run, and the line says so."""
    skipped = "; the other database checks were not run"
    if "locked" in str(exc) or "busy" in str(exc):
        # A pass holding an exclusive lock is not damage: say so.
        return warning(
            name,
            f"{path}: could not read it just now: {exc}{skipped}",
            "run `foibot doctor` again when the current pass has finished",
        )
    if any(words in str(exc) for words in UNREACHABLE):
        return failed(
            name,
            f"{path}: could not read it here: {exc}{skipped}",
            f"check the disk it is on (free space, mounted read-write) and that this user may "
            f"write to {path.parent} and the files in it; the database itself may be fine, "
            "so keep it",
        )
    return failed(
        name,
        f"{path}: cannot read it as a database: {exc}{skipped}",
        f"copy {path.name} aside first; then restore it from a backup, try "
        f"`sqlite3 {path.name} .recover`, or start afresh (its history would be lost)",
    )


def check_integrity(store: Store, path: Path) -> Check:
    """Raises sqlite3.DatabaseError when the file is not a database at all."""
    rows = store.integrity_problems()
    if not rows:
        return passed("database integrity", "PRAGMA integrity_check: ok")
    return failed(
        "database integrity",
        f"PRAGMA integrity_check found {plural(len(rows), 'problem')}: {first_few(rows)}",
        f"stop foibot, copy {path.name} aside, then restore a backup or try "
        f"`sqlite3 {path.name} .recover`",
    )


def check_foreign_keys(store: Store) -> Check:
    rows = store.foreign_key_problems()
    if not rows:
        return passed("foreign keys", "PRAGMA foreign_key_check: no dangling references")
    found = [f"{table} row {rowid} → {parent}" for table, rowid, parent in rows]
    return failed(
        "foreign keys",
        f"{plural(len(rows), 'row')} with a dangling reference: {first_few(found)}",
        "these were written without foreign keys on (another tool?); restore a backup or "
        "re-create the missing rows",
    )


def check_migrations(store: Store) -> Check:
    pending, unknown = store.migration_state()
    known = {m.name for m in migrations._migrations}
    if unknown:
        return warning(
            "migrations",
            f"the database has migrations this foibot does not know: {first_few(unknown)}",
            "a newer foibot wrote to it: upgrade foibot before using this database",
        )
    if pending:
        return warning(
            "migrations",
            f"{plural(len(pending), 'migration')} pending (not applied): {', '.join(pending)}",
            "back the database up, then any foibot command (e.g. `foibot status`) applies them",
        )
    return passed("migrations", f"all {len(known)} applied")


def stored_bodies(store: Store, config: Config) -> dict[str, Body]:
    """The imported bodies the campaigns could reach, by the store's own query."""
    if "url_name" not in store.columns("bodies"):
        return {}
    known: dict[str, Body] = {}
    for campaign in config.campaigns:
        known.update(store.bodies_matching(campaign.bodies, campaign.body_tags))
    return known


def check_orphans(store: Store, config: Config) -> Check:
    """Unreleased drafts the config no longer asks for: never released, worth pruning."""
    found: list[str] = []
    for slug in store.campaign_slugs():
        orphans = orphaned_drafts(store, config, slug)
        if orphans:
            found.append(f"{slug}: {first_few(sorted(orphans))} ({next(iter(orphans.values()))})")
    if not found:
        return passed("orphaned drafts", "every unreleased draft is still asked for by the config")
    return warning(
        "orphaned drafts",
        "never released: " + "; ".join(found),
        "`foibot draft CAMPAIGN --prune` cancels them (or put the body back in the campaign)",
    )


def check_stale_followups(store: Store, config: Config, today: dt.date) -> Check:
    """Unsent follow-ups whose reason has gone (the body answered, the clock restarted, a
    review began): `launch` and `poll` withdraw them, but a store written before foibot
    did, or not polled or launched since, may still hold some."""
    name = "follow-ups"
    if "followups" not in store.db.table_names():
        return passed(name, "none drafted yet")
    unsent, requests, events = store.unsent_followup_cases()
    gone = stale_followups(unsent, requests, events, today, config)
    if not gone:
        return passed(name, "every unsent follow-up still has its reason")
    slugs = sorted({requests[w.request]["campaign"] or "" for w in gone} - {""})
    found = [f"{w.ref} ({w.note})" for w in gone]
    return warning(
        name,
        f"{plural(len(gone), 'unsent follow-up')} whose reason has gone: {first_few(found)}",
        "do not send them; "
        + (f"`foibot launch {slugs[0]}` withdraws them" if len(slugs) == 1
           else "`foibot launch CAMPAIGN` withdraws them")
        + " (or `foibot done REF --cancelled`)",
    )  # fmt: skip


def check_deliveries(store: Store, config: Config) -> Check:
    """News a notification channel failed to deliver: retried by later passes."""
    stuck = store.undelivered_counts()
    failing = {ch: n for ch, n in stuck.items() if n and ch in channels(config.notify)}
    if not failing:
        return passed("notifications", "every channel has delivered what it was sent")
    errors = store.last_delivery_errors()
    found = "; ".join(
        f"{ch}: {plural(n, 'item')} undelivered ({errors.get(ch, 'no error recorded')})"
        for ch, n in sorted(failing.items())
    )
    return warning(
        "notifications",
        found,
        "fix the channel (`foibot doctor --online` tries it); later passes retry it by themselves",
    )


def check_mailbox_reads(store: Store, config: Config, now: dt.datetime) -> Check:
    """[mailbox], offline: when the passes last read it without error (the safety net
    relaxes polling only while that is recent), and whether its password variable is set
    where doctor runs (cron's environment needs it too)."""
    from bot.mailbox.service import FAILED_KEY, OK_KEY, mailbox_healthy

    assert config.mailbox is not None
    env = config.mailbox.password_env
    unset = (
        f"; {env} is not set here, and every run that reads mail needs it"
        if not os.environ.get(env)
        else ""
    )
    settings = "settings" in store.db.table_names()  # an old database may not have one
    ok = store.setting(OK_KEY) if settings else None
    failed_at, _, why = ((store.setting(FAILED_KEY) if settings else None) or "").partition(" ")
    if failed_at and (ok is None or failed_at > ok):
        # The last read failed: say so now, not only once the safety net has lapsed.
        return warning(
            "mailbox",
            f"the last read failed, {format_uk(failed_at)} (UK): {why}{unset}",
            f"export {env}=… where foibot runs, then `foibot doctor --online` to try the login",
        )
    if ok is None:
        return warning(
            "mailbox", f"never read yet{unset}", "run `foibot mail` (or `foibot doctor --online`)"
        )
    last = dt.datetime.fromisoformat(ok)
    if not mailbox_healthy(store, now) or unset:
        return warning(
            "mailbox",
            f"last read without error {format_uk(last)} (UK){unset}; polls keep their normal "
            "rhythm until it is read again",
            f"export {env}=… where foibot runs, then `foibot doctor --online` to try the login",
        )
    return passed("mailbox", f"last read without error {format_uk(last)} (UK)")


def check_pass_costs(store: Store, now: dt.datetime) -> Check:
    """What the last day's passes cost WDTK and what they found: calls per change is the
    figure the poll schedule is tuned on (issue 32), and the one an operator can watch."""
    if "poll_passes" not in store.db.table_names():
        return passed("WDTK calls (24 h)", "not recorded yet (the database predates it)")
    cost = store.pass_costs((now - dt.timedelta(days=1)).astimezone(dt.UTC).isoformat())
    if not cost["passes"]:
        return passed("WDTK calls (24 h)", "no passes in the last day")
    per = (
        f": {cost['http_calls'] / cost['changes']:.1f} calls per change" if cost["changes"] else ""
    )
    return passed(
        "WDTK calls (24 h)",
        f"{plural(cost['passes'], 'pass', 'passes')} made {plural(cost['http_calls'], 'WDTK call')} "
        f"and found {plural(cost['changes'], 'change')}{per}",
    )


def check_learnt_schedule(store: Store, now: dt.datetime, config: Config | None) -> Check:
    """What the poll schedule has learnt from the store (issue 32), so an operator sees why
    a request is polled at 20:00 or a reply's evening is skipped: the bodies polled beyond
    office hours (body_hours), and whether each account classifies replies the same day
    (classifies_soon, which the mailbox's safety net follows)."""
    # As the poll pass learns it (Ingest.next_poll): the config's hours and holidays.
    office = (policy_for(config) if config else PollPolicy()).office
    calendar = config.calendar("foi") if config else dl.calendar_for("foi")
    bodies = []
    for body in store.replying_bodies():
        hours = body_hours(store.reply_times(body), office, calendar)
        if hours is not None:
            weekends = "" if hours.working_days else " and weekends"
            bodies.append(f"{body} {hours.start:%H:%M}-{hours.end:%H:%M}{weekends}")
    habits = {True: "yes", False: "seldom", None: "not known yet"}
    users = [
        f"{user} {habits[classifies_soon(store.classification_events(user), now)]}"
        for user in store.requesters()
    ]
    if not users:
        return passed("poll schedule learnt", "nothing yet: no requests on WDTK")
    beyond = f"{len(bodies)}: {first_few(bodies)}" if bodies else "none"
    return passed(
        "poll schedule learnt",
        f"bodies polled beyond office hours: {beyond}; "
        f"classifies replies the same day: {first_few(users)}",
    )


def check_outage(store: Store) -> Check | None:
    """A WDTK outage in progress, as the passes recorded it (one probe a pass, backing off);
    None when none is."""
    from bot.tracking.poll import OUTAGE_KEY, PROBE_KEY

    if "settings" not in store.db.table_names():
        return None
    since = store.setting(OUTAGE_KEY)
    if since is None:
        return None
    probe = store.setting(PROBE_KEY)
    then = f"; the next pass probes at {probe}" if probe else ""
    return warning(
        "WDTK reachable",
        f"unreachable since {since}, as the last pass found it{then}",
        "nothing to do if WDTK is down for everyone; `foibot poll` probes now, and "
        "`foibot doctor --online` says what answers",
    )


def check_poll_state(store: Store, now: dt.datetime) -> list[Check]:
    """Requests failing to poll, requests no longer polled, and released links never seen
    on WDTK: the things a campaigner would otherwise only notice as silence."""
    wanted = {"poll_error", "poll_failures", "next_poll_at", "wdtk_id", "released_at", "status"}
    if not wanted <= store.columns("requests"):
        return [passed("poll errors", "no requests tracked yet")]
    failing = store.failing_polls(NEVER)
    stopped = store.stopped_polls(NEVER)
    unfound = store.unfound_released((now - UNFOUND_AFTER).isoformat())

    checks = []
    outage = check_outage(store)
    if outage is not None:
        checks.append(outage)
    if failing:
        worst = failing[0]
        retries = sorted(filter(None, (scheduled_poll(r["next_poll_at"]) for r in failing)))
        checks.append(
            warning(
                "poll errors",
                f"{plural(len(failing), 'request')} failing to poll: "
                f"{first_few([r['ref'] for r in failing])}; longest failing {worst['ref']} "
                f"({plural(worst['poll_failures'] or 1, 'failure')} in a row: "
                f"{worst['poll_error']})"
                + (f"; next retry {format_uk(retries[0])} (UK)" if retries else ""),
                "foibot retries these by itself; if they keep failing, `foibot show <ref>` "
                "and `foibot doctor --online`",
            )
        )
    else:
        checks.append(passed("poll errors", "none"))
    if stopped:
        found = [f"{r['ref']} ({r['poll_error'] or r['status']})" for r in stopped]
        checks.append(
            warning(
                "stopped polling",
                f"{plural(len(stopped), 'request')} no longer polled: {first_few(found)}",
                "they were hidden or removed on WDTK; check their pages, and "
                "`foibot link <ref> <url>` if one moved",
            )
        )
    else:
        checks.append(passed("stopped polling", "none"))
    if unfound:
        gave_up = [r["ref"] for r in unfound if r["next_poll_at"] == NEVER]
        looking = [r["ref"] for r in unfound if r["next_poll_at"] != NEVER]
        parts = []
        if gave_up:
            parts.append(f"no longer looked for: {first_few(gave_up)}")
        if looking:
            parts.append(f"still looked for: {first_few(looking)}")
        checks.append(
            warning(
                "unfound requests",
                f"{plural(len(unfound), 'released request')} not found on WDTK after a day "
                f"({'; '.join(parts)})",
                "send any you have not sent from the launch sheet; for ones you did send, "
                "`foibot link <ref> <url>`",
            )
        )
    else:
        checks.append(passed("unfound requests", "every request released over a day ago is linked"))
    return checks


def check_permissions(path: Path) -> Check:
    files = [
        p
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}.lock"))
        if p.exists()
    ]
    # Every pass writes: a file or folder this user cannot write (mode, owner, read-only
    # mount, `chattr +i`) fails each cron run, so say it now. os.access asks the kernel,
    # which knows all of these, even for root.
    stuck = [p for p in (*files, path.parent) if not os.access(p, os.W_OK)]
    if stuck:
        return failed(
            "database permissions",
            f"this user cannot write {', '.join(str(p) for p in stuck)}: every poll, "
            "launch and record would fail",
            "give this user write access to the database and its folder (and check the "
            "file system is not read-only, and `lsattr` shows no i)",
        )
    # The database records who asked which body what; nobody else on the machine needs it.
    loose = [p for p in files if p.stat().st_mode & 0o077]
    if loose:
        modes = [f"{p.name} ({stat.filemode(p.stat().st_mode)})" for p in loose]
        return warning(
            "database permissions",
            f"readable or writable by others: {', '.join(modes)}",
            "chmod 600 " + " ".join(str(p) for p in loose),
        )
    return passed("database permissions", f"owner-only ({', '.join(p.name for p in files)})")


def lock_holders(lock: Path, proc_locks: str) -> list[int] | None:
    """Pids holding a flock on `lock`, from /proc/locks; None when that cannot be read.
    Reading /proc/locks is exact and changes nothing, where trying the lock ourselves
    could make a cron pass starting at that instant think another was running."""
    try:
        st = lock.stat()
    except OSError:
        return None
    device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    holders = []
    for line in proc_locks.splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 21319 fe:00:2171812 0 EOF"; "->" marks a waiter.
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == device:
            holders.append(int(fields[4]))
    return holders


def check_lock(db_path: Path) -> Check:
    lock = Path(f"{db_path}.lock")
    try:
        text = lock.read_text().strip()
    except FileNotFoundError:
        return passed("run lock", "no pass has run yet")
    except OSError as exc:
        return warning("run lock", f"{lock}: {exc}", f"make {lock} readable by this user")
    try:
        holders = lock_holders(lock, Path("/proc/locks").read_text())
    except OSError:  # not Linux: fall back to asking whether the recorded pid lives
        holders = None
    if holders is None:
        holders = [int(text)] if text.isdigit() and _alive(int(text)) else []
    if holders:
        return passed("run lock", f"a pass is running now (pid {holders[0]})")
    if text:
        # flock died with the process, so nothing is blocked: the pid is just left over.
        return passed("run lock", f"no pass running (the last one, pid {text}, was cut short)")
    return passed("run lock", "no pass running")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: does the process exist?
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user
    return True
