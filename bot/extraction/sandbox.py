"""Reading an attachment in a separate, limited process, so that a hostile file (a zip
bomb, a PDF decompression bomb, a million-row sheet, garbage) costs at most the limits
and ends as "unreadable" with one line of reason, while the caller carries on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.extraction.collect import one_line
from bot.extraction.detect import hint
from bot.extraction.model import Extraction

# The worker's own caps keep its JSON well under this (5 M characters of text, plus
# where each piece sits); anything longer is not trusted.
MAX_OUTPUT_BYTES = 64 * 1024 * 1024
_ROOT = str(Path(__file__).resolve().parents[2])  # the directory holding the bot package


def _failed(reason: str) -> Extraction:
    return Extraction(state="unreadable", kind="unknown", reason=reason)


def _died(returncode: int, stderr: bytes, time_limit_s: float, memory_mb: int) -> str:
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return f"over the time limit ({time_limit_s:g} s of CPU) while reading"
    if returncode < 0:
        return f"the reader was stopped by signal {signal.Signals(-returncode).name}"
    last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    if "MemoryError" in last[0] or not last[0]:
        # An allocation that failed outside the reader's own error handling.
        return f"over the {memory_mb} MB memory limit while reading (exit {returncode})"
    return f"the reader failed (exit {returncode}): {one_line(last[0], 120)}"


def extract(
    data: bytes, name: str, *, time_limit_s: float = 60.0, memory_mb: int = 512
) -> Extraction:
    """What can be read from `data` (a file named `name` by its sender; the name is only a
    hint, never a path). Runs `python -m bot.extraction.worker` with at most `memory_mb` of
    address space and `time_limit_s` of CPU, killed after `time_limit_s` of wall time; the
    bytes go over a pipe. Never raises for anything in the file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = _ROOT
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    command = [sys.executable, "-m", "bot.extraction.worker", f"{time_limit_s:g}",
               str(memory_mb), hint(name)]  # fmt: skip
    try:
        done = subprocess.run(
            command, input=data, capture_output=True, timeout=time_limit_s, env=env,
            cwd=_ROOT, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:  # run() has killed and reaped the worker
        return _failed(f"over the time limit ({time_limit_s:g} s) while reading")
    except OSError as e:
        return _failed(f"the reader could not start: {e.strerror or e}")
    if done.returncode != 0:
        return _failed(_died(done.returncode, done.stderr, time_limit_s, memory_mb))
    if len(done.stdout) > MAX_OUTPUT_BYTES:
        return _failed("the reader's output was over its cap")
    try:
        return Extraction.from_json(json.loads(done.stdout))
    except (ValueError, KeyError, TypeError):
        return _failed("the reader's output could not be read")
