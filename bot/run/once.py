"""One unattended pass: release due launch slots, poll WDTK, queue and send the news.

Every step works out what is due from the database, so a missed or killed pass is simply
caught up by the next one, and a second pass straight after finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.campaigns.service import launch_campaign
from bot.config import Config
from bot.dates import london_today, utc_stamp
from bot.errors import FoibotError, Interrupted
from bot.followups import KINDS
from bot.followups.service import Scope, draft_followups
from bot.notify.send import NotifyError, channels, deliver
from bot.outcomes import PollReport
from bot.rules.news import Digest, build_digest
from bot.rules.schedule import policy_for, safety_net
from bot.store.db import Store
from bot.tracking.poll import Poller, mail_poller
from bot.wdtk.client import WdtkClient

if TYPE_CHECKING:
    from bot.attachments.fetch import FetchReport
    from bot.mailbox.service import MailReport

DELIVERY_RETRY_FIRST = dt.timedelta(minutes=5)
DELIVERY_RETRY_MAX = dt.timedelta(hours=6)
# A delivery's record while it is under way; left behind, the send may or may not have
# arrived (the process was killed, or its success could not be written).
SENDING = "being sent, or sent and not recorded"


@dataclass
class RunSummary:
    released: list[dict] = field(default_factory=list)
    mail: MailReport | None = None
    poll: PollReport | None = None
    followups: list[dict] = field(default_factory=list)
    attachments: FetchReport | None = None
    news_queued: int = 0
    digest_channels: list[str] = field(default_factory=list)
    digest_errors: list[str] = field(default_factory=list)
    stopped_early: bool = False

    @property
    def failed(self) -> bool:
        """Something went wrong that a person should hear of: every poll failed or WDTK
        could not be reached, the mailbox could not be read, or a channel did not deliver
        (`run --once` exits 1; the daemon logs it as a warning)."""
        failed_poll = self.poll is not None and self.poll.failed
        failed_mail = self.mail is not None and (
            self.mail.error is not None or (self.mail.poll is not None and self.mail.poll.failed)
        )
        return failed_poll or failed_mail or bool(self.digest_errors)

    @property
    def nothing_happened(self) -> bool:
        # An unreachable WDTK makes the pass exit 1, so it is never "nothing to do".
        polled_news = self.poll is not None and bool(
            self.poll.news_worthy or self.poll.unreachable or self.poll.out_of_time
        )
        mail_news = self.mail is not None and bool(
            self.mail.handled or self.mail.error or (self.mail.poll and self.mail.poll.news_worthy)
        )
        return not (
            self.released
            or (self.attachments is not None and bool(self.attachments.items))
            or mail_news
            or polled_news
            or self.followups
            or self.digest_channels
            or self.digest_errors
        )

    def _attachment_note(self) -> list[str]:
        if self.attachments is None or not self.attachments.items:
            return []
        return [f"attachments: {self.attachments.outline()}"]

    def paragraph(self) -> str:
        if self.nothing_happened:
            polled = self.poll.polled if self.poll else 0
            outage = f" ({self.poll.backing_off})" if self.poll and self.poll.backing_off else ""
            return f"Nothing to do: {polled} request(s) polled, no news{outage}."
        parts = []
        if self.released:
            parts.append(
                f"released {len(self.released)} request(s) to send ({', '.join(r['ref'] for r in self.released)})"
            )
        if self.mail:
            parts.extend(_mail_parts(self.mail))
        if self.poll:
            parts.extend(_poll_parts(self.poll))
        parts.extend(self._attachment_note())
        if self.followups:
            parts.append(f"drafted {len(self.followups)} follow-up(s) for review")
        if self.digest_channels:
            parts.append(
                f"sent a digest of {self.news_queued} item(s) by {' and '.join(self.digest_channels)}"
            )
        for error in self.digest_errors:
            parts.append(f"the digest could not be sent by {error}")
        if self.stopped_early:
            parts.append("stopped early on request")
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."


def _mail_parts(mail: MailReport) -> list[str]:
    """The summary's words for the mail part of a pass, and the polls its alerts asked for."""
    parts = [mail.paragraph()]
    mp = mail.poll
    if mp is None:
        return parts
    if mp.new_responses:
        refs = ", ".join(r.ref for r in mp.new_responses)
        parts.append(f"{len(mp.new_responses)} new response(s) by mail ({refs})")
    if mp.errors:
        refs = ", ".join(e.ref for e in mp.errors)
        parts.append(
            f"the mail's polls: {len(mp.errors)} error(s) on {refs} (first: "
            f"{mp.errors[0].error}), each retried later"
        )
    parts.extend(
        f"stopped the mail's polls: {why}"
        for why in (mp.unreachable, mp.backing_off, mp.out_of_time)
        if why
    )
    return parts


