"""Report tables over plain data. Pure.

The shell (`bot/cli/report.py`) loads request rows, response timestamps, recorded figures
and body names; everything below is arithmetic on those. `bot.reports.table_formats`
writes the tables as CSV, JSON, ICS and HTML.

Definitions a reader of the numbers needs (also printed in the HTML report):

* sent: requests that left foibot's hands and reached WDTK (not draft, ready or cancelled).
  A tracked URL WDTK never returned (still `tracked`, or hidden or gone before foibot
  first read it, so no date it was sent) was never seen sent and is not counted.
* first reply: the earliest `response` event on or after the day the clock started
  (`sent_on`). A reply before that day belongs to an earlier clock, e.g. the body asking
  for clarification, which restarts the count, so it would make timeliness negative.
* answer: the first reply on the current clock that WDTK's classification makes an
  answer (successful, partially successful, rejected, not held). An acknowledgement or
  holding letter classified as still waiting, or a reply nobody has classified, is a
  reply but not an answer.
* answered, on time: the answer came on or before `due`. A request still unanswered
  after its due date counts as not on time; one not yet due (or withdrawn unanswered)
  is not counted. The working days "to first response" count to the answer.
* answered on time %: on time / (on time + not on time), rounded half up to one decimal
  place (33.3) in every format.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import deadlines as dl
from bot.config import FieldSpec
from bot.dates import LONDON
from bot.laws import NONE
from bot.reports.charts import TimelineItem
from bot.rules.status import StatusRow, StatusRule, StoredRequest
from bot.statuses import LOCAL, Status

# The request-table columns shared by CSV, JSON and HTML, in CSV order.
COLUMNS = (
    "campaign",
    "ref",
    "body",
    "body_name",
    "title",
    "url",
    "status",
    "law",
    "sent_on",
    "due",
    "very_overdue_after",
    "first_response_on",
    "answered_on",
    "working_days_to_first_response",
    "days_overdue",
    "on_time",
    "review_requested_on",
    "review_due",
    "review_latest",
)
# Statuses of a tracked request WDTK has not (or no longer) shown foibot: without a date
# it was sent, the URL was never found (mistyped, deleted or hidden before the first read).
_UNSEEN = frozenset({Status.TRACKED, Status.HIDDEN, Status.GONE})
# The row of sent requests whose body WDTK did not name, in the by-body tables.
UNKNOWN_BODY = "(body not known)"


def was_sent(status: str, sent_on: str | None) -> bool:
    """Whether a request counts as sent: on WDTK, and not a URL WDTK never returned."""
    return status not in LOCAL and (sent_on is not None or status not in _UNSEEN)


def percent(part: int, whole: int) -> float | None:
    """part/whole as a percentage rounded half up to one decimal place (2/3 → 66.7), the
    same in CSV, JSON and HTML. Integer arithmetic: no binary-float half-way surprises."""
    if not whole:
        return None
    return ((2000 * part + whole) // (2 * whole)) / 10


BODY_COLUMNS = (
    "body",
    "body_name",
    "sent",
    "answered",
    "answered_on_time",
    "answered_on_time_pct",
    "median_working_days_to_first_response",
    "overdue_now",
    "max_days_overdue",
)


@dataclass(slots=True)  # not frozen: a frozen __init__ is ~2x slower over 100k rows
class ReportRow:
    campaign: str | None
    ref: str
    body: str | None
    body_name: str
    title: str
    url: str | None
    status: str  # live status as of the report date
    law: str | None
    sent_on: str | None
    due: str | None
    very_overdue_after: str | None
    first_response_on: str | None
    working_days_to_first_response: int | None
    days_overdue: int | None
    on_time: bool | None
    review_requested_on: str | None
    review_due: str | None
    review_latest: str | None
    values: dict[str, Any] = field(default_factory=dict)  # recorded figures
    # The reply classified as an answer (not an acknowledgement); on_time and the working
    # days to it count from this.
    answered_on: str | None = None

    def as_dict(self, fields: Sequence[str] = ()) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in COLUMNS}
        out["values"] = {name: self.values.get(name) for name in fields} if fields else self.values
        return out


@dataclass(frozen=True)
class Summary:
    requests: int
    sent: int
    answered: int
    answered_on_time: int
    decided: int  # requests whose timeliness is settled: the on-time percentage's base
    overdue_now: int
    median_working_days_to_first_response: float | None
    max_days_overdue: int | None

    @property
    def answered_on_time_pct(self) -> float | None:
        return percent(self.answered_on_time, self.decided)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "sent": self.sent,
            "answered": self.answered,
            "answered_on_time": self.answered_on_time,
            "decided": self.decided,
            "answered_on_time_pct": self.answered_on_time_pct,
            "overdue_now": self.overdue_now,
            "median_working_days_to_first_response": self.median_working_days_to_first_response,
            "max_days_overdue": self.max_days_overdue,
        }


@dataclass(frozen=True)
class BodyTimeliness:
    body: str
    body_name: str
    summary: Summary

    def as_dict(self) -> dict[str, Any]:
        s = self.summary.as_dict()
        return {"body": self.body, "body_name": self.body_name, **s}


@dataclass(frozen=True)
class Report:
    scope: str  # a campaign slug, or "all"
    heading: str
    as_of: dt.date
    generated: dt.datetime
    fields: tuple[FieldSpec, ...]
    rows: list[ReportRow]
    summary: Summary
    statuses: list[tuple[str, int]]
    bodies: list[BodyTimeliness] | None = None  # set for `--by body`
    results: Any = None  # a results.ResultsTable: the HTML report's first section

    @property
    def field_names(self) -> list[str]:
        """The recorded values' keys, in column order: `field`, or `field:period` each."""
        return value_keys(self.fields)


