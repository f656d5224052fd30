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
from bot.errors import TemplateError, UsageError
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
)
from bot.store.db import Store, utcnow
from bot.templating import builtin_dir
from bot.wdtk.urls import request_url

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


@dataclass
class FollowupReport:
    campaign: str
    kind: str
    created: list[DraftedFollowup] = field(default_factory=list)
    existing: int = 0
    disabled: bool = False
    # Requests held back because a reply seems to announce an extension or fee not yet
    # recorded with `foibot extend`: {"request", "hint"}.
    suggestions: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)  # {"request", "error"}: the rest went on
    not_owned: int = 0  # tracked requests of other WDTK users: only their owner follows up

    def as_json(self) -> dict:
        return {
            "campaign": self.campaign,
            "kind": self.kind,
            "created": [c.as_json() for c in self.created],
            "existing": self.existing,
            "disabled": self.disabled,
            "suggestions": self.suggestions,
            "failed": self.failed,
            "not_owned": self.not_owned,
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
    store: Store, config: Config, slug: str, kind: str, today: dt.date
) -> FollowupReport:
    if kind not in KINDS:
        raise TemplateError(f"unknown follow-up kind {kind!r} (one of {', '.join(KINDS)})")
    campaign = config.campaign(slug)
    report = FollowupReport(slug, kind)
    if not config.followups_enabled:
        report.disabled = True
        return report
    template, template_name = template_for(config, kind)
    existing: dict[str, list[dict]] = {}
    for f in store.followups_of_campaign(slug):
        existing.setdefault(f["request"], []).append(f)
    report.existing = sum(1 for fs in existing.values() for f in fs if f["kind"] == kind)
    rows, report.not_owned = _owned_requests(store, slug, config.wdtk.user)
    drafter = _Drafter(
        config=config,
        kind=kind,
        today=today,
        policy=campaign.followups,
        template=template,
        template_name=template_name,
        histories=_histories(store, slug),
        replies=store.incoming_texts(slug),
        bodies={
            name: b.name
            for name, b in store.bodies_matching({r["body"] for r in rows if r["body"]}, ()).items()
        },
        taken=store.followup_refs(),
        requester={"name": config.requester_name, "email": config.requester_email},
        report=report,
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


def _owned_requests(store: Store, slug: str, user: str | None) -> tuple[list[dict], int]:
    """The campaign's requests on WDTK that `user` owns, and how many others there are: only
    a request's owner can follow it up on WDTK or complain about it."""
    linked = [r for r in store.campaign_requests(slug) if r["wdtk_id"] is not None]
    rows = [r for r in linked if user and r["wdtk_user"] == user]
    return rows, len(linked) - len(rows)


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

    def draft(self, row: dict, mine: list[dict]) -> dict | None:
        """The follow-up row to insert for this request, or None if none is due (or it
        cannot be drafted, which the report notes)."""
        calendar = self.config.calendar(row["law"])
        history = self.histories.get(row["ref"], History())
        due = due_followups(row, self.kind, self.today, self.policy, calendar, mine, history)
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
            body_reference(texts), history,
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


def _histories(store: Store, slug: str) -> dict[str, History]:
    """Each request's replies and WDTK-sent follow-ups, as UK dates, for escalation."""
    import json

    responses: dict[str, list[dt.date]] = {}
    sent: dict[str, list[tuple[dt.date, bool]]] = {}
    for e in store.campaign_events(slug, ("response", "followup_sent")):
        day = dl.receipt_date(e["at"])
        if e["kind"] == "response":
            responses.setdefault(e["ref"], []).append(day)
        else:
            detail = json.loads(e["detail"]) if e["detail"] else {}
            review = detail.get("calculated_state") == "internal_review"
            sent.setdefault(e["ref"], []).append((day, review))
    return {
        ref: History(tuple(responses.get(ref, ())), tuple(sent.get(ref, ())))
        for ref in responses.keys() | sent.keys()
    }


def mark_done(store: Store, ref: str, *, cancelled: bool, now: dt.datetime) -> str:
    """The user says a follow-up was sent by hand (or is not to be sent): it stops being
    listed. A released request can be cancelled the same way, so it stops counting
    against the pace. Returns the new status; raises UsageError for what cannot be done."""
    followup = store.followup(ref)
    stamp = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    if followup is not None:
        if followup["status"] in ("sent", "done", "cancelled"):
            raise UsageError(f"{ref} is already {followup['status']}")
        status = "cancelled" if cancelled else "done"
        with store.transaction():
            store.update_followup(ref, status=status, **({} if cancelled else {"sent_at": stamp}))
            store.log(followup["request"], f"followup_{status}", {"followup": ref})
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
        return _mark_request_sent(store, request, stamp)
    with store.transaction():
        store.update_request(ref, status="cancelled", slot_at=None, send_after=None)
        store.log(ref, "cancelled", {"reason": "cancelled by the user"})
    return "cancelled"


def _mark_request_sent(store: Store, request: dict, at: str) -> str:
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
        store.log(ref, MARKED_SENT, {"reason": "marked sent by the user"}, at=at)
    return "marked sent; foibot links it once WDTK shows it"
