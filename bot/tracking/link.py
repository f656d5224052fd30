"""Bind WDTK requests to stored ones: track any request by URL, link a released draft by
hand, and find released drafts on WDTK without a human (auto-link).

Only the requester's own requests are ever bound to a draft: WDTK holds other people's
requests with the same titles and even the same tags (anyone may start from the example
config), so a draft is linked only to a request whose owner is `[wdtk] user` and which
was created after the draft was released.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config import Config
from bot.errors import FoibotError, UsageError
from bot.outcomes import Linked, PollReport
from bot.rules import news
from bot.rules.drafting import ref_prefix
from bot.rules.schedule import NEVER
from bot.store.db import Store
from bot.tracking.ingest import Fetched, Ingest
from bot.tracking.lookup import stored_request
from bot.wdtk.client import FetchResult
from bot.wdtk.payload import WdtkRequest
from bot.wdtk.urls import TAG_NAME, derive_url_title, parse_request_ref, ref_from_tag

MAX_SLUG_WALK = 50  # WDTK appends _2, _3 … to a slug already taken
# A human's clock and WDTK's may disagree by a little: a request created this long before
# the release was recorded still counts as made from it.
CLOCK_SKEW = dt.timedelta(minutes=5)

Fetch = Callable[..., FetchResult]


def owner_mismatch(request: WdtkRequest, user: str | None) -> str | None:
    """Why this request cannot be the user's own, or None if it can."""
    if not user:
        return "[wdtk] user is not set, so foibot cannot tell your requests from others'"
    if request.user_url_name != user:
        return f"it belongs to WDTK user {request.user_url_name or '(unknown)'}, not {user}"
    return None


def made_from(request: WdtkRequest, row: dict, user: str | None, installation: str) -> bool:
    """Whether a WDTK request is the one the human sent for this released draft: owned by
    the user, created at or after the release, and tagged with this draft's ref."""
    if owner_mismatch(request, user):
        return False
    if ref_from_tag(request.tag(TAG_NAME), installation) != row["ref"]:
        return False
    released = row.get("released_at")
    return not (
        released
        and request.created_at is not None
        and request.created_at < dt.datetime.fromisoformat(released) - CLOCK_SKEW
    )


def read_page(client, url_title: str) -> str | None:
    """The request's HTML page, or None: the JSON update still lands without it, and the
    reply text comes with the next reply."""
    try:
        return client.fetch_request_html(url_title)
    except FoibotError:
        return None


