"""What the report and results tests share: a campaign seeded into the states `foibot poll`
would leave it in (its dates are worked by hand in tests/test_reports.py's docstring), CSV
parsing, and headless Chromium with a small DOM reader and PNG decoder."""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

from bot import deadlines as dl
from bot.store.db import Store
from tests.browser import require_chromium

AS_OF = "2026-03-10"
CAMPAIGN = "social-media-misuse"

SEED = {
    # answered_at: the reply WDTK's classification made an answer (smm-1's was classified
    # successful, smm-2's first rejected, before the review), as `poll` stores it.
    "smm-1": dict(status="successful", sent_on="2026-02-02", due="2026-03-02",
                  very_overdue_after="2026-03-31", wdtk_id=9001, url_title="smm_home_office",
                  answered_at="2026-02-13T10:00:00+00:00"),
    "smm-2": dict(status="internal_review", sent_on="2026-02-02", due="2026-03-02",
                  very_overdue_after="2026-03-31", wdtk_id=9002, url_title="smm_moj",
                  review_started_on="2026-03-05", answered_at="2026-03-04T10:00:00+00:00"),
    "smm-3": dict(status="waiting_response", sent_on="2026-02-02", due="2026-03-02",
                  very_overdue_after="2026-03-31", wdtk_id=9003, url_title="smm_met"),
    "smm-4": dict(status="waiting_response", sent_on="2026-02-16", due="2026-03-16",
                  very_overdue_after="2026-04-16", wdtk_id=9004, url_title="smm_dft"),
}  # fmt: skip
EVENTS = [
    ("smm-1", "sent", "2026-02-02T10:00:00+00:00"),
    ("smm-1", "response", "2026-02-13T10:00:00+00:00"),
    ("smm-2", "sent", "2026-02-02T10:00:00+00:00"),
    ("smm-2", "response", "2026-03-04T10:00:00+00:00"),
    ("smm-2", "response", "2026-03-09T10:00:00+00:00"),
    ("smm-3", "sent", "2026-02-02T10:00:00+00:00"),
    ("smm-4", "sent", "2026-02-02T10:00:00+00:00"),
    ("smm-4", "response", "2026-02-10T10:00:00+00:00"),
    ("smm-4", "followup_sent", "2026-02-16T10:00:00+00:00"),
]


def seed(project, *, titles: dict | None = None, body_names: dict | None = None) -> None:
    """Put requests into the WDTK states `foibot poll` would leave them in."""
    project.run("draft", CAMPAIGN)
    # The hand-worked dates above must be what the deadline engine says, or the test
    # data would be inconsistent with everything else foibot stores.
    for values in SEED.values():
        d = dl.compute_deadlines(dt.date.fromisoformat(values["sent_on"]), "foi")
        assert (d.due.isoformat(), d.very_overdue_after.isoformat()) == (
            values["due"],
            values["very_overdue_after"],
        )
    store = Store(project.db)
    try:
        with store.transaction():
            for ref, values in SEED.items():
                store.update_request(ref, law="foi", **values)
            for n, (ref, kind, at) in enumerate(EVENTS):
                store.log(ref, kind, {"described_state": None}, at=at, wdtk_event_id=5000 + n)
            for ref, title in (titles or {}).items():
                store.update_request(ref, title=title)
            for body, name in (body_names or {}).items():
                store.db["bodies"].update(body, {"name": name})
    finally:
        store.close()


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


# -- Chromium -------------------------------------------------------------------------


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    exe = require_chromium()  # skips without one, except under CI (tests/browser.py)
    profile = tmp_path / f"chromium-profile-{len(list(tmp_path.iterdir()))}"
    cmd = [
        exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args,
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def dump_dom(tmp_path: Path, page: Path) -> str:
    # The virtual time budget lets load and error handlers run before the DOM is dumped.
    return chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", page.as_uri()).stdout


class Dom(HTMLParser):
    """Elements (tag, attrs) and text, with the text of elements marked data-figure etc."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.title = ""
        self._stack: list[tuple[str, dict, list[str]]] = []
        self.figures: dict[str, str] = {}
        self.cells: dict[tuple[str, str], str] = {}  # (ref, data-label) -> text
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag not in ("meta", "br", "input", "img", "link", "line", "rect", "circle"):
            self._stack.append((tag, attrs, []))

    def handle_endtag(self, tag):
        while self._stack:
            t, attrs, chunks = self._stack.pop()
            text = " ".join("".join(chunks).split())
            # The document's title, not an SVG <title> tooltip.
            if t == "title" and self._stack and self._stack[-1][0] == "head":
                self.title = text
            if "data-figure" in attrs:
                self.figures[attrs["data-figure"]] = text
            if t == "td" and "data-label" in attrs:
                row = next((a for _, a, _ in reversed(self._stack) if "data-ref" in a), {})
                self.cells[(row.get("data-ref"), attrs["data-label"])] = text
            if self._stack:
                self._stack[-1][2].append("".join(chunks) + " ")
            if t == tag:
                break

    def handle_data(self, data):
        self.text.append(data)
        if self._stack:
            self._stack[-1][2].append(data)


def png_pixels(path: Path) -> tuple[int, int, list[list[bytes]]]:
    """Decode an 8-bit RGB(A) PNG with zlib alone: width, height and rows of RGB pixels."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos : pos + 4]), data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytes(width * bpp)
    for y in range(height):
        f, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, [[r[i : i + 3] for i in range(0, stride, bpp)] for r in rows]
