"""The status rule at its boundaries, each date worked out by hand from the statutes.

Every expected date below was counted on a 2026 calendar, not taken from foibot:

* FOIA/EIR count a working day as one that is a bank holiday in no part of the UK (FOIA
  s.10(6)), so St Patrick's Day (Tue 17 Mar 2026, Northern Ireland), Good Friday (3 Apr)
  and Easter Monday (6 Apr, not Scotland) are skipped.
* FOISA/EISR count Scottish bank holidays only (FOISA s.73): 17 Mar and Easter Monday are
  working days there; Good Friday, 4 May and 25 May are not.
* Day 0 is the receipt date; the status turns overdue on the day *after* the due date.

A request received Mon 2 Mar 2026:
  FOIA 20th working day  Tue 31 Mar (17 Mar skipped)
  FOIA 40th working day  Thu 30 Apr (17 Mar, 3 Apr, 6 Apr skipped)
  FOISA 20th working day Mon 30 Mar
  FOISA 40 working days after 30 Mar: Thu 28 May (3 Apr, 4 May, 25 May skipped)
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot import deadlines as dl
from bot.rules.clock import ClockAdjust, adjusted_dates
from bot.rules.status import status_row

D = dt.date.fromisoformat
BASE = "https://wdtk.test"


def calendar(law: str) -> dl.WorkingCalendar:
    return dl.calendar_for(law)


def waiting(law: str = "foi", due: str = "2026-03-31", very: str = "2026-04-30", **extra) -> dict:
    """A stored request row waiting for a reply, received Mon 2 Mar 2026."""
    return {
        "ref": "t-1", "campaign": None, "body": "a-council", "title": "Pay", "status":
        "waiting_response", "wdtk_id": 7, "url_title": "pay", "sent_on": "2026-03-02",
        "due": due, "very_overdue_after": very, "slot_at": None, "law": law,
        "poll_error": None, "awaiting_description": 0, "review_started_on": None,
        "answered_at": None, "last_confirmed_at": None, "last_confirmed_via": None,
        "stage": None, **extra,
    }  # fmt: skip


def at(row: dict, day: str, answered: str | None = None):
    return status_row(row, BASE, D(day), calendar, D(answered) if answered else None)


# --- the deadlines the stored row carries, counted by hand ------------------------------


@pytest.mark.parametrize(
    ("law", "due", "very"),
    [
        ("foi", "2026-03-31", "2026-04-30"),
        ("eir", "2026-03-31", "2026-04-30"),
        ("foisa", "2026-03-30", "2026-04-28"),
        ("eisr", "2026-03-30", "2026-04-28"),
    ],
)
def test_the_20th_and_40th_working_day_across_bank_holidays(law, due, very) -> None:
    # FOISA 40th: 31 Mar(21) 1,2 Apr(23) 6-10(28) 13-17(33) 20-24(38) 27,28(40).
    dates = dl.compute_deadlines(D("2026-03-02"), law)
    assert (dates.due.isoformat(), dates.very_overdue_after.isoformat()) == (due, very)


def test_a_schools_request_is_very_overdue_only_after_the_60th_working_day() -> None:
    # 41st..60th after 30 Apr: May 1(41) 5-8(45) 11-15(50) 18-22(55) 26-29(59) Jun 1(60);
    # 4 May and 25 May are bank holidays.
    dates = dl.compute_deadlines(D("2026-03-02"), "foi", school=True)
    assert (dates.due, dates.very_overdue_after) == (D("2026-03-31"), D("2026-06-01"))
    row = waiting(very="2026-06-01")
    assert at(row, "2026-05-01").status == "waiting_response_overdue"
    assert at(row, "2026-06-01").status == "waiting_response_overdue"
    assert at(row, "2026-06-02").status == "waiting_response_very_overdue"


# --- waiting for a reply: the due day, the day after, weekends ---------------------------


@pytest.mark.parametrize("law", ["foi", "eir", "foisa", "eisr"])
def test_on_the_due_day_itself_a_request_is_not_late(law) -> None:
    due = "2026-03-30" if law in ("foisa", "eisr") else "2026-03-31"
    st = at(waiting(law, due=due), due)
    assert st.status == "waiting_response"
    assert (st.days_overdue, st.late_from, st.review_by) == (None, None, None)


def test_the_day_after_the_due_day_is_one_working_day_late() -> None:
    st = at(waiting(), "2026-04-01")
    assert st.status == "waiting_response_overdue"
    assert (st.days_overdue, st.late_from) == (1, "2026-03-31")


def test_lateness_skips_weekends_and_bank_holidays() -> None:
    # Due Tue 31 Mar: Wed 1 (1), Thu 2 (2), Good Friday and Easter Monday skipped, Tue 7 (3).
    row = waiting()
    assert at(row, "2026-04-02").days_overdue == 2
    assert at(row, "2026-04-04").days_overdue == 2  # a Saturday
    assert at(row, "2026-04-06").days_overdue == 2  # Easter Monday
    assert at(row, "2026-04-07").days_overdue == 3


def test_due_on_a_friday_and_asked_on_the_weekend_is_one_day_late() -> None:
    # A request received Fri 6 Feb 2026 is due Fri 6 Mar (no holiday between).
    assert dl.compute_deadlines(D("2026-02-06"), "foi").due == D("2026-03-06")
    row = waiting(due="2026-03-06", very="2026-04-06")
    assert at(row, "2026-03-06").status == "waiting_response"
    sat, sun, mon = (at(row, d) for d in ("2026-03-07", "2026-03-08", "2026-03-09"))
    assert [s.status for s in (sat, sun, mon)] == ["waiting_response_overdue"] * 3
    # Not a working day past the due date yet, but late all the same: at least one.
    assert [s.days_overdue for s in (sat, sun, mon)] == [1, 1, 1]
    assert at(row, "2026-03-10").days_overdue == 2


def test_very_overdue_from_the_day_after_the_40th_working_day() -> None:
    row = waiting()
    on_40th = at(row, "2026-04-30")
    assert on_40th.status == "waiting_response_overdue"
    # 1, 2, 7-10, 13-17, 20-24, 27-30 April: 20 working days after 31 Mar.
    assert on_40th.days_overdue == 20
    after = at(row, "2026-05-01")
    assert after.status == "waiting_response_very_overdue"
    assert (after.days_overdue, after.late_from) == (21, "2026-03-31")


def test_a_scottish_request_with_no_reply_shows_its_review_window() -> None:
    row = waiting("foisa", due="2026-03-30", very="2026-04-28")
    assert at(row, "2026-03-30").review_by is None  # not late: no review yet
    st = at(row, "2026-03-31")
    assert (st.status, st.review_by) == ("waiting_response_overdue", "2026-05-28")
    assert at(waiting(), "2026-04-01").review_by is None  # FOIA: complain, no such window


def test_an_unclassified_reply_is_late_only_after_the_due_day() -> None:
    row = waiting(awaiting_description=1)
    on_due = at(row, "2026-03-31")
    assert (on_due.status, on_due.days_overdue, on_due.note) == (
        "waiting_classification", None, None
    )
    after = at(row, "2026-04-01")
    assert (after.status, after.days_overdue, after.late_from) == (
        "waiting_classification", 1, "2026-03-31"
    )
    assert after.note
    # Once a reply was an answer, an unclassified later one is not lateness.
    answered = waiting(awaiting_description=1, answered_at="2026-03-20T10:00:00+00:00")
    assert at(answered, "2026-04-01").days_overdue is None


def test_an_answer_after_the_due_date_counts_its_working_days_late() -> None:
    # Answered Thu 2 Apr 2026, 11:30 BST (10:30 UTC): two working days after 31 Mar.
    row = waiting(status="successful", answered_at="2026-04-02T10:30:00+00:00")
    st = at(row, "2026-05-01")
    assert (st.status, st.answered_on, st.answered_days_late) == ("successful", "2026-04-02", 2)
    # 23:30 UTC on 31 Mar is 00:30 BST on 1 Apr: received the day after the due date.
    late = at(waiting(status="successful", answered_at="2026-03-31T23:30:00+00:00"), "2026-05-01")
    assert (late.answered_on, late.answered_days_late) == ("2026-04-01", 1)
    on_time = at(waiting(status="successful", answered_at="2026-03-31T22:30:00+00:00"), "2026-05-01")
    assert (on_time.answered_on, on_time.answered_days_late) == ("2026-03-31", None)


# --- internal reviews --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("law", "expected", "latest"),
    [
        ("foi", "2026-03-31", "2026-04-30"),  # 20 working days, 40 at most (s.45 Code)
        ("eir", "2026-04-30", "2026-04-30"),  # EIR reg 11(4): 40 working days
        ("foisa", "2026-03-30", "2026-03-30"),  # FOISA s.21(1): 20 working days
        ("eisr", "2026-03-30", "2026-03-30"),  # EISR reg 16(4): 20 working days
    ],
)
def test_a_review_is_late_from_the_day_after_its_due_day(law, expected, latest) -> None:
    row = waiting(law, status="internal_review", review_started_on="2026-03-02")
    assert at(row, expected).status == "internal_review"
    day_after = (D(expected) + dt.timedelta(days=1)).isoformat()
    st = at(row, day_after)
    assert (st.status, st.days_overdue, st.late_from) == ("internal_review_overdue", 1, expected)
    assert st.review_latest == latest


def test_a_refusal_shows_the_last_day_to_ask_for_a_review() -> None:
    row = waiting(status="rejected")
    st = at(row, "2026-03-10", answered="2026-03-02")
    assert (st.status, st.review_by, st.days_overdue) == ("rejected", "2026-04-30", None)
    foisa = waiting("foisa", due="2026-03-30", very="2026-04-28", status="partially_successful")
    assert at(foisa, "2026-03-31", "2026-03-30").review_by == "2026-05-28"
    assert at(waiting(status="successful"), "2026-03-10", "2026-03-02").review_by is None


def test_a_foisa_answer_in_time_gives_40_working_days_after_the_due_date() -> None:
    # FOISA s.20(5)(a): counted from the expiry of the 20 working days (Mon 30 Mar), not
    # from the answer of Fri 20 Mar. 40 Scottish working days after 30 Mar: 31 Mar-2 Apr
    # (3), 6-10 Apr (8; Easter Monday is a working day in Scotland), 13 Apr-1 May (23),
    # 5-8 May (27; 4 May skipped), 11-22 May (37), 26-28 May (40; 25 May skipped).
    row = waiting("foisa", due="2026-03-30", very="2026-04-28", status="rejected")
    assert at(row, "2026-03-23", answered="2026-03-20").review_by == "2026-05-28"


def test_a_late_foisa_answer_gives_40_working_days_after_its_receipt() -> None:
    # FOISA s.20(5)(b): answered late, Wed 8 Apr, so counted from then: 9-10 Apr (2),
    # 13 Apr-1 May (17), 5-8 May (21), 11-22 May (31), 26-29 May (35), 1-5 Jun (40).
    row = waiting("foisa", due="2026-03-30", very="2026-04-28", status="rejected")
    assert at(row, "2026-04-09", answered="2026-04-08").review_by == "2026-06-05"


def test_an_eisr_answer_in_time_counts_from_its_receipt() -> None:
    # EISR reg 16(2): 40 working days after the applicant "receives any decision". From
    # Fri 20 Mar: 23 Mar-2 Apr (9; Good Friday 3 Apr skipped), 6-30 Apr and 1 May (29),
    # 5-8 May (33; 4 May skipped), 11-15 May (38), 18-19 May (40).
    row = waiting("eisr", due="2026-03-30", very="2026-04-28", status="rejected")
    assert at(row, "2026-03-23", answered="2026-03-20").review_by == "2026-05-19"


# --- extensions ----------------------------------------------------------------------------


def test_an_eir_extension_moves_the_due_day_to_the_40th_working_day() -> None:
    row = waiting("eir", clock_adjust=ClockAdjust("2026-03-02", eir_extended=True).as_json())
    due, very = adjusted_dates(row, "eir", False, calendar("eir"))
    assert (due, very) == (D("2026-04-30"), D("2026-04-30"))
    extended = waiting("eir", due="2026-04-30", very="2026-04-30")
    assert at(extended, "2026-04-30").status == "waiting_response"
    assert at(extended, "2026-05-01").status == "waiting_response_very_overdue"


def test_a_public_interest_extension_is_late_from_the_date_the_body_gave() -> None:
    adjust = ClockAdjust("2026-03-02", pit_until="2026-04-20")
    due, very = adjusted_dates(waiting(clock_adjust=adjust.as_json()), "foi", False, calendar("foi"))
    assert (due, very) == (D("2026-04-20"), D("2026-04-30"))


# --- the command line uses the same rule ----------------------------------------------------


def test_status_and_overdue_agree_with_the_rule_on_the_due_day(tmp_path) -> None:
    from click.testing import CliRunner

    from bot.cli.group import cli
    from bot.store.db import Store

    db = tmp_path / "foibot.db"
    store = Store(db)
    with store.transaction() as tx:
        tx["requests"].insert(waiting(body=None))
    store.close()
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    import json

    assert json.loads(run("status", "--json", "--as-of", "2026-03-31"))[0]["status"] == (
        "waiting_response"
    )
    assert "Nothing is overdue" in run("overdue", "--as-of", "2026-03-31")
    late = json.loads(run("overdue", "--json", "--as-of", "2026-04-01"))
    assert [(r["ref"], r["status"], r["days_overdue"]) for r in late] == [
        ("t-1", "waiting_response_overdue", 1)
    ]


def test_overdue_lists_the_most_late_first_then_by_date_and_ref() -> None:
    from bot.rules.status import StatusRow, overdue_rows

    def late(ref: str, days: int | None, since: str | None) -> StatusRow:
        return StatusRow(ref, None, None, "", "s", None, None, None, None, None, days,
                         "foi", None, None, late_from=since)  # fmt: skip

    rows = [late("b", 3, "2026-03-31"), late("a", 3, "2026-03-30"), late("z", 5, "2026-03-31"),
            late("c", 3, "2026-03-30"), late("n", None, None), late("y", 1, "2026-04-02")]  # fmt: skip
    assert [r.ref for r in overdue_rows(rows)] == ["z", "a", "c", "b", "y"]
