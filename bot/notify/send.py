"""Send a digest by email (SMTP) and/or to a webhook (Slack-compatible JSON).

The SMTP password is read from the environment variable config names, at send time, and
is never logged, stored or put in an error message.
"""

from __future__ import annotations

import json
import os

from bot.config import EmailConfig, NotifyConfig
from bot.errors import FoibotError
from bot.rules.news import Digest

TIMEOUT_S = 30


class NotifyError(FoibotError):
    pass


def send_email(config: EmailConfig, digest: Digest) -> None:
    # smtplib and email load here, only in a pass with a digest to send.
    import smtplib
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
    password = os.environ.get(config.password_env, "") if config.password_env else ""
    if config.password_env and not password:
        raise NotifyError(
            f"[notify.email] password_env: environment variable {config.password_env} is not set"
        )
    try:
        with smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_S) as smtp:
            if config.starttls:
                smtp.starttls()
            if config.user:
                smtp.login(config.user, password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # Say which server failed and how, never with what credentials.
        raise NotifyError(
            f"email to {config.host}:{config.port} failed: {type(exc).__name__}: {exc}"
        ) from None


def slack_escaped(text: str) -> str:
    """Text Slack shows as written: `&`, `<` and `>` as `&amp;`, `&lt;`, `&gt;`, which is
    all Slack's "Escaping text" asks. Unescaped, a request title holding `<!channel>`,
    `<@U123>` or `<https://evil.example|WDTK>` would ping everyone, a person, or show a
    disguised link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def post_webhook(url: str, digest: Digest) -> None:
    """POST the digest as Slack-compatible JSON. The `Idempotency-Key` header and the
    digest `id` are the same for a resend of the same items, and each item carries its
    own stable `id`, so a receiver can drop what it already has."""
    import urllib.request

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
    request = urllib.request.Request(
        url,
        data=payload,
        headers={"Content-Type": "application/json", "Idempotency-Key": digest.key},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            if response.status >= 300:
                raise NotifyError(f"webhook answered HTTP {response.status}")
    except OSError as exc:
        raise NotifyError(f"webhook failed: {exc}") from None


def channels(config: NotifyConfig) -> list[str]:
    """The channels configured, in the order they are tried."""
    return [name for name, on in (("email", config.email), ("webhook", config.webhook_url)) if on]


def deliver(channel: str, config: NotifyConfig, digest: Digest) -> None:
    """Send one digest on one channel. Raises NotifyError naming the channel's problem."""
    if channel == "email" and config.email is not None:
        send_email(config.email, digest)
    elif channel == "webhook" and config.webhook_url:
        post_webhook(config.webhook_url, digest)
    else:
        raise NotifyError(f"{channel}: not configured")
