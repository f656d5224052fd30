"""Hostile input (issue 8, item 4).

Campaign data comes from people and from WDTK, and both can hold anything: HTML and
JavaScript, right-to-left overrides, zero-width characters, console markup, fields of
10,000 characters. foibot must store and show them faithfully, never let them run in
the HTML it writes, never let a template reach Python internals through the Jinja2
sandbox, and never crash on what it parses: the WDTK payload parser, the CSV importer
and the config loader raise only foibot's own typed errors (property-based tests).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import math
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bodies import BadRow, Body, read_authorities_csv
from bot.config import Config, load_config, parse_config
from bot.dates import LONDON
from bot.errors import ConfigError
from bot.wdtk.errors import PayloadError
from bot.wdtk.payload import WdtkRequest, parse_request
from tests.conftest import REPO, Project
from tests.support import examples, released_project, row, sent_request
from tests.wdtk_replica import CSV_HEADER, HOME_OFFICE, event, make_body, make_request_doc

# --- the hostile strings -----------------------------------------------------------------

SCRIPT = '<script>alert("pwned")</script>'
IMG = "<img src=x onerror=alert(1)>"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "abc" + RLO + "gnp.exe" reads as "abcexe.png"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"  # ZW space, non-joiner, joiner, word joiner, BOM
RICH = "[bold]bold?[/bold] [/] :thumbs_up:"  # console markup and emoji codes, as plain text

SHORT_NAME = f"Evil{ZERO_WIDTH} {SCRIPT} {RLO}lionuoC [/]"
TOPIC = f"{IMG} misuse{ZERO_WIDTH} {RLO}desrever {RICH}"
TITLE = f"{SHORT_NAME}: {TOPIC}"  # the title template is "{{ body.short_name }}: {{ topic }}"


def padded(text: str, length: int = 10_000) -> str:
    return (text + " x" * length)[:length]


# Ending in "x", not a space: every body name is trimmed at its ends.
BODY_NAME = padded(f"Evil Council {SCRIPT} {IMG} {RLO}{ZERO_WIDTH} {RICH}")[:-1] + "x"
LONG_VAR = padded(f"{SCRIPT} {IMG} {RLO}{ZERO_WIDTH} ")
WDTK_TITLE = padded(f"Tracked {SCRIPT} {IMG} {RLO}{ZERO_WIDTH} {RICH}")
REPLY = padded(f"Our ref: FOI-666. {SCRIPT} {IMG} {RLO}{ZERO_WIDTH} {RICH}")
assert len(BODY_NAME) == len(LONG_VAR) == len(WDTK_TITLE) == len(REPLY) == 10_000

LETTER = """\
Dear {{ body.name }},

Please tell me about {{ topic }}.

{{ long_var }}

Yours faithfully,

{{ requester.name }}
"""


def toml_str(text: str) -> str:
    # A JSON string of BMP characters with \\u escapes is a valid TOML basic string.
    return json.dumps(text, ensure_ascii=True)


HOSTILE_CONFIG = f"""
[bodies.evil_council]
name = {toml_str(BODY_NAME)}
short_name = {toml_str(SHORT_NAME)}
tags = ["local_council"]

