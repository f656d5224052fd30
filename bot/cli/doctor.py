"""`foibot doctor`: a checklist of what is wrong with this project and how to fix it."""

from __future__ import annotations

import datetime as dt

import click

from bot.cli.app import App, as_of_option, json_option, pass_app

MARKS = {"ok": ("✓", "green"), "warn": ("!", "yellow"), "error": ("✗", "red")}


@click.command()
@click.option("--online", is_flag=True, help="Also check that WDTK answers (one call).")
@as_of_option("datetime")
@json_option
@pass_app
def doctor(app: App, online: bool, as_of: dt.datetime | None, as_json: bool) -> None:
    """Check config, templates, database, bank-holiday data and pending errors.

    Reads only: it never creates or migrates the database. Exit 0 when nothing failed
    (warnings allowed), 1 when a check failed.
    """
    from bot.doctor import run_checks, summary

    # Not app.config: a broken config.toml is one of the things being checked, so it
    # must come back as a failed check rather than end the command.
    now = as_of.astimezone(dt.UTC) if as_of else None
    checks = run_checks(app.config_path, app.db_path, now=now, online=online)
    counts = summary(checks)
    if app.json_wanted(as_json):
        app.emit_json(
            {
                "ok": counts["error"] == 0,
                "summary": counts,
                "checks": [c.as_json() for c in checks],
            }
        )
    else:
        width = max(len(c.name) for c in checks)
        for check in checks:
            mark, colour = MARKS[check.level]
            click.echo(f"{click.style(mark, fg=colour)} {check.name:<{width}}  {check.message}")
            if check.level != "ok" and check.fix:
                click.echo(f"  {'':<{width}}  fix: {check.fix}")
        click.echo(
            f"\n{counts['ok']} ok, {counts['warn']} warning{'s' * (counts['warn'] != 1)}, "
            f"{counts['error']} error{'s' * (counts['error'] != 1)}"
        )
    if counts["error"]:
        raise click.exceptions.Exit(1)


COMMANDS = [doctor]
