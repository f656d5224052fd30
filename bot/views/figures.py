"""Figures from replies, for `foibot record`, `foibot hints` and the web figures page: the
proposals a request's replies give, recording a form of values (refused where another
person changed one since the form was loaded), and recording a CSV all or nothing.
Every value goes through `record`'s one parser (bot/reports/figures.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.config import CampaignConfig, Config, FieldSpec
    from bot.reports.figures import Entry
    from bot.rules.hints import Proposal
    from bot.store.db import Store


def _accepts(spec: FieldSpec, value: str) -> bool:
    """`foibot record`'s own parser decides what a value may be: no second parser."""
    from bot.reports.figures import parse_figure

    try:
        parse_figure(spec, value)
    except UsageError:
        return False
    return True


def value_keys(spec: CampaignConfig) -> list[str]:
    """The campaign's values in its own order of fields and periods, as `results` shows them."""
    return [f"{f.name}:{p}" if p else f.name for f in spec.fields for p in (f.periods or (None,))]


def proposals(store: Store, ref: str, spec: CampaignConfig) -> dict[str, list[Proposal]]:
    """Each value key's proposals for one request, best first, from every read attachment
    of its replies and from the replies' own text."""
    from bot.rules.hints import Source, email_source, propose

    sources = [
        Source(row["name"] or f"attachment {row['number']}", extraction, row["sent_at"])
        for row, extraction in store.attachment_extractions(ref)
    ]
    sources += [email_source(r["text"] or "", r["sent_at"]) for r in store.reply_bodies(ref)]
    found = propose(spec.fields, sources, _accepts)
    return {k: found[k] for k in value_keys(spec) if k in found}


@dataclass(frozen=True)
class Conflict:
    """A value someone else changed after the form was loaded: never overwritten."""

    key: str
    loaded: str  # what the form showed ("" for nothing recorded)
    current: str  # what is recorded now
    by: str  # who recorded it, where known


def record_form(
    store: Store,
    ref: str,
    spec: CampaignConfig,
    values: Mapping[str, str],
    loaded: Mapping[str, str],
    *,
    by: str | None,
    note: str | None = None,
) -> tuple[list[Entry], list[Conflict]]:
    """Record a form of values (value key -> text as typed; blank clears) for `ref`.

    Only the values changed from `loaded` (what the form showed) are recorded. Each is
    checked, in the write transaction, against what is recorded now: if another person
    recorded a different value since the form was loaded, nothing at all is recorded and
    the conflicts are returned (an optimistic check; the later save never overwrites).
    Raises UsageError (naming the value) for a value `record` would refuse."""
    from bot.reports.figures import changes, parse_entry, recorded_events, recorded_figures

    entries = []
    for k in value_keys(spec):
        if k not in values or values[k].strip() == loaded.get(k, "").strip():
            continue
        entries.append(parse_entry(spec.fields, k, values[k]))
    if not entries:
        return [], []
    with store.transaction():
        current = recorded_figures(store, ref)
        # A value recorded already as typed (the same form sent twice, or two people
        # agreeing) needs no new event, and is no conflict either.
        entries = [e for e in entries if changes(e, current)]
        if not entries:
            return [], []
        who = _recorded_by(store, ref)
        conflicts = [
            Conflict(e.key, loaded.get(e.key, ""), current[e.key].text, who.get(e.key, ""))
            for e in entries
            if e.key in current and current[e.key].text != loaded.get(e.key, "").strip()
        ]
        conflicts += [
            Conflict(e.key, loaded.get(e.key, ""), "(cleared)", who.get(e.key, ""))
            for e in entries
            if e.key not in current and loaded.get(e.key, "").strip()
        ]
        if conflicts:
            return [], conflicts
        store.log_all(
            recorded_events(
                ref, entries, note=note, by=by, hints=_hinted(store, ref, spec, entries)
            )
        )
    return entries, []


def _hinted(store: Store, ref: str, spec: CampaignConfig, entries: list[Entry]) -> dict[str, dict]:
    """The entries saved as the form pre-filled them from a hint (the first proposal,
    unchanged): recorded with the hint's source, as `record --accept-hints` records them,
    so `results` marks them alike."""
    from bot.reports.figures import parse_figure

    found = proposals(store, ref, spec)
    specs = {f.name: f for f in spec.fields}
    out = {}
    for e in entries:
        first = found.get(e.key, [None])[0]
        if first is None or e.figure is None:
            continue
        if parse_figure(specs[e.field], first.value).same(e.figure):
            out[e.key] = first.detail()
    return out


def _recorded_by(store: Store, ref: str) -> dict[str, str]:
    """Who recorded each value last (the `by` of its latest event)."""
    from bot.reports.figures import RECORDED, key

    out = {}
    for event in store.events_of_kind(RECORDED, ref):
        detail = event["detail"] or {}
        out[key(detail.get("field", ""), detail.get("period"))] = detail.get("by") or ""
    return out


class CsvRefused(UsageError):
    """A figures CSV with bad rows: nothing was recorded; `errors`, one line per row."""

    def __init__(self, message: str, errors: list[str]) -> None:
        super().__init__(message)
        self.errors = errors


def record_csv(
    store: Store,
    config: Config,
    text: str,
    name: str,
    campaign: str | None,
    note: str | None,
    by: str | None,
) -> dict[str, Any]:
    """`record --from-csv`: every row checked first, then all recorded in one transaction,
    or none (CsvRefused, with one error per bad row). Returns the summary."""
    from bot.reports.figures import (
        campaign_figures,
        changed_rows,
        csv_targets,
        parse_csv,
        recorded_events,
    )

    if campaign:
        config.campaign(campaign)  # names the campaigns there are
    fields = {c.slug: c.fields for c in config.campaigns}
    targets = csv_targets(store.record_targets(campaign), fields, campaign)
    rows, errors = parse_csv(text, targets, name=name)
    if errors:
        raise CsvRefused(
            f"{name}: {len(errors)} bad row{'s' if len(errors) != 1 else ''}; nothing recorded",
            errors,
        )
    changed = changed_rows(rows, campaign_figures(store, campaign))
    with store.transaction():
        for r in changed:
            store.log_all(recorded_events(r.ref, [r.entry], note=r.note or note, by=by))
    refs = {r.ref for r in changed}
    return {
        "file": name,
        "recorded": len(changed),
        "requests": len(refs),
        "unchanged": len(rows) - len(changed),
    }
