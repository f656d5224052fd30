"""Drafting: WDTK's rules, idempotent re-runs, template edits, released drafts untouched."""

from __future__ import annotations

import sqlite3

import pytest

from bot.rules.drafting import Draft, letter_problems, plan_drafts, ref_prefix, title_problems

LETTER = "Dear Body,\n\nPlease send me the figures.\n\nYours faithfully,\n\nAlex Example\n"


@pytest.mark.parametrize(
    "title,problem",
    [
        ("Hi", "title must be 3–200 characters"),
        ("x" * 201, "title must be 3–200 characters"),
        ("STAFF DISCIPLINED FOR SOCIAL MEDIA", "mix capital and lower-case"),
        ("staff disciplined for social media", "mix capital and lower-case"),
        ("FOI request", "not just 'FOI request'"),
        ("Freedom of Information Act request", "not just 'FOI request'"),
        ("1234", "no words"),
    ],
)
def test_bad_titles(title, problem):
    assert any(problem in p for p in title_problems(title))


def test_good_title_and_letter_pass():
    assert title_problems("Staff disciplined for social media misuse (MoJ)") == []
    assert letter_problems(LETTER) == []


@pytest.mark.parametrize("ending", ["Yours faithfully,", "Yours sincerely", "Kind regards,"])
def test_unsigned_letter_is_refused(ending):
    problems = letter_problems(f"Dear Body,\n\nPlease.\n\n{ending}\n\n")
    assert problems == [f"letter ends with a bare '{ending}': sign it with your name"]


def test_empty_letter_is_refused():
    assert letter_problems(" \n\n") == ["letter is empty"]


def test_plan_sorts_drafts_into_outcomes():
    existing = [
        {"ref": "a-1", "body": "same", "title": "T", "letter": "L", "status": "draft"},
        {"ref": "a-2", "body": "edited", "title": "T", "letter": "L", "status": "draft"},
        {"ref": "a-3", "body": "sent", "title": "T", "letter": "L", "status": "ready"},
        {"ref": "a-4", "body": "dropped", "title": "T", "letter": "L", "status": "draft"},
        {
            "ref": "a-5",
            "body": "dropped_sent",
            "title": "T",
            "letter": "L",
            "status": "waiting_response",
        },
    ]
    drafts = [
        Draft("same", "T", "L"),
        Draft("edited", "T", "L2"),
        Draft("sent", "T2", "L"),
        Draft("new", "T", "L"),
    ]
    plan = plan_drafts(existing, drafts)
    assert [d.body for d in plan.create] == ["new"]
    assert [ref for ref, _ in plan.change] == ["a-2"]
    assert plan.unchanged == ["a-1"]
    assert plan.released_differs == ["a-3"]
    assert plan.cancel == ["a-4"]


def test_ref_prefix_is_short_and_unique():
    assert ref_prefix("social-media-misuse", set()) == "smm"
    assert ref_prefix("social-media-misuse", {"smm"}) == "smm2"
    assert ref_prefix("bins", set()) == "bins"


def test_example_campaign_drafts_one_request_per_body(project):
    report = project.json("draft", "social-media-misuse")
    assert report == {
        "campaign": "social-media-misuse", "created": 7, "unchanged": 0, "changed": 0, "skipped": [],
        "created_refs": [f"smm-{i}" for i in range(1, 8)], "changed_refs": [],
        "released_not_updated": [], "cancelled": [], "orphaned": [], "failed": [],
        "not_subject_to_foi": [],
    }  # fmt: skip
    shown = project.json("show", "smm-7")
    assert shown["body"] == "police_scotland"
    assert shown["law"] == "foisa"
    assert "Freedom of Information (Scotland) Act 2002" in shown["letter"]
    assert shown["title"] == "Police Scotland: staff disciplined for social media misuse"
    assert shown["letter"].rstrip().endswith("Alex Example")
    assert "officers and staff" in shown["letter"]  # police bodies get the police wording
    home = project.json("show", "smm-1")
    assert "Freedom of Information Act 2000" in home["letter"] and "officers" not in home["letter"]
    assert [e["kind"] for e in shown["events"]] == ["drafted"]


