"""Periods as FOI answers write them: calendar years, financial years ("2020/21", "April
2020 to March 2021"), and where a period is only one end of a span ("since 2024"). Pure;
read by bot/rules/hints.py."""

from __future__ import annotations

import re

# A financial year as FOI answers write it: 2020/21, 2020-21, 2020/2021, FY2020-21, "2020 to
# 2021", "April 2020 to March 2021". Its key is the year it starts in.
_FY_RE = re.compile(
    r"\b(?:FY\s*)?((?:19|20)\d{2})\s*(?:/|-|–|—|_|\bto\b)\s*((?:19|20)?\d{2})\b", re.I
)
APRIL_TO_MARCH_RE = re.compile(
    r"\b(?:1(?:st)?\s+)?April\s+((?:19|20)\d{2})\s*(?:-|–|—|to|until)\s*(?:31(?:st)?\s+)?"
    r"March\s+((?:19|20)\d{2})\b",
    re.I,
)
_YEAR_RE = re.compile(r"(?<![\d/.,£$-])((?:19|20)\d{2})(?![\d/]|[,.-]\d)")
PeriodKey = tuple[str, object]


def _fy(first: str, second: str) -> int | None:
    start = int(first)
    end = int(second) if len(second) == 4 else (start // 100) * 100 + int(second)
    if len(second) == 2 and end < start:
        end += 100
    return start if end == start + 1 else None


def period_key(label: str) -> PeriodKey:
    """What a campaign's period label means: a calendar year ("2021"), a financial year
    ("2020-21", "2020_21", "FY2020-21") or, failing both, the label itself."""
    text = label.strip()
    if re.fullmatch(r"(?:19|20)\d{2}", text):
        return ("cy", int(text))
    m = _FY_RE.fullmatch(text)
    if m and _fy(m.group(1), m.group(2)) is not None:
        return ("fy", _fy(m.group(1), m.group(2)))
    return ("label", text.casefold())


def periods_in(text: str) -> list[tuple[PeriodKey, tuple[int, int]]]:
    """Every period written in `text`, with where it stands; a financial year is not
    also read as the two calendar years it spans."""
    found: list[tuple[PeriodKey, tuple[int, int]]] = []
    taken: list[tuple[int, int]] = []
    for regex in (APRIL_TO_MARCH_RE, _FY_RE):
        for m in regex.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            start = _fy(m.group(1), m.group(2))
            if start is not None:
                found.append((("fy", start), m.span()))
                taken.append(m.span())
    for m in _YEAR_RE.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):
            found.append((("cy", int(m.group(1))), m.span()))
    return found


_PERIOD_WORDS = re.compile(
    r"\b(?:financial|calendar|year|years|yr|fy|ending|ended|to|from|the|in|period|jan(?:uary)?"
    r"|dec(?:ember)?|apr(?:il)?|mar(?:ch)?|\d{1,2}(?:st|nd|rd|th)?)\b|[\s,:()*]",
    re.I,
)


def cell_period(text: str, declared: dict[PeriodKey, str]) -> tuple[str | None, bool]:
    """(the declared period a header cell names, whether the cell is a period at all). A
    cell is a period when, the periods and words such as "Year" taken out, nothing is left."""
    if text.strip().casefold() in {k[1] for k in declared if k[0] == "label"}:
        return declared[("label", text.strip().casefold())], True
    found = periods_in(text)
    if len(found) != 1:
        return None, False
    key_, (a, b) = found[0]
    rest = _PERIOD_WORDS.sub("", text[:a] + text[b:])
    if rest:
        return None, False
    return declared.get(key_), True


# A period named as one end of a span: "since 2024", "before 2022", "2023 onwards".
_SPAN_BEFORE_RE = re.compile(
    r"\b(?:since|from|after|before|until|till|up\s+to|prior\s+to)"
    r"(?:\s+the\s+(?:start|beginning|end)\s+of)?\s*$",
    re.I,
)
_SPAN_AFTER_RE = re.compile(r"\s*(?:onwards?\b|to\s+date\b|to\s+the\s+present\b)", re.I)


def open_ended(sentence: str, found: list[tuple[PeriodKey, tuple[int, int]]]) -> bool:
    """A period in the sentence is one end of a span of them, not a period of its own."""
    return any(
        _SPAN_BEFORE_RE.search(sentence[:a]) or _SPAN_AFTER_RE.match(sentence[b:])
        for _, (a, b) in found
    )
