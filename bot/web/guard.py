"""Every request passes here first: the signed session cookie, the CSRF check on every
POST, the login requirement, and the security headers.

Sessions are itsdangerous-signed cookies holding the account name and a CSRF token,
`HttpOnly` and `SameSite=Lax`, `Secure` when the request came over HTTPS (the scheme
uvicorn saw, which believes X-Forwarded-Proto only from `[serve] trusted_proxies`).
A POST must carry the form field `csrf` equal to its session's token: otherwise 403,
before any page code runs, so nothing is recorded (OWASP's synchroniser token pattern).
A POST that changes anything needs an editor's session: a viewer's is refused with 403,
here too, so that no page can forget to check.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

COOKIE = "foibot_session"
SESSION_HOURS = 12
MAX_BODY = 2 * 1024 * 1024  # a login form or a page of figures; anything larger is refused
# Pages a person who is not logged in may reach.
PUBLIC = ("/login", "/static/")

# Script only from this site's static files (the launch page's one), never inline; no
# inline style, nothing from elsewhere; no framing (clickjacking).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-store",
}


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site only (no scheme, no host, no
    `//host` or `/\\host`, which browsers read as another site), else the overview."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(c in target for c in "\r\n\t\\")
    ):
        return "/"
    return target


class Guard:
    """The ASGI middleware. `login_required` is asked once a request (Site.needs_login)."""

    def __init__(
        self,
        app: Callable,
        *,
        secret: str,
        login_required: Callable[[], bool],
        role_of: Callable[[str, str | None], str | None] = lambda _name, _since: None,
    ) -> None:
        self.app = app
        # An account's role now, for a session begun at `since`; None once the account is
        # removed or its sessions ended (Site.role_of).
        self.role_of = role_of
        self.login_required = login_required
        self.serializer = URLSafeTimedSerializer(secret, salt="foibot-session")

    def _load(self, request: Request) -> dict[str, Any] | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self.serializer.loads(raw, max_age=SESSION_HOURS * 3600)
        except BadSignature:  # forged, tampered with or expired: no session
            return None
        return data if isinstance(data, dict) else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.concurrency import run_in_threadpool

        request = Request(scope)
        login_required = await run_in_threadpool(self.login_required)
        loaded = self._load(request)
        session = dict(loaded or {})
        session.setdefault("csrf", secrets.token_urlsafe(32))
        if session.get("user"):
            # A removed account's session ends here; a changed role applies at once.
            role = await run_in_threadpool(self.role_of, session["user"], session.get("since"))
            if role is None:
                session.pop("user", None)
                session.pop("role", None)
            else:
                session["role"] = role
        scope["session"] = session
        before = dict(session) if loaded is not None else None
        refusal = None
        if request.method == "POST":
            receive, refusal = await self._check_post(scope, receive, loaded)
        elif request.method not in ("GET", "HEAD"):
            refusal = PlainTextResponse("Method not allowed", status_code=405)
        if refusal is None and login_required and not session.get("user"):
            refusal = _login_first(request)
        if refusal is None and request.method == "POST" and not _may_change(request, session):
            refusal = PlainTextResponse(
                "Refused: a viewer account can read every page but change nothing.",
                status_code=403,
            )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if session != before:
                    headers.append("set-cookie", self._cookie(session, scope["scheme"]))
            await send(message)

        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    async def _check_post(
        self, scope: Scope, receive: Receive, loaded: dict[str, Any] | None
    ) -> tuple[Receive, Any]:
        """The body read once (bounded) and replayed to the page; a refusal where the
        session or its CSRF token is missing or wrong."""
        chunks, size = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return receive, PlainTextResponse("Request too large", status_code=413)
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        token = None
        if loaded is not None:
            try:
                form = await Request(scope, replay).form()
                token = form.get("csrf")
            except Exception:  # a malformed form body is a refusal, not a crash
                token = None
        expected = (loaded or {}).get("csrf")
        if not (isinstance(token, str) and expected and hmac.compare_digest(token, expected)):
            text = "Refused: this form has no valid session or CSRF token. Reload the page and try again."
            return replay, PlainTextResponse(text, status_code=403)
        return replay, None

    def _cookie(self, session: dict[str, Any], scheme: str) -> str:
        value = self.serializer.dumps(session)
        secure = "; Secure" if scheme == "https" else ""
        return (
            f"{COOKIE}={value}; Path=/; Max-Age={SESSION_HOURS * 3600}; HttpOnly; "
            f"SameSite=Lax{secure}"
        )


# POSTs anyone with a session may make: they change no campaign data.
ACCOUNT_PATHS = ("/login", "/logout")


def _may_change(request: Request, session: dict[str, Any]) -> bool:
    """Whether this POST may change anything: an editor's, or logging in or out. Checked
    here, before any page code runs, so no page can forget it. Without accounts (loopback,
    no login) the person at this computer may do what the command line may."""
    if request.url.path in ACCOUNT_PATHS or not session.get("user"):
        return True  # no user: either no login is needed, or _login_first refused it
    return session.get("role") == "editor"


def _login_first(request: Request) -> Any:
    """Not logged in: a GET goes to the login page (and back here after), anything else
    is refused."""
    path = request.url.path
    if path.startswith(PUBLIC):
        return None
    if request.method in ("GET", "HEAD"):
        target = path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return PlainTextResponse("Log in first.", status_code=403)


def host_name(header: str) -> str:
    """The name in a Host header, without its port: "[::1]:8000" gives "[::1]" (an IPv6
    literal keeps its brackets), "localhost:8000" gives "localhost"."""
    if header.startswith("["):
        name, bracket, port = header.partition("]")
        # Anything but a port after the bracket ("[::1].evil.example") names no host.
        return name + bracket if bracket and (not port or port.startswith(":")) else header
    return header.split(":", 1)[0]


class AllowedHosts:
    """Answer only requests whose Host names one of `allowed` (any port): on loopback with
    no login, a web page elsewhere must not reach the server by DNS rebinding. Starlette's
    TrustedHostMiddleware would do, but cuts "[::1]:8000" at its first colon."""

    def __init__(self, app: Any, allowed: list[str]) -> None:
        self.app, self.allowed = app, {h.lower() for h in allowed}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = dict(scope.get("headers") or [])
            host = headers.get(b"host", b"").decode("latin-1")
            if host_name(host).lower() not in self.allowed:
                await PlainTextResponse("Invalid host header", status_code=400)(
                    scope, receive, send
                )
                return
        await self.app(scope, receive, send)
