"""Load and validate config.toml into plain immutable records (typing.NamedTuple).

Each table of the file is read into the record that declares it: a key is a field, its type
the field's annotation and its default the field's default, written there and nowhere else.
The parsers below add only what a type cannot say (ranges, URLs, slugs, schedules).

Every error names the file and the key path (``config.toml: campaigns[0].bodies[2]: …``)
because campaigners edit this file by hand and need to find the mistake at once.
"""

import datetime as dt
import functools
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from bot.bodies import clean_name
from bot.config_fields import FieldSpec, parse_fields
from bot.config_table import Table, suggest
from bot.config_values import base_url_problem, contact_problem, user_problem
from bot.dates import LONDON
from bot.deadlines import FIRST_YEAR, LAST_YEAR, REGIONS, RegionalDay
from bot.errors import ConfigError
from bot.typenames import type_name

DEFAULT_BASE_URL = "https://www.whatdotheyknow.com"
# Only files with this suffix load as templates (bot.rules.sandbox): a letter may never
# include config.toml or another file beside it.
TEMPLATE_SUFFIX = ".j2"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
NAME_MAX = 255  # bytes in one file or folder name on Linux filesystems
PATH_MAX = 4096  # bytes in a whole path on Linux, its terminating NUL included
DB_SUFFIX_MAX = "-journal"  # the longest name SQLite or the run lock adds to the database's
IMAP_PORT = 143  # [mailbox] with tls = false and no port: plain IMAP's port

# Sane maxima for numbers, so that no value is too large for a date, a timedelta, a C
# integer or a sleep: beyond these a setting is surely a typo.
YEAR_MINUTES = 366 * 24 * 60
WORKING_YEAR = 260  # working days in about a year
PORT_MAX = 65535


class WdtkConfig(NamedTuple):
    """[wdtk]: where WDTK is, who is asking, and how politely (interval, timeout, retries)."""

    base_url: str = DEFAULT_BASE_URL
    user: str = ""
    contact: str = ""
    min_interval_s: float = 3.0
    timeout_s: float = 30.0
    max_tries: int = 4
    backoff_s: float = 2.0
    use_feeds: bool = False
    respect_robots: bool = True
    max_response_bytes: int = 5_000_000
    # One pass (poll, run --once, mail) starts no new request after this many seconds,
    # so a slow WDTK cannot make a pass overlap the next cron run (every 10 minutes).
    pass_budget_s: float = 300.0


class AttachmentsConfig(NamedTuple):
    """[attachments]: how the replies' attachments are fetched from WDTK and kept."""

    # A larger file is not downloaded: recorded as skipped, with its size.
    max_mb: int = 20
    # Keep each file under state/attachments/ (named by its SHA-256); the text read from
    # it is kept either way.
    keep: bool = False


class PaceLimit(NamedTuple):
    """One of [pace]: at most `count` requests released in any `minutes`."""

    count: int
    minutes: int


# The example config's placeholders: releasing with these would hand out links that
# foibot could never match to the user's own requests.
EXAMPLE_USER = "your_wdtk_user_name"
EXAMPLE_CONTACT = "campaigns@example.org"
EXAMPLE_REQUESTER = "Your Name"  # what `init` writes when no name is given

# WDTK's limits for one account: 10 per rolling 24 h and the burst limits.
DEFAULT_PACE = (
    PaceLimit(1, 1),
    PaceLimit(2, 8),
    PaceLimit(3, 15),
    PaceLimit(5, 60),
    PaceLimit(10, 24 * 60),
)


class PaceConfig(NamedTuple):
    """[pace]: how fast released requests are handed to the person who sends them."""

    limits: tuple[PaceLimit, ...] = DEFAULT_PACE
    # Released requests not yet seen on WDTK: no more are released until WDTK shows
    # some sent, so a human who falls behind is never handed a pile to send at once.
    max_unsent: int = 3
    # Minutes added to every pace window when telling a human when to send: WDTK counts
    # by its own clock, and a person clicks a little early or late.
    margin_minutes: int = 1


