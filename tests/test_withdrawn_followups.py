"""Follow-ups whose reason has gone are withdrawn, never released (issue 28, item 4).

Through the CLI against the WDTK replica. smm-1 goes to the Home Office on Mon 2 Mar 2026;
FOIA s.10(1), 20 working days (no bank holiday in March 2026): due Tue 31 Mar, so late
from Wed 1 Apr, when its chaser is drafted.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import sqlite3
from html.parser import HTMLParser

import pytest
from aiosmtpd.controller import Controller

from bot import deadlines as dl
from bot.config import FollowupPolicy
from bot.rules.followups import History, split_for_you
from bot.rules.withdrawal import reason_gone
from tests.support import Mailbox, drafted, free_port, released_project, sent_request
from tests.wdtk_replica import event

CAMPAIGN = "social-media-misuse"
ANSWERED = "the body has answered (successful)"
D = dt.date


@pytest.fixture
def late(project, replica):
    """smm-1 sent and linked, then late, with its first chaser drafted on Wed 1 Apr."""
    project = released_project(project, replica)
    sent_request(project, replica, 5001, "smm-1")
    project.run("poll", "--as-of", "2026-03-02T12:00")
    assert drafted(project, "chaser", "2026-04-01")["created"] == [
        {"ref": "smm-1-c1", "request": "smm-1"}
    ]
    return project


def answer(replica) -> None:
    """The Home Office answers on Thu 2 Apr, and the reply is classified successful."""
    replica.add_event(
        5001, event(None, "response", "2026-04-02T09:00:00+01:00", text="Here is the data.")
    )
    replica.add_event(
        5001,
        event(None, "status_update", "2026-04-02T10:00:00+01:00", described_state="successful"),
    )


@pytest.fixture
def smtp():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


class _Sheet(HTMLParser):
    """The refs of the launch sheet's follow-up cards and of its withdrawn table rows."""

    def __init__(self, html: str):
        super().__init__()
        self.cards: list[str] = []
        self.withdrawn: list[str] = []
        self._in_withdrawn = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and "followup" in (a.get("class") or "").split():
            self.cards.append(a["data-ref"])
        if tag == "table" and a.get("class") == "withdrawn":
            self._in_withdrawn = True
        if tag == "tr" and self._in_withdrawn and "data-ref" in a:
            self.withdrawn.append(a["data-ref"])

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_withdrawn = False


def followup_row(project, ref: str) -> dict:
    conn = sqlite3.connect(project.db)
    conn.row_factory = sqlite3.Row
    try:
        return dict(conn.execute("SELECT * FROM followups WHERE ref = ?", [ref]).fetchone())
    finally:
        conn.close()


def test_chaser_drafted_while_late_is_withdrawn_when_the_body_answers(late, replica, smtp):
    answer(replica)
    polled = late.run("poll", "--as-of", "2026-04-02T12:00").stdout
    assert f"withdrawn: chaser smm-1-c1 (smm-1): {ANSWERED}" in polled
    stored = followup_row(late, "smm-1-c1")
    assert (stored["status"], stored["withdrawn_note"]) == ("withdrawn", ANSWERED)

    # `launch` does not release it, lists nothing to send, and says it was withdrawn.
    report = late.json("launch", CAMPAIGN, "--as-of", "2026-04-02T13:00")
    assert report["followups"] == []
    assert [(w["ref"], w["kind"], w["note"], w["withdrawn_now"]) for w in report["withdrawn"]] == [
        ("smm-1-c1", "chaser", ANSWERED, False)
    ]
    assert followup_row(late, "smm-1-c1")["released_at"] is None
    text = late.run("launch", CAMPAIGN, "--as-of", "2026-04-02T13:05").stdout
    assert "Withdrawn, do not send (1)" in text
    # Withdrawn by the poll at noon, UK time.
    assert (
        f"chaser smm-1-c1 for smm-1 (home_office), withdrawn Thu 02 Apr 2026 12:00: {ANSWERED}"
        in text
    )
    assert "Please send me the information" not in text

    # The launch sheet: no card to send it, a row saying it was withdrawn and why.
    html = (late.db.parent / f"launch-{CAMPAIGN}.html").read_text()
    sheet = _Sheet(html)
    assert (sheet.cards, sheet.withdrawn) == ([], ["smm-1-c1"])
    assert ANSWERED in html and "Please send me the information" not in html

    # The digest says so, under its own heading.
    with open(late.config, "a") as f:
        f.write(
            f'\n[notify.email]\nhost = "127.0.0.1"\nport = {smtp.port}\nstarttls = false\n'
            'from = "foibot@example.org"\nto = ["team@example.org"]\n'
        )
    late.run("run", "--once", "--as-of", "2026-04-02T14:00")
    (message,) = smtp.messages
    digest = email.message_from_bytes(message.content, policy=email.policy.default)
    assert "1 follow-up withdrawn" in digest["Subject"]
    digest = digest.get_content()
    assert "Withdrawn: do not send (1):" in digest
    assert f"chaser smm-1-c1 for smm-1 withdrawn, do not send it: {ANSWERED}" in digest
    # Drafted and withdrawn since the last digest: not also listed as one to review.
    assert "review it with `foibot show smm-1-c1`" not in digest

    # `show` says why; `done` refuses it; re-drafting the same round drafts nothing.
    shown = late.run("show", "smm-1-c1").stdout
    assert "withdrawn" in shown and ANSWERED in shown
    assert "was withdrawn" in late.run("done", "smm-1-c1", expect=2).stderr
    assert drafted(late, "chaser", "2026-04-02")["created"] == []
    # Nothing left for doctor to warn about.
    found = late.json("doctor", "--as-of", "2026-04-02T15:00")["checks"]
    assert {c["name"]: c["level"] for c in found}["follow-ups"] == "ok"


