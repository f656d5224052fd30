"""`foibot doctor`: look the project over and say what to fix. Reads; never writes.

Each check returns `Check` values rather than printing or raising, so the CLI can show a
checklist, emit JSON, and pick an exit code, and tests can ask about one check at a time.
The database is opened read-only (``mode=ro``): doctor must neither create a missing file
nor apply pending migrations, because either would hide the very problem it reports.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import time
import tomllib
from collections.abc import Iterator
from contextlib import closing, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from bot.errors import ConfigError
from bot.store.db import Store

if TYPE_CHECKING:
    from bot.bodies import Body
    from bot.config import Config

Level = Literal["ok", "warn", "error"]
ROBOTS_PROBE = "/request/1.json"  # what polling fetches; robots.txt must allow it
UNFOUND_AFTER = dt.timedelta(days=1)  # a released link not found on WDTK by then is worth a look
LIST_AT_MOST = 5


@dataclass(frozen=True)
class Check:
    """One line of the checklist. `ok` is False only for errors: a warning passes."""

    name: str
    ok: bool
    level: Level
    message: str
    fix: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def passed(name: str, message: str) -> Check:
    return Check(name, True, "ok", message)


def warning(name: str, message: str, fix: str) -> Check:
    return Check(name, True, "warn", message, fix)


def failed(name: str, message: str, fix: str) -> Check:
    return Check(name, False, "error", message, fix)


def _some(items: list[str]) -> str:
    shown = ", ".join(items[:LIST_AT_MOST])
    return shown + (f" and {len(items) - LIST_AT_MOST} more" if len(items) > LIST_AT_MOST else "")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


# --- config and templates --------------------------------------------------------------


def check_config(path: str | Path) -> tuple[Check, Config | None]:
    from bot.config import load_config

    try:
        config = load_config(path)
    except ConfigError as exc:
        return failed("config", str(exc), f"edit {path} at the file and key named"), None
    return (
        passed(
            "config",
            f"{config.path.name} is valid: {_plural(len(config.campaigns), 'campaign')}, "
            f"{_plural(len(config.bodies), 'body', 'bodies')} declared",
        ),
        config,
    )


def fallback_db_path(config_path: str | Path) -> Path | None:
    """Where the database is when config.toml parses as TOML but does not validate, so a
    typo in a campaign does not also hide the state of the database."""
    path = Path(config_path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    storage = raw.get("storage", {})
    value = storage.get("path", "state/foibot.db") if isinstance(storage, dict) else None
    return path.resolve().parent / value if isinstance(value, str) and value.strip() else None


def sample_bodies(bodies: list[Body]) -> list[Body]:
    """One requestable body per law and school-ness: templates branch on those (Scottish
    wording, the schools' limit), so each branch gets rendered once without rendering a
    10,000-body campaign in full."""
    seen: dict[tuple[str, bool], Body] = {}
    for body in bodies:
        if body.requestable:
            seen.setdefault((body.law, body.is_school), body)
    return list(seen.values())


def check_campaign_templates(
    config: Config, stored: dict[str, Body], today: dt.date, have_db: bool
) -> list[Check]:
    """Every campaign's title and letter compile and render, and pass WDTK's rules, for a
    sample of its bodies. `stored` holds bodies from the database (imported from WDTK)."""
    from bot.campaigns.drafting import Renderer, render_campaign, select_bodies
    from bot.campaigns.service import config_bodies
    from bot.errors import TemplateError

    known = {**stored, **{b.url_name: b for b in config_bodies(config)}}
    checks = []
    for campaign in config.campaigns:
        name = f"campaign {campaign.slug}"
        try:
            bodies = select_bodies(campaign, known, config.path.name)
        except ConfigError as exc:
            where = "" if have_db else " (there is no database yet, so no imported bodies)"
            checks.append(
                failed(
                    name,
                    f"{exc}{where}",
                    "fix the name, declare the body under [bodies], or `foibot bodies import`",
                )
            )
            continue
        sample = sample_bodies(bodies)
        if not sample:
            checks.append(
                warning(
                    name,
                    f"no requestable body among its {len(bodies)}, so its letter was not rendered",
                    "add bodies (or `foibot bodies import` for body_tags) to the campaign",
                )
            )
            continue
        try:
            _, _, bad = render_campaign(Renderer(config, campaign, today), sample)
            if bad:
                raise TemplateError(bad[0].reason)
        except TemplateError as exc:
            checks.append(
                failed(
                    name,
                    str(exc),
                    "fix the template at that line; it sees body, requester, campaign, today "
                    "and the campaign's vars",
                )
            )
            continue
        checks.append(
            passed(
                name,
                f"title and letter render for {_some([b.url_name for b in sample])} "
                f"({_plural(len(bodies), 'body', 'bodies')} in all)",
            )
        )
    return checks


def check_followup_templates(config: Config) -> Check:
    from bot.errors import TemplateError
    from bot.followups import KINDS
    from bot.followups.service import template_for
    from bot.templating import builtin_dir

    problems, own = [], []
    for kind in KINDS:
        try:
            _, where = template_for(config, kind)
        except TemplateError as exc:
            problems.append(str(exc))
            continue
        if not Path(where).resolve().is_relative_to(builtin_dir().resolve()):
            own.append(kind)
    if problems:
        return failed(
            "follow-up templates",
            "; ".join(problems),
            "fix the template at that line (or delete it to use foibot's own)",
        )
    whose = f" (the project's own: {', '.join(own)})" if own else ""
    return passed("follow-up templates", f"{', '.join(KINDS)} compile{whose}")


# --- the database ----------------------------------------------------------------------


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that can neither create the file nor change it."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=5)


def check_release_identity(config: Config) -> list[Check]:
    """Releasing needs to know which WDTK account is the user's; WDTK needs a contact."""
    from bot.config import EXAMPLE_CONTACT, EXAMPLE_USER

    checks = []
    user = config.wdtk.user
    if not user or user == EXAMPLE_USER:
        checks.append(
            warning(
                "WDTK user",
                f"[wdtk] user is {user or 'unset'!r}: `launch` and `run` release nothing, and "
                "follow-ups are drafted for no request",
                "set [wdtk] user to your WDTK profile's url_name (the part after /user/)",
            )
        )
    else:
        checks.append(passed("WDTK user", f"requests are matched to WDTK user {user}"))
    if config.wdtk.contact == EXAMPLE_CONTACT:
        checks.append(
            warning(
                "WDTK contact",
                f"[wdtk] contact is the example {EXAMPLE_CONTACT!r}: WDTK could not reach you",
                "set [wdtk] contact to an address you read; it goes in the User-Agent",
            )
        )
    return checks


def check_orphans(store: Store, config: Config) -> Check:
    """Unreleased drafts the config no longer asks for: never released, worth pruning."""
    from bot.campaigns.service import orphaned_drafts

    found: list[str] = []
    for slug in store.campaign_slugs():
        orphans = orphaned_drafts(store, config, slug)
        if orphans:
            found.append(f"{slug}: {_some(sorted(orphans))} ({next(iter(orphans.values()))})")
    if not found:
        return passed("orphaned drafts", "every unreleased draft is still asked for by the config")
    return warning(
        "orphaned drafts",
        "never released: " + "; ".join(found),
        "`foibot draft CAMPAIGN --prune` cancels them (or put the body back in the campaign)",
    )


def check_database_file(path: Path) -> Check:
    if not path.exists():
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


def check_integrity(store: Store, path: Path) -> Check:
    """Raises sqlite3.DatabaseError when the file is not a database at all."""
    rows = store.integrity_problems()
    if not rows:
        return passed("database integrity", "PRAGMA integrity_check: ok")
    return failed(
        "database integrity",
        f"PRAGMA integrity_check found {_plural(len(rows), 'problem')}: {_some(rows)}",
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
        f"{_plural(len(rows), 'row')} with a dangling reference: {_some(found)}",
        "these were written without foreign keys on (another tool?); restore a backup or "
        "re-create the missing rows",
    )


def check_migrations(store: Store) -> Check:
    from bot.store.migrations import migrations

    pending, unknown = store.migration_state()
    known = {m.name for m in migrations._migrations}
    if unknown:
        return warning(
            "migrations",
            f"the database has migrations this foibot does not know: {_some(unknown)}",
            "a newer foibot wrote to it: upgrade foibot before using this database",
        )
    if pending:
        return warning(
            "migrations",
            f"{_plural(len(pending), 'migration')} pending (not applied): {', '.join(pending)}",
            "back the database up, then any foibot command (e.g. `foibot status`) applies them",
        )
    return passed("migrations", f"all {len(known)} applied")


def check_permissions(path: Path) -> Check:
    files = [
        p
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}.lock"))
        if p.exists()
    ]
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


