"""Load and validate config.toml into plain immutable records (typing.NamedTuple).

Every error names the file and the key path (``config.toml: campaigns[0].bodies[2]: …``)
because campaigners edit this file by hand and need to find the mistake at once.
"""

import datetime as dt
import functools
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from bot.dates import LONDON
from bot.deadlines import REGIONS, RegionalDay
from bot.errors import ConfigError
from bot.typenames import kind_name, type_name

DEFAULT_BASE_URL = "https://www.whatdotheyknow.com"
FIELD_TYPES = ("int", "text", "bool", "date")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_MISSING = object()
NAME_MAX = 255  # bytes in one file or folder name on Linux filesystems


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


class PaceLimit(NamedTuple):
    """One of [pace]: at most `count` requests released in any `minutes`."""

    count: int
    minutes: int


# The example config's placeholders: releasing with these would hand out links that
# foibot could never match to the user's own requests.
EXAMPLE_USER = "your_wdtk_user_name"
EXAMPLE_CONTACT = "campaigns@example.org"

# WDTK's limits for one account: 10 per rolling 24 h and the burst limits.
DEFAULT_PACE = (
    PaceLimit(1, 1),
    PaceLimit(2, 8),
    PaceLimit(3, 15),
    PaceLimit(5, 60),
    PaceLimit(10, 24 * 60),
)


class BodyConfig(NamedTuple):
    """A public body as config.toml or the bodies table names it (url_name is WDTK's)."""

    url_name: str
    name: str
    short_name: str
    tags: tuple[str, ...] = ()


class FieldSpec(NamedTuple):
    """One figure a campaign asks every body for.

    `periods` splits it into one value per period (e.g. the calendar years a letter asks
    about), recorded as `name:period=VALUE`. `min`/`max` bound an int field; a count is
    never negative, so ints default to `min = 0`.
    """

    name: str
    type: str
    description: str = ""
    periods: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None

    @property
    def label(self) -> str:
        """What a reader sees as the column heading: the description, else the name."""
        return self.description or self.name.replace("_", " ")

    @property
    def lowest(self) -> int | None:
        if self.type != "int":
            return None
        return 0 if self.min is None else self.min


class FollowupPolicy(NamedTuple):
    """When to draft follow-ups for a campaign's requests. Days are working days."""

    chaser_after: int = 1  # past the due date before the first chaser
    chaser_every: int = 10  # between chasers
    chaser_max: int = 2
    nudge_after: int = 0  # 0: no acknowledgement nudge; else days after sending with nothing back
    internal_review: bool = True  # when a request is refused or partly successful
    complaint: bool = True  # to the ICO or SIC when a review is overdue or a request very overdue
    auto: bool = False  # let `run --once` draft them (a person still reviews and sends)


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

    @property
    def move_to(self) -> str | None:
        return self.after.removeprefix("move:") if self.after.startswith("move:") else None


class NotifyConfig(NamedTuple):
    """[notify]: how news is batched and the channels it goes out on."""

    batch: str = "run"  # "run": a digest after each pass with news; "daily": at [schedule] digest
    email: EmailConfig | None = None
    webhook_url: str = ""

    @property
    def enabled(self) -> bool:
        return self.email is not None or bool(self.webhook_url)


class Config(NamedTuple):
    """config.toml, checked: every section as its own immutable record."""

    path: Path
    wdtk: WdtkConfig
    db_path: Path
    pace: tuple[PaceLimit, ...]
    requester_name: str
    requester_email: str
    bodies: dict[str, BodyConfig]
    campaigns: tuple[CampaignConfig, ...]
    # [deadlines] overrides, each a date and the part of the UK it applies in ("uk" for
    # the plain-list form); the deadline engine counts each only where the law does.
    extra_holidays: tuple[RegionalDay, ...] = ()
    remove_holidays: tuple[RegionalDay, ...] = ()
    schedule: ScheduleConfig = ScheduleConfig()
    poll: PollConfig = PollConfig()
    notify: NotifyConfig = NotifyConfig()
    followups_enabled: bool = True
    # Released requests not yet seen on WDTK: no more are released until WDTK shows
    # some sent, so a human who falls behind is never handed a pile to send at once.
    max_unsent: int = 3
    # Minutes added to every pace window when telling a human when to send: WDTK counts
    # by its own clock, and a person clicks a little early or late.
    pace_margin_minutes: int = 1
    mailbox: MailboxConfig | None = None  # off when [mailbox] is absent
    busy_timeout_s: float = 30.0  # how long a write waits for another process's transaction

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


