"""Ordinary states and ordinary mistakes never reach "unexpected" (issue 29, item 6): each
ends in one line that names what is wrong and what is allowed, with the right exit code,
and no traceback."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

import pytest

from bot import __version__
from bot.config_table import Table
from bot.errors import ConfigError
from bot.store.migrations import migrations
from tests.support import released_project, row
from tests.test_bodies import csv_text
from tests.test_bodies import row as bodies_row
from tests.wdtk_replica import closed_port_url


def error_line(result) -> str:
    """The error output: exactly one line, and no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "unexpected" not in lines[0], lines[0]
    return lines[0]


def test_show_of_a_released_draft_never_found_on_wdtk(project, replica):
    wdtk = released_project(project, replica)  # smm-1, smm-2 released on 2 March, never sent
    # 14 days after release polling gives up: next_poll_at holds the "never" sentinel.
    polled = wdtk.run("poll", "--as-of", "2026-03-17T12:00").stdout
    assert row(wdtk, "smm-2")["next_poll_at"] == "never"
    # Said where it happens, not only by doctor: nothing was asked, and why.
    assert polled.splitlines()[0] == "Nothing was due a poll.", polled
    assert (
        "  smm-2: released long ago and not found on WDTK, no longer looked for: "
        "`foibot link smm-2 URL` if it was sent, `foibot done smm-2 --cancelled` if not"
    ) in polled.splitlines()
    news = sqlite3.connect(wdtk.db).execute("SELECT key FROM news WHERE kind = 'error'")
    assert {k for (k,) in news} == {"unfound:smm-1", "unfound:smm-2"}
    shown = wdtk.run("show", "smm-2", "--as-of", "2026-03-17")
    assert shown.stderr == ""
    assert (
        "  last poll failed     not found on WDTK 14 days after release: use `foibot link` "
        "(no more automatic polls)"
    ) in shown.stdout.splitlines()
    assert "  status               ready" in shown.stdout.splitlines()
    # As the advice says: cancelled, and the news asking for it taken back if untold.
    wdtk.run("done", "smm-2", "--cancelled", "--as-of", "2026-03-17T12:05")
    assert row(wdtk, "smm-2")["status"] == "cancelled"
    news = sqlite3.connect(wdtk.db).execute("SELECT key FROM news WHERE kind = 'error'")
    assert {k for (k,) in news} == {"unfound:smm-1"}


# --- numbers too large for dates or C integers ------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "[pace]",
            "[pace]\nmargin_minutes = 1000000000000",
            "pace.margin_minutes: must be at most 1440, got 1000000000000",
        ),
        (
            "{ count = 1, minutes = 1 }",
            "{ count = 1, minutes = 18446744073709551616 }",  # 2^64
            "pace.limits[0].minutes: must be at most 527040, got 18446744073709551616",
        ),
        (
            "min_interval_s = 3.0",
            "min_interval_s = 1e308",
            "wdtk.min_interval_s: must be at most 3600, got 1e+308",
        ),
        (
            "[storage]",
            "[storage]\nbusy_timeout_s = 1e308",
            "storage.busy_timeout_s: must be at most 3600, got 1e+308",
        ),
        (
            "[followups]",
            "[poll]\nhidden_grace_days = 1e308\n\n[followups]",
            "poll.hidden_grace_days: must be at most 366, got 1e+308",
        ),
        (
            "[followups]",
            "[followups.tracked]\nchaser_after = 18446744073709551616\n\n[followups]",
            "followups.tracked.chaser_after: must be at most 260, got 18446744073709551616",
        ),
        (
            "launch_at = 2026-12-01T09:00:00",
            "launch_at = 9999-12-31T23:59:59",
            "campaigns[0].launch_at: must lie in the years 2005-2100, got 9999-12-31 23:59:59",
        ),
        (
            "extra_holidays = []",
            "extra_holidays = [2026-12-28, 2200-01-01]",
            "deadlines.extra_holidays[1]: 2200-01-01 is outside the years the bank-holiday "
            "data covers (2005-2100)",
        ),
        (
            "remove_holidays = []",
            "[deadlines.remove_holidays]\nscotland = [1999-01-04]",
            "deadlines.remove_holidays.scotland[0]: 1999-01-04 is outside the years the "
            "bank-holiday data covers (2005-2100)",
        ),
    ],
)
def test_config_numbers_and_dates_out_of_range_name_the_key(project, old, new, expected):
    project.edit_config(old, new)
    if "remove_holidays]" in new:  # a table cannot follow keys of [deadlines]: move it last
        text = project.config.read_text().replace(new, "")
        project.config.write_text(text + "\n" + new + "\n")
    # launch is what crashed on the margin, the window and the holidays; every command
    # reads the config first.
    result = project.run("launch", "social-media-misuse", expect=2)
    assert error_line(result) == f"Error: config.toml: {expected}"


