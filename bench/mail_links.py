"""Benchmark: link matching in a hostile mail — a forged "alert" from the site's domain
with 50,000 distinct request links (the mail that took 657 s before issue 29).

Run: python bench/mail_links.py [--quick]   (from a checkout)

  baseline:  one `re.findall` of the link pattern over the decoded text: the least any
             link matching can cost.
  recognise: what `foibot mail` does with the message as fetched (parse, decode, find the
             links, at most MAX_LINKS of them, check the headers).
  uncapped:  `mentions_in` over every link (no cap): shows the matching is linear.
  match:     `match_mentions` of every link found uncapped against 500 stored requests.

Pure functions, no network. Closes with the aim and whether it was met.
"""

from __future__ import annotations

import argparse
import sys

from _common import aim, machine_line, median_time, peak_memory_mb  # puts the checkout on sys.path

from bot.mailbox.recognise import _URL, MAX_LINKS, match_mentions, mentions_in, recognise
from tests import wdtk_mail

WDTK = "https://www.whatdotheyknow.com"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 links instead of 50,000")
    args = parser.parse_args()
    n = 5_000 if args.quick else 50_000
    print(machine_line("mail_links.py", args.quick))
    raw = wdtk_mail.forged_alert(WDTK, [f"someone_elses_request_{i}" for i in range(n)])
    text = raw.decode()
    rows = [
        {"ref": f"smm-{i}", "wdtk_id": 5000 + i, "url_title": f"ours_{i}", "title": f"T {i}",
         "status": "waiting_response"}
        for i in range(500)
    ]  # fmt: skip
    print(f"mail: {len(raw) / 1e6:.1f} MB, {n:,} distinct request links; cap {MAX_LINKS:,} links")

    baseline = median_time(lambda: _URL.findall(text))
    capped = median_time(lambda: recognise(raw, WDTK))
    uncapped = median_time(lambda: mentions_in([text], WDTK, max_links=None))
    mentions = mentions_in([text], WDTK, max_links=None)
    matched = median_time(lambda: match_mentions(mentions, rows))
    half = median_time(lambda: mentions_in([text[: len(text) // 2]], WDTK, max_links=None))
    memory = peak_memory_mb(lambda: recognise(raw, WDTK))
    print(f"baseline (re.findall)      {baseline:8.3f} s")
    print(f"recognise (as shipped)     {capped:8.3f} s   peak {memory:.0f} MB")
    print(f"mentions_in, every link    {uncapped:8.3f} s   ({len(mentions):,} mentions)")
    print(f"  …half the links          {half:8.3f} s   (linear: about half)")
    print(f"match_mentions, every one  {matched:8.3f} s")
    worst = capped + matched
    aim("50,000-link mail", "recognised and matched well under 1 s", f"{worst:.3f} s", worst < 0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
