"""Follow-ups: drafting them for review and marking them done (`service`); which one each
request is due is a rule (bot/rules/followups.py), and the launch releases them."""

# The follow-up kinds, in the order `followups` drafts them.
KINDS = ("chaser", "nudge", "internal-review", "complaint")
