"""Names a person types — campaigns, groups, refs, fields — checked before anything runs:
an unknown one is bad usage (exit 2) with a did-you-mean, never an empty result."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.config import suggest
from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.cli.app import App
    from bot.store.requests import RequestSet


def unknown(kind: str, word: str, choices: list[str], hint: str = "") -> UsageError:
    listed = f" (known: {', '.join(choices[:10])}{', …' if len(choices) > 10 else ''})"
    return UsageError(
        f"unknown {kind} '{word}'{suggest(word, choices)}"
        + (listed if choices else f" (there are no {kind}s yet)")
        + (f"; {hint}" if hint else "")
    )


def campaign_names(app: App, known: Iterable[str] | None = None) -> list[str]:
    """Campaigns in config.toml and those only in the database (tracked into by name);
    `known`: the database's, when the caller has read them already."""
    from bot.views.status import campaign_names as names_of

    return names_of(app.config, app.store, known)


def check_campaign(
    app: App, slug: str | None, *, tracking: bool = False, known: Iterable[str] | None = None
) -> None:
    if slug is None:
        return
    names = campaign_names(app, known)
    if slug not in names:
        hint = "use --group NAME to label tracked requests without a campaign" if tracking else ""
        raise unknown("campaign", slug, names, hint)


def check_group(app: App, group: str | None, known: list[str] | None = None) -> None:
    """`known`: the database's group names, when the caller has read them already."""
    if group is None:
        return
    names = app.store.group_names() if known is None else known
    if group not in names:
        raise unknown("group", group, names, "`foibot track --group NAME` makes one")


def check_ref(app: App, ref: str, *, followups: bool = False) -> dict:
    """The request REF; unknown, exit 2 naming the nearest ref (or follow-up ref, where
    the command takes one too)."""
    row = app.store.request(ref)
    if row is not None:
        return row
    refs = app.store.all_refs(followups=followups)
    what = "request or follow-up" if followups else "request"
    raise UsageError(f"no {what} with ref '{ref}'{suggest(ref, refs)} (see `foibot status`)")


def selection(
    app: App, campaign: str | None, group: str | None, refs: tuple[str, ...] | None = None
) -> RequestSet | None:
    """The RequestSet the options name (None: every request), each name checked first.
    `refs`: the REFs a command takes (None: it takes none)."""
    from bot.store.requests import RequestSet

    if sum(bool(x) for x in (campaign, group, refs)) > 1:
        raise UsageError(
            "give --campaign or --group, not both"
            if refs is None
            else "give --campaign, --group or REFs, not more than one"
        )
    if campaign:
        check_campaign(app, campaign)
        return RequestSet.campaign(campaign)
    if group:
        check_group(app, group)
        return RequestSet.group(group)
    if refs:
        return RequestSet.refs([check_ref(app, ref)["ref"] for ref in refs])
    return None
