"""Statutory deadline engine for UK FOI/EIR/FOISA/EISR requests (pure: no I/O, no config).

Counting rules (see shared docs, dependencies-and-deadlines.md Part 2):

* The receipt date is the Europe/London calendar date of delivery and is *day 0* whatever
  weekday it is; day 1 is the first working day after it (ICO and WhatDoTheyKnow reading).
  ``due`` is the 20th working day, the status turns overdue on the day *after* it.
* FOIA and EIR: a working day is any weekday that is not a bank holiday in *any* part of the
  UK (FOIA s.10(6); EIR reg 2(1) borrows it), so the calendar is the union of the England &
  Wales, Scotland and Northern Ireland holidays. FOISA/EISR (s.73): Scottish holidays only,
  so Easter Monday and the English late-August holiday are working days there.
* A clarification (FOIA s.1(3)/s.10(6)(b), FOISA s.1(3), EIR reg 9(4)) *restarts* the
  count: call ``compute_deadlines(clarification_receipt_date, ...)``. There is deliberately
  no separate function, since the law makes the clarification date the date of receipt.
* ``grace_due`` is the 2018 s.45 Code of Practice reading for a non-working-day arrival (the
  next working day is treated as the receipt date, so it is one working day later). It is
  shown to users, never used for overdue status.
* ``holidays_skipped`` lists the weekday bank holidays in (received, due], i.e. what the CLI
  needs to explain why ``due`` is not simply four calendar weeks later.

Holiday data comes from the ``holidays`` package. Coverage is FIRST_YEAR..LAST_YEAR: 2005
is when the right of access under FOIA, FOISA, EIR and EISR came into force, and 2100 is the
last year ``holidays`` computes for the UK. Years after the newest proclaimed one-off in its
data (``proclaimed_through()``) are projections of the recurring rules: a one-off holiday
proclaimed later is missing until the package (or ``[deadlines] extra_holidays``) adds it;
``foibot doctor`` warns about stored dates in those years. Any date outside the coverage
raises DeadlineError rather than guessing.
"""

import functools
import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from bot.laws import ALL_LAWS, NONE, SCOTTISH
from bot.laws import LAWS as LAWS  # re-exported: callers read dl.LAWS

FIRST_YEAR = 2005
LAST_YEAR = 2100  # holidays.UK.end_year: the package computes no further

# "none" (no FOI law: a voluntary request) counts its courtesy reminder date on the UK
# calendar, as WDTK does for every body.
_FAMILY = {law: "scotland" if law in SCOTTISH else "uk" for law in ALL_LAWS}
_FAMILY_SUBDIVS = {"uk": ("ENG", "WLS", "SCT", "NIR"), "scotland": ("SCT",)}
# The part of the UK each `holidays` subdivision is, so a label names only the parts a
# holiday is in: "England only" for a day added for England alone, "England and Wales only"
# for one the two share (the package gives both the same days).
_REGION = {
    "ENG": ("England",),
    "WLS": ("Wales",),
    "SCT": ("Scotland",),
    "NIR": ("Northern Ireland",),
}
_REGION_ORDER = ("England", "Wales", "Scotland", "Northern Ireland")
_EXTRA_NAME = "Additional bank holiday (from configuration)"
# The parts of the UK a [deadlines] override can name, and the `holidays` subdivisions each
# covers. "uk" is every part: the plain-list form of the config, kept for old configs.
REGIONS = {
    "uk": ("ENG", "WLS", "SCT", "NIR"),
    "england": ("ENG",),
    "wales": ("WLS",),
    "scotland": ("SCT",),
    "northern_ireland": ("NIR",),
}

VERY_OVERDUE_DAYS = 40
SCHOOL_VERY_OVERDUE_DAYS = 60  # SI 2004/3364 reg 3 (under FOIA s.10(4)): FOIA only
EIR_EXTENDED_DAYS = 40
PIT_EXTRA_DAYS = 20  # ICO: a reasonable PIT extension is normally <= 20 extra working days
ICO_COMPLAINT_DAYS = 42  # ICO practice ("within six weeks"), not statute
ICO_REVIEW_WAIT_DAYS = 40  # ICO complaints page: no review outcome after 40 working days
REVIEW_ASK_DAYS = 40  # ICO guidance (FOIA); EIR reg 11(2); FOISA s.20(5); EISR reg 16(2)
SIC_APPLICATION_MONTHS = 6


