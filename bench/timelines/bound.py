"""How close a poller that learns from the data could come to issue 32's polling aims on a
timeline: the least calls x mean delay, as a share of the naive every-6-hours poller's, for
a poller that knows how often requests like each one change at each hour.

Run: python bench/timelines/bound.py FILE [FILE ...]   (bench/_timeline.py's format)

Why this number: polls spread evenly at rate p over a stretch where changes come at rate
lambda, at random, see each change 1/(2p) after it on average. Split every request's hours
(from its send to 60 days after the timeline's first change) into classes c, with H_c hours
and N_c changes; a poller polling class c at rate p_c makes sum(H_c p_c) calls and its
changes wait sum(N_c / (2 p_c)) hours in all. The product of the two is least with p_c in
proportion to sqrt(N_c / H_c) (Cauchy-Schwarz), where it is (sum(H_c sqrt(N_c / H_c)))^2 / 2,
and the even poller's is sum(N_c) sum(H_c) / 2. Issue 32's first two polling aims (a third
of the naive poller's calls, a mean delay no longer than its) need that share <= 1/3.

Classes are what such a poller can tell apart: the time of week (office hours on weekdays,
early morning, evening, night, weekend); the request's stage (its last change, hours since
it in doubling steps, days since sending in fives); and both. Learnt from the timeline it
is judged on, a fine class flatters itself (a class with one change and few hours looks
certain), so each line also gives the share for rates learnt on half the requests and
judged on the other half, both ways round ("cross-checked"): the fair figure, once the
timeline has hundreds of changes to learn from (on a few dozen it has too few).

A reference, not a proof: a poller that knows more than these classes do (foibot knows
each request's due date to the day, and WDTK's reminder days) can do better, as foibot
does on the Bristol timelines, and one that cannot poll where it likes (WDTK's one-hour
cache is the floor between two polls of a request) does worse.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import math
import sys
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timeline import Change, load_timeline  # noqa: E402

LONDON = ZoneInfo("Europe/London")
HOUR = dt.timedelta(hours=1)
WINDOW = dt.timedelta(days=60)
AIM = 1 / 3
# Rates learnt on half the requests are shrunk towards the half's overall rate, as if
# each class had PRIOR_HOURS more hours at that rate: a class seen for a few hours gets
# no certainty it has not earned.
PRIOR_HOURS = 200
FEATURES = {
    "time of week": lambda c: c[-1],
    "stage": lambda c: c[:-1],
    "stage and time of week": lambda c: c,
}

Counts = tuple[collections.Counter, collections.Counter]  # hours, changes by class


def time_of_week(at: dt.datetime) -> str:
    local = at.astimezone(LONDON)
    if local.weekday() >= 5:
        return "weekend"
    hour = local.hour + local.minute / 60
    if 9 <= hour < 17.75:
        return "office"
    return "evening" if 17.75 <= hour < 23 else "early" if 7 <= hour < 9 else "night"


def cell_class(life: list[Change], seen: int, at: dt.datetime) -> tuple:
    """The class of a request's hour starting `at`, after the first `seen` changes of its
    `life` (its send first)."""
    last = life[seen - 1]
    classified = any(c.kind == "status_update" for c in life[:seen])
    stage = "classified" if classified and last.kind != "response" else last.kind
    since = int(math.log2((at - last.at) / HOUR + 1))
    return (stage, min(since, 11), min((at - life[0].at).days // 5, 12), time_of_week(at))


def count(timeline: list[Change], keep=lambda wdtk_id: True) -> Counts:
    """Hours and changes by class (cell_class) over the requests `keep` admits."""
    end = timeline[0].at + WINDOW
    lives: dict[int, list[Change]] = collections.defaultdict(list)
    for c in timeline:
        if c.at < end and keep(c.wdtk_id):
            lives[c.wdtk_id].append(c)
    hours: collections.Counter = collections.Counter()
    changes: collections.Counter = collections.Counter()
    for life in lives.values():
        at, seen = life[0].at, 1
        while at < end:
            k = cell_class(life, seen, at)
            hours[k] += 1
            while seen < len(life) and life[seen].at < at + HOUR:
                changes[k] += 1
                seen += 1
            at += HOUR
    return hours, changes


def project(counts: Counts, feature) -> Counts:
    hours, changes = (collections.Counter() for _ in range(2))
    for k, n in counts[0].items():
        hours[feature(k)] += n
    for k, n in counts[1].items():
        changes[feature(k)] += n
    return hours, changes


def least_share(counts: Counts) -> float:
    """The least calls x mean delay over the even poller's, rates known per class."""
    hours, changes = counts
    spread = sum(h * math.sqrt(changes[k] / h) for k, h in hours.items())
    return spread**2 / (sum(changes.values()) * sum(hours.values()))


def judged(learnt: Counts, judge: Counts) -> float:
    """calls x mean delay over the even poller's, on `judge`'s hours and changes, for the
    poller whose rates are `learnt`'s (shrunk by PRIOR_HOURS)."""
    hours, changes = learnt
    overall = sum(changes.values()) / sum(hours.values())

    def rate(k) -> float:
        return (changes[k] + PRIOR_HOURS * overall) / (hours[k] + PRIOR_HOURS)

    waits = sum(n / (2 * math.sqrt(rate(k))) for k, n in judge[1].items())
    calls = sum(h * math.sqrt(rate(k)) for k, h in judge[0].items())
    return waits * calls / (sum(judge[1].values()) / 2 * sum(judge[0].values()))


def report(name: str, timeline: list[Change]) -> Iterable[str]:
    both = count(timeline)
    halves = [count(timeline, lambda i, r=r: i % 2 == r) for r in (0, 1)]
    n = sum(both[1].values())
    yield f"{name}: {n:,} changes, {sum(both[0].values()):,} request-hours"
    for label, feature in FEATURES.items():
        a, b = (project(h, feature) for h in halves)
        fair = [judged(a, b), judged(b, a)] if all(sum(h[1].values()) for h in (a, b)) else []
        cross = " and ".join(f"{x:.2f}" for x in fair) or "n/a (a half has no changes)"
        yield (f"  {label:<23} ({len(project(both, feature)[0]):>4} classes): "
               f"{least_share(project(both, feature)):.2f} learnt on all; cross-checked {cross}")  # fmt: skip
    yield f"  the polling aims need <= {AIM:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", metavar="FILE")
    for path in parser.parse_args().files:
        timeline = load_timeline(path)  # exit 2 on a bad file
        for line in report(path, timeline):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
