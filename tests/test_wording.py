"""Counts read as English: digests' subjects and the CLI's summaries."""

from __future__ import annotations

from bot.rules.news import build_digest
from bot.wording import plural


def rows(kind: str, n: int) -> list[dict]:
    return [{"key": f"{kind}:{i}", "kind": kind, "ref": f"r-{i}", "text": "x"} for i in range(n)]


def test_digest_subject_agrees_in_number():
    one = build_digest(rows("response", 1) + rows("error", 1))
    assert one.subject == "foibot: 1 new response; 1 needs a human"
    many = build_digest(rows("response", 2) + rows("error", 5) + rows("ready", 3))
    assert many.subject == "foibot: 3 requests ready to send; 2 new responses; 5 need a human"
    assert build_digest(rows("followup", 1)).subject == "foibot: 1 follow-up to review"


def test_plural():
    assert [plural(1, "request"), plural(3, "request"), plural(2, "body")] == [
        "1 request", "3 requests", "2 bodies",
    ]  # fmt: skip
    assert plural(0, "new response") == "0 new responses"


def test_pace_note_says_the_interval_and_the_total():
    from bot.cli.progress import pace_note

    assert pace_note(300, 3.0) == "3 s between calls to WDTK, about 15 min"
    assert pace_note(10, 3.0) == "3 s between calls to WDTK, about 30 s"
    assert pace_note(3000, 3.0) == "3 s between calls to WDTK, about 2.5 h"
    assert pace_note(5, 0) == "no wait between calls to WDTK"


def test_no_progress_bar_when_not_at_a_terminal(capsys):
    from bot.cli.progress import track_progress

    assert list(track_progress(range(50), 50, "Polling WDTK", interval_s=3.0)) == list(range(50))
    assert capsys.readouterr().err == ""  # pytest's stderr is not a terminal


def test_every_command_summary_in_help_is_a_whole_sentence():
    from click.testing import CliRunner

    from bot.cli import cli

    for args in (["--help"], ["bodies", "--help"]):
        text = CliRunner().invoke(cli, args).stdout
        listing = text.split("Commands:", 1)[1]
        summaries, current = [], ""
        for line in listing.splitlines():
            if line.startswith("  ") and not line.startswith("    ") and line.strip():
                if current:
                    summaries.append(current)
                current = line.split(None, 1)[1]
            elif line.strip():
                current += " " + line.strip()
        summaries.append(current)
        for summary in summaries:
            assert summary.endswith(".") and not summary.endswith(("...", "e.g.")), summary


def test_a_piped_table_never_cuts_a_status_or_a_url(capsys):
    """Cron mail and pipes read the whole value: `waiting_respon…` could be overdue or not,
    and a cut URL leads nowhere."""
    from bot.cli.output import print_table

    url = (
        "https://www.whatdotheyknow.com/request/" + "staff_disciplined_for_social_media_misuse_" * 3
    )
    title = "Staff disciplined for social media misuse, by year, grade and outcome " * 3
    headers = ("ref", "body", "status", "sent", "due", "late", "review by", "stage", "url", "title")
    row = ("smm-1", "Greater Manchester Police", "waiting_response_very_overdue", "2026-03-02",
           "2026-03-31", "44", "2026-05-28", "chaser sent", url, title.strip())  # fmt: skip
    print_table(headers, [row])
    out = capsys.readouterr().out
    for value in row:
        assert value in out, value


def test_two_replies_to_one_request_are_two_lines_a_reader_tells_apart():
    """Each new-response line says when its reply came (UK time): two replies to smm-4
    are not the same line twice."""
    from dataclasses import asdict

    from bot.outcomes import NewReply
    from bot.rules.news import new_reply

    items = [new_reply(NewReply("smm-4", "btp", "BTP: staff", at))
             for at in ("2026-03-20T09:00:00+00:00", "2026-03-21T14:30:00+00:00")]  # fmt: skip
    text = build_digest([asdict(i) for i in items]).text
    assert "smm-4 (btp): BTP: staff (reply of Fri 20 Mar 2026 09:00 UK)" in text
    assert "smm-4 (btp): BTP: staff (reply of Sat 21 Mar 2026 14:30 UK)" in text
