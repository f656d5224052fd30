"""`foibot serve`, the pages that change things (issue 31): the launch, follow-ups to
review, figures, search, roles, and the daemon serving the pages. Over real HTTP against
`foibot serve` in a subprocess (tests/test_serve.py's `served`), and in headless
Chromium at desktop and phone widths: --dump-dom with virtual time for the launch
buttons, the DevTools protocol on a pipe (tests/cdp.py) where a test clicks and types.

The project is the replica-backed example released on 2 March 2026 (smm-1 at 09:10,
smm-2 at 09:12); the pace is config.toml's (1 a minute, 2 in 8 minutes, ...) with the
default 1-minute margin.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import pytest
import requests

from tests.cdp import Browser
from tests.report_support import Dom, chromium
from tests.support import Lines, released_project, sent_request
from tests.test_serve import PASSWORD, Page, add_user, login, served
from tests.wdtk_replica import event

SIZES = [(1280, 900), (390, 844)]  # desktop, phone
CAMPAIGN = "social-media-misuse"
SCRIPT = "<script>document.title='pwned'</script>"


def csrf_of(s: requests.Session, url: str) -> str:
    return Page(s.get(url, timeout=30).text).csrf


# The wide CSV's columns are headed by the fields' descriptions (config.toml).
COLUMNS = {
    "dismissed": "Staff dismissed for social media misuse",
    "final_warnings": "Final written warnings",
    "other_action": "Other disciplinary action (written warnings, etc.)",
}


def results_csv(project) -> dict[str, dict[str, str]]:
    """`foibot results --format csv`, by body name, each row's values by field name."""
    text = project.run("results", CAMPAIGN, "--format", "csv").stdout
    rows = csv.DictReader(io.StringIO(text))
    return {row["Body"]: {k: row[c] for k, c in COLUMNS.items()} for row in rows}


@pytest.fixture
def released(project, replica):
    """smm-1 and smm-2 released, neither sent."""
    return released_project(project, replica)


def answered_with(project, replica, text: str):
    """smm-1 sent on 2 March and answered on 3 March with `text`, its reply polled."""
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.add_event(5001, event(None, "response", "2026-03-03T09:00:00+00:00", text=text))
    wdtk.run("poll", "--all", "--as-of", "2026-03-03T12:00")
    return wdtk


@pytest.fixture
def answered(project, replica):
    return answered_with(project, replica, "In 2021 we dismissed 4 members of staff.")


@pytest.fixture
def chased(project, replica):
    """smm-1 sent on 2 March and not answered: due 31 March (FOIA s.10(1), counted by
    hand in test_serve.py), its chaser smm-1-c1 drafted on 1 April."""
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    wdtk.run("followups", CAMPAIGN, "--kind", "chaser", "--as-of", "2026-04-01")
    return wdtk


def browse(tmp_path, size):
    return Browser(tmp_path, *size)


# --- the launch ------------------------------------------------------------------------


def test_launch_page_locks_each_button_until_the_pace_allows_it(released):
    # As of 09:12:00 nothing has been sent: smm-1 may go now; smm-2 waits for smm-1 to be
    # marked sent. Marked at 09:12, smm-2 may go 2 minutes after (1 request a minute, the
    # window widened by the 1-minute margin): at 09:14 UK (GMT in March), not at 09:13.
    with served(released, "--as-of", "2026-03-02T09:12") as url:
        html = requests.get(f"{url}/launch", timeout=30).text
    assert _open_sends(html) == ["smm-1"]
    assert "after the one above is marked sent" in _row(html, "smm-2")
    assert "(each window kept 1 minute wider)" in html
    released.run("done", "smm-1", "--as-of", "2026-03-02T09:12")
    with served(released, "--as-of", "2026-03-02T09:13") as url:
        html = requests.get(f"{url}/launch", timeout=30).text
    assert _open_sends(html) == []
    row = _row(html, "smm-2")
    assert 'aria-disabled="true"' in row and "locked until Mon 02 Mar 2026 09:14" in row
    with served(released, "--as-of", "2026-03-02T09:14") as url:
        assert _open_sends(requests.get(f"{url}/launch", timeout=30).text) == ["smm-2"]


