"""`foibot deadline`: the statutory dates for a receipt date, from the command line."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bot.cli import cli


def deadline(*args: str, config: str = "/nonexistent/config.toml"):
    # `deadline` works without a config file: no campaign is needed to check a date.
    return CliRunner().invoke(cli, ["--config", config, "deadline", *args])


def test_json_shape_and_dates_worked_by_hand():
    result = deadline("2026-12-18", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {
        "received",
        "law",
        "due",
        "very_overdue_after",
        "holidays_skipped",
        "grace_due",
    }
    # Fri 18 Dec 2026: Christmas (25), Boxing Day substitute (28), New Year (1 Jan) and
    # Scotland's 2 January substitute (Mon 4 Jan 2027) do not count → Thu 21 Jan 2027
    assert (data["received"], data["law"], data["due"]) == ("2026-12-18", "foi", "2027-01-21")
    assert [h["date"] for h in data["holidays_skipped"]] == [
        "2026-12-25",
        "2026-12-28",
        "2027-01-01",
        "2027-01-04",
    ]
    assert data["grace_due"] is None  # a Friday is a working day


def test_foisa_counts_only_scottish_holidays():
    data = json.loads(deadline("2026-04-01", "--law", "foisa", "--json").stdout)
    # Good Friday (3 Apr) counts in Scotland, Easter Monday (6 Apr) does not → Thu 30 Apr
    assert data["due"] == "2026-04-30"
    assert [h["date"] for h in data["holidays_skipped"]] == ["2026-04-03"]
    foi = json.loads(deadline("2026-04-01", "--json").stdout)
    assert foi["due"] == "2026-05-01"  # FOIA also skips Easter Monday


def test_school_and_weekend_receipt():
    data = json.loads(deadline("2026-01-10", "--school", "--json").stdout)  # a Saturday
    assert data["grace_due"] is not None and data["grace_due"] > data["due"]
    # 60 working days for schools; a Saturday receipt is still day 0
    assert data["very_overdue_after"] > data["due"]


def test_text_output_explains_the_count():
    text = deadline("2026-12-18").stdout
    assert "Received Fri 18 Dec 2026 (day 0)" in text
    assert "Thu 21 Jan 2027" in text and "Christmas Day" in text


def test_bad_date_or_law_is_exit_2():
    assert deadline("2026-13-01").exit_code == 2
    assert "not a date" in deadline("yesterday").stderr
    assert deadline("2026-01-05", "--law", "gdpr").exit_code == 2
    out_of_range = deadline("1999-01-04")
    assert out_of_range.exit_code == 2 and "Error:" in out_of_range.stderr


def test_config_can_add_a_newly_proclaimed_holiday(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[requester]\nname = "A"\n[deadlines]\nextra_holidays = [2026-12-21]\n')
    data = json.loads(deadline("2026-12-18", "--json", config=str(config)).stdout)
    assert data["due"] == "2027-01-22"
    assert "2026-12-21" in [h["date"] for h in data["holidays_skipped"]]
