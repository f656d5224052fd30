"""The rows of `foibot status` and `foibot overdue`, and the status table, without click:
the same code runs whether click parsed the options (bot/cli/status.py) or the plain way
in did (bot/cli/plain_status.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from bot.cli.output import echo, print_table
from bot.dates import format_uk, format_uk_short
from bot.errors import UsageError
from bot.tracking.fields import FIELDS

if TYPE_CHECKING:
    from bot.cli.settings import Settings


def read_rows(
    settings: Settings,
    conn: sqlite3.Connection,
    campaign: str | None,
    group: str | None,
    as_of: dt.date | None,
    *,
    overdue: bool = False,
    brief: bool = False,
    table: bool = False,
) -> Iterator[tuple]:
    """The status rows (tuples: bot.tracking.status_query.StatusQuery), after checking the
    campaign and group names (unknown: UsageError, with a did-you-mean). `brief` and
    `table`: the columns `overdue`'s and `status`'s tables print (StatusQuery.rows)."""
    from bot import deadlines as dl
    from bot.store import reader
    from bot.tracking.status_query import StatusQuery

    if campaign is not None:
        from bot.cli.names import check_campaign

        check_campaign(settings, campaign, known=reader.campaign_slugs(conn))  # type: ignore[arg-type]
    if group is not None:
        from bot.cli.names import check_group

        check_group(settings, group, known=reader.group_names(conn))  # type: ignore[arg-type]
    config = settings.config
    query = StatusQuery(
        conn, base_url=config.wdtk.base_url, today=settings.today(as_of),
        calendar=config.calendar,
    )  # fmt: skip

    def rows() -> Iterator[tuple]:
        try:
            yield from query.rows(
                campaign, group=group, overdue=overdue, brief=brief, table=table
            )
        except dl.DeadlineError as exc:
            raise UsageError(str(exc)) from None

    return rows()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while rows are read: 10,000 of them make 200,000
    objects and no cycle, and the collector would walk them all again each few thousand
    (a tenth of `status`'s time). On again after, as it was."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def show(rows: Iterator[tuple], *, filtered: bool) -> None:
    """The status table, then a count by status; `filtered`: a campaign or group was asked
    for (no hint on how to start, then)."""
    table(rows, filtered=filtered)()


def table(rows: Iterator[tuple], *, filtered: bool) -> Callable[[], None]:
    """`show`, in two steps: every row is read here (where any error is raised), and the
    function returned prints them."""
    counts: dict[str, int] = {}
    cells = []
    with collector_paused():
        # One unpacking per row (FIELDS' order, checked below), not a dozen subscripts.
        for (ref, _, body, title, status, _, _, sent_on, due, _, days, _, slot, _, stage,
             review_by, late_from, _, _, answered_late, _, at, via, _) in rows:  # fmt: skip
            counts[status] = counts.get(status, 0) + 1
            sent_text = sent_on or ""
            if not sent_text and slot and status == "draft":
                sent_text = f"slot {format_uk(slot)}"
            # How late, and from which date: "3 from 2026-03-31", or "answered 4 late".
            late = (
                f"{days} from {late_from}" if days is not None
                else f"answered {answered_late} late" if answered_late else ""
            )  # fmt: skip
            if not at:
                confirmed = ""
            elif at[16:17] == ":" and at.endswith("+00:00"):  # UTC, as foibot writes it
                confirmed = _confirmed_in_minute(at[:16], via)
            else:
                confirmed = _confirmed(at, via)
            cells.append((
                ref, body or "", status, sent_text, due or "", late, review_by or "",
                stage or "", confirmed, title,
            ))  # fmt: skip
    if not cells:
        hint = " `foibot track URL` follows a WDTK request; `foibot draft CAMPAIGN` drafts a campaign."
        return lambda: echo("No requests yet." + ("" if filtered else hint))

    def write() -> None:
        print_table(
            ("ref", "body", "status", "sent", "due", "late", "review by", "stage", "confirmed",
             "title"),
            cells,
        )  # fmt: skip
        echo(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))

    return write


if FIELDS != (
    "ref", "campaign", "body", "title", "status", "wdtk_id", "url", "sent_on", "due",
    "very_overdue_after", "days_overdue", "law", "slot", "poll_error", "stage", "review_by",
    "late_from", "review_latest", "answered_on", "answered_days_late", "note",
    "last_confirmed_at", "last_confirmed_via",
):  # fmt: skip
    raise AssertionError("bot/cli/status_table.py table() unpacks rows in FIELDS' order")


def _confirmed(at: str, via: str | None) -> str:
    """When WDTK last confirmed a request, UK time, and the path: "20 Mar 09:05 mail"."""
    return f"{format_uk_short(at)} {via or 'poll'}"


@functools.lru_cache(maxsize=4096)
def _confirmed_in_minute(utc_minute: str, via: str | None) -> str:
    # The shown text depends on the UTC minute alone, which the requests a poll confirmed
    # share (a conversion per row was a quarter of `status` on 10,000 requests).
    return _confirmed(utc_minute + ":00+00:00", via)
