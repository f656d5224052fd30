"""`foibot init`: scaffold a working folder and create or migrate its database."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from bot.cli.app import App, pass_app
from bot.errors import UsageError


def _ask(value: str | None, prompt: str, default: str = "") -> str:
    """An option's value, else asked for on a terminal; never blocks a pipe or cron."""
    if value is not None:
        return value
    if sys.stdin.isatty():
        return click.prompt(prompt, default=default or None, show_default=bool(default)) or ""
    return default


@click.command()
@click.option("--user", help="Your WDTK user name (your profile's url_name).")
@click.option("--contact", help="An e-mail or URL WDTK can reach you at (sent in the User-Agent).")
@click.option("--name", "requester", help="Your name, to sign letters and follow-ups.")
@click.option(
    "--tracking-only",
    is_flag=True,
    help="Only follow existing WDTK requests: no requester, no campaign, no letter.",
)
@click.option(
    "--base-url", help="Another Alaveteli site than WhatDoTheyKnow (e.g. a test instance)."
)
@pass_app
def init(
    app: App,
    user: str | None,
    contact: str | None,
    requester: str | None,
    tracking_only: bool,
    base_url: str | None,
) -> None:
    """Scaffold a working folder: config.toml, a letter template and state/, then the database.

    Nothing that exists is ever overwritten: in a folder that already has a config.toml,
    `init` only creates or migrates the database (and writes the example letter where the
    config names it and it is missing). Options not given are asked for on a terminal.
    """
    from bot import scaffold
    from bot.config import DEFAULT_BASE_URL, EXAMPLE_REQUESTER
    from bot.config_values import base_url_problem, contact_problem, user_problem

    config_path = Path(app.config_path)
    root = config_path.parent
    if os.path.lexists(config_path) and not config_path.is_file():
        # A dangling link, a FIFO, /dev/null: init would make state/ beside it (/dev/state).
        raise UsageError(f"{config_path} is not a regular file: give --config a file's path")
    if not config_path.exists():
        # Checked before anything is written: a refused value leaves no config behind.
        if base_url is not None and (problem := base_url_problem(base_url.rstrip("/"))):
            raise UsageError(f"--base-url: {problem}")
        user = _ask(user, "Your WDTK user name (the url_name in your profile's address)")
        contact = _ask(contact, "An e-mail WDTK can reach you at")
        if contact and (problem := contact_problem(contact)):
            raise UsageError(f"--contact: {problem}")
        if user and (problem := user_problem(user)):
            raise UsageError(f"--user: {problem}")
        if not tracking_only:
            requester = _ask(requester, "Your name, to sign the letters", EXAMPLE_REQUESTER)
        files = {
            config_path.name: scaffold.config_text(
                user=user or "",
                contact=contact or "",
                # A tracking-only folder signs nothing unless given a name.
                requester=requester or ("" if tracking_only else EXAMPLE_REQUESTER),
                tracking_only=tracking_only,
                base_url=(base_url or DEFAULT_BASE_URL).rstrip("/"),
            )
        }
        if not tracking_only:
            files[scaffold.LETTER] = scaffold.LETTER_TEXT
        for name, text in files.items():
            _write_new(root / name, text)
    else:
        click.echo(f"Kept {config_path} (init never overwrites).")
        # A config.toml carried to a new folder alone: the example letter it names comes back.
        letter = root / scaffold.LETTER
        if scaffold.LETTER in config_path.read_text(encoding="utf-8", errors="replace") and (
            not os.path.lexists(letter)
        ):
            _write_new(letter, scaffold.LETTER_TEXT)
    state = root / scaffold.STATE_DIR
    if not state.exists():
        state.mkdir(parents=True)
        click.echo(f"Created {state}/")

    from bot.store.migrations import migrations

    store = app.store
    applied = migrations.applied(store.db)
    click.echo(f"Database ready: {store.path} ({len(applied)} migrations applied)")
    if not app.config.wdtk.user or not app.config.wdtk.contact:
        click.echo(f"Next: set [wdtk] user and contact in {config_path}.")
    if app.config.campaigns:
        first = app.config.campaigns[0].slug
        click.echo(f"Next: edit the campaign and its letter, then `foibot draft {first}`.")
    else:
        click.echo("Next: `foibot track URL... --group NAME`, then `foibot status`.")


def _write_new(path: Path, text: str) -> None:
    if os.path.lexists(path):  # a link too, even a dangling one: never written through
        click.echo(f"Kept {path} (init never overwrites).")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # "x": fail rather than overwrite a file created since the check above.
    with path.open("x", encoding="utf-8") as fh:
        fh.write(text)
    click.echo(f"Created {path}")


COMMANDS = [init]
