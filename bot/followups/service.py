"""Follow-up operations: draft, release, and notice when WDTK shows one was sent.

The shell around followups.py: it reads requests, replies and existing follow-ups from
the store, asks the pure core what is due, renders templates, and writes in one
transaction, so a re-run (or a run after a kill) never drafts the same follow-up twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot import deadlines as dl
from bot.config import Config, FollowupPolicy
from bot.dates import utc_stamp
from bot.errors import ConfigError, TemplateError, UsageError
from bot.followups import KINDS
from bot.rules import news
from bot.rules.drafting import letter_problems, make_environment
from bot.rules.followups import (
    Due,
    History,
    announced_extension,
    body_reference,
    context,
    due_followups,
    followup_ref,
    histories,
    review_window_closed,
)
from bot.rules.schedule import PollPolicy, after_marked_sent
from bot.rules.status import lateness
from bot.rules.withdrawal import WITHDRAWN
from bot.store.db import RequestSet, Store, utcnow
from bot.templating import builtin_dir
from bot.wdtk.urls import request_url
from bot.wording import UNSHOWABLE, first_few

if TYPE_CHECKING:  # jinja2 loads when a follow-up is drafted
    import jinja2


@dataclass(frozen=True)
class DraftedFollowup:
    """A follow-up drafted for review: its own ref and its request's."""

    ref: str
    request: str
    kind: str

    def as_json(self) -> dict:
        return {"ref": self.ref, "request": self.request}


@dataclass(frozen=True)
class Scope:
    """The requests one `followups` run drafts for: a campaign's, with its [followups]
    policy; or tracked requests that belong to no campaign (a `track --group`, or refs
    named one by one), with the [followups.tracked] policy, so a researcher can chase their own
    requests without inventing a campaign."""

    requests: RequestSet
    policy: FollowupPolicy
    campaign: str | None = None
    group: str | None = None

    @classmethod
    def of_campaign(cls, config: Config, slug: str) -> Scope:
        return cls(RequestSet.campaign(slug), config.campaign(slug).followups, campaign=slug)

    @classmethod
    def tracked(cls, config: Config, group: str | None = None, refs: tuple[str, ...] = ()) -> Scope:
        """A group's requests, or only `refs` (of that group, when one is given too), with
        the [followups.tracked] policy."""
        selection = RequestSet.refs(refs) if refs else RequestSet.group(group or "")
        return cls(selection, config.tracked_followups, group=group)


@dataclass
class FollowupReport:
    campaign: str | None
    kind: str
    created: list[DraftedFollowup] = field(default_factory=list)
    existing: int = 0
    disabled: bool = False
    # Requests held back because a reply seems to announce an extension or fee not yet
    # recorded with `foibot extend`: {"request", "hint"}.
    suggestions: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)  # {"request", "error"}: the rest went on
    not_owned: int = 0  # tracked requests of other WDTK users: only their owner follows up
    others: list[dict] = field(default_factory=list)  # those requests: {"request", "user"}
    group: str | None = None
    # Scottish requests whose window for a requirement for review has closed (FOISA
    # s.20(5)), not drafted unless asked for: {"request", "closed_on"}.
    window_closed: list[dict] = field(default_factory=list)
    # Late requests whose reply nobody has classified on WDTK: no chaser while it may be
    # the answer; classified as still waiting, the chaser comes. Their refs.
    unclassified: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "campaign": self.campaign,
            "group": self.group,
            "kind": self.kind,
            "created": [c.as_json() for c in self.created],
            "existing": self.existing,
            "disabled": self.disabled,
            "suggestions": self.suggestions,
            "failed": self.failed,
            "not_owned": self.not_owned,
            "others": self.others,
            "window_closed": self.window_closed,
            "unclassified": self.unclassified,
        }