class RegionalDay(NamedTuple):
    """A [deadlines] override: a date and the part of the UK it is a bank holiday in."""

    region: str
    day: date

    def isoformat(self) -> str:
        # UK-wide entries print as the bare date, as the plain-list config form always did.
        return self.day.isoformat() if self.region == "uk" else f"{self.region}:{self.day}"


class DeadlineError(ValueError):
    """A deadline cannot be computed; the message is meant to be shown to the user."""


class Holiday(NamedTuple):
    """A bank holiday in a working-day calendar: its date and its name."""

    day: date
    name: str


def _check_law(law: str) -> str:
    key = law.strip().lower() if isinstance(law, str) else law
    if key not in _FAMILY:
        raise DeadlineError(f"unknown law {law!r}: expected one of {', '.join(ALL_LAWS)}")
    return key


def _statutory(law: str, what: str) -> str:
    """`law`, checked, when it is one of the Acts: a body no FOI law covers owes no
    internal review and answers to no regulator, so nothing can be counted for it."""
    key = _check_law(law)
    if key == NONE:
        raise DeadlineError(f"no {what}: the body is not subject to FOI law (a voluntary request)")
    return key


def _check_date(value: object, what: str) -> date:
    # A datetime is a date subclass; accepting it silently would skip the UTC->London step.
    if isinstance(value, datetime):
        raise DeadlineError(
            f"{what} must be a calendar date, not a timestamp ({value!r}); "
            "convert timestamps with receipt_date()"
        )
    if not isinstance(value, date):
        raise DeadlineError(f"{what} must be a calendar date (YYYY-MM-DD), got {value!r}")
    return value


