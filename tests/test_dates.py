"""UK local time of stored UTC stamps (bot/dates.py): the per-hour shortcut shows what a
full zoneinfo conversion shows, over years of stamps and every night the clocks change."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from bot.dates import format_uk, format_uk_short

LONDON = ZoneInfo("Europe/London")


def _stamps() -> list[str]:
    rng = random.Random(11)
    out = []
    for year in range(2005, 2031):
        # The hours around each change of the clocks (last Sundays of March and October,
        # 01:00 UTC), and random moments in between.
        for month in (3, 10):
            last_sunday = max(
                d for d in (dt.date(year, month, day) for day in range(25, 32)) if d.weekday() == 6
            )
            change = dt.datetime.combine(last_sunday, dt.time(1), dt.UTC)
            out += [change + dt.timedelta(minutes=m) for m in range(-125, 125, 7)]
        out += [
            dt.datetime(year, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=rng.randrange(365 * 86400))
            for _ in range(200)
        ]
    # As foibot writes them: with microseconds, or whole seconds; plus midnight edges.
    stamps = [m.isoformat() for m in out] + [m.isoformat(timespec="seconds") for m in out]
    return stamps + ["2026-12-31T23:59:59+00:00", "2026-06-30T23:00:00.000001+00:00"]


STAMPS = _stamps()


@pytest.mark.parametrize(
    ("shown", "fmt"), [(format_uk, "%a %d %b %Y %H:%M"), (format_uk_short, "%d %b %H:%M")]
)
def test_utc_stamps_show_as_zoneinfo_shows_them(shown, fmt: str) -> None:
    for stamp in STAMPS:
        assert shown(stamp) == dt.datetime.fromisoformat(stamp).astimezone(LONDON).strftime(fmt), stamp


def test_other_forms_take_the_long_way() -> None:
    assert format_uk("2026-07-01T08:30:00+01:00") == "Wed 01 Jul 2026 08:30"
    assert format_uk("2026-07-01T07:30:00Z") == "Wed 01 Jul 2026 08:30"
    assert format_uk(dt.datetime(2026, 1, 5, 9, 5, tzinfo=dt.UTC)) == "Mon 05 Jan 2026 09:05"
    assert format_uk_short("2026-03-29T00:59:00+00:00") == "29 Mar 00:59"
    assert format_uk_short("2026-03-29T01:00:00+00:00") == "29 Mar 02:00"
    assert format_uk(None) == format_uk("") == ""
    # Before 1847 London kept its own mean time, 1 min 15 s behind UTC.
    old = "1800-01-01T00:00:00+00:00"
    assert format_uk(old) == dt.datetime.fromisoformat(old).astimezone(LONDON).strftime(
        "%a %d %b %Y %H:%M"
    )  # fmt: skip


@pytest.mark.parametrize(
    "stamp",
    ["yesterday", "2026-03-20T09:65:00+00:00", "2026-03-20T09:05:61+00:00",
     "2026-03-20T09:05:::+00:00", "2026-03-20T25:05:00+00:00", "2026-02-30T09:05:00+00:00"],
)  # fmt: skip
def test_what_is_not_a_time_is_an_error(stamp: str) -> None:
    for shown in (format_uk, format_uk_short):
        with pytest.raises(ValueError):
            shown(stamp)


def test_a_date_option_takes_a_date_time_as_its_uk_day():
    """One `--as-of` value works for every command: `status` (a day) takes what `poll` (a
    moment) takes. 23:30 UTC on Tue 31 Mar 2026 is 00:30 BST on Wed 1 Apr."""
    import click

    from bot.cli.app import DateType

    day = DateType()
    assert day.convert("2026-04-01", None, None) == dt.date(2026, 4, 1)
    assert day.convert("2026-04-01T12:00", None, None) == dt.date(2026, 4, 1)
    assert day.convert("2026-03-31T23:30:00+00:00", None, None) == dt.date(2026, 4, 1)
    with pytest.raises(click.BadParameter, match="'2026-13-01' is not a date like 2026-11-22"):
        day.convert("2026-13-01", None, None)


def test_a_send_slot_is_shown_at_the_minute_it_is_open_from():
    from bot.dates import format_uk

    # 09:00:51 UTC on 2 March 2026 is 09:00:51 in London (GMT): open from 09:01, not 09:00.
    assert format_uk("2026-03-02T09:00:51+00:00", not_before=True) == "Mon 02 Mar 2026 09:01"
    assert format_uk("2026-03-02T09:00:51+00:00") == "Mon 02 Mar 2026 09:00"
    assert format_uk("2026-03-02T09:00:00+00:00", not_before=True) == "Mon 02 Mar 2026 09:00"
    # 23:59:30 BST on 31 May rolls to the next day.
    assert format_uk("2026-05-31T22:59:30+00:00", not_before=True) == "Mon 01 Jun 2026 00:00"
