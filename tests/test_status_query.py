"""The SQL status query agrees with the pure rule (bot/tracking/status.py) on every row.

Many generated requests, with dates spread over years, both calendars, every stored state,
awaiting classification, reviews, replies at any hour (BST changes included), unknown
laws and dates in forms the ordinal tables do not hold (which the query hands to the pure
rule), are computed both ways for several as-of dates; the rows must be equal, field for
field.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from bot import deadlines as dl
from bot.followups import KINDS
from bot.store.db import Store
from bot.tracking.fields import COLUMNS, FIELDS
from bot.tracking.status import OVERDUE_STATUSES
from bot.tracking.status_query import StatusQuery
from bot.tracking.status_rows import StatusRow, overdue_rows, status_row

BASE = "https://www.whatdotheyknow.com"
STATES = [
    "waiting_response", "waiting_response", "waiting_response", "internal_review",
    "rejected", "partially_successful", "successful", "not_held", "draft", "ready",
    "cancelled", "hidden", "gone", "waiting_clarification", "gone_postal", "",
]  # fmt: skip
LAWS = ["foi", "foi", "eir", "foisa", "eisr", None, ""]


def _maybe(rng: random.Random, value, p: float = 0.85):
    return value if rng.random() < p else rng.choice([None, ""])


def build(path: Path, n: int, seed: int, unknown_law: bool = False) -> None:
    rng = random.Random(seed)
    store = Store(path)
    conn = store.db.conn
    with store.transaction():
        conn.executemany(
            "INSERT INTO bodies (url_name, name, requestable, source) VALUES (?, ?, 1, 'csv')",
            [(f"body_{i}", f"Body number {i}") for i in range(60)],
        )
        conn.execute(
            "INSERT INTO campaigns (slug, ref_prefix, created_at) VALUES ('c', 'c', '2026-01-01')"
        )
        events = []
        for i in range(n):
            # Mostly recent dates, some years back.
            back = rng.randrange(3000) if rng.random() < 0.1 else rng.randrange(500)
            sent = dt.date(2026, 11, 22) - dt.timedelta(days=back)
            law = rng.choice(LAWS)
            if unknown_law and rng.random() < 0.01:
                law = "klingon"  # not a law foibot knows: the pure rule raises for it
            cal = dl.calendar_for(law if law in dl.LAWS else "foi")
            due = cal.add_working_days(sent, 20)
            very = cal.add_working_days(sent, rng.choice([40, 60]))
            if rng.random() < 0.05:  # a public-interest extension to a weekend day
                due = due + dt.timedelta(days=rng.randrange(1, 30))
            review = sent + dt.timedelta(days=rng.randrange(20, 200))
            ref = f"c-{i}"
            status = rng.choice(STATES)
            # An answer at any hour around the due date, some years back for old requests.
            answered = None
            if rng.random() < 0.4:
                when = dt.datetime.combine(due, dt.time(rng.randrange(24), rng.choice([0, 59])))
                when += dt.timedelta(days=rng.randrange(-15, 40))
                answered = when.isoformat() + rng.choice(["+00:00", "+01:00", "Z", ""])
            elif rng.random() < 0.05:
                answered = rng.choice(["", "2019-03-31T00:30:00+00:00", "2026-10-25T00:59:59"])
            conn.execute(
                "INSERT INTO requests (ref, campaign, body, title, law, status, wdtk_id, "
                "url_title, sent_on, due, very_overdue_after, slot_at, poll_error, "
                "awaiting_description, review_started_on, answered_at, \"group\", "
                "last_confirmed_at, last_confirmed_via, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    ref, "c", f"body_{rng.randrange(60)}" if rng.random() < 0.9 else None,
                    _maybe(rng, f"Request \"{i}\" é\n\u2028 \x01"), law, status,
                    _maybe(rng, 1000 + i) or None,
                    _maybe(rng, f"request_{i}", 0.6), _maybe(rng, sent.isoformat()),
                    _maybe(rng, due.isoformat()), _maybe(rng, very.isoformat()),
                    _maybe(rng, "2026-11-22T09:00:00+00:00", 0.1), _maybe(rng, "boom", 0.05),
                    rng.choice([0, 0, 0, 1, None]), _maybe(rng, review.isoformat(), 0.7),
                    answered, rng.choice(["g1", "g2", None]),
                    _maybe(rng, "2026-11-20T09:05:00+00:00", 0.5), rng.choice(["poll", "mail", None]),
                    "2026-01-01", "2026-01-01",
                ),
            )  # fmt: skip
            for k in range(rng.randrange(4)):
                # Any hour of any day, in UTC or with an offset: BST edges included.
                day = sent + dt.timedelta(days=rng.randrange(60))
                if rng.random() < 0.3:  # the nights the clocks change
                    march = dt.date(day.year, 3, 25)
                    october = dt.date(day.year, 10, 25)
                    day = rng.choice([march, october]) + dt.timedelta(days=rng.randrange(7))
                hour, minute = rng.randrange(24), rng.choice([0, 30, 59])
                zone = rng.choice(["+00:00", "+00:00", "+01:00", "Z", ""])
                at = f"{day.isoformat()}T{hour:02d}:{minute:02d}:00{zone}"
                events.append((ref, at, rng.choice(["response", "response", "sent"]), i * 10 + k))
        conn.executemany(
            "INSERT INTO events (ref, at, kind, wdtk_event_id) VALUES (?, ?, ?, ?)", events
        )
        # Follow-ups for a fifth of them (their own generator: the requests stay as they
        # were), which the database turns into each request's stage.
        frng = random.Random(seed + 1)
        followups = [
            (f"c-{i}-{k}", f"c-{i}", frng.choice(KINDS), str(k),
             frng.choice(["draft", "ready", "sent"]), f"2026-0{frng.randrange(1, 10)}-01")
            for i in range(n) if frng.random() < 0.2 for k in range(frng.randrange(1, 3))
        ]  # fmt: skip
        conn.executemany(
            "INSERT INTO followups (ref, request, kind, cycle, status, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            followups,
        )
        # Review dates in ISO's basic form, which foibot never writes but Python reads:
        # the query leaves such rows to the pure rule.
        conn.execute(
            "UPDATE requests SET review_started_on = replace(review_started_on, '-', '') "
            "WHERE status = 'internal_review' AND rowid % 5 = 0"
        )
    store.close()


def _calendar(law: str) -> dl.WorkingCalendar:
    return dl.calendar_for(law)


def pure_rows(store: Store, today: dt.date) -> list[StatusRow]:
    """As `status` computed them before the SQL: one StatusRow per request, by the rule."""
    answered = {
        r["ref"]: dl.receipt_date(r["at"]).isoformat()
        for r in store.db.query(
            "SELECT ref, max(at) AS at FROM events WHERE kind = 'response' GROUP BY ref"
        )
    }
    out = []
    for row in store.db.query(f"SELECT {COLUMNS} FROM requests ORDER BY campaign, rowid"):
        st = status_row(row, BASE, today, _calendar, answered.get(row["ref"]))
        out.append(st)
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("status") / "foibot.db"
    build(path, 4000, seed=18)
    return path


@pytest.mark.parametrize(
    "today",
    [dt.date(2026, 11, 22), dt.date(2026, 3, 29), dt.date(2025, 10, 26), dt.date(2027, 1, 1)],
)
def test_sql_rows_equal_the_pure_rule(db: Path, today: dt.date) -> None:
    store = Store(db)
    expected = pure_rows(store, today)
    assert {"chaser sent", "internal-review draft"} <= {st.stage for st in expected}
    query = StatusQuery(store.db.conn, base_url=BASE, today=today, calendar=_calendar)
    got = list(query.rows())
    assert len(got) == len(expected) > 3000
    for st, row in zip(expected, got, strict=True):
        assert dict(zip(FIELDS, row, strict=False)) == st.as_json(), st.ref
    assert any(row[-1] for row in got) and not all(row[-1] for row in got)
    # Every kind of answer occurs, so the comparison covered each branch of the rule.
    statuses = {st.status for st in expected}
    assert statuses >= OVERDUE_STATUSES
    assert {"waiting_classification", "internal_review", "rejected", "draft"} <= statuses
    assert any(st.review_by for st in expected if st.status == "rejected")
    assert any(st.review_by for st in expected if st.law == "foisa")
    # Issue 13's fields: unclassified replies late from the due date, with the note;
    # late answers; a late review's latest date.
    unclassified = [st for st in expected if st.note]
    assert unclassified and all(
        st.status == "waiting_classification" and st.days_overdue >= 1 and st.late_from == st.due
        for st in unclassified
    )
    assert any(st.answered_days_late for st in expected)
    assert any(st.answered_on and not st.answered_days_late for st in expected)
    assert any(st.review_latest for st in expected if st.law == "foi")
    assert any(st.review_latest for st in expected if st.law == "foisa")

    late = list(query.rows(overdue=True))
    want = overdue_rows([st for st in expected])
    assert [dict(zip(FIELDS, r, strict=False)) for r in late] == [s.as_json() for s in want]
    # Brief rows (overdue's table) hold the same fields, bar those only `status` shows.
    status_only = {"campaign", "title", "sent_on", "slot", "poll_error", "last_confirmed_at",
                   "last_confirmed_via"}  # fmt: skip
    for full, brief in zip(late, query.rows(overdue=True, brief=True), strict=True):
        for name, a, b in zip(FIELDS, full, brief, strict=False):
            if name in status_only and not brief[-1]:
                assert b in (None, ""), (name, brief)
            else:
                assert a == b, (name, brief)


@pytest.mark.parametrize(("campaign", "group"), [(None, "g1"), ("c", "g2"), ("c", None)])
def test_campaign_and_group_filters(db: Path, campaign: str | None, group: str | None) -> None:
    store = Store(db)
    today = dt.date(2026, 11, 22)
    groups = {r["ref"]: r["group"] for r in store.db.query('SELECT ref, "group" FROM requests')}
    expected = [
        st for st in pure_rows(store, today)
        if (group is None or groups[st.ref] == group) and (campaign is None or st.campaign == campaign)
    ]  # fmt: skip
    query = StatusQuery(store.db.conn, base_url=BASE, today=today, calendar=_calendar)
    got = [dict(zip(FIELDS, r, strict=False)) for r in query.rows(campaign, group=group)]
    assert got == [st.as_json() for st in expected] and len(got) > 1000
    late = query.rows(campaign, group=group, overdue=True)
    want = overdue_rows(expected)
    assert [dict(zip(FIELDS, r, strict=False)) for r in late] == [s.as_json() for s in want]
    assert len(want) > 100


def test_rows_far_from_the_as_of_date_agree_with_the_rule(db: Path) -> None:
    # A far-away as-of date: the ordinal tables fill every year between.
    store = Store(db)
    today = dt.date(2040, 6, 1)
    expected = pure_rows(store, today)
    query = StatusQuery(store.db.conn, base_url=BASE, today=today, calendar=_calendar)
    got = [dict(zip(FIELDS, r, strict=False)) for r in query.rows()]
    assert got == [st.as_json() for st in expected]


def test_an_unknown_law_raises_as_the_rule_does(tmp_path: Path) -> None:
    build(tmp_path / "foibot.db", 300, seed=5, unknown_law=True)
    store = Store(tmp_path / "foibot.db")
    query = StatusQuery(
        store.db.conn, base_url=BASE, today=dt.date(2026, 11, 22), calendar=_calendar
    )
    with pytest.raises(dl.DeadlineError, match="klingon"):
        list(query.rows())
    with pytest.raises(dl.DeadlineError, match="klingon"):  # overdue reads fewer rows
        list(query.rows(overdue=True))


@pytest.mark.parametrize("unsent", ["draft", "ready", "cancelled"])
def test_reports_by_body_read_no_unsent_request(tmp_path: Path, unsent: str) -> None:
    """`report --by body` counts sent requests only, and does not even read the others: an
    unsent one with a law foibot does not know stops `status`, not the report."""
    from bot.reports.tables import body_timeliness

    build(tmp_path / "foibot.db", 300, seed=5)
    store = Store(tmp_path / "foibot.db")
    conn = store.db.conn
    with conn:
        conn.execute(
            "UPDATE requests SET status = ?, law = 'klingon' WHERE ref = "
            "(SELECT min(ref) FROM requests WHERE status = 'waiting_response')", [unsent]
        )  # fmt: skip
    today = dt.date(2026, 11, 22)
    query = StatusQuery(conn, base_url=BASE, today=today, calendar=_calendar)
    with pytest.raises(dl.DeadlineError, match="klingon"):
        list(query.rows())
    sent = list(query.rows(sent_only=True))
    stored = dict(conn.execute("SELECT ref, status FROM requests").fetchall())
    want = sorted(ref for ref, st in stored.items() if st not in ("draft", "ready", "cancelled"))
    assert sorted(r[0] for r in sent) == want and len(want) < len(stored)
    summary, _bodies, _counts = body_timeliness(iter(sent), today=today, calendar=_calendar)
    assert summary.requests == len(want)


def test_overdue_reads_every_row_that_can_be_late(tmp_path: Path) -> None:
    # overdue reads only the rows that may be late: edge cases of that filter.
    build(tmp_path / "foibot.db", 50, seed=7)
    store = Store(tmp_path / "foibot.db")
    today = dt.date(2026, 11, 22)
    with store.transaction():
        # Very overdue before its (extended) due date: late, by the very-overdue date.
        store.db.conn.execute(
            "UPDATE requests SET status = 'waiting_response', awaiting_description = 0, "
            "law = 'foi', due = '2026-11-30', very_overdue_after = '2026-11-20' WHERE ref = 'c-1'"
        )
    query = StatusQuery(store.db.conn, base_url=BASE, today=today, calendar=_calendar)
    late = [dict(zip(FIELDS, r, strict=False)) for r in query.rows(overdue=True)]
    assert late == [s.as_json() for s in overdue_rows(pure_rows(store, today))]
    assert "c-1" in {r["ref"] for r in late}
    with store.transaction():  # a law foibot does not know, on a row that cannot be late
        store.db.conn.execute("UPDATE requests SET law = 'klingon', status = 'successful' "
                              "WHERE ref = 'c-2'")  # fmt: skip
    with pytest.raises(dl.DeadlineError, match="klingon"):
        list(query.rows(overdue=True))


def test_an_unreadable_answer_time_raises_as_the_rule_does(tmp_path: Path) -> None:
    build(tmp_path / "foibot.db", 50, seed=6)
    store = Store(tmp_path / "foibot.db")
    with store.transaction():
        store.db.conn.execute("UPDATE requests SET answered_at = 'last Tuesday' WHERE ref = 'c-7'")
    query = StatusQuery(
        store.db.conn, base_url=BASE, today=dt.date(2026, 11, 22), calendar=_calendar
    )
    with pytest.raises(dl.DeadlineError, match="last Tuesday"):
        list(query.rows())


def test_uk_dates_are_receipt_dates() -> None:
    from bot.tracking.status_query import _Rule

    today = dt.date(2026, 11, 22)
    calendars = (dl.calendar_for("foi"), dl.calendar_for("foisa"))
    rule = _Rule(today, calendars, BASE, undecided=lambda ref: pytest.fail(ref))
    rng = random.Random(3)
    stamps = []
    for year in range(2018, 2028):
        for month, day in ((3, 24), (10, 24)):
            start = dt.datetime(year, month, day)
            for _ in range(120):  # the week around each change, at any minute
                moment = start + dt.timedelta(minutes=rng.randrange(8 * 24 * 60))
                zone = rng.choice(["+00:00", "+00:00", "Z", "", "+01:00", "-05:00"])
                stamps.append(moment.isoformat(timespec="seconds") + zone)
    stamps += ["2026-03-29T00:59:59+00:00", "2026-03-28T23:00:00+00:00", "2026-10-24T23:30:00+00:00",
               "2026-10-25T23:30:00+00:00", "2026-06-01 23:15:00+00:00"]  # fmt: skip
    for at in stamps:
        assert rule.uk_date(at) == dl.receipt_date(at).isoformat(), at


@pytest.mark.parametrize("c_encoder", ["CPython's", "none"])
@pytest.mark.parametrize("with_suggestions", [False, True])
def test_json_rows_are_the_text_of_their_objects(
    with_suggestions: bool, c_encoder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`status --json` and `overdue --json` set each row's encoded values into a template of
    the keys; the text must be json's for the same object, whatever the values hold (with
    CPython's C encoder, and with the pure-Python one other interpreters have)."""
    from json import encoder

    from bot.cli.status import _row_encoder

    if c_encoder == "none":
        monkeypatch.setattr(encoder, "c_make_encoder", None)

    rng = random.Random(5)
    pieces = ['"', "\\", "\x1f", "\n", "\x00", "%", "%s", "%(ref)s", "é", "😀", ",", ": ",
              "\u2028", "}", "]", "null", " "]  # fmt: skip
    scalars = [None, 0, -3, 2**70, True, 1.5, "", "plain", dt.date(2026, 1, 2)]
    containers = [[1, 2], ["a\x1f"], {"k": "v", "w": [None, 3]}, {}, []]

    def value():
        if (p := rng.random()) < 0.5:
            return "".join(rng.choice(pieces) for _ in range(rng.randrange(6)))
        return rng.choice(containers if p > 0.99 else scalars)

    suggested = {"r1": {"state": "successful", "why": 'says "attached"', "suggestion_only": True}}
    plain = __import__("json").JSONEncoder(ensure_ascii=False, default=str).encode
    plain_way = []

    def as_dict(r: tuple) -> dict:
        plain_way.append(r)
        return want

    fast = 0
    for i in range(3000):
        ref = rng.choice(["r1", "r2"]) if with_suggestions else value()
        row = (ref, *(value() for _ in FIELDS[1:]), i % 2)
        want = dict(zip(FIELDS, row[: len(FIELDS)], strict=True))
        if with_suggestions:
            want["suggested"] = suggested.get(ref)
            encode = _row_encoder(as_dict, suggested)
        else:
            encode = _row_encoder(as_dict, None)
        plain_way.clear()
        assert encode(row) == plain(want), row
        # Only a row holding a list or dict of several items may go the plain way.
        if not any(isinstance(v, (list, dict)) for v in row):
            assert not plain_way, row
            fast += 1
    assert fast > 100


