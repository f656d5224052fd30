"""What following requests on WDTK found: typed items, gathered into a PollReport.

These travel from the tracking shells to the CLI, the run summary and the news; their
`as_json` shapes are the documented `poll --json` contract.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class StatusChange:
    ref: str
    before: str
    after: str

    def as_json(self) -> dict:
        return {"ref": self.ref, "from": self.before, "to": self.after}


@dataclass(frozen=True)
class NewReply:
    ref: str
    body: str | None
    title: str
    at: str  # ISO timestamp of WDTK's response event

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class NewlyOverdue:
    ref: str
    status: str
    days_late: int | None
    counted_from: str | None = None  # the deadline the lateness is counted from
    very: bool = False  # unclassified, and as late as a very overdue request

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Linked:
    ref: str
    wdtk_id: int

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PollFailure:
    ref: str
    error: str
    next_retry: str
    failures: int

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class PollReport:
    polled: int = 0
    changed: list[StatusChange] = field(default_factory=list)
    new_responses: list[NewReply] = field(default_factory=list)
    newly_overdue: list[NewlyOverdue] = field(default_factory=list)
    linked: list[Linked] = field(default_factory=list)
    errors: list[PollFailure] = field(default_factory=list)
    http_calls: int = 0
    unreachable: str | None = None  # why the pass stopped early: WDTK is not answering
    paused: bool = False  # ... because WDTK asked for quiet (Retry-After), not an outage
    # Follow-ups withdrawn because what changed took their reason away: {ref, request,
    # kind, body, note}.
    withdrawn: list[dict] = field(default_factory=list)
    backing_off: str | None = None  # WDTK is down, but nothing was due: no failure
    # The pass used its time budget ([wdtk] pass_budget_s) and stopped between requests:
    # why, and how many due requests it left (untouched) for the next pass.
    out_of_time: str | None = None
    not_reached: int = 0
    # Released drafts not found on WDTK so long after release that they are no longer
    # looked for (a person links or cancels them).
    given_up: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "polled": self.polled,
            "changed": [c.as_json() for c in self.changed],
            "new_responses": [r.as_json() for r in self.new_responses],
            "newly_overdue": [o.as_json() for o in self.newly_overdue],
            "linked": [x.as_json() for x in self.linked],
            "errors": [e.as_json() for e in self.errors],
            "unreachable": self.unreachable,
            "withdrawn": self.withdrawn,
            "backing_off": self.backing_off,
            "out_of_time": self.out_of_time,
            "not_reached": self.not_reached,
            "given_up": self.given_up,
        }

    # What one request's ingest adds, taken back when its transaction fails: the report
    # says only what was stored.
    _PER_REQUEST = ("changed", "new_responses", "newly_overdue", "linked", "withdrawn")

    def mark(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self._PER_REQUEST}

    def undo_since(self, mark: dict[str, int]) -> None:
        for name, length in mark.items():
            del getattr(self, name)[length:]

    @property
    def all_failed(self) -> bool:
        return self.polled > 0 and len(self.errors) >= self.polled

    @property
    def failed(self) -> bool:
        """Every request polled failed, or WDTK could not be reached: a person should hear."""
        return self.all_failed or self.unreachable is not None

    @property
    def news_worthy(self) -> bool:
        return bool(
            self.changed
            or self.new_responses
            or self.newly_overdue
            or self.errors
            or self.linked
            or self.withdrawn
            or self.given_up
        )
