"""Recognise WDTK's own alert e-mails and the requests they name. Pure: bytes in, a
verdict out.

The shapes come from Alaveteli's mailers (app/mailers/request_mailer.rb and
track_mailer.rb) and their templates: every alert is sent from the site's own contact or
track address, and names its request by a link somewhere in the body —
`/request/<slug>?nocache=incoming-N#incoming-N` (new response, track alerts),
`/request/<id>/followups/new[/N]` or, in older versions, `/request/<id>/response[/N]`
(overdue), `/profile/sign_in?r=%2Frequest%2F<slug>…` (the "please classify" reminder, and
new responses to Pro users). Older versions sent `/c/<token>` links that name nothing, so
the request's title, which the subject (or the reminder's body) quotes, is the fallback.
Nothing here decides what to do: the mail service matches mentions to tracked requests.

Anyone can forge a From line, so a message is also judged *genuine* or not (`Recognised.
doubt`): only a genuine alert may make `mail --track` follow a request foibot does not
(see `doubt_about`). Hostile mail stays cheap: one regex pass over the text, set lookups,
at most MAX_LINKS links looked at, and the caller's stop flag checked as it goes.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

# What each alert's subject starts with, in the mailers' own words (older wordings too);
# the title follows " - " (a dash of any kind: some clients retype it).
SUBJECT_KINDS = (
    ("new_response", r"New response to your (?:FOI |EIR )?request"),
    ("overdue", r"Delayed response to your (?:FOI |EIR )?request"),
    ("very_overdue", r"You're long overdue a response to your (?:FOI |EIR )?request"),
    ("clarify", r"Clarify your (?:FOI |EIR )?request"),
    ("note", r"Somebody added a note to your (?:FOI |EIR )?request"),
    ("note", r"Some notes have been added to your (?:FOI |EIR )?request"),
)
# Subjects that carry no title: the request is named in the body only.
BARE_SUBJECTS = (
    ("classify", r"Please update the status of your request"),
    ("classify", r"Was the response you got to your (?:FOI |EIR )?request any good\?"),
    ("status_updated", r"Someone has updated the status of your request"),
    ("track", r"Your .+ email alert"),
)
_DASH = r"\s*[-\u2013\u2014]\s*"
# Body sentences that quote the title (new_response, overdue, classify reminder). Bounded
# repeats: an unbounded `.+?` rescans the rest of a hostile text at every false start.
# (Alaveteli's InfoRequest validates a title to at most 200 characters.)
BODY_TITLES = (
    re.compile(r"Your request was called '(?P<title>.{1,300}?)'\. Letting everyone know"),
    re.compile(
        r"You have a new response to the .{1,60}? request '(?P<title>.{1,300}?)' that you made to"
    ),
    re.compile(r"They have not replied to your \S{1,20} request (?P<title>.{1,300}?) promptly"),
)
# Links looked at per message. A genuine alert has a few; a track digest lists at most 100
# results per track (TrackMailer.alert_tracks: `limit: 100`), each with one link, plus its
# subscription links. Links past this are not read: a forged mail of 50,000 links costs
# no more than one of 2,000.
MAX_LINKS = 2_000
STOP_EVERY = 256  # links between two looks at the stop flag
# What every alert ApplicationMailer#mail_user sends carries (set_auto_generated_headers,
# RFC 3834), as (header, value).
AUTO_HEADERS = (("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "OOF"))
_URL = re.compile(r"https?://[^\s<>\"'\]\)]+", re.IGNORECASE)
_REQUEST_PATH = re.compile(r"^(?:/[a-z]{2}(?:_[A-Za-z]{2})?)?/request/(?P<ref>[^/?#]+)")
_SLUG = re.compile(r"[A-Za-z0-9_-]+")
NOT_REQUESTS = frozenset({"search_ahead", "new"})  # /request/<these> are pages, not requests


@dataclass(frozen=True)
class Mention:
    """One request a message names: by WDTK id, by slug, or (no link) by title."""

    wdtk_id: int | None = None
    url_title: str | None = None
    title: str | None = None

    @property
    def label(self) -> str:
        if self.url_title:
            return f"/request/{self.url_title}"
        if self.wdtk_id is not None:
            return f"/request/{self.wdtk_id}"
        return f"'{self.title}'"


@dataclass(frozen=True)
class Recognised:
    key: str  # the Message-ID, or a digest of the message when it has none
    kind: str  # new_response, overdue, very_overdue, classify, clarify, note, track, other
    subject: str
    mentions: tuple[Mention, ...]
    doubt: str | None = None  # why it may not be WDTK's own (None: genuine); see doubt_about


class Interrupted(Exception):
    """The stop flag was raised while a message was being read: it is left for next time."""


@dataclass(frozen=True)
class Ignored:
    key: str
    reason: str  # why it is not one of WDTK's alerts; it is left untouched


def message_key(raw: bytes, message_id: str | None = None) -> str:
    """What identifies a message across UIDVALIDITY changes and copies between folders."""
    if message_id and message_id.strip():
        return "mid:" + message_id.strip()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def site_domain(base_url: str) -> str:
    host = (urlsplit(base_url).hostname or "").lower()
    return host.removeprefix("www.")


def sender_matches(domain: str, base_url: str) -> bool:
    """The sender's domain is the site's, or one of its subdomains (mail.example.org)."""
    site, domain = site_domain(base_url), domain.lower().strip("[]. ")
    return bool(site) and (domain == site or domain.endswith("." + site))


def sender_domain(message: EmailMessage) -> str | None:
    header = message["From"]
    addresses = getattr(header, "addresses", ()) if header is not None else ()
    if len(addresses) != 1 or not addresses[0].domain:
        return None
    return addresses[0].domain


def from_site(header_bytes: bytes, base_url: str) -> bool:
    """From the headers alone: could this be one of the site's alerts? Lets the shell
    fetch whole messages only for the site's mail, not for everything in a big mailbox."""
    try:
        message = email.message_from_bytes(header_bytes, policy=email.policy.default)
        domain = sender_domain(message)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 — hostile headers: decide on the whole message later
        return True
    return domain is None or sender_matches(domain, base_url)