def test_most_late_first_is_the_overdue_order() -> None:
    """The three stable passes order late rows as overdue_key does, ties included; a row
    without the date lateness counts from takes the key."""
    from bot.tracking.status_query import DAYS, LATE_FROM, REF, most_late_first, overdue_key

    rng = random.Random(11)
    width = len(FIELDS) + 1
    for with_none in (False, True):
        rows = []
        for k in range(2000):
            row = [None] * width
            row[REF] = f"r{rng.randrange(10_000):05d}-{k}"
            row[DAYS] = rng.randrange(1, 6)
            row[LATE_FROM] = f"2026-0{rng.randrange(1, 4)}-1{rng.randrange(3)}"
            rows.append(tuple(row))
        if with_none:
            rows[7] = tuple(None if i == LATE_FROM else v for i, v in enumerate(rows[7]))
        want = sorted(rows, key=overdue_key)
        assert most_late_first(rows) == want


def test_reports_by_body_count_what_the_rule_says(db: Path) -> None:
    """`report --by body` tallies the rows of the SQL query; from the pure rule's rows the
    summaries, bodies and counts must come out the same."""
    from bot.reports.tables import body_timeliness

    store = Store(db)
    today = dt.date(2026, 11, 22)
    names = {f"body_{i}": f"Body number {i}" for i in range(60)}
    query = StatusQuery(store.db.conn, base_url=BASE, today=today, calendar=_calendar)
    fast = body_timeliness(query.rows(), today=today, calendar=_calendar, body_names=names)
    pure = [tuple(st.as_json().values()) for st in pure_rows(store, today)]
    want = body_timeliness(pure, today=today, calendar=_calendar, body_names=names)
    assert fast == want
    summary, bodies, counts = fast
    assert len(bodies) > 5 and summary.answered and summary.overdue_now and len(counts) > 8


