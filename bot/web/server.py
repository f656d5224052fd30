"""Running the pages: decide whether a login is needed, bind the socket, run uvicorn.

No login is needed only where no one else can connect: the server is bound to a
loopback address, no reverse proxy is trusted, and no account exists. Once any account
exists every page needs a login, whatever the address (a proxy on the same machine
connects from 127.0.0.1 on behalf of anyone)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.config import Config

LOOPBACK_NAMES = ("localhost",)
# The Host headers a loopback server with no login answers (DNS rebinding defence).
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def login_required(host: str, config: Config, has_users: bool) -> bool:
    """Whether pages need a login; raises UsageError where accounts are needed and none
    exists."""
    exposed = not is_loopback(host) or bool(config.serve.trusted_proxies)
    if exposed and not has_users:
        why = f"--host {host}" if not is_loopback(host) else "[serve] trusted_proxies"
        raise UsageError(
            f"{why} lets others connect, so pages need accounts and there are none: "
            "add one with `foibot users add NAME --role editor`, or serve on 127.0.0.1"
        )
    return exposed or has_users


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is printed, so that a client that
    reads the 'Serving on' line can connect at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def make_server(
    config: Config, db_path: Path, host: str, port: int, *, as_of: dt.datetime | None = None
) -> tuple[Any, socket.socket, str]:
    """The uvicorn server, its bound socket and the line announcing it: for `foibot serve`,
    and for `foibot daemon` with `[serve] daemon = true`. UsageError where accounts are
    needed and none exists, or the address cannot be bound."""
    import uvicorn

    from bot.store.db import Store
    from bot.web.app import create_app

    store = Store(db_path, busy_timeout_s=config.busy_timeout_s)
    try:
        needs_login = login_required(host, config, store.has_users())
    finally:
        store.close()
    allowed = None if needs_login else LOOPBACK_HOSTS
    app = create_app(
        config, db_path, login_required=needs_login, allowed_hosts=allowed, as_of=as_of
    )
    sock = bind(host, port)
    proxies = list(config.serve.trusted_proxies)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            # X-Forwarded-Proto and -For are believed from these addresses only.
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies or [],
            log_level="warning",
            access_log=False,
            server_header=False,
            date_header=False,
            lifespan="off",
        )
    )
    shown = f"[{host}]" if ":" in host else host
    login = "accounts only" if needs_login else "no login: this computer only"
    banner = f"Serving on http://{shown}:{sock.getsockname()[1]}/ ({login})"
    return server, sock, banner


def serve(
    config: Config, db_path: Path, host: str, port: int, *, as_of: dt.datetime | None = None
) -> None:
    """Serve until SIGINT or SIGTERM (uvicorn stops gracefully on either)."""
    server, sock, banner = make_server(config, db_path, host, port, as_of=as_of)
    print(f"{banner}; Ctrl-C stops.", flush=True)
    server.run(sockets=[sock])
    sys.stdout.flush()
