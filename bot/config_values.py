"""What single [wdtk] values may hold: the checks config.toml's loader and `init` share,
so that `init` refuses a value before it writes a config that would not load."""

from __future__ import annotations

import re


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be [wdtk] base_url, or None: an http(s) URL with a host and a port
    in range (urlsplit refuses "http://[::1" and "…:99999" only when asked for them)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        parts = None
    if parts is None or not re.match(r"^https?://[^/\s]+", url) or not parts.hostname:
        return f"must be an http(s) URL, got {url!r}"
    return None


def user_problem(user: str) -> str | None:
    """Why `user` cannot be [wdtk] user, or None. A WDTK url_name is the last part of a
    /user/<url_name> address, used in matching and in links: nothing that leaves it."""
    if re.fullmatch(r"[A-Za-z0-9_.-]*", user) and user not in (".", ".."):
        return None
    return f"must be your WDTK profile's url_name (letters, digits and _), got {user!r}"


def contact_problem(contact: str) -> str | None:
    """Why `contact` cannot be [wdtk] contact, or None. It goes into every request's
    User-Agent header: printable ASCII only (a line break would start another header)."""
    if re.fullmatch(r"[ -~]*", contact):
        return None
    return (
        "must be printable ASCII (an e-mail address or URL), as it is sent in each "
        f"request's User-Agent header; got {contact!r}"
    )