class WorkingCalendar:
    """Working days over a fixed year range, with O(1) arithmetic.

    ``_upto[i]`` counts the working days on or before day i of the range, and ``_working``
    lists the working days in order, so "the nth working day after d" is a single index.
    ``_hol_upto`` does the same for weekday holidays, so listing the skipped ones is a slice.
    """

    def __init__(
        self,
        holidays: Mapping[date, str],
        first_year: int,
        last_year: int,
        family: str | None = None,
    ) -> None:
        if first_year > last_year:
            raise DeadlineError(f"empty calendar range {first_year}..{last_year}")
        self.first_year = first_year
        self.last_year = last_year
        self.family = family
        self._first = date(first_year, 1, 1).toordinal()
        self._ndays = date(last_year, 12, 31).toordinal() - self._first + 1
        # The per-day count tables are made when first used: every command that prints a
        # date builds two calendars (35,000 days each) as it starts, and most use few days.
        n, first = self._ndays, self._first
        week = b"\x01\x01\x01\x01\x01\x00\x00"
        # ordinal 1 (0001-01-01) was a Monday, so (ordinal - 1) % 7 is weekday().
        start = (first - 1) % 7
        self._is_working = bytearray((week[start:] + week * (n // 7 + 1))[:n])
        self._is_holiday = bytearray(n)
        self._holiday_days: list[tuple[date, str]] = []
        for day in sorted(holidays):
            i = day.toordinal() - first
            # Weekend-dated originals (e.g. Boxing Day on a Saturday) never stop the clock.
            if 0 <= i < n and self._is_working[i]:
                self._is_working[i] = 0
                self._is_holiday[i] = 1
                self._holiday_days.append((day, holidays[day]))
        self._nworking = self._is_working.count(1)

    @functools.cached_property
    def _upto(self) -> list[int]:
        return list(itertools.accumulate(self._is_working))

    @functools.cached_property
    def _hol_upto(self) -> list[int]:
        return list(itertools.accumulate(self._is_holiday))

    @functools.cached_property
    def _working(self) -> list[date]:
        days = range(self._first, self._first + self._ndays)
        return list(map(date.fromordinal, itertools.compress(days, self._is_working)))

    @functools.cached_property
    def _holidays(self) -> tuple[Holiday, ...]:
        return tuple(Holiday(day, name) for day, name in self._holiday_days)

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(family={self.family!r}, "
            f"{self.first_year}..{self.last_year}, {len(self._holidays)} weekday holidays)"
        )

    def _index(self, d: date) -> int:
        i = d.toordinal() - self._first
        if not 0 <= i < self._ndays:
            raise DeadlineError(
                f"{d.isoformat()} is outside the bank-holiday data this tool covers "
                f"({self.first_year}-01-01 to {self.last_year}-12-31), so no deadline can be "
                "computed for it"
            )
        return i

    def _beyond(self, d: date, n: int) -> DeadlineError:
        where = "after" if n > 0 else "before"
        return DeadlineError(
            f"{abs(n)} working days {where} {d.isoformat()} falls outside the bank-holiday "
            f"data this tool covers ({self.first_year}-01-01 to {self.last_year}-12-31)"
        )

    def is_working_day(self, d: date) -> bool:
        return self._is_working[self._index(d)] == 1

    def add_working_days(self, start: date, n: int) -> date:
        """The nth working day strictly after ``start`` (``start`` is day 0, any weekday).

        n == 0 returns ``start``; a negative n gives the |n|th working day strictly before.
        """
        i = start.toordinal() - self._first
        if n > 0 and 0 <= i < self._ndays:
            k = self._upto[i] + n - 1
            if k < self._nworking:
                return self._working[k]
            raise self._beyond(start, n)
        i = self._index(start)
        if n == 0:
            return start
        if n > 0:
            raise self._beyond(start, n)
        k = self._upto[i] - self._is_working[i] + n
        if k < 0:  # a negative index would silently wrap round
            raise self._beyond(start, n)
        return self._working[k]

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (minus those in (end, start]) if end < start."""
        return self._upto[self._index(end)] - self._upto[self._index(start)]

    def holidays_between(self, start: date, end: date) -> list[Holiday]:
        """Weekday bank holidays in (start, end] -- the ones the count skipped."""
        return list(self._skipped(start, end))

    def _skipped(self, start: date, end: date) -> tuple[Holiday, ...]:
        lo, hi = self._hol_upto[self._index(start)], self._hol_upto[self._index(end)]
        return self._holidays[lo:hi]


def _region_label(regions: set[str]) -> str:
    names = [r for r in _REGION_ORDER if r in regions]
    where = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{where} only"


@functools.cache
def _subdiv_holidays(subdiv: str) -> dict[date, str]:
    from bot.holiday_cache import cached_holidays

    def build() -> dict[date, str]:
        import holidays  # imported lazily: it costs ~0.1 s and only calendar building needs it

        data = holidays.UK(subdiv=subdiv, years=range(FIRST_YEAR, LAST_YEAR + 1))
        return {d: str(name) for d, name in data.items()}

    return cached_holidays(f"{subdiv}-{FIRST_YEAR}-{LAST_YEAR}", build)


@functools.cache
def _family_holidays(family: str) -> dict[date, str]:
    from bot.holiday_cache import cached_holidays

    # Cached merged, as every command that prints a date needs both families at start-up;
    # keyed on this file too, since _merge's labels are part of the cached value.
    return cached_holidays(
        f"{family}-merged-{FIRST_YEAR}-{LAST_YEAR}",
        lambda: _merge(family, {s: _subdiv_holidays(s) for s in _FAMILY_SUBDIVS[family]}),
        depends_on=__file__,
    )


def _merge(family: str, per_subdiv: Mapping[str, Mapping[date, str]]) -> dict[date, str]:
    everywhere = {r for s in _FAMILY_SUBDIVS[family] for r in _REGION[s]}
    by_day: dict[date, dict[str, set[str]]] = {}
    for subdiv, days in per_subdiv.items():
        for d, name in days.items():
            # holidays joins two holidays on one date with "; "; keep them apart for labels.
            for part in name.split("; "):
                by_day.setdefault(d, {}).setdefault(part, set()).update(_REGION[subdiv])
    merged = {}
    for d, names in by_day.items():
        parts = []
        for name, regions in names.items():
            # Say where a holiday applies when it is not UK-wide, so a user can see why
            # e.g. St Patrick's Day moves an English council's deadline.
            if regions != everywhere:
                label = _region_label(regions)
                name = f"{name[:-1]}; {label})" if name.endswith(")") else f"{name} ({label})"
            parts.append(name)
        merged[d] = "; ".join(parts)
    return merged


def _as_days(values: Iterable[date | str | RegionalDay], what: str) -> frozenset[RegionalDay]:
    out = set()
    for v in values:
        region = "uk"
        if isinstance(v, tuple):
            region, v = v
            if region not in REGIONS:
                raise DeadlineError(
                    f"{what} names {region!r}: expected one of {', '.join(REGIONS)}"
                )
        if isinstance(v, str):
            try:
                v = date.fromisoformat(v.strip())
            except ValueError:
                raise DeadlineError(f"{what} entry {v!r} is not a YYYY-MM-DD date") from None
        d = _check_date(v, f"{what} entry")
        if not FIRST_YEAR <= d.year <= LAST_YEAR:
            raise DeadlineError(
                f"{what} entry {d.isoformat()} is outside the covered years "
                f"{FIRST_YEAR}-{LAST_YEAR}"
            )
        out.add(RegionalDay(region, d))
    return frozenset(out)


@functools.lru_cache(maxsize=64)
def _build_calendar(
    family: str, extra: frozenset[RegionalDay], remove: frozenset[RegionalDay]
) -> WorkingCalendar:
    if not extra and not remove:
        return WorkingCalendar(_family_holidays(family), FIRST_YEAR, LAST_YEAR, family=family)
    per_subdiv = {}
    for subdiv in _FAMILY_SUBDIVS[family]:
        # An override counts only in the parts of the UK it names: a day added for England
        # must not move a FOISA date, since FOISA s.73 counts Scottish bank holidays only.
        days = dict(_subdiv_holidays(subdiv))
        for region, d in extra:
            if subdiv in REGIONS[region]:
                days.setdefault(d, _EXTRA_NAME)
        for region, d in remove:
            if subdiv in REGIONS[region]:
                days.pop(d, None)
        per_subdiv[subdiv] = days
    return WorkingCalendar(_merge(family, per_subdiv), FIRST_YEAR, LAST_YEAR, family=family)


def calendar_for(
    law: str,
    extra_holidays: Iterable[date | str | RegionalDay] = (),
    remove_holidays: Iterable[date | str | RegionalDay] = (),
) -> WorkingCalendar:
    """The (cached) working-day calendar for a law, with config overrides applied.

    Overrides let a user add a newly proclaimed holiday before a library release, or drop
    one. A plain date or ISO string applies in every part of the UK; a ``RegionalDay``
    only in the part it names (so only a "uk" or "scotland" day changes FOISA/EISR dates).
    Dates must lie in the covered years.
    """
    family = _FAMILY[_check_law(law)]
    extra = _as_days(extra_holidays, "extra_holidays") if extra_holidays else frozenset()
    remove = _as_days(remove_holidays, "remove_holidays") if remove_holidays else frozenset()
    return _build_calendar(family, extra, remove)


def _calendar(law: str, calendar: WorkingCalendar | None) -> WorkingCalendar:
    if calendar is None:
        return _build_calendar(_FAMILY[law], frozenset(), frozenset())
    if calendar.family is not None and calendar.family != _FAMILY[law]:
        raise DeadlineError(
            f"the calendar passed is the {calendar.family!r} calendar but "
            f"{law} deadlines need the {_FAMILY[law]!r} one"
        )
    return calendar


@functools.cache
def _london():  # -> ZoneInfo
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/London")
    except Exception as exc:  # ZoneInfoNotFoundError on hosts without tz data
        raise DeadlineError(
            "time-zone data for Europe/London is missing; install the 'tzdata' package"
        ) from exc


def receipt_date(when: datetime | date | str) -> date:
    """Europe/London calendar date of a delivery timestamp (naive times are taken as UTC)."""
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when.strip())
        except ValueError:
            raise DeadlineError(f"{when!r} is not an ISO-8601 timestamp") from None
    if not isinstance(when, datetime):
        if isinstance(when, date):
            return when  # already a calendar date: nothing to convert
        raise DeadlineError(f"expected a timestamp, got {when!r}")
    london = _london()
    if when.utcoffset() is None:  # naive (or a tzinfo that knows no offset): UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone(london).date()


class Deadlines(NamedTuple):
    """Every response deadline of one request, as compute_deadlines makes them."""

    received: date  # day 0: Europe/London date of delivery (or of the clarification)
    law: str
    working_days: int  # the count behind ``due``: 20, ``days``, or 40 when EIR-extended
    due: date  # overdue from the next day
    very_overdue_after: date  # 40th working day (60th for schools), never before ``due``
    grace_due: date | None  # Code of Practice reading; only for non-working-day receipt
    holidays_skipped: tuple[Holiday, ...]  # weekday bank holidays in (received, due]
    extension_due: date | None = None  # EIR 40th working day, or the authority's PIT date
    extension_flag: str | None = None  # set when a PIT date runs past 40 working days
    very_overdue_days: int = VERY_OVERDUE_DAYS  # the count behind ``very_overdue_after``
    school: bool = False  # the FOIA schools variation applies (never under EIR/FOISA/EISR)


def _normalise_pauses(fee_pauses: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    spans = []
    for pause in fee_pauses:
        try:
            notice, paid = pause
        except (TypeError, ValueError):
            raise DeadlineError(
                f"fee pause {pause!r} must be a (notice_date, paid_date) pair"
            ) from None
        _check_date(notice, "fee notice date")
        _check_date(paid, "fee paid date")
        if paid < notice:
            raise DeadlineError(
                f"fee paid {paid.isoformat()} before its notice {notice.isoformat()}"
            )
        spans.append((notice, paid))
    spans.sort()
    merged: list[tuple[date, date]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def check_fee_notices(received: date, fee_pauses: Iterable[tuple[date, date]]) -> None:
    """A fees notice (FOIA s.9(1), EIR reg 8) answers a request, so none can come before
    the request was received; raise DeadlineError naming the first that does."""
    for notice, _paid in fee_pauses:
        if notice < received:
            raise DeadlineError(
                f"fee notice {notice.isoformat()} is before the request was received "
                f"({received.isoformat()})"
            )


def _count(cal: WorkingCalendar, start: date, n: int, pauses: list[tuple[date, date]]) -> date:
    """nth working day after start, not counting working days inside any pause [notice, paid]."""
    if not pauses:
        return cal.add_working_days(start, n)
    cursor, remaining = start, n
    for a, b in pauses:
        if b <= cursor:
            continue
        candidate = cal.add_working_days(cursor, remaining)
        if candidate < a:
            break
        if a > cursor:  # days counted before the pause began stay counted
            remaining -= cal.working_days_between(cursor, a - timedelta(days=1))
        cursor = b
    return cal.add_working_days(cursor, remaining)


def compute_deadlines(
    received: date,
    law: str = "foi",
    *,
    school: bool = False,
    days: int = 20,
    calendar: WorkingCalendar | None = None,
    eir_extended: bool = False,
    pit_extension_to: date | None = None,
    fee_pauses: Iterable[tuple[date, date]] = (),
) -> Deadlines:
    """All response deadlines for a request received (day 0) on ``received``.

    ``fee_pauses`` are (notice given, fee received) pairs; the working days in that span,
    both ends included (FOIA s.10(2), FOISA s.10(2)), are disregarded in every count.
    ``eir_extended`` (EIR/EISR reg 7) moves ``due`` itself to the 40th working day.
    ``pit_extension_to`` (FOIA s.10(3)) keeps ``due`` at day 20, when the refusal notice is
    still owed, and is flagged when later than ``days`` + 20 working days (ICO guidance).
    ``school`` is the FOIA schools variation (SI 2004/3364 reg 3, made under FOIA s.10(4)):
    the 20th *school* day, capped at the 60th working day, so ``very_overdue_after`` is the
    60th. It changes FOIA only: under EIR, FOISA and EISR a school is like any authority.
    Under ``"none"`` (no FOI law applies) nothing is statutory: ``due`` is only the
    courtesy date after which a polite reminder may be sent (the date WDTK shows too).
    """
    law = _check_law(law)
    received = _check_date(received, "received date")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise DeadlineError(f"days must be a positive whole number, got {days!r}")
    if eir_extended and law not in ("eir", "eisr"):
        raise DeadlineError(f"the 40-working-day extension exists only under EIR/EISR, not {law}")
    if pit_extension_to is not None and law != "foi":
        raise DeadlineError(f"public-interest extensions exist only under FOIA, not {law}")
    cal = _calendar(law, calendar)
    pauses = _normalise_pauses(fee_pauses) if fee_pauses else []

    school = bool(school) and law == "foi"
    due_days = max(days, EIR_EXTENDED_DAYS) if eir_extended else days
    # "Very overdue" can never come before "due" (e.g. --days 60 for armed-forces cases).
    very_days = max(SCHOOL_VERY_OVERDUE_DAYS if school else VERY_OVERDUE_DAYS, due_days)
    due = _count(cal, received, due_days, pauses)
    very = _count(cal, received, very_days, pauses)

    grace = None
    if not cal.is_working_day(received):
        grace = _count(cal, cal.add_working_days(received, 1), due_days, pauses)
        if grace == due:
            grace = None

    extension_due = extension_flag = None
    if eir_extended:
        extension_due = due
    elif pit_extension_to is not None:
        extension_due = _check_date(pit_extension_to, "public-interest extension date")
        if extension_due <= received:
            raise DeadlineError(
                f"extension date {extension_due.isoformat()} is not after "
                f"the receipt date {received.isoformat()}"
            )
        limit = days + PIT_EXTRA_DAYS
        if extension_due > _count(cal, received, limit, pauses):
            extension_flag = f"public-interest extension runs past {limit} working days"

    return Deadlines(
        received=received,
        law=law,
        working_days=due_days,
        due=due,
        very_overdue_after=very,
        grace_due=grace,
        holidays_skipped=cal._skipped(received, due),
        extension_due=extension_due,
        extension_flag=extension_flag,
        very_overdue_days=very_days,
        school=school,
    )


def compute_deadlines_many(
    received: Iterable[date],
    law: str = "foi",
    *,
    school: bool = False,
    calendar: WorkingCalendar | None = None,
) -> list[Deadlines]:
    """``compute_deadlines(d, law, school=school, calendar=calendar)`` for each date: the
    plain 20-day clock of many requests, as `refresh_dates` recomputes them."""
    return [compute_deadlines(d, law, school=school, calendar=calendar) for d in received]


def is_overdue(deadlines: Deadlines, today: date) -> bool:
    return today > deadlines.due


def is_very_overdue(deadlines: Deadlines, today: date) -> bool:
    return today > deadlines.very_overdue_after


def working_days_late(
    deadlines: Deadlines, today: date, calendar: WorkingCalendar | None = None
) -> int:
    """Working days in (due, today]; 0 when not late. Pass the calendar used to compute."""
    if today <= deadlines.due:
        return 0
    cal = _calendar(deadlines.law, calendar)
    return cal.working_days_between(deadlines.due, today)


class ReviewClock(NamedTuple):
    """An internal review's dates: expected by, at the latest, and whether the law sets them."""

    requested: date
    law: str
    expected: date
    latest: date
    statutory: bool


# (expected, latest, statutory): FOIA review times are Code/ICO guidance only; EIR reg 11,
# FOISA s.21(1) and EISR reg 16 fix them in law.
_REVIEW = {
    "foi": (20, 40, False),
    "eir": (40, 40, True),
    "foisa": (20, 20, True),
    "eisr": (20, 20, True),
}


def review_deadlines(
    requested: date, law: str, calendar: WorkingCalendar | None = None
) -> ReviewClock:
    """Internal-review clock counted from the day the review request was received (day 0)."""
    law = _statutory(law, "internal review clock")
    requested = _check_date(requested, "review request date")
    cal = _calendar(law, calendar)
    expected_days, latest_days, statutory = _REVIEW[law]
    return ReviewClock(
        requested=requested,
        law=law,
        expected=cal.add_working_days(requested, expected_days),
        latest=cal.add_working_days(requested, latest_days),
        statutory=statutory,
    )


def review_request_by(answered: date, law: str, calendar: WorkingCalendar | None = None) -> date:
    """Last day to ask for an internal review: 40 working days after the answer (day 0), or
    after the response period expired when there was no answer.

    FOIA: ICO guidance (no statute; a body may refuse a later request). EIR reg 11(2):
    representations "no later than 40 working days after the date on which the applicant
    believes that the public authority has failed to comply". FOISA s.20(5): within 40
    working days after receipt of the notice, or (s.20(5)(a)) after the expiry of the time
    allowed for a response. EISR reg 16(2): 40 working days likewise."""
    law = _statutory(law, "internal review window")
    answered = _check_date(answered, "answer date")
    return _calendar(law, calendar).add_working_days(answered, REVIEW_ASK_DAYS)


def ico_complaint_ready(review_requested: date, calendar: WorkingCalendar | None = None) -> date:
    """The last day before the ICO takes a complaint about a review with no outcome: the
    40th working day after the review request (ICO complaints page: "If you've not been
    given the outcome of the internal review after 40 working days - you can complain to
    us"). A complaint is ready from the day after."""
    review_requested = _check_date(review_requested, "review request date")
    return _calendar("foi", calendar).add_working_days(review_requested, ICO_REVIEW_WAIT_DAYS)


def ico_complaint_by(last_contact: date) -> date:
    """ICO practice, not statute: it asks for complaints within six weeks of the final
    response or the last substantive contact with the authority."""
    return _check_date(last_contact, "last contact date") + timedelta(days=ICO_COMPLAINT_DAYS)


def _add_months(d: date, months: int) -> date:
    # UK "corresponding date" rule (Dodds v Walker): same day-of-month, or the month's last
    # day when it has no such day (31 Aug + 6 months -> 28/29 Feb).
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(d.day, (next_month - timedelta(days=1)).day))


def sic_application_by(decision: date) -> date:
    """FOISA s.47(4): apply to the Scottish Information Commissioner within six months of the
    review response (or of the review deadline passing -- pass that date instead)."""
    return _add_months(_check_date(decision, "decision date"), SIC_APPLICATION_MONTHS)


@functools.cache
def proclaimed_through() -> int:
    """The newest year with a proclaimed one-off UK bank holiday in the ``holidays`` data.

    Later years come from the recurring rules alone, so a holiday proclaimed after the
    package was released (as Scotland's 15 June 2026 was, in February 2026) is missing."""
    from holidays.countries.united_kingdom import UnitedKingdomStaticHolidays as static

    years = [
        year
        for name in dir(static)
        if name.startswith("special_") and name.endswith("_holidays")
        for year in getattr(static, name)
        if isinstance(year, int)
    ]
    return max(years)


def regulator_for(law: str) -> str:
    return "sic" if _FAMILY[_statutory(law, "regulator")] == "scotland" else "ico"


def holiday_data_version() -> str:
    """Identifies the holiday data, so stored deadlines can be recomputed when it changes.

    Read from the installed distribution's metadata: importing `holidays` for its
    __version__ costs ~0.1 s and ~4 MB, and every daemon pass asks (tests/test_deadlines.py
    checks both agree)."""
    from importlib.metadata import version

    return f"holidays-{version('holidays')}"
