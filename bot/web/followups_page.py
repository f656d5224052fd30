"""Follow-ups to review: every drafted or released follow-up not yet sent, its text
editable before it goes (the edited text is what `launch` releases and lists), and
approve, mark sent (`foibot done REF`) or cancel (`foibot done REF --cancelled`), each
through the follow-ups service's own functions, with who did it kept in the history."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.errors import FoibotError
from bot.web.app import may_change, now, render, site
from bot.web.forms import back, field, form_of, run, who

ACTIONS = ("save", "approve", "done", "cancel")


def _page(
    request: Request, error: str = "", status_code: int = 200, typed: dict | None = None
) -> Response:
    """The page; `typed`: a follow-up's text as someone typed it in a save that was refused
    (shown again in its box, not lost)."""
    from bot.rules.followups import followup_link, split_for_you

    s = site(request)
    with s.store() as store:
        items = []
        events: dict[str, list[dict]] = {}  # each request's, read once for its follow-ups
        for f in store.unsent_followups():
            row = store.request(f["request"]) or {}
            if f["request"] not in events:
                events[f["request"]] = store.events(f["request"])
            approved_by = _approved_by(events[f["request"]], f["ref"])
            # The box holds the letter alone: the note for the requester is shown beside
            # it, so that nothing copied from the box publishes it on WDTK.
            letter, note = split_for_you(f["text"])
            items.append({
                **f, "title": row.get("title") or "", "link": followup_link(s.config, f, row),
                "approved_by": approved_by, "letter": letter, "note": note,
                "typed": (typed or {}).get(f["ref"]),
            })  # fmt: skip
    return render(
        request, "followups.html.j2", status_code=status_code, items=items, error=error,
        editor=may_change(request),
    )  # fmt: skip


def _approved_by(events: list[dict], ref: str) -> str:
    """Who approved follow-up `ref` as its text stands ("" if nobody): an approval holds
    for the text approved, and an edit since then needs another."""
    approved_by = ""
    for e in events:
        if (e["detail"] or {}).get("followup") != ref:
            continue
        if e["kind"] == "followup_approved":
            approved_by = (e["detail"] or {}).get("by") or "someone"
        elif e["kind"] == "followup_edited":
            approved_by = ""
    return approved_by


def followups_page(request: Request) -> Response:
    return _page(request)


async def change(request: Request) -> Response:
    from bot.followups.service import approve_followup, edit_followup, mark_done
    from bot.rules.followups import with_letter

    ref = request.path_params["ref"]
    form = await form_of(request)
    action, by = field(form, "action", 20), who(request)
    text, loaded = field(form, "text"), field(form, "loaded")

    def apply() -> str | None:
        if action not in ACTIONS:
            return f"unknown action {action!r}"
        with site(request).store() as store:
            try:
                stored = store.followup(ref)
                if action in ("save", "approve") and text.strip() and stored is not None:
                    # An approval approves the text as shown: an edit in the box is saved
                    # first. The box held the letter alone; its note is kept.
                    edit_followup(store, ref, with_letter(stored["text"], text), by=by,
                                  loaded=with_letter(stored["text"], loaded))  # fmt: skip
                if action == "approve":
                    approve_followup(store, ref, by=by, now=now(request))
                elif action in ("done", "cancel"):
                    mark_done(store, ref, cancelled=action == "cancel", now=now(request), by=by)
            except FoibotError as exc:
                return str(exc)
        return None

    error = await run(apply)
    if error:
        typed = {ref: text} if text.strip() else None
        return await run(_page, request, error, 409 if "someone else" in error else 400, typed)
    return back(f"/followups#{ref}")


ROUTES = [
    Route("/followups", followups_page, methods=["GET"]),
    Route("/followups/{ref:path}", change, methods=["POST"]),
]