[[campaigns]]
slug = "hostile"
title = "{{{{ body.short_name }}}}: {{{{ topic }}}}"
letter = "templates/letters/hostile.txt.j2"
bodies = ["evil_council", "home_office"]
launch_at = 2026-03-02T09:00:00
vars = {{ topic = {toml_str(TOPIC)}, long_var = {toml_str(LONG_VAR)} }}
"""


@pytest.fixture
def hostile(project, replica):
    """The example project on the replica, plus a campaign made of hostile strings,
    drafted, and a hostile WDTK request (title and reply) tracked into it."""
    released_project(project, replica)
    (project.root / "templates" / "letters" / "hostile.txt.j2").write_text(LETTER)
    with open(project.config, "a", encoding="utf-8") as f:
        f.write(HOSTILE_CONFIG)
    project.run("draft", "hostile")
    evil = make_body("evil_council", BODY_NAME, 666, ["local_council"])
    doc = make_request_doc(
        6660, WDTK_TITLE, body=evil, tags=[], sent_at="2026-03-02T10:00:00+00:00",
        events=[event(666000, "sent", "2026-03-02T10:00:00+00:00")],
    )  # fmt: skip
    replica.add_request(doc)
    project.run("track", "/request/6660", "--campaign", "hostile", "--as-of", "2026-03-02T12:00")
    replica.add_event(6660, event(None, "response", "2026-03-03T09:00:00+00:00", text=REPLY))
    project.run("poll", "--all", "--as-of", "2026-03-03T12:00")
    return project


def cli(project: Project, *args: str) -> subprocess.CompletedProcess:
    """The real command line, to see exactly what a terminal or cron would get."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(project.config), *args],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def hostile_refs(project: Project) -> dict[str, str]:
    conn = sqlite3.connect(project.db)
    refs = dict(
        conn.execute("SELECT body, ref FROM requests WHERE campaign = 'hostile' AND drafted = 1")
    )
    conn.close()
    return refs


def test_hostile_drafts_are_stored_and_shown_verbatim(hostile):
    refs = hostile_refs(hostile)
    evil, tracked = refs["evil_council"], "wdtk-6660"
    rows = {r["ref"]: r for r in hostile.json("status", "--campaign", "hostile")}
    assert rows[evil]["title"] == TITLE
    assert rows[tracked]["title"] == WDTK_TITLE
    shown = hostile.json("show", evil)
    assert shown["title"] == TITLE
    for text in (BODY_NAME, TOPIC, LONG_VAR):
        assert text in shown["letter"]
    # The reply text read from WDTK's page: HTML there is escaped, so here it is text.
    replies = hostile.json("show", tracked)["correspondence"]
    assert [r["text"] for r in replies if r["direction"] == "incoming"] == [REPLY]
    assert row(hostile, tracked)["title"] == WDTK_TITLE

    # On a terminal, the same text, but for the right-to-left override each holds, shown
    # as "?": it would make "…\u202egnp.exe" read "…exe.png".
    def on_terminal(text: str) -> str:
        return text.replace(RLO, "?")

    result = cli(hostile, "show", evil)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    for text in (TITLE, BODY_NAME, TOPIC, LONG_VAR):
        assert on_terminal(text) in result.stdout
    result = cli(hostile, "show", tracked)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert on_terminal(WDTK_TITLE) in result.stdout and on_terminal(REPLY) in result.stdout
    assert RLO not in result.stdout


@pytest.mark.parametrize("command", ["status", "bodies list"])
def test_tables_print_markup_and_emoji_codes_as_plain_text(hostile, command):
    # rich reads "[bold]" as markup and ":thumbs_up:" as an emoji, and "[/]" with
    # nothing open is an error: user text (titles, body names) must print as it is.
    result = cli(hostile, *command.split())
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "[/]" in result.stdout and ":thumbs_up:" in result.stdout


def test_launch_sheet_and_report_escape_user_html(hostile):
    hostile.run("launch", "hostile", "--as-of", "2026-03-02T09:00")
    # The slots come after the example campaign's (one account, one pace): all are due
    # by the next morning.
    result = cli(hostile, "launch", "hostile", "--as-of", "2026-03-03T09:00")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    sheet = (hostile.root / "state" / "launch-hostile.html").read_text(encoding="utf-8")
    report = hostile.root / "report.html"
    hostile.run("report", "hostile", "-o", str(report), "--as-of", "2026-03-10")
    # The sheet's own two scripts (its pace as JSON, and the send-pacing code) are the only
    # ones; the report has none: any other would be user data.
    assert sheet.lower().count("<script") == 2
    for html in (sheet, report.read_text(encoding="utf-8")):
        assert "<img" not in html.lower()
        assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    # The sheet shows the evil body's name, title and letter, escaped and complete but for
    # the right-to-left override, which would turn the sheet's own words backwards.
    assert RLO not in sheet and ZERO_WIDTH in sheet and "[/]" in sheet
    assert hostile_refs(hostile)["evil_council"] in sheet
    assert "<script" not in report.read_text(encoding="utf-8").lower()