class StorageConfig(NamedTuple):
    """[storage]: where the database is (relative to config.toml) and how long a write
    waits for another process's transaction."""

    path: str = "state/foibot.db"
    busy_timeout_s: float = 30.0


class RequesterConfig(NamedTuple):
    """[requester]: who signs the letters (required once there is a campaign)."""

    name: str = ""
    email: str = ""


class DeadlinesConfig(NamedTuple):
    """[deadlines] overrides, each a date and the part of the UK it applies in ("uk" for
    the plain-list form); the deadline engine counts each only where the law does."""

    extra_holidays: tuple[RegionalDay, ...] = ()
    remove_holidays: tuple[RegionalDay, ...] = ()


class BodyConfig(NamedTuple):
    """A public body as config.toml or the bodies table names it (url_name is WDTK's)."""

    url_name: str
    name: str
    short_name: str = ""  # absent: the name
    tags: tuple[str, ...] = ()


class FollowupPolicy(NamedTuple):
    """When to draft follow-ups for a campaign's requests. Days are working days."""

    chaser_after: int = 1  # past the due date before the first chaser
    chaser_every: int = 10  # between chasers
    chaser_max: int = 2
    nudge_after: int = 0  # 0: no acknowledgement nudge; else days after sending with nothing back
    internal_review: bool = True  # when a request is refused or partly successful
    complaint: bool = True  # to the ICO or SIC when a review is overdue or a request very overdue
    # ICO, non-reply: working days a chaser sent after the due date must go unanswered
    # before the complaint (the ICO wants the requester to have tried to resolve it first).
    complaint_after_chaser: int = 10
    auto: bool = False  # let `run --once` draft them (a person still reviews and sends)


class FollowupsConfig(NamedTuple):
    """[followups]: `enabled = false` stops all follow-up drafting; [followups.tracked] is
    the policy for tracked requests that belong to no campaign."""

    enabled: bool = True
    tracked: FollowupPolicy = FollowupPolicy()


class CampaignConfig(NamedTuple):
    """One [campaigns.SLUG]: its letter, its bodies, its figures and follow-ups."""

    slug: str
    title: str
    letter: Path
    key: str  # where it sits in the config file, for error messages
    bodies: tuple[str, ...] = ()
    body_tags: tuple[str, ...] = ()
    vars: Mapping[str, Any] = MappingProxyType({})  # read-only: the default is shared
    launch_at: dt.datetime | None = None
    fields: tuple[FieldSpec, ...] = ()
    followups: FollowupPolicy = FollowupPolicy()
    # What results and reports are headed by; default: the title without the body's name.
    name: str = ""
    # A request for environmental information: EIR (EISR in Scotland) for every body they
    # reach, whatever its tags (EIR reg 5, EISR reg 5).
    environmental: bool = False


class ScheduleConfig(NamedTuple):
    """Daemon jobs: "every N seconds|minutes|hours" or a 5-field cron line (UK time)."""

    poll: str = "every 30 minutes"
    release: str = "every 1 minute"
    digest: str = "0 8 * * *"
    mail: str = "every 5 minutes"  # [mailbox] checks where the server does not offer IDLE
    misfire_grace_s: int = 3600


class PollConfig(NamedTuple):
    """[poll]: how often requests are polled where the schedule leaves it to the user."""

    open_every_hours: float = 3.0
    closed_every_days: float = 7.0
    hidden_grace_days: float = 14.0


class EmailConfig(NamedTuple):
    """[notify.email]: the SMTP server and addresses news goes to."""

    host: str
    to: tuple[str, ...]
    sender: str
    port: int = 587
    starttls: bool = True
    user: str = ""
    password_env: str = ""  # the name of an environment variable; never the password


