"""Shared CLI plumbing: lazy config and store, output, errors without tracebacks."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click

from bot.errors import FoibotError, UsageError

if TYPE_CHECKING:
    from bot.config import Config
    from bot.store.db import Store


RICH_MAX_ROWS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
PLAIN_MAX_WIDTH = 60


class FoibotGroup(click.Group):
    """Turns foibot's own errors into a one-line message and the right exit code."""

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

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FoibotError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


class App:
    def __init__(self, config_path: str, db_path: str | None, as_json: bool):
        self.config_path, self.db_path, self.as_json = config_path, db_path, as_json
        self._store: Store | None = None

    @cached_property
    def config(self) -> Config:
        from bot.config import load_config

        return load_config(self.config_path)

    @property
    def store(self) -> Store:
        if self._store is None:
            from bot.store.db import Store

            self._store = Store(self.db_path or self.config.db_path)
            click.get_current_context().call_on_close(self._store.close)
        return self._store

    def json_wanted(self, flag: bool) -> bool:
        return flag or self.as_json

    def emit_json(self, data: Any) -> None:
        # Indented for people; one line per item for big listings, where indenting would
        # triple the time spent writing (10,000 status rows).
        big = isinstance(data, list) and len(data) > RICH_MAX_ROWS
        if big:
            click.echo(
                "[\n"
                + ",\n".join(json.dumps(item, ensure_ascii=False, default=str) for item in data)
                + "\n]"
            )
        else:
            click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))

    def print_table(self, headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        """A rich table for a screenful; plain aligned columns for long listings, which
        rich would take seconds to measure and wrap."""
        if len(rows) <= RICH_MAX_ROWS:
            from rich.table import Table

            table = Table(*headers)
            for row in rows:
                table.add_row(*row)
            self.console().print(table)
            return
        # User data goes to a terminal raw here: control characters (ANSI escapes, CR) out.
        rows = [tuple(c if c.isprintable() else _CONTROL.sub("?", c) for c in row) for row in rows]
        widths = [
            min(PLAIN_MAX_WIDTH, max(map(len, column)))
            for column in zip(headers, *rows, strict=True)
        ]
        template = "  ".join(f"{{:{w}.{w}}}" for w in widths)
        lines = [template.format(*headers).rstrip(), "  ".join("-" * w for w in widths)]
        lines.extend(template.format(*row).rstrip() for row in rows)
        click.echo("\n".join(lines))

    def console(self, stderr: bool = False):
        from rich.console import Console

        stream = sys.stderr if stderr else sys.stdout
        # Cron mail and pipes get a wide table rather than rich's 80-column default.
        width = None if stream.isatty() else 160
        # markup/emoji off: titles and body names are user data, and rich would read
        # "[bold]" as markup and ":thumbs_up:" as an emoji, and crash on a stray "[/]".
        return Console(
            stderr=stderr, highlight=False, soft_wrap=False, width=width, markup=False, emoji=False
        )

    def today(self, as_of: dt.date | None) -> dt.date:
        from bot.dates import london_today

        return as_of or london_today()


pass_app = click.make_pass_decorator(App)


def json_option(f):
    return click.option(
        "--json", "as_json", is_flag=True, help="Machine-readable output on stdout."
    )(f)


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-11-22", param, ctx)


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
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON)


def as_of_option(kind: str = "date"):
    param = DateType() if kind == "date" else DateTimeType()
    return click.option("--as-of", "as_of", type=param, help="Pretend today is this (UK time).")


def fail_usage(message: str) -> None:
    raise UsageError(message)


def stderr(message: str) -> None:
    print(message, file=sys.stderr)