def test_marking_sent_a_row_whose_time_has_not_come_asks_for_a_tick(released):
    """smm-2 waits behind smm-1: "Mark sent" on it is likely a click meant for another
    row, and a request marked sent leaves the sheet. It is refused unless the box "I sent
    it already" is ticked (sent elsewhere: then it counts against the pace)."""
    add_user(released)
    with served(released, "--host", "0.0.0.0", "--as-of", "2026-03-02T09:12") as url:
        s = login(url)
        page = s.get(f"{url}/launch", timeout=30).text
        assert 'name="early"' in _row(page, "smm-2") and 'name="early"' not in _row(page, "smm-1")
        csrf = Page(page).csrf
        refused = s.post(f"{url}/launch/sent", data={"csrf": csrf, "ref": "smm-2"}, timeout=30)
        assert refused.status_code == 400 and "smm-2 is not due to be sent yet" in refused.text
        assert "marked_sent" not in [e["kind"] for e in released.json("show", "smm-2")["events"]]
        ok = s.post(f"{url}/launch/sent", data={"csrf": csrf, "ref": "smm-1"},
                    allow_redirects=False, timeout=30)  # fmt: skip
        assert ok.status_code == 303
        done = s.post(f"{url}/launch/sent", data={"csrf": csrf, "ref": "smm-2", "early": "1"},
                      allow_redirects=False, timeout=30)  # fmt: skip
        assert done.status_code == 303
    assert "marked_sent" in [e["kind"] for e in released.json("show", "smm-2")["events"]]


@pytest.mark.parametrize("size", SIZES)
def test_launch_rows_fit_the_screen_with_mark_sent_on_it(released, tmp_path, size):
    """At phone width a launch row is a card (as on /status): the title gets the width
    of the screen and "Mark sent" stays on it, not squeezed off its right edge."""
    with served(released, "--as-of", "2026-03-02T09:12") as url:
        b = browse(tmp_path, size)
        try:
            b.goto(f"{url}/launch")
            cells = "tr[data-ref] td[data-label=title], tr[data-ref] button"
            boxes = b.js(f"""[...document.querySelectorAll('{cells}')].map(e => {{
                             const r = e.getBoundingClientRect();
                             return [e.tagName, r.left, r.right, r.width]; }})""")
            width = b.js("document.documentElement.clientWidth")
        finally:
            b.close()
    assert len(boxes) == 4  # smm-1 and smm-2: a title and a button each
    for tag, left, right, w in boxes:
        assert left >= 0 and right <= width, (tag, left, right, width)
        if tag == "TD":
            assert w >= min(width * 0.8, 300)  # a title on a line or two, not a letter a line


def test_the_status_table_breaks_no_word_at_desktop_width(chased, tmp_path):
    """At 1280 px each column of /status is as wide as its longest word: "successful",
    a date or a ref on one line, never "successf|ul" or "2026-03-|31"; titles still wrap
    between words. Counted as the lines each word's text occupies in Chromium, on 5 May,
    when smm-1 is waiting_response_very_overdue, the longest status, and long late."""
    with served(chased, "--as-of", "2026-05-05T12:00") as url:
        b = browse(tmp_path, (1280, 900))
        try:
            b.goto(f"{url}/status")
            # Per cell: its text, and for each word of each text node (an underscore may end
            # a line: "waiting_" and "response" are text nodes apart) the line boxes it spans.
            cells = b.js("""[...document.querySelectorAll('table.status td')].map(td => {
                const text = td.textContent.trim(), range = document.createRange();
                const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
                const spans = [];
                for (let node = walk.nextNode(); node; node = walk.nextNode()) {
                    for (const m of node.textContent.matchAll(/\\S+/g)) {
                        range.setStart(node, m.index);
                        range.setEnd(node, m.index + m[0].length);
                        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                        spans.push([m[0], tops.size]);
                    }
                }
                return [td.dataset.label, text, spans]; })""")
            fits = b.js("""[document.documentElement.scrollWidth <= window.innerWidth,
                             [...document.querySelectorAll('.scroll')].every(
                                 s => s.scrollWidth <= s.clientWidth)]""")
        finally:
            b.close()
    words = [(label, word, lines) for label, _, spans in cells for word, lines in spans]
    assert any(label == "due" for label, _, _ in words) and len(words) > 20
    broken = [(label, word) for label, word, lines in words if lines > 1]
    assert not broken, broken
    assert fits == [True, True]  # and no sideways scrolling for it


def test_phone_width_pages_need_no_sideways_scrolling(answered, tmp_path):
    """At 390 px the overview's counts by status, a request's history and the figures
    form fit the screen: no table wider than its box, no word cut off at the right; on
    the form, each figure's description and proposal are lines of their own."""
    with served(answered, "--as-of", "2026-05-05T12:00") as url:
        b = browse(tmp_path, (390, 844))
        try:
            fits = {}
            for page in ("/", "/request/smm-1", "/record/smm-1"):
                b.goto(url + page)
                fits[page] = b.js("""[document.documentElement.scrollWidth <= window.innerWidth,
                    [...document.querySelectorAll('.scroll, td')].every(
                        e => e.scrollWidth <= e.clientWidth + 1)]""")
            lines = b.js("""[...document.querySelectorAll('.figure')].map(f =>
                [...f.querySelectorAll('label, small')].map(e =>
                    Math.round(e.getBoundingClientRect().top)))""")
        finally:
            b.close()
    assert fits == {page: [True, True] for page in fits}, fits
    assert any(len(tops) > 1 for tops in lines), lines  # label, description[, proposal]
    for tops in lines:
        assert tops == sorted(set(tops)), tops  # each below the one before