class MailboxConfig(NamedTuple):
    """The requester's mailbox, where WDTK's own alert e-mails arrive (`foibot mail`)."""

    host: str
    user: str
    password_env: str  # the name of an environment variable; never the password
    port: int = 993
    tls: bool = True  # implicit TLS (IMAPS); false for a plain connection, e.g. on loopback
    folder: str = "INBOX"
    after: str = "leave"  # what to do with a handled message: leave, flag or move:<folder>
    # The host name of the operator's own mail server that receives mail from outside: its
    # Received line must say WDTK's servers handed it the alert before `mail --track`
    # follows a request the alert names (empty: the alert's own headers are all it has).
    trusted_relay: str = ""
    timeout_s: float = 30.0  # each IMAP step (connect to login, a fetch...) ends within this

    @property
    def move_to(self) -> str | None:
        return self.after.removeprefix("move:") if self.after.startswith("move:") else None


class NotifyConfig(NamedTuple):
    """[notify]: how news is batched and the channels it goes out on."""

    batch: str = "run"  # "run": a digest after each pass with news; "daily": at [schedule] digest
    email: EmailConfig | None = None
    webhook_url: str = ""
    timeout_s: float = 30.0  # each delivery (SMTP or webhook) ends within this, whatever the server

    @property
    def enabled(self) -> bool:
        return self.email is not None or bool(self.webhook_url)


class ServeConfig(NamedTuple):
    """[serve]: `foibot serve`, the web pages (docs/serve.md)."""

    host: str = "127.0.0.1"  # any other address needs accounts (`foibot users add`)
    port: int = 8080
    # The reverse proxies whose X-Forwarded-Proto/-For are believed (addresses); none: no
    # header is, and a request is HTTPS only when it reached foibot over TLS itself.
    trusted_proxies: tuple[str, ...] = ()
    daemon: bool = False  # `foibot daemon` serves the pages too, on host and port


# config.toml's top-level tables and the record each is read into.
SECTIONS: Mapping[str, type] = MappingProxyType({
    "wdtk": WdtkConfig, "storage": StorageConfig, "pace": PaceConfig,
    "requester": RequesterConfig, "bodies": BodyConfig, "campaigns": CampaignConfig,
    "deadlines": DeadlinesConfig, "schedule": ScheduleConfig, "poll": PollConfig,
    "notify": NotifyConfig, "followups": FollowupsConfig, "mailbox": MailboxConfig,
    "attachments": AttachmentsConfig,
    "serve": ServeConfig,
})  # fmt: skip


class Config(NamedTuple):
    """config.toml, checked. Callers read these fields; what each key means and its default
    are on the section records above (`pace_margin_minutes` is [pace] margin_minutes)."""

    path: Path
    wdtk: WdtkConfig
    db_path: Path  # [storage] path, from the folder config.toml is in
    pace: tuple[PaceLimit, ...]  # [pace] limits
    requester_name: str
    requester_email: str
    bodies: dict[str, BodyConfig]
    campaigns: tuple[CampaignConfig, ...]
    extra_holidays: tuple[RegionalDay, ...]
    remove_holidays: tuple[RegionalDay, ...]
    schedule: ScheduleConfig
    poll: PollConfig
    notify: NotifyConfig
    followups_enabled: bool
    tracked_followups: FollowupPolicy  # [followups.tracked]: requests of no campaign
    max_unsent: int
    pace_margin_minutes: int
    mailbox: MailboxConfig | None  # off when [mailbox] is absent
    busy_timeout_s: float
    attachments: AttachmentsConfig = AttachmentsConfig()
    serve: ServeConfig = ServeConfig()

    @property
    def root(self) -> Path:
        return self.path.parent

    def calendar(self, law: str | None):  # -> deadlines.WorkingCalendar
        """The working-day calendar for a law with this config's holiday overrides: the
        one every date foibot computes or shows for this project is counted on."""
        return _calendar(law or "foi", self.extra_holidays, self.remove_holidays)

    def campaign(self, slug: str) -> CampaignConfig:
        for campaign in self.campaigns:
            if campaign.slug == slug:
                return campaign
        known = [c.slug for c in self.campaigns]
        raise ConfigError(
            f"{self.path.name}: no campaign '{slug}'{suggest(slug, known)}"
            + (f" (campaigns: {', '.join(known)})" if known else "")
        )


