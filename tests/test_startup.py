"""Commands load lazily: each imports only what it uses."""

from __future__ import annotations

from pathlib import Path

from bot.store.db import Store


def test_the_command_table_names_every_command_and_its_summary() -> None:
    import importlib
    import pkgutil

    import click

    import bot.cli
    from bot.cli import COMMANDS

    defined: dict[str, tuple[str, str]] = {}
    for info in pkgutil.iter_modules(bot.cli.__path__, "bot.cli."):
        module = importlib.import_module(info.name)
        for command in getattr(module, "COMMANDS", ()):
            assert isinstance(command, click.Command)
            defined[command.name] = (info.name, command.get_short_help_str(limit=300))
    assert defined == COMMANDS


# What a command loaded, from a fresh interpreter (foibot's own modules and a few heavy
# third-party ones): a lazy import that turns eager shows up here.
_LOADED = """
import sys
from bot.cli import cli
try:
    cli(sys.argv[1:], prog_name="foibot")
except SystemExit as exc:
    assert not exc.code, exc.code
heavy = ("sqlite_utils", "jinja2", "requests", "apscheduler", "smtplib", "rich", "holidays")
loaded = sorted(m for m in sys.modules if m.startswith("bot.cli.") or m in heavy)
print("loaded:", *loaded, file=sys.stderr)
"""


def _loaded(*args: str, cwd: Path) -> set[str]:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _LOADED, *args], cwd=cwd, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return set(done.stderr.rsplit("loaded:", 1)[1].split())


# The group and the plumbing every command gets (bot/cli/app.py and the click-free
# modules it is built on).
_GROUP = {"bot.cli.app", "bot.cli.failures", "bot.cli.group", "bot.cli.output", "bot.cli.settings"}


def test_help_imports_no_command_module(tmp_path: Path) -> None:
    assert _loaded("--help", cwd=tmp_path) == _GROUP


def test_read_only_commands_import_only_what_they_use(tmp_path: Path) -> None:
    from tests.conftest import Project

    project = Project(tmp_path)
    project.run("draft", "social-media-misuse")  # a current database with requests in it
    config = ["--config", str(project.config)]
    names = _GROUP | {"bot.cli.status", "bot.cli.status_table", "bot.cli.names", "sqlite_utils"}
    _loaded(*config, "status", "--json", cwd=tmp_path)  # a cold holiday cache imports holidays
    for command in (["status", "--json"], ["overdue", "--json"]):
        assert _loaded(*config, *command, cwd=tmp_path) == names, command
    # A screenful is a rich table (a long listing is plain text).
    assert _loaded(*config, "status", cwd=tmp_path) == names | {"rich"}
    assert _loaded(*config, "deadline", "2026-01-05", "--json", cwd=tmp_path) == _GROUP | {
        "bot.cli.deadline"
    }  # fmt: skip
    ref = project.json("status")[0]["ref"]
    # (bot.cli.names, the did-you-mean, only for an unknown ref.)
    assert _loaded(*config, "show", ref, "--json", cwd=tmp_path) == (
        names - {"bot.cli.names"} | {"bot.cli.show_request"}
    )


def test_apscheduler_loads_without_asyncio_and_asyncio_stays_real() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from bot.triggers import load_apscheduler, trigger_for\n"
        "load_apscheduler()\n"
        "from apscheduler.schedulers.background import BackgroundScheduler\n"
        "trigger_for('0 8 * * *'); trigger_for('every 5 minutes')\n"
        "assert 'asyncio' not in sys.modules\n"
        "import asyncio\n"
        "assert asyncio.run(asyncio.sleep(0, 'real')) == 'real'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_an_idle_daemon_pass_loads_no_http_templates_or_mail(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import Project

    project = Project(tmp_path)
    Store(project.db).close()  # nothing to release, poll or send
    code = (
        "import sys\n"
        "from bot.config import load_config\n"
        "from bot.run.daemon import Daemon\n"
        f"config = load_config({str(project.config)!r})\n"
        "Daemon(config, config.db_path).job('poll', release=True, poll=True, digest=None)\n"
        "heavy = ('requests', 'urllib3', 'jinja2', 'smtplib', 'holidays', 'asyncio')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []
