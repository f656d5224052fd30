"""`foibot --help` as click renders it at 80 columns or more (bot/cli/group.py), so that
the commonest first command needs no click import. After changing a command summary or a
global option, regenerate it with `python -m bot.cli.help_page`; tests/test_startup.py
fails until then.
"""

TEXT = "Usage: foibot [OPTIONS] COMMAND [ARGS]...\n\n  Run Freedom of Information request campaigns on WhatDoTheyKnow.\n\n  Draft a templated request to many public bodies, release them at a pace WDTK\n  allows, track the replies and every statutory deadline.\n\nOptions:\n  --config FILE  Config file (env FOIBOT_CONFIG).  [default: config.toml]\n  --db FILE      Database file; overrides [storage] path.\n  --json         Machine-readable output on stdout.\n  --debug        Show the full traceback when something unexpected fails.\n  --version      Show the version and exit.\n  -h, --help     Show this message and exit.\n\nCommands:\n  bodies     Public bodies that requests can go to.\n  daemon     Run passes on the [schedule] in config until SIGTERM or SIGINT.\n  deadline   Statutory dates for a request received on RECEIVED (YYYY-MM-DD).\n  doctor     Check config, templates, database, bank-holiday data and pending\n             errors.\n  done       Mark follow-ups as sent by hand (or cancel them, or cancel\n             released requests).\n  draft      Render one request per body of CAMPAIGN.\n  extend     Record that REF's body extended its time or paused the clock for\n             a fee.\n  followups  Draft every follow-up CAMPAIGN's requests are due, for review.\n  init       Scaffold a working folder: config.toml, a letter template and\n             state/, then the database.\n  launch     Release what WDTK's pace allows of CAMPAIGN's drafts, with the\n             time to send each.\n  link       Attach a released draft REF to its WDTK request at URL.\n  mail       One pass over new mail in [mailbox]: recognise WDTK's alerts (new\n             responses, overdue and classify reminders, track alerts) and poll\n             exactly the requests they name.\n  overdue    Only the late requests, most late first, with working days late.\n  poll       Fetch updates from WDTK for the requests due a poll.\n  record     Record the figures a reply gave, such as `foibot record smm-1\n             dismissed=3`.\n  report     Report on CAMPAIGN, a --group or --all: results, timeliness,\n             deadlines.\n  results    The results table of CAMPAIGN: a row per body, a column per field\n             and period, with totals.\n  run        Release due launch slots, poll WDTK, and send notifications: one\n             pass.\n  search     Find replies by their text, such as `foibot search twitter\n             --campaign C`.\n  show       One request with its letter, replies and full event history.\n  status     One row per request: status, dates, days late.\n  track      Track any WDTK requests: /request/<slug> or /request/<id> URLs,\n             or their numbers.\n"


def render() -> str:
    """click's rendering of the group's help page at 80 columns or more: click formats
    it 2 columns narrower than the terminal, at most 80."""
    from click.testing import CliRunner

    from bot.cli.group import cli

    result = CliRunner().invoke(cli, ["--help"], prog_name="foibot", terminal_width=78)
    if result.exit_code != 0:
        raise RuntimeError(result.output)
    return result.output


if __name__ == "__main__":
    from pathlib import Path

    path = Path(__file__)
    source = path.read_text(encoding="utf-8")
    head = source[: source.index("TEXT = ")]
    tail = source[source.index("\n\n\ndef render()") :]
    path.write_text(f"{head}TEXT = {render()!r}{tail}", encoding="utf-8")
