"""Search across replies and their attachments' text: `foibot search`'s own query
(bot/views/search.py), the hits with their snippets, rendered as text."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.errors import FoibotError
from bot.web.app import render, site

LIMIT = 50


def search_page(request: Request) -> Response:
    from bot.views.search import search_hits

    p = request.query_params
    q = (p.get("q") or "")[:500]
    campaign = p.get("campaign") or None
    s = site(request)
    hits, error = [], ""
    if q.strip():
        try:
            if campaign:
                s.config.campaign(campaign)
            with s.store() as store:
                hits = search_hits(store, s.config, tuple(q.split()), campaign, None, LIMIT)
        except FoibotError as exc:
            error = str(exc)
    for hit in hits:
        # The snippet marks matches with [ ]: split so the page can emphasise them as
        # elements, never by inserting markup into a stranger's text.
        hit["parts"] = _marked(hit["snippet"])
    campaigns = [c.slug for c in s.config.campaigns]
    return render(
        request, "search.html.j2", status_code=400 if error else 200, q=q, campaign=campaign,
        campaigns=campaigns, hits=hits, error=error,
    )  # fmt: skip


def _marked(snippet: str) -> list[tuple[str, bool]]:
    """("text", matched?) pieces of a snippet whose matches are in [brackets]."""
    parts, rest = [], snippet
    while "[" in rest and "]" in rest.split("[", 1)[1]:
        before, after = rest.split("[", 1)
        inside, rest = after.split("]", 1)
        parts += [(before, False), (inside, True)]
    parts.append((rest, False))
    return [p for p in parts if p[0]]


ROUTES = [Route("/search", search_page, methods=["GET"])]
