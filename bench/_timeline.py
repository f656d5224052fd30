"""A timeline of WDTK changes, as bench/poll.py and bench/mail.py replay it: one `Change`
per line of a request's life. `load_timeline` reads and checks a timeline file (a JSON
list of changes, issue 32's format); a bad entry is one line naming its index and key,
and exit 2.

What a file exported from WDTK may carry beyond issue 32's format is replayed rather than
refused, each with a note on stderr naming the first entry: any WDTK event type as a
`kind` ("sent" read as "send"), an event's own `id`, `event_type` and `created_at` inside
`fields` (checked against the change's), other event fields (ignored), and a request
whose `send` came before the file's first change (taken as sent then)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

KINDS = ("send", "response", "status_update", "followup_sent", "comment", "edit")
# Alaveteli's InfoRequestEvent::EVENT_TYPES beyond KINDS (protocol §1.2): an export of real
# event histories holds them too (the cron's overdue events, resends, admin edits).
OTHER_EVENT_TYPES = (
    "resent", "followup_resent", "overdue", "very_overdue", "send_error", "edit_outgoing",
    "edit_comment", "edit_incoming", "edit_attachment", "destroy_comment", "hide_comment",
    "report_comment", "report_request", "destroy_incoming", "destroy_outgoing",
    "redeliver_incoming", "erase_raw_email", "erase_attachment", "move_request", "hide",
    "manual", "embargo_expiring", "expire_embargo", "set_embargo", "refusal_advice",
    "public_token",
)  # fmt: skip
KEYS = ("at", "wdtk_id", "kind", "event_id", "fields")
# What a WDTK event carries besides its id, type and time (InfoRequestEvent#json_for_api,
# protocol §1.2): the fields a change may set on the replica's event.
FIELDS = (
    "described_state", "calculated_state", "last_described_at", "incoming_message_id",
    "outgoing_message_id", "comment_id", "display_status",
)  # fmt: skip
# The event's own identity, which a change carries as event_id, kind and at.
IDENTITY = ("id", "event_type", "created_at")


@dataclasses.dataclass
class Change:
    at: dt.datetime
    wdtk_id: int
    kind: str  # "send", or a WDTK event type
    event_id: int = 0
    fields: dict = dataclasses.field(default_factory=dict)


class TimelineError(ValueError):
    pass


def _time(value: object) -> dt.datetime | None:
    try:
        at = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return at if at is not None and at.tzinfo is not None else None


def _entry(i: int, raw: object, note: Callable[[str], None]) -> Change:
    def bad(key: str, why: str) -> TimelineError:
        return TimelineError(f"entry {i}, key '{key}': {why}")

    if not isinstance(raw, dict):
        raise TimelineError(f"entry {i}: not an object")
    for key in raw:
        if key not in KEYS:
            raise bad(key, f"unknown key (expected {', '.join(KEYS)})")
    for key in KEYS[:4]:
        if key not in raw:
            raise bad(key, "missing")
    at = _time(raw["at"])
    if at is None:
        raise bad("at", f"{raw['at']!r} is not an ISO 8601 time with its UTC offset")
    for key in ("wdtk_id", "event_id"):
        value = raw[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise bad(key, f"{value!r} is not a whole number >= 0")
    if raw["wdtk_id"] == 0:
        raise bad("wdtk_id", "0 is not a WDTK request id")
    kind = "send" if raw["kind"] == "sent" else raw["kind"]
    if kind not in KINDS and kind not in OTHER_EVENT_TYPES:
        raise bad(
            "kind", f"{raw['kind']!r} is not one of {', '.join(KINDS)} (or a WDTK event type)"
        )
    if kind in OTHER_EVENT_TYPES:
        note(f"entry {i}, key 'kind': {kind!r} replayed as that WDTK event")
    fields = raw.get("fields", {})
    if not isinstance(fields, dict):
        raise bad("fields", "not an object")
    kept = {}
    for key, value in fields.items():
        if key in IDENTITY:
            mine = {"id": raw["event_id"], "event_type": "sent" if kind == "send" else kind}
            if (_time(value) == at) if key == "created_at" else (value == mine[key]):
                continue
            raise bad("fields", f"{key!r} is {value!r}, not this change's")
        if key not in FIELDS:
            note(f"entry {i}, key 'fields': {key!r} is not a field the replica sets; ignored")
            continue
        if value is not None and not isinstance(value, str | int):
            raise bad("fields", f"{key!r} is {value!r}: a string, a number or null")
        kept[key] = value
    return Change(at.astimezone(dt.UTC), raw["wdtk_id"], kind, raw["event_id"], kept)


def parse_timeline(raw: object, note: Callable[[str], None] | None = None) -> list[Change]:
    """The changes in time order; TimelineError names the first bad entry and key. `note`
    hears, once per kind of thing, what is replayed in a way the file did not say (see the
    module's docstring)."""
    said: set[str] = set()

    def once(message: str) -> None:
        what = message.split(": ", 1)[1]
        if note is not None and what not in said:
            said.add(what)
            note(message)

    if not isinstance(raw, list) or not raw:
        raise TimelineError("not a JSON list of changes (or an empty one)")
    changes = [_entry(i, entry, once) for i, entry in enumerate(raw)]
    sent: dict[int, dt.datetime] = {}
    ids: set[int] = set()
    for i, c in enumerate(changes):
        if c.kind == "send":
            if c.wdtk_id in sent:
                raise TimelineError(f"entry {i}, key 'kind': request {c.wdtk_id} is sent twice")
            sent[c.wdtk_id] = c.at
        if c.event_id in ids:
            raise TimelineError(f"entry {i}, key 'event_id': {c.event_id} is used twice")
        if c.event_id:
            ids.add(c.event_id)
    start = min(c.at for c in changes)
    unsent: dict[int, int] = {}
    for i, c in enumerate(changes):
        if c.kind != "send" and c.wdtk_id not in sent:
            unsent.setdefault(c.wdtk_id, i)
        elif c.kind != "send" and c.at < sent[c.wdtk_id]:
            raise TimelineError(
                f"entry {i}, key 'wdtk_id': request {c.wdtk_id} is sent after this change"
            )
        if c.kind != "send" and not c.event_id:
            raise TimelineError(f"entry {i}, key 'event_id': a WDTK event needs its id")
    for wdtk_id in unsent:
        # Sent before the file's first change: on WDTK (and tracked) when the window opens.
        changes.append(Change(start, wdtk_id, "send"))
    if unsent and note is not None:
        wdtk_id, i = next(iter(unsent.items()))
        others = f" (and {len(unsent) - 1} more requests)" if len(unsent) > 1 else ""
        note(f"entry {i}, key 'wdtk_id': request {wdtk_id}{others} has no send; taken as "
             f"sent at the first change, {start.isoformat()}")  # fmt: skip
    return sorted(changes, key=lambda c: (c.at, c.kind != "send", c.event_id))


def load_timeline(path: str | Path) -> list[Change]:
    """The file's changes, each note (parse_timeline) a line on stderr; a bad file is one
    line on stderr (no notes) and exit 2."""
    notes: list[str] = []
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        changes = parse_timeline(raw, notes.append)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TimelineError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    for message in notes:
        print(f"{path}: {message}", file=sys.stderr)
    return changes
