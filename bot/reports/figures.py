"""Figures recorded from the replies: typed by the campaign's `fields`, kept as events.

Each `foibot record` writes one `recorded` event per field (and period), so the history
(when, by whom, with what note) stays in the append-only log and the current value is
simply the latest event for that field. Clearing a value is an event too.

A number field takes what real FOI answers give: a number (`3`, `1,204`), a bound
(`<5`, `≤10`, `>100`: police forces give `<5` under s.40 to avoid identifying people),
or a reason there is no number (`withheld:s40`, `not_held`, `refused:s12`, `n/a`).
Each is stored structured (value, qualifier, exemption) and shown as written.

Everything here is pure; the shells load the events through `bot.store`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any

from bot.config import FieldSpec, suggest
from bot.config_fields import FIGURE_MAX_DIGITS
from bot.errors import UsageError
from bot.wording import STOP_WORDS, UNSHOWABLE

RECORDED = "recorded"
Value = int | str | bool

_TRUE = frozenset({"yes", "true", "1"})
_FALSE = frozenset({"no", "false", "0"})
# Replies often print counts with thousands separators ("1,204"); accept only well-formed ones.
_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)"
_INT_RE = re.compile(rf"^{_NUMBER}$")
_BOUND_RE = re.compile(rf"^(<=|>=|≤|≥|<|>)\s*({_NUMBER})$")
_BOUNDS = {"<": "<", ">": ">", "<=": "<=", "≤": "<=", ">=": ">=", "≥": ">="}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A reason for no number, optionally with the exemption relied on: `withheld:s40`.
_REASON_RE = re.compile(r"^(withheld|not[ _-]held|refused|n/?a)(?:\s*:\s*(.*)|\s*\((.*)\))?$", re.I)
_EXEMPTION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9().]{0,23}$")
REASONS = {"withheld": "withheld", "not_held": "not held", "refused": "refused", "n/a": "n/a"}
# Reasons that may carry an exemption: "not held" and "n/a" are facts, not exemptions.
_EXEMPT_REASONS = ("withheld", "refused")
# The assignment syntax `field:period=value`: ':' and '=' need no quoting in a shell.
_ASSIGN_RE = re.compile(r"^([a-z][a-z0-9_]*)(?::([^=\s]+))?$")


@dataclass(frozen=True)
class Figure:
    """One recorded answer. `qualifier` is "" for an exact value, a bound ("<", "<=",
    ">", ">="), or a reason (a key of REASONS), in which case `value` is None."""

    value: Value | None
    qualifier: str = ""
    exemption: str = ""
    written: str = ""
    # Where an accepted hint (`foibot record --accept-hints`) found it: "" when typed in.
    source: str = _field(default="", compare=False)

    @property
    def is_reason(self) -> bool:
        return self.qualifier in REASONS

    @property
    def is_bound(self) -> bool:
        return self.qualifier in ("<", "<=", ">", ">=")

    @property
    def text(self) -> str:
        """As a reader should see it: `3`, `<5`, `≤10`, `refused (s.12)`, `not held`."""
        if self.is_reason:
            words = REASONS[self.qualifier]
            return f"{words} ({exemption_label(self.exemption)})" if self.exemption else words
        if self.is_bound:
            symbol = {"<=": "≤", ">=": "≥"}.get(self.qualifier, self.qualifier)
            return f"{symbol}{self.value}"
        if isinstance(self.value, bool):
            return "yes" if self.value else "no"
        return "" if self.value is None else str(self.value)

    def plain(self) -> Value:
        """The value for CSV/JSON cells: the number itself when exact, else the text."""
        if self.qualifier or self.value is None:
            return self.text
        return self.value

    def same(self, other: Figure | None) -> bool:
        return other is not None and (self.value, self.qualifier, self.exemption) == (
            other.value,
            other.qualifier,
            other.exemption,
        )

    def detail(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value}
        if self.qualifier:
            out["qualifier"] = self.qualifier
        if self.exemption:
            out["exemption"] = self.exemption
        if self.written and self.written != str(self.value):
            out["as_written"] = self.written
        return out

    @classmethod
    def from_detail(cls, detail: Mapping[str, Any]) -> Figure:
        value = detail.get("value")
        return cls(
            value,
            detail.get("qualifier") or "",
            detail.get("exemption") or "",
            detail.get("as_written") or ("" if value is None else str(value)),
            hint_origin(detail.get("hint")),
        )


def hint_origin(hint: Any) -> str:
    """Where an accepted hint's value was read, from its event detail's `hint`."""
    if not isinstance(hint, Mapping):
        return ""
    where = ", ".join(str(hint[k]) for k in ("source", "where") if hint.get(k))
    return f"{where} (reply of {str(hint['reply'])[:10]})" if hint.get("reply") else where


def exemption_key(exemption: str) -> str:
    """How an exemption is stored: `s.40`, `S40` and `s 40` are all `s40`."""
    m = re.match(r"^s\.?\s*(\d.*)$", exemption, re.I)
    return f"s{m.group(1)}" if m else exemption


def exemption_label(exemption: str) -> str:
    """`s40` -> `s.40`, as FOI answers cite sections; anything else as written."""
    m = re.match(r"^s\.?(\d.*)$", exemption, re.I)
    return f"s.{m.group(1)}" if m else exemption


def key(field: str, period: str | None) -> str:
    """The name of one value: the field, or `field:period`."""
    return f"{field}:{period}" if period else field


@dataclass(frozen=True)
class Entry:
    """One value to record (or clear, when `figure` is None)."""

    field: str
    period: str | None
    figure: Figure | None

    @property
    def key(self) -> str:
        return key(self.field, self.period)


def _whole_number(spec: FieldSpec, digits: str, raw: str) -> int:
    digits = digits.replace(",", "")
    if len(digits.lstrip("+-")) > FIGURE_MAX_DIGITS:
        raise UsageError(
            f"field '{spec.name}': {raw.strip()[:40]!r}… has more than {FIGURE_MAX_DIGITS} digits"
        )
    number = int(digits)
    _check_range(spec, number, raw)
    return number


def _check_range(spec: FieldSpec, number: int, raw: str) -> None:
    low, high = spec.lowest, spec.max
    if low is not None and number < low:
        what = "a count, never negative" if low == 0 else f"at least {low}"
        raise UsageError(f"field '{spec.name}' is {what}, got {raw.strip()!r}")
    if high is not None and number > high:
        raise UsageError(f"field '{spec.name}' is at most {high}, got {raw.strip()!r}")


def parse_figure(spec: FieldSpec, raw: str) -> Figure:
    """The figure `raw` gives for a field; UsageError naming the field when it does not fit.

    Dates stay ISO strings so events and reports carry them as JSON/CSV without conversion.
    """
    if UNSHOWABLE.search(raw):  # it would reach every terminal `show` and `results` use
        raise UsageError(
            f"field '{spec.name}': a value may not hold control characters (such as an "
            "escape sequence) or undecodable bytes"
        )
    text = raw.strip()
    if spec.type == "text":
        return Figure(raw, written=raw)
    if spec.type == "int":
        if _INT_RE.match(text):
            return Figure(_whole_number(spec, text, raw), written=text)
        bound = _BOUND_RE.match(text)
        if bound:
            number = _whole_number(spec, bound.group(2), raw)
            return Figure(number, _BOUNDS[bound.group(1)], written=text)
        reason = _REASON_RE.match(text)
        if reason:
            word = reason.group(1).lower().replace(" ", "_").replace("-", "_")
            word = "n/a" if word in ("na", "n/a") else word
            given = reason.group(2) if reason.group(2) is not None else reason.group(3)
            exemption = (given or "").strip()
            if given is not None and (
                word not in _EXEMPT_REASONS or not _EXEMPTION_RE.match(exemption)
            ):
                raise UsageError(
                    f"field '{spec.name}': {raw.strip()!r} — only withheld and refused take an "
                    "exemption, written like withheld:s40 or refused:s12"
                )
            return Figure(None, word, exemption_key(exemption), text)
        raise UsageError(
            f"field '{spec.name}' takes a whole number, a bound (<5, ≤10, >100) or a reason "
            f"(withheld:s40, not held, refused:s12, n/a), got {raw!r}"
        )
    if spec.type == "bool":
        word = text.lower()
        if word in _TRUE:
            return Figure(True, written=text)
        if word in _FALSE:
            return Figure(False, written=text)
        raise UsageError(
            f"field '{spec.name}' is yes/no (bool: yes, no, true, false, 1, 0), got {raw!r}"
        )
    if spec.type == "date":
        try:
            if not _DATE_RE.match(text):
                raise ValueError
            iso = dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise UsageError(f"field '{spec.name}' is a date (YYYY-MM-DD), got {raw!r}") from None
        return Figure(iso, written=iso)
    raise UsageError(f"field '{spec.name}' has unknown type '{spec.type}'")


def coerce(spec: FieldSpec, raw: str) -> Value:
    """The plain value of `raw` for a field (see `parse_figure`)."""
    return parse_figure(spec, raw).plain()


def parse_target(
    fields: Sequence[FieldSpec], target: str, period: str | None = None
) -> tuple[FieldSpec, str | None]:
    """The field and period `dismissed:2021` (or a field and a separate period) name."""
    specs = {spec.name: spec for spec in fields}
    m = _ASSIGN_RE.match(target.strip())
    name = m.group(1) if m else target.strip()
    if m and m.group(2):
        if period:
            raise UsageError(f"'{target}' names a period and the period column gives another")
        period = m.group(2)
    if name not in specs:
        known = ", ".join(specs) or "none declared"
        raise UsageError(f"unknown field '{name}'{suggest(name, list(specs))} (fields: {known})")
    if not m:
        raise UsageError(f"expected FIELD or FIELD:PERIOD, got {target!r}")
    spec = specs[name]
    if spec.periods and not period:
        raise UsageError(
            f"field '{name}' has a value per period ({', '.join(spec.periods)}): "
            f"write {name}:{spec.periods[0]}=VALUE"
        )
    if period and not spec.periods:
        raise UsageError(
            f"field '{name}' has no periods, so '{name}:{period}' is not one of its values"
        )
    if period and period not in spec.periods:
        raise UsageError(
            f"field '{name}' has no period '{period}'{suggest(period, list(spec.periods))} "
            f"(periods: {', '.join(spec.periods)})"
        )
    return spec, period


def parse_entry(
    fields: Sequence[FieldSpec], target: str, raw: str, period: str | None = None
) -> Entry:
    """One value to record; an empty or blank `raw` clears it."""
    spec, period = parse_target(fields, target, period)
    if not raw.strip():
        return Entry(spec.name, period, None)
    return Entry(spec.name, period, parse_figure(spec, raw))


def parse_assignments(fields: Sequence[FieldSpec], pairs: Iterable[str]) -> list[Entry]:
    """`FIELD=VALUE` / `FIELD:PERIOD=VALUE` arguments checked against the campaign's fields,
    in the order given. `FIELD=` (nothing after the `=`) clears a value."""
    entries: list[Entry] = []
    seen: set[str] = set()
    for pair in pairs:
        target, eq, raw = pair.partition("=")
        if not eq or not target.strip():
            raise UsageError(f"expected FIELD=VALUE or FIELD:PERIOD=VALUE, got {pair!r}")
        entry = parse_entry(fields, target, raw)
        if entry.key in seen:
            raise UsageError(f"field '{entry.key}' is given twice")
        seen.add(entry.key)
        entries.append(entry)
    if not entries:
        raise UsageError("give at least one FIELD=VALUE")
    return entries


def recorded_events(
    ref: str,
    entries: Iterable[Entry],
    note: str | None = None,
    by: str | None = None,
    hints: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The event-log entries for one `record`: one per value set or cleared. `hints`, by
    value key: where an accepted hint read the value (source, where, raw, confidence)."""
    extra = {k: v for k, v in (("note", note), ("by", by)) if v}
    out = []
    for e in entries:
        detail: dict[str, Any] = {"field": e.field}
        if e.period:
            detail["period"] = e.period
        detail.update(e.figure.detail() if e.figure else {"value": None, "cleared": True})
        if hints and e.key in hints:
            detail["hint"] = dict(hints[e.key])
        out.append({"ref": ref, "kind": RECORDED, "detail": {**detail, **extra}})
    return out


