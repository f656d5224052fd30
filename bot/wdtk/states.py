"""What WDTK's request states and events mean (Alaveteli's InfoRequest state machine).

Pure. Logic keys on `described_state`, `awaiting_description` and event types, never on
WDTK's `display_status` prose, which is translated and has changed before.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot import statuses
from bot.wdtk.payload import WdtkEvent

# WDTK's own vocabulary, grouped as Alaveteli's state calculator groups them.
PENDING_STATES = statuses.PENDING
CLOSED_STATES = statuses.CLOSED

# Classifications that say the body answered: the request's outcome is known. A reply
# classified as still waiting (an acknowledgement, a holding letter) is not an answer.
ANSWER_STATES = statuses.ANSWERED


def first_answer(events: Iterable[WdtkEvent], since: WdtkEvent | None = None) -> WdtkEvent | None:
    """The first reply, after the event that started the current clock, that WDTK's
    classification makes an answer (ANSWER_STATES).

    Alaveteli's `calculate_event_states` gives each `response` event the state the request
    was classified as after it (`calculated_state`): an acknowledgement classified as still
    waiting carries `waiting_response` and is a reply, not an answer. Where a payload lacks
    that, the classifying event's `described_state` applies to the latest reply before it."""
    last_reply = None
    for event in _after(events, since):
        if event.event_type == "response":
            if event.calculated_state in ANSWER_STATES:
                return event
            last_reply = event
        elif event.described_state in ANSWER_STATES and last_reply is not None:
            return last_reply
    return None


def first_reply(events: Iterable[WdtkEvent], since: WdtkEvent | None = None) -> WdtkEvent | None:
    """The first `response` after the event that started the current clock."""
    return next((e for e in _after(events, since) if e.event_type == "response"), None)


def _after(events: Iterable[WdtkEvent], since: WdtkEvent | None) -> Iterable[WdtkEvent]:
    """The events after `since` (all of them when it is None)."""
    started = since is None
    for event in events:
        if started:
            yield event
        else:
            started = event.id == since.id


# Alaveteli's InfoRequest.request_sent_types: the events that carry an outgoing message.
SENT_TYPES = frozenset({"sent", "resent", "followup_sent", "followup_resent", "send_error"})


def clock_start(events: Iterable[WdtkEvent]) -> WdtkEvent | None:
    """The event whose date is the statutory "date of receipt": Alaveteli's
    `calculate_last_event_forming_initial_request`, event for event.

    Statute reading: FOIA s.1(3) with s.10(6)(b) (FOISA s.1(3) and s.10(1)(b); EIR reg
    9(4); EISR reg 9(4)) -- once an authority asks for further information, the date of
    receipt *becomes* the day that information arrives, a fresh 20 working days. The wait
    for clarification lasts until the requester answers: re-classifying the request
    (say back to waiting_response) or resending the original in between does not end it,
    so the first follow-up after any `waiting_clarification` restarts the clock. A resend
    of the original request restarts it too: WDTK counts the re-delivery as the receipt.

    The first outgoing event of any kind starts the clock; after that only `resent`, a
    `send_error` of the initial request (the same outgoing message as the first `sent`),
    or the first `followup_sent` after a clarification request move it. Ordinary
    follow-ups and internal-review requests do not."""
    start, clarifying, initial = None, False, None
    for event in events:
        # Alaveteli looks at the described state before the event type, and never clears
        # the flag except by a follow-up: both matter for the restart cases above.
        if event.described_state == "waiting_clarification":
            clarifying = True
        if event.event_type not in SENT_TYPES:
            continue
        if event.event_type == "sent" and initial is None:
            initial = event.outgoing_message_id
        if (
            start is None
            or event.event_type == "resent"
            or (
                event.event_type == "send_error"
                and initial is not None
                and event.outgoing_message_id == initial
            )
        ):
            start = event
        elif clarifying and event.event_type == "followup_sent":
            start, clarifying = event, False
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
