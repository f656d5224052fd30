"""A timeline of WDTK changes, as bench/poll.py and bench/mail.py replay it: one `Change`
per line of a request's life. `load_timeline` reads and checks a timeline file (a JSON
list of changes, issue 32's format); a bad entry is one line naming its index and key,
and exit 2."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

KINDS = ("send", "response", "status_update", "followup_sent", "comment", "edit")
KEYS = ("at", "wdtk_id", "kind", "event_id", "fields")
# What a WDTK event carries besides its id, type and time (InfoRequestEvent#json_for_api,
# protocol §1.2): the fields a change may set on the replica's event.
FIELDS = (
    "described_state", "calculated_state", "last_described_at", "incoming_message_id",
    "outgoing_message_id", "comment_id", "display_status",
)  # fmt: skip


@dataclasses.dataclass
class Change:
    at: dt.datetime
    wdtk_id: int
    kind: str  # "send", or a WDTK event type
    event_id: int = 0
    fields: dict = dataclasses.field(default_factory=dict)


class TimelineError(ValueError):
    pass


def _entry(i: int, raw: object) -> Change:
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
    try:
        at = dt.datetime.fromisoformat(raw["at"]) if isinstance(raw["at"], str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise bad("at", f"{raw['at']!r} is not an ISO 8601 time with its UTC offset")
    for key in ("wdtk_id", "event_id"):
        value = raw[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise bad(key, f"{value!r} is not a whole number >= 0")
    if raw["wdtk_id"] == 0:
        raise bad("wdtk_id", "0 is not a WDTK request id")
    if raw["kind"] not in KINDS:
        raise bad("kind", f"{raw['kind']!r} is not one of {', '.join(KINDS)}")
    fields = raw.get("fields", {})
    if not isinstance(fields, dict):
        raise bad("fields", "not an object")
    for key, value in fields.items():
        if key not in FIELDS:
            raise bad("fields", f"{key!r} is not a WDTK event field ({', '.join(FIELDS)})")
        if value is not None and not isinstance(value, str | int):
            raise bad("fields", f"{key!r} is {value!r}: a string, a number or null")
    return Change(at.astimezone(dt.UTC), raw["wdtk_id"], raw["kind"], raw["event_id"], fields)


def parse_timeline(raw: object) -> list[Change]:
    """The changes in time order; TimelineError names the first bad entry and key."""
    if not isinstance(raw, list) or not raw:
        raise TimelineError("not a JSON list of changes (or an empty one)")
    changes = [_entry(i, entry) for i, entry in enumerate(raw)]
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
    for i, c in enumerate(changes):
        if c.kind != "send" and (c.wdtk_id not in sent or c.at < sent[c.wdtk_id]):
            raise TimelineError(
                f"entry {i}, key 'wdtk_id': request {c.wdtk_id} has no send before this change"
            )
        if c.kind != "send" and not c.event_id:
            raise TimelineError(f"entry {i}, key 'event_id': a WDTK event needs its id")
    return sorted(changes, key=lambda c: (c.at, c.kind != "send", c.event_id))


def load_timeline(path: str | Path) -> list[Change]:
    """The file's changes; a bad file is one line on stderr and exit 2."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return parse_timeline(raw)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TimelineError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
