"""The overview: each campaign and group, how many requests are in each status, the
late ones first."""

from __future__ import annotations

from collections import Counter

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.statuses import Status
from bot.web.app import render, site, today

# The late statuses lead each row of counts: they are what a campaigner acts on.
LATE_FIRST = (
    Status.WAITING_RESPONSE_VERY_OVERDUE, Status.WAITING_RESPONSE_OVERDUE,
    Status.INTERNAL_REVIEW_OVERDUE,
)  # fmt: skip


def _summary(kind: str, name: str, rows: list) -> dict:
    counts = Counter(r.status for r in rows)
    ordered = [(s, counts[s]) for s in LATE_FIRST if counts[s]]
    ordered += sorted((s, n) for s, n in counts.items() if s not in LATE_FIRST)
    late = sum(1 for r in rows if r.days_overdue is not None)
    return {"kind": kind, "name": name, "total": len(rows), "late": late, "counts": ordered}


def overview(request: Request) -> Response:
    from bot.views.status import status_rows_of

    s, day = site(request), today(request)
    with s.store() as store:
        rows = list(status_rows_of(store, s.config, None, None, day))
        groups = {
            g: list(status_rows_of(store, s.config, None, g, day)) for g in store.group_names()
        }
    by_campaign: dict[str, list] = {}
    for r in rows:
        if r.campaign:
            by_campaign.setdefault(r.campaign, []).append(r)
    summaries = [_summary("campaign", c, rs) for c, rs in by_campaign.items()]
    summaries += [_summary("group", g, rs) for g, rs in groups.items()]
    # Most late first, then by name.
    summaries.sort(key=lambda x: (-x["late"], x["kind"], x["name"]))
    # Tracked with no group (`foibot mail --track` follows a request so): in no row, but
    # counted, so that the rows and the total agree.
    grouped = {r.ref for rs in groups.values() for r in rs}
    loose = sum(1 for r in rows if not r.campaign and r.ref not in grouped)
    return render(
        request, "overview.html.j2", summaries=summaries, total=len(rows), loose=loose, today=day
    )


ROUTES = [Route("/", overview, methods=["GET"])]
