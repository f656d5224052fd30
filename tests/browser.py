"""Finding a headless Chromium for the HTML tests.

Where none is installed the browser tests skip, saying how to install one, so the README's
test command passes on a fresh machine; under CI (`CI` set, as .ci/run and every hosted CI
do) a missing browser fails instead, because a skip there would hide an untested report.
"""

from __future__ import annotations

import os
import shutil

import pytest

# Debian's package, Ubuntu's older name, and Google's builds: any of them renders the same.
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ENV = "FOIBOT_CHROMIUM"  # an explicit path wins, e.g. a browser outside PATH
HOW_TO_INSTALL = (
    "no Chromium found (looked for $FOIBOT_CHROMIUM and "
    + ", ".join(NAMES)
    + " on PATH): install one with `sudo apt-get install chromium` (Debian/Ubuntu), "
    "`brew install --cask chromium` (macOS), or set FOIBOT_CHROMIUM to a Chrome/Chromium binary"
)


def find_chromium() -> str | None:
    explicit = os.environ.get(ENV)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The browser's path; otherwise skip the test, or fail it under CI."""
    exe = find_chromium()
    if exe is not None:
        return exe
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {HOW_TO_INSTALL}")
    pytest.skip(HOW_TO_INSTALL)
