"""Readers for paged and running-text formats: PDF (text layer and tables, by page),
DOCX, ODT, RTF, HTML and plain text (by line or paragraph). Each reads bytes into a
Collector and returns the Extraction; each runs only inside the sandboxed worker."""

from __future__ import annotations

import io
import shutil

from bot.extraction.collect import MAX_PAGES, Collector, Unreadable, decode, grid_refs
from bot.extraction.model import Extraction

SCANNED = "scanned: no text"
MAX_HTML_TABLES = 200


def ocr_available() -> bool:
    """Tesseract OCR is optional: used only if both its binary and pytesseract are here."""
    if not shutil.which("tesseract"):
        return False
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        return False
    return True


def _ocr_pdf(pdf, col: Collector) -> None:
    import pytesseract

    for n, page in enumerate(pdf.pages[:MAX_PAGES], 1):
        image = page.to_image(resolution=200).original
        col.text(pytesseract.image_to_string(image), page=n)


def read_pdf(data: bytes, col: Collector) -> Extraction:
    """Each page's text layer as one Segment (page=n), each table pdfplumber finds as a
    Table with "row R, column C" refs. No text on any page: "scanned" (OCR'd if Tesseract
    is installed)."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFSyntaxError as e:
        raise Unreadable(f"damaged PDF: {e}") from None
    with pdf:
        count = len(pdf.pages)
        for n, page in enumerate(pdf.pages[:MAX_PAGES], 1):
            if col.full:
                col.truncated = True
                break
            col.text(page.extract_text() or "", page=n)
            for rows in page.extract_tables():
                col.table(grid_refs([[c or "" for c in row] for row in rows]), page=n)
            page.close()  # pdfplumber caches each page's objects until closed
        reason = (
            f"truncated: {count:,} pages, the first {MAX_PAGES:,} read" if count > MAX_PAGES else ""
        )
        if not col.segments and not col.tables:
            if count and ocr_available():
                _ocr_pdf(pdf, col)
                return col.result("pdf", pages=count, reason="text read by OCR (Tesseract)")
            return Extraction(state="scanned", kind="pdf", reason=SCANNED, pages=count)
        return col.result("pdf", pages=count, reason=reason)


def read_image(data: bytes, col: Collector) -> Extraction:
    """A picture of a page: text only by OCR, when Tesseract is installed."""
    if ocr_available():
        import pytesseract
        from PIL import Image

        col.text(pytesseract.image_to_string(Image.open(io.BytesIO(data))), page=1)
        if col.segments:
            return col.result("image", pages=1, reason="text read by OCR (Tesseract)")
    return Extraction(state="scanned", kind="image", reason=SCANNED, pages=1)


def read_docx(data: bytes, col: Collector) -> Extraction:
    """Paragraphs as lines (line=n, counting paragraphs and table rows in document order);
    each table as a Table with "row R, column C" refs, its rows also as lines."""
    import docx
    from docx.table import Table as DocxTable

    document = docx.Document(io.BytesIO(data))
    line = 0
    for block in document.iter_inner_content():
        if col.full:
            col.truncated = True
            break
        if isinstance(block, DocxTable):
            rows = [[cell.text for cell in row.cells] for row in block.rows]
            col.table(grid_refs(rows))
            for row in rows:
                line += 1
                col.text("\t".join(_unique(row)), line=line)
        else:
            line += 1
            col.text(block.text, line=line)
    return col.result("docx")


def _unique(cells: list[str]) -> list[str]:
    # python-docx repeats a merged cell's text in each grid column it spans.
    out: list[str] = []
    for text in cells:
        if not out or out[-1] != text:
            out.append(text)
    return out


def read_odt(data: bytes, col: Collector) -> Extraction:
    """An OpenDocument text: paragraphs and headings as lines in document order (table
    cells' paragraphs included), tables as Tables with "row R, column C" refs."""
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load
    from odf.table import Table as OdfTable
    from odf.table import TableCell, TableRow

    document = load(io.BytesIO(data))
    for table in document.text.getElementsByType(OdfTable):
        rows = [
            [teletype.extractText(c) for c in row.getElementsByType(TableCell)]
            for row in table.getElementsByType(TableRow)
        ]
        col.table(grid_refs(rows))
    line, stack = 0, list(reversed(document.text.childNodes))
    while stack and not col.full:  # a loop, not recursion: nesting depth is the sender's
        node = stack.pop()
        if node.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
            line += 1
            col.text(teletype.extractText(node), line=line)
        else:
            stack.extend(reversed(node.childNodes))
    return col.result("odt")


def read_rtf(data: bytes, col: Collector) -> Extraction:
    """RTF through striprtf: its text, line by line."""
    from striprtf.striprtf import rtf_to_text

    col.lines(rtf_to_text(data.decode("latin-1"), errors="ignore"))
    return col.result("rtf")


def _html_rows(table) -> list[list[str]]:
    """A table's own rows and cells (not those of tables nested in it: walking only direct
    children keeps a page of 20,000 nested tables linear, not quadratic)."""
    rows = []
    for child in table.find_all(["tr", "thead", "tbody", "tfoot"], recursive=False):
        for tr in [child] if child.name == "tr" else child.find_all("tr", recursive=False):
            cells = tr.find_all(["td", "th"], recursive=False)
            rows.append([cell.get_text(" ", strip=True) for cell in cells])
    return rows


def read_html(data: bytes, col: Collector) -> Extraction:
    """HTML (including WDTK's "view as HTML"): visible text line by line, tables as Tables
    (the first MAX_HTML_TABLES of them)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode(data), "html.parser")
    for hidden in soup(["script", "style", "template", "head"]):
        hidden.decompose()
    for table in soup.find_all("table", limit=MAX_HTML_TABLES):
        col.table(grid_refs(_html_rows(table)))
    col.lines(soup.get_text("\n"))
    return col.result("html")


def read_text(data: bytes, col: Collector) -> Extraction:
    """Plain text in any common charset, line by line."""
    col.lines(decode(data))
    return col.result("text")


def read_doc(data: bytes, col: Collector) -> Extraction:
    # No well-kept pure-Python reader of Word 97 binaries exists (antiword and textract
    # need system programs); WDTK converts them for every visitor.
    raise Unreadable("Word 97 .doc is not read; open WDTK's 'view as HTML'")
