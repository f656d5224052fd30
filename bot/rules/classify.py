"""A suggested classification for a reply nobody has classified yet. Pure.

Only a suggestion, shown beside the request: the requester classifies on WDTK. It looks
for what FOI replies say in plain words; anything less plain gets no suggestion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Suggestion:
    state: str  # a WDTK described_state
    why: str


# Order matters: a refusal often also acknowledges, and a "not held" reply may cite s.1.
_RULES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "not_held",
        "says the information is not held",
        re.compile(
            r"\b(?:do(?:es)? not|don't|doesn't) hold\b|\bnot held\b|\bno (?:recorded )?information "
            r"(?:is )?held\b|\bholds? no (?:recorded )?information\b",
            re.I,
        ),
    ),
    (
        "rejected",
        "refuses, citing an exemption or the cost limit",
        re.compile(
            r"\b(?:refus(?:e|al|ing)|exempt(?:ion)?|withh(?:eld|old)|neither confirm nor deny)\b"
            r".{0,200}?\b(?:section|s\.?|regulation|reg\.?)\s*\d+|\b(?:section|s\.?)\s*(?:12|14)\b"
            r".{0,120}?\b(?:cost|appropriate limit|vexatious)",
            re.I | re.S,
        ),
    ),
    (
        "waiting_response",
        "an acknowledgement: the body says it will reply later",
        re.compile(
            r"\b(?:acknowledge|confirm)\w*\s+(?:receipt|that we (?:have )?received)\b|"
            r"\bwe (?:will|shall|aim to) (?:respond|reply|provide (?:a|our) response)\b.{0,80}?"
            r"\b(?:20|twenty) working days\b|\byour request (?:has been|was) (?:received|logged)\b",
            re.I | re.S,
        ),
    ),
    (
        "successful",
        "provides the information asked for",
        re.compile(
            r"\bplease find (?:attached|enclosed|below)\b|\bthe information (?:you requested|"
            r"requested) is (?:attached|enclosed|below|as follows)\b",
            re.I,
        ),
    ),
)


def suggest_classification(text: str | None) -> Suggestion | None:
    """What a reply's text plainly says it is, or None when it is not plain."""
    if not text:
        return None
    for state, why, pattern in _RULES:
        if pattern.search(text):
            return Suggestion(state, why)
    return None
