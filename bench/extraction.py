"""Benchmark: reading attachments — extraction throughput (MB/s, PDF pages/s) of foibot's
`extract()` (each file in its own limited worker process, as the fetcher calls it)
against the bare library calls on the same files, in the same run.

Run: python bench/extraction.py [--quick]   (from a checkout)

  corpus:  tests/attachment_files.py's realistic FOI responses, built in code: a 2-page
           PDF letter with a table and a redacted "<5", a 40-page PDF annex with a table
           on every page, XLSX with a year per row and per column, XLS, ODS, CSV, a DOCX
           letter with a table and figures in sentences, RTF, HTML, a ZIP of a CSV and a
           DOCX, a scanned page (no text layer). Repeated 3 times (1 with --quick).
  bare:    the library each format is read with, called in this process with its
           imports already warm: pdfplumber (text and tables per page), openpyxl
           (read-only rows), xlrd, odfpy, csv, python-docx, striprtf, BeautifulSoup —
           the least reading these files can cost.
  extract: bot.extraction.sandbox.extract() on each file: format sniffing, zip-bomb
           checks, a fresh worker process with rlimits, the same library calls, JSON back.

The difference is the price of inertness (a process start and the library's import per
file); it matters for small files and fades on large ones. Closes with the aims.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
import zipfile

from _common import aim, machine_line  # puts the checkout on sys.path

from bot.extraction.sandbox import extract
from tests import attachment_files as files


def corpus(long_pages: int) -> list[tuple[str, bytes]]:
    return [
        ("response.pdf", files.foi_response_pdf()),
        ("annex.pdf", files.long_response_pdf(long_pages)),
        ("per-row.xlsx", files.xlsx_year_per_row()),
        ("per-column.xlsx", files.xlsx_year_per_column()),
        ("figures.xls", files.xls_year_per_row()),
        ("figures.ods", files.ods_year_per_row()),
        ("figures.csv", files.csv_figures()),
        ("letter.docx", files.docx_letter()),
        ("letter.rtf", files.rtf_letter()),
        ("response.html", files.html_response()),
        ("bundle.zip", files.zip_bundle()),
        ("scan.pdf", files.scanned_pdf()),
    ]


def bare(name: str, data: bytes) -> int:
    """Read `data` with its library directly; the PDF pages read (0 for other formats)."""
    ext = name.rsplit(".", 1)[-1]
    if ext == "pdf":
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.extract_tables()
            return len(pdf.pages)
    if ext == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for ws in book.worksheets:
            list(ws.iter_rows(values_only=True))
        book.close()
    elif ext == "xls":
        import xlrd

        book = xlrd.open_workbook(file_contents=data)
        for ws in book.sheets():
            [ws.row_values(r) for r in range(ws.nrows)]
    elif ext == "ods":
        from odf import teletype
        from odf.opendocument import load
        from odf.table import TableCell

        [teletype.extractText(c) for c in load(io.BytesIO(data)).getElementsByType(TableCell)]
    elif ext == "csv":
        list(csv.reader(io.StringIO(data.decode("cp1252"))))
    elif ext == "docx":
        import docx

        document = docx.Document(io.BytesIO(data))
        [p.text for p in document.paragraphs]
        [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    elif ext == "rtf":
        from striprtf.striprtf import rtf_to_text

        rtf_to_text(data.decode("latin-1"))
    elif ext == "html":
        from bs4 import BeautifulSoup

        BeautifulSoup(data, "html.parser").get_text("\n")
    elif ext == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return sum(bare(i.filename, zf.read(i)) for i in zf.infolist())
    return 0


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round, a 10-page annex")
    args = parser.parse_args()
    rounds, long_pages = (1, 10) if args.quick else (3, 40)
    print(machine_line("extraction.py", args.quick))
    files_ = corpus(long_pages) * rounds
    megabytes = sum(len(d) for _, d in files_) / 1e6
    for name, data in files_[:12]:
        bare(name, data)  # warm the bare side's imports: its best case
    pages = sum(bare(n, d) for n, d in files_ if n.endswith(".pdf"))
    print(f"corpus: {len(files_)} files, {megabytes:.2f} MB, {pages} PDF pages")

    rows = []
    for name, data in corpus(long_pages):
        ours = min(timed(lambda n=name, d=data: extract(d, n)) for _ in range(rounds))
        theirs = min(timed(lambda n=name, d=data: bare(n, d)) for _ in range(rounds))
        got = extract(data, name)
        rows.append((name, len(data), ours, theirs, got.state))
    print(f"{'file':<17}{'KB':>8}{'extract s':>11}{'bare s':>9}  state")
    for name, size, ours, theirs, state in rows:
        print(f"{name:<17}{size / 1e3:>8.1f}{ours:>11.3f}{theirs:>9.3f}  {state}")

    ours_total = sum(timed(lambda n=n, d=d: extract(d, n)) for n, d in files_)
    bare_total = sum(timed(lambda n=n, d=d: bare(n, d)) for n, d in files_)
    print(
        f"extract(): {ours_total:6.2f} s  {megabytes / ours_total:6.2f} MB/s"
        f"  {pages / ours_total:6.1f} pages/s"
    )
    print(
        f"bare:      {bare_total:6.2f} s  {megabytes / bare_total:6.2f} MB/s"
        f"  {pages / bare_total:6.1f} pages/s   (ratio {ours_total / bare_total:.2f}x)"
    )
    overhead = (ours_total - bare_total) / len(files_)
    annex = next(r for r in rows if r[0] == "annex.pdf")
    aim(
        "sandbox cost per file",
        "< 0.5 s over the bare library",
        f"{overhead:.3f} s",
        overhead < 0.5,
    )
    aim(
        f"{long_pages}-page PDF annex, extract() vs bare pdfplumber",
        "<= 1.3x",
        f"{annex[2] / annex[3]:.2f}x",
        annex[2] <= 1.3 * annex[3],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
