"""Campaign operations: draft and launch. The shell around drafting.py and pacing.py:
it reads the store, calls the pure planners, and writes the result in one transaction."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from bot.bodies import Body
from bot.campaigns.drafting import Renderer, plan_drafts, ref_prefix, render_campaign, select_bodies
from bot.campaigns.launch_sheet import launch_sheet_name
from bot.campaigns.pacing import plan_slots
from bot.config import CampaignConfig, Config
from bot.errors import FoibotError
from bot.followups.service import release_followups
from bot.notify import news
from bot.store.db import Store, utcnow
from bot.wdtk.urls import LINK_WARN_CHARS, new_request_url


def config_bodies(config: Config) -> list[Body]:
    return [Body(b.url_name, b.name, b.short_name, b.tags) for b in config.bodies.values()]


def campaign_bodies(store: Store, config: Config, campaign: CampaignConfig) -> dict[str, Body]:
    """The bodies a campaign could reach: stored ones it names or tags, plus config's own.
    Only those are loaded: a full WDTK import holds tens of thousands."""
    known = store.bodies_matching(campaign.bodies, campaign.body_tags)
    for body in config_bodies(config):
        previous = known.get(body.url_name) or store.body(body.url_name)
        # A body declared in config keeps the WDTK id an earlier CSV import gave it.
        known[body.url_name] = Body(
            body.url_name, body.name, body.short_name, body.tags,
            wdtk_id=previous.wdtk_id if previous else None,
            home_page=previous.home_page if previous else "",
        )  # fmt: skip
    return known


def sync_config_bodies(store: Store, config: Config, known: dict[str, Body]) -> None:
    store.upsert_bodies((known[name] for name in config.bodies), source="config")


def ensure_campaign(store: Store, campaign: CampaignConfig, config: Config) -> str:
    """Insert or refresh the campaign row; return its ref prefix (fixed once chosen)."""
    rows = list(store.db.query("SELECT * FROM campaigns WHERE slug = ?", [campaign.slug]))
    values = {
        "title_template": campaign.title,
        "letter_template": str(campaign.letter.relative_to(config.root)),
        "launch_at": campaign.launch_at.isoformat() if campaign.launch_at else None,
    }
    if rows:
        store.db["campaigns"].update(campaign.slug, values)
        return rows[0]["ref_prefix"]
    taken = {row["ref_prefix"] for row in store.db.query("SELECT ref_prefix FROM campaigns")}
    prefix = ref_prefix(campaign.slug, taken)
    store.db["campaigns"].insert(
        {"slug": campaign.slug, "ref_prefix": prefix, "created_at": utcnow(), **values}
    )
    return prefix


@dataclass
class DraftReport:
    campaign: str
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    released_differs: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "campaign": self.campaign,
            "created": len(self.created),
            "unchanged": len(self.unchanged),
            "changed": len(self.changed),
            "skipped": self.skipped,
            "created_refs": self.created,
            "changed_refs": self.changed,
            "released_not_updated": self.released_differs,
            "cancelled": self.cancelled,
        }


def draft_campaign(store: Store, config: Config, slug: str, today: dt.date) -> DraftReport:
    campaign = config.campaign(slug)
    known = campaign_bodies(store, config, campaign)
    bodies = select_bodies(
        campaign, known, config.path.name, all_names=lambda: store.body_names() | set(config.bodies)
    )
    # Render everything before writing anything: a template error leaves the database as it was.
    drafts, skipped = render_campaign(Renderer(config, campaign, today), bodies)
    report = DraftReport(slug, skipped=[{"body": s.body, "reason": s.reason} for s in skipped])
    with store.transaction():
        sync_config_bodies(store, config, known)
        prefix = ensure_campaign(store, campaign, config)
        # Requests tracked into the campaign (no letter of ours) are not drafts.
        existing = [row for row in store.campaign_requests(slug) if row["letter"] is not None]
        plan = plan_drafts(existing, drafts)
        first_number = _last_number(existing, prefix) + 1
        now = utcnow()
        rows, events = [], []
        for number, draft in enumerate(plan.create, first_number):
            ref, body = f"{prefix}-{number}", known[draft.body]
            rows.append(
                {
                    "ref": ref, "campaign": slug, "body": draft.body, "title": draft.title,
                    "letter": draft.letter, "law": body.law, "is_school": int(body.is_school),
                    "status": "draft", "created_at": now, "updated_at": now,
                }
            )  # fmt: skip
            events.append({"ref": ref, "kind": "drafted", "detail": {"title": draft.title}})
            report.created.append(ref)
        store.db["requests"].insert_all(rows, batch_size=500)
        for ref, draft in [*plan.change, *plan.restore]:
            store.update_request(ref, title=draft.title, letter=draft.letter, status="draft")
            events.append({"ref": ref, "kind": "redrafted", "detail": {"title": draft.title}})
            report.changed.append(ref)
        for ref in plan.cancel:
            store.update_request(ref, status="cancelled", slot_at=None)
            events.append(
                {
                    "ref": ref,
                    "kind": "cancelled",
                    "detail": {"reason": "body no longer in the campaign"},
                }
            )
            report.cancelled.append(ref)
        store.log_all({**e, "at": now} for e in events)
        report.unchanged = plan.unchanged
        report.released_differs = plan.released_differs
    return report


def _last_number(existing: list[dict], prefix: str) -> int:
    numbers = [
        int(m.group(1))
        for row in existing
        if (m := re.fullmatch(re.escape(prefix) + r"-(\d+)", row["ref"]))
    ]
    return max(numbers, default=0)


@dataclass
class LaunchReport:
    campaign: str
    released: list[dict] = field(default_factory=list)
    scheduled: list[dict] = field(default_factory=list)
    waiting: list[dict] = field(default_factory=list)  # released earlier, not yet seen on WDTK
    followups: list[dict] = field(default_factory=list)  # follow-ups released this run
    warnings: list[str] = field(default_factory=list)
    sheet: str | None = None

    def as_json(self) -> dict:
        return {
            "campaign": self.campaign,
            "released": self.released,
            "scheduled": self.scheduled,
            "still_ready": [{"ref": w["ref"], "body": w["body"]} for w in self.waiting],
            "followups": self.followups,
            "warnings": self.warnings,
            "sheet": self.sheet,
        }


def _parse_ts(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def launch_campaign(store: Store, config: Config, slug: str, now: dt.datetime) -> LaunchReport:
    campaign = config.campaign(slug)
    now = now.astimezone(dt.UTC)
    report = LaunchReport(slug)
    with store.transaction():
        if not store.campaign_requests(slug):
            raise FoibotError(
                f"campaign '{slug}' has no drafts yet: run `foibot draft {slug}` first"
            )
        # Every slot ever planned for this account counts, whichever campaign it was for.
        history = [
            _parse_ts(row["slot_at"])
            for row in store.db.query("SELECT slot_at FROM requests WHERE slot_at IS NOT NULL")
        ]
        unplanned = [
            row for row in store.campaign_requests(slug)
            if row["status"] == "draft" and row["slot_at"] is None
        ]  # fmt: skip
        earliest = max(now, campaign.launch_at.astimezone(dt.UTC)) if campaign.launch_at else now
        for row, slot in zip(
            unplanned, plan_slots(history, len(unplanned), earliest, config.pace), strict=True
        ):
            store.update_request(row["ref"], slot_at=slot.isoformat())
            store.log(row["ref"], "scheduled", {"slot": slot.isoformat()})
        for row in store.campaign_requests(slug):
            if row["status"] != "draft" or row["slot_at"] is None:
                if row["status"] == "ready":
                    report.waiting.append(row)
                continue
            if _parse_ts(row["slot_at"]) <= now:
                store.update_request(row["ref"], status="ready", released_at=now.isoformat())
                store.log(row["ref"], "released", {"slot": row["slot_at"]})
                url = new_request_url(
                    config.wdtk.base_url, row["body"], row["title"], row["letter"], row["ref"],
                    store.installation_id(),
                )
                if len(url) > LINK_WARN_CHARS:
                    report.warnings.append(
                        f"{row['ref']}: the link is {len(url)} characters; some browsers cut "
                        f"links over {LINK_WARN_CHARS}: shorten the letter or paste it by hand"
                    )
                report.released.append(
                    {"ref": row["ref"], "body": row["body"], "url": url, "slot": row["slot_at"]}
                )
                store.queue_news(
                    [news.released(row["ref"], row["ref"], row["body"], None, launch_sheet_name(slug))]
                )
            else:
                report.scheduled.append({"ref": row["ref"], "slot": row["slot_at"]})
    report.followups = release_followups(store, config, slug, now)
    return report
