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


class LoginLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= self.clock() - WINDOW_S:
            times.popleft()
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

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        self._recent((name, address)).append(now)
        self._recent(("", address)).append(now)

    def succeeded(self, name: str, address: str) -> None:
        self._failures.pop((name, address), None)


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
    if wait := limiter.wait_s(name, address):
        response = render(
            request, "login.html.j2", status_code=429, next=target,
            error=f"Too many failed attempts: try again in {wait // 60 + 1} minutes.",
        )  # fmt: skip
        response.headers["retry-after"] = str(wait)
        return response
    role = await run_in_threadpool(_check, request, name, password)
    if role is None:
        limiter.failed(name, address)
        return render(
            request, "login.html.j2", status_code=401, next=target,
            error="That name and password do not match an account.",
        )  # fmt: skip
    limiter.succeeded(name, address)
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
