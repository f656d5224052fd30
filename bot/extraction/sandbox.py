"""Reading an attachment: placeholder until the sandboxed extractor lands (issue 30)."""

from __future__ import annotations

from bot.extraction.model import Extraction, Segment


def extract(
    data: bytes, name: str, *, time_limit_s: float = 60.0, memory_mb: int = 512
) -> Extraction:
    """What can be read from `data` (a file named `name` by its sender; the name is only a
    hint, never a path)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Extraction(state="unreadable", kind="unknown", reason="not a format foibot reads")
    lines = tuple(Segment(text=t, line=n) for n, t in enumerate(text.splitlines(), 1) if t.strip())
    return Extraction(state="read", kind="text", segments=lines)
