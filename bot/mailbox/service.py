"""Handle new mail: read the folder past the stored cursor, recognise WDTK's alerts, and
poll exactly the requests they name.

Exactly once: handling a message is one transaction that records its key (Message-ID, or
a digest), moves the cursor past its UID and makes the requests it names due a poll now.
A crash before that commit leaves the message to be handled by the next pass; a crash
after it leaves the requests due, so the next pass of any kind polls them. A new
UIDVALIDITY (the folder was rebuilt) restarts the cursor at 0, and the recorded keys keep
the messages already handled from being handled again.

A forged alert can only make foibot poll requests it already follows: what an alert names
beyond those is reported (at most MAX_UNTRACKED per message), and `--track` follows it
only when the alert is genuinely WDTK's (recognise.doubt_about).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config import Config
from bot.errors import ConfigError
from bot.mailbox.imap import Mailbox, MailboxError
from bot.mailbox.recognise import (
    Ignored,
    Interrupted,
    Mention,
    from_site,
    match_mentions,
    recognise,
)
from bot.outcomes import PollReport
from bot.rules.schedule import PROMPTS, after_prompt, policy_for, scheduled_poll
from bot.store.db import Store
from bot.wdtk.urls import request_url
from bot.wording import first_few

# A mailbox read this recently counts as working: polling can relax to a safety net.
HEALTHY_FOR = dt.timedelta(hours=2)
OK_KEY = "mailbox_ok_at"
FAILED_KEY = "mailbox_failed"  # "<when> <why>" of the last read that failed
# The last good read (OK_KEY) whose outage has had its polls brought back (net_to_lift).
LIFTED_KEY = "mailbox_net_lifted_for"
# Requests foibot does not follow, reported (and with --track followed) per message: a
# track digest names at most 100 per track (TrackMailer.alert_tracks, `limit: 100`).
MAX_UNTRACKED = 100


@dataclass
class HandledMail:
    uid: int
    kind: str
    refs: list[str]
    untracked: list[str]  # labels of the requests it named that foibot does not follow
    tracked: list[str] = field(default_factory=list)  # refs started now by --track
    doubt: str | None = None  # why it may not be WDTK's own: then --track follows nothing

    def as_json(self) -> dict:
        return {
            "uid": self.uid,
            "kind": self.kind,
            "refs": self.refs,
            "untracked": self.untracked,
            "tracked": self.tracked,
            "genuine": self.doubt is None,
            "doubt": self.doubt,
        }


@dataclass
class MailReport:
    folder: str
    uidvalidity: int | None = None
    read: int = 0  # new messages looked at
    handled: list[HandledMail] = field(default_factory=list)
    ignored: int = 0  # not WDTK's, or naming no request: left untouched
    already_handled: int = 0  # seen before (a rebuilt folder, a copy)
    uidvalidity_changed: bool = False
    due: list[str] = field(default_factory=list)  # the refs the alerts name, to poll now
    poll: PollReport | None = None  # set by the caller that polls `due`
    error: str | None = None

    @property
    def untracked(self) -> list[str]:
        return list(dict.fromkeys(label for h in self.handled for label in h.untracked))

    def as_json(self) -> dict:
        return {
            "folder": self.folder,
            "uidvalidity": self.uidvalidity,
            "read": self.read,
            "handled": [h.as_json() for h in self.handled],
            "ignored": self.ignored,
            "already_handled": self.already_handled,
            "uidvalidity_changed": self.uidvalidity_changed,
            "untracked": self.untracked,
            "poll": self.poll.as_json() if self.poll else None,
            "error": self.error,
        }

    def paragraph(self, name_untracked: bool = True) -> str:
        """One sentence for a summary; `name_untracked=False` when the caller lists the
        untracked requests itself, message by message."""
        if self.error:
            return f"mailbox not read: {self.error}"
        text = f"read {self.read} new message(s) in {self.folder}"
        if self.already_handled:  # a rebuilt folder, a copy: nothing done twice
            text += f" ({self.already_handled} handled before)"
        if self.handled:
            refs = list(dict.fromkeys(ref for h in self.handled for ref in [*h.refs, *h.tracked]))
            text += f", {len(self.handled)} from WDTK naming {len(refs)} tracked request(s)"
        if self.untracked:
            named = f" ({first_few(self.untracked)})" if name_untracked else ""
            text += f", {len(self.untracked)} not tracked{named}"
        return text


def mailbox_healthy(store: Store, now: dt.datetime) -> bool:
    """Whether the mailbox was read without error recently: then the schedule relaxes."""
    ok = store.setting(OK_KEY)
    return ok is not None and now - dt.datetime.fromisoformat(ok) <= HEALTHY_FOR


def net_to_lift(store: Store, now: dt.datetime) -> str | None:
    """The last good read of a mailbox that has since stopped working, while the polls its
    safety net put off are still to come back to the normal rhythm; None when it works,
    never worked (nothing was put off) or this outage's polls are back already (from then
    on the normal schedule keeps them: a second sweep would move nothing)."""
    ok = store.setting(OK_KEY)
    if ok is None or now - dt.datetime.fromisoformat(ok) <= HEALTHY_FOR:
        return None
    return None if store.setting(LIFTED_KEY) == ok else ok


def check_mail(
    store: Store,
    config: Config,
    now: dt.datetime,
    *,
    track: Callable[[str], str | None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    mailbox: Mailbox | None = None,
) -> MailReport:
    """One pass over new mail: the report's `due` are the requests WDTK's alerts name, for
    the caller to poll (bot.tracking.poll.mail_poller). `track(url)`, for `--track`, follows
    a request foibot does not, giving its ref (or None). Mailbox trouble comes back in
    `error`, never raised: a pass goes on to poll as before."""
    assert config.mailbox is not None, "check_mail needs [mailbox]"
    report = MailReport(config.mailbox.folder)
    own = mailbox is None
    box = mailbox or Mailbox(config.mailbox, stop=should_stop)
    try:
        state = box.open() if own else box.select()
        report.uidvalidity = state.uidvalidity
        report.due = _read(store, config, box, state.uidvalidity, report, now, track, should_stop)
        with store.transaction():
            store.set_setting(OK_KEY, now.isoformat(timespec="seconds"))
    except (MailboxError, ConfigError) as exc:
        # A password missing from cron's environment too: the mail's trouble, told like a
        # notification channel's, while the pass polls and notifies as without a mailbox.
        report.error = str(exc)
        with store.transaction():  # for doctor: the last failure, beside the last success
            store.set_setting(FAILED_KEY, f"{now.isoformat(timespec='seconds')} {exc}")
    finally:
        if own:
            box.close()
    return report


def _read(
    store: Store,
    config: Config,
    box: Mailbox,
    uidvalidity: int,
    report: MailReport,
    now: dt.datetime,
    track: Callable[[str], str | None] | None,
    should_stop: Callable[[], bool],
) -> list[str]:
    folder, base_url = report.folder, config.wdtk.base_url
    relay = config.mailbox.trusted_relay if config.mailbox else ""
    cursor = store.mail_cursor(folder)
    last_uid = 0
    if cursor is not None:
        if cursor[0] == uidvalidity:
            last_uid = cursor[1]
        else:
            report.uidvalidity_changed = True
    uids = box.uids_after(last_uid)
    candidates = {uid for uid, header in box.senders(uids) if from_site(header, base_url)}
    due: list[str] = []
    read_to = last_uid
    for uid in uids:
        if should_stop():
            break
        report.read += 1
        raw = box.message(uid) if uid in candidates else None
        try:
            verdict = (
                recognise(raw, base_url, trusted_relay=relay, should_stop=should_stop)
                if raw is not None
                else None
            )
        except Interrupted:
            report.read -= 1  # left for the next pass, unread
            break
        if verdict is None or isinstance(verdict, Ignored):
            report.ignored += 1
            read_to = uid
            continue
        if store.mail_handled(verdict.key):
            report.already_handled += 1
            read_to = uid
            box.after(uid)  # a second copy goes where the first went ([mailbox] after)
            continue
        matches = match_mentions(verdict.mentions, store.mail_targets())
        untracked = list(matches.untracked[:MAX_UNTRACKED])
        handled = HandledMail(
            uid, verdict.kind, [*matches.linked, *matches.drafts], [], doubt=verdict.doubt
        )
        # Only WDTK's own alert may add requests: a forged one only hastens polls.
        if track is not None and verdict.doubt is None:
            untracked = _track(track, untracked, base_url, handled)
        handled.untracked = [m.label for m in untracked]
        with store.transaction():
            store.record_mail(
                {
                    "key": verdict.key,
                    "folder": folder,
                    "uidvalidity": uidvalidity,
                    "uid": uid,
                    "kind": verdict.kind,
                    "refs": handled.refs,
                    "untracked": handled.untracked,
                }
            )
            store.set_mail_cursor(folder, uidvalidity, uid)
            prompt = verdict.kind in PROMPTS
            hasten = _may_hasten(store, config, handled, now)
            for ref in hasten:
                # Due now: if this pass dies before polling, the next one polls it. A
                # prompt to the requester (overdue, classify) changed nothing on WDTK:
                # polled when they may have acted on it, if that is sooner than planned.
                when = (
                    _after_prompt(store, config, ref, verdict.kind, now)
                    if prompt
                    else now.isoformat()
                )
                store.update_request(ref, next_poll_at=when)
        read_to = uid
        report.handled.append(handled)
        if not prompt:
            due.extend(ref for ref in hasten if ref not in due)
        # After the commit: a crash here leaves the message in place, handled, never lost.
        box.after(uid)
    if read_to != last_uid or cursor is None or report.uidvalidity_changed:
        with store.transaction():
            store.set_mail_cursor(folder, uidvalidity, read_to)
    return due


def _may_hasten(store: Store, config: Config, handled: HandledMail, now: dt.datetime) -> list[str]:
    """The requests a message may make due now. WDTK's own alert: all it names. One that
    may not be WDTK's (`doubt`): only those not polled within WDTK's JSON cache (an
    hour), so that a flood of forged mail cannot make foibot ask WDTK more than a
    request's own schedule floor allows."""
    if handled.doubt is None:
        return handled.refs
    floor = policy_for(config).floor
    fresh = []
    for ref in handled.refs:
        last = (store.request(ref) or {}).get("last_polled_at")
        if last is None or now - dt.datetime.fromisoformat(last) >= floor:
            fresh.append(ref)
    return fresh


def _after_prompt(store: Store, config: Config, ref: str, kind: str, now: dt.datetime) -> str:
    """The next poll of a request a prompt names: its planned one, or the one the prompt
    calls for (schedule.after_prompt) where that is sooner."""
    row = store.request(ref) or {}
    law = row.get("law") or "foi"
    when = after_prompt(kind, now, policy_for(config), config.calendar(law))
    planned = scheduled_poll(row.get("next_poll_at"))
    return (min(planned, when) if planned else when).isoformat()


def _track(
    track: Callable[[str], str | None],
    mentions: list[Mention],
    base_url: str,
    handled: HandledMail,
) -> list[Mention]:
    """`--track`: follow each named request foibot does not; what cannot be tracked (a
    title alone, a request WDTK hides) stays untracked."""
    left = []
    for mention in mentions:
        url = request_url(base_url, mention.url_title, mention.wdtk_id)
        ref = track(url) if url is not None else None
        if ref is None:
            left.append(mention)
        else:
            handled.tracked.append(ref)
    return left
