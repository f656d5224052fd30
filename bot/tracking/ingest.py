"""Apply one fetched WDTK document (and its request page) to a stored request.

No HTTP here: the poll and link shells fetch first and hand over what they got. Each
request's update is one transaction holding its events, dates, status, reply texts and
the news it makes, so a kill at any line either keeps all of it or none, and the rerun
sees the same things as new.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from bot import deadlines as dl
from bot.bodies import SCHOOL_TAGS, Body
from bot.config import Config
from bot.dates import london_today
from bot.errors import FoibotError
from bot.outcomes import NewlyOverdue, NewReply, PollReport, StatusChange
from bot.rules import news
from bot.rules.clock import ClockAdjust, adjusted_dates, law_of, track
from bot.rules.followups import kinds_seen_sent
from bot.rules.schedule import (
    NEVER,
    Hours,
    PollPolicy,
    after_hidden,
    after_success,
    body_hours,
    classifies_soon,
    policy_for,
    resumed,
)
from bot.rules.status import lateness, live_status
from bot.rules.withdrawal import stale_followups
from bot.statuses import OVERDUE
from bot.store.db import RequestSet, Store
from bot.wdtk.client import FetchResult
from bot.wdtk.payload import WdtkRequest, parse_correspondence, parse_html_status, tag_strings

RESPONSE = "response"


@dataclass(frozen=True)
class Fetched:
    """Everything fetched for one request: the JSON result and, when needed, its page."""

    result: FetchResult
    page: str | None = None


def holiday_key(config: Config) -> str:
    """Names the holiday data stored dates were computed with, to spot stale ones."""
    overrides = ",".join(
        [d.isoformat() for d in config.extra_holidays]
        + ["-" + d.isoformat() for d in config.remove_holidays]
    )
    digest = hashlib.sha256(overrides.encode()).hexdigest()[:8] if overrides else "none"
    return f"{dl.holiday_data_version()}+{digest}"


class Ingest:
    """Applies fetched documents to the store, one request per transaction."""

    def __init__(self, store: Store, config: Config, policy: PollPolicy | None = None):
        self.store, self.config = store, config
        self.policy = policy or policy_for(config)
        self.holiday_key = holiday_key(config)
        # Which path asked for the fetches applied here: "poll" (the schedule) or "mail"
        # (a WDTK alert e-mail); `status` shows it with the time WDTK last confirmed.
        self.via = "poll"
        # Requesters' habits (classifies_soon) as learnt at the pass of _habits_at.
        self._habits: dict[str, bool | None] = {}
        self._hours: dict[str, Hours | None] = {}  # bodies' reply hours (body_hours)
        self._habits_at: dt.datetime | None = None

    def calendar(self, law: str) -> dl.WorkingCalendar:
        return self.config.calendar(law)

    def resume_rhythm(self, now: dt.datetime) -> int:
        """Bring the polls the mailbox's safety net put off back to this policy's rhythm
        (a mailbox that stopped working tells of changes no longer): each request whose
        poll this policy would have made sooner is scheduled then. Returns how many."""
        moved = {}
        for row in self.store.requests_polled_later(now.isoformat(), NEVER):
            due = resumed(row, now, self.policy, self.calendar(row.get("law") or "foi"))
            if due is not None:
                moved[row["ref"]] = due.isoformat()
        if moved:
            with self.store.transaction():
                self.store.set_next_polls(moved)
        return len(moved)

    def next_poll(self, row: dict, now: dt.datetime, calendar: dl.WorkingCalendar) -> str:
        """When to poll `row` next (after_success), with what the store teaches about its
        requester (classifies_soon) and its body (body_hours), learnt once a pass each."""
        if self._habits_at != now:
            self._habits, self._hours, self._habits_at = {}, {}, now
        user, body = row.get("wdtk_user"), row.get("body")
        if user and user not in self._habits:
            self._habits[user] = classifies_soon(self.store.classification_events(user), now)
        if body and body not in self._hours:
            replies = self.store.reply_times(body)
            self._hours[body] = body_hours(replies, self.policy.office, calendar)
        learnt = {"classifies_soon": self._habits.get(user), "body_hours": self._hours.get(body)}
        return after_success({**row, **learnt}, now, self.policy, calendar).isoformat()

    def needs_page(self, row: dict, request: WdtkRequest, *, new: bool) -> bool:
        """WDTK shows its own due date only while a request waits, and reply texts only on
        the page: read it when a request is first seen and for each new reply."""
        if new:
            return True
        seen = self.store.known_event_ids(row["ref"])
        return any(e.event_type == RESPONSE and e.id not in seen for e in request.events)

    def apply(
        self,
        row: dict,
        fetched: Fetched,
        now: dt.datetime,
        report: PollReport,
        *,
        new: bool = False,
    ) -> None:
        result = fetched.result
        if result.kind == "not_modified":
            with self.store.transaction():
                self.store.update_request(
                    row["ref"],
                    next_poll_at=self.next_poll(row, now, self.calendar(row.get("law") or "foi")),
                    last_polled_at=now.isoformat(),
                    poll_error=None,
                    poll_failures=0,
                    last_confirmed_at=now.isoformat(),
                    last_confirmed_via=self.via,
                )
            return
        if result.kind in ("hidden", "gone"):
            self.apply_hidden(row, result, now, report)
            return
        if not result.ok or result.request is None:
            raise ValueError(f"not a document to ingest: {result.kind}")
        self._apply_document(row, result, fetched.page, now, report, new=new)

    def _apply_document(
        self,
        row: dict,
        result: FetchResult,
        page: str | None,
        now: dt.datetime,
        report: PollReport,
        *,
        new: bool,
    ) -> None:
        request = result.request
        assert request is not None
        ref = row["ref"]
        body = self.store.body(row["body"]) if row.get("body") else None
        moved_from = self._moved_from(row, body, request)
        if row.get("_new") or moved_from:
            row = {**row, "body": self._body_name(request)}
            body = self.store.body(row["body"]) if row["body"] else None
        body_law, school = self._body_facts(row, body, request)
        law = law_of(request, body_law)
        today = london_today(now)
        calendar = self.calendar(law)
        try:
            tracked = track(
                request, law=law, school=school, calendar=calendar,
                adjust=ClockAdjust.from_row(row),  # extensions recorded with `foibot extend`
            )  # fmt: skip
        except dl.DeadlineError as exc:
            # A clock-starting date outside the holiday data: record it on this request.
            raise FoibotError(f"cannot compute deadlines from WDTK's dates: {exc}") from None
        with self.store.transaction():
            if row.get("_new"):
                self._insert_tracked(row, request)
                before = "tracked"
            else:
                # A concurrent pass may have linked or updated the request since `row` was
                # read: start from what is stored now, so nothing is recorded twice.
                current = self.store.request(ref) or row
                new = new and current["wdtk_id"] != request.id
                # The status a person was last told (as of the last pass), so a reply that
                # came before the due date reads "waiting_response → successful".
                before = (
                    current["status"]
                    if new or current["status"] == "hidden"
                    else current.get("reported_status") or live_status(current, today, calendar)
                )
                row = current
            known = self.store.known_event_ids(ref)
            fresh = [e for e in request.events if e.id not in known]
            if new:
                self.store.log(
                    ref, "linked", {"wdtk_id": request.id, "url_title": request.url_title}
                )
                # On WDTK, so sent: untold "ready to send" news would invite a second one.
                self.store.retract_news(news.asking_keys(ref))
            self.store.log_all(_event_row(ref, e) for e in fresh)
            _mark_followups_seen_sent(self.store, ref, fresh)
            values = {
                **tracked.as_row(),
                "is_school": int(school),
                "etag": result.etag,
                "last_polled_at": now.isoformat(),
                "poll_error": None,
                "poll_failures": 0,
                "gone_since": None,
                "holiday_data": self.holiday_key,
                "last_confirmed_at": now.isoformat(),
                "last_confirmed_via": self.via,
                # The schedule reads how long ago WDTK last changed (a reply, a refusal).
                "last_event_at": max(
                    (e.created_at.astimezone(dt.UTC).isoformat() for e in request.events),
                    default=None,
                ),
            }
            if row.get("url_title") and row["url_title"] != request.url_title and not new:
                self.store.log(ref, "retitled", {"from": row["url_title"], "to": request.url_title})
            if moved_from:
                values["body"] = self._know_body(request)
                self.store.log(ref, "body_moved", {"from": moved_from, "to": values["body"]})
            elif not row.get("body"):
                # Tracked while hidden (no body to read then), or WDTK did not say: now it has.
                values["body"] = self._know_body(request)
            updated = {**row, **values}
            values["next_poll_at"] = self.next_poll(updated, now, calendar)
            after = live_status(updated, today, calendar)
            self.store.update_request(ref, **values)
            if after != before:
                self.store.log(ref, "status", {"from": before, "to": after})
                report.changed.append(StatusChange(ref, before, after))
            if before == "hidden":
                self._shown_again(row, after)
            replies = [
                NewReply(ref, updated.get("body"), request.title, e.created_at.isoformat())
                for e in fresh
                if e.event_type == RESPONSE
            ]
            self._note_reported(updated, after, today, calendar, report, replied=bool(replies))
            self._withdraw_stale([ref], now, report)
            if row.get("_history"):
                replies = []  # first tracked by a person: what it already had is its past
            report.new_responses.extend(replies)
            self.store.queue_news(news.new_reply(r) for r in replies)
            self._store_page(ref, page, updated)

    def _note_reported(
        self,
        row: dict,
        status: str,
        today: dt.date,
        calendar: dl.WorkingCalendar,
        report: PollReport,
        *,
        replied: bool = False,
    ) -> None:
        """Remember the status the news last told, queueing "now overdue" news when a
        request became late since; called inside the transaction that saw the change.
        `replied`: the change came with a new reply, which is news of its own. On the
        user's own request, a late one's reply waiting to be classified is also lateness
        news (classify it: an acknowledgement is no answer); on someone else's, which
        only its requester can classify, the reply is told alone."""
        if status == row.get("reported_status"):
            return
        # What an earlier status made news of is untrue now, if no one has been told yet.
        self.store.retract_news(news.late_keys(row["ref"]))
        late = lateness(row, today, calendar)
        theirs = row.get("wdtk_user") != self.config.wdtk.user
        if row.get("_history") or (replied and theirs and late is not None and late.unclassified):
            pass  # its past (first tracked by a person), or told as the reply it is
        elif late is not None and (status in OVERDUE or late.unclassified):
            item = NewlyOverdue(
                row["ref"],
                status,
                late.working_days if late else None,
                late.counted_from.isoformat() if late else None,
                late.very,
            )
            report.newly_overdue.append(item)
            self.store.queue_news([news.newly_overdue(item)])
        self.store.update_request(row["ref"], reported_status=status)

    def note_transitions(
        self, now: dt.datetime, report: PollReport, selection: RequestSet | None = None
    ) -> None:
        """Requests whose live status changed with no word from WDTK (deadlines pass at
        midnight): each is told once, its news queued with the change."""
        today = london_today(now)
        changed = []
        for row in self.store.linked_status_rows(selection):
            status = live_status(row, today, self.calendar(row["law"] or "foi"))
            if status != row["reported_status"]:
                changed.append((row, status))
        if changed:
            with self.store.transaction():
                for row, status in changed:
                    self._note_reported(
                        row, status, today, self.calendar(row["law"] or "foi"), report
                    )
                self._withdraw_stale([row["ref"] for row, _ in changed], now, report)

    def _withdraw_stale(self, refs: list[str], now: dt.datetime, report: PollReport) -> None:
        """Withdraw these requests' unsent follow-ups whose reason has gone, in the
        transaction that recorded what took it away, with their news."""
        gone = stale_followups(
            *self.store.unsent_followup_cases(requests=refs), london_today(now), self.config
        )
        self.store.withdraw_followups(gone, now.astimezone(dt.UTC).isoformat())
        report.withdrawn.extend(w.as_json() for w in gone)

    def apply_hidden(
        self, row: dict, result: FetchResult, now: dt.datetime, report: PollReport
    ) -> None:
        gone_since = dt.datetime.fromisoformat(row["gone_since"]) if row.get("gone_since") else now
        with self.store.transaction():
            if row["status"] != "hidden":
                self.store.log(
                    row["ref"], "hidden", {"http_status": result.status, "kind": result.kind}
                )
                # As a person was last told it: an overdue request hides as overdue.
                calendar = self.calendar(row.get("law") or "foi")
                before = row.get("reported_status") or live_status(row, london_today(now), calendar)
                report.changed.append(StatusChange(row["ref"], before, "hidden"))
                self.store.queue_news([news.hidden(row["ref"], gone_since.isoformat())])
            self.store.update_request(
                row["ref"],
                status="hidden",
                # Shown again, WDTK may serve the very document it served before: its old
                # ETag would get a 304, and a 304 would keep "hidden" for good.
                etag=None,
                gone_since=gone_since.isoformat(),
                last_polled_at=now.isoformat(),
                next_poll_at=after_hidden(gone_since, now, self.policy),
                poll_error=None,
                poll_failures=0,
            )

    def _shown_again(self, row: dict, status: str) -> None:
        """WDTK shows a hidden request again: its "hidden" news, if no one has been told
        yet, is taken back; if it was told, the news says it is back."""
        # `hidden:REF` alone: queued by a foibot from before a spell had its own key.
        keys = [news.hidden_key(row["ref"], row.get("gone_since")), f"hidden:{row['ref']}"]
        if not self.store.retract_news(keys) and any(map(self.store.news_queued, keys)):
            self.store.queue_news([news.shown_again(row["ref"], row["gone_since"], status)])

    def _body_facts(
        self, row: dict, body: Body | None, request: WdtkRequest
    ) -> tuple[str | None, bool]:
        """(the law the stored `body` puts the request under, whether it is a school); for
        a body not stored, what the tags WDTK sends say."""
        if body is not None:
            return body.law_for_request(environmental=self._environmental(row)), body.is_school
        if request.public_body is not None:
            names = {k for k, _ in request.public_body.tags}
            return None, bool(names & set(SCHOOL_TAGS))
        return None, False

    def _environmental(self, row: dict) -> bool:
        """The request belongs to a campaign for environmental information."""
        slug = row.get("campaign")
        return any(c.slug == slug and c.environmental for c in self.config.campaigns)

    @staticmethod
    def _moved_from(row: dict, stored: Body | None, request: WdtkRequest) -> str | None:
        """The stored body of a tracked request WDTK's admins moved to another body (WDTK
        numbers it differently), else None. A request foibot drafted stays with the body
        its campaign wrote to: one draft per body and campaign."""
        wdtk = request.public_body
        if wdtk is None or stored is None or row.get("drafted") or row.get("_new"):
            return None
        if stored.wdtk_id is None or stored.wdtk_id == wdtk.id:
            return None
        return row["body"]

    def _body_name(self, request: WdtkRequest) -> str | None:
        """The url_name foibot files the request's body under: WDTK's, or the one foibot
        stored for the same WDTK id before WDTK renamed the body, so that reports count
        one body once."""
        body = request.public_body
        if body is None:
            return None
        if self.store.body(body.url_name) is not None:
            return body.url_name
        known = self.store.body_with_wdtk_id(body.id)
        return known.url_name if known is not None else body.url_name

    def _know_body(self, request: WdtkRequest) -> str | None:
        """The request's body (`_body_name`), stored from WDTK's own record when foibot
        does not know it yet (a tracked request's body need not be declared)."""
        body, name = request.public_body, self._body_name(request)
        if body is not None and self.store.body(name) is None:
            self.store.upsert_bodies(
                [
                    Body(
                        body.url_name,
                        body.name,
                        body.short_name or body.name,
                        tag_strings(body.tags),
                        wdtk_id=body.id,
                    )
                ],
                source="wdtk",
            )
        return name

    def _insert_tracked(self, row: dict, request: WdtkRequest) -> None:
        self._know_body(request)
        self.store.insert_tracked_request(
            row["ref"], row["campaign"], row["body"], request.title, row.get("group")
        )
        self.store.log(row["ref"], "tracked", {"wdtk_id": request.id})

    def _store_page(self, ref: str, html: str | None, row: dict) -> None:
        """Reply texts, attachment names and WDTK's own due date, from the request page."""
        if not html:
            return
        stated_status, stated_due = parse_html_status(html)
        self.store.save_correspondence(ref, parse_correspondence(html))
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

    def refresh_dates(self) -> int:
        """Recompute stored dates made with other holiday data (a library upgrade or a
        newly proclaimed holiday in config), so statuses use today's calendar."""
        rows = self.store.requests_with_stale_dates(self.holiday_key)
        if not rows:
            return 0
        # The plain clocks by law and school flag, each group's records in one batch and
        # written in one UPDATE; clocks with recorded extensions one by one.
        groups: dict[tuple[str, bool], list[dict]] = {}
        adjusted: list[tuple[str, str, str]] = []
        for row in rows:
            law, school = row["law"] or "foi", bool(row["is_school"])
            if row["clock_adjust"]:
                due, very = adjusted_dates(row, law, school, self.calendar(law))
                adjusted.append((row["ref"], due.isoformat(), very.isoformat()))
            else:
                groups.setdefault((law, school), []).append(row)
        with self.store.transaction():
            for (law, school), group in groups.items():
                records = dl.compute_deadlines_many(
                    map(dt.date.fromisoformat, [r["sent_on"] for r in group]),
                    law, school=school, calendar=self.calendar(law),
                )  # fmt: skip
                self.store.set_request_dates(
                    [
                        (row["ref"], d.due.isoformat(), d.very_overdue_after.isoformat())
                        for row, d in zip(group, records, strict=True)
                    ],
                    self.holiday_key,
                )
            if adjusted:
                self.store.set_request_dates(adjusted, self.holiday_key)
        return len(rows)


def _event_row(ref: str, e) -> dict:
    return {
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


def _mark_followups_seen_sent(store: Store, request_ref: str, events: list) -> list[str]:
    """Match `followup_sent` events WDTK shows to follow-ups we released, oldest first.
    Called inside the request's ingest transaction. Clock effects are the deadline
    engine's business: a clarification restarts it, nothing else does."""
    marked = []
    for event in events:
        kinds = kinds_seen_sent(event.event_type, event.calculated_state)
        ref = store.oldest_ready_followup(request_ref, kinds) if kinds else None
        if ref:
            store.update_followup(
                ref, status="sent", sent_at=event.created_at.astimezone(dt.UTC).isoformat()
            )
            store.log(
                request_ref, "followup_seen_sent", {"followup": ref, "wdtk_event_id": event.id}
            )
            store.retract_news(news.asking_keys(ref))  # sent: nothing to do
            marked.append(ref)
    return marked
