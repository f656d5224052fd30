"""The IMAP shell over IMAPClient: log in, open the folder, list and fetch new messages by
UID, apply the `after` action, and wait with IDLE. No decisions here.

Messages are fetched with BODY.PEEK[] so reading them never marks them read: a person
still sees WDTK's alerts as new in their mail program. Each fetch is a partial one
(RFC 3501 section 6.4.5, `BODY.PEEK[]<0.N>`): the server sends at most N bytes of a
message, so a 40 MB "alert" costs what a 1 MB one does.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.config import MailboxConfig
from bot.errors import ConfigError, FoibotError, Interrupted
from bot.watchdog import Watchdog

FETCH_BATCH = 200  # UIDs per FETCH command: keeps each answer to a sensible size
# Bytes read of a message. WDTK's alerts are a few kB (a track digest of 100 results some
# tens of kB); past this a message is read truncated: its first links still count.
MAX_MESSAGE_BYTES = 1 << 20
MAX_HEADER_BYTES = 4096  # of the From header fetched to pick the site's mail
HEADER = b"BODY[HEADER.FIELDS (FROM)]<0>"


class MailboxError(FoibotError):
    """The mailbox cannot be reached, refused the login, or has no such folder."""


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    uidnext: int | None
    exists: int


def password_for(config: MailboxConfig) -> str:
    password = os.environ.get(config.password_env)
    if not password:
        raise ConfigError(
            f"[mailbox] password_env: the environment variable {config.password_env} is not set"
        )
    return password


class Mailbox:
    """One logged-in IMAP connection with the configured folder selected. Context manager.

    Hard limits: each step (connect with greeting and login, select, search, each fetch,
    each `after` action, an IDLE beyond its wait) ends within [mailbox] timeout_s of real
    time whatever the server does, because a watchdog shuts the socket down at the
    deadline (bot/watchdog.py); a server dribbling a byte every few seconds never trips a
    per-read timeout. `stop` is the caller's stop flag (SIGTERM): once true, the step in
    flight is cut off within a moment and every step raises Interrupted.
    """

    def __init__(
        self,
        config: MailboxConfig,
        *,
        timeout_s: float | None = None,
        stop: Callable[[], bool] | None = None,
    ):
        self.config = config
        self.timeout_s = config.timeout_s if timeout_s is None else timeout_s
        self.client = None
        self.state: FolderState | None = None
        self._stop = stop
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def __enter__(self) -> Mailbox:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> FolderState:
        from imapclient.exceptions import IMAPClientError, LoginError

        config = self.config
        password = password_for(config)
        where = f"{config.host}:{config.port}"
        try:
            with self._deadline("connect"):  # the TCP and TLS handshakes and the greeting
                self.client = _watched_client(self._sockets)(
                    config.host,
                    port=config.port,
                    ssl=config.tls,
                    ssl_context=ssl.create_default_context() if config.tls else None,
                    timeout=self.timeout_s,
                )
        except (OSError, IMAPClientError) as exc:
            raise MailboxError(f"[mailbox] cannot connect to {where}: {_reason(exc)}") from None
        try:
            with self._deadline("login"):
                self.client.login(config.user, password)
        except LoginError:
            self.close()
            raise MailboxError(
                f"[mailbox] {where} refused the login for user {config.user!r} "
                f"(password from ${config.password_env})"
            ) from None
        except (OSError, IMAPClientError) as exc:
            self.close()
            raise MailboxError(f"[mailbox] {where}: login failed: {_reason(exc)}") from None
        return self.select()

    def select(self) -> FolderState:
        from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

        assert self.client is not None
        try:
            with self._deadline("select"):
                info = self.client.select_folder(self.config.folder)
        except (IMAPClientAbortError, OSError) as exc:  # the connection, not the folder
            raise MailboxError(
                f"[mailbox] {self.config.host}:{self.config.port}: connection lost: {_reason(exc)}"
            ) from None
        except IMAPClientError as exc:
            raise MailboxError(
                f"[mailbox] folder: cannot open {self.config.folder!r} on {self.config.host}: "
                f"{_reason(exc)}"
            ) from None
        self.state = FolderState(
            uidvalidity=int(info[b"UIDVALIDITY"]),
            uidnext=int(info[b"UIDNEXT"]) if b"UIDNEXT" in info else None,
            exists=int(info.get(b"EXISTS", 0)),
        )
        return self.state

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            with Watchdog(self._sockets, self.timeout_s, self._stop, name="imap-watchdog"):
                client.logout()
        except Exception:  # noqa: BLE001 — the connection may already be gone; nothing to save
            with contextlib.suppress(Exception):
                client.shutdown()

    @property
    def offers_idle(self) -> bool:
        assert self.client is not None
        return self.client.has_capability("IDLE")

    # -- reading ------------------------------------------------------------------------

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above last_uid, ascending. `UID n:*` always answers with the highest UID
        even when it is below n, hence the filter."""
        assert self.client is not None
        with self._errors("search"):
            found = self.client.search(["UID", f"{last_uid + 1}:*"])
        return sorted(uid for uid in found if uid > last_uid)

    def senders(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        """(uid, From header bytes) for each UID, fetched in batches."""
        assert self.client is not None
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            with self._errors("fetch"):
                answer = self.client.fetch(
                    batch, [f"BODY.PEEK[HEADER.FIELDS (FROM)]<0.{MAX_HEADER_BYTES}>"]
                )
            for uid in batch:
                if uid in answer:  # expunged since the search: nothing to read
                    yield uid, answer[uid].get(HEADER, b"")

    def message(self, uid: int) -> bytes | None:
        """The message's first MAX_MESSAGE_BYTES bytes (all of it when shorter)."""
        assert self.client is not None
        with self._errors("fetch"):
            answer = self.client.fetch([uid], [f"BODY.PEEK[]<0.{MAX_MESSAGE_BYTES}>"])
        return answer[uid].get(b"BODY[]<0>") if uid in answer else None

    # -- after handling -----------------------------------------------------------------

    def after(self, uid: int) -> None:
        """Apply [mailbox] after to a handled message."""
        assert self.client is not None
        action = self.config.after
        with self._errors(action):
            if action == "flag":
                self.client.add_flags([uid], [b"\\Flagged"])
            elif (folder := self.config.move_to) is not None:
                if not self.client.folder_exists(folder):
                    self.client.create_folder(folder)
                if self.client.has_capability("MOVE"):
                    self.client.move([uid], folder)
                else:
                    self.client.copy([uid], folder)
                    self.client.delete_messages([uid])
                    if self.client.has_capability("UIDPLUS"):
                        self.client.uid_expunge([uid])
                    else:
                        self.client.expunge()

    # -- waiting ------------------------------------------------------------------------

    def idle(self, timeout_s: float) -> bool:
        """Wait until the server says the folder changed, or timeout_s passes (servers drop
        an IDLE after 30 minutes, so callers keep timeout_s well below). True on news."""
        assert self.client is not None
        # The wait itself is part of the step: the deadline is the wait and timeout_s more.
        with self._errors("idle", wait_s=timeout_s):
            self.client.idle()
            try:
                responses = self.client.idle_check(timeout=timeout_s)
            finally:
                self.client.idle_done()
        return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)

    @contextlib.contextmanager
    def _errors(self, what: str, wait_s: float = 0.0) -> Iterator[None]:
        """One step under its deadline, its IMAP and socket errors as one MailboxError line
        naming the server and the step."""
        from imapclient.exceptions import IMAPClientError

        try:
            with self._deadline(what, wait_s):
                yield
        except (OSError, IMAPClientError) as exc:
            raise MailboxError(
                f"[mailbox] {self.config.host}:{self.config.port}: {what} failed: {_reason(exc)}"
            ) from None

    @contextlib.contextmanager
    def _deadline(self, what: str, wait_s: float = 0.0) -> Iterator[None]:
        """Run one step under the watchdog. A step it cut off has failed, whatever the
        server had sent by then: Interrupted on a stop, else a MailboxError saying so."""
        if self._stop is not None and self._stop():
            raise Interrupted(f"stopped before the mailbox's {what}")
        limit = self.timeout_s + wait_s
        with Watchdog(self._sockets, limit, self._stop, name="imap-watchdog") as watch:
            try:
                yield
            except Exception:
                if not watch.fired:
                    raise
        if watch.stopped:
            raise Interrupted(f"stopped during the mailbox's {what}")
        if watch.expired:
            waited = f"{wait_s:g} s of waiting and " if wait_s else ""
            raise MailboxError(
                f"[mailbox] {self.config.host}:{self.config.port}: {what} failed: timed out: "
                f"not done within {waited}{self.timeout_s:g} s ([mailbox] timeout_s)"
            )


