"""`foibot followups`: draft chasers, internal reviews and complaints in bulk."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from bot.cli.app import App, as_of_option, json_option, pass_app, who_am_i
from bot.cli.output import print_error
from bot.followups import KINDS as KIND_CHOICES
from bot.wording import first_few

if TYPE_CHECKING:
    from bot.followups.service import FollowupReport, Scope


@click.command()
@click.argument("campaign", required=False)
@click.option("--group", "-g", help="The tracked requests of this group (no campaign needed).")
@click.option(
    "--ref",
    "refs",
    multiple=True,
    metavar="REF",
    help="Only this tracked request (repeat for more; with --group, each must be in it).",
)
@click.option(
    "--kind",
    "kinds",
    type=click.Choice(KIND_CHOICES),
    multiple=True,
    help="Which follow-ups (default: all).",
)
@click.option(
    "--late-review",
    is_flag=True,
    help="Also draft Scottish requirements for review whose 40-working-day window has "
    "closed (FOISA s.20(5)), worded as late ones the body may refuse (s.20(6)).",
)
@as_of_option()
@json_option
@pass_app
def followups(
    app: App,
    campaign: str | None,
    group: str | None,
    refs: tuple[str, ...],
    kinds: tuple[str, ...],
    late_review: bool,
    as_of: dt.date | None,
    as_json: bool,
) -> None:
    """Draft the follow-ups due for CAMPAIGN's requests, or a --group or --ref of tracked ones.

    Chasers for late replies, acknowledgement nudges, internal reviews of refusals, and
    complaints to the ICO or the Scottish Information Commissioner. Drafting is
    idempotent; `foibot launch CAMPAIGN` releases a campaign's, one per body per day.
    Tracked requests outside a campaign get the default policy and the same letters; only
    your own (made by the [wdtk] user) get any, signed with [requester] name.
    """
    from bot.followups.service import draft_followups

    scope = _scope(app, campaign, group, refs)
    today = app.today(as_of)
    reports = [
        draft_followups(app.store, app.config, scope, kind, today, late_review=late_review)
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
    if reports and reports[0].others:
        click.echo(
            f"Skipped {reports[0].not_owned} tracked request(s) of other WDTK users"
            f" ({_whose(reports[0].others)}): only a request's owner can follow it up or"
            f" complain ([wdtk] user is {app.config.wdtk.user or 'unset'!r})."
        )
    if campaign is None:
        _print_unsent(app, scope)
    elif any(r.created for r in reports):
        click.echo(f"Review them with `foibot show REF`; `foibot launch {campaign}` releases them.")
    if failed:
        raise click.exceptions.Exit(1)


def _scope(app: App, campaign: str | None, group: str | None, refs: tuple[str, ...]) -> str | Scope:
    """The campaign slug, or the tracked requests asked for; bad names are exit 2."""
    from bot.cli.app import fail_usage
    from bot.cli.names import check_group, check_ref
    from bot.followups.service import Scope

    if campaign is not None:
        if group or refs:
            fail_usage("give CAMPAIGN, or --group and/or --ref for tracked requests, not both")
        return campaign
    if not (group or refs):
        fail_usage("give CAMPAIGN, --group GROUP or --ref REF")
    check_group(app, group)
    for ref in refs:
        row = check_ref(app, ref)
        if row["campaign"]:
            fail_usage(
                f"{ref} belongs to campaign {row['campaign']!r}: "
                f"use `foibot followups {row['campaign']}`"
            )
        if group and row["group"] != group:
            fail_usage(f"{ref} is not in group {group!r} (its group: {row['group'] or 'none'})")
    return Scope.tracked(app.config, group, tuple(dict.fromkeys(refs)))


def _whose(others: list[dict]) -> str:
    """`wdtk-1 by jo_bloggs, wdtk-2 by an unknown requester`: whose each request is (WDTK
    names no user for a request made outside it, or one hidden when it was tracked)."""
    named = [f"{o['request']} by {o['user'] or 'an unknown requester'}" for o in others]
    return first_few(named)


def _print_unsent(app: App, scope: Scope) -> None:
    """Tracked requests have no launch sheet: list each follow-up still to send, with the
    WDTK page (or the regulator's form) to send it on."""
    from bot.rules.followups import followup_link

    store = app.store
    requests = {r["ref"]: r for r in store.requests_in(scope.requests)}
    unsent = [f for f in store.followups_in(scope.requests) if f["status"] in ("draft", "ready")]
    if not unsent:
        return
    click.echo("To send (read each with `foibot show REF`; once sent, `foibot done REF`):")
    for f in unsent:
        link = followup_link(app.config, f, requests[f["request"]])
        click.echo(f"  {f['ref']}  {f['kind']} for {f['request']}: {link}")


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
    if report.unclassified:
        click.echo(
            f"  not chased: {first_few(report.unclassified)}: late, with a reply nobody has "
            "classified on WDTK (it may be only an acknowledgement); classify it there "
            "(still waiting: the chaser follows)"
        )
    for item in report.window_closed:
        click.echo(
            f"  window closed: {item['request']}: the time to require a review ended on "
            f"{item['closed_on']}; --late-review drafts a late one, which the body need not answer"
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
            status = mark_done(app.store, ref, cancelled=cancelled, now=now, by=who_am_i())
        except FoibotError as exc:
            print_error(str(exc))
            failed = True
            continue
        click.echo(f"{ref}: {status}")
    if failed:
        raise click.exceptions.Exit(2 if len(refs) == 1 else 1)


def followups_json(campaign: str | None, kinds: tuple[str, ...], reports: list[dict]) -> dict:
    """One object whatever the kinds asked for (product.md): `created` holds every kind's
    new drafts, each naming its kind; `by_kind` keeps each kind's own report."""
    if len(reports) == 1:
        return reports[0]
    return {
        "campaign": campaign,
        "group": reports[0]["group"],
        "kind": ",".join(kinds) if kinds else "all",
        "created": [{**c, "kind": r["kind"]} for r in reports for c in r["created"]],
        "existing": sum(r["existing"] for r in reports),
        "disabled": any(r["disabled"] for r in reports),
        "suggestions": list(
            {(s["request"], s["hint"]): s for r in reports for s in r["suggestions"]}.values()
        ),
        "failed": [f for r in reports for f in r["failed"]],
        "not_owned": max((r["not_owned"] for r in reports), default=0),
        "window_closed": [w for r in reports for w in r["window_closed"]],
        "unclassified": list(dict.fromkeys(u for r in reports for u in r["unclassified"])),
        "others": reports[0]["others"],
        "by_kind": {r["kind"]: r for r in reports},
    }


COMMANDS = [followups, done]