def recognise(
    raw: bytes,
    base_url: str,
    *,
    trusted_relay: str = "",
    should_stop: Callable[[], bool] = lambda: False,
) -> Recognised | Ignored:
    """Whether `raw` is one of WDTK's alerts, which requests it names, and whether it is
    genuinely WDTK's. Raises Interrupted when should_stop() turns true."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        key = message_key(raw, str(message["Message-ID"] or ""))
    except Exception:  # noqa: BLE001 — the email package raises many kinds on bad input
        return Ignored(message_key(raw), "malformed: cannot read its headers")
    try:
        domain = sender_domain(message)  # type: ignore[arg-type]
        subject = " ".join(str(message["Subject"] or "").split())
        if domain is None:
            return Ignored(key, "no single sender address")
        if not sender_matches(domain, base_url):
            return Ignored(key, f"not from {site_domain(base_url)} (from {domain})")
        texts = _texts(message)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001
        return Ignored(key, "malformed: cannot read its body")
    kind, subject_title = classify_subject(subject)
    mentions = mentions_in(texts, base_url, should_stop=should_stop)
    if not mentions:
        title = subject_title or _body_title(texts)
        if title:
            mentions = (Mention(title=title),)
    if not mentions:
        return Ignored(key, f"from {domain} but names no request")
    try:
        doubt = doubt_about(message, kind, base_url, trusted_relay)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 — hostile headers: not to be trusted, still polled
        doubt = "malformed headers"
    return Recognised(key, kind, subject, mentions, doubt)


def classify_subject(subject: str) -> tuple[str, str | None]:
    """The alert's kind and the title its subject quotes (None when it quotes none)."""
    for kind, lead in SUBJECT_KINDS:
        match = re.match(rf"^{lead}{_DASH}(?P<title>.+)$", subject)
        if match:
            return kind, match.group("title").strip()
    for kind, pattern in BARE_SUBJECTS:
        if re.fullmatch(pattern, subject):
            return kind, None
    return "other", None


