"""Finding a stored request by what a person typed: its ref, or the WDTK URL or number
it was tracked with (as `track` reads them)."""

from __future__ import annotations

from bot.errors import UsageError
from bot.store.db import Store
from bot.wdtk.urls import parse_request_ref


def stored_request(store: Store, target: int | str) -> dict | None:
    """The stored request with this WDTK id or slug (as `parse_request_ref` gives them)."""
    if isinstance(target, int):
        return store.request_by_wdtk_id(target)
    return store.request_by_url_title(target)


def request_named(store: Store, name: str, base_url: str) -> dict | None:
    """The stored request `name` means: a ref, else a WDTK URL or request number (one out
    of WDTK's range is a UsageError)."""
    row = store.request(name)
    if row is not None:
        return row
    try:
        target = parse_request_ref(name, base_url)
    except UsageError:
        if name.strip().isdigit():
            raise  # a number no WDTK request has: bad usage, said as such (exit 2)
        return None
    found = stored_request(store, target)
    # As `store.request` reads it (with its letter), whichever way it was named.
    return store.request(found["ref"]) if found is not None else None
