"""One request, as `foibot show` gives it (bot/views/request.py): its statutory dates
with the law they are counted under, the letter, each reply with its date and
attachments, the follow-ups and the history."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.web.app import render, site, today


def request_page(request: Request) -> Response:
    from bot.dates import format_uk
    from bot.rules.drafting import LAW_NAMES
    from bot.rules.followups import followup_link
    from bot.views.request import FACTS, attachment_links, detail_text, request_info

    ref = request.path_params["ref"]
    s, day = site(request), today(request)
    with s.store() as store:
        row = store.request(ref)
        followup = store.followup(ref) if row is None else None
        if followup is not None:
            # A follow-up's ref (as `foibot show` takes one): its place on its request's page.
            target = f"/request/{quote(followup['request'], safe='')}#{quote(ref, safe='')}"
            return RedirectResponse(target, status_code=303)
        if row is None:
            return render(request, "error.html.j2", status_code=404, message=f"no request {ref!r}")
        info = request_info(store, s.config, row, day)
    followups = [
        {**f, "link": followup_link(s.config, f, row) if f["status"] == "ready" else None}
        for f in info.get("followups") or []
    ]
    base_url = s.config.wdtk.base_url
    # An attachment's text is shown beside the figures form, for a campaign's request.
    has_form = any(c.slug == row["campaign"] for c in s.config.campaigns)
    replies = [
        {
            **reply,
            "when": format_uk(reply["sent_at"]) if reply["sent_at"] else "(date not read yet)",
            "files": _files(reply, info, attachment_links(base_url, reply, info["url"]), has_form),
        }
        for reply in info["correspondence"]
    ]
    facts = [(key, info[key]) for key in FACTS if info.get(key) is not None]
    return render(
        request, "request.html.j2",
        info=info, facts=facts, replies=replies, law_name=LAW_NAMES.get(info["law"] or ""),
        followups=followups,
        format_uk=format_uk, detail_text=detail_text, today=day,
    )  # fmt: skip


def _files(reply: dict, info: dict, links: list, has_form: bool) -> list[dict]:
    """A reply's attachments: name, WDTK link, what `show` says of it (type, size, read
    or not), and whether its text is on the request's figures page."""
    from bot.views.request import attachment_said

    rows = {a["number"]: a for a in info["attachments"] if a["correspondence_id"] == reply["id"]}
    out = []
    for n, (name, link) in enumerate(links, start=1):
        row = rows.get(n)
        out.append({
            "name": name, "link": link, "said": attachment_said(row) if row else "",
            "text_shown": has_form and row is not None and row["state"] == "read",
        })  # fmt: skip
    return out


ROUTES = [Route("/request/{ref:path}", request_page, methods=["GET"])]
