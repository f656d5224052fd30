"""Issue 30 items 1 and 4: a poll queues a reply's attachments; `attachments fetch` (and
`run --once`) downloads each once from the WDTK replica over real HTTP, within the size
cap, reads it, and `search` and `show` then name the attachment and where in it."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat

from tests.support import released_project, sent_request
from tests.wdtk_replica import as_fault, event, oversize, slow

FIGURES = b"year,dismissed\n2021,3\n2022,zebra crossing incidents\n"
LETTER = b"Dear requester\n\nWe hold the information.\nThe figures are attached.\n"


def replied(project, replica, files: dict[str, bytes], *, config: str = ""):
    """smm-1 sent on 2 March, answered on 20 March with `files` attached, and polled."""
    if config:
        project.config.write_text(project.config.read_text() + "\n" + config)
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    reply = event(
        None, "response", "2026-03-20T09:00:00+00:00",
        text="Please see the attached.", attachment_files=files,
    )  # fmt: skip
    replica.add_event(5001, reply)
    wdtk.run("poll", "--all", "--no-attachments", "--as-of", "2026-03-20T12:00")
    return wdtk, reply


def states(wdtk) -> list[tuple[str, str]]:
    return [(a["name"], a["state"]) for a in wdtk.json("attachments", "list", "smm-1")]


def attach_hits(replica) -> list[str]:
    return [path for path in replica.hit_paths() if "/attach/" in path]


def test_a_poll_queues_and_a_fetch_reads_each_once(project, replica):
    wdtk, _ = replied(project, replica, {"letter.txt": LETTER, "figures.csv": FIGURES})
    assert states(wdtk) == [("letter.txt", "queued"), ("figures.csv", "queued")]
    assert not attach_hits(replica)  # a poll only queues them

    out = wdtk.run("attachments", "fetch").stdout
    assert out.strip() == "Attachments: 2 read, 0 scanned, 0 unreadable, 0 skipped, 0 failed."
    assert states(wdtk) == [("letter.txt", "read"), ("figures.csv", "read")]
    assert len(attach_hits(replica)) == 2

    again = wdtk.run("attachments", "fetch").stdout
    assert "No attachment is waiting to be fetched." in again
    assert len(attach_hits(replica)) == 2  # no second call to WDTK


def test_search_names_the_attachment_and_the_line(project, replica):
    wdtk, _ = replied(project, replica, {"letter.txt": LETTER, "figures.csv": FIGURES})
    wdtk.run("attachments", "fetch")
    (hit,) = wdtk.json("search", "zebra")
    assert (hit["ref"], hit["date"], hit["attachment"], hit["where"]) == (
        "smm-1", "2026-03-20", "figures.csv", "cell A3:B3, line 3"
    )  # fmt: skip
    assert "[zebra]" in hit["snippet"]
    text = wdtk.run("search", "zebra").stdout
    assert "in attachment figures.csv, cell A3:B3, line 3" in text
    assert text.splitlines()[-1] == "1 attachment matched"
    assert wdtk.run("search", "please").stdout.splitlines()[-1] == "1 reply matched"
    # The reply's own text is still found, and says it is no attachment.
    (body_hit,) = wdtk.json("search", "please")
    assert body_hit["attachment"] is None and body_hit["where"] is None
    # Stemmed, as reply text is: "incident" finds "incidents", "holding" finds "hold".
    (stemmed,) = wdtk.json("search", "incident")
    assert stemmed["attachment"] == "figures.csv"
    assert [h["attachment"] for h in wdtk.json("search", "holding")] == ["letter.txt"]
    # A dangling operator is bad usage, said in words a person can act on.
    bad = wdtk.run("search", "zebra", "OR", expect=2).stderr
    assert "AND, OR, NOT and NEAR go between two words" in bad and bad.count("\n") == 1
    assert [h["attachment"] for h in wdtk.json("search", "zebra", '"OR"')] == []


def test_show_lists_type_size_and_state(project, replica):
    files = {"letter.txt": LETTER, "scan.bin": b"\x00\x01\x02\x03\x89binary\x00\xff\x10"}
    wdtk, _ = replied(project, replica, files)
    shown = wdtk.run("show", "smm-1").stdout
    assert "      queued" in shown  # before the fetch
    wdtk.run("attachments", "fetch")
    shown = wdtk.run("show", "smm-1").stdout
    assert "- letter.txt" in shown and "      text, 1 KB, read" in shown
    assert "      binary, 1 KB, unreadable: not a format foibot reads (binary data)" in shown
    listed = {a["name"]: a for a in wdtk.json("show", "smm-1")["attachments"]}
    assert listed["letter.txt"]["size"] == len(LETTER)
    assert listed["letter.txt"]["sha256"] == hashlib.sha256(LETTER).hexdigest()
    assert listed["scan.bin"]["state"] == "unreadable"


def test_over_the_size_cap_is_skipped_with_its_size(project, replica):
    big = b"a line of text\n" * (1024 * 1024 // 15 * 3 // 2)  # about 1.5 MB
    wdtk, _ = replied(
        project,
        replica,
        {"big.txt": big, "figures.csv": FIGURES},
        config="[attachments]\nmax_mb = 1\n",
    )
    out = wdtk.run("attachments", "fetch").stdout
    assert "Attachments: 1 read, 0 scanned, 0 unreadable, 1 skipped, 0 failed." in out
    assert "skipped: smm-1 #1 big.txt: over [attachments] max_mb = 1 (1.5 MB)" in out
    (row,) = [a for a in wdtk.json("show", "smm-1")["attachments"] if a["name"] == "big.txt"]
    assert (row["state"], row["size"]) == ("skipped", len(big))


def test_over_the_cap_without_a_length_stops_reading(project, replica):
    wdtk, reply = replied(
        project, replica, {"big.txt": FIGURES}, config="[attachments]\nmax_mb = 1\n"
    )
    path = f"/request/x/response/{reply['incoming_message_id']}/attach/2/big.txt"
    replica.fail(path, oversize(3 * 1024 * 1024, no_length=True))
    out = wdtk.run("attachments", "fetch").stdout
    assert "over [attachments] max_mb = 1 (size not given)" in out
    assert states(wdtk) == [("big.txt", "skipped")]


def test_files_are_kept_by_hash_only_when_asked(project, replica):
    wdtk, _ = replied(project, replica, {"letter.txt": LETTER})
    wdtk.run("attachments", "fetch")
    assert not (project.root / "state" / "attachments").exists()


def test_kept_files_are_named_by_their_hash(project, replica):
    wdtk, _ = replied(
        project, replica, {"letter.txt": LETTER}, config="[attachments]\nkeep = true\n"
    )
    wdtk.run("attachments", "fetch")
    kept = project.root / "state" / "attachments" / hashlib.sha256(LETTER).hexdigest()
    assert kept.read_bytes() == LETTER
    assert os.listdir(kept.parent) == [kept.name]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_a_failed_download_stays_queued_and_the_rest_are_read(project, replica):
    wdtk, reply = replied(project, replica, {"letter.txt": LETTER, "figures.csv": FIGURES})
    replica.fail(
        f"/request/x/response/{reply['incoming_message_id']}/attach/2/letter.txt", *[502] * 2
    )  # every try of the command's first call (twice, as robots.txt, kept, would have been)
    result = wdtk.run("attachments", "fetch", expect=1)
    assert "failed: smm-1 #1 letter.txt: HTTP 502" in result.stdout
    assert "1 read, 0 scanned, 0 unreadable, 0 skipped, 1 failed; 1 still queued" in result.stdout
    assert states(wdtk) == [("letter.txt", "queued"), ("figures.csv", "read")]
    assert "queued (last try: HTTP 502" in wdtk.run("show", "smm-1").stdout
    # The next fetch tries it again, and only it.
    wdtk.run("attachments", "fetch")
    assert states(wdtk) == [("letter.txt", "read"), ("figures.csv", "read")]


def test_a_file_wdtk_no_longer_serves_is_recorded_and_not_asked_for_again(project, replica):
    wdtk, reply = replied(project, replica, {"letter.txt": LETTER, "figures.csv": FIGURES})
    link = f"/request/x/response/{reply['incoming_message_id']}/attach/2/letter.txt"
    replica.fail(link, 410)
    result = wdtk.run("attachments", "fetch")
    assert "unreadable: smm-1 #1 letter.txt: WDTK does not serve it (HTTP 410)" in result.stdout
    assert states(wdtk) == [("letter.txt", "unreadable"), ("figures.csv", "read")]
    calls = len(attach_hits(replica))
    assert "No attachment is waiting" in wdtk.run("attachments", "fetch").stdout
    assert len(attach_hits(replica)) == calls
    # --retry asks once more (WDTK serves it again now).
    wdtk.run("attachments", "fetch", "--retry", "smm-1")
    assert states(wdtk) == [("letter.txt", "read"), ("figures.csv", "read")]
    assert len(attach_hits(replica)) == calls + 1


def test_an_outage_stops_the_fetch_cleanly(project, replica):
    wdtk, _ = replied(project, replica, {"a.txt": LETTER, "b.txt": FIGURES, "c.txt": b"c\n"})
    replica.down = as_fault(503)
    result = wdtk.run("attachments", "fetch", expect=1)
    assert "stopped: WDTK unreachable" in result.stdout
    assert "3 still queued" in result.stdout
    assert "Traceback" not in result.output
    replica.down = None
    wdtk.run("attachments", "fetch")
    assert [s for _, s in states(wdtk)] == ["read", "read", "read"]


def test_fetch_takes_refs_campaign_or_group_and_checks_them(project, replica):
    wdtk, _ = replied(project, replica, {"letter.txt": LETTER})
    bad = wdtk.run("attachments", "fetch", "smm-99", expect=2)
    assert "no request with ref 'smm-99'" in bad.stderr
    wdtk.run("attachments", "fetch", "smm-2")  # another request: nothing of smm-1 fetched
    assert states(wdtk) == [("letter.txt", "queued")]
    wdtk.run("attachments", "fetch", "--campaign", "social-media-misuse")
    assert states(wdtk) == [("letter.txt", "read")]


def test_run_once_fetches_within_the_pass_budget(project, replica):
    files = {"slow.txt": LETTER, "figures.csv": FIGURES}
    wdtk, reply = replied(project, replica, files, config="")
    wdtk.edit_config("min_interval_s = 0", "min_interval_s = 0\npass_budget_s = 1")
    # The first download takes longer than the whole pass may: the second waits.
    replica.fail(f"/request/x/response/{reply['incoming_message_id']}/attach/2/slow.txt", slow(1.2))
    first = wdtk.json("run", "--once", "--as-of", "2026-03-20T12:05")
    assert first["attachments"]["counts"]["read"] == 1
    assert first["attachments"]["still_queued"] == 1
    assert "pass_budget_s" in first["attachments"]["stopped"]
    assert states(wdtk) == [("slow.txt", "read"), ("figures.csv", "queued")]
    second = wdtk.json("run", "--once", "--as-of", "2026-03-20T12:15")
    assert second["attachments"]["counts"]["read"] == 1
    assert states(wdtk) == [("slow.txt", "read"), ("figures.csv", "read")]


def test_hostile_names_and_text_are_inert_in_every_sink(project, replica):
    name = "..%2F..%2Fconfig.toml \x1b]0;pwned\x07.csv"
    text = b"normal line\nthe word \x1b[2J wombat \x1b]0;owned\x07 here\n"
    wdtk, _ = replied(project, replica, {name: text}, config="[attachments]\nkeep = true\n")
    config_before = project.config.read_bytes()
    fetched = wdtk.run("attachments", "fetch")
    assert project.config.read_bytes() == config_before
    kept = os.listdir(project.root / "state" / "attachments")
    assert kept == [hashlib.sha256(text).hexdigest()]
    # The page's names are cleaned as they are read; a name or sheet that reaches the
    # store by another way (an extractor reading a sheet name out of the file) is still
    # escaped where it is shown.
    with sqlite3.connect(project.db) as conn:
        conn.execute("UPDATE attachments SET name = 'evil\x1b]0;x\x07.csv'")
        conn.execute("UPDATE attachment_segments SET sheet = 'S\x1b[2J', member = 'm\x9b1m'")
    conn.close()
    outputs = [
        fetched.output,
        wdtk.run("attachments", "list").output,
        wdtk.run("show", "smm-1").output,
        wdtk.run("search", "wombat").output,
    ]
    for out in outputs:
        assert not {"\x1b", "\x07", "\x9b"} & set(out), out
    assert (
        "wombat" in outputs[3] and "in attachment evil?]0;x?.csv, m?1m, sheet S?[2J" in outputs[3]
    )
    # JSON keeps the text as it is, escaped by the encoder: nothing raw reaches a terminal.
    raw = wdtk.run("search", "wombat", "--json").stdout
    assert "\x1b" not in raw
    assert json.loads(raw)[0]["attachment"]
