"""The `foibot` command line: a thin layer over the library.

Command modules import their heavy dependencies inside the command functions, so that
`foibot --help` and `foibot status` start quickly from cron.
"""

from __future__ import annotations

import click

from bot import __version__
from bot.cli.app import App, FoibotGroup


@click.group(cls=FoibotGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


def _register() -> None:
    from bot.cli import (
        bodies,
        campaign,
        deadline,
        doctor,
        extend,
        followups,
        init,
        mail,
        report,
        results,
        run,
        status,
        track,
    )

    for module in (
        init,
        bodies,
        campaign,
        track,
        followups,
        extend,
        status,
        deadline,
        run,
        report,
        results,
        doctor,
        mail,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="foibot")
