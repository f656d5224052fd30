"""Issue 30 from the outside: a reply with a PDF, an XLSX and a DOCX attachment on the
WDTK replica. After `poll`, `search` finds a word only the PDF holds and names the
attachment and page; `hints` proposes the per-year figures from the spreadsheet with
their cells; `record --accept-hints` records them and `results` shows them. A zip bomb
named .xlsx and a malformed PDF are recorded as unreadable, and the pass completes.

The files are built by tests/attachment_files.py, whose docstrings give their figures;
the expected values below are read off those by hand."""

from __future__ import annotations

import csv
import io

from tests import attachment_files as files
from tests.support import released_project, sent_request
from tests.wdtk_replica import event

CAMPAIGN = "social-media-misuse"


def answered(project, replica, attachments: dict[str, bytes]):
    """smm-1 sent on 2 March, with `dismissed` asked per year 2019 to 2022, answered on 20
    March with `attachments`, and polled once (which reads them)."""
    project.edit_config(
        'name = "dismissed"\ntype = "int"',
        'name = "dismissed"\ntype = "int"\nperiods = { from = 2019, to = 2022 }',
    )
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    reply = event(
        None, "response", "2026-03-20T09:00:00+00:00",
        text="Please find our response attached.", attachment_files=attachments,
    )  # fmt: skip
    replica.add_event(5001, reply)
    result = wdtk.run("poll", "--all", "--as-of", "2026-03-20T12:00")
    return wdtk, result


def test_a_reply_with_pdf_xlsx_and_docx_is_searched_hinted_and_recorded(project, replica):
    wdtk, polled = answered(project, replica, {
        "FOI-2024-0117 response.pdf": files.foi_response_pdf(),
        "Disciplinary figures.xlsx": files.xlsx_year_per_row(),
        "Covering letter.docx": files.docx_letter(),
    })  # fmt: skip
    assert "Attachments: 3 read, 0 scanned, 0 unreadable, 0 skipped, 0 failed." in polled.stdout

    # The word is on page 1 of the PDF letter, and nowhere else.
    (hit,) = wdtk.json("search", files.PDF_ONLY_WORD)
    assert (hit["ref"], hit["attachment"], hit["where"]) == (
        "smm-1", "FOI-2024-0117 response.pdf", "page 1"
    )  # fmt: skip
    assert (
        "in attachment FOI-2024-0117 response.pdf, page 1"
        in wdtk.run("search", files.PDF_ONLY_WORD).stdout
    )

    # The spreadsheet: C2..C5 hold dismissed for 2019..2022 (3, <5, 4, 0).
    (request,) = wdtk.json("hints", "smm-1")
    proposals = request["proposals"]
    from_sheet = {
        key: (p["value"], p["where"])
        for key, ps in proposals.items()
        for p in ps
        if p["source"] == "Disciplinary figures.xlsx"
    }
    assert from_sheet == {
        "dismissed:2019": ("3", "sheet Disciplinary, cell C2"),
        "dismissed:2020": ("<5", "sheet Disciplinary, cell C3"),
        "dismissed:2021": ("4", "sheet Disciplinary, cell C4"),
        "dismissed:2022": ("0", "sheet Disciplinary, cell C5"),
    }
    # The years the letter's sentence does not contradict: the sheet's value comes first.
    for year, value in (("2019", "3"), ("2020", "<5"), ("2022", "0")):
        assert proposals[f"dismissed:{year}"][0]["value"] == value, proposals

    wdtk.run("record", "smm-1", "--accept-hints", "dismissed:2019", "dismissed:2020",
             "dismissed:2022")  # fmt: skip
    table = wdtk.run("results", CAMPAIGN, "--format", "csv").stdout
    (row,) = [r for r in csv.DictReader(io.StringIO(table)) if r["Ref"] == "smm-1"]
    heading = "Staff dismissed for social media misuse"
    assert [row[f"{heading} {year}"] for year in ("2019", "2020", "2021", "2022")] == [
        "3", "<5", "", "0"
    ]  # fmt: skip
    assert (
        f"{heading} 2019: Disciplinary figures.xlsx, sheet Disciplinary, cell C2"
        in (row["From accepted hints"])
    )
    # The reply is not classified on WDTK yet: no answer in the report's count, and the
    # report says a reply is there, waiting for that.
    out = wdtk.root / "report.html"
    wdtk.run("report", CAMPAIGN, "--format", "html", "-o", str(out))
    page = out.read_text(encoding="utf-8")
    figure = page[page.index('data-figure="answered"') :]
    figure = figure[: figure.index('data-figure="answered on time"')]
    assert '<div class="value">0</div>' in figure
    assert "1 more replied, not yet classified on WDTK" in figure


def test_a_zip_bomb_and_a_malformed_pdf_are_unreadable_and_the_pass_completes(project, replica):
    broken_pdf = files.foi_response_pdf()[:400]  # a PDF cut off after its first objects
    wdtk, polled = answered(project, replica, {
        "Figures.xlsx": files.zip_bomb_xlsx(),
        "Response.pdf": broken_pdf,
        "Covering letter.docx": files.docx_letter(),
    })  # fmt: skip
    assert "Traceback" not in polled.stdout + polled.stderr
    assert "Attachments: 1 read, 0 scanned, 2 unreadable, 0 skipped, 0 failed." in polled.stdout
    listed = {a["name"]: a for a in wdtk.json("attachments", "list", "smm-1")}
    assert listed["Figures.xlsx"]["state"] == "unreadable" and listed["Figures.xlsx"]["reason"]
    assert listed["Response.pdf"]["state"] == "unreadable" and listed["Response.pdf"]["reason"]
    assert listed["Covering letter.docx"]["state"] == "read"
    # The rest of the pass went on: the reply itself was recorded.
    assert wdtk.json("show", "smm-1")["status"] == "waiting_classification"