class Linker:
    """Track, link and auto-link, over a fetch function and the ingest layer."""

    def __init__(self, store: Store, config: Config, ingest: Ingest, fetch: Fetch, client):
        self.store, self.config, self.ingest, self._fetch = store, config, ingest, fetch
        self.client = client

    def _fetch_with_page(self, target: int | str, *, page: bool) -> Fetched:
        result = self._fetch(target)
        if page and result.ok and result.request is not None:
            return Fetched(result, read_page(self.client, result.request.url_title))
        return Fetched(result)

    # -- by hand -----------------------------------------------------------------------

    def track(
        self, ref_or_url: str, campaign: str | None, now: dt.datetime, group: str | None = None
    ) -> dict:
        target = parse_request_ref(ref_or_url, self.config.wdtk.base_url)
        fetched = self._fetch_with_page(target, page=True)
        request = _require(fetched.result, ref_or_url)
        # Followed because an alert named it (`mail --track`): its new reply is news.
        return self._track_fetched(request, fetched, campaign, group, now, history=False)

    def _track_fetched(
        self,
        request: WdtkRequest,
        fetched: Fetched,
        campaign: str | None,
        group: str | None,
        now: dt.datetime,
        *,
        history: bool,
    ) -> dict:
        """`history`: the replies a request already has when it is first tracked are its
        past, not news (a person adding requests to follow has seen them, or can)."""
        row = self.store.request_by_wdtk_id(request.id) or self._draft_for(request)
        new = row is None or row["wdtk_id"] is None
        if row is None:
            if campaign and not self.store.campaign_exists(campaign):
                self._add_campaign(campaign)
            row = _new_tracked_row(request, campaign)
            row["group"] = group
            row["_history"] = history
        self.ingest.apply(row, fetched, now, PollReport(), new=new)
        stored = self.store.request(row["ref"])
        assert stored is not None
        return stored

    def track_one(
        self,
        ref_or_url: str,
        campaign: str | None,
        now: dt.datetime,
        group: str | None = None,
    ) -> Tracked:
        """Track one request of a batch; never raises for what WDTK answers, so one bad
        line cannot stop the rest. A request already stored is not fetched again (the
        next poll refreshes it); a hidden (403) or missing (404/410: deleted, embargoed
        or mistyped) one is recorded as `hidden` and re-checked daily for the hidden grace
        period, as a tracked request that disappears would be."""
        try:
            target = parse_request_ref(ref_or_url, self.config.wdtk.base_url)
        except UsageError as exc:
            return Tracked(ref_or_url, "failed", error=str(exc))
        existing = stored_request(self.store, target)
        fetched = None
        if existing is not None and isinstance(target, str) and existing["url_title"] != target:
            # Known by a slug WDTK retitled it away from: WDTK may have given that slug to
            # a newer request since. What WDTK serves there says which.
            fetched = self._fetch_with_page(target, page=True)
            found = fetched.result.request if fetched.result.ok else None
            if found is not None and found.id != existing["wdtk_id"]:
                existing = None
        if existing is not None:
            if group and existing.get("group") != group:
                with self.store.transaction():
                    self.store.update_request(existing["ref"], group=group)
                    self.store.log(
                        existing["ref"], "group", {"from": existing.get("group"), "to": group}
                    )
                moved = self.store.request(existing["ref"]) or existing
                before = existing.get("group") or ""
                return Tracked(ref_or_url, "already", moved, moved_from=before)
            return Tracked(ref_or_url, "already", existing)
        fetched = fetched or self._fetch_with_page(target, page=True)
        result = fetched.result
        try:
            if result.ok and result.request is not None:
                row = self._track_fetched(
                    result.request, fetched, campaign, group, now, history=True
                )
                return Tracked(ref_or_url, "tracked", row)
            if result.kind in ("hidden", "gone"):
                row = self._record_unseen(target, result, campaign, group, now)
                return Tracked(
                    ref_or_url, "hidden" if result.kind == "hidden" else "not_found", row
                )
        except FoibotError as exc:
            return Tracked(ref_or_url, "failed", error=str(exc))
        return Tracked(ref_or_url, "failed", error=result.message or result.kind)

    def _record_unseen(
        self,
        target: int | str,
        result: FetchResult,
        campaign: str | None,
        group: str | None,
        now: dt.datetime,
    ) -> dict:
        """A request WDTK will not show: what we know of it (its id, or the slug the
        user gave or the id's redirect led to), hidden, with the usual re-checks."""
        wdtk_id = target if isinstance(target, int) else None
        slug = target if isinstance(target, str) else _slug_from(result.url)
        ref = f"wdtk-{wdtk_id}" if wdtk_id is not None else f"wdtk-{slug}"
        with self.store.transaction():
            if campaign and not self.store.campaign_exists(campaign):
                self.store.add_campaign(campaign, ref_prefix(campaign, self.store.ref_prefixes()))
            self.store.insert_tracked_request(
                ref, campaign, None, slug or f"WDTK request {wdtk_id}", group,
                status="hidden", wdtk_id=wdtk_id, url_title=slug,
                gone_since=now.isoformat(), last_polled_at=now.isoformat(),
                next_poll_at=(now + dt.timedelta(days=1)).isoformat(),
            )  # fmt: skip
            self.store.log(
                ref,
                "tracked",
                {"wdtk_id": wdtk_id, "url_title": slug, "http_status": result.status},
            )
        stored = self.store.request(ref)
        assert stored is not None
        return stored

    def _draft_for(self, request: WdtkRequest) -> dict | None:
        """The released draft this WDTK request was made from, if it is one of ours."""
        installation = self.store.installation_id()
        ref = ref_from_tag(request.tag(TAG_NAME), installation)
        row = self.store.request(ref) if ref else None
        if row is None or row["wdtk_id"] is not None or row["status"] not in ("ready", "draft"):
            return None
        return row if made_from(request, row, self.config.wdtk.user, installation) else None

    def link(self, ref: str, url: str, now: dt.datetime, force: bool = False) -> dict:
        row = self.store.request(ref)
        if row is None:
            raise UsageError(f"no request with ref '{ref}' (see `foibot status`)")
        if row["wdtk_id"] is not None:
            raise UsageError(f"{ref} is already linked to WDTK request {row['wdtk_id']}")
        fetched = self._fetch_with_page(
            parse_request_ref(url, self.config.wdtk.base_url), page=True
        )
        request = _require(fetched.result, url)
        taken = self.store.request_by_wdtk_id(request.id)
        if taken:
            raise UsageError(f"WDTK request {request.id} is already tracked as {taken['ref']}")
        if not force:
            whose = owner_mismatch(request, self.config.wdtk.user)
            if whose:
                raise UsageError(
                    f"{url} is not yours: {whose}; only its owner can follow it up "
                    "(use --force to link it anyway)"
                )
            tagged = ref_from_tag(request.tag(TAG_NAME), self.store.installation_id()) == ref
            if not (tagged or request.title == row["title"]):
                raise UsageError(
                    f"{url} does not look like {ref}: it has no foibot tag for {ref} and its "
                    f"title {request.title!r} differs from {row['title']!r} (use --force if you are sure)"
                )
        report = PollReport()
        self.ingest.apply(row, fetched, now, report, new=True)
        stored = self.store.request(ref)
        assert stored is not None
        return stored

    def _add_campaign(self, slug: str) -> None:
        with self.store.transaction():
            self.store.add_campaign(slug, ref_prefix(slug, self.store.ref_prefixes()))

    # -- without a human ---------------------------------------------------------------

    def autolink(
        self, rows: list[dict], now: dt.datetime, report: PollReport, on_error: Callable
    ) -> None:
        """Find released drafts on WDTK robots-compliantly: fetch the JSON at the slug WDTK
        derives from each title, then its `_2`, `_3` … siblings (given out in order, so the
        first 404 ends the walk), and bind only a request `made_from` the draft. Drafts
        sharing a slug share one walk."""
        policy = self.ingest.policy
        waiting: dict[str, dict] = {}
        for row in rows:
            released = dt.datetime.fromisoformat(row["released_at"]) if row["released_at"] else now
            if now - released > policy.unlinked_give_up:
                days = policy.unlinked_give_up.days
                with self.store.transaction():
                    self._set_next(
                        row["ref"],
                        NEVER,
                        error=f"not found on WDTK {days} days after release: use `foibot link`",
                    )
                    self.store.queue_news([news.not_found_after_release(row["ref"], days)])
                report.given_up.append(row["ref"])
                report.polled -= 1  # given up: not asked for
            else:
                waiting[row["ref"]] = row
        if not waiting:
            return
        user, installation = self.config.wdtk.user, self.store.installation_id()
        if self.config.wdtk.use_feeds:
            for ref, wdtk_id in self._feed_matches(set(waiting), installation):
                self._try_link(waiting, ref, self._fetch(wdtk_id), now, report)
        known = self.store.linked_url_titles()
        groups: dict[str, list[str]] = {}
        for ref, row in waiting.items():
            groups.setdefault(derive_url_title(row["title"]), []).append(ref)
        for base, refs in groups.items():
            if self.client.out_of_time():
                # The pass's time budget ([wdtk] pass_budget_s) is used up: drafts not
                # looked for keep their next_poll_at, so the next pass looks first.
                skipped = [ref for ref in refs if waiting.pop(ref, None) is not None]
                report.polled -= len(skipped)
                report.not_reached += len(skipped)
                continue
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
                            on_error(waiting.pop(ref), result)
                    break
                if result.ok and result.request:
                    ref = ref_from_tag(result.request.tag(TAG_NAME), installation)
                    row = waiting.get(ref or "")
                    if row is not None and made_from(result.request, row, user, installation):
                        self._try_link(waiting, row["ref"], result, now, report)
        for ref in waiting:
            self._set_next(ref, (now + policy.unlinked_every).isoformat())

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
        row = waiting[ref]
        request = result.request
        if not made_from(request, row, self.config.wdtk.user, self.store.installation_id()):
            return
        if self.store.request_by_wdtk_id(request.id):
            return
        waiting.pop(ref)
        self.ingest.apply(
            row, Fetched(result, read_page(self.client, request.url_title)), now, report, new=True
        )
        report.linked.append(Linked(ref, request.id))

    def _feed_matches(self, refs: set[str], installation: str) -> list[tuple[str, int]]:
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
                if isinstance(tag, list) and len(tag) == 2 and tag[0] == TAG_NAME:
                    ref = ref_from_tag(tag[1], installation)
                    if ref in refs:
                        found.append((ref, info["id"]))
        return found

    def _set_next(self, ref: str, when: str, *, error: str | None = None) -> None:
        values: dict = {"next_poll_at": when}
        if error:
            values["poll_error"] = error
        with self.store.transaction():
            self.store.update_request(ref, **values)


