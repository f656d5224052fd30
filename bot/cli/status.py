"""`foibot status` and `foibot show`."""

from __future__ import annotations

import datetime as dt

import click

from bot.cli.app import App, as_of_option, json_option, pass_app, printable
from bot.errors import UsageError
from bot.followups import KINDS


def _status_rows(app: App, campaign: str | None, as_of: dt.date | None, group: str | None = None):
    from bot import deadlines as dl
    from bot.tracking.status_rows import status_row

    config, today = app.config, app.today(as_of)

    calendars: dict[str, dl.WorkingCalendar] = {}

    def calendar(law: str) -> dl.WorkingCalendar:
        if law not in calendars:
            calendars[law] = dl.calendar_for(law, config.extra_holidays, config.remove_holidays)
        return calendars[law]

    stages = _stages(app)
    answered = _last_replies(app)
    try:
        return [
            status_row(
                row,
                config.wdtk.base_url,
                today,
                calendar,
                stages.get(row["ref"]),
                answered.get(row["ref"]),
            )  # fmt: skip
            for row in _rows(app, campaign, group)
        ]
    except dl.DeadlineError as exc:
        raise UsageError(str(exc)) from None


def _last_replies(app: App) -> dict[str, str]:
    """Each request's latest reply, as a UK date: the review window runs from it."""
    from bot import deadlines as dl

    rows = app.store.db.query(
        "SELECT ref, max(at) AS at FROM events WHERE kind = 'response' GROUP BY ref"
    )
    return {r["ref"]: dl.receipt_date(r["at"]).isoformat() for r in rows}


def _stages(app: App) -> dict[str, str]:
    from bot.followups.rules import stage

    grouped: dict[str, list[dict]] = {}
    for f in app.store.db.query("SELECT ref, request, kind, status, created_at FROM followups"):
        grouped.setdefault(f["request"], []).append(f)
    return {ref: stage(items) for ref, items in grouped.items()}


def _rows(app: App, campaign: str | None, group: str | None = None) -> list[dict]:
    from bot.cli.names import check_campaign, check_group
    from bot.tracking.status_rows import COLUMNS

    check_campaign(app, campaign)
    check_group(app, group)
    conditions = [c for c, v in (("campaign = ?", campaign), ('"group" = ?', group)) if v]
    params = [v for v in (campaign, group) if v]
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    sql = f"SELECT {COLUMNS} FROM requests {where}ORDER BY campaign, rowid"
    return list(app.store.db.query(sql, params))


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
    rows = _status_rows(app, campaign, as_of, group)
    if app.json_wanted(as_json):
        app.emit_json([r.as_json() for r in rows])
        return
    if not rows:
        click.echo("No requests yet." + (" Run `foibot draft CAMPAIGN`." if not campaign else ""))
        return
    from bot.dates import format_uk

    app.print_table(
        ("ref", "body", "status", "sent", "due", "late", "review by", "stage", "confirmed", "title"),
        [
            (
                r.ref,
                r.body or "",
                r.status,
                r.sent_on
                or (f"slot {format_uk(r.slot)}" if r.slot and r.status == "draft" else ""),
                r.due or "",
                _late_cell(r),
                r.review_by or "",
                r.stage or "",
                _confirmed(r.last_confirmed_at, r.last_confirmed_via),
                r.title,
            )  # fmt: skip
            for r in rows
        ],
    )
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    click.echo(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))


def _late_cell(r) -> str:
    """How late, and from which date: "3 from 2026-03-31", or "answered 4 late"."""
    if r.days_overdue is not None:
        return f"{r.days_overdue} from {r.late_from}"
    if r.answered_days_late:
        return f"answered {r.answered_days_late} late"
    return ""


def _confirmed(at: str | None, via: str | None) -> str:
    """When WDTK last confirmed a request, UK time, and the path: "20 Mar 09:05 mail"."""
    if not at:
        return ""
    from bot.dates import LONDON

    moment = dt.datetime.fromisoformat(at).astimezone(LONDON)
    return f"{moment:%d %b %H:%M} {via or 'poll'}"


