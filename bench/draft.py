"""Benchmark: import a 50,000-row all-authorities.csv and draft a 2,000-body campaign.

Run: python bench/draft.py [--quick]   (from a checkout; no install needed beyond the
dependencies; --quick: a 10,000-row file and a 500-body campaign, a check that it runs:
its ratio is higher, the per-campaign set-up weighing on a quarter of the renders)

Baseline, in the same run: rendering the same title and letter templates 2,000 times with
bare Jinja2 in a loop. The ratio is foibot's whole draft (select bodies, render, check
WDTK's rules, plan, write to SQLite in one transaction) over that baseline.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import platform
import shutil
import sys
import tempfile
from pathlib import Path

from _common import median_time, peak_memory_mb, write_campaign_project

from bot.bodies import read_authorities_csv
from bot.campaigns.service import draft_campaign
from bot.config import load_config
from bot.rules.drafting import Renderer, body_context, make_environment
from bot.store.db import Store

CSV_ROWS = 50_000
CAMPAIGN_BODIES = 2_000
HEADER = ["Internal ID", "Name", "Short name", "URL name", "Tags", "Home page", "Publication scheme",
          "Disclosure log", "Notes", "Created at", "Updated at", "Version"]  # fmt: skip


def write_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(CSV_ROWS):
            tags = "bench local_council" if i < CAMPAIGN_BODIES else "local_council"
            if i % 97 == 0:
                tags += " scotland"
            w.writerow([i, f"Council Number {i}", f"Council {i}", f"council_{i}", tags,
                        f"https://council{i}.example.gov.uk", "", "", "Some notes, with a comma",
                        "2007-10-24 11:51:01 +0100", "2025-01-01 00:00:00 +0000", "2"])  # fmt: skip


def main() -> None:
    global CSV_ROWS, CAMPAIGN_BODIES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a 10,000-row file and a 500-body campaign"
    )
    if parser.parse_args().quick:
        CSV_ROWS, CAMPAIGN_BODIES = 10_000, 500
    tmp = Path(tempfile.mkdtemp(prefix="foibot-bench-"))
    try:
        csv_path = tmp / "all-authorities.csv"
        write_csv(csv_path)
        config = load_config(write_campaign_project(tmp))
        db_path = tmp / "bench.db"
        today = dt.date(2026, 11, 22)

        def fresh_db() -> None:
            for p in tmp.glob("bench.db*"):
                p.unlink()

        def import_csv() -> None:
            store = Store(db_path)
            bodies = [
                b
                for b in read_authorities_csv(csv_path.read_text(encoding="utf-8"))
                if hasattr(b, "url_name")
            ]
            with store.transaction():
                store.upsert_bodies(bodies, "csv")
            store.close()

        def draft() -> None:
            store = Store(db_path)
            report = draft_campaign(store, config, "bench", today)
            store.close()
            assert len(report.created) + len(report.unchanged) == CAMPAIGN_BODIES, report.as_json()

        # Baseline: bare Jinja2, same templates and context, no checks, no storage.
        store = Store(tmp / "baseline.db")
        with store.transaction():
            store.upsert_bodies(
                (
                    b
                    for b in read_authorities_csv(csv_path.read_text(encoding="utf-8"))
                    if hasattr(b, "url_name")
                ),
                "csv",
            )
        bodies = store.bodies(tag="bench")
        store.close()
        renderer = Renderer(config, config.campaigns[0], today)
        env = make_environment(config.root)

        def bare_jinja() -> None:
            letter = env.get_template("templates/letters/social_media_misuse.txt.j2")
            title = env.from_string(config.campaigns[0].title)
            for body in bodies:
                ctx = renderer.context(body)
                title.render(ctx)
                letter.render(ctx)

        assert len(bodies) == CAMPAIGN_BODIES and body_context(bodies[0])

        t_import = median_time(import_csv, setup=fresh_db)
        m_import = peak_memory_mb(import_csv, setup=fresh_db)
        t_reimport = median_time(import_csv)  # upsert over existing rows

        def imported_fresh() -> None:
            fresh_db()
            import_csv()

        t_draft = median_time(draft, setup=imported_fresh)
        m_draft = peak_memory_mb(draft, setup=imported_fresh)
        t_redraft = median_time(draft)  # everything unchanged
        t_bare = median_time(bare_jinja, repeat=5)

        print(f"foibot bench/draft.py — Python {platform.python_version()} on {platform.machine()}, "
              f"{dt.date.today().isoformat()}")  # fmt: skip
        print(f"import {CSV_ROWS:,}-row all-authorities.csv: {t_import:.2f} s median "
              f"(re-import over existing rows {t_reimport:.2f} s), peak Python heap {m_import:.0f} MB")  # fmt: skip
        print(f"draft {CAMPAIGN_BODIES:,}-body campaign:        {t_draft:.2f} s median "
              f"(re-run, all unchanged {t_redraft:.2f} s), peak Python heap {m_draft:.0f} MB")  # fmt: skip
        print(f"baseline bare Jinja2, same {CAMPAIGN_BODIES:,} renders:  {t_bare:.3f} s median")
        print(f"ratio draft / bare Jinja2: {t_draft / t_bare:.1f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
