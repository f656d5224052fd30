"""The `foibot` command line: a thin layer over the library.

Commands load lazily: `COMMANDS` names each command's module and its one-line summary, so
`foibot --help` imports no command module and `foibot status` imports only
bot/cli/status.py. Command modules import their heavy dependencies inside the command
functions, so that `foibot status` starts quickly from cron. tests/test_startup.py checks
that the table matches the commands the modules define.
"""

from __future__ import annotations

import importlib

import click

from bot import __version__
from bot.cli.app import App, FoibotGroup

# name -> (module, summary shown by `foibot --help`: the command's first sentence).
COMMANDS: dict[str, tuple[str, str]] = {
    "bodies": ("bot.cli.bodies", "Public bodies that requests can go to."),
    "daemon": ("bot.cli.run", "Run passes on the [schedule] in config until SIGTERM or SIGINT."),
    "deadline": (
        "bot.cli.deadline",
        "Statutory dates for a request received on RECEIVED (YYYY-MM-DD).",
    ),
    "doctor": (
        "bot.cli.doctor",
        "Check config, templates, database, bank-holiday data and pending errors.",
    ),
    "done": (
        "bot.cli.followups",
        "Mark follow-ups as sent by hand (or cancel them, or cancel released requests).",
    ),
    "draft": ("bot.cli.campaign", "Render one request per body of CAMPAIGN."),
    "extend": (
        "bot.cli.extend",
        "Record that REF's body extended its time or paused the clock for a fee.",
    ),
    "followups": (
        "bot.cli.followups",
        "Draft every follow-up CAMPAIGN's requests are due, for review.",
    ),
    "init": (
        "bot.cli.init",
        "Scaffold a working folder: config.toml, a letter template and state/, then the "
        "database.",
    ),
    "launch": (
        "bot.cli.campaign",
        "Release what WDTK's pace allows of CAMPAIGN's drafts, with the time to send each.",
    ),
    "link": ("bot.cli.track", "Attach a released draft REF to its WDTK request at URL."),
    "mail": (
        "bot.cli.mail",
        "One pass over new mail in [mailbox]: recognise WDTK's alerts (new responses, overdue "
        "and classify reminders, track alerts) and poll exactly the requests they name.",
    ),
    "overdue": (
        "bot.cli.status",
        "Only the late requests, most late first, with working days late.",
    ),
    "poll": ("bot.cli.track", "Fetch updates from WDTK for the requests due a poll."),
    "record": (
        "bot.cli.report",
        "Record the figures a reply gave, such as `foibot record smm-1 dismissed=3`.",
    ),
    "report": (
        "bot.cli.report",
        "Report on CAMPAIGN, a --group or --all: results, timeliness, deadlines.",
    ),
    "results": (
        "bot.cli.results",
        "The results table of CAMPAIGN: a row per body, a column per field and period, "
        "with totals.",
    ),
    "run": ("bot.cli.run", "Release due launch slots, poll WDTK, and send notifications: one pass."),
    "search": (
        "bot.cli.results",
        "Find replies by their text, such as `foibot search twitter --campaign C`.",
    ),
    "show": ("bot.cli.status", "One request with its letter, replies and full event history."),
    "status": ("bot.cli.status", "One row per request: status, dates, days late."),
    "track": (
        "bot.cli.track",
        "Track any WDTK requests: /request/<slug> or /request/<id> URLs, or their numbers.",
    ),
}


class LazyGroup(FoibotGroup):
    """A group whose commands are imported on first use, from `COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            module = importlib.import_module(COMMANDS[name][0])
            for command in module.COMMANDS:
                self.commands.setdefault(command.name, command)
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The summaries from the table: listing them imports no command module.
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx) if name in COMMANDS]
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


def main() -> None:
    cli(prog_name="foibot")
