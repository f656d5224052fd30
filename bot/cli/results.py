"""`foibot results` (the table a campaign publishes) and `foibot search` (reply text)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import click

from bot.cli.app import App, as_of_option, json_option, pass_app
from bot.cli.output import printable
from bot.errors import UsageError

RESULT_FORMATS = ("markdown", "csv", "tidy", "json", "html")
_SUFFIXES = {".md": "markdown", ".csv": "csv", ".json": "json", ".html": "html", ".htm": "html"}
_EXTENSIONS = {"markdown": "md", "csv": "csv", "tidy": "csv", "json": "json", "html": "html"}


@click.command()
@click.argument("campaign")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RESULT_FORMATS),
    help="markdown (default; paste into an article), csv (wide: a row per body), "
    "tidy (long CSV: a row per body, field and period), json, html.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write to this file ('-': stdout). HTML without -o goes to state/.",
)
@click.option(
    "--template",
    is_flag=True,
    help="Write the CSV to fill in: a row per body, field and period, for record --from-csv.",
)
@click.option("--excel", is_flag=True, help="CSV: add a byte-order mark so Excel reads UTF-8.")
@as_of_option()
@json_option
@pass_app
def results(
    app: App,
    campaign: str,
    fmt: str | None,
    output: Path | None,
    template: bool,
    excel: bool,
    as_of: dt.date | None,
    as_json: bool,
) -> None:
    """The results table of CAMPAIGN: a row per body, a column per field and period,
    with totals. Bounds (<5) and withheld values are shown, never summed silently.

    \b
    foibot results social-media-misuse                       # Markdown, to the terminal
    foibot results social-media-misuse --format csv -o results.csv
    foibot results social-media-misuse --format html         # writes state/results-….html
    foibot results social-media-misuse --template -o figures.csv
    """
    from bot.cli.report import state_dir, write_stdout
    from bot.reports import results_formats as res

    spec = app.config.campaign(campaign)
    if template:
        if fmt and fmt != "csv":
            raise UsageError("--template writes a CSV: leave out --format or use csv")
        _emit(app, output, _template_csv(app, spec, excel), "csv", None)
        return
    fmt = fmt or _SUFFIXES.get(output.suffix.lower() if output else "", "")
    fmt = fmt or ("json" if app.json_wanted(as_json) else "markdown")
    if excel and fmt not in ("csv", "tidy"):
        raise UsageError("--excel applies only to --format csv or tidy")
    table = build_table(app, campaign, app.today(as_of))
    if fmt == "markdown":
        data = res.to_markdown(table).encode("utf-8")
    elif fmt == "csv":
        data = res.to_wide_csv(table, excel=excel)
    elif fmt == "tidy":
        data = res.to_tidy_csv(table, excel=excel)
    elif fmt == "json":
        import json

        data = (json.dumps(res.to_json(table), indent=2, ensure_ascii=False) + "\n").encode()
    else:
        data = res.to_html(table).encode("utf-8")
    if output is None and fmt == "html":
        output = state_dir(app) / f"results-{campaign}.html"  # HTML never to a terminal
    if output is None or str(output) == "-":
        write_stdout(data)
        return
    _emit(app, output, data, fmt, f"{len(table.rows)} bodies")


def _emit(app: App, output: Path | None, data: bytes, fmt: str, what: str | None) -> None:
    from bot.cli.report import _write_atomic, write_stdout

    if output is None or str(output) == "-":
        write_stdout(data)
        return
    _write_atomic(output, data)
    if app.as_json:
        app.emit_json({"path": str(output), "format": fmt})
    else:
        click.echo(f"Wrote {fmt} results{f' of {what}' if what else ''} to {output}")


def build_table(app: App, campaign: str, today: dt.date):
    """The campaign's ResultsTable, from the same rows `report` builds."""
    from bot import deadlines as dl
    from bot.reports import tables
    from bot.reports.figures import campaign_figures
    from bot.reports.results import build_results

    config, store = app.config, app.store
    calendar = config.calendar
    try:
        rows = tables.build_rows(
            list(store.status_source(campaign)),
            base_url=config.wdtk.base_url,
            today=today,
            calendar=calendar,
            body_names=store.body_display_names(campaign),
        )
    except dl.DeadlineError as exc:
        raise UsageError(str(exc)) from None
    from bot.cli.report import campaign_heading

    spec = config.campaign(campaign)
    return build_results(
        campaign,
        campaign_heading(app, campaign),
        spec.fields,
        rows,
        campaign_figures(store, campaign),
        today,
        dt.datetime.now(dt.UTC),
    )


