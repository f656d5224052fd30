"""`foibot serve` (issue 31, first slice), driven over real HTTP on a loopback port.

Each test starts the real command line (`python -m bot serve --port 0`) in a subprocess
and waits for its "Serving on" line, printed only once the socket listens. The project is
the replica-backed example: released on 2 March 2026, polled, with tracked requests.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
import requests
from click.testing import CliRunner

from bot.cli import cli
from bot.web.guard import safe_next
from tests.report_support import Dom, chromium
from tests.support import Lines, released_project, sent_request
from tests.wdtk_replica import HOME_OFFICE, event, make_request_doc

PASSWORD = "correct horse battery"
EVIL = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='img'\">"


@contextmanager
def served(project, *args: str):
    """The server's base URL while it runs; stopped (SIGTERM) after."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(project.config), "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=project.root,
    )  # fmt: skip
    lines = Lines(proc.stdout)
    try:
        lines.wait_for(lambda ls: any("Serving on" in ln for ln in ls), "the server listens")
        line = next(ln for ln in lines.lines if "Serving on" in ln)
        port = re.search(r":(\d+)/", line).group(1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        assert "Traceback" not in lines.text(), lines.text()


def add_user(project, name: str = "alice", role: str = "editor") -> None:
    result = CliRunner().invoke(
        cli,
        ["--config", str(project.config), "users", "add", name, "--role", role],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output


def login(url: str, name: str = "alice") -> requests.Session:
    """A session logged in as `name` (PASSWORD)."""
    s = requests.Session()
    csrf = Page(s.get(f"{url}/login", timeout=30).text).csrf
    got = s.post(f"{url}/login", data={"name": name, "password": PASSWORD, "csrf": csrf},
                 allow_redirects=False, timeout=30)  # fmt: skip
    assert got.status_code == 303
    return s


class Page(HTMLParser):
    """The status table's rows (ref -> status cell), the request page's facts, and the
    value of the form's CSRF field."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.rows: dict[str, str] = {}
        self.facts: dict[str, str] = {}
        self.csrf = ""
        self._ref = None
        self._cell: tuple[str, str] | None = None  # ("status"|"fact", key)
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-ref" in a:
            self._ref = a["data-ref"]
        if tag == "td" and a.get("data-label") == "status":
            self._cell, self._text = ("status", self._ref), []
        if tag == "dd" and "data-fact" in a:
            self._cell, self._text = ("fact", a["data-fact"]), []
        if tag == "input" and a.get("name") == "csrf":
            self.csrf = a["value"]

    def handle_endtag(self, tag):
        if self._cell and tag in ("td", "dd"):
            kind, key = self._cell
            text = " ".join("".join(self._text).split())
            (self.rows if kind == "status" else self.facts)[key] = text
            self._cell = None

    def handle_data(self, data):
        if self._cell:
            self._text.append(data)


@pytest.fixture
def launched(project, replica):
    """The example campaign released on 2 March 2026, smm-1 sent then (and found by the
    poll), and a tracked group of three."""
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    for n in range(3):
        replica.add_request(make_request_doc(6100 + n, f"Potholes {n}", body=HOME_OFFICE, tags=[]))
        wdtk.run(
            "track", f"/request/{6100 + n}", "--group", "potholes", "--as-of", "2026-03-02T12:00"
        )
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    return wdtk


# --- the pages say what the command line says ---------------------------------------------


def test_status_page_lists_the_refs_and_statuses_of_status_json(launched):
    expected = {r["ref"]: r["status"] for r in launched.json("status")}
    assert {"smm-1", "wdtk-6100"} <= set(expected) and len(set(expected.values())) > 1
    with served(launched) as url:
        page = Page(requests.get(f"{url}/status", timeout=30).text)
        assert page.rows == expected
        # A filter is the command's filter; the downloads are the filtered rows.
        group = Page(requests.get(f"{url}/status?group=potholes", timeout=30).text)
        assert group.rows == {
            r["ref"]: r["status"] for r in launched.json("status", "--group", "potholes")
        }
        got = requests.get(f"{url}/status.json?campaign=social-media-misuse", timeout=30)
        assert got.json() == launched.json("status", "--campaign", "social-media-misuse")
        assert got.headers["content-disposition"].startswith("attachment")
        late = requests.get(f"{url}/status.json?overdue=1", timeout=30).json()
        assert {r["ref"] for r in late} == {r["ref"] for r in launched.json("overdue")}
        assert late  # sent in March: late by now
        csv_text = requests.get(f"{url}/status.csv?group=potholes", timeout=30).text
        assert csv_text.splitlines()[0].startswith("ref,campaign,body,title,status")
        assert len(csv_text.splitlines()) == 4
        # An unknown name is refused, naming it, as the command refuses it.
        bad = requests.get(f"{url}/status?campaign=nope", timeout=30)
        assert bad.status_code == 400 and "unknown campaign &#39;nope&#39;" in bad.text


def test_request_page_shows_every_statutory_date_show_shows(launched):
    shown = launched.json("show", "smm-1")
    with served(launched) as url:
        page = Page(requests.get(f"{url}/request/smm-1", timeout=30).text)
    dates = ("sent_on", "due", "very_overdue_after", "remind_after", "review_started_on",
             "review_latest", "review_by", "answered_on")  # fmt: skip
    expected = {k: shown[k] for k in dates if shown[k] is not None}
    assert {"sent_on", "due", "very_overdue_after"} <= set(expected)
    for key, value in expected.items():
        assert page.facts[key] == value, key
    # Counted by hand: received Monday 2 March 2026; FOIA s.10(1) twenty working days,
    # day 1 on 3 March, skipping St Patrick's Day (Tuesday 17 March, a bank holiday in
    # Northern Ireland, where FOIA runs too; Good Friday comes later): due Tuesday 31 March.
    assert page.facts["due"] == "2026-03-31"
    assert page.facts["law"] == "foi (Freedom of Information Act 2000)"
    assert page.facts["late"].endswith("counted from 2026-03-31")


# --- accounts, sessions and CSRF -------------------------------------------------------------


def test_any_other_address_without_accounts_refuses_to_start(project):
    result = project.run("serve", "--host", "0.0.0.0", "--port", "0", expect=2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "foibot users add NAME" in lines[0]
    # A trusted proxy forwards anyone: the same refusal on loopback.
    project.edit_config("[storage]", '[serve]\ntrusted_proxies = ["127.0.0.1"]\n\n[storage]')
    assert "foibot users add" in project.run("serve", "--port", "0", expect=2).stderr


def test_with_accounts_a_get_redirects_to_login_and_login_works(project):
    add_user(project)
    with served(project, "--host", "0.0.0.0") as url:
        got = requests.get(f"{url}/status?group=x", allow_redirects=False, timeout=30)
        assert got.status_code == 303
        assert got.headers["location"] == "/login?next=%2Fstatus%3Fgroup%3Dx"
        s = requests.Session()
        csrf = Page(s.get(f"{url}/login", timeout=30).text).csrf
        done = s.post(f"{url}/login", data={"name": "alice", "password": PASSWORD, "csrf": csrf,
                                            "next": "/status"}, allow_redirects=False, timeout=30)  # fmt: skip
        assert (done.status_code, done.headers["location"]) == (303, "/status")
        assert s.get(f"{url}/status", allow_redirects=False, timeout=30).status_code == 200
        cookie = done.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_an_account_added_from_a_script_reads_its_password_from_stdin(project):
    # A real pipe, not a terminal: the password is the first line, nothing warns that it
    # "may be echoed", and the account then logs in with it.
    added = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(project.config), "users", "add", "carol"],
        input=f"{PASSWORD}\n", capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (added.returncode, added.stdout, added.stderr) == (0, "Added carol (viewer).\n", "")
    with served(project, "--host", "0.0.0.0") as url:
        s = requests.Session()
        login = s.get(f"{url}/login", timeout=30).text
        assert "<nav>" not in login  # no links that would only lead back here
        done = s.post(f"{url}/login", data={"name": "carol", "password": PASSWORD,
                                            "csrf": Page(login).csrf, "next": "/status"},
                      allow_redirects=False, timeout=30)  # fmt: skip
        assert (done.status_code, done.headers["location"]) == (303, "/status")


def test_an_account_name_differing_only_in_case_is_refused(project):
    # The login form matches names exactly: "Alice" beside "alice" is one person's
    # second account, found only when the wrong password is refused.
    add_user(project, "alice")
    again = CliRunner().invoke(
        cli, ["--config", str(project.config), "users", "add", "Alice"], input="x\n"
    )
    assert again.exit_code == 2
    assert "account 'alice' exists already" in again.output
    assert [u["name"] for u in project.json("users", "list")] == ["alice"]


def test_post_without_csrf_is_refused_and_records_nothing(project):
    add_user(project)
    with served(project) as url:
        s = requests.Session()
        s.get(f"{url}/login", timeout=30)  # a session, but the form's token left out
        for data in ({}, {"csrf": "forged"}):
            got = s.post(f"{url}/login", data={"name": "alice", "password": PASSWORD, **data},
                         allow_redirects=False, timeout=30)  # fmt: skip
            assert got.status_code == 403
        # No session at all: refused too.
        bare = requests.post(f"{url}/login", data={"name": "alice", "password": PASSWORD,
                             "csrf": "x"}, allow_redirects=False, timeout=30)  # fmt: skip
        assert bare.status_code == 403
        assert s.get(f"{url}/status", allow_redirects=False, timeout=30).status_code == 303
    assert project.json("users", "list")[0]["last_login_at"] is None


def test_login_attempts_are_rate_limited_per_account_and_address(project):
    add_user(project)
    with served(project) as url:
        s = requests.Session()
        csrf = Page(s.get(f"{url}/login", timeout=30).text).csrf

        def attempt(name, password):
            return s.post(f"{url}/login", data={"name": name, "password": password, "csrf": csrf},
                          allow_redirects=False, timeout=60)  # fmt: skip

        for _ in range(5):
            assert attempt("alice", "wrong password!").status_code == 401
        # The sixth, even with the right password, waits out the window.
        locked = attempt("alice", PASSWORD)
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 60
        # Another account from the same address is not locked out by alice's failures.
        assert attempt("bob", "wrong password!").status_code == 401


def test_a_burst_of_logins_sent_at_once_meets_the_limit_as_it_comes(project):
    """Thirty wrong passwords sent together: each attempt is counted before its (slow)
    password check, so only five are checked (401) and the rest wait out the window."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    add_user(project)
    with served(project) as url:
        sessions = [requests.Session() for _ in range(30)]
        tokens = [Page(s.get(f"{url}/login", timeout=30).text).csrf for s in sessions]
        start = threading.Barrier(len(sessions))

        def attempt(i: int) -> int:
            start.wait()
            data = {"name": "alice", "password": "wrong password!", "csrf": tokens[i]}
            return sessions[i].post(f"{url}/login", data=data, allow_redirects=False,
                                    timeout=120).status_code  # fmt: skip

        with ThreadPoolExecutor(len(sessions)) as pool:
            codes = list(pool.map(attempt, range(len(sessions))))
    assert sorted(codes) == [401] * 5 + [429] * 25, codes


def test_login_goes_only_to_paths_on_this_site():
    assert safe_next("/status?campaign=x") == "/status?campaign=x"
    for hostile in ("//evil.example/", "/\\evil.example", "https://evil.example/", "evil", "",
                    None, "/\r\nSet-Cookie: x=1"):  # fmt: skip
        assert safe_next(hostile) == "/"


def test_forwarded_proto_is_believed_only_from_trusted_proxies(project):
    add_user(project)
    https = {"X-Forwarded-Proto": "https"}
    with served(project) as url:
        got = requests.get(f"{url}/login", headers=https, timeout=30)
        assert "Secure" not in got.headers["set-cookie"]
    project.edit_config("[storage]", '[serve]\ntrusted_proxies = ["127.0.0.1"]\n\n[storage]')
    with served(project) as url:
        got = requests.get(f"{url}/login", headers=https, timeout=30)
        assert "; Secure" in got.headers["set-cookie"]


def test_pages_send_a_strict_policy_and_refuse_foreign_host_names(launched):
    with served(launched) as url:
        got = requests.get(f"{url}/", timeout=30)
        csp = got.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        # Script only from the site's own files (the launch page's), never inline.
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp
        assert got.headers["x-frame-options"] == "DENY"
        assert "potholes" in got.text and "social-media-misuse" in got.text
        # No login on loopback: a page elsewhere reaching it by DNS rebinding is refused.
        rebound = requests.get(f"{url}/", headers={"Host": "evil.example"}, timeout=30)
        assert rebound.status_code == 400
        # The loopback names pass, an IPv6 literal with its port too (`serve --host ::1`).
        port = url.rsplit(":", 1)[1]
        for host in (f"[::1]:{port}", f"localhost:{port}", "127.0.0.1"):
            assert requests.get(f"{url}/", headers={"Host": host}, timeout=30).status_code == 200
        for host in ("[::1].evil.example", "127.0.0.1.evil.example:80", "", "[::2]:80"):
            got = requests.get(f"{url}/", headers={"Host": host}, timeout=30)
            assert got.status_code == 400, host


def test_bidi_overrides_from_wdtk_never_reach_a_page(launched, replica, tmp_path):
    """A title ending "x\u202egpj.exe" would read "xexe.jpg", and turn foibot's own words
    after it backwards: the pages and the HTML files show it without the override."""
    doc = make_request_doc(6670, "Spoof x\u202egpj.exe \u2066and more\u2069", body=HOME_OFFICE,
                           tags=[], sent_at="2026-03-02T10:00:00+00:00")  # fmt: skip
    replica.add_request(doc)
    launched.run("track", "/request/6670", "--group", "spoof", "--as-of", "2026-03-02T12:00")
    with served(launched) as url:
        pages = [requests.get(f"{url}{p}", timeout=30).text
                 for p in ("/status?group=spoof", "/request/wdtk-6670")]  # fmt: skip
    report = tmp_path / "report.html"
    launched.run("report", "--group", "spoof", "--format", "html", "-o", str(report))
    for html in (*pages, report.read_text(encoding="utf-8")):
        assert "Spoof xgpj.exe and more" in html
        assert not any(c in html for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# --- hostile data renders as text, in a real browser -------------------------------------


@pytest.fixture
def hostile(launched, replica):
    """A tracked WDTK request whose title and reply carry markup and script."""
    doc = make_request_doc(6660, f"Tracked {EVIL}", body=HOME_OFFICE, tags=[],
                           sent_at="2026-03-02T10:00:00+00:00",
                           events=[event(666000, "sent", "2026-03-02T10:00:00+00:00")])  # fmt: skip
    replica.add_request(doc)
    launched.run("track", "/request/6660", "--group", "evil", "--as-of", "2026-03-02T12:00")
    replica.add_event(
        6660, event(None, "response", "2026-03-03T09:00:00+00:00", text=f"Reply {EVIL}")
    )
    launched.run("poll", "--all", "--as-of", "2026-03-03T12:00")
    return launched


@pytest.mark.parametrize("size", ["1280,900", "390,844"])  # desktop, phone
def test_a_hostile_title_renders_as_text_in_chromium(hostile, tmp_path, size):
    ref = next(r["ref"] for r in hostile.json("status", "--group", "evil"))
    with served(hostile) as url:
        for path in (f"/request/{ref}", "/status", "/status?group=evil", "/"):
            html = chromium(tmp_path, f"--window-size={size}", "--virtual-time-budget=3000",
                            "--dump-dom", url + path).stdout  # fmt: skip
            dom = Dom(html)
            tags = {tag for tag, _ in dom.elements}
            assert "script" not in tags and "img" not in tags, path
            assert dom.title.startswith("foibot"), path  # no script changed it
            if path != "/":
                assert "<script>document.title='pwned'</script>" in " ".join(dom.text), path
    assert "Reply <script>" in json.dumps(hostile.json("show", ref)["correspondence"])


def test_a_removed_accounts_session_ends_at_its_next_page(project):
    add_user(project)
    add_user(project, "bob", "viewer")
    with served(project) as url:
        s = requests.Session()
        csrf = Page(s.get(f"{url}/login", timeout=30).text).csrf
        s.post(
            f"{url}/login", data={"name": "alice", "password": PASSWORD, "csrf": csrf}, timeout=30
        )
        assert s.get(f"{url}/status", allow_redirects=False, timeout=30).status_code == 200
        project.run("users", "remove", "alice")
        assert s.get(f"{url}/status", allow_redirects=False, timeout=30).status_code == 303


def test_the_first_account_added_while_serving_locks_every_page_at_once(launched):
    """A loopback server begun without accounts is open to this computer; `foibot users
    add` while it runs makes every page need a login from the next request, as it says,
    with no restart: reads and changes alike. Removing every account again keeps the
    pages locked (it never opens them)."""
    project = launched
    with served(project) as url:
        anon = requests.Session()
        page = anon.get(f"{url}/launch", allow_redirects=False, timeout=30)
        assert page.status_code == 200
        csrf = Page(page.text).csrf
        assert csrf
        add_user(project)
        for path in ("/status", "/status.json", "/", "/launch"):
            got = anon.get(f"{url}{path}", allow_redirects=False, timeout=30)
            assert got.status_code == 303 and got.headers["location"].startswith("/login"), path
        # The launch form posted with the session's own token, as before the account:
        # refused until logged in, and nothing recorded.
        got = anon.post(f"{url}/launch/sent", data={"csrf": csrf, "ref": "smm-2"},
                        allow_redirects=False, timeout=30)  # fmt: skip
        assert (got.status_code, got.text) == (403, "Log in first.")
        s = login(url)
        assert s.get(f"{url}/status", allow_redirects=False, timeout=30).status_code == 200
        project.run("users", "remove", "alice")
        assert anon.get(f"{url}/status", allow_redirects=False, timeout=30).status_code == 303
    assert "smm-2" not in {r["ref"] for r in project.json("status") if r["status"] == "sent"}


def test_logging_out_ends_a_copied_cookie_and_a_removed_name_added_again_starts_afresh(project):
    """Sessions are signed cookies: a copy of one (another browser, a stolen one) would
    outlive the logout unless the server ends the account's sessions. After logging out,
    the copy reaches nothing and can change nothing; a name removed and added again (a
    new password) does not bring back a cookie from before."""
    add_user(project)
    add_user(project, "bob", "viewer")
    with served(project) as url:
        s = requests.Session()
        csrf = Page(s.get(f"{url}/login", timeout=30).text).csrf
        s.post(f"{url}/login", data={"name": "alice", "password": PASSWORD, "csrf": csrf},
               timeout=30)  # fmt: skip
        copy = requests.Session()
        copy.cookies.update(s.cookies)
        assert copy.get(f"{url}/status", allow_redirects=False, timeout=30).status_code == 200
        token = Page(s.get(f"{url}/status", timeout=30).text).csrf
        out = s.post(f"{url}/logout", data={"csrf": token}, allow_redirects=False, timeout=30)
        assert out.status_code == 303
        assert copy.get(f"{url}/status", allow_redirects=False, timeout=30).status_code == 303
        assert copy.post(f"{url}/users", data={"csrf": token}, allow_redirects=False,
                         timeout=30).status_code == 403  # fmt: skip
        # Logging in again works, and is a new session.
        s = login(url)
        assert s.get(f"{url}/status", allow_redirects=False, timeout=30).status_code == 200
        b = login(url, "bob")
        assert b.get(f"{url}/status", allow_redirects=False, timeout=30).status_code == 200
        project.run("users", "remove", "bob")
        add_user(project, "bob", "viewer")
        assert b.get(f"{url}/status", allow_redirects=False, timeout=30).status_code == 303


def test_a_table_cell_keeps_hyphenated_words_whole_and_escapes_everything():
    """The status table's cells (app.table_cell): a ref or a date in one unbreakable span,
    a line break allowed after an underscore, and WDTK's text escaped before either."""
    from bot.web.app import table_cell

    assert str(table_cell("1 from 2026-03-31")) == '1 from <span class="word">2026-03-31</span>'
    assert str(table_cell("waiting_response")) == "waiting_<wbr>response"
    assert str(table_cell("<b>x-y</b>")) == '<span class="word">&lt;b&gt;x-y&lt;/b&gt;</span>'


def test_the_overview_counts_a_request_tracked_in_no_group(launched, replica):
    """The campaign's 7 and the potholes group's 3 have rows; a request tracked with no
    group has none, so the line above the rows says so and the total adds up."""
    replica.add_request(make_request_doc(6200, "Loose request", body=HOME_OFFICE, tags=[]))
    launched.run("track", "/request/6200", "--as-of", "2026-03-02T12:00")
    with served(launched, "--as-of", "2026-03-02T12:05") as url:
        html = requests.get(f"{url}/", timeout=30).text
    assert "11 requests, as of 2026-03-02 (UK), 1 of them tracked in no campaign or group" in html
