"""Follow requests on WDTK: track, link, poll. The shell around tracking.py and polling.py.

Each request's update is one transaction, so an error on one (or a kill mid-run) never
loses the others' updates; errors are recorded on the request with its next retry time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot import deadlines as dl
from bot.config import Config
from bot.dates import london_today
from bot.errors import FoibotError, UsageError
from bot.followups.service import mark_sent
from bot.store.db import Store
from bot.tracking.schedule import NEVER, PollPolicy, after_error, after_hidden, after_success
from bot.tracking.status import (
    LOCAL_STATUSES,
    OVERDUE_STATUSES,
    law_of,
    live_status,
    track,
    working_days_late,
)
from bot.wdtk.client import FetchResult, WdtkClient
from bot.wdtk.payload import WdtkRequest, parse_correspondence, parse_html_status, tag_strings
from bot.wdtk.urls import derive_url_title

RESPONSE = "response"
UNREACHABLE_AFTER = 3  # transport failures in a row before a poll stops trying
MAX_SLUG_WALK = 50  # WDTK appends _2, _3 … to a slug already taken


@dataclass
class PollReport:
    polled: int = 0
    changed: list[dict] = field(default_factory=list)
    new_responses: list[dict] = field(default_factory=list)
    newly_overdue: list[dict] = field(default_factory=list)
    linked: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    http_calls: int = 0

    def as_json(self) -> dict:
        return {
            "polled": self.polled,
            "changed": self.changed,
            "new_responses": self.new_responses,
            "newly_overdue": self.newly_overdue,
            "linked": self.linked,
            "errors": self.errors,
        }

    @property
    def all_failed(self) -> bool:
        return self.polled > 0 and len(self.errors) >= self.polled


class Tracker:
    """Everything that talks to WDTK about requests, over one client and one store."""

    def __init__(
        self, store: Store, config: Config, client: WdtkClient, policy: PollPolicy | None = None
    ):
        self.store, self.config, self.client = store, config, client
        self.policy = policy or PollPolicy(
            open_every=dt.timedelta(hours=config.poll.open_every_hours),
            closed_every=dt.timedelta(days=config.poll.closed_every_days),
            hidden_grace=dt.timedelta(days=config.poll.hidden_grace_days),
        )
        self.holiday_key = _holiday_key(config)
        self._unreachable = 0

    def calendar(self, law: str) -> dl.WorkingCalendar:
        return dl.calendar_for(law, self.config.extra_holidays, self.config.remove_holidays)

    # -- track and link ----------------------------------------------------------------

    def track(self, ref_or_url: str, campaign: str | None, now: dt.datetime) -> dict:
        from bot.wdtk.urls import parse_request_ref

        target = parse_request_ref(ref_or_url, self.config.wdtk.base_url)
        result = self._fetch(target)
        request = self._require(result, ref_or_url)
        existing = list(
            self.store.db.query("SELECT * FROM requests WHERE wdtk_id = ?", [request.id])
        )
        if existing:
            row = existing[0]
        else:
            draft = self._draft_for(request)
            if draft is not None:
                row = draft
            else:
                if campaign and not list(
                    self.store.db.query("SELECT 1 FROM campaigns WHERE slug = ?", [campaign])
                ):
                    self._ensure_campaign_row(campaign)
                row = self._new_tracked_row(request, campaign)
        self.ingest(row, result, now, PollReport(), new=row["wdtk_id"] is None)
        return self.store.request(row["ref"])

    def link(self, ref: str, url: str, now: dt.datetime, force: bool = False) -> dict:
        from bot.wdtk.urls import parse_request_ref

        row = self.store.request(ref)
        if row is None:
            raise UsageError(f"no request with ref '{ref}' (see `foibot status`)")
        if row["wdtk_id"] is not None:
            raise UsageError(f"{ref} is already linked to WDTK request {row['wdtk_id']}")
        result = self._fetch(parse_request_ref(url, self.config.wdtk.base_url))
        request = self._require(result, url)
        taken = list(
            self.store.db.query("SELECT ref FROM requests WHERE wdtk_id = ?", [request.id])
        )
        if taken:
            raise UsageError(f"WDTK request {request.id} is already tracked as {taken[0]['ref']}")
        if not (_carries_ref(request, ref) or request.title == row["title"] or force):
            raise UsageError(
                f"{url} does not look like {ref}: it has no foibot:{ref} tag and its title "
                f"{request.title!r} differs from {row['title']!r} (use --force if you are sure)"
            )
        self.ingest(row, result, now, PollReport(), new=True)
        return self.store.request(ref)

    def _require(self, result: FetchResult, what: str) -> WdtkRequest:
        if result.ok and result.request is not None:
            return result.request
        reason = {"hidden": "hidden on WDTK (403)", "gone": "not found on WDTK (404)"}.get(
            result.kind, result.message or result.kind
        )
        raise FoibotError(f"{what}: {reason}")

    def _draft_for(self, request: WdtkRequest) -> dict | None:
        """A released draft this WDTK request was made from (it carries our tag)."""
        value = request.tag("foibot")
        if not value:
            return None
        row = self.store.request(value)
        return (
            row if row and row["wdtk_id"] is None and row["status"] in ("ready", "draft") else None
        )

    def _ensure_campaign_row(self, slug: str) -> None:
        from bot.campaigns.drafting import ref_prefix
        from bot.store.db import utcnow

        taken = {r["ref_prefix"] for r in self.store.db.query("SELECT ref_prefix FROM campaigns")}
        with self.store.transaction():
            self.store.db["campaigns"].insert(
                {"slug": slug, "ref_prefix": ref_prefix(slug, taken), "created_at": utcnow()},
                ignore=True,
            )

    def _new_tracked_row(self, request: WdtkRequest, campaign: str | None) -> dict:
        body = request.public_body
        return {
            "ref": f"wdtk-{request.id}",
            "campaign": campaign,
            "body": body.url_name if body else None,
            "title": request.title,
            "letter": None,
            "status": "tracked",
            "wdtk_id": None,
            "is_school": None,
            "law": None,
            "_new": True,
        }

    # -- poll --------------------------------------------------------------------------

    def due(
        self, now: dt.datetime, *, everything: bool = False, campaign: str | None = None
    ) -> list[dict]:
        where = [
            "status NOT IN ('draft', 'cancelled')",
            "(wdtk_id IS NOT NULL OR status = 'ready')",
        ]
        params: list = []
        if not everything:
            where.append("(next_poll_at IS NULL OR next_poll_at <= ?)")
            params.append(now.isoformat())
        else:
            where.append("(next_poll_at IS NULL OR next_poll_at != ?)")
            params.append(NEVER)
        if campaign:
            where.append("campaign = ?")
            params.append(campaign)
        sql = f"SELECT * FROM requests WHERE {' AND '.join(where)} ORDER BY next_poll_at, rowid"
        return list(self.store.db.query(sql, params))

    def poll(
        self,
        now: dt.datetime,
        *,
        everything: bool = False,
        campaign: str | None = None,
        progress: Callable[[Iterable[dict], int], Iterable[dict]] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> PollReport:
        report = PollReport()
        calls_before = self.client.http_calls
        self.refresh_dates()
        rows = self.due(now, everything=everything, campaign=campaign)
        unlinked = [row for row in rows if row["wdtk_id"] is None]
        linked = [row for row in rows if row["wdtk_id"] is not None]
        if unlinked and not should_stop():
            report.polled += len(unlinked)
            try:
                self._autolink(unlinked, now, report)
            except FoibotError as exc:
                for row in unlinked:
                    self._record_error(row, str(exc), now, report)
        for row in progress(linked, len(linked)) if progress else linked:
            if should_stop():
                break
            report.polled += 1
            try:
                self.ingest(row, self._fetch_linked(row), now, report)
            except FoibotError as exc:
                # A refused robots path or the like: record it, keep going with the rest.
                self._record_error(row, str(exc), now, report)
        self.note_transitions(now, report, campaign=campaign)
        report.http_calls = self.client.http_calls - calls_before
        return report

    def _fetch(self, target: int | str, etag: str | None = None) -> FetchResult:
        """Every fetch of a poll goes through here: once the network or WDTK has failed
        several times in a row without answering, the rest are not tried this time."""
        if self._unreachable >= UNREACHABLE_AFTER:
            return FetchResult(
                "error",
                message=f"not tried: WDTK unreachable ({self._unreachable} failures in a row)",
            )
        result = self.client.fetch_request(target, etag=etag)
        self._unreachable = (
            self._unreachable + 1 if result.kind == "error" and result.status is None else 0
        )
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
        return self._fetch(row["wdtk_id"], etag=row["etag"]) if moved else result

    def _autolink(self, rows: list[dict], now: dt.datetime, report: PollReport) -> None:
        """Find released drafts on WDTK without a human, robots-compliantly: fetch the
        JSON at the slug WDTK derives from each title, then its `_2`, `_3` … siblings
        (given out in order, so the first 404 ends the walk), and accept only a request
        carrying the draft's foibot tag. Drafts sharing a slug share one walk."""
        waiting: dict[str, dict] = {}
        for row in rows:
            released = dt.datetime.fromisoformat(row["released_at"]) if row["released_at"] else now
            if now - released > self.policy.unlinked_give_up:
                days = self.policy.unlinked_give_up.days
                self._set_next(
                    row["ref"],
                    NEVER,
                    error=f"not found on WDTK {days} days after release: use `foibot link`",
                )
            else:
                waiting[row["ref"]] = row
        if not waiting:
            return
        if self.config.wdtk.use_feeds:
            for ref, wdtk_id in self._feed_matches(set(waiting)):
                self._try_link(waiting, ref, self._fetch(wdtk_id), now, report)
        known = {
            r["url_title"]
            for r in self.store.db.query(
                "SELECT url_title FROM requests WHERE url_title IS NOT NULL"
            )
        }
        groups: dict[str, list[str]] = {}
        for ref, row in waiting.items():
            groups.setdefault(derive_url_title(row["title"]), []).append(ref)
        for base, refs in groups.items():
            for n in range(1, MAX_SLUG_WALK + 1):
                if not any(ref in waiting for ref in refs):
                    break
                slug = base if n == 1 else f"{base}_{n}"
                if slug in known:
                    continue  # one of ours already, linked earlier
                result = self._fetch(slug)
                if result.kind == "gone":
                    break
                if result.kind == "error":
                    for ref in refs:
                        if ref in waiting:
                            self._record_error(
                                waiting.pop(ref), result.message or "error", now, report
                            )
                    break
                if result.ok and result.request:
                    self._try_link(waiting, result.request.tag("foibot") or "", result, now, report)
        for ref in waiting:
            self._set_next(ref, (now + self.policy.unlinked_every).isoformat())

    def _try_link(
        self,
        waiting: dict[str, dict],
        ref: str,
        result: FetchResult,
        now: dt.datetime,
        report: PollReport,
    ) -> None:
        if ref not in waiting or not result.ok or result.request is None:
            return
        if list(
            self.store.db.query("SELECT 1 FROM requests WHERE wdtk_id = ?", [result.request.id])
        ):
            return
        self.ingest(waiting.pop(ref), result, now, report, new=True)
        report.linked.append({"ref": ref, "wdtk_id": result.request.id})

    def _feed_matches(self, refs: set[str]) -> list[tuple[str, int]]:
        """Opt-in ([wdtk] use_feeds): robots.txt disallows feeds, so only on request."""
        if not self.config.wdtk.user:
            return []
        try:
            items = self.client.fetch_user_feed(self.config.wdtk.user)
        except FoibotError:
            return []
        found = []
        for item in items if isinstance(items, list) else []:
            info = item.get("info_request") if isinstance(item, dict) else None
            if not isinstance(info, dict) or not isinstance(info.get("id"), int):
                continue
            for tag in info.get("tags") or []:
                if (
                    isinstance(tag, list)
                    and len(tag) == 2
                    and tag[0] == "foibot"
                    and tag[1] in refs
                ):
                    found.append((tag[1], info["id"]))
        return found

    # -- ingest one fetch --------------------------------------------------------------

    def ingest(
        self,
        row: dict,
        result: FetchResult,
        now: dt.datetime,
        report: PollReport,
        *,
        new: bool = False,
    ) -> None:
        ref = row["ref"]
        if result.kind == "not_modified":
            self._set_next(ref, after_success(row, now, self.policy).isoformat(), polled_at=now)
            return
        if result.kind in ("hidden", "gone"):
            self._hidden(row, result, now, report)
            return
        if not result.ok or result.request is None:
            self._record_error(
                row, result.message or result.kind, now, report, result.retry_after_s
            )
            return
        request = result.request
        body_law, school = self._body_facts(row, request)
        law = law_of(request, body_law)
        today = london_today(now)
        try:
            tracked = track(request, law=law, school=school, calendar=self.calendar(law))
        except dl.DeadlineError as exc:
            # WDTK gave a clock-starting date no deadline can be computed for (outside the
            # bank-holiday data). DeadlineError is a ValueError, not a FoibotError, so it
            # used to crash the whole poll; as a FoibotError the poll records it on this
            # request and goes on with the others (and track/link report it, exit 1).
            raise FoibotError(f"cannot compute deadlines from WDTK's dates: {exc}") from None
        before = live_status(row, today, self.calendar(law)) if not new else row["status"]
        # WDTK shows its own due date only while a request waits for a reply, so read the
        # page when we first see a request, and for each new reply's text. The HTTP call
        # happens before the transaction, which then stores page and update together.
        seen = {
            r["wdtk_event_id"]
            for r in self.store.db.query(
                "SELECT wdtk_event_id FROM events WHERE ref = ? AND wdtk_event_id IS NOT NULL",
                [ref],
            )
        }
        replied = any(e.event_type == RESPONSE and e.id not in seen for e in request.events)
        page = self._fetch_page(request.url_title) if (replied or new) else None
        with self.store.transaction():
            if row.get("_new"):
                self._insert_tracked(row, request)
            elif (current := self.store.request(ref)) is not None:
                # `row` was read before this transaction; a concurrent `poll` or `run --once`
                # may have linked or updated the request since. Start from what is stored
                # now, so a link or a status change is not recorded a second time.
                new = new and current["wdtk_id"] != request.id
                before = live_status(current, today, self.calendar(law)) if not new else before
                row = current
            known = {
                r["wdtk_event_id"]
                for r in self.store.db.query(
                    "SELECT wdtk_event_id FROM events WHERE ref = ? AND wdtk_event_id IS NOT NULL",
                    [ref],
                )
            }
            fresh = [e for e in request.events if e.id not in known]
            if new:
                self.store.log(
                    ref, "linked", {"wdtk_id": request.id, "url_title": request.url_title}
                )
            self.store.log_all(
                {
                    "ref": ref,
                    "kind": e.event_type,
                    "at": e.created_at.astimezone(dt.UTC).isoformat(),
                    "wdtk_event_id": e.id,
                    "detail": {
                        k: v
                        for k, v in {
                            "described_state": e.described_state,
                            "calculated_state": e.calculated_state,
                            "incoming_message_id": e.incoming_message_id,
                            "outgoing_message_id": e.outgoing_message_id,
                        }.items()
                        if v is not None
                    },
                }
                for e in fresh
            )
            mark_sent(self.store, ref, fresh)
            values = {
                **tracked.as_row(),
                "is_school": int(school),
                "etag": result.etag,
                "last_polled_at": now.isoformat(),
                "poll_error": None,
                "poll_failures": 0,
                "gone_since": None,
                "holiday_data": self.holiday_key,
            }
            updated = {**row, **values}
            values["next_poll_at"] = after_success(updated, now, self.policy).isoformat()
            self.store.update_request(ref, **values)
            after = live_status(updated, today, self.calendar(law))
            if after != before:
                self.store.log(ref, "status", {"from": before, "to": after})
                report.changed.append({"ref": ref, "from": before, "to": after})
            self._store_page(ref, page, updated)
        responses = [e for e in fresh if e.event_type == RESPONSE]
        for e in responses:
            report.new_responses.append(
                {
                    "ref": ref,
                    "body": updated.get("body"),
                    "title": request.title,
                    "at": e.created_at.isoformat(),
                }
            )

    def _body_facts(self, row: dict, request: WdtkRequest) -> tuple[str | None, bool]:
        body = self.store.body(row["body"]) if row.get("body") else None
        if body is not None:
            return body.law, body.is_school
        if request.public_body is not None:
            names = {k for k, _ in request.public_body.tags}
            return None, bool(names & {"school", "academy_trust"})
        return None, False

    def _insert_tracked(self, row: dict, request: WdtkRequest) -> None:
        from bot.bodies import Body
        from bot.store.db import utcnow

        body = request.public_body
        if body is not None and self.store.body(body.url_name) is None:
            tags = tag_strings(body.tags)
            self.store.upsert_bodies(
                [
                    Body(
                        body.url_name,
                        body.name,
                        body.short_name or body.name,
                        tags,
                        wdtk_id=body.id,
                    )
                ],
                source="wdtk",
            )
        now = utcnow()
        self.store.db["requests"].insert(
            {
                "ref": row["ref"], "campaign": row["campaign"], "body": row["body"],
                "title": request.title, "status": "tracked", "created_at": now, "updated_at": now,
            }
        )  # fmt: skip
        self.store.log(row["ref"], "tracked", {"wdtk_id": request.id})

    def _hidden(self, row: dict, result: FetchResult, now: dt.datetime, report: PollReport) -> None:
        gone_since = dt.datetime.fromisoformat(row["gone_since"]) if row.get("gone_since") else now
        with self.store.transaction():
            if row["status"] != "hidden":
                self.store.log(
                    row["ref"], "hidden", {"http_status": result.status, "kind": result.kind}
                )
                report.changed.append({"ref": row["ref"], "from": row["status"], "to": "hidden"})
            self.store.update_request(
                row["ref"],
                status="hidden",
                gone_since=gone_since.isoformat(),
                last_polled_at=now.isoformat(),
                next_poll_at=after_hidden(gone_since, now, self.policy),
                poll_error=None,
                poll_failures=0,
            )

    def _record_error(
        self,
        row: dict,
        message: str,
        now: dt.datetime,
        report: PollReport,
        retry_after_s: float | None = None,
    ) -> None:
        failures = (row.get("poll_failures") or 0) + 1
        retry = after_error(failures, now, self.policy)
        if retry_after_s:  # WDTK said how long to wait: never ask sooner
            retry = max(retry, now + dt.timedelta(seconds=math.ceil(retry_after_s)))
        with self.store.transaction():
            self.store.update_request(
                row["ref"], poll_error=message, poll_failures=failures,
                last_polled_at=now.isoformat(), next_poll_at=retry.isoformat(),
            )  # fmt: skip
        report.errors.append(
            {
                "ref": row["ref"],
                "error": message,
                "next_retry": retry.isoformat(),
                "failures": failures,
            }
        )

    def _set_next(
        self, ref: str, when: str, *, polled_at: dt.datetime | None = None, error: str | None = None
    ) -> None:
        values: dict = {"next_poll_at": when}
        if polled_at:
            values["last_polled_at"] = polled_at.isoformat()
        if error:
            values["poll_error"] = error
        with self.store.transaction():
            self.store.update_request(ref, **values)

    def _fetch_page(self, url_title: str) -> str | None:
        try:
            return self.client.fetch_request_html(url_title)
        except FoibotError:
            return None  # the JSON update still lands; the text can wait for the next reply

    def _store_page(self, ref: str, html: str | None, row: dict) -> None:
        """Reply text, attachment names and WDTK's own due date, from the request page.
        Called inside the request's transaction, so a kill never keeps the update and
        loses the text (the re-run would not see the reply as new again)."""
        if not html:
            return
        from bot.store.db import utcnow

        stated_status, stated_due = parse_html_status(html)
        messages = parse_correspondence(html)
        with self.store.transaction():
            self.store.db["correspondence"].insert_all(
                (
                    {
                        "ref": ref,
                        "direction": m.get("kind"),
                        "sent_at": m.get("sent_at"),
                        "text": m.get("text") or "",
                        "attachments": "\n".join(m.get("attachments") or []),
                        "fingerprint": hashlib.sha256(
                            f"{m.get('kind')}\0{m.get('text')}\0{m.get('attachments')}".encode()
                        ).hexdigest(),
                        "fetched_at": utcnow(),
                    }
                    for m in messages
                ),
                ignore=True,
            )
            if (
                stated_due
                and row.get("due")
                and stated_due.isoformat() != row["due"]
                and row.get("wdtk_stated_due") != stated_due.isoformat()
            ):
                self.store.log(
                    ref, "due_date_disagreement",
                    {"wdtk_says": stated_due.isoformat(), "foibot_says": row["due"], "wdtk_status": stated_status},
                )  # fmt: skip
            if stated_due:
                self.store.update_request(ref, wdtk_stated_due=stated_due.isoformat())

    # -- dates and transitions without HTTP --------------------------------------------

    def refresh_dates(self) -> int:
        """Recompute stored dates made with other holiday data (a library upgrade or a
        newly proclaimed holiday in config), so statuses use today's calendar."""
        rows = list(
            self.store.db.query(
                "SELECT ref, law, is_school, sent_on FROM requests WHERE sent_on IS NOT NULL "
                "AND (holiday_data IS NULL OR holiday_data != ?)",
                [self.holiday_key],
            )
        )
        if not rows:
            return 0
        with self.store.transaction():
            for row in rows:
                law = row["law"] or "foi"
                dates = dl.compute_deadlines(
                    dt.date.fromisoformat(row["sent_on"]),
                    law,
                    school=bool(row["is_school"]),
                    calendar=self.calendar(law),
                )
                self.store.update_request(
                    row["ref"], due=dates.due.isoformat(), very_overdue_after=dates.very_overdue_after.isoformat(),
                    holiday_data=self.holiday_key,
                )  # fmt: skip
        return len(rows)

    def note_transitions(
        self, now: dt.datetime, report: PollReport, campaign: str | None = None
    ) -> None:
        """Requests whose live status became overdue since we last said so (deadlines pass
        at midnight with no change on WDTK); remembered so the news is told once."""
        today = london_today(now)
        # Only the columns a live status needs, row by row: this runs on every pass, and
        # the letters and page texts would cost a daemon tens of MB at 10,000 requests.
        sql = (
            "SELECT ref, status, awaiting_description, due, very_overdue_after, review_started_on, "
            "law, reported_status FROM requests WHERE wdtk_id IS NOT NULL"
            + (" AND campaign = ?" if campaign else "")
        )
        updates = []
        for row in self.store.db.query(sql, [campaign] if campaign else []):
            calendar = self.calendar(row["law"] or "foi")
            status = live_status(row, today, calendar)
            if status == row["reported_status"]:
                continue
            if status in OVERDUE_STATUSES:
                report.newly_overdue.append(
                    {
                        "ref": row["ref"],
                        "status": status,
                        "days_late": working_days_late(row, today, calendar),
                    }
                )
            updates.append((row["ref"], status))
        if updates:
            with self.store.transaction():
                for ref, status in updates:
                    self.store.update_request(ref, reported_status=status)


def _carries_ref(request: WdtkRequest, ref: str) -> bool:
    return request.tag("foibot") == ref


def _holiday_key(config: Config) -> str:
    overrides = ",".join(
        [d.isoformat() for d in config.extra_holidays]
        + ["-" + d.isoformat() for d in config.remove_holidays]
    )
    digest = hashlib.sha256(overrides.encode()).hexdigest()[:8] if overrides else "none"
    return f"{dl.holiday_data_version()}+{digest}"


__all__ = ["LOCAL_STATUSES", "PollReport", "Tracker"]
