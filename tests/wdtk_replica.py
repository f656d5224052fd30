"""A WhatDoTheyKnow stand-in: a real HTTP server on 127.0.0.1 for tests and benchmarks.

It serves what the protocol notes (shared/docs/wdtk-protocol.md) say WDTK serves, built
from the real, pseudonymised payloads in tests/fixtures/wdtk: deep `/request/<id>.json`
documents behind the numeric-id 301, weak ETags and 304s, 403 for hidden requests, the
HTML request page with `div#request_status`, bodies, the authorities CSV, WDTK's
robots.txt and the user JSON feed. Faults from issue 8's matrix can be queued per path
or per request with `fail()`.

    with WdtkReplica() as wdtk:
        wdtk.add_request(make_request_doc(101, "Parking fines 2025"))
        wdtk.fail(101, 503, rate_limited(7))
        ... point [wdtk] base_url at wdtk.base_url ...
"""

from __future__ import annotations

import contextlib
import copy
import csv
import datetime as dt
import email.utils
import hashlib
import html
import io
import itertools
import json
import mimetypes
import re
import socket
import threading
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote
from zoneinfo import ZoneInfo

FIXTURES = Path(__file__).parent / "fixtures" / "wdtk"

# protocol §5.1: core Alaveteli's rules, which the live WDTK copy matches.
WDTK_ROBOTS_TXT = """\
# See https://www.robotstxt.org/robotstxt.html for documentation on how to use the robots.txt file

User-agent: *
Disallow: */annotate/*
Disallow: */new/*
Disallow: */search/*
Disallow: */similar/*
Disallow: */track/*
Disallow: */upload/*
Disallow: */user/contact/*
Disallow: */feed/*
Disallow: */profile/*
Disallow: */signin*
Disallow: */tor*
Allow: */request/*/response/*/attach/*
Disallow: */request/*/response/*
Disallow: */request/*/download*
Disallow: */change_request/*
Disallow: */outgoing_messages/*/mail_server_logs*
Disallow: */outgoing_messages/*/delivery_status*
Disallow: *?*update_status=1*
Disallow: */request/*/feed
Disallow: */request/*/followups/new
Disallow: */request/*/similar
Disallow: */request/*/track
Disallow: */request/*/upload
Disallow: */request/*/annotate
"""

CSV_HEADER = [
    "Internal ID", "Name", "Short name", "URL name", "Tags", "Home page",
    "Publication scheme", "Disclosure log", "Notes", "Created at", "Updated at", "Version",
]  # fmt: skip

# protocol §2.2: computed status -> display_status
STATUS_TEXT = {
    "waiting_classification": "Awaiting classification",
    "waiting_response": "Awaiting response",
    "waiting_response_overdue": "Delayed",
    "waiting_response_very_overdue": "Long overdue",
    "not_held": "Information not held",
    "rejected": "Refused",
    "partially_successful": "Partially successful",
    "successful": "Successful",
    "waiting_clarification": "Waiting clarification",
    "gone_postal": "Handled by postal mail",
    "internal_review": "Awaiting internal review",
    "error_message": "Delivery error",
    "requires_admin": "Unusual response",
    "attention_requested": "Reported for administrator attention",
    "user_withdrawn": "Withdrawn by the requester",
    "vexatious": "Considered by administrators as vexatious",
    "not_foi": "Considered by administrators as not an FOI request",
}
OUTGOING = ("sent", "resent", "followup_sent", "followup_resent")
FEED_TYPES = ("sent", "followup_sent", "response", "comment")  # indexed_by_search? (§1.5)
MAINTENANCE_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>WhatDoTheyKnow is down for maintenance</title>"
    b"</head><body><h1>Sorry, we're down for maintenance</h1>"
    b"<p>We'll be back shortly.</p></body></html>\n"
)


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_body() -> dict[str, Any]:
    """Bristol City Council as `/body/<n>.json` served it (a copy each call)."""
    return load_fixture("body_bristol_city_council_2025-08.json")


def fixture_user() -> dict[str, Any]:
    """A real (pseudonymised) user object from a feed event."""
    return load_fixture("feed_event_response_2025-08.json")["user"]


def real_request_docs() -> list[dict[str, Any]]:
    """Deep request documents assembled (§1.2) from the real feed fixture: each request's
    shallow object, its user and public_body, and its real events in creation order."""
    docs: dict[int, dict[str, Any]] = {}
    for name in (
        "feed_search_requested_from_bristol_city_council_2026-04.json",
        "feed_event_response_2025-08.json",
    ):
        data = load_fixture(name)
        for item in data if isinstance(data, list) else [data]:
            shallow = item["info_request"]
            doc = docs.setdefault(shallow["id"], {
                **shallow, "user": item["user"], "public_body": item["public_body"],
                "info_request_events": [],
            })  # fmt: skip
            doc["info_request_events"].append(
                {k: v for k, v in item.items() if k not in ("snippet", *_NESTED)}
            )
    for doc in docs.values():
        doc["info_request_events"].sort(key=lambda e: (e["created_at"], e["id"]))
    return list(docs.values())


_NESTED = ("info_request", "public_body", "user")


def make_body(url_name: str, name: str, body_id: int, tags: Iterable[Any] = ()) -> dict[str, Any]:
    """Another authority in the real body shape (Bristol's fields, new identity)."""
    body = fixture_body()
    body.update(id=body_id, url_name=url_name, name=name, short_name=None)
    body["tags"] = [list(t) if isinstance(t, list | tuple) else [t, None] for t in tags]
    return body


def make_user(name: str, url_name: str | None = None, user_id: int = 900001) -> dict[str, Any]:
    user = fixture_user()
    user.update(id=user_id, name=name, url_name=url_name or simplify_url_part(name, "user"))
    return user


def simplify_url_part(text: str, default: str, max_len: int | None = None) -> str:
    """Alaveteli's `MySociety::Format.simplify_url_part`: a hard cut at max_len, then any
    trailing `_` dropped (so "…to improve" can end "…to_impr"), never all digits."""
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    text = re.sub(r"[\s\-_]", "_", text.lower())
    text = re.sub(r"[^a-z0-9_]", "", text)
    text = re.sub(r"_+", "_", text).strip("_")
    if max_len is not None:
        text = text[:max_len].rstrip("_")
    return default if not text or text.isdigit() else text


def rails_time(moment: str | dt.datetime) -> str:
    """Rails' JSON timestamp: milliseconds and the London offset."""
    if isinstance(moment, str):
        return moment
    if moment.tzinfo is None:
        raise ValueError("give an aware datetime")
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/London")).isoformat(timespec="milliseconds")


_ids = itertools.count(30_000_000)


def event(event_id: int | None, event_type: str, created_at: str | dt.datetime, **kw: Any) -> dict:
    """One `info_request_events` element (InfoRequestEvent#json_for_api, protocol §1.2).

    Message ids are invented when not given. `text=` and `attachments=` feed the HTML
    page and feed snippets only; they never appear in the JSON. `attachment_files=`
    ({name: bytes}) are served at the attachments' download links (its names are the
    attachments when `attachments=` is not given).
    """
    event_id = next(_ids) if event_id is None else event_id
    calculated = kw.pop("calculated_state", "waiting_response" if event_type == "sent" else None)
    incoming = kw.pop("incoming_message_id", event_id + 1 if event_type == "response" else None)
    outgoing = kw.pop("outgoing_message_id", event_id + 2 if event_type in OUTGOING else None)
    doc: dict[str, Any] = {
        "id": event_id,
        "event_type": event_type,
        "created_at": rails_time(created_at),
        "described_state": kw.pop("described_state", None),
        "calculated_state": calculated,
        "last_described_at": kw.pop("last_described_at", None),
        "incoming_message_id": incoming,
        "outgoing_message_id": outgoing,
        "comment_id": kw.pop("comment_id", event_id + 3 if event_type == "comment" else None),
    }
    status = kw.pop("display_status", _event_display_status(doc))
    if status is not None:  # only message-carrying events have one (§1.2)
        doc["display_status"] = status
    if "text" in kw:
        doc["_text"] = kw.pop("text")
    files = dict(kw.pop("attachment_files", {}))
    doc["_attachments"] = list(kw.pop("attachments", files))
    doc["_attachment_files"] = files
    if kw:
        raise TypeError(f"unknown event fields: {sorted(kw)}")
    return doc


def _event_display_status(e: dict[str, Any]) -> str | None:
    state = e["calculated_state"]
    if e["incoming_message_id"] is not None:
        return STATUS_TEXT.get(state, "Response") if state else "Response"
    if e["outgoing_message_id"] is not None:
        # The quirk in §1.2: an initial `sent` is labelled "Clarification" too.
        return {
            "internal_review": "Internal review request",
            "waiting_response": "Clarification",
        }.get(state, "Follow up")
    return None


_DEFAULT = object()


def make_request_doc(
    wdtk_id: int,
    title: str,
    *,
    body: dict[str, Any] | None = None,
    user: Any = _DEFAULT,
    user_name: str | None = None,
    events: list[dict[str, Any]] | None = None,
    described_state: str = "waiting_response",
    awaiting_description: bool = False,
    tags: Iterable[Any] = (("foibot", "smm-1"),),
    sent_at: str | dt.datetime = "2026-03-02T10:15:00.000+00:00",
    updated_at: str | dt.datetime | None = None,
    url_title: str | None = None,
    prominence: str = "normal",
    law_used: str = "foi",
    display_status: str | None = None,
) -> dict[str, Any]:
    """A deep `/request/<url_title>.json` document assembled as §1.2 describes, from the real
    body and user objects. `user=None, user_name="…"` makes an external (write-API) request."""
    sent_at = rails_time(sent_at)
    events = events if events is not None else [event(wdtk_id * 100, "sent", sent_at)]
    doc: dict[str, Any] = {
        "id": wdtk_id,
        "url_title": url_title or simplify_url_part(title, "request", 32),
        "title": title,
        "created_at": sent_at,
        "updated_at": rails_time(updated_at) if updated_at else events[-1]["created_at"],
        "described_state": described_state,
        "display_status": display_status,
        "awaiting_description": awaiting_description,
        "prominence": prominence,
        "law_used": law_used,
        "tags": [list(t) if isinstance(t, list | tuple) else [t, None] for t in tags],
    }
    if user is _DEFAULT:
        user = fixture_user()
    if user is not None:
        doc["user"] = user
    else:
        doc["user_name"] = user_name or "External Requester"
    doc["public_body"] = body if body is not None else fixture_body()
    doc["info_request_events"] = events
    if display_status is None:
        doc["display_status"] = _display_status(doc)
    return doc


def _display_status(doc: dict[str, Any]) -> str:
    status = _computed_status(doc)
    return STATUS_TEXT.get(status, status)


def _computed_status(doc: dict[str, Any], due: dt.date | None = None) -> str:
    """InfoRequest#calculate_status (§2.2), given the due date the replica was told."""
    if doc.get("awaiting_description"):
        return "waiting_classification"
    if doc["described_state"] != "waiting_response":
        return doc["described_state"]
    if due is not None and dt.date.today() > due:
        return "waiting_response_overdue"
    return "waiting_response"


# --- faults ------------------------------------------------------------------------------


@dataclass
class FaultSpec:
    """One scripted answer. Fields left alone keep what the route would have served."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # "{path}" is filled in
    body: bytes | None = None
    content_type: str | None = None
    delay: float = 0.0  # wait before answering: past the client's read timeout = timeout
    drop: bool = False  # close the connection without answering
    mutate: Callable[[Any], Any] | None = None  # edit a copy of the JSON before encoding
    mutate_body: Callable[[bytes], bytes] | None = None  # edit the encoded bytes
    cut_after: int | None = None  # promise the full length, send this many bytes, hang up
    no_length: bool = False  # no Content-Length: the body runs until the server hangs up
    dribble_s: float = 0.0  # send the whole answer (status line on) one byte per this many s

    @property
    def edits_document_only(self) -> bool:
        """Only changes the JSON body, so meaningless on the /request/<id>.json 301 hop."""
        return (
            self.status is None
            and self.body is None
            and not self.drop
            and not self.delay
            and not self.dribble_s
        )


def http_error(status: int, body: bytes = b"", retry_after: str | None = None) -> FaultSpec:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return FaultSpec(status=status, body=body, headers=headers, content_type="text/html")


def rate_limited(seconds: float | None = None, *, at: dt.datetime | None = None) -> FaultSpec:
    """429 with Retry-After as delta-seconds, or as an HTTP-date when `at` is given."""
    value = None
    if at is not None:
        value = email.utils.format_datetime(at.astimezone(dt.UTC), usegmt=True)
    elif seconds is not None:
        value = str(int(seconds)) if float(seconds).is_integer() else str(seconds)
    return http_error(429, b"Rate limited", value)


def truncated(at: int | None = None) -> FaultSpec:
    """A complete HTTP response whose JSON stops part-way (Content-Length agrees)."""
    return FaultSpec(mutate_body=lambda b: b[: at if at is not None else len(b) // 2])


def maintenance_page(status: int = 200) -> FaultSpec:
    return FaultSpec(status=status, body=MAINTENANCE_HTML, content_type="text/html; charset=utf-8")


def wrong_shape(path: str, value: Any = None, *, delete: bool = False) -> FaultSpec:
    """Set (or delete) one value by JSON path, e.g. "info_request_events[3].id"."""

    def edit(doc: Any) -> Any:
        parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
        if not parts:
            return value
        target = doc
        for part in parts[:-1]:
            target = target[part]
        if delete:
            del target[parts[-1]]
        else:
            target[parts[-1]] = value
        return doc

    return FaultSpec(mutate=edit)


def redirect_to(location: str, status: int = 302) -> FaultSpec:
    return FaultSpec(status=status, headers={"Location": location}, body=b"")


def redirect_offhost(host: str = "evil.example") -> FaultSpec:
    return redirect_to(f"http://{host}{{path}}", 301)


def redirect_loop() -> FaultSpec:
    return redirect_to("{path}", 302)


def oversize(n_bytes: int, *, no_length: bool = False) -> FaultSpec:
    """A body of about n_bytes; with no_length the client cannot know the size up front."""
    pad = b"x" * max(0, n_bytes)
    return FaultSpec(body=b'{"padding": "' + pad + b'"}', no_length=no_length)


def invalid_utf8() -> FaultSpec:
    # A lone continuation byte inside the title: valid JSON structure, invalid UTF-8.
    return FaultSpec(mutate_body=lambda b: b.replace(b'"title":"', b'"title":"\xff\xfe', 1))


def slow(seconds: float) -> FaultSpec:
    return FaultSpec(delay=seconds)


def dribble(seconds_per_byte: float = 1.0) -> FaultSpec:
    """The whole answer, status line and headers included, a byte at a time: each read
    gets data long before a socket timeout, but the answer takes minutes."""
    return FaultSpec(dribble_s=seconds_per_byte)


def dropped() -> FaultSpec:
    return FaultSpec(drop=True)


def cut_off(after: int = 20) -> FaultSpec:
    return FaultSpec(cut_after=after)


SHORTHANDS: dict[str, Callable[[], FaultSpec]] = {
    "truncated": truncated,
    "maintenance": maintenance_page,
    "offhost": redirect_offhost,
    "loop": redirect_loop,
    "invalid_utf8": invalid_utf8,
    "drop": dropped,
    "cut": cut_off,
    "timeout": lambda: slow(2.0),
}


def as_fault(spec: FaultSpec | int | str) -> FaultSpec:
    if isinstance(spec, FaultSpec):
        return spec
    if isinstance(spec, int):
        return http_error(spec)
    return SHORTHANDS[spec]()


def closed_port_url() -> str:
    """A base_url where nothing listens: connection refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- the server --------------------------------------------------------------------------


@dataclass
class _Answer:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    json_doc: Any = None  # set on JSON routes so faults can mutate before encoding
    cacheable: bool = False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler asleep in a timeout fault must not hold up stop()
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, replica: WdtkReplica):
        self.replica = replica
        self.connections: set[socket.socket] = set()
        super().__init__(address, handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, addr = super().get_request()
        self.connections.add(conn)
        return conn, addr

    def shutdown_request(self, request: Any) -> None:
        self.connections.discard(request)
        super().shutdown_request(request)


class _Dribbler:
    """A write-through stream that sends one byte per `interval` until the replica stops."""

    def __init__(self, stream: Any, interval: float, stopping: threading.Event):
        self.stream, self.interval, self.stopping = stream, interval, stopping

    def write(self, data: bytes) -> int:
        for i in range(len(data)):
            if self.stopping.wait(self.interval):
                raise BrokenPipeError("replica stopping")
            self.stream.write(data[i : i + 1])
            self.stream.flush()
        return len(data)

    def __getattr__(self, name: str) -> Any:  # flush, close, closed: the real stream's
        return getattr(self.stream, name)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a client Session would see in real life
    # Headers and body go out in two writes; with Nagle on, the second waits ~40 ms for
    # the client's delayed ACK, which is no part of WDTK and slowed every test.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        replica = self.server.replica
        try:
            replica._serve(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its read timeout)


class WdtkReplica:
    """WDTK on 127.0.0.1. Context manager; `base_url` once started."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        robots_txt: str | None = WDTK_ROBOTS_TXT,
        authorities_csv: str | None = None,
    ):
        self.latency = latency
        # A site-wide outage: every path answers with this fault (e.g. as_fault(503)).
        self.down: FaultSpec | None = None
        self.robots_txt = robots_txt  # None: /robots.txt is a 404
        self.bodies: dict[str, dict[str, Any]] = {}
        self.add_body(fixture_body())
        self.authorities_csv = authorities_csv if authorities_csv is not None else self.build_csv()
        self.requests: dict[int, dict[str, Any]] = {}
        self.html: dict[str, str] = {}
        self.due_dates: dict[int, dt.date] = {}
        self.hidden: dict[int, int] = {}
        self.hits: list[tuple[str, str, dict[str, str]]] = []
        self.in_flight = 0
        self.max_in_flight = 0  # how many requests overlapped at worst: politeness check
        self.held = threading.Event()  # set once a call is waiting at the gate (see hold)
        self._gate: threading.Event | None = None
        self.faults: dict[Any, deque[FaultSpec]] = {}
        self.port: int | None = None
        self._slugs: dict[str, int] = {}
        self._lock = threading.RLock()
        self._hit = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle

    def start(self) -> WdtkReplica:
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", self.port or 0), _Handler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and hang up on kept-alive clients: new calls are refused."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        for conn in list(self._server.connections):
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)
        self._server = None

    def __enter__(self) -> WdtkReplica:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("replica not started")
        return f"http://127.0.0.1:{self.port}"

    # --- scripting

    def hold(self) -> None:
        """Make every call wait, unanswered, until let_go(): a client inside a call is in
        a known place for as long as the test needs. `held` is set once a call waits."""
        self.held.clear()
        self._gate = threading.Event()

    def let_go(self) -> None:
        if self._gate is not None:
            self._gate.set()
        self._gate = None

    def add_body(self, body: dict[str, Any]) -> None:
        self.bodies[body["url_name"]] = copy.deepcopy(body)

    def add_request(self, doc: dict[str, Any]) -> None:
        """Add (or replace) a request. Like WDTK, a slug already taken by another request
        gets the next free `_2`, `_3` … suffix."""
        with self._lock:
            old = self.requests.get(doc["id"])
            if old is not None:
                self._slugs.pop(old["url_title"], None)
            doc = copy.deepcopy(doc)
            base, n = doc["url_title"], 1
            while self._slugs.get(doc["url_title"], doc["id"]) != doc["id"]:
                n += 1
                doc["url_title"] = f"{base}_{n}"
            self.requests[doc["id"]] = doc
            self._slugs[doc["url_title"]] = doc["id"]

    def request(self, wdtk_id: int) -> dict[str, Any]:
        return self.requests[wdtk_id]

    def update_request(self, wdtk_id: int, **fields: Any) -> None:
        with self._lock:
            doc = self.requests[wdtk_id]
            if "url_title" in fields:
                self.retitle(wdtk_id, fields.pop("url_title"))
            doc.update(fields)
            if "display_status" not in fields:
                doc["display_status"] = _display_status(doc)

    def classify(self, wdtk_id: int, at: str, state: str) -> dict[str, Any]:
        """The requester classifies the request on WDTK (a `status_update` event)."""
        return self.add_event(
            wdtk_id,
            event(None, "status_update", at, described_state=state, calculated_state=state),
        )

    def add_event(self, wdtk_id: int, new: dict[str, Any]) -> dict[str, Any]:
        """Append an event and apply what WDTK does as it is logged (§2.3)."""
        with self._lock:
            doc = self.requests[wdtk_id]
            doc["info_request_events"].append(new)
            kind, state = new["event_type"], new.get("described_state")
            if kind == "response":
                doc["awaiting_description"] = True
            if kind == "followup_sent" and new.get("calculated_state") == "internal_review":
                doc["described_state"], doc["awaiting_description"] = "internal_review", False
            if state:  # a classification: the state applies to the responses before it
                doc["described_state"], doc["awaiting_description"] = state, False
                for e in doc["info_request_events"]:
                    if e["event_type"] == "response" and e["calculated_state"] is None:
                        e["calculated_state"] = state
                        e["last_described_at"] = new["created_at"]
                        e["display_status"] = _event_display_status(e)
            doc["updated_at"] = new["created_at"]
            doc["display_status"] = _display_status(doc)
            return new

    def next_event_id(self) -> int:
        return next(_ids)

    def set_html(self, url_title: str, page: str) -> None:
        self.html[url_title] = page

    def set_due_date(self, wdtk_id: int, due: dt.date) -> None:
        """The due date WDTK would show in `div#request_status` on the HTML page."""
        self.due_dates[wdtk_id] = due

    def hide(self, wdtk_id: int, status: int | None = 403) -> None:
        """403 = prominence hidden/requester_only; 404 = embargoed or deleted; None = show."""
        with self._lock:
            doc = self.requests[wdtk_id]
            if status is None:
                self.hidden.pop(wdtk_id, None)
                doc["prominence"] = "normal"
            else:
                self.hidden[wdtk_id] = status
                doc["prominence"] = "hidden" if status == 403 else doc["prominence"]

    def retitle(self, wdtk_id: int, new_url_title: str, title: str | None = None) -> None:
        """An admin edit: the old slug 404s (no historic fallback, §1.1); the id 301s on."""
        with self._lock:
            doc = self.requests[wdtk_id]
            self._slugs.pop(doc["url_title"], None)
            doc["url_title"] = new_url_title
            if title is not None:
                doc["title"] = title
            self._slugs[new_url_title] = wdtk_id

    def fail(self, path_or_id: int | str, *responses: FaultSpec | int | str) -> None:
        """Queue answers for the next hits: an int id means that request's JSON (by id or
        slug); a string is an exact path such as "/robots.txt"."""
        key = ("id", path_or_id) if isinstance(path_or_id, int) else path_or_id
        with self._lock:
            self.faults.setdefault(key, deque()).extend(as_fault(r) for r in responses)

    def hit_paths(self, prefix: str = "") -> list[str]:
        return [path for _, path, _ in self.hits if path.startswith(prefix)]

    def wait_for_hit(self, prefix: str, timeout: float = 30.0) -> bool:
        """Block until a request for a path starting with `prefix` has arrived: how a test
        knows a client is mid-call, without sleeping."""
        with self._hit:
            return self._hit.wait_for(lambda: bool(self.hit_paths(prefix)), timeout)

    def build_csv(self) -> str:
        """all-authorities.csv (§1.6) for the bodies known now."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for b in self.bodies.values():
            tags = " ".join(f"{n}:{v}" if v else n for n, v in b.get("tags", []))
            writer.writerow([
                b["id"], b["name"], b.get("short_name") or "", b["url_name"], tags,
                b.get("home_page", ""), b.get("publication_scheme", ""),
                b.get("disclosure_log", ""), b.get("notes", ""),
                _ruby_time(b["created_at"]), _ruby_time(b["updated_at"]), 1,
            ])  # fmt: skip
        return out.getvalue()

    # --- serving

    def _serve(self, h: _Handler) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._answer(h)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, h: _Handler) -> None:
        path, _, query = h.path.partition("?")
        with self._lock:
            self.hits.append(("GET", h.path, dict(h.headers.items())))
            self._hit.notify_all()
            fault = self.down or self._take_fault(path)
        if fault and fault.drop:
            h.close_connection = True
            return
        gate = self._gate
        if gate is not None:
            self.held.set()
            while not gate.wait(0.05):
                if self._stopping.is_set():
                    h.close_connection = True
                    return
        wait = self.latency + (fault.delay if fault else 0.0)
        if wait and self._stopping.wait(wait):
            h.close_connection = True
            return
        with self._lock:
            answer = self._route(path, parse_qs(query))
        self._send(h, answer, fault, path)

    def _take_fault(self, path: str) -> FaultSpec | None:
        queue = self.faults.get(path)
        if queue:
            return queue.popleft()
        match = re.fullmatch(r"/request/([^/]+)\.json", path)
        ref = unquote(match.group(1)) if match else ""
        wdtk_id = int(ref) if ref.isdigit() else self._slugs.get(ref)
        queue = self.faults.get(("id", wdtk_id))
        if not queue:
            return None
        if ref.isdigit() and queue[0].edits_document_only:
            return None  # leave it for the document the 301 leads to
        return queue.popleft()

    def _route(self, path: str, query: dict[str, list[str]]) -> _Answer:
        if path == "/robots.txt":
            if self.robots_txt is None:
                return _Answer(404, b"Not found")
            return _Answer(200, self.robots_txt.encode(), "text/plain; charset=utf-8")
        if path == "/version.json":
            return _json({"alaveteli_version": "0.46.4.0", "ruby_version": "3.2.0"})
        m = re.fullmatch(r"/request/([^/]+?)(\.json)?", path)
        if m:
            return self._request_route(unquote(m.group(1)), bool(m.group(2)))
        m = re.fullmatch(r"/request/[^/]+/response/(\d+)/attach/(\d+)/.+", path)
        if m:
            return self._attachment(int(m.group(1)), int(m.group(2)))
        m = re.fullmatch(r"/body/([^/]+)\.json", path)
        if m and m.group(1) in self.bodies:
            return _json(self.bodies[m.group(1)], cache=86400)
        if path == "/body/all-authorities.csv":
            if self.authorities_csv is None:
                return _Answer(204)  # not built yet (§1.6)
            return _Answer(
                200, self.authorities_csv.encode(), "text/csv; charset=utf-8; header=present",
                {"Content-Disposition": 'attachment; filename="all-authorities.csv"'},
            )  # fmt: skip
        m = re.fullmatch(r"/user/([^/]+)\.json", path)
        if m:
            user = self._user(m.group(1))
            return _json(user, cache=86400) if user else _Answer(404, b"Not found")
        m = re.fullmatch(r"/feed/(user|body)/([^/]+)\.json", path)
        if m:
            page = int((query.get("page") or ["1"])[0] or 1)
            return _json(self._feed(m.group(1), unquote(m.group(2)), page))
        return _Answer(404, b"<html><body>Not found</body></html>")

    def _request_route(self, ref: str, as_json: bool) -> _Answer:
        suffix = ".json" if as_json else ""
        if ref.isdigit():
            doc = self.requests.get(int(ref))
            if doc is None:
                return _Answer(404, b"Not found")
            # Rails `redirect` in config/routes/redirects.rb: a relative 301.
            return _Answer(301, headers={"Location": f"/request/{doc['url_title']}{suffix}"})
        wdtk_id = self._slugs.get(ref)
        if wdtk_id is None:
            return _Answer(404, b"Not found")
        if wdtk_id in self.hidden:
            return _Answer(self.hidden[wdtk_id], b"" if as_json else b"<html>Hidden</html>")
        doc = self.requests[wdtk_id]
        if as_json:
            return _json(_public(doc), cache=3600)
        page = self.html.get(ref) or self._page(doc)
        return _Answer(200, page.encode(), cacheable=True)

    def _send(self, h: _Handler, a: _Answer, fault: FaultSpec | None, path: str) -> None:
        status, content_type, headers = a.status, a.content_type, dict(a.headers)
        body = a.body
        if fault:
            if fault.mutate and a.json_doc is not None:
                body = _encode(fault.mutate(copy.deepcopy(a.json_doc)))
            if fault.body is not None:
                body = fault.body
            if fault.mutate_body:
                body = fault.mutate_body(body)
            status = fault.status or status
            content_type = fault.content_type or content_type
            headers.update({k: v.replace("{path}", path) for k, v in fault.headers.items()})
        if a.cacheable and status == 200:
            headers["Cache-Control"] = f"max-age={headers.pop('_ttl', '3600')}, public"
            headers["Vary"] = "Cookie"
            # Rack::ETag (Rack 2.2): weak, from the body; Rack::ConditionalGet answers 304.
            etag = f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
            headers["ETag"] = etag
            wanted = [t.strip() for t in h.headers.get("If-None-Match", "").split(",")]
            if etag in wanted or "*" in wanted:
                status, body = 304, b""
        headers.pop("_ttl", None)
        if fault and fault.dribble_s:
            h.wfile = _Dribbler(h.wfile, fault.dribble_s, self._stopping)  # type: ignore[assignment]
            h.close_connection = True
        h.send_response(status)
        if status != 304:
            h.send_header("Content-Type", content_type)
        for name, value in headers.items():
            h.send_header(name, value)
        if fault and fault.no_length:
            h.send_header("Connection", "close")
            h.end_headers()
            h.close_connection = True
            for i in range(0, len(body), 65536):
                h.wfile.write(body[i : i + 65536])
            return
        h.send_header("Content-Length", str(len(body)))
        if fault and fault.cut_after is not None:
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(body[: fault.cut_after])
            h.wfile.flush()
            h.close_connection = True
            return
        h.end_headers()
        if body:
            h.wfile.write(body)

    def _attachment(self, incoming_id: int, part: int) -> _Answer:
        """Alaveteli's attachment download (/request/…/response/<incoming>/attach/<part>/
        <name>): part 2 is the first attachment, as on the request page."""
        for doc in self.requests.values():
            if doc["id"] in self.hidden:
                continue
            for e in doc["info_request_events"]:
                names = e.get("_attachments") or []
                if e.get("incoming_message_id") != incoming_id or not 2 <= part < len(names) + 2:
                    continue
                data = (e.get("_attachment_files") or {}).get(names[part - 2])
                if data is None:
                    break
                kind = mimetypes.guess_type(names[part - 2])[0] or "application/octet-stream"
                return _Answer(200, data, kind)
        return _Answer(404, b"<html><body>Not found</body></html>")

    def _user(self, url_name: str) -> dict[str, Any] | None:
        for doc in self.requests.values():
            if (doc.get("user") or {}).get("url_name") == url_name:
                return doc["user"]
        return None

    def _feed(self, kind: str, name: str, page: int) -> list[dict[str, Any]]:
        items = []
        for doc in self.requests.values():
            who = doc.get("user") or {"name": doc.get("user_name")}
            body = doc.get("public_body") or {}
            owner = who.get("url_name") if kind == "user" else body.get("url_name")
            if owner != name or doc.get("prominence") != "normal" or doc["id"] in self.hidden:
                continue  # only search-indexed requests reach feeds (§1.5)
            shallow = {k: v for k, v in doc.items() if k not in _DEEP}
            for e in doc["info_request_events"]:
                if e["event_type"] in FEED_TYPES:
                    item = _public(e)
                    item["snippet"] = (e.get("_text") or doc["title"])[:150]
                    item.update(info_request=shallow, public_body=doc.get("public_body"), user=who)
                    items.append(item)
        items.sort(key=lambda i: (i["created_at"], i["id"]), reverse=True)
        return items[(page - 1) * 25 : page * 25]

    def _page(self, doc: dict[str, Any]) -> str:
        """The request page as Alaveteli's views lay it out (_request_header, correspondence)."""
        due = self.due_dates.get(doc["id"])
        status = _computed_status(doc, due)
        esc = html.escape
        body = doc.get("public_body") or {"name": "", "url_name": ""}
        body_name = esc(body["name"])
        if status in ("waiting_response", "waiting_response_overdue") and due is not None:
            when = f'<time datetime="{due.isoformat()}" title="{due.isoformat()}">{due:%-d %B %Y}</time>'
            lead = (
                "Currently <strong>waiting for a response</strong> from "
                f'<a href="/body/{body["url_name"]}">{body_name}</a>, they should '
                "respond promptly and normally no later than"
                if status == "waiting_response"
                else "Response to this request is <strong>delayed</strong>. By law, "
                f"{body_name} should normally have responded <strong>promptly</strong> and by"
            )
            text = f'{lead} <strong>{when}</strong> (<a href="/help/requesting">details</a>).'
        else:
            text = esc(STATUS_TEXT.get(status, status))
        parts = [
            "<!DOCTYPE html>\n<html lang=\"en-gb\"><head><meta charset=\"utf-8\">",
            f"<title>{esc(doc['title'])} - a Freedom of Information request to {body_name}</title>",
            '</head><body><div class="request-header"><div class="row">',
            f"<h1>{esc(doc['title'])}</h1>",
            '<div class="request-status">',
            f'<div id="request_status" class="request-status-message request-status-message--{status}">',
            f'<i class="icon-standalone icon_{status}"></i><p>{text}</p></div></div></div></div>',
            '<div id="left_column" class="left_column">',
        ]  # fmt: skip
        who = esc((doc.get("user") or {}).get("name") or doc.get("user_name") or "")
        for e in doc["info_request_events"]:
            parts.append(_message_html(e, who, body_name))
        parts.append("</div></body></html>\n")
        return "\n".join(p for p in parts if p)


