"""Output files stay what they were (issue 29, point 4): a regular file or a new path is
replaced whole; a FIFO or a character device is written in place and stays one; a
symbolic link is never replaced and never written through to a file (docs/commands.md);
a database path that is not a file is refused before SQLite or the run lock create
anything beside it.

Run as root here: the devices are clones made with mknod in the test's own folder, so a
regression replaces the clone, never the machine's /dev/null.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CAMPAIGN = "social-media-misuse"
NULL, FULL = os.makedev(1, 3), os.makedev(1, 7)


def one_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr and len(lines) == 1, result.stderr
    return lines[0]


def device(tmp_path: Path, name: str, dev: int) -> Path:
    path = tmp_path / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, dev)
    except PermissionError:
        pytest.skip("making a character device needs root")
    return path


def is_device(path: Path, dev: int) -> bool:
    st = os.lstat(path)
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == dev


@pytest.fixture
def drafted(project):
    project.run("draft", CAMPAIGN)
    return project


class FifoReader:
    """A reader on a FIFO, in a thread, reading until every writer has closed it. The test
    holds a write end of its own until the command has ended, so the reader sees the end of
    the file only then (a FIFO no writer has opened yet reads as empty) and never hangs when
    the command fails before opening it."""

    def __init__(self, path: Path):
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.ours = os.open(path, os.O_WRONLY)
        os.set_blocking(self.fd, True)
        self.chunks: list[bytes] = []
        # daemon: a test that fails before received() must not keep pytest from exiting.
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while chunk := os.read(self.fd, 65536):
            self.chunks.append(chunk)

    def received(self) -> bytes:
        os.close(self.ours)
        self.thread.join()
        os.close(self.fd)
        return b"".join(self.chunks)


# --- FIFOs and character devices -------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("report", CAMPAIGN, "--format", "csv", "-o"),
        ("results", CAMPAIGN, "--template", "-o"),
        ("results", CAMPAIGN, "--format", "markdown", "-o"),
        ("launch", CAMPAIGN, "--as-of", "2026-12-01T09:10", "--sheet"),
    ],
    ids=["report", "results-template", "results", "launch-sheet"],
)
def test_a_fifo_gets_the_output_and_stays_a_fifo(drafted, tmp_path, args):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    drafted.run(*args, str(fifo))
    data = reader.received().decode()
    assert ("smm-1" if args[0] != "results" else "Home Office") in data
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []


def test_more_than_a_pipe_holds_reaches_the_fifo_whole(tmp_path):
    """Past the pipe's 64 KiB the writer waits on the reader, and nothing is lost."""
    from bot.safe_files import write_atomic

    fifo = tmp_path / "big.fifo"
    os.mkfifo(fifo)
    data = bytes(range(256)) * 4096  # 1 MiB
    reader = FifoReader(fifo)
    write_atomic(fifo, data, what="report")
    assert reader.received() == data
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_character_device_is_written_in_place_and_stays_one(drafted, tmp_path):
    null = device(tmp_path, "null", NULL)
    result = drafted.run("report", CAMPAIGN, "-o", str(null))
    assert result.stdout.strip().endswith(f"to {null}")
    assert is_device(null, NULL)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".null")] == []


def test_dev_null_itself_stays_a_character_device(drafted, tmp_path):
    # The clone first: a regression must show there, never replace the machine's /dev/null.
    test_a_character_device_is_written_in_place_and_stays_one(drafted, tmp_path)
    before = os.lstat("/dev/null")
    drafted.run("report", CAMPAIGN, "-o", "/dev/null")
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (
        before.st_ino,
        before.st_rdev,
    )


def test_a_full_device_is_one_line_and_exit_1(drafted, tmp_path):
    full = device(tmp_path, "full", FULL)
    result = drafted.run("report", CAMPAIGN, "-o", str(full), expect=1)
    assert one_line(result) == (f"Error: {full}: cannot write the report: No space left on device")
    assert is_device(full, FULL)


