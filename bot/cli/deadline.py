"""`foibot deadline`: statutory dates for a receipt date."""

from __future__ import annotations

import datetime as dt

import click

from bot.cli.app import App, DateType, json_option, pass_app

LAW_CHOICES = ("foi", "eir", "foisa", "eisr")


@click.command()
@click.argument("received", type=DateType())
@click.option("--law", type=click.Choice(LAW_CHOICES), default="foi", show_default=True)
@click.option(
    "--school", is_flag=True, help="School or academy: very overdue after 60 working days."
)
@click.option(
    "--days",
    type=click.IntRange(1, 400),
    default=20,
    show_default=True,
    help="Working days allowed.",
)
@json_option
@pass_app
def deadline(app: App, received: dt.date, law: str, school: bool, days: int, as_json: bool) -> None:
    """Statutory dates for a request received on RECEIVED (YYYY-MM-DD)."""
    from bot import deadlines as dl
    from bot.errors import UsageError

    extra, remove = _holiday_overrides(app)
    try:
        calendar = dl.calendar_for(law, extra, remove)
        result = dl.compute_deadlines(received, law, school=school, days=days, calendar=calendar)
    except dl.DeadlineError as exc:
        raise UsageError(str(exc)) from None
    skipped = [{"date": h.day.isoformat(), "name": h.name} for h in result.holidays_skipped]
    if app.json_wanted(as_json):
        app.emit_json(
            {
                "received": result.received.isoformat(),
                "law": law,
                "working_days": days,
                "due": result.due.isoformat(),
                "very_overdue_after": result.very_overdue_after.isoformat(),
                "grace_due": result.grace_due.isoformat() if result.grace_due else None,
                "holidays_skipped": skipped,
                "holiday_data": dl.holiday_data_version(),
            }
        )
        return
    fmt = "%a %d %b %Y"
    click.echo(f"Received {received.strftime(fmt)} (day 0) under {law.upper()}")
    click.echo(
        f"  due (working day {days}):        {result.due.strftime(fmt)}  — overdue from the next day"
    )
    very = 60 if school else 40
    click.echo(f"  very overdue after (day {very}): {result.very_overdue_after.strftime(fmt)}")
    if result.grace_due:
        click.echo(
            f"  Code of Practice reading:      {result.grace_due.strftime(fmt)} (receipt was not a working day)"
        )
    if skipped:
        click.echo("  Bank holidays skipped besides weekends:")
        for h in result.holidays_skipped:
            click.echo(f"    {h.day.strftime(fmt)}  {h.name}")
    else:
        click.echo("  No bank holidays fall in the count; only weekends were skipped.")


def _holiday_overrides(app: App) -> tuple[tuple[dt.date, ...], tuple[dt.date, ...]]:
    """[deadlines] overrides from config, if there is a config; `deadline` works without one."""
    from pathlib import Path

    if not Path(app.config_path).exists():
        return (), ()
    return app.config.extra_holidays, app.config.remove_holidays


COMMANDS = [deadline]
