"""Readers for spreadsheets: XLSX/XLSM (openpyxl, read-only), XLS (xlrd), ODS (odfpy)
and CSV. Each sheet becomes one Table of its non-empty cells with A1 references (empty
cells are left out; each Cell's ref says where it sits), and each non-empty row one
Segment (sheet, and cell = the row's span, e.g. "A5:D5"), so a search hit names sheet
and cells. A sheet over MAX_SHEET_ROWS rows is refused as unreadable."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from bot.extraction.collect import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_SHEET_ROWS,
    Collector,
    Unreadable,
    clean,
    decode,
    one_line,
)
from bot.extraction.model import Extraction


def _column(n: int) -> str:
    """Spreadsheet column letters for column `n` counted from 1 (1 -> A, 28 -> AB)."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def show(value: object) -> str:
    """A cell value as a person reads it: 3.0 -> "3", a date -> "2021-04-01"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _too_many_rows(sheet: str) -> Unreadable:
    return Unreadable(
        f"sheet '{one_line(sheet, 60)}' has more than {MAX_SHEET_ROWS:,} rows"
        f" (foibot reads at most {MAX_SHEET_ROWS:,} per sheet)"
    )


def _sheet(col: Collector, sheet: str | None, rows: Iterable[tuple[int, Iterable[object]]]) -> None:
    """Add one sheet from (row number, values from column A) pairs."""
    table: list[list[tuple[str, str]]] = []
    for count, (r, values) in enumerate(rows, 1):
        if count > MAX_SHEET_ROWS or r > 10 * MAX_SHEET_ROWS:
            raise _too_many_rows(sheet or "")
        cells = [
            (f"{_column(c)}{r}", text)
            for c, value in enumerate(values, 1)
            if c <= MAX_COLUMNS and (text := clean(show(value)).strip())
        ]
        if not cells:
            continue
        col.cells += len(cells)
        if col.cells > MAX_CELLS:
            raise Unreadable(
                f"more than {MAX_CELLS:,} filled cells (foibot reads at most {MAX_CELLS:,})"
            )
        table.append(cells)
        span = cells[0][0] if len(cells) == 1 else f"{cells[0][0]}:{cells[-1][0]}"
        where = {"sheet": sheet, "cell": span} if sheet is not None else {"line": r, "cell": span}
        col.text("\t".join(text for _, text in cells), **where)
        if col.full:
            col.truncated = True
            break
    col.table(table, sheet=sheet)


_ROW_TAGS = (b"<row ", b"<row>", b":row ", b":row>")


def _check_xlsx_rows(data: bytes) -> None:
    """Refuse a workbook with a sheet over MAX_SHEET_ROWS rows before openpyxl opens it:
    openpyxl parses a whole sheet at load to size it when the sheet declares no
    dimension, which for a million rows takes minutes. Counts row tags while inflating."""
    import re
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", info.filename):
                continue
            rows, tail = 0, b""
            with zf.open(info) as member:
                while chunk := member.read(1 << 20):
                    block = tail + chunk
                    rows += sum(block.count(tag) for tag in _ROW_TAGS)
                    tail = block[-4:]  # a tag cut by the chunk edge; too short to count twice
                    if rows > MAX_SHEET_ROWS:
                        raise _too_many_rows(info.filename.rsplit("/", 1)[-1][:-4])


def read_xlsx(data: bytes, col: Collector, kind: str = "xlsx") -> Extraction:
    """XLSX/XLSM through openpyxl in read-only mode (streamed, cached values not formulas)."""
    import openpyxl

    _check_xlsx_rows(data)

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        names = [clean(n) for n in book.sheetnames]
        for name, ws in zip(names, book.worksheets, strict=True):
            # No max_col: openpyxl would pad every row out to it.
            _sheet(col, name, enumerate(ws.iter_rows(values_only=True), 1))
    finally:
        book.close()
    return col.result(kind, sheets=tuple(names))


def read_xls(data: bytes, col: Collector) -> Extraction:
    """Excel 97-2003 workbooks through xlrd (dates shown as dates)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as e:
        raise Unreadable(f"damaged XLS: {e}") from None
    names = [clean(n) for n in book.sheet_names()]
    for index, name in enumerate(names):
        ws = book.sheet_by_index(index)
        if ws.nrows > MAX_SHEET_ROWS:
            raise _too_many_rows(name)

        def values(row: int, ws=ws) -> list[object]:
            out: list[object] = []
            for cell in ws.row(row)[:MAX_COLUMNS]:
                if cell.ctype == xlrd.XL_CELL_DATE:
                    out.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                else:
                    out.append(cell.value if cell.ctype != xlrd.XL_CELL_EMPTY else None)
            return out

        _sheet(col, name, ((r + 1, values(r)) for r in range(ws.nrows)))
        book.unload_sheet(index)
    return col.result("xls", sheets=tuple(names))


def _ods_rows(table, sheet: str):
    """(row number, values) of an ODS table, expanding repeated rows and cells without
    materialising the long empty runs spreadsheets pad their sheets with."""
    from odf import teletype
    from odf.namespaces import OFFICENS, TABLENS
    from odf.table import TableCell, TableRow

    r = 0
    for row in table.getElementsByType(TableRow):
        repeat = int(row.getAttrNS(TABLENS, "number-rows-repeated") or 1)
        values: list[object] = []
        for cell in row.getElementsByType(TableCell):
            span = int(cell.getAttrNS(TABLENS, "number-columns-repeated") or 1)
            value = cell.getAttrNS(OFFICENS, "value")
            text = value if value is not None else teletype.extractText(cell)
            if cell.getAttrNS(OFFICENS, "value-type") == "float" and value is not None:
                text = show(float(value))
            values.extend([text] * min(span, MAX_COLUMNS - len(values)))
        if not any(values):
            r += repeat  # an empty run, however long, costs nothing
            continue
        for _ in range(repeat):
            r += 1
            yield r, values


def read_ods(data: bytes, col: Collector) -> Extraction:
    """OpenDocument spreadsheets through odfpy."""
    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.table import Table as OdfTable

    document = load(io.BytesIO(data))
    names = []
    for table in document.spreadsheet.getElementsByType(OdfTable):
        name = clean(table.getAttrNS(TABLENS, "name") or f"Sheet{len(names) + 1}")
        names.append(name)
        _sheet(col, name, _ods_rows(table, name))
    return col.result("ods", sheets=tuple(names))


def read_csv(data: bytes, col: Collector) -> Extraction:
    """CSV (or TSV) in any common charset: rows as lines (line = row number), and the
    whole as one Table with A1 references."""
    text = decode(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:20_000], delimiters=",;\t|"
        )
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(1_000_000)
    try:
        _sheet(col, None, enumerate(csv.reader(io.StringIO(text), dialect), 1))
    except csv.Error as e:
        raise Unreadable(f"damaged CSV: {e}") from None
    return col.result("csv")
