"""A request's history as `show` tells it: in the order things happened, each entry
saying whose clock dated it. Pure.

WDTK's events carry WDTK's own times (when the request was sent, a reply arrived);
foibot's own steps (tracked, linked, status changes, recorded figures) carry the time
foibot took them, which can be days after the WDTK event they record.
"""

from __future__ import annotations

import datetime as dt

WDTK, FOIBOT = "WDTK", "foibot"


def _moment(at: str | None) -> dt.datetime:
    if not at:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def history(events: list[dict]) -> list[dict]:
    """Events sorted by when they happened (stored order breaks ties), each with `clock`:
    "WDTK" for an event WDTK recorded, "foibot" for a step of foibot's own."""
    ordered = sorted(enumerate(events), key=lambda pair: (_moment(pair[1].get("at")), pair[0]))
    return [
        {**event, "clock": WDTK if event.get("wdtk_event_id") is not None else FOIBOT}
        for _, event in ordered
    ]
