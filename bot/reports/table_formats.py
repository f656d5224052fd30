"""A report table (`bot.reports.tables`) written as CSV, JSON, ICS or HTML. Pure.

The definitions a reader of the numbers needs are in `bot.reports.tables`' docstring and
printed in the HTML report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.laws import SHORT_NAMES
from bot.reports.tables import BODY_COLUMNS, COLUMNS, Report, ReportRow, timeline

# Spreadsheets run a cell as a formula when it starts with one of these (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TIMELINE_LIMIT = 500  # a taller SVG is unreadable and slow to lay out


# -- CSV ------------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet will not run. Numbers we computed are left as numbers; text
    starting with a formula character gets a leading apostrophe (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralise(text: str) -> str:
    """What `neutralise` made of `text`, read back: a sheet written by foibot, filled in
    and loaded again (`record --from-csv`) gives back the value recorded, not "'-1"."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return neutralise(value)


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buf.getvalue()


def _field_columns(report: Report) -> list[str]:
    # A field named like a built-in column gets a prefix, so no column is ambiguous.
    return [f"recorded_{n}" if n in COLUMNS else n for n in report.field_names]


def to_csv(report: Report, *, excel: bool = False) -> bytes:
    """UTF-8 CSV: a row per request, or per body for `--by body`. `excel` adds a BOM,
    which is how Excel knows the file is UTF-8 and not the local code page."""
    if report.bodies is not None:
        text = _csv_text(
            BODY_COLUMNS,
            ([b.as_dict()[c] for c in BODY_COLUMNS] for b in report.bodies),
        )
    else:
        names = report.field_names
        text = _csv_text(
            [*COLUMNS, *_field_columns(report)],
            (
                [*(getattr(r, c) for c in COLUMNS), *(r.values.get(n) for n in names)]
                for r in report.rows
            ),
        )
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if excel else data


# -- JSON -----------------------------------------------------------------------------


def to_json(report: Report, events: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> str:
    """The CSV's content plus, per request, its event history (`events`: ref -> events)."""
    data: dict[str, Any] = {
        "scope": report.scope,
        "title": report.heading,
        "as_of": report.as_of.isoformat(),
        "generated": report.generated.isoformat(timespec="seconds"),
        "fields": [
            {"name": f.name, "type": f.type, "description": f.description} for f in report.fields
        ],
        "summary": report.summary.as_dict(),
        "statuses": dict(report.statuses),
    }
    if report.bodies is not None:
        data["bodies"] = [b.as_dict() for b in report.bodies]
    else:
        events = events or {}
        data["requests"] = [
            {**r.as_dict(report.field_names), "events": list(events.get(r.ref, ()))}
            for r in report.rows
        ]
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


# -- ICS ------------------------------------------------------------------------------


def calendar_entries(rows: Iterable[ReportRow]) -> list[tuple[str, dt.date, str, ReportRow]]:
    """(uid, day, summary, row) per deadline. UIDs depend only on the ref and the kind of
    date, so importing a newer export updates the same events instead of adding copies."""
    out = []
    for r in rows:
        who = f"{r.body_name or r.body or r.ref} ({r.ref})"
        law = SHORT_NAMES.get(r.law or "foi", r.law)  # FOI, EIR, FOISA or EISR
        for kind, day, what in (
            ("due", r.due, f"{law} reply due"),
            ("very-overdue", r.very_overdue_after, f"{law} reply very overdue after"),
            ("review-due", r.review_due, "Internal review due"),
        ):
            if day:
                uid = f"{r.ref}-{kind}@foibot"
                out.append((uid, dt.date.fromisoformat(day), f"{what}: {who}", r))
    return out


def to_ics(report: Report) -> bytes:
    from icalendar import Calendar, Event  # ~50 ms to import; only ICS needs it

    cal = Calendar()
    cal.add("prodid", "-//foibot//FOI deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"foibot: {report.heading}")
    stamp = report.generated.astimezone(dt.UTC)
    for uid, day, summary, row in calendar_entries(report.rows):
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", day)  # a date, not a datetime: an all-day event
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", summary)
        event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
        lines = [row.title, f"Status on {report.as_of.isoformat()}: {row.status}"]
        if row.first_response_on:
            lines.append(f"First reply: {row.first_response_on}")
        if row.url:
            lines.append(row.url)
            event.add("url", row.url)
        event.add("description", "\n".join(lines))
        cal.add_component(event)
    return cal.to_ical()


# -- HTML -----------------------------------------------------------------------------


def _number(value: float | None, suffix: str = "") -> str:
    if value is None:
        return "–"
    text = f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return text + suffix


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _unclassified(report: Report) -> str:
    """A reply nobody has classified is no answer yet: say how many wait for that, so that
    "0 answered" beside replies on WDTK does not read as silence."""
    n = sum(1 for r in report.rows if r.status == "waiting_classification" and not r.answered_on)
    return f"; {n} more replied, not yet classified on WDTK" if n else ""


def to_html(report: Report) -> str:
    from bot.reports import charts
    from bot.templating import report_environment

    s = report.summary
    pct = s.answered_on_time_pct
    figures = [
        ("sent", _number(s.sent), f"of {s.requests} requests"),
        (
            "answered",
            _number(s.answered),
            "an answer, not an acknowledgement" + _unclassified(report),
        ),
        (
            "answered on time",
            _number(pct, "%"),
            f"{s.answered_on_time} of {s.decided} due so far",
        ),
        ("overdue now", _number(s.overdue_now), "waiting past a deadline"),
        (
            "median working days to the answer",
            _number(s.median_working_days_to_first_response),
            "statutory limit: 20",
        ),
    ]
    per_request = report.bodies is None
    sent_rows = [r for r in report.rows if r.sent_on] if per_request else []
    shown = sent_rows[:TIMELINE_LIMIT]
    template = report_environment().get_template("report.html.j2")
    return template.render(
        report=report,
        figures=figures,
        rows=sorted(report.rows, key=lambda r: (r.body_name.casefold(), r.ref))
        if per_request
        else [],
        fields=report.fields,
        bodies=report.bodies,
        display=_display,
        number=_number,
        timeline=charts.timeline_svg(timeline(shown, report.as_of), report.as_of),
        timeline_total=len(sent_rows),
        timeline_shown=len(shown),
        outcomes=[(charts.OUTCOME_COLOURS[k], v) for k, v in charts.OUTCOME_LABELS.items()],
        status_chart=charts.status_bars_svg(report.statuses),
        status_colour=charts.status_colour,
        results=report.results,
        generated=report.generated.strftime("%d %b %Y %H:%M"),
    )
