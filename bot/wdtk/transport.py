"""The HTTP stack under WdtkClient: a requests session whose sockets a watchdog can reach.

Kept apart from bot/wdtk/client.py so that importing the client (every poll pass does)
does not load requests, urllib3 and ssl; WdtkClient opens a session with its first call.
"""

from __future__ import annotations

import socket
import weakref
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry


def open_session(agent: str, sockets: weakref.WeakSet[socket.socket]) -> requests.Session:
    """A session sending `agent` as User-Agent, whose sockets join `sockets`."""
    session = requests.Session()
    session.headers.update({"User-Agent": agent})
    # urllib3's Retry is switched off on purpose. The loop in WdtkClient._send retries
    # instead because each retry must (a) pass the same minimum-interval gate as every
    # other call, which Retry's internal sleeps bypass (and its first retry is immediate);
    # (b) sleep through the injectable `sleep` and read HTTP-date Retry-After against the
    # injectable clock; (c) give up, rather than sleep, when Retry-After exceeds
    # max_sleep_s; and (d) report "HTTP 503 after 4 tries" with the count.
    adapter = _WatchedAdapter(
        sockets,
        max_retries=Retry(total=0, read=False, redirect=False, raise_on_status=False),
        pool_connections=1,
        pool_maxsize=1,
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class _WatchedConnection(HTTPConnection):
    """Registers its sockets (the plain one, then the TLS one) with the client's set."""

    sockets: weakref.WeakSet[socket.socket]

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self.sockets.add(sock)
        return sock

    def connect(self) -> None:
        super().connect()
        if self.sock is not None:
            self.sockets.add(self.sock)


class _WatchedHTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter with pools whose connections a bot.watchdog.Watchdog can reach."""

    def __init__(self, sockets: weakref.WeakSet[socket.socket], **kwargs: Any):
        self._watched = sockets
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        sockets = self._watched
        conn = type("Conn", (_WatchedConnection,), {"sockets": sockets})
        tls_conn = type("TlsConn", (_WatchedHTTPSConnection,), {"sockets": sockets})
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("Pool", (HTTPConnectionPool,), {"ConnectionCls": conn}),
            "https": type("TlsPool", (HTTPSConnectionPool,), {"ConnectionCls": tls_conn}),
        }
