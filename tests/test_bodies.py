"""Bodies: what tags mean, and importing WDTK's all-authorities.csv."""

from __future__ import annotations

import csv
import io

import pytest

from bot.bodies import BadRow, Body, law_for_tags, read_authorities_csv

HEADER = "Internal ID,Name,Short name,URL name,Tags,Home page,Publication scheme,Disclosure log,Notes,Created at,Updated at,Version"


def csv_text(*rows: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER.split(","))
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def row(id_, name, url_name, tags="", short=""):
    return [
        str(id_),
        name,
        short,
        url_name,
        tags,
        "https://example.org",
        "",
        "",
        "notes, with comma",
        "2007-10-24 11:51:01 +0100",
        "2025-01-01 00:00:00 +0000",
        "3",
    ]


@pytest.mark.parametrize(
    "tags,law",
    [
        ((), "foi"),
        (("local_council",), "foi"),
        (("eir_only",), "eir"),
        (("scotland", "local_council"), "foisa"),
        (("scotland", "eir_only"), "eisr"),
        (("gss:S12000036", "scotland"), "foisa"),
    ],
)
def test_law_from_tags(tags, law):
    assert law_for_tags(tags) == law


def test_requestable_and_school_from_tags():
    assert not Body("a", "A", "A", ("defunct",)).requestable
    assert "no longer exists" in Body("a", "A", "A", ("defunct",)).not_requestable_reason
    assert not Body("a", "A", "A", ("not_apply",)).requestable
    assert not Body("a", "A", "A", ("missing_email",)).requestable
    assert Body("a", "A", "A", ("foi_no",)).requestable  # voluntary requests are allowed
    assert Body("a", "A", "A", ("school",)).is_school
    assert Body("a", "A", "A", ("academy_trust",)).is_school
    assert not Body("a", "A", "A", ("schools_council",)).is_school


def test_reader_reports_bad_rows_by_line():
    text = csv_text(
        row(1, "Home Office", "home_office", "central_government"),
        row("x", "Bad ID", "bad_id"),
        row(3, "", "no_name"),
        ["4", "Too", "few"],
        row(5, "Quoted\nName", "multi_line", "school"),
        row(6, "Last", "last_one"),
    )
    results = list(read_authorities_csv(text))
    bad = [r for r in results if isinstance(r, BadRow)]
    good = [r for r in results if isinstance(r, Body)]
    assert [(b.line, b.reason.split(":")[0]) for b in bad] == [
        (3, "Internal ID is not a number"),
        (4, "empty Name"),
        (5, "expected 12 columns, found 3"),
    ]
    assert [b.url_name for b in good] == ["home_office", "multi_line", "last_one"]
    assert good[0].wdtk_id == 1 and good[0].short_name == "Home Office"
    assert good[1].is_school


def test_reader_names_a_body_given_twice():
    text = csv_text(
        row(1, "Home Office", "home_office"),
        row(2, "Home Office again", "home_office"),
        row(4, "Fine", "fine"),
    )
    results = list(read_authorities_csv(text))
    assert [(r.line, r.reason) for r in results if isinstance(r, BadRow)] == [
        (3, "repeats the URL name home_office of line 2"),
    ]
    assert [(r.url_name, r.name) for r in results if isinstance(r, Body)] == [
        ("home_office", "Home Office"), ("fine", "Fine"),
    ]  # fmt: skip


def test_reader_rejects_wrong_header():
    with pytest.raises(ValueError, match="line 1: not a WDTK all-authorities.csv header"):
        list(read_authorities_csv("a,b,c\n1,2,3\n"))


def test_import_is_idempotent_and_reports_bad_lines(project):
    path = project.root / "all-authorities.csv"
    path.write_text(
        csv_text(
            row(1, "Home Office", "home_office", "central_government"),
            row("oops", "Bad", "bad"),
            row(7, "Some School", "some_school", "school"),
            row(8, "Old Quango", "old_quango", "defunct"),
        )
    )
    first = project.json("bodies", "import", "--file", str(path))
    assert first["imported"] == 3
    assert first["bad_rows"] == [{"line": 3, "reason": "Internal ID is not a number: 'oops'"}]
    text = project.run("bodies", "import", "--file", str(path)).stderr
    assert f"{path}:3: skipped" in text
    listed = project.json("bodies", "list")
    assert [b["url_name"] for b in listed] == ["home_office", "old_quango", "some_school"]
    assert [b["url_name"] for b in project.json("bodies", "list", "--tag", "school")] == [
        "some_school"
    ]
    assert not next(b for b in listed if b["url_name"] == "old_quango")["requestable"]


