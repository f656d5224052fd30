"""Bodies not subject to FOI (issue 28, item 1): WDTK's `foi_no` tag (Alaveteli
`PublicBody#not_subject_to_law?`). Such a body answers voluntarily: its law is "none", no
statutory due date is shown, it is never overdue, its chaser is a polite reminder, and no
internal review or complaint is ever drafted. Dates in comments are counted by hand on the
FOIA calendar (a bank holiday anywhere in the UK is not a working day)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.bodies import Body, law_for_tags, read_authorities_csv
from bot.wdtk.payload import parse_body, tag_strings
from tests.support import drafted, released_project, row, sent_request, track_into_campaign
from tests.wdtk_replica import event, make_body, make_request_doc

STAFF = make_body("staff_association", "Civil Service Staff Association", 61, ["foi_no"])
EIR_ONLY = make_body("water_company", "Example Water Ltd", 62, ["foi_no", "eir_only"])
FOIA_ACT = "Freedom of Information Act 2000"
# What a voluntary request's letters must never say: a statutory breach, lateness, the
# Act's refusal notice or its public-interest test.
STATUTORY_WORDS = ("Under the", " late", "refusal notice", "public interest", "at the latest")


@pytest.fixture
def wdtk(project, replica):
    project = released_project(project, replica)
    sent_request(project, replica, 5001, "smm-1")  # Home Office, Mon 2 Mar 2026
    project.run("poll", "--as-of", "2026-03-02T12:00")
    return project


def voluntary_request(project, replica) -> str:
    """A request to the staff association, sent Mon 2 Mar 2026 10:15 (day 0). Its
    courtesy date is the 20th working day: Tue 31 Mar (17 Mar, St Patrick's Day, is a
    Northern Ireland bank holiday)."""
    doc = make_request_doc(9201, "Staff association: social media", body=STAFF, tags=[],
                           sent_at="2026-03-02T10:15:00+00:00")  # fmt: skip
    return track_into_campaign(project, replica, doc)


def mine(project, ref, kind, day):
    return [f for f in drafted(project, kind, day)["created"] if f["request"] == ref]


def followup_text(project, ref, kind):
    return next(f for f in project.json("show", ref)["followups"] if f["kind"] == kind)["text"]


# --- the tag, from each of WDTK's three sources --------------------------------------------


@pytest.mark.parametrize(
    ("tags", "law"),
    [
        (["foi_no"], "none"),
        (["foi_no", "scotland"], "none"),  # FOISA does not apply either
        (["foi_no", "eir_only"], "eir"),  # EIR reg 2(2) reaches further than FOIA
        (["foi_no", "eir_only", "scotland"], "eisr"),
        (["charity"], "foi"),
    ],
)
def test_law_for_tags(tags, law):
    assert law_for_tags(tags) == law


def test_foi_no_read_from_all_authorities_csv(project, tmp_path):
    csv = tmp_path / "all-authorities.csv"
    csv.write_text(
        "Internal ID,Name,Short name,URL name,Tags,Home page,Publication scheme,"
        "Disclosure log,Notes,Created at,Updated at,Version\n"
        "61,Civil Service Staff Association,,staff_association,foi_no union,,,,,,,1\n"
        "62,Home Office,,home_office,central_government,,,,,,,1\n"
    )
    parsed = {b.url_name: b.law for b in read_authorities_csv(csv.read_text())}
    assert parsed == {"staff_association": "none", "home_office": "foi"}
    project.run("bodies", "import", "--file", str(csv))
    listed = {b["url_name"]: b["law"] for b in project.json("bodies", "list")}
    assert listed["staff_association"] == "none"
    assert listed["home_office"] == "foi"


def test_foi_no_read_from_body_json(wdtk, replica):
    """/body/<url_name>.json (and the same object inside a request's JSON) carries tags as
    [name, value] pairs."""
    parsed = parse_body(STAFF)
    assert Body(parsed.url_name, parsed.name, parsed.name, tag_strings(parsed.tags)).law == "none"
    # A request to a body foibot did not know: the tags WDTK sends decide.
    ref = voluntary_request(wdtk, replica)
    assert row(wdtk, ref)["law"] == "none"
    listed = {b["url_name"]: b["law"] for b in wdtk.json("bodies", "list")}
    assert listed["staff_association"] == "none"


def test_track_says_voluntary_not_due(wdtk, replica):
    """No FOI law, no due date: `track` gives the courtesy date as `status` does."""
    doc = make_request_doc(9202, "Staff association: badges", body=STAFF, tags=[],
                           sent_at="2026-03-02T10:15:00+00:00")  # fmt: skip
    replica.add_request(doc)
    out = wdtk.run("track", "9202", "--as-of", "2026-03-02T12:00").stdout
    assert "(waiting_response, voluntary, remind after 2026-03-31)" in out, out
    assert "due" not in out


def test_foi_no_read_from_inline_bodies_and_draft_names_them(project):
    project.edit_config(
        "[[campaigns]]",
        '[bodies.staff_association]\nname = "Civil Service Staff Association"\n'
        'tags = ["foi_no"]\n\n[[campaigns]]',
    )
    project.edit_config('  "home_office",', '  "home_office",\n  "staff_association",')
    out = project.run("draft", "social-media-misuse").stdout
    assert (
        "  not subject to FOI (voluntary requests: no statutory deadline, review or complaint): "
        "staff_association\n"
    ) in out
    refs = {
        r["body"]: r["ref"] for r in project.json("status", "--campaign", "social-media-misuse")
    }
    voluntary = project.json("show", refs["staff_association"])
    assert voluntary["law"] == "none"
    assert FOIA_ACT not in voluntary["letter"]
    assert "Under the" not in voluntary["letter"]
    assert "asking you to provide the following information voluntarily" in voluntary["letter"]
    # The branch's words and the next line's stay apart ("voluntarily for each year").
    assert "voluntarily\nfor each calendar year from 2021" in voluntary["letter"]
    # Every other body is still asked under its Act.
    assert (
        f"Under the {FOIA_ACT}, please provide the following information\nfor each calendar year"
        in project.json("show", refs["home_office"])["letter"]
    )
    report = project.json("draft", "social-media-misuse")
    assert report["not_subject_to_foi"] == ["staff_association"]


def test_scaffold_letter_asks_voluntarily():
    """`foibot init`'s letter template: no Act cited for a body no FOI law covers."""
    from bot.rules.sandbox import letter_environment
    from bot.scaffold import LETTER_TEXT

    env = letter_environment(__import__("pathlib").Path("."))
    template = env.from_string(LETTER_TEXT)

    def render(law, law_name):
        body = {"name": "X", "law": law, "law_name": law_name}
        return template.render(body=body, first_year=2021, last_year=2025, requester={"name": "A"})

    voluntary = render("none", "no freedom of information law (a voluntary request)")
    assert "voluntarily\nfor each calendar year from 2021 to 2025:" in voluntary
    assert "Under the" not in voluntary
    assert (
        f"Under the {FOIA_ACT}, please provide the following information\nfor each calendar year"
        in render("foi", FOIA_ACT)
    )


# --- status: never overdue, no due date -------------------------------------------------


def test_status_after_60_working_days_is_not_overdue_and_shows_no_due_date(wdtk, replica):
    """Sent Mon 2 Mar 2026; the 60th working day is Mon 1 Jun (4 May and 25 May are bank
    holidays), so Tue 2 Jun is after 60 working days with no reply."""
    ref = voluntary_request(wdtk, replica)
    # The stored `due` is the courtesy date only.
    assert row(wdtk, ref)["due"] == "2026-03-31"
    st = {s["ref"]: s for s in wdtk.json("status", "--as-of", "2026-06-02")}[ref]
    assert st["status"] == "waiting_response"
    assert st["due"] is None and st["very_overdue_after"] is None
    assert st["days_overdue"] is None
    assert st["remind_after"] == "2026-03-31"
    # The FOIA request sent the same day is very overdue (after Thu 30 Apr, its 40th day).
    assert {s["ref"]: s for s in wdtk.json("status", "--as-of", "2026-06-02")}["smm-1"][
        "status"
    ] == "waiting_response_very_overdue"
    table = wdtk.run("status", "--as-of", "2026-06-02").stdout
    line = next(ln for ln in table.splitlines() if ref in ln)
    assert "voluntary" in line and "overdue" not in line and "2026-03-31" not in line
    assert ref not in wdtk.run("overdue", "--as-of", "2026-06-02").stdout
    assert ref not in {r["ref"] for r in wdtk.json("overdue", "--as-of", "2026-06-02")}
    shown = wdtk.json("show", ref, "--as-of", "2026-06-02")
    assert shown["due"] is None and shown["remind_after"] == "2026-03-31"
    text = wdtk.run("show", ref, "--as-of", "2026-06-02").stdout
    assert "remind_after" in text and "\n  due " not in text
    out = wdtk.root / "report.json"
    wdtk.run("report", "social-media-misuse", "--as-of", "2026-06-02", "-o", str(out))
    report = json.loads(out.read_text())
    rep = next(r for r in report["requests"] if r["ref"] == ref)
    assert rep["due"] is None and rep["on_time"] is None and rep["days_overdue"] is None


# --- follow-ups: a polite reminder, never a review or a complaint --------------------------


def test_followups_draft_only_a_polite_reminder(wdtk, replica):
    ref = voluntary_request(wdtk, replica)
    # Nothing on the courtesy date itself (Tue 31 Mar); a reminder the working day after.
    assert mine(wdtk, ref, "chaser", "2026-03-31") == []
    assert mine(wdtk, ref, "chaser", "2026-04-01") == [{"ref": f"{ref}-c1", "request": ref}]
    text = followup_text(wdtk, ref, "chaser")
    assert "polite reminder" in text
    assert "which I sent on 2 March 2026" in text and "working days since" not in text
    assert "expect to reply.\n\nYours faithfully," in text
    for words in STATUTORY_WORDS:
        assert words not in text, words
    assert "Act" not in text
    # After 60 working days, and after the reminder was sent on WDTK: still no review and
    # no complaint (the very-overdue FOIA rule would want exactly that chaser).
    replica.add_event(9201, event(None, "followup_sent", "2026-04-02T10:00:00+01:00"))
    wdtk.run("poll", "--all", "--as-of", "2026-04-02T12:00")
    for day in ("2026-06-02", "2026-09-01"):
        assert mine(wdtk, ref, "internal-review", day) == []
        assert mine(wdtk, ref, "complaint", day) == []
    kinds = {f["kind"] for f in wdtk.json("show", ref)["followups"]}
    assert kinds <= {"chaser"}


def test_a_refusal_by_a_voluntary_body_gets_no_internal_review(wdtk, replica):
    ref = voluntary_request(wdtk, replica)
    replica.add_event(9201, event(None, "response", "2026-03-20T09:00:00+00:00", text="No."))
    replica.add_event(
        9201, event(None, "status_update", "2026-03-20T10:00:00+00:00", described_state="rejected")
    )
    wdtk.run("poll", "--all", "--as-of", "2026-03-20T12:00")
    st = {s["ref"]: s for s in wdtk.json("status", "--as-of", "2026-03-23")}[ref]
    assert st["status"] == "rejected" and st["review_by"] is None
    assert mine(wdtk, ref, "internal-review", "2026-03-23") == []
    assert mine(wdtk, ref, "complaint", "2026-09-01") == []


def test_extend_refuses_a_voluntary_request(wdtk, replica):
    ref = voluntary_request(wdtk, replica)
    out = wdtk.run("extend", ref, "--fee-notice", "2026-03-05", "--fee-paid", "2026-03-09",
                   expect=2)  # fmt: skip
    assert "not subject to FOI law" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


# --- EIR reach bodies FOIA does not ------------------------------------------------------


def test_foi_no_body_tagged_eir_only_keeps_its_eir_deadlines(wdtk, replica):
    """EIR reg 5(2): 20 working days (Tue 31 Mar), very overdue after the 40th (Thu 30 Apr).
    WDTK makes every request to an `eir_only` body under EIR (law_used "eir")."""
    doc = make_request_doc(9202, "Example Water: river discharges", body=EIR_ONLY, tags=[],
                           law_used="eir", sent_at="2026-03-02T10:15:00+00:00")  # fmt: skip
    ref = track_into_campaign(wdtk, replica, doc)
    stored = row(wdtk, ref)
    assert (stored["law"], stored["due"], stored["very_overdue_after"]) == (
        "eir", "2026-03-31", "2026-04-30",
    )  # fmt: skip
    st = {s["ref"]: s for s in wdtk.json("status", "--as-of", "2026-04-01")}[ref]
    assert st["status"] == "waiting_response_overdue" and st["due"] == "2026-03-31"
    assert st["days_overdue"] == 1
    assert mine(wdtk, ref, "chaser", "2026-04-01") == [{"ref": f"{ref}-c1", "request": ref}]
    assert "Environmental Information Regulations 2004" in followup_text(wdtk, ref, "chaser")


# --- the law named everywhere ------------------------------------------------------------


def test_ics_summaries_name_each_law():
    from bot.deadlines import calendar_for
    from bot.reports.table_formats import calendar_entries
    from bot.reports.tables import build_rows
    from bot.rules.status import StoredRequest

    def stored(ref, law, due, very):
        return StoredRequest(ref, "c", ref, "T", "waiting_response", 1, "t", "2026-03-02",
                             due, very, law=law)  # fmt: skip

    rows = build_rows(
        [
            stored("a", "foi", "2026-03-31", "2026-04-30"),
            stored("b", "foisa", "2026-03-30", "2026-04-28"),
            stored("c", "eisr", "2026-03-30", "2026-04-28"),
            stored("d", "none", "2026-03-31", "2026-04-30"),
        ],
        base_url="https://wdtk.invalid", today=dt.date(2026, 3, 10), calendar=calendar_for,
    )  # fmt: skip
    summaries = {uid: summary for uid, _day, summary, _row in calendar_entries(rows)}
    assert summaries == {
        "a-due@foibot": "FOI reply due: a (a)",
        "a-very-overdue@foibot": "FOI reply very overdue after: a (a)",
        "b-due@foibot": "FOISA reply due: b (b)",
        "b-very-overdue@foibot": "FOISA reply very overdue after: b (b)",
        "c-due@foibot": "EISR reply due: c (c)",
        "c-very-overdue@foibot": "EISR reply very overdue after: c (c)",
    }  # the voluntary request has no deadline to put in a calendar


# --- a campaign for environmental information ----------------------------------------------


@pytest.mark.parametrize(
    ("tags", "law"),
    [
        (["central_government"], "eir"),  # EIR reg 5: every public authority
        (["police", "scotland"], "eisr"),  # EISR reg 5
        (["foi_no", "eir_only"], "eir"),
        (["foi_no"], "none"),  # not an EIR public authority unless tagged so
        (["foi_no", "scotland"], "none"),
    ],
)
def test_law_for_tags_in_an_environmental_campaign(tags, law):
    assert law_for_tags(tags, environmental=True) == law


def test_an_environmental_campaign_asks_under_eir_and_keeps_it_after_a_poll(project, replica):
    """`environmental = true`: EIR at the Home Office, EISR at Police Scotland, EIR at a
    `foi_no` body tagged `eir_only`, and still a voluntary request at a plain `foi_no` body.
    WDTK itself records such a request as `law_used: foi` (only `eir_only` bodies get
    "eir"), so a poll must not turn it back into FOIA."""
    project.edit_config(
        "launch_at = 2026-12-01T09:00:00", "environmental = true\nlaunch_at = 2026-12-01T09:00:00"
    )
    project.edit_config(
        '  "police_scotland",\n]',
        '  "police_scotland",\n  "water_company",\n  "staff_association",\n]',
    )
    project.config.write_text(
        project.config.read_text()
        + '\n[bodies.water_company]\nname = "Example Water Ltd"\ntags = ["foi_no", "eir_only"]\n'
        + '\n[bodies.staff_association]\nname = "Civil Service Staff Association"\n'
        + 'tags = ["foi_no"]\n'
    )
    released_project(project, replica)
    laws = {r["body"]: r["law"] for r in map(lambda s: row(project, s["ref"]),
                                            project.json("status", "--campaign", "social-media-misuse"))}  # fmt: skip
    assert laws["home_office"] == "eir"
    assert laws["police_scotland"] == "eisr"
    assert laws["water_company"] == "eir"
    assert laws["staff_association"] == "none"
    letter = project.json("show", "smm-1")["letter"]
    assert "Environmental Information Regulations 2004" in letter
    assert FOIA_ACT not in letter

    sent_request(project, replica, 5001, "smm-1")  # Home Office, Mon 2 Mar 2026: law_used foi
    project.run("poll", "--as-of", "2026-03-02T12:00")
    assert row(project, "smm-1")["law"] == "eir"
    # Due Tue 31 Mar (EIR reg 5(2), 20 working days); a chaser on Wed 1 Apr names the
    # Regulations and, with no public-interest extension under EIR, never invites one.
    assert mine(project, "smm-1", "chaser", "2026-04-01") == [
        {"ref": "smm-1-c1", "request": "smm-1"}
    ]
    text = followup_text(project, "smm-1", "chaser")
    assert "Environmental Information Regulations 2004" in text
    assert "public interest" not in text
