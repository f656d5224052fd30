"""The results table a campaign publishes: a row per body, the figures first. Pure.

Totals never sum a bound or a withheld value silently. Each total is a range over the
figures the bodies gave (numbers and bounds): `<5` adds 0 to 4, `≤10` adds 0 to 10, `>100`
adds at least 101 with no upper end. A body that withheld or refused a figure, or has
none recorded yet, leaves the total open-ended too ("≥ 31"). Values "not held" and "n/a"
add nothing: the body has no such figure, which is not a figure of 0. Each total says what
it counts ("2 bodies counted; not counted: 1 body not held"). A total with no figure to
add, only "not held" (or only another reason), reads as that reason, never as 0.

`bot.reports.results_formats` writes the table as CSV, Markdown, JSON or HTML.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.config import FieldSpec
from bot.reports.figures import REASONS, Figure, key
from bot.reports.tables import ReportRow
from bot.wording import plural

# Live statuses that mean the body has given its answer (so no status is shown).
ANSWERED = frozenset(
    {"successful", "partially_successful", "rejected", "not_held", "internal_review"}
)
# The order reasons are listed in a total's note.
_REASON_ORDER = ("withheld", "refused", "not_held", "n/a")


@dataclass(frozen=True)
class Column:
    """One figure column: a field, or one period of it, or its total over the periods."""

    field: FieldSpec
    period: str | None = None
    total: bool = False

    @property
    def key(self) -> str:
        return key(self.field.name, "total" if self.total else self.period)

    @property
    def sub_label(self) -> str:
        return "Total" if self.total else (self.period or "")

    @property
    def label(self) -> str:
        """A one-line heading: the description, with the period after it."""
        return f"{self.field.label} {self.sub_label}".strip()


@dataclass(frozen=True)
class Cell:
    text: str  # as shown: "3", "<5", "refused (s.12)", "≥ 31", "" for nothing recorded
    kind: str  # number, bound, reason, value, total, empty
    figure: Figure | None = None
    note: str = ""  # what a total counts: "2 bodies counted; not counted: 1 body withheld"
    missing: int = 0  # a total's values with no figure recorded yet (so it is open-ended)
    short: str = ""  # what it leaves out, without nouns, for a narrow cell: "1 withheld"
    counted: int = 0  # a total's figures (numbers and bounds) added up

    @property
    def hint(self) -> str:
        """Where an accepted hint read this figure ("" for a figure typed in)."""
        return self.figure.source if self.figure is not None else ""

    @property
    def css(self) -> str:
        if self.figure is not None and self.figure.is_reason:
            return f"reason {self.figure.qualifier.replace('/', '').replace('_', '-')}"
        return self.kind


EMPTY = Cell("", "empty")


@dataclass(frozen=True)
class ResultRow:
    body: str
    body_name: str
    refs: tuple[str, ...]
    url: str | None
    status: str
    days_overdue: int | None
    cells: tuple[Cell, ...]  # one per column of the table
    notes: tuple[tuple[str, str], ...] = ()  # (field label, text) for text fields

    @property
    def ref(self) -> str:
        return self.refs[0]

    @property
    def has_figures(self) -> bool:
        """A figure was recorded from the body's reply (a text note is not one)."""
        return any(c.kind not in ("empty", "total") for c in self.cells)

    @property
    def waiting(self) -> str:
        """The status, shown only where no answer came: "" once the body has answered or
        a figure was recorded from its reply. A text note alone does not hide it: a note
        is often written while waiting ("asked by phone, promised by May")."""
        if self.status in ANSWERED or self.has_figures:
            return ""
        text = self.status.replace("_", " ")
        if self.days_overdue:
            text += f", {plural(self.days_overdue, 'working day')} late"
        return text


