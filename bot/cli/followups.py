"""`foibot followups`: draft chasers, internal reviews and complaints in bulk."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from bot.cli.app import App, as_of_option, json_option, pass_app
from bot.followups import KINDS as KIND_CHOICES

if TYPE_CHECKING:
    from bot.followups.service import FollowupReport


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
    failed = any(r.failed for r in reports)
    if app.json_wanted(as_json):
        app.emit_json(followups_json(campaign, kinds, [r.as_json() for r in reports]))
        if failed:
            raise click.exceptions.Exit(1)
        return
    if reports and reports[0].disabled:
        click.echo("Follow-ups are switched off ([followups] enabled = false): nothing drafted.")
        return
    for report in reports:
        _print_report(report)
    not_owned = max((r.not_owned for r in reports), default=0)
    if not_owned:
        click.echo(
            f"Skipped {not_owned} tracked request(s) of other WDTK users: only a request's owner "
            f"can follow it up or complain ([wdtk] user is {app.config.wdtk.user or 'unset'!r})."
        )
    if any(r.created for r in reports):
        click.echo(f"Review them with `foibot show REF`; `foibot launch {campaign}` releases them.")
    if failed:
        raise click.exceptions.Exit(1)


def _print_report(report: FollowupReport) -> None:
    """One kind's line, then its requests not drafted (to stderr) and held back."""
    refs = ", ".join(f"{c.ref} ({c.request})" for c in report.created)
    line = f"{report.kind}: {len(report.created)} drafted" + (f": {refs}" if refs else "")
    if report.existing:
        line += f"; {report.existing} already drafted"
    click.echo(line)
    for item in report.failed:
        click.echo(f"  not drafted: {item['request']}: {item['error']}", err=True)
    for item in report.suggestions:
        click.echo(
            f"  held back: {item['request']}: a reply announces more time; run `{item['hint']}`"
        )


@click.command()
@click.argument("refs", nargs=-1, required=True)
@click.option(
    "--cancelled", is_flag=True, help="Not to be sent: cancel it instead of marking it sent."
)
@as_of_option("datetime")
@pass_app
def done(app: App, refs: tuple[str, ...], cancelled: bool, as_of: dt.datetime | None) -> None:
    """Mark follow-ups or released requests as sent by hand (or cancel them).

    A request marked sent is never offered as "send now" again while WDTK's pages do not
    show it yet; the poll still links it when they do."""
    from bot.errors import FoibotError
    from bot.followups.service import mark_done

    failed = False
    for ref in refs:
        try:
            now = as_of or dt.datetime.now(dt.UTC)
            status = mark_done(app.store, ref, cancelled=cancelled, now=now)
        except FoibotError as exc:
            click.echo(f"Error: {exc}", err=True)
            failed = True
            continue
        click.echo(f"{ref}: {status}")
    if failed:
        raise click.exceptions.Exit(2 if len(refs) == 1 else 1)


def followups_json(campaign: str, kinds: tuple[str, ...], reports: list[dict]) -> dict:
    """One object whatever the kinds asked for (product.md): `created` holds every kind's
    new drafts, each naming its kind; `by_kind` keeps each kind's own report."""
    if len(reports) == 1:
        return reports[0]
    return {
        "campaign": campaign,
        "kind": ",".join(kinds) if kinds else "all",
        "created": [{**c, "kind": r["kind"]} for r in reports for c in r["created"]],
        "existing": sum(r["existing"] for r in reports),
        "disabled": any(r["disabled"] for r in reports),
        "suggestions": list(
            {(s["request"], s["hint"]): s for r in reports for s in r["suggestions"]}.values()
        ),
        "failed": [f for r in reports for f in r["failed"]],
        "not_owned": max((r["not_owned"] for r in reports), default=0),
        "by_kind": {r["kind"]: r for r in reports},
    }


COMMANDS = [followups, done]
