"""Campaign operations: draft and launch. The shell around drafting.py and pacing.py:
it reads the store, calls the pure planners, and writes the result in one transaction."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.bodies import Body
from bot.config import EXAMPLE_USER, CampaignConfig, Config
from bot.dates import LONDON, london_today
from bot.errors import ConfigError, FoibotError, TemplateError
from bot.laws import NONE
from bot.rules import news
from bot.rules.drafting import Renderer, plan_drafts, ref_prefix, render_campaign, select_bodies
from bot.rules.followups import followup_link, split_for_you
from bot.rules.pacing import may_release, plan_slots, send_after
from bot.rules.withdrawal import Withdrawal, stale_followups
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
    existing = store.campaign_row(campaign.slug)
    values = {
        "title_template": campaign.title,
        "letter_template": str(campaign.letter.relative_to(config.root)),
        "launch_at": campaign.launch_at.isoformat() if campaign.launch_at else None,
    }
    if existing:
        store.save_campaign(campaign.slug, values, None)
        return existing["ref_prefix"]
    prefix = ref_prefix(campaign.slug, store.ref_prefixes())
    store.save_campaign(campaign.slug, values, prefix)
    return prefix


@dataclass(frozen=True)
class UnsentFollowup:
    """A released follow-up a person still has to send, with where and what to paste."""

    ref: str
    request: str
    body: str | None
    kind: str
    url: str
    text: str
    released_at: str | None
    released_now: bool = False

    @property
    def letter(self) -> str:
        """What to paste: the text without its "for you, not part of the letter" note."""
        return split_for_you(self.text)[0]

    @property
    def for_you(self) -> str | None:
        """The note for the requester after that line (send-by dates), never pasted."""
        return split_for_you(self.text)[1]

    def as_json(self) -> dict:
        return {
            "ref": self.ref, "request": self.request, "body": self.body, "kind": self.kind,
            "url": self.url, "text": self.text, "letter": self.letter, "for_you": self.for_you,
            "released_at": self.released_at, "released_now": self.released_now,
        }  # fmt: skip


# How long `launch` and its sheet go on listing a withdrawn follow-up: a week, so that a
# person who launches weekly sees each one there as well as in the digest.
WITHDRAWN_SHOWN_FOR = dt.timedelta(days=7)


def withdraw_stale_followups(
    store: Store, config: Config, slug: str, now: dt.datetime
) -> list[Withdrawal]:
    """Before any release: withdraw the campaign's unsent follow-ups whose reason has gone
    (`stale_followups`), with their notes and news. Call it inside the release's
    transaction."""
    gone = stale_followups(*store.unsent_followup_cases(campaign=slug), london_today(now), config)
    store.withdraw_followups(gone, now.astimezone(dt.UTC).isoformat())
    return gone


def recently_withdrawn(store: Store, slug: str, now: dt.datetime) -> list[dict]:
    """The campaign's follow-ups withdrawn in the last WITHDRAWN_SHOWN_FOR, for `launch`;
    `withdrawn_now`: by this launch (`withdraw_stale_followups` stamps them with `now`)."""
    since = (now - WITHDRAWN_SHOWN_FOR).astimezone(dt.UTC).isoformat()
    stamp = now.astimezone(dt.UTC).isoformat()
    return [
        {
            "ref": f["ref"],
            "request": f["request"],
            "kind": f["kind"],
            "body": f["body"],
            "note": f["withdrawn_note"],
            "withdrawn_at": f["withdrawn_at"],
            "withdrawn_now": f["withdrawn_at"] == stamp,
        }
        for f in store.withdrawn_followups(slug, since)
    ]


def release_followups(store: Store, config: Config, slug: str, now: dt.datetime) -> list[dict]:
    """Release drafted follow-ups, at most one to each body per UK day, after withdrawing
    every unsent one whose reason has gone since it was drafted."""
    today = london_today(now).isoformat()
    released = []
    with store.transaction():
        withdraw_stale_followups(store, config, slug, now)
        rows = store.draft_followups_of_campaign(slug)
        busy = {
            body
            for body, released_at in store.followup_release_times()
            if dt.datetime.fromisoformat(released_at).astimezone(LONDON).date().isoformat() == today
        }
        for row in rows:
            if row["body"] in busy:
                continue
            busy.add(row["body"])
            store.update_followup(row["ref"], status="ready", released_at=now.isoformat())
            store.log(
                row["request"], "followup_released", {"followup": row["ref"], "kind": row["kind"]}
            )
            store.queue_news(
                [
                    news.released(
                        row["ref"],
                        row["request"],
                        row["body"],
                        row["kind"],
                        news.launch_sheet_name(slug),
                    )
                ]
            )
            released.append(
                {
                    "ref": row["ref"], "request": row["request"], "body": row["body"], "kind": row["kind"],
                    "url": followup_link(config, row, row), "text": row["text"],
                }
            )  # fmt: skip
    return released


def unsent_followups(
    store: Store, config: Config, slug: str, released_now: frozenset[str] = frozenset()
) -> list[UnsentFollowup]:
    """Every released follow-up not yet seen sent on WDTK nor marked done by the user: a
    person is shown these on every launch until one of those happens."""
    return [
        UnsentFollowup(
            row["ref"], row["request"], row["body"], row["kind"],
            followup_link(config, row, row), row["text"], row["released_at"],
            row["ref"] in released_now,
        )
        for row in store.ready_followups(slug)
    ]  # fmt: skip


@dataclass
class DraftReport:
    campaign: str
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    released_differs: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)  # body gone: never released; --prune
    failed: list[dict] = field(default_factory=list)  # {"body", "error"}: the rest drafted
    # Drafted bodies no FOI law covers (WDTK's `foi_no`): asked voluntarily, no deadline.
    not_subject_to_foi: list[str] = field(default_factory=list)

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
            "orphaned": self.orphaned,
            "failed": self.failed,
            "not_subject_to_foi": self.not_subject_to_foi,
        }


def draft_campaign(
    store: Store, config: Config, slug: str, today: dt.date, *, prune: bool = False
) -> DraftReport:
    """Render and store the campaign's drafts. Drafts whose body left the campaign are
    reported as orphaned (never released); `prune` cancels them."""
    campaign = config.campaign(slug)
    known = campaign_bodies(store, config, campaign)
    bodies = select_bodies(
        campaign, known, config.path.name, all_names=lambda: store.body_names() | set(config.bodies)
    )
    # Render everything before writing anything: a template error leaves the database as it was.
    drafts, skipped, failed = render_campaign(Renderer(config, campaign, today), bodies)
    report = DraftReport(slug, skipped=[{"body": s.body, "reason": s.reason} for s in skipped])
    report.failed = [{"body": f.body, "error": f.reason} for f in failed]
    def law(body: str) -> str:
        return known[body].law_for_request(environmental=campaign.environmental)

    report.not_subject_to_foi = [d.body for d in drafts if law(d.body) == NONE]
    with store.transaction():
        sync_config_bodies(store, config, known)
        prefix = ensure_campaign(store, campaign, config)
        # Requests tracked into the campaign (no letter of ours) are not drafts.
        existing = [row for row in store.campaign_requests(slug) if row["letter"] is not None]
        plan = plan_drafts(existing, drafts, keep=[f.body for f in failed])
        first_number = _last_number(existing, prefix) + 1
        now = utcnow()
        rows, events = [], []
        for number, draft in enumerate(plan.create, first_number):
            ref, body = f"{prefix}-{number}", known[draft.body]
            rows.append(
                {
                    "ref": ref, "campaign": slug, "body": draft.body, "title": draft.title,
                    "letter": draft.letter, "law": law(draft.body), "is_school": int(body.is_school),
                    "status": "draft", "created_at": now, "updated_at": now,
                }
            )  # fmt: skip
            events.append({"ref": ref, "kind": "drafted", "detail": {"title": draft.title}})
            report.created.append(ref)
        store.add_requests(rows)
        for ref, draft in [*plan.change, *plan.restore]:
            # The law too: a body WDTK has since tagged `foi_no` is asked voluntarily.
            store.update_request(
                ref, title=draft.title, letter=draft.letter, status="draft",
                law=law(draft.body),
            )  # fmt: skip
            events.append({"ref": ref, "kind": "redrafted", "detail": {"title": draft.title}})
            report.changed.append(ref)
        for ref in plan.cancel:
            if not prune:
                report.orphaned.append(ref)
                continue
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
    held: list[dict] = field(default_factory=list)  # due, held until earlier ones are sent
    marked_sent: list[dict] = field(default_factory=list)  # sent (`done`), not yet on WDTK
    orphaned: list[dict] = field(default_factory=list)  # drafts the config no longer asks for
    stale: list[str] = field(default_factory=list)  # drafts the templates now render otherwise
    followups: list[UnsentFollowup] = field(default_factory=list)  # every unsent follow-up
    withdrawn: list[dict] = field(default_factory=list)  # follow-ups withdrawn lately
    warnings: list[str] = field(default_factory=list)
    sheet: str | None = None

    def as_json(self) -> dict:
        return {
            "campaign": self.campaign,
            "released": self.released,
            "scheduled": self.scheduled,
            "still_ready": self.waiting,
            "held": self.held,
            "marked_sent": self.marked_sent,
            "orphaned": self.orphaned,
            "stale": self.stale,
            "followups": [f.as_json() for f in self.followups],
            "withdrawn": self.withdrawn,
            "warnings": self.warnings,
            "sheet": self.sheet,
        }


def _parse_ts(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def require_release_identity(config: Config) -> None:
    """Releasing needs to know whose requests are whose on WDTK (`[wdtk] user`): with
    the example placeholder, foibot could never tell the user's requests from others'."""
    user = config.wdtk.user
    if not user or user == EXAMPLE_USER:
        raise ConfigError(
            f"{config.path.name}: wdtk.user: set it to your WDTK profile's url_name "
            f"(it is {user or 'unset'!r}); foibot releases requests only when it can tell "
            "yours from other people's. Drafting works without it."
        )


def orphaned_drafts(store: Store, config: Config, slug: str) -> dict[str, str]:
    """Drafts (not yet released) the config no longer asks for, with the reason."""
    rows = [r for r in store.campaign_requests(slug) if r["status"] == "draft" and r["letter"]]
    if not rows:
        return {}
    if slug not in {c.slug for c in config.campaigns}:
        return {r["ref"]: f"campaign '{slug}' is no longer in {config.path.name}" for r in rows}
    campaign = config.campaign(slug)
    known = campaign_bodies(store, config, campaign)
    try:
        wanted = {b.url_name for b in select_bodies(campaign, known, config.path.name)}
    except ConfigError:
        return {}  # the config names an unknown body: `draft` says so, nothing to judge
    return {
        r["ref"]: f"body {r['body']} is no longer in campaign '{slug}'"
        for r in rows
        if r["body"] not in wanted
    }


def stale_drafts(store: Store, config: Config, slug: str, skip: set[str]) -> list[str]:
    """Drafts (not yet released) whose stored title or letter is not what the campaign's
    templates and config render now: edited since `draft`, which would re-render them.
    Each is rendered as of the day it was last drafted, so a letter that prints `today`
    is not stale merely for being launched on a later day; one that no longer renders
    at all is stale too (`draft` says why)."""
    rows = [
        r for r in store.campaign_requests(slug)
        if r["status"] == "draft" and r["letter"] and r["ref"] not in skip
    ]  # fmt: skip
    if not rows:
        return []
    campaign = config.campaign(slug)
    known = campaign_bodies(store, config, campaign)
    drafted: dict[str, str] = {}
    for kind in ("drafted", "redrafted"):
        for ref, times in store.event_times(slug, kind).items():
            drafted[ref] = max([*times, drafted.get(ref, "")])
    renderers: dict[dt.date, Renderer] = {}
    stale = []
    for row in rows:
        day = london_today(_parse_ts(drafted.get(row["ref"]) or row["created_at"]))
        body = known.get(row["body"])
        try:
            if day not in renderers:
                renderers[day] = Renderer(config, campaign, day)
            fresh = renderers[day].render(body) if body is not None else None
        except TemplateError:
            fresh = None
        if fresh is None or (fresh.title, fresh.letter) != (row["title"], row["letter"]):
            stale.append(row["ref"])
    return stale


def launch_campaign(
    store: Store,
    config: Config,
    slug: str,
    now: dt.datetime,
    *,
    sheet: Callable[[LaunchReport], None] | None = None,
) -> LaunchReport:
    """Plan slots, release what is due (never more than `[pace] max_unsent` waiting to be
    sent), give each waiting request its `send_after`, release follow-ups, and write the
    launch sheet, all in one transaction: a release is never kept without its sheet."""
    require_release_identity(config)
    campaign = config.campaign(slug)  # an unknown campaign: a usage error with a suggestion
    now = now.astimezone(dt.UTC)
    report = LaunchReport(slug)
    orphans = orphaned_drafts(store, config, slug)
    report.orphaned = [{"ref": ref, "reason": why} for ref, why in sorted(orphans.items())]
    # A template edited after drafting: the stored wording is not what the user now
    # wants sent, so it waits (with its slot) until `draft` re-renders it.
    report.stale = stale_drafts(store, config, slug, set(orphans))
    if report.stale:
        report.warnings.append(
            f"not released: {', '.join(report.stale)}: the letter template or title was "
            f"edited after they were drafted; run `foibot draft {slug}` to re-render them, "
            "check them with `foibot show REF`, then launch again"
        )
    held_back = set(orphans) | set(report.stale)
    with store.transaction():
        if not store.campaign_requests(slug):
            raise FoibotError(
                f"campaign '{slug}' has no drafts yet: run `foibot draft {slug}` first"
            )
        # Every slot ever planned for this account counts, whichever campaign it was for.
        history = [_parse_ts(ts) for ts in store.planned_slots()]
        unplanned = [
            row for row in store.campaign_requests(slug)
            if row["status"] == "draft" and row["slot_at"] is None and row["ref"] not in held_back
        ]  # fmt: skip
        earliest = max(now, campaign.launch_at.astimezone(dt.UTC)) if campaign.launch_at else now
        for row, slot in zip(
            unplanned, plan_slots(history, len(unplanned), earliest, config.pace), strict=True
        ):
            store.update_request(row["ref"], slot_at=slot.isoformat())
            store.log(row["ref"], "scheduled", {"slot": slot.isoformat()})
        # A request marked sent still counts until WDTK shows it: `max_unsent` follows
        # real sends, and a mark is the user's word only.
        waiting = len(store.unsent_requests()) + len(store.marked_sent_requests())
        room = may_release(waiting, config.max_unsent)
        installation = store.installation_id()
        for row in store.campaign_requests(slug):
            if row["status"] != "draft" or row["slot_at"] is None or row["ref"] in held_back:
                continue
            if _parse_ts(row["slot_at"]) > now:
                report.scheduled.append({"ref": row["ref"], "slot": row["slot_at"]})
            elif room <= 0:
                report.held.append({"ref": row["ref"], "slot": row["slot_at"]})
            else:
                room -= 1
                store.update_request(row["ref"], status="ready", released_at=now.isoformat())
                store.log(row["ref"], "released", {"slot": row["slot_at"]})
                url = new_request_url(
                    config.wdtk.base_url, row["body"], row["title"], row["letter"], row["ref"],
                    installation,
                )  # fmt: skip
                if len(url) > LINK_WARN_CHARS:
                    report.warnings.append(
                        f"{row['ref']}: the link is {len(url)} characters; some browsers cut "
                        f"links over {LINK_WARN_CHARS}: shorten the letter or paste it by hand"
                    )
                report.released.append({"ref": row["ref"], "body": row["body"], "url": url})
                store.queue_news(
                    [news.released(row["ref"], row["ref"], row["body"], None, news.launch_sheet_name(slug))]
                )  # fmt: skip
        _assign_send_after(store, config, now)
        send_after = {r["ref"]: r["send_after"] for r in store.unsent_requests()}
        for item in report.released:
            item["send_after"] = send_after.get(item["ref"])
        released_now = {item["ref"] for item in report.released}
        report.waiting = [
            {"ref": r["ref"], "body": r["body"], "send_after": r["send_after"]}
            for r in store.campaign_requests(slug)
            if r["status"] == "ready" and r["wdtk_id"] is None and r["ref"] in send_after
            and r["ref"] not in released_now
        ]  # fmt: skip
        # Marked sent by the user: never offered again, whatever WDTK's cache still shows.
        report.marked_sent = [
            {"ref": r["ref"], "body": r["body"], "marked_at": r["marked_at"]}
            for r in store.marked_sent_requests()
            if r["campaign"] == slug
        ]
        fresh = frozenset(f["ref"] for f in release_followups(store, config, slug, now))
        report.withdrawn = recently_withdrawn(store, slug, now)
        report.followups = unsent_followups(store, config, slug, fresh)
        if sheet is not None:
            sheet(report)
    return report


def planned_sends(store: Store, config: Config, now: dt.datetime) -> list[tuple[dict, dt.datetime]]:
    """Each released-but-unsent request (account-wide, in release order) with its earliest
    safe send time as of `now`, counted from the sends WDTK shows for this account and
    those the user marked sent: what the launch sheet and the web launch page unlock by."""
    window = max(limit.minutes for limit in config.pace) + config.pace_margin_minutes
    since = (now - dt.timedelta(minutes=window)).isoformat()
    sends = store.recent_sends(config.wdtk.user, since)
    # A request the user marked sent counts from the mark (no earlier than the real send).
    sends += [r["marked_at"] for r in store.marked_sent_requests() if r["marked_at"] >= since]
    sent = sorted(_parse_ts(ts) for ts in sends)
    unsent = store.unsent_requests()
    times = send_after(sent, len(unsent), now, config.pace, config.pace_margin_minutes)
    return list(zip(unsent, times, strict=True))


def _assign_send_after(store: Store, config: Config, now: dt.datetime) -> None:
    """Each released-but-unsent request's earliest safe send time, in release order,
    counted from the sends WDTK shows for this account."""
    for row, when in planned_sends(store, config, now):
        value = when.isoformat(timespec="seconds")
        if row["send_after"] != value:
            store.update_request(row["ref"], send_after=value)