@dataclass(frozen=True)
class FieldGroup:
    """A field's columns: its periods and their total, or its single value."""

    field: FieldSpec
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class ResultsTable:
    campaign: str
    heading: str
    as_of: dt.date
    groups: tuple[FieldGroup, ...]
    rows: list[ResultRow]
    totals: tuple[Cell, ...]  # one per column
    text_fields: tuple[FieldSpec, ...] = ()
    generated: dt.datetime | None = field(default=None, compare=False)

    @property
    def columns(self) -> list[Column]:
        return [c for g in self.groups for c in g.columns]

    @property
    def has_periods(self) -> bool:
        return any(g.field.periods for g in self.groups)

    @property
    def hinted(self) -> list[tuple[ResultRow, Column, Cell]]:
        """The figures that came from an accepted hint (`foibot record --accept-hints`),
        with their sources, for a footnote."""
        return [
            (r, col, c)
            for r in self.rows
            for col, c in zip(self.columns, r.cells, strict=True)
            if c.hint
        ]

    def group_cells(self, cells: Sequence[Cell], group: FieldGroup) -> list[tuple[Column, Cell]]:
        """The (column, cell) pairs of one field group, from a row's (or the totals') cells."""
        start = 0
        for g in self.groups:
            if g is group:
                return list(zip(g.columns, cells[start : start + len(g.columns)], strict=True))
            start += len(g.columns)
        raise KeyError(group.field.name)


def table_columns(fields: Iterable[FieldSpec]) -> tuple[list[FieldGroup], list[FieldSpec]]:
    """Figure columns grouped by field, and the free-text fields (shown as notes)."""
    groups, texts = [], []
    for spec in fields:
        if spec.type == "text":
            texts.append(spec)
        elif spec.periods:
            cols = [Column(spec, p) for p in spec.periods]
            if spec.type == "int":
                cols.append(Column(spec, total=True))
            groups.append(FieldGroup(spec, tuple(cols)))
        else:
            groups.append(FieldGroup(spec, (Column(spec),)))
    return groups, texts


def _fmt(n: int) -> str:
    return f"{n:,}"


def total(figures: Iterable[Figure | None], unit: tuple[str, str] = ("", "")) -> Cell:
    """The sum of a column or row as a range, with what it leaves out (see the module
    docstring). `unit` is the singular and plural noun for the note ("body", "bodies")."""
    low = high = 0
    open_ended = False
    counts: Counter[str] = Counter()
    numbers = 0
    for fig in figures:
        if fig is None:
            counts["missing"] += 1
            open_ended = True
            continue
        if fig.is_reason:
            counts[fig.qualifier] += 1
            open_ended |= fig.qualifier in ("withheld", "refused")
            continue
        value = fig.value if isinstance(fig.value, int) else 0
        numbers += 1
        if fig.qualifier == "":
            low, high = low + value, high + value
        elif fig.qualifier == "<":
            high += max(value - 1, 0)
        elif fig.qualifier == "<=":
            high += value
        elif fig.qualifier == ">":
            low, open_ended = low + value + 1, True
        elif fig.qualifier == ">=":
            low, open_ended = low + value, True
    reasons = [r for r in _REASON_ORDER if counts[r]]
    if not numbers and not reasons:
        return Cell("–", "total", missing=counts["missing"])  # nothing recorded: nothing to say
    left_out = [f"{_count(counts[r], unit)} {REASONS[r]}" for r in reasons]
    short = [f"{counts[r]} {REASONS[r]}" for r in reasons]
    if counts["missing"]:
        # In the cell too, not only its tooltip: print and touch screens have none.
        left_out.append(f"{_count(counts['missing'], unit)} with no figure yet")
        short.append(f"{counts['missing']} no figure yet")
    note = f"{_count(numbers, unit)} counted" if numbers else ""
    if left_out:
        note += ("; " if note else "") + "not counted: " + ", ".join(left_out)
    if not numbers:
        # Nothing to add up. "Not held" for every value is an answer, not a figure of 0.
        only_reasons = not counts["missing"]
        text = " / ".join(REASONS[r] for r in reasons) if only_reasons else "–"
        if only_reasons and len(reasons) == 1:
            return Cell(text, "total")  # "not held" needs no note saying "7 not held"
    elif open_ended:
        text = f"≥ {_fmt(low)}"
    elif low == high:
        text = _fmt(low)
    else:
        text = f"{_fmt(low)}–{_fmt(high)}"
    return Cell(
        text, "total", note=note, missing=counts["missing"], short=", ".join(short),
        counted=numbers,
    )  # fmt: skip


