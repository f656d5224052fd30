"""Small wording helpers shared by the CLI and the digests. Pure."""

from __future__ import annotations

# Nouns whose plural is not noun + "s".
_IRREGULAR = {"body": "bodies", "reply": "replies", "needs": "need", "was": "were", "is": "are"}


def plural_word(n: int, word: str, plural: str | None = None) -> str:
    """`word` agreeing with n: a noun ("request" → "requests") or a verb that takes an
    s in the singular ("needs" → "need")."""
    if n == 1:
        return word
    return plural or _IRREGULAR.get(word) or word + "s"


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """ "1 new response", "5 new responses", "2 bodies"."""
    *lead, last = word.split(" ")
    return " ".join([str(n), *lead, plural_word(n, last, plural_form)])