def _row(html: str, ref: str) -> str:
    start = html.index(f'<tr data-ref="{ref}">')
    return html[start : html.index("</tr>", start)]


def _open_sends(html: str) -> list[str]:
    """The refs whose "open on WDTK" is a link."""
    return [
        ref for ref in re.findall(r'<tr data-ref="([^"]+)">', html)
        if '<a class="send"' in _row(html, ref)
    ]  # fmt: skip


@pytest.mark.parametrize("size", SIZES)
def test_launch_buttons_unlock_on_time_in_chromium(released, tmp_path, size):
    """static/launch.js unlocks smm-2 at 09:14, a minute after the page's clock (09:13):
    Chromium's virtual time runs the timer without the test waiting for it."""
    released.run("done", "smm-1", "--as-of", "2026-03-02T09:12")
    window = f"--window-size={size[0]},{size[1]}"
    with served(released, "--as-of", "2026-03-02T09:13") as url:

        def sends(budget_ms: int) -> tuple[int, str]:
            dom = Dom(chromium(tmp_path, window, f"--virtual-time-budget={budget_ms}",
                               "--dump-dom", f"{url}/launch").stdout)  # fmt: skip
            links = [a for tag, a in dom.elements if tag == "a" and a.get("class") == "send"]
            return len(links), " ".join(dom.text)

        before, text = sends(50_000)  # 09:13:50: still locked
        assert before == 0 and "locked until" in text
        after, text = sends(70_000)  # 09:14:10: unlocked
        assert after == 1 and "locked until" not in text and "send now" in text


@pytest.mark.parametrize("size", SIZES)
def test_marking_sent_on_the_launch_page_records_who(released, tmp_path, size):
    add_user(released)
    with served(released, "--as-of", "2026-03-02T09:12") as url:
        b = browse(tmp_path, size)
        try:
            _login_in_browser(b, url, "alice")
            b.goto(f"{url}/launch")
            b.submit("document.querySelector('tr[data-ref=\"smm-1\"] form button').click()")
            assert "Marked sent, not on WDTK yet" in b.text()
            assert b.js("document.querySelector('tr[data-ref=\"smm-1\"]')") is None
        finally:
            b.close()
    # `foibot done`'s own record: `launch` lists smm-1 as marked sent, and `show` says who.
    report = released.json("launch", CAMPAIGN, "--as-of", "2026-03-02T09:20")
    assert [m["ref"] for m in report["marked_sent"]] == ["smm-1"]
    assert "by=alice" in released.run("show", "smm-1").stdout


def _login_in_browser(b: Browser, url: str, name: str) -> None:
    b.goto(f"{url}/login")
    b.js(f"document.querySelector('input[name=name]').value = '{name}'")
    b.js(f"document.querySelector('input[name=password]').value = '{PASSWORD}'")
    b.submit("document.querySelector('form.login button').click()")


# --- follow-ups ------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_the_letter_editor_is_the_page_wide_with_its_label_above(chased, tmp_path, size):
    with served(chased) as url:
        b = browse(tmp_path, size)
        try:
            b.goto(f"{url}/followups")
            box, label, page = b.js("""(() => {
                const t = document.querySelector('article[data-ref="smm-1-c1"] textarea');
                const r = document.createRange();
                r.selectNodeContents(t.parentElement.firstChild);  // the word "Text"
                const m = t.closest('article').getBoundingClientRect();
                return [t.getBoundingClientRect(), r.getBoundingClientRect(), m]
                    .map(b => [b.left, b.top, b.width, b.bottom]); })()""")
        finally:
            b.close()
    (left, top, width, _), (label_left, _, _, label_bottom) = box, label
    page_width = page[2]
    assert width >= 0.95 * page_width, (width, page_width)
    assert box[3] - top >= 300  # twenty-odd lines of a letter, not a handful
    assert label_bottom <= top and label_left <= left + 1  # "Text" above the box


