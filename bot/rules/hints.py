"""Figures proposed from what the bodies sent: the campaign's `[[campaigns.fields]]` and
their periods, looked for in the tables and sentences of each reply's attachments and of
the reply's own e-mail text. Pure: the shells load the extractions and decide what is
recorded (`foibot hints`, `foibot record --accept-hints`).

A proposal's value is written in the syntax `foibot record` takes ("3", "<5", "not_held",
"withheld:s40"): the prose of FOI answers ("fewer than five", "nil", "withheld under
section 40") is mapped to it here, and the caller passes `accepts`, record's own parser,
so a value record would refuse is never proposed.

Confidence: "high" only where one table cell (or one sentence) names exactly one of the
campaign's periods and exactly one field unambiguously, and no other source proposes a
different value for the same field and period; "medium" where the field or the period is
matched less surely; "low" where a choice had to be made between fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.config_fields import FieldSpec
from bot.extraction.model import Cell, Extraction, Segment, Table
from bot.rules.periods import (
    APRIL_TO_MARCH_RE,
    PeriodKey,
    cell_period,
    open_ended,
    period_key,
    periods_in,
)
from bot.wording import STOP_WORDS

HIGH, MEDIUM, LOW = "high", "medium", "low"
_RANK = {HIGH: 0, MEDIUM: 1, LOW: 2}
Accepts = Callable[[FieldSpec, str], bool]


@dataclass(frozen=True)
class Source:
    """One thing a body sent: an attachment's extraction, or a reply's e-mail text."""

    name: str  # the attachment's name, or "reply e-mail"
    extraction: Extraction
    sent_at: str | None = None  # the reply's date (ISO)


@dataclass(frozen=True)
class Proposal:
    field: str
    period: str | None
    value: str  # in `foibot record` syntax
    raw: str  # the cell's or sentence's text, as sent
    source: str  # attachment name
    where: str  # "sheet Figures, cell B3", "page 2, row 3, column 2", "line 4"
    confidence: str
    sent_at: str | None = None
    agreeing: int = 1  # sources that give the same value
    # How exactly the source places the value: a spreadsheet cell (0, the body's own
    # figures, typed once) before a PDF or Word table's cell (1) before a sentence (2).
    # Where sources agree, the most exact one is shown.
    precision: int = 2

    @property
    def key(self) -> str:
        return f"{self.field}:{self.period}" if self.period else self.field

    def detail(self) -> dict[str, str | None]:
        """What a recorded figure keeps of the hint it came from (its event's "hint")."""
        return {
            "source": self.source, "where": self.where, "raw": self.raw[:200],
            "confidence": self.confidence, "reply": self.sent_at,
        }  # fmt: skip

    @property
    def origin(self) -> str:
        """Where it came from, for a person: "Annex A.xlsx, sheet Figures, cell B3"."""
        return f"{self.source}, {self.where}" if self.where else self.source


def email_source(text: str, sent_at: str | None = None) -> Source:
    """A reply's e-mail text as a source, a segment per line (the line is its locator)."""
    segments = tuple(
        Segment(line, line=i) for i, line in enumerate(text.splitlines(), 1) if line.strip()
    )
    return Source("reply e-mail", Extraction("read", "email", segments=segments), sent_at)


# -- values -----------------------------------------------------------------------------

_WORDS = {
    "zero": 0, "nil": 0, "none": 0, "no": 0, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}  # fmt: skip
_NUM = (
    r"(\d{1,3}(?:,\d{3})+|\d+|"
    + "|".join(w for w in _WORDS if w not in ("no", "none", "nil"))
    + ")"
)
_BOUND_WORDS = (
    (r"(?:fewer|less)\s+than|under|below|<", "<"),
    (r"(?:no\s+)?more\s+than|over|above|in\s+excess\s+of|>", ">"),
    (r"≤|<=|up\s+to|at\s+most", "<="),
    (r"≥|>=|at\s+least", ">="),
)
_BOUND_RES = [(re.compile(rf"(?:{words})\s*{_NUM}\b", re.I), q) for words, q in _BOUND_WORDS]
_SECTION_RE = re.compile(r"\b(?:section|s\.?)\s*(\d{1,3}[A-Za-z]?)(?:\(\w+\))*", re.I)
_NOT_HELD_RE = re.compile(
    r"\bnot\s+held\b|\bdo(?:es)?\s+not\s+hold\b|\bno\s+(?:recorded\s+)?information\s+(?:is\s+)?held\b|^n/?h$",
    re.I,
)
_WITHHELD_RE = re.compile(r"\bwithheld\b|\bredacted\b|\bexempt(?:ion)?\b|\bwithhold\b", re.I)
_NA_RE = re.compile(r"^n/?a$|^not applicable$", re.I)
_NIL_RE = re.compile(r"^(?:nil|none|zero|0)$", re.I)
_PLAIN_RE = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")


def _number(word: str) -> int:
    return _WORDS[word.lower()] if word.lower() in _WORDS else int(word.replace(",", ""))


def cell_value(text: str) -> str | None:
    """A table cell's value in record syntax, or None when the cell holds no figure."""
    t = " ".join(text.split()).rstrip("*†‡ ").strip()
    if not t:
        return None
    if _PLAIN_RE.match(t):
        return t
    if _NIL_RE.match(t):
        return "0"
    if _NA_RE.match(t):
        return "n/a"
    if _NOT_HELD_RE.search(t) and len(t) < 60:
        return "not_held"
    for regex, qualifier in _BOUND_RES:
        m = regex.fullmatch(t)
        if m:
            return f"{qualifier}{_number(m.group(1))}"
    if _WITHHELD_RE.search(t) and len(t) < 80:
        section = _SECTION_RE.search(t)
        return f"withheld:s{section.group(1).lower()}" if section else "withheld"
    return None


# -- fields -----------------------------------------------------------------------------

# A table's or sentence's own words that name no field: people counted, periods.
_STOP = STOP_WORDS | {
    "calendar",
    "employee",
    "employees",
    "financial",
    "how",
    "individuals",
    "many",
    "member",
    "members",
    "no",
    "officer",
    "officers",
    "people",
    "period",
    "persons",
    "year",
    "years",
}
# Words FOI answers use for what a field is called: their stems map to one stem.
_SYNONYMS = {"sacked": "dismis", "sackin": "dismis", "fired": "dismis", "termin": "dismis",
             "sacks": "dismis", "warned": "warnin", "suspen": "suspen", "resign": "resign"}  # fmt: skip
_WORD_RE = re.compile(r"[a-z]+")


def _stems(text: str) -> set[str]:
    # The first six letters: "dismissed", "dismissal" and "dismissals" are one word.
    out = set()
    for w in _WORD_RE.findall(text.lower()):
        if len(w) > 2 and w not in _STOP:
            out.add(_SYNONYMS.get(w[:6], _SYNONYMS.get(w, w[:6])))
    return out


@dataclass(frozen=True)
class _Terms:
    name: str
    core: frozenset[str]  # the stems of the field's name
    all: frozenset[str]  # and of its description, less what every field shares


def _terms(fields: Sequence[FieldSpec]) -> list[_Terms]:
    base = {f.name: _stems(f.name.replace("_", " ")) for f in fields}
    full = {f.name: base[f.name] | _stems(f.description) for f in fields}
    common = set.intersection(*full.values()) if len(full) > 1 else set()
    return [
        _Terms(f.name, frozenset(base[f.name] - common or base[f.name]),
               frozenset(full[f.name] - common))
        for f in fields
    ]  # fmt: skip


def match_field(text: str, terms: Sequence[_Terms]) -> tuple[str | None, str]:
    """(the field `text` names, how surely). Strong: every word of the field's name is
    there; weak: some word of its name or description. One strong match (whatever the weak
    ones) is sure (high); a weak match with no rival is medium; a choice between fields
    that match alike is low."""
    stems = _stems(text)
    strong = [t.name for t in terms if t.core and t.core <= stems]
    if len(strong) == 1:
        return strong[0], HIGH
    weak = sorted(
        (
            (len(t.all & stems), t.name)
            for t in terms
            if t.all & stems and (not strong or t.name in strong)
        ),
        key=lambda x: -x[0],
    )
    if not weak:
        return None, LOW
    if len(weak) == 1:
        return weak[0][1], MEDIUM
    return (weak[0][1] if weak[0][0] > weak[1][0] else None), LOW


def _worst(*confidences: str) -> str:
    return max(confidences, key=_RANK.__getitem__)


# -- the campaign's cells ---------------------------------------------------------------


@dataclass(frozen=True)
class _Wanted:
    """What the campaign asks for: each int field's terms and its periods by meaning."""

    terms: tuple[_Terms, ...]
    fields: dict[str, FieldSpec]
    declared: dict[PeriodKey, str]  # every field's periods, by what they mean

    def wants(self, field: str, period: str | None) -> bool:
        spec = self.fields.get(field)
        if spec is None:
            return False
        return period in spec.periods if spec.periods else period is None


def _wanted(fields: Sequence[FieldSpec]) -> _Wanted:
    # Only numbers are proposed: a text or date field is the reader's to write.
    numeric = [f for f in fields if f.type == "int"]
    declared = {period_key(p): p for f in numeric for p in f.periods}
    return _Wanted(tuple(_terms(numeric)), {f.name: f for f in numeric}, declared)


# -- tables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    period: str | None = None  # the declared period a header cell names
    is_period: bool = False  # a period cell (declared or not)
    value: str | None = None
    label: str = ""  # header or row-label text


def _classify(cell: Cell, declared: dict[PeriodKey, str]) -> _Kind:
    period, is_period = cell_period(cell.text, declared)
    if is_period:
        return _Kind(period, True)
    value = cell_value(cell.text)
    if value is not None:
        return _Kind(value=value)
    # A footnote mark or a dash is not a heading: it must not hide the one before it.
    text = " ".join(cell.text.split())
    return _Kind(label=text) if re.search(r"[^\W\d_]", text) else _Kind()


def _headers(line: Sequence[_Kind]) -> list[tuple[str, tuple[_Kind, ...]]]:
    """For each position along a row (or down a column): the nearest label before it and
    the period cells between that label and it. Values are passed over."""
    out = []
    label, periods = "", ()
    for kind in line:
        out.append((label, periods))
        if kind.label:
            label, periods = kind.label, ()
        elif kind.is_period:
            periods = (*periods, kind)
    return out


_A1_RE = re.compile(r"^([A-Z]{1,3})\d+$")  # a spreadsheet reference, its column letters
_ROW_COLUMN_RE = re.compile(r"^row \d+, column (\d+)$")


def _table_where(table: Table, cell: Cell) -> str:
    parts = [table.member] if table.member else []
    if table.page is not None:
        parts.append(f"page {table.page}")
    if table.sheet is not None:
        parts.append(f"sheet {table.sheet}")
    parts.append(f"cell {cell.ref}" if _A1_RE.match(cell.ref) else cell.ref)
    return ", ".join(parts)


def _table_field(text: str, table: Table, want: _Wanted) -> tuple[str | None, str]:
    field, sure = match_field(text, want.terms)
    if field is not None or _stems(text):
        return field, sure
    # Headers that name no field ("Number", "Total"): the sheet's name may; else, with one
    # field to fill, it is a guess.
    if table.sheet:
        field, sure = match_field(table.sheet, want.terms)
        if field is not None:
            return field, _worst(sure, MEDIUM)
    if len(want.terms) == 1:
        return want.terms[0].name, LOW
    return None, LOW


def _column_key(cell: Cell, position: int) -> str | int:
    """The column a cell stands in: its letters ("B4" → "B"), or C of "row R, column C";
    else its place in the row. A spreadsheet row holds only its filled cells, so a blank
    cell before a value must not move the value into the column to its left."""
    if m := _A1_RE.match(cell.ref):
        return m.group(1)
    if m := _ROW_COLUMN_RE.match(cell.ref):
        return int(m.group(1))
    return position + 1


def table_proposals(table: Table, source: Source, want: _Wanted) -> list[Proposal]:
    """A proposal for each value cell whose row and column headers name one field and one
    period the campaign asks for: a year per row or per column, PDF and DOCX tables alike."""
    grid = [[_classify(c, want.declared) for c in row] for row in table.rows]
    # Along a row the cells are in order, a gap between them adding nothing; down a
    # column, the cells are those with the same column key, in row order.
    across = [_headers(r) for r in grid]
    columns: dict[str | int, list[tuple[int, int]]] = {}
    for r, row in enumerate(table.rows):
        for i, cell in enumerate(row):
            columns.setdefault(_column_key(cell, i), []).append((r, i))
    down = {}
    for spots in columns.values():
        down.update(zip(spots, _headers([grid[r][i] for r, i in spots]), strict=True))
    out = []
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row):
            value = grid[r][c].value
            if value is None:
                continue
            left_label, left_periods = across[r][c]
            up_label, up_periods = down[(r, c)]
            periods = {k.period for k in (*left_periods, *up_periods)}
            if len(periods) > 1 or None in periods:
                continue  # another period, or one the campaign does not ask about
            period = next(iter(periods), None)
            field, sure = _table_field(f"{left_label} {up_label}", table, want)
            if field is None or not want.wants(field, period):
                continue
            out.append(
                Proposal(field, period, value, cell.text, source.name, _table_where(table, cell),
                         sure, source.sent_at, precision=0 if table.sheet is not None else 1)
            )  # fmt: skip
    return out


