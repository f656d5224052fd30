"""Realistic FOI response attachments, built in code, with the figures each holds written
out here by hand, for the extraction tests, the end-to-end tests and the hint benchmark.

The campaign they answer asks, per year: how many staff were disciplined, and how many
were dismissed. Unless a function says otherwise, the figures are those of FIGURES:

    year  disciplined  dismissed
    2019  12           3
    2020  9            <5       (redacted under section 40 FOIA 2000: a small number)
    2021  14           4
    2022  7            0

Every function returns the file's bytes; none writes a file. The hostile files are at
the end."""

from __future__ import annotations

import io
import random
import zipfile
import zlib

YEARS = ("2019", "2020", "2021", "2022")
FIGURES = {
    "2019": ("12", "3"),
    "2020": ("9", "<5"),
    "2021": ("14", "4"),
    "2022": ("7", "0"),
}
HEADER = ("Year", "Staff disciplined", "Staff dismissed")
# A word that appears only in the PDF letter (its page 1), for search tests.
PDF_ONLY_WORD = "Quarterdeck"

LETTER = (
    "Freedom of Information request reference FOI-2024-0117",
    "Dear Ms Example,",
    "Thank you for your request under the Freedom of Information Act 2000. "
    f"The figures below were compiled by the {PDF_ONLY_WORD} HR team.",
    "Where a figure is fewer than five it is withheld under section 40(2).",
    "Yours sincerely, Information Governance",
)


def _pdf():
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    return pdf


def foi_response_pdf() -> bytes:
    """A two-page PDF letter. Page 1: the letter (LETTER, including PDF_ONLY_WORD). Page 2:
    the heading "Staff disciplined and dismissed by year" and a ruled table with the
    HEADER row and one row per year of FIGURES (2020 dismissed shown as "<5")."""
    pdf = _pdf()
    pdf.add_page()
    for paragraph in LETTER:
        pdf.multi_cell(0, 6, paragraph)
        pdf.ln(3)
    pdf.add_page()
    pdf.cell(0, 8, "Staff disciplined and dismissed by year")
    pdf.ln(10)
    with pdf.table(text_align="LEFT") as table:
        for row in [HEADER, *((y, *FIGURES[y]) for y in YEARS)]:
            cells = table.row()
            for text in row:
                cells.cell(text)
    return bytes(pdf.output())


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def long_response_pdf(pages: int = 40) -> bytes:
    """A `pages`-page annex, the bulk of a large disclosure: page n is headed "Annex page
    n", has a paragraph of text and a ruled table "Month | Cases opened | Cases closed"
    with one row per month, where month m (1-12) of page n shows (n + m) % 20 cases opened
    and (n * m) % 7 closed. For throughput, not figures per year."""
    pdf = _pdf()
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(0, 8, f"Annex page {n}")
        pdf.ln(10)
        pdf.multi_cell(0, 6, "Cases recorded by the Professional Standards team in the year. " * 4)
        pdf.ln(3)
        with pdf.table(text_align="LEFT") as table:
            for row in [("Month", "Cases opened", "Cases closed")] + [
                (name, str((n + m) % 20), str((n * m) % 7)) for m, name in enumerate(MONTHS, 1)
            ]:
                cells = table.row()
                for text in row:
                    cells.cell(text)
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """A one-page PDF holding only a picture of a letter (no text layer): what a scanner
    sends. The picture shows "In 2021, 14 members of staff were disciplined"."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (1240, 400), 255)
    ImageDraw.Draw(image).text((60, 150), "In 2021, 14 members of staff were disciplined", 0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = _pdf()
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=10, y=10, w=190)
    return bytes(pdf.output())


def xlsx_year_per_row() -> bytes:
    """An XLSX with one sheet, "Disciplinary": A1:C1 the HEADER, then one row per year
    (A2 2019 | B2 12 | C2 3, ..., A5 2022 | B5 7 | C5 0); C3 is the text "<5". Years
    and counts are numbers, as a spreadsheet user types them."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Disciplinary"
    ws.append(list(HEADER))
    for year in YEARS:
        ws.append([int(year), *(int(v) if v.isdigit() else v for v in FIGURES[year])])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_year_per_column() -> bytes:
    """An XLSX with a cover sheet "Notes" (A1 "Figures for FOI-2024-0117") and a sheet
    "Summary" with one column per year: A1 "Measure", B1..E1 2019..2022; A2 "Staff
    disciplined", B2..E2 12, 9, 14, 7; A3 "Staff dismissed", B3..E3 3, "<5", 4, 0."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "Figures for FOI-2024-0117"
    ws = book.create_sheet("Summary")
    ws.append(["Measure", *(int(y) for y in YEARS)])
    for i, label in enumerate(HEADER[1:]):
        values = [FIGURES[y][i] for y in YEARS]
        ws.append([label, *(int(v) if v.isdigit() else v for v in values)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls_year_per_row() -> bytes:
    """An Excel 97 (.xls) workbook, one sheet "FOI 2024-0117": the HEADER row, then one
    row per year of FIGURES as in xlsx_year_per_row (C3 is the text "<5"), and A7 the date
    1 April 2024 (a date cell, shown "2024-04-01")."""
    import datetime as dt

    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet("FOI 2024-0117")
    rows = [HEADER, *((y, *FIGURES[y]) for y in YEARS)]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            ws.write(r, c, int(text) if text.isdigit() else text)
    ws.write(6, 0, dt.date(2024, 4, 1), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def word97_doc() -> bytes:
    """The start of a Word 97 (.doc) file: the OLE2 signature and a directory naming the
    "WordDocument" stream. foibot does not read these (no pure-Python reader)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    return header + "WordDocument".encode("utf-16-le") + b"\0" * 4000