def value_keys(fields: Iterable[FieldSpec]) -> list[str]:
    return [key for f in fields for key in ([f"{f.name}:{p}" for p in f.periods] or [f.name])]


# -- building -------------------------------------------------------------------------


def _london_date(at: str) -> dt.date:
    # receipt_date's hot path: reports convert one timestamp per answered request.
    try:
        when = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return dl.receipt_date(at)  # raises the engine's own message
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(LONDON).date()


def first_reply(responses: Sequence[str], sent_on: str | None) -> dt.date | None:
    """The London date of the earliest response on or after the day the clock started.

    `responses` are the UTC ISO timestamps foibot stores, which sort as text."""
    start = dt.date.fromisoformat(sent_on) if sent_on else None
    for at in sorted(responses) if len(responses) > 1 else responses:
        day = _london_date(at)
        if start is None or day >= start:
            return day
    return None


def timeliness(
    st: StatusRow,
    replies: Sequence[str] | None,
    iso_today: str,
    calendar: Callable[[str], dl.WorkingCalendar],
) -> tuple[str | None, str | None, int | None, bool | None]:
    """(first reply, answer, working days to the answer, on time) for one status row."""
    reply = first_reply(replies, st.sent_on) if replies else None
    answer, days, on_time = answer_timing(
        st.sent_on, st.answered_on, in_time_by(st), st.status, st.law, iso_today, calendar
    )
    first = reply.isoformat() if reply else answer
    return first, answer, days, on_time


def in_time_by(st: StatusRow) -> str | None:
    """The last day an answer is in time: the due date, or for a FOIA school (its row has a
    `due_note`) the 60th working day, since without its term dates a breach is certain
    only after then (SI 2004/3364 reg 3, SI 2009/1369 reg 2, SI 2010/2768). Once answered,
    the status rule has judged the answer against that limit (`answered_days_late`)."""
    if st.due_note:
        return st.very_overdue_after
    if st.answered_on and st.due and st.answered_days_late is None:
        return max(st.due, st.answered_on)  # in time by the status rule's count
    return st.due


def answer_timing(
    sent_on: str | None,
    answered_on: str | None,
    due: str | None,
    status: str,
    law: str | None,
    iso_today: str,
    calendar: Callable[[str], dl.WorkingCalendar],
) -> tuple[str | None, int | None, bool | None]:
    """(answer, working days to it, on time) from a status row's fields.

    Only an answer counts: a reply WDTK classifies as still waiting (an acknowledgement)
    or not yet classified leaves the request unanswered, and late once its due date has
    passed."""
    answer = answered_on
    if answer is not None and sent_on and answer < sent_on:
        answer = None  # an answer on an earlier clock (before a clarification)
    if answer is None:
        late = due and iso_today > due and status != "user_withdrawn"
        return None, None, (False if late else None)
    days = None
    if sent_on:
        start = dt.date.fromisoformat(sent_on)
        days = calendar(law or "foi").working_days_between(start, dt.date.fromisoformat(answer))
    return answer, days, (answer <= due if due else None)


