"""`foibot status`, `foibot overdue` and `foibot show`.

`status` and `overdue` compute their rows in one SQL query (bot/tracking/status_query.py)
and write them as they come; on a current database they open it without sqlite-utils.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import click

from bot.cli.app import App, as_of_option, json_option, pass_app
from bot.cli.output import printable
from bot.cli.status_table import collector_paused, read_rows
from bot.cli.status_table import show as show_table
from bot.followups import KINDS


def _connection(app: App):
    """A plain connection when the schema is current (no sqlite-utils to import), else the
    Store's, which migrates first."""
    from bot.store.reader import connect_current

    conn = connect_current(app.store_path())
    if conn is None:
        return app.store.db.conn
    click.get_current_context().call_on_close(conn.close)
    return conn


def _rows(
    app: App, campaign: str | None, group: str | None, as_of: dt.date | None, **shape: bool
) -> tuple[object, Iterator[tuple]]:
    """The connection and read_rows' status rows (`shape`: its overdue, brief, table)."""
    conn = _connection(app)
    return conn, read_rows(app, conn, campaign, group, as_of, **shape)


def _last_reply(app: App, ref: str) -> str | None:
    """A request's latest reply, as a UK date: the review window runs from it."""
    from bot import deadlines as dl
    from bot.store import reader

    at = reader.latest_reply_time(app.store.db.conn, ref)
    return dl.receipt_date(at).isoformat() if at else None


def _emit_json(rows: Iterator[tuple], suggested: dict[str, dict] | None = None) -> None:
    """What App.emit_json writes for a list of row objects (the same bytes), encoding each
    row once and writing as it goes: indented up to RICH_MAX_ROWS rows, one a line beyond.
    With `suggested` (overdue), each object ends with its ref's "suggested" entry."""
    import json

    from bot.cli.output import RICH_MAX_ROWS
    from bot.tracking.fields import FIELDS

    # zip stops at FIELDS: the rows carry a flag after them.
    if suggested is None:

        def as_dict(r: tuple) -> dict:
            return dict(zip(FIELDS, r))  # noqa: B905
    else:

        def as_dict(r: tuple) -> dict:
            return {**dict(zip(FIELDS, r)), "suggested": suggested.get(r[0])}  # noqa: B905

    with collector_paused():
        head = list(itertools.islice(rows, RICH_MAX_ROWS + 1))
        if len(head) <= RICH_MAX_ROWS:
            data = [as_dict(r) for r in head]
            click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
            return
        encode = _row_encoder(as_dict, suggested)
        out = click.get_text_stream("stdout")
        sep = "[\n"
        for batch in _batched(itertools.chain(head, rows), 1000):
            out.write(sep + ",\n".join([encode(r) for r in batch]))
            sep = ",\n"
    out.write("\n]\n")
    out.flush()


# JSON text never holds a raw control character (they are escaped inside strings), so one
# can separate the encoded values of a row and none of them can contain it.
_VALUE_SEP = "\x1f"


def _values_encoder():
    """JSONEncoder(ensure_ascii=False, default=str, separators=(_VALUE_SEP, ": ")).encode
    for a row: CPython's C encoder made once and called directly (json's own `encode`
    makes one per call, which is most of a row's cost); the plain method elsewhere."""
    import json
    from json import encoder

    plain = json.JSONEncoder(ensure_ascii=False, default=str, separators=(_VALUE_SEP, ": "))
    make = getattr(encoder, "c_make_encoder", None)
    quote = getattr(encoder, "c_encode_basestring", None)
    if make is None or quote is None:
        return plain.encode
    # (markers, default, encoder, indent, key_separator, item_separator, sort_keys,
    # skipkeys, allow_nan): what JSONEncoder.iterencode passes (CPython 3.11), without the
    # circular check that rows of plain values do not need (one dict kept across calls
    # could keep a stale id after an error). A Python whose private signature differs
    # gets the public method.
    try:
        chunks = make(None, str, quote, None, ": ", _VALUE_SEP, False, False, True)
    except TypeError:
        return plain.encode

    def values(row: tuple) -> str:
        return "".join(chunks(row, 0))

    return values