def test_dev_stdout_reaches_a_pipe_and_is_refused_over_a_file(drafted, tmp_path):
    """/dev/stdout is a link (to /proc/self/fd/1): followed to a pipe. Redirected to a
    file, replacing that file would leave the shell's open file empty: refused instead."""
    cmd = [sys.executable, "-m", "bot", "--config", str(drafted.config)]
    cmd += ["report", CAMPAIGN, "--format", "csv", "-o", "/dev/stdout"]
    piped = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith("campaign,ref,") and "smm-1" in piped.stdout
    out = tmp_path / "out.csv"
    with out.open("w") as fh:
        to_file = subprocess.run(cmd, cwd=REPO, stdout=fh, stderr=subprocess.PIPE, text=True)
    assert to_file.returncode == 2
    assert one_line(to_file).startswith("Error: /dev/stdout is a symbolic link (to ")
    assert out.read_text() == ""


# --- regular files and symbolic links --------------------------------------------------------


def test_a_regular_file_is_replaced_whole_and_keeps_its_permissions(drafted, tmp_path):
    out = tmp_path / "report.csv"
    out.write_text("old report\n")
    out.chmod(0o640)
    drafted.run("report", CAMPAIGN, "-o", str(out))
    assert "smm-1" in out.read_text() and "old report" not in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


@pytest.mark.parametrize("to", ["victim", "dangling"])
def test_a_report_through_a_symlink_is_refused_and_the_link_kept(drafted, tmp_path, to):
    victim = tmp_path / to
    if to == "victim":
        victim.write_text("precious\n")
    link = tmp_path / "report.csv"
    os.symlink(victim, link)
    result = drafted.run("report", CAMPAIGN, "-o", str(link), expect=2)
    assert result.stderr.strip() == (
        f"Error: {link} is a symbolic link (to {victim}): foibot does not write through "
        "links; name the file itself, or remove the link"
    )
    assert link.is_symlink() and os.readlink(link) == str(victim)
    if to == "victim":
        assert victim.read_text() == "precious\n"
    else:
        assert not victim.exists()  # not created at the link's target either


def test_a_symlink_of_ones_own_to_a_fifo_is_followed(drafted, tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    link = tmp_path / "report.csv"
    os.symlink(fifo, link)
    reader = FifoReader(fifo)
    drafted.run("report", CAMPAIGN, "-o", str(link))
    assert "smm-1" in reader.received().decode()
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symlink_of_another_users_to_a_device_is_refused(drafted, tmp_path):
    null = device(tmp_path, "null", NULL)
    link = tmp_path / "report.csv"
    os.symlink(null, link)
    os.lchown(link, 65534, 65534)  # planted by nobody
    drafted.run("report", CAMPAIGN, "-o", str(link), expect=2)
    assert link.is_symlink() and is_device(null, NULL)


# --- the database, its lock and journal ------------------------------------------------------


@pytest.mark.parametrize("command", [("status",), ("poll",), ("report", CAMPAIGN)])
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_database_path_that_is_not_a_file_is_refused_and_nothing_made_beside_it(
    project, tmp_path, command, kind
):
    where = tmp_path / "dev"
    where.mkdir()
    if kind == "fifo":
        db = where / "db"
        os.mkfifo(db)
        what = "a FIFO"
    else:
        db = device(where, "db", NULL)
        what = "a character device"
    result = project.run("--db", str(db), *command, expect=2)
    assert result.stderr.strip() == (
        f"Error: {db} is {what}, not a database file: point --db or [storage] path at a file"
    )
    assert [p.name for p in where.iterdir()] == ["db"]  # no db.lock, db-journal, db-wal


def test_init_refuses_a_config_path_that_is_not_a_file(tmp_path):
    from click.testing import CliRunner

    from bot.cli import cli

    null = device(tmp_path, "null", NULL)
    result = CliRunner().invoke(cli, ["--config", str(null), "init", "--user", "u"])
    assert result.exit_code == 2, result.output
    assert (
        result.stderr.strip() == f"Error: {null} is not a regular file: give --config a file's path"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]  # no state/ beside it
