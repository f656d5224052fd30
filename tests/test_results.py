"""Figures as real FOI answers give them, per-year fields, bulk entry, the results table,
and searching the replies.

The seed story: the example campaign (departments and police forces asked how many staff
were disciplined for social-media misuse), with its three count fields split per calendar
year 2021–2025 from the campaign's `vars`. Expected totals are worked out by hand below.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.config import FieldSpec
from bot.errors import UsageError
from bot.reports.figures import (
    CsvRow,
    Entry,
    Figure,
    Target,
    changed_rows,
    csv_targets,
    parse_figure,
    suggestions,
)
from bot.reports.results import total
from bot.store.db import Store
from bot.wording import campaign_title
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

PER_YEAR = 'periods = { from = "first_year", to = "last_year" }'


def per_year(project) -> None:
    for name in ("dismissed", "final_warnings", "other_action"):
        project.edit_config(
            f'name = "{name}"\ntype = "int"', f'name = "{name}"\ntype = "int"\n{PER_YEAR}'
        )


def recorded_details(project, ref: str) -> list[dict]:
    conn = sqlite3.connect(project.db)
    rows = conn.execute(
        "SELECT detail FROM events WHERE ref = ? AND kind = 'recorded' ORDER BY id", [ref]
    ).fetchall()
    conn.close()
    return [json.loads(d) for (d,) in rows]


# -- values real answers give ---------------------------------------------------------


def test_a_bound_is_stored_structured_and_shown_as_written(project):
    seed(project)
    project.run(
        "record", "smm-3", "dismissed=<5", "final_warnings=withheld:s40", "other_action=not_held"
    )
    (d1, d2, d3) = recorded_details(project, "smm-3")
    assert (d1["value"], d1["qualifier"]) == (5, "<")
    assert (d2["value"], d2["qualifier"], d2["exemption"]) == (None, "withheld", "s40")
    assert (d3["value"], d3["qualifier"]) == (None, "not_held")
    out = project.root / "r.csv"
    project.run("report", CAMPAIGN, "--as-of", AS_OF, "-o", str(out))
    row = {r["ref"]: r for r in csv_rows(out.read_bytes())}["smm-3"]
    assert (row["dismissed"], row["final_warnings"], row["other_action"]) == (
        "<5",
        "withheld (s.40)",
        "not held",
    )
    wide = csv_rows(
        project.run("results", CAMPAIGN, "--format", "csv", "--as-of", AS_OF).stdout.encode()
    )
    met = next(r for r in wide if r["Body"] == "Metropolitan Police Service")
    assert met["Staff dismissed for social media misuse"] == "<5"


@pytest.mark.parametrize("value", ["-1", "-3", "<-1"])
def test_a_negative_count_is_refused_with_exit_2(project, value):
    seed(project)
    before = project.dump()
    result = project.run("record", "smm-1", f"dismissed={value}", expect=2)
    assert "'dismissed'" in result.stderr and "negative" in result.stderr
    assert project.dump() == before


def test_min_and_max_from_the_config_bound_a_field(project):
    project.edit_config(
        'name = "dismissed"\ntype = "int"', 'name = "dismissed"\ntype = "int"\nmax = 500'
    )
    seed(project)
    assert "at most 500" in project.run("record", "smm-1", "dismissed=501", expect=2).stderr
    project.run("record", "smm-1", "dismissed=500")


def test_an_empty_value_clears_and_the_history_keeps_both(project):
    seed(project)
    project.run("record", "smm-1", "dismissed=3", "notes=first")
    out = project.json("record", "smm-1", "dismissed=")
    assert out["values"] == {"notes": "first"}
    assert [d.get("cleared") for d in recorded_details(project, "smm-1")] == [None, None, True]


@pytest.mark.parametrize(
    "raw,text,value,qualifier,exemption",
    [
        ("<5", "<5", 5, "<", ""),
        ("≤10", "≤10", 10, "<=", ""),
        ("<= 10", "≤10", 10, "<=", ""),
        (">100", ">100", 100, ">", ""),
        ("1,204", "1204", 1204, "", ""),
        ("withheld:s40", "withheld (s.40)", None, "withheld", "s40"),
        ("Withheld (s.40(2))", "withheld (s.40(2))", None, "withheld", "s40(2)"),
        ("refused:s12", "refused (s.12)", None, "refused", "s12"),
        ("not held", "not held", None, "not_held", ""),
        ("N/A", "n/a", None, "n/a", ""),
    ],
)
def test_parse_figure(raw, text, value, qualifier, exemption):
    fig = parse_figure(FieldSpec("f", "int"), raw)
    assert (fig.text, fig.value, fig.qualifier, fig.exemption) == (
        text,
        value,
        qualifier,
        exemption,
    )


@pytest.mark.parametrize(
    "raw", ["not_held:s40", "n/a:s12", "withheld:", "withheld:s 40 x", "<5.5", "~5"]
)
def test_parse_figure_refuses(raw):
    with pytest.raises(UsageError, match="'f'"):
        parse_figure(FieldSpec("f", "int"), raw)


# -- totals ---------------------------------------------------------------------------


def figs(*raws: str | None) -> list[Figure | None]:
    spec = FieldSpec("f", "int")
    return [parse_figure(spec, r) if r is not None else None for r in raws]


@pytest.mark.parametrize(
    "raws,text,note",
    [
        (["3", "12", "9"], "24", "3 bodies counted"),
        (["3", "12", "<5"], "15–19", "3 bodies counted"),  # <5 adds 0 to 4
        (["3", "≤10", ">100"], "≥ 104", "3 bodies counted"),  # >100: at least 101, no upper end
        (["3", "withheld:s40", "refused:s12", "28"], "≥ 31",
         "2 bodies counted; not counted: 1 body withheld, 1 body refused"),
        (["3", "not_held", "n/a"], "3", "1 body counted; not counted: 1 body not held, 1 body n/a"),
        # A body yet to answer leaves the total open.
        (["3", None], "≥ 3", "1 body counted; not counted: 1 body with no figure yet"),
        # Nothing to add up: the answer itself, never a 0.
        (["not_held", "not_held"], "not held", ""),
        (["n/a", "n/a", "n/a"], "n/a", ""),
        (["withheld:s40", "withheld"], "withheld", ""),
        (["not_held", "n/a"], "not held / n/a", "not counted: 1 body not held, 1 body n/a"),
        ([None, "refused"], "–", "not counted: 1 body refused, 1 body with no figure yet"),
        ([None, None], "–", ""),  # nothing recorded yet: nothing to say
        ([None, "not_held"], "–", "not counted: 1 body not held, 1 body with no figure yet"),
    ],
)  # fmt: skip
def test_totals_keep_bounds_and_withheld_values_visible(raws, text, note):
    cell = total(figs(*raws), ("body", "bodies"))
    assert (cell.text, cell.note) == (text, note)


# -- per-period figures ---------------------------------------------------------------


def test_periods_come_from_the_campaign_vars(project):
    per_year(project)
    seed(project)
    project.run(
        "record",
        "smm-1",
        "dismissed:2021=3",
        "dismissed:2025=<5",
        "final_warnings:2022=refused:s12",
    )
    values = project.json("show", "smm-1")["recorded"]
    assert values == {
        "dismissed:2021": 3,
        "dismissed:2025": "<5",
        "final_warnings:2022": "refused (s.12)",
    }
    err = project.run("record", "smm-1", "dismissed=3", expect=2).stderr
    assert "dismissed:2021=VALUE" in err
    err = project.run("record", "smm-1", "dismissed:2020=3", expect=2).stderr
    assert "no period '2020'" in err and "2021, 2022, 2023, 2024, 2025" in err
    assert "no periods" in project.run("record", "smm-1", "notes:2021=x", expect=2).stderr
    # With no values, `record` shows reply lines and how to record: with the periods.
    add_reply(project, "smm-1", REPLY)
    hint = project.run("record", "smm-1").stdout
    assert (
        "Confirm with `foibot record smm-1 FIELD[:PERIOD]=VALUE` (periods of dismissed: "
        "2021, 2022, 2023, 2024, 2025; final_warnings: 2021, 2022, 2023, 2024, 2025; "
        "other_action: 2021, 2022, 2023, 2024, 2025)." in hint
    ), hint


@pytest.mark.parametrize(
    "periods,message",
    [
        ('{ from = "first_yr", to = "last_year" }', "did you mean 'first_year'"),
        ("{ from = 2025, to = 2021 }", "not a range"),
        ('["2021", "2021"]', "duplicate period"),
        ('["20:21"]', "a period is a label"),
        ("[]", "at least one period"),
    ],
)
def test_bad_periods_in_the_config_exit_2_naming_the_key(project, periods, message):
    project.edit_config(
        'name = "dismissed"\ntype = "int"', f'name = "dismissed"\ntype = "int"\nperiods = {periods}'
    )
    result = project.run("status", expect=2)
    assert "campaigns[0].fields[0].periods" in result.stderr and message in result.stderr


# -- bulk entry -----------------------------------------------------------------------


def refused_sheet(project, text: str) -> str:
    """`record --from-csv` of `text`: refused whole (exit 2), nothing recorded; its stderr."""
    per_year(project)
    seed(project)
    before = project.dump()
    sheet = project.root / "figures.csv"
    sheet.write_text(text, encoding="utf-8")
    result = project.run("record", "--from-csv", str(sheet), expect=2)
    assert "nothing recorded" in result.stderr
    assert project.dump() == before
    return result.stderr


def test_bulk_csv_with_one_bad_row_applies_nothing_and_names_the_line(project):
    err = refused_sheet(
        project,
        "ref,field,period,value,note\n"
        "smm-1,dismissed,2021,3,table 1\n"
        "the_met,dismissed,2021,<5,\n"
        "smm-2,dismissed,2021,-2,\n"
        "smm-2,final_warnings,2021,4,\n",
    )
    assert "line 4" in err and "negative" in err
    assert "line 2" not in err and "line 3" not in err


def test_bulk_csv_with_a_quote_left_open_names_its_line(project):
    """A quote never closed would take every later line into one note: refused, naming it."""
    err = refused_sheet(
        project,
        'ref,field,period,value,note\nsmm-1,dismissed,2021,3,"table 1\nsmm-2,dismissed,2021,4,\n',
    )
    assert "line 3" in err and "unexpected end of data" in err


def test_bulk_csv_applies_all_rows_by_ref_or_body(project):
    per_year(project)
    seed(project)
    sheet = project.root / "figures.csv"
    sheet.write_text(
        "ref,field,period,value,note\n"
        "smm-1,dismissed,2021,3,table 1\n"
        "the_met,dismissed:2022,,<5,\n"
        "smm-2,notes,,no figures before 2023,\n",
        encoding="utf-8",
    )
    assert (
        "Recorded 3 values for 3 requests" in project.run("record", "--from-csv", str(sheet)).stdout
    )
    assert project.json("show", "smm-3")["recorded"] == {"dismissed:2022": "<5"}
    assert recorded_details(project, "smm-1")[0]["note"] == "table 1"


def test_csv_targets_name_requests_by_ref_or_by_a_body_with_one_request():
    dismissed = (FieldSpec("dismissed", "int", "Staff dismissed"),)
    requests = [
        {"ref": "a-1", "campaign": "x", "body": "home_office"},
        {"ref": "a-2", "campaign": "x", "body": "met"},
        {"ref": "a-3", "campaign": None, "body": "met"},
        {"ref": "a-4", "campaign": "x", "body": "a-1"},  # a body named like a ref
        {"ref": "a-5", "campaign": "x", "body": None},
    ]
    targets = csv_targets(requests, {"x": dismissed})
    assert targets["a-1"] == Target("a-1", dismissed)  # the ref, not a-4's body
    assert targets["a-3"] == Target("a-3", ())  # outside a campaign: no fields
    assert targets["home_office"] == Target("a-1", dismissed)
    assert targets["met"] == Target(
        None, problem="body 'met' has more than one request (a-2, a-3): give the ref or --campaign"
    )
    assert set(targets) == {"a-1", "a-2", "a-3", "a-4", "a-5", "home_office", "met"}
    one_campaign = csv_targets(requests, {"x": dismissed}, "x")
    assert one_campaign["met"].problem.endswith("(a-2, a-3): give the ref")


def test_changed_rows_leave_out_a_figure_already_recorded():
    def row(ref: str, figure: Figure | None) -> CsvRow:
        return CsvRow(2, ref, Entry("dismissed", None, figure), None)

    current = {"a-1": {"dismissed": Figure(3, written="3")}}
    same = row("a-1", Figure(3, written="three"))  # written differently, the same figure
    bound = row("a-1", Figure(3, "<"))
    cleared, new = row("a-1", None), row("a-2", Figure(3))
    assert changed_rows([same, bound, cleared, new], current) == [bound, cleared, new]


def test_the_template_lists_every_body_field_and_period_and_round_trips(project):
    per_year(project)
    seed(project)
    project.run("record", "smm-1", "dismissed:2021=<5", "final_warnings:2023=refused:s12")
    sheet = project.root / "template.csv"
    project.run("results", CAMPAIGN, "--template", "-o", str(sheet))
    rows = csv_rows(sheet.read_bytes())
    # 7 bodies × (3 fields × 5 years + notes)
    assert len(rows) == 7 * (3 * 5 + 1)
    filled = {(r["ref"], r["field"], r["period"]): r["value"] for r in rows}
    assert filled[("smm-1", "dismissed", "2021")] == "<5"
    assert filled[("smm-1", "final_warnings", "2023")] == "refused (s.12)"
    assert filled[("smm-2", "dismissed", "2021")] == ""
    # Filled in as printed, it imports back as no change at all.
    before = project.dump()
    assert "Recorded 0 values" in project.run("record", "--from-csv", str(sheet)).stdout
    assert project.dump() == before


# -- the results table ----------------------------------------------------------------

SEED_FIGURES = """ref,field,period,value
home_office,dismissed,2021,3
home_office,dismissed,2022,<5
home_office,dismissed,2023,withheld:s40
the_met,dismissed,2021,12
the_met,dismissed,2022,refused:s12
gmp,dismissed,2021,not_held
gmp,dismissed,2022,7
home_office,notes,,Figures from table 1
"""


def seeded_results(project) -> None:
    per_year(project)
    seed(project)
    sheet = project.root / "seed.csv"
    sheet.write_text(SEED_FIGURES, encoding="utf-8")
    project.run("record", "--from-csv", str(sheet))


def test_results_html_has_description_headers_totals_and_reasons_in_chromium(project, tmp_path):
    seeded_results(project)
    page = project.root / "results.html"
    project.run("results", CAMPAIGN, "--format", "html", "--as-of", AS_OF, "-o", str(page))
    html = page.read_text(encoding="utf-8")
    for needle in ("<script", "<link", "<img", "url(", "@import", "<iframe"):
        assert needle not in html.lower()
    dom = Dom(dump_dom(tmp_path, page))
    heads = [a for t, a in dom.elements if t == "th" and a.get("data-field")]
    assert [a["data-field"] for a in heads] == ["dismissed", "final_warnings", "other_action"]
    text = " ".join("".join(dom.text).split())
    assert "Staff dismissed for social media misuse" in text and "final_warnings" not in text
    assert dom.cells[("smm-1", "dismissed:2022")] == "<5"
    assert dom.cells[("smm-1", "dismissed:2023")] == "withheld (s.40)"
    assert dom.cells[("smm-3", "dismissed:2022")] == "refused (s.12)"
    assert dom.cells[("smm-2", "dismissed:2021")] == "not held"
    # Totals by hand. 2021: 3 + 12, GMP not held, 4 bodies not yet answered: ≥ 15.
    # 2022: <5 (0–4) + 7, Met refused: ≥ 7. Home Office over the years: 3 + 0–4 + withheld.
    # The "( )" around a note is read without CSS, hidden with it. What a total leaves
    # out is in the cell, not only in its tooltip (print and touch screens have none).
    assert dom.cells[("total", "dismissed:2021")] == "≥ 15 ( 1 not held, 4 no figure yet )"
    assert dom.cells[("total", "dismissed:2022")] == "≥ 7 ( 1 refused, 4 no figure yet )"
    assert dom.cells[("smm-1", "dismissed:total")] == "≥ 3 ( 1 withheld, 2 no figure yet )"
    assert dom.cells[("smm-2", "dismissed:total")] == "≥ 7 ( 1 not held, 3 no figure yet )"
    # The status shows only where no answer came (smm-4, BTP, is waiting).
    assert "waiting response" in text


def _overflow(tmp_path, page, width: int) -> str:
    # A copy of the page with a probe that writes the layout into the title: the page
    # itself carries no script.
    probe = tmp_path / f"probe-{width}.html"
    probe.write_text(
        page.read_text(encoding="utf-8").replace(
            "</body>",
            "<script>const s=document.querySelector('.results-scroll');"
            "const c=document.querySelector('.result-cards');"
            "document.title=[s.scrollWidth>s.clientWidth, getComputedStyle(s).display,"
            "getComputedStyle(c).display,"
            "document.documentElement.scrollWidth<=window.innerWidth].join(' ');"
            "</script></body>",
        ),
        encoding="utf-8",
    )
    return Dom(chromium(tmp_path, f"--window-size={width},900", "--virtual-time-budget=3000",
                        "--dump-dom", probe.as_uri()).stdout).title  # fmt: skip


def test_results_fit_1280_px_and_read_as_cards_on_a_phone(project, tmp_path):
    seeded_results(project)
    page = project.root / "results.html"
    project.run("results", CAMPAIGN, "--format", "html", "--as-of", AS_OF, "-o", str(page))
    # 3 fields × 5 years and their totals fit a 1280 px screen without scrolling.
    assert _overflow(tmp_path, page, 1280) == "false block none true"
    # On a phone the table gives way to cards and nothing is wider than the screen.
    assert _overflow(tmp_path, page, 390) == "false none block true"
    shot = tmp_path / "phone.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=390,1200", "--hide-scrollbars",
             page.as_uri())  # fmt: skip
    width, _, rows = png_pixels(shot)
    pixels = [p for row in rows[::3] for p in row[::3]]
    assert sum(p != rows[0][0] for p in pixels) / len(pixels) > 0.03, "almost nothing was drawn"


def test_the_report_starts_with_the_results(project):
    seeded_results(project)
    html = project.run("report", CAMPAIGN, "--as-of", AS_OF, "-o", "-").stdout
    assert html.index('id="results-h"') < html.index('id="summary-h"')
    assert "@media print" in html


def test_markdown_shows_a_link_or_image_in_a_note_as_text(project):
    """A note is pasted into articles: `[…](…)` or `![](…)` in it must not become a link
    or a tracking image; a backslash before a bracket must not undo the escape."""
    seeded_results(project)
    note = r"See [the figures](https://evil.example/x) ![](https://evil.example/p.png) a\[b]"
    project.run("record", "smm-1", f"notes={note}")
    md = project.run("results", CAMPAIGN, "--as-of", AS_OF).stdout
    line = next(x for x in md.splitlines() if "evil.example/x" in x)
    assert r"See \[the figures](https://evil.example/x) !\[](https://evil.example/p.png)" in line
    assert r"a\\\[b]" in line


def test_markdown_and_tidy_exports(project):
    seeded_results(project)
    md = project.run("results", CAMPAIGN, "--as-of", AS_OF).stdout
    # Headed by the campaign's title, not its slug.
    assert md.startswith("## Staff disciplined for social media misuse\n")
    assert "### Staff dismissed for social media misuse" in md
    assert "| Home Office | 3 | <5 | withheld (s.40) | – | – | ≥ 3 |" in md
    assert "| **Total** | **≥ 15** | **≥ 7** |" in md
    # Each total says what it adds up and what it leaves out. 2021: Home Office 3 and
    # the Met 12 counted; GMP not held; BTP, HMRC, MDP and Police Scotland nothing yet.
    assert (
        "- Staff dismissed for social media misuse 2021: 2 bodies counted; not counted: "
        "1 body not held, 4 bodies with no figure yet\n"
    ) in md
    # A field nobody has a figure for yet has nothing to say under its totals.
    assert "Final written warnings 2021:" not in md
    tidy = csv_rows(
        project.run("results", CAMPAIGN, "--format", "tidy", "--as-of", AS_OF).stdout.encode()
    )
    assert len(tidy) == 7 * (3 * 5 + 1)  # 7 bodies × (3 fields × 5 years + the text field)
    ho = {(r["field"], r["period"]): r for r in tidy if r["body"] == "home_office"}
    two = ho[("dismissed", "2022")]  # <5: the number of the bound, and its qualifier
    assert (two["value"], two["number"], two["qualifier"]) == ("<5", "5", "<")
    assert (ho[("dismissed", "2021")]["number"], ho[("dismissed", "2021")]["qualifier"]) == (
        "3",
        "",
    )
    three = ho[("dismissed", "2023")]  # withheld:s40
    assert (three["number"], three["qualifier"], three["exemption"]) == ("", "withheld", "s40")
    notes = ho[("notes", "")]
    assert (notes["text"], notes["value"], notes["number"]) == ("Figures from table 1",) * 2 + ("",)
    moj = {(r["field"], r["period"]): r for r in tidy if r["body"] == "gmp"}
    assert (moj[("dismissed", "2021")]["qualifier"], moj[("dismissed", "2021")]["text"]) == (
        "not_held",
        "",
    )


def test_wide_csv_and_json_exports(project):
    seeded_results(project)
    project.run("record", "smm-3", "final_warnings:2021=1,204")
    run = ("results", CAMPAIGN, "--as-of", AS_OF)
    data = project.run(*run, "--format", "csv").stdout_bytes
    assert project.run(*run, "--format", "csv", "--excel").stdout_bytes == b"\xef\xbb\xbf" + data
    wide = {r["Body"]: r for r in csv_rows(data)}
    dismissed = "Staff dismissed for social media misuse"
    home, met = wide["Home Office"], wide["Metropolitan Police Service"]
    assert [home[f"{dismissed} {year}"] for year in (2021, 2022)] == ["3", "<5"]
    assert home["Ref"] == "smm-1"
    # Home Office: 3 + <5 (0 to 4) + withheld, so at least 3, the withheld one named.
    assert home[f"{dismissed} Total"] == (
        "≥ 3 (2 periods counted; not counted: 1 period withheld, 2 periods with no figure yet)"
    )
    assert home["Anything else the reply said"] == "Figures from table 1"
    assert met["Final written warnings 2021"] == "1204"  # a number, not the text "1,204"
    # 2021: 3 + 12, GMP not held, four bodies yet to answer.
    assert wide["Total"][f"{dismissed} 2021"] == (
        "≥ 15 (2 bodies counted; not counted: 1 body not held, 4 bodies with no figure yet)"
    )
    assert list(wide)[-1] == "Total"

    table = json.loads(project.run(*run, "--format", "json").stdout)
    assert (table["campaign"], table["as_of"]) == (CAMPAIGN, AS_OF)
    assert table["title"] == "Staff disciplined for social media misuse"
    assert table["columns"][0] == {"key": "dismissed:2021", "field": "dismissed",
                                   "description": dismissed, "period": "2021", "total": False}  # fmt: skip
    assert table["columns"][5]["key"] == "dismissed:total" and table["columns"][5]["total"]
    home = next(r for r in table["rows"] if r["body"] == "home_office")
    assert (home["refs"], home["status"], home["waiting"]) == (["smm-1"], "successful", None)
    values = home["values"]
    bound = {"text": "<5", "value": 5, "qualifier": "<", "exemption": None}
    assert values["dismissed:2022"] == bound
    assert values["dismissed:2023"]["exemption"] == "s40" and values["dismissed:2024"] is None
    # 2024 and 2025 unrecorded: the total is open-ended for them too.
    assert values["dismissed:total"] == {
        "text": "≥ 3",
        "note": "2 periods counted; not counted: 1 period withheld, 2 periods with no figure yet",
        "counted": 2,
        "missing": 2,
    }
    assert home["notes"] == {"Anything else the reply said": "Figures from table 1"}
    dft = next(r for r in table["rows"] if r["body"] == "btp")
    assert dft["waiting"] == "waiting response"
    assert table["totals"]["dismissed:2021"] == {
        "text": "≥ 15",
        "note": "2 bodies counted; not counted: 1 body not held, 4 bodies with no figure yet",
        "counted": 2,
        "missing": 4,
    }


# -- from the reply to the figure; searching the replies ------------------------------

REPLY = """Dear Alex,
Thank you for your request of 2 February.
In 2021, 3 members of staff were dismissed for misuse of social media.
Final written warnings: 12 in 2021 and 9 in 2022.
Please see the attached spreadsheet.
"""


def add_reply(project, ref: str, text: str, attachments: str = "") -> None:
    store = Store(project.db)
    with store.transaction():
        store.db["correspondence"].insert(
            {"ref": ref, "direction": "incoming", "text": text, "attachments": attachments,
             "fingerprint": f"{ref}-{len(text)}", "fetched_at": "2026-03-01T10:00:00+00:00"}
        )  # fmt: skip
    store.close()


def test_record_without_values_suggests_reply_lines_and_records_nothing(project):
    seed(project)
    add_reply(project, "smm-1", REPLY)
    before = project.dump()
    out = project.json("record", "smm-1")
    assert out["suggestions"]["dismissed"] == [
        "In 2021, 3 members of staff were dismissed for misuse of social media."
    ]
    assert out["suggestions"]["final_warnings"] == [
        "Final written warnings: 12 in 2021 and 9 in 2022."
    ]
    assert "notes" not in out["suggestions"]
    shown = project.run("record", "smm-1").stdout
    assert "nothing is recorded" in shown
    assert "Confirm with `foibot record smm-1 FIELD=VALUE`." in shown
    assert project.dump() == before


def test_suggestions_leave_out_the_words_every_field_shares():
    fields = [FieldSpec("dismissed", "int", "Staff dismissed for social media misuse"),
              FieldSpec("warned", "int", "Staff warned for social media misuse")]  # fmt: skip
    found = suggestions(fields, ["Social media: 40 cases in 2021.", "We dismissed 2 people."])
    assert found == {"dismissed": ["We dismissed 2 people."]}


def test_search_finds_replies_by_their_text_with_a_snippet(project):
    seed(project)
    add_reply(project, "smm-1", REPLY)
    add_reply(project, "smm-3", "Two officers were dismissed over posts on Twitter in 2022.")
    hits = project.json("search", "twitter")
    assert [h["ref"] for h in hits] == ["smm-3"]
    assert hits[0]["body_name"] == "Metropolitan Police Service"
    assert "[Twitter]" in hits[0]["snippet"]
    assert hits[0]["url"].endswith("/request/smm_met")
    # Stemmed: "dismissal" finds "dismissed"; the campaign filter applies.
    assert {h["ref"] for h in project.json("search", "dismissal", "--campaign", CAMPAIGN)} == {
        "smm-1",
        "smm-3",
    }
    assert project.json("search", "social-media") != []  # a hyphen is not FTS syntax here
    assert "No reply matches" in project.run("search", "facebook").stdout
    assert "cannot search" in project.run("search", '"unbalanced', expect=2).stderr


def test_search_index_follows_updates_through_the_migration_triggers(project):
    seed(project)
    add_reply(project, "smm-1", "Nothing about that platform.")
    conn = sqlite3.connect(project.db)
    conn.execute("UPDATE correspondence SET text = 'Posts on Instagram' WHERE ref = 'smm-1'")
    conn.commit()
    triggers = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'correspondence'"
        )
    }
    conn.close()
    assert triggers == {"correspondence_ai", "correspondence_ad", "correspondence_au"}
    assert [h["ref"] for h in project.json("search", "instagram")] == ["smm-1"]
    assert project.json("search", "platform") == []


def test_show_lists_each_replys_attachments_with_the_wdtk_page(project):
    """Stored without download links (before they were kept): the request page instead."""
    seed(project)
    add_reply(project, "smm-1", REPLY, attachments="FOI 12345 response.pdf\nAnnex A.xlsx")
    out = project.run("show", "smm-1").stdout
    assert "    - Annex A.xlsx  https://www.whatdotheyknow.com/request/smm_home_office" in out
    reply = project.json("show", "smm-1")["correspondence"][0]
    assert reply["attachments"] == "FOI 12345 response.pdf\nAnnex A.xlsx"


# -- a table that cannot be misread ---------------------------------------------------


def test_a_body_not_held_for_every_year_reads_not_held_in_every_format(project, tmp_path):
    seeded_results(project)
    # GMP holds no final-warning figures for any year; nobody holds 2021's other action.
    years = ("2021", "2022", "2023", "2024", "2025")
    project.run("record", "smm-2", *(f"final_warnings:{y}=not_held" for y in years))
    for n in range(1, 8):
        project.run("record", f"smm-{n}", "other_action:2021=not held")
    md = project.run("results", CAMPAIGN, "--as-of", AS_OF).stdout
    warnings = md.split("### Final written warnings")[1].split("###")[0]
    assert "| Greater Manchester Police | not held | not held | not held | not held | not held | not held |" in warnings  # fmt: skip
    # Each year's total: GMP's "not held" is not a 0, and six bodies have nothing yet.
    assert "| **Total** | **–** | **–** | **–** | **–** | **–** | **–** |" in warnings
    assert "- Final written warnings 2021: not counted: 1 body not held, 6 bodies with no figure yet" in warnings  # fmt: skip
    other = md.split("### Other disciplinary action (written warnings, etc.)")[1]
    assert "| **Total** | **not held** | **–** | **–** | **–** | **–** | **–** |" in other
    assert "**0**" not in md and "| 0 |" not in md

    page = project.root / "results.html"
    project.run("results", CAMPAIGN, "--format", "html", "--as-of", AS_OF, "-o", str(page))
    dom = Dom(dump_dom(tmp_path, page))
    assert [dom.cells[("smm-2", f"final_warnings:{y}")] for y in years] == ["not held"] * 5
    assert dom.cells[("smm-2", "final_warnings:total")] == "not held"
    assert dom.cells[("total", "other_action:2021")] == "not held"
    assert dom.cells[("total", "final_warnings:2021")] == "– ( 1 not held, 6 no figure yet )"
    report_html = project.run("report", CAMPAIGN, "--as-of", AS_OF, "-o", "-").stdout
    assert 'data-label="final_warnings:total">not held</td>' in report_html

    run = ("results", CAMPAIGN, "--as-of", AS_OF)
    wide = {r["Body"]: r for r in csv_rows(project.run(*run, "--format", "csv").stdout_bytes)}
    assert wide["Greater Manchester Police"]["Final written warnings Total"] == "not held"
    assert wide["Total"]["Other disciplinary action (written warnings, etc.) 2021"] == "not held"
    table = json.loads(project.run(*run, "--format", "json").stdout)
    moj = next(r for r in table["rows"] if r["body"] == "gmp")
    assert moj["values"]["final_warnings:total"] == {
        "text": "not held", "note": None, "counted": 0, "missing": 0,
    }  # fmt: skip
    assert table["totals"]["other_action:2021"]["text"] == "not held"
    tidy = csv_rows(project.run(*run, "--format", "tidy").stdout_bytes)
    moj_2025 = next(
        r for r in tidy
        if (r["body"], r["field"], r["period"]) == ("gmp", "final_warnings", "2025")
    )  # fmt: skip
    assert (moj_2025["value"], moj_2025["number"], moj_2025["qualifier"]) == (
        "not held",
        "",
        "not_held",
    )


def test_a_text_note_does_not_hide_that_a_body_is_late(project):
    per_year(project)
    seed(project)
    # The Met (smm-3): due Mon 03-02, no reply; on Tue 03-10 it is 6 working days late
    # (03-03, 04, 05, 06, 09, 10). A note recorded while waiting is not an answer.
    project.run("record", "smm-3", "notes=Phoned on 9 March: promised by April")
    md = project.run("results", CAMPAIGN, "--as-of", AS_OF).stdout
    late = "| Metropolitan Police Service (waiting response overdue, 6 working days late) |"
    assert late in md
    assert "- **Metropolitan Police Service** (Anything else the reply said): Phoned" in md
    table = json.loads(project.run("results", CAMPAIGN, "--as-of", AS_OF, "--json").stdout)
    met = next(r for r in table["rows"] if r["refs"] == ["smm-3"])
    assert met["waiting"] == "waiting response overdue, 6 working days late"
    # A figure recorded from a reply does say the body answered.
    project.run("record", "smm-3", "dismissed:2021=4")
    md = project.run("results", CAMPAIGN, "--as-of", AS_OF).stdout
    assert "| Metropolitan Police Service | 4 |" in md


@pytest.mark.parametrize(
    "name,template,heading",
    [
        ("", "{{ body.short_name }}: staff disciplined for social media misuse",
         "Staff disciplined for social media misuse"),
        ("", "Gritting routes – {{ body.name }}", "Gritting routes"),
        ("", "Gritting routes ({{body.short_name}})", "Gritting routes"),
        # More template than the body's name: nothing to show but the slug.
        ("", "Gritting at {{ body.name }} in {{ first_year }}", "slug"),
        ("  Winter  gritting ", "{{ body.name }}", "Winter gritting"),
    ],
)  # fmt: skip
def test_campaign_title(name, template, heading):
    assert campaign_title("slug", name, template) == heading


def test_a_campaign_name_heads_its_results_and_report(project):
    project.edit_config(
        'slug = "social-media-misuse"',
        'slug = "social-media-misuse"\nname = "Social media & staff"',
    )
    seed(project)
    md = project.run("results", CAMPAIGN, "--as-of", AS_OF).stdout
    assert md.startswith("## Social media & staff\n")
    html = project.run("report", CAMPAIGN, "--as-of", AS_OF, "-o", "-").stdout
    assert "<title>FOI report: Social media &amp; staff</title>" in html


def test_values_with_escape_sequences_or_too_many_digits_are_refused(project):
    """A value reaches every terminal `show` and `results` print it on: an escape sequence
    in one (typed, or in someone else's CSV) is refused; so is a number no body gave, too
    long for SQLite's 64 bits (or for Python's int() at 4,300 digits)."""
    seed(project)
    before = project.dump()
    for value in ("notes=a\x1b]0;pwned\x07b", "notes=a\u202egnp.exe", "dismissed=" + "9" * 5000,
                  "dismissed=9223372036854775808", "dismissed=<" + "9" * 30):  # fmt: skip
        err = project.run("record", "smm-1", value, expect=2).stderr
        assert err.count("\n") == 1 and "\x1b" not in err and "\u202e" not in err, err
    (project.root / "f.csv").write_text('ref,field,value\nsmm-1,notes,"x \x1b[2J y"\n')
    err = project.run("record", "--from-csv", str(project.root / "f.csv"), expect=2).stderr
    assert "control characters" in err and "\x1b" not in err, err
    assert project.dump() == before
    project.run("record", "smm-1", "notes=line one\nline two", "dismissed=999999999999999999")


def test_campaign_name_and_field_descriptions_reach_results_without_escapes(project):
    project.edit_config(
        'description = "Staff dismissed for social media misuse"',
        'description = "Sacked \\u001b[2J"',
    )
    project.edit_config(
        'slug = "social-media-misuse"',
        'slug = "social-media-misuse"\nname = "Camp \\u001b]0;x\\u0007"',
    )
    seed(project)
    out = project.run("results", "social-media-misuse").stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "Camp ]0;x" in out and r"Sacked \[2J" in out  # Markdown: the bracket escaped
