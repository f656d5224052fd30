"""The benchmarks still work: every script in bench/ imports what it uses and parses its
options (a --help prints usage, not the whole benchmark, and names --quick, the mode
bench/run_all.py passes for a fast check), and the scripts that hold issue 27's budgets
run end to end in --quick and print each of their aim lines with a verdict. No timing is
asserted: whether a budget is met is RESULTS.md's to say, on a full run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py") if not p.name.startswith("_"))
AIM = re.compile(r"^aim (?P<what>.+) \((?P<target>[^()]+)\): (?P<figure>.+) — (met|NOT met)$")

# The budget scripts and the aims each prints (their text up to the figure).
BUDGETS = {
    "status.py": [
        "foibot status, 2,000 requests, vs sqlite-utils query --csv of its columns (<= 1.5x)",
        "foibot --help vs sqlite-utils --help (<= 1.5x)",
    ],
    "serve.py": ["a status page over 2,000 requests vs foibot status --json (<= 1.5x)"],
    "report.py": [
        "foibot status --json, 2,000 requests, vs a bare sqlite3 + json script (<= 2x)",
        "foibot status --json peak RSS (< 150 MB)",
        "foibot overdue, 2,000 requests, vs a bare sqlite3 script (<= 2x)",
        "foibot overdue peak RSS (< 150 MB)",
    ],
}


def test_the_benchmarks_are_found():
    assert {"mail.py", "poll.py", "report.py", "status.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_benchmark_starts(script: str):
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--help"],
        cwd=BENCH.parent, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:") and "--quick" in done.stdout, done.stdout


@pytest.mark.parametrize("script", sorted(BUDGETS))
def test_each_budget_benchmark_runs_and_prints_its_aims(script: str):
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        cwd=BENCH.parent, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    aims = [line for line in done.stdout.splitlines() if line.startswith("aim ")]
    assert all(AIM.match(line) for line in aims), aims
    shown = [line.removeprefix("aim ").partition("): ")[0] + ")" for line in aims]
    assert shown == BUDGETS[script], aims


def test_the_holiday_cache_benchmark_says_what_the_cache_saves():
    done = subprocess.run(
        [sys.executable, str(BENCH / "holiday_cache_saving.py"), "--quick"],
        cwd=BENCH.parent, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line.split() for line in done.stdout.splitlines()]
    assert lines[-3][:4] == ["with", "the", "cache", "(warm)"], done.stdout
    assert lines[-1][:3] == ["saved", "per", "command"], done.stdout


def test_the_followups_benchmark_drafts_and_rechecks():
    done = subprocess.run(
        [sys.executable, str(BENCH / "followups.py"), "--quick"],
        cwd=BENCH.parent, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-3].startswith("ratio draft / bare Jinja2: "), done.stdout
    assert lines[-2].startswith("re-check 500 unsent chasers before a release, withdrawing 250:")
    assert lines[-1].startswith("re-check as a share of the draft it guards: "), done.stdout


# --- replaying a timeline file (issue 32) ----------------------------------------------------

GOOD = [
    {"at": "2026-03-02T10:15:00Z", "wdtk_id": 4001, "kind": "send", "event_id": 0, "fields": {}},
    {"at": "2026-03-20T14:30:00Z", "wdtk_id": 4001, "kind": "response", "event_id": 77,
     "fields": {}},
]  # fmt: skip


def _replay(
    tmp_path: Path, script: str, timeline: list
) -> tuple[Path, subprocess.CompletedProcess]:
    """bench/SCRIPT --timeline on `timeline`, written to a file in tmp_path."""
    path = tmp_path / "timeline.json"
    path.write_text(__import__("json").dumps(timeline), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--timeline", str(path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return path, result


@pytest.mark.parametrize(
    ("entry", "index", "key"),
    [
        ({"at": "2026-03-20 14:30", "wdtk_id": 4001, "kind": "response", "event_id": 78}, 2, "at"),
        ({"at": "2026-03-20T14:30:00Z", "wdtk_id": "4001", "kind": "response", "event_id": 78}, 2, "wdtk_id"),
        ({"at": "2026-03-20T14:30:00Z", "wdtk_id": 4001, "kind": "reply", "event_id": 78}, 2, "kind"),
        ({"at": "2026-03-20T14:30:00Z", "wdtk_id": 4001, "kind": "response"}, 2, "event_id"),
        ({"at": "2026-03-20T14:30:00Z", "wdtk_id": 4001, "kind": "response", "event_id": 77}, 2, "event_id"),
        ({"at": "2026-03-01T14:30:00Z", "wdtk_id": 4001, "kind": "response", "event_id": 78}, 2, "wdtk_id"),
        ({"at": "2026-03-20T14:30:00Z", "wdtk_id": 4001, "kind": "comment", "event_id": 78,
          "fields": {"id": 79}}, 2, "fields"),
        ({"at": "2026-03-20T14:30:00Z", "wdtk_id": 4001, "kind": "comment", "event_id": 78,
          "fields": {"created_at": "2026-03-20T14:31:00Z"}}, 2, "fields"),
        ({"at": "2026-03-20T14:30:00Z", "wdtk_id": 4001, "kind": "edit", "event_id": 78, "by": 1}, 2, "by"),
        # A note on an earlier entry (an ignored field) does not join the error's line.
        ({"at": "2026-03-20T14:30:00Z", "wdtk_id": 4001, "kind": "edit", "event_id": 78,
          "fields": {"snippet": "x", "described_state": ["x"]}}, 2, "fields"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("script", ["poll.py", "mail.py"])
def test_a_bad_timeline_entry_is_one_line_naming_index_and_key(tmp_path, script, entry, index, key):
    path, result = _replay(tmp_path, script, [*GOOD, entry])
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: entry {index}, key '{key}': ")


def test_poll_replays_a_timeline_file_against_the_naive_poller(tmp_path):
    path, result = _replay(tmp_path, "poll.py", GOOD)
    assert result.returncode == 0, result.stderr
    assert "1 changes on the replica (sends not counted) over 60 days" in result.stdout
    aims = [m["what"] for line in result.stdout.splitlines() if (m := AIM.match(line))]
    what = f"polling alone (Poller.poll), timeline {path}"
    assert aims == [
        f"{what}: HTTP calls vs the naive every-6-h poller",
        f"{what}: mean delay vs the naive poller's",
        f"{what}: p95 delay vs the naive poller's",
    ]


# What an export of real WDTK event histories may hold beyond issue 32's format.
EXPORTED = [
    {"at": "2026-03-02T10:15:00+00:00", "wdtk_id": 4001, "kind": "sent", "event_id": 70,
     "fields": {"id": 70, "event_type": "sent", "created_at": "2026-03-02T10:15:00Z",
                "calculated_state": "waiting_response", "snippet": "Dear Home Office"}},
    {"at": "2026-03-31T06:00:00Z", "wdtk_id": 4001, "kind": "overdue", "event_id": 71, "fields": {}},
    {"at": "2026-04-01T20:05:00Z", "wdtk_id": 4001, "kind": "response", "event_id": 72,
     "fields": {"incoming_message_id": 9001, "display_status": "Response"}},
    # Sent before the file's first change.
    {"at": "2026-03-03T11:00:00Z", "wdtk_id": 4002, "kind": "response", "event_id": 80, "fields": {}},
    {"at": "2026-03-04T21:00:00Z", "wdtk_id": 4002, "kind": "status_update", "event_id": 81,
     "fields": {"described_state": "successful"}},
    {"at": "2026-03-05T12:00:00Z", "wdtk_id": 4003, "kind": "comment", "event_id": 90, "fields": {}},
]  # fmt: skip


def _timeline_module():
    sys.path.insert(0, str(BENCH))
    try:
        return __import__("_timeline")
    finally:
        sys.path.remove(str(BENCH))


def test_an_exported_timeline_is_replayed_with_a_note_for_each_liberty_taken():
    notes: list[str] = []
    changes = _timeline_module().parse_timeline(EXPORTED, notes.append)
    assert notes == [
        "entry 0, key 'fields': 'snippet' is not a field the replica sets; ignored",
        "entry 1, key 'kind': 'overdue' replayed as that WDTK event",
        "entry 3, key 'wdtk_id': request 4002 (and 1 more requests) has no send; taken as "
        "sent at the first change, 2026-03-02T10:15:00+00:00",
    ]
    first = EXPORTED[0]["at"]
    assert [(c.at.isoformat(), c.wdtk_id, c.kind, c.event_id) for c in changes][:4] == [
        (first, 4002, "send", 0), (first, 4003, "send", 0), (first, 4001, "send", 70),
        ("2026-03-03T11:00:00+00:00", 4002, "response", 80),
    ]  # fmt: skip
    # The event's own id, type and time are the change's; what the replica sets is kept.
    assert changes[2].fields == {"calculated_state": "waiting_response"}
    assert changes[-1].fields == {"incoming_message_id": 9001, "display_status": "Response"}


def test_mail_replays_an_exported_timeline_saying_what_it_assumed(tmp_path):
    _, result = _replay(tmp_path, "mail.py", EXPORTED)
    assert result.returncode == 0, result.stderr
    assert len(result.stderr.splitlines()) == 3, result.stderr
    # The overdue event, two responses, a classification and a comment.
    assert "5 changes on the replica" in result.stdout, result.stdout
    aims = [m["what"] for line in result.stdout.splitlines() if (m := AIM.match(line))]
    assert len(aims) == 3, result.stdout


def test_build_keeps_each_events_weekday_and_uk_time(tmp_path):
    feed = (
        Path(__file__).parent
        / "fixtures"
        / "wdtk"
        / "feed_search_requested_from_bristol_city_council_2026-04.json"
    )
    result = subprocess.run(
        [sys.executable, str(BENCH / "timelines" / "build.py"), str(feed)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    timeline = __import__("json").loads(result.stdout)
    life = [(c["at"], c["kind"], c["fields"]) for c in timeline if c["wdtk_id"] == 1416480]
    # The last change is that reply's classification, 16:40:44 BST on Fri 3 Apr 2026, so
    # the window opens 60 days before, 15:40:44 GMT on Mon 2 Feb. This request was sent
    # after it (Fri 13 Mar) and keeps its real times.
    assert life == [
        ("2026-03-13T14:11:24.349000Z", "send", {}),
        ("2026-04-02T14:00:44.392000Z", "response", {"incoming_message_id": 3367905}),
        ("2026-04-03T15:40:44.505000Z", "status_update", {"described_state": "successful"}),
    ]
    # Sent Mon 17 Nov 2025 09:36 GMT: 11 weeks on is 09:36 on 2 Feb, before the window
    # opens, so 12 weeks, to Mon 9 Feb 09:36 GMT; its follow-up (Fri 3 Apr + 12 weeks)
    # falls after the last change and is left out.
    assert [(c["at"], c["kind"]) for c in timeline if c["wdtk_id"] == 1365196] == [
        ("2026-02-09T09:36:05.027000Z", "send")
    ]


# --- bench/timelines/bound.py: how close a learning poller could come ---------------------


def _bound_module():
    sys.path.insert(0, str(BENCH / "timelines"))
    try:
        return __import__("bound")
    finally:
        sys.path.remove(str(BENCH / "timelines"))


def _counts(*classes):
    """(hours, changes) counters from (class, hours, changes) triples."""
    import collections

    return (collections.Counter({k: h for k, h, _ in classes}),
            collections.Counter({k: n for k, _, n in classes}))  # fmt: skip


def test_bound_least_share_is_one_where_every_hour_is_alike_and_falls_as_changes_gather():
    bound = _bound_module()
    assert bound.least_share(_counts(("a", 100, 10), ("b", 900, 90))) == pytest.approx(1.0)
    # Rates 1 and 0.01 per hour: (100 * 1 + 900 * 0.1)^2 / (109 * 1000) = 36100 / 109000.
    assert bound.least_share(_counts(("a", 100, 100), ("b", 900, 9))) == pytest.approx(
        0.33119, abs=1e-5
    )


def test_bound_judged_on_other_requests_with_rates_learnt_elsewhere():
    bound = _bound_module()
    skewed = _counts(("a", 100, 100), ("b", 900, 9))
    # Even rates learnt: an even poller, whatever it is judged on.
    assert bound.judged(_counts(("a", 10, 1), ("b", 10, 1)), skewed) == pytest.approx(1.0)
    # Rates learnt from so many hours that the prior is nothing: 1 and 0.01 per hour, so
    # waits 100 / 2 + 9 / 0.2 = 95 h and 100 + 90 = 190 calls, against 109 / 2 * 1000.
    learnt = _counts(("a", 10**9, 10**9), ("b", 9 * 10**9, 9 * 10**7))
    assert bound.judged(learnt, skewed) == pytest.approx(95 * 190 / 54_500, rel=1e-5)


def test_bound_counts_each_request_hour_to_the_window_and_its_change_in_its_class():
    import datetime as dt

    bound, timeline = _bound_module(), _timeline_module()
    sent = dt.datetime(2026, 7, 6, 8, 0, tzinfo=dt.UTC)  # Monday 09:00 BST
    changes = timeline.parse_timeline([
        {"at": "2026-07-06T08:00:00Z", "wdtk_id": 9, "kind": "send", "event_id": 0},
        {"at": "2026-07-06T10:30:00Z", "wdtk_id": 9, "kind": "response", "event_id": 5},
    ])  # fmt: skip
    hours, found = bound.count(changes)
    assert sum(hours.values()) == 60 * 24
    # In the hour from 11:00 BST, two hours after sending: log2(2 + 1) rounds down to 1.
    assert found == {("send", 1, 0, "office"): 1}
    assert bound.time_of_week(sent) == "office"
    assert bound.time_of_week(sent - dt.timedelta(minutes=30)) == "early"
    assert bound.time_of_week(sent + dt.timedelta(hours=9)) == "evening"
    assert bound.time_of_week(sent - dt.timedelta(hours=12)) == "weekend"


def test_bound_reports_each_class_set_against_the_aim(tmp_path):
    path = tmp_path / "timeline.json"
    path.write_text(__import__("json").dumps(GOOD), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(BENCH / "timelines" / "bound.py"), str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}: 1 changes, 1,440 request-hours"
    assert [line.split("(")[0].strip() for line in lines[1:4]] == [
        "time of week", "stage", "stage and time of week"
    ]  # fmt: skip
    # One request: no half to learn from and another to judge.
    assert all(line.endswith("cross-checked n/a (a half has no changes)") for line in lines[1:4])
    assert lines[4] == "  the polling aims need <= 0.33"


def test_the_simulations_passes_are_not_cut_short_by_a_real_time_pass_budget():
    """One client serves a whole simulated run, and [wdtk] pass_budget_s runs in real
    seconds from a client's creation: kept, it would stop every pass of a long run."""
    sys.path.insert(0, str(BENCH))
    try:
        poll = __import__("poll")
    finally:
        sys.path.remove(str(BENCH))
    config = poll.bench_config("http://127.0.0.1:9")
    assert config.wdtk.pass_budget_s is None
    from bot.wdtk.client import WdtkClient

    client = WdtkClient(config.wdtk, clock=iter([0.0, 10.0**9]).__next__)
    assert not client.out_of_time()
