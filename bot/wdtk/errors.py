"""What can go wrong talking to WDTK or reading what it serves."""

from __future__ import annotations

from bot.errors import FoibotError, UsageError


class WdtkError(FoibotError):
    """Talking to WDTK failed, or it answered with something unusable.

    `status` is the last HTTP status seen, if any; `retry_after_s` is how long WDTK asked
    us to stay away, so a caller can schedule the next attempt rather than guess.
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after_s: float | None = None
    ):
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


class PayloadError(WdtkError):
    """A WDTK document does not have the shape the protocol promises."""

    def __init__(self, path: str, message: str):
        self.path = path or "(document)"
        self.message = message
        super().__init__(f"{self.path} {message}")


class RequestRefError(WdtkError, UsageError):
    """A request URL or id the user typed cannot be tracked (exit 2: fix the input)."""
