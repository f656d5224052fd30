"""Status rows: what `status`, `overdue` and the reports show for each request. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from bot.links import request_url


@dataclass(frozen=True)
class StatusRow:
    ref: str
    campaign: str | None
    body: str | None
    title: str
    status: str
    wdtk_id: int | None
    url: str | None
    sent_on: str | None
    due: str | None
    very_overdue_after: str | None
    days_overdue: int | None
    slot: str | None

    def as_json(self) -> dict:
        return asdict(self)


def status_row(row: dict, base_url: str, today: dt.date) -> StatusRow:
    return StatusRow(
        ref=row["ref"],
        campaign=row["campaign"],
        body=row["body"],
        title=row["title"] or "",
        status=row["status"],
        wdtk_id=row["wdtk_id"],
        url=request_url(base_url, row["url_title"], row["wdtk_id"]),
        sent_on=row["sent_on"],
        due=row["due"],
        very_overdue_after=row["very_overdue_after"],
        days_overdue=None,
        slot=row["slot_at"],
    )
