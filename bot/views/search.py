"""Searching the replies and their attachments' text (`foibot search` and the web search
page): one FTS5 query over both indexes, merged by rank."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.config import Config
    from bot.store.db import Store

_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


def fts_query(words: tuple[str, ...]) -> str:
    """Plain words become quoted FTS5 terms (so `social-media` or `s.40` cannot be read as
    syntax); a query using FTS5's own syntax (quotes, AND/OR/NOT, prefix*) is passed on."""
    if any('"' in w or w in _OPERATORS or w.endswith("*") for w in words):
        return " ".join(words)
    return " ".join('"' + w.replace('"', '""') + '"' for w in words if w.strip())


def search_hits(
    store: Store,
    config: Config,
    words: tuple[str, ...],
    campaign: str | None,
    group: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The best `limit` hits among replies and attachments, each with its ref, body,
    snippet ([ ] around matches), the reply's date (UK), its WDTK page, and for an
    attachment its name and where in it. UsageError for an empty or malformed query."""
    from bot.deadlines import receipt_date
    from bot.extraction.model import Segment
    from bot.wdtk.urls import request_url

    match = fts_query(words)
    if not match:
        raise UsageError("give some words to search for")
    try:
        hits = store.search_replies(match, campaign, limit, group=group)
        hits += store.search_attachments(match, campaign, limit, group=group)
    except sqlite3.OperationalError as exc:
        raise UsageError(
            f"cannot search for {' '.join(words)!r}: AND, OR, NOT and NEAR go between two "
            f'words, and quotes come in pairs; put a word in quotes ("OR") to search for it '
            f"as it is (SQLite said: {exc})"
        ) from None
    base_url = config.wdtk.base_url
    # Both indexes rank by bm25 (lower is better): merged on it, the best `limit` kept.
    hits.sort(key=lambda h: h.pop("rank"))
    del hits[limit:]
    for hit in hits:
        if "attachment" in hit:
            where = Segment("", *(hit.pop(k) for k in ("page", "sheet", "cell", "line", "member")))
            hit["where"] = where.locator()
        else:
            hit.update(attachment=None, attachment_number=None, where=None)
        hit["url"] = request_url(base_url, hit.pop("url_title"), hit.pop("wdtk_id"))
        # The day the reply was sent (UK), never the day foibot fetched it.
        sent = hit.pop("sent_at")
        hit.pop("fetched_at", None)
        hit["date"] = receipt_date(sent).isoformat() if sent else None
    return hits
