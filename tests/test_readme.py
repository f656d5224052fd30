"""The README and docs/ hold together: CI runs the README's test command, and a newcomer
who follows a link lands on the page and the heading it names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _anchor(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"[`*]", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {_anchor(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}


def test_the_ci_runs_the_readmes_test_command_verbatim():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    command = ci[ci.index("# The README's second command, exactly:") + 1]
    assert command.startswith("python3 -m venv .venv && ")
    assert f"```sh\n{command}\n```" in (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_is_short_and_links_every_doc():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 200
    linked = set(LINK.findall(readme))
    docs = {f"docs/{p.name}" for p in PAGES[1:]}
    assert docs and docs <= linked, sorted(docs - linked)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_local_link_lands(page: Path):
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # an outside address
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        missing = not dest.exists()
        if missing or (anchor and dest.suffix == ".md" and anchor not in _anchors(dest)):
            broken.append(target)
    assert not broken, broken


def test_the_readmes_tracking_only_folder_can_draft_follow_ups(tmp_path):
    """The researcher's `init` line, as the README gives it, run where no terminal asks for
    what it leaves out: the folder it makes has what `followups --group` needs (the name
    that signs the letters), so the README's later `followups` line does not stop."""
    import shlex
    import subprocess
    import sys

    from bot.config import load_config

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (line,) = [ln for ln in readme.splitlines() if ln.startswith("foibot init --tracking-only")]
    assert "foibot followups --group" in readme
    args = shlex.split(line)[1:]
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    config = load_config(tmp_path / "config.toml")
    assert config.requester_name == "Jo Bloggs"
