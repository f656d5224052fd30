"""`foibot attachments fetch` (download and read the queued attachments) and
`foibot attachments list` (each attachment and what was read from it)."""

from __future__ import annotations

import click

from bot.cli.app import App, json_option, pass_app
from bot.cli.output import printable


@click.group()
def attachments() -> None:
    """Fetch the replies' attachments from WDTK and read them, or list them."""


@attachments.command("fetch")
@click.argument("refs", nargs=-1)
@click.option("--campaign", "-c", help="Only this campaign's requests.")
@click.option("--group", "-g", help="Only this group of tracked requests.")
@click.option(
    "--retry", is_flag=True,
    help="First queue again those skipped or unreadable (after raising max_mb, say).",
)  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--wait", is_flag=True, help="If another foibot run holds the lock, wait for it.")
@json_option
@pass_app
def fetch(
    app: App,
    refs: tuple[str, ...],
    campaign: str | None,
    group: str | None,
    retry: bool,
    quiet: bool,
    wait: bool,
    as_json: bool,
) -> None:
    """Download and read the attachments not read yet, of every request or those named.

    Each is fetched once, at WDTK's pace; one over [attachments] max_mb is skipped with
    its size. A download that fails stays queued for the next fetch (exit 1).
    """
    from bot.attachments.fetch import fetch_attachments
    from bot.cli.names import selection as selection_of
    from bot.cli.progress import track_progress

    selection = selection_of(app, campaign, group, refs)
    want_json = app.json_wanted(as_json)
    app.lock(wait=wait)  # before reading the queue: one process fetches at a time
    if retry:
        app.store.requeue_attachments(selection)
    rows = app.store.attachments_in(selection, queued=True)

    def progress(items, total):
        return track_progress(
            items, total, "Fetching attachments", quiet=quiet or want_json,
            interval_s=app.config.wdtk.min_interval_s,
        )  # fmt: skip

    with app.wdtk_client(app.stop_flag()) as client:
        report = fetch_attachments(
            app.store, app.config, client, rows, progress=progress, should_stop=client.stopped
        )
    if want_json:
        app.emit_json(report.as_json())
    else:
        if not rows:
            click.echo("No attachment is waiting to be fetched.")
        for item in report.items:
            if item["outcome"] in ("unreadable", "skipped", "failed"):
                click.echo(
                    f"  {item['outcome']}: {item['ref']} #{item['number']} "
                    f"{printable(item['name'])}: {printable(item['reason'])}"
                )
        click.echo(report.summary())
    if report.failed or report.stopped:
        raise click.exceptions.Exit(1)


@attachments.command("list")
@click.argument("refs", nargs=-1)
@click.option("--campaign", "-c", help="Only this campaign's requests.")
@click.option("--group", "-g", help="Only this group of tracked requests.")
@json_option
@pass_app
def list_(
    app: App, refs: tuple[str, ...], campaign: str | None, group: str | None, as_json: bool
) -> None:
    """Each attachment: its request, reply date, name, type, size and what was read."""
    from bot.cli.names import selection
    from bot.deadlines import receipt_date

    rows = app.store.attachments_in(selection(app, campaign, group, refs))
    for row in rows:
        row["date"] = receipt_date(row["sent_at"]).isoformat() if row["sent_at"] else None
    if app.json_wanted(as_json):
        app.emit_json(rows)
        return
    if not rows:
        click.echo("No attachments.")
        return
    # One wording for `attachments list`, `show` and the web request page.
    from bot.views.request import attachment_facts, attachment_state

    app.print_table(
        ("ref", "date", "#", "name", "type and size", "state"),
        [
            (
                r["ref"],
                r["date"] or "",
                str(r["number"]),
                r["name"],
                attachment_facts(r),
                attachment_state(r),
            )
            for r in rows
        ],
    )


list_.name = "list"
COMMANDS = [attachments]
