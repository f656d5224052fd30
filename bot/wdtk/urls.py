"""URLs on WDTK that foibot hands to people."""

from __future__ import annotations

from urllib.parse import quote, urlencode

LINK_WARN_CHARS = 8000  # browsers and proxies start to truncate URLs around here


def new_request_url(base_url: str, body: str, title: str, letter: str, ref: str) -> str:
    """WDTK's new-request form, prefilled; a human checks it and presses send."""
    query = urlencode({"title": title, "body": letter, "tags": f"foibot:{ref}"}, quote_via=quote)
    return f"{base_url}/new/{quote(body)}?{query}"


def request_url(base_url: str, url_title: str | None, wdtk_id: int | None = None) -> str | None:
    if url_title:
        return f"{base_url}/request/{url_title}"
    if wdtk_id:
        return f"{base_url}/request/{wdtk_id}"
    return None