@pytest.mark.parametrize("size", SIZES)
def test_an_edited_followup_is_the_text_released(chased, tmp_path, size):
    edited = "Dear FOI team,\nPlease answer my request: it is late.\nYours, the edited text"
    with served(chased) as url:
        b = browse(tmp_path, size)
        try:
            b.goto(f"{url}/followups")
            box = "document.querySelector('article[data-ref=\"smm-1-c1\"] textarea')"
            b.js(f"{box}.value = {edited!r}")
            b.submit("document.querySelector('article[data-ref=\"smm-1-c1\"] button[value=save]')"
                     ".click()")  # fmt: skip
            assert "Yours, the edited text" in b.js(f"{box}.value")
        finally:
            b.close()
    released_now = chased.json("launch", CAMPAIGN, "--as-of", "2026-04-01T09:00")["followups"]
    assert [f["text"].strip() for f in released_now] == [edited]
    shown = chased.run("show", "smm-1").stdout
    assert "followup_edited" in shown and "by=local" in shown


def test_a_followups_ref_leads_to_it_on_its_requests_page_with_where_to_send_it(chased):
    """/request/<follow-up ref> (the ref `foibot show` takes) goes to the follow-up on its
    request's page; once released, that says where on WDTK to send it, as `show` does."""
    chased.json("launch", CAMPAIGN, "--as-of", "2026-04-01T09:00")  # releases smm-1-c1
    send_here = chased.json("show", "smm-1-c1")["send_url"]
    with served(chased) as url:
        got = requests.get(f"{url}/request/smm-1-c1", allow_redirects=False, timeout=30)
        assert (got.status_code, got.headers["location"]) == (303, "/request/smm-1#smm-1-c1")
        page = requests.get(f"{url}/request/smm-1", timeout=30).text
    article = page[page.index('<article class="followup" id="smm-1-c1">') :]
    article = article[: article.index("</article>")]
    assert f'send it at <a href="{send_here}"' in article


@pytest.fixture
def refused(project, replica):
    """smm-1 refused on 20 March; its internal review smm-1-ir drafted, with a note for
    the requester after the letter ("for you, not part of the letter")."""
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    replica.add_event(5001, event(None, "response", "2026-03-20T09:00:00+00:00",
                                  text="We refuse under section 40."))  # fmt: skip
    replica.add_event(5001, event(None, "status_update", "2026-03-20T10:00:00+00:00",
                                  described_state="rejected"))  # fmt: skip
    wdtk.run("poll", "--as-of", "2026-03-20T12:00")
    wdtk.run("followups", CAMPAIGN, "--kind", "internal-review", "--as-of", "2026-03-20")
    return wdtk


def test_the_letter_box_holds_the_letter_alone_and_the_note_is_kept(refused, tmp_path):
    """What is in the box is what gets copied into WDTK: the letter, never the note for
    the requester, which is shown beside it. Saving an edit keeps the note; a save refused
    because someone else changed the letter shows the typed text again."""
    stored = refused.json("show", "smm-1-ir")["text"]
    marker = "-------- for you, not part of the letter --------"
    assert marker in stored
    letter, note = stored.split(marker)
    with served(refused) as url:
        # Released: its long WDTK address wraps on a phone rather than widen the page.
        refused.json("launch", CAMPAIGN, "--as-of", "2026-03-23T09:00")
        b = browse(tmp_path, (390, 844))
        try:
            b.goto(f"{url}/followups")
            assert b.js("document.documentElement.scrollWidth") <= 390
        finally:
            b.close()
        s = requests.Session()
        html = s.get(f"{url}/followups", timeout=30).text
        box = html[html.index('<textarea name="text"') : html.index("</textarea>")]
        assert "for you" not in box and "Yours faithfully" in box
        assert 'class="for-you"' in html and note.split()[0] in html
        token = Page(html).csrf
        edited = letter.strip().replace("Yours faithfully", "Thank you.\n\nYours faithfully")
        got = s.post(f"{url}/followups/smm-1-ir", data={"csrf": token, "action": "save",
                     "text": edited, "loaded": letter.strip()}, allow_redirects=False,
                     timeout=30)  # fmt: skip
        assert got.status_code == 303
        saved = refused.json("show", "smm-1-ir")["text"]
        assert saved.startswith(edited) and saved.endswith(stored[stored.index(marker) :])
        # Someone else's save came first: refused, and the typed text is in the box again.
        mine = edited + "\nP.S. mine"
        got = s.post(f"{url}/followups/smm-1-ir", data={"csrf": token, "action": "save",
                     "text": mine, "loaded": letter.strip()}, timeout=30)  # fmt: skip
        assert got.status_code == 409 and "P.S. mine" in got.text
    assert refused.json("show", "smm-1-ir")["text"] == saved


