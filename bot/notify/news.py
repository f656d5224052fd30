"""News worth telling a person, and the digest that tells it. Pure."""

from __future__ import annotations

from dataclasses import dataclass

# Order in the digest: what needs acting on first.
SECTIONS = (
    ("ready", "Ready to send on WDTK"),
    ("response", "New responses"),
    ("very_overdue", "Now very overdue"),
    ("overdue", "Now overdue"),
    ("followup", "Follow-ups waiting for review"),
    ("error", "Needs a human"),
)
ERROR_THRESHOLD = 3  # consecutive poll failures before a person is told


@dataclass(frozen=True)
class NewsItem:
    key: str  # unique: the same news is never queued twice
    kind: str
    ref: str | None
    text: str


@dataclass(frozen=True)
class Digest:
    subject: str
    text: str
    count: int


def items_from_run(
    released: list[dict], poll: dict | None, followups: list[dict] | tuple = ()
) -> list[NewsItem]:
    """News from one pass: releases (requests and follow-ups), a poll report
    (PollReport.as_json()) and follow-ups drafted for review."""
    items = [
        NewsItem(
            f"ready:{r['ref']}",
            "ready",
            r.get("request", r["ref"]),
            f"{r['ref']} ({r['body']}{', ' + r['kind'] if r.get('kind') else ''}) is ready: {r['url']}",
        )
        for r in released
    ]
    items += [
        NewsItem(
            f"followup:{f['ref']}",
            "followup",
            f["request"],
            f"{f['kind']} {f['ref']} for {f['request']}: review it with `foibot show {f['request']}`",
        )
        for f in followups
    ]
    if poll:
        for r in poll.get("new_responses", []):
            items.append(
                NewsItem(
                    f"response:{r['ref']}:{r['at']}",
                    "response",
                    r["ref"],
                    f"{r['ref']} ({r['body']}): {r['title']}",
                )
            )
        for r in poll.get("newly_overdue", []):
            kind = "very_overdue" if r["status"].endswith("very_overdue") else "overdue"
            late = f", {r['days_late']} working days late" if r.get("days_late") is not None else ""
            items.append(
                NewsItem(
                    f"{r['status']}:{r['ref']}", kind, r["ref"], f"{r['ref']}: {r['status']}{late}"
                )
            )
        for r in poll.get("changed", []):
            if r["to"] == "hidden":
                items.append(
                    NewsItem(
                        f"hidden:{r['ref']}",
                        "error",
                        r["ref"],
                        f"{r['ref']} is hidden or removed on WDTK",
                    )
                )
        for r in poll.get("errors", []):
            if r.get("failures", 0) == ERROR_THRESHOLD:
                items.append(
                    NewsItem(
                        f"error:{r['ref']}:{r['next_retry']}",
                        "error",
                        r["ref"],
                        f"{r['ref']}: {ERROR_THRESHOLD} polls failed in a row: {r['error']}",
                    )  # fmt: skip
                )
    return items


def build_digest(items: list[dict]) -> Digest | None:
    """A digest of queued news rows (kind, text); None when there is nothing to tell."""
    if not items:
        return None
    lines, counts = [], []
    for kind, heading in SECTIONS:
        group = [i for i in items if i["kind"] == kind]
        if not group:
            continue
        counts.append(f"{len(group)} {heading.lower()}")
        lines.append(f"{heading} ({len(group)}):")
        lines.extend(f"  - {i['text']}" for i in group)
        lines.append("")
    subject = "foibot: " + "; ".join(counts)
    return Digest(subject=subject, text="\n".join(lines).rstrip() + "\n", count=len(items))
