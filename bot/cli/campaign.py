"""`foibot draft` and `foibot launch`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from bot.cli.app import App, as_of_option, json_option, pass_app


@click.command()
@click.argument("campaign")
@click.option(
    "--prune", is_flag=True, help="Cancel drafts whose body is no longer in the campaign."
)
@as_of_option()
@json_option
@pass_app
def draft(app: App, campaign: str, prune: bool, as_of: dt.date | None, as_json: bool) -> None:
    """Render one request per body of CAMPAIGN. Safe to re-run: only edits show up."""
    from bot.campaigns.service import draft_campaign

    report = draft_campaign(app.store, app.config, campaign, app.today(as_of), prune=prune)
    if app.json_wanted(as_json):
        app.emit_json(report.as_json())
        if report.failed:
            raise click.exceptions.Exit(1)
        return
    click.echo(
        f"{campaign}: {len(report.created)} created, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped"
    )
    for skip in report.skipped:
        click.echo(f"  skipped {skip['body']}: {skip['reason']}")
    if report.not_subject_to_foi:
        click.echo(
            "  not subject to FOI (voluntary requests: no statutory deadline, review or "
            "complaint): " + ", ".join(report.not_subject_to_foi)
        )
    if report.released_differs:
        click.echo(
            "  the template changed but these are already released and were left as sent: "
            + ", ".join(report.released_differs)
        )
    if report.cancelled:
        click.echo("  cancelled (body no longer in the campaign): " + ", ".join(report.cancelled))
    if report.orphaned:
        click.echo(
            "  orphaned (body no longer in the campaign; never released): "
            + ", ".join(report.orphaned)
            + f"\n  `foibot draft {campaign} --prune` cancels them."
        )
    for item in report.failed:
        click.echo(f"  not drafted: {item['body']}: {item['error']}", err=True)
    if report.created or report.changed:
        click.echo(f"Review them with `foibot status --campaign {campaign}` and `foibot show REF`.")
    if report.failed:
        raise click.exceptions.Exit(1)


@click.command()
@click.argument("campaign")
@as_of_option("datetime")
@click.option(
    "--sheet",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the HTML launch sheet.",
)
@click.option("--wait", is_flag=True, help="If another foibot run holds the lock, wait for it.")
@json_option
@pass_app
def launch(
    app: App,
    campaign: str,
    as_of: dt.datetime | None,
    sheet: Path | None,
    wait: bool,
    as_json: bool,
) -> None:
    """Release what WDTK's pace allows of CAMPAIGN's drafts, with the time to send each."""
    from bot.campaigns.launch_sheet import write_launch_sheet
    from bot.campaigns.service import launch_campaign
    from bot.rules.news import launch_sheet_name

    app.config.campaign(campaign)  # an unknown campaign is exit 2 before any waiting
    # The run lock: `run --once` releases slots too, and must not race this to them.
    app.lock(wait=wait)
    now = as_of or dt.datetime.now(dt.UTC)
    sheet = sheet or app.store.path.parent / launch_sheet_name(campaign)

    def write_sheet(report) -> None:
        report.sheet = str(sheet)
        write_launch_sheet(sheet, app.store, app.config, campaign, report, now)

    report = launch_campaign(app.store, app.config, campaign, now, sheet=write_sheet)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if app.json_wanted(as_json):
        app.emit_json(report.as_json())
        return
    statuses = [r["status"] for r in app.store.campaign_requests(campaign)]
    click.echo(launch_text(report, statuses))


def launch_text(report, statuses: list[str]) -> str:
    """What `launch` tells a person: what to send now and when, and what waits.
    `statuses`: those of the campaign's requests, as stored after the launch."""
    from bot.dates import format_uk
    from bot.statuses import LOCAL, Status

    lines = []
    # On WDTK, all but the cancelled: no draft to schedule, none released (ready) unsent.
    everything_out = any(s not in LOCAL for s in statuses) and not (
        {Status.DRAFT, Status.READY} & set(statuses)
    )
    if report.released:
        lines.append(
            f"Ready to send now ({len(report.released)}): open each link at its time, check, press Send"
        )
        for item in report.released:
            when = (
                format_uk(item["send_after"], not_before=True) if item.get("send_after") else "now"
            )
            lines += [
                "",
                f"{item['ref']}  {item['body']}  send at or after {when} (UK)",
                item["url"],
            ]
    elif everything_out and not report.followups:
        lines.append(
            "Every request of this campaign is on WDTK (or cancelled): nothing more to send."
        )
    elif not report.followups:
        lines.append("Nothing new is due to send yet.")
    else:
        lines.append("No new request is due to send yet; the follow-ups below are.")
    if report.waiting:
        lines.append("")
        lines.append(
            f"Still waiting to be sent ({len(report.waiting)}); the launch sheet has their links:"
        )
        for w in report.waiting:
            when = format_uk(w["send_after"], not_before=True) if w.get("send_after") else "now"
            lines.append(f"  {w['ref']}  {w['body']}  send at or after {when} (UK)")
    if report.marked_sent:
        lines.append(
            f"\nMarked sent, waiting for WDTK to show them ({len(report.marked_sent)}); "
            "do not send them again:"
        )
        for m in report.marked_sent:
            lines.append(f"  {m['ref']}  {m['body']}  marked sent {format_uk(m['marked_at'])} (UK)")
    if report.held:
        lines.append(
            f"\n{len(report.held)} more due but held until WDTK shows the waiting ones sent: "
            + ", ".join(h["ref"] for h in report.held)
        )
    for item in report.followups:
        fresh = " (new)" if item.released_now else ""
        lines += [
            "",
            f"{item.kind} {item.ref}{fresh} for {item.request} ({item.body}): open {item.url}",
            "and paste the text between the lines (or copy it from the launch sheet):",
            "-" * 40,
            item.letter.rstrip("\n"),
            "-" * 40,
        ]
        if item.for_you:
            lines.append(f"For you, not part of the letter: {item.for_you}")
        lines.append(
            f"When sent, foibot sees it on WDTK; or mark it with `foibot done {item.ref}`."
        )
    if report.withdrawn:
        lines += ["", f"Withdrawn, do not send ({len(report.withdrawn)}): their reason has gone"]
        for w in report.withdrawn:
            when = "now" if w["withdrawn_now"] else format_uk(w["withdrawn_at"])
            lines.append(
                f"  {w['kind']} {w['ref']} for {w['request']} ({w['body']}), withdrawn {when}: "
                f"{w['note']}"
            )
    for item in report.orphaned:
        lines.append(
            f"\nNot released: {item['ref']}: {item['reason']} (`foibot draft --prune` cancels it)"
        )
    if report.scheduled:
        nxt = report.scheduled[0]
        lines.append(
            f"\n{len(report.scheduled)} scheduled; next: {nxt['ref']} at {format_uk(nxt['slot'], not_before=True)} (UK)."
            " Run `foibot launch` again then (or let `foibot run --once` do it)."
        )
    lines.append(f"Launch sheet: {report.sheet}")
    return "\n".join(lines)


COMMANDS = [draft, launch]
