"""How an error message names the type of a value a user or WDTK gave: one table for
config errors ("a table") and payload errors ("an object")."""

from __future__ import annotations

import datetime as dt
from typing import Any

TYPE_NAMES: dict[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a table",
    dt.datetime: "a date-time",
    dt.date: "a date",
}
# What an error says it expected: with an example where the form is not obvious.
EXPECTED = {
    **TYPE_NAMES,
    dt.datetime: "a date-time like 2026-12-01T09:00:00",
    dt.date: "a date like 2026-12-01",
}


def type_name(value: Any, *, mapping: str = "a table") -> str:
    """"an integer", "a string" …; `mapping` names a dict (TOML says table, JSON object)."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return mapping
    return TYPE_NAMES.get(type(value), type(value).__name__)


def kind_name(kind: type) -> str:
    """The name of an expected type, as `type_name` would name a value of it."""
    return EXPECTED.get(kind, kind.__name__)
