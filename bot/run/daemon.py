"""`foibot daemon`: run the passes on a schedule until SIGTERM or SIGINT.

APScheduler 3.x with an in-memory job store: jobs are registered in code at start-up, so
there is nothing pickled that a rename could silently delete. The scheduled jobs only
queue a pass; one worker thread runs the queued passes in order, so the daemon's own
jobs never meet at the lock (a release due during a long poll waits its turn, and a job
already waiting is not queued twice). The first pass runs at start-up. Each pass opens its
own database connection and takes the same file lock as `run --once`, so a cron job and
the daemon never run a pass at the same time.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.dates import LONDON
from bot.errors import FoibotError, Interrupted
from bot.run.lock import LockHeld, RunLock
from bot.triggers import load_apscheduler, trigger_for

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.config import Config

log = logging.getLogger("foibot.daemon")
STOP_TIMEOUT_S = 10
# One IDLE command lasts at most this long before it is renewed: servers may drop an IDLE
# after 30 minutes (RFC 2177), and a renewal is what notices a dead connection (a server
# frozen, a NAT that forgot the connection): within this and [mailbox] timeout_s, the
# watcher reconnects and catches up. A DONE and an IDLE a minute cost a server nothing.
IDLE_RENEW_S = 60
MAIL_RETRY_FIRST_S, MAIL_RETRY_MAX_S = 5.0, 300.0
MAIL_JOB = {"release": False, "poll": False, "digest": None, "mail": True}


def _scheduler_class() -> Any:
    """APScheduler's BackgroundScheduler (a BlockingScheduler run in its own thread),
    imported without asyncio (see bot.triggers.load_apscheduler)."""
    load_apscheduler()
    from apscheduler.schedulers.background import BackgroundScheduler

    return BackgroundScheduler


def _return_free_memory() -> None:
    """Hand the C heap's free pages back to the system after a pass (glibc's malloc_trim).

    A pass over many requests builds and drops thousands of rows; the freed memory stays
    in the process (~2 MB at 10,000 requests) until the allocator is asked to give it back.
    Elsewhere than glibc this does nothing."""
    import contextlib
    import ctypes

    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).malloc_trim(0)


class Daemon:
    def __init__(self, config: Config, db_path: Path, web: tuple[Any, Any, str] | None = None):
        self.config, self.db_path = config, db_path
        # (uvicorn server, bound socket, banner) to serve the pages beside the passes.
        self.web = web
        self.stop = threading.Event()
        # name -> job arguments, in the order queued; at most one waiting pass per job.
        self._pending: dict[str, dict] = {}
        self._queue_changed = threading.Condition()

    def enqueue(self, name: str, **kwargs: object) -> None:
        """Queue a pass (what the scheduled jobs do). A pass already waiting covers a
        second one of the same job; a waiting poll pass releases too, so a release
        queued behind it is dropped."""
        with self._queue_changed:
            if name in self._pending or (name == "release" and "poll" in self._pending):
                return
            self._pending[name] = kwargs
            self._queue_changed.notify()

    def next_pass(self) -> tuple[str, dict] | None:
        """The oldest queued pass, waiting for one; None once a stop is asked for."""
        with self._queue_changed:
            while not self._pending and not self.stop.is_set():
                self._queue_changed.wait()
            if self.stop.is_set():
                return None
            name = next(iter(self._pending))
            return name, self._pending.pop(name)

    def work(self) -> None:
        """The one worker: runs queued passes in order until a stop."""
        while (item := self.next_pass()) is not None:
            name, kwargs = item
            self.job(name, **kwargs)
            _return_free_memory()

    def request_stop(self) -> None:
        self.stop.set()
        with self._queue_changed:
            self._queue_changed.notify_all()

    def job(
        self, name: str, *, release: bool, poll: bool, digest: bool | None, mail: bool = False
    ) -> None:
        if self.stop.is_set():
            return
        from bot.run.once import run_once
        from bot.store.db import Store
        from bot.wdtk.client import WdtkClient
        from bot.wdtk.robots import RobotsCache

        lock = RunLock(self.db_path)
        try:
            lock.acquire()
        except LockHeld as exc:
            log.info("%s: skipped, %s", name, exc)
            return
        except (
            FoibotError,
            OSError,
        ) as exc:  # the lock file cannot be made (a symlink, a full disk)
            log.error("%s: %s", name, exc)
            return
        try:
            store = Store(self.db_path)
            try:
                # The client's waits wake up, and a call in flight ends, when a stop is
                # asked for.
                # robots.txt is kept in the database a day, not fetched once a pass.
                robots = RobotsCache(store.robots_txt, store.set_robots_txt)
                with WdtkClient(self.config.wdtk, stop=self.stop, robots_cache=robots) as client:
                    summary = run_once(
                        store, self.config, dt.datetime.now(dt.UTC), client,
                        release=release, poll=poll, digest=digest, mail=mail,
                        should_stop=self.stop.is_set,
                    )  # fmt: skip
            finally:
                store.close()
            level = (
                logging.WARNING if summary.failed
                else logging.DEBUG if summary.nothing_happened
                else logging.INFO
            )  # fmt: skip
            log.log(level, "%s: %s", name, summary.paragraph())
        except Interrupted:
            log.info("%s: stopped part-way; the next start carries on", name)
        except FoibotError as exc:
            log.error("%s failed: %s", name, exc)
        except Exception:
            # A job must never kill the daemon; the next run retries from the database.
            log.exception("%s failed", name)
        finally:
            lock.release()

    def watch_mail(self, scheduler: BackgroundScheduler) -> None:
        """New mail handled as it arrives: one connection waits in IDLE and each change
        queues a mail pass for the worker (its own connection, the run lock, the news path
        of a poll).
        A server without IDLE gets the [schedule] mail job instead; a lost connection is
        reopened with back-off, and each reconnect catches up on what arrived meanwhile."""
        from bot.mailbox.imap import Mailbox, MailboxError

        assert self.config.mailbox is not None
        delay = MAIL_RETRY_FIRST_S
        while not self.stop.is_set():
            try:
                # Each step ends within [mailbox] timeout_s (an IDLE within its wait and
                # that much more), and at once when a stop is asked for.
                with Mailbox(self.config.mailbox, stop=self.stop.is_set) as box:
                    if not box.offers_idle:
                        spec = self.config.schedule.mail
                        log.info("mailbox: the server offers no IDLE; checking %s", spec)
                        scheduler.add_job(
                            self.enqueue, trigger_for(spec), args=["mail"], kwargs=MAIL_JOB,
                            id="mail", name="mail",
                        )  # fmt: skip
                        return
                    log.info("mailbox: watching %s with IDLE", self.config.mailbox.folder)
                    delay = MAIL_RETRY_FIRST_S
                    self.enqueue("mail", **MAIL_JOB)  # what arrived while not watching
                    while not self.stop.is_set():
                        if box.idle(IDLE_RENEW_S) and not self.stop.is_set():
                            self.enqueue("mail", **MAIL_JOB)
            except Interrupted:
                return  # the daemon is stopping
            except MailboxError as exc:
                log.warning("mailbox: %s; reconnecting in %.0f s", exc, delay)
                self.stop.wait(delay)
                delay = min(delay * 2, MAIL_RETRY_MAX_S)
            except Exception:
                # The watcher must never die silently: log, back off, watch again.
                log.exception("mailbox watcher failed")
                self.stop.wait(delay)
                delay = min(delay * 2, MAIL_RETRY_MAX_S)

    def start_web(self) -> tuple[Any, threading.Thread] | None:
        """With `[serve] daemon = true`, the web pages in this process (one process does
        both): the server `self.web` made (bot/cli/run.py: bound, on [serve] host and
        port) run in a thread, before the first pass. Each page opens its own store, with
        the same locking as a pass."""
        if self.web is None:
            return None
        server, sock, banner = self.web
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="foibot-web", daemon=True
        )
        thread.start()
        log.info("%s", banner)
        print(banner, flush=True)
        return server, thread

    def run(self, verbose: bool = False) -> int:
        # APScheduler logs two INFO lines per job per tick: thousands a day saying nothing.
        logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.WARNING)
        schedule = self.config.schedule
        scheduler = _scheduler_class()(
            timezone=LONDON,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": schedule.misfire_grace_s,
            },
        )
        first = {"release": True, "poll": True, "digest": None, "mail": True}
        jobs = [
            ("poll", schedule.poll, first),
            ("release", schedule.release, {"release": True, "poll": False, "digest": False}),
        ]
        if self.config.notify.enabled and self.config.notify.batch == "daily":
            jobs.append(
                ("digest", schedule.digest, {"release": False, "poll": False, "digest": True})
            )
        for name, spec, kwargs in jobs:
            scheduler.add_job(
                self.enqueue, trigger_for(spec), args=[name], kwargs=kwargs, id=name, name=name
            )
            log.info("job %s: %s", name, spec)

        def request_stop(signum: int, _frame: object) -> None:
            log.info("received %s: finishing the current step", signal.Signals(signum).name)
            self.stop.set()

        def log_rotated(_signum: int, _frame: object) -> None:
            # Log rotation's usual signal. The log file is reopened by itself once moved
            # (WatchedFileHandler), so a SIGHUP is no reason to stop, as its default is.
            log.info("received SIGHUP: carrying on (a rotated --log-file is reopened)")

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGHUP, log_rotated)
        web = self.start_web()
        worker = threading.Thread(target=self.work, name="foibot-passes")
        self.enqueue("poll", **first)  # the first pass now, not one interval from now
        worker.start()
        scheduler.start()
        if self.config.mailbox is not None:
            threading.Thread(
                target=self.watch_mail, args=(scheduler,), name="mail", daemon=True
            ).start()
        log.info("foibot daemon started (database %s)", self.db_path)
        self.stop.wait()
        self.request_stop()  # wake the worker if it is waiting for a pass
        scheduler.shutdown(wait=True)
        worker.join()
        if web is not None:
            server, thread = web
            server.should_exit = True  # finishes the requests under way, then returns
            thread.join()
        log.info("foibot daemon stopped")
        return 0
