"""Send a digest by email (SMTP) and/or to a webhook (Slack-compatible JSON).

The SMTP password is read from the environment variable config names, at send time, and
is never logged, stored or put in an error message.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import bot
from bot.config import EmailConfig, NotifyConfig
from bot.errors import FoibotError, Interrupted
from bot.rules.news import Digest
from bot.watchdog import Watchdog

Stop = Callable[[], bool] | None


class NotifyError(FoibotError):
    pass


def send_email(
    config: EmailConfig, digest: Digest, timeout_s: float = 30.0, stop: Stop = None
) -> None:
    """Send the digest; the whole exchange (connect, greeting, STARTTLS, login, message)
    ends within timeout_s, or within a moment of `stop()` turning true (Interrupted)."""
    # email loads here, only in a pass with a digest to send.
    from email.message import EmailMessage
    from email.utils import formatdate, parseaddr

    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = config.sender
    message["To"] = ", ".join(config.to)
    # RFC 5322 §3.6 requires Date; Message-ID lets a mail client thread and de-duplicate.
    # The id's right-hand side is the sender's domain, not this machine's name (which
    # make_msgid would otherwise put there), and its left-hand side the digest's key, so
    # a digest sent again after a crash is the same message to the receiver.
    domain = parseaddr(config.sender)[1].rpartition("@")[2] or "foibot.invalid"
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<{digest.key}@{domain}>"
    message.set_content(digest.text)
    with smtp_session(config, timeout_s, stop) as smtp:
        smtp.send_message(message)


@contextlib.contextmanager
def smtp_session(config: EmailConfig, timeout_s: float = 30.0, stop: Stop = None) -> Iterator[Any]:
    """A logged-in SMTP connection (connect, greeting, STARTTLS, login) whose whole
    exchange, with whatever the caller does inside, ends within timeout_s or soon after
    `stop()`; every failure is a NotifyError naming the server, never the credentials."""
    import smtplib

    password = os.environ.get(config.password_env, "") if config.password_env else ""
    if config.password_env and not password:
        raise NotifyError(
            f"[notify.email] password_env: environment variable {config.password_env} is not set"
        )
    sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
    try:
        with Watchdog(sockets, timeout_s, stop, name="smtp-watchdog") as watch:
            try:
                with _watched_smtp(sockets)(config.host, config.port, timeout=timeout_s) as smtp:
                    if config.starttls:
                        smtp.starttls()
                    if config.user:
                        smtp.login(config.user, password)
                    yield smtp
            finally:
                _check(watch, f"email to {config.host}:{config.port}")
    except (OSError, smtplib.SMTPException) as exc:
        # Say which server failed and how, never with what credentials.
        raise NotifyError(
            f"email to {config.host}:{config.port} failed: {type(exc).__name__}: {exc}"
        ) from None


def _watched_smtp(sockets: weakref.WeakSet[socket.socket]) -> type:
    """smtplib.SMTP whose sockets (the plain one, then the STARTTLS one) join `sockets`, so
    the watchdog can shut them down; smtplib reads the greeting inside its constructor."""
    import smtplib

    class WatchedSMTP(smtplib.SMTP):
        def _get_socket(self, host, port, timeout):  # noqa: ANN001, ANN202 - smtplib's hook
            sock = super()._get_socket(host, port, timeout)
            sockets.add(sock)
            return sock

        def starttls(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            answer = super().starttls(*args, **kwargs)
            sockets.add(self.sock)
            return answer

    return WatchedSMTP


def _check(watch: Watchdog, what: str) -> None:
    """A delivery the watchdog cut off failed, whatever the server had said by then."""
    if watch.stopped:
        raise Interrupted(f"stopped while sending the {what}")
    if watch.expired:
        raise NotifyError(
            f"{what} failed: timed out: not done within {watch.limit_s:g} s ([notify] timeout_s)"
        )


def slack_escaped(text: str) -> str:
    """Text Slack shows as written: `&`, `<` and `>` as `&amp;`, `&lt;`, `&gt;`, which is
    all Slack's "Escaping text" asks. Unescaped, a request title holding `<!channel>`,
    `<@U123>` or `<https://evil.example|WDTK>` would ping everyone, a person, or show a
    disguised link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def post_webhook(url: str, digest: Digest, timeout_s: float = 30.0, stop: Stop = None) -> None:
    """POST the digest as Slack-compatible JSON. The `Idempotency-Key` header and the
    digest `id` are the same for a resend of the same items, and each item carries its
    own stable `id`, so a receiver can drop what it already has. The whole exchange ends
    within timeout_s (a reply cut off counts as a failure, and is sent again later: the
    key lets the receiver drop the copy), or soon after `stop()` (Interrupted)."""

    payload = json.dumps(
        {
            "text": slack_escaped(f"*{digest.subject}*\n{digest.text}"),
            "count": digest.count,
            "id": digest.key,
            "items": [
                {"id": i.key, "kind": i.kind, "ref": i.ref, "text": slack_escaped(i.text)}
                for i in digest.items
            ],
        }
    ).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": digest.key}
    status = webhook_status(url, "POST", timeout_s, stop, data=payload, headers=headers)
    if status >= 300:
        raise NotifyError(f"webhook answered HTTP {status}")


def webhook_status(
    url: str, method: str, timeout_s: float = 30.0, stop: Stop = None, **kwargs: Any
) -> int:
    """The HTTP status the webhook answers `method` with. The whole exchange ends within
    timeout_s (a reply cut off is a NotifyError, whatever had arrived), or soon after
    `stop()` (Interrupted). Errors never quote the URL: it holds the webhook's token."""
    import requests

    from bot.wdtk.transport import open_session

    sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
    status, problem = None, "no answer"
    with open_session(f"foibot/{bot.__version__}", sockets) as session:
        with Watchdog(sockets, timeout_s, stop, name="webhook-watchdog") as watch:
            try:
                # stream: the status is all foibot needs; the body is never read, so a
                # reply of any size costs nothing.
                with session.request(
                    method, url, timeout=timeout_s, allow_redirects=False, stream=True, **kwargs
                ) as response:
                    status = response.status_code
            except (requests.RequestException, ValueError) as exc:
                # ValueError: a URL http.client cannot use (e.g. a bad port or user:pw@ form).
                refused = "refused" in str(exc).lower()
                problem = "connection refused" if refused else type(exc).__name__
        _check(watch, "webhook")
    if status is None:
        raise NotifyError(f"webhook failed: {problem}")
    return status


def channels(config: NotifyConfig) -> list[str]:
    """The channels configured, in the order they are tried."""
    return [name for name, on in (("email", config.email), ("webhook", config.webhook_url)) if on]


def deliver(channel: str, config: NotifyConfig, digest: Digest, stop: Stop = None) -> None:
    """Send one digest on one channel, within [notify] timeout_s. Raises NotifyError naming
    the channel's problem, or Interrupted once `stop()` is true."""
    if stop is not None and stop():
        raise Interrupted(f"stopped before sending by {channel}")
    if channel == "email" and config.email is not None:
        send_email(config.email, digest, config.timeout_s, stop)
    elif channel == "webhook" and config.webhook_url:
        post_webhook(config.webhook_url, digest, config.timeout_s, stop)
    else:
        raise NotifyError(f"{channel}: not configured")