def test_every_number_in_a_record_needs_a_maximum():
    Limits = NamedTuple("Limits", [("count", int)])  # noqa: UP014 - real annotations
    table = Table("config.toml", {"count": 5}, "limits")
    with pytest.raises(TypeError, match="give count a maximum"):
        table.record(Limits)
    assert table.record(Limits, maximum={"count": 5}) == Limits(5)
    with pytest.raises(ConfigError, match=r"^config.toml: limits.count: must be at most 4, got 5$"):
        table.record(Limits, maximum={"count": 4})


def test_storage_paths_too_long_for_the_file_system(project):
    # SQLite's journal is the database's name and "-journal": 247 bytes leave room for it.
    project.edit_config('path = "state/foibot.db"', f'path = "state/{"b" * 245}.db"')
    result = project.run("status", expect=2)
    assert error_line(result) == (
        "Error: config.toml: storage.path: a file or folder name may be at most 247 bytes, "
        f"got 248 ({'b' * 24}…)"
    )
    project.edit_config(f"{'b' * 245}.db", "a/" * 2100 + "x.db")
    result = project.run("status", expect=2)
    length = len(str(project.root / "state")) + len("/a" * 2100) + len("/x.db")
    assert error_line(result) == (
        f"Error: config.toml: storage.path: the whole path may be at most 4087 bytes, got {length}"
    )
    doctor = project.run("doctor", expect=1)  # says so among its checks
    assert "unexpected" not in doctor.stdout + doctor.stderr
    assert "storage.path: the whole path may be at most 4087 bytes" in doctor.stdout


# --- numbers too large to be WDTK's ------------------------------------------------------------


def test_a_23_digit_request_number(project):
    base = closed_port_url()  # nothing is fetched: the number is refused first
    project.edit_config('base_url = "https://www.whatdotheyknow.com"', f'base_url = "{base}"')
    number = "12345678901234567890123"
    result = project.run("track", number, expect=2)
    assert error_line(result) == (
        f"Error: {number}: not a WDTK request number (request numbers run from 1 to 2147483647)"
    )
    project.run("draft", "social-media-misuse")
    url = f"{base}/request/{number}"
    result = project.run("link", "smm-1", url, expect=2)
    assert error_line(result) == (
        f"Error: {url}: not a WDTK request number (request numbers run from 1 to 2147483647)"
    )


def test_a_bodies_csv_row_with_a_23_digit_internal_id_is_skipped_naming_its_line(project):
    csv = project.root / "bodies.csv"
    csv.write_text(
        csv_text(
            bodies_row("12345678901234567890123", "Too Big Council", "too_big"),
            bodies_row("42", "Fine Council", "fine"),
        )
    )
    result = project.run("bodies", "import", "--file", str(csv))  # the rest is imported
    assert error_line(result) == (
        f"{csv}:2: skipped: Internal ID 12345678901234567890123 is not a WDTK id (1 to 2147483647)"
    )
    assert "1 new" in result.stdout


# --- escape sequences in what the user typed ---------------------------------------------------

