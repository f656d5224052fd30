"""`foibot followups`: draft chasers, internal reviews and complaints in bulk."""

from __future__ import annotations

import datetime as dt

import click

from bot.cli.app import App, as_of_option, json_option, pass_app

KIND_CHOICES = ("chaser", "nudge", "internal-review", "complaint")


@click.command()
@click.argument("campaign")
@click.option(
    "--kind",
    "kinds",
    type=click.Choice(KIND_CHOICES),
    multiple=True,
    help="Which follow-ups (default: all).",
)
@as_of_option()
@json_option
@pass_app
def followups(
    app: App, campaign: str, kinds: tuple[str, ...], as_of: dt.date | None, as_json: bool
) -> None:
    """Draft every follow-up CAMPAIGN's requests are due, for review.

    Chasers for late replies, acknowledgement nudges, internal reviews of refusals, and
    complaints to the ICO or the Scottish Information Commissioner. Drafting is
    idempotent; `foibot launch` releases them, one per body per day.
    """
    from bot.followups.service import draft_followups

    today = app.today(as_of)
    reports = [
        draft_followups(app.store, app.config, campaign, kind, today)
        for kind in kinds or KIND_CHOICES
    ]
    if app.json_wanted(as_json):
        app.emit_json(reports[0].as_json() if len(reports) == 1 else [r.as_json() for r in reports])
        return
    if reports and reports[0].disabled:
        click.echo("Follow-ups are switched off ([followups] enabled = false): nothing drafted.")
        return
    for report in reports:
        refs = ", ".join(f"{c['ref']} ({c['request']})" for c in report.created)
        line = f"{report.kind}: {len(report.created)} drafted" + (f": {refs}" if refs else "")
        if report.existing:
            line += f"; {report.existing} already drafted"
        click.echo(line)
    if any(r.created for r in reports):
        click.echo(f"Review them with `foibot show REF`; `foibot launch {campaign}` releases them.")


COMMANDS = [followups]