# -- sentences --------------------------------------------------------------------------

_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DATE_RE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\s+(?:19|20)\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"
    rf"|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}\b",
    re.I,
)
# Reference numbers ("FOI 1234", "FOI/2026/0456") are not figures; case matters here.
_REFERENCE_RE = re.compile(r"\b[A-Z]{2,}[\s/-]*\d[\w/-]*|\b\w*\d\w*/[\w/]+")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])|\n\s*\n")
_CLAUSE_RE = re.compile(r"[;,]|\band\b|\bwhile\b|\bwhereas\b|\bbut\b", re.I)
_DIGITS_RE = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?![\w.]|\.\d)")
_WORD_NUM_RE = re.compile(
    r"\b(" + "|".join(w for w in _WORDS if len(w) > 2 and w not in ("none", "nil")) + r")\b", re.I
)
_ZERO_RE = re.compile(r"\b(?:no|none|nil|zero)\b", re.I)


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def clause_values(clause: str, exemption: str) -> list[str]:
    """The figures a clause states (periods, dates and references already masked)."""
    if _NOT_HELD_RE.search(clause):
        return ["not_held"]
    if _WITHHELD_RE.search(clause):
        return [f"withheld:s{exemption}" if exemption else "withheld"]
    values, taken = [], []
    for regex, qualifier in _BOUND_RES:
        for m in regex.finditer(clause):
            values.append(f"{qualifier}{_number(m.group(1))}")
            taken.append(m.span())
    rest = _mask(clause, taken)
    values += [m.group(1).replace(",", ",") for m in _DIGITS_RE.finditer(rest)]
    values += [str(_number(m.group(1))) for m in _WORD_NUM_RE.finditer(rest)]
    if not values and _ZERO_RE.search(rest):
        values.append("0")
    return values


