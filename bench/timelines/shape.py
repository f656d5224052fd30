"""A synthetic timeline with the shape issue 32 measured on real WDTK lifecycles, for
`bench/poll.py --timeline` and `bench/mail.py --timeline`: an extra case beside the real
Bristol timelines, whose replies almost all come in office hours.

Run: python bench/timelines/shape.py [--seed N] [--requests N] > shape.json

Issue 32's figures, drawn at random here (not real events: a stand-in until more real
feeds are at hand):
  - 20% of replies outside 09:00-17:45 UK on working days (half in the evening to 22:00,
    a quarter from 07:00, a quarter at weekends);
  - 38% of answers on the quiet days (working days 1-15), the rest on days 16-30;
  - an automatic acknowledgement minutes after sending for 30% of requests;
  - 2.5 replies and 0.7 follow-ups per request, follow-ups from 08:00 to midnight;
  - 40% of requests never classified, the rest within hours or days of the last reply;
  - a comment on 15% of requests.
Requests are sent at any hour over the first 25 days from Monday 2 February 2026.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot import deadlines as dl  # noqa: E402
from bot.dates import LONDON  # noqa: E402

START = dt.date(2026, 2, 2)
STATES = ("successful", "partially_successful", "not_held", "rejected")


def shape(seed: int, n_requests: int) -> list[dict]:
    rng = random.Random(seed)
    calendar = dl.calendar_for("foi")
    changes: list[dict] = []
    ids = iter(range(10_000_001, 20_000_000))

    def at(day: dt.date, hour: float) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0), tzinfo=LONDON) + dt.timedelta(hours=hour)

    def working_days_on(day: dt.date, n: int) -> dt.date:
        while n > 0:
            day += dt.timedelta(days=1)
            n -= calendar.is_working_day(day)
        return day

    def reply_at(day: dt.date) -> dt.datetime:
        if rng.random() < 0.8:
            return at(day, rng.uniform(9, 17.75))
        r = rng.random()
        if r < 0.5:
            return at(day, rng.uniform(17.75, 22))
        if r < 0.75:
            return at(day, rng.uniform(7, 9))
        saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7 or 1)
        return at(saturday + dt.timedelta(days=rng.randrange(2)), rng.uniform(9, 18))

    def requester_awake(when: dt.datetime) -> dt.datetime:
        """Requesters act from 08:00 to midnight: a time in the night moves to 08:00."""
        early = when.astimezone(LONDON).hour
        return when + dt.timedelta(hours=8 - early) if early < 8 else when

    def add(when: dt.datetime, wdtk_id: int, kind: str, **fields: object) -> int:
        event_id = 0 if kind == "send" else next(ids)
        changes.append({"at": when.astimezone(dt.UTC).isoformat(), "wdtk_id": wdtk_id,
                        "kind": kind, "event_id": event_id, "fields": fields})  # fmt: skip
        return event_id

    for i in range(n_requests):
        wdtk_id = 1_500_000 + i
        sent_day = START + dt.timedelta(days=rng.randrange(25))
        sent = at(sent_day, rng.uniform(8, 23))
        add(sent, wdtk_id, "send")
        if rng.random() < 0.3:
            ack = sent + dt.timedelta(minutes=rng.uniform(1, 30))
            add(ack, wdtk_id, "response", incoming_message_id=next(ids))
        day = rng.randint(1, 15) if rng.random() < 0.38 else rng.randint(16, 30)
        last = reply_at(working_days_on(sent_day, day))
        add(last, wdtk_id, "response", incoming_message_id=next(ids))
        for _ in range(rng.choice((0, 1, 1, 2))):
            if rng.random() < 0.7:  # the requester follows up; the body answers days on
                followup = requester_awake(last + dt.timedelta(hours=rng.uniform(2, 96)))
                add(followup, wdtk_id, "followup_sent", described_state="waiting_response")
                day = followup.astimezone(LONDON).date()
                last = reply_at(working_days_on(day, rng.randint(1, 12)))
            else:  # the body sends more unprompted
                last = reply_at(working_days_on(last.astimezone(LONDON).date(), rng.randint(1, 8)))
            add(last, wdtk_id, "response", incoming_message_id=next(ids))
        if rng.random() < 0.6:
            hours = rng.uniform(0.1, 6) if rng.random() < 0.5 else rng.uniform(6, 200)
            classified = requester_awake(last + dt.timedelta(hours=hours))
            add(classified, wdtk_id, "status_update", described_state=rng.choice(STATES))
        if rng.random() < 0.15:
            add(last + dt.timedelta(days=rng.uniform(1, 20)), wdtk_id, "comment",
                comment_id=next(ids))  # fmt: skip
    return sorted(changes, key=lambda c: c["at"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    json.dump(shape(args.seed, args.requests), sys.stdout, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
