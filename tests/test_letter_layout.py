"""Every letter foibot drafts keeps its paragraphs: a paragraph that ends in a template tag
(`{% endif %}`) must not swallow the line break after it (the environment trims blocks),
which would glue the sign-off to the last paragraph or two sentences of the first letter
into one word ("informationfor each calendar year")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot import deadlines as dl
from bot.laws import ALL_LAWS
from bot.rules.drafting import LAW_NAMES, make_environment
from bot.rules.followups import Due, History, context
from bot.scaffold import LETTER_TEXT
from bot.templating import builtin_dir

D = dt.date
SENT = "2026-02-02"
ROW = {
    "ref": "r-1", "title": "Staff disciplined", "status": "waiting_response", "law": "foi",
    "sent_on": SENT, "due": "2026-03-02", "very_overdue_after": "2026-03-31", "wdtk_id": 1,
}  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent


def followup(kind, row, cycle, today, tags=()):
    law = row["law"]
    calendar = dl.calendar_for("foi" if law == "none" else law)
    ctx = context(row, Due(kind, cycle), "The Body", today, calendar, {"name": "A Requester"},
                  "https://www.whatdotheyknow.com/request/x", None, History(), body_tags=tags)  # fmt: skip
    return make_environment(builtin_dir()).get_template(f"followups/{kind}.txt.j2").render(ctx)


@pytest.mark.parametrize("law", ALL_LAWS)
@pytest.mark.parametrize("kind", ["chaser", "nudge"])
def test_a_blank_line_before_the_sign_off(kind, law):
    row = {**ROW, "law": law}
    today = D(2026, 3, 10) if kind == "chaser" else D(2026, 2, 16)
    text = followup(kind, row, f"{SENT}:1" if kind == "chaser" else SENT, today)
    assert ".\n\nYours faithfully,\n\nA Requester" in text, text


@pytest.mark.parametrize("kind", ["chaser", "nudge"])
def test_a_blank_line_before_the_sign_off_at_a_school(kind):
    row = {**ROW, "is_school": 1, "very_overdue_after": "2026-04-30"}
    today = D(2026, 5, 5) if kind == "chaser" else D(2026, 2, 16)
    text = followup(kind, row, f"{SENT}:1" if kind == "chaser" else SENT, today, ("school",))
    assert ".\n\nYours faithfully,\n\nA Requester" in text, text


@pytest.mark.parametrize("law", ALL_LAWS)
@pytest.mark.parametrize(
    "source",
    [LETTER_TEXT, (ROOT / "templates/letters/social_media_misuse.txt.j2").read_text()],
    ids=["scaffold", "example"],
)
def test_the_first_letter_keeps_its_line_break_after_the_law(source, law):
    body = {"name": "The Body", "law": law, "law_name": LAW_NAMES[law], "tags": ["police"],
            "url_name": "b", "short_name": "b", "is_school": False}  # fmt: skip
    env = make_environment(ROOT / "templates")
    text = env.from_string(source).render(
        body=body, first_year=2021, last_year=2025, requester={"name": "R"}
    )
    ask = "voluntarily" if law == "none" else "information"
    assert f"{ask}\nfor each calendar year from 2021 to 2025:" in text, text


def test_a_school_complaint_counts_from_the_schools_limit_not_day_20():
    """SI 2004/3364 reg 3: 20 school days, at most the 60th working day (Thu 30 Apr here).
    Chased Tue 5 May; on Thu 21 May the response is 14 working days past 30 Apr (4 May
    skipped), so the complaint must not say it was due on day 20 (2 Mar)."""
    row = {**ROW, "is_school": 1, "very_overdue_after": "2026-04-30"}
    history = History(sent=((D(2026, 5, 5), False),))
    ctx = context(row, Due("complaint", f"very-overdue:{SENT}"), "The Body", D(2026, 5, 21),
                  dl.calendar_for("foi"), {"name": "A Requester"},
                  "https://www.whatdotheyknow.com/request/x", None, history,
                  body_tags=("school",))  # fmt: skip
    text = make_environment(builtin_dir()).get_template("followups/complaint.txt.j2").render(ctx)
    assert "A response was due by 2 March 2026" not in text
    assert "no later than 30 April 2026 (SI 2004/3364)" in text
    assert "I have received neither the information" in text and "days late" not in text
    assert "response due: 2026-03-02" not in text and "response due: 2026-04-30" in text


@pytest.mark.parametrize("law", ["foi", "eir"])
def test_a_review_request_after_its_window_shows_no_send_by_date_already_past(law):
    """Answered Fri 20 Feb 2026: 40 working days ran to Wed 22 Apr (17 Mar, 3 and 6 Apr
    skipped). Drafted on Wed 21 Oct, the note must not say "by 22 April 2026 at the
    latest"; under EIR (reg 11(2)) the letter claims no duty to answer late representations."""
    row = {**ROW, "law": law, "status": "rejected", "answered_at": "2026-02-20T08:00:00+00:00"}
    history = History(responses=(D(2026, 2, 20),))
    ctx = context(row, Due("internal-review", SENT), "The Body", D(2026, 10, 21),
                  dl.calendar_for(law), {"name": "A Requester"},
                  "https://www.whatdotheyknow.com/request/x", None, history)  # fmt: skip
    env = make_environment(builtin_dir())
    text = env.get_template("followups/internal-review.txt.j2").render(ctx)
    assert "by 22 April 2026 at the latest" not in text
    assert "ran out on 22 April 2026" in text
    if law == "eir":
        assert "you must respond" not in text
        assert "after the 40 working days regulation 11(2)" in text
    # In time (Mon 23 Feb) the date is still one to send by.
    ctx = context(row, Due("internal-review", SENT), "The Body", D(2026, 2, 23),
                  dl.calendar_for(law), {"name": "A Requester"},
                  "https://www.whatdotheyknow.com/request/x", None, history)  # fmt: skip
    text = env.get_template("followups/internal-review.txt.j2").render(ctx)
    assert "Ask for the review by 22 April 2026 at the latest" in text
