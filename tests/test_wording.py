"""Counts read as English: digests' subjects and the CLI's summaries."""

from __future__ import annotations

from bot.notify.news import build_digest
from bot.wording import plural


def rows(kind: str, n: int) -> list[dict]:
    return [{"key": f"{kind}:{i}", "kind": kind, "ref": f"r-{i}", "text": "x"} for i in range(n)]


def test_digest_subject_agrees_in_number():
    one = build_digest(rows("response", 1) + rows("error", 1))
    assert one.subject == "foibot: 1 new response; 1 needs a human"
    many = build_digest(rows("response", 2) + rows("error", 5) + rows("ready", 3))
    assert many.subject == "foibot: 3 requests ready to send; 2 new responses; 5 need a human"
    assert build_digest(rows("followup", 1)).subject == "foibot: 1 follow-up to review"


def test_plural():
    assert [plural(1, "request"), plural(3, "request"), plural(2, "body")] == [
        "1 request", "3 requests", "2 bodies",
    ]  # fmt: skip
    assert plural(0, "new response") == "0 new responses"
