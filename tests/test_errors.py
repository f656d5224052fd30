"""Errors, never tracebacks (issue 14, points 5 and 6): each failure the red team found
ends in one line that says what happened and what to do, exit 1 or 2; the run lock keeps
every command that writes in bulk or calls WDTK to one process at a time.

Real conditions, not mocks: another process holding the database's write lock, a file-size
limit (RLIMIT_FSIZE) for a full disk, an immutable database file (chattr +i) for a
read-only one.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from bot.run.lock import RunLock
from bot.store.db import Store, StoreError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = "templates/letters/social_media_misuse.txt.j2"


def foibot(project, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(project.config), *args],
        cwd=REPO, capture_output=True, text=True, timeout=60, **kwargs,
    )  # fmt: skip


def one_line(result) -> str:
    """The error output: exactly one line, and no traceback."""
    err = result.stderr if hasattr(result, "stderr") else result.output
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def drafted(project):
    project.edit_config("[storage]", "[storage]\nbusy_timeout_s = 0.2")
    project.run("draft", "social-media-misuse")
    return project


# --- a database locked by another process ---------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    from bot.run.lock import RunLock
    db, take_run_lock = sys.argv[1], sys.argv[2] == "yes"
    if take_run_lock:
        RunLock(db).acquire()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("holding", flush=True)
    sys.stdin.read()
    """
)


@pytest.fixture
def holder(drafted):
    procs = []

    def hold(run_lock: bool) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(drafted.db), "yes" if run_lock else "no"],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        procs.append(proc)
        assert proc.stdout.readline().strip() == "holding"
        return proc

    yield hold
    for proc in procs:
        proc.communicate("", timeout=10)


def test_launch_with_the_database_held_by_another_writer(drafted, holder):
    holder(run_lock=False)  # e.g. sqlite3 on the command line, or a `draft` mid-write
    before = drafted.dump()
    result = drafted.run("launch", "social-media-misuse", "--as-of", "2026-12-01T09:10", expect=1)
    line = one_line(result)
    assert line.startswith("Error: the database is locked by another process: "), line
    assert "nothing was changed" in line
    assert drafted.dump() == before


def test_a_locked_database_names_the_pid_from_the_lock_file(drafted, holder):
    proc = holder(run_lock=True)  # a foibot pass: it holds the run lock too
    result = foibot(drafted, "draft", "social-media-misuse", "--as-of", "2026-12-02")
    assert result.returncode == 1, result
    line = one_line(result)
    assert f"the database is locked by another process (pid {proc.pid})" in line, line


# --- the run lock -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("poll",),
        ("launch", "social-media-misuse"),
        ("track", "/request/101"),
        ("link", "smm-1", "/request/101"),
    ],
    ids=["poll", "launch", "track", "link"],
)
def test_commands_that_write_or_call_wdtk_take_the_run_lock(drafted, args):
    lock = RunLock(drafted.db)
    lock.acquire()
    try:
        result = drafted.run(*args, expect=1)
    finally:
        lock.release()
    line = one_line(result)
    assert line == (
        f"Error: another run is in progress (pid {os.getpid()}); "
        "nothing done (try again later, or add --wait)"
    )


def test_run_once_from_cron_exits_0_when_a_pass_is_running(drafted):
    lock = RunLock(drafted.db)
    lock.acquire()
    try:
        result = drafted.run("run", "--once")
    finally:
        lock.release()
    assert result.stdout.strip() == f"another run is in progress (pid {os.getpid()}); nothing done"


# --- a full disk, a read-only file ----------------------------------------------------------


def file_size_limit(limit: int):
    def apply() -> None:
        # Writes past the limit then fail with EFBIG instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_disk_full_while_drafting_changes_nothing(project):
    project.run("status")  # the database exists and is migrated; the WAL is empty
    before = project.dump()
    result = foibot(project, "draft", "social-media-misuse", preexec_fn=file_size_limit(8192))
    assert result.returncode == 1, result
    line = one_line(result)
    assert line.startswith(f"Error: disk full while writing {project.db}"), line
    assert line.endswith(
        "the change being written was undone; free some space and run the command again"
    )
    assert project.dump() == before