def _row_encoder(as_dict, suggested: dict[str, dict] | None):
    """`encode(as_dict(row))` for a status row, the same text made three times faster: the
    row's values are encoded as one array by the C encoder, with a separator no encoded
    value contains, and set into a template that holds the keys. A row whose parts do not
    come out one per field (a value that is itself a list) is encoded the plain way."""
    import json

    from bot.tracking.fields import FIELDS

    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
    values = _values_encoder()
    keys = ", ".join(f"{encode(k).replace('%', '%%')}: %s" for k in FIELDS)
    # The rows carry a flag after the fields: "%.0s" takes its part and writes nothing.
    template = "{" + keys + ("" if suggested is None else ', "suggested": %s') + "}%.0s"
    size = len(FIELDS) + 1

    def encode_row(r: tuple) -> str:
        parts = values(r)[1:-1].split(_VALUE_SEP)
        if len(parts) != size:
            return encode(as_dict(r))
        if suggested is not None:
            parts.insert(-1, encode(suggested.get(r[0])))
        return template % tuple(parts)

    return encode_row


def _batched(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    while batch := list(itertools.islice(rows, size)):
        yield batch


@click.command()
@click.option("--campaign", "-c", help="Only this campaign.")
@click.option("--group", "-g", help="Only this group of tracked requests.")
@as_of_option()
@json_option
@pass_app
def status(
    app: App, campaign: str | None, group: str | None, as_of: dt.date | None, as_json: bool
) -> None:
    """One row per request: status, dates, days late."""
    as_json = app.json_wanted(as_json)
    _, rows = _rows(app, campaign, group, as_of, table=not as_json)
    if as_json:
        _emit_json(rows)
        return
    show_table(rows, filtered=bool(campaign or group))


@click.command()
@click.option("--campaign", "-c", help="Only this campaign.")
@click.option("--group", "-g", help="Only this group of tracked requests.")
@click.option(
    "--stage",
    type=click.Choice(
        ["response", "review", "none", *KINDS]
    ),
    help="Late replies or late reviews; or by escalation stage (none: no follow-up yet).",
)
@as_of_option()
@json_option
@pass_app
def overdue(
    app: App,
    campaign: str | None,
    group: str | None,
    stage: str | None,
    as_of: dt.date | None,
    as_json: bool,
) -> None:
    """Only the late requests, most late first, with working days late."""
    from bot.tracking.fields import AT as i

    as_json = app.json_wanted(as_json)
    # The table prints a few fields: brief rows leave the others unread.
    conn, late = _rows(app, campaign, group, as_of, overdue=True, brief=not as_json)
    st, sg, note = i["status"], i["stage"], i["note"]
    if stage == "review":
        late = (r for r in late if r[st] == "internal_review_overdue")
    elif stage == "response":
        late = (r for r in late if r[st] != "internal_review_overdue")
    elif stage == "none":
        late = (r for r in late if not r[sg])
    elif stage:
        late = (r for r in late if r[sg] and r[sg].split()[0] == stage)
    with collector_paused():
        rows = list(late)
    suggestions = _suggestions(conn, [r[0] for r in rows if r[note]])
    if as_json:
        _emit_json(iter(rows), suggestions)
        return
    if not rows:
        click.echo("Nothing is overdue.")
        return
    since, latest, url, days, body, by = (
        i[k] for k in ("late_from", "review_latest", "url", "days_overdue", "body", "review_by")
    )  # fmt: skip
    app.print_table(
        ("ref", "body", "status", "late from", "working days late", "review by", "stage", "url"),
        [
            (
                r[0], r[body] or "", r[st],
                _late_from_cell(r[since], r[latest]),
                str(r[days]), r[by] or "", r[sg] or "", r[url] or "",
            )
            for r in rows
        ],
    )  # fmt: skip
    notes = []
    for r in rows:
        if r[note]:
            hint = suggestions.get(r[0])
            why = f"; it looks like {hint['state']} ({hint['why']})" if hint else ""
            notes.append(f"{r[0]}: {r[note]} at {r[url]}{why}")
    if notes:
        click.echo("\n".join(notes))
    click.echo(f"{len(rows)} overdue")


def _late_from_cell(since: str | None, latest: str | None) -> str:
    """The date lateness counts from, and a later last date where the law allows one
    (FOIA reviews: 20 working days, 40 at most): "2026-04-22 (latest 2026-05-21)"."""
    if not since:
        return ""
    return f"{since} (latest {latest})" if latest and latest != since else since


def _suggestions(conn, refs: list[str]) -> dict[str, dict]:
    """A suggested classification for each unclassified reply whose text is plain."""
    if not refs:
        return {}
    from bot.store.reader import latest_reply_texts

    texts = latest_reply_texts(conn, refs)
    if not texts:
        return {}
    from bot.tracking.classify import suggest_classification

    out = {}
    for ref, text in texts.items():
        hint = suggest_classification(text)
        if hint is not None:
            out[ref] = {"state": hint.state, "why": hint.why, "suggestion_only": True}
    return out


@click.command()
@click.argument("ref")
@as_of_option()
@json_option
@pass_app
def show(app: App, ref: str, as_of: dt.date | None, as_json: bool) -> None:
    """One request with its letter, replies and full event history."""
    from bot.cli.names import check_ref
    from bot.tracking.history import history
    from bot.wdtk.urls import new_request_url, request_url

    store = app.store
    row = store.request(ref)
    if row is None:
        followup = store.followup(ref)
        if followup is not None:
            _show_followup(app, followup, as_json)
            return
        check_ref(app, ref, followups=True)  # raises, with a did-you-mean
    events = history(store.events(ref))
    followups = store.followups_of_request(ref)
    replies = store.correspondence_of(ref)
    base_url = app.config.wdtk.base_url
    link = None
    if row["status"] in ("draft", "ready") and row["body"]:
        link = new_request_url(
            base_url, row["body"], row["title"], row["letter"], ref, store.installation_id()
        )
    from bot.reports.figures import recorded_values

    figures = recorded_values(store, ref)
    today = app.today(as_of)
    calendar = app.config.calendar(row["law"])
    from bot.tracking.status_rows import status_row

    # The same function `status`, `overdue` and reports use, as of the same moment.
    st = status_row(row, base_url, today, lambda _law: calendar, _last_reply(app, ref))
    info_url = request_url(base_url, row["url_title"], row["wdtk_id"])
    suggestion = _suggestions(store.db.conn, [ref]).get(ref) if st.note else None
    info = {
        **row,
        "status": st.status,
        "review_by": st.review_by,
        "days_overdue": st.days_overdue,
        "late_from": st.late_from,
        "review_latest": st.review_latest,
        "answered_on": st.answered_on,
        "answered_days_late": st.answered_days_late,
        "note": st.note,
        "suggested": suggestion,
        "stored_state": row["status"],
        "url": info_url,
        "submit_url": link,
        "correspondence": replies,
        "followups": followups,
        "recorded": figures,
        "events": events,
    }
    if app.json_wanted(as_json):
        app.emit_json(info)
        return
    from bot.dates import format_uk

    click.echo(f"{ref}  {printable(row['title'])}")
    fields = (
        "campaign",
        "body",
        "law",
        "status",
        "wdtk_id",
        "sent_on",
        "due",
        "very_overdue_after",
        "review_started_on",
        "review_latest",
        "review_by",
        "answered_on",
    )
    for key in fields:
        if info.get(key) is not None:
            click.echo(f"  {key:<20} {printable(str(info[key]))}")
    if st.days_overdue is not None:
        click.echo(f"  {'late':<20} {st.days_overdue} working days, counted from {st.late_from}")
    if st.answered_days_late:
        click.echo(
            f"  {'answered late':<20} {st.answered_days_late} working days after {row['due']}"
        )
    if st.note:
        hint = (
            f" (it looks like {suggestion['state']}: {suggestion['why']}; a suggestion only)"
            if suggestion
            else ""
        )
        click.echo(f"  {'to do':<20} {st.note}{hint}")
    if row["wdtk_stated_due"] and row["wdtk_stated_due"] != row["due"]:
        click.echo(
            f"  {'WDTK says due':<20} {row['wdtk_stated_due']} (foibot's statutory count says {row['due']})"
        )
    if row["slot_at"]:
        click.echo(f"  {'slot':<20} {format_uk(row['slot_at'])} (UK)")
    if info["url"]:
        click.echo(f"  {'url':<20} {info['url']}")
    if link and row["status"] == "ready":
        click.echo(f"  {'send it here':<20} {link}")
    if row["poll_error"]:
        click.echo(
            f"  {'last poll failed':<20} {printable(row['poll_error'])}"
            f" (next try {format_uk(row['next_poll_at'])})"
        )
    if figures:
        click.echo("  recorded             " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    if row["letter"]:
        click.echo("\n" + "\n".join("  | " + printable(ln) for ln in row["letter"].splitlines()))
    for reply in replies:
        click.echo(f"\n{reply['direction'] or 'message'} {reply['sent_at'] or ''}".rstrip() + ":")
        lines = (reply["text"] or "").splitlines()[:40]
        click.echo("\n".join("  > " + printable(line) for line in lines))
        if reply["attachments"]:
            # Each with its own download link where the page gave one, else the page.
            click.echo("  attachments:")
            links = (reply.get("attachment_links") or "").split("\n")
            for n, name in enumerate(reply["attachments"].splitlines()):
                path = links[n] if n < len(links) else ""
                where = app.config.wdtk.base_url + path if path else info["url"]
                click.echo(f"    - {printable(name)}" + (f"  {where}" if where else ""))
    for f in followups:
        click.echo(f"\n{f['kind']} {f['ref']} ({f['status']}):")
        click.echo("\n".join("  | " + printable(line) for line in f["text"].splitlines()))
    click.echo("\nHistory (UK time; WDTK: when WDTK recorded it, foibot: when foibot did it):")
    for event in events:
        detail = event["detail"] or {}
        summary = printable(", ".join(f"{k}={v}" for k, v in detail.items()))
        click.echo(f"  {format_uk(event['at'])}  {event['clock']:<6}  {event['kind']}  {summary}")


def _show_followup(app: App, followup: dict, as_json: bool) -> None:
    """A follow-up: its text, its request, where to send it, and its history."""
    from bot.dates import format_uk
    from bot.followups.service import followup_link

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
    click.echo(f"  {'status':<20} {followup['status']}")
    click.echo(f"  {'request':<20} {followup['request']}: {request.get('title', '')}")
    if info["send_url"]:
        click.echo(f"  {'send it here':<20} {info['send_url']}")
    for key in ("created_at", "released_at", "sent_at"):
        if followup.get(key):
            click.echo(f"  {key:<20} {format_uk(followup[key])}")
    click.echo("\nText (copy between the lines):\n" + "-" * 40)
    click.echo(followup["text"].rstrip("\n"))
    click.echo("-" * 40 + "\nHistory:")
    for event in history:
        click.echo(f"  {format_uk(event['at'])}  {event['kind']}")
    if followup["status"] == "ready":
        click.echo(f"\nSent it? WDTK shows it on the next poll, or: foibot done {followup['ref']}")


COMMANDS = [status, overdue, show]
