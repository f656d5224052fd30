"""The status rows of a campaign or group (the one rule, bot/rules/status.py), and the
cells `foibot status` prints and the web status table shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from bot.dates import format_uk, format_uk_short
from bot.laws import NONE
from bot.rules.status import StatusRow

if TYPE_CHECKING:
    from bot.config import Config
    from bot.store.db import Store

HEADERS = (
    "ref", "body", "status", "sent", "due", "late", "review by", "stage", "confirmed", "title",
)  # fmt: skip


def status_rows_of(
    store: Store,
    config: Config,
    campaign: str | None,
    group: str | None,
    today: dt.date,
    *,
    late_only: bool = False,
) -> Iterator[StatusRow]:
    """Every request's status row as of `today` (with `late_only`, every late one's), by
    campaign then insertion order. Names are not checked here: the caller does."""
    from bot.rules.status import status_rows
    from bot.statuses import AWAITING

    # Only a request still waiting for a reply or a review can be late: no other is read.
    source = store.status_source(campaign, group, statuses=AWAITING if late_only else None)
    return status_rows(source, config.wdtk.base_url, today, config.calendar, late_only=late_only)


def campaign_names(config: Config, store: Store, known: Iterable[str] | None = None) -> list[str]:
    """Campaigns in config.toml and those only in the database (tracked into by name);
    `known`: the database's, when the caller has read them already."""
    names = {c.slug for c in config.campaigns}
    names.update(store.campaign_slugs() if known is None else known)
    return sorted(names)


def status_cells(r: StatusRow, today: dt.date | None) -> tuple[str, ...]:
    """One row of the status table, a cell per HEADERS column."""
    sent = r.sent_on or ""
    if not sent and r.slot and r.status == "draft":
        sent = f"slot {format_uk(r.slot, not_before=True)}"
    # How late, and from which date: "3 from 2026-03-31", or "answered 4 late".
    if r.days_overdue is not None:
        late = f"{r.days_overdue} from {r.late_from}"
    else:
        late = f"answered {r.answered_days_late} late" if r.answered_days_late else ""
    confirmed = ""
    if r.last_confirmed_at:
        # When WDTK last confirmed it, UK time, and the path: "20 Mar 09:05 mail".
        confirmed = f"{format_uk_short(r.last_confirmed_at)} {r.last_confirmed_via or 'poll'}"
    return (
        r.ref, r.body or "", r.status, sent, due_cell(r), late, review_by_cell(r.review_by, today),
        r.stage or "", confirmed, r.title,
    )  # fmt: skip


def review_by_passed(review_by: str | None, today: dt.date | None) -> bool:
    """The last day to ask for (Scotland: require) a review has passed, under any law: a
    Scottish body need not comply with a later requirement (FOISA s.20(5) and (6)), an
    English one may refuse a late request (EIR reg 11(2); ICO guidance for FOIA)."""
    return bool(review_by and today and review_by < today.isoformat())


def review_by_cell(review_by: str | None, today: dt.date | None) -> str:
    """The `review by` cell: the last day, or "window closed on DATE" once it has passed."""
    if review_by_passed(review_by, today):
        return f"window closed on {review_by}"
    return review_by or ""


def due_cell(r: StatusRow) -> str:
    """The due date; for a request under no FOI law, "voluntary" (nothing is due by law)."""
    if r.law == NONE:
        return "voluntary"
    if r.due_note:  # a school (FOIA): late only after the 60th working day
        return f"{r.due or ''}, may run to {r.very_overdue_after} (schools)"
    return r.due or ""


def late_from_cell(since: str | None, latest: str | None) -> str:
    """The date lateness counts from, and a later last date where the law allows one
    (FOIA reviews: 20 working days, 40 at most): "2026-04-22 (latest 2026-05-21)"."""
    if not since:
        return ""
    return f"{since} (latest {latest})" if latest and latest != since else since


# The columns a status table may be sorted by: HEADERS' names, each to the row's field.
SORT_FIELDS = {
    "ref": "ref", "body": "body", "status": "status", "sent": "sent_on", "due": "due",
    "late": "days_overdue", "review by": "review_by", "stage": "stage", "title": "title",
}  # fmt: skip


def matching(
    rows: Iterable[StatusRow],
    *,
    status: str | None = None,
    overdue: bool = False,
    body: str | None = None,
    law: str | None = None,
) -> Iterator[StatusRow]:
    """The rows with this (live) status, late ones only, to this body (its url_name), under
    this law; None or False: any."""
    for r in rows:
        if (
            (status is None or r.status == status)
            and (not overdue or r.days_overdue is not None)
            and (body is None or r.body == body)
            and (law is None or r.law == law)
        ):
            yield r


def sorted_rows(
    rows: Iterable[StatusRow], column: str, descending: bool = False
) -> list[StatusRow]:
    """Sorted by a SORT_FIELDS column, empty cells last either way; ties keep their order
    (campaign, then the order the requests were added, as `status` lists them)."""
    field = SORT_FIELDS[column]
    listed = list(rows)
    present = [r for r in listed if getattr(r, field) is not None]
    absent = [r for r in listed if getattr(r, field) is None]
    present.sort(key=lambda r: getattr(r, field), reverse=descending)
    return present + absent