def _sentences(text: str) -> list[str]:
    # A PDF breaks sentences over lines; a blank line ends a paragraph.
    return [" ".join(s.split()) for s in _SENTENCE_RE.split(text) if s.strip()]


def _clause_spans(text: str) -> list[tuple[int, int]]:
    """Where each clause of `text` (split as _CLAUSE_RE splits it) starts and ends."""
    spans, start = [], 0
    for m in _CLAUSE_RE.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _per_period_clauses(
    found: list[tuple[PeriodKey, tuple[int, int]]], masked: str
) -> list[tuple[PeriodKey, str]] | None:
    """A sentence that names several periods, read clause by clause where each clause
    holding a figure names exactly one period and each period is in one such clause: "2
    staff dismissed in 2021, 1 in 2022" -> [(2021, "2 staff dismissed"), (2022, "1")]. A
    clause naming a period but no figure ("In 2021,") joins the next. None where the
    pairing is not that plain ("In 2021 and 2022, 7 were ..."): left to the reader."""
    groups: list[tuple[int, int]] = []
    pending: int | None = None
    for a, b in _clause_spans(masked):
        a = pending if pending is not None else a
        has_period = any(a <= s < b for _, (s, _) in found)
        if has_period and not clause_values(masked[a:b], ""):
            pending = a  # "In 2021," before its figure
            continue
        pending = None
        groups.append((a, b))
    pairs: list[tuple[PeriodKey, str]] = []
    used: set[PeriodKey] = set()
    for a, b in groups:
        clause = masked[a:b]
        if not clause_values(clause, ""):
            continue
        keys = {k for k, (s, _) in found if a <= s < b}
        if len(keys) != 1 or keys & used:
            return None
        used |= keys
        pairs.append((next(iter(keys)), clause))
    return pairs if used == {k for k, _ in found} else None