def test_a_letter_edited_with_a_control_character_is_refused(chased):
    """NUL, ESC or a right-to-left override typed or pasted into a letter: refused with
    the page's 400, nothing saved; the browser's CRLF line ends are fine."""
    text = chased.json("show", "smm-1-c1")["text"]
    with served(chased) as url:
        s = requests.Session()
        token = csrf_of(s, f"{url}/followups")
        for bad in ("\x00", "\x1b[2J", "\u202e"):
            got = s.post(f"{url}/followups/smm-1-c1", data={"csrf": token, "action": "save",
                         "text": text + f"P.S.{bad}", "loaded": text}, timeout=30)  # fmt: skip
            assert got.status_code == 400 and "control character" in got.text, bad
        crlf = text.replace("\n", "\r\n") + "P.S. thanks"
        got = s.post(f"{url}/followups/smm-1-c1", data={"csrf": token, "action": "save",
                     "text": crlf, "loaded": text}, allow_redirects=False, timeout=30)  # fmt: skip
        assert got.status_code == 303
    assert chased.json("show", "smm-1-c1")["text"].endswith("P.S. thanks\n")


def test_followup_done_and_cancel_go_through_done(chased):
    with served(chased) as url:
        s = requests.Session()
        token = csrf_of(s, f"{url}/followups")
        got = s.post(f"{url}/followups/smm-1-c1", data={"csrf": token, "action": "approve",
                      "text": "", "loaded": ""}, allow_redirects=False, timeout=30)  # fmt: skip
        assert got.status_code == 303
        assert "approved by local" in s.get(f"{url}/followups", timeout=30).text
        # The text edited since: the approval was of another text, and no longer shows.
        text = chased.json("show", "smm-1-c1")["text"]
        got = s.post(f"{url}/followups/smm-1-c1", data={"csrf": token, "action": "save",
                     "text": text + "P.S.", "loaded": text}, allow_redirects=False, timeout=30)  # fmt: skip
        assert got.status_code == 303
        assert "approved by" not in s.get(f"{url}/followups", timeout=30).text
        got = s.post(f"{url}/followups/smm-1-c1", data={"csrf": token, "action": "cancel"},
                     allow_redirects=False, timeout=30)  # fmt: skip
        assert got.status_code == 303
        again = s.post(f"{url}/followups/smm-1-c1", data={"csrf": token, "action": "done"},
                       timeout=30)  # fmt: skip
        assert again.status_code == 400 and "already cancelled" in again.text
    followups = chased.json("show", "smm-1")["followups"]
    assert [f["status"] for f in followups] == ["cancelled"]
    # `show` on the follow-up itself says who did each thing, as on the request.
    history = chased.run("show", "smm-1-c1").stdout.split("History:")[1]
    for kind in ("followup_approved", "followup_edited", "followup_cancelled"):
        assert re.search(rf"  {kind}  by=local$", history, re.M), (kind, history)


# --- figures ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_a_figure_entered_in_the_form_appears_in_results(answered, tmp_path, size):
    add_user(answered)
    body = "Home Office"
    with served(answered) as url:
        b = browse(tmp_path, size)
        try:
            _login_in_browser(b, url, "alice")
            b.goto(f"{url}/record/smm-1")
            # The reply's text beside the form, and hints' proposal filled in and marked.
            assert "we dismissed 4 members of staff" in b.text()
            for key, value in (("final_warnings", "<5"), ("other_action", "withheld:s40")):
                b.js(f"document.querySelector('input[name=\"v:{key}\"]').value = {value!r}")
            # A form without its CSRF token is refused and records nothing.
            b.submit("document.querySelector('.figures-form input[name=csrf]').remove();"
                     "document.querySelector('.figures-form button').click()")  # fmt: skip
            assert "Refused" in b.text()
            assert results_csv(answered)[body]["final_warnings"] == ""
            b.goto(f"{url}/record/smm-1")
            for key, value in (("final_warnings", "<5"), ("other_action", "withheld:s40")):
                b.js(f"document.querySelector('input[name=\"v:{key}\"]').value = {value!r}")
            b.submit("document.querySelector('.figures-form button').click()")
        finally:
            b.close()
    row = results_csv(answered)[body]
    assert (row["final_warnings"], row["other_action"]) == ("<5", "withheld (s.40)")
    show = answered.run("show", "smm-1").stdout
    assert "by=alice" in show


