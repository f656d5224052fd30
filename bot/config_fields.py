"""A campaign's figures: [[campaigns.fields]], each with its type, bounds and periods.

No `from __future__ import annotations`: config_table reads each record's annotations as
the types they are."""

import functools
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from bot.bodies import clean_name
from bot.config_table import Table, suggest

FIELD_TYPES = ("int", "text", "bool", "date")


class FieldSpec(NamedTuple):
    """One figure a campaign asks every body for.

    `periods` splits it into one value per period (e.g. the calendar years a letter asks
    about), recorded as `name:period=VALUE`. `min`/`max` bound an int field; a count is
    never negative, so ints default to `min = 0`.
    """

    name: str
    type: str = "int"
    description: str = ""
    periods: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None

    @property
    def label(self) -> str:
        """What a reader sees as the column heading: the description, else the name."""
        return self.description or self.name.replace("_", " ")

    @property
    def lowest(self) -> int | None:
        if self.type != "int":
            return None
        return 0 if self.min is None else self.min


def parse_fields(c: Table, name: str, variables: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    """A campaign's [[campaigns.fields]]; `variables`: its `vars`, which periods may name."""
    specs: list[FieldSpec] = []
    for i, item in enumerate(c.get(name, list)):
        f = Table(c.file, item, f"{c.key(name)}[{i}]")
        spec = f.record(
            FieldSpec, parsers={"periods": functools.partial(_parse_periods, variables=variables)}
        )
        if not re.match(r"^[a-z][a-z0-9_]*$", spec.name):
            f.fail(f"'{spec.name}' must be lower-case letters, digits and _", f.key("name"))
        if spec.type not in FIELD_TYPES:
            f.fail(f"unknown type '{spec.type}' (one of {', '.join(FIELD_TYPES)})", f.key("type"))
        if any(s.name == spec.name for s in specs):
            f.fail(f"duplicate field '{spec.name}'", f.key("name"))
        for bound in ("min", "max"):
            value = getattr(spec, bound)
            if value is not None and spec.type != "int":
                f.fail(f"only int fields take {bound}", f.key(bound))
            if abs(value or 0) >= 10**FIGURE_MAX_DIGITS:
                f.fail(
                    f"must be between -10^{FIGURE_MAX_DIGITS} and 10^{FIGURE_MAX_DIGITS}, "
                    f"got {value}",
                    f.key(bound),
                )
        # A heading of `results` and of the reports: on one line, no escape sequences.
        spec = spec._replace(description=clean_name(spec.description))
        if spec.min is not None and spec.max is not None and spec.min > spec.max:
            f.fail(f"min ({spec.min}) is above max ({spec.max})", f.key("min"))
        specs.append(spec)
    return tuple(specs)


# SQLite stores a whole number in 64 bits: a figure, or a field's bound, has at most this
# many digits (no body gave a count longer).
FIGURE_MAX_DIGITS = 18
PERIOD_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
MAX_PERIODS = 100


def _parse_periods(f: Table, name: str, variables: Mapping[str, Any]) -> tuple[str, ...]:
    """`periods = ["2021", "2022"]` or a year range `{ from = 2021, to = 2025 }`, whose
    ends may name the campaign's `vars` (`{ from = "first_year", to = "last_year" }`)."""
    key = f.key(name)
    value = f.get(name, (list, dict))
    if isinstance(value, dict):
        span = Table(f.file, value, key)
        span.only("from", "to")
        ends = []
        for end in ("from", "to"):
            raw = span.get(end, (int, str))
            if isinstance(raw, str):
                if raw not in variables:
                    known = ", ".join(variables) or "none"
                    span.fail(
                        f"'{raw}' is not one of the campaign's vars{suggest(raw, list(variables))}"
                        f" (vars: {known})",
                        span.key(end),
                    )
                raw = variables[raw]
            if isinstance(raw, bool) or not isinstance(raw, int):
                span.fail(f"expected a whole number such as a year, got {raw!r}", span.key(end))
            ends.append(raw)
        first, last = ends
        if last < first or last - first >= MAX_PERIODS:
            span.fail(f"from {first} to {last} is not a range of 1 to {MAX_PERIODS} periods")
        return tuple(str(year) for year in range(first, last + 1))
    labels: list[str] = []
    for i, raw in enumerate(value):
        label = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
        if not isinstance(label, str) or not PERIOD_RE.match(label):
            f.fail(
                "a period is a label of letters, digits, '.', '_' and '-' such as 2021 or 2021-22,"
                f" got {raw!r}",
                f"{key}[{i}]",
            )
        if label in labels:
            f.fail(f"duplicate period '{label}'", f"{key}[{i}]")
        labels.append(label)
    if not labels:
        f.fail("give at least one period, or leave `periods` out", key)
    return tuple(labels)
