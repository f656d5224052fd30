"""`foibot status`, `foibot overdue` and `foibot show`: parse, compute the status rows with
the one rule (bot/rules/status.py), print."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import click

from bot.cli.app import App, as_of_option, json_option, pass_app
from bot.cli.status_table import (
    late_from_cell,
    review_by_cell,
    review_by_passed,
    show_table,
)
from bot.followups import KINDS
from bot.rules.status import StatusRow
from bot.statuses import Status


def _rows(
    app: App,
    campaign: str | None,
    group: str | None,
    as_of: dt.date | None,
    late_only: bool = False,
) -> Iterator[StatusRow]:
    """Every request's status row (with `late_only`, every late one's), after checking the
    campaign and group names (unknown: UsageError, with a did-you-mean)."""
    from bot import deadlines as dl
    from bot.cli.names import check_campaign, check_group
    from bot.errors import UsageError
    from bot.views.status import status_rows_of

    check_campaign(app, campaign)
    check_group(app, group)
    rows = status_rows_of(
        app.store, app.config, campaign, group, app.today(as_of), late_only=late_only
    )
    try:
        yield from rows
    except dl.DeadlineError as exc:  # a stored date or law the calendar cannot count
        raise UsageError(str(exc)) from None


@click.command()
@click.option("--campaign", "-c", help="Only this campaign.")
@click.option("--group", "-g", help="Only this group of tracked requests.")
@as_of_option()
@json_option
@pass_app
def status(
    app: App, campaign: str | None, group: str | None, as_of: dt.date | None, as_json: bool
) -> None:
    """One row per request: status, dates, days late."""
    rows = _rows(app, campaign, group, as_of)
    if app.json_wanted(as_json):
        app.emit_json(r.as_json() for r in rows)
        return
    show_table(rows, filtered=bool(campaign or group), today=app.today(as_of))


def _at_stage(row: StatusRow, stage: str) -> bool:
    """`overdue --stage`: late replies, late reviews, or by the latest follow-up's kind."""
    if stage == "review":
        return row.status == Status.INTERNAL_REVIEW_OVERDUE
    if stage == "response":
        return row.status != Status.INTERNAL_REVIEW_OVERDUE
    if stage == "none":
        return not row.stage
    return bool(row.stage) and row.stage.split()[0] == stage


@click.command()
@click.option("--campaign", "-c", help="Only this campaign.")
@click.option("--group", "-g", help="Only this group of tracked requests.")
@click.option(
    "--stage",
    type=click.Choice(["response", "review", "none", *KINDS]),
    help="Late replies or late reviews; or by escalation stage (none: no follow-up yet).",
)
@as_of_option()
@json_option
@pass_app
def overdue(
    app: App,
    campaign: str | None,
    group: str | None,
    stage: str | None,
    as_of: dt.date | None,
    as_json: bool,
) -> None:
    """Only the late requests, most late first, with working days late."""
    from bot.rules.status import overdue_rows

    rows = overdue_rows(_rows(app, campaign, group, as_of, late_only=True))
    if stage:
        rows = [r for r in rows if _at_stage(r, stage)]
    suggestions = _suggestions(app, [r.ref for r in rows if r.note])
    today = app.today(as_of)
    if app.json_wanted(as_json):
        app.emit_json(
            {
                **r.as_json(),
                "suggested": suggestions.get(r.ref),
                "review_window_closed": review_by_passed(r.review_by, today),
            }
            for r in rows
        )
        return
    if not rows:
        click.echo(f"Nothing overdue is at stage {stage!r}." if stage else "Nothing is overdue.")
        return
    app.print_table(
        ("ref", "body", "status", "late from", "working days late", "review by", "stage", "url"),
        [
            (
                r.ref, r.body or "", r.status, _late_from(r),
                str(r.days_overdue), review_by_cell(r.review_by, today), r.stage or "", r.url or "",
            )
            for r in rows
        ],
    )  # fmt: skip
    notes = []
    for r in rows:
        if r.note:
            hint = suggestions.get(r.ref)
            why = f"; it looks like {hint['state']} ({hint['why']})" if hint else ""
            notes.append(f"{r.ref}: {r.note} at {r.url}{why}")
    if notes:
        click.echo("\n".join(notes))
    click.echo(f"{len(rows)} overdue")


def _late_from(row: StatusRow) -> str:
    """The `late from` cell: a school's is its 60th working day (FOIA, SI 2004/3364)."""
    cell = late_from_cell(row.late_from, row.review_latest)
    return f"{cell} (day 60, schools)" if row.due_note else cell


def _suggestions(app: App, refs: list[str]) -> dict[str, dict]:
    """A suggested classification for each unclassified reply whose text is plain."""
    if not refs:
        return {}
    from bot.rules.classify import suggest_classification

    out = {}
    for ref, text in app.store.latest_reply_texts(refs).items():
        hint = suggest_classification(text)
        if hint is not None:
            out[ref] = {"state": hint.state, "why": hint.why, "suggestion_only": True}
    return out


@click.command()
@click.argument("ref")
@as_of_option()
@json_option
@pass_app
def show(app: App, ref: str, as_of: dt.date | None, as_json: bool) -> None:
    """One request with its letter, replies and full event history.

    REF is a request's ref, a follow-up's ref, or the WDTK URL or number of a tracked
    request."""
    from bot.cli import show_request
    from bot.tracking.lookup import request_named

    store = app.store
    row = request_named(store, ref, app.config.wdtk.base_url)
    if row is None:
        followup = store.followup(ref)
        if followup is not None:
            show_request.show_followup(app, followup, as_json)
            return
        from bot.cli.names import check_ref

        check_ref(app, ref, followups=True)  # raises, with a did-you-mean
    info = show_request.request_info(app, row, as_of)
    suggestion = _suggestions(app, [row["ref"]]).get(row["ref"]) if info["note"] else None
    info["suggested"] = suggestion
    if app.json_wanted(as_json):
        app.emit_json(info)
        return
    show_request.print_request(app, info)


COMMANDS = [status, overdue, show]
