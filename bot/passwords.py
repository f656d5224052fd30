"""Password hashes for `foibot serve`'s accounts: scrypt from the standard library
(hashlib.scrypt, RFC 7914), a random salt per password, compared in constant time.

The cost follows OWASP's password storage advice for scrypt (N=2^17, r=8, p=1: 128 MiB
and about a tenth of a second a check), which is also what makes guessing slow; the
parameters are stored with each hash so that raising them later leaves old hashes valid.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**17, 8, 1
_MAXMEM = 256 * 1024 * 1024  # scrypt needs 128 * N * r bytes: 128 MiB at these parameters
_SCHEME = "scrypt"
MIN_LENGTH = 10  # NIST SP 800-63B asks at least 8; a team server deserves a little more


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: int = N) -> str:
    """`scrypt$N$r$p$salt$hash`, the salt and hash in base64."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=R, p=P, maxmem=_MAXMEM)
    return f"{_SCHEME}${n}${R}${P}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from; a malformed hash is no match."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
            p=int(p), maxmem=_MAXMEM, dklen=len(expected),
        )  # fmt: skip
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def password_problem(password: str) -> str | None:
    """Why a new password will not do, or None."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    return None
