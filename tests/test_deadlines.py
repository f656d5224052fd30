"""Tests for bot.deadlines.

Expected dates come from the shared research doc (dependencies-and-deadlines.md Part 2,
wdtk-protocol.md 2.4) or were counted by hand on a calendar (comments show the count);
none were produced by the code under test. The property tests compare the engine with a
deliberately naive day-by-day reference built straight from ``holidays.UK``.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.deadlines import (
    FIRST_YEAR,
    LAST_YEAR,
    LAWS,
    DeadlineError,
    Deadlines,
    Holiday,
    RegionalDay,
    ReviewClock,
    WorkingCalendar,
    calendar_for,
    compute_deadlines,
    compute_deadlines_many,
    holiday_data_version,
    ico_complaint_by,
    is_overdue,
    is_very_overdue,
    receipt_date,
    regulator_for,
    review_deadlines,
    sic_application_by,
    working_days_late,
)
from tests.support import examples

D = date.fromisoformat
UNION = ("foi", "eir")
SCOTTISH = ("foisa", "eisr")

# ---------------------------------------------------------------------------
# Naive reference: weekday check + holiday dates straight from the holidays package.
# ---------------------------------------------------------------------------

_SUBDIVS = {
    "foi": ("ENG", "WLS", "SCT", "NIR"),
    "eir": ("ENG", "WLS", "SCT", "NIR"),
    "foisa": ("SCT",),
    "eisr": ("SCT",),
}


@functools.cache
def naive_holidays(law: str) -> frozenset[date]:
    days: set[date] = set()
    for subdiv in _SUBDIVS[law]:
        days.update(holidays.UK(subdiv=subdiv, years=range(2011, 2033)))
    return frozenset(days)


def naive_working(d: date, law: str) -> bool:
    return d.weekday() < 5 and d not in naive_holidays(law)


def naive_add(d: date, n: int, law: str, pauses=()) -> date:
    one = timedelta(days=1)
    while n > 0:
        d += one
        if naive_working(d, law) and not any(a <= d <= b for a, b in pauses):
            n -= 1
    return d


def naive_walk(d: date, law: str, upto: int) -> list[date]:
    """The 1st..upto-th working days after d, index 0 unused."""
    out = [d]
    one = timedelta(days=1)
    while len(out) <= upto:
        d += one
        if naive_working(d, law):
            out.append(d)
    return out


def naive_between(a: date, b: date, law: str) -> int:
    return sum(naive_working(a + timedelta(days=i), law) for i in range(1, (b - a).days + 1))


def every_day(start: date, end: date):
    for i in range((end - start).days + 1):
        yield start + timedelta(days=i)


# ---------------------------------------------------------------------------
# Worked examples from dependencies-and-deadlines.md section 2.9 (expected values = doc text)
# ---------------------------------------------------------------------------

# (receipt, 20 WD union, 20 WD "E&W only", 40 WD union, the S/NI-only day that makes
# the union and E&W columns differ)
DOC_UNION_EXAMPLES = [
    ("2026-06-01", "2026-06-30", "2026-06-29", "2026-07-29", "2026-06-15"),
    ("2025-11-14", "2025-12-15", "2025-12-12", "2026-01-16", "2025-12-01"),
    ("2025-12-13", "2026-01-15", "2026-01-14", "2026-02-12", "2026-01-02"),
    ("2026-03-02", "2026-03-31", "2026-03-30", "2026-04-30", "2026-03-17"),
    ("2026-06-29", "2026-07-28", "2026-07-27", "2026-08-26", "2026-07-13"),
]


@pytest.mark.parametrize("law", UNION)
@pytest.mark.parametrize("received,due,_ew,very,_odd", DOC_UNION_EXAMPLES)
def test_doc_union_examples(law, received, due, _ew, very, _odd):
    dl = compute_deadlines(D(received), law)
    assert dl.due == D(due)
    assert dl.very_overdue_after == D(very)
    assert dl.working_days == 20


@pytest.mark.parametrize("received,_due,ew_due,_very,odd_day", DOC_UNION_EXAMPLES)
def test_doc_england_wales_only_column_via_remove_override(received, _due, ew_due, _very, odd_day):
    # Removing the Scottish/NI-only day reproduces the doc's "common mistake" column, which
    # also exercises the remove_holidays override.
    cal = calendar_for("foi", remove_holidays=[D(odd_day)])
    assert compute_deadlines(D(received), "foi", calendar=cal).due == D(ew_due)


def test_doc_foisa_easter_monday_is_working_day():
    assert compute_deadlines(D("2026-03-27"), "foisa").due == D("2026-04-27")
    assert compute_deadlines(D("2026-03-27"), "eisr").due == D("2026-04-27")
    assert compute_deadlines(D("2026-03-27"), "foi").due == D("2026-04-28")


def test_doc_foisa_scottish_one_off():
    assert compute_deadlines(D("2026-06-01"), "foisa").due == D("2026-06-30")


def test_doc_saturday_arrival_and_code_of_practice_grace():
    dl = compute_deadlines(D("2025-12-13"), "foi")
    assert dl.due == D("2026-01-15")
    assert dl.grace_due == D("2026-01-16")
    # Christmas, Boxing Day, New Year's Day and the Scottish 2 January (doc 2.10 tables).
    assert [h.day for h in dl.holidays_skipped] == [
        D("2025-12-25"),
        D("2025-12-26"),
        D("2026-01-01"),
        D("2026-01-02"),
    ]
    assert "Scotland" in dl.holidays_skipped[-1].name
    assert all(isinstance(h, Holiday) for h in dl.holidays_skipped)


def test_wdtk_bristol_checks():
    # wdtk-protocol.md 2.4: created 2026-02-23 -> due 2026-03-24; 2026-01-30 -> day 40 2026-03-30.
    assert compute_deadlines(D("2026-02-23")).due == D("2026-03-24")
    assert compute_deadlines(D("2026-01-30")).very_overdue_after == D("2026-03-30")


# ---------------------------------------------------------------------------
# Golden bank-holiday tables, doc section 2.10 (weekdays only)
# ---------------------------------------------------------------------------

UNION_TABLE = {
    2024: "01-01 01-02 03-18 03-29 04-01 05-06 05-27 07-12 08-05 08-26 12-02 12-25 12-26",
    2025: "01-01 01-02 03-17 04-18 04-21 05-05 05-26 07-14 08-04 08-25 12-01 12-25 12-26",
    2026: "01-01 01-02 03-17 04-03 04-06 05-04 05-25 06-15 07-13 08-03 08-31 11-30 12-25 12-28",
    2027: "01-01 01-04 03-17 03-26 03-29 05-03 05-31 07-12 08-02 08-30 11-30 12-27 12-28",
}
SCOTLAND_TABLE = {
    2024: "01-01 01-02 03-29 05-06 05-27 08-05 12-02 12-25 12-26",
    2025: "01-01 01-02 04-18 05-05 05-26 08-04 12-01 12-25 12-26",
    2026: "01-01 01-02 04-03 05-04 05-25 06-15 08-03 11-30 12-25 12-28",
    2027: "01-01 01-04 03-26 05-03 05-31 08-02 11-30 12-27 12-28",
}


def _table_dates(year: int, table: dict[int, str]) -> list[date]:
    return [D(f"{year}-{md}") for md in table[year].split()]


@pytest.mark.parametrize("year", sorted(UNION_TABLE))
@pytest.mark.parametrize(
    "law,table",
    [
        ("foi", UNION_TABLE),
        ("eir", UNION_TABLE),
        ("foisa", SCOTLAND_TABLE),
        ("eisr", SCOTLAND_TABLE),
    ],
)
def test_golden_holiday_tables(law, table, year):
    cal = calendar_for(law)
    got = [h.day for h in cal.holidays_between(date(year - 1, 12, 31), date(year, 12, 31))]
    assert got == _table_dates(year, table)
    non_working = [
        d
        for d in every_day(date(year, 1, 1), date(year, 12, 31))
        if d.weekday() < 5 and not cal.is_working_day(d)
    ]
    assert non_working == _table_dates(year, table)


def test_historic_one_offs_present():
    for law in LAWS:
        cal = calendar_for(law)
        for d in ("2022-06-02", "2022-06-03", "2022-09-19", "2023-05-08"):
            assert not cal.is_working_day(D(d)), (law, d)
    # 2022 moved the spring holiday from Mon 30 May to Thu 2 June.
    assert calendar_for("foi").is_working_day(D("2022-05-30"))
    assert not calendar_for("foi").is_working_day(D("2022-07-12"))  # NI, proclaimed
    assert calendar_for("foisa").is_working_day(D("2022-07-12"))


# ---------------------------------------------------------------------------
# Hand-derived cases around every kind of holiday
# ---------------------------------------------------------------------------

HOLIDAY_KINDS = {
    "scotland_only": "2025-01-02 2024-12-02 2025-12-01 2026-11-30 2025-08-04 2026-06-15",
    "ni_only": "2025-03-17 2024-03-18 2024-07-12 2025-07-14 2026-07-13 2022-07-12",
    "england_wales_ni_only": "2026-04-06 2025-08-25 2026-08-31",
    "christmas_substitutes": "2026-12-28 2027-12-27 2027-12-28",
    "proclaimed_one_offs": "2022-06-03 2022-09-19 2023-05-08",
}


def _kinds(*kinds: str) -> list[str]:
    return [d for k in kinds for d in HOLIDAY_KINDS[k].split()]


NOT_WORKING_UNION = _kinds(*HOLIDAY_KINDS)
NOT_WORKING_SCOTLAND = _kinds("scotland_only", "christmas_substitutes", "proclaimed_one_offs")
WORKING_SCOTLAND = _kinds("ni_only", "england_wales_ni_only")


@pytest.mark.parametrize("day", NOT_WORKING_UNION)
def test_union_non_working_days(day):
    assert not calendar_for("foi").is_working_day(D(day))
    assert not calendar_for("eir").is_working_day(D(day))


@pytest.mark.parametrize("day", NOT_WORKING_SCOTLAND)
def test_scottish_non_working_days(day):
    assert not calendar_for("foisa").is_working_day(D(day))


@pytest.mark.parametrize("day", WORKING_SCOTLAND)
def test_ni_and_english_holidays_are_working_days_in_scotland(day):
    assert calendar_for("foisa").is_working_day(D(day))
    assert calendar_for("eisr").is_working_day(D(day))


HAND_DUE = [
    # law, receipt, due.  Counts: n = nth working day, X = skipped holiday.
    # Scottish 2 Jan: Dec 23(1) 24(2) 25X 26X 27(3) 30(4) 31(5) Jan 1X 2X 3(6) ... 23(20)
    ("foi", "2024-12-20", "2025-01-23"),
    ("foisa", "2024-12-20", "2025-01-23"),
    # St Andrew's substitute Mon 2 Dec 2024: Nov 18-29 (1-10), Dec 2X, Dec 3-16 (11-20)
    ("foi", "2024-11-15", "2024-12-16"),
    ("foisa", "2024-11-15", "2024-12-16"),
    # First Monday of August (S) 4 Aug, late August (E/NI) 25 Aug 2025
    ("foi", "2025-07-28", "2025-08-27"),
    ("foisa", "2025-07-28", "2025-08-26"),
    # NI Twelfth Fri 12 Jul 2024, Scottish 5 Aug 2024
    ("foi", "2024-07-05", "2024-08-06"),
    ("foisa", "2024-07-05", "2024-08-02"),
    # NI 2022-07-12 (proclaimed), Scottish 1 Aug 2022
    ("foi", "2022-07-04", "2022-08-03"),
    ("foisa", "2022-07-04", "2022-08-02"),
    # St Patrick's substitute Mon 18 Mar 2024, Good Friday 29 Mar, Easter Monday 1 Apr
    ("foi", "2024-03-11", "2024-04-11"),
    ("foisa", "2024-03-11", "2024-04-09"),
    # Easter 2025 (E/NI Easter Monday counts as working day 1 in Scotland)
    ("foi", "2025-04-17", "2025-05-20"),
    ("foisa", "2025-04-17", "2025-05-19"),
    # Christmas 2026: 25X 28X(substitute) Jan 1X Jan 4X(S substitute for 2 Jan)
    ("foi", "2026-12-11", "2027-01-14"),
    ("foisa", "2026-12-11", "2027-01-14"),
    # Christmas 2027: 27X 28X substitutes, 3 Jan 2028 X, 4 Jan 2028 X (S)
    ("foi", "2027-12-13", "2028-01-14"),
    ("foisa", "2027-12-13", "2028-01-14"),
    # Queen's funeral Mon 19 Sep 2022 (UK-wide one-off)
    ("foi", "2022-09-07", "2022-10-06"),
    ("foisa", "2022-09-07", "2022-10-06"),
    # Platinum Jubilee Thu 2 + Fri 3 Jun 2022; Mon 30 May 2022 was a working day
    ("foi", "2022-05-25", "2022-06-24"),
    ("eisr", "2022-05-25", "2022-06-24"),
    # Coronation Mon 8 May 2023, receipt on the early-May bank holiday, spring 29 May X
    ("foi", "2023-05-01", "2023-05-31"),
    ("foisa", "2023-05-01", "2023-05-31"),
    # Easter Monday receipt: Apr 7 - May 1 (1-19), May 4X, May 5 (20)
    ("foi", "2026-04-06", "2026-05-05"),
    ("foisa", "2026-04-06", "2026-05-05"),
    # Sunday receipt: Mar 2-16 (1-11), 17X (NI), 18-30 (12-20)
    ("eir", "2026-03-01", "2026-03-30"),
]


@pytest.mark.parametrize("law,received,due", HAND_DUE)
def test_hand_derived_due_dates(law, received, due):
    dl = compute_deadlines(D(received), law)
    assert dl.due == D(due)
    assert dl.law == law


@pytest.mark.parametrize(
    "law,received,grace",
    [
        ("foi", "2025-12-13", "2026-01-16"),  # doc: Saturday arrival
        ("foi", "2026-03-01", "2026-03-31"),  # Sunday: Monday becomes day 0 (doc's Mon example)
        ("foi", "2023-05-01", "2023-06-01"),  # bank-holiday arrival: May 3-5,9-12,15-26,30-Jun 1
        ("foi", "2026-04-06", "2026-05-06"),  # Easter Monday is a holiday under FOIA ...
        ("foisa", "2026-04-06", None),  # ... but a working day under FOISA
        ("foi", "2026-06-01", None),  # working-day arrival
    ],
)
def test_grace_due(law, received, grace):
    assert compute_deadlines(D(received), law).grace_due == (D(grace) if grace else None)


def test_overdue_turns_the_day_after():
    dl = compute_deadlines(D("2026-06-01"))
    assert (dl.due, dl.very_overdue_after) == (D("2026-06-30"), D("2026-07-29"))
    assert not is_overdue(dl, D("2026-06-30"))
    assert is_overdue(dl, D("2026-07-01"))
    assert not is_very_overdue(dl, D("2026-07-29"))
    assert is_very_overdue(dl, D("2026-07-30"))


def test_working_days_late():
    dl = compute_deadlines(D("2026-06-01"))
    assert working_days_late(dl, D("2026-06-15")) == 0
    assert working_days_late(dl, D("2026-06-30")) == 0
    assert working_days_late(dl, D("2026-07-01")) == 1
    # Jul 1-3, 6-10 (8), 13X (NI), 14 (9)
    assert working_days_late(dl, D("2026-07-14")) == 9
    assert working_days_late(dl, D("2026-07-14"), calendar_for("foi")) == 9


def test_school_60th_working_day():
    dl = compute_deadlines(D("2026-06-01"), "foi", school=True)
    assert dl.due == D("2026-06-30")
    # 40th = 07-29 (doc), then Jul 30-31 (41-42), Aug 3X (S), Aug 4-27 (43-60)
    assert dl.very_overdue_after == D("2026-08-27")


def test_custom_days_and_very_overdue_never_before_due():
    dl = compute_deadlines(D("2026-06-01"), days=40)
    assert dl.due == dl.very_overdue_after == D("2026-07-29")
    assert dl.working_days == 40
    assert compute_deadlines(D("2026-06-01"), days=60).very_overdue_after == D("2026-08-27")


# --- fee pauses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pauses,due,very",
    [
        # notice Wed 10, paid Fri 12 June: 3 working days disregarded (both ends count)
        ([("2026-06-10", "2026-06-12")], "2026-07-03", "2026-08-04"),
        # notice Fri 12, paid Mon 15 (Scottish holiday): only Fri 12 is a paused working day
        ([("2026-06-12", "2026-06-15")], "2026-07-01", "2026-07-30"),
        # overlapping pauses merge into 10-12 June
        ([("2026-06-11", "2026-06-12"), ("2026-06-10", "2026-06-11")], "2026-07-03", "2026-08-04"),
        # a pause after the 20th day leaves due alone but moves day 40: Jul 30, 31, Aug 3X, Aug 4
        ([("2026-07-06", "2026-07-08")], "2026-06-30", "2026-08-04"),
    ],
)
def test_fee_pauses(pauses, due, very):
    pauses = [(D(a), D(b)) for a, b in pauses]
    dl = compute_deadlines(D("2026-06-01"), "foi", fee_pauses=pauses)
    assert dl.due == D(due)
    assert dl.very_overdue_after == D(very)


def test_fee_pause_paid_before_notice_is_an_error():
    with pytest.raises(DeadlineError, match="before its notice"):
        compute_deadlines(D("2026-06-01"), fee_pauses=[(D("2026-06-12"), D("2026-06-10"))])


# --- extensions -------------------------------------------------------------------------


def test_eir_extension():
    dl = compute_deadlines(D("2026-06-01"), "eir", eir_extended=True)
    assert dl.due == dl.extension_due == D("2026-07-29")  # doc: 40 WD union
    assert dl.working_days == 40
    # Scottish calendar: 20th 06-30 (doc), Jul 1-28 (21-40) with no Scottish holiday in July
    assert compute_deadlines(D("2026-06-01"), "eisr", eir_extended=True).due == D("2026-07-28")
    for law in ("foi", "foisa"):
        with pytest.raises(DeadlineError, match="EIR"):
            compute_deadlines(D("2026-06-01"), law, eir_extended=True)


def test_pit_extension_flag():
    ok = compute_deadlines(D("2026-06-01"), "foi", pit_extension_to=D("2026-07-29"))
    assert ok.due == D("2026-06-30")  # refusal notice still due on day 20
    assert ok.extension_due == D("2026-07-29")
    assert ok.extension_flag is None
    late = compute_deadlines(D("2026-06-01"), "foi", pit_extension_to=D("2026-07-30"))
    assert late.extension_due == D("2026-07-30")
    assert late.extension_flag == "public-interest extension runs past 40 working days"
    for law in ("eir", "foisa", "eisr"):
        with pytest.raises(DeadlineError, match="FOIA"):
            compute_deadlines(D("2026-06-01"), law, pit_extension_to=D("2026-07-01"))


# --- review and regulator clocks ---------------------------------------------------------


@pytest.mark.parametrize(
    "law,requested,expected,latest,statutory",
    [
        ("foi", "2026-06-01", "2026-06-30", "2026-07-29", False),
        # 20th 04-28 (doc); Apr 29-May 1 (21-23), May 4X, May 5-22 (24-37), 25X, 26-28 (38-40)
        ("foi", "2026-03-27", "2026-04-28", "2026-05-28", False),
        ("eir", "2026-06-01", "2026-07-29", "2026-07-29", True),
        ("foisa", "2026-03-27", "2026-04-27", "2026-04-27", True),
        ("eisr", "2026-03-27", "2026-04-27", "2026-04-27", True),
    ],
)
def test_review_clocks(law, requested, expected, latest, statutory):
    assert review_deadlines(D(requested), law) == ReviewClock(
        requested=D(requested), law=law, expected=D(expected), latest=D(latest), statutory=statutory
    )


def test_regulator_dates():
    assert ico_complaint_by(D("2026-06-01")) == D("2026-07-13")
    assert sic_application_by(D("2026-03-15")) == D("2026-09-15")
    assert sic_application_by(D("2026-08-31")) == D("2027-02-28")
    assert sic_application_by(D("2027-08-31")) == D("2028-02-29")
    assert sic_application_by(D("2026-07-31")) == D("2027-01-31")
    assert sic_application_by(D("2026-12-25")) == D("2027-06-25")
    assert [regulator_for(law) for law in LAWS] == ["ico", "ico", "sic", "sic"]


# --- receipt dates and DST -----------------------------------------------------------------


@pytest.mark.parametrize(
    "when,expected",
    [
        ("2025-08-21T14:56:07.524+01:00", "2025-08-21"),  # WDTK form
        ("2026-07-10T23:30:00Z", "2026-07-11"),  # summer evening UTC = next day
        ("2026-01-10T23:30:00Z", "2026-01-10"),  # winter: GMT = UTC
        ("2026-07-11T00:30:00+02:00", "2026-07-10"),
        ("2026-03-28T23:59:59Z", "2026-03-28"),  # spring forward 2026-03-29 01:00 UTC
        ("2026-03-29T00:30:00Z", "2026-03-29"),
        ("2026-03-29T22:59:59Z", "2026-03-29"),
        ("2026-03-29T23:30:00Z", "2026-03-30"),
        ("2026-10-24T23:30:00Z", "2026-10-25"),  # fall back 2026-10-25 01:00 UTC
        ("2026-10-25T00:30:00Z", "2026-10-25"),
        ("2026-10-25T01:30:00+01:00", "2026-10-25"),
        ("2026-10-25T23:30:00Z", "2026-10-25"),
        ("2026-10-25T23:30:00+00:00", "2026-10-25"),
        (datetime(2026, 7, 10, 23, 30), "2026-07-11"),  # naive = UTC
        (datetime(2026, 7, 10, 22, 59, tzinfo=UTC), "2026-07-10"),
        (date(2026, 7, 10), "2026-07-10"),
    ],
)
def test_receipt_date(when, expected):
    assert receipt_date(when) == D(expected)


def test_naive_timestamps_are_utc_whatever_the_host_zone(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")  # UTC+9: a local reading gives 07-10
    time.tzset()
    try:
        assert receipt_date(datetime(2026, 7, 10, 23, 30)) == D("2026-07-11")
        assert receipt_date("2026-07-10T23:30:00") == D("2026-07-11")
    finally:
        monkeypatch.undo()
        time.tzset()


def test_receipt_date_feeds_the_count():
    # Late-evening UTC delivery on 31 May 2026 is 1 June in London: doc's 2026-06-01 example.
    assert compute_deadlines(receipt_date("2026-05-31T23:30:00Z")).due == D("2026-06-30")


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01T00:00:00Z", 12345])
def test_receipt_date_rejects_garbage(bad):
    with pytest.raises(DeadlineError):
        receipt_date(bad)


# --- errors, coverage and calendar overrides ------------------------------------------------


@pytest.mark.parametrize("law", ["foia", "FOISA2", "", "scotland"])
def test_unknown_law(law):
    for call in (
        lambda: compute_deadlines(D("2026-06-01"), law),
        lambda: calendar_for(law),
        lambda: review_deadlines(D("2026-06-01"), law),
        lambda: regulator_for(law),
    ):
        with pytest.raises(DeadlineError, match="unknown law"):
            call()


def test_law_is_case_insensitive():
    assert compute_deadlines(D("2026-06-01"), "FOI").law == "foi"


@pytest.mark.parametrize(
    "received",
    [date(FIRST_YEAR - 1, 12, 31), date(LAST_YEAR + 1, 1, 1), date(1999, 12, 31), date(2101, 6, 1)],
)
def test_out_of_coverage_is_an_error(received):
    with pytest.raises(DeadlineError, match="outside"):
        compute_deadlines(received)
    with pytest.raises(DeadlineError, match="outside"):
        calendar_for("foisa").is_working_day(received)


def test_result_beyond_coverage_is_an_error():
    with pytest.raises(DeadlineError, match="outside"):
        compute_deadlines(date(LAST_YEAR, 12, 20))
    with pytest.raises(DeadlineError, match="outside"):
        calendar_for("foi").add_working_days(date(FIRST_YEAR, 1, 5), -10)
    assert calendar_for("foi").first_year == FIRST_YEAR <= 2012
    assert calendar_for("foi").last_year == LAST_YEAR >= 2031


def test_bad_inputs():
    with pytest.raises(DeadlineError, match="calendar date"):
        compute_deadlines(datetime(2026, 6, 1, 12, 0))  # must go through receipt_date first
    with pytest.raises(DeadlineError, match="positive"):
        compute_deadlines(D("2026-06-01"), days=0)
    with pytest.raises(DeadlineError, match="calendar"):
        compute_deadlines(D("2026-06-01"), "foisa", calendar=calendar_for("foi"))
    assert issubclass(DeadlineError, ValueError)


def test_calendar_overrides_and_cache():
    assert calendar_for("foi") is calendar_for("eir")
    assert calendar_for("foisa") is calendar_for("eisr")
    assert calendar_for("foi") is not calendar_for("foisa")
    extra = calendar_for("foi", extra_holidays=[D("2026-06-10")])
    assert extra is calendar_for("foi", extra_holidays=["2026-06-10"])
    assert not extra.is_working_day(D("2026-06-10"))
    # One more skipped day: due moves from 06-30 to Wed 07-01.
    dl = compute_deadlines(D("2026-06-01"), "foi", calendar=extra)
    assert dl.due == D("2026-07-01")
    assert D("2026-06-10") in [h.day for h in dl.holidays_skipped]
    with pytest.raises(DeadlineError, match="outside"):
        calendar_for("foi", extra_holidays=[D("2102-06-15")])
    with pytest.raises(DeadlineError, match="YYYY-MM-DD"):
        calendar_for("foi", extra_holidays=["15/06/2026"])


def test_calendar_methods_by_hand():
    cal = calendar_for("foi")
    sat = D("2025-12-13")
    assert cal.add_working_days(sat, 0) == sat
    assert cal.add_working_days(sat, 1) == D("2025-12-15")
    assert cal.add_working_days(D("2026-01-05"), -1) == D("2025-12-31")  # Jan 1, 2 skipped
    assert cal.add_working_days(D("2026-01-03"), -1) == D("2025-12-31")
    assert cal.working_days_between(sat, D("2026-01-15")) == 20
    assert cal.working_days_between(D("2026-01-15"), sat) == -20
    assert cal.working_days_between(sat, sat) == 0
    assert cal.holidays_between(D("2026-01-15"), sat) == []
    # Weekend-dated originals (Boxing Day Sat 2026-12-26) are not reported as skipped.
    assert [h.day for h in cal.holidays_between(D("2026-12-24"), D("2026-12-31"))] == [
        D("2026-12-25"),
        D("2026-12-28"),
    ]


def test_custom_calendar_object():
    cal = WorkingCalendar({D("2026-06-03"): "Test day"}, 2026, 2026)
    assert cal.add_working_days(D("2026-06-01"), 2) == D("2026-06-04")
    assert compute_deadlines(D("2026-06-01"), "foisa", calendar=cal).holidays_skipped == (
        Holiday(D("2026-06-03"), "Test day"),
    )


def test_holiday_data_version():
    assert holiday_data_version() == f"holidays-{holidays.__version__}"


def test_deadlines_is_frozen():
    dl = compute_deadlines(D("2026-06-01"))
    assert isinstance(dl, Deadlines)
    with pytest.raises(AttributeError):
        dl.due = D("2027-01-01")  # type: ignore[misc]


# ---------------------------------------------------------------------------
# Exhaustive comparison with the naive reference, every receipt date 2012-2030
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("law", LAWS)
def test_exhaustive_against_naive(law):
    cal = calendar_for(law)
    for d in every_day(date(2012, 1, 1), date(2030, 12, 31)):
        walk = naive_walk(d, law, 60)
        dl = compute_deadlines(d, law)
        assert (dl.due, dl.very_overdue_after) == (walk[20], walk[40]), d
        assert cal.add_working_days(d, 60) == walk[60], d
        assert cal.is_working_day(d) == naive_working(d, law), d
        if naive_working(d, law):
            assert dl.grace_due is None, d
        else:
            assert dl.grace_due == naive_walk(walk[1], law, 20)[20], d
        assert [h.day for h in dl.holidays_skipped] == [
            x
            for x in every_day(d + timedelta(days=1), dl.due)
            if x.weekday() < 5 and x in naive_holidays(law)
        ], d


@pytest.mark.parametrize("law", LAWS)
def test_records_in_batch_and_for_schools_match_naive(law):
    # With or without a calendar passed, every record gives the naive count's dates.
    days = list(every_day(date(2012, 1, 1), date(2030, 12, 31)))
    walks = {d: naive_walk(d, law, 60) for d in days}
    for school in (False, True):
        school_rule = school and law == "foi"
        made = compute_deadlines_many(days, law, school=school, calendar=calendar_for(law))
        read = compute_deadlines_many(days, law, school=school, calendar=calendar_for(law))
        default = compute_deadlines_many(days, law, school=school)
        for d, record, again, other in zip(days, made, read, default, strict=True):
            walk = walks[d]
            assert (record.received, record.law, record.working_days, record.school) == (
                d, law, 20, school_rule,
            )  # fmt: skip
            assert (record.due, record.very_overdue_after) == (
                walk[20], walk[60] if school_rule else walk[40],
            ), (d, school)  # fmt: skip
            assert record.very_overdue_days == (60 if school_rule else 40)
            assert again == record and other == record
            assert compute_deadlines(d, law, school=school) == record


def test_batch_records_raise_what_single_ones_raise():
    with pytest.raises(DeadlineError, match="outside the bank-holiday data"):
        compute_deadlines_many([date(2026, 1, 5), date(2100, 12, 20)], "foi")
    with pytest.raises(DeadlineError, match="calendar date"):
        compute_deadlines_many([date(2026, 1, 5), "2026-01-06"], "foi")  # type: ignore[list-item]
    with pytest.raises(DeadlineError, match="unknown law"):
        compute_deadlines_many([date(2026, 1, 5)], "gdpr")
    with pytest.raises(DeadlineError, match="'scotland' one"):
        compute_deadlines_many([date(2026, 1, 5)], "foisa", calendar=calendar_for("foi"))
    # A law written loosely, a school flag stored as 0/1: the same records.
    assert compute_deadlines_many([date(2026, 3, 2)], " FOI ", school=1) == [
        compute_deadlines(date(2026, 3, 2), "foi", school=True)
    ]


# ---------------------------------------------------------------------------
# Hypothesis properties
# ---------------------------------------------------------------------------

dates = st.dates(min_value=date(2012, 1, 1), max_value=date(2030, 12, 31))
laws = st.sampled_from(LAWS)
PROPS = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPS
@given(d=dates, n=st.integers(0, 130), law=laws)
def test_prop_matches_naive(d, n, law):
    cal = calendar_for(law)
    result = cal.add_working_days(d, n)
    assert result == naive_add(d, n, law)
    assert cal.working_days_between(d, result) == n
    assert naive_between(d, result, law) == n
    if n:
        assert cal.is_working_day(result) and naive_working(result, law)


@PROPS
@given(d=dates, a=st.integers(-60, 60), b=st.integers(-60, 60), law=laws)
def test_prop_add_is_additive_from_a_working_day(d, a, b, law):
    cal = calendar_for(law)
    d = cal.add_working_days(d, 1)  # make it a working day
    assert cal.add_working_days(cal.add_working_days(d, a), b) == cal.add_working_days(d, a + b)


@PROPS
@given(d=dates, a=st.integers(0, 60), b=st.integers(0, 60), law=laws)
def test_prop_add_is_additive_for_non_negative_steps(d, a, b, law):
    cal = calendar_for(law)
    assert cal.add_working_days(cal.add_working_days(d, a), b) == cal.add_working_days(d, a + b)


@PROPS
@given(d1=dates, d2=dates, law=laws, school=st.booleans())
def test_prop_monotone_in_receipt_date(d1, d2, law, school):
    lo, hi = sorted((d1, d2))
    a, b = compute_deadlines(lo, law, school=school), compute_deadlines(hi, law, school=school)
    assert a.due <= b.due
    assert a.very_overdue_after <= b.very_overdue_after


@PROPS
@given(d=dates, days=st.integers(1, 60))
def test_prop_foisa_never_later_than_foia(d, days):
    assert (
        compute_deadlines(d, "foisa", days=days).due <= compute_deadlines(d, "foi", days=days).due
    )
    assert compute_deadlines(d, "eisr", days=days).due <= compute_deadlines(d, "eir", days=days).due


@PROPS
@given(d=dates, law=laws, days=st.integers(1, 60))
def test_prop_exactly_n_working_days_to_due(d, law, days):
    dl = compute_deadlines(d, law, days=days)
    cal = calendar_for(law)
    assert cal.working_days_between(d, dl.due) == days
    assert cal.is_working_day(dl.due)
    assert naive_between(d, dl.due, law) == days


@st.composite
def pauses(draw):
    out = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(-5, 70))
        out.append((start, start + draw(st.integers(0, 15))))
    return out


@PROPS
@given(d=dates, law=laws, spans=pauses(), days=st.sampled_from([20, 40]))
def test_prop_fee_pauses_match_naive(d, law, spans, days):
    spans = [(d + timedelta(days=a), d + timedelta(days=b)) for a, b in spans]
    dl = compute_deadlines(d, law, days=days, fee_pauses=spans)
    assert dl.due == naive_add(d, days, law, spans)
    assert dl.very_overdue_after == naive_add(d, max(40, days), law, spans)


@PROPS
@given(d=dates, today=dates, law=laws)
def test_prop_working_days_late(d, today, law):
    dl = compute_deadlines(d, law)
    late = working_days_late(dl, today)
    assert late == (naive_between(dl.due, today, law) if today > dl.due else 0)
    assert (late > 0) == is_overdue(dl, today) or not naive_working(today, law)


# --- where a holiday applies, as its label says --------------------------------------------


def test_a_label_names_each_part_of_the_uk_a_holiday_is_in() -> None:
    # 2026 (holidays package): Easter Monday 6 Apr is not a Scottish bank holiday; 17 Mar
    # is Northern Ireland's alone; 30 Nov (St Andrew's Day) is Scotland's alone.
    days = {h.day: h.name for h in calendar_for("foi").holidays_between(
        date(2026, 3, 1), date(2026, 11, 30)
    )}  # fmt: skip
    assert days[date(2026, 4, 6)] == "Easter Monday (England, Wales and Northern Ireland only)"
    assert days[date(2026, 3, 17)] == "Saint Patrick's Day (Northern Ireland only)"
    assert days[date(2026, 11, 30)] == "Saint Andrew's Day (Scotland only)"
    assert days[date(2026, 4, 3)] == "Good Friday"  # everywhere: no label


def test_a_holiday_added_for_england_alone_says_england_only() -> None:
    # Mon 7 and Tue 8 Sep 2026 are ordinary working days; one is added for England, the
    # other for England and Wales. FOIA s.10(6) stops the clock for either.
    cal = calendar_for(
        "foi",
        extra_holidays=[
            RegionalDay("england", date(2026, 9, 7)),
            RegionalDay("england", date(2026, 9, 8)),
            RegionalDay("wales", date(2026, 9, 8)),
        ],
    )
    days = {h.day: h.name for h in cal.holidays_between(date(2026, 9, 1), date(2026, 9, 30))}
    assert days[date(2026, 9, 7)] == "Additional bank holiday (from configuration; England only)"
    assert days[date(2026, 9, 8)] == (
        "Additional bank holiday (from configuration; England and Wales only)"
    )
