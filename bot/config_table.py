"""A TOML table read into a typed record (typing.NamedTuple), for config.toml.

The record is the schema: each of its fields is a key, the field's annotation says how the
value is checked and the field's default is what an absent key gets. Every error names the
file and the key path (``config.toml: campaigns[0].bodies[2]: …``) and, for an unknown key,
the nearest known one.
"""

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from bot.errors import ConfigError
from bot.typenames import kind_name, type_name

MISSING = object()  # no default: the key is required


def suggest(word: str, choices: Iterable[str]) -> str:
    """" — did you mean 'x'?" for the closest of `choices`, or nothing."""
    import difflib  # only on the way to an error message

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else ""


R = TypeVar("R", bound=tuple)
# Reads one key's value for a record's field: the table and the key, present in the table.
Parser = Callable[["Table", str], Any]


class Table:
    """A TOML table being read: tracks its key path and refuses unknown keys."""

    def __init__(self, file: str, data: Any, path: str):
        self.file, self.path = file, path
        if not isinstance(data, dict):
            self.fail(f"expected a table, got {type_name(data)}")
        self.data: dict[str, Any] = data

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, message: str, key: str | None = None) -> None:
        where = key if key is not None else self.path
        raise ConfigError(
            f"{self.file}: {where}: {message}" if where else f"{self.file}: {message}"
        )

    def only(self, *allowed: str) -> None:
        for name in self.data:
            if name not in allowed:
                self.fail(f"unknown key{suggest(name, allowed)}", self.key(name))

    def record(
        self,
        cls: type[R],
        *,
        keys: Mapping[str, str] | None = None,
        minimum: Mapping[str, float] | None = None,
        maximum: Mapping[str, float] | None = None,
        parsers: Mapping[str, Parser] | None = None,
        **given: Any,
    ) -> R:
        """This table read as the record `cls`: one key per field, named as the field
        unless `keys` renames it. A key in `parsers` is read by its parser and any other by
        its field's type (`field`); an absent key takes the field's default. Fields in
        `given` are not keys: the caller knows them (a body's url_name is its table's name).

        Every number read by its type needs a `maximum`: a value too large for a date, a
        timedelta or a C integer (`margin_minutes = 1000000000000`) is refused here, naming
        the key, rather than failing deep inside a later command."""
        keys, minimum, parsers = keys or {}, minimum or {}, parsers or {}
        maximum = maximum or {}
        bounded = set(minimum) | set(maximum)
        if stray := (set(keys) | bounded | set(parsers) | set(given)) - set(cls._fields):
            raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(stray))}")
        numbers = {n for n in cls._fields if cls.__annotations__[n] in (int, float)}
        if unbounded := numbers - set(maximum) - set(parsers) - set(given):
            raise TypeError(f"{cls.__name__}: give {', '.join(sorted(unbounded))} a maximum")
        names = {keys.get(name, name): name for name in cls._fields if name not in given}
        self.only(*names)
        values = dict(given)
        for key, name in names.items():
            if name in parsers and key in self.data:
                values[name] = parsers[name](self, key)
            elif name in parsers:
                values[name] = self.default(cls, name, key)
            else:
                values[name] = self.field(
                    cls, name, key, minimum.get(name, 0), maximum.get(name, math.inf)
                )
        return cls(**values)

    def default(self, cls: type[tuple], name: str, key: str) -> Any:
        if name not in cls._field_defaults:
            self.fail("required key is missing", self.key(key))
        return cls._field_defaults[name]

    def field(
        self,
        cls: type[tuple],
        name: str,
        key: str | None = None,
        minimum: float = 0,
        maximum: float = math.inf,
    ) -> Any:
        """The value for `cls`'s field `name` from `key` (the field's name unless told), by the
        field's annotated type: a number from `minimum` to `maximum`, a string (not blank when
        required), a bool, an int that may be left out, a list of strings or a table."""
        key = key or name
        default = cls._field_defaults.get(name, MISSING)
        kind = cls.__annotations__[name]
        if kind is str:
            return self.text(key, default)
        if kind is float:
            return self.number(key, default, minimum=minimum, maximum=maximum)
        if kind is int:
            return self.whole(key, default, minimum=minimum, maximum=maximum)
        if kind is bool:
            return self.get(key, bool, default)
        if kind == int | None:  # a bound that may be left out: an integer, any sign
            return self.get(key, int, default)
        if kind == tuple[str, ...]:
            return self.strings(key, default)
        if kind == Mapping[str, Any]:
            return self.get(key, dict, default)
        raise TypeError(f"{cls.__name__}.{name}: no reader for {kind}; give it a parser")

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = MISSING) -> Any:
        if name not in self.data:
            if default is MISSING:
                self.fail("required key is missing", self.key(name))
            return default
        value = self.data[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python but never what a user meant by a number.
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            wanted = " or ".join(kind_name(k) for k in kinds)
            self.fail(f"expected {wanted}, got {type_name(value)} {value!r}", self.key(name))
        return value

    def text(self, name: str, default: Any = MISSING) -> str:
        value = self.get(name, str, default)
        if isinstance(value, str) and not value.strip() and default is MISSING:
            self.fail("must not be empty", self.key(name))
        return value

    def number(
        self, name: str, default: Any, *, minimum: float = 0, maximum: float = math.inf
    ) -> float:
        value = self.get(name, (int, float), default)
        # TOML has inf and nan (and integers too big for a float): no count, interval or
        # timeout can be one. Such a value is refused here, so no caller's int() of it
        # can raise OverflowError.
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            self.fail(f"must be a finite number, got {value!r}", self.key(name))
        if number < minimum:
            self.fail(f"must be at least {minimum}", self.key(name))
        if number > maximum:
            self.fail(f"must be at most {maximum}, got {value!r}", self.key(name))
        return number

    def whole(
        self, name: str, default: Any, *, minimum: float = 0, maximum: float = math.inf
    ) -> int:
        """A count, port or number of days: 4 or 4.0, never 4.5 (which one was meant?)."""
        number = self.number(name, default, minimum=minimum, maximum=maximum)
        if not number.is_integer():
            self.fail(f"must be a whole number, got {number!r}", self.key(name))
        return int(number)

    def strings(self, name: str, default: Any = ()) -> tuple[str, ...]:
        values = self.get(name, list, default)
        for i, value in enumerate(values):
            if not isinstance(value, str):
                self.fail(f"expected a string, got {type_name(value)}", f"{self.key(name)}[{i}]")
        return tuple(values)

    def dates(self, name: str) -> tuple[dt.date, ...]:
        values = self.get(name, list, [])
        for i, value in enumerate(values):
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                self.fail(
                    f"expected a date like 2026-06-15, got {value!r}", f"{self.key(name)}[{i}]"
                )
        return tuple(values)

    def sub(self, name: str) -> "Table":
        return Table(self.file, self.data.get(name, {}), self.key(name))
