"""The `foibot` command line: a thin layer over the library.

Commands load lazily (click's lazy-group pattern, bot/cli/group.py): `COMMANDS` names each
command's module and its one-line summary, so `foibot --help` imports no command module
and `foibot status` imports only bot/cli/status.py. tests/test_startup.py checks that the
table matches the commands the modules define.
"""

from __future__ import annotations

# name -> (module, summary shown by `foibot --help`: the command's first sentence).
COMMANDS: dict[str, tuple[str, str]] = {
    "attachments": (
        "bot.cli.attachments",
        "Fetch the replies' attachments from WDTK and read them, or list them.",
    ),
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
        "Mark follow-ups or released requests as sent by hand (or cancel them).",
    ),
    "draft": ("bot.cli.campaign", "Render one request per body of CAMPAIGN."),
    "extend": (
        "bot.cli.extend",
        "Record that REF's body extended its time or paused the clock for a fee.",
    ),
    "followups": (
        "bot.cli.followups",
        "Draft the follow-ups due for CAMPAIGN's requests, or a --group or --ref of tracked ones.",
    ),
    "hints": (
        "bot.cli.hints",
        "Figures proposed from the replies' tables and sentences; nothing is recorded.",
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
    "poll": (
        "bot.cli.track",
        "Fetch updates from WDTK for the requests due a poll, and read new attachments.",
    ),
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
    "serve": ("bot.cli.serve", "Serve the campaigns, status table and requests as web pages."),
    "show": ("bot.cli.status", "One request with its letter, replies and full event history."),
    "status": ("bot.cli.status", "One row per request: status, dates, days late."),
    "track": (
        "bot.cli.track",
        "Track any WDTK requests: /request/<slug> or /request/<id> URLs, or their numbers.",
    ),
    "users": ("bot.cli.serve", "Accounts for `foibot serve`: add, list, remove."),
    "untrack": (
        "bot.cli.track",
        "Stop tracking REFs and remove them with their events, replies and follow-ups.",
    ),
}


def __getattr__(name: str) -> object:
    # `from bot.cli import cli`: the group, imported with click only when asked for.
    if name == "cli":
        from bot.cli.group import cli

        return cli
    raise AttributeError(f"module 'bot.cli' has no attribute {name!r}")


def main() -> None:
    from bot.cli.group import cli

    cli(prog_name="foibot")
