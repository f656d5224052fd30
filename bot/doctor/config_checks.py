"""Checks on config.toml and what it names: that it loads, whose WDTK account releases,
and that every campaign's letter and every follow-up template renders."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from bot.bodies import Body
from bot.campaigns.service import config_bodies
from bot.config import (
    EXAMPLE_CONTACT,
    EXAMPLE_REQUESTER,
    EXAMPLE_USER,
    Config,
    StorageConfig,
    load_config,
)
from bot.doctor.check import Check, failed, passed, warning
from bot.errors import ConfigError, TemplateError
from bot.followups import KINDS
from bot.followups.service import template_for
from bot.rules.drafting import Renderer, render_campaign, select_bodies
from bot.templating import builtin_dir
from bot.wording import first_few, plural


def check_config(path: str | Path) -> tuple[Check, Config | None]:
    try:
        config = load_config(path)
    except ConfigError as exc:
        return failed("config", str(exc), f"edit {path} at the file and key named"), None
    return (
        passed(
            "config",
            f"{config.path.name} is valid: {plural(len(config.campaigns), 'campaign')}, "
            f"{plural(len(config.bodies), 'body', 'bodies')} declared",
        ),
        config,
    )


def fallback_db_path(config_path: str | Path) -> Path | None:
    """Where the database is when config.toml parses as TOML but does not validate, so a
    typo in a campaign does not also hide the state of the database."""
    path = Path(config_path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    storage = raw.get("storage", {})
    default = StorageConfig._field_defaults["path"]
    value = storage.get("path", default) if isinstance(storage, dict) else None
    return path.resolve().parent / value if isinstance(value, str) and value.strip() else None


def check_release_identity(config: Config) -> list[Check]:
    """Releasing needs to know which WDTK account is the user's; WDTK needs a contact."""
    checks = []
    user = config.wdtk.user
    if not user or user == EXAMPLE_USER:
        checks.append(
            warning(
                "WDTK user",
                f"[wdtk] user is {user or 'unset'!r}: `launch` and `run` release nothing, and "
                "follow-ups are drafted for no request",
                "set [wdtk] user to your WDTK profile's url_name (the part after /user/)",
            )
        )
    else:
        checks.append(passed("WDTK user", f"requests are matched to WDTK user {user}"))
    if config.wdtk.contact in (EXAMPLE_CONTACT, ""):
        said = "empty" if not config.wdtk.contact else f"the example {EXAMPLE_CONTACT!r}"
        checks.append(
            warning(
                "WDTK contact",
                f"[wdtk] contact is {said}: WDTK could not reach you about foibot's calls",
                "set [wdtk] contact to an address you read; it goes in the User-Agent",
            )
        )
    if config.campaigns and config.requester_name.strip() == EXAMPLE_REQUESTER:
        checks.append(
            warning(
                "requester",
                f"[requester] name is {EXAMPLE_REQUESTER!r}: every letter is signed with it",
                "set [requester] name to the name you sign your requests with",
            )
        )
    return checks


def sample_bodies(bodies: list[Body], *, environmental: bool = False) -> list[Body]:
    """One requestable body per law and school-ness: templates branch on those (Scottish
    wording, a voluntary request, the schools' limit), so each branch gets rendered once
    without rendering a 10,000-body campaign in full."""
    seen: dict[tuple[str, bool], Body] = {}
    for body in bodies:
        if body.requestable:
            law = body.law_for_request(environmental=environmental)
            seen.setdefault((law, body.is_school), body)
    return list(seen.values())


def check_campaign_templates(
    config: Config, stored: dict[str, Body], today: dt.date, have_db: bool
) -> list[Check]:
    """Every campaign's title and letter compile and render, and pass WDTK's rules, for a
    sample of its bodies. `stored` holds bodies from the database (imported from WDTK)."""
    known = {**stored, **{b.url_name: b for b in config_bodies(config)}}
    checks = []
    for campaign in config.campaigns:
        name = f"campaign {campaign.slug}"
        try:
            bodies = select_bodies(campaign, known, config.path.name)
        except ConfigError as exc:
            where = "" if have_db else " (there is no database yet, so no imported bodies)"
            checks.append(
                failed(
                    name,
                    f"{exc}{where}",
                    "fix the name, declare the body under [bodies], or `foibot bodies import`",
                )
            )
            continue
        sample = sample_bodies(bodies, environmental=campaign.environmental)
        if not sample:
            checks.append(
                warning(
                    name,
                    f"no requestable body among its {len(bodies)}, so its letter was not rendered",
                    "add bodies (or `foibot bodies import` for body_tags) to the campaign",
                )
            )
            continue
        try:
            _, _, bad = render_campaign(Renderer(config, campaign, today), sample)
            if bad:
                raise TemplateError(bad[0].reason)
        except TemplateError as exc:
            checks.append(
                failed(
                    name,
                    str(exc),
                    "fix the template at that line; it sees body, requester, campaign, today "
                    "and the campaign's vars",
                )
            )
            continue
        checks.append(
            passed(
                name,
                f"title and letter render for one body of each law and kind: "
                f"{first_few([b.url_name for b in sample])} ({plural(len(bodies), 'body', 'bodies')} "
                "in the campaign)",
            )
        )
    return checks


def check_followup_templates(config: Config) -> Check:
    problems, own = [], []
    for kind in KINDS:
        try:
            _, where = template_for(config, kind)
        except TemplateError as exc:
            problems.append(str(exc))
            continue
        if not Path(where).resolve().is_relative_to(builtin_dir().resolve()):
            own.append(kind)
    if problems:
        return failed(
            "follow-up templates",
            "; ".join(problems),
            "fix the template at that line (or delete it to use foibot's own)",
        )
    whose = f" (the project's own: {', '.join(own)})" if own else ""
    return passed("follow-up templates", f"{', '.join(KINDS)} compile{whose}")