@functools.lru_cache(maxsize=64)
def _calendar(law: str, extra: tuple[RegionalDay, ...], remove: tuple[RegionalDay, ...]):
    """deadlines.calendar_for, remembered by the config's (immutable) overrides: it checks
    and parses them on every call, and reports and polls ask once a request."""
    from bot import deadlines as dl

    return dl.calendar_for(law, extra, remove)


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        raw = tomllib.loads(_config_text(path))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found: `foibot init` makes one here (or use --config or FOIBOT_CONFIG)"
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    except ValueError as exc:
        # TOMLDecodeError is a ValueError; so is what tomllib lets escape for an integer
        # of over 4,300 digits (Python's int() limit): either is a config error, not a crash.
        raise ConfigError(f"{path.name}: invalid TOML: {exc}") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively: [[[[…]]]] 5,000 deep.
        raise ConfigError(
            f"{path.name}: invalid TOML: arrays or tables nested too deeply"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
    return parse_config(raw, path)


CONFIG_MAX_BYTES = 1_000_000  # a config is a few kilobytes; /dev/zero is not one


def _config_text(path: Path) -> str:
    """The config file's text: a regular file (a FIFO would hang the read, /dev/zero
    fill the memory) of at most CONFIG_MAX_BYTES, UTF-8 with or without a BOM (Windows
    editors write one)."""
    import os
    import stat

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError(f"{path}: not a regular file: give --config a config file's path")
        data = f.read(CONFIG_MAX_BYTES + 1)
    if len(data) > CONFIG_MAX_BYTES:
        raise ConfigError(f"{path}: over {CONFIG_MAX_BYTES:,} bytes: not a foibot config")
    return data.decode("utf-8").removeprefix("\ufeff")


def parse_config(raw: dict[str, Any], path: Path) -> Config:
    path = path.resolve()
    top = Table(path.name, raw, "")
    top.only(*SECTIONS)
    wdtk = _parse_wdtk(top.sub("wdtk"))
    table = top.sub("storage")
    storage = table.record(StorageConfig, maximum={"busy_timeout_s": 3600})
    db_path = path.parent / storage.path
    _check_db_path(table, db_path)
    pace = top.sub("pace").record(
        PaceConfig,
        minimum={"max_unsent": 1},
        maximum={"max_unsent": 10_000, "margin_minutes": 24 * 60},
        parsers={"limits": _parse_pace},
    )
    deadlines = top.sub("deadlines").record(
        DeadlinesConfig, parsers=dict.fromkeys(DeadlinesConfig._fields, _regional_dates)
    )
    bodies = _parse_bodies(top.sub("bodies"))
    campaigns = _parse_campaigns(top, path)

    # Only letters need a signature: a tracking-only folder (no [[campaigns]]) has no
    # [requester] at all, while a campaign without one is told what is missing and why.
    table = top.sub("requester")
    requester = table.record(RequesterConfig)
    if campaigns and "name" not in table.data:
        table.fail(
            f"required key is missing: campaign '{campaigns[0].slug}' needs a name to sign "
            'its letters (add [requester] name = "…")',
            table.key("name"),
        )
    if campaigns and not requester.name.strip():
        table.fail("must not be empty", table.key("name"))
    followups = _parse_followups(top.sub("followups"))
    return Config(
        path=path,
        wdtk=wdtk,
        db_path=db_path,
        pace=pace.limits,
        requester_name=requester.name,
        requester_email=requester.email,
        bodies=bodies,
        campaigns=campaigns,
        extra_holidays=deadlines.extra_holidays,
        remove_holidays=deadlines.remove_holidays,
        schedule=_parse_schedule(top.sub("schedule")),
        poll=_parse_poll(top.sub("poll")),
        notify=_parse_notify(top.sub("notify")),
        followups_enabled=followups.enabled,
        tracked_followups=followups.tracked,
        max_unsent=pace.max_unsent,
        pace_margin_minutes=pace.margin_minutes,
        mailbox=_parse_mailbox(top.sub("mailbox")) if "mailbox" in raw else None,
        busy_timeout_s=storage.busy_timeout_s,
        attachments=top.sub("attachments").record(
            AttachmentsConfig, minimum={"max_mb": 1}, maximum={"max_mb": 1000}
        ),
        serve=_parse_serve(top.sub("serve")),
    )


def _check_db_path(table: Table, db_path: Path) -> None:
    """Refuse a database path the file system cannot hold, naming the key, rather than
    meeting ENAMETOOLONG deep in SQLite: beside the database go files named after it
    (`-journal`, `-wal`, `.lock`), so its own name leaves room for the longest suffix."""
    if "\x00" in str(db_path):
        table.fail("a path cannot hold a NUL character", table.key("path"))
    parts = db_path.parts
    for n, part in enumerate(parts):
        room = NAME_MAX - (len(DB_SUFFIX_MAX) if n == len(parts) - 1 else 0)
        if (size := len(part.encode("utf-8", "surrogateescape"))) > room:
            table.fail(
                f"a file or folder name may be at most {room} bytes, got {size} ({part[:24]}…)",
                table.key("path"),
            )
    room = PATH_MAX - 1 - len(DB_SUFFIX_MAX)
    if (size := len(str(db_path).encode("utf-8", "surrogateescape"))) > room:
        table.fail(f"the whole path may be at most {room} bytes, got {size}", table.key("path"))


def _regional_dates(t: Table, name: str) -> tuple[RegionalDay, ...]:
    """`name = [dates]` (every part of the UK, the original form) or a table naming the
    part of the UK: `[deadlines.extra_holidays]` with `scotland = [2026-06-15]`."""
    if isinstance(t.data.get(name), dict):
        table = t.sub(name)
        table.only(*REGIONS)
        return tuple(
            RegionalDay(region, d) for region in table.data for d in _covered(table, region)
        )
    value = t.data.get(name, [])
    if not isinstance(value, list):
        t.fail(
            f"expected a list of dates, or a table of them by part of the UK "
            f"({', '.join(REGIONS)}), got {type_name(value)} {value!r}",
            t.key(name),
        )
    return tuple(RegionalDay("uk", d) for d in _covered(t, name))


def _covered(t: Table, name: str) -> tuple[dt.date, ...]:
    """The dates of `name`, each in the years the bank-holiday data covers: a working-day
    count cannot use a day outside them, so one is refused here, naming its place."""
    days = t.dates(name)
    for i, day in enumerate(days):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            t.fail(
                f"{day} is outside the years the bank-holiday data covers "
                f"({FIRST_YEAR}-{LAST_YEAR})",
                f"{t.key(name)}[{i}]",
            )
    return days


def _parse_followups(t: Table) -> FollowupsConfig:
    return t.record(FollowupsConfig, parsers={"tracked": _parse_followup_policy})


def _parse_followup_policy(c: Table, name: str) -> FollowupPolicy:
    t = c.sub(name)
    policy = t.record(
        FollowupPolicy,
        maximum={
            "chaser_after": WORKING_YEAR, "chaser_every": WORKING_YEAR, "chaser_max": 100,
            "nudge_after": WORKING_YEAR, "complaint_after_chaser": WORKING_YEAR,
        },
    )  # fmt: skip
    if policy.chaser_max > 0 and policy.chaser_every < 1:
        t.fail("must be at least 1 when chaser_max > 0", t.key("chaser_every"))
    return policy


def _parse_schedule(t: Table) -> ScheduleConfig:
    schedule = t.record(ScheduleConfig, maximum={"misfire_grace_s": 7 * 24 * 3600})
    for name, spec in schedule._asdict().items():
        # The defaults are valid (tests/test_schedule_syntax.py): checking them would import
        # APScheduler into every command, for the default digest's cron line.
        if isinstance(spec, str) and spec != ScheduleConfig._field_defaults[name]:
            from bot.triggers import schedule_problem

            if problem := schedule_problem(spec):
                t.fail(f"{spec!r}: {problem}", t.key(name))
    return schedule


def _parse_poll(t: Table) -> PollConfig:
    return t.record(
        PollConfig,
        minimum={"open_every_hours": 0.01, "closed_every_days": 0.01},
        maximum={"open_every_hours": 366 * 24, "closed_every_days": 366, "hidden_grace_days": 366},
    )


def _parse_notify(t: Table) -> NotifyConfig:
    notify = t.record(
        NotifyConfig,
        keys={"webhook_url": "webhook"},
        parsers={"email": _parse_email, "webhook_url": _parse_webhook},
        minimum={"timeout_s": 0.1},
        maximum={"timeout_s": 3600},
    )
    if notify.batch not in ("run", "daily"):
        t.fail(f"must be 'run' or 'daily', got {notify.batch!r}", t.key("batch"))
    return notify


def _parse_email(t: Table, name: str) -> EmailConfig:
    e = t.sub(name)
    # `from` is a Python keyword: the record's field is `sender`.
    email = e.record(
        EmailConfig, keys={"sender": "from"}, minimum={"port": 1}, maximum={"port": PORT_MAX}
    )
    if not email.to:
        e.fail("needs at least one address", e.key("to"))
    return email


def _parse_webhook(t: Table, name: str) -> str:
    w = t.sub(name)
    w.only("url")
    url = w.text("url")
    if not re.match(r"^https?://", url):
        w.fail(f"must be an http(s) URL, got {url!r}", w.key("url"))
    return url


def _parse_serve(t: Table) -> ServeConfig:
    serve = t.record(ServeConfig, minimum={"port": 1}, maximum={"port": PORT_MAX})
    import ipaddress

    for proxy in serve.trusted_proxies:
        try:
            ipaddress.ip_network(proxy)
        except ValueError:
            t.fail(
                f"{proxy!r} is not an IP address or network such as '127.0.0.1' or '10.0.0.0/8'",
                t.key("trusted_proxies"),
            )
    return serve


def _parse_mailbox(t: Table) -> MailboxConfig:
    mailbox = t.record(
        MailboxConfig,
        minimum={"port": 1, "timeout_s": 0.1},
        maximum={"port": PORT_MAX, "timeout_s": 3600},
    )
    if not mailbox.tls and "port" not in t.data:
        mailbox = mailbox._replace(port=IMAP_PORT)
    after = mailbox.after
    if after not in ("leave", "flag") and not re.fullmatch(r"move:\S.*", after):
        t.fail(f"must be 'leave', 'flag' or 'move:<folder>', got {after!r}", t.key("after"))
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", mailbox.password_env):
        t.fail(
            f"the name of an environment variable holding the password, got {mailbox.password_env!r}",
            t.key("password_env"),
        )
    relay = mailbox.trusted_relay
    if relay and not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})", relay):
        t.fail(
            f"must be a host name such as 'mx.example.org', got {relay!r}", t.key("trusted_relay")
        )
    return mailbox


