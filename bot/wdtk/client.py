"""The one way foibot talks to WhatDoTheyKnow: a polite, bounded, read-only HTTP client.

WDTK publishes no read rate limit (protocol §5.2), so the limits here are ours: one request
at a time, a pause between calls, an identifying User-Agent, backoff on trouble, and
robots.txt obeyed. Per-request polling gets its outcome as data (FetchResult) because one
bad request must never stop a poll of a thousand; the other calls raise WdtkError.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import json
import re
import socket
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, urldefrag, urljoin, urlsplit

import bot
from bot.config import WdtkConfig
from bot.errors import Interrupted
from bot.watchdog import Watchdog
from bot.wdtk.errors import PayloadError, WdtkError
from bot.wdtk.payload import WdtkRequest, clean_text, parse_request
from bot.wdtk.robots import RobotsCache, RobotsRules

if TYPE_CHECKING:
    import requests

ROBOTS_TRIES = 2
AGENT = "foibot"  # the robots.txt group foibot obeys
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
# The longest Retry-After believed: a longer (or absurd: "1e400", a date in the year 9999)
# value is read as this many seconds, so no calendar arithmetic can overflow and no
# request is scheduled for a later century. It matches the outage back-off's longest step
# (bot/tracking/poll.py PROBE_MAX).
MAX_RETRY_AFTER_S = 3600.0

FetchKind = Literal["ok", "not_modified", "hidden", "gone", "error"]


class RobotsDisallowed(WdtkError):
    """robots.txt forbids the path and [wdtk] respect_robots is on."""


@dataclass(frozen=True)
class FetchResult:
    """What one poll of one request found. Only `ok` carries a request."""

    kind: FetchKind
    request: WdtkRequest | None = None
    etag: str | None = None
    url: str | None = None  # after redirects: /request/<id>.json lands on the current slug
    status: int | None = None
    message: str | None = None
    retry_after_s: float | None = None
    attempts: int = 0
    site_down: bool = False  # robots.txt itself did not answer: the whole site is down
    # An answer that is the site's, not the request's: an HTML page (WDTK's maintenance
    # page is served with HTTP 200) where JSON was asked for. It counts towards an outage.
    site_trouble: bool = False

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


@dataclass(frozen=True)
class _Response:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    attempts: int

    def text(self) -> str:
        charset = _charset(self.headers.get("Content-Type", "")) or "utf-8"
        try:
            return self.body.decode("utf-8-sig" if charset.startswith("utf") else charset)
        except LookupError:
            return self.body.decode("utf-8", errors="replace")
        except UnicodeDecodeError as exc:
            raise WdtkError(f"invalid UTF-8 at byte {exc.start}", status=self.status) from None


@dataclass(frozen=True)
class _Transient:
    """A failure worth retrying: the network, or a 429/5xx."""

    problem: str
    status: int | None = None
    retry_after_s: float | None = None
    final: bool = False  # not worth another try (the whole-response deadline ran out)


class TooLarge(WdtkError):
    """A response over the cap it was read with. `size` is its Content-Length when the
    server gave one, else None (only the cap is known: it was not read to the end)."""

    def __init__(self, message: str, *, status: int | None, size: int | None):
        super().__init__(message, status=status)
        self.size = size


@dataclass(frozen=True)
class Download:
    """A file WDTK served: its bytes and the Content-Type it was sent with."""

    body: bytes
    content_type: str
    url: str


class RobotsUnreachable(WdtkError):
    """robots.txt did not answer (network, 5xx, 429): nothing on the site may be fetched."""


class FirstCallFailed(RobotsUnreachable):
    """A call found the site in trouble, robots.txt (kept from an earlier pass, and read
    afresh to see) did not answer either: the whole site is down (_probe_send)."""


class SitePage(WdtkError):
    """An HTML page where JSON was asked for: the site's page (maintenance, error), not the
    request's document, so it says the site is in trouble rather than this request."""


def user_agent(contact: str) -> str:
    version = f"foibot/{bot.__version__}"
    return f"{version} (+{contact})" if contact else version


