"""`foibot record` (figures from replies) and `foibot report` (CSV, JSON, HTML, ICS)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.app import App, as_of_option, json_option, pass_app
from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.config import FieldSpec
    from bot.store.db import Store

FORMATS = ("csv", "json", "html", "ics")
_SUFFIXES = {".csv": "csv", ".json": "json", ".html": "html", ".htm": "html", ".ics": "ics"}
_NOT_SENT = "('draft', 'ready', 'cancelled')"
# Events of one campaign's requests, looked up through the events (ref, id) index. A join
# lets SQLite's planner choose to scan all the events instead (1M rows: 0.13 s vs 0.01 s).
_CAMPAIGN_REFS = "(SELECT ref FROM requests WHERE campaign = ?)"


def _who() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers and cron setups
        return None


@click.command()
@click.argument("ref")
@click.argument("assignments", nargs=-1, required=True, metavar="FIELD=VALUE...")
@click.option("--note", help="Where the figures came from, e.g. 'reply of 3 March, table 2'.")
@json_option
@pass_app
def record(
    app: App, ref: str, assignments: tuple[str, ...], note: str | None, as_json: bool
) -> None:
    """Record figures a reply gave, e.g. `foibot record smm-1 dismissed=3 notes="2 pending"`.

    FIELD must be one of the campaign's `fields` in config.toml; VALUE must fit its type
    (int, text, bool: yes/no, date: YYYY-MM-DD). Each record is kept; the latest wins.
    """
    from bot.reports.figures import parse_assignments, recorded_events, recorded_values

    store = app.store
    row = store.request(ref)
    if row is None:
        raise UsageError(f"no request with ref '{ref}' (see `foibot status`)")
    if not row["campaign"]:
        raise UsageError(
            f"{ref} is not part of a campaign, so it has no fields to record "
            "(fields are declared per campaign in config.toml)"
        )
    spec = app.config.campaign(row["campaign"])
    values = parse_assignments(spec.fields, assignments)
    with store.transaction():
        store.log_all(recorded_events(ref, values, note=note, by=_who()))
    current = recorded_values(store, ref)
    if app.json_wanted(as_json):
        app.emit_json({"ref": ref, "recorded": values, "values": current})
        return
    shown = ", ".join(f"{k}={_show(v)}" for k, v in values.items())
    click.echo(f"Recorded for {ref}: {shown}")


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@click.command()
@click.argument("campaign", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format (default: from -o's suffix, else html; json with --json).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout.",
)
@click.option("--all", "all_", is_flag=True, help="Every tracked request, across campaigns.")
@click.option(
    "--by",
    type=click.Choice(["request", "body"]),
    default="request",
    show_default=True,
    help="A row per request, or each body's timeliness.",
)
@click.option("--excel", is_flag=True, help="CSV: add a byte-order mark so Excel reads UTF-8.")
@as_of_option()
@pass_app
def report(
    app: App,
    campaign: str | None,
    fmt: str | None,
    output: Path | None,
    all_: bool,
    by: str,
    excel: bool,
    as_of: dt.date | None,
) -> None:
    """Report on CAMPAIGN (or --all): results, timeliness, deadlines.

    \b
    foibot report social-media-misuse -o report.html
    foibot report social-media-misuse --format csv --excel -o results.csv
    foibot report social-media-misuse --format ics -o deadlines.ics
    foibot report --all --by body --format csv
    """
    if bool(campaign) == all_:
        raise UsageError("give a CAMPAIGN or --all (not both)")
    fmt = fmt or _SUFFIXES.get(output.suffix.lower() if output else "", "")
    fmt = fmt or ("json" if app.as_json else "html")
    if excel and fmt != "csv":
        raise UsageError("--excel applies only to --format csv")
    if by == "body" and fmt == "ics":
        raise UsageError("--by body makes a table, not a calendar: use csv, json or html")

    import gc

    from bot import deadlines as dl
    from bot.reports import tables as reports

    today = app.today(as_of)
    # The build makes ~10 objects per request and frees none of them: generational GC
    # would rescan the growing heap over and over (a quarter of the time at 100k rows).
    gc.disable()
    try:
        rpt, events = _build(app, campaign, by == "body", fmt == "json", today)
    except dl.DeadlineError as exc:
        raise UsageError(str(exc)) from None
    finally:
        gc.enable()
    if fmt == "csv":
        data = reports.to_csv(rpt, excel=excel)
    elif fmt == "json":
        data = reports.to_json(rpt, events).encode("utf-8")
    elif fmt == "ics":
        data = reports.to_ics(rpt)
    else:
        data = reports.to_html(rpt).encode("utf-8")
    if output is None:
        import sys

        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    _write_atomic(output, data)
    what = f"{len(rpt.bodies)} bodies" if rpt.bodies is not None else f"{len(rpt.rows)} requests"
    click.echo(f"Wrote {fmt} report of {what} to {output}", err=app.as_json)


def _write_atomic(path: Path, data: bytes) -> None:
    # A half-written report must never replace a good one (e.g. a calendar subscription).
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        from bot.errors import FoibotError

        raise FoibotError(f"{path}: cannot write the report: {exc.strerror}") from None


class _Calendars(dict):
    """law -> working calendar, built on first use. Its `__getitem__` is the `calendar`
    callable the status and report code take: a C-level call, made twice per request."""

    def __init__(self, extra: tuple, remove: tuple):
        super().__init__()
        self.extra, self.remove = extra, remove

    def __missing__(self, law: str):
        from bot import deadlines as dl

        cal = self[law] = dl.calendar_for(law, self.extra, self.remove)
        return cal


def _build(app: App, campaign: str | None, group_by_body: bool, with_events: bool, today: dt.date):
    from bot.reports import tables as reports

    config, store = app.config, app.store
    calendar = _Calendars(config.extra_holidays, config.remove_holidays).__getitem__
    common = {
        "base_url": config.wdtk.base_url,
        "today": today,
        "calendar": calendar,
        "body_names": _body_names(store, campaign),
        "responses": _event_times(store, campaign, "response"),
    }
    requests = _requests(store, campaign, sent_only=group_by_body)
    generated = dt.datetime.now(dt.UTC)
    if group_by_body:
        heading = f"{campaign or 'all tracked requests'}, by body"
        rpt = reports.make_body_report(
            campaign or "all",
            heading,
            reports.body_timeliness(requests, **common),
            as_of=today,
            generated=generated,
        )
        return rpt, None
    declared = _declared_fields(app, campaign)
    recorded = _recorded(store, campaign)
    rows = reports.build_rows(requests, recorded=recorded, **common)
    rpt = reports.make_report(
        campaign or "all",
        campaign or "all tracked requests",
        rows,
        fields=reports.report_fields(declared, recorded),
        as_of=today,
        generated=generated,
    )
    return rpt, _events(store, campaign) if with_events else None


def _declared_fields(app: App, campaign: str | None) -> list[FieldSpec]:
    config = app.config
    if campaign is None:
        return [f for c in config.campaigns for f in c.fields]
    if any(c.slug == campaign for c in config.campaigns):
        return list(config.campaign(campaign).fields)
    if app.store.db["campaigns"].count_where("slug = ?", [campaign]):
        return []  # drafted once, since removed from config.toml: report what is stored
    config.campaign(campaign)  # raises, naming the campaigns that do exist
    return []


def _scoped(sql_all: str, sql_campaign: str, campaign: str | None) -> tuple[str, list]:
    return (sql_campaign, [campaign]) if campaign else (sql_all, [])


def _requests(store: Store, campaign: str | None, sent_only: bool) -> list[dict]:
    from bot.tracking.status_rows import COLUMNS  # what status_row reads: never the letters

    where = f" AND status NOT IN {_NOT_SENT}" if sent_only else ""
    # Grouped by body the order is irrelevant, and sorting 100k rows costs a temp B-tree.
    order = "" if sent_only else " ORDER BY campaign, rowid"
    sql, params = _scoped(
        f"SELECT {COLUMNS} FROM requests WHERE 1{where}{order}",
        f"SELECT {COLUMNS} FROM requests WHERE campaign = ?{where} ORDER BY rowid",
        campaign,
    )
    return _dicts(store, sql, params)


def _dicts(store: Store, sql: str, params: list) -> list[dict]:
    cursor = store.db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]  # noqa: B905 (hot loop; same cursor)


def _event_times(store: Store, campaign: str | None, kind: str) -> dict[str, list[str]]:
    sql, params = _scoped(
        "SELECT ref, at FROM events WHERE kind = ?",
        f"SELECT ref, at FROM events WHERE ref IN {_CAMPAIGN_REFS} AND kind = ?",
        campaign,
    )
    out: dict[str, list[str]] = {}
    for ref, at in store.db.conn.execute(sql, [*params, kind]):
        out.setdefault(ref, []).append(at)
    return out


def _recorded(store: Store, campaign: str | None) -> dict[str, dict[str, Any]]:
    import json

    from bot.reports.figures import RECORDED, current_values

    sql, params = _scoped(
        "SELECT ref, kind, detail FROM events WHERE kind = ? ORDER BY id",
        f"SELECT ref, kind, detail FROM events WHERE ref IN {_CAMPAIGN_REFS} AND kind = ? "
        "ORDER BY id",
        campaign,
    )
    by_ref: dict[str, list[dict]] = {}
    for ref, kind, detail in store.db.conn.execute(sql, [*params, RECORDED]):
        by_ref.setdefault(ref, []).append(
            {"kind": kind, "detail": json.loads(detail) if detail else None}
        )
    return {ref: current_values(events) for ref, events in by_ref.items()}


def _events(store: Store, campaign: str | None) -> dict[str, list[dict]]:
    import json

    sql, params = _scoped(
        "SELECT * FROM events ORDER BY id",
        f"SELECT * FROM events WHERE ref IN {_CAMPAIGN_REFS} ORDER BY id",
        campaign,
    )
    out: dict[str, list[dict]] = {}
    for event in _dicts(store, sql, params):
        event["detail"] = json.loads(event["detail"]) if event["detail"] else None
        out.setdefault(event["ref"], []).append(event)
    return out


def _body_names(store: Store, campaign: str | None) -> dict[str, str]:
    sql, params = _scoped(
        "SELECT url_name, name FROM bodies",
        "SELECT url_name, name FROM bodies "
        "WHERE url_name IN (SELECT body FROM requests WHERE campaign = ?)",
        campaign,
    )
    return dict(store.db.conn.execute(sql, params).fetchall())


COMMANDS = [record, report]
