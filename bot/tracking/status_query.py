"""Status rows at the speed of the database: `status` and `overdue` in one scan.

The rule stays in bot/tracking/status.py (`live_status`, `lateness`, `review_by`,
`answered_late`) and bot/tracking/status_rows.py (`status_row`). This module restates it
over plain tuples: one SQL query reads the stored columns (and, for a refusal, its latest
reply), and `_Rule.row` derives each StatusRow field with string comparisons of ISO dates
and two dict lookups per working-day count, from per-calendar ordinal tables filled a
year at a time as rows ask for their days (WorkingCalendar.ordinals). No date object and
no StatusRow is built per request. A row the fast rule cannot decide (a law foibot does
not know, a date outside the calendar or not in YYYY-MM-DD form, a timestamp in an
unusual form) is computed by the pure rule itself, which also raises the same errors.
tests/test_status_query.py checks that both give the same rows on many generated ones.

Rows are tuples in StatusRow's field order (FIELDS), followed by a flag: 1 when the pure
rule computed the row.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from operator import itemgetter

from bot import deadlines as dl
from bot.tracking.fields import AT, COLUMNS, FIELDS, UNCLASSIFIED_NOTE

# Working-day calendar families, by law (bot.deadlines._FAMILY): 0 UK-wide, 1 Scotland.
_FAMILY_OF_LAW = {None: 0, "": 0, "foi": 0, "eir": 0, "foisa": 1, "eisr": 1}
_LAW_OF_FAMILY = ("foi", "foisa")
# bot.deadlines: review_deadlines' (expected, latest) working days; REVIEW_ASK_DAYS.
_REVIEW_DAYS = {"foi": (20, 40), "eir": (40, 40), "foisa": (20, 20), "eisr": (20, 20)}
_ASK_DAYS = dl.REVIEW_ASK_DAYS
_AS_IS = frozenset({"draft", "ready", "cancelled", "hidden", "gone"})
_REFUSED = frozenset({"rejected", "partially_successful"})

# The stored columns the rule reads, and for a refusal (whose review window runs from it)
# the time of its latest reply; then those of the link (`overdue` prints it), then those
# only `status` shows, then those only `status --json` has. Each column read costs (10,000
# rows: ~1 ms a column), so `overdue`'s table reads the first two parts and `status`'s the
# first and third. `fields.COLUMNS` names what the pure rule reads, the same columns.
_RULE_COLUMNS = (
    "ref, body, status, due, very_overdue_after, law, awaiting_description, "
    "review_started_on, answered_at, stage"
)
_LAST_REPLY = (
    "CASE WHEN status IN ('rejected', 'partially_successful') THEN (SELECT max(at) FROM events "
    "WHERE events.ref = requests.ref AND events.kind = 'response') END"
)
_LINK = "wdtk_id, url_title"
_SHOWN = "title, sent_on, slot_at, last_confirmed_at, last_confirmed_via"
_JSON_ONLY = "campaign, poll_error"
# The rows `overdue` reads: the only ones the rule can find late (a reply past its due
# or very-overdue date, with or without an unclassified reply; a review), and any with a
# law foibot does not know, for which the rule raises as `status` does.
_SENT = "status NOT IN ('draft', 'ready', 'cancelled')"
_MAY_BE_LATE = (
    "(status = 'waiting_response' AND (:today > due OR :today > very_overdue_after) "
    "OR status = 'internal_review' "
    "OR coalesce(law, '') NOT IN ('', 'foi', 'eir', 'foisa', 'eisr'))"
)
DAYS, LATE_FROM, REF = AT["days_overdue"], AT["late_from"], AT["ref"]


def overdue_key(row: tuple) -> tuple:
    """overdue_rows' order: most late first, then by the date lateness counts from, and ref."""
    return (-(row[DAYS] or 0), row[LATE_FROM] or "", row[REF])


def most_late_first(rows: list[tuple]) -> list[tuple]:
    """`rows` sorted by overdue_key, in place. Three stable passes with C-level keys (ref,
    then the date lateness counts from, then days late, most first) give the same order in
    a third of the time; a row without the date (never from the rule) takes the key."""
    try:
        rows.sort(key=itemgetter(REF))
        rows.sort(key=itemgetter(LATE_FROM))
        rows.sort(key=itemgetter(DAYS), reverse=True)
    except TypeError:
        rows.sort(key=overdue_key)
    return rows


