"""Follow-up operations: draft, release, and notice when WDTK shows one was sent.

The shell around followups.py: it reads requests, replies and existing follow-ups from
the store, asks the pure core what is due, renders templates, and writes in one
transaction, so a re-run (or a run after a kill) never drafts the same follow-up twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from bot import deadlines as dl
from bot.campaigns.drafting import check_wdtk_rules, make_environment
from bot.campaigns.launch_sheet import launch_sheet_name
from bot.config import Config
from bot.dates import LONDON, london_today
from bot.errors import TemplateError
from bot.followups.rules import (
    KINDS,
    History,
    announced_extension,
    body_reference,
    context,
    due_followups,
    followup_ref,
)
from bot.notify import news
from bot.store.db import Store, utcnow
from bot.templating import builtin_dir
from bot.wdtk.urls import request_url


@dataclass
class FollowupReport:
    campaign: str
    kind: str
    created: list[dict] = field(default_factory=list)
    existing: int = 0
    disabled: bool = False
    # Requests held back because a reply seems to announce an extension or fee not yet
    # recorded with `foibot extend`: {"request", "hint"}.
    suggestions: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "campaign": self.campaign,
            "kind": self.kind,
            "created": self.created,
            "existing": self.existing,
            "disabled": self.disabled,
            "suggestions": self.suggestions,
        }


def template_for(config: Config, kind: str) -> tuple[jinja2.Template, str]:
    """The campaign's own templates/followups/<kind>.txt.j2 if it has one, else foibot's."""
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


def _calendar(config: Config, law: str | None) -> dl.WorkingCalendar:
    return dl.calendar_for(law or "foi", config.extra_holidays, config.remove_holidays)


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
    report.existing = store.db.execute(
        "SELECT count(*) FROM followups WHERE kind = ? AND request IN (SELECT ref FROM requests WHERE campaign = ?)",
        [kind, slug],
    ).fetchone()[0]
    rows = [r for r in store.campaign_requests(slug) if r["wdtk_id"] is not None]
    existing = _by_request(
        store,
        "SELECT * FROM followups WHERE request IN (SELECT ref FROM requests WHERE campaign = ?)",
        slug,
    )
    histories = _histories(store, slug)
    replies = _by_request(
        store,
        "SELECT ref AS request, text FROM correspondence WHERE direction = 'incoming' AND ref IN "
        "(SELECT ref FROM requests WHERE campaign = ?) ORDER BY id",
        slug,
    )
    bodies = {
        name: b.name
        for name, b in store.bodies_matching({r["body"] for r in rows if r["body"]}, ()).items()
    }
    taken = {r["ref"] for r in store.db.query("SELECT ref FROM followups")}
    requester = {"name": config.requester_name, "email": config.requester_email}
    new_rows = []
    for row in rows:
        calendar = _calendar(config, row["law"])
        mine = existing.get(row["ref"], [])
        history = histories.get(row["ref"], History())
        due = due_followups(row, kind, today, campaign.followups, calendar, mine, history)
        if due is None:
            continue
        if any(f["kind"] == kind and f["cycle"] == due.cycle for f in mine):
            continue
        texts = [r["text"] for r in replies.get(row["ref"], [])]
        if kind in ("chaser", "complaint") and not row.get("clock_adjust") and not row.get(
            "review_started_on"
        ):
            # A body that lawfully took more time is not late: ask the person to record it
            # (or confirm there is none) rather than chase or complain.
            option = announced_extension(texts, row["law"] or "foi")
            if option:
                report.suggestions.append(
                    {"request": row["ref"], "hint": f"foibot extend {row['ref']} {option}"}
                )
                continue
        url = request_url(config.wdtk.base_url, row["url_title"], row["wdtk_id"])
        reference = body_reference(texts)
        ctx = context(
            row,
            due,
            bodies.get(row["body"], row["body"] or ""),
            today,
            calendar,
            requester,
            url,
            reference,
            history,
        )
        try:
            text = template.render(ctx).strip() + "\n"
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{template_name}: {exc}") from None
        if kind != "complaint" and (problems := check_wdtk_rules(row["title"], text)):
            raise TemplateError(
                f"{template_name}: the {kind} for {row['ref']} breaks WDTK's rules: {'; '.join(problems)}"
            )
        ref = followup_ref(row["ref"], due, taken)
        taken.add(ref)
        new_rows.append(
            {
                "ref": ref, "request": row["ref"], "kind": kind, "cycle": due.cycle, "body": row["body"],
                "text": text, "status": "draft", "created_at": utcnow(), "drafted_on": today.isoformat(),
            }
        )  # fmt: skip
        report.created.append({"ref": ref, "request": row["ref"]})
    if new_rows:
        with store.transaction():
            # A concurrent `followups` or `run --once` may have drafted some of these since
            # they were worked out above (outside this transaction). Re-check under the
            # write lock and keep only those still missing, so that neither the follow-up
            # nor its `followup_drafted` history event is recorded twice (an insert with
            # ignore=True would drop the duplicate row but still log its event). A row
            # whose ref was taken meanwhile by another round waits for the next run.
            have = {
                (r["request"], r["cycle"])
                for r in store.db.query(
                    "SELECT request, cycle FROM followups WHERE kind = ?", [kind]
                )
            }
            refs = {r["ref"] for r in store.db.query("SELECT ref FROM followups")}
            new_rows = [
                r
                for r in new_rows
                if (r["request"], r["cycle"]) not in have and r["ref"] not in refs
            ]
            store.db["followups"].insert_all(new_rows)
            store.log_all(
                {
                    "ref": r["request"],
                    "kind": "followup_drafted",
                    "detail": {"followup": r["ref"], "kind": kind},
                }
                for r in new_rows
            )
            store.queue_news(news.followup_drafted(r["ref"], r["request"], kind) for r in new_rows)
        inserted = {r["ref"] for r in new_rows}
        report.created = [c for c in report.created if c["ref"] in inserted]
    return report


def _histories(store: Store, slug: str) -> dict[str, History]:
    """Each request's replies and WDTK-sent follow-ups, as UK dates, for escalation."""
    import json

    responses: dict[str, list[dt.date]] = {}
    sent: dict[str, list[tuple[dt.date, bool]]] = {}
    for e in store.db.query(
        "SELECT ref, kind, at, detail FROM events WHERE kind IN ('response', 'followup_sent') "
        "AND ref IN (SELECT ref FROM requests WHERE campaign = ?) ORDER BY id",
        [slug],
    ):
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