def sentence_proposals(segment: Segment, source: Source, want: _Wanted) -> list[Proposal]:
    """Figures stated in sentences: "In 2021, 3 members of staff were dismissed", "fewer
    than five officers were dismissed in 2020/21". One period per sentence, one figure
    and one field per clause; a sentence naming several periods is read clause by clause
    where each figure's clause names its own period ("2 staff dismissed in 2021, 1 in
    2022": the field carried from the clause before, never with high confidence), and is
    otherwise left to the reader."""
    out = []
    where = segment.locator()
    for sentence in _sentences(segment.text):
        april = [m.span() for m in APRIL_TO_MARCH_RE.finditer(sentence)]
        dates = [m.span() for m in _DATE_RE.finditer(_mask(sentence, april))]
        found = periods_in(_mask(sentence, dates))
        if open_ended(sentence, found):
            continue  # "since 2024": a span of periods, not one; left to the reader
        text, exemption = _figures_only(sentence, dates, found)
        if len({k for k, _ in found}) > 1:
            out += _several_periods(sentence, text, exemption, found, source, want, where)
            continue
        period = want.declared.get(found[0][0]) if found else None
        if found and period is None:
            continue  # a period the campaign does not ask about
        clauses = [c for c in _CLAUSE_RE.split(text) if c.strip()]
        with_values = [(c, clause_values(c, exemption)) for c in clauses]
        with_values = [(c, v) for c, v in with_values if v]
        for clause, values in with_values:
            if len(values) != 1:
                continue
            field, sure = match_field(clause, want.terms)
            if field is None and len(with_values) == 1:
                field, sure = match_field(text, want.terms)
                sure = _worst(sure, MEDIUM)
            if field is None or not want.wants(field, period):
                continue
            out.append(
                Proposal(field, period, values[0], sentence, source.name, where, sure,
                         source.sent_at)
            )  # fmt: skip
    return out