def docx_letter() -> bytes:
    """A DOCX letter: paragraph 1 "Dear Ms Example,", paragraph 2 "In 2021, 3 members of
    staff were dismissed." (NB: 3, not FIGURES' 4: the letter's own sentence), then a
    table of 3 rows: HEADER, "2019 | 12 | 3", "2020 | 9 | <5", then the paragraph
    "Yours sincerely"."""
    import docx

    document = docx.Document()
    document.add_paragraph("Dear Ms Example,")
    document.add_paragraph("In 2021, 3 members of staff were dismissed.")
    table = document.add_table(rows=0, cols=3)
    for row in (HEADER, ("2019", *FIGURES["2019"]), ("2020", *FIGURES["2020"])):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    document.add_paragraph("Yours sincerely")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_letter() -> bytes:
    """An OpenDocument text letter: the heading "Response to FOI-2024-0117", the
    paragraph "In 2020, fewer than five members of staff were dismissed.", a table of
    HEADER and the 2020 row, then the paragraph "Yours sincerely"."""
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Response to FOI-2024-0117"))
    document.text.addElement(P(text="In 2020, fewer than five members of staff were dismissed."))
    table = Table(name="Figures")
    table.addElement(TableColumn(numbercolumnsrepeated=3))
    for row in (HEADER, ("2020", *FIGURES["2020"])):
        tr = TableRow()
        for text in row:
            cell = TableCell()
            cell.addElement(P(text=text))
            tr.addElement(cell)
        table.addElement(tr)
    document.text.addElement(table)
    document.text.addElement(P(text="Yours sincerely"))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def ods_year_per_row() -> bytes:
    """An ODS with one sheet, "Figures": the HEADER row, then 2019..2022 with FIGURES,
    as in xlsx_year_per_row (numbers as floats, "<5" as text)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Figures")
    for row in [HEADER, *((y, *FIGURES[y]) for y in YEARS)]:
        tr = TableRow()
        for text in row:
            if text.isdigit():
                cell = TableCell(valuetype="float", value=text)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=text))
            tr.addElement(cell)
        table.addElement(tr)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def csv_figures() -> bytes:
    """A CSV in Windows-1252 (as Excel saves it): the HEADER row, then 2019..2022 with
    FIGURES, then a note row "Cost £0 to compile" (the £ is byte 0xA3)."""
    lines = [",".join(HEADER), *(",".join((y, *FIGURES[y])) for y in YEARS)]
    lines.append("Cost £0 to compile,,")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def rtf_letter() -> bytes:
    """An RTF letter of three lines: "Dear Ms Example,", "In 2022, 7 members of staff
    were disciplined.", "Yours sincerely"."""
    return (
        rb"{\rtf1\ansi\deff0 {\fonttbl {\f0 Times New Roman;}}"
        rb"\f0\fs24 Dear Ms Example,\par In 2022, 7 members of staff were disciplined.\par"
        rb" Yours sincerely\par}"
    )


