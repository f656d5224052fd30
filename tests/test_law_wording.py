"""Wording and dates as each law has them (issue 28, item 5), over requests tracked on the
WDTK replica. Every date is counted by hand on the 2026 calendar:

* All requests below were received Mon 2 Mar 2026 (day 0).
* FOIA/EIR (any UK bank holiday stops the clock, FOIA s.10(6)): 20th working day Tue 31 Mar
  (St Patrick's Day, 17 Mar, skipped); 60th working day Mon 1 Jun: 40th Thu 30 Apr, then
  1 May (41), 5-8 May (45; 4 May skipped), 11-22 May (55), 26-29 May (59; 25 May
  skipped), 1 Jun (60).
* FOISA/EISR (Scottish bank holidays only, s.73): 20th working day Mon 30 Mar.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.bodies import school_instrument
from bot.cli.status import _late_from
from bot.cli.status_table import _cells
from bot.rules.status import StatusRow
from tests.support import drafted, released_project, sent_request, track_into_campaign
from tests.wdtk_replica import HOME_OFFICE, POLICE_SCOTLAND, event, make_body, make_request_doc

SENT = "2026-03-02T10:15:00+00:00"
MAINTAINED = make_body("st_marys_school", "St Mary's School", 43, ["school"])
ACADEMY = make_body("oak_academy_trust", "Oak Academy Trust", 44, ["academy_trust"])
NI_SCHOOL = make_body("belfast_high_school", "Belfast High School", 45, ["school", "ni"])


@pytest.fixture
def wdtk(project, replica):
    project = released_project(project, replica)
    sent_request(project, replica, 5001, "smm-1")  # Home Office, FOIA, due Tue 31 Mar
    project.run("poll", "--as-of", "2026-03-02T12:00")
    return project


def track(project, replica, wdtk_id, body, law_used="foi"):
    doc = make_request_doc(
        wdtk_id, f"{body['name']}: staff disciplined", body=body, tags=[], law_used=law_used,
        sent_at=SENT,
    )  # fmt: skip
    return track_into_campaign(project, replica, doc)


def status_of(project, ref, day):
    return {s["ref"]: s for s in project.json("status", "--as-of", day)}[ref]


def text_of(project, ref, kind):
    return next(f for f in project.json("show", ref)["followups"] if f["kind"] == kind)["text"]


# --- schools: late only after the 60th working day ----------------------------------------


def test_a_foia_school_is_not_overdue_until_after_its_60th_working_day(wdtk, replica):
    ref = track(wdtk, replica, 9201, MAINTAINED)
    day_21 = status_of(wdtk, ref, "2026-04-01")  # Wed 1 Apr: day 21
    assert (day_21["status"], day_21["days_overdue"]) == ("waiting_response", None)
    assert day_21["due_note"] == (
        "due by day 20 (2026-03-31), may run to day 60 (2026-06-01) (schools)"
    )
    # The `due` cell of the status table (rich wraps a cell over lines on a narrow screen).
    assert (
        _cells(StatusRow(**day_21), dt.date(2026, 4, 1))[4]
        == "2026-03-31, may run to 2026-06-01 (schools)"
    )
    assert "school limit" in wdtk.run("show", ref, "--as-of", "2026-04-01").stdout

    on_60th = wdtk.json("overdue", "--as-of", "2026-06-01")
    assert ref not in [r["ref"] for r in on_60th]
    assert "smm-1" in [r["ref"] for r in on_60th]  # the Home Office is late all along
    late = {r["ref"]: r for r in wdtk.json("overdue", "--as-of", "2026-06-02")}[ref]
    assert (late["status"], late["days_overdue"], late["late_from"]) == (
        "waiting_response_very_overdue", 1, "2026-06-01",
    )  # fmt: skip
    fields = {k: v for k, v in late.items() if k in StatusRow._fields}
    assert _late_from(StatusRow(**fields)) == "2026-06-01 (day 60, schools)"


def test_a_schools_answer_before_the_60th_working_day_is_not_counted_late(wdtk, replica):
    ref = track(wdtk, replica, 9202, MAINTAINED)
    # Answered Fri 15 May (day 50): within the limit, whatever the term dates.
    replica.add_event(9202, event(None, "response", "2026-05-15T09:00:00+01:00", text="Here."))
    replica.add_event(
        9202, event(None, "status_update", "2026-05-15T10:00:00+01:00", described_state="successful")
    )  # fmt: skip
    wdtk.run("poll", "--all", "--as-of", "2026-05-15T12:00")
    st = status_of(wdtk, ref, "2026-05-18")
    assert (st["status"], st["answered_days_late"], st["due_note"]) == ("successful", None, None)


def test_an_eir_school_has_20_working_days_like_anyone(wdtk, replica):
    # The schools regulations vary FOIA s.10 only (made under FOIA s.10(4)).
    ref = track(wdtk, replica, 9203, MAINTAINED, law_used="eir")
    st = status_of(wdtk, ref, "2026-04-01")
    assert (st["status"], st["days_overdue"], st["due_note"]) == (
        "waiting_response_overdue", 1, None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("wdtk_id", "body", "instrument"),
    [
        (9211, MAINTAINED, "SI 2004/3364"),  # maintained school, England and Wales
        (9212, ACADEMY, "SI 2010/2768"),  # academy trust
        (9213, NI_SCHOOL, "SI 2009/1369"),  # Northern Ireland
    ],
)
def test_a_school_chaser_cites_the_instrument_for_its_kind(
    wdtk, replica, wdtk_id, body, instrument
):
    ref = track(wdtk, replica, wdtk_id, body)
    mine = [c for c in drafted(wdtk, "chaser", "2026-06-02")["created"] if c["request"] == ref]
    assert mine == [{"ref": f"{ref}-c1", "request": ref}]
    text = text_of(wdtk, ref, "chaser")
    assert f"as it applies to schools ({instrument})" in text
    assert "no later than 1 June 2026" in text
    assert "1 June 2026. That date has passed" in text and "working day late" not in text


def test_a_school_nudge_gives_the_schools_limit(wdtk, replica):
    wdtk.edit_config("chaser_max = 2", "chaser_max = 2\nnudge_after = 5")
    ref = track(wdtk, replica, 9221, ACADEMY)
    # Five working days after Mon 2 Mar: Mon 9 Mar.
    mine = [c for c in drafted(wdtk, "nudge", "2026-03-09")["created"] if c["request"] == ref]
    assert mine == [{"ref": f"{ref}-n", "request": ref}]
    text = text_of(wdtk, ref, "nudge")
    assert "within 20 school days, and by 1 June 2026 at the latest (SI 2010/2768)" in text
    assert "31 March" not in text


def test_school_instruments_from_wdtk_tags():
    assert school_instrument(["school", "wales"]) == "SI 2004/3364"
    assert school_instrument(["school", "academies"]) == "SI 2010/2768"
    assert school_instrument(["academy_trust"]) == "SI 2010/2768"
    assert school_instrument(["school", "gss:N09000003"]) == "SI 2009/1369"
    assert school_instrument(["local_council", "ni"]) is None  # not a school


# --- chasers: only FOIA has a public-interest extension -----------------------------------


@pytest.mark.parametrize(
    ("wdtk_id", "body", "law_used", "notice"),
    [
        (9301, HOME_OFFICE, "eir", "a refusal notice under regulation 14 of the Regulations"),
        (9302, POLICE_SCOTLAND, "foi", "a refusal notice under section 16 of the Act"),
        (9303, POLICE_SCOTLAND, "eir", "a refusal notice under regulation 13 of the Regulations"),
    ],
    ids=["eir", "foisa", "eisr"],
)
def test_chasers_outside_foia_never_invite_a_public_interest_extension(
    wdtk, replica, wdtk_id, body, law_used, notice
):
    ref = track(wdtk, replica, wdtk_id, body, law_used=law_used)
    # Wed 1 Apr: one working day after the due date under each law.
    assert [c for c in drafted(wdtk, "chaser", "2026-04-01")["created"] if c["request"] == ref]
    text = text_of(wdtk, ref, "chaser")
    assert notice in text
    assert "public interest" not in text
    if law_used == "eir":  # the Regulations are not an Act
        assert "the Act" not in text


def test_a_foia_chaser_keeps_the_public_interest_extension(wdtk):
    assert drafted(wdtk, "chaser", "2026-04-01")["created"][0]["request"] == "smm-1"
    text = text_of(wdtk, "smm-1", "chaser")
    assert "a refusal notice under section 17 of the Act" in text
    assert "If you need more time to consider the public interest" in text


# --- FOISA s.20(5): the window to require a review -----------------------------------------


def refuse(project, replica, wdtk_id, at):
    replica.add_event(wdtk_id, event(None, "response", f"{at}T09:00:00+00:00", text="Refused."))
    replica.add_event(
        wdtk_id, event(None, "status_update", f"{at}T10:00:00+00:00", described_state="rejected")
    )
    project.run("poll", "--all", "--as-of", f"{at}T12:00")


def test_a_foisa_refusal_in_time_counts_the_review_window_from_the_due_date(wdtk, replica):
    # s.20(5)(a): 40 Scottish working days after Mon 30 Mar (Good Friday 3 Apr, 4 May and
    # 25 May skipped; Easter Monday is a working day there): Thu 28 May. Counted from the
    # answer of Fri 20 Mar it would be Tue 19 May.
    ref = track(wdtk, replica, 9401, POLICE_SCOTLAND)
    refuse(wdtk, replica, 9401, "2026-03-20")
    assert status_of(wdtk, ref, "2026-03-23")["review_by"] == "2026-05-28"
    drafted(wdtk, "internal-review", "2026-03-23")
    text = text_of(wdtk, ref, "internal-review")
    assert "Ask for the review by 28 May 2026 at the latest" in text
    assert "40 working days after 30 March 2026" in text and "section 20(5)(a)" in text


def test_an_unclassified_acknowledgement_leaves_the_foisa_window_from_the_due_date(wdtk, replica):
    """s.20(5)(a): a reply nobody classified may be only an acknowledgement; overdue on
    Tue 31 Mar, the requirement for review is due by Thu 28 May as if none had come."""
    ref = track(wdtk, replica, 9404, POLICE_SCOTLAND)
    replica.add_event(9404, event(None, "response", "2026-03-04T09:00:00+00:00", text="Thanks."))
    wdtk.run("poll", "--all", "--as-of", "2026-03-04T12:00")
    late = [r for r in wdtk.json("overdue", "--as-of", "2026-03-31") if r["ref"] == ref]
    assert [r["review_by"] for r in late] == ["2026-05-28"]
    # Before the due date nothing has failed yet: no review to require.
    assert status_of(wdtk, ref, "2026-03-30")["review_by"] is None


def test_a_late_foisa_refusal_counts_the_review_window_from_its_receipt(wdtk, replica):
    # s.20(5)(b): answered late, Wed 8 Apr; 40 Scottish working days on is Fri 5 Jun
    # (9-10 Apr, 13 Apr-1 May, 5-8 May, 11-22 May, 26-29 May, 1-5 Jun).
    ref = track(wdtk, replica, 9402, POLICE_SCOTLAND)
    refuse(wdtk, replica, 9402, "2026-04-08")
    assert status_of(wdtk, ref, "2026-04-09")["review_by"] == "2026-06-05"
    drafted(wdtk, "internal-review", "2026-04-09")
    text = text_of(wdtk, ref, "internal-review")
    assert "late answer of 8 April 2026 (FOISA section 20(5)(b))" in text


def test_an_eir_review_request_speaks_of_exceptions(wdtk, replica):
    ref = track(wdtk, replica, 9403, HOME_OFFICE, law_used="eir")
    refuse(wdtk, replica, 9403, "2026-03-20")
    drafted(wdtk, "internal-review", "2026-03-23")
    text = text_of(wdtk, ref, "internal-review")
    assert "the exceptions or reasons you gave" in text and "exemptions" not in text


def test_chaser_and_nudge_keep_the_blank_line_before_the_sign_off(wdtk):
    """The last paragraph ends in a Jinja block: trim_blocks must not eat the line break
    that separates it from "Yours faithfully," (the review and complaint letters keep it)."""
    wdtk.edit_config("chaser_max = 2", "chaser_max = 2\nnudge_after = 5")
    drafted(wdtk, "nudge", "2026-03-09")  # Mon 9 Mar: 5 working days after Mon 2 Mar
    drafted(wdtk, "chaser", "2026-04-01")  # Wed 1 Apr: the day after the due date
    for kind, last in (("nudge", "by 31 March 2026."), ("chaser", "expect to respond.")):
        assert f"{last}\n\nYours faithfully,\n" in text_of(wdtk, "smm-1", kind), kind


def test_a_report_counts_a_school_late_only_after_its_60th_working_day(wdtk, replica):
    """SI 2004/3364 reg 3: on Sat 11 Apr (past day 20, Tue 31 Mar; before day 60, Mon 1
    Jun) an unanswered school is not yet late, and one answered on Mon 20 Apr answered in
    time: the report's on_time says so, as `status` and `overdue` do."""
    waiting = track(wdtk, replica, 9231, MAINTAINED)
    answered = track(wdtk, replica, 9232, MAINTAINED)
    replica.add_event(9232, event(None, "response", "2026-04-20T10:00:00+01:00", text="Figures."))
    replica.add_event(
        9232,
        event(None, "status_update", "2026-04-20T11:00:00+01:00", described_state="successful"),
    )
    wdtk.run("poll", "--all", "--as-of", "2026-04-20T12:00")
    out = wdtk.run("report", "social-media-misuse", "--format", "json", "-o", "-",
                   "--as-of", "2026-04-20").stdout  # fmt: skip
    rows = {r["ref"]: r for r in json.loads(out)["requests"]}
    assert (rows[waiting]["on_time"], rows[waiting]["days_overdue"]) == (None, None)
    assert (rows[answered]["answered_on"], rows[answered]["on_time"]) == ("2026-04-20", True)
