"""Turn real WDTK event histories into a timeline for `bench/poll.py --timeline` and
`bench/mail.py --timeline` (the format in bench/_timeline.py, issue 32).

Run: python bench/timelines/build.py FEED.json [FEED.json ...] > bench/timelines/NAME.json

A FEED is what WDTK serves at /feed/search/<query>.json or /feed/body/<name>.json: a JSON
list of events, each with its request (`info_request`, whose `created_at` is when the
request was sent). Each request's life becomes:
  - a `send` at the request's `created_at` (event_id the `sent` event's when the feed
    lists it, else 0);
  - each `response`, `followup_sent` and `comment` the feed lists, at its `created_at`,
    with the message/comment ids and states the event carries (a reply's states are left
    empty: WDTK has none until the requester classifies it);
  - a `status_update` at a reply's `last_described_at`, to its `calculated_state`: the
    requester's classification. Feeds do not list status updates, but every reply says
    when it was last described and as what; the update's id is invented (the reply's
    own id + 1, or the next free one).
Requests are moved in time by whole weeks, in UK wall-clock time, so every event keeps
its weekday and its UK time of day: each is moved by the fewest weeks that put its send
in the 60 days that end with the last change. Events that then fall after that change
are left out (counted on stderr). A feed covers a
month, so a request's earlier events (an acknowledgement before the month) are missing
and a request sent months before its one reply is silent in the window until then.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
WINDOW = dt.timedelta(days=60)
KEPT = {"response", "followup_sent", "comment"}
IDS = ("incoming_message_id", "outgoing_message_id", "comment_id")


def when(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp)


def moved(moment: dt.datetime, weeks: int) -> dt.datetime:
    """`weeks` later on the UK wall clock: same weekday, same UK time of day."""
    local = moment.astimezone(LONDON).replace(tzinfo=None) + dt.timedelta(weeks=weeks)
    return local.replace(tzinfo=LONDON).astimezone(dt.UTC)


def lives(events: list[dict]) -> dict[int, list[dict]]:
    """Each request's changes in the feed(s), unshifted: (at, kind, event_id, fields)."""
    out: dict[int, list[dict]] = {}
    sends: dict[int, dict] = {}
    taken = {e["id"] for e in events}
    described: set[tuple[int, str]] = set()
    for e in sorted(events, key=lambda e: e["id"]):
        req = e["info_request"]
        wdtk_id = req["id"]
        send = sends.setdefault(
            wdtk_id, {"at": when(req["created_at"]), "kind": "send", "event_id": 0, "fields": {}}
        )
        changes = out.setdefault(wdtk_id, [send])
        if e["event_type"] == "sent":
            send["event_id"] = e["id"]
            continue
        if e["event_type"] not in KEPT:
            continue
        fields = {k: e[k] for k in IDS if e.get(k) is not None}
        if e["event_type"] == "followup_sent":
            fields |= {k: e[k] for k in ("described_state", "calculated_state") if e.get(k)}
        changes.append({"at": when(e["created_at"]), "kind": e["event_type"],
                        "event_id": e["id"], "fields": fields})  # fmt: skip
        state, at = e.get("calculated_state"), e.get("last_described_at")
        if e["event_type"] == "response" and state and at and (wdtk_id, at) not in described:
            described.add((wdtk_id, at))
            new_id = e["id"] + 1
            while new_id in taken:
                new_id += 1
            taken.add(new_id)
            changes.append({"at": when(at), "kind": "status_update", "event_id": new_id,
                            "fields": {"described_state": state}})  # fmt: skip
    return out


def build(feeds: list[Path]) -> tuple[list[dict], int]:
    events = [e for path in feeds for e in json.loads(path.read_text(encoding="utf-8"))]
    by_request = lives(events)
    last = max(c["at"] for changes in by_request.values() for c in changes)
    start = last - WINDOW  # the window ends with the last change
    out, dropped = [], 0
    for wdtk_id, changes in sorted(by_request.items()):
        sent = changes[0]["at"]
        weeks = max(0, -((sent - start) // dt.timedelta(weeks=1)))
        for c in changes:
            at = moved(c["at"], weeks)
            if at > start + WINDOW:
                dropped += 1
                continue
            out.append({"at": at.isoformat().replace("+00:00", "Z"), "wdtk_id": wdtk_id,
                        "kind": c["kind"], "event_id": c["event_id"], "fields": c["fields"]})  # fmt: skip
    out.sort(key=lambda c: (c["at"], c["kind"] != "send", c["event_id"]))
    return out, dropped


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        timeline, dropped = build([Path(p) for p in sys.argv[1:]])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"build.py: cannot read the feed(s): {exc!r}", file=sys.stderr)
        return 2
    requests = len({c["wdtk_id"] for c in timeline})
    print(f"{len(timeline)} changes on {requests} requests; {dropped} left out (past 60 days)",
          file=sys.stderr)  # fmt: skip
    json.dump(timeline, sys.stdout, indent=0)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
