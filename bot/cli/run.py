"""`foibot run --once` (for cron) and `foibot daemon` (runs forever)."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

import click

from bot.cli.app import App, DateTimeType, json_option, pass_app
from bot.errors import UsageError


@click.command()
@click.option("--once", is_flag=True, help="One pass of everything due, then exit (for cron).")
@click.option("--as-of", "as_of", type=DateTimeType(), help="Pretend it is this (UK) time.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when there was nothing to do.")
@click.option("--wait", is_flag=True, help="Wait for a pass already running instead of exiting.")
@json_option
@pass_app
def run(
    app: App, once: bool, as_of: dt.datetime | None, quiet: bool, wait: bool, as_json: bool
) -> None:
    """Release due launch slots, poll WDTK, and send notifications: one pass."""
    if not once:
        raise UsageError("use `foibot run --once` for one pass, or `foibot daemon` to keep running")
    from bot.run.lock import LockHeld, RunLock
    from bot.run.once import run_once

    config = app.config
    app.require_database()
    lock = RunLock(app.store_path())
    try:
        lock.acquire(wait=wait)
    except LockHeld as exc:
        # Exit 0 on purpose: from cron, an overlapping pass is normal, not a failure.
        if not quiet:
            click.echo(f"{exc}; nothing done")
        return
    click.get_current_context().call_on_close(lock.release)
    stop = app.stop_flag()
    with app.wdtk_client(stop) as client:
        now = (as_of or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        summary = run_once(app.store, config, now, client, should_stop=stop.is_set)
    if app.json_wanted(as_json):
        app.emit_json(
            {
                "released": summary.released,
                "mail": summary.mail.as_json() if summary.mail else None,
                "poll": summary.poll.as_json() if summary.poll else None,
                "followups": summary.followups,
                "attachments": summary.attachments.as_json() if summary.attachments else None,
                "digest": {
                    "channels": summary.digest_channels,
                    "items": summary.news_queued,
                    "errors": summary.digest_errors,
                },
                "nothing_happened": summary.nothing_happened,
            }
        )
    elif not (quiet and summary.nothing_happened):
        click.echo(summary.paragraph())
    if summary.failed:
        raise click.exceptions.Exit(1)


@click.command()
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="INFO",
    show_default=True,
)
@click.option(
    "--log-file", type=click.Path(dir_okay=False, path_type=Path), help="Also log to this file."
)
@click.option(
    "--verbose", "-v", is_flag=True, help="Also log the scheduler's own steps (APScheduler)."
)
@pass_app
def daemon(app: App, log_level: str, log_file: Path | None, verbose: bool) -> None:
    """Run passes on the [schedule] in config until SIGTERM or SIGINT.

    The first pass runs at once; each pass that did something logs one line.
    """
    from logging.handlers import WatchedFileHandler

    from bot.run.daemon import Daemon

    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        try:
            # Reopened when logrotate moves it away: the next line starts the new file.
            handlers.append(WatchedFileHandler(log_file))
        except OSError as exc:
            raise UsageError(f"--log-file {log_file}: cannot open it: {exc.strerror}") from None
    logging.basicConfig(
        level=log_level.upper(),
        handlers=handlers,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    config = app.config
    if config.mailbox is not None:
        from bot.mailbox.imap import password_for

        password_for(config.mailbox)  # a missing password fails now (exit 2), not in a thread
    app.require_database()
    _ = app.store  # migrate once up front, so a bad database fails now, not in a job
    db_path = Path(app.db_path or config.db_path)
    from bot.run.lock import RunLock

    alone = RunLock(db_path, daemon=True)
    alone.acquire()  # LockHeld: exit 1, naming the running daemon's pid
    click.get_current_context().call_on_close(alone.release)
    web = None
    if config.serve.daemon:
        # The pages in this process too: bound now, so a refusal (no accounts on an open
        # address, the port taken) fails here with exit 2, before any pass.
        from bot.web.server import make_server

        web = make_server(config, db_path, config.serve.host, config.serve.port)
    raise click.exceptions.Exit(Daemon(config, db_path, web).run(verbose=verbose))


COMMANDS = [run, daemon]
