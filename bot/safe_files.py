"""Writing foibot's output files without changing what the target is.

What is at the path decides how it is written (docs/commands.md, "Where output goes"):
- nothing, or a regular file: a fresh file created exclusively (O_EXCL | O_NOFOLLOW, as
  tempfile.mkstemp does) in the same folder, then renamed over the target. A half-written
  file never replaces a good one, and a file that was there keeps its permissions.
- a FIFO or a character device (/dev/null, a terminal, /dev/stdout): opened and written in
  place, never created or truncated; renaming over one would swap a device for a file and
  break every other program that uses it.
- a symbolic link: followed only to a FIFO or a character device, and only a link of the
  user's own or of the system's (root's) -- /dev/stdout and /dev/fd/N are links. A link to
  anything else is refused, never replaced and never written through: a link planted in a
  folder others may write to must not make foibot overwrite the file it names.
- anything else (a folder, a block device, a socket): refused.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from bot.errors import FoibotError, UsageError


def write_atomic(path: Path, data: bytes, *, private: bool = False, what: str = "file") -> None:
    """Write `data` to `path` as the module says. `private`: a new file is owner-only (0600),
    else as the umask allows; a file replaced keeps its own permissions unless `private`."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _error(exc, path, what) from None
    if st is not None and stat.S_ISLNK(st.st_mode):
        _write_through_link(path, st, data, what)
    elif st is not None and _streams(st.st_mode):
        _write_in_place(path, data, what, follow=False)
    elif st is None or stat.S_ISREG(st.st_mode):
        _replace(path, data, private, st, what)
    else:
        raise UsageError(f"{path} is {_kind(st.st_mode)}: cannot write the {what} there")


def refuse_non_regular(path: Path, what: str) -> None:
    """A UsageError when `path` exists and is not a regular file (a link to one is fine):
    SQLite would write its -journal, -wal and -shm files, and foibot its .lock, beside it."""
    with contextlib.suppress(OSError):
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(
                f"{path} is {_kind(st.st_mode)}, not a {what}: "
                "point --db or [storage] path at a file"
            )


def _streams(mode: int) -> bool:
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def _write_through_link(path: Path, link: os.stat_result, data: bytes, what: str) -> None:
    target = os.path.realpath(path)
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    if mode is not None and _streams(mode) and link.st_uid in (0, os.geteuid()):
        _write_in_place(path, data, what, follow=True)
        return
    raise UsageError(
        f"{path} is a symbolic link (to {target}): foibot does not write through links; "
        f"name the file itself, or remove the link"
    )


def _write_in_place(path: Path, data: bytes, what: str, *, follow: bool) -> None:
    """Into a FIFO or character device as it is: no O_CREAT, no O_TRUNC. A FIFO blocks
    here until a reader opens it, as a shell's `>` does."""
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _error(exc, path, what, in_place=True) from None
    try:
        # Swapped for a regular file since lstat? Writing without truncating would leave
        # the old tail behind it: refuse instead.
        if not _streams(os.fstat(fd).st_mode):
            raise FoibotError(f"{path} changed while foibot was writing it: try again")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise _error(exc, path, what, in_place=True) from None
    finally:
        os.close(fd)


def _replace(path: Path, data: bytes, private: bool, old: os.stat_result | None, what: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # here: it brings shutil, bz2 and lzma, which `status` never needs

        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _error(exc, path, what) from None
    try:
        if old is not None and not private:
            os.fchmod(fd, stat.S_IMODE(old.st_mode))  # the file stays what it was
        elif not private:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _error(exc, path, what) from None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    return "not a regular file"


def _error(exc: OSError, path: Path, what: str, *, in_place: bool = False) -> FoibotError:
    if exc.errno == errno.ENOSPC and not in_place:
        return FoibotError(f"disk full while writing {path}: nothing was changed")
    return FoibotError(f"{path}: cannot write the {what}: {exc.strerror}")