@pytest.mark.parametrize("room", [0, 1])  # no byte of the pid (EFBIG), or only one
def test_the_run_lock_is_taken_and_given_back_on_a_disk_that_takes_no_pid(tmp_path, room):
    """The pid written into the lock file is for people; on a full disk it cannot be
    written. The lock must still be taken and given back: an error there once left a
    daemon holding it for good, so that no pass ran again."""
    script = textwrap.dedent(f"""
        from bot.run.lock import RunLock, holder
        lock = RunLock({str(tmp_path / "foibot.db")!r})
        lock.acquire()
        lock.release()
        lock.acquire()
        print("taken again", holder({str(tmp_path / "foibot.db")!r}))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=60, preexec_fn=file_size_limit(room))  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "taken again None\n", "")


def test_a_full_database_is_reported_as_disk_full(tmp_path):
    store = Store(tmp_path / "foibot.db")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL at the next page
    with pytest.raises(StoreError) as caught, store.transaction():
        store.log_all(
            {"ref": f"x{i}", "kind": "note", "detail": {"x": "y" * 500}} for i in range(100)
        )
    assert str(caught.value) == (
        f"disk full while writing {store.path}: the change being written was undone; "
        "free some space and run the command again"
    )
    assert store.db.execute("SELECT count(*) FROM events").fetchone()[0] == 0


@pytest.mark.skipif(not shutil.which("chattr"), reason="needs chattr")
def test_a_read_only_database(drafted):
    if subprocess.run(["chattr", "+i", str(drafted.db)], capture_output=True).returncode:
        pytest.skip("this filesystem has no immutable flag")
    try:
        result = drafted.run("draft", "social-media-misuse", "--as-of", "2026-12-02", expect=1)
    finally:
        subprocess.run(["chattr", "-i", str(drafted.db)], check=True)
    line = one_line(result)
    assert line.startswith(f"Error: the database {drafted.db} is read-only"), line


def test_a_database_on_a_read_only_disk_is_called_read_only(drafted, tmp_path):
    """On a read-only mount a WAL database cannot be opened at all (its -shm file cannot
    be made), and SQLite says only "unable to open database file": the one line says
    read-only, not "check the path", and the database is untouched."""
    mounted = tmp_path / "ro"
    mounted.mkdir()
    folder = drafted.db.parent
    if subprocess.run(
        ["mount", "--bind", str(folder), str(mounted)], capture_output=True
    ).returncode:
        pytest.skip("needs a bind mount (root, and a kernel that allows it)")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mounted)], check=True)
        db = mounted / drafted.db.name
        result = foibot(drafted, "--db", str(db), "status")
    finally:
        subprocess.run(["umount", str(mounted)], check=True)
    assert result.returncode == 1, result
    line = one_line(result)
    assert line.startswith(f"Error: the database {db} is read-only"), line


# --- bad input on the command line or in config --------------------------------------------


def test_as_of_beyond_what_dates_can_hold(drafted):
    result = drafted.run("run", "--once", "--as-of", "9999-12-31T23:59", expect=2)
    assert "'9999-12-31T23:59' is out of range (1900-01-01 to 2999-12-31)" in result.stderr
    assert "Traceback" not in result.stderr


def test_daemon_log_file_in_a_missing_folder(project):
    result = project.run("daemon", "--log-file", "/missing/dir/log", expect=2)
    assert one_line(result) == (
        "Error: --log-file /missing/dir/log: cannot open it: No such file or directory"
    )


def test_a_template_asking_for_a_huge_range(project):
    letter = project.root / TEMPLATE
    letter.write_text(letter.read_text() + "{% for i in range(10**8) %}.{% endfor %}\n")
    result = project.run("draft", "social-media-misuse", expect=2)
    line = one_line(result)
    assert line.startswith(f"Error: {TEMPLATE}:"), line
    assert "range() of 100000000 items" in line


def test_a_template_repeating_a_string_a_billion_times(project):
    letter = project.root / TEMPLATE
    letter.write_text(letter.read_text() + '{{ "x" * 10**9 }}\n')
    line = one_line(project.run("draft", "social-media-misuse", expect=2))
    assert "too big" in line and TEMPLATE in line, line


def test_a_5000_deep_toml_array(project):
    project.config.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    line = one_line(project.run("status", expect=2))
    assert line == "Error: config.toml: invalid TOML: arrays or tables nested too deeply"


def test_storage_path_with_a_300_character_name(project):
    project.edit_config('path = "state/foibot.db"', f'path = "state/{"d" * 300}.db"')
    line = one_line(project.run("status", expect=2))
    assert line.startswith("Error: config.toml: storage.path: a file or folder name may be at most")


def test_storage_path_under_a_file(project):
    project.edit_config('path = "state/foibot.db"', 'path = "config.toml/state/foibot.db"')
    line = one_line(project.run("status", expect=1))
    assert line.startswith(f"Error: cannot create the database {project.root}/config.toml/"), line


# --- the last resort ----------------------------------------------------------------------


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(drafted, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("a bug nobody foresaw")

    monkeypatch.setattr("bot.cli.status._rows", broken)
    line = one_line(drafted.run("status", expect=1))
    assert line == (
        "Error: unexpected KeyError: 'a bug nobody foresaw' "
        "(run again with --debug for the traceback, and please report it)"
    )
    result = drafted.run("--debug", "status", expect=1)
    assert isinstance(result.exception, KeyError)


def test_a_stray_sqlite_error_outside_a_transaction_is_explained(drafted, monkeypatch):
    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr("bot.cli.names.campaign_names", locked)
    line = one_line(drafted.run("status", "--campaign", "social-media-misuse", expect=1))
    assert line.startswith("Error: the database is locked by another process: "), line


# --- unknown campaigns: exit 2 everywhere, with a suggestion ---------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--campaign", "social-media-misus"),
        ("overdue", "--campaign", "social-media-misus"),
        ("poll", "--campaign", "social-media-misus"),
        ("draft", "social-media-misus"),
        ("launch", "social-media-misus"),
        ("followups", "social-media-misus", "--kind", "chaser"),
        ("report", "social-media-misus"),
    ],
    ids=lambda args: args[0],
)
def test_unknown_campaign_is_exit_2_with_a_suggestion(drafted, args):
    line = one_line(drafted.run(*args, expect=2))
    assert "campaign 'social-media-misus'" in line, line
    assert "did you mean 'social-media-misuse'?" in line, line


@pytest.mark.parametrize(
    "args", [["status"], ["status", "--json"], ["overdue"], ["deadline", "2026-12-22"], ["--help"]]
)
def test_a_reader_that_goes_away_is_no_error(drafted, args):
    """`foibot status | head`: the pipe's reader has gone before foibot writes. That is
    no failure to report (and no traceback), and the database is as it was."""
    before = drafted.dump()
    read, write = os.pipe()
    os.close(read)  # every write to the pipe now fails with EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "--config", str(drafted.config), *args],
            stdout=write, stderr=subprocess.PIPE, text=True, timeout=120, cwd=drafted.root,
            env={**os.environ, "COLUMNS": "100"},
        )  # fmt: skip
    finally:
        os.close(write)
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert drafted.dump() == before


def test_a_reply_the_disk_cannot_hold_is_not_reported_as_stored(project, replica):
    """A poll writes one transaction per request: when a reply cannot be written, the
    pass stops with that request named (exit 1), and does not report the reply or status
    change it undid; the full disk is no fault of the request, so no failed poll is
    counted against it."""
    from tests.support import released_project, sent_request
    from tests.wdtk_replica import event

    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    wdtk.run("status")  # checkpointed: the WAL starts empty
    replica.add_event(5001, event(None, "response", "2026-03-20T09:00:00+00:00",
                                  text="A long answer. " * 40_000))  # fmt: skip
    limit = os.path.getsize(project.db) + 64 * 1024  # room for the small writes, not 600 KB
    result = foibot(project, "poll", "--all", "--as-of", "2026-03-20T12:00",
                    preexec_fn=file_size_limit(limit))  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result
    assert "smm-1: disk full while writing" in result.stdout + result.stderr, result
    assert "new response: smm-1" not in result.stdout, result.stdout
    assert "waiting_classification" not in result.stdout, result.stdout
    from tests.support import row

    assert (row(wdtk, "smm-1")["poll_failures"] or 0) == 0


def test_ctrl_c_in_a_command_without_its_own_stop_says_what_was_kept(project, monkeypatch):
    """Ctrl-C mid-`draft` (or `bodies import`): the transaction is rolled back, and the
    command says so in foibot's words, not click's bare "Aborted!"."""
    import bot.campaigns.service as service

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(service, "plan_drafts", interrupted)
    result = project.run("draft", "social-media-misuse", expect=1)
    assert result.stderr == (
        "Stopped: interrupted (Ctrl-C). What was finished is saved; the next run carries on.\n"
    )
    assert project.json("status") == []


def test_a_full_disk_with_no_file_named_names_the_database_folder(tmp_path):
    """ENOSPC from a write to a descriptor carries no file name: the line still says which
    disk to free, the one foibot writes beside its database."""
    import errno

    from bot.cli.failures import explain
    from bot.cli.settings import Settings

    settings = Settings("config.toml", str(tmp_path / "state" / "foibot.db"), False)
    said = explain(OSError(errno.ENOSPC, "No space left on device"), settings)
    assert str(said) == (
        f"disk full while writing (foibot's database is in {tmp_path / 'state'}): "
        "free some space and run it again"
    )
