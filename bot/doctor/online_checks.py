"""`foibot doctor --online`: one call each to WDTK, the mailbox and the notification
channels, to say whether they answer and accept foibot's login."""

from __future__ import annotations

import time
from typing import Any

from bot.config import BodyConfig, Config, EmailConfig
from bot.doctor.check import Check, failed, passed, warning
from bot.errors import ConfigError
from bot.mailbox.imap import Mailbox, MailboxError
from bot.wdtk.client import WdtkClient
from bot.wdtk.errors import WdtkError
from bot.wdtk.payload import WdtkBody, parse_body, tag_strings
from bot.wdtk.robots import RobotsRules
from bot.wording import plural

ROBOTS_PROBE = "/request/1.json"  # what polling fetches; robots.txt must allow it


def check_online(config: Config) -> Check:
    """One GET of robots.txt: does WDTK answer, and may foibot poll request JSON?"""
    base = config.wdtk.base_url
    # We fetch robots.txt ourselves, so the client must not fetch it first; and one try
    # is enough for a diagnosis (retries with backoff would only make doctor slow).
    wdtk_config = config.wdtk._replace(respect_robots=False)
    started = time.monotonic()
    status = 200
    try:
        with WdtkClient(wdtk_config, max_tries=1) as client:
            text = client.get_text("/robots.txt")
    except WdtkError as exc:
        if exc.status is None or exc.status >= 500 or exc.status in (408, 429):
            return failed(
                "WDTK (online)",
                f"{base} did not answer properly: {exc}",
                "check the network and [wdtk] base_url; WDTK may be down, so try again later",
            )
        status, text = exc.status, ""  # RFC 9309: a 4xx robots.txt allows everything
    took = time.monotonic() - started
    allowed = RobotsRules(text, "foibot").allowed(ROBOTS_PROBE)
    answered = f"{base} answered in {took:.1f} s" + (
        f" (robots.txt: HTTP {status}, so no rules)" if status != 200 else ""
    )
    if allowed:
        return passed("WDTK (online)", f"{answered}; robots.txt allows {ROBOTS_PROBE}")
    if not config.wdtk.respect_robots:
        return warning(
            "WDTK (online)",
            f"{answered}; robots.txt disallows {ROBOTS_PROBE}, and [wdtk] respect_robots = "
            "false ignores it",
            "ask WDTK before polling against its robots.txt",
        )
    return failed(
        "WDTK (online)",
        f"{answered}; robots.txt disallows {ROBOTS_PROBE}, so polling cannot work",
        "check [wdtk] base_url points at WhatDoTheyKnow",
    )


def check_declared_bodies(config: Config) -> list[Check]:
    """Each body declared in [bodies] against WDTK's `/body/<url_name>.json`, through the
    one polite client (robots.txt, pacing, User-Agent): one line per body WDTK does not
    know, or whose name or tags differ there; one line in all when every one matches.

    A declared tag WDTK does not give the body matters: tags decide the law (`scotland`:
    FOISA), schools' limits and `body_tags` selections, so a wrong one drafts the wrong
    letter. Tags WDTK has and the config leaves out are not listed: a config names only
    the tags it uses."""
    name = "bodies (online)"
    if not config.bodies:
        return []
    checks: list[Check] = []
    with WdtkClient(config.wdtk, max_tries=1) as client:
        for url_name, declared in config.bodies.items():
            where = f"{config.path.name}: bodies.{url_name}"
            try:
                body = parse_body(client.get_json(f"/body/{url_name}.json"))
            except WdtkError as exc:
                if exc.status in (404, 410):
                    checks.append(
                        failed(
                            name,
                            f"{where}: WDTK has no body with this url_name (HTTP {exc.status})",
                            "use the url_name in the body's WDTK address (/body/<url_name>), "
                            "or `foibot bodies import` and pick from that list",
                        )
                    )
                else:
                    checks.append(failed(name, f"{where}: not checked: {exc}", "try again later"))
                continue
            checks.extend(_body_differences(name, where, declared, body))
    if not checks:
        checks.append(
            passed(name, f"all {plural(len(config.bodies), 'declared body')} "
                   "match WDTK's url_names, names and tags")
        )  # fmt: skip
    return checks


def _body_differences(name: str, where: str, declared: BodyConfig, body: WdtkBody) -> list[Check]:
    wdtk_tags = set(tag_strings(body.tags)) | {key for key, _ in body.tags}
    missing = [tag for tag in declared.tags if tag not in wdtk_tags]
    problems = []
    if declared.name != body.name:
        problems.append(f"name {declared.name!r} here, {body.name!r} on WDTK")
    if missing:
        problems.append(f"tags not on WDTK: {', '.join(missing)}")
    if not problems:
        return []
    return [
        warning(
            name,
            f"{where}: " + "; ".join(problems),
            "copy the name and tags from the body's WDTK page (or `foibot bodies import`)",
        )
    ]


