"""Every sink neutral (issue 29 item 5): hand-written hostile inputs at each boundary and
each place foibot writes text someone else's program will read (a spreadsheet, Slack, a
Markdown renderer, a terminal, a letter)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.notify.send import slack_escaped
from bot.rules.news import Digest, NewsItem
from bot.wdtk.errors import PayloadError
from bot.wdtk.payload import parse_correspondence, parse_request
from tests.report_support import CAMPAIGN, csv_rows, seed
from tests.test_delivery import hook  # noqa: F401 (fixture)
from tests.wdtk_replica import HOME_OFFICE, make_request_doc

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- results --template: the sheet opened in a spreadsheet ----------------------------------


def test_the_template_sheet_neutralises_formula_cells_and_loads_back_unchanged(project):
    seed(project, body_names={"home_office": '=HYPERLINK("http://evil.example","Home Office")'})
    project.edit_config(
        'name = "dismissed"\ntype = "int"', 'name = "dismissed"\ntype = "int"\nmin = -5'
    )
    project.run("record", "smm-1", "notes==cmd|' /C calc'!A0", "dismissed=-1")
    project.run("record", "smm-2", "notes=@SUM(A1)", "other_action=+1")
    sheet = project.root / "figures.csv"
    project.run("results", CAMPAIGN, "--template", "-o", str(sheet))
    rows = csv_rows(sheet.read_bytes())
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(FORMULA_STARTS), (column, cell)
    home = {r["field"]: r for r in rows if r["ref"] == "smm-1"}
    assert home["notes"]["body"] == '\'=HYPERLINK("http://evil.example","Home Office")'
    assert home["notes"]["value"] == "'=cmd|' /C calc'!A0"
    assert home["dismissed"]["value"] == "'-1"
    # Loaded back as written, the apostrophes are foibot's own: nothing has changed.
    out = project.run("record", "--from-csv", str(sheet), "--campaign", CAMPAIGN).stdout
    assert out.startswith("Recorded 0 values for 0 requests"), out
    shown = project.json("show", "smm-1")["recorded"]
    assert shown["notes"] == "=cmd|' /C calc'!A0" and shown["dismissed"] == -1


def test_a_body_name_starting_with_a_tab_is_no_formula(project):
    project.edit_config('name = "Home Office"', 'name = "\\t=HYPERLINK(1)"')
    project.run("draft", CAMPAIGN)
    sheet = project.root / "figures.csv"
    project.run("results", CAMPAIGN, "--template", "-o", str(sheet))
    bodies = {r["ref"]: r["body"] for r in csv_rows(sheet.read_bytes())}
    # The tab is gone, and with it the space a trimming spreadsheet would drop before
    # reading "=" as a formula.
    assert bodies["smm-1"] == "'=HYPERLINK(1)"


def test_a_group_name_with_control_characters_is_refused(project):
    result = project.run("track", "6000", "--group", "x\x1b]0;pwned\x07", expect=2)
    assert "a group name is 1 to 100 characters, with no control characters" in result.stderr
    assert "\x1b" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


# --- body names: control characters stripped where they come in ------------------------------

NASTY_NAME = "Evil\x1b]0;pwned\x07 Council\r\nof\tthe\x00 North\u2028\x9b31m"
CLEAN_NAME = "Evil]0;pwned Council of the North 31m"


def test_control_characters_leave_body_names_from_the_authorities_csv(project):
    path = project.root / "bodies.csv"
    header = "Name,Short name,URL name,Tags,Home page,Publication scheme,Disclosure log,"
    header += "Notes,Created at,Updated at,Version,Internal ID\n"
    quoted = NASTY_NAME.replace('"', '""')
    path.write_text(header + f'"{quoted}","{quoted}",evil_council,,,,,,,,1,77\n', newline="")
    project.run("bodies", "import", "--file", str(path))
    conn = sqlite3.connect(project.db)
    name, short = conn.execute(
        "SELECT name, short_name FROM bodies WHERE url_name = 'evil_council'"
    ).fetchone()
    assert (name, short) == (CLEAN_NAME, CLEAN_NAME)


def test_control_characters_leave_body_names_from_wdtk_json():
    body = {**HOME_OFFICE, "name": NASTY_NAME, "short_name": "HO\n\x1b[2J"}
    request = parse_request(make_request_doc(101, "A title", body=body))
    assert request.public_body.name == CLEAN_NAME
    assert request.public_body.short_name == "HO [2J"


def test_control_characters_leave_body_names_declared_in_config(project):
    project.edit_config(
        'name = "Home Office"', 'name = "Home\\u001b[2J\\r\\nOffice"\nshort_name = "H\\tO\\u0007"'
    )
    project.run("draft", CAMPAIGN)
    title = project.json("show", "smm-1")["title"]
    assert title.startswith("H O: "), title
    letter = project.json("show", "smm-1")["letter"]
    assert "Home[2J Office" in letter and "\x1b" not in letter


# --- slugs from WDTK's JSON ------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["../../etc/passwd", "a?b#c", "Upper", "x\x1b[2Jy", "a b"])
def test_a_bad_url_title_is_refused_naming_it(slug):
    with pytest.raises(PayloadError) as caught:
        parse_request(make_request_doc(101, "A title", url_title=slug))
    assert caught.value.path == "url_title"
    assert "\x1b" not in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("slug", ["../home_office", "home office", "home_office?x=1"])
def test_a_bad_body_url_name_is_refused_naming_it(slug):
    with pytest.raises(PayloadError) as caught:
        parse_request(make_request_doc(101, "A title", body={**HOME_OFFICE, "url_name": slug}))
    assert caught.value.path == "public_body.url_name"


@pytest.mark.parametrize("slug", ["../feed", "jo bloggs", "jo?x=1", "jo\x1b[2J"])
def test_a_bad_requester_url_name_is_refused_naming_it(slug):
    doc = make_request_doc(101, "A title")
    doc["user"] = {**doc.get("user", {"name": "Jo"}), "url_name": slug}
    with pytest.raises(PayloadError) as caught:
        parse_request(doc)
    assert caught.value.path == "user.url_name"
    assert "\x1b" not in str(caught.value)


def test_a_requester_without_url_name_is_accepted():
    doc = make_request_doc(101, "A title")
    doc["user"] = {"name": "Jo"}
    assert parse_request(doc).user_url_name is None


# --- attachment links ------------------------------------------------------------------------

PAGE = """<div class="correspondence incoming" id="incoming-1"><div class="correspondence_text">
<p>Please find attached.</p></div><ul class="list-of-attachments">
<li class="attachment"><strong>evil.pdf</strong>
<a href="/request/x/response/1/attach/2/e&#27;[2J&#10;v&lt;il&gt; .pdf">Download</a></li>
<li class="attachment"><strong>fine.pdf</strong>
<a href="/request/x/response/1/attach/3/fine.pdf">Download</a></li></ul></div>"""


def test_attachment_links_are_escaped_when_read_and_when_shown(project):
    messages = parse_correspondence(PAGE)
    links = [link for m in messages for link in m["attachment_links"]]
    assert links == [
        "/request/x/response/1/attach/2/e%5B2J%0Av%3Cil%3E%20.pdf",
        "/request/x/response/1/attach/3/fine.pdf",
    ]
    project.run("draft", CAMPAIGN)
    conn = sqlite3.connect(project.db)
    with conn:  # as a store written before links were escaped holds it
        conn.execute(
            "INSERT INTO correspondence (ref, direction, text, attachments, attachment_links, "
            "fingerprint, fetched_at) VALUES ('smm-1', 'incoming', 'hi', 'evil.pdf', ?, 'f', "
            "'2026-03-01T00:00:00+00:00')",
            ["/attach/e\x1b[2J\rx y<z>.pdf"],
        )
    conn.close()
    out = project.run("show", "smm-1").stdout
    assert "\x1b" not in out and "\r" not in out
    assert "/attach/e%1B%5B2J%0Dx%20y%3Cz%3E.pdf" in out


# --- the webhook: Slack's control sequences ---------------------------------------------------


def test_slack_control_sequences_are_escaped():
    assert slack_escaped("<!channel> <@U123> <https://evil.example|WDTK> & co") == (
        "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|WDTK&gt; &amp; co"
    )


def test_the_webhook_posts_escaped_text(hook):  # noqa: F811
    from bot.notify.send import post_webhook

    url, received = hook
    item = NewsItem("k1", "reply", "smm-1", "smm-1 (<!channel> <@U0> <http://x|y>) replied")
    post_webhook(url, Digest("<!here> news", item.text, 1, (item,)))
    body = received[-1][0]
    for text in (body["text"], body["items"][0]["text"]):
        assert "<" not in text and ">" not in text, text
    assert "&lt;!channel&gt;" in body["text"] and "&lt;!here&gt;" in body["text"]


# --- Markdown results --------------------------------------------------------------------------


def test_markdown_results_hold_no_raw_html(project):
    seed(project, body_names={"home_office": "Home <img src=x onerror=alert(1)> Office"})
    project.run("record", "smm-1", "dismissed=3", "notes=</td><script>alert(1)</script><!--")
    md = project.run("results", CAMPAIGN).stdout
    for raw in ("<img", "<script", "</td>", "<!--", "</script>"):
        assert raw not in md, raw
    assert "Home &lt;img src=x onerror=alert(1)> Office" in md
    assert "&lt;/td>&lt;script>alert(1)&lt;/script>&lt;!--" in md


# --- input with no line breaks ------------------------------------------------------------------


def test_track_reads_stdin_a_bounded_line_at_a_time(project):
    result = CliRunner().invoke(
        cli, ["--config", str(project.config), "track", "-"], input="x" * 2_000_000
    )
    assert result.exit_code == 2, result.output
    assert "stdin, line 1: no line break in a megabyte: not a list" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_record_from_a_csv_that_never_ends_is_refused(project):
    result = project.run("record", "--from-csv", "/dev/zero", expect=2)
    assert "/dev/zero: larger than 64 MB" in result.stderr


# --- templates load only templates ---------------------------------------------------------------


@pytest.mark.parametrize(
    "include", ['{% include "config.toml" %}', '{% include "templates/letters/leak.j2" %}']
)
def test_a_letter_cannot_include_the_config(project, include):
    letter = project.root / "templates" / "letters" / "social_media_misuse.txt.j2"
    letter.write_text(letter.read_text() + "\n" + include + "\n")
    # A template name, but a link to the file beside config.toml.
    (project.root / "templates" / "letters" / "leak.j2").symlink_to(project.config)
    result = project.run("draft", CAMPAIGN, expect=None)
    assert result.exit_code != 0
    out = result.stdout + result.stderr
    assert "a template may load only" in out, out
    assert "Traceback" not in out
    assert "[requester]" not in out and "Alex Example" not in out


# --- doctor --online and the webhook's secret ---------------------------------------------------


@pytest.mark.parametrize("closed", [False, True])
def test_doctor_online_never_prints_the_webhook_token(project, hook, closed):  # noqa: F811
    # Never the real WDTK from a test: a closed loopback port stands in for it.
    project.edit_config(
        'base_url = "https://www.whatdotheyknow.com"', 'base_url = "http://127.0.0.1:9"'
    )
    host = "127.0.0.1:9" if closed else hook[0].split("//", 1)[1].split("/", 1)[0]
    url = f"http://{host}/services/T0/B0/S3CRET-TOKEN?key=S3CRET"
    with project.config.open("a") as f:
        f.write(f'\n[notify.webhook]\nurl = "{url}"\n')
    result = project.run("doctor", "--online", "--json", expect=None)
    found = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert "S3CRET" not in result.stdout + result.stderr
    message = found["webhook (online)"]["message"]
    assert message.startswith(f"http://{host}/…"), message


def test_redacted_urls_keep_only_scheme_host_and_port():
    from bot.doctor.online_checks import redacted_url

    assert redacted_url("https://u:pw@hooks.example:8443/services/T/B/tok?x=1") == (
        "https://hooks.example:8443/…"
    )
    assert redacted_url("https://hooks.example") == "https://hooks.example"
    assert redacted_url("http://[::1]:8080/t") == "http://[::1]:8080/…"
    assert redacted_url("http://h:notaport/tok") == "(webhook URL)"
