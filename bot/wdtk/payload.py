"""Typed views of what WDTK serves: the deep request JSON and the HTML request page.

Parsing is strict about what the bot acts on (ids, states, timestamps) and lenient about
everything else, because WDTK adds keys and event types over time (protocol §1.2) while a
silently misread id or date would corrupt a campaign's record. Every shape error names its
JSON path so it can be recorded against the request and read by a person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.bodies import URL_NAME_RE, clean_name
from bot.dates import LONDON
from bot.typenames import type_name
from bot.wdtk.errors import PayloadError
from bot.wdtk.urls import escaped_path
from bot.wording import CONTROLS

Tags = tuple[tuple[str, str | None], ...]


# Control characters other than \n and \t: NUL, ESC (terminal escape sequences that clear
# the screen or retitle the window), CR (overwrites a line), DEL and the C1 set. Nothing
# WDTK legitimately serves contains them, and every string is stripped of them here, at
# the parse boundary, so none reaches a terminal, an HTML report or a file.
def clean_text(text: str) -> str:
    """`text` without control characters (keeps \n and \t)."""
    return CONTROLS.sub("", text)


@dataclass(frozen=True)
class WdtkBody:
    id: int
    url_name: str
    name: str
    short_name: str | None = None
    tags: Tags = ()


@dataclass(frozen=True)
class WdtkEvent:
    id: int
    event_type: str  # unknown types are kept: WDTK adds new ones (refusal_advice, public_token…)
    created_at: dt.datetime
    described_state: str | None = None
    calculated_state: str | None = None
    incoming_message_id: int | None = None
    outgoing_message_id: int | None = None
    comment_id: int | None = None


@dataclass(frozen=True)
class WdtkRequest:
    id: int
    url_title: str
    title: str
    described_state: str
    awaiting_description: bool = False
    law_used: str | None = None
    tags: Tags = ()
    display_status: str | None = None  # translated prose; for display only, never for logic
    prominence: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    public_body: WdtkBody | None = None
    user_name: str | None = None
    events: tuple[WdtkEvent, ...] = ()
    user_url_name: str | None = None  # absent for external (write-API) requests

    def tag(self, name: str) -> str | None:
        """The value of the first tag called `name` ("" for a plain tag, None if absent)."""
        for key, value in self.tags:
            if key == name:
                return value if value is not None else ""
        return None


_MISSING = object()


def _kind(value: object) -> str:
    return type_name(value, mapping="an object")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Obj:
    """A JSON object being read, remembering where it sits in the document.

    `x(key)` requires a value; `x_opt(key)` treats a missing key and null alike as None
    but still refuses a value of the wrong type.
    """

    def __init__(self, data: object, path: str):
        if not isinstance(data, dict):
            raise PayloadError(path, f"is not an object (got {_kind(data)})")
        self.data: dict[Any, Any] = data
        self.path = path

    def _get(self, key: str, optional: bool, ok: Callable[[Any], bool], what: str) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if optional:
                return None
            raise PayloadError(
                _join(self.path, key), "is missing" if value is _MISSING else "is null"
            )
        if not ok(value):
            raise PayloadError(_join(self.path, key), f"is not {what} (got {_kind(value)})")
        return value

    def int(self, key: str) -> int:
        return self._get(key, False, _is_int, "an integer")

    def int_opt(self, key: str) -> int | None:
        return self._get(key, True, _is_int, "an integer")

    def str(self, key: str) -> str:
        return clean_text(self._get(key, False, _is_str, "a string"))

    def slug(self, key: str) -> str:
        """A url_name or url_title: it goes into links, file names and reports, so it is
        held to what Alaveteli's simplify_url_part makes (bot.bodies.URL_NAME_RE), as the
        all-authorities.csv import is; `../x`, `a?b#c` or a control character is refused."""
        value = self._get(key, False, _is_str, "a string")
        if not URL_NAME_RE.fullmatch(value):
            shown = repr(value if len(value) <= 60 else value[:60] + "…")  # escapes ESC
            raise PayloadError(
                _join(self.path, key),
                f"is not a WDTK slug (lower-case letters, digits, _ and -): {shown}",
            )
        return value

    def slug_opt(self, key: str) -> str | None:
        return None if self.data.get(key) is None else self.slug(key)

    def name(self, key: str, optional: bool = False) -> str | None:
        """A body's name: on one line, without control characters (bot.bodies.clean_name)."""
        value = self._get(key, optional, _is_str, "a string")
        return None if value is None else clean_name(value)

    def str_opt(self, key: str) -> str | None:
        value = self._get(key, True, _is_str, "a string")
        return None if value is None else clean_text(value)

    def bool_opt(self, key: str) -> bool | None:
        return self._get(key, True, lambda v: isinstance(v, bool), "a boolean")

    def list(self, key: str) -> list[Any]:
        return self._get(key, False, lambda v: isinstance(v, list), "a list")

    def time(self, key: str) -> dt.datetime:
        return parse_timestamp(self.str(key), _join(self.path, key))

    def time_opt(self, key: str) -> dt.datetime | None:
        text = self.str_opt(key)
        return None if text is None else parse_timestamp(text, _join(self.path, key))

    def tags(self, key: str) -> Tags:
        items = self._get(key, True, lambda v: isinstance(v, list), "a list") or []
        tags = []
        for i, item in enumerate(items):
            where = _join(_join(self.path, key), i)
            if not isinstance(item, list) or len(item) not in (1, 2):
                raise PayloadError(where, f"is not a [name, value] pair (got {_kind(item)})")
            name, value = item[0], item[1] if len(item) == 2 else None
            if not isinstance(name, str):
                raise PayloadError(_join(where, 0), f"is not a string (got {_kind(name)})")
            if value is not None and not isinstance(value, str):
                raise PayloadError(_join(where, 1), f"is not a string or null (got {_kind(value)})")
            tags.append((clean_text(name), None if value is None else clean_text(value)))
        return tuple(tags)


