"""`foibot status` without click (bot/cli/plain_status.py): for every command line it
takes, the same output, errors and exit code as click's way; any other it leaves to click.

Each case runs foibot twice in fresh interpreters: `python -m bot` (bot.cli.main, which
takes the plain way where it can) and the click group called directly."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import deadlines as dl
from bot.cli.output import RICH_MAX_ROWS
from bot.cli.plain_status import plain_args
from bot.store.db import Store
from tests.conftest import Project
from tests.test_status_query import build

CLICK = "import sys; from bot.cli.group import cli; cli(sys.argv[1:], prog_name='foibot')"


def _run(args: list[str], cwd: Path, *, plain: bool, env: dict | None = None):
    how = ["-m", "bot"] if plain else ["-c", CLICK]
    return subprocess.run(
        [sys.executable, *how, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def _same(args: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    plain = _run(args, cwd, plain=True, env=env)
    clicks = _run(args, cwd, plain=False, env=env)
    assert (plain.returncode, plain.stdout, plain.stderr) == (
        clicks.returncode, clicks.stdout, clicks.stderr,
    ), args  # fmt: skip
    return plain


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """A project folder with 400 hostile requests (control characters, non-ASCII, every
    state, law and group), so tables are the plain long kind."""
    root = tmp_path_factory.mktemp("plain")
    Project(root)
    build(root / "many.db", 400, seed=5)
    return root


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "-c", "c"],
        ["status", "--campaign=c", "--group", "g1"],
        ["status", "-g", "g2"],
        ["status", "--group=nobody"],  # unknown: exit 2 with a did-you-mean, from click
        ["status", "-c", "social-media-misus"],
        ["status", "--campaign", ""],
    ],
)
def test_the_plain_way_prints_what_click_prints(big: Path, args: list[str]) -> None:
    done = _same(["--config", "config.toml", "--db", "many.db", *args], big)
    if done.returncode == 0:  # a long plain table, or a screenful in rich's
        assert done.stdout.count("\n") > 100 and "c-1" in done.stdout


def test_a_screenful_and_an_empty_project_too(tmp_path: Path) -> None:
    project = Project(tmp_path)
    assert "No requests yet." in _same(["status"], tmp_path).stdout  # no database yet
    project.run("draft", "social-media-misuse")
    done = _same(["status"], tmp_path)
    assert done.stdout.endswith("\n7 draft\n")
    assert _same(["status", "-c", "social-media-misuse", "-g", "x"], tmp_path).returncode == 2


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--config", "missing.toml", "status"], None),
        (["--config", "", "status"], None),
        (["--config=", "--db", "", "status"], None),
        (["--config", "state", "status"], None),  # a directory
        (["--db", "state", "status"], None),
        (["status"], {"FOIBOT_CONFIG": "missing.toml"}),
        (["status"], {"FOIBOT_CONFIG": ""}),  # empty: the default, as click reads it
    ],
)
def test_bad_paths_read_the_same(tmp_path: Path, args: list[str], env: dict | None) -> None:
    project = Project(tmp_path)
    project.run("draft", "social-media-misuse")
    done = _same(args, tmp_path, env)
    assert done.returncode in (0, 2) and "Traceback" not in done.stderr


def test_a_database_to_make_is_left_to_the_click_way(tmp_path: Path) -> None:
    """An empty database file (as `touch` leaves it): the plain way hands over, as only
    the Store makes and migrates the schema, and the click way says there is nothing."""
    Project(tmp_path)
    (tmp_path / "empty.db").touch()
    done = _run(["--db", "empty.db", "status"], tmp_path, plain=True)
    assert done.returncode == 0 and done.stdout.startswith("No requests yet."), done
    assert _same(["--db", "empty.db", "status"], tmp_path).stdout == done.stdout


def _imported(args: list[str], cwd: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "bot", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}


def test_the_plain_way_is_taken_and_only_for_its_forms(big: Path) -> None:
    db = ["--config", "config.toml", "--db", "many.db"]
    assert "click" not in _imported([*db, "status"], big)
    assert "click" not in _imported([*db, "status", "-c", "c", "--group=g1"], big)
    assert "click" in _imported([*db, "status", "--json"], big)
    assert "click" in _imported([*db, "status", "--as-of", "2026-11-22"], big)


def test_the_plain_way_makes_no_dataclass(tmp_path: Path) -> None:
    # The config and deadline records are NamedTuples, and a request's stage is a column
    # the database keeps: importing dataclasses (and inspect, which it imports) and making
    # the classes with it was a sixth of `foibot status`. (A screenful is drawn by rich,
    # which imports dataclasses: the requests here make a long table.)
    project = Project(tmp_path)
    store = Store(project.db)
    sent = dt.date.today() - dt.timedelta(days=60)
    with store.transaction():
        conn = store.db.conn
        conn.execute("INSERT INTO campaigns (slug, ref_prefix, created_at) VALUES ('c', 'c', ?)",
                     [sent.isoformat()])  # fmt: skip
        for i in range(RICH_MAX_ROWS + 1):
            ref, law = f"c-{i}", ("foi", "foisa")[i % 2]
            due = dl.calendar_for(law).add_working_days(sent, 20)
            conn.execute(
                "INSERT INTO requests (ref, campaign, title, law, status, sent_on, due, "
                "created_at, updated_at) VALUES (?, 'c', 'Fleet', ?, 'waiting_response', ?, ?, ?, ?)",
                [ref, law, sent.isoformat(), due.isoformat(), sent.isoformat(), sent.isoformat()],
            )
            conn.execute(
                "INSERT INTO followups (ref, request, kind, cycle, status, created_at) "
                "VALUES (?, ?, 'chaser', '1', 'draft', ?)",
                [f"{ref}-c1", ref, due.isoformat()],
            )
    store.close()
    loaded = _imported(["status"], tmp_path)
    assert {"bot.config", "bot.deadlines"} <= loaded
    assert not {"dataclasses", "inspect", "click"} & loaded
    assert _same(["status"], tmp_path).stdout.count("chaser draft") == RICH_MAX_ROWS + 1


def test_the_forms_it_takes() -> None:
    assert plain_args(["status"]) == {}
    assert plain_args(["--config", "a.toml", "--db=b.db", "status", "-c", "x", "--group=y"]) == {
        "config": "a.toml", "db": "b.db", "campaign": "x", "group": "y",
    }  # fmt: skip
    assert plain_args(["status", "--campaign", ""]) == {"campaign": ""}
    for args in (
        [], ["overdue"], ["status", "--json"], ["--json", "status"], ["--debug", "status"],
        ["status", "-c"], ["status", "-c", "a", "-c", "b"], ["status", "-c", "-g"],
        ["status", "-c=x"], ["status", "--help"], ["status", "extra"], ["status", "status"],
        ["--config", "status"], ["-c", "x", "status"], ["status", "--config", "x"],
        ["status", "--as-of", "2026-01-01"], ["--version", "status"],
    ):
        assert plain_args(args) is None, args


def test_a_full_disk_while_writing_reads_the_same(big: Path) -> None:
    """stdout on /dev/full: the table cannot be written, and the error is one line."""
    args = ["--config", "config.toml", "--db", "many.db", "status"]
    with open("/dev/full", "w") as full:
        ways = [
            subprocess.run([sys.executable, *how, *args], cwd=big, stdout=full, text=True,
                           stderr=subprocess.PIPE, timeout=120)
            for how in (["-m", "bot"], ["-c", CLICK])
        ]  # fmt: skip
    plain, clicks = ways
    assert plain.stderr == clicks.stderr and plain.returncode == clicks.returncode == 1
    assert plain.stderr == "Error: disk full while writing: free some space and run it again\n"
