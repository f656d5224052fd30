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
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
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
# Body sentences that quote the title (new_response, overdue, classify reminder).
BODY_TITLES = (
    re.compile(r"Your request was called '(?P<title>.+?)'\. Letting everyone know"),
    re.compile(r"You have a new response to the .+? request '(?P<title>.+?)' that you made to"),
    re.compile(r"They have not replied to your \S+ request (?P<title>.+?) promptly"),
)
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


def recognise(raw: bytes, base_url: str) -> Recognised | Ignored:
    """Whether `raw` is one of WDTK's alerts and which requests it names."""
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
    mentions = mentions_in(texts, base_url)
    if not mentions:
        title = subject_title or _body_title(texts)
        if title:
            mentions = (Mention(title=title),)
    if not mentions:
        return Ignored(key, f"from {domain} but names no request")
    return Recognised(key, kind, subject, mentions)


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


def mentions_in(texts: list[str], base_url: str) -> tuple[Mention, ...]:
    """Every request a link in the texts names, in order of first appearance, once."""
    found: list[Mention] = []
    for text in texts:
        for url in _URL.findall(text):
            mention = request_in_url(url.rstrip(".,;:!?"), base_url)
            if mention is not None and mention not in found:
                found.append(mention)
    return tuple(found)


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
    linked: list[str] = []
    found_drafts: list[str] = []
    untracked: list[Mention] = []
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
            found_drafts.extend(ref for ref in hits if ref not in found_drafts)
            if hits:
                continue
        if not refs:
            untracked.append(m)
        for ref in refs:
            bucket = found_drafts if ref in unlinked else linked
            if ref not in bucket:
                bucket.append(ref)
    return Matches(tuple(linked), tuple(found_drafts), tuple(untracked))


def _title_key(title: str) -> str:
    return "".join(title.split()).casefold()
