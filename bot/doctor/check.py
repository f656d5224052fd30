"""What one doctor check reports, and the wording the checks' messages share."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Level = Literal["ok", "warn", "error"]
LIST_AT_MOST = 5


@dataclass(frozen=True)
class Check:
    """One line of the checklist. `ok` is False only for errors: a warning passes."""

    name: str
    ok: bool
    level: Level
    message: str
    fix: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def passed(name: str, message: str) -> Check:
    return Check(name, True, "ok", message)


def warning(name: str, message: str, fix: str) -> Check:
    return Check(name, True, "warn", message, fix)


def failed(name: str, message: str, fix: str) -> Check:
    return Check(name, False, "error", message, fix)


def some(items: list[str]) -> str:
    """The first few items, and how many more: a message stays one readable line."""
    shown = ", ".join(items[:LIST_AT_MOST])
    return shown + (f" and {len(items) - LIST_AT_MOST} more" if len(items) > LIST_AT_MOST else "")


def plural(n: int, word: str, plural: str | None = None) -> str:
    """`n` and the word, in the plural unless n is 1 (`plural` for irregular ones)."""
    return f"{n} {word if n == 1 else plural or word + 's'}"
