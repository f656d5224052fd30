"""The status table: `foibot status` with filters (campaign, group, status, late only,
body, law), sorting, pages of PAGE_SIZE rows, and the filtered rows as CSV or JSON (every
row, not one page; JSON as `status --json` gives each row)."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any, NamedTuple
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.deadlines import DeadlineError
from bot.web.app import render, site, today

PAGE_SIZE = 200
FILTERS = ("campaign", "group", "status", "overdue", "body", "law")


class Query(NamedTuple):
    campaign: str | None = None
    group: str | None = None
    status: str | None = None
    overdue: bool = False
    body: str | None = None
    law: str | None = None
    sort: str | None = None
    desc: bool = False
    page: int = 1

    def link(self, **changes: Any) -> str:
        """This query's URL parameters with `changes`, empty ones left out."""
        values = self._replace(**changes)._asdict()
        pairs = [
            (k, "1" if v is True else v) for k, v in values.items() if v not in (None, False, "")
        ]
        pairs = [(k, v) for k, v in pairs if not (k == "page" and v == 1)]
        return urlencode(pairs)


class BadQuery(Exception):
    pass


def _query(request: Request, store: Any) -> Query:
    """The filters asked for, each checked: an unknown name is a 400 naming it."""
    from bot.laws import ALL_LAWS
    from bot.statuses import Status
    from bot.views.status import SORT_FIELDS, campaign_names

    p = request.query_params
    q = Query(
        **{k: p.get(k) or None for k in ("campaign", "group", "status", "body", "law", "sort")}
    )
    q = q._replace(overdue=p.get("overdue") == "1", desc=p.get("desc") == "1")
    checks = (
        ("campaign", q.campaign, lambda: campaign_names(site(request).config, store)),
        ("group", q.group, store.group_names),
        ("status", q.status, lambda: [s.value for s in Status]),
        ("law", q.law, lambda: list(ALL_LAWS)),
        ("sort", q.sort, lambda: list(SORT_FIELDS)),
    )
    for kind, value, known in checks:
        if value is not None and value not in known():
            raise BadQuery(f"unknown {kind} {value!r}")
    try:
        page = int(p.get("page") or 1)
    except ValueError:
        raise BadQuery("page must be a whole number") from None
    return q._replace(page=max(1, min(page, 10**6)))


def _rows(request: Request) -> tuple[Query, list, Any]:
    from bot.views.status import matching, sorted_rows, status_rows_of

    s, day = site(request), today(request)
    with s.store() as store:
        q = _query(request, store)
        rows = status_rows_of(store, s.config, q.campaign, q.group, day)
        try:
            rows = list(matching(rows, status=q.status, overdue=q.overdue, body=q.body, law=q.law))
        except DeadlineError as exc:  # a stored date or law the calendar cannot count
            raise BadQuery(str(exc)) from None
    if q.sort:
        rows = sorted_rows(rows, q.sort, q.desc)
    return q, rows, day


def status_page(request: Request) -> Response:
    from bot.views.status import HEADERS, SORT_FIELDS, status_cells

    try:
        q, rows, day = _rows(request)
    except BadQuery as exc:
        return render(request, "error.html.j2", status_code=400, message=str(exc))
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(q.page, pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    return render(
        request, "status.html.j2",
        q=q, headers=HEADERS, sortable=SORT_FIELDS, page=page, pages=pages, total=len(rows),
        rows=[(r, status_cells(r, day)) for r in shown], counts=sorted(counts.items()),
        options=_options(request, rows), today=day,
    )  # fmt: skip


def _options(request: Request, rows: list) -> dict[str, list[str]]:
    """The values each filter's list offers."""
    from bot.laws import ALL_LAWS
    from bot.statuses import Status
    from bot.views.status import campaign_names

    with site(request).store() as store:
        campaigns = campaign_names(site(request).config, store)
        groups = store.group_names()
    return {
        "campaign": campaigns,
        "group": groups,
        "status": sorted(s.value for s in Status),
        "law": list(ALL_LAWS),
        "body": sorted({r.body for r in rows if r.body}),
    }


def status_json(request: Request) -> Response:
    try:
        _, rows, _ = _rows(request)
    except BadQuery as exc:
        return Response(str(exc) + "\n", status_code=400, media_type="text/plain")
    body = json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False, default=str)
    return Response(body, media_type="application/json", headers=_download("status.json"))


def status_csv(request: Request) -> Response:
    from bot.reports.table_formats import neutralise
    from bot.rules.status import StatusRow

    try:
        _, rows, _ = _rows(request)
    except BadQuery as exc:
        return Response(str(exc) + "\n", status_code=400, media_type="text/plain")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(StatusRow._fields)
    # A cell a spreadsheet would run as a formula is neutralised (CSV injection).
    writer.writerows([neutralise("" if v is None else v) for v in r] for r in rows)
    return Response(
        buf.getvalue(), media_type="text/csv; charset=utf-8", headers=_download("status.csv")
    )


def _download(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"'}


ROUTES = [
    Route("/status", status_page, methods=["GET"]),
    Route("/status.json", status_json, methods=["GET"]),
    Route("/status.csv", status_csv, methods=["GET"]),
]