def test_rerun_reports_everything_unchanged(project):
    project.run("draft", "social-media-misuse")
    before = project.dump()
    again = project.json("draft", "social-media-misuse")
    assert (again["created"], again["unchanged"], again["changed"]) == (0, 7, 0)
    assert project.dump() == before  # no new rows, no new events


def test_template_edit_updates_unreleased_drafts_only(project):
    project.run("draft", "social-media-misuse")
    project.run("launch", "social-media-misuse", "--as-of", "2026-12-01T09:00")  # releases smm-1
    letter = project.root / "templates" / "letters" / "social_media_misuse.txt.j2"
    letter.write_text(letter.read_text().replace("spreadsheet", "CSV file"))
    report = project.json("draft", "social-media-misuse")
    assert report["changed"] == 6
    assert report["released_not_updated"] == ["smm-1"]
    assert "CSV file" not in project.json("show", "smm-1")["letter"]
    assert "CSV file" in project.json("show", "smm-2")["letter"]
    assert [e["kind"] for e in project.json("show", "smm-2")["events"]][-1] == "redrafted"


def test_removed_body_orphans_its_draft_prune_cancels_it_and_readding_restores_it(project):
    project.run("draft", "social-media-misuse")
    project.edit_config('  "hmrc",\n', "")
    # Issue 12: a draft whose body left the campaign is listed, never released …
    report = project.json("draft", "social-media-misuse")
    assert report["orphaned"] == ["smm-6"] and report["cancelled"] == []
    assert project.json("show", "smm-6")["status"] == "draft"
    launched = project.json("launch", "social-media-misuse", "--as-of", "2026-12-03T09:00")
    assert "smm-6" not in {r["ref"] for r in launched["released"] + launched["held"]}
    assert [o["ref"] for o in launched["orphaned"]] == ["smm-6"]
    assert "no longer in campaign" in launched["orphaned"][0]["reason"]
    # … and `--prune` cancels it.
    report = project.json("draft", "social-media-misuse", "--prune")
    assert report["cancelled"] == ["smm-6"]
    assert project.json("show", "smm-6")["status"] == "cancelled"
    project.edit_config('  "mdp",\n', '  "mdp",\n  "hmrc",\n')
    report = project.json("draft", "social-media-misuse")
    assert report["changed_refs"] == ["smm-6"] and report["created"] == 0
    assert project.json("show", "smm-6")["status"] == "draft"


def test_rule_breaking_draft_is_exit_2_and_stores_nothing(project):
    project.edit_config(
        'title = "{{ body.short_name }}: staff disciplined for social media misuse"',
        'title = "FOI request"',
    )
    result = project.run("draft", "social-media-misuse", expect=2)
    assert "breaks WDTK's rules" in result.stderr and "home_office" in result.stderr
    # Blamed on the title template, not on the letter.
    assert result.stderr.startswith("Error: config.toml: campaigns[0].title: "), result.stderr
    conn = sqlite3.connect(project.db)
    assert conn.execute("SELECT count(*) FROM requests").fetchone() == (0,)


def test_events_are_append_only(project):
    project.run("draft", "social-media-misuse")
    conn = sqlite3.connect(project.db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE events SET kind = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM events")


def test_status_json_has_the_product_shape(project):
    project.run("draft", "social-media-misuse")
    rows = project.json("status", "--campaign", "social-media-misuse")
    assert len(rows) == 7
    keys = {
        "ref",
        "campaign",
        "body",
        "title",
        "status",
        "wdtk_id",
        "url",
        "sent_on",
        "due",
        "very_overdue_after",
        "days_overdue",
    }
    assert all(keys <= set(row) for row in rows)
    assert {row["status"] for row in rows} == {"draft"}


def test_unknown_ref_is_exit_2(project):
    project.run("draft", "social-media-misuse")
    assert "no request or follow-up with ref 'nope'" in project.run("show", "nope", expect=2).stderr