HOSTILE = "\x1b]0;owned\x07\x1b[2J\rgroup"


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--group", HOSTILE),  # a FoibotError, printed by the group
        ("status", "--campaign", HOSTILE),
        ("show", HOSTILE),
    ],
)
def test_escape_sequences_are_never_echoed_raw(project, args):
    result = project.run(*args, expect=2)
    line = error_line(result)
    assert not any(c in line for c in "\x1b\x07\r"), repr(line)
    assert "'?]0;owned??[2J group'" in line  # the line break as a space, as everywhere


def test_escape_sequences_in_clicks_own_errors(project):
    result = project.run(HOSTILE, expect=2)  # "No such command": click quotes it with repr()
    assert not any(c in result.stderr for c in "\x1b\x07\r"), repr(result.stderr)


def test_escape_sequences_in_a_bodies_csv_file_name(project):
    csv = project.root / f"{HOSTILE}.csv"
    csv.write_text(csv_text(bodies_row("oops", "Bad Council", "bad")))
    result = project.run("bodies", "import", "--file", str(csv))
    assert "\x1b" not in result.stderr and "?]0;owned" in result.stderr


# --- a database from a newer foibot -------------------------------------------------------------


def test_a_database_migrated_by_a_newer_foibot_is_refused(project):
    project.run("draft", "social-media-misuse")
    ours = migrations._migrations[-1].name
    conn = sqlite3.connect(project.db)
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('foibot', 'm999_from_the_future', '2027-01-01 00:00:00+00:00')"
        )
    before = project.dump()
    expected = (
        f"Error: {project.db} was migrated by a newer foibot (its last migration is "
        f"'m999_from_the_future'); this is foibot {__version__}, whose last migration is "
        f"'{ours}': upgrade foibot to use this database (nothing was changed)"
    )
    for command in (("draft", "social-media-misuse"), ("status",), ("show", "smm-1")):
        assert error_line(project.run(*command, expect=2)) == expected
    assert project.dump() == before
    # doctor reads it read-only and says the same among its checks
    doctor = project.json("doctor")
    (check,) = [c for c in doctor["checks"] if c["name"] == "migrations"]
    assert "m999_from_the_future" in check["message"]


# --- a letter template edited after drafting ------------------------------------------------------


def test_launch_holds_drafts_whose_template_was_edited_since_drafting(project):
    project.edit_config("launch_at = 2026-12-01T09:00:00", "launch_at = 2026-03-02T09:00:00")
    project.run("draft", "social-media-misuse", "--as-of", "2026-03-01")
    letter = project.root / "templates" / "letters" / "social_media_misuse.txt.j2"
    letter.write_text(letter.read_text().replace("Dear ", "To ", 1))

    result = project.run("launch", "social-media-misuse", "--as-of", "2026-03-02T09:10")
    refs = ", ".join(f"smm-{n}" for n in range(1, 8))
    assert result.stderr.splitlines() == [
        f"Warning: not released: {refs}: the letter template or title was edited after they "
        "were drafted; run `foibot draft social-media-misuse` to re-render them, check them "
        "with `foibot show REF`, then launch again"
    ]
    assert "Nothing new is due to send yet." in result.stdout
    assert all(r["status"] == "draft" for r in project.json("status"))

    # draft re-renders them (it updates drafts whose letter changed); then they go out
    assert "0 created, 7 changed" in project.run("draft", "social-media-misuse").stdout
    result = project.run("launch", "social-media-misuse", "--as-of", "2026-03-02T09:11")
    assert result.stderr == ""
    assert "Ready to send now (1)" in result.stdout
    assert project.json("show", "smm-1")["letter"].startswith("To ")


def test_deadline_with_a_public_interest_date_past_the_holiday_data(project):
    result = project.run("deadline", "2026-01-05", "--pit-until", "2999-12-31", expect=2)
    assert error_line(result) == (
        "Error: 2999-12-31 is outside the bank-holiday data this tool covers "
        "(2005-01-01 to 2100-12-31), so no deadline can be computed for it"
    )
