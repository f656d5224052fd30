"""What `foibot init` writes into an empty folder (pure: text in, text out).

The config it writes loads as it stands: a tracking-only folder needs no [requester] and
no letter; a campaign folder gets one example campaign whose letter is written beside it.
Every section is there, commented, with the optional ones commented out at their defaults.
"""

from __future__ import annotations

import json

from bot.config import DEFAULT_BASE_URL

CONFIG = "config.toml"
LETTER = "templates/letters/letter.txt.j2"
STATE_DIR = "state"


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string (the same escapes).
    return json.dumps(value, ensure_ascii=False)


def config_text(
    *,
    user: str,
    contact: str,
    requester: str = "",
    tracking_only: bool = False,
    base_url: str = DEFAULT_BASE_URL,
) -> str:
    needed = "a [[campaigns]] entry" if requester else "[requester] and a [[campaigns]] entry"
    parts = [
        _HEADER_TRACKING.format(needed=needed) if tracking_only else _HEADER_CAMPAIGN,
        _WDTK.format(
            base_url=_toml_string(base_url), user=_toml_string(user), contact=_toml_string(contact)
        ),
        _COMMON,
    ]
    if tracking_only:
        if requester:  # `followups --group` signs your own requests' follow-ups with it
            parts.append(_REQUESTER.format(requester=_toml_string(requester)))
            parts.append("# No campaign: this folder only tracks requests. A campaign needs a\n"
                         "# letter, e.g.\n" + _NO_CAMPAIGN)  # fmt: skip
        else:
            parts.append(_NO_CAMPAIGN_WITHOUT_REQUESTER + _NO_CAMPAIGN)
    else:
        parts.append(_CAMPAIGN.format(requester=_toml_string(requester), letter=LETTER))
    return "\n".join(parts)


LETTER_TEXT = """\
Dear {{ body.name }},

{% if body.law == "none" %}I understand that you are not subject to freedom of information law, so I am asking you to provide the following information voluntarily{% else %}Under the {{ body.law_name }}, please provide the following information{% endif +%}
for each calendar year from {{ first_year }} to {{ last_year }}:

1. …

I would like the information in an electronic format, such as a spreadsheet.

Yours faithfully,

{{ requester.name }}
"""


_HEADER_TRACKING = """\
# foibot: a tracking-only folder. Follow any WhatDoTheyKnow request:
#   foibot track https://www.whatdotheyknow.com/request/<slug> --group my-topic
#   foibot track --file urls.txt --group my-topic      (one URL or number a line)
#   foibot poll && foibot status --group my-topic
# To run a campaign of your own later, add {needed}
# (see the commented example at the end, and docs/configuration.md).
"""

_HEADER_CAMPAIGN = """\
# foibot: a campaign folder. Edit the campaign at the end and its letter
# (templates/letters/letter.txt.j2), then:
#   foibot draft my-campaign && foibot status --campaign my-campaign
#   foibot launch my-campaign
"""

_WDTK = """\
# Talking to WhatDoTheyKnow.
[wdtk]
base_url = {base_url}
user = {user}          # your WDTK profile's url_name: how foibot knows your requests
contact = {contact}    # e-mail or URL sent in the User-Agent so WDTK can reach you
min_interval_s = 3.0   # seconds between calls to WDTK (be polite)
# use_feeds = false    # robots.txt disallows feeds; opt in only if WDTK agrees
"""

_COMMON = """\
# Where the SQLite database lives, relative to this file.
[storage]
path = "state/foibot.db"

# How often requests are polled (UK office hours on working days while a body owes a
# reply; see docs/tracking.md, "When foibot polls").
# [poll]
# open_every_hours = 3     # apart, on a request's busy days (just sent, near its due date)
# closed_every_days = 7
# hidden_grace_days = 14   # hidden/embargoed requests are re-checked daily this long

# `foibot daemon`'s jobs: "every N seconds|minutes|hours" or a cron line (UK time).
# [schedule]
# poll = "every 30 minutes"
# release = "every 1 minute"
# digest = "0 8 * * *"

# Who hears about new replies and overdue requests.
# [notify]
# batch = "run"                 # or "daily" (at [schedule] digest)
# [notify.email]
# host = "smtp.example.org"
# port = 587
# user = "foibot"
# password_env = "FOIBOT_SMTP_PASSWORD"
# from = "foibot@example.org"
# to = ["team@example.org"]
# [notify.webhook]
# url = "https://hooks.slack.com/services/…"

# A newly proclaimed bank holiday, before the holidays package knows it.
# [deadlines]
# extra_holidays = []
# remove_holidays = []

# false stops all follow-up drafting.
# [followups]
# enabled = true

# Read WDTK's own alert e-mails from your mailbox: replies seen within minutes, far
# fewer polls (`foibot mail`; part of `run --once` and the daemon).
# [mailbox]
# host = "imap.example.org"
# user = "you@example.org"
# password_env = "FOIBOT_IMAP_PASSWORD"   # the name of the variable, never the password
# folder = "INBOX"
# after = "leave"                          # or "flag", or "move:WDTK"
"""

_PACE_AND_BODIES = """\
# WDTK's limits for one account: at most `count` new requests in any `minutes`.
[pace]
limits = [
  {{ count = 1, minutes = 1 }}, {{ count = 2, minutes = 8 }}, {{ count = 3, minutes = 15 }},
  {{ count = 5, minutes = 60 }}, {{ count = 10, minutes = 1440 }},
]
# max_unsent = 3        # released requests waiting to be sent; more follow real sends
# margin_minutes = 1    # added to each window when telling you when to send

# Bodies declared here work offline; `foibot bodies import` loads WDTK's full list.
[bodies.home_office]                # the body's WDTK url_name: whatdotheyknow.com/body/home_office
name = "Home Office"
tags = ["department"]               # WDTK's tag for a ministerial department
"""

_CAMPAIGN = (
    """\
# Signs every letter.
[requester]
name = {requester}
# email = "you@example.org"

"""
    + _PACE_AND_BODIES
    + """
# One campaign: a templated request to each body.
[[campaigns]]
slug = "my-campaign"
title = "{{{{ body.short_name }}}}: the information I am asking for"
letter = "{letter}"
bodies = ["home_office"]          # and/or body_tags = ["police"]
# launch_at = 2027-01-04T09:00:00 # UK time; nothing is released before this
vars = {{ first_year = 2021, last_year = 2025 }}

# [[campaigns.fields]]            # figures to record from the replies
# name = "dismissed"
# type = "int"
"""
)

_REQUESTER = """\
[requester]
name = {requester}                 # signs the follow-ups of your own requests
"""

_NO_CAMPAIGN_WITHOUT_REQUESTER = """\
# No campaign: this folder only tracks requests. A campaign needs [requester] and a
# letter (and `followups --group` needs [requester] to sign your chasers), e.g.
# [requester]
# name = "Alex Example"
#
"""

_NO_CAMPAIGN = """\
# [[campaigns]]
# slug = "my-campaign"
# title = "{{ body.short_name }}: the information I am asking for"
# letter = "templates/letters/letter.txt.j2"
# bodies = ["home_office"]
"""