_DEEP = ("user", "user_name", "public_body", "info_request_events")


def _simple_format(text: str) -> str:
    """Rails' simple_format, as Alaveteli renders a message body: paragraphs (split at
    blank lines) in `<p>`, joined by a blank line, and each line break inside one kept as
    "\\n<br />" (`gsub(/([^\\n]\\n)(?=[^\\n])/, '\\1<br />')`)."""
    paragraphs = [p for p in re.split(r"\n\n+", html.escape(text).replace("\r\n", "\n")) if p]
    return "\n\n".join(
        "<p>" + re.sub(r"([^\n]\n)(?=[^\n])", r"\1<br />", p) + "</p>" for p in paragraphs
    )


def _time_tag(stamp: str) -> str:
    """DateTimeHelper#simple_date_html: Rails' `time_tag` for a moment in WDTK's zone
    (Europe/London): `datetime` is its xmlschema, `title` its to_s."""
    moment = dt.datetime.fromisoformat(stamp).astimezone(ZoneInfo("Europe/London"))
    return (
        f'<time datetime="{moment.isoformat(timespec="seconds")}" '
        f'title="{moment:%Y-%m-%d %H:%M:%S %z}">{moment.day} {moment:%B %Y}</time>'
    )


def _message_html(e: dict[str, Any], who: str, body_name: str) -> str:
    """One message as Alaveteli's request/_incoming_correspondence.html.erb and
    _outgoing_correspondence.html.erb lay it out (the sender, then the date linked to the
    message's anchor, then the body in `.correspondence_text`)."""
    esc = html.escape
    text = _simple_format(e.get("_text") or "")
    if e["event_type"] == "response":
        mid = e["incoming_message_id"]
        items = "".join(
            f'<li class="attachment" id="attachment-{i}"><a href="/request/x/response/{mid}'
            f'/attach/{i}/{esc(n)}"><img class="attachment__image" alt="Attachment"></a>\n'
            f'<p class="attachment__name">\n  {esc(n)}\n</p>\n<p class="attachment__meta">12K '
            f'<a href="/request/x/response/{mid}/attach/{i}/{esc(n)}">Download</a></p></li>'
            for i, n in enumerate(e.get("_attachments") or [], 2)
        )
        files = (
            '<div class="attachments"><div class="attachments__header"><h3>'
            f"{len(e['_attachments'])} Attachments</h3></div>"
            f'<ul class="list-of-attachments">{items}</ul></div>'
            if items
            else ""
        )
        return (
            f'<div class="incoming correspondence normal js-collapsible" id="incoming-{mid}">\n'
            '  <div class="correspondence__header">\n'
            '    <span class="correspondence__header__author js-collapsible-trigger">\n'
            f"        {body_name}\n    </span>\n"
            f'    <a class="correspondence__header__date" href="#incoming-{mid}">\n'
            f"      {_time_tag(e['created_at'])}\n</a>  </div>\n"
            f'  <div class="correspondence_text">\n{files}\n'
            f'<div id="attachment-1">{text}</div>\n  </div>\n'
            '  <p class="event_actions">\n  </p>\n'
            '<div class="correspondence__footer"><div class="correspondence__footer__cplink">'
            '<a class="cplink__button">Link to this</a></div></div>\n</div>'
        )
    if e["event_type"] in OUTGOING:
        mid = e["outgoing_message_id"]
        return (
            f'<div class="outgoing correspondence js-collapsible" id="outgoing-{mid}">\n'
            '    <div class="correspondence__header ">\n'
            '      <span class="correspondence__header__author js-collapsible-trigger">\n'
            f"        {who}\n      </span>\n"
            f'      <a class="correspondence__header__date" href="#outgoing-{mid}">\n'
            f"          {_time_tag(e['created_at'])}\n</a>    </div>\n"
            f'    <div class="correspondence_text">\n      <div>{text}</div>\n    </div>\n'
            '    <p class="event_actions">\n    </p>\n</div>'
        )
    return ""


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop the replica's private `_` keys (message text for the HTML page)."""
    out = {}
    for k, v in obj.items():
        if k.startswith("_"):
            continue
        if k == "info_request_events":
            v = [_public(e) for e in v]
        out[k] = v
    return out


def _encode(doc: Any) -> bytes:
    """Rails' JSON: compact, UTF-8, with &, <, > and U+2028/9 escaped as the fixtures show."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    for char, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                      ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(char, esc)
    return text.encode("utf-8")


def _json(doc: Any, cache: int = 3600) -> _Answer:
    return _Answer(
        200, _encode(doc), "application/json; charset=utf-8", {"_ttl": str(cache)},
        json_doc=doc, cacheable=True,
    )  # fmt: skip


def _ruby_time(stamp: str) -> str:
    return dt.datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M:%S %z")


# Two real WDTK bodies the tests use: an English (UK-wide) one and a Scottish one.
HOME_OFFICE = make_body("home_office", "Home Office", 41, ["central_government"])
POLICE_SCOTLAND = make_body("police_scotland", "Police Scotland", 42, ["police", "scotland"])
