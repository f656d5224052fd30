"""Benchmark: draft chasers for a 2,000-request campaign, then re-check them before a release.

Run: python bench/followups.py [--quick]   (from a checkout; --quick: a 500-request
campaign, a check that it runs)

Issue 28 put two costs on this path: every chaser's precondition is checked against the
law (no statutory claim to a body not subject to FOI, the school's limit, the unanswered
chaser before an ICO complaint), and before any release each unsent follow-up is
re-checked against the request as it now stands, so none reaches a body that has since
answered. Figures:

- draft: `draft_followups` for the whole campaign, all 2,000 requests late (decide what
  is due, render each chaser, check it, write it in one transaction), against the
  baseline, in the same run, of rendering the same chaser template 2,000 times with bare
  Jinja2 and no checks or storage: what a campaigner would otherwise run as a mail merge.
- re-check: `withdraw_stale_followups`, the step `launch` and the poll now take, over the
  2,000 unsent chasers of which half have lost their reason (the body answered): reading
  them with their requests and events, re-deciding each one, and withdrawing 1,000 with
  their news, in one transaction. Shown beside the draft it guards, since it is paid once
  per release on top of it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import shutil
import sys
import tempfile
from pathlib import Path

from _common import median_time, peak_memory_mb, write_campaign_project

from bot.bodies import Body
from bot.campaigns.service import draft_campaign, withdraw_stale_followups
from bot.config import load_config
from bot.deadlines import calendar_for
from bot.followups.service import draft_followups
from bot.rules.drafting import make_environment
from bot.rules.followups import Due, History, context
from bot.store.db import Store
from bot.templating import builtin_dir

REQUESTS = 2_000
SENT = "2026-03-02"  # Mon 2 Mar 2026: due Tue 31 Mar, very overdue after Thu 30 Apr (FOIA)
DUE, VERY = "2026-03-31", "2026-04-30"
TODAY = dt.date(2026, 4, 1)  # the first day late: a chaser is due (chaser_after = 1)
NOW = dt.datetime(2026, 4, 2, 9, 0, tzinfo=dt.UTC)  # the next morning's launch


def sent_campaign(db: Path, config) -> list[str]:
    """The campaign drafted and every request sent on WDTK on SENT, unanswered."""
    store = Store(db)
    bodies = [
        Body(f"council_{i}", f"Council Number {i}", f"Council {i}", ("bench", "local_council"))
        for i in range(REQUESTS)
    ]
    with store.transaction():
        store.upsert_bodies(bodies, "csv")
    draft_campaign(store, config, "bench", TODAY)
    refs = [r["ref"] for r in store.campaign_requests("bench")]
    with store.transaction():
        for n, ref in enumerate(refs, 1):
            store.update_request(
                ref, status="waiting_response", wdtk_id=10_000 + n, url_title=f"request_{n}",
                wdtk_user="alex_example",
                sent_on=SENT, due=DUE, very_overdue_after=VERY,
            )  # fmt: skip
    store.close()
    return refs


def main() -> None:
    global REQUESTS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 500-request campaign")
    if parser.parse_args().quick:
        REQUESTS = 500
    tmp = Path(tempfile.mkdtemp(prefix="foibot-bench-"))
    try:
        config = load_config(
            write_campaign_project(
                tmp,
                head='[wdtk]\nuser = "alex_example"\n\n',
                tail="\n[campaigns.followups]\nchaser_after = 1\n",
            )
        )
        db = tmp / "bench.db"
        refs = sent_campaign(db, config)
        store = Store(db)

        def no_followups() -> None:
            with store.transaction():
                store.db.execute("DELETE FROM news")
                store.db.execute("DELETE FROM followups")

        def draft() -> None:
            report = draft_followups(store, config, "bench", "chaser", TODAY)
            assert len(report.created) == REQUESTS, report.as_json()

        t_draft = median_time(draft, setup=no_followups)
        m_draft = peak_memory_mb(draft, setup=no_followups)

        # Half the bodies answer on 1 Apr: their chasers have lost their reason.
        with store.transaction():
            for ref in refs[::2]:
                store.update_request(
                    ref, status="successful", answered_at="2026-04-01T10:00:00+00:00"
                )
                store.log(ref, "response", {"text": "Here is the information."},
                          at="2026-04-01T10:00:00+00:00")  # fmt: skip

        def unsent_again() -> None:
            with store.transaction():
                store.db.execute(
                    "UPDATE followups SET status = 'draft', withdrawn_at = NULL, "
                    "withdrawn_note = NULL"
                )
                store.db.execute("DELETE FROM news WHERE kind = 'followup_withdrawn'")

        def recheck() -> None:
            with store.transaction():
                gone = withdraw_stale_followups(store, config, "bench", NOW)
            assert len(gone) == len(refs[::2]), len(gone)

        t_recheck = median_time(recheck, setup=unsent_again)
        m_recheck = peak_memory_mb(recheck, setup=unsent_again)
        store.close()

        # Baseline: the same chaser template rendered REQUESTS times by bare Jinja2.
        calendar = calendar_for("foi")
        row = {"ref": "bench-1", "title": "Staff disciplined", "status": "waiting_response",
               "law": "foi", "sent_on": SENT, "due": DUE, "very_overdue_after": VERY,
               "wdtk_id": 1}  # fmt: skip
        ctx = context(row, Due("chaser", f"{SENT}:1"), "Council 1", TODAY, calendar,
                      {"name": "Alex Example"}, "https://www.whatdotheyknow.com/request/x",
                      None, History())  # fmt: skip
        template = make_environment(builtin_dir()).get_template("followups/chaser.txt.j2")

        def bare_jinja() -> None:
            for _ in range(REQUESTS):
                template.render(ctx)

        t_bare = median_time(bare_jinja, repeat=5)

        print(f"foibot bench/followups.py — Python {platform.python_version()} on "
              f"{platform.machine()}, {dt.date.today().isoformat()}")  # fmt: skip
        print(f"draft {REQUESTS:,} chasers (followups bench --kind chaser): {t_draft:.2f} s median, "
              f"peak Python heap {m_draft:.0f} MB")  # fmt: skip
        print(f"baseline bare Jinja2, the same {REQUESTS:,} renders:  {t_bare:.3f} s median")
        print(f"ratio draft / bare Jinja2: {t_draft / t_bare:.1f}x")
        print(f"re-check {REQUESTS:,} unsent chasers before a release, withdrawing "
              f"{len(refs[::2]):,}: {t_recheck:.2f} s median ({t_recheck / REQUESTS * 1000:.2f} ms "
              f"each), peak Python heap {m_recheck:.0f} MB")  # fmt: skip
        print(f"re-check as a share of the draft it guards: {t_recheck / t_draft:.0%}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
