"""One writer at a time: an OS-level lock file beside the database.

Every command that writes the database in bulk or calls WDTK (`run`, `poll`, `track`,
`link`, `launch`, the daemon's jobs) holds it, so two processes never poll WDTK at once
or race to release the same slot. flock is released by the kernel when the process dies,
so a killed run never leaves a stale lock behind. While held, the file names the pid.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from pathlib import Path

from bot.errors import FoibotError
from bot.safe_files import refuse_non_regular

# O_NOFOLLOW: a symlink planted where the lock file goes (the state folder may be shared)
# must not make foibot truncate whatever it points at. O_NONBLOCK: nor a FIFO hang it.
_OPEN_FLAGS = os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


class LockHeld(FoibotError):
    """Another process holds the lock (exit 1; `run --once` reports it and exits 0)."""

    def __init__(self, message: str, pid: int | None):
        super().__init__(message)
        self.pid = pid


def lock_path(db_path: str | Path) -> Path:
    return Path(str(db_path) + ".lock")


class RunLock:
    """The run lock; with `daemon=True`, the lock a daemon holds for its whole life (beside
    the database as `.daemon`), so that a second daemon on one database refuses to start
    rather than take turns with the first unnoticed."""

    def __init__(self, db_path: str | Path, *, daemon: bool = False):
        self.path = Path(str(db_path) + ".daemon") if daemon else lock_path(db_path)
        self._what = (
            "a foibot daemon is already running on this database"
            if daemon
            else ("another run is in progress")
        )
        self._db = Path(db_path)
        self._fd: int | None = None

    def acquire(self, wait: bool = False) -> None:
        # The lock file goes beside the database: never beside /dev/null (/dev/null.lock).
        refuse_non_regular(self._db, "database file")
        fd = _open(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            who = f" (pid {pid})" if pid else ""
            raise LockHeld(f"{self._what}{who}", pid) from None
        except BaseException:
            os.close(fd)  # e.g. Ctrl-C while waiting
            raise
        self._fd = fd
        # The pid is for people ("another run is in progress (pid N)"). On a full disk it
        # cannot be written, and the lock is held all the same: an error here would leave
        # the file open and locked for the life of the process (a daemon's, for good).
        pid = f"{os.getpid()}\n".encode()
        try:
            os.ftruncate(fd, 0)
            if os.pwrite(fd, pid, 0) != len(pid):
                raise OSError(errno.ENOSPC, "short write")
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # no pid rather than part of one

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)  # the file names the pid of a pass only while it runs
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def holder(db_path: str | Path) -> int | None:
    """The pid of another process holding the lock on this database, if any is known."""
    path = lock_path(db_path)
    try:
        # O_NONBLOCK: a FIFO put at the lock's name must not hang `status`.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            return pid if pid != os.getpid() else None
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None  # nobody holds it
    finally:
        os.close(fd)


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, _OPEN_FLAGS, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FoibotError(
                f"{path} is a symbolic link; remove it (foibot creates its own lock file)"
            ) from None
        raise FoibotError(f"cannot create the lock file {path}: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO or device put there: not ours
        os.close(fd)
        raise FoibotError(
            f"{path} is not a regular file; remove it (foibot creates its own lock file)"
        )
    return fd


def _read_pid(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        pid = int(os.pread(fd, 32, 0).decode("ascii").strip() or 0)
        return pid or None
    return None