def test_a_c_encoder_of_another_signature_leaves_jsons_own_method(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The row encoder calls CPython's private c_make_encoder with 3.11's arguments; where
    they do not fit, it takes JSONEncoder's public method with the same settings."""
    from json import encoder

    from bot.cli.status import _VALUE_SEP, _values_encoder

    def changed(*args):
        raise TypeError(f"c_make_encoder() takes 10 arguments ({len(args)} given)")

    monkeypatch.setattr(encoder, "c_make_encoder", changed)
    values = _values_encoder()
    plain = values.__self__
    assert values.__func__ is encoder.JSONEncoder.encode
    assert (plain.item_separator, plain.key_separator, plain.ensure_ascii, plain.default) == (
        _VALUE_SEP, ": ", False, str,
    )  # fmt: skip


def test_a_requests_stage_is_its_furthest_follow_up(tmp_path: Path) -> None:
    """The database keeps each request's stage as its follow-ups change (migration m022):
    the furthest kind whatever the order they were made in; within a kind the latest made
    (no date counts least), then the highest ref; a kind foibot does not know counts least
    of all; a request with no follow-up has none."""
    store = Store(tmp_path / "foibot.db")
    conn = store.db.conn

    def stages() -> dict[str, str | None]:
        return dict(conn.execute("SELECT ref, stage FROM requests ORDER BY ref"))

    followups = [
        # ref, request, kind, status, created_at
        ("a1", "A", "complaint", "draft", "2026-01-01"),
        ("a2", "A", "chaser", "sent", "2026-06-01"),
        ("a3", "A", "internal-review", "sent", "2026-09-01"),
        ("b1", "B", "chaser", "sent", "2026-03-01"),
        ("b2", "B", "chaser", "draft", "2026-04-01"),
        ("b3", "B", "chaser", "ready", None),
        ("b4", "B", "nudge", "draft", "2026-12-01"),
        ("c1", "C", "nudge", "sent", "2026-02-01"),
        ("c2", "C", "nudge", "draft", "2026-02-01"),
        ("d1", "D", "gossip", "draft", "2026-05-01"),
        ("d2", "D", "nudge", "sent", "2026-01-01"),
        ("e1", "E", "gossip", "draft", "2026-05-01"),
    ]
    with store.transaction():
        for ref in "ABCDEF":
            conn.execute("INSERT INTO requests (ref, status, created_at, updated_at) "
                         "VALUES (?, 'waiting_response', 'x', 'x')", [ref])  # fmt: skip
        store.add_followups([
            dict(zip(("ref", "request", "kind", "status", "created_at"), f, strict=True),
                 cycle=f[0])
            for f in followups
        ])  # fmt: skip
    assert stages() == {
        "A": "complaint draft", "B": "chaser draft", "C": "nudge draft", "D": "nudge sent",
        "E": "gossip draft", "F": None,
    }  # fmt: skip
    # A change of state, and of request; a follow-up deleted.
    with store.transaction():
        store.update_followup("a1", status="sent")
        store.update_followup("b2", request="F")
        conn.execute("DELETE FROM followups WHERE ref = 'd2'")
    assert stages() == {
        "A": "complaint sent", "B": "chaser sent", "C": "nudge draft", "D": "gossip draft",
        "E": "gossip draft", "F": "chaser draft",
    }  # fmt: skip
    store.close()


@pytest.mark.parametrize(
    "key",
    ["2026-1-05", "20261105", " 2026-01-05", "0000-01-01", "2004-12-31", "2101-01-01",
     "\u00b2\u2070\u00b2\u2076-01-05", "9999-12-31", None, 20261105, b"2026-01-05"],
)  # fmt: skip
def test_the_year_tables_hold_only_covered_iso_days(key) -> None:
    """What is not a YYYY-MM-DD day the calendar covers is a KeyError (the pure rule then
    decides the row), never another error and never a value."""
    from bot.tracking.status_query import _YearTables

    upto, nth = _YearTables.pair(dl.calendar_for("foi"))
    with pytest.raises(KeyError):
        upto[key]
    # Working days on or before the day since coverage began (1 January 2005, a Saturday).
    assert upto["2026-01-05"] == dl.calendar_for("foi").working_days_between(
        dt.date(dl.FIRST_YEAR, 1, 1), dt.date(2026, 1, 5)
    )  # fmt: skip
    for k in (-1, 10**6):
        with pytest.raises(KeyError):
            nth[k]
