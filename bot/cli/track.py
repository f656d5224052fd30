"""`foibot track`, `foibot link` and `foibot poll`: following requests on WDTK."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

import click

from bot.cli.app import (
    App,
    DateTimeType,
    fail_usage,
    json_option,
    pass_app,
    stderr,
)
from bot.cli.names import check_campaign
from bot.cli.output import print_error, printable
from bot.config_table import suggest
from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.rules.status import StatusRow


@contextlib.contextmanager
def tracker(app: App, now: dt.datetime, wait: bool = False, own_pause: bool = False):
    """A Poller holding the run lock (one process calls WDTK at a time), whose client
    stops within a few seconds of SIGTERM or Ctrl-C (`t.client.stopped` says it has).
    A pause WDTK asked for (Retry-After) binds these commands as it binds a pass: none
    starts while one recorded runs, and one met here is recorded for the passes.
    `own_pause`: the caller (a poll, which reports it) deals with the pause itself."""
    from bot.errors import FoibotError
    from bot.tracking.poll import Poller

    app.lock(wait=wait)
    with app.wdtk_client(app.stop_flag()) as client:
        poller = Poller(app.store, app.config, client)
        if own_pause:
            yield poller
            return
        if (pause := poller.hold(now)) is not None:
            raise FoibotError(pause)
        try:
            yield poller
        finally:
            poller.keep_pause(now)


def _live(app: App, row: dict, now: dt.datetime) -> str:
    """The status `status` would show for this row as of the same moment."""
    from bot.dates import london_today
    from bot.rules.status import live_status

    return live_status(row, london_today(now), app.config.calendar(row["law"]))


wait_option = click.option(
    "--wait", is_flag=True, help="If another foibot run holds the lock, wait for it."
)


def _now(as_of: dt.datetime | None) -> dt.datetime:
    return (as_of or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


as_of_time = click.option(
    "--as-of", "as_of", type=DateTimeType(), help="Pretend it is this (UK) time."
)


OUTCOME_LABELS = {
    "tracked": "tracked",
    "already": "already tracked",
    "hidden": "hidden (403; recorded, re-checked daily)",
    "not_found": "not found (404: deleted, embargoed or mistyped; recorded, re-checked daily)",
    "failed": "failed",
}


def _read_targets(urls: tuple[str, ...], file: str | None) -> list[tuple[str, str]]:
    """(where, URL or id) from the arguments, then from FILE and/or stdin (`-`), one a
    line; blank lines and `#` comments are skipped. `where` names the line for errors."""
    targets = [(u, u) for u in urls if u != "-"]
    sources = []
    if "-" in urls:
        sources.append(("stdin", click.open_file("-", encoding="utf-8-sig")))
    if file is not None:
        try:
            sources.append((file, click.open_file(file, encoding="utf-8-sig")))
        except OSError as exc:
            fail_usage(f"{file}: cannot read: {exc.strerror}")
    for name, stream in sources:
        try:
            for number, line in enumerate(_bounded_lines(stream, name), 1):
                text = line.strip()
                if text and not text.startswith("#"):
                    targets.append((f"{name}, line {number}", text))
        except UnicodeDecodeError:
            fail_usage(f"{name}: not UTF-8 text")
    return targets


# A WDTK request URL is well under 1,000 characters; a longer line is not one, and a
# stream with no line break at all (`/dev/zero`, a binary piped in) must not be read
# into memory whole.
MAX_LINE_CHARS = 4096


# What stands for a line too long to be a URL: it fails alone, as any bad line does.
TOO_LONG = f"(a line of over {MAX_LINE_CHARS} characters)"
# A "line" this long with no line break is no list of URLs (`/dev/zero`, a binary).
MAX_SKIPPED_CHARS = 1_000_000


def _bounded_lines(stream: IO[str], name: str) -> Iterator[str]:
    """The lines of `stream`, each read with a cap: a longer one comes as TOO_LONG (the
    rest of it skipped), and a stream with no line break for a megabyte is a usage error."""
    number = 0
    while line := stream.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            skipped = len(line)
            while (rest := stream.readline(MAX_LINE_CHARS)) and not rest.endswith("\n"):
                skipped += len(rest)
                if skipped > MAX_SKIPPED_CHARS:
                    fail_usage(f"{name}, line {number}: no line break in a megabyte: not a list")
            line = TOO_LONG
        yield line


# A group's name reaches tables, reports and terminals: printable characters only.
GROUP_NAME = re.compile(r"[^\x00-\x1f\x7f-\x9f]{1,100}")


@click.command()
@click.argument("urls", nargs=-1)
@click.option(
    "--file", "-f", "file", type=click.Path(dir_okay=False, allow_dash=True),
    help="Read URLs or ids from this file, one a line (- for stdin).",
)  # fmt: skip
@click.option("--campaign", "-c", help="File them under this campaign.")
@click.option("--group", "-g", help="File them under this group (no campaign letter needed).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary and failures.")
@as_of_time
@wait_option
@json_option
@pass_app
def track(
    app: App,
    urls: tuple[str, ...],
    file: str | None,
    campaign: str | None,
    group: str | None,
    quiet: bool,
    as_of: dt.datetime | None,
    wait: bool,
    as_json: bool,
) -> None:
    """Track any WDTK requests: /request/<slug> or /request/<id> URLs, or their numbers.

    Give them as arguments, with --file FILE, or on stdin with `-` (one a line). All are
    tracked in one pass, at WDTK's pace; hidden and missing requests are recorded and
    re-checked. Exit 1 if any could not be tracked.
    """
    from bot.cli.progress import track_progress
    from bot.wdtk.urls import parse_request_ref

    if campaign and group:
        fail_usage("give --campaign or --group, not both")
    _check_group_name(app, group)
    check_campaign(app, campaign, tracking=True)
    base_url = app.config.wdtk.base_url
    for url in urls:
        if url != "-":
            parse_request_ref(url, base_url)  # a mistyped argument is bad usage: exit 2
    targets = _read_targets(urls, file)
    if not targets:
        fail_usage("nothing to track: give URLs, --file FILE, or - for stdin")
    want_json = app.json_wanted(as_json)
    done, where = [], {}
    now = _now(as_of)
    with tracker(app, now, wait) as t:
        for place, target in track_progress(
            targets, len(targets), "Tracking", quiet=quiet or want_json,
            interval_s=app.config.wdtk.min_interval_s, calls_per_item=2,
        ):  # fmt: skip
            item = t.links.track_one(target, campaign, now, group)
            where[id(item)] = place
            done.append(item)
    single = len(urls) == 1 and urls != ("-",) and file is None
    if want_json:
        items = [
            _track_json(item, _live(app, item.row, now) if item.row else None) for item in done
        ]
        app.emit_json(items[0] if single else items)
    elif single and done[0].row is not None:
        item = done[0]
        row = item.row
        verb = {"tracked": "Tracking", "already": "Already tracking"}.get(item.outcome, "Recorded")
        shown = _shown(app, row, now)
        click.echo(
            f"{verb} {row['ref']}: {printable(row['title'])} ({shown.status}, {_due_words(shown)})"
        )
        if item.moved:
            click.echo(f"  {printable(item.moved)}")
        if item.outcome in ("hidden", "not_found"):
            click.echo(f"  {OUTCOME_LABELS[item.outcome]}")
    else:
        _print_summary(done, quiet)
    failed = [item for item in done if item.outcome == "failed"]
    for item in failed:
        place = where[id(item)]
        error = item.error or ""
        print_error(
            f"{place}: {error if error.startswith(item.target) else f'{item.target}: {error}'}"
        )
    if failed or any(item.outcome == "not_found" for item in done):
        raise click.exceptions.Exit(1)


def _check_group_name(app: App, group: str | None) -> None:
    """A group name `track` can use; one new but close to an existing group's is noted,
    not refused (a new group is made so), since a typo would split a group."""
    if group is None:
        return
    if not GROUP_NAME.fullmatch(group):
        fail_usage(
            f"--group {printable(group)!r}: a group name is 1 to 100 characters, with no "
            "control characters"
        )
    groups = app.store.group_names()
    if group not in groups and (hint := suggest(group, groups)):
        stderr(f"note: '{printable(group)}' is a new group{hint}")


def _track_json(item, status: str | None) -> dict:
    row = item.row or {}
    out = {
        "ref": row.get("ref"),
        "wdtk_id": row.get("wdtk_id"),
        "url_title": row.get("url_title"),
        "status": status,
        "outcome": item.outcome,
        "target": item.target,
    }
    if item.error:
        out["error"] = item.error
    if item.moved_from is not None:
        out["moved_from_group"] = item.moved_from or None
    return out


def _whose(row: dict) -> str:
    """ " (home_office, by jane_doe)": which body and whose request, so that requests with
    the same title (a campaign's, other users') can be told apart."""
    facts = [
        printable(v)
        for v in (row.get("body"), row.get("wdtk_user") and f"by {row['wdtk_user']}")
        if v
    ]
    return f" ({', '.join(facts)})" if facts else ""


def _print_summary(done: list, quiet: bool) -> None:
    from bot.wording import plural

    counts: dict[str, int] = {}
    for item in done:
        counts[item.outcome] = counts.get(item.outcome, 0) + 1
        if item.outcome == "not_found":
            click.echo(f"  not found: {item.target} (recorded as {item.row['ref']})")
        elif not quiet and item.row is not None:
            label = {"tracked": "tracked", "already": "already tracked", "hidden": "hidden"}[
                item.outcome
            ]
            moved = f"; {printable(item.moved)}" if item.moved else ""
            click.echo(
                f"  {label}: {item.row['ref']} {printable(item.row['title'])}{_whose(item.row)}"
                f"{moved}"
            )
    parts = [f"{counts.get(k, 0)} {OUTCOME_LABELS[k]}" for k in OUTCOME_LABELS if counts.get(k)]
    click.echo(f"{plural(len(done), 'request')}: " + "; ".join(parts) + ".")


@click.command()
@click.argument("ref")
@click.argument("url")
@click.option(
    "--force", is_flag=True, help="Link even if the request lacks the foibot tag and title."
)
@as_of_time
@wait_option
@json_option
@pass_app
def link(
    app: App,
    ref: str,
    url: str,
    force: bool,
    as_of: dt.datetime | None,
    wait: bool,
    as_json: bool,
) -> None:
    """Attach a released draft REF to its WDTK request at URL."""
    from bot.cli.names import check_ref

    check_ref(app, ref)
    now = _now(as_of)
    with tracker(app, now, wait) as t:
        row = t.links.link(ref, url, now, force=force)
    if app.json_wanted(as_json):
        app.emit_json(
            {
                "ref": ref,
                "wdtk_id": row["wdtk_id"],
                "url_title": row["url_title"],
                "status": _live(app, row, now),
            }
        )
        return
    click.echo(
        f"Linked {ref} to WDTK request {row['wdtk_id']} ({row['url_title']}); {_due_words(_shown(app, row, now))}"
    )


def _shown(app: App, row: dict, now: dt.datetime) -> StatusRow:
    """The row `status` would show for this request as of the same moment."""
    from bot.dates import london_today
    from bot.rules.status import status_row

    return status_row(row, app.config.wdtk.base_url, london_today(now), app.config.calendar)


def _due_words(shown: StatusRow) -> str:
    """The due date as `status` shows it (a school's may run to day 60); for a body no FOI
    law covers, only the courtesy date after which a reminder is suggested."""
    from bot.views.status import due_cell

    if shown.remind_after:
        return f"voluntary, remind after {shown.remind_after}"
    return f"due {due_cell(shown) or 'unknown'}"


@click.command()
@click.option("--all", "everything", is_flag=True, help="Poll every tracked request, due or not.")
@click.option("--campaign", "-c", help="Only this campaign.")
@click.option("--group", "-g", help="Only this group of tracked requests.")
@click.option(
    "--no-attachments", "skip_attachments", is_flag=True,
    help="Leave the new replies' attachments queued (for `attachments fetch`).",
)  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@as_of_time
@wait_option
@json_option
@pass_app
def poll(
    app: App,
    everything: bool,
    campaign: str | None,
    group: str | None,
    skip_attachments: bool,
    quiet: bool,
    as_of: dt.datetime | None,
    wait: bool,
    as_json: bool,
) -> None:
    """Fetch updates from WDTK for the requests due a poll, and read new attachments.

    The attachments of the replies found are fetched and read within [wdtk]
    pass_budget_s; the rest wait for the next pass (or `foibot attachments fetch`).
    """
    from bot.attachments.fetch import fetch_queued
    from bot.cli.names import selection as selection_of

    app.require_database()
    selection = selection_of(app, campaign, group)
    want_json = app.json_wanted(as_json)
    files = None
    now = _now(as_of)
    with tracker(app, now, wait, own_pause=True) as t:
        report = t.poll(
            now,
            everything=everything,
            selection=selection,
            progress=_progress(app, quiet or want_json),
            manual=True,
            should_stop=t.client.stopped,
        )
        if not (skip_attachments or report.unreachable or report.out_of_time or t.client.stopped()):
            files = fetch_queued(app.store, app.config, t.client, t.client.stopped, selection)
    if want_json:
        app.emit_json({**report.as_json(), "attachments": files.as_json() if files else None})
    else:
        click.echo(poll_summary(report))
        if files is not None:
            click.echo(files.summary())
    if report.failed or (files is not None and files.stopped):
        raise click.exceptions.Exit(1)


def poll_summary(report) -> str:
    from bot.rules.news import unfound_advice
    from bot.wording import plural

    given_up = [
        f"  {item}: released long ago and not found on WDTK, no longer looked for: "
        f"{unfound_advice(item)}"
        for item in report.given_up
    ]
    if not report.polled and not report.out_of_time:
        why = report.unreachable or report.backing_off
        said = f"Nothing polled: {why}." if why else "Nothing was due a poll."
        return "\n".join([said, *given_up])
    lines = [f"Polled {report.polled} request(s) with {report.http_calls} call(s) to WDTK."]
    for item in report.linked:
        lines.append(f"  linked {item.ref} to WDTK request {item.wdtk_id}")
    for item in report.new_responses:
        lines.append(f"  new response: {item.ref} ({item.body}) {printable(item.title)}")
    for item in report.changed:
        lines.append(f"  {item.ref}: {item.before} → {item.after}")
    for item in report.newly_overdue:
        since = f", due {item.counted_from}" if item.counted_from else ""
        late = plural(item.days_late, "working day") if item.days_late is not None else "?"
        lines.append(f"  now {item.status}: {item.ref} ({late} late{since})")
    for item in report.withdrawn:
        lines.append(
            f"  withdrawn: {item['kind']} {item['ref']} ({item['request']}): {item['note']}"
        )
    for item in report.errors:
        lines.append(f"  error: {item.ref}: {item.error} (retry after {item.next_retry})")
    lines.extend(given_up)
    if report.unreachable:
        # An outage is probed by the next pass; a pause WDTK asked for is waited out.
        again = "; no call before it has passed" if report.paused else "; the next pass tries again"
        lines.append(f"  stopped: {report.unreachable}{again}")
    if report.out_of_time:
        lines.append(f"  stopped: {report.out_of_time}")
    return "\n".join(lines)


def _progress(app: App, quiet: bool):
    """The poll's bar, with WDTK's pace: "3 s between calls to WDTK, about 15 min"."""
    from bot.cli.progress import track_progress

    def wrap(rows, total):
        return track_progress(
            rows, total, "Polling WDTK", quiet=quiet, interval_s=app.config.wdtk.min_interval_s
        )

    return wrap


# Table names as a person reads them, for the confirmation: what else of a request goes.
_ROWS = (("events", "event"), ("correspondence", "message"), ("followups", "follow-up"),
         ("news", "news item"))  # fmt: skip


@click.command()
@click.argument("refs", nargs=-1, required=True)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@wait_option
@json_option
@pass_app
def untrack(app: App, refs: tuple[str, ...], yes: bool, wait: bool, as_json: bool) -> None:
    """Stop tracking REFs and remove them with their events, replies and follow-ups.

    Each REF is a request's ref, or the URL or number it was tracked with. Only requests
    tracked outside a campaign can go. Every REF is checked first: one that foibot does
    not hold removes nothing (exit 1). Asks before removing anything, unless --yes.
    """
    from bot.tracking.untrack import plan_untrack
    from bot.tracking.untrack import untrack as remove
    from bot.wording import plural

    app.lock(wait=wait)  # a poll must not write to a request while it is removed
    plans = plan_untrack(app.store, app.config, list(refs))
    for plan in plans:
        owner = f", made by {plan.user}" if plan.user else ""
        group = f"group {plan.group}" if plan.group else "no group"
        rows = ", ".join(plural(plan.rows[t], word) for t, word in _ROWS if plan.rows[t])
        stderr(f"{plan.ref}: {printable(plan.title)} ({group}{owner}): {rows or 'nothing else'}")
    if not yes:
        question = f"Remove {plural(len(plans), 'request')} and everything stored about them?"
        try:
            confirmed = click.confirm(question, err=True)
        except click.Abort:  # end of input (cron, a script): nobody there to say yes
            raise UsageError(
                "nothing removed: no one answered the question; add --yes to remove without asking"
            ) from None
        if not confirmed:
            stderr("Nothing removed.")
            raise click.exceptions.Exit(1)
    remove(app.store, plans)
    if app.json_wanted(as_json):
        app.emit_json({"removed": [p.as_json() for p in plans]})
        return
    click.echo(f"Untracked {', '.join(p.ref for p in plans)}.")


COMMANDS = [track, link, poll, untrack]
