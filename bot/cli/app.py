"""Shared CLI plumbing: lazy config and store, output, errors without tracebacks."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import signal
import sys
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import click

from bot.cli.failures import last_resort, reader_gone
from bot.cli.output import RICH_MAX_ROWS, console, print_error, print_table
from bot.cli.settings import Settings
from bot.errors import ConfigError, FoibotError, Interrupted, UsageError
from bot.wording import SURROGATE_RANGES

if TYPE_CHECKING:
    from bot.store.db import Store
    from bot.wdtk.client import WdtkClient


_UNDECODABLE = re.compile(f"[{SURROGATE_RANGES}]")


class FoibotGroup(click.Group):
    """Turns every error into a one-line message and the right exit code.

    foibot's own errors say what to do; anything else is a bug or an environment problem
    nobody foresaw, and still gets one line (plus a pointer to --debug), never a traceback.
    """

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Each command's whole first sentence, wrapped: click cuts it at ~45-65 characters.
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=300)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # A byte that is not UTF-8 (pasted into a shell) arrives as a lone surrogate, which
        # neither SQLite nor a terminal can take: refused here, before any command sees it.
        for n, arg in enumerate(args, 1):
            if _UNDECODABLE.search(arg):
                print_error(f"argument {n} ({arg!r}) is not valid UTF-8: type it again")
                ctx.exit(2)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            # A command's usage error on one line, as foibot's own are: what is wrong, and
            # where the help is (click's own form takes four lines).
            where = exc.ctx.command_path if exc.ctx is not None else "foibot"
            print_error(f"{exc.format_message()} (see `{where} --help`)")
            ctx.exit(exc.exit_code)
        except FoibotError as exc:
            print_error(str(exc))
            ctx.exit(exc.exit_code)
        except (Interrupted, KeyboardInterrupt) as exc:
            # Ctrl-C in a command with no stop flag of its own (draft, bodies import): its
            # transaction was rolled back, so the same is true of it.
            why = str(exc) or "interrupted (Ctrl-C)"
            click.echo(
                f"Stopped: {why}. What was finished is saved; the next run carries on.",
                err=True,
            )
            ctx.exit(1)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            # click prints its own errors, quoting what the user typed with repr(): escaped.
            raise
        except BrokenPipeError:
            # The reader went away (`foibot status | head`): nothing failed that anyone
            # needs telling about, and nothing was half-written to the database.
            reader_gone()
            ctx.exit(1)
        except Exception as exc:
            app = ctx.obj if isinstance(ctx.obj, App) else None
            if app is not None and app.debug:
                raise
            message, code = last_resort(exc, app)
            print_error(message)
            ctx.exit(code)


class App(Settings):
    """Settings, with the store, the run lock and output: what a click command is given."""

    def __init__(self, config_path: str, db_path: str | None, as_json: bool, debug: bool = False):
        super().__init__(config_path, db_path, as_json, debug)
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            from bot.run.lock import holder
            from bot.store.db import Store

            self._store = Store(
                self.store_path(), busy_timeout_s=self._busy_timeout(), lock_holder=holder
            )
            click.get_current_context().call_on_close(self._store.close)
        return self._store

    def require_database(self) -> None:
        """The unattended passes (`run`, `daemon`, `poll`, `mail`) never start an empty
        database: a mistyped [storage] path, or a disk not mounted, would have them poll
        nothing and report success every time. UsageError (exit 2) naming the path."""
        path = self.store_path()
        if not path.exists():
            raise UsageError(
                f"no database at {path}: `foibot init` makes one; if it should be there, "
                "check [storage] path (or --db) and that its disk is mounted"
            )

    def _busy_timeout(self) -> float:
        from bot.store.db import BUSY_TIMEOUT_S

        try:
            return self.config.busy_timeout_s
        except ConfigError:
            if self.db_path:  # --db without a usable config: the default will do
                return BUSY_TIMEOUT_S
            raise

    def lock(self, *, wait: bool = False) -> None:
        """Hold the run lock until the command ends: one process at a time writes in bulk
        or calls WDTK. Raises LockHeld (exit 1) naming the other pid."""
        from bot.run.lock import LockHeld, RunLock

        run_lock = RunLock(self.store_path())
        try:
            run_lock.acquire(wait=wait)
        except LockHeld as exc:
            raise LockHeld(
                f"{exc}; nothing done (try again later, or add --wait)", exc.pid
            ) from None
        click.get_current_context().call_on_close(run_lock.release)

    def wdtk_client(self, stop: threading.Event | None = None) -> WdtkClient:
        """A WDTK client for this command, with robots.txt kept in the database for a day
        (RobotsCache): a run from cron every few minutes reads it once a day, not once a run."""
        from bot.wdtk.client import WdtkClient
        from bot.wdtk.robots import RobotsCache

        store = self.store
        cache = RobotsCache(store.robots_txt, store.set_robots_txt)
        return WdtkClient(self.config.wdtk, stop=stop, robots_cache=cache)

    def stop_flag(self) -> threading.Event:
        """A flag SIGTERM and SIGINT set, instead of killing the command mid-write; the
        WDTK client and the poll loop stop at it. Handlers are restored when it ends."""
        stop = threading.Event()
        if threading.current_thread() is not threading.main_thread():
            return stop  # signals can only be handled on the main thread
        previous = {
            sig: signal.signal(sig, lambda *_: stop.set())
            for sig in (signal.SIGTERM, signal.SIGINT)
        }

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        click.get_current_context().call_on_close(restore)
        return stop

    def emit_json(self, data: Any) -> None:
        """`data` as JSON on stdout: indented for people; a listing longer than a screenful
        one item a line, written as it is read (an iterator of 100,000 status rows is
        never held in memory whole)."""
        if isinstance(data, dict | str) or not isinstance(data, Iterable):
            click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
            return
        items = iter(data)
        head = list(itertools.islice(items, RICH_MAX_ROWS + 1))
        if len(head) <= RICH_MAX_ROWS:
            click.echo(json.dumps(head, indent=2, ensure_ascii=False, default=str))
            return
        encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
        rest = itertools.chain(head, items)
        sep = "[\n"
        while batch := list(itertools.islice(rest, 1000)):
            sys.stdout.write(sep + ",\n".join(map(encode, batch)))
            sep = ",\n"
        sys.stdout.write("\n]\n")
        sys.stdout.flush()

    def print_table(self, headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        print_table(headers, rows)

    def console(self, stderr: bool = False):
        return console(stderr)


pass_app = click.make_pass_decorator(App)


def json_option(f):
    return click.option(
        "--json", "as_json", is_flag=True, help="Machine-readable output on stdout."
    )(f)


# The dates a command can be asked about: statutory deadlines, poll back-offs and
# reports add months to "today", which near year 9999 would overflow.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


class DateType(click.ParamType):
    """A day; a date-time stands for its day in UK time, so that one `--as-of` value works
    for every command."""

    name = "YYYY-MM-DD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            from bot.dates import LONDON

            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                self.fail(f"{value!r} is not a date like 2026-11-22", param, ctx)
            parsed = (moment.astimezone(LONDON) if moment.tzinfo else moment).date()
        _in_range(self, parsed, value, param, ctx)
        return parsed


def _in_range(
    kind: click.ParamType,
    day: dt.date,
    value: str,
    param: click.Parameter | None,
    ctx: click.Context | None,
) -> None:
    if not EARLIEST <= day <= LATEST:
        kind.fail(f"{value!r} is out of range ({EARLIEST} to {LATEST})", param, ctx)


class DateTimeType(click.ParamType):
    """A moment in time; a bare date or a naive time is UK time."""

    name = "DATETIME"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        from bot.dates import LONDON

        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date-time like 2026-11-22T09:30", param, ctx)
        _in_range(self, parsed.date(), value, param, ctx)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON)


def as_of_option(kind: str = "date"):
    param = DateType() if kind == "date" else DateTimeType()
    return click.option("--as-of", "as_of", type=param, help="Pretend today is this (UK time).")


def who_am_i() -> str | None:
    """Who made a change from the command line, for the record: the login name."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers and cron setups
        return None


def fail_usage(message: str) -> None:
    raise UsageError(message)


def stderr(message: str) -> None:
    print(message, file=sys.stderr)
