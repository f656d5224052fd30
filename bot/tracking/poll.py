"""Poll WDTK for the requests that are due: what is due, the fetch gate, errors and
back-off, and the outage rule. Everything for one request is fetched first, then handed
to the ingest layer, which writes it in one transaction.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable

from bot.config import Config
from bot.errors import FoibotError
from bot.outcomes import PollFailure, PollReport
from bot.rules import news
from bot.rules.schedule import NEVER, PollPolicy, after_error, policy_for, safety_net
from bot.store.connection import StoreError
from bot.store.db import RequestSet, Store
from bot.tracking.ingest import Fetched, Ingest
from bot.tracking.link import Linker, read_page
from bot.wdtk.client import FetchResult, WdtkClient
from bot.wording import plural

# Failures in a row, with no answer from WDTK between them, after which the pass stops:
# a site-wide outage is one event, not one error per request.
UNREACHABLE_AFTER = 3
OUTAGE_KEY = "wdtk_unreachable_since"
PROBE_KEY = "wdtk_next_probe_at"
PROBES_KEY = "wdtk_failed_probes"
# Until when WDTK asked for quiet (a Retry-After longer than a pass waits): no pass of any
# kind, by hand or not, asks it anything before then.
PAUSE_KEY = "wdtk_pause_until"
PROBE_FIRST = dt.timedelta(minutes=5)
PROBE_MAX = dt.timedelta(hours=1)


def is_outage_failure(result: FetchResult) -> bool:
    """No answer, or an answer that says the whole site is in trouble (5xx, 429, or an
    HTML page such as WDTK's maintenance page where JSON was asked for, even with 200)."""
    if result.kind != "error":
        return False
    if result.site_trouble or result.site_down:  # site_down: robots.txt itself failed
        return True
    return result.status is None or result.status >= 500 or result.status == 429


class Poller:
    """Polls due requests over one client and one store; track/link go through `links`."""

    def __init__(
        self, store: Store, config: Config, client: WdtkClient, policy: PollPolicy | None = None
    ):
        self.store, self.config, self.client = store, config, client
        self.ingest = Ingest(store, config, policy)
        self.links = Linker(store, config, self.ingest, self._fetch, client)
        self._failures_in_row = 0
        self.unreachable: str | None = None
        self.paused = False  # WDTK asked for quiet (Retry-After): the pass stopped for it
        # During an outage a pass probes once: one failure then ends it.
        self._stop_after = 1 if store.setting(OUTAGE_KEY) else UNREACHABLE_AFTER

    # -- the fetch gate ----------------------------------------------------------------

    def _fetch(self, target: int | str, etag: str | None = None) -> FetchResult:
        """Every fetch goes through here: once WDTK has failed several times in a row
        without a useful answer, the rest are not tried this pass."""
        if self.unreachable is not None:
            return FetchResult("error", message=f"not tried: {self.unreachable}")
        result = self.client.fetch_request(target, etag=etag)
        if result.kind == "error" and self.client.blocked_s() > 0:
            # WDTK asked for quiet for longer than a pass may wait: a pause, not an outage;
            # no request is asked before it has passed, in this pass or a later one.
            self.paused = True
            self.unreachable = (
                f"WDTK asked for a pause of {self.client.blocked_s():.0f} s (Retry-After)"
            )
            return result
        if is_outage_failure(result):
            if self.client.robots_answered and not result.site_down:
                # robots.txt answered this pass (read afresh, or re-read when this call
                # failed): WDTK is up and the trouble is this request's own. An outage's
                # single probe must not be a request that fails by itself every pass.
                self._stop_after = UNREACHABLE_AFTER
            self._failures_in_row = (
                self._stop_after if result.site_down else self._failures_in_row + 1
            )
            if self._failures_in_row >= self._stop_after:
                self.unreachable = (
                    f"WDTK unreachable ({plural(self._failures_in_row, 'failure')} in a row; "
                    f"last: {result.message or result.status})"
                )
        else:
            # WDTK answered: whatever the last pass found, this one is out of the outage.
            self._failures_in_row, self._stop_after = 0, UNREACHABLE_AFTER
        return result

    def _fetch_linked(self, row: dict) -> FetchResult:
        """By the stored slug (one call) rather than the id (a 301 and then the slug: two),
        falling back to the id when the slug has moved: an admin retitled the request."""
        if not row["url_title"]:
            return self._fetch(row["wdtk_id"], etag=row["etag"])
        result = self._fetch(row["url_title"], etag=row["etag"])
        moved = result.kind == "gone" or (
            result.ok and result.request and result.request.id != row["wdtk_id"]
        )
        if moved and row["wdtk_id"] is not None:
            return self._fetch(row["wdtk_id"], etag=row["etag"])
        return result

    def _fetch_all(self, row: dict) -> Fetched:
        result = self._fetch_linked(row)
        request = result.request if result.ok else None
        if request is not None and self.ingest.needs_page(row, request, new=False):
            return Fetched(result, read_page(self.client, request.url_title))
        return Fetched(result)

    # -- a pass ------------------------------------------------------------------------

    def due(
        self, now: dt.datetime, *, everything: bool = False, selection: RequestSet | None = None
    ) -> list[dict]:
        return self.store.requests_due_poll(
            now.isoformat(), everything=everything, selection=selection, never=NEVER
        )

    def poll(
        self,
        now: dt.datetime,
        *,
        everything: bool = False,
        selection: RequestSet | None = None,
        progress: Callable[[Iterable[dict], int], Iterable[dict]] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        manual: bool = False,
    ) -> PollReport:
        """One pass over what is due. `manual` (a person ran `poll`) probes WDTK even
        while an outage's back-off says to wait."""
        report = PollReport()
        calls_before = self.client.http_calls
        mark = self.store.event_mark()
        self.ingest.refresh_dates()
        # WDTK's own request for quiet binds a poll by hand too; an outage's back-off
        # binds only the scheduled passes (a person's poll probes).
        pause = self.hold(now)
        wait = pause or (None if manual else self._probe_wait(now))
        if wait is not None:
            # Only requests due now are held up: with none, the pass had nothing to do and
            # is no failure (cron's exit 0), however long WDTK is down or asks for quiet.
            held = len(self.due(now, everything=everything, selection=selection))
            if held or (pause and manual):
                report.unreachable = wait + (f"; {held} request(s) due wait for it" if held else "")
            else:
                report.backing_off = wait
            self.ingest.note_transitions(now, report, selection=selection)
            return report
        rows = self.due(now, everything=everything, selection=selection)
        if manual and not rows and self.store.setting(OUTAGE_KEY):
            # A person asked during an outage: with nothing due, the request due soonest
            # is the probe, so that they learn whether WDTK is back (and the cron passes
            # stop waiting if it is).
            rows = self.due(now, everything=True, selection=selection)[:1]
        # A request tracked while hidden may have only its slug: poll it, never auto-link it.
        unlinked = [row for row in rows if row["wdtk_id"] is None and row["status"] != "hidden"]
        linked = [row for row in rows if row["wdtk_id"] is not None or row["status"] == "hidden"]
        if unlinked and not should_stop():
            report.polled += len(unlinked)
            try:
                self.links.autolink(
                    unlinked,
                    now,
                    report,
                    lambda row, result: self._record_error(
                        row, result.message or "error", now, report
                    ),
                )
            except StoreError:
                raise  # a write the disk cannot hold: the pass stops, as below
            except FoibotError as exc:
                for row in unlinked:
                    self._record_error(row, str(exc), now, report)
            self._say_out_of_time(report)
        for n, row in enumerate(progress(linked, len(linked)) if progress else linked):
            if should_stop() or self.unreachable is not None:
                break
            if self._out_of_time(report, len(linked) - n):
                break
            self._poll_row(row, now, report)
        self._note_outage(now, report)
        report.http_calls = self.client.http_calls - calls_before
        # The pass's cost is written with the deadline transitions it noted (doctor's
        # calls per change), so a pass is counted once and only with what it stored.
        with self.store.transaction():
            self.ingest.note_transitions(now, report, selection=selection)
            kind = "manual" if manual or everything else "scheduled"
            self.store.record_pass(_utc(now), kind, report.polled, report.http_calls, mark)
        return report

    def _poll_row(self, row: dict, now: dt.datetime, report: PollReport) -> None:
        report.polled += 1
        try:
            fetched = self._fetch_all(row)
            result = fetched.result
            if result.kind == "error" or (result.ok and result.request is None):
                if self.unreachable is None:
                    self._record_error(
                        row, result.message or result.kind, now, report, result.retry_after_s
                    )
                return
            mark = report.mark()
            try:
                self.ingest.apply(row, fetched, now, report)
            except FoibotError:
                report.undo_since(mark)  # its transaction was rolled back: nothing to report
                raise
        except StoreError as exc:
            # A write that failed (a full disk) is no fault of this request or of WDTK, and
            # would fail for the next request too: the pass stops, and the request keeps
            # its schedule, counting no failed poll against it.
            raise type(exc)(f"{row['ref']}: {exc}") from exc
        except FoibotError as exc:
            # A refused robots path, a payload we cannot read: this request only.
            self._record_error(row, str(exc), now, report)

    def poll_refs(
        self, refs: Iterable[str], now: dt.datetime, should_stop: Callable[[], bool] = lambda: False
    ) -> PollReport:
        """Poll exactly these requests now, whatever their schedule says (a WDTK alert
        e-mail named them), through the same gate, ingest and news as a pass; released
        drafts among them are looked for on WDTK as a pass would (auto-link)."""
        report = PollReport()
        if (pause := self.hold(now)) is not None:
            report.backing_off = pause  # the alerts' requests stay due for the next pass
            return report
        calls_before = self.client.http_calls
        mark = self.store.event_mark()
        rows = [row for ref in dict.fromkeys(refs) if (row := self.store.request(ref))]
        unlinked = [r for r in rows if r["wdtk_id"] is None and r["status"] == "ready"]
        if unlinked and not should_stop():
            report.polled += len(unlinked)
            self.links.autolink(
                unlinked,
                now,
                report,
                lambda row, result: self._record_error(row, result.message or "error", now, report),
            )
            self._say_out_of_time(report)
        linked = [row for row in rows if row["wdtk_id"] is not None]
        for n, row in enumerate(linked):
            if should_stop() or self.unreachable is not None:
                break
            if self._out_of_time(report, len(linked) - n):
                break
            self._poll_row(row, now, report)
        self._note_outage(now, report)
        report.http_calls = self.client.http_calls - calls_before
        with self.store.transaction():
            self.store.record_pass(_utc(now), "mail", report.polled, report.http_calls, mark)
        return report

    def _out_of_time(self, report: PollReport, left: int) -> bool:
        """The pass has used [wdtk] pass_budget_s: stop between two requests. Those not
        reached keep their next_poll_at, earlier than any just polled, so the next pass
        (which takes the due requests oldest first) starts with them."""
        if not self.client.out_of_time():
            return False
        report.not_reached += left
        self._say_out_of_time(report)
        return True

    def _say_out_of_time(self, report: PollReport) -> None:
        if report.not_reached:
            report.out_of_time = (
                f"time budget of {self.config.wdtk.pass_budget_s:g} s ([wdtk] pass_budget_s) "
                f"used up; {report.not_reached} request(s) not reached go first next pass"
            )

    def hold(self, now: dt.datetime) -> str | None:
        """While a pause WDTK asked for (recorded by this or an earlier command) runs, why
        this poller asks nothing: from now on its fetch gate refuses every call (a pass,
        `track`, `link`, what `mail --track` follows). None when there is none."""
        until = self.store.setting(PAUSE_KEY)
        if until is None or now >= dt.datetime.fromisoformat(until):
            return None
        self.unreachable = (
            f"WDTK asked for a pause (Retry-After) until {until}; no call before then"
        )
        return self.unreachable

    def keep_pause(self, now: dt.datetime) -> None:
        """Record a Retry-After that stopped this client (capped at an hour), so that no
        later pass, `track` or `link` asks WDTK anything before it has run out."""
        if not self.paused:
            return
        wait = min(self.client.blocked_s(), PROBE_MAX.total_seconds())
        start = _not_later_than_real(now)
        until = (start + dt.timedelta(seconds=math.ceil(wait))).isoformat(timespec="seconds")
        with self.store.transaction():
            self.store.set_setting(PAUSE_KEY, until)

    def _probe_wait(self, now: dt.datetime) -> str | None:
        """While WDTK is down, why this pass makes no call yet (its back-off runs)."""
        since, probe = self.store.setting(OUTAGE_KEY), self.store.setting(PROBE_KEY)
        if since is None or probe is None or now >= dt.datetime.fromisoformat(probe):
            return None
        return f"WDTK unreachable since {since}; next probe at {probe}"

    def _note_outage(self, now: dt.datetime, report: PollReport) -> None:
        """An outage is one piece of news when it starts and one when it ends; between
        them, passes probe once each, further apart each time (capped at an hour)."""
        since = self.store.setting(OUTAGE_KEY)
        stamp = now.isoformat(timespec="seconds")
        if self.paused:
            # A pause WDTK asked for is no outage: no news, and every pass keeps it.
            report.unreachable, report.paused = self.unreachable, True
            self.keep_pause(now)
            return
        if self.unreachable is not None:
            report.unreachable = self.unreachable
            probes = int(self.store.setting(PROBES_KEY) or 0) + 1
            delay = min(PROBE_FIRST * 2 ** (probes - 1), PROBE_MAX)
            with self.store.transaction():
                if since is None:
                    self.store.set_setting(OUTAGE_KEY, stamp)
                    self.store.queue_news([news.wdtk_unreachable(stamp, self.unreachable)])
                self.store.set_setting(PROBES_KEY, str(probes))
                probe = _not_later_than_real(now) + delay
                self.store.set_setting(PROBE_KEY, probe.isoformat(timespec="seconds"))
        elif since is not None and report.polled and len(report.errors) < report.polled:
            with self.store.transaction():
                for key in (OUTAGE_KEY, PROBE_KEY, PROBES_KEY):
                    self.store.set_setting(key, None)
                self.store.queue_news([news.wdtk_reachable(since, stamp)])

    def _record_error(
        self,
        row: dict,
        message: str,
        now: dt.datetime,
        report: PollReport,
        retry_after_s: float | None = None,
    ) -> None:
        failures = (row.get("poll_failures") or 0) + 1
        retry = after_error(failures, now, self.ingest.policy)
        if retry_after_s:  # WDTK said how long to wait: never ask sooner
            # ...but no later than the outage back-off's longest step: a huge Retry-After
            # must neither overflow the calendar nor put the request off for years.
            wait = min(retry_after_s, PROBE_MAX.total_seconds())
            retry = max(retry, now + dt.timedelta(seconds=math.ceil(wait)))
        failure = PollFailure(row["ref"], message, retry.isoformat(), failures)
        with self.store.transaction():
            self.store.update_request(
                row["ref"], poll_error=message, poll_failures=failures,
                last_polled_at=now.isoformat(), next_poll_at=retry.isoformat(),
            )  # fmt: skip
            self.store.queue_news([news.poll_failure(failure)])
        report.errors.append(failure)


def _not_later_than_real(now: dt.datetime) -> dt.datetime:
    """What WDTK asks for (a pause, an outage's back-off) runs from the real clock when
    `--as-of` is later: a pass pretending it is next week must not bar today's passes."""
    return min(now, dt.datetime.now(dt.UTC))


def _utc(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).isoformat()


def mail_poller(store: Store, config: Config, client: WdtkClient) -> Poller:
    """The poller for the requests WDTK's alert e-mails name. The mailbox is working while
    its alerts are read, so what they name is scheduled on the relaxed safety-net policy
    too, or each alert would bring back the old rhythm."""
    poller = Poller(store, config, client, safety_net(policy_for(config)))
    poller.ingest.via = "mail"
    return poller
