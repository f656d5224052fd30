"""Writing foibot's own output files safely in folders others may write to.

The file is written under a fresh name created exclusively (O_EXCL | O_NOFOLLOW, as
tempfile.mkstemp does) in the same folder, then renamed over the target. So a symlink
planted at the target or at a predictable temporary name is never followed (rename
replaces the link itself), and a half-written file never replaces a good one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from bot.errors import FoibotError


def write_atomic(path: Path, data: bytes, *, private: bool = False, what: str = "file") -> None:
    """Replace `path` with `data`. `private`: owner-only (0600), else as umask allows."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _error(exc, path, what) from None
    try:
        if not private:
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


def _error(exc: OSError, path: Path, what: str) -> FoibotError:
    if exc.errno == errno.ENOSPC:
        return FoibotError(f"disk full while writing {path}: nothing was changed")
    return FoibotError(f"{path}: cannot write the {what}: {exc.strerror}")