def _poll_parts(p: PollReport) -> list[str]:
    """The summary's words for a pass's scheduled poll."""
    parts = [f"polled {p.polled} request(s) with {p.http_calls} call(s) to WDTK"]
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
    if p.withdrawn:
        parts.append(
            f"withdrew {len(p.withdrawn)} follow-up(s) whose reason had gone "
            f"({', '.join(w['ref'] for w in p.withdrawn)})"
        )
    if p.errors:
        refs = ", ".join(e.ref for e in p.errors)
        parts.append(
            f"{len(p.errors)} error(s) on {refs} (first: {p.errors[0].error}), each retried later"
        )
    if p.given_up:
        parts.append(
            f"no longer looking on WDTK for {', '.join(p.given_up)} (released long ago "
            "and not found: `foibot link` or `foibot done --cancelled` each)"
        )
    parts.extend(f"stopped: {why}" for why in (p.unreachable, p.out_of_time) if why)
    return parts


def release_due(store: Store, config: Config, now: dt.datetime) -> list[dict]:
    from bot.campaigns.launch_sheet import write_launch_sheet
    from bot.rules.news import launch_sheet_name

    released = []
    for campaign in config.campaigns:
        if not store.campaign_requests(campaign.slug):
            continue
        sheet = store.path.parent / launch_sheet_name(campaign.slug)

        def write(report, sheet=sheet, slug=campaign.slug) -> None:
            if (
                report.released
                or any(f.released_now for f in report.followups)
                or _withdrawn_since_written(sheet, report.withdrawn)
            ):
                write_launch_sheet(sheet, store, config, slug, report, now)

        report = launch_campaign(store, config, campaign.slug, now, sheet=write)
        released.extend(report.released)
        released.extend(f.as_json() for f in report.followups if f.released_now)
    return released


def _withdrawn_since_written(sheet, withdrawn: list[dict]) -> bool:
    """A follow-up was withdrawn after the sheet on disk was written: it may still show
    it as one to send, so it is written again."""
    if not withdrawn or not sheet.exists():
        return False
    written = dt.datetime.fromtimestamp(sheet.stat().st_mtime, dt.UTC)
    return any(dt.datetime.fromisoformat(w["withdrawn_at"]) > written for w in withdrawn)


def draft_due_followups(store: Store, config: Config, today: dt.date) -> list[dict]:
    """Follow-ups for campaigns whose policy says `auto = true`, and for tracked groups when
    [followups.tracked] says so; a person still reviews them."""
    if not config.followups_enabled:
        return []
    drafted = []
    for campaign in config.campaigns:
        if campaign.followups.auto and store.campaign_requests(campaign.slug):
            for kind in KINDS:
                report = draft_followups(store, config, campaign.slug, kind, today)
                drafted.extend({**item.as_json(), "kind": kind} for item in report.created)
    if config.tracked_followups.auto:
        for group in store.group_names():
            for kind in KINDS:
                report = draft_followups(store, config, Scope.tracked(config, group), kind, today)
                drafted.extend({**item.as_json(), "kind": kind} for item in report.created)
    return drafted