def check_mailbox(config: Config) -> Check:
    """[mailbox]: log in, open the folder, and say whether IDLE lets the daemon wait."""
    mailbox = config.mailbox
    assert mailbox is not None
    name = "mailbox (online)"
    try:
        with Mailbox(mailbox) as box:  # each step within [mailbox] timeout_s, as a pass
            state, idle = box.state, box.offers_idle
    except ConfigError as exc:
        return failed(name, str(exc), f"export {mailbox.password_env}=… where foibot runs")
    except MailboxError as exc:
        return failed(
            name, str(exc), "check [mailbox] host, port, tls, user and folder, and the password"
        )
    assert state is not None
    waits = (
        "the daemon waits with IDLE"
        if idle
        else f"no IDLE: the daemon checks {config.schedule.mail}"
    )
    return passed(
        name,
        f"logged in as {mailbox.user} at {mailbox.host}:{mailbox.port}; folder {mailbox.folder} "
        f"has {plural(state.exists, 'message')}; {waits}",
    )


def check_notify_online(config: Config) -> list[Check]:
    """The SMTP login and whether the server takes the sender and each recipient (the
    envelope is reset before any message: none is sent), and whether the webhook answers
    at all."""
    from bot.notify.send import NotifyError, smtp_session, webhook_status

    checks = []
    # The same connections as a delivery, under the same watchdog ([notify] timeout_s):
    # a tarpitting server cannot hold doctor longer than it could hold a pass.
    timeout_s = config.notify.timeout_s
    email = config.notify.email
    if email is not None:
        try:
            with smtp_session(email, timeout_s) as smtp:
                refused = _envelope_refusals(smtp, email)
            what = "accepts the login" if email.user else "accepts a connection (no login set)"
            if refused:
                checks.append(
                    failed(
                        "e-mail (online)",
                        f"{email.host}:{email.port} {what} but refuses {'; '.join(refused)}",
                        "check [notify.email] from and to, and that the server relays for "
                        "this login",
                    )
                )
            else:
                checks.append(
                    passed(
                        "e-mail (online)",
                        f"{email.host}:{email.port} {what}, the sender and "
                        f"{plural(len(email.to), 'recipient')}",
                    )
                )
        except NotifyError as exc:
            checks.append(
                failed(
                    "e-mail (online)",
                    str(exc),
                    "check [notify.email] host, port, starttls, user and the password variable",
                )
            )
    if config.notify.webhook_url:
        url = config.notify.webhook_url
        try:
            status = webhook_status(url, "HEAD", timeout_s)
        except NotifyError as exc:
            checks.append(
                failed(
                    "webhook (online)", f"{redacted_url(url)}: {exc}", "check [notify.webhook] url"
                )
            )
            return checks
        # It answered: a webhook that takes only POST says 405, or 501 (HEAD not
        # implemented, as Python's http.server says); other 5xx are a server in trouble.
        message = f"{redacted_url(url)} answers HEAD with HTTP {status} (digests are POSTed)"
        checks.append(
            passed("webhook (online)", message)
            if status < 500 or status == 501
            else failed("webhook (online)", message, "check [notify.webhook] url")
        )
    return checks


def _envelope_refusals(smtp: Any, email: EmailConfig) -> list[str]:
    """What the server refuses of a digest's envelope (MAIL FROM, each RCPT TO), reset
    before any DATA, so that no message is sent."""
    refused = []
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(email.sender)
    if code >= 400:
        return [f"the sender {email.sender} ({code} {_text(reply)})"]
    for to in email.to:
        code, reply = smtp.rcpt(to)
        if code >= 400:
            refused.append(f"{to} ({code} {_text(reply)})")
    smtp.rset()
    return refused


def _text(reply: bytes | str) -> str:
    from bot.extraction.collect import one_line

    return one_line(reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply)


def redacted_url(url: str) -> str:
    """`url` as doctor may print it: scheme, host and port only. A webhook's secret is in
    its path (Slack: /services/T…/B…/<token>) or query, sometimes in user:password@."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host  # IPv6
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a port that is not a number: nothing of it is shown
        return "(webhook URL)"
    hidden = "/…" if (parts.path.strip("/") or parts.query or parts.fragment) else ""
    return f"{parts.scheme}://{host}{port}{hidden}"