def html_response() -> bytes:
    """WDTK-style "view as HTML": a heading "FOI response", a paragraph "Figures for
    2019 and 2020 follow.", a script (not text), and a table of HEADER, 2019 and 2020."""
    rows = "".join(
        f"<tr><td>{y}</td><td>{FIGURES[y][0]}</td><td>{FIGURES[y][1]}</td></tr>"
        for y in ("2019", "2020")
    ).replace("<5", "&lt;5")
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    return (
        "<!DOCTYPE html><html><head><title>response</title><script>var secret = 1;</script>"
        "</head><body><h1>FOI response</h1><p>Figures for 2019 and 2020 follow.</p>"
        f"<table><tr>{head}</tr>{rows}</table></body></html>"
    ).encode()


def zip_bundle() -> bytes:
    """A ZIP of three members: "figures.csv" (csv_figures), "letter.docx" (docx_letter)
    and one whose name is a path-traversal with a control character,
    "../../etc/\\x1bnote.txt", holding the line "Nothing further to add"."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("figures.csv", csv_figures())
        zf.writestr("letter.docx", docx_letter())
        zf.writestr("../../etc/\x1bnote.txt", b"Nothing further to add\n")
    return buffer.getvalue()


# --- hostile files -------------------------------------------------------------------------


def _office_zip(members: dict[str, bytes]) -> bytes:
    """An XLSX's container (from xlsx_year_per_row) with `members` replacing or added."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_year_per_row()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            if info.filename not in members:
                zf.writestr(info.filename, source.read(info))
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def zip_bomb_xlsx(megabytes: int = 100) -> bytes:
    """A file named like an XLSX whose sheet XML expands from ~100 KB to `megabytes` MB
    of zeros (about 1000:1)."""
    return _office_zip({"xl/worksheets/sheet1.xml": b"\0" * (megabytes << 20)})


def zip_bomb_docx(megabytes: int = 100) -> bytes:
    """A DOCX container whose document.xml expands to `megabytes` MB of spaces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("word/document.xml", b" " * (megabytes << 20))
    return buffer.getvalue()


def million_row_xlsx(rows: int = 1_000_000) -> bytes:
    """A valid XLSX whose one sheet has `rows` rows (A1..A{rows} = 1..rows): compresses
    like a real export (about 10:1), so only the row cap stops it."""
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, rows + 1))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    )
    return _office_zip({"xl/worksheets/sheet1.xml": sheet.encode()})


def _pdf_with_stream(stream: bytes, extra: bytes = b"/Filter /FlateDecode") -> bytes:
    """A one-page PDF whose content stream is `stream` (already encoded), with a correct
    cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d %s >>\nstream\n" % (len(stream), extra) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_decompression_bomb(megabytes: int = 400) -> bytes:
    """A PDF (about 1.5 MB) whose page content stream inflates to `megabytes` MB."""
    squeeze = zlib.compressobj(1)
    chunk = b"\0" * (1 << 20)
    stream = b"".join(squeeze.compress(chunk) for _ in range(megabytes)) + squeeze.flush()
    return _pdf_with_stream(stream)


def pdf_deep_nesting(depth: int = 200_000) -> bytes:
    """A PDF whose content stream's dictionary holds `depth` nested arrays (a deep object
    graph) and whose content is one line of text, "Deep"."""
    stream = b"BT /F1 12 Tf 72 700 Td (Deep) Tj ET"
    return _pdf_with_stream(stream, extra=b"/Deep " + b"[" * depth + b"]" * depth)


def garbage(size: int = 200_000, seed: int = 30) -> bytes:
    """Random bytes (reproducible): what a file claiming any type may really hold."""
    return random.Random(seed).randbytes(size)


def ods_repeated_rows(repeat: int = 1_000_000) -> bytes:
    """A tiny ODS (a few KB) declaring one row of "x" repeated `repeat` times and a cell
    repeated across 16,384 columns: billions of filled cells without the bytes."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Repeated")
    row = TableRow(numberrowsrepeated=repeat)
    cell = TableCell(valuetype="string", numbercolumnsrepeated=16_384)
    cell.addElement(P(text="x"))
    row.addElement(cell)
    table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def html_nested_tables(depth: int = 20_000) -> bytes:
    """HTML of `depth` tables each nested in the last one's cell, "deep" in the innermost:
    quadratic for a reader that walks every table's descendants."""
    return b"<html><body>" + b"<table><tr><td>" * depth + b"deep</body></html>"