def _is_int(value: Any) -> bool:
    # bool is an int to Python but never an id to WDTK.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def tag_strings(tags: Tags) -> tuple[str, ...]:
    """WDTK's `[name, value]` pairs as its tag_string writes them: `name` or `name:value`."""
    return tuple(name if value is None else f"{name}:{value}" for name, value in tags)


def parse_timestamp(text: str, path: str = "") -> dt.datetime:
    """An ISO-8601 timestamp that carries its UTC offset, as Rails writes them."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise PayloadError(path, f"is not an ISO-8601 timestamp: {text[:40]!r}") from None
    # A naive time would be read in the machine's zone and shift every deadline by an hour.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise PayloadError(path, f"has no UTC offset: {text[:40]!r}")
    try:
        # Moments are compared in UTC and dates counted in UK time, so a moment that
        # cannot be converted (year 1 or 9999 with an offset) is refused here, at parse
        # time, rather than raising OverflowError later in the poll.
        moment.astimezone(dt.UTC).astimezone(LONDON)
    except OverflowError:
        raise PayloadError(path, f"is out of range: {text[:40]!r}") from None
    return moment


def parse_body(data: object, path: str = "public_body") -> WdtkBody:
    o = _Obj(data, path)
    return WdtkBody(
        id=o.int("id"),
        url_name=o.slug("url_name"),
        name=o.name("name") or "",
        short_name=o.name("short_name", optional=True),
        tags=o.tags("tags"),
    )


def parse_event(data: object, path: str) -> WdtkEvent:
    o = _Obj(data, path)
    return WdtkEvent(
        id=o.int("id"),
        event_type=o.str("event_type"),
        created_at=o.time("created_at"),
        described_state=o.str_opt("described_state"),
        calculated_state=o.str_opt("calculated_state"),
        incoming_message_id=o.int_opt("incoming_message_id"),
        outgoing_message_id=o.int_opt("outgoing_message_id"),
        comment_id=o.int_opt("comment_id"),
    )


def parse_request(data: object) -> WdtkRequest:
    """A deep `/request/<url_title>.json` document (protocol §1.2) as a WdtkRequest.

    Raises PayloadError naming the first offending path.
    """
    o = _Obj(data, "")
    body = o.data.get("public_body")
    user = o.data.get("user")
    user_name = user_url_name = None
    if user is not None:
        u = _Obj(user, "user")
        # url_name goes into the user feed's path and into messages: a slug, as a body's is.
        user_name, user_url_name = u.str_opt("name"), u.slug_opt("url_name")
    if user_name is None:
        # External requests made through the write API carry a bare name instead of a user.
        user_name = o.str_opt("user_name")
    events = o.list("info_request_events")
    return WdtkRequest(
        id=o.int("id"),
        url_title=o.slug("url_title"),
        title=o.str("title"),
        described_state=o.str("described_state"),
        awaiting_description=bool(o.bool_opt("awaiting_description")),
        law_used=o.str_opt("law_used"),
        tags=o.tags("tags"),
        display_status=o.str_opt("display_status"),
        prominence=o.str_opt("prominence"),
        created_at=o.time_opt("created_at"),
        updated_at=o.time_opt("updated_at"),
        public_body=parse_body(body) if body is not None else None,
        user_name=user_name,
        events=tuple(parse_event(e, _join("info_request_events", i)) for i, e in enumerate(events)),
        user_url_name=user_url_name,
    )


# --- the HTML request page ---------------------------------------------------------------


def _soup(html: str) -> Any:
    from bs4 import BeautifulSoup  # only the HTML paths need it; keep JSON polling light

    return BeautifulSoup(html, "html.parser")


def parse_html_status(html: str) -> tuple[str | None, dt.date | None]:
    """WDTK's own computed status and due date from `div#request_status` (protocol §1.8)."""
    box = _soup(html).find(id="request_status")
    if box is None:
        return None, None
    status = None
    for cls in box.get("class") or []:
        if cls.startswith("request-status-message--") and len(cls) > 24:
            status = cls[len("request-status-message--") :]
    if status is None:
        icon = box.find("i", class_=re.compile(r"^icon_"))
        if icon is not None:
            status = next(c[5:] for c in icon["class"] if c.startswith("icon_"))
    due = None
    time_tag = box.find("time", attrs={"datetime": True})
    if time_tag is not None:
        # The due date is a Date, so `time_tag` writes "2025-08-19"; take the date part of
        # a full timestamp too in case that ever changes.
        try:
            due = dt.date.fromisoformat(str(time_tag["datetime"]).strip()[:10])
        except ValueError:
            due = None
    return (clean_text(status) if status is not None else None), due