@click.command()
@click.option("--campaign", "-c", help="Only this campaign.")
@click.option("--group", "-g", help="Only this group of tracked requests.")
@click.option(
    "--stage",
    type=click.Choice(
        ["response", "review", "none", *KINDS]
    ),
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
    from bot.tracking.status_rows import overdue_rows

    rows = overdue_rows(_status_rows(app, campaign, as_of, group))
    if stage == "review":
        rows = [r for r in rows if r.status == "internal_review_overdue"]
    elif stage == "response":
        rows = [r for r in rows if r.status != "internal_review_overdue"]
    elif stage == "none":
        rows = [r for r in rows if not r.stage]
    elif stage:
        rows = [r for r in rows if r.stage and r.stage.split()[0] == stage]
    suggestions = _suggestions(app, [r.ref for r in rows if r.note])
    if app.json_wanted(as_json):
        app.emit_json([{**r.as_json(), "suggested": suggestions.get(r.ref)} for r in rows])
        return
    if not rows:
        click.echo("Nothing is overdue.")
        return
    app.print_table(
        ("ref", "body", "status", "late from", "working days late", "review by", "stage", "url"),
        [
            (
                r.ref,
                r.body or "",
                r.status,
                r.late_from + (f" (latest {r.review_latest})" if r.review_latest else "")
                if r.late_from
                else "",
                str(r.days_overdue),
                r.review_by or "",
                r.stage or "",
                r.url or "",
            )
            for r in rows
        ],
    )
    for r in rows:
        if r.note:
            hint = suggestions.get(r.ref)
            why = f"; it looks like {hint['state']} ({hint['why']})" if hint else ""
            click.echo(f"{r.ref}: {r.note} at {r.url}{why}")
    click.echo(f"{len(rows)} overdue")


def _suggestions(app: App, refs: list[str]) -> dict[str, dict]:
    """A suggested classification for each unclassified reply whose text is plain."""
    from bot.tracking.classify import suggest_classification

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
    """One request with its letter, replies and full event history."""
    from bot import deadlines as dl
    from bot.cli.names import check_ref
    from bot.tracking.history import history
    from bot.wdtk.urls import new_request_url, request_url

    store = app.store
    row = store.request(ref)
    if row is None:
        followup = store.followup(ref)
        if followup is not None:
            _show_followup(app, followup, as_json)
            return
        check_ref(app, ref, followups=True)  # raises, with a did-you-mean
    events = history(store.events(ref))
    followups = store.followups_of_request(ref)
    replies = store.correspondence_of(ref)
    base_url = app.config.wdtk.base_url
    link = None
    if row["status"] in ("draft", "ready") and row["body"]:
        link = new_request_url(
            base_url, row["body"], row["title"], row["letter"], ref, store.installation_id()
        )
    from bot.reports.figures import recorded_values

    figures = recorded_values(store, ref)
    today = app.today(as_of)
    calendar = dl.calendar_for(
        row["law"] or "foi", app.config.extra_holidays, app.config.remove_holidays
    )
    from bot.tracking.status_rows import status_row

    # The same function `status`, `overdue` and reports use, as of the same moment.
    st = status_row(row, base_url, today, lambda _law: calendar, None, _last_replies(app).get(ref))
    info_url = request_url(base_url, row["url_title"], row["wdtk_id"])
    suggestion = _suggestions(app, [ref]).get(ref) if st.note else None
    info = {
        **row,
        "status": st.status,
        "review_by": st.review_by,
        "days_overdue": st.days_overdue,
        "late_from": st.late_from,
        "review_latest": st.review_latest,
        "answered_on": st.answered_on,
        "answered_days_late": st.answered_days_late,
        "note": st.note,
        "suggested": suggestion,
        "stored_state": row["status"],
        "url": info_url,
        "submit_url": link,
        "correspondence": replies,
        "followups": followups,
        "recorded": figures,
        "events": events,
    }
    if app.json_wanted(as_json):
        app.emit_json(info)
        return
    from bot.dates import format_uk

    click.echo(f"{ref}  {printable(row['title'])}")
    fields = (
        "campaign",
        "body",
        "law",
        "status",
        "wdtk_id",
        "sent_on",
        "due",
        "very_overdue_after",
        "review_started_on",
        "review_latest",
        "review_by",
        "answered_on",
    )
    for key in fields:
        if info.get(key) is not None:
            click.echo(f"  {key:<20} {printable(str(info[key]))}")
    if st.days_overdue is not None:
        click.echo(f"  {'late':<20} {st.days_overdue} working days, counted from {st.late_from}")
    if st.answered_days_late:
        click.echo(
            f"  {'answered late':<20} {st.answered_days_late} working days after {row['due']}"
        )
    if st.note:
        hint = (
            f" (it looks like {suggestion['state']}: {suggestion['why']}; a suggestion only)"
            if suggestion
            else ""
        )
        click.echo(f"  {'to do':<20} {st.note}{hint}")
    if row["wdtk_stated_due"] and row["wdtk_stated_due"] != row["due"]:
        click.echo(
            f"  {'WDTK says due':<20} {row['wdtk_stated_due']} (foibot's statutory count says {row['due']})"
        )
    if row["slot_at"]:
        click.echo(f"  {'slot':<20} {format_uk(row['slot_at'])} (UK)")
    if info["url"]:
        click.echo(f"  {'url':<20} {info['url']}")
    if link and row["status"] == "ready":
        click.echo(f"  {'send it here':<20} {link}")
    if row["poll_error"]:
        click.echo(
            f"  {'last poll failed':<20} {printable(row['poll_error'])}"
            f" (next try {format_uk(row['next_poll_at'])})"
        )
    if figures:
        click.echo("  recorded             " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    if row["letter"]:
        click.echo("\n" + "\n".join("  | " + printable(ln) for ln in row["letter"].splitlines()))
    for reply in replies:
        click.echo(f"\n{reply['direction'] or 'message'} {reply['sent_at'] or ''}".rstrip() + ":")
        lines = (reply["text"] or "").splitlines()[:40]
        click.echo("\n".join("  > " + printable(line) for line in lines))
        if reply["attachments"]:
            # Each with its own download link where the page gave one, else the page.
            click.echo("  attachments:")
            links = (reply.get("attachment_links") or "").split("\n")
            for n, name in enumerate(reply["attachments"].splitlines()):
                path = links[n] if n < len(links) else ""
                where = app.config.wdtk.base_url + path if path else info["url"]
                click.echo(f"    - {printable(name)}" + (f"  {where}" if where else ""))
    for f in followups:
        click.echo(f"\n{f['kind']} {f['ref']} ({f['status']}):")
        click.echo("\n".join("  | " + printable(line) for line in f["text"].splitlines()))
    click.echo("\nHistory (UK time; WDTK: when WDTK recorded it, foibot: when foibot did it):")
    for event in events:
        detail = event["detail"] or {}
        summary = printable(", ".join(f"{k}={v}" for k, v in detail.items()))
        click.echo(f"  {format_uk(event['at'])}  {event['clock']:<6}  {event['kind']}  {summary}")


def _show_followup(app: App, followup: dict, as_json: bool) -> None:
    """A follow-up: its text, its request, where to send it, and its history."""
    from bot.dates import format_uk
    from bot.followups.service import followup_link

    store = app.store
    request = store.request(followup["request"]) or {}
    history = [
        e
        for e in store.events(followup["request"])
        if (e["detail"] or {}).get("followup") == followup["ref"]
    ]
    info = {
        **followup,
        "request_title": request.get("title"),
        "send_url": followup_link(app.config, followup, request) if request else None,
        "events": history,
    }
    if app.json_wanted(as_json):
        app.emit_json(info)
        return
    click.echo(
        f"{followup['ref']}  {followup['kind']} for {followup['request']} ({followup['body']})"
    )
    click.echo(f"  {'status':<20} {followup['status']}")
    click.echo(f"  {'request':<20} {followup['request']}: {request.get('title', '')}")
    if info["send_url"]:
        click.echo(f"  {'send it here':<20} {info['send_url']}")
    for key in ("created_at", "released_at", "sent_at"):
        if followup.get(key):
            click.echo(f"  {key:<20} {format_uk(followup[key])}")
    click.echo("\nText (copy between the lines):\n" + "-" * 40)
    click.echo(followup["text"].rstrip("\n"))
    click.echo("-" * 40 + "\nHistory:")
    for event in history:
        click.echo(f"  {format_uk(event['at'])}  {event['kind']}")
    if followup["status"] == "ready":
        click.echo(f"\nSent it? WDTK shows it on the next poll, or: foibot done {followup['ref']}")


COMMANDS = [status, overdue, show]
