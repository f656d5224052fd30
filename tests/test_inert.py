"""Hostile data stays inert (issue 14, point 7): identifiers that reach URLs and file names
are validated at import, control characters from WDTK never reach a terminal, an HTML
report or a file, state files never follow a planted symlink, and the bodies CSV is
streamed.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3

import pytest

from bot.bodies import CSV_COLUMNS, BadRow, Body, read_authorities_csv
from bot.run.lock import RunLock
from bot.wdtk.payload import clean_text, parse_request
from tests.wdtk_replica import HOME_OFFICE, make_request_doc

NASTY = "Social\x00 media\x1b]0;pwned\x07 policy\x1b[2J\r\x9b31m"


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for url_name, name in rows:
        writer.writerow(["1", name, "", url_name, "", "", "", "", "", "", "", "1"])
    return out.getvalue()


# --- identifiers -----------------------------------------------------------------------------


def test_bad_url_names_are_reported_by_line_and_the_rest_imported(project):
    path = project.root / "bodies.csv"
    path.write_text(
        csv_text(
            [
                ["home_office", "Home Office"],
                ["../../etc/passwd", "Traversal"],
                ["a/b", "Slash"],
                ["x?title=spoof", "Query"],
                ["frag#ment", "Fragment"],
                ["Upper_Case", "Upper"],
                ["-leading-dash", "Dash"],
                ["nul\x00byte", "Nul"],
                ["ministry_of_justice", "Ministry of Justice"],
            ]
        )
    )
    result = project.run("bodies", "import", "--file", str(path), "--json")
    report = __import__("json").loads(result.stdout)
    assert report["imported"] == 2
    assert [b["line"] for b in report["bad_rows"]] == [3, 4, 5, 6, 7, 8, 9]
    assert all("bad URL name" in b["reason"] for b in report["bad_rows"])
    conn = sqlite3.connect(project.db)
    names = {r[0] for r in conn.execute("SELECT url_name FROM bodies")}
    assert {"home_office", "ministry_of_justice"} <= names
    assert not any("/" in n or "." in n or "?" in n for n in names)


def test_the_bodies_csv_is_read_as_it_is_consumed():
    """Streaming, shown without measuring memory: the first body comes out after reading
    the header and one row, not the whole file (the RSS figures are in the report)."""
    consumed = 0
    lines = csv_text([[f"body_{i}", f"Body {i}"] for i in range(1000)]).splitlines(True)

    def feed():
        nonlocal consumed
        for line in lines:
            consumed += 1
            yield line

    rows = read_authorities_csv(feed())
    first = next(rows)
    assert isinstance(first, Body) and first.url_name == "body_0"
    assert consumed <= 3
    assert sum(1 for r in rows if not isinstance(r, BadRow)) == 999


# --- control characters ------------------------------------------------------------------------


def test_control_characters_are_stripped_at_the_parse_boundary():
    doc = make_request_doc(101, NASTY, body={**HOME_OFFICE, "name": "Home\x1b[2J Office"})
    request = parse_request(doc)
    for text in (request.title, request.public_body.name):
        assert not any(ch in text for ch in "\x00\x1b\x07\r\x9b"), repr(text)
    assert request.title == "Social media]0;pwned policy[2J31m"
    assert clean_text("line one\n\tindented") == "line one\n\tindented"  # \n and \t stay


def test_a_hostile_wdtk_title_reaches_no_terminal_report_or_file(project, replica):
    project.edit_config(
        'base_url = "https://www.whatdotheyknow.com"', f'base_url = "{replica.base_url}"'
    )
    project.edit_config("min_interval_s = 3.0", "min_interval_s = 0")
    replica.add_request(make_request_doc(101, NASTY, body=HOME_OFFICE, url_title="nasty"))
    outputs = [project.run("track", "/request/101").stdout]
    outputs.append(project.run("status").stdout)
    outputs.append(project.run("show", "wdtk-101").stdout)
    report = project.root / "report.html"
    project.run("report", "--all", "-o", str(report))
    outputs.append(report.read_text())
    for out in outputs:
        assert not any(ch in out for ch in "\x00\x1b\x07\r\x9b"), repr(out)
    assert "pwned" in outputs[2]  # the text itself is kept, only made inert


def test_titles_already_stored_are_escaped_on_the_terminal(project):
    """Data stored before the parse boundary cleaned it (or typed into config) is shown
    with its control characters as '?'."""
    project.run("draft", "social-media-misuse")
    conn = sqlite3.connect(project.db)
    with conn:
        conn.execute("UPDATE requests SET title = ? WHERE ref = 'smm-1'", ["Evil\x1b[2J\rtitle"])
    conn.close()
    for args in (("status",), ("show", "smm-1")):
        out = project.run(*args).stdout
        assert "\x1b" not in out and "\r" not in out
        assert "Evil?[2J?title" in out


# --- symlinks planted at state files ---------------------------------------------------------


def test_a_symlink_at_the_lock_file_is_not_followed(project, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    project.run("status")  # state/ exists
    lock = RunLock(project.db).path
    os.symlink(victim, lock)
    result = project.run("poll", expect=1)
    assert result.stderr.strip() == (
        f"Error: {lock} is a symbolic link; remove it (foibot creates its own lock file)"
    )
    assert victim.read_text() == "precious\n"


def test_the_launch_sheet_is_never_written_through_a_symlink(project, tmp_path):
    """Refused, not replaced (issue 29: a link swapped for a file broke its owner's setup);
    the release is rolled back with its sheet."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    project.run("draft", "social-media-misuse")
    sheet = project.root / "state" / "launch-social-media-misuse.html"
    os.symlink(victim, sheet)
    os.symlink(victim, str(sheet) + ".tmp")  # the temporary name it used to use
    before = project.dump()
    result = project.run("launch", "social-media-misuse", "--as-of", "2026-12-01T09:10", expect=2)
    assert f"{sheet} is a symbolic link (to {victim})" in result.stderr
    assert victim.read_text() == "precious\n" and sheet.is_symlink()
    assert project.dump() == before


def test_a_report_is_never_written_through_a_symlink(project, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    project.run("draft", "social-media-misuse")
    out = project.root / "report.csv"
    os.symlink(victim, out)
    project.run("report", "social-media-misuse", "-o", str(out), expect=2)
    assert victim.read_text() == "precious\n" and out.is_symlink()


@pytest.mark.parametrize("where", [0, 137, 249])
@pytest.mark.parametrize("body", ["Evil\x1b[2J\rbody", "Evil\n\x9bbody"])
def test_long_listings_escape_control_characters_too(capsys, where: int, body: str):
    """Past RICH_MAX_ROWS a table is printed as plain aligned text; a cell with control
    characters anywhere in it (a newline too) is shown with '?' for each there too, in
    the same columns, and the clean cells as they are."""
    from bot.cli.app import RICH_MAX_ROWS, App

    rows = [(f"r{i}", f"Body {i}", "waiting_response") for i in range(250)]
    rows[where] = (f"r{where}", body, "waiting\x07")
    assert len(rows) > RICH_MAX_ROWS
    App("config.toml", None, False).print_table(("ref", "body", "status"), rows)
    out = capsys.readouterr().out
    assert not any(ch in out for ch in "\x00\x1b\x07\r\x9b"), repr(out)
    lines = out.splitlines()
    assert len(lines) == 252 and len({line.index("waiting") for line in lines[2:]}) == 1
    shown = body.replace("\x1b", "?").replace("\r", "?").replace("\n", "?").replace("\x9b", "?")
    assert f"r{where:<4} {shown}  waiting?" in out and "r3    Body 3" in out


def test_a_long_listing_shows_control_characters_that_end_a_line(capsys):
    """\\x1f, \\x0b and \\x85 count as whitespace: ending a line's last cell they are shown
    as '?' like any other, not stripped away with the padding."""
    from bot.cli.app import App

    rows = [(f"r{i}", "waiting_response") for i in range(250)]
    rows[5] = ("r5", "waiting\x1f\x0b\x85")
    App("config.toml", None, False).print_table(("ref", "status"), rows)
    lines = capsys.readouterr().out.splitlines()
    assert lines[7] == "r5    waiting???" and lines[8] == "r6    waiting_response"


def test_a_long_listing_never_cuts_a_cell(capsys):
    """Past RICH_MAX_ROWS the plain table keeps every cell whole: a WDTK address longer
    than the column width runs on rather than being cut into a broken link; the other
    rows stay aligned."""
    from bot.cli.app import App

    url = "https://www.whatdotheyknow.com/request/" + "a_very_long_request_title" * 4
    rows = [(f"r{i}", "waiting_response", f"https://www.whatdotheyknow.com/request/{i}")
            for i in range(250)]  # fmt: skip
    rows[7] = ("r7", "waiting_response", url)
    App("config.toml", None, False).print_table(("ref", "status", "url"), rows)
    lines = capsys.readouterr().out.splitlines()
    assert lines[9] == f"r7    waiting_response  {url}"
    assert lines[10] == "r8    waiting_response  https://www.whatdotheyknow.com/request/8"