def template_for(config: Config, kind: str) -> tuple[jinja2.Template, str]:
    """The campaign's own templates/followups/<kind>.txt.j2 if it has one, else foibot's."""
    import jinja2

    name = f"followups/{kind}.txt.j2"
    for root in (config.root / "templates", builtin_dir()):
        if (root / name).is_file():
            try:
                return make_environment(root).get_template(name), str(Path(root) / name)
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateError(
                    f"{exc.filename}:{exc.lineno}: template syntax error: {exc.message}"
                ) from None
    raise TemplateError(f"no template for {kind} follow-ups (looked for templates/{name})")


def draft_followups(
    store: Store,
    config: Config,
    scope: str | Scope,
    kind: str,
    today: dt.date,
    *,
    late_review: bool = False,
) -> FollowupReport:
    """Draft the follow-ups of `kind` due today for a campaign (its slug) or a Scope.
    `late_review`: also Scottish requirements for review whose window has closed (FOISA
    s.20(6)), which are drafted only when a person asks for them."""
    if kind not in KINDS:
        raise TemplateError(f"unknown follow-up kind {kind!r} (one of {', '.join(KINDS)})")
    if isinstance(scope, str):
        scope = Scope.of_campaign(config, scope)
    report = FollowupReport(scope.campaign, kind, group=scope.group)
    if not config.followups_enabled:
        report.disabled = True
        return report
    template, template_name = template_for(config, kind)
    existing: dict[str, list[dict]] = {}
    for f in store.followups_in(scope.requests):
        existing.setdefault(f["request"], []).append(f)
    report.existing = sum(1 for fs in existing.values() for f in fs if f["kind"] == kind)
    rows, report.others = _owned_requests(store, scope.requests, config.wdtk.user)
    report.not_owned = len(report.others)
    if rows and not config.requester_name.strip():
        # A campaign's config cannot load without one; a tracking-only folder has none.
        raise ConfigError(
            f"{config.path.name}: [requester] name is not set: the follow-ups of your own "
            f"requests ({first_few([r['ref'] for r in rows])}) are signed with it; "
            'add [requester] name = "…"'
        )
    known = store.bodies_matching({r["body"] for r in rows if r["body"]}, ())
    drafter = _Drafter(
        config=config,
        kind=kind,
        today=today,
        policy=scope.policy,
        template=template,
        template_name=template_name,
        histories=_histories(store, scope.requests),
        replies=store.incoming_texts_in(scope.requests),
        bodies={name: b.name for name, b in known.items()},
        body_tags={name: b.tags for name, b in known.items()},
        taken=store.followup_refs(),
        requester={"name": config.requester_name, "email": config.requester_email},
        report=report,
        late_review=late_review,
    )
    new_rows = []
    for row in rows:
        new = drafter.draft(row, existing.get(row["ref"], []))
        if new is not None:
            new_rows.append(new)
    if new_rows:
        inserted = _save_drafts(store, kind, new_rows)
        report.created = [c for c in report.created if c.ref in inserted]
    return report


def _owned_requests(
    store: Store, selection: RequestSet, user: str | None
) -> tuple[list[dict], list[dict]]:
    """The selected requests on WDTK that `user` owns, and the others, each with its
    owner's WDTK user name ({"request", "user"}; None for an external request): only a
    request's owner can follow it up on WDTK or complain about it, and no letter is
    signed with the requester's name for a request somebody else made."""
    rows, others = [], []
    for r in store.requests_in(selection):
        if r["wdtk_id"] is None:
            continue
        if user and r["wdtk_user"] == user:
            rows.append(r)
        else:
            others.append({"request": r["ref"], "user": r["wdtk_user"]})
    return rows, others


