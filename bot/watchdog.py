"""One hard deadline per network exchange, for every peer foibot talks to: WDTK, the
SMTP server, the webhook and the IMAP mailbox.

A socket timeout alone bounds each read, not the exchange: a server sending a byte every
few seconds (a "tarpitting" SMTP server, a dribbling webhook or IMAP greeting) never trips
it, and http.client, smtplib and imaplib keep reading line by line. So a thread watches the
clock and shuts the exchange's sockets down, which makes the blocked read return at once,
whatever phase (connect, TLS handshake, greeting, headers, body) it is in. The caller then
asks `expired` or `stopped` to say why its exchange failed.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import weakref
from collections.abc import Callable

# How often a running exchange looks at the stop flag: the bound on how late a SIGTERM lands.
STOP_POLL_S = 0.1


class Watchdog:
    """Cuts one exchange off at its deadline (real time) or as soon as `stop()` is true.

    `sockets` is the set the exchange's connection adds its sockets to as it makes them
    (the plain one, then the TLS one): only that exchange's sockets may be in it while the
    watchdog runs, since all of them are shut down when it fires.
    """

    def __init__(
        self,
        sockets: weakref.WeakSet[socket.socket],
        limit_s: float,
        stop: Callable[[], bool] | None = None,
        name: str = "watchdog",
        clock: Callable[[], float] = time.monotonic,
    ):
        # `clock`: a test may run the deadline's clock faster than real time.
        self.limit_s, self.clock = limit_s, clock
        self.deadline = clock() + limit_s
        self.expired = self.stopped = False
        self._sockets, self._stop = sockets, stop
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=name, daemon=True)

    @property
    def fired(self) -> bool:
        return self.expired or self.stopped

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        while True:
            remaining = self.deadline - self.clock()
            if remaining <= 0:
                self.expired = True
                break
            # Wait out the whole deadline in one go only when nothing else can end it early
            # (no stop flag) and it runs on real time.
            waits_whole = self._stop is None and self.clock is time.monotonic
            step = remaining if waits_whole else min(remaining, STOP_POLL_S)
            if self._done.wait(step):
                return
            if self._stop is not None and self._stop():
                self.stopped = True
                break
        for sock in list(self._sockets):
            with contextlib.suppress(OSError):  # already closed, or detached by TLS
                sock.shutdown(socket.SHUT_RDWR)