class WdtkClient:
    """A polite session with WDTK. Use as a context manager; safe to share between threads.

    `sleep`, `clock` (monotonic seconds) and `wall_clock` (epoch seconds, for HTTP-date
    Retry-After values) are injectable so tests can check waits without waiting. A retry
    waits backoff_s × 2^(n-1), or the server's Retry-After if longer, at most max_sleep_s;
    a Retry-After beyond max_sleep_s ends the call instead (see _send).

    Hard limits: each attempt (connect, headers, body) ends within [wdtk] timeout_s of real
    time whatever the server does, because a watchdog shuts its socket down at the deadline;
    an attempt that runs out of time is not retried. `stop` is the caller's stop flag
    (SIGTERM): once set, the minimum-interval and back-off waits end at once, a call in
    flight is cut off within bot.watchdog.STOP_POLL_S, and every call raises Interrupted.
    `robots_cache` keeps robots.txt between clients, a day at most (RobotsCache; the
    commands and the daemon keep it in the database).
    """

    def __init__(
        self,
        config: WdtkConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        max_tries: int | None = None,
        backoff_s: float | None = None,
        max_sleep_s: float = 60.0,
        stop: threading.Event | None = None,
        watch_clock: Callable[[], float] = time.monotonic,
        robots_cache: RobotsCache | None = None,
    ):
        self.config = config
        self._robots_cache = robots_cache
        self._stop = stop
        if stop is not None and sleep is time.sleep:
            sleep = stop.wait
        self.base_url = config.base_url.rstrip("/")
        # Arguments win over [wdtk] max_tries / backoff_s so tests can be fast.
        self.max_tries = max(1, max_tries or getattr(config, "max_tries", 4))
        self.backoff_s = backoff_s if backoff_s is not None else getattr(config, "backoff_s", 2.0)
        self.max_sleep_s = max_sleep_s
        self.http_calls = 0  # every attempt on the wire, for benchmarks and `doctor`
        self._sleep, self._clock, self._wall_clock = sleep, clock, wall_clock
        # The watchdog's clock (real monotonic seconds): injectable only so a test can run
        # the default 30 s timeout against a dribbling server at a faster pace.
        self._watch_clock = watch_clock
        # The pass budget ([wdtk] pass_budget_s) runs from the client's creation: one
        # client serves one pass (mail, then the poll), whichever command runs it.
        self._pass_started = clock()
        self._netloc = urlsplit(self.base_url).netloc.lower()
        self._timeout = (min(config.timeout_s, 10.0), config.timeout_s)
        self._lock = threading.Lock()
        self._not_before = float("-inf")
        self._blocked_until = float("-inf")
        self._robots: RobotsRules | None = None
        self._probe = False  # see _probe_send
        # Whether robots.txt has answered this client over the network (not from the
        # cache): the site was up then, whatever one request's answers say.
        self.robots_answered = False
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        # The HTTP stack (requests, urllib3, ssl: ~10 MB) loads with the first call
        # (bot/wdtk/transport.py), so a daemon pass with nothing to fetch never loads it.
        self._session: requests.Session | None = None

    def __enter__(self) -> WdtkClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    # --- what callers use ----------------------------------------------------------------

    def fetch_request(self, ref: int | str, etag: str | None = None) -> FetchResult:
        """Poll one request by numeric id (preferred: it survives retitling) or slug."""
        try:
            resp = self._get(_request_path(ref, ".json"), "application/json", etag=etag)
        except WdtkError as exc:
            return FetchResult(
                "error",
                message=str(exc),
                status=exc.status,
                retry_after_s=exc.retry_after_s,
                site_down=isinstance(exc, RobotsUnreachable),
                site_trouble=isinstance(exc, SitePage),
            )
        seen: dict[str, Any] = {"url": resp.url, "status": resp.status, "attempts": resp.attempts}
        if resp.status == 304 and etag:
            return FetchResult("not_modified", etag=resp.headers.get("ETag") or etag, **seen)
        if resp.status == 403:  # prominence hidden / requester_only (protocol §1.1)
            return FetchResult("hidden", message="HTTP 403: hidden on WDTK", **seen)
        if resp.status in (404, 410):  # deleted, or an embargoed Pro request
            return FetchResult("gone", message=f"HTTP {resp.status}: not on WDTK", **seen)
        if resp.status != 200:
            return FetchResult("error", message=f"HTTP {resp.status}", **seen)
        try:
            request = parse_request(_decode_json(resp))
        except PayloadError as exc:
            return FetchResult("error", message=f"wrong shape: {exc}", **seen)
        except WdtkError as exc:
            return FetchResult(
                "error", message=str(exc), site_trouble=isinstance(exc, SitePage), **seen
            )
        if isinstance(ref, int) and request.id != ref:
            # Never file another request's events under this one.
            return FetchResult(
                "error", message=f"asked for request {ref}, got request {request.id}", **seen
            )
        return FetchResult("ok", request=request, etag=resp.headers.get("ETag"), **seen)

    def fetch_request_html(self, ref: int | str) -> str | None:
        """The HTML page /request/<slug>; None when hidden or gone. Raises WdtkError."""
        resp = self._get(_request_path(ref, ""), "text/html")
        if resp.status in (403, 404, 410):
            return None
        if resp.status != 200:
            raise WdtkError(f"{resp.url}: HTTP {resp.status}", status=resp.status)
        return resp.text()

    def get_text(self, url: str) -> str:
        """A text document (e.g. all-authorities.csv) by path or full URL. Raises WdtkError.

        A full URL on another host is allowed because the user typed it; redirects still
        may not leave whichever host was asked.
        """
        resp = self._get(url, "text/csv, text/plain;q=0.9, */*;q=0.5")
        if resp.status == 204:  # WDTK's CSV has not been built yet (protocol §1.6)
            raise WdtkError(f"{resp.url}: HTTP 204, no content yet; try again later", status=204)
        if resp.status != 200:
            raise WdtkError(f"{resp.url}: HTTP {resp.status}", status=resp.status)
        return resp.text()

    def get_json(self, url: str) -> Any:
        """Any JSON endpoint (/body/<n>.json, /user/<n>.json…). Raises WdtkError."""
        resp = self._get(url, "application/json")
        if resp.status != 200:
            raise WdtkError(f"{resp.url}: HTTP {resp.status}", status=resp.status)
        return _decode_json(resp)

    def fetch_user_feed(self, user_url_name: str, page: int = 1) -> list[Any]:
        """Recent events by a user, newest first. Only with [wdtk] use_feeds = true, since
        WDTK's robots.txt disallows /feed/ (protocol §5.1)."""
        if not self.config.use_feeds:
            raise WdtkError("feeds are off; set [wdtk] use_feeds = true to use them")
        path = f"/feed/user/{quote(user_url_name, safe='')}.json"
        data = self.get_json(path + (f"?page={page}" if page > 1 else ""))
        if not isinstance(data, list):
            raise PayloadError("", f"is not a list of events (got {type(data).__name__})")
        return data

    def download(self, path: str, max_bytes: int) -> Download:
        """An attachment at `path` (a download link from a request page, relative to
        [wdtk] base_url), read to at most `max_bytes`: the same gate, robots rules,
        deadline and retries as every other call. Raises TooLarge over the cap (before a
        byte of the body is read when Content-Length says so), WdtkError otherwise."""
        if not path.startswith("/") or path.startswith("//"):
            # Stored links are paths on WDTK: a full URL here would be another host's.
            raise WdtkError(f"not a WDTK path: {clean_text(path)[:80]!r}")
        resp = self._get(path, "*/*", cap=max_bytes)
        if resp.status in (403, 404, 410):
            raise WdtkError(
                f"HTTP {resp.status}: not on WDTK (hidden or removed)", status=resp.status
            )
        if resp.status != 200:
            raise WdtkError(f"HTTP {resp.status}", status=resp.status)
        return Download(resp.body, resp.headers.get("Content-Type", ""), resp.url)

    # --- one logical GET: robots, redirects, then _send ------------------------------------

    def stopped(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    def out_of_time(self) -> bool:
        """The pass has used its [wdtk] pass_budget_s: callers start no new request."""
        budget = getattr(self.config, "pass_budget_s", None)
        return budget is not None and self._clock() - self._pass_started >= budget

    def blocked_s(self) -> float:
        """How long WDTK's Retry-After still forbids any call (0: none does)."""
        return max(0.0, self._blocked_until - self._clock())

    def _check_stop(self) -> None:
        if self.stopped():
            raise Interrupted("stopped before WDTK answered")

    def _get(
        self, target: str, accept: str, etag: str | None = None, cap: int | None = None
    ) -> _Response:
        self._check_stop()
        with self._lock:
            remaining = self._blocked_until - self._clock()
            if remaining > 0:
                raise WdtkError(
                    f"WDTK asked us to wait (Retry-After); {remaining:.0f} s to go",
                    retry_after_s=remaining,
                )
            return self._follow(self._absolute(target), accept, etag, check_robots=True, cap=cap)

    def _follow(
        self,
        url: str,
        accept: str,
        etag: str | None,
        check_robots: bool,
        tries: int | None = None,
        cap: int | None = None,
    ) -> _Response:
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        origin = urlsplit(url)
        seen = [url]
        while True:
            if check_robots:
                self._check_robots(url)
            resp = self._probe_send(url, headers, tries, cap)
            if resp.status not in REDIRECT_STATUSES:
                return resp
            location = resp.headers.get("Location", "").strip()
            if not location:
                raise WdtkError(
                    f"HTTP {resp.status} redirect without a Location", status=resp.status
                )
            target = urldefrag(urljoin(url, location))[0]
            parts = urlsplit(target)
            if parts.netloc.lower() != origin.netloc.lower():
                raise WdtkError(f"redirect to other host {clean_text(parts.netloc) or '?'} refused")
            if origin.scheme == "https" and parts.scheme != "https":
                raise WdtkError(f"redirect from https to {parts.scheme or '?'} refused")
            if target in seen:
                raise WdtkError(f"redirect loop: {_path(url)} -> {_path(target)}")
            if len(seen) > MAX_REDIRECTS:
                raise WdtkError(f"more than {MAX_REDIRECTS} redirects from {_path(seen[0])}")
            seen.append(target)
            url = target

    def _probe_send(
        self, url: str, headers: dict[str, str], tries: int | None, cap: int | None
    ) -> _Response:
        """_send. A pass used to learn whether WDTK is up from robots.txt, read first; with
        robots.txt kept from an earlier pass, the first call that finds the site in trouble
        (no answer, a 5xx or 429, an HTML page where JSON was asked for; tried twice, as
        robots.txt is) reads robots.txt afresh: if that fails too, the site is down
        (FirstCallFailed) and the pass stops; if not, the trouble was that request's own."""
        if not self._probe:
            return self._send(url, headers, tries, cap)
        self._probe = False  # the first call only
        try:
            # Tried as robots.txt would have been: an outage costs a pass no more calls.
            resp = self._send(url, headers, min(tries or ROBOTS_TRIES, ROBOTS_TRIES), cap)
        except WdtkError as exc:
            # Not after a Retry-After: WDTK asked for quiet, and gets it.
            if exc.retry_after_s is None and (
                exc.status is None or exc.status >= 500 or exc.status == 429
            ):
                self._recheck_robots(url, str(exc))
            raise
        if resp.status == 200 and headers.get("Accept") == "application/json" and _html_page(resp):
            self._recheck_robots(url, "got an HTML page where JSON was asked for")
        return resp

    def _recheck_robots(self, url: str, trouble: str) -> None:
        parts = urlsplit(url)
        try:
            self._robots = self._fetch_robots(f"{parts.scheme}://{parts.netloc}/robots.txt")
        except RobotsUnreachable as exc:
            raise FirstCallFailed(f"{trouble}; {exc}", status=exc.status) from None

    def _send(
        self, url: str, headers: dict[str, str], tries: int | None = None, cap: int | None = None
    ) -> _Response:
        """GET one URL (no redirects) through the gate, retrying transient failures."""
        tries = min(tries or self.max_tries, self.max_tries)
        for attempt in range(1, tries + 1):
            self._wait_turn()
            try:
                outcome = self._attempt(url, headers, attempt, cap)
            finally:
                self._not_before = self._clock() + self.config.min_interval_s
            if isinstance(outcome, _Response):
                return outcome
            if outcome.final:
                raise WdtkError(outcome.problem, status=outcome.status)
            wait = outcome.retry_after_s
            if wait is not None and wait > self.max_sleep_s:
                # Sleeping that long would stall every other request in the poll, and
                # hammering on would ignore the server: stop asking until it has passed.
                self._blocked_until = self._clock() + wait
                raise WdtkError(
                    f"{outcome.problem}; WDTK asked us to wait {wait:.0f} s",
                    status=outcome.status,
                    retry_after_s=wait,
                )
            if attempt == tries:
                tries = "try" if attempt == 1 else "tries"
                raise WdtkError(
                    f"{outcome.problem} after {attempt} {tries}",
                    status=outcome.status,
                    retry_after_s=wait,
                )
            backoff = min(self.max_sleep_s, self.backoff_s * 2 ** (attempt - 1))
            self._not_before = max(self._not_before, self._clock() + max(wait or 0.0, backoff))
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(
        self, url: str, headers: dict[str, str], attempt: int, cap: int | None = None
    ) -> _Response | _Transient:
        self.http_calls += 1
        limit = self.config.timeout_s
        stop = self._stop.is_set if self._stop is not None else None
        with Watchdog(
            self._sockets, limit, stop, name="wdtk-watchdog", clock=self._watch_clock
        ) as watch:
            outcome = self._exchange(url, headers, attempt, watch, cap)
        # Once the watchdog has fired, what arrived proves nothing: http.client reads the
        # shut-down socket as an ordinary end of stream, so headers cut off after the
        # status line look complete ("304", or a 200 with no body) and a body without a
        # Content-Length looks whole. The call failed, whatever it returned.
        if watch.stopped:
            raise Interrupted("stopped while waiting for WDTK")
        if watch.expired:
            return _Transient(
                f"timed out: no complete answer within {limit:g} s ([wdtk] timeout_s)", final=True
            )
        return outcome

    def _exchange(
        self, url: str, headers: dict[str, str], attempt: int, watch: Watchdog, cap: int | None
    ) -> _Response | _Transient:
        import requests
        from urllib3.exceptions import HTTPError as Urllib3Error

        if self._session is None:  # callers hold self._lock (see _get)
            from bot.wdtk.transport import open_session

            self._session = open_session(user_agent(self.config.contact), self._sockets)
        try:
            resp = self._session.get(
                url, headers=headers, timeout=self._timeout, stream=True, allow_redirects=False
            )
        except requests.RequestException as exc:
            return _Transient(_describe(exc))
        try:
            status = resp.status_code
            if status in RETRY_STATUSES:
                wait = self._retry_after(resp.headers.get("Retry-After"))
                with contextlib.suppress(WdtkError, requests.RequestException):
                    self._read_capped(resp, watch, None)  # drained, the connection can be reused
                return _Transient(f"HTTP {status}", status, wait)
            body = self._read_capped(resp, watch, cap)
            return _Response(url, status, resp.headers, body, attempt)
        except (requests.RequestException, Urllib3Error, OSError) as exc:
            return _Transient(_describe(exc))  # the connection broke mid-body
        finally:
            resp.close()

    def _read_capped(self, resp: requests.Response, watch: Watchdog, cap: int | None) -> bytes:
        """The body, read to at most `cap` bytes ([wdtk] max_response_bytes when None)."""
        cap = self.config.max_response_bytes if cap is None else cap
        length = resp.headers.get("Content-Length", "")
        declared = (
            int(length) if length.isascii() and length.isdigit() and len(length) < 20 else None
        )
        too_big = TooLarge(f"response over {cap} bytes", status=resp.status_code, size=declared)
        if declared is not None and declared > cap:
            raise too_big
        body = bytearray()
        # Small reads: one read returns whatever has arrived, so the deadline is looked at
        # often even without the watchdog (which is what ends a read that is blocked).
        for chunk in resp.iter_content(CHUNK):  # decoded, so a gzip bomb hits the cap too
            body += chunk
            if len(body) > cap:
                raise too_big
            if watch.clock() > watch.deadline:
                import requests

                raise requests.ReadTimeout("response body too slow")
        return bytes(body)

    def _wait_turn(self) -> None:
        self._check_stop()
        delay = self._not_before - self._clock()
        if delay > 0:
            self._sleep(delay)  # stop.wait when there is a stop flag: wakes up on SIGTERM
        self._check_stop()

    def _retry_after(self, value: str | None) -> float | None:
        """Delta-seconds or an HTTP-date (RFC 9110 §10.2.3), capped at MAX_RETRY_AFTER_S."""
        value = (value or "").strip()[:100]
        if re.fullmatch(r"\d+(\.\d+)?", value):
            return min(float(value), MAX_RETRY_AFTER_S)  # 400 nines read as inf: capped too
        try:
            when = email.utils.parsedate_to_datetime(value)
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            return min(max(0.0, when.timestamp() - self._wall_clock()), MAX_RETRY_AFTER_S)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None  # unreadable: fall back to our own backoff

    # --- robots.txt ----------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        if not self.config.respect_robots or parts.netloc.lower() != self._netloc:
            return
        if self._robots is None:
            self._robots = self._robots_for(f"{parts.scheme}://{parts.netloc}/robots.txt")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not self._robots.allowed(path):
            raise RobotsDisallowed(
                f"robots.txt disallows {path} (set [wdtk] respect_robots = false to override)"
            )

    def _robots_for(self, url: str) -> RobotsRules:
        """The site's rules: robots_cache's (an earlier pass's), or fetched."""
        cache = self._robots_cache
        rules = cache.get(self._netloc, self._wall_clock(), AGENT) if cache is not None else None
        self._probe = rules is not None  # see _probe_send
        return rules if rules is not None else self._fetch_robots(url)

    def _fetch_robots(self, url: str) -> RobotsRules:
        """robots.txt read now, and kept in robots_cache."""
        now = self._wall_clock()
        text = self._load_robots(url)
        self.robots_answered = True
        rules = RobotsRules(text, AGENT)
        if self._robots_cache is not None:
            self._robots_cache.put(self._netloc, text, rules, now)
        return rules

    def _load_robots(self, url: str) -> str:
        """robots.txt's text ("" where the site has none); RobotsUnreachable if it fails."""
        # robots.txt failing means the whole site is failing: one retry, not the full
        # back-off ladder, so a pass against a site in trouble ends in seconds.
        try:
            resp = self._follow(url, "text/plain", None, check_robots=False, tries=ROBOTS_TRIES)
        except WdtkError as exc:
            # Unreachable robots.txt means "assume disallowed" (RFC 9309 §2.3.1.4); it is
            # not cached, so the next call tries again.
            raise RobotsUnreachable(f"robots.txt: {exc}", status=exc.status) from None
        if 400 <= resp.status < 500:
            return ""  # no robots.txt: everything is allowed
        if resp.status != 200:
            raise RobotsUnreachable(f"robots.txt: HTTP {resp.status}", status=resp.status)
        if resp.body.lstrip()[:1] == b"<":
            # An HTML page (WDTK's maintenance page, served with 200) is no robots.txt:
            # read as one it would allow everything. The site is not itself: stay away.
            raise RobotsUnreachable("robots.txt: got an HTML page, not rules", status=200)
        return resp.body.decode("utf-8", errors="replace")

    def _absolute(self, target: str) -> str:
        if re.match(r"^https?://", target, re.IGNORECASE):
            return target
        if target.startswith("/"):
            return self.base_url + target
        raise WdtkError(f"not a URL or absolute path: {target!r}")


# --- helpers -------------------------------------------------------------------------------


def _request_path(ref: int | str, suffix: str) -> str:
    if isinstance(ref, bool) or not isinstance(ref, int | str) or ref == "":
        raise WdtkError(f"not a request id or slug: {ref!r}")
    return f"/request/{quote(str(ref), safe='')}{suffix}"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset=\"?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1).lower() if match else None


def _html_page(resp: _Response) -> bool:
    mime = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return "html" in mime or resp.body.lstrip()[:1] == b"<"


def _decode_json(resp: _Response) -> Any:
    content_type = resp.headers.get("Content-Type", "")
    mime = content_type.split(";")[0].strip().lower() or "no content type"
    if _html_page(resp):
        # WDTK's maintenance and error pages come back as HTML, sometimes with 200.
        title = re.search(rb"<title[^>]*>([^<]{1,80})", resp.body, re.IGNORECASE)
        name = (
            f" {clean_text(title.group(1).decode('utf-8', 'replace').strip())!r}" if title else ""
        )
        raise SitePage(f"not JSON: got {mime} page{name}", status=resp.status)
    text = resp.text()
    if not text.strip():
        raise WdtkError("empty response where JSON was expected", status=resp.status)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        what = "truncated JSON" if cut else f"malformed JSON ({exc.msg})"
        raise WdtkError(f"{what} at char {exc.pos}", status=resp.status) from None
    except (ValueError, RecursionError) as exc:  # absurd nesting or number sizes
        raise WdtkError(f"unreadable JSON: {exc}"[:200], status=resp.status) from None


def _describe(exc: BaseException) -> str:
    import requests

    text = str(exc)
    if isinstance(exc, requests.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.ReadTimeout) or "Read timed out" in text:
        return "read timed out"
    if "refused" in text.lower():
        return "connection refused"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or "IncompleteRead" in text:
        return "connection broke mid-response"
    if "RemoteDisconnected" in text or "aborted" in text.lower() or "reset" in text.lower():
        return "connection closed by the server"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return f"network error ({type(exc).__name__})"
