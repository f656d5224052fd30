"""`foibot hints` (figures proposed from the replies' attachments and text) and what
`foibot record REF --accept-hints` records of them. Nothing here writes but
`accept_hints`, which records through `record`'s own events in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from bot.cli.app import App, json_option, pass_app
from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.config import CampaignConfig
    from bot.rules.hints import Proposal


def proposals_for(app: App, ref: str, spec: CampaignConfig) -> dict[str, list[Proposal]]:
    """Each value key's proposals for one request, best first (bot/views/figures.py)."""
    from bot.views.figures import proposals

    return proposals(app.store, ref, spec)


def _printable(text: str) -> str:
    # An attachment's text is a stranger's: no terminal escape sequences from it.
    return " ".join("".join(c if c.isprintable() else "?" for c in text).split())


def _as_json(p: Proposal) -> dict[str, Any]:
    return {
        "value": p.value, "confidence": p.confidence, "source": p.source, "where": p.where,
        "raw": p.raw, "reply": p.sent_at, "agreeing": p.agreeing,
    }  # fmt: skip


@click.command()
@click.argument("refs", nargs=-1, metavar="[REF]...")
@click.option("--campaign", help="Every request of this campaign.")
@click.option("--all-proposals", "every", is_flag=True, help="Show every proposal, not the top 3.")
@json_option
@pass_app
def hints(
    app: App, refs: tuple[str, ...], campaign: str | None, every: bool, as_json: bool
) -> None:
    """Figures proposed from the replies' tables and sentences; nothing is recorded.

    Per field and period, the best proposal and up to two others (--all-proposals: all), each
    with where it was read and a confidence. Accept them with
    `foibot record REF --accept-hints`.

    \b
    foibot hints smm-3
    foibot hints --campaign social-media-misuse --json
    """
    from bot.cli.report import _campaign_of

    if bool(refs) == bool(campaign):
        raise UsageError("give REF... or --campaign C (one or the other)")
    if campaign:
        app.config.campaign(campaign)
        refs = tuple(r["ref"] for r in app.store.campaign_requests(campaign)
                     if r["status"] != "cancelled")  # fmt: skip
    report = []
    for ref in refs:
        spec = _campaign_of(app, ref)
        found = proposals_for(app, ref, spec)
        report.append((ref, found))
    if app.json_wanted(as_json):
        app.emit_json(
            [{"ref": ref, "proposals": {k: [_as_json(p) for p in ps] for k, ps in found.items()}}
             for ref, found in report]
        )  # fmt: skip
        return
    for ref, found in report:
        if not found:
            click.echo(f"{ref}: no figure found in the replies read so far")
            continue
        click.echo(f"{ref}:")
        for k, ps in found.items():
            first, *rest = ps
            click.echo(f"  {k} = {first.value}  [{first.confidence}]  {_printable(first.origin)}"
                       f"  “{_printable(first.raw)[:80]}”")  # fmt: skip
            for p in rest if every else rest[:2]:
                click.echo(f"      or {p.value}  [{p.confidence}]  {_printable(p.origin)}")
    if any(found for _, found in report):
        click.echo(
            "Suggestions only: `foibot record REF --accept-hints` records the first of each."
        )


def accept_hints(
    app: App, ref: str, spec: CampaignConfig, which: str, overwrite: bool, note: str | None,
    by: str | None,
) -> tuple[list, list[str]]:  # fmt: skip
    """Record the first proposal of each value key (those `which` names: "*" for all, or
    FIELD / FIELD:PERIOD, comma-separated), through `record`'s events, in one transaction.
    A value already recorded is kept unless `overwrite`. Returns the entries recorded and
    one line per value skipped."""
    from bot.reports.figures import Entry, parse_figure, recorded_events, recorded_figures

    found = proposals_for(app, ref, spec)
    wanted = _wanted_keys(spec, which)
    current = recorded_figures(app.store, ref)
    specs = {f.name: f for f in spec.fields}
    entries, origins, skipped = [], {}, []
    for k, ps in found.items():
        first = ps[0]
        if wanted is not None and k not in wanted and first.field not in wanted:
            continue
        figure = parse_figure(specs[first.field], first.value)
        if k in current and not overwrite:
            if not figure.same(current[k]):
                skipped.append(f"{k}: kept {current[k].text} (the hint says {figure.text}; "
                               "--overwrite to replace)")  # fmt: skip
            continue
        if figure.same(current.get(k)) and current[k].source:
            continue
        entries.append(Entry(first.field, first.period, figure))
        origins[k] = first.detail()
    if entries:
        with app.store.transaction():
            app.store.log_all(recorded_events(ref, entries, note=note, by=by, hints=origins))
    return entries, skipped


def _wanted_keys(spec: CampaignConfig, which: str) -> set[str] | None:
    """The value keys (or whole fields) named after `--accept-hints` (joined by commas)."""
    from bot.config import suggest
    from bot.reports.figures import parse_target

    if which == "*":
        return None
    names = [f.name for f in spec.fields]
    out = set()
    for target in (t.strip() for t in which.split(",") if t.strip()):
        if ":" in target:
            field, period = parse_target(spec.fields, target)
            out.add(f"{field.name}:{period}")
        elif target in names:
            out.add(target)
        else:
            raise UsageError(
                f"--accept-hints: unknown field '{target}'{suggest(target, names)}"
                f" (fields: {', '.join(names)})"
            )
    return out


COMMANDS = [hints]
