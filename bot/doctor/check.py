"""What one doctor check reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Level = Literal["ok", "warn", "error"]


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
