"""WDTK's numbers: a request's or a body's id. Alaveteli keeps both in Postgres `integer`
columns (`info_requests.id`, `public_bodies.id`), so none is above 2^31 - 1; a larger
number a user or a file gives is a typo, never a WDTK id."""

from __future__ import annotations

WDTK_ID_MAX = 2**31 - 1


def wdtk_id(digits: str) -> int | None:
    """A WDTK request or body number written in `digits`; None where it is too large to be
    one (and to store: SQLite's integers end at 2^63 - 1)."""
    number = int(digits)
    return number if 0 < number <= WDTK_ID_MAX else None