# --- WDTK sends dates nothing can be computed from -------------------------------------


@pytest.mark.parametrize(
    "stamp",
    [
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-05:00",  # after year 9999 in UTC
        "0001-01-01T00:00:00+00:00",  # fine in UTC, but 0000-12-31 in London (LMT -0:01:15)
        "1999-03-02T10:15:00+00:00",  # before the bank-holiday data: no deadline
        "2101-03-02T10:15:00+00:00",  # after it (the data ends in 2100)
    ],
)
def test_poll_survives_dates_out_of_range(project, replica, stamp):
    """A `resent` event restarts the clock, so its date must give a deadline. One request
    with a date that cannot is recorded as failing; the other is still updated."""
    released_project(project, replica)
    sent_request(project, replica, 5001, "smm-1")
    sent_request(project, replica, 5002, "smm-2")
    project.run("poll", "--as-of", "2026-03-02T12:00")
    replica.add_event(5001, event(None, "resent", stamp))
    replica.add_event(5002, event(None, "response", "2026-03-03T09:00:00+00:00"))
    report = project.json("poll", "--all", "--as-of", "2026-03-03T12:00")
    assert [e["ref"] for e in report["errors"]] == ["smm-1"]
    assert [r["ref"] for r in report["new_responses"]] == ["smm-2"]
    failed = row(project, "smm-1")
    assert failed["poll_error"] and failed["next_poll_at"] > "2026-03-03T12:00"
    assert failed["sent_on"] == "2026-03-02"  # the old dates are kept, not half-updated
    result = cli(project, "status")
    assert result.returncode == 0 and "Traceback" not in result.stderr


# --- the Jinja2 sandbox ------------------------------------------------------------------

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ body.__class__ }}",
    "{{ body|attr('__class__') }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ self.__init__.__globals__ }}",
    "{{ '{0.__class__.__mro__}'.format(body) }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{% set g = range.__init__.__globals__ %}{{ g }}",
]


def leaked(text: str) -> bool:
    # What a successful escape would print: classes, modules or a globals dict.
    return any(s in text for s in ("<class ", "<module ", "__builtins__", "uid="))


@pytest.mark.parametrize("payload", ESCAPES)
def test_sandbox_refuses_escapes_in_a_letter_template(project, payload):
    letter = project.root / "templates" / "letters" / "social_media_misuse.txt.j2"
    letter.write_text(
        "Dear {{ body.name }},\n\n" + payload + "\n\nYours faithfully,\n\n{{ requester.name }}\n"
    )
    result = project.run("draft", "social-media-misuse", expect=2)
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert result.stderr.startswith("Error: templates/letters/social_media_misuse.txt.j2")
    assert "unsafe" in result.stderr
    assert not leaked(result.stdout + result.stderr)
    assert project.dump().get("requests", []) == []  # nothing drafted


def test_sandbox_refusal_through_the_real_command_line(project):
    letter = project.root / "templates" / "letters" / "social_media_misuse.txt.j2"
    letter.write_text(f"Dear {{{{ body.name }}}},\n\n{ESCAPES[4]}\n\nYours,\n\nAlex Example\n")
    result = cli(project, "draft", "social-media-misuse")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "templates/letters/social_media_misuse.txt.j2" in result.stderr
    assert not leaked(result.stdout + result.stderr)


def test_sandbox_refuses_escapes_in_a_title_template(project):
    project.edit_config(
        'title = "{{ body.short_name }}: staff disciplined for social media misuse"',
        'title = "{{ body.short_name.__class__.__mro__ }}: staff disciplined"',
    )
    result = project.run("draft", "social-media-misuse", expect=2)
    assert isinstance(result.exception, SystemExit)
    assert "config.toml: campaigns[0].title" in result.stderr and "unsafe" in result.stderr
    assert not leaked(result.stdout + result.stderr)