class _YearTables(dict):
    """One of a calendar's two ordinal tables (WorkingCalendar.ordinals), filled a year at
    a time as rows ask for its days: `upto` (ISO day -> working days on or before it) and
    `nth` (k -> ISO day of the kth working day) share the years they have. A key that no
    covered year holds (not an ISO date, or outside coverage) stays a KeyError: the pure
    rule decides that row."""

    __slots__ = ("_year_of", "_fill")

    @staticmethod
    def pair(cal: dl.WorkingCalendar) -> tuple[_YearTables, _YearTables]:
        loaded: set[int] = set()

        def fill(year: int | None) -> None:
            if year is not None and year not in loaded and cal.first_year <= year <= cal.last_year:
                loaded.add(year)
                days, working = cal.ordinals(dt.date(year, 1, 1), dt.date(year, 12, 31))
                upto.update(days)
                nth.update(working)

        upto = _YearTables(_year_of_day, fill)
        nth = _YearTables(cal.working_day_year, fill)
        return upto, nth

    def __init__(self, year_of: Callable, fill: Callable[[int | None], None]) -> None:
        super().__init__()
        self._year_of, self._fill = year_of, fill

    def __missing__(self, key):
        self._fill(self._year_of(key))
        value = self.get(key, _ABSENT)
        if value is _ABSENT:
            raise KeyError(key)
        return value


_ABSENT = object()


def _year_of_day(day: object) -> int | None:
    """The year of what looks like an ISO day ("2026-11-30"), None for anything else. (A
    year outside the calendar's coverage fills nothing.)"""
    if isinstance(day, str) and day[:4].isascii() and day[:4].isdigit() and day[4:5] == "-":
        return int(day[:4])
    return None


class _Rule:
    """The live-status rule over one as-of date and its ordinal tables: `row` maps a query
    row to a status row, and hands the ref of one it cannot decide to `undecided` (the
    pure rule, which gives the row in FIELDS order)."""

    def __init__(
        self,
        today: dt.date,
        calendars: tuple[dl.WorkingCalendar, ...],
        base: str,
        undecided: Callable[[str], tuple],
    ) -> None:
        self.today, self.base, self.undecided = today.isoformat(), base, undecided
        self.upto: list[dict[str, int]] = []  # ISO day -> working days up to it
        self.nth: list[dict[int, str]] = []  # k -> ISO day of the kth working day
        for cal in calendars:
            upto, nth = _YearTables.pair(cal)
            self.upto.append(upto)
            self.nth.append(nth)
        self.upto_today = [upto[self.today] for upto in self.upto]

    def uk_date(self, stamp: str) -> str:
        """dl.receipt_date(stamp) as ISO. A UTC stamp before 23:00 (as foibot stores them)
        has the same date in London in winter and summer; any other goes the long way."""
        if stamp.endswith("+00:00") and stamp[10:11] == "T" and stamp[11:13] < "23":
            day = stamp[:10]
            try:
                self.upto[0][day]  # an ISO date the calendar covers
            except KeyError:
                pass
            else:
                return day
        return dl.receipt_date(stamp).isoformat()

    def row(self, r: tuple) -> tuple:
        """The status row of a query row; what the fast rule cannot decide (a KeyError:
        an unknown law, a date the tables do not hold) is the pure rule's row."""
        try:
            # One unpacking per shape of row (StatusQuery.rows: all, brief, table).
            n = len(r)
            if n == 20:
                (ref, body, status, due, very, law, awaiting, review_started, answered_at, stage,
                 last_reply, wdtk_id, url_title, title, sent_on, slot, confirmed_at, confirmed_via,
                 campaign, poll_error) = r  # fmt: skip
            elif n == 13:
                (ref, body, status, due, very, law, awaiting, review_started, answered_at, stage,
                 last_reply, wdtk_id, url_title) = r  # fmt: skip
                campaign = title = sent_on = slot = poll_error = confirmed_at = confirmed_via = None
            elif n == 16:
                (ref, body, status, due, very, law, awaiting, review_started, answered_at, stage,
                 last_reply, title, sent_on, slot, confirmed_at, confirmed_via) = r  # fmt: skip
                wdtk_id = url_title = campaign = poll_error = None
            else:
                raise AssertionError(f"a status query row of {n} columns")
            fam = _FAMILY_OF_LAW[law]  # KeyError: an unknown law, which the pure rule refuses
            upto, nth, today = self.upto[fam], self.nth[fam], self.today
            url = (
                f"{self.base}/request/{url_title}" if url_title
                else f"{self.base}/request/{wdtk_id}" if wdtk_id else None
            )  # fmt: skip
            days = late_from = review_by = review_latest = answered_on = answered_late = note = None
            live = status
            if status in _AS_IS:
                pass
            elif awaiting:
                live = "waiting_classification"
                # lateness's unclassified case: a reply nobody classified, and no answer yet.
                if status == "waiting_response" and not answered_at and due:
                    due_upto = upto[due]  # (the rule reads the date even when it is not late)
                    if today > due:
                        days = max(1, self.upto_today[fam] - due_upto)
                        late_from, note = due, UNCLASSIFIED_NOTE
            elif status == "internal_review":
                if review_started and law:
                    started = upto[review_started]
                    expected, latest = _REVIEW_DAYS[law]
                    expected_on = nth[started + expected - 1]
                    if today > expected_on:
                        live = "internal_review_overdue"
                        days = max(1, self.upto_today[fam] - started - expected)
                        late_from, review_latest = expected_on, nth[started + latest - 1]
            elif status == "waiting_response":
                if very and today > very:
                    live = "waiting_response_very_overdue"
                elif due and today > due:
                    live = "waiting_response_overdue"
                if live != status and due:
                    days = max(1, self.upto_today[fam] - upto[due])
                    late_from = due
                    if fam == 1:  # FOISA s.20(5)(a): review within 40 days after the period
                        review_by = nth[upto[due] + _ASK_DAYS - 1]
            elif status in _REFUSED and last_reply:
                review_by = nth[upto[self.uk_date(last_reply)] + _ASK_DAYS - 1]
            if answered_at:
                answered_on = self.uk_date(answered_at)
                if due:
                    due_upto = upto[due]
                    if answered_on > due:
                        answered_late = upto[answered_on] - due_upto
            return (
                ref, campaign, body, title or "", live, wdtk_id, url, sent_on, due, very, days, law,
                slot, poll_error, stage, review_by, late_from, review_latest, answered_on,
                answered_late, note, confirmed_at, confirmed_via, 0,
            )  # fmt: skip
        except KeyError:
            return (*self.undecided(r[0]), 1)


