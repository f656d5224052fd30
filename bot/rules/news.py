"""News worth telling a person, and the digest that tells it. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.dates import format_uk
from bot.outcomes import NewlyOverdue, NewReply, PollFailure
from bot.statuses import OVERDUE, Status
from bot.wording import plural

# Order in the digest: what needs acting on first. Each section: its heading, and how the
# subject counts it, singular and plural ("1 new response", "5 need a human").
SECTIONS = (
    ("ready", "Ready to send on WDTK", ("request ready to send", "requests ready to send")),
    ("withdrawn", "Withdrawn: do not send", ("follow-up withdrawn", "follow-ups withdrawn")),
    ("response", "New responses", ("new response", "new responses")),
    ("very_overdue", "Now very overdue", ("now very overdue", "now very overdue")),
    ("overdue", "Now overdue", ("now overdue", "now overdue")),
    ("followup", "Follow-ups waiting for review", ("follow-up to review", "follow-ups to review")),
    ("error", "Needs a human", ("needs a human", "need a human")),
    ("shown", "Shown on WDTK again", ("request shown again", "requests shown again")),
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
    items: tuple[NewsItem, ...] = ()

    @property
    def key(self) -> str:
        """The same for the same items: a resend can be recognised by its receiver."""
        import hashlib

        return hashlib.sha256("\n".join(i.key for i in self.items).encode()).hexdigest()[:32]


def ready_key(ref: str) -> str:
    """The key of the news that `ref` (a request or follow-up) is ready to send."""
    return f"ready:{ref}"


def review_key(ref: str) -> str:
    """The key of the news that follow-up `ref` waits for review."""
    return f"followup:{ref}"


def unfound_key(ref: str) -> str:
    """The key of the news that released `ref` was never found on WDTK."""
    return f"unfound:{ref}"


def asking_keys(ref: str) -> list[str]:
    """The news that asks a person to review, send, link or cancel `ref`: untrue once it
    is sent, cancelled or withdrawn (Store.retract_news)."""
    return [review_key(ref), ready_key(ref), unfound_key(ref)]


def released(ref: str, request: str, body: str, kind: str | None, sheet: str) -> NewsItem:
    """A request or follow-up released for a person to send on WDTK. The news names the
    launch sheet's file (never its path on the server that sends the news), which holds
    the link and the pace, and the command that gives the link anywhere."""
    what = f"{body}, {kind}" if kind else body
    return NewsItem(
        ready_key(ref),
        "ready",
        request,
        f"{ref} ({what}) is ready to send: the launch sheet {sheet} has its link, "
        f"or run `foibot show {ref}`",
    )


def followup_drafted(ref: str, request: str, kind: str) -> NewsItem:
    return NewsItem(
        review_key(ref),
        "followup",
        request,
        f"{kind} {ref} for {request}: review it with `foibot show {ref}`",
    )


def followup_withdrawn(ref: str, request: str, kind: str, note: str) -> NewsItem:
    """A drafted or released follow-up withdrawn because its reason has gone."""
    return NewsItem(
        f"withdrawn:{ref}", "withdrawn", request,
        f"{kind} {ref} for {request} withdrawn, do not send it: {note}",
    )  # fmt: skip


def new_reply(reply: NewReply) -> NewsItem:
    return NewsItem(
        f"response:{reply.ref}:{reply.at}",
        "response",
        reply.ref,
        # With its time: two replies to one request are two lines a reader tells apart.
        f"{reply.ref} ({reply.body}): {reply.title} (reply of {format_uk(reply.at)} UK)",
    )


def late_key(status: str, ref: str) -> str:
    """The key of the news that `ref` became late with `status`."""
    return f"{status}:{ref}"


def late_keys(ref: str) -> list[str]:
    """Every "now (very) overdue" news `ref` may have queued: untrue once its status has
    moved on (an answer, a review, a reply to classify), so taken back then."""
    return [late_key(s, ref) for s in sorted(OVERDUE | {Status.WAITING_CLASSIFICATION})]


def newly_overdue(item: NewlyOverdue) -> NewsItem:
    very = item.very or item.status.endswith("very_overdue")
    kind = "very_overdue" if very else "overdue"
    late = f", {plural(item.days_late, 'working day')} late" if item.days_late is not None else ""
    since = f" (due {item.counted_from})" if item.counted_from else ""
    if item.status == "waiting_classification":
        text = (
            f"{item.ref}: a reply waits to be classified on WDTK and none is an answer yet"
            f"{late}{since}{', very overdue' if very else ''}; classify it (an "
            "acknowledgement is not an answer)"
        )
    else:
        text = f"{item.ref}: {item.status}{late}{since}"
    return NewsItem(late_key(item.status, item.ref), kind, item.ref, text)


def unfound_advice(ref: str) -> str:
    """What to do about a released request foibot no longer looks for on WDTK."""
    return f"`foibot link {ref} URL` if it was sent, `foibot done {ref} --cancelled` if not"


def not_found_after_release(ref: str, days: int) -> NewsItem:
    return NewsItem(
        unfound_key(ref), "error", ref,
        f"{ref} was released {days} days ago and is not on WDTK; no longer looked for: "
        f"{unfound_advice(ref)}",
    )  # fmt: skip


def hidden_key(ref: str, since: str | None) -> str:
    """One per spell of hiding (`since`: when it began), so a second is told too."""
    return f"hidden:{ref}:{since}"


def hidden(ref: str, since: str) -> NewsItem:
    return NewsItem(hidden_key(ref, since), "error", ref, f"{ref} is hidden or removed on WDTK")


def shown_again(ref: str, since: str, status: str) -> NewsItem:
    """After `hidden` was told: WDTK shows the request again."""
    return NewsItem(f"shown:{ref}:{since}", "shown", ref, f"{ref}: {status}")


def poll_failure(failure: PollFailure) -> NewsItem | None:
    """Told once, when failures reach the threshold; fewer are WDTK's ordinary hiccups."""
    if failure.failures != ERROR_THRESHOLD:
        return None
    return NewsItem(
        f"error:{failure.ref}:{failure.next_retry}",
        "error",
        failure.ref,
        f"{failure.ref}: {ERROR_THRESHOLD} polls failed in a row: {failure.error}",
    )