def suggest(word: str, choices: Iterable[str]) -> str:
    """" — did you mean 'x'?" for the closest of `choices`, or nothing."""
    import difflib  # only on the way to an error message

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else ""




class _Table:
    """A TOML table being read: tracks its key path and refuses unknown keys."""

    def __init__(self, file: str, data: Any, path: str):
        self.file, self.path = file, path
        if not isinstance(data, dict):
            self.fail(f"expected a table, got {type_name(data)}")
        self.data: dict[str, Any] = data

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, message: str, key: str | None = None) -> None:
        where = key if key is not None else self.path
        raise ConfigError(
            f"{self.file}: {where}: {message}" if where else f"{self.file}: {message}"
        )

    def only(self, *allowed: str) -> None:
        for name in self.data:
            if name not in allowed:
                self.fail(f"unknown key{suggest(name, allowed)}", self.key(name))

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = _MISSING) -> Any:
        if name not in self.data:
            if default is _MISSING:
                self.fail("required key is missing", self.key(name))
            return default
        value = self.data[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python but never what a user meant by a number.
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            wanted = " or ".join(kind_name(k) for k in kinds)
            self.fail(f"expected {wanted}, got {type_name(value)} {value!r}", self.key(name))
        return value

    def text(self, name: str, default: Any = _MISSING, *, allow_empty: bool = False) -> str:
        value = self.get(name, str, default)
        if isinstance(value, str) and not allow_empty and not value.strip() and default is _MISSING:
            self.fail("must not be empty", self.key(name))
        return value

    def number(self, name: str, default: Any, *, minimum: float = 0) -> float:
        value = self.get(name, (int, float), default)
        # TOML has inf and nan (and integers too big for a float): no count, interval or
        # timeout can be one. Such a value is refused here, so no caller's int() of it
        # can raise OverflowError.
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            self.fail(f"must be a finite number, got {value!r}", self.key(name))
        if number < minimum:
            self.fail(f"must be at least {minimum}", self.key(name))
        return number

    def strings(self, name: str) -> tuple[str, ...]:
        values = self.get(name, list, [])
        for i, value in enumerate(values):
            if not isinstance(value, str):
                self.fail(f"expected a string, got {type_name(value)}", f"{self.key(name)}[{i}]")
        return tuple(values)

    def dates(self, name: str) -> tuple[dt.date, ...]:
        values = self.get(name, list, [])
        for i, value in enumerate(values):
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                self.fail(
                    f"expected a date like 2026-06-15, got {value!r}", f"{self.key(name)}[{i}]"
                )
        return tuple(values)

    def sub(self, name: str) -> "_Table":
        return _Table(self.file, self.data.get(name, {}), self.key(name))


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
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


def parse_config(raw: dict[str, Any], path: Path) -> Config:
    path = path.resolve()
    top = _Table(path.name, raw, "")
    top.only(
        "wdtk", "storage", "pace", "requester", "bodies", "campaigns", "deadlines",
        "schedule", "poll", "notify", "followups", "mailbox",
    )  # fmt: skip

    wdtk = _parse_wdtk(top.sub("wdtk"))

    storage = top.sub("storage")
    storage.only("path", "busy_timeout_s")
    db_path = path.parent / storage.text("path", "state/foibot.db")
    # Caught here, where the key can be named, rather than as ENAMETOOLONG deep in SQLite.
    for part in db_path.parts:
        if len(part.encode("utf-8", "surrogateescape")) > NAME_MAX:
            storage.fail(
                f"a file or folder name is longer than {NAME_MAX} bytes ({part[:24]}…)",
                storage.key("path"),
            )

    pace = top.sub("pace")
    pace.only("limits", "max_unsent", "margin_minutes")
    limits = _parse_pace(pace) if "limits" in pace.data else DEFAULT_PACE
    max_unsent = int(pace.number("max_unsent", 3, minimum=1))
    margin = int(pace.number("margin_minutes", 1, minimum=0))

    deadlines = top.sub("deadlines")
    deadlines.only("extra_holidays", "remove_holidays")

    bodies = _parse_bodies(top.sub("bodies"))
    campaigns = _parse_campaigns(top, path)

    # Only letters need a signature: a tracking-only folder (no [[campaigns]]) has no
    # [requester] at all, while a campaign without one is told what is missing and why.
    requester = top.sub("requester")
    requester.only("name", "email")
    if campaigns and "name" not in requester.data:
        requester.fail(
            f"required key is missing: campaign '{campaigns[0].slug}' needs a name to sign "
            'its letters (add [requester] name = "…")',
            requester.key("name"),
        )
    requester_name = requester.text("name", "" if not campaigns else _MISSING)
    return Config(
        path=path,
        wdtk=wdtk,
        db_path=db_path,
        pace=limits,
        requester_name=requester_name,
        requester_email=requester.text("email", ""),
        bodies=bodies,
        campaigns=campaigns,
        extra_holidays=_regional_dates(deadlines, "extra_holidays"),
        remove_holidays=_regional_dates(deadlines, "remove_holidays"),
        schedule=_parse_schedule(top.sub("schedule")),
        poll=_parse_poll(top.sub("poll")),
        notify=_parse_notify(top.sub("notify")),
        followups_enabled=_parse_followups_switch(top.sub("followups")),
        max_unsent=max_unsent,
        pace_margin_minutes=margin,
        mailbox=_parse_mailbox(top.sub("mailbox")) if "mailbox" in raw else None,
        busy_timeout_s=storage.number("busy_timeout_s", 30.0),
    )


def _regional_dates(t: _Table, name: str) -> tuple[RegionalDay, ...]:
    """`name = [dates]` (every part of the UK, the original form) or a table naming the
    part of the UK: `[deadlines.extra_holidays]` with `scotland = [2026-06-15]`."""
    if isinstance(t.data.get(name), dict):
        table = t.sub(name)
        table.only(*REGIONS)
        return tuple(RegionalDay(region, d) for region in table.data for d in table.dates(region))
    value = t.data.get(name, [])
    if not isinstance(value, list):
        t.fail(
            f"expected a list of dates, or a table of them by part of the UK "
            f"({', '.join(REGIONS)}), got {type_name(value)} {value!r}",
            t.key(name),
        )
    return tuple(RegionalDay("uk", d) for d in t.dates(name))


def _parse_followups_switch(t: _Table) -> bool:
    t.only("enabled")
    return t.get("enabled", bool, True)


def _parse_followup_policy(t: _Table) -> FollowupPolicy:
    names = FollowupPolicy._fields
    t.only(*names)
    values = {}
    for name in names:
        default = FollowupPolicy._field_defaults[name]
        if isinstance(default, bool):
            values[name] = t.get(name, bool, default)
        else:
            values[name] = int(t.number(name, default))
    if values["chaser_max"] > 0 and values["chaser_every"] < 1:
        t.fail("must be at least 1 when chaser_max > 0", t.key("chaser_every"))
    return FollowupPolicy(**values)


def _parse_schedule(t: _Table) -> ScheduleConfig:
    t.only("poll", "release", "digest", "mail", "misfire_grace_s")
    values = {}
    for name in ("poll", "release", "digest", "mail"):
        default = ScheduleConfig._field_defaults[name]
        spec = t.text(name, default)
        # The defaults are valid (tests/test_schedule_syntax.py): checking them would import
        # APScheduler into every command, for the default digest's cron line.
        if spec != default:
            from bot.run.triggers import schedule_problem

            if problem := schedule_problem(spec):
                t.fail(f"{spec!r}: {problem}", t.key(name))
        values[name] = spec
    return ScheduleConfig(**values, misfire_grace_s=int(t.number("misfire_grace_s", 3600)))


def _parse_poll(t: _Table) -> PollConfig:
    t.only("open_every_hours", "closed_every_days", "hidden_grace_days")
    return PollConfig(
        open_every_hours=t.number("open_every_hours", 3.0, minimum=0.01),
        closed_every_days=t.number("closed_every_days", 7.0, minimum=0.01),
        hidden_grace_days=t.number("hidden_grace_days", 14.0),
    )


def _parse_notify(t: _Table) -> NotifyConfig:
    t.only("batch", "email", "webhook")
    batch = t.text("batch", "run")
    if batch not in ("run", "daily"):
        t.fail(f"must be 'run' or 'daily', got {batch!r}", t.key("batch"))
    email = None
    if "email" in t.data:
        e = t.sub("email")
        e.only("host", "port", "starttls", "user", "password_env", "from", "to")
        to = e.strings("to")
        if not to:
            e.fail("needs at least one address", e.key("to"))
        email = EmailConfig(
            host=e.text("host"),
            to=to,
            sender=e.text("from"),
            port=int(e.number("port", 587, minimum=1)),
            starttls=e.get("starttls", bool, True),
            user=e.text("user", ""),
            password_env=e.text("password_env", ""),
        )
    webhook_url = ""
    if "webhook" in t.data:
        w = t.sub("webhook")
        w.only("url")
        webhook_url = w.text("url")
        if not re.match(r"^https?://", webhook_url):
            w.fail(f"must be an http(s) URL, got {webhook_url!r}", w.key("url"))
    return NotifyConfig(batch=batch, email=email, webhook_url=webhook_url)


def _parse_mailbox(t: _Table) -> MailboxConfig:
    t.only("host", "port", "tls", "user", "password_env", "folder", "after")
    tls = t.get("tls", bool, True)
    after = t.text("after", "leave")
    if after not in ("leave", "flag") and not re.fullmatch(r"move:\S.*", after):
        t.fail(f"must be 'leave', 'flag' or 'move:<folder>', got {after!r}", t.key("after"))
    password_env = t.text("password_env")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", password_env):
        t.fail(
            f"the name of an environment variable holding the password, got {password_env!r}",
            t.key("password_env"),
        )
    port = int(t.number("port", 993 if tls else 143, minimum=1))
    if port > 65535:
        t.fail(f"must be a TCP port (1-65535), got {port}", t.key("port"))
    return MailboxConfig(
        host=t.text("host"),
        user=t.text("user"),
        password_env=password_env,
        port=port,
        tls=tls,
        folder=t.text("folder", "INBOX"),
        after=after,
    )


def _parse_wdtk(t: _Table) -> WdtkConfig:
    t.only(
        "base_url", "user", "contact", "min_interval_s", "timeout_s", "max_tries", "backoff_s",
        "use_feeds", "respect_robots", "max_response_bytes",
    )  # fmt: skip
    base_url = t.text("base_url", DEFAULT_BASE_URL).rstrip("/")
    if not re.match(r"^https?://[^/\s]+", base_url):
        t.fail(f"must be an http(s) URL, got {base_url!r}", t.key("base_url"))
    return WdtkConfig(
        base_url=base_url,
        user=t.text("user", ""),
        contact=t.text("contact", ""),
        min_interval_s=t.number("min_interval_s", 3.0),
        timeout_s=t.number("timeout_s", 30.0, minimum=0.1),
        max_tries=int(t.number("max_tries", 4, minimum=1)),
        backoff_s=t.number("backoff_s", 2.0),
        use_feeds=t.get("use_feeds", bool, False),
        respect_robots=t.get("respect_robots", bool, True),
        max_response_bytes=int(t.number("max_response_bytes", 5_000_000, minimum=1024)),
    )


def _parse_pace(t: _Table) -> tuple[PaceLimit, ...]:
    items = t.get("limits", list)
    limits = []
    for i, item in enumerate(items):
        limit = _Table(t.file, item, f"{t.key('limits')}[{i}]")
        limit.only("count", "minutes")
        count, minutes = limit.get("count", int), limit.get("minutes", int)
        if count < 1 or minutes < 1:
            limit.fail("count and minutes must both be at least 1")
        limits.append(PaceLimit(count, minutes))
    if not limits:
        t.fail("needs at least one limit", t.key("limits"))
    return tuple(limits)


def _parse_bodies(t: _Table) -> dict[str, BodyConfig]:
    bodies = {}
    for url_name in t.data:
        body = t.sub(url_name)
        body.only("name", "short_name", "tags")
        if not SLUG_RE.match(url_name):
            body.fail("a body's url_name is lower-case letters, digits, _ and -")
        name = body.text("name")
        bodies[url_name] = BodyConfig(
            url_name=url_name,
            name=name,
            short_name=body.text("short_name", name),
            tags=body.strings("tags"),
        )
    return bodies


def _parse_campaigns(top: _Table, path: Path) -> tuple[CampaignConfig, ...]:
    items = top.get("campaigns", list, [])
    campaigns: list[CampaignConfig] = []
    for i, item in enumerate(items):
        c = _Table(top.file, item, f"campaigns[{i}]")
        c.only(
            "slug",
            "title",
            "letter",
            "bodies",
            "body_tags",
            "vars",
            "launch_at",
            "fields",
            "followups",
        )
        slug = c.text("slug")
        if not SLUG_RE.match(slug):
            c.fail(f"'{slug}' must be lower-case letters, digits, _ and -", c.key("slug"))
        if any(other.slug == slug for other in campaigns):
            c.fail(f"duplicate campaign slug '{slug}'", c.key("slug"))
        letter = path.parent / c.text("letter")
        try:
            found = letter.is_file()
        except OSError:  # e.g. a name too long for the file system: as good as missing
            found = False
        if not found:
            c.fail(f"letter template not found: {letter}", c.key("letter"))
        bodies, body_tags = c.strings("bodies"), c.strings("body_tags")
        if not bodies and not body_tags:
            c.fail("give `bodies` or `body_tags` (or both)")
        campaigns.append(
            CampaignConfig(
                slug=slug,
                title=c.text("title"),
                letter=letter,
                key=c.path,
                bodies=bodies,
                body_tags=body_tags,
                vars=c.get("vars", dict, {}),
                launch_at=_launch_at(c),
                fields=_parse_fields(c),
                followups=_parse_followup_policy(c.sub("followups")),
            )
        )
    return tuple(campaigns)


def _launch_at(c: _Table) -> dt.datetime | None:
    value = c.get("launch_at", (dt.datetime, dt.date), None)
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    # A local TOML datetime means UK time: that is where the campaigner is.
    return value if value.tzinfo else value.replace(tzinfo=LONDON)


def _parse_fields(c: _Table) -> tuple[FieldSpec, ...]:
    specs: list[FieldSpec] = []
    variables = c.get("vars", dict, {})
    for i, item in enumerate(c.get("fields", list, [])):
        f = _Table(c.file, item, f"{c.key('fields')}[{i}]")
        f.only("name", "type", "description", "periods", "min", "max")
        name, kind = f.text("name"), f.text("type", "int")
        if not re.match(r"^[a-z][a-z0-9_]*$", name):
            f.fail(f"'{name}' must be lower-case letters, digits and _", f.key("name"))
        if kind not in FIELD_TYPES:
            f.fail(f"unknown type '{kind}' (one of {', '.join(FIELD_TYPES)})", f.key("type"))
        if any(s.name == name for s in specs):
            f.fail(f"duplicate field '{name}'", f.key("name"))
        bounds: dict[str, int | None] = {}
        for key in ("min", "max"):
            value = f.get(key, int, None)
            if value is not None and kind != "int":
                f.fail(f"only int fields take {key}", f.key(key))
            bounds[key] = value
        if (
            bounds["min"] is not None
            and bounds["max"] is not None
            and bounds["min"] > bounds["max"]
        ):
            f.fail(f"min ({bounds['min']}) is above max ({bounds['max']})", f.key("min"))
        specs.append(
            FieldSpec(
                name,
                kind,
                f.text("description", ""),
                periods=_parse_periods(f, variables),
                min=bounds["min"],
                max=bounds["max"],
            )
        )
    return tuple(specs)


PERIOD_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
MAX_PERIODS = 100


def _parse_periods(f: _Table, variables: dict[str, Any]) -> tuple[str, ...]:
    """`periods = ["2021", "2022"]` or a year range `{ from = 2021, to = 2025 }`, whose
    ends may name the campaign's `vars` (`{ from = "first_year", to = "last_year" }`)."""
    key = f.key("periods")
    value = f.get("periods", (list, dict), None)
    if value is None:
        return ()
    if isinstance(value, dict):
        span = _Table(f.file, value, key)
        span.only("from", "to")
        ends = []
        for end in ("from", "to"):
            raw = span.get(end, (int, str))
            if isinstance(raw, str):
                if raw not in variables:
                    known = ", ".join(variables) or "none"
                    span.fail(
                        f"'{raw}' is not one of the campaign's vars{suggest(raw, list(variables))}"
                        f" (vars: {known})",
                        span.key(end),
                    )
                raw = variables[raw]
            if isinstance(raw, bool) or not isinstance(raw, int):
                span.fail(f"expected a whole number such as a year, got {raw!r}", span.key(end))
            ends.append(raw)
        first, last = ends
        if last < first or last - first >= MAX_PERIODS:
            span.fail(f"from {first} to {last} is not a range of 1 to {MAX_PERIODS} periods")
        return tuple(str(year) for year in range(first, last + 1))
    labels: list[str] = []
    for i, raw in enumerate(value):
        label = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
        if not isinstance(label, str) or not PERIOD_RE.match(label):
            f.fail(
                "a period is a label of letters, digits, '.', '_' and '-' such as 2021 or 2021-22,"
                f" got {raw!r}",
                f"{key}[{i}]",
            )
        if label in labels:
            f.fail(f"duplicate period '{label}'", f"{key}[{i}]")
        labels.append(label)
    if not labels:
        f.fail("give at least one period, or leave `periods` out", key)
    return tuple(labels)