def send_pending(
    store: Store,
    config: Config,
    summary: RunSummary,
    now: dt.datetime,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    """Tell each channel what it has not been told. The channels deliver side by side, so a
    slow one (it ends within [notify] timeout_s) delays only itself. A channel that fails is
    retried by later passes with back-off, while the others go on. A stop asked for
    (SIGTERM) ends the deliveries in flight: Interrupted, each marked undelivered and
    due again at the next pass."""
    stamp = utc_stamp(now)
    pending = []
    for channel in channels(config.notify):
        # A channel in back-off is not tried at all, new news included: it is failing.
        if retry_at := store.channel_retry_at(channel, stamp):
            summary.digest_errors.append(f"{channel}: still failing; next try at {retry_at}")
            continue
        rows = store.undelivered_news(channel, stamp)
        digest = build_digest(rows)
        if digest is not None:
            pending.append((channel, [row["id"] for row in rows], digest))
    # Each attempt is written before it is made: on a disk too full to record a delivery,
    # nothing is sent (it would go again at every pass, its success never recorded). Due
    # again at once: a pass killed mid-send (kill -9, a reboot) is retried by the next.
    with store.transaction():
        for channel, ids, _ in pending:
            store.mark_undelivered(channel, ids, SENDING, stamp, attempt=False)
    stopped: Interrupted | None = None
    for (channel, ids, digest), error in zip(
        pending, _deliver_all(pending, config, should_stop), strict=True
    ):
        if isinstance(error, Interrupted):
            stopped = error
            with store.transaction():  # never sent, or cut off: due at the next pass
                store.mark_undelivered(channel, ids, "interrupted", stamp, attempt=False)
        elif error is not None:
            with store.transaction():
                attempts = store.delivery_attempts(channel, ids) + 1
                retry = now + min(DELIVERY_RETRY_FIRST * 2 ** (attempts - 1), DELIVERY_RETRY_MAX)
                store.mark_undelivered(channel, ids, str(error), utc_stamp(retry))
            summary.digest_errors.append(f"{channel}: {error} (retried from {retry:%H:%M} UTC)")
        else:
            with store.transaction():
                store.mark_delivered(channel, ids, stamp)
            summary.digest_channels.append(channel)
            summary.news_queued = max(summary.news_queued, digest.count)
    if stopped is not None:
        raise stopped


def _deliver_all(
    pending: list[tuple[str, list[int], Digest]],
    config: Config,
    should_stop: Callable[[], bool] | None,
) -> list[NotifyError | Interrupted | None]:
    """Each (channel, ids, digest) delivered, each in its own thread when there are more
    than one: only the network exchange runs there, never the store. Each outcome: None
    (delivered), the NotifyError or the Interrupted."""

    def one(channel: str, digest: Digest) -> NotifyError | Interrupted | None:
        try:
            deliver(channel, config.notify, digest, should_stop)
        except (NotifyError, Interrupted) as exc:
            return exc
        return None

    if len(pending) < 2:
        return [one(channel, digest) for channel, _, digest in pending]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(pending), thread_name_prefix="deliver") as pool:
        futures = [pool.submit(one, channel, digest) for channel, _, digest in pending]
        return [f.result() for f in futures]


def run_once(
    store: Store,
    config: Config,
    now: dt.datetime,
    client: WdtkClient,
    *,
    release: bool = True,
    poll: bool = True,
    digest: bool | None = None,
    mail: bool = True,
    should_stop: Callable[[], bool] = lambda: False,
) -> RunSummary:
    """`digest`: True sends pending news now, False never, None as `[notify] batch` says.
    `mail`: read [mailbox] first (when configured) and poll what its alerts name; while the
    mailbox works, the scheduled poll is only the safety net and its schedule relaxes."""
    summary = RunSummary()
    if release:
        summary.released = release_due(store, config, now)
    policy = None
    outage = None
    if mail and config.mailbox is not None and not should_stop():
        from bot.mailbox.service import mailbox_healthy, net_to_lift

        summary.mail = mail_pass(store, config, client, now, should_stop=should_stop)
        if mailbox_healthy(store, now):
            policy = safety_net(policy_for(config))
        else:
            outage = net_to_lift(store, now)
    if poll and not should_stop():
        poller = Poller(store, config, client, policy)
        if outage:  # the polls the safety net let wait come back to the normal rhythm, once
            from bot.mailbox.service import LIFTED_KEY

            with store.transaction():
                poller.ingest.resume_rhythm(now)
                store.set_setting(LIFTED_KEY, outage)
        summary.poll = poller.poll(now, should_stop=should_stop)
        summary.stopped_early = should_stop()
        summary.followups = draft_due_followups(store, config, london_today(now))
        if not (summary.poll.unreachable or summary.poll.out_of_time or should_stop()):
            from bot.attachments.fetch import fetch_queued

            summary.attachments = fetch_queued(store, config, client, should_stop)
    # The news itself was queued with each change it reports; here it is only sent.
    if config.notify.enabled and (digest or (digest is None and config.notify.batch == "run")):
        send_pending(store, config, summary, now, should_stop)
    return summary


def mail_pass(
    store: Store,
    config: Config,
    client: WdtkClient,
    now: dt.datetime,
    *,
    track: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
) -> MailReport:
    """Read the new mail in [mailbox], then poll exactly the requests WDTK's alerts name;
    with `track`, first follow the requests they name that foibot does not."""
    from bot.mailbox.service import check_mail

    poller = mail_poller(store, config, client)
    poller.hold(now)  # a pause WDTK asked for binds what --track follows too

    def follow(url: str) -> str | None:
        try:
            return poller.links.track(url, None, now)["ref"]
        except FoibotError:
            return None  # a title alone, a request WDTK hides: it stays untracked

    report = check_mail(
        store, config, now, track=follow if track else None, should_stop=should_stop
    )
    if report.due and not should_stop():
        report.poll = poller.poll_refs(report.due, now, should_stop)
    return report