def wdtk_unreachable(since: str, why: str) -> NewsItem:
    return NewsItem(
        f"unreachable:{since}", "error", None,
        f"WDTK unreachable since {format_uk(since)} UK: {why}",
    )  # fmt: skip


def wdtk_reachable(since: str, now: str) -> NewsItem:
    return NewsItem(
        f"reachable:{since}", "error", None,
        f"WDTK reachable again at {format_uk(now)} UK (down since {format_uk(since)} UK)",
    )  # fmt: skip


def build_digest(rows: list[dict]) -> Digest | None:
    """A digest of queued news rows (key, kind, ref, text); None when there is nothing."""
    if not rows:
        return None
    lines, counts = [], []
    # A follow-up withdrawn before this digest went out is told as withdrawn only, not also
    # as one to review or to send.
    gone = {r["key"].removeprefix("withdrawn:") for r in rows if r["kind"] == "withdrawn"}
    superseded = {key for ref in gone for key in asking_keys(ref)}
    for kind, heading, (one, many) in SECTIONS:
        group = [i for i in rows if i["kind"] == kind and i["key"] not in superseded]
        if not group:
            continue
        counts.append(f"{len(group)} {one if len(group) == 1 else many}")
        lines.append(f"{heading} ({len(group)}):")
        lines.extend(f"  - {i['text']}" for i in group)
        lines.append("")
    items = tuple(NewsItem(r["key"], r["kind"], r.get("ref"), r["text"]) for r in rows)
    subject = "foibot: " + "; ".join(counts)
    return Digest(
        subject=subject, text="\n".join(lines).rstrip() + "\n", count=len(rows), items=items
    )


def launch_sheet_name(campaign: str) -> str:
    """The launch sheet's file name, beside the database: `released` news names it."""
    return f"launch-{campaign}.html"
