"""`foibot serve` and `foibot users`: the web pages (bot/web/) and their accounts."""

from __future__ import annotations

import datetime as dt

import click

from bot.cli.app import App, as_of_option, json_option, pass_app

ROLES = ("viewer", "editor")


@click.command()
@click.option("--host", help="Address to listen on (default: [serve] host, 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(0, 65535), help="Port to listen on (default: [serve] port, 8080)."
)
@as_of_option("datetime")
@pass_app
def serve(app: App, host: str | None, port: int | None, as_of: dt.datetime | None) -> None:
    """Serve the campaigns, status table and requests as web pages."""
    from bot.web.server import serve as run

    config = app.config
    app.store  # noqa: B018 - creates or migrates the database, as every command does
    run(
        config,
        app.store_path(),
        host or config.serve.host,
        config.serve.port if port is None else port,
        as_of=as_of,
    )


@click.group()
def users() -> None:
    """Accounts for `foibot serve`: add, list, remove."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True,
              help="viewer: read every page; editor: also change things.")  # fmt: skip
@pass_app
def users_add(app: App, name: str, role: str) -> None:
    """Add the account NAME. Its password is asked for twice, hidden; from a script,
    pipe it in on one line (`foibot users add NAME < secret.txt`)."""
    import re

    from bot.errors import UsageError
    from bot.passwords import hash_password, password_problem

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}", name):
        raise UsageError(f"account name {name!r}: letters, digits and . _ @ - only, at most 64")
    # Said before the password is typed twice. Names differing only in case would be told
    # apart only by the login form's exact match: one person, two accounts.
    taken = {u["name"].casefold(): u["name"] for u in app.store.users()}
    if (same := taken.get(name.casefold())) is not None:
        raise UsageError(f"account {same!r} exists already: `foibot users remove {same}` first")
    password = _password_asked()
    if problem := password_problem(password):
        raise UsageError(problem)
    app.store.add_user(name, role, hash_password(password))
    click.echo(f"Added {name} ({role}).")


def _password_asked() -> str:
    """At a terminal, asked twice and hidden; otherwise the first line of stdin (a
    prompt there would warn that input may be echoed, and a script says it once)."""
    import sys

    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users.command("list")
@json_option
@pass_app
def users_list(app: App, as_json: bool) -> None:
    """Every account, its role and when it last logged in."""
    rows = app.store.users()
    if app.json_wanted(as_json):
        app.emit_json(rows)
        return
    if not rows:
        click.echo("No accounts: `foibot users add NAME` adds one.")
        return
    app.print_table(
        ("name", "role", "created", "last login"),
        [(r["name"], r["role"], r["created_at"] or "", r["last_login_at"] or "") for r in rows],
    )


@users.command("remove")
@click.argument("name")
@pass_app
def users_remove(app: App, name: str) -> None:
    """Remove the account NAME; its open sessions end at their next page."""
    from bot.errors import UsageError

    if not app.store.remove_user(name):
        raise UsageError(f"no account {name!r}")
    click.echo(f"Removed {name}.")


COMMANDS = [serve, users]
