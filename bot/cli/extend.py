"""`foibot extend REF`: record an extension or a fee pause the body has given."""

from __future__ import annotations

import datetime as dt

import click

from bot.cli.app import App, DateType, json_option, pass_app
from bot.errors import UsageError


@click.command()
@click.argument("ref")
@click.option("--eir", "eir", is_flag=True, help="EIR/EISR reg 7: extended to 40 working days.")
@click.option(
    "--pit-until",
    type=DateType(),
    help="FOIA s.10(3): the date the body gave for its public-interest decision.",
)
@click.option(
    "--fee-notice",
    type=DateType(),
    multiple=True,
    help="Fees notice given on this date (s.10(2)); pair it with --fee-paid.",
)
@click.option(
    "--fee-paid", type=DateType(), multiple=True, help="The fee was received on this date."
)
@click.option("--clear", is_flag=True, help="Forget what was recorded for this clock first.")
@json_option
@pass_app
def extend(
    app: App,
    ref: str,
    eir: bool,
    pit_until: dt.date | None,
    fee_notice: tuple[dt.date, ...],
    fee_paid: tuple[dt.date, ...],
    clear: bool,
    as_json: bool,
) -> None:
    """Record that REF's body extended its time or paused the clock for a fee.

    Each use is an `extension` event in the request's history. The due dates on the
    request move at once, and `status`, `overdue`, follow-ups and reports use them;
    a clarification or resend starts a new clock, which they do not carry over to.
    """
    from bot import deadlines as dl
    from bot.rules.clock import ClockAdjust, adjusted_dates, with_extension

    if len(fee_notice) != len(fee_paid):
        raise UsageError("give --fee-notice and --fee-paid in pairs, one of each per fee")
    if not (eir or pit_until or fee_notice or clear):
        raise UsageError("nothing to record: give --eir, --pit-until, or --fee-notice/--fee-paid")
    store = app.store
    from bot.cli.names import check_ref

    row = check_ref(app, ref)
    if not row["sent_on"]:
        raise UsageError(f"{ref} has no clock yet: it is not on WhatDoTheyKnow (poll it first)")
    law = row["law"] or "foi"
    if law == "none":
        raise UsageError(
            f"{ref}: the body is not subject to FOI law (a voluntary request): "
            "there is no statutory clock to extend or pause"
        )
    calendar = app.config.calendar(law)
    try:
        adjust = with_extension(
            None if clear else ClockAdjust.from_row(row),
            row["sent_on"],
            eir_extended=eir,
            pit_until=pit_until,
            fee_pauses=list(zip(fee_notice, fee_paid, strict=True)),
        )
        stored = {**row, "clock_adjust": adjust.as_json()}
        due, very = adjusted_dates(stored, law, bool(row["is_school"]), calendar)
        flag = adjust.deadlines(law, bool(row["is_school"]), calendar).extension_flag
    except dl.DeadlineError as exc:
        raise UsageError(f"{ref}: {exc}") from None
    detail = {
        "clock": row["sent_on"],
        "eir_extended": eir or None,
        "pit_until": pit_until.isoformat() if pit_until else None,
        "fee_pauses": [
            [a.isoformat(), b.isoformat()] for a, b in zip(fee_notice, fee_paid, strict=True)
        ]
        or None,
        "cleared": clear or None,
        "due": due.isoformat(),
        "very_overdue_after": very.isoformat(),
    }
    with store.transaction():
        store.log(ref, "extension", {k: v for k, v in detail.items() if v is not None})
        store.update_request(
            ref,
            clock_adjust=adjust.as_json(),
            due=due.isoformat(),
            very_overdue_after=very.isoformat(),
        )
    result = {
        "ref": ref,
        "law": law,
        "sent_on": row["sent_on"],
        "due": due.isoformat(),
        "very_overdue_after": very.isoformat(),
        "was_due": row["due"],
        "flag": flag,
    }
    if app.json_wanted(as_json):
        app.emit_json(result)
        return
    click.echo(f"{ref}: due {due.isoformat()} (was {row['due']}); very overdue after {very}")
    if flag:
        click.echo(f"  note: {flag} (ICO guidance: normally no more than 20 extra working days)")


COMMANDS = [extend]
