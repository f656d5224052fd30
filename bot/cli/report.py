"""`foibot record` (figures from replies) and `foibot report` (CSV, JSON, HTML, ICS)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.app import App, as_of_option, json_option, pass_app, who_am_i
from bot.cli.output import print_error
from bot.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from bot.config import CampaignConfig, FieldSpec
    from bot.reports.tables import Report

FORMATS = ("csv", "json", "html", "ics")
_SUFFIXES = {".csv": "csv", ".json": "json", ".html": "html", ".htm": "html", ".ics": "ics"}


@click.command()
@click.argument("ref", required=False)
@click.argument("assignments", nargs=-1, metavar="[FIELD[:PERIOD]=VALUE]...")
@click.option("--note", help="Where the figures came from, e.g. 'reply of 3 March, table 2'.")
@click.option(
    "--from-csv",
    "from_csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record many values from a CSV (ref,field,value[,period,note]); all or nothing.",
)
@click.option(
    "--campaign",
    help="With --from-csv: the campaign whose bodies the ref column may name.",
)
@click.option(
    "--accept-hints",
    "accept",
    is_flag=True,
    help="Record the first proposal `foibot hints REF` shows for each value not yet "
    "recorded, or for the FIELD[:PERIOD]s named after REF.",
)
@click.option("--overwrite", is_flag=True, help="With --accept-hints: replace recorded values.")
@json_option
@pass_app
def record(
    app: App,
    ref: str | None,
    assignments: tuple[str, ...],
    note: str | None,
    from_csv: Path | None,
    campaign: str | None,
    accept: bool,
    overwrite: bool,
    as_json: bool,
) -> None:
    """Record the figures a reply gave, such as `foibot record smm-1 dismissed=3`.

    FIELD must be one of the campaign's `fields` in config.toml. A number field takes a
    number (3, 1,204), a bound (<5, <=10, >100) or a reason: withheld:s40, not_held,
    refused:s12, n/a. A field with periods takes one value per period:
    `dismissed:2021=3 dismissed:2022=<5`. `FIELD=` clears a value. Every change is kept;
    the latest wins. With no FIELD=VALUE, shows the reply lines that may hold each figure.

    \b
    foibot record smm-3 dismissed:2021=4 dismissed:2022='<5' --note "table 1"
    foibot record --from-csv figures.csv
    foibot record smm-3 --accept-hints            # what `foibot hints smm-3` shows first
    foibot record smm-3 --accept-hints dismissed:2021 final_warnings
    """
    from bot.reports.figures import parse_assignments, recorded_events, recorded_values

    if overwrite and not accept:
        raise UsageError("--overwrite applies only with --accept-hints")
    if accept and from_csv is not None:
        raise UsageError("--accept-hints takes a REF, not --from-csv")
    if accept and any("=" in a for a in assignments):
        raise UsageError(
            "--accept-hints takes a REF and the FIELD[:PERIOD]s to accept, not FIELD=VALUE"
        )
    if from_csv is not None:
        if ref or assignments:
            raise UsageError("--from-csv takes no REF or FIELD=VALUE: the CSV names them")
        _record_csv(app, from_csv, campaign, note, as_json)
        return
    if campaign:
        raise UsageError("--campaign applies only with --from-csv")
    if not ref:
        raise UsageError("give a REF and FIELD=VALUE..., or --from-csv FILE")
    store = app.store
    spec = _campaign_of(app, ref)
    if accept:
        which = ",".join(assignments) or "*"
        _record_hints(app, ref, spec, which, overwrite, note, as_json)
        return
    if not assignments:
        _suggest(app, ref, spec.fields, as_json)
        return
    entries = parse_assignments(spec.fields, assignments)
    with store.transaction():
        store.log_all(recorded_events(ref, entries, note=note, by=who_am_i()))
    current = recorded_values(store, ref)
    if app.json_wanted(as_json):
        recorded = {e.key: e.figure.plain() if e.figure else None for e in entries}
        app.emit_json({"ref": ref, "recorded": recorded, "values": current})
        return
    shown = ", ".join(
        f"{e.key}={_show(e.figure.plain())}" if e.figure else f"{e.key} cleared" for e in entries
    )
    click.echo(f"Recorded for {ref}: {shown}")


def _record_hints(
    app: App, ref: str, spec: CampaignConfig, which: str, overwrite: bool, note: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    from bot.cli.hints import accept_hints
    from bot.reports.figures import recorded_values

    entries, skipped = accept_hints(app, ref, spec, which, overwrite, note, who_am_i())
    if app.json_wanted(as_json):
        recorded = {e.key: e.figure.plain() for e in entries}
        app.emit_json({"ref": ref, "recorded": recorded, "skipped": skipped,
                       "values": recorded_values(app.store, ref)})  # fmt: skip
        return
    if entries:
        shown = ", ".join(f"{e.key}={_show(e.figure.plain())}" for e in entries)
        click.echo(f"Recorded for {ref} from accepted hints: {shown}")
    else:
        click.echo(f"Nothing new to record for {ref} from hints (see `foibot hints {ref}`).")
    for line in skipped:
        click.echo(f"  {line}")


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _campaign_of(app: App, ref: str) -> CampaignConfig:
    from bot.cli.names import check_ref

    row = check_ref(app, ref)
    if not row["campaign"]:
        raise UsageError(
            f"{ref} is not part of a campaign, so it has no fields to record "
            "(fields are declared per campaign in config.toml)"
        )
    return app.config.campaign(row["campaign"])


def _how_to_record(ref: str, fields: tuple) -> str:
    """How `record` takes these fields' values: a field with periods, one per period."""
    periods = [f"{f.name}: {', '.join(f.periods)}" for f in fields if f.periods]
    if not periods:
        return f"`foibot record {ref} FIELD=VALUE`"
    shape = "FIELD:PERIOD=VALUE" if len(periods) == len(fields) else "FIELD[:PERIOD]=VALUE"
    return f"`foibot record {ref} {shape}` (periods of {'; '.join(periods)})"