def _parse_wdtk(t: Table) -> WdtkConfig:
    wdtk = t.record(
        WdtkConfig,
        minimum={"timeout_s": 0.1, "max_tries": 1, "max_response_bytes": 1024, "pass_budget_s": 1},
        maximum={
            "min_interval_s": 3600, "timeout_s": 600, "max_tries": 100, "backoff_s": 3600,
            "max_response_bytes": 1_000_000_000, "pass_budget_s": 86_400,
        },
    )  # fmt: skip
    base_url = wdtk.base_url.rstrip("/")
    for key, problem in (
        ("base_url", base_url_problem(base_url)),
        ("contact", contact_problem(wdtk.contact)),
        ("user", user_problem(wdtk.user)),
    ):
        if problem:
            t.fail(problem, t.key(key))
    return wdtk._replace(base_url=base_url)


def _parse_pace(t: Table, name: str) -> tuple[PaceLimit, ...]:
    items = t.get(name, list)
    limits = tuple(
        Table(t.file, item, f"{t.key(name)}[{i}]").record(
            PaceLimit,
            minimum=dict.fromkeys(PaceLimit._fields, 1),
            maximum={"count": 10_000, "minutes": YEAR_MINUTES},
        )
        for i, item in enumerate(items)
    )
    if not limits:
        t.fail("needs at least one limit", t.key(name))
    return limits


