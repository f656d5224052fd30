"""Installed as a user installs a CLI (a wheel), foibot finds its own templates: the
launch sheet, the report and the follow-up letters ship inside the package (issue 11)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory) -> Path:
    """The wheel `pip wheel .` builds in a fresh clone, unpacked as pip would install it.
    Built from the tracked files alone: a checkout's own build leftovers (foibot.egg-info's
    SOURCES.txt) would add files that package-data leaves out."""
    out = tmp_path_factory.mktemp("wheel")
    source = out / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(source)], check=True, timeout=120)
    for name in subprocess.run(["git", "ls-files", "--modified", "--others", "--exclude-standard"],
                               cwd=REPO, capture_output=True, text=True, check=True).stdout.split():  # fmt: skip
        # Uncommitted work is tested as it stands.
        target = source / name
        if (REPO / name).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / name, target)
        else:
            target.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = out.glob("foibot-*.whl")
    site = out / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    return site


def test_the_wheel_carries_every_built_in_template(unpacked):
    names = {p.relative_to(unpacked / "bot" / "templates").as_posix()
             for p in (unpacked / "bot" / "templates").rglob("*.j2")}  # fmt: skip
    assert {"launch_sheet.html.j2", "report.html.j2", "followups/chaser.txt.j2",
            "followups/complaint.txt.j2", "followups/internal-review.txt.j2",
            "followups/nudge.txt.j2", "web/status.html.j2", "web/request.html.j2"} <= names  # fmt: skip
    # `foibot serve`'s static files (issue 31): every one in the checkout, whatever its
    # kind (launch.js unlocks the launch buttons on time).
    static = REPO / "bot" / "web" / "static"
    names = {p.name for p in static.iterdir() if p.is_file()}
    assert {"foibot.css", "launch.js"} <= names
    for name in names:
        assert (unpacked / "bot" / "web" / "static" / name).is_file(), name


def test_from_the_wheel_in_a_folder_with_only_a_config_and_its_letter(unpacked, tmp_path):
    folder = tmp_path / "campaign"
    (folder / "templates" / "letters").mkdir(parents=True)
    config = (REPO / "config.toml").read_text()
    config = config.replace('user = "your_wdtk_user_name"', 'user = "alex_example"')
    (folder / "config.toml").write_text(config)
    letter = REPO / "templates" / "letters" / "social_media_misuse.txt.j2"
    (folder / "templates" / "letters" / letter.name).write_text(letter.read_text())
    # The unpacked wheel first on the path: no checkout, no editable install to lean on.
    env = {**os.environ, "PYTHONPATH": str(unpacked)}

    def foibot(*args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "bot", *args], cwd=folder, env=env,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        return result

    probe = subprocess.run(
        [sys.executable, "-c", "import bot; print(bot.__file__)"], env=env, cwd=folder,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert probe.stdout.startswith(str(unpacked))
    foibot("draft", "social-media-misuse")
    foibot("launch", "social-media-misuse", "--as-of", "2026-12-01T09:05")
    sheet = folder / "state" / "launch-social-media-misuse.html"
    assert "Open in WhatDoTheyKnow" in sheet.read_text()
    foibot("report", "social-media-misuse", "--format", "html", "-o", "report.html")
    assert "<html" in (folder / "report.html").read_text()
    foibot("followups", "social-media-misuse")
    assert "0 errors" in foibot("doctor").stdout
