"""Follow-ups: which one each request is due (`rules`, pure) and drafting and releasing them (`service`)."""

# The follow-up kinds, in the order `followups` drafts them.
KINDS = ("chaser", "nudge", "internal-review", "complaint")
