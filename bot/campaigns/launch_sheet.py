"""The HTML launch sheet: one open-in-WDTK button per request ready to send."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from bot.config import Config
from bot.dates import format_uk
from bot.store.db import Store
from bot.templating import report_environment
from bot.wdtk.urls import new_request_url


def launch_sheet_name(campaign: str) -> str:
    """The sheet's file name, beside the database."""
    return f"launch-{campaign}.html"


def write_launch_sheet(
    path: Path, store: Store, config: Config, campaign: str, report, now: dt.datetime
) -> None:
    rows = store.campaign_requests(campaign)
    bodies = {b.url_name: b for b in store.bodies()}
    ready = [
        {
            "ref": row["ref"],
            "body": bodies[row["body"]].name if row["body"] in bodies else row["body"],
            "title": row["title"],
            "letter": row["letter"],
            "url": new_request_url(
                config.wdtk.base_url, row["body"], row["title"], row["letter"], row["ref"],
                store.installation_id(),
            ),
            "released": format_uk(row["released_at"]),
        }
        for row in rows
        if row["status"] == "ready"
    ]
    scheduled = [
        {"ref": row["ref"], "body": row["body"], "slot": format_uk(row["slot_at"])}
        for row in rows
        if row["status"] == "draft" and row["slot_at"]
    ]
    html = (
        report_environment(config.root)
        .get_template("launch_sheet.html.j2")
        .render(campaign=campaign, ready=ready, scheduled=scheduled, generated=format_uk(now))
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    # Owner-only, like the database: the sheet holds every letter and who sent it.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(html)
    tmp.replace(path)