@dataclass
class _Drafter:
    """Drafts one kind of follow-up for a campaign's requests, from what was read once."""

    config: Config
    kind: str
    today: dt.date
    policy: FollowupPolicy
    template: jinja2.Template
    template_name: str
    histories: dict[str, History]
    replies: dict[str, list[str]]  # each request's reply texts
    bodies: dict[str, str]  # body name by slug
    taken: set[str]  # follow-up refs in use
    requester: dict
    report: FollowupReport  # where held-back and failed requests are noted
    late_review: bool = False  # asked for late Scottish requirements for review too
    # Each body's WDTK tags, by slug: which instrument a school's time limit is in.
    body_tags: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def draft(self, row: dict, mine: list[dict]) -> dict | None:
        """The follow-up row to insert for this request, or None if none is due (or it
        cannot be drafted, which the report notes)."""
        calendar = self.config.calendar(row["law"])
        history = self.histories.get(row["ref"], History())
        due = due_followups(
            row, self.kind, self.today, self.policy, calendar, mine, history,
            late_review=self.late_review,
        )  # fmt: skip
        if due is None and self.kind == "internal-review" and not self.late_review:
            self._note_window_closed(row, mine, calendar, history)
        if due is None and self.kind == "chaser":
            self._note_unclassified(row, mine, calendar, history)
        if due is None or any(f["kind"] == self.kind and f["cycle"] == due.cycle for f in mine):
            return None
        texts = self.replies.get(row["ref"], [])
        if self._extension_announced(row, texts):
            return None
        text = self._render(row, due, calendar, history, texts)
        if text is None:
            return None
        ref = followup_ref(row["ref"], due, self.taken)
        self.taken.add(ref)
        self.report.created.append(DraftedFollowup(ref, row["ref"], self.kind))
        return {
            "ref": ref, "request": row["ref"], "kind": self.kind, "cycle": due.cycle, "body": row["body"],
            "text": text, "status": "draft", "created_at": utcnow(), "drafted_on": self.today.isoformat(),
        }  # fmt: skip

    def _note_unclassified(
        self, row: dict, mine: list[dict], calendar: dl.WorkingCalendar, history: History
    ) -> None:
        """Name a late request not chased only because nobody has classified its reply:
        one that, classified as still waiting, would get its chaser today."""
        late = lateness(row, self.today, calendar)
        if late is None or not late.unclassified:
            return
        waiting = {**row, "awaiting_description": 0}
        if due_followups(waiting, self.kind, self.today, self.policy, calendar, mine, history):
            self.report.unclassified.append(row["ref"])

    def _note_window_closed(
        self, row: dict, mine: list[dict], calendar: dl.WorkingCalendar, history: History
    ) -> None:
        """Say which requirements for review were not drafted because their window has
        closed, so the user can ask for a late one (`--late-review`)."""
        late = due_followups(
            row, self.kind, self.today, self.policy, calendar, mine, history, late_review=True
        )
        if late is None or any(f["kind"] == self.kind and f["cycle"] == late.cycle for f in mine):
            return
        closed = review_window_closed(row, self.today, calendar, history)
        if closed is not None:
            self.report.window_closed.append(
                {"request": row["ref"], "closed_on": closed.isoformat()}
            )

    def _extension_announced(self, row: dict, texts: list[str]) -> bool:
        """A body that lawfully took more time is not late: ask the person to record it (or
        confirm there is none) rather than chase or complain."""
        if self.kind not in ("chaser", "complaint"):
            return False
        if row.get("clock_adjust") or row.get("review_started_on"):
            return False
        option = announced_extension(texts, row["law"] or "foi")
        if option:
            self.report.suggestions.append(
                {"request": row["ref"], "hint": f"foibot extend {row['ref']} {option}"}
            )
        return bool(option)

    def _render(
        self,
        row: dict,
        due: Due,
        calendar: dl.WorkingCalendar,
        history: History,
        texts: list[str],
    ) -> str | None:
        """The follow-up's text, or None (noted in the report) if this request's cannot be
        drafted: one request that cannot be drafted does not stop the rest."""
        import jinja2  # loaded by template_for

        url = request_url(self.config.wdtk.base_url, row["url_title"], row["wdtk_id"])
        body_name = self.bodies.get(row["body"], row["body"] or "")
        ctx = context(
            row, due, body_name, self.today, calendar, self.requester, url,
            body_reference(texts), history, body_tags=self.body_tags.get(row["body"], ()),
        )  # fmt: skip
        name = self.template_name
        try:
            text = self.template.render(ctx).strip() + "\n"
        except jinja2.exceptions.SecurityError as exc:
            # The template itself reaches outside its sandbox: nothing it drafts is safe.
            raise TemplateError(f"{name}: {exc}") from None
        except jinja2.TemplateError as exc:
            return self._failed(row, f"{name}: {exc}")
        if self.kind != "complaint" and (problems := letter_problems(text)):
            rules = "; ".join(problems)
            return self._failed(row, f"{name}: the {self.kind} breaks WDTK's rules: {rules}")
        return text

    def _failed(self, row: dict, error: str) -> None:
        self.report.failed.append({"request": row["ref"], "error": error})


