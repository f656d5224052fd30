"""`foibot init`."""

from __future__ import annotations

import click

from bot.cli.app import App, pass_app


@click.command()
@pass_app
def init(app: App) -> None:
    """Create or migrate the database (every command also does this lazily)."""
    from bot.store.migrations import migrations

    store = app.store
    applied = migrations.applied(store.db)
    click.echo(f"Database ready: {store.path} ({len(applied)} migrations applied)")


COMMANDS = [init]
