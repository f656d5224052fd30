"""Helpers shared by several test files: projects released against the replica, database
checks, fake time, and waiting on a condition instead of on the wall clock.

Fixtures live in conftest.py; plain functions and classes live here, so no test file
imports another.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import sqlite3
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from hypothesis import settings

from tests.wdtk_replica import HOME_OFFICE, WdtkReplica, event, make_request_doc

# --- Hypothesis -----------------------------------------------------------------------

QUICK_PROFILE = "quick"  # registered in conftest.py: max_examples 20, a fifth of the default
DEFAULT_EXAMPLES = 100  # Hypothesis's own default max_examples


def examples(n: int) -> int:
    """The example budget for a property whose full budget is n, scaled to the loaded
    Hypothesis profile: n by default, a fifth of n under `quick` (which conftest.py loads
    for `pytest -m "not slow"`)."""
    return max(10, n * settings.default.max_examples // DEFAULT_EXAMPLES)


# --- projects on the replica ----------------------------------------------------------


_RELEASED: dict[str, Path] = {}  # config text (base_url blanked) -> its state/ after release
_CACHE = Path(tempfile.mkdtemp(prefix="foibot-tests-released-"))
atexit.register(shutil.rmtree, _CACHE, True)


def released_project(project, replica, title: str | None = None):
    """The example project pointed at the replica, released on 2 March 2026.

    The draft and the two launches run for real the first time a session asks for a
    given config; later calls copy the state/ folder they left (the database, and the
    launch sheet with the replica's address swapped in) instead of running them again.
    """
    if title:
        project.edit_config(
            'title = "{{ body.short_name }}: staff disciplined for social media misuse"',
            f'title = "{title}"',
        )
    project.edit_config(
        'base_url = "https://www.whatdotheyknow.com"',
        f'base_url = "{replica.base_url}"\nbackoff_s = 0.05',
    )
    project.edit_config("min_interval_s = 3.0", "min_interval_s = 0")
    project.edit_config("launch_at = 2026-12-01T09:00:00", "launch_at = 2026-03-02T09:00:00")
    key = project.config.read_text().replace(replica.base_url, "{base_url}")
    state = project.db.parent
    if key in _RELEASED:
        shutil.copytree(_RELEASED[key], state, dirs_exist_ok=True)
        for sheet in state.glob("*.html"):
            sheet.write_text(sheet.read_text().replace("{base_url}", replica.base_url))
        return project
    project.run("draft", "social-media-misuse")
    project.run("launch", "social-media-misuse", "--as-of", "2026-03-02T09:10")  # smm-1 now
    project.run("launch", "social-media-misuse", "--as-of", "2026-03-02T09:12")  # smm-2 at 09:11
    saved = _CACHE / str(len(_RELEASED))
    shutil.copytree(state, saved)
    for sheet in saved.glob("*.html"):
        sheet.write_text(sheet.read_text().replace(replica.base_url, "{base_url}"))
    _RELEASED[key] = saved
    return project


def sent_request(
    project, replica, wdtk_id, ref, *, body=HOME_OFFICE, sent_at="2026-03-02T10:15:00+00:00"
):
    """The request `ref` as WDTK shows it once a person has pressed send: tagged, one
    `sent` event."""
    title = project.json("show", ref)["title"]
    doc = make_request_doc(
        wdtk_id,
        title,
        body=body,
        tags=[("foibot", ref)],
        sent_at=sent_at,
        events=[event(wdtk_id * 100, "sent", sent_at)],
    )
    replica.add_request(doc)
    return doc


# --- a working folder driven through the CLI ---------------------------------------------


class Folder:
    """A working folder (an empty one, or one `init --tracking-only` made), driven through
    the CLI as a user would."""

    def __init__(self, root: Path):
        self.root, self.config = root, root / "config.toml"
        self.db = root / "state" / "foibot.db"

    def run(self, *args: str, expect: int | None = 0, input: str | None = None):
        from click.testing import CliRunner

        from bot.cli import cli

        result = CliRunner().invoke(cli, ["--config", str(self.config), *args], input=input)
        if expect is not None:
            assert result.exit_code == expect, (
                f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}\n"
                f"{result.exception!r}"
            )
        return result

    def json(self, *args: str, **kw):
        return json.loads(self.run(*args, "--json", **kw).stdout)

    def query(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql, params).fetchall()

    def rows(self) -> dict[str, dict]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        return {r["ref"]: dict(r) for r in conn.execute("SELECT * FROM requests")}


def track_into_campaign(project, replica, doc) -> str:
    """Put `doc` on the replica and track it into the example campaign on Mon 2 Mar 2026."""
    replica.add_request(doc)
    project.run(
        "track", f"/request/{doc['id']}", "--campaign", "social-media-misuse",
        "--as-of", "2026-03-02T12:00",
    )  # fmt: skip
    return f"wdtk-{doc['id']}"


def drafted(project, kind, day):
    """`followups social-media-misuse --kind KIND --as-of DAY`, as JSON."""
    return project.json("followups", "social-media-misuse", "--kind", kind, "--as-of", day)


def row(project, ref):
    conn = sqlite3.connect(project.db)
    conn.row_factory = sqlite3.Row
    return dict(conn.execute("SELECT * FROM requests WHERE ref = ?", [ref]).fetchone())


def ignore_resets(replica: WdtkReplica) -> None:
    """Silence the replica's traceback for a connection reset by a client: where clients
    are killed mid-call on purpose, that traceback is noise."""
    replica._server.handle_error = lambda request, client_address: None


# --- database checks ------------------------------------------------------------------


def connect(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn


def check_consistent(db: Path) -> None:
    """What must hold after any kill or race, whatever the commands were doing."""
    conn = connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall()[0][0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        dup_drafts = conn.execute(
            "SELECT campaign, body, count(*) FROM requests WHERE campaign IS NOT NULL "
            "AND drafted = 1 GROUP BY campaign, body HAVING count(*) > 1"
        ).fetchall()
        assert dup_drafts == []
        dup_events = conn.execute(
            "SELECT ref, wdtk_event_id, count(*) FROM events WHERE wdtk_event_id IS NOT NULL "
            "GROUP BY ref, wdtk_event_id HAVING count(*) > 1"
        ).fetchall()
        assert dup_events == []
        dup_followups = conn.execute(
            "SELECT request, kind, cycle, count(*) FROM followups "
            "GROUP BY request, kind, cycle HAVING count(*) > 1"
        ).fetchall()
        assert dup_followups == []
        # foibot's own history: each of these happens at most once to a request.
        once = conn.execute(
            "SELECT ref, kind, count(*) FROM events WHERE kind IN "
            "('drafted', 'scheduled', 'released', 'linked') GROUP BY ref, kind HAVING count(*) > 1"
        ).fetchall()
        assert [tuple(r) for r in once] == []
        drafted = Counter(
            json.loads(r["detail"])["followup"]
            for r in conn.execute("SELECT detail FROM events WHERE kind = 'followup_drafted'")
        )
        assert [f for f, n in drafted.items() if n > 1] == []
        # Every follow-up has its history entry and vice versa: written in one transaction.
        followups = {r["ref"] for r in conn.execute("SELECT ref FROM followups")}
        assert set(drafted) == followups
    finally:
        conn.close()


# --- time and synchronisation ---------------------------------------------------------


class FakeTime:
    """A monotonic clock that only moves when someone sleeps, and a fixed wall clock.

    Hand its `sleep`, `clock` and `wall_clock` to a WdtkClient: waits are then recorded
    in `sleeps`, to be asserted, instead of being waited."""

    def __init__(self, wall: float = 1_775_000_000.0):
        self.now = 1000.0
        self.wall = wall
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall_clock(self) -> float:
        return self.wall

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Return as soon as condition() holds; fail naming `what` if it has not within
    timeout seconds. The timeout only bounds a hung test: nothing waits for it to pass."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def blocked_on_flock(pid: int, path: Path) -> bool:
    """Whether process `pid` is queued, blocked, for an flock on the file at `path`.

    Linux lists each blocked waiter in /proc/locks as `N: -> FLOCK ... <pid> <dev>:<inode> ...`.
    """
    inode = os.stat(path).st_ino
    with open("/proc/locks") as locks:
        for line in locks:
            fields = line.split()
            if "->" in fields and fields[fields.index("->") + 1] == "FLOCK":
                at = fields.index("->")
                lock_pid, where = fields[at + 4], fields[at + 5]
                if int(lock_pid) == pid and int(where.rsplit(":", 1)[1]) == inode:
                    return True
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


class Lines:
    """A subprocess's pipe read line by line in a thread, so a test can wait for a line
    to appear (and the pipe never fills up while nobody is reading)."""

    def __init__(self, pipe):
        self.lines: list[str] = []
        self.closed = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe) -> None:
        for line in pipe:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def wait_for(self, condition: Callable[[list[str]], bool], what: str, timeout=30.0) -> None:
        """Return once condition(lines so far) holds; fail naming `what` if the pipe
        closes first, or after timeout seconds (a bound for a hung test only)."""
        with self._changed:
            self._changed.wait_for(lambda: condition(self.lines) or self.closed, timeout)
            if not condition(self.lines):
                state = "the output ended" if self.closed else f"{timeout} s passed"
                raise AssertionError(f"{state} before {what}:\n{''.join(self.lines)}")

    def text(self, timeout: float = 30.0) -> str:
        """Everything, once the pipe has closed."""
        self._thread.join(timeout)
        return "".join(self.lines)


class WebhookReceiver:
    """A webhook on 127.0.0.1 that answers at once, keeping each JSON body; `on_post`, if
    given, is called as each POST arrives (before it is answered)."""

    def __init__(self, on_post: Callable[[], None] | None = None):
        from http.server import BaseHTTPRequestHandler, HTTPServer

        received: list[dict] = []
        self.received = received

        class Hook(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                if on_post is not None:
                    on_post()
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = HTTPServer(("127.0.0.1", 0), Hook)
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> WebhookReceiver:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