class StatusQuery:
    """The status rows of one command run: `rows()` gives tuples in FIELDS order followed
    by a flag (the pure rule computed this row)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        base_url: str,
        today: dt.date,
        calendar: Callable[[str], dl.WorkingCalendar],
    ) -> None:
        self.conn, self.base_url, self.today = conn, base_url, today
        self.calendar = calendar

    def rows(
        self,
        campaign: str | None = None,
        *,
        group: str | None = None,
        overdue: bool = False,
        brief: bool = False,
        table: bool = False,
        sent_only: bool = False,
    ) -> Iterator[tuple]:
        """Every request (campaign, then insertion order), or with `overdue` only the late
        ones, most late first. `brief` rows leave out (None) what only `status` shows:
        campaign, title, sent_on, slot, poll_error and the last confirmation; `table` rows
        what `status`'s table does not show: url, campaign and poll_error. `sent_only`
        leaves out, unread, the requests never sent (draft, ready, cancelled)."""
        if brief and table:
            raise ValueError("brief and table rows are different shapes: one or the other")
        params = {"campaign": campaign, "group": group, "today": self.today.isoformat()}
        conditions = [c for c, v in (("campaign = :campaign", campaign), ('"group" = :group', group))
                      if v]  # fmt: skip
        if overdue:
            conditions.append(_MAY_BE_LATE)
        if sent_only:
            conditions.append(_SENT)
        where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
        calendars = tuple(self.calendar(law) for law in _LAW_OF_FAMILY)
        try:
            rule = _Rule(self.today, calendars, self.base_url, self._one)
        except KeyError:
            # The as-of date is outside the holiday data: the pure rule decides (and says why).
            rows = self._pure(where, params)
        else:
            # A row that can be late waits for a reply or a review, never a refusal: the
            # rows `overdue` reads need no reply time.
            parts = [_RULE_COLUMNS, "NULL" if overdue else _LAST_REPLY]
            if not table:
                parts.append(_LINK)
            if not brief:
                parts.append(_SHOWN)
                if not table:
                    parts.append(_JSON_ONLY)
            columns = ", ".join(parts)
            cursor = self.conn.execute(
                f"SELECT {columns} FROM requests {where}ORDER BY campaign, rowid", params
            )
            rows = map(rule.row, cursor)  # C-level: no frame of ours between rows
        if overdue:
            return iter(most_late_first([r for r in rows if r[DAYS] is not None]))
        return rows

    def _one(self, ref: str) -> tuple:
        """One row by the pure rule: what the fast rule could not decide."""
        cur = self.conn.execute(f"SELECT {COLUMNS} FROM requests WHERE ref = ?", [ref])
        names = [d[0] for d in cur.description]
        return self._row(dict(zip(names, cur.fetchone(), strict=True)))

    def _row(self, row: dict) -> tuple:
        # Imported here: the rule is needed only for the rare row the fast rule cannot decide.
        from bot.store.reader import latest_reply_time
        from bot.tracking.status_rows import status_row

        answered = None
        if row["status"] in _REFUSED:
            at = latest_reply_time(self.conn, row["ref"])
            answered = dl.receipt_date(at).isoformat() if at else None
        st = status_row(row, self.base_url, self.today, self.calendar, answered)
        return tuple(getattr(st, name) for name in FIELDS)

    def _pure(self, where: str, params: dict[str, str | None]) -> Iterator[tuple]:
        cur = self.conn.execute(
            f"SELECT {COLUMNS} FROM requests {where}ORDER BY campaign, rowid", params
        )
        names = [d[0] for d in cur.description]
        for values in cur.fetchall():
            yield (*self._row(dict(zip(names, values, strict=True))), 1)
