"""Issue 28 item 8: `doctor --online` checks each body declared in [bodies] against WDTK's
`/body/<url_name>.json`: one line per unknown url_name or differing name or tags."""

from __future__ import annotations

import json

from tests.wdtk_replica import closed_port_url, make_body

# The example config's bodies as the replica serves them: their names, the tags the config
# declares, and more tags the config leaves out (WDTK gives each body many).
EXAMPLE_BODIES = [
    make_body("home_office", "Home Office", 41, ["department", ("wikidata", "Q1")]),
    make_body("gmp", "Greater Manchester Police", 43, ["police", "police_force"]),
    make_body("the_met", "Metropolitan Police Service", 44, ["police", "police_force"]),
    make_body("btp", "British Transport Police", 45, ["police"]),
    make_body("mdp", "Ministry of Defence Police", 46, ["police"]),
    make_body("hmrc", "HM Revenue and Customs", 47, ["non_ministerial_department"]),
    make_body("police_scotland", "Police Scotland", 42, ["police", "scotland"]),
]
BODY_PATHS = [f"/body/{b['url_name']}.json" for b in EXAMPLE_BODIES]


def serve_example_bodies(replica) -> None:
    for body in EXAMPLE_BODIES:
        replica.add_body(body)


def online(project, replica, expect=0):
    project.edit_config(
        'base_url = "https://www.whatdotheyknow.com"', f'base_url = "{replica.base_url}"'
    )
    project.edit_config("min_interval_s = 3.0", "min_interval_s = 0")
    result = project.run("doctor", "--online", "--json", expect=expect)
    checks = json.loads(result.stdout)["checks"]
    return [c for c in checks if c["name"] == "bodies (online)"]


def test_every_declared_body_known_to_wdtk_is_one_ok_line(project, replica):
    serve_example_bodies(replica)
    (check,) = online(project, replica)
    assert check["level"] == "ok"
    assert check["message"] == "all 7 declared bodies match WDTK's url_names, names and tags"
    # The WDTK check reads robots.txt; then the polite client reads it for its own rules
    # before one call per body.
    assert replica.hit_paths() == ["/robots.txt", "/robots.txt", *BODY_PATHS]
    assert all(headers["User-Agent"].startswith("foibot/") for _, _, headers in replica.hits)


def test_unknown_url_names_and_differing_names_or_tags_are_one_line_each(project, replica):
    serve_example_bodies(replica)
    project.edit_config('[bodies.gmp]\nname = "Greater Manchester Police"',
                        '[bodies.gmp]\nname = "Greater Manchester Constabulary"')  # fmt: skip
    project.edit_config('tags = ["police", "scotland"]', 'tags = ["police", "scotland", "npfs"]')
    project.edit_config("[bodies.mdp]", "[bodies.mod_police]")
    project.edit_config('  "mdp",', '  "mod_police",')
    found = online(project, replica, expect=1)
    assert [(c["level"], c["message"]) for c in found] == [
        ("warn", "config.toml: bodies.gmp: name 'Greater Manchester Constabulary' here, "
                 "'Greater Manchester Police' on WDTK"),
        ("error", "config.toml: bodies.mod_police: WDTK has no body with this url_name (HTTP 404)"),
        ("warn", "config.toml: bodies.police_scotland: tags not on WDTK: npfs"),
    ]  # fmt: skip
    text = project.run("doctor", "--online", expect=1).stdout
    assert sum("bodies (online)" in line for line in text.splitlines()) == 3


def test_a_wdtk_that_does_not_answer_is_not_blamed_on_each_body(project):
    dead = closed_port_url()
    project.edit_config('base_url = "https://www.whatdotheyknow.com"', f'base_url = "{dead}"')
    result = project.run("doctor", "--online", "--json", expect=1)
    names = [c["name"] for c in json.loads(result.stdout)["checks"]]
    assert "WDTK (online)" in names and "bodies (online)" not in names
