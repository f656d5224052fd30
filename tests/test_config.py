"""Bad config gets exit 2 and a message naming the file and key; the database is untouched."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.config import (
    DEFAULT_PACE,
    SECTIONS,
    BodyConfig,
    CampaignConfig,
    DeadlinesConfig,
    EmailConfig,
    FieldSpec,
    FollowupPolicy,
    FollowupsConfig,
    MailboxConfig,
    NotifyConfig,
    PaceConfig,
    PaceLimit,
    PollConfig,
    RequesterConfig,
    ScheduleConfig,
    StorageConfig,
    WdtkConfig,
    load_config,
    parse_config,
)
from bot.config_table import Table
from bot.deadlines import RegionalDay
from bot.errors import ConfigError


def test_example_config_loads(project):
    config = load_config(project.config)
    assert [c.slug for c in config.campaigns] == ["social-media-misuse"]
    campaign = config.campaigns[0]
    for body in (
        "home_office",
        "gmp",
        "the_met",
        "btp",
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
        '  "mdp",\n  "hmrc"',
        '  "mdp",\n  "hmcr"',
        "campaigns[0].bodies[5]: unknown body 'hmcr' — did you mean 'hmrc'?",
    ),
    (
        'letter = "templates/letters/social_media_misuse.txt.j2"',
        'letter = "templates/letters/missing.txt.j2"',
        "campaigns[0].letter: letter template not found",
    ),
    (
        'letter = "templates/letters/social_media_misuse.txt.j2"',
        'letter = "config.toml"',
        "campaigns[0].letter: a letter template's name ends .j2: config.toml",
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
    (
        'base_url = "https://www.whatdotheyknow.com"',
        'base_url = "http://[::1"',
        "wdtk.base_url: must be an http(s) URL, got 'http://[::1'",
    ),
    (
        'base_url = "https://www.whatdotheyknow.com"',
        'base_url = "http://127.0.0.1:99999"',
        "wdtk.base_url: must be an http(s) URL, got 'http://127.0.0.1:99999'",
    ),
    (
        'user = "',
        'user = "../../etc?x=',
        "wdtk.user: must be your WDTK profile's url_name",
    ),
    (
        'contact = "foibot-tests@example.net"',
        'contact = "café ☃"',
        "wdtk.contact: must be printable ASCII",
    ),
    (
        'contact = "foibot-tests@example.net"',
        'contact = "a\\r\\nX-Evil: 1"',
        "wdtk.contact: must be printable ASCII",
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


def test_a_letter_that_is_not_utf8_is_named(project):
    letter = project.root / "templates" / "letters" / "social_media_misuse.txt.j2"
    letter.write_bytes(b"Dear \xff\xfe {{ body.name }}\n")
    result = project.run("draft", "social-media-misuse", expect=2)
    assert result.stderr.strip() == (
        "Error: templates/letters/social_media_misuse.txt.j2: not UTF-8 text (byte 5 cannot be "
        "read); "
        "save it as UTF-8"
    ), result.stderr


def test_launch_at_of_the_wrong_type_names_the_key(project):
    project.edit_config("launch_at = 2026-12-01T09:00:00", "launch_at = []")
    result = project.run("draft", "social-media-misuse", expect=2)
    assert (
        "campaigns[0].launch_at: expected a date-time like 2026-12-01T09:00:00 or a date like 2026-12-01, got a list"
        in result.stderr
    )


# Every table config.toml has: the record it is read into, where it sits in a small valid
# config (`_minimal`), and that record as the loaded Config shows it.
TABLES = [
    (WdtkConfig, ("wdtk",), lambda c: c.wdtk),
    (StorageConfig, ("storage",),
     lambda c: StorageConfig(c.db_path.relative_to(c.root).as_posix(), c.busy_timeout_s)),
    (PaceConfig, ("pace",), lambda c: PaceConfig(c.pace, c.max_unsent, c.pace_margin_minutes)),
    (RequesterConfig, ("requester",),
     lambda c: RequesterConfig(c.requester_name, c.requester_email)),
    (DeadlinesConfig, ("deadlines",),
     lambda c: DeadlinesConfig(c.extra_holidays, c.remove_holidays)),
    (FollowupsConfig, ("followups",),
     lambda c: FollowupsConfig(c.followups_enabled, c.tracked_followups)),
    (ScheduleConfig, ("schedule",), lambda c: c.schedule),
    (PollConfig, ("poll",), lambda c: c.poll),
    (NotifyConfig, ("notify",), lambda c: c.notify),
    (EmailConfig, ("notify", "email"), lambda c: c.notify.email),
    (MailboxConfig, ("mailbox",), lambda c: c.mailbox),
    (PaceLimit, ("pace", "limits", 0), lambda c: c.pace[0]),
    (BodyConfig, ("bodies", "home_office"), lambda c: c.bodies["home_office"]),
    (CampaignConfig, ("campaigns", 0), lambda c: c.campaigns[0]),
    (FollowupPolicy, ("campaigns", 0, "followups"), lambda c: c.campaigns[0].followups),
    (FollowupPolicy, ("followups", "tracked"), lambda c: c.tracked_followups),
    (FieldSpec, ("campaigns", 0, "fields", 0), lambda c: c.campaigns[0].fields[0]),
]  # fmt: skip
RENAMED = {(EmailConfig, "sender"): "from", (NotifyConfig, "webhook_url"): "webhook"}
NOT_KEYS = {(BodyConfig, "url_name"), (CampaignConfig, "key")}  # the table's name; its place


def _minimal(tmp_path):
    (tmp_path / "letter.txt.j2").write_text("Dear {{ body.name }},\n")
    return {
        "wdtk": {}, "storage": {}, "requester": {"name": "Alex Example"}, "deadlines": {},
        "followups": {"tracked": {}}, "schedule": {}, "poll": {},
        "pace": {"limits": [{"count": 1, "minutes": 1}]},
        "bodies": {"home_office": {"name": "Home Office"}},
        "campaigns": [{
            "slug": "c", "title": "T", "letter": "letter.txt.j2", "bodies": ["home_office"],
            "body_tags": ["police"],
            "followups": {}, "fields": [{"name": "dismissed"}],
        }],
        "notify": {"email": {"host": "smtp.example.org", "to": ["t@example.org"],
                             "from": "f@example.org"}},
        "mailbox": {"host": "imap.example.org", "user": "u", "password_env": "PW"},
    }  # fmt: skip


def _at(raw, where):
    for step in where:
        raw = raw[step]
    return raw


def _keys(record):
    return {RENAMED.get((record, f), f) for f in record._fields if (record, f) not in NOT_KEYS}


def test_every_table_allows_exactly_its_records_fields(tmp_path, monkeypatch):
    seen = {}
    only = Table.only

    def spy(self, *allowed):
        seen.setdefault(self.path, []).append(set(allowed))
        return only(self, *allowed)

    monkeypatch.setattr(Table, "only", spy)
    parse_config(_minimal(tmp_path), tmp_path / "config.toml")
    assert seen[""] == [set(SECTIONS)]
    for record, where, _ in TABLES:
        path = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in where).lstrip(".")
        assert seen[path] == [_keys(record)], path


@pytest.mark.parametrize("record,where,shown", TABLES, ids=[r.__name__ for r, _, _ in TABLES])
def test_a_misspelt_key_is_refused_naming_the_field(tmp_path, record, where, shown):
    for key in _keys(record):
        raw = _minimal(tmp_path)
        _at(raw, where)[key + "x"] = 1
        with pytest.raises(ConfigError, match=f"x: unknown key — did you mean '{key}'"):
            parse_config(raw, tmp_path / "config.toml")
    for field in (f for f in record._fields if (record, f) in NOT_KEYS):
        raw = _minimal(tmp_path)
        _at(raw, where)[field] = "x"
        with pytest.raises(ConfigError, match=f"{field}: unknown key"):
            parse_config(raw, tmp_path / "config.toml")


# A valid value other than the default, where the default plus one (numbers), negated
# (bools) or with an "x" added (strings) is not one.
OTHER = {
    (NotifyConfig, "batch"): "daily",
    (NotifyConfig, "email"): EmailConfig("smtp.example.net", ("a@example.net",), "b@example.net"),
    (MailboxConfig, "after"): "flag",
    (FieldSpec, "type"): "text",
    (FieldSpec, "periods"): ("2021",),
    (FieldSpec, "min"): 1,
    (FieldSpec, "max"): 9,
    (PaceConfig, "limits"): (PaceLimit(2, 3),),
    (DeadlinesConfig, "extra_holidays"): (RegionalDay("scotland", dt.date(2030, 1, 2)),),
    (DeadlinesConfig, "remove_holidays"): (RegionalDay("uk", dt.date(2030, 1, 1)),),
    (BodyConfig, "tags"): ("police",),
    (CampaignConfig, "bodies"): ("home_office",),
    (CampaignConfig, "body_tags"): ("police",),
    (CampaignConfig, "vars"): {"year": 2021},
    (CampaignConfig, "launch_at"): dt.datetime(2030, 1, 2, 9, tzinfo=dt.UTC),
    (CampaignConfig, "fields"): (FieldSpec("warned"),),
    (CampaignConfig, "followups"): FollowupPolicy(auto=True),
    (FollowupsConfig, "tracked"): FollowupPolicy(chaser_max=3),
}
# Where an absent key means another key's value, not a default of its own.
DERIVED = {(BodyConfig, "short_name")}


def _other(record, name):
    if (record, name) in OTHER:
        return OTHER[record, name]
    value = record._field_defaults[name]
    return not value if isinstance(value, bool) else value + ("x" if isinstance(value, str) else 1)


DEFAULTS = [
    (record, where, shown, name)
    for record, where, shown in TABLES
    for name in record._field_defaults
    if (record, name) not in DERIVED
]


@pytest.mark.parametrize("record,where,shown,name", DEFAULTS,
                         ids=[f"{r.__name__}.{n}" for r, _, _, n in DEFAULTS])  # fmt: skip
def test_a_keys_default_is_its_records_field_default(tmp_path, monkeypatch, record, where, shown,
                                                     name):  # fmt: skip
    """The loaded value of a key left out follows the record's own default when that
    changes: no parser keeps a second copy of it."""
    raw = _minimal(tmp_path)
    _at(raw, where).pop(RENAMED.get((record, name), name), None)
    if record is RequesterConfig:
        del raw["campaigns"]  # a campaign's letters need a name: no default then
    default = record._field_defaults[name]
    assert getattr(shown(parse_config(raw, tmp_path / "config.toml")), name) == default
    other = _other(record, name)
    monkeypatch.setattr(record, "_field_defaults", {**record._field_defaults, name: other})
    assert getattr(shown(parse_config(raw, tmp_path / "config.toml")), name) == other


def test_a_body_without_a_short_name_is_called_by_its_name(tmp_path):
    raw = _minimal(tmp_path)
    assert parse_config(raw, tmp_path / "config.toml").bodies["home_office"].short_name == (
        "Home Office"
    )
    raw["bodies"]["home_office"]["short_name"] = "HO"
    assert parse_config(raw, tmp_path / "config.toml").bodies["home_office"].short_name == "HO"


def test_plain_imap_takes_its_own_port(tmp_path):
    raw = _minimal(tmp_path)
    raw["mailbox"]["tls"] = False
    assert parse_config(raw, tmp_path / "config.toml").mailbox.port == 143
    raw["mailbox"]["port"] = 1143
    assert parse_config(raw, tmp_path / "config.toml").mailbox.port == 1143


@pytest.mark.parametrize("value", [4.5, float("inf"), 0])
def test_a_count_is_a_whole_number_of_at_least_its_minimum(tmp_path, value):
    raw = _minimal(tmp_path)
    raw["wdtk"]["max_tries"] = value
    message = "at least 1" if value == 0 else "whole" if value == 4.5 else "finite"
    with pytest.raises(ConfigError, match=f"config.toml: wdtk.max_tries: .*{message}"):
        parse_config(raw, tmp_path / "config.toml")
    raw["wdtk"]["max_tries"] = 4.0
    assert parse_config(raw, tmp_path / "config.toml").wdtk.max_tries == 4


def test_a_config_that_is_a_fifo_or_a_device_is_refused_not_read(project):
    """A FIFO would hang the read and /dev/zero fill the memory; /dev/null would put the
    database at /dev/state/."""
    fifo = project.root / "fifo.toml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero"), Path("/dev/null")):
        result = project.run("--config", str(path), "status", expect=2)
        assert result.stderr.strip() == (
            f"Error: {path}: not a regular file: give --config a config file's path"
        )


def test_a_config_saved_with_a_byte_order_mark_loads(project):
    project.config.write_bytes(b"\xef\xbb\xbf" + project.config.read_bytes())
    project.run("status")


def test_a_nul_in_the_database_path_is_a_config_error(project):
    project.edit_config('path = "state/foibot.db"', 'path = "state/a\\u0000b.db"')
    result = project.run("status", expect=2)
    assert "storage.path: a path cannot hold a NUL character" in result.stderr


def test_a_letter_that_renders_runaway_text_is_named(project):
    letter = project.root / "templates" / "letters" / "social_media_misuse.txt.j2"
    letter.write_text('Dear {{ body.name }}, {{ "%0999999d" % 1 }}\n')
    result = project.run("draft", "social-media-misuse", expect=2)
    assert "social_media_misuse.txt.j2: renders 1,000,0" in result.stderr, result.stderr
    assert "at most 100,000" in result.stderr