def database_error(name: str, path: Path, exc: sqlite3.DatabaseError) -> Check:
    if "locked" in str(exc) or "busy" in str(exc):
        # A pass holding an exclusive lock is not damage: say so.
        return warning(
            name,
            f"{path}: could not read it just now: {exc}",
            "run `foibot doctor` again when the current pass has finished",
        )
    return failed(
        name,
        f"{path}: cannot read it as a database: {exc}",
        f"restore {path.name} from a backup, or move it aside to start afresh "
        "(its history would be lost)",
    )


def check_poll_state(store: Store, now: dt.datetime) -> list[Check]:
    """Requests failing to poll, requests no longer polled, and released links never seen
    on WDTK: the things a campaigner would otherwise only notice as silence."""
    from bot.dates import format_uk
    from bot.tracking.schedule import NEVER

    wanted = {"poll_error", "poll_failures", "next_poll_at", "wdtk_id", "released_at", "status"}
    if not wanted <= store.columns("requests"):
        return [passed("poll errors", "no requests tracked yet")]
    failing = store.failing_polls(NEVER)
    stopped = store.stopped_polls(NEVER)
    unfound = store.unfound_released((now - UNFOUND_AFTER).isoformat())

    checks = []
    if failing:
        worst = failing[0]
        retries = sorted(r["next_poll_at"] for r in failing if r["next_poll_at"])
        checks.append(
            warning(
                "poll errors",
                f"{_plural(len(failing), 'request')} failing to poll: "
                f"{_some([r['ref'] for r in failing])}; longest failing {worst['ref']} "
                f"({_plural(worst['poll_failures'] or 1, 'failure')} in a row: "
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
                f"{_plural(len(stopped), 'request')} no longer polled: {_some(found)}",
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
            parts.append(f"no longer looked for: {_some(gave_up)}")
        if looking:
            parts.append(f"still looked for: {_some(looking)}")
        checks.append(
            warning(
                "unfound requests",
                f"{_plural(len(unfound), 'released request')} not found on WDTK after a day "
                f"({'; '.join(parts)})",
                "send any you have not sent from the launch sheet; for ones you did send, "
                "`foibot link <ref> <url>`",
            )
        )
    else:
        checks.append(passed("unfound requests", "every request released over a day ago is linked"))
    return checks


def stored_bodies(store: Store, config: Config) -> dict[str, Body]:
    """The imported bodies the campaigns could reach, by the store's own query."""
    if "url_name" not in store.columns("bodies"):
        return {}
    known: dict[str, Body] = {}
    for campaign in config.campaigns:
        known.update(store.bodies_matching(campaign.bodies, campaign.body_tags))
    return known


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


# --- bank holidays ---------------------------------------------------------------------


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
    from bot import deadlines as dl

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


# --- WDTK, online ----------------------------------------------------------------------


def check_deliveries(store: Store, config: Config) -> Check:
    """News a notification channel failed to deliver: retried by later passes."""
    from bot.notify.send import channels

    stuck = store.undelivered_counts()
    failing = {ch: n for ch, n in stuck.items() if n and ch in channels(config.notify)}
    if not failing:
        return passed("notifications", "every channel has delivered what it was sent")
    errors = store.last_delivery_errors()
    found = "; ".join(
        f"{ch}: {_plural(n, 'item')} undelivered ({errors.get(ch, 'no error recorded')})"
        for ch, n in sorted(failing.items())
    )
    return warning(
        "notifications",
        found,
        "fix the channel (`foibot doctor --online` tries it); later passes retry it by themselves",
    )


def check_notify_online(config: Config) -> list[Check]:
    """The SMTP login (no message sent) and whether the webhook answers at all."""
    import os
    import smtplib
    import urllib.error
    import urllib.request

    checks = []
    email = config.notify.email
    if email is not None:
        password = os.environ.get(email.password_env, "") if email.password_env else ""
        try:
            with smtplib.SMTP(email.host, email.port, timeout=15) as smtp:
                if email.starttls:
                    smtp.starttls()
                if email.user:
                    smtp.login(email.user, password)
            checks.append(passed("e-mail (online)", f"{email.host}:{email.port} accepts the login"))
        except (OSError, smtplib.SMTPException) as exc:
            checks.append(
                failed(
                    "e-mail (online)",
                    f"{email.host}:{email.port}: {type(exc).__name__}: {exc}",
                    "check [notify.email] host, port, starttls, user and the password variable",
                )
            )
    if config.notify.webhook_url:
        url = config.notify.webhook_url
        request = urllib.request.Request(url, method="HEAD")
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code  # it answered: a webhook that takes only POST says 405
        except OSError as exc:
            checks.append(
                failed("webhook (online)", f"{url}: {exc}", "check [notify.webhook] url")
            )
            return checks
        message = f"answers HEAD with HTTP {status} (digests are POSTed)"
        checks.append(
            passed("webhook (online)", message)
            if status < 500
            else failed("webhook (online)", message, "check [notify.webhook] url")
        )
    return checks


def check_online(config: Config) -> Check:
    """One GET of robots.txt: does WDTK answer, and may foibot poll request JSON?"""
    from bot.wdtk.client import WdtkClient
    from bot.wdtk.errors import WdtkError
    from bot.wdtk.robots import RobotsRules

    base = config.wdtk.base_url
    # We fetch robots.txt ourselves, so the client must not fetch it first; and one try
    # is enough for a diagnosis (retries with backoff would only make doctor slow).
    wdtk_config = config.wdtk._replace(respect_robots=False)
    started = time.monotonic()
    status = 200
    try:
        with WdtkClient(wdtk_config, max_tries=1) as client:
            text = client.get_text("/robots.txt")
    except WdtkError as exc:
        if exc.status is None or exc.status >= 500 or exc.status in (408, 429):
            return failed(
                "WDTK (online)",
                f"{base} did not answer properly: {exc}",
                "check the network and [wdtk] base_url; WDTK may be down, so try again later",
            )
        status, text = exc.status, ""  # RFC 9309: a 4xx robots.txt allows everything
    took = time.monotonic() - started
    allowed = RobotsRules(text, "foibot").allowed(ROBOTS_PROBE)
    answered = f"{base} answered in {took:.1f} s" + (
        f" (robots.txt: HTTP {status}, so no rules)" if status != 200 else ""
    )
    if allowed:
        return passed("WDTK (online)", f"{answered}; robots.txt allows {ROBOTS_PROBE}")
    if not config.wdtk.respect_robots:
        return warning(
            "WDTK (online)",
            f"{answered}; robots.txt disallows {ROBOTS_PROBE}, and [wdtk] respect_robots = "
            "false ignores it",
            "ask WDTK before polling against its robots.txt",
        )
    return failed(
        "WDTK (online)",
        f"{answered}; robots.txt disallows {ROBOTS_PROBE}, so polling cannot work",
        "check [wdtk] base_url points at WhatDoTheyKnow",
    )


# --- all of it -------------------------------------------------------------------------


def check_mailbox(config: Config) -> Check:
    """[mailbox]: log in, open the folder, and say whether IDLE lets the daemon wait."""
    from bot.errors import ConfigError
    from bot.mailbox.imap import Mailbox, MailboxError

    mailbox = config.mailbox
    assert mailbox is not None
    name = "mailbox (online)"
    try:
        with Mailbox(mailbox, timeout_s=15) as box:
            state, idle = box.state, box.offers_idle
    except ConfigError as exc:
        return failed(name, str(exc), f"export {mailbox.password_env}=… where foibot runs")
    except MailboxError as exc:
        return failed(
            name, str(exc), "check [mailbox] host, port, tls, user and folder, and the password"
        )
    assert state is not None
    waits = "the daemon waits with IDLE" if idle else f"no IDLE: the daemon checks {config.schedule.mail}"
    return passed(
        name,
        f"logged in as {mailbox.user} at {mailbox.host}:{mailbox.port}; folder {mailbox.folder} "
        f"has {_plural(state.exists, 'message')}; {waits}",
    )


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
    from bot.dates import london_today

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
                    if "news_deliveries" in store.db.table_names():
                        yield check_deliveries(store, config)
                yield from check_poll_state(store, now)
                latest = latest_stored_date(store)
            except sqlite3.DatabaseError as exc:
                yield database_error(stage, path, exc)
        if path is not None and path.is_file():
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
            yield check_online(config)
            if config.mailbox is not None:
                yield check_mailbox(config)
            yield from check_notify_online(config)


def summary(checks: list[Check]) -> dict[str, int]:
    counts = {"ok": 0, "warn": 0, "error": 0}
    for check in checks:
        counts[check.level] += 1
    return counts
