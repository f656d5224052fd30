"""Shared test fixtures: a throwaway project directory with the example config."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from bot.cli import cli
from tests.support import QUICK_PROFILE

REPO = Path(__file__).resolve().parent.parent
REPLICA_USER = "test_requester_14"  # the url_name of the replica's default requester

settings.register_profile(QUICK_PROFILE, max_examples=20)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """`-m "not slow"` is the everyday run: properties get a fifth of their examples too,
    unless a --hypothesis-profile is named. A plain `pytest` (CI) keeps full budgets."""
    quick = "not slow" in (config.getoption("markexpr") or "")
    if quick and config.getoption("hypothesis_profile", None) is None:
        settings.load_profile(QUICK_PROFILE)


class Project:
    """A copy of the example project in a temporary directory, driven through the CLI."""

    def __init__(self, root: Path):
        self.root = root
        # As the README tells a user to: [wdtk] user names the account that sends, here the
        # replica's default requester, so requests it makes are this user's own.
        example = (REPO / "config.toml").read_text()
        (root / "config.toml").write_text(
            example.replace('user = "your_wdtk_user_name"', f'user = "{REPLICA_USER}"', 1).replace(
                'contact = "campaigns@example.org"', 'contact = "foibot-tests@example.net"', 1
            )
        )
        shutil.copytree(REPO / "templates" / "letters", root / "templates" / "letters")
        self.config = root / "config.toml"
        self.db = root / "state" / "foibot.db"

    def run(self, *args: str, expect: int | None = 0):
        result = CliRunner().invoke(cli, ["--config", str(self.config), *args])
        if expect is not None:
            assert result.exit_code == expect, (
                f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}\n"
                f"{result.exception!r}"
            )
        return result

    def json(self, *args: str):
        return json.loads(self.run(*args, "--json").stdout)

    def edit_config(self, old: str, new: str) -> None:
        text = self.config.read_text()
        assert old in text, old
        self.config.write_text(text.replace(old, new, 1))

    def dump(self) -> dict:
        """Every row of every table: to show that a failed command changed nothing."""
        if not self.db.exists():
            return {}
        conn = sqlite3.connect(self.db)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f"SELECT * FROM [{t}] ORDER BY 1").fetchall() for t in tables}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


@pytest.fixture
def replica():
    """The WDTK replica on 127.0.0.1, knowing the Home Office and Police Scotland."""
    from tests.wdtk_replica import HOME_OFFICE, POLICE_SCOTLAND, WdtkReplica

    with WdtkReplica() as server:
        server.add_body(HOME_OFFICE)
        server.add_body(POLICE_SCOTLAND)
        yield server


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Tests talk to servers on this machine only: a lookup of any other host fails the
    way a closed network would, and says which test tried."""
    import socket

    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in (None, "localhost", "::1", "") and not str(name).startswith("127."):
            raise socket.gaierror(socket.EAI_NONAME, f"test tried to reach {name}: loopback only")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def webhook():
    """A webhook receiver on 127.0.0.1 that answers at once: (its base URL, each body)."""
    from tests.support import WebhookReceiver

    with WebhookReceiver() as hook:
        yield hook.url, hook.received


@pytest.fixture
def twenty(project, replica):
    """Twenty tracked requests at the replica's pace (no interval, quick back-off), polled
    once on 2 March; all due again by 3 March noon."""
    from tests.support import released_project, sent_request
    from tests.wdtk_replica import HOME_OFFICE, make_request_doc

    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    for n in range(19):
        replica.add_request(
            make_request_doc(6000 + n, f"Budget request number {n}", body=HOME_OFFICE, tags=[])
        )
        wdtk.run("track", f"/request/{6000 + n}", "--as-of", "2026-03-02T12:00")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    return wdtk
