"""What an attachment's extraction yields: its text, in pieces that say where each came
from, and its tables, cell by cell. Plain data, so the pure rules (search snippets,
figure hints) can read it and it crosses the process boundary of the sandboxed extractor
as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

# "read": text was extracted. "scanned": a PDF or image with no text layer (and no OCR).
# "unreadable": the file could not be read, or broke a limit; `reason` says which.
# "skipped": not fetched (over `[attachments] max_mb`, or a type foibot never reads).
ExtractionState = Literal["read", "scanned", "unreadable", "skipped"]


@dataclass(frozen=True)
class Segment:
    """A run of text and where it sits: a PDF page, a spreadsheet sheet (and the cell for a
    single cell's text), or a line of a text document. `member` names the file inside a
    ZIP archive ("" outside one). The extractor (bot/extraction/) yields one Segment per
    PDF page; per spreadsheet row, its cells tab-separated, `cell` the row's span ("A3:C3",
    or "A6" for one cell; a CSV row has `line` = row number and no sheet); per line or
    paragraph of a text document, a DOCX table row counting as one line."""

    text: str
    page: int | None = None
    sheet: str | None = None
    cell: str | None = None
    line: int | None = None
    member: str = ""

    def locator(self) -> str:
        """Where the text is, for a person: "page 3", "sheet 2021, cell B4", "line 12"."""
        parts = [self.member] if self.member else []
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Cell:
    """One table cell's text and its address: a spreadsheet reference ("B4") where the
    format has one, else "row R, column C" counted from 1."""

    ref: str
    text: str


@dataclass(frozen=True)
class Table:
    """A table as rows of cells, with where it sits (sheet name or PDF page, and ZIP member)."""

    rows: tuple[tuple[Cell, ...], ...]
    page: int | None = None
    sheet: str | None = None
    member: str = ""


@dataclass(frozen=True)
class Extraction:
    """Everything read from one attachment."""

    state: ExtractionState
    kind: str  # the format actually found: "pdf", "xlsx", "xls", "ods", "csv", "docx", ...
    reason: str = ""  # one line, for "unreadable" and "skipped"
    pages: int | None = None  # PDFs and paged documents
    sheets: tuple[str, ...] = ()  # spreadsheets
    segments: tuple[Segment, ...] = field(default_factory=tuple)
    tables: tuple[Table, ...] = field(default_factory=tuple)

    def text(self) -> str:
        return "\n".join(s.text for s in self.segments)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Extraction:
        return cls(
            state=data["state"],
            kind=data["kind"],
            reason=data.get("reason", ""),
            pages=data.get("pages"),
            sheets=tuple(data.get("sheets") or ()),
            segments=tuple(Segment(**s) for s in data.get("segments") or ()),
            tables=tuple(
                Table(
                    rows=tuple(tuple(Cell(**c) for c in row) for row in t["rows"]),
                    page=t.get("page"),
                    sheet=t.get("sheet"),
                    member=t.get("member", ""),
                )
                for t in data.get("tables") or ()
            ),
        )
