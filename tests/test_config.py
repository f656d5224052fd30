"""Bad config gets exit 2 and a message naming the file and key; the database is untouched."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_PACE, load_config


def test_example_config_loads(project):
    config = load_config(project.config)
    assert [c.slug for c in config.campaigns] == ["social-media-misuse"]
    campaign = config.campaigns[0]
    for body in (
        "home_office",
        "ministry_of_justice",
        "metropolitan_police_service",
        "department_for_transport",
    ):
        assert body in campaign.bodies
    assert "scotland" in config.bodies["police_scotland"].tags
    assert config.db_path == project.root / "state" / "foibot.db"
    assert config.pace == DEFAULT_PACE
    assert campaign.launch_at.utcoffset().total_seconds() == 0  # 1 Dec is GMT
    assert [f.name for f in campaign.fields][:2] == ["dismissed", "final_warnings"]


BAD_CONFIGS = [
    # (old, new, expected message fragment)
    ("[requester]", "[requester", "invalid TOML"),
    (
        "min_interval_s = 3.0",
        "min_intervall_s = 3.0",
        "wdtk.min_intervall_s: unknown key — did you mean 'min_interval_s'?",
    ),
    (
        "min_interval_s = 3.0",
        'min_interval_s = "fast"',
        "wdtk.min_interval_s: expected an integer or a number, got a string 'fast'",
    ),
    (
        'slug = "social-media-misuse"',
        "slug = 42",
        "campaigns[0].slug: expected a string, got an integer 42",
    ),
    (
        '  "department_for_transport",\n  "ministry_of_defence"',
        '  "department_for_transport",\n  "ministry_of_defense"',
        "campaigns[0].bodies[4]: unknown body 'ministry_of_defense' — did you mean 'ministry_of_defence'?",
    ),
    (
        'letter = "templates/letters/social_media_misuse.txt.j2"',
        'letter = "templates/letters/missing.txt.j2"',
        "campaigns[0].letter: letter template not found",
    ),
    (
        "{ count = 1, minutes = 1 }",
        "{ count = 0, minutes = 1 }",
        "pace.limits[0].count: must be at least 1",
    ),
    (
        'name = "Alex Example"',
        'nme = "Alex Example"',
        "requester.nme: unknown key — did you mean 'name'?",
    ),
    ('type = "int"', 'type = "integer"', "campaigns[0].fields[0].type: unknown type 'integer'"),
    (
        "extra_holidays = []",
        'extra_holidays = ["2027-06-07"]',
        "deadlines.extra_holidays[0]: expected a date like 2026-06-15",
    ),
    (
        'base_url = "https://www.whatdotheyknow.com"',
        'base_url = "www.whatdotheyknow.com"',
        "wdtk.base_url: must be an http(s) URL",
    ),
]


@pytest.mark.parametrize("old,new,message", BAD_CONFIGS, ids=[m for _, _, m in BAD_CONFIGS])
def test_bad_config_exits_2_naming_file_and_key(project, old, new, message):
    project.run("draft", "social-media-misuse")
    before = project.dump()
    project.edit_config(old, new)
    result = project.run("draft", "social-media-misuse", expect=2)
    assert result.stderr.startswith("Error: config.toml: "), result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert project.dump() == before


def test_unknown_campaign_suggests(project):
    result = project.run("draft", "social-media-misus", expect=2)
    assert "no campaign 'social-media-misus' — did you mean 'social-media-misuse'?" in result.stderr


def test_missing_config_file_is_exit_2(project, tmp_path):
    project.config = tmp_path / "nope.toml"
    result = project.run("status", expect=2)
    assert "nope.toml: config file not found" in result.stderr


def test_undefined_template_variable_names_variable_file_and_line(project):
    letter = project.root / "templates" / "letters" / "social_media_misuse.txt.j2"
    lines = letter.read_text().splitlines()
    lines.insert(3, "Our ref: {{ campaign_reference }}")  # becomes line 4
    letter.write_text("\n".join(lines))
    result = project.run("draft", "social-media-misuse", expect=2)
    assert "templates/letters/social_media_misuse.txt.j2:4: undefined variable" in result.stderr
    assert "'campaign_reference' is undefined" in result.stderr
    assert project.dump() == {} or not project.dump().get("requests")


def test_undefined_attribute_in_title_names_config_key(project):
    project.edit_config("{{ body.short_name }}:", "{{ body.shortname }}:")
    result = project.run("draft", "social-media-misuse", expect=2)
    assert "config.toml: campaigns[0].title" in result.stderr
    assert "shortname" in result.stderr


def test_template_syntax_error_names_line(project):
    letter = project.root / "templates" / "letters" / "social_media_misuse.txt.j2"
    letter.write_text("Dear {{ body.name },\n\nPlease.\n\nYours faithfully,\n\nMe\n")
    result = project.run("draft", "social-media-misuse", expect=2)
    assert "social_media_misuse.txt.j2:1: template syntax error" in result.stderr


def test_sandbox_refuses_python_internals(project):
    letter = project.root / "templates" / "letters" / "social_media_misuse.txt.j2"
    letter.write_text("{{ body.__class__.__mro__ }}\n\nYours faithfully,\n\nMe\n")
    result = project.run("draft", "social-media-misuse", expect=2)
    assert "social_media_misuse.txt.j2" in result.stderr


def test_launch_at_of_the_wrong_type_names_the_key(project):
    project.edit_config("launch_at = 2026-12-01T09:00:00", "launch_at = []")
    result = project.run("draft", "social-media-misuse", expect=2)
    assert (
        "campaigns[0].launch_at: expected a date-time like 2026-12-01T09:00:00 or a date like 2026-12-01, got a list"
        in result.stderr
    )
