"""WDTK's alert e-mails as Alaveteli sends them, for the mailbox tests and the benchmark.

Each builder follows one of Alaveteli's mailer templates (app/views/request_mailer/*.text.erb
and *.html.erb, app/views/track_mailer/event_digest.text.erb) and the mailer that sends it
(app/mailers/request_mailer.rb, track_mailer.rb): the same subjects, the same sentences,
the same links. Headers are encoded by the standard library, so non-ASCII titles arrive
RFC 2047-encoded and bodies quoted-printable or base64, as a real mail server stores them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import quote, urlsplit

SITE = "WhatDoTheyKnow"
_ids = itertools.count(1)


def _domain(base_url: str) -> str:
    return (urlsplit(base_url).hostname or "").removeprefix("www.")


BLACKHOLE = "do-not-reply-to-this-address"  # Alaveteli's default BLACKHOLE_PREFIX


def _message(
    base_url: str, subject: str, *, sender: str | None = None, track: bool = False,
    at: dt.datetime | None = None, relay: str | None = None,
) -> EmailMessage:  # fmt: skip
    """The headers ApplicationMailer#mail_user sets: From and Return-Path the blackhole
    address (set_reply_to_headers; Return-Path becomes the envelope sender, which the
    receiving server records), Auto-Submitted and X-Auto-Response-Suppress
    (set_auto_generated_headers), and for a track digest Precedence: bulk
    (TrackMailer#event_digest). With `relay`, the Received line that server adds on
    taking the message from the site's own mail host."""
    message = EmailMessage()
    domain = _domain(base_url)
    address = sender or f"{BLACKHOLE}@{domain}"
    if relay is not None:
        host = f"mx0.{domain}"
        message["Received"] = (
            f"from {host} ({host} [192.0.2.25]) by {relay} (Postfix) with ESMTPS id 4Q7x; "
            "Fri, 20 Mar 2026 09:00:02 +0000 (GMT)"
        )
    message["Return-Path"] = f"<{address}>"
    message["From"] = f"{SITE} <{address}>"
    message["To"] = "Test Requester <requester@example.org>"
    message["Subject"] = subject
    message["Date"] = format_datetime(at or dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC))
    message["Message-ID"] = make_msgid(f"wdtk{next(_ids)}", domain="mail.example.org")
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "OOF"
    if track:
        message["Precedence"] = "bulk"
    return message


def new_response(
    base_url: str, url_title: str, title: str, body_name: str, incoming_id: int, **kw
) -> bytes:
    """request_mailer/new_response: a plain part and an HTML part, link with nocache."""
    url = f"{base_url}/request/{url_title}?nocache=incoming-{incoming_id}#incoming-{incoming_id}"
    message = _message(base_url, f"New response to your FOI request - {title}", **kw)
    message.set_content(
        "You have a new response to the Freedom of Information request \n"
        f"'{title}' that you made to \n{body_name}. \n\n"
        "To view the response, click on the link below.\n\n"
        f"{url}\n\n"
        "When you get there, please update the status to say if the response \n"
        "contains any useful information.\n\n"
        "Although all responses are automatically published, we depend on\n"
        "you, the original requester, to evaluate them.\n\n"
        f"-- the {SITE} team\n",
        cte="quoted-printable",
    )
    message.add_alternative(
        "<h2>\n  You have a new response to the Freedom of Information request\n"
        f"  '{_html(title)}'\n  that you made to\n  {_html(body_name)}.\n</h2>\n"
        f'<p>\n  <a class="button" href="{_html(url)}">Read full response</a>\n</p>\n'
        f'<p class="byline">\n  &ndash; the {SITE} team\n</p>\n',
        subtype="html",
        cte="quoted-printable",
    )
    return bytes(message)


def new_response_html_only(
    base_url: str, url_title: str, title: str, body_name: str, incoming_id: int, **kw
) -> bytes:
    """new_response.html.erb alone: no plain part to read the link from."""
    url = f"{base_url}/request/{url_title}?nocache=incoming-{incoming_id}#incoming-{incoming_id}"
    message = _message(base_url, f"New response to your FOI request - {title}", **kw)
    message.set_content(
        "<h2>You have a new response to the Freedom of Information request "
        f"'{_html(title)}' that you made to {_html(body_name)}.</h2>"
        f'<p><a class="button" href="{_html(url)}">Read full response</a></p>',
        subtype="html",
        cte="quoted-printable",
    )
    return bytes(message)


def overdue_alert(
    base_url: str, wdtk_id: int, title: str, body_name: str, *, very: bool = False, **kw
) -> bytes:
    """request_mailer/overdue_alert (and very_overdue_alert): the link is
    respond_to_last_url, by the request's numeric id."""
    url = f"{base_url}/request/{wdtk_id}/followups/new#followup"
    lead = (
        "You're long overdue a response to your FOI request - "
        if very
        else "Delayed response to your FOI request - "
    )
    message = _message(base_url, lead + title, **kw)
    message.set_content(
        f"{body_name} have delayed.\n\n"
        f"They have not replied to your FOI request {title} promptly, as normally "
        "required by law.\n\n"
        f"Click on the link below to send a message to {body_name} reminding them to "
        f"reply to your request.\n\n{url}\n\n-- the {SITE} team\n",
        cte="quoted-printable",
    )
    return bytes(message)