def _template_csv(app: App, spec, excel: bool) -> bytes:
    import csv
    import io

    from bot.reports.figures import campaign_figures
    from bot.reports.table_formats import neutralise

    store = app.store
    figures = campaign_figures(store, spec.slug)
    names = {b.url_name: b.name for b in store.bodies()}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["ref", "body", "field", "period", "value", "note", "description"])
    for row in store.campaign_requests(spec.slug):
        if row["status"] == "cancelled":
            continue
        current = figures.get(row["ref"], {})
        body = names.get(row["body"], row["body"] or "")
        for field in spec.fields:
            for period in field.periods or (None,):
                key = f"{field.name}:{period}" if period else field.name
                fig = current.get(key)
                # The sheet is made to be opened in a spreadsheet: a body name or value
                # such as `=HYPERLINK(…)` must stay text there, as in every CSV foibot writes.
                cells = [row["ref"], body, field.name, period or "", fig.text if fig else "", "",
                         field.description]  # fmt: skip
                writer.writerow([neutralise(c) for c in cells])
    data = buf.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if excel else data


# -- search ---------------------------------------------------------------------------

_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


def fts_query(words: tuple[str, ...]) -> str:
    """Plain words become quoted FTS5 terms (so `social-media` or `s.40` cannot be read as
    syntax); a query using FTS5's own syntax (quotes, AND/OR/NOT, prefix*) is passed on."""
    if any('"' in w or w in _OPERATORS or w.endswith("*") for w in words):
        return " ".join(words)
    return " ".join('"' + w.replace('"', '""') + '"' for w in words if w.strip())


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--campaign", help="Only this campaign's replies.")
@click.option("--group", "-g", help="Only the replies to this group of tracked requests.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@json_option
@pass_app
def search(
    app: App,
    query: tuple[str, ...],
    campaign: str | None,
    group: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Find replies by their text, such as `foibot search twitter --campaign C`.

    Attachments' text is searched too (once `foibot attachments fetch` or a pass has read
    them): such a hit names the attachment and where in it (page, sheet and cell, line).
    Words are matched with stemming ("dismissed" finds "dismissal"); all must occur.
    FTS5 syntax works too: "social media" for a phrase, OR, NOT, twit* for a prefix.
    """
    if campaign:
        app.config.campaign(campaign)
    from bot.cli.names import check_group

    check_group(app, group)
    match = fts_query(query)
    if not match:
        raise UsageError("give some words to search for")
    try:
        hits = app.store.search_replies(match, campaign, limit, group=group)
        hits += app.store.search_attachments(match, campaign, limit, group=group)
    except sqlite3.OperationalError as exc:
        raise UsageError(f"cannot search for {' '.join(query)!r}: {exc}") from None
    base_url = app.config.wdtk.base_url
    from bot.deadlines import receipt_date
    from bot.extraction.model import Segment
    from bot.wdtk.urls import request_url

    # Both indexes rank by bm25 (lower is better): merged on it, the best `limit` kept.
    hits.sort(key=lambda h: h.pop("rank"))
    del hits[limit:]
    for hit in hits:
        if "attachment" in hit:
            where = Segment("", *(hit.pop(k) for k in ("page", "sheet", "cell", "line", "member")))
            hit["where"] = where.locator()
        else:
            hit.update(attachment=None, attachment_number=None, where=None)
        hit["url"] = request_url(base_url, hit.pop("url_title"), hit.pop("wdtk_id"))
        # The day the reply was sent (UK), never the day foibot fetched it.
        sent = hit.pop("sent_at")
        hit.pop("fetched_at", None)
        hit["date"] = receipt_date(sent).isoformat() if sent else None
    if app.json_wanted(as_json):
        app.emit_json(hits)
        return
    if not hits:
        click.echo("No reply matches.")
        return
    tty = click.get_text_stream("stdout").isatty()
    for hit in hits:
        click.echo(f"{hit['ref']}  {printable(hit['body_name'])}  {hit['date'] or ''}".rstrip())
        if hit["attachment"] is not None:
            place = f", {hit['where']}" if hit["where"] else ""
            click.echo(f"  in attachment {printable(hit['attachment'])}{printable(place)}")
        snippet = " ".join("".join(c if c.isprintable() else " " for c in hit["snippet"]).split())
        if tty:
            snippet = snippet.replace("[", "\x1b[1m").replace("]", "\x1b[0m")
        click.echo(f"  {snippet}")
        if hit["url"]:
            click.echo(f"  {hit['url']}")
    click.echo(f"{len(hits)} repl{'y' if len(hits) == 1 else 'ies'}")


COMMANDS = [results, search]