def test_sandbox_refuses_escapes_in_a_campaign_followup_template(project, replica):
    released_project(project, replica)
    sent_request(project, replica, 5001, "smm-1")  # due 31 March: a chaser is due on 1 April
    project.run("poll", "--as-of", "2026-03-02T12:00")
    own = project.root / "templates" / "followups" / "chaser.txt.j2"
    own.parent.mkdir(parents=True)
    own.write_text("Dear Sir or Madam,\n\n" + ESCAPES[0] + "\n\nYours,\n\n{{ requester.name }}\n")
    result = project.run(
        "followups", "social-media-misuse", "--kind", "chaser", "--as-of", "2026-04-01", expect=2
    )
    assert isinstance(result.exception, SystemExit)
    assert str(own) in result.stderr and "unsafe" in result.stderr
    assert not leaked(result.stdout + result.stderr)
    assert project.dump()["followups"] == []


# --- property-based fuzzing --------------------------------------------------------------

FUZZ = settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Any code point, lone surrogates included: json.loads("\"\\ud800\"") gives one.
ANY_CHAR = st.characters(exclude_categories=())
TEXT = st.text(ANY_CHAR, max_size=12) | st.sampled_from(
    [
        "", " ", "\x00", "0", "-1", "1e309", "nan", SCRIPT, RLO + ZERO_WIDTH, "x" * 300,
        "2026-03-02T10:15:00+00:00", "2026-03-02T10:15:00", "2026-02-30T10:15:00Z",
        "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+00:00",
        "2026-03-02T10:15:00+24:00", "2026-03-02", "waiting_response", "foibot", "smm-1",
    ]
)  # fmt: skip
# Edge values drawn on purpose: plain st.floats() rarely produces inf or nan.
SPECIAL_NUMBERS = st.sampled_from(
    [math.inf, -math.inf, math.nan, 0, -1, 0.5, 1e308, 2**63 - 1, -(2**63), 10**400, True, False]
)
JSON_SCALARS = (
    SPECIAL_NUMBERS
    | st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
)
# Keys the parser looks for, so arbitrary documents reach past the first check.
REQUEST_KEYS = [
    "id", "url_title", "title", "described_state", "awaiting_description", "law_used", "tags",
    "display_status", "prominence", "created_at", "updated_at", "public_body", "user",
    "user_name", "info_request_events", "event_type", "calculated_state", "name",
    "url_name", "short_name", "incoming_message_id", "outgoing_message_id", "comment_id",
]  # fmt: skip
KEYS = st.sampled_from(REQUEST_KEYS) | st.text(ANY_CHAR, max_size=8)


def json_values(keys=KEYS):
    return st.recursive(
        JSON_SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
        max_leaves=25,
    )


def mutate(data: st.DataObject, doc: Any, values: st.SearchStrategy, keys) -> Any:
    """One random edit somewhere in a nested document: replace a value, delete or add a
    key, drop or duplicate a list item, or swap the container for a scalar."""
    if isinstance(doc, dict | list) and doc and data.draw(st.integers(0, 3)) > 0:
        key = data.draw(st.sampled_from(list(doc) if isinstance(doc, dict) else range(len(doc))))
        doc[key] = mutate(data, doc[key], values, keys)
        return doc
    action = data.draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
    if action == "replace" or not isinstance(doc, dict | list):
        return data.draw(values)
    if isinstance(doc, dict):
        if action == "delete" and doc:
            del doc[data.draw(st.sampled_from(list(doc)))]
        else:
            doc[data.draw(keys)] = data.draw(values)
        return doc
    if action == "delete" and doc:
        del doc[data.draw(st.integers(0, len(doc) - 1))]
    elif doc:
        doc.append(copy.deepcopy(doc[data.draw(st.integers(0, len(doc) - 1))]))
    else:
        doc.append(data.draw(values))
    return doc