def test_a_prefilled_hint_saved_unchanged_is_marked_as_a_hint_in_results(project, replica):
    """The reply says "We dismissed 4 members of staff": the form fills dismissed with 4
    from that sentence. Saved as filled, it is recorded with the hint's source (as
    `record --accept-hints` does); a value typed in is not."""
    answered = answered_with(project, replica, "We dismissed 4 members of staff.")
    with served(answered) as url:
        s = requests.Session()
        form = Page(s.get(f"{url}/record/smm-1", timeout=30).text)
        got = s.post(f"{url}/record/smm-1", data={"csrf": form.csrf, "v:dismissed": "4",
                     "was:dismissed": "", "v:final_warnings": "3", "was:final_warnings": ""},
                     allow_redirects=False, timeout=30)  # fmt: skip
        assert got.status_code == 303
    text = answered.run("results", CAMPAIGN, "--format", "csv").stdout
    (row,) = [r for r in csv.DictReader(io.StringIO(text)) if r["Body"] == "Home Office"]
    assert "reply e-mail" in row["From accepted hints"]
    assert "Final written warnings" not in row["From accepted hints"]


def test_a_less_sure_hint_is_shown_not_filled_in(project, replica):
    """ "We took action against 3 staff" may be other_action (medium): shown beside its box
    but not filled in, so a save made for a note records no figure."""
    answered = answered_with(project, replica, "We took action against 3 staff: see table.")
    with served(answered) as url:
        s = requests.Session()
        html = s.get(f"{url}/record/smm-1", timeout=30).text
        assert '<input name="v:other_action" value="">' in html
        assert "proposed: 3 [medium] from reply e-mail" in html
        data = {"csrf": Page(html).csrf, "v:other_action": "", "was:other_action": "",
                "note": "checked the reply"}  # fmt: skip
        got = s.post(f"{url}/record/smm-1", data=data, allow_redirects=False, timeout=30)
        assert got.status_code == 303
    assert results_csv(answered)["Home Office"]["other_action"] == ""


def test_the_later_of_two_saves_of_one_figure_is_refused_with_the_others_value(answered):
    with served(answered) as url:
        first, second = requests.Session(), requests.Session()
        forms = [Page(s.get(f"{url}/record/smm-1", timeout=30).text) for s in (first, second)]
        got = first.post(f"{url}/record/smm-1", data={"csrf": forms[0].csrf, "v:final_warnings": "3",
                         "was:final_warnings": ""}, allow_redirects=False, timeout=30)  # fmt: skip
        assert got.status_code == 303
        late = second.post(f"{url}/record/smm-1", data={"csrf": forms[1].csrf,
                           "v:final_warnings": "7", "was:final_warnings": ""}, timeout=30)  # fmt: skip
        assert late.status_code == 409
        assert re.search(r"final_warnings: now <strong>3</strong> \(by local\)", late.text)
        # `record`'s parser refuses what it refuses, naming the field.
        bad = second.post(f"{url}/record/smm-1", data={"csrf": forms[1].csrf,
                          "v:dismissed": "lots", "was:dismissed": ""}, timeout=30)  # fmt: skip
        assert bad.status_code == 400 and "dismissed" in bad.text
    assert results_csv(answered)["Home Office"]["final_warnings"] == "3"


def test_the_same_form_sent_twice_is_saved_once_not_refused(answered):
    """A double click: the second copy finds its own value recorded. It is no conflict
    with "someone else", and records nothing more."""
    with served(answered) as url:
        s = requests.Session()
        form = Page(s.get(f"{url}/record/smm-1", timeout=30).text)
        data = {"csrf": form.csrf, "v:final_warnings": "3", "was:final_warnings": ""}
        codes = [s.post(f"{url}/record/smm-1", data=data, allow_redirects=False, timeout=30)
                 .status_code for _ in range(2)]  # fmt: skip
    assert codes == [303, 303]
    shown = answered.json("show", "smm-1")
    assert [e["kind"] for e in shown["events"]].count("recorded") == 1


def test_results_exports_are_the_results_commands(answered):
    answered.run("record", "smm-1", "dismissed=4")
    with served(answered) as url:
        for fmt, args in (
            ("csv", ["--format", "csv"]),
            ("markdown", []),
        ):
            got = requests.get(f"{url}/figures/{CAMPAIGN}/results.{fmt}", timeout=30)
            assert got.headers["content-disposition"].startswith("attachment")
            expected = answered.run("results", CAMPAIGN, *args).stdout
            assert got.text.replace("\r\n", "\n") == expected.replace("\r\n", "\n")
        page = requests.get(f"{url}/figures/{CAMPAIGN}", timeout=30).text
        assert "Results: what each body said" in page
        # Headed by the campaign's title, as `foibot results` is, not by its slug alone.
        title = answered.run("results", CAMPAIGN).stdout.splitlines()[0].removeprefix("## ")
        assert f"<h1>Results: {title} <small>{CAMPAIGN}</small></h1>" in page, page[:2000]


