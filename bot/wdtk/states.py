"""What WDTK's request states and events mean (Alaveteli's InfoRequest state machine).

Pure. Logic keys on `described_state`, `awaiting_description` and event types, never on
WDTK's `display_status` prose, which is translated and has changed before.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.wdtk.payload import WdtkEvent

# WDTK's own vocabulary, grouped as Alaveteli's state calculator groups them.
PENDING_STATES = frozenset(
    {"waiting_response", "waiting_clarification", "gone_postal", "internal_review"}
)
CLOSED_STATES = frozenset(
    {
        "not_held",
        "rejected",
        "successful",
        "partially_successful",
        "user_withdrawn",
        "vexatious",
        "not_foi",
    }
)


def clock_start(events: Iterable[WdtkEvent]) -> WdtkEvent | None:
    """The latest event that (re)starts the statutory clock (Alaveteli's
    `resets_due_dates?`): sent, resent, and the first follow-up after the body asked for
    clarification. Ordinary follow-ups and internal-review requests do not."""
    start, clarifying = None, False
    for event in events:
        if event.event_type in ("sent", "resent"):
            start, clarifying = event, False
        elif event.event_type == "send_error" and start is None:
            start = event
        elif event.event_type == "followup_sent" and clarifying:
            start, clarifying = event, False
        if event.described_state:
            clarifying = event.described_state == "waiting_clarification"
    return start


def review_start(events: Iterable[WdtkEvent], described_state: str) -> WdtkEvent | None:
    """The internal-review request that started the current review, if one is pending."""
    if described_state != "internal_review":
        return None
    start = None
    for event in events:
        asked = event.event_type == "followup_sent" and event.calculated_state == "internal_review"
        marked = event.described_state == "internal_review"
        if asked or (marked and start is None):
            start = event
        elif event.described_state and event.described_state != "internal_review":
            start = None
    return start
