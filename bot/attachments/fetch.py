"""Fetch the queued attachments: download each once through the WDTK client (its pace,
robots rules, deadline and back-off), read it in the extractor, and record what was read.

An attachment is read once: its state leaves "queued" when its text is recorded, and a
file whose SHA-256 was read before (the same letter attached to two replies) reuses that
reading. A download that fails stays queued with its reason, for the next fetch; an
outage (WDTK not answering, or asking us to wait) ends the run, leaving the rest queued.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Config
from bot.errors import FoibotError
from bot.extraction.model import Extraction
from bot.extraction.sandbox import extract
from bot.safe_files import write_atomic
from bot.store.db import Store
from bot.store.requests import RequestSet
from bot.wdtk.client import RobotsUnreachable, TooLarge, WdtkClient
from bot.wdtk.errors import WdtkError
from bot.wdtk.payload import clean_text

# Failures in a row that look like the site's rather than the file's (no answer, 5xx,
# 429) after which the run stops: one outage is one event, as in a poll.
UNREACHABLE_AFTER = 3
# Limits handed to the extractor for one file (issue 30 item 3: a hostile file ends
# within them and is recorded as unreadable).
EXTRACT_TIME_LIMIT_S = 60.0
EXTRACT_MEMORY_MB = 512
MB = 1024 * 1024
GONE = (403, 404, 410)  # the file's own answer: recorded, never asked for again
# The outcomes a fetch reports, in the order the summary names them.
OUTCOMES = ("read", "scanned", "unreadable", "skipped", "failed")

Progress = Callable[[list[dict], int], Iterable[dict]]


@dataclass
class FetchReport:
    """What one fetch did: an item per attachment tried, and why it stopped early."""

    items: list[dict] = field(default_factory=list)
    stopped: str | None = None  # an outage, the pass budget, or a stop asked for
    waiting: int = 0  # still queued when the run ended (not tried, or failed)

    @property
    def counts(self) -> Counter:
        return Counter(item["outcome"] for item in self.items)

    @property
    def failed(self) -> list[dict]:
        return [item for item in self.items if item["outcome"] == "failed"]

    def summary(self) -> str:
        """One line: "Attachments: 3 read, 1 scanned, 0 unreadable, 1 skipped, 0 failed"."""
        return f"Attachments: {self.outline()}."

    def outline(self) -> str:
        counts = self.counts
        text = ", ".join(f"{counts[o]} {o}" for o in OUTCOMES)
        if self.waiting:
            text += f"; {self.waiting} still queued"
        if self.stopped:
            text += f"; stopped: {self.stopped}"
        return text

    def as_json(self) -> dict:
        return {
            "counts": {o: self.counts[o] for o in OUTCOMES},
            "items": self.items,
            "stopped": self.stopped,
            "still_queued": self.waiting,
        }


def folder(store: Store) -> Path:
    """state/attachments/: beside the database, as the launch sheets are."""
    return store.path.parent / "attachments"


def fetch_attachments(
    store: Store,
    config: Config,
    client: WdtkClient,
    rows: list[dict],
    *,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> FetchReport:
    """Fetch and read `rows` (queued attachments, from Store.attachments_in), in order,
    until they are done, WDTK is out, the pass budget ([wdtk] pass_budget_s) is used up,
    or a stop is asked for. Each one's outcome is recorded as it is done."""
    report = FetchReport()
    in_row = 0
    items = progress(rows, len(rows)) if progress else rows
    for row in items:
        if should_stop() or client.stopped():
            report.stopped = "stopped on request"
        elif client.out_of_time():
            budget = config.wdtk.pass_budget_s
            report.stopped = f"the pass used its {budget:g} s ([wdtk] pass_budget_s); the rest wait"
        if report.stopped:
            break
        item = {"ref": row["ref"], "number": row["number"], "name": row["name"]}
        try:
            item.update(_fetch_one(store, config, client, row))
            in_row = 0
        except FoibotError as exc:  # the download failed, or keeping the file did
            reason = clean_text(str(exc))[:300]
            store.attachment_failed(row["id"], reason)
            item.update(outcome="failed", reason=reason)
            if isinstance(exc, WdtkError) and _site_trouble(exc):
                in_row = UNREACHABLE_AFTER if isinstance(exc, RobotsUnreachable) else in_row + 1
                if in_row >= UNREACHABLE_AFTER or exc.retry_after_s:
                    report.stopped = f"WDTK unreachable ({reason}); the rest wait for the next run"
        report.items.append(item)
        if report.stopped:
            break
    done = {(i["ref"], i["number"]) for i in report.items if i["outcome"] != "failed"}
    report.waiting = sum((r["ref"], r["number"]) not in done for r in rows)
    return report


