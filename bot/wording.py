"""Small wording helpers shared by the CLI and the digests. Pure."""

from __future__ import annotations

import re

# Character ranges (for a regex class) no text may show a person as they are: C0 controls
# but tab and line feed, DEL and C1 (ESC sequences retitle or clear a terminal, CR
# overwrites a line); the bidirectional overrides and isolates (a title ending
# "\u202egnp.exe" reads "exe.png"); lone surrogates (undecodable bytes in an argument),
# which no terminal encoding can write.
CONTROL_RANGES = "\x00-\x08\x0b-\x1f\x7f-\x9f"
BIDI_RANGES = "\u202a-\u202e\u2066-\u2069"
SURROGATE_RANGES = "\ud800-\udfff"
CONTROLS = re.compile(f"[{CONTROL_RANGES}]")  # stripped from text where it comes in
# What no text a person records (a figure, a letter) may hold; its line breaks and tabs
# are fine.
UNSHOWABLE = re.compile(f"[{CONTROL_RANGES}{BIDI_RANGES}{SURROGATE_RANGES}]")

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


def first_few(items: list[str], most: int = 5) -> str:
    """The first few items, and how many more: a message stays one readable line."""
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


# The body's name at the start or the end of a title template, with its separator:
# "{{ body.short_name }}: staff disciplined…", "Staff disciplined – {{ body.name }}".
_BODY = r"\{\{-?\s*body\.\w+\s*-?\}\}"
_BODY_AT_START = re.compile(rf"^\s*{_BODY}\s*[:\-–—|,]?\s*")
_BODY_AT_END = re.compile(rf"\s*[:\-–—|,]?\s*(?:\(\s*{_BODY}\s*\)|{_BODY})\s*$")


def campaign_title(slug: str, name: str = "", title_template: str = "") -> str:
    """What a campaign's results and reports are headed by: its `name` (config.toml), else
    its request title with the body's name taken off the start or end ("{{ body.short_name
    }}: staff disciplined…" → "Staff disciplined…"), else, when the title has more template
    in it than that, the slug."""
    if name.strip():
        return " ".join(name.split())
    text = _BODY_AT_END.sub("", _BODY_AT_START.sub("", title_template))
    text = " ".join(text.split())
    if not text or "{{" in text or "{%" in text or "{#" in text:
        return slug
    return text[0].upper() + text[1:]


# Words too common to say what a field or a sentence is about: the base of the lists
# `hints` (bot/rules/hints.py) and `record`'s suggestions (bot/reports/figures.py) extend.
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "number",
        "numbers",
        "of",
        "on",
        "or",
        "staff",
        "the",
        "to",
        "total",
        "was",
        "were",
        "with",
    }
)
