"""Reports and recorded figures: CSV, JSON, ICS and HTML (rendered in headless Chromium).

The seeded campaign (as of Tue 2026-03-10; FOIA calendar; February 2026 has no bank
holidays, 17 March is St Patrick's Day in NI, 3 and 6 April are Good Friday and Easter
Monday). Expected figures below are worked out by hand from these dates:

  smm-1 Home Office   sent Mon 02-02, due 03-02, reply Fri 02-13: 9 working days, on time
  smm-2 GMP           sent 02-02, due 03-02, reply Wed 03-04: 22 working days, late;
                      internal review asked 03-05, review due 04-07 (Mar 17, Apr 3, Apr 6 skipped)
  smm-3 Met Police    sent 02-02, due 03-02, no reply: overdue, 6 working days late on 03-10
  smm-4 BTP           clock restarted 02-16 (clarification), due 03-16, very overdue after
                      04-16; the body's 02-10 clarification request is not its first reply
  smm-5..7            drafts
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from bot.config import FieldSpec
from bot.errors import UsageError
from bot.reports.figures import coerce, current_values, recorded_values
from bot.store.db import Store
from tests.report_support import (
    AS_OF,
    CAMPAIGN,
    Dom,
    chromium,
    csv_rows,
    dump_dom,
    png_pixels,
    seed,
)
from tests.test_researcher import add_requests, folder, researcher  # noqa: F401 (fixtures)


def report(project, *args: str) -> bytes:
    out = project.root / "out.bin"
    project.run("report", *args, "--as-of", AS_OF, "-o", str(out))
    return out.read_bytes()


# -- HTML ------------------------------------------------------------------------------


def test_html_report_in_chromium_shows_the_expected_figures(project, tmp_path):
    seed(project)
    project.run("record", "smm-1", "dismissed=3", "final_warnings=11", "notes=Home Office reply")
    page = project.root / "report.html"
    page.write_bytes(report(project, CAMPAIGN, "--format", "html"))
    html = page.read_text(encoding="utf-8")
    # Self-contained: nothing to fetch and no script to run.
    for needle in ("<script", "<link", "<img", "url(", "@import", "<iframe"):
        assert needle not in html.lower()

    dom = Dom(dump_dom(tmp_path, page))
    # Headed by the campaign's title (its request title without the body's name).
    assert dom.title == "FOI report: Staff disciplined for social media misuse"
    assert dom.figures["sent"].startswith("4 ")
    assert dom.figures["answered"].startswith("2 ")
    # on time: smm-1 yes, smm-2 no (late), smm-3 no (overdue, unanswered); smm-4 not yet due
    assert dom.figures["answered on time"].startswith("33.3% ")  # 1/3, to one place
    assert "1 of 3" in dom.figures["answered on time"]
    assert dom.figures["overdue now"].startswith("1 ")
    assert dom.figures["median working days to the answer"].startswith("15.5 ")  # (9+22)/2
    assert dom.cells[("smm-1", "dismissed")] == "3"
    assert dom.cells[("smm-1", "final_warnings")] == "11"
    assert dom.cells[("smm-1", "working days")] == "9"
    assert dom.cells[("smm-1", "on time")] == "yes"
    assert dom.cells[("smm-2", "working days")] == "22"
    assert dom.cells[("smm-2", "on time")] == "no"
    assert dom.cells[("smm-3", "status")] == "waiting response overdue 6 working days late"
    assert dom.cells[("smm-4", "first reply")] == ""
    assert dom.cells[("smm-2", "first reply")] == dom.cells[("smm-2", "answer")] == "2026-03-04"
    assert dom.cells[("smm-5", "status")] == "draft"
    # The counting rule as the code applies it: answers, not first replies.
    footer = " ".join("".join(dom.text).split())
    assert (
        "An acknowledgement, a holding letter or a reply nobody has classified is a reply" in footer
    )
    svgs = [a for t, a in dom.elements if t == "svg"]
    assert len(svgs) == 2  # timeline and status breakdown
    bars = [a for t, a in dom.elements if t == "rect" and a.get("rx") == "2"]
    assert len(bars) == 4 + 5  # a bar per sent request; a bar per distinct status


def test_html_report_renders_at_phone_width(project, tmp_path):
    seed(project)
    page = project.root / "report.html"
    page.write_bytes(report(project, CAMPAIGN, "--format", "html"))
    shot = tmp_path / "phone.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=390,1200", "--hide-scrollbars",
             page.as_uri())  # fmt: skip
    width, height, rows = png_pixels(shot)
    assert (width, height) == (390, 1200)
    background = rows[0][0]
    pixels = [p for row in rows[::3] for p in row[::3]]
    assert len(set(pixels)) > 20, "the screenshot is (nearly) one colour"
    assert sum(p != background for p in pixels) / len(pixels) > 0.03, "almost nothing was drawn"
    # Content reaches across the phone's width: the layout is not a desktop page shrunk.
    right_half = {p for row in rows[::3] for p in row[width // 2 :: 3]}
    assert len(right_half) > 5


PAYLOADS = {
    "img": "<img src=x onerror=\"document.title='pwned-img'\">",
    "script": "<script>document.title='pwned-script'</script>",
    "svg": '"><svg onload="document.title=\'pwned-svg\'">',
}


def test_detector_catches_a_payload_that_runs(tmp_path):
    # Control for the next test: the same payloads, unescaped, do change the title.
    page = tmp_path / "control.html"
    page.write_text(f"<html><head><title>ok</title></head><body>{PAYLOADS['img']}</body></html>")
    assert Dom(dump_dom(tmp_path, page)).title == "pwned-img"


def test_xss_payloads_in_titles_and_body_names_render_as_text(project, tmp_path):
    seed(
        project,
        titles={"smm-1": PAYLOADS["script"], "smm-3": PAYLOADS["svg"]},
        body_names={"gmp": PAYLOADS["img"], "home_office": PAYLOADS["svg"]},
    )
    project.run("record", "smm-1", f"notes={PAYLOADS['script']}")
    page = project.root / "report.html"
    page.write_bytes(report(project, CAMPAIGN, "--format", "html"))
    dom = Dom(dump_dom(tmp_path, page))
    assert dom.title == "FOI report: Staff disciplined for social media misuse"
    tags = [t for t, _ in dom.elements]
    assert "script" not in tags and "img" not in tags
    assert tags.count("svg") == 2
    handlers = [(t, k) for t, a in dom.elements for k in a if k.startswith("on")]
    assert handlers == []
    text = "".join(dom.text)
    for payload in PAYLOADS.values():
        assert payload in text  # shown to the reader, literally


def test_html_timeline_caption_says_bars_run_to_the_answer(project):
    """A bar ends at the answer, not the first reply (an acknowledgement, or smm-4's
    clarification request of 02-10): the caption says what the bar shows."""
    seed(project)
    html = report(project, CAMPAIGN, "--format", "html").decode()
    assert "sent to its answer (or to 2026-03-10 while waiting)" in html
    assert "to its first reply" not in html


# -- CSV ------------------------------------------------------------------------------


def test_csv_has_a_row_per_request_with_timeliness_and_figures(project):
    seed(project)
    project.run("record", "smm-1", "dismissed=3", "--note", "reply of 13 Feb")
    rows = {r["ref"]: r for r in csv_rows(report(project, CAMPAIGN, "--format", "csv"))}
    assert list(rows) == [f"smm-{n}" for n in range(1, 8)]
    one, two, three, four = rows["smm-1"], rows["smm-2"], rows["smm-3"], rows["smm-4"]
    assert (one["body"], one["body_name"], one["url"]) == (
        "home_office",
        "Home Office",
        "https://www.whatdotheyknow.com/request/smm_home_office",
    )
    assert (one["first_response_on"], one["working_days_to_first_response"], one["on_time"]) == (
        "2026-02-13",
        "9",
        "yes",
    )
    assert (one["dismissed"], one["final_warnings"]) == ("3", "")
    assert (two["working_days_to_first_response"], two["on_time"], two["status"]) == (
        "22",
        "no",
        "internal_review",
    )
    assert (two["review_requested_on"], two["review_due"]) == ("2026-03-05", "2026-04-07")
    assert (three["status"], three["days_overdue"], three["on_time"]) == (
        "waiting_response_overdue",
        "6",
        "no",
    )
    assert (four["first_response_on"], four["on_time"], four["very_overdue_after"]) == (
        "",
        "",
        "2026-04-16",
    )
    assert rows["smm-7"]["status"] == "draft" and rows["smm-7"]["law"] == "foisa"


def test_csv_neutralises_formula_cells(project):
    evil = {
        "smm-1": '=HYPERLINK("http://evil.example","click")',
        "smm-2": "+SUM(1,2)",
        "smm-3": "@cmd|' /C calc'!A0",
        "smm-4": "-2+3",
        "smm-5": "\t=1+1",
        "smm-6": "\r=1+1",
    }
    seed(project, titles=evil, body_names={"home_office": "=1+1"})
    # A field that may go negative (a change on last year, say): counts default to min 0.
    project.edit_config(
        'name = "dismissed"\ntype = "int"', 'name = "dismissed"\ntype = "int"\nmin = -5'
    )
    project.run("record", "smm-1", "notes=@SUM(A1)", "dismissed=-1")
    data = report(project, CAMPAIGN, "--format", "csv")
    rows = {r["ref"]: r for r in csv_rows(data)}
    for ref, title in evil.items():
        assert rows[ref]["title"] == "'" + title
    assert rows["smm-1"]["body_name"] == "'=1+1"
    assert rows["smm-1"]["notes"] == "'@SUM(A1)"
    # A recorded int is a number, not text a spreadsheet could run.
    assert rows["smm-1"]["dismissed"] == "-1"
    for row in rows.values():
        for column, cell in row.items():
            if column not in ("dismissed",):
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    assert not data.startswith(b"\xef\xbb\xbf")


def test_csv_for_excel_starts_with_a_bom(project):
    seed(project, body_names={"home_office": "Swyddfa Gartref – Home Office"})
    plain = report(project, CAMPAIGN, "--format", "csv")
    excel = report(project, CAMPAIGN, "--format", "csv", "--excel")
    assert excel == b"\xef\xbb\xbf" + plain
    assert "Swyddfa Gartref – Home Office" in plain.decode("utf-8")


def test_all_by_body_reports_each_bodys_timeliness_across_campaigns(project):
    seed(project)
    # A request tracked outside any campaign, to the Home Office: sent Mon 2026-01-05,
    # due Mon 02-02, replied Mon 02-09 = 25 working days (no holidays in that span).
    store = Store(project.db)
    with store.transaction():
        store.db["requests"].insert(
            {"ref": "trk-1", "campaign": None, "body": "home_office", "title": "Other request",
             "law": "foi", "status": "successful", "wdtk_id": 7001, "url_title": "other",
             "sent_on": "2026-01-05", "due": "2026-02-02", "very_overdue_after": "2026-03-02",
             "answered_at": "2026-02-09T10:00:00+00:00"}
        )  # fmt: skip
        store.log("trk-1", "response", at="2026-02-09T10:00:00+00:00", wdtk_event_id=1)
    store.close()
    bodies = {
        r["body"]: r for r in csv_rows(report(project, "--all", "--by", "body", "--format", "csv"))
    }
    assert set(bodies) == {"home_office", "gmp", "the_met",
                           "btp"}  # fmt: skip
    home = bodies["home_office"]
    assert (home["sent"], home["answered"], home["answered_on_time"]) == ("2", "2", "1")
    assert float(home["answered_on_time_pct"]) == 50.0
    assert float(home["median_working_days_to_first_response"]) == 17.0  # (9 + 25) / 2
    met = bodies["the_met"]
    assert (met["overdue_now"], met["max_days_overdue"], met["answered"]) == ("1", "6", "0")
    assert bodies["btp"]["answered_on_time_pct"] == ""  # not yet due

    data = json.loads(report(project, "--all", "--by", "body", "--format", "json"))
    assert data["summary"]["sent"] == 5 and data["summary"]["overdue_now"] == 1
    # One campaign by body leaves out the request tracked outside it.
    campaign = json.loads(report(project, CAMPAIGN, "--by", "body", "--format", "json"))
    home = next(b for b in campaign["bodies"] if b["body"] == "home_office")
    assert (home["sent"], home["answered_on_time_pct"]) == (1, 100.0)
    assert len(campaign["bodies"]) == 4 and campaign["summary"]["sent"] == 4
    page = report(project, "--all", "--by", "body", "--format", "html").decode()
    assert "Timeliness by body" in page and "1 of 2 (50%)" in page


# -- JSON -----------------------------------------------------------------------------


def test_json_has_the_rows_and_each_requests_events(project):
    seed(project)
    project.run("record", "smm-2", "dismissed=4", "notes=four")
    data = json.loads(report(project, CAMPAIGN, "--format", "json"))
    assert data["as_of"] == AS_OF and data["summary"]["answered"] == 2
    two = next(r for r in data["requests"] if r["ref"] == "smm-2")
    assert two["values"] == {"dismissed": 4, "final_warnings": None, "other_action": None,
                             "notes": "four"}  # fmt: skip
    assert two["first_response_on"] == "2026-03-04" and two["on_time"] is False
    kinds = [e["kind"] for e in two["events"]]
    assert kinds[-5:] == ["sent", "response", "response", "recorded", "recorded"]
    assert all(e["ref"] == "smm-2" for e in two["events"])


# -- ICS ------------------------------------------------------------------------------


def test_ics_parses_back_to_the_deadlines_with_stable_uids(project):
    from icalendar import Calendar

    seed(project)

    def events(as_of: str) -> dict[str, dt.date]:
        out = project.root / "deadlines.ics"
        project.run("report", CAMPAIGN, "--format", "ics", "--as-of", as_of, "-o", str(out))
        cal = Calendar.from_ical(out.read_bytes())
        found = {}
        for event in cal.walk("VEVENT"):
            start = event.decoded("dtstart")
            assert type(start) is dt.date, "deadlines are all-day events"
            assert event.decoded("dtend") == start + dt.timedelta(days=1)
            uid = str(event["uid"])
            assert uid not in found
            found[uid] = start
        return found

    first = events(AS_OF)
    assert first["smm-1-due@foibot"] == dt.date(2026, 3, 2)
    assert first["smm-1-very-overdue@foibot"] == dt.date(2026, 3, 31)
    assert first["smm-4-due@foibot"] == dt.date(2026, 3, 16)
    assert first["smm-4-very-overdue@foibot"] == dt.date(2026, 4, 16)
    assert first["smm-2-review-due@foibot"] == dt.date(2026, 4, 7)
    assert len(first) == 4 * 2 + 1  # drafts have no deadlines yet
    # Re-exporting later gives the same UIDs, so a calendar updates instead of duplicating.
    assert events("2026-04-20") == first


# -- record ---------------------------------------------------------------------------


def test_record_keeps_history_and_the_latest_wins(project):
    seed(project)
    project.run("record", "smm-1", "dismissed=2", "--note", "first reading")
    project.run("record", "smm-1", "dismissed=3", "notes=corrected in table 2")
    conn = sqlite3.connect(project.db)
    details = [
        json.loads(d)
        for (d,) in conn.execute(
            "SELECT detail FROM events WHERE ref = 'smm-1' AND kind = 'recorded' ORDER BY id"
        )
    ]
    conn.close()
    assert [(d["field"], d["value"]) for d in details] == [
        ("dismissed", 2),
        ("dismissed", 3),
        ("notes", "corrected in table 2"),
    ]
    assert details[0]["note"] == "first reading"
    store = Store(project.db)
    assert recorded_values(store, "smm-1") == {"dismissed": 3, "notes": "corrected in table 2"}
    assert recorded_values(store, "smm-2") == {}
    store.close()
    out = project.json("record", "smm-1", "final_warnings=1,204")
    assert out["values"] == {
        "dismissed": 3,
        "notes": "corrected in table 2",
        "final_warnings": 1204,
    }


@pytest.mark.parametrize(
    "args,named",
    [
        (["dismissed=three"], "dismissed"),
        (["final_warnings=1.5"], "final_warnings"),
        (["dismissed=3", "other_action=-1"], "other_action"),
        (["dimissed=3"], "dimissed"),
        (["dismissed"], "dismissed"),
        (["dismissed=1", "dismissed=2"], "dismissed"),
    ],
)
def test_record_bad_values_exit_2_naming_the_field_and_write_nothing(project, args, named):
    seed(project)
    before = project.dump()
    result = project.run("record", "smm-1", *args, expect=2)
    assert f"'{named}'" in result.stderr or repr(named) in result.stderr, result.stderr
    assert project.dump() == before


def test_record_unknown_ref_exits_2(project):
    seed(project)
    assert "no request" in project.run("record", "nope-1", "dismissed=1", expect=2).stderr


@pytest.mark.parametrize(
    "kind,raw,value",
    [
        ("int", " 42 ", 42),
        ("int", "<5", "<5"),
        ("int", "refused:s12", "refused (s.12)"),
        ("int", "12,345", 12345),
        ("bool", "Yes", True),
        ("bool", "0", False),
        ("bool", "FALSE", False),
        ("date", "2026-03-04", "2026-03-04"),
        ("text", "  as written ", "  as written "),
    ],
)
def test_coerce_accepts(kind, raw, value):
    got = coerce(FieldSpec("f", kind), raw)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    "kind,raw",
    [("int", "1,23"), ("int", "3.0"), ("int", ""), ("int", "-7"), ("bool", "maybe"), ("date", "04/03/2026"),
     ("date", "2026-02-30"), ("date", "20260304")],
)  # fmt: skip
def test_coerce_refuses_naming_the_field(kind, raw):
    with pytest.raises(UsageError, match="'my_field'"):
        coerce(FieldSpec("my_field", kind), raw)


def test_current_values_ignore_other_events_and_take_the_latest():
    events = [
        {"kind": "recorded", "detail": {"field": "a", "value": 1}},
        {"kind": "response", "detail": {"field": "a", "value": 99}},
        {"kind": "recorded", "detail": {"field": "a", "value": 2}},
        {"kind": "recorded", "detail": {"field": "b", "value": "x"}},
    ]
    assert current_values(events) == {"a": 2, "b": "x"}


# -- usage ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,message",
    [
        ([], "CAMPAIGN or --all"),
        ([CAMPAIGN, "--all"], "CAMPAIGN or --all"),
        ([CAMPAIGN, "--format", "html", "--excel"], "--excel"),
        (["--all", "--by", "body", "--format", "ics"], "--by body"),
        (["social-media-misue"], "did you mean 'social-media-misuse'"),
    ],
)
def test_report_usage_errors_exit_2(project, args, message):
    seed(project)
    assert message in project.run("report", *args, expect=2).stderr


def test_report_format_follows_the_output_suffix(project):
    seed(project)
    out = project.root / "deadlines.ics"
    project.run("report", CAMPAIGN, "-o", str(out))
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR")
    # HTML never goes to a terminal: without -o the report is a file in state/.
    written = project.run("report", CAMPAIGN).stdout
    page = project.root / "state" / f"report-{CAMPAIGN}.html"
    assert str(page) in written and "<" not in written
    assert page.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert project.run("report", CAMPAIGN, "-o", "-").stdout.startswith("<!doctype html>")


def test_show_prints_recorded_figures(project):
    project.run("draft", "social-media-misuse")
    project.run("record", "smm-2", "dismissed=4", "final_warnings=3")
    assert project.json("show", "smm-2")["recorded"] == {"dismissed": 4, "final_warnings": 3}
    assert (
        "recorded             dismissed=4, final_warnings=3" in project.run("show", "smm-2").stdout
    )


def test_status_breakdown_labels_fit_inside_the_chart(tmp_path):
    # Measured by the browser: the longest WDTK status must not be cut at the SVG's edge.
    from bot.reports.charts import status_bars_svg

    svg = status_bars_svg([("waiting_response_very_overdue", 2), ("internal_review_overdue", 1)])
    page = tmp_path / "bars.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><title></title></head><body>{svg}<script>"
        "var xs = Array.from(document.querySelectorAll('text'), t => t.getBBox().x);"
        "document.title = 'left:' + Math.floor(Math.min.apply(null, xs));"
        "</script></body></html>",
        encoding="utf-8",
    )
    left = int(Dom(dump_dom(tmp_path, page)).title.removeprefix("left:"))
    assert left >= 0, f"a label starts {-left}px left of the chart"


# -- what is counted ---------------------------------------------------------------------


def test_by_body_rounds_percentages_and_has_no_empty_body_row(project):
    seed(project)
    # Two more Home Office requests tracked outside the campaign: trk-1 answered late
    # (due Mon 02-02, answered Mon 02-09), trk-2 unanswered and past its due date (02-02).
    # With smm-1 (on time), the Home Office answered 1 of 3 on time: 33.3%, not 33.33….
    # trk-9 is a tracked URL WDTK never returned: hidden, no body, no date it was sent.
    late = {"campaign": None, "body": "home_office", "law": "foi", "sent_on": "2026-01-05",
            "due": "2026-02-02", "very_overdue_after": "2026-03-02"}  # fmt: skip
    store = Store(project.db)
    with store.transaction():
        store.db["requests"].insert_all(
            [
                {**late, "ref": "trk-1", "title": "One", "status": "successful",
                 "wdtk_id": 7001, "url_title": "one", "answered_at": "2026-02-09T10:00:00+00:00"},
                {**late, "ref": "trk-2", "title": "Two", "status": "waiting_response",
                 "wdtk_id": 7002, "url_title": "two"},
                {"ref": "trk-9", "campaign": None, "body": None, "title": "no_such_request",
                 "status": "hidden", "url_title": "no_such_request"},
            ]
        )  # fmt: skip
    store.close()
    rows = csv_rows(report(project, "--all", "--by", "body", "--format", "csv"))
    bodies = {r["body"]: r for r in rows}
    assert set(bodies) == {"home_office", "gmp", "the_met",
                           "btp"}  # fmt: skip
    home = bodies["home_office"]
    assert (home["sent"], home["answered_on_time"], home["answered_on_time_pct"]) == (
        "3",
        "1",
        "33.3",
    )
    # GMP: answered late, 0 of 1; the Met: unanswered past due, 0 of 1.
    assert bodies["gmp"]["answered_on_time_pct"] == "0.0"
    data = json.loads(report(project, "--all", "--by", "body", "--format", "json"))
    # `--by body` reads the requests on WDTK (not the 3 drafts): smm-1..4 and trk-1, trk-2,
    # trk-9; sent: all but trk-9.
    assert (data["summary"]["requests"], data["summary"]["sent"]) == (7, 6)
    # On time overall: smm-1 of smm-1..3, trk-1, trk-2 = 1 of 5 = 20%.
    assert data["summary"]["answered_on_time_pct"] == 20.0
    home = next(b for b in data["bodies"] if b["body"] == "home_office")
    assert home["answered_on_time_pct"] == 33.3
    page = report(project, "--all", "--by", "body", "--format", "html").decode()
    assert "1 of 3 (33.3%)" in page


def test_a_group_report_does_not_count_a_url_wdtk_never_returned_as_sent(
    researcher,  # noqa: F811 (the fixture imported above)
    replica,
):
    urls = add_requests(replica, 8700, 2)
    researcher.run("track", *urls, "/request/no_such_request", "--group", "potholes", expect=1)
    data = json.loads(
        researcher.run("report", "--group", "potholes", "--format", "json", "-o", "-").stdout
    )
    assert sorted(r["ref"] for r in data["requests"]) == [
        "wdtk-8700", "wdtk-8701", "wdtk-no_such_request",
    ]  # fmt: skip
    assert (data["summary"]["requests"], data["summary"]["sent"]) == (3, 2)
    assert data["title"] == "potholes"  # a group is headed by its name
    by_body = researcher.run(
        "report", "--group", "potholes", "--by", "body", "--format", "csv", "-o", "-"
    ).stdout
    assert [(r["body"], r["sent"]) for r in csv_rows(by_body.encode())] == [("home_office", "2")]
    html = researcher.run("report", "--group", "potholes", "--format", "html", "-o", "-").stdout
    assert "<h1>FOI report: potholes</h1>" in html
    assert 'data-figure="sent"><div class="value">2</div>' in html


def test_timeline_rows_of_one_body_are_told_apart_by_ref():
    """A tracked group's requests to one council each get a row labelled with its ref as
    well; a body with one request keeps its name alone."""
    from bot.reports.charts import TimelineItem, timeline_svg

    day = dt.date(2026, 3, 2)
    items = [
        TimelineItem(f"wdtk-{n}", "Bristol City Council", day, None, day, "waiting")
        for n in (101, 102)
    ] + [TimelineItem("smm-1", "Home Office", day, None, day, "waiting")]
    svg = str(timeline_svg(items, day))
    assert ">Bristol City Council wdtk-101</text>" in svg
    assert ">Bristol City Council wdtk-102</text>" in svg
    assert ">Home Office</text>" in svg
