"""Paced release: WDTK's per-account limits, checked against hand-worked schedules."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from urllib.parse import parse_qs, urlsplit

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.config import DEFAULT_PACE, PaceLimit
from bot.rules.pacing import plan_slots
from tests.support import examples

UTC = dt.UTC
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(hhmm: str, day: int = 1) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(2026, 12, day, h, m, tzinfo=UTC)


def test_default_limits_schedule_worked_by_hand():
    # 1/min, 2/8 min, 3/15 min, 5/hour, 10/day, all starting at 09:00.
    slots = plan_slots([], 11, START, DEFAULT_PACE)
    expected = [
        "09:00",
        "09:01",
        "09:08",
        "09:15",
        "09:16",
        "10:00",
        "10:01",
        "10:08",
        "10:15",
        "10:16",
    ]
    assert slots[:10] == [at(t) for t in expected]
    assert slots[10] == at("09:00", day=2)  # the 11th waits for the 24-hour window


def test_history_from_other_campaigns_counts():
    history = [at("09:00"), at("09:01")]
    assert plan_slots(history, 1, at("09:02"), DEFAULT_PACE) == [at("09:08")]


def test_never_before_earliest():
    assert plan_slots([], 1, at("13:37"), DEFAULT_PACE) == [at("13:37")]


def window_counts_ok(slots: list[dt.datetime], limits: list[PaceLimit]) -> bool:
    for limit in limits:
        window = dt.timedelta(minutes=limit.minutes)
        for end in slots:
            if sum(1 for s in slots if end - window < s <= end) > limit.count:
                return False
    return True


limits_strategy = st.lists(
    st.builds(PaceLimit, st.integers(1, 6), st.integers(1, 600)), min_size=1, max_size=4
)


@settings(max_examples=examples(150), deadline=None)
@given(limits=limits_strategy, n=st.integers(1, 25), gaps=st.lists(st.integers(0, 500), max_size=8))
def test_any_plan_respects_every_rolling_window(limits, n, gaps):
    history, t = [], START
    for gap in gaps:
        t += dt.timedelta(minutes=gap)
        history.append(t)
    # A past that already broke the limits is not a case plan_slots promises anything for.
    assume(window_counts_ok(history, limits))
    slots = plan_slots(history, n, START, limits)
    assert slots == sorted(slots)
    assert all(s >= START for s in slots)
    assert window_counts_ok(sorted(history + slots), limits)


def test_launch_releases_what_the_pace_allows_and_never_twice(project):
    project.run("draft", "social-media-misuse")
    early = project.json("launch", "social-media-misuse", "--as-of", "2026-11-30T12:00")
    assert early["released"] == []  # launch_at is 1 Dec 09:00 UK
    assert [s["slot"] for s in early["scheduled"]][:3] == [
        "2026-12-01T09:00:00+00:00",
        "2026-12-01T09:01:00+00:00",
        "2026-12-01T09:08:00+00:00",
    ]
    first = project.json("launch", "social-media-misuse", "--as-of", "2026-12-01T09:05")
    assert [r["ref"] for r in first["released"]] == ["smm-1", "smm-2"]
    # Worked by hand: nothing sent yet, the limits widened by the 1-minute margin
    # (1 in 2 minutes, 2 in 9 …): the first now, the second two minutes on.
    assert [r["send_after"] for r in first["released"]] == [
        "2026-12-01T09:05:00+00:00",
        "2026-12-01T09:07:00+00:00",
    ]
    again = project.json("launch", "social-media-misuse", "--as-of", "2026-12-01T09:05")
    assert again["released"] == []  # re-running never re-releases
    assert again["scheduled"] == first["scheduled"]  # nor reshuffles
    later = project.json("launch", "social-media-misuse", "--as-of", "2026-12-02T09:00")
    # smm-1 and smm-2 were never sent: only one more may join them ([pace] max_unsent = 3),
    # the rest are held until WDTK shows sends.
    assert [r["ref"] for r in later["released"]] == ["smm-3"]
    assert [h["ref"] for h in later["held"]] == ["smm-4", "smm-5", "smm-6", "smm-7"]
    # Re-timed from now: 09:00, 09:02 (1 in 2 min), then 09:09 (2 in 9 min).
    assert [(w["ref"], w["send_after"]) for w in later["still_ready"]] == [
        ("smm-1", "2026-12-02T09:00:00+00:00"),
        ("smm-2", "2026-12-02T09:02:00+00:00"),
    ]
    assert later["released"][0]["send_after"] == "2026-12-02T09:09:00+00:00"
    statuses = {r["ref"]: r["status"] for r in project.json("status")}
    assert sorted(r for r, s in statuses.items() if s == "ready") == ["smm-1", "smm-2", "smm-3"]


def test_with_nothing_sent_never_more_than_max_unsent_over_days(project):
    project.run("draft", "social-media-misuse")
    for day in range(1, 8):
        for hour in ("09:00", "13:00", "18:30"):
            report = project.json(
                "launch", "social-media-misuse", "--as-of", f"2026-12-0{day}T{hour}"
            )
            waiting = len(report["still_ready"]) + len(report["released"])
            assert waiting <= 3, (day, hour, report)
            assert all(r["send_after"] for r in report["released"] + report["still_ready"])
    statuses = [r["status"] for r in project.json("status")]
    assert statuses.count("ready") == 3


def test_released_link_is_a_working_prefilled_wdtk_link(project):
    project.run("draft", "social-media-misuse")
    released = project.json("launch", "social-media-misuse", "--as-of", "2026-12-01T09:00")[
        "released"
    ]
    link = urlsplit(released[0]["url"])
    assert (link.scheme, link.netloc, link.path) == (
        "https",
        "www.whatdotheyknow.com",
        "/new/home_office",
    )
    query = parse_qs(link.query)
    shown = project.json("show", "smm-1")
    assert query["title"] == [shown["title"]]
    assert query["body"] == [shown["letter"]]
    # The tag names this installation as well as the ref (issue 12: no collisions).
    installation = (
        sqlite3.connect(project.db)
        .execute("SELECT value FROM settings WHERE key = 'installation_id'")
        .fetchone()[0]
    )
    assert re.fullmatch(r"[0-9a-f]{8}", installation)
    assert query["tags"] == [f"foibot:{installation}-smm-1"]
    sheet = (project.root / "state" / "launch-social-media-misuse.html").read_text()
    assert sheet.count("Open in WhatDoTheyKnow") == 1
    # Headed by the campaign's title (its request title without the body's name).
    assert "<h1>Launch sheet: Staff disciplined for social media misuse</h1>" in sheet
    assert released[0]["url"].replace("&", "&amp;") in sheet


def test_two_campaigns_share_one_account_budget(project):
    text = project.config.read_text()
    second = text[text.index("[[campaigns]]") :].split("[[campaigns.fields]]")[0]
    second = second.replace('slug = "social-media-misuse"', 'slug = "social-media-policy"').replace(
        "misuse (", "policy ("
    )
    project.config.write_text(text + "\n" + second)
    project.run("draft", "social-media-misuse")
    project.run("draft", "social-media-policy")
    project.run("launch", "social-media-misuse", "--as-of", "2026-12-01T09:00")
    other = project.json("launch", "social-media-policy", "--as-of", "2026-12-01T09:00")
    assert other["released"] == []
    # all 7 of the first campaign are planned first: 5 in the first hour, then 10:00, 10:01
    assert other["scheduled"][0]["slot"] == "2026-12-01T10:08:00+00:00"


def test_launch_sheet_is_owner_only(project):
    import os

    project.run("draft", "social-media-misuse")
    project.run("launch", "social-media-misuse", "--as-of", "2026-12-01T09:00")
    sheet = project.root / "state" / "launch-social-media-misuse.html"
    assert oct(os.stat(sheet).st_mode & 0o777) == "0o600"