def current_figures(events: Iterable[Mapping[str, Any]]) -> dict[str, Figure]:
    """Latest recorded figure per value key. Events come in log order (by id), so later
    wins; a clearing event removes the value."""
    figures: dict[str, Figure] = {}
    for event in events:
        if event["kind"] != RECORDED:
            continue
        detail = event["detail"] or {}
        if "field" not in detail:
            continue
        name = key(detail["field"], detail.get("period"))
        if detail.get("cleared"):
            figures.pop(name, None)
        else:
            figures[name] = Figure.from_detail(detail)
    return figures


def current_values(events: Iterable[Mapping[str, Any]]) -> dict[str, Value]:
    """Latest value per key, as plain CSV/JSON values (`3`, `"<5"`, `"not held"`)."""
    return {name: fig.plain() for name, fig in current_figures(events).items()}


def recorded_figures(store: Any, ref: str) -> dict[str, Figure]:
    """One request's current figures: value key (`field` or `field:period`) -> Figure."""
    return current_figures(store.events_of_kind(RECORDED, ref))


def campaign_figures(store: Any, campaign: str | None) -> dict[str, dict[str, Figure]]:
    """ref -> current figures, for one campaign's requests (or every request)."""
    by_ref = store.events_of_kind_by_ref(RECORDED, campaign)
    return {ref: current_figures(events) for ref, events in by_ref.items()}


