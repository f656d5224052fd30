"""What every reader shares: the caps on what one attachment may yield, the cleaning of
its text, and the collector that stops adding once a cap is reached (saying so)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.extraction.model import Cell, Extraction, Segment, Table
from bot.wording import CONTROLS

# Caps on one attachment's yield. Above MAX_TEXT_CHARS the text is cut and the extraction
# says "truncated"; a sheet over MAX_SHEET_ROWS is a data dump built to exhaust the reader
# (or a database export no FOI figure is read from) and is recorded as unreadable.
MAX_TEXT_CHARS = 5_000_000
MAX_SHEET_ROWS = 50_000
MAX_COLUMNS = 500  # cells beyond this column are not read
MAX_CELLS = 250_000  # non-empty cells in one workbook: past this, a dump, refused like rows
MAX_PAGES = 2_000
MAX_MEMBERS = 200  # files read from one ZIP archive


# C0 and C1 control characters except tab and newline: attachment text ends up in
# terminals, e-mails and reports, where they could rewrite what a person sees.
def clean(text: str) -> str:
    """`text` with control characters removed (tab and newline kept; CR becomes newline)."""
    return CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str, limit: int = 200) -> str:
    """`text` as a single short line, for a reason."""
    line = " ".join(clean(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class Unreadable(Exception):
    """The file cannot be read; the message is the one-line reason."""


@dataclass
class Collector:
    """Segments and tables gathered for one extraction, under the text cap."""

    member: str = ""
    segments: list[Segment] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chars: int = 0
    cells: int = 0  # spreadsheet cells taken so far (sheets.py checks MAX_CELLS)
    truncated: bool = False

    @property
    def full(self) -> bool:
        return self.chars >= MAX_TEXT_CHARS

    def _spend(self, n: int) -> bool:
        if self.chars + n > MAX_TEXT_CHARS:
            self.truncated = True
            self.chars = MAX_TEXT_CHARS
            return False
        self.chars += n
        return True

    def text(self, text: str, **where: object) -> None:
        """Add a segment of `text` (cleaned; blank text is skipped) at `where`."""
        text = clean(text).strip("\n")
        if text.strip() and self._spend(len(text)):
            self.segments.append(Segment(text=text, member=self.member, **where))  # type: ignore[arg-type]

    def lines(self, text: str) -> None:
        """Add each non-blank line of a text document, numbered from 1."""
        for n, line in enumerate(clean(text).split("\n"), 1):
            if self.full:
                self.truncated = True
                return
            self.text(line, line=n)

    def table(self, rows: list[list[tuple[str, str]]], **where: object) -> None:
        """Add a table of (ref, text) cells row by row; rows with no text are left out."""
        kept = []
        for row in rows:
            cells = tuple(Cell(ref=ref, text=clean(text)) for ref, text in row)
            if any(c.text.strip() for c in cells):
                if not self._spend(sum(len(c.text) for c in cells)):
                    break
                kept.append(cells)
        if kept:
            self.tables.append(Table(rows=tuple(kept), member=self.member, **where))  # type: ignore[arg-type]

    def result(self, kind: str, **fields: object) -> Extraction:
        reason = str(fields.pop("reason", ""))
        if self.truncated:
            note = (
                f"truncated: more than {MAX_TEXT_CHARS:,} characters of text; the rest was not read"
            )
            reason = f"{reason}; {note}" if reason else note
        return Extraction(
            state="read",
            kind=kind,
            reason=reason,
            segments=tuple(self.segments),
            tables=tuple(self.tables),
            **fields,  # type: ignore[arg-type]
        )


def grid_refs(rows: list[list[str]]) -> list[list[tuple[str, str]]]:
    """A document table's cells with "row R, column C" references, counted from 1."""
    return [
        [(f"row {r}, column {c}", text) for c, text in enumerate(row, 1)]
        for r, row in enumerate(rows, 1)
    ]


def decode(data: bytes) -> str:
    """Text from bytes in an unknown charset: UTF-8 (with or without BOM) or UTF-16 with a
    BOM when they fit, else charset-normalizer's best guess (it comes with requests)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return data.decode(best.encoding if best else "cp1252", errors="replace")
