"""The launch: every released request still to send, account-wide, each with its "open on
WDTK" button locked until WDTK's pace allows it (the launch sheet's rule:
bot.campaigns.service.planned_sends over bot/rules/pacing.py), and marking one as sent
(`foibot done REF`'s own code, bot.followups.service.mark_done).

Without JavaScript a locked button is not a link and the page says when it unlocks;
static/launch.js (no inline script: the CSP allows only this site's files) turns the first
locked one into the link at that moment, counted from the server's clock as the page
gives it. The ones behind it wait for it to be marked sent."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.errors import FoibotError
from bot.web.app import may_change, now, render, site
from bot.web.forms import back, field, form_of, run, who


def _launch(request: Request, error: str = "", status_code: int = 200) -> Response:
    from bot.campaigns.launch_sheet import pace_in_words
    from bot.campaigns.service import planned_sends
    from bot.dates import format_uk
    from bot.wdtk.urls import new_request_url
    from bot.wording import plural

    s, moment = site(request), now(request)
    config = s.config
    with s.store() as store:
        planned = planned_sends(store, config, moment)
        names = {b.url_name: b.name for b in store.bodies()}
        rows = []
        for unsent, when in planned:
            row = store.request(unsent["ref"]) or {}
            url = new_request_url(
                config.wdtk.base_url, row["body"], row["title"], row["letter"], row["ref"],
                store.installation_id(),
            )  # fmt: skip
            rows.append({
                "ref": row["ref"], "campaign": row["campaign"], "title": row["title"],
                "body": names.get(row["body"], row["body"]), "url": url,
                "open": when <= moment, "unlock_iso": when.isoformat(timespec="seconds"),
                "unlock": format_uk(when, not_before=True),
                # Each time is planned as if the ones above were sent at theirs: a
                # locked row behind another unlocks only once the ones above are marked
                # sent (the page then plans again), never by the clock alone.
                "behind": bool(rows) and when > moment,
            })  # fmt: skip
        marked = [
            {**m, "body": names.get(m["body"], m["body"]), "marked": format_uk(m["marked_at"])}
            for m in store.marked_sent_requests()
        ]
        released = [f for f in store.unsent_followups() if f["status"] == "ready"]
    return render(
        request, "launch.html.j2", status_code=status_code, rows=rows, marked=marked,
        released=released, pace=pace_in_words(config.pace),
        margin=plural(config.pace_margin_minutes, "minute"),
        now_iso=moment.isoformat(timespec="seconds"), now_uk=format_uk(moment), error=error,
        editor=may_change(request),
    )  # fmt: skip


def launch_page(request: Request) -> Response:
    return _launch(request)


async def mark_sent(request: Request) -> Response:
    """`foibot done REF` for a released request: listed as sent from now on, and its time
    counts against the pace."""
    from bot.campaigns.service import planned_sends
    from bot.followups.service import mark_done

    form = await form_of(request)
    ref, early = field(form, "ref", 200), field(form, "early", 10) == "1"

    def change() -> str | None:
        s, moment = site(request), now(request)
        with s.store() as store:
            when = {u["ref"]: w for u, w in planned_sends(store, s.config, moment)}.get(ref)
            if when is not None and when > moment and not early:
                # Its button is still locked: a click meant for the row above is no send.
                return f'{ref} is not due to be sent yet: tick "I sent it already" if you did'
            try:
                mark_done(store, ref, cancelled=False, now=now(request), by=who(request))
            except FoibotError as exc:
                return str(exc)
        return None

    error = await run(change)
    if error:
        return await run(_launch, request, error, 400)
    return back("/launch")


ROUTES = [
    Route("/launch", launch_page, methods=["GET"]),
    Route("/launch/sent", mark_sent, methods=["POST"]),
]
