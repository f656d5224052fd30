"""`foibot bodies import|list`."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import click

from bot.cli.app import App, FoibotGroup, json_option, pass_app
from bot.cli.output import printable
from bot.errors import FoibotError, UsageError

ALL_AUTHORITIES_PATH = "/body/all-authorities.csv"


@click.group(cls=FoibotGroup)
def bodies() -> None:
    """Public bodies that requests can go to."""


@bodies.command("import")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A saved all-authorities.csv.",
)
@click.option("--url", "url", help=f"Download it (default: <base_url>{ALL_AUTHORITIES_PATH}).")
@json_option
@pass_app
def import_(app: App, file: Path | None, url: str | None, as_json: bool) -> None:
    """Load WDTK's all-authorities.csv: an idempotent upsert; bad rows are reported and skipped."""
    from bot.bodies import BadRow, Body, read_authorities_csv

    if file and url:
        raise UsageError("give --file or --url, not both")
    if url is not None:
        from bot.config_values import base_url_problem

        if problem := base_url_problem(url):
            raise UsageError(f"--url: {problem}")
    if not file:
        app.lock()  # it calls WDTK
    bad: list[BadRow] = []
    read = 0

    def good(rows) -> Iterator[Body]:
        nonlocal read
        for row in _progress(rows, app, as_json):
            if isinstance(row, BadRow):
                bad.append(row)
            else:
                read += 1
                yield row

    with contextlib.ExitStack() as stack:
        if file:
            name, lines = str(file), stack.enter_context(_open_csv(file))
        else:
            name, text = _download(app, url)
            lines = io.StringIO(text, newline="")
        store = app.store
        try:
            # Streamed from the file into the database: one transaction, and the memory
            # of one batch of rows however big the file.
            with store.transaction():
                counts = store.import_bodies(good(read_authorities_csv(lines)), source="csv")
        except ValueError as exc:  # the header; UnicodeDecodeError is a ValueError too
            if isinstance(exc, UnicodeDecodeError):
                raise UsageError(f"{name}: not UTF-8 text; nothing was imported") from None
            raise UsageError(f"{name}: {exc}") from None
    if app.json_wanted(as_json):
        app.emit_json(
            {
                "file": name,
                "imported": read,
                **counts,
                "skipped": len(bad),
                "bad_rows": [{"line": b.line, "reason": b.reason} for b in bad],
            }
        )
        return
    from bot.wording import plural

    for b in bad:
        click.echo(printable(f"{name}:{b.line}: skipped: {b.reason}"), err=True)
    click.echo(
        f"Read {plural(read + len(bad), 'body')} from {name}: {counts['new']} new, "
        f"{counts['changed']} changed, {counts['unchanged']} unchanged, {len(bad)} skipped"
        + (" (bad rows, above)" if bad else "")
        + "."
    )


@contextlib.contextmanager
def _open_csv(path: Path) -> Iterator[TextIO]:
    try:
        f = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise UsageError(f"{path}: file not found") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it: {exc.strerror}") from None
    with f:
        yield f


def _download(app: App, url: str | None) -> tuple[str, str]:
    from bot.wdtk.client import WdtkClient

    url = url or app.config.wdtk.base_url + ALL_AUTHORITIES_PATH
    with WdtkClient(app.config.wdtk) as client:
        try:
            return url, client.get_text(url)
        except Exception as exc:  # the client's own errors carry the URL and reason
            raise FoibotError(f"{url}: {exc}") from None


def _progress(rows, app: App, quiet: bool):
    """A spinner with a count on a terminal (the CSV's length is unknown until read)."""
    from bot.cli.progress import shown

    if not shown(quiet):
        yield from rows
        return
    from rich.progress import Progress

    with Progress(console=app.console(stderr=True), transient=True) as progress:
        task = progress.add_task("Importing bodies", total=None)
        for i, row in enumerate(rows, 1):
            if i % 1000 == 0:
                progress.update(task, completed=i)
            yield row


@bodies.command("list")
@click.option("--tag", help="Only bodies with this tag (or machine-tag name).")
@json_option
@pass_app
def list_(app: App, tag: str | None, as_json: bool) -> None:
    """List known bodies."""
    found = app.store.bodies(tag=tag)
    if app.json_wanted(as_json):
        app.emit_json(
            [
                {
                    "url_name": b.url_name, "name": b.name, "short_name": b.short_name,
                    "tags": list(b.tags), "law": b.law, "school": b.is_school,
                    "requestable": b.requestable, "not_requestable_reason": b.not_requestable_reason,
                }
                for b in found
            ]
        )  # fmt: skip
        return
    app.print_table(
        ("url_name", "name", "law", "requestable", "tags"),
        [
            (
                b.url_name,
                b.name,
                b.law,
                "yes" if b.requestable else f"no: {b.not_requestable_reason or 'unknown reason'}",
                " ".join(b.tags),
            )  # fmt: skip
            for b in found
        ],
    )
    from bot.wording import plural

    click.echo(plural(len(found), "body"))


COMMANDS = [bodies]