def _by_request(store: Store, sql: str, slug: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in store.db.query(sql, [slug]):
        grouped.setdefault(row["request"], []).append(row)
    return grouped


def followup_link(config: Config, followup: dict, request: dict) -> str:
    """Where a person sends it: WDTK's follow-up form, or the regulator's complaint page."""
    if followup["kind"] == "complaint":
        from bot.followups.rules import REGULATORS

        return REGULATORS[dl.regulator_for(request["law"] or "foi")]["url"]
    base = (
        f"{config.wdtk.base_url}/request/{request['url_title'] or request['wdtk_id']}/followups/new"
    )
    return base + ("?internal_review=1" if followup["kind"] == "internal-review" else "")


def release_followups(store: Store, config: Config, slug: str, now: dt.datetime) -> list[dict]:
    """Release drafted follow-ups, at most one to each body per UK day."""
    today = london_today(now).isoformat()
    released = []
    with store.transaction():
        rows = list(
            store.db.query(
                "SELECT f.*, r.url_title, r.wdtk_id, r.law FROM followups f JOIN requests r ON r.ref = f.request "
                "WHERE r.campaign = ? AND f.status = 'draft' ORDER BY f.created_at, f.ref",
                [slug],
            )
        )
        busy = {
            r["body"]
            for r in store.db.query(
                "SELECT body, released_at FROM followups WHERE released_at IS NOT NULL"
            )
            if dt.datetime.fromisoformat(r["released_at"]).astimezone(LONDON).date().isoformat()
            == today
        }
        for row in rows:
            if row["body"] in busy:
                continue
            busy.add(row["body"])
            store.db["followups"].update(
                row["ref"], {"status": "ready", "released_at": now.isoformat()}
            )
            store.log(
                row["request"], "followup_released", {"followup": row["ref"], "kind": row["kind"]}
            )
            store.queue_news(
                [news.released(row["ref"], row["request"], row["body"], row["kind"], launch_sheet_name(slug))]
            )
            released.append(
                {
                    "ref": row["ref"], "request": row["request"], "body": row["body"], "kind": row["kind"],
                    "url": followup_link(config, row, row), "text": row["text"],
                }
            )  # fmt: skip
    return released


def unsent_followups(store: Store, config: Config, slug: str) -> list[dict]:
    """Every released follow-up not yet seen sent on WDTK nor marked done by the user: a
    person is shown these on every launch until one of those happens."""
    return [
        {
            "ref": row["ref"], "request": row["request"], "body": row["body"], "kind": row["kind"],
            "url": followup_link(config, row, row), "text": row["text"],
            "released_at": row["released_at"],
        }
        for row in store.ready_followups(slug)
    ]  # fmt: skip


def mark_sent(store: Store, request_ref: str, events: list) -> list[str]:
    """Match `followup_sent` events WDTK shows to follow-ups we released. Call inside the
    request's ingest transaction. Clock effects are the deadline engine's business: a
    clarification restarts it, nothing else does."""
    marked = []
    for event in events:
        if event.event_type != "followup_sent":
            continue
        kinds = (
            ("internal-review",)
            if event.calculated_state == "internal_review"
            else ("chaser", "nudge")
        )
        candidates = list(
            store.db.query(
                f"SELECT ref FROM followups WHERE request = ? AND status = 'ready' AND kind IN ({', '.join('?' * len(kinds))}) "
                "ORDER BY released_at, ref LIMIT 1",
                [request_ref, *kinds],
            )
        )
        if candidates:
            ref = candidates[0]["ref"]
            store.db["followups"].update(
                ref, {"status": "sent", "sent_at": event.created_at.astimezone(dt.UTC).isoformat()}
            )
            store.log(
                request_ref, "followup_seen_sent", {"followup": ref, "wdtk_event_id": event.id}
            )
            marked.append(ref)
    return marked
