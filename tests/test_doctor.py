"""`foibot doctor`: a read-only checklist with what to fix, exit 1 only when a check fails."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.doctor.holiday_checks import check_holidays, one_year_after
from bot.run.lock import RunLock
from bot.store.migrations import migrations
from tests.support import released_project, row, sent_request
from tests.test_doctor_bodies import BODY_PATHS, serve_example_bodies
from tests.wdtk_replica import WdtkReplica, closed_port_url, event, http_error


def checks(project, *args: str, expect: int = 0) -> dict[str, dict]:
    result = project.run("doctor", "--json", *args, expect=expect)
    return {c["name"]: c for c in __import__("json").loads(result.stdout)["checks"]}


def levels(found: dict[str, dict]) -> dict[str, str]:
    return {name: c["level"] for name, c in found.items()}


def applied(db) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    finally:
        conn.close()


# --- healthy -----------------------------------------------------------------------------


def test_fresh_example_project_is_healthy_and_no_database_is_created(project):
    found = checks(project)
    assert levels(found) == {
        "config": "ok",
        "WDTK user": "ok",
        "database": "ok",
        "campaign social-media-misuse": "ok",
        "follow-up templates": "ok",
        "bank holidays": "ok",
    }
    assert "does not exist yet" in found["database"]["message"]
    # home_office (FOI) and police_scotland (FOISA): one body per law the campaign reaches
    assert found["campaign social-media-misuse"]["message"] == (
        "title and letter render for one body of each law and kind: home_office, "
        "police_scotland (7 bodies in the campaign)"
    )
    assert not project.db.exists() and not project.db.parent.exists()
    elsewhere = project.root / "other" / "x.db"
    text = project.run("--db", str(elsewhere), "doctor").stdout
    assert f"{elsewhere} does not exist yet" in text
    assert not elsewhere.parent.exists()


def test_drafted_example_project_passes_every_check_and_prints_a_checklist(project):
    project.run("draft", "social-media-misuse")
    before = project.dump()
    found = checks(project)
    assert set(levels(found).values()) == {"ok"}, found
    assert list(found) == [
        "config", "WDTK user", "database", "database integrity", "foreign keys", "migrations",
        "orphaned drafts", "follow-ups", "notifications", "poll errors", "stopped polling", "unfound requests", "WDTK calls (24 h)",
        "poll schedule learnt", "database permissions", "run lock", "campaign social-media-misuse", "follow-up templates", "bank holidays",
    ]  # fmt: skip
    assert found["migrations"]["message"] == f"all {len(ALL_MIGRATIONS)} applied"
    text = project.run("doctor").stdout
    assert text.count("✓") == 19 and "✗" not in text and "!" not in text
    assert text.rstrip().endswith("19 ok, 0 warnings, 0 errors")
    assert project.dump() == before


def test_holiday_check_names_version_and_overrides(project):
    project.edit_config("extra_holidays = []", "extra_holidays = [2027-06-07]")
    message = checks(project)["bank holidays"]["message"]
    assert re.search(r"holidays-\d", message)
    assert "overrides: +2027-06-07" in message


# --- config and templates ----------------------------------------------------------------


def test_broken_toml_is_a_failed_check_naming_the_file(project):
    project.edit_config('name = "Alex Example"', 'name = "Alex Example')  # unterminated
    result = project.run("doctor", expect=1)
    line = next(x for x in result.stdout.splitlines() if " config " in x)
    assert line.startswith("✗") and "config.toml: invalid TOML" in line and "line 26" in line
    assert "fix: edit" in result.stdout
    # the database cannot be located either; that is a warning, not a crash
    assert re.search(r"^! database +not checked", result.stdout, re.M)
    assert not project.db.exists()


def test_bad_key_is_named_and_the_database_is_still_checked(project):
    project.run("draft", "social-media-misuse")
    project.edit_config("chaser_max = 2", "chaser_maks = 2")
    found = checks(project, expect=1)
    assert found["config"]["level"] == "error"
    assert found["config"]["message"] == (
        "config.toml: campaigns[0].followups.chaser_maks: unknown key — did you mean 'chaser_max'?"
    )
    # [storage] path was still readable, so the database checks ran
    assert found["database integrity"]["level"] == "ok"
    assert "campaign social-media-misuse" not in found  # needs a valid config
    assert found["templates"]["message"] == "not checked: the config did not load"


def test_undefined_template_variable_is_reported_with_file_and_line(project):
    letter = project.root / "templates" / "letters" / "social_media_misuse.txt.j2"
    lines = letter.read_text().splitlines()
    lines.insert(2, "Our reference: {{ campaign_reference }}")  # becomes line 3
    letter.write_text("\n".join(lines) + "\n")
    found = checks(project, expect=1)
    check = found["campaign social-media-misuse"]
    assert check["level"] == "error"
    assert check["message"].startswith(
        "templates/letters/social_media_misuse.txt.j2:3: undefined variable:"
    )
    assert "campaign_reference" in check["message"]
    assert found["config"]["level"] == "ok"


def test_broken_followup_template_is_reported_with_file_and_line(project):
    own = project.root / "templates" / "followups"
    own.mkdir()
    (own / "chaser.txt.j2").write_text("Dear {{ body }},\n\n{% if late %}\nlate\n")
    check = checks(project, expect=1)["follow-up templates"]
    assert check["level"] == "error"
    assert re.search(r"followups/chaser\.txt\.j2:\d+: template syntax error", check["message"])


def test_unknown_body_without_a_database_says_so(project):
    project.edit_config('  "home_office",\n', '  "home_offise",\n')
    check = checks(project, expect=1)["campaign social-media-misuse"]
    assert "unknown body 'home_offise'" in check["message"]
    assert "no database yet" in check["message"]


# --- the database ------------------------------------------------------------------------


# Every migration the code defines, in order (a fresh database has them all pending).
ALL_MIGRATIONS = [m.name for m in migrations.pending(Database(memory=True))]


def test_pending_migration_warns_and_is_not_applied(project):
    project.db.parent.mkdir()
    db = Database(project.db)
    last, before_last = ALL_MIGRATIONS[-1], ALL_MIGRATIONS[-2]
    migrations.apply(db, stop_before=last)
    db.close()
    assert applied(project.db)[-1] == before_last
    result = project.run("doctor")  # a warning alone: still exit 0
    assert re.search(
        rf"^! migrations +1 migration pending \(not applied\): {last}", result.stdout, re.M
    )
    assert "fix: back the database up" in result.stdout
    assert last not in applied(project.db)


def test_corrupted_database_is_an_error_and_is_left_alone(project):
    project.db.parent.mkdir()
    garbage = b"this is not a database\n" * 400
    project.db.write_bytes(garbage)
    os.chmod(project.db, 0o600)
    found = checks(project, expect=1)
    check = found["database integrity"]
    assert check["level"] == "error"
    assert "file is not a database" in check["message"]
    assert "restore" in check["fix"]
    assert project.db.read_bytes() == garbage


@pytest.mark.parametrize(
    "error",
    ["disk I/O error", "unable to open database file", "database or disk is full",
     "attempt to write a readonly database"],
)  # fmt: skip
def test_a_database_out_of_reach_is_never_called_damaged(error):
    """A full disk, a read-only mount or a folder without write access (WAL needs its -shm
    file even to read) stops SQLite before it reads a page: the database may be whole, so
    doctor says to fix the disk and keep the file, never to move it aside or start afresh;
    and that the other database checks were not run."""
    from bot.doctor.database_checks import database_error

    check = database_error("database integrity", Path("/srv/c/state/foibot.db"),
                           sqlite3.OperationalError(error))  # fmt: skip
    assert check.level == "error"
    assert error in check.message and "could not read it here" in check.message
    assert "the other database checks were not run" in check.message
    assert "keep it" in check.fix and "/srv/c/state" in check.fix
    assert "afresh" not in check.fix and "restore" not in check.fix


def test_index_out_of_step_with_its_table_fails_integrity_check(project):
    project.run("draft", "social-media-misuse")  # 7 requests
    conn = sqlite3.connect(project.db)
    # Point the status index's definition at another column: its entries no longer match.
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX idx_requests_status ON requests (body)' "
        "WHERE name = 'idx_requests_status'"
    )
    conn.commit()
    conn.close()
    check = checks(project, expect=1)["database integrity"]
    assert check["level"] == "error"
    assert check["message"].startswith(
        "PRAGMA integrity_check found 7 problems: row 1 missing from index idx_requests_status, "
    )
    assert check["message"].endswith("and 2 more")
    assert ".recover" in check["fix"]


def test_dangling_foreign_key_is_an_error(project):
    project.run("draft", "social-media-misuse")
    conn = sqlite3.connect(project.db)  # foreign keys are off by default in sqlite3
    conn.execute("INSERT INTO events (ref, at, kind) VALUES ('smm-99', '2026-01-01', 'note')")
    conn.commit()
    conn.close()
    check = checks(project, expect=1)["foreign keys"]
    assert check["level"] == "error"
    assert "1 row with a dangling reference: events row" in check["message"]
    assert check["message"].endswith("→ requests")


def test_world_readable_database_is_a_warning_with_the_chmod(project):
    project.run("draft", "social-media-misuse")
    os.chmod(project.db, 0o644)
    check = checks(project)["database permissions"]
    assert check["level"] == "warn"
    assert "foibot.db (-rw-r--r--)" in check["message"]
    assert check["fix"].startswith("chmod 600 ") and str(project.db) in check["fix"]


def test_a_database_this_user_cannot_write_is_an_error(project):
    """`chattr +i` stops even root writing (os.access asks the kernel); where the file
    system has no such attribute, the test skips."""

    project.run("draft", "social-media-misuse")
    if subprocess.run(["chattr", "+i", str(project.db)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available on this file system")
    try:
        check = checks(project, expect=1)["database permissions"]
    finally:
        subprocess.run(["chattr", "-i", str(project.db)], check=True)
    assert check["level"] == "error"
    assert check["message"] == (
        f"this user cannot write {project.db}: every poll, launch and record would fail"
    )


def test_running_pass_is_reported_from_the_lock(project):
    project.run("draft", "social-media-misuse")
    lock = RunLock(project.db)
    lock.acquire()
    try:
        message = checks(project)["run lock"]["message"]
    finally:
        lock.release()
    assert message == f"a pass is running now (pid {os.getpid()})"
    assert checks(project)["run lock"]["message"] == "no pass running"
    # a killed pass leaves its pid in the file, but the kernel dropped its flock
    (project.db.parent / "foibot.db.lock").write_text(f"{os.getpid()}\n")
    assert checks(project)["run lock"]["message"] == (
        f"no pass running (the last one, pid {os.getpid()}, was cut short)"
    )


# --- pending errors (real polls against the replica) ----------------------------------------


def test_poll_errors_and_unfound_requests_are_listed(project, replica):
    wdtk = released_project(project, replica)  # smm-1 and smm-2 released on 2 March
    sent_request(wdtk, replica, 5001, "smm-1")  # smm-2 is never sent
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    assert row(wdtk, "smm-1")["wdtk_id"] == 5001
    replica.fail(5001, *[http_error(503)] * 8)
    wdtk.run("poll", "--all", "--as-of", "2026-03-05T19:00")
    smm1 = row(wdtk, "smm-1")
    assert smm1["poll_error"] and smm1["poll_failures"] == 1

    found = checks(wdtk, "--as-of", "2026-03-05T19:05")
    errors = found["poll errors"]
    assert errors["level"] == "warn"
    assert errors["message"].startswith("1 request failing to poll: smm-1; longest failing smm-1")
    assert "1 failure in a row: HTTP 503" in errors["message"]
    # first retry 15 minutes after the failure, shown in UK time (GMT in March)
    assert "next retry Thu 05 Mar 2026 19:15 (UK)" in errors["message"]
    unfound = found["unfound requests"]
    assert unfound["level"] == "warn"
    assert "still looked for: smm-2" in unfound["message"]

    # 14 days after release, polling gives up on smm-2 (not asked for: smm-1, still
    # failing, is the one request polled, so the poll exits 1)
    wdtk.run("poll", "--as-of", "2026-03-17T12:00", expect=1)
    assert row(wdtk, "smm-2")["next_poll_at"] == "never"
    unfound = checks(wdtk, "--as-of", "2026-03-17T12:05")["unfound requests"]
    assert "no longer looked for: smm-2" in unfound["message"]
    assert "foibot link" in unfound["fix"]


def test_requests_hidden_on_wdtk_show_as_stopped_polling(project, replica):
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.hide(5001, 404)
    wdtk.run("poll", "--all", "--as-of", "2026-03-03T12:00")
    wdtk.run("poll", "--all", "--as-of", "2026-03-20T12:00")  # past the 14-day grace
    assert row(wdtk, "smm-1")["next_poll_at"] == "never"
    check = checks(wdtk, "--as-of", "2026-03-20T12:05")["stopped polling"]
    assert check["level"] == "warn"
    assert check["message"].startswith("1 request no longer polled: smm-1")


def test_doctor_says_what_the_last_days_passes_cost_per_change(project, replica):
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    sent_request(wdtk, replica, 5002, "smm-2")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")  # links both: over a day before
    replica.add_event(5001, event(None, "response", "2026-03-20T09:00:00+00:00"))
    replica.add_event(5001, event(None, "response", "2026-03-20T09:30:00+00:00"))
    before = len(replica.hits)
    wdtk.run("poll", "--all", "--as-of", "2026-03-20T12:00")
    wdtk.run("poll", "--all", "--as-of", "2026-03-20T13:00")  # nothing new: 304s
    calls = len(replica.hits) - before  # counted on the server, not by foibot
    assert calls >= 4  # two JSON fetches and the new replies' page, then two 304s
    check = checks(wdtk, "--as-of", "2026-03-20T13:05")["WDTK calls (24 h)"]
    assert check["level"] == "ok"
    assert check["message"] == (
        f"2 passes made {calls} WDTK calls and found 2 changes: {calls / 2:.1f} calls per change"
    )
    # A day later, those passes have dropped out of the window.
    late = checks(wdtk, "--as-of", "2026-03-21T13:05")["WDTK calls (24 h)"]
    assert late["message"] == "no passes in the last day"
    # Passes that found nothing: their calls, and no ratio to speak of.
    wdtk.run("poll", "--all", "--as-of", "2026-03-21T13:00")
    quiet = checks(wdtk, "--as-of", "2026-03-21T13:05")["WDTK calls (24 h)"]
    assert re.fullmatch(r"1 pass made \d+ WDTK calls? and found 0 changes", quiet["message"])


# --- online ------------------------------------------------------------------------------


def test_online_against_the_replica_is_ok(project, replica):
    serve_example_bodies(replica)
    project.edit_config(
        'base_url = "https://www.whatdotheyknow.com"', f'base_url = "{replica.base_url}"'
    )
    found = checks(project, "--online")
    check = found["WDTK (online)"]
    assert check["level"] == "ok"
    assert check["message"].endswith("robots.txt allows /request/1.json")
    # One call for WDTK; then the declared bodies (tests/test_doctor_bodies.py), nothing else.
    assert replica.hit_paths() == ["/robots.txt", "/robots.txt", *BODY_PATHS]


def test_online_when_robots_disallows_request_json_is_an_error(project, replica):
    replica.robots_txt = "User-agent: *\nDisallow: /request/\n"
    project.edit_config(
        'base_url = "https://www.whatdotheyknow.com"', f'base_url = "{replica.base_url}"'
    )
    check = checks(project, "--online", expect=1)["WDTK (online)"]
    assert check["level"] == "error"
    assert "disallows /request/1.json" in check["message"]


def test_online_without_robots_txt_is_ok(project):
    with WdtkReplica(robots_txt=None) as server:  # /robots.txt is a 404: no rules at all
        serve_example_bodies(server)
        project.edit_config(
            'base_url = "https://www.whatdotheyknow.com"', f'base_url = "{server.base_url}"'
        )
        check = checks(project, "--online")["WDTK (online)"]
    assert check["level"] == "ok"
    assert (
        "(robots.txt: HTTP 404, so no rules); robots.txt allows /request/1.json" in check["message"]
    )


def test_online_against_a_closed_port_is_an_error(project):
    dead = closed_port_url()
    project.edit_config('base_url = "https://www.whatdotheyknow.com"', f'base_url = "{dead}"')
    result = project.run("doctor", "--online", expect=1)
    line = next(x for x in result.stdout.splitlines() if "WDTK (online)" in x)
    assert line.startswith("✗") and f"{dead} did not answer properly" in line
    assert result.stdout.rstrip().endswith("0 warnings, 1 error")


# --- usage -------------------------------------------------------------------------------


def test_bad_usage_is_exit_2(project):
    result = project.run("doctor", "--bogus", expect=2)
    assert "No such option" in result.stderr


# --- the holiday check, directly --------------------------------------------------------


def test_holiday_data_must_reach_a_year_ahead():
    assert check_holidays(None, dt.date(2099, 12, 31)).level == "ok"
    late = check_holidays(None, dt.date(2100, 1, 1))  # a year ahead is 2101-01-01
    assert late.level == "error"
    assert "2101-01-01 is outside the bank-holiday data" in late.message
    assert "upgrade" in late.fix


def test_one_year_after_handles_leap_day():
    assert one_year_after(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    assert one_year_after(dt.date(2026, 11, 22)) == dt.date(2027, 11, 22)


def test_years_past_the_proclaimed_holidays_are_projections_warned_about():
    """Bank holidays are proclaimed under s.1(3) of the Banking and Financial Dealings Act
    1971 a few months ahead; the `holidays` data for later years is a projection of the
    usual rules (0.109's newest proclaimed one-off is Scotland's 15 June 2026)."""
    from bot import deadlines as dl

    proclaimed = dl.proclaimed_through()
    assert proclaimed >= 2026
    inside = check_holidays(None, dt.date(2026, 11, 30), dt.date(proclaimed, 12, 31))
    assert inside.level == "ok" and f"years after {proclaimed} are projections" in inside.message
    beyond = check_holidays(None, dt.date(2026, 11, 30), dt.date(proclaimed + 1, 1, 4))
    assert beyond.level == "warn"
    assert "projections" in beyond.message and "one-off" in beyond.message
    assert "extra_holidays" in beyond.fix


def test_example_identity_and_orphaned_drafts_are_flagged(project):
    """Issue 12: the example's placeholders release nothing; orphans are never released."""
    project.edit_config('user = "test_requester_14"', 'user = "your_wdtk_user_name"')
    project.edit_config('contact = "foibot-tests@example.net"', 'contact = "campaigns@example.org"')
    project.run("draft", "social-media-misuse")
    project.edit_config('  "hmrc",\n', "")
    found = checks(project)
    assert found["WDTK user"]["level"] == "warn"
    assert "release nothing" in found["WDTK user"]["message"]
    assert found["WDTK contact"]["level"] == "warn"
    assert found["orphaned drafts"]["level"] == "warn"
    assert "smm-6" in found["orphaned drafts"]["message"]
    assert "--prune" in found["orphaned drafts"]["fix"]


