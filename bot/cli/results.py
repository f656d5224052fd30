"""`foibot results` (the table a campaign publishes) and `foibot search` (reply text)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from bot.cli.app import App, as_of_option, json_option, pass_app
from bot.cli.output import printable
from bot.errors import UsageError
from bot.wording import plural

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
    from bot.views.results import export

    table = build_table(app, campaign, app.today(as_of))
    data = export(table, fmt, excel=excel)
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
    """The campaign's ResultsTable (bot/views/results.py)."""
    from bot.views.results import build_table as table_of

    return table_of(app.store, app.config, campaign, today)


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


def fts_query(words: tuple[str, ...]) -> str:
    """Words as an FTS5 query (bot/views/search.py)."""
    from bot.views.search import fts_query as query

    return query(words)


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
    from bot.views.search import search_hits

    hits = search_hits(app.store, app.config, query, campaign, group, limit)
    if app.json_wanted(as_json):
        app.emit_json(hits)
        return
    if not hits:
        click.echo("No reply matches.")
        return
    tty = sys.stdout.isatty()
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
    files = sum(hit["attachment"] is not None for hit in hits)
    parts = [plural(len(hits) - files, "reply"), plural(files, "attachment")]
    click.echo(" and ".join(p for p in parts if not p.startswith("0 ")) + " matched")


COMMANDS = [results, search]