def _save_drafts(store: Store, kind: str, new_rows: list[dict]) -> set[str]:
    """Insert the drafted follow-ups, their history events and news; the refs inserted."""
    with store.transaction():
        # A concurrent `followups` or `run --once` may have drafted some of these since
        # they were worked out (outside this transaction). Re-check under the write lock
        # and keep only those still missing, so that neither the follow-up nor its
        # `followup_drafted` history event is recorded twice (an insert with ignore=True
        # would drop the duplicate row but still log its event). A row whose ref was taken
        # meanwhile by another round waits for the next run.
        have, refs = store.followup_rounds(kind), store.followup_refs()
        new_rows = [
            r for r in new_rows if (r["request"], r["cycle"]) not in have and r["ref"] not in refs
        ]
        store.add_followups(new_rows)
        store.log_all(
            {
                "ref": r["request"],
                "kind": "followup_drafted",
                "detail": {"followup": r["ref"], "kind": kind},
            }
            for r in new_rows
        )
        store.queue_news(news.followup_drafted(r["ref"], r["request"], kind) for r in new_rows)
    return {r["ref"] for r in new_rows}


def _histories(store: Store, selection: RequestSet) -> dict[str, History]:
    """Each request's replies and WDTK-sent follow-ups, as UK dates, for escalation."""
    return histories(store.events_in(selection, ("response", "followup_sent")))


def _poll_soon(store: Store, request: str, now: dt.datetime) -> None:
    row = store.request(request)
    if row is not None and row.get("wdtk_id") is not None:
        when = after_marked_sent(row.get("next_poll_at"), now, PollPolicy())
        store.update_request(request, next_poll_at=when)


def mark_done(
    store: Store, ref: str, *, cancelled: bool, now: dt.datetime, by: str | None = None
) -> str:
    """The user says a follow-up was sent by hand (or is not to be sent): it stops being
    listed. A released request can be cancelled the same way, so it stops counting
    against the pace. Returns the new status; raises UsageError for what cannot be done.
    `by`: who did it (an account of `foibot serve`), kept in the event."""
    who = {"by": by} if by else {}
    stamp = utc_stamp(now)
    if store.followup(ref) is not None:
        status = "cancelled" if cancelled else "done"
        with store.transaction():
            # Read under the write lock: a poll may have withdrawn it a moment ago.
            followup = store.followup(ref)
            assert followup is not None  # follow-ups are never deleted but by `untrack`
            if followup["status"] == WITHDRAWN:
                raise UsageError(
                    f"{ref} was withdrawn, not to be sent: {followup['withdrawn_note']}"
                )
            if followup["status"] in ("sent", "done", "cancelled"):
                raise UsageError(f"{ref} is already {followup['status']}")
            store.update_followup(ref, status=status, **({} if cancelled else {"sent_at": stamp}))
            store.log(followup["request"], f"followup_{status}", {"followup": ref, **who})
            store.retract_news(news.asking_keys(ref))
            if not cancelled:  # WDTK shows it now: polled soon, whatever the schedule said
                _poll_soon(store, followup["request"], now)
        return status
    request = store.request(ref)
    if request is None:
        from bot.config import suggest

        near = suggest(ref, store.all_refs(followups=True))
        raise UsageError(f"no follow-up or request with ref '{ref}'{near} (see `foibot status`)")
    if request["status"] not in ("draft", "ready") or request["wdtk_id"] is not None:
        what = "cancelled" if cancelled else "marked sent"
        raise UsageError(f"{ref} is already on WDTK ({request['status']}): it cannot be {what}")
    if not cancelled:
        return _mark_request_sent(store, request, stamp, by)
    with store.transaction():
        store.update_request(ref, status="cancelled", slot_at=None, send_after=None)
        store.log(ref, "cancelled", {"reason": "cancelled by the user", **who})
        store.retract_news(news.asking_keys(ref))
    return "cancelled"


