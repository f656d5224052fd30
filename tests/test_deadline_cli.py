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
    # Received Sat 10 Jan 2026: day 1 is Mon 12 Jan. Worked by hand, skipping weekends and
    # the UK-wide bank holidays: NI's St Patrick's Day (Tue 17 Mar), Good Friday (3 Apr)
    # and Easter Monday (6 Apr).
    school = json.loads(deadline("2026-01-10", "--school", "--json").stdout)
    other = json.loads(deadline("2026-01-10", "--json").stdout)
    for data in (school, other):
        assert data["due"] == "2026-02-06"  # 20th working day: Fri 6 Feb
        assert data["grace_due"] == "2026-02-09"  # counted from Mon 12 Jan as day 0
    assert other["very_overdue_after"] == "2026-03-06"  # 40th working day: Fri 6 Mar
    assert school["very_overdue_after"] == "2026-04-08"  # 60th working day: Wed 8 Apr
    text = deadline("2026-01-10", "--school").stdout
    assert "very overdue after (working day 60): Wed 08 Apr 2026" in text


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


# --- issue 15: schools, labels, extensions, years, holidays by part of the UK ----------


def test_school_variation_is_foia_only_si_2004_3364():
    """SI 2004/3364 reg 3 varies FOIA s.10(1) for schools (made under s.10(4)); EIR reg 5,
    FOISA s.10 and EISR reg 5 are untouched, so a school is very overdue after the 40th
    working day under them and after the 60th (the cap) under FOIA."""
    # Mon 2 Mar 2026; FOIA union calendar skips 17 Mar, 3 Apr, 6 Apr, 4 May, 25 May.
    eir = json.loads(deadline("2026-03-02", "--law", "eir", "--school", "--json").stdout)
    assert (eir["very_overdue_after"], eir["very_overdue_days"]) == ("2026-04-30", 40)
    foi = json.loads(deadline("2026-03-02", "--law", "foi", "--school", "--json").stdout)
    assert (foi["very_overdue_after"], foi["very_overdue_days"]) == ("2026-06-01", 60)
    # FOISA s.73: Scottish calendar; 40th working day, schools like anyone.
    foisa = json.loads(deadline("2026-03-02", "--law", "foisa", "--school", "--json").stdout)
    assert foisa["very_overdue_days"] == 40 and foisa["school"] is False
    text = deadline("2026-03-02", "--law", "foi", "--school").stdout
    assert "working day 60" in text and "20 school days and no later than" in text


def test_days_option_labels_each_date_with_its_real_day_number():
    """FOIA s.10(4) regulations may allow up to 60 working days: `--days 60` puts 'very
    overdue' at the 60th working day too, and the label must say 60, not 40."""
    text = deadline("2026-03-02", "--days", "60").stdout
    assert "due (working day 60):" in text
    assert "very overdue after (working day 60):" in text and "day 40" not in text
    text = deadline("2026-03-02", "--days", "10").stdout
    assert "due (working day 10):" in text and "very overdue after (working day 40):" in text


def test_eir_reg_7_extension_and_fee_pause_on_the_command_line():
    """EIR reg 7(1): 40 working days when complex and voluminous. FOIA s.10(2): the working
    days from the fees notice to the fee's receipt do not count."""
    data = json.loads(deadline("2026-03-02", "--law", "eir", "--eir", "--json").stdout)
    assert (data["due"], data["working_days"]) == ("2026-04-30", 40)
    # Notice Thu 5 Mar, paid Thu 12 Mar: days 1-2 are 3-4 Mar; 5, 6, 9, 10, 11 and 12 Mar
    # are disregarded; days 3-20 run 13 Mar to 10 Apr (17 Mar, 3 and 6 Apr skipped).
    paused = json.loads(
        deadline(
            "2026-03-02", "--fee-notice", "2026-03-05", "--fee-paid", "2026-03-12", "--json"
        ).stdout
    )
    assert paused["due"] == "2026-04-10"  # 31 Mar + 6 working days over Easter (3 and 6 Apr)
    assert deadline("2026-03-02", "--fee-notice", "2026-03-05").exit_code == 2
    early = deadline("2026-03-02", "--fee-notice", "2026-02-27", "--fee-paid", "2026-03-04")
    assert early.exit_code == 2
    assert "fee notice 2026-02-27 is before the request was received (2026-03-02)" in early.stderr
    wrong_law = deadline("2026-03-02", "--law", "foi", "--eir")
    assert wrong_law.exit_code == 2 and "only under EIR" in wrong_law.stderr


