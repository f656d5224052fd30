"""Ordinary states and ordinary mistakes never reach "unexpected" (issue 29, item 6): each
ends in one line that names what is wrong and what is allowed, with the right exit code,
and no traceback."""

from __future__ import annotations

from tests.support import released_project, row


def error_line(result) -> str:
    """The error output: exactly one line, and no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "unexpected" not in lines[0], lines[0]
    return lines[0]


def test_show_of_a_released_draft_never_found_on_wdtk(project, replica):
    wdtk = released_project(project, replica)  # smm-1, smm-2 released on 2 March, never sent
    # 14 days after release polling gives up: next_poll_at holds the "never" sentinel.
    wdtk.run("poll", "--as-of", "2026-03-17T12:00")
    assert row(wdtk, "smm-2")["next_poll_at"] == "never"
    shown = wdtk.run("show", "smm-2", "--as-of", "2026-03-17")
    assert shown.stderr == ""
    assert (
        "  last poll failed     not found on WDTK 14 days after release: use `foibot link` "
        "(no more automatic polls)"
    ) in shown.stdout.splitlines()
    assert "  status               ready" in shown.stdout.splitlines()
