"""What makes a stored record the same record when WDTK serves it again."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def message_fingerprint(kind: str | None, text: str, attachments: Iterable[str]) -> str:
    """A message on a request page, read again: the same kind, the same words (not how the
    page breaks them into lines) and the same attachments."""
    words = " ".join(text.split())
    names = "\n".join(attachments)
    return hashlib.sha256(f"{kind}\0{words}\0{names}".encode()).hexdigest()
