"""Issue 30, item 5 through the CLI on a real store: a reply with a spreadsheet, a PDF and
a DOCX attachment (queued by the poll, their extractions saved as the extractor saves
them), `foibot hints`, `foibot record --accept-hints` and `foibot results` marking the
figures that came from an accepted hint. Expected values are read off the tables below."""

from __future__ import annotations

import csv
import io

from bot.extraction.model import Cell, Extraction, Segment, Table
from bot.store.db import Store
from tests.support import released_project, sent_request
from tests.wdtk_replica import event

CAMPAIGN = "social-media-misuse"


def xlsx() -> Extraction:
    rows = [["Year", "Dismissed", "Final written warnings"], ["2021", "3", "1"],
            ["2022", "<5", "0"], ["2023", "7", "2"]]  # fmt: skip
    table = Table(
        tuple(tuple(Cell(f"{'ABC'[c]}{r + 1}", t) for c, t in enumerate(row))
              for r, row in enumerate(rows)),
        sheet="Figures",
    )  # fmt: skip
    return Extraction("read", "xlsx", sheets=("Figures",), tables=(table,))


def pdf() -> Extraction:
    text = "Dear requester,\nWe do not hold figures for other action in 2021.\nYours"
    return Extraction("read", "pdf", pages=1, segments=(Segment(text, page=1),))


def docx() -> Extraction:
    text = "In 2024, 4 members of staff were dismissed for misuse of social media."
    return Extraction("read", "docx", segments=(Segment(text, line=3),))


def replied(project, replica):
    """smm-1 with a reply of 20 March 2026 carrying three attachments, read."""
    project.edit_config(
        'name = "dismissed"\ntype = "int"',
        'name = "dismissed"\ntype = "int"\nperiods = { from = 2021, to = 2024 }',
    )
    project.edit_config(
        'name = "final_warnings"\ntype = "int"',
        'name = "final_warnings"\ntype = "int"\nperiods = { from = 2021, to = 2024 }',
    )
    project.edit_config(
        'name = "other_action"\ntype = "int"',
        'name = "other_action"\ntype = "int"\nperiods = { from = 2021, to = 2024 }',
    )
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    reply = event(
        None, "response", "2026-03-20T09:00:00+00:00",
        text="Please see the attached. There were no final written warnings in 2024.",
        attachments=["Annex A.xlsx", "letter.pdf", "note.docx"],
    )  # fmt: skip
    replica.add_event(5001, reply)
    wdtk.run("poll", "--all", "--no-attachments", "--as-of", "2026-03-20T12:00")
    store = Store(project.db)
    queued = {a["name"]: a["id"] for a in store.queued_attachments(["smm-1"])}
    assert set(queued) == {"Annex A.xlsx", "letter.pdf", "note.docx"}
    for name, made in (("Annex A.xlsx", xlsx), ("letter.pdf", pdf), ("note.docx", docx)):
        store.save_extraction(queued[name], made(), size=1000, sha256=name)
    return wdtk


