"""What `foibot show` prints: one request (or follow-up) with its dates, letter, replies,
follow-ups and history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from bot.cli.app import App
from bot.cli.output import printable
from bot.views.request import FACTS as _FACTS
from bot.wording import plural


def request_info(app: App, row: dict, as_of: dt.date | None) -> dict[str, Any]:
    """Everything `show --json` gives for a request (bot/views/request.py), as of --as-of."""
    from bot.views.request import request_info as info_of

    return info_of(app.store, app.config, row, app.today(as_of))


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
        _line("slot", f"{format_uk(info['slot_at'], not_before=True)} (UK)")
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

    # The date the message was sent, as the request page gives it (UK time); a message
    # stored before foibot read dates says so rather than showing when it was fetched.
    when = format_uk(reply["sent_at"]) if reply["sent_at"] else "(date not read yet)"
    click.echo(f"\n{reply['direction'] or 'message'} {when}:")
    lines = (reply["text"] or "").splitlines()[:40]
    click.echo("\n".join("  > " + printable(line) for line in lines))
    if not reply["attachments"]:
        return
    # Each with its own download link where the page gave one, else the page.
    from bot.views.request import attachment_links

    click.echo("  attachments:")
    for n, (name, where) in enumerate(attachment_links(app.config.wdtk.base_url, reply, page_url)):
        click.echo(f"    - {printable(name)}" + (f"  {where}" if where else ""))
        if (row := files.get(n + 1)) is not None:
            from bot.views.request import attachment_said

            click.echo(f"      {printable(attachment_said(row))}")


def _print_history(events: list[dict[str, Any]]) -> None:
    from bot.dates import format_uk
    from bot.views.request import detail_text

    click.echo("\nHistory (UK time; WDTK: when WDTK recorded it, foibot: when foibot did it):")
    for event in events:
        summary = printable(detail_text(event["detail"]))
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
        by = (event["detail"] or {}).get("by")
        click.echo(f"  {format_uk(event['at'])}  {event['kind']}" + (f"  by={by}" if by else ""))
    if followup["status"] == "ready":
        click.echo(f"\nSent it? WDTK shows it on the next poll, or: foibot done {followup['ref']}")