def _parse_bodies(t: Table) -> dict[str, BodyConfig]:
    bodies = {}
    for url_name in t.data:
        table = t.sub(url_name)
        body = table.record(BodyConfig, url_name=url_name)
        if not SLUG_RE.match(url_name):
            table.fail("a body's url_name is lower-case letters, digits, _ and -")
        if "short_name" not in table.data:
            body = body._replace(short_name=body.name)
        # Names reach titles, letters and terminals: control characters out, as on import.
        body = body._replace(name=clean_name(body.name), short_name=clean_name(body.short_name))
        bodies[url_name] = body
    return bodies


def _parse_campaigns(top: Table, path: Path) -> tuple[CampaignConfig, ...]:
    campaigns: list[CampaignConfig] = []
    for i, item in enumerate(top.get("campaigns", list, [])):
        c = Table(top.file, item, f"campaigns[{i}]")
        campaign = c.record(
            CampaignConfig,
            key=c.path,
            parsers={
                "letter": functools.partial(_letter, root=path.parent),
                "launch_at": _launch_at,
                "fields": _parse_fields,
                "followups": _parse_followup_policy,
            },
        )
        slug = campaign.slug
        if not SLUG_RE.match(slug):
            c.fail(f"'{slug}' must be lower-case letters, digits, _ and -", c.key("slug"))
        if any(other.slug == slug for other in campaigns):
            c.fail(f"duplicate campaign slug '{slug}'", c.key("slug"))
        if not campaign.bodies and not campaign.body_tags:
            c.fail("give `bodies` or `body_tags` (or both)")
        # What results and reports are headed by: one line, no escape sequences.
        campaigns.append(campaign._replace(name=clean_name(campaign.name)))
    return tuple(campaigns)


