"""One unattended pass: release due launch slots, poll WDTK, queue and send the news.

Every step works out what is due from the database, so a missed or killed pass is simply
caught up by the next one, and a second pass straight after finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.campaigns.service import launch_campaign
from bot.config import Config
from bot.dates import london_today
from bot.followups.rules import KINDS
from bot.followups.service import draft_followups
from bot.notify.news import build_digest
from bot.notify.send import NotifyError, send_digest
from bot.store.db import Store, utcnow
from bot.tracking.outcomes import PollReport
from bot.tracking.poll import Poller
from bot.wdtk.client import WdtkClient


@dataclass
class RunSummary:
    released: list[dict] = field(default_factory=list)
    poll: PollReport | None = None
    followups: list[dict] = field(default_factory=list)
    news_queued: int = 0
    digest_channels: list[str] = field(default_factory=list)
    digest_error: str | None = None
    stopped_early: bool = False

    @property
    def nothing_happened(self) -> bool:
        polled_news = self.poll is not None and self.poll.news_worthy
        return not (
            self.released
            or polled_news
            or self.followups
            or self.digest_channels
            or self.digest_error
        )

    def paragraph(self) -> str:
        if self.nothing_happened:
            polled = self.poll.polled if self.poll else 0
            return f"Nothing to do: {polled} request(s) polled, no news."
        parts = []
        if self.released:
            parts.append(
                f"released {len(self.released)} request(s) to send ({', '.join(r['ref'] for r in self.released)})"
            )
        if self.poll:
            p = self.poll
            parts.append(f"polled {p.polled} request(s) with {p.http_calls} call(s) to WDTK")
            if p.linked:
                parts.append(f"linked {len(p.linked)}")
            if p.new_responses:
                parts.append(
                    f"{len(p.new_responses)} new response(s) ({', '.join(r.ref for r in p.new_responses)})"
                )
            if p.newly_overdue:
                parts.append(
                    f"{len(p.newly_overdue)} newly overdue ({', '.join(r.ref for r in p.newly_overdue)})"
                )
            if p.errors:
                refs = ", ".join(e.ref for e in p.errors)
                parts.append(
                    f"{len(p.errors)} error(s) on {refs} (first: {p.errors[0].error}), each retried later"
                )
            if p.unreachable:
                parts.append(f"stopped: {p.unreachable}")
        if self.followups:
            parts.append(f"drafted {len(self.followups)} follow-up(s) for review")
        if self.digest_channels:
            parts.append(
                f"sent a digest of {self.news_queued} item(s) by {' and '.join(self.digest_channels)}"
            )
        if self.digest_error:
            parts.append(f"the digest could not be sent ({self.digest_error}); it will be retried")
        if self.stopped_early:
            parts.append("stopped early on request")
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."


def release_due(store: Store, config: Config, now: dt.datetime) -> list[dict]:
    from bot.campaigns.launch_sheet import launch_sheet_name, write_launch_sheet

    released = []
    for campaign in config.campaigns:
        if not store.campaign_requests(campaign.slug):
            continue
        report = launch_campaign(store, config, campaign.slug, now)
        if report.released or report.followups:
            sheet = store.path.parent / launch_sheet_name(campaign.slug)
            write_launch_sheet(sheet, store, config, campaign.slug, report, now)
        released.extend(report.released)
        released.extend(report.followups)
    return released


def draft_due_followups(store: Store, config: Config, today: dt.date) -> list[dict]:
    """Follow-ups for campaigns whose policy says `auto = true`; a person still reviews them."""
    if not config.followups_enabled:
        return []
    drafted = []
    for campaign in config.campaigns:
        if campaign.followups.auto and store.campaign_requests(campaign.slug):
            for kind in KINDS:
                report = draft_followups(store, config, campaign.slug, kind, today)
                drafted.extend({**item, "kind": kind} for item in report.created)
    return drafted


def send_pending(store: Store, config: Config, summary: RunSummary) -> None:
    pending = list(
        store.db.query("SELECT id, kind, text FROM news WHERE sent_at IS NULL ORDER BY id")
    )
    digest = build_digest(pending)
    if digest is None:
        return
    try:
        summary.digest_channels = send_digest(config.notify, digest)
    except NotifyError as exc:
        summary.digest_error = str(exc)
        return
    summary.news_queued = digest.count
    ids = [row["id"] for row in pending]
    with store.transaction():
        store.db.execute(
            f"UPDATE news SET sent_at = ? WHERE id IN ({', '.join('?' * len(ids))})",
            [utcnow(), *ids],
        )


def run_once(
    store: Store,
    config: Config,
    now: dt.datetime,
    client: WdtkClient,
    *,
    release: bool = True,
    poll: bool = True,
    digest: bool | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> RunSummary:
    """`digest`: True sends pending news now, False never, None as `[notify] batch` says."""
    summary = RunSummary()
    if release:
        summary.released = release_due(store, config, now)
    if poll and not should_stop():
        summary.poll = Poller(store, config, client).poll(now, should_stop=should_stop)
        summary.stopped_early = should_stop()
        summary.followups = draft_due_followups(store, config, london_today(now))
    # The news itself was queued with each change it reports; here it is only sent.
    if config.notify.enabled and (digest or (digest is None and config.notify.batch == "run")):
        send_pending(store, config, summary)
    return summary