def test_an_empty_contact_and_the_placeholder_name_init_writes_are_flagged(project):
    """`init` without a terminal writes contact = "" and [requester] name = "Your Name":
    the User-Agent then names no way to reach you, and every letter is signed so."""
    assert "requester" not in checks(project)
    project.edit_config('contact = "foibot-tests@example.net"', 'contact = ""')
    project.edit_config('name = "Alex Example"', 'name = "Your Name"')
    found = checks(project)
    assert found["WDTK contact"]["level"] == "warn" and "empty" in found["WDTK contact"]["message"]
    assert found["requester"]["level"] == "warn"
    assert "every letter is signed with it" in found["requester"]["message"]


def test_doctor_says_what_the_poll_schedule_has_learnt(project, replica):
    """Ten replies from the Home Office at 20:00, each classified half an hour later: the
    body is polled to 20:00, and the account classifies the same day."""
    wdtk = released_project(project, replica)
    learnt = checks(wdtk, "--as-of", "2026-03-02T11:00")["poll schedule learnt"]
    assert learnt["message"] == "nothing yet: no requests on WDTK"
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    user = row(wdtk, "smm-1")["wdtk_user"]
    learnt = checks(wdtk, "--as-of", "2026-03-02T12:05")["poll schedule learnt"]
    assert learnt["message"] == (
        f"bodies polled beyond office hours: none; classifies replies the same day: {user} not known yet"
    )
    for day in ["03", "04", "05", "06", "09", "10", "11", "12", "13", "16"]:
        replica.add_event(5001, event(None, "response", f"2026-03-{day}T20:00:00+00:00"))
        replica.add_event(5001, event(None, "status_update", f"2026-03-{day}T20:30:00+00:00",
                                      described_state="waiting_response"))  # fmt: skip
    wdtk.run("poll", "--all", "--as-of", "2026-03-17T12:00")
    learnt = checks(wdtk, "--as-of", "2026-03-17T12:05")["poll schedule learnt"]
    assert (learnt["level"], learnt["message"]) == ("ok", (
        "bodies polled beyond office hours: 1: home_office 09:00-20:00; "
        f"classifies replies the same day: {user} yes"
    ))  # fmt: skip
