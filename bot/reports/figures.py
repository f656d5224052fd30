"""Figures recorded from the replies: typed by the campaign's `fields`, kept as events.

Each `foibot record` writes one `recorded` event per field, so the history (when, by
whom, with what note) stays in the append-only log and the current value is simply the
latest event for that field. Everything here is pure except `recorded_values`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.config import FieldSpec, suggest
from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.store.db import Store

RECORDED = "recorded"
Value = int | str | bool

_TRUE = frozenset({"yes", "true", "1"})
_FALSE = frozenset({"no", "false", "0"})
# Replies often print counts with thousands separators ("1,204"); accept only well-formed ones.
_INT_RE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def coerce(spec: FieldSpec, raw: str) -> Value:
    """The typed value of `raw` for a field; UsageError naming the field when it does not fit.

    Dates stay ISO strings so events and reports carry them as JSON/CSV without conversion.
    """
    text = raw.strip()
    if spec.type == "text":
        return raw
    if spec.type == "int":
        if not _INT_RE.match(text):
            raise UsageError(f"field '{spec.name}' is a whole number (int), got {raw!r}")
        return int(text.replace(",", ""))
    if spec.type == "bool":
        word = text.lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise UsageError(
            f"field '{spec.name}' is yes/no (bool: yes, no, true, false, 1, 0), got {raw!r}"
        )
    if spec.type == "date":
        try:
            if not _DATE_RE.match(text):
                raise ValueError
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise UsageError(f"field '{spec.name}' is a date (YYYY-MM-DD), got {raw!r}") from None
    raise UsageError(f"field '{spec.name}' has unknown type '{spec.type}'")


def parse_assignments(fields: Sequence[FieldSpec], pairs: Iterable[str]) -> dict[str, Value]:
    """`FIELD=VALUE` arguments checked against the campaign's fields, in the order given."""
    specs = {spec.name: spec for spec in fields}
    values: dict[str, Value] = {}
    for pair in pairs:
        name, eq, raw = pair.partition("=")
        name = name.strip()
        if not eq or not name:
            raise UsageError(f"expected FIELD=VALUE, got {pair!r}")
        if name not in specs:
            known = ", ".join(specs) or "none declared"
            raise UsageError(
                f"unknown field '{name}'{suggest(name, list(specs))} (fields: {known})"
            )
        if name in values:
            raise UsageError(f"field '{name}' is given twice")
        values[name] = coerce(specs[name], raw)
    if not values:
        raise UsageError("give at least one FIELD=VALUE")
    return values


def recorded_events(
    ref: str, values: Mapping[str, Value], note: str | None = None, by: str | None = None
) -> list[dict[str, Any]]:
    """The event-log entries for one `record` command: one per field."""
    extra = {k: v for k, v in (("note", note), ("by", by)) if v}
    return [
        {"ref": ref, "kind": RECORDED, "detail": {"field": name, "value": value, **extra}}
        for name, value in values.items()
    ]


def current_values(events: Iterable[Mapping[str, Any]]) -> dict[str, Value]:
    """Latest `recorded` value per field. Events come in log order (by id), so later wins."""
    values: dict[str, Value] = {}
    for event in events:
        if event["kind"] != RECORDED:
            continue
        detail = event["detail"] or {}
        if "field" in detail:
            values[detail["field"]] = detail.get("value")
    return values


def recorded_values(store: Store, ref: str) -> dict[str, Value]:
    """The current recorded figures of one request, field -> value (for `foibot show`)."""
    import json

    rows = store.db.query(
        "SELECT kind, detail FROM events WHERE ref = ? AND kind = ? ORDER BY id", [ref, RECORDED]
    )
    return current_values(
        {"kind": r["kind"], "detail": json.loads(r["detail"]) if r["detail"] else None}
        for r in rows
    )
