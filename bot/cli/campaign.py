"""`foibot draft` and `foibot launch`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from bot.cli.app import App, as_of_option, json_option, pass_app


@click.command()
@click.argument("campaign")
@as_of_option()
@json_option
@pass_app
def draft(app: App, campaign: str, as_of: dt.date | None, as_json: bool) -> None:
    """Render one request per body of CAMPAIGN. Safe to re-run: only edits show up."""
    from bot.campaigns.service import draft_campaign

    report = draft_campaign(app.store, app.config, campaign, app.today(as_of))
    if app.json_wanted(as_json):
        app.emit_json(report.as_json())
        return
    click.echo(
        f"{campaign}: {len(report.created)} created, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped"
    )
    for skip in report.skipped:
        click.echo(f"  skipped {skip['body']}: {skip['reason']}")
    if report.released_differs:
        click.echo(
            "  the template changed but these are already released and were left as sent: "
            + ", ".join(report.released_differs)
        )
    if report.cancelled:
        click.echo("  cancelled (body no longer in the campaign): " + ", ".join(report.cancelled))
    if report.created or report.changed:
        click.echo(f"Review them with `foibot status --campaign {campaign}` and `foibot show REF`.")


@click.command()
@click.argument("campaign")
@as_of_option("datetime")
@click.option(
    "--sheet",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the HTML launch sheet.",
)
@json_option
@pass_app
def launch(
    app: App, campaign: str, as_of: dt.datetime | None, sheet: Path | None, as_json: bool
) -> None:
    """Plan paced release slots for CAMPAIGN's drafts and print the links due now."""
    from bot.campaigns.launch_sheet import launch_sheet_name, write_launch_sheet
    from bot.campaigns.service import launch_campaign
    from bot.dates import format_uk

    now = as_of or dt.datetime.now(dt.UTC)
    report = launch_campaign(app.store, app.config, campaign, now)
    sheet = sheet or app.store.path.parent / launch_sheet_name(campaign)
    write_launch_sheet(sheet, app.store, app.config, campaign, report, now)
    report.sheet = str(sheet)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if app.json_wanted(as_json):
        app.emit_json(report.as_json())
        return
    if report.released:
        click.echo(f"Ready to send now ({len(report.released)}): open each link, check, press Send")
        for item in report.released:
            click.echo(f"\n{item['ref']}  {item['body']}\n{item['url']}")
    else:
        click.echo("Nothing new is due to send yet.")
    for item in report.followups:
        click.echo(
            f"\n{item['kind']} {item['ref']} for {item['request']} ({item['body']}): open {item['url']}"
        )
        click.echo("and paste:\n" + "\n".join("  | " + line for line in item["text"].splitlines()))
    if report.waiting:
        click.echo(
            f"\nStill waiting to be sent from earlier: {', '.join(w['ref'] for w in report.waiting)}"
        )
    if report.scheduled:
        nxt = report.scheduled[0]
        click.echo(
            f"\n{len(report.scheduled)} scheduled; next: {nxt['ref']} at {format_uk(nxt['slot'])} (UK)."
            " Run `foibot launch` again then (or let `foibot run --once` do it)."
        )
    click.echo(f"Launch sheet: {sheet}")


COMMANDS = [draft, launch]
