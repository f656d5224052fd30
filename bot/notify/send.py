"""Send a digest by email (SMTP) and/or to a webhook (Slack-compatible JSON).

The SMTP password is read from the environment variable config names, at send time, and
is never logged, stored or put in an error message.
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.request
from email.message import EmailMessage

from bot.config import EmailConfig, NotifyConfig
from bot.errors import FoibotError
from bot.notify.news import Digest

TIMEOUT_S = 30


class NotifyError(FoibotError):
    pass


def send_email(config: EmailConfig, digest: Digest) -> None:
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = config.sender
    message["To"] = ", ".join(config.to)
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


def post_webhook(url: str, digest: Digest) -> None:
    payload = json.dumps(
        {"text": f"*{digest.subject}*\n{digest.text}", "count": digest.count}
    ).encode()
    request = urllib.request.Request(
        url, data=payload, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            if response.status >= 300:
                raise NotifyError(f"webhook answered HTTP {response.status}")
    except OSError as exc:
        raise NotifyError(f"webhook failed: {exc}") from None


def send_digest(config: NotifyConfig, digest: Digest) -> list[str]:
    """Send through every configured channel; the channels that worked."""
    sent, errors = [], []
    if config.email:
        try:
            send_email(config.email, digest)
            sent.append("email")
        except NotifyError as exc:
            errors.append(str(exc))
    if config.webhook_url:
        try:
            post_webhook(config.webhook_url, digest)
            sent.append("webhook")
        except NotifyError as exc:
            errors.append(str(exc))
    if errors and not sent:
        raise NotifyError("; ".join(errors))
    return sent