def fetch_queued(
    store: Store,
    config: Config,
    client: WdtkClient,
    should_stop: Callable[[], bool],
    selection: RequestSet | None = None,
) -> FetchReport | None:
    """After a poll: the attachments it queued (and any left by earlier passes; those of
    `selection` only, when given), within what is left of the pass budget ([wdtk]
    pass_budget_s): what is not reached waits for the next pass. None when nothing waits."""
    rows = store.attachments_in(selection, queued=True)
    if not rows:
        return None
    return fetch_attachments(store, config, client, rows, should_stop=should_stop)


def _site_trouble(exc: WdtkError) -> bool:
    """No answer, 5xx or 429: the site's trouble, not this file's (a 404 is the file's)."""
    if isinstance(exc, RobotsUnreachable) or exc.retry_after_s:
        return True
    return exc.status is None or exc.status >= 500 or exc.status == 429


def _fetch_one(store: Store, config: Config, client: WdtkClient, row: dict) -> dict:
    """Download, read and record one attachment; its outcome for the report. Raises
    WdtkError when the download fails (the attachment stays queued)."""
    cap = config.attachments.max_mb * MB
    if not row["url"]:
        extraction = Extraction("skipped", "unknown", reason="no download link on the request page")
        store.save_extraction(row["id"], extraction, size=None, sha256="")
        return {"outcome": "skipped", "reason": extraction.reason}
    try:
        data = client.download(row["url"], cap).body
    except TooLarge as exc:
        size = f"{exc.size / MB:.1f} MB" if exc.size is not None else "size not given"
        reason = f"over [attachments] max_mb = {config.attachments.max_mb} ({size})"
        extraction = Extraction("skipped", "unknown", reason=reason)
        store.save_extraction(row["id"], extraction, size=exc.size, sha256="")
        return {"outcome": "skipped", "reason": reason, "size": exc.size}
    except WdtkError as exc:
        if exc.status not in GONE:
            raise
        # Hidden or removed on WDTK (Alaveteli answers 403 for an attachment whose
        # prominence hides it, 404/410 for one that is gone): asking again each pass
        # would only cost WDTK a call. `attachments fetch --retry` asks again.
        reason = f"WDTK does not serve it (HTTP {exc.status})"
        extraction = Extraction("unreadable", "unknown", reason=reason)
        store.save_extraction(row["id"], extraction, size=None, sha256="")
        return {"outcome": "unreadable", "reason": reason}
    sha256 = hashlib.sha256(data).hexdigest()
    extraction = store.extraction_by_hash(sha256) or _read(data, row["name"])
    if config.attachments.keep:
        _keep(store, sha256, data)
    store.save_extraction(row["id"], extraction, size=len(data), sha256=sha256)
    return {"outcome": extraction.state, "reason": extraction.reason, "size": len(data)}


def _read(data: bytes, name: str) -> Extraction:
    try:
        return extract(data, name, time_limit_s=EXTRACT_TIME_LIMIT_S, memory_mb=EXTRACT_MEMORY_MB)
    except Exception as exc:  # noqa: BLE001 - a file from the internet must never end the pass
        return Extraction("unreadable", "unknown", reason=f"extractor failed: {type(exc).__name__}")


def _keep(store: Store, sha256: str, data: bytes) -> None:
    """The file under state/attachments/<sha256>: named by its content, never by the name
    its sender gave it (which may hold "../" or control characters)."""
    where = folder(store)
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise FoibotError(f"{where}: cannot make the folder: {exc.strerror}") from None
    path = where / sha256
    if not os.path.lexists(path):
        write_atomic(path, data, private=True, what="attachment")
