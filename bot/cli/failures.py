"""What a command's failure tells its user, without click: one line for a failure of the
machine rather than of foibot (a full disk, a locked or corrupt database, a read-only
file), and a quiet exit when the reader of stdout has gone."""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import FoibotError

if TYPE_CHECKING:
    from bot.cli.settings import Settings


def reader_gone() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not raise again (the
    Python documentation's recipe for SIGPIPE)."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def explain(exc: BaseException, app: Settings | None) -> FoibotError | None:
    """A FoibotError for failures of the machine rather than of foibot, where one line can
    say what happened and what to do; None when nothing better than the type is known."""
    if isinstance(exc, sqlite3.Error):
        from bot.run.lock import holder
        from bot.store.db import explain_sqlite_error

        path = Path("the database")
        with contextlib.suppress(FoibotError):
            path = app.store_path() if app is not None else path
        return explain_sqlite_error(exc, path, holder)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        where = f" {exc.filename}" if exc.filename else ""
        if not where and app is not None:
            # A write with no file name to give (a descriptor's): most likely beside the
            # database, though it may be output sent elsewhere, so it is said as a hint.
            with contextlib.suppress(FoibotError):
                where = f" (foibot's database is in {app.store_path().parent})"
        return FoibotError(f"disk full while writing{where}: free some space and run it again")
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return FoibotError(f"{exc.filename or 'a file'}: {exc.strerror}")
    if isinstance(exc, RecursionError):
        return FoibotError("input nested too deeply to process")
    return None


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or "(no message)"


def last_resort(exc: Exception, app: Settings | None) -> tuple[str, int]:
    """The one message (and exit code) for an exception nothing else caught: what went wrong
    with the machine, where `explain` knows, or a pointer to --debug."""
    known = explain(exc, app)
    if known is not None:
        return str(known), known.exit_code
    return (
        f"unexpected {type(exc).__name__}: {one_line(exc)} "
        "(run again with --debug for the traceback, and please report it)",
        1,
    )
