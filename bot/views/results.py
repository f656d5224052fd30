"""A campaign's results table as it will be published, for `foibot results` and the web
figures page, and its exports (Markdown, wide CSV, HTML: bot/reports/results_formats.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.config import Config
    from bot.reports.results import ResultsTable
    from bot.store.db import Store

# Export name -> (media type, file suffix); the bytes come from results_formats.
EXPORTS = {
    "markdown": ("text/markdown; charset=utf-8", "md"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "html": ("text/html; charset=utf-8", "html"),
}


def campaign_heading(config: Config, store: Store, slug: str) -> str:
    """The campaign's title for headings (`name`, else its request title without the
    body's name), from config.toml, else from the database for a campaign since removed."""
    from bot.wording import campaign_title

    spec = next((c for c in config.campaigns if c.slug == slug), None)
    if spec is not None:
        return campaign_title(slug, spec.name, spec.title)
    row = store.campaign_row(slug) or {}
    return campaign_title(slug, "", row.get("title_template") or "")


def build_table(store: Store, config: Config, campaign: str, today: dt.date) -> ResultsTable:
    """The campaign's ResultsTable, from the same rows `report` builds."""
    from bot import deadlines as dl
    from bot.reports import tables
    from bot.reports.figures import campaign_figures
    from bot.reports.results import build_results

    try:
        rows = tables.build_rows(
            list(store.status_source(campaign)),
            base_url=config.wdtk.base_url,
            today=today,
            calendar=config.calendar,
            body_names=store.body_display_names(campaign),
        )
    except dl.DeadlineError as exc:
        raise UsageError(str(exc)) from None
    spec = config.campaign(campaign)
    return build_results(
        campaign,
        campaign_heading(config, store, campaign),
        spec.fields,
        rows,
        campaign_figures(store, campaign),
        today,
        dt.datetime.now(dt.UTC),
    )


def export(table: ResultsTable, fmt: str, *, excel: bool = False) -> bytes:
    """The table in one of `results`' formats: markdown, csv (wide), tidy, json, html."""
    import json

    from bot.reports import results_formats as res

    if fmt == "markdown":
        return res.to_markdown(table).encode("utf-8")
    if fmt == "csv":
        return res.to_wide_csv(table, excel=excel)
    if fmt == "tidy":
        return res.to_tidy_csv(table, excel=excel)
    if fmt == "json":
        return (json.dumps(res.to_json(table), indent=2, ensure_ascii=False) + "\n").encode()
    return res.to_html(table).encode("utf-8")