def test_launch_withdraws_a_stale_follow_up_an_older_store_left_and_doctor_warns(late, replica):
    late.json("launch", CAMPAIGN, "--as-of", "2026-04-01T09:00")  # smm-1-c1 released
    assert followup_row(late, "smm-1-c1")["status"] == "ready"
    answer(replica)
    late.run("poll", "--as-of", "2026-04-02T12:00")
    # What a foibot from before this change left: the answer stored, the chaser still
    # released and waiting to be sent.
    conn = sqlite3.connect(late.db)
    with conn:
        conn.execute(
            "UPDATE followups SET status = 'ready', withdrawn_at = NULL, withdrawn_note = NULL "
            "WHERE ref = 'smm-1-c1'"
        )
    conn.close()

    doctor = late.json("doctor", "--as-of", "2026-04-02T13:00")["checks"]
    check = next(c for c in doctor if c["name"] == "follow-ups")
    assert check["level"] == "warn"
    assert f"1 unsent follow-up whose reason has gone: smm-1-c1 ({ANSWERED})" in check["message"]
    assert f"foibot launch {CAMPAIGN}" in check["fix"]

    report = late.json("launch", CAMPAIGN, "--as-of", "2026-04-02T13:00")
    assert report["followups"] == []  # no longer pending
    assert [(w["ref"], w["note"], w["withdrawn_now"]) for w in report["withdrawn"]] == [
        ("smm-1-c1", ANSWERED, True)
    ]
    assert followup_row(late, "smm-1-c1")["status"] == "withdrawn"
    doctor = late.json("doctor", "--as-of", "2026-04-02T13:10")["checks"]
    assert next(c for c in doctor if c["name"] == "follow-ups")["level"] == "ok"


def test_an_unclassified_reply_withdraws_the_chaser_with_a_note_to_classify_it(late, replica):
    replica.add_event(5001, event(None, "response", "2026-04-02T09:00:00+01:00", text="Reply."))
    late.run("poll", "--as-of", "2026-04-02T12:00")
    assert followup_row(late, "smm-1-c1")["withdrawn_note"] == (
        "the body has replied (classify the reply on WDTK)"
    )


def test_a_recorded_extension_withdraws_the_chaser_at_launch(late):
    """FOIA s.10(3): the body may extend for the public interest test; recorded with
    `foibot extend`, no poll needed, the request is no longer late, and the chaser drafted
    on 1 Apr goes before anything is released."""
    late.run("extend", "smm-1", "--pit-until", "2026-04-29")
    report = late.json("launch", CAMPAIGN, "--as-of", "2026-04-02T09:00")
    assert report["followups"] == []
    assert [(w["ref"], w["note"]) for w in report["withdrawn"]] == [
        ("smm-1-c1", "no longer late: a reply is due by 2026-04-29")
    ]


def test_a_late_chaser_still_due_is_released_as_before(late):
    report = late.json("launch", CAMPAIGN, "--as-of", "2026-04-01T09:00")
    assert [f["ref"] for f in report["followups"]] == ["smm-1-c1"]
    assert report["withdrawn"] == []
    # No new request to send, but a follow-up is: the text never opens with "nothing".
    text = late.run("launch", CAMPAIGN, "--as-of", "2026-04-01T09:05").stdout
    assert text.startswith("No new request is due to send yet; the follow-ups below are.")
    # Due Tue 31 Mar: on Wed 1 Apr the request is one working day late, in words too.
    shown = late.run("show", "smm-1", "--as-of", "2026-04-01").stdout
    assert "1 working day, counted from 2026-03-31" in shown