def build_rows(
    requests: Iterable[StoredRequest],
    *,
    base_url: str,
    today: dt.date,
    calendar: Callable[[str], dl.WorkingCalendar],
    body_names: Mapping[str, str] | None = None,
    responses: Mapping[str, Sequence[str]] | None = None,
    recorded: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[ReportRow]:
    """A report row per request row. `responses` maps ref to its `response` events' UTC
    timestamps; `recorded` maps ref to its current figures."""
    body_names, responses, recorded = body_names or {}, responses or {}, recorded or {}
    iso_today = today.isoformat()
    out = []
    # The same rule `status` and `overdue` use, so the numbers agree.
    rule = StatusRule(today, calendar, base_url)
    for row in requests:
        st = rule.row(row)
        ref, law = st.ref, st.law or "foi"
        reply, answer, days, on_time = timeliness(st, responses.get(ref), iso_today, calendar)
        review_on = row.review_started_on
        review_due = review_latest = None
        if review_on and law != NONE:  # a voluntary review has no clock
            clock = dl.review_deadlines(dt.date.fromisoformat(review_on), law, calendar(law))
            review_due, review_latest = clock.expected.isoformat(), clock.latest.isoformat()
        values = recorded.get(ref)
        out.append(
            ReportRow(
                st.campaign,
                ref,
                st.body,
                body_names.get(st.body or "", st.body or ""),
                st.title,
                st.url,
                st.status,
                st.law,
                st.sent_on,
                st.due,
                st.very_overdue_after,
                reply,
                days,
                st.days_overdue,
                on_time,
                review_on,
                review_due,
                review_latest,
                dict(values) if values else {},
                answered_on=answer,
            )
        )
    return out


@dataclass(slots=True)
class _Tally:
    """Running totals behind a Summary, so one pass can feed many groups."""

    requests: int = 0
    sent: int = 0
    answered: int = 0
    on_time: int = 0
    decided: int = 0
    overdue: int = 0
    worst: int | None = None
    days: list[int] = field(default_factory=list)

    def add(
        self,
        status: str,
        first_response: str | None,
        days: int | None,
        on_time: bool | None,
        days_overdue: int | None,
        *,
        sent_on: str | None,
    ) -> None:
        self.requests += 1
        if not was_sent(status, sent_on):
            return
        self.sent += 1
        if first_response is not None:
            self.answered += 1
            if days is not None:
                self.days.append(days)
        if on_time is not None:
            self.decided += 1
            self.on_time += on_time
        if days_overdue is not None:  # late now, unclassified replies included
            self.overdue += 1
            if days_overdue is not None and (self.worst is None or days_overdue > self.worst):
                self.worst = days_overdue

    @classmethod
    def merged(cls, tallies: Iterable[_Tally]) -> _Tally:
        total = cls()
        for t in tallies:
            total.requests += t.requests
            total.sent += t.sent
            total.answered += t.answered
            total.on_time += t.on_time
            total.decided += t.decided
            total.overdue += t.overdue
            total.days += t.days
            if t.worst is not None and (total.worst is None or t.worst > total.worst):
                total.worst = t.worst
        return total

    def summary(self) -> Summary:
        return Summary(
            requests=self.requests,
            sent=self.sent,
            answered=self.answered,
            answered_on_time=self.on_time,
            decided=self.decided,
            overdue_now=self.overdue,
            median_working_days_to_first_response=(
                statistics.median(self.days) if self.days else None
            ),
            max_days_overdue=self.worst,
        )


def summarise(rows: Iterable[ReportRow]) -> Summary:
    tally = _Tally()
    for r in rows:
        tally.add(
            r.status,
            r.answered_on,
            r.working_days_to_first_response,
            r.on_time,
            r.days_overdue,
            sent_on=r.sent_on,
        )
    return tally.summary()


def body_timeliness(
    rows: Iterable[StatusRow],
    *,
    today: dt.date,
    calendar: Callable[[str], dl.WorkingCalendar],
    body_names: Mapping[str, str] | None = None,
) -> tuple[Summary, list[BodyTimeliness], list[tuple[str, int]]]:
    """Overall summary, each body's timeliness (by body name) and the status counts, in one
    pass that keeps no per-request rows: `--all --by body` runs over every request in the
    database. `rows` are status rows (bot.rules.status, the rule `status` uses)."""
    body_names = body_names or {}
    iso_today = today.isoformat()
    # Unsent requests are tallied under None: they count in the overall total only.
    per_body: dict[str | None, _Tally] = {}
    counts: dict[str, int] = {}
    for r in rows:
        status = r.status
        answer, days, on_time = answer_timing(
            r.sent_on, r.answered_on, in_time_by(r), status, r.law, iso_today, calendar
        )
        counts[status] = counts.get(status, 0) + 1
        key = (r.body or "") if was_sent(status, r.sent_on) else None
        tally = per_body.get(key)
        if tally is None:
            tally = per_body[key] = _Tally()
        tally.add(status, answer, days, on_time, r.days_overdue, sent_on=r.sent_on)
    overall = _Tally.merged(per_body.values())
    bodies = [
        BodyTimeliness(key, body_names.get(key, key) or UNKNOWN_BODY, tally.summary())
        for key, tally in per_body.items()
        if key is not None
    ]
    bodies.sort(key=lambda b: (b.body_name.casefold(), b.body))
    return overall.summary(), bodies, _sorted_counts(counts)


def status_counts(rows: Iterable[ReportRow]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    return _sorted_counts(counts)


def _sorted_counts(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def outcome(row: ReportRow) -> str:
    if row.answered_on:
        return "late" if row.on_time is False else "on_time"
    if row.days_overdue is not None or row.on_time is False:
        return "overdue"
    if row.status.startswith("waiting") or row.status in ("internal_review", "gone_postal"):
        return "waiting"
    return "closed"


def timeline(rows: Iterable[ReportRow], today: dt.date) -> list[TimelineItem]:
    items = []
    for r in rows:
        if not r.sent_on:
            continue
        end = dt.date.fromisoformat(r.answered_on) if r.answered_on else today
        items.append(
            TimelineItem(
                ref=r.ref,
                label=r.body_name or r.ref,
                sent_on=dt.date.fromisoformat(r.sent_on),
                due=dt.date.fromisoformat(r.due) if r.due else None,
                end=max(end, dt.date.fromisoformat(r.sent_on)),
                outcome=outcome(r),
            )
        )
    return sorted(items, key=lambda i: (i.sent_on, i.label, i.ref))


def make_report(
    scope: str,
    heading: str,
    rows: list[ReportRow],
    *,
    fields: Sequence[FieldSpec],
    as_of: dt.date,
    generated: dt.datetime,
    results: Any = None,
) -> Report:
    """A row-per-request report; `results` (a campaign's ResultsTable) opens the HTML."""
    return Report(
        scope=scope,
        heading=heading,
        as_of=as_of,
        generated=generated,
        fields=tuple(fields),
        rows=rows,
        summary=summarise(rows),
        statuses=status_counts(rows),
        results=results,
    )


def make_body_report(
    scope: str,
    heading: str,
    timeliness_by_body: tuple[Summary, list[BodyTimeliness], list[tuple[str, int]]],
    *,
    as_of: dt.date,
    generated: dt.datetime,
) -> Report:
    """A row-per-body report, from `body_timeliness`."""
    summary, bodies, statuses = timeliness_by_body
    return Report(scope, heading, as_of, generated, (), [], summary, statuses, bodies)


def report_fields(
    declared: Iterable[FieldSpec], recorded: Mapping[str, Mapping[str, Any]]
) -> list[FieldSpec]:
    """The declared fields, then any value recorded under a name (or period) the config no
    longer declares, so a renamed field's figures still reach the table."""
    out: dict[str, FieldSpec] = {}
    for spec in declared:
        out.setdefault(spec.name, spec)
    known = set(value_keys(out.values()))
    for values in recorded.values():
        for name in values:
            if name not in known:
                known.add(name)
                out.setdefault(name, FieldSpec(name, "text", "no longer declared in config.toml"))
    return list(out.values())
