"""`foibot status` without click, for the plain forms cron and people type most:

    foibot [--config FILE] [--db FILE] status [--campaign NAME] [--group NAME]

(and -c, -g, and the `--option=value` spellings). click and the group take a third of
status's start-up on 10,000 requests (issue 18). The table is made by the same code as
under click (bot/cli/status_table.py). Anything else (another option, a repeated one, a
value that starts with '-') is left to click; and so is any failure before output
starts: click then runs the command again and reports the error its own way, so an
error reads the same either way. Once the table is written, only a closed pipe and
Ctrl-C can stop it, handled as click and bot/cli/app.py do.
"""

from __future__ import annotations

import gc
import os
import sys

# Options taking a value, by each spelling: before `status` (the group's), after it.
_GLOBAL = {"--config": "config", "--db": "db"}
_STATUS = {"--campaign": "campaign", "-c": "campaign", "--group": "group", "-g": "group"}


def plain_args(argv: list[str]) -> dict[str, str] | None:
    """The options of a plain `status` command line; None for any other."""
    found: dict[str, str] = {}
    names, seen_status = _GLOBAL, False
    args = iter(argv)
    for arg in args:
        if arg == "status" and not seen_status:
            names, seen_status = _STATUS, True
            continue
        name, eq, value = arg.partition("=")
        if eq and not name.startswith("--"):
            return None  # -c=x: click reads "=x" as the value; leave it to click
        key = names.get(name)
        if key is None or key in found:
            return None
        if not eq:
            value = next(args, None)
            if value is None:
                return None
        if value.startswith("-"):
            return None
        found[key] = value
    return found if seen_status else None


def run(argv: list[str]) -> bool:
    """Print the status table for a plain command line and return True; False (having
    written nothing) when click must run the command."""
    args = plain_args(argv)
    if args is None:
        return False
    # The rows and cells are 300,000 objects and no cycle, and the run ends in os._exit:
    # the cycle collector stays off (collector_paused, finding it off, leaves it off, so
    # no collection walks them all as the table is written).
    gc.disable()
    try:
        try:
            show = _prepared(args)
        except Exception:
            show = None  # click runs it again, and says what is wrong its own way
        if show is None:
            gc.enable()
            return False
        show()
        sys.stderr.flush()
    except BrokenPipeError:
        from bot.cli.failures import reader_gone

        reader_gone()
        sys.exit(1)
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")  # what click writes
        sys.exit(1)
    except Exception as exc:  # writing failed (a full disk): one line, as under click
        from bot.cli.failures import last_resort

        line, code = last_resort(exc, None)
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
        os._exit(code)  # not sys.exit: its flush of stdout would fail the same way again
    return True


def _prepared(args: dict[str, str]):
    """Every row read and the table made, ready to print; None when click must run it (a
    database that needs migrating, which only the Store does)."""
    from bot.cli.settings import Settings
    from bot.cli.status_table import read_rows, table
    from bot.store.reader import connect_current

    # --config's default: FOIBOT_CONFIG when it is set and not empty, as click reads it
    # (`--config ""` is a value, which click passes on).
    config_path = args.get("config")
    if config_path is None:
        config_path = os.environ.get("FOIBOT_CONFIG") or "config.toml"
    for path in (config_path, args.get("db")):
        if path is not None and os.path.isdir(path):
            return None  # click's own message: "... is a directory."
    settings = Settings(config_path, args.get("db"), as_json=False)
    conn = connect_current(settings.store_path())
    if conn is None:
        return None
    try:
        campaign, group = args.get("campaign"), args.get("group")
        rows = read_rows(settings, conn, campaign, group, None, table=True)
        return table(rows, filtered=bool(campaign or group))
    finally:
        conn.close()