def usable(request: WdtkRequest) -> None:
    """What the poller does with a parsed request must work: every moment it was given
    converts to UTC and to UK time (dates are counted in UK time)."""
    moments = [request.created_at, request.updated_at, *(e.created_at for e in request.events)]
    for moment in moments:
        if moment is not None:
            moment.astimezone(dt.UTC)
            moment.astimezone(LONDON)


def parse_or_payload_error(data: Any) -> None:
    try:
        request = parse_request(data)
    except PayloadError as exc:
        assert str(exc)  # the message names a path, for the per-request error record
        return
    assert isinstance(request, WdtkRequest)
    usable(request)


VALID_DOC = make_request_doc(
    5001,
    "Home Office: staff disciplined for social media misuse",
    body=HOME_OFFICE,
    tags=[("foibot", "smm-1")],
    events=[
        event(500100, "sent", "2026-03-02T10:15:00+00:00"),
        event(500101, "response", "2026-03-20T09:00:00+00:00"),
        event(500102, "status_update", "2026-03-20T10:00:00+00:00", described_state="rejected"),
    ],
)


def test_the_valid_document_parses():
    # The mutations below start from a document the parser accepts.
    assert parse_request(json.loads(json.dumps(VALID_DOC))).id == 5001


@FUZZ
@given(json_values())
def test_fuzz_parse_request_arbitrary_json(data):
    parse_or_payload_error(data)


@FUZZ
@given(st.data())
def test_fuzz_parse_request_mutated_document(data):
    doc = json.loads(json.dumps(VALID_DOC))
    for _ in range(data.draw(st.integers(1, 3))):
        doc = mutate(data, doc, json_values(), KEYS)
    parse_or_payload_error(doc)


# Any moment with any fixed UTC offset (Rails writes offsets; WDTK is in London).
OFFSETS = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda m: dt.timezone(dt.timedelta(minutes=m))
)
TIMESTAMPS = TEXT | st.datetimes(timezones=OFFSETS).map(lambda d: d.isoformat())


@FUZZ
@given(st.data())
def test_fuzz_parse_request_timestamps(data):
    """The timestamps the poller computes deadlines from, set to anything at all."""
    doc = json.loads(json.dumps(VALID_DOC))
    target = data.draw(st.sampled_from([doc, *doc["info_request_events"]]))
    keys = ["created_at", "updated_at"] if target is doc else ["created_at"]
    target[data.draw(st.sampled_from(keys))] = data.draw(TIMESTAMPS)
    parse_or_payload_error(doc)


def csv_text(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return out.getvalue()


VALID_CSV = csv_text(
    [
        [41, "Home Office", "", "home_office", "central_government", "https://x", "", "", "",
         "2007-10-24 11:51:01 +0100", "2025-01-01 00:00:00 +0000", 3],
        [42, "Police Scotland", "", "police_scotland", "police scotland", "", "", "", "a, b",
         "2007-10-24 11:51:01 +0100", "2025-01-01 00:00:00 +0000", 1],
        [43, f"Evil {SCRIPT}", RLO, "evil_council", "defunct gss:E1", "", "", "", '"q"',
         "2007-10-24 11:51:01 +0100", "2025-01-01 00:00:00 +0000", 1],
    ]
)  # fmt: skip
CSV_SPECIALS = ['"', ",", "\n", "\r", "\r\n", "\x00", "\ufeff", " ", "\t", '""', RLO, "x" * 200]


def read_csv_or_value_error(text: str) -> None:
    try:
        rows = list(read_authorities_csv(text))
    except ValueError as exc:
        assert str(exc)  # "line 1: …": the header itself is unusable
        return
    for item in rows:
        assert isinstance(item, Body | BadRow), item
        if isinstance(item, BadRow):
            assert item.line >= 2 and item.reason
        else:  # what the importer promises of a good row
            assert item.url_name and not any(ch.isspace() for ch in item.url_name)
            assert item.name.strip()


def test_the_valid_csv_reads():
    assert [b.url_name for b in read_authorities_csv(VALID_CSV)] == [
        "home_office", "police_scotland", "evil_council",
    ]  # fmt: skip


@FUZZ
@given(
    st.lists(st.sampled_from(CSV_SPECIALS) | st.text(ANY_CHAR, max_size=10), max_size=40).map(
        "".join
    )
)
def test_fuzz_csv_arbitrary_text(text):
    read_csv_or_value_error(text)


@FUZZ
@given(st.text(ANY_CHAR, max_size=60))
def test_fuzz_csv_arbitrary_rows_under_a_valid_header(tail):
    read_csv_or_value_error(",".join(CSV_HEADER) + "\n" + tail)


@FUZZ
@given(st.data())
def test_fuzz_csv_mutations_of_a_valid_file(data):
    text = VALID_CSV
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(text)))
        end = min(len(text), at + data.draw(st.integers(0, 30)))
        insert = data.draw(st.sampled_from(CSV_SPECIALS) | st.text(ANY_CHAR, max_size=5))
        text = text[:at] + insert + text[end:]
    read_csv_or_value_error(text)


