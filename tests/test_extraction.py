"""Reading attachments (issue 30, items 2 and 3): each format bodies send, read through the
sandboxed worker as the fetcher calls it, against figures written by hand in
tests/attachment_files.py; and hostile files, each ending within its limits as
"unreadable" with one line of reason while the caller carries on."""

from __future__ import annotations

import shutil
import time

import pytest

from bot.extraction.detect import sniff
from bot.extraction.model import Extraction
from bot.extraction.sandbox import extract
from tests import attachment_files as files

# The per-year table every sample carries, as a person reads it off the page.
EXPECTED_ROWS = [
    ["Year", "Staff disciplined", "Staff dismissed"],
    ["2019", "12", "3"],
    ["2020", "9", "<5"],
    ["2021", "14", "4"],
    ["2022", "7", "0"],
]


def cells(extraction: Extraction, sheet: str | None = None) -> dict[str, str]:
    """Every table cell of `sheet` (or of every table) by its reference."""
    return {
        c.ref: c.text
        for t in extraction.tables
        if sheet is None or t.sheet == sheet
        for row in t.rows
        for c in row
    }


def texts(table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


# --- formats ----------------------------------------------------------------------------------


def test_pdf_letter_text_by_page_and_its_table():
    got = extract(files.foi_response_pdf(), "FOI-2024-0117 response.pdf")
    assert (got.state, got.kind, got.pages) == ("read", "pdf", 2)
    by_page = {s.page: s.text for s in got.segments}
    assert set(by_page) == {1, 2}
    assert "Quarterdeck" in by_page[1] and "Quarterdeck" not in by_page[2]
    assert "Freedom of Information Act 2000" in by_page[1]
    (table,) = got.tables
    assert table.page == 2
    assert texts(table) == EXPECTED_ROWS
    assert table.rows[2][2].ref == "row 3, column 3" and table.rows[2][2].text == "<5"


def test_xlsx_with_a_year_per_row():
    got = extract(files.xlsx_year_per_row(), "disciplinary.xlsx")
    assert (got.state, got.kind, got.sheets) == ("read", "xlsx", ("Disciplinary",))
    grid = cells(got, "Disciplinary")
    assert grid["A1"] == "Year" and grid["A2"] == "2019" and grid["B2"] == "12"
    assert grid["C3"] == "<5" and grid["A5"] == "2022" and grid["C5"] == "0"
    assert len(grid) == 15
    row = next(s for s in got.segments if s.cell == "A3:C3")
    assert row.text == "2020\t9\t<5"
    assert row.locator() == "sheet Disciplinary, cell A3:C3"


def test_xlsx_with_a_year_per_column_on_its_second_sheet():
    got = extract(files.xlsx_year_per_column(), "summary.xlsx")
    assert got.sheets == ("Notes", "Summary")
    assert cells(got, "Notes") == {"A1": "Figures for FOI-2024-0117"}
    grid = cells(got, "Summary")
    assert [grid[f"{c}1"] for c in "ABCDE"] == ["Measure", "2019", "2020", "2021", "2022"]
    assert [grid[f"{c}2"] for c in "BCDE"] == ["12", "9", "14", "7"]
    assert [grid[f"{c}3"] for c in "BCDE"] == ["3", "<5", "4", "0"]


def test_excel_97_workbook():
    got = extract(files.xls_year_per_row(), "figures.xls")
    assert (got.state, got.kind, got.sheets) == ("read", "xls", ("FOI 2024-0117",))
    grid = cells(got)
    assert grid["B2"] == "12" and grid["C3"] == "<5" and grid["B5"] == "7"
    assert grid["A7"] == "2024-04-01"


def test_ods_with_a_year_per_row():
    got = extract(files.ods_year_per_row(), "figures.ods")
    assert (got.state, got.kind, got.sheets) == ("read", "ods", ("Figures",))
    (table,) = got.tables
    assert texts(table) == EXPECTED_ROWS
    assert cells(got)["C3"] == "<5" and cells(got)["A4"] == "2021"


def test_csv_in_windows_1252():
    got = extract(files.csv_figures(), "figures.csv")
    assert (got.state, got.kind) == ("read", "csv")
    (table,) = got.tables
    assert texts(table) == [*EXPECTED_ROWS, ["Cost £0 to compile"]]
    assert [(s.line, s.text) for s in got.segments][-1] == (6, "Cost £0 to compile")


def test_docx_letter_paragraphs_as_lines_and_its_table():
    got = extract(files.docx_letter(), "letter.docx")
    assert (got.state, got.kind) == ("read", "docx")
    lines = {s.line: s.text for s in got.segments}
    assert lines[1] == "Dear Ms Example,"
    assert lines[2] == "In 2021, 3 members of staff were dismissed."
    assert lines[6] == "Yours sincerely"
    (table,) = got.tables
    assert texts(table) == EXPECTED_ROWS[:3]
    assert table.rows[2][2].ref == "row 3, column 3"


def test_odt_letter_in_document_order():
    got = extract(files.odt_letter(), "letter.odt")
    assert (got.state, got.kind) == ("read", "odt")
    assert [s.text for s in got.segments] == [
        "Response to FOI-2024-0117",
        "In 2020, fewer than five members of staff were dismissed.",
        *EXPECTED_ROWS[0],
        *EXPECTED_ROWS[2],
        "Yours sincerely",
    ]
    (table,) = got.tables
    assert texts(table) == [EXPECTED_ROWS[0], EXPECTED_ROWS[2]]


def test_rtf_letter():
    got = extract(files.rtf_letter(), "letter.rtf")
    assert (got.state, got.kind) == ("read", "rtf")
    assert [(s.line, s.text.strip()) for s in got.segments] == [
        (1, "Dear Ms Example,"),
        (2, "In 2022, 7 members of staff were disciplined."),
        (3, "Yours sincerely"),
    ]


def test_html_visible_text_and_table_not_its_script():
    got = extract(files.html_response(), "response.html")
    assert (got.state, got.kind) == ("read", "html")
    assert "Figures for 2019 and 2020 follow." in got.text()
    assert "secret" not in got.text()
    (table,) = got.tables
    assert texts(table) == EXPECTED_ROWS[:3]


def test_zip_one_level_each_member_named_never_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    got = extract(files.zip_bundle(), "bundle.zip")
    assert (got.state, got.kind) == ("read", "zip")
    assert {s.member for s in got.segments} == {"figures.csv", "letter.docx", "../../etc/note.txt"}
    note = next(s for s in got.segments if s.member == "../../etc/note.txt")
    assert note.text == "Nothing further to add"
    assert note.locator() == "../../etc/note.txt, line 1"
    assert {t.member for t in got.tables} == {"figures.csv", "letter.docx"}
    assert list(tmp_path.iterdir()) == []


def test_a_zip_inside_a_zip_is_not_opened():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("inner.zip", files.zip_bundle())
        zf.writestr("readme.txt", "See inner.zip")
    got = extract(buffer.getvalue(), "outer.zip")
    assert got.state == "read" and got.text() == "See inner.zip"
    assert got.reason == "inner.zip: an archive inside an archive is not opened"


def test_scanned_pdf_without_ocr(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on the worker's PATH
    got = extract(files.scanned_pdf(), "scan.pdf")
    assert (got.state, got.kind, got.reason, got.pages) == ("scanned", "pdf", "scanned: no text", 1)
    assert got.segments == () and got.tables == ()


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="OCR is optional: no tesseract")
def test_scanned_pdf_with_ocr():
    pytest.importorskip("pytesseract", reason="OCR is optional: pip install '.[ocr]'")
    got = extract(files.scanned_pdf(), "scan.pdf")
    assert got.state == "read" and "members of staff" in got.text()


def test_word_97_doc_is_unreadable_with_the_way_to_read_it():
    got = extract(files.word97_doc(), "letter.doc")
    assert (got.state, got.kind) == ("unreadable", "doc")
    assert got.reason == "Word 97 .doc is not read; open WDTK's 'view as HTML'"


# --- the bytes decide, not the name -------------------------------------------------------------


@pytest.mark.parametrize(
    "make, name, kind",
    [
        (files.foi_response_pdf, "figures.xlsx", "pdf"),
        (files.xlsx_year_per_row, "letter.pdf", "xlsx"),
        (files.docx_letter, "figures.csv", "docx"),
        (files.ods_year_per_row, "sheet.xlsx", "ods"),
        (files.odt_letter, "letter.docx", "odt"),
        (files.html_response, "reply.txt", "html"),
        (files.rtf_letter, "letter.doc", "rtf"),
        (files.zip_bundle, "figures.xlsx", "zip"),
        (files.xls_year_per_row, "figures.xlsx", "xls"),
        (files.csv_figures, "figures.csv", "csv"),
        (files.csv_figures, "figures.txt", "text"),
    ],
)
def test_the_format_is_found_from_the_bytes(make, name, kind):
    assert sniff(make(), name) == kind


def test_a_file_claiming_another_type_is_read_as_what_it_is():
    got = extract(files.foi_response_pdf(), "figures.xlsx")
    assert (got.state, got.kind, got.pages) == ("read", "pdf", 2)
    got = extract(files.xlsx_year_per_row(), "letter.pdf")
    assert (got.state, got.kind, got.sheets) == ("read", "xlsx", ("Disciplinary",))


@pytest.mark.parametrize("name", ["../../etc/\x1b]0;owned\x07/reply.pdf", "a\x00b.pdf", "/" * 5000])
def test_a_hostile_name_is_only_a_hint(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    got = extract(files.foi_response_pdf(), name)
    assert (got.state, got.kind, got.pages) == ("read", "pdf", 2)
    assert list(tmp_path.iterdir()) == []


# --- hostile contents ---------------------------------------------------------------------------


def test_control_characters_are_stripped_tab_and_newline_kept():
    text = "\x1b[31mred\x07 text\tafter tab\r\nline\x9b two\x7f\n"  # \x9b: C1 CSI
    got = extract(text.encode("utf-8"), "note.txt")
    assert [(s.line, s.text) for s in got.segments] == [
        (1, "[31mred text\tafter tab"),
        (2, "line two"),
    ]


HOSTILE = [
    ("zip bomb named .xlsx", files.zip_bomb_xlsx, "figures.xlsx", "zip bomb: a member compressed"),
    ("zip bomb named .docx", files.zip_bomb_docx, "letter.docx", "zip bomb: a member compressed"),
    (
        "a million rows",
        files.million_row_xlsx,
        "data.xlsx",
        "sheet 'sheet1' has more than 50,000 rows (foibot reads at most 50,000 per sheet)",
    ),
    ("PDF decompression bomb", files.pdf_decompression_bomb, "r.pdf", "over the memory limit"),
    ("garbage named .xlsx", files.garbage, "figures.xlsx", "not a format foibot reads"),
    ("garbage named .pdf", files.garbage, "response.pdf", "not a format foibot reads"),
    ("a PDF header and garbage", lambda: b"%PDF-1.7\n" + files.garbage(), "r.pdf", "as pdf"),
    ("a ZIP header and garbage", lambda: b"PK\x03\x04" + files.garbage(), "a.docx", "damaged ZIP"),
    ("an empty file", lambda: b"", "figures.xlsx", "empty file"),
    (
        "an ODS row repeated a million times",
        files.ods_repeated_rows,
        "figures.ods",
        "more than 250,000 filled cells (foibot reads at most 250,000)",
    ),
]


@pytest.mark.parametrize("what, make, name, reason", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_end_unreadable_within_the_limits(what, make, name, reason):
    data = make()
    start = time.monotonic()
    got = extract(data, name, time_limit_s=30, memory_mb=256)
    assert time.monotonic() - start < 30
    assert got.state == "unreadable", got
    assert reason in got.reason
    assert "\n" not in got.reason and "Traceback" not in got.reason and len(got.reason) <= 200


def test_the_deep_pdf_object_graph_is_read_safely():
    got = extract(files.pdf_deep_nesting(), "deep.pdf", time_limit_s=30, memory_mb=256)
    assert (got.state, got.text()) == ("read", "Deep")


def test_twenty_thousand_nested_html_tables_are_read_within_the_limits():
    got = extract(files.html_nested_tables(), "nested.html", time_limit_s=30, memory_mb=256)
    assert (got.state, got.text()) == ("read", "deep")
    assert len(got.tables) == 200  # MAX_HTML_TABLES: the first 200 tables


def test_the_memory_limit_is_applied_to_the_worker():
    # 20 MB of address space cannot hold pdfplumber: were the limit not set, this would read.
    got = extract(files.foi_response_pdf(), "response.pdf", memory_mb=20)
    assert got.state == "unreadable"
    assert "memory limit" in got.reason, got.reason


def test_the_wall_clock_limit_kills_a_slow_read():
    data = files.million_row_xlsx(50_000)  # under the row cap: read to the end, slowly
    start = time.monotonic()
    got = extract(data, "data.xlsx", time_limit_s=1)
    assert time.monotonic() - start < 5
    assert got.state == "unreadable"
    assert got.reason in ("over the time limit (1 s) while reading",
                          "over the time limit (1 s of CPU) while reading")  # fmt: skip


def test_text_over_the_cap_is_kept_up_to_it_and_says_truncated():
    line = "All information held has been provided. " * 2 + "\n"  # 81 characters
    got = extract(line.encode() * 70_000, "long.txt")  # 5.67 M characters
    assert got.state == "read"
    assert got.reason == "truncated: more than 5,000,000 characters of text; the rest was not read"
    assert 4_900_000 < sum(len(s.text) for s in got.segments) <= 5_000_000


def test_the_caller_carries_on_after_each_hostile_file():
    chosen = [HOSTILE[0], HOSTILE[1], HOSTILE[4]]
    results = [extract(make(), name, memory_mb=256) for _, make, name, _ in chosen]
    results.append(extract(files.docx_letter(), "letter.docx"))
    assert [r.state for r in results] == ["unreadable"] * 3 + ["read"]
