"""A real IMAP server on 127.0.0.1 for the tests: pymap's on-disk (maildir) backend in a
subprocess, so it can be stopped and started again on the same mail, and its folder's
UIDVALIDITY changed as a rebuilt mailbox would change it.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from imapclient import IMAPClient

from tests.support import free_port

USER, PASSWORD = "requester", "imap-test-password"
START_TIMEOUT_S = 20.0


class ImapServer:
    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        root.mkdir(parents=True, exist_ok=True)
        from pysasl.hashing import BuiltinHash

        # One hash round: the login check is not what these tests measure.
        digest = BuiltinHash(rounds=1).hash(PASSWORD)
        (root / "pymap-etc-passwd").write_text(f"{USER}::1000:1000::{USER}:\n")
        (root / "pymap-etc-shadow").write_text(f"{USER}:{digest}:::::::\n")

    def start(self) -> ImapServer:
        pymap = Path(sys.executable).with_name("pymap")
        self.proc = subprocess.Popen(
            [str(pymap), "--host", "127.0.0.1", "--port", str(self.port), "--no-tls",
             "maildir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:  # readiness: the port accepts a connection and greets
            if self.proc.poll() is not None:
                raise RuntimeError(f"pymap exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(64).startswith(b"* OK"):
                        return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stderr.close()
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> ImapServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client(self) -> IMAPClient:
        c = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        c.login(USER, PASSWORD)
        return c

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        """As a mail server delivers: appended to the folder, unread."""
        c = self.client()
        try:
            for raw in messages:
                c.append(folder, raw, flags=())
        finally:
            c.logout()

    def folder(self, folder: str = "INBOX") -> dict[int, dict]:
        """UID → flags and subject, read without touching anything."""
        c = self.client()
        try:
            c.select_folder(folder, readonly=True)
            uids = c.search("ALL")
            found = c.fetch(uids, ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"]) if uids else {}
        finally:
            c.logout()
        return {
            uid: {
                "flags": set(data[b"FLAGS"]),
                "subject": data[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode().strip(),
            }
            for uid, data in found.items()
        }

    def change_uidvalidity(self) -> None:
        """Stop, give INBOX a new UIDVALIDITY and renumber its UIDs from 1 (what a server
        does when it rebuilds a folder's index), start again."""
        self.stop()
        uidlist = self.root / USER / "dovecot-uidlist"
        lines = uidlist.read_text().splitlines()
        header = re.sub(r"\bV(\d+)", lambda m: f"V{int(m.group(1)) + 7}", lines[0])
        entries = [re.sub(r"^\d+", str(i), line) for i, line in enumerate(lines[1:], 1)]
        header = re.sub(r"\bN\d+", f"N{len(entries) + 1}", header)
        uidlist.write_text("\n".join([header, *entries]) + "\n")
        self.start()
