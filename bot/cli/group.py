"""The click group behind `foibot`: global options, and commands loaded from bot.cli.COMMANDS."""

from __future__ import annotations

import importlib

import click

from bot import __version__
from bot.cli import COMMANDS as COMMAND_TABLE
from bot.cli.app import App, FoibotGroup


class LazyGroup(FoibotGroup):
    """A group whose commands are imported on first use, from `COMMAND_TABLE`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMAND_TABLE, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMAND_TABLE:
            module = importlib.import_module(COMMAND_TABLE[name][0])
            for command in module.COMMANDS:
                self.commands.setdefault(command.name, command)
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The summaries from the table: listing them imports no command module.
        rows = [
            (name, COMMAND_TABLE[name][1])
            for name in self.list_commands(ctx)
            if name in COMMAND_TABLE
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    envvar="FOIBOT_CONFIG",
    default="config.toml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Config file (env FOIBOT_CONFIG).",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    help="Database file; overrides [storage] path.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output on stdout.")
@click.option(
    "--debug", is_flag=True, help="Show the full traceback when something unexpected fails."
)
@click.version_option(__version__, prog_name="foibot")
@click.pass_context
def cli(
    ctx: click.Context, config_path: str, db_path: str | None, as_json: bool, debug: bool
) -> None:
    """Run Freedom of Information request campaigns on WhatDoTheyKnow.

    Draft a templated request to many public bodies, release them at a pace WDTK
    allows, track the replies and every statutory deadline.
    """
    ctx.obj = App(config_path=config_path, db_path=db_path, as_json=as_json, debug=debug)