# --- the launch sheet's copy block holds the letter only ----------------------------------


def test_for_you_note_is_beside_the_copy_block_not_in_it(project, replica):
    released_with_a_note(project, replica)


def released_with_a_note(project, replica):
    """The launch sheet with smm-1's internal-review request, its note beside it."""
    project = released_project(project, replica)
    sent_request(project, replica, 5001, "smm-1")
    project.run("poll", "--as-of", "2026-03-02T12:00")
    replica.add_event(5001, event(None, "response", "2026-03-20T09:00:00+00:00", text="No."))
    replica.add_event(
        5001, event(None, "status_update", "2026-03-20T10:00:00+00:00", described_state="rejected")
    )
    project.run("poll", "--as-of", "2026-03-20T12:00")
    assert drafted(project, "internal-review", "2026-03-20")["created"] == [
        {"ref": "smm-1-ir", "request": "smm-1"}
    ]
    (item,) = project.json("launch", CAMPAIGN, "--as-of", "2026-03-23T09:00")["followups"]
    assert "for you, not part of the letter" in item["text"]
    assert "for you, not part of the letter" not in item["letter"]
    # 40 working days after the answer of Fri 20 Mar, counted on a calendar: 23-27 Mar
    # (5), 30 Mar-2 Apr (9; Good Friday 3 Apr), 7-10 Apr (13; Easter Monday 6 Apr), 13-17
    # (18), 20-24 (23), 27 Apr-1 May (28), 5-8 May (32; May Day 4 May), 11-15 (37), then
    # 18, 19, 20 May: the 40th is Wed 20 May.
    assert item["for_you"].startswith("Ask for the review by 20 May 2026 at the latest")
    assert item["letter"].rstrip().endswith("Alex Example")

    html = (project.db.parent / f"launch-{CAMPAIGN}.html").read_text()
    block = html.split('<pre class="text" id="text-1">', 1)[1].split("</pre>", 1)[0]
    assert "Ask for the review by" not in block and "for you" not in block
    assert block.rstrip().endswith("Alex Example")
    aside = html.split('<aside class="for-you">', 1)[1].split("</aside>", 1)[0]
    assert "Ask for the review by 20 May 2026" in aside

    text = project.run("launch", CAMPAIGN, "--as-of", "2026-03-23T09:05").stdout
    between = text.split("-" * 40)[1]
    assert "Ask for the review by" not in between
    assert "For you, not part of the letter: Ask for the review by 20 May 2026" in text
    return project.db.parent / f"launch-{CAMPAIGN}.html"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_letter_and_its_note_stay_inside_their_card(project, replica, tmp_path, width):
    """On a desktop the note sits beside the letter, on a phone below it; at neither
    width does it, or a long address in the letter, run past the card (checked in
    Chromium)."""
    from tests.cdp import Browser

    sheet = released_with_a_note(project, replica)
    b = Browser(tmp_path, width, 900)
    try:
        b.goto(sheet.as_uri())
        fits = b.js("""(() => {
            const card = document.querySelector('.card.followup').getBoundingClientRect();
            const inside = [...document.querySelectorAll('.card.followup pre, aside.for-you')]
                .every(e => e.getBoundingClientRect().right <= card.right + 1);
            return [document.documentElement.scrollWidth <= window.innerWidth, inside];
        })()""")
    finally:
        b.close()
    assert fits == [True, True]


def test_split_for_you_keeps_a_text_without_the_line_whole():
    assert split_for_you("Dear X,\n\nPlease.\n") == ("Dear X,\n\nPlease.\n", None)
    letter, note = split_for_you(
        "To the ICO\n\nSigned\n\n-------- for you, not part of the complaint --------\nBy 1 May."
    )
    assert (letter, note) == ("To the ICO\n\nSigned\n", "By 1 May.")


# --- the pure rule, kind by kind ------------------------------------------------------------

# A FOIA request sent Mon 2 Feb 2026: due Mon 2 Mar (20th working day), very overdue after
# Tue 31 Mar (40th), as tests/test_followup_rules.py counts them.
SENT = "2026-02-02"
ROW = {
    "ref": "r-1", "status": "waiting_response", "law": "foi", "sent_on": SENT,
    "due": "2026-03-02", "very_overdue_after": "2026-03-31", "wdtk_id": 1,
}  # fmt: skip