def _suggest(app: App, ref: str, fields: tuple, as_json: bool) -> None:
    from bot.reports.figures import recorded_values, suggestions

    store = app.store
    texts = store.reply_texts(ref)
    found = suggestions(fields, texts)
    current = recorded_values(store, ref)
    if app.json_wanted(as_json):
        app.emit_json({"ref": ref, "values": current, "suggestions": found})
        return
    if current:
        click.echo(
            f"Recorded for {ref}: " + ", ".join(f"{k}={_show(v)}" for k, v in current.items())
        )
    if not texts:
        click.echo(f"No reply text stored for {ref} yet (`foibot poll` reads it from WDTK).")
        return
    if not found:
        click.echo(f"No line of {ref}'s replies has a number near a field's words.")
        return
    click.echo(
        f"Reply lines with numbers, by field: suggestions only, nothing is recorded.\n"
        f"Confirm with {_how_to_record(ref, fields)}."
    )
    labels = {f.name: f.description for f in fields}
    for name, lines in found.items():
        click.echo(f"\n{name}" + (f" ({labels[name]})" if labels.get(name) else "") + ":")
        for line in lines:
            click.echo(f"  > {_printable(line)}")


def _printable(text: str) -> str:
    # Reply text is a stranger's: no terminal escape sequences from it.
    return "".join(c if c.isprintable() else "?" for c in text)


def _record_csv(
    app: App, path: Path, campaign: str | None, note: str | None, as_json: bool
) -> None:
    from bot.views.figures import CsvRefused, record_csv

    text = _read_text(path)
    try:
        summary = record_csv(app.store, app.config, text, str(path), campaign, note, who_am_i())
    except CsvRefused as exc:
        for error in exc.errors:
            print_error(error)
        raise UsageError(str(exc)) from None
    if app.json_wanted(as_json):
        app.emit_json(summary)
        return
    changed, refs = summary["recorded"], summary["requests"]
    click.echo(
        f"Recorded {changed} value{'s' if changed != 1 else ''} for "
        f"{refs} request{'s' if refs != 1 else ''} from {path}"
        + (f" ({summary['unchanged']} unchanged)" if summary["unchanged"] else "")
    )


# A campaign's figures sheet is a few hundred KB; a bigger "CSV" (or `/dev/zero`, which
# never ends) is refused rather than read into memory whole.
MAX_CSV_BYTES = 64 * 1024 * 1024


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_CSV_BYTES + 1)
        if len(data) > MAX_CSV_BYTES:
            raise UsageError(
                f"{path}: larger than {MAX_CSV_BYTES // (1024 * 1024)} MB; not a figures CSV"
            )
        return data.decode("utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8"
        ) from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None


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
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write to this file ('-': stdout). Default: state/report-CAMPAIGN.FORMAT.",
)
@click.option("--all", "all_", is_flag=True, help="Every tracked request, across campaigns.")
@click.option("--group", "-g", help="The tracked requests in this group.")
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
    group: str | None,
    by: str,
    excel: bool,
    as_of: dt.date | None,
) -> None:
    """Report on CAMPAIGN, a --group or --all: results, timeliness, deadlines.

    Without -o the report is written to state/ (beside the database) and its path
    printed; `-o -` writes it to stdout for a pipe.

    \b
    foibot report social-media-misuse -o report.html
    foibot report social-media-misuse --format csv --excel -o results.csv
    foibot report social-media-misuse --format ics -o deadlines.ics
    foibot report --all --by body --format csv
    foibot report --group potholes --format ics -o potholes.ics
    """
    if [bool(campaign), all_, bool(group)].count(True) != 1:
        raise UsageError("give a CAMPAIGN or --all or --group G, just one of them")
    from bot.cli.names import check_group

    check_group(app, group)
    fmt = _report_format(fmt, output, app.as_json, excel, by)

    from bot import deadlines as dl

    today = app.today(as_of)
    try:
        rpt, events = _build(app, campaign, by == "body", fmt == "json", today, group)
    except dl.DeadlineError as exc:
        raise UsageError(str(exc)) from None
    data = _encode(rpt, events, fmt, excel)
    if output is not None and str(output) == "-":
        write_stdout(data)
        return
    if output is None:
        scope = campaign or (f"group-{group}" if group else "all")
        name = f"report-{scope}{'-by-body' if by == 'body' else ''}.{fmt}"
        output = state_dir(app) / name
    _write_atomic(output, data)
    what = f"{len(rpt.bodies)} bodies" if rpt.bodies is not None else f"{len(rpt.rows)} requests"
    if app.as_json:
        app.emit_json({"path": str(output), "format": fmt})
        return
    click.echo(f"Wrote {fmt} report of {what} to {output}")


