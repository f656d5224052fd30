"""Every status a request can have, defined once, with what it means.

WDTK's own states (Alaveteli's InfoRequest states: what the requester classified) and
the statuses foibot computes from them and from its own dates. `foibot status` shows
one of these; the groups below are what the rules key on.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    # foibot's own, before a request is on WDTK
    DRAFT = "draft"  # drafted, not yet released to a person to send
    READY = "ready"  # released: a person should send it on WDTK
    CANCELLED = "cancelled"  # never to be sent (body left the campaign, or by hand)
    TRACKED = "tracked"  # being tracked, its first WDTK document not yet stored
    HIDDEN = "hidden"  # WDTK answers 403/404/410: hidden, embargoed or removed
    GONE = "gone"
    # WDTK's states (described_state)
    WAITING_RESPONSE = "waiting_response"
    WAITING_CLARIFICATION = "waiting_clarification"  # the body asked the requester
    GONE_POSTAL = "gone_postal"
    INTERNAL_REVIEW = "internal_review"
    SUCCESSFUL = "successful"
    PARTIALLY_SUCCESSFUL = "partially_successful"
    REJECTED = "rejected"
    NOT_HELD = "not_held"
    USER_WITHDRAWN = "user_withdrawn"
    VEXATIOUS = "vexatious"
    NOT_FOI = "not_foi"
    ERROR_MESSAGE = "error_message"
    REQUIRES_ADMIN = "requires_admin"
    ATTENTION_REQUESTED = "attention_requested"
    # computed from the dates, as Alaveteli's calculate_status does (and foibot's review)
    WAITING_CLASSIFICATION = "waiting_classification"  # a reply nobody has classified
    WAITING_RESPONSE_OVERDUE = "waiting_response_overdue"  # past the due date
    WAITING_RESPONSE_VERY_OVERDUE = "waiting_response_very_overdue"  # past the latest date
    INTERNAL_REVIEW_OVERDUE = "internal_review_overdue"  # past the review's due date


LOCAL = frozenset({Status.DRAFT, Status.READY, Status.CANCELLED})  # not (yet) on WDTK
PENDING = frozenset(
    {
        Status.WAITING_RESPONSE,
        Status.WAITING_CLARIFICATION,
        Status.GONE_POSTAL,
        Status.INTERNAL_REVIEW,
    }
)
CLOSED = frozenset(
    {
        Status.NOT_HELD,
        Status.REJECTED,
        Status.SUCCESSFUL,
        Status.PARTIALLY_SUCCESSFUL,
        Status.USER_WITHDRAWN,
        Status.VEXATIOUS,
        Status.NOT_FOI,
    }
)
# Classifications that say the body answered; an acknowledgement is a reply, not one.
ANSWERED = frozenset(
    {Status.SUCCESSFUL, Status.PARTIALLY_SUCCESSFUL, Status.REJECTED, Status.NOT_HELD}
)
# Answered, but the requester may ask for an internal review.
REFUSED = frozenset({Status.REJECTED, Status.PARTIALLY_SUCCESSFUL})
# The stored statuses in which a request can be late: it waits for a reply or a review.
AWAITING = frozenset({Status.WAITING_RESPONSE, Status.INTERNAL_REVIEW})
LATE_REPLY = frozenset({Status.WAITING_RESPONSE_OVERDUE, Status.WAITING_RESPONSE_VERY_OVERDUE})
OVERDUE = LATE_REPLY | {Status.INTERNAL_REVIEW_OVERDUE}
# An internal review under way, late or not.
UNDER_REVIEW = frozenset({Status.INTERNAL_REVIEW, Status.INTERNAL_REVIEW_OVERDUE})

# A follow-up's states that matter beyond its own table: drafted or released but not yet
# sent, done or cancelled; and withdrawn, once its reason has gone (never released).
FOLLOWUP_UNSENT = ("draft", "ready")
FOLLOWUP_WITHDRAWN = "withdrawn"
