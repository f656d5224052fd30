"""What `foibot show` prints: one request (or follow-up) with its dates, letter, replies,
follow-ups and history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from bot.cli.app import App
from bot.cli.output import printable
from bot.wording import plural

# The dates and facts `show` lists under the title, in this order, where they are set.
_FACTS = (
    "campaign", "body", "law", "status", "wdtk_id", "sent_on", "due", "very_overdue_after",
    "remind_after", "review_started_on", "review_latest", "review_by", "answered_on",
)  # fmt: skip


def request_info(app: App, row: dict, as_of: dt.date | None) -> dict[str, Any]:
    """Everything `show --json` gives for a request: its stored row, its status row (the
    same rule `status` uses, as of the same moment), correspondence, follow-ups, recorded
    figures and history."""
    from bot import deadlines as dl
    from bot.cli.status_table import review_by_passed
    from bot.reports.figures import recorded_values
    from bot.rules.status import status_row
    from bot.tracking.history import history
    from bot.wdtk.urls import new_request_url, request_url

    store, ref = app.store, row["ref"]
    base_url = app.config.wdtk.base_url
    link = None
    if row["status"] in ("draft", "ready") and row["body"]:
        link = new_request_url(
            base_url, row["body"], row["title"], row["letter"], ref, store.installation_id()
        )
    # A refusal's review window runs from the latest reply.
    last = store.latest_reply_time(ref)
    calendar = app.config.calendar(row["law"])
    st = status_row(
        row, base_url, app.today(as_of), lambda _law: calendar,
        dl.receipt_date(last) if last else None,
    )  # fmt: skip
    return {
        **row,
        "status": st.status,
        # The status rule's dates: under no FOI law (law "none") nothing is due, and the
        # stored courtesy date is only when a polite reminder may go.
        "due": st.due,
        "very_overdue_after": st.very_overdue_after,
        "remind_after": st.remind_after,
        "review_by": st.review_by,
        # FOISA s.20(5)/(6): past this day the body need not comply with a requirement.
        "review_window_closed": review_by_passed(st.review_by, app.today(as_of)),
        "days_overdue": st.days_overdue,
        "late_from": st.late_from,
        "review_latest": st.review_latest,
        "answered_on": st.answered_on,
        "answered_days_late": st.answered_days_late,
        "note": st.note,
        "due_note": st.due_note,
        "suggested": None,
        "stored_state": row["status"],
        "url": request_url(base_url, row["url_title"], row["wdtk_id"]),
        "submit_url": link,
        "correspondence": store.correspondence_of(ref),
        # Each reply's attachments: type, size, pages or sheets, and whether it was read.
        "attachments": [
            {**a, "sheets": [s for s in (a["sheets"] or "").split("\n") if s]}
            for a in store.attachments_of(ref)
        ],
        "followups": store.followups_of_request(ref),
        "recorded": recorded_values(store, ref),
        "events": history(store.events(ref)),
    }


def print_request(app: App, info: dict[str, Any]) -> None:
    click.echo(f"{info['ref']}  {printable(info['title'])}")
    _print_facts(info)
    if info["letter"]:
        click.echo("\n" + "\n".join("  | " + printable(ln) for ln in info["letter"].splitlines()))
    for reply in info["correspondence"]:
        files = {
            a["number"]: a for a in info["attachments"] if a["correspondence_id"] == reply["id"]
        }
        _print_reply(app, reply, info["url"], files)
    for f in info["followups"]:
        why = f": {f['withdrawn_note']}" if f.get("withdrawn_note") else ""
        click.echo(f"\n{f['kind']} {f['ref']} ({f['status']}{why}):")
        click.echo("\n".join("  | " + printable(line) for line in f["text"].splitlines()))
    _print_history(info["events"])


def _line(key: str, value: str) -> None:
    click.echo(f"  {key:<20} {value}")


def _print_facts(info: dict[str, Any]) -> None:
    from bot.dates import format_uk

    for key in _FACTS:
        if key == "review_by" and info["review_window_closed"]:
            _line(key, f"review window closed on {info[key]}")
        elif info.get(key) is not None:
            _line(key, printable(str(info[key])))
    if info["due_note"]:
        _line("school limit", info["due_note"])
    if info["days_overdue"] is not None:
        days = plural(info["days_overdue"], "working day")
        _line("late", f"{days}, counted from {info['late_from']}")
    if info["answered_days_late"]:
        days = plural(info["answered_days_late"], "working day")
        _line("answered late", f"{days} after {info['due']}")
    if info["note"]:
        hint = info["suggested"]
        said = f" (it looks like {hint['state']}: {hint['why']}; a suggestion only)" if hint else ""
        _line("to do", f"{info['note']}{said}")
    stated = info["wdtk_stated_due"]
    if stated and info["due"] and stated != info["due"]:
        _line("WDTK says due", f"{stated} (foibot's statutory count says {info['due']})")
    if info["slot_at"]:
        _line("slot", f"{format_uk(info['slot_at'])} (UK)")
    if info["url"]:
        _line("url", info["url"])
    if info["submit_url"] and info["stored_state"] == "ready":
        _line("send it here", info["submit_url"])
    if info["poll_error"]:
        _line("last poll failed", f"{printable(info['poll_error'])} ({_next_try(info)})")
    if info["recorded"]:
        _line("recorded", ", ".join(f"{k}={v}" for k, v in info["recorded"].items()))


def _next_try(info: dict[str, Any]) -> str:
    from bot.dates import format_uk
    from bot.rules.schedule import scheduled_poll

    when = scheduled_poll(info["next_poll_at"])
    return f"next try {format_uk(when)}" if when else "no more automatic polls"


def _print_reply(
    app: App, reply: dict[str, Any], page_url: str | None, files: dict[int, dict]
) -> None:
    from bot.dates import format_uk
    from bot.wdtk.urls import escaped_path

    # The date the message was sent, as the request page gives it (UK time); a message
    # stored before foibot read dates says so rather than showing when it was fetched.
    when = format_uk(reply["sent_at"]) if reply["sent_at"] else "(date not read yet)"
    click.echo(f"\n{reply['direction'] or 'message'} {when}:")
    lines = (reply["text"] or "").splitlines()[:40]
    click.echo("\n".join("  > " + printable(line) for line in lines))
    if not reply["attachments"]:
        return
    # Each with its own download link where the page gave one, else the page.
    click.echo("  attachments:")
    links = (reply.get("attachment_links") or "").split("\n")
    for n, name in enumerate(reply["attachments"].splitlines()):
        path = links[n] if n < len(links) else ""
        # The path comes from an href on WDTK's page: printed %-escaped, never raw.
        where = app.config.wdtk.base_url + escaped_path(path) if path else page_url
        click.echo(f"    - {printable(name)}" + (f"  {where}" if where else ""))
        if (row := files.get(n + 1)) is not None:
            from bot.cli.attachments import facts, state_text

            said = ", ".join(
                x
                for x in (facts({**row, "sheets": "\n".join(row["sheets"])}), state_text(row))
                if x
            )
            click.echo(f"      {printable(said)}")


def _print_history(events: list[dict[str, Any]]) -> None:
    from bot.dates import format_uk

    click.echo("\nHistory (UK time; WDTK: when WDTK recorded it, foibot: when foibot did it):")
    for event in events:
        detail = event["detail"] or {}
        summary = printable(", ".join(f"{k}={v}" for k, v in detail.items()))
        click.echo(f"  {format_uk(event['at'])}  {event['clock']:<6}  {event['kind']}  {summary}")


def show_followup(app: App, followup: dict, as_json: bool) -> None:
    """A follow-up: its text, its request, where to send it, and its history."""
    from bot.dates import format_uk
    from bot.rules.followups import followup_link, split_for_you

    store = app.store
    request = store.request(followup["request"]) or {}
    history = [
        e
        for e in store.events(followup["request"])
        if (e["detail"] or {}).get("followup") == followup["ref"]
    ]
    info = {
        **followup,
        "request_title": request.get("title"),
        "send_url": followup_link(app.config, followup, request) if request else None,
        "events": history,
    }
    if app.json_wanted(as_json):
        app.emit_json(info)
        return
    click.echo(
        f"{followup['ref']}  {followup['kind']} for {followup['request']} ({followup['body']})"
    )
    _line("status", followup["status"])
    if followup.get("withdrawn_note"):
        _line("withdrawn because", followup["withdrawn_note"])
    _line("request", f"{followup['request']}: {request.get('title', '')}")
    if info["send_url"]:
        _line("send it here", info["send_url"])
    for key in ("created_at", "released_at", "sent_at", "withdrawn_at"):
        if followup.get(key):
            _line(key, format_uk(followup[key]))
    letter, for_you = split_for_you(followup["text"])
    click.echo("\nText (copy between the lines):\n" + "-" * 40)
    click.echo(letter.rstrip("\n"))
    click.echo("-" * 40)
    if for_you:
        click.echo(f"For you, not part of the letter: {for_you}")
    click.echo("History:")
    for event in history:
        click.echo(f"  {format_uk(event['at'])}  {event['kind']}")
    if followup["status"] == "ready":
        click.echo(f"\nSent it? WDTK shows it on the next poll, or: foibot done {followup['ref']}")