def _report_format(
    fmt: str | None, output: Path | None, as_json: bool, excel: bool, by: str
) -> str:
    """The format asked for, else -o's suffix's, else html (json with --json)."""
    fmt = fmt or _SUFFIXES.get(output.suffix.lower() if output else "", "")
    fmt = fmt or ("json" if as_json else "html")
    if excel and fmt != "csv":
        raise UsageError("--excel applies only to --format csv")
    if by == "body" and fmt == "ics":
        raise UsageError("--by body makes a table, not a calendar: use csv, json or html")
    return fmt


def _encode(
    rpt: Report, events: Mapping[str, Sequence[Mapping[str, Any]]] | None, fmt: str, excel: bool
) -> bytes:
    from bot.reports import table_formats

    if fmt == "csv":
        return table_formats.to_csv(rpt, excel=excel)
    if fmt == "json":
        return table_formats.to_json(rpt, events).encode("utf-8")
    if fmt == "ics":
        return table_formats.to_ics(rpt)
    return table_formats.to_html(rpt).encode("utf-8")


def state_dir(app: App) -> Path:
    """Where a report goes when no -o is given: beside the database (`state/`)."""
    return (Path(app.db_path) if app.db_path else app.config.db_path).parent


def write_stdout(data: bytes) -> None:
    import sys

    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _write_atomic(path: Path, data: bytes) -> None:
    # A half-written report must never replace a good one (e.g. a calendar subscription).
    from bot.safe_files import write_atomic

    write_atomic(path, data, what="report")


def _build(
    app: App,
    campaign: str | None,
    group_by_body: bool,
    with_events: bool,
    today: dt.date,
    group: str | None = None,
):
    from bot.reports import tables as reports
    from bot.reports.figures import campaign_figures

    config, store = app.config, app.store
    calendar = config.calendar
    name = campaign or (f"group-{group}" if group else "all")
    # A group has a name and nothing else: the group's name heads its report.
    title = campaign_heading(app, campaign) if campaign else group or "all tracked requests"
    generated = dt.datetime.now(dt.UTC)
    body_names = store.body_display_names(campaign)
    if group_by_body:
        # Every request in the database, maybe: the status rows `status` computes, of the
        # requests sent (the others are not read: a draft is nobody's timeliness).
        from bot.rules.status import status_rows

        source = store.status_source(campaign, group, sent_only=True)
        sent = status_rows(source, config.wdtk.base_url, today, calendar)
        rpt = reports.make_body_report(
            name,
            f"{title}, by body",
            reports.body_timeliness(sent, today=today, calendar=calendar, body_names=body_names),
            as_of=today,
            generated=generated,
        )
        return rpt, None
    common = {
        "base_url": config.wdtk.base_url,
        "today": today,
        "calendar": calendar,
        "body_names": body_names,
        "responses": store.event_times(campaign, "response"),
    }
    # A group is a filter over every request: its own name and heading, the same report.
    requests = list(store.status_source(campaign, group))
    declared = _declared_fields(app, campaign)
    figures = campaign_figures(store, campaign)
    recorded = {ref: {k: f.plain() for k, f in values.items()} for ref, values in figures.items()}
    rows = reports.build_rows(requests, recorded=recorded, **common)
    results = None
    if campaign:
        from bot.reports.results import build_results

        results = build_results(campaign, title, declared, rows, figures, today, generated)
    rpt = reports.make_report(
        name,
        title,
        rows,
        fields=reports.report_fields(declared, recorded),
        as_of=today,
        generated=generated,
        results=results,
    )
    events = store.events_by_ref(campaign) if with_events else None
    if events is not None and group is not None:
        members = {r.ref for r in requests}
        events = {ref: items for ref, items in events.items() if ref in members}
    return rpt, events


def campaign_heading(app: App, slug: str) -> str:
    """The campaign's title for headings (bot/views/results.py)."""
    from bot.views.results import campaign_heading as heading

    return heading(app.config, app.store, slug)


def _declared_fields(app: App, campaign: str | None) -> list[FieldSpec]:
    config = app.config
    if campaign is None:
        return [f for c in config.campaigns for f in c.fields]
    if any(c.slug == campaign for c in config.campaigns):
        return list(config.campaign(campaign).fields)
    if app.store.campaign_exists(campaign):
        return []  # drafted once, since removed from config.toml: report what is stored
    config.campaign(campaign)  # raises, naming the campaigns that do exist
    return []


COMMANDS = [record, report]