@dataclass(frozen=True)
class Tracked:
    """What `track` did with one URL: tracked, already (tracked before), hidden (403),
    not_found (404/410, recorded in case it is embargoed), or failed (with `error`)."""

    target: str
    outcome: str
    row: dict | None = None
    error: str | None = None
    # Already tracked and moved into the group asked for: the group it left ("" for none).
    moved_from: str | None = None

    @property
    def moved(self) -> str:
        """ "moved from group a to b", or "" when it was not moved."""
        if self.moved_from is None or self.row is None:
            return ""
        before = f"group {self.moved_from}" if self.moved_from else "no group"
        return f"moved from {before} to group {self.row['group']}"


def _slug_from(url: str | None) -> str | None:
    """The slug in the address a numeric id's redirect ended at, if it got that far."""
    if not url:
        return None
    tail = urlsplit(url).path.rsplit("/request/", 1)
    if len(tail) != 2:
        return None
    slug = tail[1].removesuffix(".json").strip("/")
    return None if not slug or slug.isdigit() else slug


def _require(result: FetchResult, what: str) -> WdtkRequest:
    if result.ok and result.request is not None:
        return result.request
    reason = {"hidden": "hidden on WDTK (403)", "gone": "not found on WDTK (404)"}.get(
        result.kind, result.message or result.kind
    )
    raise FoibotError(f"{what}: {reason}")


def _new_tracked_row(request: WdtkRequest, campaign: str | None) -> dict:
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
        "reported_status": None,
        "group": None,
        "_new": True,
    }