def test_hints_record_and_results(project, replica):
    wdtk = replied(project, replica)
    before = wdtk.dump()
    shown = wdtk.json("hints", "smm-1")
    assert wdtk.dump() == before  # hints records nothing
    (only,) = shown
    got = {k: (ps[0]["value"], ps[0]["source"], ps[0]["where"], ps[0]["confidence"])
           for k, ps in only["proposals"].items()}  # fmt: skip
    assert got == {
        "dismissed:2021": ("3", "Annex A.xlsx", "sheet Figures, cell B2", "high"),
        "dismissed:2022": ("<5", "Annex A.xlsx", "sheet Figures, cell B3", "high"),
        "dismissed:2023": ("7", "Annex A.xlsx", "sheet Figures, cell B4", "high"),
        "dismissed:2024": ("4", "note.docx", "line 3", "high"),
        "final_warnings:2021": ("1", "Annex A.xlsx", "sheet Figures, cell C2", "high"),
        "final_warnings:2022": ("0", "Annex A.xlsx", "sheet Figures, cell C3", "high"),
        "final_warnings:2023": ("2", "Annex A.xlsx", "sheet Figures, cell C4", "high"),
        "final_warnings:2024": ("0", "reply e-mail", "line 1", "high"),
        "other_action:2021": ("not_held", "letter.pdf", "page 1", "high"),
    }
    text = wdtk.run("hints", "smm-1").stdout
    assert "dismissed:2021 = 3  [high]  Annex A.xlsx, sheet Figures, cell B2" in text

    # A value typed in before is kept; the rest of one field is accepted.
    wdtk.run("record", "smm-1", "dismissed:2021=5")
    out = wdtk.json("record", "smm-1", "--accept-hints", "dismissed")
    assert out["recorded"] == {"dismissed:2022": "<5", "dismissed:2023": 7, "dismissed:2024": 4}
    assert out["skipped"] == ["dismissed:2021: kept 5 (the hint says 3; --overwrite to replace)"]
    out = wdtk.json("record", "smm-1", "--accept-hints", "final_warnings:2023", "other_action")
    assert out["recorded"] == {"final_warnings:2023": 2, "other_action:2021": "not held"}
    conn = Store(project.db).db.conn
    details = [d for (d,) in conn.execute(
        "SELECT detail FROM events WHERE kind = 'recorded' AND detail LIKE '%other_action%'")]  # fmt: skip
    assert '"hint": {"source": "letter.pdf", "where": "page 1"' in details[0]

    # Results in every format say which figures came from a hint, and from where.
    md = wdtk.run("results", CAMPAIGN).stdout
    home = next(line for line in md.splitlines() if line.startswith("| Home Office"))
    assert home.startswith("| Home Office | 5 | <5† | 7† | 4† |")
    assert "- **Home Office**, Staff dismissed for social media misuse 2023: 7 from " \
           "Annex A.xlsx, sheet Figures, cell B4 (reply of 2026-03-20)" in md  # fmt: skip
    data = wdtk.json("results", CAMPAIGN)
    values = next(r for r in data["rows"] if r["refs"] == ["smm-1"])["values"]
    assert "hint" not in values["dismissed:2021"]
    assert values["other_action:2021"]["hint"] == "letter.pdf, page 1 (reply of 2026-03-20)"
    tidy = list(
        csv.DictReader(io.StringIO(wdtk.run("results", CAMPAIGN, "--format", "tidy").stdout))
    )
    row = next(r for r in tidy if r["ref"] == "smm-1" and r["field"] == "dismissed"
               and r["period"] == "2024")  # fmt: skip
    assert row["hint_source"] == "note.docx, line 3 (reply of 2026-03-20)"
    wide = list(
        csv.DictReader(io.StringIO(wdtk.run("results", CAMPAIGN, "--format", "csv").stdout))
    )
    hints = next(r for r in wide if r["Ref"] == "smm-1")["From accepted hints"]
    assert hints.startswith("Staff dismissed for social media misuse 2022: Annex A.xlsx, sheet")
    html = wdtk.run("results", CAMPAIGN, "-o", "-", "--format", "html").stdout
    assert 'title="From an accepted hint: note.docx, line 3 (reply of 2026-03-20)">†</sup>' in html

    # Overwriting is asked for; accepting again changes nothing.
    out = wdtk.json("record", "smm-1", "--accept-hints", "dismissed:2021", "--overwrite")
    assert out["recorded"] == {"dismissed:2021": 3}
    assert wdtk.json("record", "smm-1", "--accept-hints", "dismissed")["recorded"] == {}


def test_bad_accept_hints_usage(project, replica):
    wdtk = replied(project, replica)
    before = wdtk.dump()
    bad = wdtk.run("record", "smm-1", "--accept-hints", "dismised", expect=2)
    assert "unknown field 'dismised'" in bad.stderr and "dismissed" in bad.stderr
    bad = wdtk.run("record", "smm-1", "--accept-hints", "dismissed:1999", expect=2)
    assert "no period '1999'" in bad.stderr
    assert wdtk.run("record", "smm-1", "dismissed:2021=3", "--overwrite", expect=2)
    assert wdtk.run("hints", expect=2)
    bad = wdtk.run("record", "smm-1", "--accept-hints", "dismissed:2021=3", expect=2)
    assert "not FIELD=VALUE" in bad.stderr
    assert wdtk.dump() == before
