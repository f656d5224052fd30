"""`foibot mail`: read WDTK's alert e-mails from [mailbox] and poll what they name."""

from __future__ import annotations

import datetime as dt

import click

from bot.cli.app import App, DateTimeType, json_option, pass_app
from bot.cli.output import print_error
from bot.errors import UsageError


@click.command()
@click.option(
    "--track", is_flag=True, help="Also track requests the alerts name that are not tracked."
)
@click.option("--as-of", "as_of", type=DateTimeType(), help="Pretend it is this (UK) time.")
@click.option("--wait", is_flag=True, help="Wait for a pass already running instead of exiting.")
@json_option
@pass_app
def mail(app: App, track: bool, as_of: dt.datetime | None, wait: bool, as_json: bool) -> None:
    """One pass over new mail in [mailbox]: recognise WDTK's alerts (new responses,
    overdue and classify reminders, track alerts) and poll exactly the requests they
    name. Other mail is left untouched; no message is handled twice."""
    from bot.cli.track import poll_summary
    from bot.mailbox.imap import password_for
    from bot.run.lock import LockHeld, RunLock
    from bot.run.once import mail_pass

    config = app.config
    if config.mailbox is None:
        raise UsageError(
            f"{config.path.name}: no [mailbox] section; see docs/operations.md, 'Mail from WDTK'"
        )
    password_for(config.mailbox)  # a missing password is a config error: exit 2, before any work
    app.require_database()
    store = app.store  # migrates the database before the lock
    lock = RunLock(store.path)
    try:
        lock.acquire(wait=wait)
    except LockHeld as exc:
        click.echo(f"{exc}; nothing done")  # exit 0, like `run --once`: it runs from cron
        return
    try:
        # SIGTERM ends the WDTK call in flight and any wait within a few seconds.
        stop = app.stop_flag()
        with app.wdtk_client(stop) as client:
            now = (as_of or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
            report = mail_pass(store, config, client, now, track=track, should_stop=stop.is_set)
    finally:
        lock.release()
    if app.json_wanted(as_json):
        app.emit_json(report.as_json())
    elif report.error is None:
        text = report.paragraph(name_untracked=False)
        lines = [text[0].upper() + text[1:] + "."]
        for handled in report.handled:
            named = ", ".join(handled.refs + handled.tracked) or "no tracked request"
            lines.append(f"  {handled.kind} (UID {handled.uid}): {named}")
            for ref in handled.tracked:
                lines.append(f"    now tracking {ref}")
            hint = " (`foibot mail --track` follows it)"
            if handled.untracked and handled.doubt is not None:
                hint = ""
                lines.append(
                    f"    may not be WDTK's own ({handled.doubt}): --track follows none of it"
                )
            for label in handled.untracked:
                lines.append(f"    not tracked: {label}{hint}")
        if report.poll is not None:
            lines.append(poll_summary(report.poll))
        click.echo("\n".join(lines))
    if report.error:
        print_error(report.error)
        raise click.exceptions.Exit(1)


COMMANDS = [mail]
