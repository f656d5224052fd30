"""Logging in and out, and the limit on login attempts.

Failed attempts are counted per account and address (and per address alone, so that one
address cannot try every account): past the limit within the window the login page
answers 429 with Retry-After, even for the right password, until the window has passed
(OWASP's authentication advice). The counts are held in memory: a restart clears them,
which costs an attacker a restart they cannot cause.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import time
from collections import deque
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.web.app import render, site
from bot.web.guard import safe_next

MAX_FAILURES = 5  # per account and address, within WINDOW_S
MAX_FAILURES_PER_ADDRESS = 20  # any accounts, within WINDOW_S
WINDOW_S = 15 * 60
# Password checks at once: each scrypt check takes 128 MiB (bot/passwords.py), so a burst
# of logins must queue for them, not take the machine's memory.
CHECKS_AT_ONCE = 2
_SWEEP_AT = 1000  # names tried before every old count is swept away


class LoginLimiter:
    """Called from the event loop only (one thread): each attempt is counted before its
    password is checked, so a burst sent in parallel meets the limit as it comes."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= self.clock() - WINDOW_S:
            times.popleft()
        if not times:
            self._failures.pop(key, None)  # no count kept for a name not tried of late
        return times

    def wait_s(self, name: str, address: str) -> int:
        """Seconds until another attempt may be made; 0: now."""
        for key, limit in (
            ((name, address), MAX_FAILURES),
            (("", address), MAX_FAILURES_PER_ADDRESS),
        ):
            times = self._recent(key)
            if len(times) >= limit:
                return max(1, int(times[0] + WINDOW_S - self.clock()) + 1)
        return 0

    def attempt(self, name: str, address: str) -> tuple[int, float]:
        """(seconds to wait, 0) past the limit; else (0, its stamp), the attempt counted
        as a failure until `succeeded` says otherwise."""
        if wait := self.wait_s(name, address):
            return wait, 0.0
        if len(self._failures) > _SWEEP_AT:
            for key in list(self._failures):
                self._recent(key)
        now = self.clock()
        for key in ((name, address), ("", address)):
            self._failures.setdefault(key, deque()).append(now)
        return 0, now

    def succeeded(self, name: str, address: str, stamp: float) -> None:
        self._failures.pop((name, address), None)
        times = self._failures.get(("", address))
        if times is not None and stamp in times:
            times.remove(stamp)


def login_page(request: Request) -> Response:
    return render(
        request, "login.html.j2", next=safe_next(request.query_params.get("next")), error=""
    )


async def login(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    name = str(form.get("name") or "")[:200]
    password = str(form.get("password") or "")[:1000]
    target = safe_next(str(form.get("next") or ""))
    address = request.client.host if request.client else ""
    limiter = site(request).limiter
    wait, stamp = limiter.attempt(name, address)
    if wait:
        response = render(
            request, "login.html.j2", status_code=429, next=target,
            error=f"Too many failed attempts: try again in {wait // 60 + 1} minutes.",
        )  # fmt: skip
        response.headers["retry-after"] = str(wait)
        return response
    async with site(request).password_checks:
        role = await run_in_threadpool(_check, request, name, password)
    if role is None:
        return render(
            request, "login.html.j2", status_code=401, next=target,
            error="That name and password do not match an account.",
        )  # fmt: skip
    limiter.succeeded(name, address, stamp)
    # A fresh CSRF token with the new session: a token seen before login is worth nothing.
    request.session.update(
        user=name, role=role, csrf=secrets.token_urlsafe(32), since=_now_utc().isoformat()
    )
    return RedirectResponse(target, status_code=303)


def _now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check(request: Request, name: str, password: str) -> str | None:
    """The account's role if the password is right; the slow hash runs in a worker thread."""
    from bot.passwords import check_password

    with site(request).store() as store:
        account = store.user(name)
        if account is None:
            # The same work as for a real account, so timing does not say which names exist.
            check_password(password, _dummy_hash())
            return None
        if not check_password(password, account["password_hash"]):
            return None
        store.user_logged_in(name)
        return account["role"]


def logout(request: Request) -> Response:
    """Ends every session of the account, not only this browser's cookie (a signed cookie
    copied elsewhere would otherwise stay logged in)."""
    name = request.session.pop("user", None)
    request.session.pop("role", None)
    request.session.pop("since", None)
    if name:
        with site(request).store() as store:
            store.end_sessions(name, _now_utc().isoformat())
    return RedirectResponse("/login" if site(request).login_required else "/", status_code=303)


@functools.cache
def _dummy_hash() -> str:
    from bot.passwords import hash_password

    return hash_password("not a real password")


ROUTES = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
