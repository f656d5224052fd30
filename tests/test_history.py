"""`show`'s history: in the order things happened, each entry naming its clock."""

from __future__ import annotations

from bot.tracking.history import history


def test_history_is_in_time_order_and_names_each_clock():
    stored = [  # the order foibot stored them: tracked days after WDTK's events
        {"id": 1, "kind": "tracked", "at": "2026-03-05T12:00:00+00:00", "wdtk_event_id": None},
        {"id": 2, "kind": "sent", "at": "2026-03-02T10:15:00+00:00", "wdtk_event_id": 500},
        {"id": 3, "kind": "response", "at": "2026-03-04T09:00:00+00:00", "wdtk_event_id": 501},
        {"id": 4, "kind": "status", "at": "2026-03-05T12:00:00+00:00", "wdtk_event_id": None},
    ]
    assert [(e["id"], e["clock"]) for e in history(stored)] == [
        (2, "WDTK"), (3, "WDTK"), (1, "foibot"), (4, "foibot"),
    ]  # fmt: skip


def test_show_prints_the_clock_and_an_unknown_ref_suggests_one(project):
    project.run("draft", "social-media-misuse")
    out = project.run("show", "smm-1").stdout
    assert "History (UK time; WDTK:" in out and "  foibot  drafted" in out
    wrong = project.run("show", "smm-01", expect=2)
    assert "did you mean 'smm-1'?" in wrong.stderr
