"""One request as `foibot show` gives it: its stored row, its status row (the same rule
`status` uses, as of the same day), correspondence, follow-ups, recorded figures and
history. `show` prints it; the web request page renders it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Config
    from bot.store.db import Store

# The dates and facts `show` lists under the title, in this order, where they are set.
FACTS = (
    "campaign", "body", "law", "status", "wdtk_id", "sent_on", "due", "very_overdue_after",
    "remind_after", "review_started_on", "review_expected", "review_latest", "review_by",
    "answered_on",
)  # fmt: skip


def request_info(store: Store, config: Config, row: dict, today: dt.date) -> dict[str, Any]:
    """Everything `show --json` gives for the stored request `row`, as of `today`."""
    from bot import deadlines as dl
    from bot.reports.figures import recorded_values
    from bot.rules.status import review_clock, status_row
    from bot.statuses import UNDER_REVIEW
    from bot.tracking.history import history
    from bot.views.status import review_by_passed
    from bot.wdtk.urls import new_request_url, request_url

    ref = row["ref"]
    base_url = config.wdtk.base_url
    link = None
    if row["status"] in ("draft", "ready") and row["body"]:
        link = new_request_url(
            base_url, row["body"], row["title"], row["letter"], ref, store.installation_id()
        )
    # A refusal's review window runs from the latest reply.
    last = store.latest_reply_time(ref)
    calendar = config.calendar(row["law"])
    st = status_row(
        row, base_url, today, lambda _law: calendar, dl.receipt_date(last) if last else None
    )
    # Under review: when the body's answer to it is expected and due at the latest, before
    # it is late too (the status rule gives the latest only once it is).
    under_review = st.status in UNDER_REVIEW
    clock = review_clock(row, calendar) if under_review else None
    return {
        **row,
        "status": st.status,
        # The status rule's dates: under no FOI law (law "none") nothing is due, and the
        # stored courtesy date is only when a polite reminder may go.
        "due": st.due,
        "very_overdue_after": st.very_overdue_after,
        "remind_after": st.remind_after,
        "review_by": st.review_by,
        # FOISA s.20(5)/(6): past this day the body need not comply with a requirement.
        "review_window_closed": review_by_passed(st.review_by, today),
        "days_overdue": st.days_overdue,
        "late_from": st.late_from,
        "review_expected": clock.expected.isoformat() if clock else None,
        "review_latest": clock.latest.isoformat() if clock else None,
        "answered_on": st.answered_on,
        "answered_days_late": st.answered_days_late,
        "note": st.note,
        "due_note": st.due_note,
        "suggested": None,
        "stored_state": row["status"],
        "url": request_url(base_url, row["url_title"], row["wdtk_id"]),
        "submit_url": link,
        "correspondence": store.correspondence_of(ref),
        # Each reply's attachments: type, size, pages or sheets, and whether it was read.
        "attachments": [
            {**a, "sheets": [s for s in (a["sheets"] or "").split("\n") if s]}
            for a in store.attachments_of(ref)
        ],
        "followups": store.followups_of_request(ref),
        "recorded": recorded_values(store, ref),
        "events": history(store.events(ref)),
    }


def attachment_links(
    base_url: str, reply: dict[str, Any], page_url: str | None
) -> list[tuple[str, str | None]]:
    """Each attachment of a reply: (its name, its own download link where WDTK's page gave
    one, else the request's page)."""
    from bot.wdtk.urls import escaped_path

    links = (reply.get("attachment_links") or "").split("\n")
    out = []
    for n, name in enumerate((reply.get("attachments") or "").splitlines()):
        path = links[n] if n < len(links) else ""
        # The path comes from an href on WDTK's page: %-escaped, never raw.
        out.append((name, base_url + escaped_path(path) if path else page_url))
    return out


def attachment_state(row: dict) -> str:
    """An attachment's state as `show` and `attachments list` print it: "read",
    "scanned: no text", "unreadable: <reason>", "skipped: <reason>", "queued"."""
    state = row["state"]
    if state == "scanned":
        return "scanned: no text"
    if state == "queued":
        return f"queued (last try: {row['reason']})" if row["reason"] else "queued"
    if state in ("unreadable", "skipped") and row["reason"]:
        return f"{state}: {row['reason']}"
    return state


def attachment_facts(row: dict) -> str:
    """Type, size, and pages or sheets: "pdf, 1.2 MB, 3 pages"."""
    from bot.wording import plural

    parts = [row["kind"]] if row["kind"] else []
    if row["size"] is not None:
        size = row["size"]
        parts.append(
            f"{size / 1024 / 1024:.1f} MB"
            if size >= 1024 * 1024
            else f"{max(1, round(size / 1024))} KB"
        )
    if row["pages"]:
        parts.append(plural(row["pages"], "page"))
    sheets = [s for s in (row["sheets"] or "").split("\n") if s]
    if sheets:
        parts.append(plural(len(sheets), "sheet") + f" ({', '.join(sheets)})")
    return ", ".join(parts)


def attachment_said(row: dict) -> str:
    """What `show` and the request page say of one of request_info's attachments (its
    sheets a list there): "xlsx, 12 KB, 1 sheet (Disciplinary), read"."""
    row = {**row, "sheets": "\n".join(row["sheets"])}
    return ", ".join(x for x in (attachment_facts(row), attachment_state(row)) if x)


def detail_text(detail: dict[str, Any] | None) -> str:
    """An event's detail as `show` and the request page print it: `key=value, ...`, a
    nested record (a figure's hint) in brackets with its own parts split by "; ", since
    its values hold commas ("sheet Disciplinary, cell B2"), never Python's dict repr."""

    def value(v: Any) -> str:
        if isinstance(v, dict):
            return "(" + "; ".join(f"{k}={value(x)}" for k, x in v.items()) + ")"
        if isinstance(v, list | tuple):
            return "(" + "; ".join(value(x) for x in v) + ")"
        return "" if v is None else str(v)

    return ", ".join(f"{k}={value(v)}" for k, v in (detail or {}).items())