def mentions_in(
    texts: list[str],
    base_url: str,
    *,
    max_links: int | None = MAX_LINKS,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[Mention, ...]:
    """Every request a link in the texts names, in order of first appearance, once: one
    regex pass, each distinct link parsed once, the mentions kept in an ordered dict (a
    list's `in` made 50,000 links take 657 s). Reads the first max_links links (None: all)
    and raises Interrupted when should_stop() turns true."""
    found: dict[Mention, None] = {}
    seen: set[str] = set()
    looked = 0
    for text in texts:
        for match in _URL.finditer(text):
            if max_links is not None and looked >= max_links:
                return tuple(found)
            looked += 1
            if looked % STOP_EVERY == 0 and should_stop():
                raise Interrupted
            url = match.group().rstrip(".,;:!?")
            if url in seen:
                continue
            seen.add(url)
            mention = request_in_url(url, base_url)
            if mention is not None:
                found.setdefault(mention)
    return tuple(found)


def doubt_about(
    message: EmailMessage, kind: str, base_url: str, trusted_relay: str = ""
) -> str | None:
    """Why this message from the site's domain may not be WDTK's own, or None. Alaveteli's
    ApplicationMailer#mail_user marks every alert `Auto-Submitted: auto-generated` and
    `X-Auto-Response-Suppress: OOF` (set_auto_generated_headers) and sets Return-Path, the
    envelope sender the receiving server records, to the site's blackhole address
    (set_reply_to_headers: BLACKHOLE_PREFIX@INCOMING_EMAIL_DOMAIN); TrackMailer#event_digest
    adds `Precedence: bulk`. All of these a forger can copy, so where the operator names
    its own receiving server (trusted_relay), the Received line that server wrote must
    say it took the message from a host of the site's domain."""
    for name, value in AUTO_HEADERS:
        if str(message[name] or "").strip().lower() != value.lower():
            return f"no '{name}: {value}' header"
    if kind == "track" and str(message["Precedence"] or "").strip().lower() != "bulk":
        return "a track alert without 'Precedence: bulk'"
    paths = message.get_all("Return-Path") or []
    _, envelope = email.utils.parseaddr(str(paths[0]) if paths else "")
    if not sender_matches(envelope.rpartition("@")[2], base_url):
        return f"Return-Path {_shown(envelope) or 'missing'} is not at {site_domain(base_url)}"
    if trusted_relay:
        received = [str(r) for r in message.get_all("Received") or []]
        return _relay_doubt(received, trusted_relay, base_url)
    return None


# A Received line's `from` clause (RFC 5321 section 4.4): Postfix and Sendmail write
# `from HELO (RDNS [IP])`, Exim `from RDNS ([IP] helo=HELO)`. The reverse-DNS name is the
# receiving server's own finding; the HELO name is whatever the sender said.
_RECEIVED_BY = re.compile(r"\bby\s+(?P<by>[^\s;()]+)", re.IGNORECASE)
_FROM_POSTFIX = re.compile(r"^\s*from\s+\S+\s+\((?P<rdns>[^\s()\[\]]+)\s+\[", re.IGNORECASE)
_FROM_EXIM = re.compile(
    r"^\s*from\s+(?P<rdns>[^\s()\[\]]+)\s+\(\[[^\]]*\][^)]*helo=", re.IGNORECASE
)


def _relay_doubt(received: list[str], relay: str, base_url: str) -> str | None:
    """Received lines are added on top as a message travels, so those above the relay's
    are the operator's own servers', and every line below it may be forged. The relay's
    own line (the topmost by it) names who handed it the message."""
    for line in received:
        flat = " ".join(line.split())
        by = _RECEIVED_BY.search(flat)
        if by is None or by.group("by").lower().rstrip(".") != relay.lower():
            continue
        found = _FROM_POSTFIX.match(flat) or _FROM_EXIM.match(flat)
        host = found.group("rdns").lower().rstrip(".") if found else ""
        if host and host != "unknown" and sender_matches(host, base_url):
            return None
        shown = _shown(host) or "an unnamed host"
        return f"{relay} received it from {shown}, not from {site_domain(base_url)}"
    return f"no Received line by {relay}"


def _shown(text: str) -> str:
    """A value from a hostile header, safe to print: no control characters, short."""
    return "".join(c if c.isprintable() else "?" for c in text[:100])


def request_in_url(url: str, base_url: str, depth: int = 0) -> Mention | None:
    """The request a link on the site points to, following a sign-in link's `r=` target."""
    parts, base = urlsplit(url), urlsplit(base_url)
    if parts.netloc and _site(parts.netloc) != _site(base.netloc):
        return None
    path = unquote(parts.path)
    prefix = base.path.rstrip("/")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix) :]
    match = _REQUEST_PATH.match(path)
    if match:
        ref = match.group("ref")
        if ref.isdigit():
            return Mention(wdtk_id=int(ref))
        if _SLUG.fullmatch(ref) and ref not in NOT_REQUESTS:
            return Mention(url_title=ref)
        return None
    targets = parse_qs(parts.query).get("r", [])
    if targets and depth < 2:
        return request_in_url(targets[0], base_url, depth + 1)
    return None