def comment_alert(base_url: str, url_title: str, title: str, comment_id: int, **kw) -> bytes:
    """request_mailer/comment_on_alert: someone annotated the request; the link is
    comment_url, the request's page at the comment's anchor."""
    message = _message(base_url, f"Somebody added a note to your FOI request - {title}", **kw)
    message.set_content(
        "Another User has annotated your FOI request. Follow this link to see what they "
        f"wrote.\n\n{base_url}/request/{url_title}#comment-{comment_id}\n\n-- the {SITE} team\n",
        cte="quoted-printable",
    )
    return bytes(message)


def overdue_alert_token(base_url: str, title: str, body_name: str, **kw) -> bytes:
    """An older Alaveteli's overdue alert: a /c/<token> sign-in link that names nothing,
    so only the title in the subject says which request it is."""
    message = _message(base_url, f"Delayed response to your FOI request - {title}", **kw)
    message.set_content(
        f"{body_name} have delayed.\n\nThey have not replied to your FOI request {title} "
        f"promptly, as normally required by law.\n\n{base_url}/c/3rfd8s0hq2\n\n"
        f"-- the {SITE} team\n",
        cte="quoted-printable",
    )
    return bytes(message)


def classify_reminder(base_url: str, url_title: str, title: str, body_name: str, **kw) -> bytes:
    """request_mailer/new_response_reminder_alert: a sign-in link whose `r` names the
    request, and a subject with no title."""
    target = quote(f"/request/{url_title}#describe_state_form_1", safe="")
    message = _message(base_url, "Please update the status of your request", **kw)
    message.set_content(
        "To let everyone know, follow this link and then select the appropriate box.\n\n"
        f"{base_url}/profile/sign_in?r={target}\n\n"
        f"Your request was called '{title}'. Letting everyone know whether you got the "
        f"information will help us keep tabs on\n{body_name}.\n\n-- the {SITE} team\n",
        cte="quoted-printable",
    )
    return bytes(message)


def track_alert(base_url: str, items: list[tuple[str, str, str, int]], **kw) -> bytes:
    """track_mailer/event_digest for a search or body track: several requests, each
    `-- title --`, who sent what, an extract and the link. items: (url_title, title,
    body_name, incoming_id)."""
    text = "Requests to the Home Office\n===========================\n\n"
    for url_title, title, body_name, incoming_id in items:
        url = (
            f"{base_url}/request/{url_title}?nocache=incoming-{incoming_id}#incoming-{incoming_id}"
        )
        text += (
            f"-- {title} --\n{body_name} sent a response to Test Requester (20 March 2026)\n"
            '"Dear Test Requester, Please find attached our response to your request…"\n'
            f"{url}\n\n"
        )
    text += (
        "Alter your subscription\n=======================\n\n"
        f"{base_url}/c/9ahdf7s8\n\nUnsubscribe\n===========\n\n"
        f"{base_url}/c/k2j3h4g5\n\n-- the {SITE} team\n"
    )
    message = _message(base_url, f"Your {SITE} email alert", track=True, **kw)
    message.set_content(text, cte="quoted-printable")
    return bytes(message)


def forged_alert(
    base_url: str, url_titles: list[str], *, received_from: str | None = None,
    relay: str | None = None, copy_headers: bool = False,
) -> bytes:  # fmt: skip
    """A "track alert" someone else sent with the site's From line, naming requests
    (each link as often as its slug is listed). copy_headers: it also copies the headers
    Alaveteli sets (and a Return-Path at the site); with relay and received_from, the
    relay's Received line says which host really handed it over."""
    domain = _domain(base_url)
    message = EmailMessage()
    if relay is not None:
        message["Received"] = (
            f"from mx0.{domain} ({received_from} [198.51.100.7]) by {relay} (Postfix) "
            "with ESMTP id 9Zz1; Fri, 20 Mar 2026 09:00:02 +0000 (GMT)"
        )
    message["Return-Path"] = f"<{BLACKHOLE}@{domain}>" if copy_headers else "<x@forger.example>"
    # What a forger adds to look the part: a Received line below the relay's, naming it.
    if relay is not None:
        message["Received"] = f"from mx0.{domain} (mx0.{domain} [192.0.2.25]) by {relay}"
    message["From"] = f"{SITE} <{BLACKHOLE}@{domain}>"
    message["To"] = "Test Requester <requester@example.org>"
    message["Subject"] = f"Your {SITE} email alert"
    message["Message-ID"] = make_msgid(f"forged{next(_ids)}", domain="forger.example")
    if copy_headers:
        message["Auto-Submitted"] = "auto-generated"
        message["X-Auto-Response-Suppress"] = "OOF"
        message["Precedence"] = "bulk"
    lines = "".join(f"{base_url}/request/{slug}\n" for slug in url_titles)
    message.set_content("Requests you might like\n\n" + lines)
    return bytes(message)


def other_sender(base_url: str, url_title: str, **kw) -> bytes:
    """A newsletter that links to a request but is not from the site."""
    message = _message(base_url, "This week in FOI", sender="news@foi-digest.example.net", **kw)
    message.set_content(f"Worth reading: {base_url}/request/{url_title}\n")
    return bytes(message)


def malformed(base_url: str) -> bytes:
    """Broken headers (an unterminated encoded word, a bare From without an address) and
    a body that claims base64 but is not."""
    domain = _domain(base_url)
    return (
        f"From: =?utf-8?q?WhatDoTheyKnow <postmaster@{domain}\r\n"
        "Subject: =?x-unknown?b?////?=\r\n"
        "Content-Type: text/plain; charset=x-no-such-charset\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        "%%% not base64 at all %%%\r\n"
    ).encode()


def _html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
