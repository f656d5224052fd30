"""The web application: pages from ROUTE_MODULES (each a module with ROUTES), behind the
Guard (bot/web/guard.py), rendering Jinja2 templates from bot/templates/web/.

A page opens the store for its own request (SQLite, the same busy timeout and locking as
the CLI) in a worker thread, reads through bot/views/, and closes it: nothing is cached
between requests, so a page shows what `foibot status` would show at that moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from bot.templating import without_bidi_controls
from bot.web.guard import Guard

if TYPE_CHECKING:
    from bot.config import Config
    from bot.store.db import Store

# One module per page family; a later page (launch, follow-ups, figures, search) is a
# module added here.
ROUTE_MODULES = (
    "bot.web.auth", "bot.web.overview", "bot.web.status_page", "bot.web.request_page",
    "bot.web.launch_page", "bot.web.followups_page", "bot.web.figures_page",
    "bot.web.search_page",
)  # fmt: skip
STATIC = Path(__file__).resolve().parent / "static"
SECRET_SETTING = "serve_session_key"


class Site:
    """What every page needs: the config, the database path, and who may do what."""

    def __init__(
        self,
        config: Config,
        db_path: Path,
        *,
        login_required: bool,
        as_of: dt.datetime | None = None,
    ) -> None:
        from bot.web.auth import CHECKS_AT_ONCE, LoginLimiter

        self.config, self.db_path, self.login_required = config, db_path, login_required
        # `foibot serve --as-of`: every page as of this moment (a fixed clock, for trying
        # a launch out and for tests); None: the real time.
        self.as_of = as_of
        self.limiter = LoginLimiter()
        self.password_checks = asyncio.Semaphore(CHECKS_AT_ONCE)
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("bot", "templates/web"),
            autoescape=True,  # every value from WDTK or a user is escaped: `|safe` is never used
            undefined=jinja2.StrictUndefined,
            finalize=without_bidi_controls,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters["cell"] = table_cell

    def needs_login(self) -> bool:
        """Whether pages need a login, asked once a request (by the Guard). A loopback
        server begun without accounts needs one from the moment the first account is
        added, as `foibot users add` promises, without a restart; once on it stays on, so
        that removing every account locks the pages rather than opening them."""
        if not self.login_required:
            with self.store() as store:
                self.login_required = store.has_users()
        return self.login_required

    def role_of(self, name: str, since: str | None) -> str | None:
        """The role of the account a session (started at `since`, UTC ISO) logged in as;
        None where the account is gone, or the session began before the account was made
        (a removed name added again: Users.add_user) or before its sessions were last
        ended (a logout)."""
        with self.store() as store:
            account = store.user(name)
        if account is None or not since:
            return None
        after = account["sessions_from"]  # set when made (m030: created_at), and at logout
        if after and dt.datetime.fromisoformat(since) < dt.datetime.fromisoformat(after):
            return None
        return account["role"]

    @contextlib.contextmanager
    def store(self) -> Iterator[Store]:
        from bot.run.lock import holder
        from bot.store.db import Store

        store = Store(self.db_path, busy_timeout_s=self.config.busy_timeout_s, lock_holder=holder)
        try:
            yield store
        finally:
            store.close()


def table_cell(text: object) -> Markup:
    """A table cell's text (escaped) that wraps only between words: a word with a hyphen
    (a ref, a date: "smm-1", "2026-03-31") is kept whole, where a narrow column would
    break it at the hyphen and read as two values; an underscore may end a line
    ("waiting_response_very_overdue"), which copies as it is."""
    words = []
    for word in str(text).split(" "):
        safe = str(escape(word)).replace("_", "_<wbr>")
        words.append(f'<span class="word">{safe}</span>' if "-" in word else safe)
    return Markup(" ".join(words))


def site(request: Request) -> Site:
    return request.app.state.site


def now(request: Request) -> dt.datetime:
    """This moment (UTC), or `--as-of`'s."""
    return site(request).as_of or dt.datetime.now(dt.UTC)


def today(request: Request | None = None) -> dt.date:
    """Today in the UK, as of `--as-of` when one was given."""
    from bot.dates import london_today

    return london_today(now(request)) if request is not None else london_today()


def user_of(request: Request) -> tuple[str, str]:
    """(name, role) of who is asking; with no accounts on loopback, the person at this
    computer, who may do anything the command line may."""
    s = site(request)
    if not s.login_required:
        return ("local", "editor")
    name = request.session.get("user")
    return (name, request.session.get("role", "viewer")) if name else ("", "")


def may_change(request: Request) -> bool:
    """Whether the forms that change things are shown (the Guard refuses them anyway)."""
    return user_of(request)[1] == "editor"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    name, role = user_of(request)
    html = (
        site(request)
        .templates.get_template(template)
        .render(
            csrf=request.session["csrf"],
            user=name,
            role=role,
            login_required=site(request).login_required,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)


def session_secret(store: Store) -> str:
    """The key that signs session cookies: made once per database, so sessions survive a
    restart and two servers on one database accept each other's."""
    current = store.setting(SECRET_SETTING)
    if current:
        return current
    with store.transaction():
        store.db["settings"].insert(
            {"key": SECRET_SETTING, "value": secrets.token_urlsafe(48)}, ignore=True
        )
    return store.setting(SECRET_SETTING) or ""


def create_app(
    config: Config,
    db_path: Path,
    *,
    login_required: bool,
    allowed_hosts: list[str] | None = None,
    as_of: dt.datetime | None = None,
) -> Any:
    """The ASGI application. `allowed_hosts`: the Host headers accepted (on loopback with
    no login, only loopback names, so a web page elsewhere cannot reach it by DNS
    rebinding); None accepts any (a team server names itself behind its proxy)."""
    from bot.web.guard import AllowedHosts

    routes: list[Any] = []
    for module in ROUTE_MODULES:
        routes.extend(importlib.import_module(module).ROUTES)
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC), name="static"))
    app = Starlette(routes=routes)
    app.state.site = Site(config, db_path, login_required=login_required, as_of=as_of)
    with app.state.site.store() as store:
        secret = session_secret(store)
    guarded: Any = Guard(
        app,
        secret=secret,
        login_required=app.state.site.needs_login,
        role_of=app.state.site.role_of,
    )
    if allowed_hosts is not None:
        guarded = AllowedHosts(guarded, allowed_hosts)
    return guarded