def _letter(c: Table, name: str, root: Path) -> Path:
    letter = root / c.text(name)
    try:
        found = letter.is_file()
    except OSError:  # e.g. a name too long for the file system: as good as missing
        found = False
    if not found:
        c.fail(
            f"letter template not found: {letter} (write the letter there, or set `{name}`"
            " to its path, relative to this file)",
            c.key(name),
        )
    # Only *.j2 files load as templates (bot.rules.sandbox): say so now, not at draft time.
    if not letter.name.endswith(TEMPLATE_SUFFIX):
        c.fail(f"a letter template's name ends {TEMPLATE_SUFFIX}: {letter.name}", c.key(name))
    return letter


def _launch_at(c: Table, name: str) -> dt.datetime:
    value = c.get(name, (dt.datetime, dt.date))
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    # Released requests get deadlines, counted only in the years the holiday data covers
    # (and a year near 9999 would overflow the pace planner's date arithmetic).
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        c.fail(f"must lie in the years {FIRST_YEAR}-{LAST_YEAR}, got {value}", c.key(name))
    # A local TOML datetime means UK time: that is where the campaigner is.
    return value if value.tzinfo else value.replace(tzinfo=LONDON)


def _parse_fields(c: Table, name: str) -> tuple[FieldSpec, ...]:
    return parse_fields(c, name, c.field(CampaignConfig, "vars"))