def test_import_with_bad_header_changes_nothing(project):
    good = project.root / "good.csv"
    good.write_text(csv_text(row(1, "Home Office", "home_office")))
    project.run("bodies", "import", "--file", str(good))
    before = project.dump()
    bad = project.root / "bad.csv"
    bad.write_text("Name,Something\nx,y\n")
    result = project.run("bodies", "import", "--file", str(bad), expect=2)
    assert "bad.csv: line 1: not a WDTK all-authorities.csv header" in result.stderr
    assert project.dump() == before


def test_imported_body_can_join_a_campaign_by_tag(project):
    path = project.root / "all-authorities.csv"
    path.write_text(
        csv_text(
            row(9, "Greater Manchester Police", "greater_manchester_police", "police"),
            row(10, "Closed Force", "closed_force", "police defunct"),
        )
    )
    project.run("bodies", "import", "--file", str(path))
    project.edit_config(
        "launch_at = 2026-12-01T09:00:00", 'body_tags = ["police"]\nlaunch_at = 2026-12-01T09:00:00'
    )
    report = project.json("draft", "social-media-misuse")
    # 7 named bodies + GMP; the defunct force is skipped with its reason
    assert report["created"] == 8
    assert report["skipped"] == [
        {"body": "closed_force", "reason": "not requestable (defunct: the body no longer exists)"}
    ]


def test_import_from_url_uses_the_configured_wdtk(project):
    from tests.wdtk_replica import WdtkReplica

    text = csv_text(
        row(11, "Bristol City Council", "bristol_city_council", "local_council gss:E06000023")
    )
    with WdtkReplica(authorities_csv=text) as replica:
        project.edit_config(
            'base_url = "https://www.whatdotheyknow.com"', f'base_url = "{replica.base_url}"'
        )
        project.edit_config("min_interval_s = 3.0", "min_interval_s = 0")
        result = project.json(
            "bodies", "import", "--url", f"{replica.base_url}/body/all-authorities.csv"
        )
        assert result["imported"] == 1
        assert any(h[1] == "/body/all-authorities.csv" for h in replica.hits)
    listed = {b["url_name"]: b for b in project.json("bodies", "list", "--tag", "gss")}
    assert listed["bristol_city_council"]["law"] == "foi"


@pytest.mark.parametrize("url", ["not a url", "file:///etc/passwd", "http://[::1/x"])
def test_import_from_a_url_that_is_none_is_bad_usage(project, url):
    result = project.run("bodies", "import", "--url", url, expect=2)
    assert result.stderr.startswith("Error: --url: must be an http(s) URL"), result.stderr


def test_duplicated_column_is_a_header_error():
    with pytest.raises(ValueError, match="duplicated column"):
        list(read_authorities_csv(HEADER + ",Name\r\n1,A,,a,,,,,,,,,B\r\n"))


def test_import_tells_new_changed_unchanged_and_skipped(project):
    path = project.root / "all-authorities.csv"
    rows = [row(1, "Home Office", "home_office"), row(8, "Old Quango", "old_quango", "defunct")]
    path.write_text(csv_text(*rows))
    first = project.json("bodies", "import", "--file", str(path))
    assert (first["new"], first["changed"], first["unchanged"], first["skipped"]) == (2, 0, 0, 0)
    path.write_text(csv_text(row(1, "The Home Office", "home_office"), rows[1], row("x", "B", "b")))
    again = project.run("bodies", "import", "--file", str(path)).stdout
    assert "3 bodies from" in again
    assert "0 new, 1 changed, 1 unchanged, 1 skipped" in again
    listing = project.run("bodies", "list").stdout
    assert "no: defunct: the body no longer exists" in listing