def gone(kind, cycle, today, row=None, history=None, status="draft", policy=None, drafted=None):
    followup = {"ref": "r-1-x", "kind": kind, "cycle": cycle, "status": status}
    if drafted is not None:
        followup["drafted_on"] = drafted
    return reason_gone(
        followup, {**ROW, **(row or {})}, today, policy or FollowupPolicy(),
        dl.calendar_for("foi"), history or History(),
    )  # fmt: skip


def test_a_chaser_keeps_its_reason_while_the_reply_is_late_whatever_the_policy_says():
    assert gone("chaser", f"{SENT}:1", D(2026, 3, 3)) is None
    # The second chaser of the round, and after the campaign stopped drafting chasers.
    assert gone("chaser", f"{SENT}:2", D(2026, 3, 18)) is None
    assert gone("chaser", f"{SENT}:1", D(2026, 3, 3), policy=FollowupPolicy(chaser_max=0)) is None
    # Only unsent ones are judged.
    assert (
        gone("chaser", f"{SENT}:1", D(2026, 6, 1), {"status": "successful"}, status="sent") is None
    )


def test_a_chaser_or_nudge_goes_when_the_body_answers_or_the_clock_restarts():
    answered = {"status": "successful"}
    assert gone("chaser", f"{SENT}:1", D(2026, 3, 5), answered) == ANSWERED
    restarted = {"sent_on": "2026-03-04", "due": "2026-04-01", "very_overdue_after": "2026-04-30"}
    assert gone("chaser", f"{SENT}:1", D(2026, 4, 2), restarted) == (
        "the clock restarted on 2026-03-04 (a clarification)"
    )
    # A nudge: nothing back yet, and not late (from then on a chaser is the letter).
    assert gone("nudge", SENT, D(2026, 2, 10)) is None
    replied = History(responses=(D(2026, 2, 9),))
    assert gone("nudge", SENT, D(2026, 2, 10), history=replied) == "the body has replied"
    assert gone("nudge", SENT, D(2026, 3, 3)) == (
        "the reply is now late: a chaser takes the nudge's place"
    )


def test_an_internal_review_goes_when_the_refusal_is_replaced_or_a_review_is_under_way():
    assert gone("internal-review", SENT, D(2026, 3, 5), {"status": "rejected"}) is None
    assert gone("internal-review", SENT, D(2026, 3, 5), {"status": "successful"}) == (
        "the refusal was replaced by an answer (successful)"
    )
    review = {"status": "internal_review", "review_started_on": "2026-03-05"}
    assert gone("internal-review", SENT, D(2026, 3, 6), review) == ("a review is already under way")


def test_a_complaint_goes_when_the_review_answers_or_the_body_responds():
    # ICO: the review of Thu 5 Mar has had no outcome after 40 working days.
    review = {"status": "internal_review", "review_started_on": "2026-03-05"}
    assert gone("complaint", "review:2026-03-05", D(2026, 6, 1), review) is None
    assert gone(
        "complaint", "review:2026-03-05", D(2026, 6, 1), {**review, "status": "successful"}
    ) == ("the review answered (successful)")
    chased = History(sent=((D(2026, 3, 3), False),))
    assert gone("complaint", f"very-overdue:{SENT}", D(2026, 4, 1), history=chased) is None
    assert (
        gone("complaint", f"very-overdue:{SENT}", D(2026, 4, 1), {"status": "not_held"}, chased)
        == "the body responded (not_held)"
    )


def test_a_day_before_a_follow_up_was_drafted_never_withdraws_it():
    """`--as-of` looking back: on 20 Feb the request was not late yet, but the chaser was
    drafted on 3 Mar, when it was; a withdrawal is for good, so the earlier day is no
    ground for one. From its drafting day on, it is judged as ever."""
    assert gone("chaser", f"{SENT}:1", D(2026, 2, 20), drafted="2026-03-03") is None
    assert (
        gone("chaser", f"{SENT}:1", D(2026, 2, 20))
        == "no longer late: a reply is due by 2026-03-02"
    )
    assert gone("chaser", f"{SENT}:1", D(2026, 3, 5), {"status": "successful"},
                drafted="2026-03-03") == ANSWERED  # fmt: skip


def test_a_complaint_whose_grounds_went_does_not_claim_the_body_responded():
    # Very overdue, but no chaser went unanswered: no complaint, and no reply either.
    assert gone("complaint", f"very-overdue:{SENT}", D(2026, 4, 1)) == (
        "no longer grounds for a complaint (waiting_response_very_overdue)"
    )
