"""`foibot deadline`: statutory dates for a receipt date."""

from __future__ import annotations

import datetime as dt

import click

from bot.cli.app import App, DateType, json_option, pass_app
from bot.laws import LAWS as LAW_CHOICES  # noqa: E402


@click.command()
@click.argument("received", type=DateType())
@click.option("--law", type=click.Choice(LAW_CHOICES), default="foi", show_default=True)
@click.option(
    "--school",
    is_flag=True,
    help="School or academy: under FOIA 20 school days, at most 60 working days "
    "(SI 2004/3364); EIR/FOISA/EISR give schools 20 working days like anyone.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 400),
    default=20,
    show_default=True,
    help="Working days allowed.",
)
@click.option("--eir", "eir", is_flag=True, help="EIR/EISR reg 7 extension to 40 working days.")
@click.option("--pit-until", type=DateType(), help="FOIA s.10(3): the body's extended date.")
@click.option("--fee-notice", type=DateType(), multiple=True, help="Fees notice given (s.10(2)).")
@click.option("--fee-paid", type=DateType(), multiple=True, help="Fee received, per --fee-notice.")
@json_option
@pass_app
def deadline(
    app: App,
    received: dt.date,
    law: str,
    school: bool,
    days: int,
    eir: bool,
    pit_until: dt.date | None,
    fee_notice: tuple[dt.date, ...],
    fee_paid: tuple[dt.date, ...],
    as_json: bool,
) -> None:
    """Statutory dates for a request received on RECEIVED (YYYY-MM-DD)."""
    from bot import deadlines as dl
    from bot.errors import UsageError

    if len(fee_notice) != len(fee_paid):
        raise UsageError("give --fee-notice and --fee-paid in pairs, one of each per fee")
    extra, remove = _holiday_overrides(app)
    try:
        dl.check_fee_notices(received, zip(fee_notice, fee_paid, strict=True))
        calendar = dl.calendar_for(law, extra, remove)
        result = dl.compute_deadlines(
            received, law, school=school, days=days, calendar=calendar, eir_extended=eir,
            pit_extension_to=pit_until, fee_pauses=list(zip(fee_notice, fee_paid, strict=True)),
        )  # fmt: skip
        # Every date shown is counted past these, so list them up to the latest one (a
        # --pit-until past the bank-holiday data is refused here, like a late --fee-paid).
        last = max(d for d in (result.due, result.very_overdue_after, result.extension_due) if d)
        shown = calendar.holidays_between(result.received, last)
    except dl.DeadlineError as exc:
        raise UsageError(str(exc)) from None
    skipped = [{"date": h.day.isoformat(), "name": h.name} for h in result.holidays_skipped]
    if app.json_wanted(as_json):
        app.emit_json(
            {
                "received": result.received.isoformat(),
                "law": law,
                "working_days": result.working_days,
                "due": result.due.isoformat(),
                "very_overdue_days": result.very_overdue_days,
                "very_overdue_after": result.very_overdue_after.isoformat(),
                "school": result.school,
                "grace_due": result.grace_due.isoformat() if result.grace_due else None,
                "extension_due": result.extension_due.isoformat() if result.extension_due else None,
                "extension_flag": result.extension_flag,
                "fee_pauses": [
                    [a.isoformat(), b.isoformat()]
                    for a, b in zip(fee_notice, fee_paid, strict=True)
                ],
                "holidays_skipped": skipped,
                "holiday_data": dl.holiday_data_version(),
            }
        )
        return
    fmt = "%a %d %b %Y"
    click.echo(f"Received {received.strftime(fmt)} (day 0) under {law.upper()}")
    due_label = f"due (working day {result.working_days}):"
    very_label = f"very overdue after (working day {result.very_overdue_days}):"
    # Every labelled line's date in one column, whichever lines this request has.
    labels = (due_label, very_label, "public-interest extension to:", "fee pause:",
              "Code of Practice reading:")  # fmt: skip
    width = max(map(len, labels))
    if result.school:
        click.echo(
            f"  {due_label:<{width}} {result.due.strftime(fmt)}  — only if every working day "
            "was a school day: the limit is 20 school days (SI 2004/3364)"
        )
        click.echo(
            f"  {very_label:<{width}} {result.very_overdue_after.strftime(fmt)}  — the cap: "
            "within 20 school days and no later than this"
        )
    else:
        click.echo(
            f"  {due_label:<{width}} {result.due.strftime(fmt)}  — overdue from the next day"
        )
        click.echo(f"  {very_label:<{width}} {result.very_overdue_after.strftime(fmt)}")
    if pit_until:
        click.echo(f"  {'public-interest extension to:':<{width}} {pit_until.strftime(fmt)}")
        if result.extension_flag:
            click.echo(f"    note: {result.extension_flag} (ICO guidance)")
    for a, b in zip(fee_notice, fee_paid, strict=True):
        click.echo(f"  {'fee pause:':<{width}} {a.strftime(fmt)} to {b.strftime(fmt)}")
    if result.grace_due:
        click.echo(
            f"  {'Code of Practice reading:':<{width}} {result.grace_due.strftime(fmt)} "
            "(receipt was not a working day)"
        )
    if shown:
        click.echo(f"  Bank holidays skipped besides weekends (to {last.strftime(fmt)}):")
        for h in shown:
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