def _figures_only(
    sentence: str, dates: list[tuple[int, int]], found: list[tuple[PeriodKey, tuple[int, int]]]
) -> tuple[str, str]:
    """The sentence with its dates, periods, section numbers and references blanked (so
    that only figures are left to read as numbers), and the exemption's section it cites
    ("40", or "")."""
    section = _SECTION_RE.search(sentence)
    exemption = section.group(1).lower() if section else ""
    spans = dates + [s for _, s in found] + [m.span() for m in _SECTION_RE.finditer(sentence)]
    text = _mask(sentence, spans)
    return _mask(text, [m.span() for m in _REFERENCE_RE.finditer(text)]), exemption


def _several_periods(
    sentence: str,
    masked: str,
    exemption: str,
    found: list[tuple[PeriodKey, tuple[int, int]]],
    source: Source,
    want: _Wanted,
    where: str,
) -> list[Proposal]:
    """sentence_proposals for a sentence naming several periods (_per_period_clauses);
    `masked`: the sentence as _figures_only leaves it."""
    pairs = _per_period_clauses(found, masked)
    if pairs is None:
        return []
    out: list[Proposal] = []
    field: str | None = None
    for key, clause in pairs:
        values = clause_values(clause, exemption)
        period = want.declared.get(key)
        if len(values) != 1 or period is None:
            continue
        named, sure = match_field(clause, want.terms)
        if named is None:
            sure = LOW if field is None else MEDIUM  # "…, 1 in 2022": the field before
        field = named or field
        if field is None or not want.wants(field, period):
            continue
        out.append(
            Proposal(field, period, values[0], sentence, source.name, where,
                     _worst(sure, MEDIUM), source.sent_at)
        )  # fmt: skip
    return out