def _mark_request_sent(store: Store, request: dict, at: str, by: str | None = None) -> str:
    """The user sent a released request on WDTK. WDTK's pages may not show it for up to
    an hour (they are cached), and until then `launch` and the launch sheet would offer
    its link again, inviting a duplicate: from now on they list it as sent, and its time
    counts against the pace. The poll still finds it on WDTK and links it."""
    from bot.store.schedule import MARKED_SENT

    ref = request["ref"]
    if request["status"] != "ready":
        raise UsageError(f"{ref} is not released yet ({request['status']}): nothing to send")
    if any(ref == r["ref"] for r in store.marked_sent_requests()):
        raise UsageError(f"{ref} is already marked sent; foibot links it once WDTK shows it")
    with store.transaction():
        who = {"by": by} if by else {}
        store.log(ref, MARKED_SENT, {"reason": "marked sent by the user", **who}, at=at)
        store.retract_news([news.ready_key(ref)])
    return "marked sent; foibot links it once WDTK shows it"


# A follow-up's text may be changed, or approved, until it is sent, done or cancelled.
EDITABLE = ("draft", "ready")


def _editable(store: Store, ref: str) -> dict:
    """The follow-up, read under the write lock; UsageError if it is past editing."""
    followup = store.followup(ref)
    if followup is None:
        raise UsageError(f"no follow-up with ref '{ref}'")
    if followup["status"] not in EDITABLE:
        raise UsageError(f"{ref} is {followup['status']}: it can no longer be changed")
    return followup


def edit_followup(store: Store, ref: str, text: str, *, by: str | None, loaded: str) -> bool:
    """Replace a drafted or released follow-up's text with a person's edit: what `launch`
    then releases and lists is this text. `loaded`: the text the editor started from; if
    someone changed it since, nothing is saved (UsageError naming the change). Returns
    False when the text is unchanged. The event keeps who edited it."""
    text = text.replace("\r\n", "\n").strip() + "\n"
    if bad := UNSHOWABLE.search(text):
        raise UsageError(
            f"{ref}: the letter holds a control character (U+{ord(bad.group()):04X}, character "
            f"{bad.start() + 1}), which WDTK's form and a terminal would not show: remove it"
        )
    with store.transaction():
        followup = _editable(store, ref)
        if followup["text"] == text:
            return False
        if followup["text"].strip() != loaded.replace("\r\n", "\n").strip():
            raise UsageError(f"{ref} was changed by someone else since you opened it: reload it")
        store.update_followup(ref, text=text)
        store.log(
            followup["request"], "followup_edited", {"followup": ref, **({"by": by} if by else {})}
        )
    return True


def approve_followup(store: Store, ref: str, *, by: str | None, now: dt.datetime) -> None:
    """A person has read the drafted follow-up and approves it as it stands: recorded
    (with who) beside it; `launch` still releases it at its pace, one per body a day."""
    with store.transaction():
        followup = _editable(store, ref)
        detail = {"followup": ref, **({"by": by} if by else {})}
        store.log(
            followup["request"],
            "followup_approved",
            detail,
            at=utc_stamp(now),
        )
        store.retract_news([news.review_key(ref)])  # reviewed: no longer waiting for it