# --- the config loader ---

TOML_SCALARS = (
    SPECIAL_NUMBERS
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)  # TOML's integer range
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
    | st.dates()
    | st.datetimes()
    | st.datetimes(timezones=st.timezones())
    | st.times()
)
CONFIG_KEYS = [
    "wdtk", "storage", "pace", "requester", "bodies", "campaigns", "deadlines", "schedule",
    "poll", "notify", "followups", "base_url", "user", "contact", "min_interval_s",
    "timeout_s", "max_tries", "backoff_s", "use_feeds", "respect_robots",
    "max_response_bytes", "path", "limits", "count", "minutes", "name", "email",
    "short_name", "tags", "slug", "title", "letter", "body_tags", "vars", "launch_at",
    "fields", "type", "description", "extra_holidays", "remove_holidays", "release",
    "digest", "misfire_grace_s", "open_every_hours", "closed_every_days",
    "hidden_grace_days", "batch", "email", "webhook", "host", "port", "starttls",
    "password_env", "from", "to", "url", "enabled", "chaser_after", "chaser_every",
    "chaser_max", "nudge_after", "internal_review", "complaint", "auto",
]  # fmt: skip
TOML_KEYS = st.sampled_from(CONFIG_KEYS) | st.text(ANY_CHAR, max_size=8)


