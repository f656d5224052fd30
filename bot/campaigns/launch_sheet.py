"""The HTML launch sheet: one open-in-WDTK button per request ready to send."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from markupsafe import Markup

from bot.config import Config
from bot.dates import format_uk
from bot.rules.pacing import with_margin
from bot.safe_files import write_atomic
from bot.store.db import Store
from bot.templating import report_environment
from bot.wdtk.urls import new_request_url
from bot.wording import campaign_title


def pace_in_words(limits) -> str:
    """ "1 request a minute, 2 in 8 minutes and 10 in 24 hours"."""
    parts = []
    for limit in limits:
        span = (
            f"{limit.minutes // 60} hours" if limit.minutes % 60 == 0 and limit.minutes > 60
            else "an hour" if limit.minutes == 60
            else "a minute" if limit.minutes == 1
            else f"{limit.minutes} minutes"
        )  # fmt: skip
        what = "request" if limit.count == 1 else "requests"
        joiner = " a " if limit.minutes in (1, 60) and limit.count == 1 else " in "
        parts.append(
            f"{limit.count} {what}{joiner}{span.removeprefix('a ').removeprefix('an ') if joiner == ' a ' else span}"
        )
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def _heading(config: Config, slug: str) -> str:
    """The campaign's title, as its results are headed (its slug if config has lost it)."""
    spec = next((c for c in config.campaigns if c.slug == slug), None)
    return campaign_title(slug, spec.name, spec.title) if spec else slug


def write_launch_sheet(
    path: Path, store: Store, config: Config, campaign: str, report, now: dt.datetime
) -> None:
    rows = store.campaign_requests(campaign)
    bodies = {b.url_name: b for b in store.bodies()}
    # Marked sent (`foibot done REF`): no button, so its link is never opened twice.
    marked = {item["ref"]: item for item in report.marked_sent}
    ready = [
        {
            "ref": row["ref"],
            "body": bodies[row["body"]].name if row["body"] in bodies else row["body"],
            "title": row["title"],
            "letter": row["letter"],
            "url": new_request_url(
                config.wdtk.base_url,
                row["body"],
                row["title"],
                row["letter"],
                row["ref"],
                store.installation_id(),
            ),
            "released": format_uk(row["released_at"]),
            "send_after": format_uk(row["send_after"], not_before=True)
            if row["send_after"]
            else "now",
            "send_after_iso": row["send_after"] or "",
        }
        for row in sorted(
            (
                r
                for r in rows
                if r["status"] == "ready" and r["wdtk_id"] is None and r["ref"] not in marked
            ),
            key=lambda r: (r["send_after"] or "", r["ref"]),
        )
    ]
    later = {item["ref"] for item in report.scheduled}
    scheduled = [
        {
            "ref": row["ref"],
            "body": bodies[row["body"]].name if row["body"] in bodies else row["body"],
            "slot": format_uk(row["slot_at"], not_before=True),
        }
        for row in rows
        if row["ref"] in later
    ]
    html = (
        report_environment(config.root)
        .get_template("launch_sheet.html.j2")
        .render(
            campaign=campaign,
            heading=_heading(config, campaign),
            ready=ready,
            scheduled=scheduled,
            generated=format_uk(now),
            followups=report.followups,
            withdrawn=[{**w, "when": format_uk(w["withdrawn_at"])} for w in report.withdrawn],
            held=report.held,
            marked_sent=[
                {
                    "ref": ref,
                    "body": bodies[item["body"]].name if item["body"] in bodies else item["body"],
                    "marked": format_uk(item["marked_at"]),
                }
                for ref, item in marked.items()
            ],
            pace_words=pace_in_words(config.pace),
            margin=config.pace_margin_minutes,
            max_unsent=config.max_unsent,
            # JSON inside <script>: "<" escaped so no text can close the element.
            pace_json=Markup(
                json.dumps(
                    [
                        {"count": p.count, "minutes": p.minutes}
                        for p in with_margin(config.pace, config.pace_margin_minutes)
                    ]
                ).replace("<", "\\u003c")
            ),
        )
    )
    # Owner-only, like the database: the sheet holds every letter and who sent it.
    write_atomic(path, html.encode("utf-8"), private=True, what="launch sheet")