def recorded_values(store: Any, ref: str) -> dict[str, Value]:
    """The current recorded figures of one request, key -> value (for `foibot show`)."""
    return {name: fig.plain() for name, fig in recorded_figures(store, ref).items()}


# -- bulk entry -----------------------------------------------------------------------

CSV_COLUMNS = ("ref", "field", "period", "value", "note")


@dataclass(frozen=True)
class Target:
    """What a `ref` cell may name: a request (by ref or its body's url_name)."""

    ref: str | None  # None: the name is ambiguous (`problem` says why)
    fields: tuple[FieldSpec, ...] = ()
    problem: str = ""


@dataclass(frozen=True)
class CsvRow:
    line: int
    ref: str
    entry: Entry
    note: str | None


def csv_targets(
    requests: Iterable[Mapping[str, Any]],
    fields: Mapping[str, tuple[FieldSpec, ...]],
    campaign: str | None = None,
) -> dict[str, Target]:
    """What a CSV's `ref` cells may name: each request by its ref, and by its body's
    url_name where the body has just one of `requests` (a ref wins over a body of the
    same name). `requests` are rows with `ref`, `campaign` and `body`; `fields` are each
    campaign's, by slug; `campaign` the one `requests` were limited to, if any."""
    targets: dict[str, Target] = {}
    by_body: dict[str, list[Mapping[str, Any]]] = {}
    for row in requests:
        targets[row["ref"]] = Target(row["ref"], fields.get(row["campaign"], ()))
        if row["body"]:
            by_body.setdefault(row["body"], []).append(row)
    for body, rows in by_body.items():
        if body in targets:
            continue
        if len(rows) == 1:
            targets[body] = targets[rows[0]["ref"]]
        else:
            refs = ", ".join(r["ref"] for r in rows)
            targets[body] = Target(
                None,
                problem=f"body '{body}' has more than one request ({refs}): give the ref"
                + ("" if campaign else " or --campaign"),
            )
    return targets


