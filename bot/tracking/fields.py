"""The fields of a status row, and the stored columns they come from.

Kept apart from the rule (bot/tracking/status_rows.py) so that the SQL status path
(bot/tracking/status_query.py) can name them without importing the rule, which it needs
only for the rare row the SQL cannot decide.
"""

from __future__ import annotations

# StatusRow's fields, in order (status_rows checks this against the dataclass, and the fast
# rule in status_query.py fills them in this order).
FIELDS = (
    "ref", "campaign", "body", "title", "status", "wdtk_id", "url", "sent_on", "due",
    "very_overdue_after", "days_overdue", "law", "slot", "poll_error", "stage", "review_by",
    "late_from", "review_latest", "answered_on", "answered_days_late", "note",
    "last_confirmed_at", "last_confirmed_via",
)  # fmt: skip
# Where each field sits in a status row tuple (bot/tracking/status_query.py).
AT = {name: k for k, name in enumerate(FIELDS)}
UNCLASSIFIED_NOTE = "reply unclassified: classify it on WDTK"
# What status rows read from `requests`: not the letters, which are most of its bytes.
COLUMNS = (
    "ref, campaign, body, title, status, wdtk_id, url_title, sent_on, due, very_overdue_after, "
    "slot_at, law, poll_error, awaiting_description, review_started_on, answered_at, "
    "last_confirmed_at, last_confirmed_via, stage"
)
