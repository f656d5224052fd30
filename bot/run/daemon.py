"""`foibot daemon`: run the passes on a schedule until SIGTERM or SIGINT.

APScheduler 3.x with an in-memory job store: jobs are registered in code at start-up, so
there is nothing pickled that a rename could silently delete. Each job opens its own
database connection (sqlite3 connections are per thread) and takes the same file lock as
`run --once`, so a cron job and the daemon never run a pass at the same time.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from bot.config import Config
from bot.dates import LONDON
from bot.run.lock import LockHeld, RunLock
from bot.run.triggers import trigger_for

log = logging.getLogger("foibot.daemon")
STOP_TIMEOUT_S = 10


class Daemon:
    def __init__(self, config: Config, db_path: Path):
        self.config, self.db_path = config, db_path
        self.stop = threading.Event()

    def job(self, name: str, *, release: bool, poll: bool, digest: bool | None) -> None:
        if self.stop.is_set():
            return
        from bot.run.once import run_once
        from bot.store.db import Store
        from bot.wdtk.client import WdtkClient

        lock = RunLock(self.db_path)
        try:
            lock.acquire()
        except LockHeld:
            log.info("%s: skipped, another run is in progress", name)
            return
        try:
            store = Store(self.db_path)
            try:
                # The client's back-off sleeps wake up at once when a stop is asked for.
                with WdtkClient(self.config.wdtk, sleep=self.stop.wait) as client:
                    summary = run_once(
                        store, self.config, dt.datetime.now(dt.UTC), client,
                        release=release, poll=poll, digest=digest, should_stop=self.stop.is_set,
                    )  # fmt: skip
            finally:
                store.close()
            level = logging.DEBUG if summary.nothing_happened else logging.INFO
            log.log(level, "%s: %s", name, summary.paragraph())
        except Exception:
            # A job must never kill the daemon; the next run retries from the database.
            log.exception("%s failed", name)
        finally:
            lock.release()

    def run(self) -> int:
        schedule = self.config.schedule
        scheduler = BackgroundScheduler(
            timezone=LONDON,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": schedule.misfire_grace_s,
            },
        )
        jobs = [
            ("poll", schedule.poll, {"release": True, "poll": True, "digest": None}),
            ("release", schedule.release, {"release": True, "poll": False, "digest": False}),
        ]
        if self.config.notify.enabled and self.config.notify.batch == "daily":
            jobs.append(
                ("digest", schedule.digest, {"release": False, "poll": False, "digest": True})
            )
        for name, spec, kwargs in jobs:
            scheduler.add_job(
                self.job, trigger_for(spec), args=[name], kwargs=kwargs, id=name, name=name
            )
            log.info("job %s: %s", name, spec)

        def request_stop(signum: int, _frame: object) -> None:
            log.info("received %s: finishing the current step", signal.Signals(signum).name)
            self.stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        scheduler.start()
        log.info("foibot daemon started (database %s)", self.db_path)
        self.stop.wait()
        scheduler.shutdown(wait=True)
        log.info("foibot daemon stopped")
        return 0