def _count(n: int, unit: tuple[str, str]) -> str:
    singular, plural = unit
    noun = singular if n == 1 else plural
    return f"{n} {noun}" if noun else str(n)


def cell(fig: Figure | None) -> Cell:
    if fig is None:
        return EMPTY
    if fig.is_reason:
        return Cell(fig.text, "reason", fig)
    if fig.is_bound:
        return Cell(fig.text, "bound", fig)
    if isinstance(fig.value, int) and not isinstance(fig.value, bool):
        return Cell(_fmt(fig.value), "number", fig)
    return Cell(fig.text, "value", fig)


def _merge(
    rows: Sequence[ReportRow], figures: Mapping[str, Mapping[str, Figure]]
) -> dict[str, Figure]:
    # A body with more than one request in the campaign (one drafted, one tracked in):
    # a later request's figure for the same value wins, as a later record would.
    merged: dict[str, Figure] = {}
    for row in rows:
        merged.update(figures.get(row.ref, {}))
    return merged


def build_results(
    campaign: str,
    heading: str,
    fields: Sequence[FieldSpec],
    rows: Iterable[ReportRow],
    figures: Mapping[str, Mapping[str, Figure]],
    as_of: dt.date,
    generated: dt.datetime | None = None,
) -> ResultsTable:
    """A row per body (from the report rows of the campaign's requests), cells per column,
    totals per body across periods and per column across bodies."""
    groups, texts = table_columns(fields)
    columns = [c for g in groups for c in g.columns]
    by_body: dict[str, list[ReportRow]] = {}
    for row in rows:
        if row.status == "cancelled":
            continue
        by_body.setdefault(row.body or row.ref, []).append(row)
    out = [
        _result_row(body, body_rows, _merge(body_rows, figures), columns, texts)
        for body, body_rows in by_body.items()
    ]
    out.sort(key=lambda r: r.body_name.casefold())
    return ResultsTable(
        campaign,
        heading,
        as_of,
        tuple(groups),
        out,
        _column_totals(columns, out),
        tuple(texts),
        generated,
    )


def _result_row(
    body: str,
    body_rows: Sequence[ReportRow],
    values: Mapping[str, Figure],
    columns: Sequence[Column],
    texts: Sequence[FieldSpec],
) -> ResultRow:
    cells = []
    for col in columns:
        if col.total:
            periods = [values.get(key(col.field.name, p)) for p in col.field.periods]
            cells.append(total(periods, ("period", "periods")) if any(periods) else EMPTY)
        else:
            cells.append(cell(values.get(key(col.field.name, col.period))))
    notes = tuple((spec.label, values[spec.name].text) for spec in texts if spec.name in values)
    # The status to show is that of the body's first request (the campaign's own).
    first = body_rows[0]
    return ResultRow(
        body,
        first.body_name or body,
        tuple(r.ref for r in body_rows),
        first.url,
        first.status,
        first.days_overdue,
        tuple(cells),
        notes,
    )


def _column_totals(columns: Sequence[Column], rows: Sequence[ResultRow]) -> tuple[Cell, ...]:
    """Each column's total across bodies; a field's total column sums all its periods."""
    totals = []
    for i, col in enumerate(columns):
        if col.field.type != "int":
            totals.append(EMPTY)
        elif col.total:
            totals.append(
                total(
                    (r.cells[j].figure for r in rows for j, c in enumerate(columns)
                     if c.field is col.field and not c.total),
                    ("value", "values"),
                )
            )  # fmt: skip
        else:
            totals.append(total((r.cells[i].figure for r in rows), ("body", "bodies")))
    return tuple(totals)
