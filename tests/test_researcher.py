"""A researcher's first ten minutes: `init` in an empty folder, tracking in bulk, groups,
and names that do not exist. Against the WDTK replica on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.config import load_config
from tests.support import Folder
from tests.wdtk_replica import HOME_OFFICE, POLICE_SCOTLAND, make_request_doc

AS_OF = "2026-03-05T12:00"


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return Folder(tmp_path)


@pytest.fixture
def researcher(folder, replica):
    """`init --tracking-only` against the replica, with no wait between calls."""
    folder.run(
        "init", "--tracking-only", "--user", "someone", "--contact", "me@example.org",
        "--base-url", replica.base_url,
    )  # fmt: skip
    text = folder.config.read_text()
    folder.config.write_text(text.replace("min_interval_s = 3.0", "min_interval_s = 0"))
    return folder


def add_requests(replica, first: int, n: int) -> list[str]:
    urls = []
    for i in range(n):
        doc = make_request_doc(
            first + i, f"Pothole repairs in ward {first + i}", body=HOME_OFFICE, tags=[]
        )
        replica.add_request(doc)
        urls.append(f"{replica.base_url}/request/{doc['url_title']}")
    return urls


# -- init ------------------------------------------------------------------------------


def test_init_tracking_only_writes_a_config_that_loads_without_requester_or_letter(folder):
    out = folder.run(
        "init", "--tracking-only", "--user", "jo_bloggs", "--contact", "jo@example.org"
    )
    assert "Created" in out.stdout and "Database ready" in out.stdout
    config = load_config(folder.config)
    assert (config.wdtk.user, config.wdtk.contact) == ("jo_bloggs", "jo@example.org")
    assert config.campaigns == () and config.requester_name == ""
    assert (folder.root / "state" / "foibot.db").is_file()
    assert not (folder.root / "templates").exists()
    text = folder.config.read_text()
    for section in (
        "[wdtk]",
        "[storage]",
        "# [poll]",
        "# [schedule]",
        "# [notify]",
        "# [deadlines]",
    ):
        assert section in text, section


@pytest.mark.parametrize(
    "option,value",
    [
        ("--base-url", "ftp://x"),
        ("--base-url", "http://[::1"),
        ("--contact", "a\r\nX: 1"),
        ("--user", "../x?y="),
    ],  # fmt: skip
)
def test_init_refuses_a_bad_value_before_writing_anything(folder, option, value):
    args = ["--user", "someone", "--contact", "me@example.org", option, value]
    result = folder.run("init", "--tracking-only", *args, expect=2)
    assert result.stderr.startswith(f"Error: {option}: "), result.stderr
    assert list(folder.root.iterdir()) == []  # no config.toml a next `init` would keep


def test_init_never_overwrites(folder):
    folder.run("init", "--user", "jo", "--contact", "jo@example.org", "--name", "Jo Bloggs")
    letter = folder.root / "templates" / "letters" / "letter.txt.j2"
    folder.config.write_text(folder.config.read_text() + "\n# my edit\n")
    letter.write_text(letter.read_text() + "\nP.S.\n")
    before = (folder.config.read_text(), letter.read_text())
    again = folder.run("init", "--tracking-only", "--user", "other", "--contact", "x@y.org")
    assert "never overwrites" in again.stdout
    assert (folder.config.read_text(), letter.read_text()) == before


def test_init_beside_a_config_alone_writes_back_the_example_letter_it_names(folder):
    folder.run("init", "--user", "jo", "--contact", "jo@example.org", "--name", "Jo Bloggs")
    letter = folder.root / "templates" / "letters" / "letter.txt.j2"
    text = letter.read_text()
    shutil.rmtree(folder.root / "templates")
    shutil.rmtree(folder.root / "state")
    missing = folder.run("draft", "my-campaign", expect=2).stderr
    assert "letter template not found" in missing and "write the letter there" in missing
    again = folder.run("init")
    assert f"Created {letter}" in again.stdout and letter.read_text() == text
    assert folder.json("draft", "my-campaign")["created"] == 1


def test_init_campaign_folder_drafts_as_it_stands(folder):
    folder.run("init", "--user", "jo", "--contact", "jo@example.org", "--name", "Jo Bloggs")
    assert load_config(folder.config).requester_name == "Jo Bloggs"
    drafted = folder.json("draft", "my-campaign")
    assert drafted["created"] == 1


def test_a_campaign_without_requester_says_what_it_needs(folder):
    folder.run("init", "--user", "jo", "--contact", "jo@example.org", "--name", "Jo Bloggs")
    text = folder.config.read_text()
    folder.config.write_text(text.replace('name = "Jo Bloggs"', ""))
    result = folder.run("draft", "my-campaign", expect=2)
    assert "requester.name: required key is missing: campaign 'my-campaign' needs a name" in (
        result.stderr
    )


# -- tracking in bulk ------------------------------------------------------------------


def test_track_file_of_twenty_in_one_pass_with_one_robots_fetch(researcher, replica):
    urls = add_requests(replica, 8100, 20)
    (researcher.root / "urls.txt").write_text("# ward requests\n" + "\n".join(urls) + "\n\n")
    listing = str(researcher.root / "urls.txt")
    out = researcher.run("track", "--file", listing, "--group", "potholes", "--as-of", AS_OF)
    assert "20 requests: 20 tracked." in out.stdout
    assert [h[1] for h in replica.hits].count("/robots.txt") == 1
    rows = researcher.json("status", "--group", "potholes", "--as-of", "2026-03-05")
    assert sorted(r["ref"] for r in rows) == sorted(f"wdtk-{8100 + i}" for i in range(20))
    assert {r["status"] for r in rows} == {"waiting_response"}
    # Again: nothing is fetched for what is already tracked.
    calls = len(replica.hits)
    again = researcher.run("track", "--file", listing, "--group", "potholes")
    assert "20 requests: 20 already tracked." in again.stdout
    assert len(replica.hits) == calls


def test_track_from_stdin_and_arguments_together(researcher, replica):
    urls = add_requests(replica, 8200, 3)
    items = researcher.json("track", urls[0], "-", input=f"{urls[1]}\n8202\n")
    assert [(i["ref"], i["outcome"]) for i in items] == [
        ("wdtk-8200", "tracked"), ("wdtk-8201", "tracked"), ("wdtk-8202", "tracked"),
    ]  # fmt: skip


def test_a_url_file_saved_with_a_byte_order_mark_reads_its_first_line(researcher, replica):
    """Windows editors save UTF-8 with a BOM; its first line is a URL like any other."""
    urls = add_requests(replica, 8250, 2)
    (researcher.root / "urls.txt").write_text("\ufeff" + "\n".join(urls) + "\n", "utf-8")
    items = researcher.json("track", "--file", str(researcher.root / "urls.txt"))
    assert [(i["ref"], i["outcome"]) for i in items] == [
        ("wdtk-8250", "tracked"), ("wdtk-8251", "tracked"),
    ]  # fmt: skip
    piped = researcher.json("track", "-", input="\ufeff8250\n")
    assert [(i["ref"], i["outcome"]) for i in piped] == [("wdtk-8250", "already")]


def test_hidden_and_missing_requests_are_recorded_and_rechecked(researcher, replica):
    urls = add_requests(replica, 8300, 3)
    replica.hide(8300, 403)
    (researcher.root / "urls.txt").write_text(
        f"{urls[0]}\n8301\n/request/no_such_request\nnot a url\n"
    )
    result = researcher.run(
        "track",
        "--file",
        str(researcher.root / "urls.txt"),
        "--group",
        "g",
        "--as-of",
        AS_OF,
        expect=1,
    )
    assert (
        "4 requests: 1 tracked; 1 hidden (403; recorded, re-checked daily); 1 not found"
        in result.stdout
    )
    assert "urls.txt, line 4: not a url: not a WDTK request" in result.stderr
    rows = researcher.rows()
    hidden = rows[f"wdtk-{urls[0].rsplit('/', 1)[1]}"]
    assert (hidden["status"], hidden["wdtk_id"], hidden["group"]) == ("hidden", None, "g")
    assert hidden["next_poll_at"].startswith("2026-03-06")
    assert rows["wdtk-no_such_request"]["status"] == "hidden"
    # The admin shows it again: the next poll finds it by its slug and links it.
    replica.hide(8300, None)
    researcher.run("poll", "--as-of", "2026-03-06T13:00")
    shown = researcher.rows()[hidden["ref"]]
    assert (shown["status"], shown["wdtk_id"]) == ("waiting_response", 8300)
    # Its body, unknown while hidden, is WDTK's now: reports by body count it there.
    assert shown["body"] == researcher.rows()["wdtk-8301"]["body"] is not None


def test_a_url_copied_before_wdtk_retitled_the_request_still_names_it(researcher, replica):
    """WDTK's old slug 404s after a retitle (no historic fallback): re-running the same
    list of URLs must find the tracked request, not record a second, "not found"."""
    url = add_requests(replica, 8420, 1)[0]
    researcher.run("track", url, "--as-of", AS_OF)
    replica.retitle(8420, "pothole_repairs_renamed")
    researcher.run("poll", "--all", "--as-of", "2026-03-06T12:00")
    item = researcher.json("track", url, "--as-of", "2026-03-06T13:00")
    assert (item["ref"], item["outcome"]) == ("wdtk-8420", "already")
    assert researcher.json("show", url)["ref"] == "wdtk-8420"
    assert list(researcher.rows()) == ["wdtk-8420"]
    # WDTK later gives the freed slug to a new request: the URL now names that one.
    doc = make_request_doc(8421, "Pothole repairs in ward 8420", body=HOME_OFFICE, tags=[])
    assert doc["url_title"] == url.rsplit("/", 1)[1]
    replica.add_request(doc)
    item = researcher.json("track", url, "--as-of", "2026-03-06T14:00")
    assert (item["ref"], item["outcome"]) == ("wdtk-8421", "tracked")


def test_a_body_renamed_on_wdtk_stays_one_body(researcher, replica):
    """WDTK renames a body (same id 41, new url_name): requests tracked before and after
    are counted under one body, not split in two."""
    add_requests(replica, 8400, 1)
    researcher.run("track", "8400", "--as-of", AS_OF)
    renamed = {**HOME_OFFICE, "url_name": "home_office_uk", "name": "Home Office (UK)"}
    replica.update_request(8400, public_body=renamed)
    doc = make_request_doc(8401, "Pothole repairs in ward 8401", body=renamed, tags=[])
    replica.add_request(doc)
    researcher.run("track", "8401", "--as-of", AS_OF)
    researcher.run("poll", "--all", "--as-of", "2026-03-06T12:00")
    rows = researcher.rows()
    assert (rows["wdtk-8400"]["body"], rows["wdtk-8401"]["body"]) == ("home_office", "home_office")
    assert [b["url_name"] for b in researcher.json("bodies", "list")] == ["home_office"]


def test_a_request_moved_to_another_body_on_wdtk_follows_it(researcher, replica):
    """WDTK's admins move a misdirected request to Police Scotland: its body, and so its
    law (FOISA) and the reports by body, follow WDTK."""
    add_requests(replica, 8450, 1)
    researcher.run("track", "8450", "--as-of", AS_OF)
    replica.update_request(8450, public_body=POLICE_SCOTLAND)
    researcher.run("poll", "--all", "--as-of", "2026-03-06T12:00")
    shown = researcher.json("show", "wdtk-8450")
    assert (shown["body"], shown["law"]) == ("police_scotland", "foisa")
    moved = [e for e in shown["events"] if e["kind"] == "body_moved"]
    assert [e["detail"] for e in moved] == [{"from": "home_office", "to": "police_scotland"}]


def test_tracking_again_into_another_group_says_it_moved_and_flags_a_likely_typo(
    researcher, replica
):
    url = add_requests(replica, 8350, 1)[0]
    researcher.run("track", url, "--group", "potholes")
    result = researcher.run("track", "8350", "--group", "pothols")
    assert result.stdout.splitlines()[1] == "  moved from group potholes to group pothols"
    assert result.stderr.strip() == ("note: 'pothols' is a new group — did you mean 'potholes'?"), (
        result.stderr
    )
    (item,) = researcher.json("track", "8350", "-", "--group", "potholes", input="")
    assert (item["outcome"], item["moved_from_group"]) == ("already", "pothols")
    again = researcher.json("track", "8350", "-", "--group", "potholes", input="")
    assert "moved_from_group" not in again[0]


def test_show_takes_the_number_or_url_a_request_was_tracked_with(researcher, replica):
    url = add_requests(replica, 8360, 1)[0]
    researcher.run("track", url)
    by_ref = researcher.json("show", "wdtk-8360")
    assert researcher.json("show", "8360") == by_ref
    assert researcher.json("show", url) == by_ref
    unknown = researcher.run("show", "8361", expect=2)
    assert "'8361'" in unknown.stderr
    for command in ("show", "untrack"):
        huge = researcher.run(command, "12345678901234567890123", expect=2)
        assert "not a WDTK request number" in huge.stderr, huge.stderr


def test_poll_group_polls_only_that_groups_requests(researcher, replica):
    potholes, parking = add_requests(replica, 8370, 2), add_requests(replica, 8380, 2)
    researcher.run("track", *potholes, "--group", "potholes")
    researcher.run("track", *parking, "--group", "parking")
    before = len(replica.hits)
    report = researcher.json("poll", "--all", "--group", "parking")
    assert report["polled"] == 2
    asked = " ".join(path for _, path, _ in replica.hits[before:])
    assert "8380" in asked and "8381" in asked
    assert "8370" not in asked and "8371" not in asked
    assert "did you mean 'parking'" in researcher.run("poll", "--group", "parkin", expect=2).stderr


def test_a_line_that_is_no_url_at_all_fails_alone(researcher, replica):
    urls = add_requests(replica, 8390, 2)
    lines = f"{urls[0]}\nhttp://[::1/request/x\n{urls[1]}\n"
    result = researcher.run("track", "-", input=lines, expect=1)
    assert "stdin, line 2: http://[::1/request/x: not a URL (Invalid IPv6 URL)" in result.stderr
    assert "2 tracked" in result.stdout, result.stdout
    # A line too long to be any URL fails alone too, the rest of it skipped.
    more = add_requests(replica, 8395, 1)
    result = researcher.run("track", "-", input=f"{'x' * 10_000}\n{more[0]}\n", expect=1)
    assert "stdin, line 1: (a line of over 4096 characters): not a WDTK request" in result.stderr
    assert "1 tracked" in result.stdout, result.stdout


def test_a_mistyped_url_argument_is_bad_usage(researcher):
    result = researcher.run("track", "https://evil.example/request/1", expect=2)
    assert "evil.example" in result.stderr


# -- names that do not exist -------------------------------------------------------------


def test_unknown_campaign_or_group_is_exit_2_with_a_suggestion(researcher, replica):
    researcher.run("track", add_requests(replica, 8400, 1)[0], "--group", "potholes")
    result = researcher.run("status", "--group", "pothole", expect=2)
    assert "unknown group 'pothole' — did you mean 'potholes'?" in result.stderr
    assert researcher.run("overdue", "--group", "potholez", expect=2).stderr
    refused = researcher.run("track", "8400", "--campaign", "potholes", expect=2)
    assert "use --group" in refused.stderr
    # No campaign at all in a tracking-only folder: the line says so, rather than nothing.
    none = researcher.run("status", "--campaign", "nope", expect=2)
    assert "unknown campaign 'nope' (there are no campaigns yet)" in none.stderr


def test_status_campaign_typo_suggests_the_campaign(project):
    result = project.run("status", "--campaign", "social-media-missuse", expect=2)
    assert "did you mean 'social-media-misuse'?" in result.stderr


def test_report_and_calendar_of_one_group(researcher, replica):
    researcher.run("track", *add_requests(replica, 8500, 2), "--group", "potholes")
    researcher.run("track", *add_requests(replica, 8600, 1), "--group", "libraries")
    data = json.loads(
        researcher.run("report", "--group", "potholes", "--format", "json", "-o", "-").stdout
    )
    assert sorted(r["ref"] for r in data["requests"]) == ["wdtk-8500", "wdtk-8501"]
    ics = researcher.run("report", "--group", "libraries", "--format", "ics", "-o", "-").stdout
    assert "wdtk-8600" in ics and "wdtk-8500" not in ics
    wrong = researcher.run("report", "--group", "librarys", "--format", "ics", expect=2)
    assert "did you mean 'libraries'?" in wrong.stderr


def test_followups_json_is_one_object_for_every_kind(project):
    out = project.json("followups", "social-media-misuse")
    assert isinstance(out, dict)
    assert (out["campaign"], out["kind"], out["created"], out["existing"]) == (
        "social-media-misuse", "all", [], 0,
    )  # fmt: skip
    assert set(out["by_kind"]) == {"chaser", "nudge", "internal-review", "complaint"}


def test_track_shows_a_progress_bar_with_the_pace_on_a_terminal_only(researcher, replica):
    import os
    import pty
    import subprocess
    import sys

    add_requests(replica, 8700, 8)
    ids = [str(8700 + i) for i in range(8)]
    master, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(researcher.config), "track", *ids],
        stdin=terminal, stdout=subprocess.PIPE, stderr=terminal,
    )  # fmt: skip
    os.close(terminal)
    seen = b""
    while True:  # read the terminal until the process closes it
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    stdout = proc.stdout.read().decode()
    assert proc.wait(timeout=60) == 0
    os.close(master)
    assert "Tracking (no wait between calls to WDTK)" in seen.decode(errors="replace")
    assert "8 requests: 8 tracked." in stdout and "\x1b" not in stdout  # the pipe gets text


def test_replies_a_request_had_before_it_was_tracked_are_not_news(researcher, replica):
    """A researcher tracks an old request that was answered long ago: its reply is its
    past, not a "new response" in the next digest. A reply that comes after it is."""
    import sqlite3

    from tests.wdtk_replica import event

    doc = make_request_doc(
        8500, "Pothole repairs answered in 2025", body=HOME_OFFICE, tags=[],
        sent_at="2025-10-01T09:00:00+00:00",
        events=[event(850000, "sent", "2025-10-01T09:00:00+00:00"),
                event(850001, "response", "2025-10-20T10:00:00+00:00")],
    )  # fmt: skip
    replica.add_request(doc)
    researcher.run("track", "8500", "--group", "potholes", "--as-of", AS_OF)
    db = sqlite3.connect(researcher.db)

    def news() -> list[str]:
        return [k for (k,) in db.execute("SELECT key FROM news WHERE kind = 'response'")]

    assert news() == []
    assert db.execute("SELECT count(*) FROM events WHERE kind = 'response'").fetchone() == (1,)
    replica.add_event(8500, event(None, "response", "2026-03-06T09:00:00+00:00"))
    researcher.run("poll", "--all", "--as-of", "2026-03-06T12:00")
    assert len(news()) == 1