def test_dates_past_2035_are_covered():
    """The 40th working day after 1 Nov 2035 falls in January 2036."""
    result = deadline("2035-11-01", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["very_overdue_after"] == "2036-01-03"


def test_holiday_added_for_england_does_not_move_a_foisa_date_s73(tmp_path):
    """FOISA s.73: a working day excludes bank holidays *in Scotland* only; FOIA s.10(6)
    excludes a bank holiday in any part of the UK."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[requester]\nname = "A"\n[deadlines.extra_holidays]\nengland = [2026-12-21]\n'
    )
    foi = json.loads(deadline("2026-12-18", "--json", config=str(config)).stdout)
    foisa = json.loads(
        deadline("2026-12-18", "--law", "foisa", "--json", config=str(config)).stdout
    )
    assert foi["due"] == "2027-01-22"  # moved by the English day
    assert foisa["due"] == "2027-01-21"  # unmoved
    config.write_text(
        '[requester]\nname = "A"\n[deadlines.extra_holidays]\nscotland = [2026-12-21]\n'
    )
    foisa = json.loads(
        deadline("2026-12-18", "--law", "foisa", "--json", config=str(config)).stdout
    )
    assert foisa["due"] == "2027-01-22"
    config.write_text('[requester]\nname = "A"\n[deadlines.extra_holidays]\nmars = [2026-12-21]\n')
    bad = deadline("2026-12-18", config=str(config))
    assert bad.exit_code == 2 and "deadlines.extra_holidays.mars" in bad.stderr
    assert "Traceback" not in bad.output


def test_plain_list_override_still_applies_everywhere(tmp_path):
    """The original `extra_holidays = [dates]` form keeps meaning every part of the UK."""
    config = tmp_path / "config.toml"
    config.write_text('[requester]\nname = "A"\n[deadlines]\nextra_holidays = [2026-12-21]\n')
    foisa = json.loads(
        deadline("2026-12-18", "--law", "foisa", "--json", config=str(config)).stdout
    )
    assert foisa["due"] == "2027-01-22"
    config.write_text('[requester]\nname = "A"\n[deadlines]\nextra_holidays = "2026-12-21"\n')
    bad = deadline("2026-12-18", config=str(config))
    assert bad.exit_code == 2 and "deadlines.extra_holidays" in bad.stderr


def test_school_text_lists_every_holiday_up_to_the_cap(project):
    """FOIA school (SI 2004/3364): the 60-working-day cap from Mon 2 Mar 2026 skips St
    Patrick's Day, Good Friday, Easter Monday, the May Day and Spring bank holidays."""
    out = project.run("deadline", "2026-03-02", "--law", "foi", "--school").stdout
    assert "(to Mon 01 Jun 2026)" in out
    for day in (
        "Tue 17 Mar 2026",
        "Fri 03 Apr 2026",
        "Mon 06 Apr 2026",
        "Mon 04 May 2026",
        "Mon 25 May 2026",
    ):
        assert day in out


def test_every_labelled_date_lines_up():
    """Due, very overdue, an extension, a fee pause and the Code of Practice reading (a
    Saturday receipt): each date starts in the same column, so they read as a table."""
    import re

    result = deadline("2026-12-26", "--pit-until", "2027-03-01", "--fee-notice", "2027-01-05",
                      "--fee-paid", "2027-01-08")  # fmt: skip
    assert result.exit_code == 0, result.output
    labelled = [ln for ln in result.stdout.splitlines() if re.match(r"  \S.*:\s+\w{3} \d\d ", ln)]
    assert len(labelled) == 5, result.stdout
    starts = {re.search(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d \w{3} \d{4}", ln).start()
              for ln in labelled}  # fmt: skip
    assert len(starts) == 1, result.stdout
