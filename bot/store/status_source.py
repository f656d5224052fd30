"""The stored columns a status row is computed from, read in one query."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from bot.statuses import LOCAL, REFUSED

# What the status rule reads from `requests`: never the letters, which are most of its bytes.
COLUMNS = (
    "ref, campaign, body, title, status, wdtk_id, url_title, sent_on, due, very_overdue_after, "
    "slot_at, law, poll_error, awaiting_description, review_started_on, answered_at, "
    "last_confirmed_at, last_confirmed_via, stage"
)


def _in(values: frozenset[str]) -> str:
    # Status names are StrEnum members of a fixed set, safe to write into SQL as literals.
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"


# A refusal's review window runs from its latest reply, through the events (kind, ref, at)
# index; other rows do not need it.
_LAST_REPLY = (
    f"CASE WHEN status IN {_in(REFUSED)} THEN (SELECT max(at) FROM events "
    "WHERE events.ref = requests.ref AND events.kind = 'response') END AS last_reply"
)


def status_source(
    conn: sqlite3.Connection,
    campaign: str | None = None,
    group: str | None = None,
    *,
    sent_only: bool = False,
) -> Iterator[dict]:
    """Each request's stored columns (and `last_reply`, a refusal's latest reply time), by
    campaign then insertion order, streamed from the cursor. `sent_only` leaves out, unread,
    the requests never sent (draft, ready, cancelled)."""
    conditions = [c for c, v in (("campaign = :campaign", campaign), ('"group" = :group', group))
                  if v]  # fmt: skip
    if sent_only:
        conditions.append(f"status NOT IN {_in(LOCAL)}")
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    cursor = conn.execute(
        f"SELECT {COLUMNS}, {_LAST_REPLY} FROM requests {where}ORDER BY campaign, rowid",
        {"campaign": campaign, "group": group},
    )
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values))  # noqa: B905 (one cursor: always the same length)