def _site(netloc: str) -> str:
    host = netloc.lower().rsplit("@", 1)[-1].removeprefix("www.")
    return re.sub(r":(80|443)$", "", host)


def _body_title(texts: list[str]) -> str | None:
    for text in texts:
        flat = " ".join(text.split())
        for pattern in BODY_TITLES:
            match = pattern.search(flat)
            if match:
                return match.group("title").strip()
    return None


def _texts(message: EmailMessage) -> list[str]:
    """The plain text of every text part, HTML turned into its text and its links."""
    texts = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        content = part.get_content()  # type: ignore[attr-defined]
        if part.get_content_subtype() == "html":
            content = _html_text(content)
        texts.append(content)
    return texts


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "href" and value:
                self.parts.append(f" {value} ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)


@dataclass(frozen=True)
class Matches:
    linked: tuple[str, ...]  # refs of linked requests named: poll them
    drafts: tuple[str, ...]  # released drafts the named slug was derived from: link them
    untracked: tuple[Mention, ...]  # named, but foibot follows no such request


def match_mentions(mentions: tuple[Mention, ...], rows: list[dict]) -> Matches:
    """Which stored requests the mentions name. rows: ref, wdtk_id, url_title, title and
    status of every linked or released request. A slug that is no stored request's but
    is the one WDTK derives from a released draft's title (or its `_N` sibling) is that
    draft, sent but not linked yet; a title matches regardless of case and spacing (header
    folding can drop the spaces around encoded words)."""
    from bot.wdtk.urls import derive_url_title

    unlinked = {r["ref"] for r in rows if r["wdtk_id"] is None}
    by_id = {r["wdtk_id"]: r["ref"] for r in rows if r["wdtk_id"] is not None}
    by_slug = {r["url_title"]: r["ref"] for r in rows if r["url_title"]}
    by_title: dict[str, list[str]] = {}
    drafts: dict[str, list[str]] = {}
    for r in rows:
        if r["title"]:
            by_title.setdefault(_title_key(r["title"]), []).append(r["ref"])
        if r["wdtk_id"] is None and r["title"]:
            drafts.setdefault(derive_url_title(r["title"]), []).append(r["ref"])
    # Ordered dicts, not lists: `in` on a list made matching quadratic in the mentions.
    linked: dict[str, None] = {}
    found_drafts: dict[str, None] = {}
    untracked: dict[Mention, None] = {}
    for m in mentions:
        if m.wdtk_id is not None and m.wdtk_id in by_id:
            refs = [by_id[m.wdtk_id]]
        elif m.url_title and m.url_title in by_slug:
            refs = [by_slug[m.url_title]]
        elif m.title:
            refs = by_title.get(_title_key(m.title), [])
        else:
            refs = []
        if m.url_title and not refs:
            base = re.sub(r"_[0-9]+$", "", m.url_title)
            hits = drafts.get(m.url_title, []) + (drafts.get(base, []) if base != m.url_title else [])
            found_drafts.update(dict.fromkeys(hits))
            if hits:
                continue
        if not refs:
            untracked.setdefault(m)
        for ref in refs:
            (found_drafts if ref in unlinked else linked).setdefault(ref)
    return Matches(tuple(linked), tuple(found_drafts), tuple(untracked))


def _title_key(title: str) -> str:
    return "".join(title.split()).casefold()