def changes(entry: Entry, current: Mapping[str, Figure]) -> bool:
    """Recording `entry` changes what is recorded (`current`: key -> figure): a figure
    unlike the current one, or the clearing of one recorded. Else it needs no event."""
    if entry.figure is None:
        return entry.key in current
    return not entry.figure.same(current.get(entry.key))


def changed_rows(
    rows: Iterable[CsvRow], current: Mapping[str, Mapping[str, Figure]]
) -> list[CsvRow]:
    """The rows that change what is recorded (`current`: ref -> key -> figure)."""
    return [r for r in rows if changes(r.entry, current.get(r.ref, {}))]


def parse_csv(
    text: str, targets: Mapping[str, Target], name: str = "CSV"
) -> tuple[list[CsvRow], list[str]]:
    """Rows of a results CSV (`ref,field,value` and optional `period`, `note`; other
    columns such as `body_name` are ignored) and one error per bad row, naming its line.

    A row with a blank value is skipped: the `results --template` sheet has a row per
    value and people fill in some of them. Clear a value with `foibot record REF FIELD=`.
    """
    # strict: a quote left open would otherwise swallow the lines after it into one cell.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    at, problem = _csv_header(reader, name)
    if problem:
        return [], [problem]
    rows: list[CsvRow] = []
    errors: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(f"{name}, line {reader.line_num}: {exc}")
            break
        line = reader.line_num
        try:
            row = _csv_row(cells, at, targets, line, seen)
        except UsageError as exc:
            errors.append(f"{name}, line {line}: {exc}")
            continue
        if row is not None:
            seen[(row.ref, row.entry.key)] = line
            rows.append(row)
    return rows, errors