# -- all together -----------------------------------------------------------------------


def propose(
    fields: Sequence[FieldSpec], sources: Iterable[Source], accepts: Accepts | None = None
) -> dict[str, list[Proposal]]:
    """Proposals per value key (`field` or `field:period`), best first: one per distinct
    value, the best-placed proposal of each. `accepts(spec, value)` is record's parser:
    a value it refuses (say, over the field's `max`) is dropped."""
    want = _wanted(fields)
    found: list[Proposal] = []
    for source in sources:
        if source.extraction.state != "read":
            continue
        found += _tables_proposals(source, want)
        for segment in source.extraction.segments:
            if segment.cell is None:  # a spreadsheet cell's text is read as a table cell
                found += sentence_proposals(segment, source, want)
    if accepts is not None:
        found = [p for p in found if accepts(want.fields[p.field], p.value)]
    return rank(found)


def _tables_proposals(source: Source, want: _Wanted) -> list[Proposal]:
    """The proposals of one attachment's tables. A field and period found in two of its
    tables is never sure, even where the two agree: a reply with a sheet for officers and
    one for staff gives parts of the figure, not the figure twice."""
    per_table = [table_proposals(t, source, want) for t in source.extraction.tables]
    tables_of: dict[str, int] = {}
    for proposals in per_table:
        for key in {p.key for p in proposals}:
            tables_of[key] = tables_of.get(key, 0) + 1
    return [
        _with(p, confidence=MEDIUM) if p.confidence == HIGH and tables_of[p.key] > 1 else p
        for proposals in per_table
        for p in proposals
    ]


def rank(found: Iterable[Proposal]) -> dict[str, list[Proposal]]:
    """Group by value key; within one, a value more sources agree on, then a surer one,
    then a later reply's, comes first, shown by its surest, most exact source. High confidence does not survive a disagreement:
    two sources sure of different values are both shown as medium."""
    by_key: dict[str, list[Proposal]] = {}
    for p in found:
        by_key.setdefault(p.key, []).append(p)
    out: dict[str, list[Proposal]] = {}
    for k, group in by_key.items():
        sure_values = {p.value for p in group if p.confidence == HIGH}
        if len(sure_values) > 1:
            group = [_with(p, confidence=MEDIUM) if p.confidence == HIGH else p for p in group]
        votes: dict[str, int] = {}
        for p in group:
            votes[p.value] = votes.get(p.value, 0) + 1
        best: dict[str, Proposal] = {}
        for p in sorted(group, key=lambda p: (_RANK[p.confidence], p.precision, _later(p.sent_at))):
            best.setdefault(p.value, _with(p, agreeing=votes[p.value]))
        out[k] = sorted(
            best.values(),
            key=lambda p: (_RANK[p.confidence], -p.agreeing, _later(p.sent_at)),
        )
    return out


def _later(sent_at: str | None) -> str:
    # Sorts a later reply first: each character's complement.
    return "".join(chr(0x10FFFF - ord(c)) for c in sent_at or "")


def _with(p: Proposal, **changes: object) -> Proposal:
    from dataclasses import replace

    return replace(p, **changes)  # type: ignore[arg-type]