def _plain_text(html: str) -> str:
    """The page's text as a browser shows it with no style sheet: tags dropped, runs of
    white space one space."""
    return " ".join("".join(Dom(html).text).split())


def test_results_section_has_no_inline_style_and_reads_without_css(answered):
    """The site's policy (style-src 'self') drops inline `style` attributes, so the
    published section must carry none; its rules come from /static/results.css. With no
    style at all, a total and its note, a body and its state, stay apart."""
    answered.run("record", "smm-1", "dismissed=4")
    with served(answered) as url:
        page = requests.get(f"{url}/figures/{CAMPAIGN}", timeout=30).text
        css = requests.get(f"{url}/static/results.css", timeout=30)
    assert " style=" not in page
    assert '<link rel="stylesheet" href="/static/results.css">' in page
    assert css.headers["content-type"].startswith("text/css") and ".result-cards" in css.text
    text = _plain_text(page)
    assert "Police Scotland: draft" in text
    # smm-1 alone has a figure: the other six bodies are listed under the total.
    assert "≥ 4 (1 body counted; not counted: 6 bodies with no figure yet)" in text


@pytest.mark.parametrize("size", SIZES)
def test_results_table_at_desktop_and_cards_at_phone_width(answered, tmp_path, size):
    answered.run("record", "smm-1", "dismissed=4")
    with served(answered) as url:
        b = browse(tmp_path, size)
        try:
            b.goto(f"{url}/figures/{CAMPAIGN}")
            shown = b.js("[...document.querySelectorAll('.results-scroll, .result-cards')]"
                         ".map(e => getComputedStyle(e).display)")  # fmt: skip
            caption = b.js("getComputedStyle(document.querySelector('caption')).textAlign")
        finally:
            b.close()
    assert shown == (["block", "none"] if size[0] > 640 else ["none", "block"])
    assert caption == "left"


def test_csv_upload_is_all_or_nothing_as_record_from_csv(answered):
    good = "ref,field,value\nsmm-1,dismissed,2\nsmm-2,final_warnings,<5\n"
    bad = good + "smm-1,nonsense,3\n"
    with served(answered) as url:
        s = requests.Session()
        token = csrf_of(s, f"{url}/figures/{CAMPAIGN}")
        refused = s.post(f"{url}/figures/{CAMPAIGN}/upload", data={"csrf": token},
                         files={"file": ("f.csv", bad, "text/csv")}, timeout=30)  # fmt: skip
        assert refused.status_code == 400
        assert "f.csv, line 4" in refused.text and "nothing recorded" in refused.text
        assert results_csv(answered)["Home Office"]["dismissed"] == ""
        done = s.post(f"{url}/figures/{CAMPAIGN}/upload", data={"csrf": token},
                      files={"file": ("f.csv", good, "text/csv")}, timeout=30)  # fmt: skip
        assert done.status_code == 200 and "Recorded 2 values for 2 requests" in done.text
    assert results_csv(answered)["Home Office"]["dismissed"] == "2"


# --- search ----------------------------------------------------------------------------


def test_search_page_finds_what_search_finds(answered):
    expected = [h["ref"] for h in answered.json("search", "dismissal")]
    assert expected == ["smm-1"]  # stemmed: "dismissed" in the reply
    with served(answered) as url:
        page = requests.get(f"{url}/search", params={"q": "dismissal"}, timeout=30).text
        assert re.findall(r'<article class="hit" data-ref="([^"]+)"', page) == expected
        assert "<mark>dismissed</mark>" in page
        bad = requests.get(
            f"{url}/search", params={"q": "dismissal", "campaign": "nope"}, timeout=30
        )
        assert bad.status_code == 400


