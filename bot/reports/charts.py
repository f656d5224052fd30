"""Inline SVG charts for the HTML report. Pure: plain data in, escaped markup out.

No JavaScript and no external assets, so a report still reads when mailed or archived.
Every piece of text goes through `escape`, because body names and titles come from WDTK
and from campaigners' config, and the SVG is inserted into the page unescaped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Outcome colours, shared by the timeline and its legend in the template.
OUTCOME_COLOURS = {
    "on_time": "#1d6a32",
    "late": "#b26a00",
    "waiting": "#3a6ea5",
    "overdue": "#b3261e",
    "closed": "#8a8a8a",
}
OUTCOME_LABELS = {
    "on_time": "answered on time",
    "late": "answered late",
    "waiting": "waiting, not yet due",
    "overdue": "waiting, overdue",
    "closed": "closed without a reply on record",
}

_STATUS_COLOURS = {
    "successful": "#1d6a32",
    "partially_successful": "#5b9a55",
    "waiting_response": "#3a6ea5",
    "waiting_classification": "#6d8fb8",
    "waiting_clarification": "#6d8fb8",
    "internal_review": "#7a5ea8",
    "waiting_response_overdue": "#d0632a",
    "waiting_response_very_overdue": "#b3261e",
    "internal_review_overdue": "#b3261e",
    "rejected": "#5e5e5e",
    "not_held": "#7d7d7d",
    "draft": "#c4c4c4",
    "ready": "#a9c1d9",
}


def status_colour(status: str) -> str:
    return _STATUS_COLOURS.get(status, "#9e9e9e")


@dataclass(frozen=True)
class TimelineItem:
    ref: str
    label: str  # the body's name
    sent_on: dt.date
    due: dt.date | None
    end: dt.date  # first reply, or today while waiting
    outcome: str  # a key of OUTCOME_COLOURS


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _month_ticks(start: dt.date, end: dt.date, max_ticks: int = 8) -> list[dt.date]:
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = max(1, -(-months // max_ticks))
    ticks, y, m = [], start.year, start.month
    while True:
        m += 1
        if m > 12:
            y, m = y + 1, 1
        tick = dt.date(y, m, 1)
        if tick > end:
            return ticks
        if ((y - start.year) * 12 + m - start.month) % step == 0:
            ticks.append(tick)


def timeline_svg(items: Sequence[TimelineItem], today: dt.date) -> Markup:
    """One row per request: a bar from sending to the first reply (or today), coloured by
    outcome, with a tick at the due date."""
    if not items:
        return Markup("")
    width, label_w, right, top, row_h = 720, 190, 12, 26, 18
    start = min(i.sent_on for i in items)
    end = max([today, *(i.end for i in items), *(i.due for i in items if i.due)])
    span = max((end - start).days, 1)
    plot_w = width - label_w - right
    height = top + row_h * len(items) + 8

    def x(d: dt.date) -> str:
        return _fmt(label_w + plot_w * (d - start).days / span)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart timeline" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="system-ui, sans-serif" font-size="11">',
        f"<title>Timeline of {len(items)} requests: sent, due date, first reply</title>",
    ]
    for tick in _month_ticks(start, end):
        parts.append(
            f'<line x1="{x(tick)}" y1="{top - 6}" x2="{x(tick)}" y2="{height - 4}" '
            'stroke="#e4e4e4"/>'
            f'<text x="{x(tick)}" y="{top - 10}" text-anchor="middle" fill="#555">'
            f"{escape(tick.strftime('%b %Y'))}</text>"
        )
    # Rows of one body (a tracked group's requests to one council) are told apart by ref.
    seen = Counter(i.label for i in items)
    for n, item in enumerate(items):
        y = top + n * row_h
        mid = y + row_h / 2
        name = (
            f"{_short(item.label, max(30 - len(item.ref) - 1, 8))} {item.ref}"
            if seen[item.label] > 1
            else _short(item.label, 30)
        )
        colour = OUTCOME_COLOURS.get(item.outcome, OUTCOME_COLOURS["closed"])
        tip = (
            f"{item.label} ({item.ref}): sent {item.sent_on.isoformat()}"
            + (f", due {item.due.isoformat()}" if item.due else "")
            + f", {OUTCOME_LABELS.get(item.outcome, item.outcome)}"
        )
        bar_w = max(float(x(item.end)) - float(x(item.sent_on)), 2.0)
        parts.append(
            f"<g><title>{escape(tip)}</title>"
            f'<text x="{label_w - 6}" y="{_fmt(mid + 4)}" text-anchor="end" fill="#1b1b1b">'
            f"{escape(name)}</text>"
            f'<rect x="{x(item.sent_on)}" y="{_fmt(y + 4)}" width="{_fmt(bar_w)}" '
            f'height="{row_h - 8}" rx="2" fill="{colour}"/>'
        )
        if item.due:
            parts.append(
                f'<line x1="{x(item.due)}" y1="{_fmt(y + 1)}" x2="{x(item.due)}" '
                f'y2="{_fmt(y + row_h - 1)}" stroke="#1b1b1b" stroke-width="2"/>'
            )
        parts.append("</g>")
    parts.append(
        f'<line x1="{x(today)}" y1="{top - 6}" x2="{x(today)}" y2="{height - 4}" '
        'stroke="#1b1b1b" stroke-dasharray="3 3"/>'
        f'<text x="{x(today)}" y="{height - 0}" text-anchor="middle" fill="#1b1b1b" '
        f'font-size="9">{escape(today.isoformat())}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def status_bars_svg(counts: Sequence[tuple[str, int]]) -> Markup:
    """A bar per status with its count; narrow enough to read on a phone unscaled."""
    if not counts:
        return Markup("")
    # label_w fits the longest status, "waiting response very overdue", at 12px.
    width, label_w, bar_max, row_h = 360, 220, 110, 22
    most = max(c for _, c in counts) or 1
    height = row_h * len(counts) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart statuses" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        "<title>Requests by status</title>",
    ]
    for n, (status, count) in enumerate(counts):
        y = n * row_h + 2
        w = max(bar_max * count / most, 1.0)
        parts.append(
            f"<g><title>{escape(status)}: {count}</title>"
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" fill="#1b1b1b">'
            f"{escape(status.replace('_', ' '))}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{_fmt(w)}" height="{row_h - 6}" rx="2" '
            f'fill="{status_colour(status)}"/>'
            f'<text x="{_fmt(label_w + w + 5)}" y="{y + 15}" fill="#1b1b1b">{count}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
