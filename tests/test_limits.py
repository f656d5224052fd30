"""Hard time limits (issue 14, point 3): a WDTK that dribbles its answer a byte a second
cannot hold a command past [wdtk] timeout_s, and SIGTERM ends `track`, `poll` and
`run --once` within seconds, even mid-call or in a Retry-After wait.

The replica on 127.0.0.1 does the dribbling (tests/wdtk_replica.py `dribble`); the tests
learn that a client is mid-call from the replica (`wait_for_hit`), never by sleeping.
Elapsed times are measured, with margins wide enough for a loaded machine.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from bot.config import WdtkConfig
from bot.errors import Interrupted
from bot.run.lock import RunLock
from bot.wdtk.client import WdtkClient
from tests.wdtk_replica import HOME_OFFICE, dribble, make_request_doc, rate_limited

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLUG = "social_media_policy"
# When the request tracked "now" is due its next poll.
LATER = (dt.datetime.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def wdtk(replica):
    replica.add_request(make_request_doc(101, "Social media policy", body=HOME_OFFICE))
    return replica


def point_at(project, replica, timeout_s: float) -> None:
    project.edit_config(
        'base_url = "https://www.whatdotheyknow.com"',
        f'base_url = "{replica.base_url}"\ntimeout_s = {timeout_s}\nbackoff_s = 0.05',
    )
    project.edit_config("min_interval_s = 3.0", "min_interval_s = 0")


def start(project, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(project.config), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen, timeout: float = 30) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"still running after {timeout} s")
    return proc.returncode, out, err


def bounded(call, limit_s: float = 10):
    """Run `call` on a thread: a client that hangs fails the test instead of hanging it."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit_s)
    assert not thread.is_alive(), f"the call was still running after {limit_s} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# --- the whole-response deadline ----------------------------------------------------------


@pytest.mark.parametrize("where", ["/robots.txt", "/request/101.json"])
def test_track_against_a_dribbling_server_ends_at_its_deadline(project, wdtk, where):
    point_at(project, wdtk, timeout_s=3)
    wdtk.fail(where, *[dribble(1.0)] * 5)  # enough for every retry, were there any
    began = time.monotonic()
    code, out, err = finish(start(project, "track", "/request/101"))
    elapsed = time.monotonic() - began
    assert code == 1, (out, err)
    assert "timed out: no complete answer within 3 s ([wdtk] timeout_s)" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert 2.5 < elapsed < 10, elapsed  # 3 s and the interpreter's start, not 4 tries × 3 s
    assert wdtk.hit_paths(where) == [where]  # a call that ran out of time is not retried


def test_the_deadline_covers_status_line_headers_and_body(wdtk):
    """In-process, to time the call alone: the dribble starts at the status line, so the
    client never even gets headers, and each read gets a byte well within its timeout."""
    config = WdtkConfig(base_url=wdtk.base_url, contact="t@example.org", min_interval_s=0,
                        timeout_s=1.0, respect_robots=False)  # fmt: skip
    wdtk.fail(f"/request/{SLUG}.json", dribble(0.2))
    with WdtkClient(config) as client:
        began = time.monotonic()
        result = bounded(lambda: client.fetch_request(SLUG))
        elapsed = time.monotonic() - began
    assert result.kind == "error" and result.message.startswith("timed out"), result
    assert 0.9 < elapsed < 3.0, elapsed
    assert wdtk.hit_paths("/request/") == [f"/request/{SLUG}.json"]


def test_a_stop_cuts_a_call_in_flight(wdtk):
    config = WdtkConfig(base_url=wdtk.base_url, contact="t@example.org", min_interval_s=0,
                        timeout_s=60, respect_robots=False)  # fmt: skip
    wdtk.fail(f"/request/{SLUG}.json", dribble(1.0))
    stop = threading.Event()
    stopper = threading.Thread(
        target=lambda: wdtk.wait_for_hit(f"/request/{SLUG}") and stop.set(), daemon=True
    )
    stopper.start()
    with WdtkClient(config, stop=stop) as client:
        began = time.monotonic()
        with pytest.raises(Interrupted):
            bounded(lambda: client.fetch_request(SLUG))
        assert time.monotonic() - began < 3
        # Once stopped, every call ends at once, without touching the network.
        calls = client.http_calls
        with pytest.raises(Interrupted):
            client.fetch_request(SLUG)
        assert client.http_calls == calls


# --- SIGTERM ------------------------------------------------------------------------------


def tracked(project, replica):
    point_at(project, replica, timeout_s=60)
    project.run("track", "/request/101")


@pytest.mark.parametrize(
    "args",
    [("track", "/request/101"), ("poll", "--all"), ("run", "--once", "--as-of", LATER)],
    ids=["track", "poll", "run --once"],
)
def test_sigterm_mid_call_ends_the_command_within_seconds(project, wdtk, args):
    if args[0] == "track":
        point_at(project, wdtk, timeout_s=60)
        wdtk.fail("/request/101.json", dribble(1.0))
        watched = "/request/101.json"
    else:
        tracked(project, wdtk)
        wdtk.hits.clear()
        wdtk.fail(101, dribble(1.0))
        watched = f"/request/{SLUG}"
    proc = start(project, *args)
    assert wdtk.wait_for_hit(watched), "the command never called WDTK"
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code, out, err = finish(proc)
    assert time.monotonic() - began < 4
    assert code == 1, (out, err)
    assert "Stopped" in err and "Traceback" not in err, err
    # The lock went with the process: the next command runs.
    lock = RunLock(project.db)
    lock.acquire()
    lock.release()


def test_sigterm_ends_a_retry_after_wait(project, wdtk):
    """WDTK's 429 asks for 30 s (within max_sleep_s, so the client would wait): SIGTERM
    must not have to wait for it."""
    tracked(project, wdtk)
    wdtk.hits.clear()
    wdtk.fail(101, rate_limited(30), rate_limited(30))
    proc = start(project, "poll", "--all")
    assert wdtk.wait_for_hit(f"/request/{SLUG}")
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code, out, err = finish(proc)
    assert time.monotonic() - began < 4, (out, err)
    assert code == 1 and "Stopped" in err and "Traceback" not in err, err