def _csv_header(reader: Any, name: str) -> tuple[dict[str, int], str]:
    """Where each known column is, or a problem with the header line."""
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return {}, f"{name}: empty file (expected a header: ref,field,value)"
    except csv.Error as exc:
        return {}, f"{name}, line 1: {exc}"
    missing = [c for c in ("ref", "field", "value") if c not in header]
    if missing:
        return {}, (
            f"{name}, line 1: the header lacks {', '.join(missing)} (columns: {', '.join(CSV_COLUMNS)})"
        )
    return {c: header.index(c) for c in CSV_COLUMNS if c in header}, ""


def _csv_row(
    cells: list[str],
    at: Mapping[str, int],
    targets: Mapping[str, Target],
    line: int,
    seen: Mapping[tuple[str, str], int],
) -> CsvRow | None:
    """One line's value, None for a line with no value; UsageError for a bad one."""
    # Cells as foibot wrote them: `results --template` neutralises formula cells ("'-1").
    from bot.reports.table_formats import unneutralise

    def cell(column: str) -> str:
        i = at.get(column)
        return unneutralise(cells[i]) if i is not None and i < len(cells) else ""

    if not any(c.strip() for c in cells) or not cell("value").strip():
        return None
    who = cell("ref").strip()
    if not who:
        raise UsageError("no ref")
    target = targets.get(who)
    if target is None:
        raise UsageError(
            f"'{who}' is neither a request ref nor a campaign body{suggest(who, list(targets))}"
        )
    if target.ref is None:
        raise UsageError(target.problem)
    entry = parse_entry(target.fields, cell("field"), cell("value"), cell("period").strip() or None)
    twice = seen.get((target.ref, entry.key))
    if twice:
        raise UsageError(f"{target.ref} {entry.key} is also given on line {twice}")
    return CsvRow(line, target.ref, entry, cell("note").strip() or None)


# -- suggestions ----------------------------------------------------------------------

# Words of a note that name no field.
_STOP = STOP_WORDS | {
    "anything",
    "else",
    "etc",
    "other",
    "reply",
    "said",
}
_WORD_RE = re.compile(r"[a-z]+")
_HAS_NUMBER = re.compile(r"\d")


def _stems(text: str) -> set[str]:
    # A crude stem (the first six letters) lets "dismissed" find "dismissals".
    return {w[:6] for w in _WORD_RE.findall(text.lower()) if len(w) > 2 and w not in _STOP}


def suggestions(
    fields: Sequence[FieldSpec], texts: Iterable[str], limit: int = 8
) -> dict[str, list[str]]:
    """For each field, the reply lines with a number and a word of the field's name or
    description: candidates for a person to confirm, never recorded automatically.

    Words every field shares (the campaign's topic, e.g. "social media") find nothing
    particular to a field, so they are left out."""
    words = {f.name: _stems(f.name.replace("_", " ") + " " + f.description) for f in fields}
    if len(words) > 1:
        common = set.intersection(*words.values())
        words = {name: stems - common for name, stems in words.items()}
    lines = [
        " ".join(line.split())
        for text in texts
        for line in (text or "").splitlines()
        if _HAS_NUMBER.search(line)
    ]
    out: dict[str, list[str]] = {}
    for name, stems in words.items():
        found = [line for line in lines if stems & _stems(line)]
        if found:
            out[name] = list(dict.fromkeys(found))[:limit]
    return out