def _watched_client(sockets: weakref.WeakSet[socket.socket]) -> type:
    """IMAPClient whose sockets (the plain one, then the TLS one) join `sockets`, so the
    watchdog can shut them down; imaplib connects and reads the greeting in its constructor."""
    from imapclient import IMAPClient, imap4, tls

    class WatchedPlain(imap4.IMAP4WithTimeout):
        def _create_socket(self, timeout: float | None = None) -> socket.socket:
            sock = super()._create_socket(timeout)
            sockets.add(sock)
            return sock

    class WatchedTls(tls.IMAP4_TLS):
        def _create_socket(self, timeout: float | None) -> socket.socket:
            # As tls.IMAP4_TLS does, with the plain socket watched during the handshake.
            sock = socket.create_connection((self.host, self.port), timeout=timeout)
            sockets.add(sock)
            wrapped = tls.wrap_socket(sock, self.ssl_context, self.host)
            sockets.add(wrapped)
            return wrapped

    class WatchedClient(IMAPClient):
        def _create_IMAP4(self):  # noqa: ANN202, N802 - IMAPClient's hook
            if self.stream:
                return super()._create_IMAP4()
            connect = getattr(self._timeout, "connect", None)
            if self.ssl:
                return WatchedTls(self.host, self.port, self.ssl_context, connect)
            return WatchedPlain(self.host, self.port, connect)

    return WatchedClient


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