_DROP = (
    ".attachments, ul.list-of-attachments, .correspondence__header, h2, .event_actions, "
    ".correspondence__footer, .js-delivery-log-ajax-error, .hidden_attachment, script, style"
)


def parse_correspondence(html: str) -> list[dict[str, Any]]:
    """Messages on a request page, oldest first: kind, when it was sent, plain text and
    attachment names.

    Best effort: Alaveteli's markup has changed over the years, so this keys on the stable
    hooks (`div.correspondence` with `incoming`/`outgoing`, `.attachment`) and falls back
    to the whole message box when the body container is not found.
    """
    messages = []
    for box in _soup(html).select("div.correspondence"):
        classes = set(box.get("class") or [])
        kind = next((k for k in ("incoming", "outgoing") if k in classes), "other")
        sent_at = _message_time(box)
        attachments, links = _attachments(box)
        body = box.select_one(".correspondence_text") or box.select_one(".correspondence__body")
        target = body if body is not None else box
        for junk in target.select(_DROP):
            junk.decompose()
        messages.append(
            {
                "kind": kind,
                "sent_at": sent_at,
                "text": _plain(_html_text(target)),
                "attachments": attachments,
                "attachment_links": links,
            }
        )
    return messages


def _message_time(box: Any) -> str | None:
    """When a message was sent (UTC ISO), from its header's `<time datetime>`.

    Alaveteli's `_incoming_correspondence.html.erb` links the date as
    `a.correspondence__header__date` around `simple_date(incoming_message.sent_at)` (the
    e-mail's Date header, else when WDTK received it), and `_outgoing_correspondence`
    does the same with the sending event's `created_at`; `simple_date` writes Rails'
    `time_tag`, whose `datetime` is the moment with its offset.
    """
    stamp = box.select_one(".correspondence__header__date time[datetime]") or box.select_one(
        "time[datetime]"
    )
    if stamp is None:
        return None
    try:
        moment = parse_timestamp(str(stamp["datetime"]).strip())
    except PayloadError:
        return None  # a date alone or a garbled one: better no date than a wrong one
    return moment.astimezone(dt.UTC).isoformat()


# Elements that start a new line of their own, as a browser lays them out; `<p>` ends a
# paragraph with a blank line. Alaveteli renders each message with Rails' simple_format:
# paragraphs in `<p>`, and each line break inside one as "\n<br />", so the newline in
# the text is only layout whitespace and the `<br>` is the break.
_BLOCKS = frozenset(
    {
        "address", "article", "blockquote", "div", "dl", "dt", "dd", "fieldset", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol",
        "section", "table", "tr", "ul",
    }
)  # fmt: skip


def _html_text(node: Any) -> str:
    """A message's text as a browser shows it: whitespace in the markup collapses to one
    space, `<br>` breaks a line, block elements start one, and paragraphs are separated
    by a blank line (`_plain` then trims each line)."""
    from bs4 import NavigableString, Tag
    from bs4.element import Comment

    out: list[str] = []

    def walk(tag: Any) -> None:
        for child in tag.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                out.append(re.sub(r"\s+", " ", str(child)))
            elif isinstance(child, Tag):
                name = child.name
                if name == "br":
                    out.append("\n")
                elif name == "pre":
                    out.extend(("\n", child.get_text(), "\n"))
                elif name == "p":
                    out.append("\n\n")
                    walk(child)
                    out.append("\n\n")
                elif name in _BLOCKS:
                    out.append("\n")
                    walk(child)
                    out.append("\n")
                else:
                    walk(child)

    walk(node)
    return "".join(out)


def _attachments(box: Any) -> tuple[list[str], list[str]]:
    """Each attachment's name and its WDTK download path (`/request/…/attach/…`; "" where
    the markup has none), in the same order."""
    names: list[str] = []
    links: list[str] = []
    for item in box.select(".attachment"):
        label = (
            item.select_one(".attachment__name")
            or item.find("strong")
            or item.select_one("a[href*='/attach/']")
        )
        text = _plain((label or item).get_text(" "))
        if text and text not in names:
            names.append(text)
            anchor = item.select_one("a[href*='/attach/']")
            href = str(anchor.get("href") or "") if anchor is not None else ""
            # Escaped here too: a newline in an href would shift every later link.
            links.append(escaped_path(href) if href.startswith("/") else "")
    return names, links


def _plain(text: str) -> str:
    text = clean_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [" ".join(line.split()) for line in text.replace("\xa0", " ").splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
