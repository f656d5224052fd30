"""URLs and slugs on WDTK: the ones foibot hands to people, the slugs WDTK derives from a
title, and the request references people paste."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote, urlencode, urlsplit

from bot.ids import WDTK_ID_MAX, wdtk_id
from bot.wdtk.errors import RequestRefError

LINK_WARN_CHARS = 8000  # browsers and proxies start to truncate URLs around here


TAG_NAME = "foibot"


def foibot_tag(ref: str, installation: str) -> str:
    """The tag a released request carries on WDTK: `foibot:<installation>-<ref>`. The
    installation id keeps two users who start from the same example config apart."""
    return f"{TAG_NAME}:{installation}-{ref}"


def ref_from_tag(value: str | None, installation: str) -> str | None:
    """The ref a `foibot:` tag value names for this installation; a bare ref (the form
    tags took before installation ids) still counts, other installations' never."""
    if not value:
        return None
    prefix = f"{installation}-"
    if value.startswith(prefix):
        return value[len(prefix) :]
    head = value.split("-", 1)[0]
    if re.fullmatch(r"[0-9a-f]{8}", head):
        return None  # another installation's
    return value


def new_request_url(
    base_url: str, body: str, title: str, letter: str, ref: str, installation: str
) -> str:
    """WDTK's new-request form, prefilled; a human checks it and presses send."""
    query = urlencode(
        {"title": title, "body": letter, "tags": foibot_tag(ref, installation)}, quote_via=quote
    )
    return f"{base_url}/new/{quote(body)}?{query}"


def request_url(base_url: str, url_title: str | None, wdtk_id: int | None = None) -> str | None:
    if url_title:
        return f"{base_url}/request/{url_title}"
    if wdtk_id:
        return f"{base_url}/request/{wdtk_id}"
    return None


# What may stay as it is in a link's path and query (RFC 3986 reserved and unreserved
# characters, and `%` so an escape already there is kept); anything else is %-escaped.
_LINK_SAFE = "/:@!$&'()*+,;=?#%~-._"


def escaped_path(path: str) -> str:
    """A path from an href on WDTK's HTML, as a link may carry it: every character
    outside the URL's own alphabet (a space, an ESC, a newline, `<`, `"`, non-ASCII)
    %-escaped, so the link is one word a terminal shows as it is."""
    return quote(path, safe=_LINK_SAFE)


def derive_url_title(title: str) -> str:
    """The slug WDTK gives a new request with this title, before any `_N` suffix.

    Mirrors Alaveteli's `MySociety::Format.simplify_url_part(title, 'request', 32)`: the cut
    is at 32 characters, not at a word boundary, so "…to improve" can become "…to_impr".
    """
    text = unicodedata.normalize("NFKD", title.lower())
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[\s\-_]", "_", text)
    text = re.sub(r"[^a-z0-9_]", "", text)
    text = re.sub(r"_+", "_", text).strip("_")
    text = text[:32].rstrip("_")
    if not text or text.isdigit():
        return "request"
    return text


_REF_PATH = re.compile(r"^(?:/[a-z]{2}(?:_[A-Za-z]{2})?)?/request/([^/]+?)(?:\.json)?(?:/.*)?$")


def parse_request_ref(url_or_id: str, base_url: str) -> int | str:
    """A numeric id or slug from what a user pasted: `/request/<slug>`, `/request/<id>`
    (either with `.json`), a full URL on base_url (a `/cy/` locale prefix is fine), or a
    bare number. Raises RequestRefError, a UsageError, for anything else."""
    text = url_or_id.strip()
    try:
        return _parse_ref(text, base_url)
    except ValueError as exc:  # urlsplit: "http://[::1/…" is no URL at all
        raise RequestRefError(f"{text[:80]}: not a URL ({exc})") from None


def _parse_ref(text: str, base_url: str) -> int | str:
    if re.fullmatch(r"[0-9]+", text):
        return _number(text, text)
    path = text
    if re.match(r"^[a-z][a-z0-9+.-]*:", text, re.IGNORECASE):
        parts, base = urlsplit(text), urlsplit(base_url)
        if parts.scheme.lower() not in ("http", "https"):
            raise RequestRefError(f"{text}: not an http(s) URL")
        if _site(parts.netloc) != _site(base.netloc):
            raise RequestRefError(
                f"{text}: not on {base.netloc} ([wdtk] base_url); foibot only tracks requests there"
            )
        path = parts.path
        prefix = base.path.rstrip("/")
        if prefix and path.startswith(prefix + "/"):
            path = path[len(prefix) :]
    else:
        path = "/" + urlsplit(text).path.lstrip("/")
    match = _REF_PATH.match(unquote(path))
    ref = match.group(1) if match else ""
    if re.fullmatch(r"[0-9]+", ref):
        return _number(ref, text)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", ref):
        raise RequestRefError(
            f"{text or '(empty)'}: not a WDTK request; give /request/<slug>, /request/<id> "
            "or the request's full URL"
        )
    return ref


def _number(digits: str, text: str) -> int:
    number = wdtk_id(digits)
    if number is None:
        shown = text if len(text) <= 80 else text[:80] + "…"
        raise RequestRefError(
            f"{shown}: not a WDTK request number (request numbers run from 1 to {WDTK_ID_MAX})"
        )
    return number


def _site(netloc: str) -> str:
    host = netloc.lower().removeprefix("www.")
    return re.sub(r":(80|443)$", "", host)
