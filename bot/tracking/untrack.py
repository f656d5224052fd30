"""`foibot untrack`: forget tracked requests, with everything stored about them.

A mistyped URL, or a request tracked into the wrong folder, would otherwise stay in
`status`, `overdue` and every report for ever. Only requests outside a campaign can be
untracked: a campaign's requests are its record of what was asked of whom.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config, suggest
from bot.errors import FoibotError
from bot.store.db import Store
from bot.tracking.lookup import request_named


@dataclass(frozen=True)
class Untracking:
    """One tracked request to remove, and how many rows of each table are its."""

    ref: str
    title: str
    group: str | None
    user: str | None  # its owner's WDTK url_name; None when WDTK has not shown it
    rows: dict[str, int]

    def as_json(self) -> dict:
        return {
            "ref": self.ref, "title": self.title, "group": self.group, "user": self.user,
            "rows": self.rows,
        }  # fmt: skip


def find_tracked(store: Store, config: Config, target: str) -> dict:
    """The stored request a person named: by its ref, or by the URL or number they
    tracked it with (looked up as `track` does). Raises FoibotError (exit 1) for one
    foibot does not hold, and for a campaign's request."""
    row = request_named(store, target, config.wdtk.base_url)
    if row is None:
        near = suggest(target, store.all_refs())
        raise FoibotError(f"nothing removed: no tracked request '{target}'{near}")
    if row["campaign"]:
        raise FoibotError(
            f"nothing removed: {row['ref']} belongs to campaign '{row['campaign']}'; untrack "
            "removes only requests tracked outside a campaign"
        )
    return row


def plan_untrack(store: Store, config: Config, targets: list[str]) -> list[Untracking]:
    """What removing these requests would remove; every target is checked first, so one
    mistyped ref removes nothing at all."""
    rows = {}
    for target in targets:
        row = find_tracked(store, config, target)
        rows.setdefault(row["ref"], row)
    return [
        Untracking(ref, row["title"], row["group"], row["wdtk_user"], store.request_footprint(ref))
        for ref, row in rows.items()
    ]


def untrack(store: Store, plans: list[Untracking]) -> None:
    """Remove the requests and every row of theirs, all in one transaction."""
    with store.transaction():
        for plan in plans:
            store.remove_request(plan.ref)