def toml_values():
    return st.recursive(
        TOML_SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TOML_KEYS, inner, max_size=6),
        max_leaves=25,
    )


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example project (config and letter templates) and its config as TOML data."""
    project = Project(tmp_path_factory.mktemp("config"))
    with open(project.config, "rb") as f:
        return project.config, tomllib.load(f)


def parse_or_config_error(raw: dict, path: Path) -> None:
    try:
        config = parse_config(raw, path)
    except ConfigError as exc:
        assert str(exc).startswith("config.toml")  # it names the file (and the key)
        return
    assert isinstance(config, Config)
    # Numbers that became timeouts, intervals and counts are real numbers.
    for value in (
        config.wdtk.min_interval_s, config.wdtk.timeout_s, config.wdtk.backoff_s,
        config.poll.open_every_hours, config.poll.closed_every_days,
        config.poll.hidden_grace_days,
    ):  # fmt: skip
        assert math.isfinite(value), config


def test_the_example_config_parses(example):
    path, raw = example
    assert parse_config(copy.deepcopy(raw), path).campaigns[0].slug == "social-media-misuse"


@FUZZ
@given(st.dictionaries(TOML_KEYS, toml_values(), max_size=6))
def test_fuzz_config_arbitrary_tables(example, raw):
    parse_or_config_error(raw, example[0])


@FUZZ
@given(st.data())
def test_fuzz_config_mutations_of_the_example(example, data):
    path, raw = example
    doc = copy.deepcopy(raw)
    for _ in range(data.draw(st.integers(1, 3))):
        doc = mutate(data, doc, toml_values(), TOML_KEYS)
    if not isinstance(doc, dict):
        doc = {"wdtk": doc}
    parse_or_config_error(doc, path)


KNOWN_NUMBERS = [
    ("wdtk", "min_interval_s"), ("wdtk", "timeout_s"), ("wdtk", "max_tries"),
    ("wdtk", "backoff_s"), ("wdtk", "max_response_bytes"), ("schedule", "misfire_grace_s"),
    ("poll", "open_every_hours"), ("poll", "closed_every_days"), ("poll", "hidden_grace_days"),
]  # fmt: skip


@FUZZ
@given(
    st.sampled_from(KNOWN_NUMBERS),
    SPECIAL_NUMBERS
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-(2**63), max_value=2**63 - 1),
)
def test_fuzz_config_numbers(example, where, value):
    """TOML has inf and nan; a count or an interval can be neither."""
    path, raw = example
    doc = copy.deepcopy(raw)
    doc.setdefault(where[0], {})[where[1]] = value
    parse_or_config_error(doc, path)


@pytest.mark.parametrize(
    "letter", ["x" * 300, "templates/letters/\x00.txt.j2", "a/" * 3000, "", "/dev/null"]
)
def test_config_letter_paths_that_cannot_be_a_template(example, letter):
    # A name too long for the file system used to escape as an OSError.
    path, raw = example
    doc = copy.deepcopy(raw)
    doc["campaigns"][0]["letter"] = letter
    with pytest.raises(ConfigError, match=r"^config\.toml: campaigns\[0\]\.letter: "):
        parse_config(doc, path)


TOML_SNIPPETS = [
    "[wdtk]\n", "[[campaigns]]\n", "[notify.email]\n", "[pace]\nlimits = [", "{ count = ",
    "max_tries = ", "timeout_s = ", "port = ", "launch_at = ", "slug = ", "letter = ",
    "inf", "nan", "-inf", "1e400", "9" * 5000, "0x", "2026-02-30", "2026-03-02T09:00:00",
    '"', "'''", "\\u0000", "\\uD800", "=", "\n", "[", "]", "{", "}", ",", "#",
]  # fmt: skip


@FUZZ
@given(st.lists(st.sampled_from(TOML_SNIPPETS) | st.text(ANY_CHAR, max_size=8), max_size=30))
def test_fuzz_config_file_text(example, parts):
    """The loader reads the file too: whatever text follows the example, the result is a
    Config or a ConfigError naming the file."""
    path = example[0].with_name("fuzzed.toml")
    text = example[0].read_text(encoding="utf-8") + "".join(parts)
    path.write_bytes(text.encode("utf-8", "surrogatepass"))  # lone surrogates: bad UTF-8
    try:
        config = load_config(path)
    except ConfigError as exc:
        assert str(exc).startswith(("fuzzed.toml", str(path)))
        return
    assert isinstance(config, Config)


def test_an_integer_too_long_for_python_is_a_config_error(example):
    path = example[0].with_name("long.toml")
    text = example[0].read_text().replace("min_interval_s = 3.0", "min_interval_s = " + "9" * 5000)
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"^long\.toml: invalid TOML: "):
        load_config(path)


def test_bidi_overrides_and_undecodable_arguments_print_as_question_marks(project, replica):
    """A WDTK title ending "\u202egnp.exe" would read "exe.png" in a terminal; an argument
    that is not UTF-8 (a stray byte pasted into a shell) could not be printed at all."""
    released_project(project, replica)
    doc = make_request_doc(6661, "Figures \u202egnp.exe", tags=[], sent_at="2026-03-02T10:00:00+00:00",
                           events=[event(666100, "sent", "2026-03-02T10:00:00+00:00")])  # fmt: skip
    replica.add_request(doc)
    ref = project.json("track", "6661", "--as-of", "2026-03-02T12:00")["ref"]
    shown = cli(project, "show", ref)
    assert "Figures ?gnp.exe" in shown.stdout and "\u202e" not in shown.stdout
    stray = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(project.config), "show", b"smm-\xff"],
        cwd=REPO, capture_output=True, timeout=60,
    )  # fmt: skip
    err = stray.stderr.decode()
    assert stray.returncode == 2 and err.count("\n") == 1 and "unexpected" not in err, err