# --- roles and hostile text --------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_a_viewer_can_change_nothing(chased, tmp_path, size):
    answered = chased
    add_user(answered, "bob", "viewer")
    with served(answered) as url:
        before = answered.dump()  # with the session key the server made as it started
        b = browse(tmp_path, size)
        try:
            _login_in_browser(b, url, "bob")
            for path in ("/launch", "/followups", f"/figures/{CAMPAIGN}", "/record/smm-1"):
                b.goto(url + path)
                # No form that changes anything is offered (only logging out).
                actions = b.js("Array.from(document.forms).map(f => f.getAttribute('action'))")
                assert [a for a in actions if a != "/logout"] in ([], ["/record/smm-1"]), path
            # The figures form says why its boxes take no typing, and its dates read as
            # the rest of the site's do (UK time, not ISO 8601).
            text = b.text()
            assert "a viewer: these figures are shown, not changed" in text
            assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", text), text
            # Posting anyway, with a valid session and token, is refused before any page runs
            # (a form built in the page: its CSP allows no script requests).
            token = b.js("document.querySelector('input[name=csrf]').value")
            for path, fields in (("/launch/sent", {"ref": "smm-2"}),
                                 ("/record/smm-1", {"v:dismissed": "9", "was:dismissed": ""}),
                                 ("/followups/smm-1-c1", {"action": "cancel"})):  # fmt: skip
                b.submit(
                    "(() => { const f = document.createElement('form'); f.method = 'post';"
                    f"f.action = {path!r}; const add = (k, v) => {{ const i ="
                    " document.createElement('input'); i.name = k; i.value = v; f.append(i); };"
                    f"add('csrf', {token!r});"
                    + "".join(f"add({k!r}, {v!r});" for k, v in fields.items())
                    + "document.body.append(f); f.submit(); })()"
                )  # fmt: skip
                assert b.js("performance.getEntriesByType('navigation')[0].responseStatus") == 403
                assert "a viewer account can read every page but change nothing" in b.text()
        finally:
            b.close()
    after = answered.dump()
    after.pop("users", None), before.pop("users", None)  # its login time
    assert after == before


@pytest.fixture
def hostile_campaign(project, replica):
    """The example campaign with markup and script in its title, smm-1 chased on 1 April."""
    wdtk = released_project(project, replica, title=f"{{{{ body.short_name }}}}: {SCRIPT}")
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    wdtk.run("followups", CAMPAIGN, "--kind", "chaser", "--as-of", "2026-04-01")
    return wdtk


@pytest.mark.parametrize("size", SIZES)
def test_a_hostile_title_renders_as_text_on_every_new_page(hostile_campaign, tmp_path, size):
    assert SCRIPT in hostile_campaign.json("show", "smm-2")["title"]
    window = f"--window-size={size[0]},{size[1]}"
    with served(hostile_campaign, "--as-of", "2026-03-02T09:12") as url:
        for path in ("/launch", "/followups", "/figures", f"/figures/{CAMPAIGN}",
                     "/record/smm-1", f"/search?q={SCRIPT}"):  # fmt: skip
            dom = Dom(chromium(tmp_path, window, "--virtual-time-budget=3000", "--dump-dom",
                               url + path).stdout)  # fmt: skip
            scripts = [a for tag, a in dom.elements if tag == "script"]
            assert all(a.get("src") == "/static/launch.js" for a in scripts), path
            assert dom.title.startswith("foibot"), path
            if path.startswith("/search"):  # the words asked for, back in their box
                assert ("input", SCRIPT) in {(t, a.get("value")) for t, a in dom.elements}
            elif path != "/figures":  # it names campaigns, not requests
                assert SCRIPT in " ".join(dom.text), path


# --- the daemon ------------------------------------------------------------------------


def test_the_daemon_serves_the_pages_when_asked(released, tmp_path):
    port = _free_port()
    released.edit_config("[storage]", f"[serve]\ndaemon = true\nport = {port}\n\n[storage]")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(released.config), "daemon",
         "--log-level", "DEBUG"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=released.root,
    )  # fmt: skip
    lines = Lines(proc.stdout)
    try:
        lines.wait_for(lambda ls: any("Serving on" in ln for ln in ls), "the pages are served")
        # The pages are up before the first pass, which may release a draft: compare
        # once it has ended (DEBUG logs it even when it did nothing).
        first_pass = re.compile(r"daemon: poll(:| failed)")  # not "daemon: job poll: every …"
        lines.wait_for(lambda ls: any(first_pass.search(ln) for ln in ls), "the first pass")
        url = f"http://127.0.0.1:{port}"
        page = Page(requests.get(f"{url}/status", timeout=30).text)
        assert page.rows == {r["ref"]: r["status"] for r in released.json("status")}
        assert requests.get(f"{url}/launch", timeout=30).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert proc.returncode == 0
    assert "Traceback" not in lines.text()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- pagination -------------------------------------------------------------------------


def test_status_pages_hold_at_most_200_rows(project):
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    try:
        from _common import build_database  # the benchmarks' database of N requests
    finally:
        sys.path.pop(0)
    build_database(project.db, project.config, 450, events=450)
    with served(project) as url:
        pages = [Page(requests.get(f"{url}/status?page={n}", timeout=30).text) for n in (1, 2, 3)]
        first = requests.get(f"{url}/status", timeout=30).text
    assert [len(p.rows) for p in pages] == [200, 200, 50]
    assert len({ref for p in pages for ref in p.rows}) == 450
    assert 'rel="next"' in first and "page 1 of 3" in first
