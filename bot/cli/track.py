"""`foibot track`, `foibot link` and `foibot poll`: following requests on WDTK."""

from __future__ import annotations

import contextlib
import datetime as dt

import click

from bot.cli.app import App, DateTimeType, json_option, pass_app


@contextlib.contextmanager
def tracker(app: App):
    from bot.tracking.poll import Poller
    from bot.wdtk.client import WdtkClient

    with WdtkClient(app.config.wdtk) as client:
        yield Poller(app.store, app.config, client)


def _live(app: App, row: dict, now: dt.datetime) -> str:
    """The status `status` would show for this row as of the same moment."""
    from bot import deadlines as dl
    from bot.dates import london_today
    from bot.tracking.status import live_status

    calendar = dl.calendar_for(
        row["law"] or "foi", app.config.extra_holidays, app.config.remove_holidays
    )
    return live_status(row, london_today(now), calendar)


def _now(as_of: dt.datetime | None) -> dt.datetime:
    return (as_of or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


as_of_time = click.option(
    "--as-of", "as_of", type=DateTimeType(), help="Pretend it is this (UK) time."
)


@click.command()
@click.argument("url")
@click.option("--campaign", "-c", help="File it under this campaign.")
@as_of_time
@json_option
@pass_app
def track(
    app: App, url: str, campaign: str | None, as_of: dt.datetime | None, as_json: bool
) -> None:
    """Track any WDTK request: a /request/<slug> or /request/<id> URL, or its number."""
    now = _now(as_of)
    with tracker(app) as t:
        row = t.links.track(url, campaign, now)
    status = _live(app, row, now)
    if app.json_wanted(as_json):
        app.emit_json(
            {
                "ref": row["ref"],
                "wdtk_id": row["wdtk_id"],
                "url_title": row["url_title"],
                "status": status,
            }
        )
        return
    click.echo(
        f"Tracking {row['ref']}: {row['title']} ({status}, due {row['due'] or 'unknown'})"
    )


@click.command()
@click.argument("ref")
@click.argument("url")
@click.option(
    "--force", is_flag=True, help="Link even if the request lacks the foibot tag and title."
)
@as_of_time
@json_option
@pass_app
def link(
    app: App, ref: str, url: str, force: bool, as_of: dt.datetime | None, as_json: bool
) -> None:
    """Attach a released draft REF to its WDTK request at URL."""
    now = _now(as_of)
    with tracker(app) as t:
        row = t.links.link(ref, url, now, force=force)
    if app.json_wanted(as_json):
        app.emit_json(
            {
                "ref": ref,
                "wdtk_id": row["wdtk_id"],
                "url_title": row["url_title"],
                "status": _live(app, row, now),
            }
        )
        return
    click.echo(
        f"Linked {ref} to WDTK request {row['wdtk_id']} ({row['url_title']}); due {row['due']}"
    )


@click.command()
@click.option("--all", "everything", is_flag=True, help="Poll every tracked request, due or not.")
@click.option("--campaign", "-c", help="Only this campaign.")
@as_of_time
@json_option
@pass_app
def poll(
    app: App, everything: bool, campaign: str | None, as_of: dt.datetime | None, as_json: bool
) -> None:
    """Fetch updates from WDTK for the requests due a poll."""
    quiet = app.json_wanted(as_json)
    with tracker(app) as t:
        report = t.poll(
            _now(as_of),
            everything=everything,
            campaign=campaign,
            progress=None if quiet else _progress(app),
            manual=True,
        )
    if quiet:
        app.emit_json(report.as_json())
    else:
        click.echo(poll_summary(report))
    if report.all_failed or report.unreachable:
        raise click.exceptions.Exit(1)


def poll_summary(report) -> str:
    if not report.polled:
        return "Nothing was due a poll."
    lines = [f"Polled {report.polled} request(s) with {report.http_calls} call(s) to WDTK."]
    for item in report.linked:
        lines.append(f"  linked {item.ref} to WDTK request {item.wdtk_id}")
    for item in report.new_responses:
        lines.append(f"  new response: {item.ref} ({item.body}) {item.title}")
    for item in report.changed:
        lines.append(f"  {item.ref}: {item.before} → {item.after}")
    for item in report.newly_overdue:
        since = f", due {item.counted_from}" if item.counted_from else ""
        lines.append(
            f"  now {item.status}: {item.ref} ({item.days_late} working days late{since})"
        )
    for item in report.errors:
        lines.append(f"  error: {item.ref}: {item.error} (retry after {item.next_retry})")
    if report.unreachable:
        lines.append(f"  stopped: {report.unreachable}; the next pass tries again")
    return "\n".join(lines)


def _progress(app: App):
    def wrap(rows, total):
        if total <= 5:
            yield from rows
            return
        from rich.progress import Progress

        with Progress(console=app.console(stderr=True), transient=True) as progress:
            task = progress.add_task("Polling WDTK", total=total)
            for row in rows:
                yield row
                progress.advance(task)

    return wrap


COMMANDS = [track, link, poll]
